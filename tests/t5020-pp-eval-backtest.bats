#!/usr/bin/env bats
# t5020: pp-eval backtest: rules, costs, statistics, bootstrap, deflated
# Sharpe.
#
# Plan:
#   reference    sign (equal-weight portfolio) and quantile:3 with costs on
#                the bundled predictions equal an independent pandas
#                computation of every statistic (1e-12 relative)
#   one series   a hand-computed three-day series, exact text
#   extras       --bootstrap/--seed: same seed, same interval; --bootstrap
#                0 drops it; --trials adds deflated_sharpe in (0, 1)
#   --by symbol  each symbol's scores, then the portfolio's; refused with
#                quantile:Q
#   errors       --rule, --cost-bps, --trials, --ret with two columns,
#                a date column that is not dates

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	cd "$BATS_TEST_DIRNAME/../testdata"
	T=$BATS_TEST_TMPDIR
}

@test "sign and quantile:3 with costs equal pandas" {
	/usr/bin/python3 -c 'import pandas' 2>/dev/null ||
		skip "python3-pandas is not installed"
	run -0 --separate-stderr pp-eval backtest --ret y --ret-log --cost-bps 10 --bootstrap 0 -o "$T/sign.csv" eval-predictions.csv
	[ "$stderr" = 'pp-eval: warning: 34 dates that are not periods left out' ]
	pp-eval backtest --ret y --ret-log --rule quantile:3 --cost-bps 5 --bootstrap 0 -o "$T/q3.csv" eval-predictions.csv 2>/dev/null
	/usr/bin/python3 - "$T/sign.csv" "$T/q3.csv" <<'END'
import csv, sys, math
import numpy as np, pandas as pd
d = pd.read_csv("eval-predictions.csv").dropna(subset=["prediction", "y"])
d["r"] = np.expm1(d.y)
syms = sorted(d.symbol.unique())
def run(rule, bps, P=252):
    prev = pd.Series(0.0, index=syms)
    net, turn, act = [], [], []
    for _, g in d.groupby("date"):
        n = len(g)
        if rule == "q3" and n < 3:
            continue
        w = pd.Series(0.0, index=syms)
        if rule == "sign":
            w[g.symbol.values] = np.sign(g.prediction.values) / n
        else:
            g = g.sort_values(["prediction", "symbol"])
            q = np.ceil(np.arange(1, n + 1) * 3 / n)
            top, bot = g.symbol.values[q == 3], g.symbol.values[q == 1]
            w[top] = 1 / len(top)
            w[bot] = -1 / len(bot)
        gross = (w[g.symbol.values].values * g.r.values).sum()
        t = (w - prev).abs().sum()
        prev = w
        net.append(gross - bps / 1e4 * t)
        turn.append(t)
        act.append((w != 0).any())
    s, t, a = np.array(net), np.array(turn), np.array(act)
    N, m, sd = len(s), s.mean(), s.std(ddof=1)
    E = np.cumprod(1 + s)
    peak = np.maximum.accumulate(np.concatenate([[1.0], E]))[1:]
    mdd = max(0.0, (1 - E / peak).max())
    cagr = E[-1] ** (P / N) - 1
    down = math.sqrt((np.minimum(s, 0) ** 2).sum() / N)
    return {"mean": m, "sd": sd, "sharpe": m / sd * math.sqrt(P),
            "sortino": m / down * math.sqrt(P), "max_drawdown": mdd,
            "total_return": E[-1] - 1, "cagr": cagr,
            "annualized_volatility": sd * math.sqrt(P),
            "calmar": cagr / mdd, "hit_rate": ((s > 0) & a).sum() / a.sum(),
            "exposure": a.mean(), "turnover": t.mean()}
for path, rule, bps in ((sys.argv[1], "sign", 10), (sys.argv[2], "q3", 5)):
    want = run(rule, bps)
    got = list(csv.reader(open(path)))[1:]
    assert [g[0] for g in got] == list(want), got
    for k, v in got:
        # Sums over ~230 periods in another order: 1e-12 relative, or
        # 1e-15 absolute for a mean near 0.
        assert abs(float(v) - want[k]) <= 1e-12 * abs(want[k]) + 1e-15, (path, k, v, want[k])
END
}

@test "a three-day series, by hand" {
	printf 'date,prediction,ret\n2024-01-01,1,0.1\n2024-01-02,-2,0.2\n2024-01-03,0.5,-0.1\n' >"$T/s.csv"
	# positions +1 -1 +1: net .1, -.2, -.1; turnover 1, 2, 2 (no costs)
	run -0 --separate-stderr pp-eval backtest --ret ret --bootstrap 0 --format csv "$T/s.csv"
	cat >"$T/want" <<'END'
metric,value
mean,-0.06666666666666667
sd,0.1527525231651947
sharpe,-6.928203230275508
sortino,-8.197560612767678
max_drawdown,0.2799999999999999
total_return,-0.20799999999999985
cagr,-0.9999999968888909
annualized_volatility,2.424871130596429
calmar,-3.5714285603174685
hit_rate,0.3333333333333333
exposure,1
turnover,1.6666666666666667
END
	printf '%s\n' "$output" | diff -u "$T/want" -
	[ -z "$stderr" ]
	run -0 --separate-stderr pp-eval backtest --ret ret --rule long-only --cost-bps 100 --bootstrap 0 --periods-per-year 12 --format csv "$T/s.csv"
	# positions 1 0 1, turnover 1 1 1: net .09, -.01, -.11
	assert_line --index 1 'mean,-0.009999999999999995'
	assert_line --index 11 'exposure,0.6666666666666666'
	assert_line --index 10 'hit_rate,0.5'
	run -0 --separate-stderr pp-eval backtest --ret ret --rule threshold:0.9 --bootstrap 0 --format csv "$T/s.csv"
	# positions +1 -1 0: turnover 1, 2, 1
	assert_line --index 12 'turnover,1.3333333333333333'
}

@test "bootstrap interval and deflated Sharpe" {
	run -0 --separate-stderr pp-eval backtest --ret y --ret-log --seed 3 --trials 20 --format csv eval-predictions.csv
	assert_line --index 13 --regexp '^sharpe_ci_low,-?[0-9.e-]+$'
	assert_line --index 14 --regexp '^sharpe_ci_high,-?[0-9.e-]+$'
	assert_line --index 15 --regexp '^deflated_sharpe,0\.[0-9]+(e-[0-9]+)?$'
	first=$output
	run -0 --separate-stderr pp-eval backtest --ret y --ret-log --seed 3 --trials 20 --format csv eval-predictions.csv
	[ "$output" = "$first" ]
	run -0 --separate-stderr pp-eval backtest --ret y --ret-log --seed 4 --trials 20 --format csv eval-predictions.csv
	[ "$output" != "$first" ]
	/usr/bin/python3 - "$first" <<'END'
import sys
v = dict(l.split(",") for l in sys.argv[1].splitlines()[1:])
lo, hi, sr = float(v["sharpe_ci_low"]), float(v["sharpe_ci_high"]), float(v["sharpe"])
assert lo < sr < hi, (lo, sr, hi)
END
	run -0 --separate-stderr pp-eval backtest --ret y --ret-log --bootstrap 0 --format csv eval-predictions.csv
	[ "${#lines[@]}" -eq 13 ]
	refute_output --partial sharpe_ci
}

@test "--by symbol: each symbol alone, then the portfolio" {
	run -0 --separate-stderr pp-eval backtest --ret y --ret-log --bootstrap 0 --by symbol --format csv eval-predictions.csv
	assert_line --index 0 'symbol,metric,value'
	[ "${#lines[@]}" -eq 61 ]
	assert_line --index 1 --regexp '^AAA,mean,'
	assert_line --index 37 --regexp '^DDD,mean,'
	assert_line --index 49 --regexp '^,mean,'
	pp-eval backtest --ret y --ret-log --bootstrap 0 -o "$T/all.csv" eval-predictions.csv 2>/dev/null
	printf '%s\n' "${lines[@]:49}" | sed 's/^,//' | diff -u <(tail -n +2 "$T/all.csv") -
	run -2 --separate-stderr pp-eval backtest --ret y --by symbol --rule quantile:2 eval-predictions.csv
	[ "$stderr" = 'pp-eval: --by symbol: quantile:Q ranks symbols against each other' ]
	run -2 --separate-stderr pp-eval backtest --ret y --by date eval-predictions.csv
	[ "$stderr" = 'pp-eval: --by: bad value "date": want symbol' ]
}

@test "backtest errors" {
	run -2 --separate-stderr pp-eval backtest --ret y --rule quantile:1 eval-predictions.csv
	[ "$stderr" = 'pp-eval: --rule: bad value "quantile:1": want sign, long-only, threshold:X (X >= 0) or quantile:Q (2..1000)' ]
	run -2 --separate-stderr pp-eval backtest --ret y --rule
	[ "$stderr" = 'pp-eval: option --rule needs an argument' ]
	run -2 --separate-stderr pp-eval backtest --ret y --cost-bps -1 eval-predictions.csv
	[ "$stderr" = 'pp-eval: --cost-bps: bad value "-1": want a number from 0 to 10000' ]
	run -2 --separate-stderr pp-eval backtest --ret y --trials 1 eval-predictions.csv
	[ "$stderr" = 'pp-eval: --trials: bad value "1": want a whole number from 2 to 1000000000' ]
	run -2 --separate-stderr pp-eval backtest --ret y,y eval-predictions.csv
	[ "$stderr" = 'pp-eval: backtest: --ret takes one column' ]
	run -2 --separate-stderr pp-eval backtest eval-predictions.csv
	[ "$stderr" = 'pp-eval: backtest: --ret COL is required' ]
	printf 'date,prediction,ret\nmonday,1,0.1\ntuesday,1,0.1\n' >"$T/d.csv"
	run -1 --separate-stderr pp-eval backtest --ret ret "$T/d.csv"
	[ "$stderr" = "pp-eval: $T/d.csv: column \"date\" is text, not dates" ]
	[ -z "$output" ]
}
