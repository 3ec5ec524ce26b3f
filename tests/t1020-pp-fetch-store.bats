#!/usr/bin/env bats
# t1020: pp-fetch --store and pp-fetch store, the SQLite market store.
#
# Plan:
#   idempotence      loading the same bars twice leaves the same store (and
#                    --progress says 0 added, all unchanged); synth -> store ->
#                    read back is byte-identical to synth's frame
#   overlap          an overlapping re-fetch adds the new bars; revised bars
#                    replace the stored ones with a warning (latest wins)
#   read back        --symbols, --start, --end filter; unknown symbol warns;
#                    -B writes a binary frame
#   all or nothing   a load that fails on a bad bar leaves the store unchanged
#   errors           missing store, not a store, --store with -o, operands,
#                    missing arguments

load helpers/common

setup() {
	common_setup
	D=testdata/fetch
	H="symbol,date,open,high,low,close,volume"
	db=$T/market.db
	# run-tests' build:pg pass: the store in a fresh PostgreSQL schema.
	[ "${PP_TEST_REGISTRY_BACKEND:-}" != pg ] || db=$(pg_registry_url)
}

@test "loading the same bars twice is idempotent" {
	run -0 --separate-stderr pp-fetch synth --symbols AAA,BBB --start 2024-01-01 \
	    --end 2024-06-28 --seed 5 -o "$T/synth.csv"
	run -0 --separate-stderr pp-fetch file "$T/synth.csv" --store "$db" --progress
	[ -z "$output" ]
	[ "$stderr" = "pp-fetch: $db: 260 added, 0 unchanged, 0 replaced" ]
	run -0 --separate-stderr pp-fetch store "$db" -o "$T/back1.csv"
	cmp "$T/synth.csv" "$T/back1.csv"
	run -0 --separate-stderr pp-fetch synth --symbols AAA,BBB --start 2024-01-01 \
	    --end 2024-06-28 --seed 5 --store "$db" --progress
	[ "$stderr" = "pp-fetch: $db: 0 added, 260 unchanged, 0 replaced" ]
	run -0 --separate-stderr pp-fetch store "$db" -o "$T/back2.csv"
	cmp "$T/synth.csv" "$T/back2.csv"
	# Without --progress (stderr is not a terminal here) nothing is said.
	run -0 --separate-stderr pp-fetch file "$T/synth.csv" --store "$db"
	[ -z "$stderr" ]
}

@test "an overlapping re-fetch adds new bars and replaces revised ones" {
	run -0 --separate-stderr pp-fetch file $D/yahoo/MSFT.csv --end 2024-01-03 --store "$db"
	run -0 --separate-stderr pp-fetch file --adjust $D/yahoo/MSFT.csv --start 2024-01-03 \
	    --store "$db" --progress
	[ "$stderr" = "pp-fetch: warning: $db: 1 bar replaced by other values (the latest fetch wins)
pp-fetch: $db: 2 added, 0 unchanged, 1 replaced" ]
	run -0 --separate-stderr pp-fetch store "$db"
	assert_output "$H
MSFT,2024-01-02,373.859985,375.899994,366.769989,370.869995,25258600
MSFT,2024-01-03,366.444495329027,370.6649475198723,365.9479715418687,368.023437,23083500
MSFT,2024-01-04,368.09298903527605,370.50608789769956,364.61732222533783,365.381958,20901500
MSFT,2024-01-05,366.4047871085065,369.47330132343563,363.95195845547244,365.193268,20987000"
	[ -z "$stderr" ]
}

@test "store reads back by symbols and dates" {
	run -0 --separate-stderr pp-fetch file $D/frame.csv $D/alphavantage/IBM.csv --store "$db"
	run -0 --separate-stderr pp-fetch store "$db" --symbols IBM,BBB --start 2024-01-02 --end 2024-01-03
	assert_output "$H
BBB,2024-01-02,50,51,49,50.5,300
IBM,2024-01-02,162.83,163.29,160.27,162,3722512
IBM,2024-01-03,161,161.73,160.08,160.1,4086741"
	[ -z "$stderr" ]
	run -0 --separate-stderr pp-fetch store "$db" --symbols NOPE,AAA --start 2024-01-03
	assert_output "$H
AAA,2024-01-03,10.2,10.8,10.1,10.7,1200"
	[ "$stderr" = "pp-fetch: warning: $db: no bars for \"NOPE\"" ]
	run -0 --separate-stderr pp-fetch store "$db" --end 2024-01-02 -B -o "$T/s.ppf"
	run -0 --separate-stderr pp cat "$T/s.ppf"
	assert_output "$H
AAA,2024-01-02,10,10.5,9.5,10.2,1000
BBB,2024-01-02,50,51,49,50.5,300
IBM,2024-01-02,162.83,163.29,160.27,162,3722512"
}

@test "a load that fails leaves the store as it was" {
	run -0 --separate-stderr pp-fetch file $D/frame.csv --store "$db"
	run -1 --separate-stderr pp-fetch file $D/alphavantage/IBM.csv $D/bad/BAD.csv --store "$db"
	[ "$stderr" = "pp-fetch: $D/bad/BAD.csv:3: high 9: below max(open, close) 10.5" ]
	run -0 --separate-stderr pp-fetch store "$db"
	assert_output "$H
AAA,2024-01-02,10,10.5,9.5,10.2,1000
AAA,2024-01-03,10.2,10.8,10.1,10.7,1200
BBB,2024-01-02,50,51,49,50.5,300"
}

@test "parallel loads into one store all succeed" {
	for s in A B C D; do
		pp-fetch synth --symbols $s --start 2020-01-01 --end 2020-12-31 \
		    --store "$db" 2>"$T/err.$s" &
	done
	wait
	cat "$T"/err.* >"$T/errs"
	run -0 cat "$T/errs"
	assert_output ""
	run -0 --separate-stderr pp-fetch store "$db" -o "$T/all.csv"
	run -0 wc -l <"$T/all.csv"
	assert_output 1049
}

@test "store errors: missing file, not a store, operands, --store with -o" {
	run -1 --separate-stderr pp-fetch store "$T/nope.db"
	[ "$stderr" = "pp-fetch: $T/nope.db: No such file or directory" ]
	[ ! -e "$T/nope.db" ]
	run -1 --separate-stderr pp-fetch store $D/frame.csv
	[ "$stderr" = "pp-fetch: $D/frame.csv: file is not a database" ]
	sqlite3 "$T/other.db" 'CREATE TABLE runs (id INTEGER)'
	run -1 --separate-stderr pp-fetch file $D/frame.csv --store "$T/other.db"
	[ "$stderr" = "pp-fetch: $T/other.db: not a market store" ]
	run -2 --separate-stderr pp-fetch store
	[ "$stderr" = "pp-fetch: store needs one operand: the store's path" ]
	run -2 --separate-stderr pp-fetch store a.db b.db
	[ "$stderr" = "pp-fetch: store needs one operand: the store's path" ]
	run -2 --separate-stderr pp-fetch file $D/frame.csv --store "$db" -o "$T/x.csv"
	[ "$stderr" = "pp-fetch: --store writes no frame: not with --output" ]
	run -2 --separate-stderr pp-fetch file $D/frame.csv --store
	[ "$stderr" = "pp-fetch: option --store needs an argument" ]
	run -2 --separate-stderr pp-fetch file $D/frame.csv --store ''
	[ "$stderr" = "pp-fetch: --store: empty path" ]
	run -2 --separate-stderr pp-fetch store "$db" --store "$db"
	[ "$stderr" = "pp-fetch: --store: not an option of store" ]
}
