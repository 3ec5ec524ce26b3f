#!/usr/bin/env bats
# t5000: pp-eval metrics scores a prediction column against a target.
#
# Plan:
#   regression      every metric of the bundled predictions equals
#                   sklearn.metrics / scipy.stats to 1e-12 relative
#   classification  the same for the probabilities (auto-detected and
#                   with --proba), --threshold moves the confusion matrix
#   --by            per symbol and per date, then the groups' mean
#   formats         csv (piped default), json, table; -o writes a file
#   pipeline        pp-train, pp-predict to a file, pp-eval that file;
#                   a binary frame from pp-predict names the target and
#                   the prediction column, so no --target/--pred is needed
#   missing         rows with a missing value are left out and counted;
#                   an undefined metric is printed empty with a note
#   errors          missing column, non-numeric cell (file:line), target
#                   not 0/1 under --proba, fewer than 2 rows, no file
#   options         missing argument, bad value, extra operand, missing
#                   command, unknown command, --target required for
#                   a frame that does not name it

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	cd "$BATS_TEST_DIRNAME/../testdata"
	export PP_REGISTRY="$BATS_TEST_TMPDIR/pp.db"
	T=$BATS_TEST_TMPDIR
}

need_sklearn() {
	/usr/bin/python3 -c 'import sklearn, scipy' 2>/dev/null ||
		skip "python3-sklearn or python3-scipy is not installed"
}

@test "regression metrics equal sklearn and scipy" {
	need_sklearn
	run -0 --separate-stderr pp-eval metrics -t y -o "$T/m.csv" eval-predictions.csv
	[ "$stderr" = "pp-eval: warning: 136 rows with a missing target or prediction left out" ]
	[ -z "$output" ]
	/usr/bin/python3 - "$T/m.csv" <<'END'
import csv, sys, numpy as np
from sklearn import metrics as M
from scipy import stats
rows = [r for r in csv.DictReader(open("eval-predictions.csv"))
        if r["y"] != "" and r["prediction"] != ""]
y = np.array([float(r["y"]) for r in rows])
p = np.array([float(r["prediction"]) for r in rows])
nz = (y != 0) & (p != 0)
want = {
    "mse": M.mean_squared_error(y, p),
    "rmse": np.sqrt(M.mean_squared_error(y, p)),
    "mae": M.mean_absolute_error(y, p),
    "r2": M.r2_score(y, p),
    "pearson": stats.pearsonr(y, p)[0],
    "spearman": stats.spearmanr(y, p)[0],
    "directional_accuracy": np.mean(np.sign(y[nz]) == np.sign(p[nz])),
}
got = list(csv.reader(open(sys.argv[1])))
assert got[0] == ["metric", "value"], got[0]
assert [g[0] for g in got[1:]] == list(want), got
for k, v in got[1:]:
    assert abs(float(v) - want[k]) <= 1e-12 * abs(want[k]), (k, v, want[k])
END
}

@test "classification metrics equal sklearn, detected or with --proba" {
	need_sklearn
	pp-eval metrics -t up --pred proba -o "$T/auto.csv" eval-predictions.csv 2>/dev/null
	run -0 --separate-stderr pp-eval metrics -t up --pred proba --proba -o "$T/m.csv" eval-predictions.csv
	diff -u "$T/auto.csv" "$T/m.csv"
	pp-eval metrics -t up --pred proba --threshold 0.55 -o "$T/t.csv" eval-predictions.csv 2>/dev/null
	/usr/bin/python3 - "$T/m.csv" "$T/t.csv" <<'END'
import csv, sys, numpy as np
from sklearn import metrics as M
rows = [r for r in csv.DictReader(open("eval-predictions.csv"))
        if r["up"] != "" and r["proba"] != ""]
y = np.array([int(r["up"]) for r in rows])
p = np.array([float(r["proba"]) for r in rows])
for path, th in ((sys.argv[1], 0.5), (sys.argv[2], 0.55)):
    c = (p > th).astype(int)
    tn, fp, fn, tp = M.confusion_matrix(y, c).ravel()
    want = {
        "accuracy": M.accuracy_score(y, c),
        "precision": M.precision_score(y, c, zero_division=0),
        "recall": M.recall_score(y, c, zero_division=0),
        "f1": M.f1_score(y, c, zero_division=0),
        "roc_auc": M.roc_auc_score(y, p),
        "log_loss": M.log_loss(y, p, eps=2.220446049250313e-16),
        "brier": M.brier_score_loss(y, p),
        "tp": tp, "fp": fp, "tn": tn, "fn": fn,
    }
    got = list(csv.reader(open(path)))[1:]
    assert [g[0] for g in got] == list(want), got
    for k, v in got:
        assert abs(float(v) - want[k]) <= 1e-12 * abs(want[k]), (k, v, want[k])
END
}

@test "--by symbol and --by date: each group, then the groups' mean" {
	need_sklearn
	run -0 --separate-stderr pp-eval metrics -t y --by symbol --format csv eval-predictions.csv
	assert_line --index 0 'symbol,metric,value'
	[ "${#lines[@]}" -eq 36 ]
	printf '%s\n' "${lines[@]}" >"$T/by.csv"
	pp-eval metrics -t y --by date -o "$T/date.csv" eval-predictions.csv 2>"$T/err"
	grep -q '^2023-06-01,mse,' "$T/date.csv"
	/usr/bin/python3 - "$T/by.csv" <<'END'
import csv, sys, numpy as np
from sklearn import metrics as M
rows = [r for r in csv.DictReader(open("eval-predictions.csv"))
        if r["y"] != "" and r["prediction"] != ""]
got = {(g[0], g[1]): float(g[2]) for g in list(csv.reader(open(sys.argv[1])))[1:]}
r2s = []
for s in ("AAA", "BBB", "CCC", "DDD"):
    y = np.array([float(r["y"]) for r in rows if r["symbol"] == s])
    p = np.array([float(r["prediction"]) for r in rows if r["symbol"] == s])
    r2s.append(M.r2_score(y, p))
    assert abs(got[(s, "r2")] - r2s[-1]) <= 1e-12 * abs(r2s[-1])
assert abs(got[("", "r2")] - np.mean(r2s)) <= 1e-12 * abs(np.mean(r2s))
END
}

@test "formats: csv when piped, json, table; -o writes the file" {
	printf 'y,prediction\n1,1.5\n2,2\n3,2.5\n4,4\n' >"$T/s.csv"
	run -0 --separate-stderr pp-eval metrics -t y "$T/s.csv"
	cat >"$T/want" <<'END'
metric,value
mse,0.125
rmse,0.3535533905932738
mae,0.25
r2,0.9
pearson,0.9561828874675149
spearman,1
directional_accuracy,1
END
	printf '%s\n' "$output" >"$T/got"
	diff -u "$T/want" "$T/got"
	[ -z "$stderr" ]
	run -0 --separate-stderr pp-eval metrics -t y --format json "$T/s.csv"
	assert_line --index 0 '['
	assert_line --index 1 '  {"metric": "mse", "value": 0.125},'
	assert_line --index 7 '  {"metric": "directional_accuracy", "value": 1}'
	assert_line --index 8 ']'
	run -0 --separate-stderr pp-eval metrics -t y --format table "$T/s.csv"
	assert_line --index 0 --regexp '^metric +value$'
	assert_line --index 4 --regexp '^r2 +0\.9$'
	run -0 --separate-stderr pp-eval metrics -t y -o "$T/o.csv" "$T/s.csv"
	assert_output ""
	assert_equal "$stderr" ""
	diff -u "$T/want" "$T/o.csv"
	run -0 --separate-stderr pp-eval metrics -t y - <"$T/s.csv"
	printf '%s\n' "$output" >"$T/got"
	diff -u "$T/want" "$T/got"
}

@test "pp-train, pp-predict to a file, pp-eval the file" {
	pp-train --no-registry -m ridge -t y --exclude cls -o "$T/m.ppm" train-small.csv 2>/dev/null
	pp-predict -m "$T/m.ppm" -B -o "$T/p.ppf" train-small.csv
	run -0 --separate-stderr pp-eval metrics -t y --format csv "$T/p.ppf"
	assert_line --index 0 'metric,value'
	assert_line --index 4 --regexp '^r2,0\.[0-9]+'
	[ -z "$stderr" ]
}

@test "a frame from pp-predict -B needs no --target or --pred" {
	pp-train --no-registry -m ridge -t y --exclude cls -o "$T/m.ppm" train-small.csv 2>/dev/null
	pp-predict -m "$T/m.ppm" -B --output-col yhat -o "$T/p.ppf" train-small.csv
	run -0 pp cat --get-meta pp.prediction.target "$T/p.ppf"
	assert_output y
	run -0 pp cat --get-meta pp.prediction.column "$T/p.ppf"
	assert_output yhat
	pp-eval metrics -t y --pred yhat --format csv "$T/p.ppf" >"$T/want"
	run -0 --separate-stderr pp-eval metrics --format csv "$T/p.ppf"
	[ -z "$stderr" ]
	diff -u "$T/want" - <<<"$output"
	# given options win over the metadata: the target scored against itself
	run -0 --separate-stderr pp-eval metrics --pred y --format csv "$T/p.ppf"
	assert_line --index 2 'rmse,0'
	# through a pipe, and for backtest's prediction column too
	pp-predict -m "$T/m.ppm" -B --output-col yhat train-small.csv |
	    pp-eval backtest --ret y --bootstrap 0 --format csv >"$T/bt1"
	pp-eval backtest --pred yhat --ret y --bootstrap 0 --format csv "$T/p.ppf" >"$T/bt2"
	diff -u "$T/bt2" "$T/bt1"
}

@test "an undefined metric is printed empty, with a note" {
	printf 'y,prediction\n1,1\n1,2\n1,3\n' >"$T/c.csv"
	run -0 --separate-stderr pp-eval metrics -t y --format json "$T/c.csv"
	assert_line --index 4 '  {"metric": "r2", "value": 0},'
	assert_line --index 5 '  {"metric": "pearson", "value": null},'
	assert_line --index 6 '  {"metric": "spearman", "value": null},'
	[ "$stderr" = 'pp-eval: warning: pearson: undefined, printed empty
pp-eval: warning: spearman: undefined, printed empty' ]
	run -0 --separate-stderr pp-eval metrics -t y --format csv "$T/c.csv"
	assert_line --index 5 'pearson,'
}

@test "data errors name the column, the file and the line" {
	run -1 --separate-stderr pp-eval metrics -t nope eval-predictions.csv
	[ "$stderr" = 'pp-eval: eval-predictions.csv: missing column "nope"' ]
	[ -z "$output" ]
	run -1 --separate-stderr pp-eval metrics -t y --pred zz eval-predictions.csv
	[ "$stderr" = 'pp-eval: eval-predictions.csv: missing column "zz"' ]
	printf 'y,prediction\n1,2\n3,x\n' >"$T/bad.csv"
	run -1 --separate-stderr pp-eval metrics -t y "$T/bad.csv"
	[ "$stderr" = "pp-eval: $T/bad.csv:3: column \"prediction\": not a number: \"x\"" ]
	run -1 --separate-stderr pp-eval metrics -t y --proba eval-predictions.csv
	[ "$stderr" = 'pp-eval: eval-predictions.csv:35: column "y": target 0.0143567482487042 is not 0 or 1 (--proba)' ]
	printf 'y,prediction\n1,0.5\n2,\n' >"$T/one.csv"
	run -1 --separate-stderr pp-eval metrics -t y "$T/one.csv"
	[ "$stderr" = "pp-eval: $T/one.csv: 1 row with both \"y\" and \"prediction\": need at least 2" ]
	run -1 --separate-stderr pp-eval metrics -t y -o "$T/none.csv" nonexistent.csv
	[ "$stderr" = 'pp-eval: nonexistent.csv: No such file or directory' ]
	[ ! -e "$T/none.csv" ]
	cut -d, -f2- eval-predictions.csv >"$T/nosym.csv"
	run -1 --separate-stderr pp-eval metrics -t y --by symbol "$T/nosym.csv"
	[ "$stderr" = "pp-eval: $T/nosym.csv: missing column \"symbol\" (--by)" ]
}

@test "usage errors exit 2 with one line" {
	run -2 --separate-stderr pp-eval
	[ "$stderr" = 'pp-eval: missing command (see pp-eval --help)' ]
	run -2 --separate-stderr pp-eval bogus
	[ "$stderr" = 'pp-eval: unknown command "bogus" (see pp-eval --help)' ]
	run -2 --separate-stderr pp-eval metrics eval-predictions.csv
	[ "$stderr" = 'pp-eval: eval-predictions.csv: no --target COL given, and the frame does not name the model'"'"'s target (pp-predict -B writes it)' ]
	run -2 --separate-stderr pp-eval metrics -t
	[ "$stderr" = 'pp-eval: option --target needs an argument' ]
	run -2 --separate-stderr pp-eval metrics -t y a b
	[ "$stderr" = 'pp-eval: metrics: unexpected operand "b"' ]
	run -2 --separate-stderr pp-eval metrics -t y --by week x
	[ "$stderr" = 'pp-eval: --by: bad value "week": want symbol or date' ]
	run -2 --separate-stderr pp-eval metrics -t y --threshold 2 x
	[ "$stderr" = 'pp-eval: --threshold: bad value "2": want a number from 0 to 1' ]
	run -2 --separate-stderr pp-eval metrics -t y --format xml x
	[ "$stderr" = 'pp-eval: --format: bad value "xml": want table, csv or json' ]
	run -2 --separate-stderr pp-eval metrics -t y --rule sign x
	[ "$stderr" = 'pp-eval: unknown option --rule' ]
	[ -z "$output" ]
	run -0 --separate-stderr pp-eval metrics --help
	assert_line --index 0 'usage: pp-eval metrics [--target COL] [--pred COL] [--proba] [--threshold X] [--by symbol|date] [--format FMT] [-o FILE] [--plot FILE.svg] [--run RUN_ID | --run-from-stdin] [FILE]'
}
