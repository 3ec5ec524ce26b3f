/*
 * lineage.h - how a frame or a model was made, carried with it: the keys
 * programs write into frame metadata (pp-frame(5): pp.spec, pp.horizon,
 * pp.producer, pp.source.sha256), and a model's recipe (pp-model(5)): the
 * feature spec, the raw columns it reads, its warm-up and horizon.
 *
 * The one idea: a feature spec is compared and stored only in its
 * canonical text (pp_spec_print), so "the same definition" means "the same
 * line", whichever command line or file it came from.
 *
 * Ownership: every string a struct here points at is owned by it and
 * released by its _release; functions that take a text copy what they
 * keep.
 */
#ifndef PP_LINEAGE_H
#define PP_LINEAGE_H

#include <stddef.h>

#include "err.h"
#include "frame.h"

struct pp_buf;
struct pp_spec;

#define PP_META_SPEC "pp.spec"
#define PP_META_HORIZON "pp.horizon"
#define PP_META_PRODUCER "pp.producer"
#define PP_META_SOURCE "pp.source.sha256"
/* Written by pp-predict: the column holding the predictions and the
 * model's target column, so pp-eval needs neither --pred nor --target. */
#define PP_META_PRED_COLUMN "pp.prediction.column"
#define PP_META_PRED_TARGET "pp.prediction.target"

/* Append one line to m's pp.producer: "PROG VERSION ARG...", each of
 * argv[1..argc) written in single quotes when it holds anything but
 * letters, digits and -_.,:/=+@% (a quote inside as '\'').  Earlier lines,
 * the programs before this one, are kept. */
void pp_lineage_producer(struct pp_meta *m, const char *prog,
    const char *version, int argc, char *const argv[]);

/* Set pp.source.sha256 to the SHA-256 of the file at path when it is a
 * regular file and m has no such key yet (an earlier program knew the
 * source better); otherwise do nothing.  Costs one read of the file.
 * Returns 0, or -1 with err set on a read error. */
int pp_lineage_source(struct pp_meta *m, const char *path,
    struct pp_err *err);

/* Set pp.spec to the canonical text of s (compiled) with its targets, and
 * pp.horizon to horizon (s's plan's lead).  When m already holds a spec
 * (the input frame's: features computed on features), the new
 * definitions are appended to it and the horizon is the combined one; if
 * together they do not check, pp.spec and pp.horizon are removed, since
 * no spec then says how the frame was made. */
void pp_lineage_spec(struct pp_meta *m, const struct pp_spec *s,
    size_t horizon);

/*
 * The canonical text of the spec held in text[0..len) (a spec file: one
 * definition a line, "target " before a target, comments), appended to
 * canon, and the spec's horizon.  The spec is checked against the columns
 * it reads itself (pp_spec_columns), so it needs no frame.  src names the
 * text in messages.  Returns 0, or -1 with err set: a definition that
 * does not parse or check is PP_EXIT_USAGE from a file the user gave;
 * callers reading a spec stored in a model or a frame turn it into a
 * data error naming where it came from.
 */
int pp_lineage_canon(const char *text, size_t len, const char *src,
    struct pp_buf *canon, size_t *horizon, struct pp_err *err);

/* A model's recipe: what turns raw bars into its features. */
struct pp_recipe {
	char *spec;		/* canonical spec, targets too; owned */
	char *inputs;		/* raw columns read, comma-separated; owned */
	long warmup;		/* rows of a symbol before every feature is known */
	long horizon;		/* largest lead() of a target, in rows */
};

#define PP_RECIPE_INIT { NULL, NULL, 0, 0 }

void pp_recipe_release(struct pp_recipe *r);

/*
 * Derive the recipe of a model with features names[0..n) from a spec held
 * in text[0..len) (canonical or not; src names it in messages).  inputs:
 * the columns the spec's features read, then any model feature the spec
 * does not define (a raw column used as it is).  warmup: the longest
 * warm-up of a model feature (pp_plan_warmup; 0 for a raw column).  A
 * model feature that is one of the spec's targets is an error: a model
 * cannot use a value that looks ahead.  Returns 0, or -1 with err set.
 */
int pp_recipe_make(struct pp_recipe *r, const char *text, size_t len,
    const char *src, const char *const *names, size_t n,
    struct pp_err *err);

/*
 * Check that two canonical specs agree: every name that both define has
 * the same definition.  Names only one defines are fine (a frame may hold
 * more features than a model uses).  Returns 0, or -1 with err set
 * (PP_EXIT_DATA) naming the first disagreeing feature and both
 * definitions, a_what and b_what saying whose each is ("the model's",
 * "the frame's").
 */
int pp_lineage_agree(const char *a, const char *a_what, const char *b,
    const char *b_what, struct pp_err *err);

/*
 * Read a spec file (path; "-" is stdin) whole into text, for -F.  Returns
 * 0, or -1 with err set ("PATH: No such file or directory").
 */
int pp_lineage_read_file(const char *path, struct pp_buf *text,
    struct pp_err *err);

/*
 * Turn an error from checking a spec that came with data (a model's, a
 * frame's pp.spec), which is three lines with a caret, into one line
 * "WHERE: feature "NAME": WHAT" and a data error (PP_EXIT_DATA): the spec
 * is not the user's command line.  Returns -1.
 */
int pp_lineage_data_error(struct pp_err *err, const char *where);

struct pp_model;
struct pp_train_opts;

/* What pp-train takes from the lineage of its input. */
struct pp_lineage_train {
	char *spec;		/* canonical spec (-F or pp.spec), or NULL */
	char *features;		/* the spec's features in the frame, or NULL */
	long horizon;		/* the spec's (or pp.horizon's), or -1 */
};

#define PP_LINEAGE_TRAIN_INIT { NULL, NULL, -1 }

/*
 * Before training on frame r: take the spec from spec_path (-F; a usage
 * error if it does not check) or from r's pp.spec (a data error naming
 * the frame if it does not check), refusing the two when both are there
 * and disagree.  Then, unless the command line said otherwise: the
 * features t trains on are the spec's features present in the frame
 * (never a target); t->horizon is the spec's horizon (or pp.horizon's);
 * the purge gap is the horizon when validating and not gap_given.
 * Strings put into t point into lt, which must outlive t's use.
 * Returns 0, or -1 with err set.
 */
int pp_lineage_train_begin(struct pp_lineage_train *lt,
    const struct pp_reader *r, const char *spec_path,
    struct pp_train_opts *t, int gap_given, struct pp_err *err);

/* After training: store the recipe in m (pp_recipe_make over m's
 * features); the horizon is the spec's, else horizon if > 0, else
 * unknown.  Without a spec m gets only the horizon.  Returns 0, or -1. */
int pp_lineage_train_model(const struct pp_lineage_train *lt,
    struct pp_model *m, long horizon, struct pp_err *err);

void pp_lineage_train_release(struct pp_lineage_train *lt);

#endif
