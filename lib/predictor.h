/*
 * predictor.h - a model bound to the columns of a schema: what pp-predict,
 * `pp-predict --from-bars` and pp-serve score rows through, so the three
 * cannot compute a prediction differently.
 *
 * A predictor is made once per (model, schema): binding looks every one of
 * the model's features up by name and remembers its column, so predicting
 * a row is then a gather and pp_model_predict's formula, with no lookups.
 * Input columns may come in any order and there may be more of them than
 * the model needs.
 *
 * Missing values: a feature value that is NaN or +/-infinite is missing,
 * the same rule pp-train applies when it drops rows.  A row with a missing
 * feature predicts NaN (an empty cell), or, when the caller asks to be
 * strict, is an error naming the feature.  An infinite feature never
 * reaches the formula, so it never yields an infinite prediction or a
 * class decided by an overflow.
 *
 * Ownership and threads: the predictor borrows its model (which must
 * outlive it) and owns its column map and one row of scratch.
 * pp_predictor_row writes that scratch, so a predictor scores rows on one
 * thread at a time; pp_predictor_values and pp_predictor_block read only,
 * and any number of threads may call them on one predictor.
 */
#ifndef PP_PREDICTOR_H
#define PP_PREDICTOR_H

#include <stddef.h>

#include "err.h"
#include "frame.h"
#include "model.h"

struct pp_predictor {
	const struct pp_model *model; /* borrowed */
	int proba;		/* logistic: probability of class 1, not class */
	size_t *col;		/* owned: schema column of each feature */
	enum pp_type *type;	/* owned: that column's type */
	double *x;		/* owned: one row's features, model order */
	int bound;		/* 1 after a successful pp_predictor_bind */
};

#define PP_PREDICTOR_INIT { NULL, 0, NULL, NULL, NULL, 0 }

/* 1 if v counts as a missing feature value (NaN, +inf or -inf). */
int pp_predictor_missing(double v);

/* Prepare p (any storage) to predict with m.  proba asks for the
 * probability of class 1 instead of the class; on a model that is not
 * logistic or a binary gbdt that is a usage error (PP_EXIT_USAGE, "--proba: a ridge model
 * has no probabilities"), and p is then still safe to release.  Returns 0
 * or -1. */
int pp_predictor_init(struct pp_predictor *p, const struct pp_model *m,
    int proba, struct pp_err *err);

/* Free what p owns (safe on PP_PREDICTOR_INIT and after a failed init). */
void pp_predictor_release(struct pp_predictor *p);

/* Find each of the model's features in s by name.  Fails naming every
 * feature s lacks ('missing feature "f1"', 'missing features "f1", "f3"'),
 * or else the first whose column is not a number ('feature "f2" is text,
 * not a number'); p is then unbound.  May be called again for another
 * schema.  Returns 0 or -1. */
int pp_predictor_bind(struct pp_predictor *p, const struct pp_schema *s,
    struct pp_err *err);

/* Predict one row of the bound schema into *out.  A missing feature gives
 * NaN, or, with strict, fails with 'feature "x": missing value' (the caller
 * prepends where the row came from).  Returns 0 or -1. */
int pp_predictor_row(struct pp_predictor *p, const union pp_cell *row,
    int strict, double *out, struct pp_err *err);

/* The prediction for x, the model's features in the model's order (no
 * binding needed): NaN if any of them is missing. */
double pp_predictor_values(const struct pp_predictor *p, const double *x);

/* Predict n rows stored row after row in x (n * nfeat values, model
 * order) into out[0..n): a gbdt model in one XGBoost call per block. */
void pp_predictor_block(const struct pp_predictor *p, const double *x,
    size_t n, double *out);

/* pp_predictor_row for rows from..from+n of a block of columns of the
 * bound schema, as pp_reader_next_block gives them (column k's values
 * are the 8 bytes each at col[k] + 8 * row, host order, not aligned),
 * into out[0..n), bit for bit what pp_predictor_row gives; a linear
 * model is scored column by column.  Sets *done to the rows predicted:
 * n, or with strict the row whose missing value fails.  Returns 0 or -1. */
int pp_predictor_cols(struct pp_predictor *p, const unsigned char *const *col,
    size_t from, size_t n, int strict, double *out, size_t *done,
    struct pp_err *err);

/* Gather one row of the bound schema into x (nfeat values, model order),
 * as pp_predictor_row does before predicting: with strict a missing value
 * fails naming the feature.  Returns 0 or -1. */
int pp_predictor_gather(const struct pp_predictor *p,
    const union pp_cell *row, int strict, double *x, struct pp_err *err);

#endif
