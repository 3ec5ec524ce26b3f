/*
 * test_input_hash.c - the digest of an input, read whole or in part.
 *
 * Plan: for inputs of 0, 1, 100 and 300000 bytes (more than a pipe
 * holds, so the writer blocks and the tee reads in several calls), read
 * none, half or all of it through h.fp, then finish: the bytes read are
 * the input's, and the digest is the SHA-256 of the whole input, for a
 * regular file (hashed up front, digest known at open) and for a pipe on
 * stdin (hashed as read, digest known only at finish).  Without hashing
 * the input reads the same and no digest appears.  A missing file is an
 * error naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "input_hash.h"
#include "sha256.h"
#include "banned.h"

static const size_t sizes[] = { 0, 1, 100, 300000 };

static unsigned char *
make_data(size_t n)
{
	unsigned char *d = malloc(n + 1);
	size_t i;

	assert_non_null(d);
	for (i = 0; i < n; i++)
		d[i] = (unsigned char)(i * 7 + i / 251);
	return d;
}

/* Read want bytes from h (fewer at EOF), compare with data, finish, and
 * check the digest. */
static void
consume_and_check(struct pp_input_hash *h, const unsigned char *data, size_t n,
    size_t want)
{
	struct pp_err err = PP_ERR_INIT;
	char hex[PP_SHA256_HEXLEN + 1];
	unsigned char *got = malloc(want + 1);
	size_t k;

	assert_non_null(got);
	k = want > 0 ? fread(got, 1, want, h->fp) : 0;
	assert_int_equal(k, want);
	assert_memory_equal(got, data, k);
	assert_int_equal(pp_input_hash_finish(h, "in", &err), 0);
	pp_sha256_hex(data, n, hex);
	assert_string_equal(h->hex, hex);
	free(got);
}

static void
test_file(void **state)
{
	char path[40];
	size_t i, part;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		unsigned char *data = make_data(n);
		int fd;

		snprintf(path, sizeof(path), "/tmp/test_input_hash.XXXXXX");
		fd = mkstemp(path);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, data, n), (ssize_t)n);
		close(fd);
		for (part = 0; part < 3; part++) {
			struct pp_input_hash h = PP_INPUT_HASH_INIT;
			struct pp_err err = PP_ERR_INIT;
			char hex[PP_SHA256_HEXLEN + 1];

			assert_int_equal(pp_input_hash_open(&h, path, 1, &err), 0);
			assert_int_equal(h.teeing, 0);
			pp_sha256_hex(data, n, hex);
			assert_string_equal(h.hex, hex); /* known at once */
			consume_and_check(&h, data, n, n * part / 2);
			pp_input_hash_close(&h);
		}
		unlink(path);
		free(data);
	}
}

/* Put a pipe on stdin with a child writing data into it. */
static pid_t
pipe_stdin(const unsigned char *data, size_t n)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t off = 0;

		close(p[0]);
		while (off < n) {
			ssize_t w = write(p[1], data + off, n - off);

			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	assert_true(dup2(p[0], STDIN_FILENO) >= 0);
	close(p[0]);
	clearerr(stdin);
	return pid;
}

static void
test_pipe(void **state)
{
	size_t i, part;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		unsigned char *data = make_data(n);

		for (part = 0; part < 3; part++) {
			struct pp_input_hash h = PP_INPUT_HASH_INIT;
			struct pp_err err = PP_ERR_INIT;
			pid_t pid = pipe_stdin(data, n);
			int st;

			assert_int_equal(pp_input_hash_open(&h, "-", 1, &err), 0);
			assert_int_equal(h.teeing, 1);
			assert_string_equal(h.hex, ""); /* not yet */
			consume_and_check(&h, data, n, n * part / 2);
			pp_input_hash_close(&h);
			assert_int_equal(waitpid(pid, &st, 0), pid);
			assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
		free(data);
	}
}

static void
test_no_hash(void **state)
{
	char path[40];
	unsigned char *data = make_data(100);
	unsigned char got[101];
	struct pp_input_hash h = PP_INPUT_HASH_INIT;
	struct pp_err err = PP_ERR_INIT;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_input_hash.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, 100), 100);
	close(fd);
	assert_int_equal(pp_input_hash_open(&h, path, 0, &err), 0);
	assert_int_equal(fread(got, 1, sizeof(got), h.fp), 100);
	assert_memory_equal(got, data, 100);
	assert_int_equal(pp_input_hash_finish(&h, path, &err), 0);
	assert_string_equal(h.hex, "");
	pp_input_hash_close(&h);
	unlink(path);
	free(data);
}

static void
test_missing(void **state)
{
	struct pp_input_hash h = PP_INPUT_HASH_INIT;
	struct pp_err err = PP_ERR_INIT;

	(void)state;
	assert_int_equal(pp_input_hash_open(&h, "/nonexistent/x.csv", 1, &err), -1);
	assert_string_equal(err.msg,
	    "/nonexistent/x.csv: No such file or directory");
	pp_input_hash_close(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_no_hash),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
