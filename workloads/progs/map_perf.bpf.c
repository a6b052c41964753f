// SPDX-License-Identifier: GPL-2.0
/*
 * map_perf: samples/bpf/map_perf_test_kern.c's stress_hmap_alloc, the
 * HASH_KMALLOC test (flag 4): on every getpgid() of a thread, 10 x
 * (update, lookup, delete) of the element keyed by the thread's id in a
 * non-preallocated hash map of long values.
 *
 * The body is the sample's; two additions, both off its hot path: the
 * program returns at once for another process's getpgid() (the sample has
 * no such check: its machine ran nothing else), and an unexpected outcome
 * (a failed update or delete, a lookup that misses) is counted.
 *
 * Two attachments of the same body: a kprobe on the system call
 * (ksyscall/getpgid, as the sample), and the syscalls/sys_enter_getpgid
 * tracepoint for kernels without kprobes (the suite's host). User space
 * loads the one it attaches; the record's "trigger" says which.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "map_perf.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, long);
	__uint(max_entries, 10240);	/* user space sets max_entries */
	__uint(map_flags, BPF_F_NO_PREALLOC);
} hash_map_alloc SEC(".maps");

const volatile __u32 tgid;	/* the harness's process */
struct mp_stats stats;

static __always_inline int stress_hmap_alloc(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 key = (__u32)id;
	long init_val = 1;
	long *value;
	long err;
	int i;

	if ((__u32)(id >> 32) != tgid)
		return 0;
	for (i = 0; i < MP_LOOP; i++) {
		err = bpf_map_update_elem(&hash_map_alloc, &key, &init_val, BPF_ANY);
		if (err) {
			__sync_fetch_and_add(&stats.update_fail, 1);
			stats.last_update_err = err;
		}
		value = bpf_map_lookup_elem(&hash_map_alloc, &key);
		if (value) {
			if (bpf_map_delete_elem(&hash_map_alloc, &key))
				__sync_fetch_and_add(&stats.delete_fail, 1);
		} else {
			__sync_fetch_and_add(&stats.lookup_miss, 1);
		}
	}
	return 0;
}

SEC("?ksyscall/getpgid")
int stress_hmap_alloc_kprobe(void *ctx)
{
	return stress_hmap_alloc();
}

SEC("?tp/syscalls/sys_enter_getpgid")
int stress_hmap_alloc_tp(void *ctx)
{
	return stress_hmap_alloc();
}
