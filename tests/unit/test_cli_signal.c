/*
 * test_cli_signal.c - pp_cli_on_signal and the finishing section
 * (lib/cli.c), each case in a child process that a signal kills:
 *
 *  - a signal while working: fn runs, then the process dies of it;
 *  - a signal before pp_cli_finish_begin: begin never returns, fn runs;
 *  - a signal inside the finishing section: the section completes, fn
 *    does not run, and the process dies of the signal at the end.
 *
 * The child reports what happened as bytes on a pipe ('f' from fn, 'd'
 * when the section is done), so the parent sees the order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "banned.h"

static int report_fd = -1;

static void
say(char c)
{
	if (write(report_fd, &c, 1) != 1)
		_exit(3);
}

static void
on_sig(int sig, void *arg)
{
	(void)arg;
	say(sig == SIGTERM ? 'f' : '?');
}

static void
nap(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

enum when { WORKING, BEFORE_FINISH, WHILE_FINISHING };

/* Run the case in a child; return what it said, and its wait status. */
static void
run_case(enum when w, char *said, size_t cap, int *status)
{
	int fds[2];
	pid_t pid;
	ssize_t n;
	size_t len = 0;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pp_cli cli;
		char *argv[] = { "test", NULL };

		close(fds[0]);
		report_fd = fds[1];
		pp_cli_init(&cli, "test", "", NULL, 0);
		(void)pp_cli_next(&cli, 1, argv);
		if (pp_cli_on_signal(on_sig, NULL) == -1)
			_exit(4);
		switch (w) {
		case WORKING:
			raise(SIGTERM);
			for (;;)
				nap();
		case BEFORE_FINISH:
			raise(SIGTERM);
			nap();
			pp_cli_finish_begin();
			say('d');	/* must not come */
			_exit(0);
		case WHILE_FINISHING:
			pp_cli_finish_begin();
			raise(SIGTERM);
			nap();
			say('d');
			pp_cli_finish_end();
			for (;;)
				nap();
		}
		_exit(5);
	}
	close(fds[1]);
	while (len + 1 < cap && (n = read(fds[0], said + len, cap - len - 1)) > 0)
		len += (size_t)n;
	said[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, status, 0), pid);
}

static void
test_signal_while_working(void **state)
{
	char said[16];
	int st;

	(void)state;
	run_case(WORKING, said, sizeof(said), &st);
	assert_string_equal(said, "f");
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

static void
test_signal_before_finishing(void **state)
{
	char said[16];
	int st;

	(void)state;
	run_case(BEFORE_FINISH, said, sizeof(said), &st);
	assert_string_equal(said, "f");
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

static void
test_signal_while_finishing(void **state)
{
	char said[16];
	int st;

	(void)state;
	run_case(WHILE_FINISHING, said, sizeof(said), &st);
	assert_string_equal(said, "d");
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_while_working),
		cmocka_unit_test(test_signal_before_finishing),
		cmocka_unit_test(test_signal_while_finishing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
