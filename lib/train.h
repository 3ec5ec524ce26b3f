/*
 * train.h - pp-train's work: read a frame, pick the columns, validate
 * chronologically, choose among a grid of parameters, fit the final model.
 *
 * Memory: least squares, ridge, lasso and elastic net keep moments only
 * (linear.h): one set for a plain fit, one per date when a split is asked
 * for, never the rows.  Logistic regression keeps the numeric design
 * matrix (rows x features doubles, plus the target and the date).
 * Gradient-boosted trees keep the rows as float32, what XGBoost fits on
 * (rows x features x 4 bytes, plus the target and the date), and XGBoost
 * its histogram index (a byte per cell) per fit.
 *
 * Rows with a missing (NaN) or infinite feature or target, or a missing
 * date when splitting, are dropped and counted, or are an error naming the
 * line and column with strict.  The library words its warnings (constant
 * or collinear features, a solver at its iteration cap) as strings in the
 * result; the program prints them.
 *
 * The final model: with a walk-forward split it is refitted on every date
 * with the best parameters; with a hold-out it is the model fitted on the
 * training dates, so the reported test metric is the saved model's.
 */
#ifndef PP_TRAIN_H
#define PP_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "frame.h"
#include "gbdt.h"
#include "linear.h"
#include "model.h"
#include "registry.h"
#include "run.h"
#include "split.h"

/* One --grid axis: a parameter and the values to try. */
struct pp_grid_axis {
	char *param;		/* owned: "alpha", "l1_ratio", "C", or a gbdt
				 * parameter ("n_estimators", "max_depth") */
	double *vals;		/* owned: nvals values */
	size_t nvals;
};

struct pp_train_opts {
	struct pp_fit_opts fit;	/* kind and parameters */
	struct pp_gbdt_params gb; /* gbdt's parameters */
	const char *objective;	/* gbdt: XGBoost objective, or NULL: from
				 * the target (binary:logistic for 0/1) */
	const char *target;	/* target column */
	const char *features;	/* comma-separated names, or NULL */
	const char *features_re; /* POSIX extended regex, or NULL */
	const char *exclude;	/* comma-separated names, or NULL */
	const char *targets_like; /* regex of other targets, or NULL */
	int strict;		/* a dropped row is an error instead */
	struct pp_split_opts split; /* none when folds and test_frac are 0 */
	long horizon;		/* the target's look-ahead in dates, or 0 */
	const char *run_name;	/* the run's name, or NULL: the model kind */
	const struct pp_kv *tags; /* ntags user tags for the run */
	size_t ntags;
	size_t ngrid;
	struct pp_grid_axis *grid; /* owned by the caller */
	void (*progress)(size_t rows); /* every 65536 rows read, or NULL */
};

/* One fold's outcome for one candidate. */
struct pp_fold_report {
	int64_t train_first, train_last; /* first and last training date */
	int64_t test_first, test_last;
	size_t ntrain, ntest;	/* rows */
	double metric;		/* rmse or log loss on the test rows */
	double metric2;		/* r2 or accuracy on the test rows */
};

/* One set of parameters tried. */
struct pp_candidate {
	double alpha, l1_ratio, C;
	struct pp_gbdt_params gb; /* gbdt: o->gb with the grid's values */
	char *label;		/* owned: "alpha=0.1,l1_ratio=0.5" or "" */
	struct pp_fold_report *folds; /* owned: nfolds of the result */
	double mean;		/* mean metric over the folds */
	double mean2;		/* mean metric2 */
};

struct pp_train_result {
	struct pp_model *model;	/* owned: the final model */
	size_t rows_read;	/* data rows in the frame */
	size_t rows_used;	/* rows the final model was fitted on */
	size_t rows_dropped;	/* rows with a missing value */
	size_t ndates;		/* distinct dates (0 when not splitting) */
	enum pp_type date_type;	/* the date column's type, or 0 */
	const char *metric;	/* "rmse" or "logloss" (static) */
	const char *metric2;	/* "r2" or "accuracy" (static) */
	size_t nfolds;
	size_t ncand;
	struct pp_candidate *cand; /* owned: ncand */
	size_t best;		/* index of the chosen candidate */
	long best_iteration;	/* gbdt early stopping: the final model's
				 * best round (0-based), else -1 */
	double *importance;	/* owned: gbdt gain per feature, or NULL */
	size_t nwarn;
	char **warn;		/* owned: warning messages */
};

void pp_train_result_init(struct pp_train_result *r);
void pp_train_result_release(struct pp_train_result *r);

/* Parse one --grid value "PARAM=V1,V2,..." for a model of kind and append
 * the axis to *grid.  PARAM must be one the kind takes, values finite
 * and in range (alpha >= 0, l1_ratio in [0, 1], C > 0; for gbdt the
 * ranges of pp-train's options of the same name).  Usage error
 * otherwise. */
int pp_train_parse_grid(const char *spec, enum pp_model_kind kind,
    struct pp_grid_axis **grid, size_t *ngrid, struct pp_err *err);
void pp_train_grid_free(struct pp_grid_axis *grid, size_t ngrid);

/*
 * The feature columns: o->features as given; else the number columns
 * matching o->features_re; else the default, every number column but the
 * target, symbol, date, o->exclude, the raw bars pp-fetch writes (open,
 * high, low, close, adjclose, volume) and the columns matching
 * o->targets_like (other targets: a lead of the future is never a
 * default feature).
 */

/* Append the feature columns o picks from s to out, comma-separated.
 * Fails as pp_train_run does on a missing or non-number column, a bad
 * regular expression, or no feature left. */
int pp_train_features(const struct pp_schema *s, const struct pp_train_opts *o,
    struct pp_buf *out, struct pp_err *err);

/* Read every row of r and train as o says.  On success the result holds
 * the model, the counts, the candidates and warnings.  Fails on a data
 * error (with the file, line and column), a missing column, a split with
 * an empty fold, or no rows left to fit. */
int pp_train_run(struct pp_reader *r, const struct pp_train_opts *o,
    struct pp_train_result *res, struct pp_err *err);

/* ---- The registry ------------------------------------------------------
 *
 * What a run logs, and when.  At the start, before any row is read: the
 * params known from the command line (model, target, validation, the
 * penalties that are not a --grid axis) and the tags that describe the
 * machine (library versions), so a run that fails still says what it
 * tried.  After a successful fit: the penalties the grid chose, the
 * metrics (per fold as steps 1..K of fold_METRIC, their means as
 * cv_METRIC; a hold-out as test_METRIC), and the tags that describe the
 * data (input SHA-256, features, row counts, warnings).  man/pp-train.1
 * lists every key.
 */

/* Start run (pp_run_start: the registry at path, created if missing) in
 * experiment for the training o describes.  command is the command line,
 * fingerprint the input's SHA-256 if known yet (or NULL).  Returns 0 or -1
 * with err set. */
int pp_train_run_start(struct pp_run *run, const char *path,
    const char *experiment, const struct pp_train_opts *o,
    const char *command, const char *fingerprint, struct pp_err *err);

/* Log res to the run run_id (which stays RUNNING), and, with a grid, one
 * nested run per candidate (name: the candidate's label; its params and
 * metrics), each FINISHED.  sha256 is the input's digest.  Returns 0 or
 * -1 with err set. */
int pp_train_log_result(struct pp_registry *reg, const char *experiment,
    const char *run_id, const struct pp_train_opts *o,
    const struct pp_train_result *res, const char *sha256,
    struct pp_err *err);

/* Append argv as one shell-quoted line to out: words made only of
 * letters, digits and _-+./:=,@% as they are, others in single quotes. */
void pp_train_command_line(int argc, char *const argv[], struct pp_buf *out);

/* Write date d of the result's date type into buf (PP_DATE_BUFSZ). */
void pp_train_fmt_date(const struct pp_train_result *res, int64_t d,
    char *buf);

#endif
