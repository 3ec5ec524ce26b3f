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

Validation is checked the same way: the hold-out and walk-forward metrics
pp-train stores in the model (test_rmse, cv_rmse, cv_logloss) against
sklearn fits on the same date folds (TimeSeriesSplit over the distinct
dates), relative difference under 1e-8 (1e-6 for logistic).

Prints one line per fit: "KIND OPTIONS reldiff X ok|FAIL", and exits 1 if
any fit is over its limit, 77 if scikit-learn cannot be imported.
The frame's columns: symbol, date, f1, f2, f3, y (real), cls (0/1).
"""
import csv
import subprocess
import sys

try:
    import numpy as np
    from sklearn.linear_model import (ElasticNet, Lasso, LinearRegression,
                                      LogisticRegression, Ridge)
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


def fold_score(kind, X, y, cls, tr, te, p):
    """Fit on rows tr (standardized), score rows te: rmse or log loss."""
    sc = StandardScaler().fit(X[tr])
    if kind == "logistic":
        m = LogisticRegression(C=p, solver="newton-cholesky", tol=1e-12,
                               max_iter=1000).fit(sc.transform(X[tr]), cls[tr])
        pr = m.predict_proba(sc.transform(X[te]))[:, 1]
        pr = np.clip(pr, 1e-15, 1 - 1e-15)
        return -np.mean(cls[te] * np.log(pr) + (1 - cls[te]) * np.log(1 - pr))
    m = Ridge(alpha=p).fit(sc.transform(X[tr]), y[tr])
    r = y[te] - m.predict(sc.transform(X[te]))
    return np.sqrt(np.mean(r * r))


VALIDATION = [
    # kind, param, pp-train options, sklearn date splits, metric, limit
    ("ridge", 2.0, ["--test-frac", "0.25", "--gap", "2"], "holdout",
     "test_rmse", 1e-8),
    ("ridge", 2.0, ["--cv", "walkforward:4", "--gap", "1", "--max-train",
                    "30"], (4, 1, 30), "cv_rmse", 1e-8),
    ("logistic", 0.5, ["--cv", "walkforward:3", "--gap", "0"], (3, 0, None), "cv_logloss",
     1e-6),
]


def check_validation(ppt, frame, tmp, X, y, cls, di):
    from sklearn.model_selection import TimeSeriesSplit
    bad = 0
    D = di.max() + 1
    for kind, p, opts, how, key, limit in VALIDATION:
        model = f"{tmp}/cv.ppm"
        args = ["-m", kind, "--target", "cls" if kind == "logistic" else "y",
                "--C" if kind == "logistic" else "--alpha", repr(p),
                "--standardize"] + opts
        subprocess.run([ppt, "--no-registry", "--quiet", "--features",
                        ",".join(FEATURES), "-o", model] + args + [frame],
                       check=True, stderr=subprocess.DEVNULL)
        got = meta(describe(ppt, model), key)
        if how == "holdout":
            ntest = int(np.ceil(0.25 * D))
            splits = [(np.arange(D - ntest - 2), np.arange(D - ntest, D))]
        else:
            k, gap, mx = how
            splits = TimeSeriesSplit(n_splits=k, gap=gap,
                                     max_train_size=mx).split(np.arange(D))
        scores = [fold_score(kind, X, y, cls, np.isin(di, tr), np.isin(di, te),
                             p) for tr, te in splits]
        want = np.mean(scores)
        rel = abs(got - want) / abs(want)
        ok = rel < limit
        bad += not ok
        print(f"{' '.join(args[1:])} {key} reldiff {rel:.3g} "
              f"{'ok' if ok else 'FAIL'}")
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
