/*
 * eval.h - scoring a frame of predictions: what pp-eval computes, as
 * library calls (man/pp-eval.1 defines every number).
 *
 * Two shapes of input.  `metrics` streams: it reads a target and a
 * prediction column row by row into lib/metrics accumulators (one per
 * --by group), so memory is O(groups), plus the two columns when spearman
 * or roc_auc need ranks.  `signal` and `backtest` are cross-sectional: they
 * read the frame into a panel (struct pp_panel: date, symbol, prediction
 * and return columns, sorted by date then symbol), O(rows) memory, and
 * lib/factor and lib/backtest work on it.
 *
 * Every result is a list of named scores (struct pp_scores), each
 * optionally in a group (a symbol, a date, a return horizon): the names
 * are the stable keys of man/pp-eval.1, written as a table, CSV or JSON
 * and logged to a registry run as they are.  An undefined score is NaN
 * here and missing (empty, null) in every output.
 *
 * Ownership: a panel and a score list own their memory; _release frees
 * it and leaves the struct empty.
 */
#ifndef PP_EVAL_H
#define PP_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "registry.h"

struct pp_reader;
union pp_cell;

/* ---- Cells as numbers ------------------------------------------------ */

/* Index of the column name in r's schema when it holds numbers (or text
 * the reader could not type, read as numbers cell by cell), or -1 with
 * err: missing ("missing column") or a date. */
long pp_eval_num_col(const struct pp_reader *r, const char *name,
    struct pp_err *err);

/* Cell c of row (the reader's current row) as a number in *v, NaN when
 * missing.  A text cell that is not a number is an error naming the
 * file, line and column.  Returns 0 or -1. */
int pp_eval_cell(const struct pp_reader *r, const union pp_cell *row,
    long c, double *v, struct pp_err *err);

/* ---- Score lists ----------------------------------------------------- */

struct pp_score {
	char *group;		/* group label, or NULL for the whole input */
	char *name;		/* stable metric name, e.g. "rmse" */
	double value;		/* NaN: undefined */
};

struct pp_scores {
	char *group_key;	/* what the groups are ("symbol"), or NULL */
	struct pp_score *v;
	size_t n, cap;
	size_t skipped;		/* rows or dates left out, for a note */
	const char *skipped_what; /* "rows with a missing value", ... */
};

#define PP_SCORES_INIT { NULL, NULL, 0, 0, 0, NULL }

/* Append a score (group may be NULL; both strings are copied). */
void pp_scores_add(struct pp_scores *s, const char *group, const char *name,
    double value);
void pp_scores_release(struct pp_scores *s);

/* The scores as a listing: columns [group_key,] metric, value, one row
 * per score; undefined values are missing cells. */
void pp_scores_table(const struct pp_scores *s, struct pp_reg_table *t);

/* Log every defined score to run_id as a metric at step 0: key NAME for
 * the whole input, GROUP.NAME for a group.  Undefined scores are not
 * logged.  All or nothing.  Returns 0 or -1. */
int pp_scores_log(const struct pp_scores *s, struct pp_registry *r,
    const char *run_id, struct pp_err *err);

/* ---- metrics --------------------------------------------------------- */

enum pp_eval_kind {
	PP_EVAL_AUTO,		/* classification if the target is 0/1 and
				   every prediction is in [0, 1] */
	PP_EVAL_REGRESSION,
	PP_EVAL_CLASSIFICATION	/* --proba: the target must be 0/1 */
};

struct pp_eval_metrics_opts {
	const char *target;	/* target column; NULL: the frame's
				   pp.prediction.target (else an error) */
	const char *pred;	/* prediction column; NULL: the frame's
				   pp.prediction.column, else "prediction" */
	const char *by;		/* NULL, "symbol" or "date" */
	enum pp_eval_kind kind;
	double threshold;	/* class 1 above it; 0.5 */
	char delim;		/* CSV separator */
	struct pp_buf *plot;	/* NULL, or receives the SVG picture */
};

#define PP_EVAL_METRICS_OPTS_INIT \
	{ NULL, NULL, NULL, PP_EVAL_AUTO, 0.5, ',', NULL }

/*
 * Score the predictions in the frame at path ("-": stdin).  Rows missing
 * the target or the prediction are left out and counted (out->skipped).
 * Without --by the scores are ungrouped; with it, every score per group
 * (in order of first appearance), then the groups' mean of each score
 * (over the groups where it is defined) with a NULL group.  *kind is set
 * to what was computed.  Errors: a missing or text column (named), a cell
 * that is not a number ("FILE:LINE: column \"y\": not a number"), fewer
 * than 2 scored rows, and under PP_EVAL_CLASSIFICATION a target that is
 * not 0/1 (with its line).  With o->plot, the picture of lib/evalplot
 * over every scored row: a scatter of a uniform sample (reservoir
 * sampling, fixed seed) or the ROC curve.  Returns 0 or -1.
 */
int pp_eval_metrics(const char *path, const struct pp_eval_metrics_opts *o,
    struct pp_scores *out, enum pp_eval_kind *kind, struct pp_err *err);

/* ---- Panels ---------------------------------------------------------- */

struct pp_panel {
	size_t n;		/* rows */
	int64_t *date;		/* date key of each row (row number if the
				   frame has no date column) */
	uint32_t *sym;		/* symbol of each row, an index into syms */
	double *pred;		/* prediction of each row; NaN: missing */
	double *ret;		/* nret returns per row, row-major */
	size_t nret;
	char **syms;		/* symbol names, sorted; {""} without a
				   symbol column */
	size_t nsym;
	size_t ndates;
	size_t *dstart;		/* rows of date d: dstart[d] .. dstart[d+1] */
	int date_kind;		/* 0 none, 1 date, 2 date-time */
};

#define PP_PANEL_INIT { 0, NULL, NULL, NULL, NULL, 0, NULL, 0, 0, NULL, 0 }

/*
 * Read the frame at path into p, sorted by date, then symbol.  pred (NULL:
 * the frame's pp.prediction.column, else "prediction") and the nret
 * return columns must exist and be numeric (errors as pp_eval_metrics); "symbol" and "date" are used when present.  A symbol
 * twice on one date is an error naming both.  Returns 0 or -1.
 */
int pp_panel_read(struct pp_panel *p, const char *path, char delim,
    const char *pred, const char *const *rets, size_t nret,
    struct pp_err *err);
void pp_panel_release(struct pp_panel *p);

/* One row of a date's cross-section, as signal and backtest copy it. */
struct pp_xrow {
	double pred, ret;
	uint32_t sym;		/* rank of the symbol's name */
};

/* Sort a date's rows by prediction, ties by symbol.  Rows copied from a
 * panel come in symbol order, and the sort is stable. */
void pp_panel_sort_xrows(struct pp_xrow *x, size_t n);

/* The label of date d ("2024-01-02", or the row number), in buf of at
 * least 40 bytes. */
void pp_panel_date_label(const struct pp_panel *p, size_t d, char *buf);

#endif
