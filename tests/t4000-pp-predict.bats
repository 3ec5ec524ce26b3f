#!/usr/bin/env bats
# t4000: pp-predict applies a model to a frame.
#
# Plan:
#   formula        predictions of a committed v1 artifact equal the formula
#                  of pp-model(5) computed independently (Python, stdlib)
#   columns        features matched by name in any order; --only writes
#                  symbol, date, prediction in that order; missing
#                  features are an error naming each; a text feature an error;
#                  an existing output column needs --output-col
#   missing        a missing feature value gives an empty prediction;
#                  --strict makes it an error naming the line; +/-inf
#                  counts as missing, as in pp-train (issue 16)
#   logistic       classes by default, --proba probabilities; --proba on a
#                  regression is a usage error
#   binary         binary frames in and out give the same values as CSV
#   artifacts      damaged, newer-version and non-model files are errors
#   options        missing arguments, bad values, extra operands

load helpers/common

setup() {
	common_setup
	cd testdata
	export PP_REGISTRY="$T/pp.db"
}

@test "predictions follow the pp-model(5) formula" {
	run -0 --separate-stderr pp-predict -m model-ridge-v1.ppm -o "$T/p.csv" train-small.csv
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	# eta = intercept + sum coef_j * ((x_j - mean_j) / scale_j), in order.
	python3 - "$T/p.csv" <<'END'
import csv, struct, sys, zlib
b = open("model-ridge-v1.ppm", "rb").read()
assert b[:8] == b"PPMODEL\0"
ver, flags, n, zn, crc = struct.unpack("<IIQQI", b[8:36])
body = zlib.decompress(b[36:36 + zn])
assert zlib.crc32(body) == crc and len(body) == n
at = 12
def u32():
    global at
    at += 4
    return struct.unpack("<I", body[at - 4:at])[0]
def f64():
    global at
    at += 8
    return struct.unpack("<d", body[at - 8:at])[0]
def s():
    global at
    k = u32()
    at += k
    return body[at - k:at].decode()
target = s()
alpha, l1, C, b0 = f64(), f64(), f64(), f64()
feats = [(s(), f64(), f64(), f64()) for _ in range(u32())]
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 240
for r in rows:
    eta = b0
    for name, mean, scale, coef in feats:
        eta += coef * ((float(r[name]) - mean) / scale)
    assert repr(eta) == r["prediction"], (eta, r["prediction"])
END
}

@test "features are found by name in any order; --only keeps the keys" {
	pp-predict -m model-ridge-v1.ppm -o "$T/a.csv" train-small.csv
	pp-predict -m model-ridge-v1.ppm --only -o "$T/b.csv" model-reordered.csv
	cut -d, -f1,2,8 "$T/a.csv" >"$T/want"
	diff -u "$T/want" "$T/b.csv"
}

@test "column errors" {
	run -1 --separate-stderr pp-predict -m model-ridge-v1.ppm train-missing.csv
	[ "$stderr" = 'pp-predict: train-missing.csv: missing features "f1", "f2", "f3"' ]
	printf 'f1,f3\n1,2\n' >"$T/two.csv"
	run -1 --separate-stderr pp-predict -m model-ridge-v1.ppm "$T/two.csv"
	[ "$stderr" = "pp-predict: $T/two.csv: missing feature \"f2\"" ]
	[ -z "$output" ]
	printf 'symbol,f1,f2,f3\nA,1,2,x\n' >"$T/text.csv"
	run -1 --separate-stderr pp-predict -m model-ridge-v1.ppm "$T/text.csv"
	[ "$stderr" = "pp-predict: $T/text.csv: feature \"f3\" is text, not a number" ]
	printf 'f1,f2,f3,prediction\n1,2,3,4\n' >"$T/dup.csv"
	run -1 --separate-stderr pp-predict -m model-ridge-v1.ppm "$T/dup.csv"
	[ "$stderr" = "pp-predict: $T/dup.csv: column \"prediction\" is already there: name the prediction with --output-col" ]
	run -0 --separate-stderr pp-predict -m model-ridge-v1.ppm --output-col yhat "$T/dup.csv"
	assert_line --index 0 "f1,f2,f3,prediction,yhat"
}

@test "a missing value gives a missing prediction; --strict fails" {
	printf 'f1,f2,f3\n1,2,3\n,2,3\n1,2,3\n' >"$T/m.csv"
	run -0 --separate-stderr pp-predict -m model-ridge-v1.ppm --only -o "$T/o.csv" "$T/m.csv"
	[ -z "$stderr" ]
	run -0 cat "$T/o.csv"
	[ "$(sed -n 1p "$T/o.csv")" = "prediction" ]
	# A one-column row with a missing value is written "" (a blank line
	# would be skipped when the frame is read again).
	[ "$(sed -n 3p "$T/o.csv")" = '""' ]
	[ "$(sed -n 2p "$T/o.csv")" = "$(sed -n 4p "$T/o.csv")" ]
	[ -n "$(sed -n 2p "$T/o.csv")" ]
	rm "$T/o.csv"
	run -1 --separate-stderr pp-predict -m model-ridge-v1.ppm --strict -o "$T/o.csv" "$T/m.csv"
	[ "$stderr" = "pp-predict: $T/m.csv:3: feature \"f1\": missing value" ]
	[ ! -e "$T/o.csv" ]
}

@test "an infinite feature is missing: empty prediction, --strict fails" {
	printf 'f1,f2,f3\n1,2,3\ninf,2,3\n1,-inf,3\n1,2,1e309\n' >"$T/inf.csv"
	run -0 --separate-stderr pp-predict -m model-ridge-v1.ppm --only -o "$T/o.csv" "$T/inf.csv"
	[ -z "$stderr" ]
	run -0 sed -n '3,5p' "$T/o.csv"
	[ "$output" = "$(printf '""\n""\n""')" ]
	run -0 sed -n 2p "$T/o.csv"
	[ -n "$output" ]
	[ "$output" != '""' ]
	rm "$T/o.csv"
	run -1 --separate-stderr pp-predict -m model-ridge-v1.ppm --strict -o "$T/o.csv" "$T/inf.csv"
	[ "$stderr" = "pp-predict: $T/inf.csv:3: feature \"f1\": missing value" ]
	[ ! -e "$T/o.csv" ]
	# A logistic model must not turn an infinity into class 1.
	pp-train --no-registry -m logistic -t cls --exclude y -o "$T/l.ppm" train-small.csv
	printf 'f1,f2,f3\ninf,1e309,-inf\n' >"$T/linf.csv"
	run -0 --separate-stderr pp-predict -m "$T/l.ppm" --only "$T/linf.csv"
	[ "$output" = "$(printf 'prediction\n""')" ]
	run -0 --separate-stderr pp-predict -m "$T/l.ppm" --only --proba "$T/linf.csv"
	[ "$output" = "$(printf 'prediction\n""')" ]
}

@test "logistic: classes, or --proba probabilities" {
	pp-train --no-registry -m logistic -t cls --exclude y --standardize -o "$T/l.ppm" train-small.csv
	run -0 pp-predict -m "$T/l.ppm" --only train-small.csv
	[ "${#lines[@]}" -eq 241 ]
	run -0 awk -F, 'NR > 1 && $3 != 0 && $3 != 1' <(printf '%s\n' "${lines[@]}")
	[ -z "$output" ]
	pp-predict -m "$T/l.ppm" --only --proba -o "$T/p.csv" train-small.csv
	pp-predict -m "$T/l.ppm" --only -o "$T/c.csv" train-small.csv
	run -0 awk -F, 'NR == FNR { p[FNR] = $3; next }
	    FNR > 1 && !($3 == (p[FNR] > 0.5 ? 1 : 0) && p[FNR] > 0 && p[FNR] < 1)' \
	    "$T/p.csv" "$T/c.csv"
	[ -z "$output" ]
	run -2 --separate-stderr pp-predict -m model-ridge-v1.ppm --proba train-small.csv
	[ "$stderr" = 'pp-predict: --proba: a ridge model has no probabilities' ]
}

@test "binary frames in and out carry the same values" {
	pp cat -B -o "$T/in.ppf" train-small.csv
	pp-predict -m model-ridge-v1.ppm -B -o "$T/out.ppf" "$T/in.ppf"
	pp cat -o "$T/out.csv" "$T/out.ppf"
	pp-predict -m model-ridge-v1.ppm -o "$T/want.csv" train-small.csv
	diff -u "$T/want.csv" "$T/out.csv"
	pp-predict -m model-ridge-v1.ppm --compress <"$T/in.ppf" >"$T/z.ppf"
	pp cat -o "$T/z.csv" "$T/z.ppf"
	diff -u "$T/want.csv" "$T/z.csv"
}

@test "damaged and foreign model files are errors" {
	size=$(stat -c %s model-ridge-v1.ppm)
	head -c $((size - 3)) model-ridge-v1.ppm >"$T/t.ppm"
	run -1 --separate-stderr pp-predict -m "$T/t.ppm" train-small.csv
	[ "$stderr" = "pp-predict: $T/t.ppm: truncated (body has $((size - 39)) of $((size - 36)) bytes)" ]
	cp model-ridge-v1.ppm "$T/n.ppm"
	printf '\004' | dd of="$T/n.ppm" bs=1 seek=8 conv=notrunc status=none
	run -1 --separate-stderr pp-predict -m "$T/n.ppm" train-small.csv
	[ "$stderr" = "pp-predict: $T/n.ppm: format version 4 is newer than this program reads (3)" ]
	cp model-ridge-v1.ppm "$T/c.ppm"
	printf 'XX' | dd of="$T/c.ppm" bs=1 seek=40 conv=notrunc status=none
	run -1 --separate-stderr pp-predict -m "$T/c.ppm" train-small.csv
	assert_regex "$stderr" "^pp-predict: $T/c.ppm: (corrupt body|checksum mismatch)"
	run -1 --separate-stderr pp-predict -m train-small.csv train-small.csv
	[ "$stderr" = 'pp-predict: train-small.csv: not a model artifact' ]
	run -1 --separate-stderr pp-predict -m "$T/none.ppm" train-small.csv
	[ "$stderr" = "pp-predict: $T/none.ppm: No such file or directory" ]
}

@test "options: missing arguments, bad values, extra operands" {
	run -2 --separate-stderr pp-predict train-small.csv
	[ "$stderr" = 'pp-predict: no model: give -m REF' ]
	run -2 --separate-stderr pp-predict train-small.csv -m
	[ "$stderr" = 'pp-predict: option -m needs an argument' ] ||
		[ "$stderr" = "pp-predict: option --model needs an argument" ]
	run -2 --separate-stderr pp-predict -m model-ridge-v1.ppm train-small.csv --output-col
	[ "$stderr" = 'pp-predict: option --output-col needs an argument' ]
	run -2 --separate-stderr pp-predict -m model-ridge-v1.ppm --output-col '' train-small.csv
	[ "$stderr" = 'pp-predict: --output-col: empty name' ]
	run -2 --separate-stderr pp-predict -m model-ridge-v1.ppm train-small.csv train-small.csv
	[ "$stderr" = 'pp-predict: one input frame at most' ]
	run -2 --separate-stderr pp-predict -m model-ridge-v1.ppm --only=1 train-small.csv
	[ -n "$stderr" ] && [ -z "$output" ]
}
