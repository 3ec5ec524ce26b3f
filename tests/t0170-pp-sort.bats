#!/usr/bin/env bats
# t0170: pp sort, the frame in (date, symbol) or (symbol, date) order in
# bounded memory.
#
# Plan:
#   - features-prices.csv shuffled into symbol order comes back, by
#     date,symbol (the default), as pp cat writes the original; by
#     symbol,date as a stable sort by symbol does
#   - stable: rows with equal keys keep their input order
#   - a buffer smaller than the input spills runs to $TMPDIR (shown by a
#     TMPDIR that does not exist failing) and gives the same bytes as the
#     in-memory sort, which touches no temporary file; CSV and binary out
#   - more runs than files may be open (ulimit -n 16) merge in levels
#   - binary input keeps its metadata; stdin works; the output feeds
#     pp-features' cs_rank
#   - a single series (no symbol column) is sorted by date
#   - errors: --by and --buffer-size missing or bad, two inputs (exit 2);
#     neither a date nor a symbol column, a missing file (exit 1)

load helpers/common

setup() {
	common_setup
	P=testdata/features-prices.csv
	head -1 $P >"$T/bysym.csv"
	tail -n +2 $P | sort -t, -k1,1 -s >>"$T/bysym.csv"
	# Every 7th row of the prices, twice, with an id: the second copies
	# must follow the first (equal keys keep input order).
	awk -F, -v OFS=, 'NR == 1 { print $0, "id"; next }
	    NR % 7 == 0 { a[n++] = $0 } END {
	    for (k = 0; k < 2; k++) for (i = n - 1; i >= 0; i--)
	    print a[i], k * 1000 + i }' $P >"$T/dup.csv"
	# A larger frame, for spilling: 40 copies of the prices, symbols
	# renamed per copy, in symbol order.
	awk -F, -v OFS=, 'NR == 1 { h = $0; next } { r[n++] = $0 } END {
	    print h; for (c = 0; c < 40; c++) for (i = 0; i < n; i++) {
	    split(r[i], f, ","); f[1] = f[1] c; print f[1], f[2], f[3], f[4],
	    f[5], f[6], f[7] } }' $P >"$T/big.csv"
}

@test "date,symbol order by default; symbol,date on request" {
	run -0 --separate-stderr pp sort -o "$T/out.csv" "$T/bysym.csv"
	[ "$stderr" = "" ]
	pp cat -o "$T/want.csv" $P
	cmp "$T/out.csv" "$T/want.csv"
	run -0 --separate-stderr pp sort --by symbol,date -o "$T/back.csv" "$T/out.csv"
	pp cat -o "$T/want2.csv" "$T/bysym.csv"
	cmp "$T/back.csv" "$T/want2.csv"
}

@test "stable: equal keys keep their input order" {
	run -0 --separate-stderr pp sort --by symbol,date "$T/dup.csv"
	printf '%s\n' "$output" >"$T/out.csv"
	pp cat "$T/dup.csv" | { IFS= read -r h; printf '%s\n' "$h"
	    sort -t, -k1,1 -k2,2 -s; } >"$T/want.csv"
	diff -u "$T/want.csv" "$T/out.csv"
	[ "$(wc -l <"$T/out.csv")" -gt 40 ]
}

@test "a small buffer spills runs and gives the same bytes" {
	run -0 --separate-stderr pp sort -o "$T/mem.csv" "$T/big.csv"
	run -0 --separate-stderr pp sort --buffer-size 64K -o "$T/ext.csv" "$T/big.csv"
	cmp "$T/mem.csv" "$T/ext.csv"
	awk -F, 'NR > 1 && $2 < p { exit 1 } NR > 1 { p = $2 }' "$T/ext.csv"
	run -0 --separate-stderr pp sort --buffer-size 64K -B -o "$T/ext.ppf" "$T/big.csv"
	pp cat -o "$T/ext2.csv" "$T/ext.ppf"
	cmp "$T/mem.csv" "$T/ext2.csv"
	# The runs are files in TMPDIR; the in-memory sort makes none.
	TMPDIR=$T/none run -1 --separate-stderr pp sort --buffer-size 64K "$T/big.csv"
	[ "${stderr#pp: $T/none/pp-sort-}" != "$stderr" ]
	[ "${stderr##*: }" = "No such file or directory" ]
	TMPDIR=$T/none run -0 --separate-stderr pp sort -o "$T/mem2.csv" "$T/big.csv"
	cmp "$T/mem.csv" "$T/mem2.csv"
}

@test "many runs merge in levels, with few files open" {
	# About 40 runs of 64K; 16 descriptors allowed, so the runs cannot
	# all be open at once.
	run -0 --separate-stderr bash -c 'ulimit -n 16 && pp sort --buffer-size 64K -o "$1" "$2"' \
	    sh "$T/ext.csv" "$T/big.csv"
	[ "$stderr" = "" ]
	run -0 --separate-stderr pp sort -o "$T/mem.csv" "$T/big.csv"
	cmp "$T/mem.csv" "$T/ext.csv"
}

@test "binary input keeps its metadata; stdin; the output feeds cs_rank" {
	pp-features -f 'r=logret(close)' -B -o "$T/f.ppf" "$T/bysym.csv"
	run -0 --separate-stderr pp sort -B -o "$T/s.ppf" "$T/f.ppf"
	run -0 pp cat --get-meta pp.spec "$T/s.ppf"
	[ "$output" = "r=logret(close,1)" ]
	run -0 --separate-stderr pp sort -o "$T/stdin.csv" <"$T/bysym.csv"
	pp cat -o "$T/want.csv" $P
	cmp "$T/stdin.csv" "$T/want.csv"
	run -1 --separate-stderr pp-features -f 'k=cs_rank(close)' "$T/bysym.csv"
	run -0 --separate-stderr pp-features -f 'k=cs_rank(close)' -o "$T/k.csv" "$T/stdin.csv"
}

@test "a single series, without a symbol column, is sorted by date" {
	printf 'date,close\n2024-01-03,2\n2024-01-02,1\n2024-01-04,3\n' >"$T/one.csv"
	run -0 --separate-stderr pp sort "$T/one.csv"
	[ "$output" = $'date,close\n2024-01-02,1\n2024-01-03,2\n2024-01-04,3' ]
	[ "$stderr" = "" ]
}

@test "errors: options, operands, the frame" {
	run -2 --separate-stderr pp sort --by
	[ "$stderr" = "pp: option --by needs an argument" ]
	run -2 --separate-stderr pp sort --by date "$T/bysym.csv"
	[ "$stderr" = 'pp: --by: expected date,symbol or symbol,date, got "date"' ]
	run -2 --separate-stderr pp sort --buffer-size 1K "$T/bysym.csv"
	[ "$stderr" = 'pp: --buffer-size: expected bytes, or a number with K, M or G, of at least 64K, got "1K"' ]
	run -2 --separate-stderr pp sort --buffer-size 12Q "$T/bysym.csv"
	[ "${stderr%%,*}" = "pp: --buffer-size: expected bytes" ]
	run -2 --separate-stderr pp sort "$T/bysym.csv" "$T/bysym.csv"
	[ "$stderr" = "pp: one input at most, got 2" ]
	printf 'x,y\nA,1\n' >"$T/nokey.csv"
	run -1 --separate-stderr pp sort "$T/nokey.csv"
	[ "$output" = "" ]
	[ "$stderr" = "pp: $T/nokey.csv: no column \"date\" or \"symbol\": pp sort orders by them" ]
	run -1 --separate-stderr pp sort "$T/missing.csv"
	[ "$stderr" = "pp: $T/missing.csv: No such file or directory" ]
}
