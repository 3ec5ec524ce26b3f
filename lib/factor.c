/*
 * factor.c - information coefficients and quantile returns (factor.h).
 *
 * One date at a time: its valid rows are copied out (the panel keeps
 * them sorted by symbol, so a stable order for ties is at hand), ranked
 * for the IC and sorted by (prediction, symbol) for the quantiles.  Memory
 * beyond the panel is one cross-section and one value per date.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "factor.h"
#include "util.h"
#include "banned.h"

void
pp_factor_dates_release(struct pp_factor_dates *d)
{
	free(d->date);
	free(d->ic);
	free(d->qmean);
	memset(d, 0, sizeof(*d));
}

/* One return column k. */
static int
signal_one(const struct pp_panel *p, size_t k, long q, const char *group,
    struct pp_scores *out, struct pp_factor_dates *dd, struct pp_err *err)
{
	struct pp_xrow *x = pp_xmalloc((p->nsym + 1) * sizeof(*x));
	struct pp_pair *v = pp_xmalloc((p->nsym + 1) * sizeof(*v));
	double *qsum = pp_xcalloc((size_t)q + 1, sizeof(double));
	double *qcnt = pp_xcalloc((size_t)q + 1, sizeof(double));
	double *qd = pp_xcalloc((size_t)q + 1, sizeof(double));
	double *qn = pp_xcalloc((size_t)q + 1, sizeof(double));
	double ics = 0, ics2 = 0, nic = 0, pes = 0, npe = 0, mean, sd;
	size_t d, i, n, used = 0, skipped = 0, j;
	char name[32];

	dd->date = pp_xmalloc((p->ndates + 1) * sizeof(size_t));
	dd->ic = pp_xmalloc((p->ndates + 1) * sizeof(double));
	dd->qmean = pp_xcalloc((size_t)q + 1, sizeof(double));
	dd->q = q;
	for (d = 0; d < p->ndates; d++) {
		double ic, pe;

		for (n = 0, i = p->dstart[d]; i < p->dstart[d + 1]; i++) {
			double r = p->ret[i * p->nret + k];

			if (!isfinite(p->pred[i]) || !isfinite(r))
				continue;
			x[n].pred = p->pred[i];
			x[n].ret = r;
			x[n].sym = p->sym[i];
			n++;
		}
		if (n < 3) {
			skipped++;
			continue;
		}
		used++;
		for (i = 0; i < n; i++) {
			v[i].y = x[i].ret;
			v[i].p = x[i].pred;
		}
		pe = pp_metrics_pearson(v, n);
		ic = isnan(pe) ? NAN : pp_metrics_spearman(v, n);
		dd->date[dd->n] = d;
		dd->ic[dd->n++] = ic;
		if (!isnan(ic)) {
			ics += ic;
			nic++;
			pes += pe;
			npe++;
		}
		pp_panel_sort_xrows(x, n);
		memset(qd, 0, ((size_t)q + 1) * sizeof(double));
		memset(qn, 0, ((size_t)q + 1) * sizeof(double));
		for (i = 0; i < n; i++) {
			j = ((i + 1) * (size_t)q + n - 1) / n;
			qd[j] += x[i].ret;
			qn[j]++;
		}
		for (j = 1; j <= (size_t)q; j++)
			if (qn[j] > 0) {
				qsum[j] += qd[j] / qn[j];
				qcnt[j]++;
			}
	}
	free(x);
	free(v);
	free(qd);
	free(qn);
	if (used == 0) {
		free(qsum);
		free(qcnt);
		return group ? pp_err_set(err, PP_EXIT_DATA, "no date has 3 "
		    "symbols with both a prediction and return \"%s\"", group)
		    : pp_err_set(err, PP_EXIT_DATA, "no date has 3 symbols "
		    "with both a prediction and a return");
	}
	mean = nic > 0 ? ics / nic : NAN;
	for (i = 0; i < dd->n; i++)
		if (!isnan(dd->ic[i]))
			ics2 += (dd->ic[i] - mean) * (dd->ic[i] - mean);
	sd = nic > 1 ? sqrt(ics2 / (nic - 1)) : NAN;
	pp_scores_add(out, group, "n_dates", (double)used);
	pp_scores_add(out, group, "ic_mean", mean);
	pp_scores_add(out, group, "ic_std", sd);
	pp_scores_add(out, group, "ic_ir", sd > 0 ? mean / sd : NAN);
	pp_scores_add(out, group, "ic_t", sd > 0 ? mean / sd * sqrt(nic)
	    : NAN);
	pp_scores_add(out, group, "ic_pearson_mean", npe > 0 ? pes / npe
	    : NAN);
	for (j = 1; j <= (size_t)q; j++) {
		dd->qmean[j - 1] = qcnt[j] > 0 ? qsum[j] / qcnt[j] : NAN;
		snprintf(name, sizeof(name), "q%zu", j);
		pp_scores_add(out, group, name, dd->qmean[j - 1]);
	}
	pp_scores_add(out, group, "spread", dd->qmean[q - 1] - dd->qmean[0]);
	out->skipped += skipped;
	out->skipped_what = "dates with fewer than 3 symbols";
	free(qsum);
	free(qcnt);
	return 0;
}

int
pp_factor(const struct pp_panel *p, long q, const char *group_key,
    const char *const *labels, struct pp_scores *out,
    struct pp_factor_dates *first, struct pp_err *err)
{
	size_t k;

	if (p->nret > 1)
		out->group_key = pp_xstrdup(group_key);
	for (k = 0; k < p->nret; k++) {
		struct pp_factor_dates dd = PP_FACTOR_DATES_INIT;
		int rc = signal_one(p, k, q, p->nret > 1 ? labels[k] : NULL,
		    out, &dd, err);

		if (rc == 0 && k == 0 && first != NULL)
			*first = dd;
		else
			pp_factor_dates_release(&dd);
		if (rc == -1)
			return -1;
	}
	return 0;
}
