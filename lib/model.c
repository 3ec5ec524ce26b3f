/*
 * model.c - models in memory, their artifact bytes and their description.
 *
 * The artifact (man/pp-model.5) is a 36-byte header and a zlib body:
 *
 *     0  8  magic "PPMODEL\0"
 *     8  4  format version (2, or 3 for gbdt; 1 is read too)
 *    12  4  flags, 0
 *    16  8  body length before compression
 *    24  8  body length after compression (bytes that follow the header)
 *    32  4  CRC-32 of the uncompressed body
 *
 * The body is a flat record of fixed fields, length-prefixed strings and
 * float64s (see encode_body), so a reader needs nothing beyond zlib.  The
 * lengths in the header let a truncated file be told from a corrupt one
 * before inflating; the CRC catches a flipped bit that zlib's own Adler-32
 * would also catch, but names the problem plainly.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cpus.h"
#include "gbdt.h"
#include "model.h"
#include "registry.h"
#include "num.h"
#include "util.h"
#include "banned.h"

static const unsigned char magic[8] = { 'P', 'P', 'M', 'O', 'D', 'E', 'L',
	0 };

#define HDR_LEN 36
#define MAX_BODY (1u << 28)	/* refuse bodies above 256 MiB */
#define MAX_FILE (1u << 29)
#define FLAG_STANDARDIZED 1u
#define HORIZON_UNKNOWN 0xffffffffu
#define MAX_ROWS 10000000u	/* warm-up and horizon above this are corrupt */

static const char *const kind_names[] = { NULL, "ols", "ridge", "lasso",
	"elasticnet", "logistic", "gbdt" };

static void gbdt_block(const struct pp_model *m, const double *x, size_t n,
    int margin, double *out);

const char *
pp_model_kind_name(enum pp_model_kind k)
{
	if ((size_t)k < PP_ARRAY_SIZE(kind_names) && kind_names[k] != NULL)
		return kind_names[k];
	return "?";
}

int
pp_model_kind_parse(const char *name, enum pp_model_kind *k)
{
	size_t i;

	for (i = 1; i < PP_ARRAY_SIZE(kind_names); i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*k = (enum pp_model_kind)i;
			return 0;
		}
	return -1;
}

struct pp_model *
pp_model_new(enum pp_model_kind kind, const char *target, size_t nfeat,
    const char *const *names)
{
	struct pp_model *m = pp_xcalloc(1, sizeof(*m));
	size_t j;

	m->kind = kind;
	m->target_kind = kind == PP_MODEL_LOGISTIC ? PP_TARGET_BINARY :
	    PP_TARGET_REAL;
	m->target = pp_xstrdup(target);
	m->horizon = -1;
	m->nfeat = nfeat;
	m->features = pp_xcalloc(nfeat + 1, sizeof(*m->features));
	m->mean = pp_xcalloc(nfeat + 1, sizeof(double));
	m->scale = pp_xcalloc(nfeat + 1, sizeof(double));
	m->coef = pp_xcalloc(nfeat + 1, sizeof(double));
	for (j = 0; j < nfeat; j++) {
		m->features[j] = pp_xstrdup(names[j]);
		m->scale[j] = 1;
	}
	return m;
}

void
pp_model_free(struct pp_model *m)
{
	size_t j;

	if (m == NULL)
		return;
	for (j = 0; j < m->nfeat; j++)
		free(m->features[j]);
	for (j = 0; j < m->nmeta; j++) {
		free(m->meta_key[j]);
		free(m->meta_val[j]);
	}
	free(m->features);
	free(m->mean);
	free(m->scale);
	free(m->coef);
	free(m->meta_key);
	free(m->meta_val);
	free(m->target);
	free(m->spec);
	free(m->inputs);
	free(m->objective);
	free(m->xgb);
	pp_gbdt_free(m->gbdt);
	free(m);
}

void
pp_model_meta_set(struct pp_model *m, const char *key, const char *value)
{
	size_t j;

	for (j = 0; j < m->nmeta; j++)
		if (strcmp(m->meta_key[j], key) == 0) {
			free(m->meta_val[j]);
			m->meta_val[j] = pp_xstrdup(value);
			return;
		}
	m->meta_key = pp_xrealloc(m->meta_key, (m->nmeta + 1) *
	    sizeof(*m->meta_key));
	m->meta_val = pp_xrealloc(m->meta_val, (m->nmeta + 1) *
	    sizeof(*m->meta_val));
	m->meta_key[m->nmeta] = pp_xstrdup(key);
	m->meta_val[m->nmeta] = pp_xstrdup(value);
	m->nmeta++;
}

const char *
pp_model_meta_get(const struct pp_model *m, const char *key)
{
	size_t j;

	for (j = 0; j < m->nmeta; j++)
		if (strcmp(m->meta_key[j], key) == 0)
			return m->meta_val[j];
	return NULL;
}

double
pp_model_eta(const struct pp_model *m, const double *x)
{
	double eta = m->intercept;
	size_t j;

	if (m->kind == PP_MODEL_GBDT) {
		gbdt_block(m, x, 1, 1, &eta);
		return eta;
	}
	for (j = 0; j < m->nfeat; j++) {
		if (!isfinite(x[j]))
			return NAN;
		eta += m->coef[j] * ((x[j] - m->mean[j]) / m->scale[j]);
	}
	return eta;
}

int
pp_model_has_proba(const struct pp_model *m)
{
	return m->kind == PP_MODEL_LOGISTIC || (m->kind == PP_MODEL_GBDT &&
	    m->target_kind == PP_TARGET_BINARY);
}

/*
 * Rows through the booster, GBDT_BLOCK at a time in float32 (what XGBoost
 * predicts on).  A row with a missing feature predicts NaN, as for a
 * linear model: pp-train never fitted one, so XGBoost's own default
 * branch for missing values was never learned from data.
 */
#define GBDT_BLOCK 4096

static void
gbdt_block(const struct pp_model *m, const double *x, size_t n, int margin,
    double *out)
{
	size_t p = m->nfeat, i, j, at, k, rows = n < GBDT_BLOCK ? n :
	    GBDT_BLOCK;
	/* A request of a few rows (pp-serve) needs no allocation of ours. */
	float sf[256], *f = rows * (p + 1) <= 256 ? sf :
	    pp_xmalloc(rows * (p + 1) * sizeof(float));
	unsigned char sm[64], *miss = rows <= 64 ? sm : pp_xmalloc(rows);
	struct pp_err err = PP_ERR_INIT;

	for (at = 0; at < n; at += k) {
		k = n - at < GBDT_BLOCK ? n - at : GBDT_BLOCK;
		for (i = 0; i < k; i++) {
			miss[i] = 0;
			for (j = 0; j < p; j++) {
				double v = x[(at + i) * p + j];

				miss[i] |= !isfinite(v);
				f[i * p + j] = (float)v;
			}
		}
		/* A loaded booster predicts blocks of its own width; a
		 * failure here would be XGBoost's bug, and reads as NaN. */
		if (pp_gbdt_predict(m->gbdt, f, k, p, margin, out + at,
		    &err) == -1)
			miss[0] = 2;
		for (i = 0; i < k; i++)
			if (miss[i] || miss[0] == 2)
				out[at + i] = NAN;
	}
	if (f != sf)
		free(f);
	if (miss != sm)
		free(miss);
}

int
pp_model_set_threads(struct pp_model *m, int n, struct pp_err *err)
{
	int ncpu = pp_cpus_available();

	if (m->kind != PP_MODEL_GBDT || m->gbdt == NULL)
		return 0;
	if (n == 0)
		n = ncpu > 64 ? 64 : ncpu;
	return pp_gbdt_set_threads(m->gbdt, n, err);
}

static double
finish(const struct pp_model *m, double v, int proba)
{
	if (!pp_model_has_proba(m) || isnan(v) || proba)
		return v;
	return v > 0.5 ? 1 : 0;
}

double
pp_model_predict(const struct pp_model *m, const double *x, int proba)
{
	double eta, p;

	if (m->kind == PP_MODEL_GBDT) {
		gbdt_block(m, x, 1, 0, &p);
		return finish(m, p, proba);
	}
	eta = pp_model_eta(m, x);
	if (m->kind != PP_MODEL_LOGISTIC || isnan(eta))
		return eta;
	p = eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta));
	return finish(m, p, proba);
}

void
pp_model_predict_block(const struct pp_model *m, const double *x, size_t n,
    int proba, double *out)
{
	size_t i;

	if (m->kind != PP_MODEL_GBDT) {
		for (i = 0; i < n; i++)
			out[i] = pp_model_predict(m, x + i * m->nfeat, proba);
		return;
	}
	gbdt_block(m, x, n, 0, out);
	for (i = 0; i < n; i++)
		out[i] = finish(m, out[i], proba);
}

int
pp_model_contribs(const struct pp_model *m, const double *x, size_t n,
    double *out, struct pp_err *err)
{
	size_t p = m->nfeat, i, j;
	float *f;
	int rc;

	if (m->kind != PP_MODEL_GBDT)
		return pp_err_set(err, PP_EXIT_USAGE, "--pred-contribs: a %s "
		    "model has no contributions (gbdt has)",
		    pp_model_kind_name(m->kind));
	f = pp_xmalloc((n * p + 1) * sizeof(float));
	for (i = 0; i < n * p; i++)
		f[i] = (float)x[i];
	rc = pp_gbdt_contribs(m->gbdt, f, n, p, out, err);
	for (i = 0; i < n && rc == 0; i++)
		for (j = 0; j < p; j++)
			if (!isfinite(x[i * p + j])) {
				for (j = 0; j <= p; j++)
					out[i * (p + 1) + j] = NAN;
				break;
			}
	free(f);
	return rc;
}

/* Little-endian integers and doubles in and out of byte arrays. */
static void
put_u32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put_u64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static void
add_u32(struct pp_buf *b, uint32_t v)
{
	unsigned char p[4];

	put_u32(p, v);
	pp_buf_add(b, p, 4);
}

static void
add_f64(struct pp_buf *b, double x)
{
	unsigned char p[8];
	uint64_t v;

	memcpy(&v, &x, 8);
	put_u64(p, v);
	pp_buf_add(b, p, 8);
}

static void
add_str(struct pp_buf *b, const char *s)
{
	size_t n = strlen(s);

	add_u32(b, (uint32_t)n);
	pp_buf_add(b, s, n);
}

/*
 * The body, field by field (man/pp-model.5): kind, target kind, flags,
 * target name, alpha, l1_ratio, C, intercept, the feature count, then per
 * feature its name, mean, scale and coefficient, then the metadata count
 * and the key/value pairs, then (version 2) the recipe: spec, inputs,
 * warm-up and horizon.  A string is a u32 byte count and UTF-8 bytes.
 */
static void
encode_body(const struct pp_model *m, struct pp_buf *b)
{
	size_t j;

	add_u32(b, (uint32_t)m->kind);
	add_u32(b, (uint32_t)m->target_kind);
	add_u32(b, m->standardized ? FLAG_STANDARDIZED : 0);
	add_str(b, m->target);
	add_f64(b, m->alpha);
	add_f64(b, m->l1_ratio);
	add_f64(b, m->C);
	add_f64(b, m->intercept);
	add_u32(b, (uint32_t)m->nfeat);
	for (j = 0; j < m->nfeat; j++) {
		add_str(b, m->features[j]);
		add_f64(b, m->mean[j]);
		add_f64(b, m->scale[j]);
		add_f64(b, m->coef[j]);
	}
	add_u32(b, (uint32_t)m->nmeta);
	for (j = 0; j < m->nmeta; j++) {
		add_str(b, m->meta_key[j]);
		add_str(b, m->meta_val[j]);
	}
	add_str(b, m->spec ? m->spec : "");
	add_str(b, m->inputs ? m->inputs : "");
	add_u32(b, (uint32_t)m->warmup);
	add_u32(b, m->horizon < 0 ? HORIZON_UNKNOWN : (uint32_t)m->horizon);
	if (m->kind != PP_MODEL_GBDT)
		return;
	add_str(b, m->objective ? m->objective : "");
	add_u32(b, (uint32_t)m->xgb_len);
	pp_buf_add(b, m->xgb, m->xgb_len);
}

void
pp_model_encode(const struct pp_model *m, struct pp_buf *out)
{
	struct pp_buf body = PP_BUF_INIT;
	unsigned char hdr[HDR_LEN];
	uLongf zlen;
	size_t at;

	encode_body(m, &body);
	zlen = compressBound((uLong)body.len);
	memcpy(hdr, magic, 8);
	put_u32(hdr + 8, m->kind == PP_MODEL_GBDT ? 3 : 2);
	put_u32(hdr + 12, 0);
	put_u64(hdr + 16, body.len);
	put_u32(hdr + 32, (uint32_t)crc32(0, (const Bytef *)body.data,
	    (uInt)body.len));
	at = out->len;
	pp_buf_grow(out, HDR_LEN + zlen);
	/* compress2 fails only for lack of memory or a short buffer, and
	 * compressBound rules out the second. */
	if (compress2((Bytef *)out->data + at + HDR_LEN, &zlen,
	    (const Bytef *)body.data, (uLong)body.len, 9) != Z_OK)
		pp_oom(body.len);
	put_u64(hdr + 24, zlen);
	memcpy(out->data + at, hdr, HDR_LEN);
	pp_buf_setlen(out, at + HDR_LEN + zlen);
	pp_buf_release(&body);
}

/* A cursor over the body being decoded. */
struct cur {
	const unsigned char *p;
	size_t n, at;
	const char *name;
	struct pp_err *err;
};

static int
need(struct cur *c, size_t k, const char *what)
{
	if (c->n - c->at < k)
		return pp_err_set(c->err, PP_EXIT_DATA, "%s: corrupt body: "
		    "ends inside %s at byte %zu", c->name, what, c->at);
	return 0;
}

static int
get_u32c(struct cur *c, const char *what, uint32_t *v)
{
	if (need(c, 4, what) == -1)
		return -1;
	*v = get_u32(c->p + c->at);
	c->at += 4;
	return 0;
}

static int
get_f64c(struct cur *c, const char *what, double *x)
{
	uint64_t v;

	if (need(c, 8, what) == -1)
		return -1;
	v = get_u64(c->p + c->at);
	memcpy(x, &v, 8);
	c->at += 8;
	return 0;
}

static int
get_strc(struct cur *c, const char *what, char **s)
{
	uint32_t n;

	if (get_u32c(c, what, &n) == -1 || need(c, n, what) == -1)
		return -1;
	if (!pp_utf8_valid((const char *)c->p + c->at, n, NULL) ||
	    memchr(c->p + c->at, 0, n) != NULL)
		return pp_err_set(c->err, PP_EXIT_DATA, "%s: corrupt body: "
		    "%s is not UTF-8 text", c->name, what);
	*s = pp_xstrndup((const char *)c->p + c->at, n);
	c->at += n;
	return 0;
}

static int
bad(struct cur *c, const char *what)
{
	return pp_err_set(c->err, PP_EXIT_DATA, "%s: corrupt body: %s",
	    c->name, what);
}

/* The recipe of a version 2 body. */
static int
decode_recipe(struct cur *c, struct pp_model *m)
{
	uint32_t warmup, horizon;

	if (get_strc(c, "spec", &m->spec) == -1 ||
	    get_strc(c, "inputs", &m->inputs) == -1 ||
	    get_u32c(c, "warm-up", &warmup) == -1 ||
	    get_u32c(c, "horizon", &horizon) == -1)
		return -1;
	if (warmup > MAX_ROWS || (horizon > MAX_ROWS &&
	    horizon != HORIZON_UNKNOWN))
		return bad(c, "warm-up or horizon out of range");
	if (m->spec[0] == '\0') {
		free(m->spec);
		m->spec = NULL;
	}
	if (m->inputs[0] == '\0') {
		free(m->inputs);
		m->inputs = NULL;
	}
	m->warmup = (long)warmup;
	m->horizon = horizon == HORIZON_UNKNOWN ? -1 : (long)horizon;
	return 0;
}

/* The objective and XGBoost's model of a version 3 gbdt body, loaded
 * into a booster: bytes XGBoost refuses are a corrupt model. */
static int
decode_trees(struct cur *c, struct pp_model *m)
{
	uint32_t n;

	if (get_strc(c, "objective", &m->objective) == -1 ||
	    get_u32c(c, "xgboost model length", &n) == -1 ||
	    need(c, n, "xgboost model") == -1)
		return -1;
	if (m->objective[0] == '\0' || n == 0)
		return bad(c, "gbdt without objective or trees");
	m->xgb = pp_xmalloc(n);
	memcpy(m->xgb, c->p + c->at, n);
	m->xgb_len = n;
	c->at += n;
	if ((m->gbdt = pp_gbdt_load(m->xgb, n, m->nfeat, c->err)) == NULL)
		return pp_err_prefix(c->err, "%s: corrupt body", c->name);
	return 0;
}

static struct pp_model *
decode_body(struct cur *c, uint32_t version)
{
	struct pp_model *m = pp_xcalloc(1, sizeof(*m));
	uint32_t kind, tkind, flags, nfeat, nmeta, j, k;

	if (get_u32c(c, "kind", &kind) == -1 ||
	    get_u32c(c, "target kind", &tkind) == -1 ||
	    get_u32c(c, "flags", &flags) == -1)
		goto fail;
	if (kind < PP_MODEL_OLS || kind > PP_MODEL_GBDT ||
	    (kind == PP_MODEL_GBDT && version < 3)) {
		pp_err_set(c->err, PP_EXIT_DATA, "%s: unknown model kind %u",
		    c->name, (unsigned)kind);
		goto fail;
	}
	m->kind = (enum pp_model_kind)kind;
	if (tkind != PP_TARGET_REAL && tkind != PP_TARGET_BINARY) {
		bad(c, "unknown target kind");
		goto fail;
	}
	m->target_kind = (enum pp_target_kind)tkind;
	if ((flags & ~FLAG_STANDARDIZED) != 0) {
		bad(c, "unknown flags");
		goto fail;
	}
	m->standardized = (flags & FLAG_STANDARDIZED) != 0;
	if (get_strc(c, "target name", &m->target) == -1 ||
	    get_f64c(c, "alpha", &m->alpha) == -1 ||
	    get_f64c(c, "l1_ratio", &m->l1_ratio) == -1 ||
	    get_f64c(c, "C", &m->C) == -1 ||
	    get_f64c(c, "intercept", &m->intercept) == -1 ||
	    get_u32c(c, "feature count", &nfeat) == -1)
		goto fail;
	/* Each feature takes at least 28 bytes: refuse a count the body
	 * cannot hold before allocating for it. */
	if (nfeat > (c->n - c->at) / 28) {
		bad(c, "feature count larger than the body");
		goto fail;
	}
	m->features = pp_xcalloc((size_t)nfeat + 1, sizeof(*m->features));
	m->mean = pp_xcalloc((size_t)nfeat + 1, sizeof(double));
	m->scale = pp_xcalloc((size_t)nfeat + 1, sizeof(double));
	m->coef = pp_xcalloc((size_t)nfeat + 1, sizeof(double));
	for (j = 0; j < nfeat; j++) {
		if (get_strc(c, "feature name", &m->features[j]) == -1)
			goto fail;
		m->nfeat = j + 1;
		if (get_f64c(c, "mean", &m->mean[j]) == -1 ||
		    get_f64c(c, "scale", &m->scale[j]) == -1 ||
		    get_f64c(c, "coefficient", &m->coef[j]) == -1)
			goto fail;
		if (m->features[j][0] == '\0') {
			bad(c, "empty feature name");
			goto fail;
		}
		for (k = 0; k < j; k++)
			if (strcmp(m->features[k], m->features[j]) == 0) {
				pp_err_set(c->err, PP_EXIT_DATA, "%s: corrupt "
				    "body: feature \"%s\" twice", c->name,
				    m->features[j]);
				goto fail;
			}
		if (!isfinite(m->mean[j]) || !isfinite(m->coef[j]) ||
		    !isfinite(m->scale[j]) || !(m->scale[j] > 0)) {
			pp_err_set(c->err, PP_EXIT_DATA, "%s: corrupt body: "
			    "feature \"%s\": bad number", c->name,
			    m->features[j]);
			goto fail;
		}
	}
	if (!isfinite(m->intercept)) {
		bad(c, "intercept is not finite");
		goto fail;
	}
	if (get_u32c(c, "metadata count", &nmeta) == -1)
		goto fail;
	if (nmeta > (c->n - c->at) / 8) {
		bad(c, "metadata count larger than the body");
		goto fail;
	}
	m->meta_key = pp_xcalloc((size_t)nmeta + 1, sizeof(char *));
	m->meta_val = pp_xcalloc((size_t)nmeta + 1, sizeof(char *));
	for (j = 0; j < nmeta; j++) {
		if (get_strc(c, "metadata key", &m->meta_key[j]) == -1)
			goto fail;
		m->nmeta = j + 1;
		if (get_strc(c, "metadata value", &m->meta_val[j]) == -1)
			goto fail;
	}
	m->horizon = -1;
	if (version >= 2 && decode_recipe(c, m) == -1)
		goto fail;
	if (m->kind == PP_MODEL_GBDT && decode_trees(c, m) == -1)
		goto fail;
	if (c->at != c->n) {
		bad(c, "trailing bytes");
		goto fail;
	}
	return m;
fail:
	pp_model_free(m);
	return NULL;
}

struct pp_model *
pp_model_decode(const void *data, size_t n, const char *name,
    struct pp_err *err)
{
	const unsigned char *p = data;
	struct pp_model *m;
	struct cur c;
	uint64_t rawlen, zlen;
	uint32_t version, want, got;
	unsigned char *raw;
	uLongf outlen;
	int zrc;

	if (n < 8 ? memcmp(p, magic, n) != 0 || n == 0 :
	    memcmp(p, magic, 8) != 0) {
		pp_err_set(err, PP_EXIT_DATA, "%s: not a model artifact", name);
		return NULL;
	}
	if (n < HDR_LEN) {
		pp_err_set(err, PP_EXIT_DATA, "%s: truncated header (%zu of "
		    "%d bytes)", name, n, HDR_LEN);
		return NULL;
	}
	version = get_u32(p + 8);
	if (version > PP_MODEL_VERSION) {
		pp_err_set(err, PP_EXIT_DATA, "%s: format version %u is newer "
		    "than this program reads (%d)", name, (unsigned)version,
		    PP_MODEL_VERSION);
		return NULL;
	}
	if (version == 0 || get_u32(p + 12) != 0) {
		pp_err_set(err, PP_EXIT_DATA, "%s: corrupt header", name);
		return NULL;
	}
	rawlen = get_u64(p + 16);
	zlen = get_u64(p + 24);
	want = get_u32(p + 32);
	/* deflate packs at most 1032 bytes into one: a longer stated body is
	 * a lie, never an allocation. */
	if (rawlen > MAX_BODY || zlen > MAX_BODY || rawlen > zlen * 1032 + 64) {
		pp_err_set(err, PP_EXIT_DATA, "%s: corrupt header: body "
		    "length too large", name);
		return NULL;
	}
	if (n - HDR_LEN < zlen) {
		pp_err_set(err, PP_EXIT_DATA, "%s: truncated (body has %zu "
		    "of %llu bytes)", name, n - HDR_LEN,
		    (unsigned long long)zlen);
		return NULL;
	}
	if (n - HDR_LEN > zlen) {
		pp_err_set(err, PP_EXIT_DATA, "%s: %zu bytes after the end "
		    "of the model", name, (size_t)(n - HDR_LEN - zlen));
		return NULL;
	}
	raw = pp_xmalloc(rawlen + 1);
	outlen = (uLongf)rawlen;
	zrc = uncompress(raw, &outlen, p + HDR_LEN, (uLong)zlen);
	if (zrc != Z_OK || outlen != rawlen) {
		pp_err_set(err, PP_EXIT_DATA, "%s: corrupt body (zlib: %s)",
		    name, zrc == Z_OK ? "wrong length" : zError(zrc));
		free(raw);
		return NULL;
	}
	got = (uint32_t)crc32(0, raw, (uInt)rawlen);
	if (got != want) {
		pp_err_set(err, PP_EXIT_DATA, "%s: checksum mismatch (CRC-32 "
		    "%08x, header says %08x)", name, (unsigned)got,
		    (unsigned)want);
		free(raw);
		return NULL;
	}
	c.p = raw;
	c.n = (size_t)rawlen;
	c.at = 0;
	c.name = name;
	c.err = err;
	m = decode_body(&c, version);
	free(raw);
	return m;
}

int
pp_model_write(const struct pp_model *m, FILE *fp, const char *name,
    struct pp_err *err)
{
	struct pp_buf b = PP_BUF_INIT;
	int rc = 0;

	pp_model_encode(m, &b);
	if (fwrite(b.data, 1, b.len, fp) != b.len)
		rc = pp_err_errno(err, errno, "%s: write", name);
	pp_buf_release(&b);
	return rc;
}

struct pp_model *
pp_model_open(const char *ref, const char *registry_path, struct pp_err *err)
{
	struct pp_registry *reg;
	struct pp_buf b = PP_BUF_INIT;
	struct pp_model *m = NULL;

	if (ref == NULL || !pp_registry_is_uri(ref))
		return pp_model_load(ref, err);
	reg = pp_registry_open(registry_path, PP_REG_READONLY, err);
	if (reg != NULL && pp_registry_load(reg, ref, &b, NULL, err) == 0)
		m = pp_model_decode(b.data, b.len, ref, err);
	if (m == NULL && strncmp(err->msg, ref, strlen(ref)) != 0 &&
	    err->code != PP_EXIT_USAGE)
		pp_err_prefix(err, "%s", ref);
	pp_registry_close(reg);
	pp_buf_release(&b);
	return m;
}

struct pp_model *
pp_model_load(const char *path, struct pp_err *err)
{
	const char *name = pp_in_name(path);
	struct pp_buf b = PP_BUF_INIT;
	struct pp_model *m = NULL;
	FILE *fp;
	size_t got;

	fp = pp_in_open(path, err);
	if (fp == NULL)
		return NULL;
	for (;;) {
		pp_buf_grow(&b, 65536);
		got = fread(b.data + b.len, 1, b.cap - b.len - 1, fp);
		pp_buf_setlen(&b, b.len + got);
		if (got == 0 || b.len > MAX_FILE)
			break;
	}
	if (ferror(fp))
		pp_err_errno(err, errno, "%s: read", name);
	else if (b.len > MAX_FILE)
		pp_err_set(err, PP_EXIT_DATA, "%s: too large for a model",
		    name);
	else
		m = pp_model_decode(b.data, b.len, name, err);
	if (fp != stdin)
		fclose(fp);
	pp_buf_release(&b);
	return m;
}

static void
add_num(struct pp_buf *b, double x)
{
	char s[PP_DBL_BUFSZ];

	pp_fmt_double(s, x);
	pp_buf_addstr(b, s);
}

/* 1 if feature i goes before j: higher gain first, ties by name, so the
 * order is one. */
static int
before(const struct pp_model *m, const double *gain, size_t i, size_t j)
{
	if (gain[i] != gain[j])
		return gain[i] > gain[j];
	return strcmp(m->features[i], m->features[j]) < 0;
}

/* A gbdt model: its objective, rounds, and the features' importance. */
static void
describe_trees(const struct pp_model *m, struct pp_buf *out)
{
	size_t p = m->nfeat, j, *ord = pp_xcalloc(p + 1, sizeof(size_t));
	double *v = pp_xcalloc(3 * p + 1, sizeof(double));
	struct pp_err err = PP_ERR_INIT;

	pp_buf_addf(out, "objective: %s\n", m->objective);
	pp_buf_addf(out, "trees: %ld\n", pp_gbdt_rounds(m->gbdt));
	pp_buf_addf(out, "features: %zu\n", p);
	if (pp_gbdt_importance(m->gbdt, p, v, v + p, v + 2 * p, &err) == -1)
		pp_buf_addf(out, "importance: %s\n", err.msg);
	pp_buf_addstr(out, "feature,gain,cover,weight\n");
	/* Insertion sort: a few thousand features at most (train.h). */
	for (j = 0; j < p; j++) {
		size_t k = j;

		for (; k > 0 && before(m, v, j, ord[k - 1]); k--)
			ord[k] = ord[k - 1];
		ord[k] = j;
	}
	for (j = 0; j < p; j++) {
		pp_buf_addf(out, "%s,", m->features[ord[j]]);
		add_num(out, v[ord[j]]);
		pp_buf_addc(out, ',');
		add_num(out, v[p + ord[j]]);
		pp_buf_addc(out, ',');
		add_num(out, v[2 * p + ord[j]]);
		pp_buf_addc(out, '\n');
	}
	free(ord);
	free(v);
}

void
pp_model_describe(const struct pp_model *m, struct pp_buf *out)
{
	const char *p, *nl;
	size_t j;

	pp_buf_addf(out, "kind: %s\n", pp_model_kind_name(m->kind));
	pp_buf_addf(out, "target: %s (%s)\n", m->target,
	    m->target_kind == PP_TARGET_BINARY ? "binary" : "real");
	if (m->kind == PP_MODEL_RIDGE || m->kind == PP_MODEL_LASSO ||
	    m->kind == PP_MODEL_ENET) {
		pp_buf_addstr(out, "alpha: ");
		add_num(out, m->alpha);
		pp_buf_addc(out, '\n');
	}
	if (m->kind == PP_MODEL_ENET) {
		pp_buf_addstr(out, "l1_ratio: ");
		add_num(out, m->l1_ratio);
		pp_buf_addc(out, '\n');
	}
	if (m->kind == PP_MODEL_LOGISTIC) {
		pp_buf_addstr(out, "C: ");
		add_num(out, m->C);
		pp_buf_addc(out, '\n');
	}
	if (m->kind == PP_MODEL_GBDT)
		describe_trees(m, out);
	else {
		pp_buf_addf(out, "standardized: %s\n", m->standardized ?
		    "yes" : "no");
		pp_buf_addstr(out, "intercept: ");
		add_num(out, m->intercept);
		pp_buf_addf(out, "\nfeatures: %zu\n", m->nfeat);
		pp_buf_addstr(out, "feature,mean,scale,coef\n");
	}
	for (j = 0; j < m->nfeat && m->kind != PP_MODEL_GBDT; j++) {
		pp_buf_addf(out, "%s,", m->features[j]);
		add_num(out, m->mean[j]);
		pp_buf_addc(out, ',');
		add_num(out, m->scale[j]);
		pp_buf_addc(out, ',');
		add_num(out, m->coef[j]);
		pp_buf_addc(out, '\n');
	}
	for (j = 0; j < m->nmeta; j++)
		pp_buf_addf(out, "meta %s: %s\n", m->meta_key[j],
		    m->meta_val[j]);
	if (m->spec == NULL)
		return;
	pp_buf_addf(out, "inputs: %s\n", m->inputs ? m->inputs : "");
	pp_buf_addf(out, "warmup: %ld\n", m->warmup);
	if (m->horizon >= 0)
		pp_buf_addf(out, "horizon: %ld\n", m->horizon);
	pp_buf_addstr(out, "spec:\n");
	for (p = m->spec; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		pp_buf_addf(out, "  %.*s\n", (int)(nl - p + (*nl != '\n')), p);
	}
}
