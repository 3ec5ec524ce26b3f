#!/usr/bin/env bats
# t7620: schema version 3, on SQLite and (run-tests' build:pg pass) on
# PostgreSQL.  On PostgreSQL it makes the indexes runs --filter reads
# covering (primary keys of latest_metrics, params and tags with
# INCLUDE (value), their (key, value) indexes with INCLUDE (run_id));
# on SQLite the step changes nothing but the version (those tables are
# WITHOUT ROWID: the primary key is the table, and each (key, value)
# index holds the primary key's run_id).
#
# Plan:
#   - a new registry is version 3, with those indexes on PostgreSQL and
#     version 2's on SQLite
#   - a version 2 registry (version 3's indexes put back as version 2 had
#     them, the version set back) is read only after a writer migrated
#     it; its runs list byte for byte as before, the filter finds the
#     same runs, and a metric logged afterwards replaces the latest value
#     through the new primary key (the writers' upsert names it)

load helpers/common

setup() {
	common_setup
	cd "$T"
	use_registry "$T/pp.db"
	export USER=tester
}

FILTER="metrics.rmse < 0.5 and params.model = 'ridge' and tags.env != 'dev'"

# The definitions of the indexes of latest_metrics, params and tags, one a
# line, sorted.
indexes() {
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		registry_sql "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()
		    AND tablename IN ('latest_metrics', 'params', 'tags') ORDER BY indexname" |
		    sed 's/ ON [a-z_0-9]*\./ ON /'
	else
		registry_sql "SELECT sql FROM sqlite_master WHERE type = 'index'
		    AND tbl_name IN ('latest_metrics', 'params', 'tags') ORDER BY name"
	fi
}

PG_V3_INDEXES="CREATE INDEX latest_metrics_key_value ON latest_metrics USING btree (key, value) INCLUDE (run_id)
CREATE UNIQUE INDEX latest_metrics_pkey ON latest_metrics USING btree (run_id, key) INCLUDE (value)
CREATE INDEX params_key_value ON params USING btree (key, value) INCLUDE (run_id)
CREATE UNIQUE INDEX params_pkey ON params USING btree (run_id, key) INCLUDE (value)
CREATE INDEX tags_key_value ON tags USING btree (key, value) INCLUDE (run_id)
CREATE UNIQUE INDEX tags_pkey ON tags USING btree (run_id, key) INCLUDE (value)"

SQLITE_INDEXES="CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value)
CREATE INDEX params_key_value ON params (key, value)
CREATE INDEX tags_key_value ON tags (key, value)"

# Version 3's indexes as version 2 made them, and the version set to 2.
as_version_2() {
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		local t sql=
		for t in latest_metrics params tags; do
			sql+="ALTER TABLE $t DROP CONSTRAINT ${t}_pkey, ADD PRIMARY KEY (run_id, key);
			    DROP INDEX ${t}_key_value; CREATE INDEX ${t}_key_value ON $t (key, value);"
		done
		registry_sql "$sql UPDATE pp_schema SET version = 2"
	else
		registry_sql "PRAGMA user_version = 2"
	fi
}

version() {
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		registry_sql "SELECT version FROM pp_schema"
	else
		registry_sql "PRAGMA user_version"
	fi
}

# assert_version_3: the registry is at version 3, with its backend's
# version 3 indexes.
assert_version_3() {
	run -0 version
	assert_output 3
	run -0 indexes
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		assert_output "$PG_V3_INDEXES"
	else
		assert_output "$SQLITE_INDEXES"
	fi
}

@test "a new registry is version 3, its indexes covering on PostgreSQL" {
	run -0 --separate-stderr pp-registry init
	assert_version_3
}

@test "a version 2 registry made version 3 by its first writer keeps its runs" {
	local i ids=()
	for i in 1 2 3 4 5 6; do
		run -0 --separate-stderr pp-registry run start -e e --name "r$i" \
		    --param model=$([ $((i % 2)) = 0 ] && echo ridge || echo gbm) \
		    --tag env=$([ $((i % 3)) = 0 ] && echo dev || echo prod)
		ids+=("$output")
		run -0 --separate-stderr pp-registry run end "${ids[-1]}" \
		    --metric "rmse=0.$i" --metric "mae=0.0$i@2"
	done
	run -0 --separate-stderr pp-registry runs -e e --format csv
	all=$output
	run -0 --separate-stderr pp-registry runs -e e --format csv --filter "$FILTER"
	found=$output
	# r2 and r4: ridge, rmse under 0.5, not dev (r6 is dev)
	assert_equal "${#lines[@]}" 3
	assert_line --index 1 --regexp "^${ids[3]},e,r4,"
	assert_line --index 2 --regexp "^${ids[1]},e,r2,"
	run -0 pp-registry show "${ids[1]}" --format csv
	show=$output

	as_version_2
	run -0 version
	assert_output 2
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		run -0 indexes
		refute_output --partial INCLUDE
	fi
	run -1 --separate-stderr pp-registry runs -e e
	assert_equal "$stderr" "pp-registry: $PP_REGISTRY: registry schema version 2 must be upgraded by a writer first"

	run -0 --separate-stderr pp-registry init
	assert_version_3
	run -0 --separate-stderr pp-registry runs -e e --format csv
	assert_output "$all"
	run -0 --separate-stderr pp-registry runs -e e --format csv --filter "$FILTER"
	assert_output "$found"
	run -0 pp-registry show "${ids[1]}" --format csv
	assert_output "$show"

	# A later point replaces rmse's latest value; an earlier step does not.
	run -0 --separate-stderr pp-registry run log "${ids[1]}" --metric rmse=0.75@1
	run -0 --separate-stderr pp-registry run log "${ids[1]}" --metric mae=0.5@1
	run -0 pp-registry show "${ids[1]}" --format csv
	assert_line 'metric,rmse,0.75'
	assert_line 'metric,mae,0.02'
	run -0 --separate-stderr pp-registry runs -e e --format csv --filter "$FILTER"
	assert_equal "${#lines[@]}" 2
	assert_line --index 1 --regexp "^${ids[3]},e,r4,"
}
