/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_DATASET_H
#define ALLOCBENCH_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include "progs/qp_trie.h"

/* Keys laid out at stride key_size (4 + max_len), zero-padded. */
struct dataset {
	unsigned char *keys;
	size_t nr;
	size_t key_size;
};

int dataset_random(struct dataset *ds, size_t nr, uint64_t seed);
int dataset_kallsyms(struct dataset *ds, const char *path, uint64_t seed);
struct qp_key *dataset_key(const struct dataset *ds, size_t i);
void dataset_free(struct dataset *ds);

#endif
