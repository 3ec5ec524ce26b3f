#!/usr/bin/env bats
# t3300: pp-train and the feature spec (the model holds its recipe).
#
# Plan:
#  - A binary frame from pp-features: the default features are the spec's
#    (never the target, never raw prices), the gap is the frame's horizon,
#    and --describe prints inputs, warm-up, horizon and the spec; the
#    run's tags hold them (pp-registry show).
#  - CSV with -F spec.txt gives the same recipe; CSV without a spec gives
#    none (the describe output is that of before); --gap still wins.
#  - A version 1 model (testdata/model-ridge-v1.ppm) still loads.
#  - Errors: -F disagreeing with the frame's spec (exit 1, naming the
#    feature and both definitions); a frame spec with a function this build
#    lacks (exit 1, one line naming the feature); -F of a missing file.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

TESTDATA="$BATS_TEST_DIRNAME/../testdata"

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T"
	pp-features -f 'r=logret(close)' -f 'v=stddev(r,5)' -f 'a=atr(3)' \
	    -t 'y=lead(r,2)' --dropna -B -o f.ppf "$TESTDATA/features-prices.csv"
	pp-features -f 'r=logret(close)' -f 'v=stddev(r,5)' -f 'a=atr(3)' \
	    -t 'y=lead(r,2)' --print-spec >spec.txt
	pp cat -o f.csv f.ppf
}

recipe() {
	cat <<'EOF2'
inputs: close,high,low
warmup: 5
horizon: 2
spec:
  r=logret(close,1)
  v=stddev(r,5,1)
  a=atr(3)
  target y=lead(r,2)
EOF2
}

@test "a binary frame's spec gives the features, the gap and the recipe" {
	run -0 --separate-stderr pp-train -m ols --target y --cv walkforward:2 \
	    --no-registry -o m.ppm f.ppf
	run -0 --separate-stderr pp-train --describe m.ppm
	printf '%s\n' "$output" >d.txt
	grep -q '^features: 3$' d.txt
	grep -q '^r,0,1,' d.txt
	grep -q '^v,0,1,' d.txt
	grep -q '^a,0,1,' d.txt
	grep -q '^meta validation: walkforward:2,gap=2,embargo=0,max_train=0$' d.txt
	sed -n '/^inputs:/,$p' d.txt >got.txt
	recipe >want.txt
	diff -u want.txt got.txt
}

@test "CSV with -F gives the same recipe; without a spec there is none" {
	pp-train -m ols --target y --features r,v,a -F spec.txt --no-registry \
	    -o m.ppm f.csv 2>/dev/null
	run -0 --separate-stderr pp-train --describe m.ppm
	printf '%s\n' "$output" | sed -n '/^inputs:/,$p' >got.txt
	recipe >want.txt
	diff -u want.txt got.txt
	pp-train -m ols --target y --features r,v,a --no-registry -o n.ppm \
	    f.csv 2>/dev/null
	run -0 --separate-stderr pp-train --describe n.ppm
	refute_output --partial "inputs:"
	refute_output --partial "spec:"
}

@test "--gap wins over the frame's horizon" {
	run -0 --separate-stderr pp-train -m ols --target y --cv walkforward:2 \
	    --gap 3 --no-registry -o m.ppm f.ppf
	run -0 --separate-stderr pp-train --describe m.ppm
	assert_output --partial "meta validation: walkforward:2,gap=3,embargo=0,max_train=0"
}

@test "the run's tags hold the spec and the warm-up" {
	pp-train -m ols --target y --registry r.db -o m.ppm f.ppf 2>/dev/null
	id=$(pp-registry --registry r.db runs --format csv | awk -F, 'NR == 2 {print $1}')
	run -0 --separate-stderr pp-registry --registry r.db show "$id"
	assert_line "tag,warmup,5"
	assert_line "tag,horizon,2"
	assert_line 'tag,inputs,"close,high,low"'
	assert_line 'tag,spec,"r=logret(close,1)'
}

@test "a version 1 model still loads and has no recipe" {
	run -0 --separate-stderr pp-train --describe "$TESTDATA/model-ridge-v1.ppm"
	assert_line "kind: ridge"
	refute_output --partial "warmup:"
}

@test "-F that disagrees with the frame's spec is refused" {
	printf 'r=logret(close,2)\nv=stddev(r,5)\n' >other.txt
	run -1 --separate-stderr pp-train -m ols --target y -F other.txt \
	    --no-registry -o m.ppm f.ppf
	assert_output ""
	[ "$stderr" = "pp-train: f.ppf: feature \"r\": -F's spec defines it as \"r=logret(close,2)\", the frame's as \"r=logret(close,1)\"" ]
	[ ! -e m.ppm ]
}

@test "a frame spec with an unknown function is one line naming the feature" {
	pp cat -B --set-meta $'pp.spec=r=logret(close,1)\nq=frobnicate(close,3)\n' \
	    -o bad.ppf f.ppf
	run -1 --separate-stderr pp-train -m ols --target y --no-registry \
	    -o m.ppm bad.ppf
	assert_output ""
	[ "$stderr" = "pp-train: bad.ppf: pp.spec: feature \"q\": unknown function \"frobnicate\" (pp-features --list shows them)" ]
}

@test "-F of a missing file" {
	run -1 --separate-stderr pp-train -m ols --target y -F nope.txt \
	    --no-registry -o m.ppm f.csv
	[ "$stderr" = "pp-train: nope.txt: No such file or directory" ]
	run -2 --separate-stderr pp-train -m ols --target y -F
	[ "$stderr" = "pp-train: option --spec needs an argument" ]
}
