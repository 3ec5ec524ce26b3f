/*
 * split.h - chronological train/test splits over dates.
 *
 * Splits are computed on the sorted distinct dates of a frame, never on
 * rows, so every symbol of one date lands on the same side, and never
 * shuffled.  A split is a list of folds; a fold gives each date index one
 * role: train, test, or neither (purged by the gap or the embargo, or past
 * the rolling window).
 *
 * Hold-out (--test-frac F): one fold.  The last ceil(F * D) of D dates are
 * the test; the gap dates before them are purged; the rest train.
 *
 * Walk-forward (--cv walkforward:K): K folds laid out like sklearn's
 * TimeSeriesSplit on dates: each test block has floor(D / (K + 1)) dates,
 * the blocks end at the last date, and fold k trains on every date before
 * its test block (expanding) or on the last max_train of them (rolling),
 * minus the gap dates just before the block, minus the embargo dates just
 * after each earlier test block.  The gap keeps a target that looks h dates
 * ahead from reaching into the test; the embargo keeps the rows right after
 * a test block, which share its serially correlated shocks, out of every
 * later training window.
 *
 * The split owns its folds; pp_split_release frees them.
 */
#ifndef PP_SPLIT_H
#define PP_SPLIT_H

#include <stddef.h>

#include "err.h"

struct pp_split_opts {
	double test_frac;	/* (0, 1): hold out the last dates; 0: none */
	long folds;		/* walk-forward folds K >= 2; 0: none */
	long max_train;		/* rolling window in dates; 0: expanding */
	long gap;		/* dates purged before each test block */
	long embargo;		/* dates after each test block kept out of
				 * later training */
};

#define PP_SPLIT_OPTS_INIT { 0, 0, 0, 0, 0 }

struct pp_fold {
	size_t train_lo, train_hi; /* training dates lie in [lo, hi) */
	size_t test_lo, test_hi;   /* test dates [lo, hi) */
};

struct pp_split {
	size_t ndates;		/* D */
	size_t nfolds;
	struct pp_fold *folds;	/* owned: nfolds */
	long embargo;		/* copied from the options */
};

enum pp_role { PP_ROLE_NONE = 0, PP_ROLE_TRAIN = 1, PP_ROLE_TEST = 2 };

/* Lay out the folds for ndates dates.  Fails (PP_EXIT_DATA) when a fold
 * would have no training or no test date, naming the numbers. */
int pp_split_make(struct pp_split *s, size_t ndates,
    const struct pp_split_opts *o, struct pp_err *err);
void pp_split_release(struct pp_split *s);

/* The role of date index d in fold k. */
enum pp_role pp_split_role(const struct pp_split *s, size_t k, size_t d);

/* Parse "walkforward:K" (K >= 2) into *k; -1 for anything else. */
int pp_split_parse_cv(const char *spec, long *k);

#endif
