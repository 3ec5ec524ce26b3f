/*
 * serve.h - pp-serve's server: models served over HTTP (Open Inference
 * Protocol V2, KServe V1, Prometheus metrics) on libmicrohttpd.
 *
 * Models: each served model is a slot (a name and the reference it was
 * loaded from) holding its current version.  A version is reference
 * counted: a request takes a reference when it starts and drops it when
 * it ends, so a reload swaps the slot's pointer under a mutex and the old
 * version is freed by whichever request finishes on it last.  A failed
 * load never touches the slot: the old version keeps serving and the
 * failure is counted (pp_serve_reload_failures_total).
 *
 * Scoring goes through lib/predictor.h, as pp-predict does; request and
 * response JSON through lib/oip.h.
 *
 * Online features (POST /v1/models/NAME/bars): each primary version of a
 * model whose recipe compiles against OHLCV bars holds a book of symbols
 * (lib/online.h) under its own mutex.  A request's bars are fed as one
 * transaction (all or none).  A version swapped in starts a new book:
 * cold, or fed the warm file (opts.warm) again, read afresh at each load;
 * bars posted to the old version are not carried over.  Canary and shadow
 * versions keep no book.
 *
 * Threads: opts.threads libmicrohttpd daemons of one epoll thread each
 * call into this module, fed connections by one accepting thread (the
 * daemon with the fewest gets the next); pp_serve_poll and
 * pp_serve_drain are called from one other thread (pp-serve's main
 * thread).  The module never prints: the access
 * log goes to the stream the caller gives, and reload failures come back
 * through struct pp_err.
 */
#ifndef PP_SERVE_H
#define PP_SERVE_H

#include <stddef.h>
#include <stdio.h>

#include "apikey.h"
#include "err.h"

struct pp_serve_opts {
	const char *registry;	/* registry path for URIs */
	int allow_nan;		/* missing inputs predict null, not 400 */
	const struct pp_apikeys *keys; /* borrowed; NULL: no keys needed */
	int protect_metrics;	/* /metrics needs a key too */
	double rate;		/* tokens a second per client; 0: no limit */
	double burst;		/* bucket size (>= 1) */
	size_t max_body;	/* bytes; a larger body is 413 */
	unsigned threads;	/* epoll worker threads (daemons) */
	unsigned max_conns;	/* connection limit */
	unsigned timeout;	/* seconds a connection may sit idle */
	const char *access_log;	/* JSON lines appended here; "-": stderr */
	const char *prediction_log; /* CSV frame appended here, or NULL */
	const char *warm;	/* bars fed to each new version, or NULL */
	size_t max_symbols;	/* symbols per model's book; 0: no limit */
};

struct pp_serve;

/* A server with no models, not yet listening.  Never NULL. */
struct pp_serve *pp_serve_new(const struct pp_serve_opts *o);

/* Load and add a model: spec is REF or NAME=REF (REF as pp_model_open
 * takes it).  The name defaults to the registered model's name, the run
 * id for runs:/, or the file's base name without its extension; it must
 * be unique and hold no '/', ':' or control character.  Returns 0 or -1
 * (PP_EXIT_USAGE for a bad spec, PP_EXIT_DATA when the load fails). */
int pp_serve_add(struct pp_serve *s, const char *spec, struct pp_err *err);

/* Send canary_pct percent of the first model's requests to the version
 * ref loads (the canary), or score every request of the first model on
 * ref too without answering with it (the shadow).  Either must take the
 * first model's features in its order.  Call after pp_serve_add, before
 * pp_serve_start (a role not given then is never used).  Both
 * are polled and reloaded as the primary is.  Returns 0 or -1. */
int pp_serve_canary(struct pp_serve *s, const char *ref, unsigned percent,
    struct pp_err *err);
int pp_serve_shadow(struct pp_serve *s, const char *ref, struct pp_err *err);

/* Open (again: after logrotate moved them) the access log and the
 * prediction log named in the options; a prediction log that is new or
 * empty gets a header (time, model, version, role, the first model's
 * features, prediction).  A log that cannot be opened keeps the old
 * stream.  Returns 0 or -1. */
int pp_serve_open_logs(struct pp_serve *s, struct pp_err *err);

/* Rows the prediction log lost since the last call: a write that failed
 * (a full disk) drops the rows of that answer whole, so the log stays a
 * readable frame.  Returns their number; when not 0, err says which file
 * and why ("p.csv: 3 predictions not logged: No space left on device"). */
long pp_serve_log_lost(struct pp_serve *s, struct pp_err *err);

/* Listen on addr, "HOST:PORT" (an IPv4 address; port 0 picks a free
 * one) and start serving.  Returns 0 or -1. */
int pp_serve_start(struct pp_serve *s, const char *addr, struct pp_err *err);

/* The port listened on, after pp_serve_start. */
unsigned pp_serve_port(const struct pp_serve *s);

/* Re-resolve every registry reference and swap in a version that
 * differs; with force, reload model files too.  Returns the number of
 * models swapped, or -1 if a load failed (err names the first; the others
 * were still tried, and the failed ones keep their old version). */
int pp_serve_poll(struct pp_serve *s, int force, struct pp_err *err);

/* Shut down gracefully: readiness answers false from now on, the
 * listening socket closes, requests in flight get up to timeout seconds
 * to finish, then every connection closes.  Returns the number of
 * requests still in flight when it gave up (0: a clean drain). */
long pp_serve_drain(struct pp_serve *s, double timeout);

/* Parse a duration: a decimal with an optional unit ms, s (the default),
 * min or h; at least 0.  Returns 0 with *out in seconds, or -1. */
int pp_serve_parse_seconds(const char *s, double *out);

/* Parse a size: a positive integer with an optional suffix K, M or G
 * (powers of 1024), at most 1T.  Returns 0 with *out in bytes, or -1. */
int pp_serve_parse_bytes(const char *s, size_t *out);

/* Stop (if running) and free everything.  NULL is a no-op. */
void pp_serve_free(struct pp_serve *s);

#endif
