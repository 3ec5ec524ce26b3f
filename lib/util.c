#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static void
die_oom(size_t n)
{
	fprintf(stderr, "pp: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
pp_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die_oom(n);
	return p;
}

void *
pp_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		die_oom(nmemb * size);
	return p;
}

void *
pp_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		die_oom(n);
	return q;
}

char *
pp_xstrdup(const char *s)
{
	return pp_xstrndup(s, strlen(s));
}

char *
pp_xstrndup(const char *s, size_t n)
{
	char *p = pp_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
pp_xgrow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t c = *cap;

	if (need <= c)
		return;
	if (c < 16)
		c = 16;
	while (c < need) {
		if (c > SIZE_MAX / 2 / sz)
			die_oom(SIZE_MAX);
		c *= 2;
	}
	*p = pp_xrealloc(*p, c * sz);
	*cap = c;
}
