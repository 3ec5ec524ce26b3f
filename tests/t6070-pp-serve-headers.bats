#!/usr/bin/env bats
# t6070: how much header a request may carry (a connection's memory).
#
# Plan:
#   fits     a request whose headers come to 15 KB is answered
#   431      past 16 KB of headers: 431, the connection is closed, and
#            the next request is served
#   414      a request target past 16 KB: 414

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/serve'

setup() {
	cd "$BATS_TEST_DIRNAME/../testdata"
	export PP_REGISTRY="$BATS_TEST_TMPDIR/pp.db"
	PID=
	BODY='{"instances":[[1,2,3]]}'
	serve_start -m r=model-ridge-v1.ppm
}

teardown() {
	serve_teardown
}

# pad N: N letters, for a header value or a query string.
pad() {
	head -c "$1" /dev/zero | tr '\0' a
}

@test "a request with 15 KB of headers is answered" {
	run -0 http POST /v1/models/r:predict -H "X-Pad: $(pad 15000)" -d "$BODY"
	assert_line --index 1 200
	assert_line --index 0 --regexp '^\{"predictions":\[[-0-9]'
}

@test "past 16 KB of headers: 431, and the server goes on" {
	run -0 http POST /v1/models/r:predict -H "X-Pad: $(pad 17000)" -d "$BODY"
	assert_line --index 1 431
	run -0 http POST /v1/models/r:predict -d "$BODY"
	assert_line --index 1 200
}

@test "a request target past 16 KB: 414" {
	run -0 http GET "/v2/health/live?$(pad 17000)"
	assert_line --index 1 414
	run -0 http GET "/v2/health/live?$(pad 15000)"
	assert_output "$(printf '{"live":true}\n200')"
}
