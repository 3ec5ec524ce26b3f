/*
 * registry_io.h - registry listings out, metric batches in: the text formats
 * pp-registry (and any program that shows registry data) reads and writes.
 *
 * Listings (struct pp_reg_table from lib/registry.h) are written as an
 * aligned table for people: columns padded to their widest cell, numbers
 * right-aligned, control characters shown as '?' so a stored name cannot
 * move the cursor; or as CSV (RFC 4180, header row, missing cells empty)
 * or JSON (an array of objects, one per row, numbers as numbers, missing
 * and infinite values as null) for programs, carrying every byte as
 * stored.
 *
 * Metric batches are CSV with a header naming the columns: key and value
 * are required, step (default 0) and timestamp (ms since the epoch;
 * default: when logged) are optional, others are ignored.  An empty value
 * is NaN.  The whole file is read before anything is logged, so a bad row
 * logs nothing.
 */
#ifndef PP_REGISTRY_IO_H
#define PP_REGISTRY_IO_H

#include <stdio.h>

#include "err.h"
#include "registry.h"

enum pp_format { PP_FMT_AUTO, PP_FMT_TABLE, PP_FMT_CSV, PP_FMT_JSON };

/* Parse a --format value: "table", "csv" or "json".  Returns 0 or -1. */
int pp_registry_io_parse_format(const char *s, enum pp_format *f);

/* The same as a typed option row's callback (lib/cli.h) filling the enum
 * pp_format at v: a bad value is the usage error "--format: bad value
 * "X": want table, csv or json". */
int pp_registry_io_format_option(void *v, const char *arg,
    struct pp_err *err);

/* Write t to fp in format f (PP_FMT_AUTO: a table if fp is a terminal,
 * else CSV).  Write errors surface at the caller's flush. */
void pp_registry_io_write(FILE *fp, const struct pp_reg_table *t, enum pp_format f);

/* pp_registry_io_write, but a table (not CSV or JSON, which carry every byte)
 * cuts each cell and head outside the first column to cut code points,
 * the last an ellipsis; cut 0 never cuts. */
void pp_registry_io_write_cut(FILE *fp, const struct pp_reg_table *t,
    enum pp_format f, size_t cut);

/* A growing list of metric points whose keys it owns. */
struct pp_metric_list {
	struct pp_metric *m;
	size_t n;
	size_t cap;
};

#define PP_METRIC_LIST_INIT { NULL, 0, 0 }

/* Append a point, copying key. */
void pp_metric_list_add(struct pp_metric_list *l, const char *key,
    double value, int64_t step, int64_t timestamp);

/* The most a metrics CSV may hold: its bytes, its points (rows). */
#define PP_REGISTRY_IO_METRICS_MAX ((size_t)64 << 20)
#define PP_REGISTRY_IO_METRICS_MAX_POINTS 1000000
#define PP_REGISTRY_IO_FIELD_MAX 65536

/* Append the points of the CSV in fp (named name in messages) to l.
 * Returns 0, or -1 with err: "NAME:LINE: column \"value\": not a number",
 * "NAME: longer than 67108864 bytes", "NAME:LINE: more than 1000000
 * points", "NAME:LINE: a field longer than 65536 bytes" (l then holds
 * what came before the bad row). */
int pp_registry_io_read_metrics(FILE *fp, const char *name,
    struct pp_metric_list *l, struct pp_err *err);

void pp_metric_list_release(struct pp_metric_list *l);

#endif
