/*
 * test_csv_parallel.c - CSV parsed on worker threads (lib/csv_parallel.c) reads exactly
 * as CSV parsed on one: the same rows, cells, line numbers, errors, and
 * rows after a skippable error, whatever the block size, on random inputs
 * that mix good rows with every kind of trouble (quotes, quoted newlines,
 * CRLF and bare CR, blank lines, bad numbers and dates, wrong field
 * counts, invalid UTF-8, a missing final newline, malformed quoting).
 *
 * Rows kept as text (pp cat CSV -> CSV): pp_csv_canonical takes a field
 * only if a CSV writer writes its value back as the same bytes, for
 * every type, on random texts near and in each type's canonical shapes;
 * pp_csv_cell_canonical (from the cell already read) agrees with it.
 *
 * pp_csv_tuning (frame_impl.h): threads 1 keeps the reader on one thread;
 * block N makes it cut N-byte blocks even for small input on one CPU.
 */
#define _GNU_SOURCE		/* fopencookie */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "buf.h"
#include "frame.h"
#include "frame_impl.h"
#include "util.h"
#include "banned.h"

/* Everything a reader yields, one line per row or error, with the line
 * pp_reader_line gives; rows after a skippable error are read on. */
static char *
dump(FILE *in, size_t infer)
{
	struct pp_read_opts o = PP_READ_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_reader *r;
	const union pp_cell *row;
	char *out = NULL;
	size_t outlen, j;
	FILE *fp = open_memstream(&out, &outlen);
	int rc;

	assert_non_null(fp);
	o.infer_rows = infer;
	r = pp_reader_fopen(in, "mem", &o, &err);
	if (r == NULL) {
		fprintf(fp, "open error %s\n", err.msg);
		fclose(fp);
		return out;
	}
	for (j = 0; j < pp_reader_schema(r)->ncols; j++)
		fprintf(fp, "%s ", pp_type_name(pp_reader_schema(r)->cols[j].type));
	fputc('\n', fp);
	while ((rc = pp_reader_next(r, &row, &err)) != 0) {
		const struct pp_schema *s = pp_reader_schema(r);

		fprintf(fp, "%ld: ", pp_reader_line(r));
		if (rc == -1) {
			fprintf(fp, "error %s\n", err.msg);
			if (!pp_reader_can_skip(r))
				break;
			pp_err_clear(&err);
			continue;
		}
		for (j = 0; j < s->ncols; j++) {
			switch (s->cols[j].type) {
			case PP_T_F64:
				fprintf(fp, "%.17g|", row[j].f);
				break;
			case PP_T_TEXT:
				fprintf(fp, "[%.*s]|", (int)row[j].s.len,
				    row[j].s.p);
				break;
			default:
				fprintf(fp, "%lld|", (long long)row[j].i);
				break;
			}
		}
		fputc('\n', fp);
	}
	pp_reader_free(r);
	fclose(fp);
	return out;
}

static char *
dump_mem(const char *csv, size_t len, size_t infer)
{
	FILE *in = fmemopen((void *)csv, len, "rb");
	char *out;

	assert_non_null(in);
	out = dump(in, infer);
	fclose(in);
	return out;
}

/* The reading modes compared: name, then the environment it sets. */
static const struct mode {
	const char *serial, *block, *slow;
} modes[] = {
	{ "1", NULL, NULL },		/* the reference: one thread */
	{ NULL, "1", NULL },
	{ NULL, "7", NULL },
	{ NULL, "33", NULL },
	{ NULL, "200", NULL },
	{ NULL, NULL, "1" },		/* libcsv for every line */
};

static void
set_mode(const struct mode *m)
{
	pp_csv_tuning.threads = m->serial ? 1 : 0;
	pp_csv_tuning.block = m->block ? (size_t)strtoul(m->block, NULL, 10)
	    : 0;
	pp_csv_tuning.slow = m->slow != NULL;
}

static uint64_t seed = 7;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((seed >> 33) % n);
}

/* Rows for the columns symbol (text), d (date), x, y (numbers). */
static const char *const pieces[] = {
	"S1,2024-01-02,1.5,-2e-3\n",
	"S2,2024-01-03,0.25,7\n",
	"S3,2024-02-29,,-0\n",
	"S4,,1e300,nan\n",
	"S1,2024-01-02,1.5,-2e-3\r\n",			/* CRLF */
	"\n",						/* blank */
	"\r\n",
	"S5,2024-01-04,abc,1\n",			/* not a number */
	"S6,2024-13-01,1,2\n",				/* not a date */
	"S7,2024-01-05,1\n",				/* too few fields */
	"S8,2024-01-05,1,2,3\n",			/* too many */
	"\"a,b\",2024-01-06,1,2\n",			/* quoted */
	"\"l\nm\",2024-01-07,3,4\n",			/* quoted newline */
	"\"q\"\"x\",2024-01-08,5,6\n",			/* escaped quote */
	"S9\r,2024-01-09,7,8\n",			/* CR inside */
	"T1,2024-01-10,9,10\rT2,2024-01-11,11,12\n",	/* bare CR */
	"\xff\xfe,2024-01-12,1,2\n",			/* invalid UTF-8 */
	"caf\xc3\xa9,2024-01-13,1,2\n",
	" S,2024-01-14, 1,2\n",				/* spaces */
	"S,2024-01-15,1,2",				/* no final newline */
	"S\"x,2024-01-16,1,2\n",			/* malformed: fatal */
	"\"open,2024-01-17,1,2\n",			/* quote left open */
};

/* Random input: a header, two good rows to settle the types, then pieces
 * (trouble rarer than good rows). */
static size_t
gen(char *buf, size_t cap)
{
	size_t len = 0, k, n = 1 + rnd(60);

	len += (size_t)snprintf(buf, cap, "symbol,d,x,y\n%s%s", pieces[0],
	    pieces[1]);
	for (k = 0; k < n; k++) {
		unsigned i = rnd(3) ? rnd(5) : rnd((unsigned)PP_ARRAY_SIZE(pieces));
		size_t m = strlen(pieces[i]);

		assert_true(len + m < cap);
		memcpy(buf + len, pieces[i], m);
		len += m;
	}
	return len;
}

static void
test_random_inputs_read_alike(void **state)
{
	int t;

	(void)state;
	for (t = 0; t < 1500; t++) {
		char csv[4096];
		size_t len = gen(csv, sizeof(csv)), m, infer = 1 + rnd(3);
		char *want;

		set_mode(&modes[0]);
		want = dump_mem(csv, len, infer);
		for (m = 1; m < PP_ARRAY_SIZE(modes); m++) {
			char *got;

			set_mode(&modes[m]);
			got = dump_mem(csv, len, infer);
			if (strcmp(want, got) != 0)
				fail_msg("input %d, mode %zu differs:\n%.*s\n"
				    "one thread:\n%s\nthis mode:\n%s", t, m,
				    (int)len, csv, want, got);
			free(got);
		}
		free(want);
	}
	set_mode(&(struct mode){ NULL, NULL, NULL });
}

/* A frame bigger than the reader's buffer, read with the real block size
 * (threads start on their own when the machine has two CPUs): the same
 * as one thread, and stopping half way leaves nothing behind. */
static void
test_large_frame(void **state)
{
	struct pp_buf b;
	char *want, *got;
	size_t i;

	(void)state;
	pp_buf_init(&b);
	pp_buf_addstr(&b, "symbol,date,x,note\n");
	for (i = 0; i < 60000; i++) {
		pp_buf_addf(&b, "S%zu,2020-01-%02zu,%zu.%zu,", i % 7,
		    1 + i % 28, i, i % 10);
		if (i % 5000 == 4999)
			pp_buf_addstr(&b, "\"quoted, once\"\n");
		else
			pp_buf_addstr(&b, "plain\n");
	}
	set_mode(&(struct mode){ "1", NULL, NULL });
	want = dump_mem(b.data, b.len, 1000);
	set_mode(&(struct mode){ NULL, NULL, NULL });
	got = dump_mem(b.data, b.len, 1000);
	assert_string_equal(want, got);
	free(want);
	free(got);

	{
		struct pp_err err = PP_ERR_INIT;
		FILE *in = fmemopen(b.data, b.len, "rb");
		struct pp_reader *r = pp_reader_fopen(in, "mem", NULL, &err);
		const union pp_cell *row;

		assert_non_null(r);
		for (i = 0; i < 30000; i++)
			assert_int_equal(pp_reader_next(r, &row, &err), 1);
		assert_int_equal(pp_reader_line(r), 30001);
		assert_true(row[2].f == 29999.9);
		pp_reader_free(r);
		fclose(in);
	}
	pp_buf_release(&b);
}

/* A stream that gives `left` bytes of data and then fails. */
struct failing {
	const char *data;
	size_t pos, left;
};

static ssize_t
failing_read(void *cookie, char *buf, size_t n)
{
	struct failing *f = cookie;

	if (f->left == 0) {
		errno = EIO;
		return -1;
	}
	if (n > f->left)
		n = f->left;
	if (n > 1000)
		n = 1000;
	memcpy(buf, f->data + f->pos, n);
	f->pos += n;
	f->left -= n;
	return (ssize_t)n;
}

/* A read error part way is an error, with threads as without: every row
 * whole before it comes out first, and no row from the bytes after it. */
static void
test_read_error(void **state)
{
	static const cookie_io_functions_t io = { failing_read, NULL, NULL,
		NULL };
	struct pp_buf b;
	size_t i, m, whole = 0;

	(void)state;
	pp_buf_init(&b);
	pp_buf_addstr(&b, "x,y\n");
	for (i = 0; i < 5000; i++)
		pp_buf_addf(&b, "%zu,%zu\n", i, i);
	for (i = 0; i < b.len / 2; i++)	/* rows whole before the error */
		whole += b.data[i] == '\n';
	whole--;			/* the header */
	for (m = 0; m < PP_ARRAY_SIZE(modes); m++) {
		struct failing f = { b.data, 0, b.len / 2 };
		FILE *in = fopencookie(&f, "rb", io);
		char *got, *last, *at;

		assert_non_null(in);
		set_mode(&modes[m]);
		got = dump(in, 10);
		fclose(in);
		last = strrchr(got, '\n');
		assert_non_null(last);
		*last = '\0';
		last = strrchr(got, '\n');
		assert_non_null(last);
		assert_non_null(strstr(last, "error mem: read error: "
		    "Input/output error"));
		/* Rows before it are the frame's first rows, in order. */
		for (i = 0, at = strchr(got, '\n'); at < last; i++) {
			char want[64];
			int n = snprintf(want, sizeof(want), "\n%zu: %zu|%zu|\n",
			    i + 2, i, i);

			assert_memory_equal(at, want, (size_t)n);
			at += n - 1;
		}
		/* Every row whole before the error, as one thread reads. */
		assert_int_equal(i, whole);
		free(got);
	}
	set_mode(&(struct mode){ NULL, NULL, NULL });
	pp_buf_release(&b);
}

/* A line longer than a block makes its block long, and only that one: the
 * blocks after it are block-sized again, so memory stays a few blocks of
 * bytes and cells, not a slot as big as the long line filled with rows. */
static void
test_blocks_after_long_line(void **state)
{
	struct pp_buf b;
	struct pp_schema s;
	struct pp_inbuf in;
	struct pp_csv_parallel *p;
	const struct pp_csvblock *blk;
	size_t i, longs = 0, rows = 0;
	int ioerr;

	(void)state;
	pp_buf_init(&b);
	for (i = 0; i < 300 * 1024; i++)
		pp_buf_addc(&b, 'x');
	pp_buf_addc(&b, '\n');
	for (i = 0; i < 400 * 1024; i++)
		pp_buf_addstr(&b, "y\n");
	pp_schema_init(&s);
	assert_int_equal(pp_schema_add(&s, "a", PP_T_TEXT, NULL), 0);
	memset(&in, 0, sizeof(in));
	in.fp = fmemopen(b.data, b.len, "rb");
	assert_non_null(in.fp);
	in.fd = -1;
	p = pp_csv_parallel_start(&in, (const unsigned char *)"", 0, &s,
	    NULL, ',', 1024, 2, 0);
	assert_non_null(p);
	while ((blk = pp_csv_parallel_next(p, &ioerr)) != NULL) {
		if (memchr(blk->buf, 'x', blk->len) != NULL)
			longs++;
		else
			assert_in_range(blk->len, 1, 1024);
		rows += blk->nrows;
	}
	assert_int_equal(ioerr, 0);
	assert_int_equal(longs, 1);
	assert_int_equal(rows, 1 + 400 * 1024);
	pp_csv_parallel_free(p);
	fclose(in.fp);
	pp_schema_release(&s);
	pp_buf_release(&b);
}

/* A random field for a column of type t: mostly near the shapes the
 * writer keeps, now and then something else. */
static size_t
random_field(uint64_t *st, enum pp_type t, char *f)
{
	static const char *const text[] = { "S001", " lead", "trail ", "a,b",
		"a;b", "q\"q", "caf\xc3\xa9", "\xef\xbb\xbf" "bom", "bad\xff", "",
		"x" };
	static const char digits[] = "0123456789-+.e";
	uint64_t r;
	size_t n = 0, k, len;

	*st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
	r = *st >> 11;
	switch (t) {
	case PP_T_TEXT:
		return (size_t)snprintf(f, 32, "%s", text[r % 11]);
	case PP_T_DATE:
		return (size_t)snprintf(f, 32, "%04d-%02d-%02d",
		    (int)(r % 10001), (int)(r >> 14) % 14, (int)(r >> 20) % 33);
	default:
		len = 1 + (r >> 40) % 20;
		for (k = 0; k < len; k++, r /= 7)
			f[n++] = k > 0 && (r & 3) ? (char)('0' + r % 10) :
			    digits[r % 14];
		f[n] = '\0';
		return n;
	}
}

/* What a CSV writer with delimiter delim writes for the value read from
 * f as type t; -1 if f does not read as t. */
static int
written(enum pp_type t, const char *f, size_t len, char delim, char *out)
{
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_schema sc;
	struct pp_writer *w;
	union pp_cell cell[2];
	char *text = NULL, *nl;
	size_t tlen;
	FILE *fp = open_memstream(&text, &tlen);

	assert_non_null(fp);
	pp_schema_init(&sc);
	assert_int_equal(pp_schema_add(&sc, "c", t, &err), 0);
	assert_int_equal(pp_schema_add(&sc, "z", PP_T_TEXT, &err), 0);
	wo.delim = delim;
	if (pp_csv_cell(t, f, len, &cell[0]) != NULL) {
		pp_schema_release(&sc);
		fclose(fp);
		free(text);
		return -1;
	}
	cell[1].s.p = "z";
	cell[1].s.len = 1;
	w = pp_writer_new(fp, "mem", &sc, &wo, &err);
	assert_non_null(w);
	assert_int_equal(pp_writer_row(w, cell, &err), 0);
	assert_int_equal(pp_writer_finish(w, &err), 0);
	pp_writer_free(w);
	fclose(fp);
	nl = strchr(text, '\n');
	assert_non_null(nl);
	snprintf(out, 64, "%s", nl + 1);
	free(text);
	pp_schema_release(&sc);
	return 0;
}

static void
test_kept_fields_write_back(void **state)
{
	static const enum pp_type types[] = { PP_T_F64, PP_T_I64, PP_T_DATE,
		PP_T_TEXT, PP_T_DATETIME };
	uint64_t st = 7;
	long i, kept = 0;

	(void)state;
	for (i = 0; i < 40000; i++) {
		enum pp_type t = types[i % 5];
		char delim = i % 3 ? ',' : ';', f[40], want[80], got[64];
		size_t len = random_field(&st, t, f);
		union pp_cell cell;

		/* the one-pass form agrees, for every field that reads */
		if (pp_csv_cell(t, f, len, &cell) == NULL &&
		    pp_csv_cell_canonical(t, f, len, delim, &cell) !=
		    pp_csv_canonical(t, f, len, delim))
			fail_msg("type %d: \"%s\": the two checks differ", t, f);
		if (!pp_csv_canonical(t, f, len, delim))
			continue;
		kept++;
		if (written(t, f, len, delim, got) == -1)
			fail_msg("type %d: \"%s\" kept but does not read", t, f);
		snprintf(want, sizeof(want), "%s%cz\n", f, delim);
		if (strcmp(got, want) != 0)
			fail_msg("type %d: \"%s\" kept but written \"%s\"", t, f,
			    got);
	}
	assert_true(kept > 8000);
	/* Date-times are never kept; empty text always is. */
	assert_false(pp_csv_canonical(PP_T_DATETIME, "2024-01-02T03:04:05Z",
	    20, ','));
	assert_true(pp_csv_canonical(PP_T_F64, "", 0, ','));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_inputs_read_alike),
		cmocka_unit_test(test_large_frame),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_blocks_after_long_line),
		cmocka_unit_test(test_kept_fields_write_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
