/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_PRESSURE_H
#define ALLOCBENCH_PRESSURE_H

#include <sys/types.h>
#include <stdbool.h>
#include "kstats.h"
#include "memstat.h"
#include "result.h"

/*
 * Background memory pressure in the same kernel while a point runs: an
 * anonymous-memory hog that holds the system near its free-memory floor,
 * and optionally fio writing through the page cache.
 */
struct pressure {
	const char *mode;	/* "none", "anon", "anon+fio", "memcg" */
	long long free_mb;	/* what the hog leaves available */
	pid_t hog, fio;
	long long min_free_kb, min_avail_kb;
	long long ramp_ms;	/* until MemAvailable reached the floor */
	struct kstats vm;
	char fio_dir[256];
	const char *fio_note;
	bool stopped;
	/* memcg: the run's cgroup limited to its usage + headroom */
	char memcg_limit[PATH_MAX + 32];	/* the limit file written, or "" */
	char memcg_dir[PATH_MAX];
	bool memcg_v2;
	long long memcg_headroom_kb, memcg_base_kb, memcg_limit_kb;
	long long memcg_max_events;		/* v2 memory.events "max" / v1 failcnt at arming */
	long long memcg_max_events_end;
	const char *memcg_note;
	char memcg_oom_adj[16];			/* oom_score_adj to restore */
};

extern const char *const pressure_modes[];

int pressure_start(struct pressure *p, const char *mode, long long free_mb);
void pressure_sample(struct pressure *p);
void pressure_stop(struct pressure *p, struct result_pressure *out);
/*
 * pressure=memcg, once the workload is set up: the run's memory cgroup
 * (memstat's) gets memory.max (v1: memory.limit_in_bytes) = its usage now
 * + headroom_kb, so that __GFP_ACCOUNT charges beyond it fail; allocbench
 * is kept from its OOM killer (oom_score_adj -1000: its own blocking
 * charges are forced past the limit instead); the limit and the score are
 * restored in pressure_stop. Other modes: nothing. 0 or -errno.
 */
int pressure_memcg_arm(struct pressure *p, const struct memstat *m, long long headroom_kb);
/* pressure=memcg's figures as counters (memcg_*), after pressure_stop. */
void pressure_memcg_counters(const struct pressure *p, struct result_counts *c);

#endif
