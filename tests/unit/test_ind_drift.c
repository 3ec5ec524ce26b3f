/*
 * test_ind_drift.c - running sums do not drift (issue 4): over 10 million
 * rows of a random walk near 1e4, rolling means, deviations and
 * co-moments agree with a from-scratch two-pass computation of the same
 * window to 1e-9 relative.
 *
 * Plan: stream sma, wma, stddev (sample), var (population), corr and beta
 * over one long series x = 1e4 + random walk + noise (and y, a noisy
 * function of x); keep the last N values in a ring here; every 9973 rows
 * and on the final rows, recompute each window from scratch and compare.
 * PP_DRIFT_ROWS overrides the row count (sanitizer builds default to 1
 * million, the plain build must run the full 10 million).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "indicators.h"
#include "util.h"
#include "banned.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define N 20			/* window of every function */
#define TOL 1e-9

static uint64_t rng_state = 42;

static double
urand(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

static long
rows_to_run(void)
{
	const char *s = getenv("PP_DRIFT_ROWS");
	char *end;
	long n;

	/* lib/num's pp_parse_long is not on main yet: strtol, checked */
	if (s && *s) {
		n = strtol(s, &end, 10);
		if (*end == '\0' && n >= 1000 && n <= 100000000)
			return n;
	}
	return SANITIZED ? 1000000 : 10000000;
}

enum { F_SMA, F_WMA, F_SD, F_VAR, F_CORR, F_BETA, NF };

static const struct {
	const char *name;
	double p[2];
} fns[NF] = {
	{ "sma", { N } }, { "wma", { N } }, { "stddev", { N, 1 } },
	{ "var", { N, 0 } }, { "corr", { N } }, { "beta", { N } },
};

/* From-scratch values over the window wx, wy (oldest first). */
static void
reference(const double *wx, const double *wy, double *want)
{
	double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0, wsum = 0;
	int i;

	for (i = 0; i < N; i++) {
		mx += wx[i] / N;
		my += wy[i] / N;
		wsum += (i + 1) * wx[i];
	}
	for (i = 0; i < N; i++) {
		sxx += (wx[i] - mx) * (wx[i] - mx);
		syy += (wy[i] - my) * (wy[i] - my);
		sxy += (wx[i] - mx) * (wy[i] - my);
	}
	want[F_SMA] = mx;
	want[F_WMA] = wsum / (N * (N + 1) / 2.0);
	want[F_SD] = sqrt(sxx / (N - 1));
	want[F_VAR] = sxx / N;
	want[F_CORR] = sxy / sqrt(sxx * syy);
	want[F_BETA] = sxy / sxx;
}

static void
test_no_drift(void **unused)
{
	const struct pp_ind_def *d[NF];
	void *st[NF];
	double ring[2][N], wx[N], wy[N], want[NF], in[2], out[3];
	double walk = 0, worst = 0;
	long rows = rows_to_run(), t, checks = 0;
	int f, i;

	(void)unused;
	for (f = 0; f < NF; f++) {
		struct pp_err err = PP_ERR_INIT;

		d[f] = pp_ind_find(fns[f].name);
		st[f] = pp_xmalloc(d[f]->state_size(fns[f].p));
		assert_int_equal(d[f]->init(st[f], fns[f].p, &err), 0);
	}
	for (t = 0; t < rows; t++) {
		walk += urand() * 2 - 1;
		in[0] = 1e4 + walk + (urand() - 0.5) * 0.1;
		in[1] = 0.5 * in[0] + urand();
		ring[0][t % N] = in[0];
		ring[1][t % N] = in[1];
		for (f = 0; f < NF; f++) {
			d[f]->step(st[f], in, out);
			want[f] = out[0];	/* got, for now */
		}
		if (t < N - 1 || (t % 9973 != 0 && t < rows - 3))
			continue;
		for (i = 0; i < N; i++) {
			wx[i] = ring[0][(t + 1 + i) % N];
			wy[i] = ring[1][(t + 1 + i) % N];
		}
		{
			double got[NF];

			memcpy(got, want, sizeof(got));
			reference(wx, wy, want);
			for (f = 0; f < NF; f++) {
				double rel = fabs(got[f] - want[f]) /
				    fabs(want[f]);

				if (rel > worst)
					worst = rel;
				if (!(rel <= TOL))
					fail_msg("%s at row %ld: want %.17g, "
					    "got %.17g (relative %.3g)",
					    fns[f].name, t, want[f], got[f],
					    rel);
			}
		}
		checks++;
	}
	print_message("%ld rows, %ld windows checked, worst relative "
	    "error %.3g\n", rows, checks, worst);
	for (f = 0; f < NF; f++)
		free(st[f]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_drift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
