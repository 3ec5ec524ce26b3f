/*
 * ind_trend.c - trend-following averages and lines: sar, kama, t3, zlema
 * and evwma (recursive), vwma, hma, alma, linearreg and tsf (windows).
 *
 * The recursive ones skip a row with a missing input and carry on from
 * the last valid row (indicators.h, "Missing values"); where they also
 * look back a fixed number of rows (kama, zlema, evwma), those are valid
 * rows, kept in a ring.  The window ones are NaN while a row with a
 * missing input is in the window.
 */
#include <math.h>
#include <string.h>

#include "ind_impl.h"
#include "banned.h"

#define N(p) ((long)(p)[0])
#define AT(st, off) ((void *)((char *)(st) + (off)))

/* ---- a ring of the last valid inputs ----------------------------------------- */

/* The last n values pushed, for functions that look back n valid rows. */
struct ring {
	long n;			/* capacity */
	long pos;		/* slot of the oldest value, next to write */
	long long count;	/* values pushed */
	double pad;		/* keeps the values 16-aligned */
	double v[];		/* n values */
};

static size_t
ring_size(long n)
{
	return IND_ROUND(sizeof(struct ring) + (size_t)n * sizeof(double));
}

static void
ring_init(struct ring *r, long n)
{
	r->n = n;
	r->pos = 0;
	r->count = 0;
	r->pad = 0;
}

/* The value pushed k pushes ago (1 <= k <= n), NaN if there was none. */
static double
ring_ago(const struct ring *r, long k)
{
	long i = r->pos - k;

	if (k > r->count)
		return NAN;
	return r->v[i < 0 ? i + r->n : i];
}

static void
ring_push(struct ring *r, double x)
{
	r->v[r->pos] = x;
	if (++r->pos == r->n)
		r->pos = 0;
	r->count++;
}

_Static_assert(sizeof(struct ring) % 16 == 0, "ring values 16-aligned");

/* ---- sar -------------------------------------------------------------------- */

/*
 * TA-Lib's parabolic SAR.  The first trend is short when row 1's down
 * move (the previous low - low) is positive and larger than its up move,
 * long otherwise; a long trend starts with the SAR at row 0's low and
 * the extreme point at row 1's high (a short one mirrors it).  Then each
 * row outputs the SAR computed on the row before, unless the row
 * penetrates it: the trend reverses and the SAR becomes the extreme
 * point, kept outside this and the previous row's range.  The
 * acceleration starts at accel, grows by accel with each new extreme and
 * stops at max; the next SAR moves by acceleration times (extreme - SAR)
 * and may not enter this or the previous row's range.  On row 1 the
 * "previous row" is row 1 itself, as in TA-Lib.
 */
struct sar {
	double accel, max;	/* parameters (accel no larger than max) */
	long long rows;		/* valid rows seen */
	int islong;		/* the current trend */
	double af;		/* acceleration */
	double ep;		/* extreme point */
	double sar;		/* the SAR for the next row */
	double ph, pl;		/* the previous row's high and low */
};

long
ind_sar_warmup(const double *p)
{
	(void)p;
	return 1;
}

size_t
ind_sar_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct sar));
}

int
ind_sar_init(void *st, const double *p, struct pp_err *err)
{
	struct sar *s = st;

	if (ind_check("sar", p, err) == -1)
		return -1;
	memset(s, 0, sizeof(*s));
	s->max = p[1];
	s->accel = fmin(p[0], p[1]);
	return 0;
}

/* Keep the SAR out of the range of the last two rows: below both lows in
 * a long trend, above both highs in a short one. */
static double
sar_clamp(const struct sar *s, double v, double h, double l)
{
	if (s->islong)
		return fmin(v, fmin(s->pl, l));
	return fmax(v, fmax(s->ph, h));
}

void
ind_sar_step(void *st, const double *in, double *out)
{
	struct sar *s = st;
	double h = in[0], l = in[1];

	out[0] = NAN;
	if (ind_anynan(in, 2))
		return;
	if (s->rows++ == 0) {
		s->ph = h;
		s->pl = l;
		return;
	}
	if (s->rows == 2) {
		double down = s->pl - l, up = h - s->ph;

		s->islong = !(down > 0 && up < down);
		s->sar = s->islong ? s->pl : s->ph;
		s->ep = s->islong ? h : l;
		s->af = s->accel;
		s->ph = h;
		s->pl = l;
	}
	if (s->islong ? l <= s->sar : h >= s->sar) {
		s->islong = !s->islong;
		s->sar = sar_clamp(s, s->ep, h, l);
		out[0] = s->sar;
		s->af = s->accel;
		s->ep = s->islong ? h : l;
	} else {
		out[0] = s->sar;
		if (s->islong ? h > s->ep : l < s->ep) {
			s->ep = s->islong ? h : l;
			s->af = fmin(s->af + s->accel, s->max);
		}
	}
	s->sar = sar_clamp(s, s->sar + s->af * (s->ep - s->sar), h, l);
	s->ph = h;
	s->pl = l;
}

/* ---- kama ------------------------------------------------------------------- */

/*
 * TA-Lib's KAMA: the efficiency ratio er = |x[t] - x[t-n]| / (sum of the
 * last n |one-row changes|), 1 when that sum is 0; the smoothing constant
 * sc = (er (2/3 - 2/31) + 2/31)^2 (fast 2, slow 30, fixed as in TA-Lib);
 * k += sc (x - k), starting from k = x[n-1].  The change sum is kept with
 * compensation and recomputed from the ring every n values.
 */
struct kama {
	double k;		/* the average */
	double s, c;		/* compensated sum of the last n |changes| */
	double pad;		/* keeps the ring 16-aligned */
};				/* then a ring of the last n + 1 valid inputs */

_Static_assert(sizeof(struct kama) % 16 == 0, "ring 16-aligned");

long
ind_kama_warmup(const double *p)
{
	return N(p);
}

size_t
ind_kama_size(const double *p)
{
	return sizeof(struct kama) + ring_size(N(p) + 1);
}

int
ind_kama_init(void *st, const double *p, struct pp_err *err)
{
	struct kama *k = st;

	if (ind_check("kama", p, err) == -1)
		return -1;
	k->k = NAN;
	k->s = k->c = k->pad = 0;
	ring_init((void *)(k + 1), N(p) + 1);
	return 0;
}

void
ind_kama_step(void *st, const double *in, double *out)
{
	struct kama *k = st;
	struct ring *r = (void *)(k + 1);
	long n = r->n - 1, i;
	double x = in[0], prev, old, sum, er, sc;

	out[0] = NAN;
	if (isnan(x))
		return;
	prev = ring_ago(r, 1);
	old = ring_ago(r, n);		/* x[t-n] once x is pushed */
	if (!isnan(prev))
		ind_nadd(&k->s, &k->c, fabs(x - prev));
	if (r->count > n) {
		double o1 = ring_ago(r, n + 1);

		ind_nadd(&k->s, &k->c, -fabs(old - o1));
	}
	ring_push(r, x);
	if (r->count % n == 0 && r->count > n) {
		k->s = k->c = 0;
		for (i = 1; i <= n; i++)
			ind_nadd(&k->s, &k->c,
			    fabs(ring_ago(r, i) - ring_ago(r, i + 1)));
	}
	if (r->count == n)
		k->k = x;
	if (r->count <= n)
		return;
	sum = k->s + k->c;
	er = sum > 0 ? fmin(fabs(x - old) / sum, 1) : 1;
	sc = er * (2.0 / 3 - 2.0 / 31) + 2.0 / 31;
	sc *= sc;
	k->k = (x - k->k) * sc + k->k;
	out[0] = k->k;
}

/* ---- t3 -------------------------------------------------------------------- */

/*
 * Tillson's T3 as TA-Lib: six chained EMAs of period n, each seeded with
 * the mean of its first n inputs, combined as c1 e6 + c2 e5 + c3 e4 + c4
 * e3 with a = v: c1 = -a^3, c2 = 3a^2 + 3a^3, c3 = -6a^2 - 3a - 3a^3, c4 =
 * 1 + 3a + a^3 + 3a^2.
 */
struct t3 {
	struct ind_stage e[6];	/* the chain */
	double c[4];		/* c1 .. c4 */
};

long
ind_t3_warmup(const double *p)
{
	return 6 * (N(p) - 1);
}

size_t
ind_t3_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct t3));
}

int
ind_t3_init(void *st, const double *p, struct pp_err *err)
{
	struct t3 *t = st;
	double a = p[1];
	int i;

	if (ind_check("t3", p, err) == -1)
		return -1;
	for (i = 0; i < 6; i++)
		ind_stage_init(&t->e[i], N(p), 0, 2 / (p[0] + 1));
	t->c[0] = -a * a * a;
	t->c[1] = 3 * a * a + 3 * a * a * a;
	t->c[2] = -6 * a * a - 3 * a - 3 * a * a * a;
	t->c[3] = 1 + 3 * a + a * a * a + 3 * a * a;
	return 0;
}

void
ind_t3_step(void *st, const double *in, double *out)
{
	struct t3 *t = st;
	double v = in[0], e[6];
	int i;

	out[0] = NAN;
	if (isnan(v))
		return;
	for (i = 0; i < 6; i++) {
		e[i] = ind_stage_push(&t->e[i], v);
		if (isnan(e[i]))
			return;
		v = e[i];
	}
	out[0] = t->c[0] * e[5] + t->c[1] * e[4] + t->c[2] * e[3] +
	    t->c[3] * e[2];
}

/* ---- zlema -------------------------------------------------------------------- */

/*
 * TTR's ZLEMA: an EMA (alpha 2/(n+1), seeded with the mean of the first
 * n values) of 2 x[t] - x[t-lag], lag = (n+1)/2; for even n the lag is a
 * half row and x[t-lag] the mean of the two rows around it.
 */
struct zlema {
	long n;			/* period */
	double alpha;		/* 2 / (n + 1) */
	double e;		/* the average, NaN until seeded */
	double seed, seedc;	/* compensated sum of the first n values */
	double pad;		/* keeps the ring 16-aligned */
};				/* then a ring of the last lag + 1 inputs */

_Static_assert(sizeof(struct zlema) % 16 == 0, "ring 16-aligned");

long
ind_zlema_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_zlema_size(const double *p)
{
	return sizeof(struct zlema) + ring_size(N(p) / 2 + 2);
}

int
ind_zlema_init(void *st, const double *p, struct pp_err *err)
{
	struct zlema *z = st;

	if (ind_check("zlema", p, err) == -1)
		return -1;
	z->n = N(p);
	z->alpha = 2 / (p[0] + 1);
	z->e = NAN;
	z->seed = z->seedc = z->pad = 0;
	ring_init((void *)(z + 1), N(p) / 2 + 2);
	return 0;
}

void
ind_zlema_step(void *st, const double *in, double *out)
{
	struct zlema *z = st;
	struct ring *r = (void *)(z + 1);
	long n = z->n, lag = (n + 1) / 2;
	double x = in[0], back;

	out[0] = NAN;
	if (isnan(x))
		return;
	if (n % 2)
		back = ring_ago(r, lag);
	else
		back = (ring_ago(r, lag) + ring_ago(r, lag + 1)) / 2;
	ring_push(r, x);
	if (r->count <= n) {
		ind_nadd(&z->seed, &z->seedc, x);
		if (r->count == n)
			z->e = (z->seed + z->seedc) / (double)n;
		out[0] = z->e;
		return;
	}
	z->e = z->alpha * (2 * x - back) + (1 - z->alpha) * z->e;
	out[0] = z->e;
}

/* ---- evwma ------------------------------------------------------------------- */

/*
 * TTR's EVWMA: with V the volume of the last n rows, e = ((V - v) e + v
 * x) / V, starting from x at row n-1.  A window without volume leaves e
 * unchanged (TTR's formula gives NaN from there on).  V is compensated
 * and recomputed from the ring every n rows.
 */
struct evwma {
	double e;		/* the average */
	double vs, vc;		/* compensated volume of the last n rows */
	double pad;		/* keeps the ring 16-aligned */
};				/* then a ring of the last n valid volumes */

_Static_assert(sizeof(struct evwma) % 16 == 0, "ring 16-aligned");

long
ind_evwma_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_evwma_size(const double *p)
{
	return sizeof(struct evwma) + ring_size(N(p));
}

int
ind_evwma_init(void *st, const double *p, struct pp_err *err)
{
	struct evwma *w = st;

	if (ind_check("evwma", p, err) == -1)
		return -1;
	w->e = NAN;
	w->vs = w->vc = w->pad = 0;
	ring_init((void *)(w + 1), N(p));
	return 0;
}

void
ind_evwma_step(void *st, const double *in, double *out)
{
	struct evwma *w = st;
	struct ring *r = (void *)(w + 1);
	double x = in[0], v = in[1], vol;
	long i;

	out[0] = NAN;
	if (ind_anynan(in, 2))
		return;
	if (r->count >= r->n)
		ind_nadd(&w->vs, &w->vc, -ring_ago(r, r->n));
	ind_nadd(&w->vs, &w->vc, v);
	ring_push(r, v);
	if (r->pos == 0) {
		w->vs = w->vc = 0;
		for (i = 0; i < r->n; i++)
			ind_nadd(&w->vs, &w->vc, r->v[i]);
	}
	if (r->count < r->n)
		return;
	vol = w->vs + w->vc;
	if (r->count == r->n)
		w->e = x;
	else if (vol != 0)
		w->e = ((vol - v) * w->e + v * x) / vol;
	out[0] = w->e;
}

/* ---- vwma -------------------------------------------------------------------- */

long
ind_vwma_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_vwma_size(const double *p)
{
	return ind_win_size(N(p), 2);
}

int
ind_vwma_init(void *st, const double *p, struct pp_err *err)
{
	if (ind_check("vwma", p, err) == -1)
		return -1;
	ind_win_init(st, N(p), 2, 1);
	return 0;
}

void
ind_vwma_step(void *st, const double *in, double *out)
{
	double v;

	if (!ind_win_push(st, in[0] * in[1], in[1])) {
		out[0] = NAN;
		return;
	}
	v = ind_win_sumy(st);
	out[0] = v != 0 ? ind_win_sumx(st) / v : NAN;
}

/* ---- hma --------------------------------------------------------------------- */

/* Hull's average as TTR's HMA: wma(2 wma(x, n/2) - wma(x, n), sqrt(n)),
 * n/2 and sqrt(n) rounded down. */
struct hma {
	size_t off[3];		/* offsets of wma(n/2), wma(n), the outer */
	double pad;		/* keeps the blocks 16-aligned */
};

static void
hma_periods(const double *p, double *q)
{
	q[0] = floor(p[0] / 2);
	q[1] = p[0];
	q[2] = floor(sqrt(p[0]));
}

long
ind_hma_warmup(const double *p)
{
	double q[3];

	hma_periods(p, q);
	return (long)(q[1] + q[2]) - 2;
}

size_t
ind_hma_size(const double *p)
{
	double q[3];

	hma_periods(p, q);
	return sizeof(struct hma) + ind_wma_size(&q[0]) + ind_wma_size(&q[1]) +
	    ind_wma_size(&q[2]);
}

int
ind_hma_init(void *st, const double *p, struct pp_err *err)
{
	struct hma *h = st;
	size_t off = sizeof(*h);
	double q[3];
	int i;

	if (ind_check("hma", p, err) == -1)
		return -1;
	hma_periods(p, q);
	h->pad = 0;
	for (i = 0; i < 3; i++) {
		h->off[i] = off;
		if (ind_wma_init(AT(st, off), &q[i], err) == -1)
			return -1;
		off += ind_wma_size(&q[i]);
	}
	return 0;
}

void
ind_hma_step(void *st, const double *in, double *out)
{
	struct hma *h = st;
	double a, b, d;

	ind_wma_step(AT(st, h->off[0]), in, &a);
	ind_wma_step(AT(st, h->off[1]), in, &b);
	d = 2 * a - b;
	ind_wma_step(AT(st, h->off[2]), &d, out);
}

/* ---- alma -------------------------------------------------------------------- */

/*
 * Arnaud Legoux's average as TTR's ALMA: Gaussian weights exp(-(i -
 * m)^2 / (2 s^2)) over the window, i = 0 the oldest row, m = floor(offset
 * (n - 1)), s = n / sigma, normalised to sum 1.  The weights have no O(1)
 * update, so each row costs O(n), as cci's.
 */
struct alma {
	long n;			/* window length */
	long pos;		/* ring slot for the next row */
	long long rows;		/* rows seen */
	long long lastnan;	/* latest row with a NaN, or -1 */
	double v[];		/* n weights, then the ring of n inputs */
};

long
ind_alma_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_alma_size(const double *p)
{
	return IND_ROUND(sizeof(struct alma) +
	    2 * (size_t)N(p) * sizeof(double));
}

int
ind_alma_init(void *st, const double *p, struct pp_err *err)
{
	struct alma *a = st;
	double m, s, sum = 0;
	long i, n = N(p);

	if (ind_check("alma", p, err) == -1)
		return -1;
	a->n = n;
	a->pos = 0;
	a->rows = 0;
	a->lastnan = -1;
	m = floor(p[1] * (double)(n - 1));
	s = (double)n / p[2];
	for (i = 0; i < n; i++) {
		a->v[i] = exp(-((double)i - m) * ((double)i - m) / (2 * s * s));
		sum += a->v[i];
	}
	for (i = 0; i < n; i++)
		a->v[i] /= sum;
	return 0;
}

void
ind_alma_step(void *st, const double *in, double *out)
{
	struct alma *a = st;
	double *ring = a->v + a->n, s = 0;
	long i, j;

	if (isnan(in[0]))
		a->lastnan = a->rows;
	ring[a->pos] = in[0];
	if (++a->pos == a->n)
		a->pos = 0;
	a->rows++;
	if (a->rows < a->n || a->rows - 1 - a->lastnan < a->n) {
		out[0] = NAN;
		return;
	}
	for (i = 0, j = a->pos; i < a->n; i++, j = j + 1 == a->n ? 0 : j + 1)
		s += a->v[i] * ring[j];
	out[0] = s;
}

/* ---- linearreg, tsf ------------------------------------------------------------ */

/*
 * The least-squares line through the last n values against k = 0 (the
 * oldest) .. n-1, as TA-Lib's LINEARREG family: slope m, intercept b at
 * k = 0, value b + m (n-1) (LINEARREG), angle atan(m) in degrees, and tsf
 * = b + m n, the line one row ahead (TSF).  The window keeps S = sum u and
 * W = sum (k+1) u of u = x - K, K the window's mean at the last
 * recomputation, updated in O(1) as wma's sums are (compensated, and
 * recomputed from the ring whenever it wraps); then sum (k - kbar) x =
 * W - S (n+1)/2 and m = that over n (n^2 - 1) / 12.
 */
struct lin {
	long n;			/* window length */
	long pos;		/* ring slot of the oldest row */
	long long rows;		/* rows seen */
	long long lastnan;	/* latest row with a NaN, or -1 */
	double k;		/* shift K */
	double w, wc;		/* weighted sum, compensation */
	double s, sc;		/* plain sum, compensation */
	double pad;		/* keeps the ring 16-aligned */
	double ring[];		/* the last n inputs */
};

static size_t
size_lin(const double *p)
{
	return IND_ROUND(sizeof(struct lin) + (size_t)N(p) * sizeof(double));
}

static int
init_lin(const char *name, void *st, const double *p, struct pp_err *err)
{
	struct lin *l = st;

	if (ind_check(name, p, err) == -1)
		return -1;
	memset(l, 0, sizeof(*l));
	l->n = N(p);
	l->lastnan = -1;
	l->k = NAN;
	return 0;
}

/* Push x; 1 with the mean and the slope when the window is clean. */
static int
lin_push(struct lin *l, double x, double *mean, double *slope)
{
	double n = (double)l->n, u, old;
	long i;

	if (isnan(l->k) && !isnan(x))
		l->k = x;
	u = isnan(x) ? 0 : x - l->k;
	old = l->rows >= l->n && !isnan(l->ring[l->pos]) ?
	    l->ring[l->pos] - l->k : 0;
	if (isnan(x))
		l->lastnan = l->rows;
	ind_nadd(&l->w, &l->wc, -(l->s + l->sc));
	ind_nadd(&l->w, &l->wc, n * u);
	ind_nadd(&l->s, &l->sc, -old);
	ind_nadd(&l->s, &l->sc, u);
	l->ring[l->pos] = x;
	l->rows++;
	if (++l->pos == l->n) {
		double sum = 0, cnt = 0;

		l->pos = 0;
		for (i = 0; i < l->n; i++)
			if (!isnan(l->ring[i])) {
				sum += l->ring[i];
				cnt++;
			}
		if (cnt > 0)
			l->k = sum / cnt;
		l->w = l->wc = l->s = l->sc = 0;
		for (i = 0; i < l->n; i++) {
			double r = isnan(l->ring[i]) ? 0 : l->ring[i] - l->k;

			ind_nadd(&l->w, &l->wc, (double)(i + 1) * r);
			ind_nadd(&l->s, &l->sc, r);
		}
	}
	if (l->rows < l->n || l->rows - 1 - l->lastnan < l->n)
		return 0;
	*mean = l->k + (l->s + l->sc) / n;
	*slope = ((l->w + l->wc) - (l->s + l->sc) * (n + 1) / 2) /
	    (n * (n * n - 1) / 12);
	return 1;
}

long
ind_linearreg_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_linearreg_size(const double *p)
{
	return size_lin(p);
}

int
ind_linearreg_init(void *st, const double *p, struct pp_err *err)
{
	return init_lin("linearreg", st, p, err);
}

void
ind_linearreg_step(void *st, const double *in, double *out)
{
	double mean, m, n = (double)((struct lin *)st)->n;

	if (!lin_push(st, in[0], &mean, &m)) {
		out[0] = out[1] = out[2] = out[3] = NAN;
		return;
	}
	out[0] = mean + m * (n - 1) / 2;
	out[1] = m;
	out[2] = mean - m * (n - 1) / 2;
	out[3] = atan(m) * (180 / 3.14159265358979323846);
}

long
ind_tsf_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_tsf_size(const double *p)
{
	return size_lin(p);
}

int
ind_tsf_init(void *st, const double *p, struct pp_err *err)
{
	return init_lin("tsf", st, p, err);
}

void
ind_tsf_step(void *st, const double *in, double *out)
{
	double mean, m, n = (double)((struct lin *)st)->n;

	out[0] = lin_push(st, in[0], &mean, &m) ? mean + m * (n + 1) / 2
	    : NAN;
}
