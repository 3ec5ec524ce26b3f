/*
 * dtoa.c - the shortest round-trip digits of a double, for pp_fmt_double
 * only.  The one idea is Schubfach, explained below: scale by a power of
 * ten from a table, then pick the shortest decimal inside the interval of
 * reals that round to x.  Before it, a short path settles the doubles
 * that data is mostly made of (prices, volumes: at most 15 significant
 * digits) with one floating-point multiply and one divide.
 */
#include "dtoa.h"

#include <float.h>
#include <string.h>

#include "banned.h"

/*
 * The method is Schubfach (Raffaello Giulietti, "The Schubfach way to
 * render doubles", 2020), written here from the paper's description.
 *
 * A positive double is x = c * 2^q (c < 2^53).  The decimals that read
 * back as x fill its rounding interval, from halfway to the neighbour below
 * to halfway to the one above: [(4c - 2) / 4, (4c + 2) / 4] * 2^q, except
 * that when c = 2^52 the neighbour below is twice as close, (4c - 1) / 4.
 * The ends belong to it when c is even (strtod breaks ties to even).
 *
 * Pick k with 10^k <= 2^q < 10^(k + 1) (10^k <= 3/4 * 2^q in the lopsided
 * case) and scale everything by 10^-k: the interval is then at least 1
 * and under 10 wide.  So it holds at most one multiple of 10: if it does,
 * that one, with its trailing zeros removed, is the shortest decimal (any
 * shorter one would be a multiple of 10 too).  If not, it holds s or s + 1,
 * where s = floor(x * 10^-k), and no shorter decimal exists: take the one
 * inside, or the nearer when both are, ties to even.
 *
 * The scaled values are needed only to compare them with integers of the
 * form 4n or 4n + 2, and to take floor(x * 10^-k).  Keeping two fraction
 * bits and rounding to odd (floor, then set the low bit when anything was
 * cut off) gives exactly those answers.  The products are N * 2^q * 10^-k
 * for N = 4c - 2, 4c - 1, 4c or 4c + 2, with 10^-k read from a table as a
 * 128-bit g slightly above it: 10^-k = g * 2^r, less up to one unit of g.
 * With h = q + r + 128 (1 to 4), the scaled value is (N << h) * g / 2^128
 * plus an error under 2^-69, and the 192-bit product gives its integer part
 * and 128 bits of fraction.  A fraction of at least 2^-63 cannot come from
 * the error: the value is not an integer and the floor is right.  A smaller
 * fraction is either an exact integer, decided from N, q and k by
 * divisibility, or a value within 2^-63 of an integer, which the paper
 * shows does not happen for doubles; should it, the function says so and
 * the caller falls back rather than guess.
 *
 * The table is 617 entries of 16 bytes, built once before main() from
 * exact big-integer arithmetic: powers of five by repeated multiplication,
 * and floor(2^1024 / 5^m) by repeated division by 5 (nested floors of
 * integer divisions are exact).  Building it takes microseconds.
 */

#ifndef __SIZEOF_INT128__
#error "dtoa.c needs unsigned __int128 (gcc or clang, 64-bit target)"
#endif

typedef unsigned __int128 u128;

#define NK (PP_DTOA_K_MAX - PP_DTOA_K_MIN + 1)

struct pow10_entry {
	uint64_t hi, lo;	/* g, in [2^127, 2^128) */
	int r;			/* 10^-k = g * 2^r, less under 2^r */
};

static struct pow10_entry pow10_tab[NK];

/* Little-endian 32-bit limbs; 34 hold 2^1024 and 5^324 (753 bits). */
#define LIMBS 34

struct big {
	uint32_t w[LIMBS];
	int n;			/* limbs in use; w[n - 1] != 0 */
};

static int
big_bitlen(const struct big *b)
{
	return 32 * (b->n - 1) + 32 - __builtin_clz(b->w[b->n - 1]);
}

/* floor(b / 2^sh) for b >= 2^sh, taken to 128 bits; sh may be negative. */
static u128
big_top(const struct big *b, int sh)
{
	u128 v = 0;
	int i;

	if (sh < 0) {
		for (i = b->n - 1; i >= 0; i--)
			v = v << 32 | b->w[i];
		return v << -sh;
	}
	for (i = b->n * 32 - 1; i >= sh; i--)
		v = v << 1 | ((b->w[i / 32] >> (i % 32)) & 1);
	return v;
}

static void
set_entry(int k, const struct big *b, int rbase)
{
	int len = big_bitlen(b);
	u128 g = big_top(b, len - 128) + 1;
	struct pow10_entry *t = &pow10_tab[k - PP_DTOA_K_MIN];

	t->hi = (uint64_t)(g >> 64);
	t->lo = (uint64_t)g;
	t->r = rbase + len - 128;
}

__attribute__((constructor)) static void
pow10_init(void)
{
	struct big b;
	int e, i;

	/* 10^e = 5^e * 2^e for e = 0..-PP_DTOA_K_MIN (k = -e). */
	memset(&b, 0, sizeof(b));
	b.w[0] = 1;
	b.n = 1;
	for (e = 0; e <= -PP_DTOA_K_MIN; e++) {
		uint64_t carry = 0;

		if (e > 0) {
			for (i = 0; i < b.n; i++) {
				carry += (uint64_t)b.w[i] * 5;
				b.w[i] = (uint32_t)carry;
				carry >>= 32;
			}
			if (carry)
				b.w[b.n++] = (uint32_t)carry;
		}
		set_entry(-e, &b, e);
	}

	/* 10^-m = floor(2^1024 / 5^m) * 2^(-1024 - m), plus a fraction of
	 * its last unit, for m = 1..PP_DTOA_K_MAX (k = m). */
	memset(&b, 0, sizeof(b));
	b.w[32] = 1;
	b.n = 33;
	for (e = 1; e <= PP_DTOA_K_MAX; e++) {
		uint64_t rem = 0;

		for (i = b.n - 1; i >= 0; i--) {
			rem = rem << 32 | b.w[i];
			b.w[i] = (uint32_t)(rem / 5);
			rem %= 5;
		}
		while (b.w[b.n - 1] == 0)
			b.n--;
		set_entry(e, &b, -1024 - e);
	}
}

int
pp_dtoa_k(int q, int threequarters)
{
	/* 1262611 / 2^22 is log10(2) from below, 524031 / 2^22 log10(4/3);
	 * test_dtoa checks both floors exactly for every q a double has. */
	return threequarters ? (q * 1262611 - 524031) >> 22 :
	    (q * 1262611) >> 22;
}

void
pp_dtoa_pow10(int k, uint64_t *hi, uint64_t *lo, int *r)
{
	const struct pow10_entry *t = &pow10_tab[k - PP_DTOA_K_MIN];

	*hi = t->hi;
	*lo = t->lo;
	*r = t->r;
}

static const uint64_t pow5[25] = {
	1ULL, 5ULL, 25ULL, 125ULL, 625ULL, 3125ULL, 15625ULL, 78125ULL,
	390625ULL, 1953125ULL, 9765625ULL, 48828125ULL, 244140625ULL,
	1220703125ULL, 6103515625ULL, 30517578125ULL, 152587890625ULL,
	762939453125ULL, 3814697265625ULL, 19073486328125ULL,
	95367431640625ULL, 476837158203125ULL, 2384185791015625ULL,
	11920928955078125ULL, 59604644775390625ULL
};

/* 1 if n * 2^q * 10^-k (n > 0, n < 2^56) is an integer. */
static int
is_integer(uint64_t n, int q, int k)
{
	if (__builtin_ctzll(n) + q - k < 0)
		return 0;
	if (k <= 0)
		return 1;
	return k < 25 && n % pow5[k] == 0;
}

/* A 192-bit product (n << h) * g: its integer part over 2^128 and 128
 * bits of fraction. */
struct p192 {
	uint64_t ip;		/* bits 128..191 */
	u128 frac;		/* bits 0..127 */
};

static inline struct p192
mul192(const struct pow10_entry *t, int h, uint64_t n)
{
	uint64_t cp = n << h;
	u128 lo = (u128)cp * t->lo, hi = (u128)cp * t->hi;
	u128 mid = (lo >> 64) + (uint64_t)hi;
	struct p192 p;

	p.ip = (uint64_t)(hi >> 64) + (uint64_t)(mid >> 64);
	p.frac = mid << 64 | (uint64_t)lo;
	return p;
}

/* p plus or minus g * 2^s (1 <= s <= 5): the product for n + 2^(s-h) or
 * n - 2^(s-h), exact, with no multiplication. */
static inline struct p192
add_g(struct p192 p, const struct pow10_entry *t, int s, int minus)
{
	uint64_t d2 = t->hi >> (64 - s);
	u128 d = ((u128)t->hi << 64 | t->lo) << s, f;

	if (minus) {
		f = p.frac - d;
		p.ip -= d2 + (f > p.frac);
	} else {
		f = p.frac + d;
		p.ip += d2 + (f < p.frac);
	}
	p.frac = f;
	return p;
}

/* n * 2^q * 10^-k (p = mul192 of n), rounded to odd; -1 when the
 * fraction is too small to tell from the error and the value is not an
 * integer.  (Only the fraction's top 64 bits are looked at.) */
static inline int64_t
scaled(struct p192 p, uint64_t n, int q, int k)
{
	if ((uint64_t)(p.frac >> 64) >= 2)
		return (int64_t)(p.ip | 1);
	if (is_integer(n, q, k))
		return (int64_t)p.ip;
	return -1;
}

static const uint64_t pow10[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

/* Digits of d (0 < d < 10^19): from its bit length, 1233 / 4096 being
 * log10(2) from above, then one more if d reaches the next power. */
static int
ndigits(uint64_t d)
{
	int n = (64 - __builtin_clzll(d)) * 1233 >> 12;

	return n + (d >= pow10[n]);
}

/* d * 10^k (d > 0) with its trailing zeros moved into the exponent:
 * *d and *e set, the digit count returned.  Up to 16 zeros go, 8 (twice),
 * 4, 2, 1 at a time. */
static inline int
strip_zeros(uint64_t res, int k, uint64_t *d, int *e)
{
	if (res % 100000000 == 0) {
		res /= 100000000;
		k += 8;
		if (res % 100000000 == 0) {
			res /= 100000000;
			k += 8;
		}
	}
	if (res % 10000 == 0) {
		res /= 10000;
		k += 4;
	}
	if (res % 100 == 0) {
		res /= 100;
		k += 2;
	}
	if (res % 10 == 0) {
		res /= 10;
		k++;
	}
	*d = res;
	*e = k;
	return ndigits(res);
}

int
pp_dtoa_schubfach(double a, uint64_t *d, int *e)
{
	const struct pow10_entry *t;
	uint64_t bits, c, cb, s, sp10, tp10, res;
	int be, q, k, h, lop, out;
	int64_t vbl, vb, vbr, cmp;
	struct p192 pb;

	memcpy(&bits, &a, sizeof(bits));
	be = (int)(bits >> 52);
	c = bits & ((1ULL << 52) - 1);
	if (be > 0) {
		lop = c == 0 && be > 1;
		c |= 1ULL << 52;
		q = be - 1075;
	} else {
		lop = 0;
		q = -1074;
	}
	k = pp_dtoa_k(q, lop);
	t = &pow10_tab[k - PP_DTOA_K_MIN];
	h = q + t->r + 128;
	cb = c << 2;
	out = (int)(c & 1);
	/* One multiplication: the neighbours' products differ from cb's by
	 * g * 2^(h+1) (or g * 2^h below a power of two), added exactly. */
	pb = mul192(t, h, cb);
	vb = scaled(pb, cb, q, k);
	vbl = scaled(add_g(pb, t, lop ? h : h + 1, 1), cb - (lop ? 1 : 2), q,
	    k);
	vbr = scaled(add_g(pb, t, h + 1, 0), cb + 2, q, k);
	if (vb < 0 || vbl < 0 || vbr < 0)
		return -1;

	s = (uint64_t)vb >> 2;
	sp10 = s / 10 * 10;
	tp10 = sp10 + 10;
	{
		int upin = vbl + out <= (int64_t)(sp10 << 2);
		int wpin = (int64_t)(tp10 << 2) + out <= vbr;

		if (upin != wpin) {
			res = (upin ? sp10 : tp10) / 10;
			return strip_zeros(res, k + 1, d, e);
		}
	}
	{
		int uin = vbl + out <= (int64_t)(s << 2);
		int win = (int64_t)((s + 1) << 2) + out <= vbr;

		if (uin != win) {
			res = uin ? s : s + 1;
		} else {
			cmp = vb - (int64_t)((2 * s + 1) << 1);
			res = cmp < 0 || (cmp == 0 && (s & 1) == 0) ? s : s + 1;
		}
	}
	*d = res;
	*e = k;
	return ndigits(res);
}

/*
 * The short path: doubles that are decimals of at most 15 significant
 * digits, as read from a price file.
 *
 * Claim 1: a rounding interval (see above) holds at most one decimal of
 * at most 15 significant digits, for a normal double x = c * 2^q.  Say u
 * < v are two such, 10^E <= u < 10^(E + 1).  Both are multiples of
 * 10^(E - 14) (v >= u has its last digit at that place or above), so
 * v - u >= 10^(E - 14) > u * 10^-15.  But the interval is 2^q wide and
 * x >= 2^52 * 2^q, so v - u <= 2^-52 * x <= 2^-52 * u / (1 - 2^-53),
 * and 2^-52 (2.2e-16) is less than 10^-15 with room to spare.
 *
 * So if some decimal D with at most 15 significant digits reads back as
 * x, the shortest one has at most 15 digits too, lies in the same
 * interval, and is D (less its trailing zeros): Schubfach's answer, with
 * no tie to break.
 *
 * Finding D.  Take k with y = x * 10^k in [10^14, 10^15) (near enough:
 * at worst y rounds up to 10^15, refused) and d = y rounded to an
 * integer.  Should D be d0 * 10^-k (d0 < 10^15), then
 * x = D(1 + a) with |a| <= 2^-53 and the product adds one rounding
 * (1 + b), |b| <= 2^-53, so |y - d0| < 10^15 * 2.3e-16 < 1/2 and d = d0.
 * Whatever d is, it is checked: d and 10^|k| (|k| <= 22) are exact
 * doubles, so d / 10^k (or d * 10^-k) in IEEE arithmetic is the correctly
 * rounded value of the decimal d * 10^-k, ties to even, which is exactly
 * what strtod makes of it.  If that is x, D = d * 10^-k qualifies by
 * Claim 1 and is the answer; if not (17-digit values: returns, ratios;
 * or a D that sits at the other side of a power of ten), Schubfach
 * decides.  This needs double arithmetic without excess precision
 * (FLT_EVAL_METHOD 0); test_dtoa checks the path against Schubfach on
 * millions of values of both kinds.
 */
#if FLT_EVAL_METHOD == 0
static const double pow10d[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* 10^(E + 1) as the nearest double, for E from -8 to 36: where y
 * passes 10^15.  (Inexact entries only cost a retry: the path checks its
 * answer.) */
static const double pow10_next[45] = {
	1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4,
	1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
	1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27,
	1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37
};

int
pp_dtoa_short(double a, uint64_t *d, int *e)
{
	uint64_t bits, r;
	int k, E;
	double y;

	memcpy(&bits, &a, sizeof(bits));
	/* 10^E <= a < 10^(E + 2); one comparison settles which decade,
	 * without a branch that full-precision values would mispredict. */
	E = pp_dtoa_k((int)(bits >> 52) - 1023, 0);
	if (E < -8 || E > 36)
		return 0;
	E += a >= pow10_next[E + 8];
	k = 14 - E;
	if (k < -22)
		return 0;
	y = k >= 0 ? a * pow10d[k] : a / pow10d[-k];
	r = (uint64_t)(y + 0.5);	/* y + 0.5 is exact below 2^52 */
	/* One test at the end: a test that refuses half the full-precision
	 * values early (|y - r| against its bound) was a branch the
	 * processor could not predict, and cost a fifth of pp-features'
	 * time; refusing them all at the end is predictable. */
	if (r == 0 || r >= 1000000000000000ULL ||
	    (k >= 0 ? (double)r / pow10d[k] : (double)r * pow10d[-k]) != a)
		return 0;
	return strip_zeros(r, -k, d, e);
}
#else
int
pp_dtoa_short(double a, uint64_t *d, int *e)
{
	(void)a;
	(void)d;
	(void)e;
	return 0;
}
#endif

int
pp_dtoa_shortest(double a, uint64_t *d, int *e)
{
	int n = pp_dtoa_short(a, d, e);

	return n > 0 ? n : pp_dtoa_schubfach(a, d, e);
}
