/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU statistics of nmi_alloc, shared by the program and user space. */
#ifndef ALLOCBENCH_NMI_ALLOC_H
#define ALLOCBENCH_NMI_ALLOC_H

#include <linux/types.h>
#include "hist.h"

/* What an allocation attempt ended in; each has its latency histogram. */
enum nmi_outcome {
	NMI_OK,
	NMI_ENOMEM,
	NMI_EBUSY,
	NMI_E2BIG,
	NMI_OTHER,
	NMI_OUTCOMES,
};

/* The context the program observed in preempt_count when it ran. */
enum nmi_ctx {
	NMI_CTX_NMI,
	NMI_CTX_HARDIRQ,
	NMI_CTX_SOFTIRQ,
	NMI_CTX_TASK,
	NMI_CTX_UNKNOWN,	/* outside the timer interrupt, where only it is seen */
	NMI_CTXS,
};

/* pattern= */
enum nmi_pattern {
	NMI_PATTERN_SAME,	/* alloc and free in the same interrupt */
	NMI_PATTERN_HOLD,	/* keep up to `hold`; a task on another CPU deletes */
	NMI_PATTERN_BURST,	/* `burst` at once; a task deletes them later */
};

#define NMI_MAX_BURST	256

/*
 * One CPU's counts, in two slots of the per-CPU array: slot 0 counts the
 * warm-up and holds total_ok (only grows: the harness's op count) and the
 * key sequence; slot 1 is the measured window, from when user space sets
 * `window` to when it clears `counting` (nothing runs after that).
 */
struct nmi_stats {
	__u64 total_ok;
	__u64 seq;
	__u64 done;			/* slot 0: keys below it are finished */
	__u64 events;			/* program runs in the window */
	__u64 attempts;
	__u64 outcome[NMI_OUTCOMES];
	__u64 ctx[NMI_CTXS];		/* program runs by observed context */
	__u64 full;			/* pattern=hold: `hold` kept, no attempt */
	__u64 skipped_cpu;		/* runs on the deleting task's CPU */
	__u64 max_ns[NMI_OUTCOMES];
	__u64 hist[NMI_OUTCOMES][HIST_BUCKETS];
};

#endif
