#!/usr/bin/env bats
# t5010: pp-eval signal: information coefficients and quantile returns.
#
# Plan:
#   reference   n_dates, ic_*, q1..qQ, spread of the bundled predictions
#               equal an independent pandas/scipy computation (1e-12)
#   horizons    several --ret columns are grouped by --horizons labels
#               (or by column name); label count must match
#   skipped     dates with fewer than 3 symbols are counted on stderr
#   errors      missing --ret, missing column, --quantiles out of range,
#               a symbol twice on a date, no date with 3 symbols

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	cd "$BATS_TEST_DIRNAME/../testdata"
	T=$BATS_TEST_TMPDIR
}

@test "signal equals pandas and scipy" {
	/usr/bin/python3 -c 'import pandas, scipy' 2>/dev/null ||
		skip "python3-pandas or python3-scipy is not installed"
	run -0 --separate-stderr pp-eval signal --ret y --quantiles 3 -o "$T/s.csv" eval-predictions.csv
	[ "$stderr" = 'pp-eval: warning: 34 dates with fewer than 3 symbols left out' ]
	/usr/bin/python3 - "$T/s.csv" <<'END'
import csv, sys, math
import numpy as np, pandas as pd
from scipy import stats
d = pd.read_csv("eval-predictions.csv").dropna(subset=["prediction", "y"])
Q = 3
ics, pes, qm = [], [], {}
for _, g in d.groupby("date"):
    if len(g) < 3:
        continue
    ics.append(stats.spearmanr(g.prediction, g.y)[0])
    pes.append(stats.pearsonr(g.prediction, g.y)[0])
    g = g.sort_values(["prediction", "symbol"])
    q = np.ceil(np.arange(1, len(g) + 1) * Q / len(g))
    for j in range(1, Q + 1):
        if (q == j).any():
            qm.setdefault(j, []).append(g.y[q == j].mean())
ics = np.array(ics)
m, sd = ics.mean(), ics.std(ddof=1)
want = {"n_dates": len(ics), "ic_mean": m, "ic_std": sd, "ic_ir": m / sd,
        "ic_t": m / sd * math.sqrt(len(ics)), "ic_pearson_mean": np.mean(pes)}
for j in range(1, Q + 1):
    want["q%d" % j] = np.mean(qm[j])
want["spread"] = want["q3"] - want["q1"]
got = list(csv.reader(open(sys.argv[1])))
assert got[0] == ["metric", "value"]
assert [g[0] for g in got[1:]] == list(want), got
for k, v in got[1:]:
    assert abs(float(v) - want[k]) <= 1e-12 * abs(want[k]), (k, v, want[k])
END
}

@test "several return columns are grouped by horizon" {
	awk -F, 'BEGIN {OFS = ","} NR == 1 {print $0, "y2"; next} {print $0, $3}' \
	    eval-predictions.csv >"$T/two.csv"
	pp-eval signal --ret y --quantiles 2 -o "$T/one.csv" "$T/two.csv" 2>/dev/null
	run -0 --separate-stderr pp-eval signal --ret y,y2 --horizons 1,5 --quantiles 2 --format csv "$T/two.csv"
	assert_line --index 0 'horizon,metric,value'
	[ "${#lines[@]}" -eq 19 ]
	tail -n +2 "$T/one.csv" | sed 's/^/1,/' >"$T/want1"
	tail -n +2 "$T/one.csv" | sed 's/^/5,/' >"$T/want5"
	printf '%s\n' "${lines[@]:1:9}" | diff -u "$T/want1" -
	printf '%s\n' "${lines[@]:10:9}" | diff -u "$T/want5" -
	run -0 --separate-stderr pp-eval signal --ret y,y2 --quantiles 2 --format csv "$T/two.csv"
	assert_line --index 0 'ret,metric,value'
	assert_line --index 10 --regexp '^y2,n_dates,226$'
	run -2 --separate-stderr pp-eval signal --ret y,y2 --horizons 1 "$T/two.csv"
	[ "$stderr" = 'pp-eval: --horizons: 1 labels for 2 --ret columns' ]
}

@test "signal errors" {
	run -2 --separate-stderr pp-eval signal eval-predictions.csv
	[ "$stderr" = 'pp-eval: signal: --ret COL is required' ]
	run -2 --separate-stderr pp-eval signal --ret
	[ "$stderr" = 'pp-eval: option --ret needs an argument' ]
	run -2 --separate-stderr pp-eval signal --ret y --quantiles 1 eval-predictions.csv
	[ "$stderr" = 'pp-eval: --quantiles: bad value "1": want a whole number from 2 to 1000' ]
	run -2 --separate-stderr pp-eval signal --ret y, eval-predictions.csv
	[ "$stderr" = 'pp-eval: --ret: empty name' ]
	run -1 --separate-stderr pp-eval signal --ret r5 eval-predictions.csv
	[ "$stderr" = 'pp-eval: eval-predictions.csv: missing column "r5"' ]
	printf 'symbol,date,prediction,y\nA,2024-01-01,1,0.1\nA,2024-01-01,2,0.2\n' >"$T/dup.csv"
	run -1 --separate-stderr pp-eval signal --ret y "$T/dup.csv"
	[ "$stderr" = "pp-eval: $T/dup.csv: symbol \"A\" appears twice on 2024-01-01" ]
	printf 'symbol,date,prediction,y\nA,2024-01-01,1,0.1\nB,2024-01-01,2,0.2\n' >"$T/two.csv"
	run -1 --separate-stderr pp-eval signal --ret y "$T/two.csv"
	[ "$stderr" = 'pp-eval: no date has 3 symbols with both a prediction and a return' ]
	[ -z "$output" ]
}
