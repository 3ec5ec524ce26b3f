#!/usr/bin/env bats
# t6100: pp-predict on binary frames in and out goes a chunk at a time
# (columns passed through, the model scored column by column: issue 19)
# and must write exactly the bytes the row-by-row path writes.  The row
# path is what CSV input takes, so each test predicts the same frame from
# CSV and from binary (written by tests/helpers/ppframe.py, in chunks of
# several sizes) and compares the output bytes.
#
# Plan:
#   chunks     input chunks smaller, equal to and larger than the output's
#              (8192 rows), compressed or not, --compress and --only out,
#              ridge and logistic (classes and --proba), missing and
#              infinite values: the same bytes as from CSV
#   strict     --strict fails at the first missing value's row, naming it,
#              after the same rows as from CSV went out
#   int64      an int64 feature column scores as its values as numbers

load helpers/common

setup() {
	common_setup
	# 20500 rows: three symbols of different lengths, a missing f1 now
	# and then, an infinite f2 or f3 now and then.
	awk 'BEGIN {
		print "symbol,date,f1,f2,f3"
		split("A BB CCCC", sym, " ")
		for (i = 0; i < 20500; i++) {
			f1 = (i % 5003 == 4000) ? "" : (i % 97) / 7
			f2 = (i % 7777 == 3) ? "inf" : (i * 31 % 101) * 0.13
			f3 = (i % 9001 == 17) ? "-inf" : 80 + i * 0.001
			printf "%s,2020-01-%02d,%s,%s,%s\n", sym[i % 3 + 1], \
			    i % 28 + 1, f1, f2, f3
		}
	}' >"$T/d.csv"
	PPF="python3 tests/helpers/ppframe.py"
}

# same_bytes MODEL ARGS...: pp-predict ARGS on d.ppf (binary) and on d.csv
# write the same bytes (a.out, b.out) and exit the same way ($status).
same_bytes() {
	local m=$1 a=0 b=0
	shift
	pp-predict -m "$m" "$@" <"$T/d.ppf" >"$T/a.out" 2>"$T/a.err" || a=$?
	pp-predict -m "$m" "$@" <"$T/d.csv" >"$T/b.out" 2>"$T/b.err" || b=$?
	assert_equal "$a" "$b"
	cmp "$T/a.out" "$T/b.out"
	status=$a
}

@test "binary chunks of any size give the bytes CSV input gives" {
	pp-train --no-registry -m logistic -t cls --exclude y --standardize \
	    -o "$T/l.ppm" testdata/train-small.csv
	for rows in 1000 8192 20000; do
		for z in "" --compress; do
			$PPF write --chunk-rows $rows $z "$T/d.csv" "$T/d.ppf"
			pp-predict -m testdata/model-ridge-v1.ppm -B <"$T/d.ppf" >"$T/a.ppf"
			pp-predict -m testdata/model-ridge-v1.ppm -B <"$T/d.csv" >"$T/b.ppf"
			cmp "$T/a.ppf" "$T/b.ppf"
			same_bytes testdata/model-ridge-v1.ppm --compress
			same_bytes testdata/model-ridge-v1.ppm -B --only
			same_bytes "$T/l.ppm" -B
			same_bytes "$T/l.ppm" -B --proba --output-col p
		done
	done
	# The predictions themselves: a missing or infinite feature gives a
	# missing one, the others are those of CSV out.
	run -0 pp cat "$T/a.ppf"
	[ "${#lines[@]}" -eq 20501 ]
	[ "${lines[4001]}" = "BB,2020-01-25,,9.49,84," ]
	[ "${lines[18]}" = "CCCC,2020-01-18,2.42857,2.86,-inf," ]
	pp-predict -m testdata/model-ridge-v1.ppm -o "$T/want.csv" "$T/d.csv"
	diff -u "$T/want.csv" <(printf '%s\n' "${lines[@]}")
}

@test "--strict fails at the first missing value, after the rows before" {
	$PPF write --chunk-rows 3000 "$T/d.csv" "$T/d.ppf"
	run -1 --separate-stderr pp-predict -m testdata/model-ridge-v1.ppm -B --strict <"$T/d.ppf"
	[ "$stderr" = 'pp-predict: <stdin>:4: feature "f2": missing value' ]
	awk -F, 'NR == 1 || NR > 5' "$T/d.csv" >"$T/c.csv"
	$PPF write --chunk-rows 3000 "$T/c.csv" "$T/d.ppf"
	run -1 --separate-stderr pp-predict -m testdata/model-ridge-v1.ppm -B --strict <"$T/d.ppf"
	[ "$stderr" = 'pp-predict: <stdin>:14: feature "f3": missing value' ]
	# Row 10000 the first bad one: a whole 8192-row chunk went out
	# before it, as from CSV.
	awk -F, 'NR == 1 || $3 != "" && $4 != "inf" && $5 != "-inf"' "$T/d.csv" |
	    awk -F, -v OFS=, 'NR == 10001 { $4 = "" } 1' >"$T/c.csv"
	mv "$T/c.csv" "$T/d.csv"
	for rows in 1000 8192 20000; do
		$PPF write --chunk-rows $rows "$T/d.csv" "$T/d.ppf"
		same_bytes testdata/model-ridge-v1.ppm -B --strict
		assert_equal "$status" 1
		[ "$(cat "$T/a.err")" = 'pp-predict: <stdin>:10000: feature "f2": missing value' ]
		[ "$(cat "$T/b.err")" = 'pp-predict: <stdin>:10001: feature "f2": missing value' ]
		run -1 python3 tests/helpers/ppframe.py chunks "$T/a.out"
		assert_line --index 1 --regexp '^chunk [0-9]+ 8192 0 '
		assert_line --index 2 --partial 'truncated frame (no end chunk)'
	done
}

@test "an int64 feature scores as its values" {
	awk -F, -v OFS=, 'NR > 1 { $3 = int($3 * 7) } 1' "$T/d.csv" >"$T/i.csv"
	$PPF write --chunk-rows 5000 --types f1=int64 "$T/i.csv" "$T/d.ppf"
	pp-predict -m testdata/model-ridge-v1.ppm -B -o "$T/a.ppf" "$T/d.ppf"
	pp cat -o "$T/a.csv" "$T/a.ppf"
	pp-predict -m testdata/model-ridge-v1.ppm -o "$T/want.csv" "$T/d.ppf"
	diff -u "$T/want.csv" "$T/a.csv"
	pp-predict -m testdata/model-ridge-v1.ppm -o "$T/want.csv" "$T/i.csv"
	diff -u "$T/want.csv" "$T/a.csv"
}
