#!/usr/bin/env bats
# t0290: the threaded programs when something else happens at once: a
# log reopened under load, a fatal row while the workers run.  Most of
# these races show only under ThreadSanitizer (make tsan, where a race
# fails the program with status 66); here they are also checked for what
# a user sees.
#
# Plan:
#   pp-serve, access and prediction logs rotated (mv, SIGHUP) ten times
#     while two clients send requests: every request is in one of the
#     access logs, every prediction in one of the prediction logs, each
#     of them a frame; exit 0
#   pp-features --threads 3, a fatal row deep in the input, five times:
#     each run stops with the message of one thread, exit 1

load helpers/common
load helpers/serve

setup() {
	common_setup
	PID=
}

teardown() {
	serve_teardown
}

@test "pp-serve: logs reopened ten times under load lose no request" {
	serve_start --threads 2 -m ridge=testdata/model-ridge-v1.ppm \
	    --reload-every 0 --access-log "$T/a.log" --log-predictions "$T/p.csv"
	curl -s --max-time 120 -o /dev/null \
	    "$URL/v2/health/live?[1-400]" 3>&- &
	live=$!
	curl -s --max-time 120 -o /dev/null -d '{"instances":[[1,2,3]]}' \
	    "$URL/v1/models/ridge:predict?[1-200]" 3>&- &
	pred=$!
	for i in $(seq 10); do
		sleep 0.05
		mv "$T/a.log" "$T/a.log.$i"
		mv "$T/p.csv" "$T/p.csv.$i"
		kill -HUP "$PID"
		# The next rotation once this one is done (signals merge).
		for _ in $(seq 200); do
			[ -e "$T/a.log" ] && [ -e "$T/p.csv" ] && break
			sleep 0.05
		done
	done
	wait "$live"
	wait "$pred"
	serve_stop
	assert_equal "$STATUS" 0
	cat "$T"/a.log* >"$T/all.log"
	run -0 grep -c '"endpoint":"health_live"' "$T/all.log"
	assert_output 400
	run -0 grep -c '"endpoint":"predict"' "$T/all.log"
	assert_output 200
	n=0
	for f in "$T"/p.csv*; do
		run -0 pp cat --select prediction -o "$T/rows" "$f"
		n=$((n + $(wc -l < "$T/rows") - 1))
	done
	assert_equal "$n" 200
}
