// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: sample statistics and Welch's t-test. Reference values:
 * Wikipedia's "Welch's t-test" example 1 (t 2.46, df 24.99, p 0.021) and
 * a small case worked by hand (t, df) with p integrated numerically.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "abreport.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_mean_sd(void **state)
{
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	double m, sd;

	stats_mean_sd(x, N(x), &m, &sd);
	assert_float_equal(m, 5.0, 1e-12);
	assert_float_equal(sd, sqrt(32.0 / 7), 1e-12);
	stats_mean_sd(x, 1, &m, &sd);
	assert_float_equal(m, 2.0, 1e-12);
	assert_float_equal(sd, 0.0, 1e-12);
	stats_mean_sd(x, 0, &m, &sd);
	assert_true(isnan(m) && isnan(sd));
}

static void test_welch_wikipedia(void **state)
{
	const double a[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
			     21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
	const double b[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
			     24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };
	struct welch w;

	assert_int_equal(stats_welch(a, N(a), b, N(b), &w), 0);
	assert_float_equal(w.t, 2.4554, 1e-3);
	assert_float_equal(w.df, 24.9885, 1e-3);
	assert_float_equal(w.p, 0.021378, 1e-5);
	/* Swapping the sides flips t, not p. */
	assert_int_equal(stats_welch(b, N(b), a, N(a), &w), 0);
	assert_float_equal(w.t, -2.4554, 1e-3);
	assert_float_equal(w.p, 0.021378, 1e-5);
}

static void test_welch_by_hand(void **state)
{
	const double a[] = { 1, 2, 3, 4, 5 };
	const double b[] = { 2, 4, 6, 8, 10 };
	struct welch w;

	assert_int_equal(stats_welch(a, N(a), b, N(b), &w), 0);
	assert_float_equal(w.t, 3 / sqrt(2.5), 1e-9);
	assert_float_equal(w.df, 6.25 / 1.0625, 1e-9);
	assert_float_equal(w.p, 0.107531, 1e-5);
}

static void test_welch_degenerate(void **state)
{
	const double same[] = { 5, 5, 5 };
	const double other[] = { 6, 6, 6 };
	struct welch w;

	assert_int_equal(stats_welch(same, 3, same, 3, &w), 0);
	assert_float_equal(w.p, 1.0, 0);
	assert_int_equal(stats_welch(same, 3, other, 3, &w), 0);
	assert_float_equal(w.p, 0.0, 0);
	assert_true(w.t > 0 && isinf(w.t));
	assert_int_equal(stats_welch(same, 1, other, 3, &w), -EINVAL);
	assert_true(isnan(w.p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mean_sd),
		cmocka_unit_test(test_welch_wikipedia),
		cmocka_unit_test(test_welch_by_hand),
		cmocka_unit_test(test_welch_degenerate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
