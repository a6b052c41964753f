// SPDX-License-Identifier: GPL-2.0
/*
 * Grace-period probe: a sleepable program is freed after an RCU Tasks
 * Trace grace period (6.1's __bpf_prog_put_noref() calls
 * call_rcu_tasks_trace() for it, then __bpf_prog_put_rcu()). This kprobe
 * notes when that callback runs, so user space can time close() -> free.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

__u64 freed_ns;		/* bpf_ktime_get_ns() of the last free */
__u64 frees;

SEC("kprobe/__bpf_prog_put_rcu")
int on_prog_free(void *ctx)
{
	freed_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&frees, 1);
	return 0;
}
