/*
 * metrics.h - the one place a model metric is defined: regression and
 * classification scores of predictions against a target, as
 * sklearn.metrics and scipy.stats define them (man/pp-eval.1 writes each
 * formula down).  pp-train's validation scores and every number pp-eval
 * prints come from here.
 *
 * An accumulator (struct pp_metrics) takes (target, prediction) pairs one
 * at a time.  Every metric but two needs only running sums, updated in
 * O(1) time and memory per pair (Welford's updates for the moments, so a
 * constant target gives exactly 0 variance).  spearman and roc_auc need
 * ranks, hence every pair: the accumulator keeps the two columns (16 bytes
 * a pair) only when asked to (PP_METRICS_KEEP), and those two metrics are
 * undefined without them.
 *
 * An undefined metric (no pairs, a constant column for a correlation, a
 * single class for roc_auc) is NaN: callers print it as missing, never as
 * a number.  Pairs with a NaN in either value are not added here: the
 * caller decides whether they are an error or counted and skipped.
 *
 * Ownership: the accumulator owns its kept columns; _release frees them.
 */
#ifndef PP_METRICS_H
#define PP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* sklearn 1.2's log_loss clip: predictions are held in [eps, 1 - eps]. */
#define PP_LOGLOSS_EPS 2.220446049250313e-16

/* Flags of pp_metrics_init. */
enum {
	PP_METRICS_KEEP = 1 << 0	/* keep the pairs: spearman, roc_auc */
};

/* A target and its prediction. */
struct pp_pair {
	double y, p;
};

struct pp_metrics {
	size_t n;		/* pairs added */
	double sse, sae;	/* sums of squared and absolute errors */
	double ky, kp;		/* shifts: the first pair's values */
	double my, mp;		/* running means of y - ky and p - kp */
	double m2y, m2p, cyp;	/* centred sums of squares and products */
	size_t dir_n, dir_hit;	/* both nonzero; of those, same sign */
	int binary;		/* every target so far is 0 or 1 */
	int unit;		/* every prediction so far is in [0, 1] */
	double ll, brier;	/* log loss and Brier sums (0/1 targets) */
	size_t tp, fp, tn, fn;	/* confusion at threshold */
	double threshold;	/* class 1 when prediction > threshold */
	unsigned flags;		/* PP_METRICS_* */
	struct pp_pair *v;	/* kept pairs (PP_METRICS_KEEP), or NULL */
	size_t cap;		/* elements allocated in v */
};

/* Set m up to score at the given class threshold (0.5 as sklearn's
 * predict; a prediction above it is class 1). */
void pp_metrics_init(struct pp_metrics *m, double threshold, unsigned flags);
void pp_metrics_release(struct pp_metrics *m);

/* Room for n kept pairs at once (PP_METRICS_KEEP; else nothing): the
 * caller's guess at the rows to come, so that a large input's pairs are
 * not copied as the array doubles.  Untouched room costs no memory. */
void pp_metrics_reserve(struct pp_metrics *m, size_t n);

/* Add one pair; both must be finite (the caller filters missing values). */
void pp_metrics_add(struct pp_metrics *m, double y, double p);

/* Regression scores.  Each is NaN when undefined. */
struct pp_regression {
	double mse, rmse, mae;
	double r2;		/* sklearn: constant y gives 1 if sse is 0 */
	double pearson;		/* NaN if either column is constant */
	double spearman;	/* average ranks; NaN without the pairs */
	double directional_accuracy; /* sign agreement, zeros excluded */
};

/* Classification scores: the target must be 0/1 (pp_metrics_is_binary). */
struct pp_classification {
	double accuracy, precision, recall, f1; /* 0/0 gives 0 */
	double roc_auc;		/* NaN with one class or without the pairs */
	double log_loss;	/* clipped to [PP_LOGLOSS_EPS, 1 - eps] */
	double brier;		/* mean squared error of the probability */
	size_t tp, fp, tn, fn;	/* the confusion matrix */
};

/* Compute the scores.  Both sort the kept pairs in place and
 * pp_metrics_regression replaces them by their ranks: call one of the two,
 * once. */
void pp_metrics_regression(struct pp_metrics *m, struct pp_regression *out);
void pp_metrics_classification(struct pp_metrics *m,
    struct pp_classification *out);

/* 1 if every target added is 0 or 1 (and at least one was added). */
int pp_metrics_is_binary(const struct pp_metrics *m);

/* 1 if every prediction added lies in [0, 1] (and at least one). */
int pp_metrics_is_unit(const struct pp_metrics *m);

/* Formulas shared with code that keeps its own sums (pp-train scores a
 * linear model from its moments, never seeing the rows): rmse from a sum
 * of squared errors over n, and r2 with sklearn's rule for a constant
 * target (sst 0: 1 when sse is 0, else 0). */
double pp_metrics_rmse(double sse, double n);
double pp_metrics_r2(double sse, double sst);

/* Log loss of one probability p for a 0/1 target y, clipped as sklearn. */
double pp_metrics_logloss1(double y, double p);

/* Pearson correlation of the pairs; NaN if n < 2 or a column is
 * constant. */
double pp_metrics_pearson(const struct pp_pair *v, size_t n);

/* Spearman correlation: the Pearson correlation of the ranks, ties given
 * their average rank (scipy.stats.spearmanr).  Sorts v and replaces each
 * value by its rank, so v is consumed; the sorts share one scratch copy
 * of v. */
double pp_metrics_spearman(struct pp_pair *v, size_t n);

/* Area under the ROC curve of predictions p for 0/1 targets y: the
 * Mann-Whitney U over (positives x negatives), a tie between a positive
 * and a negative counting 1/2 (sklearn.metrics.roc_auc_score).  Sorts v
 * by p.  NaN with one class only. */
double pp_metrics_roc_auc(struct pp_pair *v, size_t n);

/* A key and what it sorts, for pp_metrics_sort_keyed. */
struct pp_keyed {
	uint64_t key;
	uint64_t val;
};

/* Sort v by key, ascending and stable (equal keys keep their order), by
 * LSD radix: no comparison callbacks, one scratch copy of v. */
void pp_metrics_sort_keyed(struct pp_keyed *v, size_t n);

/* A double's key: unsigned order of keys is numeric order of the
 * doubles (-0 just before 0).  NaN must not occur. */
uint64_t pp_metrics_sort_key(double x);

#endif
