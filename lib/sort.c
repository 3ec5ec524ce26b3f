/*
 * sort.c - an external merge sort of frames (sort.h): fill a buffer, sort
 * it by key then input order, spill it as a binary run; merge the runs.
 */
#include "sort.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"
#include "banned.h"

/*
 * What a run costs while it is merged: a reader's input block (256 KiB),
 * a decoded chunk, whose rows are chosen to take about as much, and the
 * reader's own buffers; about 1 MiB, measured.  So a merge of k runs
 * needs about k MiB, and the fan-in k is what half the buffer pays for
 * (the rows held take the other half while runs merge during the
 * reading), from 2 to MAX_FANIN.
 */
#define RUN_COST ((size_t)1 << 20)
#define CHUNK_BYTES ((size_t)256 << 10)
#define MAX_FANIN 64

/* The sort key of one row, and where the row is. */
struct key {
	enum pp_sort_by by;	/* the order (qsort passes no context) */
	enum pp_type dtype;	/* the date column's type */
	union pp_cell date;
	const char *sym;
	size_t symlen;
	size_t row;		/* input order within the buffer */
};

/* A sorted run: a binary frame in an unlinked temporary file, rewound.
 * Level 0 runs are spilled buffers; fanin runs of level L merge into one
 * of level L+1, as a binary counter carries. */
struct run {
	FILE *fp;
	unsigned level;
};

struct sorter {
	struct pp_sort_opts *o;
	const struct pp_schema *s;
	size_t ncols;
	long date_col, sym_col;
	enum pp_type dtype;
	union pp_cell *cells;	/* nrows * ncols; text cells as offsets
				   into text until sorted_keys */
	size_t nrows, caprows;
	struct pp_buf text;	/* bytes of the buffer's text cells */
	struct run *runs;	/* in input order: a run's rows all come
				   before the next run's */
	size_t nruns;
	size_t fanin;		/* runs merged at once */
	size_t chunk_rows;	/* rows per chunk of a run */
};

static int
cmp_bytes(const char *a, size_t na, const char *b, size_t nb)
{
	int r = memcmp(a, b, na < nb ? na : nb);

	if (r != 0)
		return r < 0 ? -1 : 1;
	return na < nb ? -1 : na > nb;
}

/* A missing date first, then in order. */
static int
cmp_date(enum pp_type t, const union pp_cell *a, const union pp_cell *b)
{
	switch (t) {
	case PP_T_F64:
		if (isnan(a->f) || isnan(b->f))
			return (isnan(b->f) != 0) - (isnan(a->f) != 0);
		return a->f < b->f ? -1 : a->f > b->f;
	case PP_T_TEXT:
		return cmp_bytes(a->s.p, a->s.len, b->s.p, b->s.len);
	default:	/* PP_I64_MISSING is the least int64 */
		return a->i < b->i ? -1 : a->i > b->i;
	}
}

static int
cmp_key(enum pp_sort_by by, enum pp_type t, const union pp_cell *da,
    const char *sa, size_t na, const union pp_cell *db, const char *sb,
    size_t nb)
{
	int c;

	if (by == PP_SORT_DATE_SYMBOL) {
		if ((c = cmp_date(t, da, db)) != 0)
			return c;
		return cmp_bytes(sa, na, sb, nb);
	}
	if ((c = cmp_bytes(sa, na, sb, nb)) != 0)
		return c;
	return cmp_date(t, da, db);
}

static int
by_key(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	int c = cmp_key(a->by, a->dtype, &a->date, a->sym, a->symlen,
	    &b->date, b->sym, b->symlen);

	if (c != 0)
		return c;
	return a->row < b->row ? -1 : a->row > b->row;	/* stable */
}

/*
 * Whether the buffer must be spilled before row goes in: when holding it
 * would take the buffer past half of --buffer-size (the other half is for
 * merging runs while reading), counting the cell array as it will be
 * allocated (it grows by doubling), the sort keys made at sort time and
 * the text bytes.  A buffer always takes one row.
 */
static int
full(const struct sorter *st, const union pp_cell *row)
{
	size_t cap = st->caprows, i, text = st->text.len;

	if (st->nrows == 0)
		return 0;
	if ((st->nrows + 1) * st->ncols > cap)
		cap = cap < 16 ? 16 : 2 * cap;
	for (i = 0; i < st->ncols; i++)
		if (st->s->cols[i].type == PP_T_TEXT)
			text += row[i].s.len;
	return cap * sizeof(union pp_cell) + (st->nrows + 1) *
	    sizeof(struct key) + text > st->o->buffer / 2;
}

static void
add_row(struct sorter *st, const union pp_cell *row)
{
	union pp_cell *c;
	size_t i;

	pp_xgrow((void **)&st->cells, &st->caprows, (st->nrows + 1) *
	    st->ncols, sizeof(*st->cells));
	c = st->cells + st->nrows++ * st->ncols;
	for (i = 0; i < st->ncols; i++) {
		c[i] = row[i];
		if (st->s->cols[i].type != PP_T_TEXT)
			continue;
		/* An offset until the buffer stops moving (sorted_keys). */
		c[i].s.p = (const char *)(uintptr_t)st->text.len;
		pp_buf_add(&st->text, row[i].s.p, row[i].s.len);
	}
}

/* Row c's keys; a key the frame lacks is the same for every row. */
static void
row_key(const struct sorter *st, const union pp_cell *c, union pp_cell *date,
    const char **sym, size_t *symlen)
{
	static const union pp_cell none;

	*date = st->date_col >= 0 ? c[st->date_col] : none;
	*sym = st->sym_col >= 0 ? c[st->sym_col].s.p : "";
	*symlen = st->sym_col >= 0 ? c[st->sym_col].s.len : 0;
}

/* The buffer's rows, text offsets made pointers, in key order. */
static struct key *
sorted_keys(struct sorter *st)
{
	struct key *k = pp_xcalloc(st->nrows + 1, sizeof(*k));
	size_t r, i;

	for (r = 0; r < st->nrows; r++) {
		union pp_cell *c = st->cells + r * st->ncols;

		for (i = 0; i < st->ncols; i++)
			if (st->s->cols[i].type == PP_T_TEXT)
				c[i].s.p = st->text.data +
				    (uintptr_t)c[i].s.p;
		k[r].by = st->o->by;
		k[r].dtype = st->dtype;
		row_key(st, c, &k[r].date, &k[r].sym, &k[r].symlen);
		k[r].row = r;
	}
	qsort(k, st->nrows, sizeof(*k), by_key);
	return k;
}

static int
write_sorted(struct sorter *st, struct pp_writer *w, struct pp_err *err)
{
	struct key *k = sorted_keys(st);
	size_t r;
	int rc = 0;

	for (r = 0; r < st->nrows && rc == 0; r++)
		rc = pp_writer_row(w, st->cells + k[r].row * st->ncols, err);
	free(k);
	st->nrows = 0;
	pp_buf_reset(&st->text);
	return rc;
}

/* An unlinked temporary file in $TMPDIR (or /tmp), open for update. */
static FILE *
temp_file(struct pp_err *err)
{
	const char *dir = getenv("TMPDIR");
	struct pp_buf path = PP_BUF_INIT;
	FILE *fp = NULL;
	int fd;

	pp_buf_addf(&path, "%s/pp-sort-XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(path.data)) == -1 ||
	    (fp = fdopen(fd, "w+")) == NULL) {
		pp_err_errno(err, errno, "%s: cannot make a temporary file",
		    path.data);
		if (fd != -1)
			close(fd);
	}
	if (fd != -1)
		(void)unlink(path.data);
	pp_buf_release(&path);
	return fp;
}

/* The runs being merged: each one's current row, and a binary heap of
 * the runs that have one, least row on top. */
struct merger {
	const struct sorter *st;
	const union pp_cell **cur;
	size_t *heap, n;
};

/* Whether run a's row goes before run b's: by key, then the earlier run
 * (which holds earlier rows: stability). */
static int
before(const struct merger *m, size_t a, size_t b)
{
	union pp_cell dx, dy;
	const char *sx, *sy;
	size_t nx, ny;
	int c;

	row_key(m->st, m->cur[a], &dx, &sx, &nx);
	row_key(m->st, m->cur[b], &dy, &sy, &ny);
	c = cmp_key(m->st->o->by, m->st->dtype, &dx, sx, nx, &dy, sy, ny);

	return c < 0 || (c == 0 && a < b);
}

static void
sift_down(struct merger *m, size_t i)
{
	size_t c, t;

	while ((c = 2 * i + 1) < m->n) {
		if (c + 1 < m->n && before(m, m->heap[c + 1], m->heap[c]))
			c++;
		if (!before(m, m->heap[c], m->heap[i]))
			break;
		t = m->heap[i];
		m->heap[i] = m->heap[c];
		m->heap[c] = t;
		i = c;
	}
}

/* k-way merge of runs[from..from+k) into w, O(log k) a row. */
static int
merge(struct sorter *st, size_t from, size_t k, struct pp_writer *w,
    struct pp_err *err)
{
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_reader **in = pp_xcalloc(k, sizeof(*in));
	struct merger m;
	size_t i, top;
	int rc = -1, got;

	m.st = st;
	m.cur = pp_xcalloc(k, sizeof(*m.cur));
	m.heap = pp_xcalloc(k, sizeof(*m.heap));
	m.n = 0;
	for (i = 0; i < k; i++) {
		if ((in[i] = pp_reader_fopen(st->runs[from + i].fp,
		    "temporary run", &ro, err)) == NULL ||
		    (got = pp_reader_next(in[i], &m.cur[i], err)) == -1)
			goto out;
		if (got == 1)
			m.heap[m.n++] = i;
	}
	for (i = m.n / 2; i-- > 0;)
		sift_down(&m, i);
	while (m.n > 0) {
		top = m.heap[0];
		if (pp_writer_row(w, m.cur[top], err) == -1 ||
		    (got = pp_reader_next(in[top], &m.cur[top], err)) == -1)
			goto out;
		if (got == 0)
			m.heap[0] = m.heap[--m.n];
		sift_down(&m, 0);
	}
	rc = 0;
out:
	for (i = 0; i < k; i++)
		pp_reader_free(in[i]);
	free(in);
	free(m.cur);
	free(m.heap);
	return rc;
}

/* A new run in a temporary file: the sorted buffer when k is 0, else
 * the merge of runs[from..from+k).  Returns the file, rewound, or NULL. */
static FILE *
new_run(struct sorter *st, size_t from, size_t k, struct pp_err *err)
{
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_writer *w;
	FILE *fp;
	int rc = -1;

	if ((fp = temp_file(err)) == NULL)
		return NULL;
	wo.format = PP_FMT_BIN;
	wo.chunk_rows = st->chunk_rows;
	if ((w = pp_writer_new(fp, "temporary run", st->s, &wo, err)) != NULL &&
	    (k == 0 ? write_sorted(st, w, err) : merge(st, from, k, w,
	    err)) == 0 && pp_writer_finish(w, err) == 0) {
		if (fflush(fp) != 0 || fseek(fp, 0, SEEK_SET) != 0)
			pp_err_errno(err, errno, "temporary run: write error");
		else
			rc = 0;
	}
	pp_writer_free(w);
	if (rc == -1) {
		fclose(fp);
		return NULL;
	}
	return fp;
}

/* Merge runs[from..from+k) into one run of level up, in their place:
 * they are consecutive, so the runs stay in input order. */
static int
combine(struct sorter *st, size_t from, size_t k, unsigned level,
    struct pp_err *err)
{
	FILE *fp = new_run(st, from, k, err);
	size_t i;

	if (fp == NULL)
		return -1;
	for (i = from; i < from + k; i++)
		fclose(st->runs[i].fp);
	st->runs[from].fp = fp;
	st->runs[from].level = level;
	memmove(st->runs + from + 1, st->runs + from + k,
	    (st->nruns - from - k) * sizeof(*st->runs));
	st->nruns -= k - 1;
	return 0;
}

/* Sort the buffer into a new run of level 0; while the last fanin runs
 * share a level, merge them into one of the next (so no level holds
 * fanin runs, and every row is merged about log_fanin(runs) times). */
static int
spill(struct sorter *st, struct pp_err *err)
{
	FILE *fp = new_run(st, 0, 0, err);
	size_t i, from;

	if (fp == NULL)
		return -1;
	st->runs = pp_xrealloc(st->runs, (st->nruns + 1) * sizeof(*st->runs));
	st->runs[st->nruns].fp = fp;
	st->runs[st->nruns++].level = 0;
	st->o->nruns++;
	while (st->nruns >= st->fanin) {
		from = st->nruns - st->fanin;
		for (i = from; i < st->nruns; i++)
			if (st->runs[i].level != st->runs[from].level)
				return 0;
		if (combine(st, from, st->fanin, st->runs[from].level + 1,
		    err) == -1)
			return -1;
	}
	return 0;
}

/* The buffer no longer needed: the merge has the memory. */
static void
drop_buffer(struct sorter *st)
{
	free(st->cells);
	st->cells = NULL;
	st->caprows = 0;
	pp_buf_release(&st->text);
	pp_buf_init(&st->text);
}

/* All runs into w: the oldest fanin at a time into one while there are
 * more than fanin, then the rest at once. */
static int
merge_all(struct sorter *st, struct pp_writer *w, struct pp_err *err)
{
	drop_buffer(st);
	while (st->nruns > st->fanin)
		if (combine(st, 0, st->fanin, 0, err) == -1)
			return -1;
	return merge(st, 0, st->nruns, w, err);
}

/* Fan-in and chunk size from the buffer and the row width. */
static void
plan_merge(struct sorter *st)
{
	size_t row = st->ncols * sizeof(union pp_cell) + 16;

	st->fanin = st->o->buffer / 2 / RUN_COST;
	st->fanin = st->fanin < 2 ? 2 : st->fanin > MAX_FANIN ? MAX_FANIN :
	    st->fanin;
	st->chunk_rows = CHUNK_BYTES / row;
	st->chunk_rows = st->chunk_rows < 64 ? 64 : st->chunk_rows > 4096 ?
	    4096 : st->chunk_rows;
}

static int
find_keys(struct sorter *st, struct pp_err *err)
{
	st->date_col = pp_schema_find(st->s, "date");
	st->sym_col = pp_schema_find(st->s, "symbol");
	if (st->date_col < 0 && st->sym_col < 0)
		return pp_err_set(err, PP_EXIT_DATA, "no column \"date\" or "
		    "\"symbol\": pp sort orders by them");
	if (st->sym_col >= 0 && st->s->cols[st->sym_col].type != PP_T_TEXT)
		return pp_err_set(err, PP_EXIT_DATA, "column \"symbol\" is %s, "
		    "not text", pp_type_name(st->s->cols[st->sym_col].type));
	st->dtype = st->date_col >= 0 ? st->s->cols[st->date_col].type :
	    PP_T_I64;
	return 0;
}

int
pp_sort_parse_by(const char *s, enum pp_sort_by *by)
{
	if (strcmp(s, "date,symbol") == 0)
		*by = PP_SORT_DATE_SYMBOL;
	else if (strcmp(s, "symbol,date") == 0)
		*by = PP_SORT_SYMBOL_DATE;
	else
		return -1;
	return 0;
}

int
pp_sort_run(struct pp_reader *r, struct pp_writer *w, struct pp_sort_opts *o,
    struct pp_err *err)
{
	struct sorter st;
	const union pp_cell *row;
	size_t i;
	int got, rc = -1;

	memset(&st, 0, sizeof(st));
	st.o = o;
	st.s = pp_reader_schema(r);
	st.ncols = st.s->ncols;
	pp_buf_init(&st.text);
	o->nruns = 0;
	if (find_keys(&st, err) == -1) {
		pp_err_prefix(err, "%s", pp_reader_name(r));
		goto out;
	}
	plan_merge(&st);
	while ((got = pp_reader_next(r, &row, err)) == 1) {
		if (full(&st, row) && spill(&st, err) == -1)
			goto out;
		add_row(&st, row);
	}
	if (got == -1)
		goto out;
	if (st.nruns == 0)
		rc = write_sorted(&st, w, err);
	else if (st.nrows == 0 || spill(&st, err) == 0)
		rc = merge_all(&st, w, err);
out:
	for (i = 0; i < st.nruns; i++)
		fclose(st.runs[i].fp);
	free(st.runs);
	free(st.cells);
	pp_buf_release(&st.text);
	return rc;
}
