/*
 * fuzz_provider.c - a libFuzzer target for the provider CSV layouts that
 * pp-fetch reads (lib/ohlcv.c: Yahoo, Stooq, Alpha Vantage, frames, and
 * other headers found by name): files and HTTP bodies from outside.
 * `make check` replays tests/fuzz/corpus/provider through it; `make fuzz`
 * runs it FUZZ_TIME seconds under libFuzzer, ASan and UBSan.
 *
 * The input is read as a CSV file ("mem", symbol "SYM" unless it has a
 * symbol column), once strictly and once with --skip-bad.  Beyond "no
 * crash, no leak, no undefined behaviour", it checks:
 *   - a refusal is one printable line that names the input ("mem...");
 *   - every bar passes pp_ohlcv_check;
 *   - no partial success: the strict read's bars are the first bars of
 *     the skipping read (a bad row never changes the bars around it), and
 *     a strict read that fails stops at a row the skipping read skips;
 *   - the bars, written as a frame and read back, are the same bars, bit
 *     for bit (the frame layout round-trips).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frame.h"
#include "ohlcv.h"
#include "banned.h"

#define MAX_BARS 500

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bars {
	struct pp_ohlcv_row b[MAX_BARS];
	char sym[MAX_BARS][72];
	size_t n, skipped;
	int failed;		/* 1 if the read ended in an error */
};

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "%s%s%s\n", what, msg ? ": " : "", msg ? msg : "");
	abort();
}

static void
check_msg(const struct pp_err *e)
{
	const char *p;

	if (strncmp(e->msg, "mem", 3) != 0)
		die("message does not name the input", e->msg);
	for (p = e->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			die("message is not one printable line", e->msg);
}

/* Read the bars of p[0..n) into out; 0, or -1 if it could not start. */
static int
read_bars(const void *p, size_t n, int skip_bad, struct bars *out)
{
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_ohlcv_in_opts o = PP_OHLCV_IN_OPTS_INIT;
	struct pp_err e = PP_ERR_INIT;
	struct pp_ohlcv_row row;
	struct pp_ohlcv_in *in = NULL;
	struct pp_reader *r;
	FILE *fp = fmemopen((void *)p, n, "rb");
	int rc;

	out->n = 0;
	out->failed = 0;
	o.fallback = "SYM";
	o.skip_bad = skip_bad;
	ro.infer_rows = 1 << 20;
	if ((r = pp_reader_fopen(fp, "mem", &ro, &e)) == NULL ||
	    (in = pp_ohlcv_in_new(r, &o, &e)) == NULL) {
		check_msg(&e);
		pp_reader_free(r);
		fclose(fp);
		return -1;
	}
	while (out->n < MAX_BARS && (rc = pp_ohlcv_in_next(in, &row, &e)) != 0) {
		struct pp_err ce = PP_ERR_INIT;

		if (rc == -1) {
			check_msg(&e);
			out->failed = 1;
			break;
		}
		if (pp_ohlcv_check(&row, &ce) == -1)
			die("a bar that fails pp_ohlcv_check", ce.msg);
		if (row.symlen >= sizeof(out->sym[0]))
			die("a symbol too long", NULL);
		memcpy(out->sym[out->n], row.sym, row.symlen);
		out->sym[out->n][row.symlen] = '\0';
		out->b[out->n] = row;
		out->b[out->n].sym = out->sym[out->n];
		out->n++;
	}
	out->skipped = pp_ohlcv_in_skipped(in);
	pp_ohlcv_in_free(in);
	pp_reader_free(r);
	fclose(fp);
	return 0;
}

static int
same_bar(const struct pp_ohlcv_row *a, const struct pp_ohlcv_row *b)
{
	return a->symlen == b->symlen && memcmp(a->sym, b->sym, a->symlen) == 0
	    && a->date == b->date && memcmp(&a->open, &b->open,
	    5 * sizeof(double)) == 0;
}

static char *
write_bars(const struct bars *x, size_t *len)
{
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_err e = PP_ERR_INIT;
	union pp_cell c[PP_OHLCV_NCOLS];
	struct pp_schema s;
	struct pp_writer *w;
	char *out = NULL;
	FILE *fp = open_memstream(&out, len);
	size_t i;

	pp_schema_init(&s);
	pp_ohlcv_schema(&s);
	if ((w = pp_writer_new(fp, "out", &s, &o, &e)) == NULL)
		die("writer", e.msg);
	for (i = 0; i < x->n; i++) {
		pp_ohlcv_to_cells(&x->b[i], c);
		if (pp_writer_row(w, c, &e) == -1)
			die("write", e.msg);
	}
	if (pp_writer_finish(w, &e) == -1)
		die("finish", e.msg);
	pp_writer_free(w);
	fclose(fp);
	pp_schema_release(&s);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bars strict, lax, back;
	size_t i, len;
	char *csv;

	if (read_bars(data, size, 0, &strict) == -1) {
		if (read_bars(data, size, 1, &lax) == 0)
			die("starts with --skip-bad but not without", NULL);
		return 0;
	}
	if (read_bars(data, size, 1, &lax) == -1)
		die("starts without --skip-bad but not with it", NULL);
	if (lax.n < strict.n)
		die("--skip-bad gives fewer bars", NULL);
	for (i = 0; i < strict.n; i++)
		if (!same_bar(&strict.b[i], &lax.b[i]))
			die("--skip-bad changes a bar before the bad row", NULL);
	if (strict.failed && lax.skipped == 0 && !lax.failed &&
	    lax.n < MAX_BARS)
		die("a strict read fails where nothing is skipped", NULL);
	if (strict.n == 0)
		return 0;
	csv = write_bars(&strict, &len);
	if (read_bars(csv, len, 0, &back) == -1 || back.failed ||
	    back.n != strict.n)
		die("the bars, written as a frame, do not read back", csv);
	for (i = 0; i < strict.n; i++)
		if (!same_bar(&strict.b[i], &back.b[i]))
			die("a bar changed through a frame", csv);
	free(csv);
	return 0;
}
