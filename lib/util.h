/*
 * util.h - allocation that cannot fail, and small shared helpers (input
 * paths among them: "-" is stdin).
 *
 * Allocation failure is the one error libpp does not report through
 * struct pp_err: pp_xmalloc and friends print one line and abort, so no
 * caller ever handles a NULL from them.  Everything else in libpp reports.
 */
#ifndef PP_UTIL_H
#define PP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pp_err;

/* The program's name in messages: "pp" until pp_cli_init sets it. */
extern const char *pp_progname;

/* Called by pp_xmalloc and friends when an allocation fails, after the
 * message: a program sets it (pp_cli_init) to remove its temp files and
 * exit 1, so that running out of memory is an error like any other and
 * leaves no partial output.  NULL (the library's default, and what the
 * unit tests see): abort. */
extern void (*pp_oom_hook)(void);

/* Report that n bytes could not be had and die as pp_xmalloc does: for an
 * allocation made by another library (zlib's compress2). */
void pp_oom(size_t n) __attribute__((noreturn));

/* Like malloc/calloc/realloc/strdup, but never return NULL.  Out of
 * memory, they print "PROGNAME: out of memory allocating N bytes" and
 * abort. */
void *pp_xmalloc(size_t n);
void *pp_xcalloc(size_t nmemb, size_t size);
void *pp_xrealloc(void *p, size_t n);
char *pp_xstrdup(const char *s);
char *pp_xstrndup(const char *s, size_t n);

/* Ask for the memory of a large block just allocated (p, n bytes) to be
 * given in huge pages as it is first touched: a 20 MB array then costs
 * ten page faults instead of five thousand, which on the bench machine
 * was a fifth of pp-eval's time.  Blocks under PP_HUGE_MIN, and systems
 * without transparent huge pages, are left as they are; the call never
 * fails.  The memory stays malloc's (free or realloc it as usual). */
#define PP_HUGE_MIN ((size_t)4 << 20)
void pp_huge_pages(void *p, size_t n);

/* pp_xmalloc for a large block to be filled at once: from PP_HUGE_MIN
 * bytes on it starts and ends on a huge-page boundary (pp_huge_pages'
 * advice covers all of it).  Free or realloc it as usual. */
void *pp_xmalloc_huge(size_t n);

/* Grow *p (an array of *cap elements of size sz) to hold at least need. */
void pp_xgrow(void **p, size_t *cap, size_t need, size_t sz);

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, nothing
 * above U+10FFFF), else 0.  *bad, if not NULL, gets the offset of the first
 * bad byte. */
int pp_utf8_valid(const char *s, size_t n, size_t *bad);

/* FNV-1a of p[0..n): a stable 64-bit hash (the same on every machine, so
 * synth may derive streams from it; fine for hash tables of short keys). */
uint64_t pp_hash_bytes(const char *p, size_t n);

/* Open an input path for reading ("-" or NULL: stdin).  On failure sets
 * "PATH: strerror" and returns NULL. */
FILE *pp_in_open(const char *path, struct pp_err *err);

/* Display name of an input path: "-" and NULL read "<stdin>". */
const char *pp_in_name(const char *path);

#define PP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
