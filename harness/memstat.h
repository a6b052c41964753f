/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_MEMSTAT_H
#define ALLOCBENCH_MEMSTAT_H

#include <limits.h>

enum mem_source {
	MEM_NONE,
	MEM_CGROUP2,		/* a cgroup v2 of our own with memcg */
	MEM_CGROUP1,		/* a v1 memory cgroup of our own */
	MEM_MEMINFO_SLAB,	/* system-wide Slab + Percpu from /proc/meminfo */
};

struct memstat {
	enum mem_source src;
	char dir[PATH_MAX];	/* our cgroup */
	char home[PATH_MAX];	/* cgroup.procs to go back to */
	long long base;		/* bytes when the workload's own memory starts */
	long long peak;		/* highest sample seen */
	long long last;
};

int memstat_start(struct memstat *m);
void memstat_rebase(struct memstat *m);
long long memstat_sample(struct memstat *m);
void memstat_finish(struct memstat *m, long long *peak, long long *end,
		    long long *kernel);
long long memstat_now(struct memstat *m);
void memstat_stop(struct memstat *m);
const char *memstat_source_name(const struct memstat *m);

#endif
