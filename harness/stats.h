/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_STATS_H
#define ALLOCBENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

struct summary {
	double mean;
	double stddev;		/* sample standard deviation (n - 1) */
};

void stats_summary(const double *x, size_t n, struct summary *s);
uint64_t stats_hist_percentile(const uint64_t *hist, size_t nr, double pct);

#endif
