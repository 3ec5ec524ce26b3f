/*
 * test_frame.c - the frame reader and writer: CSV and binary round trips of
 * every type and edge value, type inference, and every error a bad input
 * can produce (ragged rows, bad quoting, missing header, bad UTF-8,
 * truncated or corrupted binary frames at every byte), and reading only
 * some columns (pp_reader_only) in every reading mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "frame_impl.h"
#include "util.h"
#include "banned.h"

/* The stream behind the reader open_mem made: readers do not own it. */
static FILE *mem_fp;
/* Rows open_mem's readers look at to infer types. */
static size_t infer_rows = 1000;

/* A reader over data[0..len) (CSV or binary), named "mem". */
static struct pp_reader *
open_mem(const void *data, size_t len, struct pp_err *err)
{
	static const char empty[1];

	mem_fp = fmemopen((void *)(len ? data : empty), len ? len : 1, "rb");
	assert_non_null(mem_fp);
	if (len == 0)
		(void)fgetc(mem_fp);	/* an empty stream */
	{
		struct pp_read_opts o = PP_READ_OPTS_INIT;

		o.infer_rows = infer_rows;
		return pp_reader_fopen(mem_fp, "mem", &o, err);
	}
}

static void
close_mem(struct pp_reader *r)
{
	pp_reader_free(r);
	if (mem_fp != NULL)
		fclose(mem_fp);
	mem_fp = NULL;
}

/* The schema and rows every round trip uses. */
static struct pp_schema
edge_schema(void)
{
	struct pp_schema s = PP_SCHEMA_INIT;

	assert_int_equal(pp_schema_add(&s, "symbol", PP_T_TEXT, NULL), 0);
	assert_int_equal(pp_schema_add(&s, "date", PP_T_DATE, NULL), 0);
	assert_int_equal(pp_schema_add(&s, "x", PP_T_F64, NULL), 0);
	assert_int_equal(pp_schema_add(&s, "n", PP_T_I64, NULL), 0);
	assert_int_equal(pp_schema_add(&s, "ts", PP_T_DATETIME, NULL), 0);
	return s;
}

static const double edge_values[] = {
	0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3.0, 123.45, 1e308, -1e308,
	DBL_MAX, DBL_MIN, 4.9406564584124654e-324, 2.2250738585072009e-308,
	INFINITY, -INFINITY, NAN, 9007199254740993.0, 1e-7, 6.02214076e23,
};

static const char *const edge_text[] = {
	"AAA", "", "with,comma", "with \"quote\"", "two\nlines", " pad ",
	"caf\xc3\xa9", "\xe2\x82\xac\x31\x30\x30", "cr\rlf", "tab\there",
};

static void
edge_row(size_t i, union pp_cell *row)
{
	const char *t = edge_text[i % PP_ARRAY_SIZE(edge_text)];

	row[0].s.p = t;
	row[0].s.len = strlen(t);
	row[1].i = (int64_t)i * 37 - 800;
	row[2].f = edge_values[i % PP_ARRAY_SIZE(edge_values)];
	row[3].i = i % 7 == 3 ? PP_I64_MISSING :
	    (i % 2 ? INT64_MAX - (int64_t)i : INT64_MIN + 1 + (int64_t)i);
	row[4].i = (int64_t)i * 86400123457LL - 3000000000000LL;
}

static void
check_row(size_t i, const union pp_cell *got)
{
	union pp_cell want[5];

	edge_row(i, want);
	assert_int_equal(got[0].s.len, want[0].s.len);
	assert_memory_equal(got[0].s.p, want[0].s.p, want[0].s.len);
	assert_int_equal(got[1].i, want[1].i);
	if (isnan(want[2].f))
		assert_true(isnan(got[2].f));
	else
		assert_memory_equal(&got[2].f, &want[2].f, sizeof(double));
	assert_int_equal(got[3].i, want[3].i);
	assert_int_equal(got[4].i, want[4].i);
}

/* Write nrows edge rows with o; returns the bytes (caller frees). */
static char *
write_frame(const struct pp_write_opts *o, size_t nrows, size_t *len)
{
	struct pp_schema s = edge_schema();
	struct pp_err err = PP_ERR_INIT;
	char *data = NULL;
	FILE *fp = open_memstream(&data, len);
	struct pp_writer *w;
	union pp_cell row[5];
	size_t i;

	assert_non_null(fp);
	w = pp_writer_new(fp, "mem", &s, o, &err);
	assert_non_null(w);
	for (i = 0; i < nrows; i++) {
		edge_row(i, row);
		assert_int_equal(pp_writer_row(w, row, &err), 0);
		if (i == 5)
			assert_int_equal(pp_writer_flush(w, &err), 0);
	}
	assert_int_equal(pp_writer_finish(w, &err), 0);
	pp_writer_free(w);
	fclose(fp);
	pp_schema_release(&s);
	return data;
}

static void
read_back(const char *data, size_t len, size_t nrows, int want_types)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_reader *r = open_mem(data, len, &err);
	const union pp_cell *row;
	size_t i = 0;
	int rc;

	if (r == NULL)
		fail_msg("open: %s", err.msg);
	if (want_types) {
		const struct pp_schema *s = pp_reader_schema(r);

		assert_int_equal(s->ncols, 5);
		assert_int_equal(s->cols[0].type, PP_T_TEXT);
		assert_int_equal(s->cols[1].type, PP_T_DATE);
		assert_int_equal(s->cols[2].type, PP_T_F64);
		assert_int_equal(s->cols[3].type, PP_T_I64);
		assert_int_equal(s->cols[4].type, PP_T_DATETIME);
	}
	while ((rc = pp_reader_next(r, &row, &err)) == 1)
		check_row(i++, row);
	if (rc == -1)
		fail_msg("row %zu: %s", i, err.msg);
	assert_int_equal(i, nrows);
	close_mem(r);
}

static void
test_binary_roundtrip(void **state)
{
	static const size_t sizes[] = { 0, 1, 7, 8, 9, 1000 };
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	size_t i, len;
	char *data;
	int z;

	(void)state;
	o.format = PP_FMT_BIN;
	o.chunk_rows = 8;
	for (z = 0; z < 2; z++) {
		o.compress = z;
		for (i = 0; i < PP_ARRAY_SIZE(sizes); i++) {
			data = write_frame(&o, sizes[i], &len);
			read_back(data, len, sizes[i], 1);
			free(data);
		}
	}
}

/* Read data and write it all again in format f; returns the bytes. */
static char *
convert(const char *data, size_t len, enum pp_format f, size_t *outlen)
{
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_reader *r = open_mem(data, len, &err);
	const union pp_cell *row;
	struct pp_writer *w;
	char *out = NULL;
	FILE *fp = open_memstream(&out, outlen);
	int rc;

	if (r == NULL)
		fail_msg("%s", err.msg);
	o.format = f;
	w = pp_writer_new(fp, "out", pp_reader_schema(r), &o, &err);
	assert_non_null(w);
	while ((rc = pp_reader_next(r, &row, &err)) == 1)
		assert_int_equal(pp_writer_row(w, row, &err), 0);
	if (rc != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(pp_writer_finish(w, &err), 0);
	pp_writer_free(w);
	fclose(fp);
	close_mem(r);
	return out;
}

/* CSV keeps every value of every type but int64, which CSV inference
 * reads as float64; and CSV -> binary -> CSV is byte-identical. */
static void
test_csv_roundtrip(void **state)
{
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	char *data, *c1, *bin, *c2;
	size_t len, len1, blen, len2, i = 0;
	struct pp_reader *r;
	const union pp_cell *row;
	int rc;

	(void)state;
	data = write_frame(&o, 100, &len);
	r = open_mem(data, len, &err);
	if (r == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(pp_reader_schema(r)->cols[0].type, PP_T_TEXT);
	assert_int_equal(pp_reader_schema(r)->cols[1].type, PP_T_DATE);
	assert_int_equal(pp_reader_schema(r)->cols[2].type, PP_T_F64);
	assert_int_equal(pp_reader_schema(r)->cols[3].type, PP_T_F64);
	assert_int_equal(pp_reader_schema(r)->cols[4].type, PP_T_DATETIME);
	while ((rc = pp_reader_next(r, &row, &err)) == 1) {
		union pp_cell want[5];

		edge_row(i++, want);
		assert_int_equal(row[0].s.len, want[0].s.len);
		assert_memory_equal(row[0].s.p, want[0].s.p, want[0].s.len);
		assert_int_equal(row[1].i, want[1].i);
		if (isnan(want[2].f))
			assert_true(isnan(row[2].f));
		else
			assert_memory_equal(&row[2].f, &want[2].f, 8);
		if (want[3].i == PP_I64_MISSING)
			assert_true(isnan(row[3].f));
		else
			assert_true(row[3].f == (double)want[3].i);
		assert_int_equal(row[4].i, want[4].i);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, 100);
	close_mem(r);

	c1 = convert(data, len, PP_FMT_CSV, &len1);
	bin = convert(c1, len1, PP_FMT_BIN, &blen);
	c2 = convert(bin, blen, PP_FMT_CSV, &len2);
	assert_int_equal(len1, len2);
	assert_memory_equal(c1, c2, len1);
	free(data);
	free(c1);
	free(bin);
	free(c2);
}

static const struct {
	const char *csv;
	const char *types;	/* one letter per column: f t d T */
} infer_cases[] = {
	{ "a,b\n1,x\n", "ft" },
	{ "symbol,x\n123,1\n", "tf" },
	{ "date,x\n2024-01-02,1e3\n", "df" },
	{ "t\n2024-01-02T10:00:00Z\n2024-01-03 11:30\n", "T" },
	{ "a,b\n,\nNA,null\n", "ff" },
	{ "a\n2024-01-02\nnot a date\n", "t" },
	{ "a,b\r\n1,2\r\n", "ff" },
	{ "\xef\xbb\xbf" "a,b\n1,2\n", "ff" },
	{ "a;b\n1;2\n", "t" },
	{ "x\ninf\n-inf\nnan\n", "f" },
	{ "volume\n20240102\n20231229\n", "f" },
	{ "only,header\n", "ff" },
};

static void
test_infer(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < PP_ARRAY_SIZE(infer_cases); i++) {
		struct pp_err err = PP_ERR_INIT;
		const char *csv = infer_cases[i].csv;
		struct pp_reader *r = open_mem(csv, strlen(csv), &err);
		const struct pp_schema *s;

		if (r == NULL)
			fail_msg("case %zu: %s", i, err.msg);
		s = pp_reader_schema(r);
		assert_int_equal(s->ncols, strlen(infer_cases[i].types));
		for (j = 0; j < s->ncols; j++) {
			char c = "?ftt" "dT"[s->cols[j].type];

			if (s->cols[j].type == PP_T_TEXT)
				c = 't';
			if (c != infer_cases[i].types[j])
				fail_msg("case %zu column %zu: type %s", i, j,
				    pp_type_name(s->cols[j].type));
		}
		close_mem(r);
	}
}

/* Bad CSV: the message (after "mem") the first failing call gives. */
static const struct {
	const char *csv;
	const char *msg;
	int at_open;
	int can_skip;
} csv_errors[] = {
	{ "", "mem: empty input: no header row", 1, 0 },
	{ "\n\n", "mem: empty input: no header row", 1, 0 },
	{ "1,2\n3,4\n", "mem:1: missing header row (the first row is all "
	  "numbers)", 1, 0 },
	{ "a,a\n1,2\n", "mem:1: header: duplicate column \"a\"", 1, 0 },
	{ "a,,c\n1,2,3\n", "mem:1: header: empty column name", 1, 0 },
	{ "a,\xff\n1,2\n", "mem:1: header: invalid UTF-8 in column 2", 1, 0 },
	{ "a,b\n1,2\n3\n", "mem:3: expected 2 fields, found 1", 0, 1 },
	{ "a,b\n1,2\n3,4,5\n", "mem:3: expected 2 fields, found 3", 0, 1 },
	{ "a,b\n1,2\nx,4\n", "mem:3: column \"a\": not a number", 0, 1 },
	{ "s,b\nok,1\n\xc3(,2\n", "mem:3: column \"s\": invalid UTF-8", 0, 1 },
	{ "a,b\n1,2\n3,\"4\n", "mem:3: unterminated quoted field at end of "
	  "input", 0, 0 },
	{ "a,b\n1,2\n3,4\"x\n", "mem:3: malformed CSV (a quote inside an "
	  "unquoted field, or text after a closing quote)", 0, 0 },
	{ "d,b\n2024-01-02,1\n2024-02-30,2\n", "mem:3: column \"d\": not a "
	  "date (want YYYY-MM-DD)", 0, 1 },
};

static void
test_csv_errors(void **state)
{
	size_t i;

	(void)state;
	infer_rows = 1;		/* so that a later bad row meets a type */
	for (i = 0; i < PP_ARRAY_SIZE(csv_errors); i++) {
		struct pp_err err = PP_ERR_INIT;
		const char *csv = csv_errors[i].csv;
		struct pp_reader *r = open_mem(csv, strlen(csv), &err);
		const union pp_cell *row;
		int rc = 1;

		if (csv_errors[i].at_open) {
			if (r != NULL)
				fail_msg("case %zu: opened", i);
		} else {
			if (r == NULL)
				fail_msg("case %zu: %s", i, err.msg);
			while ((rc = pp_reader_next(r, &row, &err)) == 1)
				;
			if (rc != -1)
				fail_msg("case %zu: no error", i);
			assert_int_equal(pp_reader_can_skip(r),
			    csv_errors[i].can_skip);
		}
		if (strcmp(err.msg, csv_errors[i].msg) != 0)
			fail_msg("case %zu: got '%s'", i, err.msg);
		assert_int_equal(err.code, PP_EXIT_DATA);
		close_mem(r);
	}
	infer_rows = 1000;
}

/* A skippable bad row can be skipped; the rows after it are read. */
static void
test_csv_skip(void **state)
{
	static const char csv[] = "a,b\n1,2\nx,3\n4\n5,6\n";
	struct pp_err err = PP_ERR_INIT;
	struct pp_reader *r = open_mem(csv, strlen(csv), &err);
	const union pp_cell *row;
	int rc, good = 0, bad = 0;

	(void)state;
	assert_non_null(r);
	close_mem(r);
	infer_rows = 1;
	r = open_mem(csv, strlen(csv), &err);
	infer_rows = 1000;
	assert_non_null(r);
	while ((rc = pp_reader_next(r, &row, &err)) != 0) {
		if (rc == 1) {
			good++;
			continue;
		}
		assert_true(pp_reader_can_skip(r));
		pp_err_clear(&err);
		bad++;
	}
	assert_int_equal(good, 2);
	assert_int_equal(bad, 2);
	close_mem(r);
}

/* Every truncation and every single-byte corruption of a binary frame is
 * an error (never a crash, never a quietly different frame). */
static void
test_binary_damage(void **state)
{
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	size_t len, cut, i;
	char *data;
	int z;

	(void)state;
	o.format = PP_FMT_BIN;
	o.chunk_rows = 4;
	for (z = 0; z < 2; z++) {
		o.compress = z;
		data = write_frame(&o, 10, &len);
		for (cut = 0; cut < len; cut++) {
			struct pp_err err = PP_ERR_INIT;
			struct pp_reader *r;
			const union pp_cell *row;
			int rc = -1;

			if (cut < 8)
				continue;	/* not even a magic: CSV */
			r = open_mem(data, cut, &err);
			if (r != NULL) {
				while ((rc = pp_reader_next(r, &row,
				    &err)) == 1)
					;
				close_mem(r);
			}
			if (rc != -1)
				fail_msg("cut at %zu of %zu read fine", cut, len);
			assert_non_null(strstr(err.msg, "mem: byte "));
		}
		for (i = 8; i < len; i++) {
			struct pp_err err = PP_ERR_INIT;
			struct pp_reader *r;
			const union pp_cell *row;
			int rc = -1;

			data[i] ^= 0x20;
			r = open_mem(data, len, &err);
			if (r != NULL) {
				while ((rc = pp_reader_next(r, &row,
				    &err)) == 1)
					;
				close_mem(r);
			}
			data[i] ^= 0x20;
			if (rc != -1)
				fail_msg("flip at %zu of %zu read fine", i, len);
			assert_non_null(strstr(err.msg, "mem: byte "));
		}
		free(data);
	}
}

static void
test_binary_trailing(void **state)
{
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_reader *r;
	const union pp_cell *row;
	size_t len;
	char *data;
	int rc;

	(void)state;
	o.format = PP_FMT_BIN;
	data = write_frame(&o, 3, &len);
	data = pp_xrealloc(data, len + 1);
	data[len] = 'x';
	r = open_mem(data, len + 1, &err);
	assert_non_null(r);
	while ((rc = pp_reader_next(r, &row, &err)) == 1)
		;
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err.msg, "trailing data"));
	close_mem(r);
	free(data);
}

static void
test_schema(void **state)
{
	struct pp_schema a = PP_SCHEMA_INIT, b = PP_SCHEMA_INIT;
	struct pp_err err = PP_ERR_INIT;

	(void)state;
	assert_int_equal(pp_schema_add(&a, "x", PP_T_F64, &err), 0);
	assert_int_equal(pp_schema_add(&a, "x", PP_T_TEXT, &err), -1);
	assert_string_equal(err.msg, "duplicate column \"x\"");
	assert_int_equal(pp_schema_find(&a, "x"), 0);
	assert_int_equal(pp_schema_find(&a, "y"), -1);
	pp_schema_copy(&b, &a);
	pp_err_clear(&err);
	assert_int_equal(pp_schema_same(&a, &b, &err), 0);
	pp_schema_add(&b, "y", PP_T_TEXT, NULL);
	assert_int_equal(pp_schema_same(&a, &b, &err), -1);
	assert_string_equal(err.msg, "2 columns, expected 1");
	pp_schema_release(&a);
	pp_schema_release(&b);
	pp_schema_release(&b);
}

/* A wide schema (a hash index past 64 columns) finds every column and
 * refuses every duplicate, before and after the index grows; a copy too. */
static void
test_schema_wide(void **state)
{
	struct pp_schema a = PP_SCHEMA_INIT, b = PP_SCHEMA_INIT;
	struct pp_err err = PP_ERR_INIT;
	char name[32];
	size_t i, n;

	(void)state;
	for (n = 0; n < 5000; n++) {
		snprintf(name, sizeof(name), "c%zu", n * 7919 % 5003);
		assert_int_equal(pp_schema_add(&a, name, PP_T_F64, &err), 0);
		if (n % 97 == 0 || n == 63 || n == 64 || n == 65) {
			for (i = 0; i <= n; i++) {
				snprintf(name, sizeof(name), "c%zu",
				    i * 7919 % 5003);
				assert_int_equal(pp_schema_find(&a, name),
				    (long)i);
			}
			assert_int_equal(pp_schema_add(&a, name, PP_T_TEXT,
			    &err), -1);
			pp_err_clear(&err);
			assert_int_equal(pp_schema_find(&a, "absent"), -1);
		}
	}
	assert_int_equal(a.ncols, 5000);
	pp_schema_copy(&b, &a);
	assert_int_equal(pp_schema_same(&a, &b, &err), 0);
	snprintf(name, sizeof(name), "c%zu", (size_t)4321 * 7919 % 5003);
	assert_int_equal(pp_schema_find(&b, name), 4321);
	pp_schema_release(&a);
	pp_schema_release(&b);
	assert_int_equal(pp_schema_find(&a, name), -1);
}

/* Everything a reader yields for text: rows as "f|f|f\n", or the error. */
static char *
dump_text(const char *csv, size_t len)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_reader *r;
	const union pp_cell *row;
	char *out = NULL;
	size_t outlen, j;
	FILE *fp = open_memstream(&out, &outlen);
	int rc;

	r = open_mem(csv, len, &err);
	if (r != NULL) {
		while ((rc = pp_reader_next(r, &row, &err)) != 0) {
			if (rc == -1) {
				fprintf(fp, "error %s\n", err.msg);
				if (!pp_reader_can_skip(r))
					break;
				pp_err_clear(&err);
				continue;
			}
			for (j = 0; j < pp_reader_schema(r)->ncols; j++)
				fprintf(fp, "%s[%.*s]", j ? "|" : "",
				    (int)row[j].s.len, row[j].s.p);
			fputc('\n', fp);
		}
	} else {
		fprintf(fp, "open error %s\n", err.msg);
	}
	close_mem(r);
	fclose(fp);
	return out;
}

/* The unquoted fast path and libcsv read every input alike: random text
 * columns built from commas, quotes, CR, LF, spaces and UTF-8. */
static void
test_csv_fast_path_agrees(void **state)
{
	static const char *const bits[] = {
		"a", "bc", ",", ",", "\"", "\"\"", "\n", "\r\n", "\r", " ",
		"\t", "\xc3\xa9", "x\"y", "\"q,\"", "\"l\nm\"", "9",
	};
	uint64_t seed = 42;
	int t;

	(void)state;
	for (t = 0; t < 20000; t++) {
		char csv[512];
		size_t len = 0, k, nbits;
		char *fast, *slow;

		/* Header of three text columns, then random bytes. */
		len = (size_t)snprintf(csv, sizeof(csv), "symbol,b,c\n");
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		nbits = 1 + (seed >> 33) % 40;
		for (k = 0; k < nbits; k++) {
			const char *b;

			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			b = bits[(seed >> 40) % PP_ARRAY_SIZE(bits)];
			memcpy(csv + len, b, strlen(b));
			len += strlen(b);
		}
		/* Make every column text whatever the rows hold. */
		memcpy(csv + len, "\nx,y,z\n", 7);
		len += 7;
		fast = dump_text(csv, len);
		pp_csv_tuning.slow = 1;
		slow = dump_text(csv, len);
		pp_csv_tuning.slow = 0;
		if (strcmp(fast, slow) != 0 && getenv("PP_TEST_DUMP")) {
			FILE *d = fopen(getenv("PP_TEST_DUMP"), "wb");

			fwrite(csv, 1, len, d);
			fclose(d);
		}
		if (strcmp(fast, slow) != 0)
			fail_msg("input %d differs:\n%.*s\nfast:\n%s\nslow:\n%s",
			    t, (int)len, csv, fast, slow);
		free(fast);
		free(slow);
	}
}

/* The writing thread: the same bytes as writing directly, in order, over
 * several batches; a failed write comes back as the error. */
static void
test_thread_writer(void **unused)
{
	struct pp_schema s;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT, tw = PP_WRITE_OPTS_INIT;
	struct pp_err e = PP_ERR_INIT;
	FILE *direct = tmpfile(), *piped = tmpfile(), *full;
	struct pp_writer *w1, *w2;
	char sym[16], *a, *b;
	long n1, n2;
	int i;

	(void)unused;
	assert_non_null(direct);
	assert_non_null(piped);
	pp_schema_init(&s);
	assert_int_equal(pp_schema_add(&s, "symbol", PP_T_TEXT, &e), 0);
	assert_int_equal(pp_schema_add(&s, "x", PP_T_F64, &e), 0);
	w1 = pp_writer_new(direct, "direct", &s, &wo, &e);
	tw.thread = 1;
	w2 = pp_writer_new(piped, "piped", &s, &tw, &e);
	assert_non_null(w2);
	for (i = 0; i < 5000; i++) {
		union pp_cell row[2];

		/* The caller's buffer changes after every row. */
		snprintf(sym, sizeof(sym), "S%d", i % 37);
		row[0].s.p = sym;
		row[0].s.len = strlen(sym);
		row[1].f = i * 0.1;
		assert_int_equal(pp_writer_row(w1, row, &e), 0);
		assert_int_equal(pp_writer_row(w2, row, &e), 0);
		if (i == 2500) {
			/* A flush drains the thread: all so far is out. */
			assert_int_equal(pp_writer_flush(w1, &e), 0);
			assert_int_equal(pp_writer_flush(w2, &e), 0);
			assert_int_equal(ftell(direct), ftell(piped));
		}
		memset(sym, 'z', sizeof(sym));
	}
	assert_int_equal(pp_writer_finish(w1, &e), 0);
	assert_int_equal(pp_writer_finish(w2, &e), 0);
	n1 = ftell(direct);
	n2 = ftell(piped);
	assert_int_equal(n1, n2);
	a = malloc((size_t)n1);
	b = malloc((size_t)n2);
	rewind(direct);
	rewind(piped);
	assert_int_equal(fread(a, 1, (size_t)n1, direct), n1);
	assert_int_equal(fread(b, 1, (size_t)n2, piped), n2);
	assert_memory_equal(a, b, (size_t)n1);
	free(a);
	free(b);
	pp_writer_free(w1);
	pp_writer_free(w2);
	fclose(direct);
	fclose(piped);

	/* Writes that fail: the error reaches the producer. */
	full = fopen("/dev/full", "w");
	if (full != NULL) {
		int rc = 0;

		w2 = pp_writer_new(full, "/dev/full", &s, &tw, &e);
		for (i = 0; i < 200000 && rc == 0; i++) {
			union pp_cell row[2];

			row[0].s.p = "SYM";
			row[0].s.len = 3;
			row[1].f = i;
			rc = pp_writer_row(w2, row, &e);
		}
		if (rc == 0)
			rc = pp_writer_finish(w2, &e);
		assert_int_equal(rc, -1);
		assert_non_null(strstr(e.msg, "/dev/full"));
		pp_writer_free(w2);
		fclose(full);
	}
	pp_schema_release(&s);
}

/* Bytes a writer with options o makes of `rows` rows of every type (text
 * that needs quoting, missing values, NaN; a date out of range at row bad,
 * if bad >= 0): the rows, or NULL with *err set.  *len gets the length of
 * what was written either way. */
static char *
write_mixed(const struct pp_write_opts *o, int rows, int bad, size_t *len,
    struct pp_err *err)
{
	static const char *const texts[] = { "S1", "a,b", "say \"hi\"",
	    " pad", "", "line\nbreak", "\xc3\xa9t\xc3\xa9" };
	struct pp_schema s;
	struct pp_err e = PP_ERR_INIT;
	char *out = NULL, text[32];
	FILE *fp = open_memstream(&out, len);
	struct pp_writer *w;
	int i, rc = 0;

	assert_non_null(fp);
	pp_schema_init(&s);
	assert_int_equal(pp_schema_add(&s, "symbol", PP_T_TEXT, &e), 0);
	assert_int_equal(pp_schema_add(&s, "date", PP_T_DATE, &e), 0);
	assert_int_equal(pp_schema_add(&s, "ts", PP_T_DATETIME, &e), 0);
	assert_int_equal(pp_schema_add(&s, "x", PP_T_F64, &e), 0);
	assert_int_equal(pp_schema_add(&s, "n", PP_T_I64, &e), 0);
	w = pp_writer_new(fp, "mixed", &s, o, &e);
	assert_non_null(w);
	for (i = 0; i < rows && rc == 0; i++) {
		union pp_cell row[5];

		/* The caller's text changes after every row. */
		snprintf(text, sizeof(text), "%s", texts[i % 7]);
		row[0].s.p = text;
		row[0].s.len = strlen(text);
		row[1].i = i % 11 == 0 ? PP_I64_MISSING : 16000 + i;
		if (i == bad)
			row[1].i = 5000000;	/* after 9999-12-31 */
		row[2].i = i % 13 == 0 ? PP_I64_MISSING :
		    (int64_t)i * 86400000123;
		row[3].f = i % 17 == 0 ? NAN : (i - 3000) / 7.0;
		row[4].i = i % 19 == 0 ? PP_I64_MISSING : (int64_t)i * -977;
		rc = pp_writer_row(w, row, err);
		memset(text, 'z', sizeof(text) - 1);
	}
	if (rc == 0)
		rc = pp_writer_finish(w, err);
	pp_writer_free(w);
	fclose(fp);
	pp_schema_release(&s);
	if (rc == -1) {
		free(out);
		return NULL;
	}
	return out;
}

/* CSV formatted by several threads: the bytes of one thread, whatever the
 * count, over many batches and a last short one; a bad row late in the
 * stream fails with the same message.  Binary (row by row) the same. */
static void
test_thread_formatters(void **unused)
{
	static const int counts[] = { 1, 2, 3, 5 };
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_err e1 = PP_ERR_INIT, e2 = PP_ERR_INIT;
	size_t n1, n2, i;
	char *a, *b;
	int rows = 7 * 2048 + 13, fmt;

	(void)unused;
	for (fmt = PP_FMT_CSV; fmt <= PP_FMT_BIN; fmt++) {
		o.format = (enum pp_format)fmt;
		o.thread = 0;
		a = write_mixed(&o, rows, -1, &n1, &e1);
		assert_non_null(a);
		for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
			pp_frame_set_csv_threads(counts[i]);
			o.thread = 1;
			b = write_mixed(&o, rows, -1, &n2, &e2);
			assert_non_null(b);
			assert_int_equal(n1, n2);
			assert_memory_equal(a, b, n1);
			free(b);
		}
		free(a);
	}
	o.format = PP_FMT_CSV;
	o.thread = 0;
	assert_null(write_mixed(&o, rows, 5 * 2048 + 7, &n1, &e1));
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		pp_frame_set_csv_threads(counts[i]);
		o.thread = 1;
		assert_null(write_mixed(&o, rows, 5 * 2048 + 7, &n2, &e2));
		assert_string_equal(e1.msg, e2.msg);
	}
	pp_frame_set_csv_threads(0);
}

/* A CSV frame of 3000 rows: symbol, a date column whose rows after the
 * first 10 are no dates at all, x = the row number; row bad_at (1-based
 * data row) has, if bad_at > 0, the field bad_field. */
static char *
only_csv(size_t bad_at, const char *bad_row, size_t *len)
{
	struct pp_buf b = PP_BUF_INIT;
	size_t i;

	pp_buf_addstr(&b, "symbol,d,x\n");
	for (i = 1; i <= 3000; i++) {
		if (i == bad_at)
			pp_buf_addstr(&b, bad_row);
		else if (i <= 10)
			pp_buf_addf(&b, "S%zu,2024-01-%02zu,%zu\n", i % 3, i,
			    i);
		else
			pp_buf_addf(&b, "S%zu,day %zu,%zu\n", i % 3, i, i);
	}
	return pp_buf_detach(&b, len);
}

/* Read x of only_csv's frame with only x asked for: 0 and every x and
 * blank cell right, or -1 with err from the first bad row. */
static int
read_only_x(const char *csv, size_t len, struct pp_err *err)
{
	struct pp_reader *r;
	const union pp_cell *row;
	long only = 2;
	size_t i = 0;
	int rc;

	infer_rows = 10;
	r = open_mem(csv, len, err);
	infer_rows = 1000;
	assert_non_null(r);
	assert_int_equal(pp_reader_schema(r)->cols[1].type, PP_T_DATE);
	pp_reader_only(r, &only, 1);
	while ((rc = pp_reader_next(r, &row, err)) == 1) {
		i++;
		assert_true(row[2].f == (double)i);
		assert_int_equal(row[0].s.len, 0);
		assert_non_null(row[0].s.p);
		assert_true(row[1].i == PP_I64_MISSING);
	}
	close_mem(r);
	if (rc == 0)
		assert_int_equal(i, 3000);
	return rc;
}

/* pp_reader_only: the columns not asked for are neither converted nor
 * checked, on one thread, on worker threads and through libcsv; the row
 * shape and the columns asked for still are.  In binary, a text column
 * not asked for reads as "". */
static void
test_reader_only(void **state)
{
	static const size_t blocks[] = { 0, 1, 64, 0 };
	struct pp_err err = PP_ERR_INIT;
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_reader *r;
	const union pp_cell *row;
	long only[] = { -1, 2 };
	size_t len, i, m;
	char *csv, *bin;

	(void)state;
	for (m = 0; m < PP_ARRAY_SIZE(blocks); m++) {
		pp_csv_tuning.threads = m == 0 ? 1 : 0;
		pp_csv_tuning.block = blocks[m];
		pp_csv_tuning.slow = m == 3;
		csv = only_csv(0, NULL, &len);
		assert_int_equal(read_only_x(csv, len, &err), 0);
		free(csv);
		csv = only_csv(2500, "S1,day,2500,extra\n", &len);
		assert_int_equal(read_only_x(csv, len, &err), -1);
		assert_non_null(strstr(err.msg, "mem:2501: expected 3 fields"));
		pp_err_clear(&err);
		free(csv);
		csv = only_csv(2500, "S1,day,x2500\n", &len);
		assert_int_equal(read_only_x(csv, len, &err), -1);
		assert_non_null(strstr(err.msg, "mem:2501: column \"x\": not "
		    "a number"));
		pp_err_clear(&err);
		free(csv);
	}
	pp_csv_tuning.threads = 0;
	pp_csv_tuning.block = 0;
	pp_csv_tuning.slow = 0;

	o.format = PP_FMT_BIN;
	bin = write_frame(&o, 40, &len);
	r = open_mem(bin, len, &err);
	assert_non_null(r);
	pp_reader_only(r, only, PP_ARRAY_SIZE(only));
	for (i = 0; pp_reader_next(r, &row, &err) == 1; i++) {
		union pp_cell want[5];

		edge_row(i, want);
		assert_int_equal(row[0].s.len, 0);
		assert_true(row[1].i == PP_I64_MISSING);
		assert_memory_equal(&row[2].f, &want[2].f, sizeof(double));
		assert_true(row[3].i == PP_I64_MISSING);
	}
	assert_int_equal(i, 40);
	close_mem(r);
	free(bin);
}

/* pp_reader_next_block: a binary frame's rows (chunks of 8, one flushed
 * early, compressed or not) as columns, after rows taken one by one,
 * every row once, in order, with its line; CSV says -2. */
static void
test_binary_blocks(void **state)
{
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	const unsigned char *const *col;
	const union pp_cell *row;
	struct pp_reader *r;
	size_t len, i, from, n, k;
	char *data;
	int z, rc;

	(void)state;
	o.format = PP_FMT_BIN;
	o.chunk_rows = 8;
	for (z = 0; z < 2; z++) {
		o.compress = z;
		data = write_frame(&o, 1000, &len);
		r = open_mem(data, len, &err);
		assert_non_null(r);
		for (i = 0; i < 3; i++) {
			assert_int_equal(pp_reader_next(r, &row, &err), 1);
			check_row(i, row);
		}
		while ((rc = pp_reader_next_block(r, &col, &from, &n,
		    &err)) == 1) {
			assert_true(n >= 1 && n <= 8);
			for (k = 0; k < n; k++, i++) {
				union pp_cell want[5];
				int64_t d;
				double x;

				edge_row(i, want);
				memcpy(&d, col[1] + 8 * (from + k), 8);
				memcpy(&x, col[2] + 8 * (from + k), 8);
				assert_int_equal(d, want[1].i);
				if (isnan(want[2].f))
					assert_true(isnan(x));
				else
					assert_memory_equal(&x, &want[2].f, 8);
			}
			assert_int_equal(pp_reader_line(r), (long)i);
		}
		assert_int_equal(rc, 0);
		assert_int_equal(i, 1000);
		assert_int_equal(pp_reader_next(r, &row, &err), 0);
		close_mem(r);
		free(data);
	}
	o.format = PP_FMT_CSV;
	data = write_frame(&o, 10, &len);
	r = open_mem(data, len, &err);
	assert_non_null(r);
	assert_int_equal(pp_reader_next_block(r, &col, &from, &n, &err), -2);
	for (i = 0; pp_reader_next(r, &row, &err) == 1; i++)
		;
	assert_int_equal(i, 10);
	close_mem(r);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_only),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_schema_wide),
		cmocka_unit_test(test_binary_roundtrip),
		cmocka_unit_test(test_binary_blocks),
		cmocka_unit_test(test_csv_roundtrip),
		cmocka_unit_test(test_infer),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_csv_skip),
		cmocka_unit_test(test_binary_damage),
		cmocka_unit_test(test_binary_trailing),
		cmocka_unit_test(test_csv_fast_path_agrees),
		cmocka_unit_test(test_thread_writer),
		cmocka_unit_test(test_thread_formatters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
