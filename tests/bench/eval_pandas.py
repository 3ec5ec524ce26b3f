#!/usr/bin/python3
"""pp-eval's metrics and quantile backtest the way a pandas user writes
them (sklearn.metrics, scipy.stats, groupby/rank/pivot; no Python loop per
row), for tests/bench/eval.sh to time against pp-eval.

    eval_pandas.py metrics IN.csv
    eval_pandas.py backtest IN.csv Q

metrics: mse, rmse, mae, r2, pearson, spearman, directional accuracy of
`prediction` against `y`.  backtest: per date, rank the predictions
(ties by symbol), quantile ceil(rank Q / n), +1/|top| on the top quantile
and -1/|bottom| on the bottom one; gross return, turnover and the
statistics of man/pp-eval.1.  Prints metric,value lines.
"""
import sys

import numpy as np
import pandas as pd
from scipy import stats
from sklearn import metrics


def do_metrics(path):
    df = pd.read_csv(path, usecols=["y", "prediction"]).dropna()
    y, p = df["y"].to_numpy(), df["prediction"].to_numpy()
    nz = (y != 0) & (p != 0)
    out = {
        "mse": metrics.mean_squared_error(y, p),
        "rmse": metrics.mean_squared_error(y, p, squared=False),
        "mae": metrics.mean_absolute_error(y, p),
        "r2": metrics.r2_score(y, p),
        "pearson": stats.pearsonr(y, p)[0],
        "spearman": stats.spearmanr(y, p)[0],
        "directional_accuracy": np.mean(np.sign(y[nz]) == np.sign(p[nz])),
    }
    return out


def do_backtest(path, q, periods=252):
    df = pd.read_csv(path, parse_dates=["date"]).dropna(subset=["y", "prediction"])
    df = df.sort_values(["date", "symbol"])
    n = df.groupby("date")["prediction"].transform("size")
    df = df[n >= 3]
    n = n[n >= 3]
    rank = df.groupby("date")["prediction"].rank(method="first")
    quant = np.ceil(rank * q / n)
    top, bot = quant == q, quant == 1
    w = pd.Series(0.0, index=df.index)
    w[top] = 1 / top.groupby(df["date"]).transform("sum")[top]
    w[bot] = -1 / bot.groupby(df["date"]).transform("sum")[bot]
    df["w"] = w
    gross = (df["w"] * df["y"]).groupby(df["date"]).sum()
    wide = df.pivot(index="date", columns="symbol", values="w").fillna(0.0)
    turnover = wide.diff().abs().sum(axis=1)
    turnover.iloc[0] = wide.iloc[0].abs().sum()
    s = gross
    equity = (1 + s).cumprod()
    peak = np.maximum(equity.cummax(), 1.0)
    mdd = max(0.0, (1 - equity / peak).max())
    N = len(s)
    cagr = equity.iloc[-1] ** (periods / N) - 1
    down = np.sqrt((np.minimum(s, 0) ** 2).sum() / N)
    active = wide.ne(0).any(axis=1)
    return {
        "mean": s.mean(), "sd": s.std(),
        "sharpe": s.mean() / s.std() * np.sqrt(periods),
        "sortino": s.mean() / down * np.sqrt(periods),
        "max_drawdown": mdd, "total_return": equity.iloc[-1] - 1,
        "cagr": cagr, "annualized_volatility": s.std() * np.sqrt(periods),
        "calmar": cagr / mdd, "hit_rate": (s[active] > 0).mean(),
        "exposure": active.mean(), "turnover": turnover.mean(),
    }


def main():
    if sys.argv[1] == "metrics":
        out = do_metrics(sys.argv[2])
    else:
        out = do_backtest(sys.argv[2], int(sys.argv[3]))
    print("metric,value")
    for k, v in out.items():
        print(f"{k},{v!r}")


if __name__ == "__main__":
    main()
