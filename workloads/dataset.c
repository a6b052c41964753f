// SPDX-License-Identifier: GPL-2.0
/*
 * Key sets for qp_trie_lookup: random binary keys (lengths 1..255, fixed
 * seed), and the symbol names of the running kernel.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dataset.h"

struct qp_key *dataset_key(const struct dataset *ds, size_t i)
{
	return (struct qp_key *)(ds->keys + i * ds->key_size);
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static size_t g_key_size;

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, g_key_size);
}

/* Sorts the keys and drops repeats (short random keys repeat). */
static size_t unique_keys(struct dataset *ds, size_t n)
{
	size_t u = 0;

	g_key_size = ds->key_size;
	qsort(ds->keys, n, ds->key_size, cmp_key);
	for (size_t i = 0; i < n; i++) {
		if (u && !memcmp(dataset_key(ds, u - 1), dataset_key(ds, i), ds->key_size))
			continue;
		if (u != i)
			memcpy(dataset_key(ds, u), dataset_key(ds, i), ds->key_size);
		u++;
	}
	return u;
}

/* nr distinct keys, lengths 1..255, the same for the same seed. */
int dataset_random(struct dataset *ds, size_t nr, uint64_t seed)
{
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
	size_t have = 0;

	ds->nr = nr;
	ds->key_size = offsetof(struct qp_key, data) + QP_MAX_DATA;
	ds->keys = calloc(nr, ds->key_size);
	if (!ds->keys)
		return -ENOMEM;
	while (have < nr) {
		for (size_t i = have; i < nr; i++) {
			struct qp_key *k = dataset_key(ds, i);

			memset(k, 0, ds->key_size);
			k->len = 1 + (uint32_t)(xorshift(&s) % QP_MAX_DATA);
			for (uint32_t b = 0; b < k->len; b++)
				k->data[b] = (uint8_t)xorshift(&s);
		}
		have = unique_keys(ds, nr);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_names(const char *path, char ***out, size_t *nr)
{
	char line[1024], **names = NULL;
	size_t n = 0, cap = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char name[512];

		if (sscanf(line, "%*s %*s %511s", name) != 1 || strlen(name) > QP_MAX_DATA)
			continue;
		if (n == cap) {
			char **tmp = realloc(names, (cap = cap ? cap * 2 : 4096) * sizeof(*names));

			if (!tmp)
				break;
			names = tmp;
		}
		names[n] = strdup(name);
		if (names[n])
			n++;
	}
	fclose(f);
	*out = names;
	*nr = n;
	return n ? 0 : -ENODATA;
}

/* Unique symbol names; key size fits the longest. */
int dataset_kallsyms(struct dataset *ds, const char *path)
{
	size_t n, u = 0, maxlen = 1;
	char **names;
	int err = read_names(path, &names, &n);

	if (err)
		return err;
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (u && !strcmp(names[u - 1], names[i])) {
			free(names[i]);
			continue;
		}
		names[u++] = names[i];
		if (strlen(names[i]) > maxlen)
			maxlen = strlen(names[i]);
	}
	ds->nr = u;
	ds->key_size = offsetof(struct qp_key, data) + maxlen;
	ds->keys = calloc(u, ds->key_size);
	for (size_t i = 0; i < u; i++) {
		if (ds->keys) {
			struct qp_key *k = dataset_key(ds, i);

			k->len = (uint32_t)strlen(names[i]);
			memcpy(k->data, names[i], k->len);
		}
		free(names[i]);
	}
	free(names);
	return ds->keys ? 0 : -ENOMEM;
}

void dataset_free(struct dataset *ds)
{
	free(ds->keys);
	memset(ds, 0, sizeof(*ds));
}
