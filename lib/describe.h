/*
 * describe.h - a frame summarised per column (pp describe): type, count,
 * missing, mean, standard deviation, minimum, quartiles and maximum, for
 * the whole frame or per value of a text column (--by symbol), so a user
 * looks at a frame without pandas.
 *
 * Numbers as pandas' DataFrame.describe(): the standard deviation with
 * n - 1, quartiles interpolated linearly between the order statistics
 * (numpy's default).  Date and date-time columns get minimum, quartiles
 * and maximum as dates (a quartile between two days is the earlier), no
 * mean; text columns only count and missing.  Every value of the number
 * and date columns is held until the end (quartiles need them all): 8
 * bytes a cell.
 */
#ifndef PP_DESCRIBE_H
#define PP_DESCRIBE_H

#include "err.h"
#include "frame.h"

struct pp_describe;

/* Summarise frames of schema s, per value of column by (text; NULL: the
 * whole frame).  NULL with err when by is missing or not text. */
struct pp_describe *pp_describe_new(const struct pp_schema *s,
    const char *by, struct pp_err *err);

/* Count one row in. */
void pp_describe_row(struct pp_describe *d, const union pp_cell *row);

/* The summary's columns: [by,] column, type, count, missing, mean, std,
 * min, q1, median, q3, max (schema initialised by the caller). */
void pp_describe_schema(const struct pp_describe *d, struct pp_schema *out);

/* Write the summary rows to w (made with pp_describe_schema's schema):
 * the groups in byte order of their key, the columns in frame order. */
int pp_describe_write(struct pp_describe *d, struct pp_writer *w,
    struct pp_err *err);

void pp_describe_free(struct pp_describe *d);

#endif
