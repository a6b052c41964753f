/* SPDX-License-Identifier: GPL-2.0 */
/* What map_perf's program counts, shared with user space. */
#ifndef ALLOCBENCH_MAP_PERF_H
#define ALLOCBENCH_MAP_PERF_H

#include <linux/types.h>

#define MP_MAX_THREADS	72	/* map_perf_test's largest published run */
#define MP_LOOP		10	/* (update, lookup, delete) per system call */

/* Cumulative, all threads: only the unexpected outcomes (no cost when none). */
struct mp_stats {
	__u64 update_fail;	/* bpf_map_update_elem() returned an error */
	__u64 lookup_miss;	/* the element just updated was not found */
	__u64 delete_fail;
	__s64 last_update_err;
};

#endif
