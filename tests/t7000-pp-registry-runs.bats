#!/usr/bin/env bats
# t7000: pp-registry runs: init, experiments, run start/log/end, show,
# compare, metric-history, runs (filter, order, limit, format), delete, gc,
# export.
#
# Plan:
#   - init creates a registry; experiments lists with counts
#   - run start prints a 32-hex id; log/end record params, metric points,
#     tags, status; show lists them; metric-history gives every point
#   - a param cannot change value; logging to a missing or bad run fails
#   - runs: -e, --filter (metrics, params, tags, attributes, LIKE, IN,
#     OR, NOT), --order-by ASC/DESC, --limit, --format table/csv/json
#   - compare puts runs side by side over the union of keys
#   - --metrics-file logs a CSV batch; a bad row logs nothing; more than
#     64 MiB or 1,000,000 points is refused
#   - messages show control bytes and broken UTF-8 of names as \xNN
#   - delete hides a run, --deleted shows it, gc removes it
#   - export gives one row per param, metric point and tag
#   - every option: normal case, missing argument, bad value; commands:
#     missing and extra operands
# Times vary, so listings are checked with their time columns cut away.

load helpers/common

setup() {
	common_setup
	cd "$T"
	use_registry "$T/pp.db"
	export USER=tester
}

# new_run EXP NAME [ARGS...]: start a run, id in $id.
new_run() {
	local exp=$1 name=$2
	shift 2
	run -0 --separate-stderr pp-registry run start -e "$exp" --name "$name" "$@"
	id=$output
}

@test "init creates a registry that lists no experiments" {
	skip_on_pg "a registry file"
	run -0 --separate-stderr pp-registry init
	assert_output ''
	[ -f pp.db ]
	run -0 --separate-stderr pp-registry experiments --format csv
	assert_output 'experiment_id,name,runs,creation_time'
	run -0 sqlite3 pp.db 'PRAGMA user_version; PRAGMA application_id; PRAGMA journal_mode'
	assert_output $'3\n1347441223\nwal'
}

@test "init with --registry before or after the command" {
	run -0 --separate-stderr pp-registry --registry a.db init
	run -0 --separate-stderr pp-registry init --registry b.db
	run -0 --separate-stderr pp-registry --registry=c.db init
	[ -f a.db ]
	[ -f b.db ]
	[ -f c.db ]
	run -2 --separate-stderr pp-registry init --registry
	[ "$stderr" = "pp-registry: option --registry needs an argument" ]
}

@test "run start, log, end and show" {
	new_run daily first --param alpha=1 --command 'pp-train -m ridge' --fingerprint abc123
	assert_output --regexp '^[0-9a-f]{32}$'
	run -0 --separate-stderr pp-registry run log "$id" --param model=ridge \
		--metric rmse=0.5@1 --metric rmse=0.25@2 --tag env=prod --metric mae=1e-3
	run -0 --separate-stderr pp-registry run end "$id" --status FAILED --tag done=yes
	run -0 --separate-stderr pp-registry show "$id" --format csv
	grep -v '_time,' <<<"$output" >got
	cat >want <<-EOF
	kind,key,value
	attribute,run_id,$id
	attribute,experiment,daily
	attribute,name,first
	attribute,status,FAILED
	attribute,user,tester
	attribute,command,pp-train -m ridge
	attribute,fingerprint,abc123
	param,alpha,1
	param,model,ridge
	metric,mae,0.001
	metric,rmse,0.25
	tag,done,yes
	tag,env,prod
	EOF
	diff -u want got
	assert_line --regexp '^attribute,start_time,[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$'
	assert_line --regexp '^attribute,end_time,'
}

@test "metric-history lists every point in logging order" {
	new_run e r
	run -0 pp-registry run log "$id" --metric loss=3@0 --metric loss=2@1 --metric 'loss=@2' --metric loss=-0.5@1
	run -0 --separate-stderr pp-registry metric-history "$id" loss --format csv
	cut -d, -f1,2 <<<"$output" >got
	printf 'step,value\n0,3\n1,2\n2,\n1,-0.5\n' >want
	diff -u want got
	run -1 --separate-stderr pp-registry metric-history "$id" nope
	[ "$stderr" = "pp-registry: run $id has no metric \"nope\"" ]
	run -2 --separate-stderr pp-registry metric-history "$id"
	[ "$stderr" = "pp-registry: metric-history: missing operand (usage: pp-registry metric-history RUN_ID KEY [--format FMT])" ]
}

@test "the latest metric is the highest step, whatever the logging order" {
	new_run e r --metric acc=0.9@5
	run -0 pp-registry run log "$id" --metric acc=0.1@3
	run -0 --separate-stderr pp-registry runs --filter 'metrics.acc > 0.5' --format csv
	assert_line --index 1 --regexp "^$id,"
	# At the same step the point logged later wins (a planted bug that
	# kept the first went unnoticed, issue 21).
	run -0 pp-registry run log "$id" --metric acc=0.7@5
	run -0 --separate-stderr pp-registry show "$id" --format csv
	assert_line 'metric,acc,0.7'
	run -0 --separate-stderr pp-registry runs --filter 'metrics.acc = 0.7' --format csv
	assert_line --index 1 --regexp "^$id,"
}

@test "a param keeps its first value" {
	new_run e r --param a=1
	run -0 --separate-stderr pp-registry run log "$id" --param a=1
	run -1 --separate-stderr pp-registry run log "$id" --param a=2 --metric m=1
	[ "$stderr" = "pp-registry: param \"a\" of run $id is already \"1\"" ]
	run -1 pp-registry metric-history "$id" m   # the batch left nothing
}

@test "run errors: missing run, bad id, bad values, nothing to log" {
	run -1 --separate-stderr pp-registry run log 0123456789abcdef0123456789abcdef --tag a=b
	[ "$stderr" = "pp-registry: no run \"0123456789abcdef0123456789abcdef\"" ]
	run -2 --separate-stderr pp-registry run end xyz
	[ "$stderr" = "pp-registry: bad run id \"xyz\": want 32 lowercase hex digits or a unique prefix of 6 or more" ]
	new_run e r
	run -2 --separate-stderr pp-registry run log "$id"
	[ "$stderr" = "pp-registry: run log: nothing to log (--param, --metric, --tag or --metrics-file)" ]
	run -2 --separate-stderr pp-registry run log "$id" --metric rmse=abc
	[ "$stderr" = 'pp-registry: --metric: bad value "rmse=abc": not a number' ]
	run -2 --separate-stderr pp-registry run log "$id" --metric rmse=1@x
	[ "$stderr" = 'pp-registry: --metric: bad value "rmse=1@x": step "x" is not a whole number >= 0' ]
	run -2 --separate-stderr pp-registry run log "$id" --param novalue
	[ "$stderr" = 'pp-registry: --param: bad value "novalue": want KEY=VALUE' ]
	run -2 --separate-stderr pp-registry run log "$id" --tag =v
	[ "$stderr" = 'pp-registry: --tag: bad value "=v": want KEY=VALUE' ]
	run -2 --separate-stderr pp-registry run log "$id" --param
	[ "$stderr" = 'pp-registry: option --param needs an argument' ]
	run -2 --separate-stderr pp-registry run end "$id" --status RUNNING
	[ "$stderr" = 'pp-registry: --status: bad value "RUNNING": want FINISHED, FAILED or KILLED' ]
	run -2 --separate-stderr pp-registry run end "$id" --status
	[ "$stderr" = 'pp-registry: option --status needs an argument' ]
	run -2 --separate-stderr pp-registry run end "$id" extra
	[ "$stderr" = 'pp-registry: run end: unexpected operand "extra"' ]
	run -0 --separate-stderr pp-registry run end "$id" --status killed
	run -0 --separate-stderr pp-registry runs --format csv
	assert_line --index 1 --regexp "^$id,e,r,KILLED,"
}

@test "run start options: -e required, --parent, --pid" {
	run -2 --separate-stderr pp-registry run start --name x
	[ "$stderr" = 'pp-registry: run start: -e EXP is required' ]
	run -2 --separate-stderr pp-registry run start -e
	[ "$stderr" = 'pp-registry: option --experiment needs an argument' ]
	run -2 --separate-stderr pp-registry run start -e ''
	[ "$stderr" = 'pp-registry: --experiment: empty name' ]
	run -2 --separate-stderr pp-registry run start -e x --pid abc
	[ "$stderr" = 'pp-registry: --pid: bad value "abc": want a whole number from 1 to 1073741824' ]
	run -2 --separate-stderr pp-registry run start -e x --name
	[ "$stderr" = 'pp-registry: option --name needs an argument' ]
	new_run e parent --pid $$
	parent=$id
	new_run e child --parent "$parent"
	run -0 --separate-stderr pp-registry runs --nested --filter "attributes.parent_run_id = '$parent'" --format csv
	assert_line --index 1 --regexp "^$id,e,child,RUNNING,"
	run -1 --separate-stderr pp-registry run start -e e --parent 0123456789abcdef0123456789abcdef
	[ "$stderr" = 'pp-registry: parent: no run "0123456789abcdef0123456789abcdef"' ]
	run -0 --separate-stderr pp-registry experiments --format csv
	cut -d, -f1-3 <<<"$output" >got
	printf 'experiment_id,name,runs\n1,e,2\n' >want
	diff -u want got
}

# A small population for the query tests.
populate() {
	new_run exp1 a --param model=ridge --metric rmse=0.01 --tag env=prod
	a=$id
	new_run exp1 b --param model=ridge --metric rmse=0.03 --tag env=dev
	b=$id
	new_run exp2 c --param model=lasso --metric rmse=0.02 --tag env=prod
	c=$id
	new_run exp2 'd e' --param model=Ridge
	d=$id
	run -0 pp-registry run end "$a"
	run -0 pp-registry run end "$c"
}

# names: the name column of a CSV listing in $output, one line.
names() {
	run -0 --separate-stderr pp-registry runs --format csv "$@"
	printf '%s\n' "$output" | tail -n +2 | cut -d, -f3 | tr '\n' ' '
}

@test "runs --filter follows MLflow's syntax" {
	populate
	[ "$(names --filter "metrics.rmse < 0.025 and params.model = 'ridge'")" = "a " ]
	[ "$(names --filter "metrics.rmse<=0.02" --order-by name)" = "a c " ]
	[ "$(names --filter "tags.env != 'dev'" --order-by name)" = "a c " ]
	[ "$(names --filter "attributes.status = 'FINISHED'" --order-by name)" = "a c " ]
	[ "$(names --filter "status = 'RUNNING' OR metrics.rmse = 0.01" --order-by name)" = "a b d e " ]
	[ "$(names --filter "params.model LIKE 'r%'" --order-by name)" = "a b " ]
	[ "$(names --filter "params.model ILIKE 'r%'" --order-by name)" = "a b d e " ]
	[ "$(names --filter "params.model IN ('lasso', 'Ridge')" --order-by name)" = "c d e " ]
	[ "$(names --filter "params.model NOT IN ('lasso', 'Ridge')" --order-by name)" = "a b " ]
	[ "$(names --filter "not (tags.env = 'prod')" --order-by name)" = "b d e " ]
	[ "$(names --filter "run_name = \"d e\"")" = "d e " ]
	[ "$(names --filter "experiment = 'exp2'" --order-by name)" = "c d e " ]
	[ "$(names --filter "attributes.start_time > 0 and end_time > 0" --order-by name)" = "a c " ]
	[ "$(names --filter "metrics.\`rmse\` > 0.02")" = "b " ]
	[ "$(names --filter "metrics.nope > 0")" = "" ]
}

@test "runs --filter errors name the offset" {
	run -0 pp-registry init
	run -2 --separate-stderr pp-registry runs --filter 'metrics.rmse < abc'
	[ "$stderr" = 'pp-registry: filter: offset 15: expected a number at "abc"' ]
	run -2 --separate-stderr pp-registry runs --filter "params.a < 'x'"
	[ "$stderr" = "pp-registry: filter: offset 9: only =, !=, LIKE, ILIKE and IN compare text at \"< 'x'\"" ]
	run -2 --separate-stderr pp-registry runs --filter "foo.a = 'x'"
	[ "$stderr" = "pp-registry: filter: offset 0: unknown prefix (want metrics, params, tags or attributes) at \"foo.a = 'x'\"" ]
	run -2 --separate-stderr pp-registry runs --filter "bogus = 'x'"
	[ "$stderr" = "pp-registry: filter: offset 0: unknown attribute at \"bogus = 'x'\"" ]
	run -2 --separate-stderr pp-registry runs --filter "params.a = 'x"
	[ "$stderr" = "pp-registry: filter: offset 11: unterminated quote at \"'x\"" ]
	run -2 --separate-stderr pp-registry runs --filter "params.a = 'x' and"
	[ "$stderr" = "pp-registry: filter: offset 18: expected a key such as metrics.rmse at the end" ]
	run -2 --separate-stderr pp-registry runs --filter
	[ "$stderr" = 'pp-registry: option --filter needs an argument' ]
}

@test "runs --order-by, --limit and -e" {
	populate
	[ "$(names --order-by 'metrics.rmse')" = "a c b d e " ]
	[ "$(names --order-by 'metrics.rmse DESC')" = "b c a d e " ]
	[ "$(names --order-by 'params.model asc' --limit 2)" = "d e c " ]
	[ "$(names --order-by 'metrics.rmse' --limit 2)" = "a c " ]
	[ "$(names -e exp1 --order-by name)" = "a b " ]
	[ "$(names --experiment exp2 --order-by name)" = "c d e " ]
	[ "$(names -e nosuch)" = "" ]
	run -2 --separate-stderr pp-registry runs --order-by 'metrics.rmse sideways'
	[ "$stderr" = 'pp-registry: order-by: offset 13: expected ASC, DESC or the end at "sideways"' ]
	run -2 --separate-stderr pp-registry runs --order-by
	[ "$stderr" = 'pp-registry: option --order-by needs an argument' ]
	run -2 --separate-stderr pp-registry runs --limit 0
	[ "$stderr" = 'pp-registry: --limit: bad value "0": want a whole number from 1 to 9223372036854775807' ]
	run -2 --separate-stderr pp-registry runs --limit
	[ "$stderr" = 'pp-registry: option --limit needs an argument' ]
	run -2 --separate-stderr pp-registry runs extra
	[ "$stderr" = 'pp-registry: runs: unexpected operand "extra"' ]
}

@test "runs --format table, csv and json" {
	new_run e 'a,"b"'
	run -0 pp-registry run end "$id"
	run -0 --separate-stderr pp-registry runs --format csv --filter "run_id = '$id'"
	assert_line --index 1 --regexp "^$id,e,\"a,\"\"b\"\"\",FINISHED,"
	run -0 --separate-stderr pp-registry runs --format json
	assert_line --index 0 '['
	assert_line --index 1 --regexp "^  \{\"run_id\": \"$id\", \"experiment\": \"e\", \"name\": \"a,\\\\\"b\\\\\"\", \"status\": \"FINISHED\", \"start_time\": \"[^\"]+\", \"end_time\": \"[^\"]+\", \"user\": \"tester\"\}$"
	assert_line --index 2 ']'
	run -0 --separate-stderr pp-registry experiments --format table
	assert_line --index 0 --regexp '^experiment_id  name  runs  creation_time$'
	assert_line --index 1 --regexp '^            1  e        1  [0-9]{4}-'
	run -2 --separate-stderr pp-registry runs --format xml
	[ "$stderr" = 'pp-registry: --format: bad value "xml": want table, csv or json' ]
	run -2 --separate-stderr pp-registry runs --format
	[ "$stderr" = 'pp-registry: option --format needs an argument' ]
}

@test "compare shows runs side by side" {
	populate
	run -0 --separate-stderr pp-registry compare "$a" "$c" --format csv
	grep -v '_time,' <<<"$output" >got
	cat >want <<-EOF
	key,a,c
	run_id,$a,$c
	experiment,exp1,exp2
	name,a,c
	status,FINISHED,FINISHED
	user,tester,tester
	params.model,ridge,lasso
	metrics.rmse,0.01,0.02
	tags.env,prod,prod
	EOF
	diff -u want got
	run -2 --separate-stderr pp-registry compare
	[ "$stderr" = 'pp-registry: compare: missing operand (usage: pp-registry compare RUN_ID... [--wide] [--format FMT])' ]
	run -1 --separate-stderr pp-registry compare "$a" 0123456789abcdef0123456789abcdef
	[ "$stderr" = 'pp-registry: no run "0123456789abcdef0123456789abcdef"' ]
}

@test "run log --metrics-file logs a batch, all or nothing" {
	new_run e r
	printf 'key,value,step,timestamp\nloss,1.5,0,1700000000000\nloss,1.25,1,\nacc,,2,\n' >m.csv
	run -0 --separate-stderr pp-registry run log "$id" --metrics-file m.csv
	run -0 --separate-stderr pp-registry metric-history "$id" loss --format csv
	printf 'step,value,timestamp\n0,1.5,2023-11-14T22:13:20.000Z\n' >want
	head -2 <<<"$output" | diff -u want -
	printf 'value,key\n2,ok\nnope,bad\n' >bad.csv
	run -1 --separate-stderr pp-registry run log "$id" --metrics-file bad.csv
	[ "$stderr" = 'pp-registry: bad.csv:3: column "value": not a number' ]
	run -1 --separate-stderr pp-registry metric-history "$id" ok
	printf 'k,v\n' >nokey.csv
	run -1 --separate-stderr pp-registry run log "$id" --metrics-file nokey.csv
	[ "$stderr" = 'pp-registry: nokey.csv:1: no "key" column' ]
	run -1 --separate-stderr pp-registry run log "$id" --metrics-file missing.csv
	[ "$stderr" = 'pp-registry: missing.csv: No such file or directory' ]
	run -2 --separate-stderr pp-registry run log "$id" --metrics-file
	[ "$stderr" = 'pp-registry: option --metrics-file needs an argument' ]
}

@test "run log --metrics-file fed forever stops at its bounds, logs nothing" {
	new_run e r
	run -1 --separate-stderr timeout 60 pp-registry run log "$id" --metrics-file /dev/zero
	[ "$stderr" = 'pp-registry: /dev/zero:1: a field longer than 65536 bytes' ]
	{ echo key,value; yes m,1 | head -n 1000001; } >many.csv
	run -1 --separate-stderr pp-registry run log "$id" --metrics-file - <many.csv
	[ "$stderr" = 'pp-registry: <stdin>:1000002: more than 1000000 points' ]
	run -1 --separate-stderr pp-registry metric-history "$id" m
	[ "$stderr" = "pp-registry: run $id has no metric \"m\"" ]
}

@test "a message shows escape sequences and broken UTF-8 as \\xNN" {
	skip_on_pg "PostgreSQL text is UTF-8 only"
	# Names went to the terminal raw: an escape sequence acted on it.
	run -0 --separate-stderr pp-registry init
	run -1 --separate-stderr pp-registry versions $'red\e[31m\r\xc3'
	[ "$stderr" = 'pp-registry: no model "red\x1b[31m\x0d\xc3"' ]
	run -1 --separate-stderr pp-registry versions 'é€😀'
	[ "$stderr" = 'pp-registry: no model "é€😀"' ]
	run -2 --separate-stderr pp-registry runs --bogus$'\e'
	[ "$stderr" = 'pp-registry: unknown option --bogus\x1b' ]
}

@test "delete hides a run, --deleted shows it, gc removes it" {
	skip_on_pg "counted with the sqlite3 shell"
	populate
	run -0 --separate-stderr pp-registry delete "$b"
	[ "$(names --order-by name)" = "a c d e " ]
	[ "$(names --deleted)" = "b " ]
	run -1 --separate-stderr pp-registry delete "$b"
	[ "$stderr" = "pp-registry: run \"$b\" is already deleted" ]
	run -1 --separate-stderr pp-registry run log "$b" --tag x=y
	[ "$stderr" = "pp-registry: run \"$b\" is deleted" ]
	run -0 --separate-stderr pp-registry gc
	assert_output 'removed 1 deleted run'
	[ "$(names --deleted)" = "" ]
	run -0 sqlite3 pp.db "SELECT count(*) FROM params WHERE run_id = '$b'"
	assert_output 0
	run -0 --separate-stderr pp-registry gc
	assert_output 'removed 0 deleted runs'
	run -2 --separate-stderr pp-registry delete
	[ "$stderr" = 'pp-registry: delete: missing operand (usage: pp-registry delete RUN_ID)' ]
	run -2 --separate-stderr pp-registry gc now
	[ "$stderr" = 'pp-registry: gc: unexpected operand "now"' ]
}

@test "export writes every param, metric point and tag" {
	new_run e r --param p=1 --metric m=2@1 --tag t=x
	run -0 pp-registry run log "$id" --metric m=3@2
	run -0 --separate-stderr pp-registry export
	cut -d, -f2- <<<"$output" | cut -d, -f1-7 >got
	cat >want <<-EOF
	experiment,run_name,status,kind,key,value,step
	e,r,RUNNING,param,p,1,
	e,r,RUNNING,metric,m,2,1
	e,r,RUNNING,metric,m,3,2
	e,r,RUNNING,tag,t,x,
	EOF
	diff -u want got
	run -0 --separate-stderr pp-registry export --format json -o out.json
	run -0 python3 -c 'import json,sys; d=json.load(open("out.json")); print(len(d), d[1]["value"], d[1]["step"])'
	assert_output '4 2 1'
	run -2 --separate-stderr pp-registry export --format table
	[ "$stderr" = 'pp-registry: --format: export writes csv or json' ]
	run -2 --separate-stderr pp-registry export -o
	[ "$stderr" = 'pp-registry: option --output needs an argument' ]
}

@test "a missing command, an unknown one, --help of a command" {
	run -2 --separate-stderr pp-registry
	[ "$stderr" = 'pp-registry: missing command (see pp-registry --help)' ]
	run -2 --separate-stderr pp-registry frobnicate
	[ "$stderr" = 'pp-registry: unknown command "frobnicate" (see pp-registry --help)' ]
	run -2 --separate-stderr pp-registry run
	[ "$stderr" = 'pp-registry: run: missing verb (see pp-registry --help)' ]
	run -2 --separate-stderr pp-registry run stop
	[ "$stderr" = 'pp-registry: unknown command "run stop" (see pp-registry --help)' ]
	run -0 --separate-stderr pp-registry run start --help
	assert_line --index 0 --partial 'usage: pp-registry run start -e EXP'
	assert_line --regexp '^  -e, --experiment EXP'
	refute_line --partial '--filter'
	run -2 --separate-stderr pp-registry show x --filter a
	[ "$stderr" = 'pp-registry: unknown option --filter' ]
}

@test "read commands do not create a registry" {
	run -1 --separate-stderr pp-registry runs --registry none.db
	[ "$stderr" = 'pp-registry: none.db: No such file or directory' ]
	[ ! -e none.db ]
}
