/*
 * pp-predict - apply a model to a frame, appending a column: row by row,
 * or for gradient-boosted trees a block of rows per XGBoost call.
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

/*
 * Rows a gbdt model takes per pass: read a block, predict it (in XGBoost
 * calls of 4096 rows, lib/model.c), write it.  Longer passes leave the CSV
 * reader's and writer's threads longer runs between the booster's
 * parallel sections: 1.26M rows x 300 trees, CSV in and out, on an idle
 * two-core machine, 3.3-3.9 s at 4096 rows and 3.06-3.10 s at 65536, for
 * a peak of 49 MB instead of 21 MB.
 */
#define BLOCK 65536

struct predict_cmd {
	const char *model;	/* -m REF */
	const char *outcol;	/* --output-col */
	int proba;		/* --proba */
	int only;		/* --only */
	int strict;		/* --strict */
	int from_bars;		/* --from-bars */
	int skip_warmup;	/* --skip-warmup */
	int ignore_spec;	/* --ignore-spec */
	int contribs;		/* --pred-contribs */
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
	int lines;		/* input rows in the CSV writer's form go
				   out as their text (pp_reader_next_line) */
};

/*
 * Rows waiting for one block prediction (gbdt): their features, and the
 * cells to copy to the output, whose text is copied into text because
 * the reader's buffers last one row only.
 */
struct block {
	size_t n;		/* rows held */
	double *x;		/* owned: BLOCK x nfeat features */
	double *pred;		/* owned: BLOCK predictions */
	double *contrib;	/* owned: BLOCK x (nfeat + 1), or NULL */
	union pp_cell *cells;	/* owned: BLOCK x nkeep kept cells */
	size_t *off;		/* owned: text cells' offsets in text */
	struct pp_buf text;
};

static const char usage[] =
	"-m REF [--output-col NAME] [--proba] [--only] [--strict] [-F FILE] "
	"[--ignore-spec] [--pred-contribs] [--threads N] [-B] [-o FILE] "
	"[FILE]\n"
	"-m REF --from-bars [--skip-warmup] [--output-col NAME] [--proba] "
	"[--only] [--threads N] [-B] [-o FILE] [FILE]";

static void
parse_options(int argc, char *argv[], struct pp_cli *cli,
    struct predict_cmd *o)
{
	const struct pp_option opts[] = {
		PP_OPT_STRING('m', "model", &o->model, "REF", "a model file, "
		    "models:/NAME/VERSION|@ALIAS|/STAGE or runs:/ID"),
		PP_OPT_STRING(0, "output-col", &o->outcol, "NAME", "name of the "
		    "appended column (default prediction)", .empty = "name"),
		PP_OPT_FLAG(0, "proba", &o->proba, "logistic: the probability "
		    "of class 1, not the class"),
		PP_OPT_FLAG(0, "only", &o->only, "write only symbol, date and "
		    "the prediction"),
		PP_OPT_FLAG(0, "strict", &o->strict, "a missing feature value is "
		    "an error"),
		PP_OPT_FLAG(0, "from-bars", &o->from_bars, "the input is raw "
		    "bars: compute the features with the model's spec"),
		PP_OPT_FLAG(0, "skip-warmup", &o->skip_warmup, "--from-bars: "
		    "leave out rows still in a symbol's warm-up"),
		PP_OPT_STRING('F', "spec", &o->spec, "FILE", "the feature spec "
		    "of a CSV frame, checked against the model's"),
		PP_OPT_FLAG(0, "ignore-spec", &o->ignore_spec, "predict even "
		    "when the frame's spec and the model's disagree"),
		PP_OPT_FLAG(0, "pred-contribs", &o->contribs, "gbdt: also write "
		    "each feature's SHAP contribution (contrib_FEATURE, "
		    "contrib_bias)"),
		PP_OPT_END
	};
	int i;

	pp_cli_init_options(cli, argv[0], usage, opts, PP_CLI_OUTPUT |
	    PP_CLI_INPUT | PP_CLI_REGISTRY | PP_CLI_THREADS);
	i = pp_cli_parse(cli, argc, argv);
	if (o->model == NULL)
		pp_cli_usage_error("no model: give -m REF");
	pp_cli_requires(cli, "skip-warmup", "from-bars");
	if (o->from_bars && o->contribs)
		pp_cli_usage_error("--pred-contribs does not apply to "
		    "--from-bars");
	if (o->from_bars && (o->spec != NULL || o->strict))
		pp_cli_usage_error("--from-bars takes the model's spec: -F and "
		    "--strict do not apply");
	if (argc - i > 1)
		pp_cli_usage_error("one input frame at most");
	if (argc > i)
		o->input = argv[i];
}

/* contrib_FEATURE for each feature, then contrib_bias. */
static int
add_contrib_cols(const struct pp_model *m, struct plan *p,
    struct pp_err *err)
{
	struct pp_buf name = PP_BUF_INIT;
	size_t j;
	int rc = 0;

	if (m->kind != PP_MODEL_GBDT)
		return pp_err_set(err, PP_EXIT_USAGE, "--pred-contribs: a %s "
		    "model has no contributions (gbdt has)",
		    pp_model_kind_name(m->kind));
	p->row = pp_xrealloc(p->row, (p->out.ncols + m->nfeat + 2) *
	    sizeof(union pp_cell));
	for (j = 0; j <= m->nfeat && rc == 0; j++) {
		pp_buf_reset(&name);
		pp_buf_addf(&name, "contrib_%s", j < m->nfeat ?
		    m->features[j] : "bias");
		if (pp_schema_find(&p->out, name.data) >= 0)
			rc = pp_err_set(err, PP_EXIT_DATA, "column \"%s\" is "
			    "already there", name.data);
		else
			rc = pp_schema_add(&p->out, name.data, PP_T_F64, err);
	}
	pp_buf_release(&name);
	return rc;
}

static int
make_plan(const struct pp_model *m, const struct pp_schema *in,
    const struct predict_cmd *o, struct plan *p, struct pp_err *err)
{
	size_t j;

	p->keep = pp_xcalloc(in->ncols + 1, sizeof(size_t));
	p->row = pp_xcalloc(in->ncols + 2, sizeof(union pp_cell));
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
	if (pp_schema_add(&p->out, o->outcol, PP_T_F64, err) == -1)
		return -1;
	return o->contribs ? add_contrib_cols(m, p, err) : 0;
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
	const char *line = NULL;
	double *pred = &p->row[p->nkeep].f;
	size_t j, len;
	int got, warm = 0;

	while ((got = p->lines ? pp_reader_next_line(r, &row, &line, &len,
	    err) : pp_reader_next(r, &row, err)) == 1) {
		if ((book != NULL ? pp_online_book_feed(book, row, pred, &warm,
		    err) : pp_predictor_row(&p->pred, row, o->strict, pred,
		    err)) == -1)
			return pp_err_prefix(err, "%s:%ld", pp_reader_name(r),
			    pp_reader_line(r));
		if (warm && o->skip_warmup)
			continue;
		if (line != NULL) {	/* every input column, as it came */
			if (pp_writer_line(w, line, len, p->row, p->nkeep,
			    err) == -1)
				return -1;
			continue;
		}
		for (j = 0; j < p->nkeep; j++)
			p->row[j] = row[p->keep[j]];
		if (pp_writer_row(w, p->row, err) == -1)
			return -1;
	}
	return got;
}

/*
 * Binary in and out, a model other than gbdt: a chunk at a time, the
 * kept columns handed from the input chunk to the output as they are
 * (never a cell per value) and the model scored column by column, bytes
 * the same as predict_rows writes (issue 19).  -2 when the input is not
 * a binary frame, before anything is read.
 */
static int
predict_cols(struct pp_reader *r, struct pp_writer *w, struct plan *p,
    const struct predict_cmd *o, struct pp_err *err)
{
	const unsigned char *const *col;
	const struct pp_schema *in = pp_reader_schema(r);
	struct pp_colblock *out = pp_xcalloc(p->nkeep + 1, sizeof(*out));
	struct pp_err werr = PP_ERR_INIT;
	double *pred = NULL;
	size_t cap = 0, from, n, done, j, k;
	int got, bad;

	while ((got = pp_reader_next_block(r, &col, &from, &n, err)) == 1) {
		pp_xgrow((void **)&pred, &cap, n, sizeof(*pred));
		bad = pp_predictor_cols(&p->pred, col, from, n, o->strict,
		    pred, &done, err) == -1;
		for (j = 0; j < p->nkeep; j++) {
			k = p->keep[j];
			out[j].txt = pp_reader_block_text(r, k);
			out[j].v = col[k] + (in->cols[k].type == PP_T_TEXT ?
			    4 : 8) * from;
		}
		out[p->nkeep].v = (const unsigned char *)pred;
		out[p->nkeep].txt = NULL;
		/* The rows before a bad one go out, as row by row. */
		if (pp_writer_block(w, out, done, &werr) != 0) {
			*err = werr;
			got = -1;
			break;
		}
		if (bad) {
			pp_err_prefix(err, "%s:%ld", pp_reader_name(r),
			    pp_reader_line(r) - (long)(n - 1 - done));
			got = -1;
			break;
		}
	}
	free(pred);
	free(out);
	return got;
}

static void
block_init(struct block *b, const struct pp_model *m, const struct plan *p,
    int contribs)
{
	memset(b, 0, sizeof(*b));
	b->x = pp_xmalloc(BLOCK * (m->nfeat + 1) * sizeof(double));
	b->pred = pp_xmalloc(BLOCK * sizeof(double));
	if (contribs)
		b->contrib = pp_xmalloc(BLOCK * (m->nfeat + 1) *
		    sizeof(double));
	b->cells = pp_xmalloc(BLOCK * (p->nkeep + 1) * sizeof(union pp_cell));
	b->off = pp_xmalloc(BLOCK * (p->nkeep + 1) * sizeof(size_t));
	pp_buf_init(&b->text);
}

static void
block_release(struct block *b)
{
	free(b->x);
	free(b->pred);
	free(b->contrib);
	free(b->cells);
	free(b->off);
	pp_buf_release(&b->text);
}

/* Hold one input row: its features and the cells it keeps. */
static int
block_add(struct block *b, const struct plan *p, const union pp_cell *row,
    int strict, struct pp_err *err)
{
	size_t nf = p->pred.model->nfeat, j, at = b->n * p->nkeep;

	if (pp_predictor_gather(&p->pred, row, strict, b->x + b->n * nf,
	    err) == -1)
		return -1;
	for (j = 0; j < p->nkeep; j++) {
		b->cells[at + j] = row[p->keep[j]];
		if (p->out.cols[j].type != PP_T_TEXT)
			continue;
		b->off[at + j] = b->text.len;
		pp_buf_add(&b->text, row[p->keep[j]].s.p, row[p->keep[j]].s.len);
	}
	b->n++;
	return 0;
}

/* Predict the rows held in one call and write them out. */
static int
block_flush(struct block *b, struct plan *p, struct pp_writer *w,
    struct pp_err *err)
{
	const struct pp_model *m = p->pred.model;
	size_t nf = m->nfeat, i, j;

	if (b->n == 0)
		return 0;
	pp_predictor_block(&p->pred, b->x, b->n, b->pred);
	if (b->contrib != NULL && pp_model_contribs(m, b->x, b->n,
	    b->contrib, err) == -1)
		return -1;
	for (i = 0; i < b->n; i++) {
		for (j = 0; j < p->nkeep; j++) {
			p->row[j] = b->cells[i * p->nkeep + j];
			if (p->out.cols[j].type == PP_T_TEXT)
				p->row[j].s.p = b->text.data +
				    b->off[i * p->nkeep + j];
		}
		p->row[p->nkeep].f = b->pred[i];
		for (j = 0; b->contrib != NULL && j <= nf; j++)
			p->row[p->nkeep + 1 + j].f = b->contrib[i * (nf + 1) + j];
		if (pp_writer_row(w, p->row, err) == -1)
			return -1;
	}
	b->n = 0;
	pp_buf_reset(&b->text);
	return 0;
}

/* predict_rows for a gbdt model: BLOCK rows per XGBoost call. */
static int
predict_blocks(struct pp_reader *r, struct pp_writer *w, struct plan *p,
    const struct predict_cmd *o, struct pp_err *err)
{
	const union pp_cell *row;
	struct block b;
	int got, rc = -1;

	block_init(&b, p->pred.model, p, o->contribs);
	while ((got = pp_reader_next(r, &row, err)) == 1) {
		if (block_add(&b, p, row, o->strict, err) == -1) {
			pp_err_prefix(err, "%s:%ld", pp_reader_name(r),
			    pp_reader_line(r));
			goto out;
		}
		if (b.n == BLOCK && block_flush(&b, p, w, err) == -1)
			goto out;
	}
	if (got == 0)
		rc = block_flush(&b, p, w, err);
out:
	block_release(&b);
	return rc;
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

/* The output's metadata: the input's, this program's line, and which
 * column holds the predictions of which target (pp-eval's defaults). */
static int
make_meta(struct pp_meta *meta, const struct pp_reader *in,
    const struct pp_model *m, const char *outcol, int argc, char *argv[],
    struct pp_err *err)
{
	pp_meta_copy(meta, pp_reader_meta(in));
	pp_lineage_producer(meta, pp_progname, PP_VERSION, argc, argv);
	if (pp_meta_set(meta, PP_META_PRED_COLUMN, outcol, err) == -1)
		return -1;
	return pp_meta_set(meta, PP_META_PRED_TARGET, m->target, err);
}

int
main(int argc, char *argv[])
{
	struct predict_cmd o = { NULL, "prediction", 0, 0, 0, 0, 0, 0, 0,
	    NULL, NULL };
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
	int rc = PP_EXIT_DATA, got;

	memset(&plan, 0, sizeof(plan));
	pp_schema_init(&plan.out);
	parse_options(argc, argv, &cli, &o);
	ro.delim = cli.c.delim;
	pp_cli_write_opts(&cli, &wo);
	wo.thread = !cli.c.binary;	/* format CSV on other cores */

	if ((m = pp_model_open(o.model, cli.c.registry, &err)) == NULL ||
	    (!o.from_bars && pp_model_set_threads(m, cli.c.threads, &err) ==
	    -1))
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
	if (make_meta(&meta, in, m, o.outcol, argc, argv, &err) == -1)
		goto out;
	wo.meta = &meta;
	if (pp_out_open(&out, cli.c.output, &err) == -1)
		goto out;
	w = pp_writer_new(out.fp, cli.c.output ? cli.c.output : "<stdout>",
	    &plan.out, &wo, &err);
	if (w == NULL)
		goto out;
	/* CSV in and out with every column kept: rows go out as their text
	 * plus the prediction, where the text is what we would write. */
	plan.lines = wo.format == PP_FMT_CSV && !o.from_bars && !o.only &&
	    !o.contribs && plan.nkeep == pp_reader_schema(in)->ncols &&
	    pp_reader_want_lines(in, 1);
	got = -2;
	if (wo.format == PP_FMT_BIN && m->kind != PP_MODEL_GBDT &&
	    !o.from_bars && !o.contribs)
		got = predict_cols(in, w, &plan, &o, &err);
	if (got == -2)
		got = m->kind == PP_MODEL_GBDT && !o.from_bars ?
		    predict_blocks(in, w, &plan, &o, &err) : predict_rows(in,
		    w, o.from_bars ? book : NULL, &plan, &o, &err);
	if (got == -1)
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
