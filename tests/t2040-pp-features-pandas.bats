#!/usr/bin/env bats
# t2040: the rolling statistics against pandas (Debian's python3-pandas,
# run as /usr/bin/python3; the test skips, saying so, when it is absent).
#
# Plan, on testdata/features-prices.csv (three interleaved symbols, each
# grouped by symbol in pandas):
#   sum, median, quantile, rank (pct), ewm_std, and mad (as TTR's runMAD,
#     through pandas' rolling apply) agree with pandas to 1e-9 relative
#     (1e-12 absolute near 0) wherever pandas has a value, and are missing
#     exactly where pandas' are (the warm-up)
#   skew and kurt are pandas' bias-corrected estimators, but pandas' own
#     rolling skew and kurt come from running power sums that lose digits
#     (on this file 8e-6 and 1.6e-2 relative), so they are checked the same
#     way against scipy.stats.skew/kurtosis(bias=False) on each window

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	cd "$BATS_TEST_DIRNAME/.."
	T=$BATS_TEST_TMPDIR
	P=testdata/features-prices.csv
	PY=/usr/bin/python3
}

@test "rolling statistics agree with pandas" {
	"$PY" -c 'import pandas, scipy' 2>/dev/null ||
	    skip "python3-pandas or python3-scipy is not installed"
	run -0 --separate-stderr pp-features --only -o "$T/pp.csv" \
	    -f 'sum=sum(close,5)' -f 'median=median(close,6)' \
	    -f 'q30=quantile(close,7,0.3)' -f 'q90=quantile(volume,10,0.9)' \
	    -f 'skew=skew(close,10)' -f 'kurt=kurt(close,12)' \
	    -f 'rank=rank(close,8)' -f 'ewm=ewm_std(close,10)' \
	    -f 'mad=mad(close,9)' $P
	[ -z "$output" ]
	[ -z "$stderr" ]
	run -0 "$PY" - "$P" "$T/pp.csv" <<-'EOF'
	import sys
	import numpy as np
	import pandas as pd
	from scipy import stats
	src = pd.read_csv(sys.argv[1])
	got = pd.read_csv(sys.argv[2])
	g = src.groupby("symbol")
	def roll(col, n, f):
	    return f(g[col].rolling(n)).reset_index(level=0, drop=True)
	want = {
	    "sum": roll("close", 5, lambda r: r.sum()),
	    "median": roll("close", 6, lambda r: r.median()),
	    "q30": roll("close", 7, lambda r: r.quantile(0.3)),
	    "q90": roll("volume", 10, lambda r: r.quantile(0.9)),
	    "skew": roll("close", 10, lambda r: r.apply(
	        lambda w: stats.skew(w, bias=False), raw=True)),
	    "kurt": roll("close", 12, lambda r: r.apply(
	        lambda w: stats.kurtosis(w, bias=False), raw=True)),
	    "rank": roll("close", 8, lambda r: r.rank(pct=True)),
	    "ewm": g["close"].transform(lambda s: s.ewm(span=10).std()),
	    "mad": roll("close", 9, lambda r: r.apply(
	        lambda w: 1.4826 * np.median(np.abs(w - np.median(w))), raw=True)),
	}
	bad = 0
	for k, w in want.items():
	    w = w.sort_index().to_numpy()
	    v = got[k].to_numpy()
	    if not np.array_equal(np.isnan(w), np.isnan(v)):
	        print(k, "missing in different rows"); bad += 1
	        continue
	    ok = ~np.isnan(w)
	    err = np.abs(v[ok] - w[ok]) / np.maximum(np.abs(w[ok]), 1e-3)
	    if ok.sum() < 60 or err.max() > 1e-9:
	        print(k, ok.sum(), "values, worst relative error", err.max()); bad += 1
	sys.exit(1 if bad else 0)
	EOF
}
