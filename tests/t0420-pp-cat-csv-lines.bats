#!/usr/bin/env bats
# t0420: pp cat CSV -> CSV hands rows whose every field is already in the
# writer's form on as their text (lib/csv_parallel.c keep_row); every
# other row is converted and formatted as before.  The bytes must be
# those of the converting path: PP_CSV_THREADS=1 (no worker threads, no
# rows kept as text) and a round trip through a binary frame are the
# references.
#
# Plan:
#   a 3 MB frame whose fields are now in the writer's form and now not
#     ("1.50", "+2", "1e5", "0.00001", "-0.0", "NA", 16 and 17 digits,
#     "1.5e-05" and "-2e+17" as the writer writes them,
#     "007", spaces to quote, a quoted delimiter, CRLF lines) gives the
#     same bytes with and without threads and through a binary frame,
#     and the fields not in the writer's form did change (so the test
#     can tell the paths apart)
#   two inputs, one CSV and one binary, give the same bytes as the
#     converting path
#   --select, --head, --tail and --precision still convert (their output
#     matches the one-thread run)
#   -d ';' with text that holds a comma: the same bytes both ways
#   a bad number among rows kept as text names its line, as without
#     threads; so does a row with a field too many or too few

load helpers/common

setup() {
	common_setup
	# 60000 rows; columns x and n cycle through shapes the writer keeps
	# or rewrites, note through text it keeps or quotes (every 997th row
	# quotes a comma), rows 20000-20999 end in CRLF.
	awk 'BEGIN {
		split("12.5383|1.50|+2|1e5|0.00001|-0.0|-0|NA||0.0001234|" \
		    "1234567890123456|12345678901234567|123456789012345|" \
		    "99999999999999900|100000000000000000|1.5e-05|-7|-2e+17", x, "|")
		split(" lead|trail |plain|caf\303\251|", t, "|")
		split("7|007|-0|+3||123456789012345678|-42", n, "|")
		print "symbol,date,x,n,note"
		for (i = 0; i < 60000; i++) {
			eol = (i >= 20000 && i < 21000) ? "\r" : ""
			printf "S%d,%04d-%02d-%02d,%s,%s,%s%s\n", i % 7,
			    2000 + int(i / 336), 1 + int(i / 28) % 12, 1 + i % 28,
			    x[1 + i % 18], n[1 + i % 7],
			    i % 997 == 0 ? "\"a,b\"" : t[1 + i % 5], eol
		}
	}' >"$T/mixed.csv"
}

@test "fields in and out of the writer's form: the converting path's bytes" {
	run -0 pp cat -o "$T/lines.csv" "$T/mixed.csv"
	PP_CSV_THREADS=1 run -0 pp cat -o "$T/serial.csv" "$T/mixed.csv"
	cmp "$T/lines.csv" "$T/serial.csv"
	run -0 pp cat -B -o "$T/mixed.ppf" "$T/mixed.csv"
	run -0 pp cat -o "$T/viabin.csv" "$T/mixed.ppf"
	cmp "$T/lines.csv" "$T/viabin.csv"
	# rewritten shapes did change; kept ones did not
	run -0 grep -c ',1.5,' "$T/lines.csv"
	[ "$output" -gt 3000 ]
	run -1 grep -q -e ',1\.50,' -e ',+2,' -e ',1e5,' -e ',-0\.0,' \
	    -e ',007,' -e ',NA,' "$T/lines.csv"
	run -0 grep -c '^S[0-9],[-0-9]*,12\.5383,' "$T/lines.csv"
	[ "$output" -gt 3000 ]
	[ "$(wc -l <"$T/lines.csv")" -eq 60001 ]
}

@test "a CSV and a binary input together: the converting path's bytes" {
	run -0 pp cat -B -o "$T/mixed.ppf" "$T/mixed.csv"
	run -0 pp cat -o "$T/two.csv" "$T/mixed.csv" "$T/mixed.ppf"
	PP_CSV_THREADS=1 run -0 pp cat -o "$T/serial.csv" "$T/mixed.csv" \
	    "$T/mixed.ppf"
	cmp "$T/two.csv" "$T/serial.csv"
	[ "$(wc -l <"$T/two.csv")" -eq 120001 ]
}

@test "--select, --head, --tail and --precision still convert" {
	for opts in "--select date,x" "--head 45000" "--tail 50000" \
	    "--precision 3"; do
		# shellcheck disable=SC2086
		run -0 pp cat $opts -o "$T/a.csv" "$T/mixed.csv"
		# shellcheck disable=SC2086
		PP_CSV_THREADS=1 run -0 pp cat $opts -o "$T/b.csv" "$T/mixed.csv"
		cmp "$T/a.csv" "$T/b.csv" || fail "$opts: outputs differ"
	done
}

@test "-d ';' keeps a comma in text unquoted, as the converting path" {
	tr ',' ';' <"$T/mixed.csv" | sed 's/"a;b"/a,b/' >"$T/semi.csv"
	grep -q ';a,b$' "$T/semi.csv"
	run -0 pp cat -d ';' -o "$T/lines.csv" "$T/semi.csv"
	PP_CSV_THREADS=1 run -0 pp cat -d ';' -o "$T/serial.csv" "$T/semi.csv"
	cmp "$T/lines.csv" "$T/serial.csv"
	grep -q ';a,b$' "$T/lines.csv"
}

@test "a bad number among rows kept as text names its line" {
	sed '45668s/,12\.5383,/,12.53x3,/' "$T/mixed.csv" >"$T/bad.csv"
	grep -q ',12.53x3,' "$T/bad.csv"
	run -1 pp cat -o "$T/out.csv" "$T/bad.csv"
	assert_output "pp: $T/bad.csv:45668: column \"x\": not a number"
	[ ! -e "$T/out.csv" ]
	PP_CSV_THREADS=1 run -1 pp cat -o "$T/out.csv" "$T/bad.csv"
	assert_output "pp: $T/bad.csv:45668: column \"x\": not a number"
}

@test "a row with a field too many or too few names its line" {
	for fix in 's/$/,extra/' 's/,[^,]*$//'; do
		sed "45668$fix" "$T/mixed.csv" >"$T/bad.csv"
		run -1 pp cat -o "$T/out.csv" "$T/bad.csv"
		a=$output
		PP_CSV_THREADS=1 run -1 pp cat -o "$T/out.csv" "$T/bad.csv"
		assert_equal "$a" "$output"
		case $fix in
		*extra*) assert_output "pp: $T/bad.csv:45668: expected 5 fields, found 6" ;;
		*) assert_output "pp: $T/bad.csv:45668: expected 5 fields, found 4" ;;
		esac
	done
}
