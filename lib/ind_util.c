/*
 * ind_util.c - the building blocks of the indicators: a rolling window
 * with drift-free sums, a rolling minimum/maximum deque and an EMA stage.
 * Contracts in ind_impl.h; why the window sums are built this way is in
 * indicators.h ("Running sums and drift").
 */
#include <math.h>
#include <string.h>

#include "ind_impl.h"
#include "banned.h"

/* ---- rolling window ---------------------------------------------------- */

size_t
ind_win_size(long n, int nser)
{
	return IND_ROUND(sizeof(struct ind_win) +
	    (size_t)n * (size_t)nser * sizeof(double));
}

void
ind_win_init(struct ind_win *w, long n, int nser, int moments)
{
	memset(w, 0, sizeof(*w));
	w->n = n;
	w->nser = nser;
	w->moments = moments;
	w->lastnan = -1;
	w->lastx = NAN;
	w->lasty = NAN;
}

static void
clear_sums(struct ind_win *w)
{
	memset(w->s, 0, sizeof(w->s));
	memset(w->c, 0, sizeof(w->c));
}

/* Add (sign 1) or remove (sign -1) one valid row from the sums. */
static void
update(struct ind_win *w, double sign, double x, double y)
{
	double u = x - w->kx, v;

	ind_nadd(&w->s[WS_U], &w->c[WS_U], sign * u);
	w->nzx += x != 0 ? (int)sign : 0;
	if (w->moments == 2)
		ind_nadd(&w->s[WS_UU], &w->c[WS_UU], sign * u * u);
	if (w->nser == 1)
		return;
	v = y - w->ky;
	ind_nadd(&w->s[WS_V], &w->c[WS_V], sign * v);
	w->nzy += y != 0 ? (int)sign : 0;
	if (w->moments == 2) {
		ind_nadd(&w->s[WS_VV], &w->c[WS_VV], sign * v * v);
		ind_nadd(&w->s[WS_UV], &w->c[WS_UV], sign * u * v);
	}
}

/* Recompute the sums from the ring, centred on the window's means. */
static void
recompute(struct ind_win *w)
{
	double sx = 0, cx = 0, sy = 0, cy = 0;
	long i;

	clear_sums(w);
	w->nzx = w->nzy = 0;
	w->kx = w->ky = 0;
	if (w->nvalid == 0)
		return;
	for (i = 0; i < w->n; i++) {
		const double *r = w->ring + i * w->nser;

		if (isnan(r[0]))
			continue;
		ind_nadd(&sx, &cx, r[0]);
		if (w->nser == 2)
			ind_nadd(&sy, &cy, r[1]);
	}
	w->kx = (sx + cx) / (double)w->nvalid;
	w->ky = (sy + cy) / (double)w->nvalid;
	for (i = 0; i < w->n; i++) {
		const double *r = w->ring + i * w->nser;

		if (!isnan(r[0]))
			update(w, 1, r[0], w->nser == 2 ? r[1] : 0);
	}
}

int
ind_win_push(struct ind_win *w, double x, double y)
{
	double *slot = w->ring + w->pos * w->nser;
	int bad = isnan(x) || (w->nser == 2 && isnan(y));

	if (w->rows >= w->n && !isnan(slot[0])) {
		update(w, -1, slot[0], w->nser == 2 ? slot[1] : 0);
		w->nvalid--;
	}
	if (bad) {
		x = y = NAN;
		w->lastnan = w->rows;
	} else {
		if (w->nvalid == 0) {
			/* Start the shifts at the data, not at 0. */
			clear_sums(w);
			w->nzx = w->nzy = 0;
			w->kx = x;
			w->ky = w->nser == 2 ? y : 0;
		}
		update(w, 1, x, y);
		w->nvalid++;
	}
	/* Runs of equal values, so a constant window is known exactly. */
	w->runx = x == w->lastx ? w->runx + 1 : 1;
	w->runy = y == w->lasty ? w->runy + 1 : 1;
	w->lastx = x;
	w->lasty = y;
	slot[0] = x;
	if (w->nser == 2)
		slot[1] = y;
	w->rows++;
	if (++w->pos == w->n) {
		w->pos = 0;
		recompute(w);
	}
	return w->rows >= w->n && w->rows - 1 - w->lastnan >= w->n;
}

double
ind_win_sumx(const struct ind_win *w)
{
	if (w->nzx == 0)
		return 0;
	return (double)w->nvalid * w->kx + (w->s[WS_U] + w->c[WS_U]);
}

double
ind_win_sumy(const struct ind_win *w)
{
	if (w->nzy == 0)
		return 0;
	return (double)w->nvalid * w->ky + (w->s[WS_V] + w->c[WS_V]);
}

double
ind_win_meanx(const struct ind_win *w)
{
	if (w->runx >= w->n)
		return w->lastx;
	return w->kx + (w->s[WS_U] + w->c[WS_U]) / (double)w->nvalid;
}

/* sum (a - mean a)(b - mean b) from the shifted sums sa, sb, sab. */
static double
comoment(const struct ind_win *w, int a, int b, int ab)
{
	double sa = w->s[a] + w->c[a], sb = w->s[b] + w->c[b];

	return (w->s[ab] + w->c[ab]) - sa * sb / (double)w->nvalid;
}

double
ind_win_mxx(const struct ind_win *w)
{
	double m;

	if (w->runx >= w->n)
		return 0;
	m = comoment(w, WS_U, WS_U, WS_UU);
	return m > 0 ? m : 0;
}

double
ind_win_myy(const struct ind_win *w)
{
	double m;

	if (w->runy >= w->n)
		return 0;
	m = comoment(w, WS_V, WS_V, WS_VV);
	return m > 0 ? m : 0;
}

double
ind_win_mxy(const struct ind_win *w)
{
	if (w->runx >= w->n || w->runy >= w->n)
		return 0;
	return comoment(w, WS_U, WS_V, WS_UV);
}

/* ---- rolling minimum / maximum ----------------------------------------- */

size_t
ind_mq_size(long n)
{
	return IND_ROUND(sizeof(struct ind_mq) +
	    (size_t)n * sizeof(struct ind_mq_ent));
}

void
ind_mq_init(struct ind_mq *q, long n, int ismax)
{
	q->n = n;
	q->head = 0;
	q->len = 0;
	q->ismax = ismax;
}

void
ind_mq_push(struct ind_mq *q, long long row, double v)
{
	long back;

	while (q->len > 0 && q->e[q->head].row <= row - q->n) {
		if (++q->head == q->n)
			q->head = 0;
		q->len--;
	}
	if (isnan(v))
		return;
	/* Entries the new value dominates can never be the extreme again. */
	while (q->len > 0) {
		back = q->head + q->len - 1;
		if (back >= q->n)
			back -= q->n;
		if (q->ismax ? q->e[back].v > v : q->e[back].v < v)
			break;
		q->len--;
	}
	back = q->head + q->len;
	if (back >= q->n)
		back -= q->n;
	q->e[back].row = row;
	q->e[back].v = v;
	q->len++;
}

double
ind_mq_get(const struct ind_mq *q)
{
	return q->len > 0 ? q->e[q->head].v : NAN;
}

/* ---- EMA stage ----------------------------------------------------------- */

void
ind_stage_init(struct ind_stage *s, long n, long skip, double alpha)
{
	s->n = n;
	s->skip = skip;
	s->seen = 0;
	s->alpha = alpha;
	s->sum = 0;
	s->sumc = 0;
	s->e = NAN;
}

double
ind_stage_push(struct ind_stage *s, double x)
{
	long k = ++s->seen - s->skip;

	if (k <= 0)
		return NAN;
	if (k < s->n) {
		ind_nadd(&s->sum, &s->sumc, x);
		return NAN;
	}
	if (k == s->n) {
		ind_nadd(&s->sum, &s->sumc, x);
		s->e = (s->sum + s->sumc) / (double)s->n;
	} else {
		s->e = (x - s->e) * s->alpha + s->e;
	}
	return s->e;
}
