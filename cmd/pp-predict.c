/*
 * pp-predict - apply a model to a frame, row by row, appending a column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "frame.h"
#include "lineage.h"
#include "model.h"
#include "online.h"
#include "predictor.h"
#include "util.h"
#include "banned.h"

enum {
	OPT_OUTCOL = PP_OPT_FIRST,
	OPT_PROBA,
	OPT_ONLY,
	OPT_STRICT,
	OPT_FROM_BARS,
	OPT_SKIP_WARMUP,
	OPT_IGNORE_SPEC
};

static const struct pp_opt opts[] = {
	{ "model", 'm', "REF", "a model file, models:/NAME/VERSION|@ALIAS|"
	    "/STAGE or runs:/ID" },
	{ "output-col", OPT_OUTCOL, "NAME", "name of the appended column "
	    "(default prediction)" },
	{ "proba", OPT_PROBA, NULL, "logistic: the probability of class 1, "
	    "not the class" },
	{ "only", OPT_ONLY, NULL, "write only symbol, date and the prediction" },
	{ "strict", OPT_STRICT, NULL, "a missing feature value is an error" },
	{ "from-bars", OPT_FROM_BARS, NULL, "the input is raw bars: compute "
	    "the features with the model's spec" },
	{ "skip-warmup", OPT_SKIP_WARMUP, NULL, "--from-bars: leave out rows "
	    "still in a symbol's warm-up" },
	{ "spec", 'F', "FILE", "the feature spec of a CSV frame, checked "
	    "against the model's" },
	{ "ignore-spec", OPT_IGNORE_SPEC, NULL, "predict even when the "
	    "frame's spec and the model's disagree" },
	{ NULL, 0, NULL, NULL }
};

struct predict_cmd {
	const char *model;	/* -m REF */
	const char *outcol;	/* --output-col */
	int proba;		/* --proba */
	int only;		/* --only */
	int strict;		/* --strict */
	int from_bars;		/* --from-bars */
	int skip_warmup;	/* --skip-warmup */
	int ignore_spec;	/* --ignore-spec */
	const char *spec;	/* -F FILE */
	const char *input;	/* the frame, NULL for stdin */
};

/* How input columns become output columns. */
struct plan {
	struct pp_predictor pred; /* the model bound to the input */
	struct pp_schema out;	/* output schema */
	size_t nkeep;		/* input columns copied to the output */
	size_t *keep;		/* owned: their input indexes */
	union pp_cell *row;	/* owned: one output row */
};

static void
parse_options(int argc, char *argv[], struct pp_cli *cli,
    struct predict_cmd *o)
{
	int c;

	while ((c = pp_cli_next(cli, argc, argv)) != -1) {
		switch (c) {
		case 'm':
			o->model = cli->optarg;
			break;
		case OPT_OUTCOL:
			if (cli->optarg[0] == '\0')
				pp_cli_usage_error("--output-col: empty name");
			o->outcol = cli->optarg;
			break;
		case OPT_PROBA:
			o->proba = 1;
			break;
		case OPT_ONLY:
			o->only = 1;
			break;
		case OPT_STRICT:
			o->strict = 1;
			break;
		case OPT_FROM_BARS:
			o->from_bars = 1;
			break;
		case OPT_SKIP_WARMUP:
			o->skip_warmup = 1;
			break;
		case OPT_IGNORE_SPEC:
			o->ignore_spec = 1;
			break;
		case 'F':
			o->spec = cli->optarg;
			break;
		default:
			pp_cli_usage_error("unknown option");
		}
	}
	if (o->model == NULL)
		pp_cli_usage_error("no model: give -m REF");
	if (o->skip_warmup && !o->from_bars)
		pp_cli_usage_error("--skip-warmup needs --from-bars");
	if (o->from_bars && (o->spec != NULL || o->strict))
		pp_cli_usage_error("--from-bars takes the model's spec: -F and "
		    "--strict do not apply");
	if (argc - cli->optind > 1)
		pp_cli_usage_error("one input frame at most");
	if (argc > cli->optind)
		o->input = argv[cli->optind];
}

static int
make_plan(const struct pp_model *m, const struct pp_schema *in,
    const struct predict_cmd *o, struct plan *p, struct pp_err *err)
{
	size_t j;

	p->keep = pp_xcalloc(in->ncols + 1, sizeof(size_t));
	p->row = pp_xcalloc(in->ncols + 1, sizeof(union pp_cell));
	/* Raw bars hold no features: lib/online computes them. */
	if (pp_predictor_init(&p->pred, m, o->proba, err) == -1 ||
	    (!o->from_bars && pp_predictor_bind(&p->pred, in, err) == -1))
		return -1;
	for (j = 0; j < in->ncols; j++) {
		const char *nm = o->only ? (j == 0 ? "symbol" : "date") :
		    in->cols[j].name;
		long k = o->only ? pp_schema_find(in, nm) : (long)j;

		if (o->only && j > 1)
			break;
		if (k < 0)
			continue;
		p->keep[p->nkeep++] = (size_t)k;
		pp_schema_add(&p->out, nm, in->cols[k].type, err);
	}
	if (pp_schema_find(&p->out, o->outcol) >= 0)
		return pp_err_set(err, PP_EXIT_DATA, "column \"%s\" is already "
		    "there: name the prediction with --output-col", o->outcol);
	return pp_schema_add(&p->out, o->outcol, PP_T_F64, err);
}

static void
plan_release(struct plan *p)
{
	pp_predictor_release(&p->pred);
	pp_schema_release(&p->out);
	free(p->keep);
	free(p->row);
}

/*
 * Each row's prediction appended to the columns kept.  Without a book the
 * row holds the model's features (lib/predictor.h); with one (--from-bars)
 * it is a bar, fed through its symbol's state (lib/online.h), and a bar
 * still in warm-up predicts NaN, or with --skip-warmup is left out.
 */
static int
predict_rows(struct pp_reader *r, struct pp_writer *w,
    struct pp_online_book *book, struct plan *p,
    const struct predict_cmd *o, struct pp_err *err)
{
	const union pp_cell *row;
	double *pred = &p->row[p->nkeep].f;
	size_t j;
	int got, warm = 0;

	while ((got = pp_reader_next(r, &row, err)) == 1) {
		if ((book != NULL ? pp_online_book_feed(book, row, pred, &warm,
		    err) : pp_predictor_row(&p->pred, row, o->strict, pred,
		    err)) == -1)
			return pp_err_prefix(err, "%s:%ld", pp_reader_name(r),
			    pp_reader_line(r));
		if (warm && o->skip_warmup)
			continue;
		for (j = 0; j < p->nkeep; j++)
			p->row[j] = row[p->keep[j]];
		if (pp_writer_row(w, p->row, err) == -1)
			return -1;
	}
	return got;
}

/*
 * The frame's feature spec (its pp.spec, or -F for CSV) must define every
 * feature both define as the model's spec does: the same name computed
 * another way is the train/serve skew this refuses, unless --ignore-spec.
 */
static int
check_spec(const struct pp_model *m, const struct pp_reader *r,
    const struct predict_cmd *o, struct pp_err *err)
{
	const char *fspec = pp_meta_get(pp_reader_meta(r), PP_META_SPEC);
	struct pp_buf text = PP_BUF_INIT, canon = PP_BUF_INIT;
	size_t horizon;
	int rc = 0;

	if (o->spec != NULL) {
		if (pp_lineage_read_file(o->spec, &text, err) == -1 ||
		    pp_lineage_canon(text.data, text.len, o->spec, &canon,
		    &horizon, err) == -1)
			rc = -1;
		fspec = canon.data;
	}
	if (rc == 0 && fspec != NULL && m->spec != NULL && !o->ignore_spec &&
	    pp_lineage_agree(m->spec, "the model's", fspec, o->spec ?
	    "-F's" : "the frame's", err) == -1) {
		char why[PP_ERR_MSGMAX];

		snprintf(why, sizeof(why), "%s", err->msg);
		pp_err_clear(err);
		rc = pp_err_set(err, PP_EXIT_DATA, "%s: %s (--ignore-spec "
		    "predicts anyway)", pp_reader_name(r), why);
	}
	pp_buf_release(&text);
	pp_buf_release(&canon);
	return rc;
}

/* Check the frame's spec, or, with --from-bars, compile the model's. */
static int
open_spec(const struct pp_model *m, const struct pp_reader *in,
    const struct predict_cmd *o, struct pp_online **online,
    struct pp_online_book **book, struct pp_err *err)
{
	if (!o->from_bars)
		return check_spec(m, in, o, err);
	if ((*online = pp_online_new(m, pp_reader_schema(in), o->proba,
	    err)) == NULL || (*book = pp_online_book_new(*online, err)) == NULL) {
		if (err->code != PP_EXIT_USAGE)
			pp_err_prefix(err, "%s", pp_reader_name(in));
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct predict_cmd o = { NULL, "prediction", 0, 0, 0, 0, 0, 0, NULL,
	    NULL };
	struct pp_cli cli;
	struct pp_err err = PP_ERR_INIT;
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_out out = PP_OUT_INIT;
	struct plan plan;
	struct pp_model *m = NULL;
	struct pp_reader *in = NULL;
	struct pp_writer *w = NULL;
	struct pp_online *online = NULL;
	struct pp_online_book *book = NULL;
	struct pp_meta meta = PP_META_INIT;
	int rc = PP_EXIT_DATA;

	memset(&plan, 0, sizeof(plan));
	pp_schema_init(&plan.out);
	pp_cli_init(&cli, argv[0], "-m REF [--output-col NAME] [--proba] "
	    "[--only] [--strict] [-F FILE] [--ignore-spec] [-B] [-o FILE] "
	    "[FILE]\n"
	    "-m REF --from-bars [--skip-warmup] [--output-col NAME] [--proba] "
	    "[--only] [-B] [-o FILE] [FILE]", opts,
	    PP_CLI_OUTPUT | PP_CLI_INPUT | PP_CLI_REGISTRY);
	parse_options(argc, argv, &cli, &o);
	ro.delim = wo.delim = cli.c.delim;
	wo.format = cli.c.binary ? PP_FMT_BIN : PP_FMT_CSV;
	wo.compress = cli.c.compress;
	wo.thread = !cli.c.binary;	/* format CSV on a second core */

	if ((m = pp_model_open(o.model, cli.c.registry, &err)) == NULL)
		goto out;
	if ((in = pp_reader_open(o.input, &ro, &err)) == NULL)
		goto out;
	if (open_spec(m, in, &o, &online, &book, &err) == -1)
		goto out;
	if (make_plan(m, pp_reader_schema(in), &o, &plan, &err) == -1) {
		if (err.code != PP_EXIT_USAGE)
			pp_err_prefix(&err, "%s", pp_reader_name(in));
		goto out;
	}
	pp_meta_copy(&meta, pp_reader_meta(in));
	pp_lineage_producer(&meta, pp_progname, PP_VERSION, argc, argv);
	if (pp_meta_set(&meta, PP_META_PRED_COLUMN, o.outcol, &err) == -1 ||
	    pp_meta_set(&meta, PP_META_PRED_TARGET, m->target, &err) == -1)
		goto out;
	wo.meta = &meta;
	if (pp_out_open(&out, cli.c.output, &err) == -1)
		goto out;
	w = pp_writer_new(out.fp, cli.c.output ? cli.c.output : "<stdout>",
	    &plan.out, &wo, &err);
	if (w == NULL)
		goto out;
	if (predict_rows(in, w, o.from_bars ? book : NULL, &plan, &o,
	    &err) == -1)
		goto out;
	if (pp_writer_finish(w, &err) == -1 || pp_out_commit(&out, &err) == -1)
		goto out;
	rc = PP_EXIT_OK;
out:
	if (rc != PP_EXIT_OK) {
		if (err.code == PP_EXIT_USAGE)
			rc = PP_EXIT_USAGE;
		pp_cli_report(&err);
	}
	pp_writer_free(w);
	pp_out_abort(&out);
	pp_online_book_free(book);
	pp_online_free(online);
	pp_meta_release(&meta);
	pp_reader_free(in);
	plan_release(&plan);
	pp_model_free(m);
	pp_cli_release(&cli);
	return rc;
}
