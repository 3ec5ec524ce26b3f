/*
 * test_eval.c - reading frames of predictions (lib/eval.c).
 *
 * Plan:
 *  - pp_eval_metrics on small CSV files: the scores in their stable
 *    order, rows with a missing value left out and counted, --by groups
 *    in order of first appearance then their mean (over the groups where
 *    a score is defined), the regression/classification decision, and
 *    each error (missing column, a text cell with its line, a target not
 *    0/1 under classification, fewer than 2 rows).
 *  - pp_panel_read: rows out of order come back by date then symbol name,
 *    with date boundaries; a frame without a date column is one date a
 *    row; a symbol twice on a date is an error; a text date column too.
 *    Both ways of sorting: counting (dates close together) and the
 *    general sort (dates decades apart, date-times), the same order; a
 *    panel of 70,000 rows (gathered on two threads) read the other way
 *    round, every row in its place.
 *  - pp_scores_table: columns, NULL cells for undefined scores and for
 *    the groups' mean.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "eval.h"
#include "banned.h"

/* Write text to a temp file; returns its path (static storage). */
static const char *
file_of(const char *text)
{
	static char path[64];
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_eval.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static const struct {
	const char *csv;
	const char *by;
	enum pp_eval_kind kind, want_kind;
	size_t nscores, skipped;
	const char *first_group;	/* of the first score, or NULL */
	const char *name;		/* a score to check */
	const char *group;		/* its group */
	double value;
	const char *err;		/* NULL: must succeed */
} metric_rows[] = {
	{ "y,prediction\n1,2\n3,3\n,4\n5,\n", NULL, PP_EVAL_AUTO,
	  PP_EVAL_REGRESSION, 7, 2, NULL, "mse", NULL, 0.5, NULL },
	{ "y,prediction\n0,0.2\n1,0.9\n1,0.4\n", NULL, PP_EVAL_AUTO,
	  PP_EVAL_CLASSIFICATION, 11, 0, NULL, "accuracy", NULL,
	  2.0 / 3, NULL },
	{ "y,prediction\n0,2\n1,0.9\n", NULL, PP_EVAL_AUTO,
	  PP_EVAL_REGRESSION, 7, 0, NULL, "mae", NULL, 1.05, NULL },
	{ "symbol,y,prediction\nB,1,2\nA,1,1\nB,2,2\nA,3,3\n", "symbol",
	  PP_EVAL_AUTO, PP_EVAL_REGRESSION, 21, 0, "B", "mse", NULL, 0.25,
	  NULL },
	{ "symbol,y,prediction\nB,1,2\nA,1,1\nB,2,2\nA,3,3\n", "symbol",
	  PP_EVAL_AUTO, PP_EVAL_REGRESSION, 21, 0, "B", "mse", "B", 0.5,
	  NULL },
	{ "y,prediction\n1,2\n", NULL, PP_EVAL_AUTO, PP_EVAL_AUTO, 0, 0,
	  NULL, NULL, NULL, 0,
	  "1 row with both \"y\" and \"prediction\": need at least 2" },
	{ "y,p\n1,2\n2,3\n", NULL, PP_EVAL_AUTO, PP_EVAL_AUTO, 0, 0, NULL,
	  NULL, NULL, 0, "missing column \"prediction\"" },
	{ "y,prediction\n1,2\n2,zz\n", NULL, PP_EVAL_AUTO, PP_EVAL_AUTO, 0,
	  0, NULL, NULL, NULL, 0,
	  ":3: column \"prediction\": not a number: \"zz\"" },
	{ "y,prediction\n1,0.5\n2,0.5\n", NULL, PP_EVAL_CLASSIFICATION,
	  PP_EVAL_AUTO, 0, 0, NULL, NULL, NULL, 0,
	  ":3: column \"y\": target 2 is not 0 or 1 (--proba)" },
};

static void
test_metrics(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(metric_rows) / sizeof(metric_rows[0]); i++) {
		struct pp_eval_metrics_opts o = PP_EVAL_METRICS_OPTS_INIT;
		struct pp_scores sc = PP_SCORES_INIT;
		struct pp_err err = PP_ERR_INIT;
		enum pp_eval_kind kind = PP_EVAL_AUTO;
		const char *path = file_of(metric_rows[i].csv);
		int rc, found = 0;

		o.target = "y";
		o.by = metric_rows[i].by;
		o.kind = metric_rows[i].kind;
		rc = pp_eval_metrics(path, &o, &sc, &kind, &err);
		remove(path);
		if (metric_rows[i].err) {
			assert_int_equal(rc, -1);
			if (strstr(err.msg, metric_rows[i].err) == NULL)
				fail_msg("row %zu: %s", i, err.msg);
			pp_scores_release(&sc);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(kind, metric_rows[i].want_kind);
		assert_int_equal(sc.n, metric_rows[i].nscores);
		assert_int_equal(sc.skipped, metric_rows[i].skipped);
		if (metric_rows[i].first_group)
			assert_string_equal(sc.v[0].group,
			    metric_rows[i].first_group);
		for (j = 0; j < sc.n; j++) {
			const char *g = sc.v[j].group;
			const char *wg = metric_rows[i].group;

			if (strcmp(sc.v[j].name, metric_rows[i].name) != 0 ||
			    (g == NULL) != (wg == NULL) ||
			    (g && strcmp(g, wg) != 0))
				continue;
			assert_true(fabs(sc.v[j].value - metric_rows[i].value) <
			    1e-15);
			found = 1;
		}
		assert_true(found);
		pp_scores_release(&sc);
	}
}

static void
test_panel(void **state)
{
	static const char *const rets[] = { "r" };
	struct pp_panel p;
	struct pp_err err = PP_ERR_INIT;
	const char *path;
	char label[40];

	(void)state;
	path = file_of("symbol,date,prediction,r\n"
	    "B,2024-01-02,1,0.1\nA,2024-01-02,2,0.2\nB,2024-01-01,3,\n"
	    "C,2024-01-01,4,0.4\nA,2024-01-01,5,0.5\n");
	assert_int_equal(pp_panel_read(&p, path, ',', "prediction", rets, 1,
	    &err), 0);
	remove(path);
	assert_int_equal(p.n, 5);
	assert_int_equal(p.nsym, 3);
	assert_string_equal(p.syms[0], "A");
	assert_string_equal(p.syms[2], "C");
	assert_int_equal(p.ndates, 2);
	assert_int_equal(p.dstart[1], 3);
	/* 2024-01-01: A, B, C; then 2024-01-02: A, B. */
	assert_true(p.pred[0] == 5 && p.pred[1] == 3 && p.pred[2] == 4);
	assert_true(p.pred[3] == 2 && p.pred[4] == 1);
	assert_true(isnan(p.ret[1]));
	pp_panel_date_label(&p, 1, label);
	assert_string_equal(label, "2024-01-02");
	pp_panel_release(&p);

	path = file_of("prediction,r\n1,2\n3,4\n5,6\n");
	assert_int_equal(pp_panel_read(&p, path, ',', "prediction", rets, 1,
	    &err), 0);
	remove(path);
	assert_int_equal(p.ndates, 3);
	assert_int_equal(p.nsym, 1);
	pp_panel_date_label(&p, 2, label);
	assert_string_equal(label, "3");
	pp_panel_release(&p);

	/* Dates too far apart to count, then date-times: sorted all the
	 * same, and a symbol repeated on the next row found again. */
	path = file_of("symbol,date,prediction,r\nB,2024-01-02,1,0\n"
	    "B,1970-01-01,2,0\nA,2024-01-02,3,0\nA,1970-01-01,4,0\n");
	assert_int_equal(pp_panel_read(&p, path, ',', "prediction", rets, 1,
	    &err), 0);
	remove(path);
	assert_int_equal(p.ndates, 2);
	assert_true(p.pred[0] == 4 && p.pred[1] == 2 && p.pred[2] == 3 &&
	    p.pred[3] == 1);
	pp_panel_release(&p);
	path = file_of("symbol,date,prediction,r\n"
	    "B,2024-01-02T10:00:00Z,1,0\nB,2024-01-02T09:30:00Z,2,0\n"
	    "A,2024-01-02T10:00:00Z,3,0\nA,2024-01-02T09:30:00Z,4,0\n");
	assert_int_equal(pp_panel_read(&p, path, ',', "prediction", rets, 1,
	    &err), 0);
	remove(path);
	assert_int_equal(p.ndates, 2);
	assert_int_equal(p.dstart[1], 2);
	assert_true(p.pred[0] == 4 && p.pred[1] == 2 && p.pred[2] == 3 &&
	    p.pred[3] == 1);
	pp_panel_date_label(&p, 0, label);
	assert_non_null(strstr(label, "09:30:00"));
	pp_panel_release(&p);
	path = file_of("symbol,date,prediction,r\n"
	    "A,2024-01-02T10:00:00Z,1,2\nA,2024-01-02T10:00:00Z,3,4\n");
	assert_int_equal(pp_panel_read(&p, path, ',', "prediction", rets, 1,
	    &err), -1);
	remove(path);
	assert_non_null(strstr(err.msg, ": symbol \"A\" appears twice on "
	    "2024-01-02T10:00:00"));
	pp_err_clear(&err);

	path = file_of("symbol,date,prediction,r\nA,2024-01-01,1,2\n"
	    "A,2024-01-01,3,4\n");
	assert_int_equal(pp_panel_read(&p, path, ',', "prediction", rets, 1,
	    &err), -1);
	remove(path);
	assert_non_null(strstr(err.msg, ": symbol \"A\" appears twice on "
	    "2024-01-01"));
	pp_err_clear(&err);
	path = file_of("date,prediction,r\nmon,1,2\ntue,3,4\n");
	assert_int_equal(pp_panel_read(&p, path, ',', "prediction", rets, 1,
	    &err), -1);
	remove(path);
	assert_non_null(strstr(err.msg, ": column \"date\" is text, not "
	    "dates"));
}

/* A panel of 700 symbols x 100 dates, written symbol by symbol (the
 * other way round from the panel's order): large enough to be sorted by
 * two threads, and every row where it belongs. */
static void
test_panel_large(void **state)
{
	static const char *const rets[] = { "r" };
	struct pp_panel p;
	struct pp_err err = PP_ERR_INIT;
	struct pp_buf text = PP_BUF_INIT;
	const char *path;
	size_t s, d, i;

	(void)state;
	pp_buf_addstr(&text, "symbol,date,prediction,r\n");
	for (s = 700; s-- > 0;)
		for (d = 0; d < 100; d++)
			pp_buf_addf(&text, "S%03zu,2024-%02zu-%02zu,%zu,%zu\n",
			    s, 1 + d / 28, 1 + d % 28, s * 1000 + d, d);
	path = file_of(text.data);
	pp_buf_release(&text);
	assert_int_equal(pp_panel_read(&p, path, ',', "prediction", rets, 1,
	    &err), 0);
	remove(path);
	assert_int_equal(p.n, 70000);
	assert_int_equal(p.ndates, 100);
	assert_int_equal(p.nsym, 700);
	for (i = 0; i < p.n; i++) {
		d = i / 700;
		s = i % 700;
		assert_int_equal(p.sym[i], s);
		assert_true(p.pred[i] == (double)(s * 1000 + d));
		assert_true(p.ret[i] == (double)d);
		assert_true(i % 700 != 0 || p.dstart[d] == i);
	}
	pp_panel_release(&p);
}

static void
test_table(void **state)
{
	struct pp_scores sc = PP_SCORES_INIT;
	struct pp_reg_table t;

	(void)state;
	sc.group_key = strdup("symbol");
	pp_scores_add(&sc, "A", "mse", 0.25);
	pp_scores_add(&sc, "A", "pearson", NAN);
	pp_scores_add(&sc, NULL, "mse", 0.5);
	pp_scores_table(&sc, &t);
	assert_int_equal(t.ncols, 3);
	assert_int_equal(t.nrows, 3);
	assert_string_equal(t.cols[0], "symbol");
	assert_string_equal(t.cols[2], "value");
	assert_string_equal(t.cells[2], "0.25");
	assert_int_equal(t.kinds[2], PP_CELL_NUM);
	assert_null(t.cells[5]);
	assert_int_equal(t.kinds[5], PP_CELL_NULL);
	assert_null(t.cells[6]);
	assert_string_equal(t.cells[7], "mse");
	pp_reg_table_release(&t);
	pp_scores_release(&sc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_panel),
		cmocka_unit_test(test_panel_large),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
