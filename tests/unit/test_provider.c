/*
 * test_provider.c - provider URLs and the answers that are not data.
 *
 * Plan: a table of requests (each provider, with and without start/end,
 * base URL replaced, symbols that need escaping, Alpha Vantage's compact
 * vs full) and the exact URL; --url templates, good and bad; percent
 * encoding of edge bytes; provider names; bodies that must be refused
 * (Stooq's "No data", Alpha Vantage's three JSON messages from testdata,
 * JSON, HTML, empty) and bodies that may be CSV.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "ohlcv.h"
#include "provider.h"
#include "util.h"
#include "banned.h"

static int64_t
day(const char *s)
{
	int64_t v;

	if (s == NULL)
		return 0;
	assert_int_equal(pp_date_parse(s, strlen(s), &v), 0);
	return v;
}

static void
test_urls(void **state)
{
	static const struct {
		enum pp_provider p;
		const char *tmpl, *base, *sym, *start, *end, *key;
		const char *url;	/* NULL: error msg */
	} rows[] = {
		{ PP_PROV_YAHOO, NULL, NULL, "AAPL", "2024-01-02",
		    "2024-01-12", NULL,
		    "https://query1.finance.yahoo.com/v7/finance/download/AAPL"
		    "?period1=1704153600&period2=1705104000&interval=1d"
		    "&events=history" },
		{ PP_PROV_YAHOO, NULL, "http://127.0.0.1:8080/", "^GSPC", NULL,
		    NULL, NULL,
		    "http://127.0.0.1:8080/v7/finance/download/%5EGSPC"
		    "?period1=0&period2=1718323200&interval=1d&events=history" },
		{ PP_PROV_YAHOO, NULL, NULL, "A", "1960-01-01", "1960-01-01",
		    NULL, "https://query1.finance.yahoo.com/v7/finance/download/"
		    "A?period1=-315619200&period2=-315532800&interval=1d"
		    "&events=history" },
		{ PP_PROV_STOOQ, NULL, NULL, "aapl.us", "2024-01-02",
		    "2024-01-12", NULL, "https://stooq.com/q/d/l/?s=aapl.us"
		    "&d1=20240102&d2=20240112&i=d" },
		{ PP_PROV_STOOQ, NULL, "http://h", "EURUSD", NULL, NULL, NULL,
		    "http://h/q/d/l/?s=EURUSD&d2=20240613&i=d" },
		{ PP_PROV_ALPHAVANTAGE, NULL, NULL, "IBM", "2024-03-01", NULL,
		    "k&y", "https://www.alphavantage.co/query?function="
		    "TIME_SERIES_DAILY&symbol=IBM&outputsize=compact"
		    "&datatype=csv&apikey=k%26y" },
		{ PP_PROV_ALPHAVANTAGE, NULL, NULL, "IBM", "2024-01-01",
		    "2024-02-01", "K", "https://www.alphavantage.co/query?"
		    "function=TIME_SERIES_DAILY&symbol=IBM&outputsize=full"
		    "&datatype=csv&apikey=K" },
		{ PP_PROV_ALPHAVANTAGE, NULL, NULL, "BRK.B", NULL, NULL, "K",
		    "https://www.alphavantage.co/query?function="
		    "TIME_SERIES_DAILY&symbol=BRK.B&outputsize=full"
		    "&datatype=csv&apikey=K" },
		{ PP_PROV_ALPHAVANTAGE, NULL, NULL, "IBM", NULL, NULL, NULL,
		    NULL },
		{ PP_PROV_ALPHAVANTAGE, NULL, NULL, "IBM", NULL, NULL, "",
		    NULL },
		{ PP_PROV_URL, "http://x/{symbol}.csv?from={start}&to={end}",
		    "ignored", "BRK B", "2024-01-02", "2024-01-12", NULL,
		    "http://x/BRK%20B.csv?from=2024-01-02&to=2024-01-12" },
		{ PP_PROV_URL, "http://x/{symbol}/{symbol}?to={end}", NULL,
		    "A=B", NULL, NULL, NULL, "http://x/A%3DB/A%3DB?to=2024-06-13" },
		{ PP_PROV_URL, "http://x/{symbol}?from={start}", NULL, "A",
		    NULL, NULL, NULL, NULL },
	};
	size_t i;
	int64_t today = day("2024-06-13");

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_provider_req q;
		struct pp_buf url = PP_BUF_INIT;
		struct pp_err err = PP_ERR_INIT;
		int rc;

		q.prov = rows[i].p;
		q.tmpl = rows[i].tmpl;
		q.base = rows[i].base;
		q.symbol = rows[i].sym;
		q.start = rows[i].start ? day(rows[i].start) :
		    PP_OHLCV_NO_START;
		q.end = rows[i].end ? day(rows[i].end) : PP_OHLCV_NO_END;
		q.today = today;
		q.apikey = rows[i].key;
		rc = pp_provider_url(&q, &url, &err);
		if (rows[i].url) {
			if (rc != 0)
				fail_msg("row %zu: %s", i, err.msg);
			assert_string_equal(url.data, rows[i].url);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(err.code, PP_EXIT_USAGE);
			assert_string_equal(err.msg, rows[i].p == PP_PROV_URL ?
			    "--url uses {start}: give --start" :
			    "alphavantage needs an API key: set "
			    "ALPHAVANTAGE_API_KEY");
		}
		pp_buf_release(&url);
	}
}

static void
test_templates(void **state)
{
	static const struct {
		const char *tmpl, *msg;
	} rows[] = {
		{ "http://x/{symbol}", NULL },
		{ "{symbol}{start}{end}", NULL },
		{ "http://x/", "--url: no {symbol} in the template" },
		{ "", "--url: no {symbol} in the template" },
		{ "http://x/{sym}", "--url: unknown placeholder \"{sym}\" (want "
		    "{symbol}, {start} or {end})" },
		{ "http://x/{}{symbol}", "--url: unknown placeholder \"{}\" "
		    "(want {symbol}, {start} or {end})" },
		{ "http://x/{symbol", "--url: unclosed \"{\"" },
		{ "http://x/symbol}", "--url: \"}\" without \"{\"" },
		{ "http://x/{{symbol}}", "--url: unknown placeholder "
		    "\"{{symbol}\" (want {symbol}, {start} or {end})" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_err err = PP_ERR_INIT;
		int rc = pp_provider_check_template(rows[i].tmpl, &err);

		if (rows[i].msg == NULL) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(err.msg, rows[i].msg);
			assert_int_equal(err.code, PP_EXIT_USAGE);
		}
	}
}

static void
test_escape_and_names(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "", "" },
		{ "AZaz09-._~", "AZaz09-._~" },
		{ " /?#&=+%", "%20%2F%3F%23%26%3D%2B%25" },
		{ "\xc3\xa9\x7f\x01", "%C3%A9%7F%01" },
	};
	enum pp_provider p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_buf b = PP_BUF_INIT;

		pp_url_escape(&b, rows[i].in);
		assert_string_equal(b.data, rows[i].out);
		pp_buf_release(&b);
	}
	assert_int_equal(pp_provider_parse("yahoo", &p), 0);
	assert_int_equal(p, PP_PROV_YAHOO);
	assert_int_equal(pp_provider_parse("stooq", &p), 0);
	assert_int_equal(p, PP_PROV_STOOQ);
	assert_int_equal(pp_provider_parse("alphavantage", &p), 0);
	assert_int_equal(p, PP_PROV_ALPHAVANTAGE);
	assert_int_equal(pp_provider_parse("url", &p), -1);
	assert_int_equal(pp_provider_parse("Yahoo", &p), -1);
	assert_int_equal(pp_provider_parse("", &p), -1);
	assert_string_equal(pp_provider_name(PP_PROV_STOOQ), "stooq");
	assert_string_equal(pp_provider_key_env(PP_PROV_ALPHAVANTAGE),
	    "ALPHAVANTAGE_API_KEY");
	assert_null(pp_provider_key_env(PP_PROV_YAHOO));
}

static char *
slurp(const char *name, size_t *len)
{
	char path[256];
	FILE *fp;
	char *buf = pp_xmalloc(65536);

	snprintf(path, sizeof(path), "testdata/http/%s", name);
	fp = fopen(path, "rb");
	if (fp == NULL) {
		snprintf(path, sizeof(path), "../testdata/http/%s", name);
		fp = fopen(path, "rb");
	}
	assert_non_null(fp);
	*len = fread(buf, 1, 65536, fp);
	fclose(fp);
	return buf;
}

static void
test_bodies(void **state)
{
	static const struct {
		enum pp_provider p;
		const char *file;	/* from testdata/http, or NULL */
		const char *body;
		const char *msg;	/* NULL: may be CSV */
	} rows[] = {
		{ PP_PROV_YAHOO, "yahoo-AAPL.csv", NULL, NULL },
		{ PP_PROV_STOOQ, "stooq-aapl.us.csv", NULL, NULL },
		{ PP_PROV_ALPHAVANTAGE, "alphavantage-AAPL-daily.csv", NULL,
		    NULL },
		{ PP_PROV_STOOQ, "stooq-nodata.txt", NULL, "\"S\": no data" },
		{ PP_PROV_ALPHAVANTAGE, "alphavantage-error.json", NULL,
		    "\"S\": Error Message: Invalid API call. Please retry or "
		    "visit the documentation (https://www.alphavantage.co/"
		    "documentation/) for TIME_SERIES_DAILY." },
		{ PP_PROV_ALPHAVANTAGE, "alphavantage-note.json", NULL,
		    "\"S\": Note: Thank you for using Alpha Vantage! Our "
		    "standard API call frequency is 5 calls per minute and 500 "
		    "calls per day. Please visit https://www.alphavantage.co/"
		    "premium/ if you would like to target a higher API call "
		    "frequency." },
		{ PP_PROV_ALPHAVANTAGE, "alphavantage-information.json", NULL,
		    "\"S\": Information: Thank you for using Alpha Vantage! Our "
		    "standard API rate limit is 25 requests per day. Please "
		    "subscribe to any of the premium plans at https://www."
		    "alphavantage.co/premium/ to instantly remove all daily "
		    "rate limits." },
		{ PP_PROV_ALPHAVANTAGE, NULL, "{\"x\": 1}",
		    "\"S\": the answer is JSON, not CSV" },
		{ PP_PROV_ALPHAVANTAGE, NULL, "{broken",
		    "\"S\": the answer is JSON, not CSV" },
		{ PP_PROV_YAHOO, NULL, " \r\n[1]",
		    "\"S\": the answer is JSON, not CSV" },
		{ PP_PROV_URL, NULL, "<!DOCTYPE html><p>hi",
		    "\"S\": the answer is HTML, not CSV" },
		{ PP_PROV_URL, NULL, "", "\"S\": empty answer" },
		{ PP_PROV_URL, NULL, " \n", "\"S\": empty answer" },
		{ PP_PROV_URL, NULL, "No dat", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_err err = PP_ERR_INIT;
		size_t len;
		char *body = rows[i].file ? slurp(rows[i].file, &len) : NULL;
		const char *b = body ? body : rows[i].body;
		int rc;

		if (body == NULL)
			len = strlen(b);
		rc = pp_provider_check_body(rows[i].p, "S", b, len, &err);
		if (rows[i].msg == NULL) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(err.msg, rows[i].msg);
		}
		free(body);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_escape_and_names),
		cmocka_unit_test(test_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
