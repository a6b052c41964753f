// SPDX-License-Identifier: GPL-2.0
/*
 * BPF side of the qp-trie selftest: single operations on the trie from a
 * program (do_op), and the two halves of the reuse-race stress: lookups of
 * keys nobody deletes (lookup_stable) and delete/reinsert churn of other
 * keys in the same subtrees (churn). All run by BPF_PROG_TEST_RUN.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "qp_trie_selftest.h"

char _license[] SEC("license") = "GPL";

/* Sizes, and the trie's map type, are set by user space before load. */
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

/* 6.1 calls map ops that return int straight from the program: only the
 * low 32 bits of a helper's return are meaningful, so sign-extend them.
 */
long op_ret;
__u64 op_value;
struct qp_stress stress[QP_SLOTS];

/* args: [0] op, [1] index in keys, [2] update flags, [3] value */
SEC("raw_tp")
int do_op(__u64 *args)
{
	__u32 idx = args[1];
	struct qp_key *k = bpf_map_lookup_elem(&keys, &idx);
	__u64 v = args[3], *p;

	if (!k)
		return 1;
	switch (args[0]) {
	case QP_OP_LOOKUP:
		p = bpf_map_lookup_elem(&trie, k);
		op_ret = p ? 0 : -2;	/* -ENOENT */
		op_value = p ? *p : 0;
		break;
	case QP_OP_UPDATE:
		op_ret = (int)bpf_map_update_elem(&trie, k, &v, args[2]);
		break;
	case QP_OP_DELETE:
		op_ret = (int)bpf_map_delete_elem(&trie, k);
		break;
	default:
		return 1;
	}
	return 0;
}

struct walk {
	__u32 first;
	__u32 nr;
	struct qp_stress *s;
};

static int lookup_cb(__u32 i, struct walk *w)
{
	__u32 idx = w->first + i % w->nr;
	struct qp_key *k = bpf_map_lookup_elem(&keys, &idx);

	if (!k)
		return 1;
	if (!bpf_map_lookup_elem(&trie, k))
		w->s->misses++;
	w->s->lookups++;
	return 0;
}

/* args: [0] slot, [1] first stable key, [2] stable keys, [3] lookups */
SEC("raw_tp")
int lookup_stable(__u64 *args)
{
	struct walk w = {
		.first = args[1], .nr = args[2] ? args[2] : 1,
		.s = &stress[args[0] & (QP_SLOTS - 1)],
	};

	return bpf_loop(args[3], lookup_cb, &w, 0);
}

static int churn_one(struct walk *w, __u32 del, __u32 add)
{
	struct qp_key *kd = bpf_map_lookup_elem(&keys, &del);
	struct qp_key *ka = bpf_map_lookup_elem(&keys, &add);
	__u64 v = add;

	if (!kd || !ka)
		return 1;
	if (bpf_map_delete_elem(&trie, kd))
		w->s->writer_errors++;
	if (bpf_map_update_elem(&trie, ka, &v, BPF_NOEXIST))
		w->s->writer_errors++;
	w->s->writer_ops += 2;
	return 0;
}

/* Pair p is keys first + 2p (present) and first + 2p + 1 (absent):
 * delete the first, insert the second, then the other way round, so the
 * nodes freed by one are handed out at once for the other.
 */
static int churn_cb(__u32 i, struct walk *w)
{
	__u32 a = w->first + 2 * (i % w->nr);

	if (churn_one(w, a, a + 1))
		return 1;
	return churn_one(w, a + 1, a);
}

/* args: [0] slot, [1] first churn key, [2] pairs, [3] rounds */
SEC("raw_tp")
int churn(__u64 *args)
{
	struct walk w = {
		.first = args[1], .nr = args[2] ? args[2] : 1,
		.s = &stress[args[0] & (QP_SLOTS - 1)],
	};

	return bpf_loop(args[3], churn_cb, &w, 0);
}

/* ---- write through looked-up values while another CPU churns ---- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, sizeof(struct qp_key));
	__uint(value_size, sizeof(struct qp_val));
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} vtrie SEC(".maps");

static int write_cb(__u32 i, struct walk *w)
{
	__u32 idx = w->first + i % w->nr;
	struct qp_key *k = bpf_map_lookup_elem(&keys, &idx);
	struct qp_val *v;
	int j, r;

	if (!k)
		return 1;
	v = bpf_map_lookup_elem(&vtrie, k);
	if (!v)
		return 0;
	/* keep writing for a while: the element may be deleted and its
	 * memory handed out again meanwhile
	 */
	for (r = 0; r < 64; r++) {
		for (j = 0; j < QP_VAL_WORDS; j++)
			v->w[j] = QP_POISON;
	}
	w->s->lookups++;
	return 0;
}

/* args: [0] slot, [1] first key, [2] keys, [3] lookups */
SEC("raw_tp")
int write_values(__u64 *args)
{
	struct walk w = {
		.first = args[1], .nr = args[2] ? args[2] : 1,
		.s = &stress[args[0] & (QP_SLOTS - 1)],
	};

	return bpf_loop(args[3], write_cb, &w, 0);
}

static int vchurn_one(struct walk *w, __u32 del, __u32 add)
{
	struct qp_key *kd = bpf_map_lookup_elem(&keys, &del);
	struct qp_key *ka = bpf_map_lookup_elem(&keys, &add);
	struct qp_val v = { .w = { add } };

	if (!kd || !ka)
		return 1;
	if (bpf_map_delete_elem(&vtrie, kd))
		w->s->writer_errors++;
	if (bpf_map_update_elem(&vtrie, ka, &v, BPF_NOEXIST))
		w->s->writer_errors++;
	w->s->writer_ops += 2;
	return 0;
}

static int vchurn_cb(__u32 i, struct walk *w)
{
	__u32 a = w->first + 2 * (i % w->nr);

	if (vchurn_one(w, a, a + 1))
		return 1;
	return vchurn_one(w, a + 1, a);
}

/* args: [0] slot, [1] first churn key, [2] pairs, [3] rounds */
SEC("raw_tp")
int vchurn(__u64 *args)
{
	struct walk w = {
		.first = args[1], .nr = args[2] ? args[2] : 1,
		.s = &stress[args[0] & (QP_SLOTS - 1)],
	};

	return bpf_loop(args[3], vchurn_cb, &w, 0);
}

__u64 reuse_runs;
__u64 reuse_errors;

/*
 * The same on one CPU, in order: look up a (present), delete it, insert b
 * (absent; its insert may build a branch in the memory a's leaf had), write
 * through a's stale value pointer, then look b up, delete it and put a
 * back. args: [0] a, [1] b (indexes in keys)
 */
SEC("raw_tp")
int reuse_write(__u64 *args)
{
	__u32 a = args[0], b = args[1];
	struct qp_key *ka = bpf_map_lookup_elem(&keys, &a);
	struct qp_key *kb = bpf_map_lookup_elem(&keys, &b);
	struct qp_val v = { .w = { b } }, *p;
	int j;

	if (!ka || !kb)
		return 1;
	reuse_runs++;
	p = bpf_map_lookup_elem(&vtrie, ka);
	if (!p || bpf_map_delete_elem(&vtrie, ka) ||
	    bpf_map_update_elem(&vtrie, kb, &v, BPF_NOEXIST)) {
		reuse_errors++;
		return 0;
	}
	for (j = 0; j < QP_VAL_WORDS; j++)
		p->w[j] = QP_POISON;	/* a is gone: p is stale */
	if (!bpf_map_lookup_elem(&vtrie, kb))
		reuse_errors++;
	if (bpf_map_delete_elem(&vtrie, kb))
		reuse_errors++;
	v.w[0] = a;
	if (bpf_map_update_elem(&vtrie, ka, &v, BPF_NOEXIST))
		reuse_errors++;
	return 0;
}

/* ---- a key in a map value, changed while it is used ---- */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct qp_key));
	__uint(max_entries, 1);
} mkey SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, 4 + QP_MUT_MAX);
	__uint(value_size, sizeof(__u64));
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} mtrie SEC(".maps");

static int mutate_cb(__u32 i, struct walk *w)
{
	__u32 zero = 0;
	struct qp_key *k = bpf_map_lookup_elem(&mkey, &zero);

	if (!k)
		return 1;
	k->len = (i & 1) ? QP_MUT_LONG : 1 + i % 7;
	k->data[0] = i >> 1;
	k->data[1] = i >> 3;
	w->s->writer_ops++;
	return 0;
}

/* args: [0] slot, [3] rounds */
SEC("raw_tp")
int mutate_key(__u64 *args)
{
	struct walk w = { .s = &stress[args[0] & (QP_SLOTS - 1)] };

	return bpf_loop(args[3], mutate_cb, &w, 0);
}

static int mupdate_cb(__u32 i, struct walk *w)
{
	__u32 zero = 0;
	struct qp_key *k = bpf_map_lookup_elem(&mkey, &zero);
	__u64 v = i;

	if (!k)
		return 1;
	/* the key is read by the map while mutate_key changes it */
	if (bpf_map_update_elem(&mtrie, k, &v, BPF_ANY))
		w->s->writer_errors++;
	else
		w->s->writer_ops++;
	if (i & 1)
		bpf_map_delete_elem(&mtrie, k);
	if (bpf_map_lookup_elem(&mtrie, k))
		w->s->lookups++;
	return 0;
}

/* args: [0] slot, [3] rounds */
SEC("raw_tp")
int mutate_update(__u64 *args)
{
	struct walk w = { .s = &stress[args[0] & (QP_SLOTS - 1)] };

	return bpf_loop(args[3], mupdate_cb, &w, 0);
}

/* ---- lookups in NMI (nmi:nmi_handler, NMIs injected by the host) ---- */

__u32 nmi_on;
__u32 nmi_first;
__u32 nmi_nr;

SEC("tp/nmi/nmi_handler")
int nmi_lookup(void *ctx)
{
	struct qp_stress *s = &stress[QP_SLOT_NMI];
	__u32 idx, n, j;
	struct qp_key *k;

	if (!nmi_on || !nmi_nr)
		return 0;
	n = bpf_get_prandom_u32();
	for (j = 0; j < 4; j++) {
		idx = nmi_first + (n + j) % nmi_nr;
		k = bpf_map_lookup_elem(&keys, &idx);
		if (!k)
			return 0;
		if (!bpf_map_lookup_elem(&trie, k))
			__sync_fetch_and_add(&s->misses, 1);
		__sync_fetch_and_add(&s->lookups, 1);
	}
	return 0;
}
