#!/usr/bin/env bats
# t3100: pp-train's chronological validation and grid search.
#
# Plan (the metric values themselves are checked against scikit-learn in
# t3000's sklearn test; here the layout, the report and the choices):
#   --test-frac    one fold on the last dates, report lines exact, the
#                  saved model is fitted on the training dates only
#   --cv           fold date ranges with gap, embargo and --max-train
#   --grid         each candidate reported, the lowest mean wins and is
#                  stored; two axes make a product
#   logistic       log loss and accuracy per fold
#   dates          a frame without a date column cannot be split; too few
#                  dates for the folds is an error

load helpers/common

setup() {
	common_setup
	cd testdata
	export PP_REGISTRY="$T/pp.db"
}

@test "--test-frac holds out the last dates; the model is fitted before them" {
	run -0 --separate-stderr pp-train --no-registry -m ols -t y --exclude cls \
	    --test-frac 0.25 --gap 2 -o "$T/m.ppm" train-small.csv
	assert_regex "${stderr%%$'\n'*}" '^pp-train: fold 1/1: train 2020-01-01\.\.2020-02-27 \(174 rows\), test 2020-03-01\.\.2020-03-20 \(60 rows\): rmse [0-9.]+, r2 [0-9.]+$'
	assert_regex "${stderr#*$'\n'}" '^pp-train: test: rmse [0-9.]+, r2 [0-9.]+$'
	run -0 pp-train --describe "$T/m.ppm"
	assert_line "meta rows: 174"
	assert_line "meta train_last_date: 2020-02-27"
	assert_line "meta validation: test_frac=0.25,gap=2,embargo=0,max_train=0"
	assert_line --regexp '^meta test_rmse: 0\.[0-9]+$'
}

@test "--cv walkforward with gap, embargo and a rolling window" {
	run -0 --separate-stderr pp-train --no-registry -m ridge -t y --exclude cls \
	    --cv walkforward:3 --gap 1 --embargo 2 --max-train 30 \
	    -o "$T/m.ppm" train-small.csv
	sed -E 's/: rmse .*//' <<<"$stderr" >"$T/got"
	cat >"$T/want" <<'END'
pp-train: fold 1/3: train 2020-01-01..2020-01-19 (57 rows), test 2020-01-21..2020-02-09 (60 rows)
pp-train: fold 2/3: train 2020-01-10..2020-02-08 (90 rows), test 2020-02-10..2020-02-29 (60 rows)
pp-train: fold 3/3: train 2020-01-30..2020-02-28 (84 rows), test 2020-03-01..2020-03-20 (60 rows)
pp-train: mean
END
	diff -u "$T/want" "$T/got"
	run -0 pp-train --describe "$T/m.ppm"
	assert_line "meta rows: 240"
	assert_line "meta validation: walkforward:3,gap=1,embargo=2,max_train=30"
}

@test "--grid reports every candidate and keeps the lowest mean" {
	run -0 --separate-stderr pp-train --no-registry -m elasticnet -t y --exclude cls \
	    --cv walkforward:2 --grid alpha=0.01,5 --grid l1_ratio=0.2,0.9 \
	    -o "$T/m.ppm" train-small.csv
	grep -E ' mean: ' <<<"$stderr" | sed -E 's/: rmse.*//' >"$T/got"
	cat >"$T/want" <<'END'
pp-train: alpha=0.01,l1_ratio=0.2 mean
pp-train: alpha=0.01,l1_ratio=0.9 mean
pp-train: alpha=5,l1_ratio=0.2 mean
pp-train: alpha=5,l1_ratio=0.9 mean
END
	diff -u "$T/want" "$T/got"
	# The winner is the candidate with the smallest mean rmse.
	best=$(grep -E ' mean: ' <<<"$stderr" |
	    sed -E 's/^pp-train: ([^ ]*) mean: rmse ([^,]*),.*/\2 \1/' |
	    sort -g | head -1 | cut -d' ' -f2)
	assert_equal "${stderr##*$'\n'}" "pp-train: best $best"
	run -0 pp-train --describe "$T/m.ppm"
	assert_line "meta grid_best: $best"
	a=${best%%,*}
	assert_line "alpha: ${a#alpha=}"
	assert_line "l1_ratio: ${best#*l1_ratio=}"
}

@test "logistic validation reports log loss and accuracy" {
	run -0 --separate-stderr pp-train --no-registry -m logistic -t cls --exclude y \
	    --standardize --cv walkforward:2 --grid C=0.01,1 -o "$T/m.ppm" \
	    train-small.csv
	assert_regex "$stderr" 'C=0\.01 fold 1/2: train 2020-01-01\.\.2020-01-28 \(84 rows\), test 2020-01-29\.\.2020-02-23 \(78 rows\): logloss 0\.[0-9]+, accuracy 0\.[0-9]+'
	run -0 pp-train --describe "$T/m.ppm"
	assert_line --regexp '^meta cv_logloss: 0\.[0-9]+$'
	assert_line --regexp '^meta cv_accuracy: 0\.[0-9]+$'
}

@test "splitting needs dates, enough of them" {
	printf 'x,y\n1,2\n2,3\n3,5\n4,4\n' >"$T/nodate.csv"
	run -1 --separate-stderr pp-train --no-registry -m ols -t y --test-frac 0.5 -o "$T/m" "$T/nodate.csv"
	[ "$stderr" = "pp-train: $T/nodate.csv: no \"date\" column of dates to split on" ]
	run -1 --separate-stderr pp-train --no-registry -m ols -t y --cv walkforward:100 -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: walkforward:100: 80 dates are too few for 100 folds' ]
	run -1 --separate-stderr pp-train --no-registry -m ols -t y --test-frac 0.5 --gap 40 -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: fold 1 of 1: no training dates (80 dates, gap 40, embargo 0)' ]
	[ ! -e "$T/m" ]
}
