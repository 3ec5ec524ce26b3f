#!/usr/bin/env bats
# t0130: pp cat and frame metadata (pp-frame(5) version 2).
#
# Plan:
#  - --set-meta writes pairs into a binary frame; --meta prints them all,
#    --get-meta one value as it is; a later --set-meta of a key replaces it.
#  - The pairs travel: pp cat -B of a frame with metadata keeps them,
#    --strip-meta drops them (keeping those set on the same command line),
#    CSV output carries none and the rows are unchanged.
#  - A CSV input has no metadata: --meta prints nothing.
#  - Usage errors (exit 2): --set-meta without '=', with an empty key, to
#    CSV output, missing its argument; --get-meta without a key, with -B,
#    with two inputs; --meta with --get-meta.  A key the frame lacks is a
#    data error (exit 1) naming it.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup() {
	T=$BATS_TEST_TMPDIR
	printf 'symbol,date,close\nA,2024-01-02,1.5\nB,2024-01-02,2\n' >"$T/p.csv"
}

@test "--set-meta writes pairs; --meta and --get-meta read them" {
	pp cat -B --set-meta a=1 --set-meta 'b=x=y' --set-meta a=3 \
	    -o "$T/f.ppf" "$T/p.csv"
	run -0 --separate-stderr pp cat --meta "$T/f.ppf"
	[ "$output" = $'a=3\nb=x=y' ]
	[ "$stderr" = "" ]
	run -0 --separate-stderr pp cat --get-meta b "$T/f.ppf"
	[ "$output" = "x=y" ]
	run -0 --separate-stderr pp cat --get-meta a - <"$T/f.ppf"
	[ "$output" = "3" ]
}

@test "metadata passes through pp cat -B; --strip-meta drops it; CSV has none" {
	pp cat -B --set-meta a=1 -o "$T/f.ppf" "$T/p.csv"
	pp cat -B --set-meta b=2 -o "$T/g.ppf" "$T/f.ppf"
	run -0 --separate-stderr pp cat --meta "$T/g.ppf"
	[ "$output" = $'a=1\nb=2' ]
	pp cat -B --strip-meta --set-meta c=3 -o "$T/h.ppf" "$T/g.ppf"
	run -0 --separate-stderr pp cat --meta "$T/h.ppf"
	[ "$output" = "c=3" ]
	pp cat -o "$T/back.csv" "$T/g.ppf"
	diff -u "$T/p.csv" "$T/back.csv"
	run -0 --separate-stderr pp cat --meta "$T/back.csv"
	[ "$output" = "" ]
	[ "$stderr" = "" ]
}

@test "a key the frame lacks is an error naming it" {
	pp cat -B -o "$T/f.ppf" "$T/p.csv"
	run -1 --separate-stderr pp cat --get-meta pp.spec "$T/f.ppf"
	assert_output ""
	[ "$stderr" = "pp: $T/f.ppf: no metadata \"pp.spec\"" ]
}

@test "usage errors: --set-meta, --get-meta, --meta" {
	run -2 --separate-stderr pp cat -B --set-meta novalue "$T/p.csv"
	assert_output ""
	[ "$stderr" = 'pp: --set-meta: expected KEY=VALUE, got "novalue"' ]
	run -2 --separate-stderr pp cat -B --set-meta =v "$T/p.csv"
	[ "$stderr" = 'pp: --set-meta: empty metadata key' ]
	run -2 --separate-stderr pp cat --set-meta k=v "$T/p.csv"
	[ "$stderr" = 'pp: --set-meta: CSV cannot carry metadata; write a binary frame with -B' ]
	run -2 --separate-stderr pp cat -B --set-meta
	[ "$stderr" = "pp: option --set-meta needs an argument" ]
	run -2 --separate-stderr pp cat --get-meta
	[ "$stderr" = "pp: option --get-meta needs an argument" ]
	run -2 --separate-stderr pp cat -B --get-meta k "$T/p.csv"
	[ "$stderr" = "pp: --meta and --get-meta print the metadata; they convert nothing" ]
	run -2 --separate-stderr pp cat --meta --get-meta k "$T/p.csv"
	[ "$stderr" = "pp: --meta and --get-meta exclude each other" ]
	run -2 --separate-stderr pp cat --meta "$T/p.csv" "$T/p.csv"
	[ "$stderr" = "pp: --meta and --get-meta read one frame" ]
	run -2 --separate-stderr pp cat --meta=x "$T/p.csv"
	[ "$stderr" = "pp: option --meta takes no argument" ]
}
