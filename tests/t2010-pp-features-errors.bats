#!/usr/bin/env bats
# t2010: pp-features errors, each exactly as the user sees it.
#
# Plan:
#   spec errors exit 2, print nothing on stdout, and show the definition
#   with a caret under the offending token: syntax, unknown function,
#   unknown column, wrong number of arguments, a bad or non-constant
#   parameter, a name clashing with a column or another definition, lead
#   in a feature (saying why), lead under an indicator, a multi-output
#   function used as one value, a column a function needs that is missing;
#   in a spec file the message names the file and line
#   data errors exit 1 and name file and line: a cell that is not a
#   number, a date out of order within a symbol (naming the symbol and both
#   dates), a missing input; no partial output is left with -o
#   a spec file over 4 MiB (-F /dev/zero) is refused, not read forever

load helpers/common

setup() {
	common_setup
	P=testdata/features-prices.csv
}

# spec_error EXPECTED-STDERR ARGS...: exit 2, nothing on stdout.
spec_error() {
	local want=$1
	shift
	run -2 --separate-stderr pp-features "$@"
	[ -z "$output" ] || fail "stdout: $output"
	diff -u <(printf '%s\n' "$want") <(printf '%s\n' "$stderr")
}

@test "syntax errors point at the token" {
	spec_error 'pp-features: -f:1:12: expected '"','"' or '"')'"', found end of expression
  r=sma(close
             ^' -f 'r=sma(close' $P
	spec_error "pp-features: -f:2:9: expected an operator or the end, found '=' (comparison is '==')
  y=close = 1
          ^" -f 'x=close' -f 'y=close = 1' $P
	spec_error "pp-features: --target:1:3: expected '=' after \"y\", found name
  y lead(close,1)
    ^~~~" -t 'y lead(close,1)' $P
}

@test "unknown function and unknown column" {
	spec_error 'pp-features: -f:1:3: unknown function "smaa" (pp-features --list shows them)
  r=smaa(close,20)
    ^~~~' -f 'r=smaa(close,20)' $P
	spec_error 'pp-features: -f:1:10: unknown column "Close"
  r=logret(Close,1)
           ^~~~~' -f 'r=logret(Close,1)' $P
}

@test "wrong number of arguments, bad and non-constant parameters" {
	spec_error 'pp-features: -f:1:3: wrong number of arguments to rsi: 3 given, expected rsi(x, n)
  a=rsi(close,14,2)
    ^~~' -f 'a=rsi(close,14,2)' $P
	spec_error 'pp-features: -f:1:13: rsi: n must be a whole number from 1 to 1000000
  a=rsi(close,-3)
              ^' -f 'a=rsi(close,-3)' $P
	spec_error 'pp-features: -f:1:14: argument 2 of sma must be a constant number, as in sma(x, n)
  a=sma(close, volume)
               ^~~~~~' -f 'a=sma(close, volume)' $P
}

@test "a feature name that is a column, or defined twice" {
	spec_error 'pp-features: -f:1:1: feature "volume" has the name of an input column
  volume=sma(volume,5)
  ^~~~~~' -f 'volume=sma(volume,5)' $P
	spec_error 'pp-features: -f:2:1: "bb_upper" is defined twice
  bb_upper=close
  ^~~~~~~~' -f 'bb=bbands(close,20,2)' -f 'bb_upper=close' $P
}

@test "lead in a feature is refused, saying why" {
	spec_error 'pp-features: -f:1:6: lead() looks ahead, so only a target may use it (--target, or a "target" line in a spec file): a feature must use its own and earlier rows only
  y=(1+lead(close,5))/close
       ^~~~' -f 'y=(1+lead(close,5))/close' $P
	spec_error 'pp-features: --target:1:7: lead() inside ema(): ema keeps state from row to row and cannot take future values; write lead(ema(...), k) instead
  y=ema(lead(close,1),5)
        ^~~~' -t 'y=ema(lead(close,1),5)' $P
	spec_error 'pp-features: -f:1:3: "y" is a target, and a feature cannot use a target: targets look ahead
  z=y+1
    ^' -t 'y=lead(close,1)' -f 'z=y+1' $P
}

@test "multi-output functions must be whole definitions or pick a part" {
	spec_error 'pp-features: -f:1:9: macd gives 3 outputs (macd, signal, hist): pick one, as in macd(...).signal
  x=close-macd(close,12,26,9)
          ^~~~' -f 'x=close-macd(close,12,26,9)' $P
	spec_error 'pp-features: -f:1:23: macd has no output "sig" (it has macd, signal, hist)
  x=macd(close,12,26,9).sig
                        ^~~' -f 'x=macd(close,12,26,9).sig' $P
}

@test "a function that needs a column the input lacks" {
	spec_error 'pp-features: -f:1:3: stoch reads column "high", which the input lacks
  s=stoch(14,3,3)
    ^~~~~' -f 's=stoch(14,3,3)' testdata/features-small.csv
}

@test "errors in a spec file name the file and line" {
	printf '# spec\nr = logret(close, 1)\n\ntarget y = lead(r, 1)\nv = stddev(r, 20, 2)\n' > "$T/spec"
	spec_error "pp-features: $T/spec:5:19: stddev: ddof must be 0 or 1
  v = stddev(r, 20, 2)
                    ^" -F "$T/spec" $P
	printf 'r = logret(close, 1)\nr2 = lag(r 2)\n' > "$T/spec2"
	spec_error "pp-features: $T/spec2:2:12: expected ',' or ')', found number
  r2 = lag(r 2)
             ^" -F "$T/spec2" $P
}

@test "a cell that is not a number: exit 1, file, line and column" {
	printf 'symbol,date,close,note\nA,2024-01-01,1,1\nA,2024-01-02,2,NA\nA,2024-01-03,2,x7\n' > "$T/t.csv"
	run -1 --separate-stderr pp-features -f 'a=note*2' -o "$T/out.csv" "$T/t.csv"
	[ "$stderr" = "pp-features: $T/t.csv:4: column \"note\": not a number: \"x7\"" ]
	[ ! -e "$T/out.csv" ]
}

@test "a date out of order names the symbol, the dates and the line" {
	{ head -7 $P; sed -n 5p $P; } > "$T/o.csv"
	run -1 --separate-stderr pp-features -f 'a=close' "$T/o.csv"
	[ "$stderr" = "pp-features: $T/o.csv:8: symbol \"AAA\": date 2024-01-03 is not after the previous 2024-01-03" ]
	printf 'date,close\n2024-01-02,1\n2024-01-01,2\n' > "$T/n.csv"
	run -1 --separate-stderr pp-features -f 'a=close' "$T/n.csv"
	[ "$stderr" = "pp-features: $T/n.csv:3: date 2024-01-01 is not after the previous 2024-01-02" ]
}

@test "a missing input is exit 1" {
	run -1 --separate-stderr pp-features -f 'a=close' "$T/missing.csv"
	[ "$stderr" = "pp-features: $T/missing.csv: No such file or directory" ]
	[ -z "$output" ]
}

@test "an endless spec file is refused at 4 MiB, not read forever" {
	run -2 --separate-stderr timeout 60 pp-features -F /dev/zero $P
	[ -z "$output" ]
	[ "$stderr" = "pp-features: /dev/zero: longer than 4194304 bytes: not a spec file" ]
	head -c 4194305 /dev/zero >"$T/big.spec"
	run -2 --separate-stderr pp-features -F - $P <"$T/big.spec"
	[ "$stderr" = "pp-features: <stdin>: longer than 4194304 bytes: not a spec file" ]
}
