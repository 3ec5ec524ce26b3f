#!/usr/bin/env bats
# t7500: a registry of schema version 1 brought to the current version
# (3: version 2's steps, then version 3's, t7620), on SQLite and
# (run-tests' build:pg pass) on PostgreSQL.
#
# Plan:
#   - a version 1 registry (version 2's indexes dropped, the version set
#     back, and on PostgreSQL version 1's strftime put back) cannot be
#     read until a writer has migrated it, in one line
#   - the first writer adds the (key, value) indexes of latest_metrics,
#     params and tags, and on PostgreSQL makes strftime inlinable
#     (STABLE, not STRICT) with the same text for every time and NULL
#   - the runs logged before are found by a filter on a metric, a param
#     and a tag afterwards

load helpers/common

setup() {
	common_setup
	cd "$T"
	use_registry "$T/pp.db"
	export USER=tester
}

# Version 1's strftime on PostgreSQL, as pg_migrations[0] created it.
V1_STRFTIME="CREATE OR REPLACE FUNCTION strftime(fmt text, secs numeric, modifier text)
 RETURNS text LANGUAGE sql IMMUTABLE STRICT AS \$\$
 SELECT to_char(to_timestamp(floor(secs)::double precision)
 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' ||
 lpad(((secs * 1000)::bigint % 1000)::text, 3, '0') || 'Z' \$\$"

# Times as the listings print them, NULL among them.
TIMES="SELECT coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', t / 1000.0, 'unixepoch'), 'null')
 FROM (VALUES (0), (999), (1700000000000), (1700000000001), (1733184000999),
 (4102444799999), (NULL)) AS v (t)"

as_version_1() {
	local drop='DROP INDEX latest_metrics_key_value; DROP INDEX params_key_value;
		DROP INDEX tags_key_value;'
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		registry_sql "$drop UPDATE pp_schema SET version = 1; $V1_STRFTIME"
	else
		registry_sql "$drop PRAGMA user_version = 1"
	fi
}

@test "a version 1 registry is read only after its first writer made it current" {
	run -0 --separate-stderr pp-registry run start -e e --name r --metric rmse=0.25 \
	    --param model=ridge --tag env=prod
	id=$output
	as_version_1
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		run -0 registry_sql "$TIMES"
		v1_times=$output
	fi
	run -1 --separate-stderr pp-registry runs
	assert_equal "$stderr" "pp-registry: $PP_REGISTRY: registry schema version 1 must be upgraded by a writer first"
	run -0 --separate-stderr pp-registry init
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		run -0 registry_sql "SELECT version FROM pp_schema"
		assert_output 3
		run -0 registry_sql "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
		    AND indexname LIKE '%key_value' ORDER BY 1"
		assert_output $'latest_metrics_key_value\nparams_key_value\ntags_key_value'
		run -0 registry_sql "SELECT provolatile, proisstrict FROM pg_proc WHERE proname = 'strftime'
		    AND pronamespace = current_schema()::regnamespace"
		assert_output 's|f'
		run -0 registry_sql "$TIMES"
		assert_output "$v1_times"
		assert_line --index 2 '2023-11-14T22:13:20.000Z'
		assert_line --index 6 'null'
	else
		run -0 registry_sql "PRAGMA user_version"
		assert_output 3
		run -0 registry_sql "SELECT name FROM sqlite_master WHERE type = 'index' AND
		    name LIKE '%key_value' ORDER BY 1"
		assert_output $'latest_metrics_key_value\nparams_key_value\ntags_key_value'
	fi
	run -0 --separate-stderr pp-registry runs --format csv \
	    --filter "metrics.rmse < 0.5 and params.model = 'ridge' and tags.env = 'prod'"
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp "^$id,e,r,RUNNING,.*,tester,0\.25$"
}
