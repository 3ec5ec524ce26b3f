/*
 * cpus.c - the processors a process may use (cpus.h).  The one idea: the
 * smallest of the machine's count, the affinity mask and the cgroup v2
 * quotas on the way up to the root, each optional.
 */
#define _GNU_SOURCE		/* sched_getaffinity, CPU_COUNT */
#include "cpus.h"

#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "num.h"
#include "banned.h"

int
pp_cpus_from_cpu_max(const char *line)
{
	const char *sp = strchr(line, ' ');
	int64_t quota, period;

	if (sp == NULL)
		return -1;
	/* "max" is no number: no limit. */
	if (pp_parse_int64(line, (size_t)(sp - line), &quota) == -1 ||
	    pp_parse_int64(sp + 1, strcspn(sp + 1, "\n"), &period) == -1 ||
	    quota < 1 || period < 1)
		return -1;
	quota = quota / period + (quota % period != 0);
	return quota > 4096 ? 4096 : (int)quota;
}

/* The cgroup v2 path of this process ("/a/b"), from /proc/self/cgroup's
 * "0::" line; 0, or -1 without one (cgroup v1 alone, no /proc). */
static int
cgroup_path(char *path, size_t size)
{
	FILE *fp = fopen("/proc/self/cgroup", "r");
	char line[4096];
	int rc = -1;

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			if (strlen(line + 3) < size) {
				memcpy(path, line + 3, strlen(line + 3) + 1);
				rc = 0;
			}
			break;
		}
	fclose(fp);
	return rc;
}

/* The smallest cpu.max quota of the cgroup at path and those above it;
 * -1 for none. */
static int
cgroup_quota(void)
{
	char path[4096], file[4200], line[128];
	int best = -1, n;
	char *slash;
	FILE *fp;

	if (cgroup_path(path, sizeof(path)) == -1)
		return -1;
	for (;;) {
		snprintf(file, sizeof(file), "/sys/fs/cgroup%s/cpu.max",
		    strcmp(path, "/") == 0 ? "" : path);
		if ((fp = fopen(file, "r")) != NULL) {
			if (fgets(line, sizeof(line), fp) != NULL &&
			    (n = pp_cpus_from_cpu_max(line)) > 0 &&
			    (best < 0 || n < best))
				best = n;
			fclose(fp);
		}
		if ((slash = strrchr(path, '/')) == NULL || slash == path)
			break;
		*slash = '\0';
	}
	return best;
}

int
pp_cpus_available(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int n = online < 1 ? 1 : online > 4096 ? 4096 : (int)online, q;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    CPU_COUNT(&set) > 0 && CPU_COUNT(&set) < n)
		n = CPU_COUNT(&set);
	if ((q = cgroup_quota()) > 0 && q < n)
		n = q;
	return n;
}
