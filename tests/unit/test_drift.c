/*
 * test_drift.c - data drift (lib/drift.c) against scipy 1.10 and numpy.
 *
 * Plan:
 *  - pp_drift_ks on vectors whose D and p-value scipy.stats.ks_2samp
 *    (method 'auto') gives: unequal small samples, equal sizes (the
 *    closed form), ties, medium unequal samples (the band recursion) and
 *    2000 against 2000, all exact: 1e-12 relative; then 12000 against
 *    3000 (the asymptotic branch): D to 1e-12, the p-value to the
 *    tolerance man/pp-eval.1 states (1e-10 relative plus 1e-8
 *    absolute from 1000 points of kstwo up, 5e-6 absolute below).
 *  - pp_drift_kstwo_sf against scipy.stats.kstwo.sf over every branch.
 *  - pp_drift_quantile against numpy.quantile; pp_drift_psi against the
 *    same definition in numpy (a share of 0 counted as 1e-4).
 *  - pp_drift_score: the six names per column and the drift count.
 * The expected values were printed by python3 with scipy 1.10.1 and
 * numpy 1.24 on the generators below (the same integer arithmetic).
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

#include "drift.h"
#include "util.h"
#include "banned.h"

static void
close_to(const char *row, const char *what, double got, double want,
    double rel, double abs_tol)
{
	if (isnan(got) || fabs(got - want) > rel * fabs(want) + abs_tol)
		fail_msg("%s: %s: got %.17g, want %.17g", row, what, got,
		    want);
}

/* x_i = ((i mul) mod m) / m * scale + shift, sorted. */
static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *
gen(size_t n, long mul, long mod, double scale, double shift)
{
	double *v = pp_xmalloc(n * sizeof(*v));
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = (double)(((long)i * mul) % mod) / (double)mod * scale +
		    shift;
	qsort(v, n, sizeof(*v), cmp);
	return v;
}

struct ks_row {
	const char *name;
	size_t n1, n2;
	long mul1, mod1, mul2, mod2;
	double scale2, shift2;
	const double *a, *b;	/* literal samples (sorted), or NULL */
	double d, p, psi, q30;
	double prel, pabs;	/* the p-value's tolerance */
};

static const double small_a[] = { 0.1, 0.5, 0.9, 1.3, 2.2 };
static const double small_b[] = { 0.3, 0.4, 1.8, 2.5, 3.1, 3.3, 4.0 };
static const double eq_a[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const double eq_b[] = { 2.5, 3.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5 };
static const double ties_a[] = { 1, 1, 2, 2, 3, 3, 3, 4 };
static const double ties_b[] = { 2, 2, 3, 3, 4, 4, 5, 5, 5, 6 };

static const struct ks_row ks_rows[] = {
	{ "small", 5, 7, 0, 0, 0, 0, 0, 0, small_a, small_b,
	  0.5714285714285714, 0.23737373737373738, 9.777462627827074, 0.58,
	  1e-12, 0 },
	{ "equal", 8, 8, 0, 0, 0, 0, 0, 0, eq_a, eq_b, 0.5,
	  0.2826728826728826, 6.148614539641132, 3.1, 1e-12, 0 },
	{ "ties", 8, 10, 0, 0, 0, 0, 0, 0, ties_a, ties_b, 0.475,
	  0.20366561543032125, 2.82148535208669, 2.0, 1e-12, 0 },
	{ "medium", 300, 200, 7919, 1009, 104729, 1013, 1.1, 0.05, NULL,
	  NULL, 0.13666666666666666, 0.021091805157267017,
	  0.15211876420236364, 0.3, 1e-12, 0 },
	{ "2000 each", 2000, 2000, 7919, 1009, 104729, 1013, 1.0, 0.03, NULL,
	  NULL, 0.031, 0.291764846534962, 0.018174082462708897,
	  0.2993062438057483, 1e-12, 0 },
	{ "asymptotic, middle", 12000, 3000, 7919, 1009, 104729, 1013, 1.0,
	  0.01, NULL, NULL, 0.010833333333333361, 0.9379023258463184,
	  0.001826027593039934, 0.2993062438057483, 1e-10, 1e-12 },
	{ "asymptotic, tail", 12000, 3000, 7919, 1009, 104729, 1013, 1.0,
	  0.06, NULL, NULL, 0.060833333333333406, 3.657954678721742e-08,
	  0.08118486211234693, 0.2993062438057483, 1e-10, 1e-12 },
};

static void
test_ks_psi(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < PP_ARRAY_SIZE(ks_rows); i++) {
		const struct ks_row *r = &ks_rows[i];
		double *a, *b, p, d;

		if (r->a) {
			a = pp_xmalloc(r->n1 * sizeof(*a));
			b = pp_xmalloc(r->n2 * sizeof(*b));
			memcpy(a, r->a, r->n1 * sizeof(*a));
			memcpy(b, r->b, r->n2 * sizeof(*b));
		} else {
			a = gen(r->n1, r->mul1, r->mod1, 1, 0);
			b = gen(r->n2, r->mul2, r->mod2, r->scale2, r->shift2);
		}
		d = pp_drift_ks(a, r->n1, b, r->n2, &p);
		close_to(r->name, "ks_statistic", d, r->d, 1e-12, 0);
		close_to(r->name, "ks_pvalue", p, r->p, r->prel, r->pabs);
		/* Symmetric in the samples. */
		d = pp_drift_ks(b, r->n2, a, r->n1, &p);
		close_to(r->name, "ks_statistic swapped", d, r->d, 1e-12, 0);
		close_to(r->name, "ks_pvalue swapped", p, r->p, r->prel,
		    r->pabs);
		close_to(r->name, "psi", pp_drift_psi(a, r->n1, b, r->n2),
		    r->psi, 1e-12, 0);
		close_to(r->name, "quantile 0.3", pp_drift_quantile(a, r->n1,
		    0.3), r->q30, 1e-15, 0);
		free(a);
		free(b);
	}
}

/* Identical samples: D = 0, p = 1, psi = 0. */
static void
test_identical(void **state)
{
	double *a = gen(50, 7919, 1009, 1, 0), p, d;

	(void)state;
	d = pp_drift_ks(a, 50, a, 50, &p);
	assert_true(d == 0);
	assert_true(p == 1);
	assert_true(pp_drift_psi(a, 50, a, 50) == 0);
	free(a);
}

static const struct {
	double n, x, sf;
} sf_rows[] = {
	{ 100, 0.05, 0.9532159710635725 },
	{ 100, 0.1, 0.2526927570063874 },
	{ 100, 0.2, 0.0005551927327988775 },
	{ 1000, 0.01, 0.9999496745370611 },
	{ 1000, 0.03, 0.3226902143914636 },
	{ 1000, 0.05, 0.013012074781090332 },
	{ 2400, 0.02, 0.2884577664335949 },
	{ 2400, 0.04, 0.0008978091313231966 },
	{ 5000, 0.01, 0.6954557253913853 },
	{ 5000, 0.03, 0.00024159234422666817 },
	{ 20000, 0.005, 0.6974088406327613 },
	{ 20000, 0.012, 0.006251252284121751 },
	{ 50, 0.3, 0.00017353260202718738 },
	{ 10, 0.6, 0.0005681672000000003 },
	{ 10, 0.08, 0.9999978058034054 },
};

static void
test_kstwo_sf(void **state)
{
	char row[64];
	size_t i;

	(void)state;
	for (i = 0; i < PP_ARRAY_SIZE(sf_rows); i++) {
		snprintf(row, sizeof(row), "n=%g x=%g", sf_rows[i].n,
		    sf_rows[i].x);
		/* The stated tolerance: Pelz-Good for the Durbin matrix. */
		close_to(row, "sf", pp_drift_kstwo_sf(sf_rows[i].n,
		    sf_rows[i].x), sf_rows[i].sf, 1e-10, sf_rows[i].n < 1000 ?
		    5e-6 : 1e-8);
	}
	assert_true(pp_drift_kstwo_sf(10, 0) == 1);
	assert_true(pp_drift_kstwo_sf(10, 1) == 0);
}

static void
test_score(void **state)
{
	struct pp_drift d = PP_DRIFT_INIT;
	struct pp_scores sc = PP_SCORES_INIT;
	unsigned char flag[2];
	static const char *names[] = { "ks_statistic", "ks_pvalue", "psi",
	    "mean_shift", "std_shift", "missing_share" };
	size_t i;

	(void)state;
	d.n = 2;
	d.v = pp_xcalloc(2, sizeof(*d.v));
	for (i = 0; i < 2; i++) {
		d.v[i].name = pp_xstrdup(i ? "moved" : "still");
		d.v[i].ref = gen(300, 7919, 1009, 1, 0);
		d.v[i].nref = 300;
		d.v[i].cur = gen(200, 104729, 1013, 1, i ? 0.5 : 0);
		d.v[i].ncur = 200;
		d.v[i].cur_rows = 250;
		d.v[i].cur_missing = 50;
	}
	assert_int_equal(pp_drift_score(&d, 0.2, 0.05, &sc, flag), 1);
	assert_int_equal(flag[0], 0);
	assert_int_equal(flag[1], 1);
	assert_int_equal(sc.n, 12);
	assert_string_equal(sc.group_key, "column");
	for (i = 0; i < 12; i++) {
		assert_string_equal(sc.v[i].group, i < 6 ? "still" : "moved");
		assert_string_equal(sc.v[i].name, names[i % 6]);
	}
	close_to("moved", "missing_share", sc.v[11].value, 0.2, 0, 0);
	close_to("moved", "mean_shift", sc.v[9].value, 0.5 + (sc.v[3].value),
	    1e-12, 1e-12);
	pp_scores_release(&sc);
	pp_drift_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ks_psi),
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_kstwo_sf),
		cmocka_unit_test(test_score),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
