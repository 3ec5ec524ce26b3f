/*
 * metrics.c - regression and classification scores (metrics.h).
 *
 * The moments are Welford's running updates: after each pair the means
 * are exact to rounding and a constant column's centred sum of squares is
 * exactly 0 (its delta is 0 every time), which is what r2's constant-target
 * rule and the correlations' "undefined" test need.  The updates run on
 * the values less the first pair's (exact for nearby values), so prices
 * near 1e8 keep their small spread to full precision instead of losing
 * eight digits to the mean's rounding.  A two-pass formula would be as
 * accurate but would keep the rows.
 *
 * Ranks are computed by sorting the pairs themselves, not an index: the
 * pair moves with its partner, so after ranking y and then p each pair
 * holds (rank y, rank p).  The sorting is radix.c's, on the doubles'
 * bits: one scratch copy, the memory a merge sort takes, no comparison
 * callbacks, and both processors on large arrays.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "radix.h"
#include "util.h"
#include "banned.h"

void
pp_metrics_init(struct pp_metrics *m, double threshold, unsigned flags)
{
	struct pp_metrics z = { 0 };

	*m = z;
	m->binary = 1;
	m->unit = 1;
	m->threshold = threshold;
	m->flags = flags;
}

void
pp_metrics_release(struct pp_metrics *m)
{
	free(m->v);
	m->v = NULL;
	m->cap = 0;
}

void
pp_metrics_reserve(struct pp_metrics *m, size_t n)
{
	if (!(m->flags & PP_METRICS_KEEP) || n <= m->cap)
		return;
	if (m->n == 0) {
		free(m->v);
		m->v = pp_xmalloc_huge(n * sizeof(*m->v));
	} else {
		m->v = pp_xrealloc(m->v, n * sizeof(*m->v));
		pp_huge_pages(m->v, n * sizeof(*m->v));
	}
	m->cap = n;
}

void
pp_metrics_add(struct pp_metrics *m, double y, double p)
{
	double e = p - y, sy, sp, dy, dp;

	m->n++;
	m->sse += e * e;
	m->sae += fabs(e);
	if (m->n == 1) {
		m->ky = y;
		m->kp = p;
	}
	sy = y - m->ky;
	sp = p - m->kp;
	dy = sy - m->my;
	dp = sp - m->mp;
	m->my += dy / (double)m->n;
	m->mp += dp / (double)m->n;
	m->m2y += dy * (sy - m->my);
	m->m2p += dp * (sp - m->mp);
	m->cyp += dy * (sp - m->mp);
	if (y != 0 && p != 0) {
		m->dir_n++;
		m->dir_hit += (y > 0) == (p > 0);
	}
	if (y != 0 && y != 1)
		m->binary = 0;
	if (!(p >= 0 && p <= 1))
		m->unit = 0;
	if (m->binary) {
		int pos = p > m->threshold;

		m->ll += pp_metrics_logloss1(y, p);
		m->brier += e * e;
		if (y == 1)
			pos ? m->tp++ : m->fn++;
		else
			pos ? m->fp++ : m->tn++;
	}
	if (m->flags & PP_METRICS_KEEP) {
		if (m->n > m->cap) {
			pp_xgrow((void **)&m->v, &m->cap, m->n, sizeof(*m->v));
			pp_huge_pages(m->v, m->cap * sizeof(*m->v));
		}
		m->v[m->n - 1].y = y;
		m->v[m->n - 1].p = p;
	}
}

int
pp_metrics_is_binary(const struct pp_metrics *m)
{
	return m->n > 0 && m->binary;
}

int
pp_metrics_is_unit(const struct pp_metrics *m)
{
	return m->n > 0 && m->unit;
}

double
pp_metrics_rmse(double sse, double n)
{
	return n > 0 ? sqrt(sse / n) : NAN;
}

double
pp_metrics_r2(double sse, double sst)
{
	if (isnan(sse) || isnan(sst))
		return NAN;
	if (sst == 0)
		return sse == 0 ? 1.0 : 0.0;
	return 1 - sse / sst;
}

double
pp_metrics_logloss1(double y, double p)
{
	const double eps = PP_LOGLOSS_EPS;

	p = p < eps ? eps : p > 1 - eps ? 1 - eps : p;
	return y == 1 ? -log(p) : -log(1 - p);
}

static double
ratio(size_t a, size_t b)
{
	return b > 0 ? (double)a / (double)b : 0.0;
}

void
pp_metrics_regression(struct pp_metrics *m, struct pp_regression *out)
{
	double n = (double)m->n;

	out->mse = m->n ? m->sse / n : NAN;
	out->rmse = pp_metrics_rmse(m->sse, n);
	out->mae = m->n ? m->sae / n : NAN;
	out->r2 = m->n >= 2 ? pp_metrics_r2(m->sse, m->m2y) : NAN;
	out->pearson = m->n >= 2 && m->m2y > 0 && m->m2p > 0
	    ? m->cyp / sqrt(m->m2y * m->m2p) : NAN;
	if (out->pearson > 1)
		out->pearson = 1;
	else if (out->pearson < -1)
		out->pearson = -1;
	out->spearman = (m->flags & PP_METRICS_KEEP) && !isnan(out->pearson)
	    ? pp_metrics_spearman(m->v, m->n) : NAN;
	out->directional_accuracy = m->dir_n
	    ? (double)m->dir_hit / (double)m->dir_n : NAN;
}

void
pp_metrics_classification(struct pp_metrics *m,
    struct pp_classification *out)
{
	double n = (double)m->n;

	out->tp = m->tp;
	out->fp = m->fp;
	out->tn = m->tn;
	out->fn = m->fn;
	if (!pp_metrics_is_binary(m)) {
		out->accuracy = out->precision = out->recall = out->f1 = NAN;
		out->roc_auc = out->log_loss = out->brier = NAN;
		return;
	}
	out->accuracy = (double)(m->tp + m->tn) / n;
	out->precision = ratio(m->tp, m->tp + m->fp);
	out->recall = ratio(m->tp, m->tp + m->fn);
	out->f1 = ratio(2 * m->tp, 2 * m->tp + m->fp + m->fn);
	out->log_loss = m->ll / n;
	out->brier = m->brier / n;
	out->roc_auc = m->flags & PP_METRICS_KEEP
	    ? pp_metrics_roc_auc(m->v, m->n) : NAN;
}

/* Pearson's r of v about the means my and mp, clamped to [-1, 1]. */
static double
pearson_about(const struct pp_pair *v, size_t n, double my, double mp)
{
	double syy = 0, spp = 0, syp = 0, r;
	size_t i;

	for (i = 0; i < n; i++) {
		double dy = v[i].y - my, dp = v[i].p - mp;

		syy += dy * dy;
		spp += dp * dp;
		syp += dy * dp;
	}
	if (!(syy > 0 && spp > 0))
		return NAN;
	r = syp / sqrt(syy * spp);
	return r > 1 ? 1 : r < -1 ? -1 : r;
}

double
pp_metrics_pearson(const struct pp_pair *v, size_t n)
{
	double my = 0, mp = 0;
	size_t i;

	if (n < 2)
		return NAN;
	for (i = 0; i < n; i++) {
		my += v[i].y;
		mp += v[i].p;
	}
	my /= (double)n;
	mp /= (double)n;
	return pearson_about(v, n, my, mp);
}

/*
 * pp_metrics_pearson of average ranks, bit for bit, without the pass for
 * the means: each column's ranks sum to n (n + 1) / 2, and every partial
 * sum on the way is a multiple of 1/2 below 2^52, exact in any order; so
 * the loop's sum is that number, and its mean that divided by n.  For
 * larger n the sums could round: the loop.
 */
static double
ranks_pearson(const struct pp_pair *v, size_t n)
{
	double m;

	if (n < 2 || n >= ((size_t)1 << 25))
		return pp_metrics_pearson(v, n);
	m = (double)n * ((double)n + 1) / 2 / (double)n;
	return pearson_about(v, n, m, m);
}

uint64_t
pp_metrics_sort_key(double x)
{
	uint64_t u;

	memcpy(&u, &x, sizeof(u));
	return u >> 63 ? ~u : u | 0x8000000000000000ULL;
}

_Static_assert(sizeof(struct pp_pair) == 16 && sizeof(struct pp_keyed) == 16,
    "pp_radix_sort16 sorts 16-byte records");

/* Sort v by y (which 0) or p (1), ascending; tmp: NULL, or scratch of n
 * pairs. */
static void
sort_pairs(struct pp_pair *v, size_t n, int which, struct pp_pair *tmp)
{
	size_t off = which ? offsetof(struct pp_pair, p) :
	    offsetof(struct pp_pair, y);

	if (tmp != NULL)
		pp_radix_sort16_with(v, n, off, PP_RADIX_F64, tmp);
	else
		pp_radix_sort16(v, n, off, PP_RADIX_F64);
}

void
pp_metrics_sort_keyed(struct pp_keyed *v, size_t n)
{
	pp_radix_sort16(v, n, offsetof(struct pp_keyed, key), PP_RADIX_U64);
}

/* Sort v by y (which 0) or p (1) and replace that member by its average
 * rank; tmp: scratch of n pairs. */
static void
rank_member(struct pp_pair *v, size_t n, int which, struct pp_pair *tmp)
{
	pp_radix_rank16(v, n, which ? offsetof(struct pp_pair, p) :
	    offsetof(struct pp_pair, y), tmp);
}

double
pp_metrics_spearman(struct pp_pair *v, size_t n)
{
	struct pp_pair *tmp;

	if (n < 2)
		return NAN;
	/* One scratch for both sorts: a second would fault in its pages
	 * anew (16 bytes a pair). */
	tmp = pp_xmalloc_huge(n * sizeof(*tmp));
	rank_member(v, n, 0, tmp);
	rank_member(v, n, 1, tmp);
	free(tmp);
	return ranks_pearson(v, n);
}

double
pp_metrics_roc_auc(struct pp_pair *v, size_t n)
{
	double npos = 0, nneg = 0, u = 0;
	size_t i = 0, j;

	sort_pairs(v, n, 1, NULL);
	/* Walk groups of equal scores upwards: each positive beats every
	 * negative below its group and ties half of those in it. */
	while (i < n) {
		double gp = 0, gn = 0;

		for (j = i; j < n && v[j].p == v[i].p; j++) {
			if (v[j].y == 1)
				gp++;
			else
				gn++;
		}
		u += gp * nneg + 0.5 * gp * gn;
		npos += gp;
		nneg += gn;
		i = j;
	}
	return npos > 0 && nneg > 0 ? u / (npos * nneg) : NAN;
}
