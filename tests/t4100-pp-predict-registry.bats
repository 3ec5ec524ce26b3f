#!/usr/bin/env bats
# t4100: pp-predict -m with registry references.
#
# Plan:
#   every form    models:/NAME/VERSION, models:/NAME@ALIAS,
#                 models:/NAME/Production (stage), models:/NAME/latest,
#                 runs:/RUN_ID and runs:/RUN_ID/model.ppm each predict
#                 exactly what the model file does, and each resolves to
#                 the version it should (two versions registered)
#   --registry    PP_REGISTRY, --registry, missing argument, empty path
#   unresolved    a version, alias, stage, model or run that does not
#                 exist: one line naming the reference, exit 1, no output
#   malformed     a bad URI is a usage error, exit 2
#   bad registry  missing file (never created), not a registry
#   corrupt       an artifact that is not a model is an error naming the
#                 reference
#   demo          scripts/demo trains into its registry, predicts from it
#                 and prints the run with its metrics

load helpers/common

setup() {
	common_setup
	D=$PWD/testdata
	cd "$T"
	unset PP_REGISTRY
	# run-tests' build:pg pass: the registry is a PostgreSQL schema.
	[ "${PP_TEST_REGISTRY_BACKEND:-}" != pg ] || use_registry
	cp "$D/train-small.csv" small.csv
}

# Two versions of model "m": v1 ols, v2 ridge with a large penalty, so
# their predictions differ.
two_versions() {
	pp-train -q -m ols -t y --exclude cls --register m -o v1.ppm small.csv
	pp-train -q -m ridge --alpha 100 -t y --exclude cls --register m \
	    --print-run-id -o v2.ppm small.csv >run2
	pp-predict -m v1.ppm --only -o want1.csv small.csv
	pp-predict -m v2.ppm --only -o want2.csv small.csv
	run -1 cmp -s want1.csv want2.csv
}

@test "every reference form predicts as the model file does" {
	two_versions
	pp-registry alias m champion 1
	pp-registry promote m 2 Production
	run2=$(cat run2)
	while read -r ref want; do
		run -0 --separate-stderr pp-predict -m "$ref" --only -o got.csv small.csv
		[ -z "$stderr" ]
		cmp "$want" got.csv || fail "$ref: not $want"
	done <<END
models:/m/1 want1.csv
models:/m/2 want2.csv
models:/m@champion want1.csv
models:/m/Production want2.csv
models:/m/production want2.csv
models:/m/latest want2.csv
runs:/$run2 want2.csv
runs:/$run2/model.ppm want2.csv
END
	# Moving the alias moves the prediction.
	pp-registry alias m champion 2
	run -0 pp-predict -m models:/m@champion --only -o got.csv small.csv
	cmp want2.csv got.csv
}

@test "the registry comes from --registry, else PP_REGISTRY" {
	skip_on_pg "registry files by path"
	two_versions
	mkdir sub
	cd sub
	run -0 --separate-stderr pp-predict -m models:/m/1 --registry ../pp.db --only -o got.csv ../small.csv
	cmp ../want1.csv got.csv
	PP_REGISTRY=../pp.db run -0 --separate-stderr pp-predict -m models:/m/1 --only -o got.csv ../small.csv
	cmp ../want1.csv got.csv
	run -1 --separate-stderr pp-predict -m models:/m/1 -o got.csv ../small.csv
	[ "$stderr" = "pp-predict: models:/m/1: pp.db: No such file or directory" ]
	[ ! -e pp.db ]
	run -2 --separate-stderr pp-predict -m models:/m/1 ../small.csv --registry
	[ "$stderr" = "pp-predict: option --registry needs an argument" ]
	run -2 --separate-stderr pp-predict -m models:/m/1 --registry '' ../small.csv
	[ "$stderr" = "pp-predict: --registry: empty path" ]
}

@test "a reference that names nothing is one line naming it, exit 1" {
	two_versions
	while IFS='|' read -r ref msg; do
		run -1 --separate-stderr pp-predict -m "$ref" -o got.csv small.csv
		[ "$stderr" = "pp-predict: $msg" ] || fail "$ref: $stderr"
		[ -z "$output" ]
		[ ! -e got.csv ]
	done <<END
models:/m/3|models:/m/3: no such model version
models:/m@nobody|models:/m@nobody: no such model version
models:/m/Staging|models:/m/Staging: no such model version
models:/zz/1|models:/zz/1: no model "zz"
runs:/0123456789abcdef0123456789abcdef|runs:/0123456789abcdef0123456789abcdef: no run "0123456789abcdef0123456789abcdef"
runs:/$(cat run2)/other|runs:/$(cat run2)/other: run $(cat run2) has no artifact "other"
END
}

@test "a malformed reference is a usage error" {
	two_versions
	run -2 --separate-stderr pp-predict -m models:/m -o got.csv small.csv
	[ "$stderr" = 'pp-predict: bad model URI "models:/m": want models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/STAGE' ]
	[ ! -e got.csv ]
}

@test "a file that is not a registry, or an artifact that is not a model" {
	run -1 --separate-stderr pp-predict -m models:/m/1 --registry small.csv small.csv
	[ "$stderr" = "pp-predict: models:/m/1: small.csv: not a registry" ]
	id=$(pp-registry run start -e x)
	pp-registry artifact put "$id" small.csv --name notes.txt
	run -1 --separate-stderr pp-predict -m "runs:/$id" small.csv
	[ "$stderr" = "pp-predict: runs:/$id: not a model artifact" ]
}

@test "the demo trains, registers, predicts from the registry, shows the run" {
	skip_on_pg "the demo's own registry file"
	run -0 --separate-stderr "$BATS_TEST_DIRNAME/../scripts/demo" "$PP_BUILD/bin"
	assert_line --regexp '^    run [0-9a-f]{32} in experiment "demo"$'
	assert_line '    registered model "pp-demo" version 1'
	assert_line --regexp '^    [0-9]+ predictions .*the same as from model.ppm$'
	assert_line --regexp '^    [0-9a-f]{32}  demo +ridge +FINISHED '
	assert_line --regexp '^    metric +cv_rmse +[0-9.]+$'
	assert_line --regexp '^    tag +input_sha256 +[0-9a-f]{64}$'
	assert_line --regexp '^       5  +[0-9.]+  '
}
