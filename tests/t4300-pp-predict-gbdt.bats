#!/usr/bin/env bats
# t4300: pp-predict with gradient-boosted trees (pp-train -m gbdt).
#
# Plan:
#   blocks        a frame of 72,000 rows (pp-predict's blocks of 65536,
#                 XGBoost calls of 4096, and remainders): every input
#                 column comes through unchanged, text included, CSV and
#                 binary; rows predicted in the big frame equal the same
#                 rows predicted alone (across both block edges)
#   classes       a binary model: classes, --proba probabilities, the class
#                 is 1 exactly when the probability exceeds 0.5; --proba on
#                 a regression is a usage error
#   contribs      --pred-contribs names contrib_FEATURE and contrib_bias;
#                 they sum to the prediction (regression) and to the
#                 log-odds (binary); a usage error for a linear model and
#                 with --from-bars
#   missing       an empty feature predicts an empty cell, and no
#                 contributions; --strict names the line and the feature
#   registry      models:/NAME/1 predicts what the file does
#   damaged       trees XGBoost refuses (the CRC made right) are a corrupt
#                 body, exit 1, one line

load helpers/common

setup() {
	common_setup
	D=$PWD/testdata
	cd "$T"
	unset PP_REGISTRY
	cp "$D/train-small.csv" small.csv
	pp-train -m gbdt -t y --features f1,f2,f3 --n-estimators 30 \
	    --no-registry -o r.ppm small.csv 2>/dev/null
}

@test "blocks of rows: every column comes through, rows predict as alone" {
	awk -F, 'NR == 1 { print; next } { a[NR] = $0 } END {
		for (k = 0; k < 300; k++)
			for (i = 2; i <= NR; i++) {
				$0 = a[i]; $1 = $1 "_" k; print
			} }' OFS=, small.csv >big.csv
	[ "$(wc -l <big.csv)" -eq 72001 ]
	run -0 --separate-stderr pp-predict -m r.ppm -o out.csv big.csv
	[ -z "$stderr" ]
	cut -d, -f1-7 out.csv | diff -u big.csv -
	[ "$(head -1 out.csv)" = "symbol,date,f1,f2,f3,y,cls,prediction" ]
	sed -n '1p;4096,4099p;65536,65539p' big.csv >edge.csv
	pp-predict -m r.ppm -o edge-out.csv edge.csv
	sed -n '1p;4096,4099p;65536,65539p' out.csv | diff -u edge-out.csv -
	pp cat -B -o big.ppf big.csv
	pp-predict -m r.ppm -B -o out.ppf big.ppf
	pp cat out.ppf | diff -u out.csv -
}

@test "a binary model predicts classes, and probabilities with --proba" {
	pp-train -m gbdt -t cls --features f1,f2,f3 --n-estimators 30 \
	    --no-registry -o b.ppm small.csv 2>/dev/null
	pp-predict -m b.ppm --only -o c.csv small.csv
	pp-predict -m b.ppm --only --proba -o p.csv small.csv
	paste -d, c.csv p.csv | awk -F, 'NR > 1 {
		if (!($6 > 0 && $6 < 1)) exit 1
		if (($3 == 1) != ($6 > 0.5)) exit 1
		if ($3 != 0 && $3 != 1) exit 1 }' || fail "classes and probabilities disagree"
	run -2 --separate-stderr pp-predict -m r.ppm --proba small.csv
	[ "$stderr" = 'pp-predict: --proba: a gbdt model has no probabilities' ]
	[ -z "$output" ]
}

@test "--pred-contribs: one column a feature and the bias, summing to the margin" {
	run -0 --separate-stderr pp-predict -m r.ppm --only --pred-contribs \
	    -o c.csv small.csv
	[ "$(head -1 c.csv)" = "symbol,date,prediction,contrib_f1,contrib_f2,contrib_f3,contrib_bias" ]
	awk -F, 'NR > 1 { d = $3 - ($4 + $5 + $6 + $7); if (d < 0) d = -d
		if (d > 1e-5) { print NR ": " $0; exit 1 } }' c.csv
	pp-train -m gbdt -t cls --features f1,f2,f3 --n-estimators 30 \
	    --no-registry -o b.ppm small.csv 2>/dev/null
	pp-predict -m b.ppm --only --proba --pred-contribs -o p.csv small.csv
	awk -F, 'NR > 1 { s = $4 + $5 + $6 + $7; q = 1 / (1 + exp(-s))
		d = $3 - q; if (d < 0) d = -d
		if (d > 1e-6) { print NR ": " $0; exit 1 } }' p.csv
	run -2 --separate-stderr pp-predict -m "$D/model-ridge-v1.ppm" \
	    --pred-contribs small.csv
	[ "$stderr" = 'pp-predict: --pred-contribs: a ridge model has no contributions (gbdt has)' ]
	run -2 --separate-stderr pp-predict -m r.ppm --from-bars \
	    --pred-contribs small.csv
	[ "$stderr" = 'pp-predict: --pred-contribs does not apply to --from-bars' ]
}

@test "a missing feature predicts nothing; --strict names it" {
	printf 'f1,f2,f3\n1,2,100\n1,,100\n' >m.csv
	run -0 --separate-stderr pp-predict -m r.ppm --pred-contribs -o o.csv m.csv
	[ "$(sed -n 3p o.csv)" = "1,,100,,,,," ]
	run -1 --separate-stderr pp-predict -m r.ppm --strict m.csv
	[ "$stderr" = 'pp-predict: m.csv:3: feature "f2": missing value' ]
}

@test "a registry reference predicts as the file" {
	pp-train -m gbdt -t y --features f1,f2,f3 --n-estimators 30 \
	    --registry pp.db --register trees -o t.ppm small.csv 2>/dev/null
	pp-predict -m t.ppm -o a.csv small.csv
	pp-predict -m models:/trees/1 --registry pp.db -o b.csv small.csv
	diff -u a.csv b.csv
}

@test "trees XGBoost refuses are a corrupt body" {
	python3 - r.ppm bad.ppm <<'PY'
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
ver, flags, n, zn, crc = struct.unpack("<IIQQI", b[8:36])
assert ver == 3
body = bytearray(zlib.decompress(b[36:36 + zn]))
i = body.find(b"{L")   # the UBJSON document's start
assert i > 0
body[i:i + 40] = b"x" * 40
z = zlib.compress(bytes(body), 9)
hdr = b[:8] + struct.pack("<IIQQI", ver, flags, len(body), len(z),
                          zlib.crc32(bytes(body)))
open(sys.argv[2], "wb").write(hdr + z)
PY
	run -1 --separate-stderr pp-predict -m bad.ppm small.csv
	assert_regex "$stderr" '^pp-predict: bad.ppm: corrupt body: xgboost: loading the model: [^
]+$'
	[ -z "$output" ]
}
