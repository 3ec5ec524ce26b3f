"""The 40 features of features40-spec.txt in idiomatic pandas.

python3 features40_pandas.py IN.csv OUT.csv      compute them
python3 features40_pandas.py --check PP.csv PD.csv  compare with pp-features

ema20, rsi14 and atr14 are pandas' ewm, which seeds differently from
TA-Lib's (the mean of the first n): they are timed, not compared.
"""
import sys

import numpy as np
import pandas as pd

# Columns defined differently here: timed, not compared.
DIFFERENT = ("ema20", "rsi14", "atr14")


def check(pp_csv, pd_csv):
    """Agreement to 1e-8 relative (1e-8 absolute below 1), and missing in
    the same rows, on every column but DIFFERENT."""
    a, b = pd.read_csv(pp_csv), pd.read_csv(pd_csv)
    bad = []
    for c in b.columns[2:]:
        if c in DIFFERENT:
            continue
        x, y = a[c].to_numpy(), b[c].to_numpy()
        ok = ~np.isnan(y)
        err = np.abs(x[ok] - y[ok]) / np.maximum(1, np.abs(y[ok]))
        if (np.isnan(x) != np.isnan(y)).any() or not (err <= 1e-8).all():
            bad.append(c)
    n = len(b.columns) - 2 - len(DIFFERENT)
    print("agree with pandas to 1e-8: %d of %d columns compared%s" % (
        n - len(bad), n, "; differ: " + " ".join(bad) if bad else ""))
    return 1 if bad else 0


if sys.argv[1] == "--check":
    sys.exit(check(sys.argv[2], sys.argv[3]))
src, dst = sys.argv[1], sys.argv[2]
df = pd.read_csv(src, parse_dates=["date"])
g = df.groupby("symbol", sort=False)
f = pd.DataFrame({"symbol": df.symbol, "date": df.date})


def rl(s, n, fn):
    return fn(s.groupby(df.symbol, sort=False).rolling(n)).reset_index(
        level=0, drop=True).sort_index()


r = np.log(df.close / g.close.shift(1))
f["r"] = r
for k in range(1, 6):
    f["r_lag%d" % k] = r.groupby(df.symbol).shift(k)
f["sma20"] = rl(df.close, 20, lambda x: x.mean())
f["sma50"] = rl(df.close, 50, lambda x: x.mean())
f["ema20"] = g.close.transform(lambda s: s.ewm(span=20, adjust=False).mean())
f["std20"] = rl(r, 20, lambda x: x.std())
f["med20"] = rl(df.close, 20, lambda x: x.median())
f["med60"] = rl(r, 60, lambda x: x.median())
f["q10"] = rl(r, 60, lambda x: x.quantile(0.1))
f["q90"] = rl(r, 60, lambda x: x.quantile(0.9))
f["mad20"] = rl(df.close, 20, lambda x: x.apply(
    lambda w: 1.4826 * np.median(np.abs(w - np.median(w))), raw=True))
f["skew20"] = rl(r, 20, lambda x: x.skew())
f["kurt20"] = rl(r, 20, lambda x: x.kurt())
f["rank20"] = rl(df.close, 20, lambda x: x.rank(pct=True))
f["sum5"] = rl(df.volume, 5, lambda x: x.sum())
f["min20"] = rl(df.low, 20, lambda x: x.min())
f["max20"] = rl(df.high, 20, lambda x: x.max())
d = g.close.diff()
up = d.clip(lower=0).groupby(df.symbol).transform(
    lambda s: s.ewm(alpha=1 / 14, adjust=False).mean())
dn = (-d.clip(upper=0)).groupby(df.symbol).transform(
    lambda s: s.ewm(alpha=1 / 14, adjust=False).mean())
f["rsi14"] = 100 - 100 / (1 + up / dn)
pc = g.close.shift(1)
tr = pd.concat([df.high - df.low, (df.high - pc).abs(), (df.low - pc).abs()],
               axis=1).max(axis=1)
f["atr14"] = tr.groupby(df.symbol).transform(
    lambda s: s.ewm(alpha=1 / 14, adjust=False).mean())
f["mom10"] = df.close - g.close.shift(10)
f["roc10"] = 100 * (df.close / g.close.shift(10) - 1)
f["z20"] = (df.close - f.sma20) / rl(df.close, 20, lambda x: x.std())
pv = (df.high + df.low + df.close) / 3 * df.volume
f["vwap20"] = rl(pv, 20, lambda x: x.sum()) / rl(df.volume, 20,
                                                 lambda x: x.sum())
f["corr20"] = g[["close", "volume"]].rolling(20).corr().unstack()[
    ("close", "volume")].reset_index(level=0, drop=True).sort_index()
f["ewmstd"] = r.groupby(df.symbol).transform(lambda s: s.ewm(span=20).std())
f["rv20"] = rl(r * r, 20, lambda x: x.sum())
f["hl"] = (df.high - df.low) / df.close
f["up"] = (df.close > f.sma20).astype(float).where(f.sma20.notna())
gd = f.groupby("date", sort=False)
f["csr"] = gd.r.rank(pct=True)
f["csr20"] = f.roc10.groupby(df.date).rank(pct=True)
f["csz"] = (f.r - gd.r.transform("mean")) / gd.r.transform("std")
f["csd"] = f.r - gd.r.transform("mean")
rk = gd.r.rank(method="average")
m = gd.r.transform("count")
f["csq"] = np.maximum(1, np.ceil(5 * (rk - 1) / (m - 1)))
mkt = f.loc[f.symbol == "S0000"].set_index("date").r
f["mkt"] = f.date.map(mkt)
f["rel"] = f.r - f.mkt
cov = rl(f.r * f.mkt, 60, lambda x: x.mean()) - rl(
    f.r, 60, lambda x: x.mean()) * rl(f.mkt, 60, lambda x: x.mean())
f["beta60"] = cov / rl(f.mkt, 60, lambda x: x.var(ddof=0))
f.to_csv(dst, index=False)
