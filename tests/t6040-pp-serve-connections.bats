#!/usr/bin/env bats
# t6040: how pp-serve spreads connections over its threads.
#
# Plan:
#   limit    --max-connections is the total over every thread: with two
#            threads and a limit of 2, one idle connection held leaves
#            room (the next goes to the other thread and is answered);
#            two held, a third waits unanswered; released, it is served
#   spread   many keep-alive connections at once over two threads are
#            all answered, and SIGTERM still drains and exits 0 with
#            connections open

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
	for p in ${h1:-} ${h2:-} ${HOLD:-}; do
		kill "$p" 2>/dev/null || true
	done
}

# pending: the connections to $PORT the kernel has completed and the
# server not yet accepted (the accept queue of its listening sockets,
# rx_queue of state 0A in /proc/net/tcp*).
pending() {
	local port n=0 sl local_ rem st queues rest
	port=$(printf '%04X' "$PORT")
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		while read -r sl local_ rem st queues rest; do
			if [ "$st" = 0A ] && [ "${local_##*:}" = "$port" ]; then
				n=$((n + 16#${queues#*:}))
			fi
		done <"$f"
	done
	echo "$n"
}

# hold_idle N SECONDS FILE: N idle connections in the background; waits
# until they are open and the server has accepted them (a connect returns
# before the server accepts: on a loaded machine a later connection could
# be accepted first and take the place).  Sets HOLD.
hold_idle() {
	python3 "$RAW" hold "$PORT" "$1" "$2" >"$3" 3>&- &
	HOLD=$!
	for _ in $(seq 50); do
		[ -s "$3" ] && break
		sleep 0.1
	done
	for _ in $(seq 100); do
		[ "$(pending)" -eq 0 ] && break
		sleep 0.1
	done
	sleep 0.2
}

@test "--max-connections is the total over every thread" {
	serve_start -m r=model-ridge-v1.ppm --max-connections 2 --threads 2
	# Held until killed: a hold timed to end after the check could end
	# before it on a loaded machine, and free a place too soon.
	hold_idle 1 60 "$T/held1"
	h1=$HOLD
	run -0 http GET /v2/health/live
	assert_output "$(printf '{"live":true}\n200')"
	hold_idle 1 60 "$T/held2"
	h2=$HOLD
	run -28 curl -s --max-time 1 "$URL/v2/health/live"
	kill "$h1" "$h2"
	wait "$h1" "$h2" || true
	run -0 http GET /v2/health/live
	assert_output "$(printf '{"live":true}\n200')"
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "many keep-alive connections over two threads are all answered" {
	serve_start -m r=model-ridge-v1.ppm --threads 2
	hold_idle 3 30 "$T/held"
	# One curl, 16 requests over its kept-alive connections, in parallel
	# (--next: each its own body, not all bodies joined).
	args=()
	for i in $(seq 16); do
		if [ "$i" -gt 1 ]; then args+=(--next); fi
		args+=(-s -X POST -d "$BODY" -o /dev/null -w '%{http_code}\n'
		    "$URL/v1/models/r:predict")
	done
	run -0 curl -s --max-time 20 --parallel --parallel-max 8 "${args[@]}"
	assert_equal "$(printf '%s\n' "$output" | grep -c '^200$')" 16
	serve_stop
	[ "$STATUS" -eq 0 ]
	kill "$HOLD" 2>/dev/null || true
	wait "$HOLD" 2>/dev/null || true
}
