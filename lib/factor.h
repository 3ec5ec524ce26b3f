/*
 * factor.h - how well a prediction ranks symbols against each other on
 * each date: alphalens-style information coefficients and quantile
 * returns (man/pp-eval.1, "signal", defines each number).
 *
 * Per date, over the symbols with both a prediction and a return: the
 * information coefficient (Spearman, average ranks; also Pearson), and
 * the mean return of each prediction quantile (rank ties broken by symbol
 * name, q = ceil(rank Q / n)).  A date with fewer than 3 such symbols is
 * skipped and counted.  Then over dates: the IC's mean, sd (ddof 1), IR =
 * mean/sd and t = IR sqrt(dates), each quantile's mean return, and the top
 * minus bottom spread.
 */
#ifndef PP_FACTOR_H
#define PP_FACTOR_H

#include <stddef.h>

#include "err.h"
#include "eval.h"

/* Per-date results of one return column, for a plot. */
struct pp_factor_dates {
	size_t n;		/* dates scored */
	size_t *date;		/* panel date index */
	double *ic;		/* Spearman IC (NaN when undefined) */
	double *qmean;		/* Q quantile means over dates */
	long q;
};

#define PP_FACTOR_DATES_INIT { 0, NULL, NULL, NULL, 0 }

void pp_factor_dates_release(struct pp_factor_dates *d);

/*
 * Score the prediction against each of the panel's return columns, with
 * q quantiles (2..1000).  One column: ungrouped scores; several: grouped
 * by labels[k] under group_key.  first (may be NULL) receives the first
 * column's per-date results.  Errors when no date has 3 symbols.
 * Returns 0 or -1.
 */
int pp_factor(const struct pp_panel *p, long q, const char *group_key,
    const char *const *labels, struct pp_scores *out,
    struct pp_factor_dates *first, struct pp_err *err);

#endif
