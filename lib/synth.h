/*
 * synth.h - deterministic synthetic daily OHLCV, for demos, tests and
 * benchmarks that must not depend on the network.
 *
 * Each symbol follows a geometric Brownian motion in log price with two
 * volatility regimes (calm, turbulent; a Markov chain switches between
 * them) and rare jumps.  Bars fall on business days (Monday to Friday; no
 * holiday calendar).  Every bar is consistent: prices positive,
 * high >= max(open, close), low <= min(open, close), volume a whole number
 * >= 1.  Prices are rounded to 4 decimals.
 *
 * Determinism: the output is a function of (seed, symbol, start, end)
 * only, the same bytes on every machine.  Each symbol has its own random
 * stream (xoshiro256** seeded from the seed and a hash of the symbol's
 * bytes), so adding or removing a symbol does not change the others.  The
 * arithmetic uses only IEEE 754 operations that are exactly specified (+, -,
 * *, /, sqrt, floor, round, frexp, ldexp): exp and log are computed here,
 * not taken from libm, whose last bit may differ between machines.
 *
 * Ownership: the generator copies the symbols; a row's sym points into the
 * generator and stays valid until pp_synth_free.
 */
#ifndef PP_SYNTH_H
#define PP_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ohlcv.h"

struct pp_synth;

/* A generator for symbols[0..nsym) (each non-empty; duplicates are an
 * error) over the business days in [start, end] (days since 1970-01-01),
 * rows ordered by symbol (bytewise) then date.  Returns NULL with err set
 * when nsym is 0, a symbol is empty or repeated, or start > end. */
struct pp_synth *pp_synth_new(const char *const *symbols, size_t nsym,
    int64_t start, int64_t end, uint64_t seed, struct pp_err *err);

/* The next bar into *row (sym valid until pp_synth_free).  Returns 1, or
 * 0 when every symbol is done. */
int pp_synth_next(struct pp_synth *s, struct pp_ohlcv_row *row);

void pp_synth_free(struct pp_synth *s);

/* The generator's own exp and natural log (exposed for the unit tests):
 * within 2 ulp of the true value, and bit-identical on every IEEE 754
 * machine.  pp_synth_exp is valid for |x| <= 700, pp_synth_log for x > 0
 * (normal numbers). */
double pp_synth_exp(double x);
double pp_synth_log(double x);

#endif
