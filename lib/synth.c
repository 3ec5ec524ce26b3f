/*
 * synth.c - deterministic synthetic bars.  The one idea: each symbol has
 * its own random stream seeded from the seed and its name, and the
 * arithmetic avoids fused multiply-add, so the same arguments give the
 * same bytes on every machine and adding a symbol changes no other.
 */
#include "synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "util.h"
#include "banned.h"

/*
 * Fused multiply-add would round a*b+c once instead of twice and so give
 * other bits on machines that have it.  GCC in ISO C mode never contracts;
 * clang does unless told, so tell it.
 */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define LN2_HI 6.93147180369123816490e-01	/* high bits of ln 2, exact */
#define LN2_LO 1.90821492927058770002e-10	/* ln 2 - LN2_HI */
#define INV_LN2 1.44269504088896338700e+00
#define SQRT_HALF 0.70710678118654752440

/* Business days in a year, for annual rates. */
#define YEAR_DAYS 252.0

double
pp_synth_exp(double x)
{
	/* Reduce to x = k ln2 + r, |r| <= ln2/2, then Taylor to degree 14:
	 * the first dropped term is below 2^-60 relative. */
	static const double inv_fact[] = {
		1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720,
		1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800,
		1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0,
		1.0 / 87178291200.0
	};
	double k, r, p;
	int i;

	if (x > 700)
		x = 700;
	if (x < -700)
		x = -700;
	k = floor(x * INV_LN2 + 0.5);
	r = (x - k * LN2_HI) - k * LN2_LO;
	p = inv_fact[PP_ARRAY_SIZE(inv_fact) - 1];
	for (i = (int)PP_ARRAY_SIZE(inv_fact) - 2; i >= 0; i--)
		p = p * r + inv_fact[i];
	return ldexp(p, (int)k);
}

double
pp_synth_log(double x)
{
	/* x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(f) with
	 * f = (m-1)/(m+1), |f| <= 0.1716, summed to f^25 (next term < 2^-64). */
	double m, f, f2, s;
	int e, k;

	m = frexp(x, &e);
	if (m < SQRT_HALF) {
		m *= 2;
		e--;
	}
	f = (m - 1) / (m + 1);
	f2 = f * f;
	s = 1.0 / 25;
	for (k = 11; k >= 0; k--)
		s = s * f2 + 1.0 / (2 * k + 1);
	return (double)e * LN2_HI + ((double)e * LN2_LO + 2 * f * s);
}

/* xoshiro256** (Blackman and Vigna, public domain algorithm), seeded
 * through splitmix64 so that nearby seeds give unrelated streams. */
struct rng {
	uint64_t s[4];
	double spare;		/* second normal of the last polar pair */
	int has_spare;
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct rng *g)
{
	uint64_t *s = g->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1), 53 random bits. */
static double
rng_unif(struct rng *g)
{
	return (double)(rng_next(g) >> 11) * (1.0 / 9007199254740992.0);
}

static double
rng_range(struct rng *g, double lo, double hi)
{
	return lo + (hi - lo) * rng_unif(g);
}

/* Standard normal by Marsaglia's polar method (needs only log and sqrt). */
static double
rng_normal(struct rng *g)
{
	double u, v, s, m;

	if (g->has_spare) {
		g->has_spare = 0;
		return g->spare;
	}
	do {
		u = 2 * rng_unif(g) - 1;
		v = 2 * rng_unif(g) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	m = sqrt(-2 * pp_synth_log(s) / s);
	g->spare = v * m;
	g->has_spare = 1;
	return u * m;
}

/* One symbol's path. */
struct path {
	struct rng g;
	double close;		/* last close, unrounded */
	double drift;		/* daily drift of log price */
	double vol;		/* daily volatility in the calm regime */
	double volume;		/* typical daily volume */
	int turbulent;		/* regime: 0 calm, 1 turbulent */
};

struct pp_synth {
	char **syms;		/* sorted, owned */
	size_t nsym;
	int64_t start, end;
	uint64_t seed;
	size_t cur;		/* symbol being generated */
	int64_t day;		/* next day to consider */
	struct path p;		/* state of syms[cur] */
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The parameters of a symbol's path come first from its own stream, so
 * they depend on (seed, symbol) only: starting price log-uniform in
 * [10, 300], annual drift in [-5%, 15%], annual volatility in [15%, 45%],
 * typical volume log-uniform in [1e5, 2e7].
 */
static void
path_start(struct path *p, uint64_t seed, const char *sym)
{
	uint64_t x = seed;
	int i;

	x = splitmix64(&x) ^ pp_hash_bytes(sym, strlen(sym));
	for (i = 0; i < 4; i++)
		p->g.s[i] = splitmix64(&x);
	p->g.has_spare = 0;
	p->g.spare = 0;
	p->close = pp_synth_exp(rng_range(&p->g, pp_synth_log(10.0),
	    pp_synth_log(300.0)));
	p->drift = rng_range(&p->g, -0.05, 0.15) / YEAR_DAYS;
	p->vol = rng_range(&p->g, 0.15, 0.45) / sqrt(YEAR_DAYS);
	p->volume = pp_synth_exp(rng_range(&p->g, pp_synth_log(1e5),
	    pp_synth_log(2e7)));
	p->turbulent = 0;
}

/* Round a price to 4 decimals, never below 0.0001.  Rounding is monotone,
 * so it keeps high >= max(open, close) and low <= min(open, close). */
static double
round_price(double x)
{
	double r = round(x * 10000) / 10000;

	return r < 0.0001 ? 0.0001 : r;
}

/*
 * One business day.  The regime switches calm -> turbulent with
 * probability 1% a day and back with 4% (turbulent spells last about 25
 * days; volatility x0.8 calm, x2.2 turbulent).  A jump (mean -1%, sd 7%)
 * comes with probability 0.4% a day.  The day's log return splits into an
 * overnight gap (open) and the session (close); high and low reach beyond
 * the body by a half-normal amount scaled by the day's volatility.  Volume
 * rises with the size of the move.
 */
static void
path_step(struct path *p, struct pp_ohlcv_row *row)
{
	double sd, ret, gap, o, c, hi, lo, v, zhi, zlo, zv;

	if (rng_unif(&p->g) < (p->turbulent ? 0.04 : 0.01))
		p->turbulent = !p->turbulent;
	sd = p->vol * (p->turbulent ? 2.2 : 0.8);
	ret = p->drift - 0.5 * sd * sd + sd * rng_normal(&p->g);
	if (rng_unif(&p->g) < 0.004)
		ret += -0.01 + 0.07 * rng_normal(&p->g);
	gap = 0.25 * sd * rng_normal(&p->g);
	zhi = fabs(rng_normal(&p->g));
	zlo = fabs(rng_normal(&p->g));
	zv = rng_normal(&p->g);

	o = p->close * pp_synth_exp(gap);
	c = p->close * pp_synth_exp(ret);
	hi = (o > c ? o : c) * pp_synth_exp(0.5 * sd * zhi);
	lo = (o < c ? o : c) * pp_synth_exp(-0.5 * sd * zlo);
	v = p->volume * pp_synth_exp(0.3 * zv) * (1 + 0.5 * fabs(ret) / p->vol);
	p->close = c;

	row->open = round_price(o);
	row->high = round_price(hi);
	row->low = round_price(lo);
	row->close = round_price(c);
	row->volume = round(v) < 1 ? 1 : round(v);
}

struct pp_synth *
pp_synth_new(const char *const *symbols, size_t nsym, int64_t start,
    int64_t end, uint64_t seed, struct pp_err *err)
{
	struct pp_synth *s;
	size_t i;

	if (nsym == 0) {
		pp_err_set(err, PP_EXIT_USAGE, "no symbols");
		return NULL;
	}
	if (start > end) {
		pp_err_set(err, PP_EXIT_USAGE, "start after end");
		return NULL;
	}
	s = pp_xcalloc(1, sizeof(*s));
	s->syms = pp_xcalloc(nsym, sizeof(*s->syms));
	for (i = 0; i < nsym; i++)
		s->syms[i] = pp_xstrdup(symbols[i]);
	s->nsym = nsym;
	qsort(s->syms, nsym, sizeof(*s->syms), cmp_str);
	for (i = 0; i < nsym; i++) {
		if (s->syms[i][0] == '\0') {
			pp_err_set(err, PP_EXIT_USAGE, "empty symbol");
			break;
		}
		if (i > 0 && strcmp(s->syms[i - 1], s->syms[i]) == 0) {
			pp_err_set(err, PP_EXIT_USAGE, "duplicate symbol \"%s\"",
			    s->syms[i]);
			break;
		}
	}
	if (i < nsym) {
		pp_synth_free(s);
		return NULL;
	}
	s->start = start;
	s->end = end;
	s->seed = seed;
	s->day = start;
	path_start(&s->p, seed, s->syms[0]);
	return s;
}

int
pp_synth_next(struct pp_synth *s, struct pp_ohlcv_row *row)
{
	while (s->cur < s->nsym) {
		while (s->day <= s->end && pp_date_weekday(s->day) >= 5)
			s->day++;
		if (s->day <= s->end) {
			row->sym = s->syms[s->cur];
			row->symlen = strlen(row->sym);
			row->date = s->day++;
			path_step(&s->p, row);
			return 1;
		}
		if (++s->cur < s->nsym) {
			s->day = s->start;
			path_start(&s->p, s->seed, s->syms[s->cur]);
		}
	}
	return 0;
}

void
pp_synth_free(struct pp_synth *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nsym; i++)
		free(s->syms[i]);
	free(s->syms);
	free(s);
}
