// SPDX-License-Identifier: GPL-2.0
/*
 * Grace-period latency, measured, not assumed. A BPF program's last close
 * frees it through __bpf_prog_put_rcu() after a grace period: call_rcu()
 * for a plain program, call_rcu_tasks_trace() for a sleepable one
 * (BPF_PROG_TYPE_SYSCALL). A kprobe on that callback times close() to
 * free, which is what a deferred-free design's memory waits for: the
 * grace period and the callback's turn.
 * Where there are no kprobes (this host), the RCU figure comes from
 * membarrier(MEMBARRIER_CMD_GLOBAL), which waits for one synchronize_rcu()
 * (kernel/sched/membarrier.c), the Tasks Trace one is missing, and the
 * record says both.
 */
#include <errno.h>
#include <stdbool.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "gp.h"
#include "sysinfo.h"
#include "gp.skel.h"

#define GP_WAIT_NS	(3LL * 1000 * 1000 * 1000)

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double membarrier_ms(void)
{
	long long t0 = mono_ns();

	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		return -1;
	return (double)(mono_ns() - t0) / 1e6;
}

/* A program that does nothing (r0 = 0; exit), sleepable or not. */
static int load_empty(bool sleepable)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = sleepable ? BPF_F_SLEEPABLE : 0);

	return bpf_prog_load(sleepable ? BPF_PROG_TYPE_SYSCALL : BPF_PROG_TYPE_SOCKET_FILTER,
			     "allocbench_gp", "GPL", insns, 2, &opts);
}

/* close() of the only reference to free, in ms; -1 when it did not come. */
static double free_ms(struct gp_bpf *skel, bool sleepable)
{
	int fd = load_empty(sleepable);
	__u64 before;
	long long t0;

	if (fd < 0)
		return -1;
	before = skel->bss->frees;
	t0 = mono_ns();
	close(fd);
	while (__atomic_load_n(&skel->bss->frees, __ATOMIC_ACQUIRE) == before) {
		if (mono_ns() - t0 > GP_WAIT_NS)
			return -1;
		usleep(1000);
	}
	return (double)((long long)skel->bss->freed_ns - t0) / 1e6;
}

void gp_measure(struct result *res, int when)
{
	struct result_gp *g = &res->gp;
	struct gp_bpf *skel;
	int err;

	g->measured = true;
	skel = gp_bpf__open();
	if (!skel) {
		snprintf(g->trace_why, sizeof(g->trace_why), "open: %s", strerror(errno));
		goto membarrier;
	}
	err = gp_bpf__load(skel);
	if (!err)
		err = gp_bpf__attach(skel);
	if (err) {
		char rel[64];

		sys_kernel_release(rel, sizeof(rel));
		snprintf(g->trace_why, sizeof(g->trace_why),
			 "no kprobe on __bpf_prog_put_rcu in %s: %s", rel, strerror(-err));
		gp_bpf__destroy(skel);
		goto membarrier;
	}
	g->rcu_how = "call_rcu: program close to free";
	for (int i = 0; i < GP_SAMPLES; i++) {
		g->rcu_ms[when][g->nr_rcu[when]++] = free_ms(skel, false);
		g->trace_ms[when][g->nr_trace[when]++] = free_ms(skel, true);
	}
	gp_bpf__destroy(skel);
	return;
membarrier:
	g->rcu_how = "synchronize_rcu: membarrier(MEMBARRIER_CMD_GLOBAL)";
	for (int i = 0; i < GP_SAMPLES; i++)
		g->rcu_ms[when][g->nr_rcu[when]++] = membarrier_ms();
}
