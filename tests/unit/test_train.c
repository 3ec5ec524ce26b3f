/*
 * test_train.c - the command line pp-train records with a run.
 *
 * Plan: a table of argument vectors and the one line each becomes: plain
 * words as they are, an empty word, spaces, quotes of both kinds, a
 * backslash, a dollar and a glob in single quotes, a single quote closed
 * and escaped, non-ASCII bytes quoted; the line read back by /bin/sh
 * gives the same words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "train.h"
#include "banned.h"

static const struct {
	int argc;
	const char *argv[4];
	const char *want;
} rows[] = {
	{ 1, { "pp-train" }, "pp-train" },
	{ 3, { "pp-train", "-m", "ridge" }, "pp-train -m ridge" },
	{ 2, { "pp-train", "--grid=alpha=0.1,1" }, "pp-train --grid=alpha=0.1,1" },
	{ 2, { "pp-train", "" }, "pp-train ''" },
	{ 2, { "pp-train", "a b" }, "pp-train 'a b'" },
	{ 2, { "pp-train", "it's" }, "pp-train 'it'\\''s'" },
	{ 2, { "pp-train", "\"q\"" }, "pp-train '\"q\"'" },
	{ 2, { "pp-train", "$HOME/*.csv" }, "pp-train '$HOME/*.csv'" },
	{ 2, { "pp-train", "a\\b" }, "pp-train 'a\\b'" },
	{ 3, { "x", "^f[13]$", "caf\xc3\xa9" }, "x '^f[13]$' 'caf\xc3\xa9'" },
	{ 2, { "x", "@%+-_./:=," }, "x @%+-_./:=," },
};

static void
test_command_line(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_buf b = PP_BUF_INIT;

		pp_train_command_line(rows[i].argc,
		    (char *const *)rows[i].argv, &b);
		assert_string_equal(b.data, rows[i].want);
		pp_buf_release(&b);
	}
}

/* The shell reads each line back into the same words. */
static void
test_shell_reads_back(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_buf cmd = PP_BUF_INIT, want = PP_BUF_INIT;
		char got[256];
		size_t n;
		FILE *p;
		int k;

		pp_buf_addstr(&cmd, "set -- ");
		pp_train_command_line(rows[i].argc,
		    (char *const *)rows[i].argv, &cmd);
		pp_buf_addstr(&cmd, "; for a; do printf '<%s>' \"$a\"; done");
		for (k = 0; k < rows[i].argc; k++)
			pp_buf_addf(&want, "<%s>", rows[i].argv[k]);
		p = popen(cmd.data, "r");
		assert_non_null(p);
		n = fread(got, 1, sizeof(got) - 1, p);
		got[n] = '\0';
		assert_int_equal(pclose(p), 0);
		assert_string_equal(got, want.data);
		pp_buf_release(&cmd);
		pp_buf_release(&want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_shell_reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
