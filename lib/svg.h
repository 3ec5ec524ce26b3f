/*
 * svg.h - a small SVG writer for charts: a picture of stacked panels,
 * each with axes, ticks, labels and lines, bars or points in data
 * coordinates.  Enough for pp-eval's pictures without a plotting library.
 *
 * The picture is built in a struct pp_buf (text, no I/O): pp_svg_begin
 * opens it, pp_chart_* draw into a panel, pp_svg_end closes it; the
 * caller writes the buffer where it wants.  Ticks fall on "nice" numbers
 * (1, 2 or 5 times a power of ten) and dates (days or microseconds since
 * the epoch) are labelled as ISO dates.  Text is escaped for XML.
 */
#ifndef PP_SVG_H
#define PP_SVG_H

#include <stddef.h>

#include "buf.h"

/* How x values are labelled. */
enum pp_axis_kind {
	PP_AXIS_NUM,		/* plain numbers */
	PP_AXIS_DAYS,		/* days since 1970-01-01 */
	PP_AXIS_USEC		/* microseconds since 1970-01-01Z */
};

/* One panel: where it sits in the picture and the data range it shows. */
struct pp_chart {
	double left, top, width, height; /* plot area, pixels */
	double x0, x1, y0, y1;		/* data range shown */
	enum pp_axis_kind xkind;
	double xstep;			/* x tick step; 0: chosen */
};

/* Open an SVG picture of w x h pixels with a title across the top. */
void pp_svg_begin(struct pp_buf *b, int w, int h, const char *title);
void pp_svg_end(struct pp_buf *b);

/* Set c's data range to cover x[0..n) and y[0..n) (NaN ignored), with a
 * little room around y; an empty or flat range is widened so it has
 * size.  include_zero: y0 <= 0 <= y1 (bars, drawdowns). */
void pp_chart_fit(struct pp_chart *c, const double *x, const double *y,
    size_t n, int include_zero);

/* Frame, grid, tick marks and labels, axis names and a panel title. */
void pp_chart_axes(struct pp_buf *b, const struct pp_chart *c,
    const char *title, const char *xlabel, const char *ylabel);

/* A polyline through the points (a NaN breaks it), in colour (#rrggbb). */
void pp_chart_line(struct pp_buf *b, const struct pp_chart *c,
    const double *x, const double *y, size_t n, const char *colour);

/* Bars from 0 to y at each x, width a fraction of the spacing. */
void pp_chart_bars(struct pp_buf *b, const struct pp_chart *c,
    const double *x, const double *y, size_t n, double width,
    const char *colour);

/* Small circles at the points. */
void pp_chart_points(struct pp_buf *b, const struct pp_chart *c,
    const double *x, const double *y, size_t n, const char *colour);

/* Text at pixel position (x, y), anchored "start", "middle" or "end". */
void pp_svg_text(struct pp_buf *b, double x, double y, const char *anchor,
    double size, const char *text);

#endif
