/*
 * test_spec_canon.c - the canonical feature spec (pp_spec_print) for every
 * function of the language.
 *
 * Plan:
 *  - for every indicator of pp_ind_all(), a call with every parameter
 *    given (not the default where one fits: a dropped argument must show)
 *    and a call with only the required ones; for every function of our own
 *    (abs .. week, lead in a target), a call with its most arguments
 *    (greatest and least with four);
 *  - each is compiled, printed (text 1), text 1 read back, compiled and
 *    printed again (text 2): text 1 must equal text 2 (a fixed point), and
 *    the two plans run over the same two-symbol price frame must give
 *    bit-identical features (what a model trained on one and served with
 *    the other relies on);
 *  - a column named as a keyword ("not", "and", "or") reads back as the
 *    column; vol's method prints as its name and is not an input column;
 *    a quoted name holding a line break is refused (it could not be
 *    printed on one line).
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

#include "buf.h"
#include "expr.h"
#include "feat.h"
#include "frame.h"
#include "indicators.h"
#include "banned.h"

#define NROWS 120		/* per symbol: past every default warm-up */
#define MAXOUT 16

/* Calls of our own functions, with their most arguments. */
static const char *const own_calls[] = {
	"a=abs(close-open)",
	"a=and(close>open,volume>1000)",
	"a=clip(close,low,high)",
	"a=dom()",
	"a=dow()",
	"a=doy()",
	"a=exp(close/1000)",
	"a=greatest(close,open,high,low)",
	"a=if(close>open,high,low)",
	"a=isnan(close)",
	"target a=lead(close,3)",
	"target a=lead(close)",
	"a=least(close,open,high,low)",
	"a=log(close)",
	"a=month()",
	"a=nan_to(close,open)",
	"a=not(close>open)",
	"a=or(close>open,volume>1000)",
	"a=sign(close-open)",
	"a=sqrt(close)",
	"a=week()",
	"a=close>open and not volume<1000 or high==low",
	"a=-(close-open)/-(high-low)*2-(1-close)",
	"a=\"not\"+\"and\"*\"or\"",
	"a=close<open<high",
	"a=close<(open<high)",
	"a=1e999*0+5e-324-1e308",
	"m=macd(close,5,9,4)\nb=m.signal+m_hist",
};

struct frame {
	struct pp_schema s;
	union pp_cell *rows;	/* 2 * NROWS rows of s.ncols cells */
};

static void
mk_frame(struct frame *f)
{
	static const char *const sym[] = { "AAA", "BBB" };
	struct pp_err e = PP_ERR_INIT;
	size_t r, k;

	pp_schema_init(&f->s);
	assert_int_equal(pp_schema_add(&f->s, "symbol", PP_T_TEXT, &e), 0);
	assert_int_equal(pp_schema_add(&f->s, "date", PP_T_DATE, &e), 0);
	assert_int_equal(pp_schema_add(&f->s, "open", PP_T_F64, &e), 0);
	assert_int_equal(pp_schema_add(&f->s, "high", PP_T_F64, &e), 0);
	assert_int_equal(pp_schema_add(&f->s, "low", PP_T_F64, &e), 0);
	assert_int_equal(pp_schema_add(&f->s, "close", PP_T_F64, &e), 0);
	assert_int_equal(pp_schema_add(&f->s, "volume", PP_T_F64, &e), 0);
	assert_int_equal(pp_schema_add(&f->s, "not", PP_T_F64, &e), 0);
	assert_int_equal(pp_schema_add(&f->s, "and", PP_T_F64, &e), 0);
	assert_int_equal(pp_schema_add(&f->s, "or", PP_T_F64, &e), 0);
	f->rows = calloc(2 * NROWS * f->s.ncols, sizeof(*f->rows));
	assert_non_null(f->rows);
	/* Interleaved symbols; deterministic wiggles, every column moving. */
	for (r = 0; r < 2 * NROWS; r++) {
		union pp_cell *c = f->rows + r * f->s.ncols;
		double t = (double)(r / 2), base = 100 + (double)(r % 2) * 50;
		double cl;

		k = r % 2;
		cl = base + 10 * sin(t / 7) + 3 * cos(t * 1.3 + (double)k);
		c[0].s.p = sym[k];
		c[0].s.len = 3;
		c[1].i = 18000 + (int64_t)(r / 2);
		c[2].f = cl - sin(t);
		c[3].f = cl + 2 + fabs(cos(t * 0.7));
		c[4].f = cl - 2 - fabs(sin(t * 0.9));
		c[5].f = cl;
		c[6].f = 1000 + 400 * fabs(sin(t / 3)) + (double)(r % 5) * 10;
		c[7].f = t;
		c[8].f = t * 0.5;
		c[9].f = 2 - t;
	}
}

struct out {
	double *v;		/* rows x nout */
	size_t n, nout, first;
};

static int
collect(void *ctx, const union pp_cell *row, struct pp_err *err)
{
	struct out *o = ctx;
	size_t i;

	(void)err;
	for (i = 0; i < o->nout; i++)
		o->v[o->n * o->nout + i] = row[o->first + i].f;
	o->n++;
	return 0;
}

/* Compile text against the frame; NULL (with err) if it does not check. */
static struct pp_plan *
compile(const struct frame *f, const char *text, struct pp_spec **sp,
    struct pp_err *err)
{
	struct pp_spec *s = pp_spec_new();
	struct pp_plan *p = NULL;

	if (pp_spec_add_file(s, text, strlen(text), "spec", err) == 0)
		p = pp_plan_compile(s, &f->s, err);
	if (p == NULL) {
		pp_spec_free(s);
		s = NULL;
	}
	*sp = s;
	return p;
}

static void
run_plan(const struct frame *f, const struct pp_plan *p, struct out *o)
{
	struct pp_feat_opts fo = PP_FEAT_OPTS_INIT;
	struct pp_err e = PP_ERR_INIT;
	struct pp_feat *ft;
	size_t r;

	o->nout = pp_plan_nout(p);
	assert_true(o->nout <= MAXOUT);
	o->first = f->s.ncols;
	o->n = 0;
	o->v = calloc(2 * NROWS * MAXOUT, sizeof(double));
	assert_non_null(o->v);
	ft = pp_feat_new(p, &f->s, &fo, collect, o, &e);
	if (ft == NULL)
		fail_msg("pp_feat_new: %s", e.msg);
	for (r = 0; r < 2 * NROWS; r++)
		assert_true(pp_feat_push(ft, f->rows + r * f->s.ncols, &e) >= 0);
	assert_true(pp_feat_finish(ft, &e) >= 0);
	assert_int_equal(o->n, 2 * NROWS);
	pp_feat_free(ft);
}

/* The property: print, read back, print again; same text, same values. */
static void
check_canon(const struct frame *f, const char *text)
{
	struct pp_err e = PP_ERR_INIT;
	struct pp_buf t1 = PP_BUF_INIT, t2 = PP_BUF_INIT;
	struct pp_spec *s1, *s2;
	struct pp_plan *p1, *p2;
	struct out o1, o2;

	if ((p1 = compile(f, text, &s1, &e)) == NULL)
		fail_msg("%s: %s", text, e.msg);
	pp_spec_print(s1, 1, &t1);
	if ((p2 = compile(f, t1.data, &s2, &e)) == NULL)
		fail_msg("%s printed as %s, which reads back as: %s", text,
		    t1.data, e.msg);
	pp_spec_print(s2, 1, &t2);
	if (strcmp(t1.data, t2.data) != 0)
		fail_msg("%s: printed \"%s\", then \"%s\"", text, t1.data,
		    t2.data);
	run_plan(f, p1, &o1);
	run_plan(f, p2, &o2);
	assert_int_equal(o1.nout, o2.nout);
	if (memcmp(o1.v, o2.v, o1.n * o1.nout * sizeof(double)) != 0)
		fail_msg("%s: features differ after printing as %s", text,
		    t1.data);
	free(o1.v);
	free(o2.v);
	pp_plan_free(p1);
	pp_plan_free(p2);
	pp_spec_free(s1);
	pp_spec_free(s2);
	pp_buf_release(&t1);
	pp_buf_release(&t2);
}

/* A value for parameter i of d that is valid on its own and, where the
 * range allows, not its default; required periods grow with i so that
 * fast < slow holds. */
static void
add_param(struct pp_buf *b, const struct pp_ind_param *p, int i, int dflt)
{
	double v;
	size_t n;

	if (p->choices != NULL) {
		for (n = 0; p->choices[n] != NULL; n++)
			;
		pp_buf_addstr(b, p->choices[dflt ? 0 : n - 1]);
		return;
	}
	if (p->whole)
		v = dflt ? p->def : p->def + 1;
	else
		v = dflt ? p->def : p->def * 0.9 + 0.01;
	if (p->whole && p->def == 0 && p->min >= 1)
		v = 4 + 3 * i;		/* a required period */
	if (v > p->max)
		v = p->max;
	if (v < p->min)
		v = p->min;
	pp_buf_addf(b, "%.17g", v);
}

static void
ind_call(struct pp_buf *b, const struct pp_ind_def *d, int nparams,
    int dflt)
{
	static const char *const ser[] = { "close", "volume", "high" };
	int i;

	pp_buf_reset(b);
	pp_buf_addf(b, "a=%s(", d->name);
	for (i = 0; i < d->nseries; i++)
		pp_buf_addf(b, "%s%s", i ? "," : "", ser[i]);
	for (i = 0; i < nparams; i++) {
		if (i > 0 || d->nseries > 0)
			pp_buf_addc(b, ',');
		add_param(b, &d->params[i], i, dflt);
	}
	pp_buf_addc(b, ')');
	if (d->noutputs > 1)
		pp_buf_addf(b, "\nb=a.%s", d->outputs[d->noutputs - 1]);
}

static void
test_every_indicator(void **state)
{
	struct frame f;
	struct pp_buf b = PP_BUF_INIT;
	const struct pp_ind_def *all;
	size_t n, i;

	(void)state;
	mk_frame(&f);
	all = pp_ind_all(&n);
	assert_true(n > 50);
	for (i = 0; i < n; i++) {
		const struct pp_ind_def *d = &all[i];
		struct pp_err e = PP_ERR_INIT;
		struct pp_spec *s;
		struct pp_plan *p;

		/* Every parameter, off its default where the checks allow. */
		ind_call(&b, d, d->nparams, 0);
		if ((p = compile(&f, b.data, &s, &e)) == NULL)
			ind_call(&b, d, d->nparams, 1);
		pp_plan_free(p);
		pp_spec_free(s);
		check_canon(&f, b.data);
		/* Only the required ones. */
		ind_call(&b, d, d->nparams_min, 1);
		check_canon(&f, b.data);
	}
	pp_buf_release(&b);
	pp_schema_release(&f.s);
	free(f.rows);
}

static void
test_every_own_function(void **state)
{
	struct frame f;
	size_t i;

	(void)state;
	mk_frame(&f);
	for (i = 0; i < sizeof(own_calls) / sizeof(own_calls[0]); i++)
		check_canon(&f, own_calls[i]);
	pp_schema_release(&f.s);
	free(f.rows);
}

/* Exact texts where the canonical form is the point. */
static void
test_canon_text(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a=greatest(close,open,high)",
		  "a=greatest(close,open,high)\n" },
		{ "a=least(close, open)", "a=least(close,open)\n" },
		{ "a=if(close>open,1,2)", "a=if(close>open,1,2)\n" },
		{ "a=clip(close,1,2)", "a=clip(close,1,2)\n" },
		{ "a=close>open and volume>1 or not high<low",
		  "a=or(and(close>open,volume>1),not(high<low))\n" },
		{ "a=vol(20,parkinson)", "a=vol(20,parkinson,252)\n" },
		{ "a=vol(20, yang_zhang, 12)", "a=vol(20,yang_zhang,12)\n" },
		{ "a=\"not\"+\"or\"", "a=\"not\"+\"or\"\n" },
		{ "target t=lead(close)", "target t=lead(close,1)\n" },
	};
	struct frame f;
	size_t i;

	(void)state;
	mk_frame(&f);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pp_err e = PP_ERR_INIT;
		struct pp_buf b = PP_BUF_INIT;
		struct pp_spec *s;
		struct pp_plan *p = compile(&f, cases[i].in, &s, &e);

		if (p == NULL)
			fail_msg("%s: %s", cases[i].in, e.msg);
		pp_spec_print(s, 1, &b);
		assert_string_equal(b.data, cases[i].want);
		pp_buf_release(&b);
		pp_plan_free(p);
		pp_spec_free(s);
	}
	pp_schema_release(&f.s);
	free(f.rows);
}

/* vol's method is a choice: never an input column, and validated. */
static void
test_vol_method_not_a_column(void **state)
{
	static const char text[] = "a=vol(20,parkinson)";
	struct pp_schema cols;
	struct pp_spec *s = pp_spec_new();
	struct pp_err e = PP_ERR_INIT;
	size_t i;

	(void)state;
	pp_schema_init(&cols);
	assert_int_equal(pp_spec_add_file(s, text, strlen(text), "spec", &e),
	    0);
	pp_spec_columns(s, 1, &cols);
	assert_int_equal(cols.ncols, 4);
	for (i = 0; i < cols.ncols; i++)
		assert_string_not_equal(cols.cols[i].name, "parkinson");
	pp_schema_release(&cols);
	pp_spec_free(s);
}

static void
test_vol_method_refused(void **state)
{
	static const char *const bad[] = {
		"a=vol(20,1)", "a=vol(20,close+1)", "a=vol(20,\"parkinson \")",
		"a=vol(20,-0)", "a=vol(20,nope,252)",
	};
	struct frame f;
	size_t i;

	(void)state;
	mk_frame(&f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pp_err e = PP_ERR_INIT;
		struct pp_spec *s;
		struct pp_plan *p = compile(&f, bad[i], &s, &e);

		assert_null(p);
		assert_non_null(strstr(e.msg, "vol: method must be one of"));
	}
	pp_schema_release(&f.s);
	free(f.rows);
}

static void
test_line_break_in_quoted_name_refused(void **state)
{
	struct pp_spec *s = pp_spec_new();
	struct pp_err e = PP_ERR_INIT;

	(void)state;
	assert_int_equal(pp_spec_add(s, 0, "a=\"x\ny\"", "-f", 1, &e), -1);
	assert_non_null(strstr(e.msg, "-f:1:5: line break in quoted name"));
	pp_spec_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_indicator),
		cmocka_unit_test(test_every_own_function),
		cmocka_unit_test(test_canon_text),
		cmocka_unit_test(test_vol_method_not_a_column),
		cmocka_unit_test(test_vol_method_refused),
		cmocka_unit_test(test_line_break_in_quoted_name_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
