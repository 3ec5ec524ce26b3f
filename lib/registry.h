/*
 * registry.h - the experiment registry: MLflow's tracking store and model
 * registry in one SQLite file that every program shares, or in a
 * PostgreSQL database for jobs on many machines (a "postgresql://" URL or
 * a libpq "host=... dbname=..." string where a path would go; db.h).
 *
 * What it holds (man/pp-registry.5 gives the schema): experiments; runs
 * with their params, metric histories, tags and artifacts (zlib-compressed,
 * SHA-256 checked on every read); registered models, their numbered
 * versions, stages and aliases; an audit log of every stage or alias change.
 *
 * Concurrency.  Many processes (parallel Airflow tasks) open the same file
 * and write at once.  The file is in WAL mode, so readers never block
 * writers.  Every write is one short transaction started with BEGIN
 * IMMEDIATE, which takes the write lock up front: a transaction that has
 * the lock cannot later fail with SQLITE_BUSY half-way through.  Waiting
 * for the lock uses SQLite's busy timeout, and if SQLITE_BUSY still comes
 * back (the timeout ran out under heavy load, or a WAL snapshot went stale)
 * the whole transaction is rolled back and retried, with jittered backoff,
 * for up to PP_REGISTRY_RETRY_MS.  Nothing is ever half-written: a process
 * killed with SIGKILL loses only its uncommitted transaction.  On
 * PostgreSQL a write is READ COMMITTED and locks the model row it reads
 * and then changes (registry.c, lock_model); deadlocks and serialization
 * failures are retried as SQLITE_BUSY is.
 *
 * Ownership.  struct pp_registry is opaque and owned by the caller from
 * open to close; one handle is for one thread.  Strings passed in are
 * copied or used only during the call.  Tables and refs filled by the
 * query functions are owned by the caller and freed with their _release.
 *
 * Errors.  Every function returns 0 (or a pointer) on success, and -1 (or
 * NULL) having filled err: PP_EXIT_USAGE for a bad argument (a malformed
 * URI, filter, status or stage), PP_EXIT_DATA for everything else (no such
 * run, a file that is not a registry, a corrupt artifact, I/O).
 *
 * Times are milliseconds since the epoch (as MLflow).  Run ids are 32
 * lowercase hex digits drawn from /dev/urandom.
 */
#ifndef PP_REGISTRY_H
#define PP_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* The schema version this code writes (PRAGMA user_version). */
#define PP_REGISTRY_SCHEMA 3

/* PRAGMA application_id of a registry: "PPRG". */
#define PP_REGISTRY_APP_ID 0x50505247

/* How long a write keeps retrying on SQLITE_BUSY before giving up. */
#define PP_REGISTRY_RETRY_MS 60000

#define PP_RUN_ID_LEN 32	/* hex digits in a run id */
#define PP_RUN_ID_PREFIX_MIN 6	/* fewest hex digits a prefix may have */

struct pp_registry;

/* Flags for pp_registry_open. */
enum {
	PP_REG_READONLY = 1 << 0, /* never write; the file may be read-only */
	PP_REG_CREATE = 1 << 1	  /* create the file if it does not exist */
};

/*
 * Open the registry at path.  With PP_REG_CREATE a missing (or empty) file
 * becomes a new registry; an older schema is migrated forward in one
 * transaction.  Without it a missing file is an error.  With
 * PP_REG_READONLY nothing is written: the file may be read-only, and a
 * schema older than PP_REGISTRY_SCHEMA is an error (it cannot be migrated).
 * A file that is not a registry (not SQLite, or SQLite without the
 * registry's application id) is refused ("PATH: not a registry"), and so
 * is a schema newer than this code knows.  Returns NULL with err set.
 */
struct pp_registry *pp_registry_open(const char *path, unsigned flags,
    struct pp_err *err);

/* Close the handle (NULL is a no-op). */
void pp_registry_close(struct pp_registry *r);

/* 1 if opening r created the registry (a missing or empty file), else 0:
 * a program says so when the path was not chosen (pp_cli_note_created). */
int pp_registry_created(const struct pp_registry *r);

/* The schema version of the open file. */
int pp_registry_schema(const struct pp_registry *r);

/* ---- Runs ------------------------------------------------------------ */

enum pp_run_status {
	PP_RUN_RUNNING,
	PP_RUN_FINISHED,
	PP_RUN_FAILED,
	PP_RUN_KILLED
};

/* "RUNNING", "FINISHED", "FAILED", "KILLED". */
const char *pp_run_status_name(enum pp_run_status s);

/* Parse a status name (any case).  Returns 0, or -1 with err set. */
int pp_run_status_parse(const char *s, enum pp_run_status *out,
    struct pp_err *err);

/* What a new run records about itself.  Only experiment is required. */
struct pp_run_start {
	const char *experiment;	 /* name; created if new */
	const char *name;	 /* run name, or NULL */
	const char *command;	 /* command line, or NULL */
	const char *fingerprint; /* input fingerprint, or NULL */
	const char *parent;	 /* parent run id for a nested run, or NULL */
	long pid;		 /* owner process (stale detection); 0: self */
};

#define PP_RUN_START_INIT { NULL, NULL, NULL, NULL, NULL, 0 }

/* A string pair: a param or a tag. */
struct pp_kv {
	const char *key;
	const char *value;
};

/* One point of a metric's history. */
struct pp_metric {
	const char *key;
	double value;		/* NaN is stored and read back as NaN */
	int64_t step;
	int64_t timestamp;	/* ms since the epoch; 0 means now */
};

/* Everything one log call writes, in one transaction. */
struct pp_log {
	const struct pp_kv *params;
	size_t nparams;
	const struct pp_metric *metrics;
	size_t nmetrics;
	const struct pp_kv *tags;
	size_t ntags;
};

/*
 * Start a run (status RUNNING, start time now, user from $USER or the
 * password file, this host) in the named experiment, and write its id (32
 * hex digits and a NUL) to id.  The run belongs to process s->pid (or the
 * caller): if that process is gone, the run is stale (pp_registry_runs).
 * A parent must exist.  With log non-NULL the params, metrics and tags are
 * written in the same transaction.  Returns 0 or -1.
 */
int pp_registry_run_start(struct pp_registry *r, const struct pp_run_start *s,
    const struct pp_log *log, char id[PP_RUN_ID_LEN + 1], struct pp_err *err);

/*
 * The number of runs nested in run_id (runs whose parent it is, deleted
 * ones left out) into *n: a grid search's trials, since pp-train --grid
 * logs each candidate as a nested run.  The run must exist.  Returns 0 or
 * -1.
 */
int pp_registry_run_children(struct pp_registry *r, const char *run_id,
    long *n, struct pp_err *err);

/*
 * Write params, metric points and tags to a run, all or nothing.  Keys and
 * values are stored verbatim (any bytes but NUL; a key must not be empty).
 * A param, once logged, keeps its value: logging it again with the same
 * value is a no-op, with another value an error.  A tag is overwritten.
 * Metric points append to the key's history.  The run must exist and not
 * be deleted.  Returns 0 or -1 (nothing written).
 */
int pp_registry_log(struct pp_registry *r, const char *run_id,
    const struct pp_log *log, struct pp_err *err);

/* Single-item conveniences over pp_registry_log. */
int pp_registry_log_param(struct pp_registry *r, const char *run_id,
    const char *key, const char *value, struct pp_err *err);
int pp_registry_log_metric(struct pp_registry *r, const char *run_id,
    const char *key, double value, int64_t step, struct pp_err *err);
int pp_registry_set_tag(struct pp_registry *r, const char *run_id,
    const char *key, const char *value, struct pp_err *err);

/* Set a run's status to s (not RUNNING) and its end time to now, with
 * log (may be NULL) written in the same transaction.  KILLED ends only a
 * run still RUNNING: otherwise nothing is written (and 0 returned).
 * Returns 0 or -1. */
int pp_registry_run_end(struct pp_registry *r, const char *run_id,
    enum pp_run_status s, const struct pp_log *log, struct pp_err *err);

/*
 * End run_id FINISHED and, when model is not NULL, register its artifact
 * as a new version of model (as pp_registry_register; the version in
 * *version), in one transaction: a full disk or a lost lock leaves the
 * run as it was and no version, never a version of a run that did not
 * finish.  Returns 0 or -1.
 */
int pp_registry_run_finish(struct pp_registry *r, const char *run_id,
    const char *model, const char *artifact, int64_t *version,
    struct pp_err *err);

/* Soft-delete a run: it disappears from listings but keeps its data until
 * pp_registry_gc.  A run that a model version comes from cannot be
 * deleted.  Returns 0 or -1. */
int pp_registry_run_delete(struct pp_registry *r, const char *run_id,
    struct pp_err *err);

/* Remove deleted runs and everything they own for good; *nruns gets the
 * count (may be NULL).  Returns 0 or -1. */
int pp_registry_gc(struct pp_registry *r, long *nruns, struct pp_err *err);

/* ---- Artifacts --------------------------------------------------------- */

/* The largest artifact stored: SQLite's default limit on a blob. */
#define PP_REGISTRY_ARTIFACT_MAX 1000000000

/* Store data[0..n) as the run's artifact name (replacing one of that
 * name), zlib-compressed, with its size and SHA-256.  Returns 0 or -1. */
int pp_registry_artifact_put(struct pp_registry *r, const char *run_id,
    const char *name, const void *data, size_t n, struct pp_err *err);

/* Read the run's artifact name into out (reset first), decompressed, and
 * check its size and SHA-256: a mismatch is an error ("artifact \"x\" of
 * run R: checksum mismatch"), never wrong bytes.  Returns 0 or -1. */
int pp_registry_artifact_get(struct pp_registry *r, const char *run_id,
    const char *name, struct pp_buf *out, struct pp_err *err);

/* ---- Model registry ---------------------------------------------------- */

/* Stages, for pipelines older than aliases. */
enum pp_stage {
	PP_STAGE_NONE,
	PP_STAGE_STAGING,
	PP_STAGE_PRODUCTION,
	PP_STAGE_ARCHIVED
};

/* "None", "Staging", "Production", "Archived". */
const char *pp_stage_name(enum pp_stage s);

/* Parse a stage name (any case).  Returns 0, or -1 with err set. */
int pp_stage_parse(const char *s, enum pp_stage *out, struct pp_err *err);

/*
 * Register the artifact of a run as the next version of model name
 * (creating the model on first use) and set *version.  artifact NULL means
 * the run's only artifact (an error if it has none or several).  A model
 * name must not be empty or contain '/' or '@' (they would not survive in
 * a models:/ URI).  Returns 0 or -1.
 */
int pp_registry_register(struct pp_registry *r, const char *name,
    const char *run_id, const char *artifact, const char *description,
    int64_t *version, struct pp_err *err);

/* Move a version to a stage, logging the change.  With archive_existing,
 * the versions now in that stage move to Archived (each logged).  Returns
 * 0 or -1. */
int pp_registry_promote(struct pp_registry *r, const char *name,
    int64_t version, enum pp_stage stage, int archive_existing,
    struct pp_err *err);

/* Point alias (letters, digits, '_' and '-', not "latest", not a version
 * such as "3" or "v3") at a version, or move it; logged.  Returns 0 or -1. */
int pp_registry_alias_set(struct pp_registry *r, const char *name,
    const char *alias, int64_t version, struct pp_err *err);

/* Remove an alias; logged.  An alias that does not exist is an error. */
int pp_registry_alias_delete(struct pp_registry *r, const char *name,
    const char *alias, struct pp_err *err);

/* A conditional alias move (pp-registry alias --if-better). */
struct pp_alias_move {
	int64_t version;	/* in: the version, 0: the latest; out: it */
	const char *metric;	/* in: compare on this metric, or NULL */
	int max;		/* in: 1: higher is better; 0: lower */
	int64_t holder;		/* out: the alias's version before, 0: none */
	double old_value;	/* out: the holder's metric, NAN if unknown */
	double new_value;	/* out: the version's metric, NAN if unknown */
	int moved;		/* out: 1 if the alias points at version now */
};

/*
 * Point alias of name at m->version (0: the highest version), in one
 * write transaction.  With m->metric, only if the metric of the version's
 * run beats (strictly) that of the run behind the current holder; a
 * holder whose run lacks the metric is beaten by any value, no holder
 * too, and a version that is the holder already counts as moved.
 * Returns 0 with m->moved set, or -1: no such model or version, the
 * version's run lacks the metric (data errors), a bad name (usage).
 */
int pp_registry_alias_move(struct pp_registry *r, const char *name,
    const char *alias, struct pp_alias_move *m, struct pp_err *err);

/*
 * The best run of experiment by metric (lowest, or highest with max):
 * among live, FINISHED, top-level runs (a --grid's nested candidates carry
 * no model) with a value for it; ties to the newest.  Returns 0 with out
 * and *value, or -1 (a data error when no run qualifies).
 */
int pp_registry_best(struct pp_registry *r, const char *experiment,
    const char *metric, int max, char out[PP_RUN_ID_LEN + 1],
    double *value, struct pp_err *err);

/* What a model URI means now. */
/*
 * A run made before by the same job: the newest live, FINISHED, top-level
 * run of experiment whose tag tag is value and whose fingerprint (input
 * SHA-256) is fingerprint; its id in id and, with model non-NULL, the
 * newest version of model registered from it in *version (0: none).
 * Returns 1 found, 0 none, -1 with err set.
 */
int pp_registry_find_keyed(struct pp_registry *r, const char *experiment,
    const char *tag, const char *value, const char *fingerprint,
    const char *model, char id[PP_RUN_ID_LEN + 1], int64_t *version,
    struct pp_err *err);

struct pp_registry_ref {
	char *model;		/* registered model, or NULL for runs:/ */
	int64_t version;	/* model version, or 0 for runs:/ */
	char run_id[PP_RUN_ID_LEN + 1];
	char *artifact;		/* artifact name; NULL for a bare runs:/ID
				 * with no single artifact */
};

#define PP_REGISTRY_REF_INIT { NULL, 0, { 0 }, NULL }

void pp_registry_ref_release(struct pp_registry_ref *ref);

/* 1 if s looks like a registry URI (models:/ or runs:/), else 0: anything
 * else is a file path to callers that take both. */
int pp_registry_is_uri(const char *s);

/*
 * Resolve uri: models:/NAME/VERSION, models:/NAME@ALIAS,
 * models:/NAME/STAGE (the newest version in that stage), models:/NAME/latest
 * (the newest version), runs:/RUN_ID or runs:/RUN_ID/ARTIFACT.  Fills ref
 * (release it even on failure).  Returns 0 or -1: PP_EXIT_USAGE for a
 * malformed URI, PP_EXIT_DATA when it names nothing.
 */
int pp_registry_resolve(struct pp_registry *r, const char *uri,
    struct pp_registry_ref *ref, struct pp_err *err);

/* Resolve uri and read the artifact it names into out (checked as by
 * pp_registry_artifact_get).  ref may be NULL.  Returns 0 or -1. */
int pp_registry_load(struct pp_registry *r, const char *uri,
    struct pp_buf *out, struct pp_registry_ref *ref, struct pp_err *err);

/* ---- Listings ---------------------------------------------------------- */

/* A cell's kind, for output that cares (JSON numbers, right alignment). */
enum pp_cell_kind {
	PP_CELL_NULL,		/* missing: s is NULL */
	PP_CELL_TEXT,
	PP_CELL_NUM		/* s is a number as pp_fmt_double writes it */
};

/* A listing: named columns and rows of text cells, as the queries below
 * return them for display.  Owned by the caller. */
struct pp_reg_table {
	size_t ncols;
	size_t nrows;
	char **cols;		/* ncols names */
	char **cells;		/* nrows * ncols, row-major; NULL: missing */
	unsigned char *kinds;	/* enum pp_cell_kind per cell */
	size_t cap;		/* cells allocated */
};

#define PP_REG_TABLE_INIT { 0, 0, NULL, NULL, NULL, 0 }

void pp_reg_table_release(struct pp_reg_table *t);

/* Which runs pp_registry_runs lists. */
/*
 * Expand arg, a run id or a unique prefix of one (6 to 32 lowercase hex
 * digits, deleted runs included), into out.  A full id is copied
 * unchecked.  Fails with a usage error on a malformed arg, a data error
 * when no run or more than one matches (the message lists up to five).
 * runs:/ URIs take a prefix the same way.
 */
int pp_registry_run_expand(struct pp_registry *r, const char *arg,
    char out[PP_RUN_ID_LEN + 1], struct pp_err *err);

struct pp_run_query {
	const char *experiment;	/* only this experiment, or NULL: all */
	const char *filter;	/* MLflow search syntax (lib/registry_filter.h) or NULL */
	const char *order_by;	/* "KEY [ASC|DESC]" or NULL: newest first */
	long limit;		/* at most this many; 0: no limit */
	int deleted;		/* 0: live runs, 1: deleted ones only */
	int stale;		/* 1: only stale runs (see below) */
	int64_t stale_after_ms;	/* with stale: also runs silent this long */
	const char *columns;	/* "metrics.K,params.K,tags.K,...", or NULL */
	int nested;		/* 1: nested runs too; 0: top-level only */
	const char *parent;	/* only the children of this run, or NULL */
};

#define PP_RUN_QUERY_INIT { NULL, NULL, NULL, 0, 0, 0, 0, NULL, 0, NULL }

/*
 * List runs: run_id, experiment, name, status, start_time, end_time, user,
 * then one column per key of q->columns (its latest metric, param or tag
 * value; singular prefixes too), or by default one per metric that at
 * least half of the listed runs have (after the filter and the limit:
 * the columns fit the rows shown, and a search reads only the metrics of
 * the runs it finds); then the --order-by key if it is a metric, param
 * or tag not shown yet.
 * Top-level runs only unless q->nested or q->stale (a stale nested run is
 * still to be found), or the children of q->parent.
 * Times are ISO 8601 UTC.  A run is stale when it is RUNNING and its owner
 * process ran on this host and is gone, or (stale_after_ms > 0) nothing
 * was logged to it for that long.  Returns 0 or -1.
 */
int pp_registry_runs(struct pp_registry *r, const struct pp_run_query *q,
    struct pp_reg_table *t, struct pp_err *err);

/* Experiments: experiment_id, name, runs (live), creation_time. */
int pp_registry_experiments(struct pp_registry *r, struct pp_reg_table *t,
    struct pp_err *err);

/* One run as rows of kind, key, value: its attributes, then params, latest
 * metrics, tags and artifacts (value: size in bytes), each sorted by key. */
int pp_registry_show(struct pp_registry *r, const char *run_id,
    struct pp_reg_table *t, struct pp_err *err);

/* Runs side by side: a key column (run_id and the other attributes, then
 * params.K, metrics.K, tags.K over the union of keys) and one column per
 * run, headed by its name, or the first 8 digits of its id when another
 * compared run shares the name or it has none.  A metric that some run
 * logged more than once adds rows "metrics.K (min)" and "metrics.K
 * (count)" beside metrics.K, the last value. */
int pp_registry_compare(struct pp_registry *r, const char *const *ids,
    size_t n, struct pp_reg_table *t, struct pp_err *err);

/* A metric's history: step, value, timestamp, in logging order. */
int pp_registry_metric_history(struct pp_registry *r, const char *run_id,
    const char *key, struct pp_reg_table *t, struct pp_err *err);

/* A run's artifacts: name, size, stored (compressed bytes), sha256,
 * created. */
int pp_registry_artifacts(struct pp_registry *r, const char *run_id,
    struct pp_reg_table *t, struct pp_err *err);

/* Registered models: name, versions, latest_version, aliases, created. */
int pp_registry_models(struct pp_registry *r, struct pp_reg_table *t,
    struct pp_err *err);

/* A model's versions: version, stage, aliases, run_id, artifact, created,
 * user, description. */
int pp_registry_versions(struct pp_registry *r, const char *name,
    struct pp_reg_table *t, struct pp_err *err);

/* The audit log of stage and alias changes: time, user, model, version,
 * what ("stage" or "alias NAME"), from, to. */
int pp_registry_audit(struct pp_registry *r, const char *name,
    struct pp_reg_table *t, struct pp_err *err);

/* Everything logged to live runs, one row per value: run_id, experiment,
 * run_name, status, kind (param, metric, tag), key, value, step,
 * timestamp.  Metrics give their whole history. */
int pp_registry_export(struct pp_registry *r, struct pp_reg_table *t,
    struct pp_err *err);

/* The database under r and the name r was opened with, for
 * registry_copy.c, which moves rows below the registry's API. */
struct pp_db *pp_registry_db(struct pp_registry *r);
const char *pp_registry_name(const struct pp_registry *r);

#endif
