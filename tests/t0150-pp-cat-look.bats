#!/usr/bin/env bats
# t0150: pp cat for a look at a frame: --select, --head, --tail,
# --precision, and binary refused on a terminal.
#
# Plan:
#   --select     the columns named, in that order, typed as before (a
#                binary output keeps them); unknown, repeated or empty
#                names are errors
#   --head       the first N rows, across inputs; reading stops there
#                (a broken row after the head is never seen)
#   --tail       the last N rows, text intact (the ring copies it), from
#                a frame of 200,000 rows and from several inputs
#   both         the first N and the last M after them, no row twice
#   --precision  P significant digits for doubles in CSV; dates, integers
#                and text untouched; refused for binary output and bad P
#   -B           refused on a terminal with the hint, any program; fine
#                to a pipe

load helpers/common

setup() {
	common_setup
	printf 'symbol,date,x,y\nAAA,2024-01-01,1.23456789,10\nAAA,2024-01-02,2.5,20\nBBB,2024-01-01,3.14159265,30\nBBB,2024-01-02,,40\nCCC,2024-01-01,5e-07,50\n' >"$T/f.csv"
}

@test "--select: columns by name, in that order, kept typed" {
	run -0 --separate-stderr pp cat --select y,symbol "$T/f.csv"
	assert_output 'y,symbol
10,AAA
20,AAA
30,BBB
40,BBB
50,CCC'
	run -0 --separate-stderr pp cat -B --select date,x -o "$T/s.ppf" "$T/f.csv"
	run -0 --separate-stderr python3 tests/helpers/ppframe.py read "$T/s.ppf"
	assert_output 'date,x
2024-01-01,1.23456789
2024-01-02,2.5
2024-01-01,3.14159265
2024-01-02,
2024-01-01,5e-07'
	run -1 --separate-stderr pp cat --select y,nope "$T/f.csv"
	assert_equal "$stderr" "pp: $T/f.csv: --select: no column \"nope\""
	run -2 --separate-stderr pp cat --select y,y "$T/f.csv"
	assert_equal "$stderr" "pp: $T/f.csv: --select: column \"y\" twice"
	run -2 --separate-stderr pp cat --select y, "$T/f.csv"
	assert_equal "$stderr" "pp: $T/f.csv: --select: an empty column name"
}

@test "--head: the first rows across inputs; reading stops there" {
	run -0 --separate-stderr pp cat --head 2 "$T/f.csv"
	assert_output 'symbol,date,x,y
AAA,2024-01-01,1.23456789,10
AAA,2024-01-02,2.5,20'
	run -0 --separate-stderr pp cat --head 7 "$T/f.csv" "$T/f.csv"
	assert_equal "${#lines[@]}" 8
	assert_line --index 7 'AAA,2024-01-02,2.5,20'
	cp "$T/f.csv" "$T/broken.csv"
	printf 'DDD,2024-01-01\n' >>"$T/broken.csv"
	run -0 --separate-stderr pp cat --head 5 "$T/broken.csv"
	run -1 --separate-stderr pp cat --head 6 "$T/broken.csv"
	run -0 --separate-stderr pp cat --head 0 "$T/f.csv"
	assert_output 'symbol,date,x,y'
}

@test "--tail: the last rows, text intact, from a long frame and several inputs" {
	pp-fetch synth --symbols AAA,BBB,CCC,DDD --start 1990-01-01 --end 2024-12-31 --seed 5 -o "$T/big.csv"
	tail -n 3 "$T/big.csv" >"$T/want"
	run -0 --separate-stderr pp cat --tail 3 "$T/big.csv"
	assert_line --index 0 'symbol,date,open,high,low,close,volume'
	diff <(printf '%s\n' "${lines[@]:1}") "$T/want"
	pp cat -B -o "$T/big.ppf" "$T/big.csv"
	run -0 --separate-stderr pp cat --tail 3 "$T/big.ppf"
	diff <(printf '%s\n' "${lines[@]:1}") "$T/want"
	run -0 --separate-stderr pp cat --tail 3 --select symbol "$T/f.csv" "$T/f.csv"
	assert_output 'symbol
BBB
BBB
CCC'
	run -0 --separate-stderr pp cat --tail 100 "$T/f.csv"
	assert_equal "${#lines[@]}" 6
}

@test "--head and --tail: both ends, no row twice" {
	run -0 --separate-stderr pp cat --head 1 --tail 1 --select symbol,y "$T/f.csv"
	assert_output 'symbol,y
AAA,10
CCC,50'
	run -0 --separate-stderr pp cat --head 3 --tail 3 --select y "$T/f.csv"
	assert_output 'y
10
20
30
40
50'
}

@test "--precision: significant digits for doubles only" {
	run -0 --separate-stderr pp cat --precision 3 "$T/f.csv"
	assert_output 'symbol,date,x,y
AAA,2024-01-01,1.23,10
AAA,2024-01-02,2.5,20
BBB,2024-01-01,3.14,30
BBB,2024-01-02,,40
CCC,2024-01-01,5e-07,50'
	run -0 --separate-stderr pp cat "$T/f.csv"
	assert_line --index 1 'AAA,2024-01-01,1.23456789,10'
	run -2 --separate-stderr pp cat -B --precision 3 -o "$T/x.ppf" "$T/f.csv"
	assert_equal "$stderr" 'pp: --precision: for CSV output; a binary frame keeps every bit'
	run -2 --separate-stderr pp cat --precision 0 "$T/f.csv"
	assert_equal "$stderr" 'pp: --precision: bad value "0": want a whole number from 1 to 17'
	run -2 --separate-stderr pp cat --tail -1 "$T/f.csv"
	assert_equal "$stderr" 'pp: --tail: bad value "-1": want a whole number from 0 to 1000000'
	run -2 --separate-stderr pp cat --meta --head 1 "$T/f.csv"
	assert_equal "$stderr" 'pp: --meta and --get-meta print the metadata; they convert nothing'
}

@test "-B is refused on a terminal, by pp cat and the other programs" {
	run -2 script -qec "pp cat -B $T/f.csv" /dev/null
	assert_output --partial 'pp: not writing a binary frame to a terminal: give -o FILE or redirect stdout'
	run -0 script -qec "pp cat -B $T/f.csv | pp cat --head 1" /dev/null
	assert_output --partial 'AAA,2024-01-01,1.23456789,10'
	run -2 script -qec "pp-features -B -f 'z=x' $T/f.csv" /dev/null
	assert_output --partial 'pp-features: not writing a binary frame to a terminal: give -o FILE or redirect stdout'
	run -2 script -qec "pp-predict -B -m $BATS_TEST_DIRNAME/../testdata/model-ridge-v1.ppm $BATS_TEST_DIRNAME/../testdata/train-small.csv" /dev/null
	assert_output --partial 'pp-predict: not writing a binary frame to a terminal'
}
