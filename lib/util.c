/*
 * util.c - allocation that aborts instead of failing, and small helpers
 * (string duplication, array growth, hashing, UTF-8 checks).  The one
 * idea: out of memory is the only error libpp does not report, so no
 * caller checks for NULL from pp_x*.
 */
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "banned.h"

/* Here, the lowest layer, so that the one message libpp itself prints
 * names the program (pp_cli_init sets it): pp-train said "pp: out of
 * memory". */
const char *pp_progname = "pp";

void (*pp_oom_hook)(void);

void
pp_oom(size_t n)
{
	fprintf(stderr, "%s: out of memory allocating %zu bytes\n",
	    pp_progname, n);
	if (pp_oom_hook != NULL)
		pp_oom_hook();
	abort();
}

void *
pp_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		pp_oom(n);
	return p;
}

void *
pp_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		pp_oom(nmemb * size);
	return p;
}

void *
pp_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		pp_oom(n);
	return q;
}

void
pp_huge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	static uintptr_t pg;
	uintptr_t a, z;

	if (p == NULL || n < PP_HUGE_MIN)
		return;
	if (pg == 0) {
		long l = sysconf(_SC_PAGESIZE);

		pg = l > 0 ? (uintptr_t)l : 4096;
	}
	/* The pages the block lies on: a block malloc had mmap make is all
	 * of its mapping, which realloc's mremap then keeps whole. */
	a = (uintptr_t)p & ~(pg - 1);
	z = ((uintptr_t)p + n + pg - 1) & ~(pg - 1);
	(void)madvise((void *)a, z - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

void *
pp_xmalloc_huge(size_t n)
{
	const size_t huge = (size_t)2 << 20;
	size_t m;
	void *p;

	if (n < PP_HUGE_MIN || n > SIZE_MAX - huge)
		return pp_xmalloc(n);
	/* On huge-page boundaries from end to end, so that no page of the
	 * block is left to small pages at either edge. */
	m = (n + huge - 1) & ~(huge - 1);
	if (posix_memalign(&p, huge, m) != 0)
		pp_oom(m);
	pp_huge_pages(p, m);
	return p;
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
			pp_oom(SIZE_MAX);
		c *= 2;
	}
	*p = pp_xrealloc(*p, c * sz);
	*cap = c;
}

int
pp_utf8_valid(const char *str, size_t n, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k, need;
		unsigned cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			goto fail;
		}
		if (n - i <= need)
			goto fail;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto fail;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto fail;
		i += need + 1;
	}
	return 1;
fail:
	if (bad)
		*bad = i;
	return 0;
}

uint64_t
pp_hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

FILE *
pp_in_open(const char *path, struct pp_err *err)
{
	FILE *fp;
	struct stat st;

	if (path == NULL || strcmp(path, "-") == 0)
		return stdin;
	fp = fopen(path, "rb");
	if (fp == NULL) {
		pp_err_errno(err, errno, "%s", path);
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		pp_err_errno(err, EISDIR, "%s", path);
		return NULL;
	}
	return fp;
}

const char *
pp_in_name(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0 ? "<stdin>" : path;
}
