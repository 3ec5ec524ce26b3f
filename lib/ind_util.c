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
	w->hx = w->hy = 0;
}

/* Add (sign 1) or remove (sign -1) one valid row from the sums. */
static void
update(struct ind_win *w, double sign, double x, double y)
{
	double u = x - w->kx, v;

	ind_nadd(&w->s[WS_U], &w->c[WS_U], sign * u);
	w->nzx += x != 0 ? (int)sign : 0;
	w->hx = fmax(w->hx, fabs(u));
	if (w->moments == 2)
		ind_nadd(&w->s[WS_UU], &w->c[WS_UU], sign * u * u);
	else
		ind_nadd(&w->s[WS_AX], &w->c[WS_AX], sign * fabs(x));
	if (w->nser == 1)
		return;
	v = y - w->ky;
	ind_nadd(&w->s[WS_V], &w->c[WS_V], sign * v);
	w->nzy += y != 0 ? (int)sign : 0;
	w->hy = fmax(w->hy, fabs(v));
	if (w->moments == 2) {
		ind_nadd(&w->s[WS_VV], &w->c[WS_VV], sign * v * v);
		ind_nadd(&w->s[WS_UV], &w->c[WS_UV], sign * u * v);
	} else {
		ind_nadd(&w->s[WS_AY], &w->c[WS_AY], sign * fabs(y));
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

/* Sum k with its compensation; an overflowed sum is just infinite (its
 * compensation is NaN then). */
static double
sum_of(const struct ind_win *w, int k)
{
	return isinf(w->s[k]) ? w->s[k] : w->s[k] + w->c[k];
}

/* sum (a - mean a)(b - mean b) from the shifted sums sa, sb, sab. */
static double
comoment(const struct ind_win *w, int a, int b, int ab)
{
	double sa = sum_of(w, a), sb = sum_of(w, b);

	return sum_of(w, ab) - sa * sb / (double)w->nvalid;
}

/*
 * Whether the sums of one series can no longer be trusted to give its
 * moments to about 1e-12 of the window's own scale, so that they must be
 * recomputed now rather than when the ring wraps.  The shifted values
 * u = x - K carry a rounding error of eps |u| each, and so do their
 * squares (of eps u^2); compensation removes the summation error, not
 * those.  That is harmless while every |u| summed since the last
 * recomputation (h) is of the order of the window's spread, and fatal
 * when a value many orders larger has left the window (1e10, 1, 2, 3:
 * var(x, 2) came out 0) or the window has moved many orders away from K.
 * So: with squares, recompute when sum u^2 exceeds the centred moment m
 * by 2^8 (eight bits lost to the correction term) or h^2 exceeds it by
 * 2^20; without squares, when h exceeds 2^8 times sum |x|.  Just after a
 * recomputation none of these holds (|u| <= 2 max |x|, the correction is
 * nil), so a steady window never recomputes twice in a row, and smooth
 * data (trends, random walks) stays far below the thresholds: the O(n)
 * rescan happens when a spike leaves the window or the scale collapses,
 * which is rare, and bounded by one rescan per row in the worst case.
 * A NaN sum (an overflowed square leaving as inf - inf) also rescans.
 */
static int
stale_series(const struct ind_win *w, int a, int aa, int abs, double h)
{
	double m, saa;

	if (w->moments == 2) {
		saa = sum_of(w, aa);
		m = comoment(w, a, a, aa);
		return isnan(m) || saa > 0x1p8 * m || h * h > 0x1p20 * m;
	}
	return isnan(w->s[a]) || h > 0x1p8 * sum_of(w, abs);
}

static int
stale(const struct ind_win *w)
{
	if (stale_series(w, WS_U, WS_UU, WS_AX, w->hx))
		return 1;
	return w->nser == 2 && stale_series(w, WS_V, WS_VV, WS_AY, w->hy);
}

int
ind_win_push(struct ind_win *w, double x, double y)
{
	double *slot = w->ring + w->pos * w->nser;
	int bad = isnan(x) || (w->nser == 2 && isnan(y)), clean;

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
	clean = w->rows >= w->n && w->rows - 1 - w->lastnan >= w->n;
	if (++w->pos == w->n) {
		w->pos = 0;
		recompute(w);
	} else if (clean && stale(w)) {
		recompute(w);
	}
	return clean;
}

double
ind_win_sumx(const struct ind_win *w)
{
	if (w->nzx == 0)
		return 0;
	return (double)w->nvalid * w->kx + sum_of(w, WS_U);
}

double
ind_win_sumy(const struct ind_win *w)
{
	if (w->nzy == 0)
		return 0;
	return (double)w->nvalid * w->ky + sum_of(w, WS_V);
}

double
ind_win_meanx(const struct ind_win *w)
{
	if (w->runx >= w->n)
		return w->lastx;
	return w->kx + sum_of(w, WS_U) / (double)w->nvalid;
}

/* A sum of squares: >= 0, and infinite when it was NaN, which over finite
 * inputs only inf - inf (an overflowed square) makes. */
static double
overflowed_or_clamped(double m)
{
	return m > 0 ? m : isnan(m) ? INFINITY : 0;
}

double
ind_win_mxx(const struct ind_win *w)
{
	double m;

	if (w->runx >= w->n)
		return 0;
	m = comoment(w, WS_U, WS_U, WS_UU);
	return overflowed_or_clamped(m);
}

double
ind_win_myy(const struct ind_win *w)
{
	double m;

	if (w->runy >= w->n)
		return 0;
	m = comoment(w, WS_V, WS_V, WS_VV);
	return overflowed_or_clamped(m);
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
