#!/usr/bin/env bats
# t7320: pp-registry compare laid out for reading across.
#
# Plan:
#   heads       a column is headed by its run's name; by the first 8 digits
#               of its id when it has no name or shares it with another
#               compared run; the run_id row holds the full ids
#   history     a metric logged more than once by any run adds "(min)" and
#               "(count)" rows (blank for a run without the metric); a
#               metric logged once adds none
#   cut         a table cuts values over 32 characters with an ellipsis,
#               on a terminal too (script(1) gives it one); --wide shows
#               them whole; CSV and JSON are never cut

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load helpers/pgserver

long=r1,r5,r10,r20,rsi14,macd_12_26_9,vol20,atr14

setup() {
	use_registry "$BATS_TEST_TMPDIR/pp.db"
	cd "$BATS_TEST_TMPDIR"
	a=$(pp-registry run start -e e --name ridge --metric rmse=0.5 --metric mae=0.2 --tag "features=$long")
	pp-registry run log "$a" --metric rmse=0.3@1 --metric rmse=0.4@2
	b=$(pp-registry run start -e e --name lasso --metric rmse=0.35)
	c=$(pp-registry run start -e e --name lasso --param alpha=1)
	d=$(pp-registry run start -e e)
}

@test "columns are headed by run name, else a short id; run_id holds the ids" {
	run -0 --separate-stderr pp-registry compare "$a" "$b" --format csv
	assert_line --index 0 'key,ridge,lasso'
	assert_line --index 1 "run_id,$a,$b"
	run -0 --separate-stderr pp-registry compare "$a" "$b" "$c" "$d" --format csv
	assert_line --index 0 "key,ridge,${b:0:8},${c:0:8},${d:0:8}"
	assert_line --index 1 "run_id,$a,$b,$c,$d"
	assert_line --index 3 'name,ridge,lasso,lasso,'
}

@test "a metric logged more than once is summarised by min and count" {
	run -0 --separate-stderr pp-registry compare "$a" "$b" "$c" --format csv
	grep '^metrics\.' <<<"$output" >got
	cat >want <<-'EOF2'
	metrics.mae,0.2,,
	metrics.rmse,0.4,0.35,
	metrics.rmse (min),0.3,0.35,
	metrics.rmse (count),3,1,
	EOF2
	diff -u want got
	run -0 --separate-stderr pp-registry compare "$b" "$c" --format csv
	refute_output --partial '(min)'
	refute_output --partial '(count)'
}

@test "a table cuts long values with an ellipsis; --wide, CSV and JSON do not" {
	run -0 --separate-stderr pp-registry compare "$a" "$b" --format table
	assert_line --index 0 --regexp '^key +ridge +lasso$'
	assert_line --regexp "^tags\.features +${long:0:31}…$"
	assert_line --regexp "^run_id +$a +$b$"
	run -0 --separate-stderr pp-registry compare "$a" "$b" --format table --wide
	assert_line --regexp "^tags\.features +$long$"
	run -0 --separate-stderr pp-registry compare "$a" "$b" --format csv
	assert_line "tags.features,\"$long\","
	run -0 --separate-stderr pp-registry compare "$a" "$b" --format json
	assert_output --partial "\"ridge\": \"$long\""
}

@test "on a terminal compare is a cut table" {
	run -0 script -qec "pp-registry compare $a $b" /dev/null
	assert_line --regexp "^tags\.features +${long:0:31}…"$'\r'"?$"
	run -0 script -qec "pp-registry compare --wide $a $b" /dev/null
	assert_line --regexp "^tags\.features +$long"$'\r'"?$"
}

@test "--wide belongs to compare only" {
	run -2 --separate-stderr pp-registry runs --wide
	assert_equal "$stderr" 'pp-registry: unknown option --wide'
}
