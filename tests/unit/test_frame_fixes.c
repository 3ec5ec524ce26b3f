/*
 * test_frame_fixes.c - regressions found by review: rows of one empty
 * field, line numbers of multi-line fields and CR-only line ends, control
 * characters in names, dates CSV cannot write, write errors that must name
 * the file.
 */
/*
 * Tests for the review's findings; each fails on main ca4018f and passes
 * with the proposed patches.  Meant to be merged into
 * tests/unit/test_frame_edge.c (helpers open_mem/close_mem/convert from
 * there) once lib/ is fixed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "frame.h"
#include "util.h"
#include "banned.h"

static FILE *mem_fp;

static struct pp_reader *
open_mem(const char *data, size_t len, struct pp_err *err)
{
	mem_fp = fmemopen((void *)data, len, "rb");
	assert_non_null(mem_fp);
	return pp_reader_fopen(mem_fp, "mem", NULL, err);
}

static void
close_mem(struct pp_reader *r)
{
	pp_reader_free(r);
	fclose(mem_fp);
}

/* Read everything; returns 0 or -1, *n rows. */
static int
drain(const char *csv, struct pp_err *err, size_t *n)
{
	struct pp_reader *r = open_mem(csv, strlen(csv), err);
	const union pp_cell *row;
	int rc;

	*n = 0;
	if (r == NULL) {
		fclose(mem_fp);
		return -1;
	}
	while ((rc = pp_reader_next(r, &row, err)) == 1)
		(*n)++;
	close_mem(r);
	return rc;
}

/* B1: a one-column frame's missing value is an empty line, which the
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

/* B2: a row whose first field is a quoted field over several lines is
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

/* B3: CR-only line endings: every record is reported as line 1. */
static void
test_line_with_cr_endings(void **state)
{
	struct pp_err err = PP_ERR_INIT;
	size_t n;

	(void)state;
	assert_int_equal(drain("a,b\r1,2\r3,4\r5\r", &err, &n), -1);
	assert_string_equal(err.msg, "mem:4: expected 2 fields, found 1");
}

/* B4: a column name holding a newline makes a two-line message. */
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

/* B5: a date outside 0001..9999 (from a binary frame) is written as
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

/* B6: a write error found at commit loses the file name: ": write error". */
static void
test_commit_error_names_the_file(void **state)
{
	struct pp_out out = PP_OUT_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct rlimit old, lim;
	char path[] = "/tmp/pp-commit-XXXXXX", file[64], want[128];
	char block[2000];

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(file, sizeof(file), "%s/out.csv", path);
	assert_int_equal(pp_out_open(&out, file, &err), 0);
	memset(block, 'x', sizeof(block));
	assert_int_equal(fwrite(block, 1, sizeof(block), out.fp),
	    sizeof(block));		/* still in stdio's buffer */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 1024;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(pp_out_commit(&out, &err), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	snprintf(want, sizeof(want), "%s: write error: File too large", file);
	assert_string_equal(err.msg, want);
	assert_int_equal(access(file, F_OK), -1);
	assert_int_equal(rmdir(path), 0);	/* no temp file left */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_column_missing_survives_csv),
		cmocka_unit_test(test_line_of_multiline_first_field),
		cmocka_unit_test(test_line_with_cr_endings),
		cmocka_unit_test(test_control_in_column_name),
		cmocka_unit_test(test_date_out_of_range_is_an_error),
		cmocka_unit_test(test_commit_error_names_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
