/*
 * test_cpus.c - the processors a process may use (lib/cpus.h).
 *
 * Plan: cgroup v2 cpu.max lines as read from the file (no limit, a whole
 * quota, a fraction rounded up, junk read as no limit); and the count the
 * process gets is at least 1 and no more than its affinity mask, which a
 * test narrows to one processor and widens back.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cpus.h"
#include "util.h"

static const struct {
	const char *line;
	int want;
} cpu_max_cases[] = {
	{ "max 100000\n", -1 },
	{ "max 100000", -1 },
	{ "200000 100000\n", 2 },
	{ "150000 100000\n", 2 },
	{ "50000 100000\n", 1 },
	{ "1 100000\n", 1 },
	{ "100000 100000", 1 },
	{ "", -1 },
	{ "\n", -1 },
	{ "200000\n", -1 },
	{ "x 100000\n", -1 },
	{ "200000 0\n", -1 },
	{ "-200000 100000\n", -1 },
	{ "200000 y\n", -1 },
	{ "999999999999999 1\n", 4096 },
};

static void
test_cpu_max_lines(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < PP_ARRAY_SIZE(cpu_max_cases); i++) {
		int got = pp_cpus_from_cpu_max(cpu_max_cases[i].line);

		if (got != cpu_max_cases[i].want)
			fail_msg("\"%s\": got %d, want %d",
			    cpu_max_cases[i].line, got, cpu_max_cases[i].want);
	}
}

static void
test_available_follows_the_affinity_mask(void **state)
{
	cpu_set_t all, one;
	int n;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	n = pp_cpus_available();
	assert_true(n >= 1);
	assert_true(n <= CPU_COUNT(&all));
	CPU_ZERO(&one);
	for (n = 0; n < CPU_SETSIZE && !CPU_ISSET(n, &all); n++)
		;
	CPU_SET(n, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	n = pp_cpus_available();
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
	assert_int_equal(n, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_max_lines),
		cmocka_unit_test(test_available_follows_the_affinity_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
