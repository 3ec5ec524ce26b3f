/*
 * ind_shift.c - functions of x[t] and x[t-k]: lag, diff, ret, logret, mom,
 * roc, rocp, rocr.
 *
 * They keep the last k inputs in a ring, NaN included, so a missing value
 * affects exactly the rows t and t+k.  No start-up rule is needed: a
 * leading NaN is a row like any other.
 */
#include <math.h>
#include <string.h>

#include "ind_impl.h"
#include "banned.h"

struct shift {
	long k;			/* lag */
	long pos;		/* ring slot holding x[t-k] */
	long long rows;		/* rows seen */
	double ring[];		/* the last k inputs */
};

static long
warmup_k(const double *p)
{
	return (long)p[0];
}

static size_t
size_k(const double *p)
{
	return IND_ROUND(sizeof(struct shift) + (size_t)p[0] * sizeof(double));
}

static int
init_k(const char *name, void *st, const double *p, struct pp_err *err)
{
	struct shift *s = st;

	if (ind_check(name, p, err) == -1)
		return -1;
	s->k = (long)p[0];
	s->pos = 0;
	s->rows = 0;
	return 0;
}

/* Store x and return x[t-k], NaN while fewer than k rows came before. */
static double
push(struct shift *s, double x)
{
	double old = s->rows >= s->k ? s->ring[s->pos] : NAN;

	s->ring[s->pos] = x;
	if (++s->pos == s->k)
		s->pos = 0;
	s->rows++;
	return old;
}

static double
ratio(double now, double then)
{
	return then == 0 ? NAN : now / then;
}

#define SHIFT_FN(nm, expr)                                              \
	long ind_##nm##_warmup(const double *p) { return warmup_k(p); } \
	size_t ind_##nm##_size(const double *p) { return size_k(p); }   \
	int ind_##nm##_init(void *st, const double *p, struct pp_err *err) \
	{                                                               \
		return init_k(#nm, st, p, err);                         \
	}                                                               \
	void ind_##nm##_step(void *st, const double *in, double *out)  \
	{                                                               \
		double x = in[0], old = push(st, x);                    \
		out[0] = (expr);                                        \
	}

SHIFT_FN(lag, old)
SHIFT_FN(diff, x - old)
SHIFT_FN(mom, x - old)
SHIFT_FN(ret, ratio(x, old) - 1)
SHIFT_FN(roc, 100 * (ratio(x, old) - 1))
SHIFT_FN(rocp, ratio(x, old) - 1)
SHIFT_FN(rocr, ratio(x, old))
SHIFT_FN(logret, x > 0 && old > 0 ? log(x / old) : NAN)
