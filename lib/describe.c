/*
 * describe.c - per column statistics of a frame.  The one idea: values
 * are kept per group and column as doubles (dates as day or microsecond
 * counts), so the quartiles are exact order statistics and one code path
 * serves numbers and dates.
 */
#include "describe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "num.h"
#include "util.h"
#include "banned.h"

/* One column of one group. */
struct stat {
	double *v;		/* the values seen (number and date columns) */
	size_t n, cap;
	size_t count, missing;
};

struct group {
	char *key;		/* the by column's value, or "" */
	struct stat *cols;	/* one per frame column */
};

struct pp_describe {
	struct pp_schema schema;	/* the frame's */
	long by;			/* its index, or -1 */
	struct group *g;
	size_t ng, capg;
	size_t last;			/* the group of the last row */
};

struct pp_describe *
pp_describe_new(const struct pp_schema *s, const char *by,
    struct pp_err *err)
{
	struct pp_describe *d = pp_xcalloc(1, sizeof(*d));

	pp_schema_init(&d->schema);
	pp_schema_copy(&d->schema, s);
	d->by = -1;
	if (by != NULL) {
		d->by = pp_schema_find(s, by);
		if (d->by == -1 || s->cols[d->by].type != PP_T_TEXT) {
			pp_err_set(err, d->by == -1 ? PP_EXIT_DATA :
			    PP_EXIT_USAGE, d->by == -1 ? "--by: no column "
			    "\"%s\"" : "--by: column \"%s\" is not text", by);
			pp_describe_free(d);
			return NULL;
		}
	}
	return d;
}

/* The group of key[0..n): the last row's (frames come sorted by
 * symbol), else found by a scan, else new. */
static struct group *
group_of(struct pp_describe *d, const char *key, size_t n)
{
	size_t i;

	if (d->ng > 0 && strlen(d->g[d->last].key) == n &&
	    memcmp(d->g[d->last].key, key, n) == 0)
		return &d->g[d->last];
	for (i = 0; i < d->ng; i++)
		if (strlen(d->g[i].key) == n && memcmp(d->g[i].key, key,
		    n) == 0)
			break;
	if (i == d->ng) {
		pp_xgrow((void **)&d->g, &d->capg, d->ng + 1, sizeof(*d->g));
		d->g[i].key = pp_xstrndup(key, n);
		d->g[i].cols = pp_xcalloc(d->schema.ncols ? d->schema.ncols :
		    1, sizeof(struct stat));
		d->ng++;
	}
	d->last = i;
	return &d->g[i];
}

/* A cell as a double, NaN if missing; text: 0 or NaN (not kept). */
static double
value(enum pp_type t, const union pp_cell *c)
{
	switch (t) {
	case PP_T_TEXT:
		return pp_is_missing(c->s.p, c->s.len) ? NAN : 0;
	case PP_T_F64:
		return c->f;
	default:
		return c->i == PP_I64_MISSING ? NAN : (double)c->i;
	}
}

void
pp_describe_row(struct pp_describe *d, const union pp_cell *row)
{
	struct group *g = d->by >= 0 ? group_of(d, row[d->by].s.p,
	    row[d->by].s.len) : group_of(d, "", 0);
	size_t j;

	for (j = 0; j < d->schema.ncols; j++) {
		enum pp_type t = d->schema.cols[j].type;
		struct stat *st = &g->cols[j];
		double x = value(t, &row[j]);

		if (isnan(x)) {
			st->missing++;
			continue;
		}
		st->count++;
		if (t == PP_T_TEXT)
			continue;
		pp_xgrow((void **)&st->v, &st->cap, st->n + 1, sizeof(double));
		st->v[st->n++] = x;
	}
}

void
pp_describe_schema(const struct pp_describe *d, struct pp_schema *out)
{
	static const char *const text[] = { "min", "q1", "median", "q3",
	    "max" };
	size_t i;

	if (d->by >= 0)
		pp_schema_add(out, d->schema.cols[d->by].name, PP_T_TEXT,
		    NULL);
	pp_schema_add(out, "column", PP_T_TEXT, NULL);
	pp_schema_add(out, "type", PP_T_TEXT, NULL);
	pp_schema_add(out, "count", PP_T_I64, NULL);
	pp_schema_add(out, "missing", PP_T_I64, NULL);
	pp_schema_add(out, "mean", PP_T_F64, NULL);
	pp_schema_add(out, "std", PP_T_F64, NULL);
	/* min..max are dates in a date column: text, formatted here */
	for (i = 0; i < PP_ARRAY_SIZE(text); i++)
		pp_schema_add(out, text[i], PP_T_TEXT, NULL);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The p-quantile of sorted v[0..n), interpolated as numpy's "linear". */
static double
quantile(const double *v, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

/* x as the column's type shows it, into buf. */
static void
show(enum pp_type t, double x, char buf[PP_DATE_BUFSZ])
{
	if (t == PP_T_DATE)
		pp_date_fmt(buf, (int64_t)floor(x));
	else if (t == PP_T_DATETIME)
		pp_datetime_fmt(buf, (int64_t)floor(x));
	else
		pp_fmt_double(buf, x);
}

/* Mean and standard deviation (n - 1) in two passes. */
static void
moments(const double *v, size_t n, double *mean, double *sd)
{
	double s = 0, ss = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	*mean = n ? s / (double)n : NAN;
	for (i = 0; i < n; i++)
		ss += (v[i] - *mean) * (v[i] - *mean);
	*sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
}

static int
write_stat(struct pp_describe *d, struct group *g, size_t j,
    struct pp_writer *w, struct pp_err *err)
{
	static const double p[5] = { 0, 0.25, 0.5, 0.75, 1 };
	enum pp_type t = d->schema.cols[j].type;
	const char *type = pp_type_name(t);
	struct stat *st = &g->cols[j];
	char q[5][PP_DATE_BUFSZ];
	union pp_cell c[12];
	size_t k = 0, i;
	double mean = NAN, sd = NAN;

	if (st->n > 0)
		qsort(st->v, st->n, sizeof(double), cmp_double);
	if (t == PP_T_F64 || t == PP_T_I64)
		moments(st->v, st->n, &mean, &sd);
	if (d->by >= 0) {
		c[k].s.p = g->key;
		c[k++].s.len = strlen(g->key);
	}
	c[k].s.p = d->schema.cols[j].name;
	c[k++].s.len = strlen(d->schema.cols[j].name);
	c[k].s.p = type;
	c[k++].s.len = strlen(type);
	c[k++].i = (int64_t)st->count;
	c[k++].i = (int64_t)st->missing;
	c[k++].f = mean;
	c[k++].f = sd;
	for (i = 0; i < 5; i++) {
		q[i][0] = '\0';
		if (st->n > 0)
			show(t, quantile(st->v, st->n, p[i]), q[i]);
		c[k].s.p = q[i];
		c[k++].s.len = strlen(q[i]);
	}
	return pp_writer_row(w, c, err);
}

static int
cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->key,
	    ((const struct group *)b)->key);
}

int
pp_describe_write(struct pp_describe *d, struct pp_writer *w,
    struct pp_err *err)
{
	size_t i, j;

	if (d->by < 0 && d->ng == 0)
		(void)group_of(d, "", 0);	/* no rows: counts of 0 */
	qsort(d->g, d->ng, sizeof(*d->g), cmp_group);
	for (i = 0; i < d->ng; i++)
		for (j = 0; j < d->schema.ncols; j++)
			if ((long)j != d->by &&
			    write_stat(d, &d->g[i], j, w, err) == -1)
				return -1;
	return 0;
}

void
pp_describe_free(struct pp_describe *d)
{
	size_t i, j;

	if (d == NULL)
		return;
	for (i = 0; i < d->ng; i++) {
		for (j = 0; j < d->schema.ncols; j++)
			free(d->g[i].cols[j].v);
		free(d->g[i].cols);
		free(d->g[i].key);
	}
	free(d->g);
	pp_schema_release(&d->schema);
	free(d);
}
