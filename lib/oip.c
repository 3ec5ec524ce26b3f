/*
 * oip.c - Open Inference Protocol V2 and KServe V1 JSON for pp-serve.
 *
 * Requests are parsed with jansson (duplicate keys refused) and copied
 * into one dense block of doubles in the model's feature order, so the
 * predictor never sees JSON (the usual V1 and V2 bodies skip jansson:
 * see oip_plain.c, which reads them to the same values).  Responses are the hot
 * path and are written straight into a buffer: numbers through
 * pp_fmt_double, the one double formatter, so a served prediction has the
 * same digits as pp-predict's.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "num.h"
#include "oip.h"
#include "util.h"
#include "banned.h"

void
pp_oip_rows_release(struct pp_oip_rows *r)
{
	free(r->x);
	free(r->id);
	r->x = NULL;
	r->id = NULL;
	r->n = r->nfeat = 0;
}

/* A JSON value as a feature value; -1 if it is not one. */
static int
value_of(const json_t *v, double *out)
{
	const char *s;

	if (json_is_integer(v)) {
		*out = (double)json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		*out = json_real_value(v);
		return 0;
	}
	if (json_is_null(v)) {
		*out = NAN;
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (strcmp(s, "NaN") == 0)
		*out = NAN;
	else if (strcmp(s, "Infinity") == 0)
		*out = INFINITY;
	else if (strcmp(s, "-Infinity") == 0)
		*out = -INFINITY;
	else
		return -1;
	return 0;
}

/* Copy the values of data (flat, or nested as deep as a shape of ndim
 * dimensions allows) into dst[*k..cap), counting in *k past cap so the
 * caller can report the real count. */
static int
flatten(const json_t *data, int depth, int ndim, double *dst, size_t *k,
    size_t cap, const char *name, struct pp_err *err)
{
	const json_t *v;
	size_t i;
	double x;

	if (!json_is_array(data))
		return pp_err_set(err, PP_EXIT_DATA, "input \"%s\": \"data\" "
		    "is not an array", name);
	json_array_foreach(data, i, v) {
		if (json_is_array(v)) {
			if (depth + 1 >= ndim)
				return pp_err_set(err, PP_EXIT_DATA, "input "
				    "\"%s\": \"data\" nested deeper than the "
				    "shape", name);
			if (flatten(v, depth + 1, ndim, dst, k, cap, name, err)
			    == -1)
				return -1;
			continue;
		}
		if (value_of(v, &x) == -1)
			return pp_err_set(err, PP_EXIT_DATA, "input \"%s\": "
			    "value %zu is not a number", name, *k + 1);
		if (*k < cap)
			dst[*k] = x;
		++*k;
	}
	return 0;
}

/* Read a tensor's "shape" as rows (and columns: 1 for a 1-D shape). */
static int
shape_of(const json_t *in, const char *name, size_t *rows, size_t *cols,
    int *ndim, struct pp_err *err)
{
	const json_t *sh = json_object_get(in, "shape"), *d;
	json_int_t v[2];
	size_t i;

	if (!json_is_array(sh) || json_array_size(sh) < 1 ||
	    json_array_size(sh) > 2)
		return pp_err_set(err, PP_EXIT_DATA, "input \"%s\": \"shape\" "
		    "must be [N] or [N, F]", name);
	json_array_foreach(sh, i, d) {
		if (!json_is_integer(d) || json_integer_value(d) < 1)
			return pp_err_set(err, PP_EXIT_DATA, "input \"%s\": "
			    "\"shape\" must hold positive integers", name);
		v[i] = json_integer_value(d);
	}
	*ndim = (int)json_array_size(sh);
	if (v[0] > PP_OIP_MAX_ROWS)
		return pp_err_set(err, PP_EXIT_DATA, "input \"%s\": more than "
		    "%d rows", name, PP_OIP_MAX_ROWS);
	*rows = (size_t)v[0];
	if (*ndim == 2 && v[1] > 1 << 20)
		return pp_err_set(err, PP_EXIT_DATA, "input \"%s\": too many "
		    "columns", name);
	*cols = *ndim == 2 ? (size_t)v[1] : 1;
	return 0;
}

static long
feature_index(const struct pp_model *m, const char *name)
{
	size_t j;

	for (j = 0; j < m->nfeat; j++)
		if (strcmp(m->features[j], name) == 0)
			return (long)j;
	return -1;
}

static int
check_finite(const struct pp_oip_rows *r, int allow_nan,
    const struct pp_model *m, int per_instance, struct pp_err *err)
{
	size_t i, j;

	if (allow_nan)
		return 0;
	for (i = 0; i < r->n; i++)
		for (j = 0; j < r->nfeat; j++)
			if (!isfinite(r->x[i * r->nfeat + j]))
				return pp_err_set(err, PP_EXIT_DATA, "%s %zu: "
				    "feature \"%s\": missing value (NaN, "
				    "infinite or null)", per_instance ?
				    "instance" : "row", i + 1,
				    m->features[j]);
	return 0;
}

/* jansson's message quotes the body near the error, newlines and all:
 * shown escaped, it stays the one line a client gets back. */
static int
json_fail(const json_error_t *je, struct pp_err *err)
{
	struct pp_buf b = PP_BUF_INIT;

	pp_buf_addshown(&b, je->text, strlen(je->text));
	pp_err_set(err, PP_EXIT_DATA, "malformed JSON: line %d column %d: %s",
	    je->line, je->column, b.data);
	pp_buf_release(&b);
	return -1;
}

static json_t *
parse(const char *body, size_t len, struct pp_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);

	if (root == NULL) {
		json_fail(&je, err);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		pp_err_set(err, PP_EXIT_DATA, "the body is not a JSON object");
		return NULL;
	}
	return root;
}

static const char *
input_name(const json_t *in, size_t i, struct pp_err *err)
{
	const json_t *nm, *dt;

	if (!json_is_object(in)) {
		pp_err_set(err, PP_EXIT_DATA, "input %zu is not an object",
		    i + 1);
		return NULL;
	}
	nm = json_object_get(in, "name");
	if (!json_is_string(nm)) {
		pp_err_set(err, PP_EXIT_DATA, "input %zu has no \"name\"",
		    i + 1);
		return NULL;
	}
	dt = json_object_get(in, "datatype");
	if (!json_is_string(dt) || (strcmp(json_string_value(dt), "FP64") != 0
	    && strcmp(json_string_value(dt), "FP32") != 0)) {
		pp_err_set(err, PP_EXIT_DATA, "input \"%s\": \"datatype\" must "
		    "be FP64", json_string_value(nm));
		return NULL;
	}
	return json_string_value(nm);
}

/* The [N, F] matrix shape. */
static int
decode_matrix(const json_t *in, const char *name, const struct pp_model *m,
    struct pp_oip_rows *r, struct pp_err *err)
{
	size_t rows, cols, k = 0;
	int ndim;

	if (shape_of(in, name, &rows, &cols, &ndim, err) == -1)
		return -1;
	if (ndim != 2 || cols != m->nfeat)
		return pp_err_set(err, PP_EXIT_DATA, "input \"%s\": shape must "
		    "be [N, %zu] (the model's features in order), or one "
		    "input per feature", name, m->nfeat);
	r->n = rows;
	r->x = pp_xcalloc(rows * cols + 1, sizeof(double));
	if (flatten(json_object_get(in, "data"), 0, ndim, r->x, &k,
	    rows * cols, name, err) == -1)
		return -1;
	if (k != rows * cols)
		return pp_err_set(err, PP_EXIT_DATA, "input \"%s\": shape "
		    "[%zu, %zu] but %zu values", name, rows, cols, k);
	return 0;
}

/* One [N] tensor per feature. */
static int
decode_columns(const json_t *inputs, const struct pp_model *m,
    struct pp_oip_rows *r, struct pp_err *err)
{
	unsigned char *seen = pp_xcalloc(m->nfeat + 1, 1);
	double *col = NULL;
	const json_t *in;
	const char *name;
	size_t i, rows, cols, k, t;
	long j;
	int ndim, rc = -1;

	json_array_foreach(inputs, i, in) {
		if ((name = input_name(in, i, err)) == NULL)
			goto out;
		if ((j = feature_index(m, name)) < 0) {
			pp_err_set(err, PP_EXIT_DATA, "input \"%s\": not a "
			    "feature of the model", name);
			goto out;
		}
		if (seen[j]++) {
			pp_err_set(err, PP_EXIT_DATA, "input \"%s\" given "
			    "twice", name);
			goto out;
		}
		if (shape_of(in, name, &rows, &cols, &ndim, err) == -1)
			goto out;
		if (cols != 1) {
			pp_err_set(err, PP_EXIT_DATA, "input \"%s\": shape "
			    "must be [N]", name);
			goto out;
		}
		if (r->x == NULL) {
			r->n = rows;
			r->x = pp_xcalloc(rows * m->nfeat + 1, sizeof(double));
			col = pp_xcalloc(rows + 1, sizeof(double));
		} else if (rows != r->n) {
			pp_err_set(err, PP_EXIT_DATA, "input \"%s\": %zu rows, "
			    "others have %zu", name, rows, r->n);
			goto out;
		}
		k = 0;
		if (flatten(json_object_get(in, "data"), 0, ndim, col, &k,
		    rows, name, err) == -1)
			goto out;
		if (k != rows) {
			pp_err_set(err, PP_EXIT_DATA, "input \"%s\": shape [%zu] "
			    "but %zu values", name, rows, k);
			goto out;
		}
		for (t = 0; t < rows; t++)
			r->x[t * m->nfeat + (size_t)j] = col[t];
	}
	for (i = 0; i < m->nfeat; i++)
		if (!seen[i]) {
			pp_err_set(err, PP_EXIT_DATA, "no input for feature "
			    "\"%s\"", m->features[i]);
			goto out;
		}
	rc = 0;
out:
	free(seen);
	free(col);
	return rc;
}

int
pp_oip_decode_v2(const char *body, size_t len, const struct pp_model *m,
    int allow_nan, struct pp_oip_rows *r, struct pp_err *err)
{
	if (pp_oip_decode_v2_plain(body, len, m, r) == 1)
		return pp_oip_decode_v2_json(body, len, m, allow_nan, r, err);
	if (check_finite(r, allow_nan, m, 0, err) == 0)
		return 0;
	pp_oip_rows_release(r);
	return -1;
}

int
pp_oip_decode_v2_json(const char *body, size_t len, const struct pp_model *m,
    int allow_nan, struct pp_oip_rows *r, struct pp_err *err)
{
	const json_t *inputs, *id, *first;
	const char *name;
	json_t *root;
	int rc = -1;

	pp_oip_rows_release(r);
	r->nfeat = m->nfeat;
	if ((root = parse(body, len, err)) == NULL)
		return -1;
	inputs = json_object_get(root, "inputs");
	if (!json_is_array(inputs) || json_array_size(inputs) == 0) {
		pp_err_set(err, PP_EXIT_DATA, "no \"inputs\" array");
		goto out;
	}
	id = json_object_get(root, "id");
	if (id != NULL && !json_is_string(id)) {
		pp_err_set(err, PP_EXIT_DATA, "\"id\" is not a string");
		goto out;
	}
	if (id != NULL)
		r->id = pp_xstrdup(json_string_value(id));
	first = json_array_get(inputs, 0);
	if ((name = input_name(first, 0, err)) == NULL)
		goto out;
	if (json_array_size(inputs) == 1 && feature_index(m, name) < 0)
		rc = decode_matrix(first, name, m, r, err);
	else
		rc = decode_columns(inputs, m, r, err);
	if (rc == 0)
		rc = check_finite(r, allow_nan, m, 0, err);
out:
	json_decref(root);
	if (rc == -1)
		pp_oip_rows_release(r);
	return rc;
}

static int
decode_instance(const json_t *inst, size_t i, const struct pp_model *m,
    double *x, struct pp_err *err)
{
	const json_t *v;
	size_t j;

	if (json_is_array(inst) && json_array_size(inst) != m->nfeat)
		return pp_err_set(err, PP_EXIT_DATA, "instance %zu: %zu values, "
		    "the model has %zu features", i + 1,
		    json_array_size(inst), m->nfeat);
	if (!json_is_array(inst) && !json_is_object(inst))
		return pp_err_set(err, PP_EXIT_DATA, "instance %zu is neither "
		    "an object nor an array", i + 1);
	for (j = 0; j < m->nfeat; j++) {
		v = json_is_array(inst) ? json_array_get(inst, j) :
		    json_object_get(inst, m->features[j]);
		if (v == NULL)
			return pp_err_set(err, PP_EXIT_DATA, "instance %zu: "
			    "no feature \"%s\"", i + 1, m->features[j]);
		if (value_of(v, &x[j]) == -1)
			return pp_err_set(err, PP_EXIT_DATA, "instance %zu: "
			    "feature \"%s\": not a number", i + 1,
			    m->features[j]);
	}
	return 0;
}

int
pp_oip_decode_v1(const char *body, size_t len, const struct pp_model *m,
    int allow_nan, struct pp_oip_rows *r, struct pp_err *err)
{
	if (pp_oip_decode_v1_plain(body, len, m, r) == 1)
		return pp_oip_decode_v1_json(body, len, m, allow_nan, r, err);
	if (check_finite(r, allow_nan, m, 1, err) == 0)
		return 0;
	pp_oip_rows_release(r);
	return -1;
}

int
pp_oip_decode_v1_json(const char *body, size_t len, const struct pp_model *m,
    int allow_nan, struct pp_oip_rows *r, struct pp_err *err)
{
	const json_t *inst, *v;
	json_t *root;
	size_t i, n;
	int rc = -1;

	pp_oip_rows_release(r);
	r->nfeat = m->nfeat;
	if ((root = parse(body, len, err)) == NULL)
		return -1;
	inst = json_object_get(root, "instances");
	if (!json_is_array(inst) || (n = json_array_size(inst)) == 0) {
		pp_err_set(err, PP_EXIT_DATA, "no \"instances\" array");
		goto out;
	}
	if (n > PP_OIP_MAX_ROWS) {
		pp_err_set(err, PP_EXIT_DATA, "more than %d instances",
		    PP_OIP_MAX_ROWS);
		goto out;
	}
	r->n = n;
	r->x = pp_xcalloc(n * m->nfeat + 1, sizeof(double));
	json_array_foreach(inst, i, v)
		if (decode_instance(v, i, m, r->x + i * m->nfeat, err) == -1)
			goto out;
	rc = check_finite(r, allow_nan, m, 1, err);
out:
	json_decref(root);
	if (rc == -1)
		pp_oip_rows_release(r);
	return rc;
}

void
pp_oip_bars_release(struct pp_oip_bars *b)
{
	free(b->bar);
	b->bar = NULL;
	b->n = 0;
}

static size_t utf8_len(const unsigned char *s);

static const char *const bar_num[5] = { "open", "high", "low", "close",
	"volume" };

static int
decode_bar(const json_t *o, size_t i, int allow_nan, struct pp_oip_bar *b,
    struct pp_err *err)
{
	const json_t *sym = json_object_get(o, "symbol"), *d, *v;
	const unsigned char *p;
	size_t k, len, u;

	if (!json_is_object(o))
		return pp_err_set(err, PP_EXIT_DATA, "bar %zu is not an object",
		    i + 1);
	if (!json_is_string(sym))
		return pp_err_set(err, PP_EXIT_DATA, "bar %zu: \"symbol\" is %s",
		    i + 1, sym == NULL ? "missing" : "not a string");
	p = (const unsigned char *)json_string_value(sym);
	len = json_string_length(sym);
	if (len == 0 || len > PP_OIP_SYMBOL_MAX)
		return pp_err_set(err, PP_EXIT_DATA, "bar %zu: \"symbol\" must "
		    "be 1 to %d bytes", i + 1, PP_OIP_SYMBOL_MAX);
	for (k = 0; k < len; k += u)
		if (p[k] < 0x20 || p[k] == 0x7f || (u = utf8_len(p + k)) == 0)
			return pp_err_set(err, PP_EXIT_DATA, "bar %zu: "
			    "\"symbol\" holds a control character or bad "
			    "UTF-8", i + 1);
	memcpy(b->sym, p, len);
	b->sym[len] = '\0';
	b->symlen = len;
	d = json_object_get(o, "date");
	if (!json_is_string(d) || pp_date_parse(json_string_value(d),
	    json_string_length(d), &b->date) == -1)
		return pp_err_set(err, PP_EXIT_DATA, "bar %zu: \"date\" is %s",
		    i + 1, d == NULL ? "missing" : "not a date YYYY-MM-DD");
	for (k = 0; k < 5; k++) {
		v = json_object_get(o, bar_num[k]);
		if (v == NULL)
			return pp_err_set(err, PP_EXIT_DATA, "bar %zu: \"%s\" "
			    "is missing", i + 1, bar_num[k]);
		if (value_of(v, &b->ohlcv[k]) == -1)
			return pp_err_set(err, PP_EXIT_DATA, "bar %zu: \"%s\" "
			    "is not a number", i + 1, bar_num[k]);
		if (!allow_nan && !isfinite(b->ohlcv[k]))
			return pp_err_set(err, PP_EXIT_DATA, "bar %zu: \"%s\" "
			    "is missing (NaN or infinite)", i + 1, bar_num[k]);
	}
	return 0;
}

int
pp_oip_decode_bars(const char *body, size_t len, int allow_nan,
    struct pp_oip_bars *b, struct pp_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	const json_t *v;
	size_t i, n;
	int rc = -1;

	pp_oip_bars_release(b);
	if (root == NULL)
		return json_fail(&je, err);
	if (json_is_object(root)) {
		b->n = 1;
		b->bar = pp_xcalloc(1, sizeof(*b->bar));
		rc = decode_bar(root, 0, allow_nan, b->bar, err);
		goto out;
	}
	if (!json_is_array(root) || (n = json_array_size(root)) == 0) {
		pp_err_set(err, PP_EXIT_DATA, "the body is not a bar object or "
		    "a non-empty array of them");
		goto out;
	}
	if (n > PP_OIP_MAX_ROWS) {
		pp_err_set(err, PP_EXIT_DATA, "more than %d bars",
		    PP_OIP_MAX_ROWS);
		goto out;
	}
	b->n = n;
	b->bar = pp_xcalloc(n, sizeof(*b->bar));
	json_array_foreach(root, i, v)
		if (decode_bar(v, i, allow_nan, &b->bar[i], err) == -1)
			goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc == -1)
		pp_oip_bars_release(b);
	return rc;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

void
pp_oip_json_str(struct pp_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	pp_buf_addc(out, '"');
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			pp_buf_addc(out, '\\');
			pp_buf_addc(out, (char)*p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			pp_buf_addf(out, "\\u%04x", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			pp_buf_addstr(out, "\\ufffd");
			p++;
		} else {
			pp_buf_add(out, p, n);
			p += n;
		}
	}
	pp_buf_addc(out, '"');
}

void
pp_oip_json_num(struct pp_buf *out, double x)
{
	char s[PP_DBL_BUFSZ];

	if (!isfinite(x)) {
		pp_buf_addstr(out, "null");
		return;
	}
	pp_buf_add(out, s, pp_fmt_double(s, x));
}

static void
add_array(struct pp_buf *out, const double *v, size_t n)
{
	size_t i;

	pp_buf_addc(out, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			pp_buf_addc(out, ',');
		pp_oip_json_num(out, v[i]);
	}
	pp_buf_addc(out, ']');
}

static void
add_output(struct pp_buf *out, const char *name, const double *v, size_t n)
{
	pp_buf_addf(out, "{\"name\":\"%s\",\"shape\":[%zu],\"datatype\":"
	    "\"FP64\",\"data\":", name, n);
	add_array(out, v, n);
	pp_buf_addc(out, '}');
}

void
pp_oip_encode_v2(struct pp_buf *out, const char *name, const char *version,
    const char *id, const double *pred, const double *proba, size_t n)
{
	pp_buf_addstr(out, "{\"model_name\":");
	pp_oip_json_str(out, name);
	pp_buf_addstr(out, ",\"model_version\":");
	pp_oip_json_str(out, version);
	if (id != NULL) {
		pp_buf_addstr(out, ",\"id\":");
		pp_oip_json_str(out, id);
	}
	pp_buf_addstr(out, ",\"outputs\":[");
	add_output(out, "prediction", pred, n);
	if (proba != NULL) {
		pp_buf_addc(out, ',');
		add_output(out, "probability", proba, n);
	}
	pp_buf_addstr(out, "]}");
}

void
pp_oip_encode_v1(struct pp_buf *out, const double *pred, size_t n)
{
	pp_buf_addstr(out, "{\"predictions\":");
	add_array(out, pred, n);
	pp_buf_addc(out, '}');
}

static void
add_tensor_meta(struct pp_buf *out, const char *name)
{
	pp_buf_addstr(out, "{\"name\":");
	pp_oip_json_str(out, name);
	pp_buf_addstr(out, ",\"datatype\":\"FP64\",\"shape\":[-1]}");
}

void
pp_oip_encode_metadata(struct pp_buf *out, const struct pp_model *m,
    const char *name, const char *const *versions, size_t nversions)
{
	size_t j;

	pp_buf_addstr(out, "{\"name\":");
	pp_oip_json_str(out, name);
	pp_buf_addstr(out, ",\"versions\":[");
	for (j = 0; j < nversions; j++) {
		if (j > 0)
			pp_buf_addc(out, ',');
		pp_oip_json_str(out, versions[j]);
	}
	pp_buf_addf(out, "],\"platform\":\"pp-%s\",\"inputs\":[",
	    pp_model_kind_name(m->kind));
	for (j = 0; j < m->nfeat; j++) {
		if (j > 0)
			pp_buf_addc(out, ',');
		add_tensor_meta(out, m->features[j]);
	}
	pp_buf_addstr(out, "],\"outputs\":[");
	add_tensor_meta(out, "prediction");
	if (pp_model_has_proba(m)) {
		pp_buf_addc(out, ',');
		add_tensor_meta(out, "probability");
	}
	pp_buf_addstr(out, "]}");
}

void
pp_oip_encode_error(struct pp_buf *out, const char *msg)
{
	pp_buf_addstr(out, "{\"error\":");
	pp_oip_json_str(out, msg);
	pp_buf_addc(out, '}');
}
