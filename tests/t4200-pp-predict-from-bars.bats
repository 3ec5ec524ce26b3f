#!/usr/bin/env bats
# t4200: pp-predict and the feature spec: --from-bars, spec checks.
#
# Plan:
#  - --from-bars on a multi-symbol interleaved OHLCV frame gives, every
#    row and bit for bit, what pp-features with the model's features-only
#    spec piped to pp-predict gives; with the full spec (targets delay each
#    symbol's last rows) the same rows in another order.  Binary bars give
#    the same output.
#  - Warm-up: each symbol's first warmup rows predict nothing (empty),
#    --skip-warmup leaves them out.
#  - No look-ahead: changing a symbol's last bar changes no earlier
#    prediction.
#  - Errors (exit 1, one line): a model without a spec; bars missing a
#    column the spec reads (naming feature and column); a model spec using
#    a function this build lacks (naming the feature); a frame or -F spec
#    that disagrees with the model's (naming the feature), which
#    --ignore-spec lets through.  Usage (exit 2): --skip-warmup without
#    --from-bars, --from-bars with -F.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TESTDATA="$BATS_TEST_DIRNAME/../testdata"

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T"
	pp-fetch synth --symbols AAA,BBB,CCC --start 2019-01-01 \
	    --end 2020-06-30 --seed 3 -o seq.csv
	# Interleave the symbols: rows in date order, symbols within a date.
	{ head -1 seq.csv; tail -n +2 seq.csv | sort -t, -k2,2 -s; } >bars.csv
	cp "$TESTDATA/features-spec.txt" spec-in.txt
	pp-features -F spec-in.txt --print-spec >spec.txt
	grep -v '^target ' spec.txt >feat.txt
	pp-features -F spec.txt --dropna -B -o train.ppf bars.csv
	pp-train -m ridge --alpha 0.5 --standardize --target y --no-registry \
	    -o m.ppm train.ppf 2>/dev/null
}

@test "--from-bars is bit-identical to pp-features | pp-predict, every row" {
	run -0 --separate-stderr pp-predict -m m.ppm --from-bars --only -o b.csv bars.csv
	[ "$stderr" = "" ]
	pp-features -F feat.txt -o f.csv bars.csv
	pp-predict -m m.ppm --only -o a.csv f.csv
	diff -u a.csv b.csv
	[ "$(wc -l <b.csv)" -eq "$(wc -l <bars.csv)" ]
	# Predictions exist after the warm-up.
	[ "$(grep -c ',$' b.csv)" -lt 200 ]
	# The full spec reorders each symbol's last row, nothing else.
	pp-features -F spec.txt -o full.csv bars.csv
	pp-predict -m m.ppm --only -o af.csv full.csv
	sort af.csv >af.sorted
	sort b.csv >b.sorted
	diff -u af.sorted b.sorted
	# Binary bars, every column kept.
	pp cat -B -o bars.ppf bars.csv
	pp-predict -m m.ppm --from-bars -o bb.csv bars.ppf
	pp-predict -m m.ppm --from-bars -o bc.csv bars.csv
	cmp bb.csv bc.csv
}

@test "warm-up rows predict nothing; --skip-warmup leaves them out" {
	run -0 --separate-stderr pp-train --describe m.ppm
	assert_line "warmup: 33"
	pp-predict -m m.ppm --from-bars --only -o b.csv bars.csv
	for s in AAA BBB CCC; do
		grep "^$s," b.csv | head -33 >w.txt
		[ "$(grep -vc ',$' w.txt)" -eq 0 ]
		grep "^$s," b.csv | sed -n 34p | grep -qv ',$'
	done
	pp-predict -m m.ppm --from-bars --only --skip-warmup -o s.csv bars.csv
	[ "$(wc -l <s.csv)" -eq $(($(wc -l <b.csv) - 99)) ]
	grep -v ',$' b.csv >want.csv
	diff -u want.csv s.csv
}

@test "changing a symbol's last bar changes no earlier prediction" {
	pp-predict -m m.ppm --from-bars --only -o a.csv bars.csv
	last=$(grep -n '^BBB,' bars.csv | tail -1 | cut -d: -f1)
	awk -F, -v OFS=, -v n="$last" 'NR == n {$6 = $6 * 1.5} {print}' \
	    bars.csv >changed.csv
	pp-predict -m m.ppm --from-bars --only -o b.csv changed.csv
	head -n $((last - 1)) a.csv >a.head
	head -n $((last - 1)) b.csv >b.head
	cmp a.head b.head
	run ! cmp -s a.csv b.csv
}

@test "a model without a spec cannot predict from bars" {
	run -1 --separate-stderr pp-predict -m "$TESTDATA/model-ridge-v1.ppm" --from-bars bars.csv
	assert_output ""
	[ "$stderr" = "pp-predict: bars.csv: the model has no feature spec (train it on a binary frame from pp-features, or with -F)" ]
}

@test "bars missing a column the spec reads: one line naming feature and column" {
	cut -d, -f1,2,4,5,6,7 bars.csv >noopen.csv
	run -0 --separate-stderr pp-predict -m m.ppm --from-bars -o x.csv noopen.csv
	cut -d, -f1,2,3,5,6,7 bars.csv >nohigh.csv
	run -1 --separate-stderr pp-predict -m m.ppm --from-bars nohigh.csv
	assert_output ""
	[ "$stderr" = "pp-predict: nohigh.csv: the model's spec: feature \"atr14\": atr reads column \"high\", which the input lacks" ]
}

@test "a model spec using a function this build lacks: one line naming the feature" {
	python3 - m.ppm bad.ppm <<'PY'
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
ver, flags, n, zn, crc = struct.unpack("<IIQQI", b[8:36])
body = zlib.decompress(b[36:36 + zn]).replace(b"ema20=ema(", b"ema20=emx(")
z = zlib.compress(body, 9)
hdr = b[:8] + struct.pack("<IIQQI", ver, flags, len(body), len(z),
                          zlib.crc32(body))
open(sys.argv[2], "wb").write(hdr + z)
PY
	run -1 --separate-stderr pp-predict -m bad.ppm --from-bars bars.csv
	assert_output ""
	[ "$stderr" = "pp-predict: bars.csv: the model's spec: feature \"ema20\": unknown function \"emx\" (pp-features --list shows them)" ]
}

@test "a frame whose spec disagrees with the model's is refused unless --ignore-spec" {
	sed 's/^sma20=sma(close,20)$/sma20=sma(close,21)/' spec.txt >other.txt
	pp-features -F other.txt -B -o other.ppf bars.csv
	run -1 --separate-stderr pp-predict -m m.ppm other.ppf
	assert_output ""
	[ "$stderr" = "pp-predict: other.ppf: feature \"sma20\": the frame's spec defines it as \"sma20=sma(close,21)\", the model's as \"sma20=sma(close,20)\" (--ignore-spec predicts anyway)" ]
	run -0 --separate-stderr pp-predict -m m.ppm --ignore-spec --only -o p.csv other.ppf
	# CSV with -F: the same check.
	pp cat -o other.csv other.ppf
	run -1 --separate-stderr pp-predict -m m.ppm -F other.txt other.csv
	[ "$stderr" = "pp-predict: other.csv: feature \"sma20\": -F's spec defines it as \"sma20=sma(close,21)\", the model's as \"sma20=sma(close,20)\" (--ignore-spec predicts anyway)" ]
	# The frame made with the model's own spec passes.
	pp-features -F spec.txt -B -o same.ppf bars.csv
	run -0 --separate-stderr pp-predict -m m.ppm --only -o q.csv same.ppf
	[ "$stderr" = "" ]
}

@test "usage: --skip-warmup needs --from-bars; --from-bars takes no -F" {
	run -2 --separate-stderr pp-predict -m m.ppm --skip-warmup bars.csv
	[ "$stderr" = "pp-predict: --skip-warmup needs --from-bars" ]
	run -2 --separate-stderr pp-predict -m m.ppm --from-bars -F spec.txt bars.csv
	[ "$stderr" = "pp-predict: --from-bars takes the model's spec: -F and --strict do not apply" ]
	run -2 --separate-stderr pp-predict -m m.ppm -F
	[ "$stderr" = "pp-predict: option --spec needs an argument" ]
}
