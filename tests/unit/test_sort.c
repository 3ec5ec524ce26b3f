/*
 * test_sort.c - pp sort's external merge sort (lib/sort.c).
 *
 * Plan:
 *  - a table of {input CSV, keys, expected CSV}, each sorted twice: in
 *    memory (no run) and with a buffer so small that every row is a run
 *    (the merge alone orders them); rows: date,symbol and symbol,date,
 *    equal keys in input order (stability), a missing date first, a text
 *    date column (bytewise), a number date column (a missing one first),
 *    an empty frame.
 *  - random: 3000 rows over few keys, sorted with a buffer of a few
 *    kilobytes (dozens of runs), equal the stable sort of the rows.
 *  - a frame with only a date or only a symbol column is sorted by it
 *    alone, stably.
 *  - errors: neither column; --by parsing.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "frame.h"
#include "sort.h"
#include "testutil.h"
#include "banned.h"

/* Sort CSV text in; the output CSV (malloc'd) or NULL with *e set. */
static char *
sort_csv(const char *in, enum pp_sort_by by, size_t buffer, size_t *nruns,
    struct pp_err *e)
{
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_sort_opts so = PP_SORT_OPTS_INIT;
	struct pp_reader *r;
	struct pp_writer *w = NULL;
	FILE *fin = fmemopen((void *)in, strlen(in), "r"), *fout;
	char *out = NULL;
	size_t outlen = 0;
	int rc = -1;

	assert_non_null(fin);
	fout = open_memstream(&out, &outlen);
	assert_non_null(fout);
	so.by = by;
	so.buffer = buffer;
	if ((r = pp_reader_fopen(fin, "in", &ro, e)) != NULL &&
	    (w = pp_writer_new(fout, "out", pp_reader_schema(r), &wo,
	    e)) != NULL && pp_sort_run(r, w, &so, e) == 0 &&
	    pp_writer_finish(w, e) == 0)
		rc = 0;
	pp_writer_free(w);
	pp_reader_free(r);
	fclose(fin);
	fclose(fout);
	if (nruns != NULL)
		*nruns = so.nruns;
	if (rc == -1) {
		free(out);
		return NULL;
	}
	return out;
}

static const struct {
	const char *in;
	enum pp_sort_by by;
	const char *want;
} cases[] = {
	{ "symbol,date,x\nB,2024-01-02,1\nA,2024-01-03,2\nA,2024-01-02,3\n"
	  "B,2024-01-03,4\n", PP_SORT_DATE_SYMBOL,
	  "symbol,date,x\nA,2024-01-02,3\nB,2024-01-02,1\nA,2024-01-03,2\n"
	  "B,2024-01-03,4\n" },
	{ "symbol,date,x\nB,2024-01-02,1\nA,2024-01-03,2\nA,2024-01-02,3\n"
	  "B,2024-01-03,4\n", PP_SORT_SYMBOL_DATE,
	  "symbol,date,x\nA,2024-01-02,3\nA,2024-01-03,2\nB,2024-01-02,1\n"
	  "B,2024-01-03,4\n" },
	/* Equal keys keep their order; a missing date comes first. */
	{ "date,symbol,x\n2024-01-02,A,1\n,A,2\n2024-01-02,A,3\n"
	  "2024-01-01,B,4\n2024-01-02,A,5\n,A,6\n", PP_SORT_DATE_SYMBOL,
	  "date,symbol,x\n,A,2\n,A,6\n2024-01-01,B,4\n2024-01-02,A,1\n"
	  "2024-01-02,A,3\n2024-01-02,A,5\n" },
	/* Text dates and symbols compare bytewise: "Z" < "a", "q10" < "q9". */
	{ "symbol,date\na,q9\nZ,q10\na,q10\nab,q1\n", PP_SORT_SYMBOL_DATE,
	  "symbol,date\nZ,q10\na,q10\na,q9\nab,q1\n" },
	/* Whole-number dates compare as numbers: 9 < 10. */
	{ "symbol,date\na,10\na,9\n", PP_SORT_SYMBOL_DATE,
	  "symbol,date\na,9\na,10\n" },
	/* Number dates: numerically, a missing one first. */
	{ "symbol,date\nA,10.5\nA,9\nA,\nA,-1\n", PP_SORT_DATE_SYMBOL,
	  "symbol,date\nA,\nA,-1\nA,9\nA,10.5\n" },
	{ "symbol,date,x\n", PP_SORT_DATE_SYMBOL, "symbol,date,x\n" },
	/* One key only, either order: a series by date, symbols alone. */
	{ "date,x\n2024-01-03,1\n2024-01-02,2\n2024-01-03,3\n",
	  PP_SORT_SYMBOL_DATE,
	  "date,x\n2024-01-02,2\n2024-01-03,1\n2024-01-03,3\n" },
	{ "x,symbol\n1,B\n2,A\n3,B\n4,A\n", PP_SORT_DATE_SYMBOL,
	  "x,symbol\n2,A\n4,A\n1,B\n3,B\n" },
};

static void
test_table(void **unused)
{
	struct pp_err e = PP_ERR_INIT;
	size_t i, nruns, rows;
	char *got;
	const char *p;

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (rows = 0, p = cases[i].in; (p = strchr(p, '\n')) != NULL;
		    p++)
			rows++;
		rows--;
		got = sort_csv(cases[i].in, cases[i].by, (size_t)64 << 20,
		    &nruns, &e);
		if (got == NULL)
			fail_msg("case %zu: %s", i, e.msg);
		assert_string_equal(got, cases[i].want);
		assert_int_equal(nruns, 0);
		free(got);
		/* A buffer of one byte: a run per row. */
		got = sort_csv(cases[i].in, cases[i].by, 1, &nruns, &e);
		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		assert_int_equal(nruns, rows);
		free(got);
	}
}

struct rrow {
	int sym, day;
	size_t seq;
};

static int
by_date_sym_seq(const void *a, const void *b)
{
	const struct rrow *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if (x->sym != y->sym)
		return x->sym < y->sym ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
test_random_runs(void **unused)
{
	enum { N = 3000 };
	static struct rrow rows[N];
	struct pp_buf in = PP_BUF_INIT, want = PP_BUF_INIT;
	struct pp_err e = PP_ERR_INIT;
	uint64_t seed = 0x853c49e6748fea9bULL;
	size_t i, nruns;
	char *got;

	(void)unused;
	pp_buf_addstr(&in, "symbol,date,seq\n");
	for (i = 0; i < N; i++) {
		rows[i].sym = (int)(rnd(&seed) % 7);
		rows[i].day = 1 + (int)(rnd(&seed) % 20);
		rows[i].seq = i;
		pp_buf_addf(&in, "S%d,2024-01-%02d,%zu\n", rows[i].sym,
		    rows[i].day, i);
	}
	qsort(rows, N, sizeof(*rows), by_date_sym_seq);
	pp_buf_addstr(&want, "symbol,date,seq\n");
	for (i = 0; i < N; i++)
		pp_buf_addf(&want, "S%d,2024-01-%02d,%zu\n", rows[i].sym,
		    rows[i].day, rows[i].seq);
	got = sort_csv(in.data, PP_SORT_DATE_SYMBOL, 8192, &nruns, &e);
	assert_non_null(got);
	assert_true(nruns > 20);
	assert_string_equal(got, want.data);
	free(got);
	pp_buf_release(&in);
	pp_buf_release(&want);
}

static void
test_errors(void **unused)
{
	struct pp_err e = PP_ERR_INIT;
	enum pp_sort_by by = PP_SORT_DATE_SYMBOL;

	(void)unused;
	assert_null(sort_csv("x,y\nA,1\n", PP_SORT_DATE_SYMBOL, 1 << 20,
	    NULL, &e));
	assert_string_equal(e.msg, "in: no column \"date\" or \"symbol\": pp "
	    "sort orders by them");
	assert_int_equal(e.code, PP_EXIT_DATA);
	pp_err_clear(&e);
	assert_int_equal(pp_sort_parse_by("symbol,date", &by), 0);
	assert_int_equal(by, PP_SORT_SYMBOL_DATE);
	assert_int_equal(pp_sort_parse_by("date,symbol", &by), 0);
	assert_int_equal(by, PP_SORT_DATE_SYMBOL);
	assert_int_equal(pp_sort_parse_by("date", &by), -1);
	assert_int_equal(pp_sort_parse_by("", &by), -1);
	assert_int_equal(pp_sort_parse_by("date, symbol", &by), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_random_runs),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
