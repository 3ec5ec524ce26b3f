#!/usr/bin/env bats
# t0100: pp cat, the frame converter, and through it the frame layer as a
# user meets it.
#
# Plan:
#   CSV -> binary -> CSV is byte-identical (plain and --compress), from
#     files and from stdin ("-" and no argument), for edge values and text
#   several inputs concatenate; a schema mismatch (a name, or a type)
#     names the file, exit 1
#   -o writes atomically: the file appears whole on success, and nothing
#     (not even a temp file) is left when the run fails
#   errors, one line each with exit 1: missing file, directory, empty input,
#     missing header, ragged row, bad quoting, non-UTF-8, truncated and
#     corrupted binary (naming the byte offset)
#   usage errors, exit 2: -o without argument, bad -d, unknown option
#   -d reads and writes another delimiter
#   SIGPIPE: `pp cat big | head -1` ends quietly with status 0

load helpers/common

setup() {
	common_setup
}

@test "CSV -> binary -> CSV is byte-identical" {
	for z in -B --compress; do
		run -0 --separate-stderr pp cat $z -o "$T/f.ppf" testdata/cat-edge.csv
		[ -z "$output$stderr" ]
		run -0 --separate-stderr pp cat -o "$T/back.csv" "$T/f.ppf"
		diff -u testdata/cat-edge.csv "$T/back.csv"
	done
}

@test "binary output starts with the frame magic and is binary again through cat -B" {
	run -0 pp cat -B -o "$T/a.ppf" testdata/cat-edge.csv
	run -0 pp cat -B -o "$T/b.ppf" "$T/a.ppf"
	cmp "$T/a.ppf" "$T/b.ppf"
	run -0 od -An -tx1 -N8 "$T/a.ppf"
	assert_output " 89 50 50 46 0d 0a 1a 0a"
}

@test "reads stdin when given - or no file" {
	run -0 --separate-stderr pp cat - < testdata/cat-small.csv
	assert_output "$(cat testdata/cat-small.csv)"
	run -0 --separate-stderr pp cat < testdata/cat-small.csv
	assert_output "$(cat testdata/cat-small.csv)"
}

@test "PP_FORMAT=binary asks for binary output" {
	PP_FORMAT=binary run -0 pp cat -o "$T/a.ppf" testdata/cat-small.csv
	run -0 od -An -c -N4 "$T/a.ppf"
	assert_output --partial "P   P   F"
}

@test "several inputs are concatenated, CSV and binary alike" {
	pp cat -B -o "$T/s.ppf" testdata/cat-small.csv
	run -0 --separate-stderr pp cat testdata/cat-small.csv "$T/s.ppf"
	{ cat testdata/cat-small.csv; tail -n +2 testdata/cat-small.csv; } > "$T/want"
	echo "$output" | diff -u "$T/want" -
}

@test "inputs with different columns are an error naming the file" {
	run -1 --separate-stderr pp cat testdata/cat-small.csv testdata/cat-edge.csv
	[ "$stderr" = 'pp: testdata/cat-edge.csv: column 3 is "x" (float64), expected "close" (float64)' ]
}

@test "a column of the same name and another type is an error naming the file" {
	# A planted bug comparing names only went unnoticed (issue 21): text
	# would have been read into a number column.
	printf 'k,x\na,1\nb,2\n' >"$T/num.csv"
	printf 'k,x\nc,hello\nd,world\n' >"$T/text.csv"
	run -1 --separate-stderr pp cat "$T/num.csv" "$T/text.csv"
	assert_output ""
	assert_equal "$stderr" "pp: $T/text.csv: column 2 is \"x\" (text), expected \"x\" (float64)"
	run -0 --separate-stderr pp cat -B -o "$T/num.ppf" "$T/num.csv"
	run -0 --separate-stderr pp cat -B -o "$T/text.ppf" "$T/text.csv"
	run -1 --separate-stderr pp cat -o "$T/out.csv" "$T/num.ppf" "$T/text.ppf"
	assert_output ""
	assert_equal "$stderr" "pp: $T/text.ppf: column 2 is \"x\" (text), expected \"x\" (float64)"
	[ ! -e "$T/out.csv" ]
}

@test "-o writes the whole file, and leaves nothing behind on failure" {
	run -0 pp cat -o "$T/out.csv" testdata/cat-small.csv
	diff -u testdata/cat-small.csv "$T/out.csv"
	printf 'a,b\n1,2\n3\n' > "$T/bad.csv"
	run -1 --separate-stderr pp cat -o "$T/fail.csv" "$T/bad.csv"
	[ "$stderr" = "pp: $T/bad.csv:3: expected 2 fields, found 1" ]
	[ ! -e "$T/fail.csv" ]
	run -0 ls -A "$T"
	refute_output --partial tmp
}

@test "-o over an existing file replaces it only on success" {
	echo keep > "$T/out.csv"
	run -1 pp cat -o "$T/out.csv" "$T/missing.csv"
	[ "$(cat "$T/out.csv")" = keep ]
}

@test "a missing input is one line and exit 1" {
	run -1 --separate-stderr pp cat "$T/nope.csv"
	[ "$stderr" = "pp: $T/nope.csv: No such file or directory" ]
	[ -z "$output" ]
}

@test "a directory as input is an error" {
	run -1 --separate-stderr pp cat "$T"
	[ "$stderr" = "pp: $T: read error: Is a directory" ]
}

@test "bad CSV input: each a one-line error with file and line" {
	printf '' > "$T/empty.csv"
	run -1 --separate-stderr pp cat "$T/empty.csv"
	[ "$stderr" = "pp: $T/empty.csv: empty input: no header row" ]

	printf '1,2\n3,4\n' > "$T/nohdr.csv"
	run -1 --separate-stderr pp cat "$T/nohdr.csv"
	[ "$stderr" = "pp: $T/nohdr.csv:1: missing header row (the first row is all numbers)" ]

	printf 'a,b\n1,"2\n' > "$T/quote.csv"
	run -1 --separate-stderr pp cat "$T/quote.csv"
	[ "$stderr" = "pp: $T/quote.csv:2: unterminated quoted field at end of input" ]

	printf 'a,b\n1,2\n3,x"y\n' > "$T/stray.csv"
	run -1 --separate-stderr pp cat "$T/stray.csv"
	[ "$stderr" = "pp: $T/stray.csv:3: malformed CSV (a quote inside an unquoted field, or text after a closing quote)" ]

	printf 's,b\nok,1\n\xff,2\n' > "$T/utf.csv"
	run -1 --separate-stderr pp cat "$T/utf.csv"
	[ "$stderr" = "pp: $T/utf.csv:3: column \"s\": invalid UTF-8" ]

	# Types are inferred from the first 1000 rows; a later misfit is an error.
	{ echo a,b; seq 1 1000 | sed 's/$/,1.5/'; echo 3,oops; } > "$T/nan.csv"
	run -1 --separate-stderr pp cat "$T/nan.csv"
	[ "$stderr" = "pp: $T/nan.csv:1002: column \"b\": not a number" ]
}

@test "a failed conversion never looks complete on stdout" {
	printf 'a,b\n1,2\n3\n' > "$T/bad.csv"
	run -1 --separate-stderr bash -c 'pp cat -B "$1" > "$2"' _ "$T/bad.csv" "$T/partial.ppf"
	# The binary frame on stdout has no end chunk: a reader calls it truncated.
	run -1 --separate-stderr pp cat "$T/partial.ppf"
	[[ "$stderr" == "pp: $T/partial.ppf: byte "*": truncated "* ]]
}

@test "truncated and corrupted binary frames name the byte offset" {
	pp cat -B -o "$T/f.ppf" testdata/cat-edge.csv
	size=$(stat -c %s "$T/f.ppf")
	head -c $((size - 5)) "$T/f.ppf" > "$T/trunc.ppf"
	run -1 --separate-stderr pp cat "$T/trunc.ppf"
	[[ "$stderr" =~ ^pp:\ $T/trunc.ppf:\ byte\ [0-9]+:\ truncated ]] || fail "$stderr"

	python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-40] ^= 0x55; open(sys.argv[2], "wb").write(b)' "$T/f.ppf" "$T/flip.ppf"
	run -1 --separate-stderr pp cat "$T/flip.ppf"
	[[ "$stderr" =~ ^pp:\ $T/flip.ppf:\ byte\ [0-9]+:\ chunk\ checksum\ mismatch$ ]] || fail "$stderr"
}

@test "-d reads and writes another delimiter" {
	printf 'a;b\n1;x,y\n' > "$T/semi.csv"
	run -0 --separate-stderr pp cat -d ';' "$T/semi.csv"
	assert_output "$(printf 'a;b\n1;x,y')"
	printf 'a\tb\n1\tx y\n' > "$T/tab.tsv"
	run -0 --separate-stderr pp cat -d tab "$T/tab.tsv"
	assert_output "$(cat "$T/tab.tsv")"
}

@test "usage errors exit 2 with one line" {
	run -2 --separate-stderr pp cat -o
	[ "$stderr" = "pp: option --output needs an argument" ]
	run -2 --separate-stderr pp cat -d ab testdata/cat-small.csv
	[ "$stderr" = "pp: --delimiter: bad value \"ab\": want one character other than '\"' or a newline" ]
	run -2 --separate-stderr pp cat --frobnicate
	[ "$stderr" = "pp: unknown option --frobnicate" ]
	run -2 --separate-stderr pp nosuch
	[ "$stderr" = "pp: 'nosuch' is not a pp command (see 'pp commands')" ]
}

@test "an early-closed pipe ends quietly with status 0" {
	for i in $(seq 1 3000); do echo "S$i,2024-01-02,$i.5"; done > "$T/rows"
	{ echo symbol,date,close; for _ in 1 2 3 4 5 6 7 8; do cat "$T/rows"; done; } > "$T/big.csv"
	run -0 --separate-stderr bash -c 'pp cat "$1" | head -1; exit ${PIPESTATUS[0]}' _ "$T/big.csv"
	assert_output "symbol,date,close"
	[ -z "$stderr" ]
}

@test "pp commands lists the commands; pp help rejects unknown topics" {
	run -0 --separate-stderr pp commands
	assert_line cat
	assert_line fetch
	run -2 --separate-stderr pp help nosuch
	[ "$stderr" = "pp: help: no manual for 'nosuch' (see 'pp commands')" ]
}

@test "pp runs pp-NAME beside it and reports a missing one" {
	run -0 --separate-stderr pp cat --version
	if [ -x "$PP_BUILD/bin/pp-serve" ]; then skip "pp-serve exists"; fi
	run -1 --separate-stderr env PATH=/usr/bin:/bin "$PP_BUILD/bin/pp" serve --help
	[ "$stderr" = "pp: pp-serve: not installed" ]
}

@test "-o to a device or a FIFO writes into it instead of replacing it" {
	run -0 --separate-stderr pp cat -o /dev/null testdata/cat-small.csv
	[ -c /dev/null ]
	mkfifo "$T/fifo"
	cat "$T/fifo" > "$T/got" &
	run -0 pp cat -o "$T/fifo" testdata/cat-small.csv
	wait
	[ -p "$T/fifo" ]
	diff -u testdata/cat-small.csv "$T/got"
	run -1 --separate-stderr pp cat -o "$T" testdata/cat-small.csv
	[ "$stderr" = "pp: $T: Is a directory" ]
}

@test "a flag given a value is a usage error naming the flag" {
	run -2 --separate-stderr pp cat --binary=yes testdata/cat-small.csv
	[ "$stderr" = "pp: option --binary takes no argument" ]
}
