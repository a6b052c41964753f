// SPDX-License-Identifier: GPL-2.0
/*
 * qp_trie_lookup: lookups of variable-length keys in a qp-trie map (or, as
 * a reference, a hash map over the same zero-padded keys), with optional
 * writers that delete and reinsert the odd-numbered keys meanwhile. Key i
 * has the value i, checked on every lookup.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "qp_trie.h"

char _license[] SEC("license") = "GPL";

/* Sizes and the trie's map type are set by user space before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct qp_key));
	__uint(max_entries, 1);
} keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, sizeof(struct qp_key));
	__uint(value_size, sizeof(__u64));
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} trie SEC(".maps");

struct qp_counters counters[QP_MAX_TID];
__u32 cursor[QP_MAX_TID];

struct walk {
	__u32 idx;
	__u32 nr;
	__u32 step;
	__u32 first;
	__u32 writers;
	__u32 mode;
	struct qp_counters *c;
};

static int lookup_cb(__u32 i, struct walk *w)
{
	void *key = bpf_map_lookup_elem(&keys, &w->idx);
	__u64 *value;

	if (!key)
		return 1;
	value = bpf_map_lookup_elem(&trie, key);
	if (value && *value == w->idx)
		w->c->hits++;
	else if (value)
		w->c->wrong_value++;
	else if (w->writers && (w->idx & 1))
		w->c->drops++;
	else
		w->c->false_negatives++;
	w->c->lookups++;
	w->idx += 1;
	if (w->idx >= w->nr)
		w->idx = 0;
	return 0;
}

/*
 * args: [0] tid, [1] keys, [2] lookups, [3] writers running
 * Returns the lookups with a right answer: hits, and misses on keys the
 * writers have deleted (drops).
 */
SEC("raw_tp")
int lookup(__u64 *args)
{
	__u32 tid = args[0] & (QP_MAX_TID - 1);
	struct walk w = {
		.nr = args[1], .writers = args[3], .c = &counters[tid],
		.idx = cursor[tid] % (args[1] ? args[1] : 1),
	};
	__u64 before = w.c->hits + w.c->drops;

	bpf_loop(args[2], lookup_cb, &w, 0);
	cursor[tid] = w.idx;
	return w.c->hits + w.c->drops - before;
}

static int write_cb(__u32 i, struct walk *w)
{
	void *key = bpf_map_lookup_elem(&keys, &w->idx);
	__u64 value = w->idx;

	if (!key)
		return 1;
	if (w->mode == QP_REINSERT) {
		bpf_map_delete_elem(&trie, key);
		bpf_map_update_elem(&trie, key, &value, BPF_ANY);
		w->c->writer_ops += 2;
	} else {
		w->c->attempts++;
		if (bpf_map_update_elem(&trie, key, &value, BPF_ANY))
			w->c->update_errors++;
		else
			w->c->updates++;
	}
	w->idx += w->step;
	if (w->idx >= w->nr)
		w->idx = w->first;
	return 0;
}

static int delete_cb(__u32 i, struct walk *w)
{
	void *key = bpf_map_lookup_elem(&keys, &w->idx);

	if (!key)
		return 1;
	w->c->attempts++;
	if (bpf_map_delete_elem(&trie, key))
		w->c->delete_errors++;
	else
		w->c->deletes++;
	w->idx += w->step;
	if (w->idx >= w->nr)
		w->idx = w->first;
	return 0;
}

/*
 * Writers of qp_trie_lookup own the odd keys (writer k of n starts at
 * 2k+1 and steps 2n) and delete and reinsert them; qp_trie_update thread
 * t of n overwrites keys t, t + n, ... (QP_OVERWRITE), or updates its
 * chunk [first, first + ops) and then deletes it (QP_UPDATE_DELETE).
 * args: [0] tid (counters slot), [1] keys, [2] ops, [3] first, [4] step,
 *       [5] mode; returns the key operations that succeeded
 */
SEC("raw_tp")
int write(__u64 *args)
{
	__u32 tid = args[0] & (QP_MAX_TID - 1);
	struct walk w = {
		.nr = args[1], .step = args[4] ? args[4] : 1, .first = args[3],
		.mode = args[5], .c = &counters[tid],
		.idx = cursor[tid] ? cursor[tid] : args[3],
	};
	__u64 before = w.c->updates + w.c->deletes + w.c->writer_ops;

	if (w.mode == QP_UPDATE_DELETE) {
		w.idx = w.first;
		bpf_loop(args[2], write_cb, &w, 0);
		w.idx = w.first;
		bpf_loop(args[2], delete_cb, &w, 0);
		return w.c->updates + w.c->deletes - before;
	}
	bpf_loop(args[2], write_cb, &w, 0);
	cursor[tid] = w.idx;
	return w.c->updates + w.c->deletes + w.c->writer_ops - before;
}
