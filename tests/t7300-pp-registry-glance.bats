#!/usr/bin/env bats
# t7300: pp-registry for everyday use: run id prefixes, best, alias
# latest and --if-better.
#
# Plan:
#   prefixes       a 6+ digit prefix works for show, compare, run log,
#                  metric-history, artifact, delete, --parent, register and
#                  runs:/ URIs; shorter, non-hex, unknown
#                  and ambiguous prefixes are errors (the last lists the
#                  matches)
#   best           the lowest (or --max highest) metric among finished
#                  top-level runs; nested, failed and deleted runs and runs
#                  without the metric are passed over; none is an error;
#                  -e and --metric are required
#   alias          latest is the highest version; --if-better moves on a
#                  strictly better metric (exit 0), keeps otherwise (exit 3
#                  and why); a new alias and the holder itself move; a
#                  version whose run lacks the metric is an error; bad
#                  --if-better values and --max alone are usage errors
#   runs           top-level runs with the common metrics by default;
#                  --columns, --order-by shows its key, --nested, --parent;
#                  the common metrics are the listed runs' (--filter,
#                  --limit), whatever the rest of the experiment logs
#   created        an implicit ./pp.db says it was made, once; a path
#                  given by --registry or PP_REGISTRY says nothing

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load helpers/pgserver

setup() {
	use_registry "$BATS_TEST_TMPDIR/pp.db"
	cd "$BATS_TEST_TMPDIR"
	printf 'model bytes\n' >model.bin
}

# new_run EXP NAME RMSE: a finished run with metric rmse, its id in $id
new_run() {
	id=$(pp-registry run start -e "$1" --name "$2" --metric "rmse=$3")
	pp-registry artifact put "$id" model.bin
	pp-registry run end "$id"
}

@test "a unique prefix of 6 or more hex digits stands for the run" {
	new_run e a 0.5
	p=${id:0:6}
	run -0 --separate-stderr pp-registry show "$p" --format csv
	assert_line --index 1 "attribute,run_id,$id"
	run -0 --separate-stderr pp-registry run log "${id:0:10}" --metric rmse=0.4@2
	run -0 --separate-stderr pp-registry metric-history "$p" rmse --format csv
	assert_line --index 2 --regexp '^2,0\.4,'
	run -0 --separate-stderr pp-registry artifact list "$p" --format csv
	assert_line --index 1 --regexp '^model\.bin,12,'
	run -0 --separate-stderr pp-registry artifact get "$p" model.bin -o got.bin
	cmp model.bin got.bin
	run -0 --separate-stderr pp-registry artifact get "runs:/$p/model.bin" -o got2.bin
	cmp model.bin got2.bin
	run -0 --separate-stderr pp-registry compare "$p" "$id" --format csv
	assert_line --index 0 "key,${id:0:8},${id:0:8}"
	assert_line --index 1 "run_id,$id,$id"
	run -0 --separate-stderr pp-registry run start -e e --name child --parent "$p"
	child=$output
	run -0 --separate-stderr pp-registry show "$child" --format csv
	assert_line "attribute,parent_run_id,$id"
	run -0 --separate-stderr pp-registry register m "runs:/$p"
	assert_output 1
	run -0 --separate-stderr pp-registry resolve "runs:/$p" --format csv
	assert_line --index 1 ",,$id,model.bin"
	run -0 --separate-stderr pp-registry delete "${child:0:8}"
	run -0 --separate-stderr pp-registry show "${child:0:8}" --format csv
	assert_line --regexp '^attribute,deleted_time,'
}

@test "bad, unknown and ambiguous prefixes are errors" {
	skip_on_pg "ids rewritten with the sqlite3 shell"
	new_run e a 0.5
	run -2 --separate-stderr pp-registry show "${id:0:5}"
	assert_equal "$stderr" "pp-registry: bad run id \"${id:0:5}\": want 32 lowercase hex digits or a unique prefix of 6 or more"
	run -2 --separate-stderr pp-registry show "${id:0:6}X"
	assert_equal "$stderr" "pp-registry: bad run id \"${id:0:6}X\": want 32 lowercase hex digits or a unique prefix of 6 or more"
	run -2 --separate-stderr pp-registry show "${id}0"
	assert_equal "$stderr" "pp-registry: bad run id \"${id}0\": want 32 lowercase hex digits or a unique prefix of 6 or more"
	other=$(printf '%s' "$id" | tr '0-9a-f' '1-9a-f0')
	run -1 --separate-stderr pp-registry show "${other:0:6}"
	assert_equal "$stderr" "pp-registry: no run \"${other:0:6}\""
	run -1 --separate-stderr pp-registry run start -e e --parent "${other:0:6}"
	assert_equal "$stderr" "pp-registry: --parent: no run \"${other:0:6}\""
	# Two runs made to share a prefix.
	new_run e b 0.6
	run -0 sqlite3 pp.db "UPDATE runs SET run_id = 'abcdef0000000000000000000000000' || substr(run_id, 32) WHERE name = 'a';
	    UPDATE runs SET run_id = 'abcdef1111111111111111111111111' || substr(run_id, 32) WHERE name = 'b';
	    SELECT run_id FROM runs ORDER BY run_id"
	a=${lines[0]}
	b=${lines[1]}
	run -1 --separate-stderr pp-registry show abcdef
	assert_equal "$stderr" "pp-registry: run id \"abcdef\" is ambiguous: $a, $b"
	run -1 --separate-stderr pp-registry resolve runs:/abcdef
	assert_equal "$stderr" "pp-registry: run id \"abcdef\" is ambiguous: $a, $b"
	run -0 --separate-stderr pp-registry show abcdef1 --format csv
	assert_line --index 1 "attribute,run_id,$b"
}

@test "best prints the best finished top-level run by a metric" {
	new_run e a 0.5
	a=$id
	new_run e b 0.3
	b=$id
	new_run e c 0.9
	c=$id
	new_run other x 0.1
	# nested, failed, deleted and metric-less runs do not count
	n=$(pp-registry run start -e e --parent "$a" --metric rmse=0.01)
	pp-registry run end "$n"
	f=$(pp-registry run start -e e --metric rmse=0.02)
	pp-registry run end "$f" --status FAILED
	d=$(pp-registry run start -e e --metric rmse=0.03)
	pp-registry run end "$d"
	pp-registry delete "$d"
	m=$(pp-registry run start -e e --metric r2=0.9)
	pp-registry run end "$m"
	run -0 --separate-stderr pp-registry best -e e --metric rmse
	assert_equal "$output" "$b"
	assert_equal "$stderr" ''
	run -0 --separate-stderr pp-registry best -e e --metric rmse --max
	assert_equal "$output" "$c"
	run -1 --separate-stderr pp-registry best -e e --metric mae
	assert_equal "$stderr" 'pp-registry: experiment "e": no finished top-level run has metric "mae"'
	run -1 --separate-stderr pp-registry best -e nosuch --metric rmse
	assert_equal "$stderr" 'pp-registry: experiment "nosuch": no finished top-level run has metric "rmse"'
	run -2 --separate-stderr pp-registry best --metric rmse
	assert_equal "$stderr" 'pp-registry: best: -e EXP and --metric KEY are required'
	run -2 --separate-stderr pp-registry best -e e
	assert_equal "$stderr" 'pp-registry: best: -e EXP and --metric KEY are required'
	run -2 --separate-stderr pp-registry best -e e --metric
	assert_equal "$stderr" 'pp-registry: option --metric needs an argument'
	run -2 --separate-stderr pp-registry best -e e --metric rmse extra
	assert_equal "$stderr" 'pp-registry: best: unexpected operand "extra"'
}

@test "alias latest and --if-better: exit 0 moved, 3 kept" {
	new_run e a 0.5
	pp-registry register m "runs:/$id" >/dev/null
	run -0 --separate-stderr pp-registry alias m champion latest --if-better metrics.rmse
	assert_equal "$stderr" ''
	run -0 pp-registry resolve models:/m@champion --format csv
	assert_line --index 1 --regexp '^m,1,'
	new_run e b 0.7
	pp-registry register m "runs:/$id" >/dev/null
	run -3 --separate-stderr pp-registry alias m champion latest --if-better metrics.rmse
	assert_equal "$output" ''
	assert_equal "$stderr" 'pp-registry: alias: kept "champion" at version 1: version 2 has rmse 0.7, not lower than 0.5'
	run -0 pp-registry resolve models:/m@champion --format csv
	assert_line --index 1 --regexp '^m,1,'
	run -0 --separate-stderr pp-registry alias m champion latest --if-better metrics.rmse --max
	run -0 pp-registry resolve models:/m@champion --format csv
	assert_line --index 1 --regexp '^m,2,'
	# the holder itself: nothing to move, exit 0
	run -0 --separate-stderr pp-registry alias m champion 2 --if-better metrics.rmse
	# equal is not better
	new_run e c 0.7
	pp-registry register m "runs:/$id" >/dev/null
	run -3 --separate-stderr pp-registry alias m champion 3 --if-better metrics.rmse --max
	assert_equal "$stderr" 'pp-registry: alias: kept "champion" at version 2: version 3 has rmse 0.7, not higher than 0.7'
	# without --if-better, latest just moves it
	run -0 --separate-stderr pp-registry alias m champion latest
	run -0 pp-registry resolve models:/m@champion --format csv
	assert_line --index 1 --regexp '^m,3,'
	run -0 pp-registry audit m --format csv
	assert_equal "${#lines[@]}" 4
}

@test "alias errors" {
	new_run e a 0.5
	pp-registry register m "runs:/$id" >/dev/null
	run -1 --separate-stderr pp-registry alias m champion 1 --if-better metrics.mae
	assert_equal "$stderr" 'pp-registry: model "m" version 1: its run has no metric "mae"'
	run -1 --separate-stderr pp-registry alias nosuch champion latest
	assert_equal "$stderr" 'pp-registry: no model "nosuch"'
	run -1 --separate-stderr pp-registry alias m champion 9 --if-better metrics.rmse
	assert_equal "$stderr" 'pp-registry: model "m" has no version 9'
	run -2 --separate-stderr pp-registry alias m champion newest
	assert_equal "$stderr" 'pp-registry: bad version "newest": want a whole number >= 1'
	run -2 --separate-stderr pp-registry alias m champion 1 --if-better rmse
	assert_equal "$stderr" 'pp-registry: --if-better: bad value "rmse": want metrics.KEY'
	run -2 --separate-stderr pp-registry alias m champion 1 --if-better metrics.
	assert_equal "$stderr" 'pp-registry: --if-better: bad value "metrics.": want metrics.KEY'
	run -2 --separate-stderr pp-registry alias m champion 1 --if-better
	assert_equal "$stderr" 'pp-registry: option --if-better needs an argument'
	run -2 --separate-stderr pp-registry alias m champion 1 --max
	assert_equal "$stderr" 'pp-registry: --max needs --if-better'
}

@test "an implicit ./pp.db says it was created, once" {
	unset PP_REGISTRY
	run -0 --separate-stderr pp-registry init
	assert_equal "$stderr" 'pp-registry: created new registry ./pp.db'
	run -0 --separate-stderr pp-registry init
	assert_equal "$stderr" ''
	run -0 --separate-stderr pp-registry --registry other.db init
	assert_equal "$stderr" ''
	run -0 --separate-stderr pp-registry init --registry third.db
	assert_equal "$stderr" ''
	PP_REGISTRY=env.db run -0 --separate-stderr pp-registry init
	assert_equal "$stderr" ''
	[ -f other.db ] && [ -f third.db ] && [ -f env.db ]
}

@test "runs: top-level only, common metrics shown, --columns, --nested, --parent" {
	new_run e a 0.5
	a=$id
	pp-registry run log "$a" --param alpha=1 --tag features=r1,r5
	new_run e b 0.3
	b=$id
	pp-registry run log "$b" --metric mae=0.2
	c=$(pp-registry run start -e e --name cand --parent "$a" --metric rmse=0.4)
	pp-registry run end "$c"
	run -0 --separate-stderr pp-registry runs -e e --format csv
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 'run_id,experiment,name,status,start_time,end_time,user,metrics.mae,metrics.rmse'
	assert_line --index 1 --regexp "^$b,e,b,FINISHED,.*,0\.2,0\.3$"
	assert_line --index 2 --regexp "^$a,e,a,FINISHED,.*,,0\.5$"
	run -0 --separate-stderr pp-registry runs -e e --nested --format csv
	assert_equal "${#lines[@]}" 4
	assert_line --index 0 'run_id,experiment,name,status,start_time,end_time,user,metrics.rmse'
	run -0 --separate-stderr pp-registry runs --parent "${a:0:6}" --format csv
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp "^$c,e,cand,FINISHED,.*,0\.4$"
	run -0 --separate-stderr pp-registry runs -e e --columns params.alpha,tags.features --format csv
	assert_line --index 0 'run_id,experiment,name,status,start_time,end_time,user,params.alpha,tags.features'
	assert_line --index 2 --regexp "^$a,.*,1,\"r1,r5\"$"
	run -0 --separate-stderr pp-registry runs -e e --columns param.alpha --order-by 'metrics.mae DESC' --format csv
	assert_line --index 0 'run_id,experiment,name,status,start_time,end_time,user,params.alpha,metrics.mae'
	assert_line --index 1 --regexp "^$b,.*,,0\.2$"
	run -2 --separate-stderr pp-registry runs --columns alpha
	assert_equal "$stderr" 'pp-registry: --columns: bad column "alpha": want metrics.KEY, params.KEY or tags.KEY'
	run -2 --separate-stderr pp-registry runs --columns ''
	assert_equal "$stderr" 'pp-registry: --columns: empty list'
	run -2 --separate-stderr pp-registry runs --columns
	assert_equal "$stderr" 'pp-registry: option --columns needs an argument'
	run -2 --separate-stderr pp-registry runs --nested --parent "$a"
	assert_equal "$stderr" 'pp-registry: --nested and --parent exclude each other'
	run -2 --separate-stderr pp-registry runs --nested x
	assert_equal "$stderr" 'pp-registry: runs: unexpected operand "x"'
}

@test "runs: the common metrics are those of the runs --filter and --limit list" {
	local head='run_id,experiment,name,status,start_time,end_time,user'
	new_run f a 0.5
	a=$id
	new_run f b 0.3
	d=$(pp-registry run start -e f --name d --metric sharpe=1.5)
	pp-registry run end "$d"
	run -0 --separate-stderr pp-registry runs -e f --format csv
	assert_line --index 0 "$head,metrics.rmse"
	run -0 --separate-stderr pp-registry runs -e f --filter 'metrics.sharpe > 1' --format csv
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 "$head,metrics.sharpe"
	assert_line --index 1 --regexp "^$d,f,d,FINISHED,.*,1\.5$"
	run -0 --separate-stderr pp-registry runs -e f --limit 1 --format csv
	assert_line --index 0 "$head,metrics.sharpe"
	run -0 --separate-stderr pp-registry runs -e f --limit 2 --format csv
	assert_line --index 0 "$head,metrics.rmse,metrics.sharpe"
	# the filter's values and the order's bound apart
	run -0 --separate-stderr pp-registry runs -e f --filter "metrics.sharpe > 1 or name = 'a'" --order-by 'metrics.rmse DESC' --format csv
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 "$head,metrics.rmse,metrics.sharpe"
	assert_line --index 1 --regexp "^$a,f,a,FINISHED,.*,0\.5,$"
	assert_line --index 2 --regexp "^$d,f,d,FINISHED,.*,,1\.5$"
	run -0 --separate-stderr pp-registry runs -e f --filter 'metrics.sharpe > 9' --format csv
	assert_output "$head"
}
