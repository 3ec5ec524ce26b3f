#!/usr/bin/env bats
# t0160: pp describe, a frame summarised per column.
#
# Plan:
#   pandas      count, mean, std, min, quartiles and max of every number
#               column agree with pandas' describe() to 1e-12 relative
#               (Debian's python3-pandas as /usr/bin/python3; skipped,
#               saying so, without it), with missing values in the data
#   --by        one summary per symbol, symbols in byte order: each
#               symbol's date range and row count, exactly
#   types       text: count and missing only; date and date-time: min,
#               quartiles and max as dates; an empty frame: counts of 0
#   output      -B writes a frame pp cat reads; --precision shortens
#   errors      --by a missing or number column, two inputs, --precision
#               with -B

load helpers/common

setup() {
	common_setup
	pp-fetch synth --symbols AAA,BBB,CCC --start 2023-01-02 --end 2024-06-28 --seed 11 -o "$T/p.csv"
	pp-features -f 'r1=logret(close,1)' -f 'v5=stddev(r1,5)' "$T/p.csv" >"$T/f.csv"
}

@test "number columns agree with pandas' describe()" {
	PY=/usr/bin/python3
	"$PY" -c 'import pandas' 2>/dev/null || skip "python3-pandas is not installed"
	run -0 --separate-stderr pp describe "$T/f.csv"
	awk -F, 'NR > 1 && $2 == "float64" { print $1, $3, $5, $6, $7, $8, $9, $10, $11 }' <<<"$output" >"$T/got"
	"$PY" - "$T/f.csv" >"$T/want" <<-'EOF2'
	import sys, pandas as pd
	df = pd.read_csv(sys.argv[1])
	for c in df.select_dtypes("number").columns:
	    d = df[c].describe()
	    print(c, int(d["count"]), *(repr(float(d[k])) for k in
	          ("mean", "std", "min", "25%", "50%", "75%", "max")))
	EOF2
	[ -s "$T/want" ]
	python3 tests/helpers/numdiff.py --rtol 1e-12 "$T/want" "$T/got"
	run -0 --separate-stderr pp describe "$T/f.csv"
	# 3 symbols of 390 weekdays; r1 lacks each symbol's first row, v5
	# (stddev of 5 r1 values) its first five
	assert_line --regexp '^r1,float64,1167,3,'
	assert_line --regexp '^v5,float64,1155,15,'
}

@test "--by symbol: each symbol's rows and date range" {
	days=$(python3 -c 'import datetime as d; a = d.date(2023, 1, 2); print(sum((a + d.timedelta(i)).weekday() < 5 for i in range((d.date(2024, 6, 28) - a).days + 1)))')
	run -0 --separate-stderr pp describe --by symbol "$T/p.csv"
	assert_line --index 0 'symbol,column,type,count,missing,mean,std,min,q1,median,q3,max'
	for s in AAA BBB CCC; do
		assert_line --regexp "^$s,date,date,$days,0,,,2023-01-02,[0-9-]+,[0-9-]+,[0-9-]+,2024-06-28$"
	done
	assert_equal "$(grep -c ',date,' <<<"$output")" 3
	assert_equal "$(sed -n 2p <<<"$output" | cut -d, -f1,2)" 'AAA,date'
	refute_line --regexp '^[A-Z]+,symbol,'
}

@test "text, date, date-time and empty frames" {
	printf 'symbol,when,day,x\nA,2024-01-02T10:00:00Z,2024-01-01,1\n,2024-01-02T12:00:00Z,2024-01-03,\nB,,2024-01-05,3\n' >"$T/t.csv"
	run -0 --separate-stderr pp describe "$T/t.csv"
	assert_output 'column,type,count,missing,mean,std,min,q1,median,q3,max
symbol,text,2,1,,,,,,,
when,datetime,2,1,,,2024-01-02T10:00:00Z,2024-01-02T10:30:00Z,2024-01-02T11:00:00Z,2024-01-02T11:30:00Z,2024-01-02T12:00:00Z
day,date,3,0,,,2024-01-01,2024-01-02,2024-01-03,2024-01-04,2024-01-05
x,float64,2,1,2,1.4142135623730951,1,1.5,2,2.5,3'
	head -n 1 "$T/t.csv" >"$T/empty.csv"
	run -0 --separate-stderr pp describe "$T/empty.csv"
	assert_line --index 4 'x,float64,0,0,,,,,,,'
}

@test "-B writes a frame; --precision shortens the doubles" {
	run -0 --separate-stderr pp describe -B -o "$T/d.ppf" "$T/f.csv"
	run -0 --separate-stderr pp cat --select column,count "$T/d.ppf"
	assert_line --index 1 "symbol,$(($(wc -l <"$T/f.csv") - 1))"
	run -0 --separate-stderr pp describe --precision 3 --by symbol "$T/f.csv"
	assert_line --regexp '^AAA,r1,float64,[0-9]+,1,-?[0-9.e-]+,0\.0[0-9]{3}?,'
}

@test "errors: --by a missing or number column, two inputs, --precision with -B" {
	run -1 --separate-stderr pp describe --by sym "$T/p.csv"
	assert_equal "$stderr" "pp: $T/p.csv: --by: no column \"sym\""
	run -2 --separate-stderr pp describe --by close "$T/p.csv"
	assert_equal "$stderr" "pp: $T/p.csv: --by: column \"close\" is not text"
	run -2 --separate-stderr pp describe "$T/p.csv" "$T/p.csv"
	assert_equal "$stderr" 'pp: describe: one frame at most'
	run -2 --separate-stderr pp describe -B --precision 2 -o "$T/x.ppf" "$T/p.csv"
	assert_equal "$stderr" 'pp: --precision: for CSV output; a binary frame keeps every bit'
	run -1 --separate-stderr pp describe "$T/nope.csv"
	assert_equal "$stderr" "pp: $T/nope.csv: No such file or directory"
}
