/*
 * test_split.c - chronological splits (lib/split.c).
 *
 * Plan: a table of {dates, options, expected roles per fold} written as
 * strings, one character per date: 'T' train, 'x' test, '.' neither.
 * Rows: hold-out fractions (rounding up, gap, rolling window), walk-forward
 * expanding and rolling, gap, embargo, gap larger than the data, too few
 * dates for K folds, a fraction that leaves nothing to train on.
 * Then pp_split_parse_cv on good and bad specs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "split.h"
#include "banned.h"

static const struct {
	size_t ndates;
	struct pp_split_opts o;
	const char *folds[5];	/* NULL-terminated; NULL first: must fail */
	const char *err;
} rows[] = {
	{ 10, { 0.2, 0, 0, 0, 0 }, { "TTTTTTTTxx", NULL }, NULL },
	{ 10, { 0.25, 0, 0, 0, 0 }, { "TTTTTTTxxx", NULL }, NULL },
	{ 10, { 0.2, 0, 0, 2, 0 }, { "TTTTTT..xx", NULL }, NULL },
	{ 10, { 0.2, 0, 3, 1, 0 }, { "....TTT.xx", NULL }, NULL },
	{ 1, { 0.5, 0, 0, 0, 0 }, { NULL },
	    "fold 1 of 1: no training dates (1 dates, gap 0, embargo 0)" },
	{ 10, { 0.2, 0, 0, 8, 0 }, { NULL },
	    "fold 1 of 1: no training dates (10 dates, gap 8, embargo 0)" },
	{ 10, { 0, 3, 0, 0, 0 }, { "TTTTxx....", "TTTTTTxx..",
	    "TTTTTTTTxx", NULL }, NULL },
	{ 11, { 0, 4, 0, 0, 0 }, { "TTTxx......", "TTTTTxx....",
	    "TTTTTTTxx..", "TTTTTTTTTxx", NULL }, NULL },
	{ 10, { 0, 3, 3, 0, 0 }, { ".TTTxx....", "...TTTxx..",
	    ".....TTTxx", NULL }, NULL },
	{ 10, { 0, 3, 0, 1, 0 }, { "TTT.xx....", "TTTTT.xx..",
	    "TTTTTTT.xx", NULL }, NULL },
	{ 10, { 0, 3, 0, 0, 1 }, { "TTTTxx....", "TTTTTTxx..",
	    "TTTTTT.Txx", NULL }, NULL },
	{ 12, { 0, 3, 0, 1, 1 }, { "TT.xxx......", "TTTTT.xxx...",
	    "TTTTTT.T.xxx", NULL }, NULL },
	{ 3, { 0, 3, 0, 0, 0 }, { NULL },
	    "walkforward:3: 3 dates are too few for 3 folds" },
	{ 8, { 0, 3, 0, 2, 0 }, { NULL },
	    "fold 1 of 3: no training dates (8 dates, gap 2, embargo 0)" },
};

static void
test_table(void **state)
{
	size_t r, k, d;

	(void)state;
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct pp_split s;
		struct pp_err err = PP_ERR_INIT;
		int rc = pp_split_make(&s, rows[r].ndates, &rows[r].o, &err);

		if (rows[r].folds[0] == NULL) {
			assert_int_equal(rc, -1);
			assert_string_equal(err.msg, rows[r].err);
			assert_null(s.folds);
			continue;
		}
		assert_int_equal(rc, 0);
		for (k = 0; rows[r].folds[k] != NULL; k++) {
			char got[32];

			assert_true(k < s.nfolds);
			for (d = 0; d < rows[r].ndates; d++) {
				enum pp_role role = pp_split_role(&s, k, d);

				got[d] = role == PP_ROLE_TRAIN ? 'T' :
				    role == PP_ROLE_TEST ? 'x' : '.';
			}
			got[d] = '\0';
			assert_string_equal(got, rows[r].folds[k]);
		}
		assert_int_equal(k, s.nfolds);
		pp_split_release(&s);
	}
}

static void
test_parse_cv(void **state)
{
	static const struct {
		const char *s;
		long k;		/* 0: rejected */
	} cv[] = {
		{ "walkforward:2", 2 }, { "walkforward:1000", 1000 },
		{ "walkforward:1", 0 }, { "walkforward:1001", 0 },
		{ "walkforward:", 0 }, { "walkforward:3x", 0 },
		{ "kfold:3", 0 }, { "", 0 }, { "walkforward:-3", 0 },
	};
	size_t i;
	long k;

	(void)state;
	for (i = 0; i < sizeof(cv) / sizeof(cv[0]); i++) {
		k = 0;
		assert_int_equal(pp_split_parse_cv(cv[i].s, &k),
		    cv[i].k ? 0 : -1);
		if (cv[i].k)
			assert_int_equal(k, cv[i].k);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_parse_cv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
