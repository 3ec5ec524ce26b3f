/*
 * crc32.c - CRC-32 by carry-less multiplication, with zlib as the fallback.
 *
 * The method (Gopal et al., "Fast CRC computation for generic polynomials
 * using PCLMULQDQ", Intel, 2009): the CRC of a message is its remainder
 * modulo the polynomial P, and multiplying a 128-bit block by x^k mod P
 * "moves" it k bits further along the message.  So four 128-bit
 * accumulators are each folded forward by 512 bits (one multiply of each
 * 64-bit half by the constants x^(512+64) and x^512 mod P) and the next 64
 * bytes are added; at the end they are folded into one, reduced to 64 bits,
 * to 32, and a Barrett reduction gives the remainder.  All constants are
 * for the bit-reflected polynomial 0xEDB88320 and come from the paper.
 *
 * The folding runs on the raw (not inverted) register, so the zlib
 * convention of inverting before and after is applied around it.  Lengths
 * under 64 bytes, the last len % 16 bytes and processors without the
 * instruction go through zlib's crc32_z.  Where the processor has the
 * 512-bit form (VPCLMULQDQ, AVX-512) inputs of 256 bytes and more are
 * folded four 512-bit registers at a time first.  test_crc32 checks every
 * length and alignment against zlib.
 */
#include "crc32.h"

#include <stdatomic.h>
#include <zlib.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_CLMUL 1
#endif

#include "banned.h"

#ifdef HAVE_CLMUL
#define CLMUL_TARGET __attribute__((target("pclmul,sse4.1")))

CLMUL_TARGET static __m128i
fold(__m128i x, __m128i k)
{
	return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
	    _mm_clmulepi64_si128(x, k, 0x11));
}

/* Fold x (four 128-bit accumulators, the 64 bytes before p) over the n
 * bytes from p (a multiple of 16) and reduce: the raw CRC register. */
CLMUL_TARGET static uint32_t
crc_fold(__m128i x0, __m128i x1, __m128i x2, __m128i x3,
    const unsigned char *p, size_t n)
{
	const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL);
	const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);
	const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124LL);
	const __m128i poly = _mm_set_epi64x(0x1f7011641LL, 0x1db710641LL);
	const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
	__m128i t;

	while (n >= 64) {
		x0 = _mm_xor_si128(fold(x0, k1k2),
		    _mm_loadu_si128((const __m128i *)p));
		x1 = _mm_xor_si128(fold(x1, k1k2),
		    _mm_loadu_si128((const __m128i *)(p + 16)));
		x2 = _mm_xor_si128(fold(x2, k1k2),
		    _mm_loadu_si128((const __m128i *)(p + 32)));
		x3 = _mm_xor_si128(fold(x3, k1k2),
		    _mm_loadu_si128((const __m128i *)(p + 48)));
		p += 64;
		n -= 64;
	}
	/* Four accumulators into one, then the remaining 16-byte blocks. */
	x0 = _mm_xor_si128(fold(x0, k3k4), x1);
	x0 = _mm_xor_si128(fold(x0, k3k4), x2);
	x0 = _mm_xor_si128(fold(x0, k3k4), x3);
	while (n >= 16) {
		x0 = _mm_xor_si128(fold(x0, k3k4),
		    _mm_loadu_si128((const __m128i *)p));
		p += 16;
		n -= 16;
	}
	/* 128 -> 64 bits. */
	t = _mm_clmulepi64_si128(x0, k3k4, 0x10);
	x0 = _mm_xor_si128(_mm_srli_si128(x0, 8), t);
	/* 64 -> 32 bits. */
	t = _mm_and_si128(x0, mask32);
	x0 = _mm_srli_si128(x0, 4);
	x0 = _mm_xor_si128(x0, _mm_clmulepi64_si128(t, k5, 0x00));
	/* Barrett reduction modulo P. */
	t = _mm_and_si128(x0, mask32);
	t = _mm_clmulepi64_si128(t, poly, 0x10);
	t = _mm_and_si128(t, mask32);
	t = _mm_clmulepi64_si128(t, poly, 0x00);
	x0 = _mm_xor_si128(x0, t);
	return (uint32_t)_mm_extract_epi32(x0, 1);
}

/* The raw CRC register c after n bytes (n >= 64, a multiple of 16). */
CLMUL_TARGET static uint32_t
crc_clmul(uint32_t c, const unsigned char *p, size_t n)
{
	__m128i x0 = _mm_loadu_si128((const __m128i *)p);

	x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)c));
	return crc_fold(x0, _mm_loadu_si128((const __m128i *)(p + 16)),
	    _mm_loadu_si128((const __m128i *)(p + 32)),
	    _mm_loadu_si128((const __m128i *)(p + 48)), p + 64, n - 64);
}

/*
 * The same with 512-bit registers (VPCLMULQDQ), four lanes of 128 bits
 * each: four of them fold 256 bytes a step, each lane forward by 2048
 * bits (constants x^(2048+32) and x^(2048-32) mod P, reflected, shifted
 * as in the paper); then the four fold into one, 512 bits at a time, whose
 * lanes are crc_fold's four accumulators.  n >= 256, a multiple of 16.
 */
#define VCLMUL_TARGET \
	__attribute__((target("avx512f,vpclmulqdq,pclmul,sse4.1")))

VCLMUL_TARGET static __m512i
fold512(__m512i x, __m512i k)
{
	return _mm512_xor_si512(_mm512_clmulepi64_epi128(x, k, 0x00),
	    _mm512_clmulepi64_epi128(x, k, 0x11));
}

VCLMUL_TARGET static uint32_t
crc_vclmul(uint32_t c, const unsigned char *p, size_t n)
{
	const __m512i k2048 = _mm512_broadcast_i32x4(_mm_set_epi64x(
	    0x1322d1430LL, 0x11542778aLL));
	const __m512i k512 = _mm512_broadcast_i32x4(_mm_set_epi64x(
	    0x1c6e41596LL, 0x154442bd4LL));
	__m512i z0, z1, z2, z3;
	__m128i x0, x1, x2, x3;

	z0 = _mm512_loadu_si512((const void *)p);
	z1 = _mm512_loadu_si512((const void *)(p + 64));
	z2 = _mm512_loadu_si512((const void *)(p + 128));
	z3 = _mm512_loadu_si512((const void *)(p + 192));
	z0 = _mm512_xor_si512(z0, _mm512_zextsi128_si512(
	    _mm_cvtsi32_si128((int)c)));
	p += 256;
	n -= 256;
	while (n >= 256) {
		z0 = _mm512_xor_si512(fold512(z0, k2048),
		    _mm512_loadu_si512((const void *)p));
		z1 = _mm512_xor_si512(fold512(z1, k2048),
		    _mm512_loadu_si512((const void *)(p + 64)));
		z2 = _mm512_xor_si512(fold512(z2, k2048),
		    _mm512_loadu_si512((const void *)(p + 128)));
		z3 = _mm512_xor_si512(fold512(z3, k2048),
		    _mm512_loadu_si512((const void *)(p + 192)));
		p += 256;
		n -= 256;
	}
	z0 = _mm512_xor_si512(fold512(z0, k512), z1);
	z0 = _mm512_xor_si512(fold512(z0, k512), z2);
	z0 = _mm512_xor_si512(fold512(z0, k512), z3);
	x0 = _mm512_extracti32x4_epi32(z0, 0);
	x1 = _mm512_extracti32x4_epi32(z0, 1);
	x2 = _mm512_extracti32x4_epi32(z0, 2);
	x3 = _mm512_extracti32x4_epi32(z0, 3);
	/* The upper halves clean before SSE code runs again: left dirty,
	 * every later SSE instruction of the program pays for them. */
	_mm256_zeroupper();
	return crc_fold(x0, x1, x2, x3, p, n);
}

/* 1 with PCLMULQDQ, 2 with its 512-bit form too, else 0.  Asked once;
 * atomic because a writer thread and the program's thread
 * may ask at the same time (both find the same answer). */
static int
have_clmul(void)
{
	static atomic_int known = -1;
	int k = atomic_load_explicit(&known, memory_order_relaxed);

	if (k == -1) {
		__builtin_cpu_init();
		k = __builtin_cpu_supports("pclmul") &&
		    __builtin_cpu_supports("sse4.1");
		if (k && __builtin_cpu_supports("avx512f") &&
		    __builtin_cpu_supports("vpclmulqdq"))
			k = 2;
		atomic_store_explicit(&known, k, memory_order_relaxed);
	}
	return k;
}
#endif

uint32_t
pp_crc32(uint32_t crc, const void *p, size_t n)
{
#ifdef HAVE_CLMUL
	if (n >= 64 && have_clmul()) {
		size_t bulk = n & ~(size_t)15;
		uint32_t raw;

		if (bulk >= 256 && have_clmul() == 2)
			raw = crc_vclmul(~crc, p, bulk);
		else
			raw = crc_clmul(~crc, p, bulk);

		return (uint32_t)crc32_z(~raw, (const unsigned char *)p + bulk,
		    n - bulk);
	}
#endif
	return (uint32_t)crc32_z(crc, p, n);
}
