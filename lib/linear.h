/*
 * linear.h - linear models fitted the way scikit-learn fits them, on
 * LAPACK and BLAS.
 *
 * Least squares, ridge, lasso and elastic net need only the first and
 * second moments of the data: the means of the features and the target and
 * their centered cross-products.  struct pp_moments accumulates those in
 * one streaming pass (rows in blocks through BLAS dsyrk, blocks merged with
 * Chan's pairwise update), so a fit holds p+1 means and a (p+1)^2 matrix,
 * never the rows.  Moments merge, so per-date moments give every
 * chronological fold's training and test statistics without a second pass.
 *
 * Objectives (n rows, X centered, w the coefficients, intercept free):
 *   ols         ||y - Xw||^2 / 2n
 *   ridge       ||y - Xw||^2 / 2 + alpha ||w||^2 / 2
 *   lasso       ||y - Xw||^2 / 2n + alpha ||w||_1
 *   elasticnet  ||y - Xw||^2 / 2n + alpha l1 ||w||_1
 *                                 + alpha (1 - l1) ||w||^2 / 2
 *   logistic    C sum logloss(y, Xw + b) + ||w||^2 / 2
 * exactly sklearn's LinearRegression, Ridge, Lasso, ElasticNet and
 * LogisticRegression(penalty="l2").  With standardize, each feature is
 * first centered and divided by its population standard deviation (1 for a
 * constant one), as sklearn's StandardScaler does.
 *
 * Logistic regression has no sufficient statistics: pp_logistic_fit takes
 * the design matrix and runs Newton's method (IRLS), each step a Cholesky
 * solve of the penalized Hessian.
 *
 * Nothing here prints: warnings (a constant feature, collinear features, a
 * solver that hit its iteration cap) come back as flags in struct
 * pp_linfit for the caller to word.
 */
#ifndef PP_LINEAR_H
#define PP_LINEAR_H

#include <stddef.h>

#include "err.h"
#include "model.h"

/* Means and centered cross-products of q-vectors (features, then y). */
struct pp_moments {
	size_t q;		/* vector length */
	double n;		/* rows added */
	double *mean;		/* owned: q means (shift + smean) */
	double *shift;		/* owned: q; the first row or block mean */
	double *smean;		/* owned: q; mean minus shift, kept apart so
				 * digits below the shift's ulp survive */
	double *co;		/* owned: q*q, row-major; upper triangle
				 * holds sum (z - mean)(z - mean)' */
	double *blk;		/* owned scratch for pp_moments_add_rows */
	size_t blkcap;		/* doubles in blk */
};

void pp_moments_init(struct pp_moments *m, size_t q);
void pp_moments_release(struct pp_moments *m);
void pp_moments_reset(struct pp_moments *m);

/* Add nrows rows of q doubles each (row-major), none of them NaN. */
void pp_moments_add_rows(struct pp_moments *m, const double *rows,
    size_t nrows);

/* Add the rows counted in src to dst (same q). */
void pp_moments_merge(struct pp_moments *dst, const struct pp_moments *src);

/* How to fit. */
struct pp_fit_opts {
	enum pp_model_kind kind;
	double alpha;		/* ridge, lasso, elastic net: >= 0 */
	double l1_ratio;	/* elastic net: in [0, 1] */
	double C;		/* logistic: > 0 */
	int standardize;	/* center and scale each feature first */
	long max_iter;		/* coordinate descent sweeps, Newton steps */
	double tol;		/* convergence: relative change in w */
};

#define PP_FIT_OPTS_INIT { PP_MODEL_OLS, 1.0, 0.5, 1.0, 0, 100000, 1e-13 }

/* What a fit found besides the model. */
struct pp_linfit {
	size_t p;		/* features */
	unsigned char *constant; /* owned: p flags, 1 if the feature has
				 * (numerically) no variance; its
				 * coefficient is 0 */
	int collinear;		/* ols: X'X singular; the answer is the
				 * minimum-norm least-squares solution */
	int not_converged;	/* the iteration cap was reached */
	long iters;		/* sweeps or Newton steps taken */
};

void pp_linfit_release(struct pp_linfit *f);

/* Fit model m (its features, kind and parameters set by the caller, nfeat
 * equal to mo->q - 1, the target last in mo) from moments.  Sets mean,
 * scale, coef, intercept and standardized in m, and f.  Fails (-1, err)
 * with fewer than two rows or a kind that needs the data (logistic). */
/* The first complaint LAPACK made about its arguments on this thread since
 * it was last cleared ("LAPACK DLASCL: argument 4 out of range"), or NULL;
 * clear: forget it.  LAPACK prints nothing: libpp handles its xerbla. */
const char *pp_linear_lapack_complaint(int clear);

int pp_linear_fit(const struct pp_moments *mo, const struct pp_fit_opts *o,
    struct pp_model *m, struct pp_linfit *f, struct pp_err *err);

/* Fit logistic regression on rows idx[0..nidx) (all n rows when idx is
 * NULL) of X (n rows of p doubles, row-major) and y (0 or 1).  Fails when
 * there are fewer than two rows or one class only. */
int pp_logistic_fit(const double *X, const double *y, size_t n, size_t p,
    const size_t *idx, size_t nidx, const struct pp_fit_opts *o,
    struct pp_model *m, struct pp_linfit *f, struct pp_err *err);

/* The sum of squared residuals of m over the rows summarised in mo
 * (features then target, in m's feature order), and the total sum of
 * squares of the target about its mean there (*sst, may be NULL). */
double pp_linear_sse(const struct pp_model *m, const struct pp_moments *mo,
    double *sst);

#endif
