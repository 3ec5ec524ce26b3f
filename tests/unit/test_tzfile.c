/*
 * test_tzfile.c - naive local times to UTC (pp-fetch --tz).
 *
 * Plan: fixed specs (UTC, Z, +HH, -HHMM, +HH:MM) and their refusals; a
 * zoneinfo zone (America/New_York from the system's tzdata) in winter,
 * in summer, on both sides of each change, and inside the spring gap
 * and the autumn overlap (the offset before the change); a zone with no
 * daylight saving (Asia/Kolkata); names that leave the zoneinfo
 * directory, missing zones and files that are not TZif.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "tzfile.h"
#include "banned.h"

/* local (ISO, naive) in zone spec, as a UTC ISO string. */
static void
check(const char *spec, const char *local, const char *want)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_tz *tz = pp_tz_load(spec, &err);
	char b[PP_DATE_BUFSZ];
	int64_t us;

	if (tz == NULL)
		fail_msg("%s: %s", spec, err.msg);
	assert_int_equal(pp_datetime_parse(local, strlen(local), &us), 0);
	pp_datetime_fmt(b, pp_tz_to_utc(tz, us));
	if (strcmp(b, want) != 0)
		fail_msg("%s in %s: %s, want %s", local, spec, b, want);
	pp_tz_free(tz);
}

static void
test_fixed(void **state)
{
	(void)state;
	check("UTC", "2024-01-02T09:30:00", "2024-01-02T09:30:00Z");
	check("Z", "2024-01-02T09:30:00", "2024-01-02T09:30:00Z");
	check("-05:00", "2024-07-01T09:30:00", "2024-07-01T14:30:00Z");
	check("+0530", "2024-01-02T09:30:00.5", "2024-01-02T04:00:00.5Z");
	check("+01", "2024-01-01T00:30:00", "2023-12-31T23:30:00Z");
}

static void
test_zoneinfo(void **state)
{
	(void)state;
	check("America/New_York", "2024-01-02T09:30:00",
	    "2024-01-02T14:30:00Z");
	check("America/New_York", "2024-07-01T09:30:00",
	    "2024-07-01T13:30:00Z");
	check("America/New_York", "2024-03-10T01:59:00",
	    "2024-03-10T06:59:00Z");
	check("America/New_York", "2024-03-10T03:00:00",
	    "2024-03-10T07:00:00Z");
	check("America/New_York", "2024-03-10T02:30:00",	/* gap: EST */
	    "2024-03-10T07:30:00Z");
	check("America/New_York", "2024-11-03T01:30:00",	/* twice: EDT */
	    "2024-11-03T05:30:00Z");
	check("America/New_York", "2024-11-03T02:00:00",
	    "2024-11-03T07:00:00Z");
	check("America/New_York", "1950-06-01T12:00:00",
	    "1950-06-01T16:00:00Z");
	check("Asia/Kolkata", "2024-07-01T09:15:00", "2024-07-01T03:45:00Z");
}

static void
test_refused(void **state)
{
	static const struct {
		const char *spec, *msg;
	} rows[] = {
		{ "-5", "--tz: bad offset \"-5\": want +HH:MM, -HHMM or +HH" },
		{ "+24:00", "--tz: bad offset \"+24:00\": want +HH:MM, -HHMM "
		  "or +HH" },
		{ "+05:60", "--tz: bad offset \"+05:60\": want +HH:MM, -HHMM "
		  "or +HH" },
		{ "../../etc/passwd", "--tz: bad zone name "
		  "\"../../etc/passwd\"" },
		{ "/etc/localtime", "--tz: bad zone name \"/etc/localtime\"" },
		{ "", "--tz: bad zone name \"\"" },
		{ "Nowhere/City", "--tz: no zone \"Nowhere/City\" (want UTC, "
		  "an offset such as -05:00 or a zone such as "
		  "America/New_York)" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_err err = PP_ERR_INIT;

		assert_null(pp_tz_load(rows[i].spec, &err));
		assert_int_equal(err.code, PP_EXIT_USAGE);
		assert_string_equal(err.msg, rows[i].msg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_zoneinfo),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
