/*
 * feat.h - the streaming engine of pp-features: rows in, rows with
 * features and targets out, grouped by symbol, in bounded memory.
 *
 * Rows are pushed one at a time in input order.  Each row is routed to its
 * symbol (the "symbol" column; one group when there is none) through a
 * hash table, its date is checked against the symbol's previous one (the
 * "date" column, when there is one: dates must increase strictly within a
 * symbol, while symbols may interleave), and the compiled plan (expr.h)
 * advances that symbol's state.  A row goes out through the emit callback
 * as soon as its values are known: at once without targets that look
 * ahead, else when its symbol has produced the lead() rows after it (so a
 * symbol's rows wait lead rows, and rows of different symbols may leave in
 * a different order than they came).  pp_feat_finish emits the rows still
 * waiting, their look-ahead missing, in input order.
 *
 * Memory: per symbol, the plan's state plus lead+1 copies of a row; never
 * anything per row of input, so memory is O(symbols x window).
 *
 * Ownership: the engine copies what it keeps (text cells of waiting rows,
 * symbol names); the row passed to the emit callback is valid only during
 * the call.  The plan must outlive the engine.
 */
#ifndef PP_FEAT_H
#define PP_FEAT_H

#include <stddef.h>

#include "err.h"
#include "expr.h"
#include "frame.h"

struct pp_feat_opts {
	int only;		/* keep only symbol, date and the outputs */
	int dropna;		/* drop rows where any output is missing */
};

#define PP_FEAT_OPTS_INIT { 0, 0 }

/* Receives each output row (cells in pp_feat_schema order).  Returns 0, or
 * -1 with err set to stop the engine. */
typedef int (*pp_feat_emit_fn)(void *ctx, const union pp_cell *row,
    struct pp_err *err);

struct pp_feat;

/* An engine for input rows of schema in (which plan was compiled
 * against).  Fails (PP_EXIT_DATA) if the symbol column is not text. */
struct pp_feat *pp_feat_new(const struct pp_plan *plan,
    const struct pp_schema *in, const struct pp_feat_opts *o,
    pp_feat_emit_fn emit, void *ctx, struct pp_err *err);

/* The output schema: the input columns (or, with only, just symbol and
 * date), then the features, then the targets, all float64. */
const struct pp_schema *pp_feat_schema(const struct pp_feat *f);

/* Take one input row.  Returns the number of rows emitted (>= 0), or -1
 * with err set: a date out of order ('symbol "AAA": date 2020-01-03 is not
 * after 2020-01-06') or a cell that is not a number (PP_EXIT_DATA), or
 * whatever emit reported.  A row refused for its data changes nothing, so
 * the caller may skip it and go on. */
int pp_feat_push(struct pp_feat *f, const union pp_cell *row,
    struct pp_err *err);

/* End of input: emit every row still waiting for look-ahead values, in
 * input order, with those values missing.  Returns the number emitted, or
 * -1 if emit failed. */
int pp_feat_finish(struct pp_feat *f, struct pp_err *err);

/* Symbols seen so far. */
size_t pp_feat_nsymbols(const struct pp_feat *f);

void pp_feat_free(struct pp_feat *f);

#endif
