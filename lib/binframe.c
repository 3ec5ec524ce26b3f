/*
 * binframe.c - the binary frame backend of frame.c (man/pp-frame.5).
 *
 * Layout in one paragraph: a header (magic, version, columns, in version 2
 * the key/value metadata, CRC-32), then
 * chunks of up to chunk_rows rows stored column by column, each chunk with
 * its own CRC-32 and optionally zlib-compressed, then an end chunk that
 * carries the total row count.  Columnar chunks make reading a chunk one
 * bulk read and a checksum; the end chunk makes a stream cut at a chunk
 * boundary detectable as truncated, which a pipe otherwise hides.  Memory is
 * one chunk (8192 rows by default) on either side.
 *
 * Every integer is little-endian.  On a little-endian host the column
 * arrays are copied as they are; get/put helpers keep the code right on a
 * big-endian one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "crc32.h"
#include "frame_impl.h"
#include "util.h"
#include "banned.h"

const unsigned char pp_bin_magic[8] = { 0x89, 'P', 'P', 'F', '\r', '\n',
	0x1a, '\n' };
static const unsigned char chunk_magic[4] = { 'P', 'P', 'C', 'K' };

#define BIN_VERSION 2		/* the newest version read and written */
#define MAX_META 65535		/* metadata pairs in a header */
#define CHUNK_HDR 24			/* magic + 5 u32 */
#define MAX_RAW (1u << 30)		/* refuse chunks above 1 GiB */
#define DEFAULT_CHUNK_ROWS 8192
#define FLUSH_BYTES (64u << 20)		/* emit a chunk early past 64 MiB */
#define FLAG_ZLIB 1u

static uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint16_t
get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t
get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static void
put_u16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

/* 8-byte little-endian values to and from host order. */
static void
copy_le64(void *dst, const void *src)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	const unsigned char *s = src;
	unsigned char *d = dst;
	int i;

	for (i = 0; i < 8; i++)
		d[i] = s[7 - i];
#else
	memcpy(dst, src, 8);
#endif
}

static uint32_t
crc(uint32_t c, const void *p, size_t n)
{
	return pp_crc32(c, p, n);
}

/* ---- reading ---- */

struct bin_in {
	const unsigned char *raw; /* the current chunk's payload: in the input
				   buffer, or in zraw when it was compressed */
	unsigned char *zraw;	/* decompressed payload */
	size_t rawcap;
	uint32_t nrows;		/* rows in the current chunk */
	uint32_t next;		/* next row to hand out */
	const unsigned char **col; /* per column: values or text offsets */
	const unsigned char **txt; /* per text column: its bytes */
	uint64_t total;		/* rows handed out so far */
	int ended;		/* end chunk seen */
};

static int
bin_fail(struct pp_reader *r, uint64_t off, struct pp_err *err,
    const char *what)
{
	r->fatal = 1;
	return pp_err_set(err, PP_EXIT_DATA, "%s: byte %llu: %s", r->name,
	    (unsigned long long)off, what);
}

/* Take exactly n bytes from the input; NULL if it ends first. */
static const unsigned char *
take(struct pp_reader *r, size_t n, struct pp_err *err, const char *what)
{
	uint64_t off = PP_INBUF_OFFSET(&r->in);
	long got = pp_inbuf_fill(&r->in, n);
	const unsigned char *p;

	if (got == -1) {
		r->fatal = 1;
		pp_inbuf_error(&r->in, r->in.ioerr, r->name, err);
		return NULL;
	}
	if ((size_t)got < n) {
		char msg[96];

		snprintf(msg, sizeof(msg), "truncated %s (the frame ends "
		    "early)", what);
		bin_fail(r, off, err, msg);
		return NULL;
	}
	p = r->in.buf + r->in.pos;
	r->in.pos += n;
	return p;
}

/* Names are quoted in one-line messages: no C0 control bytes, no DEL. */
static int
has_control(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
	return 0;
}

/* The metadata block of a version 2 header into r->meta, adding its bytes
 * to the running header CRC *c. */
static int
read_meta(struct pp_reader *r, uint32_t *c, struct pp_err *err)
{
	const unsigned char *p;
	uint32_t n, i, vlen;

	if ((p = take(r, 4, err, "metadata count")) == NULL)
		return -1;
	*c = crc(*c, p, 4);
	if ((n = get_u32(p)) > MAX_META)
		return bin_fail(r, PP_INBUF_OFFSET(&r->in) - 4, err,
		    "bad metadata count");
	for (i = 0; i < n; i++) {
		uint64_t off = PP_INBUF_OFFSET(&r->in);
		struct pp_err e = PP_ERR_INIT;
		char *key, *val;
		unsigned klen;

		if ((p = take(r, 1, err, "metadata entry")) == NULL)
			return -1;
		*c = crc(*c, p, 1);
		if ((klen = p[0]) == 0)
			return bin_fail(r, off, err, "empty metadata key");
		if ((p = take(r, klen, err, "metadata key")) == NULL)
			return -1;
		*c = crc(*c, p, klen);
		key = pp_xstrndup((const char *)p, klen);
		if ((p = take(r, 4, err, "metadata entry")) == NULL) {
			free(key);
			return -1;
		}
		*c = crc(*c, p, 4);
		if ((vlen = get_u32(p)) > PP_META_VAL_MAX) {
			free(key);
			return bin_fail(r, off, err, "metadata value longer "
			    "than 16 MiB");
		}
		if ((p = take(r, vlen, err, "metadata value")) == NULL) {
			free(key);
			return -1;
		}
		*c = crc(*c, p, vlen);
		if (pp_meta_check(key, klen, (const char *)p, vlen, &e) == -1 ||
		    memchr(key, '\0', klen) != NULL) {
			free(key);
			return bin_fail(r, off, err, e.msg[0] ? e.msg :
			    "metadata key holds a NUL byte");
		}
		if (pp_meta_get(&r->meta, key) != NULL) {
			free(key);
			return bin_fail(r, off, err, "metadata key repeats "
			    "an earlier one");
		}
		val = pp_xstrndup((const char *)p, vlen);
		(void)pp_meta_set(&r->meta, key, val, &e);
		free(key);
		free(val);
	}
	return 0;
}

static int
bin_reader_open_(struct pp_reader *r, struct pp_err *err)
{
	const unsigned char *p;
	uint32_t ncols, i, c = 0, want;
	uint16_t version, flags;
	size_t bad;

	r->bin = pp_xcalloc(1, sizeof(*r->bin));
	if ((p = take(r, 16, err, "header")) == NULL)
		return -1;
	c = crc(c, p, 16);
	version = get_u16(p + 8);
	flags = get_u16(p + 10);
	ncols = get_u32(p + 12);
	if (version < 1 || version > BIN_VERSION) {
		char msg[120];

		/* A newer version is named as such: the fix is an upgrade. */
		snprintf(msg, sizeof(msg), version > BIN_VERSION ? "frame "
		    "version %u, newer than this program reads (1 to %d): "
		    "written by a newer Pattern Pursuit" : "unsupported frame "
		    "version %u (this program reads 1 to %d)", version,
		    BIN_VERSION);
		return bin_fail(r, 8, err, msg);
	}
	if (flags != 0)
		return bin_fail(r, 10, err, "unknown header flags");
	if (ncols == 0 || ncols > 65535)
		return bin_fail(r, 12, err, "bad column count");
	for (i = 0; i < ncols; i++) {
		uint64_t off = PP_INBUF_OFFSET(&r->in);
		char *name;
		uint16_t len;
		unsigned type;

		if ((p = take(r, 4, err, "column entry")) == NULL)
			return -1;
		c = crc(c, p, 4);
		type = p[0];
		len = get_u16(p + 2);
		if (type < PP_T_F64 || type > PP_T_DATETIME || p[1] != 0)
			return bin_fail(r, off, err, "bad column type");
		if (len == 0)
			return bin_fail(r, off, err, "empty column name");
		if ((p = take(r, len, err, "column name")) == NULL)
			return -1;
		c = crc(c, p, len);
		if (!pp_utf8_valid((const char *)p, len, &bad) ||
		    has_control(p, len))
			return bin_fail(r, off + 4, err,
			    "column name is not UTF-8 text");
		name = pp_xstrndup((const char *)p, len);
		if (pp_schema_add(&r->schema, name, (enum pp_type)type,
		    err) == -1) {
			free(name);
			r->fatal = 1;
			return pp_err_prefix(err, "%s: byte %llu", r->name,
			    (unsigned long long)off);
		}
		free(name);
	}
	if (version >= 2 && read_meta(r, &c, err) == -1)
		return -1;
	want = c;
	if ((p = take(r, 4, err, "header checksum")) == NULL)
		return -1;
	if (get_u32(p) != want)
		return bin_fail(r, PP_INBUF_OFFSET(&r->in) - 4, err,
		    "header checksum mismatch");
	r->bin->col = pp_xcalloc(ncols, sizeof(*r->bin->col));
	r->bin->txt = pp_xcalloc(ncols, sizeof(*r->bin->txt));
	return 0;
}

/* Point the column arrays into the raw payload, checking every size. */
static int
map_columns(struct pp_reader *r, uint64_t off, uint32_t nrows, size_t rawlen,
    struct pp_err *err)
{
	struct bin_in *b = r->bin;
	size_t pos = 0, j;

	for (j = 0; j < r->schema.ncols; j++) {
		if (r->schema.cols[j].type != PP_T_TEXT) {
			if (rawlen - pos < (size_t)nrows * 8)
				return bin_fail(r, off, err,
				    "chunk too short for its rows");
			b->col[j] = b->raw + pos;
			pos += (size_t)nrows * 8;
		} else {
			const unsigned char *o = b->raw + pos;
			size_t noff = ((size_t)nrows + 1) * 4, i;
			uint32_t prev = 0, end;

			if (rawlen - pos < noff)
				return bin_fail(r, off, err,
				    "chunk too short for its rows");
			if (get_u32(o) != 0)
				return bin_fail(r, off, err,
				    "text offsets do not start at 0");
			for (i = 1; i <= nrows; i++) {
				uint32_t v = get_u32(o + 4 * i);

				if (v < prev)
					return bin_fail(r, off, err,
					    "text offsets go backwards");
				prev = v;
			}
			end = prev;
			if (rawlen - pos - noff < end)
				return bin_fail(r, off, err,
				    "text longer than its chunk");
			b->col[j] = o;
			b->txt[j] = o + noff;
			/* A column not read is never handed out. */
			if ((r->skip == NULL || !r->skip[j]) &&
			    !pp_utf8_valid((const char *)b->txt[j], end, NULL))
				return bin_fail(r, off, err,
				    "text is not valid UTF-8");
			pos += noff + end;
		}
	}
	if (pos != rawlen)
		return bin_fail(r, off, err, "chunk size does not match its rows");
	return 0;
}

/* Read the next chunk.  1 with rows, 0 at the end chunk, -1. */
static int
load_chunk(struct pp_reader *r, struct pp_err *err)
{
	struct bin_in *b = r->bin;
	uint64_t off = PP_INBUF_OFFSET(&r->in);
	const unsigned char *h, *p;
	uint32_t nrows, flags, rawlen, storedlen, want, c;

	if ((h = take(r, CHUNK_HDR, err, "chunk header")) == NULL)
		return -1;
	if (memcmp(h, chunk_magic, 4) != 0)
		return bin_fail(r, off, err, "bad chunk magic (not a chunk "
		    "boundary: corrupt or not a frame)");
	nrows = get_u32(h + 4);
	flags = get_u32(h + 8);
	rawlen = get_u32(h + 12);
	storedlen = get_u32(h + 16);
	want = get_u32(h + 20);
	c = crc(0, h + 4, 16);
	if ((flags & ~FLAG_ZLIB) != 0)
		return bin_fail(r, off, err, "unknown chunk flags");
	if (rawlen > MAX_RAW || storedlen > MAX_RAW)
		return bin_fail(r, off, err, "chunk larger than 1 GiB");
	/* deflate packs at most 1032 bytes into one. */
	if ((flags & FLAG_ZLIB) && rawlen > (uint64_t)storedlen * 1032 + 64)
		return bin_fail(r, off, err, "chunk does not decompress to "
		    "its stated size");
	if (!(flags & FLAG_ZLIB) && storedlen != rawlen)
		return bin_fail(r, off, err, "chunk sizes disagree");
	if ((p = take(r, storedlen, err, "chunk")) == NULL)
		return -1;
	c = crc(c, p, storedlen);
	if (c != want)
		return bin_fail(r, off, err, "chunk checksum mismatch");

	/* An uncompressed payload is used where it lies in the input buffer:
	 * nothing reads the input again before the next chunk. */
	if (flags & FLAG_ZLIB) {
		uLongf n = rawlen;

		pp_xgrow((void **)&b->zraw, &b->rawcap, rawlen ? rawlen : 1, 1);
		if (uncompress(b->zraw, &n, p, storedlen) != Z_OK || n != rawlen)
			return bin_fail(r, off, err, "chunk does not "
			    "decompress to its stated size");
		b->raw = b->zraw;
	} else {
		b->raw = p;
	}

	if (nrows == 0) {
		if (flags != 0 || rawlen != 8)
			return bin_fail(r, off, err, "bad end chunk");
		if (get_u64(b->raw) != b->total) {
			char msg[128];

			snprintf(msg, sizeof(msg), "end chunk counts %llu rows, "
			    "the frame had %llu",
			    (unsigned long long)get_u64(b->raw),
			    (unsigned long long)b->total);
			return bin_fail(r, off, err, msg);
		}
		b->ended = 1;
		/* Nothing may follow the end chunk. */
		off = PP_INBUF_OFFSET(&r->in);
		if (pp_inbuf_fill(&r->in, 1) > 0)
			return bin_fail(r, off, err, "trailing data after the "
			    "end of the frame");
		return 0;
	}
	if (map_columns(r, off, nrows, rawlen, err) == -1)
		return -1;
	b->nrows = nrows;
	b->next = 0;
	return 1;
}

static int
bin_reader_next(struct pp_reader *r, struct pp_err *err)
{
	struct bin_in *b = r->bin;
	size_t j, i;

	if (b->ended)
		return 0;
	if (b->next == b->nrows) {
		int rc = load_chunk(r, err);

		if (rc != 1)
			return rc;
	}
	i = b->next++;
	for (j = 0; j < r->schema.ncols; j++) {
		union pp_cell *cell = &r->row[j];

		if (r->skip != NULL && r->skip[j])
			continue;	/* keeps its blank (pp_reader_only) */
		if (r->schema.cols[j].type == PP_T_TEXT) {
			uint32_t a = get_u32(b->col[j] + 4 * i);
			uint32_t z = get_u32(b->col[j] + 4 * (i + 1));

			cell->s.p = (const char *)b->txt[j] + a;
			cell->s.len = z - a;
		} else {
			copy_le64(cell, b->col[j] + 8 * i);
		}
	}
	b->total++;
	r->line = (long)b->total;
	return 1;
}

int
pp_reader_next_block(struct pp_reader *r,
    const unsigned char *const **col, size_t *from, size_t *n,
    struct pp_err *err)
{
	struct bin_in *b = r->bin;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (r->ops != &pp_bin_reader_ops || b == NULL)
		return -2;
#else
	(void)b;
	return -2;
#endif
	if (r->fatal)
		return pp_err_set(err, PP_EXIT_DATA, "%s: cannot read further "
		    "after an error", r->name);
	r->can_skip = 0;
	if (b->ended)
		return 0;
	if (b->next == b->nrows) {
		int rc = load_chunk(r, err);

		if (rc != 1)
			return rc;
	}
	*col = b->col;
	*from = b->next;
	*n = b->nrows - b->next;
	b->next = b->nrows;
	b->total += *n;
	r->line = (long)b->total;
	return 1;
}

const unsigned char *
pp_reader_block_text(const struct pp_reader *r, size_t j)
{
	if (r->ops != &pp_bin_reader_ops || r->bin == NULL ||
	    j >= r->schema.ncols || r->schema.cols[j].type != PP_T_TEXT)
		return NULL;
	return r->bin->txt[j];
}

static void
bin_reader_free(struct pp_reader *r)
{
	struct bin_in *b = r->bin;

	if (b == NULL)
		return;
	free(b->zraw);
	free(b->col);
	free(b->txt);
	free(b);
	r->bin = NULL;
}

/* ---- writing ---- */

struct bin_out {
	size_t chunk_rows;
	size_t n;		/* rows buffered */
	unsigned char **col;	/* numeric columns: chunk_rows * 8 bytes */
	uint32_t **off;		/* text columns: chunk_rows + 1 offsets */
	struct pp_buf *txt;	/* text columns: bytes */
	size_t txtbytes;	/* sum of txt lengths */
	uint64_t total;
	struct pp_buf payload;	/* assembly for compression */
	unsigned char *z;
	size_t zcap;
	struct piece *piece;	/* a chunk's payload in order: 2 * ncols */
	struct pp_colblock *at;	/* pp_writer_block: where each column is */
};

/* A run of a chunk's payload bytes, written where they lie. */
struct piece {
	const void *p;
	size_t n;
};

/* The metadata block of a version 2 header (pairs were checked when set). */
static void
add_meta(struct pp_buf *h, const struct pp_meta *m)
{
	unsigned char tmp[4];
	size_t i;

	put_u32(tmp, (uint32_t)m->n);
	pp_buf_add(h, tmp, 4);
	for (i = 0; i < m->n; i++) {
		size_t kl = strlen(m->key[i]), vl = strlen(m->val[i]);

		tmp[0] = (unsigned char)kl;
		pp_buf_add(h, tmp, 1);
		pp_buf_add(h, m->key[i], kl);
		put_u32(tmp, (uint32_t)vl);
		pp_buf_add(h, tmp, 4);
		pp_buf_add(h, m->val[i], vl);
	}
}

static int
bin_writer_start(struct pp_writer *w, struct pp_err *err)
{
	struct bin_out *b = pp_xcalloc(1, sizeof(*b));
	struct pp_buf h = PP_BUF_INIT;
	unsigned char tmp[4];
	size_t j, ncols = w->schema.ncols, rowbytes = 0;
	int rc;

	w->bin = b;
	b->chunk_rows = w->o.chunk_rows ? w->o.chunk_rows : DEFAULT_CHUNK_ROWS;
	/* Keep a chunk's fixed-width part (8 bytes a number, 4 a text
	 * offset) within FLUSH_BYTES, so a wide frame still makes chunks a
	 * reader accepts (MAX_RAW) and the arrays stay small. */
	for (j = 0; j < ncols; j++)
		rowbytes += w->schema.cols[j].type == PP_T_TEXT ? 4 : 8;
	if (rowbytes > 0 && b->chunk_rows > FLUSH_BYTES / rowbytes)
		b->chunk_rows = FLUSH_BYTES / rowbytes;
	b->col = pp_xcalloc(ncols, sizeof(*b->col));
	b->piece = pp_xcalloc(2 * ncols + 1, sizeof(*b->piece));
	b->at = pp_xcalloc(ncols + 1, sizeof(*b->at));
	b->off = pp_xcalloc(ncols, sizeof(*b->off));
	b->txt = pp_xcalloc(ncols, sizeof(*b->txt));
	pp_buf_init(&b->payload);
	if (w->meta.n > MAX_META)
		return pp_err_set(err, PP_EXIT_DATA, "%s: more than %d "
		    "metadata pairs", w->name, MAX_META);
	if (ncols > 65535)
		return pp_err_set(err, PP_EXIT_DATA, "%s: more than 65535 "
		    "columns", w->name);

	pp_buf_add(&h, pp_bin_magic, sizeof(pp_bin_magic));
	/* Version 1 when there is no metadata: the same bytes as before
	 * version 2 existed, readable by every reader. */
	put_u16(tmp, w->meta.n > 0 ? 2 : 1);
	put_u16(tmp + 2, 0);
	pp_buf_add(&h, tmp, 4);
	put_u32(tmp, (uint32_t)ncols);
	pp_buf_add(&h, tmp, 4);
	for (j = 0; j < ncols; j++) {
		const struct pp_col *col = &w->schema.cols[j];
		size_t len = strlen(col->name);

		if (len > 65535) {
			pp_buf_release(&h);
			return pp_err_set(err, PP_EXIT_DATA, "%s: column name "
			    "longer than 65535 bytes", w->name);
		}
		tmp[0] = (unsigned char)col->type;
		tmp[1] = 0;
		put_u16(tmp + 2, (uint16_t)len);
		pp_buf_add(&h, tmp, 4);
		pp_buf_add(&h, col->name, len);
		if (col->type == PP_T_TEXT) {
			b->off[j] = pp_xmalloc((b->chunk_rows + 1) *
			    sizeof(**b->off));
			b->off[j][0] = 0;
			pp_buf_init(&b->txt[j]);
		} else {
			b->col[j] = pp_xmalloc(b->chunk_rows * 8);
		}
	}
	if (w->meta.n > 0)
		add_meta(&h, &w->meta);
	put_u32(tmp, crc(0, h.data, h.len));
	pp_buf_add(&h, tmp, 4);
	rc = pp_frame_fwrite(w, h.data, h.len, err);
	pp_buf_release(&h);
	return rc;
}

/*
 * Write one chunk of nrows rows whose payload is the np pieces given, in
 * order (nrows 0: the end chunk, whose payload is the row count).  The
 * pieces are checksummed and written where they lie; only compression
 * assembles them first.
 */
static int
emit_pieces(struct pp_writer *w, size_t nrows, const struct piece *pc,
    size_t np, struct pp_err *err)
{
	struct bin_out *b = w->bin;
	unsigned char hdr[CHUNK_HDR];
	size_t i, rawlen = 0, storedlen;
	uint32_t c;
	int zip = w->o.compress && nrows > 0;

	for (i = 0; i < np; i++)
		rawlen += pc[i].n;
	if (rawlen > MAX_RAW)
		return pp_err_set(err, PP_EXIT_DATA, "%s: a chunk of %zu "
		    "bytes is larger than 1 GiB", w->name, rawlen);
	storedlen = rawlen;
	if (zip) {
		uLongf zn = compressBound(rawlen);

		pp_buf_reset(&b->payload);
		for (i = 0; i < np; i++)
			pp_buf_add(&b->payload, pc[i].p, pc[i].n);
		pp_xgrow((void **)&b->z, &b->zcap, zn, 1);
		if (compress2(b->z, &zn, (const Bytef *)b->payload.data,
		    rawlen, Z_BEST_SPEED) != Z_OK)
			return pp_err_set(err, PP_EXIT_DATA, "%s: zlib "
			    "compression failed", w->name);
		storedlen = zn;
	}
	memcpy(hdr, chunk_magic, 4);
	put_u32(hdr + 4, (uint32_t)nrows);
	put_u32(hdr + 8, zip ? FLAG_ZLIB : 0);
	put_u32(hdr + 12, (uint32_t)rawlen);
	put_u32(hdr + 16, (uint32_t)storedlen);
	c = crc(0, hdr + 4, 16);
	if (zip)
		c = crc(c, b->z, storedlen);
	else
		for (i = 0; i < np; i++)
			c = crc(c, pc[i].p, pc[i].n);
	put_u32(hdr + 20, c);
	if (pp_frame_fwrite(w, hdr, sizeof(hdr), err) == -1)
		return -1;
	if (zip)
		return pp_frame_fwrite(w, b->z, storedlen, err);
	for (i = 0; i < np; i++)
		if (pp_frame_fwrite(w, pc[i].p, pc[i].n, err) == -1)
			return -1;
	return 0;
}

/* Write the buffered rows as one chunk, or with none the end chunk. */
static int
emit(struct pp_writer *w, struct pp_err *err)
{
	struct bin_out *b = w->bin;
	unsigned char le[8];
	size_t j, i, np = 0, ncols = w->schema.ncols;

	if (b->n == 0) {
		/* End chunk: the total row count. */
		put_u32(le, (uint32_t)(b->total & 0xffffffffu));
		put_u32(le + 4, (uint32_t)(b->total >> 32));
		b->piece[0].p = le;
		b->piece[0].n = 8;
		return emit_pieces(w, 0, b->piece, 1, err);
	}
	for (j = 0; j < ncols; j++) {
		if (w->schema.cols[j].type != PP_T_TEXT) {
			b->piece[np].p = b->col[j];
			b->piece[np++].n = b->n * 8;
			continue;
		}
		/* The offsets little-endian, in place: after this chunk
		 * only the first, 0, is read again. */
		for (i = 0; i <= b->n; i++)
			put_u32((unsigned char *)&b->off[j][i], b->off[j][i]);
		b->piece[np].p = b->off[j];
		b->piece[np++].n = (b->n + 1) * 4;
		b->piece[np].p = b->txt[j].data;
		b->piece[np++].n = b->txt[j].len;
	}
	if (emit_pieces(w, b->n, b->piece, np, err) == -1)
		return -1;
	b->n = 0;
	b->txtbytes = 0;
	for (j = 0; j < ncols; j++)
		if (w->schema.cols[j].type == PP_T_TEXT)
			pp_buf_reset(&b->txt[j]);
	return 0;
}

static int
bin_writer_row(struct pp_writer *w, const union pp_cell *row,
    struct pp_err *err)
{
	struct bin_out *b = w->bin;
	size_t j, ncols = w->schema.ncols, n = b->n;

	for (j = 0; j < ncols; j++) {
		if (w->schema.cols[j].type == PP_T_TEXT) {
			pp_buf_add(&b->txt[j], row[j].s.p, row[j].s.len);
			b->txtbytes += row[j].s.len;
			if (b->txt[j].len > UINT32_MAX)
				return pp_err_set(err, PP_EXIT_DATA, "%s: text "
				    "cell too large", w->name);
			b->off[j][n + 1] = (uint32_t)b->txt[j].len;
		} else {
			copy_le64(b->col[j] + 8 * n, &row[j]);
		}
	}
	b->n = n + 1;
	b->total++;
	if (b->n == b->chunk_rows || b->txtbytes > FLUSH_BYTES)
		return emit(w, err);
	return 0;
}

/*
 * How many of the next k rows of c go into the chunk being filled: all k,
 * unless a row takes the chunk's text past FLUSH_BYTES first, where
 * bin_writer_row would end the chunk (then up to that row).  off(c, r) is
 * the text of c's rows before r; it grows with r.
 */
static uint32_t
blk_off(const struct pp_colblock *c, size_t r)
{
	return get_u32(c->v + 4 * r) - get_u32(c->v);
}

/* The chunk's text bytes once the first r rows of c are in. */
static size_t
text_after(const struct pp_writer *w, const struct pp_colblock *c, size_t r)
{
	size_t j, t = w->bin->txtbytes;

	for (j = 0; j < w->schema.ncols; j++)
		if (w->schema.cols[j].type == PP_T_TEXT)
			t += blk_off(&c[j], r);
	return t;
}

static size_t
text_fit(const struct pp_writer *w, const struct pp_colblock *c, size_t k)
{
	size_t lo = 0, hi = k, mid;

	if (text_after(w, c, k) <= FLUSH_BYTES)
		return k;
	/* The smallest m in (lo, hi] whose text passes the bound. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (text_after(w, c, mid) > FLUSH_BYTES)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* Append k rows of c to the chunk being filled. */
static int
block_copy(struct pp_writer *w, const struct pp_colblock *c, size_t k,
    struct pp_err *err)
{
	struct bin_out *b = w->bin;
	size_t j, i, n = b->n, base;
	uint32_t len;

	for (j = 0; j < w->schema.ncols; j++) {
		if (w->schema.cols[j].type != PP_T_TEXT) {
			memcpy(b->col[j] + 8 * n, c[j].v, 8 * k);
			continue;
		}
		len = blk_off(&c[j], k);
		base = b->txt[j].len;

		if (base + len > UINT32_MAX)
			return pp_err_set(err, PP_EXIT_DATA, "%s: text cell "
			    "too large", w->name);
		for (i = 1; i <= k; i++)
			b->off[j][n + i] = (uint32_t)(base + blk_off(&c[j], i));
		pp_buf_add(&b->txt[j], c[j].txt + get_u32(c[j].v), len);
		b->txtbytes += len;
	}
	b->n = n + k;
	return 0;
}

int
pp_writer_block(struct pp_writer *w, const struct pp_colblock *cols,
    size_t n, struct pp_err *err)
{
	struct bin_out *b = w->bin;
	size_t j, k, np, ncols = w->schema.ncols;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (w->ops != &pp_bin_writer_ops || b == NULL || w->th != NULL)
		return -2;
#else
	(void)b;
	return -2;
#endif
	memcpy(b->at, cols, ncols * sizeof(*cols));
	while (n > 0) {
		k = b->chunk_rows - b->n < n ? b->chunk_rows - b->n : n;
		k = text_fit(w, b->at, k);
		if (b->n == 0 && k == b->chunk_rows && !w->o.compress) {
			/* A whole chunk: written from where it lies, the
			 * text offsets moved to start at 0 if they do not. */
			for (np = 0, j = 0; j < ncols; j++) {
				const struct pp_colblock *c = &b->at[j];

				if (w->schema.cols[j].type != PP_T_TEXT) {
					b->piece[np].p = c->v;
					b->piece[np++].n = 8 * k;
					continue;
				}
				b->piece[np].p = c->v;
				b->piece[np++].n = 4 * (k + 1);
				if (get_u32(c->v) != 0) {
					size_t i;

					for (i = 0; i <= k; i++)
						put_u32((unsigned char *)
						    &b->off[j][i],
						    blk_off(c, i));
					b->piece[np - 1].p = b->off[j];
				}
				b->piece[np].p = c->txt + get_u32(c->v);
				b->piece[np++].n = blk_off(c, k);
			}
			if (emit_pieces(w, k, b->piece, np, err) == -1)
				return -1;
			/* off[j][0] is 0 again for the rows to come. */
			for (j = 0; j < ncols; j++)
				if (w->schema.cols[j].type == PP_T_TEXT)
					b->off[j][0] = 0;
		} else {
			if (block_copy(w, b->at, k, err) == -1)
				return -1;
			if ((b->n == b->chunk_rows ||
			    b->txtbytes > FLUSH_BYTES) && emit(w, err) == -1)
				return -1;
		}
		b->total += k;
		for (j = 0; j < ncols; j++)
			b->at[j].v += (w->schema.cols[j].type == PP_T_TEXT ?
			    4 : 8) * k;
		n -= k;
	}
	return 0;
}

static int
bin_writer_flush(struct pp_writer *w, struct pp_err *err)
{
	if (w->bin->n == 0)
		return 0;
	return emit(w, err);
}

static int
bin_writer_finish(struct pp_writer *w, struct pp_err *err)
{
	if (bin_writer_flush(w, err) == -1)
		return -1;
	return emit(w, err);	/* n == 0: the end chunk */
}

static void
bin_writer_free(struct pp_writer *w)
{
	struct bin_out *b = w->bin;
	size_t j;

	if (b == NULL)
		return;
	for (j = 0; j < w->schema.ncols; j++) {
		free(b->col[j]);
		free(b->off[j]);
		pp_buf_release(&b->txt[j]);
	}
	free(b->col);
	free(b->piece);
	free(b->at);
	free(b->off);
	free(b->txt);
	pp_buf_release(&b->payload);
	free(b->z);
	free(b);
	w->bin = NULL;
}

static int
bin_sniff(const unsigned char *p, size_t n)
{
	return n >= sizeof(pp_bin_magic) &&
	    memcmp(p, pp_bin_magic, sizeof(pp_bin_magic)) == 0;
}

static int
bin_reader_open(struct pp_reader *r, const struct pp_read_opts *o,
    struct pp_err *err)
{
	(void)o;	/* a binary frame says all it needs itself */
	return bin_reader_open_(r, err);
}

const struct pp_frame_reader_ops pp_bin_reader_ops = {
	PP_FMT_BIN, bin_sniff, bin_reader_open, bin_reader_next,
	bin_reader_free, NULL
};

const struct pp_frame_writer_ops pp_bin_writer_ops = {
	PP_FMT_BIN, bin_writer_start, bin_writer_row, bin_writer_flush,
	bin_writer_finish, bin_writer_free, NULL, NULL
};
