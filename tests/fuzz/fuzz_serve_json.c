/*
 * fuzz_serve_json.c - a libFuzzer target for pp-serve's request decoder
 * (lib/oip.c): the bodies a network peer sends.  `make check` replays
 * tests/fuzz/corpus/serve through it (build/tests/test_fuzz_serve_json,
 * tests/fuzz/replay.c); `make fuzz` runs it FUZZ_TIME seconds under
 * libFuzzer with ASan+UBSan.  Runs: 430,868 inputs in
 * 90 s, no finding; with the bars decoder: 364,690 inputs in 60 s, no
 * finding; with the plain V1 and V2 readers: 700,735 inputs in 90 s, no
 * finding; with their numbers' digits gathered as they are checked:
 * 729,492 inputs in 120 s, no finding.
 *
 * Each input is decoded as a V2 and as a V1 body against a model of three
 * features, both with and without allow_nan.  Beyond "no crash, no leak,
 * no undefined behaviour", it checks what lib/oip.h promises:
 *   - a failure leaves no rows and no id, and its message is one
 *     non-empty line (it goes back to the client as {"error": ...});
 *   - a success holds n >= 1 rows of exactly three values, all finite
 *     unless allow_nan;
 *   - whatever was accepted without allow_nan is accepted with it, with
 *     the same values;
 *   - encoding the predictions of a success gives JSON that jansson parses
 *     back to the same doubles, bit for bit.
 *
 * The V1 and V2 decoders are two readers each: whatever the plain one
 * (oip_plain.c) takes, the JSON one takes with the same values, bit for
 * bit (and V2's id), and what the plain one declines leaves no rows.
 *
 * Each input is also decoded as a bars body (pp_oip_decode_bars, the
 * online endpoint), with and without allow_nan: a failure leaves no bars
 * and one line; a success holds 1 or more bars, each symbol 1 to 64
 * bytes, NUL-terminated at its length, with no control byte, and finite
 * values unless allow_nan; what is accepted strictly is accepted laxly
 * with the same bars.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oip.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_fail(const struct pp_oip_rows *r, const struct pp_err *err)
{
	if (r->x != NULL || r->id != NULL || err->msg[0] == '\0' ||
	    strchr(err->msg, '\n') != NULL || strchr(err->msg, '\r') != NULL) {
		fprintf(stderr, "bad failure: \"%s\"\n", err->msg);
		abort();
	}
}

/* The answer for rows r (the values of row i summed, as a prediction)
 * must parse back bit-identical. */
static void
check_encode(const struct pp_oip_rows *r)
{
	struct pp_buf b = PP_BUF_INIT;
	double *pred = calloc(r->n + 1, sizeof(double));
	json_t *root, *out;
	size_t i;

	for (i = 0; i < r->n; i++)
		pred[i] = r->x[3 * i] + r->x[3 * i + 1] * 0.5 - r->x[3 * i + 2];
	pp_oip_encode_v2(&b, "m\"\\\x01", "1", r->id, pred, pred, r->n);
	root = json_loadb(b.data, b.len, 0, NULL);
	if (root == NULL)
		abort();
	out = json_object_get(json_array_get(json_object_get(root, "outputs"),
	    0), "data");
	if (json_array_size(out) != r->n)
		abort();
	for (i = 0; i < r->n; i++) {
		json_t *v = json_array_get(out, i);

		if (!isfinite(pred[i]) ? !json_is_null(v) :
		    (json_number_value(v) != pred[i] ||
		    signbit(json_number_value(v)) != signbit(pred[i])))
			abort();
	}
	json_decref(root);
	free(pred);
	pp_buf_release(&b);
}

static void
one(int v2, const uint8_t *data, size_t size, const struct pp_model *m)
{
	struct pp_oip_rows strict = PP_OIP_ROWS_INIT, lax = PP_OIP_ROWS_INIT;
	struct pp_err e1 = PP_ERR_INIT, e2 = PP_ERR_INIT;
	int (*dec)(const char *, size_t, const struct pp_model *, int,
	    struct pp_oip_rows *, struct pp_err *) = v2 ? pp_oip_decode_v2 :
	    pp_oip_decode_v1;
	int rs = dec((const char *)data, size, m, 0, &strict, &e1);
	int rl = dec((const char *)data, size, m, 1, &lax, &e2);
	size_t i;

	if (rs == -1)
		check_fail(&strict, &e1);
	if (rl == -1)
		check_fail(&lax, &e2);
	if (rs == 0 && rl != 0)
		abort();
	if (rl == 0) {
		if (lax.n < 1 || lax.nfeat != 3 || lax.x == NULL)
			abort();
		check_encode(&lax);
	}
	if (rs == 0) {
		if (strict.n != lax.n || memcmp(strict.x, lax.x, 3 * lax.n *
		    sizeof(double)) != 0)
			abort();
		for (i = 0; i < 3 * strict.n; i++)
			if (!isfinite(strict.x[i]))
				abort();
	}
	pp_oip_rows_release(&strict);
	pp_oip_rows_release(&lax);
}

static void
plain(int v2, const uint8_t *data, size_t size, const struct pp_model *m)
{
	struct pp_oip_rows p = PP_OIP_ROWS_INIT, j = PP_OIP_ROWS_INIT;
	struct pp_err err = PP_ERR_INIT;
	const char *b = (const char *)data;
	int rc = v2 ? pp_oip_decode_v2_plain(b, size, m, &p) :
	    pp_oip_decode_v1_plain(b, size, m, &p);

	if (rc == 1 && (p.x != NULL || p.n != 0 || p.id != NULL))
		abort();
	if (rc == 0 && ((v2 ? pp_oip_decode_v2_json(b, size, m, 1, &j, &err) :
	    pp_oip_decode_v1_json(b, size, m, 1, &j, &err)) != 0 ||
	    j.n != p.n || p.nfeat != 3 ||
	    memcmp(j.x, p.x, 3 * p.n * sizeof(double)) != 0 ||
	    (j.id == NULL) != (p.id == NULL) ||
	    (j.id != NULL && strcmp(j.id, p.id) != 0)))
		abort();
	if (rc != 0 && rc != 1)
		abort();
	pp_oip_rows_release(&p);
	pp_oip_rows_release(&j);
}

static void
check_bars(const struct pp_oip_bars *b, int allow_nan)
{
	size_t i, k;

	if (b->n < 1 || b->bar == NULL)
		abort();
	for (i = 0; i < b->n; i++) {
		const struct pp_oip_bar *x = &b->bar[i];

		if (x->symlen < 1 || x->symlen > PP_OIP_SYMBOL_MAX ||
		    strlen(x->sym) != x->symlen)
			abort();
		for (k = 0; k < x->symlen; k++)
			if ((unsigned char)x->sym[k] < 0x20)
				abort();
		for (k = 0; k < 5; k++)
			if (!allow_nan && !isfinite(x->ohlcv[k]))
				abort();
	}
}

static void
bars(const uint8_t *data, size_t size)
{
	struct pp_oip_bars strict = PP_OIP_BARS_INIT, lax = PP_OIP_BARS_INIT;
	struct pp_err e1 = PP_ERR_INIT, e2 = PP_ERR_INIT;
	int rs = pp_oip_decode_bars((const char *)data, size, 0, &strict, &e1);
	int rl = pp_oip_decode_bars((const char *)data, size, 1, &lax, &e2);

	if (rs == -1 && (strict.bar != NULL || strict.n != 0 ||
	    e1.msg[0] == '\0' || strchr(e1.msg, '\n') != NULL))
		abort();
	if (rl == -1 && (lax.bar != NULL || lax.n != 0 || e2.msg[0] == '\0' ||
	    strchr(e2.msg, '\n') != NULL))
		abort();
	if (rs == 0 && rl != 0)
		abort();
	if (rs == 0) {
		check_bars(&strict, 0);
		if (strict.n != lax.n || memcmp(strict.bar, lax.bar, strict.n *
		    sizeof(*strict.bar)) != 0)
			abort();
	}
	if (rl == 0)
		check_bars(&lax, 1);
	pp_oip_bars_release(&strict);
	pp_oip_bars_release(&lax);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "f1", "f2", "f3" };
	static struct pp_model *m;

	if (m == NULL)
		m = pp_model_new(PP_MODEL_RIDGE, "y", 3, names);
	one(1, data, size, m);
	one(0, data, size, m);
	plain(0, data, size, m);
	plain(1, data, size, m);
	bars(data, size);
	return 0;
}
