/*
 * replay.c - run a libFuzzer harness over its corpus without libFuzzer,
 * as a cmocka suite of `make check`.
 *
 * The Makefile links this main with one tests/fuzz/fuzz_NAME.c into
 * BUILD/tests/test_fuzz_NAME (plain and ASan+UBSan builds, gcc), so the
 * properties each harness asserts (round trips, one-line errors, no
 * partial success) are checked on every run against every file of
 * tests/fuzz/corpus/NAME (or of the corpus named by NAME's part before
 * its first '_', as `make fuzz` seeds it).  One test per corpus file; a
 * harness that finds a broken property abort()s, which fails the suite
 * with the harness's message on stderr.  Arguments, if given, are the
 * files to replay instead (a crash file from `make fuzz`).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "banned.h"

#ifndef FUZZ_NAME
#error "FUZZ_NAME: the harness's name, as in fuzz_NAME.c"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
replay_one(void **state)
{
	const char *path = *state;
	struct pp_buf b = PP_BUF_INIT;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		fail_msg("%s: cannot open", path);
	if (pp_buf_read_fp(&b, fp, 1 << 20) != 0)
		fail_msg("%s: cannot read it (or over 1 MiB)", path);
	fclose(fp);
	/* A copy of exactly the input's size, so ASan sees an overread. */
	{
		uint8_t *p = malloc(b.len ? b.len : 1);

		assert_non_null(p);
		memcpy(p, b.data, b.len);
		LLVMFuzzerTestOneInput(p, b.len);
		free(p);
	}
	pp_buf_release(&b);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus directory of FUZZ_NAME, or NULL. */
static DIR *
open_corpus(char *dir, size_t n)
{
	const char *name = FUZZ_NAME;
	const char *us = strchr(name, '_');
	DIR *d;

	snprintf(dir, n, "tests/fuzz/corpus/%s", name);
	if ((d = opendir(dir)) != NULL || us == NULL)
		return d;
	snprintf(dir, n, "tests/fuzz/corpus/%.*s", (int)(us - name), name);
	return opendir(dir);
}

int
main(int argc, char *argv[])
{
	struct CMUnitTest *t;
	char **files = NULL, dir[256];
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	DIR *d;
	int rc;

	for (i = 1; i < (size_t)argc; i++) {
		files = realloc(files, (n + 1) * sizeof(*files));
		files[n++] = strdup(argv[i]);
	}
	if (argc == 1) {
		if ((d = open_corpus(dir, sizeof(dir))) == NULL) {
			fprintf(stderr, "replay: no corpus for %s (run from the "
			    "top of the tree)\n", FUZZ_NAME);
			return 1;
		}
		while ((e = readdir(d)) != NULL) {
			struct pp_buf p = PP_BUF_INIT;

			if (e->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				files = realloc(files, cap * sizeof(*files));
			}
			pp_buf_addf(&p, "%s/%s", dir, e->d_name);
			files[n++] = pp_buf_detach(&p, NULL);
		}
		closedir(d);
	}
	if (n == 0) {
		fprintf(stderr, "replay: %s: empty corpus\n", FUZZ_NAME);
		return 1;
	}
	qsort(files, n, sizeof(*files), by_name);
	t = calloc(n, sizeof(*t));
	for (i = 0; i < n; i++) {
		t[i].name = files[i];
		t[i].test_func = replay_one;
		t[i].initial_state = files[i];
	}
	rc = _cmocka_run_group_tests("fuzz_" FUZZ_NAME, t, n, NULL, NULL);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(t);
	return rc;
}
