/*
 * store.c - the market store: daily bars upserted into SQLite keyed by
 * (symbol, date).  The one idea: a load is one transaction of upserts that
 * counts added, unchanged and replaced bars, so loading the same range
 * twice changes nothing and says so.
 */
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "date.h"
#include "util.h"
#include "banned.h"

/* PRAGMA application_id of a market store ("PPMS"), so that another
 * SQLite file (the registry, say) is refused instead of altered. */
#define STORE_APP_ID 0x50504d53
#define STORE_VERSION 1

static const char schema_sql[] =
    "CREATE TABLE ohlcv ("
    " symbol TEXT NOT NULL,"
    " date TEXT NOT NULL,"
    " open REAL NOT NULL,"
    " high REAL NOT NULL,"
    " low REAL NOT NULL,"
    " close REAL NOT NULL,"
    " volume REAL NOT NULL,"
    " PRIMARY KEY (symbol, date)"
    ") WITHOUT ROWID;"
    "PRAGMA application_id = 1347439955;"	/* STORE_APP_ID */
    "PRAGMA user_version = 1;";

struct pp_store {
	sqlite3 *db;
	char *path;
	int in_tx;		/* a load is open */
	int empty;		/* read-only, and no schema yet: no bars */
	sqlite3_stmt *get, *ins, *upd, *sel;
	const struct pp_store_query *q;	/* select in progress */
	size_t qi;		/* symbol of q being read */
	size_t *found;		/* bars returned per q->syms */
	char lo[PP_DATE_BUFSZ], hi[PP_DATE_BUFSZ];
	int intraday;		/* dates are microseconds */
};

void
pp_store_intraday(struct pp_store *st)
{
	st->intraday = 1;
}

#define USEC_PER_DAY INT64_C(86400000000)

/*
 * A bar's key as stored: YYYY-MM-DD, or intraday a date-time with all six
 * fraction digits, since "...00Z" sorts after "...00.25Z" and the rows
 * are read in the text's order.
 */
static void
key_text(const struct pp_store *st, int64_t date, char buf[PP_DATE_BUFSZ])
{
	int64_t us, frac;
	size_t n;

	if (!st->intraday) {
		pp_date_fmt(buf, date);
		return;
	}
	frac = date % 1000000;
	if (frac < 0)
		frac += 1000000;
	us = date - frac;
	n = pp_datetime_fmt(buf, us);	/* "...SSZ": no fraction */
	snprintf(buf + n - 1, PP_DATE_BUFSZ - (n - 1), ".%06lldZ",
	    (long long)frac);
}

static int
db_error(struct pp_store *st, struct pp_err *err)
{
	return pp_err_set(err, PP_EXIT_DATA, "%s: %s", st->path,
	    sqlite3_errmsg(st->db));
}

static int
exec(struct pp_store *st, const char *sql, struct pp_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		pp_err_set(err, PP_EXIT_DATA, "%s: %s", st->path,
		    msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
pragma_int(struct pp_store *st, const char *sql, long *v,
    struct pp_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_error(st, err);
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(st, err);
	return 0;
}

/* Check the file is a market store of a version we know, creating the
 * schema in a new (empty) file when writable. */
static int
check_schema(struct pp_store *st, int writable, struct pp_err *err)
{
	long app, ver, ntab;

	if (writable && exec(st, "BEGIN IMMEDIATE", err) == -1)
		return -1;
	if (pragma_int(st, "PRAGMA application_id", &app, err) == -1 ||
	    pragma_int(st, "PRAGMA user_version", &ver, err) == -1 ||
	    pragma_int(st, "SELECT count(*) FROM sqlite_master", &ntab,
	    err) == -1)
		goto fail;
	if (app == 0 && ntab == 0 && writable) {
		if (exec(st, schema_sql, err) == -1)
			goto fail;
		ver = STORE_VERSION;
		app = STORE_APP_ID;
	} else if (app == 0 && ntab == 0) {
		/* A store whose creation never committed (its writer was
		 * killed first) is an empty store to a reader, as it is to
		 * the next writer, which creates the schema. */
		st->empty = 1;
		ver = STORE_VERSION;
		app = STORE_APP_ID;
	}
	if (app != STORE_APP_ID) {
		pp_err_set(err, PP_EXIT_DATA, "%s: not a market store",
		    st->path);
		goto fail;
	}
	if (ver > STORE_VERSION) {
		pp_err_set(err, PP_EXIT_DATA, "%s: store version %ld is newer "
		    "than this program's (%d)", st->path, ver, STORE_VERSION);
		goto fail;
	}
	/* Version 1 is the first: nothing to migrate yet.  A later version
	 * adds its ALTER TABLE steps here, inside this transaction. */
	if (writable && exec(st, "COMMIT", err) == -1)
		goto fail;
	return 0;
fail:
	if (writable)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

#define OPEN_RETRIES 200

/* Did the last statement fail only because another process was busy? */
static int
transient(struct pp_store *st)
{
	int rc = sqlite3_errcode(st->db) & 0xff;

	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_PROTOCOL;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

struct pp_store *
pp_store_open(const char *path, int writable, struct pp_err *err)
{
	struct pp_store *st;
	struct stat sb;
	int flags, attempt;

	if (!writable && stat(path, &sb) == -1) {
		pp_err_errno(err, errno, "%s", path);
		return NULL;
	}
	st = pp_xcalloc(1, sizeof(*st));
	st->path = pp_xstrdup(path);
	flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE :
	    SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		db_error(st, err);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, PP_STORE_BUSY_MS);
	/* Two processes opening a new store at once can meet SQLITE_BUSY
	 * (or SQLITE_PROTOCOL) where SQLite does not call the busy handler:
	 * while one switches the file to WAL, or recovers a WAL left by a
	 * connection that just closed.  Such an open is simply tried again. */
	for (attempt = 0;; attempt++) {
		if ((!writable || exec(st, "PRAGMA journal_mode = WAL;"
		    "PRAGMA synchronous = NORMAL", err) == 0) &&
		    check_schema(st, writable, err) == 0)
			break;
		if (!transient(st) || attempt == OPEN_RETRIES)
			goto fail;
		pp_err_clear(err);
		pause_ms(5 + attempt % 20);
	}
	return st;
fail:
	pp_store_close(st);
	return NULL;
}

static int
prepare(struct pp_store *st, sqlite3_stmt **s, const char *sql,
    struct pp_err *err)
{
	if (*s != NULL) {
		sqlite3_reset(*s);
		sqlite3_clear_bindings(*s);
		return 0;
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return db_error(st, err);
	return 0;
}

int
pp_store_begin(struct pp_store *st, struct pp_err *err)
{
	if (exec(st, "BEGIN IMMEDIATE", err) == -1)
		return -1;
	st->in_tx = 1;
	return 0;
}

static void
bind_key(sqlite3_stmt *s, const struct pp_ohlcv_row *r, const char *date)
{
	sqlite3_bind_text(s, 1, r->sym, (int)r->symlen, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_TRANSIENT);
}

static void
bind_values(sqlite3_stmt *s, const struct pp_ohlcv_row *r)
{
	sqlite3_bind_double(s, 3, r->open);
	sqlite3_bind_double(s, 4, r->high);
	sqlite3_bind_double(s, 5, r->low);
	sqlite3_bind_double(s, 6, r->close);
	sqlite3_bind_double(s, 7, r->volume);
}

int
pp_store_put(struct pp_store *st, const struct pp_ohlcv_row *r,
    struct pp_store_counts *c, struct pp_err *err)
{
	char date[PP_DATE_BUFSZ];
	sqlite3_stmt *w;
	int rc;

	key_text(st, r->date, date);
	if (prepare(st, &st->get, "SELECT open, high, low, close, volume "
	    "FROM ohlcv WHERE symbol = ?1 AND date = ?2", err) == -1)
		return -1;
	bind_key(st->get, r, date);
	rc = sqlite3_step(st->get);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_double(st->get, 0) == r->open &&
		    sqlite3_column_double(st->get, 1) == r->high &&
		    sqlite3_column_double(st->get, 2) == r->low &&
		    sqlite3_column_double(st->get, 3) == r->close &&
		    sqlite3_column_double(st->get, 4) == r->volume) {
			c->unchanged++;
			sqlite3_reset(st->get);
			return 0;
		}
		if (prepare(st, &st->upd, "UPDATE ohlcv SET open = ?3, "
		    "high = ?4, low = ?5, close = ?6, volume = ?7 "
		    "WHERE symbol = ?1 AND date = ?2", err) == -1)
			return -1;
		w = st->upd;
		c->replaced++;
	} else if (rc == SQLITE_DONE) {
		if (prepare(st, &st->ins, "INSERT INTO ohlcv (symbol, date, "
		    "open, high, low, close, volume) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err) == -1)
			return -1;
		w = st->ins;
		c->added++;
	} else {
		return db_error(st, err);
	}
	sqlite3_reset(st->get);
	bind_key(w, r, date);
	bind_values(w, r);
	if (sqlite3_step(w) != SQLITE_DONE) {
		db_error(st, err);
		sqlite3_reset(w);
		return -1;
	}
	sqlite3_reset(w);
	return 0;
}

int
pp_store_commit(struct pp_store *st, struct pp_err *err)
{
	if (!st->in_tx)
		return 0;
	if (exec(st, "COMMIT", err) == -1) {
		pp_store_rollback(st);
		return -1;
	}
	st->in_tx = 0;
	return 0;
}

void
pp_store_rollback(struct pp_store *st)
{
	if (!st->in_tx)
		return;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

/* Bind the current symbol (if any) and the date range, and rewind. */
static void
select_start(struct pp_store *st)
{
	sqlite3_reset(st->sel);
	sqlite3_clear_bindings(st->sel);
	if (st->q->nsym > 0)
		sqlite3_bind_text(st->sel, 1, st->q->syms[st->qi], -1,
		    SQLITE_STATIC);
	sqlite3_bind_text(st->sel, 2, st->lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st->sel, 3, st->hi, -1, SQLITE_STATIC);
}

int
pp_store_select(struct pp_store *st, const struct pp_store_query *q,
    struct pp_err *err)
{
	const char *sql = q->nsym > 0 ?
	    "SELECT symbol, date, open, high, low, close, volume FROM ohlcv "
	    "WHERE symbol = ?1 AND date >= ?2 AND date <= ?3 ORDER BY date" :
	    "SELECT symbol, date, open, high, low, close, volume FROM ohlcv "
	    "WHERE date >= ?2 AND date <= ?3 ORDER BY symbol, date";

	if (st->sel != NULL) {
		sqlite3_finalize(st->sel);
		st->sel = NULL;
	}
	if (!st->empty &&
	    sqlite3_prepare_v2(st->db, sql, -1, &st->sel, NULL) != SQLITE_OK)
		return db_error(st, err);
	/* Text dates compare like the days they name; "" sorts before
	 * every date and "~" after. */
	if (q->start == PP_OHLCV_NO_START)
		st->lo[0] = '\0';
	else
		pp_date_fmt(st->lo, q->start);
	if (q->end == PP_OHLCV_NO_END)
		memcpy(st->hi, "~", 2);
	else
		pp_date_fmt(st->hi, q->end);
	if (st->intraday && q->end != PP_OHLCV_NO_END)
		memcpy(st->hi + 10, "~", 2);	/* the end day's times too */
	st->q = q;
	st->qi = 0;
	free(st->found);
	st->found = pp_xcalloc(q->nsym + 1, sizeof(*st->found));
	if (st->sel != NULL)
		select_start(st);
	return 0;
}

/* A stored key as a day, or intraday as microseconds. */
static int
read_key(const struct pp_store *st, const char *s, size_t n, int64_t *date)
{
	if (pp_date_parse(s, n, date) == 0) {
		if (st->intraday)
			*date *= USEC_PER_DAY;
		return 0;
	}
	return st->intraday ? pp_datetime_parse(s, n, date) : -1;
}

int
pp_store_next(struct pp_store *st, struct pp_ohlcv_row *r,
    struct pp_err *err)
{
	const unsigned char *date;
	int rc, n;

	if (st->sel == NULL)
		return 0;
	for (;;) {
		rc = sqlite3_step(st->sel);
		if (rc == SQLITE_ROW)
			break;
		if (rc != SQLITE_DONE)
			return db_error(st, err);
		if (st->q->nsym == 0 || ++st->qi >= st->q->nsym) {
			sqlite3_finalize(st->sel);
			st->sel = NULL;
			return 0;
		}
		select_start(st);
	}
	r->sym = (const char *)sqlite3_column_text(st->sel, 0);
	r->symlen = (size_t)sqlite3_column_bytes(st->sel, 0);
	date = sqlite3_column_text(st->sel, 1);
	n = sqlite3_column_bytes(st->sel, 1);
	if (r->sym == NULL || !pp_ohlcv_symbol_ok(r->sym, r->symlen))
		return pp_err_set(err, PP_EXIT_DATA, "%s: bad symbol in store",
		    st->path);
	if (date == NULL || read_key(st, (const char *)date, (size_t)n,
	    &r->date) == -1)
		return pp_err_set(err, PP_EXIT_DATA, "%s: \"%.*s\": bad date "
		    "\"%.*s\" in store%s", st->path, (int)r->symlen, r->sym,
		    n > 40 ? 40 : n, date ? (const char *)date : "",
		    !st->intraday && n > 10 ? " (an intraday bar: read with "
		    "--intraday)" : "");
	r->open = sqlite3_column_double(st->sel, 2);
	r->high = sqlite3_column_double(st->sel, 3);
	r->low = sqlite3_column_double(st->sel, 4);
	r->close = sqlite3_column_double(st->sel, 5);
	r->volume = sqlite3_column_double(st->sel, 6);
	if (pp_ohlcv_check(r, err) == -1)
		return pp_err_prefix(err, "%s: \"%.*s\" %s", st->path,
		    (int)r->symlen, r->sym, (const char *)date);
	st->found[st->q->nsym > 0 ? st->qi : 0]++;
	return 1;
}

const size_t *
pp_store_found(const struct pp_store *st)
{
	return st->found;
}

void
pp_store_close(struct pp_store *st)
{
	if (st == NULL)
		return;
	pp_store_rollback(st);
	sqlite3_finalize(st->get);
	sqlite3_finalize(st->ins);
	sqlite3_finalize(st->upd);
	sqlite3_finalize(st->sel);
	sqlite3_close(st->db);
	free(st->found);
	free(st->path);
	free(st);
}
