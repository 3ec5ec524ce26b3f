#!/usr/bin/env bats
# t5040: pp-eval --plot draws its picture as SVG.
#
# Plan, for each kind (backtest, signal, metrics regression scatter,
# metrics classification ROC):
#   - the scores on stdout are the same as without --plot
#   - the SVG is well-formed XML with a title and axis labels
#   - rsvg-convert renders it, and the PNG is not blank (decoded with
#     the Python standard library: a fair share of pixels not white)
# Then: --plot to an unwritable place fails before any work, leaving
# nothing; --plot with no file name is a usage error.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	cd "$BATS_TEST_DIRNAME/../testdata"
	T=$BATS_TEST_TMPDIR
	command -v rsvg-convert >/dev/null || skip "librsvg2-bin is not installed"
}

# check KIND TEXT ARGS...: pp-eval ARGS with and without --plot.
check() {
	kind=$1 text=$2
	shift 2
	pp-eval "$@" --format csv -o "$T/$kind.want" 2>/dev/null
	run -0 --separate-stderr pp-eval "$@" --format csv --plot "$T/$kind.svg" -o "$T/$kind.got"
	diff -u "$T/$kind.want" "$T/$kind.got"
	grep -q -- "$text" "$T/$kind.svg"
	/usr/bin/python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$T/$kind.svg"
	rsvg-convert -o "$T/$kind.png" "$T/$kind.svg"
	/usr/bin/python3 - "$T/$kind.png" <<'END'
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n"
at, idat, w = 8, b"", 0
while at < len(b):
    n, t = struct.unpack(">I4s", b[at:at + 8])
    if t == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", b[at + 8:at + 18])
    if t == b"IDAT":
        idat += b[at + 8:at + 8 + n]
    at += 12 + n
raw = zlib.decompress(idat)
assert w >= 700 and h >= 500, (w, h)
# Filtered scanlines: a white picture is almost all 0x00 (no change)
# or 0xff bytes; a drawn one has many other values.
other = sum(1 for x in raw if x not in (0, 255))
assert other > len(raw) // 200, (other, len(raw))
END
}

@test "backtest: equity and drawdown" {
	check backtest 'drawdown' backtest --ret y --ret-log --rule quantile:3 eval-predictions.csv
	grep -q '>2023-' "$T/backtest.svg"
}

@test "signal: IC by date and quantile returns" {
	check signal 'mean return by prediction quantile' signal --ret y --quantiles 3 eval-predictions.csv
	grep -q 'information coefficient by date' "$T/signal.svg"
}

@test "metrics: predicted against actual, and the ROC curve" {
	check scatter 'prediction against y (904 points)' metrics -t y eval-predictions.csv
	check roc 'ROC curve, AUC 0.5351' metrics -t up --pred proba --by symbol eval-predictions.csv
	grep -q 'false positive rate' "$T/roc.svg"
}

@test "--plot errors" {
	run -1 --separate-stderr pp-eval metrics -t y --plot "$T/no/such/dir/p.svg" eval-predictions.csv
	[[ "$stderr" == "pp-eval: $T/no/such/dir/"* ]]
	[ -z "$output" ]
	run -2 --separate-stderr pp-eval metrics -t y --plot '' eval-predictions.csv
	[ "$stderr" = 'pp-eval: --plot: empty file name' ]
	run -2 --separate-stderr pp-eval metrics -t y --plot
	[ "$stderr" = 'pp-eval: option --plot needs an argument' ]
}
