/*
 * test_shard.c - per-symbol sharding (lib/shard.c).
 *
 * Plan:
 *  - the published hash: FNV-1a 64's reference vectors ("", "a",
 *    "foobar") and a table of {symbol, shard of 3, of 7, of 1000000}
 *    computed outside this code (Python), so the contract other tools
 *    reproduce cannot drift; a multi-byte UTF-8 symbol hashes its bytes.
 *  - I/N parsing: a table of good and bad arguments, edge values as rows
 *    (0/1, N-1/N, the largest N, I = N, N = 0, signs, spaces, junk,
 *    empty parts, an extra slash), with the message of each kind.
 *  - the filter: for N = 1 to 8, the N shards of a frame are disjoint,
 *    their union is every row, each keeps the input's order; a missing
 *    symbol cell is the symbol "" and lands in one shard; no "symbol"
 *    column and a symbol column that is not text are errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"
#include "shard.h"
#include "util.h"
#include "banned.h"

static void
test_fnv1a_vectors(void **unused)
{
	(void)unused;
	assert_true(pp_hash_bytes("", 0) == 0xcbf29ce484222325ULL);
	assert_true(pp_hash_bytes("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(pp_hash_bytes("foobar", 6) == 0x85944171f73967e8ULL);
}

static const struct {
	const char *sym;
	long of3, of7, ofmax;
} shards[] = {
	{ "", 2, 2, 656037 },
	{ "a", 1, 5, 641996 },
	{ "foobar", 0, 6, 436968 },
	{ "AAA", 1, 1, 653122 },
	{ "BBB", 2, 1, 268677 },
	{ "SPY", 0, 3, 969725 },
	{ "BRK-B", 1, 3, 365205 },
	{ "\xc3\xa9", 1, 2, 167617 },	/* "é" */
};

static void
test_shard_table(void **unused)
{
	size_t i, n;

	(void)unused;
	for (i = 0; i < PP_ARRAY_SIZE(shards); i++) {
		n = strlen(shards[i].sym);
		assert_int_equal(pp_shard_of(shards[i].sym, n, 1), 0);
		assert_int_equal(pp_shard_of(shards[i].sym, n, 3),
		    shards[i].of3);
		assert_int_equal(pp_shard_of(shards[i].sym, n, 7),
		    shards[i].of7);
		assert_int_equal(pp_shard_of(shards[i].sym, n, PP_SHARD_MAX),
		    shards[i].ofmax);
	}
}

static const struct {
	const char *arg;
	long index, count;	/* -1: refused */
} parses[] = {
	{ "0/1", 0, 1 },
	{ "2/3", 2, 3 },
	{ "0/7", 0, 7 },
	{ "06/7", 6, 7 },
	{ "999999/1000000", 999999, 1000000 },
	{ "3/3", -1, 0 },
	{ "4/3", -1, 0 },
	{ "0/0", -1, 0 },
	{ "0/1000001", -1, 0 },
	{ "-1/3", -1, 0 },
	{ "+1/3", -1, 0 },
	{ "1/+3", -1, 0 },
	{ " 1/3", -1, 0 },
	{ "1/3 ", -1, 0 },
	{ "1", -1, 0 },
	{ "", -1, 0 },
	{ "/", -1, 0 },
	{ "1/", -1, 0 },
	{ "/3", -1, 0 },
	{ "1/3/5", -1, 0 },
	{ "1//3", -1, 0 },
	{ "a/3", -1, 0 },
	{ "1/3x", -1, 0 },
	{ "1.0/3", -1, 0 },
	{ "99999999999999999999/3", -1, 0 },
};

static void
test_parse(void **unused)
{
	struct pp_err e;
	struct pp_shard s;
	size_t i;
	int rc;

	(void)unused;
	for (i = 0; i < PP_ARRAY_SIZE(parses); i++) {
		pp_err_clear(&e);
		s.index = s.count = -7;
		rc = pp_shard_parse(parses[i].arg, &s, &e);
		if (parses[i].index >= 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(s.index, parses[i].index);
			assert_int_equal(s.count, parses[i].count);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(e.code, PP_EXIT_USAGE);
			assert_int_equal(s.index, -7);
		}
	}
	pp_err_clear(&e);
	assert_int_equal(pp_shard_parse("3/3", &s, &e), -1);
	assert_string_equal(e.msg, "bad value \"3/3\": the shard 3 is not "
	    "below the count 3 (shards count from 0, as JOB_COMPLETION_INDEX)");
	pp_err_clear(&e);
	assert_int_equal(pp_shard_parse("1/0", &s, &e), -1);
	assert_string_equal(e.msg, "bad value \"1/0\": want I/N, shard I of "
	    "N, with 0 <= I < N <= 1000000");
}

/* The shard of in (CSV), as CSV (malloc'd), or NULL with *e set. */
static char *
shard_csv(const char *in, long index, long count, size_t *kept,
    struct pp_err *e)
{
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_shard s;
	struct pp_reader *r;
	struct pp_writer *w = NULL;
	FILE *fin = fmemopen((void *)in, strlen(in), "r"), *fout;
	char *out = NULL;
	size_t outlen = 0;
	int rc = -1;

	assert_non_null(fin);
	fout = open_memstream(&out, &outlen);
	assert_non_null(fout);
	s.index = index;
	s.count = count;
	if ((r = pp_reader_fopen(fin, "in", &ro, e)) != NULL &&
	    (w = pp_writer_new(fout, "out", pp_reader_schema(r), &wo,
	    e)) != NULL && pp_shard_filter(r, w, &s, kept, e) == 0 &&
	    pp_writer_finish(w, e) == 0)
		rc = 0;
	pp_writer_free(w);
	pp_reader_free(r);
	fclose(fin);
	fclose(fout);
	if (rc == -1) {
		free(out);
		return NULL;
	}
	return out;
}

static const char frame[] =
    "date,symbol,x\n"
    "2024-01-02,AAA,1\n2024-01-02,BBB,2\n2024-01-02,SPY,3\n"
    "2024-01-02,,4\n2024-01-02,BRK-B,5\n2024-01-02,foobar,6\n"
    "2024-01-03,AAA,7\n2024-01-03,BBB,8\n2024-01-03,SPY,9\n"
    "2024-01-03,a,10\n2024-01-03,\xc3\xa9,11\n2024-01-03,BRK-B,12\n";

/* The first of text's lines, from its start, that is line[0..n) (with its
 * newline), or NULL. */
static const char *
find_line(const char *text, const char *line, size_t n)
{
	const char *p;

	for (p = text; *p != '\0'; p = strchr(p, '\n') + 1)
		if (strncmp(p, line, n) == 0)
			return p;
	return NULL;
}

static void
test_filter_partitions(void **unused)
{
	struct pp_err e = PP_ERR_INIT;
	const char *body = strchr(frame, '\n') + 1, *line, *nl, *pos;
	char *out[8];
	size_t kept, total;
	long n, i, found;

	(void)unused;
	for (n = 1; n <= 8; n++) {
		total = 0;
		for (i = 0; i < n; i++) {
			out[i] = shard_csv(frame, i, n, &kept, &e);
			assert_non_null(out[i]);
			assert_true(strncmp(out[i], "date,symbol,x\n", 14) == 0);
			total += kept;
		}
		assert_int_equal(total, 12);
		/* Each row in exactly one shard, rows of a shard in order. */
		for (line = body; *line != '\0'; line = nl + 1) {
			nl = strchr(line, '\n');
			for (found = 0, i = 0; i < n; i++)
				found += find_line(out[i], line,
				    (size_t)(nl - line + 1)) != NULL;
			assert_int_equal(found, 1);
		}
		/* A shard's rows come in the input's order. */
		for (i = 0; i < n; i++) {
			pos = body;
			for (line = strchr(out[i], '\n') + 1; *line != '\0';
			    line = nl + 1) {
				nl = strchr(line, '\n');
				pos = find_line(pos, line, (size_t)(nl - line + 1));
				assert_non_null(pos);
				pos = strchr(pos, '\n') + 1;
			}
			free(out[i]);
		}
	}
}

static void
test_filter_keeps_order_and_missing(void **unused)
{
	struct pp_err e = PP_ERR_INIT;
	size_t kept;
	char *got;

	(void)unused;
	/* Shard 1 of 3 holds AAA, a, BRK-B and é; 2 of 3 BBB and "". */
	got = shard_csv(frame, 1, 3, &kept, &e);
	assert_non_null(got);
	assert_string_equal(got, "date,symbol,x\n"
	    "2024-01-02,AAA,1\n2024-01-02,BRK-B,5\n2024-01-03,AAA,7\n"
	    "2024-01-03,a,10\n2024-01-03,\xc3\xa9,11\n2024-01-03,BRK-B,12\n");
	assert_int_equal(kept, 6);
	free(got);
	got = shard_csv(frame, 2, 3, &kept, &e);
	assert_non_null(got);
	assert_string_equal(got, "date,symbol,x\n"
	    "2024-01-02,BBB,2\n2024-01-02,,4\n2024-01-03,BBB,8\n");
	free(got);
}

static void
test_filter_errors(void **unused)
{
	struct pp_err e = PP_ERR_INIT;
	struct pp_schema s = PP_SCHEMA_INIT;
	char *got;

	(void)unused;
	got = shard_csv("date,ticker\n2024-01-02,AAA\n", 0, 2, NULL, &e);
	assert_null(got);
	assert_int_equal(e.code, PP_EXIT_DATA);
	assert_string_equal(e.msg, "no column \"symbol\" to shard by");
	pp_err_clear(&e);
	assert_int_equal(pp_schema_add(&s, "symbol", PP_T_F64, &e), 0);
	assert_int_equal(pp_shard_column(&s, &e), -1);
	assert_string_equal(e.msg, "column \"symbol\": float64, not text");
	pp_schema_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv1a_vectors),
		cmocka_unit_test(test_shard_table),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_filter_partitions),
		cmocka_unit_test(test_filter_keeps_order_and_missing),
		cmocka_unit_test(test_filter_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
