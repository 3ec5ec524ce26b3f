/*
 * test_date.c - calendar dates and UTC date-times (lib/date.c).
 *
 * Plan:
 *  - tables of valid dates with their day numbers and weekdays (epoch, the
 *    day before it, leap days of 1600/2000/2024, 1900 not leap, 0001-01-01,
 *    9999-12-31), in both spellings; invalid dates as text and as y/m/d.
 *  - every day from 0001-01-01 to 9999-12-31: to/from y-m-d and format/parse
 *    round trips, the calendar and the weekday advance by one day.
 *  - out-of-range day numbers format as "0000-00-00".
 *  - date-time parse tables (zones, fractions, 'T' or space, bad fields),
 *    format tables (fractions trimmed, before the epoch, out of range) and
 *    a random round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "banned.h"

#define DAY_MIN (-719162)
#define DAY_MAX 2932896
#define USEC_DAY 86400000000LL

static const struct {
	const char *s;		/* YYYY-MM-DD */
	int64_t days;
	int weekday;		/* 0 = Monday */
} valid[] = {
	{ "1970-01-01", 0, 3 },
	{ "1969-12-31", -1, 2 },
	{ "2000-02-29", 11016, 1 },
	{ "2000-03-01", 11017, 2 },
	{ "2024-02-29", 19782, 3 },
	{ "2024-12-31", 20088, 1 },
	{ "1900-02-28", -25509, 2 },
	{ "1900-03-01", -25508, 3 },
	{ "1600-02-29", -135081, 1 },
	{ "0001-01-01", DAY_MIN, 0 },
	{ "9999-12-31", DAY_MAX, 4 },
};

static void
test_valid(void **state)
{
	char buf[PP_DATE_BUFSZ], compact[9];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const char *s = valid[i].s;
		int64_t d = 42;
		int y, m, dd;

		if (pp_date_parse(s, 10, &d) != 0 || d != valid[i].days)
			fail_msg("\"%s\": %lld", s, (long long)d);
		assert_int_equal(pp_date_weekday(d), valid[i].weekday);
		assert_int_equal(pp_date_fmt(buf, d), 10);
		assert_string_equal(buf, s);

		memcpy(compact, s, 4);
		memcpy(compact + 4, s + 5, 2);
		memcpy(compact + 6, s + 8, 2);
		compact[8] = '\0';
		d = 42;
		assert_int_equal(pp_date_parse(compact, 8, &d), 0);
		assert_true(d == valid[i].days);

		pp_date_to_ymd(valid[i].days, &y, &m, &dd);
		d = 42;
		assert_int_equal(pp_date_from_ymd(y, m, dd, &d), 0);
		assert_true(d == valid[i].days);
	}
}

static void
test_invalid_text(void **state)
{
	static const char *const bad[] = {
		"1900-02-29", "2023-02-29", "2024-02-30", "2024-04-31",
		"2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32",
		"0000-01-01", "2024-1-2", "2024-01-2", "24-01-02", "2024/01/02",
		"2024-01-02 ", " 2024-01-02", "2024-01-0a", "", "20240230",
		"2024011", "202401011", "+024-01-02", "-024-01-02",
		"10000-01-01", "2024-01-02T", "2024_01_02", "2024-0102",
		"19000229", "0000000", "00000101",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t d = 42;

		if (pp_date_parse(bad[i], strlen(bad[i]), &d) != -1)
			fail_msg("\"%s\" accepted as %lld", bad[i],
			    (long long)d);
		assert_true(d == 42);
	}
}

static void
test_invalid_ymd(void **state)
{
	static const int bad[][3] = {
		{ 0, 1, 1 }, { -1, 1, 1 }, { 10000, 1, 1 }, { 2024, 0, 1 },
		{ 2024, 13, 1 }, { 2024, 1, 0 }, { 2024, 1, 32 },
		{ 2024, 2, 30 }, { 2023, 2, 29 }, { 1900, 2, 29 },
		{ 2024, 6, 31 }, { 2024, -1, 1 }, { 2024, 1, -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t d = 42;

		assert_int_equal(pp_date_from_ymd(bad[i][0], bad[i][1],
		    bad[i][2], &d), -1);
		assert_true(d == 42);
	}
}

static int
month_len(int y, int m)
{
	static const int len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : len[m - 1];
}

/* Walk the whole calendar one day at a time. */
static void
test_every_day(void **state)
{
	int y = 1, m = 1, d = 1, wd = 0;
	int64_t day;
	char buf[PP_DATE_BUFSZ], want[48];

	(void)state;
	for (day = DAY_MIN; day <= DAY_MAX; day++) {
		int yy, mm, dd;
		int64_t back = 0;

		pp_date_to_ymd(day, &yy, &mm, &dd);
		if (yy != y || mm != m || dd != d)
			fail_msg("day %lld: %d-%d-%d, want %d-%d-%d",
			    (long long)day, yy, mm, dd, y, m, d);
		assert_int_equal(pp_date_from_ymd(y, m, d, &back), 0);
		assert_true(back == day);
		assert_int_equal(pp_date_weekday(day), wd);
		if (d == 1 || day % 97 == 0) {
			snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, d);
			pp_date_fmt(buf, day);
			assert_string_equal(buf, want);
			assert_int_equal(pp_date_parse(buf, 10, &back), 0);
			assert_true(back == day);
		}

		wd = (wd + 1) % 7;
		if (++d > month_len(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	assert_int_equal(y, 10000);
}

static void
test_out_of_range(void **state)
{
	static const int64_t days[] = {
		DAY_MIN - 1, DAY_MAX + 1, INT64_MIN, INT64_MAX
	};
	char buf[PP_DATE_BUFSZ];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		int y = 1, m = 1, d = 1;

		pp_date_to_ymd(days[i], &y, &m, &d);
		assert_true(y == 0 && m == 0 && d == 0);
		assert_int_equal(pp_date_fmt(buf, days[i]), 10);
		assert_string_equal(buf, "0000-00-00");
		assert_true(pp_date_weekday(days[i]) >= 0 &&
		    pp_date_weekday(days[i]) <= 6);
	}
	assert_int_equal(pp_date_weekday(-7), 3);
	assert_int_equal(pp_date_weekday(-8), 2);
}

#define T(d, h, mi, s, us) \
	((int64_t)(d) * USEC_DAY + \
	    (((int64_t)(h) * 60 + (mi)) * 60 + (s)) * 1000000 + (us))

static const struct {
	const char *s;
	int64_t usec;
} dt_ok[] = {
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1970-01-01 00:00", 0 },
	{ "1970-01-01T00:00", 0 },
	{ "1970-01-01T00:00Z", 0 },
	{ "1970-01-01T00:00:01", 1000000 },
	{ "1970-01-01T00:00:00.5Z", 500000 },
	{ "1970-01-01T00:00:00.000001", 1 },
	{ "1970-01-01T00:00:00.0000009", 0 },
	{ "1970-01-01T00:00:00.123456789Z", 123456 },
	{ "1969-12-31T23:59:59.999999Z", -1 },
	{ "1969-12-31 23:59:59.9999999", -1 },
	{ "2024-02-29T12:34:56Z", T(19782, 12, 34, 56, 0) },
	{ "2024-02-29T12:34:56+02:00", T(19782, 10, 34, 56, 0) },
	{ "2024-02-29T12:34:56+0200", T(19782, 10, 34, 56, 0) },
	{ "2024-02-29T12:34:56-05:30", T(19782, 18, 4, 56, 0) },
	{ "2024-02-29T12:34:56-0530", T(19782, 18, 4, 56, 0) },
	{ "2024-02-29T12:34-00:00", T(19782, 12, 34, 0, 0) },
	{ "2024-02-29T12:34:56.25+01:00", T(19782, 11, 34, 56, 250000) },
	{ "2024-03-01T00:30:00+01:00", T(19782, 23, 30, 0, 0) },
	{ "2024-02-29T23:30:00-01:00", T(19783, 0, 30, 0, 0) },
	{ "0001-01-01T00:00:00Z", T(DAY_MIN, 0, 0, 0, 0) },
	{ "9999-12-31T23:59:59.999999Z", T(DAY_MAX, 23, 59, 59, 999999) },
	{ "0001-01-01T01:00+01:00", T(DAY_MIN, 0, 0, 0, 0) },
};

static void
test_datetime_parse_ok(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dt_ok) / sizeof(dt_ok[0]); i++) {
		int64_t us = 42;

		if (pp_datetime_parse(dt_ok[i].s, strlen(dt_ok[i].s), &us) != 0)
			fail_msg("\"%s\" rejected", dt_ok[i].s);
		if (us != dt_ok[i].usec)
			fail_msg("\"%s\": %lld, want %lld", dt_ok[i].s,
			    (long long)us, (long long)dt_ok[i].usec);
	}
}

static void
test_datetime_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "2024-02-29", "2024-02-29T", "2024-02-29T12",
		"2024-02-29T12:3", "2024-02-29T1:00", "2024-02-29T24:00",
		"2024-02-29T23:60", "2024-02-29T23:59:60", "2024-02-29T-1:00",
		"2024-02-29t12:00", "2024-02-29_12:00", "2024-02-29T12:00z",
		"2024-02-29T12.00", "2024-02-29T12:00:", "2024-02-29T12:00:0",
		"2024-02-29T12:00:00.", "2024-02-29T12:00:00.1234567890",
		"2024-02-29T12:00:00.12a", "2024-02-29T12:00.5",
		"2024-02-29T12:00:00+2", "2024-02-29T12:00:00+02",
		"2024-02-29T12:00:00+02:0", "2024-02-29T12:00:00+24:00",
		"2024-02-29T12:00:00+02:60", "2024-02-29T12:00:00+02-00",
		"2024-02-29T12:00:00Z ", " 2024-02-29T12:00",
		"2024-02-29T12:00+02:00Z", "2024-02-29T12:00:00+0200x",
		"2024-02-30T12:00", "20240229T12:00", "2024-2-29T12:00",
		"0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00",
		"2024-02-29T12:00:00Z+01:00", "2024-02-29  12:00",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t us = 42;

		if (pp_datetime_parse(bad[i], strlen(bad[i]), &us) != -1)
			fail_msg("\"%s\" accepted as %lld", bad[i],
			    (long long)us);
		assert_true(us == 42);
	}
}

static void
test_datetime_fmt(void **state)
{
	static const struct {
		int64_t usec;
		const char *want;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 1, "1970-01-01T00:00:00.000001Z" },
		{ -1, "1969-12-31T23:59:59.999999Z" },
		{ 500000, "1970-01-01T00:00:00.5Z" },
		{ 120000, "1970-01-01T00:00:00.12Z" },
		{ 123456, "1970-01-01T00:00:00.123456Z" },
		{ 1000000, "1970-01-01T00:00:01Z" },
		{ T(19782, 12, 34, 56, 0), "2024-02-29T12:34:56Z" },
		{ T(19782, 23, 59, 59, 10), "2024-02-29T23:59:59.00001Z" },
		{ T(DAY_MIN, 0, 0, 0, 0), "0001-01-01T00:00:00Z" },
		{ T(DAY_MAX, 23, 59, 59, 999999),
		    "9999-12-31T23:59:59.999999Z" },
		{ T(DAY_MIN, 0, 0, 0, 0) - 1, "0000-00-00T00:00:00Z" },
		{ T(DAY_MAX + 1, 0, 0, 0, 0), "0000-00-00T00:00:00Z" },
		{ INT64_MIN, "0000-00-00T00:00:00Z" },
		{ INT64_MAX, "0000-00-00T00:00:00Z" },
	};
	char buf[PP_DATE_BUFSZ];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = pp_datetime_fmt(buf, cases[i].usec);

		assert_string_equal(buf, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
}

static void
test_datetime_round_trip(void **state)
{
	uint64_t s = 99;
	const uint64_t span = (uint64_t)(DAY_MAX - DAY_MIN + 1) * USEC_DAY;
	char buf[PP_DATE_BUFSZ];
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		int64_t us, back = 0;
		size_t n;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		us = (int64_t)DAY_MIN * USEC_DAY + (int64_t)(s % span);
		if (i % 3 == 0)
			us -= us % 1000000;	/* whole seconds too */
		n = pp_datetime_fmt(buf, us);
		assert_int_equal(pp_datetime_parse(buf, n, &back), 0);
		if (back != us)
			fail_msg("%lld -> \"%s\" -> %lld", (long long)us, buf,
			    (long long)back);
	}
}

/* Dates in other layouts: --date-format. */
static void
test_parse_fmt(void **state)
{
	static const struct {
		const char *s, *fmt, *want;	/* want NULL: refused */
	} rows[] = {
		{ "01/02/2024", "%m/%d/%Y", "2024-01-02" },
		{ "1/2/2024", "%m/%d/%Y", "2024-01-02" },
		{ "12/31/1999", "%m/%d/%Y", "1999-12-31" },
		{ "02.01.2024", "%d.%m.%Y", "2024-01-02" },
		{ "29.02.2024", "%d.%m.%Y", "2024-02-29" },
		{ "29.02.2023", "%d.%m.%Y", NULL },
		{ "20240102", "%Y%m%d", "2024-01-02" },
		{ "02-Jan-2024", "%d-%b-%Y", "2024-01-02" },
		{ "2 january 2024", "%d %b %Y", "2024-01-02" },
		{ "02-JAN-24", "%d-%b-%y", "2024-01-02" },
		{ "01/02/69", "%m/%d/%y", "1969-01-02" },
		{ "01/02/68", "%m/%d/%y", "2068-01-02" },
		{ "2024%01%02", "%Y%%%m%%%d", "2024-01-02" },
		{ "13/02/2024", "%m/%d/%Y", NULL },
		{ "01/02/2024 ", "%m/%d/%Y", NULL },
		{ "01-02-2024", "%m/%d/%Y", NULL },
		{ "01/02/", "%m/%d/%Y", NULL },
		{ "Janu 2 2024", "%b %d %Y", NULL },
		{ "", "%m/%d/%Y", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t days;
		char b[PP_DATE_BUFSZ];
		int rc = pp_date_parse_fmt(rows[i].s, strlen(rows[i].s),
		    rows[i].fmt, &days);

		if (rows[i].want == NULL) {
			if (rc != -1)
				fail_msg("\"%s\" as %s: accepted", rows[i].s,
				    rows[i].fmt);
			continue;
		}
		if (rc != 0)
			fail_msg("\"%s\" as %s: refused", rows[i].s,
			    rows[i].fmt);
		pp_date_fmt(b, days);
		assert_string_equal(b, rows[i].want);
	}
}

static void
test_fmt_check(void **state)
{
	static const struct {
		const char *fmt, *why;	/* why NULL: accepted */
	} rows[] = {
		{ "%m/%d/%Y", NULL },
		{ "%d-%b-%y", NULL },
		{ "%Y%%%m%%%d", NULL },
		{ "%Y-%m", "want the year, the month and the day, each once" },
		{ "%Y-%m-%d-%d", "want the year, the month and the day, each "
		  "once" },
		{ "%Y-%m-%d %H", "unknown field (want %Y, %y, %m, %b, %d or "
		  "%%)" },
		{ "%Y-%m-%d%", "a lone % at the end" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *why = NULL;
		int rc = pp_date_fmt_check(rows[i].fmt, &why);

		if (rows[i].why == NULL) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(why, rows[i].why);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_parse_fmt),
		cmocka_unit_test(test_fmt_check),
		cmocka_unit_test(test_invalid_text),
		cmocka_unit_test(test_invalid_ymd),
		cmocka_unit_test(test_every_day),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_datetime_parse_ok),
		cmocka_unit_test(test_datetime_parse_bad),
		cmocka_unit_test(test_datetime_fmt),
		cmocka_unit_test(test_datetime_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
