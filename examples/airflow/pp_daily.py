"""pp_daily: Pattern Pursuit's daily pipeline as an Airflow DAG.

    fetch -> features -> train -> evaluate -> drift -> promote

Every task is a BashOperator running pp programs.  The day's files are in
$PP_DAILY_DIR/{{ ds }} and the registry is $PP_REGISTRY: set both in the
workers' environment (the programs read PP_REGISTRY themselves).

- train prints the new run's id as its last line, which BashOperator
  pushes to XCom; evaluate and drift log their scores to that run
  (pp-eval --run).  A retried train (same ds, same input) gets the same
  run id and model version back, not a second one: --idempotency-key.
- drift exits 3 when the data drift; skip_on_exit_code makes that a
  skipped task, not a failed one, and promote (all_success) is skipped
  with it: nothing is promoted on data that moved.
- promote moves the alias pp-daily@champion to the latest version only
  when its test_rmse beats the champion's, and exits 3 when the champion
  is kept: skipped too.  max_active_runs=1 keeps "latest" this run's
  version and the registry, one SQLite file, to one writer.

Needs Airflow 2.6 or newer (skip_on_exit_code).

tests/helpers/dagrun.py runs these tasks in order without Airflow
(tests/t9120-airflow-dag.bats); keep bash_command strings built from
string constants and + so it can read them.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

DAY = "$PP_DAILY_DIR/{{ ds }}"
RUN = "{{ ti.xcom_pull(task_ids='train') }}"

with DAG(
    dag_id="pp_daily",
    description="fetch, features, train, evaluate, drift, promote",
    schedule="30 22 * * 1-5",
    start_date=datetime(2026, 1, 5),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["pattern-pursuit"],
) as dag:
    fetch = BashOperator(
        task_id="fetch",
        bash_command="mkdir -p " + DAY + " && "
        "pp-fetch ${PP_FETCH:-http --provider stooq} "
        "--symbols ${PP_SYMBOLS:-AAPL.US,MSFT.US,GOOGL.US,AMZN.US} "
        "--start {{ macros.ds_add(ds, -1100) }} --end {{ ds }} "
        "-o " + DAY + "/prices.csv",
        do_xcom_push=False,
    )
    features = BashOperator(
        task_id="features",
        bash_command="pp-features -f 'r1=logret(close,1)' "
        "-f 'r5=logret(close,5)' -f 'r20=logret(close,20)' "
        "-t 'y=lead(logret(close,1),1)' --dropna -B "
        "-o " + DAY + "/features.ppf " + DAY + "/prices.csv",
        do_xcom_push=False,
    )
    train = BashOperator(
        task_id="train",
        bash_command="pp-train -q -m ridge --target y --standardize "
        "--test-frac 0.2 -e daily --run-name 'daily {{ ds }}' "
        "--tag ds={{ ds }} --tag dag=pp_daily --register pp-daily "
        "--idempotency-key {{ ds }} --print-run-id "
        "-o " + DAY + "/model.ppm " + DAY + "/features.ppf",
    )
    evaluate = BashOperator(
        task_id="evaluate",
        bash_command="pp-predict -m " + DAY + "/model.ppm "
        "-o " + DAY + "/predictions.csv " + DAY + "/features.ppf && "
        "pp-eval backtest --ret y --ret-log --cost-bps 5 --run " + RUN + " "
        "-o " + DAY + "/backtest.csv " + DAY + "/predictions.csv",
        do_xcom_push=False,
    )
    drift = BashOperator(
        task_id="drift",
        bash_command="pp-eval drift --columns r1,r5 "
        "--psi-max ${PP_PSI_MAX:-0.25} --ks-alpha ${PP_KS_ALPHA:-0.01} "
        "--split-date {{ macros.ds_add(ds, -90) }} --run " + RUN + " "
        "-o " + DAY + "/drift.csv " + DAY + "/features.ppf",
        skip_on_exit_code=3,
        do_xcom_push=False,
    )
    promote = BashOperator(
        task_id="promote",
        bash_command="pp-registry alias pp-daily champion latest "
        "--if-better metrics.test_rmse",
        skip_on_exit_code=3,
        do_xcom_push=False,
    )

    fetch >> features >> train >> evaluate >> drift >> promote
