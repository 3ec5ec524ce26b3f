/*
 * sha256.h - SHA-256 (FIPS 180-4), for checksumming registry artifacts.
 *
 * Streaming: init, update any number of times with any lengths, final.
 * The context is plain data on the caller's storage; nothing is allocated
 * and nothing can fail.  On x86-64 processors with the SHA extensions the
 * blocks are compressed by those instructions, elsewhere in portable C;
 * the choice is made once, at first use, and the digests are the same.
 */
#ifndef PP_SHA256_H
#define PP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define PP_SHA256_LEN 32	/* digest bytes */
#define PP_SHA256_HEXLEN 64	/* hex digits, without the NUL */

struct pp_sha256 {
	uint32_t h[8];		/* chaining state */
	uint64_t nbytes;	/* message length so far */
	unsigned char blk[64];	/* partial block */
	size_t nblk;		/* bytes used in blk, < 64 */
};

void pp_sha256_init(struct pp_sha256 *c);
void pp_sha256_update(struct pp_sha256 *c, const void *data, size_t n);

/* Write the digest and leave c unusable until the next init. */
void pp_sha256_final(struct pp_sha256 *c, unsigned char out[PP_SHA256_LEN]);

/* One call: the digest of data[0..n) as 64 lowercase hex digits and a NUL. */
void pp_sha256_hex(const void *data, size_t n,
    char out[PP_SHA256_HEXLEN + 1]);

/* The implementations of the block compression. */
enum pp_sha256_impl {
	PP_SHA256_PORTABLE,	/* C, every platform */
	PP_SHA256_SHANI		/* x86-64 SHA extensions (SHA-NI) */
};

/*
 * For the tests, which compare the two: use `which` from now on, in every
 * context, instead of the one chosen at first use.  Returns 0, or -1 and
 * leaves the choice alone when this CPU or build lacks it.  Programs do
 * not call it: the choice made at first use is the fastest that works.
 */
int pp_sha256_select(enum pp_sha256_impl which);

#endif
