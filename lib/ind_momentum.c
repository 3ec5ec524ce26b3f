/*
 * ind_momentum.c - oscillators and averages built from the pieces of
 * ind_util.c: cmo (recursive, as rsi), apo, ppo and trima (windows), and
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
