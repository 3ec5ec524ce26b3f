#!/usr/bin/env bats
# t1030: pp-fetch http, against recorded provider answers served by
# tests/helpers/fakeserver.py on 127.0.0.1 (no internet here).
#
# Plan:
#   providers        yahoo, stooq, alphavantage: the exact URL asked for (from
#                    the server's log) and the normalised frame
#   --url            template with {symbol}, {start}, {end}; bad templates
#   retries          429 then 200 honouring Retry-After; 500, 500, 200; a body
#                    cut short then whole; retries exhausted; -v lines
#   failures         404 fails at once; connection refused; timeout; Stooq's
#                    "No data"; Alpha Vantage's JSON notes; one symbol failing
#                    fails the run with no output
#   API key          from ALPHAVANTAGE_API_KEY; missing is a usage error; never
#                    in a message
#   --store          fetched bars go into the store
#   --max-bytes      an endless answer (no length) fails at the cap, by
#                    default 64 MiB, and so does a stated length over it,
#                    at once and without retries
#   options          every http option: missing argument, bad value

load helpers/common

setup() {
	common_setup
	HD=$PWD/testdata/http
	H="symbol,date,open,high,low,close,volume"
	AAPL_YAHOO="$H
AAPL,2024-01-02,187.149994,188.440002,183.889999,185.639999,82488700
AAPL,2024-01-03,184.220001,185.880005,183.429993,184.25,58414500
AAPL,2024-01-04,182.149994,183.089996,180.880005,181.910004,71983600
AAPL,2024-01-05,181.990005,182.759995,180.169998,181.179993,62303300
AAPL,2024-01-08,182.089996,185.600006,181.5,185.559998,59144500
AAPL,2024-01-09,183.919998,185.149994,182.729996,185.139999,42841800
AAPL,2024-01-10,184.350006,186.399994,183.919998,186.190002,46792900
AAPL,2024-01-11,186.539993,187.050003,183.619995,185.589996,49128400
AAPL,2024-01-12,186.059998,186.740005,185.190002,185.919998,40444700"
	unset ALPHAVANTAGE_API_KEY
}

teardown() {
	if [ -n "${server_pid:-}" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
}

# serve ROUTES_JSON: start the fake server; sets $base.
serve() {
	printf '%s\n' "$1" >"$T/routes.json"
	python3 tests/helpers/fakeserver.py --port-file "$T/port" \
	    --log "$T/log" "$T/routes.json" 3>&- &
	server_pid=$!
	for _ in $(seq 100); do
		[ -s "$T/port" ] && break
		sleep 0.05
	done
	base=http://127.0.0.1:$(cat "$T/port")
}

# The paths the server was asked for, one a line.
asked() {
	python3 -c 'import json, sys
for line in open(sys.argv[1]): print(json.loads(line)["path"])' "$T/log"
}

@test "yahoo: URL and Yahoo's CSV" {
	serve '{"/v7/finance/download/AAPL": [{"body_file": "'"$HD"'/yahoo-AAPL.csv"}]}'
	run -0 --separate-stderr pp-fetch http --provider yahoo --base-url "$base" \
	    --symbols AAPL --start 2024-01-02 --end 2024-01-12
	assert_output "$AAPL_YAHOO"
	[ -z "$stderr" ]
	run -0 asked
	assert_output "/v7/finance/download/AAPL?period1=1704153600&period2=1705104000&interval=1d&events=history"
}

@test "stooq: URL and Stooq's CRLF CSV; No data is an error" {
	serve '{"/q/d/l/": [{"body_file": "'"$HD"'/stooq-aapl.us.csv"},
	    {"body_file": "'"$HD"'/stooq-nodata.txt"}]}'
	run -0 --separate-stderr pp-fetch http --provider stooq --base-url "$base/" \
	    --symbols aapl.us --start 2024-01-02 --end 2024-01-12 --end 2024-01-03
	assert_output "$H
aapl.us,2024-01-02,185.864,187.145,182.627,184.365,82642954
aapl.us,2024-01-03,182.954,184.603,182.17,182.984,58523735"
	run -1 --separate-stderr pp-fetch http --provider stooq --base-url "$base" \
	    --symbols nope.us --start 2024-01-02 --end 2024-01-12
	[ "$stderr" = 'pp-fetch: stooq: "nope.us": no data' ]
	[ -z "$output" ]
	run -0 asked
	assert_output "/q/d/l/?s=aapl.us&d1=20240102&d2=20240103&i=d
/q/d/l/?s=nope.us&d1=20240102&d2=20240112&i=d"
}

@test "alphavantage: the key from the environment, newest first sorted" {
	serve '{"/query": [{"body_file": "'"$HD"'/alphavantage-AAPL-daily.csv"}]}'
	ALPHAVANTAGE_API_KEY='s3cr3t&x' run -0 --separate-stderr pp-fetch http \
	    --provider alphavantage --base-url "$base" --symbols AAPL \
	    --start 2024-01-09 --end 2024-01-10
	assert_output "$H
AAPL,2024-01-09,183.92,185.15,182.73,185.14,42841809
AAPL,2024-01-10,184.35,186.4,183.92,186.19,46792908"
	run -0 asked
	assert_output "/query?function=TIME_SERIES_DAILY&symbol=AAPL&outputsize=full&datatype=csv&apikey=s3cr3t%26x"
}

@test "alphavantage: a missing key is a usage error" {
	run -2 --separate-stderr pp-fetch http --provider alphavantage --symbols AAPL
	[ "$stderr" = "pp-fetch: alphavantage needs an API key: set ALPHAVANTAGE_API_KEY" ]
	ALPHAVANTAGE_API_KEY= run -2 --separate-stderr pp-fetch http \
	    --provider alphavantage --symbols AAPL
	[ "$stderr" = "pp-fetch: alphavantage needs an API key: set ALPHAVANTAGE_API_KEY" ]
}

@test "alphavantage: JSON notes with HTTP 200 are errors; the key never shows" {
	serve '{"/query": [{"body_file": "'"$HD"'/alphavantage-information.json",
	    "headers": {"Content-Type": "application/json"}},
	    {"status": 404, "body": "gone"}]}'
	export ALPHAVANTAGE_API_KEY=TOPSECRET
	run -1 --separate-stderr pp-fetch http --provider alphavantage \
	    --base-url "$base" --symbols IBM
	[ "$stderr" = 'pp-fetch: alphavantage: "IBM": Information: Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.' ]
	run -1 --separate-stderr pp-fetch http --provider alphavantage \
	    --base-url "$base" --symbols IBM
	[ "$stderr" = "pp-fetch: $base/query?function=TIME_SERIES_DAILY&symbol=IBM&outputsize=full&datatype=csv&apikey=***: HTTP 404" ]
}

@test "--url: a template with {symbol}, {start} and {end}" {
	serve '{"/d/%5EGSPC.csv": [{"body_file": "'"$HD"'/yahoo-AAPL.csv"}]}'
	run -0 --separate-stderr pp-fetch http --url "$base/d/{symbol}.csv?from={start}&to={end}" \
	    --symbols '^GSPC' --start 2024-01-11
	assert_output "$H
^GSPC,2024-01-11,186.539993,187.050003,183.619995,185.589996,49128400
^GSPC,2024-01-12,186.059998,186.740005,185.190002,185.919998,40444700"
	run -0 asked
	assert_output --regexp '^/d/%5EGSPC\.csv\?from=2024-01-11&to=[0-9]{4}-[0-9]{2}-[0-9]{2}$'
}

@test "--url: bad templates" {
	run -2 --separate-stderr pp-fetch http --url 'http://x/{sym}' --symbols A
	[ "$stderr" = 'pp-fetch: --url: unknown placeholder "{sym}" (want {symbol}, {start} or {end})' ]
	run -2 --separate-stderr pp-fetch http --url 'http://x/' --symbols A
	[ "$stderr" = 'pp-fetch: --url: no {symbol} in the template' ]
	run -2 --separate-stderr pp-fetch http --url 'http://x/{symbol}?s={start}' --symbols A
	[ "$stderr" = 'pp-fetch: --url uses {start}: give --start' ]
	run -2 --separate-stderr pp-fetch http --url 'http://x/{symbol}' --symbols A \
	    --base-url http://y
	[ "$stderr" = 'pp-fetch: --base-url: not with --url' ]
	run -2 --separate-stderr pp-fetch http --url
	[ "$stderr" = 'pp-fetch: option --url needs an argument' ]
}

@test "429 then 200: waits what Retry-After asks, then succeeds" {
	serve '{"/v7/finance/download/AAPL": [
	    {"status": 429, "headers": {"Retry-After": "1"}, "body": "slow down"},
	    {"body_file": "'"$HD"'/yahoo-AAPL.csv"}]}'
	t0=$(date +%s%N)
	run -0 --separate-stderr pp-fetch http -v --provider yahoo --base-url "$base" \
	    --symbols AAPL --start 2024-01-02 --end 2024-01-12 --backoff-ms 0
	t1=$(date +%s%N)
	assert_output "$AAPL_YAHOO"
	[ "$stderr" = "pp-fetch: $base/v7/finance/download/AAPL?period1=1704153600&period2=1705104000&interval=1d&events=history: HTTP 429; retry 1 of 4 in 1000 ms" ]
	[ $(((t1 - t0) / 1000000)) -ge 950 ]
	run -0 asked
	[ "${#lines[@]}" -eq 2 ]
}

@test "500, 500, 200: retried with backoff, then succeeds" {
	serve '{"/v7/finance/download/AAPL": [{"status": 500, "body": "oops"},
	    {"status": 500, "body": "oops"}, {"body_file": "'"$HD"'/yahoo-AAPL.csv"}]}'
	run -0 --separate-stderr pp-fetch http -v --provider yahoo --base-url "$base" \
	    --symbols AAPL --start 2024-01-02 --end 2024-01-12 --backoff-ms 0
	assert_output "$AAPL_YAHOO"
	u="$base/v7/finance/download/AAPL?period1=1704153600&period2=1705104000&interval=1d&events=history"
	[ "$stderr" = "pp-fetch: $u: HTTP 500; retry 1 of 4 in 0 ms
pp-fetch: $u: HTTP 500; retry 2 of 4 in 0 ms" ]
	run -0 asked
	[ "${#lines[@]}" -eq 3 ]
}

@test "a body cut short mid-way is retried; the whole body is used" {
	serve '{"/v7/finance/download/AAPL": [
	    {"body_file": "'"$HD"'/yahoo-AAPL.csv", "cut_after": 120},
	    {"body_file": "'"$HD"'/yahoo-AAPL.csv"}]}'
	run -0 --separate-stderr pp-fetch http --provider yahoo --base-url "$base" \
	    --symbols AAPL --start 2024-01-02 --end 2024-01-12 --backoff-ms 0
	assert_output "$AAPL_YAHOO"
	[ -z "$stderr" ]
	run -0 asked
	[ "${#lines[@]}" -eq 2 ]
}

@test "404 fails at once with a clear error" {
	serve '{"/other": [{"body": "x"}]}'
	run -1 --separate-stderr pp-fetch http --provider yahoo --base-url "$base" \
	    --symbols AAPL --start 2024-01-02 --end 2024-01-12 --backoff-ms 0
	[ "$stderr" = "pp-fetch: $base/v7/finance/download/AAPL?period1=1704153600&period2=1705104000&interval=1d&events=history: HTTP 404" ]
	[ -z "$output" ]
	run -0 asked
	[ "${#lines[@]}" -eq 1 ]
}

@test "retries run out: the last failure and the number of attempts" {
	serve '{"/q/d/l/": [{"status": 503, "body": "busy"}]}'
	run -1 --separate-stderr pp-fetch http --provider stooq --base-url "$base" \
	    --symbols x --start 2024-01-02 --end 2024-01-12 --retries 2 --backoff-ms 0
	[ "$stderr" = "pp-fetch: $base/q/d/l/?s=x&d1=20240102&d2=20240112&i=d: HTTP 503 (after 3 attempts)" ]
	run -0 asked
	[ "${#lines[@]}" -eq 3 ]
}

@test "a timeout and a refused connection" {
	serve '{"/q/d/l/": [{"delay_ms": 2000, "body": "late"}]}'
	run -1 --separate-stderr pp-fetch http --provider stooq --base-url "$base" \
	    --symbols x --start 2024-01-02 --end 2024-01-12 --retries 0 --timeout 0.2
	[ "$stderr" = "pp-fetch: $base/q/d/l/?s=x&d1=20240102&d2=20240112&i=d: timed out after 200 ms" ]
	# Port 1 on the loopback: nobody listens there.
	run -1 --separate-stderr pp-fetch http --provider stooq --base-url http://127.0.0.1:1 \
	    --symbols x --start 2024-01-02 --end 2024-01-12 --retries 1 --backoff-ms 0 \
	    --connect-timeout 2
	[ "$stderr" = "pp-fetch: http://127.0.0.1:1/q/d/l/?s=x&d1=20240102&d2=20240112&i=d: connection refused (after 2 attempts)" ]
}

@test "several symbols; one failing fails the run with no output" {
	serve '{"/v7/finance/download/AAPL": [{"body_file": "'"$HD"'/yahoo-AAPL.csv"}],
	    "/v7/finance/download/MSFT": [{"body_file": "'"$PWD"'/testdata/fetch/yahoo/MSFT.csv"}]}'
	run -0 --separate-stderr pp-fetch http --provider yahoo --base-url "$base" \
	    --symbols MSFT,AAPL --start 2024-01-04 --end 2024-01-04
	assert_output "$H
AAPL,2024-01-04,182.149994,183.089996,180.880005,181.910004,71983600
MSFT,2024-01-04,370.670013,373.100006,367.170013,367.940002,20901500"
	run -1 --separate-stderr pp-fetch http --provider yahoo --base-url "$base" \
	    --symbols AAPL,NOPE,MSFT --start 2024-01-04 --end 2024-01-04 -o "$T/out.csv"
	[ "$stderr" = "pp-fetch: $base/v7/finance/download/NOPE?period1=1704326400&period2=1704412800&interval=1d&events=history: HTTP 404" ]
	[ ! -e "$T/out.csv" ]
}

@test "--store and --adjust with http" {
	serve '{"/v7/finance/download/AAPL": [{"body_file": "'"$HD"'/yahoo-AAPL.csv"}]}'
	run -0 --separate-stderr pp-fetch http --provider yahoo --base-url "$base" \
	    --symbols AAPL --start 2024-01-02 --end 2024-01-12 --store "$T/m.db"
	[ -z "$output" ]
	run -0 --separate-stderr pp-fetch store "$T/m.db"
	assert_output "$AAPL_YAHOO"
	run -0 --separate-stderr pp-fetch http --provider yahoo --base-url "$base" \
	    --symbols AAPL --start 2024-01-02 --end 2024-01-02 --adjust
	assert_output "$H
AAPL,2024-01-02,186.44256722049604,187.72769899161958,183.19489499815026,184.93828,82488700"
}

# serve_endless: a server whose every answer is 200 and a body that never
# ends (no Content-Length, close-delimited); sets $base.
serve_endless() {
	python3 -c 'import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Connection", "close")
        self.end_headers()
        block = b"2024-01-02,1,1,1,1,1\n" * 4096
        try:
            while True:
                self.wfile.write(block)
        except OSError:
            pass
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_port))
s.serve_forever()' "$T/port" 3>&- &
	server_pid=$!
	for _ in $(seq 100); do
		[ -s "$T/port" ] && break
		sleep 0.05
	done
	base=http://127.0.0.1:$(cat "$T/port")
}

@test "--max-bytes: an endless or too long answer fails at the cap" {
	# An endless answer once filled 3.5 GB of memory.
	serve_endless
	run -1 --separate-stderr pp-fetch http --url "$base/{symbol}" --symbols A \
	    --max-bytes 1000000
	[ -z "$output" ]
	[ "$stderr" = "pp-fetch: $base/A: answer longer than 1000000 bytes" ]
	run -1 --separate-stderr pp-fetch http --url "$base/{symbol}" --symbols A
	[ -z "$output" ]
	[ "$stderr" = "pp-fetch: $base/A: answer longer than 67108864 bytes" ]
	kill "$server_pid"
	wait "$server_pid" || true
	server_pid=
	# A stated length over the cap: one request, no retry.
	rm "$T/port"
	serve '{"/A": [{"body_file": "'"$HD"'/yahoo-AAPL.csv"}]}'
	run -1 --separate-stderr pp-fetch http --url "$base/{symbol}" --symbols A \
	    --max-bytes 100
	[ "$stderr" = "pp-fetch: $base/A: answer longer than 100 bytes" ]
	run -0 asked
	assert_output /A
	run -0 --separate-stderr pp-fetch http --url "$base/{symbol}" --symbols A \
	    --max-bytes 1000000 --map date=Date,close=Close
}

@test "http: required options and bad values" {
	run -2 --separate-stderr pp-fetch http --symbols A
	[ "$stderr" = "pp-fetch: http needs --provider or --url" ]
	run -2 --separate-stderr pp-fetch http --provider yahoo
	[ "$stderr" = "pp-fetch: http needs --symbols" ]
	run -2 --separate-stderr pp-fetch http --provider yahoo --url 'http://x/{symbol}' --symbols A
	[ "$stderr" = "pp-fetch: --provider and --url exclude each other" ]
	run -2 --separate-stderr pp-fetch http --provider google --symbols A
	[ "$stderr" = 'pp-fetch: --provider: bad value "google": want yahoo, stooq or alphavantage' ]
	run -2 --separate-stderr pp-fetch http --provider yahoo --symbols A --base-url ftp://x
	[ "$stderr" = 'pp-fetch: --base-url: bad value "ftp://x": want http://HOST or https://HOST' ]
	run -2 --separate-stderr pp-fetch http --provider yahoo --symbols A --retries -1
	[ "$stderr" = 'pp-fetch: --retries: bad value "-1": want a whole number from 0 to 100' ]
	run -2 --separate-stderr pp-fetch http --provider yahoo --symbols A --backoff-ms x
	[ "$stderr" = 'pp-fetch: --backoff-ms: bad value "x": want a whole number from 0 to 3600000' ]
	run -2 --separate-stderr pp-fetch http --provider yahoo --symbols A --timeout 0
	[ "$stderr" = 'pp-fetch: --timeout: bad value "0": want a number from 0.001 to 86400' ]
	run -2 --separate-stderr pp-fetch http --provider yahoo --symbols A --connect-timeout nan
	[ "$stderr" = 'pp-fetch: --connect-timeout: bad value "nan": want a number from 0.001 to 86400' ]
	run -2 --separate-stderr pp-fetch http --provider yahoo --symbols A --max-bytes 0
	[ "$stderr" = 'pp-fetch: --max-bytes: bad value "0": want a whole number from 1 to 9223372036854775807' ]
	run -2 --separate-stderr pp-fetch synth --symbols A --max-bytes 10
	[ "$stderr" = "pp-fetch: --max-bytes: not an option of synth" ]
	run -2 --separate-stderr pp-fetch http --provider yahoo --symbols A x.csv
	[ "$stderr" = 'pp-fetch: http takes no operands' ]
	for o in --provider --base-url --retries --backoff-ms --timeout --connect-timeout --max-bytes; do
		run -2 --separate-stderr pp-fetch http "$o"
		[ "$stderr" = "pp-fetch: option $o needs an argument" ]
	done
	run -2 --separate-stderr pp-fetch http --provider yahoo --symbols A --symbol B
	[ "$stderr" = "pp-fetch: --symbol: not an option of http" ]
}
