/*
 * online.c - predictions from raw bars, a symbol at a time (online.h).
 *
 * The model's recipe holds its canonical spec; the features-only part of
 * it is compiled against the bars' schema with pp_plan_compile, exactly as
 * pp-features compiles a spec, and each bar runs pp_plan_step on the
 * symbol's state: the same instructions on the same values in the same
 * order, hence the same bits as `pp-features -F spec | pp-predict`; and
 * the features are scored through lib/predictor, as pp-predict and
 * pp-serve score them.
 */
#include "online.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "expr.h"
#include "feat.h"
#include "lineage.h"
#include "predictor.h"
#include "util.h"
#include "banned.h"

struct pp_online {
	const struct pp_model *m;
	struct pp_predictor pred; /* the model's formula, unbound */
	struct pp_spec *spec;	/* the features-only spec */
	struct pp_plan *plan;
	size_t ncols;		/* bar columns */
	enum pp_type *type;	/* their types */
	long date_col, sym_col;	/* -1 when absent */
	size_t nfeat;		/* model features */
	long *reg;		/* per feature: plan register, or -1 */
	long *col;		/* per feature with reg -1: bar column */
	size_t nregs, state_size;
	long warmup;
};

struct pp_online_sym {
	void *state;		/* the plan's state */
	double *regs;		/* register file */
	double *x;		/* one bar's model features */
	uint64_t nbars;
	int has_last;
	union pp_cell last;	/* previous date */
	struct pp_buf lasttext;	/* its bytes for a text date */
	/* Book entries only. */
	char *name;
	size_t len;
	struct pp_online_sym *next;
	/* In a pp_online_book_feed_all: touched, and the state before. */
	int touched;
	struct pp_online_sym *undo; /* NULL: first seen in it */
};

/* The definitions of canonical spec text that are not targets. */
static void
features_only(const char *spec, struct pp_buf *out)
{
	while (*spec != '\0') {
		const char *nl = strchr(spec, '\n');
		size_t l = nl ? (size_t)(nl - spec) + 1 : strlen(spec);

		if (strncmp(spec, "target ", 7) != 0)
			pp_buf_add(out, spec, l);
		spec += l;
	}
}

/* Find each model feature among the plan's outputs or the bars. */
static int
bind_features(struct pp_online *o, const struct pp_schema *bars,
    struct pp_err *err)
{
	size_t i, j;

	o->reg = pp_xcalloc(o->nfeat + 1, sizeof(*o->reg));
	o->col = pp_xcalloc(o->nfeat + 1, sizeof(*o->col));
	for (j = 0; j < o->nfeat; j++) {
		const char *f = o->m->features[j];

		o->reg[j] = o->col[j] = -1;
		for (i = 0; i < pp_plan_nout(o->plan); i++)
			if (strcmp(pp_plan_out_name(o->plan, i), f) == 0)
				o->reg[j] = (long)pp_plan_out_reg(o->plan, i);
		if (o->reg[j] >= 0)
			continue;
		o->col[j] = pp_schema_find(bars, f);
		if (o->col[j] < 0)
			return pp_err_set(err, PP_EXIT_DATA, "the bars lack "
			    "column \"%s\", a feature of the model", f);
		if (bars->cols[o->col[j]].type == PP_T_TEXT)
			return pp_err_set(err, PP_EXIT_DATA, "column \"%s\" "
			    "is text, not a number", f);
	}
	return 0;
}

struct pp_online *
pp_online_new(const struct pp_model *m, const struct pp_schema *bars,
    int proba, struct pp_err *err)
{
	struct pp_online *o;
	struct pp_buf text = PP_BUF_INIT;
	size_t i;

	if (m->spec == NULL) {
		pp_err_set(err, PP_EXIT_DATA, "the model has no feature spec "
		    "(train it on a binary frame from pp-features, or with "
		    "-F)");
		return NULL;
	}
	o = pp_xcalloc(1, sizeof(*o));
	o->m = m;
	if (pp_predictor_init(&o->pred, m, proba, err) == -1)
		goto fail;
	o->nfeat = m->nfeat;
	o->warmup = m->warmup;
	o->ncols = bars->ncols;
	o->type = pp_xcalloc(bars->ncols + 1, sizeof(*o->type));
	for (i = 0; i < bars->ncols; i++)
		o->type[i] = bars->cols[i].type;
	o->date_col = pp_schema_find(bars, "date");
	o->sym_col = pp_schema_find(bars, "symbol");
	o->spec = pp_spec_new();
	features_only(m->spec, &text);
	if (pp_spec_add_file(o->spec, text.data, text.len, "spec", err) == -1 ||
	    (o->plan = pp_plan_compile(o->spec, bars, err)) == NULL) {
		pp_lineage_data_error(err, "the model's spec");
		goto fail;
	}
	/* A bar is scored alone, as it comes: a value of the whole date's
	 * symbols is not known yet. */
	if (pp_plan_stages(o->plan) > 1) {
		pp_err_set(err, PP_EXIT_DATA, "the model's spec uses cs_rank, "
		    "cs_zscore, cs_demean, cs_quantile or ref(), which need "
		    "every symbol of a date: score with pp-features and "
		    "pp-predict instead");
		goto fail;
	}
	if (bind_features(o, bars, err) == -1)
		goto fail;
	o->nregs = pp_plan_nregs(o->plan);
	o->state_size = pp_plan_state_size(o->plan);
	pp_buf_release(&text);
	return o;
fail:
	pp_buf_release(&text);
	pp_online_free(o);
	return NULL;
}

void
pp_online_free(struct pp_online *o)
{
	if (o == NULL)
		return;
	pp_predictor_release(&o->pred);
	pp_plan_free(o->plan);
	pp_spec_free(o->spec);
	free(o->type);
	free(o->reg);
	free(o->col);
	free(o);
}

long
pp_online_warmup(const struct pp_online *o)
{
	return o->warmup;
}

struct pp_online_sym *
pp_online_sym_new(const struct pp_online *o)
{
	struct pp_online_sym *s = pp_xcalloc(1, sizeof(*s));

	s->state = pp_xmalloc(o->state_size ? o->state_size : 1);
	pp_plan_state_init(o->plan, s->state);
	s->regs = pp_xcalloc(o->nregs + 1, sizeof(double));
	s->x = pp_xcalloc(o->nfeat + 1, sizeof(double));
	pp_buf_init(&s->lasttext);
	return s;
}

struct pp_online_sym *
pp_online_sym_copy(const struct pp_online *o, const struct pp_online_sym *s)
{
	struct pp_online_sym *c = pp_online_sym_new(o);

	/* Indicator state is a flat block (indicators.h): memcpy copies it. */
	memcpy(c->state, s->state, o->state_size);
	c->nbars = s->nbars;
	c->has_last = s->has_last;
	c->last = s->last;
	if (o->date_col >= 0 && o->type[o->date_col] == PP_T_TEXT) {
		pp_buf_add(&c->lasttext, s->lasttext.data, s->lasttext.len);
		c->last.s.p = c->lasttext.data;
	}
	return c;
}

void
pp_online_sym_free(struct pp_online_sym *s)
{
	if (s == NULL)
		return;
	free(s->state);
	free(s->regs);
	free(s->x);
	pp_buf_release(&s->lasttext);
	free(s->name);
	free(s);
}

uint64_t
pp_online_sym_bars(const struct pp_online_sym *s)
{
	return s->nbars;
}

static int
check_date(const struct pp_online *o, const struct pp_online_sym *s,
    const union pp_cell *d, struct pp_err *err)
{
	enum pp_type t = o->type[o->date_col];
	struct pp_buf b = PP_BUF_INIT;

	if (!s->has_last || pp_feat_date_cmp(t, &s->last, d) < 0)
		return 0;
	pp_buf_addstr(&b, "date ");
	pp_feat_cell_fmt(&b, t, d);
	pp_buf_addstr(&b, " is not after the previous ");
	pp_feat_cell_fmt(&b, t, &s->last);
	pp_err_set(err, PP_EXIT_DATA, "%s", b.data);
	pp_buf_release(&b);
	return -1;
}

int
pp_online_feed(const struct pp_online *o, struct pp_online_sym *s,
    const union pp_cell *bar, double *pred, int *warm, struct pp_err *err)
{
	size_t j;

	if (o->date_col >= 0 && check_date(o, s, &bar[o->date_col], err) == -1)
		return -1;
	if (pp_plan_step(o->plan, s->state, bar, s->regs, err) == -1)
		return -1;
	if (o->date_col >= 0) {
		const union pp_cell *d = &bar[o->date_col];

		s->has_last = 1;
		s->last = *d;
		if (o->type[o->date_col] == PP_T_TEXT) {
			pp_buf_reset(&s->lasttext);
			pp_buf_add(&s->lasttext, d->s.p, d->s.len);
			s->last.s.p = s->lasttext.data;
		}
	}
	*warm = s->nbars < (uint64_t)o->warmup;
	s->nbars++;
	for (j = 0; j < o->nfeat; j++)
		s->x[j] = o->reg[j] >= 0 ? s->regs[o->reg[j]] :
		    pp_cell_num(o->type[o->col[j]], &bar[o->col[j]]);
	*pred = *warm ? NAN : pp_predictor_values(&o->pred, s->x);
	return 0;
}

/* ---- the book --------------------------------------------------------- */

struct pp_online_book {
	const struct pp_online *o;
	struct pp_online_sym **tab;	/* chains, a power of two of them */
	size_t cap, n;
	struct pp_online_sym *last;	/* consecutive bars often share it */
};

struct pp_online_book *
pp_online_book_new(const struct pp_online *o, struct pp_err *err)
{
	struct pp_online_book *b;

	if (o->sym_col >= 0 && o->type[o->sym_col] != PP_T_TEXT) {
		pp_err_set(err, PP_EXIT_DATA, "column \"symbol\" is %s, not "
		    "text", pp_type_name(o->type[o->sym_col]));
		return NULL;
	}
	b = pp_xcalloc(1, sizeof(*b));
	b->o = o;
	b->cap = 64;
	b->tab = pp_xcalloc(b->cap, sizeof(*b->tab));
	return b;
}

void
pp_online_book_free(struct pp_online_book *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->cap; i++)
		while (b->tab[i] != NULL) {
			struct pp_online_sym *s = b->tab[i];

			b->tab[i] = s->next;
			pp_online_sym_free(s);
		}
	free(b->tab);
	free(b);
}

size_t
pp_online_book_size(const struct pp_online_book *b)
{
	return b->n;
}

static size_t
slot(const struct pp_online_book *b, const char *p, size_t n)
{
	return (size_t)pp_hash_bytes(p, n) & (b->cap - 1);
}

/* Double the chains at two symbols a chain. */
static void
grow(struct pp_online_book *b)
{
	struct pp_online_sym **old = b->tab;
	size_t i, ocap = b->cap;

	b->cap *= 2;
	b->tab = pp_xcalloc(b->cap, sizeof(*b->tab));
	for (i = 0; i < ocap; i++)
		while (old[i] != NULL) {
			struct pp_online_sym *s = old[i];
			size_t k = slot(b, s->name, s->len);

			old[i] = s->next;
			s->next = b->tab[k];
			b->tab[k] = s;
		}
	free(old);
}

static struct pp_online_sym *
find(struct pp_online_book *b, const char *p, size_t n, int create)
{
	struct pp_online_sym *s = b->last;
	size_t k;

	if (s != NULL && s->len == n && memcmp(s->name, p, n) == 0)
		return s;
	k = slot(b, p, n);
	for (s = b->tab[k]; s != NULL; s = s->next)
		if (s->len == n && memcmp(s->name, p, n) == 0)
			return b->last = s;
	if (!create)
		return NULL;
	if (b->n + 1 > 2 * b->cap) {
		grow(b);
		k = slot(b, p, n);
	}
	s = pp_online_sym_new(b->o);
	s->name = pp_xstrndup(p, n);
	s->len = n;
	s->next = b->tab[k];
	b->tab[k] = s;
	b->n++;
	return b->last = s;
}

int
pp_online_book_feed(struct pp_online_book *b, const union pp_cell *bar,
    double *pred, int *warm, struct pp_err *err)
{
	const struct pp_online *o = b->o;
	const char *p = "";
	size_t n = 0;
	struct pp_online_sym *s;

	if (o->sym_col >= 0) {
		p = bar[o->sym_col].s.p;
		n = bar[o->sym_col].s.len;
	}
	s = find(b, p, n, 1);
	if (pp_online_feed(o, s, bar, pred, warm, err) == -1) {
		if (o->sym_col >= 0)
			pp_err_prefix(err, "symbol \"%.*s\"", (int)(n > 64 ?
			    64 : n), p);
		return -1;
	}
	return 0;
}

/* Put d back to the state of snapshot c (pp_online_sym_copy of it). */
static void
sym_restore(const struct pp_online *o, struct pp_online_sym *d,
    const struct pp_online_sym *c)
{
	memcpy(d->state, c->state, o->state_size);
	d->nbars = c->nbars;
	d->has_last = c->has_last;
	d->last = c->last;
	if (o->date_col >= 0 && o->type[o->date_col] == PP_T_TEXT) {
		pp_buf_reset(&d->lasttext);
		pp_buf_add(&d->lasttext, c->lasttext.data, c->lasttext.len);
		d->last.s.p = d->lasttext.data;
	}
}

/* Remember s as touched by the transaction, with its state before. */
static void
touch(const struct pp_online *o, struct pp_online_sym *s, int fresh,
    struct pp_online_sym ***touched, size_t *nt)
{
	s->touched = 1;
	s->undo = fresh ? NULL : pp_online_sym_copy(o, s);
	*touched = pp_xrealloc(*touched, (*nt + 1) * sizeof(**touched));
	(*touched)[(*nt)++] = s;
}

int
pp_online_book_feed_all(struct pp_online_book *b,
    const union pp_cell *bars, size_t n, size_t max_syms, double *pred,
    int *warm, uint64_t *nbars, size_t *bad, struct pp_err *err)
{
	const struct pp_online *o = b->o;
	struct pp_online_sym **touched = NULL, *s;
	size_t i, k, nt = 0;
	int rc = 0;

	for (i = 0; i < n; i++) {
		const union pp_cell *bar = bars + i * o->ncols;
		const char *p = o->sym_col >= 0 ? bar[o->sym_col].s.p : "";
		size_t len = o->sym_col >= 0 ? bar[o->sym_col].s.len : 0;

		if ((s = find(b, p, len, 0)) == NULL) {
			if (max_syms > 0 && b->n >= max_syms) {
				pp_err_set(err, PP_EXIT_DATA, "symbol \"%.*s\": "
				    "the model holds its limit of %zu symbols",
				    (int)(len > 64 ? 64 : len), p, max_syms);
				rc = -2;
				break;
			}
			s = find(b, p, len, 1);
			touch(o, s, 1, &touched, &nt);
		} else if (!s->touched) {
			touch(o, s, 0, &touched, &nt);
		}
		if (pp_online_book_feed(b, bar, &pred[i], &warm[i], err) == -1) {
			rc = -1;
			break;
		}
		if (nbars != NULL)
			nbars[i] = s->nbars;
	}
	if (rc != 0)
		*bad = i;
	for (k = 0; k < nt; k++) {
		s = touched[k];
		s->touched = 0;
		if (rc != 0 && s->undo == NULL) {
			pp_online_book_drop(b, s->name, s->len);
			continue;
		}
		if (rc != 0)
			sym_restore(o, s, s->undo);
		pp_online_sym_free(s->undo);
		s->undo = NULL;
	}
	free(touched);
	return rc;
}

int
pp_online_book_drop(struct pp_online_book *b, const char *name, size_t len)
{
	struct pp_online_sym **pp = &b->tab[slot(b, name, len)], *s;

	for (; (s = *pp) != NULL; pp = &s->next)
		if (s->len == len && memcmp(s->name, name, len) == 0) {
			*pp = s->next;
			if (b->last == s)
				b->last = NULL;
			pp_online_sym_free(s);
			b->n--;
			return 0;
		}
	return -1;
}
