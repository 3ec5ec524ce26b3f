/*
 * test_model.c - model artifacts (lib/model.c).
 *
 * Plan:
 *  - kind names: every kind round-trips through its name; unknown names
 *    and "?" for unknown kinds.
 *  - encode/decode: a model with edge values in every double slot (-0,
 *    1e308, subnormal, 1/3) and UTF-8 names decodes bit-identical; encoding
 *    is deterministic.
 *  - decode failures, one row each with its exact message: empty input,
 *    not a model, short magic, truncated header, newer version, version 0,
 *    nonzero flags, truncated body, trailing bytes, flipped body byte
 *    (checksum), huge lengths.
 *  - prediction: eta and logistic probability/class on a table of rows,
 *    NaN and +/-infinite features give NaN (binding: test_predictor.c).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "banned.h"

static struct pp_model *
sample(void)
{
	static const char *const names[] = { "f1", "r\xc3\xa9sum\xc3\xa9",
		"x3" };
	struct pp_model *m = pp_model_new(PP_MODEL_ENET, "y", 3, names);

	m->alpha = 0.1;
	m->l1_ratio = 1.0 / 3;
	m->intercept = -0.0;
	m->mean[0] = 1e308;
	m->mean[1] = 4.9e-324;
	m->mean[2] = -2.5;
	m->scale[0] = 1e-300;
	m->scale[1] = 3;
	m->scale[2] = 1;
	m->coef[0] = -1e-10;
	m->coef[1] = 0;
	m->coef[2] = 123456.789;
	m->standardized = 1;
	pp_model_meta_set(m, "rows", "240");
	pp_model_meta_set(m, "empty", "");
	pp_model_meta_set(m, "rows", "241");
	return m;
}

static int
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

static void
test_kind_names(void **state)
{
	enum pp_model_kind k;
	int i;

	(void)state;
	for (i = PP_MODEL_OLS; i <= PP_MODEL_LOGISTIC; i++) {
		assert_int_equal(pp_model_kind_parse(
		    pp_model_kind_name((enum pp_model_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	assert_int_equal(pp_model_kind_parse("OLS", &k), -1);
	assert_int_equal(pp_model_kind_parse("", &k), -1);
	assert_string_equal(pp_model_kind_name((enum pp_model_kind)0), "?");
	assert_string_equal(pp_model_kind_name((enum pp_model_kind)9), "?");
}

static void
test_roundtrip(void **state)
{
	struct pp_model *m = sample(), *d;
	struct pp_buf a = PP_BUF_INIT, b = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	size_t j;

	(void)state;
	pp_model_encode(m, &a);
	pp_model_encode(m, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	d = pp_model_decode(a.data, a.len, "m", &err);
	assert_non_null(d);
	assert_int_equal(d->kind, PP_MODEL_ENET);
	assert_int_equal(d->target_kind, PP_TARGET_REAL);
	assert_string_equal(d->target, "y");
	assert_int_equal(d->standardized, 1);
	assert_true(same_bits(d->alpha, 0.1));
	assert_true(same_bits(d->l1_ratio, 1.0 / 3));
	assert_true(same_bits(d->intercept, -0.0));
	assert_int_equal(d->nfeat, 3);
	for (j = 0; j < 3; j++) {
		assert_string_equal(d->features[j], m->features[j]);
		assert_true(same_bits(d->mean[j], m->mean[j]));
		assert_true(same_bits(d->scale[j], m->scale[j]));
		assert_true(same_bits(d->coef[j], m->coef[j]));
	}
	assert_int_equal(d->nmeta, 2);
	assert_string_equal(pp_model_meta_get(d, "rows"), "241");
	assert_string_equal(pp_model_meta_get(d, "empty"), "");
	assert_null(pp_model_meta_get(d, "nope"));
	pp_model_free(d);
	pp_model_free(m);
	pp_buf_release(&a);
	pp_buf_release(&b);
}

static void
put32(char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (char)(v >> (8 * i));
}

/* How to damage a good artifact of len bytes; returns the new length. */
enum damage { D_EMPTY, D_MAGIC, D_SHORTMAGIC, D_SHORTHDR, D_NEWER,
	D_V0, D_FLAGS, D_TRUNC, D_TRAIL, D_FLIP, D_HUGE, D_RATIO };

static const struct {
	enum damage d;
	const char *msg;
} damages[] = {
	{ D_EMPTY, "m: not a model artifact" },
	{ D_MAGIC, "m: not a model artifact" },
	{ D_SHORTMAGIC, "m: truncated header (5 of 36 bytes)" },
	{ D_SHORTHDR, "m: truncated header (20 of 36 bytes)" },
	{ D_NEWER, "m: format version 4 is newer than this program reads "
	    "(3)" },
	{ D_V0, "m: corrupt header" },
	{ D_FLAGS, "m: corrupt header" },
	{ D_TRUNC, NULL },	/* message depends on the length: prefix */
	{ D_TRAIL, "m: 3 bytes after the end of the model" },
	{ D_FLIP, NULL },
	{ D_HUGE, "m: corrupt header: body length too large" },
	/* 255 MiB stated for a body of a few hundred bytes: more than
	 * deflate can pack, so refused before the allocation. */
	{ D_RATIO, "m: corrupt header: body length too large" },
};

static void
test_decode_errors(void **state)
{
	struct pp_model *m = sample();
	struct pp_buf good = PP_BUF_INIT;
	size_t i;

	(void)state;
	pp_model_encode(m, &good);
	for (i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		struct pp_err err = PP_ERR_INIT;
		char *b = malloc(good.len + 8);
		size_t n = good.len;

		memcpy(b, good.data, good.len);
		switch (damages[i].d) {
		case D_EMPTY: n = 0; break;
		case D_MAGIC: b[1] = 'X'; break;
		case D_SHORTMAGIC: n = 5; break;
		case D_SHORTHDR: n = 20; break;
		case D_NEWER: put32(b + 8, 4); break;
		case D_V0: put32(b + 8, 0); break;
		case D_FLAGS: put32(b + 12, 1); break;
		case D_TRUNC: n -= 1; break;
		case D_TRAIL: memcpy(b + n, "abc", 3); n += 3; break;
		case D_FLIP: b[n - 1] ^= 0x40; break;
		case D_HUGE: put32(b + 20, 1); break;
		case D_RATIO: put32(b + 16, 255u << 20); break;
		}
		assert_null(pp_model_decode(b, n, "m", &err));
		assert_int_equal(err.code, PP_EXIT_DATA);
		if (damages[i].msg != NULL)
			assert_string_equal(err.msg, damages[i].msg);
		else if (damages[i].d == D_TRUNC)
			assert_non_null(strstr(err.msg, "m: truncated (body has "));
		else
			assert_true(strstr(err.msg, "m: corrupt body") == err.msg ||
			    strstr(err.msg, "m: checksum mismatch") == err.msg);
		free(b);
	}
	pp_model_free(m);
	pp_buf_release(&good);
}

static void
test_predict(void **state)
{
	static const char *const names[] = { "a", "b" };
	static const struct {
		double x[2], eta, proba, cls;
	} rows[] = {
		{ { 0, 0 }, 0.5, 0.6224593312018546, 1 },
		{ { 2, 1 }, 0.5 + 1 - 2, 0.3775406687981454, 0 },
		{ { -1, 3 }, 0.5 - 0.5 - 6, 0.0024726231566347743, 0 },
		{ { 1e300, 0 }, 0.5 + 5e299, 1, 1 },
		{ { 1e308, -1e308 }, INFINITY, 1, 1 },
		{ { NAN, 0 }, NAN, NAN, NAN },
		{ { 0, NAN }, NAN, NAN, NAN },
		{ { INFINITY, 0 }, NAN, NAN, NAN },
		{ { 0, -INFINITY }, NAN, NAN, NAN },
	};
	struct pp_model *m = pp_model_new(PP_MODEL_LOGISTIC, "y", 2, names);
	size_t i;

	(void)state;
	m->intercept = 0.5;
	m->coef[0] = 1;
	m->scale[0] = 2;
	m->coef[1] = -2;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double e = pp_model_eta(m, rows[i].x);
		double p = pp_model_predict(m, rows[i].x, 1);
		double c = pp_model_predict(m, rows[i].x, 0);

		if (isnan(rows[i].eta)) {
			assert_true(isnan(e) && isnan(p) && isnan(c));
			continue;
		}
		assert_true(e == rows[i].eta);
		assert_true(fabs(p - rows[i].proba) <= 1e-15);
		assert_true(c == rows[i].cls);
	}
	m->kind = PP_MODEL_RIDGE;
	assert_true(pp_model_predict(m, rows[1].x, 1) == rows[1].eta);
	pp_model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_predict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
