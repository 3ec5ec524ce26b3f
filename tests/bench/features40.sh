#!/bin/sh
# features40.sh BIN_DIR OUT_DIR - the 40-feature spec of issue 17
# (features40-spec.txt: medians, quantiles, cs_rank and ref() among the
# usual) in pp-features and in idiomatic pandas (features40_pandas.py).
#
# On NSYM symbols x 2609 days (2000-2009) in date order (PP_BENCH_SCALE x 500
# symbols; default 0.1, 130k rows): wall time and peak RSS of
# pp-features CSV -> CSV (best of PP_BENCH_RUNS, default 3) and of pandas
# (once), and whether the two agree (to 1e-8, on the 37 columns defined
# alike).  The input is pp-fetch synth put in date order by pp sort.  Needs
# /usr/bin/time and python3-pandas.  Report the load average with the
# figures: the times are wall clock.
set -eu
[ $# -eq 2 ] || { echo "usage: features40.sh BIN_DIR OUT_DIR" >&2; exit 2; }
bin=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
runs=${PP_BENCH_RUNS:-3}
scale=${PP_BENCH_SCALE:-0.1}
nsym=$(awk -v s="$scale" 'BEGIN { n = int(500 * s); print n < 2 ? 2 : n }')
in=$out/prices40-$nsym.csv
if [ ! -s "$in" ]; then
	"$bin/pp-fetch" synth --symbols "$(awk -v n="$nsym" 'BEGIN {
	    for (i = 0; i < n; i++) printf "%sS%04d", i ? "," : "", i }')" \
	    --start 2000-01-03 --end 2009-12-31 --seed 7 -o "$in.tmp"
	"$bin/pp" sort -o "$in" "$in.tmp"
	rm -f "$in.tmp"
fi
rows=$(($(wc -l <"$in") - 1))

# measure CMD...: wall seconds and peak RSS (KB) of CMD into $secs, $rss.
measure() {
	/usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >/dev/null
	read -r secs rss <"$out/time.txt"
}

best=
for i in $(seq "$runs"); do
	measure "$bin/pp-features" -F "$here/features40-spec.txt" --only \
	    -o "$out/pp40.csv" "$in"
	if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
		best=$secs; bestrss=$rss
	fi
done
measure /usr/bin/python3 "$here/features40_pandas.py" "$in" "$out/pd40.csv"
echo "features40: $rows rows, $nsym symbols, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pp-features  ${best}s  ${bestrss} KB"
echo "pandas       ${secs}s  ${rss} KB"
awk -v a="$secs" -v b="$best" 'BEGIN { printf "pandas / pp-features: %.1fx\n", a / b }'
/usr/bin/python3 "$here/features40_pandas.py" --check "$out/pp40.csv" "$out/pd40.csv"
