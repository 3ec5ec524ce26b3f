/*
 * test_db.c - lib/db: which names are PostgreSQL, and the SQLite backend
 * through the same calls the registry makes (test_registry_pg.c does the
 * PostgreSQL backend, with a server).
 *
 * Plan:
 *   - pp_db_is_url: URLs, key=value strings and paths, edge rows (empty,
 *     a path containing "=", "./host=x", a near miss of the scheme)
 *   - SQLite: every type bound and read back (NULL, int64 limits, doubles
 *     to the bit, text, bytes with NULs), numbered parameters reused,
 *     column names, changes, the failure of a bad statement and its
 *     message, begin/commit of both kinds
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "banned.h"

static void
test_is_url(void **state)
{
	static const struct {
		const char *name;
		int want;
	} rows[] = {
		{ "postgresql://u@h/db", 1 },
		{ "postgresql:///db?host=/run/postgresql", 1 },
		{ "postgres://h/db", 1 },
		{ "host=/tmp dbname=pp", 1 },
		{ "dbname=pp", 1 },
		{ "user=me host=h", 1 },
		{ "port=5433 dbname=x", 1 },
		{ "service=pp", 1 },
		{ "hostaddr=127.0.0.1 dbname=x", 1 },
		{ "pp.db", 0 },
		{ "", 0 },
		{ "./host=x", 0 },
		{ "/tmp/host=x", 0 },
		{ "dir/a=b.db", 0 },
		{ "postgresql:/x", 0 },
		{ "postgresqlx://h/db", 0 },
		{ "Host=x", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (pp_db_is_url(rows[i].name) != rows[i].want)
			fail_msg("\"%s\": want %d", rows[i].name, rows[i].want);
}

static void
test_shown_name(void **state)
{
	static const struct {
		const char *name, *want;
	} rows[] = {
		{ "postgresql://u:secret@h/db", "postgresql://u:***@h/db" },
		{ "postgres://u:s@h:5432/db?x=1", "postgres://u:***@h:5432/db?x=1" },
		{ "postgresql://u@h/db", "postgresql://u@h/db" },
		{ "postgresql:///db?host=/tmp&password=pw&user=u",
		  "postgresql:///db?host=/tmp&password=***&user=u" },
		{ "host=h password=pw dbname=d", "host=h password=*** dbname=d" },
		{ "dbname=d password=pw", "dbname=d password=***" },
		{ "postgresql://h/db?a=b@c:d", "postgresql://h/db?a=b@c:d" },
		{ "pp:pw@x.db", "pp:pw@x.db" },
		{ "password=x.db", "password=x.db" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = pp_db_shown_name(rows[i].name);

		assert_string_equal(got, rows[i].want);
		free(got);
	}
}

static void
test_sqlite(void **state)
{
	static const unsigned char bytes[] = { 0, 1, 0x27, 0xff, 0 };
	static const double dbl[] = { 0.1, -0.0, 1e308, 4.9e-324 };
	char path[] = "/tmp/test_db.XXXXXX";
	struct pp_db_stmt *st;
	struct pp_db *db;
	char *why = NULL;
	double got;
	size_t i;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	db = pp_db_open(path, PP_DB_CREATE, &why);
	assert_non_null(db);
	assert_string_equal(pp_db_dialect(db), "sqlite");
	assert_int_equal(pp_db_is_pg(db), 0);
	assert_int_equal(pp_db_begin(db, PP_DB_TX_WRITE), 0);
	assert_int_equal(pp_db_exec(db, "CREATE TABLE t (a, b, c)"), 0);
	st = pp_db_prepare(db, "INSERT INTO t VALUES (?1, ?2, ?1)");
	assert_non_null(st);
	pp_db_bind_int64(st, 1, INT64_MIN);
	pp_db_bind_blob(st, 2, bytes, sizeof(bytes));
	assert_int_equal(pp_db_step(st), PP_DB_DONE);
	assert_int_equal(pp_db_changes(db), 1);
	pp_db_finalize(st);
	assert_int_equal(pp_db_exec(db, "COMMIT"), 0);
	assert_int_equal(pp_db_begin(db, PP_DB_TX_READ), 0);
	st = pp_db_prepare(db, "SELECT a, b, c, NULL AS n, 'x' AS s FROM t");
	assert_int_equal(pp_db_step(st), PP_DB_ROW);
	assert_int_equal(pp_db_column_count(st), 5);
	assert_string_equal(pp_db_column_name(st, 4), "s");
	assert_int_equal(pp_db_column_type(st, 0), PP_DB_INT);
	assert_true(pp_db_column_int64(st, 0) == INT64_MIN);
	assert_true(pp_db_column_int64(st, 2) == INT64_MIN);
	assert_int_equal(pp_db_column_type(st, 1), PP_DB_BLOB);
	assert_int_equal(pp_db_column_bytes(st, 1), sizeof(bytes));
	assert_memory_equal(pp_db_column_blob(st, 1), bytes, sizeof(bytes));
	assert_int_equal(pp_db_column_type(st, 3), PP_DB_NULL);
	assert_null(pp_db_column_text(st, 3));
	assert_int_equal(pp_db_column_type(st, 4), PP_DB_TEXT);
	assert_string_equal(pp_db_column_text(st, 4), "x");
	assert_int_equal(pp_db_step(st), PP_DB_DONE);
	pp_db_finalize(st);
	for (i = 0; i < sizeof(dbl) / sizeof(dbl[0]); i++) {
		st = pp_db_prepare(db, "SELECT ?");
		pp_db_bind_double(st, 1, dbl[i]);
		assert_int_equal(pp_db_step(st), PP_DB_ROW);
		assert_int_equal(pp_db_column_type(st, 0), PP_DB_FLOAT);
		got = pp_db_column_double(st, 0);
		assert_memory_equal(&got, &dbl[i], sizeof(got));
		pp_db_finalize(st);
	}
	assert_null(pp_db_prepare(db, "SELECT * FROM no_such_table"));
	assert_string_equal(pp_db_errmsg(db), "no such table: no_such_table");
	assert_int_equal(pp_db_busy(db), 0);
	assert_int_equal(pp_db_exec(db, "COMMIT"), 0);
	pp_db_close(db);
	pp_db_close(NULL);
	pp_db_finalize(NULL);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_url),
		cmocka_unit_test(test_shown_name),
		cmocka_unit_test(test_sqlite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
