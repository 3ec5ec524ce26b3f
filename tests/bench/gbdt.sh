#!/bin/sh
# gbdt.sh BIN_DIR OUT_DIR: pp-train -m gbdt and pp-predict against
# pandas + python3-xgboost on the 1.26M-row, 12-feature frame of train.sh
# (issue 18).
#
# The frame is train.sh's (derived here the same way when train.sh has not
# made it yet).  Both sides fit 300 trees of depth 4, learning rate 0.05,
# tree_method hist, on the same number of threads (THREADS, default 2):
#   pp-train gbdt on CSV and on binary, end to end (read, fit, write)
#   python: pandas.read_csv + xgboost.XGBRegressor.fit + save_model
#   pp-predict over every row, CSV in and out, and binary in and out
#   python: read_csv + Booster.predict + to_csv
# Each command runs once under /usr/bin/time (wall seconds, CPU seconds
# (user + system: steadier than wall time on a loaded machine), peak RSS).
# Targets: training no slower end to end, prediction >= 5x faster end to
# end, peak RSS at most half of Python's.  Prints the table and writes
# OUT_DIR/gbdt.txt.
set -eu

bin=$1
out=$2
threads=${THREADS:-2}
PATH=$bin:$PATH
export PATH
prices=$out/prices.csv
[ -s "$prices" ] || { echo "gbdt.sh: $prices: missing" >&2; exit 1; }
py=/usr/bin/python3
$py -c 'import pandas, xgboost' 2>/dev/null ||
	{ echo "gbdt.sh: python3-pandas and python3-xgboost are needed" >&2; exit 1; }

feat=$out/train-features.csv
featb=$out/train-features.ppf
if [ ! -s "$featb" ] || [ "$prices" -nt "$featb" ]; then
	echo "gbdt.sh: deriving the feature frame (as train.sh)" >&2
	awk -F, -v OFS=, '
	NR == 1 {
		print "symbol,date,r1,r2,hl,oc,gap,lv,dlv,co,ho,lo,r1sq,hlr,y"
		next
	}
	{
		s = $1; d = $2; o = $3; h = $4; l = $5; c = $6; v = $7
		if (s == ps && have) {
			r1 = log(c / pc); lv = log(v + 1)
			if (row != "")
				print row, r1
			row = s OFS d OFS r1 OFS pr1 OFS (h - l) / c OFS \
			    (c - o) / o OFS (o - pc) / pc OFS lv OFS lv - plv OFS \
			    (c - l) / (h - l + 1e-9) OFS h / o - 1 OFS l / o - 1 OFS r1 * r1 OFS \
			    (h - l) / (ph - pl + 1e-9)
			pr1 = r1
		} else {
			row = ""; pr1 = 0
		}
		ps = s; pc = c; ph = h; pl = l; plv = log(v + 1); have = 1
	}' "$prices" >"$feat"
	pp cat -B -o "$featb" "$feat"
fi
rows=$(($(wc -l <"$feat") - 1))

rows_file=$out/gbdt.rows
: >"$rows_file"
run() {
	name=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$out/gbdt-time.txt" "$@" >/dev/null
	read -r t kb u s <"$out/gbdt-time.txt"
	printf '%s\t%s\t%s\t%s\n' "$name" "$t" "$kb" \
	    "$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')" >>"$rows_file"
}

cat >"$out/gbdt-fit.py" <<'END'
import sys
import pandas as pd
import xgboost as xgb
df = pd.read_csv(sys.argv[1])
X = df.drop(columns=["symbol", "date", "y"])
m = xgb.XGBRegressor(n_estimators=300, learning_rate=0.05, max_depth=4,
                     tree_method="hist", n_jobs=int(sys.argv[3]))
m.fit(X, df["y"])
m.save_model(sys.argv[2])
END
cat >"$out/gbdt-predict.py" <<'END'
import sys
import pandas as pd
import xgboost as xgb
b = xgb.Booster(model_file=sys.argv[2])
b.set_param({"nthread": int(sys.argv[3])})
df = pd.read_csv(sys.argv[1])
X = df.drop(columns=["symbol", "date", "y"])
df["prediction"] = b.predict(xgb.DMatrix(X))
df.to_csv("/dev/null", index=False)
END

args="-m gbdt -t y --n-estimators 300 --max-depth 4 --learning-rate 0.05 --threads $threads --no-registry"
# shellcheck disable=SC2086
run "pp-train gbdt CSV" pp-train $args -q -o "$out/gbdt.ppm" "$feat"
# shellcheck disable=SC2086
run "pp-train gbdt binary" pp-train $args -q -o "$out/gbdt.ppm" "$featb"
run "pandas+xgboost fit" $py "$out/gbdt-fit.py" "$feat" "$out/gbdt-py.ubj" "$threads"
run "pp-predict gbdt CSV" pp-predict -m "$out/gbdt.ppm" -o /dev/null "$feat"
run "pp-predict gbdt binary" pp-predict -m "$out/gbdt.ppm" -B -o /dev/null "$featb"
run "pandas+xgboost predict" $py "$out/gbdt-predict.py" "$feat" "$out/gbdt-py.ubj" "$threads"

awk -F'\t' -v rows="$rows" -v threads="$threads" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" '
function verdict(ok) { return ok ? "ok" : "MISSED" }
{ t[$1] = $2; kb[$1] = $3; cpu[$1] = $4; order[n++] = $1 }
END {
	printf "%-30s %9s %9s %10s\n", "command (" rows " rows, 12 features)", "seconds", "CPU s", "peak RSS"
	for (i = 0; i < n; i++)
		printf "%-30s %9.2f %9.2f %6.1f MiB\n", order[i], t[order[i]], cpu[order[i]], kb[order[i]] / 1024
	printf "(300 trees, depth 4, %d threads; load average before: %s)\n", threads, load
	py = t["pandas+xgboost fit"]; c = t["pp-train gbdt CSV"]; b = t["pp-train gbdt binary"]
	printf "train: end to end %.2fx (CSV), %.2fx (binary) as fast; no slower: %s\n",
	    py / c, py / b, verdict(c <= py)
	printf "train: peak RSS %.1f MiB (CSV) vs %.1f MiB; at most half: %s\n",
	    kb["pp-train gbdt CSV"] / 1024, kb["pandas+xgboost fit"] / 1024,
	    verdict(2 * kb["pp-train gbdt CSV"] <= kb["pandas+xgboost fit"])
	p = t["pandas+xgboost predict"]
	printf "predict: %.1fx (CSV), %.1fx (binary) faster; >= 5x: %s\n",
	    p / t["pp-predict gbdt CSV"], p / t["pp-predict gbdt binary"],
	    verdict(p / t["pp-predict gbdt CSV"] >= 5)
	printf "predict: peak RSS %.1f MiB (CSV) vs %.1f MiB; at most half: %s\n",
	    kb["pp-predict gbdt CSV"] / 1024, kb["pandas+xgboost predict"] / 1024,
	    verdict(2 * kb["pp-predict gbdt CSV"] <= kb["pandas+xgboost predict"])
}' "$rows_file" >"$out/gbdt.txt"
rm -f "$rows_file" "$out/gbdt-time.txt" "$out/gbdt-fit.py" \
    "$out/gbdt-predict.py"
cat "$out/gbdt.txt"
