#!/usr/bin/env bats
# t0180: CSV output is formatted on several threads (lib/frame_wthread.c,
# as many as PP_CSV_THREADS allows) and written in order; the bytes must
# be those of one thread.  PP_CSV_THREADS=1 is the one-thread reference.
#
# Plan:
#   pp cat: a frame of every type, many batches, the same bytes to a file
#     and to a pipe with 1, 2 and 5 threads
#   pp-features: the same output with 1 and 3 threads (rows of symbols
#     interleaved, so lead() delays rows across batches)
#   a write that fails (/dev/full) with threads: exit 1 naming the output

load helpers/common

setup() {
	common_setup
	# 30000 rows: text that needs quoting now and then, missing values.
	awk 'BEGIN {
		print "symbol,date,open,high,low,close,volume,note"
		for (i = 0; i < 30000; i++) {
			d = int(i / 6)
			note = i % 101 == 0 ? "\"a, \"\"b\"\"\"" : (i % 7 ? "n" i : "")
			c = 100 + (i % 6) + d / 50 + (i % 13) / 10
			printf "S%d,%04d-%02d-%02d,%.4f,%.4f,%.4f,%.4f,%s,%s\n",
			    i % 6, 2000 + int(d / 336), 1 + int(d / 28) % 12,
			    1 + d % 28, c - 0.3, c + 1, c - 1, c,
			    i % 11 ? i * 7 : "", note
		}
	}' >"$T/in.csv"
}

@test "pp cat writes the same bytes on 1, 2 and 5 threads" {
	PP_CSV_THREADS=1 run -0 pp cat -o "$T/one.csv" "$T/in.csv"
	for n in 2 5; do
		PP_CSV_THREADS=$n run -0 pp cat -o "$T/many.csv" "$T/in.csv"
		cmp "$T/one.csv" "$T/many.csv"
		PP_CSV_THREADS=$n pp cat "$T/in.csv" | cmp "$T/one.csv" -
	done
	# and the data went through: every row, the quoted notes intact
	[ "$(wc -l <"$T/one.csv")" -eq 30001 ]
	[ "$(grep -c '"a, ""b"""' "$T/one.csv")" -eq 298 ]
}

@test "pp-features writes the same bytes on 1 and 3 threads" {
	printf 'r = logret(close, 1)\nsma5 = sma(close, 5)\nrsi3 = rsi(close, 3)\ntarget y = lead(r, 1)\n' >"$T/spec.txt"
	PP_CSV_THREADS=1 run -0 pp-features -F "$T/spec.txt" -o "$T/one.csv" "$T/in.csv"
	PP_CSV_THREADS=3 run -0 pp-features -F "$T/spec.txt" -o "$T/three.csv" "$T/in.csv"
	cmp "$T/one.csv" "$T/three.csv"
	[ "$(wc -l <"$T/one.csv")" -gt 29000 ]
}

@test "a failed write on threads: exit 1 naming the output" {
	[ -w /dev/full ] || skip "no /dev/full"
	PP_CSV_THREADS=3 run -1 pp cat -o /dev/full "$T/in.csv"
	[[ "$output" == *"write error"* ]]
}
