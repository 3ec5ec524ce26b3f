#!/usr/bin/env bats
# t7600: opening a PostgreSQL registry reads its schema version, its
# application id and how many tables its schema holds in one statement;
# what that statement cannot settle falls back to the longer reading.
# These tests need run-tests' build:pg server and skip, saying so,
# anywhere else.
#
# Plan:
#   - a new schema whose search_path also reaches another registry's
#     pp_schema is still empty: a read refuses it, init creates a
#     registry there, and each registry keeps its own runs
#   - a schema holding pp_schema without a row is refused, not taken for
#     an empty one

load helpers/common

setup() {
	common_setup
	[ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ] ||
	    skip "PostgreSQL only: scripts/run-tests build:pg"
	cd "$T"
	export USER=tester
}

# schema_url SCHEMA...: a URL whose search_path is the schemas, in order.
schema_url() {
	local path
	path=$(IFS=,; echo "$*")
	printf 'postgresql:///postgres?host=%s&user=postgres&options=-csearch_path%%3D%s\n' \
	    "$PP_PG_DIR" "${path//,/%2C}"
}

new_schema() {
	local s=r_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	pg_sql "CREATE SCHEMA $s" >/dev/null || return 1
	echo "$s"
}

@test "a search_path reaching another registry's pp_schema: the new schema is still empty" {
	local a b
	a=$(new_schema)
	b=$(new_schema)
	run -0 pp-registry --registry "$(schema_url "$a")" init
	run -0 pp-registry --registry "$(schema_url "$a")" run start -e ea --name in-a
	# b is the current schema (the first in the path); a's pp_schema is
	# reachable by name but is not b's.
	run -1 --separate-stderr pp-registry --registry "$(schema_url "$b" "$a")" runs
	assert_equal "$stderr" "pp-registry: $(schema_url "$b" "$a"): not a registry (empty database)"
	run -0 pp-registry --registry "$(schema_url "$b" "$a")" init
	run -0 pp-registry --registry "$(schema_url "$b" "$a")" run start -e eb --name in-b
	run -0 psql -XAtq -h "$PP_PG_DIR" -U postgres -d postgres -c \
	    "SELECT (SELECT string_agg(name, ',') FROM $a.runs), (SELECT string_agg(name, ',') FROM $b.runs), (SELECT version FROM $b.pp_schema)"
	assert_output "in-a|in-b|$(psql -XAtq -h "$PP_PG_DIR" -U postgres -d postgres -c "SELECT version FROM $a.pp_schema")"
	run -0 pp-registry --registry "$(schema_url "$b" "$a")" runs --format csv
	assert_output --partial ",in-b,"
	refute_output --partial "in-a"
}

@test "a schema whose pp_schema holds no row is refused" {
	local s
	s=$(new_schema)
	run -0 pp-registry --registry "$(schema_url "$s")" init
	run -0 pg_sql "DELETE FROM $s.pp_schema"
	run -1 --separate-stderr pp-registry --registry "$(schema_url "$s")" runs
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "pp-registry: $(schema_url "$s"): read"* ]] || fail "got: $stderr"
}
