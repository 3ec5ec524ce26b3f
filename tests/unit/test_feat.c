/*
 * test_feat.c - the streaming engine (lib/feat.c), and the no-look-ahead
 * property of the whole compiled pipeline.
 *
 * Plan:
 *  - output schema: input columns, features, targets; --only keeps symbol
 *    and date; a non-text symbol column is refused.
 *  - grouping: the same rows interleaved across symbols or one symbol
 *    after another give the same values per (symbol, date); without a
 *    symbol column everything is one group.
 *  - date order: a repeated or earlier date is refused naming symbol and
 *    both dates (date, date-time and text date columns), changing nothing,
 *    so the next good row continues exactly as if the bad one was absent.
 *  - lead: a symbol's rows wait exactly lead rows (counts of emitted rows
 *    after each push), other symbols' rows are not held back, the final
 *    flush is in input order with the look-ahead missing; text cells of
 *    waiting rows are copies (the caller's buffer is overwritten).
 *  - dropna drops rows with any missing output; an emit failure stops
 *    the engine with its error.
 *  - look-ahead, the property test: on a random multi-symbol frame with
 *    every function of the language, (a) every feature of every row
 *    computed on a random prefix is bit-identical to the full run, and a
 *    target is either identical or missing; (b) altering one random row
 *    changes no feature of any earlier row nor of another symbol, while
 *    it does change that row's own features.
 *  - cross-sections (cs_rank, cs_zscore, cs_demean, cs_quantile, ref):
 *    a hand-computed table with ties, a missing value, a symbol absent
 *    on a date and a date with one symbol; rows of a date wait for the
 *    next date (counts after each push) and leave in input order; an
 *    earlier date is refused naming both dates and pp sort, changing
 *    nothing; an input without a date column is refused.
 *  - the oracle: on a random date-ordered frame (ties in volume), every
 *    cross-section equals a from-scratch O(m^2) recomputation to 1e-12.
 *  - look-ahead of cross-sections: on a random date-ordered frame,
 *    (a) prefixes cut at a date give bit-identical features, (b) altering
 *    one row (S0's too, which ref() reads) changes no feature of an
 *    earlier date, of any symbol.
 *  - the writing thread writes the same bytes as direct writing, over
 *    several batches, and a failed write comes back as the error.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expr.h"
#include "feat.h"
#include "frame.h"
#include "testutil.h"
#include "banned.h"

#define MAXOUT 128
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Output rows captured from the engine. */
struct rec {
	char sym[16];
	int64_t date;
	size_t nv;
	double v[MAXOUT];
};

struct cap {
	const struct pp_schema *s;
	long sym_col, date_col;
	size_t first;		/* first output column */
	struct rec *r;
	size_t n, cap;
	int fail_at;		/* emit fails on this row (1-based); 0 never */
};

static int
capture(void *ctx, const union pp_cell *row, struct pp_err *err)
{
	struct cap *c = ctx;
	struct rec *r;
	size_t i;

	if (c->fail_at > 0 && (size_t)c->fail_at == c->n + 1)
		return pp_err_set(err, PP_EXIT_DATA, "out: disk full");
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->r = realloc(c->r, c->cap * sizeof(*c->r));
	}
	r = &c->r[c->n++];
	memset(r, 0, sizeof(*r));
	if (c->sym_col >= 0)
		snprintf(r->sym, sizeof(r->sym), "%.*s",
		    (int)row[c->sym_col].s.len, row[c->sym_col].s.p);
	if (c->date_col >= 0)
		r->date = row[c->date_col].i;
	r->nv = c->s->ncols - c->first;
	assert_true(r->nv <= MAXOUT);
	for (i = 0; i < r->nv; i++)
		r->v[i] = row[c->first + i].f;
	return 0;
}

/* A spec, a plan and an engine over a price schema. */
struct fx {
	struct pp_schema in;
	struct pp_spec *spec;
	struct pp_plan *plan;
	struct pp_feat *feat;
	struct cap cap;
};

static void
fx_open(struct fx *f, const char *cols, const char *const *defs,
    const struct pp_feat_opts *o)
{
	struct pp_err e = PP_ERR_INIT;
	const char *p = cols;
	size_t i;

	memset(f, 0, sizeof(*f));
	pp_schema_init(&f->in);
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char name[32];
		enum pp_type t = PP_T_F64;

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if (strcmp(name, "symbol") == 0)
			t = PP_T_TEXT;
		else if (strcmp(name, "date") == 0)
			t = PP_T_DATE;
		assert_int_equal(pp_schema_add(&f->in, name, t, &e), 0);
		p += n + (end ? 1 : 0);
	}
	f->spec = pp_spec_new();
	for (i = 0; defs[i] != NULL; i++) {
		int t = strncmp(defs[i], "t:", 2) == 0;

		if (pp_spec_add(f->spec, t, defs[i] + 2 * t, "-f", (long)i + 1,
		    &e) == -1)
			fail_msg("%s", e.msg);
	}
	f->plan = pp_plan_compile(f->spec, &f->in, &e);
	if (f->plan == NULL)
		fail_msg("%s", e.msg);
	f->feat = pp_feat_new(f->plan, &f->in, o, capture, &f->cap, &e);
	assert_non_null(f->feat);
	f->cap.s = pp_feat_schema(f->feat);
	f->cap.sym_col = pp_schema_find(f->cap.s, "symbol");
	f->cap.date_col = pp_schema_find(f->cap.s, "date");
	f->cap.first = f->cap.s->ncols - pp_plan_nout(f->plan);
}

static void
fx_close(struct fx *f)
{
	pp_feat_free(f->feat);
	pp_plan_free(f->plan);
	pp_spec_free(f->spec);
	pp_schema_release(&f->in);
	free(f->cap.r);
}

/* Push a row of symbol sym, date d and numbers v[] (the other columns in
 * schema order).  Returns what pp_feat_push does. */
static int
push(struct fx *f, const char *sym, int64_t d, const double *v,
    struct pp_err *e)
{
	union pp_cell row[16];
	size_t i, k = 0;

	for (i = 0; i < f->in.ncols; i++) {
		if (f->in.cols[i].type == PP_T_TEXT) {
			row[i].s.p = sym;
			row[i].s.len = strlen(sym);
		} else if (f->in.cols[i].type == PP_T_DATE)
			row[i].i = d;
		else
			row[i].f = v[k++];
	}
	return pp_feat_push(f->feat, row, e);
}

static void
test_schema(void **unused)
{
	static const char *const defs[] = { "t:y=lead(close,1)", "a=close*2",
	    "m=macd(close,2,3,2)", NULL };
	struct pp_feat_opts only = { 1, 0 };
	struct pp_err e = PP_ERR_INIT;
	const struct pp_schema *s;
	struct fx f;
	static const char *const want[] = { "symbol", "date", "close",
	    "volume", "a", "m_macd", "m_signal", "m_hist", "y" };
	size_t i;

	(void)unused;
	fx_open(&f, "symbol,date,close,volume", defs, NULL);
	s = pp_feat_schema(f.feat);
	assert_int_equal(s->ncols, 9);
	for (i = 0; i < 9; i++)
		assert_string_equal(s->cols[i].name, want[i]);
	assert_int_equal(s->cols[0].type, PP_T_TEXT);
	assert_int_equal(s->cols[1].type, PP_T_DATE);
	assert_int_equal(s->cols[8].type, PP_T_F64);
	fx_close(&f);

	fx_open(&f, "open,symbol,close,date", defs, &only);
	s = pp_feat_schema(f.feat);
	assert_int_equal(s->ncols, 7);
	assert_string_equal(s->cols[0].name, "symbol");
	assert_string_equal(s->cols[1].name, "date");
	assert_string_equal(s->cols[2].name, "a");
	fx_close(&f);

	/* A symbol column that is not text. */
	{
		struct pp_schema in;
		struct pp_spec *sp = pp_spec_new();
		struct pp_plan *p;

		pp_schema_init(&in);
		assert_int_equal(pp_schema_add(&in, "symbol", PP_T_I64, &e), 0);
		assert_int_equal(pp_spec_add(sp, 0, "a=symbol*2", "-f", 1, &e),
		    0);
		p = pp_plan_compile(sp, &in, &e);
		assert_non_null(p);
		assert_null(pp_feat_new(p, &in, NULL, capture, NULL, &e));
		assert_string_equal(e.msg, "column \"symbol\" is int64, not text");
		assert_int_equal(e.code, PP_EXIT_DATA);
		pp_plan_free(p);
		pp_spec_free(sp);
		pp_schema_release(&in);
	}
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int c = strcmp(x->sym, y->sym);

	if (c != 0)
		return c;
	return x->date < y->date ? -1 : x->date > y->date;
}

static void
assert_same_recs(struct cap *a, struct cap *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	qsort(a->r, a->n, sizeof(*a->r), rec_cmp);
	qsort(b->r, b->n, sizeof(*b->r), rec_cmp);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->r[i].sym, b->r[i].sym);
		assert_int_equal(a->r[i].date, b->r[i].date);
		assert_memory_equal(a->r[i].v, b->r[i].v,
		    a->r[i].nv * sizeof(double));
	}
}

static void
test_grouping(void **unused)
{
	static const char *const defs[] = { "s=sma(close,3)", "r=logret(close)",
	    "t:y=lead(close,2)", NULL };
	static const char *const syms[] = { "AAA", "BB", "C" };
	struct pp_err e = PP_ERR_INIT;
	struct fx a, b;
	int i, k;

	(void)unused;
	fx_open(&a, "symbol,date,close", defs, NULL);
	fx_open(&b, "symbol,date,close", defs, NULL);
	for (i = 0; i < 10; i++)
		for (k = 0; k < 3; k++) {
			double v = 10 * k + i * (k + 1) + 1;

			assert_true(push(&a, syms[k], i, &v, &e) >= 0);
		}
	for (k = 0; k < 3; k++)
		for (i = 0; i < 10; i++) {
			double v = 10 * k + i * (k + 1) + 1;

			assert_true(push(&b, syms[k], i, &v, &e) >= 0);
		}
	assert_int_equal(pp_feat_nsymbols(a.feat), 3);
	assert_int_equal(pp_feat_finish(a.feat, &e), 6);
	assert_int_equal(pp_feat_finish(b.feat, &e), 6);
	assert_same_recs(&a.cap, &b.cap);
	/* Spot check: C's sma on its third row is the mean of 21, 24, 27. */
	for (i = 0; (size_t)i < a.cap.n; i++)
		if (strcmp(a.cap.r[i].sym, "C") == 0 && a.cap.r[i].date == 2)
			assert_true(a.cap.r[i].v[0] == 24);
	fx_close(&a);
	fx_close(&b);

	/* No symbol column: one group. */
	{
		static const char *const d2[] = { "s=sma(close,2)", NULL };
		double v;

		fx_open(&a, "close", d2, NULL);
		for (i = 0; i < 4; i++) {
			v = i;
			assert_int_equal(push(&a, "", 0, &v, &e), 1);
		}
		assert_int_equal(pp_feat_nsymbols(a.feat), 1);
		assert_true(isnan(a.cap.r[0].v[0]));
		assert_true(a.cap.r[3].v[0] == 2.5);
		fx_close(&a);
	}
}

static void
test_date_order(void **unused)
{
	static const char *const defs[] = { "s=sma(close,2)", NULL };
	struct pp_err e = PP_ERR_INIT;
	double v1 = 1, v2 = 100, v3 = 3;
	struct fx f;

	(void)unused;
	fx_open(&f, "symbol,date,close", defs, NULL);
	assert_int_equal(push(&f, "AAA", 18262, &v1, &e), 1);
	assert_int_equal(push(&f, "BBB", 18200, &v1, &e), 1);
	assert_int_equal(push(&f, "AAA", 18262, &v2, &e), -1);
	assert_int_equal(e.code, PP_EXIT_DATA);
	assert_string_equal(e.msg, "symbol \"AAA\": date 2020-01-01 is not "
	    "after the previous 2020-01-01");
	pp_err_clear(&e);
	assert_int_equal(push(&f, "AAA", 18000, &v2, &e), -1);
	assert_string_equal(e.msg, "symbol \"AAA\": date 2019-04-14 is not "
	    "after the previous 2020-01-01");
	pp_err_clear(&e);
	/* The refused rows left no trace: sma is (1 + 3) / 2. */
	assert_int_equal(push(&f, "AAA", 18263, &v3, &e), 1);
	assert_true(f.cap.r[2].v[0] == 2);
	fx_close(&f);

	/* Date-times and text dates. */
	{
		struct pp_schema in;
		struct pp_spec *sp = pp_spec_new();
		struct pp_plan *p;
		struct pp_feat *ft;
		struct cap c;
		union pp_cell row[2];

		memset(&c, 0, sizeof(c));
		pp_schema_init(&in);
		assert_int_equal(pp_schema_add(&in, "date", PP_T_DATETIME, &e),
		    0);
		assert_int_equal(pp_schema_add(&in, "x", PP_T_F64, &e), 0);
		assert_int_equal(pp_spec_add(sp, 0, "a=x", "-f", 1, &e), 0);
		p = pp_plan_compile(sp, &in, &e);
		ft = pp_feat_new(p, &in, NULL, capture, &c, &e);
		c.s = pp_feat_schema(ft);
		c.sym_col = -1;
		c.date_col = 0;
		c.first = 2;
		row[0].i = 1577836800000000LL + 1;
		row[1].f = 1;
		assert_int_equal(pp_feat_push(ft, row, &e), 1);
		row[0].i = 1577836800000000LL;
		assert_int_equal(pp_feat_push(ft, row, &e), -1);
		assert_string_equal(e.msg, "date 2020-01-01T00:00:00Z is not "
		    "after the previous 2020-01-01T00:00:00.000001Z");
		pp_feat_free(ft);
		pp_plan_free(p);
		pp_schema_release(&in);

		pp_err_clear(&e);
		pp_schema_init(&in);
		assert_int_equal(pp_schema_add(&in, "date", PP_T_TEXT, &e), 0);
		assert_int_equal(pp_schema_add(&in, "x", PP_T_F64, &e), 0);
		p = pp_plan_compile(sp, &in, &e);
		ft = pp_feat_new(p, &in, NULL, capture, &c, &e);
		c.s = pp_feat_schema(ft);
		c.date_col = -1;
		{
			char buf[16];

			memcpy(buf, "2020-01-02 x", 12);
			row[0].s.p = buf;
			row[0].s.len = 10;
			assert_int_equal(pp_feat_push(ft, row, &e), 1);
			/* The engine kept its own copy of the last date. */
			memcpy(buf, "2020-01-01", 10);
			assert_int_equal(pp_feat_push(ft, row, &e), -1);
			assert_string_equal(e.msg, "date 2020-01-01 is not after "
			    "the previous 2020-01-02");
			row[0].s.len = 11;
			memcpy(buf, "2020-01-02 ", 11);
			pp_err_clear(&e);
			assert_int_equal(pp_feat_push(ft, row, &e), 1);
		}
		pp_feat_free(ft);
		pp_plan_free(p);
		pp_schema_release(&in);
		pp_spec_free(sp);
		free(c.r);
	}
}

static void
test_lead_delay(void **unused)
{
	static const char *const defs[] = { "t:y=lead(close,2)", "x=close",
	    NULL };
	struct pp_err e = PP_ERR_INIT;
	struct fx f;
	double v;
	char sym[8];

	(void)unused;
	fx_open(&f, "symbol,date,close", defs, NULL);
	/* A waits two rows; B, interleaved, is not held back by A. */
	v = 1, assert_int_equal(push(&f, "A", 1, &v, &e), 0);
	v = 10, assert_int_equal(push(&f, "B", 1, &v, &e), 0);
	v = 2, assert_int_equal(push(&f, "A", 2, &v, &e), 0);
	v = 3, assert_int_equal(push(&f, "A", 3, &v, &e), 1);
	assert_string_equal(f.cap.r[0].sym, "A");
	assert_true(f.cap.r[0].v[0] == 1 && f.cap.r[0].v[1] == 3);
	v = 4, assert_int_equal(push(&f, "A", 4, &v, &e), 1);
	/* The text of a waiting row is a copy. */
	memcpy(sym, "B", 2);
	v = 20;
	assert_int_equal(push(&f, sym, 2, &v, &e), 0);
	memcpy(sym, "Z", 2);
	assert_int_equal(pp_feat_finish(f.feat, &e), 4);
	assert_int_equal(f.cap.n, 6);
	/* The flush is in input order (B1, A3, A4, B2), look-ahead missing. */
	assert_string_equal(f.cap.r[1].sym, "A");
	assert_true(f.cap.r[1].v[0] == 2 && f.cap.r[1].v[1] == 4);
	assert_string_equal(f.cap.r[2].sym, "B");
	assert_int_equal(f.cap.r[2].date, 1);
	assert_true(f.cap.r[2].v[0] == 10 && isnan(f.cap.r[2].v[1]));
	assert_string_equal(f.cap.r[3].sym, "A");
	assert_int_equal(f.cap.r[3].date, 3);
	assert_string_equal(f.cap.r[4].sym, "A");
	assert_int_equal(f.cap.r[4].date, 4);
	assert_string_equal(f.cap.r[5].sym, "B");
	assert_int_equal(f.cap.r[5].date, 2);
	assert_true(f.cap.r[5].v[0] == 20 && isnan(f.cap.r[5].v[1]));
	/* Finishing twice emits nothing more. */
	assert_int_equal(pp_feat_finish(f.feat, &e), 0);
	fx_close(&f);
}

static void
test_dropna_and_emit_error(void **unused)
{
	static const char *const defs[] = { "s=sma(close,2)",
	    "t:y=lead(close,1)", NULL };
	struct pp_feat_opts o = { 0, 1 };
	struct pp_err e = PP_ERR_INIT;
	struct fx f;
	double v;
	int i, n = 0;

	(void)unused;
	fx_open(&f, "symbol,date,close", defs, &o);
	for (i = 1; i <= 5; i++) {
		v = i == 3 ? NAN : i;
		n += push(&f, "A", i, &v, &e);
	}
	n += pp_feat_finish(f.feat, &e);
	/* Row 1: sma warming up; 2: y is row 3's NaN; 3, 4: sma over the
	 * NaN; 5: no y.  Nothing survives. */
	assert_int_equal(n, 0);
	for (i = 6; i <= 8; i++) {
		v = i;
		n += push(&f, "B", i, &v, &e);
	}
	n += pp_feat_finish(f.feat, &e);
	assert_int_equal(n, 1);
	assert_int_equal(f.cap.r[0].date, 7);
	assert_true(f.cap.r[0].v[0] == 6.5 && f.cap.r[0].v[1] == 8);
	fx_close(&f);

	fx_open(&f, "symbol,date,close", defs, NULL);
	f.cap.fail_at = 2;
	v = 1;
	assert_int_equal(push(&f, "A", 1, &v, &e), 0);
	assert_int_equal(push(&f, "A", 2, &v, &e), 1);
	assert_int_equal(push(&f, "A", 3, &v, &e), -1);
	assert_string_equal(e.msg, "out: disk full");
	pp_err_clear(&e);
	f.cap.fail_at = 2;
	assert_int_equal(pp_feat_finish(f.feat, &e), -1);
	assert_string_equal(e.msg, "out: disk full");
	fx_close(&f);
}

/* ---- the look-ahead property ------------------------------------------- */

static const char *const la_defs[] = {
	"r=logret(close,1)", "l1=lag(r,1)", "l5=lag(r,5)", "s=sma(close,5)",
	"e=ema(close,5)", "w=wma(close,4)", "d=dema(close,3)",
	"tm=tema(close,3)", "rs=rsi(close,5)", "m=macd(close,3,6,2)",
	"bb=bbands(close,5,2)", "a=atr(4)", "na=natr(4)", "ax=adx(3)",
	"st=stoch(5,3,3)", "wr=willr(5)", "cc=cci(5)", "ob=obv()",
	"mf=mfi(4)", "rc=roc(close,3)", "mo=mom(close,2)",
	"sd=stddev(r,5)", "v=var(close,5,0)", "mn=min(low,5)",
	"mx=max(high,5)", "z=zscore(close,5)", "vw=vwap(5)",
	"co=corr(close,volume,5)", "be=beta(r,ret(open),5)",
	"df=diff(close,1)", "rt=ret(close,2)",
	"x=abs(r)+log(close)+exp(-r)+sqrt(volume)+sign(r)-m.signal",
	"ad=ad()", "ao=adosc(3,6)", "ap=apo(close,3,6)", "ar=aroon(4)",
	"bp=bop()", "cl=clv()", "cf=cmf(4)", "cm=cmo(close,4)",
	"dc=donchian(5)", "dxx=dx(3)", "mp=midpoint(close,4)",
	"mpr=midprice(4)", "mdi=minus_di(3)", "mdm=minus_dm(3)",
	"pdi=plus_di(3)", "pdm=plus_dm(3)", "pp=ppo(close,3,6)",
	"rp=rocp(close,2)", "rr=rocr(close,2)", "tr=trange()",
	"ti=trima(r,5)", "sf=stochf(4,3)", "sr=stochrsi(close,4,3,2)",
	"uo=ultosc(2,3,5)", "tx=trix(close,3,2)", "vh=vhf(close,5)",
	"kc=keltner(4,2)", "sn=snr(4)", "cv=chaikin_vol(3)",
	"wad=williams_ad()", "em=emv(3)", "axr=adxr(3)", "sa=sar()",
	"ka=kama(close,4)", "t3=t3(close,2)", "zl=zlema(close,4)",
	"ev=evwma(close,4)", "vm=vwma(close,4)", "hm=hma(close,4)",
	"al=alma(close,5)", "lr=linearreg(close,4)", "ts=tsf(close,4)",
	"sm=smi(3,2,3,2)", "td=tdi(close,3)", "ks=kst(close)",
	"vz=vol(4,yang_zhang)", "vg=vol(4,gk_yz,260)", "su=sum(r,4)",
	"me=median(close,4)", "qu=quantile(volume,5,0.8)", "ma=mad(close,5)",
	"sk=skew(r,5)", "ku=kurt(close,6)", "rk=rank(close,5)",
	"pr=pctrank(close,5)", "es=ewm_std(r,5)",
	"lg=if(r>0 and not isnan(r), least(r,0.01), greatest(r,-0.01,"
	"nan_to(lag(r),0))) + clip(volume,1200,1800) * (r<0 or r>0.01)",
	"up=close>s", "y1=s/close-1", "t:y=lead(r,1)",
	"t:u=lead(close,3)>close", "t:w2=lead(lead(r,1)+abs(r),2)", NULL
};

#define LA_SYMS 5
#define LA_DAYS 70
#define LA_ROWS (LA_SYMS * LA_DAYS)

struct la_row {
	char sym[4];
	int64_t date;
	double v[5];		/* open high low close volume */
};

static double
unif(uint64_t *s)
{
	return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

/* A random frame: symbols interleaved at random, each in date order, a
 * random walk with high >= open, close >= low and some missing volume. */
static void
la_frame(struct la_row *rows, uint64_t seed)
{
	int left[LA_SYMS], i, k, n = 0;
	double px[LA_SYMS];

	for (k = 0; k < LA_SYMS; k++) {
		left[k] = LA_DAYS;
		px[k] = 10 + 20 * k;
	}
	while (n < LA_ROWS) {
		struct la_row *r = &rows[n];
		double o, c, h, l;

		k = (int)(rnd(&seed) % LA_SYMS);
		if (left[k] == 0)
			continue;
		snprintf(r->sym, sizeof(r->sym), "S%d", k);
		r->date = 18000 + 2 * (LA_DAYS - left[k]--);
		o = px[k];
		c = o * exp(0.03 * (unif(&seed) - 0.5));
		h = (o > c ? o : c) * (1 + 0.01 * unif(&seed));
		l = (o < c ? o : c) * (1 - 0.01 * unif(&seed));
		px[k] = c;
		r->v[0] = o;
		r->v[1] = h;
		r->v[2] = l;
		r->v[3] = c;
		r->v[4] = unif(&seed) < 0.03 ? NAN : 1000 * (1 + unif(&seed));
		n++;
	}
	for (i = 0; i < LA_ROWS; i++)
		assert_true(rows[i].v[3] > 0);
}

/* Run the engine on rows[0..n); the output captured in *out (owned). */
static void
la_run(const struct la_row *rows, size_t n, struct cap *out)
{
	struct pp_err e = PP_ERR_INIT;
	struct fx f;
	size_t i;

	fx_open(&f, "symbol,date,open,high,low,close,volume", la_defs, NULL);
	for (i = 0; i < n; i++)
		if (push(&f, rows[i].sym, rows[i].date, rows[i].v, &e) == -1)
			fail_msg("%s", e.msg);
	assert_true(pp_feat_finish(f.feat, &e) >= 0);
	assert_int_equal(f.cap.n, n);
	*out = f.cap;
	f.cap.r = NULL;
	qsort(out->r, out->n, sizeof(*out->r), rec_cmp);
	fx_close(&f);
}

static const struct rec *
la_find(const struct cap *c, const char *sym, int64_t date)
{
	struct rec key;

	memset(&key, 0, sizeof(key));
	snprintf(key.sym, sizeof(key.sym), "%s", sym);
	key.date = date;
	return bsearch(&key, c->r, c->n, sizeof(*c->r), rec_cmp);
}

static int
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0 || (isnan(a) && isnan(b));
}

static void
test_lookahead(void **unused)
{
	static struct la_row rows[LA_ROWS], alt[LA_ROWS];
	struct cap full, part;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t nfeat, nout, i, j, trial, changed;

	(void)unused;
	la_frame(rows, seed);
	la_run(rows, LA_ROWS, &full);
	nout = full.r[0].nv;
	{
		struct fx f;

		fx_open(&f, "symbol,date,open,high,low,close,volume", la_defs,
		    NULL);
		nfeat = pp_plan_nfeatures(f.plan);
		fx_close(&f);
	}
	assert_int_equal(nfeat, 112);
	assert_int_equal(nout, 115);
	/* Every feature is a number somewhere (the frame exercises them). */
	for (j = 0; j < nfeat; j++) {
		for (i = 0; i < full.n && isnan(full.r[i].v[j]); i++)
			;
		if (i == full.n)
			fail_msg("feature %zu is never a number", j);
	}

	/* (a) Prefixes. */
	for (trial = 0; trial < 12; trial++) {
		size_t n = 1 + rnd(&seed) % (LA_ROWS - 1);

		la_run(rows, n, &part);
		for (i = 0; i < part.n; i++) {
			const struct rec *p = &part.r[i];
			const struct rec *q = la_find(&full, p->sym, p->date);

			assert_non_null(q);
			for (j = 0; j < nout; j++) {
				if (same_bits(p->v[j], q->v[j]))
					continue;
				if (j >= nfeat && isnan(p->v[j]))
					continue;	/* target cut short */
				fail_msg("prefix %zu: %s %ld output %zu: %.17g "
				    "vs %.17g", n, p->sym, (long)p->date, j,
				    p->v[j], q->v[j]);
			}
		}
		free(part.r);
	}

	/* (b) Altering one row. */
	for (trial = 0; trial < 12; trial++) {
		size_t at = rnd(&seed) % LA_ROWS;

		memcpy(alt, rows, sizeof(rows));
		for (j = 0; j < 5; j++)
			if (!isnan(alt[at].v[j]))
				alt[at].v[j] *= 1.05;
		la_run(alt, LA_ROWS, &part);
		changed = 0;
		for (i = 0; i < LA_ROWS; i++) {
			const struct rec *p = la_find(&part, rows[i].sym,
			    rows[i].date);
			const struct rec *q = la_find(&full, rows[i].sym,
			    rows[i].date);
			int before = i < at || strcmp(rows[i].sym,
			    rows[at].sym) != 0;

			for (j = 0; j < nfeat; j++) {
				if (same_bits(p->v[j], q->v[j]))
					continue;
				if (before)
					fail_msg("altering row %zu changed "
					    "output %zu of row %zu", at, j, i);
				if (i == at)
					changed++;
			}
		}
		assert_true(changed > 0);
		free(part.r);
	}
	free(full.r);
}

/* ---- cross-sections ---------------------------------------------------- */

static void
test_cross_table(void **unused)
{
	static const char *const defs[] = { "rk=cs_rank(x)", "z=cs_zscore(x)",
	    "dm=cs_demean(x)", "q=cs_quantile(x,3)", "rb=ref(B,x)",
	    "sr=sma(cs_rank(x),2)", "rr=cs_rank(ref(B,x)-x)", NULL };
	/* Three dates: ties on 100, A missing and D absent on 101, C alone
	 * on 102.  Input order within a date is not symbol order. */
	static const struct { const char *sym; int64_t d; double x; int out; }
	    in[] = {
		{ "C", 100, 3, 0 }, { "A", 100, 1, 0 }, { "D", 100, 2, 0 },
		{ "B", 100, 3, 0 }, { "B", 101, 5, 4 }, { "A", 101, NAN, 0 },
		{ "C", 101, 4, 0 }, { "C", 102, 7, 3 },
	};
	const double N = NAN, sd1 = sqrt(11.0 / 12), sd2 = sqrt(0.5);
	/* rk z dm q rb sr rr, by hand: date 100 sorted A1 D2 B3 C3, ranks
	 * 1 2 3.5 3.5 of 4, mean 2.25, variance 2.75/3; date 101 C4 B5 of
	 * 2, mean 4.5; date 102 one value: rank 1, no deviation.  rr ranks
	 * B's x minus x: 0 0 1 2 on 100 (C, B tie at 1.5 of 4). */
	static const struct { const char *sym; int64_t d; double v[7]; }
	    want[] = {
		{ "C", 100, { 0.875, 0.75 / sd1, 0.75, 3, 3, N, 0.375 } },
		{ "A", 100, { 0.25, -1.25 / sd1, -1.25, 1, 3, N, 1 } },
		{ "D", 100, { 0.5, -0.25 / sd1, -0.25, 1, 3, N, 0.75 } },
		{ "B", 100, { 0.875, 0.75 / sd1, 0.75, 3, 3, N, 0.375 } },
		{ "B", 101, { 1, 0.5 / sd2, 0.5, 3, 5, (0.875 + 1) / 2, 0.5 } },
		{ "A", 101, { N, N, N, N, 5, N, N } },
		{ "C", 101, { 0.5, -0.5 / sd2, -0.5, 1, 5, (0.875 + 0.5) / 2,
		    1 } },
		{ "C", 102, { 1, N, 0, 1, N, (0.5 + 1) / 2.0, N } },
	};
	struct pp_err e = PP_ERR_INIT;
	struct fx f;
	size_t i, j;

	(void)unused;
	fx_open(&f, "symbol,date,x", defs, NULL);
	for (i = 0; i < NELEM(in); i++)
		assert_int_equal(push(&f, in[i].sym, in[i].d, &in[i].x, &e),
		    in[i].out);
	assert_int_equal(pp_feat_finish(f.feat, &e), 1);
	assert_int_equal(f.cap.n, NELEM(want));
	for (i = 0; i < NELEM(want); i++) {
		const struct rec *r = &f.cap.r[i];

		/* Input order within each date. */
		assert_string_equal(r->sym, want[i].sym);
		assert_int_equal(r->date, want[i].d);
		for (j = 0; j < 7; j++)
			if (!(isnan(want[i].v[j]) ? isnan(r->v[j]) :
			    fabs(r->v[j] - want[i].v[j]) <= 1e-15))
				fail_msg("%s %ld output %zu: %.17g, want %.17g",
				    r->sym, (long)r->date, j, r->v[j],
				    want[i].v[j]);
	}
	fx_close(&f);
}

static void
test_cross_order(void **unused)
{
	static const char *const defs[] = { "rk=cs_rank(x)",
	    "s=sma(x,2)", NULL };
	struct pp_err e = PP_ERR_INIT;
	struct fx f, g;
	double v = 1;

	(void)unused;
	fx_open(&f, "symbol,date,x", defs, NULL);
	fx_open(&g, "symbol,date,x", defs, NULL);
	assert_int_equal(push(&f, "A", 100, &v, &e), 0);
	assert_int_equal(push(&f, "B", 102, &v, &e), 1);
	/* After A's last date, but before the date held. */
	assert_int_equal(push(&f, "A", 101, &v, &e), -1);
	assert_string_equal(e.msg, "date 1970-04-12 comes after 1970-04-13: "
	    "cs_rank, cs_zscore, cs_demean, cs_quantile and ref() need the "
	    "input in date order (pp sort --by date,symbol)");
	assert_int_equal(e.code, PP_EXIT_DATA);
	pp_err_clear(&e);
	/* A repeated symbol on a date is the per-symbol error. */
	assert_int_equal(push(&f, "B", 102, &v, &e), -1);
	assert_string_equal(e.msg, "symbol \"B\": date 1970-04-13 is not "
	    "after the previous 1970-04-13");
	pp_err_clear(&e);
	/* Nothing changed: the same as without the bad rows. */
	v = 3;
	assert_int_equal(push(&f, "A", 102, &v, &e), 0);
	assert_int_equal(pp_feat_finish(f.feat, &e), 2);
	v = 1;
	assert_int_equal(push(&g, "A", 100, &v, &e), 0);
	assert_int_equal(push(&g, "B", 102, &v, &e), 1);
	v = 3;
	assert_int_equal(push(&g, "A", 102, &v, &e), 0);
	assert_int_equal(pp_feat_finish(g.feat, &e), 2);
	assert_same_recs(&f.cap, &g.cap);
	fx_close(&f);
	fx_close(&g);

	/* No date column. */
	{
		struct pp_schema in;
		struct pp_spec *sp = pp_spec_new();
		struct pp_plan *p;

		pp_schema_init(&in);
		assert_int_equal(pp_schema_add(&in, "symbol", PP_T_TEXT, &e),
		    0);
		assert_int_equal(pp_schema_add(&in, "x", PP_T_F64, &e), 0);
		assert_int_equal(pp_spec_add(sp, 0, "a=ref(SPY,x)", "-f", 1,
		    &e), 0);
		assert_non_null(p = pp_plan_compile(sp, &in, &e));
		assert_int_equal(pp_plan_stages(p), 2);
		assert_null(pp_feat_new(p, &in, NULL, capture, NULL, &e));
		assert_string_equal(e.msg, "cs_rank, cs_zscore, cs_demean, "
		    "cs_quantile and ref() work per date: the input has no "
		    "column \"date\"");
		pp_plan_free(p);
		pp_spec_free(sp);
		pp_schema_release(&in);
	}
}

static const char *const xs_defs[] = {
	"r=logret(close,1)", "cr=cs_rank(r)", "cz=cs_zscore(close)",
	"cd=cs_demean(r)", "cq=cs_quantile(volume,3)", "rf=ref(S0,r)",
	"rb=r-ref(S0,sma(r,3))", "sm=sma(cs_rank(r),3)",
	"cc=cs_rank(ref(S1,close)/close+cs_zscore(r))", "t:y=lead(cr,2)",
	NULL
};

#define XS_DAYS 40

/* A date-ordered frame: each date, each symbol present with chance 0.85,
 * in random order.  Returns the number of rows. */
static size_t
xs_frame(struct la_row *rows, uint64_t seed)
{
	double px[LA_SYMS];
	int d, k, order[LA_SYMS];
	size_t n = 0;

	for (k = 0; k < LA_SYMS; k++)
		px[k] = 10 + 20 * k;
	for (d = 0; d < XS_DAYS; d++) {
		for (k = 0; k < LA_SYMS; k++)
			order[k] = k;
		for (k = LA_SYMS - 1; k > 0; k--) {
			int j = (int)(rnd(&seed) % (uint64_t)(k + 1)), t;

			t = order[k];
			order[k] = order[j];
			order[j] = t;
		}
		for (k = 0; k < LA_SYMS; k++) {
			struct la_row *r = &rows[n];
			int s = order[k];

			if (unif(&seed) > 0.85)
				continue;
			snprintf(r->sym, sizeof(r->sym), "S%d", s);
			r->date = 18000 + d;
			px[s] *= exp(0.03 * (unif(&seed) - 0.5));
			r->v[0] = r->v[1] = r->v[2] = r->v[3] = px[s];
			/* Ties in volume: cs_quantile's buckets share. */
			r->v[4] = (double)(1 + rnd(&seed) % 4);
			n++;
		}
	}
	return n;
}

static void
xs_run(const struct la_row *rows, size_t n, struct cap *out)
{
	struct pp_err e = PP_ERR_INIT;
	struct fx f;
	size_t i;

	fx_open(&f, "symbol,date,open,high,low,close,volume", xs_defs, NULL);
	for (i = 0; i < n; i++)
		if (push(&f, rows[i].sym, rows[i].date, rows[i].v, &e) == -1)
			fail_msg("%s", e.msg);
	assert_true(pp_feat_finish(f.feat, &e) >= 0);
	assert_int_equal(f.cap.n, n);
	*out = f.cap;
	f.cap.r = NULL;
	qsort(out->r, out->n, sizeof(*out->r), rec_cmp);
	fx_close(&f);
}

static void
test_cross_lookahead(void **unused)
{
	static struct la_row rows[LA_SYMS * XS_DAYS], alt[LA_SYMS * XS_DAYS];
	struct cap full, part;
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	const size_t nfeat = 9;
	size_t n, i, j, trial, changed, cut;

	(void)unused;
	n = xs_frame(rows, seed);
	xs_run(rows, n, &full);
	for (j = 0; j < nfeat; j++) {
		for (i = 0; i < full.n && isnan(full.r[i].v[j]); i++)
			;
		if (i == full.n)
			fail_msg("feature %zu is never a number", j);
	}
	/* (a) Prefixes ending at a date. */
	for (trial = 0; trial < 10; trial++) {
		int64_t d = 18000 + 1 + (int64_t)(rnd(&seed) % (XS_DAYS - 1));

		for (cut = 0; cut < n && rows[cut].date < d; cut++)
			;
		xs_run(rows, cut, &part);
		for (i = 0; i < part.n; i++) {
			const struct rec *p = &part.r[i];
			const struct rec *q = la_find(&full, p->sym, p->date);

			for (j = 0; j < p->nv; j++)
				if (!same_bits(p->v[j], q->v[j]) &&
				    !(j >= nfeat && isnan(p->v[j])))
					fail_msg("prefix to %ld: %s %ld output "
					    "%zu: %.17g vs %.17g", (long)d,
					    p->sym, (long)p->date, j, p->v[j],
					    q->v[j]);
		}
		free(part.r);
	}
	/* (b) Altering one row: S0's (read by ref) every other trial. */
	for (trial = 0; trial < 12; trial++) {
		size_t at;

		do
			at = rnd(&seed) % n;
		while (trial % 2 == 0 && strcmp(rows[at].sym, "S0") != 0);
		memcpy(alt, rows, n * sizeof(*rows));
		for (j = 0; j < 4; j++)
			alt[at].v[j] *= 1.05;
		xs_run(alt, n, &part);
		changed = 0;
		for (i = 0; i < n; i++) {
			const struct rec *p = la_find(&part, rows[i].sym,
			    rows[i].date);
			const struct rec *q = la_find(&full, rows[i].sym,
			    rows[i].date);

			for (j = 0; j < nfeat; j++) {
				if (same_bits(p->v[j], q->v[j]))
					continue;
				if (rows[i].date < rows[at].date)
					fail_msg("altering row %zu (%s) "
					    "changed output %zu of %s %ld",
					    at, rows[at].sym, j, rows[i].sym,
					    (long)rows[i].date);
				if (i == at)
					changed++;
			}
		}
		assert_true(changed > 0);
		free(part.r);
	}
	free(full.r);
}

/* The cross-sections computed again from scratch, O(m^2) a date: rank as
 * count below + (count equal + 1) / 2, deviations from a plain mean. */
static void
test_cross_oracle(void **unused)
{
	static const char *const defs[] = { "rk=cs_rank(volume)",
	    "z=cs_zscore(close)", "dm=cs_demean(close)",
	    "q=cs_quantile(volume,3)", "rf=ref(S2,close)", NULL };
	static struct la_row rows[LA_SYMS * XS_DAYS];
	struct pp_err e = PP_ERR_INIT;
	struct fx f;
	size_t n, i, j, a, b;

	(void)unused;
	n = xs_frame(rows, 0x5851f42d4c957f2dULL);
	fx_open(&f, "symbol,date,open,high,low,close,volume", defs, NULL);
	for (i = 0; i < n; i++)
		assert_true(push(&f, rows[i].sym, rows[i].date, rows[i].v,
		    &e) >= 0);
	assert_true(pp_feat_finish(f.feat, &e) >= 0);
	assert_int_equal(f.cap.n, n);
	for (a = 0; a < n; a = b) {
		double sum = 0, ss = 0, mean, sd, ref = NAN;
		size_t m;

		for (b = a; b < n && rows[b].date == rows[a].date; b++) {
			sum += rows[b].v[3];
			if (strcmp(rows[b].sym, "S2") == 0)
				ref = rows[b].v[3];
		}
		m = b - a;
		mean = sum / (double)m;
		for (i = a; i < b; i++)
			ss += (rows[i].v[3] - mean) * (rows[i].v[3] - mean);
		sd = sqrt(ss / (double)(m - 1));
		for (i = a; i < b; i++) {
			const struct rec *r = &f.cap.r[i];
			double below = 0, equal = 0, rank, want[5];

			for (j = a; j < b; j++) {
				below += rows[j].v[4] < rows[i].v[4];
				equal += rows[j].v[4] == rows[i].v[4];
			}
			rank = below + (equal + 1) / 2;
			want[0] = rank / (double)m;
			want[1] = m > 1 ? (rows[i].v[3] - mean) / sd : NAN;
			want[2] = rows[i].v[3] - mean;
			want[3] = m < 2 ? 1 : fmax(1, ceil(3 * (rank - 1) /
			    (double)(m - 1)));
			want[4] = ref;
			assert_string_equal(r->sym, rows[i].sym);
			for (j = 0; j < 5; j++)
				if (!(isnan(want[j]) ? isnan(r->v[j]) :
				    fabs(r->v[j] - want[j]) <= 1e-12 *
				    fmax(1, fabs(want[j]))))
					fail_msg("%s %ld output %zu: %.17g, "
					    "oracle %.17g", r->sym,
					    (long)r->date, j, r->v[j], want[j]);
		}
	}
	fx_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_date_order),
		cmocka_unit_test(test_lead_delay),
		cmocka_unit_test(test_dropna_and_emit_error),
		cmocka_unit_test(test_lookahead),
		cmocka_unit_test(test_cross_table),
		cmocka_unit_test(test_cross_order),
		cmocka_unit_test(test_cross_lookahead),
		cmocka_unit_test(test_cross_oracle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
