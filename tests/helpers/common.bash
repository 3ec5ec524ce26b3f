# tests/helpers/common.bash: what every bats file shares.  Each file
# starts with
#	load helpers/common
# and its setup() calls common_setup first (tests/self/ loads ../helpers/common).

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

# The top of the source tree, wherever the bats file is.
PP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# common_setup: run from the top of the tree (testdata/ and man/ are
# relative paths), temp files under $T, removed by bats after each test.
common_setup() {
	cd "$PP_TOP" || return 1
	T=$BATS_TEST_TMPDIR
}

# assert_close ACTUAL EXPECTED [RTOL]: two numbers agree to a relative
# tolerance (default 1e-9; absolute for |EXPECTED| < 1).  For numbers that
# come out of BLAS/LAPACK, whose last digits depend on the CPU's kernels.
assert_close() {
	python3 "$PP_TOP/tests/helpers/numdiff.py" --rtol "${3:-1e-9}" \
	    <(printf '%s\n' "$2") <(printf '%s\n' "$1") ||
	    fail "assert_close: $1 is not $2 to ${3:-1e-9}"
}

# assert_output_close EXPECTED [RTOL]: $output is EXPECTED, word for word,
# except that numbers need only agree to RTOL (as assert_close).  Words
# that are not numbers, line breaks and the count of each must match.
assert_output_close() {
	python3 "$PP_TOP/tests/helpers/numdiff.py" --rtol "${2:-1e-9}" \
	    <(printf '%s\n' "$1") <(printf '%s\n' "$output") ||
	    fail "assert_output_close: output differs (above)"
}


# use_registry and skip_on_pg (the registry suites' PostgreSQL pass).
. "$PP_TOP/tests/helpers/pgserver.bash"
