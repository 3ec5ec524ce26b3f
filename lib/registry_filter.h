/*
 * registry_filter.h - MLflow's run search syntax, compiled to SQL with bound values.
 *
 *     metrics.rmse < 0.02 and params.model = 'ridge'
 *       and tags.env != 'dev' and attributes.status = 'FINISHED'
 *
 * An expression is parsed into a tree (comparisons joined by AND, OR and
 * NOT, with parentheses; AND binds tighter than OR), and the tree is
 * written out as a SQL boolean expression over the runs table (alias r,
 * joined to experiments as e).  Every key and every value the user wrote
 * becomes a bound parameter (`?`), never SQL text: the only text that
 * reaches SQL comes from this file's own tables.
 *
 * Comparisons:
 *   metrics.KEY  OP NUMBER         OP: = != <> < <= > >=   (latest value)
 *   params.KEY, tags.KEY  OP 'STRING'   OP: = != LIKE ILIKE
 *   X [NOT] IN ('a', 'b', ...)     for params, tags and text attributes
 *   X IS [NOT] NULL                any key: the run lacks (has) it; a text
 *                                  attribute that is empty counts as NULL
 *   attributes.NAME ...            run_id, run_name, status, user,
 *                                  experiment, fingerprint, parent_run_id
 *                                  (text); start_time, end_time (numbers,
 *                                  ms since the epoch)
 * Prefixes may be singular (metric., param., tag., attribute.) or attr.,
 * run.; a bare attribute name needs no prefix.  A key with spaces or
 * operators in it is quoted with backticks or double quotes after the dot
 * (metrics.`val loss`).  Strings use single or double quotes; a backslash
 * escapes the quote or itself.  Keywords are case-insensitive.  LIKE is
 * case-sensitive (% any run, _ one character); ILIKE ignores ASCII case.
 * A comparison on a key the run does not have is false (as in MLflow), so
 * `tags.env != 'dev'` matches only runs that have an env tag; `tags.env IS
 * NULL OR tags.env != 'dev'` adds the runs without one.
 */
#ifndef PP_REGISTRY_FILTER_H
#define PP_REGISTRY_FILTER_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* A value to bind, in placeholder order. */
struct pp_registry_filter_arg {
	int is_num;		/* 1: num; 0: text */
	double num;
	char *text;		/* owned */
};

struct pp_registry_filter {
	struct pp_buf where;	/* SQL boolean expression, or empty */
	struct pp_buf order;	/* SQL ORDER BY list, or empty */
	struct pp_registry_filter_arg *args; /* where's values, then order's */
	size_t nargs;
	size_t cap;
	int pg;			/* set before parsing: PostgreSQL's SQL */
};

#define PP_REGISTRY_FILTER_INIT { PP_BUF_INIT, PP_BUF_INIT, NULL, 0, 0, 0 }

/*
 * Parse expr (NULL or blank: no condition) into f->where and its values
 * into f->args.  Returns 0, or -1 with err (PP_EXIT_USAGE) naming the
 * offset and what was expected: `offset 13: expected a number after "<"`.
 */
int pp_registry_filter_where(struct pp_registry_filter *f, const char *expr,
    struct pp_err *err);

/*
 * Parse "KEY [ASC|DESC]" (KEY as in a comparison) into f->order; runs
 * without the key sort last.  Call after pp_registry_filter_where, since the
 * values are appended.  Returns 0, or -1 with err (PP_EXIT_USAGE).
 */
int pp_registry_filter_order(struct pp_registry_filter *f, const char *spec,
    struct pp_err *err);

void pp_registry_filter_release(struct pp_registry_filter *f);

#endif
