#!/usr/bin/env bats
# t1010: pp-fetch file, provider layouts and validation.
#
# Plan:
#   layouts          Yahoo, Stooq (CRLF), Alpha Vantage (newest first, sorted),
#                    our frames (symbol column), another layout via --map
#   symbol           from --symbol, the symbol column, the file name; stdin
#                    without one is an error; a symbol or ticker column, or
#                    the one --map names, is text even when all digits
#   --adjust         OHLC scaled by Adj Close / Close; without Adj Close an error
#   ordering         several files out of symbol order and a shuffled file come
#                    out sorted; exact duplicates dropped; conflicts an error
#                    naming both lines
#   validation       each broken rule is an error naming file and line;
#                    --skip-bad skips and counts; --start/--end filter first
#   -d, -B           another delimiter; binary frames in
#   errors           missing file, not OHLCV, bad --map, bad --symbol, missing
#                    arguments, options of other commands

load helpers/common

setup() {
	common_setup
	D=testdata/fetch
	H="symbol,date,open,high,low,close,volume"
}

@test "Yahoo layout; the symbol from the file name" {
	run -0 --separate-stderr pp-fetch file $D/yahoo/MSFT.csv
	assert_output "$H
MSFT,2024-01-02,373.859985,375.899994,366.769989,370.869995,25258600
MSFT,2024-01-03,369.01001,373.26001,368.51001,370.600006,23083500
MSFT,2024-01-04,370.670013,373.100006,367.170013,367.940002,20901500
MSFT,2024-01-05,368.970001,372.059998,366.5,367.75,20987000"
	[ -z "$stderr" ]
}

@test "--adjust scales open, high, low and close by Adj Close / Close" {
	run -0 --separate-stderr pp-fetch file --adjust $D/yahoo/MSFT.csv
	assert_output "$H
MSFT,2024-01-02,371.2607674463568,373.286593523832,364.22006380926763,368.291565,25258600
MSFT,2024-01-03,366.444495329027,370.6649475198723,365.9479715418687,368.023437,23083500
MSFT,2024-01-04,368.09298903527605,370.50608789769956,364.61732222533783,365.381958,20901500
MSFT,2024-01-05,366.4047871085065,369.47330132343563,363.95195845547244,365.193268,20987000"
	run -1 --separate-stderr pp-fetch file --adjust $D/stooq/msft.us.csv
	[ "$stderr" = "pp-fetch: $D/stooq/msft.us.csv: no column for \"adjclose\" (use --map adjclose=NAME)" ]
	[ -z "$output" ]
}

@test "Stooq layout with CRLF line ends" {
	run -0 --separate-stderr pp-fetch file $D/stooq/msft.us.csv
	assert_output "$H
msft.us,2024-01-02,371.8,373.9,364.8,368.9,25258600
msft.us,2024-01-03,367.1,371.3,366.6,368.6,23083500
msft.us,2024-01-04,368.7,371.1,365.2,366,20901500"
}

@test "Alpha Vantage layout, newest first, comes out oldest first" {
	run -0 --separate-stderr pp-fetch file $D/alphavantage/IBM.csv
	assert_output "$H
IBM,2024-01-02,162.83,163.29,160.27,162,3722512
IBM,2024-01-03,161,161.73,160.08,160.1,4086741
IBM,2024-01-04,160.98,161.55,158.6,158.68,4120209
IBM,2024-01-05,158.61,161.93,158.43,159.16,4726478"
}

@test "our own frames, CSV and binary; --symbol overrides the column" {
	run -0 --separate-stderr pp-fetch file $D/frame.csv
	assert_output "$H
AAA,2024-01-02,10,10.5,9.5,10.2,1000
AAA,2024-01-03,10.2,10.8,10.1,10.7,1200
BBB,2024-01-02,50,51,49,50.5,300"
	run -0 --separate-stderr pp cat -B $D/frame.csv -o "$T/f.ppf"
	run -0 --separate-stderr pp-fetch file "$T/f.ppf"
	assert_output "$H
AAA,2024-01-02,10,10.5,9.5,10.2,1000
AAA,2024-01-03,10.2,10.8,10.1,10.7,1200
BBB,2024-01-02,50,51,49,50.5,300"
	run -0 --separate-stderr pp-fetch file --symbol Z --start 2024-01-03 $D/frame.csv
	assert_output "$H
Z,2024-01-03,10.2,10.8,10.1,10.7,1200"
}

@test "--map names the columns of another layout" {
	run -0 --separate-stderr pp-fetch file \
	    --map date=Day,open=First,close=Last --map high=Max,low=Min,volume=Shares \
	    $D/other/XYZ.csv
	assert_output "$H
XYZ,2024-01-02,5,5.2,4.9,5.1,600
XYZ,2024-01-03,5.1,5.3,5,5.2,700"
	run -1 --separate-stderr pp-fetch file $D/other/XYZ.csv
	[ "$stderr" = "pp-fetch: $D/other/XYZ.csv: no column for \"open\" (use --map open=NAME)" ]
	run -1 --separate-stderr pp-fetch file --map close=Price $D/yahoo/MSFT.csv
	[ "$stderr" = "pp-fetch: $D/yahoo/MSFT.csv: --map close=Price: no column \"Price\"" ]
}

@test "numeric tickers stay text: a symbol column is text whatever it holds" {
	# 000001 read as a number was refused: "symbols must be text".
	printf 'Symbol,Date,Open,High,Low,Close,Volume\n000001,2020-01-02,1,2,1,2,10\n600000,2020-01-02,3,3,3,3,5\n' >"$T/cn.csv"
	run -0 --separate-stderr pp-fetch file "$T/cn.csv"
	assert_output "$H
000001,2020-01-02,1,2,1,2,10
600000,2020-01-02,3,3,3,3,5"
	[ -z "$stderr" ]
	printf 'Code,Date,Open,High,Low,Close,Volume\n000001,2020-01-02,1,2,1,2,10\n' >"$T/code.csv"
	run -0 --separate-stderr pp-fetch file --map symbol=Code "$T/code.csv"
	assert_output "$H
000001,2020-01-02,1,2,1,2,10"
	printf 'symbol,date,close\n000001,2020-01-02,1\n000001,2020-01-03,2\n' >"$T/f.csv"
	run -0 --separate-stderr pp-features -f 'r=diff(close,1)' "$T/f.csv"
	assert_output "symbol,date,close,r
000001,2020-01-02,1,
000001,2020-01-03,2,1"
}

@test "--map: missing argument and bad values" {
	run -2 --separate-stderr pp-fetch file --map
	[ "$stderr" = "pp-fetch: option --map needs an argument" ]
	run -2 --separate-stderr pp-fetch file --map price=Last $D/frame.csv
	[ "$stderr" = 'pp-fetch: --map: unknown field "price": want symbol, date, open, high, low, close, adjclose or volume' ]
	run -2 --separate-stderr pp-fetch file --map close $D/frame.csv
	[ "$stderr" = 'pp-fetch: --map: bad mapping "close": want FIELD=COLUMN' ]
}

@test "--symbol: missing argument and a bad value" {
	run -2 --separate-stderr pp-fetch file --symbol
	[ "$stderr" = "pp-fetch: option --symbol needs an argument" ]
	run -2 --separate-stderr pp-fetch file --symbol 'A B' $D/frame.csv
	[ "$stderr" = 'pp-fetch: --symbol: bad value "A B": want 1 to 64 bytes, no space or comma' ]
}

@test "stdin needs --symbol or a symbol column" {
	run -1 --separate-stderr pp-fetch file - <$D/yahoo/MSFT.csv
	[ "$stderr" = "pp-fetch: <stdin>: no symbol (use --symbol or a symbol column)" ]
	run -0 --separate-stderr pp-fetch file --symbol MSFT <$D/yahoo/MSFT.csv
	run -0 --separate-stderr pp-fetch file $D/yahoo/MSFT.csv -o "$T/want.csv"
	run -0 --separate-stderr pp-fetch file --symbol MSFT - -o "$T/got.csv" <$D/yahoo/MSFT.csv
	cmp "$T/want.csv" "$T/got.csv"
}

@test "files out of symbol order and shuffled rows come out sorted" {
	run -0 --separate-stderr pp-fetch file $D/yahoo/MSFT.csv $D/bad/shuffled.csv \
	    $D/alphavantage/IBM.csv --end 2024-01-03
	assert_output "$H
AAA,2024-01-02,1,1,1,1,1
AAA,2024-01-03,1,1,1,1,1
BBB,2024-01-02,2,2,2,2,2
BBB,2024-01-03,2,2,2,2,2
IBM,2024-01-02,162.83,163.29,160.27,162,3722512
IBM,2024-01-03,161,161.73,160.08,160.1,4086741
MSFT,2024-01-02,373.859985,375.899994,366.769989,370.869995,25258600
MSFT,2024-01-03,369.01001,373.26001,368.51001,370.600006,23083500"
}

@test "exact duplicates are dropped, also across files" {
	run -0 --separate-stderr pp-fetch file $D/bad/dups.csv $D/bad/dups.csv
	assert_output "$H
AAA,2024-01-02,10,11,9,10.5,100
AAA,2024-01-03,10,11,9,10.5,100"
}

@test "conflicting duplicates are an error naming both places" {
	run -1 --separate-stderr pp-fetch file $D/bad/conflict.csv
	[ "$stderr" = "pp-fetch: $D/bad/conflict.csv:4: \"AAA\" 2024-01-03: conflicts with $D/bad/conflict.csv:3 (other values)" ]
	[ -z "$output" ]
	# Found after sorting too, and --skip-bad does not hide it.
	run -1 --separate-stderr pp-fetch file --skip-bad $D/bad/shuffled.csv --symbol AAA
	[ "$stderr" = "pp-fetch: $D/bad/shuffled.csv:3: \"AAA\" 2024-01-03: conflicts with $D/bad/shuffled.csv:2 (other values)" ]
}

@test "a bad bar is an error naming file and line; no partial output" {
	run -1 --separate-stderr pp-fetch file $D/bad/BAD.csv -o "$T/out.csv"
	[ "$stderr" = "pp-fetch: $D/bad/BAD.csv:3: high 9: below max(open, close) 10.5" ]
	run -1 compgen -G "$T/out.csv*"
	run -1 --separate-stderr pp-fetch file $D/bad/BADDATE.csv
	[ "$stderr" = "pp-fetch: $D/bad/BADDATE.csv:3: column \"Date\": bad date \"2024-02-30\"" ]
	run -1 --separate-stderr pp-fetch file --start 2024-01-05 $D/bad/BAD.csv
	[ "$stderr" = "pp-fetch: $D/bad/BAD.csv:5: open: missing" ]
	run -1 --separate-stderr pp-fetch file --start 2024-01-08 $D/bad/BAD.csv
	[ "$stderr" = "pp-fetch: $D/bad/BAD.csv:6: volume -5: not a finite count >= 0" ]
	printf 'Date,Open,High,Low,Close\n2024-01-02,10,11,10.5,10.2\n' >"$T/LOW.csv"
	run -1 --separate-stderr pp-fetch file "$T/LOW.csv"
	[ "$stderr" = "pp-fetch: $T/LOW.csv:2: low 10.5: above min(open, close) 10" ]
	printf 'Date,Open,High,Low,Close\n2024-01-02,0,11,9,10.2\n' >"$T/ZERO.csv"
	run -1 --separate-stderr pp-fetch file "$T/ZERO.csv"
	[ "$stderr" = "pp-fetch: $T/ZERO.csv:2: open 0: not a positive price" ]
}

@test "--skip-bad skips and counts bad rows" {
	run -0 --separate-stderr pp-fetch file --skip-bad $D/bad/BAD.csv
	assert_output "$H
BAD,2024-01-02,10,11,9,10.5,100
BAD,2024-01-04,10,11,9,10.5,100
BAD,2024-01-09,10,11,9,10.5,7"
	[ "$stderr" = "pp-fetch: warning: skipped 3 bad rows (first: $D/bad/BAD.csv:3: high 9: below max(open, close) 10.5)" ]
	run -0 --separate-stderr pp-fetch file --skip-bad -q $D/bad/BAD.csv
	[ -z "$stderr" ]
	run -0 --separate-stderr pp-fetch file --skip-bad $D/bad/BADDATE.csv
	[ "$stderr" = "pp-fetch: warning: skipped 1 bad row (first: $D/bad/BADDATE.csv:3: column \"Date\": bad date \"2024-02-30\")" ]
}

@test "--start and --end keep a range; rows outside it are not checked" {
	run -0 --separate-stderr pp-fetch file --start 2024-01-09 --end 2024-01-31 $D/bad/BAD.csv
	assert_output "$H
BAD,2024-01-09,10,11,9,10.5,7"
	[ -z "$stderr" ]
	run -0 --separate-stderr pp-fetch file --end 2024-01-02 $D/bad/BAD.csv
	assert_output "$H
BAD,2024-01-02,10,11,9,10.5,100"
	run -2 --separate-stderr pp-fetch file --start
	[ "$stderr" = "pp-fetch: option --start needs an argument" ]
	run -2 --separate-stderr pp-fetch file --end 2024-1-2 $D/bad/BAD.csv
	[ "$stderr" = 'pp-fetch: --end: bad value "2024-1-2": want a date YYYY-MM-DD' ]
}

@test "-d reads another delimiter" {
	tr , ';' <$D/yahoo/MSFT.csv >"$T/MSFT.csv"
	run -0 --separate-stderr pp-fetch file -d ';' "$T/MSFT.csv"
	run -0 --separate-stderr pp-fetch file -d ';' "$T/MSFT.csv" -o "$T/got.csv"
	run -0 --separate-stderr pp-fetch file $D/yahoo/MSFT.csv -o "$T/want.csv"
	cmp "$T/want.csv" "$T/got.csv"
	run -2 --separate-stderr pp-fetch file -d ';;' "$T/MSFT.csv"
	[ "$stderr" = "pp-fetch: --delimiter: bad value \";;\": want one character other than '\"' or a newline" ]
}

@test "a missing file, a file that is not OHLCV, a directory" {
	run -1 --separate-stderr pp-fetch file $D/yahoo/MSFT.csv "$T/nope.csv"
	[ "$stderr" = "pp-fetch: $T/nope.csv: No such file or directory" ]
	[ -z "$output" ]
	run -1 --separate-stderr pp-fetch file $D/bad/notohlcv.csv
	[ "$stderr" = "pp-fetch: $D/bad/notohlcv.csv: no column for \"open\" (use --map open=NAME)" ]
	run -1 --separate-stderr pp-fetch file $D
	[ "$stderr" = "pp-fetch: $D: read error: Is a directory" ]
}

@test "file: options of other commands" {
	for o in "--seed 1" "--symbols A" "--provider yahoo" "--retries 1"; do
		run -2 --separate-stderr pp-fetch file $o $D/frame.csv
		[ "$stderr" = "pp-fetch: ${o%% *}: not an option of file" ]
	done
}
