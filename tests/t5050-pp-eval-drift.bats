#!/usr/bin/env bats
# t5050: pp-eval drift compares a current sample with a reference one.
#
# Plan:
#   scores        every number column (default and --all), six scores
#                 each, as scipy.stats.ks_2samp and numpy give them for
#                 the fixtures (tests/unit/test_drift.c checks the
#                 definitions); exit 3 when a column drifts, 0 when none
#   options       --columns, --psi-max, --ks-alpha (each moves the exit
#                 status across 3 and 0), --split-date on one frame
#                 equals the two frames, CURRENT on stdin, --format
#                 json and table, -o, --run logs GROUP.NAME metrics
#   errors        missing column (reference and current), a column with
#                 fewer than 2 values, a non-number cell with file:line,
#                 --split-date without a date column
#   usage         missing REFERENCE, extra operands, both on stdin,
#                 --columns with --all, bad and missing option values
# --plot is in t5040.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	cd "$BATS_TEST_DIRNAME/../testdata"
	export PP_REGISTRY="$BATS_TEST_TMPDIR/pp.db"
	T=$BATS_TEST_TMPDIR
}

want_all() {
	cat <<'END'
column,metric,value
ret,ks_statistic,0.4583333333333333
ret,ks_pvalue,5.057679881416226e-05
ret,psi,1.5702774833332787
ret,mean_shift,0.9031940916666666
ret,std_shift,0.1774101466913527
ret,missing_share,0
vol,ks_statistic,0.16666666666666666
vol,ks_pvalue,0.5497944499851143
vol,psi,0.5072638282067911
vol,mean_shift,-0.02141727777777791
vol,std_shift,0.07439644708601911
vol,missing_share,0.1
END
}

@test "every number column: six scores each, exit 3 when one drifts" {
	want_all >"$T/want"
	run -3 --separate-stderr pp-eval drift drift-ref.csv drift-cur.csv
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/got"
	diff -u "$T/want" "$T/got"
	run -3 --separate-stderr pp-eval drift --all drift-ref.csv drift-cur.csv
	printf '%s\n' "$output" >"$T/got"
	diff -u "$T/want" "$T/got"
}

@test "--columns, --psi-max and --ks-alpha decide the exit status" {
	run -3 --separate-stderr pp-eval drift --columns vol drift-ref.csv drift-cur.csv
	assert_line --index 0 'column,metric,value'
	assert_line --index 3 'vol,psi,0.5072638282067911'
	[ "${#lines[@]}" -eq 7 ]
	run -0 --separate-stderr pp-eval drift --columns vol --psi-max 0.6 drift-ref.csv drift-cur.csv
	[ -z "$stderr" ]
	run -3 --separate-stderr pp-eval drift --columns ret --psi-max 2 drift-ref.csv drift-cur.csv
	run -0 --separate-stderr pp-eval drift --columns ret --psi-max 2 --ks-alpha 5e-5 drift-ref.csv drift-cur.csv
	run -3 --separate-stderr pp-eval drift --columns ret --psi-max 2 --ks-alpha 5.1e-5 drift-ref.csv drift-cur.csv
	run -0 --separate-stderr pp-eval drift --columns ret,vol --psi-max 2 --ks-alpha 0 drift-ref.csv drift-cur.csv
	[ "${#lines[@]}" -eq 13 ]
	# The same sample against itself never drifts.
	run -0 --separate-stderr pp-eval drift drift-ref.csv drift-ref.csv
	assert_line 'ret,ks_pvalue,1'
	assert_line 'ret,psi,0'
}

@test "--split-date: one frame gives what the two halves give" {
	want_all >"$T/want"
	run -3 --separate-stderr pp-eval drift --split-date 2024-03-01 drift-all.csv
	printf '%s\n' "$output" >"$T/got"
	diff -u "$T/want" "$T/got"
	run -3 --separate-stderr pp-eval drift --split-date 20240301 drift-all.csv
	printf '%s\n' "$output" >"$T/got"
	diff -u "$T/want" "$T/got"
}

@test "CURRENT on stdin, --format json and table, -o" {
	want_all >"$T/want"
	run -3 --separate-stderr pp-eval drift drift-ref.csv <drift-cur.csv
	printf '%s\n' "$output" >"$T/got"
	diff -u "$T/want" "$T/got"
	run -3 --separate-stderr pp-eval drift --columns vol --format json drift-ref.csv drift-cur.csv
	assert_line --index 0 '['
	assert_line --index 3 '  {"column": "vol", "metric": "psi", "value": 0.5072638282067911},'
	assert_line --index 7 ']'
	run -3 --separate-stderr pp-eval drift --columns vol --format table drift-ref.csv drift-cur.csv
	assert_line --index 0 'column  metric                        value'
	assert_line --index 6 'vol     missing_share                   0.1'
	run -3 --separate-stderr pp-eval drift -o "$T/o.csv" drift-ref.csv drift-cur.csv
	[ -z "$output" ]
	[ -z "$stderr" ]
	diff -u "$T/want" "$T/o.csv"
}

@test "--run logs every score as COLUMN.NAME; the exit status stays 3" {
	id=$(pp-registry run start -e drift)
	run -3 --separate-stderr pp-eval drift --run "$id" -o "$T/o.csv" drift-ref.csv drift-cur.csv
	[ -z "$stderr" ]
	run -0 --separate-stderr pp-registry show "$id" --format csv
	assert_line 'metric,ret.psi,1.5702774833332787'
	assert_line 'metric,vol.missing_share,0.1'
	assert_line 'metric,ret.ks_pvalue,5.057679881416226e-05'
}

@test "data errors name the file, the line and the column" {
	run -1 --separate-stderr pp-eval drift --columns nope drift-ref.csv drift-cur.csv
	[ "$stderr" = 'pp-eval: drift-ref.csv: missing column "nope"' ]
	[ -z "$output" ]
	printf 'date,ret\n2024-03-01,1\n2024-03-02,2\n' >"$T/noval.csv"
	run -1 --separate-stderr pp-eval drift drift-ref.csv "$T/noval.csv"
	[ "$stderr" = "pp-eval: $T/noval.csv: missing column \"vol\"" ]
	printf 'date,ret,vol\n2024-03-01,1,2\n2024-03-02,2,\n' >"$T/one.csv"
	run -1 --separate-stderr pp-eval drift drift-ref.csv "$T/one.csv"
	[ "$stderr" = "pp-eval: $T/one.csv: column \"vol\": 1 value in the current sample: need at least 2" ]
	run -1 --separate-stderr pp-eval drift "$T/one.csv" drift-ref.csv
	[ "$stderr" = "pp-eval: $T/one.csv: column \"vol\": 1 value in the reference sample: need at least 2" ]
	run -1 --separate-stderr pp-eval drift --columns label drift-ref.csv drift-cur.csv
	[ "$stderr" = 'pp-eval: drift-ref.csv:2: column "label": not a number: "x"' ]
	printf 'date,ret,vol\n2024-03-01,1,2\n2024-03-02,2,3\n2024-03-03,3,x\n' >"$T/bad.csv"
	run -1 --separate-stderr pp-eval drift drift-ref.csv "$T/bad.csv"
	[ "$stderr" = "pp-eval: $T/bad.csv:4: column \"vol\": not a number: \"x\"" ]
	[ -z "$output" ]
	run -1 --separate-stderr pp-eval drift --split-date 2024-03-01 train-missing.csv
	[[ "$stderr" == 'pp-eval: train-missing.csv: '* ]]
	printf 'ret,vol\n1,2\n2,3\n' >"$T/nodate.csv"
	run -1 --separate-stderr pp-eval drift --split-date 2024-03-01 "$T/nodate.csv"
	[ "$stderr" = "pp-eval: $T/nodate.csv: missing column \"date\" (--split-date)" ]
	run -1 --separate-stderr pp-eval drift drift-ref.csv "$T/no-such.csv"
	[[ "$stderr" == "pp-eval: $T/no-such.csv: "* ]]
}

@test "usage errors" {
	run -2 --separate-stderr pp-eval drift
	[ "$stderr" = 'pp-eval: drift: missing REFERENCE' ]
	run -2 --separate-stderr pp-eval drift a b c
	[ "$stderr" = 'pp-eval: drift: unexpected operand "c"' ]
	run -2 --separate-stderr pp-eval drift --split-date 2024-03-01 a b
	[ "$stderr" = 'pp-eval: drift: unexpected operand "b"' ]
	run -2 --separate-stderr pp-eval drift -
	[ "$stderr" = 'pp-eval: drift: REFERENCE and CURRENT are both stdin' ]
	run -2 --separate-stderr pp-eval drift --columns ret --all drift-ref.csv drift-cur.csv
	[ "$stderr" = 'pp-eval: --columns and --all exclude each other' ]
	run -2 --separate-stderr pp-eval drift --columns ret, drift-ref.csv drift-cur.csv
	[ "$stderr" = 'pp-eval: --columns: empty name' ]
	run -2 --separate-stderr pp-eval drift --psi-max x drift-ref.csv drift-cur.csv
	[ "$stderr" = 'pp-eval: --psi-max: bad value "x": want a number from 0 to 1000' ]
	run -2 --separate-stderr pp-eval drift --ks-alpha 2 drift-ref.csv drift-cur.csv
	[ "$stderr" = 'pp-eval: --ks-alpha: bad value "2": want a number from 0 to 1' ]
	run -2 --separate-stderr pp-eval drift --split-date 2024-13-01 drift-all.csv
	[ "$stderr" = 'pp-eval: --split-date: bad value "2024-13-01": want YYYY-MM-DD' ]
	for o in --columns --psi-max --ks-alpha --split-date; do
		run -2 --separate-stderr pp-eval drift drift-ref.csv $o
		[ "$stderr" = "pp-eval: option $o needs an argument" ]
	done
	run -2 --separate-stderr pp-eval drift --run-from-stdin drift-ref.csv
	[ "$stderr" = 'pp-eval: --run-from-stdin: the frame must be a FILE operand, not stdin' ]
	[ -z "$output" ]
}
