/*
 * err.h - how libpp reports failure.
 *
 * A library function that can fail returns -1 (or NULL) and fills the
 * caller's struct pp_err; it never prints, exits or aborts on bad input, so
 * a server or a unit test survives anything a frame or a request holds.
 *
 * The message is the part after the program name, already in the one shape
 * every error has: "where: what", lowercase, no final full stop, names in
 * double quotes:  features.csv:1042: column "rsi14": not a number
 * A callee sets what it knows ("column \"rsi14\": not a number"); a caller
 * that knows more prepends it with pp_err_prefix ("features.csv:1042").
 * The first error set wins: setting an error on a struct that already holds
 * one keeps the first (the root cause) unless it is cleared.
 */
#ifndef PP_ERR_H
#define PP_ERR_H

#include <stdarg.h>

/* Exit statuses, DESIGN.md. */
enum {
	PP_EXIT_OK = 0,		/* success */
	PP_EXIT_DATA = 1,	/* runtime or data error */
	PP_EXIT_USAGE = 2,	/* bad command line or spec */
	PP_EXIT_HOLDS = 3	/* ran fine, and the condition asked about
				 * holds (an alias kept): not a failure */
};

#define PP_ERR_MSGMAX 1024

struct pp_err {
	int code;			/* 0 when clear; else PP_EXIT_DATA/USAGE/HOLDS */
	char msg[PP_ERR_MSGMAX];	/* "where: what", NUL-terminated */
};

#define PP_ERR_INIT { 0, { 0 } }

void pp_err_clear(struct pp_err *e);

/* Record an error with exit code code (PP_EXIT_DATA or PP_EXIT_USAGE) and
 * a printf-style message.  Does nothing if e already holds an error.
 * Returns -1 so a function can `return pp_err_set(...)`. */
int pp_err_set(struct pp_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int pp_err_vset(struct pp_err *e, int code, const char *fmt, va_list ap);

/* Like pp_err_set with the text of strerror(errnum) appended after ": ". */
int pp_err_errno(struct pp_err *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend "where: " to the message of an error already set (no-op when
 * clear).  Returns -1. */
int pp_err_prefix(struct pp_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
