#!/bin/sh
# pp-daily.sh - Pattern Pursuit's daily pipeline for cron:
#   fetch -> features -> train -> evaluate -> drift -> promote
#
# usage: pp-daily.sh [DATE]      (DATE: YYYY-MM-DD, default today in UTC)
#
# crontab(5), weekdays after the US close:
#   30 22 * * 1-5  PP_DAILY_DIR=/srv/pp-daily /usr/local/bin/pp-daily.sh
#
# Environment:
#   PP_DAILY_DIR     work directory (default $HOME/pp-daily): DATE/ holds
#                    the day's files, pp-daily.log the log, pp-daily.lock
#                    the lock
#   PP_REGISTRY      the registry (default $PP_DAILY_DIR/pp.db)
#   PP_FETCH         pp-fetch's source and options (default
#                    "http --provider stooq")
#   PP_SYMBOLS       symbols (default AAPL.US,MSFT.US,GOOGL.US,AMZN.US)
#   PP_HISTORY_DAYS  days of history to train on (default 1100)
#   PP_PSI_MAX, PP_KS_ALPHA
#                    drift thresholds (default 0.25 and 0.01)
#
# Exit status, for cron's mail or a monitor:
#   0   done: a model trained and scored, promoted or the champion kept
#   1   a step failed (the log names it and holds its error)
#   2   usage: a bad DATE or an unusable PP_DAILY_DIR
#   3   the data drift: the model is trained and scored, not promoted
#   75  another pp-daily.sh holds the lock: nothing done (EX_TEMPFAIL)
#
# Run twice for one DATE, it does the work once: pp-train's
# --idempotency-key DATE returns the first run and version when the
# input is the same, and the alias moves only to a better version.
# Every line of the log starts with the time and DATE; the programs'
# messages go to the log too, and the outcome also to stderr.
set -u

ds=${1:-$(date -u +%Y-%m-%d)}
dir=${PP_DAILY_DIR:-$HOME/pp-daily}
fetch=${PP_FETCH:-http --provider stooq}
symbols=${PP_SYMBOLS:-AAPL.US,MSFT.US,GOOGL.US,AMZN.US}
days=${PP_HISTORY_DAYS:-1100}

case $ds in
[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
*)	echo "pp-daily: bad date \"$ds\": want YYYY-MM-DD" >&2; exit 2 ;;
esac
start=$(date -u -d "$ds -$days days" +%Y-%m-%d 2>/dev/null) || {
	echo "pp-daily: bad date \"$ds\"" >&2; exit 2; }
split=$(date -u -d "$ds -90 days" +%Y-%m-%d)
mkdir -p "$dir/$ds" || { echo "pp-daily: cannot make $dir/$ds" >&2; exit 2; }
export PP_REGISTRY="${PP_REGISTRY:-$dir/pp.db}"
log=$dir/pp-daily.log
day=$dir/$ds

say() {
	printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$ds" "$*" >>"$log"
}

# The outcome: in the log and on stderr (cron mails it).
finish() {
	say "$2"
	echo "pp-daily $ds: $2" >&2
	exit "$1"
}

# step NAME CMD...: run CMD, its stderr into the log; stop on failure.
step() {
	name=$1
	shift
	say "$name: $*"
	"$@" 2>>"$log" || finish 1 "$name failed (exit $?): see $log"
}

# One run at a time: a slow day is never overlapped by the next, and the
# registry (one SQLite file) has one writer.
exec 9>>"$dir/pp-daily.lock"
flock -n 9 || finish 75 "another pp-daily holds $dir/pp-daily.lock: not started"

say "start"
# shellcheck disable=SC2086 # $fetch is a source and its options
step fetch pp-fetch $fetch --symbols "$symbols" --start "$start" --end "$ds" \
    -o "$day/prices.csv"
step features pp-features -f 'r1=logret(close,1)' -f 'r5=logret(close,5)' \
    -f 'r20=logret(close,20)' -t 'y=lead(logret(close,1),1)' --dropna -B \
    -o "$day/features.ppf" "$day/prices.csv"
# The binary frame carries the spec: the target's horizon (1) is purged.
step train pp-train -q -m ridge --target y --standardize --test-frac 0.2 \
    -e daily --run-name "daily $ds" --tag ds="$ds" --register pp-daily \
    --idempotency-key "$ds" --print-run-id -o "$day/model.ppm" \
    "$day/features.ppf" >"$day/run-id"
run=$(cat "$day/run-id")
say "train: run $run"
step predict pp-predict -m "$day/model.ppm" -o "$day/predictions.csv" \
    "$day/features.ppf"
step evaluate pp-eval backtest --ret y --ret-log --cost-bps 5 --run "$run" \
    -o "$day/backtest.csv" "$day/predictions.csv"

# Exit 3 is pp-eval's "the condition holds": the data drift.
say "drift: pp-eval drift --split-date $split"
pp-eval drift --columns r1,r5 --psi-max "${PP_PSI_MAX:-0.25}" \
    --ks-alpha "${PP_KS_ALPHA:-0.01}" --split-date "$split" --run "$run" \
    -o "$day/drift.csv" "$day/features.ppf" 2>>"$log"
case $? in
0)	;;
3)	finish 3 "the data drift (see $day/drift.csv): run $run not promoted" ;;
*)	finish 1 "drift failed: see $log" ;;
esac

# Exit 3 is "kept": the champion is at least as good.
say "promote: pp-registry alias pp-daily champion latest --if-better metrics.test_rmse"
pp-registry alias pp-daily champion latest --if-better metrics.test_rmse \
    2>>"$log"
case $? in
0)	finish 0 "run $run: pp-daily@champion is its version" ;;
3)	finish 0 "run $run: champion kept" ;;
*)	finish 1 "promote failed: see $log" ;;
esac
