/*
 * shard.h - per-symbol sharding: which of N machines handles a symbol.
 *
 * Work on one symbol's rows (fetching, indicators, targets) needs no other
 * symbol, so it splits across N workers by symbol: worker I of N keeps the
 * rows whose symbol falls in shard I, and the union of the N outputs is the
 * unsharded output, each row in exactly one shard.  (cs_* and ref()
 * features need every symbol of a date: they run after the merge.)
 *
 * The assignment is a published contract, so other tools (an Airflow
 * task, a Spark job, a shell script) can reproduce it:
 *
 *     shard(symbol) = FNV-1a-64(symbol's bytes) mod N
 *
 * FNV-1a 64: h = 0xcbf29ce484222325; for each byte b (as unsigned),
 * h ^= b, h *= 0x100000001b3 (mod 2^64).  It depends on the symbol's bytes
 * alone: not on the machine, the row order, the other symbols or N's
 * other shards.  Indexes count from 0, as Kubernetes' JOB_COMPLETION_INDEX
 * and Airflow's map_index do: "I/N" with 0 <= I < N.
 *
 * Ownership: nothing is allocated; the filter reads its reader to the end
 * and writes to its writer, both the caller's.
 */
#ifndef PP_SHARD_H
#define PP_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"

/* Shard index of count (0 <= index < count). */
struct pp_shard {
	long index;		/* I: 0 .. count - 1 */
	long count;		/* N: 1 .. PP_SHARD_MAX */
};

/* The most shards: far above a Kubernetes Indexed Job's 100000
 * completions, low enough that a typo is caught. */
#define PP_SHARD_MAX 1000000L

/* Every symbol: shard 0 of 1. */
#define PP_SHARD_ALL { 0, 1 }

/* Parse "I/N" (decimal digits only, 0 <= I < N <= PP_SHARD_MAX) into *s.
 * Returns 0, or -1 with err set (PP_EXIT_USAGE) to 'bad value "ARG": ...'
 * saying what is wrong; the caller prefixes where ("--shard"). */
int pp_shard_parse(const char *arg, struct pp_shard *s, struct pp_err *err);

/* The shard, 0 .. count - 1, of the symbol sym[0..len) among count
 * (>= 1): FNV-1a 64 of its bytes mod count. */
long pp_shard_of(const char *sym, size_t len, long count);

/* 1 if the symbol sym[0..len) belongs to shard s, else 0. */
int pp_shard_has(const struct pp_shard *s, const char *sym, size_t len);

/* Copy the rows of r whose "symbol" column falls in shard s to w, in
 * their order, and set *kept (if not NULL) to how many.  Returns 0, or -1
 * with err set: no "symbol" column, or one that is not text
 * (PP_EXIT_DATA), a bad row of r, a write error of w.  w (whose schema is
 * r's) is not finished. */
int pp_shard_filter(struct pp_reader *r, struct pp_writer *w,
    const struct pp_shard *s, size_t *kept, struct pp_err *err);

/* The index of the text column "symbol" in schema, or -1 with err set
 * (PP_EXIT_DATA) when there is none or it is not text. */
long pp_shard_column(const struct pp_schema *schema, struct pp_err *err);

#endif
