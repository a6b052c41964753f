// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cli.h"
#include "plan.h"

static int plan(const char *wls, const int *t, int nt, char **params, int np,
		char **out, char *err)
{
	size_t len = 0;
	FILE *f = open_memstream(out, &len);
	int ret = plan_print(f, wls, t, nt, params, np, err, ERR_LEN);

	fclose(f);
	return ret;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void default_sweep_of_htab_churn(void **state)
{
	int t[] = { 1, 2 };
	char err[ERR_LEN], *out;

	assert_int_equal(plan("htab_churn", t, 2, NULL, 0, &out, err), 0);
	/* 3 cases x 2 maps x 2 thread counts, but no add_del_on_diff_cpu at 1 */
	assert_int_equal(count_lines(out), 10);
	assert_non_null(strstr(out, "htab_churn/case=add_del_on_diff_cpu,map=prealloc,"));
	assert_null(strstr(out, "--threads 1 --param case=add_del_on_diff_cpu"));
	assert_non_null(strstr(out, "\thtab_churn --threads 2 --param case=overwrite"));
	free(out);
}

static void listed_values_are_swept_and_one_value_fixes(void **state)
{
	char p1[] = "case=overwrite,add_del_on_diff_cpu", p2[] = "pressure=none,anon";
	char p3[] = "map=noprealloc", *params[] = { p1, p2, p3 };
	char err[ERR_LEN], *out;
	int t[] = { 2 };

	assert_int_equal(plan("htab_churn,nmi_alloc", t, 1, params, 3, &out, err), 0);
	/* htab_churn 2 cases x 2 pressures, nmi_alloc 2 pressures */
	assert_int_equal(count_lines(out), 6);
	assert_null(strstr(out, "map=prealloc"));
	assert_null(strstr(out, "batch_add_batch_del"));
	free(out);
}

static void bad_plans_say_why(void **state)
{
	char p1[] = "case=sideways", p2[] = "colour=red", *params[] = { p1 };
	char *params2[] = { p2 };
	char err[ERR_LEN], *out;
	int t[] = { 1 };

	assert_int_not_equal(plan("htab_churn", t, 1, params, 1, &out, err), 0);
	assert_non_null(strstr(err, "sideways"));
	free(out);
	assert_int_not_equal(plan(NULL, t, 1, params2, 1, &out, err), 0);
	assert_non_null(strstr(err, "colour"));
	free(out);
	assert_int_not_equal(plan("nosuch", t, 1, NULL, 0, &out, err), 0);
	assert_non_null(strstr(err, "nosuch"));
	free(out);
}

/* Fifteen long --param values once overran the argument buffer. */
static void long_parameters_are_refused_not_overrun(void **state)
{
	char *params[15], err[ERR_LEN], *out;
	int t[] = { 1 };

	assert_int_equal(plan("htab_churn", t, 1, params, 0, &out, err), 0);
	free(out);
	for (int i = 0; i < 15; i++) {
		params[i] = malloc(260);
		memset(params[i], '0', 259);
		memcpy(params[i], "value_size=", 11);
		params[i][258] = '8';
		params[i][259] = '\0';
	}
	assert_int_not_equal(plan("htab_churn", t, 1, params, 12, &out, err), 0);
	assert_non_null(strstr(err, "too long"));
	free(out);
	assert_int_not_equal(plan("htab_churn", t, 1, params, 15, &out, err), 0);
	assert_non_null(strstr(err, "too many parameters"));
	free(out);
	for (int i = 0; i < 15; i++)
		free(params[i]);
}

static void default_threads(void **state)
{
	int t[16];

	assert_int_equal(plan_default_threads(t, 16, 1), 1);
	assert_int_equal(plan_default_threads(t, 16, 6), 4);	/* 1 2 4 6 */
	assert_int_equal(t[3], 6);
	assert_int_equal(plan_default_threads(t, 16, 72), 8);	/* 1..64, 72 */
	assert_int_equal(t[7], 72);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_sweep_of_htab_churn),
		cmocka_unit_test(listed_values_are_swept_and_one_value_fixes),
		cmocka_unit_test(bad_plans_say_why),
		cmocka_unit_test(long_parameters_are_refused_not_overrun),
		cmocka_unit_test(default_threads),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
