/*
 * expr.h - the feature language of pp-features: definitions such as
 * "r20=close/sma(close,20)-1" parsed, checked against a frame's columns and
 * compiled once into a flat program that runs per row without allocating.
 *
 * A spec is a list of definitions NAME=EXPR, each a feature or a target.
 * Expressions have numbers, column names (or names of earlier definitions),
 * + - * /, unary minus, comparisons < <= > >= == != giving 1 or 0 (NaN when
 * either side is missing), the words not, and, or (binding in that order,
 * all below the comparisons; 1 or 0, NaN when an operand is), parentheses,
 * and function calls: the indicators of lib/indicators.h, the elementwise
 * abs, log, exp, sqrt, sign, if, and, or, not, least, greatest, clip,
 * nan_to, isnan, the calendar dow, dom, month, doy, week of the "date"
 * column (a date-time at its UTC day), the cross-sectional cs_rank,
 * cs_zscore, cs_demean, cs_quantile and ref(SYMBOL, x) over the symbols of
 * a date (see pp_plan_stages), and lead(x,k), which looks k rows ahead and
 * is allowed in targets only.  A
 * function with several outputs (macd) defines NAME_part columns when it is
 * a whole definition, and one output is picked with call.part elsewhere.
 * A column whose name is not an identifier is written in double quotes.
 * A parameter with choices (vol's method) is written as a bare name, which
 * is then that choice and never a column, even one of the same name.
 *
 * Compilation splits the work in two phases, the no-look-ahead argument in
 * code form.  Phase one runs when a row arrives: it reads only that row and
 * the symbol's state (which holds nothing but past rows), and computes every
 * feature and every look-ahead-free part of the targets.  Phase two runs
 * when the row's lead(x,k) values exist, k rows later: it combines values
 * phase one already stored for rows t..t+K with elementwise operations only.
 * So a feature can depend on nothing after its row, by construction: the
 * compiler refuses lead() anywhere phase one would need it.
 *
 * Ownership: a spec owns its copies of the definition texts; a plan owns
 * everything it points to and needs neither the spec nor the schema after
 * pp_plan_compile returns.  Errors in a definition are PP_EXIT_USAGE and
 * carry two more lines: the definition and a caret under the token.
 */
#ifndef PP_EXPR_H
#define PP_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"

struct pp_buf;
struct pp_spec;

struct pp_spec *pp_spec_new(void);
void pp_spec_free(struct pp_spec *s);

/* Add one definition "NAME=EXPR" (a target when is_target).  src and line
 * say where it came from for messages ("-f" and its ordinal, or a spec
 * file and its line).  Syntax errors are reported here: returns -1 with err
 * set, the spec unchanged. */
int pp_spec_add(struct pp_spec *s, int is_target, const char *text,
    const char *src, long line, struct pp_err *err);

/* The longest spec file the programs read (thousands of definitions). */
#define PP_SPEC_FILE_MAX (4 << 20)

/* Add every definition of a spec file held in text[0..len): one
 * "NAME=EXPR" or "target NAME=EXPR" a line, blank lines, and comments from
 * '#' to the end of a line.  src is the file name for messages. */
int pp_spec_add_file(struct pp_spec *s, const char *text, size_t len,
    const char *src, struct pp_err *err);

/* Number of definitions added so far. */
size_t pp_spec_count(const struct pp_spec *s);

/*
 * A compiled plan.  Outputs are numbered 0..nout-1: the features in
 * definition order (a multi-output function expands to its parts in the
 * function's order), then the targets.
 */
struct pp_plan;

/* Check every definition against the input schema (unknown function or
 * column, arity, parameters, name clashes, lead outside a target, columns
 * a function needs) and compile.  The spec's syntax trees are annotated
 * (hence not const) but keep their meaning; a spec may be compiled again.  Returns NULL and sets err (PP_EXIT_USAGE)
 * on the first problem, or PP_EXIT_USAGE "no features" for an empty spec. */
struct pp_plan *pp_plan_compile(struct pp_spec *s,
    const struct pp_schema *in, struct pp_err *err);
void pp_plan_free(struct pp_plan *p);

size_t pp_plan_nout(const struct pp_plan *p);
size_t pp_plan_nfeatures(const struct pp_plan *p);	/* outputs < this */
const char *pp_plan_out_name(const struct pp_plan *p, size_t i);

/* Leading rows of output i that are missing for a symbol whose input has
 * no missing values: the warm-ups of the indicators in its definition,
 * added through nesting (indicators.h); 0 for a plain column. */
long pp_plan_warmup(const struct pp_plan *p, size_t i);

/* Rows a symbol's output must wait for its lead() values: the largest
 * total look-ahead of any target, 0 when there is none. */
size_t pp_plan_lead(const struct pp_plan *p);

/* Bytes of per-symbol state (indicator windows and running sums); an
 * allocation of this size from malloc is aligned enough. */
size_t pp_plan_state_size(const struct pp_plan *p);

/* Number of doubles in a row's register file. */
size_t pp_plan_nregs(const struct pp_plan *p);

/* Set up a symbol's state (state_size bytes) before its first row. */
void pp_plan_state_init(const struct pp_plan *p, void *state);

/* Phase one (stage 0 of it, see below) on one input row (cells in the
 * compiled schema's order): advance the symbol's state and fill regs
 * (nregs doubles).  Fails only on
 * a text column used as a number whose cell is not one: err is
 * 'column "x": not a number: "abc"' (PP_EXIT_DATA), state unchanged. */
int pp_plan_step(const struct pp_plan *p, void *state,
    const union pp_cell *row, double *regs, struct pp_err *err);

/*
 * Cross-sectional plans.  cs_rank, cs_zscore, cs_demean, cs_quantile and
 * ref() combine the rows of every symbol of one date, so phase one runs in
 * stages: pp_plan_step is stage 0 (a row alone); then for each stage
 * 1..stages-1, pp_plan_cross over all the date's rows (their register
 * files after the stage before), then pp_plan_step_stage on each row.  A
 * plan without such functions has one stage, and pp_plan_step is all of
 * phase one.  Nothing of a later date is read, so the no-look-ahead
 * argument holds per date: a row's features depend on its own and earlier
 * rows of its symbol, and on the other symbols' rows of the same date and
 * before.
 */
size_t pp_plan_stages(const struct pp_plan *p);

/* One row of a date for pp_plan_cross: its register file and symbol. */
struct pp_xrow {
	double *regs;
	const char *sym;
	size_t symlen;
};

/* The cross-sections of stage (>= 1) over the n rows of one date: writes
 * their registers of that stage. */
void pp_plan_cross(const struct pp_plan *p, size_t stage,
    struct pp_xrow *rows, size_t n);

/* Stage (>= 1) of phase one on one row of a symbol, after pp_plan_cross
 * of that stage.  Cannot fail: the row's cells were read by stage 0. */
void pp_plan_step_stage(const struct pp_plan *p, size_t stage, void *state,
    double *regs);

/* Phase two: the targets of a row.  win[j] is the register file phase one
 * filled for the same symbol j rows later (win[0] the row itself), or NULL
 * when that row does not exist yet or ever (the end of the input); j runs
 * 0..lead.  A lead() reaching a NULL row is missing (NaN).  The results go
 * into spare registers of win[0], which is why it is not const. */
void pp_plan_targets(const struct pp_plan *p, double *const *win);

/* The register holding output i: a feature's after pp_plan_step, a
 * target's after pp_plan_targets. */
size_t pp_plan_out_reg(const struct pp_plan *p, size_t i);

/*
 * The canonical text of a spec, appended to b: one "NAME=EXPR" line per
 * definition (targets too when targets, as "target NAME=EXPR"), in
 * definition order, each ending in a newline.  Expressions are written
 * without spaces, with the parentheses the operators need and no others,
 * names that are not identifiers in double quotes, numbers in their
 * shortest round-trip form, and every call with all its constant
 * parameters, the defaults filled in (logret(close) is
 * logret(close,1)).  So two command lines that mean the same thing give
 * the same text, and the text read back (pp_spec_add_file) gives the same
 * text again.  Only valid after pp_plan_compile(s, ...) succeeded.
 */
void pp_spec_print(const struct pp_spec *s, int targets, struct pp_buf *b);

/* Append to out (initialised) the input columns s reads, as float64, in
 * order of first use: the names its expressions use that no definition
 * defines, and the columns its indicators read themselves (atr: high, low,
 * close).  Without targets, only what the features read.  Works on a
 * spec that was never compiled: a schema to compile it against when
 * there is no input (--print-spec), and the raw columns a model needs. */
void pp_spec_columns(const struct pp_spec *s, int targets,
    struct pp_schema *out);

/* Append the function list (--list) to b: one line per function with its
 * signature, outputs and warm-up. */
void pp_expr_list(struct pp_buf *b);

#endif
