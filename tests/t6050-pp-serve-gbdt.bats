#!/usr/bin/env bats
# t6050: pp-serve serves gradient-boosted trees (pp-train -m gbdt).
#
# Plan:
#   metadata     the platform is pp-gbdt; a binary model lists a
#                probability output
#   v2           OIP V2 infer answers pp-predict's digits; a binary model
#                answers classes and probabilities
#   v1           KServe V1 predict answers pp-predict's digits
#   threads      many concurrent requests on one booster (XGBoost's
#                in-place prediction, shared by the server's threads) all
#                answer the right digits

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/serve'

setup() {
	cd "$BATS_TEST_DIRNAME/../testdata"
	export PP_REGISTRY="$BATS_TEST_TMPDIR/pp.db"
	T=$BATS_TEST_TMPDIR
	PID=
	pp-train --no-registry -m gbdt -t y --features f1,f2,f3 \
	    --n-estimators 40 -o "$T/r.ppm" train-small.csv 2>/dev/null
	printf 'f1,f2,f3\n1.5,2,99\n-0.25,4.125,101\n' >"$T/rows.csv"
	pp-predict -m "$T/r.ppm" --only -o "$T/want.csv" "$T/rows.csv"
	P1=$(sed -n 2p "$T/want.csv")
	P2=$(sed -n 3p "$T/want.csv")
}

teardown() {
	serve_teardown
}

@test "V2 metadata and infer on a gbdt regression give pp-predict's digits" {
	serve_start -m "trees=$T/r.ppm"
	run -0 http GET /v2/models/trees
	assert_output "$(printf '%s\n200' '{"name":"trees","versions":["1"],"platform":"pp-gbdt","inputs":[{"name":"f1","datatype":"FP64","shape":[-1]},{"name":"f2","datatype":"FP64","shape":[-1]},{"name":"f3","datatype":"FP64","shape":[-1]}],"outputs":[{"name":"prediction","datatype":"FP64","shape":[-1]}]}')"
	run -0 http POST /v2/models/trees/infer -d '{"id":"7","inputs":[{"name":"x","shape":[2,3],"datatype":"FP64","data":[1.5,2,99,-0.25,4.125,101]}]}'
	assert_output "$(printf '{"model_name":"trees","model_version":"1","id":"7","outputs":[{"name":"prediction","shape":[2],"datatype":"FP64","data":[%s,%s]}]}\n200' "$P1" "$P2")"
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "V2 infer on a binary gbdt answers classes and probabilities" {
	pp-train --no-registry -m gbdt -t cls --features f1,f2,f3 \
	    --n-estimators 30 -o "$T/b.ppm" train-small.csv 2>/dev/null
	pp-predict -m "$T/b.ppm" --only -o "$T/c.csv" "$T/rows.csv"
	pp-predict -m "$T/b.ppm" --only --proba -o "$T/p.csv" "$T/rows.csv"
	serve_start -m "cls=$T/b.ppm"
	run -0 http POST /v2/models/cls/infer -d '{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP64","data":[1.5,2,99,-0.25,4.125,101]}]}'
	assert_output "$(printf '{"model_name":"cls","model_version":"1","outputs":[{"name":"prediction","shape":[2],"datatype":"FP64","data":[%s,%s]},{"name":"probability","shape":[2],"datatype":"FP64","data":[%s,%s]}]}\n200' \
	    "$(sed -n 2p "$T/c.csv")" "$(sed -n 3p "$T/c.csv")" "$(sed -n 2p "$T/p.csv")" "$(sed -n 3p "$T/p.csv")")"
	serve_stop
}

@test "V1 predict on a gbdt model gives pp-predict's digits" {
	serve_start -m "trees=$T/r.ppm"
	run -0 http POST /v1/models/trees:predict -d '{"instances":[{"f3":99,"f1":1.5,"f2":2},[-0.25,4.125,101]]}'
	assert_output "$(printf '{"predictions":[%s,%s]}\n200' "$P1" "$P2")"
	serve_stop
}

@test "concurrent requests share one booster and all answer right" {
	serve_start -m "trees=$T/r.ppm"
	want=$(printf '{"predictions":[%s,%s]}' "$P1" "$P2")
	pids=
	for w in 1 2 3 4 5 6 7 8; do
		(
			for i in $(seq 25); do
				curl -s --max-time 10 -d '{"instances":[[1.5,2,99],[-0.25,4.125,101]]}' \
				    "$URL/v1/models/trees:predict"
				echo
			done >"$T/out.$w"
		) &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	cat "$T"/out.* >"$T/all"
	[ "$(wc -l <"$T/all")" -eq 200 ]
	run -1 grep -v -x -F "$want" "$T/all"
	assert_output ''
	serve_stop
	[ "$STATUS" -eq 0 ]
}
