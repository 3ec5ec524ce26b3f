/*
 * test_backtest.c - rules, periods and statistics (lib/backtest.c).
 *
 * Plan:
 *  - every rule on the fixture panel (panel_fixture.h): sign with costs,
 *    long-only, threshold, quantile:2 and :3 (a date of one symbol is
 *    skipped and its weights carry over), one symbol alone with another
 *    P; each statistic of man/pp-eval.1 against pandas/scipy to 1e-12
 *    relative, the deflated Sharpe ratio over 10 trials included.
 *  - the skipped-date count and the periods' dates.
 *  - a panel large enough for two threads gives the series of the same
 *    trading on a small panel, bit for bit, with periods skipped where
 *    the second thread's dates start.
 *  - the stationary bootstrap: the same seed gives the same interval,
 *    another seed another; the interval holds the point estimate.
 *  - pp_backtest_norm_ppf against scipy.stats.norm.ppf,
 *    pp_backtest_norm_cdf its inverse.
 *  - pp_backtest_rule_parse: good and bad rules.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "backtest.h"
#include "panel_fixture.h"
#include "banned.h"

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
	struct pp_bt_rule rule;
	double bps, ppy;
	long sym;
	size_t periods;
	double want[13];
} rows[] = {
	{ "sign, 10 bps", { PP_BT_SIGN, 0, 0 }, 10.0, 252.0, -1, 8, { -0.0002687499999999999, 0.011467054905872113, -0.3720461813527163, -0.5683252691015076, 0.03779463889100787, -0.002606929381041123, -0.07893576486275455, 0.18203385330756472, -2.0885439622902444, 0.5, 1.0, 1.0625, 0.05086760699585797 } },
	{ "long-only", { PP_BT_LONG_ONLY, 0, 0 }, 0.0, 252.0, -1, 8, { 0.0004302083333333332, 0.007828267026164636, 0.8723955824270634, 1.1748325110558626, 0.022088878749999985, 0.003230690533233993, 0.10694361399184271, 0.12426988648703274, 4.84151392210629, 0.625, 1.0, 0.6458333333333333, 0.07586893948003028 } },
	{ "threshold:0.5, 5 bps", { PP_BT_THRESHOLD, 0.5, 0 }, 5.0, 252.0, -1, 8, { -0.002297916666666667, 0.0073248500038816545, -4.980074156053997, -5.306219045398134, 0.030539690368594385, -0.018422100545284592, -0.4432883575541221, 0.11627838900672816, -14.515155596010217, 0.5714285714285714, 0.875, 0.6354166666666666, 0.00570604081542058 } },
	{ "quantile:2, 20 bps", { PP_BT_QUANTILE, 0, 2 }, 20.0, 252.0, -1, 7, { -0.013842857142857145, 0.02929522754891754, -7.501172135994707, -8.129624080537294, 0.1404282729619616, -0.0953406521652459, -0.972869193499639, 0.46504732017290457, -6.9278726639553865, 0.2857142857142857, 1.0, 2.0, 0.004932206056694786 } },
	{ "quantile:3", { PP_BT_QUANTILE, 0, 3 }, 0.0, 252.0, -1, 7, { 0.0033642857142857133, 0.023952221787788882, 2.229704639067386, 4.291983777124826, 0.04636643797112494, 0.02204693886006459, 1.192554033828615, 0.38022973318771375, 25.720199480738355, 0.42857142857142855, 1.0, 2.0, 0.11047519601129085 } },
	{ "sign, symbol A, P 12", { PP_BT_SIGN, 0, 0 }, 3.0, 12.0, 0, 8, { -0.010462500000000001, 0.032096681515161575, -1.1291872379784342, -1.2065404642464488, 0.12808437262714611, -0.08413978601548733, -0.12351640927595575, 0.11118616627723332, -0.9643362944479752, 0.375, 1.0, 0.625, 0.005110941656889468 } },
};

static const char *const stat_names[13] = {
	"mean", "sd", "sharpe", "sortino", "max_drawdown", "total_return",
	"cagr", "annualized_volatility", "calmar", "hit_rate", "exposure",
	"turnover", "deflated_sharpe"
};

static void
test_rules(void **state)
{
	struct pp_panel p;
	size_t i;

	(void)state;
	fixture_panel(&p);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_bt_opts o = PP_BT_OPTS_INIT;
		struct pp_bt_series s = PP_BT_SERIES_INIT;
		struct pp_bt_stats st;
		struct pp_err err = PP_ERR_INIT;
		double got[13];
		size_t k;

		o.rule = rows[i].rule;
		o.cost_bps = rows[i].bps;
		o.periods_per_year = rows[i].ppy;
		o.bootstrap = 0;
		o.trials = 10;
		assert_int_equal(pp_backtest_series(&p, &o, rows[i].sym, &s,
		    &err), 0);
		assert_int_equal(s.n, rows[i].periods);
		assert_int_equal(s.skipped, 8 - rows[i].periods);
		pp_backtest_stats(&s, &o, &st);
		got[0] = st.mean;
		got[1] = st.sd;
		got[2] = st.sharpe;
		got[3] = st.sortino;
		got[4] = st.max_drawdown;
		got[5] = st.total_return;
		got[6] = st.cagr;
		got[7] = st.annualized_volatility;
		got[8] = st.calmar;
		got[9] = st.hit_rate;
		got[10] = st.exposure;
		got[11] = st.turnover;
		got[12] = st.deflated_sharpe;
		for (k = 0; k < 13; k++)
			close_to(rows[i].name, stat_names[k], got[k],
			    rows[i].want[k]);
		assert_true(isnan(st.sharpe_ci_low));
		pp_backtest_series_release(&s);
	}
	pp_panel_release(&p);
}

/* quantile:2 skips date 2 (one symbol): periods are dates 0,1,3..7. */
static void
test_skipped_dates(void **state)
{
	static const size_t want[] = { 0, 1, 3, 4, 5, 6, 7 };
	struct pp_panel p;
	struct pp_bt_opts o = PP_BT_OPTS_INIT;
	struct pp_bt_series s = PP_BT_SERIES_INIT;
	struct pp_err err = PP_ERR_INIT;
	size_t i;

	(void)state;
	fixture_panel(&p);
	o.rule.kind = PP_BT_QUANTILE;
	o.rule.q = 2;
	assert_int_equal(pp_backtest_series(&p, &o, -1, &s, &err), 0);
	assert_int_equal(s.n, 7);
	for (i = 0; i < 7; i++)
		assert_int_equal(s.date[i], want[i]);
	/* The first period buys from nothing: turnover 2. */
	close_to("first", "turnover", s.turnover[0], 2);
	pp_backtest_series_release(&s);
	/* A symbol that does not trade: no period at all is an error. */
	o.rule.kind = PP_BT_QUANTILE;
	p.ndates = 1;
	p.dstart[1] = 1;
	assert_int_equal(pp_backtest_series(&p, &o, -1, &s, &err), -1);
	assert_string_equal(err.msg, "no date has 3 symbols with both a "
	    "prediction and a return");
	pp_backtest_series_release(&s);
	p.ndates = 8;
	pp_panel_release(&p);
}

static void
test_bootstrap(void **state)
{
	double x[500], lo1, hi1, lo2, hi2, lo3, hi3, sr, m = 0, ss = 0;
	uint64_t r = 88172645463325252ULL;
	size_t i;

	(void)state;
	for (i = 0; i < 500; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		x[i] = 0.0005 + 0.01 * ((double)(r >> 11) * 0x1.0p-53 - 0.5);
		m += x[i];
	}
	m /= 500;
	for (i = 0; i < 500; i++)
		ss += (x[i] - m) * (x[i] - m);
	sr = m / sqrt(ss / 499) * sqrt(252);
	pp_backtest_sharpe_ci(x, 500, 2000, 10, 7, 252, &lo1, &hi1);
	pp_backtest_sharpe_ci(x, 500, 2000, 10, 7, 252, &lo2, &hi2);
	pp_backtest_sharpe_ci(x, 500, 2000, 10, 8, 252, &lo3, &hi3);
	assert_true(lo1 == lo2 && hi1 == hi2);
	assert_true(lo1 != lo3 || hi1 != hi3);
	assert_true(lo1 < sr && sr < hi1);
	/* About +-1.96 sqrt(252/500) around the estimate for i.i.d. data. */
	assert_true(hi1 - lo1 > 2 && hi1 - lo1 < 4);
}

/* 200 symbols on one date (the radix path), predictions with ties:
 * quantile:5 weights follow rank by (prediction, symbol). */
static void
test_wide_date(void **state)
{
	struct pp_panel p;
	struct pp_bt_opts o = PP_BT_OPTS_INIT;
	struct pp_bt_series s = PP_BT_SERIES_INIT;
	struct pp_err err = PP_ERR_INIT;
	double gross = 0;
	size_t i, n = 200;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.n = n;
	p.nret = 1;
	p.nsym = n;
	p.ndates = 1;
	p.date = pp_xcalloc(n, sizeof(int64_t));
	p.sym = pp_xcalloc(n, sizeof(uint32_t));
	p.pred = pp_xcalloc(n, sizeof(double));
	p.ret = pp_xcalloc(n, sizeof(double));
	p.syms = pp_xcalloc(n, sizeof(char *));
	p.dstart = pp_xcalloc(2, sizeof(size_t));
	p.dstart[1] = n;
	for (i = 0; i < n; i++) {
		char nm[32];

		snprintf(nm, sizeof(nm), "S%03zu", i);
		p.syms[i] = pp_xstrdup(nm);
		p.sym[i] = (uint32_t)i;
		p.pred[i] = (double)(i % 7) - 3;	/* -3..3, tied */
		p.ret[i] = (double)i;
	}
	o.rule.kind = PP_BT_QUANTILE;
	o.rule.q = 5;
	assert_int_equal(pp_backtest_series(&p, &o, -1, &s, &err), 0);
	/* Ranked by (pred, symbol): pred -3 holds symbols 0, 7, ..., 196
	 * (29 of them), then -2 holds 1, 8, ... .  Bottom 40: the 29 with
	 * -3 and the first 11 with -2; top 40: the 28 with 3 (6, 13, ...
	 * 195) and the last 12 of the 28 with 2 (5, ..., 194). */
	for (i = 0; i < n; i++) {
		long pr = (long)(i % 7) - 3;
		size_t rank_in = i / 7;	/* place among its equals */

		if (pr == -3 || (pr == -2 && rank_in < 11))
			gross -= (double)i / 40;
		if (pr == 3 || (pr == 2 && rank_in >= 28 - 12))
			gross += (double)i / 40;
	}
	close_to("wide", "gross", s.gross[0], gross);
	close_to("wide", "turnover", s.turnover[0], 2);
	pp_backtest_series_release(&s);
	pp_panel_release(&p);
}

/* A panel of nd dates: 4 symbols trading, dates gap..gap+5 with 2 of
 * them only, and pad symbols more without a prediction (never held). */
static void
padded_panel(struct pp_panel *p, size_t nd, size_t pad, size_t gap)
{
	size_t ns = 4 + pad, d, k, i = 0;
	uint64_t r;

	memset(p, 0, sizeof(*p));
	p->n = nd * ns;
	p->nret = 1;
	p->nsym = ns;
	p->ndates = nd;
	p->date = pp_xcalloc(p->n, sizeof(int64_t));
	p->sym = pp_xcalloc(p->n, sizeof(uint32_t));
	p->pred = pp_xcalloc(p->n, sizeof(double));
	p->ret = pp_xcalloc(p->n, sizeof(double));
	p->syms = pp_xcalloc(ns, sizeof(char *));
	p->dstart = pp_xcalloc(nd + 1, sizeof(size_t));
	for (k = 0; k < ns; k++) {
		char nm[32];

		snprintf(nm, sizeof(nm), "S%05zu", k);
		p->syms[k] = pp_xstrdup(nm);
	}
	for (d = 0; d < nd; d++) {
		p->dstart[d] = i;
		for (k = 0; k < ns; k++, i++) {
			/* The same values whatever the padding. */
			r = (d * 4 + k) * 6364136223846793005ULL +
			    1442695040888963407ULL;
			r ^= r >> 29;
			r *= 0xbf58476d1ce4e5b9ULL;
			p->date[i] = (int64_t)d;
			p->sym[i] = (uint32_t)k;
			p->pred[i] = k >= 4 || (d >= gap && d <= gap + 5 &&
			    k >= 2) ?
			    NAN : (double)(r >> 40) / 1e6 - 8;
			p->ret[i] = (double)((r >> 20) & 0xfffff) / 1e7 - 0.05;
		}
	}
	p->dstart[nd] = i;
}

/* A large panel's dates are shared by two threads (the second from the
 * 50th): the series is the one of the same trading on a small panel, bit
 * for bit, whether or not periods are skipped where the second thread
 * starts (its incoming weights are those of the last period before). */
static void
test_threads(void **state)
{
	static const size_t gaps[] = { 40, 44, 45, 47, 49, 50 };
	struct pp_panel big, small;
	struct pp_bt_opts o = PP_BT_OPTS_INIT;
	struct pp_bt_series a = PP_BT_SERIES_INIT, b = PP_BT_SERIES_INIT;
	struct pp_err err = PP_ERR_INIT;
	size_t g;

	(void)state;
	o.rule.kind = PP_BT_QUANTILE;
	o.rule.q = 2;
	o.cost_bps = 10;
	for (g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		padded_panel(&big, 100, 700, gaps[g]);
		padded_panel(&small, 100, 0, gaps[g]);
		assert_int_equal(pp_backtest_series(&big, &o, -1, &a, &err),
		    0);
		assert_int_equal(pp_backtest_series(&small, &o, -1, &b, &err),
		    0);
		assert_int_equal(a.n, 94);
		assert_int_equal(a.skipped, 6);
		assert_int_equal(b.n, a.n);
		assert_int_equal(b.skipped, a.skipped);
		assert_memory_equal(a.date, b.date, a.n * sizeof(size_t));
		assert_memory_equal(a.gross, b.gross, a.n * sizeof(double));
		assert_memory_equal(a.turnover, b.turnover,
		    a.n * sizeof(double));
		assert_memory_equal(a.net, b.net, a.n * sizeof(double));
		assert_memory_equal(a.active, b.active, a.n);
		pp_backtest_series_release(&a);
		pp_backtest_series_release(&b);
		pp_panel_release(&big);
		pp_panel_release(&small);
	}
}

static const struct {
	double p, x;
} ppf_rows[] = {
	{ 0.975, 1.959963984540054 },
	{ 1e-10, -6.361340902404056 },
	{ 0.9, 1.2815515655446004 },
	{ 0.02, -2.053748910631823 },
	{ 0.99, 2.3263478740408408 },
};

static void
test_normal(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ppf_rows) / sizeof(ppf_rows[0]); i++) {
		close_to("ppf", "x", pp_backtest_norm_ppf(ppf_rows[i].p),
		    ppf_rows[i].x);
		close_to("cdf", "p", pp_backtest_norm_cdf(ppf_rows[i].x),
		    ppf_rows[i].p);
	}
	assert_true(pp_backtest_norm_ppf(0.5) == 0);
	assert_true(isinf(pp_backtest_norm_ppf(0)));
	assert_true(pp_backtest_norm_ppf(0) < 0);
	assert_true(isnan(pp_backtest_norm_ppf(1.5)));
}

static const struct {
	const char *s;
	int ok;
	enum pp_bt_rule_kind kind;
	double x;
	long q;
} parse_rows[] = {
	{ "sign", 1, PP_BT_SIGN, 0, 0 },
	{ "long-only", 1, PP_BT_LONG_ONLY, 0, 0 },
	{ "threshold:0.001", 1, PP_BT_THRESHOLD, 0.001, 0 },
	{ "threshold:0", 1, PP_BT_THRESHOLD, 0, 0 },
	{ "quantile:5", 1, PP_BT_QUANTILE, 0, 5 },
	{ "quantile:1", 0, PP_BT_SIGN, 0, 0 },
	{ "quantile:x", 0, PP_BT_SIGN, 0, 0 },
	{ "threshold:-1", 0, PP_BT_SIGN, 0, 0 },
	{ "threshold:", 0, PP_BT_SIGN, 0, 0 },
	{ "threshold:inf", 0, PP_BT_SIGN, 0, 0 },
	{ "Sign", 0, PP_BT_SIGN, 0, 0 },
	{ "", 0, PP_BT_SIGN, 0, 0 },
};

static void
test_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		struct pp_bt_rule r;
		struct pp_err err = PP_ERR_INIT;
		int rc = pp_backtest_rule_parse(parse_rows[i].s, &r, &err);

		if (!parse_rows[i].ok) {
			assert_int_equal(rc, -1);
			assert_int_equal(err.code, PP_EXIT_USAGE);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(r.kind, parse_rows[i].kind);
		assert_true(r.x == parse_rows[i].x);
		assert_int_equal(r.q, parse_rows[i].q);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_skipped_dates),
		cmocka_unit_test(test_wide_date),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_bootstrap),
		cmocka_unit_test(test_normal),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
