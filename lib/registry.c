/*
 * registry.c - the experiment registry on SQLite or PostgreSQL, through
 * db.h.  The one idea: every write is one function run inside write_tx
 * (one transaction, retried as a whole on lock contention with jittered
 * backoff), so concurrent writers never see "database is locked" and
 * nothing is ever half-written.  The schema and its migrations come
 * first, then runs, artifacts, models and the queries that build
 * listings.
 *
 * Two dialects, one SQL text where possible.  Statements are written in
 * SQLite's SQL with ? and ?N parameters (db_pg.c rewrites them to $N),
 * in the common subset: "user" quoted (a keyword in PostgreSQL), every
 * upsert with its conflict target, subqueries in FROM named, prefixes as
 * ranges instead of GLOB.  PostgreSQL's schema defines strftime,
 * group_concat and json_each as SQLite has them (pg_migrations).  What
 * stays dialect-specific: the schema (types, identity columns, BYTEA),
 * how a version is kept (PRAGMA user_version / table pp_schema), locking
 * (BEGIN IMMEDIATE / row locks, lock_model), the filter's LIKE
 * (registry_filter.c) and export's mixed-type column.
 */
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "db.h"
#include "registry_filter.h"
#include "num.h"
#include "sha256.h"
#include "util.h"
#include "banned.h"

struct pp_registry {
	struct pp_db *db;
	char *path;		/* for messages */
	int readonly;		/* opened with PP_REG_READONLY */
	int schema;		/* the schema version after open */
	int busy;		/* the last failure was lock contention */
	unsigned seed;		/* backoff jitter */
	int created;		/* this open made an empty file a registry */
	int pg;			/* PostgreSQL (else SQLite) */
};

/*
 * The schema, one step per version: migrations[i] takes a file from
 * user_version i to i + 1.  A new version appends a step and never edits
 * an old one, so every file ever written can be brought forward.
 * man/pp-registry.5 documents the result.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE experiments ("
	" experiment_id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" creation_time INTEGER NOT NULL);"
	"CREATE TABLE runs ("
	" run_id TEXT PRIMARY KEY CHECK (length(run_id) = 32),"
	" experiment_id INTEGER NOT NULL REFERENCES experiments,"
	" name TEXT,"
	" status TEXT NOT NULL CHECK (status IN"
	"  ('RUNNING', 'FINISHED', 'FAILED', 'KILLED')),"
	" start_time INTEGER NOT NULL,"
	" end_time INTEGER,"
	" user TEXT NOT NULL,"
	" command TEXT,"
	" fingerprint TEXT,"
	" parent_run_id TEXT REFERENCES runs (run_id),"
	" host TEXT,"
	" pid INTEGER,"
	" last_update INTEGER NOT NULL,"
	" deleted_time INTEGER);"
	"CREATE INDEX runs_experiment ON runs (experiment_id, start_time);"
	"CREATE INDEX runs_parent ON runs (parent_run_id);"
	"CREATE INDEX runs_status ON runs (status);"
	"CREATE TABLE params ("
	" run_id TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,"
	" key TEXT NOT NULL CHECK (key != ''),"
	" value TEXT NOT NULL,"
	" PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
	"CREATE TABLE tags ("
	" run_id TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,"
	" key TEXT NOT NULL CHECK (key != ''),"
	" value TEXT NOT NULL,"
	" PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
	"CREATE TABLE metrics ("
	" run_id TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,"
	" key TEXT NOT NULL CHECK (key != ''),"
	" value REAL,"
	" step INTEGER NOT NULL,"
	" timestamp INTEGER NOT NULL);"
	"CREATE INDEX metrics_run_key ON metrics (run_id, key);"
	"CREATE TABLE latest_metrics ("
	" run_id TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,"
	" key TEXT NOT NULL,"
	" value REAL,"
	" step INTEGER NOT NULL,"
	" timestamp INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
	"CREATE TABLE artifacts ("
	" run_id TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,"
	" name TEXT NOT NULL CHECK (name != ''),"
	" size INTEGER NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" data BLOB NOT NULL,"
	" creation_time INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, name));"
	"CREATE TABLE registered_models ("
	" name TEXT PRIMARY KEY,"
	" creation_time INTEGER NOT NULL,"
	" last_updated INTEGER NOT NULL);"
	"CREATE TABLE model_versions ("
	" name TEXT NOT NULL REFERENCES registered_models,"
	" version INTEGER NOT NULL,"
	" run_id TEXT NOT NULL REFERENCES runs,"
	" artifact TEXT NOT NULL,"
	" stage TEXT NOT NULL DEFAULT 'None' CHECK (stage IN"
	"  ('None', 'Staging', 'Production', 'Archived')),"
	" creation_time INTEGER NOT NULL,"
	" user TEXT NOT NULL,"
	" description TEXT,"
	" PRIMARY KEY (name, version),"
	" FOREIGN KEY (run_id, artifact) REFERENCES artifacts (run_id, name));"
	"CREATE INDEX model_versions_run ON model_versions (run_id, artifact);"
	"CREATE TABLE aliases ("
	" name TEXT NOT NULL,"
	" alias TEXT NOT NULL,"
	" version INTEGER NOT NULL,"
	" PRIMARY KEY (name, alias),"
	" FOREIGN KEY (name, version) REFERENCES model_versions);"
	"CREATE INDEX aliases_version ON aliases (name, version);"
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL,"
	" user TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" version INTEGER,"
	" what TEXT NOT NULL,"
	" from_value TEXT,"
	" to_value TEXT);",
	/* 1 -> 2: runs --filter's conditions on a metric, param or tag
	 * value find their runs by key and value, not by reading every
	 * run's (PostgreSQL's planner starts from the most selective). */
	"CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value);"
	"CREATE INDEX params_key_value ON params (key, value);"
	"CREATE INDEX tags_key_value ON tags (key, value);",
	/* 2 -> 3: nothing here.  PostgreSQL's step 3 makes its indexes
	 * hold what runs --filter reads; here they already do: latest_metrics,
	 * params and tags are WITHOUT ROWID, so a run's values live in
	 * the primary key's b-tree itself, and each (key, value) index
	 * carries that primary key (run_id, key) as its row locator.  The
	 * step keeps one version number for one schema on both backends. */
	"SELECT 1;",
};

/*
 * The same schema in PostgreSQL's words, under the same version numbers
 * (pp_schema holds the version and the application id that SQLite keeps
 * in its header).  Text is COLLATE "C" so that ORDER BY sorts bytes, as
 * SQLite does; integers are BIGINT (SQLite's are 64-bit); blobs are
 * BYTEA; metrics keeps SQLite's insertion order in a column named rowid.
 * The functions after the tables give PostgreSQL the three SQLite
 * functions the registry's queries use (strftime for ISO 8601 times,
 * group_concat, json_each over a JSON array of text), so those queries
 * are one text for both backends.
 */
static const char *const pg_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE pp_schema ("
	" application_id BIGINT NOT NULL,"
	" version BIGINT NOT NULL);"
	"CREATE TABLE experiments ("
	" experiment_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" name TEXT COLLATE \"C\" NOT NULL UNIQUE,"
	" creation_time BIGINT NOT NULL);"
	"CREATE TABLE runs ("
	" run_id TEXT COLLATE \"C\" PRIMARY KEY CHECK (length(run_id) = 32),"
	" experiment_id BIGINT NOT NULL REFERENCES experiments,"
	" name TEXT COLLATE \"C\","
	" status TEXT COLLATE \"C\" NOT NULL CHECK (status IN"
	"  ('RUNNING', 'FINISHED', 'FAILED', 'KILLED')),"
	" start_time BIGINT NOT NULL,"
	" end_time BIGINT,"
	" \"user\" TEXT COLLATE \"C\" NOT NULL,"
	" command TEXT COLLATE \"C\","
	" fingerprint TEXT COLLATE \"C\","
	" parent_run_id TEXT COLLATE \"C\" REFERENCES runs (run_id),"
	" host TEXT COLLATE \"C\","
	" pid BIGINT,"
	" last_update BIGINT NOT NULL,"
	" deleted_time BIGINT);"
	"CREATE INDEX runs_experiment ON runs (experiment_id, start_time);"
	"CREATE INDEX runs_parent ON runs (parent_run_id);"
	"CREATE INDEX runs_status ON runs (status);"
	"CREATE TABLE params ("
	" run_id TEXT COLLATE \"C\" NOT NULL REFERENCES runs ON DELETE CASCADE,"
	" key TEXT COLLATE \"C\" NOT NULL CHECK (key != ''),"
	" value TEXT COLLATE \"C\" NOT NULL,"
	" PRIMARY KEY (run_id, key));"
	"CREATE TABLE tags ("
	" run_id TEXT COLLATE \"C\" NOT NULL REFERENCES runs ON DELETE CASCADE,"
	" key TEXT COLLATE \"C\" NOT NULL CHECK (key != ''),"
	" value TEXT COLLATE \"C\" NOT NULL,"
	" PRIMARY KEY (run_id, key));"
	"CREATE TABLE metrics ("
	" rowid BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" run_id TEXT COLLATE \"C\" NOT NULL REFERENCES runs ON DELETE CASCADE,"
	" key TEXT COLLATE \"C\" NOT NULL CHECK (key != ''),"
	" value DOUBLE PRECISION,"
	" step BIGINT NOT NULL,"
	" timestamp BIGINT NOT NULL);"
	"CREATE INDEX metrics_run_key ON metrics (run_id, key);"
	"CREATE TABLE latest_metrics ("
	" run_id TEXT COLLATE \"C\" NOT NULL REFERENCES runs ON DELETE CASCADE,"
	" key TEXT COLLATE \"C\" NOT NULL,"
	" value DOUBLE PRECISION,"
	" step BIGINT NOT NULL,"
	" timestamp BIGINT NOT NULL,"
	" PRIMARY KEY (run_id, key));"
	"CREATE TABLE artifacts ("
	" run_id TEXT COLLATE \"C\" NOT NULL REFERENCES runs ON DELETE CASCADE,"
	" name TEXT COLLATE \"C\" NOT NULL CHECK (name != ''),"
	" size BIGINT NOT NULL,"
	" sha256 TEXT COLLATE \"C\" NOT NULL,"
	" data BYTEA NOT NULL,"
	" creation_time BIGINT NOT NULL,"
	" PRIMARY KEY (run_id, name));"
	"CREATE TABLE registered_models ("
	" name TEXT COLLATE \"C\" PRIMARY KEY,"
	" creation_time BIGINT NOT NULL,"
	" last_updated BIGINT NOT NULL);"
	"CREATE TABLE model_versions ("
	" name TEXT COLLATE \"C\" NOT NULL REFERENCES registered_models,"
	" version BIGINT NOT NULL,"
	" run_id TEXT COLLATE \"C\" NOT NULL REFERENCES runs,"
	" artifact TEXT COLLATE \"C\" NOT NULL,"
	" stage TEXT COLLATE \"C\" NOT NULL DEFAULT 'None' CHECK (stage IN"
	"  ('None', 'Staging', 'Production', 'Archived')),"
	" creation_time BIGINT NOT NULL,"
	" \"user\" TEXT COLLATE \"C\" NOT NULL,"
	" description TEXT COLLATE \"C\","
	" PRIMARY KEY (name, version),"
	" FOREIGN KEY (run_id, artifact) REFERENCES artifacts (run_id, name));"
	"CREATE INDEX model_versions_run ON model_versions (run_id, artifact);"
	"CREATE TABLE aliases ("
	" name TEXT COLLATE \"C\" NOT NULL,"
	" alias TEXT COLLATE \"C\" NOT NULL,"
	" version BIGINT NOT NULL,"
	" PRIMARY KEY (name, alias),"
	" FOREIGN KEY (name, version) REFERENCES model_versions);"
	"CREATE INDEX aliases_version ON aliases (name, version);"
	"CREATE TABLE audit ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" time BIGINT NOT NULL,"
	" \"user\" TEXT COLLATE \"C\" NOT NULL,"
	" name TEXT COLLATE \"C\" NOT NULL,"
	" version BIGINT,"
	" what TEXT COLLATE \"C\" NOT NULL,"
	" from_value TEXT COLLATE \"C\","
	" to_value TEXT COLLATE \"C\");"
	/* strftime('%Y-%m-%dT%H:%M:%fZ', ms / 1000.0, 'unixepoch'), the one
	 * format ISO() asks for; ms / 1000.0 is exact (numeric). */
	"CREATE FUNCTION strftime(fmt text, secs numeric, modifier text)"
	" RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$"
	" SELECT to_char(to_timestamp(floor(secs)::double precision)"
	" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' ||"
	" lpad(((secs * 1000)::bigint % 1000)::text, 3, '0') || 'Z' $$;"
	"CREATE FUNCTION pp_concat(acc text, v text, sep text)"
	" RETURNS text LANGUAGE sql IMMUTABLE AS $$"
	" SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v"
	" ELSE acc || sep || v END $$;"
	"CREATE AGGREGATE group_concat(text, text)"
	" (SFUNC = pp_concat, STYPE = text);"
	"CREATE FUNCTION json_each(a text) RETURNS TABLE (value text)"
	" LANGUAGE sql IMMUTABLE STRICT AS $$"
	" SELECT json_array_elements_text(a::json) $$;",
	/* 1 -> 2: the indexes SQLite's step 2 adds; and strftime neither
	 * STRICT nor IMMUTABLE (to_char is STABLE), so that the planner
	 * inlines it instead of calling a function twice a listed run. */
	"CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value);"
	"CREATE INDEX params_key_value ON params (key, value);"
	"CREATE INDEX tags_key_value ON tags (key, value);"
	"CREATE OR REPLACE FUNCTION strftime(fmt text, secs numeric,"
	" modifier text) RETURNS text LANGUAGE sql STABLE AS $$"
	" SELECT to_char(to_timestamp(floor(secs)::double precision)"
	" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' ||"
	" lpad(((secs * 1000)::bigint % 1000)::text, 3, '0') || 'Z' $$;",
	/* 2 -> 3: indexes that hold what runs --filter reads, so that it
	 * reads no table row for them (index-only scans, once VACUUM, or
	 * autovacuum after a batch of writes, has marked the pages
	 * all-visible): a run's metrics, params and tags by (run_id, key)
	 * with their value, a condition's runs by (key, value) with their
	 * run_id.  A backend is new for each connection and pays a page
	 * fault the first time it touches a shared buffer, so fewer pages
	 * is less time. */
	"ALTER TABLE latest_metrics DROP CONSTRAINT latest_metrics_pkey,"
	" ADD CONSTRAINT latest_metrics_pkey PRIMARY KEY (run_id, key)"
	" INCLUDE (value);"
	"ALTER TABLE params DROP CONSTRAINT params_pkey,"
	" ADD CONSTRAINT params_pkey PRIMARY KEY (run_id, key)"
	" INCLUDE (value);"
	"ALTER TABLE tags DROP CONSTRAINT tags_pkey,"
	" ADD CONSTRAINT tags_pkey PRIMARY KEY (run_id, key)"
	" INCLUDE (value);"
	"DROP INDEX latest_metrics_key_value;"
	"CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value)"
	" INCLUDE (run_id);"
	"DROP INDEX params_key_value;"
	"CREATE INDEX params_key_value ON params (key, value)"
	" INCLUDE (run_id);"
	"DROP INDEX tags_key_value;"
	"CREATE INDEX tags_key_value ON tags (key, value) INCLUDE (run_id);",
};

/* ISO 8601 text for a ms column, in SQL. */
#define ISO(col) "strftime('%Y-%m-%dT%H:%M:%fZ', " col " / 1000.0, 'unixepoch')"

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(double ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static const char *
user_name(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (u != NULL && *u != '\0')
		return u;
	pw = getpwuid(geteuid());
	return pw != NULL && pw->pw_name != NULL ? pw->pw_name : "unknown";
}

/* Record a database failure: "PATH: what: backend's message". */
static int
db_fail(struct pp_registry *r, struct pp_err *err, const char *what)
{
	if (pp_db_busy(r->db))
		r->busy = 1;
	return pp_err_set(err, PP_EXIT_DATA, "%s: %s: %s", r->path, what,
	    pp_db_errmsg(r->db));
}

static int
exec_sql(struct pp_registry *r, const char *sql, struct pp_err *err)
{
	if (pp_db_exec(r->db, sql) == -1)
		return db_fail(r, err, "sql");
	return 0;
}

static struct pp_db_stmt *
prepare(struct pp_registry *r, const char *sql, struct pp_err *err)
{
	struct pp_db_stmt *st = pp_db_prepare(r->db, sql);

	if (st == NULL)
		db_fail(r, err, "prepare");
	return st;
}

static void
bind_text(struct pp_db_stmt *st, int i, const char *s)
{
	pp_db_bind_text(st, i, s);
}

/* Step a statement that returns no rows (or whose rows do not matter). */
static int
step_done(struct pp_registry *r, struct pp_db_stmt *st, struct pp_err *err)
{
	int rc = pp_db_step(st);

	if (rc != PP_DB_DONE && rc != PP_DB_ROW)
		return db_fail(r, err, "write");
	pp_db_reset(st);
	return 0;
}

typedef int (*tx_fn)(struct pp_registry *r, void *ctx, struct pp_err *err);

/*
 * Run fn in one write transaction, all or nothing.  On SQLite, BEGIN
 * IMMEDIATE takes the write lock before anything is read (db_sqlite.c).
 * On PostgreSQL the transaction is READ COMMITTED and fn locks the rows
 * it reads and then changes (lock_model); a deadlock or serialization
 * failure the server reports counts as busy.  If the lock cannot be had,
 * or anything inside reports busy, everything is rolled back and tried
 * again after a jittered pause, until PP_REGISTRY_RETRY_MS has gone by.
 * Errors that are not about locking (a constraint, a missing run) fail at
 * once.
 */
static int
write_tx(struct pp_registry *r, tx_fn fn, void *ctx, struct pp_err *err)
{
	int64_t give_up = mono_ms() + PP_REGISTRY_RETRY_MS;
	double pause = 1;

	if (r->readonly)
		return pp_err_set(err, PP_EXIT_DATA, "%s: opened read-only",
		    r->path);
	for (;;) {
		struct pp_err e = PP_ERR_INIT;

		r->busy = 0;
		pp_db_set_deadline(r->db, give_up);
		if (pp_db_begin(r->db, PP_DB_TX_WRITE) == -1) {
			db_fail(r, &e, "sql");
		} else {
			if (fn(r, ctx, &e) == 0 &&
			    exec_sql(r, "COMMIT", &e) == 0)
				return 0;
			pp_db_exec(r->db, "ROLLBACK");
		}
		if (!r->busy || mono_ms() > give_up) {
			if (r->busy)
				return pp_err_set(err, PP_EXIT_DATA,
				    "%s: still locked by other writers after "
				    "%d s", r->path, PP_REGISTRY_RETRY_MS / 1000);
			*err = e;
			return -1;
		}
		sleep_ms(pause * (0.5 + (double)(rand_r(&r->seed) % 1000) /
		    1000.0));
		if (pause < 50)
			pause *= 2;
	}
}

/* Read-only work in one snapshot: BEGIN ... COMMIT. */
static int
read_begin(struct pp_registry *r, struct pp_err *err)
{
	pp_db_set_deadline(r->db, mono_ms() + PP_REGISTRY_RETRY_MS);
	if (pp_db_begin(r->db, PP_DB_TX_READ) == -1)
		return db_fail(r, err, "sql");
	return 0;
}

static void
read_end(struct pp_registry *r)
{
	pp_db_exec(r->db, "COMMIT");
}

/*
 * PostgreSQL: lock model name's row until the transaction ends, so that
 * two writers changing the same model (a new version number, a stage, an
 * alias) take turns and each sees the other's commit.  Row locks, not
 * SERIALIZABLE: a writer waits a few milliseconds instead of failing and
 * redoing its work, and writers of different models never wait at all.
 * SQLite needs nothing: BEGIN IMMEDIATE already serialises every writer.
 */
static int
lock_model(struct pp_registry *r, const char *name, struct pp_err *err)
{
	struct pp_db_stmt *st;
	int rc;

	if (!r->pg)
		return 0;
	st = prepare(r, "SELECT 1 FROM registered_models WHERE name = ? "
	    "FOR UPDATE", err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, name);
	rc = pp_db_step(st);
	pp_db_finalize(st);
	return rc == PP_DB_ERROR ? db_fail(r, err, "lock") : 0;
}

static int
pragma_int(struct pp_registry *r, const char *sql, int *out,
    struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	rc = pp_db_step(st);
	if (rc == PP_DB_ROW)
		*out = (int)pp_db_column_int64(st, 0);
	pp_db_finalize(st);
	if (rc != PP_DB_ROW)
		return db_fail(r, err, "read");
	return 0;
}

/* Refuse a database that is not a registry (another application's, or
 * tables of its own) or whose schema is newer than this program knows;
 * app, v and n as the dialect's head reader gives them. */
static int
check_head(const struct pp_registry *r, int app, int v, int n,
    struct pp_err *err)
{
	if (app != PP_REGISTRY_APP_ID && (app != 0 || v != 0 || n != 0))
		return pp_err_set(err, PP_EXIT_DATA, "%s: not a registry",
		    r->path);
	if (v > PP_REGISTRY_SCHEMA)
		return pp_err_set(err, PP_EXIT_DATA, "%s: registry schema "
		    "version %d is newer than this program knows (%d)",
		    r->path, v, PP_REGISTRY_SCHEMA);
	return 0;
}

static int
migrate(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct pp_buf sql = PP_BUF_INIT;
	int v, app, n, rc;

	(void)ctx;
	/* Re-read inside the lock: another process may have got here. */
	if (pragma_int(r, "PRAGMA user_version", &v, err) == -1 ||
	    pragma_int(r, "PRAGMA application_id", &app, err) == -1 ||
	    pragma_int(r, "SELECT count(*) FROM sqlite_master", &n, err) == -1)
		return -1;
	if (check_head(r, app, v, n, err) == -1)
		return -1;
	for (; v < PP_REGISTRY_SCHEMA; v++)
		if (exec_sql(r, migrations[v], err) == -1)
			return -1;
	pp_buf_addf(&sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
	    PP_REGISTRY_APP_ID, PP_REGISTRY_SCHEMA);
	rc = exec_sql(r, sql.data, err);
	pp_buf_release(&sql);
	r->schema = PP_REGISTRY_SCHEMA;
	return rc;
}

/* Switch an empty or old file to WAL; the mode sticks to the file. */
static int
set_wal(struct pp_registry *r, struct pp_err *err)
{
	int64_t give_up = mono_ms() + PP_REGISTRY_RETRY_MS;

	for (;;) {
		if (pp_db_exec(r->db, "PRAGMA journal_mode = WAL") == 0)
			return 0;
		if (!pp_db_busy(r->db) || mono_ms() > give_up)
			return db_fail(r, err, "journal mode");
		sleep_ms(1 + rand_r(&r->seed) % 10);
	}
}

/* 1, with err naming the reason, if path or its directory (where SQLite
 * keeps the -wal and -shm files) cannot be written. */
static int
unwritable(const char *path, struct pp_err *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? pp_xstrdup(".") : slash == path ?
	    pp_xstrdup("/") : pp_xstrndup(path, (size_t)(slash - path));
	const char *what = "";
	int e = 0;

	if (access(path, W_OK) == -1) {
		e = errno;
	} else if (access(dir, W_OK) == -1) {
		e = errno;
		what = " its directory";
	}
	free(dir);
	if (e == 0)
		return 0;
	pp_err_clear(err);
	pp_err_errno(err, e, "%s: cannot write%s", path, what);
	return 1;
}

/* A new handle for path, or NULL with err set. */
static struct pp_registry *
reg_new(const char *path, unsigned flags, unsigned dbflags,
    struct pp_err *err)
{
	struct pp_registry *r = pp_xcalloc(1, sizeof(*r));
	char *why = NULL;

	r->path = pp_db_shown_name(path);	/* no password in messages */
	r->readonly = (flags & PP_REG_READONLY) != 0;
	r->seed = (unsigned)getpid() ^ (unsigned)now_ms();
	r->db = pp_db_open(path, dbflags | (r->readonly ? PP_DB_READONLY :
	    PP_DB_CREATE), &why);
	if (r->db == NULL) {
		pp_err_set(err, PP_EXIT_DATA, "%s: open: %s", r->path, why);
		free(why);
		free(r->path);
		free(r);
		return NULL;
	}
	r->pg = pp_db_is_pg(r->db);
	return r;
}

/* The first reads: application id, schema version, tables present. */
static int
sqlite_head(struct pp_registry *r, int *app, int *v, int *n,
    struct pp_err *err)
{
	if (pragma_int(r, "PRAGMA application_id", app, err) == -1 ||
	    pragma_int(r, "PRAGMA user_version", v, err) == -1 ||
	    pragma_int(r, "SELECT count(*) FROM sqlite_master", n, err) == -1)
		return -1;
	return 0;
}

/*
 * A SQLite registry.  The first read is where SQLite finds out what the
 * file is, so its failures are sorted out here.
 */
static struct pp_registry *
open_sqlite(const char *path, unsigned flags, struct pp_err *err)
{
	struct pp_registry *r;
	struct stat sb;
	int app = 0, v = 0, n = 0;

	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			pp_err_errno(err, EISDIR, "%s", path);
			return NULL;
		}
		/* A FIFO or a device would hang or mislead SQLite: every
		 * program sat blocked on a registry path that was a FIFO. */
		if (!S_ISREG(sb.st_mode)) {
			pp_err_set(err, PP_EXIT_DATA, "%s: not a regular file",
			    path);
			return NULL;
		}
	} else if (errno != ENOENT || (flags & PP_REG_CREATE) == 0 ||
	    (flags & PP_REG_READONLY)) {
		pp_err_errno(err, errno, "%s", path);
		return NULL;
	}
	if ((r = reg_new(path, flags, 0, err)) == NULL)
		return NULL;
	pp_db_set_deadline(r->db, mono_ms() + PP_REGISTRY_RETRY_MS);
	if (sqlite_head(r, &app, &v, &n, err) == -1) {
		/*
		 * A reader of a WAL registry needs its -shm file, and
		 * creates it if it is absent: on read-only media, or in a
		 * directory the user cannot write, it cannot, and nothing
		 * could be read.  Absent -shm and -wal files mean no writer
		 * is at work and every commit is in the main file, so it is
		 * read as immutable then (no locks, no shared memory).
		 */
		if (r->readonly && pp_db_failure(r->db) == PP_DB_F_CANTOPEN) {
			pp_registry_close(r);
			pp_err_clear(err);
			r = reg_new(path, flags, PP_DB_IMMUTABLE, err);
			if (r == NULL)
				return NULL;
			pp_db_set_deadline(r->db, mono_ms() +
			    PP_REGISTRY_RETRY_MS);
			if (sqlite_head(r, &app, &v, &n, err) == 0)
				goto read;
			goto bad;
		}
		if (!r->readonly &&
		    pp_db_failure(r->db) == PP_DB_F_CANTOPEN &&
		    unwritable(path, err))
			goto bad;
		if (pp_db_failure(r->db) == PP_DB_F_NOTADB) {
			pp_err_clear(err);
			pp_err_set(err, PP_EXIT_DATA, "%s: not a registry",
			    path);
		}
		goto bad;
	}
read:
	if (check_head(r, app, v, n, err) == -1)
		goto bad;
	if (app == 0 && (flags & PP_REG_CREATE) == 0) {
		pp_err_set(err, PP_EXIT_DATA, "%s: not a registry (empty file)",
		    path);
		goto bad;
	}
	r->schema = v;
	if (exec_sql(r, "PRAGMA foreign_keys = ON", err) == -1)
		goto bad;
	if (r->readonly) {
		if (v < PP_REGISTRY_SCHEMA) {
			pp_err_set(err, PP_EXIT_DATA, "%s: registry schema "
			    "version %d must be upgraded by a writer first",
			    path, v);
			goto bad;
		}
		return r;
	}
	/* synchronous=NORMAL is safe in WAL: a crash of the process loses
	 * nothing committed; power loss may lose the last commits but never
	 * corrupts the file. */
	if (set_wal(r, err) == -1 ||
	    exec_sql(r, "PRAGMA synchronous = NORMAL", err) == -1)
		goto bad;
	if (v < PP_REGISTRY_SCHEMA && write_tx(r, migrate, NULL, err) == -1)
		goto bad;
	r->created = v == 0 && n == 0;
	r->schema = PP_REGISTRY_SCHEMA;
	return r;
bad:
	pp_registry_close(r);
	return NULL;
}

/* PostgreSQL: the version and application id (0 without pp_schema), and
 * how many tables the current schema has. */
static int
pg_head(struct pp_registry *r, int *app, int *v, int *n, struct pp_err *err)
{
	*app = *v = 0;
	if (pragma_int(r, "SELECT count(*) FROM pg_catalog.pg_tables WHERE "
	    "schemaname = current_schema()", n, err) == -1)
		return -1;
	if (*n == 0 || pragma_int(r, "SELECT count(*) FROM pg_catalog."
	    "pg_tables WHERE schemaname = current_schema() AND tablename = "
	    "'pp_schema'", app, err) == -1 || *app == 0)
		return 0;
	if (pragma_int(r, "SELECT application_id FROM pp_schema", app,
	    err) == -1 ||
	    pragma_int(r, "SELECT version FROM pp_schema", v, err) == -1)
		return -1;
	return 0;
}

/*
 * pg_head in one round trip for a registry (pp_schema in the current
 * schema, one row): 1 with app, v and n set, else 0 and pg_head's
 * queries decide.  pg_class, not the pg_tables view (pg_tables is
 * pg_class's kinds r and p), whose first use loads more of a new
 * connection's catalog caches than the whole read after it.  Outside a
 * transaction only: without pp_schema (an empty database) the statement
 * fails, which inside one would abort it.
 */
static int
pg_head_fast(struct pp_registry *r, int *app, int *v, int *n)
{
	struct pp_db_stmt *st;
	int ok = 0;

	st = pp_db_prepare(r->db, "SELECT s.application_id, s.version, "
	    "t.n, t.here FROM pp_schema s, (SELECT count(*) AS n, count(*) "
	    "FILTER (WHERE c.oid = 'pp_schema'::regclass) AS here FROM "
	    "pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON "
	    "ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND "
	    "c.relkind IN ('r', 'p')) t");
	if (st == NULL)
		return 0;
	if (pp_db_step(st) == PP_DB_ROW && pp_db_column_int64(st, 3) == 1) {
		*app = (int)pp_db_column_int64(st, 0);
		*v = (int)pp_db_column_int64(st, 1);
		*n = (int)pp_db_column_int64(st, 2);
		ok = pp_db_step(st) == PP_DB_DONE;
	}
	pp_db_finalize(st);
	return ok;
}

/*
 * PostgreSQL's migration: many processes starting at once against a new
 * database must create the schema once.  pg_advisory_xact_lock on the
 * registry's application id makes them take turns until the transaction
 * ends; each re-reads the version under the lock, so the first migrates
 * and the others find nothing to do.  DDL is transactional there, so a
 * migration is all or nothing as in SQLite.
 */
static int
pg_migrate(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct pp_buf sql = PP_BUF_INIT;
	int v, app, n, rc;

	(void)ctx;
	pp_buf_addf(&sql, "SELECT pg_advisory_xact_lock(%d)",
	    PP_REGISTRY_APP_ID);
	rc = exec_sql(r, sql.data, err);
	pp_buf_release(&sql);
	if (rc == -1 || pg_head(r, &app, &v, &n, err) == -1)
		return -1;
	if (check_head(r, app, v, n, err) == -1)
		return -1;
	for (; v < PP_REGISTRY_SCHEMA; v++)
		if (exec_sql(r, pg_migrations[v], err) == -1)
			return -1;
	pp_buf_addf(&sql, "DELETE FROM pp_schema; INSERT INTO pp_schema "
	    "VALUES (%d, %d)", PP_REGISTRY_APP_ID, PP_REGISTRY_SCHEMA);
	rc = exec_sql(r, sql.data, err);
	pp_buf_release(&sql);
	return rc;
}

/* A PostgreSQL registry: the database must exist; its current schema
 * (search_path) holds the registry's tables. */
static struct pp_registry *
open_pg(const char *url, unsigned flags, struct pp_err *err)
{
	struct pp_registry *r = reg_new(url, flags, 0, err);
	int app = 0, v = 0, n = 0;

	if (r == NULL)
		return NULL;
	if ((!pg_head_fast(r, &app, &v, &n) &&
	    pg_head(r, &app, &v, &n, err) == -1) ||
	    check_head(r, app, v, n, err) == -1)
		goto bad;
	/* The password stays out of messages: r->path, not url. */
	if (app == 0 && (flags & PP_REG_CREATE) == 0) {
		pp_err_set(err, PP_EXIT_DATA, "%s: not a registry (empty "
		    "database)", r->path);
		goto bad;
	}
	if (r->readonly && v < PP_REGISTRY_SCHEMA) {
		pp_err_set(err, PP_EXIT_DATA, "%s: registry schema version %d "
		    "must be upgraded by a writer first", r->path, v);
		goto bad;
	}
	if (v < PP_REGISTRY_SCHEMA && write_tx(r, pg_migrate, NULL, err) == -1)
		goto bad;
	r->created = v == 0 && n == 0;
	r->schema = PP_REGISTRY_SCHEMA;
	return r;
bad:
	pp_registry_close(r);
	return NULL;
}

struct pp_registry *
pp_registry_open(const char *path, unsigned flags, struct pp_err *err)
{
	if (pp_db_is_url(path))
		return open_pg(path, flags, err);
	return open_sqlite(path, flags, err);
}

int
pp_registry_created(const struct pp_registry *r)
{
	return r->created;
}

void
pp_registry_close(struct pp_registry *r)
{
	if (r == NULL)
		return;
	pp_db_close(r->db);
	free(r->path);
	free(r);
}

int
pp_registry_schema(const struct pp_registry *r)
{
	return r->schema;
}

struct pp_db *
pp_registry_db(struct pp_registry *r)
{
	return r->db;
}

const char *
pp_registry_name(const struct pp_registry *r)
{
	return r->path;
}
/* ---- Names ------------------------------------------------------------- */

static const char *const status_names[] = {
	"RUNNING", "FINISHED", "FAILED", "KILLED"
};

const char *
pp_run_status_name(enum pp_run_status s)
{
	return (unsigned)s < PP_ARRAY_SIZE(status_names) ? status_names[s]
							 : "?";
}

int
pp_run_status_parse(const char *s, enum pp_run_status *out,
    struct pp_err *err)
{
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(status_names); i++)
		if (strcasecmp(s, status_names[i]) == 0) {
			*out = (enum pp_run_status)i;
			return 0;
		}
	return pp_err_set(err, PP_EXIT_USAGE, "bad status \"%s\": want "
	    "RUNNING, FINISHED, FAILED or KILLED", s);
}

static const char *const stage_names[] = {
	"None", "Staging", "Production", "Archived"
};

const char *
pp_stage_name(enum pp_stage s)
{
	return (unsigned)s < PP_ARRAY_SIZE(stage_names) ? stage_names[s] : "?";
}

int
pp_stage_parse(const char *s, enum pp_stage *out, struct pp_err *err)
{
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(stage_names); i++)
		if (strcasecmp(s, stage_names[i]) == 0) {
			*out = (enum pp_stage)i;
			return 0;
		}
	return pp_err_set(err, PP_EXIT_USAGE, "bad stage \"%s\": want None, "
	    "Staging, Production or Archived", s);
}

static int
check_run_id(const char *id, struct pp_err *err)
{
	size_t i;

	for (i = 0; id[i]; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			break;
	if (i != PP_RUN_ID_LEN || id[i] != '\0')
		return pp_err_set(err, PP_EXIT_USAGE, "bad run id \"%s\": want "
		    "32 lowercase hex digits", id);
	return 0;
}

/*
 * A run id or a unique prefix of it, as git takes a commit's: 6 to 32
 * lowercase hex digits.  Six digits are 16.7 million ids, enough that a
 * registry of thousands of runs rarely needs more, few enough to type.
 * Deleted runs count: a prefix means the same run before and after
 * `delete`.  Outside a transaction of the caller's, or inside one.
 */
static int
expand_run_id(struct pp_registry *r, const char *arg,
    char out[PP_RUN_ID_LEN + 1], struct pp_err *err)
{
	struct pp_buf pat = PP_BUF_INIT, seen = PP_BUF_INIT;
	struct pp_db_stmt *st;
	size_t i, n = 0;
	int rc;

	for (i = 0; arg[i]; i++)
		if (!((arg[i] >= '0' && arg[i] <= '9') ||
		    (arg[i] >= 'a' && arg[i] <= 'f')))
			break;
	if (arg[i] != '\0' || i < PP_RUN_ID_PREFIX_MIN || i > PP_RUN_ID_LEN)
		return pp_err_set(err, PP_EXIT_USAGE, "bad run id \"%s\": want "
		    "32 lowercase hex digits or a unique prefix of %d or more",
		    arg, PP_RUN_ID_PREFIX_MIN);
	if (i == PP_RUN_ID_LEN) {
		memcpy(out, arg, PP_RUN_ID_LEN + 1);
		return 0;
	}
	/* The ids from arg up to (not including) arg followed by 'g', the
	 * byte after 'f': those that start with arg, in both dialects. */
	pp_buf_addf(&pat, "%sg", arg);
	st = prepare(r, "SELECT run_id FROM runs WHERE run_id >= ? AND "
	    "run_id < ? ORDER BY run_id LIMIT 6", err);
	if (st == NULL) {
		pp_buf_release(&pat);
		return -1;
	}
	bind_text(st, 1, arg);
	bind_text(st, 2, pat.data);
	while ((rc = pp_db_step(st)) == PP_DB_ROW) {
		const char *id = (const char *)pp_db_column_text(st, 0);

		if (n++ == 0)
			memcpy(out, id, PP_RUN_ID_LEN + 1);
		pp_buf_addf(&seen, "%s%s", n > 1 ? ", " : "", n < 6 ? id :
		    "...");
	}
	pp_db_finalize(st);
	pp_buf_release(&pat);
	if (rc != PP_DB_DONE)
		rc = db_fail(r, err, "read");
	else if (n == 0)
		rc = pp_err_set(err, PP_EXIT_DATA, "no run \"%s\"", arg);
	else if (n > 1)
		rc = pp_err_set(err, PP_EXIT_DATA, "run id \"%s\" is "
		    "ambiguous: %s", arg, seen.data);
	else
		rc = 0;
	pp_buf_release(&seen);
	return rc;
}

int
pp_registry_run_expand(struct pp_registry *r, const char *arg,
    char out[PP_RUN_ID_LEN + 1], struct pp_err *err)
{
	int rc;

	if (read_begin(r, err) == -1)
		return -1;
	rc = expand_run_id(r, arg, out, err);
	read_end(r);
	return rc;
}

static int
check_model_name(const char *name, struct pp_err *err)
{
	if (*name == '\0')
		return pp_err_set(err, PP_EXIT_USAGE, "empty model name");
	if (strpbrk(name, "/@") != NULL)
		return pp_err_set(err, PP_EXIT_USAGE, "bad model name \"%s\": "
		    "'/' and '@' are not allowed", name);
	return 0;
}

static int
check_alias(const char *alias, struct pp_err *err)
{
	const char *p = alias;
	size_t i, digits = 0;

	if (*p == 'v' || *p == 'V')
		p++;
	for (i = 0; p[i] >= '0' && p[i] <= '9'; i++)
		digits++;
	if (*alias == '\0' || strcasecmp(alias, "latest") == 0 ||
	    (digits > 0 && p[digits] == '\0'))
		return pp_err_set(err, PP_EXIT_USAGE, "bad alias \"%s\": "
		    "reserved", alias);
	for (i = 0; alias[i]; i++)
		if (!((alias[i] >= 'a' && alias[i] <= 'z') ||
		    (alias[i] >= 'A' && alias[i] <= 'Z') ||
		    (alias[i] >= '0' && alias[i] <= '9') || alias[i] == '_' ||
		    alias[i] == '-'))
			return pp_err_set(err, PP_EXIT_USAGE, "bad alias "
			    "\"%s\": want letters, digits, '_' or '-'", alias);
	return 0;
}

static int
new_run_id(char id[PP_RUN_ID_LEN + 1], struct pp_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[PP_RUN_ID_LEN / 2];
	size_t got = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC), i;

	if (fd == -1)
		return pp_err_errno(err, errno, "/dev/urandom");
	while (got < sizeof(b)) {
		ssize_t n = read(fd, b + got, sizeof(b) - got);

		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			close(fd);
			return pp_err_errno(err, n == 0 ? EIO : errno,
			    "/dev/urandom");
		}
		got += (size_t)n;
	}
	close(fd);
	for (i = 0; i < PP_RUN_ID_LEN / 2; i++) {
		id[2 * i] = hex[b[i] >> 4];
		id[2 * i + 1] = hex[b[i] & 15];
	}
	id[PP_RUN_ID_LEN] = '\0';
	return 0;
}

/* ---- Runs -------------------------------------------------------------- */

/* Fail unless run_id names a live run; *deleted gets whether it is
 * soft-deleted when deleted is not NULL (then a deleted run is fine). */
static int
find_run(struct pp_registry *r, const char *run_id, int *deleted,
    struct pp_err *err)
{
	struct pp_db_stmt *st;
	int rc, del;

	if (check_run_id(run_id, err) == -1)
		return -1;
	st = prepare(r, "SELECT deleted_time IS NOT NULL FROM runs "
	    "WHERE run_id = ?", err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, run_id);
	rc = pp_db_step(st);
	del = rc == PP_DB_ROW ? pp_db_column_int64(st, 0) : 0;
	pp_db_finalize(st);
	if (rc == PP_DB_DONE)
		return pp_err_set(err, PP_EXIT_DATA, "no run \"%s\"", run_id);
	if (rc != PP_DB_ROW)
		return db_fail(r, err, "read");
	if (deleted != NULL)
		*deleted = del;
	else if (del)
		return pp_err_set(err, PP_EXIT_DATA, "run \"%s\" is deleted",
		    run_id);
	return 0;
}

struct log_ctx {
	const char *run_id;
	const struct pp_log *log;
	int64_t now;
};

static int
metric_order(const void *a, const void *b)
{
	const struct pp_metric *x = *(const struct pp_metric *const *)a;
	const struct pp_metric *y = *(const struct pp_metric *const *)b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	if (x->timestamp != y->timestamp)
		return x->timestamp < y->timestamp ? -1 : 1;
	return x < y ? -1 : x > y;	/* later in the batch wins */
}

static int
check_key(const char *what, const char *key, struct pp_err *err)
{
	if (key == NULL || *key == '\0')
		return pp_err_set(err, PP_EXIT_USAGE, "empty %s key", what);
	return 0;
}

/*
 * Metrics are written twice: every point into metrics (the history), and
 * the newest point per key (highest step, then timestamp, then the last
 * logged) into latest_metrics, which is what filters, sorting and `show`
 * read.  A batch is sorted by key first so each key's latest row is
 * upserted once, not once per point: 100,000 points of a few keys cost
 * 100,000 inserts and a handful of upserts.
 */
static int
write_metrics(struct pp_registry *r, const struct log_ctx *c,
    struct pp_err *err)
{
	const struct pp_log *log = c->log;
	const struct pp_metric **m;
	struct pp_db_stmt *ins, *up;
	size_t i;
	int rc = -1;

	ins = prepare(r, "INSERT INTO metrics (run_id, key, value, step, "
	    "timestamp) VALUES (?, ?, ?, ?, ?)", err);
	up = prepare(r, "INSERT INTO latest_metrics (run_id, key, value, step,"
	    " timestamp) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (run_id, key)"
	    " DO UPDATE SET value = ?3, step = ?4, timestamp = ?5"
	    " WHERE ?4 > latest_metrics.step OR (?4 = latest_metrics.step"
	    " AND ?5 >= latest_metrics.timestamp)", err);
	m = pp_xmalloc(log->nmetrics * sizeof(*m));
	if (ins == NULL || up == NULL)
		goto out;
	for (i = 0; i < log->nmetrics; i++) {
		const struct pp_metric *p = &log->metrics[i];

		if (check_key("metric", p->key, err) == -1)
			goto out;
		bind_text(ins, 1, c->run_id);
		pp_db_bind_text(ins, 2, p->key);
		if (isnan(p->value))
			pp_db_bind_null(ins, 3);
		else
			pp_db_bind_double(ins, 3, p->value);
		pp_db_bind_int64(ins, 4, p->step);
		pp_db_bind_int64(ins, 5, p->timestamp ? p->timestamp : c->now);
		if (step_done(r, ins, err) == -1)
			goto out;
		m[i] = p;
	}
	qsort(m, log->nmetrics, sizeof(*m), metric_order);
	for (i = 0; i < log->nmetrics; i++) {
		const struct pp_metric *p = m[i];

		if (i + 1 < log->nmetrics && strcmp(p->key, m[i + 1]->key) == 0)
			continue;
		bind_text(up, 1, c->run_id);
		pp_db_bind_text(up, 2, p->key);
		if (isnan(p->value))
			pp_db_bind_null(up, 3);
		else
			pp_db_bind_double(up, 3, p->value);
		pp_db_bind_int64(up, 4, p->step);
		pp_db_bind_int64(up, 5, p->timestamp ? p->timestamp : c->now);
		if (step_done(r, up, err) == -1)
			goto out;
	}
	rc = 0;
out:
	free(m);
	pp_db_finalize(ins);
	pp_db_finalize(up);
	return rc;
}

static int
write_params(struct pp_registry *r, const struct log_ctx *c,
    struct pp_err *err)
{
	const struct pp_log *log = c->log;
	struct pp_db_stmt *ins, *get;
	size_t i;
	int rc = -1;

	ins = prepare(r, "INSERT INTO params (run_id, key, value) "
	    "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", err);
	get = prepare(r, "SELECT value FROM params WHERE run_id = ? AND "
	    "key = ?", err);
	if (ins == NULL || get == NULL)
		goto out;
	for (i = 0; i < log->nparams; i++) {
		const struct pp_kv *p = &log->params[i];
		const char *old;

		if (check_key("param", p->key, err) == -1)
			goto out;
		bind_text(ins, 1, c->run_id);
		bind_text(ins, 2, p->key);
		bind_text(ins, 3, p->value ? p->value : "");
		if (step_done(r, ins, err) == -1)
			goto out;
		if (pp_db_changes(r->db) == 1)
			continue;
		bind_text(get, 1, c->run_id);
		bind_text(get, 2, p->key);
		if (pp_db_step(get) != PP_DB_ROW) {
			db_fail(r, err, "read");
			goto out;
		}
		old = (const char *)pp_db_column_text(get, 0);
		if (strcmp(old, p->value ? p->value : "") != 0) {
			pp_err_set(err, PP_EXIT_DATA, "param \"%s\" of run "
			    "%s is already \"%s\"", p->key, c->run_id, old);
			goto out;
		}
		pp_db_reset(get);
	}
	rc = 0;
out:
	pp_db_finalize(ins);
	pp_db_finalize(get);
	return rc;
}

static int
write_tags(struct pp_registry *r, const struct log_ctx *c,
    struct pp_err *err)
{
	const struct pp_log *log = c->log;
	struct pp_db_stmt *ins;
	size_t i;
	int rc = -1;

	ins = prepare(r, "INSERT INTO tags (run_id, key, value) VALUES "
	    "(?1, ?2, ?3) ON CONFLICT (run_id, key) DO UPDATE SET value = ?3", err);
	if (ins == NULL)
		return -1;
	for (i = 0; i < log->ntags; i++) {
		if (check_key("tag", log->tags[i].key, err) == -1)
			goto out;
		bind_text(ins, 1, c->run_id);
		bind_text(ins, 2, log->tags[i].key);
		bind_text(ins, 3, log->tags[i].value ? log->tags[i].value : "");
		if (step_done(r, ins, err) == -1)
			goto out;
	}
	rc = 0;
out:
	pp_db_finalize(ins);
	return rc;
}

static int
touch_run(struct pp_registry *r, const char *run_id, int64_t now,
    struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, "UPDATE runs SET last_update = ? "
	    "WHERE run_id = ?", err);
	int rc;

	if (st == NULL)
		return -1;
	pp_db_bind_int64(st, 1, now);
	bind_text(st, 2, run_id);
	rc = step_done(r, st, err);
	pp_db_finalize(st);
	return rc;
}

static int
write_log(struct pp_registry *r, const struct log_ctx *c, struct pp_err *err)
{
	if (c->log == NULL)
		return 0;
	if (write_params(r, c, err) == -1 || write_tags(r, c, err) == -1 ||
	    write_metrics(r, c, err) == -1)
		return -1;
	return 0;
}

static int
log_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct log_ctx *c = ctx;

	if (find_run(r, c->run_id, NULL, err) == -1 ||
	    write_log(r, c, err) == -1 ||
	    touch_run(r, c->run_id, c->now, err) == -1)
		return -1;
	return 0;
}

int
pp_registry_log(struct pp_registry *r, const char *run_id,
    const struct pp_log *log, struct pp_err *err)
{
	struct log_ctx c = { run_id, log, now_ms() };

	if (check_run_id(run_id, err) == -1)
		return -1;
	return write_tx(r, log_tx, &c, err);
}

int
pp_registry_log_param(struct pp_registry *r, const char *run_id,
    const char *key, const char *value, struct pp_err *err)
{
	struct pp_kv kv = { key, value };
	struct pp_log log = { &kv, 1, NULL, 0, NULL, 0 };

	return pp_registry_log(r, run_id, &log, err);
}

int
pp_registry_log_metric(struct pp_registry *r, const char *run_id,
    const char *key, double value, int64_t step, struct pp_err *err)
{
	struct pp_metric m = { key, value, step, 0 };
	struct pp_log log = { NULL, 0, &m, 1, NULL, 0 };

	return pp_registry_log(r, run_id, &log, err);
}

int
pp_registry_set_tag(struct pp_registry *r, const char *run_id,
    const char *key, const char *value, struct pp_err *err)
{
	struct pp_kv kv = { key, value };
	struct pp_log log = { NULL, 0, NULL, 0, &kv, 1 };

	return pp_registry_log(r, run_id, &log, err);
}

struct start_ctx {
	const struct pp_run_start *s;
	struct log_ctx log;
	const char *id;
	char host[256];
};

/* The experiment's id, creating it if new. */
static int
experiment_id(struct pp_registry *r, const char *name, int64_t now,
    int64_t *id, struct pp_err *err)
{
	struct pp_db_stmt *st;
	int rc;

	st = prepare(r, "INSERT INTO experiments (name, creation_time) "
	    "VALUES (?, ?) ON CONFLICT DO NOTHING", err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, name);
	pp_db_bind_int64(st, 2, now);
	rc = step_done(r, st, err);
	pp_db_finalize(st);
	if (rc == -1)
		return -1;
	st = prepare(r, "SELECT experiment_id FROM experiments WHERE name = ?",
	    err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, name);
	rc = pp_db_step(st);
	if (rc == PP_DB_ROW)
		*id = pp_db_column_int64(st, 0);
	pp_db_finalize(st);
	return rc == PP_DB_ROW ? 0 : db_fail(r, err, "read");
}

static int
start_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct start_ctx *c = ctx;
	const struct pp_run_start *s = c->s;
	int64_t exp = 0;
	struct pp_db_stmt *st;
	int rc;

	if (s->parent && find_run(r, s->parent, NULL, err) == -1)
		return pp_err_prefix(err, "parent");
	if (experiment_id(r, s->experiment, c->log.now, &exp, err) == -1)
		return -1;
	st = prepare(r, "INSERT INTO runs (run_id, experiment_id, name, "
	    "status, start_time, \"user\", command, fingerprint, parent_run_id, "
	    "host, pid, last_update) VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, "
	    "?, ?, ?, ?)", err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, c->id);
	pp_db_bind_int64(st, 2, exp);
	bind_text(st, 3, s->name);
	pp_db_bind_int64(st, 4, c->log.now);
	bind_text(st, 5, user_name());
	bind_text(st, 6, s->command);
	bind_text(st, 7, s->fingerprint);
	bind_text(st, 8, s->parent);
	bind_text(st, 9, c->host);
	pp_db_bind_int64(st, 10, s->pid > 0 ? s->pid : (long)getpid());
	pp_db_bind_int64(st, 11, c->log.now);
	rc = step_done(r, st, err);
	pp_db_finalize(st);
	if (rc == -1)
		return -1;
	return write_log(r, &c->log, err);
}

int
pp_registry_run_start(struct pp_registry *r, const struct pp_run_start *s,
    const struct pp_log *log, char id[PP_RUN_ID_LEN + 1], struct pp_err *err)
{
	struct start_ctx c;

	memset(&c, 0, sizeof(c));
	if (s->experiment == NULL || *s->experiment == '\0')
		return pp_err_set(err, PP_EXIT_USAGE, "empty experiment name");
	if (new_run_id(id, err) == -1)
		return -1;
	if (gethostname(c.host, sizeof(c.host) - 1) != 0)
		c.host[0] = '\0';
	c.s = s;
	c.id = id;
	c.log.run_id = id;
	c.log.log = log;
	c.log.now = now_ms();
	return write_tx(r, start_tx, &c, err);
}

struct end_ctx {
	struct log_ctx log;
	enum pp_run_status status;
};

static int
end_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct end_ctx *c = ctx;
	struct pp_db_stmt *st;
	int rc;

	/* KILLED ends only a run still RUNNING: a signal that comes after
	 * the run ended changes nothing. */
	st = prepare(r, c->status == PP_RUN_KILLED ?
	    "UPDATE runs SET status = ?, end_time = ? "
	    "WHERE run_id = ? AND status = 'RUNNING'" :
	    "UPDATE runs SET status = ?, end_time = ? WHERE run_id = ?", err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, pp_run_status_name(c->status));
	pp_db_bind_int64(st, 2, c->log.now);
	bind_text(st, 3, c->log.run_id);
	rc = step_done(r, st, err);
	pp_db_finalize(st);
	if (rc == -1 || (c->status == PP_RUN_KILLED &&
	    pp_db_changes(r->db) == 0))
		return rc;
	return log_tx(r, &c->log, err);
}

int
pp_registry_run_end(struct pp_registry *r, const char *run_id,
    enum pp_run_status s, const struct pp_log *log, struct pp_err *err)
{
	struct end_ctx c = { { run_id, log, now_ms() }, s };

	if (s == PP_RUN_RUNNING)
		return pp_err_set(err, PP_EXIT_USAGE, "a run cannot end as "
		    "RUNNING");
	if (check_run_id(run_id, err) == -1)
		return -1;
	return write_tx(r, end_tx, &c, err);
}

/* Run a statement with one text parameter and return its first column as
 * an int64 (0 when there is no row) in *out. */
static int
query_int(struct pp_registry *r, const char *sql, const char *a,
    const char *b, int64_t *out, struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	bind_text(st, 1, a);
	if (b != NULL)
		bind_text(st, 2, b);
	rc = pp_db_step(st);
	*out = rc == PP_DB_ROW ? pp_db_column_int64(st, 0) : 0;
	pp_db_finalize(st);
	return rc == PP_DB_ROW || rc == PP_DB_DONE ? 0
						     : db_fail(r, err, "read");
}

int
pp_registry_run_children(struct pp_registry *r, const char *run_id,
    long *n, struct pp_err *err)
{
	int64_t c = 0;
	int rc;

	*n = 0;
	if (check_run_id(run_id, err) == -1 || read_begin(r, err) == -1)
		return -1;
	rc = find_run(r, run_id, NULL, err);
	if (rc == 0)
		rc = query_int(r, "SELECT count(*) FROM runs WHERE "
		    "parent_run_id = ? AND deleted_time IS NULL", run_id, NULL,
		    &c, err);
	read_end(r);
	*n = (long)c;
	return rc;
}

static int
delete_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	const char *run_id = ctx;
	int64_t n;
	struct pp_db_stmt *st;
	int deleted, rc;

	if (find_run(r, run_id, &deleted, err) == -1)
		return -1;
	if (deleted)
		return pp_err_set(err, PP_EXIT_DATA, "run \"%s\" is already "
		    "deleted", run_id);
	if (query_int(r, "SELECT count(*) FROM model_versions WHERE run_id = ?",
	    run_id, NULL, &n, err) == -1)
		return -1;
	if (n > 0)
		return pp_err_set(err, PP_EXIT_DATA, "run \"%s\" backs %lld "
		    "model version%s", run_id, (long long)n, n > 1 ? "s" : "");
	st = prepare(r, "UPDATE runs SET deleted_time = ? WHERE run_id = ?",
	    err);
	if (st == NULL)
		return -1;
	pp_db_bind_int64(st, 1, now_ms());
	bind_text(st, 2, run_id);
	rc = step_done(r, st, err);
	pp_db_finalize(st);
	return rc;
}

int
pp_registry_run_delete(struct pp_registry *r, const char *run_id,
    struct pp_err *err)
{
	if (check_run_id(run_id, err) == -1)
		return -1;
	return write_tx(r, delete_tx, (void *)run_id, err);
}

static int
gc_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	long *n = ctx;

	/* Children of deleted runs lose their parent link, not their data;
	 * the cascade removes params, metrics, tags and artifacts. */
	if (exec_sql(r, "UPDATE runs SET parent_run_id = NULL WHERE "
	    "parent_run_id IN (SELECT run_id FROM runs WHERE deleted_time IS "
	    "NOT NULL)", err) == -1 ||
	    exec_sql(r, "DELETE FROM runs WHERE deleted_time IS NOT NULL",
	    err) == -1)
		return -1;
	*n = (long)pp_db_changes(r->db);
	return 0;
}

int
pp_registry_gc(struct pp_registry *r, long *nruns, struct pp_err *err)
{
	long n = 0;

	if (write_tx(r, gc_tx, &n, err) == -1)
		return -1;
	if (nruns != NULL)
		*nruns = n;
	return 0;
}

/* ---- Artifacts --------------------------------------------------------- */

struct put_ctx {
	const char *run_id;
	const char *name;
	const unsigned char *z;	/* compressed */
	size_t zlen;
	size_t size;		/* uncompressed */
	char sha[PP_SHA256_HEXLEN + 1];
};

static int
put_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct put_ctx *c = ctx;
	int64_t n;
	struct pp_db_stmt *st;
	int rc;

	if (find_run(r, c->run_id, NULL, err) == -1)
		return -1;
	if (query_int(r, "SELECT count(*) FROM model_versions WHERE run_id = ? "
	    "AND artifact = ?", c->run_id, c->name, &n, err) == -1)
		return -1;
	if (n > 0)
		return pp_err_set(err, PP_EXIT_DATA, "artifact \"%s\" of run "
		    "%s is a registered model version: it cannot be replaced",
		    c->name, c->run_id);
	st = prepare(r, "INSERT INTO artifacts (run_id, name, size, sha256, "
	    "data, creation_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT "
	    "(run_id, name) DO UPDATE SET size = ?3, sha256 = ?4, data = ?5, "
	    "creation_time = ?6", err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, c->run_id);
	bind_text(st, 2, c->name);
	pp_db_bind_int64(st, 3, (int64_t)c->size);
	bind_text(st, 4, c->sha);
	pp_db_bind_blob(st, 5, c->z, c->zlen);
	pp_db_bind_int64(st, 6, now_ms());
	rc = step_done(r, st, err);
	pp_db_finalize(st);
	if (rc == -1)
		return -1;
	return touch_run(r, c->run_id, now_ms(), err);
}

int
pp_registry_artifact_put(struct pp_registry *r, const char *run_id,
    const char *name, const void *data, size_t n, struct pp_err *err)
{
	struct put_ctx c;
	uLongf zlen;
	unsigned char *z;
	int rc;

	if (check_run_id(run_id, err) == -1)
		return -1;
	if (name == NULL || *name == '\0')
		return pp_err_set(err, PP_EXIT_USAGE, "empty artifact name");
	zlen = compressBound((uLong)n);
	z = pp_xmalloc(zlen);
	if (compress2(z, &zlen, data, (uLong)n, Z_DEFAULT_COMPRESSION) !=
	    Z_OK) {
		free(z);
		return pp_err_set(err, PP_EXIT_DATA, "artifact \"%s\": "
		    "compression failed", name);
	}
	c.run_id = run_id;
	c.name = name;
	c.z = z;
	c.zlen = zlen;
	c.size = n;
	pp_sha256_hex(data, n, c.sha);
	rc = write_tx(r, put_tx, &c, err);
	free(z);
	return rc;
}

/*
 * Inflate the zlib stream z[0..zlen) into out, which must come to exactly
 * size bytes.  The stored size is never trusted for an allocation (a
 * corrupt row said 137 GB, and every reader aborted): out grows as the
 * stream really inflates, and no further than size + 1 bytes.  Returns a
 * zlib error text, "size mismatch", or NULL when all is well.
 */
static const char *
inflate_exact(const void *z, size_t zlen, size_t size, struct pp_buf *out)
{
	z_stream zs;
	size_t have = 0, cap = size < 65536 ? size + 1 : 65536;
	int zrc;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		return "out of memory";
	zs.next_in = (Bytef *)(uintptr_t)z;
	zs.avail_in = (uInt)zlen;
	if (zlen > UINT_MAX) {
		inflateEnd(&zs);
		return "size mismatch";
	}
	do {
		pp_buf_grow(out, cap - have);
		zs.next_out = (Bytef *)out->data + have;
		zs.avail_out = (uInt)(cap - have);
		zrc = inflate(&zs, Z_NO_FLUSH);
		have = cap - zs.avail_out;
		pp_buf_setlen(out, have);
		if (zrc == Z_OK && zs.avail_out == 0) {
			if (cap > size)
				break;		/* more than size bytes */
			cap = cap > size / 2 ? size + 1 : 2 * cap;
		}
	} while (zrc == Z_OK);
	inflateEnd(&zs);
	if (zrc != Z_STREAM_END && !(zrc == Z_OK && have > size))
		return zrc == Z_BUF_ERROR || zrc == Z_OK ? "truncated data" :
		    zError(zrc);
	if (have != size || zs.avail_in != 0)
		return "size mismatch";
	return NULL;
}

/* Read and check an artifact inside a read transaction. */
static int
artifact_read(struct pp_registry *r, const char *run_id, const char *name,
    struct pp_buf *out, struct pp_err *err)
{
	struct pp_db_stmt *st;
	char sha[PP_SHA256_HEXLEN + 1];
	const char *want, *why;
	int64_t size;
	int rc = -1, zrc;

	pp_buf_reset(out);
	if (find_run(r, run_id, NULL, err) == -1)
		return -1;
	st = prepare(r, "SELECT size, sha256, data FROM artifacts "
	    "WHERE run_id = ? AND name = ?", err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, run_id);
	bind_text(st, 2, name);
	zrc = pp_db_step(st);
	if (zrc == PP_DB_DONE) {
		pp_err_set(err, PP_EXIT_DATA, "run %s has no artifact \"%s\"",
		    run_id, name);
		goto out;
	}
	if (zrc != PP_DB_ROW) {
		db_fail(r, err, "read");
		goto out;
	}
	size = pp_db_column_int64(st, 0);
	want = (const char *)pp_db_column_text(st, 1);
	if (size < 0 || (uint64_t)size > (uint64_t)SIZE_MAX / 2) {
		pp_err_set(err, PP_EXIT_DATA, "artifact \"%s\" of run %s: "
		    "bad size", name, run_id);
		goto out;
	}
	why = inflate_exact(pp_db_column_blob(st, 2),
	    (size_t)pp_db_column_bytes(st, 2), (size_t)size, out);
	if (why != NULL) {
		pp_err_set(err, PP_EXIT_DATA, "artifact \"%s\" of run %s: "
		    "corrupt (%s)", name, run_id, why);
		goto out;
	}
	pp_sha256_hex(out->data, out->len, sha);
	if (want == NULL || strcmp(sha, want) != 0) {
		pp_err_set(err, PP_EXIT_DATA, "artifact \"%s\" of run %s: "
		    "checksum mismatch", name, run_id);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		pp_buf_reset(out);
	pp_db_finalize(st);
	return rc;
}

int
pp_registry_artifact_get(struct pp_registry *r, const char *run_id,
    const char *name, struct pp_buf *out, struct pp_err *err)
{
	int rc;

	if (check_run_id(run_id, err) == -1 || read_begin(r, err) == -1)
		return -1;
	rc = artifact_read(r, run_id, name, out, err);
	read_end(r);
	return rc;
}

/* ---- Model registry ---------------------------------------------------- */

struct reg_ctx {
	const char *name;
	const char *run_id;
	const char *artifact;
	const char *description;
	int64_t version;
	enum pp_stage stage;
	int archive;
	const char *alias;
	int64_t now;
};

static int
audit(struct pp_registry *r, const struct reg_ctx *c, int64_t version,
    const char *what, const char *from, const char *to, struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, "INSERT INTO audit (time, \"user\", name, "
	    "version, what, from_value, to_value) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    err);
	int rc;

	if (st == NULL)
		return -1;
	pp_db_bind_int64(st, 1, c->now);
	bind_text(st, 2, user_name());
	bind_text(st, 3, c->name);
	if (version > 0)
		pp_db_bind_int64(st, 4, version);
	bind_text(st, 5, what);
	bind_text(st, 6, from);
	bind_text(st, 7, to);
	rc = step_done(r, st, err);
	pp_db_finalize(st);
	return rc;
}

static int
register_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct reg_ctx *c = ctx;
	struct pp_db_stmt *st;
	int64_t n;
	char *art = NULL;
	int rc = -1;

	if (find_run(r, c->run_id, NULL, err) == -1)
		return -1;
	if (c->artifact == NULL) {
		if (query_int(r, "SELECT count(*) FROM artifacts WHERE "
		    "run_id = ?", c->run_id, NULL, &n, err) == -1)
			return -1;
		if (n != 1)
			return pp_err_set(err, PP_EXIT_DATA, "run %s has %lld "
			    "artifacts: name one as runs:/%s/NAME", c->run_id,
			    (long long)n, c->run_id);
		st = prepare(r, "SELECT name FROM artifacts WHERE run_id = ?",
		    err);
		if (st == NULL)
			return -1;
		bind_text(st, 1, c->run_id);
		if (pp_db_step(st) == PP_DB_ROW)
			art = pp_xstrdup((const char *)pp_db_column_text(st,
			    0));
		pp_db_finalize(st);
		if (art == NULL)
			return db_fail(r, err, "read");
	} else {
		if (query_int(r, "SELECT count(*) FROM artifacts WHERE "
		    "run_id = ? AND name = ?", c->run_id, c->artifact, &n,
		    err) == -1)
			return -1;
		if (n == 0)
			return pp_err_set(err, PP_EXIT_DATA, "run %s has no "
			    "artifact \"%s\"", c->run_id, c->artifact);
		art = pp_xstrdup(c->artifact);
	}
	st = prepare(r, "INSERT INTO registered_models (name, creation_time, "
	    "last_updated) VALUES (?1, ?2, ?2) ON CONFLICT (name) DO UPDATE SET "
	    "last_updated = ?2", err);
	if (st == NULL)
		goto out;
	bind_text(st, 1, c->name);
	pp_db_bind_int64(st, 2, c->now);
	rc = step_done(r, st, err);
	pp_db_finalize(st);
	if (rc == -1)
		goto out;
	rc = -1;
	if (query_int(r, "SELECT coalesce(max(version), 0) + 1 FROM "
	    "model_versions WHERE name = ?", c->name, NULL, &n, err) == -1)
		goto out;
	c->version = n;
	st = prepare(r, "INSERT INTO model_versions (name, version, run_id, "
	    "artifact, creation_time, \"user\", description) VALUES (?, ?, ?, ?, "
	    "?, ?, ?)", err);
	if (st == NULL)
		goto out;
	bind_text(st, 1, c->name);
	pp_db_bind_int64(st, 2, c->version);
	bind_text(st, 3, c->run_id);
	bind_text(st, 4, art);
	pp_db_bind_int64(st, 5, c->now);
	bind_text(st, 6, user_name());
	bind_text(st, 7, c->description);
	rc = step_done(r, st, err);
	pp_db_finalize(st);
out:
	free(art);
	return rc;
}

int
pp_registry_register(struct pp_registry *r, const char *name,
    const char *run_id, const char *artifact, const char *description,
    int64_t *version, struct pp_err *err)
{
	struct reg_ctx c;

	memset(&c, 0, sizeof(c));
	if (check_model_name(name, err) == -1 ||
	    check_run_id(run_id, err) == -1)
		return -1;
	c.name = name;
	c.run_id = run_id;
	c.artifact = artifact;
	c.description = description;
	c.now = now_ms();
	if (write_tx(r, register_tx, &c, err) == -1)
		return -1;
	*version = c.version;
	return 0;
}

struct finish_ctx {
	struct reg_ctx reg;	/* name NULL: register nothing */
	struct end_ctx end;
};

static int
finish_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct finish_ctx *c = ctx;

	if (c->reg.name != NULL && register_tx(r, &c->reg, err) == -1)
		return -1;
	return end_tx(r, &c->end, err);
}

int
pp_registry_run_finish(struct pp_registry *r, const char *run_id,
    const char *model, const char *artifact, int64_t *version,
    struct pp_err *err)
{
	struct finish_ctx c;

	memset(&c, 0, sizeof(c));
	if ((model != NULL && check_model_name(model, err) == -1) ||
	    check_run_id(run_id, err) == -1)
		return -1;
	c.reg.name = model;
	c.reg.run_id = run_id;
	c.reg.artifact = artifact;
	c.reg.now = now_ms();
	c.end.log.run_id = run_id;
	c.end.log.now = c.reg.now;
	c.end.status = PP_RUN_FINISHED;
	if (write_tx(r, finish_tx, &c, err) == -1)
		return -1;
	if (model != NULL)
		*version = c.reg.version;
	return 0;
}

/* Fail unless model name has version v (v > 0) or exists (v == 0). */
static int
find_version(struct pp_registry *r, const char *name, int64_t v,
    struct pp_err *err)
{
	struct pp_db_stmt *st;
	int rc;

	st = prepare(r, v > 0 ? "SELECT 1 FROM model_versions WHERE name = ? "
	    "AND version = ?" : "SELECT 1 FROM registered_models WHERE "
	    "name = ?", err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, name);
	if (v > 0)
		pp_db_bind_int64(st, 2, v);
	rc = pp_db_step(st);
	pp_db_finalize(st);
	if (rc == PP_DB_ROW)
		return 0;
	if (rc != PP_DB_DONE)
		return db_fail(r, err, "read");
	if (v > 0)
		return pp_err_set(err, PP_EXIT_DATA, "model \"%s\" has no "
		    "version %lld", name, (long long)v);
	return pp_err_set(err, PP_EXIT_DATA, "no model \"%s\"", name);
}

static int
set_stage(struct pp_registry *r, const struct reg_ctx *c, int64_t v,
    enum pp_stage to, struct pp_err *err)
{
	struct pp_db_stmt *st;
	char *from = NULL;
	int rc = -1;

	st = prepare(r, "SELECT stage FROM model_versions WHERE name = ? AND "
	    "version = ?", err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, c->name);
	pp_db_bind_int64(st, 2, v);
	if (pp_db_step(st) == PP_DB_ROW)
		from = pp_xstrdup((const char *)pp_db_column_text(st, 0));
	pp_db_finalize(st);
	if (from == NULL)
		return find_version(r, c->name, v, err);
	if (strcmp(from, pp_stage_name(to)) == 0) {
		free(from);
		return 0;
	}
	st = prepare(r, "UPDATE model_versions SET stage = ? WHERE name = ? "
	    "AND version = ?", err);
	if (st != NULL) {
		bind_text(st, 1, pp_stage_name(to));
		bind_text(st, 2, c->name);
		pp_db_bind_int64(st, 3, v);
		rc = step_done(r, st, err);
		pp_db_finalize(st);
	}
	if (rc == 0)
		rc = audit(r, c, v, "stage", from, pp_stage_name(to), err);
	free(from);
	return rc;
}

static int
promote_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct reg_ctx *c = ctx;
	int64_t *others = NULL;
	size_t n = 0, cap = 0, i;
	struct pp_db_stmt *st;
	int rc = 0;

	if (lock_model(r, c->name, err) == -1)
		return -1;
	if (find_version(r, c->name, c->version, err) == -1)
		return -1;
	if (c->archive && c->stage != PP_STAGE_NONE &&
	    c->stage != PP_STAGE_ARCHIVED) {
		st = prepare(r, "SELECT version FROM model_versions WHERE "
		    "name = ? AND stage = ? AND version != ? ORDER BY version",
		    err);
		if (st == NULL)
			return -1;
		bind_text(st, 1, c->name);
		bind_text(st, 2, pp_stage_name(c->stage));
		pp_db_bind_int64(st, 3, c->version);
		while (pp_db_step(st) == PP_DB_ROW) {
			pp_xgrow((void **)&others, &cap, n + 1,
			    sizeof(*others));
			others[n++] = pp_db_column_int64(st, 0);
		}
		pp_db_finalize(st);
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = set_stage(r, c, others[i], PP_STAGE_ARCHIVED, err);
	free(others);
	if (rc == 0)
		rc = set_stage(r, c, c->version, c->stage, err);
	return rc;
}

int
pp_registry_promote(struct pp_registry *r, const char *name,
    int64_t version, enum pp_stage stage, int archive_existing,
    struct pp_err *err)
{
	struct reg_ctx c;

	memset(&c, 0, sizeof(c));
	if (check_model_name(name, err) == -1)
		return -1;
	if (version <= 0)
		return pp_err_set(err, PP_EXIT_USAGE, "bad version %lld",
		    (long long)version);
	c.name = name;
	c.version = version;
	c.stage = stage;
	c.archive = archive_existing;
	c.now = now_ms();
	return write_tx(r, promote_tx, &c, err);
}

static int
alias_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct reg_ctx *c = ctx;
	int64_t old;
	struct pp_db_stmt *st;
	char from[32], to[32];
	int rc;

	if (lock_model(r, c->name, err) == -1)
		return -1;
	if (find_version(r, c->name, c->version, err) == -1)
		return -1;
	if (query_int(r, "SELECT version FROM aliases WHERE name = ? AND "
	    "alias = ?", c->name, c->alias, &old, err) == -1)
		return -1;
	if (c->version > 0 && old == c->version)
		return 0;
	if (c->version == 0 && old == 0)
		return pp_err_set(err, PP_EXIT_DATA, "model \"%s\" has no "
		    "alias \"%s\"", c->name, c->alias);
	st = prepare(r, c->version > 0 ? "INSERT INTO aliases (name, alias, "
	    "version) VALUES (?1, ?2, ?3) ON CONFLICT (name, alias) DO UPDATE SET "
	    "version = ?3" : "DELETE FROM aliases WHERE name = ?1 AND "
	    "alias = ?2", err);
	if (st == NULL)
		return -1;
	bind_text(st, 1, c->name);
	bind_text(st, 2, c->alias);
	if (c->version > 0)
		pp_db_bind_int64(st, 3, c->version);
	rc = step_done(r, st, err);
	pp_db_finalize(st);
	if (rc == -1)
		return -1;
	snprintf(from, sizeof(from), "%lld", (long long)old);
	snprintf(to, sizeof(to), "%lld", (long long)c->version);
	{
		struct pp_buf what = PP_BUF_INIT;

		pp_buf_addf(&what, "alias %s", c->alias);
		rc = audit(r, c, c->version > 0 ? c->version : old, what.data,
		    old ? from : NULL, c->version ? to : NULL, err);
		pp_buf_release(&what);
	}
	return rc;
}

int
pp_registry_alias_set(struct pp_registry *r, const char *name,
    const char *alias, int64_t version, struct pp_err *err)
{
	struct reg_ctx c;

	memset(&c, 0, sizeof(c));
	if (check_model_name(name, err) == -1 || check_alias(alias, err) == -1)
		return -1;
	if (version <= 0)
		return pp_err_set(err, PP_EXIT_USAGE, "bad version %lld",
		    (long long)version);
	c.name = name;
	c.alias = alias;
	c.version = version;
	c.now = now_ms();
	return write_tx(r, alias_tx, &c, err);
}

/* The latest metric key of the run behind version v of name: 0 with *out
 * (NAN when the run has none) or -1. */
static int
version_metric(struct pp_registry *r, const char *name, int64_t v,
    const char *key, double *out, struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, "SELECT m.value FROM model_versions v "
	    "JOIN latest_metrics m ON m.run_id = v.run_id WHERE v.name = ? "
	    "AND v.version = ? AND m.key = ? AND m.value IS NOT NULL", err);
	int rc;

	if (st == NULL)
		return -1;
	bind_text(st, 1, name);
	pp_db_bind_int64(st, 2, v);
	bind_text(st, 3, key);
	rc = pp_db_step(st);
	*out = rc == PP_DB_ROW ? pp_db_column_double(st, 0) : NAN;
	pp_db_finalize(st);
	return rc == PP_DB_ROW || rc == PP_DB_DONE ? 0
						     : db_fail(r, err, "read");
}

struct move_ctx {
	struct reg_ctx c;
	struct pp_alias_move *m;
};

/*
 * The comparison and the move in one write transaction: two nightly jobs
 * promoting at once each see the other's champion, never a stale one.
 */
static int
move_tx(struct pp_registry *r, void *ctx, struct pp_err *err)
{
	struct move_ctx *mc = ctx;
	struct pp_alias_move *m = mc->m;
	int64_t v;

	if (lock_model(r, mc->c.name, err) == -1)
		return -1;
	if (find_version(r, mc->c.name, 0, err) == -1)
		return -1;
	if (m->version == 0) {
		if (query_int(r, "SELECT max(version) FROM model_versions "
		    "WHERE name = ?", mc->c.name, NULL, &v, err) == -1)
			return -1;
		if (v == 0)
			return pp_err_set(err, PP_EXIT_DATA, "model \"%s\" has "
			    "no versions", mc->c.name);
		m->version = v;
	}
	if (find_version(r, mc->c.name, m->version, err) == -1)
		return -1;
	if (query_int(r, "SELECT version FROM aliases WHERE name = ? AND "
	    "alias = ?", mc->c.name, mc->c.alias, &v, err) == -1)
		return -1;
	m->holder = v;
	m->old_value = m->new_value = NAN;
	m->moved = 0;
	if (m->metric != NULL && m->holder != m->version) {
		if (version_metric(r, mc->c.name, m->version, m->metric,
		    &m->new_value, err) == -1)
			return -1;
		if (isnan(m->new_value))
			return pp_err_set(err, PP_EXIT_DATA, "model \"%s\" "
			    "version %lld: its run has no metric \"%s\"",
			    mc->c.name, (long long)m->version, m->metric);
		if (m->holder > 0 && version_metric(r, mc->c.name, m->holder,
		    m->metric, &m->old_value, err) == -1)
			return -1;
		if (!isnan(m->old_value) && !(m->max ? m->new_value >
		    m->old_value : m->new_value < m->old_value))
			return 0;
	}
	mc->c.version = m->version;
	if (alias_tx(r, &mc->c, err) == -1)
		return -1;
	m->moved = 1;
	return 0;
}

int
pp_registry_alias_move(struct pp_registry *r, const char *name,
    const char *alias, struct pp_alias_move *m, struct pp_err *err)
{
	struct move_ctx mc;

	memset(&mc, 0, sizeof(mc));
	if (check_model_name(name, err) == -1 || check_alias(alias, err) == -1)
		return -1;
	if (m->version < 0)
		return pp_err_set(err, PP_EXIT_USAGE, "bad version %lld",
		    (long long)m->version);
	mc.c.name = name;
	mc.c.alias = alias;
	mc.c.now = now_ms();
	mc.m = m;
	return write_tx(r, move_tx, &mc, err);
}

int
pp_registry_best(struct pp_registry *r, const char *experiment,
    const char *metric, int max, char out[PP_RUN_ID_LEN + 1],
    double *value, struct pp_err *err)
{
	struct pp_db_stmt *st;
	int rc = -1;

	if (read_begin(r, err) == -1)
		return -1;
	st = prepare(r, max ? "SELECT r.run_id, m.value FROM runs r JOIN "
	    "experiments e USING (experiment_id) JOIN latest_metrics m ON "
	    "m.run_id = r.run_id AND m.key = ?2 WHERE e.name = ?1 AND "
	    "r.deleted_time IS NULL AND r.parent_run_id IS NULL AND "
	    "r.status = 'FINISHED' AND m.value IS NOT NULL ORDER BY m.value "
	    "DESC, r.start_time DESC, r.run_id LIMIT 1" : "SELECT r.run_id, "
	    "m.value FROM runs r JOIN experiments e USING (experiment_id) JOIN "
	    "latest_metrics m ON m.run_id = r.run_id AND m.key = ?2 WHERE "
	    "e.name = ?1 AND r.deleted_time IS NULL AND r.parent_run_id IS "
	    "NULL AND r.status = 'FINISHED' AND m.value IS NOT NULL ORDER BY "
	    "m.value ASC, r.start_time DESC, r.run_id LIMIT 1", err);
	if (st == NULL)
		goto out;
	bind_text(st, 1, experiment);
	bind_text(st, 2, metric);
	switch (pp_db_step(st)) {
	case PP_DB_ROW:
		memcpy(out, pp_db_column_text(st, 0), PP_RUN_ID_LEN + 1);
		*value = pp_db_column_double(st, 1);
		rc = 0;
		break;
	case PP_DB_DONE:
		pp_err_set(err, PP_EXIT_DATA, "experiment \"%s\": no finished "
		    "top-level run has metric \"%s\"", experiment, metric);
		break;
	default:
		db_fail(r, err, "read");
	}
	pp_db_finalize(st);
out:
	read_end(r);
	return rc;
}

int
pp_registry_find_keyed(struct pp_registry *r, const char *experiment,
    const char *tag, const char *value, const char *fingerprint,
    const char *model, char id[PP_RUN_ID_LEN + 1], int64_t *version,
    struct pp_err *err)
{
	struct pp_db_stmt *st;
	int rc = -1;

	*version = 0;
	if (read_begin(r, err) == -1)
		return -1;
	st = prepare(r, "SELECT r.run_id, (SELECT max(v.version) FROM "
	    "model_versions v WHERE v.run_id = r.run_id AND v.name = ?5) "
	    "FROM runs r JOIN experiments e USING (experiment_id) JOIN tags t "
	    "ON t.run_id = r.run_id AND t.key = ?2 AND t.value = ?3 WHERE "
	    "e.name = ?1 AND r.fingerprint = ?4 AND r.status = 'FINISHED' AND "
	    "r.deleted_time IS NULL AND r.parent_run_id IS NULL ORDER BY "
	    "r.start_time DESC, r.run_id LIMIT 1", err);
	if (st == NULL)
		goto out;
	bind_text(st, 1, experiment);
	bind_text(st, 2, tag);
	bind_text(st, 3, value);
	bind_text(st, 4, fingerprint);
	bind_text(st, 5, model);
	switch (pp_db_step(st)) {
	case PP_DB_ROW:
		memcpy(id, pp_db_column_text(st, 0), PP_RUN_ID_LEN + 1);
		*version = pp_db_column_int64(st, 1);
		rc = 1;
		break;
	case PP_DB_DONE:
		rc = 0;
		break;
	default:
		db_fail(r, err, "read");
	}
	pp_db_finalize(st);
out:
	read_end(r);
	return rc;
}

int
pp_registry_alias_delete(struct pp_registry *r, const char *name,
    const char *alias, struct pp_err *err)
{
	struct reg_ctx c;

	memset(&c, 0, sizeof(c));
	if (check_model_name(name, err) == -1)
		return -1;
	c.name = name;
	c.alias = alias;
	c.now = now_ms();
	return write_tx(r, alias_tx, &c, err);
}

void
pp_registry_ref_release(struct pp_registry_ref *ref)
{
	free(ref->model);
	free(ref->artifact);
	memset(ref, 0, sizeof(*ref));
}

int
pp_registry_is_uri(const char *s)
{
	return strncmp(s, "models:/", 8) == 0 || strncmp(s, "runs:/", 6) == 0;
}

/* Fill ref from a models:/ URI's model version row. */
static int
resolve_version(struct pp_registry *r, const char *sql, const char *name,
    const char *arg, int64_t v, const char *uri, struct pp_registry_ref *ref,
    struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	bind_text(st, 1, name);
	if (arg != NULL)
		bind_text(st, 2, arg);
	else if (v > 0)
		pp_db_bind_int64(st, 2, v);
	rc = pp_db_step(st);
	if (rc == PP_DB_ROW) {
		ref->model = pp_xstrdup(name);
		ref->version = pp_db_column_int64(st, 0);
		snprintf(ref->run_id, sizeof(ref->run_id), "%s",
		    (const char *)pp_db_column_text(st, 1));
		ref->artifact = pp_xstrdup(
		    (const char *)pp_db_column_text(st, 2));
	}
	pp_db_finalize(st);
	if (rc == PP_DB_ROW)
		return 0;
	if (rc != PP_DB_DONE)
		return db_fail(r, err, "read");
	if (find_version(r, name, 0, err) == -1)
		return pp_err_prefix(err, "%s", uri);
	return pp_err_set(err, PP_EXIT_DATA, "%s: no such model version", uri);
}

static int
resolve_in_tx(struct pp_registry *r, const char *uri,
    struct pp_registry_ref *ref, struct pp_err *err)
{
	static const char cols[] = "SELECT version, run_id, artifact FROM "
	    "model_versions ";
	struct pp_buf sql = PP_BUF_INIT, name = PP_BUF_INIT;
	const char *p, *slash, *at;
	enum pp_stage stage = PP_STAGE_NONE;
	int rc = -1;
	long v;

	if (strncmp(uri, "runs:/", 6) == 0) {
		p = uri + 6;
		slash = strchr(p, '/');
		pp_buf_add(&name, p, slash ? (size_t)(slash - p) : strlen(p));
		if (expand_run_id(r, name.data, ref->run_id, err) == -1) {
			if (err->code == PP_EXIT_USAGE)
				pp_err_prefix(err, "%s", uri);
			goto out;
		}
		if (find_run(r, ref->run_id, NULL, err) == -1)
			goto out;
		pp_buf_reset(&name);
		pp_buf_addstr(&name, ref->run_id);
		if (slash != NULL && slash[1] != '\0') {
			int64_t n;

			/* A URI names something that exists, or fails. */
			if (query_int(r, "SELECT count(*) FROM artifacts WHERE "
			    "run_id = ? AND name = ?", name.data, slash + 1,
			    &n, err) == -1)
				goto out;
			if (n == 0) {
				pp_err_set(err, PP_EXIT_DATA, "run %s has no "
				    "artifact \"%s\"", name.data, slash + 1);
				goto out;
			}
			ref->artifact = pp_xstrdup(slash + 1);
		} else {
			struct pp_db_stmt *st = prepare(r, "SELECT name FROM "
			    "artifacts WHERE run_id = ? AND (SELECT count(*) "
			    "FROM artifacts WHERE run_id = ?1) = 1", err);

			if (st == NULL)
				goto out;
			bind_text(st, 1, name.data);
			if (pp_db_step(st) == PP_DB_ROW)
				ref->artifact = pp_xstrdup((const char *)
				    pp_db_column_text(st, 0));
			pp_db_finalize(st);
		}
		rc = 0;
		goto out;
	}
	if (strncmp(uri, "models:/", 8) != 0) {
		pp_err_set(err, PP_EXIT_USAGE, "bad model URI \"%s\": want "
		    "models:/NAME/VERSION, models:/NAME@ALIAS, "
		    "models:/NAME/STAGE or runs:/RUN_ID[/ARTIFACT]", uri);
		goto out;
	}
	p = uri + 8;
	slash = strchr(p, '/');
	at = strchr(p, '@');
	if (at != NULL && (slash == NULL || at < slash)) {
		pp_buf_add(&name, p, (size_t)(at - p));
		if (check_model_name(name.data, err) == -1 ||
		    check_alias(at + 1, err) == -1) {
			pp_err_prefix(err, "%s", uri);
			goto out;
		}
		pp_buf_addf(&sql, "%s WHERE name = ?1 AND version = (SELECT "
		    "version FROM aliases WHERE name = ?1 AND alias = ?2)",
		    cols);
		rc = resolve_version(r, sql.data, name.data, at + 1, 0, uri,
		    ref, err);
		goto out;
	}
	if (slash == NULL || slash[1] == '\0' || strchr(slash + 1, '/')) {
		pp_err_set(err, PP_EXIT_USAGE, "bad model URI \"%s\": want "
		    "models:/NAME/VERSION, models:/NAME@ALIAS or "
		    "models:/NAME/STAGE", uri);
		goto out;
	}
	pp_buf_add(&name, p, (size_t)(slash - p));
	if (check_model_name(name.data, err) == -1) {
		pp_err_prefix(err, "%s", uri);
		goto out;
	}
	if (pp_parse_long(slash + 1, 1, LONG_MAX, &v) == 0) {
		pp_buf_addf(&sql, "%s WHERE name = ? AND version = ?", cols);
		rc = resolve_version(r, sql.data, name.data, NULL, v, uri, ref,
		    err);
	} else if (strcasecmp(slash + 1, "latest") == 0) {
		pp_buf_addf(&sql, "%s WHERE name = ? ORDER BY version DESC "
		    "LIMIT 1", cols);
		rc = resolve_version(r, sql.data, name.data, NULL, 0, uri, ref,
		    err);
	} else if (pp_stage_parse(slash + 1, &stage, err) == 0) {
		pp_buf_addf(&sql, "%s WHERE name = ? AND stage = ? ORDER BY "
		    "version DESC LIMIT 1", cols);
		rc = resolve_version(r, sql.data, name.data,
		    pp_stage_name(stage), 0, uri, ref, err);
	} else {
		pp_err_clear(err);
		pp_err_set(err, PP_EXIT_USAGE, "bad model URI \"%s\": \"%s\" "
		    "is not a version, a stage or latest", uri, slash + 1);
	}
out:
	pp_buf_release(&sql);
	pp_buf_release(&name);
	return rc;
}

/* The messages of resolve_in_tx quote the URI and the names in it as the
 * user wrote them: show control bytes and malformed UTF-8 as \xNN, so a
 * message stays one line whoever reads it (pp-serve's log, a client). */
static int
shown_err(struct pp_err *err)
{
	struct pp_buf b = PP_BUF_INIT;
	int code = err->code;

	pp_buf_addshown(&b, err->msg, strlen(err->msg));
	pp_err_clear(err);
	pp_err_set(err, code, "%s", b.data);
	pp_buf_release(&b);
	return -1;
}

int
pp_registry_resolve(struct pp_registry *r, const char *uri,
    struct pp_registry_ref *ref, struct pp_err *err)
{
	int rc;

	pp_registry_ref_release(ref);
	if (read_begin(r, err) == -1)
		return -1;
	if ((rc = resolve_in_tx(r, uri, ref, err)) == -1)
		shown_err(err);
	read_end(r);
	return rc;
}

int
pp_registry_load(struct pp_registry *r, const char *uri, struct pp_buf *out,
    struct pp_registry_ref *ref, struct pp_err *err)
{
	struct pp_registry_ref mine = PP_REGISTRY_REF_INIT;
	struct pp_registry_ref *x = ref ? ref : &mine;
	int rc = -1;

	pp_registry_ref_release(x);
	if (read_begin(r, err) == -1)
		return -1;
	if (resolve_in_tx(r, uri, x, err) == 0) {
		if (x->artifact == NULL)
			pp_err_set(err, PP_EXIT_DATA, "%s: the run has no "
			    "single artifact: name one", uri);
		else
			rc = artifact_read(r, x->run_id, x->artifact, out,
			    err);
	}
	if (rc == -1)
		shown_err(err);
	read_end(r);
	pp_registry_ref_release(&mine);
	return rc;
}

/* ---- Listings ---------------------------------------------------------- */

void
pp_reg_table_release(struct pp_reg_table *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		free(t->cols[i]);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cols);
	free(t->cells);
	free(t->kinds);
	memset(t, 0, sizeof(*t));
}

static void
table_cols(struct pp_reg_table *t, const char *const *names, size_t n)
{
	size_t i;

	t->ncols = n;
	t->cols = pp_xcalloc(n, sizeof(*t->cols));
	for (i = 0; i < n; i++)
		t->cols[i] = pp_xstrdup(names[i]);
}

/* Append one cell to the row being filled (*col is its column); a full
 * row is counted. */
static void
cell(struct pp_reg_table *t, size_t *col, enum pp_cell_kind k, const char *s)
{
	size_t n = t->nrows * t->ncols + *col, cap = t->cap;

	pp_xgrow((void **)&t->cells, &cap, n + 1, sizeof(*t->cells));
	if (cap != t->cap) {
		t->kinds = pp_xrealloc(t->kinds, cap);
		t->cap = cap;
	}
	t->cells[n] = s ? pp_xstrdup(s) : NULL;
	t->kinds[n] = (unsigned char)(s ? k : PP_CELL_NULL);
	if (++*col == t->ncols) {
		*col = 0;
		t->nrows++;
	}
}

/* A statement column as a cell's kind and text (num holds a number's
 * text); NULL for a missing value. */
static const char *
col_cell(struct pp_db_stmt *st, int i, char num[PP_DBL_BUFSZ],
    enum pp_cell_kind *k)
{
	switch (pp_db_column_type(st, i)) {
	case PP_DB_NULL:
		*k = PP_CELL_NULL;
		return NULL;
	case PP_DB_INT:
		*k = PP_CELL_NUM;
		pp_fmt_int64(num, pp_db_column_int64(st, i));
		return num;
	case PP_DB_FLOAT:
		*k = PP_CELL_NUM;
		pp_fmt_double(num, pp_db_column_double(st, i));
		return num;
	default:
		*k = PP_CELL_TEXT;
		return (const char *)pp_db_column_text(st, i);
	}
}

/* Append a statement column as a cell. */
static void
cell_col(struct pp_reg_table *t, size_t *col, struct pp_db_stmt *st, int i)
{
	char num[PP_DBL_BUFSZ];
	enum pp_cell_kind k;
	const char *s = col_cell(st, i, num, &k);

	cell(t, col, k, s);
}

/* Run a prepared statement into t, taking its column names. */
static int
table_from_stmt(struct pp_registry *r, struct pp_db_stmt *st,
    struct pp_reg_table *t, struct pp_err *err)
{
	int i, n, rc = pp_db_step(st);
	size_t col = 0;

	/* After the first step: a server says what the columns are once
	 * the statement has run. */
	if (rc == PP_DB_ERROR)
		return db_fail(r, err, "read");
	n = pp_db_column_count(st);
	if (t->ncols == 0) {
		t->ncols = (size_t)n;
		t->cols = pp_xcalloc((size_t)n, sizeof(*t->cols));
		for (i = 0; i < n; i++)
			t->cols[i] = pp_xstrdup(pp_db_column_name(st, i));
	}
	for (; rc == PP_DB_ROW; rc = pp_db_step(st))
		for (i = 0; i < n; i++)
			cell_col(t, &col, st, i);
	if (rc != PP_DB_DONE)
		return db_fail(r, err, "read");
	return 0;
}

/* Prepare sql, bind up to two text params, and append its rows to t. */
static int
table_query(struct pp_registry *r, const char *sql, const char *a,
    const char *b, struct pp_reg_table *t, struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	if (a != NULL)
		bind_text(st, 1, a);
	if (b != NULL)
		bind_text(st, 2, b);
	rc = table_from_stmt(r, st, t, err);
	pp_db_finalize(st);
	return rc;
}

int
pp_registry_experiments(struct pp_registry *r, struct pp_reg_table *t,
    struct pp_err *err)
{
	int rc;

	if (read_begin(r, err) == -1)
		return -1;
	rc = table_query(r, "SELECT e.experiment_id, e.name, (SELECT count(*) "
	    "FROM runs r WHERE r.experiment_id = e.experiment_id AND "
	    "r.deleted_time IS NULL) AS runs, " ISO("e.creation_time")
	    " AS creation_time FROM experiments e ORDER BY e.experiment_id",
	    NULL, NULL, t, err);
	read_end(r);
	return rc;
}

/* Is the owner of a RUNNING run gone?  Only answerable on its own host. */
static int
owner_gone(const char *host, int64_t pid)
{
	char me[256];

	if (host == NULL || pid <= 0 || gethostname(me, sizeof(me) - 1) != 0)
		return 0;
	me[sizeof(me) - 1] = '\0';
	return strcmp(host, me) == 0 && kill((pid_t)pid, 0) == -1 &&
	    errno == ESRCH;
}

/*
 * The RUNNING runs whose owner is gone, as a JSON array of ids for
 * json_each(?).  Asked here rather than in SQL because only this process
 * can ask its kernel (SQLite could call back into C; a server cannot).
 */
static int
gone_runs(struct pp_registry *r, struct pp_buf *json, struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, "SELECT run_id, host, pid FROM "
	    "runs WHERE status = 'RUNNING' ORDER BY run_id", err);
	int rc, n = 0;

	if (st == NULL)
		return -1;
	pp_buf_addc(json, '[');
	while ((rc = pp_db_step(st)) == PP_DB_ROW)
		if (owner_gone(pp_db_column_text(st, 1),
		    pp_db_column_int64(st, 2)))
			pp_buf_addf(json, "%s\"%s\"", n++ ? "," : "",
			    pp_db_column_text(st, 0));
	pp_buf_addc(json, ']');
	pp_db_finalize(st);
	return rc == PP_DB_DONE ? 0 : db_fail(r, err, "read");
}

/* A column of `runs` beyond the attributes. */
struct xcol {
	int kind;		/* 0 metric, 1 param, 2 tag */
	char *key;		/* owned */
};

static const char *const xcol_prefix[] = { "metrics.", "params.", "tags." };

/* Parse "metrics.K" (or metric., params., param., tags., tag.) into c. */
static int
parse_xcol(const char *s, size_t n, struct xcol *c)
{
	static const struct {
		const char *p;
		int kind;
	} pre[] = {
		{ "metrics.", 0 }, { "metric.", 0 }, { "params.", 1 },
		{ "param.", 1 }, { "tags.", 2 }, { "tag.", 2 }
	};
	size_t i, k;

	for (i = 0; i < PP_ARRAY_SIZE(pre); i++) {
		k = strlen(pre[i].p);
		if (n > k && strncmp(s, pre[i].p, k) == 0) {
			c->kind = pre[i].kind;
			c->key = pp_xstrndup(s + k, n - k);
			return 0;
		}
	}
	return -1;
}

static int
have_xcol(const struct xcol *c, size_t n, int kind, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i].kind == kind && strcmp(c[i].key, key) == 0)
			return 1;
	return 0;
}

static void
add_xcol(struct xcol **c, size_t *n, size_t *cap, int kind, const char *key,
    size_t len)
{
	pp_xgrow((void **)c, cap, *n + 1, sizeof(**c));
	(*c)[*n].kind = kind;
	(*c)[*n].key = pp_xstrndup(key, len);
	(*n)++;
}

/* The runs in scope, as SQL after WHERE over runs r joined to e. */
static void
scope_sql(struct pp_buf *sql, const struct pp_run_query *q, int *n)
{
	pp_buf_addstr(sql, q->deleted ? "r.deleted_time IS NOT NULL"
				      : "r.deleted_time IS NULL");
	if (q->experiment)
		pp_buf_addf(sql, " AND e.name = ?%d", (*n)++);
	if (q->parent)
		pp_buf_addf(sql, " AND r.parent_run_id = ?%d", (*n)++);
	else if (!q->nested && !q->stale)
		pp_buf_addstr(sql, " AND r.parent_run_id IS NULL");
}

static void
scope_bind(struct pp_db_stmt *st, const struct pp_run_query *q, int *n)
{
	if (q->experiment)
		bind_text(st, (*n)++, q->experiment);
	if (q->parent)
		bind_text(st, (*n)++, q->parent);
}

/*
 * The runs a query lists, as SQL after WHERE over runs r joined to e: the
 * scope, --stale's condition and the filter, then the order and the
 * limit.  where_bind binds their values in the same order.
 */
static void
order_sql(struct pp_buf *sql, const struct pp_run_query *q,
    const struct pp_registry_filter *f)
{
	pp_buf_addf(sql, " ORDER BY %s", f->order.len ? f->order.data
	    : "r.start_time DESC, r.run_id");
	if (q->limit > 0)
		pp_buf_addf(sql, " LIMIT %ld", q->limit);
}

/* The scope, --stale's condition and the filter (no order). */
static void
cond_sql(struct pp_buf *sql, const struct pp_run_query *q,
    const struct pp_registry_filter *f, int *n)
{
	scope_sql(sql, q, n);
	if (q->stale) {
		pp_buf_addf(sql, " AND r.status = 'RUNNING' AND "
		    "(r.run_id IN (SELECT value FROM json_each(?%d))", (*n)++);
		if (q->stale_after_ms > 0)
			pp_buf_addf(sql, " OR r.last_update < ?%d", (*n)++);
		pp_buf_addc(sql, ')');
	}
	if (f->where.len)
		pp_buf_addf(sql, " AND (%s)", f->where.data);
}

static void
where_sql(struct pp_buf *sql, const struct pp_run_query *q,
    const struct pp_registry_filter *f, int *n)
{
	cond_sql(sql, q, f, n);
	order_sql(sql, q, f);
}

/* Bind f's values from the from-th on (the filter's, then the order's). */
static void
filter_bind(struct pp_db_stmt *st, const struct pp_registry_filter *f,
    size_t from, int *n)
{
	size_t i;

	for (i = from; i < f->nargs; i++, (*n)++) {
		if (f->args[i].is_num)
			pp_db_bind_double(st, *n, f->args[i].num);
		else
			bind_text(st, *n, f->args[i].text);
	}
}

static void
where_bind(struct pp_db_stmt *st, const struct pp_run_query *q,
    const struct pp_registry_filter *f, const char *gone, int *n)
{
	scope_bind(st, q, n);
	if (q->stale)
		bind_text(st, (*n)++, gone);
	if (q->stale && q->stale_after_ms > 0)
		pp_db_bind_int64(st, (*n)++, now_ms() - q->stale_after_ms);
	filter_bind(st, f, 0, n);
}

/*
 * The metrics that at least half of the scope's runs have: the columns
 * of a listing that is the whole scope.
 */
static int
common_metrics(struct pp_registry *r, const struct pp_run_query *q,
    struct xcol **c, size_t *nc, size_t *cap, struct pp_err *err)
{
	struct pp_buf sql = PP_BUF_INIT;
	struct pp_db_stmt *st;
	int i = 1, rc;

	pp_buf_addstr(&sql, "WITH s AS (SELECT r.run_id FROM runs r "
	    "JOIN experiments e USING (experiment_id) WHERE ");
	scope_sql(&sql, q, &i);
	pp_buf_addstr(&sql, ") SELECT m.key FROM latest_metrics m "
	    "JOIN s USING (run_id) GROUP BY m.key HAVING 2 * count(*) "
	    ">= (SELECT count(*) FROM s) ORDER BY m.key");
	st = prepare(r, sql.data, err);
	pp_buf_release(&sql);
	if (st == NULL)
		return -1;
	i = 1;
	scope_bind(st, q, &i);
	while ((rc = pp_db_step(st)) == PP_DB_ROW) {
		const char *k = (const char *)pp_db_column_text(st, 0);

		add_xcol(c, nc, cap, 0, k, strlen(k));
	}
	pp_db_finalize(st);
	return rc == PP_DB_DONE ? 0 : db_fail(r, err, "read");
}

/* --order-by's key as a column, if it is a metric, param or tag not
 * among c yet. */
static void
order_xcol(const struct pp_run_query *q, struct xcol **c, size_t *nc,
    size_t *cap)
{
	struct xcol x;

	if (q->order_by != NULL &&
	    parse_xcol(q->order_by, strcspn(q->order_by, " \t"), &x) == 0) {
		if (!have_xcol(*c, *nc, x.kind, x.key))
			add_xcol(c, nc, cap, x.kind, x.key, strlen(x.key));
		free(x.key);
	}
}

/* The columns of a listing of the whole scope beyond the attributes (see
 * registry.h). */
static int
runs_xcols(struct pp_registry *r, const struct pp_run_query *q,
    struct xcol **c, size_t *nc, struct pp_err *err)
{
	size_t cap = 0;
	const char *s, *e;

	if (q->columns != NULL) {
		for (s = q->columns;; s = e + 1) {
			struct xcol x;

			e = strchr(s, ',');
			if (e == NULL)
				e = s + strlen(s);
			if (parse_xcol(s, (size_t)(e - s), &x) == -1)
				return pp_err_set(err, PP_EXIT_USAGE, "--columns: "
				    "bad column \"%.*s\": want metrics.KEY, "
				    "params.KEY or tags.KEY", (int)(e - s), s);
			if (!have_xcol(*c, *nc, x.kind, x.key))
				add_xcol(c, nc, &cap, x.kind, x.key,
				    strlen(x.key));
			free(x.key);
			if (*e == '\0')
				break;
		}
	} else if (common_metrics(r, q, c, nc, &cap, err) == -1) {
		return -1;
	}
	order_xcol(q, c, nc, &cap);
	return 0;
}

/* SQL for one column per xcol, its key bound as ?N from *n on (never
 * SQL text), of the run whose id is run_id; with when not NULL, only
 * where that condition holds (else NULL). */
static void
xcols_sql(struct pp_buf *sql, const struct xcol *xc, size_t nxc,
    const char *run_id, const char *when, int *n)
{
	size_t i;

	for (i = 0; i < nxc; i++)
		pp_buf_addf(sql, ", %s%s%s(SELECT value FROM %s WHERE run_id = "
		    "%s AND key = ?%d)%s", when ? "CASE WHEN " : "",
		    when ? when : "", when ? " THEN " : "", xc[i].kind == 0 ?
		    "latest_metrics" : xc[i].kind == 1 ? "params" : "tags",
		    run_id, (*n)++, when ? " END" : "");
}

/* The attributes a listing shows first (list_attr names them), and
 * where they come from. */
#define RUN_ATTRS "r.run_id, e.name AS experiment, r.name, r.status, " \
	ISO("r.start_time") " AS start_time, " ISO("r.end_time") \
	" AS end_time, r.\"user\""
#define RUNS_FROM " FROM runs r JOIN experiments e USING (experiment_id) " \
	"WHERE "

/* The attributes a listing shows first, as list_stmt's l names them. */
static const char *const list_attr[] = {
	"run_id", "experiment", "name", "status", "start_time", "end_time",
	"\"user\""
};

/* The listing of the whole scope, or with --columns: the attributes, then
 * one column per xcol, over the runs the query's WHERE picks. */
static struct pp_db_stmt *
runs_stmt(struct pp_registry *r, const struct pp_run_query *q,
    const struct pp_registry_filter *f, const struct xcol *xc, size_t nxc,
    const char *gone, struct pp_err *err)
{
	struct pp_buf sql = PP_BUF_INIT;
	struct pp_db_stmt *st;
	size_t i;
	int n = 1;

	pp_buf_addstr(&sql, "SELECT " RUN_ATTRS);
	xcols_sql(&sql, xc, nxc, "r.run_id", NULL, &n);
	pp_buf_addstr(&sql, RUNS_FROM);
	where_sql(&sql, q, f, &n);
	st = prepare(r, sql.data, err);
	pp_buf_release(&sql);
	if (st == NULL)
		return NULL;
	n = 1;
	for (i = 0; i < nxc; i++)
		bind_text(st, n++, xc[i].key);
	where_bind(st, q, f, gone, &n);
	return st;
}

/*
 * A narrowed listing (a filter, a limit, --stale) in one statement: l
 * runs the filter once and numbers the listed runs in their order (pos;
 * the WINDOW clause comes after WHERE, so the order's values are bound
 * after the filter's, as where_bind binds them); each listed run then
 * comes back once per metric it has (key, value; one row with a NULL key
 * if none), with a column per xcol (--order-by's) after.  Which metrics
 * become columns is known only once every row is in (list_pivot).
 */
static struct pp_db_stmt *
list_stmt(struct pp_registry *r, const struct pp_run_query *q,
    const struct pp_registry_filter *f, const struct xcol *xc, size_t nxc,
    const char *gone, struct pp_err *err)
{
	struct pp_buf sql = PP_BUF_INIT;
	struct pp_db_stmt *st;
	size_t i;
	int n = 1;

	pp_buf_addstr(&sql, "WITH l AS (SELECT " RUN_ATTRS ", row_number() "
	    "OVER w AS pos" RUNS_FROM);
	cond_sql(&sql, q, f, &n);
	pp_buf_addf(&sql, " WINDOW w AS (ORDER BY %s) ORDER BY pos",
	    f->order.len ? f->order.data : "r.start_time DESC, r.run_id");
	if (q->limit > 0)
		pp_buf_addf(&sql, " LIMIT %ld", q->limit);
	/* After the filter's and the order's values, bound as bare ?. */
	n += (int)f->nargs;
	if (r->pg) {
		/* A run's attributes and xcols on its first row only (m.k 1,
		 * or no metrics): the rest would cross the connection once
		 * per metric for list_read to skip. */
		pp_buf_addstr(&sql, ") SELECT");
		for (i = 0; i < 7; i++)
			pp_buf_addf(&sql, "%s CASE WHEN m.k IS NULL OR m.k = 1 "
			    "THEN l.%s END AS %s", i ? "," : "", list_attr[i],
			    list_attr[i]);
		pp_buf_addstr(&sql, ", m.key, m.value");
		xcols_sql(&sql, xc, nxc, "l.run_id", "m.k IS NULL OR m.k = 1",
		    &n);
		/* A lateral subquery it may not flatten (OFFSET 0), so that
		 * each listed run's metrics are read through the primary key;
		 * as a join, its planner would rather hash the whole table
		 * when it expects more runs to be listed than a few hundred. */
		pp_buf_addstr(&sql, " FROM l LEFT JOIN LATERAL (SELECT key, "
		    "value, row_number() OVER () AS k FROM latest_metrics "
		    "WHERE run_id = l.run_id OFFSET 0) m ON true ORDER BY "
		    "l.pos, m.k");
	} else {
		pp_buf_addstr(&sql, ") SELECT");
		for (i = 0; i < 7; i++)
			pp_buf_addf(&sql, "%s l.%s AS %s", i ? "," : "",
			    list_attr[i], list_attr[i]);
		pp_buf_addstr(&sql, ", m.key, m.value");
		xcols_sql(&sql, xc, nxc, "l.run_id", NULL, &n);
		pp_buf_addstr(&sql, " FROM l LEFT JOIN latest_metrics m ON "
		    "m.run_id = l.run_id ORDER BY l.pos");
	}
	st = prepare(r, sql.data, err);
	pp_buf_release(&sql);
	if (st == NULL)
		return NULL;
	n = 1;
	where_bind(st, q, f, gone, &n);
	for (i = 0; i < nxc; i++)
		bind_text(st, n++, xc[i].key);
	return st;
}

/*
 * The distinct metric keys of a listing, each with how many listed runs
 * have it, found through an open-addressing table (slot: a key's index
 * + 1, 0 empty): a few keys met thousands of times, each kept once.
 */
struct lkey {
	char *s;
	size_t nruns;
};

struct lkeys {
	struct lkey *key;
	size_t n, cap;
	size_t *slot;
	size_t nslot;		/* a power of two, at least twice n */
};

static size_t
lkey_hash(const char *s)
{
	size_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The index of key s, added if new. */
static size_t
lkey_id(struct lkeys *k, const char *s)
{
	size_t i, j, mask;

	if (2 * (k->n + 1) > k->nslot) {
		size_t ns = k->nslot ? 2 * k->nslot : 16;
		size_t *slot = pp_xcalloc(ns, sizeof(*slot));

		for (j = 0; j < k->n; j++) {
			for (i = lkey_hash(k->key[j].s) & (ns - 1); slot[i];
			    i = (i + 1) & (ns - 1))
				;
			slot[i] = j + 1;
		}
		free(k->slot);
		k->slot = slot;
		k->nslot = ns;
	}
	mask = k->nslot - 1;
	for (i = lkey_hash(s) & mask; k->slot[i]; i = (i + 1) & mask)
		if (strcmp(k->key[k->slot[i] - 1].s, s) == 0)
			return k->slot[i] - 1;
	pp_xgrow((void **)&k->key, &k->cap, k->n + 1, sizeof(*k->key));
	k->key[k->n].s = pp_xstrdup(s);
	k->key[k->n].nruns = 0;
	k->slot[i] = ++k->n;
	return k->n - 1;
}

static void
lkeys_release(struct lkeys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->key[i].s);
	free(k->key);
	free(k->slot);
}

/* One metric of a listed run, as its cell will show it: its text at
 * offset text of the listing's arena, or none (SIZE_MAX). */
struct lmetric {
	size_t run;		/* the run's row */
	size_t key;		/* its index in lkeys */
	size_t text;
	unsigned char kind;
};

/* The rows of list_stmt: a listed run's attributes and xcols as one row
 * of raw (its first row), its metrics appended to *m, their keys to k
 * and their text to arena. */
static int
list_read(struct pp_registry *r, struct pp_db_stmt *st,
    struct pp_reg_table *raw, size_t nxc, struct lkeys *k,
    struct lmetric **m, size_t *nm, struct pp_buf *arena, struct pp_err *err)
{
	size_t col = 0, cap = 0, i;
	int rc = pp_db_step(st);

	if (rc == PP_DB_ERROR)
		return db_fail(r, err, "read");
	raw->ncols = 7 + nxc;
	raw->cols = pp_xcalloc(raw->ncols, sizeof(*raw->cols));
	for (i = 0; i < 7; i++)
		raw->cols[i] = pp_xstrdup(pp_db_column_name(st, (int)i));
	for (; rc == PP_DB_ROW; rc = pp_db_step(st)) {
		const char *id = (const char *)pp_db_column_text(st, 0);
		char num[PP_DBL_BUFSZ];
		enum pp_cell_kind kind;
		struct lmetric *x;
		const char *v;

		/* A new run; on PostgreSQL its other rows have no run_id. */
		if (id != NULL && (raw->nrows == 0 || strcmp(id,
		    raw->cells[(raw->nrows - 1) * raw->ncols]) != 0)) {
			for (i = 0; i < 7; i++)
				cell_col(raw, &col, st, (int)i);
			for (i = 0; i < nxc; i++)
				cell_col(raw, &col, st, (int)(9 + i));
		}
		if (pp_db_column_type(st, 7) == PP_DB_NULL)
			continue;
		pp_xgrow((void **)m, &cap, *nm + 1, sizeof(**m));
		x = &(*m)[(*nm)++];
		x->run = raw->nrows - 1;
		x->key = lkey_id(k, (const char *)pp_db_column_text(st, 7));
		k->key[x->key].nruns++;
		v = col_cell(st, 8, num, &kind);
		x->kind = (unsigned char)kind;
		x->text = v ? arena->len : SIZE_MAX;
		if (v != NULL)
			pp_buf_add(arena, v, strlen(v) + 1);
	}
	return rc == PP_DB_DONE ? 0 : db_fail(r, err, "read");
}

static int
lkey_order(const void *a, const void *b)
{
	return strcmp((*(const struct lkey *const *)a)->s,
	    (*(const struct lkey *const *)b)->s);
}

/*
 * The listing from list_read's rows: the attributes, one column per
 * metric that at least half of the listed runs have (in key order, as
 * strcmp and SQL's binary collation sort), then each xcol not among
 * them.  raw's cells move into t.
 */
static void
list_pivot(struct pp_reg_table *raw, const struct xcol *xc, size_t nxc,
    const struct lkeys *k, const struct lmetric *m, size_t nm,
    const struct pp_buf *arena, struct pp_reg_table *t)
{
	const struct lkey **common = pp_xcalloc(k->n + 1, sizeof(*common));
	size_t *colof = pp_xcalloc(k->n + 1, sizeof(*colof));
	unsigned char *extra = pp_xcalloc(nxc + 1, 1);
	size_t ncommon = 0, i, j, c;

	for (i = 0; i < k->n; i++)
		if (2 * k->key[i].nruns >= raw->nrows)
			common[ncommon++] = &k->key[i];
	qsort(common, ncommon, sizeof(*common), lkey_order);
	for (i = 0; i < k->n; i++)
		colof[i] = SIZE_MAX;
	for (i = 0; i < ncommon; i++)
		colof[common[i] - k->key] = 7 + i;
	t->ncols = 7 + ncommon;
	for (i = 0; i < nxc; i++) {
		for (j = 0; j < ncommon; j++)
			if (xc[i].kind == 0 && strcmp(common[j]->s,
			    xc[i].key) == 0)
				break;
		if (j == ncommon)
			extra[i] = 1, t->ncols++;
	}
	t->cols = pp_xcalloc(t->ncols, sizeof(*t->cols));
	for (i = 0; i < 7; i++) {
		t->cols[i] = raw->cols[i];
		raw->cols[i] = NULL;
	}
	for (c = 7, i = 0; i < ncommon; i++) {
		struct pp_buf label = PP_BUF_INIT;

		pp_buf_addf(&label, "metrics.%s", common[i]->s);
		t->cols[c++] = pp_buf_detach(&label, NULL);
	}
	for (i = 0; i < nxc; i++)
		if (extra[i]) {
			struct pp_buf label = PP_BUF_INIT;

			pp_buf_addf(&label, "%s%s", xcol_prefix[xc[i].kind],
			    xc[i].key);
			t->cols[c++] = pp_buf_detach(&label, NULL);
		}
	t->nrows = raw->nrows;
	t->cap = t->nrows * t->ncols + 1;
	t->cells = pp_xcalloc(t->cap, sizeof(*t->cells));
	t->kinds = pp_xcalloc(t->cap, 1);
	for (i = 0; i < raw->nrows; i++) {
		char **from = raw->cells + i * raw->ncols;
		unsigned char *kfrom = raw->kinds + i * raw->ncols;
		const size_t row = i * t->ncols;

		for (j = 0; j < 7; j++) {
			t->cells[row + j] = from[j];
			t->kinds[row + j] = kfrom[j];
			from[j] = NULL;
		}
		for (c = 7 + ncommon, j = 0; j < nxc; j++)
			if (extra[j]) {
				t->cells[row + c] = from[7 + j];
				t->kinds[row + c++] = kfrom[7 + j];
				from[7 + j] = NULL;
			}
	}
	for (i = 0; i < nm; i++)
		if (colof[m[i].key] != SIZE_MAX && m[i].text != SIZE_MAX) {
			const size_t n = m[i].run * t->ncols + colof[m[i].key];

			t->cells[n] = pp_xstrdup(arena->data + m[i].text);
			t->kinds[n] = m[i].kind;
		}
	free(common);
	free(colof);
	free(extra);
}

/* A narrowed listing: list_stmt's rows, read and pivoted into t. */
static int
runs_listed(struct pp_registry *r, const struct pp_run_query *q,
    const struct pp_registry_filter *f, const char *gone,
    struct pp_reg_table *t, struct pp_err *err)
{
	struct xcol *xc = NULL;
	size_t nxc = 0, cap = 0, nm = 0, i;
	struct lmetric *m = NULL;
	struct lkeys k = { NULL, 0, 0, NULL, 0 };
	struct pp_buf arena = PP_BUF_INIT;
	struct pp_reg_table raw = PP_REG_TABLE_INIT;
	struct pp_db_stmt *st;
	int rc = -1;

	order_xcol(q, &xc, &nxc, &cap);
	st = list_stmt(r, q, f, xc, nxc, gone, err);
	if (st != NULL &&
	    list_read(r, st, &raw, nxc, &k, &m, &nm, &arena, err) == 0) {
		list_pivot(&raw, xc, nxc, &k, m, nm, &arena, t);
		rc = 0;
	}
	pp_db_finalize(st);
	pp_reg_table_release(&raw);
	lkeys_release(&k);
	pp_buf_release(&arena);
	free(m);
	for (i = 0; i < nxc; i++)
		free(xc[i].key);
	free(xc);
	return rc;
}

/*
 * The common metrics are those of the runs listed.  When the filter, the
 * limit or --stale lists fewer runs than the scope holds, one statement
 * runs the filter once and reads only the listed runs' metrics, from
 * which the common ones are picked here (runs_listed): a search over
 * 100,000 runs that lists a few thousand reads only theirs, in one round
 * trip to a server.
 */
int
pp_registry_runs(struct pp_registry *r, const struct pp_run_query *q,
    struct pp_reg_table *t, struct pp_err *err)
{
	struct xcol *xc = NULL;
	size_t nxc = 0;
	struct pp_registry_filter f = PP_REGISTRY_FILTER_INIT;
	struct pp_buf gone = PP_BUF_INIT;
	struct pp_db_stmt *st = NULL;
	size_t i;
	int rc = -1;

	f.pg = r->pg;
	if (pp_registry_filter_where(&f, q->filter, err) == -1)
		goto out;
	if (q->order_by && pp_registry_filter_order(&f, q->order_by, err) == -1)
		goto out;
	if (read_begin(r, err) == -1)
		goto out;
	if (q->stale && gone_runs(r, &gone, err) == -1)
		goto end;
	if (q->columns == NULL && (f.where.len || q->limit > 0 || q->stale)) {
		rc = runs_listed(r, q, &f, gone.data, t, err);
		goto end;
	}
	if (runs_xcols(r, q, &xc, &nxc, err) == -1)
		goto end;
	st = runs_stmt(r, q, &f, xc, nxc, gone.data, err);
	if (st == NULL)
		goto end;
	rc = table_from_stmt(r, st, t, err);
	for (i = 0; rc == 0 && i < nxc; i++) {
		struct pp_buf label = PP_BUF_INIT;

		pp_buf_addf(&label, "%s%s", xcol_prefix[xc[i].kind],
		    xc[i].key);
		free(t->cols[7 + i]);
		t->cols[7 + i] = pp_buf_detach(&label, NULL);
	}
end:
	read_end(r);
out:
	pp_db_finalize(st);
	pp_buf_release(&gone);
	pp_registry_filter_release(&f);
	for (i = 0; i < nxc; i++)
		free(xc[i].key);
	free(xc);
	return rc;
}

int
pp_registry_show(struct pp_registry *r, const char *run_id,
    struct pp_reg_table *t, struct pp_err *err)
{
	static const char *const cols[] = { "kind", "key", "value" };
	int rc = -1, deleted;

	if (check_run_id(run_id, err) == -1 || read_begin(r, err) == -1)
		return -1;
	if (find_run(r, run_id, &deleted, err) == -1)
		goto out;
	table_cols(t, cols, 3);
	if (table_query(r, "SELECT 'attribute', k, v FROM (SELECT 1 AS o, "
	    "'run_id' AS k, run_id AS v FROM runs WHERE run_id = ?1 UNION ALL "
	    "SELECT 2, 'experiment', e.name FROM runs JOIN experiments e "
	    "USING (experiment_id) WHERE run_id = ?1 UNION ALL "
	    "SELECT 3, 'name', name FROM runs WHERE run_id = ?1 UNION ALL "
	    "SELECT 4, 'status', status FROM runs WHERE run_id = ?1 UNION ALL "
	    "SELECT 5, 'start_time', " ISO("start_time") " FROM runs WHERE "
	    "run_id = ?1 UNION ALL SELECT 6, 'end_time', " ISO("end_time")
	    " FROM runs WHERE run_id = ?1 UNION ALL SELECT 7, 'user', \"user\" "
	    "FROM runs WHERE run_id = ?1 UNION ALL SELECT 8, 'command', "
	    "command FROM runs WHERE run_id = ?1 UNION ALL SELECT 9, "
	    "'fingerprint', fingerprint FROM runs WHERE run_id = ?1 UNION ALL "
	    "SELECT 10, 'parent_run_id', parent_run_id FROM runs WHERE "
	    "run_id = ?1 UNION ALL SELECT 11, 'deleted_time', "
	    ISO("deleted_time") " FROM runs WHERE run_id = ?1) AS x "
	    "WHERE v IS NOT NULL ORDER BY o", run_id, NULL, t, err) == -1 ||
	    table_query(r, "SELECT 'param', key, value FROM params WHERE "
	    "run_id = ? ORDER BY key", run_id, NULL, t, err) == -1 ||
	    table_query(r, "SELECT 'metric', key, value FROM latest_metrics "
	    "WHERE run_id = ? ORDER BY key", run_id, NULL, t, err) == -1 ||
	    table_query(r, "SELECT 'tag', key, value FROM tags WHERE "
	    "run_id = ? ORDER BY key", run_id, NULL, t, err) == -1 ||
	    table_query(r, "SELECT 'artifact', name, size FROM artifacts "
	    "WHERE run_id = ? ORDER BY name", run_id, NULL, t, err) == -1)
		goto out;
	rc = 0;
out:
	read_end(r);
	return rc;
}

/* One key row of compare: the key, then each run's value of it. */
static int
compare_row(struct pp_registry *r, const char *sql, const char *label,
    const char *key, const char *const *ids, size_t n,
    struct pp_reg_table *t, struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, sql, err);
	size_t i, col = 0;
	int rc;

	if (st == NULL)
		return -1;
	cell(t, &col, PP_CELL_TEXT, label);
	for (i = 0; i < n; i++) {
		bind_text(st, 1, ids[i]);
		if (key != NULL)
			bind_text(st, 2, key);
		rc = pp_db_step(st);
		if (rc == PP_DB_ROW) {
			cell_col(t, &col, st, 0);
		} else if (rc == PP_DB_DONE) {
			cell(t, &col, PP_CELL_NULL, NULL);
		} else {
			pp_db_finalize(st);
			return db_fail(r, err, "read");
		}
		pp_db_reset(st);
	}
	pp_db_finalize(st);
	return 0;
}

/*
 * compare's column heads: a run's name when no other compared run has it
 * (names are what people call runs), else the first 8 digits of its id.
 * The full ids are the table's first row, for programs.
 */
static int
compare_heads(struct pp_registry *r, const char *const *ids, size_t n,
    struct pp_reg_table *t, struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, "SELECT coalesce(name, '') FROM runs "
	    "WHERE run_id = ?", err);
	unsigned char *shared;
	size_t i, j;

	if (st == NULL)
		return -1;
	t->ncols = n + 1;
	t->cols = pp_xcalloc(n + 1, sizeof(*t->cols));
	t->cols[0] = pp_xstrdup("key");
	for (i = 0; i < n; i++) {
		bind_text(st, 1, ids[i]);
		if (pp_db_step(st) != PP_DB_ROW) {
			pp_db_finalize(st);
			return db_fail(r, err, "read");
		}
		t->cols[i + 1] = pp_xstrdup(
		    (const char *)pp_db_column_text(st, 0));
		pp_db_reset(st);
	}
	pp_db_finalize(st);
	shared = pp_xcalloc(n + 1, 1);
	for (i = 1; i <= n; i++) {
		shared[i] = t->cols[i][0] == '\0';
		for (j = 1; j <= n && !shared[i]; j++)
			shared[i] = j != i && strcmp(t->cols[i], t->cols[j]) == 0;
	}
	for (i = 1; i <= n; i++)
		if (shared[i]) {
			free(t->cols[i]);
			t->cols[i] = pp_xstrndup(ids[i - 1], 8);
		}
	free(shared);
	return 0;
}

/* ids as a JSON array, for json_each(?) in SQL. */
static void
ids_json(struct pp_buf *b, const char *const *ids, size_t n)
{
	size_t i;

	pp_buf_reset(b);
	pp_buf_addc(b, '[');
	for (i = 0; i < n; i++)
		pp_buf_addf(b, "%s\"%s\"", i ? "," : "", ids[i]);
	pp_buf_addc(b, ']');
}

/*
 * A metric logged more than once by any compared run gets its history in
 * two more rows, "metrics.K (min)" and "metrics.K (count)", beside the
 * last value: a curve read at a glance.
 */
static int
compare_history(struct pp_registry *r, const char *key,
    const char *const *ids, size_t n, const char *json,
    struct pp_reg_table *t, struct pp_err *err)
{
	struct pp_db_stmt *st = prepare(r, "SELECT count(*) FROM metrics WHERE "
	    "run_id IN (SELECT value FROM json_each(?)) AND key = ? "
	    "GROUP BY run_id ORDER BY 1 DESC LIMIT 1", err);
	struct pp_buf label = PP_BUF_INIT;
	int most = 0, rc;

	if (st == NULL)
		return -1;
	bind_text(st, 1, json);
	bind_text(st, 2, key);
	if (pp_db_step(st) == PP_DB_ROW)
		most = pp_db_column_int64(st, 0);
	pp_db_finalize(st);
	if (most < 2)
		return 0;
	pp_buf_addf(&label, "metrics.%s (min)", key);
	rc = compare_row(r, "SELECT min(value) FROM metrics WHERE run_id = ? "
	    "AND key = ?", label.data, key, ids, n, t, err);
	pp_buf_reset(&label);
	pp_buf_addf(&label, "metrics.%s (count)", key);
	if (rc == 0)
		rc = compare_row(r, "SELECT count(*) FROM metrics WHERE "
		    "run_id = ? AND key = ? HAVING count(*) > 0", label.data,
		    key, ids, n, t, err);
	pp_buf_release(&label);
	return rc;
}

int
pp_registry_compare(struct pp_registry *r, const char *const *ids, size_t n,
    struct pp_reg_table *t, struct pp_err *err)
{
	static const struct {
		const char *label, *sql;
	} attrs[] = {
		{ "run_id", "SELECT run_id FROM runs WHERE run_id = ?" },
		{ "experiment", "SELECT e.name FROM runs JOIN experiments e "
		  "USING (experiment_id) WHERE run_id = ?" },
		{ "name", "SELECT name FROM runs WHERE run_id = ?" },
		{ "status", "SELECT status FROM runs WHERE run_id = ?" },
		{ "start_time", "SELECT " ISO("start_time") " FROM runs WHERE "
		  "run_id = ?" },
		{ "end_time", "SELECT " ISO("end_time") " FROM runs WHERE "
		  "run_id = ?" },
		{ "user", "SELECT \"user\" FROM runs WHERE run_id = ?" },
	};
	static const struct {
		const char *prefix, *table;
	} kinds[] = {
		{ "params.", "params" },
		{ "metrics.", "latest_metrics" },
		{ "tags.", "tags" },
	};
	struct pp_buf sql = PP_BUF_INIT, label = PP_BUF_INIT;
	struct pp_buf json = PP_BUF_INIT;
	char **keys = NULL;
	size_t nkeys = 0, cap = 0, i, k;
	int rc = -1, deleted;

	if (n == 0)
		return pp_err_set(err, PP_EXIT_USAGE, "no runs to compare");
	for (i = 0; i < n; i++)
		if (check_run_id(ids[i], err) == -1)
			return -1;
	if (read_begin(r, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (find_run(r, ids[i], &deleted, err) == -1)
			goto out;
	if (compare_heads(r, ids, n, t, err) == -1)
		goto out;
	for (i = 0; i < PP_ARRAY_SIZE(attrs); i++)
		if (compare_row(r, attrs[i].sql, attrs[i].label, NULL, ids, n,
		    t, err) == -1)
			goto out;
	ids_json(&json, ids, n);
	for (k = 0; k < PP_ARRAY_SIZE(kinds); k++) {
		struct pp_db_stmt *st;

		/* the union of keys over the runs, sorted */
		pp_buf_reset(&sql);
		pp_buf_addf(&sql, "SELECT DISTINCT key FROM %s WHERE run_id IN "
		    "(SELECT value FROM json_each(?)) ORDER BY key",
		    kinds[k].table);
		st = prepare(r, sql.data, err);
		if (st == NULL)
			goto out;
		bind_text(st, 1, json.data);
		while (pp_db_step(st) == PP_DB_ROW) {
			pp_xgrow((void **)&keys, &cap, nkeys + 1,
			    sizeof(*keys));
			keys[nkeys++] = pp_xstrdup(
			    (const char *)pp_db_column_text(st, 0));
		}
		pp_db_finalize(st);
		pp_buf_reset(&sql);
		pp_buf_addf(&sql, "SELECT value FROM %s WHERE run_id = ? AND "
		    "key = ?", kinds[k].table);
		for (i = 0; i < nkeys; i++) {
			pp_buf_reset(&label);
			pp_buf_addf(&label, "%s%s", kinds[k].prefix, keys[i]);
			if (compare_row(r, sql.data, label.data, keys[i], ids,
			    n, t, err) == -1)
				goto out;
			if (k == 1 && compare_history(r, keys[i], ids, n,
			    json.data, t, err) == -1)
				goto out;
		}
		for (i = 0; i < nkeys; i++)
			free(keys[i]);
		nkeys = 0;
	}
	rc = 0;
out:
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	pp_buf_release(&sql);
	pp_buf_release(&label);
	pp_buf_release(&json);
	read_end(r);
	return rc;
}

int
pp_registry_metric_history(struct pp_registry *r, const char *run_id,
    const char *key, struct pp_reg_table *t, struct pp_err *err)
{
	int rc = -1, deleted;

	if (check_run_id(run_id, err) == -1 || read_begin(r, err) == -1)
		return -1;
	if (find_run(r, run_id, &deleted, err) == 0)
		rc = table_query(r, "SELECT step, value, " ISO("timestamp")
		    " AS timestamp FROM metrics WHERE run_id = ? AND key = ? "
		    "ORDER BY rowid", run_id, key, t, err);
	if (rc == 0 && t->nrows == 0) {
		rc = pp_err_set(err, PP_EXIT_DATA, "run %s has no metric "
		    "\"%s\"", run_id, key);
	}
	read_end(r);
	return rc;
}

int
pp_registry_artifacts(struct pp_registry *r, const char *run_id,
    struct pp_reg_table *t, struct pp_err *err)
{
	int rc = -1, deleted;

	if (check_run_id(run_id, err) == -1 || read_begin(r, err) == -1)
		return -1;
	if (find_run(r, run_id, &deleted, err) == 0)
		rc = table_query(r, "SELECT name, size, length(data) AS stored,"
		    " sha256, " ISO("creation_time") " AS created FROM "
		    "artifacts WHERE run_id = ? ORDER BY name", run_id, NULL,
		    t, err);
	read_end(r);
	return rc;
}

int
pp_registry_models(struct pp_registry *r, struct pp_reg_table *t,
    struct pp_err *err)
{
	int rc;

	if (read_begin(r, err) == -1)
		return -1;
	rc = table_query(r, "SELECT m.name, (SELECT count(*) FROM "
	    "model_versions v WHERE v.name = m.name) AS versions, (SELECT "
	    "max(version) FROM model_versions v WHERE v.name = m.name) AS "
	    "latest_version, (SELECT group_concat(alias || '=' || version, ' ')"
	    " FROM (SELECT alias, version FROM aliases a WHERE a.name = m.name "
	    "ORDER BY alias) AS a2) AS aliases, " ISO("m.creation_time") " AS created"
	    " FROM registered_models m ORDER BY m.name", NULL, NULL, t, err);
	read_end(r);
	return rc;
}

int
pp_registry_versions(struct pp_registry *r, const char *name,
    struct pp_reg_table *t, struct pp_err *err)
{
	int rc = -1;

	if (read_begin(r, err) == -1)
		return -1;
	if (find_version(r, name, 0, err) == 0)
		rc = table_query(r, "SELECT v.version, v.stage, (SELECT "
		    "group_concat(alias, ' ') FROM (SELECT alias FROM aliases a "
		    "WHERE a.name = v.name AND a.version = v.version ORDER BY "
		    "alias) AS a2) AS aliases, v.run_id, v.artifact, "
		    ISO("v.creation_time") " AS created, v.\"user\", v.description "
		    "FROM model_versions v WHERE v.name = ? ORDER BY v.version",
		    name, NULL, t, err);
	read_end(r);
	return rc;
}

int
pp_registry_audit(struct pp_registry *r, const char *name,
    struct pp_reg_table *t, struct pp_err *err)
{
	int rc = -1;

	if (read_begin(r, err) == -1)
		return -1;
	if (name == NULL || find_version(r, name, 0, err) == 0)
		rc = table_query(r, "SELECT " ISO("time") " AS time, \"user\", "
		    "name AS model, version, what, from_value AS \"from\", "
		    "to_value AS \"to\" FROM audit WHERE name = coalesce(?1, name) "
		    "ORDER BY id", name, NULL, t, err);
	read_end(r);
	return rc;
}

/*
 * A column of one type per row is SQLite's; PostgreSQL's union needs one
 * type per column, so there metric values come as text and are turned
 * back into numbers here, formatted as SQLite's REAL cells are.
 */
static void
export_numbers(struct pp_reg_table *t)
{
	char num[PP_DBL_BUFSZ];
	size_t i;
	double v;

	for (i = 0; i < t->nrows; i++) {
		char **row = t->cells + i * t->ncols;
		unsigned char *kind = t->kinds + i * t->ncols;

		if (strcmp(row[4], "metric") != 0 || row[6] == NULL)
			continue;
		if (strcmp(row[6], "Infinity") == 0)
			v = INFINITY;
		else if (strcmp(row[6], "-Infinity") == 0)
			v = -INFINITY;
		else if (pp_parse_double(row[6], strlen(row[6]), &v) == -1)
			continue;
		pp_fmt_double(num, v);
		free(row[6]);
		row[6] = pp_xstrdup(num);
		kind[6] = PP_CELL_NUM;
	}
}

int
pp_registry_export(struct pp_registry *r, struct pp_reg_table *t,
    struct pp_err *err)
{
	struct pp_buf sql = PP_BUF_INIT;
	int rc;

	if (read_begin(r, err) == -1)
		return -1;
	pp_buf_addf(&sql, "SELECT r.run_id, e.name AS experiment, "
	    "r.name AS run_name, r.status, x.kind, x.key, x.value, x.step, "
	    "x.timestamp FROM runs r JOIN experiments e USING (experiment_id) "
	    "JOIN (SELECT run_id, 1 AS o, 'param' AS kind, key, %s AS value, "
	    "NULL AS step, NULL AS timestamp, 0 AS seq FROM params UNION ALL "
	    "SELECT run_id, 2, 'metric', key, %s, step, %s, rowid FROM metrics UNION ALL SELECT run_id, 3, 'tag', key, "
	    "value, NULL, NULL, 0 FROM tags) x USING (run_id) WHERE "
	    "r.deleted_time IS NULL ORDER BY r.start_time, r.run_id, x.o, "
	    "x.key, x.seq", r->pg ? "value" : "+value",
	    r->pg ? "value::text" : "value", ISO("timestamp"));
	rc = table_query(r, sql.data, NULL, NULL, t, err);
	if (rc == 0 && r->pg)
		export_numbers(t);
	pp_buf_release(&sql);
	read_end(r);
	return rc;
}
