"""pp_fanout: the daily pipeline fanned out by symbol over N shards.

    fetch[0..N-1] -> features[0..N-1] -> merge -> train -> evaluate -> promote

fetch and features are mapped tasks (dynamic task mapping, .expand): task
instance I of N fetches only the symbols of shard I (pp-fetch --shard I/N,
FNV-1a 64 of the symbol mod N, see pp(1)) and computes their per-symbol
features, so the N instances run on as many workers at once.  merge joins
the shards (pp cat, then pp sort: byte for byte what one machine would
have made) and only then computes the cross-sectional features: cs_* and
ref() need every symbol of a date, so they must never run per shard.
train, evaluate and promote then run once, as in pp_daily.py.  Both
mapped tasks are expanded over the same list, so features[I] reads what
fetch[I] wrote; Airflow starts features[I] once every fetch instance is
done (a mapped task group would chain them shard by shard, at the cost of
TaskFlow code).

Set up:
- the Airflow Variable pp_registry (or the workers' environment variable
  AIRFLOW_VAR_PP_REGISTRY) holds the registry's URL: on several machines
  a server database, postgresql://pp@db.example/pp (with the password in
  ~/.pgpass or PGPASSWORD, not in the URL); on one machine a SQLite path,
  /srv/pp/pp.db, works too.  Only train, evaluate and promote write to it:
  the mapped tasks touch files alone.
- $PP_FANOUT_DIR must be one directory every worker sees (a shared
  volume): the shards' frames pass through it to merge.
- SHARDS below is N.  Shards are binary frames (-B): a shard that holds
  no symbol is then a frame without rows that pp cat still joins.

A retried train (same ds, same input) gets the same run id and version
back (--idempotency-key); promote exits 3 when the champion stays, which
skip_on_exit_code makes a skip.  Needs Airflow 2.6 or newer (mapped
BashOperators, skip_on_exit_code).

tests/helpers/dagrun.py runs these tasks in order without Airflow
(tests/t9140-example-airflow-fanout.bats), mapped instances one by one;
keep bash_command strings built from string constants and +, and the
expand list a comprehension over range(SHARDS).
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

SHARDS = 4
DAY = "$PP_FANOUT_DIR/{{ ds }}"
PART = DAY + "/shard-{{ ti.map_index }}"
RUN = "{{ ti.xcom_pull(task_ids='train') }}"
REGISTRY = {"PP_REGISTRY": "{{ var.value.pp_registry }}"}

with DAG(
    dag_id="pp_fanout",
    description="fetch and features per symbol shard, merge, train, "
    "evaluate, promote",
    schedule="30 22 * * 1-5",
    start_date=datetime(2026, 1, 5),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["pattern-pursuit"],
) as dag:
    fetch = BashOperator.partial(
        task_id="fetch",
        bash_command="mkdir -p " + PART + " && "
        "pp-fetch ${PP_FETCH:-http --provider stooq} "
        "--symbols ${PP_SYMBOLS:-AAPL.US,MSFT.US,GOOGL.US,AMZN.US,"
        "META.US,NVDA.US,JPM.US,XOM.US} "
        "--start {{ macros.ds_add(ds, -1100) }} --end {{ ds }} "
        "--shard $PP_SHARD -B -o " + PART + "/prices.ppf",
        append_env=True,
        do_xcom_push=False,
    ).expand(env=[{"PP_SHARD": "%d/%d" % (i, SHARDS)}
                  for i in range(SHARDS)])
    # Per-symbol features only: indicators and targets of one symbol.
    features = BashOperator.partial(
        task_id="features",
        bash_command="pp-features -f 'r1=logret(close,1)' "
        "-f 'r5=logret(close,5)' -f 'r20=logret(close,20)' "
        "-t 'y=lead(logret(close,1),1)' --dropna -B "
        "-o " + PART + "/features.ppf " + PART + "/prices.ppf",
        append_env=True,
        do_xcom_push=False,
    ).expand(env=[{"PP_SHARD": "%d/%d" % (i, SHARDS)}
                  for i in range(SHARDS)])
    # Every symbol of a date together again: now cs_* and ref() may run.
    merge = BashOperator(
        task_id="merge",
        bash_command="set -o pipefail; "
        "pp cat -B " + DAY + "/shard-*/features.ppf | "
        "pp sort -B -o " + DAY + "/merged.ppf && "
        "pp-features -f 'rk5=cs_rank(r5)' -B "
        "-o " + DAY + "/features.ppf " + DAY + "/merged.ppf",
        do_xcom_push=False,
    )
    train = BashOperator(
        task_id="train",
        bash_command="pp-train -q -m ridge --target y --standardize "
        "--test-frac 0.2 -e fanout --run-name 'fanout {{ ds }}' "
        "--tag ds={{ ds }} --tag dag=pp_fanout --tag shards=" + str(SHARDS)
        + " --register pp-fanout --idempotency-key {{ ds }} "
        "--print-run-id -o " + DAY + "/model.ppm " + DAY + "/features.ppf",
        env=REGISTRY,
        append_env=True,
    )
    evaluate = BashOperator(
        task_id="evaluate",
        bash_command="pp-predict -m " + DAY + "/model.ppm "
        "-o " + DAY + "/predictions.csv " + DAY + "/features.ppf && "
        "pp-eval backtest --ret y --ret-log --cost-bps 5 --run " + RUN + " "
        "-o " + DAY + "/backtest.csv " + DAY + "/predictions.csv",
        env=REGISTRY,
        append_env=True,
        do_xcom_push=False,
    )
    promote = BashOperator(
        task_id="promote",
        bash_command="pp-registry alias pp-fanout champion latest "
        "--if-better metrics.test_rmse",
        env=REGISTRY,
        append_env=True,
        skip_on_exit_code=3,
        do_xcom_push=False,
    )

    fetch >> features >> merge >> train >> evaluate >> promote
