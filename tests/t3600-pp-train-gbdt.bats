#!/usr/bin/env bats
# t3600: pp-train -m gbdt, gradient-boosted trees on XGBoost's C library.
#
# Plan:
#   fit           a regression: the features line, --describe's kind,
#                 objective, trees, the importance table's header and its
#                 order (gain, highest first), the params metadata
#   objective     a 0/1 target is binary:logistic, scored by log loss and
#                 accuracy; --objective chooses another; a binary objective
#                 with a target that is not 0/1 is an error naming it
#   deterministic same input, parameters, seed and threads: the same bytes;
#                 another seed with row sampling: other bytes
#   validation    walk-forward folds with a gap and a --grid of two axes,
#                 nested runs in the registry, the parent's chosen params,
#                 importance.FEATURE metrics equal to --describe's gain,
#                 xgboost_version tag; --test-frac logs test metrics
#   early stop    the best iteration on stderr, in the metadata and the
#                 registry; the model keeps best + 1 trees; too few dates
#                 for a tail is an error
#   python        the same rows and parameters through python3-xgboost
#                 give the same predictions to 1e-6, for a regression and
#                 a binary model, and the same best iteration with early
#                 stopping (skipped, saying why, without python3-xgboost)
#   errors        XGBoost's own error passed on with context (exit 1, one
#                 line); every gbdt option: missing argument, bad value;
#                 gbdt options refused for linear models and linear ones
#                 for gbdt; bad --grid parameters and values

load helpers/common

setup() {
	common_setup
	D=$PWD/testdata
	XC=$PWD/tests/helpers/xgb_check.py
	cd "$T"
	unset PP_REGISTRY
	cp "$D/train-small.csv" small.csv
}

# The value of KIND,KEY in `pp-registry show RUN --format csv`.
shown() {
	pp-registry show "$1" --format csv >"$T/show.csv"
	awk -F, -v k="$2" -v key="$3" '$1 == k && $2 == key {
		sub(/^[^,]*,[^,]*,/, ""); print }' "$T/show.csv"
}

need_xgboost() {
	why=$(/usr/bin/python3 "$XC" available) || skip "$why"
}

@test "a regression fits, and --describe shows the trees and their importance" {
	run -0 --separate-stderr pp-train -m gbdt -t y --features f1,f2,f3 \
	    --no-registry -o m.ppm small.csv
	[ "$stderr" = "pp-train: features: f1,f2,f3" ]
	run -0 --separate-stderr pp-train --describe m.ppm
	sed -n 1,6p <<<"$output" >head.txt
	printf '%s\n' 'kind: gbdt' 'target: y (real)' \
	    'objective: reg:squarederror' 'trees: 300' 'features: 3' \
	    'feature,gain,cover,weight' >want.txt
	diff -u want.txt head.txt
	sed -n 7,9p <<<"$output" >table.csv
	[ "$(cut -d, -f1 table.csv | sort | tr '\n' ' ')" = "f1 f2 f3 " ]
	cut -d, -f2 table.csv >gain
	sort -g -r gain | diff -u - gain
	assert_line 'meta params: n_estimators=300,learning_rate=0.05,max_depth=4,min_child_weight=1,subsample=1,colsample_bytree=1,lambda=1,alpha=0,gamma=0,seed=0,early_stopping=0'
	assert_line --regexp '^meta xgboost_version: [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a 0/1 target is binary:logistic; --objective chooses; a bad target is named" {
	run -0 --separate-stderr pp-train -m gbdt -t cls --features f1,f2,f3 \
	    --cv walkforward:2 --horizon 1 --n-estimators 20 --no-registry \
	    -o b.ppm small.csv
	assert_regex "$stderr" "pp-train: mean: logloss [0-9.e-]+, accuracy [0-9.e-]+"
	run -0 --separate-stderr pp-train --describe b.ppm
	assert_line 'target: cls (binary)'
	assert_line 'objective: binary:logistic'
	run -0 --separate-stderr pp-train -m gbdt -t y --features f1,f2,f3 \
	    --objective reg:pseudohubererror --n-estimators 5 --no-registry \
	    -o h.ppm small.csv
	run -0 --separate-stderr pp-train --describe h.ppm
	assert_line 'objective: reg:pseudohubererror'
	run -1 --separate-stderr pp-train -m gbdt -t y --features f1,f2 \
	    --objective binary:logistic --no-registry -o x.ppm small.csv
	[ "$stderr" = 'pp-train: small.csv: column "y": binary:logistic target must be 0 or 1, not -3.017913' ]
	[ ! -e x.ppm ]
}

@test "the same input, parameters, seed and threads give the same bytes" {
	args=(-m gbdt -t y --features f1,f2,f3 --n-estimators 40 --subsample 0.7
	    --colsample-bytree 0.7 --threads 2 --no-registry)
	pp-train "${args[@]}" --seed 3 -o a.ppm small.csv 2>/dev/null
	pp-train "${args[@]}" --seed 3 -o b.ppm small.csv 2>/dev/null
	pp-train "${args[@]}" --seed 4 -o c.ppm small.csv 2>/dev/null
	cmp a.ppm b.ppm
	run -1 cmp -s a.ppm c.ppm
}

@test "walk-forward folds with a gap, a grid of nested runs, importance metrics" {
	run -0 --separate-stderr pp-train -m gbdt -t y --features f1,f2,f3 \
	    --cv walkforward:3 --gap 2 --grid n_estimators=10,30 \
	    --grid max_depth=2,3 --print-run-id -o g.ppm small.csv
	id=$output
	assert_regex "$stderr" "pp-train: n_estimators=30,max_depth=3 fold 3/3: train 2020-01-01\.\.2020-02-27 \([0-9]+ rows\), test 2020-03-01\.\.2020-03-20"
	best=$(sed -n 's/^pp-train: best //p' <<<"$stderr")
	[ -n "$best" ]
	pp-registry runs --nested --format csv >runs.csv
	for c in n_estimators=10,max_depth=2 n_estimators=10,max_depth=3 \
	    n_estimators=30,max_depth=2 n_estimators=30,max_depth=3; do
		grep -q ",$c," runs.csv || grep -q "\"$c\"" runs.csv ||
		    fail "no nested run $c"
	done
	[ "$(shown "$id" param n_estimators),$(shown "$id" param max_depth)" = \
	    "$(sed 's/n_estimators=\([0-9]*\),max_depth=\([0-9]*\)/\1,\2/' <<<"$best")" ]
	[ "$(shown "$id" param learning_rate)" = 0.05 ]
	[ "$(shown "$id" param objective_used)" = reg:squarederror ]
	assert_regex "$(shown "$id" tag xgboost_version)" '^[0-9]+\.[0-9]+\.[0-9]+$'
	pp-train --describe g.ppm | sed -n '/^feature,gain/,/^meta/p' |
	    grep -v -e '^feature,' -e '^meta' >table.csv
	while IFS=, read -r f gain _; do
		assert_close "$(shown "$id" metric "importance.$f")" "$gain" 1e-6
	done <table.csv
	run -0 --separate-stderr pp-train -m gbdt -t y --features f1,f2 \
	    --test-frac 0.25 --horizon 1 --n-estimators 10 --print-run-id \
	    -o t.ppm small.csv
	[ -n "$(shown "$output" metric test_rmse)" ]
	[ -z "$(shown "$output" metric cv_rmse)" ]
}

@test "early stopping: the best iteration is said, kept and logged" {
	run -0 --separate-stderr pp-train -m gbdt -t y --features f1,f2,f3 \
	    --learning-rate 0.3 --early-stopping 5 --print-run-id -o e.ppm \
	    small.csv
	id=$output
	it=$(sed -n 's/^pp-train: early stopping: best iteration \([0-9]*\) of 300 rounds$/\1/p' <<<"$stderr")
	[ -n "$it" ]
	[ "$it" -lt 295 ]
	run -0 --separate-stderr pp-train --describe e.ppm
	assert_line "trees: $((it + 1))"
	assert_line "meta best_iteration: $it"
	[ "$(shown "$id" metric best_iteration)" = "$it" ]
	head -3 small.csv >tiny.csv
	run -1 --separate-stderr pp-train -m gbdt -t y --features f1 \
	    --early-stopping 5 --horizon 1 --no-registry -o x.ppm tiny.csv
	[ "$stderr" = "pp-train: --early-stopping: too few training dates to hold out a validation tail" ]
}

@test "python3-xgboost: the same predictions and best iteration" {
	need_xgboost
	pp-train -m gbdt -t y --features f1,f2,f3 --n-estimators 50 \
	    --learning-rate 0.1 --threads 1 --no-registry -o r.ppm small.csv \
	    2>/dev/null
	pp-predict -m r.ppm -o r.csv small.csv
	run -0 /usr/bin/python3 "$XC" check small.csv --target y --features f1,f2,f3 \
	    --params n_estimators=50,learning_rate=0.1 --pred r.csv
	pp-train -m gbdt -t cls --features f1,f2,f3 --n-estimators 60 \
	    --max-depth 3 --subsample 0.8 --seed 5 --threads 1 --no-registry \
	    -o b.ppm small.csv 2>/dev/null
	pp-predict -m b.ppm --proba -o b.csv small.csv
	run -0 /usr/bin/python3 "$XC" check small.csv --target cls --features f1,f2,f3 \
	    --params n_estimators=60,max_depth=3,subsample=0.8,seed=5 \
	    --pred b.csv --proba
	run -0 --separate-stderr pp-train -m gbdt -t y --features f1,f2,f3 \
	    --learning-rate 0.3 --early-stopping 5 --threads 1 --no-registry \
	    -o e.ppm small.csv
	it=$(sed -n 's/^pp-train: early stopping: best iteration \([0-9]*\) .*/\1/p' <<<"$stderr")
	pp-predict -m e.ppm -o e.csv small.csv
	run -0 /usr/bin/python3 "$XC" check small.csv --target y --features f1,f2,f3 \
	    --params learning_rate=0.3 --early-stopping 5 --best "$it" \
	    --pred e.csv
}

@test "XGBoost's errors are passed on with context" {
	run -1 --separate-stderr pp-train -m gbdt -t y --features f1 \
	    --objective reg:bogus --no-registry -o x.ppm small.csv
	[ "$stderr" = 'pp-train: xgboost: boosting: Unknown objective function: `reg:bogus`' ]
	[ ! -e x.ppm ]
	run -1 --separate-stderr pp-train -m gbdt -t y --features f1 \
	    --objective reg:bogus --cv walkforward:2 --gap 1 -q -o x.ppm small.csv
	[ "$stderr" = 'pp-train: fold 1: xgboost: boosting: Unknown objective function: `reg:bogus`' ]
}

@test "gbdt options: missing arguments, bad values, conflicts" {
	f=small.csv
	while IFS='|' read -r want args; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr pp-train $args
		[ "$stderr" = "pp-train: $want" ] || fail "pp-train $args: $stderr"
		[ -z "$output" ]
	done <<END
option --n-estimators needs an argument|-m gbdt -t y -o x $f --n-estimators
--n-estimators: bad value "0": want a whole number from 1 to 100000|-m gbdt -t y --n-estimators 0 -o x $f
--learning-rate: bad value "0": want a number from 1e-300 to 1|-m gbdt -t y --learning-rate 0 -o x $f
--learning-rate: bad value "2": want a number from 1e-300 to 1|-m gbdt -t y --learning-rate 2 -o x $f
option --max-depth needs an argument|-m gbdt -t y -o x $f --max-depth
--max-depth: bad value "65": want a whole number from 1 to 64|-m gbdt -t y --max-depth 65 -o x $f
--min-child-weight: bad value "-1": want a number from 0 to 1e+300|-m gbdt -t y --min-child-weight -1 -o x $f
--subsample: bad value "1.5": want a number from 1e-300 to 1|-m gbdt -t y --subsample 1.5 -o x $f
--colsample-bytree: bad value "x": want a number from 1e-300 to 1|-m gbdt -t y --colsample-bytree x -o x $f
--lambda: bad value "-0.5": want a number from 0 to 1e+300|-m gbdt -t y --lambda -0.5 -o x $f
--gamma: bad value "nan": want a number from 0 to 1e+300|-m gbdt -t y --gamma nan -o x $f
--seed: bad value "-1": want a whole number from 0 to 2147483647|-m gbdt -t y --seed -1 -o x $f
--threads: bad value "1.5": want a whole number from 0 to 1024|-m gbdt -t y --threads 1.5 -o x $f
option --objective needs an argument|-m gbdt -t y -o x $f --objective
--objective: "multi:softmax": want a reg: or binary: objective|-m gbdt -t y --objective multi:softmax -o x $f
--early-stopping: bad value "0": want a whole number from 1 to 100000|-m gbdt -t y --early-stopping 0 -o x $f
--n-estimators applies to gbdt only|-m ridge -t y --n-estimators 10 -o x $f
--early-stopping applies to gbdt only|-m ols -t y --early-stopping 10 -o x $f
--standardize does not apply to gbdt|-m gbdt -t y --standardize -o x $f
--C does not apply to gbdt|-m gbdt -t y --C 1 -o x $f
--grid: unknown parameter "C"|-m gbdt -t y --cv walkforward:2 --gap 1 --grid C=1 -o x $f
--grid: max_depth: bad value "2.5"|-m gbdt -t y --cv walkforward:2 --gap 1 --grid max_depth=2,2.5 -o x $f
--grid: subsample: bad value "0"|-m gbdt -t y --cv walkforward:2 --gap 1 --grid subsample=0 -o x $f
--grid: learning_rate: bad value "1.1"|-m gbdt -t y --cv walkforward:2 --gap 1 --grid learning_rate=1.1 -o x $f
one input frame at most|-m gbdt -t y -o x $f $f
END
}
