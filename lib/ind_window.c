/*
 * ind_window.c - functions of the last n rows: sma, wma, var, stddev,
 * zscore, bbands, min, max, corr, beta, vwap, willr, stoch, cci, mfi.
 *
 * Each output is NaN until n rows have been seen and while a row with a
 * missing input is inside the window (indicators.h, "Missing values").
 * Sums come from struct ind_win, extremes from struct ind_mq; both are
 * laid out inside the state block at fixed offsets.
 */
#include <math.h>
#include <string.h>

#include "ind_impl.h"
#include "banned.h"

#define N(p) ((long)(p)[0])

_Static_assert(sizeof(struct ind_win) % 8 == 0, "ring after the header");

/* Offsets of sub-blocks inside a state: each size is a multiple of 16. */
#define AT(st, off) ((void *)((char *)(st) + (off)))

static long
warmup_n1(const double *p)
{
	return N(p) - 1;
}

/* ---- single-series windows: sma var stddev zscore bbands ------------------ */

static size_t
size_win1(const double *p)
{
	return ind_win_size(N(p), 1);
}

static int
init_win(const char *name, void *st, const double *p, int nser,
    int moments, struct pp_err *err)
{
	if (ind_check(name, p, err) == -1)
		return -1;
	ind_win_init(st, N(p), nser, moments);
	return 0;
}

long
ind_sma_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_sma_size(const double *p)
{
	return size_win1(p);
}

int
ind_sma_init(void *st, const double *p, struct pp_err *err)
{
	return init_win("sma", st, p, 1, 1, err);
}

void
ind_sma_step(void *st, const double *in, double *out)
{
	out[0] = ind_win_push(st, in[0], 0) ? ind_win_meanx(st) : NAN;
}

/* The var, stddev and zscore states: the window, then ddof. */
struct dev {
	double ddof;		/* 0 population, 1 sample */
	double pad;		/* keeps the window 16-aligned */
};

static size_t
size_dev(const double *p)
{
	return sizeof(struct dev) + ind_win_size(N(p), 1);
}

static int
init_dev(const char *name, void *st, const double *p, struct pp_err *err)
{
	struct dev *d = st;

	if (init_win(name, AT(st, sizeof(*d)), p, 1, 2, err) == -1)
		return -1;
	d->ddof = p[1];
	return 0;
}

/* Window variance with d's ddof, or NaN when the window is not clean. */
static double
dev_var(void *st, double x)
{
	struct dev *d = st;
	struct ind_win *w = AT(st, sizeof(*d));

	if (!ind_win_push(w, x, 0))
		return NAN;
	return ind_win_mxx(w) / ((double)w->n - d->ddof);
}

long
ind_var_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_var_size(const double *p)
{
	return size_dev(p);
}

int
ind_var_init(void *st, const double *p, struct pp_err *err)
{
	return init_dev("var", st, p, err);
}

void
ind_var_step(void *st, const double *in, double *out)
{
	out[0] = dev_var(st, in[0]);
}

long
ind_stddev_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_stddev_size(const double *p)
{
	return size_dev(p);
}

int
ind_stddev_init(void *st, const double *p, struct pp_err *err)
{
	return init_dev("stddev", st, p, err);
}

void
ind_stddev_step(void *st, const double *in, double *out)
{
	out[0] = sqrt(dev_var(st, in[0]));
}

long
ind_zscore_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_zscore_size(const double *p)
{
	return size_dev(p);
}

int
ind_zscore_init(void *st, const double *p, struct pp_err *err)
{
	return init_dev("zscore", st, p, err);
}

void
ind_zscore_step(void *st, const double *in, double *out)
{
	struct ind_win *w = AT(st, sizeof(struct dev));
	double sd = sqrt(dev_var(st, in[0]));

	out[0] = sd > 0 ? (in[0] - ind_win_meanx(w)) / sd : NAN;
}

/* bbands: the window, then k. */
struct bb {
	double k;		/* band width in standard deviations */
	double pad;		/* keeps the window 16-aligned */
};

long
ind_bbands_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_bbands_size(const double *p)
{
	return sizeof(struct bb) + ind_win_size(N(p), 1);
}

int
ind_bbands_init(void *st, const double *p, struct pp_err *err)
{
	struct bb *b = st;

	if (init_win("bbands", AT(st, sizeof(*b)), p, 1, 2, err) == -1)
		return -1;
	b->k = p[1];
	return 0;
}

void
ind_bbands_step(void *st, const double *in, double *out)
{
	struct bb *b = st;
	struct ind_win *w = AT(st, sizeof(*b));
	double mid, sd;

	if (!ind_win_push(w, in[0], 0)) {
		out[0] = out[1] = out[2] = NAN;
		return;
	}
	mid = ind_win_meanx(w);
	sd = sqrt(ind_win_mxx(w) / (double)w->n);
	out[0] = mid + b->k * sd;
	out[1] = mid;
	out[2] = mid - b->k * sd;
}

/* ---- wma ------------------------------------------------------------------ */

/*
 * The weighted sum W = sum i x[t-n+i] moves in O(1): every weight drops
 * by one (subtract the plain sum S of the previous window, which also
 * removes the oldest value, whose weight was 1) and the new value enters
 * with weight n.  Both sums are compensated and recomputed from the ring
 * whenever it wraps; NaN rows count as 0 in them (the output is NaN while
 * one is in the window anyway).  They are also recomputed early when the
 * largest |x| summed since the last recomputation dwarfs the window's
 * sum |x| (a spike of 1e300 has left; S, subtracted whole from W, would
 * carry its rounding error), as the other windows do (ind_util.c).
 */
struct wma {
	long n;			/* window length */
	long pos;		/* ring slot of the oldest row */
	long long rows;		/* rows seen */
	long long lastnan;	/* latest row with a NaN, or -1 */
	double w, wc;		/* weighted sum, compensation */
	double s, sc;		/* plain sum, compensation */
	double a, ac;		/* sum of |x|, compensation */
	double h;		/* largest |x| summed since the recompute */
	double pad;		/* keeps the ring 16-aligned */
	double ring[];		/* the last n inputs */
};

static void
wma_recompute(struct wma *m)
{
	long i, j;

	m->w = m->wc = m->s = m->sc = m->a = m->ac = m->h = 0;
	for (i = 0; i < m->n; i++) {
		/* Oldest first: weights 1 .. n from slot pos on. */
		double r;

		j = m->pos + i < m->n ? m->pos + i : m->pos + i - m->n;
		r = isnan(m->ring[j]) ? 0 : m->ring[j];
		ind_nadd(&m->w, &m->wc, (double)(i + 1) * r);
		ind_nadd(&m->s, &m->sc, r);
		ind_nadd(&m->a, &m->ac, fabs(r));
		m->h = fmax(m->h, fabs(r));
	}
}

long
ind_wma_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_wma_size(const double *p)
{
	return IND_ROUND(sizeof(struct wma) + (size_t)N(p) * sizeof(double));
}

int
ind_wma_init(void *st, const double *p, struct pp_err *err)
{
	struct wma *m = st;

	if (ind_check("wma", p, err) == -1)
		return -1;
	memset(m, 0, sizeof(*m));
	m->n = N(p);
	m->lastnan = -1;
	return 0;
}

void
ind_wma_step(void *st, const double *in, double *out)
{
	struct wma *m = st;
	double x = in[0], v = isnan(x) ? 0 : x;
	double old = m->rows >= m->n ? m->ring[m->pos] : NAN;

	if (isnan(x))
		m->lastnan = m->rows;
	ind_nadd(&m->w, &m->wc, -(m->s + m->sc));
	ind_nadd(&m->w, &m->wc, (double)m->n * v);
	if (!isnan(old)) {
		ind_nadd(&m->s, &m->sc, -old);
		ind_nadd(&m->a, &m->ac, -fabs(old));
	}
	ind_nadd(&m->s, &m->sc, v);
	ind_nadd(&m->a, &m->ac, fabs(v));
	m->h = fmax(m->h, fabs(v));
	m->ring[m->pos] = x;
	m->rows++;
	if (++m->pos == m->n)
		m->pos = 0;
	if (m->pos == 0 ||
	    (m->rows >= m->n && !(m->h <= 0x1p8 * (m->a + m->ac))))
		wma_recompute(m);
	if (m->rows < m->n || m->rows - 1 - m->lastnan < m->n) {
		out[0] = NAN;
		return;
	}
	out[0] = (m->w + m->wc) / ((double)m->n * (double)(m->n + 1) / 2);
}

/* ---- min, max, willr, stoch ------------------------------------------------ */

/* A rolling extreme: row count, NaN tracking, then the deque. */
struct ext {
	long n;			/* window length */
	long long rows;		/* rows seen */
	long long lastnan;	/* latest row with a NaN, or -1 */
	double pad;		/* keeps the deque 16-aligned */
};

static int
ext_clean(const struct ext *e)
{
	return e->rows >= e->n && e->rows - 1 - e->lastnan >= e->n;
}

static void
ext_init(struct ext *e, long n)
{
	e->n = n;
	e->rows = 0;
	e->lastnan = -1;
	e->pad = 0;
}

static size_t
size_ext(const double *p)
{
	return sizeof(struct ext) + ind_mq_size(N(p));
}

static int
init_ext(const char *name, void *st, const double *p, int ismax,
    struct pp_err *err)
{
	if (ind_check(name, p, err) == -1)
		return -1;
	ext_init(st, N(p));
	ind_mq_init(AT(st, sizeof(struct ext)), N(p), ismax);
	return 0;
}

static double
ext_step(void *st, double x)
{
	struct ext *e = st;
	struct ind_mq *q = AT(st, sizeof(*e));

	if (isnan(x))
		e->lastnan = e->rows;
	ind_mq_push(q, e->rows++, x);
	return ext_clean(e) ? ind_mq_get(q) : NAN;
}

long
ind_min_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_min_size(const double *p)
{
	return size_ext(p);
}

int
ind_min_init(void *st, const double *p, struct pp_err *err)
{
	return init_ext("min", st, p, 0, err);
}

void
ind_min_step(void *st, const double *in, double *out)
{
	out[0] = ext_step(st, in[0]);
}

long
ind_max_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_max_size(const double *p)
{
	return size_ext(p);
}

int
ind_max_init(void *st, const double *p, struct pp_err *err)
{
	return init_ext("max", st, p, 1, err);
}

void
ind_max_step(void *st, const double *in, double *out)
{
	out[0] = ext_step(st, in[0]);
}

/* willr and stoch's %K: highest high and lowest low of the last n rows,
 * a row with any NaN among high, low, close counting as missing. */
struct hl {
	struct ext e;		/* rows and NaN tracking */
	size_t qoff;		/* offset of the low deque (high's follows e) */
	double pad;		/* keeps the deques 16-aligned */
};

static size_t
size_hl(long n)
{
	return sizeof(struct hl) + 2 * ind_mq_size(n);
}

static void
hl_init(struct hl *h, long n)
{
	ext_init(&h->e, n);
	h->qoff = sizeof(struct hl) + ind_mq_size(n);
	h->pad = 0;
	ind_mq_init(AT(h, sizeof(struct hl)), n, 1);
	ind_mq_init(AT(h, h->qoff), n, 0);
}

/* Push a high, low, close row; 1 and *hh, *ll set when the window is
 * clean. */
static int
hl_push(struct hl *h, const double *hlc, double *hh, double *ll)
{
	struct ind_mq *qh = AT(h, sizeof(struct hl)), *ql = AT(h, h->qoff);
	int bad = ind_anynan(hlc, 3);
	long long row = h->e.rows++;

	if (bad)
		h->e.lastnan = row;
	ind_mq_push(qh, row, bad ? NAN : hlc[0]);
	ind_mq_push(ql, row, bad ? NAN : hlc[1]);
	if (!ext_clean(&h->e))
		return 0;
	*hh = ind_mq_get(qh);
	*ll = ind_mq_get(ql);
	return 1;
}

long
ind_willr_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_willr_size(const double *p)
{
	return size_hl(N(p));
}

int
ind_willr_init(void *st, const double *p, struct pp_err *err)
{
	if (ind_check("willr", p, err) == -1)
		return -1;
	hl_init(st, N(p));
	return 0;
}

void
ind_willr_step(void *st, const double *in, double *out)
{
	double hh, ll;

	if (!hl_push(st, in, &hh, &ll))
		out[0] = NAN;
	else
		out[0] = hh - ll != 0 ? -100 * ((hh - in[2]) / (hh - ll)) : 0;
}

/* stoch: the high/low block, then the slowk and d windows (plain means). */
struct stoch {
	size_t hloff, koff, doff; /* offsets of the three blocks */
	double pad;		/* keeps the blocks 16-aligned */
};

long
ind_stoch_warmup(const double *p)
{
	return (long)p[0] + (long)p[1] + (long)p[2] - 3;
}

size_t
ind_stoch_size(const double *p)
{
	return sizeof(struct stoch) + size_hl((long)p[0]) +
	    ind_win_size((long)p[1], 1) + ind_win_size((long)p[2], 1);
}

int
ind_stoch_init(void *st, const double *p, struct pp_err *err)
{
	struct stoch *s = st;

	if (ind_check("stoch", p, err) == -1)
		return -1;
	s->hloff = sizeof(*s);
	s->koff = s->hloff + size_hl((long)p[0]);
	s->doff = s->koff + ind_win_size((long)p[1], 1);
	s->pad = 0;
	hl_init(AT(st, s->hloff), (long)p[0]);
	ind_win_init(AT(st, s->koff), (long)p[1], 1, 1);
	ind_win_init(AT(st, s->doff), (long)p[2], 1, 1);
	return 0;
}

void
ind_stoch_step(void *st, const double *in, double *out)
{
	struct stoch *s = st;
	double hh, ll, fastk = NAN, k = NAN;

	if (hl_push(AT(st, s->hloff), in, &hh, &ll))
		fastk = hh - ll != 0 ? (in[2] - ll) / ((hh - ll) / 100) : 0;
	if (ind_win_push(AT(st, s->koff), fastk, 0))
		k = ind_win_meanx(AT(st, s->koff));
	if (ind_win_push(AT(st, s->doff), k, 0)) {
		out[0] = k;
		out[1] = ind_win_meanx(AT(st, s->doff));
	} else {
		out[0] = out[1] = NAN;
	}
}

/* ---- corr, beta ---------------------------------------------------------- */

static size_t
size_win2(const double *p)
{
	return ind_win_size(N(p), 2);
}

long
ind_corr_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_corr_size(const double *p)
{
	return size_win2(p);
}

int
ind_corr_init(void *st, const double *p, struct pp_err *err)
{
	return init_win("corr", st, p, 2, 2, err);
}

void
ind_corr_step(void *st, const double *in, double *out)
{
	double vx, vy, r;

	if (!ind_win_push(st, in[0], in[1])) {
		out[0] = NAN;
		return;
	}
	vx = ind_win_mxx(st);
	vy = ind_win_myy(st);
	if (vx == 0 || vy == 0) {
		out[0] = NAN;
		return;
	}
	/* Two roots: vx * vy over- or underflows long before either does. */
	r = ind_win_mxy(st) / (sqrt(vx) * sqrt(vy));
	out[0] = r > 1 ? 1 : r < -1 ? -1 : r;
}

long
ind_beta_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_beta_size(const double *p)
{
	return size_win2(p);
}

int
ind_beta_init(void *st, const double *p, struct pp_err *err)
{
	return init_win("beta", st, p, 2, 2, err);
}

void
ind_beta_step(void *st, const double *in, double *out)
{
	double vx;

	if (!ind_win_push(st, in[0], in[1])) {
		out[0] = NAN;
		return;
	}
	vx = ind_win_mxx(st);
	out[0] = vx != 0 ? ind_win_mxy(st) / vx : NAN;
}

/* ---- vwap, mfi, cci (typical price) --------------------------------------- */

long
ind_vwap_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_vwap_size(const double *p)
{
	return size_win2(p);
}

int
ind_vwap_init(void *st, const double *p, struct pp_err *err)
{
	return init_win("vwap", st, p, 2, 1, err);
}

void
ind_vwap_step(void *st, const double *in, double *out)
{
	double v;

	if (!ind_win_push(st, ind_tp(in) * in[3], in[3])) {
		out[0] = NAN;
		return;
	}
	v = ind_win_sumy(st);
	out[0] = v != 0 ? ind_win_sumx(st) / v : NAN;
}

/* mfi: the previous typical price, then a window of (positive, negative)
 * money flows. */
struct mfi {
	double prevtp;		/* typical price of the previous row, or NaN */
	double pad;		/* keeps the window 16-aligned */
};

long
ind_mfi_warmup(const double *p)
{
	return N(p);
}

size_t
ind_mfi_size(const double *p)
{
	return sizeof(struct mfi) + size_win2(p);
}

int
ind_mfi_init(void *st, const double *p, struct pp_err *err)
{
	struct mfi *m = st;

	if (init_win("mfi", AT(st, sizeof(*m)), p, 2, 1, err) == -1)
		return -1;
	m->prevtp = NAN;
	m->pad = 0;
	return 0;
}

void
ind_mfi_step(void *st, const double *in, double *out)
{
	struct mfi *m = st;
	struct ind_win *w = AT(st, sizeof(*m));
	double tp = ind_anynan(in, 4) ? NAN : ind_tp(in);
	double flow = tp * in[3], pos = NAN, neg = NAN, sp, sn;

	if (!isnan(tp) && !isnan(m->prevtp)) {
		pos = tp > m->prevtp ? flow : 0;
		neg = tp < m->prevtp ? flow : 0;
	}
	m->prevtp = tp;
	if (!ind_win_push(w, pos, neg)) {
		out[0] = NAN;
		return;
	}
	sp = ind_win_sumx(w);
	sn = ind_win_sumy(w);
	sp = sp > 0 ? sp : 0;
	sn = sn > 0 ? sn : 0;
	out[0] = sp + sn > 0 ? 100 * (sp / (sp + sn)) : 0;
}

/*
 * cci: the mean absolute deviation about the window's own mean cannot be
 * updated in O(1) as the mean moves, so each row recomputes the mean and
 * the deviation from the ring exactly, O(n) per row, as TA-Lib does; with
 * the usual n of 14 to 20 that costs less than a cache miss.
 */
struct cci {
	long n;			/* window length */
	long pos;		/* ring slot for the next row */
	long long rows;		/* rows seen */
	long long lastnan;	/* latest row with a NaN, or -1 */
	double ring[];		/* the last n typical prices */
};

long
ind_cci_warmup(const double *p)
{
	return warmup_n1(p);
}

size_t
ind_cci_size(const double *p)
{
	return IND_ROUND(sizeof(struct cci) + (size_t)N(p) * sizeof(double));
}

int
ind_cci_init(void *st, const double *p, struct pp_err *err)
{
	struct cci *c = st;

	if (ind_check("cci", p, err) == -1)
		return -1;
	c->n = N(p);
	c->pos = 0;
	c->rows = 0;
	c->lastnan = -1;
	return 0;
}

void
ind_cci_step(void *st, const double *in, double *out)
{
	struct cci *c = st;
	double tp = ind_anynan(in, 3) ? NAN : ind_tp(in);
	double s = 0, sc = 0, mean, mad = 0;
	long i;

	if (isnan(tp))
		c->lastnan = c->rows;
	c->ring[c->pos] = tp;
	if (++c->pos == c->n)
		c->pos = 0;
	c->rows++;
	if (c->rows < c->n || c->rows - 1 - c->lastnan < c->n) {
		out[0] = NAN;
		return;
	}
	for (i = 0; i < c->n; i++)
		ind_nadd(&s, &sc, c->ring[i]);
	mean = (s + sc) / (double)c->n;
	for (i = 0; i < c->n; i++)
		mad += fabs(c->ring[i] - mean);
	mad /= (double)c->n;
	out[0] = tp - mean != 0 && mad != 0 ? (tp - mean) / (0.015 * mad) : 0;
}
