/*
 * test_store.c - the SQLite market store.
 *
 * Plan: a new file gets the schema; loading the same bars twice adds them
 * once (idempotence) and counts them unchanged; other values for a key
 * replace the stored bar and are counted; edge doubles (1e308, subnormal,
 * fractional volume) come back bit for bit; reading back is ordered by
 * symbol then date and filtered by symbols and dates, with per-symbol
 * counts; a load rolled back leaves nothing; two processes loading at once
 * both succeed; a missing file, a SQLite file that is not a store and a
 * store from a newer program are errors; a store whose creation never
 * committed (an empty file, or SQLite without tables: its writer was
 * killed) reads as an empty store, and the next load creates it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "date.h"
#include "store.h"
#include "banned.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_store.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/market.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char p[160];

	(void)state;
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	rmdir(dir);
	return 0;
}

static struct pp_ohlcv_row
bar(const char *sym, const char *date, double close, double volume)
{
	struct pp_ohlcv_row r;

	r.sym = sym;
	r.symlen = strlen(sym);
	assert_int_equal(pp_date_parse(date, strlen(date), &r.date), 0);
	r.open = r.high = r.low = r.close = close;
	r.volume = volume;
	return r;
}

static void
load(const struct pp_ohlcv_row *rows, size_t n, struct pp_store_counts *c)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_store *st = pp_store_open(path, 1, &err);
	size_t i;

	if (st == NULL)
		fail_msg("%s", err.msg);
	memset(c, 0, sizeof(*c));
	assert_int_equal(pp_store_begin(st, &err), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(pp_store_put(st, &rows[i], c, &err), 0);
	assert_int_equal(pp_store_commit(st, &err), 0);
	pp_store_close(st);
}

/* The store's contents for a query, one "SYM DATE close volume" line per
 * bar, then "found: n n ..." per queried symbol. */
static char *
dump(const char *symlist, const char *start, const char *end)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_store *st = pp_store_open(path, 0, &err);
	struct pp_store_query q = { NULL, 0, PP_OHLCV_NO_START,
		PP_OHLCV_NO_END };
	struct pp_ohlcv_row r;
	char **syms = NULL;
	size_t nsym = 0, i;
	char *out = NULL;
	size_t len = 0;
	FILE *os = open_memstream(&out, &len);
	int rc;

	if (st == NULL)
		fail_msg("%s", err.msg);
	if (symlist)
		assert_int_equal(pp_ohlcv_symbols(symlist, &syms, &nsym, &err),
		    0);
	q.syms = syms;
	q.nsym = nsym;
	if (start)
		assert_int_equal(pp_date_parse(start, 10, &q.start), 0);
	if (end)
		assert_int_equal(pp_date_parse(end, 10, &q.end), 0);
	assert_int_equal(pp_store_select(st, &q, &err), 0);
	while ((rc = pp_store_next(st, &r, &err)) == 1) {
		char d[PP_DATE_BUFSZ];

		pp_date_fmt(d, r.date);
		fprintf(os, "%.*s %s %.17g %.17g\n", (int)r.symlen, r.sym, d,
		    r.close, r.volume);
	}
	assert_int_equal(rc, 0);
	if (nsym > 0) {
		fprintf(os, "found:");
		for (i = 0; i < nsym; i++)
			fprintf(os, " %zu", pp_store_found(st)[i]);
		fprintf(os, "\n");
	}
	fclose(os);
	pp_ohlcv_symbols_free(syms, nsym);
	pp_store_close(st);
	return out;
}

static void
test_idempotent(void **state)
{
	struct pp_ohlcv_row rows[] = {
		bar("MSFT", "2024-01-03", 2, 20),
		bar("AAPL", "2024-01-03", 1.5, 15),
		bar("AAPL", "2024-01-02", 1, 10),
		bar("X", "1970-01-01", 1e308, 0.5),
		bar("X", "9999-12-31", 4.9e-324, 1e15),
	};
	struct pp_store_counts c;
	char *out;

	(void)state;
	load(rows, 5, &c);
	assert_int_equal(c.added, 5);
	assert_int_equal(c.unchanged, 0);
	assert_int_equal(c.replaced, 0);
	load(rows, 5, &c);
	assert_int_equal(c.added, 0);
	assert_int_equal(c.unchanged, 5);
	assert_int_equal(c.replaced, 0);
	out = dump(NULL, NULL, NULL);
	assert_string_equal(out,
	    "AAPL 2024-01-02 1 10\n"
	    "AAPL 2024-01-03 1.5 15\n"
	    "MSFT 2024-01-03 2 20\n"
	    "X 1970-01-01 1e+308 0.5\n"
	    "X 9999-12-31 4.9406564584124654e-324 1000000000000000\n");
	free(out);

	/* An overlapping re-fetch: one bar revised, one new. */
	rows[0] = bar("MSFT", "2024-01-03", 2.5, 20);
	rows[1] = bar("MSFT", "2024-01-04", 3, 30);
	load(rows, 3, &c);
	assert_int_equal(c.added, 1);
	assert_int_equal(c.unchanged, 1);
	assert_int_equal(c.replaced, 1);
	out = dump("MSFT,NOPE,AAPL", "2024-01-03", "2024-12-31");
	assert_string_equal(out,
	    "AAPL 2024-01-03 1.5 15\n"
	    "MSFT 2024-01-03 2.5 20\n"
	    "MSFT 2024-01-04 3 30\n"
	    "found: 1 2 0\n");
	free(out);
	out = dump(NULL, "2024-01-04", NULL);
	assert_string_equal(out, "MSFT 2024-01-04 3 30\n"
	    "X 9999-12-31 4.9406564584124654e-324 1000000000000000\n");
	free(out);
	out = dump(NULL, NULL, "1970-01-01");
	assert_string_equal(out, "X 1970-01-01 1e+308 0.5\n");
	free(out);
}

static void
test_rollback(void **state)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_store *st = pp_store_open(path, 1, &err);
	struct pp_store_counts c = { 0, 0, 0 };
	struct pp_ohlcv_row r = bar("A", "2024-01-02", 1, 1);
	char *out;

	(void)state;
	assert_non_null(st);
	assert_int_equal(pp_store_begin(st, &err), 0);
	assert_int_equal(pp_store_put(st, &r, &c, &err), 0);
	pp_store_rollback(st);
	/* A load left open is rolled back on close too. */
	assert_int_equal(pp_store_begin(st, &err), 0);
	assert_int_equal(pp_store_put(st, &r, &c, &err), 0);
	pp_store_close(st);
	out = dump(NULL, NULL, NULL);
	assert_string_equal(out, "");
	free(out);
}

/* Two processes load 500 bars each at the same moment: the busy timeout
 * queues them; neither fails, no bar is lost. */
static void
test_concurrent(void **state)
{
	pid_t pid[2];
	int i, status;
	char *out;
	size_t lines = 0;
	const char *p;

	(void)state;
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			struct pp_err err = PP_ERR_INIT;
			struct pp_store_counts c = { 0, 0, 0 };
			struct pp_store *st;
			struct pp_ohlcv_row r = bar(i ? "B" : "A",
			    "2000-01-01", 1, 1);
			int k, rc = 0;

			for (k = 0; k < 5 && rc == 0; k++) {
				int j;

				st = pp_store_open(path, 1, &err);
				if (st == NULL || pp_store_begin(st, &err)) {
					fprintf(stderr, "%s\n", err.msg);
					_exit(1);
				}
				for (j = 0; j < 100 && rc == 0; j++) {
					r.date++;
					rc = pp_store_put(st, &r, &c, &err);
				}
				if (rc == 0)
					rc = pp_store_commit(st, &err);
				pp_store_close(st);
			}
			if (rc != 0)
				fprintf(stderr, "%s\n", err.msg);
			else if (c.added != 500)
				fprintf(stderr, "added %zu of 500\n", c.added);
			_exit(rc == 0 && c.added == 500 ? 0 : 1);
		}
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	out = dump(NULL, NULL, NULL);
	for (p = out; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1000);
	free(out);
}

static void
test_open_errors(void **state)
{
	struct pp_err err = PP_ERR_INIT;
	sqlite3 *db;
	char msg[256];

	(void)state;
	assert_null(pp_store_open(path, 0, &err));
	snprintf(msg, sizeof(msg), "%s: No such file or directory", path);
	assert_string_equal(err.msg, msg);

	/* Some other SQLite file. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE runs (id INTEGER)",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	for (int w = 0; w < 2; w++) {
		pp_err_clear(&err);
		assert_null(pp_store_open(path, w, &err));
		snprintf(msg, sizeof(msg), "%s: not a market store", path);
		assert_string_equal(err.msg, msg);
	}
	unlink(path);

	/* A store written by a newer program. */
	pp_store_close(pp_store_open(path, 1, &err));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 2", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	pp_err_clear(&err);
	assert_null(pp_store_open(path, 1, &err));
	snprintf(msg, sizeof(msg), "%s: store version 2 is newer than this "
	    "program's (1)", path);
	assert_string_equal(err.msg, msg);

	/* Not a database at all. */
	unlink(path);
	{
		FILE *fp = fopen(path, "w");

		assert_non_null(fp);
		fputs("symbol,date\nA,2024-01-02\n", fp);
		fclose(fp);
	}
	pp_err_clear(&err);
	assert_null(pp_store_open(path, 0, &err));
	snprintf(msg, sizeof(msg), "%s: file is not a database", path);
	assert_string_equal(err.msg, msg);
	pp_store_close(NULL);
}

static void
test_killed_creation_reads_empty(void **state)
{
	struct pp_store_query q = { NULL, 0, PP_OHLCV_NO_START,
		PP_OHLCV_NO_END };
	struct pp_err err = PP_ERR_INIT;
	struct pp_ohlcv_row r;
	struct pp_store *st;
	sqlite3 *db;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0) {
			FILE *fp = fopen(path, "w");

			assert_non_null(fp);
			fclose(fp);
		} else {
			unlink(path);
			assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
			assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode "
			    "= WAL", NULL, NULL, NULL), SQLITE_OK);
			sqlite3_close(db);
		}
		st = pp_store_open(path, 0, &err);
		assert_non_null(st);
		assert_int_equal(pp_store_select(st, &q, &err), 0);
		assert_int_equal(pp_store_next(st, &r, &err), 0);
		pp_store_close(st);
		st = pp_store_open(path, 1, &err);
		assert_non_null(st);
		pp_store_close(st);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idempotent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_killed_creation_reads_empty,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
