#!/usr/bin/env bats
# t6080: pp-features without --threads, CSV output: the engine gets the
# processors the CSV formatting threads leave (issue #19), and the bytes,
# messages and counts are still those of --threads 1.
#
# Plan, a differential test against --threads 1 on 40 synthetic symbols
# x 300 days interleaved by date (more rows than any ring or batch holds)
# and on testdata/features-prices.csv, with the bench spec and a lead 5
# target (rows leave late, the last ones at the end):
#   the default, under $PP_CSV_THREADS=1 and 2 (the engine then left one
#     processor or none), and pinned to one CPU (taskset): the same bytes
#   a bad row deep in the input: the same stderr and exit status, and with
#     --skip-bad the same output and count
#   binary output (the engines keep every processor): the same frame once
#     the metadata, whose producer line quotes argv, is stripped
# --threads N itself: t2060.

load helpers/common

setup() {
	common_setup
	S=testdata/features-spec.txt
	TG=(-t 'y5=lead(close,5)/close-1')
}

make_input() {
	local syms
	syms=$(seq -f 'S%02g' 0 39 | paste -sd, -)
	run -0 pp-fetch synth --symbols "$syms" --start 2020-01-01 \
	    --end 2021-02-25 --seed 3 -o "$T/grouped.csv"
	run -0 pp sort --by date,symbol -o "$T/inter.csv" "$T/grouped.csv"
	[ "$(wc -l < "$T/inter.csv")" -gt 10000 ] || fail "too few rows"
}

# same_default IN ARGS...: pp-features ARGS IN without --threads, in each
# environment, exits, says and writes what --threads 1 does.
same_default() {
	local in=$1 how
	shift
	run --separate-stderr pp-features --threads 1 "$@" -o "$T/one.out" "$in"
	local rc1=$status err1=$stderr
	for how in "" "PP_CSV_THREADS=1" "PP_CSV_THREADS=2" "taskset -c 0"; do
		run --separate-stderr env $how pp-features "$@" -o "$T/dflt.out" "$in"
		[ "$status" -eq "$rc1" ] || fail "$how: exit $status, not $rc1"
		[ "$stderr" = "$err1" ] || fail "$how: stderr '$stderr', not '$err1'"
		[ "$rc1" -eq 0 ] || continue
		cmp "$T/one.out" "$T/dflt.out" || fail "$how: $* $in"
	done
}

@test "default threads, CSV out: the bytes of one thread" {
	make_input
	for in in "$T/inter.csv" "$T/grouped.csv" testdata/features-prices.csv; do
		same_default "$in" -F $S "${TG[@]}"
	done
	same_default "$T/inter.csv" -F $S --only --dropna
}

@test "default threads, a bad row deep in the input: the same failure and skips" {
	make_input
	awk -F, -v OFS=, 'NR == 9001 { $6 = "x" } { print }' "$T/inter.csv" > "$T/bad.csv"
	same_default "$T/bad.csv" -F $S
	same_default "$T/bad.csv" -F $S --skip-bad
	run -0 --separate-stderr pp-features -F $S --skip-bad -o "$T/skip.csv" "$T/bad.csv"
	assert_equal "$stderr" "pp-features: warning: skipped 1 bad rows"
}

@test "default threads, binary out: the frame of one thread" {
	make_input
	run -0 pp-features --threads 1 -B -F $S "${TG[@]}" -o "$T/one.ppf" "$T/inter.csv"
	run -0 pp-features -B -F $S "${TG[@]}" -o "$T/dflt.ppf" "$T/inter.csv"
	run -0 pp cat -B --strip-meta -o "$T/one.strip" "$T/one.ppf"
	run -0 pp cat -B --strip-meta -o "$T/dflt.strip" "$T/dflt.ppf"
	cmp "$T/one.strip" "$T/dflt.strip" || fail "binary output differs"
}
