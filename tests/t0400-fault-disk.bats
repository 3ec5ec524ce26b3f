#!/usr/bin/env bats
# t0400: what the programs that write leave behind when the disk fills
# up, fsync or rename fails, or memory runs out (tests/helpers/fault.so).
#
# Plan:
#   - each writer is first run clean with PP_FAULT_COUNT, which says how
#     many bytes it writes and how many allocations it makes; then again
#     with writes failing (ENOSPC, and EIO) after N bytes, for N swept
#     across that output (0, 1, a few sizes, fractions, the last byte):
#   - -o files (pp-features CSV, pp cat -B binary, pp-train's model
#     artifact): exit 1, one line naming the file, and nothing left in the
#     directory: no output, no temp file;
#   - fsync or rename failing: the same;
#   - the registry (pp-registry run start/end, pp-train --register) and
#     the market store (pp-fetch --store): exit 0 or 1 with one line;
#     afterwards PRAGMA integrity_check is ok, everything committed before
#     is still there, and what a run reported as done is there;
#   - pp-serve's prediction log (PP_FAULT_PATH: its sockets and pipes
#     must work): the answers are sent, the rows of a failed write are
#     dropped whole (the log stays a frame), one line says how many, and
#     the server exits 1 when stopped;
#   - memory: every allocation of a small pipeline (pp-features -o) fails
#     in turn: exit 0 or 1, never a signal, one line, no file left when it
#     failed; pp-train sampled every few allocations the same way.
# Under ASan the shim cannot load (the ASan runtime must be the first
# library and owns malloc): the file skips, saying so.

load helpers/common

setup() {
	common_setup
	FAULT=${PP_BUILD:-build}/tests/helpers/fault.so
	case $FAULT in /*) ;; *) FAULT=$PP_TOP/$FAULT ;; esac
	case ${PP_BUILD:-} in
	*asan*)	skip "fault.so cannot be preloaded under ASan: its runtime must come first and owns malloc" ;;
	esac
	[ -f "$FAULT" ] || fail "no $FAULT (make all builds it)"
	mkdir "$T/out"
}

teardown() {
	if declare -F serve_teardown >/dev/null; then
		serve_teardown
	fi
}

# count CMD...: run CMD clean under the shim; set BYTES and ALLOCS.
count() {
	rm -f "$T/count"
	PP_FAULT_COUNT="$T/count" LD_PRELOAD="$FAULT" "$@" >/dev/null ||
	    fail "clean run failed: $*"
	read -r BYTES ALLOCS <"$T/count"
}

# points TOTAL: where to cut a write of TOTAL bytes.
points() {
	local t=$1
	printf '%s\n' 0 1 2 7 64 511 4096 $((t / 3)) $((t / 2)) \
	    $((t * 9 / 10)) $((t - 1)) | awk -v t="$t" '$1 < t' | sort -nu
}

# assert_clean_failure FILE: status 1, one line on stderr naming FILE,
# nothing left in $T/out.
assert_clean_failure() {
	[ "$status" -eq 1 ] || fail "status $status, want 1 (stderr: $stderr)"
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "not one line: $stderr"
	[[ $stderr == *"$1"* ]] || fail "does not name $1: $stderr"
	[ -z "$(ls -A "$T/out")" ] || fail "left behind: $(ls -A "$T/out")"
}

@test "-o CSV: a full disk or an I/O error at any byte leaves no file" {
	local n e
	count pp-features -F testdata/features-spec.txt -o "$T/out/f.csv" \
	    testdata/features-prices.csv
	rm -f "$T/out/f.csv"
	[ "$BYTES" -gt 10000 ] || fail "only $BYTES bytes written"
	for e in ENOSPC EIO; do
		for n in $(points "$BYTES"); do
			run --separate-stderr env PP_FAULT_BYTES="$n" \
			    PP_FAULT_ERRNO="$e" LD_PRELOAD="$FAULT" \
			    pp-features -F testdata/features-spec.txt \
			    -o "$T/out/f.csv" testdata/features-prices.csv
			assert_clean_failure "$T/out/f.csv"
		done
	done
	[[ $stderr == "pp-features: $T/out/f.csv: write error: Input/output error" ]] ||
	    fail "$stderr"
}

@test "-o binary frame: a full disk at any byte leaves no file" {
	local n
	count pp cat -B --compress -o "$T/out/c.ppf" testdata/features-prices.csv
	rm -f "$T/out/c.ppf"
	for n in $(points "$BYTES"); do
		run --separate-stderr env PP_FAULT_BYTES="$n" LD_PRELOAD="$FAULT" \
		    pp cat -B --compress -o "$T/out/c.ppf" \
		    testdata/features-prices.csv
		assert_clean_failure "$T/out/c.ppf"
	done
}

@test "-o: a failing fsync or rename leaves no file" {
	local v
	for v in PP_FAULT_FSYNC PP_FAULT_RENAME; do
		run --separate-stderr env "$v=1" LD_PRELOAD="$FAULT" \
		    pp-features -f r='logret(close)' -o "$T/out/f.csv" \
		    testdata/features-prices.csv
		assert_clean_failure "$T/out/f.csv"
	done
}

@test "pp-train -o: a full disk while writing the model leaves no model" {
	local n
	count pp-train -q -m ridge -t y --features f1,f2,f3 --no-registry \
	    -o "$T/out/m.ppm" testdata/train-small.csv
	rm -f "$T/out/m.ppm"
	for n in $(points "$BYTES"); do
		run --separate-stderr env PP_FAULT_BYTES="$n" LD_PRELOAD="$FAULT" \
		    pp-train -q -m ridge -t y --features f1,f2,f3 --no-registry \
		    -o "$T/out/m.ppm" testdata/train-small.csv
		assert_clean_failure "$T/out/m.ppm"
	done
}

# assert_registry DB ID...: integrity ok and every run ID present.
assert_registry() {
	local db=$1 id
	shift
	[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] ||
	    fail "$db: integrity_check: $(sqlite3 "$db" 'PRAGMA integrity_check')"
	for id in "$@"; do
		[ "$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE run_id = '$id'")" = 1 ] ||
		    fail "run $id lost"
	done
}

# assert_prefixed PROG: every line of stderr is PROG's (an error, and
# maybe the warning that the run could not be marked FAILED either).
assert_prefixed() {
	local l
	for l in "${stderr_lines[@]}"; do
		[[ $l == "$1: "* ]] || fail "not $1's: $stderr"
	done
}

@test "the registry keeps every committed run when the disk fills" {
	local db=$T/reg.db n first id ids=() ok=1
	export PP_REGISTRY=$db
	first=$(pp-registry run start -e fault --param a=1) || fail "start"
	pp-registry run end "$first" --metric m=1 || fail "end"
	count pp-train -q -m ridge -t y --features f1,f2,f3 -e fault \
	    --register fm -o "$T/m.ppm" testdata/train-small.csv
	for n in $(points "$BYTES"); do
		run --separate-stderr env PP_FAULT_BYTES="$n" LD_PRELOAD="$FAULT" \
		    pp-train -q -m ridge -t y --features f1,f2,f3 -e fault \
		    --register fm -o "$T/out/m.ppm" testdata/train-small.csv
		[ "$status" -le 1 ] || fail "status $status: $stderr"
		if [ "$status" -eq 0 ]; then
			ok=$((ok + 1))
		else
			assert_prefixed pp-train
			[ -z "$(ls -A "$T/out")" ] || fail "left $(ls -A "$T/out")"
		fi
		rm -f "$T/out/m.ppm"
		assert_registry "$db" "$first"
		# A failed run registers nothing; a finished one, one version.
		[ "$(sqlite3 "$db" "SELECT count(*) FROM model_versions WHERE name = 'fm'")" = "$ok" ] ||
		    fail "after $n bytes: versions of fm are not the $ok runs that finished"
		run --separate-stderr env PP_FAULT_BYTES="$n" LD_PRELOAD="$FAULT" \
		    pp-registry run start -e fault --param b=2
		[ "$status" -le 1 ] || fail "status $status: $stderr"
		if [ "$status" -eq 0 ]; then
			ids+=("$output")
		else
			[ "${#stderr_lines[@]}" -eq 1 ] || fail "$stderr"
		fi
		assert_registry "$db" "$first" "${ids[@]}"
	done
}

@test "the market store keeps what it held when the disk fills" {
	local db=$T/market.db n
	run -0 --separate-stderr pp-fetch synth --symbols AAA --start 2024-01-01 \
	    --end 2024-03-29 --seed 1 --store "$db"
	run -0 --separate-stderr pp-fetch store "$db" -o "$T/before.csv"
	pp-fetch synth --symbols BBB,CCC --start 2024-01-01 --end 2024-06-28 \
	    --seed 2 -o "$T/more.csv" || fail "synth"
	count pp-fetch file "$T/more.csv" --store "$db"
	run -0 --separate-stderr pp-fetch store "$db" -o "$T/all.csv"
	rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
	run -0 --separate-stderr pp-fetch synth --symbols AAA --start 2024-01-01 \
	    --end 2024-03-29 --seed 1 --store "$db"
	for n in $(points "$BYTES"); do
		run --separate-stderr env PP_FAULT_BYTES="$n" LD_PRELOAD="$FAULT" \
		    pp-fetch file "$T/more.csv" --store "$db"
		[ "$status" -le 1 ] || fail "status $status: $stderr"
		[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] ||
		    fail "integrity_check after $n bytes"
		run -0 --separate-stderr pp-fetch store "$db" -o "$T/now.csv"
		# All or nothing: the store holds the old bars, or all of them.
		cmp -s "$T/now.csv" "$T/before.csv" || cmp -s "$T/now.csv" "$T/all.csv" ||
		    fail "after $n bytes the store holds part of the load"
	done
}

# sweep_malloc STEP CMD...: fail allocation 1, 1+STEP, ... of CMD, in a
# script of its own (bats traces every command of a test: a loop of
# hundreds of runs would take minutes).  It prints a line for every
# allocation that ended otherwise than exit 0, or exit 1 with one line
# and nothing left in $T/out.
sweep_malloc() {
	local step=$1
	shift
	count "$@"
	rm -f "$T"/out/*
	cat >"$T/sweep.sh" <<-'EOF'
	step=$1 n=$2 out=$3 fault=$4
	shift 4
	for ((i = 1; i <= n; i += step)); do
		PP_FAULT_MALLOC=$i LD_PRELOAD=$fault "$@" >/dev/null 2>"$out.err"
		rc=$?
		if [ "$rc" -gt 1 ]; then
			echo "allocation $i: status $rc: $(head -c 200 "$out.err")"
		elif [ "$rc" -eq 1 ] && [ "$(wc -l <"$out.err")" -ne 1 ]; then
			echo "allocation $i: not one line: $(head -c 200 "$out.err")"
		elif [ "$rc" -eq 1 ] && [ -n "$(ls -A "$out")" ]; then
			echo "allocation $i: left $(ls -A "$out")"
		fi
		rm -f "$out"/*
	done
	EOF
	run -0 bash "$T/sweep.sh" "$step" "$ALLOCS" "$T/out" "$FAULT" "$@"
	[ -z "$output" ] || fail "$output"
}

@test "out of memory at any allocation of pp-features is a clean error" {
	head -40 testdata/features-prices.csv >"$T/small.csv"
	sweep_malloc 1 pp-features -f r='logret(close)' -f s='sma(close,3)' \
	    -o "$T/out/f.csv" "$T/small.csv"
	run --separate-stderr env PP_FAULT_MALLOC=40 LD_PRELOAD="$FAULT" \
	    pp-features -f r='logret(close)' -o "$T/out/f.csv" "$T/small.csv"
	[[ $stderr == "pp-features: out of memory allocating "*" bytes" ]] ||
	    fail "$stderr"
}

@test "out of memory in pp-train is a clean error" {
	sweep_malloc 3 pp-train -q -m ridge -t y --features f1,f2,f3 --no-registry \
	    -o "$T/out/m.ppm" testdata/train-small.csv
	# With the registry (thousands of SQLite allocations), sampled.
	sweep_malloc 97 pp-train -q -m ridge -t y --features f1,f2,f3 \
	    --registry "$T/reg.db" -e oom --register om -o "$T/out/m.ppm" \
	    testdata/train-small.csv
	[ "$(sqlite3 "$T/reg.db" 'PRAGMA integrity_check')" = ok ] ||
	    fail "integrity_check"
	[ "$(sqlite3 "$T/reg.db" "SELECT count(*) FROM model_versions v JOIN runs r USING (run_id) WHERE r.status != 'FINISHED'")" = 0 ] ||
	    fail "a version of a run that did not finish"
}

@test "pp-serve: a full disk drops whole rows of the prediction log, says so, exits 1" {
	load helpers/serve
	cd testdata
	PP_FAULT_PATH="$T/p.csv" PP_FAULT_BYTES=150 LD_PRELOAD="$FAULT" \
	    serve_start -m ridge=model-ridge-v1.ppm --log-predictions "$T/p.csv"
	run -0 http POST /v1/models/ridge:predict -d '{"instances":[[1,2,3],[4,5,6]]}'
	assert_line --index 1 200
	run -0 http POST /v1/models/ridge:predict -d '{"instances":[[7,8,9]]}'
	assert_line --index 1 200
	serve_stop
	[ "$STATUS" -eq 1 ] || fail "exit status $STATUS"
	run -0 cat "$SERR"
	assert_line --index 1 "pp-serve: $T/p.csv: 3 predictions not logged: No space left on device"
	run -0 --separate-stderr pp cat "$T/p.csv"
	assert_output "time,model,version,role,f1,f2,f3,prediction"
}
