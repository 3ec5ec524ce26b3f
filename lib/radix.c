/*
 * radix.c - a stable radix sort of 16-byte records (radix.h).
 *
 * The idea first: an LSD radix sort of a million records makes every pass
 * scatter into 65536 places of a 16 MB array, which neither the caches nor
 * the TLB hold; the same passes over 16,000 records stay in L2.  So the
 * array is split MSD-first by the key's top 16 bits (one counting pass and
 * one scatter through memory), again while a bucket is large, and each
 * bucket that fits in cache is finished by an LSD sort of its remaining
 * bits, 8 at a time, all its counters taken in one pass.  A digit that
 * every record shares costs only its count.  Both steps are stable, so the
 * whole sort is.  The buckets of the first split are independent: on large
 * arrays a second thread takes the upper half of them.
 *
 * Records move with memcpy and keys are read with memcpy, so any 16-byte
 * struct sorts without type punning.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radix.h"
#include "util.h"
#include "banned.h"

enum {
	REC = 16,		/* bytes in a record */
	SMALL = 32,		/* below this many records, insertion sort */
	CACHED = 16384		/* records an LSD sort keeps in L2: 256 KiB */
};

/* Arrays this long are worth a second thread. */
#define PARALLEL ((size_t)1 << 17)

struct rsort {
	size_t off;		/* the key's byte offset in a record */
	uint64_t flip;		/* all ones for double keys, else 0 */
};

static inline uint64_t
key_at(const struct rsort *s, const unsigned char *rec)
{
	uint64_t u;

	memcpy(&u, rec + s->off, sizeof(u));
	/* A double: negative ones get every bit flipped, the others their
	 * sign bit set, so that unsigned order is numeric order. */
	return u ^ (s->flip & ((0 - (u >> 63)) | 0x8000000000000000ULL));
}

static void
insertion(const struct rsort *s, unsigned char *a, size_t n)
{
	unsigned char rec[REC];
	size_t i, j;

	for (i = 1; i < n; i++) {
		uint64_t k = key_at(s, a + i * REC);

		for (j = i; j > 0 && key_at(s, a + (j - 1) * REC) > k; j--)
			;
		if (j == i)
			continue;
		memcpy(rec, a + i * REC, REC);
		memmove(a + (j + 1) * REC, a + j * REC, (i - j) * REC);
		memcpy(a + j * REC, rec, REC);
	}
}

void
pp_counts_to_starts(size_t *c, size_t nc)
{
	size_t x, sum = 0, cx;

	for (x = 0; x < nc; x++) {
		cx = c[x];
		c[x] = sum;
		sum += cx;
	}
}

/* Sort a[0..n) by the key's bits below hi (a multiple of 8; the bits
 * above are equal in every record), b the scratch; the result in a. */
static void
lsd(const struct rsort *s, unsigned char *a, unsigned char *b, size_t n,
    unsigned hi)
{
	size_t count[8][256], i;
	unsigned nd = hi / 8, d;
	unsigned char *src = a, *dst = b, *t;

	memset(count, 0, sizeof(count[0]) * nd);
	for (i = 0; i < n; i++) {
		uint64_t k = key_at(s, a + i * REC);

		for (d = 0; d < nd; d++)
			count[d][(k >> (8 * d)) & 255]++;
	}
	for (d = 0; d < nd; d++) {
		size_t *c = count[d];
		unsigned shift = 8 * d;

		if (c[(key_at(s, a) >> shift) & 255] == n)
			continue;	/* every record has this digit */
		pp_counts_to_starts(c, 256);
		for (i = 0; i < n; i++) {
			const unsigned char *r = src + i * REC;

			memcpy(dst + c[(key_at(s, r) >> shift) & 255]++ * REC, r,
			    REC);
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * REC);
}

static void msd(const struct rsort *s, unsigned char *a, unsigned char *b,
    size_t n, unsigned hi, int par);

/* After a split of a into b, buckets from..to-1 (bucket x ends at end[x]),
 * each sorted in b with a as its scratch and copied back while it is
 * still in cache. */
struct buckets {
	const struct rsort *s;
	unsigned char *a, *b;
	const size_t *end;
	size_t from, to;
	unsigned lo;		/* bits left below the split's digit */
};

static void *
sort_buckets(void *arg)
{
	const struct buckets *k = arg;
	size_t x, start, len;

	for (x = k->from; x < k->to; x++) {
		start = x ? k->end[x - 1] : 0;
		len = k->end[x] - start;
		if (len == 0)
			continue;
		msd(k->s, k->b + start * REC, k->a + start * REC, len, k->lo, 0);
		memcpy(k->a + start * REC, k->b + start * REC, len * REC);
	}
	return NULL;
}

/* The buckets on two threads, split where half the records are; on one
 * when a thread cannot be had (the result is the same). */
static void
sort_buckets2(struct buckets *k, size_t n)
{
	struct buckets hi = *k;
	pthread_t th;
	size_t x;

	for (x = k->from; x < k->to && k->end[x] < n / 2; x++)
		;
	k->to = hi.from = x + 1 < k->to ? x + 1 : k->to;
	if (pthread_create(&th, NULL, sort_buckets, &hi) != 0) {
		sort_buckets(k);
		sort_buckets(&hi);
		return;
	}
	sort_buckets(k);
	pthread_join(th, NULL);
}

/* Sort a[0..n) by the key's bits below hi, b the scratch; the result in
 * a.  par: the buckets may go to two threads. */
static void
msd(const struct rsort *s, unsigned char *a, unsigned char *b, size_t n,
    unsigned hi, int par)
{
	struct buckets k;
	size_t *count, i;
	unsigned lo;

	if (n < SMALL) {
		insertion(s, a, n);
		return;
	}
	if (n <= CACHED || hi <= 16) {
		lsd(s, a, b, n, hi);
		return;
	}
	lo = hi - 16;
	count = pp_xcalloc(65536, sizeof(*count));
	for (i = 0; i < n; i++)
		count[(key_at(s, a + i * REC) >> lo) & 0xffff]++;
	if (count[(key_at(s, a) >> lo) & 0xffff] == n) {
		free(count);	/* one bucket: on to the next digit */
		msd(s, a, b, n, lo, par);
		return;
	}
	pp_counts_to_starts(count, 65536);
	for (i = 0; i < n; i++) {
		const unsigned char *r = a + i * REC;

		memcpy(b + count[(key_at(s, r) >> lo) & 0xffff]++ * REC, r, REC);
	}
	/* count[x] is now where bucket x ends. */
	k.s = s;
	k.a = a;
	k.b = b;
	k.end = count;
	k.from = 0;
	k.to = 65536;
	k.lo = lo;
	if (par && n >= PARALLEL)
		sort_buckets2(&k, n);
	else
		sort_buckets(&k);
	free(count);
}

void
pp_radix_sort16_with(void *v, size_t n, size_t keyoff,
    enum pp_radix_key kind, void *scratch)
{
	struct rsort s;

	if (n < 2)
		return;
	s.off = keyoff;
	s.flip = kind == PP_RADIX_F64 ? ~(uint64_t)0 : 0;
	if (n < SMALL)
		insertion(&s, v, n);
	else
		msd(&s, v, scratch, n, 64, 1);
}

void
pp_radix_sort16(void *v, size_t n, size_t keyoff, enum pp_radix_key kind)
{
	void *tmp;

	if (n < SMALL) {
		pp_radix_sort16_with(v, n, keyoff, kind, NULL);
		return;
	}
	tmp = pp_xmalloc_huge(n * REC);
	pp_radix_sort16_with(v, n, keyoff, kind, tmp);
	free(tmp);
}
