/*
 * test_radix.c - the stable radix sort of 16-byte records (lib/radix.c).
 *
 * Plan: every path of the sort against a reference (a stable merge sort
 * written here, comparing the same keys) on records whose other 8 bytes
 * are their input position, so that a wrong order and a broken tie order
 * both show.  Sizes pick the paths: fewer than 32 records (insertion
 * sort), a few thousand (the LSD sort alone), 200,000 (MSD splits, the
 * second thread, LSD in the buckets), and 300,000 records whose keys all
 * share their top 32 bits (splits skipped until the digits differ; the
 * last 16 bits by LSD).  Keys: unsigned integers with many duplicates;
 * doubles of both signs with -0, 0, infinities, subnormals and ties, the
 * key at offset 0 or 8.  Ranking (pp_radix_rank16) against the reference
 * sort followed by average ranks over runs of equal values, on the same
 * sizes and on keys half of them -0 and 0 (a tie that spans the two
 * buckets either side of the sign bit) or sharing their top 16 bits.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "radix.h"
#include "testutil.h"
#include "banned.h"

struct rec {
	uint64_t w[2];		/* the key in one, the position in the other */
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t
order_key(const struct rec *r, size_t off, enum pp_radix_key kind)
{
	uint64_t u = r->w[off / 8];

	if (kind == PP_RADIX_F64)
		u = u >> 63 ? ~u : u | 0x8000000000000000ULL;
	return u;
}

/* The reference: a stable top-down merge sort. */
static void
merge_sort(struct rec *v, struct rec *tmp, size_t n, size_t off,
    enum pp_radix_key kind)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, h, off, kind);
	merge_sort(v + h, tmp, n - h, off, kind);
	while (i < h && j < n)
		tmp[k++] = order_key(&v[j], off, kind) <
		    order_key(&v[i], off, kind) ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/* Sort v both ways and compare every byte. */
static void
check_sort(struct rec *v, size_t n, size_t off, enum pp_radix_key kind)
{
	struct rec *want = test_malloc(n * sizeof(*v) + 1);
	struct rec *tmp = test_malloc(n * sizeof(*v) + 1);
	size_t i;

	for (i = 0; i < n; i++)
		v[i].w[1 - off / 8] = i;
	memcpy(want, v, n * sizeof(*v));
	merge_sort(want, tmp, n, off, kind);
	pp_radix_sort16(v, n, off, kind);
	for (i = 0; i < n; i++)
		if (memcmp(&v[i], &want[i], sizeof(*v)) != 0)
			fail_msg("n %zu off %zu: record %zu differs", n, off, i);
	test_free(want);
	test_free(tmp);
}

static uint64_t
dbl_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

/* Doubles as a column of returns looks: a few thousand distinct values
 * of both signs, and the awkward ones. */
static uint64_t
some_double(void)
{
	static const double odd[] = { 0.0, -0.0, INFINITY, -INFINITY,
		4.9e-324, -4.9e-324, 2.2250738585072014e-308, 1e308, -1e308 };
	uint64_t r = next();

	if (r % 50 == 0)
		return dbl_bits(odd[(r >> 8) % (sizeof(odd) / sizeof(odd[0]))]);
	return dbl_bits(((double)(int64_t)(r >> 20 & 0x3fff) - 8192) / 1e5);
}

static void
sizes_of_u64_keys(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 31, 32, 33, 5000, 200000 };
	size_t s, i;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		struct rec *v = test_malloc(n * sizeof(*v) + 1);

		for (i = 0; i < n; i++)	/* wide keys, each about 4 times */
			v[i].w[0] = (next() % (n / 4 + 1)) * 0x9e3779b97f4a7c15ULL;
		check_sort(v, n, 0, PP_RADIX_U64);
		test_free(v);
	}
}

static void
sizes_of_double_keys(void **state)
{
	static const size_t sizes[] = { 7, 31, 5000, 200000 };
	size_t s, i, off;

	(void)state;
	for (off = 0; off <= 8; off += 8)
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t n = sizes[s];
			struct rec *v = test_malloc(n * sizeof(*v) + 1);

			for (i = 0; i < n; i++)
				v[i].w[off / 8] = some_double();
			check_sort(v, n, off, PP_RADIX_F64);
			test_free(v);
		}
}

static void
keys_sharing_their_top_bits(void **state)
{
	size_t n = 300000, i;
	struct rec *v = test_malloc(n * sizeof(*v));

	(void)state;
	for (i = 0; i < n; i++)
		v[i].w[0] = 0xfeedbeef00000000ULL | (next() & 0xffffffffULL);
	check_sort(v, n, 0, PP_RADIX_U64);
	for (i = 0; i < n; i++)	/* and only the last 16 bits differ */
		v[i].w[0] = 0xfeedbeefcafe0000ULL | (next() & 0xffffULL);
	check_sort(v, n, 0, PP_RADIX_U64);
	for (i = 0; i < n; i++)	/* one key: the input order stays */
		v[i].w[0] = 42;
	check_sort(v, n, 0, PP_RADIX_U64);
	test_free(v);
}

/* Rank v both ways (the key's doubles become ranks) and compare every
 * byte. */
static void
check_rank(struct rec *v, size_t n, size_t off)
{
	struct rec *want = test_malloc(n * sizeof(*v) + 1);
	struct rec *tmp = test_malloc(n * sizeof(*v) + 1);
	size_t i = 0, j, k;

	for (k = 0; k < n; k++)
		v[k].w[1 - off / 8] = k;
	memcpy(want, v, n * sizeof(*v));
	merge_sort(want, tmp, n, off, PP_RADIX_F64);
	while (i < n) {
		double x, y, r;

		memcpy(&x, &want[i].w[off / 8], sizeof(x));
		for (j = i + 1; j < n; j++) {
			memcpy(&y, &want[j].w[off / 8], sizeof(y));
			if (y != x)
				break;
		}
		r = ((double)(i + 1) + (double)j) / 2;
		for (k = i; k < j; k++)
			memcpy(&want[k].w[off / 8], &r, sizeof(r));
		i = j;
	}
	pp_radix_rank16(v, n, off, tmp);
	for (k = 0; k < n; k++)
		if (memcmp(&v[k], &want[k], sizeof(*v)) != 0)
			fail_msg("rank n %zu off %zu: record %zu differs", n,
			    off, k);
	test_free(want);
	test_free(tmp);
}

static void
ranks_of_double_keys(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 31, 32, 5000, 200000 };
	size_t s, i, off, n;
	struct rec *v;

	(void)state;
	for (off = 0; off <= 8; off += 8)
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			n = sizes[s];
			v = test_malloc(n * sizeof(*v) + 1);
			for (i = 0; i < n; i++)
				v[i].w[off / 8] = some_double();
			check_rank(v, n, off);
			test_free(v);
		}
	n = 200000;
	v = test_malloc(n * sizeof(*v));
	for (i = 0; i < n; i++) {	/* -0 and 0 tie across the split */
		uint64_t r = next();

		v[i].w[0] = r % 4 == 0 ? dbl_bits(0.0) : r % 4 == 1 ?
		    dbl_bits(-0.0) : some_double();
	}
	check_rank(v, n, 0);
	for (i = 0; i < n; i++)	/* one top-16 bucket: split further down */
		v[i].w[0] = dbl_bits(1.0 + (double)(next() % 50000) / 1e9);
	check_rank(v, n, 0);
	for (i = 0; i < n; i++)	/* one value */
		v[i].w[0] = dbl_bits(-2.5);
	check_rank(v, n, 0);
	test_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_of_u64_keys),
		cmocka_unit_test(sizes_of_double_keys),
		cmocka_unit_test(keys_sharing_their_top_bits),
		cmocka_unit_test(ranks_of_double_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
