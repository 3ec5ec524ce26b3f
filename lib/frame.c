/*
 * frame.c - the reader and writer entry points.  A reader tries the
 * backends of readers[] in order on the stream's first bytes (after gzip
 * is undone) and calls the first that accepts it through its table of
 * functions; a writer takes the backend of its format.  The backends
 * (csv.c, binframe.c) never call back up here: they use frame_io.c and
 * schema.c below them.
 */
#include "frame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame_impl.h"
#include "gunzip.h"
#include "util.h"
#include "banned.h"

/* The formats a reader detects, tried in order; CSV, last, accepts what
 * the others did not (and refuses what is plainly another format). */
static const struct pp_frame_reader_ops *const readers[] = {
	&pp_bin_reader_ops,
	&pp_csv_reader_ops,
};

static const struct pp_frame_writer_ops *
writer_ops(enum pp_format f)
{
	return f == PP_FMT_BIN ? &pp_bin_writer_ops : &pp_csv_writer_ops;
}

struct pp_reader *
pp_reader_fopen(FILE *fp, const char *name, const struct pp_read_opts *o,
    struct pp_err *err)
{
	static const struct pp_read_opts defaults = PP_READ_OPTS_INIT;
	struct pp_reader *r = pp_xcalloc(1, sizeof(*r));
	struct stat st;
	size_t i;
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
	n = pp_inbuf_fill(&r->in, PP_SNIFF_BYTES);
	if (n >= 2 && r->in.buf[0] == PP_GZIP_MAGIC0 &&
	    r->in.buf[1] == PP_GZIP_MAGIC1) {
		pp_inbuf_gunzip(&r->in);
		n = pp_inbuf_fill(&r->in, PP_SNIFF_BYTES);
	}
	if (n == -1) {
		pp_inbuf_error(&r->in, r->in.ioerr, r->name, err);
		goto fail;
	}
	for (i = 0; !readers[i]->sniff(r->in.buf + r->in.pos, (size_t)n); i++)
		;
	r->ops = readers[i];
	rc = r->ops->open(r, o, err);
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
	return r->ops ? r->ops->format : PP_FMT_CSV;
}

const char *
pp_reader_name(const struct pp_reader *r)
{
	return r->name;
}

int
pp_reader_typed(const struct pp_reader *r)
{
	return !r->untyped;
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
	rc = r->ops->next(r, err);
	if (rc == 1)
		*row = r->row;
	return rc;
}

void
pp_reader_only(struct pp_reader *r, const long *cols, size_t n)
{
	size_t j, nc = r->schema.ncols;

	if (r->skip == NULL)
		r->skip = pp_xmalloc(nc ? nc : 1);
	memset(r->skip, 1, nc);
	for (j = 0; j < n; j++)
		if (cols[j] >= 0 && (size_t)cols[j] < nc)
			r->skip[cols[j]] = 0;
	/* Cells not read keep the blank they get here. */
	for (j = 0; j < nc; j++)
		if (r->skip[j])
			pp_cell_blank(r->schema.cols[j].type, &r->row[j]);
}

int
pp_reader_want_lines(struct pp_reader *r, int cells)
{
	if (r->fatal || r->ops->keep_lines == NULL)
		return 0;
	r->lines_cells = cells;
	return r->ops->keep_lines(r, cells);
}

/* give: 1 a row's text, 2 also a run of rows' */
static int
next_text(struct pp_reader *r, int give, const union pp_cell **row,
    const char **line, size_t *len, struct pp_err *err)
{
	int rc;

	r->give_lines = give;
	r->linep = NULL;
	rc = pp_reader_next(r, row, err);
	r->give_lines = 0;
	*line = NULL;
	if (rc == 1 && r->linep != NULL) {
		if (!r->lines_cells)
			*row = NULL;
		*line = r->linep;
		*len = r->linelen;
	}
	return rc;
}

int
pp_reader_next_line(struct pp_reader *r, const union pp_cell **row,
    const char **line, size_t *len, struct pp_err *err)
{
	return next_text(r, 1, row, line, len, err);
}

int
pp_reader_next_lines(struct pp_reader *r, const union pp_cell **row,
    const char **line, size_t *len, struct pp_err *err)
{
	return next_text(r, 2, row, line, len, err);
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
	if (r->ops != NULL)
		r->ops->free(r);
	if (r->own_fp && r->in.fp)
		fclose(r->in.fp);
	pp_gunzip_free(r->in.gz);
	free(r->in.buf);
	free(r->name);
	free(r->row);
	free(r->skip);
	pp_schema_release(&r->schema);
	pp_meta_release(&r->meta);
	free(r);
}

/* One row straight to the backend: the writing thread's row function. */
static int
backend_row(void *arg, const union pp_cell *row, struct pp_err *err)
{
	struct pp_writer *w = arg;

	return w->ops->row(w, row, err);
}

static int
backend_format(void *arg, const union pp_cell *row, size_t from,
    struct pp_buf *out, struct pp_err *err)
{
	const struct pp_writer *w = arg;

	return w->ops->format_row(w, row, from, out, err);
}

static int
backend_write(void *arg, const char *p, size_t n, struct pp_err *err)
{
	struct pp_writer *w = arg;

	return w->ops->write_bytes(w, p, n, err);
}

/* The writing threads: CSV formats on as many as it parses on. */
static struct frame_wthread *
start_threads(struct pp_writer *w, struct pp_err *err)
{
	struct pp_frame_wthread_fns fns = { backend_row, NULL, NULL };

	if (w->ops->format_row != NULL) {
		fns.format = backend_format;
		fns.write = backend_write;
	}
	return pp_frame_wthread_new(&w->schema, &fns, w, pp_csv_threads(),
	    err);
}

struct pp_writer *
pp_writer_new(FILE *fp, const char *name, const struct pp_schema *s,
    const struct pp_write_opts *o, struct pp_err *err)
{
	static const struct pp_write_opts defaults = PP_WRITE_OPTS_INIT;
	struct pp_writer *w = pp_xcalloc(1, sizeof(*w));
	struct pp_err terr = PP_ERR_INIT;
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
	w->ops = writer_ops(w->o.format);
	rc = w->ops->start(w, err);
	/* No writing thread to be had: the rows go straight to the backend,
	 * the same bytes on this thread. */
	if (rc == 0 && w->o.thread)
		w->th = start_threads(w, &terr);
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
		return pp_frame_wthread_row(w->th, row, err);
	return backend_row(w, row, err);
}

int
pp_writer_line(struct pp_writer *w, const char *line, size_t len,
    const union pp_cell *row, size_t from, struct pp_err *err)
{
	struct pp_buf b = PP_BUF_INIT;
	int rc = 0;

	if (w->ops->format_row == NULL)
		return pp_err_set(err, PP_EXIT_DATA, "%s: a row as text for a "
		    "binary frame", w->name);
	if (w->th)
		return pp_frame_wthread_line(w->th, line, len, row, from, err);
	pp_buf_add(&b, line, len);
	if (from < w->schema.ncols)
		rc = w->ops->format_row(w, row, from, &b, err);
	else
		pp_buf_addc(&b, '\n');
	if (rc == 0)
		rc = w->ops->write_bytes(w, b.data, b.len, err);
	pp_buf_release(&b);
	return rc;
}

int
pp_writer_flush(struct pp_writer *w, struct pp_err *err)
{
	int rc;

	if (w->th && pp_frame_wthread_drain(w->th, err) == -1)
		return -1;
	rc = w->ops->flush(w, err);

	if (rc == 0 && fflush(w->fp) != 0)
		return pp_err_errno(err, errno, "%s: write error", w->name);
	return rc;
}

int
pp_writer_finish(struct pp_writer *w, struct pp_err *err)
{
	int rc;

	if (w->th) {
		rc = pp_frame_wthread_close(w->th, err);
		pp_frame_wthread_free(w->th);
		w->th = NULL;
		if (rc == -1)
			return -1;
	}
	rc = w->ops->finish(w, err);

	if (rc == 0 && fflush(w->fp) != 0)
		return pp_err_errno(err, errno, "%s: write error", w->name);
	return rc;
}

void
pp_writer_free(struct pp_writer *w)
{
	if (w == NULL)
		return;
	pp_frame_wthread_free(w->th);
	if (w->ops != NULL)
		w->ops->free(w);
	pp_schema_release(&w->schema);
	pp_meta_release(&w->meta);
	free(w->name);
	free(w);
}
