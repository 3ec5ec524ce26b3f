#!/usr/bin/env bats
# t1050: pp-fetch --intraday, bars with a time of day.
#
# Plan:
#   times        ISO 8601 with Z, with an offset, and naive (UTC, or at
#                --tz's offset) come out as UTC date-times, sorted per
#                symbol, seconds' fractions kept; a date alone is midnight;
#                epoch seconds with --date-format epoch keep their fraction
#   range        --start and --end are days, the end day whole
#   duplicates   one instant written two ways is one bar, or a conflict
#                naming both lines as a date-time
#   downstream   pp-features computes per bar on the output, and a binary
#                frame keeps the date-times to the microsecond
#   daily        without --intraday a time of day is an error that names
#                --intraday; the default output is still a date
#   the store    intraday bars upserted and read back (store --intraday),
#                by day range, again without duplicates, beside daily
#                bars (read as midnight); read daily, an intraday bar is
#                an error that names --intraday
#   refused      --tz without --intraday, a zone name, a bad offset;
#                --intraday for synth

load helpers/common

setup() {
	common_setup
	cd "$T"
	H="symbol,date,open,high,low,close,volume"
	printf '%s\n' "$H" \
	    'A,2024-01-02T14:35:00Z,1.5,2,1,1.8,12' \
	    'A,2024-01-02T14:30:00Z,1,2,0.5,1.5,10' \
	    'A,2024-01-02 09:40:00,1.8,2,1,1.6,9' \
	    'B,2024-01-02T09:30:00.25-05:00,5,6,4,5.5,100' \
	    'B,2024-01-03,5,6,4,5.5,100' >bars.csv
}

@test "times with Z, an offset or none (at --tz) come out in UTC, sorted" {
	run -0 --separate-stderr pp-fetch file --intraday --tz -05:00 bars.csv
	assert_output "$H
A,2024-01-02T14:30:00Z,1,2,0.5,1.5,10
A,2024-01-02T14:35:00Z,1.5,2,1,1.8,12
A,2024-01-02T14:40:00Z,1.8,2,1,1.6,9
B,2024-01-02T14:30:00.25Z,5,6,4,5.5,100
B,2024-01-03T00:00:00Z,5,6,4,5.5,100"
	run -0 --separate-stderr pp-fetch file --intraday bars.csv
	assert_line --index 1 'A,2024-01-02T09:40:00Z,1.8,2,1,1.6,9'
	run -0 --separate-stderr pp-fetch file --intraday --tz +0530 bars.csv
	assert_line --index 1 'A,2024-01-02T04:10:00Z,1.8,2,1,1.6,9'
	printf 'timestamp,open,high,low,close,volume\n1704205800.5,1,2,0.5,1.5,10\n' >e.csv
	run -0 --separate-stderr pp-fetch file --intraday --date-format epoch --symbol X e.csv
	assert_line --index 1 'X,2024-01-02T14:30:00.5Z,1,2,0.5,1.5,10'
}

@test "--start and --end are days, the end day whole" {
	run -0 --separate-stderr pp-fetch file --intraday --tz UTC --start 2024-01-02 --end 2024-01-02 bars.csv
	assert_equal "${#lines[@]}" 5
	refute_line --partial '2024-01-03'
	run -0 --separate-stderr pp-fetch file --intraday --start 2024-01-03 bars.csv
	assert_output "$H
B,2024-01-03T00:00:00Z,5,6,4,5.5,100"
}

@test "one instant written two ways is one bar, or a conflict" {
	printf '%s\n' "$H" 'A,2024-01-02T14:30:00Z,1,2,0.5,1.5,10' 'A,2024-01-02T09:30:00-05:00,1,2,0.5,1.5,10' >same.csv
	run -0 --separate-stderr pp-fetch file --intraday same.csv
	assert_equal "${#lines[@]}" 2
	printf '%s\n' "$H" 'A,2024-01-02T14:30:00Z,1,2,0.5,1.5,10' 'A,2024-01-02T09:30:00-05:00,1,2,0.5,1.6,10' >conflict.csv
	run -1 --separate-stderr pp-fetch file --intraday conflict.csv
	assert_equal "$stderr" 'pp-fetch: conflict.csv:3: "A" 2024-01-02T14:30:00Z: conflicts with conflict.csv:2 (other values)'
}

@test "pp-features per bar; a binary frame keeps the microseconds" {
	pp-fetch file --intraday --tz -05:00 -B -o bars.ppf bars.csv
	run -0 --separate-stderr pp cat bars.ppf
	assert_line --index 4 'B,2024-01-02T14:30:00.25Z,5,6,4,5.5,100'
	run -0 --separate-stderr pp-features -f 'r1=logret(close,1)' bars.ppf
	assert_line --index 2 'A,2024-01-02T14:35:00Z,1.5,2,1,1.8,12,0.1823215567939546'
	run -0 --separate-stderr pp describe --by symbol bars.ppf
	assert_line 'A,date,datetime,3,0,,,2024-01-02T14:30:00Z,2024-01-02T14:32:30Z,2024-01-02T14:35:00Z,2024-01-02T14:37:30Z,2024-01-02T14:40:00Z'
}

@test "daily stays the default: a time of day names --intraday" {
	run -1 --separate-stderr pp-fetch file bars.csv
	assert_equal "$stderr" 'pp-fetch: bars.csv:2: column "date": "2024-01-02T14:35:00Z" is not a daily date (not midnight UTC; --intraday reads times of day)'
	printf '%s\n' "$H" 'A,2024-01-02T00:00:00Z,1,2,0.5,1.5,10' >midnight.csv
	run -0 --separate-stderr pp-fetch file midnight.csv
	assert_line --index 1 'A,2024-01-02,1,2,0.5,1.5,10'
}

@test "refused: --tz alone, zone names, bad offsets, the store, synth" {
	run -2 --separate-stderr pp-fetch file --tz -05:00 bars.csv
	assert_equal "$stderr" 'pp-fetch: --tz: for --intraday bars'
	for tz in America/New_York -5 +25:00 -05:0 +05:60 EST; do
		run -2 --separate-stderr pp-fetch file --intraday --tz "$tz" bars.csv
		assert_equal "$stderr" "pp-fetch: --tz: bad value \"$tz\": want UTC or an offset such as -05:00 (zone names are not read)"
	done
	run -2 --separate-stderr pp-fetch synth --intraday --symbols A --start 2024-01-01 --end 2024-01-02
	assert_equal "$stderr" 'pp-fetch: --intraday: not an option of synth'
}

@test "the store keeps intraday bars and reads them back in order" {
	run -0 --separate-stderr pp-fetch file --intraday --tz -05:00 --store s.db bars.csv
	pp-fetch file --intraday --tz -05:00 bars.csv >want.csv
	run -0 --separate-stderr pp-fetch store s.db --intraday
	diff <(printf '%s\n' "$output") want.csv
	run -0 --separate-stderr pp-fetch file --intraday --tz -05:00 --store s.db bars.csv
	assert_equal "$(sqlite3 s.db 'SELECT count(*) FROM ohlcv')" 5
	run -0 --separate-stderr pp-fetch store s.db --intraday --symbols B --end 2024-01-02
	assert_output "$H
B,2024-01-02T14:30:00.25Z,5,6,4,5.5,100"
	pp-fetch synth --symbols A --start 2024-01-01 --end 2024-01-03 --seed 1 --store s.db
	run -0 --separate-stderr pp-fetch store s.db --intraday --symbols A
	assert_line --index 1 --regexp '^A,2024-01-01T00:00:00Z,'
	assert_line --index 3 'A,2024-01-02T14:30:00Z,1,2,0.5,1.5,10'
	assert_line --index 6 --regexp '^A,2024-01-03T00:00:00Z,'
	run -1 --separate-stderr pp-fetch store s.db --symbols A
	assert_equal "$stderr" 'pp-fetch: s.db: "A": bad date "2024-01-02T14:30:00.000000Z" in store (an intraday bar: read with --intraday)'
}
