#!/usr/bin/env bats
# t0190: pp shard I/N and pp-fetch --shard I/N, per-symbol shards.
#
# Plan:
#   - the published hash: for 40 symbols and N = 3 and 7, the shard pp shard
#     puts each symbol in is the one the man page's Python one-liner
#     (FNV-1a 64 mod N) computes, and every symbol is in exactly one shard
#   - rows keep their order and columns; 0/1 is the whole frame, byte for
#     byte, CSV and binary; stdin works
#   - a binary frame's metadata (pp.spec, pp.producer) passes through; a
#     shard without symbols is a frame without rows that pp cat joins,
#     binary or CSV (whose columns then have names but no types)
#   - the common options: -d (in and out), --compress, -B, gzip input;
#     -d missing or bad
#   - pp-fetch --shard: synth, file and store give what pp shard keeps of
#     the unsharded frame; --store loads only the shard; store warns of a
#     missing symbol only in its shard; http asks only for the shard's
#     symbols (fake server)
#   - errors: no I/N, bad I/N (I = N, N = 0, junk, signs), two inputs,
#     -o without its argument (exit 2); no symbol column, a missing file
#     (exit 1); pp-fetch --shard missing or bad (exit 2)

load helpers/common

setup() {
	common_setup
	H="symbol,date,open,high,low,close,volume"
	syms=$(seq -f 'S%03g' 0 39 | paste -sd,)
	pp-fetch synth --symbols "$syms" --start 2024-01-02 --end 2024-01-05 \
	    --seed 3 -o "$T/all.csv"
}

teardown() {
	if [ -n "${server_pid:-}" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
}

# The shard of each symbol in $syms among $1, "SYM I" a line, by the
# formula in man/pp.1.
python_shards() {
	/usr/bin/python3 -c 'import functools, sys
n = int(sys.argv[2])
for sym in sys.argv[1].split(","):
    print(sym, functools.reduce(lambda h, b: (h ^ b) * 0x100000001b3 % 2**64, sym.encode(), 0xcbf29ce484222325) % n)' "$syms" "$1"
}

@test "each symbol is in the shard the documented FNV-1a 64 formula gives" {
	for n in 3 7; do
		: >"$T/got"
		for ((k = 0; k < n; k++)); do
			run -0 --separate-stderr pp shard -o "$T/s$k.csv" "$k/$n" "$T/all.csv"
			[ "$stderr" = "" ]
			tail -n +2 "$T/s$k.csv" | cut -d, -f1 | uniq |
			    sed "s/\$/ $k/" >>"$T/got"
		done
		python_shards "$n" >"$T/want"
		sort -o "$T/got" "$T/got"
		diff -u "$T/want" "$T/got"
		# Exactly one shard each: 40 lines, 40 distinct symbols.
		[ "$(cut -d' ' -f1 "$T/got" | sort -u | wc -l)" -eq 40 ]
		[ "$(wc -l <"$T/got")" -eq 40 ]
	done
}

@test "rows keep their order; 0/1 is the whole frame; stdin" {
	run -0 --separate-stderr pp shard -o "$T/one.csv" 0/1 "$T/all.csv"
	cmp "$T/one.csv" "$T/all.csv"
	pp cat -B -o "$T/all.ppf" "$T/all.csv"
	run -0 --separate-stderr pp shard -B -o "$T/one.ppf" 0/1 "$T/all.ppf"
	cmp "$T/one.ppf" "$T/all.ppf"
	run -0 --separate-stderr pp shard -o "$T/s1.csv" 1/3 <"$T/all.csv"
	# The shard is the input's lines of its symbols, in the same order.
	python_shards 3 | awk '$2 == 1 { print $1 }' >"$T/mine"
	awk -F, 'NR == FNR { k[$1]; next } FNR == 1 || $1 in k' "$T/mine" \
	    "$T/all.csv" >"$T/want.csv"
	diff -u "$T/want.csv" "$T/s1.csv"
}

@test "binary: metadata passes through; an empty shard joins the others" {
	pp-features -f 'r1=logret(close,1)' -B -o "$T/f.ppf" "$T/all.csv"
	run -0 --separate-stderr pp shard -B -o "$T/f2.ppf" 2/7 "$T/f.ppf"
	run -0 pp cat --meta "$T/f.ppf"
	want=$output
	run -0 pp cat --meta "$T/f2.ppf"
	[ "$output" = "$want" ]
	run -0 pp cat --get-meta pp.spec "$T/f2.ppf"
	[ "$output" = "r1=logret(close,1)" ]
	# AAA is in shard 1 of 3, so shard 0 of a frame of AAA alone is empty.
	pp-fetch synth --symbols AAA --start 2024-01-02 --end 2024-01-03 -B -o "$T/a.ppf"
	run -0 --separate-stderr pp shard -B -o "$T/e.ppf" 0/3 "$T/a.ppf"
	run -0 --separate-stderr pp shard 0/3 "$T/a.ppf"
	[ "$output" = "$H" ]
	run -0 --separate-stderr pp cat -o "$T/joined.csv" "$T/e.ppf" "$T/a.ppf"
	run -0 pp cat "$T/a.ppf"
	[ "$(cat "$T/joined.csv")" = "$output" ]
	# A CSV shard without rows has no types to read, only names: it joins
	# first, last or alone, CSV or binary out, and a wrong name still fails.
	pp cat -o "$T/a.csv" "$T/a.ppf"
	pp shard -o "$T/e.csv" 0/3 "$T/a.csv"
	run -0 --separate-stderr pp cat "$T/e.csv" "$T/a.csv" "$T/e.csv"
	[ "$output" = "$(cat "$T/a.csv")" ]
	run -0 --separate-stderr pp cat -B -o "$T/j.ppf" "$T/e.csv" "$T/a.csv"
	cmp "$T/j.ppf" <(pp cat -B "$T/a.csv")
	run -0 --separate-stderr pp cat "$T/e.csv"
	[ "$output" = "$H" ]
	printf 'symbol,day,open,high,low,close,volume\n' >"$T/x.csv"
	run -1 --separate-stderr pp cat "$T/a.csv" "$T/x.csv"
	[ "$stderr" = "pp: $T/x.csv: column 2 is \"day\", expected \"date\"" ]
}

@test "the common options: -d, --compress, -B, gzip input" {
	# AAA is in shard 1 of 3, SPY in shard 0.
	printf 'symbol;date;x\nAAA;2024-01-02;1\nSPY;2024-01-02;2\n' >"$T/semi.csv"
	run -0 --separate-stderr pp shard -d ';' 1/3 "$T/semi.csv"
	[ "$output" = $'symbol;date;x\nAAA;2024-01-02;1' ]
	gzip -k "$T/semi.csv"
	run -0 --separate-stderr pp shard -d ';' 0/3 "$T/semi.csv.gz"
	[ "$output" = $'symbol;date;x\nSPY;2024-01-02;2' ]
	run -0 --separate-stderr pp shard --compress -d ';' -o "$T/c.ppf" 0/1 "$T/semi.csv"
	run -0 --separate-stderr pp shard -B -d ';' -o "$T/b.ppf" 0/1 "$T/semi.csv"
	for f in c b; do
		run -0 --separate-stderr pp cat -d ';' "$T/$f.ppf"
		[ "$output" = $'symbol;date;x\nAAA;2024-01-02;1\nSPY;2024-01-02;2' ]
	done
	run -2 --separate-stderr pp shard 0/1 "$T/semi.csv" -d
	[ "$stderr" = "pp: option --delimiter needs an argument" ]
	run -2 --separate-stderr pp shard -d ab 0/1 "$T/semi.csv"
	[ "$stderr" = "pp: --delimiter: bad value \"ab\": want one character other than '\"' or a newline" ]
}

@test "pp-fetch --shard: synth, file and store keep what pp shard keeps" {
	pp shard -o "$T/want.csv" 4/7 "$T/all.csv"
	base=(--start 2024-01-02 --end 2024-01-05 --shard 4/7)
	run -0 --separate-stderr pp-fetch synth --symbols "$syms" --seed 3 "${base[@]}" -o "$T/synth.csv"
	[ "$stderr" = "" ]
	cmp "$T/want.csv" "$T/synth.csv"
	run -0 --separate-stderr pp-fetch file "${base[@]}" -o "$T/file.csv" "$T/all.csv"
	cmp "$T/want.csv" "$T/file.csv"
	run -0 --separate-stderr pp-fetch file --store "$T/m.db" "${base[@]}" "$T/all.csv"
	run -0 --separate-stderr pp-fetch store "$T/m.db" -o "$T/loaded.csv"
	cmp "$T/want.csv" "$T/loaded.csv"
	pp-fetch file --store "$T/full.db" "$T/all.csv"
	run -0 --separate-stderr pp-fetch store "$T/full.db" --shard 4/7 -o "$T/read.csv"
	cmp "$T/want.csv" "$T/read.csv"
	# ZZZ is in no store; BBB is in shard 2 of 3, AAA in shard 1 of 3.
	run -0 --separate-stderr pp-fetch store "$T/full.db" --symbols AAA,ZZZ --shard 1/3
	[ "$output" = "$H" ]
	[ "$stderr" = "pp-fetch: warning: $T/full.db: no bars for \"AAA\"" ]
	run -0 --separate-stderr pp-fetch store "$T/full.db" --symbols BBB --shard 1/3
	[ "$stderr" = "" ]
}

@test "pp-fetch http --shard asks the provider only for the shard's symbols" {
	# ibm.us is in shard 0 of 3, aapl.us and msft.us in shard 2.
	printf '{"/q/d/l/": [{"body_file": "%s"}]}\n' \
	    "$PWD/testdata/http/stooq-aapl.us.csv" >"$T/routes.json"
	python3 tests/helpers/fakeserver.py --port-file "$T/port" \
	    --log "$T/log" "$T/routes.json" 3>&- &
	server_pid=$!
	for _ in $(seq 100); do
		[ -s "$T/port" ] && break
		sleep 0.05
	done
	run -0 --separate-stderr pp-fetch http --provider stooq \
	    --base-url "http://127.0.0.1:$(cat "$T/port")" \
	    --symbols ibm.us,aapl.us,msft.us --start 2024-01-02 --end 2024-01-03 --shard 0/3
	[ "$(cut -d, -f1 <<<"$output" | sort -u)" = $'ibm.us\nsymbol' ]
	run -0 python3 -c 'import json, sys
for line in open(sys.argv[1]): print(json.loads(line)["path"])' "$T/log"
	[ "$output" = "/q/d/l/?s=ibm.us&d1=20240102&d2=20240103&i=d" ]
}

@test "errors: I/N, operands, the frame" {
	run -2 --separate-stderr pp shard
	[ "$stderr" = "pp: shard needs I/N: the shard I of N to keep" ]
	run -2 --separate-stderr pp shard 3/3 "$T/all.csv"
	[ "$output" = "" ]
	[ "$stderr" = 'pp: shard: bad value "3/3": the shard 3 is not below the count 3 (shards count from 0, as JOB_COMPLETION_INDEX)' ]
	for bad in 1/0 1 a/3 +1/3 1/3x 0/1000001 1//3; do
		run -2 --separate-stderr pp shard "$bad" "$T/all.csv"
		[ "$stderr" = "pp: shard: bad value \"$bad\": want I/N, shard I of N, with 0 <= I < N <= 1000000" ]
	done
	run -2 --separate-stderr pp shard -1/3 "$T/all.csv"
	[ "$stderr" = "pp: unknown option -1" ]
	run -2 --separate-stderr pp shard 0/2 "$T/all.csv" "$T/all.csv"
	[ "$stderr" = "pp: shard: one input at most, got 2" ]
	run -2 --separate-stderr pp shard 0/2 "$T/all.csv" -o
	[ "$stderr" = "pp: option --output needs an argument" ]
	printf 'date,ticker\n2024-01-02,AAA\n' >"$T/nosym.csv"
	run -1 --separate-stderr pp shard -o "$T/x.csv" 0/2 "$T/nosym.csv"
	[ "$stderr" = "pp: $T/nosym.csv: no column \"symbol\" to shard by" ]
	[ ! -e "$T/x.csv" ]
	run -1 --separate-stderr pp shard 0/2 "$T/missing.csv"
	[ "$stderr" = "pp: $T/missing.csv: No such file or directory" ]
	run -2 --separate-stderr pp-fetch synth --symbols A --start 2024-01-02 --end 2024-01-03 --shard
	[ "$stderr" = "pp-fetch: option --shard needs an argument" ]
	run -2 --separate-stderr pp-fetch synth --symbols A --start 2024-01-02 --end 2024-01-03 --shard 2/2
	[ "$stderr" = 'pp-fetch: --shard: bad value "2/2": the shard 2 is not below the count 2 (shards count from 0, as JOB_COMPLETION_INDEX)' ]
}
