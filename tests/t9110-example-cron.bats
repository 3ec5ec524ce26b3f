#!/usr/bin/env bats
# t9110: examples/cron/pp-daily.sh, the daily pipeline for cron.
#
# Plan:
#   a day        on synthetic bars: one run in experiment daily, tagged
#                with the date, one version of pp-daily, @champion on it,
#                the backtest and drift scores logged to the run, exit 0,
#                the day's files in PP_DAILY_DIR/DATE, a log of every step
#   twice        the same date again does the work once: still one run,
#                one version, the same champion and scores, exit 0
#   drift        data that drift (tight thresholds): exit 3, the run
#                trained and scored but not promoted
#   next day     a new date trains a new run and version; @champion moves
#                only if its test_rmse is better
#   locked       another holder of the lock: exit 75, nothing done
#   failure      a failing step (a bad source): exit 1, the log names the
#                step and holds the program's error
#   usage        a bad date: exit 2

load helpers/common

setup() {
	common_setup
	script=$PP_TOP/examples/cron/pp-daily.sh
	export PP_DAILY_DIR=$T/daily PP_FETCH="synth --seed 7" \
	    PP_SYMBOLS=AAA,BBB,CCC PP_HISTORY_DAYS=800
	# no drift unless a test asks for it
	export PP_PSI_MAX=1000 PP_KS_ALPHA=0
	unset PP_REGISTRY
	db=$PP_DAILY_DIR/pp.db
}

# q SQL: one answer from the registry
q() {
	sqlite3 "$db" "$1"
}

@test "a day: trained, registered, scored, promoted, logged" {
	run -0 --separate-stderr "$script" 2026-11-30
	assert_equal "$output" ''
	run_id=$(cat "$PP_DAILY_DIR/2026-11-30/run-id")
	assert_equal "$stderr" "pp-daily 2026-11-30: run $run_id: pp-daily@champion is its version"
	assert_equal "$(q 'SELECT count(*) FROM runs')" 1
	assert_equal "$(q "SELECT value FROM tags WHERE key = 'ds'")" 2026-11-30
	assert_equal "$(q "SELECT group_concat(version || ':' || run_id) FROM model_versions")" "1:$run_id"
	assert_equal "$(q "SELECT version FROM aliases WHERE alias = 'champion'")" 1
	assert_equal "$(q "SELECT count(*) FROM latest_metrics WHERE key IN ('test_rmse', 'sharpe', 'r1.psi')")" 3
	for f in prices.csv features.ppf model.ppm predictions.csv backtest.csv drift.csv; do
		[ -s "$PP_DAILY_DIR/2026-11-30/$f" ] || fail "$f missing"
	done
	for s in fetch features train predict evaluate drift promote; do
		grep -q "^[0-9T:-]*Z 2026-11-30: $s: " "$PP_DAILY_DIR/pp-daily.log" ||
		    fail "the log lacks step $s"
	done
}

@test "twice for one date: the work is done once" {
	run -0 --separate-stderr "$script" 2026-11-30
	first=$(q "SELECT run_id, value FROM latest_metrics WHERE key IN ('test_rmse', 'sharpe') ORDER BY key")
	run -0 --separate-stderr "$script" 2026-11-30
	assert_equal "$(q 'SELECT count(*) FROM runs')" 1
	assert_equal "$(q 'SELECT count(*) FROM model_versions')" 1
	assert_equal "$(q "SELECT version FROM aliases WHERE alias = 'champion'")" 1
	assert_equal "$(q "SELECT run_id, value FROM latest_metrics WHERE key IN ('test_rmse', 'sharpe') ORDER BY key")" "$first"
}

@test "drifting data: exit 3, scored and not promoted" {
	PP_PSI_MAX=0.01 PP_KS_ALPHA=0.5 run -3 --separate-stderr "$script" 2026-11-30
	run_id=$(cat "$PP_DAILY_DIR/2026-11-30/run-id")
	assert_equal "$stderr" "pp-daily 2026-11-30: the data drift (see $PP_DAILY_DIR/2026-11-30/drift.csv): run $run_id not promoted"
	assert_equal "$(q 'SELECT count(*) FROM model_versions')" 1
	assert_equal "$(q 'SELECT count(*) FROM aliases')" 0
	assert_equal "$(q "SELECT count(*) FROM latest_metrics WHERE key = 'r1.psi'")" 1
}

@test "the next day: a new run and version; the champion moves only if better" {
	run -0 --separate-stderr "$script" 2026-11-27
	run -0 --separate-stderr "$script" 2026-11-30
	assert_equal "$(q 'SELECT count(*) FROM runs')" 2
	assert_equal "$(q 'SELECT count(*) FROM model_versions')" 2
	better=$(q "SELECT v.version FROM model_versions v JOIN latest_metrics m ON m.run_id = v.run_id AND m.key = 'test_rmse' ORDER BY m.value, v.version LIMIT 1")
	assert_equal "$(q "SELECT version FROM aliases WHERE alias = 'champion'")" "$better"
}

@test "another run holds the lock: exit 75, nothing done" {
	mkdir -p "$PP_DAILY_DIR"
	exec 8>>"$PP_DAILY_DIR/pp-daily.lock"
	flock -n 8
	run -75 --separate-stderr "$script" 2026-11-30
	exec 8>&-
	assert_equal "$stderr" "pp-daily 2026-11-30: another pp-daily holds $PP_DAILY_DIR/pp-daily.lock: not started"
	[ ! -e "$db" ]
	[ ! -e "$PP_DAILY_DIR/2026-11-30/prices.csv" ]
}

@test "a failing step: exit 1, the log names it and holds the error" {
	PP_FETCH="synth --seed x" run -1 --separate-stderr "$script" 2026-11-30
	assert_equal "$stderr" "pp-daily 2026-11-30: fetch failed (exit 2): see $PP_DAILY_DIR/pp-daily.log"
	grep -q '^pp-fetch: ' "$PP_DAILY_DIR/pp-daily.log"
	[ ! -e "$db" ]
}

@test "a bad date: exit 2" {
	run -2 --separate-stderr "$script" 2026-13-45
	assert_equal "$stderr" 'pp-daily: bad date "2026-13-45"'
	run -2 --separate-stderr "$script" yesterday
	assert_equal "$stderr" 'pp-daily: bad date "yesterday": want YYYY-MM-DD'
}
