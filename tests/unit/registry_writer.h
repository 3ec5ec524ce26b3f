/*
 * registry_writer.h - the concurrency load, for test_registry
 * (SQLite) and test_registry_pg (PostgreSQL): one writer process's 250
 * runs of 10 params and 50 metrics in experiment "conc".
 *
 * Included by a test file, after registry.h; the writer ends its process
 * with _exit: 0 when every run was started and ended, 1 otherwise (the
 * message on stderr).
 */
#ifndef PP_TEST_REGISTRY_WRITER_H
#define PP_TEST_REGISTRY_WRITER_H

#include <stdio.h>
#include <unistd.h>

#include "registry.h"

/* Writer number w (its metrics' values differ by w) on the registry
 * name, opened with flags. */
static void
registry_writer(const char *name, unsigned flags, int w)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_registry *r = pp_registry_open(name, flags, &err);
	struct pp_kv params[10];
	struct pp_metric m[50];
	char keys[60][16], id[PP_RUN_ID_LEN + 1];
	struct pp_log start = { params, 10, NULL, 0, NULL, 0 };
	struct pp_log end = { NULL, 0, m, 50, NULL, 0 };
	struct pp_run_start s = PP_RUN_START_INIT;
	int i, k;

	if (r == NULL)
		_exit(1);
	for (k = 0; k < 10; k++) {
		snprintf(keys[k], sizeof(keys[k]), "p%d", k);
		params[k].key = keys[k];
		params[k].value = "v";
	}
	for (k = 0; k < 50; k++) {
		snprintf(keys[10 + k], sizeof(keys[k]), "m%d", k);
		m[k].key = keys[10 + k];
		m[k].value = k + w / 10.0;
		m[k].step = k;
		m[k].timestamp = 0;
	}
	s.experiment = "conc";
	for (i = 0; i < 250; i++)
		if (pp_registry_run_start(r, &s, &start, id, &err) == -1 ||
		    pp_registry_run_end(r, id, PP_RUN_FINISHED, &end, &err) ==
		    -1) {
			fprintf(stderr, "writer %d: %s\n", w, err.msg);
			_exit(1);
		}
	pp_registry_close(r);
	_exit(0);
}

#endif
