/*
 * test_messages.c - user bytes in library messages (pp_buf_addshown and
 * its callers in registry_filter.c and lineage.c).
 *
 * Plan:
 *  - pp_buf_addshown: a table of inputs and the text shown: printable
 *    ASCII as is, newline, tab, CR, escape, DEL and C1 controls as \xNN,
 *    valid UTF-8 as is, a lone lead byte, a cut sequence, an overlong and
 *    a surrogate as \xNN each, empty input;
 *  - filter and order-by errors quote the input escaped, on one line,
 *    never cutting a UTF-8 character in two;
 *  - a spec that came with data and does not check becomes one line with
 *    the offending byte escaped (pp_lineage_data_error);
 *  - a model URI that names nothing is quoted escaped
 *    (pp_registry_resolve, pp_registry_load);
 *  - a provider's cell that is not a number is quoted escaped, NUL bytes
 *    included (pp_ohlcv_in_next).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "registry_filter.h"
#include "lineage.h"
#include "ohlcv.h"
#include "registry.h"
#include "banned.h"

static void
test_addshown(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} cases[] = {
		{ "", 0, "" },
		{ "close", 5, "close" },
		{ "a\nb", 3, "a\\x0ab" },
		{ "a\tb\rc", 5, "a\\x09b\\x0dc" },
		{ "\x1b[31mred", 8, "\\x1b[31mred" },
		{ "\x7f", 1, "\\x7f" },
		{ "\xc2\x85", 2, "\\xc2\\x85" },		/* C1 NEL */
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
		{ "\xe2\x82\xac", 3, "\xe2\x82\xac" },		/* euro */
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
		{ "\xc3", 1, "\\xc3" },				/* lone lead */
		{ "\xe2\x82", 2, "\\xe2\\x82" },		/* cut */
		{ "\xc0\xaf", 2, "\\xc0\\xaf" },		/* overlong */
		{ "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" },	/* surrogate */
		{ "a\0b", 3, "a\\x00b" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pp_buf b = PP_BUF_INIT;

		pp_buf_addshown(&b, cases[i].in, cases[i].n);
		assert_string_equal(b.data, cases[i].want);
		pp_buf_release(&b);
	}
}

static void
test_filter_messages_escape_input(void **state)
{
	static const struct {
		int order;
		const char *in, *want;
	} cases[] = {
		{ 0, "x\ny = 1",
		  "filter: offset 0: unknown attribute at \"x\\x0ay = 1\"" },
		{ 0, "metrics.a < 1 \x1b[2J",
		  "filter: offset 14: unexpected character at \"\\x1b[2J\"" },
		{ 0, "params.a = 'v' and params.b = 1\xc3",
		  "filter: offset 30: expected a quoted string at "
		  "\"1\\xc3\"" },
		/* 20 bytes would end inside the 11th e-acute: cut before. */
		{ 0, "params.a = 1 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		  "filter: offset 11: expected a quoted string at \"1 "
		  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9...\"" },
		{ 1, "foo\rbar",
		  "order-by: offset 0: unknown attribute at \"foo\\x0dbar\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pp_registry_filter f = PP_REGISTRY_FILTER_INIT;
		struct pp_err e = PP_ERR_INIT;

		if (cases[i].order)
			assert_int_equal(pp_registry_filter_order(&f, cases[i].in, &e),
			    -1);
		else
			assert_int_equal(pp_registry_filter_where(&f, cases[i].in, &e),
			    -1);
		assert_string_equal(e.msg, cases[i].want);
		pp_registry_filter_release(&f);
	}
}

static void
test_spec_from_data_error_escapes(void **state)
{
	static const char spec[] = "a=close\nb=cl\x1bose+1\n";
	struct pp_buf canon = PP_BUF_INIT;
	struct pp_err e = PP_ERR_INIT;
	size_t horizon = 0;

	(void)state;
	assert_int_equal(pp_lineage_canon(spec, strlen(spec), "spec", &canon,
	    &horizon, &e), -1);
	assert_int_equal(pp_lineage_data_error(&e, "m.ppm"), -1);
	assert_string_equal(e.msg, "m.ppm: feature \"b\": unexpected "
	    "character '\\x1b'");
	pp_buf_release(&canon);
}

static void
test_resolve_message_escapes_uri(void **state)
{
	char dir[] = "/tmp/pp-msg-XXXXXX", path[64];
	struct pp_registry_ref ref = PP_REGISTRY_REF_INIT;
	struct pp_buf out = PP_BUF_INIT;
	struct pp_err e = PP_ERR_INIT;
	struct pp_registry *r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/reg.db", dir);
	r = pp_registry_open(path, PP_REG_CREATE, &e);
	assert_non_null(r);
	assert_int_equal(pp_registry_resolve(r, "models:/\x1b[2J/1", &ref,
	    &e), -1);
	assert_string_equal(e.msg, "models:/\\x1b[2J/1: no model "
	    "\"\\x1b[2J\"");
	pp_err_clear(&e);
	assert_int_equal(pp_registry_load(r, "models:/a\nb/1", &out, NULL,
	    &e), -1);
	assert_string_equal(e.msg, "models:/a\\x0ab/1: no model "
	    "\"a\\x0ab\"");
	pp_registry_ref_release(&ref);
	pp_buf_release(&out);
	pp_registry_close(r);
	unlink(path);
	rmdir(dir);
}

/* Control bytes in a provider's cell are shown escaped.  (NUL bytes near
 * the start would make the file "binary data" before any cell is read:
 * lib/sniff.c.) */
static void
test_provider_cell_shown_escaped(void **state)
{
	static const char csv[] = "Date,Open,High,Low,Close,Volume\n"
	    "2024-01-02,11\x05\x1b,11,9,10.5,100\n";
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_ohlcv_in_opts o = PP_OHLCV_IN_OPTS_INIT;
	struct pp_err e = PP_ERR_INIT;
	struct pp_ohlcv_row row;
	struct pp_ohlcv_in *in;
	struct pp_reader *r;
	FILE *fp = fmemopen((void *)csv, sizeof(csv) - 1, "rb");

	(void)state;
	o.fallback = "SYM";
	r = pp_reader_fopen(fp, "p.csv", &ro, &e);
	assert_non_null(r);
	in = pp_ohlcv_in_new(r, &o, &e);
	assert_non_null(in);
	assert_int_equal(pp_ohlcv_in_next(in, &row, &e), -1);
	assert_string_equal(e.msg, "p.csv:2: column \"Open\": not a number "
	    "\"11\\x05\\x1b\"");
	pp_ohlcv_in_free(in);
	pp_reader_free(r);
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addshown),
		cmocka_unit_test(test_filter_messages_escape_input),
		cmocka_unit_test(test_spec_from_data_error_escapes),
		cmocka_unit_test(test_resolve_message_escapes_uri),
		cmocka_unit_test(test_provider_cell_shown_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
