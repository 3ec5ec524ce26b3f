/*
 * test_oip.c - pp-serve's request and response JSON (lib/oip.c).
 *
 * Plan:
 *  - V2 decode: the [N, F] matrix flat and nested, per-feature tensors in
 *    any order, FP32 accepted, the request id kept; a table of bad
 *    requests, each with its exact message (malformed JSON, not an object,
 *    no inputs, bad names, datatypes, shapes, counts, unknown and
 *    duplicate features, missing feature, deep nesting, non-numbers).
 *  - missing values: null, "NaN", "Infinity", "-Infinity" refused naming
 *    row and feature, accepted with allow_nan as NaN/inf.
 *  - V1 decode: objects (extra keys ignored) and arrays; bad instances.
 *  - the plain V1 reader (oip_plain.c): takes the usual bodies with the
 *    JSON reader's values, bit for bit (-0 as an integer is +0, as a real
 *    -0; null NaN), and declines, for the JSON reader to decide, every
 *    body it does not fully understand: other keys, escapes, strings,
 *    duplicate or missing features, wrong counts, big integers, overflow,
 *    trailing bytes, malformed JSON.
 *  - the plain V1 reader on 300,000 bodies of three random numbers (1 to
 *    20 digits before and after the point, leading zeros, exponents, space
 *    or none, so that digit runs meet the body's end at every offset):
 *    whatever it takes, the JSON reader gives the same bits.
 *  - the plain V2 reader, the same way: the [N, F] tensor flat, as rows
 *    or mixed, keys in any order, FP32, with or without an id, taken
 *    with the JSON reader's values and id; declined: per-feature inputs,
 *    an input named as a feature, other keys, escapes, wrong or real
 *    shapes, counts off, nesting too deep, duplicate keys.
 *  - bars: one object or a list, extra keys ignored, missing prices only
 *    with allow_nan; a table of bad bodies with their exact messages.
 *  - encode: V2 and V1 answers byte for byte, non-finite as null,
 *    metadata, error bodies, and JSON strings with quotes, control
 *    characters and invalid UTF-8.
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

#include "oip.h"
#include "testutil.h"

static struct pp_model *
model3(enum pp_model_kind kind)
{
	static const char *const names[] = { "f1", "f2", "f3" };

	return pp_model_new(kind, "y", 3, names);
}

static int
v2(const struct pp_model *m, const char *body, int allow_nan,
    struct pp_oip_rows *r, struct pp_err *err)
{
	pp_err_clear(err);
	return pp_oip_decode_v2(body, strlen(body), m, allow_nan, r, err);
}

static void
test_v2_shapes(void **state)
{
	static const char *const ok[] = {
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":"
		"\"FP64\",\"data\":[1,2,3,4,5,6]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":"
		"\"FP64\",\"data\":[[1,2,3],[4,5,6]]}]}",
		"{\"inputs\":[{\"name\":\"f3\",\"shape\":[2],\"datatype\":"
		"\"FP64\",\"data\":[3,6]},{\"name\":\"f1\",\"shape\":[2,1],"
		"\"datatype\":\"FP32\",\"data\":[[1],[4]]},{\"name\":\"f2\","
		"\"shape\":[2],\"datatype\":\"FP64\",\"data\":[2.0,5]}],"
		"\"id\":\"r-1\"}",
	};
	struct pp_model *m = model3(PP_MODEL_RIDGE);
	struct pp_oip_rows r = PP_OIP_ROWS_INIT;
	struct pp_err err = PP_ERR_INIT;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(v2(m, ok[i], 0, &r, &err), 0);
		assert_int_equal(r.n, 2);
		assert_int_equal(r.nfeat, 3);
		for (k = 0; k < 6; k++)
			assert_true(r.x[k] == (double)(k + 1));
	}
	assert_string_equal(r.id, "r-1");
	pp_oip_rows_release(&r);
	pp_model_free(m);
}

static void
test_v2_errors(void **state)
{
	static const struct {
		const char *body, *msg;
	} rows[] = {
		{ "{\"inputs\":[", "malformed JSON: line 1 column 11: ']' "
		  "expected near end of file" },
		{ "[1]", "the body is not a JSON object" },
		{ "{}", "no \"inputs\" array" },
		{ "{\"inputs\":[]}", "no \"inputs\" array" },
		{ "{\"inputs\":{}}", "no \"inputs\" array" },
		{ "{\"inputs\":[1]}", "input 1 is not an object" },
		{ "{\"inputs\":[{\"shape\":[1,3]}]}", "input 1 has no \"name\"" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":"
		  "\"INT8\",\"data\":[1,2,3]}]}",
		  "input \"x\": \"datatype\" must be FP64" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":"
		  "\"FP64\",\"data\":[1,2,3,4]}]}", "input \"x\": shape must "
		  "be [N, 3] (the model's features in order), or one input per "
		  "feature" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[3],\"datatype\":"
		  "\"FP64\",\"data\":[1,2,3]}]}", "input \"x\": shape must be "
		  "[N, 3] (the model's features in order), or one input per "
		  "feature" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":"
		  "\"FP64\",\"data\":[1,2,3,4,5]}]}",
		  "input \"x\": shape [2, 3] but 5 values" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":"
		  "\"FP64\",\"data\":[1,2,3,4]}]}",
		  "input \"x\": shape [1, 3] but 4 values" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[0,3],\"datatype\":"
		  "\"FP64\",\"data\":[]}]}",
		  "input \"x\": \"shape\" must hold positive integers" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,1],\"datatype\":"
		  "\"FP64\",\"data\":[1,2,3]}]}",
		  "input \"x\": \"shape\" must be [N] or [N, F]" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[9999999999,3],"
		  "\"datatype\":\"FP64\",\"data\":[]}]}",
		  "input \"x\": more than 1000000 rows" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":"
		  "\"FP64\",\"data\":[[[1,2,3]]]}]}",
		  "input \"x\": \"data\" nested deeper than the shape" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":"
		  "\"FP64\",\"data\":[1,\"2\",3]}]}",
		  "input \"x\": value 2 is not a number" },
		{ "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":"
		  "\"FP64\",\"data\":{}}]}",
		  "input \"x\": \"data\" is not an array" },
		{ "{\"inputs\":[{\"name\":\"f1\",\"shape\":[1],\"datatype\":"
		  "\"FP64\",\"data\":[1]},{\"name\":\"f1\",\"shape\":[1],"
		  "\"datatype\":\"FP64\",\"data\":[1]}]}",
		  "input \"f1\" given twice" },
		{ "{\"inputs\":[{\"name\":\"f1\",\"shape\":[1],\"datatype\":"
		  "\"FP64\",\"data\":[1]},{\"name\":\"f9\",\"shape\":[1],"
		  "\"datatype\":\"FP64\",\"data\":[1]}]}",
		  "input \"f9\": not a feature of the model" },
		{ "{\"inputs\":[{\"name\":\"f1\",\"shape\":[1],\"datatype\":"
		  "\"FP64\",\"data\":[1]},{\"name\":\"f2\",\"shape\":[1],"
		  "\"datatype\":\"FP64\",\"data\":[1]}]}",
		  "no input for feature \"f3\"" },
		{ "{\"inputs\":[{\"name\":\"f1\",\"shape\":[1],\"datatype\":"
		  "\"FP64\",\"data\":[1]},{\"name\":\"f2\",\"shape\":[2],"
		  "\"datatype\":\"FP64\",\"data\":[1,2]}]}",
		  "input \"f2\": 2 rows, others have 1" },
		{ "{\"inputs\":[{\"name\":\"f1\",\"shape\":[1,2],\"datatype\":"
		  "\"FP64\",\"data\":[1,2]}]}", "input \"f1\": shape must be "
		  "[N]" },
		{ "{\"id\":7,\"inputs\":[]}", "no \"inputs\" array" },
		{ "{\"id\":7,\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		  "\"datatype\":\"FP64\",\"data\":[1,2,3]}]}",
		  "\"id\" is not a string" },
		{ "{\"inputs\":1,\"inputs\":2}", "malformed JSON: line 1 "
		  "column 20: duplicate object key near '\"inputs\"'" },
	};
	struct pp_model *m = model3(PP_MODEL_RIDGE);
	struct pp_oip_rows r = PP_OIP_ROWS_INIT;
	struct pp_err err = PP_ERR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(v2(m, rows[i].body, 0, &r, &err), -1);
		assert_string_equal(err.msg, rows[i].msg);
		assert_int_equal(err.code, PP_EXIT_DATA);
		assert_null(r.x);
		assert_null(r.id);
	}
	pp_model_free(m);
}

static void
test_missing(void **state)
{
	static const char *const body = "{\"inputs\":[{\"name\":\"x\","
	    "\"shape\":[4,3],\"datatype\":\"FP64\",\"data\":[1,2,3,1,null,3,"
	    "\"NaN\",2,3,1,\"Infinity\",\"-Infinity\"]}]}";
	struct pp_model *m = model3(PP_MODEL_RIDGE);
	struct pp_oip_rows r = PP_OIP_ROWS_INIT;
	struct pp_err err = PP_ERR_INIT;

	(void)state;
	assert_int_equal(v2(m, body, 0, &r, &err), -1);
	assert_string_equal(err.msg, "row 2: feature \"f2\": missing value "
	    "(NaN, infinite or null)");
	assert_int_equal(v2(m, body, 1, &r, &err), 0);
	assert_true(isnan(r.x[4]) && isnan(r.x[6]));
	assert_true(r.x[10] == INFINITY && r.x[11] == -INFINITY);
	pp_oip_rows_release(&r);
	pp_model_free(m);
}

static void
test_v1(void **state)
{
	static const struct {
		const char *body, *msg;
	} bad[] = {
		{ "{\"instances\":[]}", "no \"instances\" array" },
		{ "{\"inputs\":[[1,2,3]]}", "no \"instances\" array" },
		{ "{\"instances\":[[1,2]]}", "instance 1: 2 values, the model "
		  "has 3 features" },
		{ "{\"instances\":[[1,2,3],{\"f1\":1,\"f3\":3}]}",
		  "instance 2: no feature \"f2\"" },
		{ "{\"instances\":[[1,true,3]]}",
		  "instance 1: feature \"f2\": not a number" },
		{ "{\"instances\":[7]}", "instance 1 is neither an object nor "
		  "an array" },
		{ "{\"instances\":[[1,2,null]]}", "instance 1: feature \"f3\": "
		  "missing value (NaN, infinite or null)" },
	};
	static const char *const ok = "{\"instances\":[{\"f3\":3,\"f2\":2,"
	    "\"f1\":1,\"other\":\"x\"},[4,5,6]]}";
	struct pp_model *m = model3(PP_MODEL_RIDGE);
	struct pp_oip_rows r = PP_OIP_ROWS_INIT;
	struct pp_err err = PP_ERR_INIT;
	size_t i;

	(void)state;
	assert_int_equal(pp_oip_decode_v1(ok, strlen(ok), m, 0, &r, &err), 0);
	assert_int_equal(r.n, 2);
	for (i = 0; i < 6; i++)
		assert_true(r.x[i] == (double)(i + 1));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pp_err_clear(&err);
		assert_int_equal(pp_oip_decode_v1(bad[i].body,
		    strlen(bad[i].body), m, 0, &r, &err), -1);
		assert_string_equal(err.msg, bad[i].msg);
		assert_null(r.x);
	}
	pp_model_free(m);
}

/* Both V1 readers on body: the plain one must take it (want 0) or
 * decline it (want 1); when it takes it, the JSON reader gives the same
 * bits. */
static void
plain_case(const struct pp_model *m, const char *body, int want)
{
	struct pp_oip_rows p = PP_OIP_ROWS_INIT, j = PP_OIP_ROWS_INIT;
	struct pp_err err = PP_ERR_INIT;
	int rc = pp_oip_decode_v1_plain(body, strlen(body), m, &p);

	if (rc != want)
		fail_msg("plain reader: %d for %s", rc, body);
	if (rc == 1) {
		assert_null(p.x);
		return;
	}
	assert_int_equal(pp_oip_decode_v1_json(body, strlen(body), m, 1, &j,
	    &err), 0);
	assert_int_equal(p.n, j.n);
	assert_int_equal(p.nfeat, 3);
	assert_memory_equal(p.x, j.x, p.n * 3 * sizeof(double));
	pp_oip_rows_release(&p);
	pp_oip_rows_release(&j);
}

/* A random JSON number at o: sign, integer part, fraction, exponent. */
static int
random_number(uint64_t *st, char *o)
{
	uint64_t r = rnd(st);
	int n = 0, k, ni = (int)(r % 21), nf = (int)((r >> 5) % 21);

	if ((r >> 10) & 1)
		o[n++] = '-';
	if (ni == 0 || (r >> 11) % 4 == 0) {
		o[n++] = '0';
	} else {
		o[n++] = (char)('1' + rnd(st) % 9);
		for (k = 1; k < ni; k++)
			o[n++] = (char)('0' + rnd(st) % 10);
	}
	if ((r >> 13) % 4 != 0 || nf > 0) {
		o[n++] = '.';
		for (k = 0; k < (nf ? nf : 1); k++)
			o[n++] = (char)('0' + ((r >> 15) % 3 == 0 && k < 4 ? 0 :
			    rnd(st) % 10));
	}
	if ((r >> 17) % 6 == 0)
		n += sprintf(o + n, "%s%d", (r >> 20) & 1 ? "e" : "E-",
		    (int)((r >> 21) % 40));
	return n;
}

static void
test_v1_plain_random(void **state)
{
	struct pp_model *m = model3(PP_MODEL_RIDGE);
	uint64_t st = 8128;
	char body[256];
	long i, took = 0;
	int n, j;

	(void)state;
	for (i = 0; i < 300000; i++) {
		struct pp_oip_rows p = PP_OIP_ROWS_INIT, q = PP_OIP_ROWS_INIT;
		struct pp_err err = PP_ERR_INIT;
		char *h;

		n = sprintf(body, "{\"instances\":[[");
		for (j = 0; j < 3; j++) {
			if (j > 0)
				body[n++] = ',';
			if (rnd(&st) % 3 == 0)
				body[n++] = ' ';
			n += random_number(&st, body + n);
		}
		n += sprintf(body + n, "]]}");
		/* A copy of exactly its length: ASan sees a read past it. */
		h = malloc((size_t)n);
		assert_non_null(h);
		memcpy(h, body, (size_t)n);
		if (pp_oip_decode_v1_plain(h, (size_t)n, m, &p) == 0) {
			took++;
			if (pp_oip_decode_v1_json(h, (size_t)n, m, 1, &q,
			    &err) != 0 || memcmp(p.x, q.x, 3 * sizeof(double))
			    != 0)
				fail_msg("plain and JSON differ on %.*s: %a %a "
				    "%a", n, body, p.x[0], p.x[1], p.x[2]);
		} else {
			assert_null(p.x);
		}
		free(h);
		pp_oip_rows_release(&p);
		pp_oip_rows_release(&q);
	}
	/* Most are plain (big integers and overflows are not). */
	assert_true(took > 200000);
	pp_model_free(m);
}

static void
test_v1_plain(void **state)
{
	static const char *const take[] = {
		"{\"instances\":[[1,2,3]]}",
		" {\n\t\"instances\" : [ [ -0.0135 , 4.5e-3 , 1E+2 ] ,\r\n"
		"[0, -0, null] ] } \n",
		"{\"instances\":[{\"f3\":3,\"f1\":1,\"f2\":2},[7,8,9]]}",
		"{\"instances\":[[0.1,0.30000000000000004,"
		"123456789012345678]]}",
		"{\"instances\":[[1e-400,2.2250738585072011e-308,-1.5e308]]}",
		"{\"instances\":[[9007199254740993,-0.0,5e-324]]}",
		"{\"instances\":[[1234567890123456789.5,-1e0,"
		"12345678901234567890e-3]]}",
	};
	static const char *const decline[] = {
		"", "[]", "{}", "{\"instances\":[]}", "{\"instances\":{}}",
		"{\"instances\":[[1,2,3]],\"x\":1}",
		"{\"x\":1,\"instances\":[[1,2,3]]}",
		"{\"instances\":[[1,2,3]]}x", "{\"instances\":[[1,2,3]]",
		"{\"instances\":[[1,2]]}", "{\"instances\":[[1,2,3,4]]}",
		"{\"instances\":[[1,2,\"NaN\"]]}",
		"{\"instances\":[[1,2,true]]}",
		"{\"instances\":[[1,2,01]]}", "{\"instances\":[[1,2,1.]]}",
		"{\"instances\":[[1,2,.5]]}", "{\"instances\":[[1,2,+1]]}",
		"{\"instances\":[[1,2,1e]]}", "{\"instances\":[[1,2,-]]}",
		"{\"instances\":[[1,2,nul]]}",
		"{\"instances\":[[1,2,1234567890123456789]]}",
		"{\"instances\":[[1,2,1e400]]}",
		"{\"instances\":[{\"f1\":1,\"f2\":2}]}",
		"{\"instances\":[{\"f1\":1,\"f2\":2,\"f1\":3}]}",
		"{\"instances\":[{\"f1\":1,\"f2\":2,\"f3\":3,\"f4\":4}]}",
		"{\"instances\":[{\"f\\u0031\":1,\"f2\":2,\"f3\":3}]}",
		"{\"instances\":[{\"f1\":1,\"f2\":2,\"f3\xc3\xa9\":3}]}",
		"{\"instances\":[[1,2,3],]}", "{\"instances\":[[1,2,3]]}}",
		"{\"instances\":[7]}",
	};
	struct pp_model *m = model3(PP_MODEL_RIDGE);
	struct pp_oip_rows r = PP_OIP_ROWS_INIT;
	const char *neg0 = "{\"instances\":[[-0,-0.0,-0e0]]}";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(take) / sizeof(take[0]); i++)
		plain_case(m, take[i], 0);
	for (i = 0; i < sizeof(decline) / sizeof(decline[0]); i++)
		plain_case(m, decline[i], 1);
	assert_int_equal(pp_oip_decode_v1_plain(neg0, strlen(neg0), m, &r), 0);
	assert_false(signbit(r.x[0]));
	assert_true(signbit(r.x[1]) && signbit(r.x[2]));
	pp_oip_rows_release(&r);
	pp_model_free(m);
}

static void
plain_v2_case(const struct pp_model *m, const char *body, int want)
{
	struct pp_oip_rows p = PP_OIP_ROWS_INIT, j = PP_OIP_ROWS_INIT;
	struct pp_err err = PP_ERR_INIT;
	int rc = pp_oip_decode_v2_plain(body, strlen(body), m, &p);

	if (rc != want)
		fail_msg("plain V2 reader: %d for %s", rc, body);
	if (rc == 1) {
		assert_null(p.x);
		assert_null(p.id);
		return;
	}
	assert_int_equal(pp_oip_decode_v2_json(body, strlen(body), m, 1, &j,
	    &err), 0);
	assert_int_equal(p.n, j.n);
	assert_memory_equal(p.x, j.x, p.n * 3 * sizeof(double));
	if (j.id == NULL)
		assert_null(p.id);
	else
		assert_string_equal(p.id, j.id);
	pp_oip_rows_release(&p);
	pp_oip_rows_release(&j);
}

static void
test_v2_plain(void **state)
{
	static const char *const take[] = {
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],"
		"\"datatype\":\"FP64\",\"data\":[[1,2,3],[4.5,-0,null]]}]}",
		" { \"id\" : \"r-1\" , \"inputs\" : [ { \"data\" : [ 1 , 2 ,"
		" 3 ] , \"datatype\" : \"FP32\" , \"shape\" : [ 1 , 3 ] , "
		"\"name\" : \"\" } ] }\n",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],"
		"\"datatype\":\"FP64\",\"data\":[1,[2,3,4],5,6e-3]}],"
		"\"id\":\"\"}",
	};
	static const char *const decline[] = {
		"{\"inputs\":[{\"name\":\"f1\",\"shape\":[1],\"datatype\":"
		"\"FP64\",\"data\":[1]},{\"name\":\"f2\",\"shape\":[1],"
		"\"datatype\":\"FP64\",\"data\":[2]},{\"name\":\"f3\","
		"\"shape\":[1],\"datatype\":\"FP64\",\"data\":[3]}]}",
		"{\"inputs\":[{\"name\":\"f1\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3],\"parameters\":{}}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3]}],\"outputs\":[]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3]}],\"id\":\"a\\n\"}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3]}],\"id\":7}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		"\"datatype\":\"INT64\",\"data\":[1,2,3]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3.0],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[0,3],"
		"\"datatype\":\"FP64\",\"data\":[]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3,4]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\",\"data\":[[[1,2,3]]]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,\"NaN\"]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"name\":\"y\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3]}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3]}],\"id\":\"a\","
		"\"id\":\"b\"}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\"}]}",
		"{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],"
		"\"datatype\":\"FP64\",\"data\":[1,2,3]}]} x",
		"{\"inputs\":[]}", "{}", "",
	};
	struct pp_model *m = model3(PP_MODEL_RIDGE);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(take) / sizeof(take[0]); i++)
		plain_v2_case(m, take[i], 0);
	for (i = 0; i < sizeof(decline) / sizeof(decline[0]); i++)
		plain_v2_case(m, decline[i], 1);
	pp_model_free(m);
}

static void
test_encode(void **state)
{
	static const char *const vers[] = { "3", "4" };
	const double pred[] = { 0.1, -2, NAN, 1e308 }, proba[] = { 0.5, 1, 0,
		INFINITY };
	struct pp_model *m = model3(PP_MODEL_LOGISTIC);
	struct pp_buf b = PP_BUF_INIT;

	(void)state;
	pp_oip_encode_v2(&b, "m", "3", "a\"b", pred, proba, 4);
	assert_string_equal(b.data, "{\"model_name\":\"m\",\"model_version\":"
	    "\"3\",\"id\":\"a\\\"b\",\"outputs\":[{\"name\":\"prediction\","
	    "\"shape\":[4],\"datatype\":\"FP64\",\"data\":[0.1,-2,null,"
	    "1e+308]},{\"name\":\"probability\",\"shape\":[4],\"datatype\":"
	    "\"FP64\",\"data\":[0.5,1,0,null]}]}");
	pp_buf_reset(&b);
	pp_oip_encode_v2(&b, "m", "1", NULL, pred, NULL, 1);
	assert_string_equal(b.data, "{\"model_name\":\"m\",\"model_version\":"
	    "\"1\",\"outputs\":[{\"name\":\"prediction\",\"shape\":[1],"
	    "\"datatype\":\"FP64\",\"data\":[0.1]}]}");
	pp_buf_reset(&b);
	pp_oip_encode_v1(&b, pred, 3);
	assert_string_equal(b.data, "{\"predictions\":[0.1,-2,null]}");
	pp_buf_reset(&b);
	pp_oip_encode_metadata(&b, m, "m", vers, 2);
	assert_string_equal(b.data, "{\"name\":\"m\",\"versions\":[\"3\","
	    "\"4\"],\"platform\":\"pp-logistic\",\"inputs\":[{\"name\":\"f1\","
	    "\"datatype\":\"FP64\",\"shape\":[-1]},{\"name\":\"f2\","
	    "\"datatype\":\"FP64\",\"shape\":[-1]},{\"name\":\"f3\","
	    "\"datatype\":\"FP64\",\"shape\":[-1]}],\"outputs\":[{\"name\":"
	    "\"prediction\",\"datatype\":\"FP64\",\"shape\":[-1]},{\"name\":"
	    "\"probability\",\"datatype\":\"FP64\",\"shape\":[-1]}]}");
	pp_buf_reset(&b);
	pp_oip_encode_error(&b, "line\none \\ \x01 caf\xc3\xa9 \xff\xc3");
	assert_string_equal(b.data, "{\"error\":\"line\\u000aone \\\\ "
	    "\\u0001 caf\xc3\xa9 \\ufffd\\ufffd\"}");
	pp_buf_release(&b);
	pp_model_free(m);
}

static int
bars(const char *body, int allow_nan, struct pp_oip_bars *b,
    struct pp_err *err)
{
	pp_err_clear(err);
	return pp_oip_decode_bars(body, strlen(body), allow_nan, b, err);
}

static void
test_bars(void **state)
{
	static const struct {
		const char *body, *msg;
	} bad[] = {
		{ "{\"symbol\":", "malformed JSON: line 1 column 10: "
		    "unexpected token near end of file" },
		{ "[]", "the body is not a bar object or a non-empty array of "
		    "them" },
		{ "3", "malformed JSON: line 1 column 1: '[' or '{' expected "
		    "near '3'" },
		{ "[1]", "bar 1 is not an object" },
		{ "{\"date\":\"2024-01-02\"}", "bar 1: \"symbol\" is "
		    "missing" },
		{ "{\"symbol\":7}", "bar 1: \"symbol\" is not a string" },
		{ "{\"symbol\":\"\"}", "bar 1: \"symbol\" must be 1 to 64 "
		    "bytes" },
		{ "{\"symbol\":\"a\\u0007b\"}", "bar 1: \"symbol\" holds a "
		    "control character or bad UTF-8" },
		{ "{\"symbol\":\"A\",\"date\":\"2024-02-30\"}", "bar 1: "
		    "\"date\" is not a date YYYY-MM-DD" },
		{ "{\"symbol\":\"A\"}", "bar 1: \"date\" is missing" },
		{ "{\"symbol\":\"A\",\"date\":\"2024-01-02\",\"open\":1}",
		    "bar 1: \"high\" is missing" },
		{ "{\"symbol\":\"A\",\"date\":\"2024-01-02\",\"open\":"
		    "true}", "bar 1: \"open\" is not a number" },
		{ "{\"symbol\":\"A\",\"symbol\":\"B\"}", "malformed JSON: "
		    "line 1 column 22: duplicate object key near '\"symbol\"'" },
	};
	const char *one = "{\"symbol\":\"A\",\"date\":\"2024-01-02\","
	    "\"open\":1,\"high\":2.5,\"low\":0.5,\"close\":2,\"volume\":"
	    "100,\"extra\":\"x\"}";
	char two[512], sym65[128];
	struct pp_oip_bars b = PP_OIP_BARS_INIT;
	struct pp_err err = PP_ERR_INIT;
	size_t i;

	(void)state;
	assert_int_equal(bars(one, 0, &b, &err), 0);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.bar[0].sym, "A");
	assert_int_equal(b.bar[0].symlen, 1);
	assert_int_equal(b.bar[0].date, 19724);
	assert_true(b.bar[0].ohlcv[0] == 1 && b.bar[0].ohlcv[1] == 2.5 &&
	    b.bar[0].ohlcv[2] == 0.5 && b.bar[0].ohlcv[3] == 2 &&
	    b.bar[0].ohlcv[4] == 100);
	snprintf(two, sizeof(two), "[%s,%s]", one, "{\"symbol\":\"caf\u00e9"
	    "\",\"date\":\"2024-01-03\",\"open\":1,\"high\":1,\"low\":1,"
	    "\"close\":null,\"volume\":1}");
	assert_int_equal(bars(two, 0, &b, &err), -1);
	assert_string_equal(err.msg, "bar 2: \"close\" is missing (NaN or "
	    "infinite)");
	assert_null(b.bar);
	assert_int_equal(bars(two, 1, &b, &err), 0);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.bar[1].sym, "caf\xc3\xa9");
	assert_true(isnan(b.bar[1].ohlcv[3]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(bars(bad[i].body, 1, &b, &err), -1);
		assert_string_equal(err.msg, bad[i].msg);
		assert_null(b.bar);
		assert_int_equal(b.n, 0);
	}
	memset(sym65, 'x', 65);
	sym65[65] = '\0';
	snprintf(two, sizeof(two), "{\"symbol\":\"%s\"}", sym65);
	assert_int_equal(bars(two, 0, &b, &err), -1);
	assert_string_equal(err.msg, "bar 1: \"symbol\" must be 1 to 64 bytes");
	pp_oip_bars_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_shapes),
		cmocka_unit_test(test_v2_errors),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v1_plain),
		cmocka_unit_test(test_v1_plain_random),
		cmocka_unit_test(test_v2_plain),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_bars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
