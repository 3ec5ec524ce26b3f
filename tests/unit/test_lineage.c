/*
 * test_lineage.c - canonical specs, model recipes and spec agreement
 * (lib/lineage.c, pp_spec_print and pp_spec_columns of lib/expr.c).
 *
 * Plan:
 *  - canonical text: a table of spec files and the exact canonical text
 *    (defaults filled in for every function kind, numbers in shortest
 *    form, parentheses only where the operators need them and kept where
 *    they do, quoted names, parts, nested lead, comments dropped); every
 *    expected text is itself canonical (printing it again gives it back).
 *  - the spec's own columns: implicit columns of atr and vwap, names
 *    defined by macd parts are not columns, features-only leaves out
 *    what only a target reads.
 *  - recipes: inputs, warm-up (nesting adds, elementwise takes the
 *    longest, a raw column is 0), horizon; a model feature that is a
 *    target is refused; a spec that does not check is refused.
 *  - agreement: same definitions agree, extra names on either side are
 *    fine, a different definition under the same name is one error line
 *    naming it and both texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "expr.h"
#include "frame.h"
#include "lineage.h"
#include "banned.h"

static const struct {
	const char *in, *want;
	size_t horizon;
} canon_cases[] = {
	{ "r=logret(close)\n", "r=logret(close,1)\n", 0 },
	{ "# c\n  v = stddev(close, 20)  # vol\n", "v=stddev(close,20,1)\n",
	  0 },
	{ "b=bbands(close,20)\nm=b_upper-b.middle\n",
	  "b=bbands(close,20,2)\nm=b_upper-b.middle\n", 0 },
	{ "m=macd(close,12,26,9).hist\n", "m=macd(close,12,26,9).hist\n", 0 },
	{ "a=atr(14)\nv=vwap(5)\no=obv()\n", "a=atr(14)\nv=vwap(5)\no=obv()\n",
	  0 },
	{ "x=(close - open) / (high - low)\n", "x=(close-open)/(high-low)\n",
	  0 },
	{ "x=close-(open-low)\n", "x=close-(open-low)\n", 0 },
	{ "x=(close-open)-low\n", "x=close-open-low\n", 0 },
	{ "x=-(close*2)\n", "x=-(close*2)\n", 0 },
	{ "x=(-close)*2\n", "x=-close*2\n", 0 },
	{ "x=+close\n", "x=close\n", 0 },
	{ "x=(close>open)==(high>low)\n", "x=close>open==(high>low)\n", 0 },
	{ "x=0.10*close+1e-5+2E3+1e400\n", "x=0.1*close+1e-05+2000+1e999\n",
	  0 },
	{ "x=\"adj close\"/\"close\"\n", "x=\"adj close\"/close\n", 0 },
	{ "x=bbands(close,20,-0.5).lower\n", "x=bbands(close,20,-0.5).lower\n",
	  0 },
	{ "x=abs(log(close))\n", "x=abs(log(close))\n", 0 },
	{ "r=logret(close)\ntarget y = lead(r)\n",
	  "r=logret(close,1)\ntarget y=lead(r,1)\n", 1 },
	{ "r=logret(close)\ntarget y=lead(lead(r,2)-r,3)>0\n",
	  "r=logret(close,1)\ntarget y=lead(lead(r,2)-r,3)>0\n", 5 },
};

static void
test_canon(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(canon_cases) / sizeof(canon_cases[0]); i++) {
		struct pp_buf b = PP_BUF_INIT, again = PP_BUF_INIT;
		struct pp_err e = PP_ERR_INIT;
		size_t h = 99, h2 = 99;
		const char *in = canon_cases[i].in;

		if (pp_lineage_canon(in, strlen(in), "t", &b, &h, &e) == -1)
			fail_msg("case %zu: %s", i, e.msg);
		if (strcmp(b.data, canon_cases[i].want) != 0)
			fail_msg("case %zu: got\n%s\nwant\n%s", i, b.data,
			    canon_cases[i].want);
		assert_int_equal(h, canon_cases[i].horizon);
		assert_int_equal(pp_lineage_canon(b.data, b.len, "t", &again,
		    &h2, &e), 0);
		assert_string_equal(again.data, b.data);
		pp_buf_release(&b);
		pp_buf_release(&again);
	}
}

static void
test_columns(void **state)
{
	static const struct {
		const char *in;
		int targets;
		const char *want;
	} cases[] = {
		{ "a=atr(14)\nv=vwap(5)\n", 1, "high,low,close,volume" },
		{ "m=macd(close,12,26,9)\nx=m_hist*open\n", 1, "close,open" },
		{ "r=logret(close)\ntarget y=lead(\"adj\",1)\n", 1, "close,adj" },
		{ "r=logret(close)\ntarget y=lead(\"adj\",1)\n", 0, "close" },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pp_spec *s = pp_spec_new();
		struct pp_schema cols = PP_SCHEMA_INIT;
		struct pp_buf b = PP_BUF_INIT;
		struct pp_err e = PP_ERR_INIT;

		assert_int_equal(pp_spec_add_file(s, cases[i].in,
		    strlen(cases[i].in), "t", &e), 0);
		pp_spec_columns(s, cases[i].targets, &cols);
		for (j = 0; j < cols.ncols; j++)
			pp_buf_addf(&b, "%s%s", j ? "," : "", cols.cols[j].name);
		assert_string_equal(b.data, cases[i].want);
		pp_buf_release(&b);
		pp_schema_release(&cols);
		pp_spec_free(s);
	}
}

static void
test_recipe(void **state)
{
	static const char spec[] =
	    "r=logret(close)\n"
	    "v=stddev(r,20)\n"		/* 1 + 19 */
	    "e=ema(sma(close,5),10)\n"	/* 4 + 9 */
	    "m=macd(close,12,26,9)\n"	/* 33 */
	    "x=r*lag(close,3)\n"	/* max(1, 3) */
	    "a=atr(14)\n"		/* 14, reads high, low, close */
	    "target y=lead(r,2)\n";
	static const struct {
		const char *feat[3];
		size_t n;
		long warmup;
		const char *inputs;
	} cases[] = {
		{ { "r" }, 1, 1, "close,high,low" },
		{ { "r", "v" }, 2, 20, "close,high,low" },
		{ { "e" }, 1, 13, "close,high,low" },
		{ { "m_signal", "x" }, 2, 33, "close,high,low" },
		{ { "x", "volume" }, 2, 3, "close,high,low,volume" },
		{ { "a" }, 1, 14, "close,high,low" },
	};
	struct pp_recipe r = PP_RECIPE_INIT;
	struct pp_err e = PP_ERR_INIT;
	const char *bad[] = { "y" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (pp_recipe_make(&r, spec, strlen(spec), "t", cases[i].feat,
		    cases[i].n, &e) == -1)
			fail_msg("case %zu: %s", i, e.msg);
		assert_int_equal(r.warmup, cases[i].warmup);
		assert_int_equal(r.horizon, 2);
		assert_string_equal(r.inputs, cases[i].inputs);
		assert_non_null(strstr(r.spec, "v=stddev(r,20,1)\n"));
		assert_non_null(strstr(r.spec, "target y=lead(r,2)\n"));
	}
	assert_int_equal(pp_recipe_make(&r, spec, strlen(spec), "t", bad, 1,
	    &e), -1);
	assert_string_equal(e.msg, "feature \"y\" is a target of the spec: a "
	    "model cannot use a value that looks ahead");
	assert_null(r.spec);
	pp_err_clear(&e);
	assert_int_equal(pp_recipe_make(&r, "x=nope(close)\n", 14, "model.ppm",
	    bad, 0, &e), -1);
	assert_non_null(strstr(e.msg, "model.ppm:1:3: unknown function "
	    "\"nope\""));
	pp_recipe_release(&r);
	pp_recipe_release(&r);
}

static void
test_agree(void **state)
{
	static const char model[] = "r=logret(close,1)\nv=stddev(r,20,1)\n"
	    "target y=lead(r,1)\n";
	struct pp_err e = PP_ERR_INIT;

	(void)state;
	assert_int_equal(pp_lineage_agree(model, "the model's", model,
	    "the frame's", &e), 0);
	assert_int_equal(pp_lineage_agree(model, "the model's",
	    "r=logret(close,1)\nz=sma(close,5)\n", "the frame's", &e), 0);
	assert_int_equal(pp_lineage_agree(model, "the model's",
	    "r=logret(close,2)\nv=stddev(r,20,1)\n", "the frame's", &e), -1);
	assert_string_equal(e.msg, "feature \"r\": the frame's spec defines "
	    "it as \"r=logret(close,2)\", the model's as "
	    "\"r=logret(close,1)\"");
	pp_err_clear(&e);
	assert_int_equal(pp_lineage_agree(model, "the model's",
	    "r=logret(close,1)\ntarget v=lead(r,1)\n", "the frame's", &e), -1);
	assert_non_null(strstr(e.msg, "feature \"v\""));
}

static void
test_producer(void **state)
{
	struct pp_meta m = PP_META_INIT;
	char *argv1[] = { "pp-features", "-f", "r=logret(close,1)", "-B",
	    "it's", NULL };
	char *argv2[] = { "pp-train", "--target", "y", NULL };

	(void)state;
	pp_lineage_producer(&m, "pp-features", "1.0", 5, argv1);
	assert_string_equal(pp_meta_get(&m, "pp.producer"),
	    "pp-features 1.0 -f 'r=logret(close,1)' -B 'it'\\''s'\n");
	pp_lineage_producer(&m, "pp-train", "1.0", 3, argv2);
	assert_string_equal(pp_meta_get(&m, "pp.producer"),
	    "pp-features 1.0 -f 'r=logret(close,1)' -B 'it'\\''s'\n"
	    "pp-train 1.0 --target y\n");
	pp_meta_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canon),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_recipe),
		cmocka_unit_test(test_agree),
		cmocka_unit_test(test_producer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
