/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU statistics of nmi_alloc, shared by the program and user space. */
#ifndef ALLOCBENCH_NMI_ALLOC_H
#define ALLOCBENCH_NMI_ALLOC_H

#include <linux/types.h>
#include "hist.h"

struct nmi_stats {
	__u64 ok;
	__u64 enomem;
	__u64 ebusy;
	__u64 e2big;
	__u64 other;
	__u64 seq;
	__u64 max_ns;
	__u64 hist[HIST_BUCKETS];
};

#endif
