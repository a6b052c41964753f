// SPDX-License-Identifier: GPL-2.0
/*
 * Key sets for qp_trie_lookup: random binary keys (lengths 1..255, fixed
 * seed), and the symbol names of the running kernel. Repeats are dropped
 * (which needs a sort), then the keys are shuffled with the seed: the
 * lookups walk the keys in this order, and sorted keys would let
 * neighbouring lookups share trie paths, which favours the trie.
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

/* Fisher-Yates with the dataset's seed: the same order for the same seed. */
static void shuffle(struct dataset *ds, uint64_t seed)
{
	uint64_t s = seed * 0xD1B54A32D192ED03ULL + 7;
	unsigned char *tmp = malloc(ds->key_size);

	if (!tmp)
		return;
	for (size_t i = ds->nr; i > 1; i--) {
		size_t j = (size_t)(xorshift(&s) % i);

		memcpy(tmp, dataset_key(ds, i - 1), ds->key_size);
		memcpy(dataset_key(ds, i - 1), dataset_key(ds, j), ds->key_size);
		memcpy(dataset_key(ds, j), tmp, ds->key_size);
	}
	free(tmp);
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
	shuffle(ds, seed);
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

/* Unique symbol names, shuffled with seed; key size fits the longest. */
int dataset_kallsyms(struct dataset *ds, const char *path, uint64_t seed)
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
	if (!ds->keys)
		return -ENOMEM;
	shuffle(ds, seed);
	return 0;
}

void dataset_free(struct dataset *ds)
{
	free(ds->keys);
	memset(ds, 0, sizeof(*ds));
}
