#!/usr/bin/env bats
# t2030: pp-features and the feature spec that travels with the data.
#
# Plan:
#  - --print-spec writes the canonical spec: defaults written out, one
#    definition a line, targets as "target NAME=EXPR"; given back with -F
#    it prints itself (every operand of least, if, clip...); it reads no
#    frame.
#  - A binary output carries pp.spec (the same text), pp.horizon (the
#    largest lead), pp.producer (this command line) and pp.source.sha256
#    (the input file's digest, as sha256sum computes it); stdin gives no
#    digest.  A CSV output is unchanged by all this.
#  - Features computed on features: the second run's pp.spec is the
#    first's followed by the new definitions, its producer two lines.
#  - Errors: --print-spec with a frame operand, a bad definition (exit 2).

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TESTDATA="$BATS_TEST_DIRNAME/../testdata"

setup() {
	T=$BATS_TEST_TMPDIR
	cat >"$T/canon.txt" <<'EOF2'
r=logret(close,1)
r_lag1=lag(r,1)
r_lag2=lag(r,2)
r_lag3=lag(r,3)
r_lag4=lag(r,4)
r_lag5=lag(r,5)
sma20=sma(close,20)
ema20=ema(close,20)
rsi14=rsi(close,14)
macd=macd(close,12,26,9)
bb=bbands(close,20,2)
atr14=atr(14)
vol20=stddev(r,20,1)
target y=lead(r,1)
EOF2
}

@test "--print-spec writes the canonical spec of a spec file" {
	run -0 --separate-stderr pp-features -F "$TESTDATA/features-spec.txt" --print-spec
	[ "$stderr" = "" ]
	printf '%s\n' "$output" >"$T/out.txt"
	diff -u "$T/canon.txt" "$T/out.txt"
	run -0 --separate-stderr pp-features -F "$T/canon.txt" --print-spec
	printf '%s\n' "$output" >"$T/again.txt"
	diff -u "$T/canon.txt" "$T/again.txt"
}

@test "--print-spec of a command line fills in every default" {
	run -0 --separate-stderr pp-features -f 'r = logret(close)' \
	    -f 'z=(r - sma(r, 5)) / stddev(r, 5)' -t 'up=lead(r, 3) > 0' --print-spec
	[ "$output" = $'r=logret(close,1)\nz=(r-sma(r,5))/stddev(r,5,1)\ntarget up=lead(r,3)>0' ]
	[ "$stderr" = "" ]
}

@test "--print-spec writes every operand of an elementwise call" {
	run -0 --separate-stderr pp-features -f 'a=least(close, open, 2)' \
	    -f 'b=if(close > 1, clip(close, 0, 9), nan_to(close, 0))' --print-spec
	[ "$output" = $'a=least(close,open,2)\nb=if(close>1,clip(close,0,9),nan_to(close,0))' ]
	[ "$stderr" = "" ]
}

@test "a binary output carries pp.spec, pp.horizon, pp.producer and the source digest" {
	pp-features -F "$TESTDATA/features-spec.txt" -B -o "$T/f.ppf" \
	    "$TESTDATA/features-prices.csv"
	run -0 --separate-stderr pp cat --get-meta pp.spec "$T/f.ppf"
	printf '%s\n' "$output" >"$T/spec.txt"
	diff -u "$T/canon.txt" "$T/spec.txt"
	run -0 --separate-stderr pp cat --get-meta pp.horizon "$T/f.ppf"
	[ "$output" = "1" ]
	run -0 --separate-stderr pp cat --get-meta pp.producer "$T/f.ppf"
	[ "$output" = "pp-features 0.1.0 -F $TESTDATA/features-spec.txt -B -o $T/f.ppf $TESTDATA/features-prices.csv" ]
	sum=$(sha256sum "$TESTDATA/features-prices.csv")
	run -0 --separate-stderr pp cat --get-meta pp.source.sha256 "$T/f.ppf"
	[ "$output" = "${sum%% *}" ]
	# The rows are those of the CSV output.
	pp-features -F "$TESTDATA/features-spec.txt" -o "$T/f.csv" \
	    "$TESTDATA/features-prices.csv"
	pp cat -o "$T/back.csv" "$T/f.ppf"
	cmp "$T/f.csv" "$T/back.csv"
}

@test "stdin has no digest; a spec without targets has horizon 0" {
	pp-features -f 'r=logret(close)' -B -o "$T/f.ppf" <"$TESTDATA/features-small.csv"
	run -0 --separate-stderr pp cat --meta "$T/f.ppf"
	[ "$output" = $'pp.producer=pp-features 0.1.0 -f \'r=logret(close)\' -B -o '"$T/f.ppf"$'\npp.spec=r=logret(close,1)\npp.horizon=0' ]
}

@test "features computed on features keep the whole recipe" {
	pp-features -f 'r=logret(close)' -t 'y=lead(r,2)' -B -o "$T/a.ppf" \
	    "$TESTDATA/features-small.csv"
	pp-features -f 'r1=lag(r)' -B -o "$T/b.ppf" "$T/a.ppf"
	run -0 --separate-stderr pp cat --get-meta pp.spec "$T/b.ppf"
	[ "$output" = $'r=logret(close,1)\ntarget y=lead(r,2)\nr1=lag(r,1)' ]
	run -0 --separate-stderr pp cat --get-meta pp.horizon "$T/b.ppf"
	[ "$output" = "2" ]
	run -0 --separate-stderr pp cat --get-meta pp.producer "$T/b.ppf"
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = "pp-features 0.1.0 -f 'r1=lag(r)' -B -o $T/b.ppf $T/a.ppf" ]
}

@test "--print-spec errors: a frame operand, a bad definition" {
	run -2 --separate-stderr pp-features -f 'r=close' --print-spec "$TESTDATA/features-small.csv"
	assert_output ""
	[ "$stderr" = "pp-features: --print-spec reads no frame" ]
	run -2 --separate-stderr pp-features -f 'r=lead(close)' --print-spec
	assert_output ""
	[ "${stderr%%$'\n'*}" = "pp-features: -f:1:3: lead() looks ahead, so only a target may use it (--target, or a \"target\" line in a spec file): a feature must use its own and earlier rows only" ]
	run -2 --separate-stderr pp-features --print-spec
	[ "$stderr" = "pp-features: no features: give -f NAME=EXPR, --target NAME=EXPR or -F FILE" ]
}
