#!/usr/bin/env bats
# t2050: cross-sectional functions (cs_rank, cs_zscore, cs_demean,
# cs_quantile) and ref(SYMBOL, x), per date across symbols.
#
# Plan:
#   - a small frame by hand: ties (average rank), a missing value (no
#     part, NaN), a symbol absent on a date, a date with one symbol (rank
#     1, zscore missing, demean 0, bucket 1), ref() missing where SYMBOL
#     has no row; rows leave in input order
#   - against pandas (groupby date: rank(pct=True), (x-mean)/std, x-mean,
#     the bucket formula, qcut on distinct values) and ref as a merge on
#     date, on testdata/features-prices.csv, to 1e-12
#   - no look-ahead: changing AAA's rows after a date changes no value of
#     any symbol up to that date (ref(AAA, ...) included)
#   - input in symbol order is refused (exit 1) naming the row, both
#     dates and pp sort; an input without a date column is refused
#   - --print-spec writes them back (a quoted symbol stays quoted); a bad
#     ref() or cs_quantile is a usage error (exit 2); --list shows them

load helpers/common

setup() {
	common_setup
	P=testdata/features-prices.csv
	PY=/usr/bin/python3
}

@test "a frame by hand: ties, missing values, an absent symbol, one symbol" {
	cat >"$T/in.csv" <<-'EOF2'
	symbol,date,x
	C,2024-01-02,3
	A,2024-01-02,1
	SPY,2024-01-02,2
	B,2024-01-02,3
	B,2024-01-03,5
	A,2024-01-03,
	C,2024-01-03,4
	SPY,2024-01-03,8
	C,2024-01-04,7
	EOF2
	run -0 --separate-stderr pp-features --only -f 'rk=cs_rank(x)' \
	    -f 'dm=cs_demean(x)' -f 'q=cs_quantile(x,3)' -f 'z=cs_zscore(x)' \
	    -f 'rel=x/ref(SPY,x)' "$T/in.csv"
	[ "$stderr" = "" ]
	cat >"$T/want.csv" <<-'EOF2'
	symbol,date,rk,dm,q,z,rel
	C,2024-01-02,0.875,0.75,3,0.7833494518006403,1.5
	A,2024-01-02,0.25,-1.25,1,-1.3055824196677337,0.5
	SPY,2024-01-02,0.5,-0.25,1,-0.2611164839335467,1
	B,2024-01-02,0.875,0.75,3,0.7833494518006403,1.5
	B,2024-01-03,0.6666666666666666,-0.666666666666667,2,-0.32025630761017443,0.625
	A,2024-01-03,,,,,
	C,2024-01-03,0.3333333333333333,-1.666666666666667,1,-0.8006407690254359,0.5
	SPY,2024-01-03,1,2.333333333333333,3,1.12089707663561,1
	C,2024-01-04,1,0,1,,
	EOF2
	printf '%s\n' "$output" >"$T/got.csv"
	python3 tests/helpers/numdiff.py --rtol 1e-13 "$T/want.csv" "$T/got.csv"
}

@test "cross-sections and ref() agree with pandas" {
	"$PY" -c 'import pandas' 2>/dev/null ||
	    skip "python3-pandas is not installed"
	run -0 --separate-stderr pp-features --only -o "$T/pp.csv" \
	    -f 'r=logret(close)' -f 'rk=cs_rank(r)' -f 'up=cs_rank(close>open)' \
	    -f 'z=cs_zscore(close)' -f 'dm=cs_demean(r)' \
	    -f 'q=cs_quantile(volume,2)' -f 'q3=cs_quantile(close>open,3)' \
	    -f 'rf=ref(AAA,r)' -f 'rel=close/ref(AAA,close)' \
	    -f 'sm=sma(cs_rank(r),3)' $P
	[ -z "$output" ]
	[ -z "$stderr" ]
	run -0 "$PY" - "$P" "$T/pp.csv" <<-'EOF2'
	import sys
	import numpy as np
	import pandas as pd
	src = pd.read_csv(sys.argv[1])
	got = pd.read_csv(sys.argv[2])
	s = src.copy()
	s["r"] = np.log(s.close / s.groupby("symbol").close.shift(1))
	s["u"] = (s.close > s.open).astype(float)
	g = s.groupby("date")
	def bucket(col, q):
	    r = g[col].rank(method="average")
	    m = g[col].transform("count")
	    return np.maximum(1, np.ceil(q * (r - 1) / (m - 1)))
	aaa = s[s.symbol == "AAA"].set_index("date")
	want = {
	    "rk": g["r"].rank(pct=True),
	    "up": g["u"].rank(pct=True),
	    "z": (s.close - g.close.transform("mean")) / g.close.transform("std"),
	    "dm": s.r - g.r.transform("mean"),
	    "q": bucket("volume", 2),
	    "q3": bucket("u", 3),
	    "rf": s.date.map(aaa.r),
	    "rel": s.close / s.date.map(aaa.close),
	}
	want["sm"] = want["rk"].groupby(s.symbol).transform(
	    lambda x: x.rolling(3).mean())
	# Distinct volumes: the buckets are pandas' qcut.
	qc = g.volume.transform(lambda x: pd.qcut(x, 2, labels=False) + 1)
	assert (qc == want["q"]).all(), "bucket formula is not qcut"
	bad = 0
	for k, w in want.items():
	    a, b = got[k].to_numpy(), w.to_numpy()
	    if not (np.isnan(a) == np.isnan(b)).all():
	        print(k, "missing where pandas is not"); bad += 1
	    ok = ~np.isnan(b)
	    if ok.sum() < 100:
	        print(k, "too few values", ok.sum()); bad += 1
	    err = np.abs(a[ok] - b[ok]).max()
	    if err > 1e-12:
	        print(k, "differs by", err); bad += 1
	sys.exit(bad)
	EOF2
	[ "$output" = "" ]
}

@test "changing AAA's future changes nobody's past" {
	run -0 pp-features --only -o "$T/full.csv" -f 'rk=cs_rank(logret(close))' \
	    -f 'rf=ref(AAA,logret(close))' -f 'z=cs_zscore(close/ref(AAA,close))' $P
	# AAA's prices from 2024-02-01 on, up 10%.
	awk -F, -v OFS=, 'NR > 1 && $1 == "AAA" && $2 >= "2024-02-01" {
	    $3 *= 1.1; $4 *= 1.1; $5 *= 1.1; $6 *= 1.1 } { print }' $P >"$T/alt.csv"
	run -0 pp-features --only -o "$T/alt-out.csv" -f 'rk=cs_rank(logret(close))' \
	    -f 'rf=ref(AAA,logret(close))' -f 'z=cs_zscore(close/ref(AAA,close))' \
	    "$T/alt.csv"
	awk -F, '$2 < "2024-02-01"' "$T/full.csv" >"$T/a"
	awk -F, '$2 < "2024-02-01"' "$T/alt-out.csv" >"$T/b"
	[ "$(wc -l <"$T/a")" -gt 50 ]
	diff -u "$T/a" "$T/b"
	# ...while the dates after do change, for the other symbols too.
	awk -F, '$1 == "BBB" && $2 >= "2024-02-01"' "$T/full.csv" >"$T/a"
	awk -F, '$1 == "BBB" && $2 >= "2024-02-01"' "$T/alt-out.csv" >"$T/b"
	run ! cmp -s "$T/a" "$T/b"
}

@test "input in symbol order is refused, naming the row and pp sort" {
	head -1 $P >"$T/bysym.csv"
	tail -n +2 $P | sort -t, -k1,1 -s >>"$T/bysym.csv"
	run -1 --separate-stderr pp-features -f 'rk=cs_rank(close)' "$T/bysym.csv"
	[ "$output" = "" ]
	[ "$stderr" = "pp-features: $T/bysym.csv:62: date 2024-01-02 comes after 2024-03-25: cs_rank, cs_zscore, cs_demean, cs_quantile and ref() need the input in date order (pp sort --by date,symbol)" ]
	# The same input without cross-sections is fine.
	run -0 --separate-stderr pp-features -o "$T/o.csv" -f 's=sma(close,3)' "$T/bysym.csv"
}

@test "an input without a date column is refused" {
	printf 'symbol,x\nA,1\n' >"$T/nodate.csv"
	run -1 --separate-stderr pp-features -f 'a=ref(A,x)' "$T/nodate.csv"
	[ "$output" = "" ]
	[ "$stderr" = 'pp-features: cs_rank, cs_zscore, cs_demean, cs_quantile and ref() work per date: the input has no column "date"' ]
}

@test "--print-spec, spec errors and --list" {
	run -0 --separate-stderr pp-features -f 'a = cs_quantile(close, 4)' \
	    -f 'b=ref("BRK.B", close) / ref(SPY, sma(close, 5))' --print-spec
	[ "$output" = $'a=cs_quantile(close,4)\nb=ref("BRK.B",close)/ref(SPY,sma(close,5))' ]
	run -2 --separate-stderr pp-features -f 'a=ref(1,close)' $P
	[ "${stderr%%$'\n'*}" = 'pp-features: -f:1:7: ref: the first argument is a symbol, as in ref(SPY, close) or ref("BRK.B", close)' ]
	run -2 --separate-stderr pp-features -f 'a=cs_quantile(close,0)' $P
	[ "${stderr%%$'\n'*}" = 'pp-features: -f:1:21: cs_quantile: q must be a whole number from 1 to 1000' ]
	run -0 --separate-stderr pp-features --list
	[ "$(grep -c '^cs_\|^ref(' <<<"$output")" -eq 5 ]
}
