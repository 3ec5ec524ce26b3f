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
 *
 * Across magnitudes (issue 16): a series whose scale jumps between 1e-300
 * and 1e300 (runs at one scale, lone spikes), every window checked
 * against the naive two-pass computation wherever that is finite.  Before
 * the early recomputation, closes 1e10, 1, 2, 3 gave var(x, 2) = 0.
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

/*
 * Naive two-pass mean, variance (population), covariance over w rows of
 * x and y; the mean as a sum of x / w terms so that it stays finite.
 */
static void
naive(const double *x, const double *y, int w, double *mx, double *vx,
    double *vy, double *cxy)
{
	double my = 0;
	int i;

	*mx = 0;
	for (i = 0; i < w; i++) {
		*mx += x[i] / w;
		my += y[i] / w;
	}
	*vx = *vy = *cxy = 0;
	for (i = 0; i < w; i++) {
		*vx += (x[i] - *mx) * (x[i] - *mx);
		*vy += (y[i] - my) * (y[i] - my);
		*cxy += (x[i] - *mx) * (y[i] - my);
	}
	*vx /= w;
	*vy /= w;
	*cxy /= w;
}

/* A value of scale 10^e: sign, mantissa in [1, 10). */
static double
at_scale(int e)
{
	double m = 1 + 9 * urand();

	return (urand() < 0.2 ? -m : m) * pow(10, e);
}

static void
check_close(const char *what, long t, int w, double got, double want,
    double scale)
{
	if (!isfinite(want) || !isfinite(scale))
		return;
	if (!(fabs(got - want) <= 1e-9 * scale))
		fail_msg("%s(x, %d) at row %ld: want %.17g, got %.17g", what,
		    w, t, want, got);
}

static void
test_exact_across_magnitudes(void **unused)
{
	static const int wins[] = { 2, 3, 5, 20 };
	enum { NW = 4, ROWS = 20000, WMAX = 20 };
	const struct pp_ind_def *dsma = pp_ind_find("sma");
	const struct pp_ind_def *dwma = pp_ind_find("wma");
	const struct pp_ind_def *dvar = pp_ind_find("var");
	const struct pp_ind_def *dz = pp_ind_find("zscore");
	const struct pp_ind_def *dcorr = pp_ind_find("corr");
	void *st[NW][5];
	double *xs = pp_xmalloc(ROWS * sizeof(double));
	double *ys = pp_xmalloc(ROWS * sizeof(double));
	long t, left = 0, nvar = 0, ncorr = 0;
	int k, e = 0;

	(void)unused;
	rng_state = 7;
	for (k = 0; k < NW; k++) {
		struct pp_err err = PP_ERR_INIT;
		double p[2] = { wins[k], 0 };

		st[k][0] = pp_xmalloc(dsma->state_size(p));
		st[k][1] = pp_xmalloc(dvar->state_size(p));
		st[k][2] = pp_xmalloc(dz->state_size(p));
		st[k][3] = pp_xmalloc(dcorr->state_size(p));
		st[k][4] = pp_xmalloc(dwma->state_size(p));
		assert_int_equal(dsma->init(st[k][0], p, &err), 0);
		assert_int_equal(dvar->init(st[k][1], p, &err), 0);
		assert_int_equal(dz->init(st[k][2], p, &err), 0);
		assert_int_equal(dcorr->init(st[k][3], p, &err), 0);
		assert_int_equal(dwma->init(st[k][4], p, &err), 0);
	}
	for (t = 0; t < ROWS; t++) {
		/* Runs of 1 to 3 windows at one scale; 1 row in 50 a spike
		 * at another. */
		if (left-- <= 0) {
			e = (int)(urand() * 601) - 300;
			left = 1 + (long)(urand() * 3 * WMAX);
		}
		xs[t] = at_scale(urand() < 0.02 ?
		    (int)(urand() * 601) - 300 : e);
		ys[t] = xs[t] * (0.5 + urand()) + at_scale(e);
		for (k = 0; k < NW; k++) {
			int w = wins[k];
			double in[2] = { xs[t], ys[t] }, got[5], mx, vx, vy, c;
			double sc = 0, scy = 0, wm = 0;
			int i;

			dsma->step(st[k][0], in, &got[0]);
			dvar->step(st[k][1], in, &got[1]);
			dz->step(st[k][2], in, &got[2]);
			dcorr->step(st[k][3], in, &got[3]);
			dwma->step(st[k][4], in, &got[4]);
			if (t < w - 1)
				continue;
			naive(xs + t - w + 1, ys + t - w + 1, w, &mx, &vx,
			    &vy, &c);
			for (i = 0; i < w; i++) {
				sc += fabs(xs[t - w + 1 + i]) / w;
				scy += fabs(ys[t - w + 1 + i]) / w;
				wm += (i + 1) * (xs[t - w + 1 + i] /
				    (w * (w + 1) / 2.0));
			}
			check_close("sma", t, w, got[0], mx, sc);
			check_close("wma", t, w, got[4], wm, sc);
			/* Second moments only where the squares are normal
			 * numbers (subnormals keep a few bits, naive or not),
			 * zscore and corr only where a spread far above the
			 * values' last digits makes them well defined. */
			if (!(vx > 0x1p-960 && vy > 0x1p-960))
				continue;
			check_close("var", t, w, got[1], vx, vx);
			nvar++;
			if (sqrt(vx) > 1e-6 * sc && isfinite(vx))
				check_close("zscore", t, w, got[2],
				    (xs[t] - mx) / sqrt(vx), 1);
			if (sqrt(vx) > 1e-6 * sc && sqrt(vy) > 1e-6 * scy &&
			    isfinite(vx) && isfinite(vy)) {
				check_close("corr", t, w, got[3],
				    c / (sqrt(vx) * sqrt(vy)), 1);
				ncorr++;
			}
		}
	}
	print_message("%ld var and %ld corr windows checked\n", nvar, ncorr);
	assert_true(nvar > ROWS && ncorr > ROWS);
	for (k = 0; k < NW; k++) {
		free(st[k][0]);
		free(st[k][1]);
		free(st[k][2]);
		free(st[k][3]);
		free(st[k][4]);
	}
	free(xs);
	free(ys);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_drift),
		cmocka_unit_test(test_exact_across_magnitudes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
