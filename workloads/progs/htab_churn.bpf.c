// SPDX-License-Identifier: GPL-2.0
/*
 * htab_churn: element updates and deletes on a hash map, inside the kernel.
 * The map is non-preallocated (the allocator under test) or preallocated
 * (reference); user space sets flags, sizes and entries before load.
 *
 * Two programs, one per method:
 *   churn     the suite's regression method: many 64-op batches per test
 *             run over a cursor that sweeps the key range;
 *   htab_mem  the kernel's own bench htab-mem (selftests/bpf
 *             progs/htab_mem_bench.c): one 64-op loop per trigger, each
 *             thread on the same 64 keys every time; triggered by a test
 *             run, or as that bench does, from the sys_enter_getpgid
 *             tracepoint (htab_mem_getpgid, loaded only when used).
 * Both return the element operations that succeeded, count every attempt
 * and every failure by errno, and count a failed bpf_loop() as a failure
 * with no op done.
 */
#include "kerrno.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "htab_churn.h"

char _license[] SEC("license") = "GPL";

#define MAX_VALUE	4096

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} htab SEC(".maps");

unsigned char zeroed_value[MAX_VALUE];
struct hc_stats stats[HC_MAX_TID];
__u32 cursor[HC_MAX_TID];	/* next key + 1 of each thread; 0: start at first */

struct churn {
	__u32 first;	/* this thread's first key */
	__u32 step;	/* distance between its keys */
	__u32 range;	/* keys are below range (churn: wrap to first) */
	__u32 key;
	__u32 batch;
	__u64 flags;	/* update flags */
	struct hc_stats *s;
};

/* Some 6.1 helpers return a 32-bit errno zero-extended: compare as int. */
static void count(struct hc_stats *s, long ret)
{
	int i, err = (int)ret;

	s->attempts++;
	switch (err) {
	case 0:
		s->done++;
		return;
	case -ENOMEM: i = HC_ENOMEM; break;
	case -E2BIG: i = HC_E2BIG; break;
	case -ENOENT: i = HC_ENOENT; break;
	case -EEXIST: i = HC_EEXIST; break;
	case -EBUSY: i = HC_EBUSY; break;
	default:
		i = HC_OTHER;
		s->last_other = err;
		break;
	}
	s->errors[i]++;
}

static void next_key(struct churn *c)
{
	c->key += c->step;
	if (c->range && c->key >= c->range)
		c->key = c->first;
}

static int update_cb(__u32 i, struct churn *c)
{
	count(c->s, bpf_map_update_elem(&htab, &c->key, zeroed_value, c->flags));
	next_key(c);
	return 0;
}

static int del_cb(__u32 i, struct churn *c)
{
	count(c->s, bpf_map_delete_elem(&htab, &c->key));
	next_key(c);
	return 0;
}

/* bpf_loop(), with its own failure (E2BIG, EINVAL) counted, not hidden. */
static __always_inline void loop(struct churn *c, __u32 n, void *cb)
{
	int ret = bpf_loop(n, cb, c, 0);	/* an inlined loop's errno is 32 bits */

	if (ret < 0) {
		c->s->loop_errors++;
		c->s->last_loop_error = ret;
	}
}

static int add_del_cb(__u32 i, struct churn *c)
{
	__u32 start = c->key;

	c->flags = BPF_NOEXIST;
	loop(c, c->batch, update_cb);
	c->key = start;
	loop(c, c->batch, del_cb);
	return 0;
}

static struct hc_stats *stats_of(__u64 tid)
{
	return &stats[tid & (HC_MAX_TID - 1)];
}

/*
 * args: [0] op, [1] tid, [2] first key, [3] step, [4] range,
 *       [5] batch (element ops per inner loop), [6] batches
 * Returns the element operations that succeeded.
 */
SEC("raw_tp")
int churn(__u64 *args)
{
	struct churn c = {
		.first = args[2], .step = args[3] ? args[3] : 1, .range = args[4],
		.key = args[2], .batch = args[5], .s = stats_of(args[1]),
	};
	__u32 batches = args[6], *cur = &cursor[args[1] & (HC_MAX_TID - 1)];
	__u64 done = c.s->done;

	if (*cur)
		c.key = *cur - 1;
	switch (args[0]) {
	case HC_OVERWRITE:
		c.flags = BPF_ANY;
		loop(&c, c.batch * batches, update_cb);
		break;
	case HC_ADD:
		c.flags = BPF_NOEXIST;
		loop(&c, c.batch * batches, update_cb);
		break;
	case HC_DEL:
		loop(&c, c.batch * batches, del_cb);
		break;
	case HC_ADD_DEL:
		loop(&c, batches, add_del_cb);
		break;
	default:
		return 0;
	}
	*cur = c.key + 1;
	return c.s->done - done;
}

/*
 * One trigger of bench htab-mem: 64 element ops from key `from`, step
 * `step` (the same 64 keys every time), and op_cnt as that bench counts
 * it: +1 per 64-op loop (+2 for batch_add_batch_del).
 */
static __always_inline __u64 mem_loop(__u32 op, __u32 tid, __u32 from, __u32 step)
{
	struct churn c = {
		.first = from, .key = from, .step = step ? step : 1, .s = stats_of(tid),
	};
	__u64 done = c.s->done;

	switch (op) {
	case HC_OVERWRITE:
		c.flags = BPF_ANY;
		loop(&c, HC_MEM_BATCH, update_cb);
		c.s->loops++;
		break;
	case HC_ADD_DEL:	/* batch_add_batch_del: the add is an overwrite */
		c.flags = BPF_ANY;
		loop(&c, HC_MEM_BATCH, update_cb);
		c.key = c.first;
		loop(&c, HC_MEM_BATCH, del_cb);
		c.s->loops += 2;
		break;
	case HC_ADD:
		c.flags = BPF_NOEXIST;
		loop(&c, HC_MEM_BATCH, update_cb);
		c.s->loops++;
		break;
	case HC_DEL:
		loop(&c, HC_MEM_BATCH, del_cb);
		c.s->loops++;
		break;
	default:
		return 0;
	}
	return c.s->done - done;
}

/*
 * trigger=test_run: BPF_PROG_TEST_RUN. Returns the element operations
 * that succeeded. args: [0] op, [1] tid, [2] from, [3] step
 */
SEC("raw_tp")
int htab_mem(__u64 *args)
{
	return mem_loop(args[0], args[1], args[2], args[3]);
}

/* trigger=tracepoint: the kernel bench's own, a getpgid() system call. */
const volatile __u32 tgid;	/* the harness's process */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HC_MAX_TID);
	__type(key, __u32);	/* the thread's kernel id */
	__type(value, struct hc_thread);
} threads SEC(".maps");

SEC("?tp/syscalls/sys_enter_getpgid")
int htab_mem_getpgid(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = (__u32)id;
	struct hc_thread *t;

	if ((__u32)(id >> 32) != tgid)
		return 0;	/* another process's getpgid() */
	t = bpf_map_lookup_elem(&threads, &pid);
	if (t)
		mem_loop(t->op, t->tid, t->from, t->step);
	return 0;
}
