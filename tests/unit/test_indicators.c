/*
 * test_indicators.c - the indicator table, parameter checks, and every
 * function against hand-computed values.
 *
 * Plan:
 *  - the table is sorted, every row is consistent (outputs named when
 *    there are several, defaults in range), pp_ind_find finds each name;
 *  - pp_ind_params: arity errors, each kind of bad value, defaults;
 *  - every function: a small fixed input with expected values worked out
 *    by hand (the arithmetic is in the comments), then the warm-up length
 *    on clean input equals warmup(), then the NaN rule of its kind.
 * Expected numbers never come from the code under test.
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

#define X NAN			/* a missing value (or an expected NaN) */
#define TOL 1e-9

/* Run function name with the given params over rows rows of nin inputs
 * each (row-major); write noutputs values per row into out. */
static void
run(const char *name, const double *given, int ngiven, const double *in,
    int rows, double *out)
{
	const struct pp_ind_def *d = pp_ind_find(name);
	struct pp_err err = PP_ERR_INIT;
	double p[PP_IND_MAXPARAMS];
	void *st;
	int nin, t;

	assert_non_null(d);
	nin = d->nseries + d->nimplicit;
	assert_int_equal(pp_ind_params(d, given, ngiven, p, &err), 0);
	st = pp_xmalloc(d->state_size(p));
	assert_int_equal(d->init(st, p, &err), 0);
	for (t = 0; t < rows; t++)
		d->step(st, in + (size_t)t * nin, out + (size_t)t * d->noutputs);
	free(st);
}

/* Compare got with want (NaN matches NaN) to TOL relative/absolute. */
static void
expect(const char *what, const double *want, const double *got, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		double w = want[i], g = got[i];
		int ok = isnan(w) ? isnan(g)
		    : !isnan(g) && fabs(g - w) <= TOL * fmax(1, fabs(w));

		if (!ok)
			fail_msg("%s: value %d: want %.17g, got %.17g", what, i,
			    w, g);
	}
}

/* Run and compare one output series (column `col` of noutputs). */
static void
check(const char *name, const double *given, int ngiven, const double *in,
    int rows, int col, const double *want)
{
	const struct pp_ind_def *d = pp_ind_find(name);
	double *out, *got;
	int t;

	assert_non_null(d);
	out = pp_xmalloc(sizeof(double) * (size_t)rows * d->noutputs);
	got = pp_xmalloc(sizeof(double) * (size_t)rows);
	run(name, given, ngiven, in, rows, out);
	for (t = 0; t < rows; t++)
		got[t] = out[(size_t)t * d->noutputs + col];
	expect(name, want, got, rows);
	free(got);
	free(out);
}

#define P(...) ((const double[]){ __VA_ARGS__ })
#define NP(...) (int)(sizeof((const double[]){ __VA_ARGS__ }) / sizeof(double))

/* ---- the table and parameters ---------------------------------------- */

static void
test_table(void **unused)
{
	size_t n, i;
	const struct pp_ind_def *all = pp_ind_all(&n);

	(void)unused;
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		const struct pp_ind_def *d = &all[i];
		int j;

		if (i > 0)
			assert_true(strcmp(all[i - 1].name, d->name) < 0);
		assert_ptr_equal(pp_ind_find(d->name), d);
		assert_true(strncmp(d->signature, d->name,
		    strlen(d->name)) == 0);
		assert_int_equal(d->signature[strlen(d->name)], '(');
		assert_true(d->nparams <= PP_IND_MAXPARAMS);
		assert_true(d->nparams_min <= d->nparams);
		assert_true(d->nseries + d->nimplicit <= PP_IND_MAXIN);
		assert_true(d->noutputs >= 1 && d->noutputs <= PP_IND_MAXOUT);
		assert_true((d->noutputs == 1) == (d->outputs == NULL));
		assert_true((d->nimplicit == 0) == (d->implicit == NULL));
		assert_non_null(d->formula);
		assert_non_null(d->warmup_text);
		for (j = d->nparams_min; j < d->nparams; j++) {
			const struct pp_ind_param *p = &d->params[j];

			assert_true(p->def >= p->min && p->def <= p->max);
		}
	}
	assert_null(pp_ind_find("nosuch"));
	assert_null(pp_ind_find(""));
	assert_null(pp_ind_find("SMA"));
}

static const struct {
	const char *name;
	double given[PP_IND_MAXPARAMS];
	int ngiven;
	const char *msg;	/* NULL: accepted */
} param_rows[] = {
	{ "lag", { 0 }, 0, NULL },
	{ "lag", { 3 }, 1, NULL },
	{ "lag", { 1, 2 }, 2,
	    "lag: wrong number of arguments, expected lag(x, k=1)" },
	{ "lag", { 0 }, 1, "lag: k must be a whole number from 1 to 1000000" },
	{ "lag", { 1.5 }, 1, "lag: k must be a whole number from 1 to 1000000" },
	{ "lag", { -1 }, 1, "lag: k must be a whole number from 1 to 1000000" },
	{ "lag", { NAN }, 1, "lag: k must be a whole number from 1 to 1000000" },
	{ "lag", { INFINITY }, 1,
	    "lag: k must be a whole number from 1 to 1000000" },
	{ "lag", { 1e6 }, 1, NULL },
	{ "lag", { 1e6 + 1 }, 1,
	    "lag: k must be a whole number from 1 to 1000000" },
	{ "roc", { 0 }, 0,
	    "roc: wrong number of arguments, expected roc(x, n)" },
	{ "mom", { 4e-320 }, 1,
	    "mom: n must be a whole number from 1 to 1000000" },
	{ "stddev", { 1 }, 1, "stddev: n must be at least 2 when ddof is 1" },
	{ "stddev", { 1, 0 }, 2, NULL },
	{ "var", { 2, 2 }, 2, "var: ddof must be 0 or 1" },
	{ "zscore", { 5, 0.5 }, 2, "zscore: ddof must be 0 or 1" },
	{ "zscore", { 1, 1 }, 2, "zscore: n must be at least 2 when ddof is 1" },
	{ "bbands", { 20 }, 1, NULL },
	{ "bbands", { 20, -1.5 }, 2, NULL },
	{ "bbands", { 20, NAN }, 2, "bbands: k must be a finite number" },
	{ "bbands", { 20, -INFINITY }, 2, "bbands: k must be a finite number" },
	{ "bbands", { 0, 2 }, 2,
	    "bbands: n must be a whole number from 1 to 1000000" },
	{ "corr", { 1 }, 1, "corr: n must be at least 2" },
	{ "beta", { 1 }, 1, "beta: n must be at least 2" },
	{ "macd", { 12, 26 }, 2,
	    "macd: wrong number of arguments, expected macd(x, fast, slow, sig)" },
	{ "macd", { 12, 26, 0 }, 3,
	    "macd: sig must be a whole number from 1 to 1000000" },
	{ "stoch", { 5, 3, 3 }, 3, NULL },
	{ "stoch", { 5, -3, 3 }, 3,
	    "stoch: slowk must be a whole number from 1 to 1000000" },
	{ "obv", { 0 }, 0, NULL },
	{ "obv", { 1 }, 1, "obv: wrong number of arguments, expected obv()" },
	{ "atr", { 14.0000001 }, 1,
	    "atr: n must be a whole number from 1 to 1000000" },
	{ "apo", { 12 }, 1,
	    "apo: wrong number of arguments, expected apo(x, fast, slow)" },
	{ "ppo", { 12, 0 }, 2,
	    "ppo: slow must be a whole number from 1 to 1000000" },
	{ "adosc", { 3, 10 }, 2, NULL },
	{ "aroon", { 0 }, 1, "aroon: n must be a whole number from 1 to 1000000" },
	{ "trange", { 1 }, 1,
	    "trange: wrong number of arguments, expected trange()" },
	{ "vol", { 20, 6 }, 2, "vol: method must be one of close, parkinson, "
	    "garman_klass, rogers_satchell, gk_yz, yang_zhang" },
	{ "vol", { 20, -1 }, 2, "vol: method must be one of close, parkinson, "
	    "garman_klass, rogers_satchell, gk_yz, yang_zhang" },
	{ "vol", { 2, 0 }, 2, "vol: n must be at least 3 for method close" },
	{ "vol", { 2, 1 }, 2, NULL },
	{ "vol", { 1, 5 }, 2, "vol: n must be at least 2 for method yang_zhang" },
	{ "vol", { 20, 1, 0 }, 3, "vol: periods must be positive" },
	{ "sar", { -0.1 }, 1, "sar: accel and max must not be negative" },
	{ "t3", { 5, 1.5 }, 2, "t3: v must be from 0 to 1" },
	{ "alma", { 9, 0.5, 0 }, 3, "alma: sigma must be positive" },
	{ "hma", { 1 }, 1, "hma: n must be at least 2" },
	{ "quantile", { 5, 1.5 }, 2, "quantile: q must be from 0 to 1" },
	{ "quantile", { 5 }, 1, NULL },
	{ "skew", { 2 }, 1, "skew: n must be at least 3" },
	{ "kurt", { 3 }, 1, "kurt: n must be at least 4" },
	{ "ewm_std", { 1 }, 1, "ewm_std: n must be at least 2" },
};

static void
test_params(void **unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < PP_ARRAY_SIZE(param_rows); i++) {
		const struct pp_ind_def *d = pp_ind_find(param_rows[i].name);
		struct pp_err err = PP_ERR_INIT;
		double p[PP_IND_MAXPARAMS];
		int rc;

		assert_non_null(d);
		rc = pp_ind_params(d, param_rows[i].given, param_rows[i].ngiven,
		    p, &err);
		if (param_rows[i].msg == NULL) {
			assert_int_equal(rc, 0);
			assert_int_equal(err.code, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(err.code, PP_EXIT_USAGE);
			assert_string_equal(err.msg, param_rows[i].msg);
		}
	}
}

static void
test_defaults(void **unused)
{
	const struct pp_ind_def *d = pp_ind_find("lag");
	struct pp_err err = PP_ERR_INIT;
	double p[PP_IND_MAXPARAMS];
	void *st;

	(void)unused;
	assert_int_equal(pp_ind_params(d, NULL, 0, p, &err), 0);
	assert_true(p[0] == 1);
	assert_int_equal(pp_ind_params(pp_ind_find("stddev"), P(20), 1, p,
	    &err), 0);
	assert_true(p[0] == 20 && p[1] == 1);
	assert_int_equal(pp_ind_params(pp_ind_find("bbands"), P(20), 1, p,
	    &err), 0);
	assert_true(p[0] == 20 && p[1] == 2);
	/* init checks too: a vector that never went through pp_ind_params */
	p[0] = 0;
	st = pp_xmalloc(64);
	assert_int_equal(d->init(st, p, &err), -1);
	assert_string_equal(err.msg,
	    "lag: k must be a whole number from 1 to 1000000");
	free(st);
}

/* ---- shift functions --------------------------------------------------- */

static const double xs[] = { 4, 2, 0, 5, X, 10, -5, 8 };

static void
test_shift(void **unused)
{
	(void)unused;
	check("lag", NULL, 0, xs, 8, 0, P(X, 4, 2, 0, 5, X, 10, -5));
	check("lag", P(2), 1, xs, 8, 0, P(X, X, 4, 2, 0, 5, X, 10));
	/* 2-4, 0-2, 5-0, X, X, -5-10, 8-(-5) */
	check("diff", NULL, 0, xs, 8, 0, P(X, -2, -2, 5, X, X, -15, 13));
	/* k = 3: 5-4, X, 10-0, -5-5, 8-X */
	check("diff", P(3), 1, xs, 8, 0, P(X, X, X, 1, X, 10, -10, X));
	check("mom", P(3), 1, xs, 8, 0, P(X, X, X, 1, X, 10, -10, X));
	/* 2/4-1, 0/2-1, 5/0 -> X, X, X, -5/10-1, 8/-5-1 */
	check("ret", NULL, 0, xs, 8, 0, P(X, -0.5, -1, X, X, X, -1.5, -2.6));
	check("roc", P(1), 1, xs, 8, 0, P(X, -50, -100, X, X, X, -150, -260));
	/* log(2/4), 0 is not > 0, ..., 10/X, -5, 8/-5 */
	check("logret", NULL, 0, xs, 8, 0,
	    P(X, log(0.5), X, X, X, X, X, X));
	check("logret", P(2), 1, P(1, 2, 4, 8, 8), 5, 0,
	    P(X, X, log(4), log(4), log(2)));
}

/* ---- window functions ---------------------------------------------------- */

static void
test_sma_wma(void **unused)
{
	(void)unused;
	/* means of 3: (1+2+3)/3, (2+3+4)/3; the NaN blanks rows 4..6 */
	check("sma", P(3), 1, P(1, 2, 3, 4, X, 6, 7, 8, 9), 9, 0,
	    P(X, X, 2, 3, X, X, X, 7, 8));
	check("sma", P(1), 1, P(5, X, -2), 3, 0, P(5, X, -2));
	/* weights 1, 2, 3 over 6: (1+4+9)/6, (2+6+12)/6, (3+8+15)/6 */
	check("wma", P(3), 1, P(1, 2, 3, 4, 5), 5, 0,
	    P(X, X, 14.0 / 6, 20.0 / 6, 26.0 / 6));
	/* a NaN at row 1 blanks rows 1..3; row 4: (4+10+18)/6 */
	check("wma", P(3), 1, P(1, X, 3, 4, 5, 6), 6, 0,
	    P(X, X, X, X, 26.0 / 6, 32.0 / 6));
}

static void
test_var_stddev_zscore(void **unused)
{
	static const double x[] = { 1, 2, 3, 4, 6 };

	(void)unused;
	/* windows {1,2,3}, {2,3,4}: squared deviations sum 2; {3,4,6}: mean
	 * 13/3, deviations -4/3 -1/3 5/3, squares sum 42/9 */
	check("var", P(3), 1, x, 5, 0, P(X, X, 1, 1, 42.0 / 9 / 2));
	check("var", P(3, 0), 2, x, 5, 0,
	    P(X, X, 2.0 / 3, 2.0 / 3, 42.0 / 9 / 3));
	check("stddev", P(3), 1, x, 5, 0, P(X, X, 1, 1, sqrt(7.0 / 3)));
	check("stddev", P(3, 0), 2, x, 5, 0,
	    P(X, X, sqrt(2.0 / 3), sqrt(2.0 / 3), sqrt(14.0) / 3));
	/* (3-2)/1, (4-3)/1, (6-13/3)/sqrt(7/3) */
	check("zscore", P(3), 1, x, 5, 0,
	    P(X, X, 1, 1, (5.0 / 3) / sqrt(7.0 / 3)));
	check("zscore", P(3, 0), 2, x, 5, 0,
	    P(X, X, 1 / sqrt(2.0 / 3), 1 / sqrt(2.0 / 3),
		(5.0 / 3) / (sqrt(14.0) / 3)));
	/* a constant window has no spread: var 0 exactly, zscore NaN */
	check("var", P(2), 1, P(1e4 + 0.1, 1e4 + 0.1, 1e4 + 0.1), 3, 0,
	    P(X, 0, 0));
	/* {5, 6}: mean 11/2, sample sd sqrt(1/2) -> (1/2)/sqrt(1/2) */
	check("zscore", P(2), 1, P(5, 5, 6), 3, 0, P(X, X, sqrt(0.5)));
	check("stddev", P(1, 0), 2, P(3, X, 4), 3, 0, P(0, X, 0));
}

static void
test_bbands(void **unused)
{
	static const double x[] = { 1, 2, 3, 4, 6 };
	double s1 = sqrt(2.0 / 3), s2 = sqrt(14.0) / 3;

	(void)unused;
	/* population deviations as in test_var_stddev_zscore; k = 2 */
	check("bbands", P(3), 1, x, 5, 0, P(X, X, 2 + 2 * s1, 3 + 2 * s1,
	    13.0 / 3 + 2 * s2));
	check("bbands", P(3), 1, x, 5, 1, P(X, X, 2, 3, 13.0 / 3));
	check("bbands", P(3), 1, x, 5, 2, P(X, X, 2 - 2 * s1, 3 - 2 * s1,
	    13.0 / 3 - 2 * s2));
	check("bbands", P(3, 0.5), 2, x, 5, 0, P(X, X, 2 + s1 / 2,
	    3 + s1 / 2, 13.0 / 3 + s2 / 2));
}

static void
test_min_max(void **unused)
{
	static const double x[] = { 3, 1, 2, X, 5, 4, 6, 0, 0, 7 };

	(void)unused;
	check("min", P(3), 1, x, 10, 0, P(X, X, 1, X, X, X, 4, 0, 0, 0));
	check("max", P(3), 1, x, 10, 0, P(X, X, 3, X, X, X, 6, 6, 6, 7));
	check("max", P(1), 1, x, 10, 0, x);
	/* a decreasing run keeps the whole window in the deque */
	check("max", P(4), 1, P(9, 8, 7, 6, 5, 4), 6, 0, P(X, X, X, 9, 8, 7));
	check("min", P(4), 1, P(1, 2, 3, 4, 5, 6), 6, 0, P(X, X, X, 1, 2, 3));
}

static void
test_corr_beta(void **unused)
{
	/* rows (x, y) */
	static const double xy[] = { 1, 2, 2, 4, 3, 6, 4, 5, 4, 5, 4, 1 };

	(void)unused;
	/* window 1: y = 2x exactly -> r 1, slope 2; window 2: x 2 3 4,
	 * y 4 6 5: dx -1 0 1, dy -1 1 0: sxy 1, sxx 2, syy 2 -> r 1/2,
	 * slope 1/2; window 3: x 3 4 4, y 6 5 5: mx 11/3, dx -2/3 1/3 1/3,
	 * my 16/3, dy 2/3 -1/3 -1/3: sxy -4/9-1/9-1/9 = -6/9, sxx 6/9,
	 * syy 6/9 -> r -1, slope -1; window 4: x constant -> NaN */
	check("corr", P(3), 1, xy, 6, 0, P(X, X, 1, 0.5, -1, X));
	check("beta", P(3), 1, xy, 6, 0, P(X, X, 2, 0.5, -1, X));
	check("corr", P(2), 1, P(1, X, 2, 3, 3, 5), 3, 0, P(X, X, 1));
}

/* Rows of high, low, close. */
static const double hlc[] = {
	10, 8, 9,
	12, 9, 11,
	11, 10, 10,
	11, 11, 11,
	13, 11, 13,
};

static void
test_willr_stoch(void **unused)
{
	(void)unused;
	/* n = 2: HH 12 LL 8 c 11 -> -25; HH 12 LL 9 c 10 -> -200/3;
	 * HH 11 LL 10 c 11 -> 0; HH 13 LL 11 c 13 -> 0 */
	check("willr", P(2), 1, hlc, 5, 0, P(X, -25, -200.0 / 3, 0, 0));
	/* a zero range gives 0, as TA-Lib */
	check("willr", P(1), 1, P(5, 5, 5), 1, 0, P(0));
	/* fastk(2): 75, 100/3, 100, 100 (rows 1..4); slowk(2): 325/6,
	 * 200/3, 100 (rows 2..4); d(2): 725/12, 250/3 (rows 3, 4); both
	 * outputs start with d */
	check("stoch", P(2, 2, 2), 3, hlc, 5, 0, P(X, X, X, 200.0 / 3, 100));
	check("stoch", P(2, 2, 2), 3, hlc, 5, 1,
	    P(X, X, X, 725.0 / 12, 250.0 / 3));
	check("stoch", P(2, 1, 1), 3, hlc, 5, 0,
	    P(X, 75, 100.0 / 3, 100, 100));
}

static void
test_cci(void **unused)
{
	/* high = low = close = tp: 1 2 3 10 4 */
	static const double r[] = { 1, 1, 1, 2, 2, 2, 3, 3, 3, 10, 10, 10,
	    4, 4, 4 };

	(void)unused;
	/* {1,2,3}: mean 2, mad 2/3 -> 1/(0.015*2/3) = 100; {2,3,10}: mean
	 * 5, mad 10/3 -> 5/0.05 = 100; {3,10,4}: mean 17/3, mad 26/9 ->
	 * (-5/3)/(0.015*26/9) = -500/13 */
	check("cci", P(3), 1, r, 5, 0, P(X, X, 100, 100, -500.0 / 13));
	/* tp equal to the mean gives 0, as TA-Lib */
	check("cci", P(3), 1, P(1, 1, 1, 3, 3, 3, 3, 2, 1), 3, 0, P(X, X, 0));
}

static void
test_mfi_vwap(void **unused)
{
	/* high = low = close = tp: 10 11 10 12 12; volume 1 2 3 4 5 */
	static const double r[] = { 10, 10, 10, 1, 11, 11, 11, 2,
	    10, 10, 10, 3, 12, 12, 12, 4, 12, 12, 12, 5 };
	/* tp 2 (vol 10), 4 (vol 30), 7 (vol 0), 7 (vol 0) */
	static const double v[] = { 3, 1, 2, 10, 6, 3, 3, 30,
	    9, 6, 6, 0, 9, 6, 6, 0 };

	(void)unused;
	/* flows: +22, -30, +48, 0 -> 2200/52, 4800/78, 100 (only +48) */
	check("mfi", P(2), 1, r, 5, 0,
	    P(X, X, 2200.0 / 52, 4800.0 / 78, 100));
	/* equal tp all along: no flow at all -> 0 */
	check("mfi", P(1), 1, P(1, 1, 1, 5, 1, 1, 1, 5), 2, 0, P(X, 0));
	/* (2*10 + 4*30)/40, (4*30 + 0)/30, no volume -> NaN */
	check("vwap", P(2), 1, v, 4, 0, P(X, 3.5, 4, X));
}

/* ---- recursive functions -------------------------------------------------- */

static void
test_ema_family(void **unused)
{
	static const double x[] = { 1, 2, 4, 8 };

	(void)unused;
	/* n = 3, alpha 1/2: seed mean(1,2,3) = 2, then 3, 4; the NaN row is
	 * skipped: 4 + (7-4)/2 */
	check("ema", P(3), 1, P(1, 2, 3, 4, 5, X, 7), 7, 0,
	    P(X, X, 2, 3, 4, X, 5.5));
	/* leading NaNs do not count */
	check("ema", P(2), 1, P(X, X, 1, 3, 5), 5, 0, P(X, X, X, 2, 4));
	check("ema", P(1), 1, P(4, X, 2), 3, 0, P(4, X, 2));
	/* n = 2, alpha 2/3: e1 = 3/2, 19/6, 115/18 (rows 1..3); e2 = mean
	 * of 3/2, 19/6 = 7/3 (row 2), then 136/27; dema = 2 e1 - e2 */
	check("dema", P(2), 1, x, 4, 0, P(X, X, 4, 209.0 / 27));
	/* e3 = mean(7/3, 136/27) = 199/54 at row 3;
	 * 3*115/18 - 3*136/27 + 199/54 = 418/54 */
	check("tema", P(2), 1, x, 4, 0, P(X, X, X, 418.0 / 54));
}

static void
test_macd(void **unused)
{
	static const double x[] = { 2, 1, 3, 5, 8, 13 };
	int sw;

	(void)unused;
	/*
	 * fast 2 (alpha 2/3), slow 3 (alpha 1/2), sig 2 (alpha 2/3).
	 * slow seed at row 2: mean(2,1,3) = 2; fast seed, TA-Lib style:
	 * mean(1,3) = 2 (not the EMA from row 0, which would be 5/2).
	 * row 3: fast 4, slow 7/2, macd 1/2; signal = mean(0, 1/2) = 1/4.
	 * row 4: fast 20/3, slow 23/4, macd 11/12, signal 25/36.
	 * row 5: fast 98/9, slow 75/8, macd 109/72, signal 67/54.
	 * fast > slow is swapped, so (3, 2, 2) gives the same.
	 */
	for (sw = 0; sw < 2; sw++) {
		const double *p = sw ? P(3, 2, 2) : P(2, 3, 2);

		check("macd", p, 3, x, 6, 0,
		    P(X, X, X, 0.5, 11.0 / 12, 109.0 / 72));
		check("macd", p, 3, x, 6, 1,
		    P(X, X, X, 0.25, 25.0 / 36, 67.0 / 54));
		check("macd", p, 3, x, 6, 2,
		    P(X, X, X, 0.25, 2.0 / 9, 109.0 / 72 - 67.0 / 54));
	}
}

static void
test_rsi(void **unused)
{
	(void)unused;
	/* changes +1 -1 +2 0: seed g = l = 1/2 -> 50; g = (1/2 + 2)/2 =
	 * 5/4, l = 1/4 -> 250/3; g = 5/8, l = 1/8 -> 250/3 */
	check("rsi", P(2), 1, P(1, 2, 1, 3, 3), 5, 0, P(X, X, 50, 250.0 / 3,
	    250.0 / 3));
	/* no movement at all: 0, as TA-Lib */
	check("rsi", P(2), 1, P(5, 5, 5), 3, 0, P(X, X, 0));
	/* the NaN row is skipped: changes +1 +1 (3 - 2), then -3 */
	check("rsi", P(2), 1, P(1, 2, X, 3, 0), 5, 0, P(X, X, X, 100, 25));
}

static void
test_atr_natr(void **unused)
{
	/* true ranges: row 1 max(3, 3, 0) = 3; row 2 max(1, 0, 1) = 1;
	 * row 3 max(3, |15-10|, |12-10|) = 5 */
	static const double r[] = { 10, 8, 9, 12, 9, 11, 11, 10, 10,
	    15, 12, 14 };

	(void)unused;
	check("atr", P(2), 1, r, 4, 0, P(X, X, 2, 3.5));
	check("natr", P(2), 1, r, 4, 0, P(X, X, 20, 25));
	check("atr", P(1), 1, r, 4, 0, P(X, 3, 1, 5));
	/* natr with a zero close is 0, as TA-Lib */
	check("natr", P(1), 1, P(1, 0, 1, 2, -2, 0), 2, 0, P(X, 0));
}

static void
test_adx(void **unused)
{
	static const double r[] = {
		10, 8, 9,
		12, 9, 11,	/* up 2, down -1: +DM 2; TR 3 */
		11, 7, 8,	/* up -1, down 2: -DM 2; TR 4 */
		13, 10, 12,	/* up 2, down -3: +DM 2; TR 5 */
		14, 12, 13,	/* up 1, down -2: +DM 1; TR 2 */
	};

	(void)unused;
	/*
	 * n = 2.  Row 1 is summed only: +DM 2, -DM 0, TR 3.
	 * Row 2: +DM 2 - 1 = 1, -DM 0 + 2 = 2, TR 3 - 3/2 + 4 = 11/2;
	 *   DI 1 : 2, DX = 100 * 1/3.
	 * Row 3: +DM 1/2 + 2 = 5/2, -DM 1, TR 11/4 + 5 = 31/4;
	 *   DX = 100 * (3/2)/(7/2) = 300/7; ADX = (100/3 + 300/7)/2 = 800/21.
	 * Row 4: +DM 5/4 + 1 = 9/4, -DM 1/2, TR 31/8 + 2 = 47/8;
	 *   DX = 100 * (7/4)/(11/4) = 700/11; ADX = (800/21 + 700/11)/2.
	 */
	check("adx", P(2), 1, r, 5, 0,
	    P(X, X, X, 800.0 / 21, (800.0 / 21 + 700.0 / 11) / 2));
}

static void
test_obv(void **unused)
{
	/* rows of close, volume */
	static const double r[] = { 10, 100, 11, 20, 11, 30, 9, 40, X, 50,
	    12, 60 };

	(void)unused;
	/* 100, +20, =, -40, skipped, +60 (12 > 9) */
	check("obv", NULL, 0, r, 6, 0, P(100, 120, 120, 80, X, 140));
	check("obv", NULL, 0, P(X, 5, 1, 7), 2, 0, P(X, 7));
}

/* Evaluate a warm-up formula ("2(n-1)", "slow+sig-2", "max(n-1,1)") at
 * params q: sums of terms, a term max(formula,formula), isqrt(formula)
 * (the square root rounded down), or an optional whole number times a
 * parameter name or a parenthesised formula. */
static long formula_sum(const struct pp_ind_def *d, const double *q,
    const char **s);

static long
formula_term(const struct pp_ind_def *d, const double *q, const char **s)
{
	long k = 1, v;
	int num = 0, j;

	if (strncmp(*s, "isqrt(", 6) == 0) {
		*s += 6;
		v = formula_sum(d, q, s);
		assert_int_equal(**s, ')');
		(*s)++;
		return (long)floor(sqrt((double)v));
	}
	if (strncmp(*s, "max(", 4) == 0) {
		long w;

		*s += 4;
		v = formula_sum(d, q, s);
		assert_int_equal(**s, ',');
		(*s)++;
		w = formula_sum(d, q, s);
		assert_int_equal(**s, ')');
		(*s)++;
		return v > w ? v : w;
	}
	if (**s >= '0' && **s <= '9') {
		k = strtol(*s, (char **)s, 10);
		num = 1;
	}
	if (**s == '(') {
		(*s)++;
		v = formula_sum(d, q, s);
		assert_int_equal(**s, ')');
		(*s)++;
		return k * v;
	}
	for (j = 0; j < d->nparams; j++) {
		size_t len = strlen(d->params[j].name);

		if (strncmp(*s, d->params[j].name, len) == 0 &&
		    !((*s)[len] >= 'a' && (*s)[len] <= 'z')) {
			*s += len;
			return k * (long)q[j];
		}
	}
	if (!num)
		fail_msg("%s: bad warm-up formula at \"%s\"", d->name, *s);
	return k;
}

static long
formula_sum(const struct pp_ind_def *d, const double *q, const char **s)
{
	long v = formula_term(d, q, s);

	while (**s == '+' || **s == '-') {
		int neg = *(*s)++ == '-';
		long t = formula_term(d, q, s);

		v += neg ? -t : t;
	}
	return v;
}

/* The warm-up of a text "F; G for a, b" (G where the choice parameter
 * is a or b, else F) or of a plain formula F, at params q. */
static long
warmup_of(const struct pp_ind_def *d, const double *q)
{
	const char *s = d->warmup_text, *name = NULL;
	long v = formula_sum(d, q, &s), w;
	int j;

	if (*s == '\0')
		return v;
	assert_true(strncmp(s, "; ", 2) == 0);
	s += 2;
	w = formula_sum(d, q, &s);
	assert_true(strncmp(s, " for ", 5) == 0);
	s += 5;
	for (j = 0; j < d->nparams; j++)
		if (d->params[j].choices != NULL)
			name = d->params[j].choices[(int)q[j]];
	assert_non_null(name);
	while (*s != '\0') {
		size_t len = strcspn(s, ",");

		if (strlen(name) == len && strncmp(s, name, len) == 0)
			return w;
		s += len;
		s += strspn(s, ", ");
	}
	return v;
}

/* warmup_text, which --list shows, is the formula warmup() computes: both
 * agree at several points for every function, and at every choice. */
static void
test_warmup_text(void **unused)
{
	size_t n, i;
	const struct pp_ind_def *all = pp_ind_all(&n);

	(void)unused;
	for (i = 0; i < n; i++) {
		const struct pp_ind_def *d = &all[i];
		int pt;

		for (pt = 0; pt < 8; pt++) {
			struct pp_err e = PP_ERR_INIT;
			double q[PP_IND_MAXPARAMS];
			int j;

			for (j = 0; j < d->nparams; j++) {
				const struct pp_ind_param *p = &d->params[j];

				q[j] = p->whole ? 5.0 * (j + 1) + 7 * pt + 2 :
				    p->def;
				if (p->choices != NULL)
					q[j] = pt % (int)(p->max + 1);
				if (q[j] < p->min || q[j] > p->max)
					q[j] = p->min;
			}
			if (d->check && d->check(q, &e) == -1)
				continue;
			if (warmup_of(d, q) != d->warmup(q))
				fail_msg("%s: warm-up \"%s\" is not warmup()",
				    d->name, d->warmup_text);
		}
	}
}

/* ---- ind_range.c, ind_volume.c, ind_momentum.c, rocp, rocr ---------------- */

/* A short series for the one-input functions: changes +2, -1, 0, +3. */
static const double xm[] = { 1, 3, 2, 2, 5 };

static void
test_range_rows(void **unused)
{
	/* open, high, low, close: the hlc rows with an open */
	static const double ohlc[] = { 9, 10, 8, 9, 9, 12, 9, 11,
	    11, 11, 10, 10, 11, 11, 11, 11 };

	(void)unused;
	/* previous close 9: max(3, |12-9|, 0) = 3; 11: max(1, 0, 1) = 1;
	 * 10: max(0, 1, 1) = 1; 11: max(2, 2, 0) = 2 */
	check("trange", NULL, 0, hlc, 5, 0, P(X, 3, 1, 1, 2));
	/* a missing previous close blanks the next row only */
	check("trange", NULL, 0, P(10, 8, X, 12, 9, 11, 11, 10, 10), 3, 0,
	    P(X, X, 1));
	/* (1 - 1)/2, (2 - 1)/3, (0 - 1)/1, zero range, (2 - 0)/2 */
	check("clv", NULL, 0, hlc, 5, 0, P(0, 1.0 / 3, -1, 0, 1));
	/* 0/2, 2/3, -1/1, zero range 0 */
	check("bop", NULL, 0, ohlc, 4, 0, P(0, 2.0 / 3, -1, 0));
	/* over 2 rows of xm: (2 - 1)/1, (2 - 3)/3, (5 - 2)/2 */
	check("rocp", P(2), 1, xm, 5, 0, P(X, X, 1, -1.0 / 3, 1.5));
	check("rocr", P(2), 1, xm, 5, 0, P(X, X, 2, 2.0 / 3, 2.5));
	/* a zero base is missing, not 0 as TA-Lib */
	check("rocp", P(1), 1, P(0, 1), 2, 0, P(X, X));
	check("rocr", P(1), 1, P(0, 1), 2, 0, P(X, X));
}

/* Rows of high, low (the hlc rows without the close). */
static const double hl[] = { 10, 8, 12, 9, 11, 10, 11, 11, 13, 11 };

static void
test_range_windows(void **unused)
{
	(void)unused;
	/* n = 2: HH 12 12 11 13, LL 8 9 10 11 */
	check("midprice", P(2), 1, hl, 5, 0, P(X, 10, 10.5, 10.5, 12));
	check("donchian", P(2), 1, hl, 5, 0, P(X, 12, 12, 11, 13));
	check("donchian", P(2), 1, hl, 5, 1, P(X, 10, 10.5, 10.5, 12));
	check("donchian", P(2), 1, hl, 5, 2, P(X, 8, 9, 10, 11));
	/* a missing low leaves the window for n rows */
	check("donchian", P(2), 1, P(10, 8, 12, X, 11, 10, 11, 11), 4, 2,
	    P(X, X, X, 10));
	/* n = 3 over 1 3 2 2 5: (3 + 1)/2, (3 + 2)/2, (5 + 2)/2 */
	check("midpoint", P(3), 1, xm, 5, 0, P(X, X, 2, 2.5, 3.5));
	/* weights 1 2 1 / 4 (odd n) and 1 2 2 1 / 6 (even n) */
	check("trima", P(3), 1, xm, 5, 0, P(X, X, 9.0 / 4, 9.0 / 4, 11.0 / 4));
	check("trima", P(4), 1, xm, 5, 0, P(X, X, X, 13.0 / 6, 8.0 / 3));
	check("trima", P(4), 1, P(1, 3, X, 2, 5, 1, 1, 1, 1), 9, 0,
	    P(X, X, X, X, X, X, 2.5, 5.0 / 3, 1));
}

static void
test_aroon(void **unused)
{
	(void)unused;
	/* n = 2 looks at 3 rows.  Rows 0-2: highest high row 1 (1 row
	 * ago), lowest low row 0 (2 ago) -> up 50, down 0; rows 1-3: 12
	 * and 9 both at row 1, 2 ago -> 0, 0; rows 2-4: 13 now, 10 at
	 * row 2 -> 100, 0 */
	check("aroon", P(2), 1, hl, 5, 0, P(X, X, 50, 0, 100));
	check("aroon", P(2), 1, hl, 5, 1, P(X, X, 0, 0, 0));
	check("aroon", P(2), 1, hl, 5, 2, P(X, X, 50, 0, 100));
	/* equal extremes: the newest counts, as TA-Lib (TTR takes the
	 * oldest and would give 0) */
	check("aroon", P(1), 1, P(5, 5, 5, 5), 2, 0, P(X, 100));
	check("aroon", P(1), 1, P(5, 5, 5, 5), 2, 1, P(X, 100));
}

static void
test_volume(void **unused)
{
	/* hlc with volume 100 .. 500: clv * volume 0, 200/3, -300, 0, 500 */
	static const double hlcv[] = { 10, 8, 9, 100, 12, 9, 11, 200,
	    11, 10, 10, 300, 11, 11, 11, 400, 13, 11, 13, 500 };

	(void)unused;
	check("ad", NULL, 0, hlcv, 5, 0,
	    P(0, 200.0 / 3, -700.0 / 3, -700.0 / 3, 800.0 / 3));
	/* pairs: (200/3)/300, (-700/3)/500, -300/700, 500/900 */
	check("cmf", P(2), 1, hlcv, 5, 0,
	    P(X, 2.0 / 9, -7.0 / 15, -3.0 / 7, 5.0 / 9));
	/* no volume in the window -> missing */
	check("cmf", P(1), 1, P(2, 1, 2, 0), 1, 0, P(X));
	/* fast 1 (alpha 1: the line), slow 2 (alpha 2/3), both starting
	 * at the first line value 0: slow 400/9 then -3800/27 */
	check("adosc", P(1, 2), 2, hlcv, 3, 0,
	    P(X, 200.0 / 9, -2500.0 / 27));
	/* a row with a missing volume is skipped */
	check("ad", NULL, 0, P(2, 1, 2, 5, 2, 1, 2, X, 2, 1, 1, 1), 3, 0,
	    P(5, X, 4));
}

static void
test_oscillators(void **unused)
{
	(void)unused;
	/* gains 2 0 0 3, losses 0 1 0 0; seeds g 1, l 0.5 -> 100/3; then
	 * g 0.5, l 0.25 -> 100/3; g 1.75, l 0.125 -> 260/3 */
	check("cmo", P(2), 1, xm, 5, 0, P(X, X, 100.0 / 3, 100.0 / 3,
	    260.0 / 3));
	check("cmo", P(1), 1, P(1, 1), 2, 0, P(X, 0));
	/* sma(1) - sma(2): 3 - 2, 2 - 2.5, 2 - 2, 5 - 3.5; fast and slow
	 * swap when given the other way round */
	check("apo", P(1, 2), 2, xm, 5, 0, P(X, 1, -0.5, 0, 1.5));
	check("apo", P(2, 1), 2, xm, 5, 0, P(X, 1, -0.5, 0, 1.5));
	check("ppo", P(1, 2), 2, xm, 5, 0, P(X, 50, -20, 0, 300.0 / 7));
	/* a zero slow average -> missing */
	check("ppo", P(1, 2), 2, P(-1, 1), 2, 0, P(X, X));
}

static void
test_dm(void **unused)
{
	/* moves: up 2 (+DM 2); down 3 (-DM 3); none; up 3 (+DM 3).
	 * true ranges 3, 5, 4, 7 */
	static const double hl2[] = { 10, 8, 12, 9, 11, 6, 11, 7, 14, 7 };
	static const double hlc2[] = { 10, 8, 9, 12, 9, 11, 11, 6, 7,
	    11, 7, 10, 14, 7, 12 };

	(void)unused;
	/* n = 2: sum of move 1, then s - s/2 + dm */
	check("plus_dm", P(2), 1, hl2, 5, 0, P(X, 2, 1, 0.5, 3.25));
	check("minus_dm", P(2), 1, hl2, 5, 0, P(X, 0, 3, 1.5, 0.75));
	check("plus_dm", P(1), 1, hl2, 5, 0, P(X, 2, 0, 0, 3));
	/* move 2: +DM 1, -DM 3, TR 3 - 1.5 + 5 = 6.5; move 3: 0.5, 1.5,
	 * 7.25; move 4: 3.25, 0.75, 10.625 */
	check("plus_di", P(2), 1, hlc2, 5, 0,
	    P(X, X, 200.0 / 13, 200.0 / 29, 520.0 / 17));
	check("minus_di", P(2), 1, hlc2, 5, 0,
	    P(X, X, 600.0 / 13, 600.0 / 29, 120.0 / 17));
	check("dx", P(2), 1, hlc2, 5, 0, P(X, X, 50, 50, 62.5));
	/* no range and no movement: DIs and DX 0 */
	check("dx", P(1), 1, P(5, 5, 5, 5, 5, 5), 2, 0, P(X, 0));
	check("plus_di", P(1), 1, P(5, 5, 5, 5, 5, 5), 2, 0, P(X, 0));
}

static void
test_stochf_stochrsi(void **unused)
{
	(void)unused;
	/* fast %K(2) 75, 100/3, 100, 100 as in test_willr_stoch; its SMA
	 * over 2; k waits for d */
	check("stochf", P(2, 2), 2, hlc, 5, 0, P(X, X, 100.0 / 3, 100, 100));
	check("stochf", P(2, 2), 2, hlc, 5, 1,
	    P(X, X, 325.0 / 6, 200.0 / 3, 100));
	/* rsi(1) of 1 3 2 2 5: 100, 0, 0 (no move), 100; %K(2) of that:
	 * 0, 0 (zero range), 100; d(2): 0, 50 */
	check("stochrsi", P(1, 2, 2), 3, xm, 5, 0, P(X, X, X, 0, 100));
	check("stochrsi", P(1, 2, 2), 3, xm, 5, 1, P(X, X, X, 0, 50));
}

static void
test_atr_based(void **unused)
{
	/* tp 9, 32/3, 31/3, 11, 37/3: ema(2) 59/6, 61/6, 193/18, 637/54;
	 * true ranges 3 1 1 2: atr(2) 2, 1.5, 1.75 */
	(void)unused;
	check("keltner", P(2, 1), 2, hlc, 5, 0,
	    P(X, X, 61.0 / 6 + 2, 193.0 / 18 + 1.5, 637.0 / 54 + 1.75));
	check("keltner", P(2, 1), 2, hlc, 5, 1,
	    P(X, X, 61.0 / 6, 193.0 / 18, 637.0 / 54));
	check("keltner", P(2), 1, hlc, 5, 2,
	    P(X, X, 61.0 / 6 - 4, 193.0 / 18 - 3, 637.0 / 54 - 3.5));
	/* |10 - 9| / 2, |11 - 11| / 1.5, |13 - 10| / 1.75 */
	check("snr", P(2), 1, hlc, 5, 0, P(X, X, 0.5, 0, 12.0 / 7));
	/* ranges 2 3 1 0 2: ema(2) 2.5, 1.5, 0.5, 1.5; change over 2 rows:
	 * 0.5 / 2.5 - 1, 1.5 / 1.5 - 1 */
	check("chaikin_vol", P(2), 1, hl, 5, 0, P(X, X, X, -0.8, 0));
}

static void
test_ultosc_vhf_trix(void **unused)
{
	(void)unused;
	/* bp 2 0 1 2, tr 3 1 1 2 (rows 1..4).  Row 3: a1 1/1, a2 1/2, a3
	 * 3/5 -> 100 (4 + 1 + 0.6) / 7 = 80; row 4: 1, 1, 3/4 -> 675/7.
	 * The periods are sorted, whatever their order. */
	check("ultosc", P(1, 2, 3), 3, hlc, 5, 0, P(X, X, X, 80, 675.0 / 7));
	check("ultosc", P(3, 1, 2), 3, hlc, 5, 0, P(X, X, X, 80, 675.0 / 7));
	/* 1 3 2 2 5 over 2: ranges 1, 0, 3 over moves 3, 1, 3 */
	check("vhf", P(2), 1, xm, 5, 0, P(X, X, 1.0 / 3, 0, 1));
	check("vhf", P(1), 1, P(1, 1), 2, 0, P(X, X));
	/* ema(2) thrice of 1 3 2 2 5 5: e1 2 2 2 4 14/3, e2 2 2 10/3
	 * 38/9, e3 2 26/9 34/9; trix 400/9, 400/13; signal their mean */
	check("trix", P(2, 2), 2, P(1, 3, 2, 2, 5, 5), 6, 0,
	    P(X, X, X, X, X, 400.0 / 13));
	check("trix", P(2, 2), 2, P(1, 3, 2, 2, 5, 5), 6, 1,
	    P(X, X, X, X, X, 4400.0 / 117));
	/* n = 1: the triple EMA is x itself */
	check("trix", P(1, 1), 2, xm, 5, 0, P(X, 200, -100.0 / 3, 0, 150));
}

static void
test_williams_ad_emv(void **unused)
{
	/* high, low, volume; the last volume doubled */
	static const double hlv[] = { 10, 8, 1e4, 12, 9, 1e4, 11, 10, 1e4,
	    11, 11, 1e4, 13, 11, 2e4 };

	(void)unused;
	/* up 11 - min(9, 9); down 10 - max(11, 11); up 11 - min(11, 10);
	 * up 13 - min(11, 11) */
	check("williams_ad", NULL, 0, hlc, 5, 0, P(X, 2, 1, 2, 4));
	/* mid 9, 10.5, 10.5, 11, 12: emv = move * range / (volume / 1e4):
	 * 4.5, 0, 0 (no range), 1; sma(2) 2.25, 0, 0.5 */
	check("emv", P(2), 1, hlv, 5, 0, P(X, X, 0, 0, 1));
	check("emv", P(2), 1, hlv, 5, 1, P(X, X, 2.25, 0, 0.5));
	/* no volume -> missing */
	check("emv", P(1), 1, P(2, 1, 1, 3, 1, 0), 2, 0, P(X, X));
}

static void
test_sar(void **unused)
{
	/* Row 1 has no down move: long, SAR at row 0's low 9, extreme 11.
	 * Then 9 + .02 (11 - 9) = 9.04; new high 12, af .04: 9.1584; new
	 * high 13, af .06: 9.388896; row 4's low 8 crosses it: short, SAR
	 * the extreme 13, next 13 + .02 (8 - 13) kept above the highs: 13;
	 * new low 7, af .04: 12.76; row 6's high 14 crosses it: long at the
	 * extreme 7. */
	static const double r[] = { 10, 9, 11, 10, 12, 11, 13, 12, 11, 8,
	    10, 7, 14, 12 };

	(void)unused;
	check("sar", NULL, 0, r, 7, 0,
	    P(X, 9, 9.04, 9.1584, 13, 13, 7));
	check("sar", P(0.02, 0.2), 2, r, 7, 0,
	    P(X, 9, 9.04, 9.1584, 13, 13, 7));
	/* a down move larger than the up move starts short, at row 0's
	 * high */
	check("sar", NULL, 0, P(10, 9, 9, 7), 2, 0, P(X, 10));
	/* the acceleration never passes max: .02 -> max .03 */
	check("sar", P(0.02, 0.03), 2, r, 4, 0,
	    P(X, 9, 9.04, 9.04 + 0.03 * (12 - 9.04)));
}

static void
test_adaptive(void **unused)
{
	(void)unused;
	/* n = 1 starts at x[0]; er 1 (or no move at all) gives sc (2/3)^2 */
	check("kama", P(1), 1, P(1, 1, 2, 0), 4, 0,
	    P(X, 1, 13.0 / 9, 65.0 / 81));
	/* n = 2 over 1 3 2: starts at 3; moves 3, net 1, er 1/3, sc
	 * (74/279)^2 */
	check("kama", P(2), 1, xm, 3, 0,
	    P(X, X, 3 - (74.0 / 279) * (74.0 / 279)));
	/* odd n = 3: lag 2, alpha 1/2, seed 2: 2 * 2 - 3 -> 1.5; 10 - 2
	 * -> 4.75 */
	check("zlema", P(3), 1, xm, 5, 0, P(X, X, 2, 1.5, 4.75));
	/* even n = 2: lag 1.5, the mean of the two rows around it */
	check("zlema", P(2), 1, xm, 5, 0, P(X, 2, 2, 5.0 / 3, 53.0 / 9));
	/* t3 with n = 1 is x (the coefficients sum to 1); with v = 0 the
	 * third EMA, with v = 1 -e6 + 6 e5 - 12 e4 + 8 e3 */
	check("t3", P(1), 1, xm, 5, 0, xm);
	check("t3", P(2, 0), 2, P(1, 3, 2, 2, 5, 5, 5), 7, 0,
	    P(X, X, X, X, X, X, 118.0 / 27));
	check("t3", P(2, 1), 2, P(1, 3, 2, 2, 5, 5, 5), 7, 0,
	    P(X, X, X, X, X, X, 1282.0 / 243));
	/* dx(2) of hlc2 in test_dm: 50, 50, 62.5; adx(2) 50, 56.25; adxr
	 * the mean with the adx one row back */
	check("adxr", P(2), 1, P(10, 8, 9, 12, 9, 11, 11, 6, 7, 11, 7, 10,
	    14, 7, 12), 5, 0, P(X, X, X, X, 53.125));
}

static void
test_volume_weighted(void **unused)
{
	/* x, volume */
	static const double xv[] = { 1, 1, 3, 3, 2, 1, 2, 2, 5, 1 };

	(void)unused;
	/* (1 + 9) / 4, (9 + 2) / 4, (2 + 4) / 3, (4 + 5) / 3 */
	check("vwma", P(2), 1, xv, 5, 0, P(X, 2.5, 11.0 / 4, 2, 3));
	check("vwma", P(1), 1, P(2, 0), 1, 0, P(X));
	/* starts at x = 3; then ((V - v) e + v x) / V with V over 2 rows:
	 * (3 * 3 + 2) / 4, (11/4 + 4) / 3, (9/2 + 5) / 3 */
	check("evwma", P(2), 1, xv, 5, 0, P(X, 3, 11.0 / 4, 9.0 / 4, 19.0 / 6));
	/* no volume in the window: the average stays */
	check("evwma", P(1), 1, P(4, 1, 6, 0, 8, 2), 3, 0, P(4, 4, 8));
}

static void
test_weighted(void **unused)
{
	double w = exp(-0.5), w2 = exp(-2);

	(void)unused;
	/* wma(2): 7/3 7/3 2 4 5, wma(4): 2.1 3.3 4.1 (rows 3..5); d = 2
	 * wma(2) - wma(4): 1.9 4.7 5.9; hma = wma(d, 2) */
	check("hma", P(4), 1, P(1, 3, 2, 2, 5, 5), 6, 0,
	    P(X, X, X, X, 11.3 / 3, 5.5));
	/* offset 0.5 of 2 -> peak 1, s = 3/3: weights e^-1/2, 1, e^-1/2 */
	check("alma", P(3, 0.5, 3), 3, xm, 5, 0,
	    P(X, X, (w + 3 + 2 * w) / (1 + 2 * w), (3 * w + 2 + 2 * w) /
	    (1 + 2 * w), (2 * w + 2 + 5 * w) / (1 + 2 * w)));
	/* offset 1: peak on the newest row, weights e^-2, e^-1/2, 1 */
	check("alma", P(3, 1, 3), 3, xm, 3, 0,
	    P(X, X, (w2 + 3 * w + 2) / (w2 + w + 1)));
}

static void
test_linearreg(void **unused)
{
	(void)unused;
	/* windows of 1 3 2 2 5: (1 3 2) mean 2 slope 1/2; (3 2 2) 7/3 and
	 * -1/2; (2 2 5) 3 and 3/2; value = mean + slope, intercept = mean
	 * - slope, tsf = mean + 2 slope */
	check("linearreg", P(3), 1, xm, 5, 0, P(X, X, 2.5, 11.0 / 6, 4.5));
	check("linearreg", P(3), 1, xm, 5, 1, P(X, X, 0.5, -0.5, 1.5));
	check("linearreg", P(3), 1, xm, 5, 2, P(X, X, 1.5, 17.0 / 6, 1.5));
	check("tsf", P(3), 1, xm, 5, 0, P(X, X, 3, 4.0 / 3, 6));
	/* a slope of 1 is 45 degrees */
	check("linearreg", P(2), 1, P(1, 2), 2, 3, P(X, 45));
	check("linearreg", P(2), 1, P(1, 2), 2, 0, P(X, 2));
	/* a constant window: slope 0, the value itself */
	check("tsf", P(3), 1, P(7, 7, 7), 3, 0, P(X, X, 7));
}

static void
test_smi_kst_tdi(void **unused)
{
	double x[60], want[60];
	int t;

	(void)unused;
	/* n = 1 and EMAs of 1: 100 (close - mid) / half the range; a row
	 * without range has no value */
	check("smi", P(1, 1, 1, 1), 4, hlc, 5, 0, P(0, 100.0 / 3, -100, X, 100));
	check("smi", P(1, 1, 1, 1), 4, hlc, 5, 1, P(0, 100.0 / 3, -100, X, 100));
	/* n = 2: distances 1, -1/2, 1/2, 1 over ranges 4, 3, 1, 2 */
	check("smi", P(2, 1, 1, 1), 4, hlc, 5, 0,
	    P(X, 50, -100.0 / 3, 100, 100));
	/* slow 2: ema 1/4, 5/12, 29/36 over ema 7/2, 11/6, 35/18 */
	check("smi", P(2, 1, 2, 1), 4, hlc, 5, 0,
	    P(X, X, 100.0 / 7, 500.0 / 11, 580.0 / 7));
	/* x doubling every row: each log rate of change is r ln 2, so kst
	 * is 100 ln 2 (10 + 2 15 + 3 20 + 4 30) from row 52 on */
	for (t = 0; t < 60; t++) {
		x[t] = ldexp(1, t);
		want[t] = t < 52 ? X : 22000 * log(2);
	}
	check("kst", NULL, 0, x, 60, 0, want);
	check("kst", NULL, 0, x, 60, 1, want);
	/* n = 1: moms 2, -1, 0, 3; di = mom; tdi = |di| - (|mom| over 2
	 * rows - |mom|) */
	check("tdi", P(1), 1, xm, 5, 0, P(X, X, -1, -1, 3));
	check("tdi", P(1), 1, xm, 5, 1, P(X, X, -1, 0, 3));
}

/* vol's method is a choice: its index in the table, as the language
 * passes it (0 close, 1 parkinson, 2 garman_klass, 3 rogers_satchell, 4
 * gk_yz, 5 yang_zhang). */
static void
test_vol(void **unused)
{
	double e = exp(1), e3 = exp(3), k = 0.34 / 4.34;
	/* open, high, low, close: a bar from 1 up to e, and back */
	const double up[] = { 1, e, 1, e, 1, e, 1, e };
	const double flat[] = { 1, e, 1, 1, 1, e, 1, 1, 1, e, 1, 1 };

	(void)unused;
	/* log returns 1 and 2: sd sqrt(1/2), per period */
	check("vol", P(3, 0, 1), 3, P(1, 1, 1, 1, e, e, e, e, e3, e3, e3, e3),
	    3, 0, P(X, X, sqrt(0.5)));
	/* log(high/low) = 1 each row: sqrt(N / (4 n log 2) n) */
	check("vol", P(2, 1, 1), 3, flat, 2, 0, P(X, sqrt(1 / (4 * log(2)))));
	/* 1/2 - (2 log 2 - 1) a row */
	check("vol", P(1, 2, 1), 3, up, 2, 0,
	    P(sqrt(1.5 - 2 * log(2)), sqrt(1.5 - 2 * log(2))));
	/* log(h/c) log(h/o) = 1, the low term 0; N 4 over 2 rows: 2 */
	check("vol", P(2, 3, 4), 3, flat, 2, 0, P(X, 2));
	/* garman_klass plus the overnight log(1/e)^2 = 1 */
	check("vol", P(1, 4, 1), 3, up, 2, 0, P(X, sqrt(2.5 - 2 * log(2))));
	/* no overnight or open-to-close variance: sqrt((1 - k) rs^2) */
	check("vol", P(2, 5, 1), 3, flat, 3, 0, P(X, X, sqrt(1 - k)));
	/* the default N is 252 */
	check("vol", P(2, 3), 2, flat, 2, 0, P(X, sqrt(252)));
}

static void
test_rolling_order(void **unused)
{
	/* a window that slides through ties, NaN, and back */
	static const double z[] = { 5, 1, 4, 4, X, 2, 9, 3, 3, 3, 8 };

	(void)unused;
	check("sum", P(3), 1, xm, 5, 0, P(X, X, 6, 7, 9));
	/* (1 3) (3 2) (2 2) (2 5); (1 3 2 2) (3 2 2 5) */
	check("median", P(2), 1, xm, 5, 0, P(X, 2, 2.5, 2, 3.5));
	check("median", P(4), 1, xm, 5, 0, P(X, X, X, 2, 2.5));
	/* sorted 1 2 2 3 at 0.75: 1.75; 2 2 3 5: 2; q 0 and 1 are the
	 * extremes */
	check("quantile", P(4, 0.25), 2, xm, 5, 0, P(X, X, X, 1.75, 2));
	check("quantile", P(4, 0), 2, xm, 5, 0, P(X, X, X, 1, 2));
	check("quantile", P(4, 1), 2, xm, 5, 0, P(X, X, X, 3, 5));
	/* 5 1 4 | 1 4 4 | NaN x3 | 2 9 3 | 9 3 3 | 3 3 3 | 3 3 8 */
	check("median", P(3), 1, z, 11, 0,
	    P(X, X, 4, 4, X, X, X, 3, 3, 3, 3));
	check("quantile", P(3, 1), 2, z, 11, 0,
	    P(X, X, 5, 4, X, X, X, 9, 9, 3, 8));
	/* deviations from the median: (1 1 0) -> 1; (1 0 0), (0 0 3) -> 0;
	 * (1 1 0 0) and (.5 .5 .5 2.5) -> .5 */
	check("mad", P(3), 1, xm, 5, 0, P(X, X, 1.4826, 0, 0));
	check("mad", P(4), 1, xm, 5, 0, P(X, X, X, 0.7413, 0.7413));
	/* the newest value among the window: below, equal (ties share) */
	check("rank", P(3), 1, xm, 5, 0, P(X, X, 2.0 / 3, 0.5, 1));
	check("pctrank", P(3), 1, xm, 5, 0, P(X, X, 0.5, 1.0 / 3, 5.0 / 6));
}

static void
test_rolling_moments(void **unused)
{
	(void)unused;
	/* (1 3 2) is symmetric; (3 2 2) and (2 2 5): sqrt(6) m3 / m2^1.5 =
	 * sqrt(3) */
	check("skew", P(3), 1, xm, 5, 0, P(X, X, 0, sqrt(3), sqrt(3)));
	/* m4 / m2^2 = 2 in both windows: (15 * 2 - 27) / 2 */
	check("kurt", P(4), 1, xm, 5, 0, P(X, X, X, 1.5, 1.5));
	check("kurt", P(4), 1, P(7, 7, 7, 7), 4, 0, P(X, X, X, X));
	check("skew", P(3), 1, P(7, 7, 7), 3, 0, P(X, X, X));
	/* span 3, alpha 1/2: weights 1, 1/2, 1/4 from the newest; (1 3):
	 * sqrt(2); (1 3 2): mean 15/7, biased var 20/49, factor 7/4 */
	check("ewm_std", P(3), 1, xm, 3, 0, P(X, sqrt(2), sqrt(35) / 7));
	/* a missing row is skipped */
	check("ewm_std", P(3), 1, P(1, X, 3), 3, 0, P(X, X, sqrt(2)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_warmup_text),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shift),
		cmocka_unit_test(test_sma_wma),
		cmocka_unit_test(test_var_stddev_zscore),
		cmocka_unit_test(test_bbands),
		cmocka_unit_test(test_min_max),
		cmocka_unit_test(test_corr_beta),
		cmocka_unit_test(test_willr_stoch),
		cmocka_unit_test(test_cci),
		cmocka_unit_test(test_mfi_vwap),
		cmocka_unit_test(test_ema_family),
		cmocka_unit_test(test_macd),
		cmocka_unit_test(test_rsi),
		cmocka_unit_test(test_atr_natr),
		cmocka_unit_test(test_adx),
		cmocka_unit_test(test_obv),
		cmocka_unit_test(test_range_rows),
		cmocka_unit_test(test_range_windows),
		cmocka_unit_test(test_aroon),
		cmocka_unit_test(test_volume),
		cmocka_unit_test(test_oscillators),
		cmocka_unit_test(test_dm),
		cmocka_unit_test(test_stochf_stochrsi),
		cmocka_unit_test(test_atr_based),
		cmocka_unit_test(test_ultosc_vhf_trix),
		cmocka_unit_test(test_williams_ad_emv),
		cmocka_unit_test(test_sar),
		cmocka_unit_test(test_adaptive),
		cmocka_unit_test(test_volume_weighted),
		cmocka_unit_test(test_weighted),
		cmocka_unit_test(test_linearreg),
		cmocka_unit_test(test_smi_kst_tdi),
		cmocka_unit_test(test_vol),
		cmocka_unit_test(test_rolling_order),
		cmocka_unit_test(test_rolling_moments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
