#!/usr/bin/env python3
"""Fit gradient-boosted trees with python3-xgboost on the rows pp-train fits
on, and compare with what Pattern Pursuit computed.

    xgb_check.py available
        exit 0 when python3-xgboost imports, else print why and exit 1
    xgb_check.py check FRAME.csv --target COL --features A,B \
        --params n_estimators=50,learning_rate=0.1,... \
        --pred PRED.csv [--proba] [--early-stopping N --gap G --best B]
        fit on every row of FRAME.csv (float32 features, as pp-train),
        predict every row, and compare with PRED.csv's "prediction" column
        (pp-predict's output, rows in the same order) to 1e-6 relative to
        max(1, |value|); with --early-stopping, the validation set is
        pp-train's: the last fifth of the dates (at least one), the G dates
        before it purged, and the best iteration must be B.

Prints one line per check; exits 1 on the first difference.
"""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["available", "check"])
    ap.add_argument("frame", nargs="?")
    ap.add_argument("--target")
    ap.add_argument("--features")
    ap.add_argument("--params", default="")
    ap.add_argument("--pred")
    ap.add_argument("--proba", action="store_true")
    ap.add_argument("--early-stopping", type=int, default=0)
    ap.add_argument("--gap", type=int, default=0)
    ap.add_argument("--best", type=int, default=-1)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    try:
        import numpy as np
        import pandas as pd
        import xgboost as xgb
    except ImportError as e:
        print("python3-xgboost not available: %s" % e)
        return 1
    if a.cmd == "available":
        return 0

    df = pd.read_csv(a.frame, float_precision="round_trip")
    feats = a.features.split(",")
    X = df[feats].to_numpy(dtype=np.float64).astype(np.float32)
    y = df[a.target].to_numpy(dtype=np.float64)
    binary = set(np.unique(y)) <= {0.0, 1.0}
    p = dict(n_estimators=300, learning_rate=0.05, max_depth=4,
             min_child_weight=1, subsample=1, colsample_bytree=1,
             reg_lambda=1, reg_alpha=0, gamma=0, seed=0)
    for kv in filter(None, a.params.split(",")):
        k, v = kv.split("=")
        p[{"lambda": "reg_lambda", "alpha": "reg_alpha"}.get(k, k)] = float(v)
    params = {
        "tree_method": "hist",
        "objective": "binary:logistic" if binary else "reg:squarederror",
        "eta": p["learning_rate"], "max_depth": int(p["max_depth"]),
        "min_child_weight": p["min_child_weight"],
        "subsample": p["subsample"],
        "colsample_bytree": p["colsample_bytree"],
        "lambda": p["reg_lambda"], "alpha": p["reg_alpha"],
        "gamma": p["gamma"], "seed": int(p["seed"]),
        "nthread": a.threads, "verbosity": 0,
    }
    rounds = int(p["n_estimators"])
    if a.early_stopping > 0:
        dates = np.array(sorted(df["date"].unique()))
        k = len(dates)
        t = max(1, k // 5)
        tail = set(dates[k - t:])
        head = set(dates[:max(0, k - t - a.gap)])
        hm = df["date"].isin(head).to_numpy()
        tm = df["date"].isin(tail).to_numpy()
        dh = xgb.DMatrix(X[hm], label=y[hm], missing=np.nan)
        dt = xgb.DMatrix(X[tm], label=y[tm], missing=np.nan)
        bst = xgb.train(params, dh, rounds, evals=[(dt, "val")],
                        early_stopping_rounds=a.early_stopping,
                        verbose_eval=False)
        print("best iteration: python %d, pp %d" % (bst.best_iteration,
                                                    a.best))
        if bst.best_iteration != a.best:
            return 1
        bst = bst[: bst.best_iteration + 1]
    else:
        bst = xgb.train(params, xgb.DMatrix(X, label=y, missing=np.nan),
                        rounds)
    want = bst.predict(xgb.DMatrix(X, missing=np.nan)).astype(np.float64)
    if binary and not a.proba:
        want = (want > 0.5).astype(np.float64)
    got = pd.read_csv(a.pred, float_precision="round_trip")["prediction"]
    got = got.to_numpy(dtype=np.float64)
    if len(got) != len(want):
        print("rows: python %d, pp %d" % (len(want), len(got)))
        return 1
    err = np.abs(got - want) / np.maximum(1.0, np.abs(want))
    i = int(np.argmax(err))
    print("predictions: %d rows, largest difference %.3g (row %d)" %
          (len(want), err[i], i + 1))
    return 0 if err[i] <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
