/*
 * predictor.c - a model bound to a schema by feature name; rows and blocks
 * scored through pp_model_predict.  The missing-value rule (NaN or
 * infinite) lives here and in pp_model_eta, nowhere else.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "predictor.h"
#include "util.h"
#include "banned.h"

/* Name at most this many missing features in one message; the rest are
 * counted, so a frame of the wrong kind gives a short line. */
#define MAX_NAMED 8

int
pp_predictor_missing(double v)
{
	return !isfinite(v);
}

int
pp_predictor_init(struct pp_predictor *p, const struct pp_model *m,
    int proba, struct pp_err *err)
{
	struct pp_predictor z = PP_PREDICTOR_INIT;

	*p = z;
	if (proba && !pp_model_has_proba(m))
		return pp_err_set(err, PP_EXIT_USAGE, "--proba: a %s model "
		    "has no probabilities", pp_model_kind_name(m->kind));
	p->model = m;
	p->proba = proba;
	p->col = pp_xcalloc(m->nfeat + 1, sizeof(*p->col));
	p->type = pp_xcalloc(m->nfeat + 1, sizeof(*p->type));
	p->x = pp_xcalloc(m->nfeat + 1, sizeof(*p->x));
	return 0;
}

void
pp_predictor_release(struct pp_predictor *p)
{
	struct pp_predictor z = PP_PREDICTOR_INIT;

	free(p->col);
	free(p->type);
	free(p->x);
	*p = z;
}

int
pp_predictor_bind(struct pp_predictor *p, const struct pp_schema *s,
    struct pp_err *err)
{
	const struct pp_model *m = p->model;
	struct pp_buf names = PP_BUF_INIT;
	size_t j, nmissing = 0;
	long k;

	p->bound = 0;
	for (j = 0; j < m->nfeat; j++) {
		if ((k = pp_schema_find(s, m->features[j])) >= 0) {
			p->col[j] = (size_t)k;
			p->type[j] = s->cols[k].type;
			continue;
		}
		if (nmissing++ < MAX_NAMED)
			pp_buf_addf(&names, "%s\"%s\"", nmissing > 1 ? ", " :
			    "", m->features[j]);
	}
	if (nmissing > MAX_NAMED)
		pp_buf_addf(&names, " and %zu more", nmissing - MAX_NAMED);
	if (nmissing > 0) {
		pp_err_set(err, PP_EXIT_DATA, "missing feature%s %s",
		    nmissing > 1 ? "s" : "", names.data);
		pp_buf_release(&names);
		return -1;
	}
	pp_buf_release(&names);
	for (j = 0; j < m->nfeat; j++)
		if (p->type[j] != PP_T_F64 && p->type[j] != PP_T_I64)
			return pp_err_set(err, PP_EXIT_DATA, "feature \"%s\" "
			    "is %s, not a number", m->features[j],
			    pp_type_name(p->type[j]));
	p->bound = 1;
	return 0;
}

int
pp_predictor_row(struct pp_predictor *p, const union pp_cell *row,
    int strict, double *out, struct pp_err *err)
{
	const struct pp_model *m = p->model;
	size_t j;

	for (j = 0; j < m->nfeat; j++) {
		p->x[j] = pp_cell_num(p->type[j], &row[p->col[j]]);
		if (strict && pp_predictor_missing(p->x[j]))
			return pp_err_set(err, PP_EXIT_DATA, "feature \"%s\": "
			    "missing value", m->features[j]);
	}
	*out = pp_model_predict(m, p->x, p->proba);
	return 0;
}

int
pp_predictor_gather(const struct pp_predictor *p, const union pp_cell *row,
    int strict, double *x, struct pp_err *err)
{
	const struct pp_model *m = p->model;
	size_t j;

	for (j = 0; j < m->nfeat; j++) {
		x[j] = pp_cell_num(p->type[j], &row[p->col[j]]);
		if (strict && pp_predictor_missing(x[j]))
			return pp_err_set(err, PP_EXIT_DATA, "feature \"%s\": "
			    "missing value", m->features[j]);
	}
	return 0;
}

double
pp_predictor_values(const struct pp_predictor *p, const double *x)
{
	return pp_model_predict(p->model, x, p->proba);
}

void
pp_predictor_block(const struct pp_predictor *p, const double *x, size_t n,
    double *out)
{
	pp_model_predict_block(p->model, x, n, p->proba, out);
}

/* Column k's value of row i, as the cell pp_reader_next gives. */
static double
col_value(const struct pp_predictor *p, const unsigned char *const *col,
    size_t j, size_t i)
{
	union pp_cell c;

	memcpy(&c, col[p->col[j]] + 8 * i, 8);
	return pp_cell_num(p->type[j], &c);
}

/*
 * A linear model's eta for rows from..from+n, feature by feature: each
 * row's sum is pp_model_eta's, term by term in the same order, and a row
 * with a missing value (miss) is NaN, as there.
 */
static void
eta_cols(const struct pp_predictor *p, const unsigned char *const *col,
    size_t from, size_t n, double *out, unsigned char *miss)
{
	const struct pp_model *m = p->model;
	size_t i, j;

	for (i = 0; i < n; i++) {
		out[i] = m->intercept;
		miss[i] = 0;
	}
	for (j = 0; j < m->nfeat; j++) {
		const unsigned char *v = col[p->col[j]] + 8 * from;
		double c = m->coef[j], mu = m->mean[j], s = m->scale[j], x;

		if (p->type[j] != PP_T_F64) {
			for (i = 0; i < n; i++) {
				x = col_value(p, col, j, from + i);
				miss[i] |= !isfinite(x);
				out[i] += c * ((x - mu) / s);
			}
			continue;
		}
		for (i = 0; i < n; i++) {
			memcpy(&x, v + 8 * i, 8);
			miss[i] |= !isfinite(x);
			out[i] += c * ((x - mu) / s);
		}
	}
	for (i = 0; i < n; i++)
		if (miss[i])
			out[i] = NAN;
}

int
pp_predictor_cols(struct pp_predictor *p, const unsigned char *const *col,
    size_t from, size_t n, int strict, double *out, size_t *done,
    struct pp_err *err)
{
	const struct pp_model *m = p->model;
	unsigned char *miss = NULL;
	size_t i, j;
	int linear = m->kind != PP_MODEL_GBDT && m->kind != PP_MODEL_LOGISTIC;

	*done = n;
	if (linear) {
		miss = pp_xmalloc(n + 1);
		eta_cols(p, col, from, n, out, miss);
		for (i = 0; strict && i < n && !miss[i]; i++)
			continue;
		free(miss);
		if (!strict || i == n)
			return 0;
		*done = i;
		for (j = 0; j < m->nfeat; j++)
			if (pp_predictor_missing(col_value(p, col, j, from + i)))
				break;
		return pp_err_set(err, PP_EXIT_DATA, "feature \"%s\": "
		    "missing value", m->features[j]);
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < m->nfeat; j++) {
			p->x[j] = col_value(p, col, j, from + i);
			if (strict && pp_predictor_missing(p->x[j])) {
				*done = i;
				return pp_err_set(err, PP_EXIT_DATA, "feature "
				    "\"%s\": missing value", m->features[j]);
			}
		}
		out[i] = pp_model_predict(m, p->x, p->proba);
	}
	return 0;
}
