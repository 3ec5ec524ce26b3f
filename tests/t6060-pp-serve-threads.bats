#!/usr/bin/env bats
# t6060: how many worker threads pp-serve starts.
#
# Plan:
#   default  without --threads, one worker per processor pp-serve may
#            use: on one CPU (taskset, the first this shell may use) it
#            runs one thread fewer than with --threads 2, and answers
#   given    --threads N is obeyed whatever the affinity: --threads 3 on
#            one CPU runs one thread more than --threads 2
#
# The threads are counted in /proc/PID/task, so each test compares two
# servers on the same machine rather than trusting a total.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/serve'

setup() {
	command -v taskset >/dev/null || skip "taskset is not installed"
	cd "$BATS_TEST_DIRNAME/../testdata"
	export PP_REGISTRY="$BATS_TEST_TMPDIR/pp.db"
	PID=
	# pp-serve on one CPU only: a wrapper first on PATH, which
	# serve_start runs (exec keeps the PID serve_start waits on).
	CPU=$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')
	mkdir "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\nexec taskset -c %s %s "$@"\n' "$CPU" \
	    "$(command -v pp-serve)" >"$BATS_TEST_TMPDIR/bin/pp-serve"
	chmod +x "$BATS_TEST_TMPDIR/bin/pp-serve"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH
}

teardown() {
	serve_teardown
}

# threads_of ARGS...: start pp-serve on CPU $CPU with ARGS, check it
# answers and runs on that CPU alone, set N to its thread count, stop it.
threads_of() {
	serve_start -m r=model-ridge-v1.ppm "$@"
	run -0 taskset -pc "$PID"
	assert_output --regexp ": $CPU\$"
	run -0 http GET /v2/health/ready
	assert_line --index 1 200
	N=$(ls "/proc/$PID/task" | wc -l)
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "without --threads, one worker per processor it may use" {
	threads_of
	default=$N
	threads_of --threads 2
	[ "$N" -eq $((default + 1)) ]
}

@test "--threads N is obeyed on fewer processors" {
	threads_of --threads 2
	two=$N
	threads_of --threads 3
	[ "$N" -eq $((two + 1)) ]
}
