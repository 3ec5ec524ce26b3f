#!/bin/sh
# registry.sh BIN_DIR OUT_DIR - the registry's two performance targets.
#
#   1. log 100,000 metric rows in one run, batched (one `run log
#      --metrics-file`, one transaction): target under 1 s
#   2. `runs --filter` with metric, param, tag and attribute conditions over
#      10,000 runs (each with 3 params, 5 metrics, 2 tags): target under
#      100 ms
#
# Each is timed as the whole pp-registry process (start, open, work, exit),
# best and median of 5.  The 10,000 runs are loaded with sqlite3(1) in one
# transaction, since what is measured is the search, not the loading.
# Prints one line per measure and writes OUT_DIR/registry.txt.
set -eu
bin=$(cd "$1" && pwd)
out=$2
mkdir -p "$out"
out=$(cd "$out" && pwd)
reg="$bin/pp-registry"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now_ns() { date +%s%N; }

# time5 CMD...: "best median" in ms of five runs.
time5() {
	for i in 1 2 3 4 5; do
		t0=$(now_ns)
		"$@" >/dev/null
		t1=$(now_ns)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{ t[NR] = $1 } END { printf "%.1f %.1f\n", t[1] / 1000, t[3] / 1000 }'
}

# 1. 100,000 metric rows, batched.
awk 'BEGIN { print "key,value,step"
	for (i = 0; i < 100000; i++) printf "m%d,%.6f,%d\n", i % 20, i / 7.0, i / 20 }' \
	>"$work/metrics.csv"
log_once() {
	rm -f "$work/log.db" "$work/log.db-wal" "$work/log.db-shm"
	id=$("$reg" --registry "$work/log.db" run start -e bench)
	t0=$(now_ns)
	"$reg" --registry "$work/log.db" run log "$id" --metrics-file "$work/metrics.csv"
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000))
}
log_ms=$(for i in 1 2 3 4 5; do log_once; done | sort -n |
	awk '{ t[NR] = $1 } END { printf "%.1f %.1f\n", t[1] / 1000, t[3] / 1000 }')
rows=$(sqlite3 "$work/log.db" 'SELECT count(*) FROM metrics')
[ "$rows" = 100000 ] || { echo "registry.sh: logged $rows rows, not 100000" >&2; exit 1; }

# 2. 10,000 runs, then a filter.
db="$work/runs.db"
"$reg" --registry "$db" init
sqlite3 "$db" <<'SQL'
BEGIN;
INSERT INTO experiments (experiment_id, name, creation_time) VALUES (1, 'bench', 1700000000000);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
INSERT INTO runs (run_id, experiment_id, name, status, start_time, end_time, user, last_update)
SELECT printf('%032x', i), 1, 'run' || i,
       CASE i % 4 WHEN 0 THEN 'FAILED' ELSE 'FINISHED' END,
       1700000000000 + i * 1000, 1700000000000 + i * 1000 + 500, 'bench', 1700000000000
FROM n;
INSERT INTO params SELECT run_id, 'model', CASE abs(random()) % 3 WHEN 0 THEN 'ridge' WHEN 1 THEN 'lasso' ELSE 'gbm' END FROM runs;
INSERT INTO params SELECT run_id, 'alpha', abs(random()) % 100 FROM runs;
INSERT INTO params SELECT run_id, 'window', 20 FROM runs;
INSERT INTO tags SELECT run_id, 'env', CASE abs(random()) % 2 WHEN 0 THEN 'dev' ELSE 'prod' END FROM runs;
INSERT INTO tags SELECT run_id, 'owner', 'team' FROM runs;
WITH k(key) AS (VALUES ('rmse'), ('mae'), ('r2'), ('hit'), ('sharpe'))
INSERT INTO metrics SELECT run_id, key, abs(random() % 1000000) / 10000000.0, 0, 1700000000000 FROM runs, k;
INSERT INTO latest_metrics SELECT run_id, key, value, step, timestamp FROM metrics;
COMMIT;
SQL
filter="metrics.rmse < 0.02 and params.model = 'ridge' and tags.env != 'dev' and attributes.status = 'FINISHED'"
q_ms=$(time5 "$reg" --registry "$db" runs --filter "$filter" --format csv)
matched=$("$reg" --registry "$db" runs --filter "$filter" --format csv | tail -n +2 | wc -l)
all_ms=$(time5 "$reg" --registry "$db" runs --format csv)

{
	echo "registry: log 100000 metric rows in one batched run: best ${log_ms% *} ms, median ${log_ms#* } ms (target < 1000 ms)"
	echo "registry: runs --filter over 10000 runs ($matched matched): best ${q_ms% *} ms, median ${q_ms#* } ms (target < 100 ms)"
	echo "registry: runs (no filter, all 10000 listed): best ${all_ms% *} ms, median ${all_ms#* } ms"
} | tee "$out/registry.txt"
