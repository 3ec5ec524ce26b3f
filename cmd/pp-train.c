/*
 * pp-train - fit a linear model or gradient-boosted trees to a frame,
 * validated chronologically.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "date.h"
#include "db.h"
#include "frame.h"
#include "input_hash.h"
#include "lineage.h"
#include "model.h"
#include "num.h"
#include "registry.h"
#include "run.h"
#include "split.h"
#include "train.h"
#include "banned.h"

static const char usage[] =
    "-m KIND --target COL [--features A,B,...] [--standardize] "
    "[--cv walkforward:K | --test-frac F] [-F FILE] [-e NAME] "
    "[--register NAME] [--idempotency-key KEY] [--no-registry] [--dry-run] "
    "[-o FILE] [FILE]\n"
    "--describe REF";

struct train_cmd {
	struct pp_train_opts t;	/* what to fit and how to validate */
	const char *output;	/* -o, or NULL for stdout */
	const char *describe;	/* --describe REF */
	const char *spec;	/* -F FILE */
	const char *input;	/* the frame, NULL for stdin */
	const char *experiment;	/* -e, or NULL for "default" */
	const char *register_as; /* --register NAME */
	const char *idem_key;	/* --idempotency-key KEY */
	int print_id;		/* --print-run-id */
	int no_registry;	/* --no-registry */
	int dry_run;		/* --dry-run: print the features, fit nothing */
	int have_kind;		/* -m given (--grid needs it first) */
	struct pp_kv *tags;	/* --tag K=V: keys owned, values in argv */
	size_t ntags, cap_tags;
};

static int
set_model(void *v, const char *a, struct pp_err *err)
{
	struct train_cmd *o = v;

	if (pp_model_kind_parse(a, &o->t.fit.kind) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "--model: unknown model "
		    "\"%s\" (ols, ridge, lasso, elasticnet, logistic, gbdt)",
		    a);
	o->have_kind = 1;
	return 0;
}

static int
set_cv(void *v, const char *a, struct pp_err *err)
{
	if (pp_split_parse_cv(a, v) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "--cv: bad value \"%s\": "
		    "expected walkforward:K with K from 2 to 1000", a);
	return 0;
}

static int
add_grid(void *v, const char *a, struct pp_err *err)
{
	struct train_cmd *o = v;

	if (!o->have_kind)
		return pp_err_set(err, PP_EXIT_USAGE, "--grid: give -m first");
	return pp_train_parse_grid(a, o->t.fit.kind, &o->t.grid, &o->t.ngrid,
	    err);
}

/* The tag a run made with --idempotency-key carries its key in. */
#define IDEM_TAG "idempotency_key"

/* Add tag key (owned) = value (borrowed) to the run's tags. */
static void
keep_tag(struct train_cmd *o, char *key, const char *value)
{
	pp_xgrow((void **)&o->tags, &o->cap_tags, o->ntags + 1,
	    sizeof(*o->tags));
	o->tags[o->ntags].key = key;
	o->tags[o->ntags++].value = value;
	o->t.tags = o->tags;
	o->t.ntags = o->ntags;
}

static int
add_tag(void *v, const char *a, struct pp_err *err)
{
	const char *eq = strchr(a, '=');

	if (eq == NULL || eq == a)
		return pp_err_set(err, PP_EXIT_USAGE, "--tag: bad value "
		    "\"%s\": want KEY=VALUE", a);
	keep_tag(v, pp_xstrndup(a, (size_t)(eq - a)), eq + 1);
	return 0;
}

static int
set_register(void *v, const char *a, struct pp_err *err)
{
	if (*a == '\0' || strpbrk(a, "/@") != NULL)
		return pp_err_set(err, PP_EXIT_USAGE, "--register: bad model "
		    "name \"%s\": not empty, no '/' or '@'", a);
	*(const char **)v = a;
	return 0;
}

/* gbdt's options apply to gbdt only, and the linear ones not to it; gbdt's
 * alpha (L1 on leaf weights) defaults to 0, the linear penalty to 1. */
static void
check_gbdt(const struct pp_cli *cli, struct train_cmd *o)
{
	static const char *const gb[] = { "n-estimators", "learning-rate",
		"max-depth", "min-child-weight", "subsample",
		"colsample-bytree", "lambda", "gamma", "seed", "threads",
		"objective", "early-stopping" };
	static const char *const lin[] = { "l1-ratio", "C", "standardize",
		"max-iter" };
	int gbdt = o->t.fit.kind == PP_MODEL_GBDT;
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(gb); i++)
		if (!gbdt && pp_cli_given(cli, gb[i]))
			pp_cli_usage_error("--%s applies to gbdt only", gb[i]);
	for (i = 0; i < PP_ARRAY_SIZE(lin); i++)
		if (gbdt && pp_cli_given(cli, lin[i]))
			pp_cli_usage_error("--%s does not apply to gbdt", lin[i]);
	if (gbdt)
		o->t.gb.alpha = pp_cli_given(cli, "alpha") ? o->t.fit.alpha : 0;
	if (gbdt && o->t.objective != NULL && strncmp(o->t.objective, "reg:",
	    4) != 0 && strncmp(o->t.objective, "binary:", 7) != 0)
		pp_cli_usage_error("--objective: \"%s\": want a reg: or "
		    "binary: objective", o->t.objective);
}

/* The checks between options, in the order their messages are tested. */
static void
check_options(const struct pp_cli *cli, struct train_cmd *o)
{
	if (o->describe != NULL) {
		if (o->input != NULL || o->have_kind || o->t.target != NULL ||
		    o->print_id || o->register_as != NULL || o->dry_run)
			pp_cli_usage_error("--describe takes no other input");
		return;
	}
	if (o->dry_run && o->print_id)
		pp_cli_usage_error("--dry-run excludes --print-run-id");
	if (o->no_registry && (o->experiment != NULL ||
	    o->register_as != NULL || o->print_id || o->t.run_name != NULL ||
	    o->ntags > 0))
		pp_cli_usage_error("--no-registry excludes --experiment, "
		    "--register, --print-run-id, --run-name and --tag");
	if (o->no_registry && o->idem_key != NULL)
		pp_cli_usage_error("--idempotency-key needs the registry: not "
		    "with --no-registry");
	if (o->print_id && o->output == NULL)
		pp_cli_usage_error("--print-run-id: stdout is for the run id: "
		    "give -o FILE");
	if (!o->have_kind)
		pp_cli_usage_error("no model: give -m KIND");
	if (o->t.target == NULL)
		pp_cli_usage_error("no target: give --target COL");
	pp_cli_excludes(cli, "features", "features-regex");
	pp_cli_excludes(cli, "cv", "test-frac");
	if ((o->t.split.folds == 0 && o->t.split.test_frac == 0) &&
	    (o->t.ngrid > 0 || o->t.split.gap > 0 || o->t.split.embargo > 0 ||
	    o->t.split.max_train > 0))
		pp_cli_usage_error("--grid, --gap, --embargo and --max-train "
		    "need --cv or --test-frac");
	if (!pp_cli_given(cli, "gap"))
		o->t.split.gap = o->t.horizon;
	check_gbdt(cli, o);
	if ((pp_cli_given(cli, "alpha") && (o->t.fit.kind == PP_MODEL_OLS ||
	    o->t.fit.kind == PP_MODEL_LOGISTIC)) ||
	    (pp_cli_given(cli, "l1-ratio") && o->t.fit.kind != PP_MODEL_ENET) ||
	    (pp_cli_given(cli, "C") && o->t.fit.kind != PP_MODEL_LOGISTIC))
		pp_cli_usage_error("a parameter given does not apply to %s",
		    pp_model_kind_name(o->t.fit.kind));
	if (o->output == NULL && !o->dry_run && isatty(STDOUT_FILENO))
		pp_cli_usage_error("not writing a model to a terminal: give -o "
		    "FILE or redirect stdout");
}

static void
parse_options(int argc, char *argv[], struct pp_cli *cli,
    struct train_cmd *o)
{
	const struct pp_option opts[] = {
		PP_OPT_CALLBACK('m', "model", o, set_model, "KIND",
		    "ols, ridge, lasso, elasticnet or logistic"),
		PP_OPT_STRING('t', "target", &o->t.target, "COL",
		    "the column to predict"),
		PP_OPT_STRING(0, "features", &o->t.features, "A,B,...",
		    "feature columns (default: the spec's features, else every "
		    "number column but the target, raw bars and "
		    "--targets-like)"),
		PP_OPT_STRING(0, "features-regex", &o->t.features_re, "RE",
		    "feature columns whose names match RE"),
		PP_OPT_STRING(0, "exclude", &o->t.exclude, "A,B,...",
		    "columns never used as features"),
		PP_OPT_STRING(0, "targets-like", &o->t.targets_like, "RE",
		    "columns matching RE are other targets, never default "
		    "features"),
		PP_OPT_DOUBLE(0, "alpha", &o->t.fit.alpha, 0, 1e300, "A",
		    "penalty of ridge, lasso, elasticnet (default 1); gbdt: "
		    "L1 on leaf weights (default 0)"),
		PP_OPT_DOUBLE(0, "l1-ratio", &o->t.fit.l1_ratio, 0, 1, "R",
		    "elasticnet L1 share in [0,1] (default 0.5)"),
		PP_OPT_DOUBLE(0, "C", &o->t.fit.C, 1e-300, 1e300, "C",
		    "logistic inverse penalty (default 1)"),
		PP_OPT_LONG(0, "n-estimators", &o->t.gb.n_estimators, 1,
		    100000, "N", "gbdt: boosting rounds (default 300)"),
		PP_OPT_DOUBLE(0, "learning-rate", &o->t.gb.learning_rate,
		    1e-300, 1, "ETA", "gbdt: shrinkage per round (default "
		    "0.05)"),
		PP_OPT_LONG(0, "max-depth", &o->t.gb.max_depth, 1, 64, "N",
		    "gbdt: depth of each tree (default 4)"),
		PP_OPT_DOUBLE(0, "min-child-weight", &o->t.gb.min_child_weight,
		    0, 1e300, "W", "gbdt: least hessian sum in a leaf "
		    "(default 1)"),
		PP_OPT_DOUBLE(0, "subsample", &o->t.gb.subsample, 1e-300, 1,
		    "F", "gbdt: share of rows sampled per tree (default 1)"),
		PP_OPT_DOUBLE(0, "colsample-bytree", &o->t.gb.colsample_bytree,
		    1e-300, 1, "F", "gbdt: share of features sampled per tree "
		    "(default 1)"),
		PP_OPT_DOUBLE(0, "lambda", &o->t.gb.lambda, 0, 1e300, "L",
		    "gbdt: L2 on leaf weights (default 1)"),
		PP_OPT_DOUBLE(0, "gamma", &o->t.gb.gamma, 0, 1e300, "G",
		    "gbdt: least loss reduction to split (default 0)"),
		PP_OPT_LONG(0, "seed", &o->t.gb.seed, 0, 2147483647, "N",
		    "gbdt: random seed (default 0)"),
		PP_OPT_LONG(0, "threads", &o->t.gb.threads, 0, 1024, "N",
		    "gbdt: threads (default 0: every processor)"),
		PP_OPT_STRING(0, "objective", &o->t.objective, "OBJ",
		    "gbdt: XGBoost objective (default binary:logistic for a "
		    "0/1 target, else reg:squarederror)"),
		PP_OPT_LONG(0, "early-stopping", &o->t.gb.early_stopping, 1,
		    100000, "N", "gbdt: stop after N rounds without "
		    "improvement on the training rows' last fifth of dates"),
		PP_OPT_FLAG(0, "standardize", &o->t.fit.standardize,
		    "scale features to mean 0, variance 1 first"),
		PP_OPT_FLAG(0, "strict", &o->t.strict,
		    "a missing value is an error, not a dropped row"),
		PP_OPT_DOUBLE(0, "test-frac", &o->t.split.test_frac, 1e-9,
		    1 - 1e-9, "F", "hold out the last fraction F of the dates"),
		PP_OPT_CALLBACK(0, "cv", &o->t.split.folds, set_cv,
		    "walkforward:K", "K walk-forward folds over the dates"),
		PP_OPT_LONG(0, "max-train", &o->t.split.max_train, 1, 100000000,
		    "N", "rolling training window of N dates"),
		PP_OPT_LONG(0, "gap", &o->t.split.gap, 0, 100000000, "N",
		    "dates purged between training and test"),
		PP_OPT_LONG(0, "embargo", &o->t.split.embargo, 0, 100000000,
		    "N", "dates after each test fold kept out of training"),
		PP_OPT_LONG(0, "horizon", &o->t.horizon, 1, 100000000, "N",
		    "the target looks N dates ahead (default gap: N)"),
		PP_OPT_STRING('F', "spec", &o->spec, "FILE",
		    "the feature spec of a CSV frame (binary frames carry "
		    "theirs)"),
		PP_OPT_CALLBACK(0, "grid", o, add_grid, "P=V,...",
		    "try each value of P, keep the best (repeatable)"),
		PP_OPT_LONG(0, "max-iter", &o->t.fit.max_iter, 1, 100000000,
		    "N", "solver iteration cap (default 100000)"),
		PP_OPT_STRING(0, "describe", &o->describe, "REF",
		    "print the model REF (file or URI) and exit"),
		PP_OPT_STRING('e', "experiment", &o->experiment, "NAME",
		    "log the run in experiment NAME (default \"default\")",
		    .empty = "name"),
		PP_OPT_STRING(0, "run-name", &o->t.run_name, "NAME",
		    "name the run NAME (default: the model kind)",
		    .empty = "name"),
		PP_OPT_CALLBACK(0, "tag", o, add_tag, "K=V",
		    "set tag K of the run to V (repeatable)"),
		PP_OPT_CALLBACK(0, "register", &o->register_as, set_register,
		    "NAME", "register the model as a version of NAME"),
		PP_OPT_STRING(0, "idempotency-key", &o->idem_key, "KEY",
		    "a rerun with KEY on the same input reuses the run, model "
		    "and version", .empty = "key"),
		PP_OPT_FLAG(0, "print-run-id", &o->print_id,
		    "print the run id on stdout (the model goes to -o)"),
		PP_OPT_FLAG(0, "no-registry", &o->no_registry,
		    "do not log the run to a registry"),
		PP_OPT_FLAG(0, "dry-run", &o->dry_run,
		    "print the feature columns on stdout; fit and log nothing"),
		PP_OPT_STRING('o', "output", &o->output, "FILE",
		    "write the model to FILE (atomically)",
		    .empty = "file name"),
		PP_OPT_END
	};
	int i;

	pp_cli_init_options(cli, argv[0], usage, opts,
	    PP_CLI_INPUT | PP_CLI_PROGRESS | PP_CLI_REGISTRY);
	i = pp_cli_parse(cli, argc, argv);
	if (o->output != NULL && strcmp(o->output, "-") == 0)
		o->output = NULL;
	if (argc - i > 1)
		pp_cli_usage_error("one input frame at most");
	if (argc > i)
		o->input = argv[i];
	check_options(cli, o);
	if (o->idem_key != NULL)	/* the run carries its key */
		keep_tag(o, pp_xstrdup(IDEM_TAG), o->idem_key);
}

static int
describe(const char *ref, const char *registry, struct pp_err *err)
{
	struct pp_model *m = pp_model_open(ref, registry, err);
	struct pp_buf b = PP_BUF_INIT;
	int rc = 0;

	if (m == NULL)
		return -1;
	pp_model_describe(m, &b);
	if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0)
		rc = pp_err_set(err, PP_EXIT_DATA, "<stdout>: write error");
	pp_buf_release(&b);
	pp_model_free(m);
	return rc;
}

static const char *
num(char *b, double x)
{
	if (isnan(x))
		return "nan";
	pp_fmt_double(b, x);
	return b;
}

/* The report on stderr: the features, dropped rows, warnings, folds and
 * their means. */
static void
report(const struct pp_train_result *r, const struct pp_train_opts *t,
    int quiet)
{
	size_t i, k;

	if (!quiet) {
		fprintf(stderr, "%s: features:", pp_progname);
		for (i = 0; i < r->model->nfeat; i++)
			fprintf(stderr, "%s%s", i > 0 ? "," : " ",
			    r->model->features[i]);
		fputc('\n', stderr);
	}
	if (r->rows_dropped > 0)
		pp_cli_warn("dropped %zu of %zu rows with a missing or infinite "
		    "value", r->rows_dropped, r->rows_read);
	for (i = 0; i < r->nwarn; i++)
		pp_cli_warn("%s", r->warn[i]);
	if (r->best_iteration >= 0 && !quiet)
		fprintf(stderr, "%s: early stopping: best iteration %ld of %ld "
		    "rounds\n", pp_progname, r->best_iteration,
		    r->cand[r->best].gb.n_estimators);
	if (quiet)
		return;		/* folds and candidates are progress */
	for (i = 0; i < r->ncand && r->nfolds > 0; i++) {
		const struct pp_candidate *cd = &r->cand[i];
		const char *sep = cd->label[0] != '\0' ? " " : "";
		char b1[PP_DBL_BUFSZ], b2[PP_DBL_BUFSZ];

		for (k = 0; k < r->nfolds; k++) {
			const struct pp_fold_report *f = &cd->folds[k];
			char d[4][PP_DATE_BUFSZ];

			pp_train_fmt_date(r, f->train_first, d[0]);
			pp_train_fmt_date(r, f->train_last, d[1]);
			pp_train_fmt_date(r, f->test_first, d[2]);
			pp_train_fmt_date(r, f->test_last, d[3]);
			fprintf(stderr, "%s: %s%sfold %zu/%zu: train %s..%s "
			    "(%zu rows), test %s..%s (%zu rows): %s %s, "
			    "%s %s\n", pp_progname, cd->label, sep, k + 1,
			    r->nfolds, d[0], d[1], f->ntrain, d[2], d[3],
			    f->ntest, r->metric, num(b1, f->metric),
			    r->metric2, num(b2, f->metric2));
		}
		fprintf(stderr, "%s: %s%s%s: %s %s, %s %s\n", pp_progname,
		    cd->label, sep, t->split.folds > 0 ? "mean" : "test",
		    r->metric, num(b1, cd->mean), r->metric2,
		    num(b2, cd->mean2));
	}
	if (r->ncand > 1)
		fprintf(stderr, "%s: best %s\n", pp_progname,
		    r->cand[r->best].label);
}

/* Start the run, saying its id on stderr; a signal then ends it KILLED. */
static int
run_begin(struct pp_run *run, const struct train_cmd *o,
    const struct pp_cli *cli, const char *fingerprint, int argc,
    char *argv[], struct pp_err *err)
{
	const char *experiment = o->experiment ? o->experiment : "default";
	struct pp_buf cmd = PP_BUF_INIT;
	int rc;

	pp_train_command_line(argc, argv, &cmd);
	rc = pp_train_run_start(run, cli->c.registry, experiment, &o->t,
	    cmd.data, fingerprint, err);
	pp_buf_release(&cmd);
	if (rc == 0)
		pp_cli_note_created(cli, pp_registry_created(run->reg));
	if (rc == 0 && !cli->c.quiet)
		fprintf(stderr, "%s: run %s in experiment \"%s\"\n",
		    pp_progname, run->id, experiment);
	if (rc == 0)
		(void)pp_cli_guard_run(run);
	return rc;
}

/*
 * Publish, in run.h's order: log the result and the model artifact, print
 * the run id, flush and sync the model, register it and finish the run,
 * and last rename the model into place.  Whatever fails on the way ends
 * the run FAILED (main) with no -o file and no version.
 */
static int
publish(struct pp_run *run, const struct train_cmd *o, struct pp_out *out,
    const struct pp_train_result *res, const char *sha256,
    const struct pp_buf *model, int quiet, struct pp_err *err)
{
	const char *experiment = o->experiment ? o->experiment : "default";
	int64_t version = 0;

	if (pp_run_active(run) && (pp_train_log_result(run->reg, experiment,
	    run->id, &o->t, res, sha256, err) == -1 ||
	    pp_registry_artifact_put(run->reg, run->id, "model.ppm",
	    model->data, model->len, err) == -1))
		return -1;
	if (o->print_id && (printf("%s\n", run->id) < 0 ||
	    fflush(stdout) != 0))
		return pp_err_set(err, PP_EXIT_DATA, "<stdout>: write error");
	if (pp_out_flush(out, err) == -1)
		return -1;
	if (pp_run_active(run) && pp_run_finish(run, o->register_as,
	    "model.ppm", &version, err) == -1)
		return -1;
	if (pp_out_commit(out, err) == -1)
		return -1;
	if (o->register_as != NULL && !quiet)
		fprintf(stderr, "%s: registered model \"%s\" version %lld\n",
		    pp_progname, o->register_as, (long long)version);
	return 0;
}

/* Hand out what an earlier run made: its model to -o, its id to stdout
 * (--print-run-id), and the version of --register (made now if the
 * earlier run was not registered under that name). */
static int
reuse(struct pp_registry *reg, const struct train_cmd *o, const char *id,
    int64_t version, struct pp_out *out, int quiet, struct pp_err *err)
{
	struct pp_buf model = PP_BUF_INIT;
	int rc = -1;

	if (pp_registry_artifact_get(reg, id, "model.ppm", &model, err) == -1)
		goto out;
	if (fwrite(model.data, 1, model.len, out->fp) != model.len) {
		pp_err_errno(err, errno, "%s: write", o->output ? o->output
		    : "<stdout>");
		goto out;
	}
	if (o->print_id && (printf("%s\n", id) < 0 || fflush(stdout) != 0)) {
		pp_err_set(err, PP_EXIT_DATA, "<stdout>: write error");
		goto out;
	}
	if (pp_out_flush(out, err) == -1)
		goto out;
	if (o->register_as != NULL && version == 0 &&
	    pp_registry_register(reg, o->register_as, id, "model.ppm", NULL,
	    &version, err) == -1)
		goto out;
	if (pp_out_commit(out, err) == -1)
		goto out;
	if (!quiet)
		fprintf(stderr, "%s: idempotency key \"%s\": reusing run %s, "
		    "made before from the same input\n", pp_progname,
		    o->idem_key, id);
	if (o->register_as != NULL && !quiet)
		fprintf(stderr, "%s: registered model \"%s\" version %lld\n",
		    pp_progname, o->register_as, (long long)version);
	rc = 0;
out:
	pp_buf_release(&model);
	return rc;
}

/*
 * --idempotency-key: a job run again (an Airflow task retried with the
 * same ds) on the same bytes must not make a second run and version.  The
 * input's SHA-256 is known before training (a file is hashed first), so
 * the registry is asked for a finished run with the key and that digest
 * before any work.  Returns 1 (reused), 0 (none: train) or -1.  Two jobs
 * started at once with one key may both train: a retry, not a race, is
 * what this is for.
 */
static int
replay(const struct train_cmd *o, const struct pp_cli *cli,
    const char *sha256, struct pp_out *out, struct pp_err *err)
{
	const char *experiment = o->experiment ? o->experiment : "default";
	struct pp_registry *reg;
	char id[PP_RUN_ID_LEN + 1];
	int64_t version = 0;
	int found, server;

	if (sha256[0] == '\0')
		return pp_err_set(err, PP_EXIT_USAGE, "--idempotency-key: the "
		    "input must be a file, not a pipe: its SHA-256 is needed "
		    "before training");
	/* No registry file yet: nothing was made.  A server's database is
	 * always there (access() knew no URL, so every retry trained
	 * again): it is opened as training would open it next. */
	server = pp_db_is_url(cli->c.registry);
	if (!server && access(cli->c.registry, F_OK) != 0)
		return 0;
	if ((reg = pp_registry_open(cli->c.registry, server ? PP_REG_CREATE :
	    0, err)) == NULL)
		return -1;
	found = pp_registry_find_keyed(reg, experiment, IDEM_TAG, o->idem_key,
	    sha256, o->register_as, id, &version, err);
	if (found == 1 && reuse(reg, o, id, version, out, cli->c.quiet,
	    err) == -1)
		found = -1;
	pp_registry_close(reg);
	return found;
}

static void
show_rows(size_t n)
{
	pp_cli_progress(n, "rows read", 0);
}

/* Open the input (hashed for the registry's fingerprint) and the output
 * (none for --dry-run). */
static int
open_files(const struct train_cmd *o, const struct pp_cli *cli,
    struct pp_input_hash *hin, struct pp_reader **in, struct pp_out *out,
    struct pp_err *err)
{
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	int hash = !o->no_registry && !o->dry_run;

	ro.delim = cli->c.delim;
	if (pp_input_hash_open(hin, o->input, hash, err) == -1)
		return -1;
	if ((*in = pp_reader_fopen(hin->fp, pp_in_name(o->input), &ro,
	    err)) == NULL)
		return -1;
	return o->dry_run ? 0 : pp_out_open(out, o->output, err);
}

/*
 * A split needs the target's horizon.  A target that looks N dates ahead
 * (lead(x, N)) is made of the first N test dates in the last training
 * rows, so N dates must be purged between training and test or the
 * scores are of the future.  Unknown, the horizon is not guessed as 0.
 */
static int
check_gap(const struct pp_cli *cli, const struct train_cmd *o,
    struct pp_err *err)
{
	if ((o->t.split.folds == 0 && o->t.split.test_frac == 0) ||
	    pp_cli_given(cli, "gap") || o->t.horizon > 0)
		return 0;
	return pp_err_set(err, PP_EXIT_USAGE, "%s: the target's horizon is "
	    "unknown: give --horizon N or --gap N (a target that looks N "
	    "dates ahead needs N dates purged before each test)",
	    o->t.split.folds > 0 ? "--cv" : "--test-frac");
}

/* --dry-run: the feature columns on stdout, as --features takes them. */
static int
dry_run(const struct pp_reader *in, const struct train_cmd *o,
    struct pp_err *err)
{
	struct pp_buf b = PP_BUF_INIT;
	int rc = -1;

	if (pp_train_features(pp_reader_schema(in), &o->t, &b, err) == -1) {
		pp_err_prefix(err, "%s", pp_reader_name(in));
		goto out;
	}
	pp_buf_addc(&b, '\n');
	if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
		pp_err_set(err, PP_EXIT_DATA, "<stdout>: write error");
		goto out;
	}
	rc = 0;
out:
	pp_buf_release(&b);
	return rc;
}

/*
 * What ends the command before a run starts: --dry-run prints the feature
 * columns; an --idempotency-key already used on this input replays its
 * run's outputs.  1 when done, 0 to go on, -1 on error.
 */
static int
done_early(const struct pp_reader *in, const struct train_cmd *o,
    const struct pp_cli *cli, const struct pp_input_hash *hin,
    struct pp_out *out, struct pp_err *err)
{
	if (o->dry_run)
		return dry_run(in, o, err) == 0 ? 1 : -1;
	if (o->idem_key != NULL)
		return replay(o, cli, hin->hex, out, err);
	return 0;
}

/* The command line's allocations (tags, the grid). */
static void
train_cmd_release(struct train_cmd *o)
{
	size_t i;

	pp_train_grid_free(o->t.grid, o->t.ngrid);
	for (i = 0; i < o->ntags; i++)
		free((char *)o->tags[i].key);
	free(o->tags);
}

/* Read and fit, then say what happened on stderr. */
static int
train(struct pp_reader *in, const struct train_cmd *o,
    struct pp_input_hash *hin, struct pp_train_result *res, int quiet,
    struct pp_err *err)
{
	if (pp_train_run(in, &o->t, res, err) == -1)
		return -1;
	pp_cli_progress(res->rows_read, "rows read", 1);
	if (pp_input_hash_finish(hin, pp_in_name(o->input), err) == -1)
		return -1;
	report(res, &o->t, quiet);
	return 0;
}

/* Encode the model, stamped with the run's id, and write it out (not yet
 * flushed: publish does that). */
static int
write_model(const struct train_cmd *o, const struct pp_run *run,
    struct pp_train_result *res, struct pp_out *out, struct pp_buf *model,
    struct pp_err *err)
{
	if (pp_run_active(run))
		pp_model_meta_set(res->model, "run_id", run->id);
	pp_model_encode(res->model, model);
	if (fwrite(model->data, 1, model->len, out->fp) != model->len)
		return pp_err_errno(err, errno, "%s: write", o->output ?
		    o->output : "<stdout>");
	return 0;
}

int
main(int argc, char *argv[])
{
	struct train_cmd o = { .t = { .fit = PP_FIT_OPTS_INIT,
	    .gb = PP_GBDT_PARAMS_INIT } };
	struct pp_cli cli;
	struct pp_err err = PP_ERR_INIT;
	struct pp_train_result res;
	struct pp_out out = PP_OUT_INIT;
	struct pp_input_hash hin = PP_INPUT_HASH_INIT;
	struct pp_reader *in = NULL;
	struct pp_buf model = PP_BUF_INIT;
	struct pp_run run = PP_RUN_INIT;
	struct pp_lineage_train lt = PP_LINEAGE_TRAIN_INIT;
	int rc = PP_EXIT_DATA, done;

	pp_train_result_init(&res);
	parse_options(argc, argv, &cli, &o);
	o.t.progress = show_rows;

	if (o.describe != NULL) {
		if (describe(o.describe, cli.c.registry, &err) == 0)
			rc = PP_EXIT_OK;
		goto out;
	}
	if (open_files(&o, &cli, &hin, &in, &out, &err) == -1)
		goto out;
	if (pp_lineage_train_begin(&lt, in, o.spec, &o.t,
	    pp_cli_given(&cli, "gap"), &err) == -1)
		goto out;
	if (check_gap(&cli, &o, &err) == -1)
		goto out;
	if ((done = done_early(in, &o, &cli, &hin, &out, &err)) != 0) {
		rc = done == 1 ? PP_EXIT_OK : rc;
		goto out;
	}
	if (!o.no_registry && run_begin(&run, &o, &cli,
	    hin.hex[0] ? hin.hex : NULL, argc, argv, &err) == -1)
		goto out;
	if (train(in, &o, &hin, &res, cli.c.quiet, &err) == -1 ||
	    pp_lineage_train_model(&lt, res.model, o.t.horizon, &err) == -1)
		goto out;
	if (write_model(&o, &run, &res, &out, &model, &err) == -1)
		goto out;
	/* Log and publish without a signal's KILLED in between. */
	pp_cli_finish_begin();
	if (publish(&run, &o, &out, &res, hin.hex, &model, cli.c.quiet,
	    &err) == -1)
		goto out;
	rc = PP_EXIT_OK;
out:
	pp_cli_finish_begin();
	if (rc != PP_EXIT_OK) {
		rc = pp_cli_exit_status(&err);
		pp_cli_report(&err);
		pp_cli_fail_run(&run, &err);
	}
	pp_out_abort(&out);
	pp_reader_free(in);
	pp_input_hash_close(&hin);
	pp_run_release(&run);
	pp_buf_release(&model);
	pp_train_result_release(&res);
	pp_lineage_train_release(&lt);
	train_cmd_release(&o);
	pp_cli_release(&cli);
	pp_cli_finish_end();
	return rc;
}
