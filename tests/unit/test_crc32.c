/*
 * test_crc32.c - pp_crc32 equals zlib's crc32 for every length from 0 to
 * 2100 at every alignment 0..15, for large buffers, and when chained.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <zlib.h>

#include "crc32.h"
#include "util.h"
#include "banned.h"

static unsigned char *
random_bytes(size_t n, uint64_t seed)
{
	unsigned char *b = pp_xmalloc(n);
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		b[i] = (unsigned char)(seed >> 56);
	}
	return b;
}

static void
test_every_length_and_alignment(void **state)
{
	unsigned char *b = random_bytes(2200, 1);
	size_t off, n;

	(void)state;
	for (off = 0; off < 16; off++)
		for (n = 0; n <= 2100; n++) {
			uint32_t want = (uint32_t)crc32_z(0, b + off, n);
			uint32_t got = pp_crc32(0, b + off, n);

			if (got != want)
				fail_msg("len %zu off %zu: %08x, want %08x", n,
				    off, got, want);
		}
	free(b);
}

static void
test_known_values(void **state)
{
	(void)state;
	/* The check value of CRC-32/ISO-HDLC. */
	assert_int_equal(pp_crc32(0, "123456789", 9), 0xcbf43926);
	assert_int_equal(pp_crc32(0, NULL, 0), 0);
}

static void
test_large_and_chained(void **state)
{
	size_t n = 5u << 20;
	unsigned char *b = random_bytes(n, 7);
	uint32_t want = (uint32_t)crc32_z(0, b, n);
	uint32_t c = 0;
	size_t at = 0, step = 1;

	(void)state;
	assert_int_equal(pp_crc32(0, b, n), want);
	while (at < n) {
		size_t k = step < n - at ? step : n - at;

		c = pp_crc32(c, b + at, k);
		at += k;
		step = step * 3 + 1;
	}
	assert_int_equal(c, want);
	b[n / 2] ^= 1;
	assert_int_not_equal(pp_crc32(0, b, n), want);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_every_length_and_alignment),
		cmocka_unit_test(test_large_and_chained),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
