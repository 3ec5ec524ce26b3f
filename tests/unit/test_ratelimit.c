/*
 * test_ratelimit.c - token buckets (lib/ratelimit.c) and --rate values.
 *
 * Plan:
 *  - a new key starts with burst tokens; the next take is refused with
 *    the wait until one token is back; refill is rate * elapsed, capped
 *    at burst; keys are independent; a clock going backwards adds nothing.
 *  - over a simulated minute at 30/min with burst 1, exactly 30 requests
 *    of a client asking 10 times a second pass.
 *  - the table stays bounded: full buckets are dropped when it fills, and
 *    a key is refused (not admitted) when no bucket can be dropped.
 *  - --rate parsing: N/s, N/min, N/h; bad values refused.
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

#include "ratelimit.h"

static void
test_bucket(void **state)
{
	struct pp_ratelimit *rl = pp_ratelimit_new(2, 3);
	double ra = -1;

	(void)state;
	assert_int_equal(pp_ratelimit_take(rl, "a", 100, &ra), 1);
	assert_int_equal(pp_ratelimit_take(rl, "a", 100, &ra), 1);
	assert_int_equal(pp_ratelimit_take(rl, "a", 100, &ra), 1);
	assert_int_equal(pp_ratelimit_take(rl, "a", 100, &ra), 0);
	assert_true(fabs(ra - 0.5) < 1e-12);
	assert_int_equal(pp_ratelimit_take(rl, "b", 100, &ra), 1);
	assert_int_equal(pp_ratelimit_take(rl, "a", 100.25, &ra), 0);
	assert_true(fabs(ra - 0.25) < 1e-12);
	assert_int_equal(pp_ratelimit_take(rl, "a", 100.5, &ra), 1);
	assert_int_equal(pp_ratelimit_take(rl, "a", 99, &ra), 0);
	/* Refill is capped at burst, however long the key was idle. */
	assert_int_equal(pp_ratelimit_take(rl, "a", 1e6, &ra), 1);
	assert_int_equal(pp_ratelimit_take(rl, "a", 1e6, &ra), 1);
	assert_int_equal(pp_ratelimit_take(rl, "a", 1e6, &ra), 1);
	assert_int_equal(pp_ratelimit_take(rl, "a", 1e6, &ra), 0);
	assert_int_equal(pp_ratelimit_size(rl), 2);
	pp_ratelimit_free(rl);
	pp_ratelimit_free(NULL);
}

static void
test_minute(void **state)
{
	struct pp_ratelimit *rl = pp_ratelimit_new(30.0 / 60, 1);
	double ra;
	int i, passed = 0;

	(void)state;
	for (i = 0; i < 600; i++)
		passed += pp_ratelimit_take(rl, "k", i * 0.1, &ra);
	assert_int_equal(passed, 30);
	pp_ratelimit_free(rl);
}

static void
test_bounded(void **state)
{
	struct pp_ratelimit *rl = pp_ratelimit_new(1, 2);
	char key[32];
	double ra;
	int i;

	(void)state;
	for (i = 0; i < PP_RATELIMIT_MAX_KEYS; i++) {
		snprintf(key, sizeof(key), "10.0.%d.%d", i / 256, i % 256);
		assert_int_equal(pp_ratelimit_take(rl, key, 0, &ra), 1);
	}
	assert_int_equal(pp_ratelimit_size(rl), PP_RATELIMIT_MAX_KEYS);
	/* Every bucket is half empty: nothing can go, the newcomer waits. */
	assert_int_equal(pp_ratelimit_take(rl, "new", 0, &ra), 0);
	assert_true(ra > 0);
	/* A second later they are full again and make room. */
	assert_int_equal(pp_ratelimit_take(rl, "new", 1, &ra), 1);
	assert_int_equal(pp_ratelimit_size(rl), 1);
	pp_ratelimit_free(rl);
}

static void
test_parse(void **state)
{
	static const struct {
		const char *s;
		int rc;
		double rate;
	} rows[] = {
		{ "30/min", 0, 0.5 }, { "10/s", 0, 10 }, { "7200/h", 0, 2 },
		{ "0.5/s", 0, 0.5 }, { "0/s", -1, 0 }, { "-1/s", -1, 0 },
		{ "10", -1, 0 }, { "10/d", -1, 0 }, { "/s", -1, 0 },
		{ "x/s", -1, 0 }, { "inf/s", -1, 0 }, { "nan/s", -1, 0 },
		{ "10/s ", -1, 0 }, { "", -1, 0 },
	};
	size_t i;
	double r;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = -1;
		assert_int_equal(pp_ratelimit_parse(rows[i].s, &r), rows[i].rc);
		if (rows[i].rc == 0)
			assert_true(fabs(r - rows[i].rate) < 1e-12);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_minute),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
