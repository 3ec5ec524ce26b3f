#!/bin/sh
# features.sh BIN_DIR OUT_DIR - pp-features against pandas (issue 4).
#
# On 500 symbols x 2520 days (1.26M rows, interleaved by date as a feed)
# with the twelve features and the target of testdata/features-spec.txt:
#   - pp-features CSV -> CSV and binary -> binary: wall time (best of
#     PP_BENCH_RUNS, default 3), rows/s, peak RSS (/usr/bin/time -v);
#   - tests/bench/features_pandas.py, the same features in pandas, run with
#     Debian's /usr/bin/python3 and python3-pandas (once: it is slow);
#   - the ratios, and pp-features' peak RSS on 10x the rows (5000 symbols).
# Inputs are generated once into OUT_DIR (about 800 MB with the 10x set)
# with a fixed seed; PP_BENCH_SCALE=0.1 makes everything ten times smaller
# for a quick try.  Needs /usr/bin/time and python3-pandas
# (scripts/install-deps bench).
set -eu
[ $# -eq 2 ] || { echo "usage: features.sh BIN_DIR OUT_DIR" >&2; exit 2; }
bin=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
spec=$top/testdata/features-spec.txt
runs=${PP_BENCH_RUNS:-3}
scale=${PP_BENCH_SCALE:-1}
py=/usr/bin/python3

nsym=$(awk -v s="$scale" 'BEGIN { n = int(500 * s); print n < 1 ? 1 : n }')
ndays=2520
rows=$((nsym * ndays))

# gen NSYM NDAYS: a random-walk OHLCV frame, all symbols of a day together.
gen() {
	"$py" - "$1" "$2" <<-'EOF'
	import datetime, math, random, sys
	nsym, ndays = int(sys.argv[1]), int(sys.argv[2])
	rnd = random.Random(7)
	syms = ["S%04d" % i for i in range(nsym)]
	px = [rnd.uniform(10, 500) for _ in syms]
	d = datetime.date(2000, 1, 3)
	w = sys.stdout.write
	w("symbol,date,open,high,low,close,volume\n")
	n = 0
	while n < ndays:
	    if d.weekday() < 5:
	        ds = d.isoformat()
	        out = []
	        for i, s in enumerate(syms):
	            o = px[i]
	            c = o * math.exp(rnd.gauss(0.0002, 0.02))
	            h = max(o, c) * (1 + 0.01 * rnd.random())
	            l = min(o, c) * (1 - 0.01 * rnd.random())
	            px[i] = c
	            out.append("%s,%s,%.2f,%.2f,%.2f,%.2f,%d\n" % (s, ds, o, h,
	                l, c, rnd.randint(100000, 5000000)))
	        w("".join(out))
	        n += 1
	    d += datetime.timedelta(days=1)
	EOF
}

# measure CMD...: run CMD, set $secs (wall) and $rss (peak KB).
measure() {
	/usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" > /dev/null
	read -r secs rss < "$out/time.txt"
}

# best CMD...: best wall time of $runs runs, and the largest peak RSS.
best() {
	bsecs= brss=0
	i=0
	while [ $i -lt "$runs" ]; do
		measure "$@"
		if [ -z "$bsecs" ] || awk -v a="$secs" -v b="$bsecs" 'BEGIN { exit !(a < b) }'; then
			bsecs=$secs
		fi
		[ "$rss" -gt "$brss" ] && brss=$rss
		i=$((i + 1))
	done
}

report() {	# LABEL SECS RSS_KB ROWS
	awk -v l="$1" -v s="$2" -v m="$3" -v n="$4" 'BEGIN {
		printf "  %-28s %8.2f s %10.0f rows/s   peak RSS %7.1f MB\n",
		    l, s, n / s, m / 1024 }'
}

in=$out/features-in-$nsym.csv
[ -s "$in" ] || gen "$nsym" "$ndays" > "$in"
[ -s "$out/features-in-$nsym.ppf" ] ||
	"$bin/pp" cat -B -o "$out/features-in-$nsym.ppf" "$in"

echo "pp-features bench: $nsym symbols x $ndays days = $rows rows;" \
    "12 features + target ($spec)"

best "$bin/pp-features" -F "$spec" -o "$out/features-out.csv" "$in"
csv_s=$bsecs csv_m=$brss
report "pp-features CSV -> CSV" "$csv_s" "$csv_m" "$rows"
best "$bin/pp-features" -B -F "$spec" -o "$out/features-out.ppf" \
    "$out/features-in-$nsym.ppf"
bin_s=$bsecs bin_m=$brss
report "pp-features binary -> binary" "$bin_s" "$bin_m" "$rows"

if "$py" -c 'import pandas' 2>/dev/null; then
	measure "$py" "$top/tests/bench/features_pandas.py" "$in" \
	    "$out/features-pandas.csv"
	report "pandas CSV -> CSV" "$secs" "$rss" "$rows"
	awk -v p="$secs" -v c="$csv_s" -v b="$bin_s" 'BEGIN {
		printf "  ratio to pandas: CSV %.1fx, binary %.1fx (target >= 10x, aim 20x)\n",
		    p / c, p / b }'
else
	echo "  pandas: not installed (scripts/install-deps bench)"
fi

# 10x the rows: ten renamed copies of each symbol, still by date.
in10=$out/features-in-$nsym-x10.csv
if [ ! -s "$in10" ]; then
	awk -F, -v OFS=, 'NR == 1 { print; next }
	    { s = $1; for (k = 0; k < 10; k++) { $1 = s "_" k; print } }' \
	    "$in" > "$in10"
fi
[ -s "$out/features-in-$nsym-x10.ppf" ] ||
	"$bin/pp" cat -B -o "$out/features-in-$nsym-x10.ppf" "$in10"
measure "$bin/pp-features" -F "$spec" -o "$out/features-out-x10.csv" "$in10"
report "10x rows CSV -> CSV" "$secs" "$rss" $((rows * 10))
measure "$bin/pp-features" -B -F "$spec" -o "$out/features-out-x10.ppf" \
    "$out/features-in-$nsym-x10.ppf"
report "10x rows binary -> binary" "$secs" "$rss" $((rows * 10))
rm -f "$out/time.txt" "$out/features-out-x10.csv" "$out/features-out-x10.ppf"
