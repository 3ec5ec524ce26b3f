/*
 * test_metrics.c - the metric definitions (lib/metrics.c).
 *
 * Plan: data-driven tables of {target, prediction, expected scores}, the
 * expected values computed by sklearn 1.2.1 and scipy 1.10.1
 * (sklearn.metrics mean_squared_error, mean_absolute_error, r2_score,
 * accuracy/precision/recall/f1 with zero_division=0, roc_auc_score,
 * log_loss with eps=2.220446049250313e-16, brier_score_loss,
 * confusion_matrix; scipy.stats pearsonr and spearmanr), agreeing to
 * 1e-12 relative.  Edge rows: ties (average ranks, AUC ties 1/2), a
 * constant target (r2 1 or 0, correlations undefined), a constant
 * prediction, zeros in directional accuracy, values near 1e8 (the
 * running moments must not cancel), one row, predictions of exactly 0
 * and 1 (log loss clip), all predictions negative (0/0 precision is 0),
 * one class (AUC undefined), the strict threshold, and no rows at all.
 * Then the shared formulas (rmse, r2) and the auto-detection of a 0/1
 * target and [0, 1] predictions.  Large inputs take the radix sort: 6,000
 * pairs with many ties, both signs, -0 and 0, ranked against ranks
 * computed here with qsort and binary searches; and the AUC of the same
 * against a direct count over every positive-negative pair.
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

#include "metrics.h"
#include "testutil.h"
#include "banned.h"

#define MAXN 16

/* want is NAN: got must be NaN; else equal to 1e-12 relative (1e-300
 * absolute at 0). */
static void
close_to(const char *row, const char *what, double got, double want)
{
	if (isnan(want)) {
		if (!isnan(got))
			fail_msg("%s: %s: got %.17g, want undefined", row, what,
			    got);
		return;
	}
	if (isnan(got) || fabs(got - want) > 1e-12 * fabs(want) + 1e-300)
		fail_msg("%s: %s: got %.17g, want %.17g", row, what, got,
		    want);
}

static const struct {
	const char *name;
	size_t n;
	double y[MAXN], p[MAXN];
	struct {
		double mse, rmse, mae, r2, pearson, spearman, dir;
	} want;
} reg_rows[] = {
	{ "sklearn doc", 4, { 3.0, -0.5, 2.0, 7.0 }, { 2.5, 0.0, 2.0, 8.0 },
	  { 0.375, 0.6123724356957945, 0.5, 0.9486081370449679, 0.98486961844827, 1.0, 1.0 } },
	{ "ties", 8, { 1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 4.0, 5.0 }, { 2.0, 1.0, 3.0, 3.0, 5.0, 4.0, 4.0, 6.0 },
	  { 0.625, 0.7905694150420949, 0.625, 0.6116504854368932, 0.886796350347864, 0.9256265453136692, 1.0 } },
	{ "price-like", 12, { 0.0123, -0.0041, 0.0007, 0.0211, -0.0153, 0.0032, -0.0008, 0.0101, -0.0099, 0.0045, 0.0188, -0.0027 }, { 0.0051, -0.0012, 0.0019, 0.009, -0.0041, -0.0005, 0.0011, 0.0043, -0.006, 0.0002, 0.007, 0.0008 },
	  { 4.7472499999999997e-05, 0.006890029027515051, 0.005791666666666667, 0.5684544307337431, 0.9463681665410664, 0.8881118881118882, 0.75 } },
	{ "constant y, perfect", 3, { 2.0, 2.0, 2.0 }, { 2.0, 2.0, 2.0 },
	  { 0.0, 0.0, 0.0, 1.0, NAN, NAN, 1.0 } },
	{ "constant y, imperfect", 3, { 2.0, 2.0, 2.0 }, { 1.0, 2.0, 3.0 },
	  { 0.6666666666666666, 0.816496580927726, 0.6666666666666666, 0.0, NAN, NAN, 1.0 } },
	{ "constant prediction", 3, { 1.0, 2.0, 3.0 }, { 2.0, 2.0, 2.0 },
	  { 0.6666666666666666, 0.816496580927726, 0.6666666666666666, 0.0, NAN, NAN, 1.0 } },
	{ "zeros excluded", 5, { 1.0, -1.0, 0.0, 2.0, -3.0 }, { 0.5, 0.5, 1.0, 0.0, -1.0 },
	  { 2.3, 1.51657508881031, 1.4, 0.22297297297297303, 0.5484729361528488, 0.20519567041703082, 0.6666666666666666 } },
	{ "large", 4, { 100000001.0, 100000002.0, 100000004.0, 100000007.0 }, { 100000001.5, 100000002.5, 100000003.0, 100000008.0 },
	  { 0.625, 0.7905694150420949, 0.75, 0.8809523809523809, 0.9553936319574843, 1.0, 1.0 } },
	{ "one row", 1, { 1.0 }, { 2.0 },
	  { 1.0, 1.0, 1.0, NAN, NAN, NAN, 1.0 } },
	{ "no rows", 0, { 0 }, { 0 },
	  { NAN, NAN, NAN, NAN, NAN, NAN, NAN } },
};

static void
test_regression(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(reg_rows) / sizeof(reg_rows[0]); i++) {
		struct pp_metrics m;
		struct pp_regression r;
		const char *nm = reg_rows[i].name;

		pp_metrics_init(&m, 0.5, PP_METRICS_KEEP);
		for (j = 0; j < reg_rows[i].n; j++)
			pp_metrics_add(&m, reg_rows[i].y[j], reg_rows[i].p[j]);
		pp_metrics_regression(&m, &r);
		close_to(nm, "mse", r.mse, reg_rows[i].want.mse);
		close_to(nm, "rmse", r.rmse, reg_rows[i].want.rmse);
		close_to(nm, "mae", r.mae, reg_rows[i].want.mae);
		close_to(nm, "r2", r.r2, reg_rows[i].want.r2);
		close_to(nm, "pearson", r.pearson, reg_rows[i].want.pearson);
		close_to(nm, "spearman", r.spearman, reg_rows[i].want.spearman);
		close_to(nm, "directional_accuracy", r.directional_accuracy,
		    reg_rows[i].want.dir);
		pp_metrics_release(&m);
	}
}

/* Room reserved too small, too large or not at all: the same scores to
 * the bit, and the pairs kept past the room. */
static void
test_reserve(void **state)
{
	const size_t room[] = { 0, 2, 1000 };
	struct pp_regression want, r;
	struct pp_metrics m;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(room) / sizeof(room[0]); i++) {
		pp_metrics_init(&m, 0.5, PP_METRICS_KEEP);
		pp_metrics_reserve(&m, room[i]);
		for (j = 0; j < reg_rows[1].n; j++)
			pp_metrics_add(&m, reg_rows[1].y[j], reg_rows[1].p[j]);
		assert_int_equal(m.n, reg_rows[1].n);
		assert_true(m.cap >= m.n);
		pp_metrics_regression(&m, &r);
		if (i == 0)
			want = r;
		assert_memory_equal(&r, &want, sizeof(r));
		pp_metrics_release(&m);
	}
	pp_metrics_init(&m, 0.5, 0);
	pp_metrics_reserve(&m, 1000);
	assert_null(m.v);
}

/* Without the kept pairs spearman is undefined; the rest is the same. */
static void
test_regression_streaming(void **state)
{
	struct pp_metrics m;
	struct pp_regression r;
	size_t j;

	(void)state;
	pp_metrics_init(&m, 0.5, 0);
	for (j = 0; j < reg_rows[1].n; j++)
		pp_metrics_add(&m, reg_rows[1].y[j], reg_rows[1].p[j]);
	pp_metrics_regression(&m, &r);
	assert_null(m.v);
	close_to("streaming", "r2", r.r2, reg_rows[1].want.r2);
	close_to("streaming", "pearson", r.pearson, reg_rows[1].want.pearson);
	assert_true(isnan(r.spearman));
	pp_metrics_release(&m);
}

static const struct {
	const char *name;
	size_t n;
	double y[MAXN], p[MAXN];
	struct {
		double accuracy, precision, recall, f1, auc, ll, brier;
		size_t tp, fp, tn, fn;
	} want;
} cls_rows[] = {
	{ "sklearn doc", 4, { 0.0, 0.0, 1.0, 1.0 }, { 0.1, 0.4, 0.35, 0.8 },
	  { 0.75, 1.0, 0.5, 0.6666666666666666, 0.75, 0.47228795380917615, 0.15812500000000002, 1, 0, 2, 1 } },
	{ "ties", 6, { 0.0, 1.0, 0.0, 1.0, 1.0, 0.0 }, { 0.5, 0.5, 0.2, 0.9, 0.5, 0.9 },
	  { 0.5, 0.5, 0.3333333333333333, 0.4, 0.6111111111111112, 0.7850884502743196, 0.26833333333333337, 1, 1, 2, 2 } },
	{ "clipped 0 and 1", 4, { 1.0, 0.0, 1.0, 0.0 }, { 0.0, 1.0, 1.0, 0.0 },
	  { 0.5, 0.5, 0.5, 0.5, 0.5, 18.021826694558577, 0.5, 1, 1, 1, 1 } },
	{ "threshold is strict", 5, { 1.0, 0.0, 1.0, 0.0, 1.0 }, { 0.5, 0.5, 0.7, 0.1, 0.6 },
	  { 0.8, 1.0, 0.6666666666666666, 0.8, 0.9166666666666666, 0.471831088896488, 0.15200000000000002, 2, 0, 2, 1 } },
	{ "all negative predictions", 3, { 1.0, 0.0, 1.0 }, { 0.1, 0.2, 0.3 },
	  { 0.3333333333333333, 0.0, 0.0, 0.0, 0.5, 1.2432338162113972, 0.4466666666666667, 0, 0, 1, 2 } },
	{ "one class", 2, { 1.0, 1.0 }, { 0.2, 0.7 },
	  { 0.5, 1.0, 0.5, 0.6666666666666666, NAN, 0.9830564281864164, 0.3650000000000001, 1, 0, 0, 1 } },
};

static void
test_classification(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cls_rows) / sizeof(cls_rows[0]); i++) {
		struct pp_metrics m;
		struct pp_classification c;
		const char *nm = cls_rows[i].name;

		pp_metrics_init(&m, 0.5, PP_METRICS_KEEP);
		for (j = 0; j < cls_rows[i].n; j++)
			pp_metrics_add(&m, cls_rows[i].y[j], cls_rows[i].p[j]);
		assert_true(pp_metrics_is_binary(&m));
		assert_true(pp_metrics_is_unit(&m));
		pp_metrics_classification(&m, &c);
		close_to(nm, "accuracy", c.accuracy, cls_rows[i].want.accuracy);
		close_to(nm, "precision", c.precision,
		    cls_rows[i].want.precision);
		close_to(nm, "recall", c.recall, cls_rows[i].want.recall);
		close_to(nm, "f1", c.f1, cls_rows[i].want.f1);
		close_to(nm, "roc_auc", c.roc_auc, cls_rows[i].want.auc);
		close_to(nm, "log_loss", c.log_loss, cls_rows[i].want.ll);
		close_to(nm, "brier", c.brier, cls_rows[i].want.brier);
		assert_int_equal(c.tp, cls_rows[i].want.tp);
		assert_int_equal(c.fp, cls_rows[i].want.fp);
		assert_int_equal(c.tn, cls_rows[i].want.tn);
		assert_int_equal(c.fn, cls_rows[i].want.fn);
		pp_metrics_release(&m);
	}
}

/* A target that is not 0/1 leaves every classification score undefined;
 * predictions outside [0, 1] are seen. */
static void
test_detection(void **state)
{
	struct pp_metrics m;
	struct pp_classification c;

	(void)state;
	pp_metrics_init(&m, 0.5, 0);
	assert_false(pp_metrics_is_binary(&m));
	assert_false(pp_metrics_is_unit(&m));
	pp_metrics_add(&m, 1, 0.2);
	pp_metrics_add(&m, 0, 1.5);
	assert_true(pp_metrics_is_binary(&m));
	assert_false(pp_metrics_is_unit(&m));
	pp_metrics_add(&m, 2, 0.5);
	assert_false(pp_metrics_is_binary(&m));
	pp_metrics_classification(&m, &c);
	assert_true(isnan(c.accuracy) && isnan(c.log_loss) && isnan(c.f1));
	pp_metrics_release(&m);
}

static const struct {
	double sse, sst, n, r2, rmse;
} formula_rows[] = {
	{ 1.5, 10, 4, 0.85, 0.6123724356957945 },
	{ 0, 0, 3, 1, 0 },		/* constant target, perfect */
	{ 2, 0, 3, 0, 0.816496580927726 }, /* constant target, not */
	{ 20, 10, 5, -1, 2 },		/* worse than the mean */
	{ 1, 1, 0, 0, NAN },		/* no rows */
	{ NAN, 1, 2, NAN, NAN },
};

static void
test_formulas(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(formula_rows) / sizeof(formula_rows[0]); i++) {
		close_to("formula", "r2", pp_metrics_r2(formula_rows[i].sse,
		    formula_rows[i].sst), formula_rows[i].r2);
		close_to("formula", "rmse", pp_metrics_rmse(formula_rows[i].sse,
		    formula_rows[i].n), formula_rows[i].rmse);
	}
	close_to("logloss1", "p=0,y=1", pp_metrics_logloss1(1, 0),
	    -log(PP_LOGLOSS_EPS));
	close_to("logloss1", "p=1,y=1", pp_metrics_logloss1(1, 1),
	    -log(1 - PP_LOGLOSS_EPS));
	close_to("logloss1", "p=0.25,y=0", pp_metrics_logloss1(0, 0.25),
	    -log(0.75));
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The average rank of x among the sorted s[0..n) (binary searches). */
static double
avg_rank(const double *s, size_t n, double x)
{
	size_t lo = 0, hi = n, a, b;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	a = lo;
	hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	b = lo;
	return ((double)a + 1 + (double)b) / 2;
}

#define BIG 6000

static void
test_large(void **state)
{
	static struct pp_pair v[BIG], w[BIG];
	static double sy[BIG], sp[BIG];
	struct pp_pair ranks[BIG];
	uint64_t r = 12345;
	double npos = 0, nneg = 0, u = 0, auc;
	size_t i, j;

	(void)state;
	for (i = 0; i < BIG; i++) {
		/* Few distinct values: many ties; both signs and -0. */
		long a = (long)(rnd(&r) % 201) - 100;
		long b = (long)(rnd(&r) % 1000) - 500;

		v[i].y = a == 0 && (rnd(&r) & 1) ? -0.0 : a * 1e-3;
		v[i].p = b * 0.37 + (a > 0 ? 50 : 0);
		sy[i] = v[i].y;
		sp[i] = v[i].p;
	}
	qsort(sy, BIG, sizeof(double), cmp_dbl);
	qsort(sp, BIG, sizeof(double), cmp_dbl);
	for (i = 0; i < BIG; i++) {
		ranks[i].y = avg_rank(sy, BIG, v[i].y);
		ranks[i].p = avg_rank(sp, BIG, v[i].p);
	}
	memcpy(w, v, sizeof(w));
	close_to("large", "spearman", pp_metrics_spearman(w, BIG),
	    pp_metrics_pearson(ranks, BIG));
	/* AUC with y > 0 as the positive class, counted pair by pair. */
	memcpy(w, v, sizeof(w));
	for (i = 0; i < BIG; i++)
		w[i].y = v[i].y > 0;
	for (i = 0; i < BIG; i++) {
		if (w[i].y == 1)
			npos++;
		else
			nneg++;
	}
	for (i = 0; i < BIG; i++) {
		double below = 0, tie = 0;

		if (w[i].y != 1)
			continue;
		for (j = 0; j < BIG; j++) {
			if (w[j].y == 1)
				continue;
			below += w[j].p < w[i].p;
			tie += w[j].p == w[i].p;
		}
		u += below + tie / 2;
	}
	auc = pp_metrics_roc_auc(w, BIG);
	close_to("large", "roc_auc", auc, u / (npos * nneg));
	for (i = 1; i < BIG; i++)
		assert_true(w[i - 1].p <= w[i].p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regression),
		cmocka_unit_test(test_regression_streaming),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_classification),
		cmocka_unit_test(test_detection),
		cmocka_unit_test(test_formulas),
		cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
