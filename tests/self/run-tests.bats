#!/usr/bin/env bats
# scripts/run-tests against stand-in suites: a green `make check` must mean
# every suite ran to the end and passed.  Run by `make check` with bats
# directly (not through run-tests, which it judges).
#
# Plan: a stand-in build directory whose tests/test_* are shell scripts
# printing chosen TAP and exiting with a chosen status, and stand-in bats
# files and a stand-in `bats`:
#   a clean suite, with a cmocka skip, passes; the closing line counts
#     passed, failed, skipped
#   a crash after some tests, no output and exit 0, a skip then exit 99,
#     fewer tests than planned, "not ok" with exit 0: each fails, and says why
#   a failing bats test fails; bats missing, or bats failing with no
#     output, fails with a message
#   PP_TESTS naming no file, a missing build directory, an unknown pass
#     and a run with nothing to run fail
#   the :blas pass runs only the numeric suites, with OPENBLAS_CORETYPE
#     set in their processes
#   with PP_JOBS=2 two suites run at once, and are still reported in
#     the order they were listed

load ../helpers/common

setup() {
	common_setup
	B=$T/b
	mkdir -p "$B/tests" "$B/bin"
	ok_bats "$T/ok.bats"
	export PP_TESTS=$T/ok.bats
}

# runner ARGS...: scripts/run-tests in a clean environment (the variables
# and exported functions of the bats running this file would confuse the
# bats it runs), keeping PP_TESTS and PATH but for bats's libexec
# directory (where `bats` is another program).
runner() {
	/usr/bin/env -i PATH="${PATH//"$BATS_LIBEXEC:"/}" HOME="$HOME" \
	    ${PP_TESTS+"PP_TESTS=$PP_TESTS"} ${PP_JOBS+"PP_JOBS=$PP_JOBS"} \
	    scripts/run-tests "$@"
}

# unit NAME SCRIPT: a stand-in cmocka suite running SCRIPT under sh.
unit() {
	printf '#!/bin/sh\n%s\n' "$2" >"$B/tests/$1"
	chmod +x "$B/tests/$1"
}

# ok_bats FILE: a bats file with one passing test.
ok_bats() {
	printf '@test "fine" {\n\ttrue\n}\n' >"$1"
}

# row SUITE P F [S]: the runner's summary line for one suite.
row() {
	printf '%-52s %5d passed %3d failed' "$1" "$2" "$3"
	if [ -n "${4:-}" ]; then
		printf ' %3d skipped' "$4"
	fi
}

@test "a clean run passes and counts passed, failed and skipped" {
	unit test_a 'printf "1..3\nok 1 - x\nok 2 - y\nnot ok 3 - z # SKIP\n"'
	run -0 --separate-stderr runner "$B"
	assert_output "$(row "$B: test_a" 2 0 1)
$(row "$B: ok.bats" 1 0)
3 passed, 0 failed, 1 skipped"
	assert_equal "$stderr" ""
}

@test "a suite killed by a signal fails, naming the signal and the lost tests" {
	unit test_crash 'printf "1..3\nok 1 - x\n"; kill -SEGV $$'
	run -1 --separate-stderr runner "$B"
	assert_line --index 0 "not ok - $B: test_crash: reported 1 of 3 planned tests; killed by signal 11"
	assert_line --index 1 "Segmentation fault"
	assert_line --index 2 "$(row "$B: test_crash" 1 2)"
	assert_line --index 4 "2 passed, 2 failed, 0 skipped"
}

@test "a suite that prints nothing and exits 0 fails" {
	unit test_quiet 'exit 0'
	run -1 --separate-stderr runner "$B"
	assert_line --index 0 "not ok - $B: test_quiet: printed no test plan"
	assert_line --index 1 "$(row "$B: test_quiet" 0 1)"
	assert_line --index 3 "1 passed, 1 failed, 0 skipped"
}

@test "a skip followed by a non-zero exit (ASan's 99) fails" {
	unit test_leak 'printf "1..2\nok 1 - x\nnot ok 2 - y # SKIP\n"; exit 99'
	run -1 --separate-stderr runner "$B"
	assert_line --index 0 "not ok - $B: test_leak: exited with status 99"
	assert_line --index 1 "$(row "$B: test_leak" 1 1 1)"
	assert_line --index 3 "2 passed, 1 failed, 1 skipped"
}

@test "fewer tests than planned, or a failure with exit 0, fails" {
	unit test_short 'printf "1..4\nok 1 - x\n"'
	unit test_liar 'printf "1..1\nnot ok 1 - x\n# boom\n"'
	run -1 --separate-stderr runner "$B"
	assert_output "not ok 1 - x
# boom
$(row "$B: test_liar" 0 1)
not ok - $B: test_short: reported 1 of 4 planned tests
$(row "$B: test_short" 1 3)
$(row "$B: ok.bats" 1 0)
2 passed, 4 failed, 0 skipped"
}

@test "a failing bats test fails the run" {
	printf '@test "broken" {\n\tfalse\n}\n@test "fine" {\n\ttrue\n}\n' >"$T/bad.bats"
	PP_TESTS="$T/bad.bats $T/ok.bats" run -1 --separate-stderr runner "$B"
	assert_line "$(row "$B: bad.bats" 1 1)"
	assert_line --index 5 "2 passed, 1 failed, 0 skipped"
}

@test "bats missing, or bats failing without output, fails with a message" {
	mkdir "$T/path"
	for tool in sh dirname mktemp rm cp mv grep sed head awk cat \
	    xargs sleep; do
		ln -s "$(command -v "$tool")" "$T/path/$tool"
	done
	PATH=$T/path run -1 --separate-stderr runner "$B"
	assert_output "not ok - $B: ok.bats: bats not found (scripts/install-deps installs it)
$(row "$B: ok.bats" 0 1)
0 passed, 1 failed, 0 skipped"
	printf '#!/bin/sh\nexit 1\n' >"$T/path/bats"
	chmod +x "$T/path/bats"
	PATH=$T/path run -1 --separate-stderr runner "$B"
	assert_output "not ok - $B: ok.bats: printed no test plan; exited with status 1
$(row "$B: ok.bats" 0 1)
0 passed, 1 failed, 0 skipped"
}

@test "PP_TESTS naming no file fails" {
	PP_TESTS="$T/t5*.bats" run -1 --separate-stderr runner "$B"
	assert_output "not ok - $B: $T/t5*.bats: no such test file
$(row "$B: $T/t5*.bats" 0 1)
0 passed, 1 failed, 0 skipped"
}

@test "a missing build directory, an unknown pass, nothing to run: each fails" {
	run -1 --separate-stderr runner "$T/nope"
	assert_output "not ok - $T/nope: no such build directory
$(row "$T/nope" 0 1)
0 passed, 1 failed, 0 skipped"
	run -1 --separate-stderr runner "$B:fast"
	assert_line --index 0 "not ok - $B:fast: unknown pass (BUILD_DIR, BUILD_DIR:pg or BUILD_DIR:blas)"
	run -1 --separate-stderr runner
	assert_output "not ok - run-tests: no test ran
0 passed, 1 failed, 0 skipped"
}

@test "the :blas pass runs the numeric suites with OPENBLAS_CORETYPE set" {
	# The caller's own setting, if any (some machines export one).
	local before=${OPENBLAS_CORETYPE-unset}
	unit test_linear 'echo 1..1; if [ -n "$OPENBLAS_CORETYPE" ]; then echo "ok 1 - $OPENBLAS_CORETYPE"; else echo "not ok 1 - unset"; fi'
	unit test_csv 'echo "1..1"; echo "not ok 1 - must not run"'
	printf '@test "core" {\n\t[ -n "$OPENBLAS_CORETYPE" ]\n}\n' >"$T/core.bats"
	export PP_TESTS=$T/core.bats
	run --separate-stderr runner "$B:blas"
	if [ "${lines[0]}" = "ok - $B: no second OpenBLAS kernel to try here # skip" ]; then
		skip "OpenBLAS has one kernel here"
	fi
	assert_success
	assert_line --index 0 --regexp "^$B\\[(Prescott|Haswell)\\]: test_linear +1 passed +0 failed$"
	assert_line --index 1 --regexp "^$B\\[(Prescott|Haswell)\\]: core.bats +1 passed +0 failed$"
	assert_line --index 2 "2 passed, 0 failed, 0 skipped"
	# set for the suites, not here
	[ "${OPENBLAS_CORETYPE-unset}" = "$before" ]
}

@test "PP_JOBS=2 runs two suites at once and reports them in order" {
	# test_a passes only if test_b runs while it waits (5 s at most).
	unit test_a "i=0
while [ ! -f '$T/flag' ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
echo 1..1
if [ -f '$T/flag' ]; then echo 'ok 1 - b ran meanwhile'; else echo 'not ok 1 - alone'; fi"
	unit test_b "touch '$T/flag'; printf '1..1\\nok 1 - b\\n'"
	PP_JOBS=2 run -0 --separate-stderr runner "$B"
	assert_output "$(row "$B: test_a" 1 0)
$(row "$B: test_b" 1 0)
$(row "$B: ok.bats" 1 0)
3 passed, 0 failed, 0 skipped"
}
