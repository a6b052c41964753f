// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what abreport takes from a record: the name pattern, point
 * ids, the record check and the cleaning of free text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "abreport.h"

static void test_names(void **state)
{
	static const char *const good[] = {
		"htab_churn", "bpf-ma", "kmalloc-rcu", "anon+fio", "6.1", "a", "0",
		"qp-trie-subtree-lock",
		"a123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *const bad[] = {
		"", "-a", ".a", "_a", "+a", "a b", "a'b", "a\"b", "a;b", "a/b",
		"a$b", "a`b", "a\nb", "<a>", "a=b", "a,b", "a|b", "\xc3\xa9",
		"a1234567890123456789012345678901234567890123456789012345678901234",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(valid_name(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(valid_name(bad[i]));
	assert_false(valid_name(NULL));
}

static void test_point_ids(void **state)
{
	assert_true(valid_point_id("htab_churn/case=overwrite,map=noprealloc,value_size=8/t4",
				"htab_churn", 4));
	assert_true(valid_point_id("null//t1", "null", 1));
	assert_true(valid_point_id("w/k=v/t1024", "w", 1024));
	/* Another workload or thread count than the record's. */
	assert_false(valid_point_id("htab_churn/case=overwrite/t4", "nmi_alloc", 4));
	assert_false(valid_point_id("htab_churn/case=overwrite/t4", "htab_churn", 2));
	assert_false(valid_point_id("htab_churn/case=overwrite/t4", "htab", 4));
	/* Not the shape. */
	assert_false(valid_point_id("w/t1", "w", 1));
	assert_false(valid_point_id("w/k=v/t01", "w", 1));
	assert_false(valid_point_id("w/k=v/t1x", "w", 1));
	assert_false(valid_point_id("w/k=v/", "w", 1));
	assert_false(valid_point_id("w/k=v,/t1", "w", 1));
	assert_false(valid_point_id("w/,k=v/t1", "w", 1));
	assert_false(valid_point_id("w/k=/t1", "w", 1));
	assert_false(valid_point_id("w/=v/t1", "w", 1));
	assert_false(valid_point_id("w/k/t1", "w", 1));
	assert_false(valid_point_id("w/k=v=x/t1", "w", 1));
	assert_false(valid_point_id("w/k=v/x/t1", "w", 1));
	assert_false(valid_point_id("w/k='v'/t1", "w", 1));
	assert_false(valid_point_id("w/k=$(x)/t1", "w", 1));
	assert_false(valid_point_id(NULL, "w", 1));
}

static const char *why(const char *text)
{
	static char buf[64];
	json_t *rec = json_loads(text, 0, NULL);
	const char *w;

	assert_non_null(rec);
	w = record_why(rec);
	snprintf(buf, sizeof(buf), "%s", w ? w : "");
	json_decref(rec);
	return buf;
}

#define REC(extra) "{\"schema\":1,\"workload\":\"null\",\"variant\":\"host\",\"status\":\"ok\"," \
	"\"threads\":2,\"point\":\"null/loops=8/t2\",\"params\":{\"loops\":8}" extra "}"

static void test_records(void **state)
{
	assert_string_equal(why(REC("")), "");
	assert_string_equal(why(REC(",\"samples\":[1,2.5],\"failures\":{\"ENOMEM\":3},\"reason\":\"<b>\"")), "");
	assert_string_equal(why("{\"workload\":\"null\",\"variant\":\"host\",\"threads\":1,\"point\":\"null//t1\"}"),
			    "status is not ok, unsupported or failed");
	assert_string_equal(why(REC(",\"workload\":\"x'y\"")), "workload is not a name");
	assert_string_equal(why(REC(",\"variant\":1")), "variant is not a name");
	assert_string_equal(why(REC(",\"status\":\"OK\"")), "status is not ok, unsupported or failed");
	assert_string_equal(why(REC(",\"threads\":\"2\"")), "threads is not an integer from 1 to 1024");
	assert_string_equal(why(REC(",\"threads\":1025")), "threads is not an integer from 1 to 1024");
	assert_string_equal(why(REC(",\"point\":\"null/loops=8/t3\"")),
			    "point is not workload/k=v,.../tN of this record");
	assert_string_equal(why(REC(",\"params\":[]")), "a field has the wrong type");
	assert_string_equal(why(REC(",\"params\":{\"a b\":1}")), "a parameter key is not a name");
	assert_string_equal(why(REC(",\"params\":{\"k\":\"$(x)\"}")),
			    "a parameter value is not an integer or a name");
	assert_string_equal(why(REC(",\"params\":{\"k\":1.5}")),
			    "a parameter value is not an integer or a name");
	assert_string_equal(why(REC(",\"samples\":[1,\"2\"]")), "a sample is not a number");
	assert_string_equal(why(REC(",\"samples\":{}")), "a field has the wrong type");
	assert_string_equal(why(REC(",\"reason\":5")), "a field has the wrong type");
	assert_string_equal(why(REC(",\"failures\":{\"<b>\":1}")), "failures is not name -> number");
	assert_string_equal(why(REC(",\"counters\":{\"hits\":\"1\"}")), "counters is not name -> number");
}

static void test_clean(void **state)
{
	json_t *v = json_loads("{\"a\\u001b[31m\":[\"x\\ny\\tz\\r\", \"\\u0007\\u0085\\u007f\", \"<ok> é\"]}",
			       0, NULL);
	json_t *arr;

	assert_non_null(v);
	json_clean(v);
	arr = json_object_get(v, "a\xef\xbf\xbd[31m");
	assert_non_null(arr);
	assert_string_equal(json_string_value(json_array_get(arr, 0)), "x y z ");
	assert_string_equal(json_string_value(json_array_get(arr, 1)),
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_array_get(arr, 2)), "<ok> é");
	json_decref(v);
}

static void test_ascii_clean(void **state)
{
	char s[] = "near '\xff\x1b[2J' ok";

	ascii_clean(s);
	assert_string_equal(s, "near '??[2J' ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_point_ids),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_ascii_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
