#!/usr/bin/python3
"""The Python way to do what `pp-predict --from-bars` does, for
tests/bench/predict_bars.sh to time: raw bars in, the benchmark's features
in pandas (features_pandas.features), the model's predictions through
scikit-learn, symbol, date and prediction out.

    predict_sklearn.py BARS.csv DESCRIBE.txt OUT.csv

DESCRIBE.txt is `pp-train --describe` of the model: its intercept and
its feature,mean,scale,coef table become a sklearn LinearRegression whose
coef_ and intercept_ give the same eta (the standardization folded in).
Rows with a missing feature get an empty prediction, as pp-predict writes.
"""
import os
import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features_pandas  # noqa: E402


def model(path):
    names, mean, scale, coef, intercept = [], [], [], [], 0.0
    table = False
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("intercept: "):
            intercept = float(line.split(": ", 1)[1])
        elif line == "feature,mean,scale,coef":
            table = True
        elif table and line.count(",") == 3:
            n, m, s, c = line.split(",")
            names.append(n)
            mean.append(float(m))
            scale.append(float(s))
            coef.append(float(c))
        else:
            table = False
    mean, scale, coef = np.array(mean), np.array(scale), np.array(coef)
    lr = LinearRegression()
    lr.coef_ = coef / scale
    lr.intercept_ = intercept - float(np.sum(coef * mean / scale))
    lr.n_features_in_ = len(names)
    return names, lr


def main():
    bars, desc, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    names, lr = model(desc)
    df = features_pandas.features(pd.read_csv(bars))
    x = df[names].to_numpy(dtype=float)
    ok = ~np.isnan(x).any(axis=1)
    pred = np.full(len(df), np.nan)
    pred[ok] = lr.predict(x[ok])
    out = df[["symbol", "date"]].copy()
    out["prediction"] = pred
    out.to_csv(dst, index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
