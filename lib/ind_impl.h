/*
 * ind_impl.h - pieces shared by the indicator files (lib/ind_*.c); not
 * part of libpp's interface.  See indicators.h for the contracts.
 *
 * Each ind_*.c file defines the entry points of its functions
 * (ind_NAME_warmup, _size, _init, _step); indicators.c names them in its
 * one sorted table with their signatures and parameters.  A state
 * is a struct followed, in the same block, by the arrays it needs (ring
 * buffers, deques), reached by offset and never by pointer, so the block
 * stays position-independent.
 */
#ifndef PP_IND_IMPL_H
#define PP_IND_IMPL_H

#include <float.h>
#include <math.h>
#include <stddef.h>

#include "indicators.h"

/* Round a state size up to the multiple of 16 the contract promises. */
#define IND_ROUND(sz) (((size_t)(sz) + 15) & ~(size_t)15)

/* Parameter ranges used by the definition tables. */
#define IND_N(nm) { nm, 1, PP_IND_NMAX, 1, 0, NULL }
#define IND_K1(nm) { nm, 1, PP_IND_NMAX, 1, 1, NULL }
#define IND_DDOF { "ddof", 0, 1, 1, 1, NULL }
/* Any finite number, default def; a cross check narrows it. */
#define IND_REAL(nm, def) { nm, -DBL_MAX, DBL_MAX, 0, def, NULL }
/* One of the names ch (NULL-terminated, count of them n), as its index. */
#define IND_CHOICE(nm, ch, n) { nm, 0, (n) - 1, 1, 0, ch }

/* Compensated summation: the value is *s + *c.  Each step adds x to *s
 * and the exact rounding error of that addition (Knuth's TwoSum, the
 * branch-free form of Neumaier's sum: unpredictable branches on the
 * magnitudes cost more than the three extra flops) to *c. */
static inline void
ind_nadd(double *s, double *c, double x)
{
	double t = *s + x, z = t - *s;

	*c += (*s - (t - z)) + (x - z);
	*s = t;
}

/* 1 if any of in[0 .. n) is NaN. */
static inline int
ind_anynan(const double *in, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (isnan(in[i]))
			return 1;
	return 0;
}

/* Typical price (high + low + close) / 3. */
static inline double
ind_tp(const double *hlc)
{
	return (hlc[0] + hlc[1] + hlc[2]) / 3;
}

/* Close location value ((close - low) - (high - close)) / (high - low) of
 * a high, low, close row; 0 unless high > low (TA-Lib AD, TTR CLV). */
static inline double
ind_clv(const double *hlc)
{
	double range = hlc[0] - hlc[1];

	return range > 0 ? ((hlc[2] - hlc[1]) - (hlc[0] - hlc[2])) / range : 0;
}

/* Validate a full parameter vector against def (ranges, then def->check),
 * as pp_ind_params does after filling the defaults. */
int ind_check_params(const struct pp_ind_def *def, const double *params,
    struct pp_err *err);

/*
 * A rolling window of up to two series with compensated, shifted running
 * sums, recomputed exactly whenever the ring wraps (see "Running sums and
 * drift" in indicators.h).  A row with a NaN in either series is kept in
 * the ring as NaN, left out of the sums, and remembered in lastnan, so the
 * window reads as clean again n rows later.
 *
 * Sums kept (of shifted values u = x - kx, v = y - ky): WS_U, WS_V always
 * (WS_V only with two series); with moments == 2 also WS_UU, and with two
 * series WS_VV and WS_UV; with moments == 1 the scales WS_AX = sum |x| and
 * WS_AY = sum |y|.  hx and hy bound every |u|, |v| that entered the sums
 * since the last recomputation: when they dwarf what the window now holds,
 * the sums are recomputed early (see "Running sums and drift").
 */
enum { WS_U, WS_V, WS_UU, WS_VV, WS_UV, WS_AX, WS_AY, WS_NSUM };

struct ind_win {
	long n;			/* window length */
	long pos;		/* ring slot the next row goes to */
	int nser;		/* series per row, 1 or 2 */
	int moments;		/* 1: sums only; 2: also squares and products */
	long long rows;		/* rows pushed so far */
	long long lastnan;	/* index of the latest row with a NaN, or -1 */
	long nvalid;		/* valid rows in the ring (sums cover them) */
	long nzx, nzy;		/* nonzero x, y among them: a sum is exactly 0
				   when its count is, whatever the rounding */
	double lastx, lasty;	/* the latest row (NaN if it had one) */
	long runx, runy;	/* rows the latest value has repeated: a run
				   of n means a constant window, whose mean
				   and deviations are then exact */
	double kx, ky;		/* shifts: window means at the last recompute */
	double hx, hy;		/* largest |u|, |v| summed since then */
	double s[WS_NSUM];	/* compensated sums ... */
	double c[WS_NSUM];	/* ... and their compensations */
	double ring[];		/* n * nser values, row-major */
};

size_t ind_win_size(long n, int nser);
void ind_win_init(struct ind_win *w, long n, int nser, int moments);
/* Push one row (x, and y when nser == 2); returns 1 when the window now
 * holds n rows and none of them has a NaN. */
int ind_win_push(struct ind_win *w, double x, double y);
/* Over a full clean window: sums of x and y, mean of x, and the
 * co-moments sum (x - mean x)^2, sum (y - mean y)^2,
 * sum (x - mean x)(y - mean y); squares are clamped to >= 0, and are
 * exactly 0 over a constant window. */
double ind_win_sumx(const struct ind_win *w);
double ind_win_sumy(const struct ind_win *w);
double ind_win_meanx(const struct ind_win *w);
double ind_win_mxx(const struct ind_win *w);
double ind_win_myy(const struct ind_win *w);
double ind_win_mxy(const struct ind_win *w);

/*
 * Rolling minimum or maximum by a monotonic deque: amortised O(1), the
 * deque holding at most n (row, value) entries.  NaN rows are not
 * entered; the caller tracks them (the window is not clean).
 */
struct ind_mq_ent {
	long long row;
	double v;
};

struct ind_mq {
	long n;			/* window length */
	long head;		/* slot of the front entry */
	long len;		/* entries in the deque */
	int ismax;		/* 1: maximum, 0: minimum */
	struct ind_mq_ent e[];	/* n slots, circular */
};

size_t ind_mq_size(long n);
void ind_mq_init(struct ind_mq *q, long n, int ismax);
/* Enter value v of row `row` (rows increase by one per call that the
 * caller makes for its series) and drop entries older than row - n + 1. */
void ind_mq_push(struct ind_mq *q, long long row, double v);
/* The extreme over the window; only meaningful when it is clean. */
double ind_mq_get(const struct ind_mq *q);

/*
 * One EMA stage: skips its first `skip` valid inputs, seeds with the mean
 * of the next n and then follows e += alpha (x - e).  NaN inputs are the
 * caller's business (recursive functions never pass them).
 */
struct ind_stage {
	long n;			/* period */
	long skip;		/* leading inputs to ignore (TA-Lib's MACD) */
	long seen;		/* inputs so far */
	double alpha;		/* smoothing factor */
	double sum, sumc;	/* seed sum while warming up, compensated */
	double e;		/* current value once seeded */
};

void ind_stage_init(struct ind_stage *s, long n, long skip, double alpha);
/* Feed x; returns the EMA, or NaN while warming up. */
double ind_stage_push(struct ind_stage *s, double x);

/* Check params for the function named name (its table row), for init. */
int ind_check(const char *name, const double *params, struct pp_err *err);

/* The four entry points of every function, defined in the ind_*.c files
 * and listed in the table of indicators.c. */
#define IND_PROTOS(nm)                                                   \
	long ind_##nm##_warmup(const double *p);                         \
	size_t ind_##nm##_size(const double *p);                         \
	int ind_##nm##_init(void *st, const double *p, struct pp_err *err); \
	void ind_##nm##_step(void *st, const double *in, double *out);

IND_PROTOS(adx) IND_PROTOS(atr) IND_PROTOS(bbands) IND_PROTOS(beta)
IND_PROTOS(cci) IND_PROTOS(corr) IND_PROTOS(dema) IND_PROTOS(diff)
IND_PROTOS(ema) IND_PROTOS(lag) IND_PROTOS(logret) IND_PROTOS(macd)
IND_PROTOS(max) IND_PROTOS(mfi) IND_PROTOS(min) IND_PROTOS(mom)
IND_PROTOS(natr) IND_PROTOS(obv) IND_PROTOS(ret) IND_PROTOS(roc)
IND_PROTOS(rsi) IND_PROTOS(sma) IND_PROTOS(stddev) IND_PROTOS(stoch)
IND_PROTOS(tema) IND_PROTOS(var) IND_PROTOS(vwap) IND_PROTOS(willr)
IND_PROTOS(wma) IND_PROTOS(zscore)
/* ind_range.c, ind_volume.c, ind_momentum.c, ind_shift.c (rocp, rocr) */
IND_PROTOS(ad) IND_PROTOS(adosc) IND_PROTOS(apo) IND_PROTOS(aroon)
IND_PROTOS(bop) IND_PROTOS(clv) IND_PROTOS(cmf) IND_PROTOS(cmo)
IND_PROTOS(donchian) IND_PROTOS(dx) IND_PROTOS(midpoint)
IND_PROTOS(midprice) IND_PROTOS(minus_di) IND_PROTOS(minus_dm)
IND_PROTOS(plus_di) IND_PROTOS(plus_dm) IND_PROTOS(ppo) IND_PROTOS(rocp)
IND_PROTOS(rocr) IND_PROTOS(trange) IND_PROTOS(trima)
IND_PROTOS(chaikin_vol) IND_PROTOS(emv) IND_PROTOS(keltner) IND_PROTOS(snr)
IND_PROTOS(stochf) IND_PROTOS(stochrsi) IND_PROTOS(trix) IND_PROTOS(ultosc)
IND_PROTOS(vhf) IND_PROTOS(williams_ad)
IND_PROTOS(adxr) IND_PROTOS(alma) IND_PROTOS(evwma) IND_PROTOS(hma)
IND_PROTOS(kama) IND_PROTOS(linearreg) IND_PROTOS(sar) IND_PROTOS(t3)
IND_PROTOS(tsf) IND_PROTOS(vwma) IND_PROTOS(zlema)
IND_PROTOS(kst) IND_PROTOS(smi) IND_PROTOS(tdi) IND_PROTOS(vol)
/* ind_rolling.c */
IND_PROTOS(ewm_std) IND_PROTOS(kurt) IND_PROTOS(mad) IND_PROTOS(median)
IND_PROTOS(pctrank) IND_PROTOS(quantile) IND_PROTOS(rank) IND_PROTOS(skew)
IND_PROTOS(sum)

/* vol's methods, in the order of its choices in indicators.c. */
enum {
	IND_VOL_CLOSE, IND_VOL_PARK, IND_VOL_GK, IND_VOL_RS, IND_VOL_GKYZ,
	IND_VOL_YZ
};

#endif
