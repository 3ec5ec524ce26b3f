#!/usr/bin/env bats
# t7510: examples/airflow/pp_fanout.py writing to a PostgreSQL registry,
# as its docstring tells a team on several machines to set it up.  Run by
# tests/helpers/dagrun.py (as t9140, which covers the DAG on SQLite) on
# the server of run-tests' build:pg pass; skipped, saying so, anywhere
# else.
#
# Plan:
#   - the Airflow Variable pp_registry (AIRFLOW_VAR_PP_REGISTRY) is a
#     postgresql:// URL: every shard, merge, train, evaluate and promote
#     succeed; the run (tag shards=4, test_rmse and sharpe from train and
#     evaluate), its version and @champion are in that database, and
#     nothing is written to ./pp.db
#   - train retried and the day rerun: still one run and one version
#     (--idempotency-key on the server)

load helpers/common

setup() {
	common_setup
	[ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ] ||
	    skip "PostgreSQL only: scripts/run-tests build:pg"
	dag=$PP_TOP/examples/airflow/pp_fanout.py
	dagrun=$PP_TOP/tests/helpers/dagrun.py
	use_registry
	# The Variable alone names the registry, as on a worker.
	export AIRFLOW_VAR_PP_REGISTRY=$PP_REGISTRY
	unset PP_REGISTRY
	export PP_FANOUT_DIR=$T/fanout PP_FETCH="synth --seed 7" \
	    PP_SYMBOLS=AAA,BBB,CCC,DDD,EEE,FFF,GGG
	mkdir -p "$PP_FANOUT_DIR" "$T/cwd"
	cd "$T/cwd"
}

q() {
	psql -XAtq -v ON_ERROR_STOP=1 "$AIRFLOW_VAR_PP_REGISTRY" -c "$1"
}

@test "a day of pp_fanout on a PostgreSQL registry, retried and rerun" {
	run -0 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30 --retry train
	run_id=$(q 'SELECT run_id FROM runs')
	assert_output "fetch[0] success
fetch[1] success
fetch[2] success
fetch[3] success
features[0] success
features[1] success
features[2] success
features[3] success
merge success
train success
train xcom $run_id
evaluate success
promote success"
	[ ! -e pp.db ]
	assert_equal "$(q "SELECT value FROM tags WHERE key = 'shards'")" 4
	assert_equal "$(q "SELECT count(*) FROM latest_metrics WHERE run_id = '$run_id' AND key IN ('test_rmse', 'sharpe')")" 2
	assert_equal "$(q "SELECT v.run_id FROM aliases a JOIN model_versions v USING (name, version) WHERE a.alias = 'champion'")" "$run_id"
	run -0 --separate-stderr pp-registry --registry "$AIRFLOW_VAR_PP_REGISTRY" runs -e fanout --format csv \
	    --filter "tags.shards = '4'" --columns metrics.test_rmse
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp "^$run_id,fanout,fanout 2026-11-30,FINISHED,.*,[0-9.e-]+$"
	run -0 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30
	assert_line "train xcom $run_id"
	assert_equal "$(q 'SELECT count(*) FROM runs')" 1
	assert_equal "$(q 'SELECT count(*) FROM model_versions')" 1
	[ ! -e pp.db ]
}
