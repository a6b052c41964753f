// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cli.h"

static int parse(const char *line, struct point *pt, struct run_opts *ro, char *err)
{
	static char buf[512];
	char *argv[32], *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok_r(buf, " ", &save); t && argc < 32; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	memset(ro, 0, sizeof(*ro));
	if (point_parse(argc, argv, pt, ro, 8, err, ERR_LEN))
		return -1;
	return point_validate(pt, err, ERR_LEN);
}

static void good_point_gets_defaults(void **state)
{
	struct point pt;
	struct run_opts ro;
	char err[ERR_LEN], id[512];

	assert_int_equal(parse("htab_churn --threads 2 --duration 3 --warmup 0 "
			       "--param case=add_del_on_diff_cpu --run-id r1 --ctx vcpus=2",
			       &pt, &ro, err), 0);
	assert_int_equal(pt.threads, 2);
	assert_int_equal(pt.duration, 3);
	assert_int_equal(pt.warmup, 0);
	assert_string_equal(point_str(&pt, "case"), "add_del_on_diff_cpu");
	assert_string_equal(point_str(&pt, "map"), "noprealloc");
	assert_int_equal(point_int(&pt, "value_size"), 8);
	assert_string_equal(ro.run_id, "r1");
	assert_int_equal(ro.nr_ctx, 1);
	assert_int_equal(point_id(&pt, id, sizeof(id)), 0);
	assert_string_equal(id, "htab_churn/case=add_del_on_diff_cpu,map=noprealloc,"
			    "value_size=8,max_entries=8192,batch=64,batches=16,method=suite,trigger=auto,pressure=none,"
			    "pressure_floor_mb=64/t2");
}

static void same_point_same_id_whatever_the_order(void **state)
{
	struct point a, b;
	struct run_opts ro;
	char err[ERR_LEN], ia[512], ib[512];

	assert_int_equal(parse("htab_churn --param map=prealloc --param case=overwrite",
			       &a, &ro, err), 0);
	assert_int_equal(parse("htab_churn --param case=overwrite --param map=prealloc "
			       "--param value_size=8", &b, &ro, err), 0);
	point_id(&a, ia, sizeof(ia));
	point_id(&b, ib, sizeof(ib));
	assert_string_equal(ia, ib);
}

static void user_mistakes_are_named(void **state)
{
	static const struct {
		const char *line, *words;
	} bad[] = {
		{ "nosuch --threads 1", "unknown workload 'nosuch'" },
		{ "htab_churn --threads 0", "--threads '0'" },
		{ "htab_churn --threads 9", "need 1..8" },
		{ "htab_churn --duration 0", "--duration '0'" },
		{ "htab_churn --duration -3", "--duration '-3'" },
		{ "htab_churn --param colour=red", "takes no parameter 'colour'" },
		{ "htab_churn --param case=sideways", "parameter case: 'sideways'" },
		{ "htab_churn --param value_size=big", "parameter value_size: 'big'" },
		{ "htab_churn --param value_size=5000", "parameter value_size: '5000'" },
		{ "htab_churn --param novalue", "is not KEY=VALUE" },
		{ "htab_churn --target moon", "--target 'moon'" },
		{ "htab_churn --frobnicate", "bad or incomplete option" },
		{ "htab_churn stray", "unexpected argument 'stray'" },
		{ "htab_churn --threads 8 --param max_entries=64", "max_entries 64" },
		{ "htab_churn --variant x';system('touch", "--variant" },
		{ "htab_churn --run-id ../../etc", "--run-id" },
		{ "htab_churn --ctx a;b=1", "--ctx" },
		{ "htab_churn --ctx =1", "--ctx" },
	};
	struct point pt;
	struct run_opts ro;
	char err[ERR_LEN];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_not_equal(parse(bad[i].line, &pt, &ro, err), 0);
		if (!strstr(err, bad[i].words))
			fail_msg("'%s': error '%s' does not say '%s'", bad[i].line, err,
				 bad[i].words);
	}
}

static void thread_lists(void **state)
{
	int t[16], n;
	char err[ERR_LEN];

	assert_int_equal(parse_threads_list("1,2,4", t, 16, 72, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(t[2], 4);
	assert_int_equal(parse_threads_list("1-3,8", t, 16, 72, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_int_equal(t[3], 8);
	assert_int_not_equal(parse_threads_list("0,1", t, 16, 72, &n, err, sizeof(err)), 0);
	assert_int_not_equal(parse_threads_list("73", t, 16, 72, &n, err, sizeof(err)), 0);
	assert_int_not_equal(parse_threads_list("4-2", t, 16, 72, &n, err, sizeof(err)), 0);
	assert_int_not_equal(parse_threads_list("two", t, 16, 72, &n, err, sizeof(err)), 0);
	assert_int_not_equal(parse_threads_list("1-40", t, 16, 72, &n, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_point_gets_defaults),
		cmocka_unit_test(same_point_same_id_whatever_the_order),
		cmocka_unit_test(user_mistakes_are_named),
		cmocka_unit_test(thread_lists),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
