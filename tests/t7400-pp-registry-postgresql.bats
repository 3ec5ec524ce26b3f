#!/usr/bin/env bats
# t7400: the registry on PostgreSQL, beyond what the registry suites show
# on both backends (they run again in run-tests' build:pg pass).  These
# tests need the pass's server and skip, saying so, anywhere else.
#
# Plan:
#   - the library on PostgreSQL (tests/unit/test_registry_pg.c): types
#     and parameters through db_pg, exact metric values, bytea artifacts
#     and their SHA-256 check, 8 processes migrating a new schema once,
#     8 processes x 250 runs with every row present, 16 processes moving
#     one alias with no move lost and the audit log a complete chain
#   - 8 pp-registry processes at once (10 runs each) fail nothing
#   - a postgresql:// URL, a postgres:// URL and a libpq key=value string
#     reach the same registry and list it identically
#   - a database that cannot be reached, a schema holding other tables,
#     an empty schema read without creating, and non-UTF-8 text each fail
#     in one line
#   - pp-train registers into PostgreSQL and pp-predict predicts from
#     models:/ and runs:/ references there as from the model file
#   - pp-serve serves models:/m@champion from PostgreSQL and swaps in the
#     new version when the alias moves

load helpers/common
load helpers/serve

setup() {
	common_setup
	[ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ] ||
	    skip "PostgreSQL only: scripts/run-tests build:pg"
	D=$PWD/testdata
	cd "$T"
	use_registry
	export USER=tester
}

teardown() {
	serve_teardown
}

base_url() {
	printf 'postgresql:///postgres?host=%s&user=postgres' "$PP_PG_DIR"
}

@test "the library on PostgreSQL: exact values, migration once, 8 writers, 16 alias movers" {
	PP_TEST_PG_URL=$(base_url) run -0 "$PP_BUILD/tests/test_registry_pg"
	refute_output --partial FAILED
	refute_output --partial SKIPPED
	assert_output --partial '[  PASSED  ] 6 test(s).'
}

@test "8 pp-registry processes writing at once fail nothing" {
	local w pids=()
	run -0 pp-registry init
	cat >writer.sh <<-'EOF'
	for ((i = 0; i < 10; i++)); do
		id=$(pp-registry run start -e conc --name "w$1-$i" --param a=$1) || exit 1
		pp-registry run end "$id" --metric m=$i@$i || exit 1
	done
	EOF
	for w in 1 2 3 4 5 6 7 8; do
		bash writer.sh "$w" 2>"err$w" &
		pids+=($!)
	done
	for w in 0 1 2 3 4 5 6 7; do
		wait "${pids[w]}" || fail "writer $((w + 1)) failed: $(cat "err$((w + 1))")"
	done
	run -0 psql -XAtq "$PP_REGISTRY" -c "SELECT count(*) FROM runs WHERE status = 'FINISHED'" \
	    -c "SELECT count(DISTINCT name) FROM runs" -c "SELECT count(*) FROM metrics"
	assert_output $'80\n80\n80'
}

@test "a URL, a postgres:// URL and a key=value string name the same registry" {
	local s=${PP_REGISTRY##*%3D}
	run -0 pp-registry run start -e e --name r --param a=1
	run -0 --separate-stderr pp-registry runs --format csv
	want=$output
	run -0 --separate-stderr pp-registry --registry "postgres://postgres@/postgres?host=$PP_PG_DIR&options=-csearch_path%3D$s" runs --format csv
	assert_equal "$output" "$want"
	run -0 --separate-stderr pp-registry --registry "host=$PP_PG_DIR user=postgres dbname=postgres options=-csearch_path=$s" runs --format csv
	assert_equal "$output" "$want"
	PP_REGISTRY="dbname=postgres host=$PP_PG_DIR user=postgres options=-csearch_path=$s" \
	    run -0 --separate-stderr pp-registry runs --format csv
	assert_equal "$output" "$want"
}

@test "an unreachable database, a foreign schema, an empty one, non-UTF-8 text" {
	run -1 --separate-stderr pp-registry --registry "postgresql:///nodb?host=$PP_PG_DIR&user=postgres" runs
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "pp-registry: postgresql:///nodb?host=$PP_PG_DIR&user=postgres: open: "*'database "nodb" does not exist' ]] ||
	    fail "got: $stderr"
	run -0 psql -XAtq "$PP_REGISTRY" -c "CREATE TABLE t (x int)"
	run -1 --separate-stderr pp-registry init
	assert_equal "$stderr" "pp-registry: $PP_REGISTRY: not a registry"
	run -1 --separate-stderr pp-registry --registry "$PP_REGISTRY&password=secret" init
	assert_equal "$stderr" "pp-registry: $PP_REGISTRY&password=***: not a registry"
	use_registry
	run -1 --separate-stderr pp-registry runs
	assert_equal "$stderr" "pp-registry: $PP_REGISTRY: not a registry (empty database)"
	# A password never reaches a message.
	run -1 --separate-stderr pp-registry --registry "$PP_REGISTRY&password=secret" runs
	assert_equal "$stderr" "pp-registry: $PP_REGISTRY&password=***: not a registry (empty database)"
	run -1 --separate-stderr pp-registry run start -e $'\xc3'
	assert_equal "$stderr" "pp-registry: $PP_REGISTRY: write: invalid byte sequence for encoding \"UTF8\": 0xc3"
}

@test "pp-train registers into PostgreSQL; pp-predict predicts from its references" {
	cp "$D/train-small.csv" small.csv
	run -0 pp-train -q -m ridge --alpha 10 -t y --exclude cls --register m \
	    --print-run-id -o m.ppm small.csv
	id=$output
	pp-predict -m m.ppm --only -o want.csv small.csv
	for ref in models:/m/1 models:/m/latest "runs:/$id" "runs:/${id:0:8}/model.ppm"; do
		run -0 --separate-stderr pp-predict -m "$ref" --only -o got.csv small.csv
		cmp want.csv got.csv || fail "$ref predicts otherwise"
	done
	run -0 --separate-stderr pp-registry versions m --format csv
	assert_line --index 1 --regexp "^1,None,,$id,model.ppm,"
}

@test "pp-serve reloads models:/m@champion from PostgreSQL when the alias moves" {
	cp "$D/train-small.csv" small.csv
	pp-train -q -m ols -t y --exclude cls --register m -o m1.ppm small.csv
	pp-train -q -m ridge --alpha 50 -t y --exclude cls --register m -o m2.ppm small.csv
	pp-registry alias m champion 1
	serve_start -m m=models:/m@champion --reload-every 1s
	run -0 http GET /v2/models/m
	assert_line --index 0 --partial '"versions":["1"],"platform":"pp-ols"'
	pp-registry alias m champion 2
	for i in $(seq 50); do
		run -0 http GET /v2/models/m
		[[ ${lines[0]} != *'"versions":["2"]'* ]] || break
		sleep 0.2
	done
	assert_line --index 0 --partial '"versions":["2"],"platform":"pp-ridge"'
	serve_stop
	assert_equal "$STATUS" 0
}
