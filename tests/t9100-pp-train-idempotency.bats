#!/usr/bin/env bats
# t9100: pp-train --idempotency-key, for a scheduler that retries a task.
#
# Plan:
#   rerun         the same key on the same input: no second run or version;
#                 the earlier run id on stdout (--print-run-id), its model
#                 byte for byte in -o, its version reported, one line that
#                 says so; -q keeps stderr empty
#   tagged        the run carries tag idempotency_key
#   new input     the same key on other bytes trains a new run and version
#   other key     another key trains anew; so does another experiment
#   not reused    a FAILED or deleted run with the key is not reused
#   register      a rerun adding --register registers the earlier run once
#   refused       a pipe (no digest before training), --no-registry, an
#                 empty key: exit 2; stdin redirected from a file is a file

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	cd "$BATS_TEST_TMPDIR"
	export PP_REGISTRY="$BATS_TEST_TMPDIR/pp.db"
	cp "$BATS_TEST_DIRNAME/../testdata/train-small.csv" small.csv
}

# train KEY [ARGS...]: a daily training with key KEY on small.csv
train() {
	local key=$1
	shift
	pp-train -m ridge -t y --exclude cls -e daily --idempotency-key "$key" \
	    --print-run-id "$@" small.csv
}

# count SQL: one number from the registry
count() {
	sqlite3 pp.db "$1"
}

@test "a rerun with the same key and input reuses the run, model and version" {
	run -0 --separate-stderr train 2026-12-01 --register m -o m1.ppm
	first=$output
	assert_line --regexp '^[0-9a-f]{32}$'
	run -0 --separate-stderr train 2026-12-01 --register m -o m2.ppm
	assert_output "$first"
	assert_equal "$stderr" "pp-train: idempotency key \"2026-12-01\": reusing run $first, made before from the same input
pp-train: registered model \"m\" version 1"
	cmp m1.ppm m2.ppm
	assert_equal "$(count 'SELECT count(*) FROM runs')" 1
	assert_equal "$(count 'SELECT count(*) FROM model_versions')" 1
	assert_equal "$(count "SELECT value FROM tags WHERE key = 'idempotency_key'")" 2026-12-01
	run -0 --separate-stderr train 2026-12-01 --register m -o m3.ppm -q
	assert_output "$first"
	assert_equal "$stderr" ''
}

@test "other bytes, another key or another experiment train anew" {
	run -0 --separate-stderr train k --register m -o m.ppm
	first=$output
	head -n 150 small.csv >part.csv
	mv part.csv small.csv
	run -0 --separate-stderr train k --register m -o m.ppm
	refute_output "$first"
	[[ $stderr == *'registered model "m" version 2'* ]] || fail "$stderr"
	second=$output
	run -0 --separate-stderr train k2 --register m -o m.ppm
	refute_output "$second"
	run -0 --separate-stderr pp-train -m ridge -t y --exclude cls -e other --idempotency-key k --print-run-id -o m.ppm small.csv
	refute_output "$second"
	assert_equal "$(count 'SELECT count(*) FROM runs')" 4
	assert_equal "$(count 'SELECT count(*) FROM model_versions')" 3
}

@test "a failed or deleted run with the key is not reused" {
	run -0 --separate-stderr train k -o m.ppm
	first=$output
	sqlite3 pp.db "UPDATE runs SET status = 'FAILED'"
	run -0 --separate-stderr train k -o m.ppm
	refute_output "$first"
	second=$output
	pp-registry delete "$second"
	run -0 --separate-stderr train k -o m.ppm
	refute_output "$second"
	refute_output "$first"
}

@test "a rerun that adds --register registers the earlier run once" {
	run -0 --separate-stderr train k -o m.ppm
	first=$output
	run -0 --separate-stderr train k --register m -o m.ppm
	assert_output "$first"
	run -0 --separate-stderr train k --register m -o m.ppm
	assert_output "$first"
	assert_equal "$(count "SELECT group_concat(version || ':' || run_id) FROM model_versions")" "1:$first"
}

@test "a pipe, --no-registry and an empty key are refused" {
	run -2 --separate-stderr pp-train -m ridge -t y --exclude cls --idempotency-key k -o m.ppm < <(cat small.csv)
	assert_equal "$stderr" 'pp-train: --idempotency-key: the input must be a file, not a pipe: its SHA-256 is needed before training'
	run -2 --separate-stderr pp-train -m ridge -t y --exclude cls --idempotency-key k --no-registry -o m.ppm small.csv
	assert_equal "$stderr" 'pp-train: --idempotency-key needs the registry: not with --no-registry'
	run -2 --separate-stderr pp-train -m ridge -t y --exclude cls --idempotency-key '' -o m.ppm small.csv
	assert_equal "$stderr" 'pp-train: --idempotency-key: empty key'
	[ ! -e m.ppm ]
	[ ! -e pp.db ]
}

@test "stdin redirected from a file is hashed first, so the key works" {
	run -0 --separate-stderr pp-train -m ridge -t y --exclude cls --idempotency-key k --print-run-id -o m.ppm <small.csv
	first=$output
	run -0 --separate-stderr pp-train -m ridge -t y --exclude cls --idempotency-key k --print-run-id -o m.ppm <small.csv
	assert_output "$first"
}
