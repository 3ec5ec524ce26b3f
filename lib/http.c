/*
 * http.c - GET over libcurl's easy interface, with retries.
 *
 * Retry policy.  An attempt ends in one of three ways: success (2xx, whole
 * body), a transient failure worth another try (no connection, a timeout,
 * a body cut short, 429, 5xx), or a permanent one (any other status, a bad
 * URL, a TLS certificate problem, too many redirects).  Between attempts
 * we wait with "full jitter" (AWS architecture blog, "Exponential Backoff
 * and Jitter"): a uniform draw from [0, min(cap, base * 2^n)].  Full jitter
 * spreads a crowd of clients that failed together (a cron fleet hitting a
 * provider at midnight) better than a fixed or "equal jitter" schedule,
 * and its mean wait is half the exponential one, which keeps a single
 * client quick.  When the server says how long to wait (Retry-After on a
 * 429 or 503) we wait exactly that, capped like any other wait: the server
 * knows its own rate limit better than our guess, but a server asking for
 * an hour must not hang a pipeline for an hour.
 *
 * Resolver failures count as transient: in a cron job they are more often
 * a DNS hiccup than a typo, and a typo costs only the capped waits.
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "util.h"

#include "banned.h"

#ifndef PP_VERSION
#define PP_VERSION "0"
#endif

#define USER_AGENT "pattern-pursuit/" PP_VERSION
#define MAX_REDIRECTS 5L

/* Query parameters whose values are secrets (matched ignoring case). */
static const char *const secret_params[] = {
	"apikey", "api_key", "token", "access_token",
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void
global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* What one attempt left behind, filled by the curl callbacks. */
struct attempt {
	struct pp_buf *body;		/* the caller's buffer */
	size_t max;			/* most bytes body may hold; 0: any */
	int too_long;			/* the answer went past max */
	char retry_after[128];		/* last Retry-After value, or "" */
};

enum verdict {
	DONE,		/* 2xx and the whole body */
	RETRY,		/* transient: try again after a wait */
	FAIL		/* permanent: retrying cannot help */
};

/*
 * splitmix64 (Steele, Lea, Flood 2014): one 64-bit state, full period,
 * passes BigCrush; plenty for jitter, and local to each call, so threads
 * never share it and tests get the same waits from the same seed.
 */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t z;

	z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
seed_random(unsigned seed)
{
	struct timespec ts;

	if (seed != 0)
		return seed;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
	    ((uint64_t)getpid() << 16);
}

/* Full jitter: uniform in [0, min(cap, base * 2^n)], n = retries so far. */
static long
backoff_ms(uint64_t *rng, long base, long cap, int n)
{
	long top = base;
	int i;

	if (base <= 0 || cap <= 0)
		return 0;
	for (i = 0; i < n && top < cap; i++)
		top = top > cap / 2 ? cap : top * 2;
	if (top > cap)
		top = cap;
	return (long)(next_random(rng) % ((uint64_t)top + 1));
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static size_t
write_body(char *data, size_t size, size_t n, void *arg)
{
	struct attempt *a = arg;

	/* Short of the whole: curl ends the transfer (CURLE_WRITE_ERROR). */
	if (a->max > 0 && size * n > a->max - a->body->len) {
		a->too_long = 1;
		return 0;
	}
	pp_buf_add(a->body, data, size * n);
	return size * n;
}

static size_t
write_header(char *line, size_t size, size_t n, void *arg)
{
	struct attempt *a = arg;
	size_t len = size * n, name = sizeof("Retry-After:") - 1, v;

	/* A new status line (after a redirect or a 100) starts a new answer. */
	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0)
		a->retry_after[0] = '\0';
	else if (len > name && strncasecmp(line, "Retry-After:", name) == 0) {
		v = len - name;
		if (v >= sizeof(a->retry_after))
			v = sizeof(a->retry_after) - 1;
		memcpy(a->retry_after, line + name, v);
		a->retry_after[v] = '\0';
	}
	return len;
}

static int
secret_name(const char *p)
{
	size_t i, n;

	for (i = 0; i < PP_ARRAY_SIZE(secret_params); i++) {
		n = strlen(secret_params[i]);
		if (strncasecmp(p, secret_params[i], n) == 0 && p[n] == '=')
			return (int)n;
	}
	return 0;
}

/* A query value ends at a separator, a quote, white space, or the ": "
 * that follows a URL in a message. */
static size_t
value_len(const char *v)
{
	size_t n = 0;

	for (;; n++) {
		n += strcspn(v + n, "&;#:\"' \t\r\n");
		if (v[n] != ':' || v[n + 1] == ' ' || v[n + 1] == '\0')
			return n;
	}
}

void
pp_http_redact(struct pp_buf *out, const char *s)
{
	size_t i = 0, auth, at, j, v;
	int n;

	while (s[i] != '\0') {
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
			pp_buf_add(out, s + i, 3);
			i += 3;
			/* user:password@host: hide the password. */
			auth = strcspn(s + i, "/?#\"' \t\r\n");
			for (at = auth; at > 0 && s[i + at - 1] != '@'; at--)
				;
			if (at == 0)
				continue;
			j = strcspn(s + i, ":");
			if (j < at - 1) {
				pp_buf_add(out, s + i, j + 1);
				pp_buf_addstr(out, "***");
				i += at - 1;
			}
			continue;
		}
		if ((s[i] == '?' || s[i] == '&' || s[i] == ';') &&
		    (n = secret_name(s + i + 1)) > 0) {
			pp_buf_add(out, s + i, (size_t)n + 2);
			i += (size_t)n + 2;
			v = value_len(s + i);
			if (v > 0)
				pp_buf_addstr(out, "***");
			i += v;
			continue;
		}
		pp_buf_addc(out, s[i++]);
	}
}

int
pp_http_retry_after(const char *value, time_t now, long *ms)
{
	char v[128];
	size_t len;
	long secs = 0;
	time_t when;
	size_t i;

	while (*value == ' ' || *value == '\t')
		value++;
	len = strlen(value);
	while (len > 0 && isspace((unsigned char)value[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(v))
		return -1;
	memcpy(v, value, len);
	v[len] = '\0';

	if (isdigit((unsigned char)v[0])) {
		for (i = 0; i < len; i++) {
			if (!isdigit((unsigned char)v[i]))
				return -1;
			if (secs <= LONG_MAX / 1000)
				secs = secs * 10 + (v[i] - '0');
		}
		*ms = secs > LONG_MAX / 1000 ? LONG_MAX : secs * 1000;
		return 0;
	}
	/* An HTTP-date starts with a day name; anything else is junk. */
	if (!isalpha((unsigned char)v[0]))
		return -1;
	when = curl_getdate(v, NULL);
	if (when == (time_t)-1)
		return -1;
	if (when <= now)
		*ms = 0;
	else if (when - now > LONG_MAX / 1000)
		*ms = LONG_MAX;
	else
		*ms = (long)(when - now) * 1000;
	return 0;
}

/* "connection refused" for a failed connect, from the socket's errno. */
static const char *
connect_error(CURL *h)
{
	long os = 0;

	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os);
	switch (os) {
	case ECONNREFUSED:
		return "connection refused";
	case ECONNRESET:
		return "connection reset";
	case ENETUNREACH:
		return "network unreachable";
	case EHOSTUNREACH:
		return "host unreachable";
	default:
		return "cannot connect";
	}
}

/* curl's own words, a capital first letter lowered to fit our message
 * shape unless it starts an acronym ("URL using bad/illegal format"). */
static void
curl_words(struct pp_buf *what, CURLcode rc, const char *errbuf)
{
	size_t at = what->len;

	pp_buf_addstr(what, errbuf[0] != '\0' ? errbuf :
	    curl_easy_strerror(rc));
	if (what->len > at + 1 && islower((unsigned char)what->data[at + 1]))
		what->data[at] = (char)tolower((unsigned char)what->data[at]);
}

/* The limit a connect ran into: its own, or the whole transfer's if that
 * is shorter (0 means libcurl's default, 300 s, and no limit). */
static long
connect_limit(const struct pp_http_opts *o)
{
	long lim = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 300000;

	return o->timeout_ms > 0 && o->timeout_ms < lim ? o->timeout_ms : lim;
}

/* got and want count bytes on the wire (before gzip decoding), as
 * Content-Length does; want is -1 when the server sent none. */
static void
cut_short(struct pp_buf *what, curl_off_t got, curl_off_t want)
{
	if (want >= 0)
		pp_buf_addf(what, "body cut short at byte %lld of %lld",
		    (long long)got, (long long)want);
	else
		pp_buf_addf(what, "body cut short after %lld bytes",
		    (long long)got);
}

/*
 * Judge one finished attempt: set *what to what happened (for messages;
 * empty on success) and return the verdict.
 */
static enum verdict
judge(CURL *h, CURLcode rc, long status, const char *errbuf,
    const struct pp_http_opts *o, const struct attempt *a,
    struct pp_buf *what)
{
	curl_off_t want = -1, got = 0;
	curl_off_t connected = 0;

	pp_buf_reset(what);
	curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &want);
	curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &got);
	if (a->too_long || rc == CURLE_FILESIZE_EXCEEDED) {
		pp_buf_addf(what, "answer longer than %zu bytes", o->max_bytes);
		return FAIL;
	}
	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_CONNECT:
		pp_buf_addstr(what, connect_error(h));
		return RETRY;
	case CURLE_COULDNT_RESOLVE_HOST:
		pp_buf_addstr(what, "cannot resolve host");
		return RETRY;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connected);
		if (connected == 0)
			pp_buf_addf(what, "connect timed out after %ld ms",
			    connect_limit(o));
		else
			pp_buf_addf(what, "timed out after %ld ms",
			    o->timeout_ms);
		return RETRY;
	case CURLE_PARTIAL_FILE:
		cut_short(what, got, want);
		return RETRY;
	case CURLE_GOT_NOTHING:
		pp_buf_addstr(what, "empty reply from server");
		return RETRY;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		curl_words(what, rc, errbuf);
		return RETRY;
	default:
		curl_words(what, rc, errbuf);
		return FAIL;
	}
	if (status == 429 || status >= 500) {
		pp_buf_addf(what, "HTTP %ld", status);
		return RETRY;
	}
	if (status < 200 || status > 299) {
		pp_buf_addf(what, "HTTP %ld", status);
		return FAIL;
	}
	/* curl checks Content-Length itself; this guards what it lets by. */
	if (want >= 0 && got < want) {
		cut_short(what, got, want);
		return RETRY;
	}
	return DONE;
}

static void
setup(CURL *h, const struct pp_http_opts *o, struct attempt *a,
    char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
	    o->timeout_ms > 0 ? o->timeout_ms : 0L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	/* A stated length over the cap fails before the body comes. */
	if (o->max_bytes > 0)
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)o->max_bytes);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, write_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
}

/* The wait before the next attempt; *told is 1 if the server chose it. */
static long
next_wait(const struct pp_http_opts *o, const struct attempt *a,
    long status, uint64_t *rng, int n, int *told)
{
	long ms, cap = o->max_backoff_ms > 0 ? o->max_backoff_ms : 0;

	*told = 0;
	if (a->retry_after[0] != '\0' && (status == 429 || status >= 500) &&
	    pp_http_retry_after(a->retry_after, time(NULL), &ms) == 0) {
		*told = 1;
		return ms < cap ? ms : cap;
	}
	return backoff_ms(rng, o->backoff_ms, cap, n);
}

int
pp_http_get(const char *url, const struct pp_http_opts *opts,
    struct pp_buf *body, long *status, struct pp_err *err)
{
	static const struct pp_http_opts defaults = PP_HTTP_OPTS_INIT;
	const struct pp_http_opts *o = opts != NULL ? opts : &defaults;
	char errbuf[CURL_ERROR_SIZE];
	struct pp_buf where = PP_BUF_INIT, what = PP_BUF_INIT;
	struct pp_buf msg = PP_BUF_INIT, line = PP_BUF_INIT;
	struct attempt a;
	struct pp_http_retry r;
	enum verdict v = FAIL;
	uint64_t rng = seed_random(o->seed);
	int tries = o->retries <= 0 ? 1 :
	    o->retries < INT_MAX ? o->retries + 1 : INT_MAX;
	int n = 0, rv = -1;
	long code = 0;
	CURL *h;
	CURLcode rc;

	pp_buf_reset(body);
	if (status != NULL)
		*status = 0;
	if (url == NULL || *url == '\0')
		return pp_err_set(err, PP_EXIT_DATA, "empty URL");
	pp_http_redact(&where, url);
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		pp_err_set(err, PP_EXIT_DATA,
		    "%s: cannot initialise libcurl: %s", where.data,
		    curl_easy_strerror(global_rc));
		goto out;
	}
	h = curl_easy_init();
	if (h == NULL) {
		pp_err_set(err, PP_EXIT_DATA, "%s: cannot initialise libcurl",
		    where.data);
		goto out;
	}
	a.body = body;
	a.max = o->max_bytes;
	setup(h, o, &a, errbuf);
	curl_easy_setopt(h, CURLOPT_URL, url);
	for (n = 1; n <= tries; n++) {
		pp_buf_reset(body);
		a.too_long = 0;
		a.retry_after[0] = '\0';
		errbuf[0] = '\0';
		code = 0;
		rc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		v = judge(h, rc, code, errbuf, o, &a, &what);
		if (v != RETRY || n == tries)
			break;
		r.attempt = n;
		r.attempts = tries;
		r.status = code;
		r.wait_ms = next_wait(o, &a, code, &rng, n - 1, &r.retry_after);
		if (o->on_retry != NULL) {
			pp_buf_reset(&line);
			pp_buf_addf(&line, "%s: %s; retry %d of %d in %ld ms",
			    url, what.data, n, tries - 1, r.wait_ms);
			pp_buf_reset(&msg);
			pp_http_redact(&msg, line.data);
			r.msg = msg.data;
			o->on_retry(o->on_retry_arg, &r);
		}
		sleep_ms(r.wait_ms);
	}
	curl_easy_cleanup(h);
	if (status != NULL)
		*status = code;
	if (v == DONE) {
		rv = 0;
		goto out;
	}
	/* The text may quote the URL (curl's error buffer): redact it all. */
	pp_buf_reset(&line);
	pp_buf_addf(&line, "%s: %s", url, what.data);
	if (n > 1)
		pp_buf_addf(&line, " (after %d attempts)", n);
	pp_buf_reset(&msg);
	pp_http_redact(&msg, line.data);
	pp_err_set(err, PP_EXIT_DATA, "%s", msg.data);
out:
	pp_buf_release(&where);
	pp_buf_release(&what);
	pp_buf_release(&msg);
	pp_buf_release(&line);
	return rv;
}
