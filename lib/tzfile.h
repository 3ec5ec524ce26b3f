/*
 * tzfile.h - a time zone for naive times (pp-fetch --tz): UTC, a fixed
 * offset, or a zone of the system's zoneinfo files (RFC 8536, TZif), so
 * "2024-07-01 09:30" in America/New_York is 13:30Z and in January 14:30Z.
 *
 * The zone's own table is used: its transitions (Debian's files list
 * them to 2037) and, before the first, its first local time type; after
 * the last, the last type.  A local time in a spring-forward gap or a
 * fall-back overlap is taken at the offset in force before the change
 * (markets are shut at those hours).
 */
#ifndef PP_TZFILE_H
#define PP_TZFILE_H

#include <stdint.h>

#include "err.h"

struct pp_tz;

/*
 * "UTC", "Z", an offset ("+05:30", "-0500", "+01"), or a zone name
 * ("America/New_York") read from $TZDIR or /usr/share/zoneinfo.  NULL
 * with err (PP_EXIT_USAGE) for a bad offset, a name with "..", a missing
 * or malformed file.
 */
struct pp_tz *pp_tz_load(const char *spec, struct pp_err *err);

/* The UTC instant of the local time local_us (microseconds as if UTC). */
int64_t pp_tz_to_utc(const struct pp_tz *tz, int64_t local_us);

void pp_tz_free(struct pp_tz *tz);

#endif
