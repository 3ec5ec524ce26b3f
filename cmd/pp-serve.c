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
#include "ratelimit.h"
#include "serve.h"
#include "util.h"
#include "banned.h"

enum {
	OPT_LISTEN = PP_OPT_FIRST,
	OPT_THREADS,
	OPT_API_KEYS,
	OPT_PROTECT_METRICS,
	OPT_RATE,
	OPT_BURST,
	OPT_MAX_BODY,
	OPT_MAX_CONNS,
	OPT_TIMEOUT,
	OPT_RELOAD_EVERY,
	OPT_DRAIN_TIMEOUT,
	OPT_ALLOW_NAN,
	OPT_ACCESS_LOG,
	OPT_CANARY,
	OPT_CANARY_PERCENT,
	OPT_SHADOW,
	OPT_LOG_PREDICTIONS,
	OPT_WARM,
	OPT_MAX_SYMBOLS,
	OPT_HASH_KEY
};

static const struct pp_opt opts[] = {
	{ "model", 'm', "[NAME=]REF", "serve the model REF (file or registry "
	    "URI), repeatable" },
	{ "listen", OPT_LISTEN, "ADDR:PORT", "where to listen (default "
	    "127.0.0.1:8080; port 0 picks one)" },
	{ "threads", OPT_THREADS, "N", "worker threads (default 2)" },
	{ "api-keys", OPT_API_KEYS, "FILE", "require a key listed in FILE "
	    "(NAME SHA256-HEX lines)" },
	{ "protect-metrics", OPT_PROTECT_METRICS, NULL, "/metrics needs a key "
	    "too" },
	{ "rate", OPT_RATE, "N/s|N/min", "requests allowed per key (or "
	    "address)" },
	{ "burst", OPT_BURST, "B", "requests allowed at once (default: the "
	    "rate per second, at least 1)" },
	{ "max-body", OPT_MAX_BODY, "SIZE", "largest request body (default "
	    "1M)" },
	{ "max-connections", OPT_MAX_CONNS, "N", "open connections allowed "
	    "(default 1024)" },
	{ "timeout", OPT_TIMEOUT, "SECONDS", "close a connection idle this "
	    "long (default 10)" },
	{ "reload-every", OPT_RELOAD_EVERY, "DURATION", "poll the registry "
	    "this often (default 10s; 0: only on SIGHUP)" },
	{ "drain-timeout", OPT_DRAIN_TIMEOUT, "DURATION", "on SIGTERM, wait "
	    "this long for requests in flight (default 30s)" },
	{ "allow-nan", OPT_ALLOW_NAN, NULL, "missing inputs predict null "
	    "instead of 400" },
	{ "access-log", OPT_ACCESS_LOG, "FILE", "append one JSON line per "
	    "request (- for stderr)" },
	{ "canary", OPT_CANARY, "REF", "send --canary-percent of the first "
	    "model's requests to REF" },
	{ "canary-percent", OPT_CANARY_PERCENT, "P", "the canary's share, "
	    "0-100 (default 10; sticky per API key)" },
	{ "shadow", OPT_SHADOW, "REF", "also score the first model's requests "
	    "on REF, answer with the first" },
	{ "log-predictions", OPT_LOG_PREDICTIONS, "FILE", "append the first "
	    "model's inputs and predictions to FILE (CSV frame)" },
	{ "warm", OPT_WARM, "FILE", "feed the bars in FILE to each model's "
	    "online state at every load" },
	{ "max-symbols", OPT_MAX_SYMBOLS, "N", "symbols a model's online "
	    "state holds (default 10000)" },
	{ "hash-key", OPT_HASH_KEY, "NAME", "read a key on stdin, print its "
	    "key-file line, exit" },
	{ NULL, 0, NULL, NULL }
};

struct serve_cmd {
	const char **models;	/* -m, in order; owned array */
	size_t nmodels;
	const char *listen;	/* --listen */
	const char *api_keys;	/* --api-keys */
	const char *hash_key;	/* --hash-key NAME */
	const char *canary;	/* --canary REF */
	unsigned canary_pct;	/* --canary-percent */
	const char *shadow;	/* --shadow REF */
	double reload_every;	/* seconds; 0: SIGHUP only */
	double drain_timeout;	/* seconds */
	struct pp_serve_opts so;
};

static double
seconds_arg(const char *name, const char *arg)
{
	double x;

	if (pp_serve_parse_seconds(arg, &x) == -1)
		pp_cli_usage_error("--%s: bad value \"%s\": give a duration "
		    "such as 500ms, 10s, 2min", name, arg);
	return x;
}

static void
parse_options(int argc, char *argv[], struct pp_cli *cli,
    struct serve_cmd *o)
{
	int c, burst = 0, pct = 0;

	while ((c = pp_cli_next(cli, argc, argv)) != -1) {
		switch (c) {
		case 'm':
			o->models = pp_xrealloc(o->models, (o->nmodels + 1) *
			    sizeof(*o->models));
			o->models[o->nmodels++] = cli->optarg;
			break;
		case OPT_LISTEN:
			o->listen = cli->optarg;
			break;
		case OPT_THREADS:
			o->so.threads = (unsigned)pp_cli_long("threads",
			    cli->optarg, 1, 256);
			break;
		case OPT_API_KEYS:
			o->api_keys = cli->optarg;
			break;
		case OPT_PROTECT_METRICS:
			o->so.protect_metrics = 1;
			break;
		case OPT_RATE:
			if (pp_ratelimit_parse(cli->optarg, &o->so.rate) == -1)
				pp_cli_usage_error("--rate: bad value \"%s\": "
				    "give N/s, N/min or N/h", cli->optarg);
			break;
		case OPT_BURST:
			o->so.burst = (double)pp_cli_long("burst", cli->optarg,
			    1, 1000000);
			burst = 1;
			break;
		case OPT_MAX_BODY:
			if (pp_serve_parse_bytes(cli->optarg, &o->so.max_body)
			    == -1)
				pp_cli_usage_error("--max-body: bad value "
				    "\"%s\": give bytes, or a number with K, M "
				    "or G", cli->optarg);
			break;
		case OPT_MAX_CONNS:
			o->so.max_conns = (unsigned)pp_cli_long(
			    "max-connections", cli->optarg, 1, 1000000);
			break;
		case OPT_TIMEOUT:
			o->so.timeout = (unsigned)pp_cli_long("timeout",
			    cli->optarg, 1, 86400);
			break;
		case OPT_RELOAD_EVERY:
			o->reload_every = seconds_arg("reload-every",
			    cli->optarg);
			break;
		case OPT_DRAIN_TIMEOUT:
			o->drain_timeout = seconds_arg("drain-timeout",
			    cli->optarg);
			break;
		case OPT_ALLOW_NAN:
			o->so.allow_nan = 1;
			break;
		case OPT_ACCESS_LOG:
			o->so.access_log = cli->optarg;
			break;
		case OPT_CANARY:
			o->canary = cli->optarg;
			break;
		case OPT_CANARY_PERCENT:
			o->canary_pct = (unsigned)pp_cli_long("canary-percent",
			    cli->optarg, 0, 100);
			pct = 1;
			break;
		case OPT_SHADOW:
			o->shadow = cli->optarg;
			break;
		case OPT_LOG_PREDICTIONS:
			o->so.prediction_log = cli->optarg;
			break;
		case OPT_WARM:
			o->so.warm = cli->optarg;
			break;
		case OPT_MAX_SYMBOLS:
			o->so.max_symbols = (size_t)pp_cli_long("max-symbols",
			    cli->optarg, 1, 100000000);
			break;
		case OPT_HASH_KEY:
			o->hash_key = cli->optarg;
			break;
		default:
			pp_cli_usage_error("unknown option");
		}
	}
	if (argc > cli->optind)
		pp_cli_usage_error("unexpected operand \"%s\"",
		    argv[cli->optind]);
	if (o->hash_key != NULL && o->nmodels > 0)
		pp_cli_usage_error("--hash-key: no -m with it");
	if (o->hash_key == NULL && o->nmodels == 0)
		pp_cli_usage_error("no model: give -m REF");
	if (o->so.protect_metrics && o->api_keys == NULL)
		pp_cli_usage_error("--protect-metrics needs --api-keys");
	if (burst && o->so.rate == 0)
		pp_cli_usage_error("--burst needs --rate");
	if (pct && o->canary == NULL)
		pp_cli_usage_error("--canary-percent needs --canary");
	if (!burst)
		o->so.burst = o->so.rate < 1 ? 1 : o->so.rate;
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
	struct serve_cmd o = { NULL, 0, "127.0.0.1:8080", NULL, NULL, NULL,
		10, NULL, 10, 30, { NULL, 0, NULL, 0, 0, 0, 1 << 20, 2, 1024,
		10, NULL, NULL, NULL, 10000 } };
	struct pp_apikeys keys = PP_APIKEYS_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_serve *s = NULL;
	struct pp_cli cli;
	sigset_t set;
	size_t i;
	int rc = PP_EXIT_DATA;

	pp_cli_init(&cli, argv[0], "-m [NAME=]REF [-m ...] [--listen "
	    "ADDR:PORT] [--threads N] [--api-keys FILE [--protect-metrics]] "
	    "[--rate N/s|N/min [--burst B]] [--max-body SIZE] "
	    "[--max-connections N] [--timeout SECONDS] [--reload-every "
	    "DURATION] [--drain-timeout DURATION] [--allow-nan] "
	    "[--canary REF [--canary-percent P]] [--shadow REF] "
	    "[--log-predictions FILE] [--access-log FILE] [--warm FILE] "
	    "[--max-symbols N] [--registry PATH]"
	    "\n--hash-key NAME", opts,
	    PP_CLI_REGISTRY | PP_CLI_PROGRESS);
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
