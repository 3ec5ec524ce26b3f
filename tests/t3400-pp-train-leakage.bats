#!/usr/bin/env bats
# t3400: pp-train's defaults do not leak the future into a model.
#
# Plan:
#   spec           a binary frame with two targets and raw OHLCV and its
#                  spec trains on the spec's features only, and a split
#                  takes its gap from the frame's horizon
#   defaults       a CSV frame with two targets and raw OHLCV: without
#                  --targets-like the second target is a feature, with it
#                  only the computed features are; the features line on
#                  stderr says which; -q keeps it off
#   free choice    --features and --features-regex still take raw bars
#                  and other targets when named
#   --dry-run      prints the columns on stdout, fits, logs and writes
#                  nothing; errors as training would; no terminal check
#   purge gap      --cv and --test-frac without --horizon or --gap: exit 2
#                  with the reason, nothing written, no run logged; either
#                  one lets them run
#   options        --targets-like: bad regex, missing argument; --dry-run
#                  with --print-run-id, with --describe

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup_file() {
	export F=$BATS_FILE_TMPDIR/f.csv
	pp-fetch synth --symbols AAA,BBB --start 2020-01-01 --end 2020-06-30 \
	    --seed 7 -o "$BATS_FILE_TMPDIR/p.csv"
	pp-features -f 'r1=logret(close,1)' -f 'rsi14=rsi(close,14)' \
	    -t 'y=lead(logret(close,1),1)' -t 'up=lead(logret(close,1),1)>0' \
	    --dropna -o "$F" "$BATS_FILE_TMPDIR/p.csv"
	export B=$BATS_FILE_TMPDIR/f.ppf
	pp-features -f 'r1=logret(close,1)' -f 'rsi14=rsi(close,14)' \
	    -t 'y=lead(logret(close,1),1)' -t 'up=lead(logret(close,1),2)>0' \
	    --dropna -B -o "$B" "$BATS_FILE_TMPDIR/p.csv"
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	export PP_REGISTRY="$BATS_TEST_TMPDIR/pp.db"
}

@test "the frame has raw bars, two features and two targets" {
	run -0 head -1 "$F"
	assert_output 'symbol,date,open,high,low,close,volume,r1,rsi14,y,up'
}

@test "a frame with two targets, raw OHLCV and a spec trains on the spec's features only" {
	run -0 --separate-stderr pp-train -m ridge -t y --cv walkforward:3 -o m.ppm "$B"
	assert_equal "${stderr_lines[1]}" 'pp-train: features: r1,rsi14'
	id=$(pp-registry runs --format csv | sed -n 2p | cut -d, -f1)
	run -0 pp-registry show "$id" --format csv
	assert_line 'param,gap,2'
	run -0 --separate-stderr pp-train -m ridge -t y --dry-run "$B"
	assert_equal "$output" 'r1,rsi14'
}

@test "default features: no raw bars; other targets only when named as such" {
	run -0 --separate-stderr pp-train --no-registry -m ols -t y -o m.ppm "$F"
	assert_equal "$stderr" 'pp-train: features: r1,rsi14,up'
	run -0 --separate-stderr pp-train --no-registry -m ols -t y \
	    --targets-like '^(y|up)$' -o m.ppm "$F"
	assert_equal "$stderr" 'pp-train: features: r1,rsi14'
	run -0 pp-train --describe m.ppm
	assert_line 'features: 2'
	assert_line --regexp '^r1,'
	assert_line --regexp '^rsi14,'
	refute_line --regexp '^(open|high|low|close|volume|up),'
	run -0 --separate-stderr pp-train --no-registry -q -m ols -t y \
	    --targets-like '^up$' -o m.ppm "$F"
	assert_equal "$stderr" ''
}

@test "--features and --features-regex take raw bars and targets when named" {
	run -0 --separate-stderr pp-train --no-registry -m ols -t y \
	    --features close,volume,up --targets-like '^up$' -o m.ppm "$F"
	assert_equal "$stderr" 'pp-train: features: close,volume,up'
	run -0 --separate-stderr pp-train --no-registry -m ols -t y \
	    --features-regex '^(open|r1|up)$' --targets-like '^up$' -o m.ppm "$F"
	assert_equal "$stderr" 'pp-train: features: open,r1,up'
	run -0 --separate-stderr pp-train --no-registry -m ols -t y \
	    --exclude rsi14 --targets-like '^up$' -o m.ppm "$F"
	assert_equal "$stderr" 'pp-train: features: r1'
}

@test "--dry-run prints the columns and fits, logs and writes nothing" {
	run -0 --separate-stderr pp-train -m ridge -t y --targets-like '^up$' \
	    --cv walkforward:3 --horizon 1 --register m --dry-run -o m.ppm "$F"
	assert_equal "$output" 'r1,rsi14'
	assert_equal "$stderr" ''
	[ ! -e m.ppm ]
	[ ! -e pp.db ]
	# stdout is a terminal: the list is still printed there
	run -0 script -qec "pp-train -m ols -t y --no-registry --dry-run $F" /dev/null
	assert_output $'r1,rsi14,up\r'
	run -1 --separate-stderr pp-train -m ols -t y --features r1,nope --dry-run "$F"
	assert_equal "$output" ''
	assert_equal "$stderr" "pp-train: $F: feature \"nope\": no such column"
	run -2 --separate-stderr pp-train -m ols -t y --dry-run --print-run-id -o m.ppm "$F"
	assert_equal "$stderr" 'pp-train: --dry-run excludes --print-run-id'
	run -2 --separate-stderr pp-train --describe m.ppm --dry-run
	assert_equal "$stderr" 'pp-train: --describe takes no other input'
}

@test "a split without a known horizon is refused: exit 2 and why" {
	run -2 --separate-stderr pp-train -m ridge -t y --cv walkforward:3 -o m.ppm "$F"
	assert_equal "$output" ''
	assert_equal "$stderr" "pp-train: --cv: the target's horizon is unknown: give --horizon N or --gap N (a target that looks N dates ahead needs N dates purged before each test)"
	[ ! -e m.ppm ]
	[ -z "$(ls m.ppm.tmp* 2>/dev/null)" ]
	[ ! -e pp.db ]
	run -2 --separate-stderr pp-train -m ridge -t y --test-frac 0.2 --no-registry -o m.ppm "$F"
	assert_equal "$stderr" "pp-train: --test-frac: the target's horizon is unknown: give --horizon N or --gap N (a target that looks N dates ahead needs N dates purged before each test)"
	run -2 --separate-stderr pp-train -m ridge -t y --cv walkforward:3 --dry-run "$F"
	assert_equal "$output" ''
	assert_equal "$stderr" "pp-train: --cv: the target's horizon is unknown: give --horizon N or --gap N (a target that looks N dates ahead needs N dates purged before each test)"
}

@test "--horizon or --gap lets a split run; the gap is logged" {
	run -0 --separate-stderr pp-train -m ridge -t y --targets-like '^up$' \
	    --cv walkforward:3 --horizon 1 -o m.ppm "$F"
	id=$(pp-registry runs --format csv | sed -n 2p | cut -d, -f1)
	run -0 pp-registry show "$id" --format csv
	assert_line 'param,gap,1'
	assert_line 'param,targets_like,^up$'
	run -0 --separate-stderr pp-train -m ridge -t y --targets-like '^up$' \
	    --test-frac 0.2 --gap 0 --no-registry -o m.ppm "$F"
	assert_equal "${stderr_lines[0]}" 'pp-train: features: r1,rsi14'
}

@test "--targets-like: a bad regular expression, a missing argument" {
	run -2 --separate-stderr pp-train --no-registry -m ols -t y --targets-like '(' -o m.ppm "$F"
	assert_equal "$stderr" "pp-train: $F: --targets-like: bad regular expression \"(\""
	[ ! -e m.ppm ]
	run -2 --separate-stderr pp-train --no-registry -m ols -t y -o m.ppm "$F" --targets-like
	assert_equal "$stderr" 'pp-train: option --targets-like needs an argument'
}
