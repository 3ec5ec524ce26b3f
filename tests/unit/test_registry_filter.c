/*
 * test_registry_filter.c - MLflow search filters compiled to SQL with bound values.
 *
 * Plan: a table of {filter, expected SQL, expected values} covering every
 * operator, prefix spelling, quoting, precedence (AND over OR, NOT,
 * parentheses) and LIKE's translation to GLOB; a table of malformed
 * filters with their exact messages; ORDER BY specs; and a check that no
 * user text (hostile keys and values included) ever reaches the SQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "buf.h"
#include "registry_filter.h"
#include "banned.h"

#define M(op) "EXISTS (SELECT 1 FROM latest_metrics x WHERE x.run_id = " \
	"r.run_id AND x.key = ? AND x.value " op " ?)"
#define P(op, v) "EXISTS (SELECT 1 FROM params x WHERE x.run_id = " \
	"r.run_id AND x.key = ? AND x.value " op " " v ")"
#define T(op, v) "EXISTS (SELECT 1 FROM tags x WHERE x.run_id = " \
	"r.run_id AND x.key = ? AND x.value " op " " v ")"

static const struct {
	const char *in;
	const char *sql;
	const char *args;	/* values joined by '|', numbers as %g */
} ok_rows[] = {
	{ "", "", "" },
	{ "   ", "", "" },
	{ "metrics.rmse < 0.02", M("<"), "rmse|0.02" },
	{ "metric.rmse<=1e-3", M("<="), "rmse|0.001" },
	{ "metrics.a > -5", M(">"), "a|-5" },
	{ "metrics.a >= .5", M(">="), "a|0.5" },
	{ "metrics.a = 1", M("="), "a|1" },
	{ "metrics.a == 1", M("="), "a|1" },
	{ "metrics.a != 1", M("!="), "a|1" },
	{ "metrics.a <> 1", M("!="), "a|1" },
	{ "metrics.a = 1e308", M("="), "a|1e+308" },
	{ "metrics.`val loss` < 1", M("<"), "val loss|1" },
	{ "metrics.\"val loss\" < 1", M("<"), "val loss|1" },
	{ "metrics.a/b.c-d < 1", M("<"), "a/b.c-d|1" },
	{ "params.model = 'ridge'", P("=", "?"), "model|ridge" },
	{ "param.model = \"ridge\"", P("=", "?"), "model|ridge" },
	{ "params.m != 'it\\'s'", P("!=", "?"), "m|it's" },
	{ "params.m = 'a\\\\b'", P("=", "?"), "m|a\\b" },
	{ "params.m = ''", P("=", "?"), "m|" },
	{ "params.m LIKE 'r%_x*?['", P("GLOB", "?"), "m|r*?x[*][?][[]" },
	{ "params.m ilike 'R%'", P("LIKE", "?"), "m|R%" },
	{ "tags.env IN ('a', 'b')", T("IN", "(?, ?)"), "env|a|b" },
	{ "tag.env not in ('a')", T("NOT IN", "(?)"), "env|a" },
	{ "attributes.status = 'FINISHED'", "r.status = ?", "FINISHED" },
	{ "attribute.run_name != 'x'", "r.name != ?", "x" },
	{ "attr.user = 'u'", "r.\"user\" = ?", "u" },
	{ "run.experiment = 'e'", "e.name = ?", "e" },
	{ "status IN ('FAILED', 'KILLED')", "r.status IN (?, ?)",
	  "FAILED|KILLED" },
	{ "start_time > 1700000000000", "r.start_time > ?", "1.7e+12" },
	{ "run_id LIKE 'ab%'", "r.run_id GLOB ?", "ab*" },
	{ "metrics.a < 1 and params.b = 'x'",
	  "(" M("<") " AND " P("=", "?") ")", "a|1|b|x" },
	{ "metrics.a < 1 or metrics.b < 2 and metrics.c < 3",
	  "(" M("<") " OR (" M("<") " AND " M("<") "))", "a|1|b|2|c|3" },
	{ "(metrics.a < 1 OR metrics.b < 2) AND metrics.c < 3",
	  "((" M("<") " OR " M("<") ") AND " M("<") ")", "a|1|b|2|c|3" },
	{ "not status = 'x' and not not status = 'y'",
	  "(NOT r.status = ? AND NOT NOT r.status = ?)", "x|y" },
	{ "status = 'a' or status = 'b' or status = 'c'",
	  "(r.status = ? OR r.status = ? OR r.status = ?)", "a|b|c" },
	{ "tags.parent IS NULL", "NOT EXISTS (SELECT 1 FROM tags x WHERE "
	  "x.run_id = r.run_id AND x.key = ?)", "parent" },
	{ "params.alpha is not null", "EXISTS (SELECT 1 FROM params x WHERE "
	  "x.run_id = r.run_id AND x.key = ?)", "alpha" },
	{ "metrics.`cv rmse` IS NOT NULL", "EXISTS (SELECT 1 FROM "
	  "latest_metrics x WHERE x.run_id = r.run_id AND x.key = ?)",
	  "cv rmse" },
	{ "parent_run_id IS NULL", "coalesce(r.parent_run_id, '') = ''", "" },
	{ "attributes.run_name IS NOT NULL", "coalesce(r.name, '') != ''",
	  "" },
	{ "end_time IS NULL", "r.end_time IS NULL", "" },
	{ "not tags.a is null or metrics.b is null",
	  "(NOT NOT EXISTS (SELECT 1 FROM tags x WHERE x.run_id = r.run_id AND "
	  "x.key = ?) OR NOT EXISTS (SELECT 1 FROM latest_metrics x WHERE "
	  "x.run_id = r.run_id AND x.key = ?))", "a|b" },
};

static void
join_args(const struct pp_registry_filter *f, char *out, size_t n)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < f->nargs && len < n; i++) {
		if (f->args[i].is_num)
			len += (size_t)snprintf(out + len, n - len, "%s%g",
			    i ? "|" : "", f->args[i].num);
		else
			len += (size_t)snprintf(out + len, n - len, "%s%s",
			    i ? "|" : "", f->args[i].text);
	}
}

static void
test_ok(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok_rows) / sizeof(ok_rows[0]); i++) {
		struct pp_registry_filter f = PP_REGISTRY_FILTER_INIT;
		struct pp_err err = PP_ERR_INIT;
		char args[512];

		if (pp_registry_filter_where(&f, ok_rows[i].in, &err) != 0)
			fail_msg("%s: %s", ok_rows[i].in, err.msg);
		assert_string_equal(f.where.data, ok_rows[i].sql);
		join_args(&f, args, sizeof(args));
		assert_string_equal(args, ok_rows[i].args);
		pp_registry_filter_release(&f);
	}
}

static const struct {
	const char *in;
	const char *msg;
} bad_rows[] = {
	{ "metrics.a < 'x'", "filter: offset 12: expected a number at \"'x'\"" },
	{ "params.a = 1", "filter: offset 11: expected a quoted string at \"1\"" },
	{ "params.a < 'x'", "filter: offset 9: only =, !=, LIKE, ILIKE and IN "
	  "compare text at \"< 'x'\"" },
	{ "metrics.a LIKE 'x'", "filter: offset 10: LIKE compares text, not "
	  "numbers at \"LIKE 'x'\"" },
	{ "metrics.a IN (1)", "filter: offset 10: IN compares text, not "
	  "numbers at \"IN (1)\"" },
	{ "metrics.a", "filter: offset 9: expected a comparison operator at "
	  "the end" },
	{ "metrics. < 1", "filter: offset 0: empty key at \"metrics. < 1\"" },
	{ "foo.a = 'x'", "filter: offset 0: unknown prefix (want metrics, "
	  "params, tags or attributes) at \"foo.a = 'x'\"" },
	{ "bogus = 'x'", "filter: offset 0: unknown attribute at \"bogus = "
	  "'x'\"" },
	{ "params.a = 'x", "filter: offset 11: unterminated quote at \"'x\"" },
	{ "metrics.a < 1 and", "filter: offset 17: expected a key such as "
	  "metrics.rmse at the end" },
	{ "metrics.a < 1 metrics.b < 2", "filter: offset 14: expected AND, OR "
	  "or the end at \"metrics.b < 2\"" },
	{ "(metrics.a < 1", "filter: offset 14: expected ) at the end" },
	{ "params.a IN 'x'", "filter: offset 12: expected ( after IN at "
	  "\"'x'\"" },
	{ "params.a IN ('x' 'y')", "filter: offset 17: expected , or ) at "
	  "\"'y')\"" },
	{ "params.a NOT = 'x'", "filter: offset 13: expected IN after NOT at "
	  "\"= 'x'\"" },
	{ "metrics.a < 1x", "filter: offset 12: bad number at \"1x\"" },
	{ "metrics.a < nan", "filter: offset 12: expected a number at "
	  "\"nan\"" },
	{ "metrics.a ! 1", "filter: offset 10: unexpected character at "
	  "\"! 1\"" },
	{ "params.a = 'x'; DROP TABLE runs", "filter: offset 14: unexpected "
	  "character at \"; DROP TABLE runs\"" },
	{ "metrics.a < 1 -- comment", "filter: offset 14: unexpected "
	  "character at \"-- comment\"" },
	{ "tags.a IS 'x'", "filter: offset 10: expected NULL after IS at "
	  "\"'x'\"" },
	{ "tags.a IS NOT", "filter: offset 13: expected NULL after IS at the "
	  "end" },
	{ "tags.a IS NULL NULL", "filter: offset 15: expected AND, OR or the "
	  "end at \"NULL\"" },
	{ "tags.a = NULL", "filter: offset 9: expected a quoted string at "
	  "\"NULL\"" },
};

static void
test_bad(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		struct pp_registry_filter f = PP_REGISTRY_FILTER_INIT;
		struct pp_err err = PP_ERR_INIT;

		if (pp_registry_filter_where(&f, bad_rows[i].in, &err) != -1)
			fail_msg("%s: accepted as %s", bad_rows[i].in,
			    f.where.data);
		assert_int_equal(err.code, PP_EXIT_USAGE);
		assert_string_equal(err.msg, bad_rows[i].msg);
		pp_registry_filter_release(&f);
	}
}

static void
test_order(void **state)
{
	static const struct {
		const char *in, *sql, *args;
	} rows[] = {
		{ "start_time", "r.start_time IS NULL, r.start_time, "
		  "r.start_time DESC, r.run_id", "" },
		{ "attributes.run_name DESC", "r.name IS NULL, r.name DESC, "
		  "r.start_time DESC, r.run_id", "" },
		{ "metrics.rmse asc", "(SELECT x.value FROM latest_metrics x "
		  "WHERE x.run_id = r.run_id AND x.key = ?) IS NULL, (SELECT "
		  "x.value FROM latest_metrics x WHERE x.run_id = r.run_id AND "
		  "x.key = ?), r.start_time DESC, r.run_id", "rmse|rmse" },
		{ "tags.`a b` DESC", "(SELECT x.value FROM tags x WHERE "
		  "x.run_id = r.run_id AND x.key = ?) IS NULL, (SELECT x.value "
		  "FROM tags x WHERE x.run_id = r.run_id AND x.key = ?) DESC, "
		  "r.start_time DESC, r.run_id", "a b|a b" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_registry_filter f = PP_REGISTRY_FILTER_INIT;
		struct pp_err err = PP_ERR_INIT;
		char args[256];

		if (pp_registry_filter_order(&f, rows[i].in, &err) != 0)
			fail_msg("%s: %s", rows[i].in, err.msg);
		assert_string_equal(f.order.data, rows[i].sql);
		join_args(&f, args, sizeof(args));
		assert_string_equal(args, rows[i].args);
		pp_registry_filter_release(&f);
	}
	{
		struct pp_registry_filter f = PP_REGISTRY_FILTER_INIT;
		struct pp_err err = PP_ERR_INIT;

		assert_int_equal(pp_registry_filter_order(&f, "metrics.a up", &err), -1);
		assert_string_equal(err.msg, "order-by: offset 10: expected ASC, "
		    "DESC or the end at \"up\"");
		pp_registry_filter_release(&f);
		pp_err_clear(&err);
		assert_int_equal(pp_registry_filter_order(&f, "'x'", &err), -1);
		assert_string_equal(err.msg, "order-by: offset 0: expected a "
		    "key such as metrics.rmse at \"'x'\"");
		pp_registry_filter_release(&f);
	}
}

/* No byte the user wrote reaches the SQL text. */
static void
test_no_user_text_in_sql(void **state)
{
	static const char *const hostile[] = {
		"params.`x'); DROP TABLE runs; --` = 'y'",
		"tags.k = '\"; DELETE FROM params; --'",
		"params.k IN ('a) OR 1=1 --', 'SELECT')",
		"metrics.`robert'); --` > 0",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct pp_registry_filter f = PP_REGISTRY_FILTER_INIT;
		struct pp_err err = PP_ERR_INIT;

		assert_int_equal(pp_registry_filter_where(&f, hostile[i], &err), 0);
		assert_null(strstr(f.where.data, "DROP"));
		assert_null(strstr(f.where.data, "DELETE"));
		assert_null(strstr(f.where.data, "--"));
		assert_null(strstr(f.where.data, "1=1"));
		assert_null(strchr(f.where.data, '\''));
		assert_null(strchr(f.where.data, '"'));
		pp_registry_filter_release(&f);
	}
}

/* The deepest nesting of parentheses in s. */
static int
paren_depth(const char *s)
{
	int d = 0, most = 0;

	for (; *s; s++) {
		d += *s == '(' ? 1 : *s == ')' ? -1 : 0;
		if (d > most)
			most = d;
	}
	return most;
}

/*
 * A chain of AND or OR stays shallow in the SQL, so SQLite prepares it
 * (issue 16: 100 OR'ed terms failed with "parser stack overflow"), and a
 * long chain does not recurse as deep as it is long here; NOT and
 * parentheses nest at most 20 deep.
 */
static void
test_long_chains_stay_shallow(void **state)
{
	static const int nterms[] = { 2, 9, 100, 999, 5000 };
	sqlite3 *db;
	size_t i;
	int k;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE runs (run_id, name, "
	    "status, user, experiment_id, fingerprint, parent_run_id, "
	    "start_time, end_time); CREATE TABLE experiments "
	    "(experiment_id, name); CREATE TABLE params (run_id, key, "
	    "value); CREATE TABLE tags (run_id, key, value); CREATE TABLE "
	    "latest_metrics (run_id, key, value)", NULL, NULL, NULL),
	    SQLITE_OK);
	for (i = 0; i < sizeof(nterms) / sizeof(nterms[0]); i++) {
		struct pp_buf in = PP_BUF_INIT, sql = PP_BUF_INIT;
		struct pp_registry_filter f = PP_REGISTRY_FILTER_INIT;
		struct pp_err err = PP_ERR_INIT;
		sqlite3_stmt *st = NULL;

		for (k = 0; k < nterms[i]; k++)
			pp_buf_addf(&in, "%sparams.a = '%d'", k ? (k % 3 ?
			    " OR " : " AND ") : "", k);
		assert_int_equal(pp_registry_filter_where(&f, in.data, &err), 0);
		if (paren_depth(f.where.data) > 24)
			fail_msg("%d terms: parentheses %d deep", nterms[i],
			    paren_depth(f.where.data));
		pp_buf_addf(&sql, "SELECT r.run_id FROM runs r JOIN experiments"
		    " e USING (experiment_id) WHERE %s", f.where.data);
		if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) !=
		    SQLITE_OK)
			fail_msg("%d terms: %s", nterms[i], sqlite3_errmsg(db));
		sqlite3_finalize(st);
		pp_registry_filter_release(&f);
		pp_buf_release(&in);
		pp_buf_release(&sql);
	}
	sqlite3_close(db);
}

static void
test_deep_nesting_refused(void **state)
{
	struct pp_buf in = PP_BUF_INIT;
	struct pp_registry_filter f = PP_REGISTRY_FILTER_INIT;
	struct pp_err err = PP_ERR_INIT;
	int k;

	(void)state;
	/* Ten NOTs, each over parentheses: 20 levels, the most. */
	for (k = 0; k < 10; k++)
		pp_buf_addstr(&in, "NOT (status = 'x' OR ");
	pp_buf_addstr(&in, "status = 'y'");
	for (k = 0; k < 10; k++)
		pp_buf_addc(&in, ')');
	assert_int_equal(pp_registry_filter_where(&f, in.data, &err), 0);
	pp_buf_reset(&in);
	for (k = 0; k < 30000; k++)
		pp_buf_addstr(&in, "NOT ");
	pp_buf_addstr(&in, "status = 'y'");
	assert_int_equal(pp_registry_filter_where(&f, in.data, &err), -1);
	assert_int_equal(err.code, PP_EXIT_USAGE);
	assert_string_equal(err.msg, "filter: offset 80: NOT and parentheses "
	    "nested too deeply at \"NOT NOT NOT NOT NOT ...\"");
	pp_registry_filter_release(&f);
	pp_buf_release(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_no_user_text_in_sql),
		cmocka_unit_test(test_long_chains_stay_shallow),
		cmocka_unit_test(test_deep_nesting_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
