/*
 * indicators.c - the table of indicator definitions and its look-ups.
 *
 * The functions themselves live in ind_shift.c (lag, diff...),
 * ind_window.c (rolling windows), ind_recursive.c (EMA and Wilder
 * families) and ind_util.c (the shared window, deque and EMA pieces).
 * This file is the one place that says what each is called, what it
 * takes and what it gives, like git's commands[].
 */
#include "indicators.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ind_impl.h"
#include "util.h"
#include "banned.h"

/* Parameter lists shared by several functions. */
static const struct pp_ind_param p_k1[] = { IND_K1("k") };
static const struct pp_ind_param p_n[] = { IND_N("n") };

#define FNS(nm) ind_##nm##_warmup, ind_##nm##_size, ind_##nm##_init, \
	ind_##nm##_step

/* Sorted by name: pp_ind_find searches it by bisection. */
static const struct pp_ind_def table[] = {
	{ "diff", "diff(x, k=1)", 1, NULL, 0, 1, 0, p_k1, 1, NULL,
	    "x[t] - x[t-k]", NULL, FNS(diff) },
	{ "lag", "lag(x, k=1)", 1, NULL, 0, 1, 0, p_k1, 1, NULL,
	    "x[t-k]", NULL, FNS(lag) },
	{ "logret", "logret(x, k=1)", 1, NULL, 0, 1, 0, p_k1, 1, NULL,
	    "log(x[t] / x[t-k]); NaN unless both > 0", NULL, FNS(logret) },
	{ "mom", "mom(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "x[t] - x[t-n]", NULL, FNS(mom) },
	{ "ret", "ret(x, k=1)", 1, NULL, 0, 1, 0, p_k1, 1, NULL,
	    "x[t] / x[t-k] - 1; NaN if x[t-k] = 0", NULL, FNS(ret) },
	{ "roc", "roc(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "100 * (x[t] / x[t-n] - 1); NaN if x[t-n] = 0", NULL, FNS(roc) },
};

const struct pp_ind_def *
pp_ind_all(size_t *n)
{
	*n = PP_ARRAY_SIZE(table);
	return table;
}

static int
cmp_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pp_ind_def *)elem)->name);
}

const struct pp_ind_def *
pp_ind_find(const char *name)
{
	return bsearch(name, table, PP_ARRAY_SIZE(table), sizeof(table[0]),
	    cmp_name);
}

static int
check_one(const struct pp_ind_def *def, const struct pp_ind_param *p,
    double v, struct pp_err *err)
{
	if (v >= p->min && v <= p->max && (!p->whole || v == floor(v)))
		return 0;
	if (!p->whole)
		return pp_err_set(err, PP_EXIT_USAGE,
		    "%s: %s must be a finite number", def->name, p->name);
	if (p->min == 0 && p->max == 1)
		return pp_err_set(err, PP_EXIT_USAGE, "%s: %s must be 0 or 1",
		    def->name, p->name);
	return pp_err_set(err, PP_EXIT_USAGE,
	    "%s: %s must be a whole number from %.0f to %.0f", def->name,
	    p->name, p->min, p->max);
}

int
ind_check_params(const struct pp_ind_def *def, const double *params,
    struct pp_err *err)
{
	int i;

	for (i = 0; i < def->nparams; i++)
		if (check_one(def, &def->params[i], params[i], err) == -1)
			return -1;
	if (def->check)
		return def->check(params, err);
	return 0;
}

int
ind_check(const char *name, const double *params, struct pp_err *err)
{
	const struct pp_ind_def *def = pp_ind_find(name);

	if (def == NULL)
		return pp_err_set(err, PP_EXIT_USAGE, "unknown function \"%s\"",
		    name);
	return ind_check_params(def, params, err);
}

int
pp_ind_params(const struct pp_ind_def *def, const double *given, int ngiven,
    double *params, struct pp_err *err)
{
	int i;

	if (ngiven < def->nparams_min || ngiven > def->nparams)
		return pp_err_set(err, PP_EXIT_USAGE,
		    "%s: wrong number of arguments, expected %s", def->name,
		    def->signature);
	for (i = 0; i < def->nparams; i++)
		params[i] = i < ngiven ? given[i] : def->params[i].def;
	return ind_check_params(def, params, err);
}
