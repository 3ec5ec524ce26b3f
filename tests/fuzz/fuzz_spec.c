/*
 * fuzz_spec.c - a libFuzzer target for the feature-spec language
 * (lib/expr.c): a spec file (pp-features -F, a model's or a frame's
 * pp.spec).  `make check` replays tests/fuzz/corpus/spec through it;
 * `make fuzz` runs it FUZZ_TIME seconds under libFuzzer, ASan and UBSan.
 *
 * Each input is read as a spec file and compiled against a price frame
 * (symbol, date, open, high, low, close, volume, and columns x and y).
 * Beyond "no crash, no leak, no undefined behaviour", it checks:
 *   - an error names the input and a place: it starts "spec:LINE:COL: "
 *     (but "no features" for a spec of comments and blank lines);
 *   - a spec that compiles prints (pp_spec_print) as text that reads back
 *     and compiles, and printing that gives the same text: the canonical
 *     spec is a fixed point;
 *   - both plans, run over the same 40 rows of two symbols, give
 *     bit-identical features and targets.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "expr.h"
#include "feat.h"
#include "frame.h"
#include "banned.h"

#define NROWS 40
#define MAXOUT 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pp_schema schema;
static union pp_cell rows[NROWS][9];

static void
setup(void)
{
	static const char *const names[] = { "symbol", "date", "open", "high",
		"low", "close", "volume", "x", "y" };
	struct pp_err e = PP_ERR_INIT;
	size_t i;
	int r;

	if (schema.ncols > 0)
		return;
	for (i = 0; i < 9; i++)
		(void)pp_schema_add(&schema, names[i], i == 0 ? PP_T_TEXT :
		    i == 1 ? PP_T_DATE : PP_T_F64, &e);
	for (r = 0; r < NROWS; r++) {
		double t = r / 2, c = 100 + 5 * sin(t / 3) + (r % 2) * 40;

		rows[r][0].s.p = r % 2 ? "BBB" : "AAA";
		rows[r][0].s.len = 3;
		rows[r][1].i = 18000 + r / 2;
		rows[r][2].f = c - cos(t);
		rows[r][3].f = c + 2;
		rows[r][4].f = c - 2;
		rows[r][5].f = r == 13 ? NAN : c;
		rows[r][6].f = r == 20 ? 0 : 1000 + 100 * (r % 7);
		rows[r][7].f = r % 5 - 2;
		rows[r][8].f = r == 9 ? INFINITY : t * t;
	}
}

static void
check_err(const struct pp_err *e, const char *what)
{
	if (strncmp(e->msg, "spec:", 5) != 0) {
		fprintf(stderr, "%s: message does not name the input: %s\n",
		    what, e->msg);
		abort();
	}
}

struct out {
	double *v;
	size_t n, nout;
	int bad;		/* the row that failed, or -1 */
};

static int
collect(void *ctx, const union pp_cell *row, struct pp_err *err)
{
	struct out *o = ctx;

	(void)err;
	memcpy(o->v + o->n * o->nout, row + schema.ncols,
	    o->nout * sizeof(double));
	o->n++;
	return 0;
}

static void
run(const struct pp_plan *p, struct out *o)
{
	struct pp_feat_opts fo = PP_FEAT_OPTS_INIT;
	struct pp_err e = PP_ERR_INIT;
	struct pp_feat *f;
	int r;

	o->nout = pp_plan_nout(p);
	o->n = 0;
	o->v = calloc(NROWS * o->nout + 1, sizeof(double));
	if ((f = pp_feat_new(p, &schema, &fo, collect, o, &e)) == NULL) {
		fprintf(stderr, "pp_feat_new: %s\n", e.msg);
		abort();
	}
	/* A text column used as a number ("symbol") fails a row: then
	 * both plans must fail there. */
	o->bad = -1;
	for (r = 0; r < NROWS && o->bad < 0; r++)
		if (pp_feat_push(f, rows[r], &e) < 0)
			o->bad = r;
	if (o->bad < 0)
		(void)pp_feat_finish(f, &e);
	pp_feat_free(f);
}

static struct pp_plan *
compile(const char *text, size_t len, struct pp_spec **sp, int must)
{
	struct pp_spec *s = pp_spec_new();
	struct pp_err e = PP_ERR_INIT;
	struct pp_plan *p = NULL;

	if (pp_spec_add_file(s, text, len, "spec", &e) == 0)
		p = pp_plan_compile(s, &schema, &e);
	if (p == NULL) {
		if (must) {
			fprintf(stderr, "canonical spec does not read back: "
			    "%s\n---\n%.*s\n", e.msg, (int)len, text);
			abort();
		}
		/* A spec of comments only is no place in a file. */
		if (pp_spec_count(s) > 0 || strncmp(e.msg, "no features", 11))
			check_err(&e, "spec");
		pp_spec_free(s);
		s = NULL;
	}
	*sp = s;
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_buf t1 = PP_BUF_INIT, t2 = PP_BUF_INIT;
	struct pp_spec *s1, *s2;
	struct pp_plan *p1, *p2;
	struct out o1, o2;

	setup();
	if ((p1 = compile((const char *)data, size, &s1, 0)) == NULL)
		return 0;
	pp_spec_print(s1, 1, &t1);
	p2 = compile(t1.data, t1.len, &s2, 1);
	pp_spec_print(s2, 1, &t2);
	if (strcmp(t1.data, t2.data) != 0) {
		fprintf(stderr, "canonical spec is not a fixed point:\n%s---\n"
		    "%s", t1.data, t2.data);
		abort();
	}
	/* Huge windows only cost time here: the values are what matters. */
	if (pp_plan_nout(p1) <= MAXOUT && pp_plan_state_size(p1) < (1 << 20)) {
		run(p1, &o1);
		run(p2, &o2);
		if (o1.n != o2.n || o1.nout != o2.nout || o1.bad != o2.bad ||
		    memcmp(o1.v, o2.v, o1.n * o1.nout * sizeof(double)) != 0) {
			fprintf(stderr, "features differ after printing as:\n"
			    "%s", t1.data);
			abort();
		}
		free(o1.v);
		free(o2.v);
	}
	pp_plan_free(p1);
	pp_plan_free(p2);
	pp_spec_free(s1);
	pp_spec_free(s2);
	pp_buf_release(&t1);
	pp_buf_release(&t2);
	return 0;
}
