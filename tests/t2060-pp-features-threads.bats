#!/usr/bin/env bats
# t2060: pp-features --threads N gives the bytes of one thread.
#
# Plan, a differential test against --threads 1 (one engine, as before
# the option), on 40 synthetic symbols x 300 days (12,000 rows: more
# batches than the sharded loop's ring holds), grouped by symbol and
# interleaved by date, and on testdata/features-prices.csv:
#   the bench spec with two look-ahead targets (lead 1 and lead 5: rows
#     leave late, and the last ones at the end, merged by input order),
#     CSV and binary, --only and --dropna, 2, 3 and 7 threads: the same
#     bytes (binary: the same frame once the metadata, whose producer line
#     quotes the command line, is stripped)
#   bad rows (a date out of order, a text cell, a short CSV row) deep in
#     the input: the same stderr and exit status, and with --skip-bad the
#     same output and count; what reached stdout before the failure is a
#     prefix of the rows, in both modes
#   cross-sectional specs and input without a symbol column (one engine
#     thread whatever --threads says): the same bytes
#   a write that fails (/dev/full): the same message
#   the option: a missing argument, bad values, an extra operand;
#     $PP_CSV_THREADS still checked beside it
# No look-ahead in both modes: t2020.

load helpers/common

setup() {
	common_setup
	S=testdata/features-spec.txt
	TG=(-t 'y5=lead(close,5)/close-1')
}

# make_inputs: $T/grouped.csv (by symbol) and $T/inter.csv (by date).
make_inputs() {
	local syms
	syms=$(seq -f 'S%02g' 0 39 | paste -sd, -)
	run -0 pp-fetch synth --symbols "$syms" --start 2020-01-01 \
	    --end 2021-02-25 --seed 3 -o "$T/grouped.csv"
	run -0 pp sort --by date,symbol -o "$T/inter.csv" "$T/grouped.csv"
	[ "$(wc -l < "$T/inter.csv")" -gt 10000 ] || fail "too few rows"
}

# same_as_one IN ARGS...: pp-features ARGS IN with --threads 2, 3 and 7
# writes what --threads 1 writes, and exits and says the same.
same_as_one() {
	local in=$1 t
	shift
	run --separate-stderr pp-features --threads 1 "$@" -o "$T/one.out" "$in"
	local rc1=$status err1=$stderr
	for t in 2 3 7; do
		run --separate-stderr pp-features --threads $t "$@" \
		    -o "$T/many.out" "$in"
		[ "$status" -eq "$rc1" ] || fail "--threads $t: exit $status, not $rc1"
		[ "$stderr" = "$err1" ] || fail "--threads $t: stderr '$stderr', not '$err1'"
		[ "$rc1" -eq 0 ] || continue
		# Binary: the rows, not the producer line, which has argv.
		if [[ " $* " == *" -B "* ]]; then
			run -0 pp cat -B --strip-meta -o "$T/one.strip" "$T/one.out"
			run -0 pp cat -B --strip-meta -o "$T/many.strip" "$T/many.out"
			cmp "$T/one.strip" "$T/many.strip" || fail "--threads $t: $* $in"
		else
			cmp "$T/one.out" "$T/many.out" || fail "--threads $t: $* $in"
		fi
	done
}

@test "grouped and interleaved input, CSV and binary: the bytes of one thread" {
	make_inputs
	for in in "$T/grouped.csv" "$T/inter.csv" testdata/features-prices.csv; do
		same_as_one "$in" -F $S "${TG[@]}"
		same_as_one "$in" -F $S "${TG[@]}" --only --dropna
	done
	run -0 pp cat -B -o "$T/inter.ppf" "$T/inter.csv"
	same_as_one "$T/inter.ppf" -B -F $S "${TG[@]}"
	same_as_one "$T/inter.ppf" -F $S --dropna
}

@test "before a bad row, stdout holds a prefix of the rows, as with one thread" {
	make_inputs
	# Row 7001 of the interleaved input goes back in time.
	awk -F, -v OFS=, 'NR == 7002 { $2 = "2019-06-03" } 1' "$T/inter.csv" > "$T/bad.csv"
	run -0 pp-features --threads 1 --skip-bad -F $S -o "$T/good.csv" "$T/bad.csv"
	for t in 1 2; do
		run -1 --separate-stderr pp-features --threads $t -F $S "$T/bad.csv"
		[[ "$stderr" == "pp-features: $T/bad.csv:7002: symbol \"S"*'": date 2019-06-03 is not after the previous '* ]] ||
		    fail "--threads $t: message: $stderr"
		# Nothing may have been written yet: an empty prefix.
		[ -n "$output" ] || continue
		printf '%s\n' "$output" > "$T/part.csv"
		[ "$(wc -l < "$T/part.csv")" -lt 7001 ] || fail "--threads $t: rows past the bad one"
		cmp -n "$(wc -c < "$T/part.csv")" "$T/part.csv" "$T/good.csv" ||
		    fail "--threads $t: stdout is not a prefix of the rows"
	done
}

@test "bad rows deep in the input: the same failure, the same skips" {
	make_inputs
	awk -F, -v OFS=, 'NR == 3001 { $2 = "2019-06-03" } NR == 5003 { $5 = "x" }
	    NR == 9000 { $0 = $1 "," $2 } 1' "$T/inter.csv" > "$T/bad.csv"
	same_as_one "$T/bad.csv" -F $S "${TG[@]}"
	assert_equal "$status" 1
	same_as_one "$T/bad.csv" -F $S "${TG[@]}" --skip-bad
	assert_equal "$status" 0
	assert_equal "$stderr" "pp-features: warning: skipped 3 bad rows"
}

@test "cross-sections and ref(), and no symbol column: one engine thread, the same bytes" {
	make_inputs
	same_as_one "$T/inter.csv" -F $S -f 'ck=cs_rank(r)' -f 'rf=ref(S07,r)' "${TG[@]}"
	run -0 pp cat --select date,close -o "$T/nosym.csv" "$T/grouped.csv"
	head -n 301 "$T/nosym.csv" > "$T/one-series.csv"
	same_as_one "$T/one-series.csv" -f 'm=sma(close,5)' -t 'n=lead(close,2)'
}

@test "a failed write says the same with several threads" {
	run -1 --separate-stderr pp-features --threads 1 -F $S -o /dev/full testdata/features-prices.csv
	local err1=$stderr
	run -1 --separate-stderr pp-features --threads 3 -F $S -o /dev/full testdata/features-prices.csv
	assert_equal "$stderr" "$err1"
	run -1 --separate-stderr sh -c 'exec pp-features --threads 3 -F testdata/features-spec.txt testdata/features-prices.csv > /dev/full'
	assert_equal "$stderr" "pp-features: <stdout>: write error: No space left on device"
}

@test "--threads: missing argument, bad values, extra operand" {
	run -2 --separate-stderr pp-features -F $S testdata/features-prices.csv --threads
	assert_equal "$stderr" "pp-features: option --threads needs an argument"
	for v in 0 65 -1 x 2.5 ''; do
		run -2 --separate-stderr pp-features --threads "$v" -F $S testdata/features-prices.csv
		assert_equal "$stderr" "pp-features: --threads: bad value \"$v\": want a whole number from 1 to 64"
	done
	run -2 --separate-stderr pp-features --threads 2 -F $S testdata/features-prices.csv extra
	assert_equal "$stderr" "pp-features: one input at most, got 2"
}

@test "\$PP_CSV_THREADS is still read and checked under --threads" {
	PP_CSV_THREADS=3 run -0 pp-features --threads 2 -F $S -o "$T/b.csv" testdata/features-prices.csv
	PP_CSV_THREADS=0 run -2 --separate-stderr pp-features --threads 2 -F $S testdata/features-prices.csv
	assert_equal "$stderr" 'pp-features: PP_CSV_THREADS: bad value "0": want a whole number from 1 to 64'
}
