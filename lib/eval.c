/*
 * eval.c - reading a frame of predictions for pp-eval: the streaming
 * metrics pass, panels for the cross-sectional commands, and the score
 * lists every command produces (eval.h).
 *
 * Groups (--by, symbols) are found through a small open-addressing table
 * keyed by the group's label bytes, so a row costs one hash whatever the
 * number of groups; groups keep the order in which they first appear.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "date.h"
#include "eval.h"
#include "evalplot.h"
#include "frame.h"
#include "lineage.h"
#include "metrics.h"
#include "num.h"
#include "radix.h"
#include "util.h"
#include "banned.h"

/* ---- Score lists ----------------------------------------------------- */

void
pp_scores_add(struct pp_scores *s, const char *group, const char *name,
    double value)
{
	struct pp_score *e;

	pp_xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	e = &s->v[s->n++];
	e->group = group ? pp_xstrdup(group) : NULL;
	e->name = pp_xstrdup(name);
	e->value = value;
}

void
pp_scores_release(struct pp_scores *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].group);
		free(s->v[i].name);
	}
	free(s->v);
	free(s->group_key);
	memset(s, 0, sizeof(*s));
}

void
pp_scores_table(const struct pp_scores *s, struct pp_reg_table *t)
{
	size_t nc = s->group_key ? 3 : 2, i, c = 0;

	memset(t, 0, sizeof(*t));
	t->ncols = nc;
	t->nrows = s->n;
	t->cap = nc * s->n;
	t->cols = pp_xcalloc(nc, sizeof(*t->cols));
	t->cells = pp_xcalloc(t->cap + 1, sizeof(*t->cells));
	t->kinds = pp_xcalloc(t->cap + 1, 1);
	if (s->group_key)
		t->cols[c++] = pp_xstrdup(s->group_key);
	t->cols[c++] = pp_xstrdup("metric");
	t->cols[c] = pp_xstrdup("value");
	for (i = 0; i < s->n; i++) {
		char **row = t->cells + i * nc;
		unsigned char *k = t->kinds + i * nc;
		char b[PP_DBL_BUFSZ];

		c = 0;
		if (s->group_key) {
			row[c] = s->v[i].group ? pp_xstrdup(s->v[i].group)
			    : NULL;
			k[c] = row[c] ? PP_CELL_TEXT : PP_CELL_NULL;
			c++;
		}
		row[c] = pp_xstrdup(s->v[i].name);
		k[c++] = PP_CELL_TEXT;
		if (isfinite(s->v[i].value)) {
			pp_fmt_double(b, s->v[i].value);
			row[c] = pp_xstrdup(b);
			k[c] = PP_CELL_NUM;
		} else {
			row[c] = NULL;
			k[c] = PP_CELL_NULL;
		}
	}
}

int
pp_scores_log(const struct pp_scores *s, struct pp_registry *r,
    const char *run_id, struct pp_err *err)
{
	struct pp_metric *m = pp_xcalloc(s->n + 1, sizeof(*m));
	char **keys = pp_xcalloc(s->n + 1, sizeof(*keys));
	struct pp_log log = { NULL, 0, m, 0, NULL, 0 };
	size_t i;
	int rc;

	for (i = 0; i < s->n; i++) {
		struct pp_buf k = PP_BUF_INIT;

		if (!isfinite(s->v[i].value))
			continue;
		if (s->v[i].group)
			pp_buf_addf(&k, "%s.", s->v[i].group);
		pp_buf_addstr(&k, s->v[i].name);
		keys[log.nmetrics] = pp_buf_detach(&k, NULL);
		m[log.nmetrics].key = keys[log.nmetrics];
		m[log.nmetrics].value = s->v[i].value;
		log.nmetrics++;
	}
	rc = pp_registry_log(r, run_id, &log, err);
	for (i = 0; i < log.nmetrics; i++)
		free(keys[i]);
	free(keys);
	free(m);
	return rc;
}

/* ---- Groups ---------------------------------------------------------- */

/* Labels -> dense ids in order of first appearance. */
struct gmap {
	char **label;		/* n labels, NUL-terminated, owned */
	size_t n, cap;
	size_t *slot;		/* nslot entries: id + 1, or 0 empty */
	size_t nslot;		/* a power of two, at least 2 n */
};

static void
gmap_release(struct gmap *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->label[i]);
	free(g->label);
	free(g->slot);
	memset(g, 0, sizeof(*g));
}

static size_t
gmap_id(struct gmap *g, const char *p, size_t len)
{
	size_t mask, h, i;

	if (2 * (g->n + 1) > g->nslot) {
		size_t ns = g->nslot ? 2 * g->nslot : 64;

		free(g->slot);
		g->slot = pp_xcalloc(ns, sizeof(size_t));
		g->nslot = ns;
		for (i = 0; i < g->n; i++) {
			h = pp_hash_bytes(g->label[i], strlen(g->label[i]));
			while (g->slot[h & (ns - 1)])
				h++;
			g->slot[h & (ns - 1)] = i + 1;
		}
	}
	mask = g->nslot - 1;
	for (h = pp_hash_bytes(p, len); g->slot[h & mask]; h++) {
		const char *l = g->label[g->slot[h & mask] - 1];

		if (strncmp(l, p, len) == 0 && l[len] == '\0')
			return g->slot[h & mask] - 1;
	}
	pp_xgrow((void **)&g->label, &g->cap, g->n + 1, sizeof(char *));
	g->label[g->n] = pp_xstrndup(p, len);
	g->slot[h & mask] = g->n + 1;
	return g->n++;
}

/* gmap_id, first trying *last, the previous row's group: a frame sorted
 * by symbol repeats it row after row, and a comparison is cheaper than a
 * hash. */
static size_t
gmap_id_again(struct gmap *g, const char *p, size_t len, size_t *last)
{
	const char *l;

	if (*last < g->n) {
		l = g->label[*last];
		if (strncmp(l, p, len) == 0 && l[len] == '\0')
			return *last;
	}
	return *last = gmap_id(g, p, len);
}

/*
 * How many rows a file of this path may hold, to size arrays once: its
 * bytes over 16, more than a CSV or binary row of the columns read here
 * takes (a guess too high costs address space, not memory: pages never
 * touched are never given).  0 for standard input and what stat cannot
 * size; a guess too low only means the arrays grow as before.
 */
static size_t
rows_guess(const char *path)
{
	struct stat st;

	if (path == NULL || strcmp(path, "-") == 0 || stat(path, &st) != 0 ||
	    !S_ISREG(st.st_mode) || st.st_size <= 0)
		return 0;
	return (size_t)((uint64_t)st.st_size / 16);
}

/* ---- Columns --------------------------------------------------------- */

/*
 * The column named by the user, else by the metadata pp-predict wrote into
 * the frame (key), else fallback; NULL (with err set) when none names it:
 * a CSV frame carries no metadata, so there the option is needed.
 */
static const char *
default_col(const struct pp_reader *r, const char *given, const char *key,
    const char *fallback, const char *opt, struct pp_err *err)
{
	const char *v = given;

	if (v == NULL)
		v = pp_meta_get(pp_reader_meta(r), key);
	if (v == NULL)
		v = fallback;
	if (v == NULL)
		pp_err_set(err, PP_EXIT_USAGE, "%s: no %s given, and the frame "
		    "does not name the model's target (pp-predict -B writes "
		    "it)", pp_reader_name(r), opt);
	return v;
}

long
pp_eval_num_col(const struct pp_reader *r, const char *name, struct pp_err *err)
{
	const struct pp_schema *s = pp_reader_schema(r);
	long c = pp_schema_find(s, name);

	if (c < 0)
		return pp_err_set(err, PP_EXIT_DATA, "%s: missing column "
		    "\"%s\"", pp_reader_name(r), name);
	if (s->cols[c].type != PP_T_F64 && s->cols[c].type != PP_T_I64 &&
	    s->cols[c].type != PP_T_TEXT)
		return pp_err_set(err, PP_EXIT_DATA, "%s: column \"%s\" is "
		    "a %s, not a number", pp_reader_name(r), name,
		    pp_type_name(s->cols[c].type));
	return c;
}

int
pp_eval_cell(const struct pp_reader *r, const union pp_cell *row, long c,
    double *v, struct pp_err *err)
{
	const struct pp_col *col = &pp_reader_schema(r)->cols[c];
	const union pp_cell *x = &row[c];

	if (col->type != PP_T_TEXT) {
		*v = pp_cell_num(col->type, x);
		return 0;
	}
	if (pp_is_missing(x->s.p, x->s.len)) {
		*v = NAN;
		return 0;
	}
	if (pp_parse_double(x->s.p, x->s.len, v) == 0)
		return 0;
	return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: column \"%s\": not a "
	    "number: \"%.*s\"", pp_reader_name(r), pp_reader_line(r),
	    col->name, (int)(x->s.len > 40 ? 40 : x->s.len), x->s.p);
}

/* The label of a group cell: text as is, dates formatted. */
static void
group_label(enum pp_type t, const union pp_cell *x, struct pp_buf *b)
{
	char d[PP_DATE_BUFSZ];

	pp_buf_reset(b);
	if (t == PP_T_TEXT) {
		pp_buf_add(b, x->s.p, x->s.len);
	} else if (t == PP_T_DATE || t == PP_T_DATETIME) {
		if (x->i != PP_I64_MISSING) {
			if (t == PP_T_DATE)
				pp_date_fmt(d, x->i);
			else
				pp_datetime_fmt(d, x->i);
			pp_buf_addstr(b, d);
		}
	} else {
		pp_fmt_double(d, pp_cell_num(t, x));
		pp_buf_addstr(b, d);
	}
}

/* ---- metrics --------------------------------------------------------- */

/* Algorithm R: after n pairs, each is in the sample with equal chance. */
static void
reservoir(struct pp_pair *s, size_t n, double y, double p, uint64_t *rng)
{
	size_t j;

	if (n <= PP_PLOT_SAMPLE) {
		j = n - 1;
	} else {
		*rng ^= *rng << 13;
		*rng ^= *rng >> 7;
		*rng ^= *rng << 17;
		j = (size_t)(*rng % n);
		if (j >= PP_PLOT_SAMPLE)
			return;
	}
	s[j].y = y;
	s[j].p = p;
}

static const char *const reg_names[] = {
	"mse", "rmse", "mae", "r2", "pearson", "spearman",
	"directional_accuracy"
};

static const char *const cls_names[] = {
	"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss",
	"brier", "tp", "fp", "tn", "fn"
};

/* The scores of one accumulator, in the order of the names above. */
static size_t
acc_scores(struct pp_metrics *m, enum pp_eval_kind kind, double *v)
{
	if (kind == PP_EVAL_REGRESSION) {
		struct pp_regression r;

		pp_metrics_regression(m, &r);
		v[0] = r.mse;
		v[1] = r.rmse;
		v[2] = r.mae;
		v[3] = r.r2;
		v[4] = r.pearson;
		v[5] = r.spearman;
		v[6] = r.directional_accuracy;
		return PP_ARRAY_SIZE(reg_names);
	} else {
		struct pp_classification c;

		pp_metrics_classification(m, &c);
		v[0] = c.accuracy;
		v[1] = c.precision;
		v[2] = c.recall;
		v[3] = c.f1;
		v[4] = c.roc_auc;
		v[5] = c.log_loss;
		v[6] = c.brier;
		v[7] = (double)c.tp;
		v[8] = (double)c.fp;
		v[9] = (double)c.tn;
		v[10] = (double)c.fn;
		return PP_ARRAY_SIZE(cls_names);
	}
}

/* One row's pair into all (and the plot's sample): 1, or 0 when a value
 * is missing (counted), or -1 with err set (a class target not 0 or 1;
 * line is the row's). */
static inline int
take_pair(struct pp_metrics *all, const struct pp_eval_metrics_opts *o,
    struct pp_scores *out, struct pp_pair *sample, uint64_t *rng, double y,
    double p, const struct pp_reader *r, long line, const char *target,
    struct pp_err *err)
{
	if (isnan(y) || isnan(p) || isinf(y) || isinf(p)) {
		out->skipped++;
		return 0;
	}
	if (o->kind == PP_EVAL_CLASSIFICATION && y != 0 && y != 1) {
		char b[PP_DBL_BUFSZ];

		pp_fmt_double(b, y);
		return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: column \"%s\": "
		    "target %s is not 0 or 1 (--proba)", pp_reader_name(r),
		    line, target, b);
	}
	pp_metrics_add(all, y, p);
	if (sample != NULL)
		reservoir(sample, all->n, y, p, rng);
	return 1;
}

int
pp_eval_metrics(const char *path, const struct pp_eval_metrics_opts *o,
    struct pp_scores *out, enum pp_eval_kind *kind, struct pp_err *err)
{
	const unsigned char *const *col;
	size_t from, n;
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_reader *r;
	struct pp_metrics all, *acc = NULL;
	struct gmap gm = { 0 };
	struct pp_buf label = PP_BUF_INIT;
	const union pp_cell *row;
	size_t ncap = 0, g, i, nv = 0;
	long cy, cp, cg = -1, used[3];
	int rc = -1, st, f64;
	enum pp_type gt = PP_T_TEXT;
	const char *target = NULL, *pred = NULL;

	ro.delim = o->delim;
	struct pp_pair *sample = NULL;
	uint64_t rng = 0x853c49e6748fea9bULL;

	pp_metrics_init(&all, o->threshold, o->by && !o->plot ? 0
	    : PP_METRICS_KEEP);
	if (o->plot)
		sample = pp_xmalloc(PP_PLOT_SAMPLE * sizeof(*sample));
	if ((r = pp_reader_open(path, &ro, err)) == NULL)
		goto out;
	if ((target = default_col(r, o->target, PP_META_PRED_TARGET, NULL,
	    "--target COL", err)) == NULL)
		goto out;
	pred = default_col(r, o->pred, PP_META_PRED_COLUMN, "prediction",
	    "--pred COL", err);
	if ((cy = pp_eval_num_col(r, target, err)) < 0 ||
	    (cp = pp_eval_num_col(r, pred, err)) < 0)
		goto out;
	if (o->by) {
		if ((cg = pp_schema_find(pp_reader_schema(r), o->by)) < 0) {
			pp_err_set(err, PP_EXIT_DATA, "%s: missing column "
			    "\"%s\" (--by)", pp_reader_name(r), o->by);
			goto out;
		}
		gt = pp_reader_schema(r)->cols[cg].type;
	}
	used[0] = cy;
	used[1] = cp;
	used[2] = cg;
	pp_reader_only(r, used, PP_ARRAY_SIZE(used));
	pp_metrics_reserve(&all, rows_guess(path));
	/* Typed columns, the usual case, are read without a call per cell. */
	f64 = pp_reader_schema(r)->cols[cy].type == PP_T_F64 &&
	    pp_reader_schema(r)->cols[cp].type == PP_T_F64;
	/* A binary frame's two columns are read where they lie, a chunk at
	 * a time (without --by), else row by row. */
	st = f64 && cg < 0 ? pp_reader_next_block(r, &col, &from, &n, err) :
	    -2;
	for (; st == 1; st = pp_reader_next_block(r, &col, &from, &n, err)) {
		const unsigned char *ys = col[cy] + 8 * from;
		const unsigned char *ps = col[cp] + 8 * from;
		long line = pp_reader_line(r) - (long)n;

		for (i = 0; i < n; i++) {
			double y, p;

			memcpy(&y, ys + 8 * i, sizeof(y));
			memcpy(&p, ps + 8 * i, sizeof(p));
			if (take_pair(&all, o, out, sample, &rng, y, p, r,
			    line + 1 + (long)i, target, err) == -1)
				goto out;
		}
	}
	while (st == -2 && (st = pp_reader_next(r, &row, err)) == 1) {
		double y, p;
		int k;

		if (f64) {
			y = row[cy].f;
			p = row[cp].f;
		} else if (pp_eval_cell(r, row, cy, &y, err) == -1 ||
		    pp_eval_cell(r, row, cp, &p, err) == -1)
			goto out;
		if ((k = take_pair(&all, o, out, sample, &rng, y, p, r,
		    pp_reader_line(r), target, err)) == -1)
			goto out;
		st = -2;	/* on to the next row */
		if (k == 0 || cg < 0)
			continue;
		group_label(gt, &row[cg], &label);
		g = gmap_id(&gm, label.data, label.len);
		if (g >= ncap) {
			size_t old = ncap;

			pp_xgrow((void **)&acc, &ncap, g + 1, sizeof(*acc));
			for (i = old; i < ncap; i++)
				pp_metrics_init(&acc[i], o->threshold,
				    PP_METRICS_KEEP);
		}
		pp_metrics_add(&acc[g], y, p);
	}
	if (st == -1)
		goto out;
	if (all.n < 2) {
		pp_err_set(err, PP_EXIT_DATA, "%s: %zu row%s with both "
		    "\"%s\" and \"%s\": need at least 2", pp_reader_name(r),
		    all.n, all.n == 1 ? "" : "s", target, pred);
		goto out;
	}
	*kind = o->kind;
	if (*kind == PP_EVAL_AUTO)
		*kind = pp_metrics_is_binary(&all) && pp_metrics_is_unit(&all)
		    ? PP_EVAL_CLASSIFICATION : PP_EVAL_REGRESSION;
	out->skipped_what = "rows with a missing target or prediction";
	if (cg < 0) {
		double v[16];

		nv = acc_scores(&all, *kind, v);
		for (i = 0; i < nv; i++)
			pp_scores_add(out, NULL, *kind == PP_EVAL_REGRESSION
			    ? reg_names[i] : cls_names[i], v[i]);
	} else {
		double v[16], sum[16] = { 0 }, cnt[16] = { 0 };
		const char *const *names = *kind == PP_EVAL_REGRESSION
		    ? reg_names : cls_names;

		out->group_key = pp_xstrdup(o->by);
		for (g = 0; g < gm.n; g++) {
			nv = acc_scores(&acc[g], *kind, v);
			for (i = 0; i < nv; i++) {
				pp_scores_add(out, gm.label[g], names[i], v[i]);
				if (isfinite(v[i])) {
					sum[i] += v[i];
					cnt[i]++;
				}
			}
		}
		for (i = 0; i < nv; i++)
			pp_scores_add(out, NULL, names[i], cnt[i] > 0
			    ? sum[i] / cnt[i] : NAN);
	}
	if (o->plot && *kind == PP_EVAL_REGRESSION)
		pp_plot_scatter(o->plot, sample, all.n < PP_PLOT_SAMPLE ? all.n
		    : PP_PLOT_SAMPLE, target, pred);
	else if (o->plot)
		/* Scored without --by, the pairs are sorted already. */
		pp_plot_roc(o->plot, all.v, all.n,
		    pp_metrics_roc_auc(all.v, all.n));
	rc = 0;
out:
	free(sample);
	for (i = 0; i < ncap; i++)
		pp_metrics_release(&acc[i]);
	free(acc);
	pp_metrics_release(&all);
	gmap_release(&gm);
	pp_buf_release(&label);
	pp_reader_free(r);
	return rc;
}

/* ---- Panels ---------------------------------------------------------- */

/* One row while sorting: where its values are, and its keys. */
struct prow {
	int64_t date;
	uint32_t sym;		/* rank of the symbol's name */
	size_t at;		/* index into the read arrays */
};

static int
prow_cmp(const void *a, const void *b)
{
	const struct prow *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return (x->sym > y->sym) - (x->sym < y->sym);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
xrow_cmp(const void *a, const void *b)
{
	const struct pp_xrow *x = a, *y = b;

	if (x->pred != y->pred)
		return x->pred < y->pred ? -1 : 1;
	return (x->sym > y->sym) - (x->sym < y->sym);
}

void
pp_panel_sort_xrows(struct pp_xrow *x, size_t n)
{
	struct pp_keyed *k;
	struct pp_xrow *c;
	size_t i;

	if (n < 64) {
		qsort(x, n, sizeof(*x), xrow_cmp);
		return;
	}
	k = pp_xmalloc(n * sizeof(*k));
	c = pp_xmalloc(n * sizeof(*c));
	for (i = 0; i < n; i++) {
		k[i].key = pp_metrics_sort_key(x[i].pred);
		k[i].val = i;
	}
	pp_metrics_sort_keyed(k, n);
	for (i = 0; i < n; i++)
		c[i] = x[k[i].val];
	memcpy(x, c, n * sizeof(*x));
	free(k);
	free(c);
}

void
pp_panel_release(struct pp_panel *p)
{
	size_t i;

	free(p->date);
	free(p->sym);
	free(p->pred);
	free(p->ret);
	for (i = 0; i < p->nsym; i++)
		free(p->syms[i]);
	free(p->syms);
	free(p->dstart);
	memset(p, 0, sizeof(*p));
}

static void
date_label(int kind, int64_t k, char *buf)
{
	if (kind == 1)
		pp_date_fmt(buf, k);
	else if (kind == 2)
		pp_datetime_fmt(buf, k);
	else
		pp_fmt_int64(buf, k);
}

void
pp_panel_date_label(const struct pp_panel *p, size_t d, char *buf)
{
	date_label(p->date_kind, p->date[p->dstart[d]], buf);
}

/*
 * The order of the rows by date, then symbol rank, as indices into the
 * read arrays: two stable counting sorts (by symbol, then by date) of
 * indices, when the dates span few enough keys (any daily frame; a frame
 * without dates numbers its rows).  Returns NULL when they do not.
 */
static size_t *
counting_order(const struct pp_panel *p, const uint32_t *rank, size_t nsym,
    int64_t dmin, int64_t dmax)
{
	uint64_t span = (uint64_t)dmax - (uint64_t)dmin + 1;
	size_t nb = nsym > span ? nsym : (size_t)span, i, *count;
	size_t *by_sym, *order;

	if (span > 4 * (uint64_t)p->n + 4096)
		return NULL;
	count = pp_xcalloc(nb + 1, sizeof(*count));
	by_sym = pp_xmalloc_huge(p->n * sizeof(*by_sym));
	order = pp_xmalloc_huge(p->n * sizeof(*order));
	for (i = 0; i < p->n; i++)
		count[rank[p->sym[i]]]++;
	pp_counts_to_starts(count, nsym);
	for (i = 0; i < p->n; i++)
		by_sym[count[rank[p->sym[i]]]++] = i;
	memset(count, 0, (nb + 1) * sizeof(*count));
	for (i = 0; i < p->n; i++)
		count[p->date[i] - dmin]++;
	pp_counts_to_starts(count, (size_t)span);
	for (i = 0; i < p->n; i++) {
		size_t at = by_sym[i];

		order[count[p->date[at] - dmin]++] = at;
	}
	free(count);
	free(by_sym);
	return order;
}

/* The order by one radix sort on (date - min) * symbols + symbol when that
 * fits in 63 bits (date-times over centuries), else by qsort. */
static size_t *
sorted_order(const struct pp_panel *p, const uint32_t *rank, size_t nsym,
    int64_t dmin, int64_t dmax)
{
	size_t *order = pp_xmalloc((p->n + 1) * sizeof(*order));
	size_t i;

	if ((uint64_t)(dmax - dmin) < (UINT64_C(1) << 62) / (nsym + 1)) {
		struct pp_keyed *key = pp_xmalloc((p->n + 1) * sizeof(*key));

		for (i = 0; i < p->n; i++) {
			key[i].key = (uint64_t)(p->date[i] - dmin) *
			    (uint64_t)nsym + rank[p->sym[i]];
			key[i].val = i;
		}
		pp_metrics_sort_keyed(key, p->n);
		for (i = 0; i < p->n; i++)
			order[i] = (size_t)key[i].val;
		free(key);
	} else {
		struct prow *rows = pp_xmalloc((p->n + 1) * sizeof(*rows));

		for (i = 0; i < p->n; i++) {
			rows[i].date = p->date[i];
			rows[i].sym = rank[p->sym[i]];
			rows[i].at = i;
		}
		qsort(rows, p->n, sizeof(*rows), prow_cmp);
		for (i = 0; i < p->n; i++)
			order[i] = rows[i].at;
		free(rows);
	}
	return order;
}

/* Rows from..to-1 of the sorted panel, gathered from the read arrays by
 * order: on one thread, or a half on each of two. */
struct gather {
	const struct pp_panel *p;
	const size_t *order;
	const uint32_t *rank;
	int64_t *date;
	uint32_t *sym;
	double *pred, *ret;
	size_t from, to;
};

static void *
gather_rows(void *arg)
{
	const struct gather *g = arg;
	const struct pp_panel *p = g->p;
	size_t i, k, nr = p->nret;

	for (i = g->from; i < g->to; i++) {
		size_t a = g->order[i];

		g->date[i] = p->date[a];
		g->sym[i] = g->rank[p->sym[a]];
		g->pred[i] = p->pred[a];
		for (k = 0; k < nr; k++)
			g->ret[i * nr + k] = p->ret[a * nr + k];
	}
	return NULL;
}

/* Panels this large are gathered on two threads: the reads are cache
 * misses, which two threads wait for side by side. */
#define GATHER_PARALLEL ((size_t)1 << 16)

static void
gather_all(struct gather *g)
{
	struct gather hi = *g;
	pthread_t th;

	if (g->p->n >= GATHER_PARALLEL) {
		g->to = hi.from = g->p->n / 2;
		if (pthread_create(&th, NULL, gather_rows, &hi) == 0) {
			gather_rows(g);
			pthread_join(th, NULL);
			return;
		}
		g->to = hi.to;
	}
	gather_rows(g);
}

/* Sort the rows read (in p, by read order) by date and symbol name. */
static int
panel_sort(struct pp_panel *p, struct gmap *gm, const char *name,
    struct pp_err *err)
{
	uint32_t *rank = pp_xmalloc((gm->n + 1) * sizeof(*rank));
	char **sorted = pp_xmalloc((gm->n + 1) * sizeof(char *));
	int64_t *date = pp_xmalloc_huge((p->n + 1) * sizeof(int64_t));
	uint32_t *sym = pp_xmalloc_huge((p->n + 1) * sizeof(uint32_t));
	size_t *order;
	double *pred = pp_xmalloc_huge((p->n + 1) * sizeof(double));
	double *ret = pp_xmalloc_huge((p->n * p->nret + 1) * sizeof(double));
	struct gather g;
	size_t i, nd = 0;
	int64_t dmin = p->date[0], dmax = p->date[0];
	int rc = 0;

	memcpy(sorted, gm->label, gm->n * sizeof(char *));
	qsort(sorted, gm->n, sizeof(char *), str_cmp);
	for (i = 0; i < gm->n; i++)
		rank[gmap_id(gm, sorted[i], strlen(sorted[i]))] = (uint32_t)i;
	for (i = 1; i < p->n; i++) {
		dmin = p->date[i] < dmin ? p->date[i] : dmin;
		dmax = p->date[i] > dmax ? p->date[i] : dmax;
	}
	if ((order = counting_order(p, rank, gm->n, dmin, dmax)) == NULL)
		order = sorted_order(p, rank, gm->n, dmin, dmax);
	g.p = p;
	g.order = order;
	g.rank = rank;
	g.date = date;
	g.sym = sym;
	g.pred = pred;
	g.ret = ret;
	g.from = 0;
	g.to = p->n;
	gather_all(&g);
	p->dstart = pp_xmalloc((p->n + 2) * sizeof(size_t));
	for (i = 0; i < p->n; i++) {
		if (i > 0 && date[i] == date[i - 1] && sym[i] == sym[i - 1] &&
		    rc == 0) {
			char d[PP_DATE_BUFSZ];

			date_label(p->date_kind, date[i], d);
			rc = pp_err_set(err, PP_EXIT_DATA, "%s: symbol \"%s\" "
			    "appears twice on %s", name, sorted[sym[i]], d);
		}
		if (i == 0 || date[i] != date[i - 1])
			p->dstart[nd++] = i;
	}
	p->dstart[nd] = p->n;
	p->ndates = nd;
	free(p->date);
	free(p->sym);
	free(p->pred);
	free(p->ret);
	p->date = date;
	p->sym = sym;
	p->pred = pred;
	p->ret = ret;
	/* The names now belong to the panel, in sorted order. */
	p->syms = sorted;
	p->nsym = gm->n;
	free(gm->label);
	gm->label = NULL;
	gm->n = 0;
	free(rank);
	free(order);
	return rc;
}

/* Room for twice the rows in each of the panel's arrays, or for want
 * rows if that is more. */
static void
panel_grow(struct pp_panel *p, size_t *cap, size_t want)
{
	size_t c = *cap ? 2 * *cap : 4096;

	c = want > c ? want : c;
	if (p->n == 0) {
		/* Nothing to keep: fresh blocks, on huge-page boundaries. */
		free(p->date);
		free(p->sym);
		free(p->pred);
		free(p->ret);
		p->date = pp_xmalloc_huge(c * sizeof(*p->date));
		p->sym = pp_xmalloc_huge(c * sizeof(*p->sym));
		p->pred = pp_xmalloc_huge(c * sizeof(*p->pred));
		p->ret = pp_xmalloc_huge((c * p->nret + 1) *
		    sizeof(*p->ret));
		*cap = c;
		return;
	}
	p->date = pp_xrealloc(p->date, c * sizeof(*p->date));
	p->sym = pp_xrealloc(p->sym, c * sizeof(*p->sym));
	p->pred = pp_xrealloc(p->pred, c * sizeof(*p->pred));
	p->ret = pp_xrealloc(p->ret, (c * p->nret + 1) * sizeof(*p->ret));
	pp_huge_pages(p->date, c * sizeof(*p->date));
	pp_huge_pages(p->sym, c * sizeof(*p->sym));
	pp_huge_pages(p->pred, c * sizeof(*p->pred));
	pp_huge_pages(p->ret, (c * p->nret + 1) * sizeof(*p->ret));
	*cap = c;
}

/* pp_eval_cell, with the usual float64 cell read in place. */
static inline int
panel_num(const struct pp_reader *r, const union pp_cell *row, long c,
    double *v, struct pp_err *err)
{
	if (pp_reader_schema(r)->cols[c].type == PP_T_F64) {
		*v = row[c].f;
		return 0;
	}
	return pp_eval_cell(r, row, c, v, err);
}

int
pp_panel_read(struct pp_panel *p, const char *path, char delim,
    const char *pred, const char *const *rets, size_t nret,
    struct pp_err *err)
{
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_reader *r;
	const union pp_cell *row;
	struct gmap gm = { 0 };
	long cp, cs, cd, *cr = pp_xcalloc(nret + 3, sizeof(long));
	size_t cap = 0, k, last = SIZE_MAX;
	int rc = -1, st;

	memset(p, 0, sizeof(*p));
	p->nret = nret;
	ro.delim = delim;
	if ((r = pp_reader_open(path, &ro, err)) == NULL)
		goto out;
	pred = default_col(r, pred, PP_META_PRED_COLUMN, "prediction",
	    "--pred COL", err);
	if ((cp = pp_eval_num_col(r, pred, err)) < 0)
		goto out;
	for (k = 0; k < nret; k++)
		if ((cr[k] = pp_eval_num_col(r, rets[k], err)) < 0)
			goto out;
	cs = pp_schema_find(pp_reader_schema(r), "symbol");
	if (cs >= 0 && pp_reader_schema(r)->cols[cs].type != PP_T_TEXT)
		cs = -1;
	cd = pp_schema_find(pp_reader_schema(r), "date");
	if (cd >= 0) {
		enum pp_type t = pp_reader_schema(r)->cols[cd].type;

		if (t != PP_T_DATE && t != PP_T_DATETIME) {
			pp_err_set(err, PP_EXIT_DATA, "%s: column \"date\" is "
			    "%s, not dates", pp_reader_name(r),
			    pp_type_name(t));
			goto out;
		}
		p->date_kind = t == PP_T_DATE ? 1 : 2;
	}
	cr[nret] = cp;
	cr[nret + 1] = cs;
	cr[nret + 2] = cd;
	pp_reader_only(r, cr, nret + 3);
	if (cs < 0)
		gmap_id(&gm, "", 0);
	panel_grow(p, &cap, rows_guess(path));
	while ((st = pp_reader_next(r, &row, err)) == 1) {
		size_t i = p->n;

		if (i == cap)
			panel_grow(p, &cap, 0);
		if (panel_num(r, row, cp, &p->pred[i], err) == -1)
			goto out;
		for (k = 0; k < nret; k++)
			if (panel_num(r, row, cr[k], &p->ret[i * nret + k],
			    err) == -1)
				goto out;
		if (cd >= 0) {
			p->date[i] = row[cd].i;
			if (p->date[i] == PP_I64_MISSING) {
				pp_err_set(err, PP_EXIT_DATA, "%s:%ld: column "
				    "\"date\": missing", pp_reader_name(r),
				    pp_reader_line(r));
				goto out;
			}
		} else {
			p->date[i] = (int64_t)i + 1;
		}
		p->sym[i] = cs < 0 ? 0 : (uint32_t)gmap_id_again(&gm,
		    row[cs].s.p, row[cs].s.len, &last);
		p->n++;
	}
	if (st == -1)
		goto out;
	if (p->n < 2) {
		pp_err_set(err, PP_EXIT_DATA, "%s: %zu row%s: need at least 2",
		    pp_reader_name(r), p->n, p->n == 1 ? "" : "s");
		goto out;
	}
	rc = panel_sort(p, &gm, pp_reader_name(r), err);
out:
	if (rc == -1) {
		if (p->syms == NULL) {
			/* Not yet handed over: the map still owns its names. */
			p->nsym = 0;
		}
		pp_panel_release(p);
	}
	gmap_release(&gm);
	pp_reader_free(r);
	free(cr);
	return rc;
}
