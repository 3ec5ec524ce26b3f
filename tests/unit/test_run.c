/*
 * test_run.c - lib/run: a run's life through its API.
 *
 * Plan:
 *   - start then finish: FINISHED, the version registered from the run
 *   - start then fail: FAILED with the error tag; a kill afterwards
 *     leaves it FAILED; a failed register leaves the run RUNNING for
 *     pp_run_fail, with no version
 *   - kill: a RUNNING run ends KILLED with "killed by SIGTERM", on a
 *     connection of its own while the program's stays open
 *   - attach: logs to another process's run; finish, fail and kill leave
 *     its status alone; a missing run or registry is an error
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "run.h"
#include "banned.h"

static char dir[] = "/tmp/test_run.XXXXXX";
static char db[64];

/* One text answer of sql about run id (bound as ?1), or "" if none. */
static const char *
sql_text(const char *sql, const char *id)
{
	static char buf[256];
	sqlite3 *h;
	sqlite3_stmt *st;

	buf[0] = '\0';
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, sizeof(buf), "%s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return buf;
}

static const char *
status(const char *id)
{
	return sql_text("SELECT status FROM runs WHERE run_id = ?1", id);
}

static const char *
tag(const char *id, const char *key)
{
	static char q[128];

	snprintf(q, sizeof(q), "SELECT value FROM tags WHERE run_id = ?1 "
	    "AND key = '%s'", key);
	return sql_text(q, id);
}

static void
start(struct pp_run *run)
{
	struct pp_run_start s = PP_RUN_START_INIT;
	struct pp_err err = PP_ERR_INIT;

	s.experiment = "t";
	if (pp_run_start(run, db, &s, NULL, &err) == -1)
		fail_msg("%s", err.msg);
	assert_true(pp_run_active(run));
	assert_string_equal(status(run->id), "RUNNING");
}

static void
test_finish(void **state)
{
	struct pp_run run = PP_RUN_INIT;
	struct pp_err err = PP_ERR_INIT;
	int64_t v = 0;

	(void)state;
	start(&run);
	assert_int_equal(pp_registry_artifact_put(run.reg, run.id, "m", "x", 1,
	    &err), 0);
	assert_int_equal(pp_run_finish(&run, "fin", "m", &v, &err), 0);
	assert_int_equal(v, 1);
	assert_string_equal(status(run.id), "FINISHED");
	assert_string_equal(sql_text("SELECT run_id FROM model_versions "
	    "WHERE name = 'fin' AND run_id = ?1", run.id), run.id);
	/* A signal after the end changes nothing. */
	assert_int_equal(pp_run_kill(&run, SIGTERM, &err), 0);
	assert_string_equal(status(run.id), "FINISHED");
	pp_run_release(&run);
	pp_run_release(&run);
}

static void
test_fail(void **state)
{
	struct pp_run run = PP_RUN_INIT;
	struct pp_err err = PP_ERR_INIT, why = PP_ERR_INIT;
	int64_t v = 0;

	(void)state;
	start(&run);
	/* No artifact "m": registering fails, the run stays RUNNING. */
	assert_int_equal(pp_run_finish(&run, "nofile", "m", &v, &err), -1);
	assert_string_equal(status(run.id), "RUNNING");
	pp_err_set(&why, PP_EXIT_DATA, "<stdout>: write error");
	assert_int_equal(pp_run_fail(&run, &why, &err), 0);
	assert_string_equal(status(run.id), "FAILED");
	assert_string_equal(tag(run.id, "error"), "<stdout>: write error");
	assert_int_equal(pp_run_kill(&run, SIGINT, &err), 0);
	assert_string_equal(status(run.id), "FAILED");
	assert_string_equal(sql_text("SELECT count(*) FROM model_versions "
	    "WHERE run_id = ?1", run.id), "0");
	pp_run_release(&run);
}

static void
test_kill(void **state)
{
	struct pp_run run = PP_RUN_INIT;
	struct pp_err err = PP_ERR_INIT;

	(void)state;
	start(&run);
	assert_int_equal(pp_run_kill(&run, SIGTERM, &err), 0);
	assert_string_equal(status(run.id), "KILLED");
	assert_string_equal(tag(run.id, "error"), "killed by SIGTERM");
	pp_run_release(&run);
}

static void
test_attach(void **state)
{
	struct pp_run owner = PP_RUN_INIT, run = PP_RUN_INIT;
	struct pp_err err = PP_ERR_INIT, why = PP_ERR_INIT;
	struct pp_metric m = { "eval_rmse", 0.5, 0, 0 };
	struct pp_log log = { NULL, 0, &m, 1, NULL, 0 };

	(void)state;
	start(&owner);
	assert_int_equal(pp_run_attach(&run, db, owner.id, &err), 0);
	assert_false(run.owned);
	assert_int_equal(pp_run_log(&run, &log, &err), 0);
	assert_string_equal(sql_text("SELECT value FROM metrics WHERE "
	    "run_id = ?1 AND key = 'eval_rmse'", owner.id), "0.5");
	pp_err_set(&why, PP_EXIT_DATA, "boom");
	assert_int_equal(pp_run_fail(&run, &why, &err), 0);
	assert_int_equal(pp_run_kill(&run, SIGTERM, &err), 0);
	assert_int_equal(pp_run_finish(&run, NULL, NULL, NULL, &err), 0);
	assert_string_equal(status(owner.id), "RUNNING");
	pp_run_release(&run);

	assert_int_equal(pp_run_attach(&run, db,
	    "0123456789abcdef0123456789abcdef", &err), -1);
	assert_string_equal(err.msg,
	    "no run \"0123456789abcdef0123456789abcdef\"");
	assert_false(pp_run_active(&run));
	pp_run_release(&run);
	pp_err_clear(&err);
	assert_int_equal(pp_run_attach(&run, "/nonexistent/pp.db", owner.id,
	    &err), -1);
	pp_run_release(&run);
	pp_run_release(&owner);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_fail),
		cmocka_unit_test(test_kill),
		cmocka_unit_test(test_attach),
	};
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/pp.db", dir);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(db);
	rmdir(dir);
	return rc;
}
