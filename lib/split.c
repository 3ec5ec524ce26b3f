/*
 * split.c - hold-out and walk-forward folds over date indexes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "split.h"
#include "util.h"
#include "banned.h"

int
pp_split_parse_cv(const char *spec, long *k)
{
	static const char pre[] = "walkforward:";

	if (strncmp(spec, pre, sizeof(pre) - 1) != 0)
		return -1;
	return pp_parse_long(spec + sizeof(pre) - 1, 2, 1000, k);
}

void
pp_split_release(struct pp_split *s)
{
	free(s->folds);
	s->folds = NULL;
	s->nfolds = 0;
}

int
pp_split_make(struct pp_split *s, size_t D, const struct pp_split_opts *o,
    struct pp_err *err)
{
	size_t k, K, tsz;

	memset(s, 0, sizeof(*s));
	s->ndates = D;
	s->embargo = o->embargo;
	if (o->folds > 0) {
		K = (size_t)o->folds;
		tsz = D / (K + 1);
		if (tsz == 0)
			return pp_err_set(err, PP_EXIT_DATA, "walkforward:%zu: "
			    "%zu dates are too few for %zu folds", K, D, K);
		s->nfolds = K;
		s->folds = pp_xcalloc(K, sizeof(*s->folds));
		for (k = 0; k < K; k++) {
			struct pp_fold *f = &s->folds[k];

			f->test_lo = D - (K - k) * tsz;
			f->test_hi = f->test_lo + tsz;
			f->train_hi = f->test_lo > (size_t)o->gap ?
			    f->test_lo - (size_t)o->gap : 0;
			f->train_lo = o->max_train > 0 && f->train_hi >
			    (size_t)o->max_train ? f->train_hi -
			    (size_t)o->max_train : 0;
		}
	} else if (o->test_frac > 0) {
		size_t ntest = (size_t)ceil(o->test_frac * (double)D);

		if (ntest >= D)
			ntest = D;
		s->nfolds = 1;
		s->folds = pp_xcalloc(1, sizeof(*s->folds));
		s->folds[0].test_lo = D - ntest;
		s->folds[0].test_hi = D;
		s->folds[0].train_hi = D - ntest > (size_t)o->gap ?
		    D - ntest - (size_t)o->gap : 0;
		s->folds[0].train_lo = 0;
		if (o->max_train > 0 && s->folds[0].train_hi >
		    (size_t)o->max_train)
			s->folds[0].train_lo = s->folds[0].train_hi -
			    (size_t)o->max_train;
	}
	for (k = 0; k < s->nfolds; k++) {
		size_t d, ntrain = 0;

		for (d = s->folds[k].train_lo; d < s->folds[k].train_hi; d++)
			ntrain += pp_split_role(s, k, d) == PP_ROLE_TRAIN;
		if (ntrain == 0 || s->folds[k].test_hi == s->folds[k].test_lo) {
			pp_err_set(err, PP_EXIT_DATA, "fold %zu of %zu: no %s "
			    "dates (%zu dates, gap %ld, embargo %ld)", k + 1,
			    s->nfolds, ntrain == 0 ? "training" : "test", D,
			    o->gap, o->embargo);
			pp_split_release(s);
			return -1;
		}
	}
	return 0;
}

enum pp_role
pp_split_role(const struct pp_split *s, size_t k, size_t d)
{
	const struct pp_fold *f = &s->folds[k];
	size_t j;

	if (d >= f->test_lo && d < f->test_hi)
		return PP_ROLE_TEST;
	if (d < f->train_lo || d >= f->train_hi)
		return PP_ROLE_NONE;
	for (j = 0; j < k; j++)
		if (d >= s->folds[j].test_hi &&
		    d < s->folds[j].test_hi + (size_t)s->embargo)
			return PP_ROLE_NONE;
	return PP_ROLE_TRAIN;
}
