/*
 * svg.c - the chart writer (svg.h).
 *
 * Coordinates are written with two decimals: a hundredth of a pixel is
 * below what any renderer shows, and it keeps a 5,000-point scatter small.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "svg.h"
#include "banned.h"

static void
esc(struct pp_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': pp_buf_addstr(b, "&lt;"); break;
		case '>': pp_buf_addstr(b, "&gt;"); break;
		case '&': pp_buf_addstr(b, "&amp;"); break;
		case '"': pp_buf_addstr(b, "&quot;"); break;
		default: pp_buf_addc(b, *s);
		}
	}
}

void
pp_svg_text(struct pp_buf *b, double x, double y, const char *anchor,
    double size, const char *text)
{
	pp_buf_addf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" "
	    "font-size=\"%.0f\">", x, y, anchor, size);
	esc(b, text);
	pp_buf_addstr(b, "</text>\n");
}

void
pp_svg_begin(struct pp_buf *b, int w, int h, const char *title)
{
	pp_buf_addf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", w, h, w, h,
	    w, h);
	pp_svg_text(b, w / 2.0, 24, "middle", 16, title);
}

void
pp_svg_end(struct pp_buf *b)
{
	pp_buf_addstr(b, "</svg>\n");
}

void
pp_chart_fit(struct pp_chart *c, const double *x, const double *y,
    size_t n, int include_zero)
{
	double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			continue;
		x0 = fmin(x0, x[i]);
		x1 = fmax(x1, x[i]);
		y0 = fmin(y0, y[i]);
		y1 = fmax(y1, y[i]);
	}
	if (x0 > x1)
		x0 = 0, x1 = 1;
	if (y0 > y1)
		y0 = 0, y1 = 1;
	if (include_zero) {
		y0 = fmin(y0, 0);
		y1 = fmax(y1, 0);
	}
	if (x1 - x0 <= 0)
		x0 -= 0.5, x1 += 0.5;
	if (y1 - y0 <= 0)
		y0 -= fabs(y0) > 0 ? fabs(y0) / 2 : 0.5,
		y1 += fabs(y1) > 0 ? fabs(y1) / 2 : 0.5;
	c->x0 = x0;
	c->x1 = x1;
	c->y0 = y0 - (y1 - y0) * 0.05;
	c->y1 = y1 + (y1 - y0) * 0.05;
	if (include_zero && y0 == 0)
		c->y0 = 0;
	if (include_zero && y1 == 0)
		c->y1 = 0;
}

static double
px(const struct pp_chart *c, double x)
{
	return c->left + (x - c->x0) / (c->x1 - c->x0) * c->width;
}

static double
py(const struct pp_chart *c, double y)
{
	return c->top + c->height - (y - c->y0) / (c->y1 - c->y0) * c->height;
}

/* A tick step of 1, 2 or 5 times a power of ten giving about n ticks. */
static double
nice_step(double span, int n)
{
	double raw = span / n, p = pow(10, floor(log10(raw))), f = raw / p;

	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static void
tick_label(enum pp_axis_kind k, double v, double step, char *buf, size_t n)
{
	char d[PP_DATE_BUFSZ];

	if (k == PP_AXIS_DAYS) {
		pp_date_fmt(d, (int64_t)llround(v));
		snprintf(buf, n, "%s", d);
	} else if (k == PP_AXIS_USEC) {
		pp_date_fmt(d, (int64_t)floor(v / 86400e6));
		snprintf(buf, n, "%s", d);
	} else {
		int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

		snprintf(buf, n, "%.*f", dec > 10 ? 10 : dec,
		    fabs(v) < step / 1e6 ? 0.0 : v);
	}
}

void
pp_chart_axes(struct pp_buf *b, const struct pp_chart *c,
    const char *title, const char *xlabel, const char *ylabel)
{
	double step, v, xs;
	char lab[64];

	pp_buf_addf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
	    "height=\"%.2f\" fill=\"none\" stroke=\"#333333\"/>\n", c->left,
	    c->top, c->width, c->height);
	step = nice_step(c->y1 - c->y0, 5);
	for (v = ceil(c->y0 / step) * step; v <= c->y1 + step * 1e-9;
	    v += step) {
		double y = py(c, v);

		pp_buf_addf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
		    "y2=\"%.2f\" stroke=\"#dddddd\"/>\n", c->left, y,
		    c->left + c->width, y);
		pp_buf_addf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
		    "y2=\"%.2f\" stroke=\"#333333\"/>\n", c->left - 4, y,
		    c->left, y);
		tick_label(PP_AXIS_NUM, v, step, lab, sizeof(lab));
		pp_svg_text(b, c->left - 6, y + 4, "end", 11, lab);
	}
	/* Dates: about 5 ticks on whole days; numbers: nice steps. */
	xs = c->xkind == PP_AXIS_NUM ? nice_step(c->x1 - c->x0, 6)
	    : fmax(1, ceil((c->x1 - c->x0) / 5));
	if (c->xstep > 0)
		xs = c->xstep;
	if (c->xkind == PP_AXIS_USEC)
		xs = fmax(86400e6, ceil((c->x1 - c->x0) / 5 / 86400e6) *
		    86400e6);
	for (v = c->xkind == PP_AXIS_NUM ? ceil(c->x0 / xs) * xs : c->x0;
	    v <= c->x1 + xs * 1e-9; v += xs) {
		double x = px(c, v);

		pp_buf_addf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
		    "y2=\"%.2f\" stroke=\"#333333\"/>\n", x, c->top + c->height,
		    x, c->top + c->height + 4);
		tick_label(c->xkind, v, xs, lab, sizeof(lab));
		pp_svg_text(b, x, c->top + c->height + 17, "middle", 11, lab);
	}
	if (title)
		pp_svg_text(b, c->left + c->width / 2, c->top - 8, "middle", 13,
		    title);
	if (xlabel)
		pp_svg_text(b, c->left + c->width / 2, c->top + c->height + 34,
		    "middle", 12, xlabel);
	if (ylabel) {
		pp_buf_addf(b, "<g transform=\"translate(%.2f %.2f) "
		    "rotate(-90)\">", c->left - 52, c->top + c->height / 2);
		pp_svg_text(b, 0, 0, "middle", 12, ylabel);
		pp_buf_addstr(b, "</g>\n");
	}
}

void
pp_chart_line(struct pp_buf *b, const struct pp_chart *c, const double *x,
    const double *y, size_t n, const char *colour)
{
	size_t i;
	int open = 0;

	for (i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i])) {
			if (open)
				pp_buf_addstr(b, "\"/>\n");
			open = 0;
			continue;
		}
		if (!open)
			pp_buf_addf(b, "<polyline fill=\"none\" stroke=\"%s\" "
			    "stroke-width=\"1.5\" points=\"", colour);
		pp_buf_addf(b, "%s%.2f,%.2f", open ? " " : "", px(c, x[i]),
		    py(c, y[i]));
		open = 1;
	}
	if (open)
		pp_buf_addstr(b, "\"/>\n");
}

void
pp_chart_bars(struct pp_buf *b, const struct pp_chart *c, const double *x,
    const double *y, size_t n, double width, const char *colour)
{
	double w = n > 0 ? c->width / (double)n * width : 0;
	double zero = py(c, fmax(c->y0, fmin(c->y1, 0)));
	size_t i;

	for (i = 0; i < n; i++) {
		double top;

		if (!isfinite(y[i]))
			continue;
		top = py(c, y[i]);
		pp_buf_addf(b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
		    "height=\"%.2f\" fill=\"%s\"/>\n", px(c, x[i]) - w / 2,
		    fmin(top, zero), fmax(w, 0.5), fabs(zero - top), colour);
	}
}

void
pp_chart_points(struct pp_buf *b, const struct pp_chart *c, const double *x,
    const double *y, size_t n, const char *colour)
{
	size_t i;

	pp_buf_addf(b, "<g fill=\"%s\" fill-opacity=\"0.5\">\n", colour);
	for (i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i]))
			pp_buf_addf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" "
			    "r=\"2\"/>\n", px(c, x[i]), py(c, y[i]));
	pp_buf_addstr(b, "</g>\n");
}
