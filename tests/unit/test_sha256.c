/*
 * test_sha256.c - SHA-256 against FIPS 180-4 / NIST vectors.
 *
 * Plan: known digests for the empty message, "abc", the two-block NIST
 * message and lengths on either side of the padding boundary (55, 56, 63,
 * 64, 65 bytes); every message is hashed whole and again fed in pieces of
 * every size from 1 to 70 bytes, which must not change the digest; and the
 * million-'a' vector.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"
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
	{ 'a', 55, NULL, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ 'a', 56, NULL, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
	{ 'a', 63, NULL, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
	{ 'a', 64, NULL, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
	{ 'a', 65, NULL, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	{ 'a', 1000000, NULL, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

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

static void
test_vectors(void **state)
{
	size_t i;

	(void)state;
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

	(void)state;
	for (i = 0; i + 1 < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t n = vec[i].text ? strlen(vec[i].text) : vec[i].n;
		char msg[128];

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
