/*
 * radix.h - a stable radix sort of 16-byte records by a 64-bit key.
 *
 * The records are opaque 16 bytes (struct pp_pair, struct pp_keyed); the
 * key is the 8 bytes at a given offset, either an unsigned integer as is
 * or a double read in numeric order.  Large arrays are sorted on both
 * processors.  Memory: one scratch copy of the array, plus 512 KiB of
 * counters per level of the recursion.
 */
#ifndef PP_RADIX_H
#define PP_RADIX_H

#include <stddef.h>

enum pp_radix_key {
	PP_RADIX_U64,		/* the key is a uint64_t, sorted as unsigned */
	PP_RADIX_F64		/* the key is a double (no NaN); -0 before 0 */
};

/* Sort the n records of 16 bytes at v by the key at byte offset keyoff
 * (0 or 8), ascending; equal keys keep their order.  Exits through
 * pp_xmalloc when memory runs out. */
void pp_radix_sort16(void *v, size_t n, size_t keyoff, enum pp_radix_key kind);

/* The same with the caller's scratch of n records: a caller sorting the
 * same array twice saves the second copy's page faults. */
void pp_radix_sort16_with(void *v, size_t n, size_t keyoff,
    enum pp_radix_key kind, void *scratch);

/* Sort as pp_radix_sort16_with by the double (no NaN) at keyoff, then
 * replace each key by its average rank: the records at 1-based positions
 * i..j holding equal values (-0 equal to 0) all get (i + j) / 2.  The
 * ranks are found in each bucket as it is sorted, on its thread, instead
 * of in another pass over the whole array. */
void pp_radix_rank16(void *v, size_t n, size_t keyoff, void *scratch);

/* Counts to starts, for a counting sort: c[x] becomes the sum of the
 * counts before x (of c[0..x)). */
void pp_counts_to_starts(size_t *c, size_t nc);

#endif
