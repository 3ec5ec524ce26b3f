#include "num.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtoa.h"
#include "banned.h"

/*
 * Formatting: the exact rule.
 *
 * pp_fmt_double(x) writes, for finite nonzero x, a decimal D with few
 * significant digits such that strtod(D) == x, chosen as follows.
 *
 * Digits.  The fewest significant digits that read back as x, and of
 * those as short, the nearest to x (a tie to the even one), for every
 * double: what Python's repr gives.  They come from dtoa.c (Schubfach, in
 * 128-bit integer arithmetic, about 30 ns a value); were it ever unable to settle
 * a case, the first precision from 1 to 17 whose printf "%.*e" reads back
 * would be used instead.
 *
 * Notation: that of printf "%.17g" with the digits above: plain decimal
 * ("123.45", "0.0012", "1500000") when the exponent X of the leading digit
 * is in -4..16, else "d.ddde+XX" with a sign and at least two exponent
 * digits ("1e-05", "1.7976931348623157e+308").  So the output is never
 * longer than what "%.17g" prints.  Zero is "0" or "-0", infinities "inf"
 * and "-inf", NaN "" (a missing value).  No locale is consulted: the
 * radix character printf may use is never copied.
 */

#if defined(__SIZEOF_INT128__)
typedef unsigned __int128 u128;
#define HAVE_U128 1
#endif

static const uint64_t pow10u[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

/* Exactly representable powers of ten (10^22 is the largest). */
static const double pow10d[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* 5^0 .. 5^27: 10^k = 5^k * 2^k, and the 2^k is only a shift. */
static const uint64_t pow5u[28] = {
	1ULL, 5ULL, 25ULL, 125ULL, 625ULL, 3125ULL, 15625ULL, 78125ULL,
	390625ULL, 1953125ULL, 9765625ULL, 48828125ULL, 244140625ULL,
	1220703125ULL, 6103515625ULL, 30517578125ULL, 152587890625ULL,
	762939453125ULL, 3814697265625ULL, 19073486328125ULL,
	95367431640625ULL, 476837158203125ULL, 2384185791015625ULL,
	11920928955078125ULL, 59604644775390625ULL, 298023223876953125ULL,
	1490116119384765625ULL, 7450580596923828125ULL
};

/* Write digits dig[0..n) with leading-digit exponent X in the "%.17g"
 * notation described above into buf (all PP_DBL_BUFSZ bytes of it);
 * returns the length.  dig must be readable for n + 24 bytes beyond the
 * point: the text is built in o with copies of a fixed size, which compile
 * to a few vector moves instead of calls, and o goes to buf the same way. */
static size_t
render(char *buf, int neg, const char *dig, int n, int X)
{
	char o[64], *p = o;
	size_t len;

	*p = '-';
	p += neg;
	if (X >= -4 && X <= 16) {
		if (X < 0) {
			memcpy(p, "0.000000", 8);
			p += 1 - X;
			memcpy(p, dig, 24);
			p += n;
		} else if (n <= X + 1) {
			memcpy(p, dig, 24);
			memset(p + n, '0', 24);
			p += X + 1;
		} else {
			memcpy(p, dig, 24);
			p += X + 1;
			*p++ = '.';
			memcpy(p, dig + X + 1, 24);
			p += n - X - 1;
		}
	} else {
		int ax = X < 0 ? -X : X;

		*p++ = dig[0];
		*p = '.';
		p += n > 1;
		memcpy(p, dig + 1, 24);
		p += n - 1;
		*p++ = 'e';
		*p++ = X < 0 ? '-' : '+';
		if (ax >= 100)
			*p++ = (char)('0' + ax / 100);
		*p++ = (char)('0' + ax / 10 % 10);
		*p++ = (char)('0' + ax % 10);
	}
	*p = '\0';
	len = (size_t)(p - o);
	memcpy(buf, o, PP_DBL_BUFSZ);
	return len;
}

/* Digits of "%.{p-1}e" of a > 0 without the radix character or trailing
 * zeros; returns the count and sets *X.  Locale-proof: only ASCII digits
 * and the exponent are read. */
static int
printf_digits(double a, int p, char *dig, int *X)
{
	char tmp[64];
	const char *q;
	int n = 0, e = 0, eneg = 0;

	snprintf(tmp, sizeof(tmp), "%.*e", p - 1, a);
	for (q = tmp; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			dig[n++] = *q;
	if (*q == 'e')
		q++;
	if (*q == '-' || *q == '+')
		eneg = *q++ == '-';
	for (; *q >= '0' && *q <= '9'; q++)
		e = e * 10 + (*q - '0');
	while (n > 1 && dig[n - 1] == '0')
		n--;
	*X = eneg ? -e : e;
	return n;
}

static const char pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* The n decimal digits of d (below 10^17) into dig[0..n), two at a time,
 * in 32-bit arithmetic below 10^8; returns dig. */
static const char *
digits(char *dig, uint64_t d, int n)
{
	char *p = dig + n;
	uint32_t lo;

	if (d >= 100000000) {
		int i;

		lo = (uint32_t)(d % 100000000);
		d /= 100000000;
		for (i = 0; i < 4; i++) {
			p -= 2;
			memcpy(p, pairs + 2 * (lo % 100), 2);
			lo /= 100;
		}
	}
	lo = (uint32_t)d;
	while (lo >= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (lo % 100), 2);
		lo /= 100;
	}
	if (lo >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * lo, 2);
	} else {
		*--p = (char)('0' + lo);
	}
	return dig;
}

size_t
pp_fmt_double(char buf[PP_DBL_BUFSZ], double x)
{
	char dig[48];
	int neg, n, X, p, e;
	uint64_t d;
	double a;

	if (isnan(x)) {
		buf[0] = '\0';
		return 0;
	}
	neg = signbit(x) != 0;
	a = fabs(x);
	if (isinf(a)) {
		memcpy(buf, neg ? "-inf" : "inf", neg ? 5 : 4);
		return neg ? 4 : 3;
	}
	if (a == 0) {
		memcpy(buf, neg ? "-0" : "0", neg ? 3 : 2);
		return neg ? 2 : 1;
	}
	n = pp_dtoa_shortest(a, &d, &e);
	if (n > 0)
		return render(buf, neg, digits(dig, d, n), n, e + n - 1);
	/* Never taken for any double tested (see dtoa.c): the first
	 * precision that reads back. */
	for (p = 1; p < 17; p++) {
		char tbuf[PP_DBL_BUFSZ];
		double back;

		n = printf_digits(a, p, dig, &X);
		render(tbuf, 0, dig, n, X);
		if (pp_parse_double(tbuf, strlen(tbuf), &back) == 0 &&
		    back == a)
			return render(buf, neg, dig, n, X);
	}
	n = printf_digits(a, 17, dig, &X);
	return render(buf, neg, dig, n, X);
}

int
pp_is_missing(const char *s, size_t len)
{
	switch (len) {
	case 0:
		return 1;
	case 2:
		return memcmp(s, "NA", 2) == 0;
	case 3:
		return memcmp(s, "N/A", 3) == 0;
	case 4:
		return memcmp(s, "null", 4) == 0 || memcmp(s, "NULL", 4) == 0;
	}
	return 0;
}

/* 1 if s[0..len) equals lower-case word w in any case. */
static int
word_is(const char *s, size_t len, const char *w)
{
	size_t i;

	if (len != strlen(w))
		return 0;
	for (i = 0; i < len; i++)
		if ((s[i] | 0x20) != w[i])
			return 0;
	return 1;
}

/* Significant digits kept for strtod; more are replaced by one sticky
 * digit.  The exact decimal value of any double or midpoint between two
 * has at most 767 significant digits, so 800 digits plus a nonzero sticky
 * digit round exactly as the full input does. */
#define SLOW_DIGITS 800
/* Exponents are clamped here: far past where every double is 0 or inf. */
#define EXP_CLAMP 100000000L

/*
 * Slow path: rewrite s (already validated; p at the first digit or '.')
 * as "[-]DIGITSeEXP" -- no radix character, so strtod's locale does not
 * matter -- and let strtod round it.
 */
static double
parse_slow(const char *p, const char *end, int neg)
{
	char b[SLOW_DIGITS + 40];
	char *o = b;
	long e10 = 0, ex = 0;
	int nd = 0, sticky = 0, frac = 0, eneg = 0;

	if (neg)
		*o++ = '-';
	for (; p < end; p++) {
		if (*p == '.') {
			frac = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		if (nd == 0 && *p == '0') {
			if (frac && e10 > -EXP_CLAMP)
				e10--;
			continue;
		}
		if (nd < SLOW_DIGITS) {
			*o++ = *p;
			nd++;
			if (frac)
				e10--;
		} else {
			if (*p != '0')
				sticky = 1;
			if (!frac && e10 < EXP_CLAMP)
				e10++;
		}
	}
	if (nd == 0)
		return neg ? -0.0 : 0.0;
	if (sticky) {
		*o++ = '1';
		e10--;
	}
	if (p < end) {
		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		for (; p < end; p++)
			if (ex < EXP_CLAMP)
				ex = ex * 10 + (*p - '0');
	}
	e10 += eneg ? -ex : ex;
	o += snprintf(o, 24, "e%ld", e10);
	return strtod(b, NULL);
}

#ifdef HAVE_U128
/*
 * Exact path for up to 19 digits w (no digit dropped) times 10^e10 where
 * Clinger's does not apply (w > 2^53, or 10^|e10| not exact), in 128-bit
 * integers.  e10 in 0..19: w * 10^e10 < 2^128 is exact and one conversion
 * rounds it correctly.  e10 in -27..-1: w / 10^-e10 = (w * 2^sh / 5^-e10)
 * * 2^-(sh - e10); with w * 2^sh in [2^126, 2^127) and 5^27 < 2^63 the
 * integer quotient has more than 55 bits, so ORing a sticky bit for a
 * nonzero remainder lets the conversion round exactly as the true
 * quotient would.  The result (>= 1e-27) is normal, so ldexp is exact.
 * Returns -1 outside those ranges.
 */
static int
parse_exact(uint64_t w, long e10, double *v)
{
	if (e10 >= 0 && e10 <= 19) {
		*v = (double)((u128)w * pow10u[e10]);
		return 0;
	}
	if (e10 < 0 && e10 >= -27 && w != 0) {
		int sh = 63 + __builtin_clzll(w);
		u128 num = (u128)w << sh;
		u128 q = num / pow5u[-e10];

		q |= num % pow5u[-e10] != 0;
		*v = ldexp((double)q, -(int)(sh - e10));
		return 0;
	}
	return -1;
}
#endif

/*
 * Parsing: validate the syntax in one pass while collecting up to 19
 * significant digits into w and the decimal exponent.  Clinger's fast path:
 * when w <= 2^53 and 10^|exp| <= 10^22, both are exact doubles and one
 * multiplication or division rounds correctly.  (With exp > 22, w * 10^(exp
 * - 22) may still be an exact integer below 2^53.)  Then parse_exact, for
 * 16-19 digit values such as full-precision output.  Everything else goes
 * to strtod on a rewritten copy (parse_slow).
 */
int
pp_parse_double(const char *s, size_t len, double *out)
{
	const char *p = s, *end = s + len, *num;
	uint64_t w = 0;
	long ex = 0, e10 = 0;
	int neg = 0, nsig = 0, ndig = 0, dropped = 0, eneg = 0;
	double v;

	if (pp_is_missing(s, len)) {
		*out = NAN;
		return 0;
	}
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p == end)
		return -1;
	if ((*p < '0' || *p > '9') && *p != '.') {
		if (word_is(p, (size_t)(end - p), "inf") ||
		    word_is(p, (size_t)(end - p), "infinity")) {
			*out = neg ? -HUGE_VAL : HUGE_VAL;
			return 0;
		}
		if (word_is(p, (size_t)(end - p), "nan")) {
			*out = neg ? -NAN : NAN;
			return 0;
		}
		return -1;
	}
	num = p;
	for (; p < end && *p >= '0' && *p <= '9'; p++, ndig++) {
		if (nsig < 19) {
			w = w * 10 + (uint64_t)(*p - '0');
			nsig += w != 0;
		} else {
			dropped |= *p != '0';
			e10++;
		}
	}
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, ndig++) {
			if (nsig < 19) {
				w = w * 10 + (uint64_t)(*p - '0');
				nsig += w != 0;
				e10--;
			} else {
				dropped |= *p != '0';
			}
		}
	}
	if (ndig == 0)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		const char *d;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (d = p; p < end && *p >= '0' && *p <= '9'; p++)
			if (ex < EXP_CLAMP)
				ex = ex * 10 + (*p - '0');
		if (p == d)
			return -1;
	}
	if (p != end)
		return -1;

	e10 += eneg ? -ex : ex;
	if (w == 0 && !dropped) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
#if FLT_EVAL_METHOD == 0
	if (!dropped && w <= (1ULL << 53) && e10 >= -22 && e10 <= 22 + 15 &&
	    (e10 <= 22 || w <= (1ULL << 53) / pow10u[e10 - 22])) {
		if (e10 < 0)
			v = (double)w / pow10d[-e10];
		else if (e10 <= 22)
			v = (double)w * pow10d[e10];
		else	/* 1.23e25 = 1230 * 1e22 while 1230 stays below 2^53 */
			v = (double)(w * pow10u[e10 - 22]) * 1e22;
		*out = neg ? -v : v;
		return 0;
	}
#endif
#ifdef HAVE_U128
	if (!dropped && parse_exact(w, e10, &v) == 0) {
		*out = neg ? -v : v;
		return 0;
	}
#endif
	*out = parse_slow(num, end, neg);
	return 0;
}

int
pp_parse_long(const char *s, long min, long max, long *out)
{
	const char *d = s;
	char *end;
	long v;

	if (*d == '+' || *d == '-')
		d++;
	if (*d < '0' || *d > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parses s[0..len); a NUL inside is junk.  (The header calls s
 * NUL-terminated, but len decides.) */
int
pp_parse_int64(const char *s, size_t len, int64_t *out)
{
	const char *p = s, *end = s + len;
	uint64_t v = 0, lim;
	int neg = 0;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (p == end)
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		unsigned dgt = (unsigned char)*p - '0';

		if (dgt > 9)
			return -1;
		if (v > (lim - dgt) / 10)
			return -1;
		v = v * 10 + dgt;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

size_t
pp_fmt_int64(char buf[PP_DBL_BUFSZ], int64_t v)
{
	char tmp[24];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[i++] = '-';
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return i;
}
