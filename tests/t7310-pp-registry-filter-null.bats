#!/usr/bin/env bats
# t7310: pp-registry runs --filter with IS NULL and IS NOT NULL.
#
# Plan:
#   keys        tags, params and metrics: IS NULL selects the runs without
#               the key, IS NOT NULL the runs with it, whatever its value
#   attributes  parent_run_id IS NULL is "top-level runs", with --nested;
#               end_time IS NULL the runs still going
#   combined    "tags.env IS NULL OR tags.env != 'dev'" adds the untagged
#               runs that a bare != leaves out; NOT negates
#   errors      IS without NULL, = NULL: exit 2 with the offset

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load helpers/pgserver

setup() {
	use_registry "$BATS_TEST_TMPDIR/pp.db"
	cd "$BATS_TEST_TMPDIR"
	a=$(pp-registry run start -e e --name a --tag env=dev --param alpha=1 --metric rmse=0.5)
	pp-registry run end "$a"
	b=$(pp-registry run start -e e --name b --tag env=prod --metric rmse=0.4)
	pp-registry run end "$b"
	c=$(pp-registry run start -e e --name c --param alpha=2)
	pp-registry run end "$c"
	d=$(pp-registry run start -e e --name d --parent "$a")
}

# names FILTER [ARGS...]: the run names that match, sorted, on one line
names() {
	local f=$1
	shift
	pp-registry runs -e e --nested "$@" --filter "$f" --format csv \
	    >runs.csv || return 1
	awk -F, 'NR > 1 { print $3 }' runs.csv | sort | paste -sd ' '
}

@test "IS NULL and IS NOT NULL on tags, params and metrics" {
	run -0 names 'tags.env IS NULL'
	assert_output 'c d'
	run -0 names 'tags.env is not null'
	assert_output 'a b'
	run -0 names 'params.alpha IS NULL'
	assert_output 'b d'
	run -0 names 'params.alpha IS NOT NULL'
	assert_output 'a c'
	run -0 names 'metrics.rmse IS NULL'
	assert_output 'c d'
	run -0 names 'metrics.rmse IS NOT NULL AND metrics.rmse < 0.45'
	assert_output 'b'
}

@test "attributes: parent_run_id IS NULL is the top-level runs, end_time IS NULL the running" {
	run -0 names 'parent_run_id IS NULL'
	assert_output 'a b c'
	run -0 names 'attributes.parent_run_id IS NOT NULL'
	assert_output 'd'
	run -0 names 'end_time IS NULL'
	assert_output 'd'
	run -0 names 'end_time IS NOT NULL'
	assert_output 'a b c'
}

@test "IS NULL OR != keeps the runs without the key; NOT negates" {
	run -0 names "tags.env != 'dev'"
	assert_output 'b'
	run -0 names "tags.env IS NULL OR tags.env != 'dev'"
	assert_output 'b c d'
	run -0 names 'NOT tags.env IS NULL'
	assert_output 'a b'
	run -0 names '(params.alpha IS NULL) AND (metrics.rmse IS NULL)'
	assert_output 'd'
}

@test "IS without NULL and = NULL are usage errors with the offset" {
	run -2 --separate-stderr pp-registry runs --filter "tags.env IS 'x'"
	assert_equal "$stderr" "pp-registry: filter: offset 12: expected NULL after IS at \"'x'\""
	run -2 --separate-stderr pp-registry runs --filter 'tags.env IS NOT'
	assert_equal "$stderr" 'pp-registry: filter: offset 15: expected NULL after IS at the end'
	run -2 --separate-stderr pp-registry runs --filter 'tags.env = NULL'
	assert_equal "$stderr" 'pp-registry: filter: offset 11: expected a quoted string at "NULL"'
	run -2 --separate-stderr pp-registry runs --filter 'metrics.rmse < NULL'
	assert_equal "$stderr" 'pp-registry: filter: offset 15: expected a number at "NULL"'
}
