/*
 * dtoa.h - the shortest decimal that reads back as a given double.
 *
 * The digit engine behind pp_fmt_double (num.h), which owns the notation;
 * nothing else should call it.  It keeps one read-only table of powers of
 * ten, built from exact integer arithmetic when the program starts and
 * never written again, so it is safe from any thread.
 */
#ifndef PP_DTOA_H
#define PP_DTOA_H

#include <stdint.h>

/* Powers of ten the engine may scale by: 10^-k for k in this range. */
#define PP_DTOA_K_MIN (-324)
#define PP_DTOA_K_MAX 292

/* For finite a > 0, find the decimal d * 10^e with the fewest significant
 * digits that reads back (round to nearest, ties to even) as a; of those
 * as short, the nearest to a, a tie going to the even d.  d has no
 * trailing zeros.  Returns the digit count of d (1..17), or -1 in a case
 * the 128-bit arithmetic cannot settle (none is known; the caller then
 * needs another method). */
int pp_dtoa_shortest(double a, uint64_t *d, int *e);

/* pp_dtoa_shortest's short path: the same answer when a (finite, > 0) is
 * a decimal of at most 15 significant digits from 10^-8 to about 10^36,
 * a few straddling a power of ten aside; else 0 (then Schubfach decides).
 * Exposed for tests. */
int pp_dtoa_short(double a, uint64_t *d, int *e);

/* Exposed for tests: pp_dtoa_shortest without its short path for decimals
 * of up to 15 significant digits; the same answer for every a. */
int pp_dtoa_schubfach(double a, uint64_t *d, int *e);

/* Exposed for tests.  The decimal exponent k the engine scales 2^q by:
 * floor(log10(2^q)), or floor(log10(3/4 * 2^q)) when threequarters. */
int pp_dtoa_k(int q, int threequarters);

/* The table entry for 10^-k (PP_DTOA_K_MIN <= k <= PP_DTOA_K_MAX): g =
 * hi * 2^64 + lo in [2^127, 2^128) and r with g - 1 <= 10^-k * 2^-r < g. */
void pp_dtoa_pow10(int k, uint64_t *hi, uint64_t *lo, int *r);

#endif
