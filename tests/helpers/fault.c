/*
 * fault.so: an LD_PRELOAD shim that makes writes, fsync, rename or one
 * allocation fail, to test what a program leaves behind when the disk
 * fills up or the machine runs out of memory.
 *
 *	PP_FAULT_BYTES=N     once N bytes have gone out, writes fail: the
 *	                     write that crosses N writes what fits and
 *	                     reports the rest failed, every later one fails
 *	PP_FAULT_ERRNO=E     ENOSPC (the default) or EIO
 *	PP_FAULT_FSYNC=1     fsync and fdatasync fail with E
 *	PP_FAULT_RENAME=1    rename fails with E
 *	PP_FAULT_MALLOC=N    the Nth malloc, calloc or realloc from the
 *	                     start of main() returns NULL (once)
 *	PP_FAULT_PATH=P      count and fail only writes to files whose path
 *	                     starts with P (a server's log, not its sockets
 *	                     and wake-up pipes)
 *	PP_FAULT_COUNT=FILE  at exit, append "BYTES ALLOCATIONS" to FILE:
 *	                     what a clean run does, to choose the points
 *	                     of a sweep
 *
 * Bytes are counted where a program hands them over: the file descriptor
 * calls (write, pwrite, pwrite64, writev: SQLite's) and the stdio entry
 * points (fwrite, fputs, fputc, putc, fprintf, vfprintf), since glibc's
 * stdio writes its buffers through an internal call no preload can see.
 * A stdio call that fails marks its stream in error, as a real failed
 * flush would, and fflush and fclose of that stream then fail too.
 * Standard error is never counted or failed: the message must get out.
 *
 * Under AddressSanitizer the shim cannot load: the ASan runtime must come
 * first in the library list, and it owns malloc.  Test-only, like
 * stall.c: built into BUILD/tests/helpers/, never installed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static long long budget = -1;	/* bytes left before writes fail; -1 off */
static long long written;	/* bytes counted so far */
static long alloc_at = -1;	/* the allocation to fail; -1 off */
static long allocs;		/* allocations so far */
static int fail_errno = ENOSPC, fail_fsync, fail_rename, ready;
static const char *count_file, *only_path;

static void
setup(void)
{
	const char *s;

	if (ready)
		return;
	ready = 1;
	if ((s = getenv("PP_FAULT_BYTES")) != NULL)
		budget = strtoll(s, NULL, 10);
	if ((s = getenv("PP_FAULT_ERRNO")) != NULL && strcmp(s, "EIO") == 0)
		fail_errno = EIO;
	fail_fsync = getenv("PP_FAULT_FSYNC") != NULL;
	fail_rename = getenv("PP_FAULT_RENAME") != NULL;
	if ((s = getenv("PP_FAULT_MALLOC")) != NULL)
		alloc_at = strtol(s, NULL, 10);
	count_file = getenv("PP_FAULT_COUNT");
	only_path = getenv("PP_FAULT_PATH");
}

/* 1 if writes to fd are this shim's to count and fail. */
static int
mine(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	setup();
	if (fd == 2)
		return 0;
	if (only_path == NULL)
		return 1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) < 0)
		return 0;
	path[n] = '\0';
	return strncmp(path, only_path, strlen(only_path)) == 0;
}

static void *
real(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* How many of n bytes may go out now: n, or fewer once the budget is
 * spent (then errno is set for the caller to report). */
static size_t
allow(size_t n)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

	setup();
	pthread_mutex_lock(&mu);	/* the frame writer has a thread */
	written += (long long)n;
	if (budget >= 0 && (long long)n > budget) {
		n = (size_t)budget;
		budget = 0;
	} else if (budget >= 0) {
		budget -= (long long)n;
	}
	pthread_mutex_unlock(&mu);
	return n;
}

/* ---- file descriptors ------------------------------------------------ */

ssize_t
write(int fd, const void *p, size_t n)
{
	static ssize_t (*w)(int, const void *, size_t);
	size_t ok;

	if (w == NULL)
		*(void **)&w = real("write");
	if (!mine(fd))
		return w(fd, p, n);
	if ((ok = allow(n)) == 0 && n > 0) {
		errno = fail_errno;
		return -1;
	}
	return w(fd, p, ok);
}

ssize_t
pwrite(int fd, const void *p, size_t n, off_t off)
{
	static ssize_t (*w)(int, const void *, size_t, off_t);
	size_t ok;

	if (w == NULL)
		*(void **)&w = real("pwrite");
	if (!mine(fd))
		return w(fd, p, n, off);
	if ((ok = allow(n)) == 0 && n > 0) {
		errno = fail_errno;
		return -1;
	}
	return w(fd, p, ok, off);
}

ssize_t
pwrite64(int fd, const void *p, size_t n, off_t off)
{
	static ssize_t (*w)(int, const void *, size_t, off_t);
	size_t ok;

	if (w == NULL)
		*(void **)&w = real("pwrite64");
	if (!mine(fd))
		return w(fd, p, n, off);
	if ((ok = allow(n)) == 0 && n > 0) {
		errno = fail_errno;
		return -1;
	}
	return w(fd, p, ok, off);
}

ssize_t
writev(int fd, const struct iovec *v, int cnt)
{
	static ssize_t (*w)(int, const struct iovec *, int);
	size_t n = 0;
	int i;

	if (w == NULL)
		*(void **)&w = real("writev");
	if (!mine(fd))
		return w(fd, v, cnt);
	for (i = 0; i < cnt; i++)
		n += v[i].iov_len;
	if (allow(n) < n) {
		errno = fail_errno;
		return -1;
	}
	return w(fd, v, cnt);
}

int
fsync(int fd)
{
	static int (*f)(int);

	setup();
	if (f == NULL)
		*(void **)&f = real("fsync");
	if (fail_fsync) {
		errno = fail_errno;
		return -1;
	}
	return f(fd);
}

int
fdatasync(int fd)
{
	static int (*f)(int);

	setup();
	if (f == NULL)
		*(void **)&f = real("fdatasync");
	if (fail_fsync) {
		errno = fail_errno;
		return -1;
	}
	return f(fd);
}

int
rename(const char *from, const char *to)
{
	static int (*f)(const char *, const char *);

	setup();
	if (f == NULL)
		*(void **)&f = real("rename");
	if (fail_rename) {
		errno = fail_errno;
		return -1;
	}
	return f(from, to);
}

/* ---- stdio ----------------------------------------------------------- */

#define MAX_BAD 64
static FILE *bad[MAX_BAD];	/* streams a failed write put in error */

static int
is_bad(FILE *fp)
{
	int i;

	for (i = 0; i < MAX_BAD; i++)
		if (bad[i] == fp)
			return 1;
	return 0;
}

static void
mark_bad(FILE *fp)
{
	int i;

	fp->_flags |= 0x20;	/* _IO_ERR_SEEN: what ferror() reads */
	for (i = 0; i < MAX_BAD; i++)
		if (bad[i] == NULL || bad[i] == fp) {
			bad[i] = fp;
			return;
		}
}

size_t
fwrite(const void *p, size_t size, size_t nmemb, FILE *fp)
{
	static size_t (*f)(const void *, size_t, size_t, FILE *);
	size_t n = size * nmemb, ok;

	if (f == NULL)
		*(void **)&f = real("fwrite");
	if (fp == stderr || size == 0 || !mine(fileno(fp)))
		return f(p, size, nmemb, fp);
	if (is_bad(fp)) {
		errno = fail_errno;
		return 0;
	}
	if ((ok = allow(n)) < n) {
		f(p, 1, ok, fp);
		mark_bad(fp);
		errno = fail_errno;
		return ok / size;
	}
	return f(p, size, nmemb, fp);
}

int
fputs(const char *s, FILE *fp)
{
	size_t n = strlen(s);

	if (fp == stderr) {
		static int (*f)(const char *, FILE *);

		if (f == NULL)
			*(void **)&f = real("fputs");
		return f(s, fp);
	}
	return fwrite(s, 1, n, fp) == n ? 1 : EOF;
}

int
fputc(int c, FILE *fp)
{
	unsigned char b = (unsigned char)c;

	if (fp == stderr) {
		static int (*f)(int, FILE *);

		if (f == NULL)
			*(void **)&f = real("fputc");
		return f(c, fp);
	}
	return fwrite(&b, 1, 1, fp) == 1 ? b : EOF;
}

int
putc(int c, FILE *fp)
{
	return fputc(c, fp);
}

int
vfprintf(FILE *fp, const char *fmt, va_list ap)
{
	static int (*f)(FILE *, const char *, va_list);
	char small[512], *p = small;
	va_list aq;
	int n;

	if (f == NULL)
		*(void **)&f = real("vfprintf");
	if (fp == stderr)
		return f(fp, fmt, ap);
	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(small)) {
		if ((p = malloc((size_t)n + 1)) == NULL)
			return -1;
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	}
	if (fwrite(p, 1, (size_t)n, fp) != (size_t)n)
		n = -1;
	if (p != small)
		free(p);
	return n;
}

int
fprintf(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(fp, fmt, ap);
	va_end(ap);
	return n;
}

int
fflush(FILE *fp)
{
	static int (*f)(FILE *);

	if (f == NULL)
		*(void **)&f = real("fflush");
	if (fp != NULL && is_bad(fp)) {
		errno = fail_errno;
		return EOF;
	}
	return f(fp);
}

int
fclose(FILE *fp)
{
	static int (*f)(FILE *);
	int was_bad = is_bad(fp), i;

	if (f == NULL)
		*(void **)&f = real("fclose");
	for (i = 0; i < MAX_BAD; i++)
		if (bad[i] == fp)
			bad[i] = NULL;
	if (f(fp) != 0 || was_bad) {
		errno = fail_errno;
		return EOF;
	}
	return 0;
}

/* ---- memory ---------------------------------------------------------- */

/* Allocations are counted from main() on: what the libraries' own
 * constructors allocate (OpenBLAS's buffers) is no program's to handle,
 * and they die with their own words. */
static int in_main;

int __libc_start_main(int (*)(int, char **, char **), int, char **,
    void (*)(void), void (*)(void), void (*)(void), void *);

int
__libc_start_main(int (*m)(int, char **, char **), int argc, char **argv,
    void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
    void *stack)
{
	static int (*f)(int (*)(int, char **, char **), int, char **,
	    void (*)(void), void (*)(void), void (*)(void), void *);

	*(void **)&f = real("__libc_start_main");
	in_main = 1;
	return f(m, argc, argv, init, fini, rtld_fini, stack);
}

static int
fail_alloc(void)
{
	setup();
	return in_main && ++allocs == alloc_at;
}

void *
malloc(size_t n)
{
	if (fail_alloc()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	if (fail_alloc()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	if (fail_alloc()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}

__attribute__((destructor)) static void
report(void)
{
	FILE *fp;

	if (count_file == NULL || (fp = fopen(count_file, "a")) == NULL)
		return;
	budget = -1;
	fprintf(fp, "%lld %ld\n", written, allocs);
	fclose(fp);
}
