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

static struct point pt;
static struct run_opts ro;
static struct result res;

/* A result as the harness starts it, for the point the tests render. */
static struct result *make(void)
{
	char *argv[] = { "htab_churn", "--threads", "2", "--param", "map=prealloc",
			 "--ctx", "vcpus=4", NULL };
	char err[ERR_LEN];

	memset(&ro, 0, sizeof(ro));
	assert_int_equal(point_parse(7, argv, &pt, &ro, 8, err, sizeof(err)), 0);
	ro.run_id = "run-1";
	ro.variant = "bpf-ma";
	ro.target = "vm";
	ro.accel = "tcg";
	result_init(&res, &pt, &ro);
	return &res;
}

static void record_has_every_schema_field(void **state)
{
	double s[] = { 100, 110, 90 };
	struct result *res = make();
	char err[256];
	json_t *r;

	res->samples = s;
	res->nr_samples = 3;
	res->mem = (struct result_mem){ .peak = 4096, .end = 2048, .kernel_end = 1024,
					.idle = 512, .source = "cgroup2" };
	result_set_status(res, "ok", NULL);
	r = result_to_json(res);
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
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "mem_bytes"),
							    "kernel_end")), 1024);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "mem_bytes"),
							    "idle")), 512);
	assert_null(json_object_get(r, "latency_ns"));
	assert_null(json_object_get(r, "pressure"));
	json_decref(r);
}

static void printed_record_is_one_line_that_parses_back(void **state)
{
	struct result *res = make();
	json_t *r, *back;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	result_set_status(res, "failed", "%s", "verifier said \"no\"\nsecond line");
	r = result_to_json(res);
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
	struct result *res = make();
	json_t *r;

	result_add_failure(res, "ENOMEM", 3);
	result_add_failure(res, "ENOMEM", 4);
	result_add_counter(res, "hits", 1);
	result_set_counter(res, "other_errno", 22);
	result_set_counter(res, "other_errno", 95);
	r = result_to_json(res);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "failures"),
							    "ENOMEM")), 7);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "counters"),
							    "hits")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "counters"),
							    "other_errno")), 95);
	json_decref(r);
}

static void validation_rejects_broken_records(void **state)
{
	json_t *r = result_to_json(make());
	char err[256];

	json_object_set_new(r, "status", json_string("unsupported"));
	json_object_del(r, "reason");			/* no reason */
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	json_object_set_new(r, "status", json_string("exploded"));
	json_object_set_new(r, "reason", json_string("x"));
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	json_object_set_new(r, "status", json_string("ok"));
	json_object_del(r, "reason");
	assert_int_equal(record_validate(r, err, sizeof(err)), 0);
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
