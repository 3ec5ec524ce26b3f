/*
 * test_num.c - number <-> text conversions (lib/num.c).
 *
 * Plan:
 *  - pp_fmt_double: exact expected strings for a table of common and edge
 *    values (0, -0, short prices, 1/3, 1e-5, 2^53, 1e23, DBL_MAX, subnormals,
 *    inf, NaN); each also round-trips.
 *  - round trip of a few hundred thousand pseudo-random bit patterns and
 *    price-like values (fixed seed): bit-identical, never longer than
 *    "%.17g", and in the exact range no shorter digit string reads back.
 *  - pp_parse_double: tables of accepted inputs (bitwise expected values,
 *    missing spellings, inf/nan, halfway and sticky cases, long input) and
 *    rejected inputs (space, hex, junk, empty exponent, lone sign or dot);
 *    bitwise agreement with strtod on random decimal strings and on
 *    16-19 digit decimals next to the midpoint between two doubles, over
 *    the whole exponent range.  Each path has rows: Clinger's, the
 *    Eisel-Lemire multiplication (19 digits, any exponent; its give-ups:
 *    ties, the normal/subnormal and the overflow boundaries, 1e23), more
 *    than 19 digits (both ends of the cut rounding alike or not).
 *  - the word-at-a-time readers (up to 16 bytes, 17 to 24, longer):
 *    rows on each side of every 8-byte word and of the 15/19 digit
 *    limits, leading zeros, no digits before or after the point, shapes
 *    they must reject; every prefix of long decimals, parsed in place
 *    (more digits follow in memory) and from a heap copy of exactly its
 *    length, against strtod and its end pointer.
 *  - a differential test against strtod over about two million random
 *    decimals of mixed shapes (1-25 digits, leading zeros, point, sign,
 *    exponent), fixed seed.
 *  - pp_parse_long, pp_parse_int64, pp_fmt_int64: tables with range edges.
 *  - pp_fmt_double_canonical: a table of shapes it takes and refuses
 *    (each side of 15 digits, of 10^-4 and 10^17, zeros, signs); every
 *    text it takes, among a million random texts near and in its shapes,
 *    formats back to itself (soundness); every formatted double in its
 *    shapes is taken (so a copy of the text is used where it can be).
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "num.h"
#include "testutil.h"
#include "banned.h"

/* Format x, parse it back, demand the same bits; returns the length. */
static size_t
round_trip(double x, char buf[PP_DBL_BUFSZ])
{
	size_t n = pp_fmt_double(buf, x);
	double back = 0;

	assert_int_equal(n, strlen(buf));
	assert_true(n < PP_DBL_BUFSZ);
	if (pp_parse_double(buf, n, &back) != 0 ||
	    bits_of(back) != bits_of(x))
		fail_msg("%a -> \"%s\" -> %a", x, buf, back);
	return n;
}

static const struct {
	double x;
	const char *want;
} fmt_cases[] = {
	{ 0.0, "0" },
	{ -0.0, "-0" },
	{ 1.0, "1" },
	{ -1.0, "-1" },
	{ 0.1, "0.1" },
	{ 100.0, "100" },
	{ 123.45, "123.45" },
	{ -123.45, "-123.45" },
	{ 0.0012, "0.0012" },
	{ 0.07, "0.07" },
	{ 99.99, "99.99" },
	{ 1500000.0, "1500000" },
	{ 1.0 / 3, "0.3333333333333333" },
	{ 2.0 / 3, "0.6666666666666666" },
	{ 0.1 + 0.2, "0.30000000000000004" },
	{ 1e-4, "0.0001" },
	{ 1.2345e-4, "0.00012345" },
	{ 1e-5, "1e-05" },
	{ 1.5e-7, "1.5e-07" },
	{ 1e-300, "1e-300" },
	{ 1e15, "1000000000000000" },
	{ 2251799813685248.5, "2251799813685248.5" },
	{ 9007199254740991.0, "9007199254740991" },
	{ 9007199254740992.0, "9007199254740992" },
	{ 9007199254740994.0, "9007199254740994" },
	{ 1e16, "10000000000000000" },
	{ 1e17, "1e+17" },
	{ 123456789012345680.0, "1.2345678901234568e+17" },
	{ 1e22, "1e+22" },
	{ 1e23, "1e+23" },
	{ 1e308, "1e+308" },
	{ DBL_MAX, "1.7976931348623157e+308" },
	{ -DBL_MAX, "-1.7976931348623157e+308" },
	{ DBL_MIN, "2.2250738585072014e-308" },
	{ -DBL_MIN, "-2.2250738585072014e-308" },
	/* Subnormals hold fewer bits, so fewer digits: the shortest is searched. */
	{ DBL_TRUE_MIN, "5e-324" },
	{ 2 * DBL_TRUE_MIN, "1e-323" },
	{ DBL_MIN, "2.2250738585072014e-308" },
	{ 0x1p-1070, "8e-323" },
	{ INFINITY, "inf" },
	{ -INFINITY, "-inf" },
};

static void
test_fmt_table(void **state)
{
	char buf[PP_DBL_BUFSZ];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++) {
		round_trip(fmt_cases[i].x, buf);
		if (strcmp(buf, fmt_cases[i].want) != 0)
			fail_msg("%a: got \"%s\", want \"%s\"", fmt_cases[i].x,
			    buf, fmt_cases[i].want);
	}
}

static void
test_fmt_nan(void **state)
{
	char buf[PP_DBL_BUFSZ] = "junk";

	(void)state;
	assert_int_equal(pp_fmt_double(buf, NAN), 0);
	assert_string_equal(buf, "");
	assert_int_equal(pp_fmt_double(buf, -NAN), 0);
	assert_string_equal(buf, "");
}

/* Significant digits of a formatted number (no sign, point or exponent,
 * no leading or trailing zeros). */
static int
sig_digits(const char *s)
{
	int n = 0, z = 0, started = 0;

	for (; *s && *s != 'e'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s == '0' && !started)
			continue;
		started = 1;
		if (*s == '0') {
			z++;
		} else {
			n += z + 1;
			z = 0;
		}
	}
	return n;
}

static void
check_random_value(double x, int check_shortest)
{
	char buf[PP_DBL_BUFSZ], ref[64];
	size_t n = round_trip(x, buf);
	int nd;

	snprintf(ref, sizeof(ref), "%.17g", x);
	if (n > strlen(ref))
		fail_msg("%a: \"%s\" longer than %%.17g \"%s\"", x, buf, ref);
	if (!check_shortest)
		return;
	/* Exact range (and not a power of two, whose rounding interval is
	 * lopsided): one digit fewer must not read back. */
	nd = sig_digits(buf);
	if (nd > 1 && fabs(x) >= 1e-11 && fabs(x) < 0x1p53 &&
	    (bits_of(x) & ((1ULL << 52) - 1)) != 0) {
		snprintf(ref, sizeof(ref), "%.*e", nd - 2, x);
		if (strtod(ref, NULL) == x)
			fail_msg("%a: \"%s\" but \"%s\" reads back too", x, buf,
			    ref);
	}
}

static void
test_fmt_random_bits(void **state)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		double x = of_bits(rnd(&s));

		if (isnan(x))
			continue;
		check_random_value(x, i % 8 == 0);
	}
}

/* Values that land in the exact range: prices in cents, returns, sums. */
static void
test_fmt_random_prices(void **state)
{
	uint64_t s = 12345;
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		uint64_t r = rnd(&s);
		double x;

		switch (i % 4) {
		case 0:
			x = (double)(r % 100000000) / 100.0;
			break;
		case 1:
			x = (double)(r >> 11) * 0x1p-53 * 0.1 - 0.05;
			break;
		case 2:
			x = (double)(r % 1000000) / 10000.0 * 1.1;
			break;
		default:	/* 2^-90 .. 2^43: tiny to large */
			x = ldexp((double)(r >> 11), (int)(r % 80) - 143);
			break;
		}
		check_random_value(x, i % 4 == 0);
	}
}

struct parse_ok {
	const char *s;
	double want;
};

/* A row whose text is the C literal itself (rounded by the compiler). */
#define LIT(x) { #x, x }

static const struct parse_ok parse_ok_cases[] = {
	/* The 1-16 byte reader: lengths 1-3, 4-7, 8 (one whole word), 9-15
	 * and 16 (two words); up to 15 digits; 0-8 digits after the point in
	 * the last word, more reaching into the one before. */
	LIT(1.5), LIT(-1.5), LIT(.5), LIT(0.5), LIT(-.5), LIT(+.5),
	LIT(14.6279), LIT(-14.6279), LIT(3.69759), LIT(0.685322),
	LIT(0.0249457), LIT(-0.0165337), LIT(-0.000791506),
	LIT(0.000273363), LIT(1234567.5), LIT(0.1234567),
	LIT(0.12345678), LIT(-0.12345678), LIT(0.123456789),
	LIT(12345678.9), LIT(1234567.89), LIT(123456789.012345),
	LIT(0.12345678901234), LIT(.123456789012345), LIT(-.12345678901234),
	LIT(12345678901234.5), LIT(123456789012345.), LIT(1.23456789012345),
	LIT(000.5), LIT(0000000000000.5), LIT(-000000000000.25),
	LIT(0.000000000000001), LIT(98.56), LIT(100.37), LIT(-0.00),
	LIT(99999999999999.9), LIT(9.99999999999999),
	/* 17-24 bytes: a third word, up to 19 digits, past 2^53 too. */
	LIT(0.1234567890123456), LIT(-0.1234567890123456),
	LIT(0.12345678901234567), LIT(-0.12345678901234567),
	LIT(0.123456789012345678), LIT(-0.123456789012345678),
	LIT(-0.01653370002041196), LIT(14.62790001805912),
	LIT(-0.002821444838232245), LIT(103.68601380366918),
	LIT(123456789012345678.9), LIT(1.234567890123456789),
	LIT(9007199254740993.0), LIT(9007199254740995.0),
	LIT(90071992547409.925), LIT(-000000000000000.5),
	LIT(.1234567890123456789), LIT(0.00000000000000000001),
	/* Past 19 digits, or past 24 bytes: byte by byte. */
	LIT(0.1234567890123456789), LIT(-0.1234567890123456789),
	LIT(0.12345678901234567890), LIT(1.234567890123456789012),
	LIT(-0.0000000000000000012345), LIT(-0.00000000000000000123456),
	LIT(12345678901234567890.5), LIT(1234567890123456789012.),
	{ "0", 0.0 },
	{ "-0", -0.0 },
	{ "+0", 0.0 },
	{ "-0.000e5", -0.0 },
	{ "1", 1.0 },
	{ "+1", 1.0 },
	{ "1.", 1.0 },
	{ ".5", 0.5 },
	{ "-.5e3", -500.0 },
	{ "007", 7.0 },
	{ "123.456", 123.456 },
	{ "0.1", 0.1 },
	{ "1E3", 1000.0 },
	{ "1e+3", 1000.0 },
	{ "1e-3", 0.001 },
	{ "1e22", 1e22 },
	{ "1e-22", 1e-22 },
	{ "1e23", 1e23 },
	{ "1.23e25", 1.23e25 },
	{ "123456789012345678901234567890", 1.2345678901234568e29 },
	{ "9007199254740992", 9007199254740992.0 },
	/* Halfway between 2^53 and 2^53+2: ties to even. */
	{ "9007199254740993", 9007199254740992.0 },
	{ "9007199254740995", 9007199254740996.0 },
	{ "1.7976931348623157e308", DBL_MAX },
	{ "-1.7976931348623157e308", -DBL_MAX },
	{ "1.7976931348623159e308", INFINITY },
	{ "1e400", INFINITY },
	{ "-1e400", -INFINITY },
	{ "2.2250738585072014e-308", DBL_MIN },
	{ "4.9406564584124654e-324", DBL_TRUE_MIN },
	{ "5e-324", DBL_TRUE_MIN },
	{ "2.4703282292062328e-324", DBL_TRUE_MIN },
	{ "2.4703282292062327e-324", 0.0 },
	{ "1e-400", 0.0 },
	{ "-1e-400", -0.0 },
	{ "1e-99999999999999999999", 0.0 },
	{ "0e99999999999999999999", 0.0 },
	/* 19 digits and Eisel-Lemire; 2^52 + 1/2 and 2^52 + 3/2 are ties it
	 * leaves to the exact path. */
	{ "0.016533712345678912", 0.016533712345678912 },
	{ "-0.016533712345678912", -0.016533712345678912 },
	{ "1234567890123456789", 1234567890123456789.0 },
	{ "9999999999999999999", 1e19 },
	{ "4503599627370496.5", 4503599627370496.0 },
	{ "4503599627370497.5", 4503599627370498.0 },
	{ "1.234567890123456789e-300", 1.234567890123456789e-300 },
	{ "9.999999999999999999e307", 9.999999999999999999e307 },
	/* Either side of the midpoint between DBL_MAX and 2^1024. */
	{ "1.797693134862315807e308", DBL_MAX },
	{ "1.797693134862315808e308", INFINITY },
	/* Either side of the midpoint between the largest subnormal and
	 * DBL_MIN. */
	{ "2.2250738585072011e-308", 0x0.fffffffffffffp-1022 },
	{ "2.2250738585072012e-308", DBL_MIN },
	{ "2.2250738585072009e-308", 0x0.fffffffffffffp-1022 },
	{ "7.4109846876186982e-324", 2 * DBL_TRUE_MIN },
	/* 1e23 is the midpoint of two doubles (ties to the even one); 10^22
	 * is exact. */
	{ "100000000000000000000000", 0x1.52d02c7e14af6p+76 },
	{ "100000000000000000000001", 0x1.52d02c7e14af7p+76 },
	{ "99999999999999999999999", 0x1.52d02c7e14af6p+76 },
	{ "9.999999999999999e22", 0x1.52d02c7e14af6p+76 },
	{ "1.0000000000000001e23", 0x1.52d02c7e14af7p+76 },
	{ "10000000000000000000000", 1e22 },
	{ "9999999999999999999999", 1e22 },
	{ "1.0000000000000000001e22", 1e22 },
	/* Past 19 digits: 1 + 2^-53 exactly is a tie, so the 19 digits kept
	 * and the next unit up round apart; a hair either side, alike. */
	{ "1.00000000000000011102230246251565404236316680908203125", 1.0 },
	{ "1.00000000000000011102230246251565404236316680908203126",
	    0x1.0000000000001p+0 },
	{ "1.00000000000000011102230246251565404236316680908203124", 1.0 },
	{ "1.000000000000000000000000001", 1.0 },
	{ "3.14159265358979323846264338327950288", 3.14159265358979323846 },
	{ "inf", INFINITY },
	{ "INF", INFINITY },
	{ "-Inf", -INFINITY },
	{ "+infinity", INFINITY },
	{ "-INFINITY", -INFINITY },
};

static void
test_parse_ok(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_ok_cases) / sizeof(parse_ok_cases[0]);
	    i++) {
		const char *s = parse_ok_cases[i].s;
		double v = 42;

		if (pp_parse_double(s, strlen(s), &v) != 0)
			fail_msg("\"%s\" rejected", s);
		if (bits_of(v) != bits_of(parse_ok_cases[i].want))
			fail_msg("\"%s\": got %a, want %a", s, v,
			    parse_ok_cases[i].want);
	}
}

static void
test_parse_nan(void **state)
{
	static const char *const nans[] = {
		"", "NA", "N/A", "null", "NULL", "nan", "NaN", "NAN", "-nan",
		"+nan"
	};
	static const char *const missing[] = { "", "NA", "N/A", "null", "NULL" };
	static const char *const present[] = {
		"nan", "na", "Null", "N/a", "NA ", "0", "-NA"
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nans) / sizeof(nans[0]); i++) {
		double v = 0;

		assert_int_equal(pp_parse_double(nans[i], strlen(nans[i]), &v),
		    0);
		assert_true(isnan(v));
	}
	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
		assert_true(pp_is_missing(missing[i], strlen(missing[i])));
	for (i = 0; i < sizeof(present) / sizeof(present[0]); i++)
		assert_false(pp_is_missing(present[i], strlen(present[i])));
}

static void
test_parse_bad(void **state)
{
	static const char *const bad[] = {
		" 1", "1 ", "\t1", "1\n", "0x1p3", "0x10", "1e", "1e+", "1e-",
		"e5", ".e5", ".", "-", "+", "+-1", "--1", "-+1", "1..2",
		"1.2.3", "abc", "1,5", "1_000", "inf ", "infin", "infinityy",
		"nan(1)", "+NA", "-null", "N A", "1e5x", "1e5.0", "1f",
		"\xd9\xa1", "- 1", "1-", "0b1", "1e+-5",
		/* Shapes the word-at-a-time readers see first. */
		"1.5.", "1.2.3.4", "-.", "+.", "..5", "1.-5", "--1.5", "+-1.5",
		"1.5-", "1-.5", "1x.5", "1.5x", "1 .5", "1. 5", " 1.5", "1.5 ",
		"0.12345\xfa" "5", "\xfa" "1.5", "1.5\xff",
		"0.1234567\x80" "12",
		"-0.0165337123456789x", "-0.01653371234567.89",
		"0.0165337123456789..", "x0.01653371234567890",
		"123456789012345678.90x", "1.2345678901234567890123x",
		"-0.00000000000000000000000.5",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		double v = 42;

		if (pp_parse_double(bad[i], strlen(bad[i]), &v) != -1)
			fail_msg("\"%s\" accepted as %a", bad[i], v);
		assert_true(v == 42);
	}
}

/* len bounds the input: nothing past it is read, a NUL inside is junk. */
static void
test_parse_len(void **state)
{
	double v = 0;

	(void)state;
	assert_int_equal(pp_parse_double("123456", 3, &v), 0);
	assert_true(v == 123);
	assert_int_equal(pp_parse_double("1.5e3x", 5, &v), 0);
	assert_true(v == 1500);
	assert_int_equal(pp_parse_double("1\0", 2, &v), -1);
	assert_int_equal(pp_parse_double("NAN", 2, &v), 0);
	assert_true(isnan(v));
}

/*
 * Every prefix of some long decimals: parsed where it lies (more digits
 * follow in memory) and from a heap copy of exactly its length (ASan sees
 * any read past it), the two agree; a prefix is accepted exactly when
 * strtod reads all of it, and then with strtod's bits.
 */
static void
test_parse_prefixes(void **state)
{
	static const char *const src[] = {
		"-0.016533712345678912345678901",
		"14.627900018059123456789012345",
		"0.000000000000000000000000123456",
		"123456789012345678901234567890.5",
		"+.12345678901234567890123456789",
		"9007199254740993.00000000000001",
		"-1.2345678901234567e-300123456",
		"5.47552e-05123456789012345678",
	};
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		for (n = 1; n <= strlen(src[i]); n++) {
			char pre[64], *end, *h = malloc(n);
			double v = 42, vh = 42, want;
			int rc, rch;

			assert_non_null(h);
			memcpy(h, src[i], n);
			memcpy(pre, src[i], n);
			pre[n] = '\0';
			rc = pp_parse_double(src[i], n, &v);
			rch = pp_parse_double(h, n, &vh);
			free(h);
			want = strtod(pre, &end);
			if (rc != rch || (rc == 0 && bits_of(v) != bits_of(vh)))
				fail_msg("\"%s\": in place %d %a, copy %d %a",
				    pre, rc, v, rch, vh);
			if (rc != (end == pre + n ? 0 : -1))
				fail_msg("\"%s\": rc %d", pre, rc);
			if (rc == 0 && bits_of(v) != bits_of(want))
				fail_msg("\"%s\": got %a, strtod %a", pre, v,
				    want);
		}
	}
}

/* Inputs longer than the digits the slow path keeps. */
static void
test_parse_long_input(void **state)
{
	static char s[3000];
	double v = 0;
	size_t n;

	(void)state;
	/* 2^53 + 1 (a tie) followed by zeros, then a 1 past 2000 digits:
	 * just above the tie, so it rounds up. */
	n = (size_t)snprintf(s, sizeof(s), "9007199254740993.");
	memset(s + n, '0', 2000);
	n += 2000;
	s[n++] = '1';
	s[n] = '\0';
	assert_int_equal(pp_parse_double(s, n, &v), 0);
	assert_true(v == 9007199254740994.0);
	/* Without the final 1 it is the tie and goes to even. */
	assert_int_equal(pp_parse_double(s, n - 1, &v), 0);
	assert_true(v == 9007199254740992.0);
	/* Same with the digits before the point. */
	n = (size_t)snprintf(s, sizeof(s), "9007199254740993");
	memset(s + n, '0', 2000);
	n += 2000;
	s[n++] = '1';
	n += (size_t)snprintf(s + n, sizeof(s) - n, "e-2001");
	assert_int_equal(pp_parse_double(s, n, &v), 0);
	assert_true(v == 9007199254740994.0);
	/* Many leading zeros after the point. */
	n = (size_t)snprintf(s, sizeof(s), "0.");
	memset(s + n, '0', 2500);
	n += 2500;
	n += (size_t)snprintf(s + n, sizeof(s) - n, "15e2600");
	assert_int_equal(pp_parse_double(s, n, &v), 0);
	assert_true(v == strtod(s, NULL));
	assert_true(v == 1.5e99);
}

/* Random decimal strings against glibc strtod (C locale), bitwise. */
static void
test_parse_vs_strtod(void **state)
{
	uint64_t s = 7;
	char buf[80];
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		uint64_t r = rnd(&s);
		int nd = 1 + (int)(r % 25), point = (int)((r >> 8) % 27) - 1;
		int k, n = 0;
		double v = 42, want;

		if ((r >> 16) & 1)
			buf[n++] = '-';
		for (k = 0; k < nd; k++) {
			if (k == point)
				buf[n++] = '.';
			buf[n++] = (char)('0' + rnd(&s) % 10);
		}
		switch ((r >> 20) % 4) {
		case 0:
			break;
		case 1:	/* Clinger's range and just past it */
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "e%d",
			    (int)((r >> 24) % 81) - 40);
			break;
		default:
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "E%+d",
			    (int)((r >> 24) % 701) - 350);
			break;
		}
		buf[n] = '\0';
		want = strtod(buf, NULL);
		if (pp_parse_double(buf, (size_t)n, &v) != 0)
			fail_msg("\"%s\" rejected", buf);
		if (bits_of(v) != bits_of(want))
			fail_msg("\"%s\": got %a, strtod %a", buf, v, want);
	}
}

/* 100,000 decimals within a hair of the midpoint between two doubles, with
 * 16 to 19 digits, binary exponents from lo to lo + span - 1, against
 * strtod. */
static void
near_halfway(uint64_t s, int lo, int span)
{
	char buf[64];
	int i;

	for (i = 0; i < 100000; i++) {
		uint64_t r = rnd(&s);
		double x = ldexp((double)((r >> 11) | 1ULL << 52),
		    (int)(r % (uint64_t)span) + lo);
		long double mid = (long double)x +
		    (long double)(nextafter(x, INFINITY) - x) / 2;
		int n = snprintf(buf, sizeof(buf), "%.*Le",
		    15 + (int)((r >> 8) % 4), mid);
		double v = 42, want = strtod(buf, NULL);

		assert_int_equal(pp_parse_double(buf, (size_t)n, &v), 0);
		if (bits_of(v) != bits_of(want))
			fail_msg("\"%s\": got %a, strtod %a", buf, v, want);
	}
}

/* Near 1: the hardest cases for the 128-bit path. */
static void
test_parse_near_halfway(void **state)
{
	(void)state;
	near_halfway(31337, -152, 160);
}

/* Anywhere in the normal range, where the multiplication by a 128-bit
 * power of five decides. */
static void
test_parse_near_halfway_wide(void **state)
{
	(void)state;
	near_halfway(4242, -1074, 2045);
}

/*
 * Random decimals of mixed shapes against strtod, bitwise: 1 to 25 digits
 * (all the word boundaries), sometimes leading zeros, the point anywhere or
 * nowhere, a sign or not, and an exponent or not: small, in Clinger's
 * range and past it, or anywhere a double can reach, with or without a
 * sign and leading zeros.  The string is not NUL-terminated for the parse:
 * more digits follow it, and one in sixteen is parsed from a heap copy of
 * exactly its length, so that ASan sees any read past the end.
 */
static void
test_parse_differential(void **state)
{
	uint64_t s = 20240611;
	char buf[96];
	long i;

	(void)state;
	for (i = 0; i < 2000000; i++) {
		uint64_t r = rnd(&s), d = rnd(&s);
		int nd = 1 + (int)(r % 25), nz = 0, point = -1, n = 0, k;
		int ex = 0, eshape = (int)((r >> 5) % 8);
		double v = 42, want;

		if ((r >> 8) & 1)
			buf[n++] = (r >> 9) & 1 ? '-' : '+';
		if ((r >> 10) % 4 == 0)
			nz = 1 + (int)((r >> 12) % 6);
		if ((r >> 15) % 4 != 0)
			point = (int)((r >> 17) % (unsigned)(nz + nd + 1));
		for (k = 0; k < nz + nd; k++) {
			if (k == point)
				buf[n++] = '.';
			if (k < nz) {
				buf[n++] = '0';
			} else {
				if (d < 10)
					d = rnd(&s);
				buf[n++] = (char)('0' + d % 10);
				d /= 10;
			}
		}
		if (point == nz + nd)
			buf[n++] = '.';
		switch (eshape) {
		case 0: case 1: case 2: case 3:
			break;
		case 4:	/* e-05, the shape %g writes */
			ex = (int)((r >> 24) % 12);
			n += snprintf(buf + n, 8, "e-%02d", ex);
			break;
		case 5:
			ex = (int)((r >> 24) % 61) - 30;
			n += snprintf(buf + n, 8, "E%+d", ex);
			break;
		default:
			ex = (int)((r >> 24) % 701) - 350;
			n += snprintf(buf + n, 8, "e%d", ex);
			break;
		}
		buf[n] = '\0';
		want = strtod(buf, NULL);
		for (k = n; k < n + 16; k++)
			buf[k] = (char)('0' + k % 10);
		if (i % 16 == 0) {
			char *h = malloc((size_t)n);

			assert_non_null(h);
			memcpy(h, buf, (size_t)n);
			if (pp_parse_double(h, (size_t)n, &v) != 0)
				fail_msg("\"%.*s\" rejected", n, buf);
			free(h);
		} else if (pp_parse_double(buf, (size_t)n, &v) != 0) {
			fail_msg("\"%.*s\" rejected", n, buf);
		}
		if (bits_of(v) != bits_of(want))
			fail_msg("\"%.*s\": got %a, strtod %a", n, buf, v,
			    want);
	}
}

/* pp_parse_decimal on buf[0..n) (the plain shape), w and nfrac read as
 * its caller reads them, against strtod, bitwise. */
static void
decimal_case(const char *buf, int n)
{
	uint64_t w = 0;
	int k, nfrac = 0, frac = 0;
	double v = 42, want = strtod(buf, NULL);

	for (k = *buf == '-'; k < n; k++) {
		if (buf[k] == '.') {
			frac = 1;
			continue;
		}
		w = w * 10 + (uint64_t)(buf[k] - '0');
		nfrac += frac;
	}
	assert_int_equal(pp_parse_decimal(w, nfrac, *buf == '-', buf,
	    (size_t)n, &v), 0);
	if (bits_of(v) != bits_of(want))
		fail_msg("\"%.*s\": got %a, strtod %a", n, buf, v, want);
}

/*
 * pp_parse_decimal, pp-serve's reader for numbers whose digits it has
 * read itself: random tokens of 1 to 19 digits, leading zeros or not, the
 * point anywhere or nowhere, a sign or not (every path of to_double: 0,
 * Clinger's, Eisel-Lemire's and the exact ones), and decimals within a
 * hair of the midpoint between two doubles printed with as many digits as
 * 19 allow, all against strtod.
 */
static void
test_parse_decimal(void **state)
{
	uint64_t s = 1402;
	char buf[64];
	long i;

	(void)state;
	for (i = 0; i < 1000000; i++) {
		uint64_t r = rnd(&s), d = rnd(&s);
		int nd = 1 + (int)(r % 19), nz = 0, point, n = 0, k;

		if ((r >> 8) & 1)
			buf[n++] = '-';
		if ((r >> 10) % 4 == 0)
			nz = 1 + (int)((r >> 12) % 6);
		if (nz + nd > 19)
			nz = 19 - nd;
		point = (r >> 15) % 4 == 0 ? -1 :
		    1 + (int)((r >> 17) % (unsigned)(nz + nd));
		for (k = 0; k < nz + nd; k++) {
			if (k == point)
				buf[n++] = '.';
			if (k < nz) {
				buf[n++] = '0';
			} else {
				if (d < 10)
					d = rnd(&s);
				buf[n++] = (char)('0' + d % 10);
				d /= 10;
			}
		}
		buf[n] = '\0';
		decimal_case(buf, n);
	}
	for (i = 0; i < 200000; i++) {
		uint64_t r = rnd(&s);
		double x = ldexp((double)((r >> 11) | 1ULL << 52),
		    (int)(r % 40) - 70);
		long double mid = (long double)x +
		    (long double)(nextafter(x, INFINITY) - x) / 2;
		int lead = (int)floor(log10((double)mid)) + 1;
		int n = snprintf(buf, sizeof(buf), "%.*Lf",
		    lead > 0 ? 19 - lead : 18, mid);

		if (n - 1 <= 19)	/* not when rounding made 10.000... */
			decimal_case(buf, n);
	}
}

static void
test_parse_long_table(void **state)
{
	static const struct {
		const char *s;
		long min, max;
		int rc;
		long want;
	} cases[] = {
		{ "0", 0, 10, 0, 0 },
		{ "10", 0, 10, 0, 10 },
		{ "+7", 0, 10, 0, 7 },
		{ "-5", -10, 10, 0, -5 },
		{ "007", 0, 10, 0, 7 },
		{ "9223372036854775807", LONG_MIN, LONG_MAX, 0, LONG_MAX },
		{ "-9223372036854775808", LONG_MIN, LONG_MAX, 0, LONG_MIN },
		{ "9223372036854775808", LONG_MIN, LONG_MAX, -1, 0 },
		{ "-9223372036854775809", LONG_MIN, LONG_MAX, -1, 0 },
		{ "11", 0, 10, -1, 0 },
		{ "-1", 0, 10, -1, 0 },
		{ "", 0, 10, -1, 0 },
		{ " 1", 0, 10, -1, 0 },
		{ "1 ", 0, 10, -1, 0 },
		{ "1x", 0, 10, -1, 0 },
		{ "0x10", 0, 100, -1, 0 },
		{ "1e3", 0, 10000, -1, 0 },
		{ "1.0", 0, 10, -1, 0 },
		{ "+", 0, 10, -1, 0 },
		{ "-", 0, 10, -1, 0 },
		{ "--1", -10, 10, -1, 0 },
		{ "+-1", -10, 10, -1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long v = 42;
		int rc = pp_parse_long(cases[i].s, cases[i].min, cases[i].max,
		    &v);

		if (rc != cases[i].rc)
			fail_msg("\"%s\": rc %d", cases[i].s, rc);
		assert_true(v == (rc == 0 ? cases[i].want : 42));
	}
}

static void
test_int64(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		int rc;
		int64_t want;
	} cases[] = {
		{ "0", 1, 0, 0 },
		{ "-0", 2, 0, 0 },
		{ "+12", 3, 0, 12 },
		{ "-1", 2, 0, -1 },
		{ "9223372036854775807", 19, 0, INT64_MAX },
		{ "-9223372036854775808", 20, 0, INT64_MIN },
		{ "9223372036854775808", 19, -1, 0 },
		{ "-9223372036854775809", 20, -1, 0 },
		{ "99999999999999999999", 20, -1, 0 },
		{ "123abc", 3, 0, 123 },
		{ "123abc", 4, -1, 0 },
		{ "1\0", 2, -1, 0 },
		{ "", 0, -1, 0 },
		{ "-", 1, -1, 0 },
		{ "+", 1, -1, 0 },
		{ " 1", 2, -1, 0 },
		{ "1 ", 2, -1, 0 },
		{ "1.5", 3, -1, 0 },
		{ "--1", 3, -1, 0 },
	};
	static const struct {
		int64_t v;
		const char *want;
	} fmt[] = {
		{ 0, "0" },
		{ 7, "7" },
		{ -1, "-1" },
		{ 1234567890, "1234567890" },
		{ INT64_MAX, "9223372036854775807" },
		{ INT64_MIN, "-9223372036854775808" },
	};
	char buf[PP_DBL_BUFSZ];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 42;
		int rc = pp_parse_int64(cases[i].s, cases[i].len, &v);

		if (rc != cases[i].rc)
			fail_msg("\"%s\"/%zu: rc %d", cases[i].s, cases[i].len,
			    rc);
		assert_true(v == (rc == 0 ? cases[i].want : 42));
	}
	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		int64_t back = 0;
		size_t n = pp_fmt_int64(buf, fmt[i].v);

		assert_string_equal(buf, fmt[i].want);
		assert_int_equal(n, strlen(fmt[i].want));
		assert_int_equal(pp_parse_int64(buf, n, &back), 0);
		assert_true(back == fmt[i].v);
	}
}

/* --- text that is its own formatting ---------------------------------- */

struct canon_row {
	const char *s;
	int want;
};

static const struct canon_row canon_rows[] = {
	{ "", 1 }, { "0", 1 }, { "-0", 1 }, { "1", 1 }, { "-1", 1 },
	{ "12.5383", 1 }, { "-0.0165337", 1 }, { "1135520", 1 },
	{ "0.0001", 1 }, { "-0.000123456789012345", 1 },
	{ "123456789012345", 1 }, { "12345678901234.5", 1 },
	{ "12345678901234500", 1 }, { "99999999999999900", 1 },
	{ "10", 1 }, { "100000000000000000", 0 }, { "1234567890123456", 0 },
	{ "1.234567890123456", 0 }, { "-0.0001234567890123456", 0 },
	{ "0.00001", 0 }, { "0.00009", 0 }, { "1.50", 0 }, { "1.0", 0 },
	{ "01", 0 }, { "00", 0 }, { "-00", 0 }, { "+1", 0 }, { "1e5", 0 },
	{ "1E5", 0 }, { "NA", 0 }, { "nan", 0 }, { "inf", 0 }, { "0.", 0 },
	{ ".5", 0 }, { "1.", 0 }, { "0.000", 0 }, { "-", 0 }, { "-.5", 0 },
	{ "1.2.3", 0 }, { "1,5", 0 }, { " 1", 0 }, { "1 ", 0 }, { "--1", 0 },
	{ "0.0", 0 }, { "-0.0", 0 }, { "0x10", 0 },
	{ "1e-05", 1 }, { "-3.48123e-05", 1 }, { "1.5e+17", 1 },
	{ "1.23456789012345e-300", 1 }, { "9.99e+300", 1 }, { "1e-300", 1 },
	{ "1e+17", 1 }, { "-1e-100", 1 }, { "1e-301", 0 }, { "1e+301", 0 },
	{ "1e-5", 0 }, { "1e-005", 0 }, { "1e+16", 0 }, { "1e-04", 0 },
	{ "1.0e-05", 0 }, { "1.e-05", 0 }, { "10e-05", 0 }, { "1e05", 0 },
	{ "1E-05", 0 }, { "1e-05x", 0 }, { "1e-", 0 }, { "1e-0", 0 },
	{ "0e-05", 0 }, { "1.234567890123456e-05", 0 }, { "1e+099", 0 },
	{ "1e-099", 0 }, { "1e-99", 1 }, { "1e-100", 1 },
};

/* If s is taken, it reads back and formats to itself. */
static int
canon_sound(const char *s, size_t len)
{
	char buf[PP_DBL_BUFSZ];
	double x;
	size_t n;

	if (!pp_fmt_double_canonical(s, len))
		return 0;
	if (pp_parse_double(s, len, &x) != 0)
		fail_msg("\"%.*s\": taken but does not parse", (int)len, s);
	n = pp_fmt_double(buf, x);
	if (n != len || memcmp(buf, s, len) != 0)
		fail_msg("\"%.*s\": taken but formats as \"%s\"", (int)len, s,
		    buf);
	return 1;
}

static void
test_canonical_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(canon_rows) / sizeof(canon_rows[0]); i++) {
		const char *s = canon_rows[i].s;

		if (pp_fmt_double_canonical(s, strlen(s)) != canon_rows[i].want)
			fail_msg("\"%s\": want %d", s, canon_rows[i].want);
		canon_sound(s, strlen(s));
	}
}

/* Random texts in and near the shapes: a sign, an integer part (none,
 * "0", digits with leading or trailing zeros), a point, fraction digits
 * (leading and trailing zeros), sometimes a stray byte. */
static void
test_canonical_random_text(void **state)
{
	static const char stray[] = "+-.eE0 x";
	uint64_t s = 0x2545f4914f6cdd1dULL;
	long i, taken = 0;
	char t[80];

	(void)state;
	for (i = 0; i < 1000000; i++) {
		uint64_t r = rnd(&s), u = rnd(&s);
		size_t n = 0, k, ni = r % 20, nf = (r >> 8) % 20;

		if (r >> 16 & 1)
			t[n++] = '-';
		if ((r >> 17 & 3) == 0) {
			t[n++] = '0';
		} else {
			for (k = 0; k < ni; k++, u /= 7)
				t[n++] = (char)('0' + (k == 0 && (r >> 19 & 7) ?
				    1 + u % 9 : (r >> 22 & 1) ? u % 10 :
				    u % 3 == 0 ? '9' - '0' : 0));
		}
		if (r >> 23 & 3) {
			t[n++] = '.';
			for (k = 0; k < nf; k++, u /= 5)
				t[n++] = (char)('0' + ((r >> 25 & 1) && k < 4 ?
				    0 : u % 10));
		}
		if ((r >> 44 & 7) == 0)	/* an exponent part, -319..319 */
			n += (size_t)snprintf(t + n, 12, "e%+0*d",
			    (int)(r >> 48 & 1) + 3, (int)((r >> 49) % 639) - 319);
		if ((r >> 26 & 31) == 0)
			t[(r >> 32) % (n + 1)] = stray[(r >> 40) % 8];
		t[n] = '\0';
		taken += canon_sound(t, n);
	}
	assert_true(taken > 100000);
}

/* Every formatted double in the shapes is taken: plain notation, at most
 * 15 significant digits. */
static void
test_canonical_complete(void **state)
{
	uint64_t s = 99;
	long i;

	(void)state;
	for (i = 0; i < 600000; i++) {
		uint64_t r = rnd(&s);
		char buf[PP_DBL_BUFSZ];
		double x;
		size_t n, k;
		int sig = 0, started = 0, want;

		switch (i % 3) {
		case 0:
			x = of_bits(r);
			break;
		case 1:
			x = (double)(int64_t)(r % 2000000000) / 10000.0 - 1e5;
			break;
		default:
			x = (double)(r >> 14) * pow(10, (double)((int)(r % 40) -
			    30));
			break;
		}
		n = pp_fmt_double(buf, x);
		for (k = 0; k < n; k++) {
			started |= buf[k] >= '1' && buf[k] <= '9';
			sig += started && buf[k] >= '0' && buf[k] <= '9';
		}
		/* trailing zeros of an integer are no significant digits */
		if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL)
			for (k = n; k > 0 && buf[k - 1] == '0' && sig > 1; k--)
				sig--;
		/* exponents to +-300 are taken; integers' zeros are no
		 * significant digits, but "1e+20" has none to drop */
		if (strchr(buf, 'e') != NULL)
			sig = 0;
		for (k = 0; strchr(buf, 'e') != NULL && k < n && buf[k] != 'e';
		    k++)
			sig += buf[k] >= '0' && buf[k] <= '9';
		want = !isinf(x) && sig <= 15 && (strchr(buf, 'e') == NULL ||
		    (fabs(x) >= 1e-300 && fabs(x) < 1e301));
		if (pp_fmt_double_canonical(buf, n) != want)
			fail_msg("%a: \"%s\": want %d", x, buf, want);
		canon_sound(buf, n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_table),
		cmocka_unit_test(test_fmt_nan),
		cmocka_unit_test(test_fmt_random_bits),
		cmocka_unit_test(test_fmt_random_prices),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_nan),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_len),
		cmocka_unit_test(test_parse_prefixes),
		cmocka_unit_test(test_parse_long_input),
		cmocka_unit_test(test_parse_vs_strtod),
		cmocka_unit_test(test_parse_near_halfway),
		cmocka_unit_test(test_parse_near_halfway_wide),
		cmocka_unit_test(test_parse_differential),
		cmocka_unit_test(test_parse_decimal),
		cmocka_unit_test(test_parse_long_table),
		cmocka_unit_test(test_int64),
		cmocka_unit_test(test_canonical_table),
		cmocka_unit_test(test_canonical_random_text),
		cmocka_unit_test(test_canonical_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
