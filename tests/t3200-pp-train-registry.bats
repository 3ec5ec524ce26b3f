#!/usr/bin/env bats
# t3200: what pp-train logs to the registry, and its registry options.
#
# Plan:
#   logged        a walk-forward ridge run: attributes, every param, every
#                 tag (sha256 of the input from sha256sum, versions by
#                 shape), the metrics equal to the report on stderr (means
#                 and each fold's history), the artifact byte for byte
#                 equal to -o FILE, run_id in the model's metadata
#   hold-out      --test-frac logs test_rmse/test_r2 and no fold metrics
#   stdin         a pipe is hashed as read: input_sha256 equals sha256sum,
#                 for CSV and for a binary frame; no fingerprint attribute
#   default       ./pp.db and experiment "default" unless told; PP_REGISTRY
#                 beats ./pp.db and --registry beats PP_REGISTRY; creating
#                 ./pp.db says so, once, and only when it was implicit
#                 (the other tests start with ./pp.db made)
#   --experiment  normal, missing argument, empty name
#   --register    versions 1 and 2 of the name, from their runs; missing
#                 argument, a name with '/' or '@'
#   --print-run-id stdout is the id alone; needs -o; not with --no-registry
#   -q            no run id line on stderr
#   killed        SIGTERM ends the run KILLED, removes the temp model
#   failure       a failed training ends its run FAILED with the error as
#                 a tag, no artifact, no output; a missing input starts no
#                 run at all; a stdout that fails (/dev/full, closed)
#                 leaves no -o file and registers no version; too many
#                 feature columns fail before any allocation for them,
#                 the run FAILED
#   grid          one nested FINISHED run per candidate, parent set, its
#                 param and CV metric as reported; the parent logs the best
#   --horizon     logged; the gap defaults to it; a shorter --gap warns;
#                 missing argument, bad values
#   --no-registry no registry file appears; excludes -e/--register
#   bad registry  a directory, a file that is not a registry, a missing
#                 directory, a read-only file: exit 1 naming it, no output
#   --describe    takes a registry reference

load helpers/common

setup() {
	common_setup
	D=$PWD/testdata
	cd "$T"
	unset PP_REGISTRY
	# run-tests' build:pg pass: the registry is a PostgreSQL schema.
	[ "${PP_TEST_REGISTRY_BACKEND:-}" != pg ] || use_registry
	cp "$D/train-small.csv" small.csv
	SHA=$(sha256sum small.csv | cut -d' ' -f1)
	pp-registry init 2>/dev/null
}

# An empty registry again: a new ./pp.db, or on the build:pg pass a new
# schema.
fresh_registry() {
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		use_registry
	else
		rm pp.db
		pp-registry init 2>/dev/null
	fi
}

# The value of KIND,KEY in `pp-registry show RUN --format csv`.
shown() {
	pp-registry show "$1" --registry "${REG:-${PP_REGISTRY:-pp.db}}" --format csv \
	    >"$T/show.csv"
	awk -F, -v k="$2" -v key="$3" '$1 == k && $2 == key {
		sub(/^[^,]*,[^,]*,/, ""); print }' "$T/show.csv"
}

# The only run id in the registry's listing whose name is $1.
run_named() {
	pp-registry runs --nested --registry "${REG:-${PP_REGISTRY:-pp.db}}" --format csv >"$T/runs.csv"
	awk -F, -v n="$1" '$3 == n { print $1 }' "$T/runs.csv"
}

@test "a walk-forward run logs its params, tags, metrics and artifact" {
	run -0 --separate-stderr pp-train -m ridge --alpha 2 -t y --exclude cls \
	    --standardize --cv walkforward:3 --gap 1 -e exp -o m.ppm small.csv
	[ -z "$output" ]
	id=$(run_named ridge)
	[ "${#id}" -eq 32 ]
	[ "${stderr%%$'\n'*}" = "pp-train: run $id in experiment \"exp\"" ]

	pp-registry show "$id" --format csv >show.csv
	grep -v -e '^attribute,\(start_time\|end_time\|user\),' \
	    -e '^tag,[a-z]*_version,' -e '^metric,' show.csv >got
	cat >want <<END
kind,key,value
attribute,run_id,$id
attribute,experiment,exp
attribute,name,ridge
attribute,status,FINISHED
attribute,command,pp-train -m ridge --alpha 2 -t y --exclude cls --standardize --cv walkforward:3 --gap 1 -e exp -o m.ppm small.csv
attribute,fingerprint,$SHA
param,alpha,2
param,cv,walkforward:3
param,embargo,0
param,exclude,cls
param,gap,1
param,max_train,0
param,model,ridge
param,standardize,true
param,strict,false
param,target,y
tag,dates,80
tag,features,"f1,f2,f3"
tag,input_sha256,$SHA
tag,rows_dropped,0
tag,rows_read,240
tag,rows_used,240
artifact,model.ppm,$(stat -c %s m.ppm)
END
	diff -u want got

	# Versions: present and shaped like versions.
	assert_regex "$(shown "$id" tag openblas_version)" '^OpenBLAS [0-9]+\.[0-9]+'
	assert_regex "$(shown "$id" tag lapack_version)" '^[0-9]+\.[0-9]+\.[0-9]+$'
	assert_regex "$(shown "$id" tag zlib_version)" '^[0-9]+\.[0-9]+'
	assert_regex "$(shown "$id" tag sqlite_version)" '^3\.[0-9]+\.[0-9]+$'
	[ "$(shown "$id" tag pp_version)" = "$(pp-train --version | cut -d' ' -f2)" ]
	# XGBoost did not compute a ridge model (and is not even loaded).
	[ -z "$(shown "$id" tag xgboost_version)" ]

	# Metrics: the means and each fold as pp-train reported them.
	mean=$(grep '^pp-train: mean: ' <<<"$stderr")
	[ "$mean" = "pp-train: mean: rmse $(shown "$id" metric cv_rmse), r2 $(shown "$id" metric cv_r2)" ]
	grep '^metric,' show.csv | cut -d, -f2 >keys
	printf '%s\n' cv_r2 cv_rmse fold_r2 fold_rmse >want
	diff -u want keys
	pp-registry metric-history "$id" fold_rmse --format csv | tail -n +2 | cut -d, -f1,2 >got
	grep '^pp-train: fold ' <<<"$stderr" | sed 's|.*fold \([0-9]\)/3:.*rmse \([^,]*\),.*|\1,\2|' >want
	[ "$(wc -l <want)" -eq 3 ]
	diff -u want got

	# The artifact is the model written, which names its run.
	run -0 pp-registry artifact get "$id" model.ppm -o art.ppm
	cmp m.ppm art.ppm
	run -0 pp-train --describe m.ppm
	assert_line "meta run_id: $id"
}

@test "a hold-out logs test metrics only" {
	run -0 --separate-stderr pp-train -m ols -t y --exclude cls \
	    --test-frac 0.25 --horizon 1 -o m.ppm small.csv
	id=$(run_named ols)
	pp-registry show "$id" --format csv | grep '^metric,' | cut -d, -f2 >keys
	printf '%s\n' test_r2 test_rmse >want
	diff -u want keys
	[ "$(grep '^pp-train: test: ' <<<"$stderr")" = "pp-train: test: rmse $(shown "$id" metric test_rmse), r2 $(shown "$id" metric test_r2)" ]
	[ "$(shown "$id" param test_frac)" = 0.25 ]
}

@test "stdin from a pipe is hashed as it is read, CSV and binary" {
	run -0 --separate-stderr bash -c 'cat small.csv | pp-train -m ols -t y -e csv -o m.ppm'
	id=$(pp-registry runs -e csv --format csv | sed -n 2p | cut -d, -f1)
	[ "$(shown "$id" tag input_sha256)" = "$SHA" ]
	[ -z "$(shown "$id" attribute fingerprint)" ]
	run -0 pp cat -B -o small.ppf small.csv
	run -0 --separate-stderr bash -c 'cat small.ppf | pp-train -m ols -t y -e bin -o b.ppm'
	id=$(pp-registry runs -e bin --format csv | sed -n 2p | cut -d, -f1)
	[ "$(shown "$id" tag input_sha256)" = "$(sha256sum small.ppf | cut -d' ' -f1)" ]
	# A redirected regular file is hashed up front, as a named one.
	run -0 --separate-stderr pp-train -m ols -t y -e redir -o r.ppm <small.csv
	id=$(pp-registry runs -e redir --format csv | sed -n 2p | cut -d, -f1)
	[ "$(shown "$id" attribute fingerprint)" = "$SHA" ]
}

@test "the registry is ./pp.db, or PP_REGISTRY, or --registry" {
	skip_on_pg "registry files by path"
	rm pp.db
	run -0 --separate-stderr pp-train -m ols -t y -o m.ppm small.csv
	[ -f pp.db ]
	assert_equal "${stderr_lines[0]}" 'pp-train: created new registry ./pp.db'
	run -0 --separate-stderr pp-train -m ols -t y -o m.ppm small.csv
	[[ $stderr != *created* ]]
	rm pp.db*
	run -0 --separate-stderr pp-train -q -m ols -t y -o m.ppm small.csv
	assert_equal "$stderr" ''
	[ -f pp.db ]
	run -0 pp-registry runs --format csv
	assert_line --regexp '^[0-9a-f]{32},default,ols,FINISHED,'
	PP_REGISTRY=$T/env.db run -0 --separate-stderr pp-train -m ols -t y -o m.ppm small.csv
	[ -f env.db ]
	[[ $stderr != *created* ]]
	PP_REGISTRY=$T/env.db run -0 --separate-stderr pp-train -m ols -t y --registry opt.db -o m.ppm small.csv
	[ -f opt.db ]
	[[ $stderr != *created* ]]
	[ "$(pp-registry runs --registry env.db --format csv | wc -l)" -eq 2 ]
	[ "$(pp-registry runs --registry opt.db --format csv | wc -l)" -eq 2 ]
	[ "$(pp-registry runs --format csv | wc -l)" -eq 2 ]
	run -2 --separate-stderr pp-train -m ols -t y -o m.ppm small.csv --registry
	[ "$stderr" = "pp-train: option --registry needs an argument" ]
	run -2 --separate-stderr pp-train -m ols -t y --registry '' -o m.ppm small.csv
	[ "$stderr" = "pp-train: --registry: empty path" ]
}

@test "--experiment names the run's experiment" {
	run -0 --separate-stderr pp-train -m ols -t y --experiment nightly -o m.ppm small.csv
	run -0 pp-registry runs -e nightly --format csv
	assert_line --regexp '^[0-9a-f]{32},nightly,ols,FINISHED,'
	run -2 --separate-stderr pp-train -m ols -t y -o m.ppm small.csv -e
	[ "$stderr" = "pp-train: option --experiment needs an argument" ]
	run -2 --separate-stderr pp-train -m ols -t y --experiment '' -o m.ppm small.csv
	[ "$stderr" = "pp-train: --experiment: empty name" ]
}

@test "--register adds a version of the model per run" {
	run -0 --separate-stderr pp-train -m ols -t y --register daily -o m1.ppm small.csv
	id1=$(run_named ols)
	assert_equal "${stderr##*$'\n'}" 'pp-train: registered model "daily" version 1'
	run -0 --separate-stderr pp-train -m ridge -t y --register daily -o m2.ppm small.csv
	id2=$(run_named ridge)
	assert_equal "${stderr##*$'\n'}" 'pp-train: registered model "daily" version 2'
	pp-registry versions daily --format csv | cut -d, -f1,2,4,5 >got
	cat >want <<END
version,stage,run_id,artifact
1,None,$id1,model.ppm
2,None,$id2,model.ppm
END
	diff -u want got
	run -2 --separate-stderr pp-train -m ols -t y -o m.ppm small.csv --register
	[ "$stderr" = "pp-train: option --register needs an argument" ]
	for bad in a/b 'x@y' ''; do
		run -2 --separate-stderr pp-train -m ols -t y --register "$bad" -o m.ppm small.csv
		[ "$stderr" = "pp-train: --register: bad model name \"$bad\": not empty, no '/' or '@'" ]
	done
}

@test "--print-run-id prints the id alone on stdout" {
	run -0 --separate-stderr pp-train -m ols -t y --print-run-id -o m.ppm small.csv
	assert_output "$(run_named ols)"
	assert_regex "$output" '^[0-9a-f]{32}$'
	[ "${stderr%%$'\n'*}" = "pp-train: run $output in experiment \"default\"" ]
	run -2 --separate-stderr pp-train -m ols -t y --print-run-id small.csv
	[ "$stderr" = "pp-train: --print-run-id: stdout is for the run id: give -o FILE" ]
	run -2 --separate-stderr pp-train -m ols -t y --print-run-id=x -o m.ppm small.csv
	[ "$stderr" = "pp-train: option --print-run-id takes no argument" ]
	run -2 --separate-stderr pp-train -m ols -t y --print-run-id --no-registry -o m.ppm small.csv
	[ "$stderr" = "pp-train: --no-registry excludes --experiment, --register, --print-run-id, --run-name and --tag" ]
}

@test "-q keeps the run id off stderr" {
	run -0 --separate-stderr pp-train -q -m ols -t y --register q -o m.ppm small.csv
	[ -z "$stderr" ]
	[ -n "$(run_named ols)" ]
}

@test "a failed training ends its run FAILED with the error" {
	run -1 --separate-stderr pp-train -m logistic -t y -o l.ppm small.csv
	id=$(run_named logistic)
	msg='small.csv:2: column "y": logistic target must be 0 or 1, not -3.017913'
	[ "$stderr" = "pp-train: run $id in experiment \"default\""$'\n'"pp-train: $msg" ]
	[ "$(shown "$id" attribute status)" = FAILED ]
	[ -n "$(shown "$id" attribute end_time)" ]
	[ "$(shown "$id" tag error)" = "\"${msg//\"/\"\"}\"" ]
	[ -z "$(grep '^artifact,' "$T/show.csv")" ]
	[ ! -e l.ppm ]
	# No model version comes from a failed run.
	run -1 --separate-stderr pp-train -m logistic -t y --register x -o l.ppm small.csv
	run -0 pp-registry models --format csv
	assert_output 'name,versions,latest_version,aliases,created'
	# An input that cannot be opened starts no run.
	run -1 --separate-stderr pp-train -m ols -t y -o m.ppm nope.csv
	[ "$stderr" = "pp-train: nope.csv: No such file or directory" ]
	[ "$(pp-registry runs --format csv | wc -l)" -eq 3 ]
}

@test "a frame of too many feature columns fails before fitting, run FAILED" {
	# 100,000 features once asked for 80 GB and aborted, the run RUNNING.
	awk 'BEGIN { n = 100000; printf "date"
		for (i = 0; i < n; i++) printf ",f%d", i; print ",y"
		for (r = 1; r <= 3; r++) { printf "2020-01-0%d", r
			for (i = 0; i < n; i++) printf ",%d", (i + r) % 7
			print "," r } }' >wide.csv
	run -1 --separate-stderr pp-train -m ridge -t y -o w.ppm wide.csv
	[ -z "$output" ]
	id=$(run_named ridge)
	msg='wide.csv: 100000 feature columns: at most 4096 can be fitted (--features picks some)'
	[ "$stderr" = "pp-train: run $id in experiment \"default\""$'\n'"pp-train: $msg" ]
	[ "$(shown "$id" attribute status)" = FAILED ]
	[ ! -e w.ppm ]
	run -0 --separate-stderr pp-train -m ridge -t y --features f1,f2 -o w.ppm wide.csv
}

# pp-train with its stdout sent to $1 ("-" closes it), then the rest.
train_stdout_to() {
	local to=$1
	shift
	if [ "$to" = - ]; then
		pp-train "$@" >&-
	else
		pp-train "$@" >"$to"
	fi
}

@test "a run whose stdout fails publishes no model file and no version" {
	for to in /dev/full -; do
		run -1 --separate-stderr train_stdout_to "$to" -m ols -t y \
		    --register nm --print-run-id -o m.ppm small.csv
		id=$(run_named ols)
		[ "$stderr" = "pp-train: run $id in experiment \"default\""$'\n'"pp-train: features: f1,f2,f3,cls"$'\n'"pp-train: <stdout>: write error" ]
		[ "$(shown "$id" attribute status)" = FAILED ]
		[ "$(shown "$id" tag error)" = "<stdout>: write error" ]
		[ ! -e m.ppm ]
		[ -z "$(ls m.ppm.tmp* 2>/dev/null)" ]
		run -0 pp-registry models --format csv
		assert_output 'name,versions,latest_version,aliases,created'
		fresh_registry
	done
	# The model on stdout itself: nothing registered either.
	run -1 --separate-stderr train_stdout_to /dev/full -m ols -t y \
	    --register nm small.csv
	id=$(run_named ols)
	[ "$stderr" = "pp-train: run $id in experiment \"default\""$'\n'"pp-train: features: f1,f2,f3,cls"$'\n'"pp-train: <stdout>: write error: No space left on device" ]
	[ "$(shown "$id" attribute status)" = FAILED ]
	run -0 pp-registry models --format csv
	assert_output 'name,versions,latest_version,aliases,created'
}

@test "a signal ends the run KILLED, removes the temp model and kills" {
	# pp-train reads a FIFO that stays open: the run starts, then waits.
	mkfifo in.fifo
	pp-train -m ols -t y -o m.ppm in.fifo 2>err.txt &
	pid=$!
	exec 5>in.fifo
	# More than a read buffer (256 KiB), so the header is read and the
	# run starts.
	awk -v OFS=, 'BEGIN { print "x,y"; for (i = 0; i < 100000; i++)
		print i % 7, i % 11 }' >&5
	for _ in $(seq 100); do
		[ -n "$(run_named ols)" ] && ls m.ppm.tmp* >/dev/null 2>&1 && break
		sleep 0.1
	done
	id=$(run_named ols)
	[ "$(shown "$id" attribute status)" = RUNNING ]
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	exec 5>&-
	[ "$status" -eq 143 ]
	[ "$(shown "$id" attribute status)" = KILLED ]
	[ -n "$(shown "$id" attribute end_time)" ]
	[ "$(shown "$id" tag error)" = "killed by SIGTERM" ]
	[ ! -e m.ppm ]
	run -1 compgen -G 'm.ppm.tmp*'
	[ "$(cat err.txt)" = "pp-train: run $id in experiment \"default\"" ]
}

@test "--grid logs each candidate as a nested run" {
	run -0 --separate-stderr pp-train -m ridge -t y --exclude cls \
	    --cv walkforward:3 --horizon 1 --grid alpha=0.1,1000 -o m.ppm small.csv
	parent=$(run_named ridge)
	for a in 0.1 1000; do
		c=$(run_named "alpha=$a")
		[ "${#c}" -eq 32 ]
		[ "$(shown "$c" attribute parent_run_id)" = "$parent" ]
		[ "$(shown "$c" attribute status)" = FINISHED ]
		[ "$(shown "$c" param alpha)" = "$a" ]
		[ "$(grep "^pp-train: alpha=$a mean: " <<<"$stderr")" = "pp-train: alpha=$a mean: rmse $(shown "$c" metric cv_rmse), r2 $(shown "$c" metric cv_r2)" ]
	done
	[ "$(shown "$parent" param alpha)" = 0.1 ]
	[ "$(shown "$parent" param grid_alpha)" = '"0.1,1000"' ]
	[ "$(shown "$parent" tag grid_best)" = "alpha=0.1" ]
	[ "$(shown "$parent" metric cv_rmse)" = "$(shown "$(run_named alpha=0.1)" metric cv_rmse)" ]
	[ -z "$(shown "$parent" attribute parent_run_id)" ]
}

@test "--horizon is logged, sets the default gap, warns above --gap" {
	run -0 --separate-stderr pp-train -m ols -t y --cv walkforward:3 --horizon 2 -o m.ppm small.csv
	id=$(run_named ols)
	[ "$(shown "$id" param horizon)" = 2 ]
	[ "$(shown "$id" param gap)" = 2 ]
	[[ $stderr != *warning* ]]
	run -0 --separate-stderr pp-train -m ols -t y --cv walkforward:3 --horizon 3 --gap 1 -e h -o m.ppm small.csv
	assert_equal "$(grep warning <<<"$stderr")" "pp-train: warning: the gap (1 dates) is shorter than the target's horizon (3): the last training rows of each fold see test dates"
	id=$(pp-registry runs -e h --format csv | sed -n 2p | cut -d, -f1)
	[ "$(shown "$id" tag warnings)" = "the gap (1 dates) is shorter than the target's horizon (3): the last training rows of each fold see test dates" ]
	run -2 --separate-stderr pp-train -m ols -t y -o m.ppm small.csv --horizon
	[ "$stderr" = "pp-train: option --horizon needs an argument" ]
	run -2 --separate-stderr pp-train -m ols -t y --horizon 0 -o m.ppm small.csv
	[ "$stderr" = 'pp-train: --horizon: bad value "0": want a whole number from 1 to 100000000' ]
	run -2 --separate-stderr pp-train -m ols -t y --horizon x -o m.ppm small.csv
	[ "$stderr" = 'pp-train: --horizon: bad value "x": want a whole number from 1 to 100000000' ]
}

@test "--no-registry trains without one" {
	skip_on_pg "no registry file appears"
	rm pp.db
	run -0 --separate-stderr pp-train -m ols -t y --no-registry -o m.ppm small.csv
	[ "$stderr" = "pp-train: features: f1,f2,f3,cls" ]
	[ ! -e pp.db ]
	run -0 pp-train --describe m.ppm
	refute_output --partial run_id
	run -2 --separate-stderr pp-train -m ols -t y --no-registry -e x -o m.ppm small.csv
	[ "$stderr" = "pp-train: --no-registry excludes --experiment, --register, --print-run-id, --run-name and --tag" ]
	run -2 --separate-stderr pp-train -m ols -t y --no-registry --register x -o m.ppm small.csv
	[ "$stderr" = "pp-train: --no-registry excludes --experiment, --register, --print-run-id, --run-name and --tag" ]
	run -2 --separate-stderr pp-train -m ols -t y --no-registry=1 -o m.ppm small.csv
	[ "$stderr" = "pp-train: option --no-registry takes no argument" ]
}

@test "a registry that cannot be written is an error naming it" {
	mkdir dir
	run -1 --separate-stderr pp-train -m ols -t y --registry dir -o m.ppm small.csv
	[ "$stderr" = "pp-train: dir: Is a directory" ]
	run -1 --separate-stderr pp-train -m ols -t y --registry small.csv -o m.ppm small.csv
	[ "$stderr" = "pp-train: small.csv: not a registry" ]
	run -1 --separate-stderr pp-train -m ols -t y --registry nodir/r.db -o m.ppm small.csv
	[ "$stderr" = "pp-train: nodir/r.db: open: unable to open database file" ]
	[ ! -e m.ppm ]
	if [ "$(id -u)" -eq 0 ]; then
		skip "running as root: a read-only file is writable"
	fi
	run -0 --separate-stderr pp-train -m ols -t y --registry ro.db -o m.ppm small.csv
	rm -f m.ppm
	chmod a-w ro.db .
	run -1 --separate-stderr pp-train -m ols -t y --registry ro.db -o m.ppm small.csv
	chmod u+w .
	assert_regex "$stderr" '^pp-train: ro\.db: .*readonly'
	[ ! -e m.ppm ]
}

@test "--describe reads a registry reference" {
	run -0 --separate-stderr pp-train -m ols -t y --register d -o m.ppm small.csv
	pp-train --describe m.ppm >want
	run -0 pp-train --describe models:/d/1
	diff -u want - <<<"$output"
	run -1 --separate-stderr pp-train --describe models:/d/2
	[ "$stderr" = "pp-train: models:/d/2: no such model version" ]
}
