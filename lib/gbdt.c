/*
 * gbdt.c - XGBoost's C API behind lib/gbdt.h: DMatrix and booster
 * lifetimes, parameters as strings, early stopping, in-place prediction,
 * contributions and importance, and XGBoost's errors as struct pp_err.
 *
 * Early stopping is done here, round by round, rather than with XGBoost's
 * Python callback, with that callback's rule so both agree on the best
 * round: the metric is parsed from XGBoosterEvalOneIter's text (the same
 * six significant digits Python parses), a round is better only when its
 * score is strictly lower, and boosting stops once early_stopping rounds
 * in a row were not better.  The model then keeps rounds 0..best
 * (XGBoosterSlice), so prediction needs no iteration range.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "gbdt.h"
#include "num.h"
#include "util.h"
#include "banned.h"

struct pp_gbdt {
	BoosterHandle h;
};

/* XGBoost's last error, first line only (later lines are its stack
 * trace), without its "[08:16:08] src/file.cc:81: " prefix. */
static int
xgb_fail(struct pp_err *err, const char *what)
{
	const char *m = XGBGetLastError(), *e, *s;

	if (m == NULL || *m == '\0')
		m = "unknown error";
	e = strchr(m, '\n');
	if (e == NULL)
		e = m + strlen(m);
	if (m[0] == '[' && (s = strstr(m, "] ")) != NULL && s < e) {
		m = s + 2;
		if ((s = strstr(m, ": ")) != NULL && s < e &&
		    memchr(m, ' ', (size_t)(s - m)) == NULL)
			m = s + 2;
	}
	return pp_err_set(err, PP_EXIT_DATA, "xgboost: %s: %.*s", what,
	    (int)(e - m), m);
}

/* Quiet XGBoost once: its warnings would go to stdout with a time
 * stamp, in the middle of a frame or a model on stdout. */
static void
quiet(void)
{
	static int done;

	if (!done) {
		(void)XGBSetGlobalConfig("{\"verbosity\":0}");
		done = 1;
	}
}

const char *
pp_gbdt_version(void)
{
	static char v[32];
	int maj, min, pat;

	XGBoostVersion(&maj, &min, &pat);
	snprintf(v, sizeof(v), "%d.%d.%d", maj, min, pat);
	return v;
}

int
pp_gbdt_objective_binary(const char *objective)
{
	return strncmp(objective, "binary:", 7) == 0;
}

static int
set_num(BoosterHandle h, const char *k, double v, struct pp_err *err)
{
	char s[PP_DBL_BUFSZ];

	pp_fmt_double(s, v);
	if (XGBoosterSetParam(h, k, s) != 0)
		return xgb_fail(err, k);
	return 0;
}

static int
set_params(BoosterHandle h, const struct pp_gbdt_params *gp,
    const char *objective, struct pp_err *err)
{
	if (XGBoosterSetParam(h, "tree_method", "hist") != 0)
		return xgb_fail(err, "tree_method");
	if (XGBoosterSetParam(h, "objective", objective) != 0)
		return xgb_fail(err, "objective");
	if (set_num(h, "eta", gp->learning_rate, err) == -1 ||
	    set_num(h, "max_depth", (double)gp->max_depth, err) == -1 ||
	    set_num(h, "min_child_weight", gp->min_child_weight, err) == -1 ||
	    set_num(h, "subsample", gp->subsample, err) == -1 ||
	    set_num(h, "colsample_bytree", gp->colsample_bytree, err) == -1 ||
	    set_num(h, "lambda", gp->lambda, err) == -1 ||
	    set_num(h, "alpha", gp->alpha, err) == -1 ||
	    set_num(h, "gamma", gp->gamma, err) == -1 ||
	    set_num(h, "seed", (double)gp->seed, err) == -1 ||
	    set_num(h, "nthread", (double)gp->threads, err) == -1)
		return -1;
	return 0;
}

static int
dmatrix(const float *X, const float *y, size_t n, size_t p, long threads,
    DMatrixHandle *d, struct pp_err *err)
{
	if (XGDMatrixCreateFromMat_omp(X, (bst_ulong)n, (bst_ulong)p, NAN, d,
	    (int)threads) != 0)
		return xgb_fail(err, "rows");
	if (y != NULL && XGDMatrixSetFloatInfo(*d, "label", y,
	    (bst_ulong)n) != 0) {
		XGDMatrixFree(*d);
		*d = NULL;
		return xgb_fail(err, "labels");
	}
	return 0;
}

/*
 * The training rows as XGBoost's quantile DMatrix: it reads our float32
 * block through a proxy once and keeps only its histogram index (a byte
 * per cell), where a plain DMatrix keeps a copy of every value as well
 * (8 bytes per cell: 120 MB for 1.26M rows of 12 features).  The trees are
 * the same: hist bins the values either way.
 */
struct qiter {
	DMatrixHandle proxy;
	const float *X, *y;
	size_t n, p;
	int done;		/* the one batch was handed over */
	char ai[160];
};

static void array_interface(char *s, size_t cap, const float *X, size_t n,
    size_t p);

static int
qiter_next(DataIterHandle h)
{
	struct qiter *q = h;

	if (q->done)
		return 0;
	array_interface(q->ai, sizeof(q->ai), q->X, q->n, q->p);
	if (XGProxyDMatrixSetDataDense(q->proxy, q->ai) != 0 ||
	    XGDMatrixSetFloatInfo(q->proxy, "label", q->y, (bst_ulong)q->n)
	    != 0)
		return 0;
	q->done = 1;
	return 1;
}

static void
qiter_reset(DataIterHandle h)
{
	((struct qiter *)h)->done = 0;
}

static int
qdmatrix(const float *X, const float *y, size_t n, size_t p, long threads,
    DMatrixHandle *d, struct pp_err *err)
{
	struct qiter q;
	char cfg[96];
	int rc = 0;

	memset(&q, 0, sizeof(q));
	q.X = X;
	q.y = y;
	q.n = n;
	q.p = p;
	if (XGProxyDMatrixCreate(&q.proxy) != 0)
		return xgb_fail(err, "rows");
	snprintf(cfg, sizeof(cfg), "{\"missing\":NaN,\"nthread\":%ld}",
	    threads);
	if (XGQuantileDMatrixCreateFromCallback(&q, q.proxy, NULL,
	    qiter_reset, qiter_next, cfg, d) != 0)
		rc = xgb_fail(err, "rows");
	XGDMatrixFree(q.proxy);
	return rc;
}

/* The score in "[3]\tval-rmse:0.123456", or NaN. */
static double
eval_score(const char *s)
{
	const char *c = strrchr(s, ':');
	double v;

	if (c == NULL || pp_parse_double(c + 1, strlen(c + 1), &v) == -1)
		return NAN;
	return v;
}

/* Boost up to n_estimators rounds; with a validation set, stop early. */
static int
boost(BoosterHandle h, DMatrixHandle dt, DMatrixHandle dv,
    const struct pp_gbdt_params *gp, long *best, struct pp_err *err)
{
	const char *names[] = { "val" };
	double best_score = INFINITY;
	long it, since = 0;

	*best = gp->n_estimators - 1;
	for (it = 0; it < gp->n_estimators; it++) {
		const char *out;
		double sc;

		if (XGBoosterUpdateOneIter(h, (int)it, dt) != 0)
			return xgb_fail(err, "boosting");
		if (dv == NULL)
			continue;
		if (XGBoosterEvalOneIter(h, (int)it, &dv, names, 1, &out) != 0)
			return xgb_fail(err, "evaluating");
		sc = eval_score(out);
		if (it == 0 || sc < best_score) {
			best_score = sc;
			*best = it;
			since = 0;
		} else if (++since >= gp->early_stopping) {
			break;
		}
	}
	return 0;
}

struct pp_gbdt *
pp_gbdt_fit(const struct pp_gbdt_params *gp, const char *objective,
    const float *X, const float *y, size_t n, size_t p, const float *Xv,
    const float *yv, size_t nv, long *best, struct pp_err *err)
{
	DMatrixHandle dt = NULL, dv = NULL, mats[2];
	BoosterHandle h = NULL, cut = NULL;
	struct pp_gbdt *g = NULL;
	int stop = gp->early_stopping > 0 && Xv != NULL && nv > 0, rounds;

	quiet();
	if (qdmatrix(X, y, n, p, gp->threads, &dt, err) == -1 ||
	    (stop && dmatrix(Xv, yv, nv, p, gp->threads, &dv, err) == -1))
		goto out;
	mats[0] = dt;
	mats[1] = dv;
	if (XGBoosterCreate(mats, stop ? 2 : 1, &h) != 0) {
		xgb_fail(err, "booster");
		goto out;
	}
	if (set_params(h, gp, objective, err) == -1 ||
	    boost(h, dt, stop ? dv : NULL, gp, best, err) == -1)
		goto out;
	if (stop && XGBoosterBoostedRounds(h, &rounds) == 0 &&
	    *best + 1 < rounds) {
		if (XGBoosterSlice(h, 0, (int)*best + 1, 1, &cut) != 0) {
			xgb_fail(err, "keeping the best round");
			goto out;
		}
		XGBoosterFree(h);
		h = cut;
	}
	g = pp_xcalloc(1, sizeof(*g));
	g->h = h;
	h = NULL;
out:
	if (h != NULL)
		XGBoosterFree(h);
	if (dt != NULL)
		XGDMatrixFree(dt);
	if (dv != NULL)
		XGDMatrixFree(dv);
	return g;
}

int
pp_gbdt_save(struct pp_gbdt *g, struct pp_buf *out, struct pp_err *err)
{
	const char *p;
	bst_ulong n;

	if (XGBoosterSaveModelToBuffer(g->h, "{\"format\":\"ubj\"}", &n,
	    &p) != 0)
		return xgb_fail(err, "saving the model");
	pp_buf_add(out, p, (size_t)n);
	return 0;
}

struct pp_gbdt *
pp_gbdt_load(const void *p, size_t n, size_t nfeat, struct pp_err *err)
{
	struct pp_gbdt *g = pp_xcalloc(1, sizeof(*g));
	bst_ulong nf = 0;
	float *x;
	double y;

	quiet();
	if (XGBoosterCreate(NULL, 0, &g->h) != 0) {
		xgb_fail(err, "booster");
		free(g);
		return NULL;
	}
	if (XGBoosterLoadModelFromBuffer(g->h, p, (bst_ulong)n) != 0) {
		xgb_fail(err, "loading the model");
		goto fail;
	}
	if (XGBoosterGetNumFeature(g->h, &nf) != 0) {
		xgb_fail(err, "loading the model");
		goto fail;
	}
	if (nf != nfeat) {
		pp_err_set(err, PP_EXIT_DATA, "xgboost model takes %llu "
		    "features, not %zu", (unsigned long long)nf, nfeat);
		goto fail;
	}
	/* One thread per prediction: pp-predict's CSV writer has the other
	 * core, and pp-serve's requests are parallel already; OpenMP's
	 * team of two spins in barriers on a loaded machine (measured: 200k
	 * rows, 300 trees: 1.40 CPU s on two threads, 0.76 s on one). */
	if (XGBoosterSetParam(g->h, "nthread", "1") != 0) {
		xgb_fail(err, "nthread");
		goto fail;
	}
	/* One prediction now configures the booster, which XGBoost would
	 * otherwise do lazily inside the first (maybe concurrent) call. */
	x = pp_xcalloc(nfeat + 1, sizeof(float));
	if (pp_gbdt_predict(g, x, 1, nfeat, 0, &y, err) == -1) {
		free(x);
		goto fail;
	}
	free(x);
	return g;
fail:
	pp_gbdt_free(g);
	return NULL;
}

int
pp_gbdt_set_threads(struct pp_gbdt *g, int n, struct pp_err *err)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", n < 1 ? 1 : n);
	if (XGBoosterSetParam(g->h, "nthread", v) != 0)
		return xgb_fail(err, "nthread");
	return 0;
}

void
pp_gbdt_free(struct pp_gbdt *g)
{
	if (g == NULL)
		return;
	if (g->h != NULL)
		XGBoosterFree(g->h);
	free(g);
}

/* numpy's __array_interface__ of a float32 block, as XGBoost reads it. */
static void
array_interface(char *s, size_t cap, const float *X, size_t n, size_t p)
{
	snprintf(s, cap, "{\"data\":[%llu,true],\"shape\":[%zu,%zu],"
	    "\"typestr\":\"<f4\",\"version\":3}",
	    (unsigned long long)(uintptr_t)X, n, p);
}

int
pp_gbdt_predict(struct pp_gbdt *g, const float *X, size_t n, size_t p,
    int margin, double *out, struct pp_err *err)
{
	char ai[160], cfg[160];
	const bst_ulong *shape;
	bst_ulong dim;
	const float *res;
	size_t i;

	if (n == 0)
		return 0;
	array_interface(ai, sizeof(ai), X, n, p);
	snprintf(cfg, sizeof(cfg), "{\"type\":%d,\"training\":false,"
	    "\"iteration_begin\":0,\"iteration_end\":0,\"strict_shape\":false,"
	    "\"cache_id\":0,\"missing\":NaN}", margin ? 1 : 0);
	if (XGBoosterPredictFromDense(g->h, ai, cfg, NULL, &shape, &dim,
	    &res) != 0)
		return xgb_fail(err, "predicting");
	for (i = 0; i < n; i++)
		out[i] = res[i];
	return 0;
}

int
pp_gbdt_contribs(struct pp_gbdt *g, const float *X, size_t n, size_t p,
    double *out, struct pp_err *err)
{
	const char *cfg = "{\"type\":2,\"training\":false,"
	    "\"iteration_begin\":0,\"iteration_end\":0,\"strict_shape\":false}";
	const bst_ulong *shape;
	bst_ulong dim;
	DMatrixHandle d;
	const float *res;
	size_t i;
	int rc = 0;

	if (n == 0)
		return 0;
	if (dmatrix(X, NULL, n, p, 1, &d, err) == -1)
		return -1;
	if (XGBoosterPredictFromDMatrix(g->h, d, cfg, &shape, &dim, &res) != 0)
		rc = xgb_fail(err, "contributions");
	else
		for (i = 0; i < n * (p + 1); i++)
			out[i] = res[i];
	XGDMatrixFree(d);
	return rc;
}

/* One importance type into v[0..p): features are named f0, f1, ... */
static int
score(BoosterHandle h, const char *type, size_t p, double *v,
    struct pp_err *err)
{
	char cfg[64];
	const char **names;
	const bst_ulong *shape;
	bst_ulong nf, dim, i;
	const float *sc;
	long j;

	for (i = 0; i < p; i++)
		v[i] = 0;
	snprintf(cfg, sizeof(cfg), "{\"importance_type\":\"%s\"}", type);
	if (XGBoosterFeatureScore(h, cfg, &nf, &names, &dim, &shape, &sc) != 0)
		return xgb_fail(err, "importance");
	for (i = 0; i < nf; i++)
		if (names[i][0] == 'f' && pp_parse_long(names[i] + 1, 0,
		    (long)p - 1, &j) == 0)
			v[j] = sc[i];
	return 0;
}

int
pp_gbdt_importance(struct pp_gbdt *g, size_t p, double *gain, double *cover,
    double *weight, struct pp_err *err)
{
	if (score(g->h, "gain", p, gain, err) == -1 ||
	    score(g->h, "cover", p, cover, err) == -1 ||
	    score(g->h, "weight", p, weight, err) == -1)
		return -1;
	return 0;
}

long
pp_gbdt_rounds(struct pp_gbdt *g)
{
	int r = 0;

	if (XGBoosterBoostedRounds(g->h, &r) != 0)
		return 0;
	return r;
}
