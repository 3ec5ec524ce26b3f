/*
 * provider.h - where daily bars come from over HTTP: the URL to ask each
 * provider for one symbol and a date range, and how to recognise the
 * answers that come with HTTP 200 but are not data.
 *
 *   yahoo         BASE/v7/finance/download/SYM?period1=S&period2=E
 *                 &interval=1d&events=history  (S, E: Unix seconds; E is
 *                 the midnight after the end day, as Yahoo's site asks)
 *   stooq         BASE/q/d/l/?s=SYM&d1=YYYYMMDD&d2=YYYYMMDD&i=d
 *   alphavantage  BASE/query?function=TIME_SERIES_DAILY&symbol=SYM
 *                 &outputsize=compact|full&datatype=csv&apikey=KEY
 *                 (compact, the last 100 bars, when the start is less than
 *                 130 days ago; the range is applied after reading)
 *   url           a template with {symbol}, {start}, {end} (YYYY-MM-DD)
 *
 * BASE is the provider's own scheme and host unless a base URL replaces
 * it (tests point it at 127.0.0.1).  Symbols and keys are percent-encoded.
 * Nothing here touches the network.
 */
#ifndef PP_PROVIDER_H
#define PP_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

enum pp_provider {
	PP_PROV_YAHOO = 1,
	PP_PROV_STOOQ,
	PP_PROV_ALPHAVANTAGE,
	PP_PROV_URL		/* --url TEMPLATE */
};

/* "yahoo", "stooq", "alphavantage" to *p; -1 for another name. */
int pp_provider_parse(const char *name, enum pp_provider *p);
const char *pp_provider_name(enum pp_provider p);

/* The environment variable holding p's API key, or NULL if p needs none
 * ("ALPHAVANTAGE_API_KEY"). */
const char *pp_provider_key_env(enum pp_provider p);

/* One request. */
struct pp_provider_req {
	enum pp_provider prov;
	const char *tmpl;	/* PP_PROV_URL: the template */
	const char *base;	/* replaces the provider's scheme://host; or
				   NULL */
	const char *symbol;
	int64_t start, end;	/* days; PP_OHLCV_NO_START/_END for none */
	int64_t today;		/* days: the default end */
	const char *apikey;	/* when the provider needs one */
};

/* Check a --url template: only {symbol}, {start} and {end}, each brace
 * closed, {symbol} present.  Returns 0, or -1 with a usage error
 * ('--url: unknown placeholder "{sym}"'). */
int pp_provider_check_template(const char *tmpl, struct pp_err *err);

/* Append the URL for q to url.  Fails (PP_EXIT_USAGE) when a template
 * uses {start} or {end} and q has none, or a key is needed and missing. */
int pp_provider_url(const struct pp_provider_req *q, struct pp_buf *url,
    struct pp_err *err);

/* Look at an answer's body before parsing it as CSV: Stooq's "No data",
 * Alpha Vantage's JSON "Error Message" / "Note" / "Information", any JSON
 * or HTML, or an empty body are errors ('"AAPL": no data', '"AAPL":
 * Information: Thank you for using...').  Returns 0 if it may be CSV. */
int pp_provider_check_body(enum pp_provider p, const char *symbol,
    const char *body, size_t len, struct pp_err *err);

/* Append s percent-encoded (RFC 3986: all but A-Z a-z 0-9 - . _ ~). */
void pp_url_escape(struct pp_buf *b, const char *s);

#endif
