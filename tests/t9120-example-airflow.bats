#!/usr/bin/env bats
# t9120: examples/airflow/pp_daily.py, run by tests/helpers/dagrun.py (a
# test runner that executes the DAG's BashOperator commands in order; it
# is not Airflow, which Debian does not package).
#
# Plan:
#   the DAG      fetch -> features -> train -> evaluate -> drift -> promote,
#                read from the file without importing Airflow
#   a day        every task succeeds; train's XCom is the run id that
#                evaluate and drift log to; one version, @champion on it
#   retry        train run twice (a retried task) and the whole DAG run
#                again for the same ds: one run, one version, one XCom
#   drift        drift exits 3: drift and promote are skipped, not failed;
#                the DAG run does not fail; nothing promoted
#   second day   the champion is the better version: promote succeeded, or
#                was skipped (exit 3: kept)
#   failure      a failing fetch: fetch failed, the rest upstream_failed,
#                the runner exits 1 and nothing reaches the registry
#   the runner   refuses a template it does not know (exit 2), so a DAG
#                that needs more cannot pass here untested

load helpers/common

setup() {
	common_setup
	dag=$PP_TOP/examples/airflow/pp_daily.py
	dagrun=$PP_TOP/tests/helpers/dagrun.py
	export PP_DAILY_DIR=$T/daily PP_REGISTRY=$T/daily/pp.db \
	    PP_FETCH="synth --seed 7" PP_SYMBOLS=AAA,BBB,CCC
	export PP_PSI_MAX=1000 PP_KS_ALPHA=0
	mkdir -p "$PP_DAILY_DIR"
}

q() {
	sqlite3 "$PP_REGISTRY" "$1"
}

@test "the DAG's tasks, in dependency order" {
	run -0 python3 "$dagrun" "$dag" --ds 2026-11-30 --list
	assert_output 'fetch
features
train
evaluate
drift
promote'
}

@test "a day: every task succeeds; the run id goes through XCom" {
	run -0 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30
	run_id=$(q 'SELECT run_id FROM runs')
	assert_output "fetch success
features success
train success
train xcom $run_id
evaluate success
drift success
promote success"
	assert_equal "$(q "SELECT value FROM tags WHERE key = 'ds'")" 2026-11-30
	assert_equal "$(q "SELECT value FROM tags WHERE key = 'dag'")" pp_daily
	assert_equal "$(q "SELECT count(*) FROM latest_metrics WHERE run_id = '$run_id' AND key IN ('test_rmse', 'sharpe', 'r5.ks_pvalue')")" 3
	assert_equal "$(q "SELECT v.run_id FROM aliases a JOIN model_versions v USING (name, version) WHERE a.alias = 'champion'")" "$run_id"
}

@test "a retried train and a rerun of the day make one run and version" {
	run -0 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30 --retry train
	first=$(q 'SELECT run_id FROM runs')
	assert_line "train xcom $first"
	run -0 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30
	assert_line "train xcom $first"
	assert_line 'promote success'
	assert_equal "$(q 'SELECT count(*) FROM runs')" 1
	assert_equal "$(q 'SELECT count(*) FROM model_versions')" 1
}

@test "drift exits 3: drift and promote skipped, nothing promoted" {
	PP_PSI_MAX=0.01 PP_KS_ALPHA=0.5 run -0 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30
	assert_line 'evaluate success'
	assert_line 'drift skipped'
	assert_line 'promote skipped'
	assert_equal "$(q 'SELECT count(*) FROM model_versions')" 1
	assert_equal "$(q 'SELECT count(*) FROM aliases')" 0
}

@test "a second day: promoted when better, else promote skipped and the champion kept" {
	run -0 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-27
	run -0 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30
	champ=$(q "SELECT version FROM aliases WHERE alias = 'champion'")
	better=$(q "SELECT v.version FROM model_versions v JOIN latest_metrics m ON m.run_id = v.run_id AND m.key = 'test_rmse' ORDER BY m.value, v.version LIMIT 1")
	assert_equal "$champ" "$better"
	if [ "$champ" = 1 ]; then
		assert_line 'promote skipped'
	else
		assert_line 'promote success'
	fi
}

@test "a failing fetch: the rest upstream_failed, exit 1" {
	PP_FETCH="synth --seed x" run -1 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30
	assert_output 'fetch failed
features upstream_failed
train upstream_failed
evaluate upstream_failed
drift upstream_failed
promote upstream_failed'
	[ ! -e "$PP_REGISTRY" ]
}

@test "the runner refuses a template it does not know" {
	cat >"$T/dag.py" <<-'EOF2'
	from airflow.operators.bash import BashOperator
	a = BashOperator(task_id="a", bash_command="echo {{ next_ds }}")
	EOF2
	run -2 --separate-stderr python3 "$dagrun" "$T/dag.py" --ds 2026-11-30
	assert_equal "$stderr" 'dagrun: template {{ next_ds }}: not one this runner knows'
}
