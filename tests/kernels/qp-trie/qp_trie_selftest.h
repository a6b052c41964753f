/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the qp-trie selftest and its BPF program. */
#ifndef QP_TRIE_SELFTEST_H
#define QP_TRIE_SELFTEST_H

#include <linux/types.h>

#define QP_MAX_DATA	255
#define QP_SLOTS	8

/* The qp-trie map's key: length, then up to 255 significant bytes. */
struct qp_key {
	__u32 len;
	__u8 data[QP_MAX_DATA];
};

/* Operations of the do_op program (args[0]). */
enum {
	QP_OP_LOOKUP,
	QP_OP_UPDATE,
	QP_OP_DELETE,
};

/* Per-thread results of the stress programs. */
struct qp_stress {
	__u64 lookups;
	__u64 misses;
	__u64 writer_ops;
	__u64 writer_errors;
	__u64 pad[4];
};

#endif
