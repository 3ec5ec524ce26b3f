/*
 * test_http.c - pp_http_get against tests/helpers/fakeserver.py.
 *
 * Plan: the group setup starts one fake server (python3, 127.0.0.1, a free
 * port) with a route per test, and waits at most 30 s for its port file
 * (python3 starts slowly on a loaded machine); no
 * python3 or no server is a loud setup failure, never a pass.  Each test
 * uses its own path, so the scripted answer sequences do not interfere, and
 * counts its requests in the server's JSON log.
 *   - 200: a 300 kB binary body (NUL bytes, many curl buffers) arrives
 *     intact, in one request, with our User-Agent and Accept-Encoding;
 *     a gzip body arrives decoded; a redirect is followed, a loop is not;
 *     each recorded provider answer in testdata/http arrives byte-exact
 *   - 429 + Retry-After: 1, then 200: waits ~1 s (>= 0.95 s, < cap);
 *     Retry-After above the cap waits the cap; an HTTP-date in the past
 *     waits 0
 *   - 500, 503, then 200: two retries, waits within the backoff bounds;
 *     the same seed gives the same waits
 *   - a body cut mid-way, then whole: retried, intact; cut every time:
 *     error after retries+1 attempts naming the byte counts
 *   - 400, 401, 403, 404, 410: error at once, one request, "URL: HTTP N"
 *   - connection refused (a closed port), timeout (server slower than
 *     timeout_ms): errors after every attempt
 *   - apikey=/token= values are "***" in errors and retry messages
 *   - a bad URL or a protocol other than http(s): error at once
 *   - tables: pp_http_redact and pp_http_retry_after edge cases
 * Backoffs are a few ms so the suite runs in about 2 s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "util.h"

#include "banned.h"

#define SERVER_SCRIPT "tests/helpers/fakeserver.py"
#define BIG_LEN 300000
#define CUT_LEN 100

/* Every route the suite uses; bodies are written out by setup. */
static const char routes_json[] =
    "{\n"
    " \"/big\": [{\"body_file\": \"big.bin\","
    " \"headers\": {\"Content-Type\": \"application/octet-stream\"}}],\n"
    " \"/gz\": [{\"body\": \"Date,Close\\n2024-01-02,1.5\\n\","
    " \"gzip\": true}],\n"
    " \"/moved\": [{\"status\": 302, \"headers\": {\"Location\": \"/gz\"}}],\n"
    " \"/loop\": [{\"status\": 302, \"headers\": {\"Location\": \"/loop\"}}],\n"
    " \"/r429\": [{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"},"
    " \"body\": \"slow down\"}, {\"body\": \"ok\\n\"}],\n"
    " \"/r429cap\": [{\"status\": 429, \"headers\": {\"Retry-After\":"
    " \"100\"}}, {\"body\": \"ok\\n\"}],\n"
    " \"/r503date\": [{\"status\": 503, \"headers\": {\"Retry-After\":"
    " \"Thu, 01 Jan 1970 00:00:00 GMT\"}}, {\"body\": \"ok\\n\"}],\n"
    " \"/r5xx\": [{\"status\": 500}, {\"status\": 503},"
    " {\"body\": \"fine\\n\"}],\n"
    " \"/seedA\": [{\"status\": 500}, {\"status\": 502}, {\"status\": 504},"
    " {\"body\": \"a\"}],\n"
    " \"/seedB\": [{\"status\": 500}, {\"status\": 502}, {\"status\": 504},"
    " {\"body\": \"b\"}],\n"
    " \"/rkey\": [{\"status\": 503}, {\"body\": \"ok\\n\"}],\n"
    " \"/cut1\": [{\"body_file\": \"big.bin\", \"cut_after\": 1000},"
    " {\"body_file\": \"big.bin\"}],\n"
    " \"/cutall\": [{\"body_file\": \"cut.txt\", \"cut_after\": 10}],\n"
    " \"/s400\": [{\"status\": 400, \"body\": \"bad\\n\"}],\n"
    " \"/s401\": [{\"status\": 401, \"body\": \"who\\n\"}],\n"
    " \"/s403\": [{\"status\": 403, \"body\": \"no\\n\"}],\n"
    " \"/s410\": [{\"status\": 410, \"body\": \"gone\\n\"}],\n"
    " \"/slow\": [{\"delay_ms\": 1500, \"body\": \"late\\n\"}]";

/* The recorded provider answers, each served at /rec/FILE; gzip as the
 * real servers would. */
static const struct {
	const char *file;
	const char *type;
	int gzip;
} recorded[] = {
	{ "yahoo-AAPL.csv", "text/csv;charset=utf-8", 0 },
	{ "stooq-aapl.us.csv", "application/octet-stream", 0 },
	{ "stooq-nodata.txt", "text/plain", 0 },
	{ "alphavantage-AAPL-daily.csv", "application/x-download", 1 },
	{ "alphavantage-note.json", "application/json", 1 },
	{ "alphavantage-information.json", "application/json", 1 },
	{ "alphavantage-error.json", "application/json", 1 },
};

struct server {
	pid_t pid;		/* the python3 process */
	char dir[64];		/* temp dir: routes, bodies, port, log */
	int made_dir;		/* 1 once dir exists */
	char base[64];		/* "http://127.0.0.1:PORT" */
	unsigned char big[BIG_LEN]; /* body of /big and /cut1 */
};

/* What the on_retry callback saw. */
struct seen {
	int calls;
	long status[8];
	long wait_ms[8];
	int told[8];
	char msg[8][512];
};

static void
on_retry(void *arg, const struct pp_http_retry *r)
{
	struct seen *s = arg;

	if (s->calls < 8) {
		s->status[s->calls] = r->status;
		s->wait_ms[s->calls] = r->wait_ms;
		s->told[s->calls] = r->retry_after;
		snprintf(s->msg[s->calls], sizeof(s->msg[0]), "%s", r->msg);
	}
	s->calls++;
}

/* Small and quick: tiny backoffs, a fixed seed, the callback recording. */
static struct pp_http_opts
quick_opts(struct seen *s)
{
	struct pp_http_opts o = PP_HTTP_OPTS_INIT;

	o.connect_timeout_ms = 1000;
	o.timeout_ms = 3000;
	o.retries = 4;
	o.backoff_ms = 2;
	o.max_backoff_ms = 50;
	o.seed = 42;
	o.on_retry = on_retry;
	o.on_retry_arg = s;
	return o;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
path_in(char *out, size_t n, const struct server *s, const char *name)
{
	snprintf(out, n, "%s/%s", s->dir, name);
}

static int
write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	if (fwrite(data, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

static void
read_file(const char *path, struct pp_buf *b)
{
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	pp_buf_reset(b);
	if (f == NULL)
		return;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		pp_buf_add(b, chunk, n);
	fclose(f);
}

/* How many requests the server logged for path (any query string). */
static int
requests(const struct server *s, const char *path)
{
	struct pp_buf log = PP_BUF_INIT;
	char file[128], want[128];
	const char *p;
	size_t wl;
	int n = 0;

	path_in(file, sizeof(file), s, "log");
	read_file(file, &log);
	wl = (size_t)snprintf(want, sizeof(want), "\"path\": \"%s", path);
	for (p = log.data; (p = strstr(p, want)) != NULL; p += wl)
		if (p[wl] == '"' || p[wl] == '?')
			n++;
	pp_buf_release(&log);
	return n;
}

/* A URL on the fake server. */
static void
url_of(char *out, size_t n, const struct server *s, const char *path)
{
	snprintf(out, n, "%s%s", s->base, path);
}

static int stop_server(void **state);

static int
launch(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	char routes[128], port_file[128], log[128], file[128], cut[CUT_LEN];
	struct pp_buf port = PP_BUF_INIT, json = PP_BUF_INIT;
	char cwd[4096];
	uint64_t x = 12345;
	int rc;
	long t0;
	int status;
	size_t i;

	*state = s;
	if (s == NULL)
		return -1;
	/* libcurl honours http_proxy; the fake server is never behind one. */
	setenv("no_proxy", "127.0.0.1", 1);
	if (access(SERVER_SCRIPT, R_OK) != 0) {
		fprintf(stderr, "test_http: %s: %s (run from the top of the "
		    "repository)\n", SERVER_SCRIPT, strerror(errno));
		return -1;
	}
	snprintf(s->dir, sizeof(s->dir), "/tmp/pp-test-http-XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	s->made_dir = 1;
	/* Pseudo-random bytes: every value, NULs included. */
	for (i = 0; i < BIG_LEN; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		s->big[i] = (unsigned char)(x >> 24);
	}
	for (i = 0; i < CUT_LEN; i++)
		cut[i] = (char)('a' + i % 26);
	path_in(routes, sizeof(routes), s, "routes.json");
	path_in(port_file, sizeof(port_file), s, "port");
	path_in(log, sizeof(log), s, "log");
	path_in(file, sizeof(file), s, "big.bin");
	if (getcwd(cwd, sizeof(cwd)) == NULL || strpbrk(cwd, "\"\\") != NULL)
		return -1;
	pp_buf_addstr(&json, routes_json);
	for (i = 0; i < PP_ARRAY_SIZE(recorded); i++)
		pp_buf_addf(&json, ",\n \"/rec/%s\": [{\"body_file\": "
		    "\"%s/testdata/http/%s\", \"gzip\": %s, \"headers\": "
		    "{\"Content-Type\": \"%s\"}}]", recorded[i].file, cwd,
		    recorded[i].file, recorded[i].gzip ? "true" : "false",
		    recorded[i].type);
	pp_buf_addstr(&json, "\n}\n");
	rc = write_file(routes, json.data, json.len);
	pp_buf_release(&json);
	if (rc == -1 ||
	    write_file(file, s->big, BIG_LEN) == -1)
		return -1;
	path_in(file, sizeof(file), s, "cut.txt");
	if (write_file(file, cut, CUT_LEN) == -1)
		return -1;

	s->pid = fork();
	if (s->pid == -1)
		return -1;
	if (s->pid == 0) {
		execlp("python3", "python3", SERVER_SCRIPT, "--port-file",
		    port_file, "--log", log, routes, (char *)NULL);
		fprintf(stderr, "test_http: cannot run python3: %s\n",
		    strerror(errno));
		_exit(127);
	}
	for (t0 = now_ms(); now_ms() - t0 < 30000;) {
		read_file(port_file, &port);
		if (port.len > 0)
			break;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			fprintf(stderr, "test_http: fake server exited with "
			    "status %d (is python3 installed?)\n",
			    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			s->pid = 0;
			pp_buf_release(&port);
			return -1;
		}
		usleep(10000);
	}
	if (port.len == 0 || port.len > 7) {
		fprintf(stderr, "test_http: no port from the fake server\n");
		pp_buf_release(&port);
		return -1;
	}
	port.data[strcspn(port.data, "\n")] = '\0';
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%s", port.data);
	pp_buf_release(&port);
	return 0;
}

static int
stop_server(void **state)
{
	static const char *const files[] = {
		"routes.json", "big.bin", "cut.txt", "port", "log",
	};
	struct server *s = *state;
	char file[128];
	size_t i;

	if (s != NULL && s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	if (s != NULL && s->made_dir) {
		for (i = 0; i < PP_ARRAY_SIZE(files); i++) {
			path_in(file, sizeof(file), s, files[i]);
			unlink(file);
		}
		rmdir(s->dir);
	}
	free(s);
	curl_global_cleanup();
	return 0;
}

/* Group setup; cmocka skips the teardown when setup fails, so clean up. */
static int
start_server(void **state)
{
	if (launch(state) == 0)
		return 0;
	stop_server(state);
	*state = NULL;
	return -1;
}

static void
test_ok_binary(void **state)
{
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT, log = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[128], file[128];
	long status = -1;

	url_of(url, sizeof(url), s, "/big");
	assert_int_equal(pp_http_get(url, &o, &body, &status, &err), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(status, 200);
	assert_int_equal(body.len, BIG_LEN);
	assert_memory_equal(body.data, s->big, BIG_LEN);
	assert_int_equal(body.data[body.len], '\0');
	assert_int_equal(seen.calls, 0);
	assert_int_equal(requests(s, "/big"), 1);
	path_in(file, sizeof(file), s, "log");
	read_file(file, &log);
	assert_non_null(strstr(log.data,
	    "\"User-Agent\": \"pattern-pursuit/" PP_VERSION "\""));
	assert_non_null(strstr(log.data, "\"Accept-Encoding\": \""));
	assert_non_null(strstr(log.data, "gzip"));
	pp_buf_release(&log);
	pp_buf_release(&body);
}

static void
test_recorded(void **state)
{
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT, want = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[256], file[256];
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(recorded); i++) {
		snprintf(file, sizeof(file), "testdata/http/%s",
		    recorded[i].file);
		read_file(file, &want);
		assert_true(want.len > 0);
		snprintf(url, sizeof(url), "%s/rec/%s?apikey=demo", s->base,
		    recorded[i].file);
		assert_int_equal(pp_http_get(url, &o, &body, NULL, &err), 0);
		assert_int_equal(body.len, want.len);
		assert_memory_equal(body.data, want.data, want.len);
	}
	assert_int_equal(seen.calls, 0);
	pp_buf_release(&want);
	pp_buf_release(&body);
}

static void
test_gzip_and_redirect(void **state)
{
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[128];
	long status = -1;

	url_of(url, sizeof(url), s, "/gz");
	assert_int_equal(pp_http_get(url, &o, &body, &status, &err), 0);
	assert_string_equal(body.data, "Date,Close\n2024-01-02,1.5\n");

	url_of(url, sizeof(url), s, "/moved");
	assert_int_equal(pp_http_get(url, &o, &body, &status, &err), 0);
	assert_int_equal(status, 200);
	assert_string_equal(body.data, "Date,Close\n2024-01-02,1.5\n");
	assert_int_equal(requests(s, "/moved"), 1);

	/* A redirect loop is permanent: no retries, 1 + 5 requests. */
	url_of(url, sizeof(url), s, "/loop");
	assert_int_equal(pp_http_get(url, &o, &body, &status, &err), -1);
	assert_int_equal(err.code, PP_EXIT_DATA);
	assert_int_equal(strncmp(err.msg, url, strlen(url)), 0);
	assert_non_null(strstr(err.msg, "redirects"));
	assert_null(strstr(err.msg, "attempts"));
	assert_int_equal(requests(s, "/loop"), 6);
	assert_int_equal(seen.calls, 0);
	pp_buf_release(&body);
}

static void
test_429_retry_after(void **state)
{
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[128], want[256];
	long status = -1, t0, took;

	o.max_backoff_ms = 3000;
	url_of(url, sizeof(url), s, "/r429");
	t0 = now_ms();
	assert_int_equal(pp_http_get(url, &o, &body, &status, &err), 0);
	took = now_ms() - t0;
	assert_string_equal(body.data, "ok\n");
	assert_int_equal(status, 200);
	assert_true(took >= 950);
	assert_true(took < 2500);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.status[0], 429);
	assert_int_equal(seen.wait_ms[0], 1000);
	assert_int_equal(seen.told[0], 1);
	snprintf(want, sizeof(want), "%s: HTTP 429; retry 1 of 4 in 1000 ms",
	    url);
	assert_string_equal(seen.msg[0], want);
	assert_int_equal(requests(s, "/r429"), 2);
	pp_buf_release(&body);
}

static void
test_retry_after_capped_and_dated(void **state)
{
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[128];
	long t0;

	/* Retry-After: 100 (s) against a 50 ms cap waits 50 ms. */
	url_of(url, sizeof(url), s, "/r429cap");
	t0 = now_ms();
	assert_int_equal(pp_http_get(url, &o, &body, NULL, &err), 0);
	assert_true(now_ms() - t0 < 1000);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.wait_ms[0], 50);
	assert_int_equal(seen.told[0], 1);

	/* An HTTP-date already past: retry at once. */
	url_of(url, sizeof(url), s, "/r503date");
	assert_int_equal(pp_http_get(url, &o, &body, NULL, &err), 0);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.status[1], 503);
	assert_int_equal(seen.wait_ms[1], 0);
	assert_int_equal(seen.told[1], 1);
	pp_buf_release(&body);
}

static void
test_5xx_then_ok(void **state)
{
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[128];
	long status = -1;

	url_of(url, sizeof(url), s, "/r5xx");
	assert_int_equal(pp_http_get(url, &o, &body, &status, &err), 0);
	assert_string_equal(body.data, "fine\n");
	assert_int_equal(status, 200);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(seen.status[0], 500);
	assert_int_equal(seen.status[1], 503);
	/* Full jitter: wait n is in [0, backoff * 2^n]. */
	assert_in_range(seen.wait_ms[0], 0, 2);
	assert_in_range(seen.wait_ms[1], 0, 4);
	assert_int_equal(seen.told[0], 0);
	assert_int_equal(requests(s, "/r5xx"), 3);
	pp_buf_release(&body);
}

static void
test_backoff_seeded(void **state)
{
	struct server *s = *state;
	struct seen a = { 0 }, b = { 0 };
	struct pp_http_opts oa = quick_opts(&a), ob = quick_opts(&b);
	struct pp_buf body = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[128];
	int i;

	oa.backoff_ms = ob.backoff_ms = 10;
	oa.max_backoff_ms = ob.max_backoff_ms = 25;
	oa.seed = ob.seed = 7;
	url_of(url, sizeof(url), s, "/seedA");
	assert_int_equal(pp_http_get(url, &oa, &body, NULL, &err), 0);
	url_of(url, sizeof(url), s, "/seedB");
	assert_int_equal(pp_http_get(url, &ob, &body, NULL, &err), 0);
	assert_int_equal(a.calls, 3);
	assert_int_equal(b.calls, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(a.wait_ms[i], b.wait_ms[i]);
	assert_in_range(a.wait_ms[0], 0, 10);
	assert_in_range(a.wait_ms[1], 0, 20);
	assert_in_range(a.wait_ms[2], 0, 25);	/* capped, not 40 */
	pp_buf_release(&body);
}

static void
test_cut_then_ok(void **state)
{
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[128];

	url_of(url, sizeof(url), s, "/cut1");
	assert_int_equal(pp_http_get(url, &o, &body, NULL, &err), 0);
	assert_int_equal(body.len, BIG_LEN);
	assert_memory_equal(body.data, s->big, BIG_LEN);
	assert_int_equal(seen.calls, 1);
	assert_non_null(strstr(seen.msg[0],
	    ": body cut short at byte 1000 of 300000; retry 1 of 4 in "));
	assert_int_equal(requests(s, "/cut1"), 2);
	pp_buf_release(&body);
}

static void
test_cut_always(void **state)
{
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[128], want[256];
	long status = -1;

	o.retries = 2;
	url_of(url, sizeof(url), s, "/cutall");
	assert_int_equal(pp_http_get(url, &o, &body, &status, &err), -1);
	snprintf(want, sizeof(want), "%s: body cut short at byte 10 of %d "
	    "(after 3 attempts)", url, CUT_LEN);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, PP_EXIT_DATA);
	assert_int_equal(status, 200);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(requests(s, "/cutall"), 3);
	pp_buf_release(&body);
}

static void
test_4xx_at_once(void **state)
{
	static const struct {
		const char *path;
		long status;
		const char *body;
	} rows[] = {
		{ "/s400", 400, "bad\n" },
		{ "/s401", 401, "who\n" },
		{ "/s403", 403, "no\n" },
		{ "/nothere", 404, "not found\n" },
		{ "/s410", 410, "gone\n" },
	};
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT;
	char url[128], want[256];
	long status;
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(rows); i++) {
		struct pp_err err = PP_ERR_INIT;

		url_of(url, sizeof(url), s, rows[i].path);
		status = -1;
		assert_int_equal(pp_http_get(url, &o, &body, &status, &err),
		    -1);
		snprintf(want, sizeof(want), "%s: HTTP %ld", url,
		    rows[i].status);
		assert_string_equal(err.msg, want);
		assert_int_equal(status, rows[i].status);
		assert_string_equal(body.data, rows[i].body);
		assert_int_equal(requests(s, rows[i].path), 1);
	}
	assert_int_equal(seen.calls, 0);
	pp_buf_release(&body);
}

/* A port nothing listens on: bound, never listened, closed. */
static int
closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void
test_refused(void **state)
{
	struct pp_http_opts o = quick_opts(NULL);
	struct pp_buf body = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[128], want[256];
	long status = -1;

	(void)state;
	o.on_retry = NULL;	/* no callback: silent, still retries */
	o.retries = 2;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x.csv",
	    closed_port());
	assert_int_equal(pp_http_get(url, &o, &body, &status, &err), -1);
	snprintf(want, sizeof(want), "%s: connection refused (after 3 "
	    "attempts)", url);
	assert_string_equal(err.msg, want);
	assert_int_equal(status, 0);
	assert_int_equal(body.len, 0);

	/* Zero retries: one attempt, no "(after ...)". */
	pp_err_clear(&err);
	o.retries = 0;
	assert_int_equal(pp_http_get(url, &o, &body, &status, &err), -1);
	snprintf(want, sizeof(want), "%s: connection refused", url);
	assert_string_equal(err.msg, want);
	pp_buf_release(&body);
}

static void
test_timeout(void **state)
{
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[128], want[256];
	long t0, took;

	o.timeout_ms = 200;
	o.retries = 1;
	url_of(url, sizeof(url), s, "/slow");
	t0 = now_ms();
	assert_int_equal(pp_http_get(url, &o, &body, NULL, &err), -1);
	took = now_ms() - t0;
	snprintf(want, sizeof(want), "%s: timed out after 200 ms (after 2 "
	    "attempts)", url);
	assert_string_equal(err.msg, want);
	assert_true(took >= 400);
	assert_true(took < 1200);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.status[0], 0);
	assert_int_equal(requests(s, "/slow"), 2);
	pp_buf_release(&body);
}

static void
test_redacted_messages(void **state)
{
	struct server *s = *state;
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT;
	struct pp_err err = PP_ERR_INIT;
	char url[256], want[256];

	snprintf(url, sizeof(url), "%s/nothere?function=TIME_SERIES_DAILY&"
	    "symbol=IBM&apikey=S3CRET&datatype=csv&token=t0k", s->base);
	assert_int_equal(pp_http_get(url, &o, &body, NULL, &err), -1);
	snprintf(want, sizeof(want), "%s/nothere?function=TIME_SERIES_DAILY&"
	    "symbol=IBM&apikey=***&datatype=csv&token=***: HTTP 404", s->base);
	assert_string_equal(err.msg, want);

	snprintf(url, sizeof(url), "%s/rkey?APIKEY=S3CRET", s->base);
	assert_int_equal(pp_http_get(url, &o, &body, NULL, &err), 0);
	assert_int_equal(seen.calls, 1);
	snprintf(want, sizeof(want), "%s/rkey?APIKEY=***: HTTP 503; retry 1 "
	    "of 4 in ", s->base);
	assert_int_equal(strncmp(seen.msg[0], want, strlen(want)), 0);
	assert_null(strstr(seen.msg[0], "S3CRET"));

	/* The refused message too. */
	pp_err_clear(&err);
	o.retries = 0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/q?api_key=S3CRET",
	    closed_port());
	assert_int_equal(pp_http_get(url, &o, &body, NULL, &err), -1);
	assert_null(strstr(err.msg, "S3CRET"));
	assert_non_null(strstr(err.msg, "/q?api_key=***: connection refused"));
	pp_buf_release(&body);
}

static void
test_bad_urls(void **state)
{
	static const struct {
		const char *url, *msg;
	} rows[] = {
		{ "ftp://127.0.0.1:1/x?token=K",
		    "ftp://127.0.0.1:1/x?token=***: " },
		{ "file:///etc/passwd", "file:///etc/passwd: " },
		{ "http://[::1/x?apikey=K", "http://[::1/x?apikey=***: URL " },
		{ "", "empty URL" },
	};
	struct seen seen = { 0 };
	struct pp_http_opts o = quick_opts(&seen);
	struct pp_buf body = PP_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < PP_ARRAY_SIZE(rows); i++) {
		struct pp_err err = PP_ERR_INIT;

		assert_int_equal(pp_http_get(rows[i].url, &o, &body, NULL,
		    &err), -1);
		assert_int_equal(strncmp(err.msg, rows[i].msg,
		    strlen(rows[i].msg)), 0);
		assert_true(strlen(err.msg) > strlen(rows[i].msg) ||
		    *rows[i].url == '\0');
		assert_null(strstr(err.msg, "attempts"));
		assert_null(strstr(err.msg, "=K"));
	}
	assert_int_equal(seen.calls, 0);
	pp_buf_release(&body);
}

static void
test_redact_table(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "", "" },
		{ "https://h/p", "https://h/p" },
		{ "https://h/p?apikey=K", "https://h/p?apikey=***" },
		{ "https://h/p?a=1&apikey=K&b=2",
		    "https://h/p?a=1&apikey=***&b=2" },
		{ "https://h/p?ApiKey=K", "https://h/p?ApiKey=***" },
		{ "https://h/p?api_key=K#frag",
		    "https://h/p?api_key=***#frag" },
		{ "https://h/p?token=a&access_token=b",
		    "https://h/p?token=***&access_token=***" },
		{ "https://h/p?apikey=", "https://h/p?apikey=" },
		{ "https://h/p?apikey=&x=1", "https://h/p?apikey=&x=1" },
		{ "https://h/p?myapikey=K&tokens=2",
		    "https://h/p?myapikey=K&tokens=2" },
		{ "https://h/p?apikey", "https://h/p?apikey" },
		{ "https://u:pw@h/p", "https://u:***@h/p" },
		{ "https://u@h/p", "https://u@h/p" },
		{ "https://u:p@w@h/p?token=x",
		    "https://u:***@h/p?token=***" },
		{ "https://h/p?q=a@b:c", "https://h/p?q=a@b:c" },
		{ "get \"https://h/?apikey=K\" failed",
		    "get \"https://h/?apikey=***\" failed" },
		{ "a: https://h/?token=K: HTTP 500; b: http://h/?token=L",
		    "a: https://h/?token=***: HTTP 500; "
		    "b: http://h/?token=***" },
		{ "no url ?token=K here", "no url ?token=*** here" },
		{ "https://h/?apikey=a:b&c=d", "https://h/?apikey=***&c=d" },
		{ "https://h/?apikey=a:", "https://h/?apikey=***:" },
	};
	struct pp_buf b = PP_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < PP_ARRAY_SIZE(rows); i++) {
		pp_buf_reset(&b);
		pp_http_redact(&b, rows[i].in);
		assert_string_equal(b.data, rows[i].out);
	}
	pp_buf_release(&b);
}

static void
test_retry_after_table(void **state)
{
	/* 2015-10-21T07:28:00Z */
	static const time_t now = 1445412480;
	static const struct {
		const char *in;
		int rc;
		long ms;
	} rows[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1000 },
		{ "120", 0, 120000 },
		{ " 2\r\n", 0, 2000 },
		{ "007", 0, 7000 },
		{ "99999999999999999999999", 0, LONG_MAX },
		{ "Wed, 21 Oct 2015 07:28:03 GMT", 0, 3000 },
		{ "Wed, 21 Oct 2015 07:28:00 GMT", 0, 0 },
		{ "Tue, 20 Oct 2015 07:28:00 GMT", 0, 0 },
		{ "Wednesday, 21-Oct-15 07:29:00 GMT", 0, 60000 },
		{ "Wed Oct 21 07:28:10 2015", 0, 10000 },
		{ "", -1, 0 },
		{ "   ", -1, 0 },
		{ "-5", -1, 0 },
		{ "+5", -1, 0 },
		{ "1.5", -1, 0 },
		{ "5s", -1, 0 },
		{ "soon", -1, 0 },
	};
	size_t i;
	long ms;

	(void)state;
	for (i = 0; i < PP_ARRAY_SIZE(rows); i++) {
		ms = -42;
		assert_int_equal(pp_http_retry_after(rows[i].in, now, &ms),
		    rows[i].rc);
		assert_int_equal(ms, rows[i].rc == 0 ? rows[i].ms : -42);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact_table),
		cmocka_unit_test(test_retry_after_table),
		cmocka_unit_test(test_ok_binary),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_gzip_and_redirect),
		cmocka_unit_test(test_429_retry_after),
		cmocka_unit_test(test_retry_after_capped_and_dated),
		cmocka_unit_test(test_5xx_then_ok),
		cmocka_unit_test(test_backoff_seeded),
		cmocka_unit_test(test_cut_then_ok),
		cmocka_unit_test(test_cut_always),
		cmocka_unit_test(test_4xx_at_once),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_redacted_messages),
		cmocka_unit_test(test_bad_urls),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
