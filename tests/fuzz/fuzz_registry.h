/*
 * fuzz_registry.h - a small registry for the harnesses that query one
 * (fuzz_registry_filter.c, fuzz_uri.c): made once per process in a temporary
 * directory, removed at exit.
 *
 * It holds experiment "exp" with two finished runs (metrics rmse and r2,
 * params model and alpha, tag env; the first with artifact "model.ppm", a
 * valid model) and registered model "m", version 1 from the first run,
 * with alias "champion".  fuzz_run1 is the first run's id.
 */
#ifndef FUZZ_REGISTRY_H
#define FUZZ_REGISTRY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "model.h"
#include "registry.h"

static struct pp_registry *fuzz_reg;
static char fuzz_dir[64], fuzz_path[96];
static char fuzz_run1[PP_RUN_ID_LEN + 1];

static void
fuzz_reg_die(const char *what, const struct pp_err *e)
{
	fprintf(stderr, "fuzz registry: %s: %s\n", what, e->msg);
	abort();
}

static void
fuzz_reg_cleanup(void)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char p[128];
	size_t i;

	pp_registry_close(fuzz_reg);
	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", fuzz_path, ext[i]);
		unlink(p);
	}
	rmdir(fuzz_dir);
}

static void
fuzz_reg_run(const char *rmse, const char *alpha, char id[PP_RUN_ID_LEN + 1])
{
	struct pp_run_start s = PP_RUN_START_INIT;
	struct pp_kv params[] = { { "model", "ridge" }, { "alpha", alpha } };
	struct pp_kv tags[] = { { "env", "dev" } };
	struct pp_metric m[] = { { "rmse", 0, 0, 0 }, { "r2", 0.25, 0, 0 } };
	struct pp_log log = { params, 2, m, 2, tags, 1 };
	struct pp_err e = PP_ERR_INIT;

	m[0].value = strtod(rmse, NULL);
	s.experiment = "exp";
	s.name = "run";
	if (pp_registry_run_start(fuzz_reg, &s, &log, id, &e) == -1 ||
	    pp_registry_run_end(fuzz_reg, id, PP_RUN_FINISHED, NULL, &e) == -1)
		fuzz_reg_die("run", &e);
}

static void
fuzz_reg_setup(void)
{
	static const char *const names[] = { "f1", "f2" };
	struct pp_err e = PP_ERR_INIT;
	struct pp_model *m;
	struct pp_buf b = PP_BUF_INIT;
	char id2[PP_RUN_ID_LEN + 1];
	int64_t v;

	if (fuzz_reg != NULL)
		return;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/pp-fuzz-XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	snprintf(fuzz_path, sizeof(fuzz_path), "%s/reg.db", fuzz_dir);
	if ((fuzz_reg = pp_registry_open(fuzz_path, PP_REG_CREATE, &e)) == NULL)
		fuzz_reg_die("open", &e);
	atexit(fuzz_reg_cleanup);
	fuzz_reg_run("0.5", "1", fuzz_run1);
	fuzz_reg_run("0.25", "0.1", id2);
	m = pp_model_new(PP_MODEL_RIDGE, "y", 2, names);
	m->coef[0] = 1.5;
	pp_model_encode(m, &b);
	pp_model_free(m);
	if (pp_registry_artifact_put(fuzz_reg, fuzz_run1, "model.ppm", b.data,
	    b.len, &e) == -1 ||
	    pp_registry_register(fuzz_reg, "m", fuzz_run1, "model.ppm", NULL,
	    &v, &e) == -1 ||
	    pp_registry_alias_set(fuzz_reg, "m", "champion", v, &e) == -1)
		fuzz_reg_die("model", &e);
	pp_buf_release(&b);
}

/* 1 if msg is one line of printable text (UTF-8 allowed). */
static int
fuzz_one_line(const char *msg)
{
	for (; *msg != '\0'; msg++)
		if ((unsigned char)*msg < 0x20 || *msg == 0x7f)
			return 0;
	return 1;
}

#endif
