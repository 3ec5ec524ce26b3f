/*
 * frame_io.c - the bytes under the frame backends: the reader's input
 * buffer (read(2) on pipes so a live feed never stalls, gzip decompressed
 * as it is read) and the writer's checked writes.  The backends and
 * frame.c call down into it; it calls nothing above.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame_impl.h"
#include "gunzip.h"
#include "util.h"
#include "banned.h"

/* One read of the raw stream (the file's own bytes). */
static long
raw_read(struct pp_inbuf *in, void *dst, size_t n)
{
	size_t got;

	/* read(2) returns what a pipe holds now; fread would wait for a
	 * whole block, and a live feed would stall. */
	if (in->fd >= 0) {
		ssize_t k;

		do
			k = read(in->fd, dst, n);
		while (k == -1 && errno == EINTR);
		if (k == -1) {
			in->ioerr = errno;
			in->eof = 1;
			return -1;
		}
		got = (size_t)k;
	} else {
		got = fread(dst, 1, n, in->fp);
		if (got == 0 && ferror(in->fp)) {
			in->ioerr = errno ? errno : EIO;
			in->eof = 1;
			return -1;
		}
	}
	return (long)got;
}

static long
gz_raw(void *ctx, void *dst, size_t n)
{
	return raw_read(ctx, dst, n);
}

long
pp_inbuf_read(struct pp_inbuf *in, void *dst, size_t n)
{
	long got;

	if (in->eof)
		return 0;
	if (in->gz != NULL) {
		got = pp_gunzip_read(in->gz, dst, n, &in->gzerr);
		if (got == -1 && in->gzerr != NULL) {
			in->ioerr = EIO;
			in->eof = 1;
		}
	} else {
		got = raw_read(in, dst, n);
	}
	if (got == 0)
		in->eof = 1;
	return got;
}

int
pp_inbuf_error(const struct pp_inbuf *in, int ioerr, const char *name,
    struct pp_err *err)
{
	if (in->gzerr != NULL)
		return pp_err_set(err, PP_EXIT_DATA, "%s: bad gzip data: %s",
		    name, in->gzerr);
	return pp_err_errno(err, ioerr, "%s: read error", name);
}

/*
 * gzip input (prices.csv.gz, features.ppf.gz): the bytes read so far
 * become zlib's first input and the buffer starts again, empty, at offset
 * 0 of the decompressed stream, so the format is detected on what the
 * file holds and byte offsets in messages are offsets in it.
 */
void
pp_inbuf_gunzip(struct pp_inbuf *in)
{
	in->gz = pp_gunzip_new(in->buf + in->pos, in->len - in->pos, gz_raw,
	    in);
	in->pos = in->len = 0;
	in->base = 0;
	in->eof = 0;
}

long
pp_inbuf_fill(struct pp_inbuf *in, size_t want)
{
	size_t avail = in->len - in->pos;

	while (avail < want && !in->eof) {
		long n;

		if (in->pos > 0 && (in->pos == in->len ||
		    in->cap - in->len < PP_INBUF_BLOCK)) {
			/* Slide the unread tail to the front. */
			memmove(in->buf, in->buf + in->pos, avail);
			in->base += in->pos;
			in->pos = 0;
			in->len = avail;
		}
		if (in->cap - in->len < PP_INBUF_BLOCK) {
			/* Grow with the data that arrives, not by what was
			 * asked: a corrupt chunk size in a small input must
			 * read as truncated, not allocate a gigabyte first. */
			size_t step = in->len > PP_INBUF_BLOCK ? in->len :
			    PP_INBUF_BLOCK;

			pp_xgrow((void **)&in->buf, &in->cap, in->len + step, 1);
		}
		n = pp_inbuf_read(in, in->buf + in->len, in->cap - in->len);
		if (n == -1)
			return -1;
		in->len += (size_t)n;
		avail += (size_t)n;
	}
	return (long)avail;
}

int
pp_frame_fwrite(struct pp_writer *w, const void *p, size_t n,
    struct pp_err *err)
{
	if (n && fwrite(p, 1, n, w->fp) != n)
		return pp_err_errno(err, errno, "%s: write error", w->name);
	return 0;
}
