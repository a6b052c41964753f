/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_PRESSURE_H
#define ALLOCBENCH_PRESSURE_H

#include <sys/types.h>
#include <stdbool.h>
#include "kstats.h"
#include "result.h"

/*
 * Background memory pressure in the same kernel while a point runs: an
 * anonymous-memory hog that holds the system near its free-memory floor,
 * and optionally fio writing through the page cache.
 */
struct pressure {
	const char *mode;	/* "none", "anon", "anon+fio" */
	long long free_mb;	/* what the hog leaves available */
	pid_t hog, fio;
	long long min_free_kb, min_avail_kb;
	long long ramp_ms;	/* until MemAvailable reached the floor */
	struct kstats vm;
	char fio_dir[256];
	const char *fio_note;
	bool stopped;
};

extern const char *const pressure_modes[];

int pressure_start(struct pressure *p, const char *mode, long long free_mb);
void pressure_sample(struct pressure *p);
void pressure_stop(struct pressure *p, struct result_pressure *out);

#endif
