/*
 * shard.c - per-symbol sharding.  The one idea: a symbol's shard is a
 * function of its bytes alone (FNV-1a 64 mod N, shard.h), so N workers
 * that never talk to each other split any frame into N disjoint parts
 * whose union is the whole.
 */
#include "shard.h"

#include <string.h>

#include "num.h"
#include "util.h"
#include "banned.h"

/* s[0..n) as a whole number in [lo, hi]: decimal digits only (no sign, no
 * space), at most 7 of them. */
static int
part(const char *s, size_t n, long lo, long hi, long *out)
{
	char num[8];
	size_t i;

	if (n == 0 || n >= sizeof(num))
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	return pp_parse_long(num, lo, hi, out);
}

int
pp_shard_parse(const char *arg, struct pp_shard *s, struct pp_err *err)
{
	const char *slash = strchr(arg, '/');
	long i, n;

	if (slash == NULL || part(slash + 1, strlen(slash + 1), 1,
	    PP_SHARD_MAX, &n) == -1 || part(arg, (size_t)(slash - arg), 0,
	    PP_SHARD_MAX, &i) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "bad value \"%s\": want "
		    "I/N, shard I of N, with 0 <= I < N <= %ld", arg,
		    PP_SHARD_MAX);
	if (i >= n)
		return pp_err_set(err, PP_EXIT_USAGE, "bad value \"%s\": the "
		    "shard %ld is not below the count %ld (shards count from "
		    "0, as JOB_COMPLETION_INDEX)", arg, i, n);
	s->index = i;
	s->count = n;
	return 0;
}

long
pp_shard_of(const char *sym, size_t len, long count)
{
	/* pp_hash_bytes is FNV-1a 64, pinned by test_shard's vectors. */
	return (long)(pp_hash_bytes(sym, len) % (uint64_t)count);
}

int
pp_shard_has(const struct pp_shard *s, const char *sym, size_t len)
{
	return s->count == 1 || pp_shard_of(sym, len, s->count) == s->index;
}

long
pp_shard_column(const struct pp_schema *schema, struct pp_err *err)
{
	long c = pp_schema_find(schema, "symbol");

	if (c < 0)
		return pp_err_set(err, PP_EXIT_DATA, "no column \"symbol\" to "
		    "shard by");
	if (schema->cols[c].type != PP_T_TEXT)
		return pp_err_set(err, PP_EXIT_DATA, "column \"symbol\": %s, "
		    "not text", pp_type_name(schema->cols[c].type));
	return c;
}

int
pp_shard_filter(struct pp_reader *r, struct pp_writer *w,
    const struct pp_shard *s, size_t *kept, struct pp_err *err)
{
	const union pp_cell *row;
	long c = pp_shard_column(pp_reader_schema(r), err);
	size_t n = 0;
	int got;

	if (c < 0)
		return -1;
	while ((got = pp_reader_next(r, &row, err)) == 1) {
		if (!pp_shard_has(s, row[c].s.p, row[c].s.len))
			continue;
		if (pp_writer_row(w, row, err) == -1)
			return -1;
		n++;
	}
	if (kept != NULL)
		*kept = n;
	return got;
}
