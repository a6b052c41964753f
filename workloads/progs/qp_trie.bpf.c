// SPDX-License-Identifier: GPL-2.0
/*
 * qp_trie_lookup: lookups of variable-length keys in a qp-trie map (or, as
 * a reference, a hash map over the same zero-padded keys), with optional
 * writers that delete and reinsert the odd-numbered keys meanwhile.
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
__u64 value_one = 1;

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

	if (!key)
		return 1;
	if (bpf_map_lookup_elem(&trie, key))
		w->c->hits++;
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

/* args: [0] tid, [1] keys, [2] lookups, [3] writers running; returns lookups */
SEC("raw_tp")
int lookup(__u64 *args)
{
	__u32 tid = args[0] & (QP_MAX_TID - 1);
	struct walk w = {
		.nr = args[1], .writers = args[3], .c = &counters[tid],
		.idx = cursor[tid] % (args[1] ? args[1] : 1),
	};
	long n = bpf_loop(args[2], lookup_cb, &w, 0);

	cursor[tid] = w.idx;
	return n;
}

static int write_cb(__u32 i, struct walk *w)
{
	void *key = bpf_map_lookup_elem(&keys, &w->idx);

	if (!key)
		return 1;
	if (w->mode == QP_REINSERT) {
		bpf_map_delete_elem(&trie, key);
		bpf_map_update_elem(&trie, key, &value_one, BPF_ANY);
		w->c->writer_ops += 2;
	} else {
		if (bpf_map_update_elem(&trie, key, &value_one, BPF_ANY))
			w->c->update_errors++;
		w->c->updates++;
	}
	w->idx += w->step;
	if (w->idx >= w->nr)
		w->idx = w->first;
	return 0;
}

/*
 * Writers of qp_trie_lookup own the odd keys (writer k of n starts at
 * 2k+1 and steps 2n) and delete and reinsert them; qp_trie_update thread
 * t of n overwrites keys t, t + n, ...
 * args: [0] tid (counters slot), [1] keys, [2] ops, [3] first, [4] step,
 *       [5] QP_REINSERT or QP_OVERWRITE; returns the keys written
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
	long n = bpf_loop(args[2], write_cb, &w, 0);

	cursor[tid] = w.idx;
	return n;
}
