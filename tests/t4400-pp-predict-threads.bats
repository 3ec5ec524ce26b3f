#!/usr/bin/env bats
# t4400: pp-predict --threads N.
#
# Plan:
#   a gbdt model on 72,000 rows (two blocks of rows, many XGBoost calls)
#     and a linear one: --threads 1, 2 and 5 write the same bytes, CSV and
#     binary (binary compared without the metadata, whose producer line
#     quotes the command line)
#   the option: a missing argument, bad values, an extra operand

load helpers/common

setup() {
	common_setup
	D=$PWD/testdata
	cd "$T"
	unset PP_REGISTRY
	awk -F, 'NR == 1 { print; next } { a[NR] = $0 } END {
		for (k = 0; k < 300; k++)
			for (i = 2; i <= NR; i++) {
				$0 = a[i]; $1 = $1 "_" k; print
			} }' OFS=, "$D/train-small.csv" > big.csv
	pp-train -m gbdt -t y --features f1,f2,f3 --n-estimators 30 \
	    --no-registry -o g.ppm "$D/train-small.csv" 2>/dev/null
	pp-train -m ridge -t y --features f1,f2,f3 --no-registry \
	    -o r.ppm "$D/train-small.csv" 2>/dev/null
}

@test "gbdt and linear models: the same bytes on 1, 2 and 5 threads" {
	pp cat -B -o big.ppf big.csv
	for m in g.ppm r.ppm; do
		run -0 pp-predict --threads 1 -m $m -o one.csv big.csv
		run -0 pp-predict --threads 1 -m $m -B -o one.ppf big.ppf
		run -0 pp cat -B --strip-meta -o one.strip one.ppf
		for t in 2 5; do
			run -0 pp-predict --threads $t -m $m -o many.csv big.csv
			cmp one.csv many.csv || fail "$m --threads $t: CSV differs"
			run -0 pp-predict --threads $t -m $m -B -o many.ppf big.ppf
			run -0 pp cat -B --strip-meta -o many.strip many.ppf
			cmp one.strip many.strip || fail "$m --threads $t: binary differs"
		done
	done
}

@test "--threads: missing argument, bad values, extra operand" {
	run -2 --separate-stderr pp-predict -m g.ppm big.csv --threads
	assert_equal "$stderr" "pp-predict: option --threads needs an argument"
	for v in 0 65 x ''; do
		run -2 --separate-stderr pp-predict --threads "$v" -m g.ppm big.csv
		assert_equal "$stderr" "pp-predict: --threads: bad value \"$v\": want a whole number from 1 to 64"
	done
	run -2 --separate-stderr pp-predict --threads 2 -m g.ppm big.csv extra
	assert_equal "$stderr" "pp-predict: one input frame at most"
}
