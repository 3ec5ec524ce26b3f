/*
 * buf.h - the one growable byte buffer.
 *
 * Invariants (as git's strbuf): data is never NULL and data[len] == '\0'
 * always, so a buffer can be passed as a C string at any time.  A buffer
 * initialised with PP_BUF_INIT or pp_buf_init() owns nothing until it first
 * grows (data points at a shared empty string); pp_buf_release() frees and
 * re-initialises, so release twice is safe.  The buffer may hold NUL bytes;
 * len, not strlen, is its length.
 */
#ifndef PP_BUF_H
#define PP_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

extern char pp_buf_empty[];

struct pp_buf {
	char *data;	/* never NULL; NUL-terminated at len */
	size_t len;	/* bytes in use, excluding the terminating NUL */
	size_t cap;	/* bytes allocated; 0 while data is pp_buf_empty */
};

#define PP_BUF_INIT { pp_buf_empty, 0, 0 }

void pp_buf_init(struct pp_buf *b);
void pp_buf_release(struct pp_buf *b);

/* Make room for at least extra more bytes (plus the NUL). */
void pp_buf_grow(struct pp_buf *b, size_t extra);

/* Set len to 0 (keeps the allocation). */
void pp_buf_reset(struct pp_buf *b);

/* Set len to n <= cap-1 after writing into data directly; re-terminates. */
void pp_buf_setlen(struct pp_buf *b, size_t n);

/* Append what is left of fp to b, but no more than max bytes: an input
 * read whole from a file or a pipe that may never end (-F /dev/zero, a
 * generator on stdin).  Returns 0 at the end of fp; 1 if fp holds more
 * than max bytes (b then has max + 1 of them, the rest unread); -1 on a
 * read error, errno set. */
int pp_buf_read_fp(struct pp_buf *b, FILE *fp, size_t max);

void pp_buf_add(struct pp_buf *b, const void *data, size_t n);
void pp_buf_addstr(struct pp_buf *b, const char *s);
void pp_buf_addc(struct pp_buf *b, char c);

/* Append s[0..n), bytes a user wrote, so that they can go into a one-line
 * message: control bytes (newline, tab, escape, DEL, C1 controls) and
 * bytes that are not well-formed UTF-8 as \xNN; valid UTF-8 as is. */
void pp_buf_addshown(struct pp_buf *b, const char *s, size_t n);

/* printf-style append. */
void pp_buf_addf(struct pp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pp_buf_vaddf(struct pp_buf *b, const char *fmt, va_list ap);

/* Take the allocation: returns a malloc'd NUL-terminated string (never
 * NULL) and leaves b initialised and empty. */
char *pp_buf_detach(struct pp_buf *b, size_t *len);

#endif
