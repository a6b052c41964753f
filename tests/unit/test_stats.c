// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include "stats.h"
#include "hist.h"

static void mean_and_sample_stddev(void **state)
{
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct summary s;

	stats_summary(x, 8, &s);
	assert_true(fabs(s.mean - 5.0) < 1e-12);
	/* sample (n - 1) stddev of this set is sqrt(32/7) */
	assert_true(fabs(s.stddev - sqrt(32.0 / 7.0)) < 1e-12);
}

static void one_sample_has_no_spread(void **state)
{
	const double x[] = { 42.5 };
	struct summary s;

	stats_summary(x, 1, &s);
	assert_true(s.mean == 42.5);
	assert_true(s.stddev == 0.0);
	stats_summary(x, 0, &s);
	assert_true(s.mean == 0.0 && s.stddev == 0.0);
}

static void hist_buckets_are_monotonic_and_tight(void **state)
{
	unsigned int prev = 0;

	for (unsigned long long v = 0; v < 1 << 20; v += 1 + v / 64) {
		unsigned int b = hist_bucket(v);

		assert_true(b >= prev);
		assert_true(b < HIST_BUCKETS);
		assert_true(hist_lower(b) <= v);
		if (b + 1 < HIST_BUCKETS)
			assert_true(v < hist_lower(b + 1));
		prev = b;
	}
	assert_int_equal(hist_bucket(~0ULL) < HIST_BUCKETS, 1);
}

static void percentiles_of_a_histogram(void **state)
{
	uint64_t h[HIST_BUCKETS] = { 0 };
	uint64_t p50, p99;

	h[hist_bucket(100)] = 98;	/* 98 fast allocations */
	h[hist_bucket(10000)] = 2;	/* 2 slow ones */
	p50 = stats_hist_percentile(h, HIST_BUCKETS, 50);
	p99 = stats_hist_percentile(h, HIST_BUCKETS, 99);
	assert_true(p50 >= 96 && p50 <= 128);
	assert_true(p99 >= 8192 && p99 <= 12288);
	memset(h, 0, sizeof(h));
	assert_int_equal(stats_hist_percentile(h, HIST_BUCKETS, 50), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mean_and_sample_stddev),
		cmocka_unit_test(one_sample_has_no_spread),
		cmocka_unit_test(hist_buckets_are_monotonic_and_tight),
		cmocka_unit_test(percentiles_of_a_histogram),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
