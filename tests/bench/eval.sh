#!/bin/sh
# eval.sh BIN_DIR OUT_DIR: pp-eval against pandas + sklearn.metrics on the
# 1.26M-row frame (issue 13).
#
# The predictions frame is derived from OUT_DIR/prices.csv (made by
# tests/bench/run) with awk, per symbol: y, tomorrow's log return, and a
# deterministic prediction (minus today's log return, a reversal signal);
# rows without a yesterday or a tomorrow are left out.  CSV and binary,
# made once.
#
# Each command runs PP_BENCH_RUNS times (default 3) under /usr/bin/time,
# keeping the best wall seconds and the largest peak RSS:
#   pp-eval metrics -t y, CSV and binary; tests/bench/eval_pandas.py metrics
#   pp-eval backtest --ret y --rule quantile:5 (with its default 2000
#   bootstrap resamples, which the peer does not do), CSV and binary;
#   eval_pandas.py backtest 5
# The two sides' numbers are compared (1e-9 relative) before timing counts.
# Targets: >= 20x faster end to end (CSV), metrics peak RSS < 64 MB.
# Prints the table and writes OUT_DIR/eval.txt.
set -eu

bin=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
PATH=$bin:$PATH
export PATH
prices=$out/prices.csv
[ -s "$prices" ] || { echo "eval.sh: $prices: missing" >&2; exit 1; }
py=/usr/bin/python3
$py -c 'import pandas, sklearn, scipy' 2>/dev/null ||
	{ echo "eval.sh: python3-pandas, -sklearn and -scipy are needed" >&2; exit 1; }

preds=$out/eval-preds.csv
predsb=$out/eval-preds.ppf
if [ ! -s "$predsb" ] || [ "$prices" -nt "$predsb" ]; then
	echo "eval.sh: deriving the predictions frame" >&2
	awk -F, -v OFS=, '
	NR == 1 { print "symbol,date,y,prediction"; next }
	{
		s = $1; c = $6
		if (s == ps) {
			r = log(c / pc)
			if (row != "")
				print row, r, pred
			row = s OFS $2; pred = -r
		} else {
			row = ""
		}
		ps = s; pc = c
	}' "$prices" >"$preds"
	pp cat -B -o "$predsb" "$preds"
fi
rows=$(($(wc -l <"$preds") - 1))

rows_file=$out/eval.rows
: >"$rows_file"
# run NAME CMD...: the best wall time of $runs runs (PP_BENCH_RUNS, default
# 3: a single run moved by a third between two runs on an idle machine)
# and the largest peak RSS; stdout kept in OUT_DIR/eval-NAME.out.
runs=${PP_BENCH_RUNS:-3}
run() {
	name=$1
	shift
	best= maxkb=0 i=0
	while [ "$i" -lt "$runs" ]; do
		/usr/bin/time -f '%e %M' -o "$out/eval-time.txt" "$@" \
		    >"$out/eval-$(echo "$name" | tr ' +:' '___').out"
		read -r t kb <"$out/eval-time.txt"
		if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then
			best=$t
		fi
		[ "$kb" -gt "$maxkb" ] && maxkb=$kb
		i=$((i + 1))
	done
	printf '%s\t%s\t%s\n' "$name" "$best" "$maxkb" >>"$rows_file"
}

run "pp-eval metrics CSV" pp-eval metrics -t y --format csv "$preds"
run "pp-eval metrics binary" pp-eval metrics -t y --format csv "$predsb"
run "pandas metrics" $py "$here/eval_pandas.py" metrics "$preds"
run "pp-eval backtest CSV" pp-eval backtest --ret y --rule quantile:5 --format csv "$preds"
run "pp-eval backtest binary" pp-eval backtest --ret y --rule quantile:5 --format csv "$predsb"
run "pandas backtest" $py "$here/eval_pandas.py" backtest "$preds" 5

# The same numbers on both sides, or the timing means nothing.
$py - "$out" <<'END'
import csv, sys
o = sys.argv[1]
for ours, theirs in (("pp-eval_metrics_CSV", "pandas_metrics"),
                     ("pp-eval_backtest_CSV", "pandas_backtest")):
    a = dict(list(csv.reader(open(f"{o}/eval-{ours}.out")))[1:])
    b = dict(list(csv.reader(open(f"{o}/eval-{theirs}.out")))[1:])
    for k, v in b.items():
        x, y = float(a[k]), float(v)
        assert abs(x - y) <= 1e-9 * abs(y) + 1e-15, (ours, k, x, y)
END

awk -F'\t' -v rows="$rows" '
function verdict(ok) { return ok ? "ok" : "MISSED" }
{ t[$1] = $2; kb[$1] = $3; order[n++] = $1 }
END {
	printf "%-28s %9s %10s\n", "command (" rows " rows)", "seconds", "peak RSS"
	for (i = 0; i < n; i++)
		printf "%-28s %9.2f %6.1f MiB\n", order[i], t[order[i]], kb[order[i]] / 1024
	for (k = 0; k < 2; k++) {
		c = k ? "backtest" : "metrics"
		p = t["pandas " c]; a = t["pp-eval " c " CSV"]; b = t["pp-eval " c " binary"]
		if (a < 0.01) a = 0.01
		if (b < 0.01) b = 0.01
		printf "%s: %.1fx (CSV), %.1fx (binary) faster; >= 20x: %s\n",
		    c, p / a, p / b, verdict(p / a >= 20)
	}
	printf "metrics: peak RSS %.1f MiB (CSV), %.1f MiB (binary); < 64 MB: %s\n",
	    kb["pp-eval metrics CSV"] / 1024, kb["pp-eval metrics binary"] / 1024,
	    verdict(kb["pp-eval metrics CSV"] * 1024 < 64e6 && kb["pp-eval metrics binary"] * 1024 < 64e6)
}' "$rows_file" >"$out/eval.txt"
rm -f "$rows_file" "$out/eval-time.txt" "$out"/eval-*.out
cat "$out/eval.txt"
