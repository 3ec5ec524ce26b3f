/*
 * test_ind_oracle.c - every indicator against an independent from-scratch
 * reference, on random data with and without missing values; and the
 * warm-up length of every function.
 *
 * Plan:
 *  - warm-up: for every table row and several parameter vectors, on clean
 *    random OHLCV data, each output has exactly warmup(params) leading NaN
 *    rows and no NaN after them; every function of the table must have
 *    vectors here, so a new function cannot ship untested;
 *  - nesting: series that start with NaN rows (an inner expression's
 *    warm-up) shift every output's warm-up by exactly that many rows;
 *  - relocation: a state moved with memcpy mid-series carries on
 *    bit-identically (no pointers inside), and sizes are multiples of 16;
 *  - oracle: the streaming output equals a batch reference written here
 *    the simple way (window functions recompute each window in O(n), in
 *    two passes; recursive ones run TA-Lib-style array loops), to 1e-9
 *    relative, on clean data and on data with leading NaNs and 4% of
 *    cells missing.  The references apply the NaN rule of indicators.h
 *    literally: a window function is NaN when any row of its window has
 *    a missing input; a recursive function runs on the rows without
 *    missing inputs, squeezed together, and is NaN on the others.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "indicators.h"
#include "util.h"
#include "banned.h"

#define ROWS 400
#define TOL 1e-9

/* ---- data ----------------------------------------------------------------- */

static uint64_t rng_state;

static double
urand(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

/* Columns of one test frame: x (= close), y, high, low, close, volume,
 * open. */
enum { C_X, C_Y, C_H, C_L, C_C, C_V, C_O, NCOL };

struct data {
	double col[NCOL][ROWS];
};

/* Random OHLCV rows; with flats, some repeated closes and zero volumes
 * (where zscore, corr, beta, vwap are undefined); with dirty, missing
 * cells and a block of leading NaNs in x and close. */
static void
make_data(struct data *d, uint64_t seed, int flats, int dirty)
{
	double c = 100, y = 50;
	int t, k;

	rng_state = seed;
	for (t = 0; t < ROWS; t++) {
		double o = c;

		c += urand() * 4 - 2;
		y += urand() * 2 - 1 + (c - o) * 0.5;
		d->col[C_C][t] = c;
		d->col[C_O][t] = o;
		d->col[C_H][t] = fmax(o, c) + urand() * 2;
		d->col[C_L][t] = fmin(o, c) - urand() * 2;
		/* some flat closes and zero volumes */
		if (flats && urand() < 0.05)
			d->col[C_C][t] = c = o;
		d->col[C_V][t] = flats && urand() < 0.05 ? 0
		    : 1 + floor(urand() * 1000);
		d->col[C_Y][t] = y;
	}
	if (dirty) {
		for (k = C_Y; k < NCOL; k++)
			for (t = 0; t < ROWS; t++)
				if (urand() < 0.01)
					d->col[k][t] = NAN;
		for (t = 0; t < 7; t++)
			d->col[C_C][t] = NAN;	/* a nested expression's lead */
	}
	memcpy(d->col[C_X], d->col[C_C], sizeof(d->col[C_X]));
}

/* The input row of def d at row t: series x, y, then implicit columns. */
static void
row_in(const struct pp_ind_def *d, const struct data *dt, int t, double *in)
{
	const char *s = d->implicit;
	int i, k = 0;

	for (i = 0; i < d->nseries; i++)
		in[k++] = dt->col[i == 0 ? C_X : C_Y][t];
	while (s && *s) {
		int c = s[0] == 'h' ? C_H : s[0] == 'l' ? C_L
		    : s[0] == 'c' ? C_C : s[0] == 'o' ? C_O : C_V;

		in[k++] = dt->col[c][t];
		s = strchr(s, ',');
		s = s ? s + 1 : NULL;
	}
}

/* Stream def name over dt; out[o][t]. */
static void
stream(const char *name, const double *p, const struct data *dt,
    double out[][ROWS])
{
	const struct pp_ind_def *d = pp_ind_find(name);
	struct pp_err err = PP_ERR_INIT;
	double in[PP_IND_MAXIN], o[PP_IND_MAXOUT];
	void *st;
	int t, k;

	assert_non_null(d);
	st = pp_xmalloc(d->state_size(p));
	assert_int_equal(d->init(st, p, &err), 0);
	for (t = 0; t < ROWS; t++) {
		row_in(d, dt, t, in);
		d->step(st, in, o);
		for (k = 0; k < d->noutputs; k++)
			out[k][t] = o[k];
	}
	free(st);
}

/* ---- parameter vectors per function ---------------------------------------- */

static const struct {
	const char *name;
	double p[PP_IND_MAXPARAMS];
} vectors[] = {
	{ "ad", { 0 } },
	{ "adosc", { 3, 10 } }, { "adosc", { 10, 3 } }, { "adosc", { 1, 1 } },
	{ "adx", { 1 } }, { "adx", { 2 } }, { "adx", { 14 } },
	{ "alma", { 9, 0.85, 6 } }, { "alma", { 1, 0.85, 6 } },
	{ "alma", { 10, 0, 2 } }, { "alma", { 5, 1, 0.5 } },
	{ "adxr", { 1 } }, { "adxr", { 2 } }, { "adxr", { 14 } },
	{ "apo", { 12, 26 } }, { "apo", { 5, 2 } }, { "apo", { 1, 1 } },
	{ "aroon", { 1 } }, { "aroon", { 14 } }, { "aroon", { 3 } },
	{ "atr", { 1 } }, { "atr", { 14 } },
	{ "bbands", { 1, 2 } }, { "bbands", { 20, 2 } }, { "bbands", { 5, 1.5 } },
	{ "beta", { 2 } }, { "beta", { 10 } },
	{ "bop", { 0 } },
	{ "chaikin_vol", { 1 } }, { "chaikin_vol", { 10 } },
	{ "cci", { 1 } }, { "cci", { 20 } },
	{ "clv", { 0 } },
	{ "cmf", { 1 } }, { "cmf", { 20 } },
	{ "cmo", { 1 } }, { "cmo", { 14 } },
	{ "corr", { 2 } }, { "corr", { 30 } },
	{ "dema", { 1 } }, { "dema", { 2 } }, { "dema", { 10 } },
	{ "diff", { 1 } }, { "diff", { 5 } },
	{ "donchian", { 1 } }, { "donchian", { 20 } },
	{ "dx", { 1 } }, { "dx", { 2 } }, { "dx", { 14 } },
	{ "ema", { 1 } }, { "ema", { 20 } },
	{ "emv", { 1 } }, { "emv", { 9 } },
	{ "evwma", { 1 } }, { "evwma", { 10 } },
	{ "ewm_std", { 2 } }, { "ewm_std", { 10 } },
	{ "hma", { 2 } }, { "hma", { 9 } }, { "hma", { 20 } },
	{ "kama", { 1 } }, { "kama", { 2 } }, { "kama", { 10 } },
	{ "keltner", { 1, 2 } }, { "keltner", { 20, 1.5 } },
	{ "kst", { 0 } },
	{ "kurt", { 4 } }, { "kurt", { 20 } },
	{ "lag", { 1 } }, { "lag", { 5 } },
	{ "linearreg", { 2 } }, { "linearreg", { 14 } },
	{ "logret", { 1 } }, { "logret", { 3 } },
	{ "macd", { 12, 26, 9 } }, { "macd", { 26, 12, 9 } },
	{ "macd", { 1, 1, 1 } }, { "macd", { 3, 5, 2 } },
	{ "mad", { 1 } }, { "mad", { 4 } }, { "mad", { 15 } },
	{ "max", { 1 } }, { "max", { 10 } },
	{ "median", { 1 } }, { "median", { 2 } }, { "median", { 5 } },
	{ "median", { 20 } },
	{ "mfi", { 1 } }, { "mfi", { 14 } },
	{ "midpoint", { 1 } }, { "midpoint", { 14 } },
	{ "midprice", { 1 } }, { "midprice", { 14 } },
	{ "min", { 1 } }, { "min", { 10 } },
	{ "minus_di", { 1 } }, { "minus_di", { 14 } },
	{ "minus_dm", { 1 } }, { "minus_dm", { 2 } }, { "minus_dm", { 14 } },
	{ "mom", { 1 } }, { "mom", { 10 } },
	{ "natr", { 1 } }, { "natr", { 14 } },
	{ "obv", { 0 } },
	{ "pctrank", { 1 } }, { "pctrank", { 10 } },
	{ "plus_di", { 1 } }, { "plus_di", { 2 } }, { "plus_di", { 14 } },
	{ "plus_dm", { 1 } }, { "plus_dm", { 14 } },
	{ "ppo", { 12, 26 } }, { "ppo", { 9, 3 } },
	{ "quantile", { 5, 0.5 } }, { "quantile", { 10, 0 } },
	{ "quantile", { 10, 1 } }, { "quantile", { 7, 0.3 } },
	{ "quantile", { 1, 0.9 } },
	{ "rank", { 1 } }, { "rank", { 10 } },
	{ "ret", { 1 } }, { "ret", { 4 } },
	{ "roc", { 1 } }, { "roc", { 10 } },
	{ "rocp", { 1 } }, { "rocp", { 10 } },
	{ "rocr", { 1 } }, { "rocr", { 10 } },
	{ "rsi", { 1 } }, { "rsi", { 14 } },
	{ "sar", { 0.02, 0.2 } }, { "sar", { 0.1, 0.05 } },
	{ "sar", { 0.2, 0.5 } },
	{ "skew", { 3 } }, { "skew", { 20 } },
	{ "sma", { 1 } }, { "sma", { 20 } },
	{ "smi", { 13, 2, 25, 9 } }, { "smi", { 5, 2, 3, 2 } },
	{ "smi", { 1, 1, 1, 1 } },
	{ "snr", { 1 } }, { "snr", { 14 } },
	{ "stddev", { 2, 1 } }, { "stddev", { 20, 1 } }, { "stddev", { 1, 0 } },
	{ "stddev", { 20, 0 } },
	{ "stoch", { 5, 3, 3 } }, { "stoch", { 1, 1, 1 } },
	{ "stoch", { 14, 1, 4 } },
	{ "stochf", { 5, 3 } }, { "stochf", { 1, 1 } },
	{ "stochrsi", { 14, 5, 3 } }, { "stochrsi", { 1, 1, 1 } },
	{ "stochrsi", { 5, 3, 2 } },
	{ "sum", { 1 } }, { "sum", { 20 } },
	{ "t3", { 1, 0.7 } }, { "t3", { 5, 0.7 } }, { "t3", { 3, 0 } },
	{ "tdi", { 1 } }, { "tdi", { 5 } }, { "tdi", { 20 } },
	{ "tema", { 1 } }, { "tema", { 2 } }, { "tema", { 10 } },
	{ "trange", { 0 } },
	{ "trima", { 1 } }, { "trima", { 2 } }, { "trima", { 9 } },
	{ "trima", { 10 } },
	{ "trix", { 1, 1 } }, { "trix", { 5, 3 } },
	{ "tsf", { 2 } }, { "tsf", { 14 } },
	{ "ultosc", { 7, 14, 28 } }, { "ultosc", { 28, 1, 7 } },
	{ "ultosc", { 1, 1, 1 } },
	{ "var", { 2, 1 } }, { "var", { 20, 0 } },
	{ "vhf", { 1 } }, { "vhf", { 28 } },
	{ "vol", { 3, 0, 252 } }, { "vol", { 20, 0, 252 } },
	{ "vol", { 1, 1, 252 } }, { "vol", { 10, 1, 260 } },
	{ "vol", { 10, 2, 252 } }, { "vol", { 10, 3, 1 } },
	{ "vol", { 1, 4, 252 } }, { "vol", { 10, 4, 252 } },
	{ "vol", { 2, 5, 252 } }, { "vol", { 20, 5, 252 } },
	{ "vwap", { 1 } }, { "vwap", { 10 } },
	{ "vwma", { 1 } }, { "vwma", { 10 } },
	{ "williams_ad", { 0 } },
	{ "willr", { 1 } }, { "willr", { 14 } },
	{ "wma", { 1 } }, { "wma", { 10 } },
	{ "zlema", { 1 } }, { "zlema", { 2 } }, { "zlema", { 9 } },
	{ "zlema", { 10 } },
	{ "zscore", { 2, 1 } }, { "zscore", { 20, 0 } },
};

static void
test_warmup(void **unused)
{
	size_t nd, i, v;
	const struct pp_ind_def *all = pp_ind_all(&nd);
	static struct data dt;
	static double out[PP_IND_MAXOUT][ROWS];

	(void)unused;
	make_data(&dt, 1, 0, 0);
	for (i = 0; i < nd; i++) {
		int seen = 0;

		for (v = 0; v < PP_ARRAY_SIZE(vectors); v++) {
			const double *p = vectors[v].p;
			long w;
			int k, t;

			if (strcmp(vectors[v].name, all[i].name) != 0)
				continue;
			seen++;
			w = all[i].warmup(p);
			assert_true(w >= 0 && w < ROWS);
			stream(all[i].name, p, &dt, out);
			for (k = 0; k < all[i].noutputs; k++)
				for (t = 0; t < ROWS; t++)
					if (isnan(out[k][t]) != (t < w))
						fail_msg("%s(%g, %g, %g): output "
						    "%d row %d: warm-up %ld",
						    all[i].name, p[0], p[1],
						    p[2], k, t, w);
		}
		if (!seen)
			fail_msg("%s: no parameter vectors", all[i].name);
	}
}

/* Warm-ups add up through nesting: series inputs that start with L NaN
 * rows (a nested expression warming up) delay every output by L. */
static void
test_warmup_nested(void **unused)
{
	static struct data dt;
	static double out[PP_IND_MAXOUT][ROWS];
	const int lead = 5;
	size_t v;
	int r;

	(void)unused;
	make_data(&dt, 1, 0, 0);
	for (r = 0; r < lead; r++)
		dt.col[C_X][r] = dt.col[C_Y][r] = NAN;
	for (v = 0; v < PP_ARRAY_SIZE(vectors); v++) {
		const struct pp_ind_def *d = pp_ind_find(vectors[v].name);
		const double *p = vectors[v].p;
		long w = d->warmup(p) + lead;
		int k, t;

		if (d->nseries == 0)
			continue;
		stream(d->name, p, &dt, out);
		for (k = 0; k < d->noutputs; k++)
			for (t = 0; t < ROWS; t++)
				if (isnan(out[k][t]) != (t < w))
					fail_msg("%s(%g, %g, %g) after %d NaNs: "
					    "output %d row %d: warm-up %ld",
					    d->name, p[0], p[1], p[2], lead, k,
					    t, w);
	}
}

/* ---- references ---------------------------------------------------------- */

/* 1 if rows t-n+1 .. t exist and none has a NaN in bad[]. */
static int
win_ok(const int *bad, int t, int n)
{
	int i;

	if (t < n - 1)
		return 0;
	for (i = t - n + 1; i <= t; i++)
		if (bad[i])
			return 0;
	return 1;
}

static double
mean_of(const double *a, int t, int n)
{
	double s = 0;
	int i;

	for (i = t - n + 1; i <= t; i++)
		s += a[i];
	return s / n;
}

/* sum (a - mean a)(b - mean b) over the window ending at t. */
static double
comom(const double *a, const double *b, int t, int n)
{
	double ma = mean_of(a, t, n), mb = mean_of(b, t, n), s = 0;
	int i;

	for (i = t - n + 1; i <= t; i++)
		s += (a[i] - ma) * (b[i] - mb);
	return s;
}

static double
ext_of(const double *a, int t, int n, int ismax)
{
	double m = a[t];
	int i;

	for (i = t - n + 1; i <= t; i++)
		m = ismax ? fmax(m, a[i]) : fmin(m, a[i]);
	return m;
}

/* EMA of a[0 .. m) with period n, seeded by the mean of the first n
 * values after `skip` leading NaNs; e gets NaN before the seed. */
static void
ema_ref(const double *a, int m, int n, double *e)
{
	double alpha = 2.0 / (n + 1), s = 0;
	int f = 0, i;

	while (f < m && isnan(a[f]))
		f++;
	for (i = 0; i < m; i++)
		e[i] = NAN;
	if (f + n > m)
		return;
	for (i = f; i < f + n; i++)
		s += a[i];
	e[f + n - 1] = s / n;
	for (i = f + n; i < m; i++)
		e[i] = e[i - 1] + alpha * (a[i] - e[i - 1]);
}

static double
tr_ref(double h, double l, double pc)
{
	return fmax(h - l, fmax(fabs(h - pc), fabs(l - pc)));
}

/*
 * Recursive references run on the squeezed valid rows: cols[j][i] for
 * i < m; they write o[k][i].
 */
typedef void recur_fn(const double *const *cols, int m, const double *p,
    double o[][ROWS]);

static void
r_ema(const double *const *c, int m, const double *p, double o[][ROWS])
{
	ema_ref(c[0], m, (int)p[0], o[0]);
}

static void
r_dema(const double *const *c, int m, const double *p, double o[][ROWS])
{
	static double e1[ROWS], e2[ROWS], e3[ROWS];
	int n = (int)p[0], i;

	ema_ref(c[0], m, n, e1);
	ema_ref(e1, m, n, e2);
	ema_ref(e2, m, n, e3);
	for (i = 0; i < m; i++) {
		o[0][i] = 2 * e1[i] - e2[i];		/* dema */
		o[1][i] = 3 * e1[i] - 3 * e2[i] + e3[i];	/* tema */
	}
}

static void
r_tema(const double *const *c, int m, const double *p, double o[][ROWS])
{
	static double both[2][ROWS];

	r_dema(c, m, p, both);
	memcpy(o[0], both[1], sizeof(double) * (size_t)m);
}

static void
r_macd(const double *const *c, int m, const double *p, double o[][ROWS])
{
	static double fast[ROWS], slow[ROWS], line[ROWS], sig[ROWS];
	int f = (int)fmin(p[0], p[1]), s = (int)fmax(p[0], p[1]);
	int g = (int)p[2], i;
	double sum = 0;

	ema_ref(c[0], m, s, slow);
	for (i = 0; i < m; i++)
		fast[i] = line[i] = NAN;
	if (s <= m) {
		/* TA-Lib: seeded on the f values ending at row s-1 */
		for (i = s - f; i < s; i++)
			sum += c[0][i];
		fast[s - 1] = sum / f;
		for (i = s; i < m; i++)
			fast[i] = fast[i - 1] + 2.0 / (f + 1) *
			    (c[0][i] - fast[i - 1]);
		for (i = s - 1; i < m; i++)
			line[i] = fast[i] - slow[i];
	}
	ema_ref(line, m, g, sig);
	for (i = 0; i < m; i++) {
		int ok = !isnan(sig[i]);

		o[0][i] = ok ? line[i] : NAN;
		o[1][i] = sig[i];
		o[2][i] = ok ? line[i] - sig[i] : NAN;
	}
}

static void
r_rsi(const double *const *c, int m, const double *p, double o[][ROWS])
{
	int n = (int)p[0], i;
	double g = 0, l = 0;

	for (i = 0; i < m; i++)
		o[0][i] = NAN;
	for (i = 1; i < m; i++) {
		double ch = c[0][i] - c[0][i - 1];
		double up = ch > 0 ? ch : 0, dn = ch < 0 ? -ch : 0;

		if (i <= n) {
			g += up / n;	/* mean of the first n changes */
			l += dn / n;
			if (i < n)
				continue;
		} else {
			g = (g * (n - 1) + up) / n;
			l = (l * (n - 1) + dn) / n;
		}
		o[0][i] = g + l == 0 ? 0 : 100 * g / (g + l);
	}
}

static void
atr_ref(const double *const *c, int m, int n, double *a)
{
	double s = 0;
	int i;

	for (i = 0; i < m; i++)
		a[i] = NAN;
	for (i = 1; i < m; i++) {
		double tr = tr_ref(c[0][i], c[1][i], c[2][i - 1]);

		if (i < n) {
			s += tr;
		} else if (i == n) {
			a[i] = (s + tr) / n;
		} else {
			a[i] = (a[i - 1] * (n - 1) + tr) / n;
		}
	}
}

static void
r_atr(const double *const *c, int m, const double *p, double o[][ROWS])
{
	atr_ref(c, m, (int)p[0], o[0]);
}

static void
r_natr(const double *const *c, int m, const double *p, double o[][ROWS])
{
	int i;

	atr_ref(c, m, (int)p[0], o[0]);
	for (i = 0; i < m; i++)
		o[0][i] = c[2][i] == 0 ? (isnan(o[0][i]) ? NAN : 0)
		    : 100 * o[0][i] / c[2][i];
}

static void
r_adx(const double *const *c, int m, const double *p, double o[][ROWS])
{
	int n = (int)p[0], i;
	double pdm = 0, mdm = 0, tr = 0, adx = 0;

	for (i = 0; i < m; i++)
		o[0][i] = NAN;
	for (i = 1; i < m; i++) {
		double up = c[0][i] - c[0][i - 1];
		double dn = c[1][i - 1] - c[1][i];
		double t = tr_ref(c[0][i], c[1][i], c[2][i - 1]);
		double dx = NAN;

		if (i >= n) {
			pdm *= 1 - 1.0 / n;
			mdm *= 1 - 1.0 / n;
			tr *= 1 - 1.0 / n;
		}
		tr += t;
		if (up > 0 && up > dn)
			pdm += up;
		else if (dn > 0 && dn > up)
			mdm += dn;
		if (i < n)
			continue;
		if (tr != 0 && pdm + mdm != 0)
			dx = 100 * fabs(pdm - mdm) / (pdm + mdm);
		if (i <= 2 * n - 1) {
			adx += isnan(dx) ? 0 : dx / n;
			if (i == 2 * n - 1)
				o[0][i] = adx;
			continue;
		}
		if (!isnan(dx))
			adx = (adx * (n - 1) + dx) / n;
		o[0][i] = adx;
	}
}

static void
r_obv(const double *const *c, int m, const double *p, double o[][ROWS])
{
	int i;

	(void)p;
	for (i = 0; i < m; i++) {
		double prev = i ? o[0][i - 1] : 0;

		if (i == 0)
			o[0][i] = c[1][0];
		else if (c[0][i] > c[0][i - 1])
			o[0][i] = prev + c[1][i];
		else if (c[0][i] < c[0][i - 1])
			o[0][i] = prev - c[1][i];
		else
			o[0][i] = prev;
	}
}

static double
clv_ref(double h, double l, double c)
{
	return h > l ? ((c - l) - (h - c)) / (h - l) : 0;
}

static void
r_ad(const double *const *c, int m, const double *p, double o[][ROWS])
{
	double s = 0;
	int i;

	(void)p;
	for (i = 0; i < m; i++) {
		s += clv_ref(c[0][i], c[1][i], c[2][i]) * c[3][i];
		o[0][i] = s;
	}
}

/* TA-Lib ADOSC: both EMAs start at the first A/D value. */
static void
r_adosc(const double *const *c, int m, const double *p, double o[][ROWS])
{
	static double ad[ROWS];
	double kf = 2 / (p[0] + 1), ks = 2 / (p[1] + 1), ef = 0, es = 0;
	int lb = (int)fmax(p[0], p[1]) - 1, i;

	r_ad(c, m, p, &ad);
	for (i = 0; i < m; i++) {
		ef = i ? kf * ad[i] + (1 - kf) * ef : ad[i];
		es = i ? ks * ad[i] + (1 - ks) * es : ad[i];
		o[0][i] = i >= lb ? ef - es : NAN;
	}
}

static void
r_cmo(const double *const *c, int m, const double *p, double o[][ROWS])
{
	int n = (int)p[0], i;
	double g = 0, l = 0;

	for (i = 0; i < m; i++)
		o[0][i] = NAN;
	for (i = 1; i < m; i++) {
		double ch = c[0][i] - c[0][i - 1];
		double up = ch > 0 ? ch : 0, dn = ch < 0 ? -ch : 0;

		if (i <= n) {
			g += up / n;
			l += dn / n;
			if (i < n)
				continue;
		} else {
			g = (g * (n - 1) + up) / n;
			l = (l * (n - 1) + dn) / n;
		}
		o[0][i] = g + l == 0 ? 0 : 100 * (g - l) / (g + l);
	}
}

/* TA-Lib's directional movement loops: what 0 +DM, 1 -DM, 2 +DI, 3 -DI,
 * 4 DX.  c: high, low and (for 2..4) close. */
static void
dm_ref(const double *const *c, int m, int n, int what, double *o)
{
	double pdm = 0, mdm = 0, tr = 0;
	int i;

	for (i = 0; i < m; i++)
		o[i] = NAN;
	for (i = 1; i < m; i++) {
		double up = c[0][i] - c[0][i - 1], dn = c[1][i - 1] - c[1][i];
		double pdi, mdi;

		if (i >= n) {
			pdm = pdm - pdm / n;
			mdm = mdm - mdm / n;
			tr = tr - tr / n;
		}
		if (up > 0 && up > dn)
			pdm += up;
		else if (dn > 0 && dn > up)
			mdm += dn;
		if (what >= 2)
			tr += tr_ref(c[0][i], c[1][i], c[2][i - 1]);
		if (what < 2) {
			if (i >= n - 1)
				o[i] = what == 0 ? pdm : mdm;
			continue;
		}
		if (i < n)
			continue;
		pdi = tr == 0 ? 0 : 100 * pdm / tr;
		mdi = tr == 0 ? 0 : 100 * mdm / tr;
		o[i] = what == 2 ? pdi : what == 3 ? mdi
		    : pdi + mdi == 0 ? 0 : 100 * fabs(pdi - mdi) / (pdi + mdi);
	}
}

#define R_DM(nm, what)                                                  \
	static void                                                     \
	r_##nm(const double *const *c, int m, const double *p,          \
	    double o[][ROWS])                                           \
	{                                                               \
		dm_ref(c, m, (int)p[0], what, o[0]);                    \
	}
R_DM(plus_dm, 0)
R_DM(minus_dm, 1)
R_DM(plus_di, 2)
R_DM(minus_di, 3)
R_DM(dx, 4)

static void
r_keltner(const double *const *c, int m, const double *p, double o[][ROWS])
{
	static double tp[ROWS], e[ROWS], a[ROWS];
	int n = (int)p[0], i;

	for (i = 0; i < m; i++)
		tp[i] = (c[0][i] + c[1][i] + c[2][i]) / 3;
	ema_ref(tp, m, n, e);
	atr_ref(c, m, n, a);
	for (i = 0; i < m; i++) {
		int ok = !isnan(e[i]) && !isnan(a[i]);

		o[0][i] = ok ? e[i] + p[1] * a[i] : NAN;
		o[1][i] = ok ? e[i] : NAN;
		o[2][i] = ok ? e[i] - p[1] * a[i] : NAN;
	}
}

static void
r_snr(const double *const *c, int m, const double *p, double o[][ROWS])
{
	static double a[ROWS];
	int n = (int)p[0], i;

	atr_ref(c, m, n, a);
	for (i = 0; i < m; i++)
		o[0][i] = i >= n && a[i] != 0 ? fabs(c[2][i] - c[2][i - n]) /
		    a[i] : NAN;
}

static void
r_chaikin_vol(const double *const *c, int m, const double *p,
    double o[][ROWS])
{
	static double r[ROWS], e[ROWS];
	int n = (int)p[0], i;

	for (i = 0; i < m; i++)
		r[i] = c[0][i] - c[1][i];
	ema_ref(r, m, n, e);
	for (i = 0; i < m; i++)
		o[0][i] = i >= n && e[i - n] != 0 ? e[i] / e[i - n] - 1 : NAN;
}

static void
r_williams_ad(const double *const *c, int m, const double *p,
    double o[][ROWS])
{
	double s = 0;
	int i;

	(void)p;
	o[0][0] = NAN;
	for (i = 1; i < m; i++) {
		double pc = c[2][i - 1], x = c[2][i];

		if (x > pc)
			s += x - fmin(c[1][i], pc);
		else if (x < pc)
			s += x - fmax(c[0][i], pc);
		o[0][i] = s;
	}
}

static void
r_trix(const double *const *c, int m, const double *p, double o[][ROWS])
{
	static double e1[ROWS], e2[ROWS], e3[ROWS], line[ROWS], sig[ROWS];
	int n = (int)p[0], i;

	ema_ref(c[0], m, n, e1);
	ema_ref(e1, m, n, e2);
	ema_ref(e2, m, n, e3);
	line[0] = NAN;
	for (i = 1; i < m; i++)
		line[i] = 100 * (e3[i] / e3[i - 1] - 1);
	ema_ref(line, m, (int)p[1], sig);
	for (i = 0; i < m; i++) {
		o[0][i] = isnan(sig[i]) ? NAN : line[i];
		o[1][i] = sig[i];
	}
}

/* TA-Lib's SAR loop on whole arrays (c: high, low). */
static void
r_sar(const double *const *c, int m, const double *p, double o[][ROWS])
{
	const double *hi = c[0], *lo = c[1];
	double acc = fmin(p[0], p[1]), mx = p[1], af = acc, ep, sar;
	double ph, pl, nh, nl;
	int lng, i;

	for (i = 0; i < m; i++)
		o[0][i] = NAN;
	if (m < 2)
		return;
	lng = !(lo[0] - lo[1] > 0 && hi[1] - hi[0] < lo[0] - lo[1]);
	ep = lng ? hi[1] : lo[1];
	sar = lng ? lo[0] : hi[0];
	nh = hi[1];
	nl = lo[1];
	for (i = 1; i < m; i++) {
		ph = nh;
		pl = nl;
		nh = hi[i];
		nl = lo[i];
		if (lng && nl <= sar) {
			lng = 0;
			sar = fmax(ep, fmax(ph, nh));
			o[0][i] = sar;
			af = acc;
			ep = nl;
			sar = fmax(sar + af * (ep - sar), fmax(ph, nh));
		} else if (lng) {
			o[0][i] = sar;
			if (nh > ep) {
				ep = nh;
				af = fmin(af + acc, mx);
			}
			sar = fmin(sar + af * (ep - sar), fmin(pl, nl));
		} else if (nh >= sar) {
			lng = 1;
			sar = fmin(ep, fmin(pl, nl));
			o[0][i] = sar;
			af = acc;
			ep = nh;
			sar = fmin(sar + af * (ep - sar), fmin(pl, nl));
		} else {
			o[0][i] = sar;
			if (nl < ep) {
				ep = nl;
				af = fmin(af + acc, mx);
			}
			sar = fmax(sar + af * (ep - sar), fmax(ph, nh));
		}
	}
}

/* TA-Lib's KAMA, the change sum recomputed every row. */
static void
r_kama(const double *const *c, int m, const double *p, double o[][ROWS])
{
	const double *x = c[0];
	int n = (int)p[0], i, j;
	double k = NAN;

	for (i = 0; i < m; i++) {
		double s = 0, er, sc;

		o[0][i] = NAN;
		if (i == n - 1)
			k = x[i];
		if (i < n)
			continue;
		for (j = i - n + 1; j <= i; j++)
			s += fabs(x[j] - x[j - 1]);
		er = s == 0 ? 1 : fmin(fabs(x[i] - x[i - n]) / s, 1);
		sc = er * (2.0 / 3 - 2.0 / 31) + 2.0 / 31;
		k += sc * sc * (x[i] - k);
		o[0][i] = k;
	}
}

static void
r_t3(const double *const *c, int m, const double *p, double o[][ROWS])
{
	static double e[7][ROWS];
	double a = p[1];
	int n = (int)p[0], i, j;

	memcpy(e[0], c[0], sizeof(double) * (size_t)m);
	for (j = 1; j <= 6; j++)
		ema_ref(e[j - 1], m, n, e[j]);
	for (i = 0; i < m; i++)
		o[0][i] = -a * a * a * e[6][i] +
		    (3 * a * a + 3 * a * a * a) * e[5][i] +
		    (-6 * a * a - 3 * a - 3 * a * a * a) * e[4][i] +
		    (1 + 3 * a + a * a * a + 3 * a * a) * e[3][i];
}

/* TTR's ZLEMA loop. */
static void
r_zlema(const double *const *c, int m, const double *p, double o[][ROWS])
{
	const double *x = c[0];
	int n = (int)p[0], i;
	double ratio = 2.0 / (n + 1), lag = 1 / ratio, wt = fmod(lag, 1);
	double seed = 0;

	for (i = 0; i < m; i++)
		o[0][i] = NAN;
	if (m < n)
		return;
	for (i = 0; i < n; i++)
		seed += x[i];
	o[0][n - 1] = seed / n;
	for (i = n; i < m; i++) {
		int loc = (int)(i - lag);
		double v = 2 * x[i] - ((1 - wt) * x[loc] + wt * x[loc + 1]);

		o[0][i] = ratio * v + (1 - ratio) * o[0][i - 1];
	}
}

/* TTR's EVWMA loop; a window without volume keeps the average. */
static void
r_evwma(const double *const *c, int m, const double *p, double o[][ROWS])
{
	int n = (int)p[0], i;
	double vs = 0;

	for (i = 0; i < m; i++)
		o[0][i] = NAN;
	if (m < n)
		return;
	for (i = 0; i < n; i++)
		vs += c[1][i];
	o[0][n - 1] = c[0][n - 1];
	for (i = n; i < m; i++) {
		vs += c[1][i] - c[1][i - n];
		o[0][i] = vs == 0 ? o[0][i - 1] : ((vs - c[1][i]) *
		    o[0][i - 1] + c[1][i] * c[0][i]) / vs;
	}
}

static void
r_adxr(const double *const *c, int m, const double *p, double o[][ROWS])
{
	static double a[1][ROWS];
	int lag = (int)p[0] - 1, i;

	r_adx(c, m, p, a);
	for (i = 0; i < m; i++)
		o[0][i] = i >= lag ? (a[0][i] + a[0][i - lag]) / 2 : NAN;
}

static const struct {
	const char *name;
	recur_fn *fn;
} recurs[] = {
	{ "ad", r_ad }, { "adosc", r_adosc }, { "adx", r_adx },
	{ "adxr", r_adxr }, { "evwma", r_evwma }, { "kama", r_kama },
	{ "sar", r_sar }, { "t3", r_t3 }, { "zlema", r_zlema },
	{ "atr", r_atr }, { "chaikin_vol", r_chaikin_vol }, { "cmo", r_cmo },
	{ "dema", r_dema }, { "keltner", r_keltner }, { "snr", r_snr },
	{ "trix", r_trix }, { "williams_ad", r_williams_ad },
	{ "dx", r_dx }, { "ema", r_ema }, { "macd", r_macd },
	{ "minus_di", r_minus_di }, { "minus_dm", r_minus_dm },
	{ "natr", r_natr }, { "obv", r_obv }, { "plus_di", r_plus_di },
	{ "plus_dm", r_plus_dm }, { "rsi", r_rsi }, { "tema", r_tema },
};

/* Run a recursive reference on the valid rows and spread it back. */
static int
ref_recursive(const char *name, const double *p, const struct data *dt,
    double out[][ROWS])
{
	const struct pp_ind_def *d = pp_ind_find(name);
	static double sq[PP_IND_MAXIN][ROWS], so[PP_IND_MAXOUT][ROWS];
	const double *cols[PP_IND_MAXIN];
	int at[ROWS], nin = d->nseries + d->nimplicit, m = 0, t, j, k;
	size_t r;

	for (r = 0; r < PP_ARRAY_SIZE(recurs); r++)
		if (strcmp(recurs[r].name, name) == 0)
			break;
	if (r == PP_ARRAY_SIZE(recurs))
		return 0;
	for (t = 0; t < ROWS; t++) {
		double in[PP_IND_MAXIN];
		int bad = 0;

		row_in(d, dt, t, in);
		for (j = 0; j < nin; j++)
			bad |= isnan(in[j]);
		for (k = 0; k < d->noutputs; k++)
			out[k][t] = NAN;
		if (bad)
			continue;
		for (j = 0; j < nin; j++)
			sq[j][m] = in[j];
		at[m++] = t;
	}
	for (j = 0; j < nin; j++)
		cols[j] = sq[j];
	recurs[r].fn(cols, m, p, so);
	for (t = 0; t < m; t++)
		for (k = 0; k < d->noutputs; k++)
			out[k][at[t]] = so[k][t];
	return 1;
}

/* wma of a over the n rows ending at t; NaN if any is missing or t < n-1. */
static double
wma_of(const double *a, int t, int n)
{
	double s = 0;
	int i;

	if (t < n - 1)
		return NAN;
	for (i = 1; i <= n; i++)
		s += i * a[t - n + i];
	return s / (n * (n + 1) / 2.0);
}

/* EMA of the non-NaN values of a[0 .. ROWS) (seeded with the mean of
 * the first n of them), NaN where a is: a stage fed by a window. */
static void
ema_skip(const double *a, int n, double *e)
{
	double prev = NAN, s = 0;
	int seen = 0, t;

	for (t = 0; t < ROWS; t++) {
		e[t] = NAN;
		if (isnan(a[t]))
			continue;
		if (++seen < n) {
			s += a[t];
			continue;
		}
		prev = seen == n ? (s + a[t]) / n : prev + 2.0 / (n + 1) *
		    (a[t] - prev);
		e[t] = prev;
	}
}

static void
ref_smi(const double *p, const struct data *dt, double out[][ROWS])
{
	const double *h = dt->col[C_H], *l = dt->col[C_L], *c = dt->col[C_C];
	static double cd[ROWS], hd[ROWS], a[ROWS], b[ROWS], sm[ROWS];
	int n = (int)p[0], t, i;

	for (t = 0; t < ROWS; t++) {
		double hh = -INFINITY, ll = INFINITY;
		int ok = t >= n - 1;

		for (i = t - n + 1; ok && i <= t; i++) {
			ok = !isnan(h[i]) && !isnan(l[i]) && !isnan(c[i]);
			hh = fmax(hh, h[i]);
			ll = fmin(ll, l[i]);
		}
		cd[t] = ok ? c[t] - (hh + ll) / 2 : NAN;
		hd[t] = ok ? hh - ll : NAN;
	}
	ema_skip(cd, (int)p[2], a);
	ema_skip(a, (int)p[1], cd);
	ema_skip(hd, (int)p[2], b);
	ema_skip(b, (int)p[1], hd);
	for (t = 0; t < ROWS; t++)
		sm[t] = hd[t] != 0 ? 100 * cd[t] / (hd[t] / 2) : NAN;
	ema_skip(sm, (int)p[3], a);
	for (t = 0; t < ROWS; t++) {
		out[0][t] = isnan(a[t]) ? NAN : sm[t];
		out[1][t] = a[t];
	}
}

static void
ref_kst(const struct data *dt, double out[][ROWS])
{
	static const int r[4] = { 10, 15, 20, 30 }, n[4] = { 10, 10, 10, 15 };
	static double roc[4][ROWS], k[ROWS];
	const double *x = dt->col[C_X];
	int t, i, j;

	for (t = 0; t < ROWS; t++) {
		k[t] = 0;
		for (i = 0; i < 4; i++) {
			double s = 0;

			roc[i][t] = t >= r[i] && x[t] > 0 && x[t - r[i]] > 0 ?
			    log(x[t] / x[t - r[i]]) : NAN;
			if (t < n[i] - 1) {
				k[t] = NAN;
				continue;
			}
			for (j = t - n[i] + 1; j <= t; j++)
				s += roc[i][j];
			k[t] += (i + 1) * s / n[i];
		}
		k[t] *= 100;
		out[0][t] = out[1][t] = NAN;
		if (t >= 8) {
			double s = 0;

			for (j = t - 8; j <= t; j++)
				s += k[j];
			if (!isnan(s)) {
				out[0][t] = k[t];
				out[1][t] = s / 9;
			}
		}
	}
}

static void
ref_tdi(const double *p, const struct data *dt, double out[][ROWS])
{
	const double *x = dt->col[C_X];
	static double mom[ROWS];
	int n = (int)p[0], t, j;

	for (t = 0; t < ROWS; t++) {
		double di = 0, a1 = 0, a2 = 0;

		mom[t] = t >= n ? x[t] - x[t - n] : NAN;
		out[0][t] = out[1][t] = NAN;
		if (t < 2 * n - 1)
			continue;
		for (j = t - 2 * n + 1; j <= t; j++) {
			a2 += fabs(mom[j]);
			if (j > t - n) {
				a1 += fabs(mom[j]);
				di += mom[j];
			}
		}
		if (!isnan(a2)) {
			out[0][t] = fabs(di) - (a2 - a1);
			out[1][t] = di;
		}
	}
}

static double
lr_ref(double a, double b)
{
	return a > 0 && b > 0 ? log(a / b) : NAN;
}

/* TTR's volatility() from its formulas, two-pass variances. */
static void
ref_vol(const double *p, const struct data *dt, double out[][ROWS])
{
	const double *o = dt->col[C_O], *h = dt->col[C_H], *l = dt->col[C_L];
	const double *c = dt->col[C_C];
	static double a[ROWS], b[ROWS], r[ROWS];
	int n = (int)p[0], m = (int)p[1], t, i;
	double N = p[2], g = 2 * log(2) - 1;

	for (t = 0; t < ROWS; t++) {
		double pc = t ? c[t - 1] : NAN;
		double hl = lr_ref(h[t], l[t]), co = lr_ref(c[t], o[t]);

		a[t] = m == 0 ? lr_ref(c[t], pc) : m == 1 ? hl * hl
		    : m == 2 ? hl * hl / 2 - g * co * co
		    : m == 4 ? lr_ref(o[t], pc) * lr_ref(o[t], pc) + hl * hl / 2 -
		    g * co * co
		    : lr_ref(h[t], c[t]) * lr_ref(h[t], o[t]) +
		    lr_ref(l[t], c[t]) * lr_ref(l[t], o[t]);
		b[t] = lr_ref(o[t], pc);
		r[t] = co;
	}
	for (t = 0; t < ROWS; t++) {
		int w = m == 0 ? n - 1 : n;
		double s = 0, ma = 0, mb = 0, vb = 0, vr = 0, va = 0;

		out[0][t] = NAN;
		if (t < w - 1)
			continue;
		for (i = t - w + 1; i <= t; i++) {
			s += a[i];
			mb += b[i] / w;
			ma += r[i] / w;
		}
		for (i = t - w + 1; i <= t; i++) {
			vb += (b[i] - mb) * (b[i] - mb);
			vr += (r[i] - ma) * (r[i] - ma);
			va += (a[i] - s / w) * (a[i] - s / w);
		}
		if (m == 0)
			out[0][t] = sqrt(N) * sqrt(va / (w - 1));
		else if (m == 1)
			out[0][t] = sqrt(N / (4 * n * log(2)) * s);
		else if (m == 5) {
			double k = 0.34 / (1.34 + (n + 1.0) / (n - 1));

			out[0][t] = sqrt(N * vb / (n - 1) + k * N * vr / (n - 1) +
			    (1 - k) * N / n * s);
		} else
			out[0][t] = sqrt(N / n * s);
	}
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile of sorted a[0 .. n), linear interpolation. */
static double
quantile_of(const double *a, int n, double q)
{
	double at = q * (n - 1);
	int k = (int)floor(at);

	return k + 1 < n ? a[k] + (at - k) * (a[k + 1] - a[k]) : a[k];
}

/* Rolling statistics from the sorted window; ewm_std from the weighted
 * sums written out for every row (pandas' definition, O(t^2)). */
static void
ref_rolling(const char *name, const double *p, const struct data *dt,
    double out[][ROWS])
{
	const double *x = dt->col[C_X];
	int n = (int)p[0], t, i;

	for (t = 0; t < ROWS; t++) {
		double w[ROWS], srt[ROWS], dev[ROWS], s = 0, m;
		int ok = t >= n - 1;

		out[0][t] = NAN;
		if (!strcmp(name, "ewm_std")) {
			double a = 2.0 / (n + 1), sw = 0, sw2 = 0, sx = 0, v = 0;
			int cnt = 0;

			if (isnan(x[t]))
				continue;
			for (i = t; i >= 0; i--) {
				double wt;

				if (isnan(x[i]))
					continue;
				wt = pow(1 - a, cnt++);
				sw += wt;
				sw2 += wt * wt;
				sx += wt * x[i];
			}
			m = sx / sw;
			for (i = t, cnt = 0; i >= 0; i--)
				if (!isnan(x[i]))
					v += pow(1 - a, cnt++) * (x[i] - m) *
					    (x[i] - m);
			if (sw * sw - sw2 > 0)
				out[0][t] = sqrt(sw * sw / (sw * sw - sw2) * v / sw);
			continue;
		}
		for (i = 0; ok && i < n; i++) {
			w[i] = srt[i] = x[t - n + 1 + i];
			ok = !isnan(w[i]);
			s += w[i];
		}
		if (!ok)
			continue;
		qsort(srt, (size_t)n, sizeof(double), cmp_dbl);
		if (!strcmp(name, "sum"))
			out[0][t] = s;
		else if (!strcmp(name, "median"))
			out[0][t] = quantile_of(srt, n, 0.5);
		else if (!strcmp(name, "quantile"))
			out[0][t] = quantile_of(srt, n, p[1]);
		else if (!strcmp(name, "mad")) {
			m = quantile_of(srt, n, 0.5);
			for (i = 0; i < n; i++)
				dev[i] = fabs(w[i] - m);
			qsort(dev, (size_t)n, sizeof(double), cmp_dbl);
			out[0][t] = 1.4826 * quantile_of(dev, n, 0.5);
		} else if (!strcmp(name, "skew") || !strcmp(name, "kurt")) {
			double m2 = 0, m3 = 0, m4 = 0;

			if (srt[0] == srt[n - 1])
				continue;
			m = s / n;
			for (i = 0; i < n; i++) {
				double d = w[i] - m;

				m2 += d * d / n;
				m3 += d * d * d / n;
				m4 += d * d * d * d / n;
			}
			out[0][t] = name[0] == 's' ? sqrt((double)n * (n - 1)) /
			    (n - 2) * m3 / pow(m2, 1.5) : ((double)n * n - 1) *
			    m4 / (m2 * m2) / ((n - 2.0) * (n - 3)) - 3.0 *
			    (n - 1) * (n - 1) / ((n - 2.0) * (n - 3));
		} else {
			double less = 0, eq = 0;

			for (i = 0; i < n; i++) {
				less += w[i] < x[t];
				eq += w[i] == x[t];
			}
			out[0][t] = name[0] == 'r' ? (less + (eq + 1) / 2) / n
			    : (less + eq / 2) / n;
		}
	}
}

/* 1 for the functions of ind_rolling.c. */
static int
is_rolling(const char *name)
{
	static const char *const names[] = { "sum", "median", "quantile",
	    "mad", "skew", "kurt", "rank", "pctrank", "ewm_std" };
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(names); i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* The references of ind_range.c, ind_volume.c, ind_momentum.c and rocp,
 * rocr, straight from the definitions, at row t. */
static void
ref_more(const char *name, const double *p, const struct data *dt, int t,
    const int *bx, const int *bhl, const int *bhlc, const int *bhlcv,
    double out[][ROWS])
{
	const double *x = dt->col[C_X], *h = dt->col[C_H], *l = dt->col[C_L];
	const double *c = dt->col[C_C], *v = dt->col[C_V], *o = dt->col[C_O];
	int n = (int)p[0], i;

	if (!strcmp(name, "rocp") || !strcmp(name, "rocr")) {
		double b = t >= n ? x[t - n] : NAN;

		if (b != 0)
			out[0][t] = name[3] == 'p' ? (x[t] - b) / b : x[t] / b;
	}
	if (!strcmp(name, "trange") && t >= 1 && !bhl[t] && !isnan(c[t - 1]))
		out[0][t] = tr_ref(h[t], l[t], c[t - 1]);
	if (!strcmp(name, "clv") && !bhlc[t])
		out[0][t] = clv_ref(h[t], l[t], c[t]);
	if (!strcmp(name, "bop") && !bhlc[t] && !isnan(o[t]))
		out[0][t] = h[t] > l[t] ? (c[t] - o[t]) / (h[t] - l[t]) : 0;
	if (!strcmp(name, "midpoint") && win_ok(bx, t, n))
		out[0][t] = (ext_of(x, t, n, 1) + ext_of(x, t, n, 0)) / 2;
	if ((!strcmp(name, "midprice") || !strcmp(name, "donchian")) &&
	    win_ok(bhl, t, n)) {
		double hh = ext_of(h, t, n, 1), ll = ext_of(l, t, n, 0);

		out[0][t] = name[1] == 'i' ? (hh + ll) / 2 : hh;
		out[1][t] = name[1] == 'i' ? NAN : (hh + ll) / 2;
		out[2][t] = name[1] == 'i' ? NAN : ll;
	}
	if (!strcmp(name, "aroon") && win_ok(bhl, t, n + 1)) {
		int ih = t - n, il = t - n;

		/* the newest of equal extremes, as TA-Lib */
		for (i = t - n; i <= t; i++) {
			if (h[i] >= h[ih])
				ih = i;
			if (l[i] <= l[il])
				il = i;
		}
		out[0][t] = 100.0 * (n - (t - ih)) / n;
		out[1][t] = 100.0 * (n - (t - il)) / n;
		out[2][t] = out[0][t] - out[1][t];
	}
	if (!strcmp(name, "cmf") && win_ok(bhlcv, t, n)) {
		double sf = 0, sv = 0;

		for (i = t - n + 1; i <= t; i++) {
			sf += clv_ref(h[i], l[i], c[i]) * v[i];
			sv += v[i];
		}
		if (sv != 0)
			out[0][t] = sf / sv;
	}
	if (!strcmp(name, "apo") || !strcmp(name, "ppo")) {
		int f = (int)fmin(p[0], p[1]), s = (int)fmax(p[0], p[1]);

		if (win_ok(bx, t, s)) {
			double mf = mean_of(x, t, f), ms = mean_of(x, t, s);

			if (name[0] == 'a')
				out[0][t] = mf - ms;
			else if (ms != 0)
				out[0][t] = 100 * (mf - ms) / ms;
		}
	}
	if (!strcmp(name, "ultosc")) {
		long q[3] = { (long)p[0], (long)p[1], (long)p[2] }, z;
		double a[3];
		int j, k, ok = 1;

		for (j = 1; j < 3; j++)	/* sorted, shortest first */
			for (k = j; k > 0 && q[k - 1] > q[k]; k--) {
				z = q[k];
				q[k] = q[k - 1];
				q[k - 1] = z;
			}
		for (j = 0; j < 3; j++) {
			double sb = 0, st = 0;

			ok &= t >= q[j];
			for (i = t - (int)q[j] + 1; ok && i <= t; i++) {
				ok &= !bhlc[i] && !isnan(c[i - 1]);
				sb += c[i] - fmin(l[i], c[i - 1]);
				st += fmax(h[i], c[i - 1]) - fmin(l[i], c[i - 1]);
			}
			a[j] = st == 0 ? 0 : sb / st;
		}
		if (ok)
			out[0][t] = 100 * (4 * a[0] + 2 * a[1] + a[2]) / 7;
	}
	if (!strcmp(name, "vhf") && win_ok(bx, t, n + 1)) {
		double s = 0;

		for (i = t - n + 1; i <= t; i++)
			s += fabs(x[i] - x[i - 1]);
		if (s != 0)
			out[0][t] = (ext_of(x, t, n, 1) - ext_of(x, t, n, 0)) / s;
	}
	if (!strcmp(name, "emv") && t >= n) {
		double e[ROWS], sum = 0;
		int ok = 1;

		for (i = t - n + 1; i <= t; i++) {
			ok &= !bhl[i] && !bhl[i - 1] && !isnan(v[i]) && v[i] != 0;
			e[i] = ((h[i] + l[i]) / 2 - (h[i - 1] + l[i - 1]) / 2) /
			    (v[i] / 10000 / (h[i] - l[i]));
			sum += e[i];
		}
		if (ok) {
			out[0][t] = e[t];
			out[1][t] = sum / n;
		}
	}
	if (!strcmp(name, "vwma") && t >= n - 1) {
		double sxv = 0, sv = 0;
		int ok = 1;

		for (i = t - n + 1; i <= t; i++) {
			ok &= !isnan(x[i]) && !isnan(v[i]);
			sxv += x[i] * v[i];
			sv += v[i];
		}
		if (ok && sv != 0)
			out[0][t] = sxv / sv;
	}
	if (!strcmp(name, "hma")) {
		int h2 = n / 2, sq = (int)floor(sqrt(n)), j;
		double num = 0, den = 0;

		for (j = 0; j < sq && t - j >= 0; j++) {
			double d = 2 * wma_of(x, t - j, h2) - wma_of(x, t - j, n);

			num += (sq - j) * d;
			den += sq - j;
		}
		if (j == sq && !isnan(num))
			out[0][t] = num / den;
	}
	if (!strcmp(name, "alma") && win_ok(bx, t, n)) {
		double mm = floor(p[1] * (n - 1)), sd = n / p[2], sw = 0, s = 0;

		for (i = 0; i < n; i++) {
			double w = exp(-(i - mm) * (i - mm) / (2 * sd * sd));

			sw += w;
			s += w * x[t - n + 1 + i];
		}
		out[0][t] = s / sw;
	}
	if ((!strcmp(name, "linearreg") || !strcmp(name, "tsf")) &&
	    win_ok(bx, t, n)) {
		double kb = (n - 1) / 2.0, xb = mean_of(x, t, n), sxy = 0, sxx = 0;
		double m, b;

		for (i = 0; i < n; i++) {
			sxy += (i - kb) * (x[t - n + 1 + i] - xb);
			sxx += (i - kb) * (i - kb);
		}
		m = sxy / sxx;
		b = xb - m * kb;
		if (name[0] == 't') {
			out[0][t] = b + m * n;
		} else {
			out[0][t] = b + m * (n - 1);
			out[1][t] = m;
			out[2][t] = b;
			out[3][t] = atan(m) * 180 / M_PI;
		}
	}
	if (!strcmp(name, "trima") && win_ok(bx, t, n)) {
		double sw = 0, s = 0;

		for (i = 1; i <= n; i++) {
			double w = i < n + 1 - i ? i : n + 1 - i;

			s += w * x[t - n + i];
			sw += w;
		}
		out[0][t] = s / sw;
	}
}

/* Window and shift references, straight from the definitions. */
static void
ref_window(const char *name, const double *p, const struct data *dt,
    double out[][ROWS])
{
	const double *x = dt->col[C_X], *y = dt->col[C_Y];
	const double *h = dt->col[C_H], *l = dt->col[C_L];
	const double *c = dt->col[C_C], *v = dt->col[C_V];
	static double tp[ROWS], tpv[ROWS], fk[ROWS], sk[ROWS], fp[ROWS],
	    fn[ROWS];
	int bx[ROWS], bxy[ROWS], bhlc[ROWS], bhlcv[ROWS], bfk[ROWS],
	    bsk[ROWS], bflow[ROWS], bhl[ROWS];
	static double rs[PP_IND_MAXOUT][ROWS];
	int brs[ROWS];
	int n = (int)p[0], t, i, k;

	/* stochrsi's stochastic runs on the streamed rsi (which the rsi
	 * rows check against r_rsi): where rsi repeats a value, rounding
	 * that differs in the last bit turns a zero range into a full
	 * one, so the reference must see the very same doubles. */
	if (!strcmp(name, "stochrsi"))
		stream("rsi", p, dt, rs);
	for (t = 0; t < ROWS; t++) {
		brs[t] = !strcmp(name, "stochrsi") && isnan(rs[0][t]);
		bx[t] = isnan(x[t]);
		bxy[t] = bx[t] || isnan(y[t]);
		bhlc[t] = isnan(h[t]) || isnan(l[t]) || isnan(c[t]);
		bhlcv[t] = bhlc[t] || isnan(v[t]);
		bhl[t] = isnan(h[t]) || isnan(l[t]);
		tp[t] = (h[t] + l[t] + c[t]) / 3;
		tpv[t] = tp[t] * v[t];
		for (k = 0; k < PP_IND_MAXOUT; k++)
			out[k][t] = NAN;
	}
	for (t = 0; t < ROWS; t++) {
		int kk = n, ok;

		if (!strcmp(name, "lag") || !strcmp(name, "diff") ||
		    !strcmp(name, "ret") || !strcmp(name, "logret") ||
		    !strcmp(name, "mom") || !strcmp(name, "roc")) {
			double a = x[t], b = t >= kk ? x[t - kk] : NAN;

			if (!strcmp(name, "lag"))
				out[0][t] = b;
			else if (!strcmp(name, "diff") || !strcmp(name, "mom"))
				out[0][t] = a - b;
			else if (!strcmp(name, "ret"))
				out[0][t] = b == 0 ? NAN : a / b - 1;
			else if (!strcmp(name, "roc"))
				out[0][t] = b == 0 ? NAN : 100 * (a / b - 1);
			else
				out[0][t] = a > 0 && b > 0 ? log(a / b) : NAN;
			continue;
		}
		if (!strcmp(name, "sma") && win_ok(bx, t, n))
			out[0][t] = mean_of(x, t, n);
		if (!strcmp(name, "wma") && win_ok(bx, t, n)) {
			double s = 0;

			for (i = 0; i < n; i++)
				s += (i + 1) * x[t - n + 1 + i];
			out[0][t] = s / (n * (n + 1) / 2.0);
		}
		if ((!strcmp(name, "var") || !strcmp(name, "stddev") ||
		    !strcmp(name, "zscore")) && win_ok(bx, t, n)) {
			double var = comom(x, x, t, n) / (n - p[1]);

			if (!strcmp(name, "var"))
				out[0][t] = var;
			else if (!strcmp(name, "stddev"))
				out[0][t] = sqrt(var);
			else if (var > 0)
				out[0][t] = (x[t] - mean_of(x, t, n)) /
				    sqrt(var);
		}
		if (!strcmp(name, "bbands") && win_ok(bx, t, n)) {
			double m = mean_of(x, t, n);
			double sd = sqrt(comom(x, x, t, n) / n);

			out[0][t] = m + p[1] * sd;
			out[1][t] = m;
			out[2][t] = m - p[1] * sd;
		}
		if (!strcmp(name, "min") && win_ok(bx, t, n))
			out[0][t] = ext_of(x, t, n, 0);
		if (!strcmp(name, "max") && win_ok(bx, t, n))
			out[0][t] = ext_of(x, t, n, 1);
		if ((!strcmp(name, "corr") || !strcmp(name, "beta")) &&
		    win_ok(bxy, t, n)) {
			double sxx = comom(x, x, t, n), syy = comom(y, y, t, n);
			double sxy = comom(x, y, t, n);

			if (!strcmp(name, "corr") && sxx > 0 && syy > 0)
				out[0][t] = sxy / sqrt(sxx * syy);
			if (!strcmp(name, "beta") && sxx > 0)
				out[0][t] = sxy / sxx;
		}
		if (!strcmp(name, "vwap") && win_ok(bhlcv, t, n)) {
			double vs = mean_of(v, t, n) * n;

			if (vs != 0)
				out[0][t] = mean_of(tpv, t, n) * n / vs;
		}
		if (!strcmp(name, "willr") && win_ok(bhlc, t, n)) {
			double hh = ext_of(h, t, n, 1), ll = ext_of(l, t, n, 0);

			out[0][t] = hh == ll ? 0 : -100 * (hh - c[t]) / (hh - ll);
		}
		if (!strcmp(name, "cci") && win_ok(bhlc, t, n)) {
			double m = mean_of(tp, t, n), mad = 0;

			for (i = t - n + 1; i <= t; i++)
				mad += fabs(tp[i] - m) / n;
			out[0][t] = tp[t] == m || mad == 0 ? 0
			    : (tp[t] - m) / (0.015 * mad);
		}
		ok = t >= 1 && !bhlcv[t] && !bhlcv[t - 1];
		bflow[t] = !ok;
		fp[t] = ok && tp[t] > tp[t - 1] ? tpv[t] : 0;
		fn[t] = ok && tp[t] < tp[t - 1] ? tpv[t] : 0;
		if (!strcmp(name, "mfi") && win_ok(bflow, t, n)) {
			double sp = mean_of(fp, t, n) * n;
			double sn = mean_of(fn, t, n) * n;

			out[0][t] = sp + sn == 0 ? 0 : 100 * sp / (sp + sn);
		}
		ref_more(name, p, dt, t, bx, bhl, bhlc, bhlcv, out);
		if (!strcmp(name, "stochf") || !strcmp(name, "stochrsi")) {
			int k1 = (int)p[name[5] == 'f' ? 0 : 1];
			int k3 = (int)p[name[5] == 'f' ? 1 : 2];
			const double *hh_ = name[5] == 'f' ? h : rs[0];
			const double *ll_ = name[5] == 'f' ? l : rs[0];
			const double *cc_ = name[5] == 'f' ? c : rs[0];

			bfk[t] = !win_ok(name[5] == 'f' ? bhlc : brs, t, k1);
			if (!bfk[t]) {
				double hh = ext_of(hh_, t, k1, 1);
				double ll = ext_of(ll_, t, k1, 0);

				fk[t] = hh == ll ? 0 : 100 * (cc_[t] - ll) /
				    (hh - ll);
			}
			if (win_ok(bfk, t, k3)) {
				out[0][t] = fk[t];
				out[1][t] = mean_of(fk, t, k3);
			}
		}
		if (!strcmp(name, "stoch")) {
			int k1 = n, k2 = (int)p[1], k3 = (int)p[2];

			bfk[t] = !win_ok(bhlc, t, k1);
			if (!bfk[t]) {
				double hh = ext_of(h, t, k1, 1);
				double ll = ext_of(l, t, k1, 0);

				fk[t] = hh == ll ? 0 : 100 * (c[t] - ll) /
				    (hh - ll);
			}
			bsk[t] = !win_ok(bfk, t, k2);
			if (!bsk[t])
				sk[t] = mean_of(fk, t, k2);
			if (win_ok(bsk, t, k3)) {
				out[0][t] = sk[t];
				out[1][t] = mean_of(sk, t, k3);
			}
		}
	}
}

static void
compare(const char *name, const double *p, int dirty, int nout,
    double want[][ROWS], double got[][ROWS])
{
	int k, t;

	for (k = 0; k < nout; k++)
		for (t = 0; t < ROWS; t++) {
			double w = want[k][t], g = got[k][t];
			int ok = isnan(w) ? isnan(g) : !isnan(g) &&
			    fabs(g - w) <= TOL * fmax(1, fabs(w));

			if (!ok)
				fail_msg("%s(%g, %g, %g)%s: output %d row %d: "
				    "want %.17g, got %.17g", name, p[0], p[1],
				    p[2], dirty ? " with NaNs" : "", k, t, w,
				    g);
		}
}

static void
test_oracle(void **unused)
{
	static struct data dt;
	static double want[PP_IND_MAXOUT][ROWS], got[PP_IND_MAXOUT][ROWS];
	size_t v;
	int dirty, seed;

	(void)unused;
	for (seed = 1; seed <= 3; seed++)
		for (dirty = 0; dirty < 2; dirty++) {
			make_data(&dt, (uint64_t)seed * 7919 + (uint64_t)dirty,
			    1, dirty);
			for (v = 0; v < PP_ARRAY_SIZE(vectors); v++) {
				const char *name = vectors[v].name;
				const double *p = vectors[v].p;

				if (!strcmp(name, "smi"))
					ref_smi(p, &dt, want);
				else if (!strcmp(name, "kst"))
					ref_kst(&dt, want);
				else if (!strcmp(name, "tdi"))
					ref_tdi(p, &dt, want);
				else if (!strcmp(name, "vol"))
					ref_vol(p, &dt, want);
				else if (is_rolling(name))
					ref_rolling(name, p, &dt, want);
				else if (!ref_recursive(name, p, &dt, want))
					ref_window(name, p, &dt, want);
				stream(name, p, &dt, got);
				compare(name, p, dirty,
				    pp_ind_find(name)->noutputs, want, got);
			}
		}
}

/* A state has no pointers inside: moved with memcpy half-way through a
 * series, it carries on bit-identically; and its size is a multiple of
 * 16, so states can be packed in one arena. */
static void
test_relocate(void **unused)
{
	static struct data dt;
	size_t v;

	(void)unused;
	make_data(&dt, 99, 1, 1);
	for (v = 0; v < PP_ARRAY_SIZE(vectors); v++) {
		const struct pp_ind_def *d = pp_ind_find(vectors[v].name);
		const double *p = vectors[v].p;
		struct pp_err err = PP_ERR_INIT;
		size_t sz = d->state_size(p);
		void *a = pp_xmalloc(sz), *b = pp_xmalloc(sz), *c;
		double in[PP_IND_MAXIN], oa[PP_IND_MAXOUT], ob[PP_IND_MAXOUT];
		int t, k;

		assert_int_equal(sz % 16, 0);
		assert_int_equal(d->init(a, p, &err), 0);
		assert_int_equal(d->init(b, p, &err), 0);
		for (t = 0; t < ROWS; t++) {
			if (t == ROWS / 2) {
				c = pp_xmalloc(sz);
				memcpy(c, b, sz);
				memset(b, 0xa5, sz);
				free(b);
				b = c;
			}
			row_in(d, &dt, t, in);
			d->step(a, in, oa);
			d->step(b, in, ob);
			for (k = 0; k < d->noutputs; k++)
				if (memcmp(&oa[k], &ob[k], sizeof(double)) != 0)
					fail_msg("%s: row %d differs after a "
					    "move", d->name, t);
		}
		free(a);
		free(b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warmup),
		cmocka_unit_test(test_warmup_nested),
		cmocka_unit_test(test_oracle),
		cmocka_unit_test(test_relocate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
