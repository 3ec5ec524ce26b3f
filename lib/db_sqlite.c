/*
 * db_sqlite.c - db.h's SQLite backend: a thin skin over the sqlite3_*
 * statement API, which db.h copies.  The one thing it adds is the wait
 * for the write lock: short jittered sleeps up to a deadline the caller
 * sets, instead of SQLite's own busy timeout (see busy_handler).
 */
#include "db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "util.h"
#include "banned.h"

struct lite {
	struct pp_db base;
	sqlite3 *db;
	int64_t deadline;	/* ms, monotonic: when waiting gives up */
	unsigned seed;		/* backoff jitter */
};

struct lite_stmt {
	struct pp_db_stmt base;
	sqlite3_stmt *st;
};

#define LITE(d) ((struct lite *)(void *)(d))
#define ST(s) (((struct lite_stmt *)(void *)(s))->st)

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waiting for the write lock.  SQLite's own busy timeout sleeps in steps
 * that grow to 100 ms, which makes eight busy writers take turns slowly;
 * short random sleeps keep the lock handed on quickly while the jitter
 * stops the waiters from waking in step.  The handler gives up at the
 * deadline; the registry's write_tx then retries the transaction until it
 * runs out too.
 */
static int
busy_handler(void *arg, int count)
{
	struct lite *l = arg;
	double ms = 0.05 + (double)(rand_r(&l->seed) % 500) / 1000.0;
	struct timespec ts;

	(void)count;
	if (mono_ms() > l->deadline)
		return 0;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(ms * 1e6);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return 1;
}

/* path as a "file:" URI with immutable=1, percent-encoded but for
 * unreserved bytes and '/'. */
static void
immutable_uri(struct pp_buf *uri, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	pp_buf_addstr(uri, "file:");
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p) != NULL) {
			pp_buf_addc(uri, (char)*p);
		} else {
			pp_buf_addc(uri, '%');
			pp_buf_addc(uri, hex[*p >> 4]);
			pp_buf_addc(uri, hex[*p & 15]);
		}
	}
	pp_buf_addstr(uri, "?immutable=1");
}

static struct pp_db *
lite_open(const char *path, unsigned flags, char **why)
{
	struct lite *l = pp_xcalloc(1, sizeof(*l));
	struct pp_buf uri = PP_BUF_INIT;
	int oflags = SQLITE_OPEN_NOMUTEX;

	l->base.m = &pp_db_sqlite;
	l->seed = (unsigned)getpid() ^ (unsigned)mono_ms();
	if (flags & PP_DB_IMMUTABLE) {
		immutable_uri(&uri, path);
		oflags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
	} else {
		pp_buf_addstr(&uri, path);
		oflags |= (flags & PP_DB_READONLY) ? SQLITE_OPEN_READONLY
		    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	}
	if (sqlite3_open_v2(uri.data, &l->db, oflags, NULL) != SQLITE_OK) {
		*why = pp_xstrdup(sqlite3_errmsg(l->db));
		sqlite3_close(l->db);
		free(l);
		l = NULL;
	} else {
		l->deadline = mono_ms();
		sqlite3_busy_handler(l->db, busy_handler, l);
		sqlite3_extended_result_codes(l->db, 0);
	}
	pp_buf_release(&uri);
	return l ? &l->base : NULL;
}

static void
lite_close(struct pp_db *db)
{
	sqlite3_close(LITE(db)->db);
	free(db);
}

static int
lite_exec(struct pp_db *db, const char *sql)
{
	return sqlite3_exec(LITE(db)->db, sql, NULL, NULL, NULL) == SQLITE_OK
	    ? 0 : -1;
}

/* BEGIN IMMEDIATE takes the write lock before anything is read, so a
 * write never meets SQLITE_BUSY half-way (a deferred transaction that
 * read first could not upgrade without restarting). */
static int
lite_begin(struct pp_db *db, enum pp_db_tx tx)
{
	return lite_exec(db, tx == PP_DB_TX_WRITE ? "BEGIN IMMEDIATE"
						  : "BEGIN");
}

static struct pp_db_stmt *
lite_prepare(struct pp_db *db, const char *sql)
{
	struct lite_stmt *s;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(LITE(db)->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	s = pp_xmalloc(sizeof(*s));
	s->base.db = db;
	s->st = st;
	return &s->base;
}

static void
lite_bind_null(struct pp_db_stmt *s, int i)
{
	sqlite3_bind_null(ST(s), i);
}

static void
lite_bind_int64(struct pp_db_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(ST(s), i, v);
}

static void
lite_bind_double(struct pp_db_stmt *s, int i, double v)
{
	sqlite3_bind_double(ST(s), i, v);
}

static void
lite_bind_text(struct pp_db_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(ST(s), i, v, -1, SQLITE_TRANSIENT);
}

static void
lite_bind_blob(struct pp_db_stmt *s, int i, const void *p, size_t n)
{
	sqlite3_bind_blob64(ST(s), i, p, n, SQLITE_TRANSIENT);
}

static int
lite_step(struct pp_db_stmt *s)
{
	switch (sqlite3_step(ST(s))) {
	case SQLITE_ROW:
		return PP_DB_ROW;
	case SQLITE_DONE:
		return PP_DB_DONE;
	default:
		return PP_DB_ERROR;
	}
}

static void
lite_reset(struct pp_db_stmt *s)
{
	sqlite3_reset(ST(s));
}

static void
lite_finalize(struct pp_db_stmt *s)
{
	sqlite3_finalize(ST(s));
	free(s);
}

static int
lite_column_count(struct pp_db_stmt *s)
{
	return sqlite3_column_count(ST(s));
}

static const char *
lite_column_name(struct pp_db_stmt *s, int i)
{
	return sqlite3_column_name(ST(s), i);
}

static enum pp_db_type
lite_column_type(struct pp_db_stmt *s, int i)
{
	switch (sqlite3_column_type(ST(s), i)) {
	case SQLITE_NULL:
		return PP_DB_NULL;
	case SQLITE_INTEGER:
		return PP_DB_INT;
	case SQLITE_FLOAT:
		return PP_DB_FLOAT;
	case SQLITE_BLOB:
		return PP_DB_BLOB;
	default:
		return PP_DB_TEXT;
	}
}

static int64_t
lite_column_int64(struct pp_db_stmt *s, int i)
{
	return sqlite3_column_int64(ST(s), i);
}

static double
lite_column_double(struct pp_db_stmt *s, int i)
{
	return sqlite3_column_double(ST(s), i);
}

static const char *
lite_column_text(struct pp_db_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(ST(s), i);
}

static const void *
lite_column_blob(struct pp_db_stmt *s, int i)
{
	return sqlite3_column_blob(ST(s), i);
}

static size_t
lite_column_bytes(struct pp_db_stmt *s, int i)
{
	return (size_t)sqlite3_column_bytes(ST(s), i);
}

static int64_t
lite_changes(struct pp_db *db)
{
	return sqlite3_changes(LITE(db)->db);
}

static const char *
lite_errmsg(struct pp_db *db)
{
	return sqlite3_errmsg(LITE(db)->db);
}

static int
lite_busy(struct pp_db *db)
{
	int code = sqlite3_errcode(LITE(db)->db);

	/* PROTOCOL: a WAL being recovered or switched to by another
	 * process, where SQLite does not wait (the store's open retries). */
	return code == SQLITE_BUSY || code == SQLITE_LOCKED ||
	    code == SQLITE_PROTOCOL;
}

static enum pp_db_failure
lite_failure(struct pp_db *db)
{
	switch (sqlite3_errcode(LITE(db)->db)) {
	case SQLITE_CANTOPEN:
		return PP_DB_F_CANTOPEN;
	case SQLITE_NOTADB:
		return PP_DB_F_NOTADB;
	default:
		return PP_DB_F_OTHER;
	}
}

static void
lite_set_deadline(struct pp_db *db, int64_t ms)
{
	LITE(db)->deadline = ms;
}

const struct pp_db_methods pp_db_sqlite = {
	"sqlite", lite_open, lite_close, lite_exec, lite_begin, lite_prepare,
	lite_bind_null, lite_bind_int64, lite_bind_double, lite_bind_text,
	lite_bind_blob, lite_step, lite_reset, lite_finalize,
	lite_column_count, lite_column_name, lite_column_type,
	lite_column_int64, lite_column_double, lite_column_text,
	lite_column_blob, lite_column_bytes, lite_changes, lite_errmsg,
	lite_busy, lite_failure, lite_set_deadline,
};
