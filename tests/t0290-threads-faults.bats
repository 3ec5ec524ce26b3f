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
#   pp-features --threads 3, a fatal row in the last batches (read to the
#     end before it is written), five times: each run stops with the
#     message of one thread, exit 1
#   no thread to be had: pthread_create failing from its Nth call on
#     (tests/helpers/nothread.so), for every N a clean run reaches, in
#     pp-features --threads 4 (writer, engine and CSV reader threads) and
#     pp cat --threads 4: exit 0, nothing on stderr, the bytes of one
#     thread
#   a reader that closes the pipe early: pp-features --threads 3 and pp
#     cat --threads 3 exit 0 at once, silent, as with one thread

load helpers/common
load helpers/serve

setup() {
	common_setup
	PID=
	S=testdata/features-spec.txt
	TG=(-t 'y5=lead(close,5)/close-1')
}

# inputs: $T/inter.csv, 40 symbols x 300 days by date (12,000 rows: more
# than a CSV block, more batches than the engine's ring).
inputs() {
	local syms
	syms=$(seq -f 'S%02g' 0 39 | paste -sd, -)
	run -0 pp-fetch synth --symbols "$syms" --start 2020-01-01 \
	    --end 2021-02-25 --seed 3 -o "$T/grouped.csv"
	run -0 pp sort --by date,symbol -o "$T/inter.csv" "$T/grouped.csv"
}

# nothread N CMD...: CMD with pthread_create failing from its Nth call on
# (0: never), its calls counted into $T/calls.
nothread() {
	local n=$1
	shift
	rm -f "$T/calls"
	LD_PRELOAD="$PP_BUILD/tests/helpers/nothread.so" PP_NOTHREAD=$n \
	    PP_NOTHREAD_COUNT="$T/calls" \
	    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    "$@"
}

# degrades OUT CMD...: CMD -o OUT, run with 1, 2 ... every pthread_create
# a clean run makes failing, exits 0, says nothing and writes $T/one.out.
degrades() {
	local out=$1 n k
	shift
	run -0 --separate-stderr nothread 0 "$@" -o "$out"
	k=$(cat "$T/calls")
	[ "$k" -ge 3 ] || fail "$*: only $k threads asked for"
	for n in $(seq "$k"); do
		run -0 --separate-stderr nothread "$n" "$@" -o "$out"
		[ -z "$stderr" ] || fail "thread $n of $k fails: stderr: $stderr"
		cmp "$T/one.out" "$out" || fail "thread $n of $k fails: $*"
	done
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

@test "pp-features --threads 3: a fatal row, five times, the stop of one thread" {
	inputs
	# Near the end: the input is all read (the workers told there is no
	# more) before the bad row's batch is written and stops them.
	awk -F, -v OFS=, 'NR == 11000 { $2 = "2019-06-03" } 1' "$T/inter.csv" >"$T/bad.csv"
	run -1 --separate-stderr pp-features --threads 1 -F $S "${TG[@]}" -o "$T/one.csv" "$T/bad.csv"
	want=$stderr
	[[ "$want" == "pp-features: $T/bad.csv:11000: symbol "* ]] || fail "message: $want"
	for _ in 1 2 3 4 5; do
		run -1 --separate-stderr pp-features --threads 3 -F $S "${TG[@]}" -o "$T/many.csv" "$T/bad.csv"
		assert_equal "$stderr" "$want"
	done
}

@test "no thread to be had: pp-features --threads 4, the bytes of one thread" {
	inputs
	run -0 pp-features --threads 1 -F $S "${TG[@]}" -o "$T/one.out" "$T/inter.csv"
	degrades "$T/many.out" pp-features --threads 4 -F $S "${TG[@]}" "$T/inter.csv"
}

@test "no thread to be had: pp cat --threads 4, the bytes of one thread" {
	inputs
	run -0 pp cat --threads 1 -o "$T/one.out" "$T/inter.csv"
	degrades "$T/many.out" pp cat --threads 4 "$T/inter.csv"
}

@test "a reader that closes the pipe early: exit 0 at once with threads" {
	inputs
	# SIGPIPE ends the program on the spot, threads and all: under
	# ThreadSanitizer that is no leak of threads.
	export TSAN_OPTIONS=${TSAN_OPTIONS:+$TSAN_OPTIONS:}report_thread_leaks=0
	for cmd in "pp-features --threads 3 -F $S" "pp cat --threads 3"; do
		run -0 --separate-stderr timeout 60 bash -c \
		    "$cmd \"\$1\" | head -c 100 >/dev/null; exit \"\${PIPESTATUS[0]}\"" \
		    _ "$T/inter.csv"
		assert_equal "$stderr" ""
	done
}
