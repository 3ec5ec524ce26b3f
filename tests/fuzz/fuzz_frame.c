/*
 * fuzz_frame.c - a libFuzzer target for the frame reader (CSV and binary).
 * `make check` replays tests/fuzz/corpus/frame through it
 * (tests/fuzz/replay.c); `make fuzz` builds it against libpp (from
 * the Makefile's own list of lib sources) and runs it FUZZ_TIME seconds
 * (60) on a scratch corpus seeded from tests/fuzz/corpus/frame.  For a
 * longer run: make fuzz FUZZ_TIME=3600.
 *
 * Add -DFUZZ_ALLOW_MULTILINE to look past messages that quote a column
 * name holding a newline (reported; the check fails until it is fixed).
 *
 * Beyond "no crash, no leak, no undefined behaviour", it checks what the
 * frame layer promises for any input it accepts:
 *   - an error message is one line that starts with the input's name;
 *   - every row read writes to binary and reads back bit-identical, and the
 *     row count survives;
 *   - every row read writes to CSV and reads back as the same number of
 *     rows, and (for CSV input with no row skipped) writing that again gives
 *     the same CSV bytes: CSV output is a fixed point.  (Binary input may
 *     declare types CSV cannot carry: int64, text that looks like numbers.)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "util.h"
#include "banned.h"

#define MAX_ROWS 2000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_msg(const struct pp_err *err)
{
	int multiline = strchr(err->msg, '\n') != NULL ||
	    strchr(err->msg, '\r') != NULL;

#ifdef FUZZ_ALLOW_MULTILINE
	multiline = 0;	/* column names with a newline: a known finding */
#endif
	if (strncmp(err->msg, "mem", 3) != 0 || multiline) {
		fprintf(stderr, "bad message shape: \"%s\"\n", err->msg);
		abort();
	}
}

static struct pp_reader *
open_bytes(const void *p, size_t n, FILE **fp, struct pp_err *err)
{
	struct pp_read_opts o = PP_READ_OPTS_INIT;

	o.infer_rows = 1 << 20;	/* every row: no late misfits */
	*fp = fmemopen((void *)p, n, "rb");
	if (*fp == NULL)
		abort();
	return pp_reader_fopen(*fp, "mem", &o, err);
}

/* Read everything; write good rows to w.  Returns rows written, or -1 if
 * the stream broke; *skipped counts skipped rows. */
static long
pump(struct pp_reader *r, struct pp_writer *w, size_t *skipped)
{
	struct pp_err err = PP_ERR_INIT;
	const union pp_cell *row;
	long n = 0;
	int rc;

	*skipped = 0;
	for (;;) {
		pp_err_clear(&err);
		rc = pp_reader_next(r, &row, &err);
		if (rc == 0)
			return n;
		if (rc == -1) {
			check_msg(&err);
			if (!pp_reader_can_skip(r) || *skipped > MAX_ROWS)
				return -1;
			(*skipped)++;
			continue;
		}
		if (w && pp_writer_row(w, row, &err) == -1)
			abort();
		if (++n > MAX_ROWS)
			return -1;
	}
}

/* Write all rows of bytes p to format f; returns the output (malloc). */
static char *
convert(const char *p, size_t n, enum pp_format f, size_t *outlen,
    long *rows, size_t *skipped)
{
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_reader *r;
	struct pp_writer *w;
	char *out = NULL;
	FILE *in, *fp;

	r = open_bytes(p, n, &in, &err);
	if (r == NULL) {
		check_msg(&err);
		fclose(in);
		return NULL;
	}
	fp = open_memstream(&out, outlen);
	o.format = f;
	o.chunk_rows = 3;
	w = pp_writer_new(fp, "out", pp_reader_schema(r), &o, &err);
	if (w == NULL)
		abort();
	*rows = pump(r, w, skipped);
	if (*rows >= 0 && pp_writer_finish(w, &err) == -1)
		abort();
	pp_writer_free(w);
	fclose(fp);
	pp_reader_free(r);
	fclose(in);
	if (*rows < 0) {
		free(out);
		return NULL;
	}
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *bin, *csv1, *csv2;
	size_t blen, len1, len2, sk, sk2;
	long rows, rows2;
	int is_bin;

	if (size == 0)
		return 0;
	is_bin = size >= 8 && memcmp(data, "\x89PPF", 4) == 0;
	bin = convert((const char *)data, size, PP_FMT_BIN, &blen, &rows, &sk);
	if (bin == NULL)
		return 0;
	/* Binary round trip: same row count, and the same bytes again. */
	{
		size_t b2len;
		char *b2 = convert(bin, blen, PP_FMT_BIN, &b2len, &rows2, &sk2);

		if (b2 == NULL || rows2 != rows || sk2 != 0 || b2len != blen ||
		    memcmp(b2, bin, blen) != 0) {
			fprintf(stderr, "binary round trip differs\n");
			abort();
		}
		free(b2);
	}
	/* CSV: rows survive, and the output is a fixed point. */
	csv1 = convert(bin, blen, PP_FMT_CSV, &len1, &rows2, &sk2);
	if (csv1 == NULL)
		abort();
	/* A first column whose name starts with U+FEFF is written as is and
	 * read back as a byte order mark: the one name CSV cannot carry
	 * (reported). */
	if (len1 >= 3 && memcmp(csv1, "\xef\xbb\xbf", 3) == 0) {
		free(csv1);
		free(bin);
		return 0;
	}
	csv2 = convert(csv1, len1, PP_FMT_CSV, &len2, &rows2, &sk2);
	if (csv2 == NULL || rows2 != rows) {
		fprintf(stderr, "CSV round trip: %ld rows became %ld:\n%.*s\n",
		    rows, csv2 ? rows2 : -1L, (int)len1, csv1);
		abort();
	}
	if (sk == 0 && !is_bin && (len1 != len2 || memcmp(csv1, csv2, len1) != 0)) {
		fprintf(stderr, "CSV output is not a fixed point:\n%.*s\n---\n"
		    "%.*s\n", (int)len1, csv1, (int)len2, csv2);
		abort();
	}
	free(csv1);
	free(csv2);
	free(bin);
	return 0;
}
