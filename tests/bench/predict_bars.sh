#!/bin/sh
# predict_bars.sh BIN_DIR OUT_DIR - pp-predict --from-bars against the
# pipe it replaces (issue 11).
#
# On the benchmark frame (OUT_DIR/prices.ppf, 500 symbols x 2520 days,
# made by tests/bench/run) with a ridge model of the twelve features of
# testdata/features-spec.txt (17 columns):
#   - pp-predict --from-bars prices.ppf: raw bars in, predictions out;
#   - pp-features -B -F spec prices.ppf | pp-predict: the same through a
#     binary pipe (the fastest way without --from-bars);
#   - tests/bench/predict_sklearn.py: the features in pandas
#     (features_pandas.py) and the predictions through scikit-learn, from
#     the CSV (once: it is slow);
# wall time (best of PP_BENCH_RUNS, default 3), rows/s, peak RSS, and a
# check that both wrote the same bytes once the rows are sorted (the pipe
# writes each symbol's last row at the end: the target waits for it).
set -eu
[ $# -eq 2 ] || { echo "usage: predict_bars.sh BIN_DIR OUT_DIR" >&2; exit 2; }
bin=$(cd "$1" && pwd)
out=$(cd "$2" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
spec=$top/testdata/features-spec.txt
runs=${PP_BENCH_RUNS:-3}
bars=$out/prices.ppf
[ -s "$bars" ] || { echo "predict_bars: $bars: run tests/bench/run" >&2; exit 1; }
rows=$(($(wc -l <"$out/prices.csv") - 1))

"$bin/pp-features" -F "$spec" --dropna -B -o "$out/pb-train.ppf" "$bars"
"$bin/pp-train" -m ridge --alpha 1 --standardize --target y --no-registry \
    -q -o "$out/pb-model.ppm" "$out/pb-train.ppf"

# best LABEL SH-COMMAND: best wall time of $runs runs, the largest peak RSS
# of any process in the command.
best() {
	bsecs= brss=0 i=0
	while [ $i -lt "$runs" ]; do
		/usr/bin/time -f '%e %M' -o "$out/pb-time.txt" sh -c "$2" >/dev/null
		read -r secs rss <"$out/pb-time.txt"
		if [ -z "$bsecs" ] || awk -v a="$secs" -v b="$bsecs" 'BEGIN { exit !(a < b) }'; then
			bsecs=$secs
		fi
		[ "$rss" -gt "$brss" ] && brss=$rss
		i=$((i + 1))
	done
	awk -v l="$1" -v s="$bsecs" -v m="$brss" -v n="$rows" 'BEGIN {
		printf "  %-40s %7.2f s %10.0f rows/s   peak RSS %7.1f MB\n",
		    l, s, n / s, m / 1024 }'
}

echo "pp-predict --from-bars bench: $rows rows of raw bars, ridge on the" \
    "17 feature columns of $spec"
m=$out/pb-model.ppm
best "pp-predict --from-bars (binary in, CSV out)" \
    "'$bin/pp-predict' -m '$m' --from-bars --only -o '$out/pb-a.csv' '$bars'"
a=$bsecs
best "pp-features -B | pp-predict (CSV out)" \
    "'$bin/pp-features' -B -F '$spec' '$bars' | '$bin/pp-predict' -m '$m' --only -o '$out/pb-b.csv'"
b=$bsecs
if /usr/bin/python3 -c 'import pandas, sklearn' 2>/dev/null; then
	"$bin/pp-train" --describe "$m" >"$out/pb-model.txt"
	/usr/bin/time -f '%e %M' -o "$out/pb-time.txt" /usr/bin/python3 \
	    "$top/tests/bench/predict_sklearn.py" "$out/prices.csv" \
	    "$out/pb-model.txt" "$out/pb-c.csv"
	read -r secs rss <"$out/pb-time.txt"
	awk -v s="$secs" -v m="$rss" -v n="$rows" -v a="$a" 'BEGIN {
		printf "  %-40s %7.2f s %10.0f rows/s   peak RSS %7.1f MB\n",
		    "pandas features + sklearn predict", s, n / s, m / 1024
		printf "  --from-bars is %.1fx the speed of pandas + sklearn\n", s / a }'
	rm -f "$out/pb-c.csv" "$out/pb-model.txt"
else
	echo "  pandas + sklearn: not installed (scripts/install-deps bench)"
fi
sort "$out/pb-a.csv" >"$out/pb-a.sorted"
sort "$out/pb-b.csv" >"$out/pb-b.sorted"
if cmp -s "$out/pb-a.sorted" "$out/pb-b.sorted"; then same=yes; else same=NO; fi
awk -v a="$a" -v b="$b" -v s="$same" 'BEGIN {
	printf "  --from-bars is %.2fx the speed of the pipe; same predictions: %s\n",
	    b / a, s }'
rm -f "$out/pb-time.txt" "$out/pb-a.sorted" "$out/pb-b.sorted" \
    "$out/pb-a.csv" "$out/pb-b.csv" "$out/pb-train.ppf"
[ "$same" = yes ]
