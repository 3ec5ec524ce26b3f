/*
 * db.h - one small SQL interface over SQLite and PostgreSQL, for the
 * registry and the market store.
 *
 * The shape is SQLite's own statement API (prepare, bind, step, column,
 * reset, finalize), because the registry was written against it: a
 * backend is one const struct pp_db_methods of function pointers
 * (pp_db_sqlite in db_sqlite.c, pp_db_pg in db_pg.c), as SQLite's
 * sqlite3_io_methods are, and the pp_db_* functions below only dispatch.
 * An implementation never calls back into this dispatcher.
 *
 * SQL text.  Callers write SQLite's dialect with "?" and "?N" parameters;
 * the PostgreSQL backend rewrites the parameters to "$N" (skipping quoted
 * strings and identifiers) and runs the rest as it is.  What the two
 * dialects disagree on is handled by the caller (the schema, upserts that
 * need a conflict target, locking) or by functions the PostgreSQL schema
 * defines under SQLite's names (see registry.c's head comment).
 *
 * Which backend.  pp_db_is_url() says whether a registry or store name is
 * a PostgreSQL connection string: "postgresql://...", "postgres://...",
 * or a libpq key=value conninfo ("host=... dbname=..."); anything else is
 * a SQLite path.
 *
 * Ownership.  pp_db_open returns a handle the caller closes with
 * pp_db_close; a statement belongs to its handle and is finalized before
 * the handle is closed.  Text and blobs returned by pp_db_column_* stay
 * valid until the next step, reset or finalize of that statement.  Text
 * and blobs bound are copied.  One handle is for one thread.
 *
 * Errors.  Functions return -1 (or NULL, or PP_DB_ERROR) and leave the
 * backend's message in pp_db_errmsg(); pp_db_busy() says whether that
 * failure is one a retry of the whole transaction may cure (SQLite's
 * BUSY/LOCKED, PostgreSQL's serialization failure or deadlock).
 */
#ifndef PP_DB_H
#define PP_DB_H

#include <stddef.h>
#include <stdint.h>

struct pp_db;
struct pp_db_stmt;

/* pp_db_step's answers. */
enum { PP_DB_ERROR = -1, PP_DB_ROW = 1, PP_DB_DONE = 2 };

/* A column value's type (as SQLite's fundamental types). */
enum pp_db_type {
	PP_DB_NULL, PP_DB_INT, PP_DB_FLOAT, PP_DB_TEXT, PP_DB_BLOB
};

/* What an open failed on, for callers that explain it (pp_db_failure). */
enum pp_db_failure {
	PP_DB_F_OTHER,
	PP_DB_F_CANTOPEN,	/* the file (or its -shm) cannot be opened */
	PP_DB_F_NOTADB		/* the file is not a database */
};

/* Flags for pp_db_open. */
enum {
	PP_DB_READONLY = 1 << 0,	/* never write */
	PP_DB_CREATE = 1 << 1,		/* create a missing SQLite file */
	PP_DB_IMMUTABLE = 1 << 2	/* SQLite: read with no locks, no -shm */
};

/* The transaction pp_db_begin starts. */
enum pp_db_tx {
	PP_DB_TX_READ,	/* one snapshot for every statement */
	PP_DB_TX_WRITE	/* SQLite: the write lock up front (IMMEDIATE);
			 * PostgreSQL: READ COMMITTED, rows locked as used */
};

struct pp_db_methods {
	const char *name;	/* "sqlite" or "postgresql" */
	struct pp_db *(*open)(const char *url, unsigned flags, char **why);
	void (*close)(struct pp_db *db);
	int (*exec)(struct pp_db *db, const char *sql);
	int (*begin)(struct pp_db *db, enum pp_db_tx tx);
	struct pp_db_stmt *(*prepare)(struct pp_db *db, const char *sql);
	void (*bind_null)(struct pp_db_stmt *st, int i);
	void (*bind_int64)(struct pp_db_stmt *st, int i, int64_t v);
	void (*bind_double)(struct pp_db_stmt *st, int i, double v);
	void (*bind_text)(struct pp_db_stmt *st, int i, const char *s);
	void (*bind_blob)(struct pp_db_stmt *st, int i, const void *p,
	    size_t n);
	int (*step)(struct pp_db_stmt *st);
	void (*reset)(struct pp_db_stmt *st);
	void (*finalize)(struct pp_db_stmt *st);
	int (*column_count)(struct pp_db_stmt *st);
	const char *(*column_name)(struct pp_db_stmt *st, int i);
	enum pp_db_type (*column_type)(struct pp_db_stmt *st, int i);
	int64_t (*column_int64)(struct pp_db_stmt *st, int i);
	double (*column_double)(struct pp_db_stmt *st, int i);
	const char *(*column_text)(struct pp_db_stmt *st, int i);
	const void *(*column_blob)(struct pp_db_stmt *st, int i);
	size_t (*column_bytes)(struct pp_db_stmt *st, int i);
	int64_t (*changes)(struct pp_db *db);
	const char *(*errmsg)(struct pp_db *db);
	int (*busy)(struct pp_db *db);
	enum pp_db_failure (*failure)(struct pp_db *db);
	void (*set_deadline)(struct pp_db *db, int64_t mono_ms);
};

/* What every backend's handle and statement start with. */
struct pp_db {
	const struct pp_db_methods *m;
};

struct pp_db_stmt {
	struct pp_db *db;
};

extern const struct pp_db_methods pp_db_sqlite;
extern const struct pp_db_methods pp_db_pg;

/* 1 if name is a PostgreSQL connection string (see above), else 0. */
int pp_db_is_url(const char *name);

/*
 * name as messages show it: a password in a URL's user part
 * ("postgresql://u:SECRET@h/db") or in a key=value string
 * ("password=SECRET", up to the next space) replaced by "***"; anything
 * else as it is.  Returns a malloc'd string the caller frees.
 */
char *pp_db_shown_name(const char *name);

/*
 * Open name with the backend pp_db_is_url chooses (PP_DB_* flags).
 * Returns the handle, or NULL with *why set to a malloc'd message (the
 * caller frees it).  A SQLite handle that failed to open is still
 * returned when only the first read would tell (as sqlite3_open_v2 does).
 */
struct pp_db *pp_db_open(const char *name, unsigned flags, char **why);

/* The backend's name: "sqlite" or "postgresql". */
const char *pp_db_dialect(const struct pp_db *db);

/* 1 if db is PostgreSQL. */
int pp_db_is_pg(const struct pp_db *db);

void pp_db_close(struct pp_db *db);

/* Run one or more statements without parameters; 0 or -1. */
int pp_db_exec(struct pp_db *db, const char *sql);

/* BEGIN the kind of transaction tx names; 0 or -1. */
int pp_db_begin(struct pp_db *db, enum pp_db_tx tx);

struct pp_db_stmt *pp_db_prepare(struct pp_db *db, const char *sql);
void pp_db_bind_null(struct pp_db_stmt *st, int i);
void pp_db_bind_int64(struct pp_db_stmt *st, int i, int64_t v);
void pp_db_bind_double(struct pp_db_stmt *st, int i, double v);
/* s NULL binds NULL. */
void pp_db_bind_text(struct pp_db_stmt *st, int i, const char *s);
void pp_db_bind_blob(struct pp_db_stmt *st, int i, const void *p, size_t n);

/* PP_DB_ROW, PP_DB_DONE or PP_DB_ERROR. */
int pp_db_step(struct pp_db_stmt *st);

/* Ready st to run again; its bindings stay. */
void pp_db_reset(struct pp_db_stmt *st);

/* NULL is a no-op. */
void pp_db_finalize(struct pp_db_stmt *st);

int pp_db_column_count(struct pp_db_stmt *st);
const char *pp_db_column_name(struct pp_db_stmt *st, int i);
enum pp_db_type pp_db_column_type(struct pp_db_stmt *st, int i);
int64_t pp_db_column_int64(struct pp_db_stmt *st, int i);
double pp_db_column_double(struct pp_db_stmt *st, int i);
const char *pp_db_column_text(struct pp_db_stmt *st, int i);
const void *pp_db_column_blob(struct pp_db_stmt *st, int i);
size_t pp_db_column_bytes(struct pp_db_stmt *st, int i);

/* Rows changed by the last INSERT, UPDATE or DELETE. */
int64_t pp_db_changes(struct pp_db *db);

/* The last failure's message (never NULL). */
const char *pp_db_errmsg(struct pp_db *db);

/* 1 if the last failure was contention a retried transaction may cure. */
int pp_db_busy(struct pp_db *db);

/* What the last failure was, where the caller explains it. */
enum pp_db_failure pp_db_failure(struct pp_db *db);

/* SQLite: wait for a lock until the monotonic clock passes mono_ms. */
void pp_db_set_deadline(struct pp_db *db, int64_t mono_ms);

#endif
