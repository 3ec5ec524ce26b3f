/*
 * serve.c - the HTTP side of pp-serve: routing, keys, rate limits, body
 * limits, metrics and hot model swaps over libmicrohttpd.
 *
 * A request's life: libmicrohttpd calls handle() once with the headers,
 * then once per piece of body, then once more with nothing; the body is
 * collected (up to max_body: past that it is dropped and the answer is
 * 413), and the last call routes, checks the key and the rate, takes a
 * reference on the model's current version, scores, answers and counts.
 * completed() ends the in-flight count, which pp_serve_drain waits on.
 * Connections come from one accepting thread (see accept_loop).
 *
 * The swap: slot->cur is read and its reference taken under slot->mu, so
 * a version is never freed between a request finding it and holding it.
 * Readers hold the mutex for two instructions; a reload holds it only for
 * the pointer store.  Loading (the slow part) happens outside it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "date.h"
#include "frame.h"
#include "num.h"
#include "oip.h"
#include "online.h"
#include "predictor.h"
#include "ratelimit.h"
#include "registry.h"
#include "serve.h"
#include "util.h"
#include "banned.h"

#define VERSION_MAX 32

/* Bytes past --max-body read and dropped before a 413 (see handle). */
#define DRAIN_MAX (1 << 20)

/*
 * Each connection's libmicrohttpd memory pool: the request line and
 * headers must fit in it (431 or 414 otherwise), and the body passes
 * through it a piece at a time.  libmicrohttpd clears the whole pool
 * after every request of a keep-alive connection, and at its default of
 * 32 KB that clearing was the largest thing pp-serve itself did for a
 * one-instance request (6 to 10% of its CPU time under wrk); 16 KB still
 * holds Node.js's default header limit.
 */
#define CONN_MEMORY (16 * 1024)

/* One loaded version of a model. */
struct served {
	atomic_long ref;	/* the slot's reference + requests' */
	struct pp_model *m;	/* owned */
	struct pp_predictor pred; /* prediction (class for logistic) */
	struct pp_predictor proba; /* logistic: probability; else unused */
	char version[VERSION_MAX]; /* "3", or "1" for a file */
	char run_id[PP_RUN_ID_LEN + 1]; /* "" for a file */
	/* Online features (primary versions only). */
	struct pp_schema bars;	/* symbol, date, open .. volume */
	struct pp_online *on;	/* owned, or NULL */
	char *no_online;	/* owned: why on is NULL */
	pthread_mutex_t bmu;	/* guards book */
	struct pp_online_book *book; /* owned, or NULL */
};

#define NBARCOLS 7

/* What a loaded version does for its model. */
enum role { ROLE_PRIMARY, ROLE_CANARY, ROLE_SHADOW, ROLE_COUNT };

static const char *const role_name[ROLE_COUNT] = { "primary", "canary",
	"shadow" };

struct variant {
	char *ref;		/* owned: as given; NULL: role not used */
	int is_uri;		/* registry reference: polled */
	struct served *cur;	/* current version (one reference), under mu */
	atomic_ulong reloads;	/* swaps done */
	atomic_ulong failed;	/* loads that failed */
	atomic_ulong predictions; /* rows scored */
};

struct slot {
	char *name;		/* owned */
	pthread_mutex_t mu;	/* guards every variant's cur */
	struct variant var[ROLE_COUNT];
	unsigned canary_pct;	/* share of requests for the canary */
};

enum endpoint {
	EP_LIVE, EP_READY, EP_SERVER, EP_MODEL, EP_MODEL_READY, EP_INFER,
	EP_PREDICT, EP_BARS, EP_METRICS, EP_OTHER, EP_COUNT
};

static const char *const ep_name[EP_COUNT] = {
	"health_live", "health_ready", "server_metadata", "model_metadata",
	"model_ready", "infer", "predict", "bars", "metrics", "other"
};

/* Request-duration buckets, seconds. */
static const double bucket_le[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1 };
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

/* One requests_total series. */
struct series {
	enum endpoint ep;
	long model;		/* slot index, or -1 */
	char version[VERSION_MAX];
	unsigned code;
	unsigned long n;
};

/*
 * Request counts and durations, one shard per worker thread (threads past
 * NSHARDS share): each request locks only its own thread's shard, so the
 * workers never wait on one another or pass its cache lines back and
 * forth; /metrics locks each shard in turn and adds them up.
 */
#define NSHARDS 16

struct shard {
	pthread_mutex_t mu;	/* guards the rest; /metrics against its worker */
	struct series *series;	/* owned: nseries */
	size_t nseries, capseries;
	unsigned long hist[EP_COUNT][NBUCKETS + 1];
	double hist_sum[EP_COUNT];
	unsigned long hist_n[EP_COUNT];
	char pad[64];		/* the next shard's mutex on another line */
};

struct pp_serve {
	struct pp_serve_opts o;
	struct slot *slots;	/* owned: nslots */
	size_t nslots;
	struct MHD_Daemon **d;	/* owned: nd, one epoll thread each */
	atomic_uint *nconn;	/* owned: nd, connections each daemon holds */
	unsigned nd;
	unsigned next;		/* where the acceptor looks first */
	int lfd;		/* the listening socket, or -1 */
	atomic_int stop;	/* the acceptor is to return */
	pthread_t acceptor;	/* running when lfd >= 0 */
	unsigned port;
	struct pp_ratelimit *rl; /* owned, or NULL */
	atomic_int draining;	/* readiness false */
	atomic_long in_flight;	/* requests between handle and completed */
	atomic_ulong rate_limited;
	atomic_ulong rejected[4]; /* auth, body, bad request, not found */
	struct shard shard[NSHARDS];
	pthread_mutex_t logmu;	/* guards the two logs */
	FILE *alog;		/* access log, or NULL; stderr for "-" */
	FILE *plog;		/* prediction log, or NULL */
	long plog_lost;		/* rows not logged since pp_serve_log_lost */
	int plog_errno;		/* why the first of them was not */
	atomic_ulong canary_seq; /* keyless requests seen, for the split */
};

enum { REJ_AUTH, REJ_BODY, REJ_BAD, REJ_NOTFOUND };
static const char *const rej_name[] = { "unauthorized", "body_too_large",
	"bad_request", "not_found" };

/* One request's state across handle() calls. */
struct req {
	struct pp_buf body;
	int too_big;		/* body past max_body: answer 413 */
	int answered;		/* a response is queued: ignore the rest */
	size_t seen;		/* body bytes received, kept or not */
	double t0;		/* when it started, monotonic seconds */
};

/*
 * One connection's, made when it opens and freed when it closes (see
 * conn_notify): its requests come one after another, so one struct req
 * and one answer buffer serve them all, and a keep-alive request
 * allocates neither (nor grows them again) as long as it is no larger than
 * KEEP_MAX; libmicrohttpd copies the answer into the response it sends.
 */
struct conn {
	atomic_uint *nconn;	/* the daemon's connection count */
	struct req q;
	struct pp_buf out;	/* the answer's body */
};

/* Buffers a connection keeps between requests, at most, each: as much
 * again as its libmicrohttpd pool (CONN_MEMORY), so that a thousand idle
 * connections hold tens of megabytes, not more.  A one-instance request
 * needs well under 1 KB; a 100-row V2 body of 30 KB is allocated anew
 * each time, as before. */
#define KEEP_MAX CONN_MEMORY

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
served_put(struct served *v)
{
	if (v == NULL || atomic_fetch_sub(&v->ref, 1) != 1)
		return;
	pp_predictor_release(&v->pred);
	pp_predictor_release(&v->proba);
	pp_online_book_free(v->book);
	pp_online_free(v->on);
	pp_schema_release(&v->bars);
	pthread_mutex_destroy(&v->bmu);
	free(v->no_online);
	pp_model_free(v->m);
	free(v);
}

/* The current version in role, with a reference the caller puts; NULL
 * when the role is not used. */
static struct served *
slot_get(struct slot *sl, enum role role)
{
	struct served *v;

	if (sl->var[role].ref == NULL)
		return NULL;	/* a role is given at start or never */
	pthread_mutex_lock(&sl->mu);
	v = sl->var[role].cur;
	if (v != NULL)
		atomic_fetch_add(&v->ref, 1);
	pthread_mutex_unlock(&sl->mu);
	return v;
}

static void
slot_set(struct slot *sl, enum role role, struct served *v)
{
	struct served *old;

	pthread_mutex_lock(&sl->mu);
	old = sl->var[role].cur;
	sl->var[role].cur = v;
	pthread_mutex_unlock(&sl->mu);
	served_put(old);
}

/* A canary or shadow must take the primary's features in its order, so
 * one request scores on both and the prediction log has one shape. */
static int
same_features(const struct pp_model *a, const struct pp_model *b,
    struct pp_err *err)
{
	size_t j;

	if (a->nfeat != b->nfeat)
		return pp_err_set(err, PP_EXIT_DATA, "%zu features, the "
		    "primary model has %zu", b->nfeat, a->nfeat);
	for (j = 0; j < a->nfeat; j++)
		if (strcmp(a->features[j], b->features[j]) != 0)
			return pp_err_set(err, PP_EXIT_DATA, "feature %zu is "
			    "\"%s\", the primary model's is \"%s\"", j + 1,
			    b->features[j], a->features[j]);
	return 0;
}

/* Column i of the warm file's row as bar column i; -1 if it cannot be. */
static int
warm_cell(const struct pp_schema *fs, long col, size_t i,
    const union pp_cell *row, union pp_cell *out)
{
	enum pp_type t = fs->cols[col].type;

	if (i == 0) {
		if (t != PP_T_TEXT)
			return -1;
		*out = row[col];
	} else if (i == 1) {
		if (t == PP_T_DATE)
			out->i = row[col].i;
		else if (t != PP_T_TEXT || pp_date_parse(row[col].s.p,
		    row[col].s.len, &out->i) == -1)
			return -1;
	} else {
		if (t == PP_T_TEXT || t == PP_T_DATE || t == PP_T_DATETIME)
			return -1;
		out->f = pp_cell_num(t, &row[col]);
	}
	return 0;
}

/* Feed the warm file's bars to v's book, in the file's order. */
static int
warm(struct served *v, const char *path, size_t max_syms, struct pp_err *err)
{
	struct pp_reader *r = pp_reader_open(path, NULL, err);
	const struct pp_schema *fs;
	const union pp_cell *row;
	union pp_cell bar[NBARCOLS];
	long col[NBARCOLS];
	size_t i, bad;
	double pred;
	int w, got = -1;

	if (r == NULL)
		return pp_err_prefix(err, "--warm");
	fs = pp_reader_schema(r);
	for (i = 0; i < NBARCOLS; i++)
		if ((col[i] = pp_schema_find(fs, v->bars.cols[i].name)) < 0) {
			pp_err_set(err, PP_EXIT_DATA, "%s: no column \"%s\"",
			    pp_reader_name(r), v->bars.cols[i].name);
			goto out;
		}
	while ((got = pp_reader_next(r, &row, err)) == 1) {
		for (i = 0; i < NBARCOLS; i++)
			if (warm_cell(fs, col[i], i, row, &bar[i]) == -1) {
				pp_err_set(err, PP_EXIT_DATA, "column \"%s\" "
				    "is %s", v->bars.cols[i].name,
				    pp_type_name(fs->cols[col[i]].type));
				break;
			}
		if (i < NBARCOLS || pp_online_book_feed_all(v->book, bar, 1,
		    max_syms, &pred, &w, NULL, &bad, err) != 0) {
			pp_err_prefix(err, "%s:%ld", pp_reader_name(r),
			    pp_reader_line(r));
			got = -1;
			break;
		}
	}
out:
	pp_reader_free(r);
	return got == 0 ? 0 : pp_err_prefix(err, "--warm");
}

/* Compile v's online features; a model that cannot have them still
 * serves, and its bars endpoint says why. */
static int
online(struct served *v, const char *warm_path, size_t max_syms,
    struct pp_err *err)
{
	static const char *const names[NBARCOLS] = { "symbol", "date", "open",
		"high", "low", "close", "volume" };
	struct pp_err e2 = PP_ERR_INIT;
	size_t i;

	for (i = 0; i < NBARCOLS; i++)
		pp_schema_add(&v->bars, names[i], i == 0 ? PP_T_TEXT : i == 1 ?
		    PP_T_DATE : PP_T_F64, &e2);
	if ((v->on = pp_online_new(v->m, &v->bars, 0, &e2)) == NULL ||
	    (v->book = pp_online_book_new(v->on, &e2)) == NULL) {
		v->no_online = pp_xstrdup(e2.msg);
		return 0;
	}
	if (warm_path != NULL)
		return warm(v, warm_path, max_syms, err);
	return 0;
}

/* Load ref as a new version; for a registry URI also say what it
 * resolved to. */
static struct served *
load(const struct pp_serve *s, const char *ref, int is_uri, enum role role,
    const struct pp_model *like, struct pp_err *err)
{
	const char *registry = s->o.registry;
	struct pp_registry_ref rr = PP_REGISTRY_REF_INIT;
	struct pp_registry *reg = NULL;
	struct pp_buf b = PP_BUF_INIT;
	struct served *v = pp_xcalloc(1, sizeof(*v));

	atomic_init(&v->ref, 1);
	pthread_mutex_init(&v->bmu, NULL);
	pp_schema_init(&v->bars);
	if (!is_uri) {
		v->m = pp_model_load(ref, err);
		snprintf(v->version, sizeof(v->version), "%s", role ==
		    ROLE_PRIMARY ? "1" : role_name[role]);
	} else if ((reg = pp_registry_open(registry, PP_REG_READONLY, err))
	    != NULL && pp_registry_load(reg, ref, &b, &rr, err) == 0) {
		v->m = pp_model_decode(b.data, b.len, ref, err);
		snprintf(v->version, sizeof(v->version), "%lld",
		    (long long)(rr.version > 0 ? rr.version : 1));
		memcpy(v->run_id, rr.run_id, sizeof(v->run_id));
	}
	pp_registry_ref_release(&rr);
	pp_registry_close(reg);
	pp_buf_release(&b);
	if (v->m != NULL && (like == NULL || same_features(like, v->m, err)
	    == 0) && pp_predictor_init(&v->pred, v->m, 0, err) == 0 &&
	    (!pp_model_has_proba(v->m) ||
	    pp_predictor_init(&v->proba, v->m, 1, err) == 0) &&
	    (role != ROLE_PRIMARY || online(v, s->o.warm, s->o.max_symbols,
	    err) == 0))
		return v;
	if (is_uri && strncmp(err->msg, ref, strlen(ref)) != 0)
		pp_err_prefix(err, "%s", ref);
	served_put(v);
	return NULL;
}

struct pp_serve *
pp_serve_new(const struct pp_serve_opts *o)
{
	struct pp_serve *s = pp_xcalloc(1, sizeof(*s));
	size_t i;

	s->o = *o;
	s->lfd = -1;
	if (o->rate > 0)
		s->rl = pp_ratelimit_new(o->rate, o->burst);
	for (i = 0; i < NSHARDS; i++)
		pthread_mutex_init(&s->shard[i].mu, NULL);
	pthread_mutex_init(&s->logmu, NULL);
	return s;
}

static int
bad_name(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if (*p == '\0')
		return 1;
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == ':' ||
		    *p == '"' || *p == '\\')
			return 1;
	return 0;
}

/* The default name of ref: see pp_serve_add. */
static char *
default_name(const char *ref)
{
	const char *p, *e;

	if (strncmp(ref, "models:/", 8) == 0) {
		p = ref + 8;
		e = p + strcspn(p, "/@");
	} else if (strncmp(ref, "runs:/", 6) == 0) {
		p = ref + 6;
		e = p + strcspn(p, "/");
	} else {
		p = strrchr(ref, '/') != NULL ? strrchr(ref, '/') + 1 : ref;
		e = strrchr(p, '.') != NULL && strrchr(p, '.') != p ?
		    strrchr(p, '.') : p + strlen(p);
	}
	return pp_xstrndup(p, (size_t)(e - p));
}

int
pp_serve_add(struct pp_serve *s, const char *spec, struct pp_err *err)
{
	const char *eq = strchr(spec, '='), *ref = spec;
	struct slot *sl;
	struct served *v;
	char *name;
	size_t i;

	if (eq != NULL && strncmp(spec, "models:/", 8) != 0 &&
	    strncmp(spec, "runs:/", 6) != 0) {
		name = pp_xstrndup(spec, (size_t)(eq - spec));
		ref = eq + 1;
	} else {
		name = default_name(spec);
	}
	if (bad_name(name) || *ref == '\0') {
		pp_err_set(err, PP_EXIT_USAGE, "-m: bad model \"%s\": give REF "
		    "or NAME=REF, NAME without '/', ':', quotes or control "
		    "characters", spec);
		free(name);
		return -1;
	}
	for (i = 0; i < s->nslots; i++)
		if (strcmp(s->slots[i].name, name) == 0) {
			pp_err_set(err, PP_EXIT_USAGE, "-m: model \"%s\" given "
			    "twice: name one with NAME=REF", name);
			free(name);
			return -1;
		}
	if ((v = load(s, ref, pp_registry_is_uri(ref), ROLE_PRIMARY, NULL,
	    err)) == NULL) {
		free(name);
		return -1;
	}
	s->slots = pp_xrealloc(s->slots, (s->nslots + 1) * sizeof(*s->slots));
	sl = &s->slots[s->nslots++];
	memset(sl, 0, sizeof(*sl));
	sl->name = name;
	sl->var[ROLE_PRIMARY].ref = pp_xstrdup(ref);
	sl->var[ROLE_PRIMARY].is_uri = pp_registry_is_uri(ref);
	pthread_mutex_init(&sl->mu, NULL);
	sl->var[ROLE_PRIMARY].cur = v;
	return 0;
}

static int
add_variant(struct pp_serve *s, enum role role, const char *ref,
    unsigned percent, struct pp_err *err)
{
	struct slot *sl = &s->slots[0];
	struct variant *va = &sl->var[role];
	struct served *v;

	if (s->nslots == 0)
		return pp_err_set(err, PP_EXIT_USAGE, "--%s: no model to "
		    "pair it with: give -m first", role_name[role]);
	v = load(s, ref, pp_registry_is_uri(ref), role,
	    sl->var[ROLE_PRIMARY].cur->m, err);
	if (v == NULL)
		return pp_err_prefix(err, "--%s", role_name[role]);
	free(va->ref);
	served_put(va->cur);
	va->ref = pp_xstrdup(ref);
	va->is_uri = pp_registry_is_uri(ref);
	va->cur = v;
	if (role == ROLE_CANARY)
		sl->canary_pct = percent;
	return 0;
}

int
pp_serve_canary(struct pp_serve *s, const char *ref, unsigned percent,
    struct pp_err *err)
{
	return add_variant(s, ROLE_CANARY, ref, percent, err);
}

int
pp_serve_shadow(struct pp_serve *s, const char *ref, struct pp_err *err)
{
	return add_variant(s, ROLE_SHADOW, ref, 0, err);
}

/* Bring one variant up to date; 1 if swapped, 0 if not, -1 on failure. */
static int
poll_variant(struct pp_serve *s, struct slot *sl, enum role role, int force,
    struct pp_registry **reg, struct pp_err *err)
{
	struct variant *va = &sl->var[role];
	struct pp_registry_ref rr = PP_REGISTRY_REF_INIT;
	struct served *v, *cur, *prim;
	char ver[VERSION_MAX];
	int same;

	if (va->ref == NULL || (!va->is_uri && !force))
		return 0;
	if (va->is_uri && !force) {
		if (*reg == NULL)
			*reg = pp_registry_open(s->o.registry, PP_REG_READONLY,
			    err);
		if (*reg == NULL ||
		    pp_registry_resolve(*reg, va->ref, &rr, err) == -1) {
			pp_registry_ref_release(&rr);
			return -1;
		}
		snprintf(ver, sizeof(ver), "%lld", (long long)(rr.version > 0 ?
		    rr.version : 1));
		cur = slot_get(sl, role);
		same = cur != NULL && strcmp(cur->version, ver) == 0 &&
		    strcmp(cur->run_id, rr.run_id) == 0;
		served_put(cur);
		pp_registry_ref_release(&rr);
		if (same)
			return 0;
	}
	prim = role == ROLE_PRIMARY ? NULL : slot_get(sl, ROLE_PRIMARY);
	v = load(s, va->ref, va->is_uri, role, prim != NULL ? prim->m : NULL,
	    err);
	served_put(prim);
	if (v == NULL)
		return -1;
	slot_set(sl, role, v);
	atomic_fetch_add(&va->reloads, 1);
	return 1;
}

int
pp_serve_poll(struct pp_serve *s, int force, struct pp_err *err)
{
	struct pp_registry *reg = NULL;
	struct pp_err e2 = PP_ERR_INIT;
	size_t i;
	int swapped = 0, failed = 0, r, role;

	for (i = 0; i < s->nslots; i++)
		for (role = 0; role < ROLE_COUNT; role++) {
			pp_err_clear(&e2);
			r = poll_variant(s, &s->slots[i], (enum role)role,
			    force, &reg, &e2);
			if (r >= 0) {
				swapped += r;
				continue;
			}
			atomic_fetch_add(&s->slots[i].var[role].failed, 1);
			if (!failed++) {
				pp_err_set(err, e2.code, "%s", e2.msg);
				pp_err_prefix(err, "reload \"%s\"%s%s",
				    s->slots[i].name, role ? " " : "", role ?
				    role_name[role] : "");
			}
			pp_registry_close(reg);	/* maybe the cause: reopen */
			reg = NULL;
		}
	pp_registry_close(reg);
	return failed ? -1 : swapped;
}

/* Metrics. */

/* The calling thread's shard: threads are numbered as they first count. */
static struct shard *
my_shard(struct pp_serve *s)
{
	static atomic_uint nthreads;
	static _Thread_local int me = -1;

	if (me < 0)
		me = (int)(atomic_fetch_add(&nthreads, 1) % NSHARDS);
	return &s->shard[me];
}

/* The series (ep, model, version, code) of sh, made with n 0 if new;
 * under sh->mu. */
static struct series *
find_series(struct shard *sh, enum endpoint ep, long model,
    const char *version, unsigned code)
{
	struct series *r;
	size_t i;

	for (i = 0; i < sh->nseries; i++) {
		r = &sh->series[i];
		if (r->ep == ep && r->model == model && r->code == code &&
		    strcmp(r->version, version) == 0)
			break;
	}
	if (i == sh->nseries) {
		pp_xgrow((void **)&sh->series, &sh->capseries, sh->nseries + 1,
		    sizeof(*sh->series));
		r = &sh->series[sh->nseries++];
		r->ep = ep;
		r->model = model;
		snprintf(r->version, sizeof(r->version), "%s", version);
		r->code = code;
		r->n = 0;
	}
	return &sh->series[i];
}

static void
count(struct pp_serve *s, enum endpoint ep, long model, const char *version,
    unsigned code, double secs)
{
	struct shard *sh = my_shard(s);
	size_t b;

	for (b = 0; b < NBUCKETS && secs > bucket_le[b]; b++)
		;
	pthread_mutex_lock(&sh->mu);
	find_series(sh, ep, model, version, code)->n++;
	sh->hist[ep][b]++;
	sh->hist_sum[ep] += secs;
	sh->hist_n[ep]++;
	pthread_mutex_unlock(&sh->mu);
}

/* Series order on /metrics: endpoint, model slot, version, code. */
static int
by_labels(const void *a, const void *b)
{
	const struct series *x = a, *y = b;
	int c;

	if (x->ep != y->ep)
		return x->ep < y->ep ? -1 : 1;
	if (x->model != y->model)
		return x->model < y->model ? -1 : 1;
	if ((c = strcmp(x->version, y->version)) != 0)
		return c;
	return (x->code > y->code) - (x->code < y->code);
}

/* Every shard added up into sum (zeroed; its series the caller's to
 * free), series sorted by their labels: which worker thread saw a series
 * first must not decide where it is printed. */
static void
sum_shards(struct pp_serve *s, struct shard *sum)
{
	size_t i, k, b;
	int e;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < NSHARDS; i++) {
		struct shard *sh = &s->shard[i];

		pthread_mutex_lock(&sh->mu);
		for (k = 0; k < sh->nseries; k++) {
			const struct series *x = &sh->series[k];

			find_series(sum, x->ep, x->model, x->version,
			    x->code)->n += x->n;
		}
		for (e = 0; e < EP_COUNT; e++) {
			for (b = 0; b <= NBUCKETS; b++)
				sum->hist[e][b] += sh->hist[e][b];
			sum->hist_sum[e] += sh->hist_sum[e];
			sum->hist_n[e] += sh->hist_n[e];
		}
		pthread_mutex_unlock(&sh->mu);
	}
	if (sum->nseries > 1)
		qsort(sum->series, sum->nseries, sizeof(*sum->series),
		    by_labels);
}

static void
add_num(struct pp_buf *out, double x)
{
	char t[PP_DBL_BUFSZ];

	pp_buf_add(out, t, pp_fmt_double(t, x));
}

/* A label value (names are checked when added; versions are digits). */
static void
add_label(struct pp_buf *out, const char *k, const char *v, int first)
{
	pp_buf_addf(out, "%s%s=\"", first ? "" : ",", k);
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			pp_buf_addc(out, '\\');
		if (*v == '\n')
			pp_buf_addstr(out, "\\n");
		else
			pp_buf_addc(out, *v);
	}
	pp_buf_addc(out, '"');
}

/* One series per model and role in use: the counter at offset of struct
 * variant, or (offset 0) the model_info gauge, whose labels say which
 * version, run and kind are served. */
static void
per_variant(struct pp_serve *s, struct pp_buf *out, const char *metric,
    const char *type, const char *help, size_t offset)
{
	struct served *v;
	size_t i;
	int r;

	pp_buf_addf(out, "# HELP pp_serve_%s %s\n# TYPE pp_serve_%s %s\n",
	    metric, help, metric, type);
	for (i = 0; i < s->nslots; i++)
		for (r = 0; r < ROLE_COUNT; r++) {
			struct variant *va = &s->slots[i].var[r];

			if (va->ref == NULL)
				continue;
			pp_buf_addf(out, "pp_serve_%s{", metric);
			add_label(out, "model", s->slots[i].name, 1);
			add_label(out, "role", role_name[r], 0);
			if (offset != 0) {
				pp_buf_addf(out, "} %lu\n", atomic_load(
				    (atomic_ulong *)(void *)((char *)va +
				    offset)));
				continue;
			}
			v = slot_get(&s->slots[i], (enum role)r);
			add_label(out, "version", v->version, 0);
			add_label(out, "run_id", v->run_id, 0);
			add_label(out, "kind", pp_model_kind_name(v->m->kind),
			    0);
			pp_buf_addstr(out, "} 1\n");
			served_put(v);
		}
}

static void
metrics(struct pp_serve *s, struct pp_buf *out)
{
	struct shard *t = pp_xmalloc(sizeof(*t));
	size_t i, b;
	unsigned long cum;

	sum_shards(s, t);
	pp_buf_addstr(out, "# HELP pp_serve_requests_total HTTP requests "
	    "answered.\n# TYPE pp_serve_requests_total counter\n");
	for (i = 0; i < t->nseries; i++) {
		const struct series *r = &t->series[i];

		pp_buf_addstr(out, "pp_serve_requests_total{");
		add_label(out, "endpoint", ep_name[r->ep], 1);
		add_label(out, "model", r->model >= 0 ?
		    s->slots[r->model].name : "", 0);
		add_label(out, "version", r->version, 0);
		pp_buf_addf(out, ",code=\"%u\"} %lu\n", r->code, r->n);
	}
	pp_buf_addstr(out, "# HELP pp_serve_request_duration_seconds Time "
	    "from request to answer.\n# TYPE "
	    "pp_serve_request_duration_seconds histogram\n");
	for (i = 0; i < EP_COUNT; i++) {
		if (t->hist_n[i] == 0)
			continue;
		for (b = 0, cum = 0; b <= NBUCKETS; b++) {
			cum += t->hist[i][b];
			pp_buf_addf(out, "pp_serve_request_duration_seconds_"
			    "bucket{endpoint=\"%s\",le=\"", ep_name[i]);
			if (b < NBUCKETS)
				add_num(out, bucket_le[b]);
			else
				pp_buf_addstr(out, "+Inf");
			pp_buf_addf(out, "\"} %lu\n", cum);
		}
		pp_buf_addf(out, "pp_serve_request_duration_seconds_sum"
		    "{endpoint=\"%s\"} ", ep_name[i]);
		add_num(out, t->hist_sum[i]);
		pp_buf_addf(out, "\npp_serve_request_duration_seconds_count"
		    "{endpoint=\"%s\"} %lu\n", ep_name[i], t->hist_n[i]);
	}
	free(t->series);
	free(t);
	per_variant(s, out, "predictions_total", "counter", "Rows scored.",
	    offsetof(struct variant, predictions));
	pp_buf_addf(out, "# HELP pp_serve_rate_limited_total Requests "
	    "refused with 429.\n# TYPE pp_serve_rate_limited_total counter\n"
	    "pp_serve_rate_limited_total %lu\n",
	    atomic_load(&s->rate_limited));
	pp_buf_addstr(out, "# HELP pp_serve_rejected_total Requests refused "
	    "before scoring, by reason.\n# TYPE pp_serve_rejected_total "
	    "counter\n");
	for (i = 0; i < 4; i++)
		pp_buf_addf(out, "pp_serve_rejected_total{reason=\"%s\"} %lu\n",
		    rej_name[i], atomic_load(&s->rejected[i]));
	per_variant(s, out, "reloads_total", "counter", "Model versions "
	    "swapped in.", offsetof(struct variant, reloads));
	per_variant(s, out, "reload_failures_total", "counter", "Model loads "
	    "that failed (the old version kept serving).",
	    offsetof(struct variant, failed));
	per_variant(s, out, "model_info", "gauge", "The version served (1).",
	    0);
	pp_buf_addf(out, "# HELP pp_serve_in_flight Requests being served.\n"
	    "# TYPE pp_serve_in_flight gauge\npp_serve_in_flight %ld\n",
	    atomic_load(&s->in_flight));
}

/* Routing. */

struct route {
	enum endpoint ep;
	long model;		/* slot index, or -1 */
	char name[256];		/* the model named in the path */
	const char *version;	/* in the path, or NULL */
	char vbuf[VERSION_MAX];
};

/* Split path into a route.  Returns 0, or -1 when the path names no
 * endpoint (404). */
static int
route(const struct pp_serve *s, const char *path, struct route *r)
{
	const char *p, *e;
	size_t i, n;

	r->model = -1;
	r->version = NULL;
	r->name[0] = '\0';
	if (strcmp(path, "/v2/health/live") == 0)
		r->ep = EP_LIVE;
	else if (strcmp(path, "/v2/health/ready") == 0)
		r->ep = EP_READY;
	else if (strcmp(path, "/v2") == 0 || strcmp(path, "/v2/") == 0)
		r->ep = EP_SERVER;
	else if (strcmp(path, "/metrics") == 0)
		r->ep = EP_METRICS;
	else if (strncmp(path, "/v1/models/", 11) == 0) {
		p = path + 11;
		e = p + strcspn(p, "/");
		if (e != p && strcmp(e, "/bars") == 0) {
			r->ep = EP_BARS;
			n = (size_t)(e - p);
			goto name;
		}
		e = strstr(p, ":predict");
		if (e == NULL || e[8] != '\0' || e == p)
			return -1;
		r->ep = EP_PREDICT;
		n = (size_t)(e - p);
		goto name;
	} else if (strncmp(path, "/v2/models/", 11) == 0) {
		p = path + 11;
		e = p + strcspn(p, "/");
		n = (size_t)(e - p);
		if (n == 0)
			return -1;
		if (strncmp(e, "/versions/", 10) == 0) {
			const char *v = e + 10, *ve = v + strcspn(v, "/");

			if (ve == v || (size_t)(ve - v) >= sizeof(r->vbuf))
				return -1;
			memcpy(r->vbuf, v, (size_t)(ve - v));
			r->vbuf[ve - v] = '\0';
			r->version = r->vbuf;
			e = ve;
		}
		if (*e == '\0')
			r->ep = EP_MODEL;
		else if (strcmp(e, "/ready") == 0)
			r->ep = EP_MODEL_READY;
		else if (strcmp(e, "/infer") == 0)
			r->ep = EP_INFER;
		else
			return -1;
		goto name;
	} else
		return -1;
	return 0;
name:
	if (n >= sizeof(r->name))
		n = sizeof(r->name) - 1;
	memcpy(r->name, p, n);
	r->name[n] = '\0';
	for (i = 0; i < s->nslots; i++)
		if (strcmp(s->slots[i].name, r->name) == 0)
			r->model = (long)i;
	return 0;
}

/* An answer being built. */
struct answer {
	unsigned code;
	struct pp_buf body;
	const char *ctype;
	const char *version;	/* X-Model-Version, or NULL */
	double retry_after;	/* 429: seconds */
	const char *key;	/* the client's key name, or NULL */
};

static void
fail(struct answer *a, unsigned code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct answer *a, unsigned code, const char *fmt, ...)
{
	struct pp_buf msg = PP_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pp_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	a->code = code;
	pp_buf_reset(&a->body);
	pp_oip_encode_error(&a->body, msg.data);
	pp_buf_release(&msg);
}

/*
 * Append l (n whole rows) to the prediction log, all or nothing: a write
 * that fails (a full disk) is cut back to where it began, so the log stays
 * a frame pp cat reads, and the rows are counted as lost for
 * pp_serve_log_lost to report.  Under logmu.
 */
static void
append_rows(struct pp_serve *s, const struct pp_buf *l, size_t n)
{
	off_t at = ftello(s->plog);
	int e;

	if (fwrite(l->data, 1, l->len, s->plog) == l->len &&
	    fflush(s->plog) == 0)
		return;
	e = errno;
	/* What stdio still holds of the failed rows goes first, then what
	 * reached the file. */
	__fpurge(s->plog);
	clearerr(s->plog);
	if (at >= 0 && s->plog != stderr && ftruncate(fileno(s->plog), at) == 0)
		(void)fseeko(s->plog, at, SEEK_SET);
	if (s->plog_lost == 0)
		s->plog_errno = e;
	s->plog_lost += (long)n;
}

long
pp_serve_log_lost(struct pp_serve *s, struct pp_err *err)
{
	long n;

	pthread_mutex_lock(&s->logmu);
	n = s->plog_lost;
	if (n > 0)
		pp_err_errno(err, s->plog_errno, "%s: %ld prediction%s not "
		    "logged", s->o.prediction_log, n, n > 1 ? "s" : "");
	s->plog_lost = 0;
	pthread_mutex_unlock(&s->logmu);
	return n;
}

/* Append the rows of one answer to the prediction log (a CSV frame:
 * time, model, version, role, the features, prediction). */
static void
log_rows(struct pp_serve *s, const char *name, const struct served *v,
    enum role role, const struct pp_oip_rows *rows, const double *pred)
{
	struct pp_buf l = PP_BUF_INIT;
	char ts[PP_DATE_BUFSZ];
	struct timespec now;
	size_t i, j;

	clock_gettime(CLOCK_REALTIME, &now);
	pp_datetime_fmt(ts, (int64_t)now.tv_sec * 1000000 + now.tv_nsec /
	    1000);
	for (i = 0; i < rows->n; i++) {
		pp_buf_addf(&l, "%s,%s%s%s,%s,%s", ts, strchr(name, ',') ?
		    "\"" : "", name, strchr(name, ',') ? "\"" : "",
		    v->version, role_name[role]);
		for (j = 0; j < rows->nfeat; j++) {
			pp_buf_addc(&l, ',');
			add_num(&l, rows->x[i * rows->nfeat + j]);
		}
		pp_buf_addc(&l, ',');
		add_num(&l, pred[i]);
		pp_buf_addc(&l, '\n');
	}
	pthread_mutex_lock(&s->logmu);
	if (s->plog != NULL)
		append_rows(s, &l, rows->n);
	pthread_mutex_unlock(&s->logmu);
	pp_buf_release(&l);
}

static void
score(struct pp_serve *s, const struct route *r, struct served *v,
    enum role role, const struct req *q, struct answer *a)
{
	struct slot *sl = &s->slots[r->model];
	struct pp_oip_rows rows = PP_OIP_ROWS_INIT;
	struct pp_err err;
	struct served *sh;
	double small[33];	/* pred and proba of 16 rows: no malloc */
	double *pred, *proba = NULL;
	int rc;

	pp_err_clear(&err);	/* not PP_ERR_INIT: 1 KB to zero per request */
	if (r->ep == EP_INFER)
		rc = pp_oip_decode_v2(q->body.data, q->body.len, v->m,
		    s->o.allow_nan, &rows, &err);
	else
		rc = pp_oip_decode_v1(q->body.data, q->body.len, v->m,
		    s->o.allow_nan, &rows, &err);
	if (rc == -1) {
		atomic_fetch_add(&s->rejected[REJ_BAD], 1);
		fail(a, MHD_HTTP_BAD_REQUEST, "%s", err.msg);
		return;
	}
	pred = 2 * rows.n + 1 <= sizeof(small) / sizeof(small[0]) ? small :
	    pp_xcalloc(2 * rows.n + 1, sizeof(double));
	pp_predictor_block(&v->pred, rows.x, rows.n, pred);
	if (pp_model_has_proba(v->m) && r->ep == EP_INFER) {
		proba = pred + rows.n;
		pp_predictor_block(&v->proba, rows.x, rows.n, proba);
	}
	atomic_fetch_add(&sl->var[role].predictions, rows.n);
	if (r->ep == EP_INFER)
		pp_oip_encode_v2(&a->body, sl->name, v->version, rows.id, pred,
		    proba, rows.n);
	else
		pp_oip_encode_v1(&a->body, pred, rows.n);
	/* o, not plog, outside logmu: SIGHUP swaps plog under it. */
	if (s->o.prediction_log != NULL && r->model == 0)
		log_rows(s, sl->name, v, role, &rows, pred);
	if (role == ROLE_PRIMARY && (sh = slot_get(sl, ROLE_SHADOW)) != NULL) {
		pp_predictor_block(&sh->pred, rows.x, rows.n, pred);
		atomic_fetch_add(&sl->var[ROLE_SHADOW].predictions, rows.n);
		if (s->o.prediction_log != NULL && r->model == 0)
			log_rows(s, sl->name, sh, ROLE_SHADOW, &rows, pred);
		served_put(sh);
	}
	if (pred != small)
		free(pred);
	pp_oip_rows_release(&rows);
}

/* The answer for bar i: its prediction, or why there is none yet. */
static void
bar_answer(struct pp_buf *out, const struct pp_oip_bar *b, double pred,
    int warm_, uint64_t seen, long warmup)
{
	char d[PP_DATE_BUFSZ];

	pp_date_fmt(d, b->date);
	pp_buf_addstr(out, "{\"symbol\":");
	pp_oip_json_str(out, b->sym);
	pp_buf_addf(out, ",\"date\":\"%s\",\"prediction\":", d);
	pp_oip_json_num(out, pred);
	if (warm_) {
		uint64_t k = (uint64_t)warmup + 1 - seen;

		pp_buf_addf(out, ",\"status\":\"warming up: %llu more bar%s\"",
		    (unsigned long long)k, k == 1 ? "" : "s");
	}
	pp_buf_addc(out, '}');
}

/* POST /v1/models/NAME/bars: feed the bars to the version's book as one
 * transaction and answer a prediction per bar. */
static void
bars(struct pp_serve *s, const struct route *r, struct served *v,
    const struct req *q, struct answer *a)
{
	struct slot *sl = &s->slots[r->model];
	struct pp_oip_bars in = PP_OIP_BARS_INIT;
	struct pp_err err = PP_ERR_INIT;
	union pp_cell *cells;
	uint64_t *seen;
	double *pred;
	int *warm_, rc;
	size_t i, k, bad = 0;

	if (v->on == NULL) {
		atomic_fetch_add(&s->rejected[REJ_BAD], 1);
		fail(a, MHD_HTTP_BAD_REQUEST, "model \"%s\" has no online "
		    "features: %s", sl->name, v->no_online);
		return;
	}
	if (pp_oip_decode_bars(q->body.data, q->body.len, s->o.allow_nan, &in,
	    &err) == -1) {
		atomic_fetch_add(&s->rejected[REJ_BAD], 1);
		fail(a, MHD_HTTP_BAD_REQUEST, "%s", err.msg);
		return;
	}
	cells = pp_xcalloc(in.n * NBARCOLS, sizeof(*cells));
	pred = pp_xcalloc(in.n, sizeof(*pred));
	warm_ = pp_xcalloc(in.n, sizeof(*warm_));
	seen = pp_xcalloc(in.n, sizeof(*seen));
	for (i = 0; i < in.n; i++) {
		union pp_cell *c = cells + i * NBARCOLS;

		c[0].s.p = in.bar[i].sym;
		c[0].s.len = in.bar[i].symlen;
		c[1].i = in.bar[i].date;
		for (k = 0; k < 5; k++)
			c[2 + k].f = in.bar[i].ohlcv[k];
	}
	pthread_mutex_lock(&v->bmu);
	rc = pp_online_book_feed_all(v->book, cells, in.n, s->o.max_symbols,
	    pred, warm_, seen, &bad, &err);
	pthread_mutex_unlock(&v->bmu);
	if (rc == -1) {
		fail(a, MHD_HTTP_CONFLICT, "bar %zu: %s; no bar of the request "
		    "was taken", bad + 1, err.msg);
	} else if (rc == -2) {
		atomic_fetch_add(&s->rejected[REJ_BAD], 1);
		fail(a, MHD_HTTP_BAD_REQUEST, "bar %zu: %s; no bar of the "
		    "request was taken", bad + 1, err.msg);
	} else {
		atomic_fetch_add(&sl->var[ROLE_PRIMARY].predictions, in.n);
		pp_buf_addstr(&a->body, "{\"model_name\":");
		pp_oip_json_str(&a->body, sl->name);
		pp_buf_addstr(&a->body, ",\"model_version\":");
		pp_oip_json_str(&a->body, v->version);
		pp_buf_addstr(&a->body, ",\"bars\":[");
		for (i = 0; i < in.n; i++) {
			if (i > 0)
				pp_buf_addc(&a->body, ',');
			bar_answer(&a->body, &in.bar[i], pred[i], warm_[i],
			    seen[i], pp_online_warmup(v->on));
		}
		pp_buf_addstr(&a->body, "]}");
	}
	free(cells);
	free(pred);
	free(warm_);
	free(seen);
	pp_oip_bars_release(&in);
}

/* Which version answers: the one the path names (404 if none), else the
 * canary for its share of scoring requests, else the primary.  The share is
 * sticky per API key (a hash of its name), and for requests without a key
 * a Weyl sequence, which splits any run of requests within one of the
 * exact share.  Returns the version with a reference, or NULL. */
static struct served *
choose(struct pp_serve *s, const struct route *r, const struct answer *a,
    enum role *role)
{
	struct slot *sl = &s->slots[r->model];
	struct served *p = slot_get(sl, ROLE_PRIMARY);
	struct served *c = slot_get(sl, ROLE_CANARY);
	uint64_t u;
	const char *k;

	*role = ROLE_PRIMARY;
	if (r->version != NULL) {
		if (strcmp(p->version, r->version) == 0) {
			served_put(c);
			return p;
		}
		served_put(p);
		if (c != NULL && strcmp(c->version, r->version) == 0) {
			*role = ROLE_CANARY;
			return c;
		}
		served_put(c);
		return NULL;
	}
	if (c == NULL || (r->ep != EP_INFER && r->ep != EP_PREDICT)) {
		served_put(c);
		return p;
	}
	if (a->key != NULL) {
		for (u = 14695981039346656037ull, k = a->key; *k != '\0'; k++)
			u = (u ^ (unsigned char)*k) * 1099511628211ull;
		u = (u >> 32) % 100;
	} else {
		u = atomic_fetch_add(&s->canary_seq, 1);
		u = (u * 61) % 100;	/* 61 is prime to 100: a permutation */
	}
	if (u < sl->canary_pct) {
		served_put(p);
		*role = ROLE_CANARY;
		return c;
	}
	served_put(c);
	return p;
}

/* The API key the request presents, or NULL. */
static const char *
presented_key(struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Authorization");

	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-API-Key");
}

static void
client_addr(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	snprintf(out, n, "?");
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, out, (socklen_t)n);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr, out, (socklen_t)n);
}

/* Retry-After is whole seconds: round the wait up, at least 1. */
static long
retry_secs(double wait)
{
	double c = ceil(wait);

	return c < 1 ? 1 : c > 86400 ? 86400 : (long)c;
}

/* Keys and rate: 0 to go on, -1 with the answer set. */
static int
admit(struct pp_serve *s, struct MHD_Connection *c, const struct route *r,
    struct answer *a)
{
	int guarded = r->ep != EP_LIVE && r->ep != EP_READY &&
	    (r->ep != EP_METRICS || s->o.protect_metrics);
	const char *key;
	char who[64];

	if (s->o.keys != NULL && guarded) {
		key = presented_key(c);
		a->key = key != NULL ? pp_apikeys_check(s->o.keys, key,
		    strlen(key)) : NULL;
		if (a->key == NULL) {
			atomic_fetch_add(&s->rejected[REJ_AUTH], 1);
			fail(a, MHD_HTTP_UNAUTHORIZED, key == NULL ? "an API "
			    "key is needed: Authorization: Bearer KEY or "
			    "X-API-Key: KEY" : "unknown API key");
			return -1;
		}
	}
	if (s->rl == NULL || r->ep == EP_LIVE || r->ep == EP_READY ||
	    r->ep == EP_METRICS)
		return 0;
	if (a->key != NULL)
		snprintf(who, sizeof(who), "key:%s", a->key);
	else
		client_addr(c, who, sizeof(who));
	if (pp_ratelimit_take(s->rl, who, now_mono(), &a->retry_after))
		return 0;
	atomic_fetch_add(&s->rate_limited, 1);
	fail(a, MHD_HTTP_TOO_MANY_REQUESTS, "rate limit: retry in %ld s",
	    retry_secs(a->retry_after));
	return -1;
}

/* Fill a for a request that passed admission. */
static void
dispatch(struct pp_serve *s, const char *method, const struct route *r,
    const struct req *q, struct answer *a, struct served **vp)
{
	int post = r->ep == EP_INFER || r->ep == EP_PREDICT ||
	    r->ep == EP_BARS;
	struct served *v = NULL, *c;
	enum role role = ROLE_PRIMARY;
	const char *vers[2];
	size_t nvers = 1;

	if (strcmp(method, post ? "POST" : "GET") != 0 &&
	    !(!post && strcmp(method, "HEAD") == 0)) {
		fail(a, MHD_HTTP_METHOD_NOT_ALLOWED, "use %s", post ? "POST" :
		    "GET");
		return;
	}
	if (r->ep >= EP_MODEL && r->ep <= EP_BARS) {
		if (r->model < 0) {
			atomic_fetch_add(&s->rejected[REJ_NOTFOUND], 1);
			fail(a, MHD_HTTP_NOT_FOUND, "no model \"%s\"", r->name);
			return;
		}
		if ((v = *vp = choose(s, r, a, &role)) == NULL) {
			atomic_fetch_add(&s->rejected[REJ_NOTFOUND], 1);
			fail(a, MHD_HTTP_NOT_FOUND, "model \"%s\" has no "
			    "version \"%s\"", r->name, r->version);
			return;
		}
		a->version = v->version;
	}
	a->code = MHD_HTTP_OK;
	switch (r->ep) {
	case EP_LIVE:
		pp_buf_addstr(&a->body, "{\"live\":true}");
		break;
	case EP_READY:
		if (atomic_load(&s->draining)) {
			a->code = MHD_HTTP_SERVICE_UNAVAILABLE;
			pp_buf_addstr(&a->body, "{\"ready\":false}");
		} else {
			pp_buf_addstr(&a->body, "{\"ready\":true}");
		}
		break;
	case EP_SERVER:
		pp_buf_addstr(&a->body, "{\"name\":\"pp-serve\",\"version\":\""
		    PP_VERSION "\",\"extensions\":[]}");
		break;
	case EP_MODEL:
		vers[0] = v->version;
		if ((c = slot_get(&s->slots[r->model], role == ROLE_PRIMARY ?
		    ROLE_CANARY : ROLE_PRIMARY)) != NULL)
			vers[nvers++] = c->version;
		pp_oip_encode_metadata(&a->body, v->m, r->name, vers, nvers);
		served_put(c);
		break;
	case EP_MODEL_READY:
		pp_buf_addstr(&a->body, "{\"name\":");
		pp_oip_json_str(&a->body, r->name);
		pp_buf_addf(&a->body, ",\"ready\":%s}",
		    atomic_load(&s->draining) ? "false" : "true");
		break;
	case EP_INFER:
	case EP_PREDICT:
		score(s, r, v, role, q, a);
		break;
	case EP_BARS:
		bars(s, r, v, q, a);
		break;
	case EP_METRICS:
		a->ctype = "text/plain; version=0.0.4; charset=utf-8";
		metrics(s, &a->body);
		break;
	case EP_OTHER:
	case EP_COUNT:
		break;
	}
}

static void
access_log(struct pp_serve *s, struct MHD_Connection *c, const char *method,
    const char *url, const struct route *r, const struct answer *a,
    double secs)
{
	struct pp_buf l = PP_BUF_INIT;
	char who[64], ts[32];
	struct timespec now;
	struct tm tm;

	if (s->o.access_log == NULL)
		return;		/* not alog outside logmu: SIGHUP swaps it */
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	client_addr(c, who, sizeof(who));
	pp_buf_addf(&l, "{\"time\":\"%s.%03ldZ\",\"remote\":", ts,
	    now.tv_nsec / 1000000);
	pp_oip_json_str(&l, who);
	pp_buf_addstr(&l, ",\"method\":");
	pp_oip_json_str(&l, method);
	pp_buf_addstr(&l, ",\"path\":");
	pp_oip_json_str(&l, url);
	pp_buf_addf(&l, ",\"status\":%u,\"endpoint\":\"%s\"", a->code,
	    ep_name[r->ep]);
	if (r->model >= 0) {
		pp_buf_addstr(&l, ",\"model\":");
		pp_oip_json_str(&l, s->slots[r->model].name);
	}
	if (a->version != NULL) {
		pp_buf_addstr(&l, ",\"version\":");
		pp_oip_json_str(&l, a->version);
	}
	if (a->key != NULL) {
		pp_buf_addstr(&l, ",\"key\":");
		pp_oip_json_str(&l, a->key);
	}
	pp_buf_addstr(&l, ",\"seconds\":");
	add_num(&l, secs);
	pp_buf_addstr(&l, "}\n");
	pthread_mutex_lock(&s->logmu);
	if (s->alog != NULL) {
		fwrite(l.data, 1, l.len, s->alog);
		fflush(s->alog);
	}
	pthread_mutex_unlock(&s->logmu);
	pp_buf_release(&l);
}

static enum MHD_Result
reply(struct MHD_Connection *c, struct answer *a)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;
	char ra[32];

	/* A copy in the response's own allocation: a->body is the
	 * connection's, for its next answer. */
	resp = MHD_create_response_from_buffer(a->body.len, a->body.data,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", a->ctype);
	if (a->version != NULL)
		MHD_add_response_header(resp, "X-Model-Version", a->version);
	if (a->code == MHD_HTTP_TOO_MANY_REQUESTS) {
		snprintf(ra, sizeof(ra), "%ld", retry_secs(a->retry_after));
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	if (a->code == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
	ok = MHD_queue_response(c, a->code, resp);
	MHD_destroy_response(resp);
	return ok;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct pp_serve *s = cls;
	struct req *q = *con_cls;
	struct answer a = { 0, PP_BUF_INIT, "application/json", NULL, 0,
		NULL };
	struct served *v = NULL;
	struct conn *k;
	struct route r;
	enum MHD_Result ok;
	double secs;

	(void)version;
	if (q == NULL) {
		const char *cl = MHD_lookup_connection_value(c,
		    MHD_HEADER_KIND, "Content-Length");
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		long n;

		k = ci->socket_context;
		q = &k->q;
		pp_buf_reset(&q->body);
		q->too_big = q->answered = 0;
		q->seen = 0;
		q->t0 = now_mono();
		*con_cls = q;
		atomic_fetch_add(&s->in_flight, 1);
		if (cl != NULL && (pp_parse_long(cl, 0, LONG_MAX, &n) == -1 ||
		    (unsigned long)n > s->o.max_body))
			q->too_big = 1;
		if (!q->too_big)
			return MHD_YES;
		/* Answer at once; the body is never read. */
	} else if (*upload_size > 0) {
		/* Past max_body the rest is read and dropped, so the client
		 * (that sent no Content-Length saying so) can read its 413;
		 * past DRAIN_MAX more the connection is closed instead:
		 * an endless body is never read for ever. */
		q->seen += *upload_size;
		if (!q->too_big && q->seen > s->o.max_body)
			q->too_big = 1;
		if (!q->too_big)
			pp_buf_add(&q->body, upload, *upload_size);
		*upload_size = 0;
		if (q->too_big && q->seen - s->o.max_body > DRAIN_MAX) {
			atomic_fetch_add(&s->rejected[REJ_BODY], 1);
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (q->answered)
		return MHD_YES;
	q->answered = 1;
	k = (struct conn *)(void *)((char *)q - offsetof(struct conn, q));
	a.body = k->out;	/* lent for this answer */
	pp_buf_reset(&a.body);
	if (route(s, url, &r) == -1) {
		r.ep = EP_OTHER;
		atomic_fetch_add(&s->rejected[REJ_NOTFOUND], 1);
		fail(&a, MHD_HTTP_NOT_FOUND, "no such endpoint");
	} else if (q->too_big) {
		atomic_fetch_add(&s->rejected[REJ_BODY], 1);
		fail(&a, MHD_HTTP_CONTENT_TOO_LARGE, "the body is larger than "
		    "%zu bytes (--max-body)", s->o.max_body);
	} else if (admit(s, c, &r, &a) == 0) {
		dispatch(s, method, &r, q, &a, &v);
	}
	secs = now_mono() - q->t0;
	count(s, r.ep, r.model, a.version != NULL ? a.version : "", a.code,
	    secs);
	access_log(s, c, method, url, &r, &a, secs);
	ok = reply(c, &a);
	served_put(v);
	if (a.body.cap > KEEP_MAX)
		pp_buf_release(&a.body);
	k->out = a.body;
	return ok;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct pp_serve *s = cls;
	struct req *q = *con_cls;

	(void)c;
	(void)toe;
	if (q == NULL)
		return;
	if (q->body.cap > KEEP_MAX)
		pp_buf_release(&q->body);
	*con_cls = NULL;
	atomic_fetch_sub(&s->in_flight, 1);
}

/*
 * Connections: one listening socket, one thread accepting on it, and
 * --threads libmicrohttpd daemons of one epoll thread each, every new
 * connection handed to the daemon with the fewest.  libmicrohttpd's own
 * thread pool lets its workers race for the listening socket, and the one
 * that wakes first takes a run of connections: 64 connections opened at
 * once ended 64 to 0 on two workers in one run, 40 to 24 in others, so
 * one thread did the work of two while the other idled, and the tail
 * latency showed it.  Each daemon takes an even share of --max-connections
 * (as the pool's workers did); while every one is full, nothing is
 * accepted and new connections wait in the kernel's backlog, as they did.
 */

/* Daemon k's share of the connection limit. */
static unsigned
share(const struct pp_serve *s, unsigned k)
{
	unsigned n = s->o.max_conns / s->nd + (k < s->o.max_conns % s->nd);

	return n > 0 ? n : 1;
}

/* A connection opens: its struct conn.  It closes: that goes, and so
 * does its place in the daemon's count.  (The count is ours, not
 * libmicrohttpd's: its own is updated only when the daemon's thread gets
 * to the new connection, after the acceptor may have looked.)
 * libmicrohttpd pairs the two calls, and ends a request (completed)
 * before it says its connection closed. */
static void
conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct conn *k;

	(void)c;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		k = pp_xcalloc(1, sizeof(*k));
		k->nconn = cls;
		pp_buf_init(&k->q.body);
		pp_buf_init(&k->out);
		*socket_context = k;
		return;
	}
	if (toe != MHD_CONNECTION_NOTIFY_CLOSED)
		return;
	if ((k = *socket_context) != NULL) {
		pp_buf_release(&k->q.body);
		pp_buf_release(&k->out);
		free(k);
		*socket_context = NULL;
	}
	atomic_fetch_sub((atomic_uint *)cls, 1);
}

/* The daemon with the fewest connections, from s->next on, or -1 if all
 * are full. */
static int
least_busy(struct pp_serve *s)
{
	unsigned i, k, n, fewest = UINT_MAX;
	int best = -1;

	for (i = 0; i < s->nd; i++) {
		k = (s->next + i) % s->nd;
		n = atomic_load(&s->nconn[k]);
		if (n < fewest && n < share(s, k)) {
			fewest = n;
			best = (int)k;
		}
	}
	return best;
}

static void *
accept_loop(void *arg)
{
	struct pp_serve *s = arg;
	struct sockaddr_storage sa;
	socklen_t len;
	int fd, best;

	while (!atomic_load(&s->stop)) {
		if ((best = least_busy(s)) < 0) {
			usleep(10000);	/* full: wait for one to close */
			continue;
		}
		len = sizeof(sa);
		fd = accept(s->lfd, (struct sockaddr *)&sa, &len);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EAGAIN)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				usleep(10000);	/* out of files: let some go */
				continue;
			}
			break;	/* shut down by pp_serve_drain/free */
		}
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
		    fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
			close(fd);
			continue;
		}
		s->next = ((unsigned)best + 1) % s->nd;
		/* It closes fd itself when it cannot take it. */
		atomic_fetch_add(&s->nconn[best], 1);
		if (MHD_add_connection(s->d[best], fd, (struct sockaddr *)&sa,
		    len) != MHD_YES)
			atomic_fetch_sub(&s->nconn[best], 1);
	}
	return NULL;
}

/* The listening socket on sin, or -1. */
static int
listen_on(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1
	    || bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == -1 ||
	    listen(fd, 1024) == -1 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Stop accepting: no new connection after this returns. */
static void
stop_accepting(struct pp_serve *s)
{
	if (s->lfd < 0)
		return;
	atomic_store(&s->stop, 1);
	shutdown(s->lfd, SHUT_RDWR);	/* wakes the acceptor's accept */
	pthread_join(s->acceptor, NULL);
	close(s->lfd);
	s->lfd = -1;
}

static void
stop_daemons(struct pp_serve *s)
{
	unsigned i;

	for (i = 0; i < s->nd; i++)
		if (s->d[i] != NULL)
			MHD_stop_daemon(s->d[i]);
	free(s->d);
	free(s->nconn);
	s->d = NULL;
	s->nconn = NULL;
	s->nd = 0;
}

static int
start_daemons(struct pp_serve *s)
{
	unsigned i, n = s->o.threads > 0 ? s->o.threads : 1;

	s->d = pp_xcalloc(n, sizeof(*s->d));
	s->nconn = pp_xcalloc(n, sizeof(*s->nconn));
	s->nd = n;
	for (i = 0; i < n; i++) {
		atomic_init(&s->nconn[i], 0);
		/* least_busy keeps to the share; MHD's limit is a backstop. */
		s->d[i] = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD |
		    MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL,
		    handle, s,
		    MHD_OPTION_CONNECTION_LIMIT, share(s, i),
		    MHD_OPTION_CONNECTION_TIMEOUT, s->o.timeout,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, s,
		    MHD_OPTION_NOTIFY_CONNECTION, conn_notify, &s->nconn[i],
		    MHD_OPTION_END);
		if (s->d[i] == NULL)
			return -1;
	}
	return 0;
}

int
pp_serve_start(struct pp_serve *s, const char *addr, struct pp_err *err)
{
	struct sockaddr_in sin;
	const char *colon = strrchr(addr, ':');
	char host[64];
	long port;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (colon == NULL || (size_t)(colon - addr) >= sizeof(host) ||
	    pp_parse_long(colon + 1, 0, 65535, &port) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "--listen: bad address "
		    "\"%s\": give ADDR:PORT", addr);
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return pp_err_set(err, PP_EXIT_USAGE, "--listen: bad address "
		    "\"%s\": not an IPv4 address", host);
	sin.sin_port = htons((uint16_t)port);
	if ((s->lfd = listen_on(&sin)) == -1)
		return pp_err_set(err, PP_EXIT_DATA, "%s: cannot listen (in "
		    "use, or not an address of this host)", addr);
	s->port = ntohs(sin.sin_port);
	if (start_daemons(s) == -1 ||
	    pthread_create(&s->acceptor, NULL, accept_loop, s) != 0) {
		close(s->lfd);
		s->lfd = -1;
		stop_daemons(s);
		return pp_err_set(err, PP_EXIT_DATA, "%s: cannot start the "
		    "server's threads", addr);
	}
	return 0;
}

/* Open path for appending; a new (empty) prediction log gets its header. */
static FILE *
open_log(struct pp_serve *s, const char *path, int header,
    struct pp_err *err)
{
	const struct pp_model *m;
	FILE *fp;
	size_t j;

	if (strcmp(path, "-") == 0)
		return stderr;
	if ((fp = fopen(path, "a")) == NULL) {
		pp_err_errno(err, errno, "%s", path);
		return NULL;
	}
	if (header && ftell(fp) == 0 && s->nslots > 0) {
		m = s->slots[0].var[ROLE_PRIMARY].cur->m;
		fputs("time,model,version,role", fp);
		for (j = 0; j < m->nfeat; j++)
			fprintf(fp, ",%s", m->features[j]);
		fputs(",prediction\n", fp);
		fflush(fp);
	}
	if (ferror(fp)) {
		pp_err_errno(err, errno, "%s", path);
		fclose(fp);
		return NULL;
	}
	return fp;
}

static void
close_log(FILE *fp)
{
	if (fp != NULL && fp != stderr)
		fclose(fp);
}

int
pp_serve_open_logs(struct pp_serve *s, struct pp_err *err)
{
	FILE *a = NULL, *p = NULL;
	int rc = 0;

	if (s->o.access_log != NULL &&
	    (a = open_log(s, s->o.access_log, 0, err)) == NULL)
		rc = -1;
	if (s->o.prediction_log != NULL &&
	    (p = open_log(s, s->o.prediction_log, 1, err)) == NULL)
		rc = -1;
	pthread_mutex_lock(&s->logmu);
	if (s->o.access_log != NULL && a != NULL) {
		close_log(s->alog);
		s->alog = a;
	}
	if (s->o.prediction_log != NULL && p != NULL) {
		close_log(s->plog);
		s->plog = p;
	}
	pthread_mutex_unlock(&s->logmu);
	return rc;
}

unsigned
pp_serve_port(const struct pp_serve *s)
{
	return s->port;
}

long
pp_serve_drain(struct pp_serve *s, double timeout)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	double end = now_mono() + timeout;
	long left;

	atomic_store(&s->draining, 1);
	if (s->d == NULL)
		return 0;
	stop_accepting(s);
	while ((left = atomic_load(&s->in_flight)) > 0 && now_mono() < end)
		nanosleep(&ts, NULL);
	stop_daemons(s);
	return left;
}

void
pp_serve_free(struct pp_serve *s)
{
	size_t i;
	int r;

	if (s == NULL)
		return;
	stop_accepting(s);
	stop_daemons(s);
	for (i = 0; i < s->nslots; i++) {
		for (r = 0; r < ROLE_COUNT; r++) {
			served_put(s->slots[i].var[r].cur);
			free(s->slots[i].var[r].ref);
		}
		pthread_mutex_destroy(&s->slots[i].mu);
		free(s->slots[i].name);
	}
	free(s->slots);
	for (i = 0; i < NSHARDS; i++) {
		free(s->shard[i].series);
		pthread_mutex_destroy(&s->shard[i].mu);
	}
	pp_ratelimit_free(s->rl);
	close_log(s->alog);
	close_log(s->plog);
	pthread_mutex_destroy(&s->logmu);
	free(s);
}

int
pp_serve_parse_seconds(const char *s, double *out)
{
	static const struct {
		const char *unit;
		double mul;
	} units[] = { { "ms", 1e-3 }, { "s", 1 }, { "min", 60 }, { "h", 3600 },
		{ "", 1 } };
	size_t n = strspn(s, "0123456789.eE+-"), i;
	double x;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(s + n, units[i].unit) == 0)
			break;
	if (n == 0 || i == sizeof(units) / sizeof(units[0]) ||
	    pp_parse_double(s, n, &x) == -1 || !(x >= 0) || x > 1e9)
		return -1;
	*out = x * units[i].mul;
	return 0;
}

int
pp_serve_parse_bytes(const char *s, size_t *out)
{
	size_t n = strspn(s, "0123456789");
	const char *u = s + n;
	unsigned long long v = 0, mul;
	size_t i;

	if (n == 0 || n > 12)
		return -1;
	for (i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (*u == '\0')
		mul = 1;
	else if (strcmp(u, "K") == 0 || strcmp(u, "k") == 0)
		mul = 1024;
	else if (strcmp(u, "M") == 0)
		mul = 1024 * 1024;
	else if (strcmp(u, "G") == 0)
		mul = 1024ull * 1024 * 1024;
	else
		return -1;
	if (v == 0 || v > (1ull << 40) / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}
