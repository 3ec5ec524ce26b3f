/*
 * date.h - calendar dates and UTC date-times, without the C library's
 * time zone state (no localtime, no TZ, no mktime).
 *
 * A date is int64 days since 1970-01-01 (negative before), valid for years
 * 0001..9999 of the proleptic Gregorian calendar.  A date-time is int64
 * microseconds since 1970-01-01T00:00:00Z.  Both are exact integers, so they
 * sort, compare and subtract as numbers.
 */
#ifndef PP_DATE_H
#define PP_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Buffer size for any formatted date or date-time, NUL included. */
#define PP_DATE_BUFSZ 40

/* Days since the epoch for a valid y-m-d; -1 return when the date does not
 * exist (month 13, Feb 30, year 0 or > 9999). */
int pp_date_from_ymd(int y, int m, int d, int64_t *days);
void pp_date_to_ymd(int64_t days, int *y, int *m, int *d);

/* 0=Monday .. 6=Sunday. */
int pp_date_weekday(int64_t days);

/* Parse exactly "YYYY-MM-DD" from s[0..len).  Also accepts the compact
 * "YYYYMMDD".  Returns 0 or -1 (not a date, or no such day). */
int pp_date_parse(const char *s, size_t len, int64_t *days);

/*
 * Dates in a provider's own layout (pp-fetch --date-format).  fmt holds
 * literal characters and these fields: %Y (4-digit year), %y (2-digit:
 * 69-99 are 19xx, 00-68 20xx, as POSIX strptime), %m (month, 1 or 2
 * digits), %d (day, 1 or 2 digits), %b (English month name, 3 letters or
 * full, any case), %% (a '%').  The whole of s[0..len) must match.
 * Returns 0 or -1 (no match, or no such day).
 */
int pp_date_parse_fmt(const char *s, size_t len, const char *fmt,
    int64_t *days);

/* 0 if fmt is a format pp_date_parse_fmt takes (each of year, month and
 * day once; no other % field), else -1 with *why saying what is wrong. */
int pp_date_fmt_check(const char *fmt, const char **why);

/* "YYYY-MM-DD"; returns the length (10). */
size_t pp_date_fmt(char buf[PP_DATE_BUFSZ], int64_t days);

/* Parse an ISO 8601 date-time from s[0..len):
 * "YYYY-MM-DD[T ]HH:MM[:SS[.f{1,9}]][Z|+HH:MM|-HH:MM|+HHMM]".  Without a
 * zone the time is taken as UTC.  Fractions beyond microseconds are
 * rounded toward zero.  Returns 0 or -1. */
int pp_datetime_parse(const char *s, size_t len, int64_t *usec);

/* 1 if the date-time s[0..len) ends in a zone (Z, +HH:MM, -HHMM), 0 if
 * it is naive (pp_datetime_parse takes it as UTC). */
int pp_datetime_has_zone(const char *s, size_t len);

/* "YYYY-MM-DDTHH:MM:SSZ", with ".ffffff" (trailing zeros removed) before
 * the Z when the fraction is not zero.  Returns the length. */
size_t pp_datetime_fmt(char buf[PP_DATE_BUFSZ], int64_t usec);

#endif
