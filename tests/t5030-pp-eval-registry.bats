#!/usr/bin/env bats
# t5030: pp-eval --run and --run-from-stdin log the scores to a registry
# run.
#
# Plan:
#   end to end     pp-train --print-run-id, pp-predict to a file, pp-eval
#                  --run: pp-registry show lists every score as a metric
#                  with the printed value
#   grid trials    backtest --run on a pp-train --grid run counts its
#                  nested runs as the deflated Sharpe ratio's trials
#   from stdin     the run id on stdin; grouped scores log as GROUP.NAME;
#                  undefined scores are not logged
#   errors         unknown run (nothing printed), bad id on stdin or in
#                  --run, missing registry, --run with --run-from-stdin,
#                  --run-from-stdin with the frame on stdin
#   man page       every EXAMPLES block of man/pp-eval.1 runs
#   demo           scripts/demo ends with pp-eval, logging to its run

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/pgserver'

setup() {
	cd "$BATS_TEST_DIRNAME/../testdata"
	# A file, or on run-tests' build:pg pass a fresh PostgreSQL schema.
	use_registry "$BATS_TEST_TMPDIR/pp.db"
	T=$BATS_TEST_TMPDIR
}

@test "pp-train --print-run-id, pp-predict, pp-eval --run: the run shows the scores" {
	run -0 --separate-stderr pp-train -m ridge -t y --exclude cls --print-run-id -o "$T/m.ppm" train-small.csv
	id=$output
	pp-predict -m "$T/m.ppm" -o "$T/p.csv" train-small.csv
	run -0 --separate-stderr pp-eval metrics -t y --run "$id" -o "$T/s.csv" "$T/p.csv"
	assert_output ""
	assert_equal "$stderr" ""
	pp-registry show "$id" --format csv >"$T/show.csv"
	tail -n +2 "$T/s.csv" | sed 's/^/metric,/' | sort >"$T/want"
	grep -E '^metric,(mse|rmse|mae|r2|pearson|spearman|directional_accuracy),' "$T/show.csv" | sort >"$T/got"
	diff -u "$T/want" "$T/got"
	# The run is still pp-train's.
	grep -q '^param,model,ridge$' "$T/show.csv"
}

@test "--run-from-stdin; grouped scores are GROUP.NAME; undefined ones are not logged" {
	id=$(pp-registry run start -e eval)
	printf 'symbol,date,prediction,y\nA,2024-01-01,1,0.1\nA,2024-01-02,1,0.2\nA,2024-01-03,1,0.05\n' >"$T/up.csv"
	run -0 --separate-stderr pp-eval backtest --ret y --bootstrap 0 --by symbol --run-from-stdin --format csv "$T/up.csv" <<<"$id"
	assert_line --index 1 'A,mean,0.11666666666666668'
	run -0 --separate-stderr pp-registry show "$id" --format csv
	assert_line 'metric,A.mean,0.11666666666666668'
	assert_line 'metric,mean,0.11666666666666668'
	refute_output --partial sortino
	refute_output --partial calmar
}

@test "backtest --run: a grid run's nested runs are the deflated Sharpe ratio's trials" {
	run -0 --separate-stderr pp-train -m ridge -t y --exclude cls --test-frac 0.2 --gap 1 --grid alpha=0.01,0.1,1 --print-run-id -o "$T/m.ppm" train-small.csv
	id=$output
	bt="backtest --ret y --ret-log --rule quantile:3 --bootstrap 0 --format csv"
	run -0 --separate-stderr pp-eval $bt --trials 3 eval-predictions.csv
	want=$(grep '^deflated_sharpe,' <<<"$output")
	[ -n "$want" ]
	run -0 --separate-stderr pp-eval $bt --run "$id" eval-predictions.csv
	assert_line "$want"
	run -0 --separate-stderr pp-registry show "$id" --format csv
	assert_line "metric,${want%%,*},${want#*,}"
	# --trials wins over the count.
	run -0 --separate-stderr pp-eval $bt --run "$id" --trials 50 eval-predictions.csv
	assert_line --partial 'deflated_sharpe,'
	refute_line "$want"
	# A run without nested runs: no trials, no deflated Sharpe ratio.
	id2=$(pp-registry run start -e eval)
	run -0 --separate-stderr pp-eval $bt --run "$id2" eval-predictions.csv
	refute_output --partial deflated_sharpe
}

@test "registry errors" {
	id=$(pp-registry run start -e eval)
	run -1 --separate-stderr pp-eval metrics -t y --pred f1 --run 0123456789abcdef0123456789abcdef train-small.csv
	[ "$stderr" = 'pp-eval: no run "0123456789abcdef0123456789abcdef"' ]
	[ -z "$output" ]
	run -1 --separate-stderr pp-eval metrics -t y --pred f1 --run-from-stdin train-small.csv <<<"nope"
	[ "$stderr" = 'pp-eval: <stdin>: bad run id "nope": want 32 lowercase hex digits' ]
	run -1 --separate-stderr pp-eval metrics -t y --pred f1 --run-from-stdin train-small.csv </dev/null
	[ "$stderr" = 'pp-eval: <stdin>: no run id' ]
	run -1 --separate-stderr pp-eval metrics -t y --pred f1 --registry "$T/none.db" --run "$id" train-small.csv
	[ "$stderr" = "pp-eval: $T/none.db: No such file or directory" ]
	run -2 --separate-stderr pp-eval metrics -t y --run abc train-small.csv
	[ "$stderr" = 'pp-eval: --run: bad value "abc": want 32 lowercase hex digits' ]
	run -2 --separate-stderr pp-eval metrics -t y --run "$id" --run-from-stdin train-small.csv
	[ "$stderr" = 'pp-eval: --run and --run-from-stdin exclude each other' ]
	run -2 --separate-stderr pp-eval metrics -t y --run-from-stdin
	[ "$stderr" = 'pp-eval: --run-from-stdin: the frame must be a FILE operand, not stdin' ]
}

@test "every example of pp-eval(1) runs" {
	top=$BATS_TEST_DIRNAME/..
	awk '/^\.Sh EXAMPLES/ {on = 1; next} /^\.Sh/ {on = 0}
	    on && /^\.Bd -literal/ {lit = 1; next} on && /^\.Ed/ {lit = 0; print "#"; next}
	    lit' "$top/man/pp-eval.1" | sed 's/\\e$/\\/' >"$T/examples.sh"
	[ "$(grep -c '^#$' "$T/examples.sh")" -eq 6 ]
	mkdir "$T/ex"
	cp -r "$top/testdata" "$T/ex/"
	cd "$T/ex"
	run -0 --separate-stderr sh -eu "$T/examples.sh"
	assert_output --partial 'deflated_sharpe'
	assert_output --partial 'directional_accuracy'
	assert_output --partial 'psi'
	assert_line 'drift'
}

@test "the demo ends with pp-eval: metrics logged to the run, a backtest and its SVG" {
	run -0 --separate-stderr "$BATS_TEST_DIRNAME/../scripts/demo" "$PP_BUILD/bin"
	assert_line "==> evaluate the champion's predictions: metrics, a backtest and its picture"
	assert_line --regexp '^    r2 +-?0\.[0-9]+'
	assert_line --regexp '^    sharpe_ci_high +-?[0-9.]+'
	assert_line --regexp '^    backtest\.svg: [0-9]+ bytes of SVG, equity and drawdown; the metrics are logged to run [0-9a-f]{32}$'
	[ "${lines[-1]:0:16}" = '    backtest.svg' ]
}
