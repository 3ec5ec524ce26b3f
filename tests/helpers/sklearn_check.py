#!/usr/bin/python3
"""sklearn_check.py PP_TRAIN FRAME.csv TMPDIR

Fit every model kind with pp-train and with scikit-learn on the same frame
and the same settings, and compare the coefficients and the intercept.

The relative difference of a fit is max_j |ours_j - sklearn_j| / max_j
|sklearn_j| over the coefficients and the intercept together, so a
coefficient that sklearn leaves at 1e-17 and we at 0 does not count as a
100% error.  Limits (issue 6): 1e-8 for ols and ridge, 1e-6 for lasso,
elastic net and logistic (sklearn's newton-cholesky, tol=1e-12, the
converged optimum).

Validation metrics are checked by value (issue 21): every number pp-train
reports for a hold-out or walk-forward run -- rmse and r2 (ridge), log loss
and accuracy (logistic), per fold and their mean, on stderr, in the
registry's metrics and in the model's meta lines -- against sklearn.metrics
on sklearn fits over the same date folds (TimeSeriesSplit over the
distinct dates).  Difference |ours - sklearn| / max(|sklearn|, 1) under
1e-8 (1e-6 for logistic); a value reported but not expected, or expected
but not reported, fails too.

Prints one line per fit: "KIND OPTIONS reldiff X ok|FAIL" and per metric
value: "OPTIONS WHERE KEY FOLD reldiff X ok|FAIL", and exits 1 if
any fit is over its limit, 77 if scikit-learn cannot be imported.
The frame's columns: symbol, date, f1, f2, f3, y (real), cls (0/1).
"""
import csv
import os
import re
import sqlite3
import subprocess
import sys

try:
    import numpy as np
    from sklearn.linear_model import (ElasticNet, Lasso, LinearRegression,
                                      LogisticRegression, Ridge)
    from sklearn.metrics import (accuracy_score, log_loss,
                                 mean_squared_error, r2_score)
    from sklearn.preprocessing import StandardScaler
except ImportError:
    sys.exit(77)

FEATURES = ["f1", "f2", "f3"]


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    X = np.array([[float(r[c]) for c in FEATURES] for r in rows])
    y = np.array([float(r["y"]) for r in rows])
    cls = np.array([int(r["cls"]) for r in rows])
    dates = sorted({r["date"] for r in rows})
    di = np.array([dates.index(r["date"]) for r in rows])
    return X, y, cls, di


def describe(ppt, model):
    return subprocess.run([ppt, "--describe", model], check=True,
                          capture_output=True, text=True).stdout


def meta(text, key):
    for line in text.splitlines():
        if line.startswith(f"meta {key}: "):
            return float(line.split(": ", 1)[1])
    raise KeyError(key)


def ours(ppt, frame, tmp, args):
    model = f"{tmp}/check.ppm"
    subprocess.run([ppt, "--no-registry", "--features", ",".join(FEATURES),
                    "-o", model] + args + [frame], check=True)
    out = describe(ppt, model)
    coef, intercept, in_table = {}, None, False
    for line in out.splitlines():
        if line.startswith("intercept: "):
            intercept = float(line.split(": ", 1)[1])
        elif line == "feature,mean,scale,coef":
            in_table = True
        elif in_table and "," in line and not line.startswith("meta "):
            name, _, _, c = line.split(",")
            coef[name] = float(c)
        else:
            in_table = False
    return np.array([coef[f] for f in FEATURES] + [intercept])


def theirs(kind, X, y, cls, standardize, p):
    if standardize:
        X = StandardScaler().fit_transform(X)
    if kind == "ols":
        m = LinearRegression().fit(X, y)
    elif kind == "ridge":
        m = Ridge(alpha=p["alpha"]).fit(X, y)
    elif kind == "lasso":
        m = Lasso(alpha=p["alpha"], tol=1e-12, max_iter=10**6).fit(X, y)
    elif kind == "elasticnet":
        m = ElasticNet(alpha=p["alpha"], l1_ratio=p["l1_ratio"], tol=1e-12,
                       max_iter=10**6).fit(X, y)
    else:
        m = LogisticRegression(C=p["C"], solver="newton-cholesky",
                               tol=1e-12, max_iter=1000).fit(X, cls)
    coef = np.ravel(m.coef_)
    return np.concatenate([coef, np.ravel([m.intercept_])])


CASES = [
    ("ols", {}, 1e-8),
    ("ridge", {"alpha": 1.0}, 1e-8),
    ("ridge", {"alpha": 25.0}, 1e-8),
    ("lasso", {"alpha": 0.05}, 1e-6),
    ("lasso", {"alpha": 0.3}, 1e-6),
    ("elasticnet", {"alpha": 0.1, "l1_ratio": 0.5}, 1e-6),
    ("elasticnet", {"alpha": 0.2, "l1_ratio": 0.2}, 1e-6),
    ("logistic", {"C": 1.0}, 1e-6),
    ("logistic", {"C": 0.05}, 1e-6),
]


def fold_metrics(kind, X, y, cls, tr, te, p):
    """Fit on rows tr (standardized) and score rows te with sklearn.metrics:
    (rmse, r2) for ridge, (log loss, accuracy) for logistic."""
    sc = StandardScaler().fit(X[tr])
    if kind == "logistic":
        m = LogisticRegression(C=p, solver="newton-cholesky", tol=1e-12,
                               max_iter=1000).fit(sc.transform(X[tr]), cls[tr])
        pr = m.predict_proba(sc.transform(X[te]))[:, 1]
        return (log_loss(cls[te], pr, labels=[0, 1]),
                accuracy_score(cls[te], m.predict(sc.transform(X[te]))))
    m = Ridge(alpha=p).fit(sc.transform(X[tr]), y[tr])
    pred = m.predict(sc.transform(X[te]))
    return (np.sqrt(mean_squared_error(y[te], pred)), r2_score(y[te], pred))


VALIDATION = [
    # kind, param, pp-train options, sklearn date splits, limit
    ("ridge", 2.0, ["--test-frac", "0.25", "--gap", "2"], (0.25, 2), 1e-8),
    ("ridge", 2.0, ["--cv", "walkforward:4", "--gap", "1", "--max-train",
                    "30"], (4, 1, 30), 1e-8),
    ("logistic", 0.5, ["--cv", "walkforward:3"], (3, 0, None), 1e-6),
    ("logistic", 0.5, ["--test-frac", "0.3"], (0.3, 0), 1e-6),
]

FOLD = re.compile(r"^pp-train: (?:fold (\d+)/\d+: .*|(test)|(mean)): "
                  r"(\w+) ([^,]+), (\w+) (\S+)$")


def reported(stderr, db, model_text):
    """Every metric value pp-train reported, as {(where, key, fold): value}:
    fold and summary lines on stderr, the run's metrics in the registry,
    the meta lines of --describe."""
    got = {}
    for line in stderr.splitlines():
        m = FOLD.match(line)
        if m:
            fold = int(m.group(1)) if m.group(1) else m.group(2) or m.group(3)
            got[("stderr", m.group(4), fold)] = float(m.group(5))
            got[("stderr", m.group(6), fold)] = float(m.group(7))
    con = sqlite3.connect(db)
    for key, value, step in con.execute(
            "SELECT key, value, step FROM metrics"):
        got[("registry", key, step)] = value
    con.close()
    for line in model_text.splitlines():
        m = re.match(r"^meta ((?:test|cv)_\w+): (\S+)$", line)
        if m:
            got[("model", m.group(1), 0)] = float(m.group(2))
    return got


def check_validation(ppt, frame, tmp, X, y, cls, di):
    """pp-train's validation metrics, every value it prints, logs and
    stores, against sklearn.metrics on the same date folds."""
    from sklearn.model_selection import TimeSeriesSplit
    bad = 0
    D = di.max() + 1
    for kind, p, opts, how, limit in VALIDATION:
        model, db = f"{tmp}/cv.ppm", f"{tmp}/cv.db"
        if os.path.exists(db):
            os.unlink(db)
        args = ["-m", kind, "--target", "cls" if kind == "logistic" else "y",
                "--C" if kind == "logistic" else "--alpha", repr(p),
                "--standardize"] + opts
        r = subprocess.run([ppt, "--registry", db, "--features",
                            ",".join(FEATURES), "-o", model] + args + [frame],
                           check=True, capture_output=True, text=True)
        got = reported(r.stderr, db, describe(ppt, model))
        if len(how) == 2:
            frac, gap = how
            ntest = int(np.ceil(frac * D))
            splits = [(np.arange(D - ntest - gap), np.arange(D - ntest, D))]
            summary, prefix = "test", "test_"
        else:
            k, gap, mx = how
            splits = list(TimeSeriesSplit(n_splits=k, gap=gap,
                                          max_train_size=mx).split(
                                              np.arange(D)))
            summary, prefix = "mean", "cv_"
        names = (("logloss", "accuracy") if kind == "logistic"
                 else ("rmse", "r2"))
        folds = [fold_metrics(kind, X, y, cls, np.isin(di, tr),
                              np.isin(di, te), p) for tr, te in splits]
        want = {}
        for j, name in enumerate(names):
            mean = np.mean([f[j] for f in folds])
            want[("stderr", name, summary)] = mean
            want[("registry", prefix + name, 0)] = mean
            want[("model", prefix + name, 0)] = mean
            for i, f in enumerate(folds, 1):
                want[("stderr", name, i)] = f[j]
                if summary == "mean":
                    want[("registry", "fold_" + name, i)] = f[j]
        # Nothing reported that is not checked, nothing checked missing.
        for key in sorted(set(got) | set(want), key=str):
            w, g = want.get(key), got.get(key)
            if w is None or g is None:
                ok, rel = False, float("nan")
            else:
                rel = abs(g - w) / max(abs(w), 1.0)
                ok = rel < limit
            bad += not ok
            print(f"{' '.join(args[1:])} {key[0]} {key[1]} {key[2]} "
                  f"reldiff {rel:.3g} {'ok' if ok else 'FAIL'}")
    return bad


def main():
    ppt, frame, tmp = sys.argv[1:4]
    X, y, cls, di = load(frame)
    bad = check_validation(ppt, frame, tmp, X, y, cls, di)
    for kind, p, limit in CASES:
        for standardize in (False, True):
            args = ["-m", kind, "--target",
                    "cls" if kind == "logistic" else "y"]
            for k, v in p.items():
                args += ["--" + k.replace("_", "-"), repr(v)]
            if standardize:
                args.append("--standardize")
            a = ours(ppt, frame, tmp, args)
            b = theirs(kind, X, y, cls, standardize, p)
            rel = np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)
            ok = rel < limit
            bad += not ok
            print(f"{' '.join(args[1:])} reldiff {rel:.3g} "
                  f"{'ok' if ok else 'FAIL'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
