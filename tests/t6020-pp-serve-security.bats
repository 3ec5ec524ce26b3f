#!/usr/bin/env bats
# t6020: pp-serve against clients that misbehave.
#
# Plan:
#   keys         401 without a key or with a wrong one; Bearer and
#                X-API-Key both work; health and metrics stay open unless
#                --protect-metrics; a bad key file is an error at start
#   rate         past the burst, 429 with Retry-After; keys and addresses
#                have buckets of their own; health is never limited
#   body         a body over --max-body is 413, with or without a
#                Content-Length; an endless one is cut off; the server
#                goes on serving
#   slowloris    a client that stalls mid-request is cut off after
#                --timeout while others are served
#   connections  past --max-connections a new connection gets no answer
#   garbage      random bytes as bodies are 400s, never a crash

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
	BODY='{"instances":[[1,2,3]]}'
}

teardown() {
	serve_teardown
}

@test "API keys: 401 without a valid one, Bearer or X-API-Key" {
	pp-serve --hash-key alice <<<"alice-key" >"$T/keys"
	serve_start -m r=model-ridge-v1.ppm --api-keys "$T/keys"
	run -0 http POST /v1/models/r:predict -d "$BODY"
	assert_output "$(printf '{"error":"an API key is needed: Authorization: Bearer KEY or X-API-Key: KEY"}\n401')"
	run -0 http POST /v1/models/r:predict -d "$BODY" -H 'X-API-Key: alice-ke'
	assert_output "$(printf '{"error":"unknown API key"}\n401')"
	run -0 http GET /v2/models/r -H 'Authorization: Bearer nope'
	assert_output "$(printf '{"error":"unknown API key"}\n401')"
	run -0 http POST /v1/models/r:predict -d "$BODY" -H 'Authorization: Bearer alice-key'
	assert_line --index 1 200
	run -0 http POST /v1/models/r:predict -d "$BODY" -H 'X-API-Key: alice-key'
	assert_line --index 1 200
	run -0 http GET /v2/health/ready
	assert_line --index 1 200
	run -0 http GET /metrics
	assert_line --index -1 200
	run -0 curl -s --max-time 5 -D - -o /dev/null "$URL/v2"
	assert_line --partial 'WWW-Authenticate: Bearer'
	serve_stop
	serve_start -m r=model-ridge-v1.ppm --api-keys "$T/keys" --protect-metrics
	run -0 http GET /metrics
	assert_line --index 1 401
	run -0 http GET /metrics -H 'X-API-Key: alice-key'
	assert_line --index -1 200
	run -0 http GET /v2/health/live
	assert_line --index 1 200
	serve_stop
	printf 'alice 123\n' >"$T/bad"
	run -1 --separate-stderr pp-serve -m model-ridge-v1.ppm --api-keys "$T/bad"
	[ "$stderr" = "pp-serve: $T/bad:1: key \"alice\": not 64 lowercase hex digits" ]
	run -1 --separate-stderr pp-serve -m model-ridge-v1.ppm --api-keys "$T/none"
	[ "$stderr" = "pp-serve: $T/none: No such file or directory" ]
}

@test "rate limit: 429 with Retry-After past the burst, a bucket per key" {
	pp-serve --hash-key a <<<"ka" >"$T/keys"
	pp-serve --hash-key b <<<"kb" >>"$T/keys"
	serve_start -m r=model-ridge-v1.ppm --api-keys "$T/keys" --rate 30/min --burst 2
	run -0 curl -s --max-time 10 -H 'X-API-Key: ka' -d "$BODY" -o /dev/null -w '%{http_code}\n' "$URL/v1/models/r:predict?[1-4]"
	assert_output "$(printf '200\n200\n429\n429')"
	run -0 curl -s --max-time 10 -H 'X-API-Key: ka' -d "$BODY" -D - "$URL/v1/models/r:predict"
	assert_line --partial 'HTTP/1.1 429'
	assert_line "$(printf 'Retry-After: 2\r')"
	assert_line --index -1 '{"error":"rate limit: retry in 2 s"}'
	run -0 curl -s --max-time 10 -H 'X-API-Key: kb' -d "$BODY" -o /dev/null -w '%{http_code}\n' "$URL/v1/models/r:predict?[1-3]"
	assert_output "$(printf '200\n200\n429')"
	run -0 curl -s --max-time 10 -o /dev/null -w '%{http_code}\n' "$URL/v2/health/ready?[1-5]"
	assert_output "$(printf '200\n200\n200\n200\n200')"
	run -0 grep '^pp_serve_rate_limited_total' <(curl -s --max-time 5 "$URL/metrics")
	assert_output 'pp_serve_rate_limited_total 4'
	serve_stop
	# Without keys, by address.
	serve_start -m r=model-ridge-v1.ppm --rate 1/s
	run -0 curl -s --max-time 10 -d "$BODY" -o /dev/null -w '%{http_code}\n' "$URL/v1/models/r:predict?[1-2]"
	assert_output "$(printf '200\n429')"
	serve_stop
}

@test "a body over --max-body is 413, with or without Content-Length" {
	serve_start -m r=model-ridge-v1.ppm --max-body 64
	big='{"instances":[[1,2,3],[1,2,3],[1,2,3],[1,2,3],[1,2,3],[1,2,3],[1,2,3]]}'
	run -0 http POST /v1/models/r:predict -d "$big"
	assert_output "$(printf '{"error":"the body is larger than 64 bytes (--max-body)"}\n413')"
	run -0 http POST /v1/models/r:predict -H 'Transfer-Encoding: chunked' -d "$big"
	assert_output "$(printf '{"error":"the body is larger than 64 bytes (--max-body)"}\n413')"
	# An endless body is cut off, not read for ever: curl sees the 413
	# or the closed connection, well before its own 10 s limit.
	run curl -s --max-time 10 -o /dev/null -w '%{http_code}' -X POST -T /dev/zero "$URL/v1/models/r:predict"
	[ "$status" -ne 28 ]
	run -0 http POST /v1/models/r:predict -d "$BODY"
	assert_line --index 1 200
	run -0 grep 'reason="body_too_large"' <(curl -s --max-time 5 "$URL/metrics")
	assert_output 'pp_serve_rejected_total{reason="body_too_large"} 3'
	serve_stop
}

@test "slowloris: a stalled client is cut off after --timeout, others are served" {
	serve_start -m r=model-ridge-v1.ppm --timeout 1
	python3 "$RAW" stall "$PORT" >"$T/stall.out" 3>&- &
	stall=$!
	for _ in 1 2 3 4 5; do
		run -0 http POST /v1/models/r:predict -d "$BODY"
		assert_line --index 1 200
		sleep 0.2
	done
	wait "$stall"
	run -0 cat "$T/stall.out"
	assert_output --regexp '^closed [12]$'
	serve_stop
}

@test "past --max-connections a new connection gets no answer" {
	serve_start -m r=model-ridge-v1.ppm --max-connections 2 --threads 1
	python3 "$RAW" hold "$PORT" 2 3 >"$T/held" 3>&- &
	hold=$!
	for _ in $(seq 50); do
		[ -s "$T/held" ] && break
		sleep 0.1
	done
	sleep 0.2
	run -28 curl -s --max-time 1 "$URL/v2/health/live"
	wait "$hold"
	run -0 http GET /v2/health/live
	assert_output "$(printf '{"live":true}\n200')"
	serve_stop
}

@test "random bytes as bodies are 400s, never a crash" {
	serve_start -m r=model-ridge-v1.ppm
	python3 -c '
import random
r = random.Random(7)
for i in range(40):
    n = r.randrange(1, 300)
    open("%s/g%d" % ("'"$T"'", i), "wb").write(bytes(r.randrange(256) for _ in range(n)))
'
	for i in $(seq 0 39); do
		run -0 curl -s --max-time 5 -o /dev/null -w '%{http_code}' --data-binary "@$T/g$i" "$URL/v2/models/r/infer"
		assert_output 400
		run -0 curl -s --max-time 5 -o /dev/null -w '%{http_code}' --data-binary "@$T/g$i" "$URL/v1/models/r:predict"
		assert_output 400
	done
	run -0 http GET /v2/health/live
	assert_line --index 1 200
	serve_stop
	[ "$STATUS" -eq 0 ]
}
