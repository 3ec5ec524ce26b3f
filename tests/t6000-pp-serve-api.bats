#!/usr/bin/env bats
# t6000: pp-serve's endpoints, request and response shapes, errors.
#
# Plan:
#   health       live, ready and server metadata answer the OIP V2 JSON
#   metadata     model metadata lists the features as FP64 [-1] inputs;
#                /versions/V and /ready; unknown model or version is 404
#   infer        the spec's [N, F] request (with id, parameters, outputs)
#                and one tensor per feature answer the same predictions,
#                with the same digits as pp-predict on the same rows;
#                the answer has every field the spec requires
#   logistic     V2 answers prediction (class) and probability
#   v1           instances as objects or arrays; X-Model-Version header
#   errors       malformed JSON and wrong shapes are 400 naming the
#                problem; missing values 400, or null with --allow-nan;
#                unknown paths 404; wrong method 405
#   metrics      Prometheus text that promtool accepts, counting requests
#                by endpoint, model, version and code
#   options      usage errors exit 2, load errors exit 1, --hash-key

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/serve'

setup() {
	cd "$BATS_TEST_DIRNAME/../testdata"
	export PP_REGISTRY="$BATS_TEST_TMPDIR/pp.db"
	T=$BATS_TEST_TMPDIR
	PID=
}

teardown() {
	serve_teardown
}

@test "health checks and server metadata" {
	serve_start -m model-ridge-v1.ppm
	run -0 http GET /v2/health/live
	assert_output "$(printf '{"live":true}\n200')"
	run -0 http GET /v2/health/ready
	assert_output "$(printf '{"ready":true}\n200')"
	run -0 http GET /v2
	assert_output "$(printf '{"name":"pp-serve","version":"0.1.0","extensions":[]}\n200')"
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "model metadata, versions and readiness; unknown model or version is 404" {
	serve_start -m ridge=model-ridge-v1.ppm -m model-ridge-v1.ppm
	meta='{"name":"ridge","versions":["1"],"platform":"pp-ridge","inputs":[{"name":"f1","datatype":"FP64","shape":[-1]},{"name":"f2","datatype":"FP64","shape":[-1]},{"name":"f3","datatype":"FP64","shape":[-1]}],"outputs":[{"name":"prediction","datatype":"FP64","shape":[-1]}]}'
	run -0 http GET /v2/models/ridge
	assert_output "$(printf '%s\n200' "$meta")"
	run -0 http GET /v2/models/ridge/versions/1
	assert_output "$(printf '%s\n200' "$meta")"
	# The file's base name is the default name.
	run -0 http GET /v2/models/model-ridge-v1/ready
	assert_output "$(printf '{"name":"model-ridge-v1","ready":true}\n200')"
	run -0 http GET /v2/models/ridge/versions/1/ready
	assert_output "$(printf '{"name":"ridge","ready":true}\n200')"
	run -0 http GET /v2/models/ridge/versions/2
	assert_output "$(printf '{"error":"model \\"ridge\\" has no version \\"2\\""}\n404')"
	run -0 http GET /v2/models/nope
	assert_output "$(printf '{"error":"no model \\"nope\\""}\n404')"
	run -0 http POST /v2/models/nope/infer -d '{}'
	assert_output "$(printf '{"error":"no model \\"nope\\""}\n404')"
	serve_stop
}

@test "V2 infer: [N, F] and per-feature tensors give pp-predict's digits" {
	printf 'f1,f2,f3\n1.5,2,99\n-0.25,4.125,101\n' >"$T/rows.csv"
	pp-predict -m model-ridge-v1.ppm --only -o "$T/want.csv" "$T/rows.csv"
	p1=$(sed -n 2p "$T/want.csv")
	p2=$(sed -n 3p "$T/want.csv")
	serve_start -m ridge=model-ridge-v1.ppm
	want="{\"model_name\":\"ridge\",\"model_version\":\"1\",\"id\":\"42\",\"outputs\":[{\"name\":\"prediction\",\"shape\":[2],\"datatype\":\"FP64\",\"data\":[$p1,$p2]}]}"
	# The spec's request: id, parameters, inputs, requested outputs.
	run -0 http POST /v2/models/ridge/infer -H 'Content-Type: application/json' -d '{"id":"42","parameters":{"x":1},"inputs":[{"name":"input0","shape":[2,3],"datatype":"FP64","data":[[1.5,2,99],[-0.25,4.125,101]]}],"outputs":[{"name":"prediction"}]}'
	assert_output "$(printf '%s\n200' "$want")"
	run -0 http POST /v2/models/ridge/versions/1/infer -d '{"id":"42","inputs":[{"name":"input0","shape":[2,3],"datatype":"FP64","data":[1.5,2,99,-0.25,4.125,101]}]}'
	assert_output "$(printf '%s\n200' "$want")"
	run -0 http POST /v2/models/ridge/infer -d '{"id":"42","inputs":[{"name":"f3","shape":[2],"datatype":"FP64","data":[99,101]},{"name":"f1","shape":[2],"datatype":"FP64","data":[1.5,-0.25]},{"name":"f2","shape":[2],"datatype":"FP64","data":[2,4.125]}]}'
	assert_output "$(printf '%s\n200' "$want")"
	# Every field the spec requires of an inference response.
	run -0 http POST /v2/models/ridge/infer -d '{"inputs":[{"name":"input0","shape":[1,3],"datatype":"FP64","data":[1,2,3]}]}'
	run -0 python3 -c '
import json, sys
body = json.loads(sys.argv[1].rsplit("\n", 1)[0])
assert set(body) == {"model_name", "model_version", "outputs"}, body
for o in body["outputs"]:
    assert set(o) == {"name", "shape", "datatype", "data"}, o
    assert o["datatype"] == "FP64" and o["shape"] == [len(o["data"])]
print("ok")' "$output"
	assert_output ok
	serve_stop
}

@test "V2 infer on a logistic model answers classes and probabilities" {
	pp-train --no-registry -m logistic -t cls --features f1,f2,f3 -o "$T/l.ppm" train-small.csv
	printf 'f1,f2,f3\n1,2,100\n-1,9,90\n' >"$T/rows.csv"
	pp-predict -m "$T/l.ppm" --only -o "$T/c.csv" "$T/rows.csv"
	pp-predict -m "$T/l.ppm" --only --proba -o "$T/p.csv" "$T/rows.csv"
	serve_start -m "cls=$T/l.ppm"
	run -0 http POST /v2/models/cls/infer -d '{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP64","data":[1,2,100,-1,9,90]}]}'
	assert_output "$(printf '{"model_name":"cls","model_version":"1","outputs":[{"name":"prediction","shape":[2],"datatype":"FP64","data":[%s,%s]},{"name":"probability","shape":[2],"datatype":"FP64","data":[%s,%s]}]}\n200' \
	    "$(sed -n 2p "$T/c.csv")" "$(sed -n 3p "$T/c.csv")" "$(sed -n 2p "$T/p.csv")" "$(sed -n 3p "$T/p.csv")")"
	serve_stop
}

@test "V1 predict: instances as objects or arrays, X-Model-Version on every answer" {
	printf 'f1,f2,f3\n1,2,3\n4,5,6\n' >"$T/rows.csv"
	pp-predict -m model-ridge-v1.ppm --only -o "$T/want.csv" "$T/rows.csv"
	serve_start -m ridge=model-ridge-v1.ppm
	run -0 http POST /v1/models/ridge:predict -d '{"instances":[{"f3":3,"f1":1,"f2":2,"note":"x"},[4,5,6]]}'
	assert_output "$(printf '{"predictions":[%s,%s]}\n200' "$(sed -n 2p "$T/want.csv")" "$(sed -n 3p "$T/want.csv")")"
	run -0 curl -s --max-time 10 -D "$T/h" -o /dev/null -d '{"instances":[[1,2,3]]}' "$URL/v1/models/ridge:predict"
	run -0 grep -i '^x-model-version:' "$T/h"
	assert_output "$(printf 'X-Model-Version: 1\r')"
	run -0 curl -s --max-time 10 -D "$T/h" -o /dev/null -d '{"instances":[[1,2]]}' "$URL/v1/models/ridge:predict"
	run -0 grep -i '^x-model-version:' "$T/h"
	assert_output "$(printf 'X-Model-Version: 1\r')"
	serve_stop
}

@test "bad requests are 400 naming the problem" {
	serve_start -m ridge=model-ridge-v1.ppm
	n=0
	while IFS='|' read -r path body msg; do
		run -0 http POST "$path" -d "$body"
		assert_output "$(printf '{"error":"%s"}\n400' "$msg")"
		n=$((n + 1))
	done <<'END'
/v2/models/ridge/infer|{"inputs":[|malformed JSON: line 1 column 11: ']' expected near end of file
/v2/models/ridge/infer|[]|the body is not a JSON object
/v2/models/ridge/infer|{"instances":[[1,2,3]]}|no \"inputs\" array
/v2/models/ridge/infer|{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP64","data":[1,2]}]}|input \"x\": shape must be [N, 3] (the model's features in order), or one input per feature
/v2/models/ridge/infer|{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP64","data":[1,2,3]}]}|input \"x\": shape [2, 3] but 3 values
/v2/models/ridge/infer|{"inputs":[{"name":"x","shape":[1,3],"datatype":"BYTES","data":["a","b","c"]}]}|input \"x\": \"datatype\" must be FP64
/v2/models/ridge/infer|{"inputs":[{"name":"f1","shape":[1],"datatype":"FP64","data":[1]}]}|no input for feature \"f2\"
/v1/models/ridge:predict|{"instances":[{"f1":1,"f2":2}]}|instance 1: no feature \"f3\"
/v1/models/ridge:predict|{"instances":[[1,"x",3]]}|instance 1: feature \"f2\": not a number
END
	[ "$n" -eq 9 ]
	serve_stop
}

@test "missing values: 400, or null with --allow-nan" {
	serve_start -m ridge=model-ridge-v1.ppm
	run -0 http POST /v1/models/ridge:predict -d '{"instances":[[1,2,3],[1,"Infinity",3]]}'
	assert_output "$(printf '{"error":"instance 2: feature \\"f2\\": missing value (NaN, infinite or null)"}\n400')"
	run -0 http POST /v2/models/ridge/infer -d '{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP64","data":[null,2,3]}]}'
	assert_output "$(printf '{"error":"row 1: feature \\"f1\\": missing value (NaN, infinite or null)"}\n400')"
	serve_stop
	serve_start -m ridge=model-ridge-v1.ppm --allow-nan
	run -0 http POST /v1/models/ridge:predict -d '{"instances":[[1,"NaN",3],[1,"-Infinity",3],[1,null,3]]}'
	assert_output "$(printf '{"predictions":[null,null,null]}\n200')"
	serve_stop
}

@test "unknown paths are 404, the wrong method 405" {
	serve_start -m ridge=model-ridge-v1.ppm
	for p in / /v3 /v2/models /v2/models/ridge/explain /v1/models/ridge /v1/models/ridge:explain /metricsx; do
		run -0 http GET "$p"
		assert_output "$(printf '{"error":"no such endpoint"}\n404')"
	done
	run -0 http GET /v2/models/ridge/infer
	assert_output "$(printf '{"error":"use POST"}\n405')"
	run -0 http POST /v2/health/live -d x
	assert_output "$(printf '{"error":"use GET"}\n405')"
	serve_stop
}

@test "metrics: promtool accepts them and they count requests by code" {
	serve_start -m ridge=model-ridge-v1.ppm
	http POST /v1/models/ridge:predict -d '{"instances":[[1,2,3],[4,5,6]]}' >/dev/null
	http POST /v1/models/ridge:predict -d '{"instances":[[1,2]]}' >/dev/null
	http GET /v2/models/nope >/dev/null
	curl -s --max-time 10 -o "$T/metrics" "$URL/metrics"
	run -0 --separate-stderr promtool check metrics <"$T/metrics"
	run -0 grep -E '^pp_serve_(requests_total|predictions_total|rejected_total|in_flight|model_info)' "$T/metrics"
	assert_output 'pp_serve_requests_total{endpoint="model_metadata",model="",version="",code="404"} 1
pp_serve_requests_total{endpoint="predict",model="ridge",version="1",code="200"} 1
pp_serve_requests_total{endpoint="predict",model="ridge",version="1",code="400"} 1
pp_serve_predictions_total{model="ridge",role="primary"} 2
pp_serve_rejected_total{reason="unauthorized"} 0
pp_serve_rejected_total{reason="body_too_large"} 0
pp_serve_rejected_total{reason="bad_request"} 1
pp_serve_rejected_total{reason="not_found"} 1
pp_serve_model_info{model="ridge",role="primary",version="1",run_id="",kind="ridge"} 1
pp_serve_in_flight 1'
	run -0 grep -c '^pp_serve_request_duration_seconds_bucket{endpoint="predict",' "$T/metrics"
	assert_output 13
	run -0 grep '^pp_serve_request_duration_seconds_count{endpoint="predict"}' "$T/metrics"
	assert_output 'pp_serve_request_duration_seconds_count{endpoint="predict"} 2'
	serve_stop
}

@test "options: usage errors exit 2, load errors exit 1" {
	run -2 --separate-stderr pp-serve
	[ "$stderr" = "pp-serve: no model: give -m REF" ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm extra
	[ "$stderr" = 'pp-serve: unexpected operand "extra"' ]
	run -2 --separate-stderr pp-serve -m
	[ "$stderr" = "pp-serve: option --model needs an argument" ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm --rate 10
	[ "$stderr" = 'pp-serve: --rate: bad value "10": give N/s, N/min or N/h' ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm --burst 5
	[ "$stderr" = "pp-serve: --burst needs --rate" ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm --threads 0
	[ "$stderr" = 'pp-serve: --threads: bad value "0": want a whole number from 1 to 256' ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm --max-body 1X
	[ "$stderr" = 'pp-serve: --max-body: bad value "1X": give bytes, or a number with K, M or G' ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm --reload-every 5m
	[ "$stderr" = 'pp-serve: --reload-every: bad value "5m": give a duration such as 500ms, 10s, 2min' ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm --canary-percent 5
	[ "$stderr" = "pp-serve: --canary-percent needs --canary" ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm --protect-metrics
	[ "$stderr" = "pp-serve: --protect-metrics needs --api-keys" ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm -m model-ridge-v1.ppm
	[ "$stderr" = 'pp-serve: -m: model "model-ridge-v1" given twice: name one with NAME=REF' ]
	run -2 --separate-stderr pp-serve -m a/b=model-ridge-v1.ppm
	[ "$stderr" = "pp-serve: -m: bad model \"a/b=model-ridge-v1.ppm\": give REF or NAME=REF, NAME without '/', ':', quotes or control characters" ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm --listen localhost:80
	[ "$stderr" = 'pp-serve: --listen: bad address "localhost": not an IPv4 address' ]
	run -2 --separate-stderr pp-serve -m model-ridge-v1.ppm --listen 127.0.0.1
	[ "$stderr" = 'pp-serve: --listen: bad address "127.0.0.1": give ADDR:PORT' ]
	run -1 --separate-stderr pp-serve -m "$T/none.ppm"
	[ "$stderr" = "pp-serve: $T/none.ppm: No such file or directory" ]
	run -1 --separate-stderr pp-serve -m train-small.csv
	[ "$stderr" = "pp-serve: train-small.csv: not a model artifact" ]
	run -1 --separate-stderr pp-serve -m models:/nope/1
	[ "$stderr" = "pp-serve: models:/nope/1: $PP_REGISTRY: No such file or directory" ]
	pp-registry init
	run -1 --separate-stderr pp-serve -m models:/nope/1
	[ "$stderr" = 'pp-serve: models:/nope/1: no model "nope"' ]
	[ -z "$output" ]
}

@test "--hash-key prints a key-file line for the key on stdin" {
	run -0 --separate-stderr pp-serve --hash-key alice <<<"s3cret"
	# sha256("s3cret"), from coreutils.
	[ "$output" = "alice $(printf s3cret | sha256sum | cut -d' ' -f1)" ]
	[ "$output" = "alice 1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0" ]
	run -1 --separate-stderr pp-serve --hash-key alice </dev/null
	[ "$stderr" = "pp-serve: <stdin>: no key" ]
	run -2 --separate-stderr pp-serve --hash-key alice -m model-ridge-v1.ppm
	[ "$stderr" = "pp-serve: --hash-key: no -m with it" ]
}
