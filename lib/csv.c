/*
 * csv.c - the CSV backend of frame.c: RFC 4180 through libcsv.
 *
 * Reading.  libcsv is a push parser: we hand it bytes and it calls back once
 * per field and once per row.  We feed it one physical line at a time, so
 * when a row ends we know which line it started on, for messages.  Fields
 * are copied into an arena (fields of rows not yet handed out), and rows
 * queue up as (first field, count, line); the queue is normally one row
 * long, except while the first infer_rows rows are held back to infer the
 * column types (see frame.h).  When the queue drains the arena is reset, so
 * memory is bounded by the widest row, not by the input.
 *
 * libcsv runs in strict mode (a stray quote is an error) and with no space
 * trimming: "a, b" keeps its space, as RFC 4180 says.  Empty lines are
 * skipped.  A UTF-8 byte order mark at the start is skipped.
 *
 * The unquoted fast path.  libcsv walks every byte through its state
 * machine, which caps parsing near 150 MB/s; a frame of full-precision
 * features is 250 bytes a row.  But a line that holds no quote and no
 * carriage return (other than a final CRLF), met while libcsv is between
 * rows, has exactly one reading under RFC 4180: its fields are the runs
 * between delimiters.  Such lines are split with memchr and handed to the
 * same callbacks; every other line, and every line while libcsv is inside
 * a row (a quoted field running over a newline), goes through libcsv,
 * which stays the definition of CSV here.  test_frame checks the two paths
 * agree on random input (PP_TEST_CSV_SLOW=1 turns the fast path off).
 *
 * Threads.  Once the types are settled, the rest of a regular file bigger
 * than the input buffer is parsed in blocks by worker threads (csv_parallel.c):
 * a worker takes fast-path lines whose fields all fit, and from its first
 * other line the rest of the block comes back here, to feed_bytes, so the
 * ordinary path still decides every hard case (PP_TEST_CSV_SERIAL=1 keeps
 * one thread; test_csv_parallel checks the two agree).
 *
 * Writing.  Every value is formatted by one function per type (num.c,
 * date.c); a text field is quoted (by libcsv) only when it must be: it holds
 * the delimiter, a quote, CR or LF, or starts or ends with a space.  Lines
 * end in LF.  Output is buffered in 64 KiB blocks.
 */
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cpus.h"
#include "date.h"
#include "frame_impl.h"
#include "num.h"
#include "sniff.h"
#include "util.h"
#include "banned.h"

struct field {
	size_t off;		/* into arena */
	size_t len;
};

struct qrow {
	size_t first;		/* index into fields */
	size_t n;		/* number of fields */
	long line;		/* line the row starts on */
};

struct csv_in {
	struct csv_parser p;
	struct pp_buf arena;	/* field bytes, each NUL-terminated */
	struct field *fields;
	size_t nfields, capfields;
	size_t row_first;	/* first field of the row being parsed */
	long row_line;		/* line that row started on, 0 if none yet */
	struct qrow *q;		/* completed rows not yet handed out */
	size_t qhead, qlen, qcap;
	long lineno;		/* physical line being fed */
	int done;		/* input and csv_fini finished */
	int header_done;
	int at_start;		/* libcsv is between rows: fast path allowed */
	unsigned long rows_ended; /* on_row calls so far */
	int fast;		/* the fast path is enabled */
	unsigned char delim;
	int types_known;	/* open is done */
	int par_tried;		/* maybe_start_par ran */
	struct pp_csv_parallel *par;	/* worker threads, or NULL */
	int keep_lines;		/* the caller takes rows as text: 1, or
				   2 with their cells */
	const struct pp_csvblock *blk;	/* the block being handed out */
	size_t brow;		/* its next row */
	size_t bpos;		/* its next byte for feed_bytes */
	long base;		/* lines before it */
};

/* Parallel parsing (csv_parallel.c): bytes a block aims for, most threads. */
#define CSV_PAR_BLOCK (256 * 1024)
#define CSV_PAR_THREADS 4

static void
on_field(void *s, size_t len, void *data)
{
	struct csv_in *c = data;
	struct pp_buf *a = &c->arena;
	struct field *f;

	/* Called for every field of the input: the common case is two
	 * capacity checks and one copy. */
	if (c->row_first == c->nfields && c->row_line == 0) {
		/* The field ends on this line; a quoted one began as many
		 * lines earlier as it holds newlines. */
		const char *q = s, *end = q + len;
		long back = 0;

		while (q != NULL && q < end &&
		    (q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
			back++;
			q++;
		}
		c->row_line = c->lineno - back;
	}
	c->at_start = 0;
	if (c->nfields == c->capfields)
		pp_xgrow((void **)&c->fields, &c->capfields, c->nfields + 1,
		    sizeof(*c->fields));
	f = &c->fields[c->nfields++];
	f->off = a->len;
	f->len = len;
	if (a->len + len + 2 > a->cap)
		pp_buf_grow(a, len + 1);
	if (len)
		memcpy(a->data + a->len, s, len);
	a->data[a->len + len] = '\0';
	a->len += len + 1;
	a->data[a->len] = '\0';	/* the pp_buf invariant */
}

static void
on_row(int term, void *data)
{
	struct csv_in *c = data;
	struct qrow *q;

	(void)term;
	c->at_start = 1;
	pp_xgrow((void **)&c->q, &c->qcap, c->qhead + c->qlen + 1,
	    sizeof(*c->q));
	q = &c->q[c->qhead + c->qlen++];
	q->first = c->row_first;
	q->n = c->nfields - c->row_first;
	q->line = c->row_line ? c->row_line : c->lineno;
	c->row_first = c->nfields;
	c->row_line = 0;
	c->rows_ended++;
}

static int
no_space(unsigned char ch)
{
	(void)ch;
	return 0;
}

/*
 * Hand one physical line s[0..n) to libcsv; returns the bytes it took.
 * libcsv also ends a record at a bare CR (old Mac line endings), and one
 * such "line" then holds many records.  So that messages name the right
 * line, a bare CR that ends a record counts as a line end: the line is fed
 * in pieces, each up to a bare CR, and lineno moves on when a piece ended a
 * record.  Lines without a bare CR are one call.
 */
static size_t
parse_line(struct csv_in *c, const unsigned char *s, size_t n)
{
	size_t done = 0;

	for (;;) {
		const unsigned char *cr = memchr(s + done, '\r', n - done);
		size_t k, got;
		unsigned long rows;

		if (cr == NULL || (cr + 1 < s + n && cr[1] == '\n'))
			return done + csv_parse(&c->p, s + done, n - done,
			    on_field, on_row, c);
		k = (size_t)(cr - (s + done)) + 1;
		rows = c->rows_ended;
		got = csv_parse(&c->p, s + done, k, on_field, on_row, c);
		done += got;
		if (got != k || done == n)
			return done;
		if (c->rows_ended != rows)
			c->lineno++;
	}
}

/* Does s[0..n) hold a CR other than one ending it ("\r" or "\r\n")? */
static int
interior_cr(const unsigned char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\n')
		n--;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	return memchr(s, '\r', n) != NULL;
}

/* Split an unquoted line (see the top of the file).  Returns 1 if it was
 * handled (a row, or a blank line skipped as libcsv skips it), 0 if it
 * must go through libcsv. */
static int
split_line(struct csv_in *c, const unsigned char *s, size_t n)
{
	const unsigned char *end, *d;
	size_t len = n;

	if (interior_cr(s, n))
		return 0;
	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (memchr(s, '"', len) != NULL)
		return 0;
	if (len == 0)
		return 1;
	end = s + len;
	while ((d = memchr(s, c->delim, (size_t)(end - s))) != NULL) {
		on_field((void *)s, (size_t)(d - s), c);
		s = d + 1;
	}
	on_field((void *)s, (size_t)(end - s), c);
	on_row(0, c);
	return 1;
}

/* Feed one physical line s[0..n) to libcsv (or the fast path): n counts
 * its '\n', which only the input's last line may lack (last: nothing
 * follows; n may be 0).  Returns 1, or -1 on error (fatal). */
static int
feed_bytes(struct pp_reader *r, const unsigned char *s, size_t n, int last,
    struct pp_err *err)
{
	struct csv_in *c = r->csv;

	c->lineno++;
	/* libcsv asks the space function about every byte of an unquoted
	 * field (to trim).  We trim nothing, so it says no; but on a line
	 * with no space or tab, where nothing could be trimmed anyway,
	 * libcsv's inline default does the same work without a call. */
	if (c->fast && c->at_start && split_line(c, s, n)) {
		if (last)
			c->done = 1;
		return 1;
	}
	csv_set_space_func(&c->p, memchr(s, ' ', n) || memchr(s, '\t', n) ?
	    no_space : NULL);
	c->at_start = 0;	/* until libcsv ends a row in this line */
	if (n > 0 && parse_line(c, s, n) != n) {
		r->fatal = 1;
		r->line = c->row_line ? c->row_line : c->lineno;
		return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: %s", r->name,
		    r->line, csv_error(&c->p) == CSV_EPARSE ?
		    "malformed CSV (a quote inside an unquoted field, or "
		    "text after a closing quote)" :
		    csv_strerror(csv_error(&c->p)));
	}
	/* A row that ended at the line's final newline leaves libcsv between
	 * rows.  With a carriage return inside the line a row may have ended
	 * there and another begun (a quoted field left open) without a
	 * callback saying so: stay on libcsv until a clean line ends a row. */
	if (interior_cr(s, n))
		c->at_start = 0;
	if (last) {
		c->done = 1;
		if (csv_fini(&c->p, on_field, on_row, c) != 0) {
			r->fatal = 1;
			r->line = c->row_line ? c->row_line : c->lineno;
			return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: unterminated "
			    "quoted field at end of input", r->name, r->line);
		}
	}
	return 1;
}

/* Feed the next physical line (or the tail at EOF) from the input buffer.
 * Returns 1 if something was fed, 0 at the end, -1 on error (fatal). */
static int
feed_line(struct pp_reader *r, struct pp_err *err)
{
	struct csv_in *c = r->csv;
	struct pp_inbuf *in = &r->in;
	unsigned char *nl, *s;
	size_t n, scanned = 0;

	if (c->done)
		return 0;
	if (in->ioerr) {
		r->fatal = 1;
		return pp_inbuf_error(in, in->ioerr, r->name, err);
	}
	for (;;) {
		size_t avail = in->len - in->pos;

		nl = memchr(in->buf + in->pos + scanned, '\n', avail - scanned);
		if (nl != NULL || in->eof)
			break;
		scanned = avail;
		if (pp_inbuf_fill(in, avail + 1) == -1) {
			r->fatal = 1;
			return pp_inbuf_error(in, in->ioerr, r->name, err);
		}
	}
	s = in->buf + in->pos;
	n = nl ? (size_t)(nl - s) + 1 : in->len - in->pos;
	in->pos += n;
	return feed_bytes(r, s, n, nl == NULL, err);
}

/*
 * Blocks parsed on worker threads (csv_parallel.c).  Rows the workers
 * parsed are handed out from the block; from b->rest on, the block's lines
 * go through feed_bytes like any others.  The ordinary path counts lines
 * in lineno; a block's rows count from line base.
 */

struct pp_csv_tuning pp_csv_tuning;

void
pp_frame_set_csv_threads(int n)
{
	pp_csv_tuning.threads = n > 0 ? n : 0;
}

int
pp_frame_csv_threads(void)
{
	return pp_csv_threads();
}

int
pp_csv_threads(void)
{
	long ncpu = pp_cpus_available();

	if (pp_csv_tuning.threads > 0)
		return pp_csv_tuning.threads;
	return ncpu < 1 ? 1 : ncpu < CSV_PAR_THREADS ? (int)ncpu :
	    CSV_PAR_THREADS;
}

/* Go parallel if this is the moment: the types are known, nothing is
 * queued or half parsed, and a regular file has more to read than the
 * buffer holds. */
static void
maybe_start_par(struct pp_reader *r)
{
	struct csv_in *c = r->csv;
	struct pp_inbuf *in = &r->in;
	size_t block = CSV_PAR_BLOCK;
	int threads = pp_csv_threads();
	int small = in->eof;	/* the rest is in the buffer already */

	c->par_tried = 1;
	if (pp_csv_tuning.block > 0) {
		/* Tests: tiny blocks, even on one CPU and for small input. */
		block = pp_csv_tuning.block;
		threads = threads < 2 && pp_csv_tuning.threads != 1 ? 2 :
		    threads;
		small = 0;
	}
	if (!c->fast || threads < 2 || small || in->live || in->ioerr ||
	    !c->at_start || c->done ||
	    c->row_first != c->nfields)
		return;
	c->par = pp_csv_parallel_start(in, in->buf + in->pos, in->len - in->pos,
	    &r->schema, r->skip, c->delim, block, threads, c->keep_lines);
	if (c->par != NULL) {
		in->pos = in->len;
		c->base = c->lineno;
	}
}

/* One step in parallel mode: 2 if a block row is ready (c->blk, c->brow),
 * 1 if a line went through feed_bytes, 0 at the end, -1 on error. */
static int
par_step(struct pp_reader *r, struct pp_err *err)
{
	struct csv_in *c = r->csv;
	const struct pp_csvblock *b = c->blk;
	int ioerr;

	if (c->done)
		return 0;
	if (b != NULL && c->brow < b->nrows)
		return 2;
	if (b != NULL && c->bpos < b->len) {
		const unsigned char *s = b->buf + c->bpos;
		const unsigned char *nl = memchr(s, '\n', b->len - c->bpos);
		size_t n = nl ? (size_t)(nl - s) + 1 : b->len - c->bpos;

		if (c->bpos == b->rest)
			c->lineno = c->base + (long)b->rest_line;
		c->bpos += n;
		return feed_bytes(r, s, n, nl == NULL, err);
	}
	if (b != NULL)
		c->base = b->rest < b->len ? c->lineno : c->base +
		    (long)b->nlines;
	c->lineno = c->base;
	c->blk = b = pp_csv_parallel_next(c->par, &ioerr);
	if (b != NULL) {
		c->brow = 0;
		c->bpos = b->rest;
		return 1;
	}
	if (ioerr) {
		r->fatal = 1;
		return pp_inbuf_error(&r->in, ioerr, r->name, err);
	}
	/* The input ended after a '\n' or in a line a worker took: tell
	 * libcsv as feed_line does, with an empty last line. */
	return feed_bytes(r, (const unsigned char *)"", 0, 1, err);
}

/* Make sure a completed row is ready: 1 if one is queued, 2 if a block
 * row is (see par_step), 0 at the end, -1 on error. */
static int
want_row(struct pp_reader *r, struct pp_err *err)
{
	struct csv_in *c = r->csv;

	while (c->qlen == 0) {
		int rc;

		/* Nothing queued: reclaim the arena unless a row is half read. */
		if (c->row_first == c->nfields) {
			pp_buf_reset(&c->arena);
			c->nfields = c->row_first = 0;
			c->qhead = 0;
		}
		if (c->types_known && !c->par_tried)
			maybe_start_par(r);
		rc = c->par != NULL ? par_step(r, err) : feed_line(r, err);
		if (rc != 1)
			return rc;
	}
	return 1;
}

static struct qrow *
pop_row(struct csv_in *c)
{
	struct qrow *q = &c->q[c->qhead++];

	c->qlen--;
	return q;
}

static const char *
field_text(const struct csv_in *c, size_t i)
{
	return c->arena.data + c->fields[i].off;
}

/* A CSV date is "YYYY-MM-DD" only: pp_date_parse also takes the compact
 * "YYYYMMDD", which would make a column of eight-digit numbers (volumes,
 * ids) look like dates. */
static int
parse_date(const char *s, size_t len, int64_t *days)
{
	return len == 10 ? pp_date_parse(s, len, days) : -1;
}

/* Does a non-missing field fit a type?  Used for inference. */
static int
fits(const char *s, size_t len, enum pp_type t)
{
	union pp_cell cell;

	return pp_csv_cell(t, s, len, &cell) == NULL;
}

/* A column name is quoted in one-line messages: no C0 control bytes
 * (NUL, tab, CR, LF, ESC...) and no DEL. */
static int
has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

static int
read_header(struct pp_reader *r, struct pp_err *err)
{
	struct csv_in *c = r->csv;
	struct qrow *q;
	size_t i, bad;
	int all_numbers = 1;

	switch (want_row(r, err)) {
	case -1:
		return -1;
	case 0:
		r->fatal = 1;
		return pp_err_set(err, PP_EXIT_DATA, "%s: empty input: no "
		    "header row", r->name);
	}
	q = pop_row(c);
	r->line = q->line;
	for (i = 0; i < q->n; i++) {
		const char *name = field_text(c, q->first + i);
		size_t len = c->fields[q->first + i].len;
		double d;

		if (!pp_utf8_valid(name, len, &bad)) {
			r->fatal = 1;
			return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: header: "
			    "invalid UTF-8 in column %zu", r->name, q->line,
			    i + 1);
		}
		if (has_control(name, len)) {
			r->fatal = 1;
			return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: header: "
			    "control character in column %zu", r->name, q->line,
			    i + 1);
		}
		if (len == 0 || pp_parse_double(name, len, &d) != 0)
			all_numbers = 0;
		if (pp_schema_add(&r->schema, name, PP_T_F64, err) == -1) {
			r->fatal = 1;
			return pp_err_prefix(err, "%s:%ld: header", r->name,
			    q->line);
		}
	}
	if (all_numbers) {
		r->fatal = 1;
		return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: missing header "
		    "row (the first row is all numbers)", r->name, q->line);
	}
	return 0;
}

/* Look at up to n rows ahead and settle each column's type. */
static int
infer_types(struct pp_reader *r, size_t n, const char *text_col,
    int datetime_text, struct pp_err *err)
{
	static const enum pp_type order[] = { PP_T_DATE, PP_T_DATETIME,
		PP_T_F64 };
	struct csv_in *c = r->csv;
	size_t ncols = r->schema.ncols, j, k, row;
	unsigned *ok = pp_xcalloc(ncols, sizeof(*ok));	/* bit per type */
	int *seen = pp_xcalloc(ncols, sizeof(*seen));

	/* Queue rows (without consuming them) until n or the end.  A live
	 * feed (a pipe) is not waited on: once a row is here, the rows
	 * already received decide, so the first row comes out at once. */
	while (c->qlen < n) {
		int rc;

		if (r->in.live && c->qlen > 0 && memchr(r->in.buf + r->in.pos,
		    '\n', r->in.len - r->in.pos) == NULL)
			break;
		rc = feed_line(r, err);

		if (rc == -1) {
			free(ok);
			free(seen);
			return -1;
		}
		if (rc == 0)
			break;
	}
	for (j = 0; j < ncols; j++)
		ok[j] = 7;
	for (row = 0; row < c->qlen; row++) {
		const struct qrow *q = &c->q[c->qhead + row];

		if (q->n != ncols)
			continue;	/* reported when the row is read */
		for (j = 0; j < ncols; j++) {
			const char *s = field_text(c, q->first + j);
			size_t len = c->fields[q->first + j].len;

			if (pp_is_missing(s, len))
				continue;
			seen[j] = 1;
			for (k = 0; k < PP_ARRAY_SIZE(order); k++)
				if ((ok[j] & (1u << k)) && !fits(s, len,
				    order[k]))
					ok[j] &= ~(1u << k);
		}
	}
	for (j = 0; j < ncols; j++) {
		enum pp_type t = PP_T_TEXT;

		const char *name = r->schema.cols[j].name;

		/* A symbol is text whatever it looks like: 000001 (Shenzhen)
		 * or 600000 (Shanghai) read as numbers lost their zeros and
		 * were refused as symbols. */
		if (strcasecmp(name, "symbol") == 0 ||
		    strcasecmp(name, "ticker") == 0 ||
		    (text_col != NULL && strcmp(name, text_col) == 0))
			t = PP_T_TEXT;
		else if (!seen[j])
			t = PP_T_F64;
		else
			for (k = 0; k < PP_ARRAY_SIZE(order); k++)
				if (ok[j] & (1u << k)) {
					t = order[k];
					break;
				}
		if (t == PP_T_DATETIME && datetime_text)
			t = PP_T_TEXT;
		r->schema.cols[j].type = t;
	}
	free(ok);
	free(seen);
	return 0;
}

static int
csv_reader_open(struct pp_reader *r, const struct pp_read_opts *o,
    struct pp_err *err)
{
	struct csv_in *c;
	const char *what;

	/* CSV takes what no other format claimed, but not what is plainly
	 * something else: name that instead of a strange header. */
	if ((what = pp_sniff_not_csv(r->in.buf + r->in.pos, r->in.len -
	    r->in.pos)) != NULL)
		return pp_err_set(err, PP_EXIT_DATA, "%s: %s, not CSV or a "
		    "binary frame", r->name, what);
	c = pp_xcalloc(1, sizeof(*c));
	r->csv = c;
	if (csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		r->fatal = 1;
		return pp_err_set(err, PP_EXIT_DATA, "%s: cannot start the CSV "
		    "parser", r->name);
	}
	csv_set_delim(&c->p, (unsigned char)o->delim);
	c->delim = (unsigned char)o->delim;
	c->at_start = 1;
	c->fast = !pp_csv_tuning.slow;
	csv_set_space_func(&c->p, no_space);
	pp_buf_init(&c->arena);
	if (pp_inbuf_fill(&r->in, 3) >= 3 &&
	    memcmp(r->in.buf + r->in.pos, "\xef\xbb\xbf", 3) == 0)
		r->in.pos += 3;		/* a UTF-8 byte order mark */
	if (read_header(r, err) == -1 ||
	    infer_types(r, o->infer_rows ? o->infer_rows : 1, o->text_col,
	    o->datetime_text, err) == -1)
		return -1;
	c->types_known = 1;
	r->untyped = c->qlen == 0 && c->done;
	return 0;
}

static int
bad_cell(struct pp_reader *r, size_t j, const char *what, struct pp_err *err)
{
	r->can_skip = 1;
	return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: column \"%s\": %s",
	    r->name, r->line, r->schema.cols[j].name, what);
}

const char *
pp_csv_cell(enum pp_type t, const char *s, size_t len, union pp_cell *cell)
{
	switch (t) {
	case PP_T_F64:
		if (pp_parse_double(s, len, &cell->f) == -1)
			return "not a number";
		break;
	case PP_T_I64:
		if (pp_is_missing(s, len))
			cell->i = PP_I64_MISSING;
		else if (pp_parse_int64(s, len, &cell->i) == -1)
			return "not an integer";
		break;
	case PP_T_DATE:
		if (pp_is_missing(s, len))
			cell->i = PP_I64_MISSING;
		else if (parse_date(s, len, &cell->i) == -1)
			return "not a date (want YYYY-MM-DD)";
		break;
	case PP_T_DATETIME:
		if (pp_is_missing(s, len))
			cell->i = PP_I64_MISSING;
		else if (pp_datetime_parse(s, len, &cell->i) == -1)
			return "not an ISO 8601 date-time";
		break;
	case PP_T_TEXT:
		if (!pp_utf8_valid(s, len, NULL))
			return "invalid UTF-8";
		cell->s.p = s;
		cell->s.len = len;
		break;
	}
	return NULL;
}

static int
csv_reader_next(struct pp_reader *r, struct pp_err *err)
{
	struct csv_in *c = r->csv;
	struct qrow *q;
	size_t j, ncols = r->schema.ncols;
	int rc;

	rc = want_row(r, err);
	if (rc == 2) {
		const struct pp_csvkept *k = c->blk->kept ?
		    &c->blk->kept[c->brow] : NULL;

		if (k == NULL || k->len == 0 || c->keep_lines == 2)
			memcpy(r->row, c->blk->cells + c->brow * ncols,
			    ncols * sizeof(*r->row));
		else if (!r->give_lines)
			(void)pp_csv_parallel_split(c->par, c->blk->buf +
			    k->off, k->len, r->row);
		r->line = c->base + (long)c->blk->lines[c->brow] + 1;
		if (k != NULL && k->len > 0 && r->give_lines) {
			size_t end = k->off + k->len;

			r->linep = (const char *)c->blk->buf + k->off;
			/* 2: the next kept rows too, while only a '\n' lies
			 * between them (no CR, no blank line) */
			while (r->give_lines == 2 && c->keep_lines == 1 &&
			    c->brow + 1 < c->blk->nrows && k[1].len > 0 &&
			    k[1].off == end + 1) {
				k++;
				c->brow++;
				end = k->off + k->len;
			}
			r->linelen = end - (size_t)(r->linep -
			    (const char *)c->blk->buf);
		}
		c->brow++;
		return 1;
	}
	if (rc != 1)
		return rc;
	q = pop_row(c);
	r->line = q->line;
	if (q->n != ncols) {
		r->can_skip = 1;
		return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: expected %zu "
		    "fields, found %zu", r->name, r->line, ncols, q->n);
	}
	for (j = 0; j < ncols; j++) {
		const char *what;

		if (r->skip != NULL && r->skip[j])
			continue;	/* keeps its blank (pp_reader_only) */
		what = pp_csv_cell(r->schema.cols[j].type,
		    field_text(c, q->first + j), c->fields[q->first + j].len,
		    &r->row[j]);
		if (what != NULL)
			return bad_cell(r, j, what, err);
	}
	return 1;
}

/* Rows may come as text from now on, if the blocks have not started. */
static int
csv_reader_keep_lines(struct pp_reader *r, int cells)
{
	struct csv_in *c = r->csv;

	if (c->par_tried)
		return 0;
	c->keep_lines = cells ? 2 : 1;
	return 1;
}

static void
csv_reader_free(struct pp_reader *r)
{
	struct csv_in *c = r->csv;

	if (c == NULL)
		return;
	pp_csv_parallel_free(c->par);
	csv_free(&c->p);
	pp_buf_release(&c->arena);
	free(c->fields);
	free(c->q);
	free(c);
	r->csv = NULL;
}

/* ---- writing ---- */

#define OUT_BLOCK (64 * 1024)

struct csv_out {
	struct pp_buf out;
	int scan_numbers;	/* the delimiter may occur in a formatted
				   number or date, which must then be
				   quoted */
	/* ncols: whether the column's last number had at most 15 digits
	 * (pp_fmt_double_hint).  Formatting threads share it: relaxed
	 * atomics, as it is only a hint. */
	_Atomic unsigned char *shortish;
};

/* Whether delim can occur in the text of a number, a date or a date-time
 * (digits, signs, '.', exponents, inf, 'T', ':', ' ', 'Z', offsets).  The
 * usual delimiters cannot, and then no such cell needs a look: that look
 * was a tenth of the time a CSV writer took. */
static int
delim_in_numbers(char delim)
{
	return !(delim == ',' || delim == ';' || delim == '\t' ||
	    delim == '|');
}

_Static_assert(PP_DATE_BUFSZ >= PP_DBL_BUFSZ, "csv_format's room per cell");

/* Days of 0001-01-01 and 9999-12-31: a date outside has no CSV text. */
#define DAY_MIN (-719162)
#define DAY_MAX 2932896
#define USEC_PER_DAY INT64_C(86400000000)

/* Refuse a row with a date outside 0001..9999 rather than write text that
 * reads back as something else; what was added of the row is taken back. */
static int
out_of_range(const struct pp_writer *w, struct pp_buf *b, size_t j,
    size_t start, struct pp_err *err)
{
	pp_buf_setlen(b, start);
	return pp_err_set(err, PP_EXIT_DATA, "%s: column \"%s\": %s outside "
	    "years 0001 to 9999", w->name, w->schema.cols[j].name,
	    w->schema.cols[j].type == PP_T_DATE ? "date" : "date-time");
}

/* Text is quoted when it must be, and when it starts or ends with a
 * space or starts with a byte order mark, which readers strip. */
static int
needs_quotes(const char *s, size_t len, char delim)
{
	size_t i;
	int quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ' ||
	    (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0));

	for (i = 0; i < len && !quote; i++) {
		char ch = s[i];

		if (ch == delim || ch == '"' || ch == '\n' || ch == '\r')
			quote = 1;
	}
	return quote;
}

static void
add_text(struct pp_buf *b, const char *s, size_t len, char delim)
{
	if (!needs_quotes(s, len, delim)) {
		pp_buf_add(b, s, len);
		return;
	}
	/* Quoted: at most two bytes per input byte, plus the two quotes. */
	pp_buf_grow(b, 2 * len + 2);
	pp_buf_setlen(b, b->len + csv_write(b->data + b->len, 2 * len + 2,
	    s, len));
}

/* An int64 as pp_fmt_int64 writes it: "0", or an optional '-' and up to
 * 18 digits without a leading zero (so never INT64_MIN, the missing
 * value, nor past the range). */
static int
int64_canonical(const char *s, size_t len)
{
	size_t i = len > 0 && s[0] == '-';

	if (len == 1 && s[0] == '0')
		return 1;
	if (len - i < 1 || len - i > 18 || s[i] == '0')
		return 0;
	for (; i < len; i++)
		if ((unsigned char)(s[i] - '0') >= 10)
			return 0;
	return 1;
}

/*
 * Does csv_format write s[0..len) back as it is, for the value
 * pp_csv_cell reads from it in a column of type t?  Empty text is a
 * missing value, written empty, in every type.  Numbers: num.c's proof
 * (pp_fmt_double_canonical); they hold no delim, having been split at it,
 * so quote_delim leaves them alone.  A date that parses is YYYY-MM-DD
 * with a year 0001-9999, which pp_date_fmt writes digit for digit.  Text:
 * valid UTF-8 that add_text would not quote.  Date-times: never (their
 * spellings are many).
 */
int
pp_csv_canonical(enum pp_type t, const char *s, size_t len, char delim)
{
	int64_t day;

	if (len == 0)
		return 1;
	switch (t) {
	case PP_T_F64:
		return pp_fmt_double_canonical(s, len);
	case PP_T_I64:
		return int64_canonical(s, len);
	case PP_T_DATE:
		return parse_date(s, len, &day) == 0;
	case PP_T_TEXT:
		return pp_utf8_valid(s, len, NULL) &&
		    !needs_quotes(s, len, delim);
	case PP_T_DATETIME:
		break;
	}
	return 0;
}

int
pp_csv_cell_canonical(enum pp_type t, const char *s, size_t len, char delim,
    const union pp_cell *cell)
{
	if (len == 0)
		return 1;
	switch (t) {
	case PP_T_DATE:		/* read as a date, not as missing */
		return cell->i != PP_I64_MISSING;
	case PP_T_TEXT:		/* valid UTF-8 already */
		return !needs_quotes(s, len, delim);
	default:
		return pp_csv_canonical(t, s, len, delim);
	}
}

/* A number or date just written at b->data[from..len) is quoted if it
 * holds the delimiter (-d . and 2.5, -d - and -3, -d e and 1e+20), which
 * would split it; it holds no quote, CR or LF. */
static void
quote_delim(struct pp_buf *b, size_t from, char delim)
{
	size_t n = b->len - from;

	if (memchr(b->data + from, delim, n) == NULL)
		return;
	pp_buf_grow(b, 2);
	memmove(b->data + from + 1, b->data + from, n);
	b->data[from] = '"';
	b->data[from + n + 1] = '"';
	pp_buf_setlen(b, b->len + 2);
}

static int csv_writer_flush(struct pp_writer *w, struct pp_err *err);

static int
csv_writer_start(struct pp_writer *w, struct pp_err *err)
{
	struct csv_out *c = pp_xcalloc(1, sizeof(*c));
	size_t j;

	w->csv = c;
	c->scan_numbers = delim_in_numbers(w->o.delim);
	c->shortish = pp_xcalloc(w->schema.ncols + 1, sizeof(*c->shortish));
	for (j = 0; j < w->schema.ncols; j++)
		atomic_init(&c->shortish[j], 1);
	pp_buf_init(&c->out);
	for (j = 0; j < w->schema.ncols; j++) {
		const char *name = w->schema.cols[j].name;

		if (j > 0)
			pp_buf_addc(&c->out, w->o.delim);
		add_text(&c->out, name, strlen(name), w->o.delim);
	}
	pp_buf_addc(&c->out, '\n');
	(void)err;
	return 0;
}

/* Append one row's text to b, from column col0 on (the text before it
 * is there already: pp_writer_line).  It reads w and writes only b, so
 * the writing threads (frame_wthread.c) format batches side by side. */
static int
csv_format(const struct pp_writer *w, const union pp_cell *row, size_t col0,
    struct pp_buf *b, struct pp_err *err)
{
	size_t j, ncols = w->schema.ncols, start = b->len;
	int scan = w->csv->scan_numbers;
	char delim = w->o.delim;

	for (j = col0; j < ncols; j++) {
		const union pp_cell *cell = &row[j];
		enum pp_type t = w->schema.cols[j].type;
		size_t from;
		char *p;

		if (t == PP_T_TEXT) {
			if (j > 0)
				pp_buf_addc(b, delim);
			add_text(b, cell->s.p, cell->s.len, delim);
			continue;
		}
		/* A delimiter and at most PP_DATE_BUFSZ bytes, written in
		 * place: a call per byte and per cell to grow and set the
		 * length cost a third of formatting a full-precision number. */
		if (b->cap < b->len + PP_DATE_BUFSZ + 2)
			pp_buf_grow(b, PP_DATE_BUFSZ + 1);
		p = b->data + b->len;
		if (j > 0)
			*p++ = delim;
		from = (size_t)(p - b->data);
		switch (t) {
		case PP_T_F64:
			if (w->o.precision > 0) {
				p += pp_fmt_double_sig(p, cell->f,
				    w->o.precision);
			} else {
				_Atomic unsigned char *h = &w->csv->shortish[j];
				int sh = atomic_load_explicit(h,
				    memory_order_relaxed);
				int was = sh;

				p += pp_fmt_double_hint(p, cell->f, &sh);
				if (sh != was)
					atomic_store_explicit(h,
					    (unsigned char)sh,
					    memory_order_relaxed);
			}
			break;
		case PP_T_I64:
			if (cell->i != PP_I64_MISSING)
				p += pp_fmt_int64(p, cell->i);
			break;
		case PP_T_DATE:
			if (cell->i == PP_I64_MISSING)
				break;
			if (cell->i < DAY_MIN || cell->i > DAY_MAX)
				return out_of_range(w, b, j, start, err);
			p += pp_date_fmt(p, cell->i);
			break;
		case PP_T_DATETIME:
			if (cell->i == PP_I64_MISSING)
				break;
			if (cell->i < DAY_MIN * USEC_PER_DAY ||
			    cell->i / USEC_PER_DAY > DAY_MAX)
				return out_of_range(w, b, j, start, err);
			p += pp_datetime_fmt(p, cell->i);
			break;
		case PP_T_TEXT:
			break;
		}
		*p = '\0';
		b->len = (size_t)(p - b->data);
		if (scan)
			quote_delim(b, from, delim);
	}
	/* A row of one empty field would be an empty line, which readers
	 * skip: write it as "" so the row survives. */
	if (b->len == start)
		pp_buf_add(b, "\"\"", 2);
	pp_buf_addc(b, '\n');
	return 0;
}

static int
csv_writer_row(struct pp_writer *w, const union pp_cell *row,
    struct pp_err *err)
{
	struct pp_buf *b = &w->csv->out;

	if (csv_format(w, row, 0, b, err) == -1)
		return -1;
	if (b->len >= OUT_BLOCK)
		return csv_writer_flush(w, err);
	return 0;
}

/* Rows formatted elsewhere, in order: after what is buffered here (the
 * header). */
static int
csv_writer_write(struct pp_writer *w, const char *p, size_t n,
    struct pp_err *err)
{
	if (w->csv->out.len > 0 && csv_writer_flush(w, err) == -1)
		return -1;
	return pp_frame_fwrite(w, p, n, err);
}

static int
csv_writer_flush(struct pp_writer *w, struct pp_err *err)
{
	struct pp_buf *b = &w->csv->out;
	int rc = pp_frame_fwrite(w, b->data, b->len, err);

	pp_buf_reset(b);
	return rc;
}

static void
csv_writer_free(struct pp_writer *w)
{
	if (w->csv == NULL)
		return;
	pp_buf_release(&w->csv->out);
	free((void *)w->csv->shortish);
	free(w->csv);
	w->csv = NULL;
}

/* CSV is the reader of last resort: it accepts any first bytes. */
static int
csv_sniff(const unsigned char *p, size_t n)
{
	(void)p;
	(void)n;
	return 1;
}

const struct pp_frame_reader_ops pp_csv_reader_ops = {
	PP_FMT_CSV, csv_sniff, csv_reader_open, csv_reader_next,
	csv_reader_free, csv_reader_keep_lines
};

/* CSV has no trailer: finishing is one more flush. */
const struct pp_frame_writer_ops pp_csv_writer_ops = {
	PP_FMT_CSV, csv_writer_start, csv_writer_row, csv_writer_flush,
	csv_writer_flush, csv_writer_free, csv_format, csv_writer_write
};
