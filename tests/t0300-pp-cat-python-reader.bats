#!/usr/bin/env bats
# t0300: pp cat against an independent implementation of the binary frame
# format (tests/helpers/ppframe.py, written from man/pp-frame.5 alone).
#
# Plan:
#  - C writer, Python reader: frames that `pp cat -B` (plain, --compress,
#    many chunks) writes from the fixtures in testdata/ and from a frame of
#    edge values (NaN, -0, +-inf, 1e308, +-DBL_MAX, subnormals; text with
#    commas, quotes, newlines, UTF-8, edge spaces, empty; dates at both ends
#    of the calendar; date-times with fractions, a missing one) pass every check ppframe.py
#    makes and print the same CSV as `pp cat` does, byte for byte.
#  - Numbers: 20000 random doubles and every power of two print the same
#    through both (the rule of pp-frame(5), implemented twice).
#  - Bits: the uncompressed frame pp writes is byte-identical to the one
#    ppframe.py writes from the same CSV (same header, chunking and payload:
#    every double's bits, the CRCs).
#  - Python writer, C reader: frames ppframe.py writes (plain, compressed,
#    one row per chunk, int64 and date columns with missing values, an
#    empty frame) read back through
#    `pp cat` to the same CSV, and `pp cat -B` rewrites them identically.
#  - Metadata (version 2): pairs pp cat --set-meta writes (a multi-line
#    value, UTF-8) read back through ppframe.py, and pairs ppframe.py
#    writes through pp cat, with the rows unchanged; a frame without
#    metadata is version 1 from both writers, byte for byte; pp's reader
#    refuses a version 3 frame.
#  - Corruption: ppframe.py rejects a flipped payload byte, a truncated
#    frame and trailing data, naming the byte offset, and so does pp cat.

load helpers/common

PPF="$BATS_TEST_DIRNAME/helpers/ppframe.py"
TESTDATA="$BATS_TEST_DIRNAME/../testdata"

setup() {
	common_setup
	# Every double here is already in the form pp-frame(5) writes, so the
	# CSV must come back unchanged through any number of conversions.
	cat >"$T/edge.csv" <<'EOF'
symbol,date,when,x,note
AAA,2024-01-02,2024-01-02T10:00:00Z,1.5,plain
AAA,2024-01-03,2024-01-03T10:00:00.25Z,,"a,b"
AAA,2024-01-04,1969-12-31T23:59:59.999999Z,-0,"say ""hi"""
BBB,1970-01-01,2000-02-29T00:00:00Z,inf,"two
lines"
BBB,1999-12-31,2000-01-01T00:00:00.000001Z,-inf," lead"
BBB,2000-02-29,2024-06-30T23:59:59Z,1e+308,héllo wörld ✓
CCC,0001-01-01,0001-01-01T00:00:00Z,-1.7976931348623157e+308,
CCC,9999-12-31,9999-12-31T23:59:59.5Z,5e-324,"trail "
CCC,2024-01-08,2024-01-08T00:00:00Z,2.2250738585072014e-308,cr	tab
DDD,2024-01-09,2024-01-09T00:00:00Z,0.1,"cr
lf"
DDD,2024-01-10,2024-01-10T00:00:00Z,0.30000000000000004,x
DDD,2024-01-11,2024-01-11T00:00:00Z,100000000000000,x
DDD,2024-01-12,2024-01-12T00:00:00Z,10000000000000000,x
DDD,2024-01-13,2024-01-13T00:00:00Z,1.2345678901234567e+19,x
DDD,2024-01-14,,1e-05,x
DDD,2024-01-15,2024-01-15T00:00:00Z,-2.5e-05,x
EOF
}

# big N: a CSV of N rows, so frames span several chunks.
big() {
	awk -v n="$1" 'BEGIN {
		print "symbol,i,x,label"
		for (i = 0; i < n; i++)
			printf "S%03d,%d,%.17g,%s\n", i % 7, i, i / 7.0, \
			    (i % 3 ? "up" : "\"down, \"\"far\"\"\"")
	}'
}

# same_csv FRAME EXPECTED: ppframe.py and pp cat both print FRAME as
# exactly EXPECTED.
same_csv() {
	python3 "$PPF" read "$1" >"$T/py.csv"
	diff -u "$2" "$T/py.csv"
	pp cat -o "$T/c.csv" "$1"
	diff -u "$2" "$T/c.csv"
}

@test "pp cat -B of edge values reads back exactly in Python" {
	pp cat -B -o "$T/edge.ppf" "$T/edge.csv"
	same_csv "$T/edge.ppf" "$T/edge.csv"
}

@test "pp cat --compress of edge values reads back exactly in Python" {
	pp cat --compress -o "$T/edge.ppf" "$T/edge.csv"
	run -0 --separate-stderr python3 "$PPF" chunks "$T/edge.ppf"
	assert_line --index 1 --regexp '^chunk [0-9]+ 16 1 [0-9]+ [0-9]+$'
	assert_line --index 2 --regexp '^chunk [0-9]+ 0 0 8 8$'
	same_csv "$T/edge.ppf" "$T/edge.csv"
}

@test "ppframe.py prints doubles as pp cat does: random bits, powers of two" {
	# pp-frame(5)'s number rule, written twice: 20000 doubles from random
	# bit patterns and magnitudes, and every power of two with its
	# neighbour below (where "shortest" is hardest to get right).
	python3 -c 'import math, random, struct
random.seed(7)
print("x")
for i in range(20000):
    x = struct.unpack("<d", struct.pack("<Q", random.getrandbits(64)))[0]
    if i % 2:
        x = random.uniform(-1, 1) * 10.0 ** random.randint(-20, 20)
    if x == x:
        print(repr(x))
for e in range(-1074, 1024):
    x = math.ldexp(1.0, e)
    print(repr(x))
    print(repr(-math.nextafter(x, 0)))' >"$T/num.csv"
	pp cat -B -o "$T/num.ppf" "$T/num.csv"
	pp cat -o "$T/c.csv" "$T/num.ppf"
	python3 "$PPF" read "$T/num.ppf" >"$T/py.csv"
	diff -u "$T/c.csv" "$T/py.csv"
	python3 "$PPF" write "$T/num.csv" "$T/py.ppf"
	cmp "$T/num.ppf" "$T/py.ppf"
}

@test "pp cat -B writes the same bytes as ppframe.py write" {
	pp cat -B -o "$T/c.ppf" "$T/edge.csv"
	python3 "$PPF" write "$T/edge.csv" "$T/py.ppf"
	cmp "$T/py.ppf" "$T/c.ppf"
	big 20000 >"$T/big.csv"
	pp cat -B -o "$T/c.ppf" "$T/big.csv"
	python3 "$PPF" write "$T/big.csv" "$T/py.ppf"
	cmp "$T/py.ppf" "$T/c.ppf"
}

@test "pp cat -B splits a long frame into chunks of at most 8192 rows" {
	big 20000 >"$T/big.csv"
	for opt in -B --compress; do
		pp cat $opt -o "$T/big.ppf" "$T/big.csv"
		python3 "$PPF" chunks "$T/big.ppf" >"$T/chunks"
		awk '$1 == "chunk" && $3 > 0 { n++; rows += $3; if ($3 > 8192) bad++ }
		     END { if (n < 3 || rows != 20000 || bad) exit 1 }' "$T/chunks"
		python3 "$PPF" read "$T/big.ppf" >"$T/py.csv"
		pp cat -o "$T/c.csv" "$T/big.csv"
		diff -u "$T/c.csv" "$T/py.csv"
	done
}

@test "pp cat -B of every testdata fixture reads back in Python" {
	n=0
	for f in "$TESTDATA"/*.csv; do
		run -0 --separate-stderr pp cat -o "$T/want.csv" "$f"
		pp cat -B -o "$T/f.ppf" "$f"
		same_csv "$T/f.ppf" "$T/want.csv"
		pp cat --compress -o "$T/f.ppf" "$f"
		same_csv "$T/f.ppf" "$T/want.csv"
		n=$((n + 1))
	done
	[ "$n" -ge 8 ]
}

@test "ppframe.py and pp cat agree on another delimiter" {
	pp cat -B -o "$T/edge.ppf" "$T/edge.csv"
	python3 "$PPF" read -d ';' "$T/edge.ppf" >"$T/py.csv"
	pp cat -d ';' -o "$T/c.csv" "$T/edge.ppf"
	diff -u "$T/c.csv" "$T/py.csv"
}

@test "pp cat reads frames written by ppframe.py" {
	for opts in "" "--compress" "--chunk-rows 1" "--compress --chunk-rows 3"; do
		python3 "$PPF" write $opts "$T/edge.csv" "$T/py.ppf"
		pp cat -o "$T/c.csv" "$T/py.ppf"
		diff -u "$T/edge.csv" "$T/c.csv"
	done
}

@test "pp cat -B rewrites a ppframe.py frame byte for byte" {
	python3 "$PPF" write "$T/edge.csv" "$T/py.ppf"
	pp cat -B -o "$T/c.ppf" "$T/py.ppf"
	cmp "$T/py.ppf" "$T/c.ppf"
}

@test "pp cat reads an int64 column that only a binary frame can hold" {
	# An empty int64 or date cell is missing: INT64_MIN in the frame.
	printf '%s\n' symbol,n,day A,0,2024-01-02 B,-9223372036854775807, \
	    C,9223372036854775807,0001-01-01 D,,9999-12-31 >"$T/int.csv"
	python3 "$PPF" write --types n=int64 "$T/int.csv" "$T/int.ppf"
	same_csv "$T/int.ppf" "$T/int.csv"
	pp cat -B -o "$T/c.ppf" "$T/int.ppf"
	cmp "$T/int.ppf" "$T/c.ppf"
}

@test "pp cat reads an empty frame written by ppframe.py" {
	printf 'symbol,date,close\n' >"$T/empty.csv"
	python3 "$PPF" write "$T/empty.csv" "$T/empty.ppf"
	run -0 --separate-stderr python3 "$PPF" chunks "$T/empty.ppf"
	assert_output "header 0 47 3
chunk 47 0 0 8 8"
	same_csv "$T/empty.ppf" "$T/empty.csv"
}

@test "a flipped payload byte: both readers name the chunk's offset" {
	python3 "$PPF" write --chunk-rows 5 "$T/edge.csv" "$T/f.ppf"
	run -0 --separate-stderr python3 "$PPF" chunks "$T/f.ppf"
	at=$(printf '%s\n' "$output" | awk 'NR == 3 { print $2 }')
	# Flip one bit in the second chunk's payload (offset 24 in the chunk).
	python3 -c 'import sys
p, i = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[i] ^= 0x10
open(p, "wb").write(b)' "$T/f.ppf" $((at + 30))
	run -1 --separate-stderr python3 "$PPF" read "$T/f.ppf"
	assert_output ""
	[ "$stderr" = "ppframe.py: $T/f.ppf: byte $at: chunk checksum mismatch" ]
	run -1 --separate-stderr pp cat "$T/f.ppf"
	assert_output ""
	[ "$stderr" = "pp: $T/f.ppf: byte $at: chunk checksum mismatch" ]
}

@test "a truncated frame: both readers name the offset" {
	pp cat -B -o "$T/f.ppf" "$T/edge.csv"
	size=$(wc -c <"$T/f.ppf")
	end=$((size - 32))
	head -c $((size - 4)) "$T/f.ppf" >"$T/cut.ppf"
	run -1 --separate-stderr python3 "$PPF" read "$T/cut.ppf"
	assert_output ""
	[ "$stderr" = "ppframe.py: $T/cut.ppf: byte $((end + 24)): truncated chunk payload" ]
	head -c $((end + 10)) "$T/f.ppf" >"$T/cut.ppf"
	run -1 --separate-stderr python3 "$PPF" read "$T/cut.ppf"
	[ "$stderr" = "ppframe.py: $T/cut.ppf: byte $end: truncated chunk header" ]
	run -1 --separate-stderr pp cat "$T/cut.ppf"
	assert_output ""
	[ "$stderr" = "pp: $T/cut.ppf: byte $end: truncated chunk header (the frame ends early)" ]
}

@test "trailing data after the end chunk: both readers refuse it" {
	pp cat -B -o "$T/f.ppf" "$T/edge.csv"
	size=$(wc -c <"$T/f.ppf")
	printf 'x' >>"$T/f.ppf"
	run -1 --separate-stderr python3 "$PPF" read "$T/f.ppf"
	[ "$stderr" = "ppframe.py: $T/f.ppf: byte $size: trailing data" ]
	run -1 --separate-stderr pp cat "$T/f.ppf"
	assert_output ""
	[ "$stderr" = "pp: $T/f.ppf: byte $size: trailing data after the end of the frame" ]
}

@test "ppframe.py refuses a version it does not know and a CSV file" {
	python3 "$PPF" write "$T/edge.csv" "$T/f.ppf"
	printf '\003' | dd of="$T/f.ppf" bs=1 seek=8 conv=notrunc 2>/dev/null
	run -1 --separate-stderr python3 "$PPF" read "$T/f.ppf"
	[ "$stderr" = "ppframe.py: $T/f.ppf: byte 8: unsupported frame version 3" ]
	run -1 --separate-stderr python3 "$PPF" read "$T/edge.csv"
	[ "$stderr" = "ppframe.py: $T/edge.csv: byte 0: not a binary frame (bad magic)" ]
}

@test "metadata written by pp cat reads back through ppframe.py" {
	spec=$'r=logret(close,1)\ntarget y=lead(r,1)\n'
	pp cat -B --set-meta "pp.spec=$spec" --set-meta 'note=größe' \
	    -o "$T/f.ppf" "$T/edge.csv"
	run -0 --separate-stderr python3 "$PPF" meta "$T/f.ppf"
	[ "$output" = $'pp.spec=r=logret(close,1)\n\ttarget y=lead(r,1)\nnote=größe' ]
	run -0 --separate-stderr pp cat --meta "$T/f.ppf"
	[ "$output" = $'pp.spec=r=logret(close,1)\n\ttarget y=lead(r,1)\nnote=größe' ]
	python3 "$PPF" read "$T/f.ppf" >"$T/py.csv"
	diff -u "$T/edge.csv" "$T/py.csv"
	run -0 --separate-stderr python3 "$PPF" chunks "$T/f.ppf"
	[ "${lines[0]%% *}" = "header" ]
	run -0 od -An -tu2 -j8 -N2 "$T/f.ppf"
	[ "${output// /}" = "2" ]
}

@test "metadata written by ppframe.py reads back through pp cat" {
	python3 "$PPF" write --meta 'a=1' --meta $'b=two\nlines' \
	    "$T/edge.csv" "$T/f.ppf"
	run -0 --separate-stderr pp cat --meta "$T/f.ppf"
	[ "$output" = $'a=1\nb=two\n\tlines' ]
	[ "$stderr" = "" ]
	run -0 --separate-stderr pp cat --get-meta b "$T/f.ppf"
	[ "$output" = $'two\nlines' ]
	pp cat -o "$T/c.csv" "$T/f.ppf"
	diff -u "$T/edge.csv" "$T/c.csv"
	# pp cat -B passes the pairs on: the same bytes as Python's frame.
	pp cat -B -o "$T/g.ppf" "$T/f.ppf"
	cmp "$T/f.ppf" "$T/g.ppf"
}

@test "a frame without metadata is version 1 from both writers" {
	python3 "$PPF" write "$T/edge.csv" "$T/py.ppf"
	pp cat -B -o "$T/c.ppf" "$T/edge.csv"
	cmp "$T/py.ppf" "$T/c.ppf"
	run -0 od -An -tu2 -j8 -N2 "$T/c.ppf"
	[ "${output// /}" = "1" ]
}

@test "pp cat refuses a frame version it does not know" {
	pp cat -B -o "$T/f.ppf" "$T/edge.csv"
	printf '\003' | dd of="$T/f.ppf" bs=1 seek=8 conv=notrunc 2>/dev/null
	run -1 --separate-stderr pp cat "$T/f.ppf"
	assert_output ""
	[ "$stderr" = "pp: $T/f.ppf: byte 8: frame version 3, newer than this program reads (1 to 2): written by a newer Pattern Pursuit" ]
}

@test "corrupt metadata: both readers refuse it, naming the byte offset" {
	pp cat -B --set-meta k=v -o "$T/f.ppf" "$T/edge.csv"
	# The header is 16 bytes, the five column entries, then nmeta.
	hdr=$(python3 "$PPF" chunks "$T/f.ppf" | awk 'NR==1 {print $3}')
	at=$((hdr - 4 - 1 - 1 - 4 - 1))	# the key_len byte
	printf '\000' | dd of="$T/f.ppf" bs=1 seek=$at conv=notrunc 2>/dev/null
	run -1 --separate-stderr python3 "$PPF" read "$T/f.ppf"
	[ "$stderr" = "ppframe.py: $T/f.ppf: byte $at: empty metadata key" ]
	run -1 --separate-stderr pp cat "$T/f.ppf"
	[ "$stderr" = "pp: $T/f.ppf: byte $at: empty metadata key" ]
}
