/*
 * pp-predict - apply a model to a frame, row by row, appending a column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "frame.h"
#include "model.h"
#include "predictor.h"
#include "util.h"
#include "banned.h"

enum {
	OPT_OUTCOL = PP_OPT_FIRST,
	OPT_PROBA,
	OPT_ONLY,
	OPT_STRICT
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
	{ NULL, 0, NULL, NULL }
};

struct predict_cmd {
	const char *model;	/* -m REF */
	const char *outcol;	/* --output-col */
	int proba;		/* --proba */
	int only;		/* --only */
	int strict;		/* --strict */
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
		default:
			pp_cli_usage_error("unknown option");
		}
	}
	if (o->model == NULL)
		pp_cli_usage_error("no model: give -m REF");
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
	if (pp_predictor_init(&p->pred, m, o->proba, err) == -1 ||
	    pp_predictor_bind(&p->pred, in, err) == -1)
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

static int
predict_rows(struct pp_reader *r, struct pp_writer *w, struct plan *p,
    const struct predict_cmd *o, struct pp_err *err)
{
	const union pp_cell *row;
	size_t j;
	int got;

	while ((got = pp_reader_next(r, &row, err)) == 1) {
		if (pp_predictor_row(&p->pred, row, o->strict,
		    &p->row[p->nkeep].f, err) == -1)
			return pp_err_prefix(err, "%s:%ld", pp_reader_name(r),
			    pp_reader_line(r));
		for (j = 0; j < p->nkeep; j++)
			p->row[j] = row[p->keep[j]];
		if (pp_writer_row(w, p->row, err) == -1)
			return -1;
	}
	return got;
}

int
main(int argc, char *argv[])
{
	struct predict_cmd o = { NULL, "prediction", 0, 0, 0, NULL };
	struct pp_cli cli;
	struct pp_err err = PP_ERR_INIT;
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_out out = PP_OUT_INIT;
	struct plan plan;
	struct pp_model *m = NULL;
	struct pp_reader *in = NULL;
	struct pp_writer *w = NULL;
	int rc = PP_EXIT_DATA;

	memset(&plan, 0, sizeof(plan));
	pp_schema_init(&plan.out);
	pp_cli_init(&cli, argv[0], "-m REF [--output-col NAME] [--proba] "
	    "[--only] [--strict] [-B] [-o FILE] [FILE]", opts,
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
	if (make_plan(m, pp_reader_schema(in), &o, &plan, &err) == -1) {
		if (err.code != PP_EXIT_USAGE)
			pp_err_prefix(&err, "%s", pp_reader_name(in));
		goto out;
	}
	if (pp_out_open(&out, cli.c.output, &err) == -1)
		goto out;
	w = pp_writer_new(out.fp, cli.c.output ? cli.c.output : "<stdout>",
	    &plan.out, &wo, &err);
	if (w == NULL)
		goto out;
	if (predict_rows(in, w, &plan, &o, &err) == -1)
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
	pp_reader_free(in);
	plan_release(&plan);
	pp_model_free(m);
	pp_cli_release(&cli);
	return rc;
}
