/*
 * ind_volume.c - accumulation and volume functions: Chaikin's ad (the
 * accumulation / distribution line), adosc (its oscillator) and cmf
 * (money flow), Williams' williams_ad and Arms' emv.
 *
 * ad, adosc and williams_ad are recursive: a row with a missing input
 * outputs NaN and leaves the state alone (indicators.h, "Missing
 * values").  cmf and emv are window functions.
 */
#include <math.h>
#include <string.h>

#include "ind_impl.h"
#include "banned.h"

#define N(p) ((long)(p)[0])

/* ---- ad ------------------------------------------------------------------- */

/* The running total, compensated as obv's is. */
struct ad {
	double s, c;		/* sum and its compensation */
};

long
ind_ad_warmup(const double *p)
{
	(void)p;
	return 0;
}

size_t
ind_ad_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct ad));
}

int
ind_ad_init(void *st, const double *p, struct pp_err *err)
{
	struct ad *a = st;

	(void)p;
	(void)err;
	a->s = a->c = 0;
	return 0;
}

/* Add one clean high, low, close, volume row; the line's new value. */
static double
ad_push(struct ad *a, const double *hlcv)
{
	ind_nadd(&a->s, &a->c, ind_clv(hlcv) * hlcv[3]);
	return a->s + a->c;
}

void
ind_ad_step(void *st, const double *in, double *out)
{
	out[0] = ind_anynan(in, 4) ? NAN : ad_push(st, in);
}

/* ---- adosc ---------------------------------------------------------------- */

/*
 * TA-Lib's ADOSC seeds both EMAs with the first value of the line (not a
 * mean, unlike its EMA) and outputs from row max(fast, slow) - 1.  TTR's
 * chaikinOscillator uses its EMA, seeded with a mean, so its first values
 * differ and it starts later.
 */
struct adosc {
	struct ad ad;		/* the line */
	long long rows;		/* valid rows seen */
	long wait;		/* rows before the first output */
	double kf, ks;		/* smoothing factors 2 / (period + 1) */
	double ef, es;		/* the two EMAs */
};

long
ind_adosc_warmup(const double *p)
{
	return (long)fmax(p[0], p[1]) - 1;
}

size_t
ind_adosc_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct adosc));
}

int
ind_adosc_init(void *st, const double *p, struct pp_err *err)
{
	struct adosc *a = st;

	if (ind_check("adosc", p, err) == -1)
		return -1;
	memset(a, 0, sizeof(*a));
	a->wait = ind_adosc_warmup(p);
	a->kf = 2 / (p[0] + 1);
	a->ks = 2 / (p[1] + 1);
	return 0;
}

void
ind_adosc_step(void *st, const double *in, double *out)
{
	struct adosc *a = st;
	double line;

	out[0] = NAN;
	if (ind_anynan(in, 4))
		return;
	line = ad_push(&a->ad, in);
	if (a->rows++ == 0) {
		a->ef = a->es = line;
	} else {
		a->ef = a->kf * line + (1 - a->kf) * a->ef;
		a->es = a->ks * line + (1 - a->ks) * a->es;
	}
	if (a->rows > a->wait)
		out[0] = a->ef - a->es;
}

/* ---- cmf ------------------------------------------------------------------ */

long
ind_cmf_warmup(const double *p)
{
	return N(p) - 1;
}

size_t
ind_cmf_size(const double *p)
{
	return ind_win_size(N(p), 2);
}

int
ind_cmf_init(void *st, const double *p, struct pp_err *err)
{
	if (ind_check("cmf", p, err) == -1)
		return -1;
	ind_win_init(st, N(p), 2, 1);
	return 0;
}

void
ind_cmf_step(void *st, const double *in, double *out)
{
	int bad = ind_anynan(in, 4);
	double v;

	if (!ind_win_push(st, bad ? NAN : ind_clv(in) * in[3], in[3])) {
		out[0] = NAN;
		return;
	}
	v = ind_win_sumy(st);
	out[0] = v != 0 ? ind_win_sumx(st) / v : NAN;
}

/* ---- williams_ad ------------------------------------------------------------ */

/*
 * TTR's williamsAD: the running total of close - true low (min(low,
 * previous close)) on an up close, close - true high (max(high, previous
 * close)) on a down close, 0 when the close is unchanged.  Recursive
 * rule; row 0 has no previous close.
 */
struct wad {
	double pc;		/* previous close, NaN before the first row */
	double pad;		/* keeps the size a multiple of 16 */
	double s, c;		/* compensated running total */
};

long
ind_williams_ad_warmup(const double *p)
{
	(void)p;
	return 1;
}

size_t
ind_williams_ad_size(const double *p)
{
	(void)p;
	return IND_ROUND(sizeof(struct wad));
}

int
ind_williams_ad_init(void *st, const double *p, struct pp_err *err)
{
	struct wad *w = st;

	(void)p;
	(void)err;
	memset(w, 0, sizeof(*w));
	w->pc = NAN;
	return 0;
}

void
ind_williams_ad_step(void *st, const double *in, double *out)
{
	struct wad *w = st;
	double h = in[0], l = in[1], c = in[2], pc = w->pc, ad = 0;

	out[0] = NAN;
	if (ind_anynan(in, 3))
		return;
	w->pc = c;
	if (isnan(pc))
		return;
	if (c > pc)
		ad = c - fmin(l, pc);
	else if (c < pc)
		ad = c - fmax(h, pc);
	ind_nadd(&w->s, &w->c, ad);
	out[0] = w->s + w->c;
}

/* ---- emv -------------------------------------------------------------------- */

/*
 * TTR's EMV: the move of the midpoint (high + low) / 2 from the previous
 * row over the "box ratio" (volume / 10000) / (high - low), and its SMA
 * over n as the second output; both start with the SMA.  A row without
 * volume has no value (TTR gives an infinity).  Window rule over n + 1
 * rows.
 */
struct emv {
	double pmid;		/* previous midpoint, or NaN */
	double pad;		/* keeps the window 16-aligned */
};

long
ind_emv_warmup(const double *p)
{
	return N(p);
}

size_t
ind_emv_size(const double *p)
{
	return sizeof(struct emv) + ind_win_size(N(p), 1);
}

int
ind_emv_init(void *st, const double *p, struct pp_err *err)
{
	struct emv *e = st;

	if (ind_check("emv", p, err) == -1)
		return -1;
	e->pmid = NAN;
	e->pad = 0;
	ind_win_init((void *)(e + 1), N(p), 1, 1);
	return 0;
}

void
ind_emv_step(void *st, const double *in, double *out)
{
	struct emv *e = st;
	struct ind_win *w = (void *)(e + 1);
	double mid = ind_anynan(in, 2) ? NAN : (in[0] + in[1]) / 2, v = NAN;

	if (!isnan(mid) && !isnan(e->pmid) && !isnan(in[2]) && in[2] != 0)
		v = (mid - e->pmid) / ((in[2] / 10000) / (in[0] - in[1]));
	e->pmid = mid;
	if (!ind_win_push(w, v, 0)) {
		out[0] = out[1] = NAN;
		return;
	}
	out[0] = v;
	out[1] = ind_win_meanx(w);
}
