/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_KSTATS_H
#define ALLOCBENCH_KSTATS_H

#include "result.h"

#define KSTATS_MAX	256

/* "name value" counters from a kernel text file, read before and after. */
struct kstats {
	const char *path;
	const char *prefix;	/* added to names in the record */
	const char *const *gauges; /* names reported as they are, not as deltas */
	int nr;
	char names[KSTATS_MAX][48];
	long long before[KSTATS_MAX];
};

int kstats_read(const char *path, char names[][48], long long *vals, int max);
void kstats_begin(struct kstats *k, const char *path, const char *prefix,
		  const char *const *gauges);
void kstats_end(struct kstats *k, struct result_counts *out);

#endif
