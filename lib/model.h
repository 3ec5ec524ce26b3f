/*
 * model.h - a fitted model in memory and its artifact on disk
 * (man/pp-model.5).
 *
 * A model carries everything prediction needs and nothing that depends on
 * the process that made it: its kind, the ordered feature names, the
 * preprocessing (a mean and a scale per feature), the parameters, the
 * target's name and kind, and string metadata.  Every linear kind predicts
 * through the same formula,
 *
 *     eta = intercept + sum_j coef[j] * (x[j] - mean[j]) / scale[j]
 *
 * with mean 0 and scale 1 when the model was not standardized; a
 * regression predicts eta, logistic regression 1 / (1 + exp(-eta)).
 *
 * The artifact is a fixed 36-byte header (magic, format version, lengths,
 * CRC-32 of the body) and a zlib-compressed body, little-endian throughout,
 * so a truncated, corrupted or newer file is detected before any field is
 * trusted.  Saving the same model twice gives the same bytes.
 *
 * Ownership: a struct pp_model owns every array and string it points at;
 * pp_model_free releases them all.
 */
#ifndef PP_MODEL_H
#define PP_MODEL_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "frame.h"

struct pp_gbdt;

/* The newest artifact format version this code reads and writes.  A
 * linear model is written as version 2 (so older builds still read it),
 * a gbdt model as version 3, which adds XGBoost's serialized model. */
#define PP_MODEL_VERSION 3

enum pp_model_kind {
	PP_MODEL_OLS = 1,	/* least squares */
	PP_MODEL_RIDGE = 2,	/* L2-penalized least squares (alpha) */
	PP_MODEL_LASSO = 3,	/* L1-penalized least squares (alpha) */
	PP_MODEL_ENET = 4,	/* elastic net (alpha, l1_ratio) */
	PP_MODEL_LOGISTIC = 5,	/* L2 logistic regression (C) */
	PP_MODEL_GBDT = 6	/* gradient-boosted trees (XGBoost, lib/gbdt.h) */
};

enum pp_target_kind {
	PP_TARGET_REAL = 1,	/* a real number; predictions are eta */
	PP_TARGET_BINARY = 2	/* 0 or 1; predictions are classes */
};

struct pp_model {
	enum pp_model_kind kind;
	enum pp_target_kind target_kind;
	char *target;		/* owned: the target column's name */
	int standardized;	/* 1 if mean/scale came from the data */
	double alpha;		/* ridge, lasso, elastic net; else 0 */
	double l1_ratio;	/* elastic net (1 for lasso); else 0 */
	double C;		/* logistic; else 0 */
	double intercept;	/* never penalized */
	size_t nfeat;		/* features, in the order of the arrays */
	char **features;	/* owned: nfeat owned names, unique */
	double *mean;		/* owned: nfeat; subtracted before scaling */
	double *scale;		/* owned: nfeat; > 0, divides */
	double *coef;		/* owned: nfeat; on the scaled features */
	size_t nmeta;		/* metadata pairs, in insertion order */
	char **meta_key;	/* owned: nmeta owned keys, unique */
	char **meta_val;	/* owned: nmeta owned values */
	/* The recipe (format version 2; lineage.h): how raw bars become the
	 * features.  A version 1 model has none. */
	char *spec;		/* owned canonical feature spec, or NULL */
	char *inputs;		/* owned raw columns, comma-separated, or NULL */
	long warmup;		/* rows of a symbol before every feature is known */
	long horizon;		/* the targets' look-ahead in rows; -1 unknown */
	/* Gradient-boosted trees (format version 3): the coefficients,
	 * means and scales are unused (0, 0, 1), the trees are XGBoost's. */
	char *objective;	/* owned XGBoost objective, or NULL */
	unsigned char *xgb;	/* owned: XGBoost's serialized model (UBJSON) */
	size_t xgb_len;
	struct pp_gbdt *gbdt;	/* owned: the booster loaded from xgb */
};

/* A model with nfeat features named names (copied), mean 0, scale 1,
 * coefficients 0, no metadata and no recipe (horizon -1).  Never NULL. */
struct pp_model *pp_model_new(enum pp_model_kind kind, const char *target,
    size_t nfeat, const char *const *names);
void pp_model_free(struct pp_model *m);

/* "ols", "ridge", "lasso", "elasticnet", "logistic", "gbdt"; "?" for
 * others. */
const char *pp_model_kind_name(enum pp_model_kind k);

/* The kind named name; 0 and -1 if there is none. */
int pp_model_kind_parse(const char *name, enum pp_model_kind *k);

/* Set metadata key to value (both copied), replacing an earlier value. */
void pp_model_meta_set(struct pp_model *m, const char *key,
    const char *value);

/* The value of metadata key, or NULL. */
const char *pp_model_meta_get(const struct pp_model *m, const char *key);

/* eta for one row: x holds the model's features in the model's order.
 * NaN if any of them is missing: NaN or +/-infinite, the values pp-train
 * drops (lib/predictor.h binds frames to models and applies this rule).
 * For gbdt, the trees' margin (the raw score before the objective's
 * transformation). */
double pp_model_eta(const struct pp_model *m, const double *x);

/* The prediction for one row: eta for a regression; for logistic the
 * probability of class 1 when proba, else the class (1 when the
 * probability exceeds 0.5, else 0).  NaN if any feature is missing.
 * For gbdt, XGBoost's prediction, with binary:* read as logistic's. */
double pp_model_predict(const struct pp_model *m, const double *x,
    int proba);

/* 1 if m predicts a 0/1 class and has probabilities (logistic, gbdt with
 * a binary:* objective). */
int pp_model_has_proba(const struct pp_model *m);

/* Predict n rows of x (row after row, nfeat each, model order) into
 * out[0..n) as pp_model_predict does, a block at a time where the model
 * allows (gbdt: one XGBoost call per block). */
void pp_model_predict_block(const struct pp_model *m, const double *x,
    size_t n, int proba, double *out);

/* Let a tree model's block predictions use n threads, 0 for the
 * processors available (pp_cpus_available; pp-predict gives its
 * --threads; pp-serve keeps one a request, its requests
 * being parallel).  Linear models ignore it.  0, or -1 with err set. */
int pp_model_set_threads(struct pp_model *m, int n, struct pp_err *err);

/* SHAP contributions of n rows of x (as pp_model_predict_block takes
 * them) into out: per row nfeat + 1 values, one per feature in model order
 * and the bias last, summing to the margin (eta; the prediction itself for
 * a regression objective).  A row with a missing feature gets NaN.  Only
 * gbdt models have them: others are a usage error.  Returns 0 or -1. */
int pp_model_contribs(const struct pp_model *m, const double *x, size_t n,
    double *out, struct pp_err *err);

/* Append the artifact bytes of m to out. */
void pp_model_encode(const struct pp_model *m, struct pp_buf *out);

/* Decode an artifact from p[0..n); name is used in messages ("model.ppm:
 * truncated header").  Returns a new model, or NULL with err set. */
struct pp_model *pp_model_decode(const void *p, size_t n, const char *name,
    struct pp_err *err);

/* Write the artifact to fp (checked); name is used in messages. */
int pp_model_write(const struct pp_model *m, FILE *fp, const char *name,
    struct pp_err *err);

/* Read a whole artifact file ("-" or NULL: stdin) and decode it. */
struct pp_model *pp_model_load(const char *path, struct pp_err *err);

/*
 * Load the model ref names: a file path ("-" or NULL: stdin) as
 * pp_model_load does, or a registry URI (models:/NAME/VERSION,
 * models:/NAME@ALIAS, models:/NAME/STAGE, runs:/RUN_ID[/ARTIFACT]), read
 * from the registry at registry_path (opened read-only, never created)
 * and decoded like a file.  A URI that names nothing is an error naming
 * it ("models:/x/3: no such model version"); a malformed one is a usage
 * error (PP_EXIT_USAGE).  Returns a new model, or NULL with err set.
 */
struct pp_model *pp_model_open(const char *ref, const char *registry_path,
    struct pp_err *err);

/* Append a description of m for people to out: one "key: value" line per
 * field, then a table of the features (gbdt: their gain, cover and weight
 * importance, by gain, highest first), then the metadata, then the recipe
 * when there is one (inputs, warm-up, horizon, and the spec a line each,
 * indented by two spaces). */
void pp_model_describe(const struct pp_model *m, struct pp_buf *out);

#endif
