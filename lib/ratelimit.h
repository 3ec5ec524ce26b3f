/*
 * ratelimit.h - token buckets, one per client key (an API key's name, or
 * an address), for pp-serve's --rate and --burst.
 *
 * A bucket holds at most burst tokens and gains rate tokens a second; a
 * request takes one.  A key seen for the first time starts full.  An empty
 * bucket refuses, and says how long until it holds a token again, which
 * pp-serve sends as Retry-After.
 *
 * Memory is bounded: the table holds at most PP_RATELIMIT_MAX_KEYS keys.
 * When it is full, buckets that have refilled completely (they hold no
 * state worth keeping: a new bucket starts full) are dropped; if none has,
 * the new key is refused until one does, so a flood of fresh addresses
 * cannot grow memory or reset limits.
 *
 * Threads: every call takes the table's mutex; calls are short.
 */
#ifndef PP_RATELIMIT_H
#define PP_RATELIMIT_H

#include <stddef.h>

#define PP_RATELIMIT_MAX_KEYS 65536

struct pp_ratelimit;

/* A table of buckets gaining rate (> 0) tokens a second, holding at most
 * burst (>= 1).  Never NULL. */
struct pp_ratelimit *pp_ratelimit_new(double rate, double burst);
void pp_ratelimit_free(struct pp_ratelimit *rl);

/* Take a token from key's bucket at time now (seconds, monotonic).
 * Returns 1 if it had one; else 0 and *retry_after is the seconds until
 * it will (> 0). */
int pp_ratelimit_take(struct pp_ratelimit *rl, const char *key, double now,
    double *retry_after);

/* Keys held now (for tests and metrics). */
size_t pp_ratelimit_size(struct pp_ratelimit *rl);

/* Parse a --rate value "N/s", "N/min" or "N/h" (N > 0, a decimal) into
 * tokens a second.  Returns 0 or -1. */
int pp_ratelimit_parse(const char *s, double *rate);

#endif
