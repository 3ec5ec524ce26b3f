/*
 * backtest.c - rules, periods and return statistics (backtest.h).
 *
 * The weights of every symbol are held in one array across dates, so the
 * turnover of a date is one pass over the symbols: O(dates x symbols) in
 * all, the panel's own size, and a symbol that stops trading is sold
 * (its weight goes to 0 and counts as turnover) without bookkeeping.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "metrics.h"
#include "num.h"
#include "util.h"
#include "banned.h"

int
pp_backtest_rule_parse(const char *s, struct pp_bt_rule *r, struct pp_err *err)
{
	memset(r, 0, sizeof(*r));
	if (strcmp(s, "sign") == 0) {
		r->kind = PP_BT_SIGN;
		return 0;
	}
	if (strcmp(s, "long-only") == 0) {
		r->kind = PP_BT_LONG_ONLY;
		return 0;
	}
	if (strncmp(s, "threshold:", 10) == 0) {
		r->kind = PP_BT_THRESHOLD;
		if (pp_parse_double(s + 10, strlen(s + 10), &r->x) == 0 &&
		    r->x >= 0 && isfinite(r->x))
			return 0;
	} else if (strncmp(s, "quantile:", 9) == 0) {
		r->kind = PP_BT_QUANTILE;
		if (pp_parse_long(s + 9, 2, 1000, &r->q) == 0)
			return 0;
	}
	return pp_err_set(err, PP_EXIT_USAGE, "--rule: bad value \"%s\": want "
	    "sign, long-only, threshold:X (X >= 0) or quantile:Q (2..1000)",
	    s);
}

void
pp_backtest_series_release(struct pp_bt_series *s)
{
	free(s->gross);
	free(s->net);
	free(s->turnover);
	free(s->active);
	free(s->date);
	memset(s, 0, sizeof(*s));
}

static double
position(const struct pp_bt_rule *r, double pred)
{
	switch (r->kind) {
	case PP_BT_SIGN:
		return (pred > 0) - (pred < 0);
	case PP_BT_LONG_ONLY:
		return pred > 0;
	case PP_BT_THRESHOLD:
		return fabs(pred) > r->x ? (pred > 0) - (pred < 0) : 0;
	default:
		return 0;
	}
}

/* Set w (per symbol, zeroed by the caller) for one date's n valid rows. */
static void
weights(const struct pp_bt_rule *r, struct pp_xrow *x, size_t n, double *w)
{
	size_t i, ntop = 0, nbot = 0;

	if (r->kind != PP_BT_QUANTILE) {
		for (i = 0; i < n; i++)
			w[x[i].sym] = position(r, x[i].pred) / (double)n;
		return;
	}
	/* Rank by prediction, ties by symbol; q = ceil(rank Q / n). */
	pp_panel_sort_xrows(x, n);
	for (i = 0; i < n; i++) {
		size_t q = ((i + 1) * (size_t)r->q + n - 1) / n;

		ntop += q == (size_t)r->q;
		nbot += q == 1;
	}
	for (i = 0; i < n; i++) {
		size_t q = ((i + 1) * (size_t)r->q + n - 1) / n;

		if (q == (size_t)r->q)
			w[x[i].sym] = 1.0 / (double)ntop;
		else if (q == 1)
			w[x[i].sym] = -1.0 / (double)nbot;
	}
}

static void
series_push(struct pp_bt_series *s, size_t *cap, size_t d, double gross,
    double turnover, double bps, int active)
{
	size_t c = *cap;

	pp_xgrow((void **)&s->gross, &c, s->n + 1, sizeof(double));
	c = *cap;
	pp_xgrow((void **)&s->net, &c, s->n + 1, sizeof(double));
	c = *cap;
	pp_xgrow((void **)&s->turnover, &c, s->n + 1, sizeof(double));
	c = *cap;
	pp_xgrow((void **)&s->active, &c, s->n + 1, 1);
	c = *cap;
	pp_xgrow((void **)&s->date, &c, s->n + 1, sizeof(size_t));
	*cap = c;
	s->gross[s->n] = gross;
	s->turnover[s->n] = turnover;
	s->net[s->n] = gross - bps / 1e4 * turnover;
	s->active[s->n] = (unsigned char)active;
	s->date[s->n] = d;
	s->n++;
}

/* Date d's rows with a prediction and a return (of symbol sym, if sym >=
 * 0) into x, in symbol order: how many. */
static size_t
date_rows(const struct pp_panel *p, const struct pp_bt_opts *o, long sym,
    size_t d, struct pp_xrow *x)
{
	size_t i, n = 0;

	for (i = p->dstart[d]; i < p->dstart[d + 1]; i++) {
		double r = p->ret[i * p->nret];

		if (sym >= 0 && p->sym[i] != (uint32_t)sym)
			continue;
		if (!isfinite(p->pred[i]) || !isfinite(r))
			continue;
		x[n].pred = p->pred[i];
		x[n].ret = o->ret_log ? expm1(r) : r;
		x[n].sym = p->sym[i];
		n++;
	}
	return n;
}

/* Is a date with n such rows a period? */
static int
is_period(const struct pp_bt_opts *o, size_t n)
{
	return n > 0 && !(o->rule.kind == PP_BT_QUANTILE && n < 3);
}

/* The periods among dates d0..d1-1 of one series, on one thread. */
struct span {
	const struct pp_panel *p;
	const struct pp_bt_opts *o;
	long sym;
	size_t d0, d1;
	struct pp_bt_series s;
	size_t cap;
};

static void *
series_span(void *arg)
{
	struct span *sp = arg;
	const struct pp_panel *p = sp->p;
	const struct pp_bt_opts *o = sp->o;
	double *prev = pp_xcalloc(p->nsym + 1, sizeof(double));
	double *w = pp_xcalloc(p->nsym + 1, sizeof(double));
	struct pp_xrow *x = pp_xmalloc((p->nsym + 1) * sizeof(*x));
	size_t d, i, n;

	/* The weights held coming in: those of the last period before d0. */
	for (d = sp->d0; d-- > 0;) {
		if (is_period(o, n = date_rows(p, o, sp->sym, d, x))) {
			weights(&o->rule, x, n, prev);
			break;
		}
	}
	for (d = sp->d0; d < sp->d1; d++) {
		double gross = 0, turn = 0;
		int active = 0;

		if (!is_period(o, n = date_rows(p, o, sp->sym, d, x))) {
			sp->s.skipped++;
			continue;
		}
		memset(w, 0, p->nsym * sizeof(double));
		weights(&o->rule, x, n, w);
		for (i = 0; i < n; i++)
			gross += w[x[i].sym] * x[i].ret;
		for (i = 0; i < p->nsym; i++) {
			turn += fabs(w[i] - prev[i]);
			active |= w[i] != 0;
		}
		memcpy(prev, w, p->nsym * sizeof(double));
		series_push(&sp->s, &sp->cap, d, gross, turn, o->cost_bps,
		    active);
	}
	free(prev);
	free(w);
	free(x);
	return NULL;
}

/* Panels this large have their portfolio's dates shared by two threads. */
#define SERIES_PARALLEL ((size_t)1 << 16)

int
pp_backtest_series(const struct pp_panel *p, const struct pp_bt_opts *o,
    long sym, struct pp_bt_series *s, struct pp_err *err)
{
	struct span a = { p, o, sym, 0, p->ndates, PP_BT_SERIES_INIT, 0 };
	struct span b = a;
	pthread_t th;
	size_t i;

	/* The second half of the dates on a thread of its own, from the
	 * weights held at its first date: the same numbers, in less time. */
	a.d1 = b.d0 = sym < 0 && p->n >= SERIES_PARALLEL ? p->ndates / 2 :
	    p->ndates;
	if (b.d0 < b.d1 && pthread_create(&th, NULL, series_span, &b) == 0) {
		series_span(&a);
		pthread_join(th, NULL);
		for (i = 0; i < b.s.n; i++)
			series_push(&a.s, &a.cap, b.s.date[i], b.s.gross[i],
			    b.s.turnover[i], o->cost_bps, b.s.active[i]);
		a.s.skipped += b.s.skipped;
		pp_backtest_series_release(&b.s);
	} else {
		a.d1 = p->ndates;
		series_span(&a);
	}
	*s = a.s;
	if (s->n == 0)
		return pp_err_set(err, PP_EXIT_DATA, "no date has %s with both "
		    "a prediction and a return", o->rule.kind == PP_BT_QUANTILE
		    ? "3 symbols" : "a symbol");
	return 0;
}

/* The Sharpe ratio of x[0..n), whose sum (added in order) is sum. */
static double
sharpe_of(const double *x, size_t n, double sum, double ppy)
{
	double m = sum, ss = 0;
	size_t i;

	if (n < 2)
		return NAN;
	m /= (double)n;
	for (i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	ss = sqrt(ss / (double)(n - 1));
	return ss > 0 ? m / ss * sqrt(ppy) : NAN;
}

void
pp_backtest_stats(const struct pp_bt_series *s, const struct pp_bt_opts *o,
    struct pp_bt_stats *st)
{
	const double *x = s->net, ppy = o->periods_per_year;
	double n = (double)s->n, m = 0, ss = 0, down = 0, eq = 1, peak = 1;
	double mdd = 0, turn = 0, hits = 0, act = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		m += x[i];
	m /= n;
	for (i = 0; i < s->n; i++) {
		ss += (x[i] - m) * (x[i] - m);
		down += x[i] < 0 ? x[i] * x[i] : 0;
		eq *= 1 + x[i];
		peak = eq > peak ? eq : peak;
		mdd = 1 - eq / peak > mdd ? 1 - eq / peak : mdd;
		turn += s->turnover[i];
		act += s->active[i];
		hits += s->active[i] && x[i] > 0;
	}
	st->mean = s->n ? m : NAN;
	st->sd = s->n > 1 ? sqrt(ss / (n - 1)) : NAN;
	st->sharpe = st->sd > 0 ? m / st->sd * sqrt(ppy) : NAN;
	down = sqrt(down / n);
	st->sortino = down > 0 ? m / down * sqrt(ppy) : NAN;
	st->max_drawdown = mdd;
	st->total_return = eq - 1;
	st->cagr = eq >= 0 ? pow(eq, ppy / n) - 1 : NAN;
	st->annualized_volatility = st->sd * sqrt(ppy);
	st->calmar = mdd > 0 ? st->cagr / mdd : NAN;
	st->hit_rate = act > 0 ? hits / act : NAN;
	st->exposure = act / n;
	st->turnover = turn / n;
	st->sharpe_ci_low = st->sharpe_ci_high = NAN;
	if (o->bootstrap > 0 && isfinite(st->sharpe))
		pp_backtest_sharpe_ci(x, s->n, o->bootstrap, o->block, o->seed,
		    ppy, &st->sharpe_ci_low, &st->sharpe_ci_high);
	st->deflated_sharpe = o->trials >= 2
	    ? pp_backtest_deflated_sharpe(x, s->n, o->trials) : NAN;
}

void
pp_backtest_scores(const struct pp_bt_stats *st, const struct pp_bt_opts *o,
    const char *group, struct pp_scores *out)
{
	pp_scores_add(out, group, "mean", st->mean);
	pp_scores_add(out, group, "sd", st->sd);
	pp_scores_add(out, group, "sharpe", st->sharpe);
	pp_scores_add(out, group, "sortino", st->sortino);
	pp_scores_add(out, group, "max_drawdown", st->max_drawdown);
	pp_scores_add(out, group, "total_return", st->total_return);
	pp_scores_add(out, group, "cagr", st->cagr);
	pp_scores_add(out, group, "annualized_volatility",
	    st->annualized_volatility);
	pp_scores_add(out, group, "calmar", st->calmar);
	pp_scores_add(out, group, "hit_rate", st->hit_rate);
	pp_scores_add(out, group, "exposure", st->exposure);
	pp_scores_add(out, group, "turnover", st->turnover);
	if (o->bootstrap > 0) {
		pp_scores_add(out, group, "sharpe_ci_low", st->sharpe_ci_low);
		pp_scores_add(out, group, "sharpe_ci_high",
		    st->sharpe_ci_high);
	}
	if (o->trials >= 2)
		pp_scores_add(out, group, "deflated_sharpe",
		    st->deflated_sharpe);
}

/* splitmix64: a full-period generator good enough to pick indices. */
static uint64_t
next_u64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
uniform(uint64_t *s)
{
	return (double)(next_u64(s) >> 11) * 0x1.0p-53;
}

/* uniform(s) < p is (next_u64(s) >> 11) < below(p): the 53-bit integer
 * u has u 2^-53 < p exactly when u < ceil(p 2^53), so the draw is
 * compared without a conversion to double. */
static uint64_t
below(double p)
{
	if (!(p > 0))
		return 0;
	if (p >= 1)
		return UINT64_C(1) << 53;
	return (uint64_t)ceil(p * 0x1.0p53);
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* numpy.quantile's default (linear) on sorted a[0..n). */
static double
quantile(const double *a, size_t n, double q)
{
	double pos = q * (double)(n - 1), f = floor(pos);
	size_t i = (size_t)f;

	if (i + 1 >= n)
		return a[n - 1];
	return a[i] + (a[i + 1] - a[i]) * (pos - f);
}

/*
 * The stationary bootstrap draws blocks of geometric length (mean
 * block) starting at uniform positions, wrapping around the end, so every
 * resample is stationary and short-range dependence survives inside the
 * blocks.  Resamples whose Sharpe ratio is undefined (all equal) are left
 * out of the quantiles.
 */
void
pp_backtest_sharpe_ci(const double *x, size_t n, long nboot, double block,
    uint64_t seed, double periods_per_year, double *lo, double *hi)
{
	double *y = pp_xmalloc((n + 1) * sizeof(double));
	double *sr = pp_xmalloc(((size_t)nboot + 1) * sizeof(double));
	uint64_t jump = below(1 / block), st = seed;
	size_t b, t, k, nsr = 0;

	for (b = 0; b < (size_t)nboot; b++) {
		double v, sum;

		k = (size_t)(uniform(&st) * (double)n);
		/* The mean's sum as the values are drawn: one pass fewer. */
		for (sum = 0, t = 0; t < n; t++) {
			y[t] = x[k];
			sum += x[k];
			if ((next_u64(&st) >> 11) < jump)
				k = (size_t)(uniform(&st) * (double)n);
			else if (++k == n)
				k = 0;
		}
		v = sharpe_of(y, n, sum, periods_per_year);
		if (isfinite(v))
			sr[nsr++] = v;
	}
	if (nsr == 0) {
		*lo = *hi = NAN;
	} else {
		qsort(sr, nsr, sizeof(double), dbl_cmp);
		*lo = quantile(sr, nsr, 0.025);
		*hi = quantile(sr, nsr, 0.975);
	}
	free(y);
	free(sr);
}

double
pp_backtest_norm_cdf(double x)
{
	return 0.5 * erfc(-x / sqrt(2));
}

/* Acklam's rational approximation (relative error 1.15e-9), then one
 * Halley step on erfc, which brings it to full double precision. */
double
pp_backtest_norm_ppf(double p)
{
	static const double a[] = { -3.969683028665376e+01,
		2.209460984245205e+02, -2.759285104469687e+02,
		1.383577518672690e+02, -3.066479806614716e+01,
		2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01,
		1.615858368580409e+02, -1.556989798598866e+02,
		6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03,
		-3.223964580411365e-01, -2.400758277161838e+00,
		-2.549732539343734e+00, 4.374664141464968e+00,
		2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03,
		3.224671290700398e-01, 2.445134137142996e+00,
		3.754408661907416e+00 };
	double q, r, x, e, u;

	if (!(p > 0 && p < 1))
		return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
		    q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) *
		    q + 1);
	} else if (p <= 1 - 0.02425) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) *
		    r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r +
		    b[3]) * r + b[4]) * r + 1);
	} else {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) *
		    q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) *
		    q + 1);
	}
	e = 0.5 * erfc(-x / sqrt(2)) - p;
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/*
 * Bailey and Lopez de Prado (2014), with SR the per-period Sharpe ratio
 * mean/sd (sd with ddof 1), g3 the skewness and g4 the kurtosis (not
 * excess; both from the population moments), T the number of periods:
 *   v   = (1 - g3 SR + (g4 - 1)/4 SR^2) / (T - 1)
 *   SR0 = sqrt(v) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e)))
 *   DSR = Phi((SR - SR0) / sqrt(v))
 * The variance of the trials' Sharpe ratios, which the paper takes from
 * the trials themselves, is estimated by v, the sampling variance of this
 * series' own Sharpe ratio: the trials are rarely all at hand.
 */
double
pp_backtest_deflated_sharpe(const double *x, size_t n, long trials)
{
	const double gamma = 0.5772156649015329;
	double m = 0, m2 = 0, m3 = 0, m4 = 0, sd, sr, g3, g4, v, sr0;
	double N = (double)trials;
	size_t i;

	if (n < 3 || trials < 2)
		return NAN;
	for (i = 0; i < n; i++)
		m += x[i];
	m /= (double)n;
	for (i = 0; i < n; i++) {
		double dv = x[i] - m;

		m2 += dv * dv;
		m3 += dv * dv * dv;
		m4 += dv * dv * dv * dv;
	}
	sd = sqrt(m2 / (double)(n - 1));
	m2 /= (double)n;
	m3 /= (double)n;
	m4 /= (double)n;
	if (!(m2 > 0))
		return NAN;
	sr = m / sd;
	g3 = m3 / pow(m2, 1.5);
	g4 = m4 / (m2 * m2);
	v = (1 - g3 * sr + (g4 - 1) / 4 * sr * sr) / (double)(n - 1);
	if (!(v > 0))
		return NAN;
	sr0 = sqrt(v) * ((1 - gamma) * pp_backtest_norm_ppf(1 - 1 / N) +
	    gamma * pp_backtest_norm_ppf(1 - 1 / (N * M_E)));
	return pp_backtest_norm_cdf((sr - sr0) / sqrt(v));
}

int
pp_backtest(const struct pp_panel *p, const struct pp_bt_opts *o,
    struct pp_scores *out, struct pp_bt_series *portfolio,
    struct pp_err *err)
{
	struct pp_bt_series s = PP_BT_SERIES_INIT;
	struct pp_bt_stats st;
	size_t k;

	if (o->by_symbol) {
		if (o->rule.kind == PP_BT_QUANTILE)
			return pp_err_set(err, PP_EXIT_USAGE, "--by symbol: "
			    "quantile:Q ranks symbols against each other");
		out->group_key = pp_xstrdup("symbol");
		for (k = 0; k < p->nsym; k++) {
			if (pp_backtest_series(p, o, (long)k, &s, err) == -1) {
				pp_err_prefix(err, "symbol \"%s\"", p->syms[k]);
				return -1;
			}
			pp_backtest_stats(&s, o, &st);
			pp_backtest_scores(&st, o, p->syms[k], out);
			pp_backtest_series_release(&s);
		}
	}
	if (pp_backtest_series(p, o, -1, &s, err) == -1)
		return -1;
	pp_backtest_stats(&s, o, &st);
	pp_backtest_scores(&st, o, NULL, out);
	out->skipped = s.skipped;
	out->skipped_what = "dates that are not periods";
	if (portfolio != NULL)
		*portfolio = s;
	else
		pp_backtest_series_release(&s);
	return 0;
}
