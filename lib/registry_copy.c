/*
 * registry_copy.c - pp-registry copy: every table of one registry into
 * another, whatever their backends.  The one idea: a table is one SELECT
 * on the source and one INSERT on the target with the same columns, and
 * each value is bound as the type the source gave it, so no SQL knows
 * which backend is which.  Runs go in without their parent, which is set
 * once every run is there (a child may sort before its parent).  The
 * check afterwards runs the same ordered SELECTs on both and compares
 * every cell: types, integers, the bits of doubles, text and bytes.
 */
#include "registry_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "num.h"
#include "util.h"
#include "banned.h"

struct step {
	const char *table;	/* reported; NULL: not counted */
	const char *sel;	/* on the source */
	const char *ins;	/* on the target, one ? per column */
};

static const struct step steps[] = {
	{ "experiments", "SELECT experiment_id, name, creation_time FROM "
	  "experiments ORDER BY experiment_id", "INSERT INTO experiments "
	  "(experiment_id, name, creation_time) VALUES (?, ?, ?)" },
	{ "runs", "SELECT run_id, experiment_id, name, status, start_time, "
	  "end_time, \"user\", command, fingerprint, host, pid, last_update, "
	  "deleted_time FROM runs ORDER BY run_id", "INSERT INTO runs (run_id, "
	  "experiment_id, name, status, start_time, end_time, \"user\", "
	  "command, fingerprint, host, pid, last_update, deleted_time) "
	  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" },
	{ NULL, "SELECT parent_run_id, run_id FROM runs WHERE parent_run_id "
	  "IS NOT NULL ORDER BY run_id", "UPDATE runs SET parent_run_id = ? "
	  "WHERE run_id = ?" },
	{ "params", "SELECT run_id, key, value FROM params ORDER BY run_id, "
	  "key", "INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)" },
	{ "tags", "SELECT run_id, key, value FROM tags ORDER BY run_id, key",
	  "INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)" },
	{ "metrics", "SELECT run_id, key, value, step, timestamp FROM metrics "
	  "ORDER BY rowid", "INSERT INTO metrics (run_id, key, value, step, "
	  "timestamp) VALUES (?, ?, ?, ?, ?)" },
	{ "latest_metrics", "SELECT run_id, key, value, step, timestamp FROM "
	  "latest_metrics ORDER BY run_id, key", "INSERT INTO latest_metrics "
	  "(run_id, key, value, step, timestamp) VALUES (?, ?, ?, ?, ?)" },
	{ "artifacts", "SELECT run_id, name, size, sha256, data, "
	  "creation_time FROM artifacts ORDER BY run_id, name", "INSERT INTO "
	  "artifacts (run_id, name, size, sha256, data, creation_time) "
	  "VALUES (?, ?, ?, ?, ?, ?)" },
	{ "registered_models", "SELECT name, creation_time, last_updated FROM "
	  "registered_models ORDER BY name", "INSERT INTO registered_models "
	  "(name, creation_time, last_updated) VALUES (?, ?, ?)" },
	{ "model_versions", "SELECT name, version, run_id, artifact, stage, "
	  "creation_time, \"user\", description FROM model_versions ORDER BY "
	  "name, version", "INSERT INTO model_versions (name, version, run_id, "
	  "artifact, stage, creation_time, \"user\", description) VALUES "
	  "(?, ?, ?, ?, ?, ?, ?, ?)" },
	{ "aliases", "SELECT name, alias, version FROM aliases ORDER BY name, "
	  "alias", "INSERT INTO aliases (name, alias, version) VALUES "
	  "(?, ?, ?)" },
	{ "audit", "SELECT id, time, \"user\", name, version, what, "
	  "from_value, to_value FROM audit ORDER BY id", "INSERT INTO audit "
	  "(id, time, \"user\", name, version, what, from_value, to_value) "
	  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)" },
};

/* The runs again, parents included, for the check. */
static const char runs_all[] = "SELECT run_id, parent_run_id FROM runs "
    "ORDER BY run_id";

struct side {
	struct pp_registry *r;
	struct pp_db *db;
};

static int
fail(const struct side *s, const char *what, struct pp_err *err)
{
	return pp_err_set(err, PP_EXIT_DATA, "%s: %s: %s",
	    pp_registry_name(s->r), what, pp_db_errmsg(s->db));
}

/* Bind column i of src's row as parameter i + 1 of dst. */
static void
bind_like(struct pp_db_stmt *dst, struct pp_db_stmt *src, int i)
{
	switch (pp_db_column_type(src, i)) {
	case PP_DB_NULL:
		pp_db_bind_null(dst, i + 1);
		break;
	case PP_DB_INT:
		pp_db_bind_int64(dst, i + 1, pp_db_column_int64(src, i));
		break;
	case PP_DB_FLOAT:
		pp_db_bind_double(dst, i + 1, pp_db_column_double(src, i));
		break;
	case PP_DB_BLOB:
		pp_db_bind_blob(dst, i + 1, pp_db_column_blob(src, i),
		    pp_db_column_bytes(src, i));
		break;
	default:
		pp_db_bind_text(dst, i + 1, pp_db_column_text(src, i));
		break;
	}
}

/* One step: every row of its SELECT on from into to; *n counts them. */
static int
copy_step(const struct side *from, const struct side *to,
    const struct step *s, long *n, struct pp_err *err)
{
	struct pp_db_stmt *sel = pp_db_prepare(from->db, s->sel);
	struct pp_db_stmt *ins = pp_db_prepare(to->db, s->ins);
	int rc, i, rc2 = 0;

	*n = 0;
	if (sel == NULL || ins == NULL) {
		pp_db_finalize(sel);
		pp_db_finalize(ins);
		return sel == NULL ? fail(from, "read", err)
				   : fail(to, "write", err);
	}
	while (rc2 == 0 && (rc = pp_db_step(sel)) == PP_DB_ROW) {
		for (i = 0; i < pp_db_column_count(sel); i++)
			bind_like(ins, sel, i);
		if (pp_db_step(ins) == PP_DB_ERROR)
			rc2 = fail(to, s->table ? s->table : "runs", err);
		pp_db_reset(ins);
		(*n)++;
	}
	if (rc2 == 0 && rc != PP_DB_DONE)
		rc2 = fail(from, "read", err);
	pp_db_finalize(sel);
	pp_db_finalize(ins);
	return rc2;
}

/* 1 if column i is the same value in a and b. */
static int
same_cell(struct pp_db_stmt *a, struct pp_db_stmt *b, int i)
{
	enum pp_db_type t = pp_db_column_type(a, i);
	double x, y;

	if (t != pp_db_column_type(b, i))
		return 0;
	switch (t) {
	case PP_DB_NULL:
		return 1;
	case PP_DB_INT:
		return pp_db_column_int64(a, i) == pp_db_column_int64(b, i);
	case PP_DB_FLOAT:
		x = pp_db_column_double(a, i);
		y = pp_db_column_double(b, i);
		return memcmp(&x, &y, sizeof(x)) == 0;
	case PP_DB_BLOB:
		return pp_db_column_bytes(a, i) == pp_db_column_bytes(b, i) &&
		    memcmp(pp_db_column_blob(a, i), pp_db_column_blob(b, i),
		    pp_db_column_bytes(a, i)) == 0;
	default:
		return strcmp(pp_db_column_text(a, i),
		    pp_db_column_text(b, i)) == 0;
	}
}

/* Run sql on both and compare row for row. */
static int
check(const struct side *from, const struct side *to, const char *sql,
    const char *table, struct pp_err *err)
{
	struct pp_db_stmt *a = pp_db_prepare(from->db, sql);
	struct pp_db_stmt *b = pp_db_prepare(to->db, sql);
	long row = 0;
	int ra, rb, i, rc = 0;

	for (;; row++) {
		ra = a ? pp_db_step(a) : PP_DB_ERROR;
		rb = b ? pp_db_step(b) : PP_DB_ERROR;
		if (ra == PP_DB_ERROR || rb == PP_DB_ERROR) {
			rc = fail(ra == PP_DB_ERROR ? from : to, "read", err);
			break;
		}
		if (ra != rb) {
			rc = pp_err_set(err, PP_EXIT_DATA, "%s: copy differs: "
			    "%s has %s rows", pp_registry_name(to->r), table,
			    rb == PP_DB_DONE ? "fewer" : "more");
			break;
		}
		if (ra == PP_DB_DONE)
			break;
		for (i = 0; i < pp_db_column_count(a); i++)
			if (!same_cell(a, b, i)) {
				rc = pp_err_set(err, PP_EXIT_DATA, "%s: copy "
				    "differs: %s row %ld column %d",
				    pp_registry_name(to->r), table, row + 1,
				    i + 1);
				break;
			}
		if (rc != 0)
			break;
	}
	pp_db_finalize(a);
	pp_db_finalize(b);
	return rc;
}

static int
count(const struct side *s, const char *sql, long *n, struct pp_err *err)
{
	struct pp_db_stmt *st = pp_db_prepare(s->db, sql);
	int rc = st ? pp_db_step(st) : PP_DB_ERROR;

	if (rc == PP_DB_ROW)
		*n = (long)pp_db_column_int64(st, 0);
	pp_db_finalize(st);
	return rc == PP_DB_ROW ? 0 : fail(s, "read", err);
}

/* PostgreSQL's identity columns do not see ids inserted as values:
 * their sequences are moved past the copied ones. */
static int
sync_ids(const struct side *to, struct pp_err *err)
{
	static const char sql[] = "SELECT setval(pg_get_serial_sequence("
	    "'experiments', 'experiment_id'), coalesce((SELECT "
	    "max(experiment_id) FROM experiments), 0) + 1, false); SELECT "
	    "setval(pg_get_serial_sequence('audit', 'id'), coalesce((SELECT "
	    "max(id) FROM audit), 0) + 1, false)";

	if (!pp_db_is_pg(to->db))
		return 0;
	return pp_db_exec(to->db, sql) == 0 ? 0 : fail(to, "write", err);
}

static void
add_row(struct pp_reg_table *t, const char *table, long n)
{
	char num[32];
	size_t k = t->nrows * 2;

	snprintf(num, sizeof(num), "%ld", n);
	pp_xgrow((void **)&t->cells, &t->cap, k + 2, sizeof(*t->cells));
	t->kinds = pp_xrealloc(t->kinds, t->cap);
	t->cells[k] = pp_xstrdup(table);
	t->kinds[k] = PP_CELL_TEXT;
	t->cells[k + 1] = pp_xstrdup(num);
	t->kinds[k + 1] = PP_CELL_NUM;
	t->nrows++;
}

/* Every step into to, in one transaction of to, from one snapshot. */
static int
copy_all(const struct side *from, const struct side *to,
    struct pp_reg_table *t, struct pp_err *err)
{
	size_t i;
	long n = 0;

	if (pp_db_begin(to->db, PP_DB_TX_WRITE) == -1)
		return fail(to, "sql", err);
	if (count(to, "SELECT (SELECT count(*) FROM experiments) + (SELECT "
	    "count(*) FROM registered_models)", &n, err) == -1)
		goto bad;
	if (n > 0) {
		pp_err_set(err, PP_EXIT_DATA, "%s: not empty: copy needs a "
		    "new registry", pp_registry_name(to->r));
		goto bad;
	}
	for (i = 0; i < PP_ARRAY_SIZE(steps); i++) {
		if (copy_step(from, to, &steps[i], &n, err) == -1)
			goto bad;
		if (steps[i].table != NULL)
			add_row(t, steps[i].table, n);
	}
	if (sync_ids(to, err) == -1)
		goto bad;
	if (pp_db_exec(to->db, "COMMIT") == -1) {
		fail(to, "commit", err);
		goto bad;
	}
	return 0;
bad:
	pp_db_exec(to->db, "ROLLBACK");
	return -1;
}

static int
check_all(const struct side *from, const struct side *to,
    struct pp_err *err)
{
	size_t i;
	int rc = 0;

	if (pp_db_begin(to->db, PP_DB_TX_READ) == -1)
		return fail(to, "sql", err);
	for (i = 0; rc == 0 && i < PP_ARRAY_SIZE(steps); i++)
		if (steps[i].table != NULL)
			rc = check(from, to, steps[i].sel, steps[i].table,
			    err);
	if (rc == 0)
		rc = check(from, to, runs_all, "runs", err);
	pp_db_exec(to->db, "COMMIT");
	return rc;
}

int
pp_registry_copy(struct pp_registry *from, struct pp_registry *to,
    struct pp_reg_table *t, struct pp_err *err)
{
	struct side f = { from, pp_registry_db(from) };
	struct side d = { to, pp_registry_db(to) };
	int rc;

	t->ncols = 2;
	t->cols = pp_xcalloc(2, sizeof(*t->cols));
	t->cols[0] = pp_xstrdup("table");
	t->cols[1] = pp_xstrdup("rows");
	if (pp_db_begin(f.db, PP_DB_TX_READ) == -1)
		return fail(&f, "sql", err);
	rc = copy_all(&f, &d, t, err);
	if (rc == 0)
		rc = check_all(&f, &d, err);
	pp_db_exec(f.db, "COMMIT");
	return rc;
}
