#!/usr/bin/env bats
# t0140: gzip input everywhere, and files that are not frames named.
#
# Plan:
#   gzip        .csv.gz and .ppf.gz read as the plain file by pp cat (also
#               from a pipe and as two members), pp-fetch file (the symbol
#               from NAME.csv.gz), pp-features, pp-train, pp-predict and
#               pp-eval: outputs byte for byte those of the plain input
#   bad gzip    truncated or corrupt: exit 1, "bad gzip data: ..."
#   not CSV     Parquet, xlsx, zip, xls, JSON, HTML, XML, PDF, UTF-16,
#               bzip2, NUL bytes: exit 1, one line naming what the file is,
#               for pp cat and a program that reads frames (pp-features)
#   newer frame a binary frame of a version from the future says so

load helpers/common

setup() {
	common_setup
	cp testdata/train-small.csv "$T/train.csv"
	gzip -k "$T/train.csv"
	pp-fetch synth --symbols AAA,BBB --start 2024-01-01 --end 2024-06-30 --seed 3 -o "$T/p.csv"
	pp cat -B -o "$T/p.ppf" "$T/p.csv"
	gzip -k "$T/p.csv" "$T/p.ppf"
}

@test "pp cat reads .csv.gz and .ppf.gz, from a file, a pipe and as two members" {
	run -0 --separate-stderr pp cat "$T/p.csv.gz"
	diff <(printf '%s\n' "$output") "$T/p.csv"
	run -0 --separate-stderr pp cat "$T/p.ppf.gz"
	diff <(printf '%s\n' "$output") "$T/p.csv"
	run -0 --separate-stderr pp cat --meta "$T/p.ppf.gz"
	run -0 --separate-stderr pp cat < <(gzip -c "$T/p.csv")
	diff <(printf '%s\n' "$output") "$T/p.csv"
	{ head -n 30 "$T/p.csv" | gzip -c; tail -n +31 "$T/p.csv" | gzip -c; } >"$T/two.csv.gz"
	run -0 --separate-stderr pp cat "$T/two.csv.gz"
	diff <(printf '%s\n' "$output") "$T/p.csv"
	assert_equal "$stderr" ''
}

@test "every program reads gzip input as the plain file" {
	cd "$T"
	export PP_REGISTRY=$T/pp.db
	cp "$PP_TOP/testdata/fetch/yahoo/MSFT.csv" MSFT.csv
	gzip -k MSFT.csv
	pp-fetch file MSFT.csv >a.csv
	pp-fetch file MSFT.csv.gz >b.csv
	cmp a.csv b.csv
	pp-features -f 'r1=logret(close,1)' -t 'y=lead(r1,1)' p.csv >a.csv
	pp-features -f 'r1=logret(close,1)' -t 'y=lead(r1,1)' p.ppf.gz >b.csv
	cmp a.csv b.csv
	pp-train -m ridge -t y --exclude cls --no-registry -o a.ppm train.csv
	pp-train -m ridge -t y --exclude cls --no-registry -o b.ppm train.csv.gz
	cmp a.ppm b.ppm
	pp-predict -m a.ppm train.csv >a.csv
	pp-predict -m a.ppm train.csv.gz >b.csv
	cmp a.csv b.csv
	gzip -k a.csv
	pp-eval metrics -t y a.csv >m1.csv
	pp-eval metrics -t y a.csv.gz >m2.csv
	cmp m1.csv m2.csv
}

@test "truncated or corrupt gzip: exit 1 naming the file" {
	head -c 200 "$T/p.csv.gz" >"$T/cut.csv.gz"
	run -1 --separate-stderr pp cat "$T/cut.csv.gz"
	assert_equal "$stderr" "pp: $T/cut.csv.gz: bad gzip data: truncated (the stream ends inside a member)"
	cp "$T/p.csv.gz" "$T/bad.csv.gz"
	printf 'XXXXXXXX' | dd of="$T/bad.csv.gz" bs=1 seek=100 conv=notrunc status=none
	run -1 --separate-stderr pp cat "$T/bad.csv.gz"
	[[ $stderr == "pp: $T/bad.csv.gz: bad gzip data: "* ]] || fail "$stderr"
	assert_equal "${#stderr_lines[@]}" 1
}

# a file made by python: NAME KIND
make_file() {
	python3 - "$1" "$2" <<-'EOF2'
	import sys, zipfile
	path, kind = sys.argv[1], sys.argv[2]
	if kind == "xlsx":
	    with zipfile.ZipFile(path, "w") as z:
	        z.writestr("[Content_Types].xml", "<Types/>")
	        z.writestr("xl/workbook.xml", "<workbook/>")
	elif kind == "zip":
	    with zipfile.ZipFile(path, "w") as z:
	        z.writestr("prices.csv", "date,close\n")
	else:
	    data = {
	        "parquet": b"PAR1\x15\x04\x15\x10\x15\x14L",
	        "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
	        "json": b'[{"date": "2024-01-02", "close": 1}]\n',
	        "html": b"<!DOCTYPE html>\n<html><body>404</body></html>\n",
	        "xml": b'<?xml version="1.0"?>\n<rows/>\n',
	        "pdf": b"%PDF-1.7\n%\xe2\xe3\n",
	        "utf16": "date,close\n2024-01-02,1\n".encode("utf-16"),
	        "nul": b"date,close\n2024-01-02,1\x00\x00\n",
	    }[kind]
	    open(path, "wb").write(data)
	EOF2
}

@test "a file that is not CSV says what it is" {
	while read -r kind what; do
		make_file "$T/f.$kind" "$kind"
		run -1 --separate-stderr pp cat "$T/f.$kind"
		assert_equal "$stderr" "pp: $T/f.$kind: $what, not CSV or a binary frame"
		run -1 --separate-stderr pp-features -f 'x=close' "$T/f.$kind"
		assert_equal "$stderr" "pp-features: $T/f.$kind: $what, not CSV or a binary frame"
	done <<-'EOF3'
	parquet a Parquet file
	xlsx an Excel workbook (xlsx)
	zip a zip archive
	xls an Excel 97-2003 workbook (xls)
	json JSON
	html an HTML page
	xml an XML document
	pdf a PDF document
	utf16 UTF-16 text (save it as UTF-8)
	nul binary data (a NUL byte near the start)
	EOF3
	bzip2 -c "$T/p.csv" >"$T/p.csv.bz2"
	run -1 --separate-stderr pp cat "$T/p.csv.bz2"
	assert_equal "$stderr" "pp: $T/p.csv.bz2: bzip2-compressed data (only gzip is read: bunzip2 it), not CSV or a binary frame"
	make_file "$T/f.parquet" parquet
	gzip "$T/f.parquet"
	run -1 --separate-stderr pp cat "$T/f.parquet.gz"
	assert_equal "$stderr" "pp: $T/f.parquet.gz: a Parquet file, not CSV or a binary frame"
}

@test "a binary frame from a newer version says so" {
	cp "$T/p.ppf" "$T/new.ppf"
	printf '\x09\x00' | dd of="$T/new.ppf" bs=1 seek=8 conv=notrunc status=none
	run -1 --separate-stderr pp cat "$T/new.ppf"
	assert_equal "$stderr" "pp: $T/new.ppf: byte 8: frame version 9, newer than this program reads (1 to 2): written by a newer Pattern Pursuit"
}
