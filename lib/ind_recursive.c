/*
 * ind_recursive.c - functions whose value feeds the next row: ema, dema,
 * tema, macd, rsi, atr, natr, adx, obv, and adxr, keltner, snr,
 * chaikin_vol, which build on the ADX, the ATR and the EMA.
 *
 * A row with any NaN input outputs NaN and does not touch the state
 * (indicators.h, "Missing values"), so every step starts with that test
 * and the rest of the code sees valid rows only.  The state is a fixed
 * struct: recursion needs no window.
 */
#include <math.h>
#include <string.h>

#include "ind_impl.h"
#include "banned.h"

#define N(p) ((long)(p)[0])

static void
nan_out(double *out, int n)
{
	int i;

	for (i = 0; i < n; i++)
		out[i] = NAN;
}

static double
ema_alpha(long n)
{
	return 2.0 / ((double)n + 1);
}

/* ---- ema, dema, tema ------------------------------------------------------- */

/* Up to three chained EMA stages of the same period. */
struct emas {
	struct ind_stage e[3];
};

static size_t
size_emas(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct emas));
}

static int
init_emas(const char *name, void *st, const double *p, struct pp_err *err)
{
	struct emas *s = st;
	int i;

	if (ind_check(name, p, err) == -1)
		return -1;
	for (i = 0; i < 3; i++)
		ind_stage_init(&s->e[i], N(p), 0, ema_alpha(N(p)));
	return 0;
}

/* Feed x through `depth` stages; v[i] gets stage i's value (NaN while it
 * warms up).  Returns 1 when the last stage has a value. */
static int
emas_push(struct emas *s, double x, int depth, double *v)
{
	int i;

	for (i = 0; i < depth; i++) {
		v[i] = isnan(x) ? NAN : ind_stage_push(&s->e[i], x);
		x = v[i];
	}
	return !isnan(x);
}

long
ind_ema_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_ema_size(const double *p)
{
	return size_emas(p);
}

int
ind_ema_init(void *st, const double *p, struct pp_err *err)
{
	return init_emas("ema", st, p, err);
}

void
ind_ema_step(void *st, const double *in, double *out)
{
	double v[1];

	if (isnan(in[0])) {
		out[0] = NAN;
		return;
	}
	emas_push(st, in[0], 1, v);
	out[0] = v[0];
}

long
ind_dema_warmup(const double *p)
{
	return 2 * (N(p) - 1);
}

size_t
ind_dema_size(const double *p)
{
	return size_emas(p);
}

int
ind_dema_init(void *st, const double *p, struct pp_err *err)
{
	return init_emas("dema", st, p, err);
}

void
ind_dema_step(void *st, const double *in, double *out)
{
	double v[2];

	if (isnan(in[0]) || !emas_push(st, in[0], 2, v))
		out[0] = NAN;
	else
		out[0] = 2 * v[0] - v[1];
}

long
ind_tema_warmup(const double *p)
{
	return 3 * (N(p) - 1);
}

size_t
ind_tema_size(const double *p)
{
	return size_emas(p);
}

int
ind_tema_init(void *st, const double *p, struct pp_err *err)
{
	return init_emas("tema", st, p, err);
}

void
ind_tema_step(void *st, const double *in, double *out)
{
	double v[3];

	if (isnan(in[0]) || !emas_push(st, in[0], 3, v))
		out[0] = NAN;
	else
		out[0] = 3 * v[0] - 3 * v[1] + v[2];
}

/* ---- macd ------------------------------------------------------------------ */

/*
 * TA-Lib aligns the two EMAs so that both are seeded at row slow-1: the
 * fast one skips its first slow-fast inputs and is seeded with the mean
 * of the `fast` values that end there.  The signal EMA runs on the macd
 * line from that row; every output waits for the signal.
 */
struct macd {
	struct ind_stage fast, slow, sig;
};

static void
macd_periods(const double *p, long *fast, long *slow)
{
	*fast = (long)fmin(p[0], p[1]);
	*slow = (long)fmax(p[0], p[1]);
}

long
ind_macd_warmup(const double *p)
{
	long fast, slow;

	macd_periods(p, &fast, &slow);
	return slow + (long)p[2] - 2;
}

size_t
ind_macd_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct macd));
}

int
ind_macd_init(void *st, const double *p, struct pp_err *err)
{
	struct macd *m = st;
	long fast, slow;

	if (ind_check("macd", p, err) == -1)
		return -1;
	macd_periods(p, &fast, &slow);
	ind_stage_init(&m->fast, fast, slow - fast, ema_alpha(fast));
	ind_stage_init(&m->slow, slow, 0, ema_alpha(slow));
	ind_stage_init(&m->sig, (long)p[2], 0, ema_alpha((long)p[2]));
	return 0;
}

void
ind_macd_step(void *st, const double *in, double *out)
{
	struct macd *m = st;
	double f, s, line, sig;

	nan_out(out, 3);
	if (isnan(in[0]))
		return;
	f = ind_stage_push(&m->fast, in[0]);
	s = ind_stage_push(&m->slow, in[0]);
	if (isnan(s))
		return;
	line = f - s;
	sig = ind_stage_push(&m->sig, line);
	if (isnan(sig))
		return;
	out[0] = line;
	out[1] = sig;
	out[2] = line - sig;
}

/* ---- rsi ------------------------------------------------------------------- */

struct rsi {
	long n;			/* period */
	long changes;		/* changes seen (rows after the first) */
	double prev;		/* previous input, NaN before the first */
	double g, l;		/* seed sums, then Wilder averages */
};

long
ind_rsi_warmup(const double *p)
{
	return N(p);
}

size_t
ind_rsi_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct rsi));
}

int
ind_rsi_init(void *st, const double *p, struct pp_err *err)
{
	struct rsi *r = st;

	if (ind_check("rsi", p, err) == -1)
		return -1;
	memset(r, 0, sizeof(*r));
	r->n = N(p);
	r->prev = NAN;
	return 0;
}

void
ind_rsi_step(void *st, const double *in, double *out)
{
	struct rsi *r = st;
	double x = in[0], ch, gain, loss, n = (double)r->n;

	out[0] = NAN;
	if (isnan(x))
		return;
	if (isnan(r->prev)) {
		r->prev = x;
		return;
	}
	ch = x - r->prev;
	r->prev = x;
	gain = ch > 0 ? ch : 0;
	loss = ch < 0 ? -ch : 0;
	if (++r->changes <= r->n) {
		r->g += gain;
		r->l += loss;
		if (r->changes < r->n)
			return;
		r->g /= n;
		r->l /= n;
	} else {
		r->g = (r->g * (n - 1) + gain) / n;
		r->l = (r->l * (n - 1) + loss) / n;
	}
	out[0] = r->g + r->l != 0 ? 100 * (r->g / (r->g + r->l)) : 0;
}

/* ---- atr, natr --------------------------------------------------------------- */

/* TA-Lib's true range: the largest of high - low, |high - prev close|,
 * |low - prev close|. */
static double
true_range(double h, double l, double pc)
{
	double tr = h - l, a = fabs(h - pc), b = fabs(l - pc);

	if (a > tr)
		tr = a;
	if (b > tr)
		tr = b;
	return tr;
}

struct atr {
	long n;			/* period */
	long ranges;		/* true ranges seen (rows after the first) */
	double pc;		/* previous close, NaN before the first row */
	double atr;		/* seed sum, then the Wilder average */
};

static int
init_atr(const char *name, void *st, const double *p, struct pp_err *err)
{
	struct atr *a = st;

	if (ind_check(name, p, err) == -1)
		return -1;
	memset(a, 0, sizeof(*a));
	a->n = N(p);
	a->pc = NAN;
	return 0;
}

/* Push a high, low, close row (no NaN); the ATR or NaN. */
static double
atr_push(struct atr *a, const double *hlc)
{
	double tr, n = (double)a->n;

	if (isnan(a->pc)) {
		a->pc = hlc[2];
		return NAN;
	}
	tr = true_range(hlc[0], hlc[1], a->pc);
	a->pc = hlc[2];
	if (++a->ranges <= a->n) {
		a->atr += tr;
		if (a->ranges < a->n)
			return NAN;
		a->atr /= n;
	} else {
		a->atr = (a->atr * (n - 1) + tr) / n;
	}
	return a->atr;
}

long
ind_atr_warmup(const double *p)
{
	return N(p);
}

size_t
ind_atr_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct atr));
}

int
ind_atr_init(void *st, const double *p, struct pp_err *err)
{
	return init_atr("atr", st, p, err);
}

void
ind_atr_step(void *st, const double *in, double *out)
{
	out[0] = ind_anynan(in, 3) ? NAN : atr_push(st, in);
}

long
ind_natr_warmup(const double *p)
{
	return N(p);
}

size_t
ind_natr_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct atr));
}

int
ind_natr_init(void *st, const double *p, struct pp_err *err)
{
	return init_atr("natr", st, p, err);
}

void
ind_natr_step(void *st, const double *in, double *out)
{
	double a;

	out[0] = NAN;
	if (ind_anynan(in, 3))
		return;
	a = atr_push(st, in);
	if (!isnan(a))
		out[0] = in[2] != 0 ? (a / in[2]) * 100 : 0;
}

/* ---- adx --------------------------------------------------------------------- */

struct adx {
	long n;			/* period */
	long rows;		/* valid rows after the first */
	double ph, pl, pc;	/* previous high, low, close; NaN at first */
	double pdm, mdm, tr;	/* Wilder sums of +DM, -DM, true range */
	double adx;		/* sum of the first n DX, then ADX */
};

long
ind_adx_warmup(const double *p)
{
	return 2 * N(p) - 1;
}

size_t
ind_adx_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct adx));
}

int
ind_adx_init(void *st, const double *p, struct pp_err *err)
{
	struct adx *a = st;

	if (ind_check("adx", p, err) == -1)
		return -1;
	memset(a, 0, sizeof(*a));
	a->n = N(p);
	a->ph = a->pl = a->pc = NAN;
	return 0;
}

void
ind_adx_step(void *st, const double *in, double *out)
{
	struct adx *a = st;
	double h = in[0], l = in[1], n = (double)a->n;
	double up, down, tr, pdi, mdi, dx = NAN;

	out[0] = NAN;
	if (ind_anynan(in, 3))
		return;
	if (isnan(a->pc)) {
		a->ph = h;
		a->pl = l;
		a->pc = in[2];
		return;
	}
	up = h - a->ph;
	down = a->pl - l;
	tr = true_range(h, l, a->pc);
	a->ph = h;
	a->pl = l;
	a->pc = in[2];
	a->rows++;
	if (a->rows >= a->n) {
		/* Rows 1 .. n-1 only summed; from row n on, Wilder. */
		a->mdm -= a->mdm / n;
		a->pdm -= a->pdm / n;
		a->tr = a->tr - a->tr / n + tr;
	} else {
		a->tr += tr;
	}
	if (down > 0 && up < down)
		a->mdm += down;
	else if (up > 0 && up > down)
		a->pdm += up;
	if (a->rows < a->n)
		return;
	if (a->tr != 0) {
		mdi = 100 * (a->mdm / a->tr);
		pdi = 100 * (a->pdm / a->tr);
		if (mdi + pdi != 0)
			dx = 100 * (fabs(mdi - pdi) / (mdi + pdi));
	}
	if (a->rows < 2 * a->n - 1) {
		if (!isnan(dx))
			a->adx += dx;
		return;
	}
	if (a->rows == 2 * a->n - 1) {
		if (!isnan(dx))
			a->adx += dx;
		a->adx /= n;
	} else if (!isnan(dx)) {
		a->adx = (a->adx * (n - 1) + dx) / n;
	}
	out[0] = a->adx;
}

/* ---- obv ----------------------------------------------------------------------- */

struct obv {
	double pc;		/* previous close, NaN before the first row */
	double s, c;		/* compensated running total */
};

long
ind_obv_warmup(const double *p)
{
	(void)p;
	return 0;
}

size_t
ind_obv_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct obv));
}

int
ind_obv_init(void *st, const double *p, struct pp_err *err)
{
	struct obv *o = st;

	(void)p;
	(void)err;
	o->pc = NAN;
	o->s = o->c = 0;
	return 0;
}

void
ind_obv_step(void *st, const double *in, double *out)
{
	struct obv *o = st;
	double close = in[0], vol = in[1];

	if (isnan(close) || isnan(vol)) {
		out[0] = NAN;
		return;
	}
	if (isnan(o->pc))
		o->s = vol;
	else if (close > o->pc)
		ind_nadd(&o->s, &o->c, vol);
	else if (close < o->pc)
		ind_nadd(&o->s, &o->c, -vol);
	o->pc = close;
	out[0] = o->s + o->c;
}

/* ---- keltner, snr, chaikin_vol ---------------------------------------------- */

/*
 * TTR's keltnerChannels: the EMA over n of the typical price, plus and
 * minus k times atr(n).  Both pieces skip rows with a missing input.
 */
struct keltner {
	struct ind_stage mid;	/* EMA of the typical price */
	struct atr atr;		/* the average true range */
	double k;		/* band width in ATRs */
	double pad;		/* keeps the size a multiple of 16 */
};

long
ind_keltner_warmup(const double *p)
{
	return N(p);
}

size_t
ind_keltner_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct keltner));
}

int
ind_keltner_init(void *st, const double *p, struct pp_err *err)
{
	struct keltner *k = st;

	if (ind_check("keltner", p, err) == -1 ||
	    init_atr("atr", &k->atr, p, err) == -1)
		return -1;
	ind_stage_init(&k->mid, N(p), 0, ema_alpha(N(p)));
	k->k = p[1];
	k->pad = 0;
	return 0;
}

void
ind_keltner_step(void *st, const double *in, double *out)
{
	struct keltner *k = st;
	double mid, a;

	nan_out(out, 3);
	if (ind_anynan(in, 3))
		return;
	mid = ind_stage_push(&k->mid, ind_tp(in));
	a = atr_push(&k->atr, in);
	if (isnan(mid) || isnan(a))
		return;
	out[0] = mid + k->k * a;
	out[1] = mid;
	out[2] = mid - k->k * a;
}

/*
 * TTR's SNR: |close - the close n rows before| / atr(n); NaN when the
 * ATR is 0.  The n earlier closes are those of valid rows, as the ATR's.
 */
struct snr {
	struct atr atr;		/* the average true range */
	long n;			/* lag */
	long pos;		/* ring slot of the close n rows back */
	long long rows;		/* valid rows seen */
	double pad;		/* keeps the ring 16-aligned */
	double ring[];		/* the last n closes */
};

long
ind_snr_warmup(const double *p)
{
	return N(p);
}

size_t
ind_snr_size(const double *p)
{
	return IND_ROUND(sizeof(struct snr) + (size_t)N(p) * sizeof(double));
}

int
ind_snr_init(void *st, const double *p, struct pp_err *err)
{
	struct snr *s = st;

	if (ind_check("snr", p, err) == -1 ||
	    init_atr("atr", &s->atr, p, err) == -1)
		return -1;
	s->n = N(p);
	s->pos = 0;
	s->rows = 0;
	s->pad = 0;
	return 0;
}

void
ind_snr_step(void *st, const double *in, double *out)
{
	struct snr *s = st;
	double a, old;

	out[0] = NAN;
	if (ind_anynan(in, 3))
		return;
	a = atr_push(&s->atr, in);
	old = s->rows >= s->n ? s->ring[s->pos] : NAN;
	s->ring[s->pos] = in[2];
	if (++s->pos == s->n)
		s->pos = 0;
	s->rows++;
	if (!isnan(a) && !isnan(old) && a != 0)
		out[0] = fabs(in[2] - old) / a;
}

/*
 * TTR's chaikinVolatility: the EMA over n of high - low, and its change
 * over n (valid) rows as a fraction, e[t] / e[t-n] - 1; NaN on a zero
 * base.
 */
struct chvol {
	struct ind_stage e;	/* EMA of the range */
	long n;			/* lag */
	long pos;		/* ring slot of the EMA n rows back */
	long long vals;		/* EMA values seen */
	double pad;		/* keeps the ring 16-aligned */
	double ring[];		/* the last n EMA values */
};

long
ind_chaikin_vol_warmup(const double *p)
{
	return 2 * N(p) - 1;
}

size_t
ind_chaikin_vol_size(const double *p)
{
	return IND_ROUND(sizeof(struct chvol) + (size_t)N(p) * sizeof(double));
}

int
ind_chaikin_vol_init(void *st, const double *p, struct pp_err *err)
{
	struct chvol *c = st;

	if (ind_check("chaikin_vol", p, err) == -1)
		return -1;
	ind_stage_init(&c->e, N(p), 0, ema_alpha(N(p)));
	c->n = N(p);
	c->pos = 0;
	c->vals = 0;
	c->pad = 0;
	return 0;
}

void
ind_chaikin_vol_step(void *st, const double *in, double *out)
{
	struct chvol *c = st;
	double e, old;

	out[0] = NAN;
	if (ind_anynan(in, 2))
		return;
	e = ind_stage_push(&c->e, in[0] - in[1]);
	if (isnan(e))
		return;
	old = c->vals >= c->n ? c->ring[c->pos] : NAN;
	c->ring[c->pos] = e;
	if (++c->pos == c->n)
		c->pos = 0;
	c->vals++;
	if (!isnan(old) && old != 0)
		out[0] = e / old - 1;
}

/* ---- adxr ------------------------------------------------------------------- */

/*
 * TA-Lib's ADXR: (adx[t] + adx[t-(n-1)]) / 2, the ADX n-1 values back
 * (of valid rows, as the ADX's own).
 */
struct adxr {
	struct adx adx;		/* the ADX */
	long lag;		/* n - 1 */
	long pos;		/* ring slot of the ADX lag values back */
	long long vals;		/* ADX values seen */
	double pad;		/* keeps the ring 16-aligned */
	double ring[];		/* the last lag ADX values (one slot if 0) */
};

long
ind_adxr_warmup(const double *p)
{
	return 3 * N(p) - 2;
}

size_t
ind_adxr_size(const double *p)
{
	return IND_ROUND(sizeof(struct adxr) +
	    (size_t)(N(p) > 1 ? N(p) - 1 : 1) * sizeof(double));
}

int
ind_adxr_init(void *st, const double *p, struct pp_err *err)
{
	struct adxr *a = st;

	if (ind_check("adxr", p, err) == -1 ||
	    ind_adx_init(&a->adx, p, err) == -1)
		return -1;
	a->lag = N(p) - 1;
	a->pos = 0;
	a->vals = 0;
	a->pad = 0;
	return 0;
}

void
ind_adxr_step(void *st, const double *in, double *out)
{
	struct adxr *a = st;
	double x, old;

	ind_adx_step(&a->adx, in, &x);
	out[0] = NAN;
	if (isnan(x))
		return;
	if (a->lag == 0) {
		out[0] = x;
		return;
	}
	old = a->vals >= a->lag ? a->ring[a->pos] : NAN;
	a->ring[a->pos] = x;
	if (++a->pos == a->lag)
		a->pos = 0;
	a->vals++;
	if (!isnan(old))
		out[0] = (x + old) / 2;
}
