#!/usr/bin/env bats
# t9130: fan-out by symbol: N workers each fetch and compute features for
# their shard, and the merge (pp cat, then pp sort) is the unsharded run.
#
# Plan, for N in 1, 3 and 7, on 12 synthetic symbols (every shard holds
# at least one of them, checked):
#   - pp-fetch synth --shard I/N for every I: every symbol is in exactly
#     one shard; pp cat of the N frames, then pp sort, equals pp sort of
#     the unsharded fetch byte for byte (as CSV)
#   - pp-features (per-symbol indicators and a lead target) on each shard,
#     merged, equals pp-features of the unsharded frame, sorted: the rows
#     byte for byte (as CSV), pp.spec and pp.horizon (pp.producer records
#     each worker's own command line); and CSV all the way, for N = 3
#   - pp shard of a binary feature frame: the merge is the sorted frame
#     byte for byte, metadata included
#   - the caveat the docs state: cs_rank computed after the merge equals the
#     unsharded run; computed on the shards it does not

load helpers/common

FEATS=(-f 'r1=logret(close,1)' -f 'rsi14=rsi(close,14)' -f 'v20=ewm_std(logret(close,1),20)'
    -t 'y=lead(logret(close,1),1)')

setup() {
	common_setup
	syms=$(seq -f 'S%03g' 0 11 | paste -sd,)
	span=(--start 2023-01-02 --end 2023-12-29 --seed 11)
	pp-fetch synth --symbols "$syms" "${span[@]}" -o "$T/all.csv"
	pp sort -o "$T/all.sorted.csv" "$T/all.csv"
	pp-features "${FEATS[@]}" -o "$T/feat.csv" "$T/all.csv"
	pp sort -o "$T/feat.sorted.csv" "$T/feat.csv"
}

@test "pp-fetch --shard, then pp-features per shard: the merge is the unsharded run" {
	pp-features "${FEATS[@]}" -B -o "$T/feat.ppf" "$T/all.csv"
	for n in 1 3 7; do
		bars=() feats=()
		for ((k = 0; k < n; k++)); do
			run -0 --separate-stderr pp-fetch synth --symbols "$syms" \
			    "${span[@]}" --shard "$k/$n" -B -o "$T/bars$k.ppf"
			run -0 --separate-stderr pp-features "${FEATS[@]}" -B \
			    -o "$T/f$k.ppf" "$T/bars$k.ppf"
			bars+=("$T/bars$k.ppf")
			feats+=("$T/f$k.ppf")
		done
		# The bars: every symbol in exactly one shard, none empty, and
		# merged they are the unsharded fetch, byte for byte (as CSV).
		: >"$T/syms"
		for b in "${bars[@]}"; do
			pp cat --select symbol -o "$T/s.csv" "$b"
			[ "$(wc -l <"$T/s.csv")" -gt 1 ] || fail "a shard of $n is empty"
			tail -n +2 "$T/s.csv" | sort -u >>"$T/syms"
		done
		assert_equal "$(sort "$T/syms" | paste -sd,)" "$syms"
		pp cat -o "$T/cat.csv" "${bars[@]}"
		pp sort -o "$T/merged.csv" "$T/cat.csv"
		cmp "$T/all.sorted.csv" "$T/merged.csv"
		# The features: the rows, pp.spec and pp.horizon.
		pp cat -B -o "$T/cat.ppf" "${feats[@]}"
		run -0 --separate-stderr pp sort -B -o "$T/merged.ppf" "$T/cat.ppf"
		pp cat -o "$T/merged.csv" "$T/merged.ppf"
		cmp "$T/feat.sorted.csv" "$T/merged.csv"
		for key in pp.spec pp.horizon; do
			run -0 pp cat --get-meta "$key" "$T/feat.ppf"
			want=$output
			run -0 pp cat --get-meta "$key" "$T/merged.ppf"
			[ "$output" = "$want" ] || fail "$key differs for $n shards"
		done
	done
}

@test "CSV all the way: 3 shards fetched and featured as CSV, merged" {
	parts=()
	for k in 0 1 2; do
		pp-fetch synth --symbols "$syms" "${span[@]}" --shard "$k/3" -o "$T/bars$k.csv"
		run -0 --separate-stderr pp-features "${FEATS[@]}" -o "$T/f$k.csv" "$T/bars$k.csv"
		parts+=("$T/f$k.csv")
	done
	pp cat -o "$T/cat.csv" "${parts[@]}"
	run -0 --separate-stderr pp sort -o "$T/merged.csv" "$T/cat.csv"
	cmp "$T/feat.sorted.csv" "$T/merged.csv"
}

@test "pp shard of a binary frame: the merge is the sorted frame, metadata and all" {
	pp-features "${FEATS[@]}" -B -o "$T/feat.ppf" "$T/all.csv"
	pp sort -B -o "$T/feat.sorted.ppf" "$T/feat.ppf"
	for n in 1 3 7; do
		parts=()
		for ((k = 0; k < n; k++)); do
			run -0 --separate-stderr pp shard -B -o "$T/s$k.ppf" "$k/$n" "$T/feat.ppf"
			parts+=("$T/s$k.ppf")
		done
		pp cat -B -o "$T/cat.ppf" "${parts[@]}"
		pp sort -B -o "$T/merged.ppf" "$T/cat.ppf"
		cmp "$T/feat.sorted.ppf" "$T/merged.ppf"
	done
}

@test "cs_rank needs every symbol of a date: after the merge, not on shards" {
	pp-features -f 'rk=cs_rank(logret(close,1))' -o "$T/rank.csv" "$T/all.sorted.csv"
	parts=()
	for k in 0 1 2; do
		pp shard -o "$T/s$k.csv" "$k/3" "$T/all.sorted.csv"
		pp-features -f 'rk=cs_rank(logret(close,1))' -o "$T/r$k.csv" "$T/s$k.csv"
		parts+=("$T/r$k.csv")
	done
	pp cat -o "$T/cat.csv" "${parts[@]}"
	pp sort -o "$T/on-shards.csv" "$T/cat.csv"
	run -1 cmp -s "$T/rank.csv" "$T/on-shards.csv"
	pp cat -o "$T/bars.csv" "$T/s0.csv" "$T/s1.csv" "$T/s2.csv"
	pp sort -o "$T/merged.csv" "$T/bars.csv"
	run -0 --separate-stderr pp-features -f 'rk=cs_rank(logret(close,1))' -o "$T/after.csv" "$T/merged.csv"
	cmp "$T/rank.csv" "$T/after.csv"
}
