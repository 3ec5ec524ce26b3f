/*
 * feat_run.c - the read loop of pp-features (feat.h): one engine on the
 * program's thread, or the symbols sharded across worker threads.
 *
 * Sharding rests on one property of the engine: its state is per symbol,
 * and pushing a row emits at most one row, of the same symbol (the row
 * itself, or with lead() the one lead places before it), so where the
 * output goes in the one-thread order is fixed by the input row whose push
 * emitted it.  So this thread reads rows into batches, giving each row to
 * the worker its symbol hashes to; every worker pushes its rows of a batch,
 * in order, into its own engine, and leaves what each push emitted (a row,
 * nothing, or the row's error) in the slot of the input row; this thread
 * then writes the slots of each batch in input order, exactly as the one
 * engine would have emitted them.  At the end each worker's engine emits
 * the rows still waiting for look-ahead with their sequence numbers
 * (input row numbers, pp_feat_set_seq), and the lists merge by number,
 * which is the one engine's final order.  Errors go the same way: a row's
 * error is handled when its slot's turn comes, with its line number, so a
 * skipped row counts once and a fatal one stops the output where one
 * thread would have stopped it.  Memory: a ring of NBATCH batches, and
 * the engines' per-symbol state, each symbol on one worker only.
 */
#include "feat.h"

#include <assert.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "util.h"
#include "banned.h"

#define BATCH 1024		/* rows a batch */
#define NBATCH 6		/* batches in the ring */
#define MAX_SHARDS 64

int
pp_feat_write(void *ctx, const union pp_cell *row, struct pp_err *err)
{
	struct pp_feat_loop *l = ctx;

	l->emitted++;
	if (pp_writer_row(l->w, row, err) == -1) {
		l->werr = 1;
		return -1;
	}
	return 0;
}

/* 1 if more input is waiting on fd now. */
static int
input_waiting(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) > 0;
}

/* The loop on this thread: one engine, rows emitted straight to l->w. */
static int
run_one(struct pp_feat *f, struct pp_reader *r, struct pp_feat_loop *l,
    struct pp_err *err)
{
	const union pp_cell *row;
	int got;

	while ((got = pp_reader_next(r, &row, err)) != 0) {
		if (++l->nread % 65536 == 0 && l->progress != NULL)
			l->progress(l->nread, "rows", 0);
		if (got == -1 && !(l->skip_bad && pp_reader_can_skip(r)))
			return -1;
		if (got == 1 && pp_feat_push(f, row, err) == -1) {
			/* A write failed, or the engine refused the row (and
			 * changed nothing, so it may be skipped). */
			if (l->werr)
				return -1;
			pp_err_prefix(err, "%s:%ld", pp_reader_name(r),
			    pp_reader_line(r));
			if (!l->skip_bad)
				return -1;
			got = -1;
		}
		if (got == -1) {
			l->skipped++;
			pp_err_clear(err);
			continue;
		}
		/* A live feed sees each row as soon as it is known. */
		if (l->live && l->emitted > 0 &&
		    (l->linebuf || !input_waiting(l->in_fd))) {
			if (pp_writer_flush(l->w, err) == -1)
				return -1;
			l->emitted = 0;
		}
	}
	return pp_feat_finish(f, err) == -1 ? -1 : 0;
}

/* ---- sharded ------------------------------------------------------------ */

enum slot_state { S_NONE, S_ROW, S_ERR };

/* A worker's errors in a batch, in row order. */
struct errs {
	struct pp_err *v;
	size_t n, cap;
};

struct batch {
	size_t n;		/* rows filled */
	union pp_cell *in;	/* BATCH rows of nin cells */
	struct pp_buf intext;	/* their text bytes */
	unsigned char *shard;	/* the worker of each row */
	long *line;		/* the reader's line of each row */
	union pp_cell *out;	/* BATCH rows of nout cells: what each */
	unsigned char *has;	/* row's push emitted (enum slot_state) */
	struct pp_buf *otext;	/* per worker: text of its output rows */
	struct errs *errs;	/* per worker */
	int pending;		/* workers still on it */
	int ready;		/* handed to the workers */
};

/* Rows still waiting at the end, of one worker, in sequence order. */
struct tail {
	union pp_cell *cells;	/* n rows of nout cells */
	uint64_t *seq;
	struct pp_buf text;
	size_t n, cap;
};

struct shards;

struct worker {
	struct shards *p;
	size_t id;
	struct pp_feat *f;
	struct batch *b;	/* the batch being pushed, or NULL: finish */
	size_t i;		/* the row being pushed */
	struct tail tail;
	pthread_t th;
};

struct shards {
	struct worker *w;
	size_t nw;		/* workers, each with its engine */
	size_t nth;		/* their threads started and not joined */
	size_t nin, nout;	/* input and output columns */
	size_t *intext, nintext;	/* the text columns of a row in */
	size_t *outtext, nouttext;	/* and out */
	struct batch b[NBATCH];	/* batch k is b[k % NBATCH] */
	size_t filled;		/* batches handed to the workers */
	int done;		/* no more batches will come */
	int stop;		/* leave now */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static struct batch *
slot(struct shards *p, size_t k)
{
	return &p->b[k % NBATCH];
}

/* Keep an emitted row's cells in out, its text appended to text with the
 * offsets in place of pointers (the buffer may move as it grows). */
static void
keep_row(const struct shards *p, union pp_cell *out, struct pp_buf *text,
    const union pp_cell *row)
{
	size_t j, c;

	memcpy(out, row, p->nout * sizeof(*out));
	for (j = 0; j < p->nouttext; j++) {
		c = p->outtext[j];
		out[c].s.p = (const char *)(uintptr_t)text->len;
		pp_buf_add(text, row[c].s.p, row[c].s.len);
	}
}

/* The emit function of a worker's engine: into the slot of the row being
 * pushed, or at the end into the worker's tail.  Never fails. */
static int
emit_slot(void *ctx, const union pp_cell *row, struct pp_err *err)
{
	struct worker *w = ctx;
	struct shards *p = w->p;
	struct batch *b = w->b;
	struct tail *t = &w->tail;
	size_t cap;

	(void)err;
	if (b != NULL) {
		/* One row a push at most (feat.c, with one stage). */
		keep_row(p, b->out + w->i * p->nout, &b->otext[w->id], row);
		b->has[w->i] = S_ROW;
		return 0;
	}
	if (t->n == t->cap) {
		cap = t->cap;
		pp_xgrow((void **)&t->cells, &t->cap, t->n + 1,
		    p->nout * sizeof(*t->cells));
		pp_xgrow((void **)&t->seq, &cap, t->n + 1, sizeof(*t->seq));
	}
	keep_row(p, t->cells + t->n * p->nout, &t->text, row);
	t->seq[t->n++] = pp_feat_emit_seq(w->f);
	return 0;
}

/* Push worker w's rows of batch b.  A refused row leaves its error; the
 * engine is unchanged by it, so the rows after it go on. */
static void
push_batch(struct worker *w, struct batch *b, uint64_t seq0)
{
	struct shards *p = w->p;
	struct errs *e = &b->errs[w->id];
	struct pp_err err = PP_ERR_INIT;
	size_t i;

	pp_buf_reset(&b->otext[w->id]);
	e->n = 0;
	w->b = b;
	for (i = 0; i < b->n; i++) {
		if (b->shard[i] != w->id)
			continue;
		w->i = i;
		pp_feat_set_seq(w->f, seq0 + i);
		if (pp_feat_push(w->f, b->in + i * p->nin, &err) != -1)
			continue;
		pp_xgrow((void **)&e->v, &e->cap, e->n + 1, sizeof(*e->v));
		e->v[e->n++] = err;
		b->has[i] = S_ERR;
		pp_err_clear(&err);
	}
	w->b = NULL;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct shards *p = w->p;
	struct pp_err err = PP_ERR_INIT;
	int finish = 0;
	size_t k;

	for (k = 0;; k++) {
		struct batch *b = slot(p, k);

		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->filled <= k && !p->done)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop || p->filled <= k) {
			/* Read under the lock: on an error the program's
			 * thread sets stop while this one may be here. */
			finish = !p->stop;
			pthread_mutex_unlock(&p->mu);
			break;
		}
		pthread_mutex_unlock(&p->mu);
		push_batch(w, b, (uint64_t)k * BATCH);
		pthread_mutex_lock(&p->mu);
		if (--b->pending == 0)
			pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	if (finish)
		(void)pp_feat_finish(w->f, &err); /* emit_slot never fails */
	return NULL;
}

static void
shards_free(struct shards *p)
{
	size_t i, k;

	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (; p->nth > 0; p->nth--)
		pthread_join(p->w[p->nth - 1].th, NULL);
	for (k = 0; k < NBATCH; k++) {
		struct batch *b = &p->b[k];

		for (i = 0; b->otext != NULL && i < p->nw; i++) {
			pp_buf_release(&b->otext[i]);
			free(b->errs[i].v);
		}
		free(b->in);
		pp_buf_release(&b->intext);
		free(b->shard);
		free(b->line);
		free(b->out);
		free(b->has);
		free(b->otext);
		free(b->errs);
	}
	for (i = 0; p->w != NULL && i < p->nw; i++) {
		pp_feat_free(p->w[i].f);
		free(p->w[i].tail.cells);
		free(p->w[i].tail.seq);
		pp_buf_release(&p->w[i].tail.text);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->w);
	free(p->intext);
	free(p->outtext);
	free(p);
}

/* Engines and threads for n workers like f, on r's rows.  NULL (err set)
 * if a thread cannot start. */
static struct shards *
shards_new(struct pp_feat *f, struct pp_reader *r, size_t n,
    struct pp_err *err)
{
	const struct pp_schema *in = pp_reader_schema(r);
	const struct pp_schema *out = pp_feat_schema(f);
	struct shards *p = pp_xcalloc(1, sizeof(*p));
	size_t i, k;
	int rc;

	p->nin = in->ncols;
	p->nout = out->ncols;
	p->intext = pp_xcalloc(p->nin + 1, sizeof(*p->intext));
	for (i = 0; i < p->nin; i++)
		if (in->cols[i].type == PP_T_TEXT)
			p->intext[p->nintext++] = i;
	p->outtext = pp_xcalloc(p->nout + 1, sizeof(*p->outtext));
	for (i = 0; i < p->nout; i++)
		if (out->cols[i].type == PP_T_TEXT)
			p->outtext[p->nouttext++] = i;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (k = 0; k < NBATCH; k++) {
		struct batch *b = &p->b[k];

		b->in = pp_xcalloc(BATCH * (p->nin + 1), sizeof(*b->in));
		pp_buf_init(&b->intext);
		b->shard = pp_xcalloc(BATCH, sizeof(*b->shard));
		b->line = pp_xcalloc(BATCH, sizeof(*b->line));
		b->out = pp_xcalloc(BATCH * (p->nout + 1), sizeof(*b->out));
		b->has = pp_xcalloc(BATCH, sizeof(*b->has));
		b->otext = pp_xcalloc(n, sizeof(*b->otext));
		b->errs = pp_xcalloc(n, sizeof(*b->errs));
		for (i = 0; i < n; i++)
			pp_buf_init(&b->otext[i]);
	}
	p->w = pp_xcalloc(n, sizeof(*p->w));
	p->nw = n;
	for (i = 0; i < n; i++) {
		struct worker *w = &p->w[i];

		w->p = p;
		w->id = i;
		pp_buf_init(&w->tail.text);
		/* The same schema, plan and options as f: cannot fail. */
		w->f = pp_feat_new(pp_feat_plan(f), in, pp_feat_opts(f),
		    emit_slot, w, err);
		assert(w->f != NULL);
	}
	for (; p->nth < n; p->nth++)
		if ((rc = pthread_create(&p->w[p->nth].th, NULL, worker_main,
		    &p->w[p->nth])) != 0) {
			pp_err_errno(err, rc, "cannot start an engine thread");
			shards_free(p);
			return NULL;
		}
	return p;
}

/* Copy row (one of r's, valid until the next read) into batch b, for the
 * worker its symbol hashes to. */
static void
add_row(struct shards *p, struct batch *b, const union pp_cell *row,
    long symcol, long line)
{
	union pp_cell *c = b->in + b->n * p->nin;
	const union pp_cell *sym = &row[symcol];
	size_t j;

	memcpy(c, row, p->nin * sizeof(*c));
	for (j = 0; j < p->nintext; j++) {
		size_t k = p->intext[j];

		c[k].s.p = (const char *)(uintptr_t)b->intext.len;
		pp_buf_add(&b->intext, row[k].s.p, row[k].s.len);
	}
	b->shard[b->n] = (unsigned char)(pp_hash_bytes(sym->s.p, sym->s.len) %
	    p->nw);
	b->line[b->n] = line;
	b->has[b->n] = S_NONE;
	b->n++;
}

/* Hand the batch being filled to the workers. */
static void
hand(struct shards *p)
{
	struct batch *b = slot(p, p->filled);
	size_t i, j;

	/* Text was kept as offsets while the buffer could still move. */
	for (i = 0; i < b->n; i++)
		for (j = 0; j < p->nintext; j++) {
			union pp_cell *c = &b->in[i * p->nin + p->intext[j]];

			c->s.p = b->intext.data + (size_t)(uintptr_t)c->s.p;
		}
	pthread_mutex_lock(&p->mu);
	b->pending = (int)p->nw;
	b->ready = 1;
	p->filled++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Write an output row kept by keep_row, its text in text: the offsets
 * become pointers in place (the row is written once). */
static int
write_kept(struct shards *p, struct pp_feat_loop *l, union pp_cell *kept,
    const struct pp_buf *text, struct pp_err *err)
{
	size_t j;

	for (j = 0; j < p->nouttext; j++) {
		union pp_cell *c = &kept[p->outtext[j]];

		c->s.p = text->data + (size_t)(uintptr_t)c->s.p;
	}
	return pp_feat_write(l, kept, err);
}

/*
 * Wait until the workers are done with batch k, then write its slots in
 * order: a row, nothing, or an error handled as run_one handles it.
 * Returns 0, or -1 with err set (a failed write, or a fatal row).
 */
static int
write_batch(struct shards *p, size_t k, struct pp_reader *r,
    struct pp_feat_loop *l, struct pp_err *err)
{
	struct batch *b = slot(p, k);
	size_t i, at[MAX_SHARDS] = { 0 };

	pthread_mutex_lock(&p->mu);
	while (b->pending > 0)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < b->n; i++) {
		unsigned w = b->shard[i];

		if (b->has[i] == S_ROW && write_kept(p, l, b->out + i * p->nout,
		    &b->otext[w], err) == -1)
			return -1;
		if (b->has[i] != S_ERR)
			continue;
		*err = b->errs[w].v[at[w]++];
		pp_err_prefix(err, "%s:%ld", pp_reader_name(r), b->line[i]);
		if (!l->skip_bad)
			return -1;
		l->skipped++;
		pp_err_clear(err);
	}
	b->n = 0;
	b->ready = 0;
	pp_buf_reset(&b->intext);
	return 0;
}

/* Write what the workers' engines still held at the end, merged by
 * sequence number. */
static int
write_tails(struct shards *p, struct pp_feat_loop *l, struct pp_err *err)
{
	size_t at[MAX_SHARDS] = { 0 }, i, best;

	for (;;) {
		best = p->nw;
		for (i = 0; i < p->nw; i++)
			if (at[i] < p->w[i].tail.n && (best == p->nw ||
			    p->w[i].tail.seq[at[i]] <
			    p->w[best].tail.seq[at[best]]))
				best = i;
		if (best == p->nw)
			return 0;
		if (write_kept(p, l, p->w[best].tail.cells + at[best] * p->nout,
		    &p->w[best].tail.text, err) == -1)
			return -1;
		at[best]++;
	}
}

/* The sharded loop (see the top of the file). */
static int
run_sharded(struct pp_feat *f, struct pp_reader *r, struct pp_feat_loop *l,
    struct pp_err *err)
{
	long symcol = pp_schema_find(pp_reader_schema(r), "symbol");
	size_t written = 0, n = (size_t)l->threads;
	const union pp_cell *row;
	struct pp_err rerr = PP_ERR_INIT;
	struct shards *p;
	int got, rc = -1;

	if ((p = shards_new(f, r, n > MAX_SHARDS ? MAX_SHARDS : n, err)) ==
	    NULL)
		return -1;
	while ((got = pp_reader_next(r, &row, &rerr)) != 0) {
		if (++l->nread % 65536 == 0 && l->progress != NULL)
			l->progress(l->nread, "rows", 0);
		if (got == -1) {
			if (!(l->skip_bad && pp_reader_can_skip(r)))
				break;	/* after the rows before it */
			l->skipped++;
			pp_err_clear(&rerr);
			continue;
		}
		add_row(p, slot(p, p->filled), row, symcol, pp_reader_line(r));
		if (slot(p, p->filled)->n < BATCH)
			continue;
		hand(p);
		/* The ring is full: the oldest batch goes out first. */
		if (p->filled - written == NBATCH &&
		    write_batch(p, written++, r, l, err) == -1)
			goto out;
	}
	if (slot(p, p->filled)->n > 0)
		hand(p);
	pthread_mutex_lock(&p->mu);
	p->done = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	while (written < p->filled)
		if (write_batch(p, written++, r, l, err) == -1)
			goto out;
	if (got == -1) {
		*err = rerr;
		goto out;
	}
	/* The workers finish their engines and stop. */
	for (; p->nth > 0; p->nth--)
		pthread_join(p->w[p->nth - 1].th, NULL);
	rc = write_tails(p, l, err);
out:
	shards_free(p);
	return rc;
}

int
pp_feat_run(struct pp_feat *f, struct pp_reader *r, struct pp_feat_loop *l,
    struct pp_err *err)
{
	const struct pp_schema *in = pp_reader_schema(r);

	if (l->threads > 1 && !l->live &&
	    pp_plan_stages(pp_feat_plan(f)) == 1 &&
	    pp_schema_find(in, "symbol") >= 0)
		return run_sharded(f, r, l, err);
	return run_one(f, r, l, err);
}
