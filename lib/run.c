/*
 * run.c - a registry run's lifecycle: start or attach, log, and exactly
 * one end (FINISHED, FAILED or KILLED) for a run this process owns.  The
 * order that keeps a failed run from publishing anything is in run.h.
 */
#include "run.h"

#include <signal.h>
#include <string.h>

#include "banned.h"

int
pp_run_start(struct pp_run *run, const char *path,
    const struct pp_run_start *s, const struct pp_log *log,
    struct pp_err *err)
{
	run->path = path;
	run->id[0] = '\0';
	run->owned = 0;
	run->reg = pp_registry_open(path, PP_REG_CREATE, err);
	if (run->reg == NULL)
		return -1;
	if (pp_registry_run_start(run->reg, s, log, run->id, err) == -1) {
		run->id[0] = '\0';
		return -1;
	}
	run->owned = 1;
	run->ended = 0;
	return 0;
}

int
pp_run_attach(struct pp_run *run, const char *path, const char *id,
    struct pp_err *err)
{
	static const struct pp_log nothing = { NULL, 0, NULL, 0, NULL, 0 };

	run->path = path;
	run->id[0] = '\0';
	run->owned = 0;
	run->ended = 0;
	run->reg = pp_registry_open(path, 0, err);
	if (run->reg == NULL)
		return -1;
	/* An empty log checks the id and that the run exists. */
	if (pp_registry_log(run->reg, id, &nothing, err) == -1)
		return -1;
	memcpy(run->id, id, PP_RUN_ID_LEN);
	run->id[PP_RUN_ID_LEN] = '\0';
	return 0;
}

int
pp_run_active(const struct pp_run *run)
{
	return run->id[0] != '\0';
}

int
pp_run_log(struct pp_run *run, const struct pp_log *log, struct pp_err *err)
{
	return pp_registry_log(run->reg, run->id, log, err);
}

int
pp_run_finish(struct pp_run *run, const char *model, const char *artifact,
    int64_t *version, struct pp_err *err)
{
	if (!run->owned)
		return model != NULL ? pp_registry_register(run->reg, model,
		    run->id, artifact, NULL, version, err) : 0;
	/* One transaction: a version exists only of a FINISHED run. */
	if (pp_registry_run_finish(run->reg, run->id, model, artifact,
	    version, err) == -1)
		return -1;
	run->ended = 1;
	return 0;
}

int
pp_run_fail(struct pp_run *run, const struct pp_err *why, struct pp_err *err)
{
	struct pp_kv tag = { "error", why->msg };
	struct pp_log log = { NULL, 0, NULL, 0, &tag, 1 };

	if (!run->owned || !pp_run_active(run))
		return 0;
	if (pp_registry_run_end(run->reg, run->id, PP_RUN_FAILED, &log,
	    err) == -1)
		return -1;
	run->ended = 1;
	return 0;
}

int
pp_run_kill(const struct pp_run *run, int sig, struct pp_err *err)
{
	struct pp_kv tag = { "error", sig == SIGINT ? "killed by SIGINT" :
	    sig == SIGTERM ? "killed by SIGTERM" : sig == SIGHUP ?
	    "killed by SIGHUP" : "killed by a signal" };
	struct pp_log log = { NULL, 0, NULL, 0, &tag, 1 };
	struct pp_registry *reg;
	int rc;

	if (!run->owned || !pp_run_active(run) || run->ended)
		return 0;
	if ((reg = pp_registry_open(run->path, 0, err)) == NULL)
		return -1;
	rc = pp_registry_run_end(reg, run->id, PP_RUN_KILLED, &log, err);
	pp_registry_close(reg);
	return rc;
}

void
pp_run_release(struct pp_run *run)
{
	pp_registry_close(run->reg);
	run->reg = NULL;
}
