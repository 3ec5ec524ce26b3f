/*
 * fuzz_registry_filter.c - a libFuzzer target for the registry's filter language
 * (lib/registry_filter.c: --filter and --order-by of pp-registry runs, pp-eval's
 * run searches).  `make check` replays tests/fuzz/corpus/registry_filter through
 * it; `make fuzz` runs it FUZZ_TIME seconds under libFuzzer, ASan and
 * UBSan.
 *
 * The input up to its first newline is a filter, the rest an order-by
 * key (if there is a newline).  Beyond "no crash, no leak, no undefined
 * behaviour", it checks:
 *   - a refused filter or key gives one printable line, "filter: offset
 *     N: ..." or "order-by: offset N: ...", whatever bytes it quotes;
 *   - an accepted one binds every value: the SQL holds exactly as many
 *     placeholders as there are values (user text never becomes SQL);
 *   - no partial success: what parses runs (pp_registry_runs on a small
 *     registry succeeds), and what does not parse fails the query with
 *     the same message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_filter.h"
#include "util.h"
#include "fuzz_registry.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
count_q(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '?';
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_registry_filter f = PP_REGISTRY_FILTER_INIT;
	struct pp_run_query q = PP_RUN_QUERY_INIT;
	struct pp_reg_table t;
	struct pp_err e = PP_ERR_INIT, e2 = PP_ERR_INIT;
	const char *nl = memchr(data, '\n', size);
	char *where, *order = NULL;
	int rc;

	if (size > 2048)
		return 0;
	fuzz_reg_setup();
	where = pp_xstrndup((const char *)data, nl ? (size_t)(nl - (const
	    char *)data) : size);
	if (nl != NULL)
		order = pp_xstrndup(nl + 1, size - (size_t)(nl + 1 - (const
		    char *)data));
	rc = pp_registry_filter_where(&f, where, &e);
	if (rc == 0 && order != NULL)
		rc = pp_registry_filter_order(&f, order, &e);
	if (rc == -1) {
		if ((strncmp(e.msg, "filter: offset ", 15) != 0 &&
		    strncmp(e.msg, "order-by: offset ", 17) != 0) ||
		    !fuzz_one_line(e.msg)) {
			fprintf(stderr, "bad message shape: %s\n", e.msg);
			abort();
		}
	} else if (count_q(f.where.data) + count_q(f.order.data) != f.nargs) {
		fprintf(stderr, "%zu values for the SQL %s ORDER BY %s\n",
		    f.nargs, f.where.data, f.order.data);
		abort();
	}
	memset(&t, 0, sizeof(t));
	q.filter = where;
	q.order_by = order;
	q.nested = 1;
	if (pp_registry_runs(fuzz_reg, &q, &t, &e2) == -1) {
		if (rc == 0) {
			fprintf(stderr, "a filter that parses fails the "
			    "query: %s\n", e2.msg);
			abort();
		}
		if (strstr(e2.msg, e.msg) == NULL) {
			fprintf(stderr, "the query says \"%s\", the parser "
			    "\"%s\"\n", e2.msg, e.msg);
			abort();
		}
	} else if (rc == -1) {
		fprintf(stderr, "a filter that does not parse runs: %s\n",
		    e.msg);
		abort();
	}
	pp_reg_table_release(&t);
	pp_registry_filter_release(&f);
	free(where);
	free(order);
	return 0;
}
