/*
 * test_util.c - the one message libpp prints itself: out of memory names
 * the program (issue 16: pp-train said "pp: out of memory").
 *
 * Plan: a child process names itself, asks pp_xmalloc for more than any
 * machine has, and must abort with exactly "NAME: out of memory
 * allocating N bytes" on stderr.  Skipped under AddressSanitizer, whose
 * allocator reports the request itself.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"
#include "banned.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static void
test_out_of_memory_names_the_program(void **unused)
{
	size_t huge = SIZE_MAX / 4;
	char got[256], want[256];
	int fd[2], status;
	ssize_t n, len = 0;
	pid_t pid;

	(void)unused;
	if (SANITIZED)
		skip();
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		pp_progname = "pp-unit";
		free(pp_xmalloc(huge));
		_exit(0);
	}
	close(fd[1]);
	while ((n = read(fd[0], got + len, sizeof(got) - 1 - (size_t)len)) > 0)
		len += n;
	got[len] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	snprintf(want, sizeof(want), "pp-unit: out of memory allocating %zu "
	    "bytes\n", huge);
	assert_string_equal(got, want);
}

/* A large block from pp_xmalloc_huge starts on a 2 MiB boundary, holds
 * what is written to it, and grows with realloc keeping it; a small one
 * is an ordinary block. */
static void
test_huge_block(void **unused)
{
	size_t n = PP_HUGE_MIN + 12345, i;
	unsigned char *p, *q;

	(void)unused;
	p = pp_xmalloc_huge(n);
	assert_int_equal((uintptr_t)p % ((uintptr_t)2 << 20), 0);
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7);
	p = pp_xrealloc(p, 2 * n);
	for (i = 0; i < n; i++)
		assert_int_equal(p[i], (unsigned char)(i * 7));
	free(p);
	q = pp_xmalloc_huge(100);
	memset(q, 1, 100);
	free(q);
	pp_huge_pages(NULL, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_of_memory_names_the_program),
		cmocka_unit_test(test_huge_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
