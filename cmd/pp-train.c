/*
 * pp-train - fit a linear model to a frame, validated chronologically.
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
#include "lineage.h"
#include "date.h"
#include "frame.h"
#include "hashin.h"
#include "model.h"
#include "num.h"
#include "registry.h"
#include "split.h"
#include "train.h"
#include "banned.h"

enum {
	OPT_FEATURES = PP_OPT_FIRST,
	OPT_FEATURES_RE,
	OPT_EXCLUDE,
	OPT_ALPHA,
	OPT_L1,
	OPT_C,
	OPT_STANDARDIZE,
	OPT_STRICT,
	OPT_TESTFRAC,
	OPT_CV,
	OPT_MAXTRAIN,
	OPT_GAP,
	OPT_EMBARGO,
	OPT_GRID,
	OPT_MAXITER,
	OPT_DESCRIBE,
	OPT_NOREG,
	OPT_REGISTER,
	OPT_PRINTID,
	OPT_HORIZON
};

static const struct pp_opt opts[] = {
	{ "model", 'm', "KIND", "ols, ridge, lasso, elasticnet or logistic" },
	{ "target", 't', "COL", "the column to predict" },
	{ "features", OPT_FEATURES, "A,B,...", "feature columns (default: "
	    "every number column but the target)" },
	{ "features-regex", OPT_FEATURES_RE, "RE", "feature columns whose "
	    "names match RE" },
	{ "exclude", OPT_EXCLUDE, "A,B,...", "columns never used as features" },
	{ "alpha", OPT_ALPHA, "A", "penalty of ridge, lasso, elasticnet "
	    "(default 1)" },
	{ "l1-ratio", OPT_L1, "R", "elasticnet L1 share in [0,1] (default "
	    "0.5)" },
	{ "C", OPT_C, "C", "logistic inverse penalty (default 1)" },
	{ "standardize", OPT_STANDARDIZE, NULL, "scale features to mean 0, "
	    "variance 1 first" },
	{ "strict", OPT_STRICT, NULL, "a missing value is an error, not a "
	    "dropped row" },
	{ "test-frac", OPT_TESTFRAC, "F", "hold out the last fraction F of "
	    "the dates" },
	{ "cv", OPT_CV, "walkforward:K", "K walk-forward folds over the dates" },
	{ "max-train", OPT_MAXTRAIN, "N", "rolling training window of N "
	    "dates" },
	{ "gap", OPT_GAP, "N", "dates purged between training and test" },
	{ "embargo", OPT_EMBARGO, "N", "dates after each test fold kept out "
	    "of training" },
	{ "horizon", OPT_HORIZON, "N", "the target looks N dates ahead "
	    "(default gap: N)" },
	{ "spec", 'F', "FILE", "the feature spec of a CSV frame (binary "
	    "frames carry theirs)" },
	{ "grid", OPT_GRID, "P=V,...", "try each value of P, keep the best "
	    "(repeatable)" },
	{ "max-iter", OPT_MAXITER, "N", "solver iteration cap (default "
	    "100000)" },
	{ "describe", OPT_DESCRIBE, "REF", "print the model REF (file or URI) "
	    "and exit" },
	{ "experiment", 'e', "NAME", "log the run in experiment NAME "
	    "(default \"default\")" },
	{ "register", OPT_REGISTER, "NAME", "register the model as a version "
	    "of NAME" },
	{ "print-run-id", OPT_PRINTID, NULL, "print the run id on stdout (the "
	    "model goes to -o)" },
	{ "no-registry", OPT_NOREG, NULL, "do not log the run to a registry" },
	{ "output", 'o', "FILE", "write the model to FILE (atomically)" },
	{ NULL, 0, NULL, NULL }
};

struct train_cmd {
	struct pp_train_opts t;	/* what to fit and how to validate */
	const char *output;	/* -o, or NULL for stdout */
	const char *describe;	/* --describe REF */
	const char *spec;	/* -F FILE */
	const char *input;	/* the frame, NULL for stdin */
	const char *experiment;	/* -e, or NULL for "default" */
	const char *register_as; /* --register NAME */
	int print_id;		/* --print-run-id */
	int no_registry;	/* --no-registry */
	int set_gap;		/* --gap given */
	int have_kind;
	int set_alpha, set_l1, set_c; /* parameters given explicitly */
};

static void
parse_options(int argc, char *argv[], struct pp_cli *cli,
    struct train_cmd *o)
{
	struct pp_err err = PP_ERR_INIT;
	int c;

	while ((c = pp_cli_next(cli, argc, argv)) != -1) {
		const char *a = cli->optarg;

		switch (c) {
		case 'm':
			if (pp_model_kind_parse(a, &o->t.fit.kind) == -1)
				pp_cli_usage_error("--model: unknown model "
				    "\"%s\" (ols, ridge, lasso, elasticnet, "
				    "logistic)", a);
			o->have_kind = 1;
			break;
		case 't':
			o->t.target = a;
			break;
		case OPT_FEATURES:
			o->t.features = a;
			break;
		case OPT_FEATURES_RE:
			o->t.features_re = a;
			break;
		case OPT_EXCLUDE:
			o->t.exclude = a;
			break;
		case OPT_ALPHA:
			o->t.fit.alpha = pp_cli_double("alpha", a, 0, 1e300);
			o->set_alpha = 1;
			break;
		case OPT_L1:
			o->t.fit.l1_ratio = pp_cli_double("l1-ratio", a, 0, 1);
			o->set_l1 = 1;
			break;
		case OPT_C:
			o->t.fit.C = pp_cli_double("C", a, 1e-300, 1e300);
			o->set_c = 1;
			break;
		case OPT_STANDARDIZE:
			o->t.fit.standardize = 1;
			break;
		case OPT_STRICT:
			o->t.strict = 1;
			break;
		case OPT_TESTFRAC:
			o->t.split.test_frac = pp_cli_double("test-frac", a,
			    1e-9, 1 - 1e-9);
			break;
		case OPT_CV:
			if (pp_split_parse_cv(a, &o->t.split.folds) == -1)
				pp_cli_usage_error("--cv: bad value \"%s\": "
				    "expected walkforward:K with K from 2 to "
				    "1000", a);
			break;
		case OPT_MAXTRAIN:
			o->t.split.max_train = pp_cli_long("max-train", a, 1,
			    100000000);
			break;
		case OPT_GAP:
			o->t.split.gap = pp_cli_long("gap", a, 0, 100000000);
			o->set_gap = 1;
			break;
		case OPT_HORIZON:
			o->t.horizon = pp_cli_long("horizon", a, 1, 100000000);
			break;
		case 'e':
			if (*a == '\0')
				pp_cli_usage_error("--experiment: empty name");
			o->experiment = a;
			break;
		case OPT_REGISTER:
			if (*a == '\0' || strpbrk(a, "/@") != NULL)
				pp_cli_usage_error("--register: bad model name "
				    "\"%s\": not empty, no '/' or '@'", a);
			o->register_as = a;
			break;
		case OPT_PRINTID:
			o->print_id = 1;
			break;
		case OPT_EMBARGO:
			o->t.split.embargo = pp_cli_long("embargo", a, 0,
			    100000000);
			break;
		case OPT_GRID:
			if (!o->have_kind)
				pp_cli_usage_error("--grid: give -m first");
			if (pp_train_parse_grid(a, o->t.fit.kind, &o->t.grid,
			    &o->t.ngrid, &err) == -1)
				pp_cli_usage_error("%s", err.msg);
			break;
		case OPT_MAXITER:
			o->t.fit.max_iter = pp_cli_long("max-iter", a, 1,
			    100000000);
			break;
		case 'F':
			o->spec = a;
			break;
		case OPT_DESCRIBE:
			o->describe = a;
			break;
		case OPT_NOREG:
			o->no_registry = 1;
			break;
		case 'o':
			if (*a == '\0')
				pp_cli_usage_error("--output: empty file name");
			o->output = strcmp(a, "-") == 0 ? NULL : a;
			break;
		default:
			pp_cli_usage_error("unknown option");
		}
	}
	if (argc - cli->optind > 1)
		pp_cli_usage_error("one input frame at most");
	if (argc > cli->optind)
		o->input = argv[cli->optind];
	if (o->describe != NULL) {
		if (o->input != NULL || o->have_kind || o->t.target != NULL ||
		    o->print_id || o->register_as != NULL)
			pp_cli_usage_error("--describe takes no other input");
		return;
	}
	if (o->no_registry && (o->experiment != NULL ||
	    o->register_as != NULL || o->print_id))
		pp_cli_usage_error("--no-registry excludes --experiment, "
		    "--register and --print-run-id");
	if (o->print_id && o->output == NULL)
		pp_cli_usage_error("--print-run-id: stdout is for the run id: "
		    "give -o FILE");
	if (!o->have_kind)
		pp_cli_usage_error("no model: give -m KIND");
	if (o->t.target == NULL)
		pp_cli_usage_error("no target: give --target COL");
	if (o->t.features != NULL && o->t.features_re != NULL)
		pp_cli_usage_error("--features and --features-regex exclude "
		    "each other");
	if (o->t.split.folds > 0 && o->t.split.test_frac > 0)
		pp_cli_usage_error("--cv and --test-frac exclude each other");
	if ((o->t.split.folds == 0 && o->t.split.test_frac == 0) &&
	    (o->t.ngrid > 0 || o->t.split.gap > 0 || o->t.split.embargo > 0 ||
	    o->t.split.max_train > 0))
		pp_cli_usage_error("--grid, --gap, --embargo and --max-train "
		    "need --cv or --test-frac");
	if (!o->set_gap)
		o->t.split.gap = o->t.horizon;
	if ((o->set_alpha && (o->t.fit.kind == PP_MODEL_OLS ||
	    o->t.fit.kind == PP_MODEL_LOGISTIC)) ||
	    (o->set_l1 && o->t.fit.kind != PP_MODEL_ENET) ||
	    (o->set_c && o->t.fit.kind != PP_MODEL_LOGISTIC))
		pp_cli_usage_error("a parameter given does not apply to %s",
		    pp_model_kind_name(o->t.fit.kind));
	if (o->output == NULL && isatty(STDOUT_FILENO))
		pp_cli_usage_error("not writing a model to a terminal: give -o "
		    "FILE or redirect stdout");
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

/* The report on stderr: dropped rows, warnings, folds and their means. */
static void
report(const struct pp_train_result *r, const struct pp_train_opts *t)
{
	size_t i, k;

	if (r->rows_dropped > 0)
		pp_cli_warn("dropped %zu of %zu rows with a missing or infinite "
		    "value", r->rows_dropped, r->rows_read);
	for (i = 0; i < r->nwarn; i++)
		pp_cli_warn("%s", r->warn[i]);
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

/* The run in the registry, while there is one. */
struct run {
	struct pp_registry *reg;	/* NULL: --no-registry */
	const char *path;		/* the registry's path */
	const char *experiment;
	char id[PP_RUN_ID_LEN + 1];	/* "" until started */
	int64_t version;		/* --register: the version added */
};

/* A signal kills pp-train: the run ends KILLED, on a connection of its
 * own (the program's may be inside a transaction), unless it ended. */
static void
run_killed(int sig, void *arg)
{
	const struct run *run = arg;
	struct pp_err err = PP_ERR_INIT;
	struct pp_kv tag = { "error", sig == SIGINT ? "killed by SIGINT" :
	    sig == SIGTERM ? "killed by SIGTERM" : "killed by SIGHUP" };
	struct pp_log log = { NULL, 0, NULL, 0, &tag, 1 };
	struct pp_registry *reg = pp_registry_open(run->path, 0, &err);

	if (reg == NULL || pp_registry_run_end(reg, run->id, PP_RUN_KILLED,
	    &log, &err) == -1)
		pp_cli_warn("run %s not marked KILLED: %s", run->id, err.msg);
	pp_registry_close(reg);
}

/* Open the registry and start the run, saying its id on stderr. */
static int
run_begin(struct run *run, const struct train_cmd *o, const char *path,
    const char *fingerprint, int quiet, int argc, char *argv[],
    struct pp_err *err)
{
	struct pp_buf cmd = PP_BUF_INIT;
	int rc;

	run->experiment = o->experiment ? o->experiment : "default";
	run->path = path;
	if ((run->reg = pp_registry_open(path, PP_REG_CREATE, err)) == NULL)
		return -1;
	pp_train_command_line(argc, argv, &cmd);
	rc = pp_train_run_start(run->reg, run->experiment, &o->t, cmd.data,
	    fingerprint, run->id, err);
	pp_buf_release(&cmd);
	if (rc == 0 && !quiet)
		fprintf(stderr, "%s: run %s in experiment \"%s\"\n",
		    pp_progname, run->id, run->experiment);
	if (rc == 0 && pp_cli_on_signal(run_killed, run) == -1)
		pp_cli_warn("a signal will leave run %s RUNNING", run->id);
	return rc;
}

/* Log the result and the model artifact (bytes model[0..n)). */
static int
run_log(struct run *run, const struct train_cmd *o,
    const struct pp_train_result *res, const char *sha256,
    const struct pp_buf *model, struct pp_err *err)
{
	if (pp_train_log_result(run->reg, run->experiment, run->id, &o->t,
	    res, sha256, err) == -1)
		return -1;
	return pp_registry_artifact_put(run->reg, run->id, "model.ppm",
	    model->data, model->len, err);
}

/* Register the model if asked, and mark the run FINISHED. */
static int
run_finish(struct run *run, const struct train_cmd *o, int quiet,
    struct pp_err *err)
{
	if (o->register_as != NULL) {
		if (pp_registry_register(run->reg, o->register_as, run->id,
		    "model.ppm", NULL, &run->version, err) == -1)
			return -1;
		if (!quiet)
			fprintf(stderr, "%s: registered model \"%s\" version "
			    "%lld\n", pp_progname, o->register_as,
			    (long long)run->version);
	}
	return pp_registry_run_end(run->reg, run->id, PP_RUN_FINISHED, NULL,
	    err);
}

/* A run that started and then failed ends FAILED, with the error as a
 * tag, so it is never left RUNNING. */
static void
run_fail(struct run *run, const struct pp_err *why)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_kv tag = { "error", why->msg };
	struct pp_log log = { NULL, 0, NULL, 0, &tag, 1 };

	if (pp_registry_run_end(run->reg, run->id, PP_RUN_FAILED, &log,
	    &err) == -1)
		pp_cli_warn("run %s not marked FAILED: %s", run->id, err.msg);
}

static void
show_rows(size_t n)
{
	pp_cli_progress(n, "rows read", 0);
}

int
main(int argc, char *argv[])
{
	struct train_cmd o;
	struct pp_cli cli;
	struct pp_err err = PP_ERR_INIT;
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_train_result res;
	struct pp_out out = PP_OUT_INIT;
	struct pp_hashin hin = PP_HASHIN_INIT;
	struct pp_reader *in = NULL;
	struct pp_fit_opts fit0 = PP_FIT_OPTS_INIT;
	struct pp_buf model = PP_BUF_INIT;
	struct pp_lineage_train lt = PP_LINEAGE_TRAIN_INIT;
	struct run run;
	int rc = PP_EXIT_DATA;

	memset(&o, 0, sizeof(o));
	memset(&run, 0, sizeof(run));
	o.t.fit = fit0;
	pp_train_result_init(&res);
	pp_cli_init(&cli, argv[0], "-m KIND --target COL [--features A,B,...] "
	    "[--standardize] [--cv walkforward:K | --test-frac F] "
	    "[-F FILE] [-e NAME] [--register NAME] [--no-registry] [-o FILE] "
	    "[FILE]\n"
	    "--describe REF", opts,
	    PP_CLI_INPUT | PP_CLI_PROGRESS | PP_CLI_REGISTRY);
	parse_options(argc, argv, &cli, &o);
	ro.delim = cli.c.delim;

	if (o.describe != NULL) {
		if (describe(o.describe, cli.c.registry, &err) == 0)
			rc = PP_EXIT_OK;
		goto out;
	}
	if (pp_hashin_open(&hin, o.input, !o.no_registry, &err) == -1)
		goto out;
	if ((in = pp_reader_fopen(hin.fp, pp_in_name(o.input), &ro,
	    &err)) == NULL)
		goto out;
	if (pp_lineage_train_begin(&lt, in, o.spec, &o.t, o.set_gap,
	    &err) == -1)
		goto out;
	if (pp_out_open(&out, o.output, &err) == -1)
		goto out;
	if (!o.no_registry && run_begin(&run, &o, cli.c.registry,
	    hin.hex[0] ? hin.hex : NULL, cli.c.quiet, argc, argv, &err) == -1)
		goto out;
	o.t.progress = show_rows;
	if (pp_train_run(in, &o.t, &res, &err) == -1)
		goto out;
	pp_cli_progress(res.rows_read, "rows read", 1);
	if (pp_hashin_finish(&hin, pp_in_name(o.input), &err) == -1)
		goto out;
	report(&res, &o.t);
	if (pp_lineage_train_model(&lt, res.model, o.t.horizon, &err) == -1)
		goto out;
	if (run.id[0] != '\0')
		pp_model_meta_set(res.model, "run_id", run.id);
	pp_model_encode(res.model, &model);
	if (fwrite(model.data, 1, model.len, out.fp) != model.len) {
		pp_err_errno(&err, errno, "%s: write", o.output ? o.output :
		    "<stdout>");
		goto out;
	}
	/* Log and publish without a signal's KILLED in between. */
	pp_cli_finish_begin();
	if (run.id[0] != '\0' && run_log(&run, &o, &res, hin.hex, &model,
	    &err) == -1)
		goto out;
	if (pp_out_commit(&out, &err) == -1)
		goto out;
	if (run.id[0] != '\0' && run_finish(&run, &o, cli.c.quiet, &err) == -1)
		goto out;
	if (o.print_id && (printf("%s\n", run.id) < 0 || fflush(stdout) != 0)) {
		pp_err_set(&err, PP_EXIT_DATA, "<stdout>: write error");
		goto out;
	}
	rc = PP_EXIT_OK;
out:
	pp_cli_finish_begin();
	if (rc != PP_EXIT_OK) {
		if (err.code == PP_EXIT_USAGE)
			rc = PP_EXIT_USAGE;
		pp_cli_report(&err);
		if (run.id[0] != '\0')
			run_fail(&run, &err);
	}
	pp_out_abort(&out);
	pp_reader_free(in);
	pp_hashin_close(&hin);
	pp_registry_close(run.reg);
	pp_buf_release(&model);
	pp_train_result_release(&res);
	pp_lineage_train_release(&lt);
	pp_train_grid_free(o.t.grid, o.t.ngrid);
	pp_cli_release(&cli);
	pp_cli_finish_end();
	return rc;
}
