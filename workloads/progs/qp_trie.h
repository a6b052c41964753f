/* SPDX-License-Identifier: GPL-2.0 */
/* Keys of qp_trie_lookup, shared by the program and user space. */
#ifndef ALLOCBENCH_QP_TRIE_H
#define ALLOCBENCH_QP_TRIE_H

#include <linux/types.h>

#define QP_MAX_DATA	255
#define QP_MAX_TID	1024

/* what the write program does to each key */
enum { QP_REINSERT, QP_OVERWRITE };

/* The qp-trie map's key: length, then up to 255 significant bytes. */
struct qp_key {
	__u32 len;
	__u8 data[QP_MAX_DATA];
};

struct qp_counters {
	__u64 lookups;
	__u64 hits;
	__u64 drops;		/* misses on keys writers delete and reinsert */
	__u64 false_negatives;	/* misses on keys nobody touches */
	__u64 writer_ops;
	__u64 updates;
	__u64 update_errors;
	__u64 pad;
};

#endif
