#!/usr/bin/python3
"""The benchmark's twelve features and target in pandas, the way a pandas
user writes them (groupby + rolling/ewm/shift, no Python loops per row),
for tests/bench/features.sh to time against pp-features.

    features_pandas.py IN.csv OUT.csv

Same columns as `pp-features -F testdata/features-spec.txt`: log return,
its lags 1..5, sma20, ema20 (seeded with the SMA, as TA-Lib and
pandas-ta), rsi14 and atr14 (Wilder smoothing), macd(12,26,9),
bbands(20,2) with the population standard deviation, the 20-row sample
standard deviation of log returns, and the next row's log return as the
target.  The values agree with pp-features to rounding except the first
rows of the Wilder averages, which pandas seeds differently.
"""
import sys

import numpy as np
import pandas as pd


def ema(g, col, n):
    """EMA per symbol seeded with the mean of the first n values."""
    def one(s):
        x = s.to_numpy(dtype=float, copy=True)
        if len(x) < n:
            return pd.Series(np.nan, index=s.index)
        seed = x[:n].mean()
        x[:n - 1] = np.nan
        x[n - 1] = seed
        out = pd.Series(x, index=s.index).ewm(span=n, adjust=False,
                                              ignore_na=True).mean()
        out.iloc[:n - 1] = np.nan
        return out
    return g[col].transform(one)


def features(df):
    """Add the features and the target to df (a frame of raw bars) and
    return it; tests/bench/predict_sklearn.py uses it too."""
    g = df.groupby("symbol", sort=False)
    close = df["close"]

    prev = g["close"].shift(1)
    df["r"] = np.log(close / prev)
    g = df.groupby("symbol", sort=False)
    for k in range(1, 6):
        df["r_lag%d" % k] = g["r"].shift(k)
    df["sma20"] = g["close"].transform(lambda s: s.rolling(20).mean())
    df["ema20"] = ema(g, "close", 20)

    delta = close - prev
    df["_gain"] = delta.clip(lower=0)
    df["_loss"] = (-delta).clip(lower=0)
    g = df.groupby("symbol", sort=False)
    gain = g["_gain"].transform(
        lambda s: s.ewm(alpha=1 / 14, adjust=False).mean())
    loss = g["_loss"].transform(
        lambda s: s.ewm(alpha=1 / 14, adjust=False).mean())
    df["rsi14"] = 100 * gain / (gain + loss)

    df["_e12"] = ema(g, "close", 12)
    df["_e26"] = ema(g, "close", 26)
    df["macd_macd"] = df["_e12"] - df["_e26"]
    g = df.groupby("symbol", sort=False)
    df["macd_signal"] = g["macd_macd"].transform(
        lambda s: s.ewm(span=9, adjust=False, ignore_na=True).mean())
    df["macd_hist"] = df["macd_macd"] - df["macd_signal"]

    mid = g["close"].transform(lambda s: s.rolling(20).mean())
    sd = g["close"].transform(lambda s: s.rolling(20).std(ddof=0))
    df["bb_upper"] = mid + 2 * sd
    df["bb_middle"] = mid
    df["bb_lower"] = mid - 2 * sd

    tr = pd.concat([df["high"] - df["low"], (df["high"] - prev).abs(),
                    (df["low"] - prev).abs()], axis=1).max(axis=1)
    df["_tr"] = tr.where(prev.notna())
    g = df.groupby("symbol", sort=False)
    df["atr14"] = g["_tr"].transform(
        lambda s: s.ewm(alpha=1 / 14, adjust=False, ignore_na=True).mean())
    df["vol20"] = g["r"].transform(lambda s: s.rolling(20).std())
    df["y"] = g["r"].shift(-1)

    return df.drop(columns=[c for c in df.columns if c.startswith("_")])


def main():
    src, dst = sys.argv[1], sys.argv[2]
    features(pd.read_csv(src)).to_csv(dst, index=False)


if __name__ == "__main__":
    main()
