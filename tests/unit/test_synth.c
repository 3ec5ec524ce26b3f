/*
 * test_synth.c - the synthetic OHLCV generator.
 *
 * Plan: the private exp/log against libm on a table of edge arguments;
 * every bar of a long multi-symbol run is consistent and on a business day;
 * the output is ordered by symbol then date; the same arguments give the
 * same rows and another seed other rows; a symbol's rows do not depend on
 * which other symbols are asked for; argument errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "synth.h"
#include "banned.h"

static int64_t
day(int y, int m, int d)
{
	int64_t v;

	assert_int_equal(pp_date_from_ymd(y, m, d, &v), 0);
	return v;
}

static void
close_to(double got, double want, double rel)
{
	double diff = fabs(got - want);

	if (!(diff <= rel * fabs(want)))
		fail_msg("got %.17g, want %.17g (rel %.3g)", got, want,
		    diff / fabs(want));
}

static void
test_exp(void **state)
{
	static const double xs[] = {
		0.0, -0.0, 1.0, -1.0, 0.5, -0.3465, 0.3466, 1e-10, -1e-300,
		DBL_MIN, 2.302585092994046, 10.0, -10.0, 100.0, 700.0, -700.0,
		-0.6931471805599453, 0.6931471805599453, 0.0123456789
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		close_to(pp_synth_exp(xs[i]), exp(xs[i]), 4.5e-16);
	/* Beyond the range the argument is clamped, not undefined. */
	close_to(pp_synth_exp(1e308), exp(700.0), 4.5e-16);
	close_to(pp_synth_exp(-1e308), exp(-700.0), 4.5e-16);
}

static void
test_log(void **state)
{
	static const double xs[] = {
		1.0, 2.0, 0.5, 10.0, 0.1, 1e-300, 1e300, DBL_MIN, DBL_MAX,
		0.7071067811865476, 0.7071067811865475, 1.4142135623730951,
		1.0000000001, 0.9999999999, 3.0e5, 2.0e7, 123.456
	};
	size_t i;

	(void)state;
	assert_true(pp_synth_log(1.0) == 0.0);
	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		if (xs[i] == 1.0)
			continue;
		close_to(pp_synth_log(xs[i]), log(xs[i]), 4.5e-16);
	}
}

static void
test_consistent_bars(void **state)
{
	static const char *syms[] = { "ZZZ", "AAA", "MMM", "B", "^GSPC" };
	struct pp_err err = PP_ERR_INIT;
	struct pp_synth *s;
	struct pp_ohlcv_row r;
	char prev[16] = "";
	int64_t prevday = 0;
	size_t n = 0, nsym = 0;
	double sum = 0, sum2 = 0, lastclose = 0;
	size_t nret = 0;

	(void)state;
	s = pp_synth_new(syms, 5, day(1990, 1, 1), day(2019, 12, 31), 42, &err);
	assert_non_null(s);
	while (pp_synth_next(s, &r) == 1) {
		char sym[16];

		assert_true(r.symlen > 0 && r.symlen < sizeof(sym));
		memcpy(sym, r.sym, r.symlen);
		sym[r.symlen] = '\0';
		if (strcmp(sym, prev) != 0) {
			assert_true(strcmp(prev, sym) < 0);
			memcpy(prev, sym, sizeof(prev));
			nsym++;
			lastclose = 0;
		} else {
			assert_true(r.date > prevday);
		}
		prevday = r.date;
		assert_true(pp_date_weekday(r.date) < 5);
		assert_true(r.open > 0 && r.high > 0 && r.low > 0 && r.close > 0);
		assert_true(r.high >= r.open && r.high >= r.close);
		assert_true(r.low <= r.open && r.low <= r.close);
		assert_true(r.volume >= 1 && r.volume == floor(r.volume));
		/* 4 decimals: x * 10000 is a whole number up to rounding. */
		assert_true(fabs(r.close * 10000 - round(r.close * 10000)) <
		    1e-6 * r.close * 10000 + 1e-9);
		if (lastclose > 0) {
			double lr = log(r.close / lastclose);

			sum += lr;
			sum2 += lr * lr;
			nret++;
		}
		lastclose = r.close;
		n++;
	}
	assert_int_equal(nsym, 5);
	/* 1990-01-01 .. 2019-12-31 has 7827 weekdays. */
	assert_int_equal(n, 5 * 7827);
	{
		double mean = sum / (double)nret;
		double sd = sqrt(sum2 / (double)nret - mean * mean);

		/* Daily volatility of 15%..45% a year, regimes x0.8..x2.2. */
		assert_true(sd > 0.005 && sd < 0.06);
	}
	pp_synth_free(s);
}

/* All rows of one run, as text, for comparisons. */
static char *
run_text(const char *const *syms, size_t n, int64_t a, int64_t b,
    uint64_t seed, const char *only)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_synth *s = pp_synth_new(syms, n, a, b, seed, &err);
	struct pp_ohlcv_row r;
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(s);
	assert_non_null(fp);
	while (pp_synth_next(s, &r) == 1) {
		if (only && (r.symlen != strlen(only) ||
		    memcmp(r.sym, only, r.symlen) != 0))
			continue;
		fprintf(fp, "%.*s %lld %.17g %.17g %.17g %.17g %.17g\n",
		    (int)r.symlen, r.sym, (long long)r.date, r.open, r.high,
		    r.low, r.close, r.volume);
	}
	fclose(fp);
	pp_synth_free(s);
	return out;
}

static void
test_deterministic(void **state)
{
	static const char *two[] = { "AAA", "BBB" };
	static const char *three[] = { "CCC", "BBB", "AAA" };
	int64_t a = day(2020, 1, 1), b = day(2021, 6, 30);
	char *x, *y;

	(void)state;
	x = run_text(two, 2, a, b, 7, NULL);
	y = run_text(two, 2, a, b, 7, NULL);
	assert_string_equal(x, y);
	free(y);
	y = run_text(two, 2, a, b, 8, NULL);
	assert_true(strcmp(x, y) != 0);
	free(y);
	free(x);

	/* BBB's path is the same alone, with AAA, or with AAA and CCC. */
	x = run_text(two + 1, 1, a, b, 7, NULL);
	y = run_text(three, 3, a, b, 7, "BBB");
	assert_string_equal(x, y);
	free(y);
	y = run_text(two, 2, a, b, 7, "BBB");
	assert_string_equal(x, y);
	free(y);
	free(x);
}

static void
test_weekend_only(void **state)
{
	static const char *one[] = { "X" };
	struct pp_err err = PP_ERR_INIT;
	struct pp_synth *s;
	struct pp_ohlcv_row r;

	(void)state;
	/* 2024-01-06 is a Saturday: a valid range with no business day. */
	s = pp_synth_new(one, 1, day(2024, 1, 6), day(2024, 1, 7), 1, &err);
	assert_non_null(s);
	assert_int_equal(pp_synth_next(s, &r), 0);
	assert_int_equal(pp_synth_next(s, &r), 0);
	pp_synth_free(s);
	s = pp_synth_new(one, 1, day(2024, 1, 5), day(2024, 1, 5), 1, &err);
	assert_non_null(s);
	assert_int_equal(pp_synth_next(s, &r), 1);
	assert_int_equal(r.date, day(2024, 1, 5));
	assert_int_equal(pp_synth_next(s, &r), 0);
	pp_synth_free(s);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *syms[3];
		size_t n;
		int64_t a, b;
		const char *msg;
	} rows[] = {
		{ { "A" }, 0, 0, 10, "no symbols" },
		{ { "A" }, 1, 11, 10, "start after end" },
		{ { "A", "" }, 2, 0, 10, "empty symbol" },
		{ { "A", "B", "A" }, 3, 0, 10, "duplicate symbol \"A\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_err err = PP_ERR_INIT;

		assert_null(pp_synth_new(rows[i].syms, rows[i].n, rows[i].a,
		    rows[i].b, 1, &err));
		assert_string_equal(err.msg, rows[i].msg);
		assert_int_equal(err.code, PP_EXIT_USAGE);
	}
	pp_synth_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exp),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_consistent_bars),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_weekend_only),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
