/*
 * csv_parallel.c - parsing a CSV frame on worker threads (the reading half of
 * csv.c's fast path).
 *
 * Turning text into numbers is most of the cost of reading CSV, and our
 * machines have at least two cores.  Once csv.c has read the header and
 * settled the column types, the rest of a regular file is cut into blocks
 * of about `block` bytes, each ending at a line end outside any quoted
 * field, and worker threads parse the blocks while the program's thread
 * hands out the rows of the oldest one.  Blocks come back in input order.
 *
 * A worker takes only the lines csv.c's fast path would take (no quote, no
 * carriage return but a final one), and only while each row has the
 * schema's number of fields and every field fits its type.  At the first
 * other line it stops and records where (rest, rest_line): csv.c feeds the
 * rest of that block through its ordinary path, line by line, so every
 * message, every skipped row and every quoted field reads exactly as it
 * would without threads.
 *
 * Where to cut.  In RFC 4180 quotes come in pairs (an opening and a
 * closing quote, and "" inside a quoted field), so a newline with an even
 * number of quotes before it in the block is not inside a quoted field;
 * each block starts at a row's start.  Input that breaks the pairing is
 * malformed, and libcsv (strict) stops with an error at the first line
 * that breaks it, before any row a wrong cut could affect.  A block grows
 * until it has a place to cut, so a line longer than a block is one block.
 *
 * Rows kept as text (keep_lines: pp cat and pp-predict CSV -> CSV).  When
 * the caller asks, a worker checks each line's fields (found by
 * field_ends): if every one is already what the CSV writer would write
 * for its value (pp_csv_canonical), the row is kept as the line's offset
 * and length, and is not formatted again; with keep_lines 1 its fields
 * are not even converted (pp_csv_parallel_split gives its cells on
 * demand), with 2 they are, in the same pass.  Any other line is split
 * into cells as usual.
 *
 * Memory: nslots blocks of bytes, cells and line numbers: a few MiB,
 * whatever the input size (a slot that once held a line longer than a
 * block keeps that many bytes, but its later blocks are block-sized).
 * Text cells point into their block, which stays untouched until the next
 * call to pp_csv_parallel_next.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "frame_impl.h"
#include "num.h"
#include "util.h"
#include "banned.h"

enum slot_state { SLOT_FREE, SLOT_RAW, SLOT_BUSY, SLOT_DONE };

struct slot {
	enum slot_state state;
	unsigned long seq;	/* position in the input, from 0 */
	struct pp_csvblock b;	/* what the consumer sees */
	unsigned char *buf;	/* b.buf, owned */
	size_t cap;
	union pp_cell *cells;	/* b.cells, owned */
	size_t cellrows;	/* rows cells can hold */
	size_t *lines;		/* b.lines, owned */
	size_t linecap;
	struct pp_csvkept *kept;	/* b.kept, owned (keep_lines), cellrows */
	const unsigned char **ends;	/* ncols: a line's field ends */
};

struct pp_csv_parallel {
	struct pp_inbuf *in;
	size_t ncols;
	enum pp_type *types;
	unsigned char *skip;	/* ncols flags: blank, do not convert */
	unsigned char delim;
	int keep_lines;		/* keep canonical rows as text: 1, or 2
				   with their cells as well */
	size_t block;		/* bytes to aim for in a block */
	struct slot *slots;
	size_t nslots;
	pthread_t *th;
	size_t nth;		/* threads running */
	struct pp_buf carry;	/* bytes read but in no block yet */
	size_t cpos;		/* carry's first byte not taken */
	unsigned long filled;	/* blocks handed to the workers */
	unsigned long taken;	/* blocks handed to the consumer */
	struct slot *cur;	/* the consumer's block, or NULL */
	int input_done;		/* every byte is in some block */
	int ioerr;		/* a read failed: errno */
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t raw_cv;	/* a block to parse, or stop */
	pthread_cond_t done_cv;	/* a block was parsed */
};

/* ---- the workers ---- */

/* Split one line s[0..e) (its end of line removed) into cells.  0 if it
 * has ncols fields that all fit their types, else -1. */
static int
split_row(const struct pp_csv_parallel *p, const unsigned char *s,
    const unsigned char *e, union pp_cell *cells)
{
	size_t j;

	for (j = 0; j < p->ncols; j++) {
		const unsigned char *d = memchr(s, p->delim, (size_t)(e - s));

		if (j + 1 < p->ncols ? d == NULL : d != NULL)
			return -1;	/* too few or too many fields */
		if (d == NULL)
			d = e;
		if (p->skip[j]) {
			pp_cell_blank(p->types[j], &cells[j]);
		} else if (p->types[j] == PP_T_F64) {
			/* pp_csv_cell's usual case, one call shorter. */
			if (pp_parse_double((const char *)s, (size_t)(d - s),
			    &cells[j].f) == -1)
				return -1;
		} else if (pp_csv_cell(p->types[j], (const char *)s,
		    (size_t)(d - s), &cells[j]) != NULL) {
			return -1;
		}
		s = d + 1;
	}
	return 0;
}

int
pp_csv_parallel_split(const struct pp_csv_parallel *p, const unsigned char *s,
    size_t len, union pp_cell *cells)
{
	return split_row(p, s, s + len, cells);
}

/*
 * Where the fields of the line s[0..e) end: ends[j] for j < ncols (the
 * delimiter after field j, or e).  0, or -1 if the line has another
 * number of fields.  The delimiters are found 64 bytes at a time as a
 * bit mask (SSE2, in every x86-64), then taken lowest bit first: a scan
 * byte by byte mispredicted the branch at the end of every field, and
 * was the costliest part of reading a row kept as text.
 */
static int
field_ends(const struct pp_csv_parallel *p, const unsigned char *s,
    const unsigned char *e, const unsigned char **ends)
{
	const unsigned char *q = s;
	size_t j = 0;

#ifdef __SSE2__
	const __m128i dv = _mm_set1_epi8((char)p->delim);

	while (q < e) {
		unsigned char pad[64];
		const unsigned char *w = q;
		size_t n = (size_t)(e - q) < 64 ? (size_t)(e - q) : 64, k;
		uint64_t m = 0;

		if (n < 64) {	/* the line's last bytes: never read past e */
			memset(pad, 0, sizeof(pad));
			memcpy(pad, q, n);
			w = pad;
		}
		for (k = 0; k < 4; k++)
			m |= (uint64_t)(unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)
			    (const void *)(w + 16 * k)), dv)) << (16 * k);
		if (n < 64)
			m &= (1ULL << n) - 1;
		for (; m != 0; m &= m - 1) {
			if (j + 1 >= p->ncols)
				return -1;	/* too many fields */
			ends[j++] = q + __builtin_ctzll(m);
		}
		q += n;
	}
#else
	for (; q < e; q++)
		if (*q == p->delim) {
			if (j + 1 >= p->ncols)
				return -1;
			ends[j++] = q;
		}
#endif
	if (j + 1 != p->ncols)
		return -1;		/* too few */
	ends[j] = e;
	return 0;
}

/* 1 if every field of the line (ends from field_ends) is already in the
 * writer's form for its type: the row may be kept as text. */
static int
keep_row(const struct pp_csv_parallel *p, const unsigned char *s,
    const unsigned char *const *ends)
{
	size_t j;

	for (j = 0; j < p->ncols; j++) {
		if (j > 0)
			s = ends[j - 1] + 1;
		if (!pp_csv_canonical(p->types[j], (const char *)s,
		    (size_t)(ends[j] - s), (char)p->delim))
			return 0;
	}
	return 1;
}

/* split_row, and *kept set to whether every field is in the writer's
 * form: one pass over the fields for both (keep_lines 2). */
static int
split_keep(const struct pp_csv_parallel *p, const unsigned char *s,
    const unsigned char *const *ends, union pp_cell *cells, int *kept)
{
	size_t j;
	int all = 1;

	for (j = 0; j < p->ncols; j++) {
		size_t len;

		if (j > 0)
			s = ends[j - 1] + 1;
		len = (size_t)(ends[j] - s);

		if (pp_csv_cell(p->types[j], (const char *)s, len, &cells[j])
		    != NULL)
			return -1;
		all = all && pp_csv_cell_canonical(p->types[j],
		    (const char *)s, len, (char)p->delim, &cells[j]);
	}
	*kept = all;
	return 0;
}

/* The line s[0..e) as row `row` of sl: kept as text, or split into cells
 * (or both, keep_lines 2).  -1 if it is neither (the block stops
 * there). */
static int
take_row(const struct pp_csv_parallel *p, struct slot *sl, size_t row,
    const unsigned char *s, const unsigned char *e)
{
	int kept = 0;

	if (p->keep_lines && field_ends(p, s, e, sl->ends) == -1)
		return -1;
	if (p->keep_lines == 2) {
		if (split_keep(p, s, sl->ends, sl->cells + row * p->ncols,
		    &kept) == -1)
			return -1;
	} else if (p->keep_lines == 1) {
		kept = keep_row(p, s, sl->ends);
		if (!kept && split_row(p, s, e, sl->cells + row * p->ncols) ==
		    -1)
			return -1;
	} else {
		return split_row(p, s, e, sl->cells + row * p->ncols);
	}
	sl->kept[row].off = (size_t)(s - sl->buf);
	sl->kept[row].len = kept ? (size_t)(e - s) : 0;
	return 0;
}

/* Room in sl for row `row` (cells, line numbers, kept rows). */
static void
room_for_row(const struct pp_csv_parallel *p, struct slot *sl, size_t row)
{
	if (row == sl->cellrows) {
		size_t n = sl->cellrows;

		pp_xgrow((void **)&sl->cells, &sl->cellrows, row + 1,
		    p->ncols * sizeof(*sl->cells));
		if (p->keep_lines)
			pp_xgrow((void **)&sl->kept, &n, sl->cellrows,
			    sizeof(*sl->kept));
	}
	if (row == sl->linecap)
		pp_xgrow((void **)&sl->lines, &sl->linecap, row + 1,
		    sizeof(*sl->lines));
}

#ifdef __SSE2__
/* Field j, s[0..e), into cell c as split_row takes it: 0, or -1 if it
 * does not fit its type. */
static inline int
take_field(const struct pp_csv_parallel *p, size_t j, const unsigned char *s,
    const unsigned char *e, union pp_cell *c)
{
	if (p->skip[j]) {
		pp_cell_blank(p->types[j], c);
		return 0;
	}
	if (p->types[j] == PP_T_F64)
		return pp_parse_double((const char *)s, (size_t)(e - s),
		    &c->f);
	return pp_csv_cell(p->types[j], (const char *)s, (size_t)(e - s), c)
	    != NULL ? -1 : 0;
}

/*
 * parse_block's loop for a block without quotes or carriage returns whose
 * rows become cells (no keep_lines), in one pass: the delimiters and line
 * ends are found 64 bytes at a time as bit masks (as field_ends does) and
 * each field is taken as its end is found, instead of a memchr for every
 * field and every line.  Stops before the first line that is not a row
 * split_row takes (another number of fields, a field that does not fit),
 * and before a last line without a '\n': parse_block's own loop goes on
 * from the line returned.  *rowp and *lnp as that loop counts them.
 */
static const unsigned char *
scan_rows(const struct pp_csv_parallel *p, struct slot *sl, size_t *rowp,
    size_t *lnp)
{
	const unsigned char *buf = sl->b.buf, *line = buf, *fs = buf;
	const size_t len = sl->b.len, ncols = p->ncols;
	const __m128i dv = _mm_set1_epi8((char)p->delim);
	const __m128i nv = _mm_set1_epi8('\n');
	size_t row = *rowp, ln = *lnp, j = 0, pos, k;
	union pp_cell *cells;

	room_for_row(p, sl, row);
	cells = sl->cells + row * ncols;
	for (pos = 0; pos < len; pos += 64) {
		unsigned char pad[64];
		const unsigned char *w = buf + pos;
		uint64_t m = 0;

		if (len - pos < 64) {	/* never read past the block */
			memset(pad, 0, sizeof(pad));
			memcpy(pad, w, len - pos);
			w = pad;
		}
		for (k = 0; k < 4; k++) {
			__m128i x = _mm_loadu_si128((const __m128i *)
			    (const void *)(w + 16 * k));

			m |= (uint64_t)(unsigned)_mm_movemask_epi8(
			    _mm_or_si128(_mm_cmpeq_epi8(x, dv),
			    _mm_cmpeq_epi8(x, nv))) << (16 * k);
		}
		for (; m != 0; m &= m - 1) {
			const unsigned char *q = buf + pos +
			    (size_t)__builtin_ctzll(m);

			if (*q != '\n') {
				if (j + 1 >= ncols ||
				    take_field(p, j, fs, q, &cells[j]) == -1)
					goto out;
				j++;
				fs = q + 1;
				continue;
			}
			if (q > line) {		/* a blank line is skipped */
				if (j + 1 != ncols ||
				    take_field(p, j, fs, q, &cells[j]) == -1)
					goto out;
				sl->lines[row++] = ln;
				room_for_row(p, sl, row);
				cells = sl->cells + row * ncols;
			}
			ln++;
			line = fs = q + 1;
			j = 0;
		}
	}
out:
	*rowp = row;
	*lnp = ln;
	return line;
}
#endif

static void
parse_block(const struct pp_csv_parallel *p, struct slot *sl)
{
	struct pp_csvblock *b = &sl->b;
	const unsigned char *line = b->buf, *end = b->buf + b->len;
	int quotes = memchr(b->buf, '"', b->len) != NULL;
	int crs = memchr(b->buf, '\r', b->len) != NULL;
	size_t row = 0, ln = 0;

#ifdef __SSE2__
	if (!p->keep_lines && !quotes && !crs && p->delim != '\n' &&
	    p->delim != '\0')
		line = scan_rows(p, sl, &row, &ln);
#endif
	while (line < end) {
		const unsigned char *nl = memchr(line, '\n',
		    (size_t)(end - line));
		const unsigned char *e = nl != NULL ? nl : end;

		if (crs && e > line && e[-1] == '\r')
			e--;
		if ((quotes && memchr(line, '"', (size_t)(e - line))) ||
		    (crs && memchr(line, '\r', (size_t)(e - line))))
			break;
		if (e > line) {		/* a blank line is skipped */
			room_for_row(p, sl, row);
			if (take_row(p, sl, row, line, e) == -1)
				break;
			sl->lines[row++] = ln;
		}
		ln++;
		line = nl != NULL ? nl + 1 : end;
	}
	b->cells = sl->cells;
	b->kept = p->keep_lines ? sl->kept : NULL;
	b->lines = sl->lines;
	b->nrows = row;
	b->rest = (size_t)(line - b->buf);
	b->rest_line = ln;
	/* Lines in the block: rows end at '\n', and the last block may end
	 * in a line without one. */
	for (b->nlines = ln; line < end; b->nlines++) {
		const unsigned char *nl = memchr(line, '\n',
		    (size_t)(end - line));

		line = nl != NULL ? nl + 1 : end;
	}
}

/* The unparsed block that comes first, or NULL.  Called locked. */
static struct slot *
oldest_raw(struct pp_csv_parallel *p)
{
	struct slot *best = NULL;
	size_t i;

	for (i = 0; i < p->nslots; i++)
		if (p->slots[i].state == SLOT_RAW &&
		    (best == NULL || p->slots[i].seq < best->seq))
			best = &p->slots[i];
	return best;
}

static void *
worker_main(void *arg)
{
	struct pp_csv_parallel *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct slot *sl;

		while (!p->stop && (sl = oldest_raw(p)) == NULL)
			pthread_cond_wait(&p->raw_cv, &p->mu);
		if (p->stop)
			break;
		sl->state = SLOT_BUSY;
		pthread_mutex_unlock(&p->mu);
		parse_block(p, sl);
		pthread_mutex_lock(&p->mu);
		sl->state = SLOT_DONE;
		pthread_cond_broadcast(&p->done_cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- the program's thread: reading and cutting ---- */

/* Just after the last newline in b[0..len), or 0 if there is none. */
static size_t
last_line_end(const unsigned char *b, size_t len)
{
	size_t i;

	for (i = len; i > 0; i--)
		if (b[i - 1] == '\n')
			return i;
	return 0;
}

/* Where to cut b[0..len): just after the last newline outside a quoted
 * field, or 0 if there is none. */
static size_t
cut_point(const unsigned char *b, size_t len)
{
	size_t i, cut = 0;
	int open = 0;

	if (memchr(b, '"', len) == NULL)
		return last_line_end(b, len);
	for (i = 0; i < len; i++) {
		if (b[i] == '"')
			open = !open;
		else if (b[i] == '\n' && !open)
			cut = i + 1;
	}
	return cut;
}

/*
 * Read the next block into the free slot sl: what the carry holds, then
 * input, until the block has at least p->block bytes and a cut point, or
 * the input ends.  0, or -1 if nothing is left to parse after a read
 * error (p->ioerr set).
 *
 * Reads ask for no more than the block still wants, even when the slot
 * grew for a line longer than a block: else that slot's next read would
 * take its whole capacity, and a block as big as the long line, cut into
 * short rows, would need far more cells than the line needed bytes.
 *
 * The bytes after the cut go back to the carry.  When they all came from
 * it, taking them back is moving cpos back: copying the rest of the carry
 * on every block would make a large head (the reader's buffer after a
 * long line among the first rows) cost its size squared over the block.
 *
 * After a read error the block ends at its last line end, quotes or not:
 * a one-thread read feeds every whole line before the error and only
 * then reports it, and nothing follows this block to be cut wrongly.
 */
static int
fill_slot(struct pp_csv_parallel *p, struct slot *sl)
{
	size_t len = 0, want = p->block, cut, got = 0;

	for (;;) {
		if (sl->cap < want)
			pp_xgrow((void **)&sl->buf, &sl->cap, want, 1);
		while (len < want) {
			size_t k = p->carry.len - p->cpos;
			long n;

			if (k > 0) {
				if (k > want - len)
					k = want - len;
				memcpy(sl->buf + len, p->carry.data + p->cpos, k);
				p->cpos += k;
				len += k;
				continue;
			}
			if (p->in->eof)
				break;
			n = pp_inbuf_read(p->in, sl->buf + len, want - len);
			if (n == -1) {
				p->ioerr = p->in->ioerr;
				sl->b.buf = sl->buf;
				sl->b.len = last_line_end(sl->buf, len);
				return sl->b.len > 0 ? 0 : -1;
			}
			len += (size_t)n;
			got += (size_t)n;
		}
		if (p->in->eof && p->cpos == p->carry.len) {
			cut = len;
			break;
		}
		cut = cut_point(sl->buf, len);
		if (cut > 0)
			break;
		want = 2 * len;	/* no line end yet: a line longer than a block */
	}
	/* What follows the cut starts the next block.  Input is read only
	 * once the carry is empty, so the bytes after the cut are either the
	 * carry's last ones taken or, if anything was read, all the carry. */
	if (got == 0) {
		p->cpos -= len - cut;
	} else {
		pp_buf_reset(&p->carry);
		pp_buf_add(&p->carry, sl->buf + cut, len - cut);
		p->cpos = 0;
	}
	if (p->in->eof && p->cpos == p->carry.len)
		p->input_done = 1;
	sl->b.buf = sl->buf;
	sl->b.len = cut;
	return 0;
}

/* Hand every free slot a block to parse, while input lasts. */
static void
fill_free(struct pp_csv_parallel *p)
{
	size_t i;

	for (i = 0; i < p->nslots && !p->input_done && !p->ioerr; i++) {
		struct slot *sl = &p->slots[i];
		int is_free;

		pthread_mutex_lock(&p->mu);
		is_free = sl->state == SLOT_FREE;
		pthread_mutex_unlock(&p->mu);
		if (!is_free || fill_slot(p, sl) == -1)
			continue;
		if (sl->b.len == 0)
			continue;	/* the input ended at a cut */
		pthread_mutex_lock(&p->mu);
		sl->seq = p->filled++;
		sl->state = SLOT_RAW;
		pthread_cond_signal(&p->raw_cv);
		pthread_mutex_unlock(&p->mu);
	}
}

const struct pp_csvblock *
pp_csv_parallel_next(struct pp_csv_parallel *p, int *ioerr)
{
	struct slot *sl = NULL;
	size_t i;

	*ioerr = 0;
	if (p->cur != NULL) {
		pthread_mutex_lock(&p->mu);
		p->cur->state = SLOT_FREE;
		pthread_mutex_unlock(&p->mu);
		p->cur = NULL;
	}
	fill_free(p);
	if (p->taken == p->filled) {
		*ioerr = p->ioerr;
		return NULL;
	}
	pthread_mutex_lock(&p->mu);
	for (i = 0; i < p->nslots; i++)
		if (p->slots[i].state != SLOT_FREE &&
		    p->slots[i].seq == p->taken)
			sl = &p->slots[i];
	while (sl->state != SLOT_DONE)
		pthread_cond_wait(&p->done_cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	p->taken++;
	p->cur = sl;
	return &sl->b;
}

struct pp_csv_parallel *
pp_csv_parallel_start(struct pp_inbuf *in, const unsigned char *head,
    size_t nhead, const struct pp_schema *s, const unsigned char *skip,
    unsigned char delim, size_t block, int threads, int keep_lines)
{
	struct pp_csv_parallel *p = pp_xcalloc(1, sizeof(*p));
	size_t j;

	p->in = in;
	p->ncols = s->ncols;
	p->types = pp_xcalloc(s->ncols ? s->ncols : 1, sizeof(*p->types));
	p->skip = pp_xcalloc(s->ncols ? s->ncols : 1, 1);
	for (j = 0; j < s->ncols; j++) {
		p->types[j] = s->cols[j].type;
		p->skip[j] = skip != NULL && skip[j];
	}
	p->delim = delim;
	p->keep_lines = keep_lines;
	p->block = block ? block : 1;
	pp_buf_init(&p->carry);
	pp_buf_add(&p->carry, (const char *)head, nhead);
	/* Two blocks a thread: one parsed while the other waits its turn. */
	p->nslots = 2 * (size_t)threads;
	p->slots = pp_xcalloc(p->nslots, sizeof(*p->slots));
	for (j = 0; j < p->nslots && keep_lines; j++)
		p->slots[j].ends = pp_xcalloc(s->ncols + 1,
		    sizeof(*p->slots[j].ends));
	p->th = pp_xcalloc((size_t)threads, sizeof(*p->th));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->raw_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	for (; p->nth < (size_t)threads; p->nth++)
		if (pthread_create(&p->th[p->nth], NULL, worker_main, p) != 0)
			break;
	if (p->nth == 0) {
		/* Give the bytes back: the caller goes on without threads. */
		pp_csv_parallel_free(p);
		return NULL;
	}
	return p;
}

void
pp_csv_parallel_free(struct pp_csv_parallel *p)
{
	size_t i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->raw_cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	for (i = 0; i < p->nslots; i++) {
		free(p->slots[i].buf);
		free(p->slots[i].cells);
		free(p->slots[i].lines);
		free(p->slots[i].kept);
		free(p->slots[i].ends);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->raw_cv);
	pthread_cond_destroy(&p->done_cv);
	pp_buf_release(&p->carry);
	free(p->slots);
	free(p->th);
	free(p->types);
	free(p->skip);
	free(p);
}
