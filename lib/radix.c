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
 * On large arrays the first split is shared too: each thread counts
 * and then scatters its half of the records, the first half's records
 * going first in every bucket, so the split stays stable.
 *
 * Ranking (pp_radix_rank16) is the sort with one more step in each bucket
 * of the first split, done while the bucket is still in cache and on the
 * thread that sorted it: its keys become their average ranks, the ranks
 * counted from the bucket's place in the whole array.  Equal keys never
 * straddle two buckets (they share every digit), and -0 and 0, equal as
 * numbers but not as keys, lie in the two buckets either side of the
 * sign bit: those two are ranked together after the threads are done.
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

/* The n sorted records at src to dst (which may be src), their double
 * keys replaced by average ranks counted from base: records base + i + 1
 * .. base + j tied at one value share the rank (base + i + 1 + base + j)
 * / 2.  flipped: the keys are stored in unsigned order (a split's
 * scatter), where equal bits are equal values (-0 and 0 are never both
 * in such a run). */
static void
rank_span(const struct rsort *s, unsigned char *dst, const unsigned char *src,
    size_t n, size_t base, int flipped)
{
	size_t i = 0, j, k;
	double x, y, r;
	uint64_t u, w;

	while (i < n) {
		memcpy(&x, src + i * REC + s->off, sizeof(x));
		memcpy(&u, src + i * REC + s->off, sizeof(u));
		for (j = i + 1; j < n; j++) {
			memcpy(&y, src + j * REC + s->off, sizeof(y));
			memcpy(&w, src + j * REC + s->off, sizeof(w));
			if (flipped ? w != u : y != x)
				break;
		}
		r = ((double)(base + i + 1) + (double)(base + j)) / 2;
		for (k = i; k < j; k++) {
			if (dst != src)
				memcpy(dst + k * REC, src + k * REC, REC);
			memcpy(dst + k * REC + s->off, &r, sizeof(r));
		}
		i = j;
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

/* The key of rec as it is stored, flip 0 (after a split's scatter has
 * stored it in unsigned order), else as key_at reads it. */
static inline uint64_t
key_as(const struct rsort *s, const unsigned char *rec, int flip)
{
	uint64_t u;

	if (flip)
		return key_at(s, rec);
	memcpy(&u, rec + s->off, sizeof(u));
	return u;
}

/* Counters of the nd low digits of each key of a[0..n): the loop is
 * compiled once for each usual nd, unrolled. */
static inline __attribute__((always_inline)) void
count_digits(const struct rsort *s, const unsigned char *a, size_t n,
    size_t (*count)[256], unsigned nd, int flip)
{
	size_t i;
	unsigned d;

	for (i = 0; i < n; i++) {
		uint64_t k = key_as(s, a + i * REC, flip);

		for (d = 0; d < nd; d++)
			count[d][(k >> (8 * d)) & 255]++;
	}
}

/* Sort a[0..n) by the key's bits below hi (a multiple of 8; the bits
 * above are equal in every record), b the scratch; the result in a. */
static inline __attribute__((always_inline)) void
lsd_as(const struct rsort *s, unsigned char *a, unsigned char *b, size_t n,
    unsigned hi, int flip)
{
	size_t count[8][256], i;
	unsigned nd = hi / 8, d;
	unsigned char *src = a, *dst = b, *t;

	memset(count, 0, sizeof(count[0]) * nd);
	if (nd == 6)		/* buckets of the first split */
		count_digits(s, a, n, count, 6, flip);
	else if (nd == 8)
		count_digits(s, a, n, count, 8, flip);
	else
		count_digits(s, a, n, count, nd, flip);
	for (d = 0; d < nd; d++) {
		size_t *c = count[d];
		unsigned shift = 8 * d;

		if (c[(key_as(s, a, flip) >> shift) & 255] == n)
			continue;	/* every record has this digit */
		pp_counts_to_starts(c, 256);
		for (i = 0; i < n; i++) {
			const unsigned char *r = src + i * REC;

			memcpy(dst + c[(key_as(s, r, flip) >> shift) & 255]++ *
			    REC, r, REC);
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * REC);
}

static void
lsd(const struct rsort *s, unsigned char *a, unsigned char *b, size_t n,
    unsigned hi)
{
	if (s->flip)
		lsd_as(s, a, b, n, hi, 1);
	else
		lsd_as(s, a, b, n, hi, 0);
}

/* The n records at src to dst, keys stored in unsigned order (by a
 * split's scatter) back to doubles' bits: the inverse of key_at. */
static void
unflip_copy(const struct rsort *s, unsigned char *dst,
    const unsigned char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t t;

		memcpy(dst + i * REC, src + i * REC, REC);
		memcpy(&t, src + i * REC + s->off, sizeof(t));
		t ^= ((t >> 63) - 1) | 0x8000000000000000ULL;
		memcpy(dst + i * REC + s->off, &t, sizeof(t));
	}
}

static void msd(const struct rsort *s, unsigned char *a, unsigned char *b,
    size_t n, unsigned hi, int par, int rank);

/* After a split of a into b, buckets from..to-1 (bucket x ends at end[x]),
 * each sorted in b with a as its scratch and copied back while it is
 * still in cache.  The scatter stored the keys in unsigned order: the
 * buckets are sorted by them as they are (raw), and doubles get their
 * bits back before the copy (or their ranks). */
struct buckets {
	const struct rsort *s;
	struct rsort raw;	/* s with flip 0 */
	unsigned char *a, *b;
	const size_t *end;
	size_t from, to;
	unsigned lo;		/* bits left below the split's digit */
	int rank;		/* rank each bucket (but ZERO_LO, ZERO_HI) */
};

/* The buckets of -0 and 0 in a split on the key's top 16 bits. */
enum { ZERO_LO = 0x7fff, ZERO_HI = 0x8000 };

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
		msd(&k->raw, k->b + start * REC, k->a + start * REC, len,
		    k->lo, 0, 0);
		if (k->rank && x != ZERO_LO && x != ZERO_HI)
			rank_span(k->s, k->a + start * REC, k->b + start * REC,
			    len, start, 1);
		else if (k->s->flip)
			unflip_copy(k->s, k->a + start * REC,
			    k->b + start * REC, len);
		else
			memcpy(k->a + start * REC, k->b + start * REC,
			    len * REC);
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

/* Record r into b at its digit's place, its key stored in unsigned
 * order (as key_at reads it). */
static inline void
scatter1(const struct rsort *s, const unsigned char *r, unsigned char *b,
    size_t *count, unsigned lo)
{
	uint64_t key = key_at(s, r);
	unsigned char *d = b + count[(key >> lo) & 0xffff]++ * REC;

	memcpy(d, r, REC);
	memcpy(d + s->off, &key, sizeof(key));
}

/* One thread's share of a split: records a[0..n) counted by the digit
 * at lo (step 0), then scattered into b at the starts in count, which
 * become the ends of its runs (step 1). */
struct split {
	const struct rsort *s;
	const unsigned char *a;
	unsigned char *b;
	size_t n, *count;
	unsigned lo;
	int step;
};

static void *
split_half(void *arg)
{
	const struct split *h = arg;
	const struct rsort *s = h->s;
	size_t i, *count = h->count;
	unsigned lo = h->lo;

	if (h->step == 0) {
		for (i = 0; i < h->n; i++)
			count[(key_at(s, h->a + i * REC) >> lo) & 0xffff]++;
		return NULL;
	}
	for (i = 0; i < h->n; i++)
		scatter1(s, h->a + i * REC, h->b, count, lo);
	return NULL;
}

/* Run both halves' step, the second on a thread of its own if one can
 * be had. */
static void
split_both(struct split *h, int step)
{
	pthread_t th;

	h[0].step = h[1].step = step;
	if (pthread_create(&th, NULL, split_half, &h[1]) != 0) {
		split_half(&h[0]);
		split_half(&h[1]);
		return;
	}
	split_half(&h[0]);
	pthread_join(th, NULL);
}

/* Split a[0..n) into b by the digit at lo, the first half and the second
 * half of the records on two threads: each counts its own, then the
 * first half's run of every bucket goes before the second half's.  The
 * ends of the buckets in count; 1, or 0 if every record has one digit
 * (b untouched). */
static int
split2(const struct rsort *s, const unsigned char *a, unsigned char *b,
    size_t n, unsigned lo, size_t *count)
{
	struct split h[2];
	size_t *c1 = pp_xcalloc(65536, sizeof(*c1)), x, sum = 0;

	h[0].s = h[1].s = s;
	h[0].b = h[1].b = b;
	h[0].lo = h[1].lo = lo;
	h[0].a = a;
	h[0].n = n / 2;
	h[0].count = count;
	h[1].a = a + n / 2 * REC;
	h[1].n = n - n / 2;
	h[1].count = c1;
	split_both(h, 0);
	x = (key_at(s, a) >> lo) & 0xffff;
	if (count[x] + c1[x] == n) {
		free(c1);
		return 0;
	}
	for (x = 0; x < 65536; x++) {
		size_t c0 = count[x], n1 = c1[x];

		count[x] = sum;
		c1[x] = sum + c0;
		sum += c0 + n1;
	}
	/* Now count[x] and c1[x] are where the halves' runs start; after
	 * the scatter the second is where bucket x ends. */
	split_both(h, 1);
	memcpy(count, c1, 65536 * sizeof(*count));
	free(c1);
	return 1;
}

/* Sort a[0..n) by the key's bits below hi, b the scratch; the result in
 * a.  par: the split and the buckets may go to two threads.  rank: the
 * double keys then become their ranks (pp_radix_rank16). */
static void
msd(const struct rsort *s, unsigned char *a, unsigned char *b, size_t n,
    unsigned hi, int par, int rank)
{
	struct buckets k;
	size_t *count, i;
	unsigned lo;

	if (n < SMALL || n <= CACHED || hi <= 16) {
		if (n < SMALL)
			insertion(s, a, n);
		else
			lsd(s, a, b, n, hi);
		if (rank)
			rank_span(s, a, a, n, 0, 0);
		return;
	}
	lo = hi - 16;
	count = pp_xcalloc(65536, sizeof(*count));
	if (par && n >= PARALLEL) {
		if (!split2(s, a, b, n, lo, count)) {
			free(count);	/* one bucket: the next digit */
			msd(s, a, b, n, lo, par, rank);
			return;
		}
	} else {
		for (i = 0; i < n; i++)
			count[(key_at(s, a + i * REC) >> lo) & 0xffff]++;
		if (count[(key_at(s, a) >> lo) & 0xffff] == n) {
			free(count);	/* one bucket: the next digit */
			msd(s, a, b, n, lo, par, rank);
			return;
		}
		pp_counts_to_starts(count, 65536);
		for (i = 0; i < n; i++)
			scatter1(s, a + i * REC, b, count, lo);
	}
	/* count[x] is now where bucket x ends. */
	k.s = s;
	k.raw = *s;
	k.raw.flip = 0;
	k.a = a;
	k.b = b;
	k.end = count;
	k.from = 0;
	k.to = 65536;
	k.lo = lo;
	k.rank = rank;
	if (par && n >= PARALLEL)
		sort_buckets2(&k, n);
	else
		sort_buckets(&k);
	if (rank) {
		/* -0 and 0 may tie across these two buckets. */
		i = count[ZERO_LO - 1];
		rank_span(s, a + i * REC, a + i * REC, count[ZERO_HI] - i, i,
		    0);
	}
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
		msd(&s, v, scratch, n, 64, 1, 0);
}

void
pp_radix_rank16(void *v, size_t n, size_t keyoff, void *scratch)
{
	struct rsort s;

	s.off = keyoff;
	s.flip = ~(uint64_t)0;
	msd(&s, v, scratch, n, 64, 1, 1);
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
