#!/usr/bin/env bats
# t0120: CSV files bigger than the reader's buffer are parsed on worker
# threads (lib/csv_parallel.c); what every program reads must not change.
# PP_CSV_THREADS=1 is the one-thread reference.
#
# Plan:
#   a 3 MB frame (numbers, dates, text, a quoted field with a newline now
#     and then, CRLF in one part) reads the same with and without threads
#   a bad number deep in the file: the same message and line, exit 1
#   pp-features --skip-bad skips the same rows and warns the same count
#   PP_CSV_THREADS out of 1..64 is a usage error naming it
#   a malformed quote deep in the file stops the run at its line
#   pp-train fits the same model with and without threads

load helpers/common

setup() {
	common_setup
	# 60000 rows of ~50 bytes; every 997th row quotes a note that holds a
	# newline and a comma; rows 30000-30999 end in CRLF.
	awk 'BEGIN {
		print "symbol,date,open,close,volume,note"
		for (i = 0; i < 60000; i++) {
			note = i % 997 == 0 ? "\"two\nlines, here\"" : "n" i
			eol = (i >= 30000 && i < 31000) ? "\r" : ""
			printf "S%d,%04d-%02d-%02d,%.6g,%.6g,%d,%s%s\n", i % 9,
			    2000 + int(i / 336), 1 + int(i / 28) % 12, 1 + i % 28,
			    100 + i / 7, 100 + i / 9, i * 13, note, eol
		}
	}' >"$T/big.csv"
}

@test "a big frame reads the same with and without threads" {
	run -0 pp cat -o "$T/threads.csv" "$T/big.csv"
	PP_CSV_THREADS=1 run -0 pp cat -o "$T/serial.csv" "$T/big.csv"
	cmp "$T/threads.csv" "$T/serial.csv"
	# and the data survived: 60000 rows, 61 of them with a quoted newline
	[ "$(wc -l <"$T/threads.csv")" -eq $((1 + 60000 + 61)) ]
	[ "$(grep -c '^S[0-9],' "$T/threads.csv")" -eq 60000 ]
}

@test "a bad number deep in the file names its line, as without threads" {
	sed 's/^\(S[0-9],[-0-9]*\),[^,]*\(,.*,n39999\)$/\1,oops\2/' \
	    "$T/big.csv" >"$T/bad.csv"
	line=$(grep -n ',oops,' "$T/bad.csv" | cut -d: -f1)
	[ "$line" -gt 40000 ]
	run -1 pp cat -o "$T/out.csv" "$T/bad.csv"
	assert_output "pp: $T/bad.csv:$line: column \"open\": not a number"
	[ ! -e "$T/out.csv" ]
	PP_CSV_THREADS=1 run -1 pp cat -o "$T/out.csv" "$T/bad.csv"
	assert_output "pp: $T/bad.csv:$line: column \"open\": not a number"
}

@test "--skip-bad skips the same rows with and without threads" {
	# three bad rows far apart: a bad date, too few fields, bad UTF-8
	sed -e 's/,[0-9-]*\(,.*,n20000\)$/,2001-13-01\1/' -e 's/,n45000$//' \
	    -e 's/^S[0-9]\(,.*,n55000\)$/\xff\1/' "$T/big.csv" >"$T/bad.csv"
	grep -q '2001-13-01,.*,n20000$' "$T/bad.csv"
	run -1 grep -q ',n45000$' "$T/bad.csv"
	grep -q $'^\xff,.*,n55000$' "$T/bad.csv"
	run -0 --separate-stderr pp-features --skip-bad -f 'r=close/open' \
	    -o "$T/threads.csv" "$T/bad.csv"
	assert_equal "$stderr" "pp-features: warning: skipped 3 bad rows"
	PP_CSV_THREADS=1 run -0 --separate-stderr pp-features --skip-bad \
	    -f 'r=close/open' -o "$T/serial.csv" "$T/bad.csv"
	assert_equal "$stderr" "pp-features: warning: skipped 3 bad rows"
	cmp "$T/threads.csv" "$T/serial.csv"
}

@test "a malformed quote deep in the file stops the read at its line" {
	sed 's/,n49999$/,n4"9999/' "$T/big.csv" >"$T/bad.csv"
	line=$(grep -n ',n4"9999' "$T/bad.csv" | cut -d: -f1)
	[ "$line" -gt 50000 ]
	run -1 pp cat -o "$T/out.csv" "$T/bad.csv"
	assert_output "pp: $T/bad.csv:$line: malformed CSV (a quote inside an unquoted field, or text after a closing quote)"
	PP_CSV_THREADS=1 run -1 pp cat -o "$T/out.csv" "$T/bad.csv"
	assert_output "pp: $T/bad.csv:$line: malformed CSV (a quote inside an unquoted field, or text after a closing quote)"
}

@test "pp-train fits the same model with and without threads" {
	awk -F, 'NR == 1 { print "x1,x2,y"; next }
		{ print $3 / 100, $5 % 17, $4 / 100 + ($5 % 17) / 50 }' OFS=, \
	    "$T/big.csv" >"$T/xy.csv"
	run -0 pp-train -m ridge --alpha 0.5 -t y --no-registry -o "$T/a.ppm" "$T/xy.csv"
	PP_CSV_THREADS=1 run -0 pp-train -m ridge --alpha 0.5 -t y --no-registry \
	    -o "$T/b.ppm" "$T/xy.csv"
	run -0 pp-train --describe "$T/a.ppm"
	a=$output
	run -0 pp-train --describe "$T/b.ppm"
	assert_equal "$a" "$output"
}

@test "PP_CSV_THREADS takes 1 to 64, else a usage error" {
	for v in 0 65 x 2x -1; do
		PP_CSV_THREADS=$v run -2 --separate-stderr pp cat /dev/null
		[ "$stderr" = "pp: PP_CSV_THREADS: bad value \"$v\": want a whole number from 1 to 64" ] ||
		    fail "$v: $stderr"
	done
	printf 'a\n1\n' >"$T/one.csv"
	PP_CSV_THREADS=64 run -0 pp cat "$T/one.csv"
	assert_output "a
1"
}
