/*
 * test_expr.c - the feature language (lib/expr.c).
 *
 * Plan:
 *  - syntax errors: a table of definitions and the exact message, caret
 *    line included (unterminated call, missing name or '=', empty
 *    expression, stray characters, bad numbers, '=' for '==', deep
 *    nesting); spec files: comments, blank lines, CRLF, "target" lines,
 *    a feature named "target", errors naming file and line.
 *  - checking errors: a table of specs against a price schema and the
 *    exact message (unknown function or column, arity, bad and
 *    non-constant parameters, name clashes with columns and other
 *    definitions, lead in a feature, lead under an indicator, multi-output
 *    misuse, missing implicit columns, forward and target references,
 *    empty spec).
 *  - evaluation: tables of input rows and expected outputs for arithmetic,
 *    precedence, unary minus, comparisons (with NaN), abs log exp sqrt
 *    sign (NaN, -0, 0, inf, 1e308, subnormal), references to earlier
 *    definitions, multi-output parts and .part, shared subexpressions, and
 *    targets with lead (nested, mixed with the current row) through the
 *    phase-two interpreter.
 *  - output names and order, lead depth, --list covering every function.
 */
#include <float.h>
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
#include "frame.h"
#include "indicators.h"
#include "banned.h"

/* Schema from "name:type,..." (type t text, d date, else float64). */
static void
mk_schema(struct pp_schema *s, const char *spec)
{
	struct pp_err e = PP_ERR_INIT;
	const char *p = spec;

	pp_schema_init(s);
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char name[64];
		enum pp_type t = PP_T_F64;

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if (n > 2 && name[n - 2] == ':') {
			t = name[n - 1] == 't' ? PP_T_TEXT :
			    name[n - 1] == 'd' ? PP_T_DATE : PP_T_I64;
			name[n - 2] = '\0';
		}
		assert_int_equal(pp_schema_add(s, name, t, &e), 0);
		p += n + (end ? 1 : 0);
	}
}

/* ---- syntax ----------------------------------------------------------- */

struct syn_case {
	const char *text;
	const char *msg;
};

static const struct syn_case syn_cases[] = {
	{ "r=close and",
	  "-f:1:12: expected a number, a name or '(', found end of "
	  "expression\n  r=close and\n             ^" },
	{ "r=not",
	  "-f:1:6: expected a number, a name or '(', found end of "
	  "expression\n  r=not\n       ^" },
	{ "r=smaa(close",
	  "-f:1:13: expected ',' or ')', found end of expression\n"
	  "  r=smaa(close\n"
	  "              ^" },
	{ "=close",
	  "-f:1:1: expected a name for the feature (NAME=EXPR), found '=' "
	  "(comparison is '==')\n  =close\n  ^" },
	{ "r close",
	  "-f:1:3: expected '=' after \"r\", found name\n  r close\n    ^~~~~" },
	{ "r=",
	  "-f:1:3: expected an expression after '='\n  r=\n    ^" },
	{ "",
	  "-f:1:1: expected NAME=EXPR, found nothing\n  \n  ^" },
	{ "r = close +",
	  "-f:1:12: expected a number, a name or '(', found end of "
	  "expression\n  r = close +\n             ^" },
	{ "r=close $ 2",
	  "-f:1:9: unexpected character '$'\n  r=close $ 2\n          ^" },
	{ "r=close ! 2",
	  "-f:1:9: unexpected character '!'\n  r=close ! 2\n          ^" },
	{ "r=1.2.3",
	  "-f:1:3: bad number \"1.2.3\"\n  r=1.2.3\n    ^~~~~" },
	{ "r=1e",
	  "-f:1:3: bad number \"1e\"\n  r=1e\n    ^~" },
	{ "r=2x",
	  "-f:1:3: bad number \"2x\"\n  r=2x\n    ^~" },
	{ "r=(close",
	  "-f:1:9: expected ')', found end of expression\n  r=(close\n"
	  "          ^" },
	{ "r=close)",
	  "-f:1:8: expected an operator or the end, found ')'\n  r=close)\n"
	  "         ^" },
	{ "r=close = 1",
	  "-f:1:9: expected an operator or the end, found '=' (comparison "
	  "is '==')\n  r=close = 1\n          ^" },
	{ "r=\"adj close",
	  "-f:1:3: unterminated quoted name\n  r=\"adj close\n    ^" },
	{ "r=\"\"",
	  "-f:1:3: empty quoted name\n  r=\"\"\n    ^~" },
	{ "r=sma(close,)",
	  "-f:1:13: expected a number, a name or '(', found ')'\n"
	  "  r=sma(close,)\n              ^" },
	{ "r=close.",
	  "-f:1:9: expected an output name after '.', found end of "
	  "expression\n  r=close.\n          ^" },
	{ "1r=close",
	  "-f:1:1: bad number \"1r\"\n  1r=close\n  ^~" },
};

static void
test_syntax_errors(void **unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(syn_cases) / sizeof(syn_cases[0]); i++) {
		struct pp_spec *s = pp_spec_new();
		struct pp_err e = PP_ERR_INIT;

		assert_int_equal(pp_spec_add(s, 0, syn_cases[i].text, "-f", 1,
		    &e), -1);
		assert_int_equal(e.code, PP_EXIT_USAGE);
		if (strcmp(e.msg, syn_cases[i].msg) != 0)
			fail_msg("case %zu %s:\ngot:\n%s\nwant:\n%s", i,
			    syn_cases[i].text, e.msg, syn_cases[i].msg);
		assert_int_equal(pp_spec_count(s), 0);
		pp_spec_free(s);
	}
}

static void
test_syntax_depth(void **unused)
{
	struct pp_buf b = PP_BUF_INIT;
	struct pp_spec *s = pp_spec_new();
	struct pp_err e = PP_ERR_INIT;
	int i;

	(void)unused;
	pp_buf_addstr(&b, "r=");
	for (i = 0; i < 5000; i++)
		pp_buf_addstr(&b, "(-");
	pp_buf_addstr(&b, "close");
	for (i = 0; i < 5000; i++)
		pp_buf_addc(&b, ')');
	assert_int_equal(pp_spec_add(s, 0, b.data, "-f", 1, &e), -1);
	assert_non_null(strstr(e.msg, "expression nested too deeply"));
	/* 50 levels are fine. */
	pp_buf_reset(&b);
	pp_buf_addstr(&b, "r=");
	for (i = 0; i < 30; i++)
		pp_buf_addstr(&b, "abs(-");
	pp_buf_addstr(&b, "close");
	for (i = 0; i < 30; i++)
		pp_buf_addc(&b, ')');
	pp_err_clear(&e);
	assert_int_equal(pp_spec_add(s, 0, b.data, "-f", 1, &e), 0);
	pp_buf_release(&b);
	pp_spec_free(s);
}

/*
 * A chain of binary operators builds a tree as deep as it is long, which
 * the passes after the parser walk recursively (issue 16: 60,000 terms
 * overflowed the stack), also through the definitions it names; shared
 * definitions are compiled once (40 doubling lines took 2^40 steps).
 */
static void
test_long_operator_chain(void **unused)
{
	struct pp_buf b = PP_BUF_INIT;
	struct pp_spec *s = pp_spec_new();
	struct pp_err e = PP_ERR_INIT;
	struct pp_schema sc;
	struct pp_plan *p;
	int i;

	(void)unused;
	pp_buf_addstr(&b, "r=close");
	for (i = 1; i < 60000; i++)
		pp_buf_addstr(&b, "+close");
	assert_int_equal(pp_spec_add(s, 0, b.data, "-f", 1, &e), -1);
	assert_int_equal(e.code, PP_EXIT_USAGE);
	assert_non_null(strstr(e.msg, "-f:1:12002: expression nested too "
	    "deeply: more than 2000 operations in a chain\n"));
	/* 1000 terms are fine, and so is the 2000-high tree of a*b+... */
	pp_buf_reset(&b);
	pp_buf_addstr(&b, "r=close");
	for (i = 1; i < 1000; i++)
		pp_buf_addstr(&b, "*close+close");
	pp_err_clear(&e);
	assert_int_equal(pp_spec_add(s, 0, b.data, "-f", 1, &e), 0);
	mk_schema(&sc, "close,volume");
	p = pp_plan_compile(s, &sc, &e);
	assert_non_null(p);
	pp_plan_free(p);
	pp_spec_free(s);

	/* Through definitions: d1 = d0 + 1, ... past the bound. */
	s = pp_spec_new();
	assert_int_equal(pp_spec_add(s, 0, "d0=close", "-f", 1, &e), 0);
	for (i = 1; i < 1500; i++) {
		pp_buf_reset(&b);
		pp_buf_addf(&b, "d%d=d%d+1", i, i - 1);
		assert_int_equal(pp_spec_add(s, 0, b.data, "-f", i + 1, &e),
		    0);
	}
	assert_null(pp_plan_compile(s, &sc, &e));
	assert_int_equal(e.code, PP_EXIT_USAGE);
	assert_non_null(strstr(e.msg, "-f:1001:1: expression nested too "
	    "deeply through the definitions it uses"));
	pp_spec_free(s);

	/* 60 doubling definitions: compiled once each, 2^59 at the end. */
	s = pp_spec_new();
	assert_int_equal(pp_spec_add(s, 0, "d0=volume+1", "-f", 1, &e), 0);
	for (i = 1; i < 60; i++) {
		pp_buf_reset(&b);
		pp_buf_addf(&b, "d%d=d%d+d%d", i, i - 1, i - 1);
		assert_int_equal(pp_spec_add(s, 0, b.data, "-f", i + 1, &e),
		    0);
	}
	p = pp_plan_compile(s, &sc, &e);
	assert_non_null(p);
	{
		double *regs = calloc(pp_plan_nregs(p), sizeof(double));
		void *state = malloc(pp_plan_state_size(p) + 1);
		union pp_cell row[2];

		row[0].f = 5;
		row[1].f = 0;
		pp_plan_state_init(p, state);
		assert_int_equal(pp_plan_step(p, state, row, regs, &e), 0);
		assert_true(regs[pp_plan_out_reg(p, 59)] == 0x1p59);
		free(regs);
		free(state);
	}
	pp_plan_free(p);
	pp_schema_release(&sc);
	pp_spec_free(s);
	pp_buf_release(&b);
}

/* A long line is shown in a window around the caret. */
static void
test_syntax_window(void **unused)
{
	struct pp_buf b = PP_BUF_INIT;
	struct pp_spec *s = pp_spec_new();
	struct pp_err e = PP_ERR_INIT;
	const char *l2, *l3;
	int i;

	(void)unused;
	pp_buf_addstr(&b, "r=close");
	for (i = 0; i < 40; i++)
		pp_buf_addstr(&b, "+close");
	pp_buf_addstr(&b, "+$");
	for (i = 0; i < 40; i++)
		pp_buf_addstr(&b, "+close");
	assert_int_equal(pp_spec_add(s, 0, b.data, "-f", 3, &e), -1);
	assert_memory_equal(e.msg, "-f:3:249: unexpected character '$'\n",
	    strlen("-f:3:249: unexpected character '$'\n"));
	l2 = strchr(e.msg, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	/* The caret sits under the '$' of the shown window. */
	assert_true(strchr(l2, '\n') - l2 <= 2 + 3 + 100 + 3);
	assert_int_equal(l2[strchr(l3, '^') - l3], '$');
	assert_memory_equal(l2, "  ...", 5);
	pp_buf_release(&b);
	pp_spec_free(s);
}

static void
test_spec_file(void **unused)
{
	static const char text[] =
	    "# features for the daily model\n"
	    "\n"
	    "r1 = logret(close, 1)   # one-day log return\n"
	    "  target = close\r\n"
	    "target y = lead(r1, 1)\n"
	    "target\ty2=lead(close,2)>close\n"
	    "\"odd\" = 1\n";
	struct pp_spec *s = pp_spec_new();
	struct pp_err e = PP_ERR_INIT;
	struct pp_schema sc;
	struct pp_plan *p;

	(void)unused;
	/* A quoted name is a column reference, not a definition name. */
	assert_int_equal(pp_spec_add_file(s, text, sizeof(text) - 1,
	    "spec.txt", &e), -1);
	assert_string_equal(e.msg,
	    "spec.txt:7:1: expected a name for the feature (NAME=EXPR), "
	    "found quoted name\n  \"odd\" = 1\n  ^~~~~");
	pp_spec_free(s);

	s = pp_spec_new();
	pp_err_clear(&e);
	assert_int_equal(pp_spec_add_file(s, text, sizeof(text) - 11,
	    "spec.txt", &e), 0);
	assert_int_equal(pp_spec_count(s), 4);
	mk_schema(&sc, "close");
	p = pp_plan_compile(s, &sc, &e);
	assert_non_null(p);
	assert_int_equal(pp_plan_nout(p), 4);
	assert_int_equal(pp_plan_nfeatures(p), 2);
	assert_string_equal(pp_plan_out_name(p, 0), "r1");
	assert_string_equal(pp_plan_out_name(p, 1), "target");
	assert_string_equal(pp_plan_out_name(p, 2), "y");
	assert_string_equal(pp_plan_out_name(p, 3), "y2");
	assert_int_equal(pp_plan_lead(p), 2);
	pp_plan_free(p);
	pp_schema_release(&sc);
	pp_spec_free(s);

	/* No definitions at all. */
	s = pp_spec_new();
	assert_int_equal(pp_spec_add_file(s, "# nothing\n\n", 11, "x", &e), 0);
	assert_int_equal(pp_spec_count(s), 0);
	pp_spec_free(s);
}

/* ---- checking --------------------------------------------------------- */

#define PRICES "symbol:t,date:d,open,high,low,close,volume"

struct chk_case {
	const char *cols;
	const char *defs[4];	/* "t:" prefix: a target */
	const char *msg;	/* NULL: compiles */
};

static const struct chk_case chk_cases[] = {
	{ PRICES, { "r=smaa(close,20)" },
	  "-f:1:3: unknown function \"smaa\" (pp-features --list shows "
	  "them)\n  r=smaa(close,20)\n    ^~~~" },
	{ PRICES, { "r=sma(clos,20)" },
	  "-f:1:7: unknown column \"clos\"\n  r=sma(clos,20)\n        ^~~~" },
	{ PRICES, { "r=sma(close)" },
	  "-f:1:3: wrong number of arguments to sma: 1 given, expected "
	  "sma(x, n)\n  r=sma(close)\n    ^~~" },
	{ PRICES, { "r=sma(close,2,3)" },
	  "-f:1:3: wrong number of arguments to sma: 3 given, expected "
	  "sma(x, n)\n  r=sma(close,2,3)\n    ^~~" },
	{ PRICES, { "r=abs(close,2)" },
	  "-f:1:3: wrong number of arguments to abs: 2 given, expected "
	  "abs(x)\n  r=abs(close,2)\n    ^~~" },
	{ PRICES, { "r=sma(close,0)" },
	  "-f:1:13: sma: n must be a whole number from 1 to 1000000\n"
	  "  r=sma(close,0)\n              ^" },
	{ PRICES, { "r=sma(close,2.5)" },
	  "-f:1:13: sma: n must be a whole number from 1 to 1000000\n"
	  "  r=sma(close,2.5)\n              ^~~" },
	{ PRICES, { "r=stddev(close,5,3)" },
	  "-f:1:18: stddev: ddof must be 0 or 1\n"
	  "  r=stddev(close,5,3)\n                   ^" },
	{ PRICES, { "r=if(close>1,2)" },
	  "-f:1:3: wrong number of arguments to if: 2 given, expected "
	  "if(cond, a, b)\n  r=if(close>1,2)\n    ^~" },
	{ PRICES, { "r=least(close)" },
	  "-f:1:3: wrong number of arguments to least: 1 given, expected "
	  "least(a, b, ...)\n  r=least(close)\n    ^~~~~" },
	{ PRICES, { "r=dow(close)" },
	  "-f:1:3: wrong number of arguments to dow: 1 given, expected "
	  "dow()\n  r=dow(close)\n    ^~~" },
	{ "symbol:t,day:d,close", { "r=month()" },
	  "-f:1:3: month() reads column \"date\", which the input lacks\n"
	  "  r=month()\n    ^~~~~" },
	{ "symbol:t,date,close", { "r=week()" },
	  "-f:1:3: week() reads column \"date\", which holds no dates\n"
	  "  r=week()\n    ^~~~" },
	{ PRICES, { "r=vol(20,bogus)" },
	  "-f:1:10: vol: method must be one of close, parkinson, "
	  "garman_klass, rogers_satchell, gk_yz, yang_zhang\n"
	  "  r=vol(20,bogus)\n           ^~~~~" },
	{ PRICES, { "r=vol(20,1)" },
	  "-f:1:10: vol: method must be one of close, parkinson, "
	  "garman_klass, rogers_satchell, gk_yz, yang_zhang\n"
	  "  r=vol(20,1)\n           ^" },
	{ PRICES, { "r=vol(2,close)" },
	  "-f:1:7: vol: n must be at least 3 for method close\n"
	  "  r=vol(2,close)\n        ^" },
	{ PRICES, { "r=sma(close,close)" },
	  "-f:1:13: argument 2 of sma must be a constant number, as in "
	  "sma(x, n)\n  r=sma(close,close)\n              ^~~~~" },
	{ PRICES, { "close=sma(close,5)" },
	  "-f:1:1: feature \"close\" has the name of an input column\n"
	  "  close=sma(close,5)\n  ^~~~~" },
	{ PRICES, { "r=close", "t:r=lead(close,1)" },
	  "-f:2:1: \"r\" is defined twice\n  r=lead(close,1)\n  ^" },
	{ PRICES, { "r=lead(close,1)" },
	  "-f:1:3: lead() looks ahead, so only a target may use it "
	  "(--target, or a \"target\" line in a spec file): a feature must "
	  "use its own and earlier rows only\n  r=lead(close,1)\n    ^~~~" },
	{ PRICES, { "r=close/abs(lead(close,1))" },
	  "-f:1:13: lead() looks ahead, so only a target may use it "
	  "(--target, or a \"target\" line in a spec file): a feature must "
	  "use its own and earlier rows only\n"
	  "  r=close/abs(lead(close,1))\n              ^~~~" },
	{ PRICES, { "t:y=sma(lead(close,1),5)" },
	  "-f:1:7: lead() inside sma(): sma keeps state from row to row and "
	  "cannot take future values; write lead(sma(...), k) instead\n"
	  "  y=sma(lead(close,1),5)\n        ^~~~" },
	{ PRICES, { "t:y=cs_rank(lead(close,1))" },
	  "-f:1:11: lead() inside cs_rank(): the rows of a date are combined "
	  "before any later row is known; write lead(cs_rank(...), k) "
	  "instead\n  y=cs_rank(lead(close,1))\n            ^~~~" },
	{ PRICES, { "r=ref(1,close)" },
	  "-f:1:7: ref: the first argument is a symbol, as in ref(SPY, close) "
	  "or ref(\"BRK.B\", close)\n  r=ref(1,close)\n        ^" },
	{ PRICES, { "r=ref(SPY)" },
	  "-f:1:3: wrong number of arguments to ref: 1 given, expected "
	  "ref(SYMBOL, x)\n  r=ref(SPY)\n    ^~~" },
	{ PRICES, { "r=cs_quantile(close,2.5)" },
	  "-f:1:21: cs_quantile: q must be a whole number from 1 to 1000\n"
	  "  r=cs_quantile(close,2.5)\n                      ^~~" },
	{ PRICES, { "r=cs_quantile(close,volume)" },
	  "-f:1:21: cs_quantile: q must be a whole number from 1 to 1000\n"
	  "  r=cs_quantile(close,volume)\n                      ^~~~~~" },
	{ PRICES, { "r=cs_rank(macd(close,12,26,9))" },
	  "-f:1:11: macd gives 3 outputs (macd, signal, hist): pick one, as in "
	  "macd(...).signal\n  r=cs_rank(macd(close,12,26,9))\n            ^~~~" },
	{ PRICES, { "t:y=lead(close,0)" },
	  "-f:1:14: lead: k must be a whole number from 1 to 10000\n"
	  "  y=lead(close,0)\n               ^" },
	{ PRICES, { "t:y=lead(close,close)" },
	  "-f:1:14: argument 2 of lead must be a constant number, as in "
	  "lead(x, k=1)\n  y=lead(close,close)\n               ^~~~~" },
	{ PRICES, { "m=macd(close,12,26,9)", "x=m+1" },
	  "-f:2:3: macd gives 3 outputs (macd, signal, hist): pick one, as "
	  "in macd(...).signal\n  x=m+1\n    ^" },
	{ PRICES, { "x=sma(bbands(close,20,2),5)" },
	  "-f:1:7: bbands gives 3 outputs (upper, middle, lower): pick one, "
	  "as in bbands(...).middle\n  x=sma(bbands(close,20,2),5)\n"
	  "        ^~~~~~" },
	{ PRICES, { "x=close.signal" },
	  "-f:1:8: '.signal' picks an output of a function with several, but "
	  "this value has one\n  x=close.signal\n         ^~~~~~~" },
	{ PRICES, { "x=macd(close,12,26,9).foo" },
	  "-f:1:23: macd has no output \"foo\" (it has macd, signal, hist)\n"
	  "  x=macd(close,12,26,9).foo\n                        ^~~" },
	{ "symbol:t,date:d,close", { "a=atr(14)" },
	  "-f:1:3: atr reads column \"high\", which the input lacks\n"
	  "  a=atr(14)\n    ^~~" },
	{ PRICES, { "t:y=lead(close,1)", "z=y*2" },
	  "-f:2:3: \"y\" is a target, and a feature cannot use a target: "
	  "targets look ahead\n  z=y*2\n    ^" },
	{ PRICES, { "a=b+1", "b=close" },
	  "-f:1:3: \"b\" is defined later (-f:2): a definition can use only "
	  "those before it\n  a=b+1\n    ^" },
	{ "close,m_signal", { "m=macd(close,12,26,9)" },
	  "-f:1:1: feature \"m_signal\" has the name of an input column\n"
	  "  m=macd(close,12,26,9)\n  ^" },
	{ PRICES, { "b=bbands(close,5,2)", "b_upper=close" },
	  "-f:2:1: \"b_upper\" is defined twice\n  b_upper=close\n  ^~~~~~~" },
	{ PRICES, { NULL },
	  "no features: give -f NAME=EXPR, --target NAME=EXPR or -F FILE" },
	/* These compile. */
	{ PRICES, { "m=macd(close,12,26,9)", "x=m_signal-m.hist",
	  "t:y=lead(x,2)-lead(m_hist,1)" }, NULL },
	{ PRICES, { "t:y=lead(lead(close,2)/close,3)>1", "t:z=-y" }, NULL },
	{ "sym:t,x y", { "a=\"x y\"*2" }, NULL },
};

static void
test_check_errors(void **unused)
{
	size_t i, j;

	(void)unused;
	for (i = 0; i < sizeof(chk_cases) / sizeof(chk_cases[0]); i++) {
		const struct chk_case *c = &chk_cases[i];
		struct pp_spec *s = pp_spec_new();
		struct pp_err e = PP_ERR_INIT;
		struct pp_schema sc;
		struct pp_plan *p;

		mk_schema(&sc, c->cols);
		for (j = 0; j < 4 && c->defs[j]; j++) {
			int t = strncmp(c->defs[j], "t:", 2) == 0;

			assert_int_equal(pp_spec_add(s, t, c->defs[j] + 2 * t,
			    "-f", (long)j + 1, &e), 0);
		}
		p = pp_plan_compile(s, &sc, &e);
		if (c->msg == NULL) {
			if (p == NULL)
				fail_msg("case %zu: %s", i, e.msg);
		} else {
			assert_null(p);
			assert_int_equal(e.code, PP_EXIT_USAGE);
			if (strcmp(e.msg, c->msg) != 0)
				fail_msg("case %zu:\ngot:\n%s\nwant:\n%s", i,
				    e.msg, c->msg);
		}
		pp_plan_free(p);
		pp_schema_release(&sc);
		pp_spec_free(s);
	}
}

/* ---- evaluation -------------------------------------------------------- */

#define NROWS 6

struct ev_case {
	const char *defs[5];	/* "t:" prefix: a target */
	double close[NROWS];	/* column close; volume is row number */
	double want[5][NROWS];	/* per output */
	size_t nout;
};

#define N NAN
static const struct ev_case ev_cases[] = {
	{ { "a=1+2*3-4/2", "b=-close*2", "c=(close+1)*(close-1)",
	    "d=--close", "e=2*-3" },
	  { 1, 2, 3, -1, 0.5, N },
	  { { 5, 5, 5, 5, 5, 5 }, { -2, -4, -6, 2, -1, N },
	    { 0, 3, 8, -0.0, -0.75, N }, { 1, 2, 3, -1, 0.5, N },
	    { -6, -6, -6, -6, -6, -6 } }, 5 },
	{ { "lt=close<2", "le=close<=2", "gt=close>volume", "eq=close==2",
	    "ne=close!=2" },
	  { 1, 2, 3, N, 2, -0.0 },
	  { { 1, 0, 0, N, 0, 1 }, { 1, 1, 0, N, 1, 1 },
	    { 1, 1, 1, N, 0, 0 }, { 0, 1, 0, N, 1, 0 },
	    { 1, 0, 1, N, 0, 1 } }, 5 },
	{ { "a=abs(close)", "l=log(close)", "x=exp(close)", "s=sqrt(close)",
	    "g=sign(close)" },
	  { -2, 0, 1, N, 1e308, -0.0 },
	  { { 2, 0, 1, N, 1e308, 0 }, { N, -INFINITY, 0, N, 709.1962086421661, -INFINITY },
	    { 0.1353352832366127, 1, 2.718281828459045, N, INFINITY, 1 },
	    { N, 0, 1, N, 1e154, -0.0 }, { -1, 0, 1, N, 1, 0 } }, 5 },
	{ { "g=sign(close)", "s=sqrt(close)", "r=1/close" },
	  { 4.9406564584124654e-324, -4.9406564584124654e-324, INFINITY,
	    -INFINITY, 0, 3 },
	  { { 1, -1, 1, -1, 0, 1 },
	    { 2.2227587494850775e-162, N, INFINITY, N, 0, 1.7320508075688772 },
	    { INFINITY, -INFINITY, 0, -0.0, INFINITY, 1.0 / 3 } }, 3 },
	/* References, shared subexpressions, lags. */
	{ { "r=close/lag(close,1)-1", "r2=lag(r,1)", "r3=lag(close/lag(close,"
	    "1)-1,1)", "d=r2-r3", "s=sma(close,3)" },
	  { 1, 2, 4, 2, 3, 6 },
	  { { N, 1, 1, -0.5, 0.5, 1 }, { N, N, 1, 1, -0.5, 0.5 },
	    { N, N, 1, 1, -0.5, 0.5 }, { N, N, 0, 0, 0, 0 },
	    { N, N, 7.0 / 3, 8.0 / 3, 3, 11.0 / 3 } }, 5 },
	/* Targets: lead, nested leads, mixed with the current row. */
	{ { "f=close*10", "t:y=lead(close,1)", "t:z=lead(close,2)>close",
	    "t:w=lead(lead(close)-close,1)+f", "t:v=f" },
	  { 1, 2, 3, 2, 5, 4 },
	  { { 10, 20, 30, 20, 50, 40 }, { 2, 3, 2, 5, 4, N },
	    { 1, 0, 1, 1, N, N }, { 11, 19, 33, 19, N, N },
	    { 10, 20, 30, 20, 50, 40 } }, 5 },
	/* Multi-output: parts by name and by .part agree. */
	{ { "b=bbands(close,2,1)", "m=b_upper-b.middle" },
	  { 1, 3, 3, 5, 4, 4 },
	  { { N, 3, 3, 5, 5, 4 }, { N, 2, 3, 4, 4.5, 4 },
	    { N, 1, 3, 3, 4, 4 }, { N, 1, 0, 1, 0.5, 0 } }, 4 },
};

/* An infinite input is missing, as NaN is (issue 16: a zero-volume day
 * made volume/lag(volume) inf, and ema stayed empty for good after it):
 * windows holding it are NaN, recursions skip it and recover. */
static const struct ev_case inf_cases[] = {
	{ { "e=ema(close,2)", "v=var(close,2)", "s=sma(close,2)",
	    "m=max(close,2)", "w=lag(close,1)" },
	  { 1, 2, INFINITY, 3, 4, -INFINITY },
	  { { N, 1.5, N, 2.5, 3.5, N }, { N, 0.5, N, N, 0.5, N },
	    { N, 1.5, N, N, 3.5, N }, { N, 2, N, N, 4, N },
	    { N, 1, 2, N, 3, 4 } }, 5 },
	{ { "r=rsi(close,2)", "d=dema(close,2)", "z=zscore(close,2)",
	    "c=corr(close,volume,2)" },
	  { 1, -INFINITY, 2, 1, 2, 1 },
	  { { N, N, N, 50, 75, 37.5 }, { N, N, N, 1, 50.0 / 27, 91.0 / 81 },
	    { N, N, N, -M_SQRT1_2, M_SQRT1_2, -M_SQRT1_2 },
	    { N, N, N, -1, 1, -1 } }, 4 },
};
#undef N

static int
same(double x, double y)
{
	if (isnan(x) || isnan(y))
		return isnan(x) && isnan(y);
	if (x == 0 && y == 0)
		return signbit(x) == signbit(y);
	return x == y || fabs(x - y) <= 1e-12 * fabs(y);
}

static void
run_ev_cases(const struct ev_case *cases, size_t ncases)
{
	size_t i, j, r, k;

	for (i = 0; i < ncases; i++) {
		const struct ev_case *c = &cases[i];
		struct pp_spec *s = pp_spec_new();
		struct pp_err e = PP_ERR_INIT;
		struct pp_schema sc;
		struct pp_plan *p;
		double *regs[NROWS], *win[8];
		void *state;
		size_t nr, lead;

		mk_schema(&sc, "close,volume");
		for (j = 0; j < 5 && c->defs[j]; j++) {
			int t = strncmp(c->defs[j], "t:", 2) == 0;

			assert_int_equal(pp_spec_add(s, t, c->defs[j] + 2 * t,
			    "-f", (long)j + 1, &e), 0);
		}
		p = pp_plan_compile(s, &sc, &e);
		if (p == NULL)
			fail_msg("case %zu: %s", i, e.msg);
		assert_int_equal(pp_plan_nout(p), c->nout);
		nr = pp_plan_nregs(p);
		lead = pp_plan_lead(p);
		assert_true(lead < 8);
		state = malloc(pp_plan_state_size(p) + 1);
		pp_plan_state_init(p, state);
		for (r = 0; r < NROWS; r++) {
			union pp_cell row[2];

			row[0].f = c->close[r];
			row[1].f = (double)r;
			regs[r] = calloc(nr, sizeof(double));
			assert_int_equal(pp_plan_step(p, state, row, regs[r],
			    &e), 0);
		}
		for (r = 0; r < NROWS; r++) {
			for (k = 0; k <= lead; k++)
				win[k] = r + k < NROWS ? regs[r + k] : NULL;
			pp_plan_targets(p, win);
			for (k = 0; k < c->nout; k++) {
				double got = regs[r][pp_plan_out_reg(p, k)];

				if (!same(got, c->want[k][r]))
					fail_msg("case %zu output %s row %zu: "
					    "got %.17g want %.17g", i,
					    pp_plan_out_name(p, k), r, got,
					    c->want[k][r]);
			}
		}
		for (r = 0; r < NROWS; r++)
			free(regs[r]);
		free(state);
		pp_plan_free(p);
		pp_schema_release(&sc);
		pp_spec_free(s);
	}
}

static void
test_eval(void **unused)
{
	(void)unused;
	run_ev_cases(ev_cases, sizeof(ev_cases) / sizeof(ev_cases[0]));
}

static void
test_infinite_input_is_missing(void **unused)
{
	(void)unused;
	run_ev_cases(inf_cases, sizeof(inf_cases) / sizeof(inf_cases[0]));
}

/* Columns of other types: dates and int64 as numbers, text parsed. */
static void
test_eval_types(void **unused)
{
	struct pp_spec *s = pp_spec_new();
	struct pp_err e = PP_ERR_INIT;
	struct pp_schema sc;
	struct pp_plan *p;
	union pp_cell row[3];
	double regs[16];
	char state[64];

	(void)unused;
	mk_schema(&sc, "d:d,n:i,t:t");
	assert_int_equal(pp_spec_add(s, 0, "x=d+n+t", "-f", 1, &e), 0);
	p = pp_plan_compile(s, &sc, &e);
	assert_non_null(p);
	assert_true(pp_plan_nregs(p) <= 16);
	assert_true(pp_plan_state_size(p) <= sizeof(state));
	row[0].i = 10;
	row[1].i = -3;
	row[2].s.p = "2.5junk";
	row[2].s.len = 3;
	assert_int_equal(pp_plan_step(p, state, row, regs, &e), 0);
	assert_true(regs[pp_plan_out_reg(p, 0)] == 9.5);
	row[2].s.len = 0;	/* missing */
	assert_int_equal(pp_plan_step(p, state, row, regs, &e), 0);
	assert_true(isnan(regs[pp_plan_out_reg(p, 0)]));
	row[2].s.len = 7;
	assert_int_equal(pp_plan_step(p, state, row, regs, &e), -1);
	assert_int_equal(e.code, PP_EXIT_DATA);
	assert_string_equal(e.msg, "column \"t\": not a number: \"2.5junk\"");
	pp_plan_free(p);
	pp_schema_release(&sc);
	pp_spec_free(s);
}

/* Shared subexpressions share their state: one logret and one sma here. */
static void
test_cse(void **unused)
{
	struct pp_spec *s1 = pp_spec_new(), *s2 = pp_spec_new();
	struct pp_err e = PP_ERR_INIT;
	struct pp_schema sc;
	struct pp_plan *p1, *p2;

	(void)unused;
	mk_schema(&sc, "close");
	assert_int_equal(pp_spec_add(s1, 0, "a=sma(logret(close,1),5)", "-f",
	    1, &e), 0);
	assert_int_equal(pp_spec_add(s2, 0, "a=sma(logret(close,1),5)", "-f",
	    1, &e), 0);
	assert_int_equal(pp_spec_add(s2, 0, "b=sma(logret(close),5)*2", "-f",
	    2, &e), 0);
	assert_int_equal(pp_spec_add(s2, 0, "c=a/sma(logret(close,1),5)",
	    "-f", 3, &e), 0);
	p1 = pp_plan_compile(s1, &sc, &e);
	p2 = pp_plan_compile(s2, &sc, &e);
	assert_non_null(p1);
	assert_non_null(p2);
	assert_int_equal(pp_plan_state_size(p1), pp_plan_state_size(p2));
	/* A spec compiles again to the same plan. */
	pp_plan_free(p2);
	p2 = pp_plan_compile(s2, &sc, &e);
	assert_int_equal(pp_plan_state_size(p1), pp_plan_state_size(p2));
	pp_plan_free(p1);
	pp_plan_free(p2);
	pp_schema_release(&sc);
	pp_spec_free(s1);
	pp_spec_free(s2);
}

static void
test_list(void **unused)
{
	struct pp_buf b = PP_BUF_INIT;
	const struct pp_ind_def *all;
	size_t n, i;
	char want[128];
	static const char *own[] = { "abs(x)", "exp(x)", "lead(x, k=1)",
	    "log(x)", "sign(x)", "sqrt(x)", "cs_rank(x)", "cs_zscore(x)",
	    "cs_demean(x)", "cs_quantile(x, q)", "ref(SYMBOL, x)" };

	(void)unused;
	pp_expr_list(&b);
	all = pp_ind_all(&n);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "\n%s ", all[i].signature);
		if (strstr(b.data, want) == NULL)
			fail_msg("--list lacks %s", all[i].signature);
	}
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		snprintf(want, sizeof(want), "\n%s ", own[i]);
		assert_non_null(strstr(b.data, want));
	}
	/* Warm-up formulas from probing the table. */
	if (pp_ind_find("macd") != NULL)
		assert_non_null(strstr(b.data, "slow+sig-2 "));
	if (pp_ind_find("sma") != NULL)
		assert_non_null(strstr(b.data, "n-1 "));
	if (pp_ind_find("lag") != NULL)
		assert_non_null(strstr(b.data, "\nlag(x, k=1)              lag "));
	pp_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_syntax_depth),
		cmocka_unit_test(test_long_operator_chain),
		cmocka_unit_test(test_syntax_window),
		cmocka_unit_test(test_spec_file),
		cmocka_unit_test(test_check_errors),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_infinite_input_is_missing),
		cmocka_unit_test(test_eval_types),
		cmocka_unit_test(test_cse),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
