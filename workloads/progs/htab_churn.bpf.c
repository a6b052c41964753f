// SPDX-License-Identifier: GPL-2.0
/*
 * htab_churn: element updates and deletes on a hash map, inside the kernel.
 * The map is non-preallocated (the allocator under test) or preallocated
 * (reference); user space sets flags, sizes and entries before load.
 * One op is one element update or delete.
 */
#include "kerrno.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

#define MAX_VALUE	4096
#define MAX_TID		1024

enum { OP_OVERWRITE, OP_ADD, OP_DEL, OP_ADD_DEL };
enum { ERR_NOMEM, ERR_2BIG, ERR_NOENT, ERR_EXIST, ERR_BUSY, ERR_OTHER, NR_ERR };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} htab SEC(".maps");

unsigned char zeroed_value[MAX_VALUE];
__u64 errors[MAX_TID][NR_ERR];
__u32 cursor[MAX_TID];
__s64 last_other[MAX_TID];	/* the last errno counted as other */	/* next key + 1 of each thread; 0: start at first */

struct churn {
	__u32 first;	/* this thread's first key */
	__u32 step;	/* distance between its keys */
	__u32 range;	/* keys are below range */
	__u32 key;
	__u32 tid;
	__u32 batch;
};

/* Some 6.1 helpers return a 32-bit errno zero-extended: compare as int. */
static void count_err(__u32 tid, long ret)
{
	int i, err = (int)ret;

	switch (err) {
	case 0:
		return;
	case -ENOMEM: i = ERR_NOMEM; break;
	case -E2BIG: i = ERR_2BIG; break;
	case -ENOENT: i = ERR_NOENT; break;
	case -EEXIST: i = ERR_EXIST; break;
	case -EBUSY: i = ERR_BUSY; break;
	default:
		i = ERR_OTHER;
		last_other[tid & (MAX_TID - 1)] = err;
		break;
	}
	errors[tid & (MAX_TID - 1)][i]++;
}

static void next_key(struct churn *c)
{
	c->key += c->step;
	if (c->key >= c->range)
		c->key = c->first;
}

static int overwrite_cb(__u32 i, struct churn *c)
{
	count_err(c->tid, bpf_map_update_elem(&htab, &c->key, zeroed_value, BPF_ANY));
	next_key(c);
	return 0;
}

static int add_cb(__u32 i, struct churn *c)
{
	count_err(c->tid, bpf_map_update_elem(&htab, &c->key, zeroed_value, BPF_NOEXIST));
	next_key(c);
	return 0;
}

static int del_cb(__u32 i, struct churn *c)
{
	count_err(c->tid, bpf_map_delete_elem(&htab, &c->key));
	next_key(c);
	return 0;
}

static int add_del_cb(__u32 i, struct churn *c)
{
	__u32 start = c->key;

	bpf_loop(c->batch, add_cb, c, 0);
	c->key = start;
	bpf_loop(c->batch, del_cb, c, 0);
	return 0;
}

/*
 * args: [0] op, [1] tid, [2] first key, [3] step, [4] range,
 *       [5] batch (element ops per inner loop), [6] batches
 * Returns the element ops done.
 */
SEC("raw_tp")
int churn(__u64 *args)
{
	struct churn c = {
		.tid = args[1], .first = args[2], .step = args[3] ? args[3] : 1,
		.range = args[4], .key = args[2], .batch = args[5],
	};
	__u32 batches = args[6], *cur = &cursor[c.tid & (MAX_TID - 1)];
	int ops = c.batch * batches;

	if (*cur)
		c.key = *cur - 1;
	switch (args[0]) {
	case OP_OVERWRITE:
		bpf_loop(ops, overwrite_cb, &c, 0);
		break;
	case OP_ADD:
		bpf_loop(ops, add_cb, &c, 0);
		break;
	case OP_DEL:
		bpf_loop(ops, del_cb, &c, 0);
		break;
	case OP_ADD_DEL:
		bpf_loop(batches, add_del_cb, &c, 0);
		ops *= 2;
		break;
	default:
		return 0;
	}
	*cur = c.key + 1;
	return ops;
}
