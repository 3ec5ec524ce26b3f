/*
 * frame_impl.h - what frame.c shares with its backends, csv.c and
 * binframe.c, and what they share below them: the input buffer and
 * checked writes (frame_io.c).  Not part of the public API: programs
 * include frame.h.
 *
 * The reader owns one input buffer (struct pp_inbuf) from which both
 * backends consume, so format detection can peek at the first bytes
 * without a pushback limit.  The reader and writer structs are defined
 * here; each backend keeps its private state behind a pointer.
 */
#ifndef PP_FRAME_IMPL_H
#define PP_FRAME_IMPL_H

#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "frame.h"

#define PP_INBUF_BLOCK (256 * 1024)

struct pp_inbuf {
	FILE *fp;
	int fd;			/* fileno(fp), or -1 (fmemopen): then fread */
	int live;		/* a pipe, socket or terminal, not a file */
	unsigned char *buf;	/* owned */
	size_t pos;		/* next unread byte */
	size_t len;		/* bytes valid in buf */
	size_t cap;
	uint64_t base;		/* stream offset of buf[0] */
	int eof;		/* fp reached EOF (or error, see err) */
	int ioerr;		/* errno of a read error, or 0 */
	struct pp_gunzip *gz;	/* gzip input: read through it, or NULL */
	const char *gzerr;	/* bad gzip data: what (ioerr is EIO) */
};

/* Make at least want bytes available from pos (fewer only at EOF).
 * Returns the number available, or -1 on a read error (ioerr set). */
long pp_inbuf_fill(struct pp_inbuf *in, size_t want);

/* One read of up to n bytes into dst, past the buffer: the count, 0 at
 * EOF (eof set), or -1 on a read error (ioerr and eof set). */
long pp_inbuf_read(struct pp_inbuf *in, void *dst, size_t n);

/* Read the rest of in through zlib: the bytes buffered so far become its
 * first input, and the buffer starts again, empty, at offset 0 of the
 * decompressed stream. */
void pp_inbuf_gunzip(struct pp_inbuf *in);

/* Report a read error of in (ioerr, or bad gzip data) on name. */
int pp_inbuf_error(const struct pp_inbuf *in, int ioerr, const char *name,
    struct pp_err *err);

/* Stream offset of the next unread byte. */
#define PP_INBUF_OFFSET(in) ((in)->base + (in)->pos)

struct csv_in;
struct bin_in;
struct csv_out;
struct bin_out;

struct pp_reader {
	struct pp_inbuf in;
	char *name;		/* for messages */
	int own_fp;		/* close fp on free */
	const struct pp_frame_reader_ops *ops; /* the format, once detected */
	struct pp_schema schema;
	struct pp_meta meta;	/* binary version 2 header metadata */
	union pp_cell *row;	/* ncols cells, filled by next */
	unsigned char *skip;	/* ncols flags: column not read
				   (pp_reader_only), or NULL: read all */
	long line;		/* see pp_reader_line */
	int fatal;		/* stream broken: every next fails */
	int can_skip;		/* last error was one bad row */
	int untyped;		/* types are defaults: see pp_reader_typed */
	int give_lines;		/* next may give a row as text (linep):
				   1, or 2 a run of rows as one text */
	int lines_cells;	/* ... with its cells */
	const char *linep;	/* the row as its CSV text, or NULL */
	size_t linelen;		/* its length, no line end */
	struct csv_in *csv;
	struct bin_in *bin;
};

struct frame_wthread;

struct pp_writer {
	FILE *fp;
	char *name;
	struct pp_schema schema;
	struct pp_write_opts o;	/* o.meta points at meta below */
	struct pp_meta meta;	/* copy of the caller's metadata */
	struct csv_out *csv;
	struct bin_out *bin;
	struct frame_wthread *th;	/* the writing thread (o.thread), or NULL */
	const struct pp_frame_writer_ops *ops; /* the format */
};

/* How the writing threads write (frame_wthread.c): the writer's backend,
 * so that the threads know no writer and never call back into frame.c.
 * format(arg, row, out, err) appends one row's bytes to out and may run on
 * several threads at once; write(arg, bytes, n, err) writes formatted
 * bytes, in order, on one thread at a time.  A format with state from row
 * to row has no format (NULL): row(arg, row, err) then formats and writes
 * each row, in order.  Each returns 0 or -1. */
struct pp_frame_wthread_fns {
	int (*row)(void *arg, const union pp_cell *row, struct pp_err *err);
	int (*format)(void *arg, const union pp_cell *row, size_t from,
	    struct pp_buf *out, struct pp_err *err);
	int (*write)(void *arg, const char *p, size_t n, struct pp_err *err);
};

/* The writing threads: new starts them for rows of schema s, up to
 * `workers` formatting side by side (one without fns->format; fewer if
 * the system gives fewer; NULL, err set, if none starts); row copies
 * a row in; drain waits until every row handed in is written; close
 * drains and stops them; free stops them (dropping what is unwritten).
 * Each returns the first error, in row order, once a write has failed.
 * The bytes written are the same whatever the number of workers. */
struct frame_wthread *pp_frame_wthread_new(const struct pp_schema *s,
    const struct pp_frame_wthread_fns *fns, void *arg, int workers,
    struct pp_err *err);
int pp_frame_wthread_row(struct frame_wthread *p, const union pp_cell *row,
    struct pp_err *err);
/* A row as its formatted text for columns 0..from-1, no line end, and
 * row[from..ncols) (no text among them) to format after it (fns->format
 * only; row may be NULL when from is ncols). */
int pp_frame_wthread_line(struct frame_wthread *p, const char *line,
    size_t len, const union pp_cell *row, size_t from, struct pp_err *err);
int pp_frame_wthread_drain(struct frame_wthread *p, struct pp_err *err);
int pp_frame_wthread_close(struct frame_wthread *p, struct pp_err *err);
void pp_frame_wthread_free(struct frame_wthread *p);

/*
 * How the CSV reader works, for tests that compare its modes: threads (0:
 * automatic; pp_frame_set_csv_threads), block (bytes per parallel block;
 * 0: the default, and a test's small block also goes parallel on small
 * input and on one processor), slow (libcsv for every line instead of the
 * fast scanner).  Programs never set block or slow.
 */
struct pp_csv_tuning {
	int threads;
	size_t block;
	int slow;
};

extern struct pp_csv_tuning pp_csv_tuning;

/* Threads a CSV reader parses on, and a CSV writer formats on: threads
 * above if set ($PP_CSV_THREADS), else up to 4, no more than the
 * processors. */
int pp_csv_threads(void);

/* The missing value of type t: what a column not read holds. */
void pp_cell_blank(enum pp_type t, union pp_cell *cell);

/* One CSV field as a cell of type t: NULL, or what is wrong with it ("not
 * a number"...).  Text cells point at s. */
const char *pp_csv_cell(enum pp_type t, const char *s, size_t len,
    union pp_cell *cell);

/*
 * Parsing CSV on worker threads (csv_parallel.c).  start takes the bytes already
 * read (from in's buffer, copied) and reads the rest of in itself; next
 * returns the blocks in input order, each parsed as far as its workers
 * could (see csv_parallel.c), and releases the one it returned before; NULL at
 * the end, or after a read error (*ioerr set, else 0).  start returns NULL
 * when no thread could be started.  skip (ncols flags, copied; NULL for
 * none) names the columns whose fields are not converted but blanked.
 */
/* A row kept as text: its line in the block, the line end left out. */
struct pp_csvkept {
	size_t off;
	size_t len;		/* 0: not kept, the row's cells are filled */
};

struct pp_csvblock {
	const unsigned char *buf;	/* the block's bytes */
	size_t len;			/* ends after a '\n' unless last */
	const union pp_cell *cells;	/* nrows rows of ncols cells */
	const struct pp_csvkept *kept;	/* nrows, or NULL: none kept */
	const size_t *lines;		/* each row's line, 0-based, in buf */
	size_t nrows;
	size_t rest;		/* first byte not parsed (len: none left) */
	size_t rest_line;	/* lines before rest */
	size_t nlines;		/* lines in the block */
};

struct pp_csv_parallel;

/* skip (columns left blank, not converted) holds for rows split into
 * cells; a row kept as text (keep_lines) has every field checked, and
 * converted on demand.  Callers ask for one or the other: pp-eval skips
 * columns, pp cat and pp-predict keep lines. */
struct pp_csv_parallel *pp_csv_parallel_start(struct pp_inbuf *in,
    const unsigned char *head, size_t nhead, const struct pp_schema *s,
    const unsigned char *skip, unsigned char delim, size_t block,
    int threads, int keep_lines);
/* A kept row's cells (its fields fit their types: 0). */
int pp_csv_parallel_split(const struct pp_csv_parallel *p,
    const unsigned char *s, size_t len, union pp_cell *cells);
/* 1 if s[0..len) is exactly what the CSV writer writes, with delimiter
 * delim, for the value it reads as in a column of type t. */
int pp_csv_canonical(enum pp_type t, const char *s, size_t len, char delim);
/* The same for s that pp_csv_cell read into *cell, without reading it
 * again. */
int pp_csv_cell_canonical(enum pp_type t, const char *s, size_t len,
    char delim, const union pp_cell *cell);
const struct pp_csvblock *pp_csv_parallel_next(struct pp_csv_parallel *p, int *ioerr);
void pp_csv_parallel_free(struct pp_csv_parallel *p);

/* The binary magic, also used for detection. */
extern const unsigned char pp_bin_magic[8];

/*
 * A frame format, as the reader and writer entry points see it (SQLite's
 * sqlite3_io_methods): frame.c knows the backends only through these
 * tables.
 *
 * Reader: sniff(p, n) says whether the stream's first n bytes (at least
 * PP_SNIFF_BYTES unless the stream is shorter) are this format; open reads
 * the header from r->in and fills r->schema (and r->meta); next fills
 * r->row and returns 1/0/-1 like pp_reader_next, setting r->fatal or
 * r->can_skip on error; free releases the backend's state (safe after a
 * failed open).
 *
 * Writer: start writes the header of w->schema; row takes one row; flush
 * writes out what is buffered (a chunk); finish flushes and writes any
 * trailer; free releases the state (safe after a failed start).
 */
#define PP_SNIFF_BYTES 8

struct pp_frame_reader_ops {
	enum pp_format format;
	int (*sniff)(const unsigned char *p, size_t n);
	int (*open)(struct pp_reader *r, const struct pp_read_opts *o,
	    struct pp_err *err);
	int (*next)(struct pp_reader *r, struct pp_err *err);
	void (*free)(struct pp_reader *r);
	/* Optional (CSV): from now on next may set r->linep (besides
	 * r->row with cells, else instead) when r->give_lines; 0 if it
	 * cannot. */
	int (*keep_lines)(struct pp_reader *r, int cells);
};

struct pp_frame_writer_ops {
	enum pp_format format;
	int (*start)(struct pp_writer *w, struct pp_err *err);
	int (*row)(struct pp_writer *w, const union pp_cell *row,
	    struct pp_err *err);
	int (*flush)(struct pp_writer *w, struct pp_err *err);
	int (*finish)(struct pp_writer *w, struct pp_err *err);
	void (*free)(struct pp_writer *w);
	/* Rows formatted apart from writing, on several threads at once
	 * (frame_wthread.c); NULL when a row depends on the rows before.
	 * Columns from `from` on, after the text of those before (a
	 * delimiter first when from > 0), and the line end. */
	int (*format_row)(const struct pp_writer *w, const union pp_cell *row,
	    size_t from, struct pp_buf *out, struct pp_err *err);
	int (*write_bytes)(struct pp_writer *w, const char *p, size_t n,
	    struct pp_err *err);
};

extern const struct pp_frame_reader_ops pp_csv_reader_ops, pp_bin_reader_ops;
extern const struct pp_frame_writer_ops pp_csv_writer_ops, pp_bin_writer_ops;

/* Write n bytes or fail with "NAME: write error: ...". */
int pp_frame_fwrite(struct pp_writer *w, const void *p, size_t n,
    struct pp_err *err);

#endif
