/*
 * store.h - the market store: daily bars in one SQLite file, keyed
 * (symbol, date), so that fetching overlapping ranges again and again (a
 * daily cron job, parallel Airflow tasks) is idempotent.
 *
 * Schema (PRAGMA user_version 1):
 *   CREATE TABLE ohlcv (symbol TEXT NOT NULL, date TEXT NOT NULL,
 *     open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL,
 *     close REAL NOT NULL, volume REAL NOT NULL,
 *     PRIMARY KEY (symbol, date)) WITHOUT ROWID;
 * date is "YYYY-MM-DD" so the file reads well in sqlite3(1) and sorts by
 * date; REAL keeps every double bit for bit.
 *
 * Writes: one transaction per load (BEGIN IMMEDIATE, so writers queue on
 * the busy timeout instead of failing), WAL so readers never wait.  A bar
 * whose key is new is added; one equal to the stored bar changes nothing;
 * one with other values replaces the stored bar (the latest fetch wins:
 * providers revise history, e.g. after a split) and is counted, so the
 * caller can say so.
 *
 * Nothing here prints; every failure is a struct pp_err naming the file.
 */
#ifndef PP_STORE_H
#define PP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ohlcv.h"

/* How long a writer waits for another to finish, in milliseconds. */
#define PP_STORE_BUSY_MS 60000

struct pp_store;

/* Open path.  writable: create the file and the table if missing (and
 * migrate an older schema); otherwise the file must exist and hold the
 * table.  A newer schema than this program knows is an error.  Returns NULL
 * with err set ("market.db: no such file", "market.db: not a market
 * store") on failure. */
struct pp_store *pp_store_open(const char *path, int writable,
    struct pp_err *err);

/*
 * Bars put and read from now on are intraday: their date is microseconds,
 * kept as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (fixed width, so the text sorts
 * as the instants do).  Reading intraday, a daily bar is at midnight UTC;
 * reading daily, an intraday bar is an error that says so.
 */
void pp_store_intraday(struct pp_store *st);

struct pp_store_counts {
	size_t added;		/* keys not in the store before */
	size_t unchanged;	/* same key, same values */
	size_t replaced;	/* same key, other values: overwritten */
};

/* Start a load; every put until commit is one transaction. */
int pp_store_begin(struct pp_store *st, struct pp_err *err);

/* Upsert one bar and count what happened in *c. */
int pp_store_put(struct pp_store *st, const struct pp_ohlcv_row *r,
    struct pp_store_counts *c, struct pp_err *err);

/* Commit the load, or (after any failure) roll it back. */
int pp_store_commit(struct pp_store *st, struct pp_err *err);
void pp_store_rollback(struct pp_store *st);

/* What to read back: syms[0..nsym) (all symbols when nsym is 0), dates in
 * [start, end]. */
struct pp_store_query {
	char *const *syms;
	size_t nsym;
	int64_t start, end;
};

/* Start reading bars in (symbol, date) order. */
int pp_store_select(struct pp_store *st, const struct pp_store_query *q,
    struct pp_err *err);

/* The next bar (sym valid until the next call).  Returns 1, 0 at the end,
 * -1 on error (a corrupt row names symbol and date). */
int pp_store_next(struct pp_store *st, struct pp_ohlcv_row *r,
    struct pp_err *err);

/* Number of bars select has returned for each of q->syms so far, by index
 * (for "no rows for X" warnings); NULL before select. */
const size_t *pp_store_found(const struct pp_store *st);

/* Close (rolling back a load not committed).  NULL is a no-op. */
void pp_store_close(struct pp_store *st);

#endif
