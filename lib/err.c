/*
 * err.c - filling a struct pp_err.  The one idea: the first error set
 * wins (the root cause), and a caller adds where it happened with
 * pp_err_prefix, so messages grow outward to "file:line: column: what".
 */
#include "err.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

void
pp_err_clear(struct pp_err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}

int
pp_err_vset(struct pp_err *e, int code, const char *fmt, va_list ap)
{
	if (e == NULL || e->code != 0)
		return -1;
	e->code = code ? code : PP_EXIT_DATA;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

int
pp_err_set(struct pp_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pp_err_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
pp_err_errno(struct pp_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (e == NULL || e->code != 0)
		return -1;
	va_start(ap, fmt);
	pp_err_vset(e, PP_EXIT_DATA, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	return -1;
}

int
pp_err_prefix(struct pp_err *e, const char *fmt, ...)
{
	char old[PP_ERR_MSGMAX];
	va_list ap;
	int n;

	if (e == NULL || e->code == 0)
		return -1;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(e->msg) - 3) {
		memcpy(e->msg + n, ": ", 2);
		n += 2;
		memcpy(e->msg + n, old, sizeof(e->msg) - (size_t)n - 1);
		e->msg[sizeof(e->msg) - 1] = '\0';
	}
	return -1;
}
