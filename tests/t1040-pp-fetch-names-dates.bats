#!/usr/bin/env bats
# t1040: pp-fetch file for provider files in other layouts.
#
# Plan:
#   --date-format   %m/%d/%Y, %d.%m.%Y (with -d ';'), %d-%b-%Y, %Y%m%d
#                   read as a number, epoch seconds ("epoch" and "%s", a
#                   number column or text; the UTC day of the instant);
#                   a date not in the layout is an error naming line and
#                   value; bad formats are usage errors
#   names           "msft (1).csv" and MSFT.csv.gz give msft and MSFT;
#                   --symbol-from-name RE takes RE's first group (or the
#                   whole match); no match and a match that is not a
#                   symbol are errors naming the file; a bad RE and
#                   --symbol with it are usage errors; a symbol column
#                   still wins

load helpers/common

setup() {
	common_setup
	H="symbol,date,open,high,low,close,volume"
	cd "$T"
}

@test "--date-format: US, German and named-month layouts" {
	printf 'Date,Open,High,Low,Close,Volume\n01/03/2024,10.5,11,10,10.8,120\n1/2/2024,10,11,9,10.5,100\n' >us.csv
	run -0 --separate-stderr pp-fetch file --symbol X --date-format '%m/%d/%Y' us.csv
	assert_output "$H
X,2024-01-02,10,11,9,10.5,100
X,2024-01-03,10.5,11,10,10.8,120"
	printf 'Datum;Eroeffnung;Hoch;Tief;Schluss;Volumen\n02.01.2024;10;11;9;10.5;100\n' >de.csv
	run -0 --separate-stderr pp-fetch file -d ';' --symbol SAP --date-format '%d.%m.%Y' \
	    --map date=Datum,open=Eroeffnung,high=Hoch,low=Tief,close=Schluss,volume=Volumen de.csv
	assert_output "$H
SAP,2024-01-02,10,11,9,10.5,100"
	printf 'date,open,high,low,close,volume\n02-Jan-2024,10,11,9,10.5,100\n' >b.csv
	run -0 --separate-stderr pp-fetch file --symbol X --date-format '%d-%b-%Y' b.csv
	assert_line --index 1 'X,2024-01-02,10,11,9,10.5,100'
	printf 'date,open,high,low,close,volume\n20240102,10,11,9,10.5,100\n' >n.csv
	run -0 --separate-stderr pp-fetch file --symbol X --date-format '%Y%m%d' n.csv
	assert_line --index 1 'X,2024-01-02,10,11,9,10.5,100'
}

@test "--date-format epoch: seconds, as numbers or text, to the UTC day" {
	printf 'timestamp,open,high,low,close,volume\n1704153600,10,11,9,10.5,100\n1704326399,10.5,11,10,10.8,120\n' >e.csv
	run -0 --separate-stderr pp-fetch file --symbol X --date-format epoch e.csv
	assert_output "$H
X,2024-01-02,10,11,9,10.5,100
X,2024-01-03,10.5,11,10,10.8,120"
	run -0 --separate-stderr pp-fetch file --symbol X --date-format %s e.csv
	assert_line --index 2 'X,2024-01-03,10.5,11,10,10.8,120'
	printf 'symbol,timestamp,open,high,low,close,volume\nX,1704153600,10,11,9,10.5,100\nX,n/a,10,11,9,10.5,100\n' >t.csv
	run -1 --separate-stderr pp-fetch file --date-format epoch t.csv
	assert_equal "$stderr" 'pp-fetch: t.csv:3: column "timestamp": bad date "n/a"'
}

@test "a date not in the --date-format layout, and bad formats" {
	printf 'Date,Open,High,Low,Close,Volume\n01/02/2024,10,11,9,10.5,100\n2024-01-03,10,11,9,10.5,100\n' >mixed.csv
	run -1 --separate-stderr pp-fetch file --symbol X --date-format '%m/%d/%Y' mixed.csv
	assert_equal "$stderr" 'pp-fetch: mixed.csv:3: column "Date": bad date "2024-01-03"'
	run -1 --separate-stderr pp-fetch file --symbol X mixed.csv
	assert_equal "$stderr" 'pp-fetch: mixed.csv:2: column "Date": bad date "01/02/2024": another layout? give --date-format'
	run -2 --separate-stderr pp-fetch file --date-format '%Y-%m' mixed.csv
	assert_equal "$stderr" 'pp-fetch: --date-format: bad value "%Y-%m": want the year, the month and the day, each once'
	run -2 --separate-stderr pp-fetch file --date-format '%Y-%m-%d %H:%M' mixed.csv
	assert_equal "$stderr" 'pp-fetch: --date-format: bad value "%Y-%m-%d %H:%M": unknown field (want %Y, %y, %m, %b, %d or %%)'
	run -2 --separate-stderr pp-fetch synth --symbols A --start 2024-01-01 --end 2024-01-05 --date-format epoch
	assert_equal "$stderr" 'pp-fetch: --date-format: not an option of synth'
}

@test "file names: a browser's copy number, gzip, --symbol-from-name" {
	printf 'Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n' >'msft (1).csv'
	run -0 --separate-stderr pp-fetch file 'msft (1).csv'
	assert_line --index 1 'msft,2024-01-02,10,11,9,10.5,100'
	cp 'msft (1).csv' MSFT.csv
	gzip MSFT.csv
	run -0 --separate-stderr pp-fetch file MSFT.csv.gz
	assert_line --index 1 'MSFT,2024-01-02,10,11,9,10.5,100'
	cp 'msft (1).csv' 'NASDAQ_AAPL_1D_2024.csv'
	run -0 --separate-stderr pp-fetch file --symbol-from-name '^[A-Z]+_([A-Z.]+)_' 'NASDAQ_AAPL_1D_2024.csv'
	assert_line --index 1 'AAPL,2024-01-02,10,11,9,10.5,100'
	run -0 --separate-stderr pp-fetch file --symbol-from-name '[A-Z]{4}' "$T/NASDAQ_AAPL_1D_2024.csv"
	assert_line --index 1 'NASD,2024-01-02,10,11,9,10.5,100'
	printf 'symbol,date,open,high,low,close,volume\nIBM,2024-01-02,10,11,9,10.5,100\n' >frame_x.csv
	run -0 --separate-stderr pp-fetch file --symbol-from-name '_(x)' frame_x.csv
	assert_line --index 1 'IBM,2024-01-02,10,11,9,10.5,100'
}

@test "--symbol-from-name: no match, not a symbol, a bad RE, with --symbol" {
	printf 'Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n' >'my data.csv'
	run -1 --separate-stderr pp-fetch file --symbol-from-name '^([0-9]+)' 'my data.csv'
	assert_equal "$stderr" 'pp-fetch: my data.csv: --symbol-from-name: no match in "my data.csv"'
	run -1 --separate-stderr pp-fetch file --symbol-from-name '^(.*)\.csv' 'my data.csv'
	assert_equal "$stderr" 'pp-fetch: my data.csv: --symbol-from-name: "my data" from "my data.csv" is not a symbol'
	run -2 --separate-stderr pp-fetch file --symbol-from-name '(' 'my data.csv'
	assert_equal "$stderr" 'pp-fetch: --symbol-from-name: bad regular expression "(": Unmatched ( or \('
	run -2 --separate-stderr pp-fetch file --symbol X --symbol-from-name 'a' 'my data.csv'
	assert_equal "$stderr" 'pp-fetch: --symbol and --symbol-from-name exclude each other'
}
