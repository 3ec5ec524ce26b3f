#!/bin/sh
# train.sh BIN_DIR OUT_DIR: pp-train and pp-predict against pandas +
# scikit-learn on a 1.26M-row frame with 12 features (issue 6).
#
# The feature frame is derived from OUT_DIR/prices.csv (made by
# tests/bench/run) with awk, per symbol: 12 features from today's and
# yesterday's bar (returns, ranges, gaps, log volume, ...) and the target y,
# tomorrow's return; rows without a yesterday or a tomorrow are left out.
# It is written as CSV and as a binary frame, once.
#
# Each command runs once under /usr/bin/time (wall seconds, peak RSS):
#   pp-train ols / ridge on CSV and on binary (read, fit, write the model)
#   python: pandas.read_csv + sklearn LinearRegression / Ridge fit, end to
#           end, and the fit alone (timed inside Python)
#   pp-train's fit alone: the same ols run on the binary frame minus
#           pp cat of that frame to /dev/null (the read)
#   pp-predict over every row, CSV in and out, and binary in and out
#   python: read_csv + predict + to_csv
# Targets: train end to end >= 5x faster, fit no slower, predict >= 20x
# faster CSV to CSV and >= 100x binary to binary (issue 19), peak RSS
# < 64 MB.  Prints the table and writes OUT_DIR/train.txt.
set -eu

bin=$1
out=$2
PATH=$bin:$PATH
export PATH
prices=$out/prices.csv
[ -s "$prices" ] || { echo "train.sh: $prices: missing" >&2; exit 1; }
py=/usr/bin/python3
$py -c 'import pandas, sklearn' 2>/dev/null ||
	{ echo "train.sh: python3-pandas and python3-sklearn are needed" >&2; exit 1; }

feat=$out/train-features.csv
featb=$out/train-features.ppf
if [ ! -s "$featb" ] || [ "$prices" -nt "$featb" ]; then
	echo "train.sh: deriving the feature frame" >&2
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

# run NAME CMD...: one timed run; appends "NAME<TAB>seconds<TAB>kB".
rows_file=$out/train.rows
: >"$rows_file"
run() {
	name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$out/train-time.txt" "$@" >/dev/null
	read -r t kb <"$out/train-time.txt"
	printf '%s\t%s\t%s\n' "$name" "$t" "$kb" >>"$rows_file"
}

# The Python side, as scripts /usr/bin/time can run.  The fit script
# prints its fit-only time ("NAME<TAB>seconds") on stderr.
cat >"$out/train-fit.py" <<'END'
import sys, time
import pandas as pd
from sklearn.linear_model import LinearRegression, Ridge
df = pd.read_csv(sys.argv[1])
X = df.drop(columns=["symbol", "date", "y"]).to_numpy()
y = df["y"].to_numpy()
t1 = time.perf_counter()
m = (LinearRegression() if sys.argv[2] == "ols" else Ridge(alpha=1.0)).fit(X, y)
t2 = time.perf_counter()
print(f"sklearn {sys.argv[2]} fit only\t{t2 - t1:.3f}", file=sys.stderr)
END
cat >"$out/train-predict.py" <<'END'
import sys
import pandas as pd
from sklearn.linear_model import LinearRegression
df = pd.read_csv(sys.argv[1])
X = df.drop(columns=["symbol", "date", "y"]).to_numpy()
m = LinearRegression().fit(X[:1000], df["y"].to_numpy()[:1000])
df["prediction"] = m.predict(X)
df.to_csv("/dev/null", index=False)
END

for m in ols ridge; do
	run "pp-train $m CSV" pp-train -m "$m" -t y --no-registry -o "$out/train-$m.ppm" "$feat"
	run "pp-train $m binary" pp-train -m "$m" -t y --no-registry -o "$out/train-$m.ppm" "$featb"
	run "pandas+sklearn $m" $py "$out/train-fit.py" "$feat" "$m" \
	    2>>"$rows_file.py"
done
run "pp cat binary (read only)" pp cat -B "$featb"
run "pp-predict CSV" pp-predict -m "$out/train-ols.ppm" -o /dev/null "$feat"
run "pp-predict binary" pp-predict -m "$out/train-ols.ppm" -B -o /dev/null "$featb"
run "pandas+sklearn predict" $py "$out/train-predict.py" "$feat"

awk -F'\t' -v rows="$rows" '
function verdict(ok) { return ok ? "ok" : "MISSED" }
FILENAME ~ /\.py$/ { fitonly[$1] = $2; next }
{ t[$1] = $2; kb[$1] = $3; order[n++] = $1 }
END {
	printf "%-28s %9s %10s\n", "command (" rows " rows, 12 features)", "seconds", "peak RSS"
	for (i = 0; i < n; i++)
		printf "%-28s %9.2f %6.1f MiB\n", order[i], t[order[i]], kb[order[i]] / 1024
	read = t["pp cat binary (read only)"]
	for (k = 0; k < 2; k++) {
		m = k ? "ridge" : "ols"
		py = t["pandas+sklearn " m]; c = t["pp-train " m " CSV"]
		b = t["pp-train " m " binary"]; f = fitonly["sklearn " m " fit only"]
		ours = b - read; if (ours < 0.01) ours = 0.01
		printf "%s: end to end %.1fx (CSV), %.1fx (binary) faster; >= 5x: %s\n",
		    m, py / c, py / b, verdict(py / c >= 5)
		printf "%s: fit %.2f s (binary run minus read) vs sklearn %.2f s; no slower: %s\n",
		    m, ours, f, verdict(ours <= f)
		printf "%s: peak RSS %.1f MiB (CSV), %.1f MiB (binary); < 64 MB: %s\n",
		    m, kb["pp-train " m " CSV"] / 1024, kb["pp-train " m " binary"] / 1024,
		    verdict(kb["pp-train " m " CSV"] * 1024 < 64e6 && kb["pp-train " m " binary"] * 1024 < 64e6)
	}
	p = t["pandas+sklearn predict"]
	printf "predict: %.1fx (CSV), %.1fx (binary) faster; >= 20x (CSV): %s; >= 100x (binary): %s\n",
	    p / t["pp-predict CSV"], p / t["pp-predict binary"], verdict(p / t["pp-predict CSV"] >= 20),
	    verdict(p / t["pp-predict binary"] >= 100)
	printf "predict: peak RSS %.1f MiB (CSV), %.1f MiB (binary); < 64 MB: %s\n",
	    kb["pp-predict CSV"] / 1024, kb["pp-predict binary"] / 1024,
	    verdict(kb["pp-predict CSV"] * 1024 < 64e6 && kb["pp-predict binary"] * 1024 < 64e6)
}' "$rows_file.py" "$rows_file" >"$out/train.txt"
rm -f "$rows_file" "$rows_file.py" "$out/train-time.txt" "$out/train-fit.py" \
    "$out/train-predict.py"
cat "$out/train.txt"
