/*
 * linear.c - moments, least squares, ridge, coordinate descent and IRLS.
 *
 * Why moments and not the rows: for every model but logistic the solution
 * depends on the data only through the means and the centered Gram
 * matrix, so one pass with O(q^2) memory is enough, and per-date moments
 * serve every validation fold.  Rows are centered on their block's mean
 * before BLAS dsyrk forms the block's cross-products, and blocks are merged
 * with Chan, Golub and LeVeque's update (C += Cb + d d' na nb / n), which
 * keeps the variance accurate when a feature's mean is large next to its
 * spread (prices, volumes), where the textbook sum of squares minus n mean^2
 * would cancel.
 *
 * Solving: the normal equations (X'X + alpha I) w = X'y go to LAPACK's
 * Cholesky (dpotrf/dpotrs).  When X'X is singular or nearly so (rcond below
 * 1e-12: collinear features) least squares switches to LAPACK's SVD solver
 * dgelsd, which returns the minimum-norm solution, as sklearn's lstsq does;
 * a feature with no variance is taken out of the system and gets 0.  Lasso
 * and elastic net run cyclic coordinate descent on the Gram matrix (sklearn's
 * "precompute" variant), so each sweep costs O(p^2) whatever the row count.
 */
#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linear.h"
#include "util.h"
#include "banned.h"

#define BLOCK 4096		/* rows per dsyrk block */
#define RCOND_MIN 1e-12		/* below this X'X counts as singular */
#define CONST_REL 1e-12		/* std <= this * |mean|: constant */

void
pp_moments_init(struct pp_moments *m, size_t q)
{
	m->q = q;
	m->n = 0;
	m->mean = pp_xcalloc(q + 1, sizeof(double));
	m->shift = pp_xcalloc(q + 1, sizeof(double));
	m->smean = pp_xcalloc(q + 1, sizeof(double));
	m->co = pp_xcalloc(q * q + 1, sizeof(double));
	m->blk = NULL;
	m->blkcap = 0;
}

void
pp_moments_release(struct pp_moments *m)
{
	free(m->mean);
	free(m->shift);
	free(m->smean);
	free(m->co);
	free(m->blk);
	m->mean = m->shift = m->smean = m->co = m->blk = NULL;
	m->blkcap = 0;
	m->n = 0;
}

void
pp_moments_reset(struct pp_moments *m)
{
	m->n = 0;
	memset(m->mean, 0, m->q * sizeof(double));
	memset(m->smean, 0, m->q * sizeof(double));
	memset(m->co, 0, m->q * m->q * sizeof(double));
}

/*
 * Merge nb rows whose mean is shb + smb (a shift and a small mean about
 * it) and whose upper cross-products are cb into m.  The difference of the
 * two means is formed as (shb - shift) + (smb - smean): near 1e9 the shifts
 * are close, their difference exact, and the small parts keep the digits a
 * rounded mean would lose.
 */
static void
merge(struct pp_moments *m, double nb, const double *shb, const double *smb,
    const double *cb)
{
	size_t q = m->q, i, j;
	double n, f;

	if (nb == 0)
		return;
	if (m->n == 0) {
		m->n = nb;
		memcpy(m->shift, shb, q * sizeof(double));
		memcpy(m->smean, smb, q * sizeof(double));
		for (i = 0; i < q; i++) {
			m->mean[i] = m->shift[i] + m->smean[i];
			for (j = i; j < q; j++)
				m->co[i * q + j] = cb[i * q + j];
		}
		return;
	}
	n = m->n + nb;
	f = m->n * nb / n;
	for (i = 0; i < q; i++) {
		double di = (shb[i] - m->shift[i]) + (smb[i] - m->smean[i]);

		for (j = i; j < q; j++)
			m->co[i * q + j] += cb[i * q + j] + f * di *
			    ((shb[j] - m->shift[j]) + (smb[j] - m->smean[j]));
	}
	for (i = 0; i < q; i++) {
		double di = (shb[i] - m->shift[i]) + (smb[i] - m->smean[i]);

		m->smean[i] += di * (nb / n);
		m->mean[i] = m->shift[i] + m->smean[i];
	}
	m->n = n;
}

/* One row: Welford's rank-one update on the row minus the shift (the
 * first row seen), so values near 1e9 that differ in the last digits keep
 * them. */
static void
add_one(struct pp_moments *m, const double *z)
{
	size_t q = m->q, i, j;
	double n = m->n + 1, f = m->n / n;

	if (m->n == 0) {
		memcpy(m->shift, z, q * sizeof(double));
		memset(m->smean, 0, q * sizeof(double));
		memcpy(m->mean, z, q * sizeof(double));
		m->n = 1;
		return;
	}
	for (i = 0; i < q; i++) {
		double di = (z[i] - m->shift[i]) - m->smean[i];

		for (j = i; j < q; j++)
			m->co[i * q + j] += f * di * ((z[j] - m->shift[j]) -
			    m->smean[j]);
	}
	for (i = 0; i < q; i++) {
		m->smean[i] += ((z[i] - m->shift[i]) - m->smean[i]) / n;
		m->mean[i] = m->shift[i] + m->smean[i];
	}
	m->n = n;
}

void
pp_moments_add_rows(struct pp_moments *m, const double *rows, size_t nrows)
{
	size_t q = m->q, i, j, nb;

	if (nrows == 1) {
		add_one(m, rows);
		return;
	}
	if (m->blkcap < BLOCK * q + q * q + 2 * q) {
		m->blkcap = BLOCK * q + q * q + 2 * q;
		free(m->blk);
		m->blk = pp_xmalloc(m->blkcap * sizeof(double));
	}
	for (; nrows > 0; rows += nb * q, nrows -= nb) {
		double *zc = m->blk, *cb = zc + BLOCK * q, *mb = cb + q * q;
		double *r = mb + q;

		nb = nrows < BLOCK ? nrows : BLOCK;
		memset(mb, 0, q * sizeof(double));
		for (i = 0; i < nb; i++)
			for (j = 0; j < q; j++)
				mb[j] += rows[i * q + j];
		for (j = 0; j < q; j++)
			mb[j] /= (double)nb;
		for (i = 0; i < nb; i++)
			for (j = 0; j < q; j++)
				zc[i * q + j] = rows[i * q + j] - mb[j];
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)q,
		    (int)nb, 1.0, zc, (int)q, 0.0, cb, (int)q);
		/*
		 * mb is the block mean rounded to a double: near 1e9 it is off
		 * by up to half an ulp (6e-8), and sum (z - mb)^2 exceeds the
		 * centered sum by nb r^2, r the mean of z - mb.  Subtract it
		 * (the corrected two-pass algorithm); the block's mean is
		 * mb + r, merged as a shift and a small part.
		 */
		memset(r, 0, q * sizeof(double));
		for (i = 0; i < nb; i++)
			for (j = 0; j < q; j++)
				r[j] += zc[i * q + j];
		for (j = 0; j < q; j++)
			r[j] /= (double)nb;
		for (i = 0; i < q; i++)
			for (j = i; j < q; j++)
				cb[i * q + j] -= (double)nb * r[i] * r[j];
		merge(m, (double)nb, mb, r, cb);
	}
}

void
pp_moments_merge(struct pp_moments *dst, const struct pp_moments *src)
{
	merge(dst, src->n, src->shift, src->smean, src->co);
}

void
pp_linfit_release(struct pp_linfit *f)
{
	free(f->constant);
	f->constant = NULL;
}

/*
 * LAPACK reports a bad argument by calling xerbla_, whose default prints
 * " ** On entry to DLASCL parameter number 4 had an illegal value" to
 * stderr, once per call, and carries on; LAPACKE does the same through
 * LAPACKE_xerbla.  A library must not print: these definitions (OpenBLAS
 * makes its xerbla_ weak for this; the programs link libpp first) keep
 * the first complaint of the current solve instead, and the solve turns
 * it into its one-line error.  Thread-local, as LAPACK gives the handler
 * no context to put it in.
 */
static _Thread_local char lapack_complaint[80];

void xerbla_(const char *srname, const int *info, size_t len);
void LAPACKE_xerbla(const char *name, lapack_int info);

void
xerbla_(const char *srname, const int *info, size_t len)
{
	size_t n = 0;

	while (n < len && n < 16 && srname[n] != ' ' && srname[n] != '\0')
		n++;
	if (lapack_complaint[0] == '\0')
		snprintf(lapack_complaint, sizeof(lapack_complaint),
		    "LAPACK %.*s: argument %d out of range", (int)n, srname,
		    *info);
}

void
LAPACKE_xerbla(const char *name, lapack_int info)
{
	if (lapack_complaint[0] == '\0')
		snprintf(lapack_complaint, sizeof(lapack_complaint),
		    "%.20s: argument %d out of range", name, (int)-info);
}

const char *
pp_linear_lapack_complaint(int clear)
{
	static _Thread_local char last[sizeof(lapack_complaint)];

	memcpy(last, lapack_complaint, sizeof(last));
	if (clear)
		lapack_complaint[0] = '\0';
	return last[0] != '\0' ? last : NULL;
}

static int
is_constant(double sumsq, double n, double mean)
{
	return !(sumsq > 0) || sqrt(sumsq / n) <= CONST_REL * fabs(mean);
}

/*
 * Solve the k x k symmetric system A w = b (A row-major, full) in place.
 * A is first scaled to unit diagonal (D A D with D = diag(A)^-1/2), so the
 * singularity test does not depend on the units of the features: a price in
 * the thousands next to a return in the thousandths is not "collinear".
 * Then Cholesky when the scaled A is safely positive definite, else
 * (allow_svd) the minimum-norm least-squares solution of the unscaled
 * system by SVD (minimum norm in the model's own coordinates, as sklearn).  Returns 0,
 * 1 when it had to use the SVD, -1 when neither worked.  A is destroyed;
 * w enters as b.
 */
static int
sym_solve(double *A, double *w, size_t k, int allow_svd)
{
	double *save = pp_xmalloc(k * k * sizeof(double) + 1);
	double *dg = pp_xmalloc(k * sizeof(double) + 1);
	double *orig_b = pp_xmalloc(k * sizeof(double) + 1);
	double anorm, rcond = 0, *sv;
	lapack_int info, rank;
	size_t i, j;
	int rc = 0;

	memcpy(save, A, k * k * sizeof(double));
	memcpy(orig_b, w, k * sizeof(double));
	for (i = 0; i < k; i++)
		dg[i] = A[i * k + i] > 0 ? 1 / sqrt(A[i * k + i]) : 1;
	for (i = 0; i < k; i++) {
		for (j = 0; j < k; j++)
			A[i * k + j] *= dg[i] * dg[j];
		w[i] *= dg[i];
	}
	anorm = LAPACKE_dlansy(LAPACK_ROW_MAJOR, '1', 'U', (lapack_int)k, A,
	    (lapack_int)k);
	info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, A,
	    (lapack_int)k);
	if (info == 0)
		info = LAPACKE_dpocon(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, A,
		    (lapack_int)k, anorm, &rcond);
	if (info == 0 && rcond >= RCOND_MIN) {
		LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, 1, A,
		    (lapack_int)k, w, 1);
		for (i = 0; i < k; i++)
			w[i] *= dg[i];
	} else if (allow_svd) {
		/* On the unscaled system: the minimum norm is sklearn's. */
		memcpy(w, orig_b, k * sizeof(double));
		sv = pp_xmalloc(k * sizeof(double) + 1);
		info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)k,
		    (lapack_int)k, 1, save, (lapack_int)k, w, 1, sv,
		    RCOND_MIN, &rank);
		rc = info == 0 ? 1 : -1;
		free(sv);
	} else {
		rc = -1;
	}
	free(orig_b);
	free(dg);
	free(save);
	return rc;
}

static double
soft(double z, double t)
{
	if (z > t)
		return z - t;
	if (z < -t)
		return z + t;
	return 0;
}

/*
 * Coordinate descent on the Gram form of sklearn's elastic net objective:
 * minimise w'Aw/2n - c'w/n + l1 ||w||_1 + l2 ||w||^2/2 over k coefficients.
 * g = A w is kept up to date, so a sweep is O(k^2).  Converged when a sweep
 * moves no coefficient by more than tol times the largest one.
 */
static void
coord_descent(const double *A, const double *c, size_t k, double n,
    double l1, double l2, const struct pp_fit_opts *o, double *w,
    struct pp_linfit *f)
{
	double *g = pp_xcalloc(k + 1, sizeof(double));
	long it;
	size_t j, i;

	for (it = 0; it < o->max_iter; it++) {
		double maxchg = 0, maxw = 0;

		for (j = 0; j < k; j++) {
			double ajj = A[j * k + j], r, nw, d;

			r = c[j] - g[j] + ajj * w[j];
			nw = soft(r, n * l1) / (ajj + n * l2);
			d = nw - w[j];
			if (d != 0) {
				for (i = 0; i < k; i++)
					g[i] += d * A[i * k + j];
				w[j] = nw;
			}
			if (fabs(d) > maxchg)
				maxchg = fabs(d);
			if (fabs(nw) > maxw)
				maxw = fabs(nw);
		}
		if (maxchg <= o->tol * maxw || maxchg == 0)
			break;
	}
	f->iters = it < o->max_iter ? it + 1 : it;
	f->not_converged = it >= o->max_iter;
	free(g);
}

int
pp_linear_fit(const struct pp_moments *mo, const struct pp_fit_opts *o,
    struct pp_model *m, struct pp_linfit *f, struct pp_err *err)
{
	size_t p = mo->q - 1, q = mo->q, k = 0, i, j, *act;
	double n = mo->n, *s, *A, *w, my;
	int rc;

	memset(f, 0, sizeof(*f));
	f->p = p;
	f->constant = pp_xcalloc(p + 1, 1);
	pp_linear_lapack_complaint(1);
	if (o->kind == PP_MODEL_LOGISTIC)
		return pp_err_set(err, PP_EXIT_USAGE, "logistic regression "
		    "cannot be fitted from moments");
	if (n < 2)
		return pp_err_set(err, PP_EXIT_DATA, "%.0f rows: at least 2 "
		    "are needed to fit", n);
	/* Values near 1e154 and above square to inf: such a feature is not
	 * constant (as inf spread once read) and no solver can use it (LAPACK
	 * printed "On entry to DLASCL parameter number 4" and failed).  The
	 * products are bounded by the squares (Cauchy-Schwarz). */
	for (j = 0; j <= p; j++)
		if (!isfinite(mo->co[j * q + j]) || !isfinite(mo->mean[j]))
			return pp_err_set(err, PP_EXIT_DATA, "%s%s%s: values "
			    "too large: their squares overflow", j == p ?
			    "the target" : "feature \"", j == p ? "" :
			    m->features[j], j == p ? "" : "\"");
	act = pp_xmalloc((p + 1) * sizeof(size_t));
	s = pp_xmalloc((p + 1) * sizeof(double));
	for (j = 0; j < p; j++) {
		double cjj = mo->co[j * q + j];

		f->constant[j] = (unsigned char)is_constant(cjj, n,
		    mo->mean[j]);
		s[j] = o->standardize && !f->constant[j] ? sqrt(cjj / n) : 1;
		if (!f->constant[j])
			act[k++] = j;
	}
	A = pp_xmalloc((k * k + 1) * sizeof(double));
	w = pp_xcalloc(k + 1, sizeof(double));
	for (i = 0; i < k; i++) {
		size_t a = act[i];

		for (j = 0; j < k; j++) {
			size_t b = act[j];
			double v = a <= b ? mo->co[a * q + b] : mo->co[b * q + a];

			A[i * k + j] = v / (s[a] * s[b]);
		}
		w[i] = mo->co[a * q + p] / s[a];
	}
	rc = 0;
	if (k > 0) {
		switch (o->kind) {
		case PP_MODEL_OLS:
			rc = sym_solve(A, w, k, 1);
			if (rc == 1)
				f->collinear = 1;
			break;
		case PP_MODEL_RIDGE:
			for (i = 0; i < k; i++)
				A[i * k + i] += o->alpha;
			rc = sym_solve(A, w, k, 1);
			if (rc == 1)
				f->collinear = 1;
			break;
		default: {
			double *c = pp_xmalloc((k + 1) * sizeof(double));
			double l1r = o->kind == PP_MODEL_LASSO ? 1 :
			    o->l1_ratio;

			memcpy(c, w, k * sizeof(double));
			memset(w, 0, k * sizeof(double));
			coord_descent(A, c, k, n, o->alpha * l1r,
			    o->alpha * (1 - l1r), o, w, f);
			free(c);
			break;
		}
		}
	}
	if (rc == -1) {
		const char *why = pp_linear_lapack_complaint(1);

		free(A);
		free(w);
		free(s);
		free(act);
		return pp_err_set(err, PP_EXIT_DATA, "the least-squares solver "
		    "failed%s%s", why ? ": " : "", why ? why : "");
	}
	my = mo->mean[p];
	m->standardized = o->standardize;
	m->intercept = my;
	for (j = 0; j < p; j++) {
		m->coef[j] = 0;
		m->mean[j] = o->standardize ? mo->mean[j] : 0;
		m->scale[j] = s[j];
	}
	for (i = 0; i < k; i++)
		m->coef[act[i]] = w[i];
	if (!o->standardize)
		for (j = 0; j < p; j++)
			m->intercept -= m->coef[j] * mo->mean[j];
	free(A);
	free(w);
	free(s);
	free(act);
	return 0;
}

double
pp_linear_sse(const struct pp_model *m, const struct pp_moments *mo,
    double *sst)
{
	size_t p = m->nfeat, q = mo->q, i, j;
	double *v = pp_xmalloc((q + 1) * sizeof(double));
	double b0 = m->intercept, rbar, quad = 0;

	for (j = 0; j < p; j++) {
		v[j] = -m->coef[j] / m->scale[j];
		b0 += v[j] * m->mean[j];
	}
	v[p] = 1;
	rbar = mo->mean[p] - b0;
	for (j = 0; j < p; j++)
		rbar += v[j] * mo->mean[j];
	for (i = 0; i < q; i++) {
		quad += v[i] * v[i] * mo->co[i * q + i];
		for (j = i + 1; j < q; j++)
			quad += 2 * v[i] * v[j] * mo->co[i * q + j];
	}
	if (sst != NULL)
		*sst = mo->co[p * q + p];
	free(v);
	if (quad < 0)
		quad = 0;
	return quad + mo->n * rbar * rbar;
}

static double
softplus(double x)
{
	return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

/* The logistic problem on the selected rows, standardized on the fly. */
struct logit {
	const double *X, *y;
	const size_t *idx;
	size_t nidx, p, k;	/* rows, features, active features */
	const size_t *act;	/* active feature indexes */
	const double *mean, *scale;
	double C;
	double *zb;		/* BLOCK x (k+1) scratch */
	double *eta;		/* BLOCK */
};

static size_t
row_of(const struct logit *L, size_t r)
{
	return L->idx != NULL ? L->idx[r] : r;
}

/* Fill zb with rows [r0, r0+nb) as [1, (x - mean)/scale]. */
static void
fill_block(const struct logit *L, size_t r0, size_t nb)
{
	size_t k1 = L->k + 1, i, j;

	for (i = 0; i < nb; i++) {
		const double *x = L->X + row_of(L, r0 + i) * L->p;

		L->zb[i * k1] = 1;
		for (j = 0; j < L->k; j++) {
			size_t a = L->act[j];

			L->zb[i * k1 + 1 + j] = (x[a] - L->mean[a]) /
			    L->scale[a];
		}
	}
}

/* The objective at w; with g and H non-NULL also the gradient and the
 * upper triangle of the Hessian (row-major, k+1 square). */
static double
logit_eval(const struct logit *L, const double *w, double *g, double *H)
{
	size_t k1 = L->k + 1, r0, nb, i, j;
	double loss = 0, pen = 0;

	if (g != NULL) {
		memset(g, 0, k1 * sizeof(double));
		memset(H, 0, k1 * k1 * sizeof(double));
	}
	for (r0 = 0; r0 < L->nidx; r0 += nb) {
		nb = L->nidx - r0 < BLOCK ? L->nidx - r0 : BLOCK;
		fill_block(L, r0, nb);
		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, (int)k1, 1.0,
		    L->zb, (int)k1, w, 1, 0.0, L->eta, 1);
		for (i = 0; i < nb; i++) {
			double e = L->eta[i], yi = L->y[row_of(L, r0 + i)];
			double pr, sw;

			loss += yi > 0.5 ? softplus(-e) : softplus(e);
			if (g == NULL)
				continue;
			pr = e >= 0 ? 1 / (1 + exp(-e)) : exp(e) / (1 + exp(e));
			L->eta[i] = pr - yi;
			sw = sqrt(pr * (1 - pr));
			/* g += z (p - y); then scale the row for X'WX. */
			for (j = 0; j < k1; j++) {
				g[j] += L->zb[i * k1 + j] * L->eta[i];
				L->zb[i * k1 + j] *= sw;
			}
		}
		if (g != NULL)
			cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans,
			    (int)k1, (int)nb, 1.0, L->zb, (int)k1, 1.0, H,
			    (int)k1);
	}
	for (j = 1; j < k1; j++)
		pen += w[j] * w[j];
	if (g != NULL) {
		for (j = 0; j < k1; j++)
			g[j] *= L->C;
		for (j = 1; j < k1; j++)
			g[j] += w[j];
		for (i = 0; i < k1; i++) {
			for (j = i; j < k1; j++)
				H[i * k1 + j] *= L->C;
			if (i > 0)
				H[i * k1 + i] += 1;
			for (j = 0; j < i; j++)
				H[i * k1 + j] = H[j * k1 + i];
		}
	}
	return L->C * loss + pen / 2;
}

int
pp_logistic_fit(const double *X, const double *y, size_t n, size_t p,
    const size_t *idx, size_t nidx, const struct pp_fit_opts *o,
    struct pp_model *m, struct pp_linfit *f, struct pp_err *err)
{
	struct logit L;
	size_t *act, k = 0, k1, i, j, ones = 0;
	double *mean, *scale, *w, *g, *H, *d, *wn, obj;
	long it;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	f->p = p;
	f->constant = pp_xcalloc(p + 1, 1);
	if (idx == NULL)
		nidx = n;
	if (nidx < 2)
		return pp_err_set(err, PP_EXIT_DATA, "%zu rows: at least 2 "
		    "are needed to fit", nidx);
	memset(&L, 0, sizeof(L));
	L.X = X;
	L.y = y;
	L.idx = idx;
	L.nidx = nidx;
	L.p = p;
	L.C = o->C;
	for (i = 0; i < nidx; i++)
		ones += y[row_of(&L, i)] > 0.5;
	if (ones == 0 || ones == nidx)
		return pp_err_set(err, PP_EXIT_DATA, "the target has one "
		    "class only (%zu rows, all %d)", nidx, ones > 0);
	mean = pp_xcalloc(p + 1, sizeof(double));
	scale = pp_xcalloc(p + 1, sizeof(double));
	act = pp_xmalloc((p + 1) * sizeof(size_t));
	/* Two passes for the mean and the population variance. */
	for (i = 0; i < nidx; i++)
		for (j = 0; j < p; j++)
			mean[j] += X[row_of(&L, i) * p + j];
	for (j = 0; j < p; j++)
		mean[j] /= (double)nidx;
	for (i = 0; i < nidx; i++)
		for (j = 0; j < p; j++) {
			double dv = X[row_of(&L, i) * p + j] - mean[j];

			scale[j] += dv * dv;
		}
	for (j = 0; j < p; j++) {
		f->constant[j] = (unsigned char)is_constant(scale[j],
		    (double)nidx, mean[j]);
		scale[j] = o->standardize && !f->constant[j] ?
		    sqrt(scale[j] / (double)nidx) : 1;
		if (!o->standardize)
			mean[j] = 0;
		if (!f->constant[j])
			act[k++] = j;
	}
	k1 = k + 1;
	L.k = k;
	L.act = act;
	L.mean = mean;
	L.scale = scale;
	L.zb = pp_xmalloc(BLOCK * k1 * sizeof(double));
	L.eta = pp_xmalloc(BLOCK * sizeof(double));
	w = pp_xcalloc(k1, sizeof(double));
	wn = pp_xcalloc(k1, sizeof(double));
	g = pp_xmalloc(k1 * sizeof(double));
	d = pp_xmalloc(k1 * sizeof(double));
	H = pp_xmalloc(k1 * k1 * sizeof(double));

	/*
	 * Newton's method with a halving line search.  The objective is
	 * strictly convex in the penalized coefficients, and the intercept
	 * direction has curvature sum p(1-p) > 0 while both classes are
	 * present, so H is positive definite and each step is one Cholesky
	 * solve.  Newton converges quadratically: once a step is below 1e-10
	 * of the coefficients the next would be at rounding level, so we stop.
	 */
	obj = logit_eval(&L, w, g, H);
	for (it = 0; it < o->max_iter; it++) {
		double t = 1, gd = 0, maxd = 0, maxw = 0, on = obj;
		int ls;

		memcpy(d, g, k1 * sizeof(double));
		if (sym_solve(H, d, k1, 1) == -1) {
			pp_err_set(err, PP_EXIT_DATA, "logistic regression: "
			    "the Newton step could not be solved");
			goto out;
		}
		for (j = 0; j < k1; j++) {
			gd += g[j] * d[j];
			if (fabs(d[j]) > maxd)
				maxd = fabs(d[j]);
		}
		for (ls = 0; ls < 60; ls++, t /= 2) {
			for (j = 0; j < k1; j++)
				wn[j] = w[j] - t * d[j];
			on = logit_eval(&L, wn, NULL, NULL);
			if (on <= obj - 1e-4 * t * gd ||
			    on <= obj + 1e-14 * fabs(obj))
				break;
		}
		memcpy(w, wn, k1 * sizeof(double));
		for (j = 0; j < k1; j++)
			if (fabs(w[j]) > maxw)
				maxw = fabs(w[j]);
		if (t * maxd <= 1e-10 * (1 + maxw))
			break;
		obj = logit_eval(&L, w, g, H);
	}
	f->iters = it < o->max_iter ? it + 1 : it;
	f->not_converged = it >= o->max_iter;
	m->standardized = o->standardize;
	m->intercept = w[0];
	for (j = 0; j < p; j++) {
		m->coef[j] = 0;
		m->mean[j] = mean[j];
		m->scale[j] = scale[j];
	}
	for (j = 0; j < k; j++)
		m->coef[act[j]] = w[j + 1];
	if (!o->standardize)
		for (j = 0; j < p; j++)
			m->mean[j] = 0;
	rc = 0;
out:
	free(H);
	free(d);
	free(g);
	free(wn);
	free(w);
	free(L.eta);
	free(L.zb);
	free(act);
	free(scale);
	free(mean);
	return rc;
}
