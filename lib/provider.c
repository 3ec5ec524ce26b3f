/*
 * provider.c - URLs and answer checks for HTTP price providers.  The one
 * idea: a provider is data (a URL template and the texts that mean "not
 * data" in a 200 answer), so adding one is a table row, and the HTTP code
 * (http.c) knows nothing about any of them.
 */
#include "provider.h"

#include <jansson.h>
#include <string.h>

#include "date.h"
#include "ohlcv.h"
#include "util.h"
#include "banned.h"

#define SECS_PER_DAY INT64_C(86400)

/* Alpha Vantage's compact answer holds the last 100 bars: about 140
 * calendar days; 130 leaves room for holidays. */
#define AV_COMPACT_DAYS 130

static const struct {
	enum pp_provider p;
	const char *name;
	const char *base;
	const char *key_env;
} providers[] = {
	{ PP_PROV_YAHOO, "yahoo", "https://query1.finance.yahoo.com", NULL },
	{ PP_PROV_STOOQ, "stooq", "https://stooq.com", NULL },
	{ PP_PROV_ALPHAVANTAGE, "alphavantage", "https://www.alphavantage.co",
	    "ALPHAVANTAGE_API_KEY" },
	{ PP_PROV_URL, "url", "", NULL },
};

int
pp_provider_parse(const char *name, enum pp_provider *p)
{
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(providers); i++)
		if (providers[i].p != PP_PROV_URL &&
		    strcmp(providers[i].name, name) == 0) {
			*p = providers[i].p;
			return 0;
		}
	return -1;
}

const char *
pp_provider_name(enum pp_provider p)
{
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(providers); i++)
		if (providers[i].p == p)
			return providers[i].name;
	return "?";
}

const char *
pp_provider_key_env(enum pp_provider p)
{
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(providers); i++)
		if (providers[i].p == p)
			return providers[i].key_env;
	return NULL;
}

void
pp_url_escape(struct pp_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			pp_buf_addc(b, (char)c);
		} else {
			pp_buf_addc(b, '%');
			pp_buf_addc(b, hex[c >> 4]);
			pp_buf_addc(b, hex[c & 15]);
		}
	}
}

static const char *const placeholders[] = { "symbol", "start", "end" };

/* The placeholder at p ('{' ... '}'), as an index into placeholders, or
 * -1; *len gets its length including the braces (0 if unclosed). */
static int
placeholder(const char *p, size_t *len)
{
	const char *close = strchr(p, '}');
	size_t i, n;

	*len = 0;
	if (close == NULL)
		return -1;
	*len = (size_t)(close - p) + 1;
	n = *len - 2;
	for (i = 0; i < PP_ARRAY_SIZE(placeholders); i++)
		if (strlen(placeholders[i]) == n &&
		    memcmp(placeholders[i], p + 1, n) == 0)
			return (int)i;
	return -1;
}

int
pp_provider_check_template(const char *tmpl, struct pp_err *err)
{
	const char *p;
	int has_symbol = 0;

	for (p = tmpl; *p; p++) {
		size_t len;
		int k;

		if (*p == '}')
			return pp_err_set(err, PP_EXIT_USAGE,
			    "--url: \"}\" without \"{\"");
		if (*p != '{')
			continue;
		k = placeholder(p, &len);
		if (len == 0)
			return pp_err_set(err, PP_EXIT_USAGE,
			    "--url: unclosed \"{\"");
		if (k == -1)
			return pp_err_set(err, PP_EXIT_USAGE, "--url: unknown "
			    "placeholder \"%.*s\" (want {symbol}, {start} or "
			    "{end})", (int)(len > 40 ? 40 : len), p);
		has_symbol |= k == 0;
		p += len - 1;
	}
	if (!has_symbol)
		return pp_err_set(err, PP_EXIT_USAGE,
		    "--url: no {symbol} in the template");
	return 0;
}

static void
add_date(struct pp_buf *b, int64_t day, int compact)
{
	char d[PP_DATE_BUFSZ];

	pp_date_fmt(d, day);
	if (compact) {
		pp_buf_add(b, d, 4);
		pp_buf_add(b, d + 5, 2);
		pp_buf_add(b, d + 8, 2);
	} else {
		pp_buf_addstr(b, d);
	}
}

static int
expand(const struct pp_provider_req *q, struct pp_buf *url,
    struct pp_err *err)
{
	const char *p;

	if (pp_provider_check_template(q->tmpl, err) == -1)
		return -1;
	for (p = q->tmpl; *p; p++) {
		size_t len;
		int k;

		if (*p != '{') {
			pp_buf_addc(url, *p);
			continue;
		}
		k = placeholder(p, &len);
		p += len - 1;
		if (k == 0) {
			pp_url_escape(url, q->symbol);
		} else if (k == 1) {
			if (q->start == PP_OHLCV_NO_START)
				return pp_err_set(err, PP_EXIT_USAGE,
				    "--url uses {start}: give --start");
			add_date(url, q->start, 0);
		} else {
			add_date(url, q->end == PP_OHLCV_NO_END ? q->today :
			    q->end, 0);
		}
	}
	return 0;
}

int
pp_provider_url(const struct pp_provider_req *q, struct pp_buf *url,
    struct pp_err *err)
{
	const char *base = q->base;
	int64_t end = q->end == PP_OHLCV_NO_END ? q->today : q->end;
	size_t i, n;

	if (q->prov == PP_PROV_URL)
		return expand(q, url, err);
	for (i = 0; base == NULL && i < PP_ARRAY_SIZE(providers); i++)
		if (providers[i].p == q->prov)
			base = providers[i].base;
	if (base == NULL)
		return pp_err_set(err, PP_EXIT_USAGE, "unknown provider");
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	pp_buf_add(url, base, n);
	switch (q->prov) {
	case PP_PROV_YAHOO:
		pp_buf_addstr(url, "/v7/finance/download/");
		pp_url_escape(url, q->symbol);
		pp_buf_addf(url, "?period1=%lld&period2=%lld"
		    "&interval=1d&events=history",
		    (long long)(q->start == PP_OHLCV_NO_START ? 0 :
		    q->start * SECS_PER_DAY),
		    (long long)((end + 1) * SECS_PER_DAY));
		return 0;
	case PP_PROV_STOOQ:
		pp_buf_addstr(url, "/q/d/l/?s=");
		pp_url_escape(url, q->symbol);
		if (q->start != PP_OHLCV_NO_START) {
			pp_buf_addstr(url, "&d1=");
			add_date(url, q->start, 1);
		}
		pp_buf_addstr(url, "&d2=");
		add_date(url, end, 1);
		pp_buf_addstr(url, "&i=d");
		return 0;
	case PP_PROV_ALPHAVANTAGE:
		if (q->apikey == NULL || *q->apikey == '\0')
			return pp_err_set(err, PP_EXIT_USAGE, "alphavantage "
			    "needs an API key: set ALPHAVANTAGE_API_KEY");
		pp_buf_addstr(url, "/query?function=TIME_SERIES_DAILY&symbol=");
		pp_url_escape(url, q->symbol);
		pp_buf_addstr(url, q->start != PP_OHLCV_NO_START &&
		    q->start >= q->today - AV_COMPACT_DAYS ?
		    "&outputsize=compact" : "&outputsize=full");
		pp_buf_addstr(url, "&datatype=csv&apikey=");
		pp_url_escape(url, q->apikey);
		return 0;
	case PP_PROV_URL:
		break;
	}
	return pp_err_set(err, PP_EXIT_USAGE, "unknown provider");
}

/* Alpha Vantage says what went wrong in a JSON object with one of these
 * keys, with HTTP 200. */
static int
av_json_error(const char *symbol, const char *body, size_t len,
    struct pp_err *err)
{
	static const char *const keys[] = {
		"Error Message", "Information", "Note"
	};
	json_error_t jerr;
	json_t *root = json_loadb(body, len, 0, &jerr);
	size_t i;

	if (root == NULL || !json_is_object(root)) {
		json_decref(root);
		return 0;
	}
	for (i = 0; i < PP_ARRAY_SIZE(keys); i++) {
		json_t *v = json_object_get(root, keys[i]);

		if (json_is_string(v)) {
			pp_err_set(err, PP_EXIT_DATA, "\"%s\": %s: %s", symbol,
			    keys[i], json_string_value(v));
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	return 0;
}

int
pp_provider_check_body(enum pp_provider p, const char *symbol,
    const char *body, size_t len, struct pp_err *err)
{
	size_t i = 0;

	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i == len)
		return pp_err_set(err, PP_EXIT_DATA, "\"%s\": empty answer",
		    symbol);
	if (len - i >= 7 && memcmp(body + i, "No data", 7) == 0)
		return pp_err_set(err, PP_EXIT_DATA, "\"%s\": no data", symbol);
	if (body[i] == '{' || body[i] == '[') {
		if (p == PP_PROV_ALPHAVANTAGE &&
		    av_json_error(symbol, body, len, err) == -1)
			return -1;
		return pp_err_set(err, PP_EXIT_DATA, "\"%s\": the answer is "
		    "JSON, not CSV", symbol);
	}
	if (body[i] == '<')
		return pp_err_set(err, PP_EXIT_DATA, "\"%s\": the answer is "
		    "HTML, not CSV", symbol);
	return 0;
}
