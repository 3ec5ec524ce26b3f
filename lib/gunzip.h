/*
 * gunzip.h - gzip input decompressed as it is read, so every program takes
 * prices.csv.gz or features.ppf.gz as it takes the plain file.
 *
 * The reader (lib/frame.c) sees the magic bytes 1f 8b, hands over the
 * bytes it has already read, and from then on reads through
 * pp_gunzip_read, which pulls compressed bytes from the raw stream as it
 * needs them.  Memory is bounded (zlib's 32 KiB window and one input
 * block); a pipe is decompressed as its bytes arrive.  Members written one
 * after another (cat a.gz b.gz) are one stream, as gzip(1) reads them.
 */
#ifndef PP_GUNZIP_H
#define PP_GUNZIP_H

#include <stddef.h>

/* gzip's magic: the first two bytes of every member. */
#define PP_GZIP_MAGIC0 0x1f
#define PP_GZIP_MAGIC1 0x8b

struct pp_gunzip;

/* Read up to n compressed bytes into dst: the count, 0 at the end of the
 * raw stream, -1 on a read error (the caller keeps its errno). */
typedef long (*pp_gunzip_raw_fn)(void *ctx, void *dst, size_t n);

/* Start decompressing; head[0..n) are the raw bytes already read. */
struct pp_gunzip *pp_gunzip_new(const void *head, size_t n,
    pp_gunzip_raw_fn raw, void *ctx);

/*
 * Decompress up to n bytes into dst.  Returns the count (at least 1 while
 * data remain), 0 at the end of the last member, -1 on a raw read error
 * (*why NULL) or bad gzip data (*why says what: "truncated", zlib's
 * message).
 */
long pp_gunzip_read(struct pp_gunzip *g, void *dst, size_t n,
    const char **why);

void pp_gunzip_free(struct pp_gunzip *g);

#endif
