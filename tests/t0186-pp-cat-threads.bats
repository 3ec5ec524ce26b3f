#!/usr/bin/env bats
# t0186: pp cat --threads N.
#
# Plan:
#   a CSV file larger than one parsing block, to CSV and to binary, on 1, 2
#     and 5 threads: the same bytes (binary compared without the metadata)
#   the option: a missing argument, bad values, another command's
#     (pp sort --threads is unknown)

load helpers/common

setup() {
	common_setup
	awk -F, 'NR == 1 { print; next } { a[NR] = $0 } END {
		for (k = 0; k < 400; k++)
			for (i = 2; i <= NR; i++) {
				$0 = a[i]; $1 = $1 "_" k; print
			} }' OFS=, testdata/features-prices.csv > "$T/big.csv"
}

@test "CSV and binary out: the same bytes on 1, 2 and 5 threads" {
	run -0 pp cat --threads 1 -o "$T/one.csv" "$T/big.csv"
	run -0 pp cat --threads 1 -B --strip-meta -o "$T/one.ppf" "$T/big.csv"
	for t in 2 5; do
		run -0 pp cat --threads $t -o "$T/many.csv" "$T/big.csv"
		cmp "$T/one.csv" "$T/many.csv" || fail "--threads $t: CSV differs"
		run -0 pp cat --threads $t -B --strip-meta -o "$T/many.ppf" "$T/big.csv"
		cmp "$T/one.ppf" "$T/many.ppf" || fail "--threads $t: binary differs"
	done
}

@test "--threads: missing argument, bad values, not an option of pp sort" {
	run -2 --separate-stderr pp cat testdata/cat-small.csv --threads
	assert_equal "$stderr" "pp: option --threads needs an argument"
	for v in 0 65 x ''; do
		run -2 --separate-stderr pp cat --threads "$v" testdata/cat-small.csv
		assert_equal "$stderr" "pp: --threads: bad value \"$v\": want a whole number from 1 to 64"
	done
	run -2 --separate-stderr pp sort --threads 2 testdata/cat-small.csv
	assert_equal "$stderr" "pp: unknown option --threads"
}
