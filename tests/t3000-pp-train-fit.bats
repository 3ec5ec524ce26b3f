#!/usr/bin/env bats
# t3000: pp-train fits (no validation) and the model artifact.
#
# Plan:
#   sklearn        every kind, raw and standardized, and the hold-out and
#                  walk-forward metrics equal scikit-learn's
#                  (tests/helpers/sklearn_check.py; skipped, visibly, when
#                  /usr/bin/python3 cannot import sklearn)
#   describe       the description of an ols model (numbers to 1e-12); deterministic bytes;
#                  a binary frame input gives the same model as CSV
#   features       --features, --features-regex, --exclude select columns;
#                  unknown, text and target columns are errors
#   missing        rows with a missing value are dropped and counted;
#                  --strict makes the first one an error naming line/column
#   degenerate     constant and collinear features warn, coefficients finite
#   logistic       a target that is not 0/1 is an error naming the value
#   artifacts      truncated, corrupted, newer-version and non-model files
#                  are clear errors for --describe
#   options        each option: missing argument, bad value; conflicts
#   progress       --progress, -q, and a terminal

load helpers/common

setup() {
	common_setup
	cd testdata
	export PP_REGISTRY="$T/pp.db"
}

@test "coefficients and validation metrics equal scikit-learn's" {
	if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
		skip "python3-sklearn is not installed"
	fi
	run -0 --separate-stderr /usr/bin/python3 ../tests/helpers/sklearn_check.py \
	    "$PP_BUILD/bin/pp-train" train-small.csv "$T"
	refute_output --partial FAIL
	assert_equal "${#lines[@]}" 74
}

@test "--describe prints an ols model (coefficients to 1e-12)" {
	run -0 --separate-stderr pp-train --no-registry -m ols -t y --features f1,f2 \
	    -o "$T/m.ppm" train-small.csv
	assert_equal "$output" ""
	assert_equal "$stderr" "pp-train: features: f1,f2"
	run -0 --separate-stderr pp-train --describe "$T/m.ppm"
	# The coefficients come from LAPACK: their last digits depend on the
	# CPU's OpenBLAS kernels (Prescott and Haswell differ in the 15th
	# digit), so numbers agree to 1e-12 and the words exactly.
	assert_output_close "$(cat <<'END'
kind: ols
target: y (real)
standardized: no
intercept: -0.0403949921418284
features: 2
feature,mean,scale,coef
f1,0,1,0.4786256512590443
f2,0,1,-0.2918373166638952
meta pp_version: 0.1.0
meta rows: 240
meta rows_dropped: 0
meta train_first_date: 2020-01-01
meta train_last_date: 2020-03-20
END
)" 1e-12
}

@test "the same input gives the same bytes, CSV or binary, file or stdout" {
	pp-train --no-registry -m ridge -t y --exclude cls --standardize -o "$T/a.ppm" train-small.csv
	pp cat -B -o "$T/small.ppf" train-small.csv
	pp-train --no-registry -m ridge -t y --exclude cls --standardize -o "$T/b.ppm" "$T/small.ppf"
	pp-train --no-registry -m ridge -t y --exclude cls --standardize <train-small.csv >"$T/c.ppm"
	cmp "$T/a.ppm" "$T/b.ppm"
	cmp "$T/a.ppm" "$T/c.ppm"
}

@test "default features: every number column but target, date, symbol" {
	pp-train --no-registry -m ols -t y -o "$T/m.ppm" train-small.csv
	run -0 pp-train --describe "$T/m.ppm"
	assert_line "features: 4"
	assert_line --regexp '^cls,'
	pp-train --no-registry -m ols -t y --exclude cls,f3 -o "$T/m.ppm" train-small.csv
	run -0 pp-train --describe "$T/m.ppm"
	assert_line "features: 2"
	pp-train --no-registry -m ols -t y --features-regex '^f[13]$' -o "$T/m.ppm" train-small.csv
	run -0 pp-train --describe "$T/m.ppm"
	assert_line "features: 2"
	assert_line --regexp '^f3,'
	refute_line --regexp '^f2,'
}

@test "column errors name the column" {
	run -1 --separate-stderr pp-train --no-registry -m ols -t nope -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv: target column "nope" not found' ]
	run -1 --separate-stderr pp-train --no-registry -m ols -t symbol -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv: target column "symbol" is text, not a number' ]
	run -1 --separate-stderr pp-train --no-registry -m ols -t y --features f1,zz -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv: feature "zz": no such column' ]
	run -1 --separate-stderr pp-train --no-registry -m ols -t y --features f1,y -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv: feature "y": is the target' ]
	run -1 --separate-stderr pp-train --no-registry -m ols -t y --features symbol -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv: feature "symbol": not a number column' ]
	run -2 --separate-stderr pp-train --no-registry -m ols -t y --features f1,f1 -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv: feature "f1" given twice' ]
	run -1 --separate-stderr pp-train --no-registry -m ols -t y --exclude zz -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv: --exclude: column "zz" not found' ]
	run -1 --separate-stderr pp-train --no-registry -m ols -t y --features-regex '^q' -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv: no feature columns' ]
	run -2 --separate-stderr pp-train --no-registry -m ols -t y --features-regex '(' -o "$T/m" train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv: --features-regex: bad regular expression "("' ]
	[ ! -e "$T/m" ]
}

@test "rows with a missing value are dropped and counted; --strict fails" {
	run -0 --separate-stderr pp-train --no-registry -m ols -t y -o "$T/m.ppm" train-missing.csv
	[ "$stderr" = 'pp-train: features: x
pp-train: warning: dropped 2 of 12 rows with a missing or infinite value' ]
	run -0 pp-train --describe "$T/m.ppm"
	assert_line "meta rows: 10"
	assert_line "meta rows_dropped: 2"
	run -1 --separate-stderr pp-train --no-registry -m ols -t y --strict -o "$T/s.ppm" train-missing.csv
	[ "$stderr" = 'pp-train: train-missing.csv:5: column "x": missing value' ]
	[ ! -e "$T/s.ppm" ]
	printf 'x,y\n1,2\ninf,3\n2,4\n3,5\n' >"$T/inf.csv"
	run -1 --separate-stderr pp-train --no-registry -m ols -t y --strict -o "$T/s.ppm" "$T/inf.csv"
	[ "$stderr" = "pp-train: $T/inf.csv:3: column \"x\": infinite value" ]
	printf 'x,y\n1,\n,3\n' >"$T/none.csv"
	run -1 --separate-stderr pp-train --no-registry -m ols -t y -o "$T/s.ppm" "$T/none.csv"
	[ "$stderr" = "pp-train: $T/none.csv: no rows to fit (2 read, 2 with a missing value)" ]
}

@test "constant and collinear features warn and give finite coefficients" {
	for m in ols ridge lasso elasticnet; do
		run -0 --separate-stderr pp-train --no-registry -m "$m" -t y -o "$T/d.ppm" train-degenerate.csv
		assert_equal "${stderr%%$'\n'*}" 'pp-train: features: a,b,c'
		assert_equal "${stderr_lines[1]}" 'pp-train: warning: feature "c" is constant: its coefficient is 0'
		run -0 pp-train --describe "$T/d.ppm"
		refute_output --partial nan
		assert_line "c,0,1,0"
	done
	run -0 --separate-stderr pp-train --no-registry -m ols -t y -o "$T/d.ppm" train-degenerate.csv
	cat >"$T/want" <<'END'
pp-train: features: a,b,c
pp-train: warning: feature "c" is constant: its coefficient is 0
pp-train: warning: features are collinear: using the minimum-norm least-squares solution
END
	printf '%s\n' "$stderr" >"$T/got"
	diff -u "$T/want" "$T/got"
}

@test "logistic needs a 0/1 target with both classes" {
	run -1 --separate-stderr pp-train --no-registry -m logistic -t y -o "$T/l.ppm" train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv:2: column "y": logistic target must be 0 or 1, not -3.017913' ]
	printf 'x,c\n1,1\n2,1\n3,1\n' >"$T/one.csv"
	run -1 --separate-stderr pp-train --no-registry -m logistic -t c -o "$T/l.ppm" "$T/one.csv"
	[ "$stderr" = 'pp-train: the target has one class only (3 rows, all 1)' ]
}

@test "damaged artifacts are clear errors" {
	pp-train --no-registry -m ols -t y --exclude cls -o "$T/m.ppm" train-small.csv
	size=$(stat -c %s "$T/m.ppm")
	head -c $((size - 1)) "$T/m.ppm" >"$T/trunc.ppm"
	run -1 --separate-stderr pp-train --describe "$T/trunc.ppm"
	[ "$stderr" = "pp-train: $T/trunc.ppm: truncated (body has $((size - 37)) of $((size - 36)) bytes)" ]
	head -c 20 "$T/m.ppm" >"$T/short.ppm"
	run -1 --separate-stderr pp-train --describe "$T/short.ppm"
	[ "$stderr" = "pp-train: $T/short.ppm: truncated header (20 of 36 bytes)" ]
	cp "$T/m.ppm" "$T/newer.ppm"
	printf '\011' | dd of="$T/newer.ppm" bs=1 seek=8 conv=notrunc status=none
	run -1 --separate-stderr pp-train --describe "$T/newer.ppm"
	[ "$stderr" = "pp-train: $T/newer.ppm: format version 9 is newer than this program reads (3)" ]
	cp "$T/m.ppm" "$T/flip.ppm"
	printf '\377' | dd of="$T/flip.ppm" bs=1 seek=$((size - 2)) conv=notrunc status=none
	run -1 --separate-stderr pp-train --describe "$T/flip.ppm"
	assert_regex "$stderr" "^pp-train: $T/flip.ppm: (corrupt body|checksum mismatch)"
	run -1 --separate-stderr pp-train --describe train-small.csv
	[ "$stderr" = 'pp-train: train-small.csv: not a model artifact' ]
	: >"$T/empty.ppm"
	run -1 --separate-stderr pp-train --describe "$T/empty.ppm"
	[ "$stderr" = "pp-train: $T/empty.ppm: not a model artifact" ]
	run -1 --separate-stderr pp-train --describe "$T/nonexistent.ppm"
	[ "$stderr" = "pp-train: $T/nonexistent.ppm: No such file or directory" ]
}

@test "options: missing arguments, bad values, conflicts" {
	f=train-small.csv
	while IFS='|' read -r want args; do
		# shellcheck disable=SC2086
		run -2 --separate-stderr pp-train $args
		[ "$stderr" = "pp-train: $want" ] || fail "pp-train $args: $stderr"
		[ -z "$output" ]
	done <<END
option --model needs an argument|-o $T/x -t y $f --model
--model: unknown model "svm" (ols, ridge, lasso, elasticnet, logistic, gbdt)|-m svm -t y -o $T/x $f
no model: give -m KIND|-t y -o $T/x $f
no target: give --target COL|-m ols -o $T/x $f
option --target needs an argument|-m ols -o $T/x $f --target
--alpha: bad value "-1": want a number from 0 to 1e+300|-m ridge -t y --alpha -1 -o $T/x $f
--alpha: bad value "x": want a number from 0 to 1e+300|-m ridge -t y --alpha x -o $T/x $f
--l1-ratio: bad value "1.5": want a number from 0 to 1|-m elasticnet -t y --l1-ratio 1.5 -o $T/x $f
--C: bad value "0": want a number from 1e-300 to 1e+300|-m logistic -t cls --C 0 -o $T/x $f
a parameter given does not apply to ols|-m ols -t y --alpha 1 -o $T/x $f
a parameter given does not apply to ridge|-m ridge -t y --C 1 -o $T/x $f
a parameter given does not apply to lasso|-m lasso -t y --l1-ratio 0.5 -o $T/x $f
--test-frac: bad value "1": want a number from 1e-09 to 0.999999999|-m ols -t y --test-frac 1 -o $T/x $f
--cv: bad value "kfold:3": expected walkforward:K with K from 2 to 1000|-m ols -t y --cv kfold:3 -o $T/x $f
--cv and --test-frac exclude each other|-m ols -t y --cv walkforward:3 --test-frac 0.2 -o $T/x $f
--max-train: bad value "0": want a whole number from 1 to 100000000|-m ols -t y --cv walkforward:3 --max-train 0 -o $T/x $f
--gap: bad value "-1": want a whole number from 0 to 100000000|-m ols -t y --cv walkforward:3 --gap -1 -o $T/x $f
--embargo: bad value "z": want a whole number from 0 to 100000000|-m ols -t y --cv walkforward:3 --embargo z -o $T/x $f
--grid, --gap, --embargo and --max-train need --cv or --test-frac|-m ols -t y --gap 2 -o $T/x $f
--grid, --gap, --embargo and --max-train need --cv or --test-frac|-m ridge -t y --grid alpha=1,2 -o $T/x $f
--grid: give -m first|--grid alpha=1 -m ridge -t y -o $T/x $f
--grid: "alpha": expected PARAM=V1,V2,...|-m ridge -t y --cv walkforward:2 --grid alpha -o $T/x $f
--grid: unknown parameter "beta"|-m ridge -t y --cv walkforward:2 --grid beta=1 -o $T/x $f
--grid: parameter "C" does not apply to ridge|-m ridge -t y --cv walkforward:2 --grid C=1 -o $T/x $f
--grid: alpha: bad value "x"|-m ridge -t y --cv walkforward:2 --grid alpha=1,x -o $T/x $f
--grid: alpha: bad value ""|-m ridge -t y --cv walkforward:2 --grid alpha=1,,2 -o $T/x $f
--grid: l1_ratio: bad value "2"|-m elasticnet -t y --cv walkforward:2 --grid l1_ratio=2 -o $T/x $f
--grid: "alpha" given twice|-m ridge -t y --cv walkforward:2 --grid alpha=1 --grid alpha=2 -o $T/x $f
--max-iter: bad value "0": want a whole number from 1 to 100000000|-m lasso -t y --max-iter 0 -o $T/x $f
--features and --features-regex exclude each other|-m ols -t y --features f1 --features-regex f -o $T/x $f
one input frame at most|-m ols -t y -o $T/x $f $f
--describe takes no other input|--describe $T/x -m ols
option --describe needs an argument|--describe
END
	[ ! -e "$T/x" ]
}

@test "progress: the rows read, on request, rewritten in place on a terminal" {
	run -0 --separate-stderr pp-train -m ols -t y --no-registry --progress \
	    -o "$T/m.ppm" train-small.csv
	assert_equal "$stderr" "pp-train: 240 rows read
pp-train: features: f1,f2,f3,cls"
	# not a terminal and no --progress, or -q: none
	run -0 --separate-stderr pp-train -m ols -t y --no-registry -o "$T/m.ppm" train-small.csv
	assert_equal "$stderr" "pp-train: features: f1,f2,f3,cls"
	run -0 --separate-stderr pp-train --progress -q -m ols -t y --no-registry \
	    -o "$T/m.ppm" train-small.csv
	assert_equal "$stderr" ""
	# a terminal: the count is rewritten in place and its line ended
	run -0 script -qec "pp-train -m ols -t y --no-registry -o $T/m.ppm train-small.csv" /dev/null
	assert_output $'\rpp-train: 240 rows read\033[K\r\npp-train: features: f1,f2,f3,cls\r'
}
