// SPDX-License-Identifier: GPL-2.0
/*
 * The qp-trie key sets: distinct keys, in an order that depends on the
 * seed and not on the keys (sorted keys would share trie paths from one
 * lookup to the next).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "dataset.h"

/* Adjacent pairs in ascending order, out of nr - 1. */
static size_t ascending_pairs(const struct dataset *ds)
{
	size_t n = 0;

	for (size_t i = 1; i < ds->nr; i++)
		n += memcmp(dataset_key(ds, i - 1), dataset_key(ds, i), ds->key_size) < 0;
	return n;
}

static void random_keys_are_distinct_and_shuffled(void **state)
{
	struct dataset a, b, c;

	assert_int_equal(dataset_random(&a, 4096, 1), 0);
	assert_int_equal(dataset_random(&b, 4096, 1), 0);
	assert_int_equal(dataset_random(&c, 4096, 2), 0);
	/* the same seed gives the same keys in the same order */
	assert_memory_equal(a.keys, b.keys, a.nr * a.key_size);
	/* not sorted: about half the neighbours ascend, not all of them */
	assert_true(ascending_pairs(&a) > a.nr / 4 && ascending_pairs(&a) < 3 * a.nr / 4);
	/* another seed, another order */
	assert_memory_not_equal(a.keys, c.keys, a.nr * a.key_size);
	for (size_t i = 1; i < a.nr; i++)
		assert_true(dataset_key(&a, i)->len >= 1 && dataset_key(&a, i)->len <= 255);
	dataset_free(&a);
	dataset_free(&b);
	dataset_free(&c);
}

static void names_are_unique_and_shuffled(void **state)
{
	char path[] = "/tmp/allocbench-names-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct dataset ds;

	assert_non_null(f);
	for (int i = 0; i < 1000; i++)
		fprintf(f, "ffffffff8100%04x T sym_%04d\n", i, i / 2);	/* each name twice */
	fclose(f);
	assert_int_equal(dataset_kallsyms(&ds, path, 1), 0);
	unlink(path);
	assert_int_equal(ds.nr, 500);
	assert_true(ascending_pairs(&ds) < 3 * ds.nr / 4);
	dataset_free(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_keys_are_distinct_and_shuffled),
		cmocka_unit_test(names_are_unique_and_shuffled),
	};

	return cmocka_run_group_tests_name("dataset", tests, NULL, NULL);
}
