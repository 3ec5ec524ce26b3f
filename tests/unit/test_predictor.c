/*
 * test_predictor.c - models bound to schemas (lib/predictor.c).
 *
 * Plan:
 *  - missing rule: NaN, +inf, -inf are missing; -0, subnormals, 1e308 and
 *    the largest double are not.
 *  - bind: features found by name in any column order with extra columns;
 *    one missing feature, several (all named), more than eight (counted);
 *    a text feature named; int64 columns accepted; rebinding works.
 *  - row: a table of rows (finite, NaN, +/-inf, missing int64) predicted
 *    as pp_model_predict on the gathered values; strict names the first
 *    missing feature; logistic class and probability.
 *  - block and values agree with row prediction, row by row.
 *  - init: --proba on a regression is a usage error.
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

#include "predictor.h"
#include "testutil.h"

static void
test_missing(void **state)
{
	static const struct {
		double v;
		int missing;
	} rows[] = {
		{ NAN, 1 }, { -NAN, 1 }, { INFINITY, 1 }, { -INFINITY, 1 },
		{ 0.0, 0 }, { -0.0, 0 }, { 4.9e-324, 0 }, { 1e308, 0 },
		{ 1.7976931348623157e308, 0 }, { -1.7976931348623157e308, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(pp_predictor_missing(rows[i].v),
		    rows[i].missing);
}

static struct pp_model *
model(enum pp_model_kind kind)
{
	static const char *const names[] = { "b", "a" };
	struct pp_model *m = pp_model_new(kind, "y", 2, names);

	m->intercept = 0.5;
	m->coef[0] = 2;		/* b */
	m->coef[1] = -1;	/* a */
	m->mean[1] = 1;
	m->scale[1] = 4;
	return m;
}

static void
test_bind(void **state)
{
	struct pp_model *m = model(PP_MODEL_OLS);
	struct pp_predictor p = PP_PREDICTOR_INIT;
	struct pp_schema s = PP_SCHEMA_INIT;
	struct pp_err err = PP_ERR_INIT;

	(void)state;
	assert_int_equal(pp_predictor_init(&p, m, 0, &err), 0);
	pp_schema_add(&s, "symbol", PP_T_TEXT, &err);
	assert_int_equal(pp_predictor_bind(&p, &s, &err), -1);
	assert_string_equal(err.msg, "missing features \"b\", \"a\"");
	assert_int_equal(err.code, PP_EXIT_DATA);
	assert_int_equal(p.bound, 0);
	pp_err_clear(&err);
	pp_schema_add(&s, "a", PP_T_F64, &err);
	assert_int_equal(pp_predictor_bind(&p, &s, &err), -1);
	assert_string_equal(err.msg, "missing feature \"b\"");
	pp_err_clear(&err);
	pp_schema_add(&s, "x", PP_T_F64, &err);
	pp_schema_add(&s, "b", PP_T_I64, &err);
	assert_int_equal(pp_predictor_bind(&p, &s, &err), 0);
	assert_int_equal(p.bound, 1);
	assert_int_equal(p.col[0], 3);
	assert_int_equal(p.col[1], 1);
	pp_schema_release(&s);

	pp_schema_add(&s, "a", PP_T_F64, &err);
	pp_schema_add(&s, "b", PP_T_TEXT, &err);
	assert_int_equal(pp_predictor_bind(&p, &s, &err), -1);
	assert_string_equal(err.msg, "feature \"b\" is text, not a number");
	assert_int_equal(p.bound, 0);
	pp_err_clear(&err);
	pp_schema_release(&s);
	pp_predictor_release(&p);
	pp_model_free(m);
}

static void
test_bind_many_missing(void **state)
{
	static const char *const names[] = { "f0", "f1", "f2", "f3", "f4",
		"f5", "f6", "f7", "f8", "f9", "f10" };
	struct pp_model *m = pp_model_new(PP_MODEL_RIDGE, "y", 11, names);
	struct pp_predictor p = PP_PREDICTOR_INIT;
	struct pp_schema s = PP_SCHEMA_INIT;
	struct pp_err err = PP_ERR_INIT;

	(void)state;
	assert_int_equal(pp_predictor_init(&p, m, 0, &err), 0);
	pp_schema_add(&s, "f3", PP_T_F64, &err);
	assert_int_equal(pp_predictor_bind(&p, &s, &err), -1);
	assert_string_equal(err.msg, "missing features \"f0\", \"f1\", "
	    "\"f2\", \"f4\", \"f5\", \"f6\", \"f7\", \"f8\" and 2 more");
	pp_schema_release(&s);
	pp_predictor_release(&p);
	pp_model_free(m);
}

static void
test_row(void **state)
{
	static const struct {
		double a;
		int64_t b;
		double eta;
	} rows[] = {
		{ 1, 0, 0.5 },
		{ 5, 1, 0.5 + 2 - 1 },
		{ -3, -2, 0.5 - 4 + 1 },
		{ 1e308, 0, -2.5e307 + 0.5 },
		{ NAN, 1, NAN },
		{ INFINITY, 1, NAN },
		{ -INFINITY, 1, NAN },
		{ 1, PP_I64_MISSING, NAN },
	};
	struct pp_model *m = model(PP_MODEL_OLS);
	struct pp_predictor p = PP_PREDICTOR_INIT;
	struct pp_schema s = PP_SCHEMA_INIT;
	struct pp_err err = PP_ERR_INIT;
	union pp_cell row[3];
	double y, x[2];
	size_t i;

	(void)state;
	pp_schema_add(&s, "a", PP_T_F64, &err);
	pp_schema_add(&s, "sym", PP_T_TEXT, &err);
	pp_schema_add(&s, "b", PP_T_I64, &err);
	assert_int_equal(pp_predictor_init(&p, m, 0, &err), 0);
	assert_int_equal(pp_predictor_bind(&p, &s, &err), 0);
	row[1].s.p = "A";
	row[1].s.len = 1;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		row[0].f = rows[i].a;
		row[2].i = rows[i].b;
		assert_int_equal(pp_predictor_row(&p, row, 0, &y, &err), 0);
		x[0] = rows[i].b == PP_I64_MISSING ? NAN : (double)rows[i].b;
		x[1] = rows[i].a;
		if (isnan(rows[i].eta)) {
			assert_true(isnan(y));
			assert_true(isnan(pp_predictor_values(&p, x)));
			assert_int_equal(pp_predictor_row(&p, row, 1, &y, &err),
			    -1);
			assert_string_equal(err.msg, rows[i].b ==
			    PP_I64_MISSING ? "feature \"b\": missing value" :
			    "feature \"a\": missing value");
			pp_err_clear(&err);
			continue;
		}
		assert_true(fabs(y - rows[i].eta) <= 1e-12 * fabs(rows[i].eta));
		assert_true(bits_of(y) == bits_of(pp_predictor_values(&p, x)));
		assert_int_equal(pp_predictor_row(&p, row, 1, &y, &err), 0);
	}
	pp_schema_release(&s);
	pp_predictor_release(&p);
	pp_model_free(m);
}

static void
test_logistic(void **state)
{
	struct pp_model *m = model(PP_MODEL_LOGISTIC);
	struct pp_predictor cls = PP_PREDICTOR_INIT, pr = PP_PREDICTOR_INIT;
	struct pp_err err = PP_ERR_INIT;
	double x[2] = { 1, 1 }, inf[2] = { INFINITY, 0 }, ninf[2] = { 0,
		-INFINITY };

	(void)state;
	assert_int_equal(pp_predictor_init(&cls, m, 0, &err), 0);
	assert_int_equal(pp_predictor_init(&pr, m, 1, &err), 0);
	/* eta = 0.5 + 2 = 2.5 */
	assert_true(pp_predictor_values(&cls, x) == 1);
	assert_true(fabs(pp_predictor_values(&pr, x) - 1 / (1 + exp(-2.5)))
	    <= 1e-15);
	assert_true(isnan(pp_predictor_values(&cls, inf)));
	assert_true(isnan(pp_predictor_values(&pr, inf)));
	assert_true(isnan(pp_predictor_values(&cls, ninf)));
	pp_predictor_release(&cls);
	pp_predictor_release(&pr);
	pp_model_free(m);
}

static void
test_block(void **state)
{
	struct pp_model *m = model(PP_MODEL_RIDGE);
	struct pp_predictor p = PP_PREDICTOR_INIT;
	struct pp_err err = PP_ERR_INIT;
	double x[2 * 64], out[64];
	uint64_t seed = 42;
	size_t i;

	(void)state;
	assert_int_equal(pp_predictor_init(&p, m, 0, &err), 0);
	for (i = 0; i < 2 * 64; i++)
		x[i] = (double)(int64_t)(rnd(&seed) % 2001) / 7 - 100;
	x[7] = INFINITY;
	x[20] = NAN;
	pp_predictor_block(&p, x, 64, out);
	for (i = 0; i < 64; i++) {
		double want = pp_predictor_values(&p, x + 2 * i);

		if (i == 3 || i == 10)
			assert_true(isnan(out[i]) && isnan(want));
		else
			assert_true(bits_of(out[i]) == bits_of(want));
	}
	pp_predictor_block(&p, x, 0, out);
	pp_predictor_release(&p);
	pp_model_free(m);
}

static void
test_init(void **state)
{
	struct pp_model *m = model(PP_MODEL_RIDGE);
	struct pp_predictor p = PP_PREDICTOR_INIT;
	struct pp_err err = PP_ERR_INIT;

	(void)state;
	assert_int_equal(pp_predictor_init(&p, m, 1, &err), -1);
	assert_int_equal(err.code, PP_EXIT_USAGE);
	assert_string_equal(err.msg, "--proba: a ridge model has no "
	    "probabilities");
	pp_predictor_release(&p);
	pp_predictor_release(&p);
	pp_model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_bind_many_missing),
		cmocka_unit_test(test_row),
		cmocka_unit_test(test_logistic),
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
