/*
 * testutil.h - small helpers the unit tests share: a fixed pseudo-random
 * sequence and a double's bits.  Header-only (static inline), so each
 * test stays one file.
 */
#ifndef PP_TESTUTIL_H
#define PP_TESTUTIL_H

#include <stdint.h>
#include <string.h>

/* xorshift64: the same sequence on every platform; *s must not be 0. */
static inline uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static inline uint64_t
bits_of(double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof(u));
	return u;
}

static inline double
of_bits(uint64_t u)
{
	double x;

	memcpy(&x, &u, sizeof(x));
	return x;
}

#endif
