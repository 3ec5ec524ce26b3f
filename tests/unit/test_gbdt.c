/*
 * test_gbdt.c - gradient-boosted trees through XGBoost (lib/gbdt.c) and
 * their artifact (lib/model.c, format version 3).
 *
 * Plan:
 *  - fit: a step function of one feature is learned (training rmse far
 *    below the target's spread), the noise feature gets no gain.
 *  - determinism: the same rows, parameters, seed and threads give
 *    byte-identical models, with row and feature sampling on; another seed
 *    gives other bytes (so the seed reaches XGBoost).
 *  - save/load: predictions of the loaded booster equal the fitted one's;
 *    a model of 2 features loaded as 3 is refused; garbage bytes are an
 *    error with XGBoost's message, not a crash.
 *  - errors: an unknown objective and a bad parameter value fail with
 *    "xgboost: ..." and no booster.
 *  - contributions: each row's SHAP values sum to its margin.
 *  - early stopping: on pure noise the best round is early, the model
 *    keeps best + 1 rounds, and without a validation set all rounds.
 *  - artifact: a gbdt model encodes as version 3, decodes to the same
 *    predictions (block and row, class and probability), a missing
 *    feature predicts NaN; a linear model still encodes as version 2;
 *    trees XGBoost refuses are a corrupt body.
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

#include "gbdt.h"
#include "model.h"
#include "util.h"

#define N 400

/* A deterministic generator, so every run fits the same rows. */
static double
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(*s >> 11) / 9007199254740992.0;
}

/* Rows of 2 features: y = 3 when x0 > 0.5 else -1 (plus noise), x1
 * noise; binary labels: 1 when x0 > 0.5. */
static void
make_rows(float *X, float *y, float *cls, size_t n)
{
	uint64_t s = 42;
	size_t i;

	for (i = 0; i < n; i++) {
		X[2 * i] = (float)lcg(&s);
		X[2 * i + 1] = (float)lcg(&s);
		y[i] = (float)((X[2 * i] > 0.5f ? 3 : -1) + 0.1 * lcg(&s));
		cls[i] = X[2 * i] > 0.5f ? 1.0f : 0.0f;
	}
}

static struct pp_gbdt *
fit(const struct pp_gbdt_params *gp, const char *obj, const float *X,
    const float *y, size_t n, long *best)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_gbdt *g = pp_gbdt_fit(gp, obj, X, y, n, 2, NULL, NULL, 0,
	    best, &err);

	if (g == NULL)
		fail_msg("fit: %s", err.msg);
	return g;
}

static void
test_fit(void **state)
{
	struct pp_gbdt_params gp = PP_GBDT_PARAMS_INIT;
	struct pp_err err = PP_ERR_INIT;
	float X[2 * N], y[N], c[N];
	double pred[N], gain[2], cover[2], weight[2], sse = 0;
	struct pp_gbdt *g;
	long best;
	size_t i;

	(void)state;
	make_rows(X, y, c, N);
	gp.n_estimators = 100;
	gp.learning_rate = 0.3;
	gp.threads = 1;
	g = fit(&gp, "reg:squarederror", X, y, N, &best);
	assert_int_equal(best, 99);
	assert_int_equal(pp_gbdt_rounds(g), 100);
	assert_int_equal(pp_gbdt_predict(g, X, N, 2, 0, pred, &err), 0);
	for (i = 0; i < N; i++)
		sse += (pred[i] - y[i]) * (pred[i] - y[i]);
	assert_true(sqrt(sse / N) < 0.1);	/* the spread is 2 */
	assert_int_equal(pp_gbdt_importance(g, 2, gain, cover, weight, &err),
	    0);
	assert_true(gain[0] > 100 * gain[1]);
	assert_true(weight[0] >= 1);
	pp_gbdt_free(g);
}

static void
test_deterministic(void **state)
{
	struct pp_gbdt_params gp = PP_GBDT_PARAMS_INIT;
	struct pp_buf a = PP_BUF_INIT, b = PP_BUF_INIT, c = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	float X[2 * N], y[N], cl[N];
	struct pp_gbdt *g;
	long best;

	(void)state;
	make_rows(X, y, cl, N);
	gp.n_estimators = 30;
	gp.subsample = 0.7;
	gp.colsample_bytree = 0.5;
	gp.threads = 2;
	gp.seed = 7;
	g = fit(&gp, "reg:squarederror", X, y, N, &best);
	assert_int_equal(pp_gbdt_save(g, &a, &err), 0);
	pp_gbdt_free(g);
	g = fit(&gp, "reg:squarederror", X, y, N, &best);
	assert_int_equal(pp_gbdt_save(g, &b, &err), 0);
	pp_gbdt_free(g);
	gp.seed = 8;
	g = fit(&gp, "reg:squarederror", X, y, N, &best);
	assert_int_equal(pp_gbdt_save(g, &c, &err), 0);
	pp_gbdt_free(g);
	assert_true(a.len > 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_true(a.len != c.len || memcmp(a.data, c.data, a.len) != 0);
	pp_buf_release(&a);
	pp_buf_release(&b);
	pp_buf_release(&c);
}

static void
test_save_load(void **state)
{
	struct pp_gbdt_params gp = PP_GBDT_PARAMS_INIT;
	struct pp_buf b = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	float X[2 * N], y[N], cl[N];
	double p1[N], p2[N];
	struct pp_gbdt *g, *h;
	long best;

	(void)state;
	make_rows(X, y, cl, N);
	gp.n_estimators = 20;
	g = fit(&gp, "binary:logistic", X, cl, N, &best);
	assert_int_equal(pp_gbdt_save(g, &b, &err), 0);
	h = pp_gbdt_load(b.data, b.len, 2, &err);
	assert_non_null(h);
	assert_int_equal(pp_gbdt_predict(g, X, N, 2, 0, p1, &err), 0);
	assert_int_equal(pp_gbdt_predict(h, X, N, 2, 0, p2, &err), 0);
	assert_memory_equal(p1, p2, sizeof(p1));
	assert_true(p1[0] > 0 && p1[0] < 1);
	pp_gbdt_free(h);
	assert_null(pp_gbdt_load(b.data, b.len, 3, &err));
	assert_string_equal(err.msg, "xgboost model takes 2 features, not 3");
	pp_err_clear(&err);
	assert_null(pp_gbdt_load("{not a model", 12, 2, &err));
	assert_non_null(strstr(err.msg, "xgboost: loading the model: "));
	pp_gbdt_free(g);
	pp_buf_release(&b);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *obj;
		double eta;
		const char *msg;
	} rows[] = {
		{ "reg:nosuch", 0.1, "xgboost: boosting: Unknown objective" },
		{ "reg:squarederror", -1, "xgboost: boosting: " },
	};
	struct pp_gbdt_params gp = PP_GBDT_PARAMS_INIT;
	float X[2 * N], y[N], cl[N];
	long best;
	size_t i;

	(void)state;
	make_rows(X, y, cl, N);
	gp.n_estimators = 2;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_err err = PP_ERR_INIT;

		gp.learning_rate = rows[i].eta;
		assert_null(pp_gbdt_fit(&gp, rows[i].obj, X, y, N, 2, NULL,
		    NULL, 0, &best, &err));
		assert_int_equal(err.code, PP_EXIT_DATA);
		if (strstr(err.msg, rows[i].msg) != err.msg)
			fail_msg("row %zu: %s", i, err.msg);
		assert_null(strchr(err.msg, '\n'));
	}
}

static void
test_contribs(void **state)
{
	struct pp_gbdt_params gp = PP_GBDT_PARAMS_INIT;
	struct pp_err err = PP_ERR_INIT;
	float X[2 * N], y[N], cl[N];
	double margin[N], con[3 * N];
	struct pp_gbdt *g;
	long best;
	size_t i;

	(void)state;
	make_rows(X, y, cl, N);
	gp.n_estimators = 40;
	g = fit(&gp, "binary:logistic", X, cl, N, &best);
	assert_int_equal(pp_gbdt_predict(g, X, N, 2, 1, margin, &err), 0);
	assert_int_equal(pp_gbdt_contribs(g, X, N, 2, con, &err), 0);
	for (i = 0; i < N; i++)
		assert_true(fabs(con[3 * i] + con[3 * i + 1] + con[3 * i + 2] -
		    margin[i]) < 1e-4);
	pp_gbdt_free(g);
}

static void
test_early_stopping(void **state)
{
	struct pp_gbdt_params gp = PP_GBDT_PARAMS_INIT;
	struct pp_err err = PP_ERR_INIT;
	float X[2 * N], y[N], cl[N], noise[N];
	struct pp_gbdt *g;
	uint64_t s = 9;
	long best = -1;
	size_t i;

	(void)state;
	make_rows(X, y, cl, N);
	for (i = 0; i < N; i++)
		noise[i] = (float)lcg(&s);
	gp.n_estimators = 200;
	gp.learning_rate = 0.3;
	gp.early_stopping = 5;
	g = pp_gbdt_fit(&gp, "reg:squarederror", X, noise, 300, 2, X + 600,
	    noise + 300, 100, &best, &err);
	assert_non_null(g);
	assert_true(best >= 0 && best < 50);
	assert_int_equal(pp_gbdt_rounds(g), best + 1);
	pp_gbdt_free(g);
}

/* A gbdt model of features a, b through the artifact and back. */
static void
test_artifact(void **state)
{
	const char *names[] = { "a", "b" };
	struct pp_gbdt_params gp = PP_GBDT_PARAMS_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_buf b = PP_BUF_INIT, lin = PP_BUF_INIT;
	float X[2 * N], y[N], cl[N];
	double x[2 * N], p1[N], p2[N], row[2];
	struct pp_model *m, *d, *l;
	struct pp_gbdt *g;
	long best;
	size_t i;

	(void)state;
	make_rows(X, y, cl, N);
	for (i = 0; i < 2 * N; i++)
		x[i] = X[i];
	gp.n_estimators = 20;
	g = fit(&gp, "binary:logistic", X, cl, N, &best);
	m = pp_model_new(PP_MODEL_GBDT, "cls", 2, names);
	m->target_kind = PP_TARGET_BINARY;
	m->objective = pp_xstrdup("binary:logistic");
	m->gbdt = g;
	assert_int_equal(pp_gbdt_save(g, &b, &err), 0);
	m->xgb_len = b.len;
	m->xgb = (unsigned char *)pp_buf_detach(&b, NULL);
	pp_model_encode(m, &b);
	assert_int_equal(b.data[8], 3);
	d = pp_model_decode(b.data, b.len, "m", &err);
	assert_non_null(d);
	assert_int_equal(d->kind, PP_MODEL_GBDT);
	assert_string_equal(d->objective, "binary:logistic");
	assert_true(pp_model_has_proba(d));
	pp_model_predict_block(m, x, N, 1, p1);
	pp_model_predict_block(d, x, N, 1, p2);
	assert_memory_equal(p1, p2, sizeof(p1));
	assert_true(pp_model_predict(d, x, 1) == p1[0]);
	assert_true(pp_model_predict(d, x, 0) == (p1[0] > 0.5 ? 1 : 0));
	row[0] = NAN;
	row[1] = 0.5;
	assert_true(isnan(pp_model_predict(d, row, 1)));
	/* Damage the trees, fix the CRC: XGBoost refuses, we report. */
	pp_model_free(d);
	memset(m->xgb, 'x', m->xgb_len);
	pp_buf_reset(&b);
	pp_model_encode(m, &b);
	assert_null(pp_model_decode(b.data, b.len, "m", &err));
	assert_non_null(strstr(err.msg, "m: corrupt body: xgboost: "));
	l = pp_model_new(PP_MODEL_RIDGE, "y", 2, names);
	pp_model_encode(l, &lin);
	assert_int_equal(lin.data[8], 2);
	pp_model_free(l);
	pp_model_free(m);
	pp_buf_release(&b);
	pp_buf_release(&lin);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_contribs),
		cmocka_unit_test(test_early_stopping),
		cmocka_unit_test(test_artifact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
