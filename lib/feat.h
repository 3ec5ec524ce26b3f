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
 * A plan with cross-sectional functions (pp_plan_stages > 1) puts a date
 * barrier in front of that: input must be in date order across symbols;
 * each row runs stage 0 when it arrives and waits with the other rows of
 * its date, and the first row of a later date (or pp_feat_finish)
 * completes the date: the later stages over all its rows, then each row
 * goes on as above, in input order.  A row of an earlier date is refused
 * ('date 2024-01-02 comes after 2024-03-25: ... (pp sort --by
 * date,symbol)', PP_EXIT_DATA), changing nothing.
 *
 * Memory: per symbol, the plan's state plus lead+1 copies of a row, and
 * with a barrier one more row per symbol; never anything per row of
 * input, so memory is O(symbols x window).
 *
 * Ownership: the engine copies what it keeps (text cells of waiting rows,
 * symbol names); the row passed to the emit callback is valid only during
 * the call.  The plan must outlive the engine.
 */
#ifndef PP_FEAT_H
#define PP_FEAT_H

#include <stddef.h>
#include <stdint.h>

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

/*
 * The read loop of pp-features: every row of a reader through the engine
 * into a writer.  Set the fields above the line, create the engine with
 * pp_feat_write as its emit function and the loop as its context, set w,
 * then call pp_feat_run.
 *
 * Bad rows: a row the reader rejects for its own content
 * (pp_reader_can_skip) or the engine refuses for its data (a date out of
 * order, a text cell used as a number) fails the run, or with skip_bad is
 * counted in skipped and left out; the engine is unchanged by it.  A
 * broken stream or a failed write always fails.  An engine error is
 * prefixed with "NAME:LINE" of the row.
 *
 * Live input (a pipe, a terminal): after a row that emitted output, the
 * writer is flushed when no more input is waiting on in_fd (or at once
 * with linebuf), so a consumer sees each row as soon as its values are
 * known, while a burst of input still goes out in whole chunks.
 *
 * Threads: with threads > 1 the symbols are sharded across that many
 * worker threads, each with an engine of its own (the same plan and
 * options as f), and this thread reads, dispatches and writes; the rows
 * written, their order and bytes, the messages and the counts are those
 * of one thread (feat_run.c says how).  Live input, a plan with
 * cross-sectional functions or ref() (pp_plan_stages > 1: every symbol of
 * a date is needed together) and input without a symbol column run on
 * one engine thread whatever threads says.
 */
struct pp_feat_loop {
	struct pp_writer *w;	/* where output rows go */
	int threads;		/* engine threads (sharded by symbol); 0
				   or 1: the engine runs on this thread */
	int skip_bad;		/* count and drop bad rows */
	int live;		/* flush as rows become known */
	int linebuf;		/* with live: flush after every input row */
	int in_fd;		/* with live: polled for waiting input */
	/* Called every 65536 rows read (final 0); NULL for none. */
	void (*progress)(size_t n, const char *what, int final);
	/* ---- filled by the run ---- */
	size_t nread;		/* rows read, bad ones too */
	long skipped;		/* bad rows left out */
	long emitted;		/* rows written since the last flush */
	int werr;		/* a write failed */
};

#define PP_FEAT_LOOP_INIT { NULL, 1, 0, 0, 0, -1, NULL, 0, 0, 0, 0 }

/* An emit function for pp_feat_new: writes each row to ((struct
 * pp_feat_loop *)ctx)->w. */
int pp_feat_write(void *ctx, const union pp_cell *row, struct pp_err *err);

/* Read r to its end through f into l->w and finish the engine (the writer
 * is the caller's to finish).  Returns 0, or -1 with err set; l->nread and
 * l->skipped say what was read either way. */
int pp_feat_run(struct pp_feat *f, struct pp_reader *r,
    struct pp_feat_loop *l, struct pp_err *err);

/*
 * For the sharded read loop (feat_run.c), which runs one engine per
 * thread: the sequence number the next row pushed takes (rows are
 * numbered 0, 1, ... in push order unless set), and, inside an emit
 * callback, the number of the row being emitted, by which
 * pp_feat_finish's rows of several engines merge into one order.
 */
void pp_feat_set_seq(struct pp_feat *f, uint64_t seq);
uint64_t pp_feat_emit_seq(const struct pp_feat *f);

/* The plan and options f was made with. */
const struct pp_plan *pp_feat_plan(const struct pp_feat *f);
const struct pp_feat_opts *pp_feat_opts(const struct pp_feat *f);

/* -1, 0 or 1 as date a is before, equal to or after b, both of type t
 * (text compares bytewise). */
int pp_feat_date_cmp(enum pp_type t, const union pp_cell *a,
    const union pp_cell *b);

/* Append cell c of type t as text for a message (text cut at 64 bytes). */
struct pp_buf;
void pp_feat_cell_fmt(struct pp_buf *b, enum pp_type t,
    const union pp_cell *c);

/* Symbols seen so far. */
size_t pp_feat_nsymbols(const struct pp_feat *f);

void pp_feat_free(struct pp_feat *f);

#endif
