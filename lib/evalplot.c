/*
 * evalplot.c - pp-eval's pictures (evalplot.h).  Layout: 800 pixels
 * wide, panels stacked with room on the left for tick labels.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "evalplot.h"
#include "num.h"
#include "svg.h"
#include "util.h"
#include "banned.h"

static enum pp_axis_kind
axis_kind(const struct pp_panel *p)
{
	return p->date_kind == 1 ? PP_AXIS_DAYS : p->date_kind == 2
	    ? PP_AXIS_USEC : PP_AXIS_NUM;
}

static void
panel(struct pp_chart *c, double top, double height, enum pp_axis_kind k)
{
	c->left = 80;
	c->top = top;
	c->width = 650;
	c->height = height;
	c->xkind = k;
	c->xstep = 0;
}

void
pp_plot_backtest(struct pp_buf *b, const struct pp_panel *p,
    const struct pp_bt_series *s, const char *title)
{
	double *x = pp_xmalloc((s->n + 1) * sizeof(double));
	double *eq = pp_xmalloc((s->n + 1) * sizeof(double));
	double *dd = pp_xmalloc((s->n + 1) * sizeof(double));
	double e = 1, peak = 1;
	struct pp_chart c;
	size_t i;

	for (i = 0; i < s->n; i++) {
		x[i] = (double)p->date[p->dstart[s->date[i]]];
		e *= 1 + s->net[i];
		peak = fmax(peak, e);
		eq[i] = e;
		dd[i] = e / peak - 1;
	}
	pp_svg_begin(b, 800, 560, title);
	panel(&c, 60, 280, axis_kind(p));
	pp_chart_fit(&c, x, eq, s->n, 0);
	pp_chart_axes(b, &c, "equity (net of costs)", NULL, "equity");
	pp_chart_line(b, &c, x, eq, s->n, "#1f77b4");
	panel(&c, 400, 110, axis_kind(p));
	pp_chart_fit(&c, x, dd, s->n, 1);
	pp_chart_axes(b, &c, "drawdown", p->date_kind ? "date" : "row",
	    "drawdown");
	pp_chart_line(b, &c, x, dd, s->n, "#d62728");
	pp_svg_end(b);
	free(x);
	free(eq);
	free(dd);
}

void
pp_plot_signal(struct pp_buf *b, const struct pp_panel *p,
    const struct pp_factor_dates *d, size_t window, const char *title)
{
	double *x = pp_xmalloc((d->n + 1) * sizeof(double));
	double *roll = pp_xmalloc((d->n + 1) * sizeof(double));
	double *qx = pp_xmalloc(((size_t)d->q + 1) * sizeof(double));
	double sum = 0, cnt = 0;
	struct pp_chart c;
	char t[96];
	size_t i;

	for (i = 0; i < d->n; i++) {
		x[i] = (double)p->date[p->dstart[d->date[i]]];
		if (!isnan(d->ic[i]))
			sum += d->ic[i], cnt++;
		if (i >= window && !isnan(d->ic[i - window]))
			sum -= d->ic[i - window], cnt--;
		roll[i] = i + 1 >= window && cnt > 0 ? sum / cnt : NAN;
	}
	for (i = 0; i < (size_t)d->q; i++)
		qx[i] = (double)(i + 1);
	pp_svg_begin(b, 800, 640, title);
	panel(&c, 60, 260, axis_kind(p));
	pp_chart_fit(&c, x, d->ic, d->n, 1);
	snprintf(t, sizeof(t), "information coefficient by date, %zu-date "
	    "mean", window);
	pp_chart_axes(b, &c, t, p->date_kind ? "date" : "row", "Spearman IC");
	pp_chart_bars(b, &c, x, d->ic, d->n, 0.8, "#9ecae1");
	pp_chart_line(b, &c, x, roll, d->n, "#08519c");
	panel(&c, 400, 170, PP_AXIS_NUM);
	pp_chart_fit(&c, qx, d->qmean, (size_t)d->q, 1);
	c.x0 = 0.5;
	c.x1 = (double)d->q + 0.5;
	c.xstep = 1;
	pp_chart_axes(b, &c, "mean return by prediction quantile", "quantile",
	    "mean return");
	pp_chart_bars(b, &c, qx, d->qmean, (size_t)d->q, 0.6, "#31a354");
	pp_svg_end(b);
	free(x);
	free(roll);
	free(qx);
}

void
pp_plot_scatter(struct pp_buf *b, const struct pp_pair *v, size_t n,
    const char *target, const char *pred)
{
	double *x = pp_xmalloc((n + 1) * sizeof(double));
	double *y = pp_xmalloc((n + 1) * sizeof(double));
	double lo, hi, dx[2], dy[2];
	struct pp_chart c;
	char t[160];
	size_t i;

	for (i = 0; i < n; i++) {
		x[i] = v[i].y;
		y[i] = v[i].p;
	}
	snprintf(t, sizeof(t), "%s against %s (%zu points)", pred, target, n);
	pp_svg_begin(b, 800, 560, t);
	panel(&c, 60, 430, PP_AXIS_NUM);
	pp_chart_fit(&c, x, y, n, 0);
	/* Same range on both axes, so the diagonal is y = x. */
	lo = fmin(c.x0, c.y0);
	hi = fmax(c.x1, c.y1);
	c.x0 = c.y0 = lo;
	c.x1 = c.y1 = hi;
	pp_chart_axes(b, &c, NULL, target, pred);
	dx[0] = dy[0] = lo;
	dx[1] = dy[1] = hi;
	pp_chart_line(b, &c, dx, dy, 2, "#999999");
	pp_chart_points(b, &c, x, y, n, "#1f77b4");
	pp_svg_end(b);
	free(x);
	free(y);
}

void
pp_plot_roc(struct pp_buf *b, const struct pp_pair *v, size_t n, double auc)
{
	double *fx = pp_xmalloc((n + 2) * sizeof(double));
	double *ty = pp_xmalloc((n + 2) * sizeof(double));
	double npos = 0, nneg = 0, tp = 0, fp = 0, dx[2] = { 0, 1 };
	struct pp_chart c;
	size_t i, k = 0;
	char t[64], a[PP_DBL_BUFSZ];

	for (i = 0; i < n; i++)
		v[i].y == 1 ? npos++ : nneg++;
	fx[k] = ty[k] = 0;
	k++;
	/* Lower the threshold one distinct prediction at a time. */
	for (i = n; i > 0; ) {
		double s = v[i - 1].p;

		double fpr, tpr;

		for (; i > 0 && v[i - 1].p == s; i--)
			v[i - 1].y == 1 ? tp++ : fp++;
		fpr = nneg > 0 ? fp / nneg : 0;
		tpr = npos > 0 ? tp / npos : 0;
		/* A point per 1/1000 of movement is all a picture shows. */
		if (i > 0 && fpr - fx[k - 1] < 1e-3 && tpr - ty[k - 1] < 1e-3)
			continue;
		fx[k] = fpr;
		ty[k] = tpr;
		k++;
	}
	snprintf(a, sizeof(a), "%.4f", auc);
	snprintf(t, sizeof(t), "ROC curve, AUC %s", isnan(auc) ? "undefined"
	    : a);
	pp_svg_begin(b, 800, 560, t);
	panel(&c, 60, 430, PP_AXIS_NUM);
	c.x0 = c.y0 = 0;
	c.x1 = c.y1 = 1;
	pp_chart_axes(b, &c, NULL, "false positive rate", "true positive rate");
	pp_chart_line(b, &c, dx, dx, 2, "#999999");
	pp_chart_line(b, &c, fx, ty, k, "#d62728");
	pp_svg_end(b);
	free(fx);
	free(ty);
}
