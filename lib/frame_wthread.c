/*
 * frame_wthread.c - a frame writer's second thread (pp_write_opts.thread).
 *
 * Formatting CSV costs more than computing most rows, and the machines we
 * run on have at least two cores.  So the program's thread copies each row
 * into one of two batches (text bytes into the batch's own buffer: the
 * caller's text is only valid until its next read), and a writing thread
 * formats and writes the other batch.  The two batches alternate, so memory
 * is constant, and rows are written in the order given.  The first write
 * error stops the thread and is reported by the next call that hands a
 * batch over, or by close.  pp_frame_wthread_drain waits until everything handed
 * in is written, so a flush can follow; live feeds, which flush every row,
 * are better served without a thread.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "frame_impl.h"
#include "util.h"
#include "banned.h"

#define PIPE_BATCH 2048		/* rows per batch */

struct batch {
	union pp_cell *cells;	/* PIPE_BATCH rows of ncols cells */
	size_t n;		/* rows filled */
	struct pp_buf text;	/* bytes of the text cells */
};

struct frame_wthread {
	pp_frame_wthread_row_fn *fn;	/* writes one row, on the thread */
	void *arg;
	size_t ncols;
	enum pp_type *types;
	struct batch b[2];
	int fill;		/* batch the producer fills */
	int handed;		/* batch the writer writes, when pending */
	int pending;		/* a batch is handed over and not yet written */
	int done;		/* no more batches will come */
	int failed;		/* a write failed: err holds why */
	int running;		/* the thread exists and is not joined */
	struct pp_err err;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *
pipe_main(void *arg)
{
	struct frame_wthread *p = arg;

	for (;;) {
		struct batch *b;
		struct pp_err e = PP_ERR_INIT;
		size_t i;
		int bad = 0;

		pthread_mutex_lock(&p->mu);
		while (!p->pending && !p->done)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->pending) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		b = &p->b[p->handed];
		pthread_mutex_unlock(&p->mu);
		for (i = 0; i < b->n && !bad; i++)
			bad = p->fn(p->arg, b->cells + i * p->ncols, &e);
		pthread_mutex_lock(&p->mu);
		if (bad && !p->failed) {
			p->failed = 1;
			p->err = e;
		}
		p->pending = 0;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

struct frame_wthread *
pp_frame_wthread_new(const struct pp_schema *s, pp_frame_wthread_row_fn *fn,
    void *arg, struct pp_err *err)
{
	struct frame_wthread *p = pp_xcalloc(1, sizeof(*p));
	size_t i;
	int rc;

	p->fn = fn;
	p->arg = arg;
	p->ncols = s->ncols;
	p->types = pp_xcalloc(s->ncols + 1, sizeof(*p->types));
	for (i = 0; i < s->ncols; i++)
		p->types[i] = s->cols[i].type;
	for (i = 0; i < 2; i++) {
		p->b[i].cells = pp_xcalloc(PIPE_BATCH * (s->ncols + 1),
		    sizeof(union pp_cell));
		pp_buf_init(&p->b[i].text);
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if ((rc = pthread_create(&p->th, NULL, pipe_main, p)) != 0) {
		pp_err_errno(err, rc, "cannot start the writing thread");
		pp_frame_wthread_free(p);
		return NULL;
	}
	p->running = 1;
	return p;
}

/* Hand the filled batch to the thread once it has written the last one;
 * then fill the other.  Returns -1 if a write has failed. */
static int
pipe_hand(struct frame_wthread *p, struct pp_err *err)
{
	struct batch *b = &p->b[p->fill];
	size_t i, n = b->n * p->ncols;

	/* Text was stored as offsets while the buffer could still move. */
	for (i = 0; i < n; i++)
		if (p->types[i % p->ncols] == PP_T_TEXT)
			b->cells[i].s.p = b->text.data +
			    (size_t)(uintptr_t)b->cells[i].s.p;
	pthread_mutex_lock(&p->mu);
	while (p->pending && !p->failed)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->failed) {
		pthread_mutex_unlock(&p->mu);
		pp_err_set(err, p->err.code ? p->err.code : PP_EXIT_DATA, "%s",
		    p->err.msg);
		return -1;
	}
	p->handed = p->fill;
	p->pending = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	p->fill ^= 1;
	p->b[p->fill].n = 0;
	pp_buf_reset(&p->b[p->fill].text);
	return 0;
}

int
pp_frame_wthread_row(struct frame_wthread *p, const union pp_cell *row,
    struct pp_err *err)
{
	struct batch *b = &p->b[p->fill];
	union pp_cell *c = b->cells + b->n * p->ncols;
	size_t i;

	for (i = 0; i < p->ncols; i++) {
		c[i] = row[i];
		if (p->types[i] == PP_T_TEXT) {
			c[i].s.p = (const char *)(uintptr_t)b->text.len;
			pp_buf_add(&b->text, row[i].s.p, row[i].s.len);
		}
	}
	if (++b->n == PIPE_BATCH)
		return pipe_hand(p, err);
	return 0;
}

int
pp_frame_wthread_close(struct frame_wthread *p, struct pp_err *err)
{
	int rc = 0;

	if (p->b[p->fill].n > 0)
		rc = pipe_hand(p, err);
	pthread_mutex_lock(&p->mu);
	p->done = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (p->running) {
		pthread_join(p->th, NULL);
		p->running = 0;
	}
	if (rc == 0 && p->failed)
		rc = pp_err_set(err, p->err.code ? p->err.code : PP_EXIT_DATA,
		    "%s", p->err.msg);
	return rc;
}

void
pp_frame_wthread_free(struct frame_wthread *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->running) {
		pthread_mutex_lock(&p->mu);
		p->done = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->th, NULL);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	for (i = 0; i < 2; i++) {
		free(p->b[i].cells);
		pp_buf_release(&p->b[i].text);
	}
	free(p->types);
	free(p);
}

int
pp_frame_wthread_drain(struct frame_wthread *p, struct pp_err *err)
{
	if (p->b[p->fill].n > 0 && pipe_hand(p, err) == -1)
		return -1;
	pthread_mutex_lock(&p->mu);
	while (p->pending && !p->failed)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	if (p->failed)
		return pp_err_set(err, p->err.code ? p->err.code : PP_EXIT_DATA,
		    "%s", p->err.msg);
	return 0;
}
