/*
 * store.c - the market store: daily bars upserted into SQLite or
 * PostgreSQL keyed by (symbol, date), through db.h.  The one idea: a load
 * is one transaction of upserts that counts added, unchanged and replaced
 * bars, so loading the same range twice changes nothing and says so.
 *
 * The upsert is per dialect.  SQLite serialises writers (BEGIN
 * IMMEDIATE), so a bar is read, compared and then inserted or updated.
 * PostgreSQL lets loaders on many machines write at once, so a bar is one
 * INSERT ... ON CONFLICT DO UPDATE ... WHERE the values differ, whose
 * RETURNING row (or its absence) says added, replaced or unchanged: two
 * loaders of the same bars never collide on the key.
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "date.h"
#include "db.h"
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

/* The same on PostgreSQL: bytes order text (COLLATE "C"), as in SQLite;
 * pp_store_schema holds what SQLite keeps in its header. */
static const char pg_schema_sql[] =
    "CREATE TABLE pp_store_schema ("
    " application_id BIGINT NOT NULL,"
    " version BIGINT NOT NULL);"
    "INSERT INTO pp_store_schema VALUES (1347439955, 1);"
    "CREATE TABLE ohlcv ("
    " symbol TEXT COLLATE \"C\" NOT NULL,"
    " date TEXT COLLATE \"C\" NOT NULL,"
    " open DOUBLE PRECISION NOT NULL,"
    " high DOUBLE PRECISION NOT NULL,"
    " low DOUBLE PRECISION NOT NULL,"
    " close DOUBLE PRECISION NOT NULL,"
    " volume DOUBLE PRECISION NOT NULL,"
    " PRIMARY KEY (symbol, date));";

struct pp_store {
	struct pp_db *db;
	char *path;
	int pg;			/* PostgreSQL (else SQLite) */
	int in_tx;		/* a load is open */
	int empty;		/* read-only, and no schema yet: no bars */
	struct pp_db_stmt *get, *ins, *upd, *sel;
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

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	    pp_db_errmsg(st->db));
}

static int
exec(struct pp_store *st, const char *sql, struct pp_err *err)
{
	pp_db_set_deadline(st->db, mono_ms() + PP_STORE_BUSY_MS);
	if (pp_db_exec(st->db, sql) == -1)
		return db_error(st, err);
	return 0;
}

static int
pragma_int(struct pp_store *st, const char *sql, long *v,
    struct pp_err *err)
{
	struct pp_db_stmt *s = pp_db_prepare(st->db, sql);
	int rc;

	if (s == NULL)
		return db_error(st, err);
	rc = pp_db_step(s);
	*v = rc == PP_DB_ROW ? (long)pp_db_column_int64(s, 0) : 0;
	pp_db_finalize(s);
	if (rc != PP_DB_ROW && rc != PP_DB_DONE)
		return db_error(st, err);
	return 0;
}

/* The store's id, version and tables present, per dialect. */
static int
head(struct pp_store *st, long *app, long *ver, long *ntab,
    struct pp_err *err)
{
	if (!st->pg)
		return pragma_int(st, "PRAGMA application_id", app, err) == -1 ||
		    pragma_int(st, "PRAGMA user_version", ver, err) == -1 ||
		    pragma_int(st, "SELECT count(*) FROM sqlite_master", ntab,
		    err) == -1 ? -1 : 0;
	*app = *ver = 0;
	if (pragma_int(st, "SELECT count(*) FROM pg_catalog.pg_tables WHERE "
	    "schemaname = current_schema()", ntab, err) == -1 ||
	    pragma_int(st, "SELECT count(*) FROM pg_catalog.pg_tables WHERE "
	    "schemaname = current_schema() AND tablename = 'pp_store_schema'",
	    app, err) == -1)
		return -1;
	if (*app == 0)
		return 0;
	return pragma_int(st, "SELECT application_id FROM pp_store_schema",
	    app, err) == -1 || pragma_int(st, "SELECT version FROM "
	    "pp_store_schema", ver, err) == -1 ? -1 : 0;
}

/* Check the store is a market store of a version we know, creating the
 * schema in a new (empty) file or schema when writable.  On PostgreSQL
 * the creation is under an advisory lock, so loaders starting at once
 * create it once. */
static int
check_schema(struct pp_store *st, int writable, struct pp_err *err)
{
	long app, ver, ntab;

	if (writable && exec(st, st->pg ? "BEGIN; SELECT "
	    "pg_advisory_xact_lock(1347439955)" : "BEGIN IMMEDIATE",
	    err) == -1)
		return -1;
	if (head(st, &app, &ver, &ntab, err) == -1)
		goto fail;
	if (app == 0 && ntab == 0 && writable) {
		if (exec(st, st->pg ? pg_schema_sql : schema_sql, err) == -1)
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
		pp_db_exec(st->db, "ROLLBACK");
	return -1;
}

#define OPEN_RETRIES 200

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
	char *why = NULL;
	int attempt;

	if (!writable && !pp_db_is_url(path) && stat(path, &sb) == -1) {
		pp_err_errno(err, errno, "%s", path);
		return NULL;
	}
	st = pp_xcalloc(1, sizeof(*st));
	st->path = pp_db_shown_name(path);	/* no password in messages */
	st->db = pp_db_open(path, writable ? PP_DB_CREATE : PP_DB_READONLY,
	    &why);
	if (st->db == NULL) {
		pp_err_set(err, PP_EXIT_DATA, "%s: %s", st->path, why);
		free(why);
		goto fail;
	}
	st->pg = pp_db_is_pg(st->db);
	pp_db_set_deadline(st->db, mono_ms() + PP_STORE_BUSY_MS);
	/* Two processes opening a new store at once can meet SQLITE_BUSY
	 * (or SQLITE_PROTOCOL) where SQLite does not call the busy handler:
	 * while one switches the file to WAL, or recovers a WAL left by a
	 * connection that just closed.  Such an open is simply tried again. */
	for (attempt = 0;; attempt++) {
		if ((!writable || st->pg || exec(st, "PRAGMA journal_mode = WAL;"
		    "PRAGMA synchronous = NORMAL", err) == 0) &&
		    check_schema(st, writable, err) == 0)
			break;
		if (!pp_db_busy(st->db) || attempt == OPEN_RETRIES)
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
prepare(struct pp_store *st, struct pp_db_stmt **s, const char *sql,
    struct pp_err *err)
{
	if (*s != NULL) {
		pp_db_reset(*s);
		return 0;
	}
	if ((*s = pp_db_prepare(st->db, sql)) == NULL)
		return db_error(st, err);
	return 0;
}

int
pp_store_begin(struct pp_store *st, struct pp_err *err)
{
	if (exec(st, st->pg ? "BEGIN" : "BEGIN IMMEDIATE", err) == -1)
		return -1;
	st->in_tx = 1;
	return 0;
}

static void
bind_key(struct pp_db_stmt *s, const struct pp_ohlcv_row *r, const char *date)
{
	char *sym = pp_xstrndup(r->sym, r->symlen);

	pp_db_bind_text(s, 1, sym);
	pp_db_bind_text(s, 2, date);
	free(sym);
}

static void
bind_values(struct pp_db_stmt *s, const struct pp_ohlcv_row *r)
{
	pp_db_bind_double(s, 3, r->open);
	pp_db_bind_double(s, 4, r->high);
	pp_db_bind_double(s, 5, r->low);
	pp_db_bind_double(s, 6, r->close);
	pp_db_bind_double(s, 7, r->volume);
}

/* PostgreSQL: one upsert; its RETURNING row says inserted (xmax is 0 for
 * a row this statement created) or updated, and no row means the values
 * were already there. */
static int
put_pg(struct pp_store *st, const struct pp_ohlcv_row *r, const char *date,
    struct pp_store_counts *c, struct pp_err *err)
{
	int rc;

	if (prepare(st, &st->upd, "INSERT INTO ohlcv (symbol, date, open, "
	    "high, low, close, volume) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
	    "ON CONFLICT (symbol, date) DO UPDATE SET open = ?3, high = ?4, "
	    "low = ?5, close = ?6, volume = ?7 WHERE (ohlcv.open, ohlcv.high, "
	    "ohlcv.low, ohlcv.close, ohlcv.volume) IS DISTINCT FROM "
	    "(?3, ?4, ?5, ?6, ?7) RETURNING xmax = 0", err) == -1)
		return -1;
	bind_key(st->upd, r, date);
	bind_values(st->upd, r);
	rc = pp_db_step(st->upd);
	if (rc == PP_DB_ERROR)
		return db_error(st, err);
	if (rc == PP_DB_DONE)
		c->unchanged++;
	else if (pp_db_column_int64(st->upd, 0))
		c->added++;
	else
		c->replaced++;
	pp_db_reset(st->upd);
	return 0;
}

int
pp_store_put(struct pp_store *st, const struct pp_ohlcv_row *r,
    struct pp_store_counts *c, struct pp_err *err)
{
	char date[PP_DATE_BUFSZ];
	struct pp_db_stmt *w;
	int rc;

	key_text(st, r->date, date);
	if (st->pg)
		return put_pg(st, r, date, c, err);
	if (prepare(st, &st->get, "SELECT open, high, low, close, volume "
	    "FROM ohlcv WHERE symbol = ?1 AND date = ?2", err) == -1)
		return -1;
	bind_key(st->get, r, date);
	rc = pp_db_step(st->get);
	if (rc == PP_DB_ROW) {
		if (pp_db_column_double(st->get, 0) == r->open &&
		    pp_db_column_double(st->get, 1) == r->high &&
		    pp_db_column_double(st->get, 2) == r->low &&
		    pp_db_column_double(st->get, 3) == r->close &&
		    pp_db_column_double(st->get, 4) == r->volume) {
			c->unchanged++;
			pp_db_reset(st->get);
			return 0;
		}
		if (prepare(st, &st->upd, "UPDATE ohlcv SET open = ?3, "
		    "high = ?4, low = ?5, close = ?6, volume = ?7 "
		    "WHERE symbol = ?1 AND date = ?2", err) == -1)
			return -1;
		w = st->upd;
		c->replaced++;
	} else if (rc == PP_DB_DONE) {
		if (prepare(st, &st->ins, "INSERT INTO ohlcv (symbol, date, "
		    "open, high, low, close, volume) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err) == -1)
			return -1;
		w = st->ins;
		c->added++;
	} else {
		return db_error(st, err);
	}
	pp_db_reset(st->get);
	bind_key(w, r, date);
	bind_values(w, r);
	if (pp_db_step(w) != PP_DB_DONE) {
		db_error(st, err);
		pp_db_reset(w);
		return -1;
	}
	pp_db_reset(w);
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
	pp_db_exec(st->db, "ROLLBACK");
	st->in_tx = 0;
}

/* Bind the current symbol (if any; else an unused "") and the date
 * range, and rewind. */
static void
select_start(struct pp_store *st)
{
	pp_db_reset(st->sel);
	pp_db_bind_text(st->sel, 1, st->q->nsym > 0 ? st->q->syms[st->qi] :
	    "");
	pp_db_bind_text(st->sel, 2, st->lo);
	pp_db_bind_text(st->sel, 3, st->hi);
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
		pp_db_finalize(st->sel);
		st->sel = NULL;
	}
	if (!st->empty && (st->sel = pp_db_prepare(st->db, sql)) == NULL)
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
	const char *date;
	int rc, n;

	if (st->sel == NULL)
		return 0;
	for (;;) {
		rc = pp_db_step(st->sel);
		if (rc == PP_DB_ROW)
			break;
		if (rc != PP_DB_DONE)
			return db_error(st, err);
		if (st->q->nsym == 0 || ++st->qi >= st->q->nsym) {
			pp_db_finalize(st->sel);
			st->sel = NULL;
			return 0;
		}
		select_start(st);
	}
	r->sym = pp_db_column_text(st->sel, 0);
	r->symlen = pp_db_column_bytes(st->sel, 0);
	date = pp_db_column_text(st->sel, 1);
	n = (int)pp_db_column_bytes(st->sel, 1);
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
	r->open = pp_db_column_double(st->sel, 2);
	r->high = pp_db_column_double(st->sel, 3);
	r->low = pp_db_column_double(st->sel, 4);
	r->close = pp_db_column_double(st->sel, 5);
	r->volume = pp_db_column_double(st->sel, 6);
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
	pp_db_finalize(st->get);
	pp_db_finalize(st->ins);
	pp_db_finalize(st->upd);
	pp_db_finalize(st->sel);
	pp_db_close(st->db);
	free(st->found);
	free(st->path);
	free(st);
}
