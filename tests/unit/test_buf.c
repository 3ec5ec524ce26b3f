/*
 * test_buf.c - pp_buf_read_fp: an input read whole, but never more than
 * asked (issue 16: -F /dev/zero and a metrics file fed forever grew
 * without bound).
 *
 * Plan: a table of inputs against caps (empty, shorter, exactly the cap,
 * one byte over, far over), appended after existing bytes; /dev/zero
 * stops at the cap; a directory is a read error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "banned.h"

static const struct {
	size_t len;		/* bytes in the input */
	size_t max;		/* the cap */
	int want;		/* 0 or 1 */
} cases[] = {
	{ 0, 0, 0 }, { 0, 10, 0 }, { 1, 0, 1 }, { 5, 10, 0 }, { 10, 10, 0 },
	{ 11, 10, 1 }, { 200000, 65536, 1 }, { 200000, 199999, 1 },
	{ 200000, 200000, 0 }, { 200000, 1 << 30, 0 },
};

static void
test_read_fp_bounded(void **unused)
{
	size_t i, j;

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pp_buf b = PP_BUF_INIT;
		FILE *fp = tmpfile();
		size_t got;

		assert_non_null(fp);
		for (j = 0; j < cases[i].len; j++)
			fputc((int)(j % 251), fp);
		rewind(fp);
		pp_buf_addstr(&b, "hd");
		if (pp_buf_read_fp(&b, fp, cases[i].max) != cases[i].want)
			fail_msg("case %zu: want %d", i, cases[i].want);
		got = cases[i].want ? cases[i].max + 1 : cases[i].len;
		assert_int_equal(b.len, 2 + got);
		assert_memory_equal(b.data, "hd", 2);
		for (j = 0; j < got; j++)
			assert_int_equal((unsigned char)b.data[2 + j], j % 251);
		assert_int_equal(b.data[b.len], '\0');
		fclose(fp);
		pp_buf_release(&b);
	}
}

static void
test_read_fp_endless_and_errors(void **unused)
{
	struct pp_buf b = PP_BUF_INIT;
	FILE *fp = fopen("/dev/zero", "rb");

	(void)unused;
	assert_non_null(fp);
	assert_int_equal(pp_buf_read_fp(&b, fp, 1 << 20), 1);
	assert_int_equal(b.len, (1 << 20) + 1);
	fclose(fp);
	pp_buf_reset(&b);
	fp = fopen("/", "rb");
	assert_non_null(fp);
	errno = 0;
	assert_int_equal(pp_buf_read_fp(&b, fp, 100), -1);
	assert_int_equal(errno, EISDIR);
	fclose(fp);
	pp_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_fp_bounded),
		cmocka_unit_test(test_read_fp_endless_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
