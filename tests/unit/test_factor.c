/*
 * test_factor.c - information coefficients and quantile returns
 * (lib/factor.c).
 *
 * Plan: the fixture panel (panel_fixture.h) with 2 and 3 quantiles: the
 * date with one symbol is skipped and counted; n_dates, ic_mean, ic_std,
 * ic_ir, ic_t, ic_pearson_mean, q1..qQ and spread against pandas/scipy
 * (spearmanr, pearsonr, ties by symbol) to 1e-12 relative; the per-date
 * results; several return columns grouped by their labels; no date with 3
 * symbols is an error.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "factor.h"
#include "panel_fixture.h"
#include "banned.h"

static void
close_to(const char *what, double got, double want)
{
	if (isnan(got) || fabs(got - want) > 1e-12 * fabs(want) + 1e-300)
		fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static const struct {
	long q;
	double ic[6];		/* n_dates, mean, std, ir, t, pearson mean */
	double qm[3];
	double spread;
} rows[] = {
	{ 2, { 7.0, -0.014285714285714266, 0.6644009116704849, -0.021501647626876504, -0.05688801239885736, -0.12022333502646096 }, { 0.0064071428571428595, -0.003435714285714285 }, -0.009842857142857145 },
	{ 3, { 7.0, -0.014285714285714266, 0.6644009116704849, -0.021501647626876504, -0.05688801239885736, -0.12022333502646096 }, { -0.003457142857142856, 0.008585714285714285, -9.285714285714303e-05 }, 0.003364285714285713 },
};

static void
test_factor(void **state)
{
	static const char *const ic_names[] = { "n_dates", "ic_mean", "ic_std",
		"ic_ir", "ic_t", "ic_pearson_mean" };
	struct pp_panel p;
	size_t i, k;

	(void)state;
	fixture_panel(&p);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_scores sc = PP_SCORES_INIT;
		struct pp_factor_dates dd = PP_FACTOR_DATES_INIT;
		struct pp_err err = PP_ERR_INIT;

		assert_int_equal(pp_factor(&p, rows[i].q, "ret", NULL, &sc, &dd,
		    &err), 0);
		assert_int_equal(sc.n, 6 + (size_t)rows[i].q + 1);
		assert_int_equal(sc.skipped, 1);
		assert_null(sc.group_key);
		for (k = 0; k < 6; k++) {
			assert_string_equal(sc.v[k].name, ic_names[k]);
			close_to(ic_names[k], sc.v[k].value, rows[i].ic[k]);
		}
		for (k = 0; k < (size_t)rows[i].q; k++) {
			char nm[32];

			snprintf(nm, sizeof(nm), "q%zu", k + 1);
			assert_string_equal(sc.v[6 + k].name, nm);
			close_to(nm, sc.v[6 + k].value, rows[i].qm[k]);
		}
		assert_string_equal(sc.v[sc.n - 1].name, "spread");
		close_to("spread", sc.v[sc.n - 1].value, rows[i].spread);
		assert_int_equal(dd.n, 7);
		assert_int_equal(dd.date[2], 3);
		pp_factor_dates_release(&dd);
		pp_scores_release(&sc);
	}
	pp_panel_release(&p);
}

/* Two return columns: the same scores twice, grouped by label. */
static void
test_horizons(void **state)
{
	static const char *const labels[] = { "1", "5" };
	struct pp_panel p;
	struct pp_scores sc = PP_SCORES_INIT;
	struct pp_err err = PP_ERR_INIT;
	double *ret;
	size_t i;

	(void)state;
	fixture_panel(&p);
	ret = pp_xcalloc(2 * p.n, sizeof(double));
	for (i = 0; i < p.n; i++)
		ret[2 * i] = ret[2 * i + 1] = p.ret[i];
	free(p.ret);
	p.ret = ret;
	p.nret = 2;
	assert_int_equal(pp_factor(&p, 2, "horizon", labels, &sc, NULL, &err),
	    0);
	assert_string_equal(sc.group_key, "horizon");
	assert_int_equal(sc.n, 18);
	assert_string_equal(sc.v[0].group, "1");
	assert_string_equal(sc.v[9].group, "5");
	assert_true(sc.v[1].value == sc.v[10].value);
	close_to("ic_mean", sc.v[10].value, rows[0].ic[1]);
	pp_scores_release(&sc);
	pp_panel_release(&p);
}

static void
test_too_few(void **state)
{
	struct pp_panel p;
	struct pp_scores sc = PP_SCORES_INIT;
	struct pp_err err = PP_ERR_INIT;
	size_t i;

	(void)state;
	fixture_panel(&p);
	for (i = 0; i < p.n; i++)
		if (p.sym[i] > 0)
			p.pred[i] = NAN;
	assert_int_equal(pp_factor(&p, 5, "ret", NULL, &sc, NULL, &err), -1);
	assert_string_equal(err.msg, "no date has 3 symbols with both a "
	    "prediction and a return");
	pp_scores_release(&sc);
	pp_panel_release(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_factor),
		cmocka_unit_test(test_horizons),
		cmocka_unit_test(test_too_few),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
