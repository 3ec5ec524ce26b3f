#!/usr/bin/env bats
# t7200: pp-registry under concurrency, crashes, hostile input and files
# that are not registries.
#
# Plan:
#   - 8 processes at once each log 250 runs of 10 params and 50 metrics
#     (25 runs each under ASan, where a process start costs ten times as
#     much, and on PostgreSQL; tests/unit/test_registry.c and
#     test_registry_pg.c run the full load in-process): every row is
#     there, no process failed, and PRAGMA integrity_check is ok
#   - a writer killed with SIGKILL mid-batch (stopped there by
#     tests/helpers/stall.so, not by a timer) leaves none of the batch,
#     everything committed before it, a consistent file, and a run that
#     `runs --stale` finds and --mark-failed fails
#   - SQL in names, keys, values, filters and model names is stored and
#     matched verbatim, never executed
#   - a random file, a CSV, another program's SQLite file, an empty file,
#     a directory and a FIFO are refused in one line; a newer schema is
#     refused; a read-only registry can still be read, also on read-only
#     media (a tmpfs remounted read-only when run as root, else a
#     directory without write permission), where a writer fails
#   - run-tests' build:pg pass runs the writers, --stale-after, the
#     hostile input and the newer schema again on PostgreSQL; the
#     SIGKILL test (its shim stops sqlite3_step) and the tests about
#     files are SQLite's only

load helpers/common

setup() {
	common_setup
	cd "$T"
	use_registry "$T/pp.db"
	export USER=tester
}

# writer.sh W N: log N runs of 10 params and 50 metrics as worker W.  A
# script of its own, run by bash, so bats' per-command tracing does not
# slow the loop down.
make_writer() {
	cat >writer.sh <<-'EOF'
	w=$1 n=$2 p=() m=()
	for k in 0 1 2 3 4 5 6 7 8 9; do p+=(--param "p$k=w$w"); done
	for ((k = 0; k < 50; k++)); do m+=(--metric "m$k=$k.5@$k"); done
	for ((i = 0; i < n; i++)); do
		id=$(pp-registry run start -e conc --name "w$w-$i" "${p[@]}") || exit 1
		pp-registry run end "$id" "${m[@]}" || exit 1
	done
	EOF
}

@test "8 concurrent writers lose nothing and fail nothing" {
	local n=250 w pids=()
	case ${PP_BUILD:-} in *asan*) n=25 ;; esac
	# A process on PostgreSQL costs a connection and a round trip a
	# statement: 25 runs each there, as under ASan (8 x 250 took 100 s
	# on 2 loaded processors); tests/unit/test_registry_pg.c (through
	# t7400) logs the full 8 x 250 load on the server.
	[ "${PP_TEST_REGISTRY_BACKEND:-}" != pg ] || n=25
	run -0 pp-registry init
	make_writer
	for w in 1 2 3 4 5 6 7 8; do
		bash writer.sh "$w" "$n" >"out$w" 2>"err$w" &
		pids+=($!)
	done
	for w in 0 1 2 3 4 5 6 7; do
		wait "${pids[w]}" || fail "writer $((w + 1)) failed: $(cat "err$((w + 1))")"
	done
	for w in 1 2 3 4 5 6 7 8; do
		[ ! -s "err$w" ] || fail "writer $w: $(cat "err$w")"
	done
	run -0 registry_sql "SELECT (SELECT count(*) FROM runs WHERE status = 'FINISHED'),
		(SELECT count(*) FROM params), (SELECT count(*) FROM metrics),
		(SELECT count(*) FROM latest_metrics), (SELECT count(DISTINCT name) FROM runs)"
	assert_output "$((8 * n))|$((80 * n))|$((400 * n))|$((400 * n))|$((8 * n))"
	# A server checks its foreign keys itself.
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" != pg ]; then
		run -0 sqlite3 pp.db 'PRAGMA integrity_check; PRAGMA foreign_key_check'
		assert_output ok
	fi
}

@test "a writer killed with SIGKILL loses nothing committed" {
	skip_on_pg "tests/helpers/stall.so stops sqlite3_step"
	sleep 60 &
	owner=$!
	run -0 --separate-stderr pp-registry run start -e k --pid "$owner" --param a=1
	id=$output
	run -0 pp-registry run log "$id" --metric before=1
	awk 'BEGIN { print "key,value,step"; for (i = 0; i < 30000; i++) print "m" (i % 7) "," i "," i }' >big.csv
	# The writer stops itself after 20000 statements, inside the one
	# transaction of the batch, tells us through the FIFO, and is killed
	# there (tests/helpers/stall.c): mid-write on any machine.
	mkfifo stalled
	PP_STALL_STEPS=20000 PP_STALL_FIFO=stalled \
	    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    LD_PRELOAD="$PP_BUILD/tests/helpers/stall.so" \
	    pp-registry run log "$id" --metrics-file big.csv 2>/dev/null &
	victim=$!
	read -r -t 60 word <stalled
	assert_equal "$word" stalled
	kill -9 "$victim"
	status=0
	wait "$victim" || status=$?
	assert_equal "$status" 137
	run -0 sqlite3 pp.db "SELECT count(*) FROM metrics WHERE key != 'before';
		SELECT count(*) FROM metrics WHERE key = 'before';
		SELECT count(*) FROM params; PRAGMA integrity_check"
	assert_output $'0\n1\n1\nok'
	run -0 --separate-stderr pp-registry runs --stale --format csv
	[ "${#lines[@]}" = 1 ]	# the owner still lives
	kill "$owner"
	wait "$owner" || true
	run -0 --separate-stderr pp-registry runs --stale --mark-failed --format csv
	assert_line --index 1 --regexp "^$id,k,,RUNNING,"
	run -0 --separate-stderr pp-registry runs --format csv
	assert_line --index 1 --regexp "^$id,k,,FAILED,"
	run -0 --separate-stderr pp-registry runs --stale --format csv
	[ "${#lines[@]}" = 1 ]
	run -0 pp-registry run log "$id" --metric after=2
}

@test "runs --stale-after finds silent runs; option errors" {
	run -0 --separate-stderr pp-registry run start -e s --pid $$
	id=$output
	run -0 registry_sql "UPDATE runs SET last_update = last_update - 7200000"
	run -0 --separate-stderr pp-registry runs --stale --format csv
	[ "${#lines[@]}" = 1 ]
	run -0 --separate-stderr pp-registry runs --stale --stale-after 3600 --format csv
	assert_line --index 1 --regexp "^$id,s,"
	run -2 --separate-stderr pp-registry runs --stale-after 10
	[ "$stderr" = 'pp-registry: --stale-after needs --stale' ]
	run -2 --separate-stderr pp-registry runs --mark-failed
	[ "$stderr" = 'pp-registry: --mark-failed needs --stale' ]
	run -2 --separate-stderr pp-registry runs --stale --stale-after soon
	[ "$stderr" = 'pp-registry: --stale-after: bad value "soon": want a whole number from 1 to 9223372036854775' ]
	run -2 --separate-stderr pp-registry runs --stale --stale-after
	[ "$stderr" = 'pp-registry: option --stale-after needs an argument' ]
}

@test "SQL in names, keys, values and filters is data, never code" {
	evil="x'); DROP TABLE runs; --"
	run -0 --separate-stderr pp-registry run start -e "$evil" --name "$evil" \
		--param "$evil=$evil" --tag "k=\"; DELETE FROM params; --" --metric "$evil=1"
	id=$output
	run -0 --separate-stderr pp-registry runs --filter "params.\`$evil\` = 'x\\' OR 1=1'" --format csv
	[ "${#lines[@]}" = 1 ]
	run -0 --separate-stderr pp-registry runs --filter "params.\`$evil\` = \"$evil\"" --format csv
	assert_line --index 1 --regexp "^$id,"
	run -0 --separate-stderr pp-registry runs --filter "experiment = \"$evil\" and metrics.\`$evil\` = 1" --format csv
	assert_line --index 1 --regexp "^$id,"
	run -2 --separate-stderr pp-registry runs --filter "params.a = 'x' OR 1=1 --"
	[ "$stderr" = "pp-registry: filter: offset 18: expected a key such as metrics.rmse at \"1=1 --\"" ]
	run -2 --separate-stderr pp-registry runs --filter "params.a = 'x'; DROP TABLE runs"
	[ "$stderr" = "pp-registry: filter: offset 14: unexpected character at \"; DROP TABLE runs\"" ]
	echo m >m.bin
	run -0 pp-registry artifact put "$id" m.bin --name "$evil"
	run -0 --separate-stderr pp-registry register "m'; DROP TABLE registered_models; --" "runs:/$id/$evil"
	assert_output 1
	run -0 --separate-stderr pp-registry export --format json -o out.json
	run -0 python3 -c '
import json, sys
evil = sys.argv[1]
d = json.load(open("out.json"))
kinds = {(r["kind"], r["key"], r["value"]) for r in d}
assert d[0]["experiment"] == evil and d[0]["run_name"] == evil, d[0]
assert ("param", evil, evil) in kinds, kinds
assert ("tag", "k", "\"; DELETE FROM params; --") in kinds, kinds
assert ("metric", evil, 1) in kinds, kinds
print("ok")' "$evil"
	assert_output ok
	run -0 registry_sql "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM params),
		(SELECT name FROM registered_models)"
	assert_output "1|1|m'; DROP TABLE registered_models; --"
}

@test "files that are not registries are refused in one line" {
	skip_on_pg "files"
	head -c 4096 /dev/urandom >random.bin
	printf 'date,close\n2024-01-02,1.5\n' >prices.csv
	sqlite3 other.db 'CREATE TABLE t (a); INSERT INTO t VALUES (1)'
	: >empty.db
	mkdir dir.db
	for f in random.bin prices.csv other.db; do
		run -1 --separate-stderr pp-registry runs --registry "$f"
		[ "$stderr" = "pp-registry: $f: not a registry" ] || fail "$f: $stderr"
		run -1 --separate-stderr pp-registry run start -e x --registry "$f"
		[ "$stderr" = "pp-registry: $f: not a registry" ] || fail "$f: $stderr"
	done
	cmp prices.csv - <<<$'date,close\n2024-01-02,1.5'
	run -1 --separate-stderr pp-registry runs --registry empty.db
	[ "$stderr" = 'pp-registry: empty.db: not a registry (empty file)' ]
	run -1 --separate-stderr pp-registry runs --registry dir.db
	[ "$stderr" = 'pp-registry: dir.db: Is a directory' ]
	run -0 --separate-stderr pp-registry init --registry empty.db
	# A FIFO hung every program that opened it as a registry.
	mkfifo fifo.db
	run -1 --separate-stderr timeout 10 pp-registry runs --registry fifo.db
	[ "$stderr" = 'pp-registry: fifo.db: not a regular file' ]
	run -1 --separate-stderr timeout 10 pp-registry run start -e x --registry fifo.db
	[ "$stderr" = 'pp-registry: fifo.db: not a regular file' ]
}

@test "a newer schema is refused, not guessed at" {
	run -0 pp-registry init
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		run -0 registry_sql 'UPDATE pp_schema SET version = 99'
	else
		run -0 sqlite3 pp.db 'PRAGMA user_version = 99'
	fi
	run -1 --separate-stderr pp-registry runs
	[ "$stderr" = "pp-registry: $PP_REGISTRY: registry schema version 99 is newer than this program knows (3)" ]
	run -1 --separate-stderr pp-registry run start -e x
	[ "$stderr" = "pp-registry: $PP_REGISTRY: registry schema version 99 is newer than this program knows (3)" ]
}

@test "a read-only registry can still be read" {
	skip_on_pg "file modes"
	mkdir ro
	run -0 --separate-stderr pp-registry run start -e e --name r --registry ro/pp.db --metric m=1
	id=$output
	chmod 444 ro/pp.db
	chmod 555 ro
	run -0 --separate-stderr pp-registry runs --registry ro/pp.db --format csv
	assert_line --index 1 --regexp "^$id,e,r,RUNNING,"
	run -0 --separate-stderr pp-registry show "$id" --registry ro/pp.db --format csv
	assert_line 'metric,m,1'
	chmod 755 ro
}

teardown() {
	if [ -n "${RO_MOUNT:-}" ]; then
		umount "$RO_MOUNT" || true
	fi
}

@test "a registry on read-only media is read; a writer fails in one line" {
	skip_on_pg "read-only media"
	# The reader of a WAL file creates its -shm file; where it could not,
	# nothing could be read ("unable to open database file").
	mkdir media
	if [ "$(id -u)" -eq 0 ]; then
		mount -t tmpfs tmpfs media || skip "cannot mount a tmpfs"
		RO_MOUNT=$BATS_TEST_TMPDIR/media
	fi
	run -0 --separate-stderr pp-registry run start -e e --name r --registry media/pp.db --metric m=1
	id=$output
	[ ! -e media/pp.db-shm ]
	if [ -n "${RO_MOUNT:-}" ]; then
		mount -o remount,ro media
	else
		chmod 555 media
	fi
	run -0 --separate-stderr pp-registry runs --registry media/pp.db --format csv
	assert_line --index 1 --regexp "^$id,e,r,RUNNING,"
	[ "$stderr" = '' ]
	run -0 --separate-stderr pp-registry show "$id" --registry media/pp.db --format csv
	assert_line 'metric,m,1'
	run -1 --separate-stderr pp-registry run end "$id" --registry media/pp.db
	if [ -n "${RO_MOUNT:-}" ]; then
		[ "$stderr" = "pp-registry: media/pp.db: cannot write: Read-only file system" ]
	else
		[ "$stderr" = "pp-registry: media/pp.db: cannot write its directory: Permission denied" ]
	fi
	if [ -z "${RO_MOUNT:-}" ]; then
		chmod 755 media
	fi
}
