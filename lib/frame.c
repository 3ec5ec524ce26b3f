/*
 * frame.c - schemas, and the reader and writer entry points that pick a
 * backend: csv.c or binframe.c.
 */
#include "frame.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame_impl.h"
#include "gunzip.h"
#include "sniff.h"
#include "util.h"
#include "banned.h"

const char *
pp_type_name(enum pp_type t)
{
	switch (t) {
	case PP_T_F64:
		return "float64";
	case PP_T_I64:
		return "int64";
	case PP_T_TEXT:
		return "text";
	case PP_T_DATE:
		return "date";
	case PP_T_DATETIME:
		return "datetime";
	}
	return "?";
}

double
pp_cell_num(enum pp_type t, const union pp_cell *c)
{
	switch (t) {
	case PP_T_F64:
		return c->f;
	case PP_T_I64:
	case PP_T_DATE:
	case PP_T_DATETIME:
		return c->i == PP_I64_MISSING ? NAN : (double)c->i;
	case PP_T_TEXT:
		break;
	}
	return NAN;
}

void
pp_schema_init(struct pp_schema *s)
{
	s->ncols = 0;
	s->cols = NULL;
	s->cap = 0;
	s->index = NULL;
	s->nindex = 0;
}

void
pp_schema_release(struct pp_schema *s)
{
	size_t i;

	for (i = 0; i < s->ncols; i++)
		free(s->cols[i].name);
	free(s->cols);
	free(s->index);
	pp_schema_init(s);
}

/*
 * Names are found by a linear search up to INDEX_MIN columns and through a
 * hash table (open addressing, linear probing, at most half full) beyond,
 * so reading a header of 40,000 columns costs milliseconds, not seconds.
 */
#define INDEX_MIN 64

/* The slot where name is, or the empty one where it would go. */
static size_t
index_slot(const struct pp_schema *s, const char *name)
{
	size_t mask = s->nindex - 1;
	size_t i = (size_t)pp_hash_bytes(name, strlen(name)) & mask;

	while (s->index[i] != 0 &&
	    strcmp(s->cols[s->index[i] - 1].name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

static void
index_add(struct pp_schema *s, size_t col)
{
	s->index[index_slot(s, s->cols[col].name)] = col + 1;
}

int
pp_schema_add(struct pp_schema *s, const char *name, enum pp_type t,
    struct pp_err *err)
{
	size_t i;

	if (*name == '\0')
		return pp_err_set(err, PP_EXIT_DATA, "empty column name");
	if (pp_schema_find(s, name) != -1)
		return pp_err_set(err, PP_EXIT_DATA, "duplicate column \"%s\"",
		    name);
	pp_xgrow((void **)&s->cols, &s->cap, s->ncols + 1, sizeof(*s->cols));
	s->cols[s->ncols].name = pp_xstrdup(name);
	s->cols[s->ncols].type = t;
	s->ncols++;
	if (s->ncols < INDEX_MIN)
		return 0;
	if (2 * s->ncols <= s->nindex) {
		index_add(s, s->ncols - 1);
		return 0;
	}
	free(s->index);
	for (s->nindex = 2 * INDEX_MIN; s->nindex < 4 * s->ncols;)
		s->nindex *= 2;
	s->index = pp_xcalloc(s->nindex, sizeof(*s->index));
	for (i = 0; i < s->ncols; i++)
		index_add(s, i);
	return 0;
}

long
pp_schema_find(const struct pp_schema *s, const char *name)
{
	size_t i;

	if (s->index != NULL) {
		i = s->index[index_slot(s, name)];
		return i != 0 ? (long)i - 1 : -1;
	}
	for (i = 0; i < s->ncols; i++)
		if (strcmp(s->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

void
pp_schema_copy(struct pp_schema *dst, const struct pp_schema *src)
{
	size_t i;

	pp_schema_release(dst);
	for (i = 0; i < src->ncols; i++)
		pp_schema_add(dst, src->cols[i].name, src->cols[i].type, NULL);
}

int
pp_schema_same(const struct pp_schema *a, const struct pp_schema *b,
    struct pp_err *err)
{
	size_t i;

	for (i = 0; i < a->ncols && i < b->ncols; i++) {
		const struct pp_col *x = &a->cols[i], *y = &b->cols[i];

		if (strcmp(x->name, y->name) != 0 || x->type != y->type)
			return pp_err_set(err, PP_EXIT_DATA, "column %zu is "
			    "\"%s\" (%s), expected \"%s\" (%s)", i + 1,
			    y->name, pp_type_name(y->type), x->name,
			    pp_type_name(x->type));
	}
	if (a->ncols != b->ncols)
		return pp_err_set(err, PP_EXIT_DATA, "%zu columns, expected %zu",
		    b->ncols, a->ncols);
	return 0;
}

/* One read of the raw stream (the file's own bytes). */
static long
raw_read(struct pp_inbuf *in, void *dst, size_t n)
{
	size_t got;

	/* read(2) returns what a pipe holds now; fread would wait for a
	 * whole block, and a live feed would stall. */
	if (in->fd >= 0) {
		ssize_t k;

		do
			k = read(in->fd, dst, n);
		while (k == -1 && errno == EINTR);
		if (k == -1) {
			in->ioerr = errno;
			in->eof = 1;
			return -1;
		}
		got = (size_t)k;
	} else {
		got = fread(dst, 1, n, in->fp);
		if (got == 0 && ferror(in->fp)) {
			in->ioerr = errno ? errno : EIO;
			in->eof = 1;
			return -1;
		}
	}
	return (long)got;
}

static long
gz_raw(void *ctx, void *dst, size_t n)
{
	return raw_read(ctx, dst, n);
}

long
pp_inbuf_read(struct pp_inbuf *in, void *dst, size_t n)
{
	long got;

	if (in->eof)
		return 0;
	if (in->gz != NULL) {
		got = pp_gunzip_read(in->gz, dst, n, &in->gzerr);
		if (got == -1 && in->gzerr != NULL) {
			in->ioerr = EIO;
			in->eof = 1;
		}
	} else {
		got = raw_read(in, dst, n);
	}
	if (got == 0)
		in->eof = 1;
	return got;
}

int
pp_inbuf_error(const struct pp_inbuf *in, int ioerr, const char *name,
    struct pp_err *err)
{
	if (in->gzerr != NULL)
		return pp_err_set(err, PP_EXIT_DATA, "%s: bad gzip data: %s",
		    name, in->gzerr);
	return pp_err_errno(err, ioerr, "%s: read error", name);
}

/*
 * gzip input (prices.csv.gz, features.ppf.gz): the bytes read so far
 * become zlib's first input and the buffer starts again, empty, at offset
 * 0 of the decompressed stream, so the format is detected on what the
 * file holds and byte offsets in messages are offsets in it.
 */
static void
start_gunzip(struct pp_inbuf *in)
{
	in->gz = pp_gunzip_new(in->buf + in->pos, in->len - in->pos, gz_raw,
	    in);
	in->pos = in->len = 0;
	in->base = 0;
	in->eof = 0;
}

long
pp_inbuf_fill(struct pp_inbuf *in, size_t want)
{
	size_t avail = in->len - in->pos;

	while (avail < want && !in->eof) {
		long n;

		if (in->pos > 0 && (in->pos == in->len ||
		    in->cap - in->len < PP_INBUF_BLOCK)) {
			/* Slide the unread tail to the front. */
			memmove(in->buf, in->buf + in->pos, avail);
			in->base += in->pos;
			in->pos = 0;
			in->len = avail;
		}
		if (in->cap - in->len < PP_INBUF_BLOCK) {
			/* Grow with the data that arrives, not by what was
			 * asked: a corrupt chunk size in a small input must
			 * read as truncated, not allocate a gigabyte first. */
			size_t step = in->len > PP_INBUF_BLOCK ? in->len :
			    PP_INBUF_BLOCK;

			pp_xgrow((void **)&in->buf, &in->cap, in->len + step, 1);
		}
		n = pp_inbuf_read(in, in->buf + in->len, in->cap - in->len);
		if (n == -1)
			return -1;
		in->len += (size_t)n;
		avail += (size_t)n;
	}
	return (long)avail;
}

struct pp_reader *
pp_reader_fopen(FILE *fp, const char *name, const struct pp_read_opts *o,
    struct pp_err *err)
{
	static const struct pp_read_opts defaults = PP_READ_OPTS_INIT;
	struct pp_reader *r = pp_xcalloc(1, sizeof(*r));
	struct stat st;
	const char *what;
	long n;
	int rc;

	if (o == NULL)
		o = &defaults;
	r->in.fp = fp;
	r->in.fd = fileno(fp);
	r->in.live = r->in.fd >= 0 && fstat(r->in.fd, &st) == 0 &&
	    !S_ISREG(st.st_mode);
	r->name = pp_xstrdup(name);
	pp_schema_init(&r->schema);
	pp_meta_init(&r->meta);
	n = pp_inbuf_fill(&r->in, sizeof(pp_bin_magic));
	if (n >= 2 && r->in.buf[0] == PP_GZIP_MAGIC0 &&
	    r->in.buf[1] == PP_GZIP_MAGIC1) {
		start_gunzip(&r->in);
		n = pp_inbuf_fill(&r->in, sizeof(pp_bin_magic));
	}
	if (n == -1) {
		pp_inbuf_error(&r->in, r->in.ioerr, r->name, err);
		goto fail;
	}
	if (n >= (long)sizeof(pp_bin_magic) &&
	    memcmp(r->in.buf, pp_bin_magic, sizeof(pp_bin_magic)) == 0) {
		r->format = PP_FMT_BIN;
		rc = pp_bin_open(r, err);
	} else if ((what = pp_sniff_not_csv(r->in.buf, r->in.len)) != NULL) {
		rc = pp_err_set(err, PP_EXIT_DATA, "%s: %s, not CSV or a "
		    "binary frame", r->name, what);
	} else {
		r->format = PP_FMT_CSV;
		rc = pp_csv_open(r, o, err);
	}
	if (rc == -1)
		goto fail;
	r->row = pp_xcalloc(r->schema.ncols ? r->schema.ncols : 1,
	    sizeof(*r->row));
	return r;
fail:
	pp_reader_free(r);
	return NULL;
}

struct pp_reader *
pp_reader_open(const char *path, const struct pp_read_opts *o,
    struct pp_err *err)
{
	struct pp_reader *r;
	FILE *fp;

	if (path == NULL || strcmp(path, "-") == 0)
		return pp_reader_fopen(stdin, "<stdin>", o, err);
	fp = fopen(path, "rb");
	if (fp == NULL) {
		pp_err_errno(err, errno, "%s", path);
		return NULL;
	}
	r = pp_reader_fopen(fp, path, o, err);
	if (r == NULL) {
		fclose(fp);
		return NULL;
	}
	r->own_fp = 1;
	return r;
}

const struct pp_schema *
pp_reader_schema(const struct pp_reader *r)
{
	return &r->schema;
}

enum pp_format
pp_reader_format(const struct pp_reader *r)
{
	return r->format;
}

const char *
pp_reader_name(const struct pp_reader *r)
{
	return r->name;
}

const struct pp_meta *
pp_reader_meta(const struct pp_reader *r)
{
	return &r->meta;
}

int
pp_reader_next(struct pp_reader *r, const union pp_cell **row,
    struct pp_err *err)
{
	int rc;

	if (r->fatal)
		return pp_err_set(err, PP_EXIT_DATA, "%s: cannot read further "
		    "after an error", r->name);
	r->can_skip = 0;
	rc = r->format == PP_FMT_BIN ? pp_bin_next(r, err) : pp_csv_next(r, err);
	if (rc == 1)
		*row = r->row;
	return rc;
}

int
pp_reader_can_skip(const struct pp_reader *r)
{
	return r->can_skip && !r->fatal;
}

long
pp_reader_line(const struct pp_reader *r)
{
	return r->line;
}

void
pp_reader_free(struct pp_reader *r)
{
	if (r == NULL)
		return;
	pp_csv_free(r);
	pp_bin_free(r);
	if (r->own_fp && r->in.fp)
		fclose(r->in.fp);
	pp_gunzip_free(r->in.gz);
	free(r->in.buf);
	free(r->name);
	free(r->row);
	pp_schema_release(&r->schema);
	pp_meta_release(&r->meta);
	free(r);
}

int
pp_frame_fwrite(struct pp_writer *w, const void *p, size_t n,
    struct pp_err *err)
{
	if (n && fwrite(p, 1, n, w->fp) != n)
		return pp_err_errno(err, errno, "%s: write error", w->name);
	return 0;
}

/* One row straight to the backend: the writing thread's row function. */
static int
backend_row(void *arg, const union pp_cell *row, struct pp_err *err)
{
	struct pp_writer *w = arg;

	return w->bin ? pp_binw_row(w, row, err) : pp_csvw_row(w, row, err);
}

struct pp_writer *
pp_writer_new(FILE *fp, const char *name, const struct pp_schema *s,
    const struct pp_write_opts *o, struct pp_err *err)
{
	static const struct pp_write_opts defaults = PP_WRITE_OPTS_INIT;
	struct pp_writer *w = pp_xcalloc(1, sizeof(*w));
	int rc;

	w->fp = fp;
	w->name = pp_xstrdup(name);
	w->o = o ? *o : defaults;
	pp_meta_init(&w->meta);
	if (w->o.meta != NULL)
		pp_meta_copy(&w->meta, w->o.meta);
	w->o.meta = &w->meta;
	pp_schema_init(&w->schema);
	pp_schema_copy(&w->schema, s);
	if (w->schema.ncols == 0) {
		pp_err_set(err, PP_EXIT_DATA, "%s: a frame needs at least one "
		    "column", name);
		pp_writer_free(w);
		return NULL;
	}
	/* Binary bytes on a terminal are garbage and can upset it. */
	if (w->o.format == PP_FMT_BIN && fileno(fp) >= 0 &&
	    isatty(fileno(fp))) {
		pp_err_set(err, PP_EXIT_USAGE, "not writing a binary frame to "
		    "a terminal: give -o FILE or redirect stdout");
		pp_writer_free(w);
		return NULL;
	}
	rc = w->o.format == PP_FMT_BIN ? pp_binw_start(w, err) :
	    pp_csvw_start(w, err);
	if (rc == 0 && w->o.thread && (w->th = pp_wthread_new(&w->schema,
	    backend_row, w, err)) == NULL)
		rc = -1;
	if (rc == -1) {
		pp_writer_free(w);
		return NULL;
	}
	return w;
}


int
pp_writer_row(struct pp_writer *w, const union pp_cell *row,
    struct pp_err *err)
{
	if (w->th)
		return pp_wthread_row(w->th, row, err);
	return backend_row(w, row, err);
}

int
pp_writer_flush(struct pp_writer *w, struct pp_err *err)
{
	int rc;

	if (w->th && pp_wthread_drain(w->th, err) == -1)
		return -1;
	rc = w->bin ? pp_binw_flush(w, err) : pp_csvw_flush(w, err);

	if (rc == 0 && fflush(w->fp) != 0)
		return pp_err_errno(err, errno, "%s: write error", w->name);
	return rc;
}

int
pp_writer_finish(struct pp_writer *w, struct pp_err *err)
{
	int rc;

	if (w->th) {
		rc = pp_wthread_close(w->th, err);
		pp_wthread_free(w->th);
		w->th = NULL;
		if (rc == -1)
			return -1;
	}
	rc = w->bin ? pp_binw_finish(w, err) : pp_csvw_flush(w, err);

	if (rc == 0 && fflush(w->fp) != 0)
		return pp_err_errno(err, errno, "%s: write error", w->name);
	return rc;
}

void
pp_writer_free(struct pp_writer *w)
{
	if (w == NULL)
		return;
	pp_wthread_free(w->th);
	pp_csvw_free(w);
	pp_binw_free(w);
	pp_schema_release(&w->schema);
	pp_meta_release(&w->meta);
	free(w->name);
	free(w);
}
