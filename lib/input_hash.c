/*
 * input_hash.c - an input and the SHA-256 of its bytes (input_hash.h).
 *
 * The tee is a glibc cookie stream (fopencookie): the frame reader sees an
 * ordinary FILE, and every byte it pulls passes through tee_read on its
 * way, so nothing is buffered twice and nothing is read ahead.  That is
 * why this file, alone, asks for _GNU_SOURCE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util.h"
#include "input_hash.h"
#include "banned.h"

static void
set_hex(struct pp_input_hash *h)
{
	unsigned char d[PP_SHA256_LEN];
	size_t i;

	pp_sha256_final(&h->sha, d);
	for (i = 0; i < PP_SHA256_LEN; i++) {
		h->hex[2 * i] = "0123456789abcdef"[d[i] >> 4];
		h->hex[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	h->hex[PP_SHA256_HEXLEN] = '\0';
}

static ssize_t
tee_read(void *cookie, char *buf, size_t n)
{
	struct pp_input_hash *h = cookie;
	size_t got = fread(buf, 1, n, h->src);

	if (got == 0 && ferror(h->src)) {
		h->ioerr = errno ? errno : EIO;
		errno = h->ioerr;
		return -1;
	}
	pp_sha256_update(&h->sha, buf, got);
	return (ssize_t)got;
}

/* Hash a seekable regular file from where it stands, then go back. */
static int
hash_whole(struct pp_input_hash *h, const char *name, struct pp_err *err)
{
	unsigned char b[64 * 1024];
	off_t at = ftello(h->src);
	size_t n;

	if (at == -1)
		return pp_err_errno(err, errno, "%s", name);
	while ((n = fread(b, 1, sizeof(b), h->src)) > 0)
		pp_sha256_update(&h->sha, b, n);
	if (ferror(h->src))
		return pp_err_errno(err, errno ? errno : EIO, "%s: read error",
		    name);
	if (fseeko(h->src, at, SEEK_SET) == -1)
		return pp_err_errno(err, errno, "%s", name);
	set_hex(h);
	return 0;
}

int
pp_input_hash_open(struct pp_input_hash *h, const char *path, int hash,
    struct pp_err *err)
{
	static const cookie_io_functions_t tee = { tee_read, NULL, NULL, NULL };
	const char *name = pp_in_name(path);
	struct stat st;

	pp_sha256_init(&h->sha);
	h->hex[0] = '\0';
	if ((h->src = pp_in_open(path, err)) == NULL)
		return -1;
	if (!hash) {
		h->fp = h->src;
		return 0;
	}
	if (fstat(fileno(h->src), &st) == 0 && S_ISREG(st.st_mode)) {
		if (hash_whole(h, name, err) == -1)
			return -1;
		h->fp = h->src;
		return 0;
	}
	h->fp = fopencookie(h, "r", tee);
	if (h->fp == NULL)
		return pp_err_errno(err, errno, "%s", name);
	h->teeing = 1;
	return 0;
}

int
pp_input_hash_finish(struct pp_input_hash *h, const char *name, struct pp_err *err)
{
	char b[64 * 1024];

	if (h->hex[0] != '\0' || !h->teeing)
		return 0;
	while (fread(b, 1, sizeof(b), h->fp) > 0)
		;
	if (ferror(h->fp))
		return pp_err_errno(err, h->ioerr ? h->ioerr : EIO,
		    "%s: read error", name);
	set_hex(h);
	return 0;
}

void
pp_input_hash_close(struct pp_input_hash *h)
{
	if (h->teeing && h->fp != NULL)
		fclose(h->fp);
	if (h->src != NULL && h->src != stdin)
		fclose(h->src);
	h->fp = h->src = NULL;
	h->teeing = 0;
}
