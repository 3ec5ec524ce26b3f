/*
 * pp-serve - serve models over HTTP: Open Inference Protocol V2, KServe V1
 * and Prometheus metrics, with hot reloads from the registry.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apikey.h"
#include "cli.h"
#include "cpus.h"
#include "ratelimit.h"
#include "serve.h"
#include "util.h"
#include "banned.h"

struct serve_cmd {
	const char **models;	/* -m, in order; owned array */
	size_t nmodels;
	const char *listen;	/* --listen */
	const char *api_keys;	/* --api-keys */
	const char *hash_key;	/* --hash-key NAME */
	const char *canary;	/* --canary REF */
	long canary_pct;	/* --canary-percent */
	const char *shadow;	/* --shadow REF */
	double reload_every;	/* seconds; 0: SIGHUP only */
	double drain_timeout;	/* seconds */
	long threads, burst, max_conns, timeout, max_symbols;
	struct pp_serve_opts so;
};

/* ---- Option values that need more than a range ----------------------- */

static int
add_model(void *v, const char *arg, struct pp_err *err)
{
	struct serve_cmd *o = v;

	(void)err;
	o->models = pp_xrealloc(o->models, (o->nmodels + 1) *
	    sizeof(*o->models));
	o->models[o->nmodels++] = arg;
	return 0;
}

static int
set_rate(void *v, const char *arg, struct pp_err *err)
{
	if (pp_ratelimit_parse(arg, v) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "--rate: bad value "
		    "\"%s\": give N/s, N/min or N/h", arg);
	return 0;
}

static int
set_max_body(void *v, const char *arg, struct pp_err *err)
{
	if (pp_serve_parse_bytes(arg, v) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "--max-body: bad value "
		    "\"%s\": give bytes, or a number with K, M or G", arg);
	return 0;
}

static int
seconds(const char *name, const char *arg, double *x, struct pp_err *err)
{
	if (pp_serve_parse_seconds(arg, x) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "--%s: bad value \"%s\": "
		    "give a duration such as 500ms, 10s, 2min", name, arg);
	return 0;
}

static int
set_reload_every(void *v, const char *arg, struct pp_err *err)
{
	return seconds("reload-every", arg, v, err);
}

static int
set_drain_timeout(void *v, const char *arg, struct pp_err *err)
{
	return seconds("drain-timeout", arg, v, err);
}

/* ---- The command line ------------------------------------------------ */

static const char usage[] =
	"-m [NAME=]REF [-m ...] [--listen ADDR:PORT] [--threads N] "
	"[--api-keys FILE [--protect-metrics]] [--rate N/s|N/min [--burst B]] "
	"[--max-body SIZE] [--max-connections N] [--timeout SECONDS] "
	"[--reload-every DURATION] [--drain-timeout DURATION] [--allow-nan] "
	"[--canary REF [--canary-percent P]] [--shadow REF] "
	"[--log-predictions FILE] [--access-log FILE] [--warm FILE] "
	"[--max-symbols N] [--registry PATH]"
	"\n--hash-key NAME";

static void
parse_options(int argc, char *argv[], struct pp_cli *cli,
    struct serve_cmd *o)
{
	struct pp_serve_opts *so = &o->so;
	const struct pp_option opts[] = {
		PP_OPT_CALLBACK('m', "model", o, add_model, "[NAME=]REF",
		    "serve the model REF (file or registry URI), repeatable"),
		PP_OPT_STRING(0, "listen", &o->listen, "ADDR:PORT", "where to "
		    "listen (default 127.0.0.1:8080; port 0 picks one)"),
		PP_OPT_LONG(0, "threads", &o->threads, 1, 256, "N",
		    "worker threads (default: the processors it may use)"),
		PP_OPT_STRING(0, "api-keys", &o->api_keys, "FILE", "require a "
		    "key listed in FILE (NAME SHA256-HEX lines)"),
		PP_OPT_FLAG(0, "protect-metrics", &so->protect_metrics,
		    "/metrics needs a key too"),
		PP_OPT_CALLBACK(0, "rate", &so->rate, set_rate, "N/s|N/min",
		    "requests allowed per key (or address)"),
		PP_OPT_LONG(0, "burst", &o->burst, 1, 1000000, "B", "requests "
		    "allowed at once (default: the rate per second, at least "
		    "1)"),
		PP_OPT_CALLBACK(0, "max-body", &so->max_body, set_max_body,
		    "SIZE", "largest request body (default 1M)"),
		PP_OPT_LONG(0, "max-connections", &o->max_conns, 1, 1000000,
		    "N", "open connections allowed (default 1024)"),
		PP_OPT_LONG(0, "timeout", &o->timeout, 1, 86400, "SECONDS",
		    "close a connection idle this long (default 10)"),
		PP_OPT_CALLBACK(0, "reload-every", &o->reload_every,
		    set_reload_every, "DURATION", "poll the registry this "
		    "often (default 10s; 0: only on SIGHUP)"),
		PP_OPT_CALLBACK(0, "drain-timeout", &o->drain_timeout,
		    set_drain_timeout, "DURATION", "on SIGTERM, wait this long "
		    "for requests in flight (default 30s)"),
		PP_OPT_FLAG(0, "allow-nan", &so->allow_nan, "missing inputs "
		    "predict null instead of 400"),
		PP_OPT_STRING(0, "access-log", &so->access_log, "FILE",
		    "append one JSON line per request (- for stderr)"),
		PP_OPT_STRING(0, "canary", &o->canary, "REF", "send "
		    "--canary-percent of the first model's requests to REF"),
		PP_OPT_LONG(0, "canary-percent", &o->canary_pct, 0, 100, "P",
		    "the canary's share, 0-100 (default 10; sticky per API "
		    "key)"),
		PP_OPT_STRING(0, "shadow", &o->shadow, "REF", "also score the "
		    "first model's requests on REF, answer with the first"),
		PP_OPT_STRING(0, "log-predictions", &so->prediction_log,
		    "FILE", "append the first model's inputs and predictions "
		    "to FILE (CSV frame)"),
		PP_OPT_STRING(0, "warm", &so->warm, "FILE", "feed the bars in "
		    "FILE to each model's online state at every load"),
		PP_OPT_LONG(0, "max-symbols", &o->max_symbols, 1, 100000000,
		    "N", "symbols a model's online state holds (default "
		    "10000)"),
		PP_OPT_STRING(0, "hash-key", &o->hash_key, "NAME", "read a key "
		    "on stdin, print its key-file line, exit"),
		PP_OPT_END
	};
	int i;

	pp_cli_init_options(cli, argv[0], usage, opts, PP_CLI_REGISTRY |
	    PP_CLI_PROGRESS);
	if ((i = pp_cli_parse(cli, argc, argv)) < argc)
		pp_cli_usage_error("unexpected operand \"%s\"", argv[i]);
	if (o->hash_key != NULL && o->nmodels > 0)
		pp_cli_usage_error("--hash-key: no -m with it");
	if (o->hash_key == NULL && o->nmodels == 0)
		pp_cli_usage_error("no model: give -m REF");
	pp_cli_requires(cli, "protect-metrics", "api-keys");
	pp_cli_requires(cli, "burst", "rate");
	pp_cli_requires(cli, "canary-percent", "canary");
	/* More workers than processors only queue behind each other, and
	 * the time slices between them are the tail latency. */
	if (!pp_cli_given(cli, "threads"))
		o->threads = pp_cpus_available() < 256 ? pp_cpus_available() :
		    256;
	so->threads = (unsigned)o->threads;
	so->max_conns = (unsigned)o->max_conns;
	so->timeout = (unsigned)o->timeout;
	so->max_symbols = (size_t)o->max_symbols;
	so->burst = pp_cli_given(cli, "burst") ? (double)o->burst :
	    so->rate < 1 ? 1 : so->rate;
}

/* --hash-key NAME: the key is stdin's first line, without its newline. */
static int
hash_key(const char *name, struct pp_err *err)
{
	struct pp_buf out = PP_BUF_INIT;
	char key[4096];
	size_t n;

	if (fgets(key, sizeof(key), stdin) == NULL)
		return pp_err_set(err, PP_EXIT_DATA, "<stdin>: no key");
	n = strcspn(key, "\r\n");
	if (n == 0)
		return pp_err_set(err, PP_EXIT_DATA, "<stdin>: empty key");
	if (strchr(name, ' ') != NULL || name[0] == '\0' || name[0] == '#')
		return pp_err_set(err, PP_EXIT_USAGE, "--hash-key: bad name "
		    "\"%s\"", name);
	pp_apikeys_line(&out, name, key, n);
	fputs(out.data, stdout);
	pp_buf_release(&out);
	if (fflush(stdout) == EOF || ferror(stdout))
		return pp_err_errno(err, errno, "<stdout>");
	return 0;
}

/* Say once, at a wake-up or at the end, that predictions went unlogged
 * (a full disk); *lost counts them all, for the exit status. */
static void
report_lost(struct pp_serve *s, long *lost)
{
	struct pp_err err = PP_ERR_INIT;
	long n = pp_serve_log_lost(s, &err);

	if (n > 0)
		pp_cli_report(&err);
	*lost += n;
}

/* Wait for signals: SIGHUP reloads everything and reopens the access
 * log; the clock polls the registry; SIGTERM or SIGINT drains and ends. */
static long
run(struct pp_serve *s, const struct serve_cmd *o, int quiet,
    const sigset_t *set)
{
	long lost = 0;
	double every = o->reload_every > 0 ? o->reload_every : 3600;
	struct timespec ts;
	struct pp_err err = PP_ERR_INIT;
	long left;
	int sig, n;

	for (;;) {
		ts.tv_sec = (time_t)every;
		ts.tv_nsec = (long)((every - (double)ts.tv_sec) * 1e9);
		sig = sigtimedwait(set, NULL, &ts);
		report_lost(s, &lost);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == -1 && o->reload_every == 0)
			continue;
		pp_err_clear(&err);
		if (sig == SIGHUP && pp_serve_open_logs(s, &err) == -1)
			pp_cli_report(&err);
		pp_err_clear(&err);
		if ((n = pp_serve_poll(s, sig == SIGHUP, &err)) == -1)
			pp_cli_report(&err);
		else if (n > 0 && !quiet)
			fprintf(stderr, "%s: %d model version%s swapped in\n",
			    pp_progname, n, n > 1 ? "s" : "");
	}
	left = pp_serve_drain(s, o->drain_timeout);
	if (left > 0)
		pp_cli_warn("drain timeout: %ld request%s cut off", left,
		    left > 1 ? "s" : "");
	report_lost(s, &lost);
	return lost;
}

int
main(int argc, char *argv[])
{
	struct serve_cmd o = { .listen = "127.0.0.1:8080", .canary_pct = 10,
		.reload_every = 10, .drain_timeout = 30,
		.max_conns = 1024, .timeout = 10, .max_symbols = 10000,
		.so = { .max_body = 1 << 20 } };
	struct pp_apikeys keys = PP_APIKEYS_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_serve *s = NULL;
	struct pp_cli cli;
	sigset_t set;
	size_t i;
	int rc = PP_EXIT_DATA;

	parse_options(argc, argv, &cli, &o);
	o.so.registry = cli.c.registry;
	if (o.hash_key != NULL) {
		rc = hash_key(o.hash_key, &err) == 0 ? PP_EXIT_OK : err.code;
		goto out;
	}

	/* Signals wait for the main thread; the server's threads, started
	 * below, inherit the mask and never see them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (o.api_keys != NULL && pp_apikeys_load(&keys, o.api_keys, &err)
	    == -1)
		goto out;
	o.so.keys = o.api_keys != NULL ? &keys : NULL;
	s = pp_serve_new(&o.so);
	for (i = 0; i < o.nmodels; i++)
		if (pp_serve_add(s, o.models[i], &err) == -1)
			goto out;
	if (o.canary != NULL && pp_serve_canary(s, o.canary, o.canary_pct,
	    &err) == -1)
		goto out;
	if (o.shadow != NULL && pp_serve_shadow(s, o.shadow, &err) == -1)
		goto out;
	if (pp_serve_open_logs(s, &err) == -1)
		goto out;
	if (pp_serve_start(s, o.listen, &err) == -1)
		goto out;
	if (!cli.c.quiet)
		fprintf(stderr, "%s: listening on %.*s:%u\n", pp_progname,
		    (int)(strrchr(o.listen, ':') - o.listen), o.listen,
		    pp_serve_port(s));
	/* Predictions served but not logged: reported, and exit 1. */
	rc = run(s, &o, cli.c.quiet, &set) > 0 ? PP_EXIT_DATA : PP_EXIT_OK;
	if (rc != PP_EXIT_OK)
		goto done;
out:
	if (rc != PP_EXIT_OK) {
		if (err.code == PP_EXIT_USAGE)
			rc = PP_EXIT_USAGE;
		pp_cli_report(&err);
	}
done:
	pp_serve_free(s);
	pp_apikeys_release(&keys);
	free(o.models);
	pp_cli_release(&cli);
	return rc;
}
