/*
 * ratelimit.c - token buckets in a chained hash table under one mutex.
 *
 * Refill is lazy: a bucket stores its tokens and when it last changed, and
 * a take first adds rate * elapsed (capped at burst).  So an idle key costs
 * nothing, and "has refilled completely" is a computation, which is what
 * the sweep uses to drop keys when the table is full.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "ratelimit.h"
#include "util.h"
#include "banned.h"

#define NSLOTS 4096	/* chains; a power of two */

struct bucket {
	struct bucket *next;
	double tokens;	/* at time t */
	double t;	/* seconds, the caller's clock */
	char key[];	/* NUL-terminated */
};

struct pp_ratelimit {
	pthread_mutex_t mu;
	double rate;	/* tokens a second */
	double burst;	/* capacity */
	size_t n;	/* buckets held */
	struct bucket *slot[NSLOTS];
};

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

struct pp_ratelimit *
pp_ratelimit_new(double rate, double burst)
{
	struct pp_ratelimit *rl = pp_xcalloc(1, sizeof(*rl));

	pthread_mutex_init(&rl->mu, NULL);
	rl->rate = rate;
	rl->burst = burst < 1 ? 1 : burst;
	return rl;
}

void
pp_ratelimit_free(struct pp_ratelimit *rl)
{
	struct bucket *b, *next;
	size_t i;

	if (rl == NULL)
		return;
	for (i = 0; i < NSLOTS; i++)
		for (b = rl->slot[i]; b != NULL; b = next) {
			next = b->next;
			free(b);
		}
	pthread_mutex_destroy(&rl->mu);
	free(rl);
}

static double
level(const struct pp_ratelimit *rl, const struct bucket *b, double now)
{
	double t = b->tokens + (now > b->t ? (now - b->t) * rl->rate : 0);

	return t > rl->burst ? rl->burst : t;
}

/* Drop every bucket that is full again at now. */
static void
sweep(struct pp_ratelimit *rl, double now)
{
	struct bucket **pb, *b;
	size_t i;

	for (i = 0; i < NSLOTS; i++)
		for (pb = &rl->slot[i]; (b = *pb) != NULL;) {
			if (level(rl, b, now) >= rl->burst) {
				*pb = b->next;
				free(b);
				rl->n--;
			} else {
				pb = &b->next;
			}
		}
}

int
pp_ratelimit_take(struct pp_ratelimit *rl, const char *key, double now,
    double *retry_after)
{
	struct bucket *b;
	size_t i = hash(key) & (NSLOTS - 1), len;
	int ok;

	pthread_mutex_lock(&rl->mu);
	for (b = rl->slot[i]; b != NULL; b = b->next)
		if (strcmp(b->key, key) == 0)
			break;
	if (b == NULL) {
		if (rl->n >= PP_RATELIMIT_MAX_KEYS)
			sweep(rl, now);
		if (rl->n >= PP_RATELIMIT_MAX_KEYS) {
			pthread_mutex_unlock(&rl->mu);
			*retry_after = 1 / rl->rate;
			return 0;
		}
		len = strlen(key);
		b = pp_xmalloc(sizeof(*b) + len + 1);
		memcpy(b->key, key, len + 1);
		b->tokens = rl->burst;
		b->t = now;
		b->next = rl->slot[i];
		rl->slot[i] = b;
		rl->n++;
	}
	b->tokens = level(rl, b, now);
	b->t = now > b->t ? now : b->t;
	ok = b->tokens >= 1;
	if (ok)
		b->tokens -= 1;
	else
		*retry_after = (1 - b->tokens) / rl->rate;
	pthread_mutex_unlock(&rl->mu);
	return ok;
}

size_t
pp_ratelimit_size(struct pp_ratelimit *rl)
{
	size_t n;

	pthread_mutex_lock(&rl->mu);
	n = rl->n;
	pthread_mutex_unlock(&rl->mu);
	return n;
}

int
pp_ratelimit_parse(const char *s, double *rate)
{
	const char *slash = strchr(s, '/');
	double n, per;

	if (slash == NULL || pp_parse_double(s, (size_t)(slash - s), &n) == -1
	    || !isfinite(n) || !(n > 0))
		return -1;
	if (strcmp(slash, "/s") == 0)
		per = 1;
	else if (strcmp(slash, "/min") == 0)
		per = 60;
	else if (strcmp(slash, "/h") == 0)
		per = 3600;
	else
		return -1;
	*rate = n / per;
	return 0;
}
