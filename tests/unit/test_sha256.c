/*
 * test_sha256.c - SHA-256 against FIPS 180-4 / NIST vectors, in both
 * implementations.
 *
 * Plan: every test runs once with the portable C compression and once with
 * the SHA extensions (pp_sha256_select); on a CPU or build without them the
 * second run is a cmocka skip, never a pass.
 *   vectors   known digests for the empty message, "abc", the 448- and
 *             896-bit NIST messages, lengths on either side of the padding
 *             boundary (55, 56, 63, 64, 65 bytes) and one million 'a'
 *   pieces    each of those but the million fed in pieces of every size
 *             from 1 to 70 bytes, which must not change the digest
 *   random    every length 0..1000 of pseudo-random bytes, fed in
 *             pseudo-random pieces (empty ones too), against the portable
 *             digest of the whole message
 *   large     3 MiB + 37 bytes, whole and in pieces of up to 200 KB, against
 *             the digest from sha256sum (many blocks per update)
 *   switch    (SHA extensions only) one context whose updates alternate
 *             between the implementations gives the portable digest
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"
#include "testutil.h"
#include "banned.h"

static const struct {
	char ch;		/* fill byte, or 0 to use text */
	size_t n;		/* length when filled */
	const char *text;
	const char *hex;
} vec[] = {
	{ 0, 0, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ 0, 0, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ 0, 0, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ 0, 0, "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ 'a', 55, NULL, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ 'a', 56, NULL, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
	{ 'a', 63, NULL, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
	{ 'a', 64, NULL, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
	{ 'a', 65, NULL, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	/* Last: test_pieces leaves it out. */
	{ 'a', 1000000, NULL, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

/* test_large: byte i is the top byte of i * 2654435761 mod 2^32. */
#define LARGE_N (3 * 1024 * 1024 + 37)
#define LARGE_HEX \
	"5abb4217adaa51fceb3cfa7a44516aa204a1b96b551aa6195835412c0d88bff4"

static enum pp_sha256_impl portable = PP_SHA256_PORTABLE;
static enum pp_sha256_impl shani = PP_SHA256_SHANI;

/* Use the implementation the test was given, or skip the test. */
static enum pp_sha256_impl
use(void **state)
{
	enum pp_sha256_impl which = *(enum pp_sha256_impl *)*state;

	if (pp_sha256_select(which) == -1)
		skip();
	return which;
}

static void
tohex(const unsigned char *d, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < PP_SHA256_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[PP_SHA256_HEXLEN] = '\0';
}

/* The digest of msg[0..n) fed in pieces of 0..maxpiece bytes drawn from s;
 * with alternate, the pieces go alternately through each implementation. */
static void
hash_pieces(const unsigned char *msg, size_t n, size_t maxpiece, uint64_t *s,
    int alternate, char hex[PP_SHA256_HEXLEN + 1])
{
	struct pp_sha256 c;
	unsigned char d[PP_SHA256_LEN];
	size_t off = 0, k = 0;

	pp_sha256_init(&c);
	while (off < n) {
		size_t piece = (size_t)(rnd(s) % (maxpiece + 1));

		if (piece > n - off)
			piece = n - off;
		if (alternate)
			assert_int_equal(
			    pp_sha256_select(k++ % 2 ? shani : portable), 0);
		pp_sha256_update(&c, msg + off, piece);
		off += piece;
	}
	pp_sha256_final(&c, d);
	tohex(d, hex);
}

static void
test_vectors(void **state)
{
	size_t i;

	use(state);
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		char hex[PP_SHA256_HEXLEN + 1];
		size_t n = vec[i].text ? strlen(vec[i].text) : vec[i].n;
		char *msg = malloc(n + 1);

		assert_non_null(msg);
		if (vec[i].text)
			memcpy(msg, vec[i].text, n);
		else
			memset(msg, vec[i].ch, n);
		pp_sha256_hex(msg, n, hex);
		assert_string_equal(hex, vec[i].hex);
		free(msg);
	}
}

static void
test_pieces(void **state)
{
	size_t i, piece;

	use(state);
	for (i = 0; i + 1 < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t n = vec[i].text ? strlen(vec[i].text) : vec[i].n;
		char msg[128];

		assert_true(n <= sizeof(msg));
		if (vec[i].text)
			memcpy(msg, vec[i].text, n);
		else
			memset(msg, vec[i].ch, n);
		for (piece = 1; piece <= 70; piece++) {
			struct pp_sha256 c;
			unsigned char d[PP_SHA256_LEN];
			char hex[PP_SHA256_HEXLEN + 1];
			size_t off;

			pp_sha256_init(&c);
			for (off = 0; off < n; off += piece)
				pp_sha256_update(&c, msg + off,
				    n - off < piece ? n - off : piece);
			pp_sha256_final(&c, d);
			tohex(d, hex);
			assert_string_equal(hex, vec[i].hex);
		}
	}
}

static void
test_random(void **state)
{
	enum pp_sha256_impl which = use(state);
	unsigned char msg[1000];
	uint64_t s = 0x9e3779b97f4a7c15u;
	size_t n, i;

	for (n = 0; n <= sizeof(msg); n++) {
		char want[PP_SHA256_HEXLEN + 1], got[PP_SHA256_HEXLEN + 1];

		for (i = 0; i < n; i++)
			msg[i] = (unsigned char)rnd(&s);
		assert_int_equal(pp_sha256_select(PP_SHA256_PORTABLE), 0);
		pp_sha256_hex(msg, n, want);
		assert_int_equal(pp_sha256_select(which), 0);
		hash_pieces(msg, n, 1 + rnd(&s) % 300, &s, 0, got);
		assert_string_equal(got, want);
	}
}

static void
test_large(void **state)
{
	unsigned char *msg;
	char hex[PP_SHA256_HEXLEN + 1];
	uint64_t s = 42;
	size_t i;

	use(state);	/* before the allocation, which a skip would leak */
	msg = malloc(LARGE_N);
	assert_non_null(msg);
	for (i = 0; i < LARGE_N; i++)
		msg[i] = (unsigned char)(((uint32_t)i * 2654435761u) >> 24);
	pp_sha256_hex(msg, LARGE_N, hex);
	assert_string_equal(hex, LARGE_HEX);
	hash_pieces(msg, LARGE_N, 200000, &s, 0, hex);
	assert_string_equal(hex, LARGE_HEX);
	free(msg);
}

static void
test_switch(void **state)
{
	unsigned char msg[5000];
	char want[PP_SHA256_HEXLEN + 1], got[PP_SHA256_HEXLEN + 1];
	uint64_t s = 7;
	size_t i;

	use(state);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)rnd(&s);
	assert_int_equal(pp_sha256_select(PP_SHA256_PORTABLE), 0);
	pp_sha256_hex(msg, sizeof(msg), want);
	for (i = 0; i < 20; i++) {
		hash_pieces(msg, sizeof(msg), 1 + i * 50, &s, 1, got);
		assert_string_equal(got, want);
	}
}

/* Test f under the implementation pointed to by impl, named for it. */
#define UNDER(f, impl) { #f ", " #impl, f, NULL, NULL, &impl }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		UNDER(test_vectors, portable),
		UNDER(test_vectors, shani),
		UNDER(test_pieces, portable),
		UNDER(test_pieces, shani),
		UNDER(test_random, portable),
		UNDER(test_random, shani),
		UNDER(test_large, portable),
		UNDER(test_large, shani),
		UNDER(test_switch, shani),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
