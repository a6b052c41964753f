// SPDX-License-Identifier: GPL-2.0
/* Statistics of samples, with GSL. */
#include <gsl/gsl_statistics_double.h>
#include "stats.h"
#include "hist.h"

void stats_summary(const double *x, size_t n, struct summary *s)
{
	s->mean = n ? gsl_stats_mean(x, 1, n) : 0.0;
	s->stddev = n > 1 ? gsl_stats_sd_m(x, 1, n, s->mean) : 0.0;
}

/*
 * The value below which pct percent of the histogram's counts lie, as the
 * midpoint of the bucket that holds that rank. 0 for an empty histogram.
 */
uint64_t stats_hist_percentile(const uint64_t *hist, size_t nr, double pct)
{
	uint64_t total = 0, seen = 0, rank;
	size_t b;

	for (b = 0; b < nr; b++)
		total += hist[b];
	if (!total)
		return 0;
	rank = (uint64_t)(pct / 100.0 * (double)total + 0.5);
	if (rank < 1)
		rank = 1;
	for (b = 0; b < nr; b++) {
		seen += hist[b];
		if (seen >= rank)
			break;
	}
	if (b >= nr)
		b = nr - 1;
	if (b + 1 >= HIST_BUCKETS || b < 4)
		return hist_lower((unsigned int)b);
	return (hist_lower((unsigned int)b) + hist_lower((unsigned int)b + 1)) / 2;
}
