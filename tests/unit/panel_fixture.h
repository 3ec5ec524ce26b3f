/*
 * panel_fixture.h - a small panel for the cross-sectional unit tests:
 * 8 dates, symbols A..D, date 2 with one symbol only and date 5 without
 * D.  The expected values in test_backtest.c and test_factor.c were
 * computed from it by /usr/bin/python3 with pandas, numpy and scipy
 * 1.10, each definition of man/pp-eval.1 written out independently.
 */
#ifndef PP_PANEL_FIXTURE_H
#define PP_PANEL_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "util.h"

static const struct {
	int date;
	const char *sym;
	double pred, ret;
} fixture_rows[] = {
	{ 0, "A", 2.041, -0.0511 },
	{ 0, "B", 0.418, -0.0114 },
	{ 0, "C", -0.453, -0.0043 },
	{ 0, "D", -2.02, -0.0046 },
	{ 1, "A", -0.865, 0.0665 },
	{ 1, "B", 0.226, -0.0071 },
	{ 1, "C", -0.281, -0.0134 },
	{ 1, "D", -1.055, -0.0078 },
	{ 2, "A", 0.482, -0.0048 },
	{ 3, "A", 0.958, -0.004 },
	{ 3, "B", 0.024, 0.0309 },
	{ 3, "C", 0.545, -0.0101 },
	{ 3, "D", -0.183, 0.0108 },
	{ 4, "A", 1.935, -0.0054 },
	{ 4, "B", -0.244, 0.02 },
	{ 4, "C", -0.886, -0.0058 },
	{ 4, "D", 0.883, 0.0116 },
	{ 5, "A", 0.092, 0.0134 },
	{ 5, "B", -2.828, 0.0204 },
	{ 5, "C", -0.96, -0.0334 },
	{ 6, "A", 0.276, 0.014 },
	{ 6, "B", -0.445, -0.0215 },
	{ 6, "C", 0.026, -0.0011 },
	{ 6, "D", 1.406, 0.0149 },
	{ 7, "A", 0.194, 0.0222 },
	{ 7, "B", -0.206, -0.0185 },
	{ 7, "C", 0.584, 0.0117 },
	{ 7, "D", -0.215, -0.0157 },
};

/* The fixture as a panel (rows already by date, then symbol). */
static inline void
fixture_panel(struct pp_panel *p)
{
	static const char *const names[] = { "A", "B", "C", "D" };
	size_t n = sizeof(fixture_rows) / sizeof(fixture_rows[0]), i, nd = 0;

	memset(p, 0, sizeof(*p));
	p->n = n;
	p->nret = 1;
	p->date = pp_xcalloc(n, sizeof(int64_t));
	p->sym = pp_xcalloc(n, sizeof(uint32_t));
	p->pred = pp_xcalloc(n, sizeof(double));
	p->ret = pp_xcalloc(n, sizeof(double));
	p->dstart = pp_xcalloc(n + 1, sizeof(size_t));
	p->nsym = 4;
	p->syms = pp_xcalloc(4, sizeof(char *));
	for (i = 0; i < 4; i++)
		p->syms[i] = pp_xstrdup(names[i]);
	for (i = 0; i < n; i++) {
		p->date[i] = fixture_rows[i].date;
		p->sym[i] = (uint32_t)(fixture_rows[i].sym[0] - 'A');
		p->pred[i] = fixture_rows[i].pred;
		p->ret[i] = fixture_rows[i].ret;
		if (i == 0 || p->date[i] != p->date[i - 1])
			p->dstart[nd++] = i;
	}
	p->dstart[nd] = n;
	p->ndates = nd;
}

#endif
