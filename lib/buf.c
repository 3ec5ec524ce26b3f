/*
 * buf.c - the growable byte buffer of buf.h.  The one idea: an empty buffer
 * points at a shared static "" and owns nothing, so init never allocates
 * and data is never NULL; growth doubles, and every change rewrites the
 * NUL at data[len].
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

char pp_buf_empty[1];

void
pp_buf_init(struct pp_buf *b)
{
	b->data = pp_buf_empty;
	b->len = 0;
	b->cap = 0;
}

void
pp_buf_release(struct pp_buf *b)
{
	if (b->cap)
		free(b->data);
	pp_buf_init(b);
}

void
pp_buf_grow(struct pp_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0) {
		b->data = NULL;
	}
	pp_xgrow((void **)&b->data, &b->cap, need, 1);
	if (b->len == 0)
		b->data[0] = '\0';
}

void
pp_buf_reset(struct pp_buf *b)
{
	if (b->cap)
		b->data[0] = '\0';
	b->len = 0;
}

void
pp_buf_setlen(struct pp_buf *b, size_t n)
{
	if (b->cap == 0 && n == 0)
		return;
	b->len = n;
	b->data[n] = '\0';
}

void
pp_buf_add(struct pp_buf *b, const void *data, size_t n)
{
	pp_buf_grow(b, n);
	memcpy(b->data + b->len, data, n);
	pp_buf_setlen(b, b->len + n);
}

void
pp_buf_addstr(struct pp_buf *b, const char *s)
{
	pp_buf_add(b, s, strlen(s));
}

void
pp_buf_addc(struct pp_buf *b, char c)
{
	pp_buf_grow(b, 1);
	b->data[b->len] = c;
	pp_buf_setlen(b, b->len + 1);
}

void
pp_buf_vaddf(struct pp_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->cap ? b->cap - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n + 1 > (b->cap ? b->cap - b->len : 0)) {
		pp_buf_grow(b, (size_t)n);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	pp_buf_setlen(b, b->len + (size_t)n);
}

void
pp_buf_addf(struct pp_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pp_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

char *
pp_buf_detach(struct pp_buf *b, size_t *len)
{
	char *s;

	if (len)
		*len = b->len;
	if (b->cap == 0)
		return pp_xstrdup("");
	s = b->data;
	pp_buf_init(b);
	return s;
}

int
pp_buf_read_fp(struct pp_buf *b, FILE *fp, size_t max)
{
	size_t start = b->len, want, n;

	for (;;) {
		want = max - (b->len - start) + 1;
		if (want > 65536)
			want = 65536;
		pp_buf_grow(b, want);
		n = fread(b->data + b->len, 1, want, fp);
		pp_buf_setlen(b, b->len + n);
		if (b->len - start > max)
			return 1;
		if (n < want)
			return ferror(fp) ? -1 : 0;
	}
}

void
pp_buf_addshown(struct pp_buf *b, const char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (c >= 0x20 && c < 0x7f) {
			pp_buf_addc(b, (char)c);
		} else if (c >= 0x80 && len <= n - i &&
		    pp_utf8_valid(s + i, len, NULL) &&
		    !(c == 0xc2 && (unsigned char)s[i + 1] < 0xa0)) {
			pp_buf_add(b, s + i, len);
			i += len;
			continue;
		} else {
			pp_buf_addf(b, "\\x%02x", c);
		}
		i++;
	}
}
