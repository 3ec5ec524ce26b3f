/*
 * online.h - a model plus a stream of bars for one symbol gives
 * predictions: the features computed from raw bars with the model's own
 * spec (its recipe, lineage.h), through the same compiled plan as
 * pp-features (expr.h), then the model's formula.  pp-predict --from-bars
 * and pp-serve's online endpoint both call it, so a feature is computed
 * the same way in training, in batch prediction and in serving.
 *
 * Three objects:
 *  - struct pp_online: the model's features-only spec compiled against
 *    the schema of the bars (the columns they come in), once.  Read-only
 *    after pp_online_new: any number of threads may feed symbols through
 *    one, each symbol on one thread at a time.
 *  - struct pp_online_sym: one symbol's state: the indicators' windows and
 *    running sums, the bars seen, the last date.  Create, feed one bar at a
 *    time, copy (a snapshot: feeding the copy leaves the original as it
 *    was), free.  Its size is fixed at creation (O(window)), so memory
 *    never grows with the bars fed.
 *  - struct pp_online_book: symbols by name for a frame whose rows
 *    interleave symbols (the "symbol" column); a symbol's state is made on
 *    first sight and may be dropped.
 *
 * No look-ahead: targets are not compiled, so nothing here can read a bar
 * after the one being fed.  Warm-up: the first warmup bars of a symbol
 * (the model's recipe) predict NaN; pp_online_feed says so through *warm,
 * for a caller that leaves them out.  Dates: where the bars have a "date"
 * column, each bar's date must be after the symbol's previous one, as in
 * pp-features.  A bar refused (a date out of order, a text cell that is not
 * a number) changes nothing, so a caller may skip it and go on.
 *
 * Ownership: pp_online borrows the model, which must outlive it and every
 * state made from it; a state belongs to the pp_online it was made from.
 */
#ifndef PP_ONLINE_H
#define PP_ONLINE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"
#include "model.h"

struct pp_online;
struct pp_online_sym;
struct pp_online_book;

/*
 * Compile m's features for bars of schema bars.  proba: a logistic model
 * predicts the probability of class 1 instead of the class.  Fails with
 * err set (PP_EXIT_DATA unless said) and one line:
 *  - the model has no recipe ("the model has no feature spec ...");
 *  - its spec does not compile in this build, or needs a column the bars
 *    lack: 'feature "atr14": atr reads column "high", which the input
 *    lacks', 'feature "q": unknown function "frobnicate" ...';
 *  - a model feature neither the spec defines nor the bars hold
 *    ('the bars lack column "x", a feature of the model');
 *  - proba on a model that is not logistic (PP_EXIT_USAGE).
 */
struct pp_online *pp_online_new(const struct pp_model *m,
    const struct pp_schema *bars, int proba, struct pp_err *err);
void pp_online_free(struct pp_online *o);

/* Bars of a symbol that predict NaN before its features are known. */
long pp_online_warmup(const struct pp_online *o);

/* A new symbol's state, before its first bar.  Never NULL. */
struct pp_online_sym *pp_online_sym_new(const struct pp_online *o);

/* A snapshot of s: an independent state that continues from where s is. */
struct pp_online_sym *pp_online_sym_copy(const struct pp_online *o,
    const struct pp_online_sym *s);
void pp_online_sym_free(struct pp_online_sym *s);

/* Bars fed to s so far (refused ones not counted). */
uint64_t pp_online_sym_bars(const struct pp_online_sym *s);

/*
 * Feed one bar (cells in the bars schema's order) to symbol s and predict
 * from its features: *pred gets the prediction (NaN when a feature is
 * missing, and for a bar in warm-up), *warm 1 when the bar is in warm-up.
 * Returns 0, or -1 with err set and s unchanged: 'date 2024-01-03 is not
 * after the previous 2024-01-05', 'column "close": not a number: "abc"'.
 */
int pp_online_feed(const struct pp_online *o, struct pp_online_sym *s,
    const union pp_cell *bar, double *pred, int *warm, struct pp_err *err);

/* A book of symbols for o (the bars' "symbol" column; one symbol when
 * there is none, and a symbol column that is not text is an error). */
struct pp_online_book *pp_online_book_new(const struct pp_online *o,
    struct pp_err *err);
void pp_online_book_free(struct pp_online_book *b);

/* pp_online_feed on the bar's symbol, its state made on first sight; a
 * refused bar prefixes 'symbol "AAA": ' to the message. */
int pp_online_book_feed(struct pp_online_book *b, const union pp_cell *bar,
    double *pred, int *warm, struct pp_err *err);

/* Forget symbol name[0..len): its next bar starts a new warm-up.  0 if it
 * was there, -1 if not. */
int pp_online_book_drop(struct pp_online_book *b, const char *name,
    size_t len);

/* Symbols held. */
size_t pp_online_book_size(const struct pp_online_book *b);

#endif
