/*
 * test_linear.c - moments and solvers (lib/linear.c).
 *
 * Plan:
 *  - moments: for a table of data sets (tiny, a mean of 1e9 with a spread
 *    of 1e-3, values at 1e150, a single row, rows added one at a time, in
 *    blocks of 4096+ and as merged halves) the means and centered
 *    cross-products equal a two-pass long-double reference.
 *  - ols on noise-free data, raw and standardized, recovers the
 *    coefficients and intercept as exactly as the data hold them (1e-13
 *    for unit-scale data; see olsets for why less at mixed scales);
 *    ridge, lasso and elastic net with one feature match their closed
 *    forms (shrinkage, soft threshold); alpha large enough zeroes lasso.
 *  - a constant feature is flagged and gets 0, collinear features give the
 *    minimum-norm solution and the flag, never NaN; fewer than 2 rows fail.
 *  - sse from moments equals the direct sum of squared residuals.
 *  - logistic: data symmetric in x gives intercept 0; the gradient of the
 *    objective at the answer is 0; one class only fails.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lapacke.h>
#include <unistd.h>

#include "linear.h"
#include "testutil.h"
#include "banned.h"

/* Uniform in [-1, 1). */
static double
unif(uint64_t *s)
{
	return (double)(rnd(s) >> 11) / 4503599627370496.0 - 1;
}

static const struct {
	size_t n;
	double base, spread;
	int how;		/* 0: one call, 1: row by row, 2: merged halves */
} msets[] = {
	{ 3, 0, 1, 0 },
	{ 1, 5, 1, 0 },
	{ 1000, 1e9, 1e-3, 0 },
	{ 1000, 1e9, 1e-3, 1 },
	{ 9000, 100, 5, 0 },
	{ 9000, 100, 5, 2 },
	{ 50, 1e150, 1e149, 0 },
	{ 200, -3, 1e-300, 1 },
};

static void
test_moments(void **state)
{
	size_t t, q = 3, i, a, b;

	(void)state;
	for (t = 0; t < sizeof(msets) / sizeof(msets[0]); t++) {
		size_t n = msets[t].n;
		double *z = malloc(n * q * sizeof(double));
		long double mean[3] = { 0 }, co;
		struct pp_moments m, h;
		uint64_t s = 88172645463325252ull + t;

		for (i = 0; i < n * q; i++)
			z[i] = msets[t].base + msets[t].spread * unif(&s) *
			    (double)(i % q + 1);
		pp_moments_init(&m, q);
		if (msets[t].how == 0) {
			pp_moments_add_rows(&m, z, n);
		} else if (msets[t].how == 1) {
			for (i = 0; i < n; i++)
				pp_moments_add_rows(&m, z + i * q, 1);
		} else {
			pp_moments_init(&h, q);
			pp_moments_add_rows(&m, z, n / 3);
			pp_moments_add_rows(&h, z + n / 3 * q, n - n / 3);
			pp_moments_merge(&m, &h);
			pp_moments_release(&h);
		}
		assert_true(m.n == (double)n);
		for (i = 0; i < n; i++)
			for (a = 0; a < q; a++)
				mean[a] += z[i * q + a];
		for (a = 0; a < q; a++) {
			mean[a] /= n;
			assert_true(fabsl(m.mean[a] - mean[a]) <=
			    1e-13 * fabsl(mean[a]) + 1e-300);
		}
		for (a = 0; a < q; a++)
			for (b = a; b < q; b++) {
				co = 0;
				for (i = 0; i < n; i++)
					co += (z[i * q + a] - mean[a]) *
					    (z[i * q + b] - mean[b]);
				assert_true(fabsl(m.co[a * q + b] - co) <=
				    1e-9 * sqrtl(fabsl(m.co[a * q + a] *
				    m.co[b * q + b])) + 1e-300);
			}
		pp_moments_release(&m);
		free(z);
	}
}

/* Fit kind on rows z (n x q, target last) and return the model. */
static struct pp_model *
fit(enum pp_model_kind kind, const double *z, size_t n, size_t q,
    double alpha, double l1, int std, struct pp_linfit *f, int *rc)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	struct pp_fit_opts o = PP_FIT_OPTS_INIT;
	struct pp_moments mo;
	struct pp_err err = PP_ERR_INIT;
	struct pp_model *m = pp_model_new(kind, "y", q - 1, names);

	o.kind = kind;
	o.alpha = alpha;
	o.l1_ratio = l1;
	o.standardize = std;
	pp_moments_init(&mo, q);
	pp_moments_add_rows(&mo, z, n);
	*rc = pp_linear_fit(&mo, &o, m, f, &err);
	pp_moments_release(&mo);
	return m;
}

/*
 * OLS on noise-free data, raw and standardized, in the units of the data
 * (a standardized model's coef_j / scale_j).  How close is achievable is
 * set by how exactly the data hold the answer, not by the solver:
 *  - "unit": features in [-1, 1], y near 10, so y is rounded at ~2e-15
 *    and the coefficients come back to 1e-13 (all pass at 1e-14);
 *  - "spread": features at scales 1, 1e6 + 1 and 1e-6 with a coefficient
 *    of 4e5.  y near -5e5 is rounded at ~6e-11, which is noise of 6e-11 on
 *    a feature spread of 1e-6 times 4e5: the coefficients are only defined
 *    to ~1e-11 (measured 5e-12, with Prescott and Haswell kernels alike),
 *    checked to 1e-10.  The intercept absorbs 1e6 times the error of the
 *    second coefficient (measured 5e-7 relative), checked to 1e-5; fitted
 *    values to 1e-9 (measured 6e-11).
 */
static const struct {
	const char *name;
	double offset[3], scale[3], coef[3], intercept;
	double coef_tol, intercept_tol, eta_tol;
} olsets[] = {
	{ "unit", { 0, 0, 0 }, { 1, 1, 1 }, { 2, -0.5, 4 }, 3,
	    1e-13, 1e-13, 1e-13 },
	{ "spread", { 0, 1e6, 0 }, { 1, 1, 1e-6 }, { 2, -0.5, 4e5 }, 3,
	    1e-10, 1e-5, 1e-9 },
};

static void
test_ols_exact(void **state)
{
	double z[40 * 4];
	struct pp_linfit f;
	struct pp_model *m;
	size_t i, j, t;
	int rc, std;

	(void)state;
	for (t = 0; t < sizeof(olsets) / sizeof(olsets[0]); t++) {
		uint64_t s = 7;

		for (i = 0; i < 40; i++) {
			z[i * 4 + 3] = olsets[t].intercept;
			for (j = 0; j < 3; j++) {
				z[i * 4 + j] = olsets[t].offset[j] +
				    olsets[t].scale[j] * unif(&s);
				z[i * 4 + 3] += olsets[t].coef[j] * z[i * 4 + j];
			}
		}
		for (std = 0; std < 2; std++) {
			double b0;

			m = fit(PP_MODEL_OLS, z, 40, 4, 0, 0, std, &f, &rc);
			assert_int_equal(rc, 0);
			assert_false(f.collinear);
			assert_int_equal(m->standardized, std);
			for (i = 0; i < 40; i++)
				assert_true(fabs(pp_model_eta(m, z + i * 4) -
				    z[i * 4 + 3]) < olsets[t].eta_tol);
			b0 = m->intercept;
			for (j = 0; j < 3; j++) {
				double c = m->coef[j] / m->scale[j];

				b0 -= c * m->mean[j];
				if (fabs(c - olsets[t].coef[j]) >
				    olsets[t].coef_tol * fabs(olsets[t].coef[j]))
					fail_msg("%s std=%d coef %zu: %.17g",
					    olsets[t].name, std, j, c);
			}
			if (fabs(b0 - olsets[t].intercept) >
			    olsets[t].intercept_tol * fabs(olsets[t].intercept))
				fail_msg("%s std=%d intercept: %.17g",
				    olsets[t].name, std, b0);
			pp_linfit_release(&f);
			pp_model_free(m);
		}
	}
}

/* One feature, centered closed forms: b = sxy / (sxx + alpha) for ridge,
 * soft(sxy, n alpha l1) / (sxx + n alpha (1 - l1)) for the elastic net. */
static const struct {
	enum pp_model_kind kind;
	double alpha, l1;
} closed[] = {
	{ PP_MODEL_RIDGE, 0, 0 },
	{ PP_MODEL_RIDGE, 3.5, 0 },
	{ PP_MODEL_RIDGE, 1e12, 0 },
	{ PP_MODEL_LASSO, 0.01, 1 },
	{ PP_MODEL_LASSO, 0.3, 1 },
	{ PP_MODEL_LASSO, 100, 1 },
	{ PP_MODEL_ENET, 0.2, 0.5 },
	{ PP_MODEL_ENET, 0.2, 0 },
	{ PP_MODEL_ENET, 0.2, 1 },
};

static void
test_closed_forms(void **state)
{
	double z[30 * 2], sxx = 0, sxy = 0, mx = 0, my = 0, want, t;
	uint64_t s = 99;
	struct pp_linfit f;
	struct pp_model *m;
	size_t i, c;
	int rc;

	(void)state;
	for (i = 0; i < 30; i++) {
		z[i * 2] = 2 * unif(&s);
		z[i * 2 + 1] = 1 + 0.7 * z[i * 2] + 0.3 * unif(&s);
		mx += z[i * 2] / 30;
		my += z[i * 2 + 1] / 30;
	}
	for (i = 0; i < 30; i++) {
		sxx += (z[i * 2] - mx) * (z[i * 2] - mx);
		sxy += (z[i * 2] - mx) * (z[i * 2 + 1] - my);
	}
	for (c = 0; c < sizeof(closed) / sizeof(closed[0]); c++) {
		m = fit(closed[c].kind, z, 30, 2, closed[c].alpha,
		    closed[c].l1, 0, &f, &rc);
		assert_int_equal(rc, 0);
		if (closed[c].kind == PP_MODEL_RIDGE) {
			want = sxy / (sxx + closed[c].alpha);
		} else {
			t = 30 * closed[c].alpha * closed[c].l1;
			want = sxy > t ? sxy - t : sxy < -t ? sxy + t : 0;
			want /= sxx + 30 * closed[c].alpha * (1 - closed[c].l1);
		}
		assert_true(fabs(m->coef[0] - want) <= 1e-12 * fabs(want) +
		    1e-300);
		assert_true(fabs(m->intercept - (my - want * mx)) < 1e-12);
		pp_linfit_release(&f);
		pp_model_free(m);
	}
}

static void
test_degenerate(void **state)
{
	double z[20 * 4];
	uint64_t s = 5;
	struct pp_linfit f;
	struct pp_model *m;
	size_t i, j;
	int rc, kind;

	(void)state;
	for (i = 0; i < 20; i++) {
		z[i * 4] = unif(&s);
		z[i * 4 + 1] = 2 * z[i * 4];	/* collinear with a */
		z[i * 4 + 2] = 0.1;		/* constant */
		z[i * 4 + 3] = 1 + 5 * z[i * 4];
	}
	for (kind = PP_MODEL_OLS; kind <= PP_MODEL_ENET; kind++) {
		m = fit((enum pp_model_kind)kind, z, 20, 4, 0.01, 0.5, 0, &f,
		    &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(f.constant[0], 0);
		assert_int_equal(f.constant[2], 1);
		assert_true(m->coef[2] == 0);
		for (j = 0; j < 3; j++)
			assert_true(isfinite(m->coef[j]));
		assert_true(isfinite(m->intercept));
		if (kind == PP_MODEL_OLS) {
			/* Minimum norm: a + 2b = 5 with b = 2a. */
			assert_int_equal(f.collinear, 1);
			assert_true(fabs(m->coef[0] - 1) < 1e-9);
			assert_true(fabs(m->coef[1] - 2) < 1e-9);
			assert_true(fabs(m->intercept - 1) < 1e-9);
		}
		pp_linfit_release(&f);
		pp_model_free(m);
	}
	m = fit(PP_MODEL_OLS, z, 1, 4, 0, 0, 0, &f, &rc);
	assert_int_equal(rc, -1);
	pp_linfit_release(&f);
	pp_model_free(m);
}

static void
test_sse(void **state)
{
	double z[50 * 3], sse = 0, sst = 0, my = 0, got, gsst;
	uint64_t s = 11;
	struct pp_linfit f;
	struct pp_model *m;
	struct pp_moments mo;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < 50; i++) {
		z[i * 3] = 10 + unif(&s);
		z[i * 3 + 1] = unif(&s);
		z[i * 3 + 2] = z[i * 3] - z[i * 3 + 1] + 0.2 * unif(&s);
	}
	m = fit(PP_MODEL_RIDGE, z, 25, 3, 2, 0, 1, &f, &rc);
	assert_int_equal(rc, 0);
	for (i = 25; i < 50; i++) {
		double r = z[i * 3 + 2] - pp_model_eta(m, z + i * 3);

		sse += r * r;
		my += z[i * 3 + 2] / 25;
	}
	for (i = 25; i < 50; i++)
		sst += (z[i * 3 + 2] - my) * (z[i * 3 + 2] - my);
	pp_moments_init(&mo, 3);
	pp_moments_add_rows(&mo, z + 25 * 3, 25);
	got = pp_linear_sse(m, &mo, &gsst);
	assert_true(fabs(got - sse) <= 1e-10 * sse);
	assert_true(fabs(gsst - sst) <= 1e-10 * sst);
	pp_moments_release(&mo);
	pp_linfit_release(&f);
	pp_model_free(m);
}

static void
test_logistic(void **state)
{
	static const char *const names[] = { "x", "k" };
	double X[40 * 2], y[40], eta, g0 = 0, g1 = 0;
	struct pp_fit_opts o = PP_FIT_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_linfit f;
	struct pp_model *m = pp_model_new(PP_MODEL_LOGISTIC, "y", 2, names);
	size_t i;

	(void)state;
	/* x and -x with labels 1 and 0, and their mirror: symmetric. */
	for (i = 0; i < 20; i++) {
		double x = 0.1 * (double)(i + 1);

		X[i * 2] = x;
		y[i] = i % 3 != 0;
		X[(i + 20) * 2] = -x;
		y[i + 20] = i % 3 == 0;
		X[i * 2 + 1] = X[(i + 20) * 2 + 1] = 7;
	}
	o.kind = PP_MODEL_LOGISTIC;
	o.C = 2;
	assert_int_equal(pp_logistic_fit(X, y, 40, 2, NULL, 0, &o, m, &f,
	    &err), 0);
	assert_true(fabs(m->intercept) < 1e-12);
	assert_int_equal(f.constant[1], 1);
	assert_true(m->coef[1] == 0);
	for (i = 0; i < 40; i++) {
		double pr;

		eta = pp_model_eta(m, X + i * 2);
		pr = 1 / (1 + exp(-eta));
		g0 += pr - y[i];
		g1 += (pr - y[i]) * X[i * 2];
	}
	/* The gradient C X'(p - y) + w vanishes at the optimum. */
	assert_true(fabs(o.C * g0) < 1e-9);
	assert_true(fabs(o.C * g1 + m->coef[0]) < 1e-9);
	pp_linfit_release(&f);
	for (i = 0; i < 40; i++)
		y[i] = 1;
	assert_int_equal(pp_logistic_fit(X, y, 40, 2, NULL, 0, &o, m, &f,
	    &err), -1);
	assert_string_equal(err.msg, "the target has one class only (40 "
	    "rows, all 1)");
	pp_linfit_release(&f);
	pp_model_free(m);
}

/*
 * Values whose squares overflow are named, not taken for constants nor
 * handed to LAPACK (issue 16: "On entry to DLASCL parameter number 4"
 * six times on stderr, then "the least-squares solver failed").
 */
static void
test_overflowing_values_are_named(void **state)
{
	static const char *const names[] = { "a", "b" };
	static const struct {
		double big_b, big_y;
		const char *msg;
	} cases[] = {
		{ 1e200, 1, "feature \"b\": values too large: their squares "
		    "overflow" },
		{ 1, 1e300, "the target: values too large: their squares "
		    "overflow" },
		{ 1e160, 1e160, "feature \"b\": values too large: their "
		    "squares overflow" },
	};
	uint64_t s = 3;
	size_t c, i;

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct pp_fit_opts o = PP_FIT_OPTS_INIT;
		struct pp_err err = PP_ERR_INIT;
		struct pp_model *m = pp_model_new(PP_MODEL_OLS, "y", 2, names);
		struct pp_moments mo;
		struct pp_linfit f;
		double z[30 * 3];

		for (i = 0; i < 30; i++) {
			z[i * 3] = unif(&s);
			z[i * 3 + 1] = unif(&s) * cases[c].big_b;
			z[i * 3 + 2] = unif(&s) * cases[c].big_y;
		}
		o.kind = PP_MODEL_OLS;
		pp_moments_init(&mo, 3);
		pp_moments_add_rows(&mo, z, 30);
		assert_int_equal(pp_linear_fit(&mo, &o, m, &f, &err), -1);
		assert_string_equal(err.msg, cases[c].msg);
		pp_moments_release(&mo);
		pp_linfit_release(&f);
		pp_model_free(m);
	}
}

/* LAPACK's complaint about an argument is kept, for one line of error,
 * and never printed (the library does not write to stderr). */
static void
test_lapack_complaint_kept_not_printed(void **state)
{
	double a[4] = { 1, 0, 0, 1 }, b[2] = { 1, 1 }, sv[2];
	lapack_int rank;
	FILE *tmp = tmpfile();
	int saved = dup(2);
	long len;

	(void)state;
	assert_non_null(tmp);
	assert_true(saved >= 0);
	pp_linear_lapack_complaint(1);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), 2) == 2);
	/* m = -2: LAPACK refuses its first argument. */
	assert_true(LAPACKE_dgelsd(LAPACK_ROW_MAJOR, -2, 2, 1, a, 2, b, 1,
	    sv, 1e-12, &rank) < 0);
	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	fseek(tmp, 0, SEEK_END);
	len = ftell(tmp);
	fclose(tmp);
	assert_int_equal(len, 0);
	assert_string_equal(pp_linear_lapack_complaint(1),
	    "LAPACK DGELSD: argument 1 out of range");
	assert_null(pp_linear_lapack_complaint(0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moments),
		cmocka_unit_test(test_ols_exact),
		cmocka_unit_test(test_closed_forms),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_overflowing_values_are_named),
		cmocka_unit_test(test_lapack_complaint_kept_not_printed),
		cmocka_unit_test(test_sse),
		cmocka_unit_test(test_logistic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
