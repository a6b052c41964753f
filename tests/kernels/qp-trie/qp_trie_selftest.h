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

/* The value of the write-through test's trie: 40 bytes, so that a stale
 * value pointer into a node reused as a branch would cover twig pointers.
 */
#define QP_VAL_WORDS	5
#define QP_POISON	0x4141414141414141ULL	/* non-canonical as a pointer */
struct qp_val {
	__u64 w[QP_VAL_WORDS];
};

/* The mutated-key test's trie: keys of at most QP_MUT_MAX bytes; the
 * mutator flips the shared key's len between 1..7 and QP_MUT_LONG.
 */
#define QP_MUT_MAX	16
#define QP_MUT_LONG	200

/* stress[] slots */
enum {
	QP_SLOT_READER,
	QP_SLOT_WRITER,
	QP_SLOT_NMI,
	QP_SLOT_WRITER2,
	QP_SLOT_MUTATOR,
};

#endif
