#!/bin/sh
# frames.sh BIN_DIR OUT_DIR: how fast pp cat converts frames, and how much
# memory it needs.
#
# On OUT_DIR/prices.csv and prices.ppf (made by tests/bench/run), hyperfine
# times pp cat CSV->binary, binary->CSV, CSV->CSV and binary->binary
# (warm-up 1, 5 runs, output to /dev/null); rows/s and MB/s are the input's
# rows and bytes over the mean time, and for CSV output also the output's
# bytes, which is what "CSV write" speed means.  Peak RSS comes from
# /usr/bin/time -v, on the frame and on a frame of ten times its rows (ten
# copies concatenated by pp cat), to show that memory does not grow with
# the input.
# Prints the table and writes it to OUT_DIR/frames.txt.
set -eu

bin=$1
out=$2
PATH=$bin:$PATH
export PATH
csv=$out/prices.csv
ppf=$out/prices.ppf
for f in "$csv" "$ppf"; do
	[ -s "$f" ] || { echo "frames.sh: $f: missing" >&2; exit 1; }
done
command -v hyperfine >/dev/null ||
	{ echo "frames.sh: hyperfine not installed (scripts/install-deps bench)" >&2; exit 1; }

rows=$(($(wc -l <"$csv") - 1))
csv_bytes=$(wc -c <"$csv")
ppf_bytes=$(wc -c <"$ppf")

# mean JSON: the mean time in seconds from a hyperfine export.
mean() {
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$1"
}

# peak_kb CMD...: peak resident set size of CMD in kB (stdout discarded).
peak_kb() {
	/usr/bin/time -v -o "$out/frames-time.txt" "$@" >/dev/null
	awk -F': ' '/Maximum resident set size/ { print $2 }' "$out/frames-time.txt"
}

# quote ARG...: the arguments as one shell-quoted string, for hyperfine -N.
quote() {
	for a; do
		printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
	done
}

# bench_case ID NAME IN_BYTES OUT_BYTES TARGET_KIND CMD...: one row of the table.
# TARGET_KIND: parse (input MB/s >= 150), write (output MB/s >= 100),
# binary (input MB/s >= 1000) or csv (CSV -> CSV: no rate target).
table=$out/frames.txt
: >"$table.rows"
bench_case() {
	id=$1 name=$2 inb=$3 outb=$4 kind=$5
	shift 5
	json=$out/frames-$id.json
	hyperfine -N --warmup 1 --runs 5 --style none --output null \
	    --export-json "$json" -n "$name" -- "$(quote "$@")" >/dev/null
	t=$(mean "$json")
	kb=$(peak_kb "$@")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$t" "$inb" "$outb" "$kb" \
	    "$kind" >>"$table.rows"
}

bench_case csv2bin "CSV -> binary" "$csv_bytes" "$ppf_bytes" parse pp cat -B "$csv"
bench_case bin2csv "binary -> CSV" "$ppf_bytes" "$csv_bytes" write pp cat "$ppf"
bench_case csv2csv "CSV -> CSV" "$csv_bytes" "$csv_bytes" csv pp cat "$csv"
bench_case bin2bin "binary -> binary" "$ppf_bytes" "$ppf_bytes" binary pp cat -B "$ppf"

# Ten times the rows in one frame each way (made by pp cat itself, and
# removed after: they are large).
pp cat -o "$out/big10.csv" "$csv" "$csv" "$csv" "$csv" "$csv" \
    "$csv" "$csv" "$csv" "$csv" "$csv"
pp cat -B -o "$out/big10.ppf" "$ppf" "$ppf" "$ppf" "$ppf" "$ppf" \
    "$ppf" "$ppf" "$ppf" "$ppf" "$ppf"
kb_csv10=$(peak_kb pp cat -B "$out/big10.csv")
kb_ppf10=$(peak_kb pp cat "$out/big10.ppf")
rm -f "$out/big10.csv" "$out/big10.ppf"

awk -F'\t' -v rows="$rows" -v kb_csv10="$kb_csv10" -v kb_ppf10="$kb_ppf10" '
function verdict(ok) { return ok ? "ok" : "MISSED" }
BEGIN {
	printf "%-17s %10s %9s %9s %9s  %s\n", "pp cat", "rows/s", "in MB/s",
	    "out MB/s", "peak RSS", "target"
}
{
	t = $2; inmb = $3 / t / 1e6; outmb = $4 / t / 1e6; rss = $5 / 1024
	if ($6 == "parse")
		tgt = sprintf("CSV parse >= 150 MB/s: %s", verdict(inmb >= 150))
	else if ($6 == "write")
		tgt = sprintf("CSV write >= 100 MB/s: %s", verdict(outmb >= 100))
	else if ($6 == "binary")
		tgt = sprintf("binary >= 1 GB/s: %s", verdict(inmb >= 1000))
	else
		tgt = "no rate target (parses and writes CSV)"
	tgt = tgt sprintf("; RSS < 32 MiB: %s", verdict(rss < 32))
	printf "%-17s %9.2fM %9.1f %9.1f %5.1f MiB  %s\n", $1, rows / t / 1e6,
	    inmb, outmb, rss, tgt
}
END {
	printf "peak RSS, 10x the rows (%d): CSV -> binary %.1f MiB, " \
	    "binary -> CSV %.1f MiB; < 32 MiB: %s\n", rows * 10, kb_csv10 / 1024,
	    kb_ppf10 / 1024, verdict(kb_csv10 < 32768 && kb_ppf10 < 32768)
	printf "input: %d rows, CSV %.1f MB, binary %.1f MB\n", rows,
	    csv / 1e6, ppf / 1e6
}' csv="$csv_bytes" ppf="$ppf_bytes" "$table.rows" >"$table"
rm -f "$table.rows" "$out/frames-time.txt"
cat "$table"
