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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_of_memory_names_the_program),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
