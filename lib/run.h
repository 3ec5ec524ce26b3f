/*
 * run.h - one registry run's life, from start (or attach) to its end.
 *
 * A program that records its work in the registry (pp-train, pp-eval)
 * holds a struct pp_run: the registry connection and the run's id.  It
 * either starts a run (status RUNNING; this process owns it and must end
 * it) or attaches to a run another process started (pp-eval --run ID: it
 * logs to the run and never ends it).
 *
 * The one rule this module keeps: a run that did not finish publishes
 * nothing.  An owned run ends exactly one way:
 *   - pp_run_finish: FINISHED, and the model version registered if one
 *     was asked for, in one transaction (pp_registry_run_finish);
 *   - pp_run_fail: FAILED, with the error as the tag "error";
 *   - pp_run_kill: KILLED by a signal (from another thread, on a
 *     connection of its own, since the program's connection may be inside
 *     a transaction; see pp_cli_guard_run).
 * A program publishes its outputs in this order, inside
 * pp_cli_finish_begin/_end so a signal cannot land in between: log the
 * result, write everything that goes to stdout, flush and sync the -o file
 * (pp_out_flush), pp_run_finish, and only then rename the -o file into
 * place (pp_out_commit).  Every step that can fail for an ordinary reason
 * (a full disk, a closed stdout, a busy registry) comes before the run is
 * FINISHED and a version registered, so its failure ends the run FAILED
 * with no -o file and no version.  What is left is the rename of a file
 * already written and synced beside its target: if even that fails, the
 * run is marked FAILED, but the version registered a moment before stays
 * (it points at the run's artifact in the registry, which is complete).
 *
 * Ownership.  The struct is the caller's (PP_RUN_INIT), the connection it
 * opens is released by pp_run_release; path is borrowed and must outlive
 * the run.  Errors: 0 or -1 with err set, as registry.h.
 */
#ifndef PP_RUN_H
#define PP_RUN_H

#include <stdint.h>

#include "err.h"
#include "registry.h"

struct pp_run {
	struct pp_registry *reg;	/* the program's connection, or NULL */
	const char *path;		/* the registry's path (borrowed) */
	char id[PP_RUN_ID_LEN + 1];	/* "" until started or attached */
	int owned;			/* started here: this process ends it */
	int ended;			/* owned and its end written */
};

#define PP_RUN_INIT { NULL, NULL, "", 0, 0 }

/* Open (creating it if missing) the registry at path and start a run as s
 * and log say (log may be NULL), in one transaction.  On success run->id
 * holds the id and the run is owned.  On failure no run exists. */
int pp_run_start(struct pp_run *run, const char *path,
    const struct pp_run_start *s, const struct pp_log *log,
    struct pp_err *err);

/* Open the registry at path (it must exist) and attach to run id, which
 * must exist and not be deleted.  The run is not owned: pp_run_finish,
 * pp_run_fail and pp_run_kill leave its status alone. */
int pp_run_attach(struct pp_run *run, const char *path, const char *id,
    struct pp_err *err);

/* Whether run holds a started or attached run. */
int pp_run_active(const struct pp_run *run);

/* Log params, metrics and tags to the run (pp_registry_log). */
int pp_run_log(struct pp_run *run, const struct pp_log *log,
    struct pp_err *err);

/* End an owned run FINISHED.  With model non-NULL, first register the
 * run's artifact `artifact` as a new version of model (its number in
 * *version).  If registering fails the run stays RUNNING (the caller's
 * pp_run_fail ends it).  On an attached run: registers if asked, never
 * touches the status. */
int pp_run_finish(struct pp_run *run, const char *model, const char *artifact,
    int64_t *version, struct pp_err *err);

/* End an owned run FAILED with why's message as the tag "error" (also
 * after pp_run_finish, when publishing failed last).  Does nothing on an
 * attached or inactive run.  Returns 0, or -1 with err set if the status
 * could not be written. */
int pp_run_fail(struct pp_run *run, const struct pp_err *why,
    struct pp_err *err);

/* End an owned, still RUNNING run KILLED by sig (tag "error": "killed by
 * SIGTERM"), on a connection of its own: safe to call from another thread
 * while the program's connection is busy.  A run already ended is left
 * alone.  Returns 0, or -1 with err set. */
int pp_run_kill(const struct pp_run *run, int sig, struct pp_err *err);

/* Close the connection.  An owned run still RUNNING stays so (the caller
 * ends it first); NULL-safe on an initialised struct. */
void pp_run_release(struct pp_run *run);

#endif
