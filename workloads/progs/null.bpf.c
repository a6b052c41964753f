// SPDX-License-Identifier: GPL-2.0
/* The harness's own ceiling: an empty in-kernel loop. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char _license[] SEC("license") = "GPL";

static int empty(__u32 i, void *data)
{
	return 0;
}

/* args[0]: iterations; returns the iterations done */
SEC("raw_tp")
int null_loop(__u64 *args)
{
	return bpf_loop(args[0], empty, NULL, 0);
}
