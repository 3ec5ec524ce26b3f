/*
 * test_gunzip.c - gzip decompression on the read path.
 *
 * Plan: data compressed here with zlib comes back byte for byte whatever
 * the raw stream's read size (1 byte, 7, a whole block) and the reader's
 * (1, 100, 64 KiB); two members read as one stream; an empty member is
 * the empty stream; every proper prefix of a member is "truncated"; a
 * flipped byte in the body is an error, never wrong bytes; a raw read
 * error is -1 with no message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "gunzip.h"
#include "banned.h"

struct raw {
	const unsigned char *p;
	size_t n, pos, step;
	int fail;
};

static long
raw_read(void *ctx, void *dst, size_t n)
{
	struct raw *r = ctx;
	size_t k = r->n - r->pos;

	if (r->fail)
		return -1;
	if (k > n)
		k = n;
	if (k > r->step)
		k = r->step;
	memcpy(dst, r->p + r->pos, k);
	r->pos += k;
	return (long)k;
}

/* gzip of p[0..n) appended to out at *len (out holds cap bytes). */
static void
gz(const void *p, size_t n, unsigned char *out, size_t *len, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = out + *len;
	z.avail_out = (uInt)(cap - *len);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*len = cap - z.avail_out;
	deflateEnd(&z);
}

/* Read everything (chunk bytes a call): the count, or -1 and *why. */
static long
drain(const unsigned char *in, size_t n, size_t step, size_t chunk,
    unsigned char *out, size_t cap, const char **why)
{
	struct raw r = { in, n, 0, step, 0 };
	struct pp_gunzip *g;
	size_t len = 0;
	long k;

	/* The reader has seen the first bytes already: hand over two. */
	r.pos = n < 2 ? n : 2;
	g = pp_gunzip_new(in, r.pos, raw_read, &r);
	while ((k = pp_gunzip_read(g, out + len, cap - len < chunk ?
	    cap - len : chunk, why)) > 0)
		len += (size_t)k;
	pp_gunzip_free(g);
	return k == -1 ? -1 : (long)len;
}

static unsigned char *
text(size_t n)
{
	unsigned char *t = malloc(n);
	size_t i;

	assert_non_null(t);
	for (i = 0; i < n; i++)	/* compressible but not trivially */
		t[i] = (unsigned char)("0123456789,\n"[(i * 7 + i / 13) % 12]);
	return t;
}

static void
test_round_trip(void **state)
{
	static const size_t steps[] = { 1, 7, 1 << 20 };
	static const size_t chunks[] = { 1, 100, 65536 };
	size_t n = 300000, cap = 2 * n, len = 0, i, j;
	unsigned char *t = text(n), *z = malloc(cap), *out = malloc(n + 1);
	const char *why;

	(void)state;
	gz(t, n, z, &len, cap);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			if (steps[i] == 1 && chunks[j] == 1)
				continue;	/* slow, and nothing new */
			assert_int_equal(drain(z, len, steps[i], chunks[j],
			    out, n + 1, &why), (long)n);
			assert_memory_equal(out, t, n);
		}
	free(t);
	free(z);
	free(out);
}

static void
test_members(void **state)
{
	unsigned char z[256], out[64];
	size_t len = 0;
	const char *why;

	(void)state;
	gz("date,close\n", 11, z, &len, sizeof(z));
	gz("", 0, z, &len, sizeof(z));
	gz("2024-01-02,1\n", 13, z, &len, sizeof(z));
	assert_int_equal(drain(z, len, 5, 64, out, sizeof(out), &why), 24);
	assert_memory_equal(out, "date,close\n2024-01-02,1\n", 24);
	len = 0;
	gz("", 0, z, &len, sizeof(z));
	assert_int_equal(drain(z, len, 64, 64, out, sizeof(out), &why), 0);
}

static void
test_truncated_and_corrupt(void **state)
{
	size_t n = 5000, len = 0, cut;
	unsigned char *t = text(n), z[8192], out[8192];
	const char *why;

	(void)state;
	gz(t, n, z, &len, sizeof(z));
	for (cut = 2; cut < len; cut++) {
		long k = drain(z, cut, 4096, 4096, out, sizeof(out), &why);

		if (k != -1)
			fail_msg("a prefix of %zu of %zu bytes read as %ld",
			    cut, len, k);
		assert_non_null(why);
	}
	assert_int_equal(drain(z, len / 2, 4096, 4096, out, sizeof(out),
	    &why), -1);
	assert_string_equal(why, "truncated (the stream ends inside a "
	    "member)");
	z[len / 2] ^= 0x55;
	assert_int_equal(drain(z, len, 4096, 4096, out, sizeof(out), &why), -1);
	assert_non_null(why);
	free(t);
}

static void
test_raw_error(void **state)
{
	unsigned char z[64], out[64];
	size_t len = 0;
	struct raw r;
	struct pp_gunzip *g;
	const char *why = "x";

	(void)state;
	gz("abc", 3, z, &len, sizeof(z));
	r = (struct raw){ z, len, 2, 64, 1 };
	g = pp_gunzip_new(z, 2, raw_read, &r);
	assert_int_equal(pp_gunzip_read(g, out, sizeof(out), &why), -1);
	assert_null(why);
	pp_gunzip_free(g);
	pp_gunzip_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_truncated_and_corrupt),
		cmocka_unit_test(test_raw_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
