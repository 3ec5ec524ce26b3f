#!/usr/bin/env bats
# t5060: pp-eval reads only the columns it uses.
#
# Plan:
#   unused          a column no command uses, dates for the first rows
#                   (so inference types it) and junk after them: metrics,
#                   signal and backtest give the bytes they give without
#                   that column, on CSV (one thread and worker threads);
#                   and on a binary frame with a text column beside
#   still checked   a row with a field too many, and junk in a column
#                   that is used, are errors naming their line

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	T=$BATS_TEST_TMPDIR
	# 3 symbols x 1200 dates; column "seen" is a date on the first 1000
	# rows, junk after.  plain.csv is the same frame without it.
	awk -v OFS=, 'BEGIN {
		print "symbol,seen,date,y,prediction" >"'"$T"'/wide.csv"
		print "symbol,date,y,prediction" >"'"$T"'/plain.csv"
		print "symbol,note,date,y,prediction" >"'"$T"'/text.csv"
		for (d = 0; d < 1200; d++)
			for (s = 0; s < 3; s++) {
				n++
				day = sprintf("%04d-%02d-%02d", 2000 + int(d / 300),
				    1 + int((d % 300) / 25), 1 + d % 25)
				seen = n <= 1000 ? "2024-01-01" : "junk" n
				y = sin(n * 0.7) / 100; p = cos(n * 1.3) / 100
				print "S" s, seen, day, y, p >"'"$T"'/wide.csv"
				print "S" s, day, y, p >"'"$T"'/plain.csv"
				print "S" s, "note " n, day, y, p >"'"$T"'/text.csv"
			}
	}'
}

@test "a column not used is not converted" {
	run -0 pp cat -B -o "$T/text.ppf" "$T/text.csv"
	for cmd in "metrics -t y" "metrics -t y --by symbol" "signal --ret y" \
	    "backtest --ret y --rule quantile:3 --bootstrap 50"; do
		run -0 pp-eval $cmd --format csv "$T/plain.csv"
		want=$output
		for threads in 1 2; do
			PP_CSV_THREADS=$threads run -0 pp-eval $cmd --format csv \
			    "$T/wide.csv"
			assert_output "$want"
		done
		run -0 pp-eval $cmd --format csv "$T/text.ppf"
		assert_output "$want"
	done
}

@test "the row shape and the columns used are still checked" {
	sed -i '2001s/$/,extra/' "$T/wide.csv"
	run -1 --separate-stderr pp-eval metrics -t y "$T/wide.csv"
	assert_equal "$stderr" "pp-eval: $T/wide.csv:2001: expected 5 fields, found 6"
	sed -i '2001s/,extra$//; 2501s/,[^,]*$/,x/' "$T/wide.csv"
	run -1 --separate-stderr pp-eval backtest --ret y --rule quantile:3 "$T/wide.csv"
	assert_equal "$stderr" "pp-eval: $T/wide.csv:2501: column \"prediction\": not a number"
}
