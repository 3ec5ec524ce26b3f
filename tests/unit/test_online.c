/*
 * test_online.c - predictions from raw bars, a symbol at a time
 * (lib/online.c).
 *
 * Plan:
 *  - a model y = r (one feature r=logret(close,1), coefficient 1): the
 *    first bar is warm-up (NaN, *warm 1), every later one predicts
 *    log(close/previous close) exactly as the formula gives it.
 *  - snapshot: a copy fed the same bars as the original gives the same
 *    bits; feeding the copy leaves the original where it was.
 *  - a refused bar (date not after the previous one; a text close that
 *    is not a number) fails with the message and changes nothing.
 *  - book: interleaved symbols keep apart, a dropped symbol starts a new
 *    warm-up, drop of an unknown symbol is -1.
 *  - feed_all: a list is fed whole or not at all: a refused bar or a
 *    new symbol past the limit leaves every symbol (old ones restored,
 *    new ones gone) as before, and says which bar.
 *  - new: no spec, an unknown function in the spec, bars without the
 *    column the spec reads, --proba on a regression, a spec with a
 *    cross-sectional function (a bar alone cannot have one).
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

#include "frame.h"
#include "model.h"
#include "online.h"
#include "util.h"
#include "banned.h"

static struct pp_model *
model_r(const char *spec)
{
	const char *names[] = { "r" };
	struct pp_model *m = pp_model_new(PP_MODEL_OLS, "y", 1, names);

	m->coef[0] = 1;
	m->spec = pp_xstrdup(spec);
	m->warmup = 1;
	return m;
}

/* symbol (text), date (date), close (float64). */
static void
bars_schema(struct pp_schema *s, enum pp_type close_type)
{
	struct pp_err e = PP_ERR_INIT;

	pp_schema_init(s);
	assert_int_equal(pp_schema_add(s, "symbol", PP_T_TEXT, &e), 0);
	assert_int_equal(pp_schema_add(s, "date", PP_T_DATE, &e), 0);
	assert_int_equal(pp_schema_add(s, "close", close_type, &e), 0);
}

static void
bar(union pp_cell *row, const char *sym, int64_t day, double close)
{
	row[0].s.p = sym;
	row[0].s.len = strlen(sym);
	row[1].i = day;
	row[2].f = close;
}

static void
test_feed_and_snapshot(void **state)
{
	static const double closes[] = { 10, 11, 10.5, 12, 12, 9 };
	struct pp_model *m = model_r("r=logret(close,1)\ntarget y=lead(r,1)\n");
	struct pp_schema s;
	struct pp_err e = PP_ERR_INIT;
	struct pp_online *o;
	struct pp_online_sym *a, *b;
	union pp_cell row[3];
	double p, q;
	int warm, warm2;
	size_t i;

	(void)state;
	bars_schema(&s, PP_T_F64);
	assert_non_null(o = pp_online_new(m, &s, 0, &e));
	assert_int_equal(pp_online_warmup(o), 1);
	a = pp_online_sym_new(o);
	for (i = 0; i < 3; i++) {
		bar(row, "A", (int64_t)i, closes[i]);
		assert_int_equal(pp_online_feed(o, a, row, &p, &warm, &e), 0);
		assert_int_equal(warm, i == 0);
		if (i == 0)
			assert_true(isnan(p));
		else
			assert_true(p == log(closes[i] / closes[i - 1]));
	}
	b = pp_online_sym_copy(o, a);
	assert_int_equal(pp_online_sym_bars(b), 3);
	for (i = 3; i < 6; i++) {
		bar(row, "A", (int64_t)i, closes[i]);
		assert_int_equal(pp_online_feed(o, b, row, &p, &warm, &e), 0);
	}
	/* a is still at bar 3: feeding it bar 3 matches what b gave. */
	assert_int_equal(pp_online_sym_bars(a), 3);
	bar(row, "A", 3, closes[3]);
	assert_int_equal(pp_online_feed(o, a, row, &q, &warm2, &e), 0);
	assert_true(q == log(closes[3] / closes[2]));
	pp_online_sym_free(a);
	pp_online_sym_free(b);
	pp_online_free(o);
	pp_schema_release(&s);
	pp_model_free(m);
}

static void
test_refused(void **state)
{
	struct pp_model *m = model_r("r=logret(close,1)\n");
	struct pp_schema s;
	struct pp_err e = PP_ERR_INIT;
	struct pp_online *o;
	struct pp_online_sym *a;
	union pp_cell row[3];
	double p;
	int warm;

	(void)state;
	bars_schema(&s, PP_T_F64);
	assert_non_null(o = pp_online_new(m, &s, 0, &e));
	a = pp_online_sym_new(o);
	bar(row, "A", 5, 10);
	assert_int_equal(pp_online_feed(o, a, row, &p, &warm, &e), 0);
	bar(row, "A", 5, 20);
	assert_int_equal(pp_online_feed(o, a, row, &p, &warm, &e), -1);
	assert_string_equal(e.msg, "date 1970-01-06 is not after the previous "
	    "1970-01-06");
	assert_int_equal(pp_online_sym_bars(a), 1);
	pp_err_clear(&e);
	bar(row, "A", 6, 11);
	assert_int_equal(pp_online_feed(o, a, row, &p, &warm, &e), 0);
	assert_true(p == log(11.0 / 10.0));
	pp_online_sym_free(a);
	pp_online_free(o);
	pp_schema_release(&s);

	/* A text close that is not a number. */
	bars_schema(&s, PP_T_TEXT);
	assert_non_null(o = pp_online_new(m, &s, 0, &e));
	a = pp_online_sym_new(o);
	row[0].s.p = "A";
	row[0].s.len = 1;
	row[1].i = 1;
	row[2].s.p = "abc";
	row[2].s.len = 3;
	assert_int_equal(pp_online_feed(o, a, row, &p, &warm, &e), -1);
	assert_string_equal(e.msg, "column \"close\": not a number: \"abc\"");
	assert_int_equal(pp_online_sym_bars(a), 0);
	pp_online_sym_free(a);
	pp_online_free(o);
	pp_schema_release(&s);
	pp_model_free(m);
}

static void
test_book(void **state)
{
	struct pp_model *m = model_r("r=logret(close,1)\n");
	struct pp_schema s;
	struct pp_err e = PP_ERR_INIT;
	struct pp_online *o;
	struct pp_online_book *b;
	union pp_cell row[3];
	double p;
	int warm;
	char name[16];
	int i;

	(void)state;
	bars_schema(&s, PP_T_F64);
	assert_non_null(o = pp_online_new(m, &s, 0, &e));
	assert_non_null(b = pp_online_book_new(o, &e));
	bar(row, "A", 1, 10);
	assert_int_equal(pp_online_book_feed(b, row, &p, &warm, &e), 0);
	bar(row, "B", 1, 100);
	assert_int_equal(pp_online_book_feed(b, row, &p, &warm, &e), 0);
	bar(row, "A", 2, 20);
	assert_int_equal(pp_online_book_feed(b, row, &p, &warm, &e), 0);
	assert_true(p == log(2.0));
	bar(row, "B", 2, 50);
	assert_int_equal(pp_online_book_feed(b, row, &p, &warm, &e), 0);
	assert_true(p == log(0.5));
	bar(row, "B", 2, 50);
	assert_int_equal(pp_online_book_feed(b, row, &p, &warm, &e), -1);
	assert_string_equal(e.msg, "symbol \"B\": date 1970-01-03 is not after "
	    "the previous 1970-01-03");
	assert_int_equal(pp_online_book_drop(b, "A", 1), 0);
	assert_int_equal(pp_online_book_drop(b, "A", 1), -1);
	bar(row, "A", 3, 30);
	assert_int_equal(pp_online_book_feed(b, row, &p, &warm, &e), 0);
	assert_int_equal(warm, 1);
	assert_true(isnan(p));
	/* Many symbols: the chains grow. */
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "S%d", i);
		bar(row, name, 1, 1);
		assert_int_equal(pp_online_book_feed(b, row, &p, &warm, &e), 0);
	}
	assert_int_equal(pp_online_book_size(b), 1002);
	assert_int_equal(pp_online_book_drop(b, "S777", 4), 0);
	assert_int_equal(pp_online_book_size(b), 1001);
	pp_online_book_free(b);
	pp_online_free(o);
	pp_schema_release(&s);
	pp_model_free(m);
}

/* bar() for row i of a block of three-cell rows. */
static union pp_cell *
row_at(union pp_cell *rows, size_t i)
{
	return rows + 3 * i;
}

static void
test_feed_all(void **state)
{
	struct pp_model *m = model_r("r=logret(close,1)\n");
	struct pp_schema s;
	struct pp_err e = PP_ERR_INIT;
	struct pp_online *o;
	struct pp_online_book *b;
	union pp_cell rows[9];
	double p[3];
	int warm[3];
	uint64_t nb[3];
	size_t bad = 99;

	(void)state;
	bars_schema(&s, PP_T_F64);
	assert_non_null(o = pp_online_new(m, &s, 0, &e));
	assert_non_null(b = pp_online_book_new(o, &e));
	bar(row_at(rows, 0), "A", 1, 10);
	bar(row_at(rows, 1), "B", 1, 100);
	bar(row_at(rows, 2), "A", 2, 20);
	assert_int_equal(pp_online_book_feed_all(b, rows, 3, 0, p, warm, nb,
	    &bad, &e), 0);
	assert_true(isnan(p[0]) && isnan(p[1]) && p[2] == log(2.0));
	assert_int_equal(warm[0] + warm[1] + warm[2], 2);
	assert_true(nb[0] == 1 && nb[1] == 1 && nb[2] == 2);
	assert_int_equal(bad, 99);
	/* A refused bar takes back the whole list: A's bar, the new C. */
	bar(row_at(rows, 0), "A", 3, 40);
	bar(row_at(rows, 1), "C", 1, 5);
	bar(row_at(rows, 2), "B", 1, 50);
	assert_int_equal(pp_online_book_feed_all(b, rows, 3, 0, p, warm, nb,
	    &bad, &e), -1);
	assert_int_equal(bad, 2);
	assert_string_equal(e.msg, "symbol \"B\": date 1970-01-02 is not "
	    "after the previous 1970-01-02");
	assert_int_equal(pp_online_book_size(b), 2);
	pp_err_clear(&e);
	assert_int_equal(pp_online_book_feed_all(b, rows, 1, 0, p, warm, NULL,
	    &bad, &e), 0);
	assert_true(p[0] == log(2.0));	/* A went on from 20, not from 40 */
	/* The limit: a new symbol past it takes nothing back in. */
	bar(row_at(rows, 0), "A", 4, 80);
	bar(row_at(rows, 1), "C", 1, 5);
	bar(row_at(rows, 2), "D", 1, 5);
	assert_int_equal(pp_online_book_feed_all(b, rows, 3, 3, p, warm, nb,
	    &bad, &e), -2);
	assert_int_equal(bad, 2);
	assert_string_equal(e.msg, "symbol \"D\": the model holds its limit "
	    "of 3 symbols");
	assert_int_equal(pp_online_book_size(b), 2);
	pp_err_clear(&e);
	assert_int_equal(pp_online_book_feed_all(b, rows, 2, 3, p, warm, nb,
	    &bad, &e), 0);
	assert_true(p[0] == log(2.0) && nb[0] == 4);
	assert_true(isnan(p[1]) && warm[1] == 1 && nb[1] == 1);
	assert_int_equal(pp_online_book_size(b), 3);
	pp_online_book_free(b);
	pp_online_free(o);
	pp_schema_release(&s);
	pp_model_free(m);
}

static void
test_new_errors(void **state)
{
	struct pp_model *m = model_r("r=logret(close,1)\n");
	struct pp_schema s, noclose;
	struct pp_err e = PP_ERR_INIT;

	(void)state;
	bars_schema(&s, PP_T_F64);
	assert_null(pp_online_new(m, &s, 1, &e));
	assert_int_equal(e.code, PP_EXIT_USAGE);
	assert_string_equal(e.msg, "--proba: a ols model has no probabilities");
	pp_err_clear(&e);
	pp_schema_init(&noclose);
	assert_int_equal(pp_schema_add(&noclose, "date", PP_T_DATE, &e), 0);
	assert_null(pp_online_new(m, &noclose, 0, &e));
	assert_string_equal(e.msg, "the model's spec: feature \"r\": unknown "
	    "column \"close\"");
	pp_err_clear(&e);
	free(m->spec);
	m->spec = pp_xstrdup("r=logrot(close,1)\n");
	assert_null(pp_online_new(m, &s, 0, &e));
	assert_int_equal(e.code, PP_EXIT_DATA);
	assert_string_equal(e.msg, "the model's spec: feature \"r\": unknown "
	    "function \"logrot\" (pp-features --list shows them)");
	pp_err_clear(&e);
	free(m->spec);
	m->spec = pp_xstrdup("r=cs_rank(logret(close,1))\n");
	assert_null(pp_online_new(m, &s, 0, &e));
	assert_int_equal(e.code, PP_EXIT_DATA);
	assert_string_equal(e.msg, "the model's spec uses cs_rank, cs_zscore, "
	    "cs_demean, cs_quantile or ref(), which need every symbol of a "
	    "date: score with pp-features and pp-predict instead");
	pp_err_clear(&e);
	free(m->spec);
	m->spec = NULL;
	assert_null(pp_online_new(m, &s, 0, &e));
	assert_string_equal(e.msg, "the model has no feature spec (train it "
	    "on a binary frame from pp-features, or with -F)");
	pp_schema_release(&noclose);
	pp_schema_release(&s);
	pp_model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_and_snapshot),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_book),
		cmocka_unit_test(test_feed_all),
		cmocka_unit_test(test_new_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
