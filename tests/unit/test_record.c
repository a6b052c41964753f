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
#include "record.h"

static json_t *make(void)
{
	char *argv[] = { "htab_churn", "--threads", "2", "--param", "map=prealloc",
			 "--ctx", "vcpus=4", NULL };
	struct run_opts ro = { 0 };
	struct point pt;
	char err[ERR_LEN];

	assert_int_equal(point_parse(7, argv, &pt, &ro, 8, err, sizeof(err)), 0);
	ro.run_id = "run-1";
	ro.variant = "bpf-ma";
	ro.target = "vm";
	ro.accel = "tcg";
	return record_new(&pt, &ro);
}

static void record_has_every_schema_field(void **state)
{
	const double s[] = { 100, 110, 90 };
	json_t *r = make();
	char err[256];

	record_set_samples(r, s, 3);
	record_set_mem(r, 4096, 2048, 1024, "cgroup2");
	record_set_status(r, "ok", NULL);
	assert_int_equal(record_validate(r, err, sizeof(err)), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "schema")), 1);
	assert_string_equal(json_string_value(json_object_get(r, "variant")), "bpf-ma");
	assert_string_equal(json_string_value(json_object_get(r, "accel")), "tcg");
	assert_int_equal(json_integer_value(json_object_get(r, "threads")), 2);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(r, "params"), "map")), "prealloc");
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(r, "params"), "value_size")), 8);
	assert_true(json_real_value(json_object_get(json_object_get(r, "ops_per_sec"),
						    "mean")) == 100.0);
	assert_true(json_real_value(json_object_get(json_object_get(r, "ops_per_sec"),
						    "stddev")) == 10.0);
	assert_int_equal(json_array_size(json_object_get(r, "samples")), 3);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(r, "context"), "vcpus")), "4");
	assert_null(json_object_get(r, "reason"));
	json_decref(r);
}

static void printed_record_is_one_line_that_parses_back(void **state)
{
	json_t *r = make(), *back;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	record_set_status(r, "failed", "verifier said \"no\"\nsecond line");
	assert_int_equal(record_print(r, f), 0);
	fclose(f);
	assert_int_equal(strchr(buf, '\n') - buf, (long)len - 1);
	back = json_loads(buf, 0, NULL);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "reason")),
			    "verifier said \"no\"\nsecond line");
	json_decref(back);
	json_decref(r);
	free(buf);
}

static void counters_add_up(void **state)
{
	json_t *r = make();

	record_add_counter(r, "failures", "ENOMEM", 3);
	record_add_counter(r, "failures", "ENOMEM", 4);
	record_add_counter(r, "counters", "hits", 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "failures"),
							    "ENOMEM")), 7);
	json_decref(r);
}

static void validation_rejects_broken_records(void **state)
{
	json_t *r = make();
	char err[256];

	record_set_status(r, "unsupported", NULL);	/* no reason */
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	record_set_status(r, "exploded", "x");
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	record_set_status(r, "ok", NULL);
	json_object_set_new(r, "schema", json_integer(2));
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "schema"));
	json_object_set_new(r, "schema", json_integer(1));
	json_object_del(r, "mem_bytes");
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "mem_bytes"));
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(record_has_every_schema_field),
		cmocka_unit_test(printed_record_is_one_line_that_parses_back),
		cmocka_unit_test(counters_add_up),
		cmocka_unit_test(validation_rejects_broken_records),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
