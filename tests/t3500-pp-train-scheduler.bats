#!/usr/bin/env bats
# t3500: pp-train in a scheduler: run names, tags, and -q meaning quiet.
#
# Plan:
#   --run-name     names the run (default: the model kind); empty refused
#   --tag          repeatable K=V tags set at the start, beside the
#                  program's own; a value may hold '='; bad values refused
#   -q             only errors on stderr: no features, folds, candidates,
#                  run id or version; an error is still one line
#   --no-registry  excludes --run-name and --tag

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	cd "$BATS_TEST_TMPDIR"
	export PP_REGISTRY="$BATS_TEST_TMPDIR/pp.db"
	cp "$BATS_TEST_DIRNAME/../testdata/train-small.csv" small.csv
}

# shown RUN KIND KEY: the value in `pp-registry show`
shown() {
	pp-registry show "$1" --format csv | awk -F, -v k="$2" -v n="$3" \
	    '$1 == k && $2 == n { sub(/^[^,]*,[^,]*,/, ""); print }'
}

@test "--run-name and --tag label the run" {
	run -0 --separate-stderr pp-train -m ridge -t y --exclude cls \
	    --run-name nightly --tag dag=daily --tag ds=2026-12-01 --tag q=a=b \
	    --print-run-id -o m.ppm small.csv
	id=$output
	assert_equal "$(shown "$id" attribute name)" nightly
	assert_equal "$(shown "$id" tag dag)" daily
	assert_equal "$(shown "$id" tag ds)" 2026-12-01
	assert_equal "$(shown "$id" tag q)" a=b
	assert_equal "$(shown "$id" tag pp_version)" 0.1.0
	run -0 --separate-stderr pp-train -m ridge -t y --print-run-id -o m.ppm small.csv
	assert_equal "$(shown "$output" attribute name)" ridge
}

@test "--run-name and --tag: bad values" {
	run -2 --separate-stderr pp-train -m ols -t y --tag x -o m.ppm small.csv
	assert_equal "$stderr" 'pp-train: --tag: bad value "x": want KEY=VALUE'
	run -2 --separate-stderr pp-train -m ols -t y --tag =v -o m.ppm small.csv
	assert_equal "$stderr" 'pp-train: --tag: bad value "=v": want KEY=VALUE'
	run -2 --separate-stderr pp-train -m ols -t y -o m.ppm small.csv --tag
	assert_equal "$stderr" 'pp-train: option --tag needs an argument'
	run -2 --separate-stderr pp-train -m ols -t y --run-name '' -o m.ppm small.csv
	assert_equal "$stderr" 'pp-train: --run-name: empty name'
	run -2 --separate-stderr pp-train -m ols -t y --no-registry --run-name n -o m.ppm small.csv
	assert_equal "$stderr" 'pp-train: --no-registry excludes --experiment, --register, --print-run-id, --run-name and --tag'
	run -2 --separate-stderr pp-train -m ols -t y --no-registry --tag a=b -o m.ppm small.csv
	assert_equal "$stderr" 'pp-train: --no-registry excludes --experiment, --register, --print-run-id, --run-name and --tag'
	[ ! -e m.ppm ]
}

@test "-q: only errors on stderr" {
	run -0 --separate-stderr pp-train -q -m ridge -t y --exclude cls \
	    --cv walkforward:3 --horizon 1 --grid alpha=0.1,10 --register m \
	    -o m.ppm small.csv
	assert_equal "$output" ''
	assert_equal "$stderr" ''
	[ -s m.ppm ]
	run -0 --separate-stderr pp-train -m ridge -t y --exclude cls \
	    --cv walkforward:3 --horizon 1 --grid alpha=0.1,10 -o m.ppm small.csv
	assert_equal "${#stderr_lines[@]}" 11
	run -1 --separate-stderr pp-train -q -m ols -t nope -o m.ppm small.csv
	assert_equal "$stderr" 'pp-train: small.csv: target column "nope" not found'
}
