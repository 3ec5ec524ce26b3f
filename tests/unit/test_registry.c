/*
 * test_registry.c - lib/registry and lib/registry_io through their APIs.
 *
 * Plan:
 *   - open: create, reopen, refuse what is not a registry (random bytes,
 *     text, foreign SQLite, newer schema, missing file read-only)
 *   - runs: start/log/end, param immutability, all-or-nothing batches,
 *     the latest-metric rule, NaN/-0/1e308/subnormal metric values
 *     stored and read back exactly
 *   - artifacts: round trip (empty, binary), corruption detected
 *   - models: versions, stages, aliases, a table of URIs and what each
 *     resolves to (or the error it gives), pp_registry_load
 *   - concurrency: 8 forked processes x 250 runs x (10 params + 50
 *     metrics) through the library; every row present, integrity ok
 *   - registry_io: a listing as table, CSV and JSON; metric CSV batches
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
#include <sqlite3.h>

#include "registry_io.h"
#include "registry.h"
#include "registry_writer.h"
#include "banned.h"

static char dir[] = "/tmp/test_registry.XXXXXX";

static const char *
path(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static void
write_file(const char *name, const void *data, size_t n)
{
	FILE *fp = fopen(path(name), "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static struct pp_registry *
fresh(const char *name)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_registry *r;

	unlink(path(name));
	r = pp_registry_open(path(name), PP_REG_CREATE, &err);
	if (r == NULL)
		fail_msg("%s", err.msg);
	return r;
}

/* One sqlite3 integer answer about a registry file. */
static long long
sql_int(const char *name, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_open(path(name), &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
test_open(void **state)
{
	static const struct {
		const char *name;
		const char *content;	/* NULL: leave as set up below */
		unsigned flags;
		const char *msg;	/* after "DIR/NAME: " */
	} rows[] = {
		{ "random", "\x8f\x01\xff\x00garbage-garbage-garbage-garbage"
		  "-garbage-garbage-garbage-garbage-garbage-garbage-garbage-"
		  "garbage-garbage", PP_REG_CREATE, "not a registry" },
		{ "text.csv", "date,close\n2024-01-02,1\n", 0, "not a registry" },
		{ "foreign", NULL, PP_REG_CREATE, "not a registry" },
		{ "newer", NULL, 0, "registry schema version 7 is newer than "
		  "this program knows (3)" },
		{ "empty", "", PP_REG_READONLY, "not a registry (empty file)" },
		{ "missing", NULL, PP_REG_READONLY, "No such file or directory" },
	};
	struct pp_err err = PP_ERR_INIT;
	struct pp_registry *r;
	sqlite3 *db;
	size_t i;

	(void)state;
	assert_int_equal(sqlite3_open(path("foreign"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (a)", 0, 0, 0), 0);
	sqlite3_close(db);
	r = fresh("newer");
	pp_registry_close(r);
	assert_int_equal(sqlite3_open(path("newer"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 7", 0, 0, 0),
	    0);
	sqlite3_close(db);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char want[512];

		if (rows[i].content)
			write_file(rows[i].name, rows[i].content,
			    strlen(rows[i].content) +
			    (rows[i].content[0] == '\x8f' ? 1 : 0));
		pp_err_clear(&err);
		r = pp_registry_open(path(rows[i].name), rows[i].flags, &err);
		assert_null(r);
		snprintf(want, sizeof(want), "%s: %s", path(rows[i].name),
		    rows[i].msg);
		assert_string_equal(err.msg, want);
		assert_int_equal(err.code, PP_EXIT_DATA);
	}
	/* a new registry is stamped, in WAL mode, and reopens */
	r = fresh("ok");
	assert_int_equal(pp_registry_schema(r), PP_REGISTRY_SCHEMA);
	pp_registry_close(r);
	assert_int_equal(sql_int("ok", "PRAGMA application_id"),
	    PP_REGISTRY_APP_ID);
	assert_int_equal(sql_int("ok", "PRAGMA user_version"),
	    PP_REGISTRY_SCHEMA);
	r = pp_registry_open(path("ok"), PP_REG_READONLY, &err);
	assert_non_null(r);
	pp_registry_close(r);
}

/* The value cell of show's row kind/key, or NULL. */
static const char *
show_value(const struct pp_reg_table *t, const char *kind, const char *key)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (strcmp(t->cells[i * 3], kind) == 0 &&
		    strcmp(t->cells[i * 3 + 1], key) == 0)
			return t->cells[i * 3 + 2] ? t->cells[i * 3 + 2] : "NULL";
	return NULL;
}

static void
test_runs(void **state)
{
	struct pp_registry *r = fresh("runs");
	struct pp_err err = PP_ERR_INIT;
	struct pp_run_start s = PP_RUN_START_INIT;
	struct pp_kv params[] = { { "alpha", "1" }, { "model", "ridge" } };
	struct pp_metric pts[] = {
		{ "loss", 3, 5, 0 }, { "loss", 1, 7, 0 }, { "loss", 2, 6, 0 },
		{ "nan", NAN, 0, 0 }, { "negzero", -0.0, 0, 0 },
		{ "huge", 1e308, 0, 0 }, { "tiny", 4.9e-324, 0, 0 },
	};
	static const struct {
		const char *key, *shown;
	} latest[] = {
		{ "loss", "1" }, { "nan", "NULL" }, { "negzero", "0" },
		{ "huge", "1e+308" }, { "tiny", "5e-324" },
		/* SQLite stores a whole REAL as an integer: -0 comes back 0 */
	};
	struct pp_log log = { params, 2, pts, 7, NULL, 0 };
	struct pp_reg_table t = PP_REG_TABLE_INIT;
	char id[PP_RUN_ID_LEN + 1], id2[PP_RUN_ID_LEN + 1], want[256];
	struct pp_kv p2 = { "alpha", "2" };
	struct pp_metric m2 = { "after", 1, 0, 0 };
	struct pp_log l2 = { &p2, 1, &m2, 1, NULL, 0 };
	size_t i;

	(void)state;
	s.experiment = "exp";
	s.name = "first";
	assert_int_equal(pp_registry_run_start(r, &s, &log, id, &err), 0);
	assert_int_equal(strlen(id), 32);
	assert_int_equal(strspn(id, "0123456789abcdef"), 32);
	assert_int_equal(pp_registry_run_start(r, &s, NULL, id2, &err), 0);
	assert_string_not_equal(id, id2);
	/* the same value again is fine; another fails the whole batch */
	assert_int_equal(pp_registry_log_param(r, id, "alpha", "1", &err), 0);
	assert_int_equal(pp_registry_log(r, id, &l2, &err), -1);
	snprintf(want, sizeof(want), "param \"alpha\" of run %s is already "
	    "\"1\"", id);
	assert_string_equal(err.msg, want);
	pp_err_clear(&err);
	assert_int_equal(pp_registry_set_tag(r, id, "env", "a", &err), 0);
	assert_int_equal(pp_registry_set_tag(r, id, "env", "b", &err), 0);
	assert_int_equal(pp_registry_log_metric(r, id, "loss", 9, 6, &err), 0);
	assert_int_equal(pp_registry_run_end(r, id, PP_RUN_FINISHED, NULL,
	    &err), 0);
	assert_int_equal(pp_registry_show(r, id, &t, &err), 0);
	assert_null(show_value(&t, "metric", "after"));
	assert_string_equal(show_value(&t, "tag", "env"), "b");
	assert_string_equal(show_value(&t, "param", "model"), "ridge");
	assert_string_equal(show_value(&t, "attribute", "status"), "FINISHED");
	pp_reg_table_release(&t);
	/* KILLED ends a RUNNING run only, with its log; else nothing. */
	{
		struct pp_kv why = { "error", "killed by SIGTERM" };
		struct pp_log kl = { NULL, 0, NULL, 0, &why, 1 };

		assert_int_equal(pp_registry_run_end(r, id, PP_RUN_KILLED,
		    &kl, &err), 0);
		assert_int_equal(pp_registry_show(r, id, &t, &err), 0);
		assert_string_equal(show_value(&t, "attribute", "status"),
		    "FINISHED");
		assert_null(show_value(&t, "tag", "error"));
		pp_reg_table_release(&t);
		assert_int_equal(pp_registry_run_end(r, id2, PP_RUN_KILLED,
		    &kl, &err), 0);
		assert_int_equal(pp_registry_show(r, id2, &t, &err), 0);
		assert_string_equal(show_value(&t, "attribute", "status"),
		    "KILLED");
		assert_string_equal(show_value(&t, "tag", "error"),
		    "killed by SIGTERM");
		pp_reg_table_release(&t);
	}
	assert_int_equal(pp_registry_show(r, id, &t, &err), 0);
	for (i = 0; i < sizeof(latest) / sizeof(latest[0]); i++)
		assert_string_equal(show_value(&t, "metric", latest[i].key),
		    latest[i].shown);
	pp_reg_table_release(&t);
	assert_int_equal(pp_registry_metric_history(r, id, "loss", &t, &err),
	    0);
	assert_int_equal(t.nrows, 4);
	assert_string_equal(t.cells[0 * 3 + 1], "3");
	assert_string_equal(t.cells[3 * 3 + 0], "6");
	assert_string_equal(t.cells[3 * 3 + 1], "9");
	pp_reg_table_release(&t);
	/* errors */
	assert_int_equal(pp_registry_log_metric(r, "nope", "a", 1, 0, &err),
	    -1);
	assert_int_equal(err.code, PP_EXIT_USAGE);
	pp_err_clear(&err);
	assert_int_equal(pp_registry_run_end(r, id, PP_RUN_RUNNING, NULL,
	    &err), -1);
	pp_err_clear(&err);
	assert_int_equal(pp_registry_set_tag(r, id, "", "x", &err), -1);
	assert_string_equal(err.msg, "empty tag key");
	pp_err_clear(&err);
	assert_int_equal(pp_registry_run_delete(r, id2, &err), 0);
	assert_int_equal(pp_registry_log_param(r, id2, "a", "b", &err), -1);
	snprintf(want, sizeof(want), "run \"%s\" is deleted", id2);
	assert_string_equal(err.msg, want);
	pp_registry_close(r);
}

static void
test_artifacts(void **state)
{
	struct pp_registry *r = fresh("art");
	struct pp_err err = PP_ERR_INIT;
	struct pp_run_start s = PP_RUN_START_INIT;
	struct pp_buf b = PP_BUF_INIT;
	unsigned char bin[3000];
	char id[PP_RUN_ID_LEN + 1], want[256];
	sqlite3 *db;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7 + i / 13);
	s.experiment = "e";
	assert_int_equal(pp_registry_run_start(r, &s, NULL, id, &err), 0);
	assert_int_equal(pp_registry_artifact_put(r, id, "bin", bin,
	    sizeof(bin), &err), 0);
	assert_int_equal(pp_registry_artifact_put(r, id, "empty", "", 0, &err),
	    0);
	assert_int_equal(pp_registry_artifact_get(r, id, "bin", &b, &err), 0);
	assert_int_equal(b.len, sizeof(bin));
	assert_memory_equal(b.data, bin, sizeof(bin));
	assert_int_equal(pp_registry_artifact_get(r, id, "empty", &b, &err), 0);
	assert_int_equal(b.len, 0);
	/* flip one stored byte: an error, and no bytes handed out */
	assert_int_equal(sqlite3_open(path("art"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE artifacts SET sha256 = "
	    "replace(sha256, substr(sha256, 1, 1), 'x') WHERE name = 'bin'",
	    0, 0, 0), 0);
	sqlite3_close(db);
	assert_int_equal(pp_registry_artifact_get(r, id, "bin", &b, &err), -1);
	assert_int_equal(b.len, 0);
	snprintf(want, sizeof(want), "artifact \"bin\" of run %s: checksum "
	    "mismatch", id);
	assert_string_equal(err.msg, want);
	pp_buf_release(&b);
	pp_registry_close(r);
}

static void
test_models(void **state)
{
	static const struct {
		const char *uri;
		int64_t version;	/* 0: error expected */
		const char *artifact;	/* or the error message */
	} rows[] = {
		{ "models:/m/1", 1, "a1" },
		{ "models:/m/3", 3, "a3" },
		{ "models:/m@champion", 2, "a2" },
		{ "models:/m/Production", 3, "a3" },
		{ "models:/m/production", 3, "a3" },
		{ "models:/m/Staging", 2, "a2" },
		{ "models:/m/latest", 3, "a3" },
		{ "models:/m/4", 0, "models:/m/4: no such model version" },
		{ "models:/m@gold", 0, "models:/m@gold: no such model version" },
		{ "models:/m/Archived", 1, "a1" },	/* by --archive-existing */
		{ "models:/m/None", 0, "models:/m/None: no such model version" },
		{ "models:/x/1", 0, "models:/x/1: no model \"x\"" },
		{ "models:/m", 0, "bad model URI \"models:/m\": want "
		  "models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/STAGE" },
		{ "models:/m/1/2", 0, "bad model URI \"models:/m/1/2\": want "
		  "models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/STAGE" },
		{ "models:/m/0", 0, "bad model URI \"models:/m/0\": \"0\" is not "
		  "a version, a stage or latest" },
		{ "models:/m@latest", 0, "models:/m@latest: bad alias "
		  "\"latest\": reserved" },
		{ "file.ppm", 0, "bad model URI \"file.ppm\": want "
		  "models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE "
		  "or runs:/RUN_ID[/ARTIFACT]" },
	};
	struct pp_registry *r = fresh("models");
	struct pp_err err = PP_ERR_INIT;
	struct pp_run_start s = PP_RUN_START_INIT;
	struct pp_registry_ref ref = PP_REGISTRY_REF_INIT;
	struct pp_buf b = PP_BUF_INIT;
	char id[4][PP_RUN_ID_LEN + 1], name[16], uri[64];
	int64_t v;
	int i;

	(void)state;
	s.experiment = "e";
	for (i = 1; i <= 3; i++) {
		assert_int_equal(pp_registry_run_start(r, &s, NULL, id[i], &err),
		    0);
		snprintf(name, sizeof(name), "a%d", i);
		assert_int_equal(pp_registry_artifact_put(r, id[i], name, name,
		    2, &err), 0);
		assert_int_equal(pp_registry_register(r, "m", id[i], NULL,
		    NULL, &v, &err), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(pp_registry_promote(r, "m", 1, PP_STAGE_PRODUCTION, 0,
	    &err), 0);
	assert_int_equal(pp_registry_promote(r, "m", 2, PP_STAGE_STAGING, 0,
	    &err), 0);
	assert_int_equal(pp_registry_promote(r, "m", 3, PP_STAGE_PRODUCTION, 1,
	    &err), 0);
	assert_int_equal(pp_registry_alias_set(r, "m", "champion", 2, &err), 0);
	for (i = 0; i < (int)(sizeof(rows) / sizeof(rows[0])); i++) {
		int rc = pp_registry_resolve(r, rows[i].uri, &ref, &err);

		if (rows[i].version) {
			if (rc != 0)
				fail_msg("%s: %s", rows[i].uri, err.msg);
			assert_int_equal(ref.version, rows[i].version);
			assert_string_equal(ref.model, "m");
			assert_string_equal(ref.artifact, rows[i].artifact);
			assert_string_equal(ref.run_id, id[rows[i].version]);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(err.msg, rows[i].artifact);
			pp_err_clear(&err);
		}
		pp_registry_ref_release(&ref);
	}
	snprintf(uri, sizeof(uri), "runs:/%s", id[2]);
	assert_int_equal(pp_registry_load(r, uri, &b, &ref, &err), 0);
	assert_string_equal(b.data, "a2");
	assert_null(ref.model);
	assert_int_equal(pp_registry_load(r, "models:/m@champion", &b, NULL,
	    &err), 0);
	assert_string_equal(b.data, "a2");
	assert_int_equal(pp_registry_is_uri("models:/m/1"), 1);
	assert_int_equal(pp_registry_is_uri("model.ppm"), 0);
	pp_registry_ref_release(&ref);
	pp_buf_release(&b);
	pp_registry_close(r);
}

/*
 * The load through the library: 8 processes, each 250 runs of 10
 * params and 50 metrics, in one file at once.  (t7200 does the same
 * through pp-registry.)
 */
static void
test_concurrency(void **state)
{
	struct pp_registry *r = fresh("conc");
	pid_t pids[8];
	int i, status;

	(void)state;
	pp_registry_close(r);
	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			registry_writer(path("conc"), PP_REG_CREATE, i);
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(sql_int("conc", "SELECT count(*) FROM runs WHERE "
	    "status = 'FINISHED'"), 2000);
	assert_int_equal(sql_int("conc", "SELECT count(*) FROM params"),
	    20000);
	assert_int_equal(sql_int("conc", "SELECT count(*) FROM metrics"),
	    100000);
	assert_int_equal(sql_int("conc", "SELECT count(*) FROM latest_metrics"),
	    100000);
	assert_int_equal(sql_int("conc", "SELECT count(*) FROM "
	    "pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
}

static void
test_registry_io(void **state)
{
	static const char *const csv_in =
	    "value,key,step,timestamp,extra\n"
	    "1.5,loss,3,1700000000000,x\n"
	    ",\"a,b\",,,\n";
	struct pp_reg_table t = PP_REG_TABLE_INIT;
	struct pp_metric_list l = PP_METRIC_LIST_INIT;
	struct pp_err err = PP_ERR_INIT;
	static char *cols[] = { "name", "n" };
	static char *cells[] = { "a,\"b\"", "1.5", "x\ny", NULL };
	static unsigned char kinds[] = { PP_CELL_TEXT, PP_CELL_NUM,
		PP_CELL_TEXT, PP_CELL_NULL };
	char out[512];
	FILE *fp;
	enum pp_format f;
	size_t n;

	(void)state;
	t.ncols = 2;
	t.nrows = 2;
	t.cols = cols;
	t.cells = cells;
	t.kinds = kinds;
	fp = fmemopen(out, sizeof(out), "w");
	pp_registry_io_write(fp, &t, PP_FMT_CSV);
	pp_registry_io_write(fp, &t, PP_FMT_JSON);
	pp_registry_io_write(fp, &t, PP_FMT_TABLE);
	n = (size_t)ftell(fp);
	fclose(fp);
	out[n] = '\0';
	assert_string_equal(out,
	    "name,n\n\"a,\"\"b\"\"\",1.5\n\"x\ny\",\n"
	    "[\n  {\"name\": \"a,\\\"b\\\"\", \"n\": 1.5},\n"
	    "  {\"name\": \"x\\ny\", \"n\": null}\n]\n"
	    "name     n\na,\"b\"  1.5\nx?y\n");
	assert_int_equal(pp_registry_io_parse_format("json", &f), 0);
	assert_int_equal(f, PP_FMT_JSON);
	assert_int_equal(pp_registry_io_parse_format("JSON", &f), -1);

	fp = fmemopen((void *)csv_in, strlen(csv_in), "r");
	assert_int_equal(pp_registry_io_read_metrics(fp, "in.csv", &l, &err), 0);
	fclose(fp);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.m[0].key, "loss");
	assert_true(l.m[0].value == 1.5 && l.m[0].step == 3 &&
	    l.m[0].timestamp == 1700000000000);
	assert_string_equal(l.m[1].key, "a,b");
	assert_true(isnan(l.m[1].value) && l.m[1].step == 0);
	pp_metric_list_release(&l);
	fp = fmemopen("key,value\nk,1\nk,1x\n", 19, "r");
	assert_int_equal(pp_registry_io_read_metrics(fp, "bad.csv", &l, &err), -1);
	fclose(fp);
	assert_string_equal(err.msg, "bad.csv:3: column \"value\": not a "
	    "number");
	pp_metric_list_release(&l);
}

static int
setup_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
remove_dir(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_artifacts),
		cmocka_unit_test(test_models),
		cmocka_unit_test(test_concurrency),
		cmocka_unit_test(test_registry_io),
	};

	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
