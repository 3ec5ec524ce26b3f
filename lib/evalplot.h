/*
 * evalplot.h - pp-eval's pictures, drawn with lib/svg into a buffer:
 * backtest = equity curve with the drawdown below it; signal = the IC by
 * date as bars with its rolling mean, and the mean return by quantile;
 * metrics = predicted against actual (a sample of at most 5,000 points)
 * for a regression, the ROC curve for a classification.
 */
#ifndef PP_EVALPLOT_H
#define PP_EVALPLOT_H

#include <stddef.h>

#include "backtest.h"
#include "buf.h"
#include "eval.h"
#include "metrics.h"
#include "factor.h"

/* Points a regression scatter shows at most. */
#define PP_PLOT_SAMPLE 5000

/* Equity (prod(1 + net)) and drawdown of the series s over p's dates. */
void pp_plot_backtest(struct pp_buf *b, const struct pp_panel *p,
    const struct pp_bt_series *s, const char *title);

/* The IC by date with its rolling mean over window dates, and the
 * quantile means. */
void pp_plot_signal(struct pp_buf *b, const struct pp_panel *p,
    const struct pp_factor_dates *d, size_t window, const char *title);

/* Predicted against actual, the pairs given (a sample). */
void pp_plot_scatter(struct pp_buf *b, const struct pp_pair *v, size_t n,
    const char *target, const char *pred);

/* The ROC curve of pairs sorted by prediction, ascending (as
 * pp_metrics_roc_auc leaves them), with its area in the title. */
void pp_plot_roc(struct pp_buf *b, const struct pp_pair *v, size_t n,
    double auc);

#endif
