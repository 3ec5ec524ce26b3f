#!/usr/bin/env bats
# t6010: pp-serve's models over time: reloads, drains, canaries, logs.
#
# Plan:
#   reload       an alias moved with pp-registry is picked up by the poll,
#                and a load running through the swap sees only 200s and
#                both versions; SIGHUP reloads at once
#   failed       a model file that breaks keeps the old version serving,
#                ready, and counts the failure
#   drain        SIGTERM: no new connections, the request in flight gets
#                its answer, exit 0; past --drain-timeout it is cut off,
#                still exit 0, and stderr says so
#   canary       the split without keys is exact over 100 requests;
#                with keys every key keeps its version; the version path
#                reaches the canary; metadata lists both versions; a canary
#                with other features is refused
#   logs         --log-predictions writes a frame pp cat reads, primary and
#                shadow rows, reopened (with a header) on SIGHUP;
#                --access-log writes one JSON object per request

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/serve'

setup() {
	cd "$BATS_TEST_DIRNAME/../testdata"
	export PP_REGISTRY="$BATS_TEST_TMPDIR/pp.db"
	T=$BATS_TEST_TMPDIR
	PID=
	RAW="$BATS_TEST_DIRNAME/helpers/rawhttp.py"
}

teardown() {
	serve_teardown
}

# Two versions of "daily" that predict differently; champion -> 1.
two_versions() {
	pp-train -q -m ridge -t y --features f1,f2,f3 --alpha 1 --register daily -o /dev/null train-small.csv
	pp-train -q -m ridge -t y --features f1,f2,f3 --alpha 1000 --register daily -o /dev/null train-small.csv
	pp-registry alias daily champion 1
}

# Wait (at most 5 s) until the model answers with version $1.
wait_version() {
	for _ in $(seq 50); do
		v=$(curl -s --max-time 2 -D - -o /dev/null "$URL/v2/models/daily" | tr -d '\r' | sed -n 's/^X-Model-Version: //p')
		[ "$v" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

@test "an alias move is picked up while a load runs, with no failed request" {
	two_versions
	serve_start -m models:/daily@champion --reload-every 100ms --threads 2
	# A bounded load: batches of 50 keep-alive requests until told to stop.
	(
		for _ in $(seq 100); do
			[ -e "$T/stop" ] && break
			curl -s --max-time 10 -d '{"instances":[[1,2,3]]}' -o /dev/null \
			    -w '%{http_code} %header{x-model-version}\n' \
			    "$URL/v1/models/daily:predict?[1-50]" >>"$T/codes"
		done
	) 3>&- &
	load=$!
	sleep 0.3
	pp-registry alias daily champion 2
	wait_version 2
	sleep 0.3
	touch "$T/stop"
	wait "$load"
	run -0 sort -u "$T/codes"
	assert_output "$(printf '200 1\n200 2')"
	run -0 grep -c . "$T/codes"
	[ "$output" -ge 100 ]
	run -0 grep -E '^pp_serve_(reloads|reload_failures)_total' <(curl -s --max-time 5 "$URL/metrics")
	assert_output 'pp_serve_reloads_total{model="daily",role="primary"} 1
pp_serve_reload_failures_total{model="daily",role="primary"} 0'
	serve_stop
	[ "$STATUS" -eq 0 ]
	run -0 cat "$SERR"
	assert_line --index 1 "pp-serve: 1 model version swapped in"
}

@test "SIGHUP reloads at once, without waiting for the poll" {
	two_versions
	serve_start -m models:/daily@champion --reload-every 0
	pp-registry alias daily champion 2
	sleep 0.3
	wait_version 1
	kill -HUP "$PID"
	wait_version 2
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "a model that fails to load keeps the old one serving, and is counted" {
	cp model-ridge-v1.ppm "$T/m.ppm"
	serve_start -m "m=$T/m.ppm"
	run -0 http POST /v1/models/m:predict -d '{"instances":[[1,2,3]]}'
	before=$output
	printf 'garbage' >"$T/m.ppm"
	kill -HUP "$PID"
	for _ in $(seq 50); do
		grep -q reload "$SERR" && break
		sleep 0.1
	done
	run -0 tail -n 1 "$SERR"
	assert_output "pp-serve: reload \"m\": $T/m.ppm: not a model artifact"
	run -0 http POST /v1/models/m:predict -d '{"instances":[[1,2,3]]}'
	assert_output "$before"
	run -0 http GET /v2/health/ready
	assert_output "$(printf '{"ready":true}\n200')"
	run -0 grep '^pp_serve_reload_failures_total' <(curl -s --max-time 5 "$URL/metrics")
	assert_output 'pp_serve_reload_failures_total{model="m",role="primary"} 1'
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "SIGTERM drains: no new connections, the request in flight is answered, exit 0" {
	serve_start -m ridge=model-ridge-v1.ppm
	python3 "$RAW" slow "$PORT" /v1/models/ridge:predict '{"instances":[[1,2,3]]}' "$T/go" >"$T/slow.out" 3>&- &
	slow=$!
	for _ in $(seq 50); do
		curl -s --max-time 2 "$URL/metrics" | grep -q '^pp_serve_in_flight 2$' && break
		sleep 0.1
	done
	kill -TERM "$PID"
	sleep 0.3
	run -7 curl -s --max-time 5 "$URL/v2/health/live"
	touch "$T/go"
	wait "$slow"
	run -0 cat "$T/slow.out"
	assert_output "HTTP/1.1 200 OK"
	STATUS=0
	wait "$PID" || STATUS=$?
	PID=
	[ "$STATUS" -eq 0 ]
}

@test "SIGTERM past --drain-timeout cuts the request off and still exits 0" {
	serve_start -m ridge=model-ridge-v1.ppm --drain-timeout 300ms
	python3 "$RAW" slow "$PORT" /v1/models/ridge:predict '{"instances":[[1,2,3]]}' "$T/never" >"$T/slow.out" 3>&- &
	slow=$!
	for _ in $(seq 50); do
		curl -s --max-time 2 "$URL/metrics" | grep -q '^pp_serve_in_flight 2$' && break
		sleep 0.1
	done
	serve_stop
	[ "$STATUS" -eq 0 ]
	run -0 tail -n 1 "$SERR"
	assert_output "pp-serve: warning: drain timeout: 1 request cut off"
	touch "$T/never"
	wait "$slow" || true
}

@test "canary: an exact split without keys, sticky with keys, reachable by version" {
	two_versions
	pp-serve --hash-key alice <<<"ka" >"$T/keys"
	pp-serve --hash-key bob <<<"kb" >>"$T/keys"
	pp-serve --hash-key carol <<<"kc" >>"$T/keys"
	serve_start -m models:/daily@champion --canary models:/daily/2 --canary-percent 25
	curl -s --max-time 20 -d '{"instances":[[1,2,3]]}' -o /dev/null \
	    -w '%header{x-model-version}\n' "$URL/v1/models/daily:predict?[1-400]" >"$T/v"
	run -0 grep -c '^2$' "$T/v"
	assert_output 100
	run -0 grep -c '^1$' "$T/v"
	assert_output 300
	run -0 http GET /v2/models/daily/versions/2/ready
	assert_output "$(printf '{"name":"daily","ready":true}\n200')"
	run -0 http POST /v2/models/daily/versions/2/infer -d '{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP64","data":[1,2,3]}]}'
	assert_line --index 0 --partial '"model_version":"2"'
	run -0 http GET /v2/models/daily
	assert_line --index 0 --partial '"versions":["1","2"]'
	serve_stop
	# With keys, each key's requests all go to one version.
	serve_start -m models:/daily@champion --canary models:/daily/2 --canary-percent 50 --api-keys "$T/keys"
	for k in ka kb kc; do
		curl -s --max-time 20 -H "X-API-Key: $k" -d '{"instances":[[1,2,3]]}' -o /dev/null \
		    -w '%header{x-model-version}\n' "$URL/v1/models/daily:predict?[1-20]" >"$T/$k"
		run -0 sort -u "$T/$k"
		[ "${#lines[@]}" -eq 1 ]
	done
	serve_stop
}

@test "a canary with other features is refused" {
	pp-train -q --no-registry -m ridge -t y --features f1,f2 -o "$T/two.ppm" train-small.csv
	run -1 --separate-stderr pp-serve -m model-ridge-v1.ppm --canary "$T/two.ppm"
	[ "$stderr" = "pp-serve: --canary: 2 features, the primary model has 3" ]
	run -1 --separate-stderr pp-serve -m model-ridge-v1.ppm --shadow "$T/two.ppm"
	[ "$stderr" = "pp-serve: --shadow: 2 features, the primary model has 3" ]
}

@test "--log-predictions writes a frame pp cat reads, reopened on SIGHUP" {
	pp-train -q --no-registry -m ols -t y --features f1,f2,f3 -o "$T/ols.ppm" train-small.csv
	serve_start -m ridge=model-ridge-v1.ppm --shadow "$T/ols.ppm" --log-predictions "$T/p.csv" --access-log "$T/access.log"
	run -0 http POST /v1/models/ridge:predict -d '{"instances":[[1,2,3],[4,5,6]]}'
	mv "$T/p.csv" "$T/p.csv.1"
	kill -HUP "$PID"
	sleep 0.3
	run -0 http POST /v2/models/ridge/infer -d '{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP64","data":[7,8,9]}]}'
	serve_stop
	printf 'f1,f2,f3\n1,2,3\n4,5,6\n7,8,9\n' >"$T/rows.csv"
	pp-predict -m model-ridge-v1.ppm --only -o "$T/r.csv" "$T/rows.csv"
	pp-predict -m "$T/ols.ppm" --only -o "$T/o.csv" "$T/rows.csv"
	run -0 --separate-stderr pp cat "$T/p.csv.1"
	[ "${#lines[@]}" -eq 5 ]
	assert_line --index 0 "time,model,version,role,f1,f2,f3,prediction"
	run -0 cut -d, -f2- <(printf '%s\n' "${lines[@]}")
	assert_output "model,version,role,f1,f2,f3,prediction
ridge,1,primary,1,2,3,$(sed -n 2p "$T/r.csv")
ridge,1,primary,4,5,6,$(sed -n 3p "$T/r.csv")
ridge,shadow,shadow,1,2,3,$(sed -n 2p "$T/o.csv")
ridge,shadow,shadow,4,5,6,$(sed -n 3p "$T/o.csv")"
	run -0 --separate-stderr pp cat "$T/p.csv"
	run -0 cut -d, -f2- <(printf '%s\n' "${lines[@]}")
	assert_output "model,version,role,f1,f2,f3,prediction
ridge,1,primary,7,8,9,$(sed -n 4p "$T/r.csv")
ridge,shadow,shadow,7,8,9,$(sed -n 4p "$T/o.csv")"
	run -0 cut -d, -f1 "$T/p.csv"
	assert_line --index 1 --regexp '^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?Z$'
	run -0 python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["method"], r["path"], r["status"], r["endpoint"], r.get("model"), r.get("version"), r["seconds"] >= 0)' "$T/access.log"
	assert_output "POST /v1/models/ridge:predict 200 predict ridge 1 True
POST /v2/models/ridge/infer 200 infer ridge 1 True"
}
