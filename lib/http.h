/*
 * http.h - HTTP(S) GET with timeouts and polite retries, over libcurl.
 *
 * Retries happen on connection errors, timeouts, a body cut short, 429 and
 * 5xx, with exponential backoff and full jitter, capped, and honouring a
 * Retry-After header (seconds or HTTP-date) when the server sends one.
 * Other statuses (404, 401...) fail at once: retrying cannot fix them.
 */
#ifndef PP_HTTP_H
#define PP_HTTP_H

#include "buf.h"
#include "err.h"

struct pp_http_opts {
	long connect_timeout_ms; /* per attempt; 10000 */
	long timeout_ms;	 /* per attempt, whole transfer; 60000 */
	int retries;		 /* further attempts after the first; 4 */
	long backoff_ms;	 /* first backoff; doubles each retry; 500 */
	long max_backoff_ms;	 /* cap for one wait (also Retry-After); 30000 */
	unsigned seed;		 /* jitter seed (tests fix it); 0 = from time */
	int verbose;		 /* 1: one stderr line per retry */
};

#define PP_HTTP_OPTS_INIT { 10000, 60000, 4, 500, 30000, 0, 0 }

/* GET url into body (reset first).  Returns 0 on a 2xx answer; -1 with err
 * set ("URL: HTTP 404", "URL: timed out after 3 attempts", ...) otherwise.
 * *status, if not NULL, receives the last HTTP status (0 if none). */
int pp_http_get(const char *url, const struct pp_http_opts *o,
    struct pp_buf *body, long *status, struct pp_err *err);

#endif
