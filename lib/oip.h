/*
 * oip.h - the JSON that pp-serve reads and writes: Open Inference Protocol
 * V2 (KServe, MLServer, Triton) inference requests and responses, the
 * simple KServe V1 `{"instances": [...]}` shape, model metadata and error
 * bodies.
 *
 * A request is decoded against one model into a block of rows: n rows of
 * the model's features in the model's order, row after row, ready for
 * pp_predictor_block.  Two V2 shapes are accepted:
 *   - one FP64 tensor of shape [N, F] (any name that is not a feature),
 *     its columns in the model's feature order;
 *   - one FP64 tensor of shape [N] (or [N, 1]) per feature, named as the
 *     feature, in any order; every feature once, no other input.
 * Tensor data may be flat (row-major) or nested as the shape says.  V1
 * instances are objects naming every feature (other keys are ignored) or
 * arrays of F numbers in feature order.
 *
 * Values: JSON numbers; null, and the strings "NaN", "Infinity",
 * "-Infinity" (as numpy writes them), are missing values.  A missing
 * value is an error naming the input and row unless allow_nan, when the
 * row predicts null, as pp-predict predicts an empty cell.
 *
 * Everything a client sends is bounded before it is trusted: shapes must
 * be positive and multiply without overflow to exactly the element count,
 * and at most PP_OIP_MAX_ROWS rows are decoded.  Errors are one line,
 * meant for the client: 'input "f2": shape [3] but 2 values'.
 */
#ifndef PP_OIP_H
#define PP_OIP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "model.h"

#define PP_OIP_MAX_ROWS 1000000

/* A decoded request. */
struct pp_oip_rows {
	size_t n;		/* rows */
	size_t nfeat;		/* values per row: the model's features */
	double *x;		/* owned: n * nfeat values, row after row */
	char *id;		/* owned: the V2 request "id", or NULL */
};

#define PP_OIP_ROWS_INIT { 0, 0, NULL, NULL }

void pp_oip_rows_release(struct pp_oip_rows *r);

/* Decode a V2 inference request body[0..len) for model m into r
 * (initialised; released and refilled).  Returns 0, or -1 with err set
 * (PP_EXIT_DATA: the client's fault, answer 400). */
int pp_oip_decode_v2(const char *body, size_t len, const struct pp_model *m,
    int allow_nan, struct pp_oip_rows *r, struct pp_err *err);

/* The same for a V1 `{"instances": [...]}` body. */
int pp_oip_decode_v1(const char *body, size_t len, const struct pp_model *m,
    int allow_nan, struct pp_oip_rows *r, struct pp_err *err);

/* The two readers behind pp_oip_decode_v1, apart for the tests that hold
 * them to one another.  The plain one (oip_plain.c) takes only the usual
 * shape, {"instances": [[1.5, -2, null], ...]} or rows as objects naming
 * each feature once, ASCII without escapes, and never fails: it returns 0
 * with r filled (NaN for null, not yet checked against allow_nan), or 1
 * (r released) when the body is anything else.  The JSON one (jansson)
 * takes every body, as pp_oip_decode_v1 does. */
int pp_oip_decode_v1_plain(const char *body, size_t len,
    const struct pp_model *m, struct pp_oip_rows *r);
int pp_oip_decode_v1_json(const char *body, size_t len,
    const struct pp_model *m, int allow_nan, struct pp_oip_rows *r,
    struct pp_err *err);

/* The same two for V2.  The plain one takes only one [N, F] FP64 (or
 * FP32) tensor named as no feature, with "name", "shape", "datatype" and
 * "data" (flat or N rows) once each and nothing else, and an optional
 * "id". */
int pp_oip_decode_v2_plain(const char *body, size_t len,
    const struct pp_model *m, struct pp_oip_rows *r);
int pp_oip_decode_v2_json(const char *body, size_t len,
    const struct pp_model *m, int allow_nan, struct pp_oip_rows *r,
    struct pp_err *err);

/*
 * Bars for pp-serve's online endpoint: one bar object or an array of them
 * (1 to PP_OIP_MAX_ROWS), each {"symbol": "AAA", "date": "2024-01-05",
 * "open": o, "high": h, "low": l, "close": c, "volume": v}; other keys are
 * ignored.  The symbol is 1 to PP_OIP_SYMBOL_MAX bytes of UTF-8 without
 * control characters; the date YYYY-MM-DD; the prices and the volume are
 * numbers, or missing (null, "NaN", "Infinity", "-Infinity") only with
 * allow_nan, as an empty cell of pp-fetch's output would be.  Errors name
 * the bar: 'bar 3: "close" is not a number'.
 */
#define PP_OIP_SYMBOL_MAX 64

struct pp_oip_bar {
	char sym[PP_OIP_SYMBOL_MAX + 1]; /* NUL-terminated */
	size_t symlen;
	int64_t date;		/* days since 1970-01-01 */
	double ohlcv[5];	/* open, high, low, close, volume */
};

struct pp_oip_bars {
	size_t n;
	struct pp_oip_bar *bar;	/* owned: n */
};

#define PP_OIP_BARS_INIT { 0, NULL }

void pp_oip_bars_release(struct pp_oip_bars *b);

/* Decode body[0..len) into b (initialised; released and refilled).
 * Returns 0, or -1 with err set (PP_EXIT_DATA: answer 400). */
int pp_oip_decode_bars(const char *body, size_t len, int allow_nan,
    struct pp_oip_bars *b, struct pp_err *err);

/* Append s as a JSON string (quoted, escaped; bytes that are not valid
 * UTF-8 become U+FFFD) to out. */
void pp_oip_json_str(struct pp_buf *out, const char *s);

/* Append a double as a JSON number (pp_fmt_double), or null when it is
 * not finite. */
void pp_oip_json_num(struct pp_buf *out, double x);

/* Append a V2 inference response: model_name, model_version, id (when not
 * NULL), and outputs "prediction" [n] FP64 and, when proba is not NULL,
 * "probability" [n] FP64. */
void pp_oip_encode_v2(struct pp_buf *out, const char *name,
    const char *version, const char *id, const double *pred,
    const double *proba, size_t n);

/* Append a V1 answer {"predictions": [...]}. */
void pp_oip_encode_v1(struct pp_buf *out, const double *pred, size_t n);

/* Append V2 model metadata for m served as name at version: name,
 * versions, platform "pp-<kind>", inputs (one FP64 [-1] per feature),
 * outputs (prediction, and probability for logistic). */
void pp_oip_encode_metadata(struct pp_buf *out, const struct pp_model *m,
    const char *name, const char *const *versions, size_t nversions);

/* Append {"error": msg}. */
void pp_oip_encode_error(struct pp_buf *out, const char *msg);

#endif
