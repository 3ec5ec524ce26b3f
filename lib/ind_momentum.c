/*
 * ind_momentum.c - oscillators and averages built from the pieces of
 * ind_util.c: cmo and trix (recursive, as rsi), apo, ppo, trima, ultosc,
 * kst and tdi (windows), stochf and stochrsi (stoch on a price or on
 * rsi), and
 * the directional movement family plus_dm, minus_dm, plus_di, minus_di, dx
 * (recursive, as adx).
 *
 * NaN rules as indicators.h says for each kind: the recursive ones skip a
 * row with a missing input and carry on from the last valid row; apo, ppo
 * and trima are NaN while a missing value is in any of their windows,
 * which for trima's two chained windows is exactly its last n rows.
 */
#include <math.h>
#include <string.h>

#include "ind_impl.h"
#include "banned.h"

#define N(p) ((long)(p)[0])
#define AT(st, off) ((void *)((char *)(st) + (off)))

/* ---- cmo ------------------------------------------------------------------ */

/*
 * TA-Lib's CMO smooths gains and losses as its RSI does (Wilder averages
 * seeded with the mean of the first n changes), so cmo = 2 rsi - 100.
 * TTR's CMO sums the raw gains and losses of the last n changes instead:
 * the first value agrees, the later ones do not.
 */
struct cmo {
	long n;			/* period */
	long changes;		/* changes seen */
	double prev;		/* previous valid input, NaN before the first */
	double g, l;		/* seed sums, then Wilder averages */
};

long
ind_cmo_warmup(const double *p)
{
	return N(p);
}

size_t
ind_cmo_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct cmo));
}

int
ind_cmo_init(void *st, const double *p, struct pp_err *err)
{
	struct cmo *c = st;

	if (ind_check("cmo", p, err) == -1)
		return -1;
	memset(c, 0, sizeof(*c));
	c->n = N(p);
	c->prev = NAN;
	return 0;
}

void
ind_cmo_step(void *st, const double *in, double *out)
{
	struct cmo *c = st;
	double x = in[0], ch, gain, loss, n = (double)c->n;

	out[0] = NAN;
	if (isnan(x))
		return;
	if (isnan(c->prev)) {
		c->prev = x;
		return;
	}
	ch = x - c->prev;
	c->prev = x;
	gain = ch > 0 ? ch : 0;
	loss = ch < 0 ? -ch : 0;
	if (++c->changes <= c->n) {
		c->g += gain;
		c->l += loss;
		if (c->changes < c->n)
			return;
		c->g /= n;
		c->l /= n;
	} else {
		c->g = (c->g * (n - 1) + gain) / n;
		c->l = (c->l * (n - 1) + loss) / n;
	}
	out[0] = c->g + c->l != 0 ? 100 * ((c->g - c->l) / (c->g + c->l)) : 0;
}

/* ---- apo, ppo --------------------------------------------------------------- */

/* Two simple moving averages of the same input, the faster first; TA-Lib
 * swaps the periods when fast > slow, and so do we. */
struct po {
	size_t soff;		/* offset of the slow window */
	double pad;		/* keeps the windows 16-aligned */
};

static void
po_periods(const double *p, long *fast, long *slow)
{
	*fast = (long)fmin(p[0], p[1]);
	*slow = (long)fmax(p[0], p[1]);
}

static long
warmup_po(const double *p)
{
	long fast, slow;

	po_periods(p, &fast, &slow);
	return slow - 1;
}

static size_t
size_po(const double *p)
{
	long fast, slow;

	po_periods(p, &fast, &slow);
	return sizeof(struct po) + ind_win_size(fast, 1) +
	    ind_win_size(slow, 1);
}

static int
init_po(const char *name, void *st, const double *p, struct pp_err *err)
{
	struct po *o = st;
	long fast, slow;

	if (ind_check(name, p, err) == -1)
		return -1;
	po_periods(p, &fast, &slow);
	o->soff = sizeof(*o) + ind_win_size(fast, 1);
	o->pad = 0;
	ind_win_init(AT(st, sizeof(*o)), fast, 1, 1);
	ind_win_init(AT(st, o->soff), slow, 1, 1);
	return 0;
}

/* Push x; 1 and both means when the slow window is full and clean. */
static int
po_push(void *st, double x, double *f, double *s)
{
	struct po *o = st;
	struct ind_win *wf = AT(st, sizeof(*o)), *ws = AT(st, o->soff);
	int okf = ind_win_push(wf, x, 0), oks = ind_win_push(ws, x, 0);

	if (!okf || !oks)
		return 0;
	*f = ind_win_meanx(wf);
	*s = ind_win_meanx(ws);
	return 1;
}

long
ind_apo_warmup(const double *p)
{
	return warmup_po(p);
}

size_t
ind_apo_size(const double *p)
{
	return size_po(p);
}

int
ind_apo_init(void *st, const double *p, struct pp_err *err)
{
	return init_po("apo", st, p, err);
}

void
ind_apo_step(void *st, const double *in, double *out)
{
	double f, s;

	out[0] = po_push(st, in[0], &f, &s) ? f - s : NAN;
}

long
ind_ppo_warmup(const double *p)
{
	return warmup_po(p);
}

size_t
ind_ppo_size(const double *p)
{
	return size_po(p);
}

int
ind_ppo_init(void *st, const double *p, struct pp_err *err)
{
	return init_po("ppo", st, p, err);
}

void
ind_ppo_step(void *st, const double *in, double *out)
{
	double f, s;

	if (!po_push(st, in[0], &f, &s) || s == 0)
		out[0] = NAN;
	else
		out[0] = 100 * ((f - s) / s);
}

/* ---- trima -------------------------------------------------------------------- */

/*
 * The triangular average is an SMA of an SMA: periods (n+1)/2 twice for
 * odd n, n/2 + 1 then n/2 for even n, whose combined weights are TA-Lib's
 * TRIMA weights 1, 2, .., 2, 1 over exactly n rows.
 */
struct trima {
	size_t off2;		/* offset of the outer window */
	double pad;		/* keeps the windows 16-aligned */
};

static void
trima_periods(long n, long *n1, long *n2)
{
	*n1 = n % 2 ? (n + 1) / 2 : n / 2 + 1;
	*n2 = n % 2 ? (n + 1) / 2 : n / 2;
}

long
ind_trima_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_trima_size(const double *p)
{
	long n1, n2;

	trima_periods(N(p), &n1, &n2);
	return sizeof(struct trima) + ind_win_size(n1, 1) + ind_win_size(n2, 1);
}

int
ind_trima_init(void *st, const double *p, struct pp_err *err)
{
	struct trima *t = st;
	long n1, n2;

	if (ind_check("trima", p, err) == -1)
		return -1;
	trima_periods(N(p), &n1, &n2);
	t->off2 = sizeof(*t) + ind_win_size(n1, 1);
	t->pad = 0;
	ind_win_init(AT(st, sizeof(*t)), n1, 1, 1);
	ind_win_init(AT(st, t->off2), n2, 1, 1);
	return 0;
}

void
ind_trima_step(void *st, const double *in, double *out)
{
	struct trima *t = st;
	struct ind_win *w1 = AT(st, sizeof(*t)), *w2 = AT(st, t->off2);
	double inner = ind_win_push(w1, in[0], 0) ? ind_win_meanx(w1) : NAN;

	out[0] = ind_win_push(w2, inner, 0) ? ind_win_meanx(w2) : NAN;
}

/* ---- plus_dm, minus_dm, plus_di, minus_di, dx ---------------------------------- */

/*
 * TA-Lib's directional movement, as in adx (ind_recursive.c): +DM is the
 * up move high - previous high when it is positive and larger than the
 * down move previous low - low, -DM likewise.  The DM and true range sums
 * start as plain sums of the first n-1 moves; from move n on each is a
 * Wilder sum s - s/n + value.  The DMs are output from move n-1 (move 1
 * when n is 1), the DIs and DX from move n.
 */
enum { DM_PLUS_DM, DM_MINUS_DM, DM_PLUS_DI, DM_MINUS_DI, DM_DX };

struct dm {
	long n;			/* period */
	int what;		/* DM_...: which value to output */
	long long moves;	/* valid rows after the first */
	double ph, pl, pc;	/* previous high, low, close; NaN at first */
	double pdm, mdm, tr;	/* sums of +DM, -DM and the true range */
};

static long
warmup_dm(const double *p)
{
	return N(p) > 1 ? N(p) - 1 : 1;
}

static size_t
size_dm(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct dm));
}

static int
init_dm(const char *name, int what, void *st, const double *p,
    struct pp_err *err)
{
	struct dm *d = st;

	if (ind_check(name, p, err) == -1)
		return -1;
	memset(d, 0, sizeof(*d));
	d->n = N(p);
	d->what = what;
	d->ph = d->pl = d->pc = NAN;
	return 0;
}

/* in: high, low, and close for the DIs and DX. */
static void
step_dm(void *st, const double *in, double *out)
{
	struct dm *d = st;
	int withc = d->what >= DM_PLUS_DI;
	double h = in[0], l = in[1], n = (double)d->n;
	double up, down, pdm = 0, mdm = 0, pdi, mdi;

	out[0] = NAN;
	if (ind_anynan(in, withc ? 3 : 2))
		return;
	if (isnan(d->ph)) {
		d->ph = h;
		d->pl = l;
		d->pc = withc ? in[2] : 0;
		return;
	}
	up = h - d->ph;
	down = d->pl - l;
	if (down > 0 && up < down)
		mdm = down;
	else if (up > 0 && up > down)
		pdm = up;
	if (++d->moves >= d->n) {
		d->pdm -= d->pdm / n;
		d->mdm -= d->mdm / n;
		d->tr -= d->tr / n;
	}
	d->pdm += pdm;
	d->mdm += mdm;
	if (withc)
		d->tr += fmax(h - l, fmax(fabs(h - d->pc), fabs(l - d->pc)));
	d->ph = h;
	d->pl = l;
	d->pc = withc ? in[2] : 0;
	if (d->what == DM_PLUS_DM || d->what == DM_MINUS_DM) {
		if (d->moves >= d->n - 1)
			out[0] = d->what == DM_PLUS_DM ? d->pdm : d->mdm;
		return;
	}
	if (d->moves < d->n)
		return;
	pdi = d->tr != 0 ? 100 * (d->pdm / d->tr) : 0;
	mdi = d->tr != 0 ? 100 * (d->mdm / d->tr) : 0;
	if (d->what == DM_PLUS_DI)
		out[0] = pdi;
	else if (d->what == DM_MINUS_DI)
		out[0] = mdi;
	else
		out[0] = pdi + mdi != 0 ? 100 * (fabs(pdi - mdi) / (pdi + mdi))
		    : 0;
}

#define DM_FN(nm, what, warm)                                          \
	long ind_##nm##_warmup(const double *p) { return (warm); }     \
	size_t ind_##nm##_size(const double *p) { return size_dm(p); } \
	int ind_##nm##_init(void *st, const double *p, struct pp_err *err) \
	{                                                              \
		return init_dm(#nm, what, st, p, err);                 \
	}                                                              \
	void ind_##nm##_step(void *st, const double *in, double *out) \
	{                                                              \
		step_dm(st, in, out);                                  \
	}

DM_FN(plus_dm, DM_PLUS_DM, warmup_dm(p))
DM_FN(minus_dm, DM_MINUS_DM, warmup_dm(p))
DM_FN(plus_di, DM_PLUS_DI, N(p))
DM_FN(minus_di, DM_MINUS_DI, N(p))
DM_FN(dx, DM_DX, N(p))

/* ---- stochf, stochrsi ------------------------------------------------------------ */

/* TA-Lib's fast stochastic is stoch with no slowing: stochf(k, d) runs
 * stoch(k, 1, d), whose k is the raw %K. */
static void
stochf_params(const double *p, double *q)
{
	q[0] = p[0];
	q[1] = 1;
	q[2] = p[1];
}

long
ind_stochf_warmup(const double *p)
{
	return (long)p[0] + (long)p[1] - 2;
}

size_t
ind_stochf_size(const double *p)
{
	double q[3];

	stochf_params(p, q);
	return ind_stoch_size(q);
}

int
ind_stochf_init(void *st, const double *p, struct pp_err *err)
{
	double q[3];

	if (ind_check("stochf", p, err) == -1)
		return -1;
	stochf_params(p, q);
	return ind_stoch_init(st, q, err);
}

void
ind_stochf_step(void *st, const double *in, double *out)
{
	ind_stoch_step(st, in, out);
}

/*
 * stochrsi: rsi(x, n), then the fast stochastic of that series as its own
 * high, low and close, as TA-Lib's STOCHRSI.  The rsi follows the
 * recursive rule and the stochastic the window rule on the rsi's output,
 * so a missing x blanks the next k + d - 1 rows.
 */
struct stochrsi {
	size_t soff;		/* offset of the stochastic's state */
	double pad;		/* keeps the blocks 16-aligned */
};

static void
stochrsi_params(const double *p, double *q)
{
	q[0] = p[1];
	q[1] = 1;
	q[2] = p[2];
}

long
ind_stochrsi_warmup(const double *p)
{
	return (long)p[0] + (long)p[1] + (long)p[2] - 2;
}

size_t
ind_stochrsi_size(const double *p)
{
	double q[3];

	stochrsi_params(p, q);
	return sizeof(struct stochrsi) + ind_rsi_size(p) + ind_stoch_size(q);
}

int
ind_stochrsi_init(void *st, const double *p, struct pp_err *err)
{
	struct stochrsi *s = st;
	double q[3];

	if (ind_check("stochrsi", p, err) == -1)
		return -1;
	stochrsi_params(p, q);
	s->soff = sizeof(*s) + ind_rsi_size(p);
	s->pad = 0;
	if (ind_rsi_init(AT(st, sizeof(*s)), p, err) == -1)
		return -1;
	return ind_stoch_init(AT(st, s->soff), q, err);
}

void
ind_stochrsi_step(void *st, const double *in, double *out)
{
	struct stochrsi *s = st;
	double r, hlc[3];

	ind_rsi_step(AT(st, sizeof(*s)), in, &r);
	hlc[0] = hlc[1] = hlc[2] = r;
	ind_stoch_step(AT(st, s->soff), hlc, out);
}

/* ---- ultosc --------------------------------------------------------------------- */

/*
 * TA-Lib's ULTOSC: buying pressure bp = close - min(low, previous close)
 * and true range tr = max(high, previous close) - min(low, previous
 * close), summed over each of the three periods; 100 (4 a1 + 2 a2 + a3)
 * / 7 with a = sum bp / sum tr (0 when sum tr is 0), the periods sorted
 * so the shortest weighs 4, as TA-Lib does.  Window rule: a row reads its
 * own high, low, close and the previous close.
 */
struct ultosc {
	double pc;		/* previous close, NaN before the first row */
	double pad;		/* keeps the windows 16-aligned */
	size_t off[3];		/* offsets of the three windows */
	double pad2;		/* keeps the windows 16-aligned */
};

static void
ultosc_periods(const double *p, long *n)
{
	int i, j;

	for (i = 0; i < 3; i++)
		n[i] = (long)p[i];
	for (i = 1; i < 3; i++)
		for (j = i; j > 0 && n[j - 1] > n[j]; j--) {
			long t = n[j];

			n[j] = n[j - 1];
			n[j - 1] = t;
		}
}

long
ind_ultosc_warmup(const double *p)
{
	long n[3];

	ultosc_periods(p, n);
	return n[2];
}

size_t
ind_ultosc_size(const double *p)
{
	long n[3];

	ultosc_periods(p, n);
	return sizeof(struct ultosc) + ind_win_size(n[0], 2) +
	    ind_win_size(n[1], 2) + ind_win_size(n[2], 2);
}

int
ind_ultosc_init(void *st, const double *p, struct pp_err *err)
{
	struct ultosc *u = st;
	size_t off = sizeof(*u);
	long n[3];
	int i;

	if (ind_check("ultosc", p, err) == -1)
		return -1;
	ultosc_periods(p, n);
	memset(u, 0, sizeof(*u));
	u->pc = NAN;
	for (i = 0; i < 3; i++) {
		u->off[i] = off;
		ind_win_init(AT(st, off), n[i], 2, 1);
		off += ind_win_size(n[i], 2);
	}
	return 0;
}

void
ind_ultosc_step(void *st, const double *in, double *out)
{
	struct ultosc *u = st;
	double bp = NAN, tr = NAN, a[3];
	int i, ok = 1;

	if (!ind_anynan(in, 3) && !isnan(u->pc)) {
		double tl = fmin(in[1], u->pc);

		bp = in[2] - tl;
		tr = fmax(in[0], u->pc) - tl;
	}
	u->pc = in[2];
	for (i = 0; i < 3; i++) {
		struct ind_win *w = AT(st, u->off[i]);
		double s;

		if (!ind_win_push(w, bp, tr)) {
			ok = 0;
			continue;
		}
		s = ind_win_sumy(w);
		a[i] = s != 0 ? ind_win_sumx(w) / s : 0;
	}
	out[0] = ok ? 100 * ((4 * a[0] + 2 * a[1] + a[2]) / 7) : NAN;
}

/* ---- trix ----------------------------------------------------------------------- */

/*
 * TTR's TRIX: the one-row percent change of a triple EMA (each stage
 * seeded with the mean of its first n inputs), and its EMA over sig as
 * the signal; TA-Lib's TRIX is the same line without the signal.  Both
 * outputs start with the signal.  Recursive rule.
 */
struct trix {
	struct ind_stage e[3];	/* the triple EMA */
	struct ind_stage sig;	/* the signal */
	double prev;		/* the previous triple EMA, or NaN */
	double pad;		/* keeps the size a multiple of 16 */
};

long
ind_trix_warmup(const double *p)
{
	return 3 * N(p) + (long)p[1] - 3;
}

size_t
ind_trix_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct trix));
}

int
ind_trix_init(void *st, const double *p, struct pp_err *err)
{
	struct trix *t = st;
	int i;

	if (ind_check("trix", p, err) == -1)
		return -1;
	memset(t, 0, sizeof(*t));
	for (i = 0; i < 3; i++)
		ind_stage_init(&t->e[i], N(p), 0, 2 / (p[0] + 1));
	ind_stage_init(&t->sig, (long)p[1], 0, 2 / (p[1] + 1));
	t->prev = NAN;
	return 0;
}

void
ind_trix_step(void *st, const double *in, double *out)
{
	struct trix *t = st;
	double v = in[0], line, sig;
	int i;

	out[0] = out[1] = NAN;
	if (isnan(v))
		return;
	for (i = 0; i < 3 && !isnan(v); i++)
		v = ind_stage_push(&t->e[i], v);
	if (isnan(v))
		return;
	line = t->prev != 0 ? 100 * (v / t->prev - 1) : NAN;
	t->prev = v;
	if (isnan(line))
		return;
	sig = ind_stage_push(&t->sig, line);
	if (isnan(sig))
		return;
	out[0] = line;
	out[1] = sig;
}

/* ---- kst ---------------------------------------------------------------------- */

/*
 * TTR's KST with its defaults: the log rates of change over 10, 15, 20
 * and 30 rows (TTR's ROC default, "continuous"), each averaged by an SMA
 * over 10, 10, 10 and 15 rows, weighted 1, 2, 3, 4 and summed, times
 * 100; the signal is its SMA over 9, and both start with it.  Window
 * rule: the output at t reads rows t-52 .. t.
 */
static const long kst_roc[4] = { 10, 15, 20, 30 };
static const long kst_sma[4] = { 10, 10, 10, 15 };

struct kst {
	long pos;		/* ring slot of the value 30 rows back */
	long long rows;		/* rows seen */
	size_t off[5];		/* the four SMAs, then the signal's */
	double pad;		/* keeps the blocks 16-aligned */
	double ring[30];	/* the last 30 inputs */
};

long
ind_kst_warmup(const double *p)
{
	(void)p;
	return 52;
}

size_t
ind_kst_size(const double *p)
{
	size_t sz = IND_ROUND(sizeof(struct kst));
	int i;

	(void)p;
	for (i = 0; i < 4; i++)
		sz += ind_win_size(kst_sma[i], 1);
	return sz + ind_win_size(9, 1);
}

int
ind_kst_init(void *st, const double *p, struct pp_err *err)
{
	struct kst *k = st;
	size_t off = IND_ROUND(sizeof(*k));
	int i;

	(void)p;
	(void)err;
	memset(k, 0, sizeof(*k));
	for (i = 0; i < 5; i++) {
		long n = i < 4 ? kst_sma[i] : 9;

		k->off[i] = off;
		ind_win_init(AT(st, off), n, 1, 1);
		off += ind_win_size(n, 1);
	}
	return 0;
}

void
ind_kst_step(void *st, const double *in, double *out)
{
	struct kst *k = st;
	double x = in[0], sum = 0;
	int i, ok = 1;

	for (i = 0; i < 4; i++) {
		long j = (k->pos + 30 - kst_roc[i]) % 30;
		double old = k->rows >= kst_roc[i] ? k->ring[j] : NAN;
		double r = x > 0 && old > 0 ? log(x / old) : NAN;
		struct ind_win *w = AT(st, k->off[i]);

		if (ind_win_push(w, r, 0))
			sum += (i + 1) * ind_win_meanx(w);
		else
			ok = 0;
	}
	k->ring[k->pos] = x;
	k->pos = (k->pos + 1) % 30;
	k->rows++;
	sum = ok ? 100 * sum : NAN;
	if (!ind_win_push(AT(st, k->off[4]), sum, 0)) {
		out[0] = out[1] = NAN;
		return;
	}
	out[0] = sum;
	out[1] = ind_win_meanx(AT(st, k->off[4]));
}

/* ---- tdi ----------------------------------------------------------------------- */

/*
 * TTR's TDI (multiple 2): mom = x[t] - x[t-n], di = the sum of the last n
 * moms, tdi = |di| - (sum of the last 2n |mom| - sum of the last n |mom|),
 * both outputs starting together.  TTR counts the first n moms, which do
 * not exist, as 0 and so starts at row 2n-1; here every window holds real
 * values.  Window rule: the output at t reads rows t-3n+1 .. t.
 */
struct tdi {
	long n;			/* period */
	long pos;		/* ring slot of x[t-n] */
	long long rows;		/* rows seen */
	size_t off2;		/* offset of the 2n window */
};				/* then the ring of n inputs, the n window of
				   (mom, |mom|), the 2n window of |mom| */

static size_t
tdi_ring(long n)
{
	return IND_ROUND((size_t)n * sizeof(double));
}

long
ind_tdi_warmup(const double *p)
{
	return 3 * N(p) - 1;
}

size_t
ind_tdi_size(const double *p)
{
	return IND_ROUND(sizeof(struct tdi)) + tdi_ring(N(p)) +
	    ind_win_size(N(p), 2) + ind_win_size(2 * N(p), 1);
}

int
ind_tdi_init(void *st, const double *p, struct pp_err *err)
{
	struct tdi *t = st;
	size_t off1 = IND_ROUND(sizeof(*t)) + tdi_ring(N(p));

	if (ind_check("tdi", p, err) == -1)
		return -1;
	t->n = N(p);
	t->pos = 0;
	t->rows = 0;
	t->off2 = off1 + ind_win_size(N(p), 2);
	ind_win_init(AT(st, off1), N(p), 2, 1);
	ind_win_init(AT(st, t->off2), 2 * N(p), 1, 1);
	return 0;
}

void
ind_tdi_step(void *st, const double *in, double *out)
{
	struct tdi *t = st;
	double *ring = AT(st, IND_ROUND(sizeof(*t)));
	struct ind_win *w1 = AT(st, IND_ROUND(sizeof(*t)) + tdi_ring(t->n));
	struct ind_win *w2 = AT(st, t->off2);
	double x = in[0], old = t->rows >= t->n ? ring[t->pos] : NAN;
	double mom = x - old, di;
	int ok1, ok2;

	ring[t->pos] = x;
	if (++t->pos == t->n)
		t->pos = 0;
	t->rows++;
	ok1 = ind_win_push(w1, mom, fabs(mom));
	ok2 = ind_win_push(w2, fabs(mom), 0);
	if (!ok1 || !ok2) {
		out[0] = out[1] = NAN;
		return;
	}
	di = ind_win_sumx(w1);
	out[0] = fabs(di) - (ind_win_sumx(w2) - ind_win_sumy(w1));
	out[1] = di;
}
