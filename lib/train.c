/*
 * train.c - columns, rows, folds, grid and the final fit for pp-train.
 *
 * The frame is read once.  Each kept row becomes a vector z = (x, y) and
 * goes to one of three stores, whichever the request needs least memory
 * for: one set of moments (no split), moments per date (a split: every
 * fold's training and test moments are merges of these), or the design
 * matrix itself (logistic regression).  Per-date moments are kept in an
 * array sorted by date with a cursor on the last date used, so frames in
 * date order or in symbol-then-date order both find their date in O(1)
 * mostly and O(log D) at worst.
 */
#include <cblas.h>
#include <dlfcn.h>
#include <lapacke.h>
#include <math.h>
#include <regex.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "date.h"
#include "metrics.h"
#include "num.h"
#include "train.h"
#include "util.h"
#include "banned.h"

#ifndef PP_VERSION
#define PP_VERSION "0"
#endif

#define ROWBLOCK 4096
#define BLAS_THREADS_MIN_Q 256	/* fewer columns: BLAS on one thread */
/*
 * Size limits, checked before anything is allocated for the columns: a
 * fit keeps (p+1)^2 cross-products per moment block, and one per date
 * when validating, so a 100,000-column frame asked for 80 GB and
 * aborted.  4096 features (128 MiB a block, a q^3 solve of seconds) are
 * far beyond a useful linear model of market data; MOMENTS_MAX bounds
 * all the blocks together (per-date ones grow as dates are read).
 */
#define FEATURES_MAX 4096
#define MOMENTS_MAX ((size_t)1 << 30)

/*
 * The programs link the BLAS by its interface (libblas.so.3, which Debian's
 * alternatives point at OpenBLAS or at the reference BLAS), not at
 * libopenblas itself: the container image ships the reference BLAS, 35 MB
 * smaller.  OpenBLAS's own calls - its description ("OpenBLAS 0.3.21
 * DYNAMIC_ARCH ... Haswell") and its thread count - are looked up in the
 * loaded libraries, and are absent (NULL) under another BLAS.
 */
static void *
openblas_sym(const char *name)
{
	void *self = dlopen(NULL, RTLD_LAZY);
	void *sym;

	if (self == NULL)
		return NULL;
	sym = dlsym(self, name);
	dlclose(self);
	return sym;
}

/* Runs OpenBLAS's threads at n (nothing under another BLAS). */
static void
blas_set_threads(int n)
{
	void (*set)(int);

	*(void **)&set = openblas_sym("openblas_set_num_threads");
	if (set != NULL)
		set(n);
}

/* OpenBLAS's description, or "none" under another BLAS. */
static const char *
blas_config(void)
{
	char *(*get)(void);
	const char *s;

	*(void **)&get = openblas_sym("openblas_get_config");
	s = get != NULL ? get() : NULL;
	return s != NULL ? s : "none";
}

void
pp_train_result_init(struct pp_train_result *r)
{
	memset(r, 0, sizeof(*r));
}

void
pp_train_result_release(struct pp_train_result *r)
{
	size_t i;

	pp_model_free(r->model);
	free(r->importance);
	for (i = 0; i < r->ncand; i++) {
		free(r->cand[i].label);
		free(r->cand[i].folds);
	}
	free(r->cand);
	for (i = 0; i < r->nwarn; i++)
		free(r->warn[i]);
	free(r->warn);
	pp_train_result_init(r);
}

static void
warn(struct pp_train_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
warn(struct pp_train_result *r, const char *fmt, ...)
{
	struct pp_buf b = PP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pp_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	r->warn = pp_xrealloc(r->warn, (r->nwarn + 1) * sizeof(char *));
	r->warn[r->nwarn++] = pp_buf_detach(&b, NULL);
}

/* gbdt's parameters that --grid takes, with pp-train's ranges. */
static const struct gbdt_axis {
	const char *name;
	double min, max;
	int open_min;		/* min itself is out of range */
	int integer;
} gbdt_axes[] = {
	{ "n_estimators", 1, 100000, 0, 1 },
	{ "learning_rate", 0, 1, 1, 0 },
	{ "max_depth", 1, 64, 0, 1 },
	{ "min_child_weight", 0, 1e300, 0, 0 },
	{ "subsample", 0, 1, 1, 0 },
	{ "colsample_bytree", 0, 1, 1, 0 },
	{ "lambda", 0, 1e300, 0, 0 },
	{ "alpha", 0, 1e300, 0, 0 },
	{ "gamma", 0, 1e300, 0, 0 },
};

static const struct gbdt_axis *
gbdt_axis(const char *name)
{
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(gbdt_axes); i++)
		if (strcmp(gbdt_axes[i].name, name) == 0)
			return &gbdt_axes[i];
	return NULL;
}

static int
gbdt_value_ok(const struct gbdt_axis *a, double v)
{
	return isfinite(v) && (a->open_min ? v > a->min : v >= a->min) &&
	    v <= a->max && (!a->integer || v == floor(v));
}

/* Set gbdt parameter name of gp to v. */
static void
gbdt_set(struct pp_gbdt_params *gp, const char *name, double v)
{
	if (strcmp(name, "n_estimators") == 0)
		gp->n_estimators = (long)v;
	else if (strcmp(name, "learning_rate") == 0)
		gp->learning_rate = v;
	else if (strcmp(name, "max_depth") == 0)
		gp->max_depth = (long)v;
	else if (strcmp(name, "min_child_weight") == 0)
		gp->min_child_weight = v;
	else if (strcmp(name, "subsample") == 0)
		gp->subsample = v;
	else if (strcmp(name, "colsample_bytree") == 0)
		gp->colsample_bytree = v;
	else if (strcmp(name, "lambda") == 0)
		gp->lambda = v;
	else if (strcmp(name, "alpha") == 0)
		gp->alpha = v;
	else
		gp->gamma = v;
}

static double
gbdt_get(const struct pp_gbdt_params *gp, const char *name)
{
	if (strcmp(name, "n_estimators") == 0)
		return (double)gp->n_estimators;
	if (strcmp(name, "learning_rate") == 0)
		return gp->learning_rate;
	if (strcmp(name, "max_depth") == 0)
		return (double)gp->max_depth;
	if (strcmp(name, "min_child_weight") == 0)
		return gp->min_child_weight;
	if (strcmp(name, "subsample") == 0)
		return gp->subsample;
	if (strcmp(name, "colsample_bytree") == 0)
		return gp->colsample_bytree;
	if (strcmp(name, "lambda") == 0)
		return gp->lambda;
	if (strcmp(name, "alpha") == 0)
		return gp->alpha;
	return gp->gamma;
}

void
pp_train_grid_free(struct pp_grid_axis *grid, size_t ngrid)
{
	size_t i;

	for (i = 0; i < ngrid; i++) {
		free(grid[i].param);
		free(grid[i].vals);
	}
	free(grid);
}

int
pp_train_parse_grid(const char *spec, enum pp_model_kind kind,
    struct pp_grid_axis **grid, size_t *ngrid, struct pp_err *err)
{
	const char *eq = strchr(spec, '='), *s, *e;
	struct pp_grid_axis ax = { NULL, NULL, 0 };
	size_t i, cap = 0;
	int ok;

	if (eq == NULL)
		return pp_err_set(err, PP_EXIT_USAGE, "--grid: \"%s\": "
		    "expected PARAM=V1,V2,...", spec);
	ax.param = pp_xstrndup(spec, (size_t)(eq - spec));
	if (kind == PP_MODEL_GBDT)
		ok = gbdt_axis(ax.param) != NULL ? 1 : -1;
	else if (strcmp(ax.param, "alpha") == 0)
		ok = kind == PP_MODEL_RIDGE || kind == PP_MODEL_LASSO ||
		    kind == PP_MODEL_ENET;
	else if (strcmp(ax.param, "l1_ratio") == 0)
		ok = kind == PP_MODEL_ENET;
	else if (strcmp(ax.param, "C") == 0)
		ok = kind == PP_MODEL_LOGISTIC;
	else
		ok = -1;
	if (ok != 1) {
		pp_err_set(err, PP_EXIT_USAGE, "--grid: %s \"%s\"%s%s",
		    ok == -1 ? "unknown parameter" : "parameter", ax.param,
		    ok == -1 ? "" : " does not apply to ",
		    ok == -1 ? "" : pp_model_kind_name(kind));
		free(ax.param);
		return -1;
	}
	for (i = 0; i < *ngrid; i++)
		if (strcmp((*grid)[i].param, ax.param) == 0) {
			pp_err_set(err, PP_EXIT_USAGE, "--grid: \"%s\" given "
			    "twice", ax.param);
			free(ax.param);
			return -1;
		}
	for (s = eq + 1;; s = e + 1) {
		double v;

		e = strchr(s, ',');
		if (e == NULL)
			e = s + strlen(s);
		if (pp_parse_double(s, (size_t)(e - s), &v) == -1 ||
		    e == s || !isfinite(v) || v < 0 ||
		    (kind == PP_MODEL_GBDT &&
		    !gbdt_value_ok(gbdt_axis(ax.param), v)) ||
		    (kind != PP_MODEL_GBDT &&
		    strcmp(ax.param, "l1_ratio") == 0 && v > 1) ||
		    (kind != PP_MODEL_GBDT &&
		    strcmp(ax.param, "C") == 0 && v <= 0)) {
			pp_err_set(err, PP_EXIT_USAGE, "--grid: %s: bad value "
			    "\"%.*s\"", ax.param, (int)(e - s), s);
			free(ax.param);
			free(ax.vals);
			return -1;
		}
		pp_xgrow((void **)&ax.vals, &cap, ax.nvals + 1, sizeof(double));
		ax.vals[ax.nvals++] = v;
		if (*e == '\0')
			break;
	}
	*grid = pp_xrealloc(*grid, (*ngrid + 1) * sizeof(**grid));
	(*grid)[(*ngrid)++] = ax;
	return 0;
}

/* Column choices resolved against the frame's schema. */
struct cols {
	size_t p;		/* features */
	size_t *feat;		/* owned: their column indexes */
	const char **names;	/* owned array; names point into the schema */
	long tcol, dcol;	/* target and date columns; dcol -1 if none */
};

static int
is_num(enum pp_type t)
{
	return t == PP_T_F64 || t == PP_T_I64;
}

/* 1 if name is one of the comma-separated names in list. */
static int
in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *s, *e;

	if (list == NULL)
		return 0;
	for (s = list;; s = e + 1) {
		e = strchr(s, ',');
		if (e == NULL)
			e = s + strlen(s);
		if ((size_t)(e - s) == n && memcmp(s, name, n) == 0)
			return 1;
		if (*e == '\0')
			return 0;
	}
}

/*
 * The raw bar columns pp-fetch writes.  Their levels are never a default
 * feature: a price level is not comparable across symbols or years, and a
 * model that leans on it fits the sample, not the market.  Named with
 * --features or matched by --features-regex they are used as asked.
 */
static int
is_raw_bar(const char *name)
{
	static const char *const raw[] = {
		"open", "high", "low", "close", "adjclose", "volume"
	};
	size_t i;

	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		if (strcmp(name, raw[i]) == 0)
			return 1;
	return 0;
}

static void
add_feat(struct cols *c, const struct pp_schema *s, size_t j, size_t *cap)
{
	pp_xgrow((void **)&c->feat, cap, c->p + 1, sizeof(size_t));
	c->feat[c->p++] = j;
	(void)s;
}

static int
pick_columns(const struct pp_schema *s, const struct pp_train_opts *o,
    int need_date, struct cols *c, struct pp_err *err)
{
	size_t cap = 0, j;
	long d;
	const char *st, *e;
	regex_t re;

	memset(c, 0, sizeof(*c));
	c->tcol = pp_schema_find(s, o->target);
	if (c->tcol < 0)
		return pp_err_set(err, PP_EXIT_DATA, "target column \"%s\" not "
		    "found", o->target);
	if (!is_num(s->cols[c->tcol].type))
		return pp_err_set(err, PP_EXIT_DATA, "target column \"%s\" is "
		    "%s, not a number", o->target,
		    pp_type_name(s->cols[c->tcol].type));
	d = pp_schema_find(s, "date");
	c->dcol = d >= 0 && (s->cols[d].type == PP_T_DATE ||
	    s->cols[d].type == PP_T_DATETIME) ? d : -1;
	if (need_date && c->dcol < 0)
		return pp_err_set(err, PP_EXIT_DATA, "no \"date\" column of "
		    "dates to split on");
	if (o->exclude != NULL)
		for (st = o->exclude;; st = e + 1) {
			e = strchr(st, ',');
			if (e == NULL)
				e = st + strlen(st);
			for (j = 0; j < s->ncols; j++)
				if (strlen(s->cols[j].name) == (size_t)(e - st) &&
				    memcmp(s->cols[j].name, st, (size_t)(e - st))
				    == 0)
					break;
			if (j == s->ncols)
				return pp_err_set(err, PP_EXIT_DATA, "--exclude: "
				    "column \"%.*s\" not found", (int)(e - st),
				    st);
			if (*e == '\0')
				break;
		}
	if (o->features != NULL) {
		for (st = o->features;; st = e + 1) {
			char *name;
			long k;
			size_t i;

			e = strchr(st, ',');
			if (e == NULL)
				e = st + strlen(st);
			name = pp_xstrndup(st, (size_t)(e - st));
			k = pp_schema_find(s, name);
			if (k < 0 || k == c->tcol || !is_num(s->cols[k].type)) {
				pp_err_set(err, PP_EXIT_DATA, "feature \"%s\": "
				    "%s", name, k < 0 ? "no such column" :
				    k == c->tcol ? "is the target" :
				    "not a number column");
				free(name);
				return -1;
			}
			for (i = 0; i < c->p; i++)
				if (c->feat[i] == (size_t)k) {
					pp_err_set(err, PP_EXIT_USAGE, "feature "
					    "\"%s\" given twice", name);
					free(name);
					return -1;
				}
			free(name);
			add_feat(c, s, (size_t)k, &cap);
			if (*e == '\0')
				break;
		}
	} else {
		if (o->features_re != NULL && regcomp(&re, o->features_re,
		    REG_EXTENDED | REG_NOSUB) != 0)
			return pp_err_set(err, PP_EXIT_USAGE, "--features-regex: "
			    "bad regular expression \"%s\"", o->features_re);
		if (o->features_re == NULL && o->targets_like != NULL &&
		    regcomp(&re, o->targets_like, REG_EXTENDED | REG_NOSUB) != 0)
			return pp_err_set(err, PP_EXIT_USAGE, "--targets-like: "
			    "bad regular expression \"%s\"", o->targets_like);
		for (j = 0; j < s->ncols; j++) {
			const char *nm = s->cols[j].name;

			if ((long)j == c->tcol || !is_num(s->cols[j].type) ||
			    strcmp(nm, "symbol") == 0 ||
			    strcmp(nm, "date") == 0 || in_list(o->exclude, nm))
				continue;
			if (o->features_re != NULL &&
			    regexec(&re, nm, 0, NULL, 0) != 0)
				continue;
			if (o->features_re == NULL && (is_raw_bar(nm) ||
			    (o->targets_like != NULL &&
			    regexec(&re, nm, 0, NULL, 0) == 0)))
				continue;
			add_feat(c, s, j, &cap);
		}
		if (o->features_re != NULL || o->targets_like != NULL)
			regfree(&re);
	}
	if (c->p == 0)
		return pp_err_set(err, PP_EXIT_DATA, "no feature columns");
	c->names = pp_xcalloc(c->p, sizeof(char *));
	for (j = 0; j < c->p; j++)
		c->names[j] = s->cols[c->feat[j]].name;
	return 0;
}

int
pp_train_features(const struct pp_schema *s, const struct pp_train_opts *o,
    struct pp_buf *out, struct pp_err *err)
{
	struct cols c;
	size_t j;

	if (pick_columns(s, o, o->split.folds > 0 || o->split.test_frac > 0,
	    &c, err) == -1) {
		free(c.feat);	/* what was picked before the bad name */
		return -1;
	}
	for (j = 0; j < c.p; j++)
		pp_buf_addf(out, "%s%s", j > 0 ? "," : "", c.names[j]);
	free(c.feat);
	free(c.names);
	return 0;
}

/* Moments per date, sorted by date. */
struct datemap {
	int64_t *date;
	struct pp_moments *mo;
	size_t n, cap, last;
	size_t q;
};

static struct pp_moments *
date_moments(struct datemap *dm, int64_t d)
{
	size_t lo = 0, hi = dm->n, mid;

	if (dm->n > 0 && dm->date[dm->last] == d)
		return &dm->mo[dm->last];
	if (dm->n > 0 && dm->last + 1 < dm->n && dm->date[dm->last + 1] == d)
		return &dm->mo[++dm->last];
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (dm->date[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == dm->n || dm->date[lo] != d) {
		if (dm->n == dm->cap) {
			dm->cap = dm->cap ? 2 * dm->cap : 256;
			dm->date = pp_xrealloc(dm->date, dm->cap *
			    sizeof(int64_t));
			dm->mo = pp_xrealloc(dm->mo, dm->cap *
			    sizeof(struct pp_moments));
		}
		memmove(dm->date + lo + 1, dm->date + lo, (dm->n - lo) *
		    sizeof(int64_t));
		memmove(dm->mo + lo + 1, dm->mo + lo, (dm->n - lo) *
		    sizeof(struct pp_moments));
		dm->date[lo] = d;
		pp_moments_init(&dm->mo[lo], dm->q);
		dm->n++;
	}
	dm->last = lo;
	return &dm->mo[lo];
}

static void
datemap_release(struct datemap *dm)
{
	size_t i;

	for (i = 0; i < dm->n; i++)
		pp_moments_release(&dm->mo[i]);
	free(dm->mo);
	free(dm->date);
}

/* Everything read from the frame. */
struct store {
	size_t p, q;
	int by_date, rows;	/* which store: per-date, design matrix */
	int need_date;		/* a row without a date is dropped */
	struct pp_moments all;	/* no split, not logistic */
	double *buf;		/* ROWBLOCK rows waiting for all */
	size_t nbuf;
	struct datemap dm;
	double *X, *y;		/* logistic: n x p and n; gbdt: y */
	int f32;		/* gbdt: the rows go to Xf, not X */
	float *Xf;		/* gbdt: n x p float32, what XGBoost fits on */
	int64_t *dk;		/* logistic: n dates (if any) */
	size_t n, capX, capy, capd;
	int64_t dmin, dmax;	/* date range of the kept rows */
	int have_date;
};

static void
store_row(struct store *st, const double *z, int64_t d)
{
	if (st->have_date && d != PP_I64_MISSING) {
		if (st->n == 0 || d < st->dmin)
			st->dmin = d;
		if (st->n == 0 || d > st->dmax)
			st->dmax = d;
	}
	if (st->rows && st->f32) {
		size_t j;

		pp_xgrow((void **)&st->Xf, &st->capX, (st->n + 1) * st->p,
		    sizeof(float));
		for (j = 0; j < st->p; j++)
			st->Xf[st->n * st->p + j] = (float)z[j];
	}
	if (st->rows) {
		if (!st->f32)
			pp_xgrow((void **)&st->X, &st->capX, (st->n + 1) *
			    st->p, sizeof(double));
		pp_xgrow((void **)&st->y, &st->capy, st->n + 1,
		    sizeof(double));
		pp_xgrow((void **)&st->dk, &st->capd, st->n + 1,
		    sizeof(int64_t));
		if (!st->f32)
			memcpy(st->X + st->n * st->p, z, st->p *
			    sizeof(double));
		st->y[st->n] = z[st->p];
		st->dk[st->n] = d;
	} else if (st->by_date) {
		pp_moments_add_rows(date_moments(&st->dm, d), z, 1);
	} else {
		memcpy(st->buf + st->nbuf * st->q, z, st->q * sizeof(double));
		if (++st->nbuf == ROWBLOCK) {
			pp_moments_add_rows(&st->all, st->buf, st->nbuf);
			st->nbuf = 0;
		}
	}
	st->n++;
}

static void
store_release(struct store *st)
{
	pp_moments_release(&st->all);
	free(st->buf);
	datemap_release(&st->dm);
	free(st->X);
	free(st->Xf);
	free(st->y);
	free(st->dk);
}

static int
read_rows(struct pp_reader *r, const struct pp_train_opts *o,
    const struct cols *c, struct store *st, struct pp_train_result *res,
    struct pp_err *err)
{
	const struct pp_schema *s = pp_reader_schema(r);
	const union pp_cell *row;
	double *z = pp_xmalloc((c->p + 1) * sizeof(double));
	int got, rc = -1;
	size_t j;

	while ((got = pp_reader_next(r, &row, err)) == 1) {
		int64_t d = c->dcol >= 0 ? row[c->dcol].i : PP_I64_MISSING;
		long bad = -1;
		const char *why = "missing";

		if (++res->rows_read % 65536 == 0 && o->progress != NULL)
			o->progress(res->rows_read);
		for (j = 0; j <= c->p; j++) {
			size_t col = j < c->p ? c->feat[j] : (size_t)c->tcol;

			z[j] = pp_cell_num(s->cols[col].type, &row[col]);
			if (!isfinite(z[j]) && bad < 0) {
				bad = (long)col;
				why = isnan(z[j]) ? "missing" : "infinite";
			}
		}
		if (bad < 0 && st->need_date && d == PP_I64_MISSING)
			bad = c->dcol;
		if (bad >= 0) {
			if (o->strict) {
				pp_err_set(err, PP_EXIT_DATA, "%s:%ld: column "
				    "\"%s\": %s value", pp_reader_name(r),
				    pp_reader_line(r), s->cols[bad].name, why);
				goto out;
			}
			res->rows_dropped++;
			continue;
		}
		if (o->fit.kind == PP_MODEL_LOGISTIC && z[c->p] != 0 &&
		    z[c->p] != 1) {
			char v[PP_DBL_BUFSZ];

			pp_fmt_double(v, z[c->p]);
			pp_err_set(err, PP_EXIT_DATA, "%s:%ld: column \"%s\": "
			    "logistic target must be 0 or 1, not %s",
			    pp_reader_name(r), pp_reader_line(r), o->target, v);
			goto out;
		}
		store_row(st, z, d);
		if (st->by_date && st->dm.n * st->q * st->q >
		    MOMENTS_MAX / sizeof(double)) {
			pp_err_set(err, PP_EXIT_DATA, "%s:%ld: %zu dates of %zu "
			    "columns: their moments would take more than %zu "
			    "GiB (use fewer features or dates)",
			    pp_reader_name(r), pp_reader_line(r), st->dm.n,
			    st->q, MOMENTS_MAX >> 30);
			goto out;
		}
	}
	if (got == -1)
		goto out;
	if (st->nbuf > 0)
		pp_moments_add_rows(&st->all, st->buf, st->nbuf);
	st->nbuf = 0;
	rc = 0;
out:
	free(z);
	return rc;
}

static void
set_params(struct pp_fit_opts *f, struct pp_model *m,
    const struct pp_candidate *cd)
{
	f->alpha = cd->alpha;
	f->l1_ratio = cd->l1_ratio;
	f->C = cd->C;
	m->alpha = f->kind == PP_MODEL_OLS || f->kind == PP_MODEL_LOGISTIC ?
	    0 : cd->alpha;
	m->l1_ratio = f->kind == PP_MODEL_ENET ? cd->l1_ratio :
	    f->kind == PP_MODEL_LASSO ? 1 : 0;
	m->C = f->kind == PP_MODEL_LOGISTIC ? cd->C : 0;
}

/* The cartesian product of the grid axes over the base parameters. */
static void
make_candidates(const struct pp_train_opts *o, struct pp_train_result *res)
{
	size_t n = 1, i, a;

	for (a = 0; a < o->ngrid; a++)
		n *= o->grid[a].nvals;
	res->ncand = n;
	res->cand = pp_xcalloc(n, sizeof(*res->cand));
	for (i = 0; i < n; i++) {
		struct pp_candidate *cd = &res->cand[i];
		struct pp_buf lb = PP_BUF_INIT;
		size_t rest = i;

		cd->alpha = o->fit.alpha;
		cd->l1_ratio = o->fit.l1_ratio;
		cd->C = o->fit.C;
		cd->gb = o->gb;
		for (a = o->ngrid; a-- > 0;) {
			const struct pp_grid_axis *ax = &o->grid[a];
			double v = ax->vals[rest % ax->nvals];

			rest /= ax->nvals;
			if (o->fit.kind == PP_MODEL_GBDT)
				gbdt_set(&cd->gb, ax->param, v);
			else if (strcmp(ax->param, "alpha") == 0)
				cd->alpha = v;
			else if (strcmp(ax->param, "l1_ratio") == 0)
				cd->l1_ratio = v;
			else
				cd->C = v;
		}
		for (a = 0; a < o->ngrid; a++) {
			char nb[PP_DBL_BUFSZ];
			const char *pn = o->grid[a].param;

			pp_fmt_double(nb, o->fit.kind == PP_MODEL_GBDT ?
			    gbdt_get(&cd->gb, pn) : strcmp(pn, "alpha") == 0 ?
			    cd->alpha : strcmp(pn, "l1_ratio") == 0 ?
			    cd->l1_ratio : cd->C);
			pp_buf_addf(&lb, "%s%s=%s", a ? "," : "", pn, nb);
		}
		cd->label = pp_buf_detach(&lb, NULL);
	}
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t
date_index(const int64_t *dates, size_t n, int64_t d)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dates[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Fit m from the rows the role mask keeps (mask NULL: every row). */
static int
fit_on(struct store *st, const struct pp_train_opts *o,
    const struct pp_candidate *cd, const struct pp_split *sp, size_t fold,
    const size_t *didx, struct pp_model *m, struct pp_linfit *lf,
    size_t *nused, struct pp_err *err)
{
	struct pp_fit_opts f = o->fit;
	int rc;

	set_params(&f, m, cd);
	if (st->rows) {
		size_t *idx = NULL, n = 0, i;

		if (sp != NULL) {
			idx = pp_xmalloc((st->n + 1) * sizeof(size_t));
			for (i = 0; i < st->n; i++)
				if (pp_split_role(sp, fold, didx[i]) ==
				    PP_ROLE_TRAIN)
					idx[n++] = i;
		} else {
			n = st->n;
		}
		rc = pp_logistic_fit(st->X, st->y, st->n, st->p, idx, n, &f,
		    m, lf, err);
		free(idx);
		*nused = n;
		return rc;
	}
	if (st->by_date) {
		struct pp_moments tr;
		size_t d;

		pp_moments_init(&tr, st->q);
		for (d = 0; d < st->dm.n; d++)
			if (sp == NULL || pp_split_role(sp, fold, d) ==
			    PP_ROLE_TRAIN)
				pp_moments_merge(&tr, &st->dm.mo[d]);
		rc = pp_linear_fit(&tr, &f, m, lf, err);
		*nused = (size_t)tr.n;
		pp_moments_release(&tr);
		return rc;
	}
	*nused = (size_t)st->all.n;
	return pp_linear_fit(&st->all, &f, m, lf, err);
}

/* Score m on fold k's test dates, with lib/metrics' definitions.  A
 * linear model is scored from the test dates' moments: its squared error
 * is a quadratic form in them, so no row is needed. */
static void
score(struct store *st, const struct pp_split *sp, size_t k,
    const size_t *didx, const struct pp_model *m, struct pp_fold_report *fr)
{
	size_t i, d;

	if (st->rows) {
		struct pp_metrics acc;
		struct pp_classification c;

		pp_metrics_init(&acc, 0.5, 0);
		for (i = 0; i < st->n; i++)
			if (pp_split_role(sp, k, didx[i]) == PP_ROLE_TEST)
				pp_metrics_add(&acc, st->y[i],
				    pp_model_predict(m, st->X + i * st->p, 1));
		pp_metrics_classification(&acc, &c);
		fr->ntest = acc.n;
		fr->metric = c.log_loss;
		fr->metric2 = c.accuracy;
		pp_metrics_release(&acc);
		return;
	}
	{
		struct pp_moments te;
		double sse, sst;

		pp_moments_init(&te, st->q);
		for (d = 0; d < st->dm.n; d++)
			if (pp_split_role(sp, k, d) == PP_ROLE_TEST)
				pp_moments_merge(&te, &st->dm.mo[d]);
		sse = pp_linear_sse(m, &te, &sst);
		fr->ntest = (size_t)te.n;
		fr->metric = pp_metrics_rmse(sse, te.n);
		fr->metric2 = te.n > 0 ? pp_metrics_r2(sse, sst) : NAN;
		pp_moments_release(&te);
	}
}

static void
fold_dates(const int64_t *dates, const struct pp_split *sp, size_t k,
    struct pp_fold_report *fr)
{
	size_t d, first = SIZE_MAX, last = 0;

	for (d = 0; d < sp->ndates; d++)
		if (pp_split_role(sp, k, d) == PP_ROLE_TRAIN) {
			if (first == SIZE_MAX)
				first = d;
			last = d;
		}
	fr->train_first = dates[first];
	fr->train_last = dates[last];
	fr->test_first = dates[sp->folds[k].test_lo];
	fr->test_last = dates[sp->folds[k].test_hi - 1];
}

static void
fit_warnings(struct pp_train_result *res, const struct cols *c,
    const struct pp_linfit *lf)
{
	size_t j;

	for (j = 0; j < c->p; j++)
		if (lf->constant[j])
			warn(res, "feature \"%s\" is constant: its coefficient "
			    "is 0", c->names[j]);
	if (lf->collinear)
		warn(res, "features are collinear: using the minimum-norm "
		    "least-squares solution");
	if (lf->not_converged)
		warn(res, "the solver stopped after %ld iterations without "
		    "converging", lf->iters);
}

void
pp_train_fmt_date(const struct pp_train_result *res, int64_t d, char *buf)
{
	if (d == PP_I64_MISSING)
		buf[0] = '\0';
	else if (res->date_type == PP_T_DATETIME)
		pp_datetime_fmt(buf, d);
	else
		pp_date_fmt(buf, d);
}

static void
meta_num(struct pp_model *m, const char *key, double v)
{
	char b[PP_DBL_BUFSZ];

	pp_fmt_double(b, v);
	pp_model_meta_set(m, key, isnan(v) ? "nan" : b);
}

/* Every gbdt parameter as "n_estimators=300,learning_rate=0.05,...". */
static void
gbdt_params_text(const struct pp_gbdt_params *gp, struct pp_buf *out)
{
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(gbdt_axes); i++) {
		char b[PP_DBL_BUFSZ];

		pp_fmt_double(b, gbdt_get(gp, gbdt_axes[i].name));
		pp_buf_addf(out, "%s%s=%s", i > 0 ? "," : "",
		    gbdt_axes[i].name, b);
	}
	pp_buf_addf(out, ",seed=%ld,early_stopping=%ld", gp->seed,
	    gp->early_stopping);
}

static void
set_meta(struct pp_model *m, const struct pp_train_opts *o,
    const struct pp_train_result *res, int64_t first, int64_t last)
{
	char b[PP_DATE_BUFSZ];
	struct pp_buf v = PP_BUF_INIT;

	pp_model_meta_set(m, "pp_version", PP_VERSION);
	if (m->kind == PP_MODEL_GBDT) {
		gbdt_params_text(&res->cand[res->best].gb, &v);
		pp_model_meta_set(m, "params", v.data);
		pp_model_meta_set(m, "xgboost_version", pp_gbdt_version());
		pp_buf_reset(&v);
		if (res->best_iteration >= 0) {
			pp_buf_addf(&v, "%ld", res->best_iteration);
			pp_model_meta_set(m, "best_iteration", v.data);
			pp_buf_reset(&v);
		}
	}
	pp_buf_addf(&v, "%zu", res->rows_used);
	pp_model_meta_set(m, "rows", v.data);
	pp_buf_reset(&v);
	pp_buf_addf(&v, "%zu", res->rows_dropped);
	pp_model_meta_set(m, "rows_dropped", v.data);
	if (first != PP_I64_MISSING) {
		pp_train_fmt_date(res, first, b);
		pp_model_meta_set(m, "train_first_date", b);
		pp_train_fmt_date(res, last, b);
		pp_model_meta_set(m, "train_last_date", b);
	}
	if (res->nfolds > 0) {
		const struct pp_candidate *cd = &res->cand[res->best];
		struct pp_buf key = PP_BUF_INIT;
		const char *pre = o->split.folds > 0 ? "cv" : "test";

		pp_buf_reset(&v);
		if (o->split.folds > 0)
			pp_buf_addf(&v, "walkforward:%ld", o->split.folds);
		else {
			char f[PP_DBL_BUFSZ];

			pp_fmt_double(f, o->split.test_frac);
			pp_buf_addf(&v, "test_frac=%s", f);
		}
		pp_buf_addf(&v, ",gap=%ld,embargo=%ld,max_train=%ld",
		    o->split.gap, o->split.embargo, o->split.max_train);
		pp_model_meta_set(m, "validation", v.data);
		pp_buf_addf(&key, "%s_%s", pre, res->metric);
		meta_num(m, key.data, cd->mean);
		pp_buf_reset(&key);
		pp_buf_addf(&key, "%s_%s", pre, res->metric2);
		meta_num(m, key.data, cd->mean2);
		if (cd->label[0] != '\0')
			pp_model_meta_set(m, "grid_best", cd->label);
		pp_buf_release(&key);
	}
	pp_buf_release(&v);
}

/* ---- Gradient-boosted trees -------------------------------------------
 *
 * The rows are kept as float32 (st->Xf).  Each fit gathers its training
 * rows into a block of their own (a fold's are not contiguous), or, for
 * the final fit on every row without early stopping, hands st->Xf to
 * XGBoost as it is.
 */

/* The objective: --objective, else binary:logistic for a 0/1 target and
 * reg:squarederror for any other.  A binary objective's target must be 0
 * or 1. */
static int
gbdt_objective(const struct store *st, const struct pp_train_opts *o,
    const char *name, const char **obj, struct pp_err *err)
{
	size_t i, bad = SIZE_MAX;

	for (i = 0; i < st->n && bad == SIZE_MAX; i++)
		if (st->y[i] != 0 && st->y[i] != 1)
			bad = i;
	*obj = o->objective != NULL ? o->objective : bad == SIZE_MAX ?
	    "binary:logistic" : "reg:squarederror";
	if (pp_gbdt_objective_binary(*obj) && bad != SIZE_MAX) {
		char v[PP_DBL_BUFSZ];

		pp_fmt_double(v, st->y[bad]);
		return pp_err_set(err, PP_EXIT_DATA, "%s: column \"%s\": %s "
		    "target must be 0 or 1, not %s", name, o->target, *obj, v);
	}
	return 0;
}

/* Rows idx[0..n) of the store as a float32 block and float labels. */
static void
gather(const struct store *st, const size_t *idx, size_t n, float **X,
    float **y)
{
	size_t i, p = st->p;

	*X = pp_xmalloc((n * p + 1) * sizeof(float));
	*y = pp_xmalloc((n + 1) * sizeof(float));
	for (i = 0; i < n; i++) {
		memcpy(*X + i * p, st->Xf + idx[i] * p, p * sizeof(float));
		(*y)[i] = (float)st->y[idx[i]];
	}
}

/*
 * Early stopping's validation set: the chronological tail of the training
 * rows idx[0..n), never the test fold.  With dates (didx) the tail is the
 * last fifth of the training dates (at least one), and the gap dates
 * before it are purged, as between training and test; without dates, the
 * last fifth of the rows in input order.  The rest go to head.  Fails when
 * nothing is left to fit on.
 */
static int
es_split(const struct store *st, const struct pp_train_opts *o,
    const size_t *idx, size_t n, const size_t *didx, size_t ndates,
    size_t *head, size_t *nhead, size_t *tail, size_t *ntail,
    struct pp_err *err)
{
	size_t i, k = 0, ntd, lo, cut;
	unsigned char *used;

	*nhead = *ntail = 0;
	if (didx == NULL) {
		cut = n - (n / 5 > 0 ? n / 5 : 1);
		for (i = 0; i < n; i++)
			if (i < cut)
				head[(*nhead)++] = idx[i];
			else
				tail[(*ntail)++] = idx[i];
		goto check;
	}
	used = pp_xcalloc(ndates + 1, 1);
	for (i = 0; i < n; i++)
		used[didx[idx[i]]] = 1;
	for (i = 0; i < ndates; i++)
		k += used[i];
	ntd = k / 5 > 0 ? k / 5 : 1;
	/* The first tail date and the first purged one, as date indexes. */
	for (lo = ndates, i = 0; i < ndates && k > 0; i++)
		if (used[ndates - 1 - i] && --ntd == 0) {
			lo = ndates - 1 - i;
			break;
		}
	cut = lo;
	for (i = 0; cut > 0 && i < (size_t)o->split.gap; cut--)
		if (used[cut - 1])
			i++;
	free(used);
	for (i = 0; i < n; i++)
		if (didx[idx[i]] >= lo)
			tail[(*ntail)++] = idx[i];
		else if (didx[idx[i]] < cut)
			head[(*nhead)++] = idx[i];
check:
	if (*nhead == 0 || *ntail == 0)
		return pp_err_set(err, PP_EXIT_DATA, "--early-stopping: too "
		    "few training %s to hold out a validation tail",
		    didx != NULL ? "dates" : "rows");
	(void)st;
	return 0;
}

/* Fit the trees of candidate cd on the training rows of fold (sp NULL:
 * every row) into m. */
static int
fit_gbdt(struct store *st, const struct pp_train_opts *o,
    const struct pp_candidate *cd, const struct pp_split *sp, size_t fold,
    const size_t *didx, size_t ndates, struct pp_model *m, long *best,
    size_t *nused, struct pp_err *err)
{
	size_t *idx = pp_xmalloc((st->n + 1) * sizeof(size_t)), n = 0, i;
	size_t *head = NULL, *tail = NULL, nh = 0, nt = 0;
	float *X = NULL, *y = NULL, *Xv = NULL, *yv = NULL;
	struct pp_gbdt *g = NULL;
	int es = cd->gb.early_stopping > 0;

	for (i = 0; i < st->n; i++)
		if (sp == NULL || pp_split_role(sp, fold, didx[i]) ==
		    PP_ROLE_TRAIN)
			idx[n++] = i;
	*nused = n;
	if (es) {
		head = pp_xmalloc((n + 1) * sizeof(size_t));
		tail = pp_xmalloc((n + 1) * sizeof(size_t));
		if (es_split(st, o, idx, n, didx, ndates, head, &nh, tail, &nt,
		    err) == -1)
			goto out;
		gather(st, head, nh, &X, &y);
		gather(st, tail, nt, &Xv, &yv);
	} else if (sp != NULL) {
		gather(st, idx, n, &X, &y);
	} else {
		/* Every row: st->Xf as it is, only the labels in float. */
		y = pp_xmalloc((n + 1) * sizeof(float));
		for (i = 0; i < n; i++)
			y[i] = (float)st->y[i];
	}
	g = pp_gbdt_fit(&cd->gb, m->objective, X != NULL ? X : st->Xf, y,
	    es ? nh : n, st->p, Xv, yv, nt, best, err);
	if (g != NULL) {
		pp_gbdt_free(m->gbdt);
		m->gbdt = g;
	}
out:
	free(idx);
	free(head);
	free(tail);
	free(X);
	free(y);
	free(Xv);
	free(yv);
	return g != NULL ? 0 : -1;
}

/* Score the trees in m on fold k's test rows. */
static int
score_gbdt(struct store *st, const struct pp_split *sp, size_t k,
    const size_t *didx, const struct pp_model *m, struct pp_fold_report *fr,
    struct pp_err *err)
{
	size_t *idx = pp_xmalloc((st->n + 1) * sizeof(size_t)), n = 0, i;
	float *X, *y;
	double *pred;
	struct pp_metrics acc;
	int rc;

	for (i = 0; i < st->n; i++)
		if (pp_split_role(sp, k, didx[i]) == PP_ROLE_TEST)
			idx[n++] = i;
	gather(st, idx, n, &X, &y);
	pred = pp_xmalloc((n + 1) * sizeof(double));
	rc = pp_gbdt_predict(m->gbdt, X, n, st->p, 0, pred, err);
	pp_metrics_init(&acc, 0.5, 0);
	for (i = 0; i < n && rc == 0; i++)
		pp_metrics_add(&acc, st->y[idx[i]], pred[i]);
	fr->ntest = acc.n;
	if (m->target_kind == PP_TARGET_BINARY) {
		struct pp_classification c;

		pp_metrics_classification(&acc, &c);
		fr->metric = c.log_loss;
		fr->metric2 = c.accuracy;
	} else {
		struct pp_regression r;

		pp_metrics_regression(&acc, &r);
		fr->metric = r.rmse;
		fr->metric2 = r.r2;
	}
	pp_metrics_release(&acc);
	free(idx);
	free(X);
	free(y);
	free(pred);
	return rc;
}

/* The final trees into the model's bytes, and their gain importance. */
static int
gbdt_finish(struct pp_train_result *res, struct pp_err *err)
{
	struct pp_model *m = res->model;
	struct pp_buf b = PP_BUF_INIT;
	size_t p = m->nfeat;
	double *cw = pp_xcalloc(2 * p + 1, sizeof(double));
	int rc = -1;

	if (pp_gbdt_save(m->gbdt, &b, err) == -1)
		goto out;
	m->xgb_len = b.len;
	m->xgb = (unsigned char *)pp_buf_detach(&b, NULL);
	res->importance = pp_xcalloc(p + 1, sizeof(double));
	if (pp_gbdt_importance(m->gbdt, p, res->importance, cw, cw + p,
	    err) == -1)
		goto out;
	rc = 0;
out:
	pp_buf_release(&b);
	free(cw);
	return rc;
}

int
pp_train_run(struct pp_reader *r, const struct pp_train_opts *o,
    struct pp_train_result *res, struct pp_err *err)
{
	const struct pp_schema *s = pp_reader_schema(r);
	int split = o->split.folds > 0 || o->split.test_frac > 0;
	int gbdt = o->fit.kind == PP_MODEL_GBDT;
	struct pp_split sp = { 0, 0, NULL, 0 };
	struct store st;
	struct cols c;
	struct pp_linfit lf = { 0, NULL, 0, 0, 0 };
	int64_t *dates = NULL, first, last;
	size_t *didx = NULL, ci, k, i, nused, nd = 0;
	const char *objective = NULL;
	long best_it = -1;
	int rc = -1;

	memset(&st, 0, sizeof(st));
	pp_train_result_init(res);
	res->best_iteration = -1;
	res->metric = o->fit.kind == PP_MODEL_LOGISTIC ? "logloss" : "rmse";
	res->metric2 = o->fit.kind == PP_MODEL_LOGISTIC ? "accuracy" : "r2";
	if (pick_columns(s, o, split, &c, err) == -1) {
		pp_err_prefix(err, "%s", pp_reader_name(r));
		goto out;
	}
	if (c.p > FEATURES_MAX) {
		pp_err_set(err, PP_EXIT_DATA, "%s: %zu feature columns: at "
		    "most %d can be fitted (--features picks some)",
		    pp_reader_name(r), c.p, FEATURES_MAX);
		goto out;
	}
	res->date_type = c.dcol >= 0 ? s->cols[c.dcol].type : 0;
	if (split && o->horizon > o->split.gap)
		warn(res, "the gap (%ld dates) is shorter than the target's "
		    "horizon (%ld): the last training rows of each fold see "
		    "test dates", o->split.gap, o->horizon);
	/* BLAS calls here are small (blocks of rows by q columns): OpenBLAS's
	 * threads would only spin, on the cores the CSV reader parses on. */
	if (c.p + 1 < BLAS_THREADS_MIN_Q)
		blas_set_threads(1);
	st.p = c.p;
	st.q = c.p + 1;
	st.rows = o->fit.kind == PP_MODEL_LOGISTIC || gbdt;
	st.f32 = gbdt;
	st.by_date = split && !st.rows;
	st.have_date = c.dcol >= 0;
	st.need_date = split;
	st.dm.q = st.q;
	pp_moments_init(&st.all, st.q);
	if (!st.rows && !st.by_date)
		st.buf = pp_xmalloc(ROWBLOCK * st.q * sizeof(double));
	if (read_rows(r, o, &c, &st, res, err) == -1)
		goto out;
	if (st.n == 0) {
		pp_err_set(err, PP_EXIT_DATA, "%s: no rows to fit (%zu read, "
		    "%zu with a missing value)", pp_reader_name(r),
		    res->rows_read, res->rows_dropped);
		goto out;
	}
	if (gbdt && gbdt_objective(&st, o, pp_reader_name(r), &objective,
	    err) == -1)
		goto out;
	make_candidates(o, res);
	res->model = pp_model_new(o->fit.kind, o->target, c.p, c.names);
	if (gbdt) {
		res->model->objective = pp_xstrdup(objective);
		if (pp_gbdt_objective_binary(objective)) {
			res->model->target_kind = PP_TARGET_BINARY;
			res->metric = "logloss";
			res->metric2 = "accuracy";
		}
	}
	first = st.have_date ? st.dmin : PP_I64_MISSING;
	last = st.have_date ? st.dmax : PP_I64_MISSING;
	/* Rows keep their date's index: folds are made of dates, and so is
	 * early stopping's validation tail. */
	if (st.rows && (split || (gbdt && st.have_date &&
	    o->gb.early_stopping > 0))) {
		dates = pp_xmalloc((st.n + 1) * sizeof(int64_t));
		for (i = 0; i < st.n; i++)
			if (st.dk[i] != PP_I64_MISSING)
				dates[nd++] = st.dk[i];
		qsort(dates, nd, sizeof(int64_t), cmp_i64);
		for (k = 0, i = 0; i < nd; i++)
			if (k == 0 || dates[i] != dates[k - 1])
				dates[k++] = dates[i];
		nd = k;
		didx = pp_xmalloc((st.n + 1) * sizeof(size_t));
		for (i = 0; i < st.n; i++)
			didx[i] = date_index(dates, nd, st.dk[i]);
	} else if (split) {
		nd = st.dm.n;
		dates = pp_xmalloc((nd + 1) * sizeof(int64_t));
		memcpy(dates, st.dm.date, nd * sizeof(int64_t));
	}
	if (split) {
		res->ndates = nd;
		if (pp_split_make(&sp, nd, &o->split, err) == -1)
			goto out;
		res->nfolds = sp.nfolds;
		for (ci = 0; ci < res->ncand; ci++) {
			struct pp_candidate *cd = &res->cand[ci];

			cd->folds = pp_xcalloc(sp.nfolds, sizeof(*cd->folds));
			for (k = 0; k < sp.nfolds; k++) {
				struct pp_fold_report *fr = &cd->folds[k];

				pp_linfit_release(&lf);
				if ((gbdt ? fit_gbdt(&st, o, cd, &sp, k, didx,
				    nd, res->model, &best_it, &fr->ntrain, err) :
				    fit_on(&st, o, cd, &sp, k, didx, res->model,
				    &lf, &fr->ntrain, err)) == -1) {
					pp_err_prefix(err, "fold %zu", k + 1);
					goto out;
				}
				fold_dates(dates, &sp, k, fr);
				if (gbdt && score_gbdt(&st, &sp, k, didx,
				    res->model, fr, err) == -1)
					goto out;
				if (!gbdt)
					score(&st, &sp, k, didx, res->model, fr);
				cd->mean += fr->metric / (double)sp.nfolds;
				cd->mean2 += fr->metric2 / (double)sp.nfolds;
			}
			if (cd->mean < res->cand[res->best].mean ||
			    isnan(res->cand[res->best].mean))
				res->best = ci;
		}
	}
	pp_linfit_release(&lf);
	if (o->split.folds == 0 && split) {
		/* Hold-out: the saved model is the one scored. */
		if ((gbdt ? fit_gbdt(&st, o, &res->cand[res->best], &sp, 0,
		    didx, nd, res->model, &best_it, &nused, err) :
		    fit_on(&st, o, &res->cand[res->best], &sp, 0, didx,
		    res->model, &lf, &nused, err)) == -1)
			goto out;
		first = res->cand[res->best].folds[0].train_first;
		last = res->cand[res->best].folds[0].train_last;
	} else if ((gbdt ? fit_gbdt(&st, o, &res->cand[res->best], NULL, 0,
	    didx, nd, res->model, &best_it, &nused, err) :
	    fit_on(&st, o, &res->cand[res->best], NULL, 0, NULL, res->model,
	    &lf, &nused, err)) == -1) {
		goto out;
	}
	res->rows_used = nused;
	if (gbdt) {
		if (gbdt_finish(res, err) == -1)
			goto out;
		if (o->gb.early_stopping > 0)
			res->best_iteration = best_it;
	} else {
		fit_warnings(res, &c, &lf);
	}
	set_meta(res->model, o, res, first, last);
	rc = 0;
out:
	pp_linfit_release(&lf);
	pp_split_release(&sp);
	free(dates);
	free(didx);
	free(c.feat);
	free(c.names);
	store_release(&st);
	return rc;
}

/* ---- The registry ---------------------------------------------------- */

/* A struct pp_log being built: it owns every string it points at. */
struct logbuf {
	struct pp_kv *params, *tags;
	struct pp_metric *metrics;
	size_t np, nt, nm;
	size_t capp, capt, capm;
	char **own;
	size_t nown, capown;
	struct pp_log log;
};

static const char *
keep(struct logbuf *l, char *s)
{
	pp_xgrow((void **)&l->own, &l->capown, l->nown + 1, sizeof(char *));
	l->own[l->nown++] = s;
	return s;
}

static const char *
keepf(struct logbuf *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *
keepf(struct logbuf *l, const char *fmt, ...)
{
	struct pp_buf b = PP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pp_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return keep(l, pp_buf_detach(&b, NULL));
}

static const char *
keepnum(struct logbuf *l, double v)
{
	char b[PP_DBL_BUFSZ];

	pp_fmt_double(b, v);
	return keep(l, pp_xstrdup(b));
}

static void
add_param(struct logbuf *l, const char *key, const char *value)
{
	pp_xgrow((void **)&l->params, &l->capp, l->np + 1, sizeof(struct pp_kv));
	l->params[l->np].key = key;
	l->params[l->np++].value = value;
}

static void
add_tag(struct logbuf *l, const char *key, const char *value)
{
	pp_xgrow((void **)&l->tags, &l->capt, l->nt + 1, sizeof(struct pp_kv));
	l->tags[l->nt].key = key;
	l->tags[l->nt++].value = value;
}

static void
add_metric(struct logbuf *l, const char *key, double v, int64_t step)
{
	pp_xgrow((void **)&l->metrics, &l->capm, l->nm + 1,
	    sizeof(struct pp_metric));
	l->metrics[l->nm].key = key;
	l->metrics[l->nm].value = v;
	l->metrics[l->nm].step = step;
	l->metrics[l->nm++].timestamp = 0;
}

static const struct pp_log *
logbuf_log(struct logbuf *l)
{
	l->log.params = l->params;
	l->log.nparams = l->np;
	l->log.tags = l->tags;
	l->log.ntags = l->nt;
	l->log.metrics = l->metrics;
	l->log.nmetrics = l->nm;
	return &l->log;
}

static void
logbuf_release(struct logbuf *l)
{
	size_t i;

	for (i = 0; i < l->nown; i++)
		free(l->own[i]);
	free(l->own);
	free(l->params);
	free(l->tags);
	free(l->metrics);
	memset(l, 0, sizeof(*l));
}

static const struct pp_grid_axis *
grid_axis(const struct pp_train_opts *o, const char *param)
{
	size_t i;

	for (i = 0; i < o->ngrid; i++)
		if (strcmp(o->grid[i].param, param) == 0)
			return &o->grid[i];
	return NULL;
}

/* The penalties of kind that are params, and their values in cd. */
static void
penalty_params(struct logbuf *l, const struct pp_train_opts *o,
    double alpha, double l1_ratio, double C, int grid_axes)
{
	enum pp_model_kind k = o->fit.kind;

	if ((k == PP_MODEL_RIDGE || k == PP_MODEL_LASSO || k == PP_MODEL_ENET)
	    && (grid_axis(o, "alpha") != NULL) == grid_axes)
		add_param(l, "alpha", keepnum(l, alpha));
	if (k == PP_MODEL_ENET && (grid_axis(o, "l1_ratio") != NULL) ==
	    grid_axes)
		add_param(l, "l1_ratio", keepnum(l, l1_ratio));
	if (k == PP_MODEL_LOGISTIC && (grid_axis(o, "C") != NULL) == grid_axes)
		add_param(l, "C", keepnum(l, C));
}

/* gbdt's parameters in gp: those that are --grid axes when grid_axes,
 * else the others. */
static void
gbdt_params(struct logbuf *l, const struct pp_train_opts *o,
    const struct pp_gbdt_params *gp, int grid_axes)
{
	size_t i;

	if (o->fit.kind != PP_MODEL_GBDT)
		return;
	for (i = 0; i < PP_ARRAY_SIZE(gbdt_axes); i++)
		if ((grid_axis(o, gbdt_axes[i].name) != NULL) == grid_axes)
			add_param(l, gbdt_axes[i].name, keepnum(l,
			    gbdt_get(gp, gbdt_axes[i].name)));
}

static void
start_params(struct logbuf *l, const struct pp_train_opts *o)
{
	enum pp_model_kind k = o->fit.kind;
	size_t i, j;

	add_param(l, "model", pp_model_kind_name(k));
	add_param(l, "target", o->target);
	if (o->features != NULL)
		add_param(l, "features", o->features);
	if (o->features_re != NULL)
		add_param(l, "features_regex", o->features_re);
	if (o->targets_like != NULL)
		add_param(l, "targets_like", o->targets_like);
	if (o->exclude != NULL)
		add_param(l, "exclude", o->exclude);
	if (k != PP_MODEL_GBDT)
		add_param(l, "standardize", o->fit.standardize ? "true" :
		    "false");
	add_param(l, "strict", o->strict ? "true" : "false");
	if (k != PP_MODEL_GBDT)
		penalty_params(l, o, o->fit.alpha, o->fit.l1_ratio, o->fit.C,
		    0);
	gbdt_params(l, o, &o->gb, 0);
	if (k == PP_MODEL_GBDT) {
		add_param(l, "objective", o->objective ? o->objective :
		    "auto");
		add_param(l, "seed", keepf(l, "%ld", o->gb.seed));
		add_param(l, "threads", keepf(l, "%ld", o->gb.threads));
		add_param(l, "early_stopping", keepf(l, "%ld",
		    o->gb.early_stopping));
	}
	if (k == PP_MODEL_LASSO || k == PP_MODEL_ENET || k == PP_MODEL_LOGISTIC)
		add_param(l, "max_iter", keepf(l, "%ld", o->fit.max_iter));
	if (o->split.folds > 0)
		add_param(l, "cv", keepf(l, "walkforward:%ld", o->split.folds));
	if (o->split.test_frac > 0)
		add_param(l, "test_frac", keepnum(l, o->split.test_frac));
	if (o->split.folds > 0 || o->split.test_frac > 0) {
		add_param(l, "gap", keepf(l, "%ld", o->split.gap));
		add_param(l, "embargo", keepf(l, "%ld", o->split.embargo));
		add_param(l, "max_train", keepf(l, "%ld", o->split.max_train));
	}
	if (o->horizon > 0)
		add_param(l, "horizon", keepf(l, "%ld", o->horizon));
	for (i = 0; i < o->ngrid; i++) {
		struct pp_buf b = PP_BUF_INIT;

		for (j = 0; j < o->grid[i].nvals; j++) {
			char v[PP_DBL_BUFSZ];

			pp_fmt_double(v, o->grid[i].vals[j]);
			pp_buf_addf(&b, "%s%s", j > 0 ? "," : "", v);
		}
		add_param(l, keepf(l, "grid_%s", o->grid[i].param),
		    keep(l, pp_buf_detach(&b, NULL)));
	}
}

/* The versions of what computed the model: XGBoost's for a tree model
 * only (asking loads the library, see lazylib.h). */
static void
version_tags(struct logbuf *l, enum pp_model_kind kind)
{
	lapack_int maj = 0, min = 0, pat = 0;
	const char *ob = blas_config();

	LAPACKE_ilaver(&maj, &min, &pat);
	add_tag(l, "pp_version", PP_VERSION);
	add_tag(l, "openblas_version", ob);
	add_tag(l, "lapack_version", keepf(l, "%d.%d.%d", (int)maj, (int)min,
	    (int)pat));
	add_tag(l, "zlib_version", zlibVersion());
	add_tag(l, "sqlite_version", sqlite3_libversion());
	if (kind == PP_MODEL_GBDT)
		add_tag(l, "xgboost_version", pp_gbdt_version());
}

int
pp_train_run_start(struct pp_run *run, const char *path,
    const char *experiment, const struct pp_train_opts *o,
    const char *command, const char *fingerprint, struct pp_err *err)
{
	struct pp_run_start rs = PP_RUN_START_INIT;
	struct logbuf l;
	size_t i;
	int rc;

	memset(&l, 0, sizeof(l));
	rs.experiment = experiment;
	rs.name = o->run_name ? o->run_name : pp_model_kind_name(o->fit.kind);
	rs.command = command;
	rs.fingerprint = fingerprint;
	start_params(&l, o);
	version_tags(&l, o->fit.kind);
	for (i = 0; i < o->ntags; i++)
		add_tag(&l, o->tags[i].key, o->tags[i].value);
	rc = pp_run_start(run, path, &rs, logbuf_log(&l), err);
	logbuf_release(&l);
	return rc;
}

/* The metrics of one candidate: per fold and their means, or the
 * hold-out's. */
static void
candidate_metrics(struct logbuf *l, const struct pp_train_opts *o,
    const struct pp_train_result *res, const struct pp_candidate *cd)
{
	size_t k;

	if (res->nfolds == 0)
		return;
	if (o->split.folds == 0) {
		add_metric(l, keepf(l, "test_%s", res->metric), cd->mean, 0);
		add_metric(l, keepf(l, "test_%s", res->metric2), cd->mean2, 0);
		return;
	}
	for (k = 0; k < res->nfolds; k++) {
		add_metric(l, keepf(l, "fold_%s", res->metric),
		    cd->folds[k].metric, (int64_t)k + 1);
		add_metric(l, keepf(l, "fold_%s", res->metric2),
		    cd->folds[k].metric2, (int64_t)k + 1);
	}
	add_metric(l, keepf(l, "cv_%s", res->metric), cd->mean, 0);
	add_metric(l, keepf(l, "cv_%s", res->metric2), cd->mean2, 0);
}

static int
log_candidates(struct pp_registry *reg, const char *experiment,
    const char *parent, const struct pp_train_opts *o,
    const struct pp_train_result *res, struct pp_err *err)
{
	size_t i;

	for (i = 0; i < res->ncand; i++) {
		const struct pp_candidate *cd = &res->cand[i];
		struct pp_run_start rs = PP_RUN_START_INIT;
		char id[PP_RUN_ID_LEN + 1];
		struct logbuf l;
		int rc;

		memset(&l, 0, sizeof(l));
		rs.experiment = experiment;
		rs.name = cd->label;
		rs.parent = parent;
		add_param(&l, "model", pp_model_kind_name(o->fit.kind));
		if (o->fit.kind != PP_MODEL_GBDT)
			penalty_params(&l, o, cd->alpha, cd->l1_ratio, cd->C,
			    1);
		gbdt_params(&l, o, &cd->gb, 1);
		candidate_metrics(&l, o, res, cd);
		rc = pp_registry_run_start(reg, &rs, logbuf_log(&l), id, err);
		if (rc == 0)
			rc = pp_registry_run_end(reg, id, PP_RUN_FINISHED, NULL,
			    err);
		logbuf_release(&l);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
pp_train_log_result(struct pp_registry *reg, const char *experiment,
    const char *run_id, const struct pp_train_opts *o,
    const struct pp_train_result *res, const char *sha256,
    struct pp_err *err)
{
	const struct pp_candidate *best = &res->cand[res->best];
	struct pp_buf b = PP_BUF_INIT;
	struct logbuf l;
	size_t j;
	int rc;

	if (o->ngrid > 0 && log_candidates(reg, experiment, run_id, o, res,
	    err) == -1)
		return -1;
	memset(&l, 0, sizeof(l));
	if (o->fit.kind != PP_MODEL_GBDT)
		penalty_params(&l, o, best->alpha, best->l1_ratio, best->C, 1);
	gbdt_params(&l, o, &best->gb, 1);
	candidate_metrics(&l, o, res, best);
	if (res->model->kind == PP_MODEL_GBDT) {
		add_param(&l, "objective_used", res->model->objective);
		for (j = 0; j < res->model->nfeat && res->importance; j++)
			add_metric(&l, keepf(&l, "importance.%s",
			    res->model->features[j]), res->importance[j], 0);
		if (res->best_iteration >= 0)
			add_metric(&l, "best_iteration",
			    (double)res->best_iteration, 0);
	}
	add_tag(&l, "input_sha256", sha256);
	for (j = 0; j < res->model->nfeat; j++)
		pp_buf_addf(&b, "%s%s", j > 0 ? "," : "",
		    res->model->features[j]);
	add_tag(&l, "features", keep(&l, pp_buf_detach(&b, NULL)));
	/* The model's recipe, so the run says how its features are made. */
	if (res->model->spec != NULL) {
		add_tag(&l, "spec", res->model->spec);
		add_tag(&l, "inputs", res->model->inputs ?
		    res->model->inputs : "");
		add_tag(&l, "warmup", keepf(&l, "%ld", res->model->warmup));
	}
	if (res->model->horizon >= 0)
		add_tag(&l, "horizon", keepf(&l, "%ld", res->model->horizon));
	add_tag(&l, "rows_read", keepf(&l, "%zu", res->rows_read));
	add_tag(&l, "rows_used", keepf(&l, "%zu", res->rows_used));
	add_tag(&l, "rows_dropped", keepf(&l, "%zu", res->rows_dropped));
	if (res->ndates > 0)
		add_tag(&l, "dates", keepf(&l, "%zu", res->ndates));
	if (o->ngrid > 0)
		add_tag(&l, "grid_best", best->label);
	for (j = 0; j < res->nwarn; j++)
		pp_buf_addf(&b, "%s%s", j > 0 ? "; " : "", res->warn[j]);
	if (res->nwarn > 0)
		add_tag(&l, "warnings", keep(&l, pp_buf_detach(&b, NULL)));
	rc = pp_registry_log(reg, run_id, logbuf_log(&l), err);
	logbuf_release(&l);
	pp_buf_release(&b);
	return rc;
}

void
pp_train_command_line(int argc, char *const argv[], struct pp_buf *out)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+./:=,@%";
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *p;

		if (i > 0)
			pp_buf_addc(out, ' ');
		if (*a != '\0' && strspn(a, safe) == strlen(a)) {
			pp_buf_addstr(out, a);
			continue;
		}
		pp_buf_addc(out, '\'');
		for (p = a; *p != '\0'; p++)
			if (*p == '\'')
				pp_buf_addstr(out, "'\\''");
			else
				pp_buf_addc(out, *p);
		pp_buf_addc(out, '\'');
	}
}
