// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "cli.h"
#include "record.h"
#include "store.h"

static char dir[] = "/tmp/allocbench-store-XXXXXX";

static char *record_line(const char *status, int threads)
{
	char t[8], *argv[] = { "null", "--threads", t, NULL }, *out;
	struct run_opts ro = { .run_id = "r" };
	struct result res;
	struct point pt;
	char err[ERR_LEN];
	json_t *r;

	snprintf(t, sizeof(t), "%d", threads);
	assert_int_equal(point_parse(3, argv, &pt, &ro, 8, err, sizeof(err)), 0);
	result_init(&res, &pt, &ro);
	result_set_status(&res, status, strcmp(status, "ok") ? "because" : NULL);
	r = result_to_json(&res);
	out = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	return out;
}

static int append_text(const char *text, int *rejected)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err = store_append(dir, f, rejected);

	fclose(f);
	return err;
}

static int lines(void)
{
	char path[512], buf[8192];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/results.jsonl", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		n++;
	fclose(f);
	return n;
}

static void append_keeps_good_lines_and_rejects_junk(void **state)
{
	char *ok1 = record_line("ok", 1), *failed2 = record_line("failed", 2);
	char text[16384];
	int rejected;

	snprintf(text, sizeof(text), "%s\nnot json at all\r\n\n{\"schema\":1}\n%s\n", ok1,
		 failed2);
	assert_int_equal(append_text(text, &rejected), 0);
	assert_int_equal(rejected, 2);
	assert_int_equal(lines(), 2);
	assert_int_equal(store_has(dir, "null/loops=65536,shape=loops/t1", NULL), 0);
	assert_int_equal(store_has(dir, "null/loops=65536,shape=loops/t2", NULL), 1);	/* failed */
	assert_int_equal(store_has(dir, "null/loops=65536,shape=loops/t4", NULL), 1);	/* absent */
	free(ok1);
	free(failed2);
}

static void later_record_of_a_point_counts_and_earlier_stays(void **state)
{
	char *ok2 = record_line("ok", 2), *failed1 = record_line("failed", 1);
	char text[16384];
	json_t *last;
	int rejected;

	snprintf(text, sizeof(text), "%s\n%s\n", ok2, failed1);
	assert_int_equal(append_text(text, &rejected), 0);
	assert_int_equal(rejected, 0);
	assert_int_equal(lines(), 4);	/* nothing measured is lost */
	assert_int_equal(store_has(dir, "null/loops=65536,shape=loops/t2", NULL), 0);
	assert_int_equal(store_has(dir, "null/loops=65536,shape=loops/t1", NULL), 1);
	store_last_records(dir, &last);
	assert_int_equal(json_object_size(last), 2);
	/* the same point of another variant is another result */
	assert_int_equal(store_has(dir, "null/loops=65536,shape=loops/t2", "host"), 0);
	assert_int_equal(store_has(dir, "null/loops=65536,shape=loops/t2", "bpf-ma"), 1);
	json_decref(last);
	free(ok2);
	free(failed1);
}

static void meta_merges_keys(void **state)
{
	char a[] = "target=vm", b[] = "schema:=1", c[] = "cpus:=[1,2]", bad[] = "nokey";
	char *argv1[] = { a, b }, *argv2[] = { c }, *argv3[] = { bad };
	char path[512], err[256];
	json_t *m;

	assert_int_equal(store_meta(dir, 2, argv1, err, sizeof(err)), 0);
	assert_int_equal(store_meta(dir, 1, argv2, err, sizeof(err)), 0);
	assert_int_not_equal(store_meta(dir, 1, argv3, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	m = json_load_file(path, 0, NULL);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "target")), "vm");
	assert_int_equal(json_integer_value(json_object_get(m, "schema")), 1);
	assert_int_equal(json_array_size(json_object_get(m, "cpus")), 2);
	json_decref(m);
}

static void atomic_write_leaves_no_temporary(void **state)
{
	char path[512], cmd[600];

	snprintf(path, sizeof(path), "%s/x.json", dir);
	assert_int_equal(store_write_atomic(path, "{}\n", 3), 0);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls %s | grep tmp)\"", dir);
	assert_int_equal(system(cmd), 0);
}

/* A results.jsonl that cannot be read is an error that changes nothing. */
static void failed_read_changes_nothing(void **state)
{
	char sub[600], path[700], meta[700], *ok1 = record_line("ok", 1);
	struct stat st;
	int rejected;
	FILE *f;

	snprintf(sub, sizeof(sub), "%s/unreadable", dir);
	snprintf(path, sizeof(path), "%s/results.jsonl", sub);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(mkdir(path, 0755), 0);	/* read() fails with EISDIR */
	f = fmemopen(ok1, strlen(ok1), "r");
	assert_int_not_equal(store_append(sub, f, &rejected), 0);
	fclose(f);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(store_has(sub, "null/loops=65536,shape=loops/t1", NULL) < 0, 1);

	/* a meta.json that does not parse is not replaced by the new keys */
	snprintf(meta, sizeof(meta), "%s/meta.json", sub);
	f = fopen(meta, "w");
	fputs("{\"run_id\": \"r\", trunc", f);
	fclose(f);
	{
		char kv[] = "finished_at=now", *argv[] = { kv }, err[256];

		assert_int_not_equal(store_meta(sub, 1, argv, err, sizeof(err)), 0);
	}
	f = fopen(meta, "r");
	assert_non_null(f);
	{
		char buf[64] = "";

		assert_non_null(fgets(buf, sizeof(buf), f));
		assert_string_equal(buf, "{\"run_id\": \"r\", trunc");
	}
	fclose(f);
	free(ok1);
}

/* A hand-made record without a status does not crash `results has`. */
static void has_survives_a_record_without_status(void **state)
{
	char sub[600], path[700];
	FILE *f;

	snprintf(sub, sizeof(sub), "%s/nostatus", dir);
	snprintf(path, sizeof(path), "%s/results.jsonl", sub);
	assert_int_equal(mkdir(sub, 0755), 0);
	f = fopen(path, "w");
	fputs("{\"point\": \"null/loops=65536,shape=loops/t1\", \"variant\": \"host\"}\n"
	      "{\"point\": 3}\nnot json\n\xff\n", f);
	fclose(f);
	assert_int_equal(store_has(sub, "null/loops=65536,shape=loops/t1", NULL), 1);
	assert_int_equal(store_has(sub, "null/loops=65536,shape=loops/t1", "host"), 1);
}

/* Appending to a file whose last line was cut keeps every line whole. */
static void half_last_line_is_closed(void **state)
{
	char sub[600], path[700], *ok1 = record_line("ok", 1), line[8192];
	int rejected, lines = 0;
	FILE *f;

	snprintf(sub, sizeof(sub), "%s/half", dir);
	snprintf(path, sizeof(path), "%s/results.jsonl", sub);
	assert_int_equal(mkdir(sub, 0755), 0);
	f = fopen(path, "w");
	fputs("{\"schema\": 1, \"cut", f);
	fclose(f);
	f = fmemopen(ok1, strlen(ok1), "r");
	assert_int_equal(store_append(sub, f, &rejected), 0);
	fclose(f);
	f = fopen(path, "r");
	while (fgets(line, sizeof(line), f))
		lines++;
	fclose(f);
	assert_int_equal(lines, 2);
	assert_int_equal(store_has(sub, "null/loops=65536,shape=loops/t1", NULL), 0);
	free(ok1);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(append_keeps_good_lines_and_rejects_junk),
		cmocka_unit_test(later_record_of_a_point_counts_and_earlier_stays),
		cmocka_unit_test(meta_merges_keys),
		cmocka_unit_test(atomic_write_leaves_no_temporary),
		cmocka_unit_test(failed_read_changes_nothing),
		cmocka_unit_test(has_survives_a_record_without_status),
		cmocka_unit_test(half_last_line_is_closed),
	};

	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
