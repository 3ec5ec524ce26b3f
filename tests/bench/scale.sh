#!/bin/sh
# scale.sh BIN_DIR OUT_DIR - how pp-features' time and memory grow with the
# rows and with the symbols (issue 19).
#
# Every run is the streamed pipeline
#   pp-fetch synth -B ... | pp-features -B -F SPEC | pp cat > /dev/null
# with the twelve features and the target of testdata/features-spec.txt,
# nothing stored on disk: 126M rows would be about 6.5 GB of CSV.  Each of
# the three programs runs under /usr/bin/time; the table gives the
# pipeline's wall time and pp-features' own CPU seconds (user + system)
# and peak RSS, and rows per second of wall time.
#   rows:    500 symbols x 2520, 25200 and 252000 business days (1.26M,
#            12.6M and 126M rows): time should grow linearly, memory not
#            at all;
#   symbols: 5000 x 252 and 50000 x 26 days (about 1.26M rows each,
#            against the 500 x 2520 above): memory should grow with the
#            symbols (each holds its windows' state and lead() rows), time
#            hardly.  50000 symbols do not fit one command line: they come
#            as CSV, 10000 symbols a pp-fetch, one after another;
#   the peak RSS of pp-features must stay under 32 MB at 1.26M and 12.6M
#   rows.
# Synth's input is grouped by symbol, so every symbol's state is made as
# it first appears and then kept: the worst case for memory, the same as
# a feed interleaved by date.  PP_BENCH_SCALE=0.1 divides the days by ten
# for a quick try; PP_BENCH_THREADS (default: none given) is passed to
# pp-features as --threads.  Prints the table and writes OUT_DIR/scale.txt.
set -eu
[ $# -eq 2 ] || { echo "usage: scale.sh BIN_DIR OUT_DIR" >&2; exit 2; }
bin=$(cd "$1" && pwd)
out=$(cd "$2" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
spec=$top/testdata/features-spec.txt
scale=${PP_BENCH_SCALE:-1}
threads=${PP_BENCH_THREADS:+--threads $PP_BENCH_THREADS}
tab=$out/scale.tab
: >"$tab"

# end_date START N: the date of the Nth business day from START (a
# weekday), counting START as the first.
end_date() {
	/usr/bin/python3 - "$1" "$2" <<-'EOF'
	import datetime, sys
	d = datetime.date.fromisoformat(sys.argv[1])
	n = int(sys.argv[2])
	while True:
	    if d.weekday() < 5:
	        n -= 1
	        if n == 0:
	            break
	    d += datetime.timedelta(days=1)
	print(d.isoformat())
	EOF
}

# synth NSYM NDAYS FIRST: the bars of symbols S<FIRST>.. S<FIRST+NSYM-1>
# as CSV, with the header when FIRST is 0.  The symbols go on the command
# line, which holds at most 128 KiB an argument: 10000 of them at a time.
synth() {
	syms=$(awk -v n="$1" -v f="$3" 'BEGIN { for (i = 0; i < n; i++)
	    printf "%sS%05d", i ? "," : "", f + i }')
	"$bin/pp-fetch" synth --symbols "$syms" --start $start --end "$end" \
	    --seed 1 | if [ "$3" -eq 0 ]; then cat; else tail -n +2; fi
}

# source NSYM NDAYS: all the bars, symbol after symbol: binary from one
# pp-fetch when NSYM fits a command line, else CSV pieces one after another.
source() {
	if [ "$1" -le 10000 ]; then
		syms=$(awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		    printf "%sS%05d", i ? "," : "", i }')
		exec "$bin/pp-fetch" synth --symbols "$syms" --start $start \
		    --end "$end" --seed 1 -B
	fi
	f=0
	while [ $f -lt "$1" ]; do
		synth 10000 "$2" $f
		f=$((f + 10000))
	done
}

# pipe LABEL NSYM NDAYS: the pipeline over NSYM symbols x NDAYS days; one
# line of the table.
pipe() {
	start=1001-01-01	# a Monday; 252000 business days end in 1966
	end=$(end_date $start "$3")
	t0=$(date +%s.%N)
	(source "$2" "$3") |
	    /usr/bin/time -f '%e %U %S %M' -o "$out/scale-feat.txt" \
	    "$bin/pp-features" $threads -B -F "$spec" |
	    /usr/bin/time -f '%e %U %S %M' -o "$out/scale-cat.txt" \
	    "$bin/pp" cat >/dev/null
	t1=$(date +%s.%N)
	read -r fe fu fs fm <"$out/scale-feat.txt"
	read -r ce cu cs cm <"$out/scale-cat.txt"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" \
	    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
	    "$(awk -v u="$fu" -v s="$fs" 'BEGIN { print u + s }')" "$fm" \
	    "$(awk -v u="$cu" -v s="$cs" 'BEGIN { print u + s }')" "$cm" >>"$tab"
}

days() {	# DAYS: scaled, at least 26 (the longest window of the spec)
	awk -v d="$1" -v s="$scale" 'BEGIN { n = int(d * s); print n < 26 ? 26 : n }'
}

echo "pp-features scale bench: synth | pp-features -B -F $(basename "$spec") | pp cat > /dev/null" \
    "(load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
pipe rows 500 "$(days 2520)"
pipe rows 500 "$(days 25200)"
pipe rows 500 "$(days 252000)"
pipe symbols 5000 "$(days 252)"
pipe symbols 50000 26

awk -F'\t' '
function verdict(ok) { return ok ? "ok" : "MISSED" }
BEGIN { nr = ns = 0 }
{
	rows = $2 * $3
	printf "%-8s %6d sym x %6d days = %10d rows: %8.1f s wall %9.0f rows/s;" \
	    " pp-features %7.1f cpu-s, peak RSS %6.1f MB; pp cat %7.1f cpu-s\n",
	    $1, $2, $3, rows, $4, rows / $4, $5, $6 / 1024, $7
	if ($1 == "rows") { r[nr] = rows; c[nr] = $5; m[nr++] = $6 }
	else { sy[ns] = $2; sm[ns] = $6; sc[ns++] = $5 }
}
END {
	for (i = 1; i < nr; i++)
		printf "rows x%.0f: pp-features cpu x%.1f (linear: x%.0f), peak RSS x%.2f\n",
		    r[i] / r[0], c[i] / (c[0] > 0.01 ? c[0] : 0.01), r[i] / r[0],
		    m[i] / m[0]
	for (i = 0; i < ns; i++)
		printf "symbols x%.0f: pp-features peak RSS x%.1f (%.1f KB a symbol more), cpu x%.1f\n",
		    sy[i] / 500, sm[i] / m[0], (sm[i] - m[0]) / (sy[i] - 500),
		    sc[i] / (c[0] > 0.01 ? c[0] : 0.01)
	printf "peak RSS under 32 MB at 1x and 10x rows: %s\n",
	    verdict(m[0] * 1024 < 32e6 && m[1] * 1024 < 32e6)
}' "$tab" | tee "$out/scale.txt"
rm -f "$tab" "$out/scale-feat.txt" "$out/scale-cat.txt"
