// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement loop with a workload of its own: a count the kernel
 * cannot give (a failed map read) or that goes backwards fails the point
 * with the reason, instead of becoming a sample of about 1.8e19.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>
#include "cli.h"
#include "harness.h"

static int reads, fail_at, backwards;

static int fake_setup(struct workload_ctx *ctx)
{
	return 0;
}

static long fake_batch(struct workload_ctx *ctx, int tid)
{
	usleep(1000);
	return 1;
}

static int fake_read_ops(struct workload_ctx *ctx, uint64_t *ops)
{
	reads++;
	if (fail_at && reads >= fail_at)
		return -EBADF;
	*ops = backwards && reads >= 3 ? 5 : (uint64_t)reads * 1000;
	return 0;
}

static const struct param_spec no_params[] = { { 0 } };

static const struct workload fake = {
	.name = "fake",
	.desc = "a workload whose op count the test controls",
	.params = no_params,
	.setup = fake_setup,
	.run_batch = fake_batch,
	.read_ops = fake_read_ops,
};

static void run_fake(struct result *res, struct point *pt)
{
	static struct run_opts ro;

	memset(pt, 0, sizeof(*pt));
	pt->wl = &fake;
	pt->threads = 1;
	pt->duration = 4;
	pt->warmup = 0;
	result_init(res, pt, &ro);
	harness_run(res);
}

static void samples_are_sane(const struct result *res)
{
	for (size_t i = 0; i < res->nr_samples; i++)
		assert_true(res->samples[i] >= 0 && res->samples[i] < 1e9);
}

static void failed_count_read_fails_the_point(void **state)
{
	struct result res;
	struct point pt;

	reads = 0;
	fail_at = 3;
	backwards = 0;
	run_fake(&res, &pt);
	assert_string_equal(res.status, "failed");
	assert_non_null(strstr(res.reason, "reading the op count"));
	assert_true(res.nr_samples < 4);
	samples_are_sane(&res);
	free(res.samples);
}

static void count_going_backwards_fails_the_point(void **state)
{
	struct result res;
	struct point pt;

	reads = 0;
	fail_at = 0;
	backwards = 1;
	run_fake(&res, &pt);
	assert_string_equal(res.status, "failed");
	assert_non_null(strstr(res.reason, "reading the op count"));
	samples_are_sane(&res);
	free(res.samples);
}

static void good_counts_make_an_ok_point(void **state)
{
	struct result res;
	struct point pt;

	reads = 0;
	fail_at = 0;
	backwards = 0;
	run_fake(&res, &pt);
	assert_string_equal(res.status, "ok");
	assert_int_equal(res.nr_samples, 4);
	samples_are_sane(&res);
	free(res.samples);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(failed_count_read_fails_the_point),
		cmocka_unit_test(count_going_backwards_fails_the_point),
		cmocka_unit_test(good_counts_make_an_ok_point),
	};

	return cmocka_run_group_tests_name("harness", tests, NULL, NULL);
}
