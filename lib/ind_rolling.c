/*
 * ind_rolling.c - rolling statistics of one series over the last n rows:
 * sum, median, quantile, mad, skew, kurt, rank, pctrank, and the
 * exponentially weighted ewm_std.
 *
 * All but ewm_std follow the window rule (indicators.h): NaN until n rows
 * have been seen and while a row with a missing value is in the window.
 * ewm_std is recursive: it skips missing rows, as pandas' ewm with
 * ignore_na=True.
 *
 * Medians and quantiles slide in O(log n) a row with two indexed heaps
 * (the "order" block below).  mad, skew, kurt, rank and pctrank recompute
 * from the buffered window, O(n) a row as cci: the median of deviations
 * from a moving median, the third and fourth central moments and a rank
 * among the window have no cheap exact update, and an exact two-pass
 * recomputation keeps them free of the cancellation running power sums
 * suffer.
 */
#include <math.h>
#include <string.h>

#include "ind_impl.h"
#include "banned.h"

#define N(p) ((long)(p)[0])
#define AT(st, off) ((void *)((char *)(st) + (off)))

/* ---- sum ---------------------------------------------------------------- */

long
ind_sum_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_sum_size(const double *p)
{
	return ind_win_size(N(p), 1);
}

int
ind_sum_init(void *st, const double *p, struct pp_err *err)
{
	if (ind_check("sum", p, err) == -1)
		return -1;
	ind_win_init(st, N(p), 1, 1);
	return 0;
}

void
ind_sum_step(void *st, const double *in, double *out)
{
	out[0] = ind_win_push(st, in[0], 0) ? ind_win_sumx(st) : NAN;
}

/* ---- the window ring shared by the rest ------------------------------------- */

/* The last n inputs, NaN included, and whether the window is clean. */
struct rwin {
	long n;			/* window length */
	long pos;		/* ring slot for the next row */
	long long rows;		/* rows seen */
	long long lastnan;	/* latest row with a NaN, or -1 */
};

static void
rwin_init(struct rwin *w, long n)
{
	w->n = n;
	w->pos = 0;
	w->rows = 0;
	w->lastnan = -1;
}

static int
rwin_clean(const struct rwin *w)
{
	return w->rows >= w->n && w->rows - 1 - w->lastnan >= w->n;
}

/* ---- order: a sliding quantile in two indexed heaps -------------------------- */

/*
 * The valid values of the window live in two heaps of ring slots: lo, a
 * max-heap of the smallest k, and hi, a min-heap of the rest, where k =
 * floor(q (n-1)) + 1 once the window is full (fewer before, or while
 * missing values are in it).  Then the k-th smallest is lo's top and the
 * next one hi's top, and the quantile with linear interpolation (pandas,
 * numpy) is lo + frac (hi - lo), frac = q (n-1) - (k-1).  where[slot]
 * records each slot's heap position (> 0 in lo, < 0 in hi, 0 in none), so
 * the value leaving the window is removed in O(log n), not searched for.
 */
struct order {
	struct rwin w;		/* the ring's bookkeeping */
	long k;			/* lo's size over a full window */
	long nlo, nhi;		/* heap sizes */
	double frac;		/* interpolation weight of hi's top */
};				/* then val[n], where[n], lo[n], hi[n] */

_Static_assert(sizeof(struct order) % 16 == 0, "arrays 16-aligned");

static size_t
order_size(long n)
{
	return sizeof(struct order) + IND_ROUND((size_t)n * sizeof(double)) +
	    3 * IND_ROUND((size_t)n * sizeof(long));
}

static double *
o_val(struct order *o)
{
	return (double *)(o + 1);
}

static long *
o_where(struct order *o)
{
	return AT(o + 1, IND_ROUND((size_t)o->w.n * sizeof(double)));
}

static long *
o_heap(struct order *o, int islo)
{
	return o_where(o) + (islo ? 1 : 2) * (IND_ROUND((size_t)o->w.n *
	    sizeof(long)) / sizeof(long));
}

static void
order_init(struct order *o, long n, double q)
{
	double at = q * (double)(n - 1);

	memset(o, 0, sizeof(*o));
	rwin_init(&o->w, n);
	o->k = (long)floor(at) + 1;
	o->frac = at - floor(at);
	memset(o_where(o), 0, (size_t)n * sizeof(long));
}

/* 1 if slot a belongs above slot b in heap lo (max) or hi (min). */
static int
before(struct order *o, int islo, long a, long b)
{
	double *v = o_val(o);

	return islo ? v[a] > v[b] : v[a] < v[b];
}

static void
place(struct order *o, int islo, long i, long slot)
{
	o_heap(o, islo)[i] = slot;
	o_where(o)[slot] = islo ? i + 1 : -(i + 1);
}

static void
sift_up(struct order *o, int islo, long i)
{
	long *h = o_heap(o, islo), s = h[i];

	while (i > 0 && before(o, islo, s, h[(i - 1) / 2])) {
		place(o, islo, i, h[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(o, islo, i, s);
}

static void
sift_down(struct order *o, int islo, long i)
{
	long *h = o_heap(o, islo), s = h[i];
	long len = islo ? o->nlo : o->nhi;

	for (;;) {
		long c = 2 * i + 1;

		if (c >= len)
			break;
		if (c + 1 < len && before(o, islo, h[c + 1], h[c]))
			c++;
		if (!before(o, islo, h[c], s))
			break;
		place(o, islo, i, h[c]);
		i = c;
	}
	place(o, islo, i, s);
}

static void
heap_push(struct order *o, int islo, long slot)
{
	long i = islo ? o->nlo++ : o->nhi++;

	place(o, islo, i, slot);
	sift_up(o, islo, i);
}

/* Remove the entry at position i and return its slot. */
static long
heap_take(struct order *o, int islo, long i)
{
	long *h = o_heap(o, islo), slot = h[i];
	long last = islo ? --o->nlo : --o->nhi;

	o_where(o)[slot] = 0;
	if (i != last) {
		place(o, islo, i, h[last]);
		sift_down(o, islo, i);
		sift_up(o, islo, i);
	}
	return slot;
}

/* Push x (NaN for a missing row); 1 when the window is full and clean. */
static int
order_push(struct order *o, double x)
{
	struct rwin *w = &o->w;
	long slot = w->pos, wh = o_where(o)[slot], target;

	if (wh > 0)
		heap_take(o, 1, wh - 1);
	else if (wh < 0)
		heap_take(o, 0, -wh - 1);
	o_val(o)[slot] = x;
	if (isnan(x)) {
		w->lastnan = w->rows;
	} else if (o->nlo > 0 && x <= o_val(o)[o_heap(o, 1)[0]]) {
		heap_push(o, 1, slot);
	} else {
		heap_push(o, 0, slot);
	}
	target = o->nlo + o->nhi < o->k ? o->nlo + o->nhi : o->k;
	while (o->nlo > target)
		heap_push(o, 0, heap_take(o, 1, 0));
	while (o->nlo < target)
		heap_push(o, 1, heap_take(o, 0, 0));
	w->rows++;
	if (++w->pos == w->n)
		w->pos = 0;
	return rwin_clean(w);
}

/* The quantile of a full, clean window. */
static double
order_get(struct order *o)
{
	double lo = o_val(o)[o_heap(o, 1)[0]];

	if (o->frac == 0 || o->nhi == 0)
		return lo;
	return lo + o->frac * (o_val(o)[o_heap(o, 0)[0]] - lo);
}

/* ---- median, quantile ---------------------------------------------------------- */

long
ind_median_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_median_size(const double *p)
{
	return order_size(N(p));
}

int
ind_median_init(void *st, const double *p, struct pp_err *err)
{
	if (ind_check("median", p, err) == -1)
		return -1;
	order_init(st, N(p), 0.5);
	return 0;
}

void
ind_median_step(void *st, const double *in, double *out)
{
	out[0] = order_push(st, in[0]) ? order_get(st) : NAN;
}

long
ind_quantile_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_quantile_size(const double *p)
{
	return order_size(N(p));
}

int
ind_quantile_init(void *st, const double *p, struct pp_err *err)
{
	if (ind_check("quantile", p, err) == -1)
		return -1;
	order_init(st, N(p), p[1]);
	return 0;
}

void
ind_quantile_step(void *st, const double *in, double *out)
{
	out[0] = order_push(st, in[0]) ? order_get(st) : NAN;
}

/* ---- mad ---------------------------------------------------------------------- */

/* The k-th smallest (0-based) of a[0 .. n), reordering a: Hoare's
 * selection, expected O(n). */
static double
select_kth(double *a, long n, long k)
{
	long lo = 0, hi = n - 1;

	while (lo < hi) {
		double piv = a[lo + (hi - lo) / 2];
		long i = lo, j = hi;

		while (i <= j) {
			while (a[i] < piv)
				i++;
			while (a[j] > piv)
				j--;
			if (i <= j) {
				double t = a[i];

				a[i++] = a[j];
				a[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return a[k];
	}
	return a[k];
}

/* The median of a[0 .. n) (the mean of the middle two for even n). */
static double
median_of(double *a, long n)
{
	double m = select_kth(a, n, (n - 1) / 2), m2;
	long i;

	if (n % 2)
		return m;
	m2 = a[n / 2];
	for (i = n / 2 + 1; i < n; i++)	/* the upper part is >= m */
		if (a[i] < m2)
			m2 = a[i];
	return (m + m2) / 2;
}

/*
 * TTR's runMAD: 1.4826 times the median of |x - m| over the window, m the
 * window's median (from the heaps); the deviations go through a scratch
 * array after the order block.
 */
long
ind_mad_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_mad_size(const double *p)
{
	return order_size(N(p)) + IND_ROUND((size_t)N(p) * sizeof(double));
}

int
ind_mad_init(void *st, const double *p, struct pp_err *err)
{
	if (ind_check("mad", p, err) == -1)
		return -1;
	order_init(st, N(p), 0.5);
	return 0;
}

void
ind_mad_step(void *st, const double *in, double *out)
{
	struct order *o = st;
	long n = o->w.n, i;
	double *dev = AT(st, order_size(n)), m;

	if (!order_push(o, in[0])) {
		out[0] = NAN;
		return;
	}
	m = order_get(o);
	for (i = 0; i < n; i++)
		dev[i] = fabs(o_val(o)[i] - m);
	out[0] = 1.4826 * median_of(dev, n);
}

/* ---- skew, kurt, rank, pctrank: from the ring ----------------------------------- */

struct ring1 {
	struct rwin w;		/* bookkeeping */
	int what;		/* R_SKEW, R_KURT, R_RANK, R_PCTRANK */
	double pad;		/* keeps the ring 16-aligned */
};				/* then the ring of n inputs */

_Static_assert(sizeof(struct ring1) % 16 == 0, "ring 16-aligned");

enum { R_SKEW, R_KURT, R_RANK, R_PCTRANK };

static size_t
size_ring1(const double *p)
{
	return sizeof(struct ring1) + IND_ROUND((size_t)N(p) * sizeof(double));
}

static int
init_ring1(const char *name, int what, void *st, const double *p,
    struct pp_err *err)
{
	struct ring1 *r = st;

	if (ind_check(name, p, err) == -1)
		return -1;
	memset(r, 0, sizeof(*r));
	rwin_init(&r->w, N(p));
	r->what = what;
	return 0;
}

/*
 * pandas' bias-corrected estimators from the central moments m2, m3, m4
 * (sums of d^k over n, d = x - mean): skew sqrt(n (n-1)) / (n-2) m3 /
 * m2^1.5, excess kurtosis ((n^2 - 1) m4 / m2^2 - 3 (n-1)^2) / ((n-2)
 * (n-3)); NaN over a constant window.
 */
static double
moments(const double *x, long n, int what)
{
	double s = 0, m, m2 = 0, m3 = 0, m4 = 0, dn = (double)n, lo = x[0],
	    hi = x[0];
	long i;

	for (i = 0; i < n; i++) {
		s += x[i];
		lo = fmin(lo, x[i]);
		hi = fmax(hi, x[i]);
	}
	if (lo == hi)
		return NAN;
	m = s / dn;
	for (i = 0; i < n; i++) {
		double d = x[i] - m, d2 = d * d;

		m2 += d2;
		m3 += d2 * d;
		m4 += d2 * d2;
	}
	m2 /= dn;
	m3 /= dn;
	m4 /= dn;
	if (what == R_SKEW)
		return sqrt(dn * (dn - 1)) / (dn - 2) * (m3 / pow(m2, 1.5));
	return ((dn * dn - 1) * (m4 / (m2 * m2)) - 3 * (dn - 1) * (dn - 1)) /
	    ((dn - 2) * (dn - 3));
}

static void
step_ring1(void *st, const double *in, double *out)
{
	struct ring1 *r = st;
	struct rwin *w = &r->w;
	double *ring = (double *)(r + 1), x = in[0], less = 0, eq = 0;
	long i;

	if (isnan(x))
		w->lastnan = w->rows;
	ring[w->pos] = x;
	if (++w->pos == w->n)
		w->pos = 0;
	w->rows++;
	out[0] = NAN;
	if (!rwin_clean(w))
		return;
	if (r->what == R_SKEW || r->what == R_KURT) {
		out[0] = moments(ring, w->n, r->what);
		return;
	}
	for (i = 0; i < w->n; i++) {
		less += ring[i] < x;
		eq += ring[i] == x;
	}
	if (r->what == R_RANK)
		out[0] = (less + (eq + 1) / 2) / (double)w->n;
	else
		out[0] = (less + eq / 2) / (double)w->n;
}

#define RING1_FN(nm, what, warm)                                        \
	long ind_##nm##_warmup(const double *p) { return (warm); }      \
	size_t ind_##nm##_size(const double *p) { return size_ring1(p); } \
	int ind_##nm##_init(void *st, const double *p, struct pp_err *err) \
	{                                                               \
		return init_ring1(#nm, what, st, p, err);               \
	}                                                               \
	void ind_##nm##_step(void *st, const double *in, double *out)  \
	{                                                               \
		step_ring1(st, in, out);                                \
	}

RING1_FN(skew, R_SKEW, N(p) - 1)
RING1_FN(kurt, R_KURT, N(p) - 1)
RING1_FN(rank, R_RANK, N(p) - 1)
RING1_FN(pctrank, R_PCTRANK, N(p) - 1)

/* ---- ewm_std -------------------------------------------------------------------- */

/*
 * pandas' x.ewm(span=n).std(): adjust=True weights (1 - alpha)^age, alpha
 * = 2 / (n + 1), the weighted variance updated as pandas' ewmcov does and
 * bias-corrected by W^2 / (W^2 - sum w^2), W = sum w.  Missing rows are
 * skipped (pandas' ignore_na=True; its default lets them age the
 * weights).  The first valid row has no spread: warm-up 1.
 */
struct ewm {
	double alpha;		/* 2 / (n + 1) */
	double mean, cov;	/* weighted mean and (biased) variance */
	double sw, sw2;		/* sum of weights and of their squares */
	double old;		/* weight of the history */
	long long seen;		/* valid rows */
	double pad;		/* keeps the size a multiple of 16 */
};

long
ind_ewm_std_warmup(const double *p)
{
	(void)p;
	return 1;
}

size_t
ind_ewm_std_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct ewm));
}

int
ind_ewm_std_init(void *st, const double *p, struct pp_err *err)
{
	struct ewm *e = st;

	if (ind_check("ewm_std", p, err) == -1)
		return -1;
	memset(e, 0, sizeof(*e));
	e->alpha = 2 / (p[0] + 1);
	return 0;
}

void
ind_ewm_std_step(void *st, const double *in, double *out)
{
	struct ewm *e = st;
	double x = in[0], f = 1 - e->alpha, om, num, den;

	out[0] = NAN;
	if (isnan(x))
		return;
	if (e->seen++ == 0) {
		e->mean = x;
		e->cov = 0;
		e->sw = e->sw2 = e->old = 1;
		return;
	}
	e->sw *= f;
	e->sw2 *= f * f;
	e->old *= f;
	om = e->mean;
	if (e->mean != x)
		e->mean = (e->old * om + x) / (e->old + 1);
	e->cov = (e->old * (e->cov + (e->mean - om) * (e->mean - om)) +
	    (x - e->mean) * (x - e->mean)) / (e->old + 1);
	e->sw += 1;
	e->sw2 += 1;
	e->old += 1;
	num = e->sw * e->sw;
	den = num - e->sw2;
	if (den > 0)
		out[0] = sqrt(num / den * e->cov);
}
