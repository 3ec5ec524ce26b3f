/*
 * nothread.so: an LD_PRELOAD shim that makes pthread_create fail, to test
 * that a program whose work goes to threads does it on fewer (or on its
 * own thread) when the system will not give it more, instead of failing,
 * crashing or waiting for ever.
 *
 *	PP_NOTHREAD=N    the Nth pthread_create from the start of the
 *	                 process and every later one fail with EAGAIN, as
 *	                 they do at RLIMIT_NPROC; 1: no thread starts;
 *	                 0 or unset: every one starts (counting only)
 *	PP_NOTHREAD_COUNT=FILE
 *	                 at exit, append the number of calls to FILE: what
 *	                 a clean run does, to choose the points of a sweep
 *
 * It replaces nothing else (not malloc, unlike fault.so), so it loads
 * under ThreadSanitizer too.  Test-only, never installed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

typedef int create_fn(pthread_t *, const pthread_attr_t *,
    void *(*)(void *), void *);

static atomic_long calls;

static void
report(void)
{
	const char *f = getenv("PP_NOTHREAD_COUNT");
	FILE *fp;

	if (f != NULL && (fp = fopen(f, "a")) != NULL) {
		fprintf(fp, "%ld\n", atomic_load(&calls));
		fclose(fp);
	}
}

__attribute__((constructor)) static void
setup(void)
{
	if (getenv("PP_NOTHREAD_COUNT") != NULL)
		atexit(report);
}

int
pthread_create(pthread_t *th, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	static create_fn *real;
	const char *s = getenv("PP_NOTHREAD");
	long n = atomic_fetch_add(&calls, 1) + 1, from;

	from = s != NULL ? strtol(s, NULL, 10) : 0;
	if (from > 0 && n >= from)
		return EAGAIN;
	if (real == NULL)
		real = (create_fn *)(void (*)(void))dlsym(RTLD_NEXT,
		    "pthread_create");
	return real(th, attr, fn, arg);
}
