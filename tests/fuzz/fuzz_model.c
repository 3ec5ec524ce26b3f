/*
 * fuzz_model.c - a libFuzzer target for model artifacts (pp-model(5),
 * lib/model.c): files a user downloads, or a registry holds.  `make
 * check` replays tests/fuzz/corpus/model through it; `make fuzz` runs it
 * FUZZ_TIME seconds under libFuzzer, ASan and UBSan.
 *
 * Beyond "no crash, no leak, no undefined behaviour", it checks:
 *   - a refused artifact gives one line that names it ("mem.ppm: ...");
 *   - an accepted one keeps what the format promises: nfeat >= 1 unique
 *     names, scale > 0, every number finite, and a prediction of any
 *     input is a number or NaN (never a crash);
 *   - encoded again it decodes to a model that encodes to the same bytes
 *     (the artifact is a fixed point after one pass) with the same
 *     prediction, bit for bit.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "model.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "%s%s%s\n", what, msg ? ": " : "", msg ? msg : "");
	abort();
}

static void
check_model(const struct pp_model *m)
{
	size_t i, j;

	if (m->nfeat == 0)
		die("accepted a model without features", NULL);
	for (i = 0; i < m->nfeat; i++) {
		if (!(m->scale[i] > 0) || !isfinite(m->scale[i]) ||
		    !isfinite(m->mean[i]) || !isfinite(m->coef[i]))
			die("accepted a bad coefficient, mean or scale",
			    m->features[i]);
		for (j = 0; j < i; j++)
			if (strcmp(m->features[i], m->features[j]) == 0)
				die("accepted a feature twice", m->features[i]);
	}
	if (!isfinite(m->intercept))
		die("accepted an infinite intercept", NULL);
}

static double
predict(const struct pp_model *m)
{
	double *x = calloc(m->nfeat, sizeof(double)), y;
	size_t i;

	for (i = 0; i < m->nfeat; i++)
		x[i] = (double)(i % 3) - 1;
	y = pp_model_predict(m, x, 1);
	free(x);
	return y;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_err e = PP_ERR_INIT;
	struct pp_buf b1 = PP_BUF_INIT, b2 = PP_BUF_INIT;
	struct pp_model *m1, *m2;
	double y1, y2;

	if ((m1 = pp_model_decode(data, size, "mem.ppm", &e)) == NULL) {
		if (strncmp(e.msg, "mem.ppm", 7) != 0 || strchr(e.msg, '\n'))
			die("bad message shape", e.msg);
		return 0;
	}
	check_model(m1);
	y1 = predict(m1);
	pp_model_encode(m1, &b1);
	if ((m2 = pp_model_decode(b1.data, b1.len, "again.ppm", &e)) == NULL)
		die("an accepted model, encoded, is refused", e.msg);
	pp_model_encode(m2, &b2);
	if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
		die("the artifact is not a fixed point", NULL);
	y2 = predict(m2);
	if (memcmp(&y1, &y2, sizeof(y1)) != 0 && !(isnan(y1) && isnan(y2)))
		die("the prediction changed in a round trip", NULL);
	pp_model_free(m1);
	pp_model_free(m2);
	pp_buf_release(&b1);
	pp_buf_release(&b2);
	return 0;
}
