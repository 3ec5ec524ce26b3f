/*
 * test_registry_pg.c - lib/registry on PostgreSQL, and lib/db_pg under
 * it.  Needs a server: PP_TEST_PG_URL names its database (run-tests'
 * build:pg pass sets it through t7400, from tests/helpers/pgserver.bash);
 * without it every test skips, saying so.  Each test works in a schema
 * of its own.
 *
 * Plan:
 *   - db: "?" and "?N" rewritten to "$N" but inside quotes; every type
 *     bound and read back (NULL, int64 limits, doubles to the bit, text,
 *     bytes with NULs as bytea); the busy test of a failure
 *   - values: NaN (stored as NULL), -0, 1e308, subnormals, +-inf metrics
 *     read back exactly through a listing
 *   - artifacts: round trip through bytea; a corrupted row is refused by
 *     the SHA-256 check as on SQLite
 *   - migration: 8 processes open a new schema at once: all succeed and
 *     it is migrated once (one pp_schema row)
 *   - concurrency: 8 forked processes x 250 runs x (10 params + 50
 *     metrics): every row present
 *   - alias: 16 processes move one alias at once: 16 moves, the audit
 *     log a chain (each entry's from is the previous entry's to), so no
 *     move was lost
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "registry.h"
#include "registry_writer.h"
#include "banned.h"

static const char *base;	/* PP_TEST_PG_URL */
static int tag;			/* the parent's pid: schemas' suffix */

/* The URL of schema name (made empty now if make). */
static const char *
url(const char *name, int make)
{
	static char buf[1024];
	char sql[256], *why = NULL;
	struct pp_db *db;

	if (make) {
		db = pp_db_open(base, 0, &why);
		if (db == NULL)
			fail_msg("%s", why);
		snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s_%d CASCADE;"
		    " CREATE SCHEMA %s_%d", name, tag, name, tag);
		if (pp_db_exec(db, sql) == -1)
			fail_msg("%s", pp_db_errmsg(db));
		pp_db_close(db);
	}
	snprintf(buf, sizeof(buf), "%s%soptions=-csearch_path%%3D%s_%d", base,
	    strchr(base, '?') ? "&" : "?", name, tag);
	return buf;
}

static struct pp_registry *
fresh(const char *name)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_registry *r = pp_registry_open(url(name, 1), PP_REG_CREATE,
	    &err);

	if (r == NULL)
		fail_msg("%s", err.msg);
	return r;
}

/* One integer answer from schema name. */
static long long
sql_int(const char *name, const char *sql)
{
	char *why = NULL;
	struct pp_db *db = pp_db_open(url(name, 0), 0, &why);
	struct pp_db_stmt *st;
	long long v = -1;

	if (db == NULL)
		fail_msg("%s", why);
	st = pp_db_prepare(db, sql);
	if (pp_db_step(st) == PP_DB_ROW)
		v = pp_db_column_int64(st, 0);
	else
		fail_msg("%s: %s", sql, pp_db_errmsg(db));
	pp_db_finalize(st);
	pp_db_close(db);
	return v;
}

static int
need_server(void **state)
{
	(void)state;
	base = getenv("PP_TEST_PG_URL");
	if (tag == 0)
		tag = (int)getpid();
	if (base == NULL || *base == '\0')
		skip();
	return 0;
}

static void
test_db(void **state)
{
	static const unsigned char bytes[] = { 0, 1, 0x5c, 0x27, 0xff, 0 };
	static const double dbl[] = { 0.1, -0.0, 1e308, 4.9e-324, 2.5e-310 };
	struct pp_db_stmt *st;
	struct pp_db *db;
	char *why = NULL;
	size_t i;

	(void)state;
	need_server(state);
	db = pp_db_open(url("db", 1), 0, &why);
	assert_non_null(db);
	assert_string_equal(pp_db_dialect(db), "postgresql");
	/* '?' inside quotes is text; ?2 and a bare ? after it is $3. */
	st = pp_db_prepare(db, "SELECT '?x?' || ?2, ?1 || '\"?\"', ? + 1, "
	    "\"?column?\" FROM (SELECT 1 AS \"?column?\") AS t");
	pp_db_bind_text(st, 1, "a");
	pp_db_bind_text(st, 2, "b");
	pp_db_bind_int64(st, 3, INT64_MAX - 1);
	assert_int_equal(pp_db_step(st), PP_DB_ROW);
	assert_string_equal(pp_db_column_text(st, 0), "?x?b");
	assert_string_equal(pp_db_column_text(st, 1), "a\"?\"");
	assert_true(pp_db_column_int64(st, 2) == INT64_MAX);
	assert_int_equal(pp_db_column_type(st, 2), PP_DB_INT);
	assert_int_equal(pp_db_step(st), PP_DB_DONE);
	pp_db_finalize(st);
	for (i = 0; i < sizeof(dbl) / sizeof(dbl[0]); i++) {
		double got;

		st = pp_db_prepare(db, "SELECT ?::float8, ?::text, ?::bytea");
		pp_db_bind_double(st, 1, dbl[i]);
		pp_db_bind_null(st, 2);
		pp_db_bind_blob(st, 3, bytes, sizeof(bytes));
		assert_int_equal(pp_db_step(st), PP_DB_ROW);
		got = pp_db_column_double(st, 0);
		assert_memory_equal(&got, &dbl[i], sizeof(got));
		assert_int_equal(pp_db_column_type(st, 0), PP_DB_FLOAT);
		assert_int_equal(pp_db_column_type(st, 1), PP_DB_NULL);
		assert_null(pp_db_column_text(st, 1));
		assert_int_equal(pp_db_column_type(st, 2), PP_DB_BLOB);
		assert_int_equal(pp_db_column_bytes(st, 2), sizeof(bytes));
		assert_memory_equal(pp_db_column_blob(st, 2), bytes,
		    sizeof(bytes));
		pp_db_finalize(st);
	}
	st = pp_db_prepare(db, "SELECT * FROM no_such_table");
	assert_int_equal(pp_db_step(st), PP_DB_ERROR);
	assert_string_equal(pp_db_errmsg(db),
	    "relation \"no_such_table\" does not exist");
	assert_int_equal(pp_db_busy(db), 0);
	pp_db_finalize(st);
	pp_db_close(db);
}

static void
test_values(void **state)
{
	static const double v[] = { NAN, -0.0, 1e308, 4.9e-324, INFINITY,
	    -INFINITY, 0.1 };
	static const char *const want[] = { NULL, "-0", "1e+308", "5e-324",
	    "inf", "-inf", "0.1" };
	struct pp_registry *r;
	struct pp_reg_table t = PP_REG_TABLE_INIT;
	struct pp_run_start s = PP_RUN_START_INIT;
	struct pp_err err = PP_ERR_INIT;
	char id[PP_RUN_ID_LEN + 1], key[8];
	size_t i;

	need_server(state);
	r = fresh("vals");
	s.experiment = "e";
	assert_int_equal(pp_registry_run_start(r, &s, NULL, id, &err), 0);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		assert_int_equal(pp_registry_log_metric(r, id, key, v[i], 0,
		    &err), 0);
	}
	assert_int_equal(pp_registry_show(r, id, &t, &err), 0);
	for (i = 0; i < t.nrows; i++) {
		const char *kind = t.cells[i * 3], *k = t.cells[i * 3 + 1];

		if (strcmp(kind, "metric") != 0)
			continue;
		if (want[k[1] - '0'] == NULL)
			assert_null(t.cells[i * 3 + 2]);
		else
			assert_string_equal(t.cells[i * 3 + 2],
			    want[k[1] - '0']);
	}
	pp_reg_table_release(&t);
	pp_registry_close(r);
}

static void
test_artifacts(void **state)
{
	static const unsigned char data[] = { 0, 0x5c, 0x78, 0, 0xff, 'a' };
	struct pp_registry *r;
	struct pp_run_start s = PP_RUN_START_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_buf out = PP_BUF_INIT;
	char id[PP_RUN_ID_LEN + 1], *why = NULL;
	struct pp_db *db;

	need_server(state);
	r = fresh("art");
	s.experiment = "e";
	assert_int_equal(pp_registry_run_start(r, &s, NULL, id, &err), 0);
	assert_int_equal(pp_registry_artifact_put(r, id, "a.bin", data,
	    sizeof(data), &err), 0);
	assert_int_equal(pp_registry_artifact_get(r, id, "a.bin", &out, &err),
	    0);
	assert_int_equal(out.len, sizeof(data));
	assert_memory_equal(out.data, data, sizeof(data));
	db = pp_db_open(url("art", 0), 0, &why);
	assert_non_null(db);
	assert_int_equal(pp_db_exec(db, "UPDATE artifacts SET sha256 = "
	    "repeat('0', 64)"), 0);
	pp_db_close(db);
	assert_int_equal(pp_registry_artifact_get(r, id, "a.bin", &out, &err),
	    -1);
	assert_non_null(strstr(err.msg, "checksum mismatch"));
	pp_buf_release(&out);
	pp_registry_close(r);
}

/* Run n children of fn(i) and expect each to exit 0. */
static void
children(int n, void (*fn)(int))
{
	pid_t pids[16];
	int i, status;

	for (i = 0; i < n; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			fn(i);
	}
	for (i = 0; i < n; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

static void
opener(int i)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_registry *r = pp_registry_open(url("mig", 0), PP_REG_CREATE,
	    &err);

	(void)i;
	if (r == NULL) {
		fprintf(stderr, "opener: %s\n", err.msg);
		_exit(1);
	}
	pp_registry_close(r);
	_exit(0);
}

static void
test_migrate_once(void **state)
{
	need_server(state);
	url("mig", 1);
	children(8, opener);
	assert_int_equal(sql_int("mig", "SELECT count(*) FROM pp_schema"), 1);
	assert_int_equal(sql_int("mig", "SELECT version FROM pp_schema"),
	    PP_REGISTRY_SCHEMA);
}

/* Writer w of the concurrency load (registry_writer.h) on this server. */
static void
writer(int w)
{
	registry_writer(url("conc", 0), 0, w);
}

/* 8 writers of 250 runs of 10 params and 50 metrics at once. */
static void
test_concurrency(void **state)
{
	need_server(state);
	pp_registry_close(fresh("conc"));
	children(8, writer);
	assert_int_equal(sql_int("conc", "SELECT count(*) FROM runs WHERE "
	    "status = 'FINISHED'"), 2000);
	assert_int_equal(sql_int("conc", "SELECT count(*) FROM params"),
	    20000);
	assert_int_equal(sql_int("conc", "SELECT count(*) FROM metrics"),
	    100000);
	assert_int_equal(sql_int("conc", "SELECT count(*) FROM latest_metrics"),
	    100000);
}

/* Move alias champion of model m to version i + 1. */
static void
mover(int i)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_registry *r = pp_registry_open(url("alias", 0), 0, &err);
	struct pp_alias_move m;

	memset(&m, 0, sizeof(m));
	m.version = i + 1;
	if (r == NULL ||
	    pp_registry_alias_move(r, "m", "champion", &m, &err) == -1 ||
	    !m.moved) {
		fprintf(stderr, "mover %d: %s\n", i, err.msg);
		_exit(1);
	}
	pp_registry_close(r);
	_exit(0);
}

static void
test_alias_contention(void **state)
{
	struct pp_registry *r;
	struct pp_run_start s = PP_RUN_START_INIT;
	struct pp_err err = PP_ERR_INIT;
	char id[PP_RUN_ID_LEN + 1];
	int64_t v;
	int i;

	need_server(state);
	r = fresh("alias");
	s.experiment = "e";
	assert_int_equal(pp_registry_run_start(r, &s, NULL, id, &err), 0);
	assert_int_equal(pp_registry_artifact_put(r, id, "a", "x", 1, &err),
	    0);
	for (i = 0; i < 16; i++)
		assert_int_equal(pp_registry_register(r, "m", id, "a", NULL,
		    &v, &err), 0);
	assert_int_equal(v, 16);
	pp_registry_close(r);
	children(16, mover);
	assert_int_equal(sql_int("alias", "SELECT count(*) FROM audit WHERE "
	    "what = 'alias champion'"), 16);
	/* A chain: one entry from nothing, and every other entry's from is
	 * the to of the entry before it. */
	assert_int_equal(sql_int("alias", "SELECT count(*) FROM audit WHERE "
	    "from_value IS NULL"), 1);
	assert_int_equal(sql_int("alias", "SELECT count(*) FROM (SELECT "
	    "from_value, lag(to_value) OVER (ORDER BY id) AS prev FROM audit) "
	    "AS a WHERE from_value IS DISTINCT FROM prev"), 0);
	assert_int_equal(sql_int("alias", "SELECT count(*) FROM aliases a "
	    "JOIN audit u ON u.id = (SELECT max(id) FROM audit) WHERE "
	    "a.version::text = u.to_value"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_artifacts),
		cmocka_unit_test(test_migrate_once),
		cmocka_unit_test(test_concurrency),
		cmocka_unit_test(test_alias_contention),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
