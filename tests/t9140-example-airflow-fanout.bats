#!/usr/bin/env bats
# t9140: examples/airflow/pp_fanout.py, the pipeline fanned out by symbol,
# run by tests/helpers/dagrun.py (a test runner, not Airflow, which Debian
# does not package): mapped tasks run one instance after another.
#
# Plan:
#   the DAG      fetch[4] -> features[4] -> merge -> train -> evaluate ->
#                promote, the first two mapped over the shards with .expand
#   a day        every instance and task succeeds; each symbol is fetched by
#                exactly one shard; the merged features (cs_rank after the
#                merge) are, row for row, the unsharded pipeline's; the
#                model trains on them; the run (tag shards=4), version and
#                @champion land in the registry named by the Airflow
#                Variable pp_registry (AIRFLOW_VAR_PP_REGISTRY, a SQLite path
#                here), not in ./pp.db
#   retry        train retried and the day rerun: one run, one version
#                (part of "a day")
#   failure      one shard's fetch fails: that instance failed, the others
#                succeeded, everything downstream upstream_failed, exit 1,
#                nothing in the registry
#   no Variable  without pp_registry, train fails (as Airflow fails to
#                render it) and nothing is written to ./pp.db
#   the runner   expand over a comprehension with "%" formatting, the
#                cross product of two expanded keywords, ti.map_index (-1
#                unmapped), a failed instance failing the mapped task; a
#                non-list expand is refused (exit 2)

load helpers/common

FEATS=(-f 'r1=logret(close,1)' -f 'r5=logret(close,5)' -f 'r20=logret(close,20)'
    -t 'y=lead(logret(close,1),1)' --dropna)

setup() {
	common_setup
	dag=$PP_TOP/examples/airflow/pp_fanout.py
	dagrun=$PP_TOP/tests/helpers/dagrun.py
	export PP_FANOUT_DIR=$T/fanout AIRFLOW_VAR_PP_REGISTRY=$T/registry/pp.db \
	    PP_FETCH="synth --seed 7" PP_SYMBOLS=AAA,BBB,CCC,DDD,EEE,FFF,GGG
	mkdir -p "$PP_FANOUT_DIR" "$T/registry" "$T/cwd"
	cd "$T/cwd"
}

q() {
	sqlite3 "$AIRFLOW_VAR_PP_REGISTRY" "$1"
}

@test "the DAG's tasks, in dependency order" {
	run -0 python3 "$dagrun" "$dag" --ds 2026-11-30 --list
	assert_output 'fetch
features
merge
train
evaluate
promote'
}

@test "a day: every shard, then merge, train, evaluate, promote; a retry and a rerun" {
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
	day=$PP_FANOUT_DIR/2026-11-30
	# Each symbol in exactly one shard.
	for k in 0 1 2 3; do
		pp cat --select symbol -o "$T/s$k.csv" "$day/shard-$k/prices.ppf"
		tail -n +2 "$T/s$k.csv" | sort -u
	done >"$T/syms"
	assert_equal "$(sort "$T/syms" | paste -sd,)" "$PP_SYMBOLS"
	# The merged features are the unsharded pipeline's, row for row.
	pp-fetch synth --seed 7 --symbols "$PP_SYMBOLS" --start 2023-11-26 --end 2026-11-30 -o "$T/all.csv"
	pp-features "${FEATS[@]}" -o "$T/f.csv" "$T/all.csv"
	pp sort -o "$T/sorted.csv" "$T/f.csv"
	pp-features -f 'rk5=cs_rank(r5)' -o "$T/want.csv" "$T/sorted.csv"
	pp cat -o "$T/got.csv" "$day/features.ppf"
	cmp "$T/want.csv" "$T/got.csv"
	run -0 pp-train --describe "$day/model.ppm"
	assert_line 'features: 4'
	assert_line --regexp '^rk5,'
	# train was retried (--retry) and the day runs again: one run, one
	# version (--idempotency-key)
	run -0 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30
	assert_line "train xcom $run_id"
	assert_equal "$(q 'SELECT count(*) FROM runs')" 1
	assert_equal "$(q 'SELECT count(*) FROM model_versions')" 1
}

@test "one shard's fetch fails: the rest of the day upstream_failed" {
	# A file where shard 2's directory must go: its mkdir fails.
	mkdir -p "$PP_FANOUT_DIR/2026-11-30"
	: >"$PP_FANOUT_DIR/2026-11-30/shard-2"
	run -1 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30
	assert_output 'fetch[0] success
fetch[1] success
fetch[2] failed
fetch[3] success
features upstream_failed
merge upstream_failed
train upstream_failed
evaluate upstream_failed
promote upstream_failed'
	[ ! -e "$AIRFLOW_VAR_PP_REGISTRY" ]
}

@test "without the pp_registry Variable train fails and ./pp.db stays absent" {
	unset AIRFLOW_VAR_PP_REGISTRY
	run -1 --separate-stderr python3 "$dagrun" "$dag" --ds 2026-11-30
	assert_line 'merge success'
	assert_line 'train failed'
	assert_line 'promote upstream_failed'
	[[ $stderr == *"dagrun: train: Variable pp_registry does not exist (set AIRFLOW_VAR_PP_REGISTRY)"* ]]
	[ ! -e pp.db ]
}

@test "the runner: expand lists, cross products, map_index, a failed instance" {
	cat >"$T/dag.py" <<-'EOF2'
	from airflow.operators.bash import BashOperator
	N = 3
	a = BashOperator.partial(task_id="a", bash_command="echo $S {{ ti.map_index }}",
	    append_env=True).expand(env=[{"S": "%d/%d" % (i, N)} for i in range(N)])
	b = BashOperator.partial(task_id="b", append_env=True).expand(
	    env=[{"X": "1"}, {"X": "2"}],
	    bash_command=["test ${X}{{ ti.map_index }} != 22", "true"])
	c = BashOperator(task_id="c", bash_command="echo {{ ti.map_index }}")
	a >> b >> c
	EOF2
	run -1 --separate-stderr python3 "$dagrun" "$T/dag.py" --ds 2026-11-30
	assert_output 'a[0] success
a[1] success
a[2] success
b[0] success
b[1] success
b[2] failed
b[3] success
c upstream_failed'
	[[ $stderr == *"0/3 0"*"1/3 1"*"2/3 2"* ]]
	sed -i 's/!= 22/!= 99/' "$T/dag.py"
	run -0 --separate-stderr python3 "$dagrun" "$T/dag.py" --ds 2026-11-30
	assert_line 'c success'
	assert_line 'c xcom -1'
	cat >"$T/bad.py" <<-'EOF2'
	from airflow.operators.bash import BashOperator
	a = BashOperator.partial(task_id="a", bash_command="true").expand(env={"S": "1"})
	EOF2
	run -2 --separate-stderr python3 "$dagrun" "$T/bad.py" --ds 2026-11-30
	assert_equal "$stderr" 'dagrun: a: expand(env=...) is not a list'
}
