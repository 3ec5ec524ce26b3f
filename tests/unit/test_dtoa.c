/*
 * test_dtoa.c - the shortest-digits engine (lib/dtoa.c) behind
 * pp_fmt_double.
 *
 * Plan:
 *  - pp_dtoa_k: for every binary exponent a double has, both floors
 *    (log10(2^q) and log10(3/4 * 2^q)) checked by exact big integers.
 *  - the table of powers of ten: every entry checked by exact big-integer
 *    multiplication, g - 1 <= 10^-k * 2^-r < g, g in [2^127, 2^128) (a
 *    different computation from the repeated division that built it).
 *  - pp_fmt_double against an independent oracle built on printf and
 *    strtod: on random bit patterns, price-like values (cents, short
 *    decimals) and full-precision values (returns, ratios, tiny and huge),
 *    the output reads back, is not longer than "%.17g", has the fewest
 *    digits that read back, and has the digits of the correctly rounded
 *    decimal of that length.  2M values plain, 200k under ASan;
 *    PP_TEST_DTOA_N sets the count.  Every power of two (the lopsided
 *    rounding intervals) and every subnormal exponent too.
 *  - the short path (decimals of up to 15 digits) against Schubfach
 *    alone: the same digits and exponent for short decimals of 1 to 15
 *    digits at every scale the path takes, their neighbours one unit in
 *    the last place away and the halfway doubles between, every power of
 *    ten, integers to 2^53, values around 10^15 and the range's ends,
 *    random bit patterns and subnormals; and the path does take the
 *    short decimals (the formatter's speed depends on it).
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

#include "dtoa.h"
#include "num.h"
#include "testutil.h"
#include "banned.h"

#if defined(__SANITIZE_ADDRESS__)
#define ORACLE_N 200000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ORACLE_N 200000
#endif
#endif
#ifndef ORACLE_N
#define ORACLE_N 2000000
#endif

/* --- a small exact big integer: 32-bit limbs, little-endian ----------- */

#define BL 128

struct big {
	uint32_t w[BL];
};

static struct big *p5;		/* 5^0 .. 5^(NP5 - 1) */
#define NP5 720

static void
big_mul_small(struct big *b, uint32_t m)
{
	uint64_t c = 0;
	int i;

	for (i = 0; i < BL; i++) {
		c += (uint64_t)b->w[i] * m;
		b->w[i] = (uint32_t)c;
		c >>= 32;
	}
	assert_true(c == 0);
}

static void
big_shl(struct big *b, int sh)
{
	int i, lw = sh / 32, lb = sh % 32;

	assert_true(sh >= 0);
	for (i = BL - 1; i >= 0; i--) {
		uint64_t v = 0;

		if (i - lw >= 0)
			v = (uint64_t)b->w[i - lw] << lb;
		if (lb && i - lw - 1 >= 0)
			v |= b->w[i - lw - 1] >> (32 - lb);
		b->w[i] = (uint32_t)v;
	}
}

/* b = 5^e5 * m * 2^e2 for m < 2^128 (as hi, lo). */
static void
big_make(struct big *b, int e5, uint64_t hi, uint64_t lo, int e2)
{
	struct big m;
	int i, nl;

	assert_true(e5 >= 0 && e5 < NP5);
	memset(&m, 0, sizeof(m));
	m.w[0] = (uint32_t)lo;
	m.w[1] = (uint32_t)(lo >> 32);
	m.w[2] = (uint32_t)hi;
	m.w[3] = (uint32_t)(hi >> 32);
	/* schoolbook: 5^e5 times the 4-limb m */
	memset(b, 0, sizeof(*b));
	for (nl = BL; nl > 1 && p5[e5].w[nl - 1] == 0; nl--)
		;
	for (i = 0; i < 4; i++) {
		uint64_t c = 0;
		int j;

		for (j = 0; i + j < BL && j <= nl; j++) {
			c += (uint64_t)p5[e5].w[j] * m.w[i] + b->w[i + j];
			b->w[i + j] = (uint32_t)c;
			c >>= 32;
		}
	}
	big_shl(b, e2);
}

static int
big_cmp(const struct big *a, const struct big *b)
{
	int i;

	for (i = BL - 1; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

static int
setup(void **state)
{
	int i;

	(void)state;
	p5 = calloc(NP5, sizeof(*p5));
	if (p5 == NULL)
		return -1;
	p5[0].w[0] = 1;
	for (i = 1; i < NP5; i++) {
		p5[i] = p5[i - 1];
		big_mul_small(&p5[i], 5);
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(p5);
	return 0;
}

/* 10^k <= m/4 * 2^q (m = 4 or 3), all scaled by 5^330 * 2^1100. */
static int
pow10_le(int k, int m, int q)
{
	struct big a, b;

	big_make(&a, k + 330, 0, 4, k + 1100);
	big_make(&b, 330, 0, (uint64_t)m, q + 1100);
	return big_cmp(&a, &b) <= 0;
}

static void
test_k(void **state)
{
	int q, tq;

	(void)state;
	for (q = -1074; q <= 971; q++)
		for (tq = 0; tq < 2; tq++) {
			int k = pp_dtoa_k(q, tq), m = tq ? 3 : 4;

			if (!pow10_le(k, m, q) || pow10_le(k + 1, m, q))
				fail_msg("q %d threequarters %d: k %d", q, tq,
				    k);
		}
}

static void
test_table(void **state)
{
	int k;

	(void)state;
	for (k = PP_DTOA_K_MIN; k <= PP_DTOA_K_MAX; k++) {
		uint64_t hi, lo;
		int r;
		struct big one, glo, ghi;

		pp_dtoa_pow10(k, &hi, &lo, &r);
		assert_true(hi >> 63 == 1);
		/* (g - 1) * 2^r * 10^k <= 1 < g * 2^r * 10^k, times
		 * 5^400 * 2^2000. */
		big_make(&one, 400, 0, 1, 2000);
		big_make(&ghi, k + 400, hi, lo, r + k + 2000);
		big_make(&glo, k + 400, hi - (lo == 0), lo - 1, r + k + 2000);
		if (big_cmp(&glo, &one) > 0 || big_cmp(&ghi, &one) <= 0)
			fail_msg("10^%d: entry out of bounds", -k);
	}
}

/* --- pp_fmt_double against printf and strtod ------------------------- */

/* Significant digits of s (no sign, point, exponent, leading or trailing
 * zeros) into d; returns their count. */
static int
sig(const char *s, char *d)
{
	int n = 0, started = 0;

	for (; *s && *s != 'e'; s++) {
		if (*s < '0' || *s > '9' || (*s == '0' && !started))
			continue;
		started = 1;
		d[n++] = *s;
	}
	while (n > 0 && d[n - 1] == '0')
		n--;
	d[n] = '\0';
	return n;
}

/* The correctly rounded p-digit decimal of a: its digits into d; returns
 * 1 if it reads back as a. */
static int
rounded(double a, int p, char *d)
{
	char t[64];

	snprintf(t, sizeof(t), "%.*e", p - 1, a);
	sig(t, d);
	return strtod(t, NULL) == a;
}

static void
check(double x, int full)
{
	char buf[PP_DBL_BUFSZ], ref[64], got[32], want[32];
	double back = 0, a = fabs(x);
	int n, p, lopsided;
	size_t len = pp_fmt_double(buf, x);

	if (len != strlen(buf) || pp_parse_double(buf, len, &back) != 0 ||
	    bits_of(back) != bits_of(x))
		fail_msg("%a -> \"%s\" does not read back", x, buf);
	snprintf(ref, sizeof(ref), "%.17g", x);
	if (len > strlen(ref))
		fail_msg("%a: \"%s\" longer than %%.17g \"%s\"", x, buf, ref);
	if (x == 0 || isinf(x))
		return;
	n = sig(buf, got);
	/* A power of two has a lopsided rounding interval (twice as wide
	 * above): the nearest decimal of a length may miss it while one
	 * farther above is in. */
	lopsided = (bits_of(x) & ((1ULL << 52) - 1)) == 0 &&
	    a >= 2 * DBL_MIN;
	if (full) {
		for (p = 1; p <= 17 && !rounded(a, p, want); p++)
			;
		if (p == n + 1 && lopsided)
			return;
		if (p != n || strcmp(got, want) != 0)
			fail_msg("%a: \"%s\" but the oracle has %s", x, buf,
			    want);
		return;
	}
	if (n > 1 && rounded(a, n - 1, want))
		fail_msg("%a: \"%s\" but %s reads back", x, buf, want);
	if (!rounded(a, n, want) && lopsided)
		return;
	if (strcmp(got, want) != 0)
		fail_msg("%a: \"%s\" but the nearest %d digits are %s", x,
		    buf, n, want);
}

static void
test_oracle_random(void **state)
{
	uint64_t s = 0x2545f4914f6cdd1dULL;
	long i, total = ORACLE_N;
	const char *env = getenv("PP_TEST_DTOA_N");

	(void)state;
	if (env != NULL && pp_parse_long(env, 1, 1000000000, &total) != 0)
		fail_msg("PP_TEST_DTOA_N: bad count \"%s\"", env);
	for (i = 0; i < total; i++) {
		uint64_t r = rnd(&s);
		double x;

		switch (i % 6) {
		case 0:
		case 1:		/* any bit pattern */
			x = of_bits(r);
			if (isnan(x))
				continue;
			break;
		case 2:		/* prices in cents, up to 10^6 */
			x = (double)(r % 100000000) / 100.0;
			break;
		case 3:		/* short decimals: 1..6 digits, 10^-8..10^8 */
			x = (double)(r % 1000000) *
			    pow(10, (double)((int)(r >> 40) % 17 - 8));
			break;
		case 4:		/* returns and ratios, full precision */
			x = ((double)(r >> 11) * 0x1p-53 - 0.5) *
			    pow(10, (double)((int)(r >> 50) % 12 - 8));
			break;
		default:	/* full precision, tiny to huge */
			x = ldexp((double)(r >> 11) + 1, (int)(r % 2100) -
			    1130);
			break;
		}
		check(x, i % 64 == 0);
	}
}

static void
test_oracle_edges(void **state)
{
	static const double fixed[] = {
		0.0, -0.0, INFINITY, -INFINITY, DBL_MAX, -DBL_MAX, DBL_MIN,
		DBL_TRUE_MIN, 2 * DBL_TRUE_MIN, DBL_MIN - DBL_TRUE_MIN,
		0x1p53, 0x1p53 - 1, 0x1p53 + 2, 1e23, 9007199254740993.0,
		5e-324, 1e-11, 1e-11 * (1 + DBL_EPSILON), 1e-12, 1e22, 1e21,
		123456789012345680.0, 0.04304264346996372,
		-1.2345678901234567e-05, 123.456789012345, 2931.33,
	};
	size_t i;
	int e;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check(fixed[i], 1);
	for (e = -1074; e <= 1023; e++) {
		double x = ldexp(1, e);

		check(x, 1);
		check(nextafter(x, 0), 1);
		check(nextafter(x, INFINITY), 1);
	}
	for (e = 1; e < 4096; e++)	/* the first subnormals */
		check(of_bits((uint64_t)e), 1);
}

/* --- the short path against Schubfach alone ---------------------------- */

/* Where the short path settles a (finite, > 0), Schubfach alone agrees;
 * returns 1 if it settled. */
static int
agree(double a)
{
	uint64_t d1 = 0, d2 = 0;
	int e1 = 0, e2 = 0, n1, n2;

	if (!(a > 0) || isinf(a))
		return 0;
	if ((n1 = pp_dtoa_short(a, &d1, &e1)) == 0)
		return 0;
	n2 = pp_dtoa_schubfach(a, &d2, &e2);
	if (n1 != n2 || d1 != d2 || e1 != e2)
		fail_msg("%a: short path %llue%d (%d digits), Schubfach "
		    "%llue%d (%d)", a, (unsigned long long)d1, e1, n1,
		    (unsigned long long)d2, e2, n2);
	return 1;
}

/* a, its neighbours and the doubles halfway to them (as near as a double
 * gets: the neighbours of the neighbours). */
static void
agree_around(double a)
{
	agree(a);
	agree(nextafter(a, 0));
	agree(nextafter(a, INFINITY));
	agree(nextafter(nextafter(a, 0), 0));
	agree(nextafter(nextafter(a, INFINITY), INFINITY));
}

static const uint64_t p10[16] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL
};

static void
test_short_path(void **state)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, r, u;
	long i, total = ORACLE_N, inrange = 0, taken = 0, full = 0;
	int e, nd;
	double x;
	char t[64];

	(void)state;
	for (e = -330; e <= 310; e++) {	/* every power of ten */
		snprintf(t, sizeof(t), "1e%d", e);
		agree_around(strtod(t, NULL));
	}
	for (i = 0; i < 100000; i++) {	/* integers to 2^53, and around it */
		r = rnd(&s);
		agree_around((double)(r >> (11 + r % 53)));
		agree((double)((1ULL << 53) - (uint64_t)i));
	}
	for (i = 0; i < 10000; i++) {	/* around 10^15 and the range's ends */
		agree(1e15 - (double)i);
		agree(1e15 + 2 * (double)i);
		agree(1e-8 * (1 + (double)i * 0x1p-52));
		agree(1e-8 * (1 - (double)i * 0x1p-53));
		agree(1e36 * (1 + (double)i * 0x1p-52));
		agree(1e36 * (1 - (double)i * 0x1p-53));
	}
	for (i = 0; i < total; i++) {
		u = rnd(&s);
		r = rnd(&s);
		switch (i % 4) {
		case 0:		/* any bit pattern, subnormals among them */
			agree(fabs(of_bits(u)));
			agree(of_bits(u >> 12));
			break;
		case 1:		/* full precision at the path's scales */
			full += agree(ldexp((double)(u >> 11) + 1,
			    (int)(r % 180) - 110));
			break;
		default:	/* 1..15 digits, 10^-10..10^38, as strtod reads */
			nd = 1 + (int)(r % 15);
			snprintf(t, sizeof(t), "%llue%d", (unsigned long long)
			    (u % p10[nd]), (int)(r >> 20 & 63) - 10 - nd);
			x = strtod(t, NULL);
			agree_around(x);
			if (x >= 1e-7 && x < 1e35) {
				inrange++;
				taken += agree(x);
			}
			break;
		}
	}
	/* The path settles the short decimals in its range (all but a few
	 * next to a power of ten), and a fair share of random doubles too:
	 * up to a fifth of them have a 15-digit decimal in their interval. */
	if (taken < inrange - inrange / 1000)
		fail_msg("short path took %ld of %ld short decimals", taken,
		    inrange);
	if (full == 0)
		fail_msg("short path took no full-precision value");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_oracle_edges),
		cmocka_unit_test(test_oracle_random),
		cmocka_unit_test(test_short_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
