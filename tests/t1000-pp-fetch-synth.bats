#!/usr/bin/env bats
# t1000: pp-fetch synth, the deterministic generator.
#
# Plan:
#   same arguments twice     byte-identical output, and a pinned SHA-256 of
#                            a small run (a change to the generator shows)
#   other seed               other bytes
#   symbol independence      a symbol's rows are the same alone or with others
#   validity                 the output reads back through `file` unchanged
#                            (every bar checked), weekdays only, sorted
#   early close              `synth | head -3` ends quietly, status 0
#   -B, -o                   binary frame (read back with pp cat); atomic file
#   errors                   every option: missing argument, bad value;
#                            missing required options; operands; options of
#                            other commands; no or unknown command

load helpers/common

setup() {
	common_setup
	small=(synth --symbols AAA,BBB --start 2024-01-01 --end 2024-03-29 --seed 7)
}

@test "the same arguments give the same bytes, pinned by SHA-256" {
	run -0 --separate-stderr pp-fetch "${small[@]}" -o "$T/a.csv"
	run -0 --separate-stderr pp-fetch "${small[@]}" -o "$T/b.csv"
	cmp "$T/a.csv" "$T/b.csv"
	run -0 sha256sum "$T/a.csv"
	assert_output "259bcdd07b830b74d9c7e9218f7a2046f65c1eefed8acb15a3f627d0ab02b5c9  $T/a.csv"
	# 2 symbols x 65 weekdays, plus the header.
	run -0 wc -l "$T/a.csv"
	assert_output "131 $T/a.csv"
	run -0 head -2 "$T/a.csv"
	assert_output "symbol,date,open,high,low,close,volume
AAA,2024-01-01,10.882,10.924,10.6134,10.6966,202269"
}

@test "another seed gives other bars" {
	run -0 --separate-stderr pp-fetch "${small[@]}" -o "$T/a.csv"
	run -0 --separate-stderr pp-fetch "${small[@]}" --seed 8 -o "$T/b.csv"
	! cmp -s "$T/a.csv" "$T/b.csv"
}

@test "a symbol's bars do not depend on the other symbols" {
	run -0 --separate-stderr pp-fetch synth --symbols BBB --start 2024-01-01 \
	    --end 2024-06-28 --seed 3 -o "$T/one.csv"
	run -0 --separate-stderr pp-fetch synth --symbols CCC,BBB,AAA \
	    --start 2024-01-01 --end 2024-06-28 --seed 3 -o "$T/three.csv"
	grep '^BBB,' "$T/three.csv" >"$T/bbb.csv"
	tail -n +2 "$T/one.csv" | diff -u - "$T/bbb.csv"
}

@test "every bar is valid, on a weekday, in order" {
	run -0 --separate-stderr pp-fetch synth --symbols X,A,M --start 2000-01-01 \
	    --end 2009-12-31 --seed 11 -o "$T/s.csv"
	# file checks every bar and would sort what is out of order.
	run -0 --separate-stderr pp-fetch file "$T/s.csv" -o "$T/back.csv"
	cmp "$T/s.csv" "$T/back.csv"
	# No Saturday or Sunday: GNU date names the weekday of each date.
	cut -d, -f2 "$T/s.csv" | tail -n +2 | sort -u >"$T/dates"
	run -0 date -f "$T/dates" +%u
	refute_output --partial 6
	refute_output --partial 7
	# 2000-2009 has 2609 weekdays.
	run -0 wc -l <"$T/dates"
	assert_output 2609
}

@test "synth | head -3 ends quietly with status 0" {
	run -0 --separate-stderr bash -c 'pp-fetch synth --symbols A,B,C \
	    --start 1990-01-01 --end 2024-12-31 | head -3; echo "${PIPESTATUS[*]}"'
	assert_output "symbol,date,open,high,low,close,volume
A,1990-01-01,107.5207,109.8902,106.6181,108.7556,2278981
A,1990-01-02,108.3601,110.62,107.1477,110.3088,2710680
0 0"
	[ -z "$stderr" ]
}

@test "-B writes a binary frame; -o writes a file and nothing to stdout" {
	run -0 --separate-stderr pp-fetch "${small[@]}" -o "$T/a.csv"
	run -0 --separate-stderr pp-fetch "${small[@]}" -B -o "$T/a.ppf"
	[ -z "$output" ]
	run -0 head -c 4 "$T/a.ppf"
	assert_output $'\x89PPF'
	run -0 --separate-stderr pp cat "$T/a.ppf" -o "$T/back.csv"
	cmp "$T/a.csv" "$T/back.csv"
	run -1 compgen -G "$T/*.tmp*"
}

@test "synth needs --symbols, --start and --end" {
	for args in "--start 2024-01-01 --end 2024-01-31" \
	    "--symbols A --end 2024-01-31" "--symbols A --start 2024-01-01"; do
		run -2 --separate-stderr pp-fetch synth $args
		[ "$stderr" = "pp-fetch: synth needs --symbols, --start and --end" ]
		[ -z "$output" ]
	done
}

@test "synth: missing arguments" {
	for o in --symbols --start --end --seed; do
		run -2 --separate-stderr pp-fetch synth "$o"
		[ "$stderr" = "pp-fetch: option $o needs an argument" ]
	done
}

@test "synth: bad values" {
	base=(synth --symbols A --start 2024-01-01 --end 2024-01-31)
	run -2 --separate-stderr pp-fetch "${base[@]}" --start 2024-02-30
	[ "$stderr" = 'pp-fetch: --start: bad value "2024-02-30": want a date YYYY-MM-DD' ]
	run -2 --separate-stderr pp-fetch "${base[@]}" --end yesterday
	[ "$stderr" = 'pp-fetch: --end: bad value "yesterday": want a date YYYY-MM-DD' ]
	run -2 --separate-stderr pp-fetch "${base[@]}" --seed -1
	[ "$stderr" = 'pp-fetch: --seed: bad value "-1": want a whole number from 0 to 9223372036854775807' ]
	run -2 --separate-stderr pp-fetch "${base[@]}" --seed 1x
	[ "$stderr" = 'pp-fetch: --seed: bad value "1x": want a whole number from 0 to 9223372036854775807' ]
	run -2 --separate-stderr pp-fetch "${base[@]}" --start 2024-02-01
	[ "$stderr" = 'pp-fetch: --start is after --end' ]
	run -2 --separate-stderr pp-fetch "${base[@]}" --symbols B,A,B
	[ "$stderr" = 'pp-fetch: --symbols: symbol "B" given twice' ]
	run -2 --separate-stderr pp-fetch "${base[@]}" --symbols 'A,B C'
	[ "$stderr" = 'pp-fetch: --symbols: bad symbol "B C"' ]
	run -2 --separate-stderr pp-fetch "${base[@]}" --symbols ''
	[ "$stderr" = 'pp-fetch: --symbols: empty symbol list' ]
	run -2 --separate-stderr pp-fetch "${base[@]}" extra
	[ "$stderr" = 'pp-fetch: synth takes no operands' ]
}

@test "a weekend-only range is an empty frame" {
	run -0 --separate-stderr pp-fetch synth --symbols A --start 2024-01-06 --end 2024-01-07
	assert_output "symbol,date,open,high,low,close,volume"
}

@test "no command, an unknown command, an option of another command" {
	run -2 --separate-stderr pp-fetch
	[ "$stderr" = "pp-fetch: no command: want synth, file, http or store" ]
	run -2 --separate-stderr pp-fetch fetch
	[ "$stderr" = 'pp-fetch: unknown command "fetch": want synth, file, http or store' ]
	run -2 --separate-stderr pp-fetch synth --symbols A --start 2024-01-01 \
	    --end 2024-01-02 --symbol X
	[ "$stderr" = "pp-fetch: --symbol: not an option of synth" ]
	run -2 --separate-stderr pp-fetch synth --symbols A --start 2024-01-01 \
	    --end 2024-01-02 -v
	[ "$stderr" = "pp-fetch: --verbose: not an option of synth" ]
	run -2 --separate-stderr pp-fetch synth --symbols A --start 2024-01-01 \
	    --end 2024-01-02 --provider yahoo
	[ "$stderr" = "pp-fetch: --provider: not an option of synth" ]
}
