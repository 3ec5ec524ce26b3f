/*
 * test_frame_edge.c - the frame reader and writer at their edges, found by
 * an adversarial review: input that crosses the 256 KiB input buffer (a
 * quoted field with newlines, a header longer than the buffer), rows held in
 * the inference queue while the field arena grows, very wide rows, the
 * missing-value spellings in every column type, a tab delimiter, a byte
 * order mark before a quoted header, the last line without a newline, and
 * binary frames that are well formed chunk by chunk but not as a whole (a
 * chunk dropped, a chunk repeated, two frames back to back).  And the
 * regressions a later review found: a one-column frame's missing values
 * through CSV, the line numbers of multi-line fields and CR-only line
 * ends, control characters in column names, dates CSV cannot write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frame.h"
#include "util.h"
#include "banned.h"

#define INBUF (256 * 1024)	/* lib/frame_impl.h PP_INBUF_BLOCK */

struct mem {
	FILE *fp;
	struct pp_reader *r;
};

/* A reader over data[0..len), named "mem"; infer rows looked at. */
static struct pp_reader *
open_mem(struct mem *m, const void *data, size_t len, size_t infer,
    struct pp_err *err)
{
	struct pp_read_opts o = PP_READ_OPTS_INIT;

	assert_true(len > 0);
	m->fp = fmemopen((void *)data, len, "rb");
	assert_non_null(m->fp);
	o.infer_rows = infer;
	m->r = pp_reader_fopen(m->fp, "mem", &o, err);
	return m->r;
}

static void
close_mem(struct mem *m)
{
	pp_reader_free(m->r);
	fclose(m->fp);
	m->r = NULL;
	m->fp = NULL;
}

/* Read data and write it all again in format f (CSV with delimiter d);
 * returns the bytes, or fails the test with the reader's message. */
static char *
convert(const char *data, size_t len, enum pp_format f, char d,
    size_t *outlen)
{
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	const union pp_cell *row;
	struct pp_writer *w;
	struct pp_reader *r;
	char *out = NULL;
	FILE *in = fmemopen((void *)data, len, "rb"), *fp;
	int rc;

	assert_non_null(in);
	ro.delim = d;
	r = pp_reader_fopen(in, "mem", &ro, &err);
	if (r == NULL)
		fail_msg("%s", err.msg);
	fp = open_memstream(&out, outlen);
	o.format = f;
	o.delim = d;
	o.chunk_rows = 5;
	w = pp_writer_new(fp, "out", pp_reader_schema(r), &o, &err);
	assert_non_null(w);
	while ((rc = pp_reader_next(r, &row, &err)) == 1)
		assert_int_equal(pp_writer_row(w, row, &err), 0);
	if (rc != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(pp_writer_finish(w, &err), 0);
	pp_writer_free(w);
	fclose(fp);
	pp_reader_free(r);
	fclose(in);
	return out;
}

/* CSV -> binary -> CSV gives back exactly csv (which must be in the
 * writer's canonical form). */
static void
assert_csv_roundtrip(const char *csv, size_t len, char d)
{
	size_t blen, len2;
	char *bin = convert(csv, len, PP_FMT_BIN, d, &blen);
	char *back = convert(bin, blen, PP_FMT_CSV, d, &len2);

	if (len2 != len || memcmp(back, csv, len) != 0)
		fail_msg("round trip: %zu bytes became %zu", len, len2);
	free(bin);
	free(back);
}

/*
 * A quoted field holding LF and CRLF that starts before the 256 KiB mark
 * and ends after it, in the first column and in a later one: it reads back
 * byte for byte, and the line numbers of the rows after it still count
 * physical lines (a bad row after it is named by its own line).
 */
static void
test_quoted_newlines_across_buffer(void **state)
{
	struct pp_buf b = PP_BUF_INIT, field = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	const union pp_cell *row;
	struct mem m;
	long lines = 0;
	size_t i;
	int rc;

	(void)state;
	pp_buf_addstr(&b, "symbol,note,x\n");
	lines++;
	while (b.len < INBUF - 100) {
		pp_buf_addstr(&b, "AAA,plain,1\n");
		lines++;
	}
	for (i = 0; i < 2000; i++)
		pp_buf_addstr(&field, i % 2 ? "l\"\"ine\r\n" : "line,\n");
	pp_buf_addf(&b, "\"%s\",\"%s\",2\n", field.data, field.data);
	lines += 2 * 2000 + 1;
	pp_buf_addstr(&b, "BBB,\"a\nb\",3\n");
	lines += 2;
	assert_true(b.len > INBUF + 1000);
	assert_csv_roundtrip(b.data, b.len, ',');

	/* A ragged row after the long field is named by its own line. */
	pp_buf_addstr(&b, "CCC,4\n");
	lines++;
	assert_non_null(open_mem(&m, b.data, b.len, 10, &err));
	while ((rc = pp_reader_next(m.r, &row, &err)) == 1)
		;
	assert_int_equal(rc, -1);
	{
		char want[64];

		snprintf(want, sizeof(want), "mem:%ld: expected 3 fields, "
		    "found 2", lines);
		assert_string_equal(err.msg, want);
	}
	close_mem(&m);
	pp_buf_release(&b);
	pp_buf_release(&field);
}

/* A header longer than the input buffer: one column name of 300 000
 * bytes.  CSV carries it; the binary writer refuses it with a message, as
 * pp-frame(5) limits names to 65535 bytes. */
static void
test_header_longer_than_buffer(void **state)
{
	struct pp_buf b = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	const struct pp_schema *s;
	struct mem m;
	size_t i;
	FILE *fp;
	char *out = NULL;
	size_t outlen;

	(void)state;
	for (i = 0; i < 300000; i++)
		pp_buf_addc(&b, (char)('a' + i % 26));
	pp_buf_addstr(&b, ",y\n1,2\n");
	out = convert(b.data, b.len, PP_FMT_CSV, ',', &outlen);
	assert_int_equal(outlen, b.len);
	assert_memory_equal(out, b.data, b.len);
	free(out);
	out = NULL;

	assert_non_null(open_mem(&m, b.data, b.len, 10, &err));
	s = pp_reader_schema(m.r);
	assert_int_equal(s->ncols, 2);
	assert_int_equal(strlen(s->cols[0].name), 300000);
	fp = open_memstream(&out, &outlen);
	o.format = PP_FMT_BIN;
	assert_null(pp_writer_new(fp, "out", s, &o, &err));
	assert_string_equal(err.msg, "out: column name longer than 65535 "
	    "bytes");
	fclose(fp);
	free(out);
	close_mem(&m);
	pp_buf_release(&b);
}

/*
 * The whole inference window is held in the lookahead queue while the
 * field arena grows many times over (fields of 4 KiB, 1000 rows): every
 * queued row's text must still be its own when it is handed out.
 */
static void
test_queue_while_arena_grows(void **state)
{
	struct pp_buf b = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	const union pp_cell *row;
	struct mem m;
	size_t i, j;
	int rc;

	(void)state;
	pp_buf_addstr(&b, "symbol,x\n");
	for (i = 0; i < 1200; i++) {
		for (j = 0; j < 4096; j++)
			pp_buf_addc(&b, (char)('A' + (i + j) % 26));
		pp_buf_addf(&b, ",%zu\n", i);
	}
	assert_non_null(open_mem(&m, b.data, b.len, 1000, &err));
	i = 0;
	while ((rc = pp_reader_next(m.r, &row, &err)) == 1) {
		assert_int_equal(row[0].s.len, 4096);
		for (j = 0; j < 4096; j += 1023)
			assert_int_equal(row[0].s.p[j], 'A' + (i + j) % 26);
		assert_true(row[1].f == (double)i);
		i++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, 1200);
	close_mem(&m);
	pp_buf_release(&b);
}

/* A very wide row: 5000 columns, text and numbers, both formats. */
static void
test_wide_rows(void **state)
{
	struct pp_buf b = PP_BUF_INIT;
	size_t i, r;

	(void)state;
	for (i = 0; i < 5000; i++)
		pp_buf_addf(&b, "%sc%zu", i ? "," : "", i);
	pp_buf_addc(&b, '\n');
	for (r = 0; r < 7; r++) {
		for (i = 0; i < 5000; i++) {
			if (i)
				pp_buf_addc(&b, ',');
			if (i % 3 == 0)
				pp_buf_addf(&b, "t%zu", r + i);
			else if (i % 3 == 1 && r != 2)
				pp_buf_addf(&b, "%zu.5", r * i);
		}
		pp_buf_addc(&b, '\n');
	}
	assert_csv_roundtrip(b.data, b.len, ',');
	pp_buf_release(&b);
}

/*
 * The missing-value spellings: in a number or date column they read as
 * missing (and write as an empty field); in a text column they are text as
 * they stand.  Near misses ("na", "Null", "n/a") are not missing: they
 * make a column text.
 */
static void
test_missing_spellings(void **state)
{
	static const char csv[] =
	    "x,d,t,u\n"
	    "NA,NA,NA,na\n"
	    "N/A,N/A,N/A,Null\n"
	    "null,null,null,n/a\n"
	    "NULL,NULL,NULL,1\n"
	    ",,,\n"
	    "1.5,2024-01-02,word,2\n";
	static const char *const text[] = { "NA", "N/A", "null", "NULL", "",
		"word" };
	static const char *const utext[] = { "na", "Null", "n/a", "1", "",
		"2" };
	struct pp_err err = PP_ERR_INIT;
	const union pp_cell *row;
	const struct pp_schema *s;
	struct mem m;
	size_t i = 0;
	int rc;

	(void)state;
	assert_non_null(open_mem(&m, csv, strlen(csv), 1000, &err));
	s = pp_reader_schema(m.r);
	assert_int_equal(s->cols[0].type, PP_T_F64);
	assert_int_equal(s->cols[1].type, PP_T_DATE);
	assert_int_equal(s->cols[2].type, PP_T_TEXT);
	assert_int_equal(s->cols[3].type, PP_T_TEXT);
	while ((rc = pp_reader_next(m.r, &row, &err)) == 1) {
		if (i < 5) {
			assert_true(isnan(row[0].f));
			assert_true(row[1].i == PP_I64_MISSING);
		} else {
			assert_true(row[0].f == 1.5);
			assert_true(row[1].i == 19724);
		}
		assert_int_equal(row[2].s.len, strlen(text[i]));
		assert_memory_equal(row[2].s.p, text[i], row[2].s.len);
		assert_int_equal(row[3].s.len, strlen(utext[i]));
		assert_memory_equal(row[3].s.p, utext[i], row[3].s.len);
		i++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, 6);
	close_mem(&m);

	/* Written back: missing numbers and dates are empty, text stays. */
	{
		static const char want[] =
		    "x,d,t,u\n"
		    ",,NA,na\n"
		    ",,N/A,Null\n"
		    ",,null,n/a\n"
		    ",,NULL,1\n"
		    ",,,\n"
		    "1.5,2024-01-02,word,2\n";
		size_t len;
		char *out = convert(csv, strlen(csv), PP_FMT_CSV, ',', &len);

		assert_int_equal(len, strlen(want));
		assert_memory_equal(out, want, len);
		free(out);
	}
}

/* Tab-separated: spaces are data, empty fields are missing, a field with a
 * tab is quoted, and a comma needs no quotes. */
static void
test_tab_delimiter(void **state)
{
	static const char tsv[] =
	    "symbol\tx\tnote\n"
	    "AAA\t1\t a, b \n"
	    "BBB\t\t\"has\ttab\"\n"
	    " C \t2\t\n";
	static const char want[] =
	    "symbol\tx\tnote\n"
	    "AAA\t1\t\" a, b \"\n"
	    "BBB\t\t\"has\ttab\"\n"
	    "\" C \"\t2\t\n";
	size_t len;
	char *out;

	(void)state;
	out = convert(tsv, strlen(tsv), PP_FMT_CSV, '\t', &len);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(out, want, len);
	free(out);
	assert_csv_roundtrip(want, strlen(want), '\t');
}

/*
 * A number or date that holds the delimiter is quoted, so it reads back
 * as one field (issue 16: -d . split 2.5 in two, -d - split -3 and every
 * date, -d e split 1e+20).
 */
static const struct {
	char delim;
	const char *want;
} delim_cases[] = {
	{ '.', "s.x.n.d\nA.\"2.5\".7.2024-01-02\nB.-3.-8.2024-01-03\n"
	    "C.1e+20..2024-01-04\n" },
	{ '-', "s-x-n-d\nA-2.5-7-\"2024-01-02\"\nB-\"-3\"-\"-8\"-"
	    "\"2024-01-03\"\nC-1e+20--\"2024-01-04\"\n" },
	{ 'e', "sexened\nAe2.5e7e2024-01-02\nBe-3e-8e2024-01-03\n"
	    "Ce\"1e+20\"ee2024-01-04\n" },
	{ '2', "s2x2n2d\nA2\"2.5\"272\"2024-01-02\"\nB2-32-82\"2024-01-03\"\n"
	    "C2\"1e+20\"22\"2024-01-04\"\n" },
};

static void
test_numbers_holding_the_delimiter_are_quoted(void **state)
{
	static const char csv[] = "s,x,n,d\nA,2.5,7,2024-01-02\n"
	    "B,-3,-8,2024-01-03\nC,1e+20,,2024-01-04\n";
	size_t i, blen, len;
	char *bin, *out;

	(void)state;
	bin = convert(csv, strlen(csv), PP_FMT_BIN, ',', &blen);
	for (i = 0; i < PP_ARRAY_SIZE(delim_cases); i++) {
		const char *want = delim_cases[i].want;

		out = convert(bin, blen, PP_FMT_CSV, delim_cases[i].delim,
		    &len);
		if (len != strlen(want) || memcmp(out, want, len) != 0)
			fail_msg("-d %c: got \"%.*s\"", delim_cases[i].delim,
			    (int)len, out);
		assert_csv_roundtrip(out, len, delim_cases[i].delim);
		free(out);
	}
	free(bin);
}

/* A byte order mark before a quoted header; the last line without a
 * newline (plain, quoted, CRLF before it); CRLF throughout. */
static const struct {
	const char *in;
	const char *out;
} shape_cases[] = {
	{ "\xef\xbb\xbf\"sym,bol\",\"x\"\n\"A\",1\n", "\"sym,bol\",x\nA,1\n" },
	{ "\xef\xbb\xbf\"a\"\r\n1\r\n", "a\n1\n" },
	{ "a,b\n1,2", "a,b\n1,2\n" },
	{ "a,b\n1,\"x\ny\"", "a,b\n1,\"x\ny\"\n" },
	{ "a,b\r\n1,2\r\n3,4", "a,b\n1,2\n3,4\n" },
	{ "a,b\n\n\n1,2\n\n", "a,b\n1,2\n" },
	{ "a,b\n1,\"\"\n", "a,b\n1,\n" },
};

static void
test_shapes(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < PP_ARRAY_SIZE(shape_cases); i++) {
		const char *in = shape_cases[i].in, *want = shape_cases[i].out;
		char *out = convert(in, strlen(in), PP_FMT_CSV, ',', &len);

		if (len != strlen(want) || memcmp(out, want, len) != 0)
			fail_msg("case %zu: got \"%.*s\"", i, (int)len, out);
		free(out);
	}
}

/* ---- binary frames that are well formed chunk by chunk ---- */

/* Offsets of the chunks of a binary frame: off[0] the first chunk, and so
 * on; returns how many (the end chunk included). */
static size_t
chunks(const unsigned char *p, size_t len, size_t *off, size_t max)
{
	size_t pos = 16, n = 0, ncols, j;

	ncols = p[12] | p[13] << 8;
	for (j = 0; j < ncols; j++)
		pos += 4 + (size_t)(p[pos + 2] | p[pos + 3] << 8);
	pos += 4;
	while (pos < len && n < max) {
		size_t stored = (size_t)p[pos + 16] | (size_t)p[pos + 17] << 8 |
		    (size_t)p[pos + 18] << 16 | (size_t)p[pos + 19] << 24;

		off[n++] = pos;
		pos += 24 + stored;
	}
	assert_int_equal(pos, len);
	return n;
}

/* Read all of data; returns 0 at a clean end or -1 with err set. */
static int
read_all(const void *data, size_t len, struct pp_err *err, size_t *rows)
{
	const union pp_cell *row;
	struct mem m;
	int rc;

	*rows = 0;
	if (open_mem(&m, data, len, 1000, err) == NULL) {
		fclose(m.fp);
		return -1;
	}
	while ((rc = pp_reader_next(m.r, &row, err)) == 1)
		(*rows)++;
	close_mem(&m);
	return rc;
}

/*
 * Each chunk carries its own checksum, so only the end chunk's row count
 * can notice a chunk that went missing or came twice (a bad splice, a
 * retried write), and only the end-of-frame check two frames back to back.
 */
static void
test_binary_splices(void **state)
{
	static const char csv[] = "symbol,x\nA,1\nB,2\nC,3\nD,4\nE,5\nF,6\n"
	    "G,7\nH,8\nI,9\nJ,10\nK,11\nL,12\n";
	struct pp_err err = PP_ERR_INIT;
	size_t blen, off[8], n, rows;
	unsigned char *bin, *cut;
	char want[128];

	(void)state;
	bin = (unsigned char *)convert(csv, strlen(csv), PP_FMT_BIN, ',',
	    &blen);
	n = chunks(bin, blen, off, 8);
	assert_int_equal(n, 4);		/* 5 + 5 + 2 rows, the end chunk */
	assert_int_equal(read_all(bin, blen, &err, &rows), 0);
	assert_int_equal(rows, 12);

	/* The middle chunk dropped. */
	cut = pp_xmalloc(2 * blen);
	memcpy(cut, bin, off[1]);
	memcpy(cut + off[1], bin + off[2], blen - off[2]);
	assert_int_equal(read_all(cut, blen - (off[2] - off[1]), &err,
	    &rows), -1);
	snprintf(want, sizeof(want), "mem: byte %zu: end chunk counts 12 "
	    "rows, the frame had 7", off[3] - (off[2] - off[1]));
	assert_string_equal(err.msg, want);

	/* The first chunk twice. */
	pp_err_clear(&err);
	memcpy(cut, bin, off[1]);
	memcpy(cut + off[1], bin + off[0], blen - off[0]);
	assert_int_equal(read_all(cut, blen + off[1] - off[0], &err, &rows),
	    -1);
	snprintf(want, sizeof(want), "mem: byte %zu: end chunk counts 12 "
	    "rows, the frame had 17", off[3] + off[1] - off[0]);
	assert_string_equal(err.msg, want);

	/* Two whole frames back to back (cat a.ppf b.ppf). */
	pp_err_clear(&err);
	memcpy(cut, bin, blen);
	memcpy(cut + blen, bin, blen);
	assert_int_equal(read_all(cut, 2 * blen, &err, &rows), -1);
	snprintf(want, sizeof(want), "mem: byte %zu: trailing data after "
	    "the end of the frame", blen);
	assert_string_equal(err.msg, want);

	/* Only the header: no end chunk. */
	pp_err_clear(&err);
	assert_int_equal(read_all(bin, off[0], &err, &rows), -1);
	snprintf(want, sizeof(want), "mem: byte %zu: truncated chunk header "
	    "(the frame ends early)", off[0]);
	assert_string_equal(err.msg, want);
	free(cut);
	free(bin);
}

/* Text cells of a binary frame stay valid until the next call even when
 * the next chunk arrives; here each row is checked before the next call,
 * with chunks large enough that the input buffer slides and grows. */
static void
test_binary_big_text(void **state)
{
	struct pp_buf b = PP_BUF_INIT;
	size_t i, j, blen, len2;
	char *bin, *back;

	(void)state;
	pp_buf_addstr(&b, "symbol,x\n");
	for (i = 0; i < 40; i++) {
		for (j = 0; j < 30000; j++)
			pp_buf_addc(&b, (char)('a' + (i * 7 + j) % 26));
		pp_buf_addf(&b, ",%zu\n", i);
	}
	bin = convert(b.data, b.len, PP_FMT_BIN, ',', &blen);
	back = convert(bin, blen, PP_FMT_CSV, ',', &len2);
	assert_int_equal(len2, b.len);
	assert_memory_equal(back, b.data, b.len);
	free(bin);
	free(back);
	pp_buf_release(&b);
}

/* Read all of csv; returns 0 or -1, *n rows. */
static int
drain(const char *csv, struct pp_err *err, size_t *n)
{
	struct mem m;
	const union pp_cell *row;
	int rc;

	*n = 0;
	if (open_mem(&m, csv, strlen(csv), 0, err) == NULL) {
		close_mem(&m);
		return -1;
	}
	while ((rc = pp_reader_next(m.r, &row, err)) == 1)
		(*n)++;
	close_mem(&m);
	return rc;
}

/* a one-column frame's missing value is an empty line, which the
 * reader skips: the row is lost (binary -> CSV -> binary drops rows). */
static void
test_one_column_missing_survives_csv(void **state)
{
	struct pp_schema s = PP_SCHEMA_INIT;
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	union pp_cell row[1];
	char *out = NULL;
	size_t len, n;
	FILE *fp = open_memstream(&out, &len);
	struct pp_writer *w;
	static const double v[] = { 1, NAN, 3 };
	size_t i;

	(void)state;
	assert_int_equal(pp_schema_add(&s, "x", PP_T_F64, NULL), 0);
	w = pp_writer_new(fp, "out", &s, &o, &err);
	for (i = 0; i < 3; i++) {
		row[0].f = v[i];
		assert_int_equal(pp_writer_row(w, row, &err), 0);
	}
	assert_int_equal(pp_writer_finish(w, &err), 0);
	pp_writer_free(w);
	fclose(fp);
	assert_int_equal(drain(out, &err, &n), 0);
	assert_int_equal(n, 3);
	free(out);
	pp_schema_release(&s);
}

/* a row whose first field is a quoted field over several lines is
 * named by the line it starts on (frame.h: "Line where the row ... starts"). */
static void
test_line_of_multiline_first_field(void **state)
{
	struct pp_err err = PP_ERR_INIT;
	size_t n;

	(void)state;
	assert_int_equal(drain("a,b\n1,2\n\"x\ny\nz\"\n", &err, &n), -1);
	assert_string_equal(err.msg, "mem:3: expected 2 fields, found 1");
}

/* CR-only line endings: every record is reported as line 1. */
static void
test_line_with_cr_endings(void **state)
{
	struct pp_err err = PP_ERR_INIT;
	size_t n;

	(void)state;
	assert_int_equal(drain("a,b\r1,2\r3,4\r5\r", &err, &n), -1);
	assert_string_equal(err.msg, "mem:4: expected 2 fields, found 1");
}

/* a column name holding a newline makes a two-line message. */
static void
test_control_in_column_name(void **state)
{
	struct pp_err err = PP_ERR_INIT;
	size_t n;

	(void)state;
	assert_int_equal(drain("\"a\nb\",c\n1,2\n", &err, &n), -1);
	assert_null(strchr(err.msg, '\n'));
	assert_string_equal(err.msg, "mem:1: header: control character in "
	    "column 1");
}

/* a date outside 0001..9999 (from a binary frame) is written as
 * 0000-00-00, which no reader accepts, and the write succeeds. */
static void
test_date_out_of_range_is_an_error(void **state)
{
	struct pp_schema s = PP_SCHEMA_INIT;
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	union pp_cell row[1];
	char *out = NULL;
	size_t len;
	FILE *fp = open_memstream(&out, &len);
	struct pp_writer *w;

	(void)state;
	assert_int_equal(pp_schema_add(&s, "date", PP_T_DATE, NULL), 0);
	w = pp_writer_new(fp, "out", &s, &o, &err);
	row[0].i = 2932897;	/* 10000-01-01 */
	assert_int_equal(pp_writer_row(w, row, &err), -1);
	assert_string_equal(err.msg, "out: column \"date\": date outside "
	    "years 0001 to 9999");
	pp_writer_free(w);
	fclose(fp);
	free(out);
	pp_schema_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted_newlines_across_buffer),
		cmocka_unit_test(test_header_longer_than_buffer),
		cmocka_unit_test(test_queue_while_arena_grows),
		cmocka_unit_test(test_wide_rows),
		cmocka_unit_test(test_missing_spellings),
		cmocka_unit_test(test_tab_delimiter),
		cmocka_unit_test(test_numbers_holding_the_delimiter_are_quoted),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_binary_splices),
		cmocka_unit_test(test_binary_big_text),
		cmocka_unit_test(test_one_column_missing_survives_csv),
		cmocka_unit_test(test_line_of_multiline_first_field),
		cmocka_unit_test(test_line_with_cr_endings),
		cmocka_unit_test(test_control_in_column_name),
		cmocka_unit_test(test_date_out_of_range_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
