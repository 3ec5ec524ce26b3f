/*
 * stall.so: an LD_PRELOAD shim that stops a writer at a chosen point so a
 * crash test can kill it there, instead of killing after a guessed sleep.
 *
 *	PP_STALL_STEPS=N PP_STALL_FIFO=PATH LD_PRELOAD=.../stall.so prog ...
 *
 * The Nth call of sqlite3_step() in the process (every row the registry
 * inserts is one) first writes one line, "stalled", into the FIFO at PATH
 * and then waits for a signal forever, inside whatever transaction is
 * open.  The test reads the FIFO and sends SIGKILL: the kill lands after
 * N-1 statements, always, however fast the machine.  Without
 * PP_STALL_STEPS the shim only passes calls through.
 *
 * Test-only by construction: it is built into BUILD/tests/helpers/, never
 * linked into a program or installed, and acts only when preloaded.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

struct sqlite3_stmt;
int sqlite3_step(struct sqlite3_stmt *st);

int
sqlite3_step(struct sqlite3_stmt *st)
{
	static int (*real)(struct sqlite3_stmt *);
	static long calls;
	const char *steps = getenv("PP_STALL_STEPS");
	const char *fifo = getenv("PP_STALL_FIFO");

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "sqlite3_step");
	if (steps != NULL && fifo != NULL && ++calls == strtol(steps, NULL, 10)) {
		int fd = open(fifo, O_WRONLY);

		if (fd != -1) {
			(void)!write(fd, "stalled\n", 8);
			close(fd);
		}
		for (;;)
			pause();
	}
	return real(st);
}
