#!/bin/sh
# features.sh BIN_DIR OUT_DIR - pp-features against Polars and pandas
# (issues 4 and 19).
#
# On 500 symbols x 2520 days (1.26M rows, interleaved by date as a feed)
# with the twelve features and the target of testdata/features-spec.txt:
#   - pp-features CSV -> CSV and binary -> binary: wall time (best of
#     PP_BENCH_RUNS, default 3), rows/s, peak RSS (/usr/bin/time -v);
#   - tests/bench/features_polars.js, the same features in Polars through
#     nodejs-polars (best of PP_BENCH_RUNS), its output checked against
#     pp-features' (csv_agree.awk, to 1e-9) before its time counts.  The
#     pinned nodejs-polars is installed here, into OUT_DIR/node_modules
#     with npm; without npm or the registry the Polars peer is skipped
#     with a message;
#   - tests/bench/features_pandas.py, the same features in pandas, run with
#     Debian's /usr/bin/python3 and python3-pandas (once: it is slow), its
#     output checked the same way past each symbol's first 500 rows
#     (pandas seeds the Wilder averages and the macd signal differently);
#   - the ratios, and pp-features' peak RSS on 10x the rows (5000 symbols).
# Inputs are generated once into OUT_DIR (about 800 MB with the 10x set)
# with a fixed seed; PP_BENCH_SCALE=0.1 makes everything ten times smaller
# for a quick try.  Needs /usr/bin/time and python3-pandas
# (scripts/install-deps bench), node and npm for Polars.
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
polars_pkgs="nodejs-polars@0.25.2 nodejs-polars-linux-x64-gnu@0.25.2"

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

# polars_setup: install the pinned nodejs-polars into $out/node_modules
# once; 1 (and why, on stdout) when it cannot be had.
polars_setup() {
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		echo "  Polars: skipped: node or npm not installed"
		return 1
	fi
	if node -e 'process.exit(require(process.argv[1]).version === "0.25.2" ? 0 : 1)' \
	    "$out/node_modules/nodejs-polars/package.json" 2>/dev/null; then
		return 0
	fi
	if ! timeout 600 npm install --prefix "$out" --no-save \
	    --no-package-lock --no-audit --no-fund --loglevel=error \
	    $polars_pkgs >"$out/npm.log" 2>&1; then
		why=$(grep -m 1 -e FetchError -e '^npm error 4' "$out/npm.log" ||
		    grep -m 1 '^npm error' "$out/npm.log" || :)
		echo "  Polars: skipped: npm install $polars_pkgs failed" \
		    "(registry unreachable?): ${why#npm error }"
		return 1
	fi
}

# agree A B [WARM]: do the outputs agree (csv_agree.awk)?  Prints why not.
agree() {
	awk -F, -v other="$2" -v warm="${3:-0}" -f "$top/tests/bench/csv_agree.awk" "$1"
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

if polars_setup; then
	rm -f "$out/features-polars.csv"
	# A first run to check the output against pp-features'; its time
	# does not count.
	if ! NODE_PATH=$out/node_modules node "$top/tests/bench/features_polars.js" \
	    "$in" "$out/features-polars.csv" 2>"$out/polars.err"; then
		why=$(grep -m 1 'Error' "$out/polars.err" || tail -n 1 "$out/polars.err")
		echo "  Polars: skipped: features_polars.js failed: $why"
	elif a=$(agree "$out/features-out.csv" "$out/features-polars.csv"); then
		best env NODE_PATH="$out/node_modules" node \
		    "$top/tests/bench/features_polars.js" "$in" \
		    "$out/features-polars.csv"
		report "Polars CSV -> CSV" "$bsecs" "$brss" "$rows"
		echo "  Polars output: $a"
		awk -v p="$bsecs" -v c="$csv_s" -v b="$bin_s" 'BEGIN {
			printf "  ratio to Polars: CSV %.1fx (target >= 3x), binary %.1fx (target >= 6x)\n",
			    p / c, p / b }'
	else
		echo "  Polars: outputs disagree, not timed: $a"
	fi
fi

if "$py" -c 'import pandas' 2>/dev/null; then
	measure "$py" "$top/tests/bench/features_pandas.py" "$in" \
	    "$out/features-pandas.csv"
	report "pandas CSV -> CSV" "$secs" "$rss" "$rows"
	if a=$(agree "$out/features-out.csv" "$out/features-pandas.csv" 500); then
		echo "  pandas output: $a (past 500 rows a symbol)"
		awk -v p="$secs" -v c="$csv_s" -v b="$bin_s" 'BEGIN {
			printf "  ratio to pandas: CSV %.1fx (target >= 30x), binary %.1fx\n",
			    p / c, p / b }'
	else
		echo "  pandas: outputs disagree, ratio not counted: $a"
	fi
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
