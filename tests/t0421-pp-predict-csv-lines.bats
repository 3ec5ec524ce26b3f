#!/usr/bin/env bats
# t0421: pp-predict CSV -> CSV writes an input row that is already in the
# writer's form as its text followed by the prediction (lib/frame.h
# pp_reader_next_line, pp_writer_line); other rows are converted and
# formatted as before.  The bytes must be the converting path's:
# PP_CSV_THREADS=1 (no rows kept as text) and a binary input frame are
# the references.
#
# Plan:
#   a 3 MB frame of features in and out of the writer's form ("0.50",
#     "+1", "1e-5", "-0.0", "NA" among short decimals and exponent
#     forms): the same bytes with and without threads and from the
#     binary frame, and the rewritten shapes did change
#   --only and --output-col still give the converting path's bytes
#   a bad feature value deep in the file names its line, as without
#     threads

load helpers/common

setup() {
	common_setup
	awk 'BEGIN {
		split("0.25|0.50|+1|1e-5|-0.0|NA|3.5e-05|-1.25|7|0.001", a, "|")
		print "symbol,date,x1,x2,y"
		for (i = 0; i < 90000; i++) {
			x2 = (i * 7919) % 1000 / 100 - 5
			printf "S%d,%04d-%02d-%02d,%s,%s,%s\n", i % 5,
			    2000 + int(i / 336), 1 + int(i / 28) % 12, 1 + i % 28,
			    a[1 + i % 10], x2, (i % 13) / 4 - x2 / 3
		}
	}' >"$T/f.csv"
	# the model is fitted on rows where every feature is a number
	grep -v -e ',NA,' "$T/f.csv" >"$T/fit.csv"
	run -0 --separate-stderr pp-train -m ols -t y --no-registry \
	    -o "$T/m.ppm" "$T/fit.csv"
}

@test "rows in and out of the writer's form: the converting path's bytes" {
	run -0 pp-predict -m "$T/m.ppm" -o "$T/lines.csv" "$T/f.csv"
	PP_CSV_THREADS=1 run -0 pp-predict -m "$T/m.ppm" -o "$T/serial.csv" \
	    "$T/f.csv"
	cmp "$T/lines.csv" "$T/serial.csv"
	run -0 pp cat -B -o "$T/f.ppf" "$T/f.csv"
	run -0 pp-predict -m "$T/m.ppm" -o "$T/viabin.csv" "$T/f.ppf"
	cmp "$T/lines.csv" "$T/viabin.csv"
	run -0 head -1 "$T/lines.csv"
	assert_output "symbol,date,x1,x2,y,prediction"
	[ "$(wc -l <"$T/lines.csv")" -eq 90001 ]
	run -0 grep -c '^S[0-9],[-0-9]*,0\.25,' "$T/lines.csv"
	[ "$output" -eq 9000 ]
	run -0 grep -c '^S[0-9],[-0-9]*,3\.5e-05,' "$T/lines.csv"
	[ "$output" -eq 9000 ]
	run -1 grep -q -e ',0\.50,' -e ',+1,' -e ',1e-5,' -e ',-0\.0,' \
	    -e ',NA,' "$T/lines.csv"
}

@test "--only and --output-col: the converting path's bytes" {
	for opts in "--only" "--output-col p"; do
		# shellcheck disable=SC2086
		run -0 pp-predict $opts -m "$T/m.ppm" -o "$T/a.csv" "$T/f.csv"
		# shellcheck disable=SC2086
		PP_CSV_THREADS=1 run -0 pp-predict $opts -m "$T/m.ppm" \
		    -o "$T/b.csv" "$T/f.csv"
		cmp "$T/a.csv" "$T/b.csv" || fail "$opts: outputs differ"
	done
}

@test "a bad feature deep in the file names its line, as without threads" {
	sed '70002s/,0\.25,/,0.2x5,/' "$T/f.csv" >"$T/bad.csv"
	grep -q ',0.2x5,' "$T/bad.csv"
	run -1 pp-predict -m "$T/m.ppm" -o "$T/out.csv" "$T/bad.csv"
	assert_output "pp-predict: $T/bad.csv:70002: column \"x1\": not a number"
	[ ! -e "$T/out.csv" ]
	PP_CSV_THREADS=1 run -1 pp-predict -m "$T/m.ppm" -o "$T/out.csv" \
	    "$T/bad.csv"
	assert_output "pp-predict: $T/bad.csv:70002: column \"x1\": not a number"
}
