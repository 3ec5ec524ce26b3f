/*
 * gunzip.c - gzip decompression on the read path.  The one idea: the
 * compressed bytes are pulled through zlib in blocks, so a .gz input is
 * never held whole, and a member's end is only the stream's end when the
 * raw input has nothing after it.
 */
#include "gunzip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "util.h"
#include "banned.h"

#define GZ_BLOCK (64 * 1024)

struct pp_gunzip {
	z_stream z;
	pp_gunzip_raw_fn raw;
	void *ctx;
	unsigned char *in;	/* GZ_BLOCK, or the head if larger */
	size_t cap;
	int raw_eof;		/* the raw stream has ended */
	int done;		/* the last member has ended */
};

struct pp_gunzip *
pp_gunzip_new(const void *head, size_t n, pp_gunzip_raw_fn raw, void *ctx)
{
	struct pp_gunzip *g = pp_xcalloc(1, sizeof(*g));

	g->cap = n > GZ_BLOCK ? n : GZ_BLOCK;
	g->in = pp_xmalloc(g->cap);
	memcpy(g->in, head, n);
	g->z.next_in = g->in;
	g->z.avail_in = (uInt)n;
	g->raw = raw;
	g->ctx = ctx;
	/* 16 + MAX_WBITS: gzip framing only (header, CRC-32, length). */
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK)
		abort();	/* out of memory only: as pp_xmalloc */
	return g;
}

/* More compressed bytes when zlib has used them all: 0, or -1. */
static int
refill(struct pp_gunzip *g)
{
	long k;

	if (g->z.avail_in > 0 || g->raw_eof)
		return 0;
	k = g->raw(g->ctx, g->in, g->cap);
	if (k == -1)
		return -1;
	if (k == 0)
		g->raw_eof = 1;
	g->z.next_in = g->in;
	g->z.avail_in = (uInt)k;
	return 0;
}

long
pp_gunzip_read(struct pp_gunzip *g, void *dst, size_t n, const char **why)
{
	uInt want = n > UINT32_MAX ? UINT32_MAX : (uInt)n;

	*why = NULL;
	g->z.next_out = dst;
	g->z.avail_out = want;
	while (!g->done && g->z.avail_out == want) {
		int rc;

		if (refill(g) == -1)
			return -1;
		if (g->z.avail_in == 0 && g->raw_eof) {
			*why = "truncated (the stream ends inside a member)";
			return -1;
		}
		rc = inflate(&g->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			/* Another member may follow (cat a.gz b.gz). */
			if (refill(g) == -1)
				return -1;
			if (g->z.avail_in == 0)
				g->done = 1;
			else
				inflateReset(&g->z);
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			*why = g->z.msg ? g->z.msg : "bad compressed data";
			return -1;
		}
	}
	return (long)(want - g->z.avail_out);
}

void
pp_gunzip_free(struct pp_gunzip *g)
{
	if (g == NULL)
		return;
	inflateEnd(&g->z);
	free(g->in);
	free(g);
}
