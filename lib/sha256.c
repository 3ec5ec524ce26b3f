/*
 * sha256.c - SHA-256 (FIPS 180-4), by the SHA extensions where the CPU has
 * them and in portable C everywhere else.
 *
 * Both implementations compress whole 64-byte blocks, many per call: the
 * update loop hands over every complete block of its input at once, so
 * choosing the implementation and loading and storing the chaining state
 * are paid once per update, not once per block.  Buffering
 * and padding are shared, so the two differ only in blocks_c() and
 * blocks_shani().
 *
 * The choice is made once, on first use, from CPUID (leaf 7 EBX bit 29 for
 * SHA, leaf 1 ECX for SSSE3 and SSE4.1), and kept in one atomic variable:
 * threads racing to make it all find the same answer.  CPUID rather than
 * __builtin_cpu_supports("sha") because clang 14 does not know that name.
 * pp_sha256_select() overrides the choice, for the tests.
 */
#include "sha256.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI 1
#endif

#include "banned.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* One block of the portable implementation. */
static void
compress(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
		    (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
		    (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3];
	e = h[4], f = h[5], g = h[6], k = h[7];
	for (i = 0; i < 64; i++) {
		t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		k = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void
blocks_c(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
	for (; nblocks > 0; nblocks--, p += 64)
		compress(h, p);
}

#ifdef HAVE_SHANI
#define SHANI_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/*
 * The SHA extensions keep the eight state words in two registers, ABEF and
 * CDGH (A and C in the top lane, F and H in the bottom one).
 * _mm_sha256rnds2_epu32(cdgh, abef, wk) does two rounds with the message
 * words plus constants in the low two lanes of wk and returns the new ABEF;
 * the old ABEF is then the new CDGH, so two calls with the operands
 * swapped make four rounds and leave the registers as they were.
 * _mm_sha256msg1_epu32(w[i-16..i-13], w[i-12..i-9]) adds sigma0 of the
 * following word to each word; _mm_sha256msg2_epu32(x, w[i-4..i-1]) adds
 * sigma1 of the word two back, which for its last two lanes is a word it
 * has just made.  With w[i-7..i-4] added in between they make the next
 * four schedule words w[i..i+3].
 */
SHANI_TARGET static void
blocks_shani(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
	/* Within each 32-bit lane, bytes 3 2 1 0: big-endian words. */
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
	    0x0405060700010203LL);
	__m128i abef, cdgh, t0, t1;

	/* h[0..3] = A B C D and h[4..7] = E F G H, lowest lane first. */
	t0 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1b);
	t1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(h + 4)),
	    0x1b);
	abef = _mm_unpackhi_epi64(t1, t0);
	cdgh = _mm_unpacklo_epi64(t1, t0);

	for (; nblocks > 0; nblocks--, p += 64) {
		const __m128i abef0 = abef, cdgh0 = cdgh;
		const __m128i *m = (const __m128i *)p;
		__m128i w[4], wk;
		int i;

		/* Written out: gcc would keep a loop here and spill w. */
		w[0] = _mm_shuffle_epi8(_mm_loadu_si128(m), bswap);
		w[1] = _mm_shuffle_epi8(_mm_loadu_si128(m + 1), bswap);
		w[2] = _mm_shuffle_epi8(_mm_loadu_si128(m + 2), bswap);
		w[3] = _mm_shuffle_epi8(_mm_loadu_si128(m + 3), bswap);
		/* Group i is rounds 4i..4i+3; w[i % 4] holds their words. */
#pragma GCC unroll 16
		for (i = 0; i < 16; i++) {
			__m128i *wi = &w[i % 4];

			if (i >= 4) {
				__m128i prev = w[(i + 3) % 4];

				*wi = _mm_sha256msg1_epu32(*wi, w[(i + 1) % 4]);
				*wi = _mm_add_epi32(*wi, _mm_alignr_epi8(prev,
				    w[(i + 2) % 4], 4));
				*wi = _mm_sha256msg2_epu32(*wi, prev);
			}
			wk = _mm_add_epi32(*wi,
			    _mm_loadu_si128((const __m128i *)(K + 4 * i)));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh,
			    _mm_shuffle_epi32(wk, 0x0e));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}

	t0 = _mm_unpackhi_epi64(cdgh, abef);	/* D C B A */
	t1 = _mm_unpacklo_epi64(cdgh, abef);	/* H G F E */
	_mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(t0, 0x1b));
	_mm_storeu_si128((__m128i *)(h + 4), _mm_shuffle_epi32(t1, 0x1b));
}

static int
cpu_has_shani(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) ||
	    !(c & bit_SSE4_1))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b & bit_SHA) != 0;
}
#endif

/* The implementation in use: -1 until first use, else a pp_sha256_impl. */
static atomic_int impl = -1;

static int
impl_available(enum pp_sha256_impl which)
{
	switch (which) {
	case PP_SHA256_PORTABLE:
		return 1;
	case PP_SHA256_SHANI:
#ifdef HAVE_SHANI
		return cpu_has_shani();
#else
		return 0;
#endif
	}
	return 0;
}

static void
blocks(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
	int which = atomic_load_explicit(&impl, memory_order_relaxed);

	if (which == -1) {
		which = impl_available(PP_SHA256_SHANI) ? PP_SHA256_SHANI :
		    PP_SHA256_PORTABLE;
		atomic_store_explicit(&impl, which, memory_order_relaxed);
	}
#ifdef HAVE_SHANI
	if (which == PP_SHA256_SHANI) {
		blocks_shani(h, p, nblocks);
		return;
	}
#endif
	blocks_c(h, p, nblocks);
}

int
pp_sha256_select(enum pp_sha256_impl which)
{
	if (!impl_available(which))
		return -1;
	atomic_store_explicit(&impl, (int)which, memory_order_relaxed);
	return 0;
}

void
pp_sha256_init(struct pp_sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(c->h, iv, sizeof(iv));
	c->nbytes = 0;
	c->nblk = 0;
}

void
pp_sha256_update(struct pp_sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	c->nbytes += n;
	if (c->nblk > 0) {
		size_t take = 64 - c->nblk < n ? 64 - c->nblk : n;

		memcpy(c->blk + c->nblk, p, take);
		c->nblk += take;
		p += take;
		n -= take;
		if (c->nblk < 64)
			return;
		blocks(c->h, c->blk, 1);
		c->nblk = 0;
	}
	if (n >= 64) {
		blocks(c->h, p, n / 64);
		p += n & ~(size_t)63;
		n &= 63;
	}
	if (n > 0)
		memcpy(c->blk, p, n);
	c->nblk = n;
}

void
pp_sha256_final(struct pp_sha256 *c, unsigned char out[PP_SHA256_LEN])
{
	uint64_t bits = c->nbytes * 8;
	int i;

	/* Pad: 0x80, zeros to 56 mod 64, then the bit length big-endian. */
	c->blk[c->nblk++] = 0x80;
	if (c->nblk > 56) {
		memset(c->blk + c->nblk, 0, 64 - c->nblk);
		blocks(c->h, c->blk, 1);
		c->nblk = 0;
	}
	memset(c->blk + c->nblk, 0, 56 - c->nblk);
	for (i = 0; i < 8; i++)
		c->blk[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	blocks(c->h, c->blk, 1);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}

void
pp_sha256_hex(const void *data, size_t n, char out[PP_SHA256_HEXLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[PP_SHA256_LEN];
	struct pp_sha256 c;
	int i;

	pp_sha256_init(&c);
	pp_sha256_update(&c, data, n);
	pp_sha256_final(&c, d);
	for (i = 0; i < PP_SHA256_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[PP_SHA256_HEXLEN] = '\0';
}
