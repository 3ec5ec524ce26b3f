/*
 * fuzz_meta.c - a libFuzzer target for the metadata block of a binary
 * frame (pp-frame(5), version 2).  `make check` replays
 * tests/fuzz/corpus/meta through it; `make fuzz` runs it FUZZ_TIME
 * seconds under libFuzzer, ASan and UBSan.
 *
 * The input is the metadata block alone: the harness wraps it in a valid
 * frame (one float64 column "x", its header CRC computed, one row 1.5), so
 * every input reaches the metadata parser instead of failing the CRC.
 * Beyond "no crash, no leak, no undefined behaviour", it checks:
 *   - a refused block gives one line that names the input ("mem: ...");
 *   - an accepted block holds keys that are unique and pass
 *     pp_meta_check, and the row still reads as 1.5;
 *   - written again (pp_writer with that metadata) and read back, the
 *     frame has the same pairs in the same order, and writing that gives
 *     the same bytes: the block round-trips.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crc32.h"
#include "frame.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t head[] = {
	0x89, 0x50, 0x50, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0x02, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x78
};

/* The chunks of the one-row frame of pp-frame(5). */
static const uint8_t chunks[] = {
	0x50, 0x50, 0x43, 0x4b, 0x01, 0, 0, 0, 0, 0, 0, 0,
	0x08, 0, 0, 0, 0x08, 0, 0, 0, 0x3e, 0x00, 0xf8, 0x3d,
	0, 0, 0, 0, 0, 0, 0xf8, 0x3f,
	0x50, 0x50, 0x43, 0x4b, 0, 0, 0, 0, 0, 0, 0, 0,
	0x08, 0, 0, 0, 0x08, 0, 0, 0, 0x0f, 0x23, 0x74, 0x1a,
	0x01, 0, 0, 0, 0, 0, 0, 0
};

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "%s%s%s\n", what, msg ? ": " : "", msg ? msg : "");
	abort();
}

/* Read frame bytes; copy its metadata into m.  0, or -1 with err. */
static int
read_frame(const char *p, size_t n, struct pp_meta *m, struct pp_err *err)
{
	struct pp_read_opts o = PP_READ_OPTS_INIT;
	const union pp_cell *row;
	struct pp_reader *r;
	FILE *fp = fmemopen((void *)p, n, "rb");
	int rc = -1;

	if ((r = pp_reader_fopen(fp, "mem", &o, err)) != NULL) {
		pp_meta_copy(m, pp_reader_meta(r));
		if (pp_reader_next(r, &row, err) != 1 || row[0].f != 1.5)
			die("the row behind the metadata is lost", err->msg);
		rc = 0;
	}
	pp_reader_free(r);
	fclose(fp);
	return rc;
}

static char *
write_frame(const struct pp_meta *m, const struct pp_schema *s, size_t *n)
{
	struct pp_write_opts o = PP_WRITE_OPTS_INIT;
	struct pp_err e = PP_ERR_INIT;
	union pp_cell c = { .f = 1.5 };
	struct pp_writer *w;
	char *out = NULL;
	FILE *fp = open_memstream(&out, n);

	o.format = PP_FMT_BIN;
	o.meta = m;
	if ((w = pp_writer_new(fp, "out", s, &o, &e)) == NULL ||
	    pp_writer_row(w, &c, &e) == -1 || pp_writer_finish(w, &e) == -1)
		die("writing accepted metadata", e.msg);
	pp_writer_free(w);
	fclose(fp);
	return out;
}

static void
same_meta(const struct pp_meta *a, const struct pp_meta *b)
{
	size_t i;

	if (a->n != b->n)
		die("metadata pairs lost in a round trip", NULL);
	for (i = 0; i < a->n; i++)
		if (strcmp(a->key[i], b->key[i]) != 0 ||
		    strcmp(a->val[i], b->val[i]) != 0)
			die("metadata pair changed in a round trip", a->key[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_meta m1, m2;
	struct pp_err e = PP_ERR_INIT;
	struct pp_schema s;
	struct pp_buf b = PP_BUF_INIT;
	char *w1, *w2;
	size_t n1, n2, i, j;
	uint32_t crc;
	uint8_t le[4];

	pp_buf_add(&b, head, sizeof(head));
	pp_buf_add(&b, data, size);
	crc = pp_crc32(0, b.data, b.len);
	for (i = 0; i < 4; i++)
		le[i] = (uint8_t)(crc >> (8 * i));
	pp_buf_add(&b, le, 4);
	pp_buf_add(&b, chunks, sizeof(chunks));
	pp_meta_init(&m1);
	pp_meta_init(&m2);
	if (read_frame(b.data, b.len, &m1, &e) == -1) {
		if (strncmp(e.msg, "mem", 3) != 0 || strchr(e.msg, '\n'))
			die("bad message shape", e.msg);
		goto out;
	}
	for (i = 0; i < m1.n; i++) {
		if (pp_meta_check(m1.key[i], strlen(m1.key[i]), m1.val[i],
		    strlen(m1.val[i]), &e) == -1)
			die("accepted a pair pp_meta_check refuses", e.msg);
		for (j = 0; j < i; j++)
			if (strcmp(m1.key[i], m1.key[j]) == 0)
				die("accepted a key twice", m1.key[i]);
	}
	pp_schema_init(&s);
	(void)pp_schema_add(&s, "x", PP_T_F64, &e);
	w1 = write_frame(&m1, &s, &n1);
	if (read_frame(w1, n1, &m2, &e) == -1)
		die("a frame written with accepted metadata is refused", e.msg);
	same_meta(&m1, &m2);
	w2 = write_frame(&m2, &s, &n2);
	if (n1 != n2 || memcmp(w1, w2, n1) != 0)
		die("metadata written twice differs", NULL);
	free(w1);
	free(w2);
	pp_schema_release(&s);
out:
	pp_meta_release(&m1);
	pp_meta_release(&m2);
	pp_buf_release(&b);
	return 0;
}
