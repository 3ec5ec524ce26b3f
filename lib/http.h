/*
 * http.h - HTTP(S) GET with timeouts and polite retries, over libcurl.
 *
 * Retries happen on connection errors, timeouts, a body cut short, 429 and
 * 5xx, with exponential backoff and full jitter, capped, and honouring a
 * Retry-After header (seconds or HTTP-date) when the server sends one.
 * Other statuses (404, 401...) fail at once: retrying cannot fix them.
 *
 * Secrets: every message this module makes names the URL with the values
 * of apikey=, api_key=, token= and access_token= query parameters (any
 * case) and any password in the URL replaced by "***" (pp_http_redact).
 *
 * The library never prints.  A program that wants one line per retry
 * (pp-fetch -v) sets on_retry and prints r->msg itself.
 *
 * Threads: pp_http_get may run in several threads at once; each call uses
 * its own curl handle and its own jitter state.  The first call runs
 * curl_global_init(CURL_GLOBAL_DEFAULT) exactly once (pthread_once).  A
 * program may call curl_global_cleanup() once at exit, after every
 * pp_http_get has returned, and must not call pp_http_get afterwards.
 */
#ifndef PP_HTTP_H
#define PP_HTTP_H

#include <time.h>

#include "buf.h"
#include "err.h"

/* What pp_http_get tells on_retry before each wait between attempts. */
struct pp_http_retry {
	const char *msg;	/* "URL: HTTP 503; retry 1 of 4 in 420 ms" */
	int attempt;		/* the attempt that just failed, from 1 */
	int attempts;		/* the most this call makes: retries + 1 */
	long status;		/* that attempt's HTTP status; 0 if none */
	long wait_ms;		/* the wait before the next attempt */
	int retry_after;	/* 1 if wait_ms comes from Retry-After */
};

typedef void pp_http_retry_fn(void *arg, const struct pp_http_retry *r);

struct pp_http_opts {
	long connect_timeout_ms; /* per attempt; 10000 */
	long timeout_ms;	 /* per attempt, whole transfer; 60000 */
	int retries;		 /* further attempts after the first; 4 */
	long backoff_ms;	 /* first backoff; doubles each retry; 500 */
	long max_backoff_ms;	 /* cap on any wait, Retry-After too; 30000 */
	unsigned seed;		 /* jitter seed (tests fix it); 0 = from time */
	pp_http_retry_fn *on_retry; /* called before each wait; NULL: none */
	void *on_retry_arg;	 /* first argument to on_retry */
	size_t max_bytes;	 /* most body bytes kept, after decoding; a
				    longer answer fails at once; 0: no cap;
				    PP_HTTP_MAX_BYTES */
};

/* Decades of daily bars of one symbol are a few MB: 64 MiB is a generous
 * cap, and keeps an endless answer from filling the memory. */
#define PP_HTTP_MAX_BYTES ((size_t)64 << 20)

#define PP_HTTP_OPTS_INIT { 10000, 60000, 4, 500, 30000, 0, NULL, NULL, \
	PP_HTTP_MAX_BYTES }

/* GET url into body (reset first).  Returns 0 on a 2xx answer whose body
 * arrived whole; -1 with err set otherwise, naming the redacted URL and
 * what happened: "URL: HTTP 404", "URL: connection refused (after 5
 * attempts)", "URL: timed out after 2000 ms (after 3 attempts)", "URL:
 * answer longer than 1048576 bytes" (o->max_bytes; not retried).  On -1,
 * body holds the last answer's body (an error page), possibly partial.
 * *status, if not NULL, receives the last HTTP status (0 if none).
 * Redirects are followed (at most 5, http and https only). */
int pp_http_get(const char *url, const struct pp_http_opts *o,
    struct pp_buf *body, long *status, struct pp_err *err);

/* Append text (a URL, or a message holding one) to out with the value of
 * every apikey, api_key, token or access_token parameter, and the password
 * of a user:password@ authority, replaced by "***". */
void pp_http_redact(struct pp_buf *out, const char *text);

/* Parse the value of a Retry-After header: delta-seconds ("120") or an
 * HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"), the latter taken relative
 * to now.  Sets *ms to the wait in milliseconds (0 for a date already
 * past; at most LONG_MAX) and returns 0, or returns -1 for anything else
 * (empty, negative, junk). */
int pp_http_retry_after(const char *value, time_t now, long *ms);

#endif
