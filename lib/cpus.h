/*
 * cpus.h - how many processors this process may use: the default of every
 * --threads option and of the CSV threads.
 *
 * sysconf(_SC_NPROCESSORS_ONLN) counts the machine's processors, not the
 * ones a process may run on: taskset, a container's cpuset or a cgroup v2
 * CPU quota (docker --cpus, systemd CPUQuota=) give fewer, and threads
 * beyond them only queue.  Nothing here allocates or fails: what cannot be
 * read is taken as no limit.
 */
#ifndef PP_CPUS_H
#define PP_CPUS_H

/* The processors this process may use, at least 1: the CPUs of its
 * affinity mask (sched_getaffinity), no more than its cgroup v2 quota
 * allows (cpu.max of its cgroup and every cgroup above it, rounded up). */
int pp_cpus_available(void);

/* The processors a cgroup v2 cpu.max line allows: "max 100000" (or an
 * empty or unreadable line) is -1, no limit; "150000 100000" is 2 (a
 * quota rounded up, at least 1). */
int pp_cpus_from_cpu_max(const char *line);

#endif
