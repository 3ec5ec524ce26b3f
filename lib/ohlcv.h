/*
 * ohlcv.h - normalised daily bars: one row per (symbol, date) with open,
 * high, low, close and volume, whatever layout they arrived in.
 *
 * The pieces, in the order pp-fetch uses them:
 *   - symbol lists and symbols (pp_ohlcv_symbols, pp_ohlcv_symbol_ok);
 *   - column mapping: a provider's CSV layout (Yahoo, Stooq, Alpha Vantage,
 *     our own frames) is recognised from the column names, and --map names
 *     the columns of any other layout (pp_ohlcv_resolve);
 *   - a row from a frame's cells, with date parsing, --adjust and
 *     validation (pp_ohlcv_from_cells, pp_ohlcv_check), and a reader that
 *     does this row after row with --skip-bad and --start/--end
 *     (pp_ohlcv_in);
 *   - ordering: a sorter that takes rows in any order and gives them back
 *     sorted by symbol then date, exact duplicates dropped and conflicting
 *     duplicates an error (pp_ohlcv_sorter), in bounded memory when the rows
 *     already arrive in order.
 *
 * Ownership: a row's sym points at bytes owned by whoever produced the row,
 * valid until the producer's next call.  Nothing here prints or exits.
 */
#ifndef PP_OHLCV_H
#define PP_OHLCV_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"

/* One daily bar. */
struct pp_ohlcv_row {
	const char *sym;	/* not NUL-terminated; never NULL */
	size_t symlen;
	int64_t date;		/* days since 1970-01-01; intraday bars:
				   microseconds since 1970-01-01Z */
	double open, high, low, close;
	double volume;		/* shares or contracts; may be fractional */
};

/* No --start / --end: the widest range. */
#define PP_OHLCV_NO_START INT64_MIN
#define PP_OHLCV_NO_END INT64_MAX

/* The output columns, in order:
 * symbol text, date date, open high low close volume float64. */
#define PP_OHLCV_NCOLS 7
void pp_ohlcv_schema(struct pp_schema *s);

/* The same with the date column a date-time (--intraday). */
void pp_ohlcv_schema_intraday(struct pp_schema *s);

/* A row as PP_OHLCV_NCOLS cells of the output schema (cells point into
 * row->sym). */
void pp_ohlcv_to_cells(const struct pp_ohlcv_row *r,
    union pp_cell cells[PP_OHLCV_NCOLS]);

/*
 * 0 if the bar is valid: open, high, low, close finite and > 0,
 * high >= max(open, close), low <= min(open, close), volume finite and
 * >= 0.  Otherwise -1 with err set to what is wrong, naming the field and
 * its value ('high 9.5: below max(open, close) 10', 'volume: missing').
 */
int pp_ohlcv_check(const struct pp_ohlcv_row *r, struct pp_err *err);

/* 1 if s[0..n) can be a symbol: 1 to 64 bytes, none of them a control
 * character, space or comma ("^GSPC", "BRK-B", "EURUSD=X", "aapl.us"). */
int pp_ohlcv_symbol_ok(const char *s, size_t n);

/* Split a comma-separated list into *syms (malloc'd array of malloc'd
 * strings, *n of them), sorted bytewise.  An empty list, a bad symbol or
 * a repeated one is an error (PP_EXIT_USAGE). */
int pp_ohlcv_symbols(const char *list, char ***syms, size_t *n,
    struct pp_err *err);
void pp_ohlcv_symbols_free(char **syms, size_t n);

/* The symbol a file name implies: the last path component without its
 * last extension ("data/AAPL.csv" -> "AAPL", "aapl.us.txt" -> "aapl.us"),
 * a gzip file's too ("AAPL.csv.gz" -> "AAPL"), and without a browser's
 * copy number ("msft (1).csv" -> "msft").
 * NULL (nothing allocated) for stdin ("-" or NULL) or when that is not a
 * valid symbol; else malloc'd. */
char *pp_ohlcv_symbol_from_path(const char *path);

/* The symbol a file name holds by re (pp-fetch --symbol-from-name): its
 * first group, or the whole match when it has none, in the last path
 * component.  *sym malloc'd; -1 with err (PP_EXIT_DATA) when re does not
 * match or the match is not a symbol. */
int pp_ohlcv_symbol_by_re(const char *path, const regex_t *re, char **sym,
    struct pp_err *err);

/* The fields a layout can supply. */
enum pp_ohlcv_field {
	PP_OF_SYMBOL,
	PP_OF_DATE,
	PP_OF_OPEN,
	PP_OF_HIGH,
	PP_OF_LOW,
	PP_OF_CLOSE,
	PP_OF_ADJCLOSE,
	PP_OF_VOLUME,
	PP_OF_N
};

/* "symbol", "date", "open", "high", "low", "close", "adjclose", "volume":
 * the keys --map takes. */
const char *pp_ohlcv_field_name(enum pp_ohlcv_field f);

/* --map: for each field, the column that holds it (NULL: by name). */
struct pp_ohlcv_map {
	char *col[PP_OF_N];	/* owned, or NULL */
};

#define PP_OHLCV_MAP_INIT { { NULL } }

/* Add "field=Column,field=Column" to m (repeating a field replaces it).
 * An unknown field, an empty column name or a missing '=' is an error
 * (PP_EXIT_USAGE).  Column names cannot contain ',' or '='. */
int pp_ohlcv_map_parse(struct pp_ohlcv_map *m, const char *spec,
    struct pp_err *err);
void pp_ohlcv_map_release(struct pp_ohlcv_map *m);

enum pp_ohlcv_layout {
	PP_LAYOUT_FRAME = 1,	/* symbol,date,open,high,low,close,volume */
	PP_LAYOUT_YAHOO,	/* Date,Open,High,Low,Close,Adj Close,Volume */
	PP_LAYOUT_STOOQ,	/* Date,Open,High,Low,Close[,Volume] */
	PP_LAYOUT_ALPHAVANTAGE,	/* timestamp,open,high,low,close,volume */
	PP_LAYOUT_OTHER		/* anything else, by name or --map */
};

/* "frame", "yahoo", "stooq", "alphavantage", "other". */
const char *pp_ohlcv_layout_name(enum pp_ohlcv_layout l);

/* Where each field is in a schema: col[f] is a column index or -1. */
struct pp_ohlcv_cols {
	long col[PP_OF_N];
	enum pp_ohlcv_layout layout;
	const char *date_fmt;	/* the date column's layout (pp_date_parse_fmt,
				   or PP_DATE_EPOCH), or NULL: ISO dates */
	int intraday;		/* bars with a time of day: date in usec */
	int64_t tz_us;		/* a naive time is at UTC + tz_us */
};

/* date_fmt for dates given as seconds since the epoch (the UTC day of
 * that instant). */
#define PP_DATE_EPOCH "epoch"

/*
 * Find the fields in schema s.  A field named in m must be that column;
 * otherwise a column is found by name, ignoring case: date ("date",
 * "timestamp", "time", "day"), open, high, low, close, adjclose ("adj
 * close", "adj_close", "adjclose", "adjusted_close"), volume ("volume",
 * "vol"), symbol ("symbol", "ticker"); Stooq's Polish headers too.  date,
 * open, high, low and close are required, adjclose when need_adjclose;
 * volume and symbol are optional (volume reads 0 when absent).  The layout
 * is named when the header is exactly one of the known ones.  Errors
 * (PP_EXIT_DATA): 'no column for "open" (use --map open=NAME)',
 * '--map close=Last: no column "Last"'.
 */
int pp_ohlcv_resolve(const struct pp_schema *s, const struct pp_ohlcv_map *m,
    int need_adjclose, struct pp_ohlcv_cols *out, struct pp_err *err);

/*
 * Build a bar from one frame row (cells in schema s order) using the
 * columns c.  The date comes first: read from a date cell, text
 * ("YYYY-MM-DD" or "YYYYMMDD"), a whole number YYYYMMDD, or a date-time at
 * midnight UTC; a bar dated outside [start, end] is passed over (return 0)
 * before anything else is looked at, so bad rows outside the range do not
 * matter.  The symbol is sym when not NULL, else the symbol column's cell.
 * Numbers come from float64 or int64 cells, or text that pp_parse_double
 * reads; volume is 0 when there is no volume column.  With adjust, open,
 * high, low and close are multiplied by adjclose / close.  The bar is then
 * checked (pp_ohlcv_check).  Returns 1 for a bar (row->sym points at sym
 * or into cells), 0 for a date out of range, -1 with err naming the column
 * or the check ('column "Date": bad date "2024-13-01"').
 */
int pp_ohlcv_from_cells(const struct pp_ohlcv_cols *c,
    const struct pp_schema *s, const union pp_cell *cells, const char *sym,
    int64_t start, int64_t end, int adjust, struct pp_ohlcv_row *row,
    struct pp_err *err);

/* How pp_ohlcv_in turns a frame into bars. */
struct pp_ohlcv_in_opts {
	const struct pp_ohlcv_map *map; /* --map, or NULL */
	const char *symbol;	/* --symbol: overrides any symbol column */
	const char *fallback;	/* symbol when the frame has no symbol column
				   and symbol is NULL (from the file name) */
	int adjust;		/* --adjust */
	int skip_bad;		/* --skip-bad: count bad rows, go on */
	int64_t start, end;	/* keep dates in [start, end] */
	const char *date_fmt;	/* --date-format (see pp_ohlcv_cols), or NULL */
	int intraday;		/* --intraday: row dates in microseconds */
	int64_t tz_us;		/* --tz: the offset of naive times */
};

#define PP_OHLCV_IN_OPTS_INIT \
	{ NULL, NULL, NULL, 0, 0, PP_OHLCV_NO_START, PP_OHLCV_NO_END, NULL, 0, \
	  0 }

struct pp_ohlcv_in;

/* Bars from the frame reader r (not owned; it must outlive the result).
 * Resolves the columns now, so a file that is not OHLCV fails before any
 * row: "NAME: no column for ...", or "NAME: no symbol (use --symbol or a
 * symbol column)".  Returns NULL with err set on failure. */
struct pp_ohlcv_in *pp_ohlcv_in_new(struct pp_reader *r,
    const struct pp_ohlcv_in_opts *o, struct pp_err *err);

/* The next valid bar within [start, end].  Returns 1, 0 at the end, or -1
 * with err "NAME:LINE: ...".  With skip_bad a row that fails to read or to
 * validate is counted and passed over (a broken stream still fails). */
int pp_ohlcv_in_next(struct pp_ohlcv_in *in, struct pp_ohlcv_row *row,
    struct pp_err *err);

enum pp_ohlcv_layout pp_ohlcv_in_layout(const struct pp_ohlcv_in *in);

/* Line of the row last returned (see pp_reader_line). */
long pp_ohlcv_in_line(const struct pp_ohlcv_in *in);

/* Rows skipped so far, and the message of the first one ("" if none). */
size_t pp_ohlcv_in_skipped(const struct pp_ohlcv_in *in);
const char *pp_ohlcv_in_first_skip(const struct pp_ohlcv_in *in);

void pp_ohlcv_in_free(struct pp_ohlcv_in *in);

/*
 * The sorter: add rows in any order, then finish, then read them back in
 * (symbol, date) order.  Two rows with the same key and the same values
 * (bit for bit) are one row; with different values they are an error that
 * names where both came from:
 *   'b.csv:7: "AAPL" 2024-01-05: conflicts with a.csv:3 (other values)'.
 * See ohlcv.c for how memory stays bounded for ordered input.
 */
struct pp_ohlcv_sorter;

struct pp_ohlcv_sorter *pp_ohlcv_sorter_new(void);

/* The rows to come are intraday (dates in microseconds): messages show
 * date-times. */
void pp_ohlcv_sorter_intraday(struct pp_ohlcv_sorter *s);

/* Add a row; src and line say where it came from, for messages (src is
 * copied).  May fail with a conflict (found at once for ordered input) or
 * an I/O error on the spill file. */
int pp_ohlcv_sorter_add(struct pp_ohlcv_sorter *s,
    const struct pp_ohlcv_row *r, const char *src, long line,
    struct pp_err *err);

/* No more rows: sort if needed and find the remaining conflicts. */
int pp_ohlcv_sorter_finish(struct pp_ohlcv_sorter *s, struct pp_err *err);

/* After finish: the next row in order (sym valid until the next call).
 * Returns 1, 0 at the end, -1 on a spill read error. */
int pp_ohlcv_sorter_next(struct pp_ohlcv_sorter *s, struct pp_ohlcv_row *r,
    struct pp_err *err);

/* Exact duplicates dropped so far; 1 if the rows are held in memory
 * (some arrived out of order), 0 if they stream through the spill file. */
size_t pp_ohlcv_sorter_dups(const struct pp_ohlcv_sorter *s);
int pp_ohlcv_sorter_in_memory(const struct pp_ohlcv_sorter *s);

void pp_ohlcv_sorter_free(struct pp_ohlcv_sorter *s);

#endif
