/*
 * frame.h - frames: named, typed columns and rows in time order, read and
 * written as a stream.
 *
 * A frame travels as CSV or as the binary frame format (man/pp-frame.5).
 * The reader detects which from the first bytes; the writer writes what it
 * is asked.  Both hold one row (CSV) or one chunk (binary) at a time, never
 * the whole frame, so memory is bounded by the widest chunk, not the input.
 *
 * Rows are arrays of union pp_cell, one per column in schema order.  Which
 * member is valid is given by the column's type.  Text cells point at bytes
 * owned by whoever produced the row (the reader's buffers): they stay valid
 * until the next call on that reader, are not NUL-terminated, and are
 * always valid UTF-8.  A missing number is NaN; missing text is ""; a
 * missing int64, date or date-time is PP_I64_MISSING (INT64_MIN), which
 * CSV writes as an empty cell.
 *
 * CSV type inference: the reader looks at the first infer_rows rows (on a
 * pipe or terminal, only those already received once there is one, so a
 * live feed is never held back).  A
 * column named "symbol" is text.  Otherwise a column is a date if every
 * non-missing value there is YYYY-MM-DD, a date-time if every one is an
 * ISO 8601 date-time, a number (float64) if every one parses as a double,
 * and text if not; a column with no value there is float64.  A later value
 * that does not fit the column's type is an error naming file, line and
 * column.  CSV never yields int64: that type comes only from binary frames
 * written by programs that declare it.
 */
#ifndef PP_FRAME_H
#define PP_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

enum pp_type {
	PP_T_F64 = 1,		/* double: v.f; NaN is missing */
	PP_T_I64 = 2,		/* int64: v.i */
	PP_T_TEXT = 3,		/* UTF-8 bytes: s.p, s.len */
	PP_T_DATE = 4,		/* days since 1970-01-01: v.i */
	PP_T_DATETIME = 5	/* microseconds since 1970-01-01Z: v.i */
};

/* "float64", "int64", "text", "date", "datetime"; "?" for others. */
const char *pp_type_name(enum pp_type t);

/* The missing value of the integer types (CSV: an empty cell). */
#define PP_I64_MISSING INT64_MIN

union pp_cell {
	double f;		/* PP_T_F64 */
	int64_t i;		/* PP_T_I64, PP_T_DATE, PP_T_DATETIME */
	struct {
		const char *p;	/* not NUL-terminated; never NULL */
		size_t len;
	} s;			/* PP_T_TEXT */
};

/* The cell as a double: F64 as is, the integer types converted, text NaN. */
double pp_cell_num(enum pp_type t, const union pp_cell *c);

struct pp_col {
	char *name;		/* owned, NUL-terminated, unique in a schema */
	enum pp_type type;
};

struct pp_schema {
	size_t ncols;
	struct pp_col *cols;	/* owned array of ncols */
	size_t cap;		/* allocated elements of cols */
	size_t *index;		/* wide schemas: a hash table of column + 1 */
	size_t nindex;		/* its slots (a power of two), or 0 */
};

#define PP_SCHEMA_INIT { 0, NULL, 0, NULL, 0 }

void pp_schema_init(struct pp_schema *s);
void pp_schema_release(struct pp_schema *s);

/* Append a column.  Fails (and changes nothing) if the name is empty or
 * already present: 'duplicate column "x"'. */
int pp_schema_add(struct pp_schema *s, const char *name, enum pp_type t,
    struct pp_err *err);

/* Index of the column named name, or -1. */
long pp_schema_find(const struct pp_schema *s, const char *name);

/* Replace dst (initialised) with a deep copy of src. */
void pp_schema_copy(struct pp_schema *dst, const struct pp_schema *src);

/* 0 if a and b have the same column names and types in the same order;
 * else -1 with err saying where they first differ.  _names compares the
 * names only (b's types are not known: see pp_reader_typed). */
int pp_schema_same(const struct pp_schema *a, const struct pp_schema *b,
    struct pp_err *err);
int pp_schema_same_names(const struct pp_schema *a,
    const struct pp_schema *b, struct pp_err *err);

/*
 * Frame metadata: key/value pairs of UTF-8 text that a binary frame carries
 * in its header (pp-frame(5), version 2), such as the feature spec that
 * made the frame ("pp.spec").  CSV has nowhere to put them: a CSV reader
 * yields none and a CSV writer drops them.  Keys are unique, 1 to 255
 * bytes, with no control characters; values are at most PP_META_VAL_MAX
 * bytes with no NUL.  Pairs keep the order they were first set in.
 */
#define PP_META_KEY_MAX 255
#define PP_META_VAL_MAX (1u << 24)

struct pp_meta {
	size_t n;		/* pairs */
	char **key;		/* owned: n owned keys */
	char **val;		/* owned: n owned values */
	size_t cap;		/* allocated elements of key and val */
};

#define PP_META_INIT { 0, NULL, NULL, 0 }

void pp_meta_init(struct pp_meta *m);
void pp_meta_release(struct pp_meta *m);

/* The value of key, or NULL. */
const char *pp_meta_get(const struct pp_meta *m, const char *key);

/* Set key to val (both copied), replacing an earlier value in its place,
 * else appending.  Fails, changing nothing, if the pair breaks the rules
 * above: 'metadata key "k": ...'. */
int pp_meta_set(struct pp_meta *m, const char *key, const char *val,
    struct pp_err *err);

/* Remove key; 0 if it was there, -1 if not. */
int pp_meta_del(struct pp_meta *m, const char *key);

/* Replace dst (initialised) with a deep copy of src. */
void pp_meta_copy(struct pp_meta *dst, const struct pp_meta *src);

/* Check a key and a value of len bytes against the rules above. */
int pp_meta_check(const char *key, size_t keylen, const char *val,
    size_t vallen, struct pp_err *err);

enum pp_format { PP_FMT_CSV = 1, PP_FMT_BIN = 2 };

struct pp_read_opts {
	char delim;		/* CSV field separator; ',' */
	size_t infer_rows;	/* CSV rows looked at to infer types; 1000 */
	const char *text_col;	/* a CSV column read as text whatever it
				   holds (a mapped symbol column), besides
				   symbol and ticker in any case; NULL */
	int datetime_text;	/* CSV: date-time columns read as text, so
				   a time without an offset can be told
				   from one in UTC (pp-fetch --tz) */
};

#define PP_READ_OPTS_INIT { ',', 1000, NULL, 0 }

/*
 * Threads a CSV reader may parse on, and a CSV writer with o.thread may
 * format on: 0 (the default) means up to 4, no more than the processors;
 * 1 parses on the reading thread alone and formats on one writing thread.
 * The output is the same whatever the count.  Programs set it from
 * $PP_CSV_THREADS (pp_cli_init).
 */
void pp_frame_set_csv_threads(int n);

/* The threads a CSV writer with o.thread formats on, as set above. */
int pp_frame_csv_threads(void);

struct pp_reader;

/* Open path ("-" or NULL: stdin) and read its header, so a missing file, an
 * empty input, a missing or bad header fails here, before any work.  o may
 * be NULL for the defaults.  Returns NULL and sets err on failure. */
struct pp_reader *pp_reader_open(const char *path,
    const struct pp_read_opts *o, struct pp_err *err);

/* The same on an open stream; name is used in messages.  The reader does
 * not close fp. */
struct pp_reader *pp_reader_fopen(FILE *fp, const char *name,
    const struct pp_read_opts *o, struct pp_err *err);

const struct pp_schema *pp_reader_schema(const struct pp_reader *r);
enum pp_format pp_reader_format(const struct pp_reader *r);
const char *pp_reader_name(const struct pp_reader *r);

/* 0 when the column types are only defaults, not read from any value: a
 * CSV input that ended without a data row (an empty shard, say), whose
 * columns are float64 or text by name only.  1 otherwise. */
int pp_reader_typed(const struct pp_reader *r);

/* The metadata the frame's header carried: empty for CSV and for version
 * 1 binary frames.  Owned by the reader. */
const struct pp_meta *pp_reader_meta(const struct pp_reader *r);

/* Read the next row into *row (valid until the next call).  Returns 1 for a
 * row, 0 at the end of the frame, -1 on error with err set to
 * "NAME:LINE: ..." (CSV) or "NAME: byte N: ..." (binary). */
int pp_reader_next(struct pp_reader *r, const union pp_cell **row,
    struct pp_err *err);

/*
 * Read only the columns listed in cols[0..n) (schema indices; negative
 * ones are ignored): the other cells are neither converted nor checked,
 * and hold their type's missing value (NaN, "", PP_I64_MISSING) in every
 * row.  A CSV row must still have every field.  What a program that
 * needs a few columns of a wide frame calls, as pandas' usecols: in CSV
 * the unused fields cost only the search for their delimiter, in binary
 * their bytes are checksummed but not decoded or validated.  Call after
 * open and before the first pp_reader_next (rows converted before the
 * call may have every cell checked); a later call replaces the list.
 */
void pp_reader_only(struct pp_reader *r, const long *cols, size_t n);

/* CSV -> CSV without conversion (pp cat, pp-predict).  Ask, before the
 * first pp_reader_next, that rows already in the CSV writer's form (every
 * field written back as it is: pp_fmt_double_canonical numbers, plain
 * text, YYYY-MM-DD dates) may come as their text; with cells, such rows
 * come with their cells too (else they are not converted at all).
 * Returns 1 if this reader can (CSV read on worker threads), else 0 and
 * nothing changes.  pp_reader_next still gives every row as cells. */
int pp_reader_want_lines(struct pp_reader *r, int cells);

/* pp_reader_next, but a row may come as *line (len bytes, no line end,
 * valid until the next call): exactly the bytes a CSV writer with the
 * reader's delimiter writes for that row (pp_writer_line); *row is then
 * NULL, or the row's cells if pp_reader_want_lines asked for them.
 * Otherwise *row is set and *line NULL. */
int pp_reader_next_line(struct pp_reader *r, const union pp_cell **row,
    const char **line, size_t *len, struct pp_err *err);

/* pp_reader_next_line, but where cells were not asked for, the text may
 * be that of several consecutive rows, separated by '\n' (for
 * pp_writer_line with from = ncols): one call for a run of rows. */
int pp_reader_next_lines(struct pp_reader *r, const union pp_cell **row,
    const char **line, size_t *len, struct pp_err *err);

/*
 * Binary frames' fast path: the rows pp_reader_next would give from here
 * to the end of the current chunk, at once, as columns.  Returns their
 * count n >= 1 and sets *col to the per-column array of value pointers:
 * numeric column j's n values are the 8 bytes each at (*col)[j] + 8 *
 * (*from + i), host order, not aligned (read them with memcpy); text
 * columns' entries are not values.  pp_reader_line is then the last of
 * them; the one of row i is that minus n - 1 - i.  0 at the end, -1 on
 * error (as pp_reader_next), -2 when the input is not a binary frame or
 * the host is big-endian: read with pp_reader_next.  The pointers hold
 * until the next call.  Mixed with pp_reader_next, each row is given once.
 */
int pp_reader_next_block(struct pp_reader *r,
    const unsigned char *const **col, size_t *from, size_t *n,
    struct pp_err *err);

/* After pp_reader_next_block: the bytes of text column j of that block,
 * which its offsets (4 bytes each, little-endian, n + 1 of them from
 * (*col)[j] + 4 * *from) point into; NULL for a column that is not text. */
const unsigned char *pp_reader_block_text(const struct pp_reader *r,
    size_t j);

/* After pp_reader_next returned -1: 1 if the error was confined to one row
 * (wrong field count, a value that does not fit its column, bad UTF-8), so
 * the caller may count it and call pp_reader_next again (--skip-bad); 0 if
 * the stream itself is broken and every later call fails. */
int pp_reader_can_skip(const struct pp_reader *r);

/* Line where the row last returned (or rejected) starts, 1-based, counting
 * the header; for binary input the 1-based row number. */
long pp_reader_line(const struct pp_reader *r);

void pp_reader_free(struct pp_reader *r);

struct pp_write_opts {
	enum pp_format format;	/* PP_FMT_CSV or PP_FMT_BIN */
	char delim;		/* CSV field separator; ',' */
	int compress;		/* binary: zlib-compress each chunk */
	size_t chunk_rows;	/* binary: rows per chunk; 0 for the default */
	int thread;		/* format and write on other threads */
	const struct pp_meta *meta; /* binary: metadata (copied); or NULL */
	int precision;		/* CSV: significant digits of doubles; 0:
				   the shortest that reads back exactly */
};

#define PP_WRITE_OPTS_INIT { PP_FMT_CSV, ',', 0, 0, 0, NULL, 0 }

struct pp_writer;

/* Start writing a frame with schema s (copied) to fp; the header goes out
 * now, in binary with o->meta (a frame without metadata is written as
 * version 1, which every reader reads; with metadata as version 2).
 * Binary to a terminal is refused (PP_EXIT_USAGE).  name is used in
 * messages.  The writer does not close fp. */
struct pp_writer *pp_writer_new(FILE *fp, const char *name,
    const struct pp_schema *s, const struct pp_write_opts *o,
    struct pp_err *err);

/* Append one row (ncols cells in schema order).  Text must be valid UTF-8
 * (not checked here: every reader checks it).  With o.thread the row is
 * copied and written later by other threads (lib/frame_wthread.c; CSV is
 * formatted on as many as pp_frame_set_csv_threads allows): a write
 * error then surfaces at a later call, at the latest pp_writer_finish,
 * which is why a frame is only complete when finish succeeds. */
int pp_writer_row(struct pp_writer *w, const union pp_cell *row,
    struct pp_err *err);

/* Append one row whose columns 0..from-1 are given as their text from
 * pp_reader_next_line (a reader of those columns and this delimiter, the
 * writer CSV with o.precision 0, so that the text is what pp_writer_row
 * would write), and columns from..ncols-1, none of them text, as
 * row[from..ncols) (row may be NULL when from is ncols).  With from =
 * ncols the text may hold several rows (pp_reader_next_lines).  A binary
 * writer refuses it (-1). */
int pp_writer_line(struct pp_writer *w, const char *line, size_t len,
    const union pp_cell *row, size_t from, struct pp_err *err);

/*
 * One column of n rows for pp_writer_block, as pp_reader_next_block
 * gives them: a number column as n values of 8 bytes, little-endian,
 * from v (not aligned); a text column as n + 1 offsets of 4 bytes,
 * little-endian, from v, into txt (the first need not be 0).
 */
struct pp_colblock {
	const unsigned char *v;
	const unsigned char *txt;
};

/* Append n rows given column by column (cols[0..ncols)): the bytes
 * written are those of n pp_writer_row calls, without a cell per value.
 * -2 when the writer cannot (CSV, a writing thread, a big-endian host):
 * write rows then. */
int pp_writer_block(struct pp_writer *w, const struct pp_colblock *cols,
    size_t n, struct pp_err *err);

/* Push what is buffered to the stream now (a short binary chunk if needed),
 * for line-by-line pipelines. */
int pp_writer_flush(struct pp_writer *w, struct pp_err *err);

/* End the frame (binary: last chunk and the end marker) and flush.  A
 * frame not finished is, for a binary reader, truncated. */
int pp_writer_finish(struct pp_writer *w, struct pp_err *err);

void pp_writer_free(struct pp_writer *w);

#endif
