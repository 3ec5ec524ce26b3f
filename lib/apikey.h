/*
 * apikey.h - API keys for pp-serve: a file of "NAME SHA256-HEX" lines.
 *
 * Only digests are stored, so the key file is not a secret worth stealing;
 * `pp-serve --hash-key NAME` makes a line from a key read on stdin.  Blank
 * lines and lines starting with '#' are ignored.  A presented key is
 * hashed and compared with every digest in constant time, so the time
 * taken says nothing about how much of a digest matched.
 */
#ifndef PP_APIKEY_H
#define PP_APIKEY_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "sha256.h"

struct pp_apikeys {
	size_t n;		/* keys */
	char **name;		/* owned: n owned names */
	unsigned char (*digest)[PP_SHA256_LEN];	/* owned: n digests */
};

#define PP_APIKEYS_INIT { 0, NULL, NULL }

/* Read the key file at path into k (initialised).  Errors name the file
 * and line: 'keys.txt:3: expected "NAME SHA256-HEX"', a digest that is
 * not 64 hex digits, a name given twice; an empty file is an error (it
 * would lock every client out).  Returns 0 or -1 (k then holds nothing). */
int pp_apikeys_load(struct pp_apikeys *k, const char *path,
    struct pp_err *err);

void pp_apikeys_release(struct pp_apikeys *k);

/* The name of the key key[0..len), or NULL if it is not one of k's. */
const char *pp_apikeys_check(const struct pp_apikeys *k, const char *key,
    size_t len);

/* Append the key-file line "NAME HEX\n" for key[0..len) to out. */
void pp_apikeys_line(struct pp_buf *out, const char *name, const char *key,
    size_t len);

#endif
