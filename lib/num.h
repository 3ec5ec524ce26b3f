/*
 * num.h - numbers as text: the one double formatter and the checked parsers.
 *
 * Every double libpp writes goes through pp_fmt_double, so CSV, JSON and
 * messages agree, and every number read from text goes through
 * pp_parse_double or pp_parse_long (never atoi/atof/unchecked strtod).
 *
 * Round trip: for every double x that is not NaN,
 * pp_parse_double(pp_fmt_double(x)) is bit-identical to x (including -0,
 * subnormals, +-DBL_MAX and +-inf), and the text is the shortest decimal
 * that does so (see num.c for the exact rule).  NaN formats as the empty
 * string: a missing value.
 */
#ifndef PP_NUM_H
#define PP_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Enough for any output of pp_fmt_double, including the NUL. */
#define PP_DBL_BUFSZ 32

/* Write x into buf as the shortest text that reads back bit-identical;
 * NaN writes "" (missing), infinities "inf" and "-inf".  Returns the length
 * (no NUL counted); buf is NUL-terminated.  All PP_DBL_BUFSZ bytes of buf
 * may be written. */
size_t pp_fmt_double(char buf[PP_DBL_BUFSZ], double x);

/* pp_fmt_double, the same bytes, for a writer that formats a column of
 * alike values: *shortish says whether to try the short path for
 * decimals of at most 15 digits first (dtoa.c), and is set to whether the
 * value had at most 13 digits.  A column of full-precision values (returns,
 * ratios) then skips an attempt that always fails. */
size_t pp_fmt_double_hint(char buf[PP_DBL_BUFSZ], double x, int *shortish);

/* 1 if s[0..len) is exactly what pp_fmt_double writes for the double
 * pp_parse_double reads from it (so a copy of the text may stand for
 * both), for the usual shapes: "", "0", "-0", plain decimals of at most
 * 15 significant digits with no '+', leading or trailing zero, from
 * 0.0001 to below 10^17, and outside that "1.5e-05" or "2e+17" as
 * pp_fmt_double writes them, to exponents of -300 and 300.  0 for every
 * other text, valid or not. */
int pp_fmt_double_canonical(const char *s, size_t len);

/* x with sig significant digits (1 to 17), as printf "%.*g" in the C
 * locale: for people (pp cat --precision), not for reading back.  NaN,
 * infinities as pp_fmt_double.  Returns the length. */
size_t pp_fmt_double_sig(char buf[PP_DBL_BUFSZ], double x, int sig);

/* Parse s[0..len) (not necessarily NUL-terminated) as a double.  Accepts
 * what strtod accepts in the C locale for decimal numbers (sign, digits,
 * '.', exponent), "inf"/"infinity"/"nan" in any case with optional sign,
 * and treats the missing-value spellings "", "NA", "N/A", "null", "NULL"
 * as NaN.  No leading or trailing space, no hex, no trailing junk.
 * Correctly rounded (same bits as glibc strtod).  Returns 0 and sets *out,
 * or -1 (and *out untouched) when s is not a number. */
int pp_parse_double(const char *s, size_t len, double *out);

/* The same double for a token s[0..len) of decimal digits with at most
 * one '.' and an optional sign (no exponent) whose caller has read its
 * digits into w (so at most 19 of them, leading zeros aside) and counted
 * the nfrac after the '.': what pp_parse_double(s, len) gives, without
 * reading the digits twice.  neg: the sign was '-'.  Returns 0. */
int pp_parse_decimal(uint64_t w, int nfrac, int neg, const char *s,
    size_t len, double *out);

/* 1 if s[0..len) is one of the missing-value spellings above (or empty). */
int pp_is_missing(const char *s, size_t len);

/* Parse a NUL-terminated decimal integer within [min, max]: no junk, no
 * empty string, no overflow.  Returns 0 and sets *out, or -1. */
int pp_parse_long(const char *s, long min, long max, long *out);

/* Parse s[0..len) as an int64 (same rules as pp_parse_long; a NUL inside
 * is junk). */
int pp_parse_int64(const char *s, size_t len, int64_t *out);

/* Write an int64 in decimal; returns the length. */
size_t pp_fmt_int64(char buf[PP_DBL_BUFSZ], int64_t v);

#endif
