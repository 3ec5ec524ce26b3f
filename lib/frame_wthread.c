/*
 * frame_wthread.c - a frame writer's threads (pp_write_opts.thread).
 *
 * Formatting CSV costs more than computing most rows, and the machines we
 * run on have at least two cores.  So the program's thread only copies
 * each row into a batch (text bytes into the batch's own buffer: the
 * caller's text is only valid until its next read) and hands full batches
 * to worker threads.  Where the format can (CSV: fns->format), each worker
 * formats a whole batch into the batch's own bytes, side by side with the
 * others; then the batches are written strictly in the order they were
 * handed in, one at a time, by whichever worker finds the next one ready.
 * Formats that keep state from row to row (binary chunks) have no format
 * step: their rows are passed to fns->row at that ordered step.  So the
 * bytes written are those of one thread, and memory is a fixed ring of
 * batches.  The first error, in row order, stops the writing and is
 * reported by the next call that hands a batch over, or by close.
 * A row may also come as its finished text (pp_frame_wthread_line, pp cat
 * CSV -> CSV): it is copied like text and, at the format step, appended
 * with its line end; cell 0 of its place holds the text's offset and
 * length, and the batch's `line` flag marks it.  A whole line is copied
 * with its line end, and a batch of nothing else is written from its
 * text bytes as they are, without the copy into `out`.
 * pp_frame_wthread_drain waits until everything handed in is written, so
 * a flush can follow; live feeds, which flush every row, are better served
 * without threads.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "frame_impl.h"
#include "util.h"
#include "banned.h"

#define PIPE_BATCH 2048		/* rows per batch, at most */
#define CELL_CAP (1 << 18)	/* cell bytes a batch aims at: wide rows
				   (pp-features: 25 columns) make shorter
				   batches, so the ring and its formatted
				   text stay a few hundred KiB a batch */
#define TEXT_CAP (1 << 18)	/* text bytes after which a batch is
				   handed in anyway (runs of rows) */
#define MAX_WORKERS 64

enum bstate {
	B_FREE,			/* the producer may fill it */
	B_READY,		/* handed in, to format */
	B_BUSY,			/* a worker formats it */
	B_DONE			/* formatted, to write in its turn */
};

struct batch {
	union pp_cell *cells;	/* p->batch rows of ncols cells */
	size_t n;		/* rows filled */
	struct pp_buf text;	/* bytes of the text cells */
	struct pp_buf out;	/* the formatted rows (fns->format) */
	size_t *line;		/* p->batch: row i came as text for its
				   columns before line[i] - 1; 0: cells */
	int nlines;		/* rows that came as text */
	size_t nwhole;		/* rows that came as whole lines: their
				   text holds their line end */
	enum bstate state;
	int bad;		/* formatting stopped at a bad row: err */
	struct pp_err err;
};

struct frame_wthread {
	struct pp_frame_wthread_fns fns;
	void *arg;
	size_t ncols;
	size_t batch;		/* rows a batch: PIPE_BATCH, fewer when wide */
	enum pp_type *types;
	size_t *textcol;	/* the text columns, ntext of them */
	size_t ntext;
	struct batch *b;	/* a ring of nb batches; batch k of the */
	size_t nb;		/* stream lives in b[k % nb] */
	size_t filled;		/* batches handed in; b[filled % nb] fills */
	size_t formatted;	/* batches taken for formatting */
	size_t written;		/* batches written */
	int writing;		/* a worker writes b[written % nb] */
	int done;		/* no more batches will come */
	int stop;		/* drop what is unwritten and leave */
	int failed;		/* a write failed: err holds why */
	struct pp_err err;
	pthread_t *th;
	size_t nth;		/* threads started and not joined */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static struct batch *
slot(struct frame_wthread *p, size_t k)
{
	return &p->b[k % p->nb];
}

/* Format batch b into b->out, outside the lock: it is this worker's alone. */
static void
format_batch(struct frame_wthread *p, struct batch *b)
{
	size_t i;

	b->bad = 0;
	if (b->nwhole == b->n) {
		/* Whole lines only (pp cat CSV -> CSV): the text is the
		 * output, handed over rather than copied. */
		struct pp_buf t = b->out;

		b->out = b->text;
		b->text = t;
		return;
	}
	pp_buf_reset(&b->out);
	for (i = 0; i < b->n && !b->bad; i++) {
		const union pp_cell *c = b->cells + i * p->ncols;

		size_t from = b->nlines > 0 ? b->line[i] : 0;

		if (from > 0)
			pp_buf_add(&b->out, b->text.data +
			    (size_t)(uintptr_t)c->s.p, c->s.len);
		if (from == p->ncols + 1)
			continue;	/* its line end came with it */
		if (p->fns.format(p->arg, c, from ? from - 1 : 0,
		    &b->out, &b->err) == -1)
			b->bad = 1;
	}
}

/* Write batch b, the next in order: its formatted bytes (what came before
 * a bad row, then the row's error), or its rows one by one. */
static int
write_batch(struct frame_wthread *p, struct batch *b, struct pp_err *e)
{
	size_t i;

	if (p->fns.format == NULL) {
		for (i = 0; i < b->n; i++)
			if (p->fns.row(p->arg, b->cells + i * p->ncols, e) == -1)
				return -1;
		return 0;
	}
	if (p->fns.write(p->arg, b->out.data, b->out.len, e) == -1)
		return -1;
	if (b->bad) {
		*e = b->err;
		return -1;
	}
	return 0;
}

/* Under the lock: write the next batch if it is formatted and nobody is
 * writing.  Returns 1 if it did. */
static int
try_write(struct frame_wthread *p)
{
	struct batch *b = slot(p, p->written);
	struct pp_err e = PP_ERR_INIT;
	int bad;

	if (p->writing || p->failed || p->written == p->filled ||
	    b->state != B_DONE)
		return 0;
	p->writing = 1;
	pthread_mutex_unlock(&p->mu);
	bad = write_batch(p, b, &e) == -1;
	pthread_mutex_lock(&p->mu);
	p->writing = 0;
	if (bad && !p->failed) {
		p->failed = 1;
		p->err = e;
	}
	b->state = B_FREE;
	p->written++;
	pthread_cond_broadcast(&p->cv);
	return 1;
}

/* Under the lock: format the oldest batch waiting.  Returns 1 if it did. */
static int
try_format(struct frame_wthread *p)
{
	struct batch *b = slot(p, p->formatted);

	if (p->failed || p->formatted == p->filled || b->state != B_READY)
		return 0;
	b->state = B_BUSY;
	p->formatted++;
	if (p->fns.format != NULL) {
		pthread_mutex_unlock(&p->mu);
		format_batch(p, b);
		pthread_mutex_lock(&p->mu);
	}
	b->state = B_DONE;
	pthread_cond_broadcast(&p->cv);
	return 1;
}

/* A worker: writing first, so that finished batches free their slots. */
static void *
worker_main(void *arg)
{
	struct frame_wthread *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->stop)
			break;
		if (try_write(p) || try_format(p))
			continue;
		if (p->failed || (p->done && p->written == p->filled))
			break;
		pthread_cond_wait(&p->cv, &p->mu);
	}
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Stop the workers (after what is handed in, unless stop) and join them. */
static void
join_all(struct frame_wthread *p, int stop)
{
	pthread_mutex_lock(&p->mu);
	p->done = 1;
	if (stop)
		p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	while (p->nth > 0)
		pthread_join(p->th[--p->nth], NULL);
}

struct frame_wthread *
pp_frame_wthread_new(const struct pp_schema *s,
    const struct pp_frame_wthread_fns *fns, void *arg, int workers,
    struct pp_err *err)
{
	struct frame_wthread *p = pp_xcalloc(1, sizeof(*p));
	size_t i, want;
	int rc = 0;

	p->fns = *fns;
	p->arg = arg;
	p->ncols = s->ncols;
	p->types = pp_xcalloc(s->ncols + 1, sizeof(*p->types));
	p->textcol = pp_xcalloc(s->ncols + 1, sizeof(*p->textcol));
	for (i = 0; i < s->ncols; i++) {
		p->types[i] = s->cols[i].type;
		if (p->types[i] == PP_T_TEXT)
			p->textcol[p->ntext++] = i;
	}
	/* Rows handed to fns->row must go one by one: one worker. */
	want = fns->format == NULL || workers < 1 ? 1 :
	    workers > MAX_WORKERS ? MAX_WORKERS : (size_t)workers;
	/* One batch filling, one per worker, one waiting to be written. */
	p->nb = want + 2;
	p->batch = CELL_CAP / ((s->ncols + 1) * sizeof(union pp_cell));
	if (p->batch > PIPE_BATCH)
		p->batch = PIPE_BATCH;
	if (p->batch < 64)
		p->batch = 64;
	p->b = pp_xcalloc(p->nb, sizeof(*p->b));
	for (i = 0; i < p->nb; i++) {
		p->b[i].cells = pp_xcalloc(p->batch * (s->ncols + 1),
		    sizeof(union pp_cell));
		pp_buf_init(&p->b[i].text);
		pp_buf_init(&p->b[i].out);
		p->b[i].line = pp_xcalloc(p->batch, sizeof(size_t));
	}
	p->th = pp_xcalloc(want, sizeof(*p->th));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	/* Fewer workers than wanted (EAGAIN at the system's limit) write
	 * the same bytes; none, and the caller writes without us. */
	for (; p->nth < want; p->nth++)
		if ((rc = pthread_create(&p->th[p->nth], NULL, worker_main,
		    p)) != 0)
			break;
	if (p->nth == 0) {
		pp_err_errno(err, rc, "cannot start the writing thread");
		pp_frame_wthread_free(p);
		return NULL;
	}
	return p;
}

static int
report(struct frame_wthread *p, struct pp_err *err)
{
	return pp_err_set(err, p->err.code ? p->err.code : PP_EXIT_DATA, "%s",
	    p->err.msg);
}

/* Hand the filled batch to the workers; then wait for the next slot to be
 * free, and fill it.  Returns -1 if a write has failed. */
static int
pipe_hand(struct frame_wthread *p, struct pp_err *err)
{
	struct batch *b = slot(p, p->filled);
	size_t i, j;
	int bad;

	/* Text was stored as offsets while the buffer could still move.
	 * Only the text columns are visited: a division per cell to find
	 * the column cost a twentieth of a CSV writer's time. */
	for (i = 0; i < b->n; i++)
		for (j = 0; j < p->ntext && !(b->nlines > 0 && b->line[i]);
		    j++) {
			union pp_cell *c = &b->cells[i * p->ncols +
			    p->textcol[j]];

			c->s.p = b->text.data + (size_t)(uintptr_t)c->s.p;
		}
	pthread_mutex_lock(&p->mu);
	if (p->failed) {
		pthread_mutex_unlock(&p->mu);
		return report(p, err);
	}
	b->state = B_READY;
	p->filled++;
	pthread_cond_broadcast(&p->cv);
	b = slot(p, p->filled);
	while (b->state != B_FREE && !p->failed)
		pthread_cond_wait(&p->cv, &p->mu);
	bad = p->failed;
	pthread_mutex_unlock(&p->mu);
	if (bad)
		return report(p, err);
	b->n = 0;
	b->nlines = 0;
	b->nwhole = 0;
	pp_buf_reset(&b->text);
	return 0;
}

int
pp_frame_wthread_row(struct frame_wthread *p, const union pp_cell *row,
    struct pp_err *err)
{
	struct batch *b = slot(p, p->filled);
	union pp_cell *c = b->cells + b->n * p->ncols;
	size_t i;

	for (i = 0; i < p->ncols; i++) {
		c[i] = row[i];
		if (p->types[i] == PP_T_TEXT) {
			c[i].s.p = (const char *)(uintptr_t)b->text.len;
			pp_buf_add(&b->text, row[i].s.p, row[i].s.len);
		}
	}
	b->line[b->n] = 0;
	if (++b->n == p->batch)
		return pipe_hand(p, err);
	return 0;
}

int
pp_frame_wthread_line(struct frame_wthread *p, const char *line, size_t len,
    const union pp_cell *row, size_t from, struct pp_err *err)
{
	struct batch *b = slot(p, p->filled);
	union pp_cell *c = b->cells + b->n * p->ncols;
	size_t i;

	for (i = from; i < p->ncols; i++)
		c[i] = row[i];
	c->s.p = (const char *)(uintptr_t)b->text.len;
	pp_buf_add(&b->text, line, len);
	if (from == p->ncols) {		/* a whole line: its end too */
		pp_buf_addc(&b->text, '\n');
		len++;
		b->nwhole++;
	}
	c->s.len = len;
	b->line[b->n] = from + 1;
	b->nlines++;
	if (++b->n == p->batch || b->text.len >= TEXT_CAP)
		return pipe_hand(p, err);
	return 0;
}

int
pp_frame_wthread_close(struct frame_wthread *p, struct pp_err *err)
{
	int rc = 0;

	if (slot(p, p->filled)->n > 0)
		rc = pipe_hand(p, err);
	join_all(p, 0);
	if (rc == 0 && p->failed)
		rc = report(p, err);
	return rc;
}

void
pp_frame_wthread_free(struct frame_wthread *p)
{
	size_t i;

	if (p == NULL)
		return;
	join_all(p, 1);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	for (i = 0; i < p->nb; i++) {
		free(p->b[i].cells);
		free(p->b[i].line);
		pp_buf_release(&p->b[i].text);
		pp_buf_release(&p->b[i].out);
	}
	free(p->b);
	free(p->th);
	free(p->textcol);
	free(p->types);
	free(p);
}

int
pp_frame_wthread_drain(struct frame_wthread *p, struct pp_err *err)
{
	int bad;

	if (slot(p, p->filled)->n > 0 && pipe_hand(p, err) == -1)
		return -1;
	pthread_mutex_lock(&p->mu);
	while (p->written != p->filled && !p->failed)
		pthread_cond_wait(&p->cv, &p->mu);
	bad = p->failed;
	pthread_mutex_unlock(&p->mu);
	return bad ? report(p, err) : 0;
}
