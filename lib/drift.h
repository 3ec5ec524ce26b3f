/*
 * drift.h - has the data moved: per numeric column, a current sample
 * against a reference one (pp-eval drift; man/pp-eval.1 defines every
 * number).
 *
 * The two samples are read whole into memory (one double per cell of a
 * compared column): the Kolmogorov-Smirnov statistic and the reference's
 * deciles need them sorted.  Scores per column: ks_statistic, ks_pvalue
 * (as scipy.stats.ks_2samp computes it with method='auto'), psi,
 * mean_shift, std_shift, missing_share.
 *
 * Ownership: a struct pp_drift owns its columns; pp_drift_release frees
 * them and leaves it empty.
 */
#ifndef PP_DRIFT_H
#define PP_DRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "eval.h"

/* Samples larger than this take the asymptotic p-value (as scipy). */
#define PP_DRIFT_EXACT_MAX 10000

/* Bins of the population stability index, and the share an empty bin
 * counts as. */
#define PP_DRIFT_PSI_BINS 10
#define PP_DRIFT_PSI_FLOOR 1e-4

struct pp_drift_col {
	char *name;		/* column name, owned */
	double *ref, *cur;	/* the present values, sorted ascending */
	size_t nref, ncur;	/* their counts */
	size_t cur_rows;	/* rows of the current sample */
	size_t cur_missing;	/* of which missing in this column */
};

struct pp_drift {
	struct pp_drift_col *v;
	size_t n;
};

#define PP_DRIFT_INIT { NULL, 0 }

struct pp_drift_opts {
	const char *const *cols; /* columns to compare; NULL: every number
				   column of the reference */
	size_t ncols;
	char delim;		/* CSV separator */
	int split;		/* 1: one frame, split at split_date */
	int64_t split_date;	/* days: reference before it, current on or
				   after it */
};

#define PP_DRIFT_OPTS_INIT { NULL, 0, ',', 0, 0 }

/*
 * Read the reference (path ref) and the current sample (path cur, "-":
 * stdin; ignored with o->split, where the frame ref's "date" column
 * splits it) into d.  Named columns must exist in both and hold numbers;
 * a cell that is not one is "FILE:LINE: column \"x\": not a number".
 * Fewer than 2 values of a column in either sample is an error naming
 * it.  Returns 0 or -1 with err set (d then holds nothing).
 */
int pp_drift_read(struct pp_drift *d, const char *ref, const char *cur,
    const struct pp_drift_opts *o, struct pp_err *err);
void pp_drift_release(struct pp_drift *d);

/*
 * Score every column of d into out (group: the column) and return how
 * many columns drift: psi > psi_max or ks_pvalue < ks_alpha.  drifting,
 * if not NULL, receives d->n flags (1: that column drifts).
 */
size_t pp_drift_score(const struct pp_drift *d, double psi_max,
    double ks_alpha, struct pp_scores *out, unsigned char *drifting);

/*
 * The two-sample Kolmogorov-Smirnov test of sorted a[0..n1) against
 * sorted b[0..n2) (n1, n2 >= 1), as scipy.stats.ks_2samp (two-sided,
 * method 'auto'): *p receives the p-value; returns the statistic D.
 * With max(n1, n2) <= PP_DRIFT_EXACT_MAX the exact distribution (D is
 * then the lattice value h / lcm(n1, n2)), else, or where the exact sum
 * fails, the distribution of the one-sample statistic for
 * round(n1 n2 / (n1 + n2)) points (pp_drift_kstwo_sf).
 */
double pp_drift_ks(const double *a, size_t n1, const double *b, size_t n2,
    double *p);

/* P(D_n >= x) for the one-sample Kolmogorov-Smirnov statistic of n
 * points (scipy.stats.kstwo.sf; see drift.c for the methods). */
double pp_drift_kstwo_sf(double n, double x);

/* The q-quantile (0 <= q <= 1) of sorted x[0..n), n >= 1, by linear
 * interpolation, exactly as numpy.quantile. */
double pp_drift_quantile(const double *x, size_t n, double q);

/* The population stability index of sorted cur against sorted ref
 * (both non-empty) over PP_DRIFT_PSI_BINS bins at ref's deciles. */
double pp_drift_psi(const double *ref, size_t nref, const double *cur,
    size_t ncur);

/* Histograms of a column for a picture: the present values of both
 * samples in nbins equal bins over their joint range; lo and width
 * receive the first bin's edge and the bins' width, ref and cur (nbins
 * each) the shares. */
void pp_drift_hist(const struct pp_drift_col *c, size_t nbins, double *lo,
    double *width, double *ref, double *cur);

#endif
