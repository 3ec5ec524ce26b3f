/*
 * feat.c - the streaming engine: symbols, date order, lead delay
 * (feat.h).
 */
#include "feat.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "num.h"
#include "util.h"
#include "banned.h"

/* A row waiting for its look-ahead values. */
struct entry {
	uint64_t seq;		/* input order, for the final flush */
	union pp_cell *cells;	/* copy of the input row */
	struct pp_buf text;	/* bytes of its text cells */
	double *regs;		/* registers phase one filled */
};

struct sym {
	char *name;		/* owned copy of the symbol */
	size_t len;
	uint64_t hash;
	void *state;		/* the plan's state for this symbol */
	int has_last;		/* a date was seen */
	union pp_cell last;	/* the previous date */
	struct pp_buf lasttext;	/* its bytes, for a text date column */
	struct entry *ring;	/* lead + 1 entries; NULL when lead is 0 */
	size_t head, count;	/* oldest waiting entry, entries waiting */
};

struct pp_feat {
	const struct pp_plan *plan;
	struct pp_feat_opts o;
	pp_feat_emit_fn emit;
	void *ctx;
	size_t ncols;		/* input columns */
	enum pp_type *intype;	/* input column types */
	long sym_col, date_col;	/* -1 when absent */
	size_t lead;
	size_t nregs;
	size_t *keep;		/* input columns copied to the output */
	size_t nkeep;
	size_t nout;		/* plan outputs */
	size_t *out_reg;	/* their registers */
	struct pp_schema schema; /* output */
	union pp_cell *out;	/* output row being built */
	double *regs;		/* lead 0: the one register file */
	double **win;		/* lead + 1 windows for pp_plan_targets */
	struct sym **tab;	/* open addressing, power of two */
	size_t tabcap, nsyms;
	struct sym **syms;	/* in order of first appearance */
	size_t capsyms;
	struct sym *lastsym;	/* cache: consecutive rows often share it */
	struct sym *single;	/* the group when there is no symbol column */
	uint64_t seq;		/* the next row's sequence number */
	uint64_t emit_seq;	/* that of the row being emitted */
	/* The date barrier, for a plan of several stages (expr.h): the rows
	 * of the current date, stage 0 done, held until the next date. */
	size_t nstages;
	struct entry *day;	/* capday entries, nday of them in use */
	struct sym **daysym;	/* their symbols */
	struct pp_xrow *xrows;	/* their registers, for pp_plan_cross */
	size_t nday, capday;
	int has_day;		/* a date is held */
	union pp_cell daydate;	/* the date held */
	struct pp_buf daytext;	/* its bytes, for a text date column */
};

static struct sym *
sym_new(struct pp_feat *f, const char *name, size_t len, uint64_t h)
{
	struct sym *s = pp_xcalloc(1, sizeof(*s));
	size_t i, ps = pp_plan_state_size(f->plan);

	s->name = pp_xstrndup(name, len);
	s->len = len;
	s->hash = h;
	s->state = pp_xmalloc(ps ? ps : 1);
	pp_plan_state_init(f->plan, s->state);
	pp_buf_init(&s->lasttext);
	if (f->lead > 0) {
		s->ring = pp_xcalloc(f->lead + 1, sizeof(*s->ring));
		for (i = 0; i <= f->lead; i++) {
			s->ring[i].cells = pp_xcalloc(f->ncols ? f->ncols : 1,
			    sizeof(union pp_cell));
			s->ring[i].regs = pp_xcalloc(f->nregs ? f->nregs : 1,
			    sizeof(double));
			pp_buf_init(&s->ring[i].text);
		}
	}
	pp_xgrow((void **)&f->syms, &f->capsyms, f->nsyms + 1,
	    sizeof(*f->syms));
	f->syms[f->nsyms++] = s;
	return s;
}

static void
sym_free(struct pp_feat *f, struct sym *s)
{
	size_t i;

	if (s->ring != NULL)
		for (i = 0; i <= f->lead; i++) {
			free(s->ring[i].cells);
			free(s->ring[i].regs);
			pp_buf_release(&s->ring[i].text);
		}
	free(s->ring);
	pp_buf_release(&s->lasttext);
	free(s->state);
	free(s->name);
	free(s);
}

static void
tab_insert(struct sym **tab, size_t cap, struct sym *s)
{
	size_t i = (size_t)s->hash & (cap - 1);

	while (tab[i] != NULL)
		i = (i + 1) & (cap - 1);
	tab[i] = s;
}

/* The symbol named p[0..n), created on first sight. */
static struct sym *
find_sym(struct pp_feat *f, const char *p, size_t n)
{
	struct sym *s = f->lastsym;
	uint64_t h;
	size_t i;

	if (s != NULL && s->len == n && memcmp(s->name, p, n) == 0)
		return s;
	h = pp_hash_bytes(p, n);
	for (i = (size_t)h & (f->tabcap - 1); (s = f->tab[i]) != NULL;
	    i = (i + 1) & (f->tabcap - 1))
		if (s->hash == h && s->len == n && memcmp(s->name, p, n) == 0)
			return f->lastsym = s;
	/* Grow at half full, then insert. */
	if (2 * (f->nsyms + 1) > f->tabcap) {
		size_t cap = f->tabcap * 2, j;
		struct sym **tab = pp_xcalloc(cap, sizeof(*tab));

		for (j = 0; j < f->tabcap; j++)
			if (f->tab[j] != NULL)
				tab_insert(tab, cap, f->tab[j]);
		free(f->tab);
		f->tab = tab;
		f->tabcap = cap;
	}
	s = sym_new(f, p, n, h);
	tab_insert(f->tab, f->tabcap, s);
	return f->lastsym = s;
}

static void
add_col(struct pp_schema *s, const char *name, enum pp_type t)
{
	struct pp_err e = PP_ERR_INIT;

	/* Names were checked unique by the compiler. */
	(void)pp_schema_add(s, name, t, &e);
}

struct pp_feat *
pp_feat_new(const struct pp_plan *plan, const struct pp_schema *in,
    const struct pp_feat_opts *o, pp_feat_emit_fn emit, void *ctx,
    struct pp_err *err)
{
	struct pp_feat *f;
	size_t i;
	long sc = pp_schema_find(in, "symbol");

	if (sc >= 0 && in->cols[sc].type != PP_T_TEXT) {
		pp_err_set(err, PP_EXIT_DATA, "column \"symbol\" is %s, not text",
		    pp_type_name(in->cols[sc].type));
		return NULL;
	}
	f = pp_xcalloc(1, sizeof(*f));
	f->plan = plan;
	if (o != NULL)
		f->o = *o;
	f->emit = emit;
	f->ctx = ctx;
	f->ncols = in->ncols;
	f->intype = pp_xcalloc(in->ncols + 1, sizeof(*f->intype));
	for (i = 0; i < in->ncols; i++)
		f->intype[i] = in->cols[i].type;
	f->sym_col = sc;
	f->date_col = pp_schema_find(in, "date");
	f->lead = pp_plan_lead(plan);
	f->nregs = pp_plan_nregs(plan);
	f->nstages = pp_plan_stages(plan);
	pp_buf_init(&f->daytext);
	if (f->nstages > 1 && f->date_col < 0) {
		pp_err_set(err, PP_EXIT_DATA, "cs_rank, cs_zscore, cs_demean, "
		    "cs_quantile and ref() work per date: the input has no "
		    "column \"date\"");
		free(f->intype);
		free(f);
		return NULL;
	}
	f->nout = pp_plan_nout(plan);

	pp_schema_init(&f->schema);
	f->keep = pp_xcalloc(in->ncols + 1, sizeof(*f->keep));
	for (i = 0; i < in->ncols; i++) {
		if (f->o.only && (long)i != f->sym_col && (long)i != f->date_col)
			continue;
		f->keep[f->nkeep++] = i;
		add_col(&f->schema, in->cols[i].name, in->cols[i].type);
	}
	f->out_reg = pp_xcalloc(f->nout + 1, sizeof(*f->out_reg));
	for (i = 0; i < f->nout; i++) {
		f->out_reg[i] = pp_plan_out_reg(plan, i);
		add_col(&f->schema, pp_plan_out_name(plan, i), PP_T_F64);
	}
	f->out = pp_xcalloc(f->schema.ncols + 1, sizeof(*f->out));
	f->regs = pp_xcalloc(f->nregs + 1, sizeof(double));
	f->win = pp_xcalloc(f->lead + 1, sizeof(*f->win));
	f->tabcap = 64;
	f->tab = pp_xcalloc(f->tabcap, sizeof(*f->tab));
	return f;
}

const struct pp_schema *
pp_feat_schema(const struct pp_feat *f)
{
	return &f->schema;
}

size_t
pp_feat_nsymbols(const struct pp_feat *f)
{
	return f->nsyms;
}

void
pp_feat_free(struct pp_feat *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nsyms; i++)
		sym_free(f, f->syms[i]);
	for (i = 0; i < f->capday; i++) {
		free(f->day[i].cells);
		free(f->day[i].regs);
		pp_buf_release(&f->day[i].text);
	}
	free(f->day);
	free(f->daysym);
	free(f->xrows);
	pp_buf_release(&f->daytext);
	free(f->syms);
	free(f->tab);
	free(f->win);
	free(f->regs);
	free(f->out);
	free(f->out_reg);
	free(f->keep);
	free(f->intype);
	pp_schema_release(&f->schema);
	free(f);
}

void
pp_feat_cell_fmt(struct pp_buf *b, enum pp_type t, const union pp_cell *c)
{
	char buf[PP_DATE_BUFSZ > PP_DBL_BUFSZ ? PP_DATE_BUFSZ : PP_DBL_BUFSZ];

	switch (t) {
	case PP_T_DATE:
		pp_date_fmt(buf, c->i);
		break;
	case PP_T_DATETIME:
		pp_datetime_fmt(buf, c->i);
		break;
	case PP_T_I64:
		pp_fmt_int64(buf, c->i);
		break;
	case PP_T_F64:
		pp_fmt_double(buf, c->f);
		break;
	default:
		pp_buf_add(b, c->s.p, c->s.len > 64 ? 64 : c->s.len);
		return;
	}
	pp_buf_addstr(b, buf);
}

int
pp_feat_date_cmp(enum pp_type t, const union pp_cell *a, const union pp_cell *b)
{
	size_t n;
	int r;

	switch (t) {
	case PP_T_F64:
		return a->f < b->f ? -1 : a->f > b->f ? 1 : 0;
	case PP_T_TEXT:
		n = a->s.len < b->s.len ? a->s.len : b->s.len;
		r = memcmp(a->s.p, b->s.p, n);
		if (r != 0)
			return r < 0 ? -1 : 1;
		return a->s.len < b->s.len ? -1 : a->s.len > b->s.len;
	default:
		return a->i < b->i ? -1 : a->i > b->i ? 1 : 0;
	}
}

static int
check_date(struct pp_feat *f, const struct sym *s, const union pp_cell *d,
    struct pp_err *err)
{
	enum pp_type t = f->intype[f->date_col];
	struct pp_buf b = PP_BUF_INIT;

	if (!s->has_last || pp_feat_date_cmp(t, &s->last, d) < 0)
		return 0;
	if (f->sym_col >= 0)
		pp_buf_addf(&b, "symbol \"%.*s\": ", (int)(s->len > 64 ? 64 :
		    s->len), s->name);
	pp_buf_addstr(&b, "date ");
	pp_feat_cell_fmt(&b, t, d);
	pp_buf_addstr(&b, " is not after the previous ");
	pp_feat_cell_fmt(&b, t, &s->last);
	pp_err_set(err, PP_EXIT_DATA, "%s", b.data);
	pp_buf_release(&b);
	return -1;
}

/* Keep date d of type t in *dst, its bytes in b for a text date. */
static void
keep_date(union pp_cell *dst, struct pp_buf *b, enum pp_type t,
    const union pp_cell *d)
{
	if (t != PP_T_TEXT) {
		*dst = *d;
		return;
	}
	pp_buf_reset(b);
	pp_buf_add(b, d->s.p, d->s.len);
	dst->s.p = b->data;
	dst->s.len = b->len;
}

static void
set_last(struct sym *s, enum pp_type t, const union pp_cell *d)
{
	s->has_last = 1;
	keep_date(&s->last, &s->lasttext, t, d);
}

/* Build and emit the output row for input cells in and registers regs
 * (targets already computed).  Returns 1 emitted, 0 dropped, -1. */
static int
emit_row(struct pp_feat *f, const union pp_cell *in, const double *regs,
    struct pp_err *err)
{
	union pp_cell *out = f->out;
	size_t i;

	for (i = 0; i < f->nkeep; i++)
		out[i] = in[f->keep[i]];
	out += f->nkeep;
	for (i = 0; i < f->nout; i++) {
		double v = regs[f->out_reg[i]];

		if (f->o.dropna && isnan(v))
			return 0;
		out[i].f = v;
	}
	if (f->emit(f->ctx, f->out, err) == -1)
		return -1;
	return 1;
}

/* Copy row into entry e (text cells into its own buffer). */
static void
copy_row(struct pp_feat *f, struct entry *e, const union pp_cell *row)
{
	size_t i, off = 0;

	pp_buf_reset(&e->text);
	for (i = 0; i < f->ncols; i++)
		if (f->intype[i] == PP_T_TEXT)
			pp_buf_add(&e->text, row[i].s.p, row[i].s.len);
	for (i = 0; i < f->ncols; i++) {
		e->cells[i] = row[i];
		if (f->intype[i] == PP_T_TEXT) {
			e->cells[i].s.p = e->text.data + off;
			off += row[i].s.len;
		}
	}
}

/* Emit the entry k places after s's oldest waiting one, looking ahead only
 * as far as the waiting entries go. */
static int
emit_waiting(struct pp_feat *f, struct sym *s, size_t k, struct pp_err *err)
{
	size_t j, n = f->lead + 1;
	struct entry *e = &s->ring[(s->head + k) % n];

	for (j = 0; j < n; j++)
		f->win[j] = k + j < s->count ?
		    s->ring[(s->head + k + j) % n].regs : NULL;
	pp_plan_targets(f->plan, f->win);
	f->emit_seq = e->seq;
	return emit_row(f, e->cells, e->regs, err);
}

/*
 * Row `row` of symbol s has its phase one in regs: emit it at once
 * without look-ahead, else queue it in s's ring and emit the row lead
 * places before it.  Returns the number of rows emitted, or -1.
 */
static int
settle(struct pp_feat *f, struct sym *s, const union pp_cell *row,
    double *regs, struct pp_err *err)
{
	struct entry *e;
	int rc;

	f->seq++;
	if (f->lead == 0) {
		f->win[0] = regs;
		pp_plan_targets(f->plan, f->win);
		f->emit_seq = f->seq - 1;
		return emit_row(f, row, regs, err);
	}
	e = &s->ring[(s->head + s->count) % (f->lead + 1)];
	if (e->regs != regs)
		memcpy(e->regs, regs, f->nregs * sizeof(*regs));
	copy_row(f, e, row);
	e->seq = f->seq - 1;
	if (++s->count <= f->lead)
		return 0;
	rc = emit_waiting(f, s, 0, err);
	s->head = (s->head + 1) % (f->lead + 1);
	s->count--;
	return rc;
}

/* The entry of the date buffer at i, allocated on first use. */
static struct entry *
day_slot(struct pp_feat *f, size_t i)
{
	size_t old = f->capday, j;

	if (i < f->capday)
		return &f->day[i];
	pp_xgrow((void **)&f->day, &f->capday, i + 1, sizeof(*f->day));
	f->daysym = pp_xrealloc(f->daysym, f->capday * sizeof(*f->daysym));
	f->xrows = pp_xrealloc(f->xrows, f->capday * sizeof(*f->xrows));
	for (j = old; j < f->capday; j++) {
		f->day[j].cells = pp_xcalloc(f->ncols ? f->ncols : 1,
		    sizeof(union pp_cell));
		f->day[j].regs = pp_xcalloc(f->nregs ? f->nregs : 1,
		    sizeof(double));
		pp_buf_init(&f->day[j].text);
	}
	return &f->day[i];
}

/*
 * The date held is complete: run the later stages of phase one, each a
 * cross-section over the date's first n rows then the stage on every row,
 * and settle the rows in input order.  Returns the number emitted, or -1.
 */
static int
flush_day(struct pp_feat *f, size_t n, struct pp_err *err)
{
	size_t k, i;
	int rc, emitted = 0;

	for (i = 0; i < n; i++) {
		f->xrows[i].regs = f->day[i].regs;
		f->xrows[i].sym = f->daysym[i]->name;
		f->xrows[i].symlen = f->daysym[i]->len;
	}
	for (k = 1; k < f->nstages; k++) {
		pp_plan_cross(f->plan, k, f->xrows, n);
		for (i = 0; i < n; i++)
			pp_plan_step_stage(f->plan, k, f->daysym[i]->state,
			    f->day[i].regs);
	}
	for (i = 0; i < n; i++) {
		if ((rc = settle(f, f->daysym[i], f->day[i].cells,
		    f->day[i].regs, err)) == -1)
			return -1;
		emitted += rc;
	}
	return emitted;
}

/* A date before the one held: the input is not in date order. */
static int
date_order_error(struct pp_feat *f, const union pp_cell *d,
    struct pp_err *err)
{
	enum pp_type t = f->intype[f->date_col];
	struct pp_buf b = PP_BUF_INIT;

	pp_buf_addstr(&b, "date ");
	pp_feat_cell_fmt(&b, t, d);
	pp_buf_addstr(&b, " comes after ");
	pp_feat_cell_fmt(&b, t, &f->daydate);
	pp_buf_addstr(&b, ": cs_rank, cs_zscore, cs_demean, cs_quantile and "
	    "ref() need the input in date order (pp sort --by date,symbol)");
	pp_err_set(err, PP_EXIT_DATA, "%s", b.data);
	pp_buf_release(&b);
	return -1;
}

/*
 * A plan of several stages: stage 0 of the row now, into the date buffer;
 * a row of a later date first completes the date held (flush_day).  A row
 * of an earlier date is refused before anything changes.
 */
static int
push_barrier(struct pp_feat *f, struct sym *s, const union pp_cell *row,
    struct pp_err *err)
{
	enum pp_type t = f->intype[f->date_col];
	const union pp_cell *d = &row[f->date_col];
	struct entry *e, tmp;
	int c = f->has_day ? pp_feat_date_cmp(t, &f->daydate, d) : 0, rc = 0;

	if (c > 0)
		return date_order_error(f, d, err);
	e = day_slot(f, f->nday);
	if (pp_plan_step(f->plan, s->state, row, e->regs, err) == -1)
		return -1;
	set_last(s, t, d);
	copy_row(f, e, row);
	f->daysym[f->nday] = s;
	if (c < 0) {
		if ((rc = flush_day(f, f->nday, err)) == -1)
			return -1;
		/* The new row starts the next date. */
		tmp = f->day[0];
		f->day[0] = *e;
		*e = tmp;
		f->daysym[0] = s;
		f->nday = 0;
	}
	f->nday++;
	if (c != 0 || !f->has_day) {
		keep_date(&f->daydate, &f->daytext, t,
		    &f->day[0].cells[f->date_col]);
		f->has_day = 1;
	}
	return rc;
}

int
pp_feat_push(struct pp_feat *f, const union pp_cell *row,
    struct pp_err *err)
{
	struct sym *s;
	struct entry *e;
	double *regs;

	if (f->sym_col >= 0)
		s = find_sym(f, row[f->sym_col].s.p, row[f->sym_col].s.len);
	else if ((s = f->single) == NULL)
		s = f->single = sym_new(f, "", 0, 0);
	if (f->date_col >= 0 && check_date(f, s, &row[f->date_col], err) == -1)
		return -1;
	if (f->nstages > 1)
		return push_barrier(f, s, row, err);
	/* Phase one straight into where the row waits. */
	regs = f->regs;
	if (f->lead > 0) {
		e = &s->ring[(s->head + s->count) % (f->lead + 1)];
		regs = e->regs;
	}
	if (pp_plan_step(f->plan, s->state, row, regs, err) == -1)
		return -1;
	if (f->date_col >= 0)
		set_last(s, f->intype[f->date_col], &row[f->date_col]);
	return settle(f, s, row, regs, err);
}

struct pending {
	uint64_t seq;
	struct sym *s;
	size_t k;
};

static int
by_seq(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
pp_feat_finish(struct pp_feat *f, struct pp_err *err)
{
	struct pending *v;
	size_t i, k, n = 0;
	int rc, emitted = 0;

	if (f->nday > 0) {
		/* The last date is complete. */
		n = f->nday;
		f->nday = 0;
		if ((emitted = flush_day(f, n, err)) == -1)
			return -1;
		n = 0;
	}
	if (f->lead == 0)
		return emitted;
	for (i = 0; i < f->nsyms; i++)
		n += f->syms[i]->count;
	v = pp_xcalloc(n + 1, sizeof(*v));
	n = 0;
	for (i = 0; i < f->nsyms; i++) {
		struct sym *s = f->syms[i];

		for (k = 0; k < s->count; k++) {
			v[n].seq = s->ring[(s->head + k) % (f->lead + 1)].seq;
			v[n].s = s;
			v[n++].k = k;
		}
	}
	qsort(v, n, sizeof(*v), by_seq);
	for (i = 0; i < n; i++) {
		if ((rc = emit_waiting(f, v[i].s, v[i].k, err)) == -1) {
			free(v);
			return -1;
		}
		emitted += rc;
	}
	/* Nothing waits any more. */
	for (i = 0; i < f->nsyms; i++)
		f->syms[i]->count = 0;
	free(v);
	return emitted;
}


void
pp_feat_set_seq(struct pp_feat *f, uint64_t seq)
{
	f->seq = seq;
}

uint64_t
pp_feat_emit_seq(const struct pp_feat *f)
{
	return f->emit_seq;
}

const struct pp_plan *
pp_feat_plan(const struct pp_feat *f)
{
	return f->plan;
}

const struct pp_feat_opts *
pp_feat_opts(const struct pp_feat *f)
{
	return &f->o;
}
