// SPDX-License-Identifier: GPL-2.0
/* Names, point ids and free text: what the store takes from a record. */
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
#include "validate.h"

static void names(void **state)
{
	assert_true(valid_name("htab_churn"));
	assert_true(valid_name("bpf-ma"));
	assert_true(valid_name("anon+fio"));
	assert_true(valid_name("20261123-043155-host.1"));
	assert_false(valid_name(""));
	assert_false(valid_name(NULL));
	assert_false(valid_name("-x"));
	assert_false(valid_name(".."));
	assert_false(valid_name("a/b"));
	assert_false(valid_name("x';system 'touch HACKED';'"));
	assert_false(valid_name("a b"));
	assert_false(valid_name("$(id)"));
	assert_false(valid_name("<script>"));
	/* 64 characters are a name, 65 are not */
	assert_true(valid_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(valid_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void point_ids(void **state)
{
	assert_true(valid_point_id("null/loops=65536/t1", "null", 1));
	assert_true(valid_point_id("htab_churn/case=overwrite,pressure=anon+fio/t72",
				   "htab_churn", 72));
	assert_true(valid_point_id("w//t2", "w", 2));
	assert_false(valid_point_id("null/loops=65536/t2", "null", 1));	/* threads */
	assert_false(valid_point_id("nul/loops=1/t1", "null", 1));
	assert_false(valid_point_id("null/loops=1/t1", "nul", 1));
	assert_false(valid_point_id("null/loops=1,/t1", "null", 1));
	assert_false(valid_point_id("null/loops/t1", "null", 1));
	assert_false(valid_point_id("null/loops=1;rm/t1", "null", 1));
	assert_false(valid_point_id("null/a=1/b=2/t1", "null", 1));
	assert_false(valid_point_id("null/a=1/t01", "null", 1));
	assert_false(valid_point_id("null/a=1/t1x", "null", 1));
	assert_false(valid_point_id("null/a='x'/t1", "null", 1));
}

static void text(void **state)
{
	char *s;

	assert_true(valid_text("BUG: kernel NULL pointer dereference, address: 0", 4096, false));
	assert_true(valid_text("verifier said \"no\"\nsecond line", 4096, true));
	assert_false(valid_text("two\nlines", 4096, false));
	assert_false(valid_text("bell\a", 4096, true));
	assert_false(valid_text("esc\x1b[31m", 4096, true));
	assert_false(valid_text("bad \xff byte", 4096, true));
	assert_false(valid_text("overlong \xc0\xaf", 4096, true));
	assert_false(valid_text("surrogate \xed\xa0\x80", 4096, true));
	assert_false(valid_text("cut \xe2\x82", 4096, true));
	assert_true(valid_text("euro \xe2\x82\xac", 4096, true));
	assert_false(valid_text("0123456789", 9, true));

	s = text_sanitize("rcu: \xff\xfe stall\x1b on cpu 1", 4096, false);
	assert_true(valid_text(s, 4096, false));
	assert_string_equal(s, "rcu: \xef\xbf\xbd\xef\xbf\xbd stall\xef\xbf\xbd on cpu 1");
	free(s);
	s = text_sanitize("ab\xe2\x82\xac", 4, false);	/* no half character at the cut */
	assert_string_equal(s, "ab");
	free(s);
	s = text_sanitize(NULL, 16, true);
	assert_string_equal(s, "");
	free(s);
}

static json_t *good_record(void)
{
	char *argv[] = { "null", "--threads", "2", NULL };
	static struct run_opts ro = { .run_id = "r1", .variant = "bpf-ma" };
	static struct point pt;
	struct result res;
	char err[ERR_LEN];

	assert_int_equal(point_parse(3, argv, &pt, &ro, 8, err, sizeof(err)), 0);
	result_init(&res, &pt, &ro);
	result_set_status(&res, "failed", "%s", "console: \xff odd byte\x07");
	return result_to_json(&res);
}

/* The store refuses what would reach a plot, a page or a shell as code. */
static void hostile_records_are_refused(void **state)
{
	static const struct {
		const char *field, *value;
	} hostile[] = {
		{ "workload", "x';system 'touch HACKED';'" },
		{ "variant", "<script>alert(1)</script>" },
		{ "run_id", "../../etc" },
		{ "target", "vm'" },
		{ "accel", "tcg\"" },
		{ "point", "null/loops=1/t1'; rm -rf /" },
		{ "point", "null/loops=65536/t3" },
		{ "kernel_release", "6.1\x1b[2J" },
		{ "reason", "a\rb" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		json_t *r = good_record();

		assert_int_equal(record_validate(r, err, sizeof(err)), 0);
		json_object_set_new(r, hostile[i].field, json_string(hostile[i].value));
		if (!record_validate(r, err, sizeof(err)))
			fail_msg("%s = '%s' was accepted", hostile[i].field, hostile[i].value);
		json_decref(r);
	}
}

static void hostile_nested_values_are_refused(void **state)
{
	json_t *r = good_record();
	char err[256];

	json_object_set_new(json_object_get(r, "params"), "loops", json_string("1;id"));
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	json_decref(r);
	r = good_record();
	json_object_set_new(json_object_get(r, "counters"), "a b", json_integer(1));
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	json_decref(r);
	r = good_record();
	json_object_set_new(json_object_get(r, "failures"), "ENOMEM", json_string("3"));
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	json_decref(r);
	r = good_record();
	json_array_append_new(json_object_get(r, "samples"), json_string("1e9"));
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	json_decref(r);
	r = good_record();
	json_object_set_new(json_object_get(r, "context"), "note",
			    json_string("\x1b]0;title\x07"));
	assert_int_not_equal(record_validate(r, err, sizeof(err)), 0);
	json_decref(r);
}

/* A reason with bytes that are not UTF-8 still gives a record with a reason. */
static void dirty_reason_is_cleaned_not_dropped(void **state)
{
	json_t *r = good_record();
	char err[256];
	const char *reason = json_string_value(json_object_get(r, "reason"));

	assert_non_null(reason);
	assert_non_null(strstr(reason, "odd byte"));
	assert_int_equal(record_validate(r, err, sizeof(err)), 0);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(point_ids),
		cmocka_unit_test(text),
		cmocka_unit_test(hostile_records_are_refused),
		cmocka_unit_test(hostile_nested_values_are_refused),
		cmocka_unit_test(dirty_reason_is_cleaned_not_dropped),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
