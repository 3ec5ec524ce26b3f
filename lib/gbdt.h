/*
 * gbdt.h - gradient-boosted trees through XGBoost's C API: fit, the
 * serialized model, prediction, SHAP contributions and importance.
 *
 * Pattern Pursuit writes no trees of its own: this module hands float32
 * row-major blocks to XGBoost (libxgboost, Debian's build of the same
 * library python3-xgboost wraps) and turns its status codes into struct
 * pp_err, with the library's own message (XGBGetLastError) as the reason,
 * so a bad parameter or objective is an error with context, never a crash.
 *
 * Trees are grown with tree_method "hist" and XGBoost's parameter names.
 * The same rows, parameters, seed and thread count give byte-identical
 * models (hist is deterministic; tests/unit/test_gbdt.c checks it).
 *
 * Ownership and threads: a struct pp_gbdt owns one booster.  Prediction
 * of values (pp_gbdt_predict) is XGBoost's in-place prediction, which the
 * library documents as safe to call from many threads at once on one
 * booster; pp_gbdt_load configures the booster (a first prediction) so no
 * thread does it lazily.  Contributions and importance go through calls
 * that are not thread-safe: one thread at a time.
 */
#ifndef PP_GBDT_H
#define PP_GBDT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct pp_gbdt_params {
	long n_estimators;	/* boosting rounds, >= 1 */
	double learning_rate;	/* eta, in (0, 1] */
	long max_depth;		/* >= 1 */
	double min_child_weight; /* >= 0 */
	double subsample;	/* (0, 1] */
	double colsample_bytree; /* (0, 1] */
	double lambda;		/* L2 on leaf weights, >= 0 */
	double alpha;		/* L1 on leaf weights, >= 0 */
	double gamma;		/* minimum loss reduction to split, >= 0 */
	long seed;		/* XGBoost's seed */
	long threads;		/* nthread; 0: every processor */
	long early_stopping;	/* rounds without improvement; 0: off */
};

#define PP_GBDT_PARAMS_INIT { 300, 0.05, 4, 1, 1, 1, 1, 0, 0, 0, 0, 0 }

struct pp_gbdt;

/* XGBoost's version, "1.7.4". */
const char *pp_gbdt_version(void);

/* 1 if objective names a binary classifier ("binary:..."), whose
 * predictions are probabilities of class 1. */
int pp_gbdt_objective_binary(const char *objective);

/*
 * Fit on X (n rows of p float32, row-major; NaN is missing) and labels y.
 * With early stopping (gp->early_stopping > 0) Xv/yv (nv rows) is the
 * validation set: XGBoost's default metric for the objective is evaluated
 * on it after each round, the fit stops after early_stopping rounds
 * without a strict improvement, and the model keeps the trees of the best
 * round, whose index (0-based) goes to *best; otherwise *best is the last
 * round.  Returns a new booster, or NULL with err set ("xgboost: ...").
 */
struct pp_gbdt *pp_gbdt_fit(const struct pp_gbdt_params *gp,
    const char *objective, const float *X, const float *y, size_t n,
    size_t p, const float *Xv, const float *yv, size_t nv, long *best,
    struct pp_err *err);

/* Append XGBoost's serialized model (UBJSON) to out.  Returns 0 or -1. */
int pp_gbdt_save(struct pp_gbdt *g, struct pp_buf *out, struct pp_err *err);

/* A booster from serialized bytes p[0..n), which must take nfeat
 * features, predicting on one thread per call.  Returns NULL with err set
 * when XGBoost refuses them. */
struct pp_gbdt *pp_gbdt_load(const void *p, size_t n, size_t nfeat,
    struct pp_err *err);

/* Predict on n threads per call from now on (pp-predict's large blocks,
 * on an otherwise idle machine: 1.26M rows x 300 trees, binary, 5.9 s on
 * one thread, 3.4 s on two).  Not while another thread predicts. */
int pp_gbdt_set_threads(struct pp_gbdt *g, int n, struct pp_err *err);

void pp_gbdt_free(struct pp_gbdt *g);

/* Predict n rows of X (p float32 each) into out[0..n): the transformed
 * prediction (a probability for binary:logistic) or, with margin, the raw
 * score.  Thread-safe.  Returns 0 or -1. */
int pp_gbdt_predict(struct pp_gbdt *g, const float *X, size_t n, size_t p,
    int margin, double *out, struct pp_err *err);

/* SHAP contributions of n rows into out (n rows of p + 1: one per
 * feature, then the bias); each row sums to the margin.  Returns 0 or
 * -1. */
int pp_gbdt_contribs(struct pp_gbdt *g, const float *X, size_t n, size_t p,
    double *out, struct pp_err *err);

/* Importance per feature (p of each, 0 for a feature no split uses):
 * average gain and cover per split, and weight (the number of splits).
 * Returns 0 or -1. */
int pp_gbdt_importance(struct pp_gbdt *g, size_t p, double *gain,
    double *cover, double *weight, struct pp_err *err);

/* The number of boosting rounds in the model. */
long pp_gbdt_rounds(struct pp_gbdt *g);

#endif
