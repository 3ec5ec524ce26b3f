/*
 * input_hash.h - an input stream and the SHA-256 of every byte read from it,
 * so a run can record exactly which bytes it was trained on.
 *
 * A regular file is hashed before it is read (one extra pass, mostly from
 * the page cache): the digest is known at once, before any work, and can
 * go into the run's fingerprint when the run starts.  Anything else (stdin,
 * a pipe, a FIFO) can be read only once, so the stream handed out tees
 * every byte it delivers into the digest; pp_input_hash_finish reads what the
 * consumer left unread (a binary frame's trailing bytes, say) and the
 * digest is known at the end.  Either way the digest covers the whole
 * input, byte for byte.
 *
 * Ownership: the struct lives on the caller's storage; pp_input_hash_close
 * releases the streams (stdin is never closed).
 */
#ifndef PP_INPUT_HASH_H
#define PP_INPUT_HASH_H

#include <stdio.h>

#include "err.h"
#include "sha256.h"

struct pp_input_hash {
	FILE *fp;		/* read this (NULL until opened) */
	FILE *src;		/* the file or stdin behind fp */
	int teeing;		/* 1: fp hashes as it is read */
	int ioerr;		/* errno of a read error while teeing, or 0 */
	struct pp_sha256 sha;	/* running digest while teeing */
	char hex[PP_SHA256_HEXLEN + 1]; /* the digest, "" until known */
};

#define PP_INPUT_HASH_INIT { NULL, NULL, 0, 0, { { 0 }, 0, { 0 }, 0 }, "" }

/*
 * Open path ("-" or NULL: stdin) for reading and, if hash, hashing (SHA-256
 * costs about as much CPU as parsing CSV, so a caller that does not need
 * the digest says so and h->fp is the plain input).  A regular file is
 * hashed now and rewound; h->hex is then set.  Returns 0, or -1 with err
 * set ("PATH: No such file or directory", "PATH: read error").
 */
int pp_input_hash_open(struct pp_input_hash *h, const char *path, int hash,
    struct pp_err *err);

/* Read the rest of the input into the digest and set h->hex (a no-op if it
 * is already set, or if not hashing).  Returns 0, or -1 with err set on a
 * read error. */
int pp_input_hash_finish(struct pp_input_hash *h, const char *name,
    struct pp_err *err);

/* Close what pp_input_hash_open opened (safe on PP_INPUT_HASH_INIT). */
void pp_input_hash_close(struct pp_input_hash *h);

#endif
