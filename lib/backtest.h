/*
 * backtest.h - trading a prediction column with costs, and the statistics
 * of the resulting returns (man/pp-eval.1, "backtest", defines each).
 *
 * A rule turns predictions into weights per date: per symbol (sign,
 * long-only, threshold:X: each symbol's position divided by the number of
 * symbols trading that date, an equal-weight portfolio; one symbol is one
 * series) or cross-sectional (quantile:Q: +1/|top| on the top quantile,
 * -1/|bottom| on the bottom one).  Per period: gross = sum w r, turnover =
 * sum |w_t - w_t-1| over every symbol (weights before the first date are
 * 0), net = gross - bps/1e4 turnover.  A quantile date with fewer than 3
 * symbols is skipped, as in `signal`: it is not a period, and its weights
 * carry over to the next date's turnover.
 *
 * Beyond the usual statistics: a 95% interval for the Sharpe ratio from a
 * stationary block bootstrap (Politis and Romano 1994), which keeps the
 * serial dependence an i.i.d. bootstrap would destroy, and the deflated
 * Sharpe ratio (Bailey and Lopez de Prado 2014), the probability that the
 * true Sharpe ratio is above what the best of N trials would show by luck.
 */
#ifndef PP_BACKTEST_H
#define PP_BACKTEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "eval.h"

enum pp_bt_rule_kind {
	PP_BT_SIGN,		/* sign(pred): +1, -1 or 0 */
	PP_BT_LONG_ONLY,	/* 1 when pred > 0 */
	PP_BT_THRESHOLD,	/* sign(pred) when |pred| > x */
	PP_BT_QUANTILE		/* cross-sectional top minus bottom */
};

struct pp_bt_rule {
	enum pp_bt_rule_kind kind;
	double x;		/* threshold:X */
	long q;			/* quantile:Q, 2 .. 1000 */
};

/* Parse "sign", "long-only", "threshold:X" (X >= 0) or "quantile:Q".
 * Returns 0, or -1 with err (PP_EXIT_USAGE). */
int pp_backtest_rule_parse(const char *s, struct pp_bt_rule *r,
    struct pp_err *err);

struct pp_bt_opts {
	struct pp_bt_rule rule;
	double cost_bps;	/* cost per unit of turnover, basis points */
	double periods_per_year; /* P: 252 */
	int ret_log;		/* the return column holds log returns */
	long bootstrap;		/* resamples for the Sharpe interval; 0: none */
	uint64_t seed;		/* bootstrap seed */
	double block;		/* mean block length: 10 */
	long trials;		/* deflated Sharpe: trials; 0: not computed */
	int by_symbol;		/* also each symbol alone (per-symbol rules) */
};

#define PP_BT_OPTS_INIT \
	{ { PP_BT_SIGN, 0, 0 }, 0, 252, 0, 2000, 1, 10, 0, 0 }

/* One backtest's periods. */
struct pp_bt_series {
	size_t n;		/* periods */
	double *gross, *net, *turnover;
	unsigned char *active;	/* some weight is nonzero */
	size_t *date;		/* the panel date index of each period */
	size_t skipped;		/* dates that are not periods */
};

#define PP_BT_SERIES_INIT { 0, NULL, NULL, NULL, NULL, NULL, 0 }

void pp_backtest_series_release(struct pp_bt_series *s);

/* Run the rule over the panel's first return column: every symbol (sym <
 * 0) or symbol sym alone.  Returns 0, or -1 with err if no date is a
 * period. */
int pp_backtest_series(const struct pp_panel *p, const struct pp_bt_opts *o,
    long sym, struct pp_bt_series *s, struct pp_err *err);

struct pp_bt_stats {
	double mean, sd, sharpe, sortino, max_drawdown, total_return, cagr;
	double annualized_volatility, calmar, hit_rate, exposure, turnover;
	double sharpe_ci_low, sharpe_ci_high; /* NaN without a bootstrap */
	double deflated_sharpe;	/* NaN without trials */
};

/* The statistics of a series' net returns (undefined ones NaN). */
void pp_backtest_stats(const struct pp_bt_series *s, const struct pp_bt_opts *o,
    struct pp_bt_stats *st);

/* Append the statistics to out under group (NULL: ungrouped), with their
 * stable names; the Sharpe interval only with o->bootstrap, the deflated
 * Sharpe ratio only with o->trials. */
void pp_backtest_scores(const struct pp_bt_stats *st,
    const struct pp_bt_opts *o, const char *group, struct pp_scores *out);

/* The 2.5% and 97.5% quantiles (linear interpolation) of the annualised
 * Sharpe ratio over nboot stationary-block-bootstrap resamples of x
 * (mean block length block, xorshift seeded with seed). */
void pp_backtest_sharpe_ci(const double *x, size_t n, long nboot, double block,
    uint64_t seed, double periods_per_year, double *lo, double *hi);

/* Deflated Sharpe ratio of x given the number of trials (>= 2): NaN if
 * undefined (n < 3, sd 0). */
double pp_backtest_deflated_sharpe(const double *x, size_t n, long trials);

/* The standard normal distribution function and its inverse. */
double pp_backtest_norm_cdf(double x);
double pp_backtest_norm_ppf(double p);

/* The whole command: the portfolio's statistics ungrouped, and with
 * o->by_symbol each symbol's first (group key "symbol").  portfolio (may
 * be NULL) receives the portfolio's series for a plot. */
int pp_backtest(const struct pp_panel *p, const struct pp_bt_opts *o,
    struct pp_scores *out, struct pp_bt_series *portfolio,
    struct pp_err *err);

#endif
