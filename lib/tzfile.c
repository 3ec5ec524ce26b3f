/*
 * tzfile.c - UTC offsets from fixed specs and TZif files.  The one idea:
 * a zone is a sorted list of (UTC instant, offset from then on), and a
 * local time is turned into UTC by guessing the offset, then taking the
 * offset in force at the guessed instant, twice.
 */
#include "tzfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define USEC 1000000LL

struct pp_tz {
	size_t n;		/* transitions */
	int64_t *at;		/* UTC seconds, ascending */
	int32_t *off;		/* offset from at[i] on, seconds */
	int32_t first;		/* offset before at[0] (or always, n == 0) */
};

static struct pp_tz *
fixed(int32_t off)
{
	struct pp_tz *tz = pp_xcalloc(1, sizeof(*tz));

	tz->first = off;
	return tz;
}

/* "+HH", "+HHMM", "+HH:MM" (or '-'): seconds east, or -1 if not one. */
static int
parse_offset(const char *s, int32_t *off)
{
	size_t n = strlen(s), i;
	int h, m = 0;

	if ((s[0] != '+' && s[0] != '-') || (n != 3 && n != 5 && n != 6))
		return -1;
	for (i = 1; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && !(n == 6 && i == 3 &&
		    s[i] == ':'))
			return -1;
	h = (s[1] - '0') * 10 + (s[2] - '0');
	if (n > 3)
		m = (s[n - 2] - '0') * 10 + (s[n - 1] - '0');
	if (h > 23 || m > 59)
		return -1;
	*off = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
	return 0;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The counts of a TZif header at p: isut, isstd, leap, time, type, char. */
static void
counts(const unsigned char *p, uint32_t c[6])
{
	int i;

	for (i = 0; i < 6; i++)
		c[i] = be32(p + 20 + 4 * i);
}

/* The version 2+ data of a TZif file (64-bit times) into tz. */
static int
parse_tzif(const unsigned char *d, size_t len, struct pp_tz *tz)
{
	uint32_t c[6], i;
	size_t v1, need;
	const unsigned char *p, *idx, *types;

	if (len < 44 || memcmp(d, "TZif", 4) != 0 || d[4] < '2')
		return -1;
	counts(d, c);
	v1 = 44 + (size_t)c[3] * 5 + (size_t)c[4] * 6 + c[5] +
	    (size_t)c[2] * 8 + c[1] + c[0];
	if (len < v1 + 44 || memcmp(d + v1, "TZif", 4) != 0)
		return -1;
	p = d + v1;
	counts(p, c);
	need = 44 + (size_t)c[3] * 9 + (size_t)c[4] * 6;
	if (c[4] == 0 || len < v1 + need)
		return -1;
	p += 44;
	idx = p + (size_t)c[3] * 8;
	types = idx + c[3];
	tz->n = c[3];
	tz->at = pp_xcalloc(c[3] + 1, sizeof(*tz->at));
	tz->off = pp_xcalloc(c[3] + 1, sizeof(*tz->off));
	for (i = 0; i < c[3]; i++) {
		if (idx[i] >= c[4])
			return -1;
		tz->at[i] = be64(p + 8 * (size_t)i);
		tz->off[i] = (int32_t)be32(types + 6 * (size_t)idx[i]);
	}
	tz->first = (int32_t)be32(types);	/* type 0: before them all */
	return 0;
}

static struct pp_tz *
load_file(const char *name, struct pp_err *err)
{
	const char *dir = getenv("TZDIR");
	char path[4096];
	unsigned char *d = NULL;
	size_t len = 0, cap = 0;
	struct pp_tz *tz;
	FILE *fp;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "rb")) == NULL) {
		pp_err_set(err, PP_EXIT_USAGE, "--tz: no zone \"%s\" (want "
		    "UTC, an offset such as -05:00 or a zone such as "
		    "America/New_York)", name);
		return NULL;
	}
	for (;;) {
		size_t k;

		pp_xgrow((void **)&d, &cap, len + 4096, 1);
		k = fread(d + len, 1, cap - len, fp);
		len += k;
		if (k == 0 || len > (1u << 20))
			break;
	}
	fclose(fp);
	tz = pp_xcalloc(1, sizeof(*tz));
	if (parse_tzif(d, len, tz) == -1) {
		pp_err_set(err, PP_EXIT_USAGE, "--tz: %s: not a zoneinfo file "
		    "this program reads (TZif version 2 or later)", path);
		pp_tz_free(tz);
		tz = NULL;
	}
	free(d);
	return tz;
}

struct pp_tz *
pp_tz_load(const char *spec, struct pp_err *err)
{
	int32_t off;

	if (strcmp(spec, "UTC") == 0 || strcmp(spec, "Z") == 0)
		return fixed(0);
	if (spec[0] == '+' || spec[0] == '-') {
		if (parse_offset(spec, &off) == 0)
			return fixed(off);
		pp_err_set(err, PP_EXIT_USAGE, "--tz: bad offset \"%s\": want "
		    "+HH:MM, -HHMM or +HH", spec);
		return NULL;
	}
	/* A name stays inside the zoneinfo directory. */
	if (spec[0] == '\0' || spec[0] == '/' || strstr(spec, "..") != NULL) {
		pp_err_set(err, PP_EXIT_USAGE, "--tz: bad zone name \"%s\"",
		    spec);
		return NULL;
	}
	return load_file(spec, err);
}

/* The offset (seconds) in force at UTC second t. */
static int32_t
offset_at(const struct pp_tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->n;

	if (tz->n == 0 || t < tz->at[0])
		return tz->first;
	while (hi - lo > 1) {		/* the last transition <= t */
		size_t mid = (lo + hi) / 2;

		if (tz->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->off[lo];
}

int64_t
pp_tz_to_utc(const struct pp_tz *tz, int64_t local_us)
{
	int64_t local = local_us / USEC - (local_us % USEC < 0);
	int32_t o1 = offset_at(tz, local), o2;

	/* Guess with the offset at local read as UTC, then correct with
	 * the offset in force at the guess; where the two disagree the
	 * local time is in a gap or an overlap: the earlier offset. */
	o2 = offset_at(tz, local - o1);
	if (o2 != o1 && offset_at(tz, local - o2) != o2)
		o2 = o1;
	return local_us - (int64_t)o2 * USEC;
}

void
pp_tz_free(struct pp_tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->at);
	free(tz->off);
	free(tz);
}
