/* SPDX-License-Identifier: GPL-2.0 */
/* Keys of qp_trie_lookup, shared by the program and user space. */
#ifndef ALLOCBENCH_QP_TRIE_H
#define ALLOCBENCH_QP_TRIE_H

#include <linux/types.h>

#define QP_MAX_DATA	255
#define QP_MAX_TID	1024

/*
 * What the write program does to each key:
 *   QP_REINSERT       delete and reinsert it (qp_trie_lookup's writers)
 *   QP_OVERWRITE      update it in place (qp_trie_update mode=overwrite)
 *   QP_UPDATE_DELETE  the 2022 series' update bench: update a chunk of
 *                     keys, then delete the same chunk (mode=update_delete)
 */
enum { QP_REINSERT, QP_OVERWRITE, QP_UPDATE_DELETE };

/* The qp-trie map's key: length, then up to 255 significant bytes. */
struct qp_key {
	__u32 len;
	__u8 data[QP_MAX_DATA];
};

/*
 * The value of key i is i: a lookup that finds the wrong leaf is
 * wrong_value, never a hit.
 */
struct qp_counters {
	__u64 lookups;
	__u64 hits;
	__u64 drops;		/* misses on keys writers delete and reinsert */
	__u64 false_negatives;	/* misses on keys nobody touches */
	__u64 wrong_value;	/* found, with another key's value */
	__u64 writer_ops;
	__u64 attempts;		/* qp_trie_update: updates and deletes tried */
	__u64 updates;		/* ... that succeeded */
	__u64 deletes;		/* ... that succeeded */
	__u64 update_errors;
	__u64 delete_errors;
	__u64 pad[5];
};

#endif
