/*
 * drift.c - data drift between a reference and a current sample
 * (drift.h).
 *
 * The one idea to hold first: the Kolmogorov-Smirnov p-value is a count
 * of lattice paths.  Merge the two sorted samples and walk from (0, 0) to
 * (n1, n2), a step right for a value of the first, up for the second; D
 * is the largest distance of the walk from the diagonal, and under the
 * null every path is equally likely, so P(D >= d) is the share of paths
 * that leave the band |x/n1 - y/n2| < d.  For samples up to
 * PP_DRIFT_EXACT_MAX that share is computed column by column over the
 * band (Hodges' inside method, in the 1 - p form of Viehmann, 2021, which
 * keeps every entry in [0, 1]); equal sizes have a closed form (an
 * alternating sum of ratios).  Larger samples take the one-sample
 * distribution of round(n1 n2 / (n1 + n2)) points, as scipy does.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "drift.h"
#include "eval.h"
#include "frame.h"
#include "num.h"
#include "util.h"
#include "banned.h"

/* ---- Kolmogorov-Smirnov ---------------------------------------------- */

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t
ceil_div(int64_t a, int64_t b)
{
	return -floor_div(-a, b);
}

/* n1 == n2 == n: P(D >= h/n) = 2 sum_k (-1)^(k+1) C(2n, n - kh) / C(2n, n),
 * summed from the smallest term up as nested products. */
static double
prob_outside_square(int64_t n, int64_t h)
{
	double P = 0;
	int64_t k, j;

	for (k = n / h; k >= 0; k--) {
		double p1 = 1;

		for (j = 0; j < h; j++)
			p1 = (double)(n - k * h - j) * p1 /
			    (double)(n + k * h + j + 1);
		P = p1 * (1 - P);
	}
	return 2 * P;
}

/*
 * m >= n, g = gcd(m, n): the share of paths from (0, 0) to (m, n) that
 * touch |x n - y m| >= h g.  A[j] holds 1 - (paths to (i, j) staying
 * inside) / C(i + j, j) over the band's window of rows at column i; the
 * recurrence is the path count's, divided by the binomial coefficient,
 * so it never overflows.
 */
static double
prob_outside_band(int64_t m, int64_t n, int64_t g, int64_t h)
{
	int64_t mg = m / g, ng = n / g, i, jj;
	int64_t minj = 0, maxj, curlen, lenA, lastminj, lastlen;
	double *A, val, p;

	maxj = ceil_div(h, mg);
	if (maxj > n + 1)
		maxj = n + 1;
	curlen = maxj - minj;
	lenA = 2 * maxj + 2 < n + 1 ? 2 * maxj + 2 : n + 1;
	A = pp_xmalloc((size_t)lenA * sizeof(*A));
	for (jj = 0; jj < lenA; jj++)
		A[jj] = jj < maxj ? 0 : 1;
	for (i = 1; i <= m; i++) {
		lastminj = minj;
		lastlen = curlen;
		minj = floor_div(ng * i - h, mg) + 1;
		if (minj < 0)
			minj = 0;
		if (minj > n)
			minj = n;
		maxj = ceil_div(ng * i + h, mg);
		if (maxj > n + 1)
			maxj = n + 1;
		if (maxj <= minj) {
			free(A);
			return 1;
		}
		val = minj == 0 ? 0 : 1;
		for (jj = 0; jj < maxj - minj; jj++) {
			int64_t j = jj + minj;

			val = (A[jj + minj - lastminj] * (double)i +
			    val * (double)j) / (double)(i + j);
			A[jj] = val;
		}
		curlen = maxj - minj;
		for (jj = curlen; jj < lastlen; jj++)
			A[jj] = 1;
	}
	p = A[maxj - minj - 1];
	free(A);
	return p;
}

static int64_t
gcd(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Smirnov's one-sided P(D+_n >= x), exactly (Birnbaum and Tingey):
 * x sum_{j <= n(1-x)} C(n,j) (1-x-j/n)^(n-j) (x+j/n)^(j-1), each term
 * in logarithms. */
static double
smirnov(double n, double x)
{
	double sum = 0, lgn = lgamma(n + 1);
	double jmax = floor(n * (1 - x)), j;

	for (j = 0; j <= jmax; j++) {
		double a = 1 - x - j / n, lt;

		if (a <= 0)
			continue;
		lt = lgn - lgamma(j + 1) - lgamma(n - j + 1) +
		    (n - j) * log(a) + (j - 1) * log(x + j / n);
		sum += exp(lt);
	}
	return fmin(1, fmax(0, x * sum));
}

/* Pelz and Good's (1976) series for P(D_n <= x): the limit and three
 * corrections in 1/sqrt(n), each summed in the form for small z. */
static double
pelz_good_cdf(double n, double x)
{
	const double pi2 = M_PI * M_PI, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
	const double s2pi = sqrt(2 * M_PI);
	double z = sqrt(n) * x, z2 = z * z, z4 = z2 * z2, z6 = z4 * z2;
	double q, K[4] = { 0, 0, 0, 0 }, k2x = 0, k3x = 0, s3z = sqrt(3) * z;
	double qlog = -pi2 / 8 / z2;
	long k, maxk;
	int t;

	if (qlog < -708)
		return 0;
	q = exp(qlog);
	maxk = (long)ceil(16 * z / M_PI);
	for (k = maxk; k > 0; k--) {
		double m = 2.0 * (double)k - 1, m2 = m * m, m4 = m2 * m2;
		double m6 = m4 * m2, qp = pow(q, 8.0 * (double)k);
		double c[4];

		c[0] = 1;
		c[1] = -z2 + pi2 / 4 * m2;
		c[2] = (6 * z6 + 2 * z4) + (2 * z4 - 5 * z2) * pi2 / 4 * m2 +
		    pi4 * (1 - 2 * z2) / 16 * m4;
		c[3] = (-30 * z6 - 90 * z4 * z4) + pi2 * (135 * z4 -
		    96 * z6) / 4 * m2 + pi4 * (-60 * z2 + 212 * z4) / 16 * m4 +
		    pi6 * (5 - 30 * z2) / 64 * m6;
		for (t = 0; t < 4; t++)
			K[t] = K[t] * qp + c[t];
	}
	K[0] *= q * s2pi / z;
	K[1] *= q * s2pi / (6 * z4);
	K[2] *= q * s2pi / (72 * z4 * z2 * z);
	K[3] *= q * s2pi / (6480 * z6 * z4);
	q = exp(-pi2 / 2 / z2);
	for (k = maxk; k > 0; k--) {
		double kk = (double)k * (double)k, qp = pow(q, kk);
		double kp = M_PI * (double)k;

		k2x += kk * qp;
		k3x += (s3z + kp) * (s3z - kp) * kk * qp;
	}
	K[2] += k2x * pi2 * s2pi / (-36 * z2 * z);
	K[3] += k3x * pi2 * s2pi / (216 * z6);
	return K[0] + K[1] / sqrt(n) + K[2] / n + K[3] / (n * sqrt(n));
}

/*
 * scipy's kstwo.sf picks among exact formulas at the edges (t = n x at
 * most 1 or at least n - 1), twice Smirnov's one-sided probability where
 * it is exact or very close (x >= 1/2, n x^2 >= 2.2), and otherwise one
 * minus the CDF, which it takes from the Durbin matrix (n <= 100000 and
 * n x^1.5 <= 1.4), Pomeranz's recursion (n <= 140, n x^2 <= 4) or the
 * Pelz-Good series.  Here Pelz-Good stands in for the Durbin matrix and
 * Pomeranz's recursion: the middle of the range, where the p-value is
 * large, agrees with scipy to the tolerance man/pp-eval.1 states.
 */
double
pp_drift_kstwo_sf(double n, double x)
{
	double t = n * x, nx2 = t * x, p;

	if (x >= 1)
		return 0;
	if (x <= 0)
		return 1;
	if (t <= 1) {
		if (t <= 0.5)
			return 1;
		p = exp(lgamma(n + 1) - n * log(n) + n * log(2 * t - 1));
		return fmin(1, fmax(0, 1 - p));
	}
	if (t >= n - 1)
		return fmin(1, fmax(0, 2 * pow(1 - x, n)));
	if (x >= 0.5)
		return fmin(1, 2 * smirnov(n, x));
	if (nx2 >= 370)
		return 0;
	if (nx2 >= 2.2 && (n > 140 || nx2 > 4))
		return fmin(1, 2 * smirnov(n, x));
	p = 1 - pelz_good_cdf(n, x);
	return fmin(1, fmax(0, p));
}

double
pp_drift_ks(const double *a, size_t n1, const double *b, size_t n2,
    double *p)
{
	size_t i = 0, j = 0;
	double maxs = 0, mins = 0, d, prob = NAN;
	int64_t m = (int64_t)n1, n = (int64_t)n2, g;

	while (i < n1 || j < n2) {
		double v, diff;

		if (j == n2 || (i < n1 && a[i] <= b[j]))
			v = a[i];
		else
			v = b[j];
		while (i < n1 && a[i] <= v)
			i++;
		while (j < n2 && b[j] <= v)
			j++;
		diff = (double)i / (double)n1 - (double)j / (double)n2;
		if (diff > maxs)
			maxs = diff;
		if (-diff > mins)
			mins = -diff;
	}
	d = mins > maxs ? mins : maxs;
	g = gcd(m, n);
	if (n1 <= PP_DRIFT_EXACT_MAX && n2 <= PP_DRIFT_EXACT_MAX) {
		int64_t lcm = m / g * n, h = (int64_t)nearbyint(d * (double)lcm);

		d = (double)h / (double)lcm;
		if (h == 0)
			prob = 1;
		else if (m == n)
			prob = prob_outside_square(m, h);
		else
			prob = m >= n ? prob_outside_band(m, n, g, h)
			    : prob_outside_band(n, m, g, h);
		if (!(prob >= 0 && prob <= 1))
			prob = NAN;
	}
	if (isnan(prob)) {
		double hi = (double)(m > n ? m : n), lo = (double)(m > n ? n : m);

		prob = pp_drift_kstwo_sf(nearbyint(hi * lo / (hi + lo)), d);
	}
	*p = fmin(1, fmax(0, prob));
	return d;
}

/* ---- PSI and moments ------------------------------------------------- */

/* numpy's lerp: from the nearer end, so t = 1 gives b exactly. */
static double
lerp(double a, double b, double t)
{
	double diff = b - a;

	return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

double
pp_drift_quantile(const double *x, size_t n, double q)
{
	double h = q * (double)(n - 1), lo = floor(h);
	size_t i = (size_t)lo;

	if (i >= n - 1)
		return x[n - 1];
	return lerp(x[i], x[i + 1], h - lo);
}

/* Counts of sorted v in the bins at edges e[1..9]: bin 0 holds v <= e[1],
 * bin k holds e[k] < v <= e[k+1], the last bin v > e[9]. */
static void
bin_counts(const double *e, const double *v, size_t n, size_t *cnt)
{
	size_t i, k = 0;

	for (k = 0; k < PP_DRIFT_PSI_BINS; k++)
		cnt[k] = 0;
	k = 0;
	for (i = 0; i < n; i++) {
		while (k < PP_DRIFT_PSI_BINS - 1 && v[i] > e[k + 1])
			k++;
		cnt[k]++;
	}
}

double
pp_drift_psi(const double *ref, size_t nref, const double *cur,
    size_t ncur)
{
	double e[PP_DRIFT_PSI_BINS], psi = 0;
	size_t cr[PP_DRIFT_PSI_BINS], cc[PP_DRIFT_PSI_BINS], k;

	e[0] = ref[0];
	for (k = 1; k < PP_DRIFT_PSI_BINS; k++)
		e[k] = pp_drift_quantile(ref, nref, (double)k /
		    PP_DRIFT_PSI_BINS);
	bin_counts(e, ref, nref, cr);
	bin_counts(e, cur, ncur, cc);
	for (k = 0; k < PP_DRIFT_PSI_BINS; k++) {
		double r = (double)cr[k] / (double)nref;
		double c = (double)cc[k] / (double)ncur;

		if (r == 0)
			r = PP_DRIFT_PSI_FLOOR;
		if (c == 0)
			c = PP_DRIFT_PSI_FLOOR;
		psi += (c - r) * log(c / r);
	}
	return psi;
}

/* Mean and standard deviation (ddof 1) by Welford's update. */
static void
moments(const double *x, size_t n, double *mean, double *sd)
{
	double m = 0, s = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double dx = x[i] - m;

		m += dx / (double)(i + 1);
		s += dx * (x[i] - m);
	}
	*mean = m;
	*sd = n > 1 ? sqrt(s / (double)(n - 1)) : NAN;
}

size_t
pp_drift_score(const struct pp_drift *d, double psi_max, double ks_alpha,
    struct pp_scores *out, unsigned char *drifting)
{
	size_t i, nd = 0;

	if (out->group_key == NULL)
		out->group_key = pp_xstrdup("column");
	for (i = 0; i < d->n; i++) {
		const struct pp_drift_col *c = &d->v[i];
		double ks, p, psi, mr, sr, mc, sc;
		int drifts;

		ks = pp_drift_ks(c->ref, c->nref, c->cur, c->ncur, &p);
		psi = pp_drift_psi(c->ref, c->nref, c->cur, c->ncur);
		moments(c->ref, c->nref, &mr, &sr);
		moments(c->cur, c->ncur, &mc, &sc);
		pp_scores_add(out, c->name, "ks_statistic", ks);
		pp_scores_add(out, c->name, "ks_pvalue", p);
		pp_scores_add(out, c->name, "psi", psi);
		pp_scores_add(out, c->name, "mean_shift", mc - mr);
		pp_scores_add(out, c->name, "std_shift", sc - sr);
		pp_scores_add(out, c->name, "missing_share",
		    (double)c->cur_missing / (double)c->cur_rows);
		drifts = psi > psi_max || p < ks_alpha;
		if (drifting)
			drifting[i] = (unsigned char)drifts;
		nd += (size_t)drifts;
	}
	return nd;
}

void
pp_drift_hist(const struct pp_drift_col *c, size_t nbins, double *lo,
    double *width, double *ref, double *cur)
{
	double a = fmin(c->ref[0], c->cur[0]);
	double b = fmax(c->ref[c->nref - 1], c->cur[c->ncur - 1]);
	double w = b > a ? (b - a) / (double)nbins : 1;
	size_t i, k;

	for (k = 0; k < nbins; k++)
		ref[k] = cur[k] = 0;
	for (i = 0; i < c->nref; i++) {
		k = (size_t)((c->ref[i] - a) / w);
		ref[k < nbins ? k : nbins - 1] += 1 / (double)c->nref;
	}
	for (i = 0; i < c->ncur; i++) {
		k = (size_t)((c->cur[i] - a) / w);
		cur[k < nbins ? k : nbins - 1] += 1 / (double)c->ncur;
	}
	*lo = a;
	*width = w;
}

/* ---- Reading --------------------------------------------------------- */

struct vec {
	double *v;
	size_t n, cap;
};

static void
vec_push(struct vec *x, double v)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		x->v = pp_xrealloc(x->v, x->cap * sizeof(*x->v));
	}
	x->v[x->n++] = v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Every number column of the reference (dates are not numbers). */
static void
pick_columns(struct pp_drift *d, const struct pp_reader *r)
{
	const struct pp_schema *s = pp_reader_schema(r);
	size_t i;

	d->v = pp_xcalloc(s->ncols + 1, sizeof(*d->v));
	for (i = 0; i < s->ncols; i++)
		if (s->cols[i].type == PP_T_F64 || s->cols[i].type == PP_T_I64)
			d->v[d->n++].name = pp_xstrdup(s->cols[i].name);
}

/*
 * Read the frame at path into the columns' samples: into ref (and cur,
 * when split: rows dated on or after the split date).  which: 0 the
 * reference, 1 the current sample, 2 both by date.  Current rows and
 * their missing cells per column are counted.
 */
static int
read_frame(struct pp_drift *d, const char *path, int which,
    const struct pp_drift_opts *o, struct vec *ref, struct vec *cur,
    size_t *cur_rows, size_t *missing, struct pp_err *err)
{
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_reader *r;
	const union pp_cell *row;
	long *ci = pp_xcalloc(d->n + 1, sizeof(*ci)), cd = -1;
	size_t k;
	int st, rc = -1;

	ro.delim = o->delim;
	if ((r = pp_reader_open(path, &ro, err)) == NULL)
		goto out;
	for (k = 0; k < d->n; k++)
		if ((ci[k] = pp_eval_num_col(r, d->v[k].name, err)) < 0)
			goto out;
	if (which == 2) {
		cd = pp_schema_find(pp_reader_schema(r), "date");
		if (cd < 0 || (pp_reader_schema(r)->cols[cd].type != PP_T_DATE
		    && pp_reader_schema(r)->cols[cd].type != PP_T_DATETIME)) {
			pp_err_set(err, PP_EXIT_DATA, "%s: %s column \"date\" "
			    "(--split-date)", pp_reader_name(r), cd < 0 ?
			    "missing" : "no dates in");
			goto out;
		}
	}
	while ((st = pp_reader_next(r, &row, err)) == 1) {
		int is_cur = which == 1;

		if (which == 2) {
			int64_t t = row[cd].i;

			if (t == PP_I64_MISSING) {
				pp_err_set(err, PP_EXIT_DATA, "%s:%ld: column "
				    "\"date\": missing", pp_reader_name(r),
				    pp_reader_line(r));
				goto out;
			}
			if (pp_reader_schema(r)->cols[cd].type ==
			    PP_T_DATETIME)
				t = floor_div(t, 86400000000LL);
			is_cur = t >= o->split_date;
		}
		if (is_cur)
			(*cur_rows)++;
		for (k = 0; k < d->n; k++) {
			double v;

			if (pp_eval_cell(r, row, ci[k], &v, err) == -1)
				goto out;
			if (isnan(v)) {
				missing[k] += (size_t)is_cur;
				continue;
			}
			vec_push(is_cur ? &cur[k] : &ref[k], v);
		}
	}
	if (st == 0)
		rc = 0;
out:
	pp_reader_free(r);
	free(ci);
	return rc;
}

int
pp_drift_read(struct pp_drift *d, const char *ref, const char *cur,
    const struct pp_drift_opts *o, struct pp_err *err)
{
	struct vec *vr = NULL, *vc = NULL;
	size_t *missing = NULL, rows = 0, k, n = 0;
	int rc = -1;

	d->v = NULL;
	d->n = 0;
	if (o->cols) {
		d->v = pp_xcalloc(o->ncols + 1, sizeof(*d->v));
		for (k = 0; k < o->ncols; k++)
			d->v[d->n++].name = pp_xstrdup(o->cols[k]);
	} else {
		struct pp_read_opts ro = PP_READ_OPTS_INIT;
		struct pp_reader *r;

		ro.delim = o->delim;
		if ((r = pp_reader_open(ref, &ro, err)) == NULL)
			return -1;
		pick_columns(d, r);
		if (d->n == 0) {
			pp_err_set(err, PP_EXIT_DATA, "%s: no number column",
			    pp_reader_name(r));
			pp_reader_free(r);
			goto out;
		}
		pp_reader_free(r);
	}
	n = d->n;
	vr = pp_xcalloc(n, sizeof(*vr));
	vc = pp_xcalloc(n, sizeof(*vc));
	missing = pp_xcalloc(n, sizeof(*missing));
	if (o->split) {
		if (read_frame(d, ref, 2, o, vr, vc, &rows, missing, err) == -1)
			goto out;
	} else {
		size_t none = 0, *rm = pp_xcalloc(n, sizeof(*rm));

		k = (size_t)read_frame(d, ref, 0, o, vr, vc, &none, rm, err);
		free(rm);
		if (k != 0 || read_frame(d, cur, 1, o, vr, vc, &rows, missing,
		    err) == -1)
			goto out;
	}
	for (k = 0; k < n; k++) {
		struct pp_drift_col *c = &d->v[k];

		if (vr[k].n < 2 || vc[k].n < 2) {
			int inref = vr[k].n < 2;

			pp_err_set(err, PP_EXIT_DATA, "%s: column \"%s\": %zu "
			    "value%s in the %s sample: need at least 2",
			    o->split ? ref : inref ? ref : cur, c->name,
			    inref ? vr[k].n : vc[k].n, (inref ? vr[k].n :
			    vc[k].n) == 1 ? "" : "s", inref ? "reference" :
			    "current");
			goto out;
		}
		qsort(vr[k].v, vr[k].n, sizeof(double), cmp_double);
		qsort(vc[k].v, vc[k].n, sizeof(double), cmp_double);
		c->ref = vr[k].v;
		c->nref = vr[k].n;
		c->cur = vc[k].v;
		c->ncur = vc[k].n;
		vr[k].v = vc[k].v = NULL;
		c->cur_rows = rows;
		c->cur_missing = missing[k];
	}
	rc = 0;
out:
	for (k = 0; vr && k < n; k++) {
		free(vr[k].v);
		free(vc[k].v);
	}
	free(vr);
	free(vc);
	free(missing);
	if (rc == -1)
		pp_drift_release(d);
	return rc;
}

void
pp_drift_release(struct pp_drift *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].name);
		free(d->v[i].ref);
		free(d->v[i].cur);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}
