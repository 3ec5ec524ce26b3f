#!/usr/bin/env bats
# t1060: the market store on PostgreSQL, beyond t1020 (which runs there
# too in run-tests' build:pg pass).  Needs that pass's server; skips,
# saying so, anywhere else.
#
# Plan:
#   - 4 loaders of the same bars at once (--store postgresql://...): none
#     fails, each bar is added exactly once over all of them, and the
#     store reads back as the frame that was loaded
#   - a new schema read before any load is an empty store; a schema that
#     holds a registry is not a market store

load helpers/common

setup() {
	common_setup
	[ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ] ||
	    skip "PostgreSQL only: scripts/run-tests build:pg"
	db=$(pg_registry_url)
}

@test "4 loaders of the same bars at once add each bar once" {
	local i pids=() added=0
	run -0 pp-fetch synth --symbols AAA,BBB,CCC --start 2024-01-01 \
	    --end 2024-12-31 --seed 3 -o "$T/synth.csv"
	n=$(($(wc -l <"$T/synth.csv") - 1))
	for i in 1 2 3 4; do
		pp-fetch file "$T/synth.csv" --store "$db" --progress \
		    2>"$T/err$i" &
		pids+=($!)
	done
	for i in 0 1 2 3; do
		wait "${pids[i]}" || fail "loader $((i + 1)): $(cat "$T/err$((i + 1))")"
	done
	for i in 1 2 3 4; do
		run -0 sed -n 's/.*: \([0-9]*\) added, \([0-9]*\) unchanged, 0 replaced$/\1 \2/p' "$T/err$i"
		set -- $output
		[ "$(($1 + $2))" -eq "$n" ] || fail "loader $i: $(cat "$T/err$i")"
		added=$((added + $1))
	done
	assert_equal "$added" "$n"
	run -0 --separate-stderr pp-fetch store "$db" -o "$T/back.csv"
	cmp "$T/synth.csv" "$T/back.csv"
}

@test "an empty schema is an empty store; a registry is not a store" {
	run -0 --separate-stderr pp-fetch store "$db"
	assert_output "symbol,date,open,high,low,close,volume"
	run -0 pp-registry --registry "$db" init
	run -1 --separate-stderr pp-fetch store "$db"
	assert_equal "$stderr" "pp-fetch: $db: not a market store"
}
