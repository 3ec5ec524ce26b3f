/*
 * date.c - civil dates and date-times as integers, with no time zone
 * state.  The one idea: days come from the year, month and day by
 * counting whole 400-year eras and a March-based year (below), so there
 * is no table of month lengths and no library call that reads TZ.
 */
#include "date.h"

#include <string.h>

#include "banned.h"

/*
 * Days from a civil date, by counting whole cycles.
 *
 * Start the year on March 1, so the leap day is the last day of its year
 * and months March..February have lengths 31 30 31 30 31 31 30 31 30 31 31
 * 28/29.  Over those twelve months the days before month i (i = 0 for
 * March) are floor((153 * i + 2) / 5): the five-month pattern 31 30 31 30
 * 31 repeats, 153 days each.  A year of this kind (yoe years into a 400
 * year era) begins yoe * 365 + yoe / 4 - yoe / 100 days into the era, and
 * an era has 146097 days.  Day 0 of era 0 is 0000-03-01, which lies 719468
 * days before 1970-01-01.  Everything is in int64 with floor division, so
 * the same formulas run backwards for any day count.
 */
#define DAYS_0000_03_01 719468
#define DAYS_PER_ERA 146097
#define DAY_MIN (-719162)	/* 0001-01-01 */
#define DAY_MAX 2932896		/* 9999-12-31 */
#define USEC_PER_DAY 86400000000LL

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const unsigned char len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

int
pp_date_from_ymd(int y, int m, int d, int64_t *days)
{
	int64_t ym, era, yoe, doy, mp;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 ||
	    d > month_days(y, m))
		return -1;
	ym = m <= 2 ? y - 1 : y;
	mp = m <= 2 ? m + 9 : m - 3;
	era = floordiv(ym, 400);
	yoe = ym - era * 400;
	doy = (153 * mp + 2) / 5 + d - 1;
	*days = era * DAYS_PER_ERA + yoe * 365 + yoe / 4 - yoe / 100 + doy -
	    DAYS_0000_03_01;
	return 0;
}

/* The inverse: a day in the era (doe) gives the year of the era by undoing
 * the leap-day count (the corrections at doe 1460, 36524 and 146096 are
 * the days when yoe / 4, yoe / 100 and yoe / 400 step), then the
 * March-based month from the 153-day pattern. */
void
pp_date_to_ymd(int64_t days, int *y, int *m, int *d)
{
	int64_t z, era, doe, yoe, doy, mp;

	if (days < DAY_MIN || days > DAY_MAX) {
		*y = *m = *d = 0;
		return;
	}
	z = days + DAYS_0000_03_01;
	era = floordiv(z, DAYS_PER_ERA);
	doe = z - era * DAYS_PER_ERA;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
pp_date_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (3). */
	return (int)((days % 7 + 7 + 3) % 7);
}

/* Value of n decimal digits at s, or -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
pp_date_parse(const char *s, size_t len, int64_t *days)
{
	int y, m, d;

	if (len == 10) {
		if (s[4] != '-' || s[7] != '-')
			return -1;
		y = digits(s, 4);
		m = digits(s + 5, 2);
		d = digits(s + 8, 2);
	} else if (len == 8) {
		y = digits(s, 4);
		m = digits(s + 4, 2);
		d = digits(s + 6, 2);
	} else {
		return -1;
	}
	if (y < 0 || m < 0 || d < 0)
		return -1;
	return pp_date_from_ymd(y, m, d, days);
}

/* Up to max digits (at least one) at s[*i..len) as a number, or -1. */
static int
take_num(const char *s, size_t len, size_t *i, int max)
{
	int v = 0, k = 0;

	while (*i < len && k < max && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	return k > 0 ? v : -1;
}

/* An English month name, three letters or whole, any case: 1..12 or -1. */
static int
take_month(const char *s, size_t len, size_t *i)
{
	static const char *const names[12] = {
		"january", "february", "march", "april", "may", "june",
		"july", "august", "september", "october", "november",
		"december"
	};
	int m;

	for (m = 0; m < 12; m++) {
		size_t full = strlen(names[m]), k = 0;

		while (*i + k < len && k < full &&
		    (s[*i + k] | 0x20) == names[m][k])
			k++;
		if (k == full || (k == 3 && (*i + 3 == len ||
		    !((s[*i + 3] | 0x20) >= 'a' && (s[*i + 3] | 0x20) <= 'z')))) {
			*i += k;
			return m + 1;
		}
	}
	return -1;
}

int
pp_date_parse_fmt(const char *s, size_t len, const char *fmt, int64_t *days)
{
	int y = -1, m = -1, d = -1;
	size_t i = 0;

	for (; *fmt; fmt++) {
		if (*fmt != '%' || fmt[1] == '%') {
			if (i >= len || s[i] != *fmt)
				return -1;
			i++;
			fmt += *fmt == '%';
			continue;
		}
		switch (*++fmt) {
		case 'Y': y = take_num(s, len, &i, 4); break;
		case 'y':
			if ((y = take_num(s, len, &i, 2)) >= 0)
				y += y < 69 ? 2000 : 1900;
			break;
		case 'm': m = take_num(s, len, &i, 2); break;
		case 'd': d = take_num(s, len, &i, 2); break;
		case 'b': m = take_month(s, len, &i); break;
		default: return -1;
		}
		if ((*fmt == 'Y' || *fmt == 'y') ? y < 0 : *fmt == 'd' ? d < 0
		    : m < 0)
			return -1;
	}
	if (i != len || y < 0 || m < 0 || d < 0)
		return -1;
	return pp_date_from_ymd(y, m, d, days);
}

int
pp_date_fmt_check(const char *fmt, const char **why)
{
	int y = 0, m = 0, d = 0;

	for (; *fmt; fmt++) {
		if (*fmt != '%')
			continue;
		switch (*++fmt) {
		case 'Y': case 'y': y++; break;
		case 'm': case 'b': m++; break;
		case 'd': d++; break;
		case '%': break;
		case '\0':
			*why = "a lone % at the end";
			return -1;
		default:
			*why = "unknown field (want %Y, %y, %m, %b, %d or %%)";
			return -1;
		}
	}
	if (y != 1 || m != 1 || d != 1) {
		*why = "want the year, the month and the day, each once";
		return -1;
	}
	return 0;
}

static char *
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* Days outside 0001-01-01..9999-12-31 are not dates: they format as
 * "0000-00-00", which no parser here accepts. */
size_t
pp_date_fmt(char buf[PP_DATE_BUFSZ], int64_t days)
{
	int y, m, d;
	char *p = buf;

	pp_date_to_ymd(days, &y, &m, &d);
	p = put2(p, y / 100);
	p = put2(p, y % 100);
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p = '\0';
	return (size_t)(p - buf);
}

/*
 * Date-time grammar, strictly positional:
 *   YYYY-MM-DD ('T' | ' ') HH ':' MM [':' SS ['.' 1-9 digits]]
 *   [ 'Z' | ('+'|'-') HH ':' MM | ('+'|'-') HHMM ]
 * Hours 00-23, minutes and seconds 00-59 (no leap second), offset hours
 * 00-23.  The offset is subtracted to give UTC; a result outside
 * 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999Z is an error.  Fraction
 * digits past the sixth are dropped (toward zero, before the offset).
 */
int
pp_datetime_has_zone(const char *s, size_t len)
{
	/* The time part holds no sign, so one 5 or 6 from the end starts
	 * an offset. */
	return (len > 16 && s[len - 1] == 'Z') ||
	    (len > 21 && (s[len - 6] == '+' || s[len - 6] == '-') &&
	    s[len - 3] == ':') ||
	    (len > 20 && (s[len - 5] == '+' || s[len - 5] == '-'));
}

int
pp_datetime_parse(const char *s, size_t len, int64_t *usec)
{
	int64_t days, us = 0;
	const char *p, *end = s + len;
	int hh, mi, ss = 0, i, scale, oh, om;

	if (len < 16 || pp_date_parse(s, 10, &days) == -1)
		return -1;
	if (s[10] != 'T' && s[10] != ' ')
		return -1;
	hh = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	if (s[13] != ':' || hh < 0 || hh > 23 || mi < 0 || mi > 59)
		return -1;
	p = s + 16;
	if (p < end && *p == ':') {
		if (end - p < 3 || (ss = digits(p + 1, 2)) < 0 || ss > 59)
			return -1;
		p += 3;
		if (p < end && *p == '.') {
			p++;
			scale = 100000;
			for (i = 0; p < end && *p >= '0' && *p <= '9'; i++, p++) {
				if (i >= 9)
					return -1;
				us += (*p - '0') * scale;
				scale /= 10;
			}
			if (i == 0)
				return -1;
		}
	}
	us += ((int64_t)hh * 3600 + mi * 60 + ss) * 1000000;
	if (p < end && *p == 'Z') {
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p == '-' ? -1 : 1;

		if (end - p == 6 && p[3] == ':') {
			oh = digits(p + 1, 2);
			om = digits(p + 4, 2);
		} else if (end - p == 5) {
			oh = digits(p + 1, 2);
			om = digits(p + 3, 2);
		} else {
			return -1;
		}
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		us -= sign * ((int64_t)oh * 3600 + om * 60) * 1000000;
		p = end;
	}
	if (p != end)
		return -1;
	us += days * USEC_PER_DAY;
	if (us < DAY_MIN * USEC_PER_DAY || us >= (DAY_MAX + 1) * USEC_PER_DAY)
		return -1;	/* the offset moved it out of 0001..9999 */
	*usec = us;
	return 0;
}

size_t
pp_datetime_fmt(char buf[PP_DATE_BUFSZ], int64_t usec)
{
	int64_t days = usec / USEC_PER_DAY, t = usec % USEC_PER_DAY, secs;
	int frac, i;
	char *p;

	if (t < 0) {
		t += USEC_PER_DAY;
		days--;
	}
	secs = t / 1000000;
	frac = (int)(t % 1000000);
	p = buf + pp_date_fmt(buf, days);

	if (days < DAY_MIN || days > DAY_MAX)
		secs = frac = 0;
	*p++ = 'T';
	p = put2(p, (int)(secs / 3600));
	*p++ = ':';
	p = put2(p, (int)(secs / 60 % 60));
	*p++ = ':';
	p = put2(p, (int)(secs % 60));
	if (frac) {
		*p++ = '.';
		for (i = 100000; i && frac; i /= 10) {
			*p++ = (char)('0' + frac / i);
			frac %= i;
		}
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}
