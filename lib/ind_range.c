/*
 * ind_range.c - functions of a bar's range and of the range of the last n
 * bars: trange, clv, bop (one row, or two for trange), midpoint, midprice,
 * donchian, aroon, vhf and smi (windows of extremes, smi then smoothed),
 * and vol, the range-based volatility estimators.
 *
 * The row functions follow the shift rule of indicators.h: the output of
 * row t is NaN when an input of a row it reads is.  The window functions
 * follow the window rule: NaN while a row with a missing input is in the
 * window.  Extremes come from struct ind_mq deques laid out after a small
 * header in the state block, so the block has no pointers inside.
 */
#include <math.h>
#include <string.h>

#include "ind_impl.h"
#include "banned.h"

#define N(p) ((long)(p)[0])
#define AT(st, off) ((void *)((char *)(st) + (off)))

/* ---- trange, clv, bop ------------------------------------------------------ */

/* trange: the previous close, NaN before the first row or after a row
 * with a missing close. */
struct prevc {
	double pc;		/* previous close */
	double pad;		/* keeps the size a multiple of 16 */
};

long
ind_trange_warmup(const double *p)
{
	(void)p;
	return 1;
}

size_t
ind_trange_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct prevc));
}

int
ind_trange_init(void *st, const double *p, struct pp_err *err)
{
	struct prevc *s = st;

	(void)p;
	(void)err;
	s->pc = NAN;
	s->pad = 0;
	return 0;
}

void
ind_trange_step(void *st, const double *in, double *out)
{
	struct prevc *s = st;
	double h = in[0], l = in[1], pc = s->pc;

	s->pc = in[2];
	if (ind_anynan(in, 2) || isnan(pc)) {
		out[0] = NAN;
		return;
	}
	out[0] = fmax(h - l, fmax(fabs(h - pc), fabs(l - pc)));
}

/* Row functions keep no state; a 16-byte block keeps the contract. */
static long
warmup_0(const double *p)
{
	(void)p;
	return 0;
}

static size_t
size_16(const double *p)
{
	(void)p;
	return 16;
}

static int
init_none(void *st, const double *p, struct pp_err *err)
{
	(void)p;
	(void)err;
	memset(st, 0, 16);
	return 0;
}

long
ind_clv_warmup(const double *p)
{
	return warmup_0(p);
}

size_t
ind_clv_size(const double *p)
{
	return size_16(p);
}

int
ind_clv_init(void *st, const double *p, struct pp_err *err)
{
	return init_none(st, p, err);
}

void
ind_clv_step(void *st, const double *in, double *out)
{
	(void)st;
	out[0] = ind_anynan(in, 3) ? NAN : ind_clv(in);
}

long
ind_bop_warmup(const double *p)
{
	return warmup_0(p);
}

size_t
ind_bop_size(const double *p)
{
	return size_16(p);
}

int
ind_bop_init(void *st, const double *p, struct pp_err *err)
{
	return init_none(st, p, err);
}

void
ind_bop_step(void *st, const double *in, double *out)
{
	double range = in[1] - in[2];

	(void)st;
	if (ind_anynan(in, 4))
		out[0] = NAN;
	else
		out[0] = range > 0 ? (in[3] - in[0]) / range : 0;
}

/* ---- midpoint, midprice, donchian, aroon ------------------------------------ */

/*
 * Two deques over the last w rows: the maximum of the first input and the
 * minimum of the second (midpoint feeds x to both).  A row with a missing
 * input enters neither and marks the window unclean for w rows.
 */
struct mm {
	long w;			/* window length in rows */
	long long rows;		/* rows seen */
	long long lastnan;	/* latest row with a missing input, or -1 */
	size_t loff;		/* offset of the minimum's deque */
};

static size_t
size_mm(long w)
{
	return IND_ROUND(sizeof(struct mm)) + 2 * ind_mq_size(w);
}

static struct ind_mq *
mm_max(struct mm *m)
{
	return AT(m, IND_ROUND(sizeof(struct mm)));
}

static struct ind_mq *
mm_min(struct mm *m)
{
	return AT(m, m->loff);
}

static int
init_mm(const char *name, void *st, const double *p, long w,
    struct pp_err *err)
{
	struct mm *m = st;

	if (ind_check(name, p, err) == -1)
		return -1;
	memset(m, 0, sizeof(*m));
	m->w = w;
	m->lastnan = -1;
	m->loff = IND_ROUND(sizeof(struct mm)) + ind_mq_size(w);
	ind_mq_init(mm_max(m), w, 1);
	ind_mq_init(mm_min(m), w, 0);
	return 0;
}

/* Push a row (hi enters the maximum, lo the minimum; bad marks a missing
 * input); returns 1 when the window is full and clean. */
static int
mm_push(struct mm *m, double hi, double lo, int bad)
{
	long long row = m->rows++;

	if (bad)
		m->lastnan = row;
	ind_mq_push(mm_max(m), row, bad ? NAN : hi);
	ind_mq_push(mm_min(m), row, bad ? NAN : lo);
	return m->rows >= m->w && m->rows - 1 - m->lastnan >= m->w;
}

/* Rows since the extreme at the front of q (the newest among ties). */
static double
mm_age(const struct mm *m, const struct ind_mq *q)
{
	return (double)(m->rows - 1 - q->e[q->head].row);
}

long
ind_midpoint_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_midpoint_size(const double *p)
{
	return size_mm(N(p));
}

int
ind_midpoint_init(void *st, const double *p, struct pp_err *err)
{
	return init_mm("midpoint", st, p, N(p), err);
}

void
ind_midpoint_step(void *st, const double *in, double *out)
{
	struct mm *m = st;

	if (!mm_push(m, in[0], in[0], isnan(in[0])))
		out[0] = NAN;
	else
		out[0] = (ind_mq_get(mm_max(m)) + ind_mq_get(mm_min(m))) / 2;
}

long
ind_midprice_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_midprice_size(const double *p)
{
	return size_mm(N(p));
}

int
ind_midprice_init(void *st, const double *p, struct pp_err *err)
{
	return init_mm("midprice", st, p, N(p), err);
}

void
ind_midprice_step(void *st, const double *in, double *out)
{
	struct mm *m = st;

	if (!mm_push(m, in[0], in[1], ind_anynan(in, 2)))
		out[0] = NAN;
	else
		out[0] = (ind_mq_get(mm_max(m)) + ind_mq_get(mm_min(m))) / 2;
}

long
ind_donchian_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_donchian_size(const double *p)
{
	return size_mm(N(p));
}

int
ind_donchian_init(void *st, const double *p, struct pp_err *err)
{
	return init_mm("donchian", st, p, N(p), err);
}

void
ind_donchian_step(void *st, const double *in, double *out)
{
	struct mm *m = st;
	double hh, ll;

	if (!mm_push(m, in[0], in[1], ind_anynan(in, 2))) {
		out[0] = out[1] = out[2] = NAN;
		return;
	}
	hh = ind_mq_get(mm_max(m));
	ll = ind_mq_get(mm_min(m));
	out[0] = hh;
	out[1] = (hh + ll) / 2;
	out[2] = ll;
}

/*
 * aroon: n + 1 rows (the newest and the n before it), as TA-Lib; the
 * deques keep the newest of equal extremes, which is TA-Lib's tie rule.
 */
long
ind_aroon_warmup(const double *p)
{
	return N(p);
}

size_t
ind_aroon_size(const double *p)
{
	return size_mm(N(p) + 1);
}

int
ind_aroon_init(void *st, const double *p, struct pp_err *err)
{
	return init_mm("aroon", st, p, N(p) + 1, err);
}

void
ind_aroon_step(void *st, const double *in, double *out)
{
	struct mm *m = st;
	double n = (double)(m->w - 1), up, down;

	if (!mm_push(m, in[0], in[1], ind_anynan(in, 2))) {
		out[0] = out[1] = out[2] = NAN;
		return;
	}
	up = 100 * ((n - mm_age(m, mm_max(m))) / n);
	down = 100 * ((n - mm_age(m, mm_min(m))) / n);
	out[0] = up;
	out[1] = down;
	out[2] = up - down;
}

/* ---- vhf ------------------------------------------------------------------ */

/*
 * TTR's VHF on one series: (max - min of the last n values) / (sum of
 * the last n absolute one-row changes), so n + 1 rows; NaN when nothing
 * moved.  Window rule.
 */
struct vhf {
	double prev;		/* previous input, or NaN */
	double pad;		/* keeps the blocks 16-aligned */
	size_t woff;		/* offset of the window of |changes| */
	double pad2;		/* keeps the blocks 16-aligned */
};

long
ind_vhf_warmup(const double *p)
{
	return N(p);
}

size_t
ind_vhf_size(const double *p)
{
	return sizeof(struct vhf) + size_mm(N(p)) + ind_win_size(N(p), 1);
}

int
ind_vhf_init(void *st, const double *p, struct pp_err *err)
{
	struct vhf *v = st;

	if (init_mm("vhf", AT(st, sizeof(*v)), p, N(p), err) == -1)
		return -1;
	v->prev = NAN;
	v->pad = v->pad2 = 0;
	v->woff = sizeof(*v) + size_mm(N(p));
	ind_win_init(AT(st, v->woff), N(p), 1, 1);
	return 0;
}

void
ind_vhf_step(void *st, const double *in, double *out)
{
	struct vhf *v = st;
	struct mm *m = AT(st, sizeof(*v));
	struct ind_win *w = AT(st, v->woff);
	double x = in[0], ch = fabs(x - v->prev), s;
	int okm = mm_push(m, x, x, isnan(x)), okw = ind_win_push(w, ch, 0);

	v->prev = x;
	if (!okm || !okw) {
		out[0] = NAN;
		return;
	}
	s = ind_win_sumx(w);
	out[0] = s != 0 ? (ind_mq_get(mm_max(m)) - ind_mq_get(mm_min(m))) / s
	    : NAN;
}

/* ---- smi ------------------------------------------------------------------ */

/*
 * TTR's SMI: over n rows the highest high HH and lowest low LL; the
 * close's distance from their middle, close - (HH + LL) / 2, and the
 * range HH - LL are each smoothed by ema(slow) then ema(fast); smi = 100
 * num / (den / 2), signal = ema(smi, sig), both starting with the
 * signal.  The EMAs run on the window's values and skip its missing ones
 * (the recursive rule on its output).  TTR fills the first n-1 rows'
 * window with the row's own high and low, so its early values differ.
 */
struct smi {
	struct ind_stage num[2], den[2];	/* slow, then fast */
	struct ind_stage sig;			/* the signal */
};				/* then the high/low window */

long
ind_smi_warmup(const double *p)
{
	return (long)(p[0] + p[1] + p[2] + p[3]) - 4;
}

size_t
ind_smi_size(const double *p)
{
	return IND_ROUND(sizeof(struct smi)) + size_mm(N(p));
}

int
ind_smi_init(void *st, const double *p, struct pp_err *err)
{
	struct smi *s = st;
	int i;

	if (init_mm("smi", AT(st, IND_ROUND(sizeof(*s))), p, N(p), err) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		double m = p[2 - i];	/* slow first, then fast */

		ind_stage_init(&s->num[i], (long)m, 0, 2 / (m + 1));
		ind_stage_init(&s->den[i], (long)m, 0, 2 / (m + 1));
	}
	ind_stage_init(&s->sig, (long)p[3], 0, 2 / (p[3] + 1));
	return 0;
}

void
ind_smi_step(void *st, const double *in, double *out)
{
	struct smi *s = st;
	struct mm *m = AT(st, IND_ROUND(sizeof(*s)));
	double hh, ll, num, den, smi, sig;
	int i;

	out[0] = out[1] = NAN;
	if (!mm_push(m, in[0], in[1], ind_anynan(in, 3)))
		return;
	hh = ind_mq_get(mm_max(m));
	ll = ind_mq_get(mm_min(m));
	num = in[2] - (hh + ll) / 2;
	den = hh - ll;
	for (i = 0; i < 2 && !isnan(num); i++) {
		num = ind_stage_push(&s->num[i], num);
		den = ind_stage_push(&s->den[i], den);
	}
	if (isnan(num) || den == 0)
		return;
	smi = 100 * (num / (den / 2));
	sig = ind_stage_push(&s->sig, smi);
	if (isnan(sig))
		return;
	out[0] = smi;
	out[1] = sig;
}

/* ---- vol ------------------------------------------------------------------- */

/*
 * TTR's volatility(), annualised with N = periods, by method (names in
 * the order of IND_VOL_*; o, h, l, c this row's prices, pc the previous
 * close, sums over the last n rows):
 *   close            sqrt(N) sd(log(c / pc)) over n-1 returns (ddof 1)
 *   parkinson        sqrt(N / (4 n log 2) sum log(h / l)^2)
 *   garman_klass     sqrt(N / n sum (log(h / l)^2 / 2 - (2 log 2 - 1)
 *                    log(c / o)^2))
 *   rogers_satchell  sqrt(N / n sum (log(h / c) log(h / o) + log(l / c)
 *                    log(l / o)))
 *   gk_yz            garman_klass plus log(o / pc)^2 in each term
 *   yang_zhang       sqrt(N var(log(o / pc)) + k N var(log(c / o)) + (1 -
 *                    k) rogers_satchell^2), variances ddof 1 over n rows,
 *                    k = 0.34 / (1.34 + (n + 1) / (n - 1))
 * A log of a price that is not positive is missing.  Window rule.
 */
struct vol {
	int method;		/* IND_VOL_* */
	double n;		/* window */
	double periods;		/* N, periods per year */
	double pc;		/* previous close, or NaN */
	double k;		/* yang_zhang's weight */
	size_t off2;		/* yang_zhang's second window, or 0 */
};

static long
vol_len(const double *p)
{
	return (int)p[1] == IND_VOL_CLOSE ? N(p) - 1 : N(p);
}

long
ind_vol_warmup(const double *p)
{
	return (int)p[1] >= IND_VOL_GKYZ ? N(p) : N(p) - 1;
}

size_t
ind_vol_size(const double *p)
{
	size_t sz = IND_ROUND(sizeof(struct vol)) + ind_win_size(vol_len(p), 1);

	if ((int)p[1] == IND_VOL_YZ)
		sz += ind_win_size(N(p), 2);
	return sz;
}

int
ind_vol_init(void *st, const double *p, struct pp_err *err)
{
	struct vol *v = st;
	size_t off1 = IND_ROUND(sizeof(*v));

	if (ind_check("vol", p, err) == -1)
		return -1;
	memset(v, 0, sizeof(*v));
	v->method = (int)p[1];
	v->n = p[0];
	v->periods = p[2];
	v->pc = NAN;
	v->k = 0.34 / (1.34 + (p[0] + 1) / (p[0] - 1));
	ind_win_init(AT(st, off1), vol_len(p), 1,
	    v->method == IND_VOL_CLOSE ? 2 : 1);
	if (v->method == IND_VOL_YZ) {
		v->off2 = off1 + ind_win_size(vol_len(p), 1);
		ind_win_init(AT(st, v->off2), N(p), 2, 2);
	}
	return 0;
}

/* log(a / b), missing unless both are positive. */
static double
lr(double a, double b)
{
	return a > 0 && b > 0 ? log(a / b) : NAN;
}

void
ind_vol_step(void *st, const double *in, double *out)
{
	struct vol *v = st;
	struct ind_win *w = AT(st, IND_ROUND(sizeof(*v)));
	double o = in[0], h = in[1], l = in[2], c = in[3], pc = v->pc;
	double n = v->n, gk = 2 * log(2) - 1, t, s;

	v->pc = c;
	switch (v->method) {
	case IND_VOL_CLOSE:
		t = lr(c, pc);
		break;
	case IND_VOL_PARK:
		t = lr(h, l) * lr(h, l);
		break;
	case IND_VOL_GK:
		t = lr(h, l) * lr(h, l) / 2 - gk * lr(c, o) * lr(c, o);
		break;
	case IND_VOL_GKYZ:
		t = lr(o, pc) * lr(o, pc) + lr(h, l) * lr(h, l) / 2 -
		    gk * lr(c, o) * lr(c, o);
		break;
	default:		/* rogers_satchell, yang_zhang */
		t = lr(h, c) * lr(h, o) + lr(l, c) * lr(l, o);
		break;
	}
	out[0] = NAN;
	if (v->method == IND_VOL_YZ) {
		struct ind_win *w2 = AT(st, v->off2);
		int ok1 = ind_win_push(w, t, 0);

		if (!ind_win_push(w2, lr(o, pc), lr(c, o)) || !ok1)
			return;
		s = v->periods * ind_win_mxx(w2) / (n - 1) + v->k *
		    v->periods * ind_win_myy(w2) / (n - 1) + (1 - v->k) *
		    v->periods / n * ind_win_sumx(w);
		out[0] = sqrt(s);
		return;
	}
	if (!ind_win_push(w, t, 0))
		return;
	if (v->method == IND_VOL_CLOSE)
		out[0] = sqrt(v->periods) * sqrt(ind_win_mxx(w) / (n - 2));
	else if (v->method == IND_VOL_PARK)
		out[0] = sqrt(v->periods / (4 * n * log(2)) * ind_win_sumx(w));
	else
		out[0] = sqrt(v->periods / n * ind_win_sumx(w));
}
