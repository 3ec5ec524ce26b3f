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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
