#!/usr/bin/env bats
# t7610: a narrowed runs listing (a filter, a limit) picks its metric
# columns from the listed runs' rows in one statement; a listing of the
# whole scope finds them with a statement of their own.  When the filter
# lists every run, the two must print the same bytes, however many keys
# the runs have, whichever runs lack a key, and whatever the values.
# Runs on both backends (run-tests' build:pg pass too).
#
# Plan:
#   - 6 runs, 20 metric keys: some on every run, some on half, some on
#     one; a run with no metrics; NaN and infinities: --filter matching
#     every run prints what the unfiltered listing prints, in csv and
#     json, and with --order-by a metric on a few runs only
#   - --limit lists the newest runs with the columns of those alone

load helpers/common

setup() {
	common_setup
	cd "$T"
	use_registry "$T/reg.db"
	export USER=tester
	pp-registry init >/dev/null
	local i k m n
	for i in 0 1 2 3 4 5; do
		m=() n=0
		if [ "$i" != 5 ]; then
			for k in a b c d e f g h i j; do m+=(--metric "$k=$i.$((n++))@0"); done
		fi
		if [ $((i % 2)) = 0 ]; then
			for k in k l m n o p q r; do m+=(--metric "$k=$i@1"); done
		fi
		[ "$i" != 1 ] || m+=(--metric "s=nan" --metric "t=inf" --metric "u=-inf" --metric "v=1e-300")
		[ "$i" != 4 ] || m+=(--metric "s=2.5" --metric "t=-0.0")
		id=$(pp-registry run start -e x --name "r$i")
		pp-registry run end "$id" "${m[@]}"
		sleep 0.01
	done
}

@test "a filter listing every run prints what the whole listing prints" {
	local f
	for f in csv json; do
		run -0 pp-registry runs -e x --format "$f"
		whole=$output
		[[ $whole == *metrics.a* ]] || fail "no common metric: $whole"
		[[ $whole == *metrics.k* ]] || fail "no half-held metric: $whole"
		[[ $whole != *metrics.s* ]] || fail "a metric of one run listed: $whole"
		run -0 pp-registry runs -e x --filter "attributes.status = 'FINISHED'" --format "$f"
		assert_output "$whole"
		run -0 pp-registry runs -e x --order-by metrics.s --format "$f"
		whole=$output
		[[ $whole == *metrics.s* ]] || fail "--order-by's column missing: $whole"
		run -0 pp-registry runs -e x --filter "attributes.status = 'FINISHED'" --order-by metrics.s --format "$f"
		assert_output "$whole"
	done
}

@test "--limit lists the newest runs with the columns of those alone" {
	run -0 pp-registry runs -e x --limit 2 --format csv
	assert_line --index 0 "run_id,experiment,name,status,start_time,end_time,user,metrics.a,metrics.b,metrics.c,metrics.d,metrics.e,metrics.f,metrics.g,metrics.h,metrics.i,metrics.j,metrics.k,metrics.l,metrics.m,metrics.n,metrics.o,metrics.p,metrics.q,metrics.r,metrics.s,metrics.t"
	assert_equal "${#lines[@]}" 3
	[[ ${lines[1]} == *,r5,* ]] || fail "newest first: ${lines[1]}"
	[[ ${lines[2]} == *,r4,*,4.9,4,4,4,4,4,4,4,4,2.5,* ]] || fail "r4's values: ${lines[2]}"
}
