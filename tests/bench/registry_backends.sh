#!/bin/bash
# registry_backends.sh BIN_DIR OUT_DIR - the registry on SQLite and on
# PostgreSQL, side by side (issue 20's figures):
#
#   1. runs logged per second by 8 writers at once: each writer is a loop
#      of `pp-registry run start` (10 params) and `run end` (50 metrics),
#      RUNS runs each (default 50), so a run costs two processes
#   2. `runs --filter` with metric, param, tag and attribute conditions
#      over 100,000 runs (3 params, 5 metrics, 2 tags each): target under
#      200 ms on both; best and median of 5, the whole process timed
#      (and again with --columns, which names the columns instead of
#      finding the metrics most listed runs have: one statement less)
#   3. alias moves per second under contention: 8 processes each moving
#      one alias MOVES times (default 50) between versions
#
# PostgreSQL is a throwaway server (tests/helpers/pgserver.bash: a Unix
# socket, fsync off, as SQLite's synchronous=NORMAL does not sync each
# commit either); skipped, saying so, without PostgreSQL's binaries.  The
# 100,000 runs are loaded with SQL (sqlite3, psql): the search is timed,
# not the loading.  PostgreSQL's load ends with VACUUM ANALYZE: its
# autovacuum would vacuum the tables on its own within a minute of such a
# batch (the insert threshold), marking their pages all-visible as the
# index-only scans of schema 3 need; done here, the timing does not
# depend on whether the autovacuum worker has got there yet, nor race it.
# Prints one line per measure and backend and writes
# OUT_DIR/registry_backends.txt.
set -eu
bin=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
out=$(cd "$out" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$bin:$PATH
RUNS=${RUNS:-50}
MOVES=${MOVES:-50}
work=$(mktemp -d)
unset PP_PG_DIR
. "$top/tests/helpers/pgserver.bash"
trap '[ -z "${PP_PG_DIR:-}" ] || pg_stop; rm -rf "$work"' EXIT

now_ns() { date +%s%N; }

time5() {
	for i in 1 2 3 4 5; do
		t0=$(now_ns)
		"$@" >/dev/null
		t1=$(now_ns)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{ t[NR] = $1 } END { printf "%.1f %.1f\n", t[1] / 1000, t[3] / 1000 }'
}

cat >"$work/writer.sh" <<'W'
p=() m=()
for k in 0 1 2 3 4 5 6 7 8 9; do p+=(--param "p$k=w$1"); done
for ((k = 0; k < 50; k++)); do m+=(--metric "m$k=$k.5@$k"); done
for ((i = 0; i < $2; i++)); do
	id=$(pp-registry run start -e conc --name "w$1-$i" "${p[@]}") || exit 1
	pp-registry run end "$id" "${m[@]}" || exit 1
done
W
cat >"$work/mover.sh" <<'M'
for ((i = 0; i < $2; i++)); do
	pp-registry alias m champion $(((i + $1) % 4 + 1)) || exit 1
done
M

# per_second REGISTRY SCRIPT N: 8 copies of SCRIPT at once; prints the
# operations per second (8 * N in the elapsed time).
per_second() {
	local t0 t1 w pids=()
	t0=$(now_ns)
	for w in 1 2 3 4 5 6 7 8; do
		PP_REGISTRY=$1 bash "$2" "$w" "$3" &
		pids+=($!)
	done
	for w in "${pids[@]}"; do wait "$w"; done
	t1=$(now_ns)
	awk -v n=$((8 * $3)) -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f\n", n / (ns / 1e9) }'
}

# A model m with 4 versions, for the movers.
models() {
	local id
	id=$(pp-registry --registry "$1" run start -e models)
	printf x >"$work/a"
	pp-registry --registry "$1" artifact put "$id" "$work/a" --name a
	for v in 1 2 3 4; do
		pp-registry --registry "$1" register m "runs:/$id/a" >/dev/null
	done
}

sqlite_load() {
	sqlite3 "$1" <<'SQL'
BEGIN;
INSERT INTO experiments (experiment_id, name, creation_time) VALUES (100, 'bench', 1700000000000);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
INSERT INTO runs (run_id, experiment_id, name, status, start_time, end_time, user, last_update)
SELECT printf('%032x', i), 100, 'run' || i,
       CASE i % 4 WHEN 0 THEN 'FAILED' ELSE 'FINISHED' END,
       1700000000000 + i * 1000, 1700000000000 + i * 1000 + 500, 'bench', 1700000000000
FROM n;
INSERT INTO params SELECT run_id, 'model', CASE abs(random()) % 3 WHEN 0 THEN 'ridge' WHEN 1 THEN 'lasso' ELSE 'gbm' END FROM runs WHERE experiment_id = 100;
INSERT INTO params SELECT run_id, 'alpha', abs(random()) % 100 FROM runs WHERE experiment_id = 100;
INSERT INTO params SELECT run_id, 'window', 20 FROM runs WHERE experiment_id = 100;
INSERT INTO tags SELECT run_id, 'env', CASE abs(random()) % 2 WHEN 0 THEN 'dev' ELSE 'prod' END FROM runs WHERE experiment_id = 100;
INSERT INTO tags SELECT run_id, 'owner', 'team' FROM runs WHERE experiment_id = 100;
WITH k(key) AS (VALUES ('rmse'), ('mae'), ('r2'), ('hit'), ('sharpe'))
INSERT INTO latest_metrics SELECT run_id, key, abs(random() % 1000000) / 10000000.0, 0, 1700000000000 FROM runs, k WHERE experiment_id = 100;
COMMIT;
ANALYZE;
SQL
}

pg_load() {
	psql -XAtq -v ON_ERROR_STOP=1 "$1" >/dev/null <<'SQL'
BEGIN;
INSERT INTO experiments (experiment_id, name, creation_time) VALUES (100, 'bench', 1700000000000);
INSERT INTO runs (run_id, experiment_id, name, status, start_time, end_time, "user", last_update)
SELECT lpad(to_hex(i), 32, '0'), 100, 'run' || i,
       CASE i % 4 WHEN 0 THEN 'FAILED' ELSE 'FINISHED' END,
       1700000000000 + i * 1000::bigint, 1700000000000 + i * 1000::bigint + 500, 'bench', 1700000000000
FROM generate_series(0, 99999) AS i;
INSERT INTO params SELECT run_id, 'model', (ARRAY['ridge', 'lasso', 'gbm'])[1 + floor(random() * 3)::int] FROM runs WHERE experiment_id = 100;
INSERT INTO params SELECT run_id, 'alpha', floor(random() * 100)::int::text FROM runs WHERE experiment_id = 100;
INSERT INTO params SELECT run_id, 'window', '20' FROM runs WHERE experiment_id = 100;
INSERT INTO tags SELECT run_id, 'env', CASE WHEN random() < 0.5 THEN 'dev' ELSE 'prod' END FROM runs WHERE experiment_id = 100;
INSERT INTO tags SELECT run_id, 'owner', 'team' FROM runs WHERE experiment_id = 100;
INSERT INTO latest_metrics SELECT run_id, k, floor(random() * 1000000) / 10000000.0, 0, 1700000000000
FROM runs, unnest(ARRAY['rmse', 'mae', 'r2', 'hit', 'sharpe']) AS k WHERE experiment_id = 100;
COMMIT;
VACUUM ANALYZE;
SQL
}

filter="metrics.rmse < 0.02 and params.model = 'ridge' and tags.env != 'dev' and attributes.status = 'FINISHED'"

# measure NAME REGISTRY LOADER
measure() {
	local runs_s moves_s q_ms c_ms matched
	pp-registry --registry "$2" init
	runs_s=$(per_second "$2" "$work/writer.sh" "$RUNS")
	models "$2"
	moves_s=$(per_second "$2" "$work/mover.sh" "$MOVES")
	"$3" "$2"
	q_ms=$(time5 pp-registry --registry "$2" runs -e bench --filter "$filter" --format csv)
	c_ms=$(time5 pp-registry --registry "$2" runs -e bench --filter "$filter" --columns metrics.rmse --format csv)
	matched=$(pp-registry --registry "$2" runs -e bench --filter "$filter" --format csv | tail -n +2 | wc -l)
	echo "registry $1: runs logged per second, 8 writers x $RUNS runs (10 params, 50 metrics): $runs_s"
	echo "registry $1: alias moves per second, 8 processes x $MOVES moves of one alias: $moves_s"
	echo "registry $1: runs -e bench --filter over 100000 runs ($matched matched): best ${q_ms% *} ms, median ${q_ms#* } ms (target < 200 ms)"
	echo "registry $1: the same with --columns metrics.rmse (columns named, not found): best ${c_ms% *} ms, median ${c_ms#* } ms"
}

# The server is started here, not in the block below, which is a
# subshell (the pipe to tee): the trap stops it.
pg_ok=
if pg_available && pg_start >"$work/pg.log" 2>&1; then
	pg_ok=yes
fi
{
	echo "registry_backends: load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) processors"
	measure sqlite "$work/reg.db" sqlite_load
	if [ -n "$pg_ok" ]; then
		measure postgresql "$(pg_registry_url bench)" pg_load
	else
		echo "registry postgresql: skipped: no PostgreSQL binaries in $PP_PG_BIN"
	fi
} | tee "$out/registry_backends.txt"
