/* SPDX-License-Identifier: GPL-2.0 */
/* What htab_churn's program counts, shared with user space. */
#ifndef ALLOCBENCH_HTAB_CHURN_H
#define ALLOCBENCH_HTAB_CHURN_H

#include <linux/types.h>

#define HC_MAX_TID	1024
#define HC_MEM_BATCH	64	/* bench htab-mem: element ops per trigger */

enum { HC_OVERWRITE, HC_ADD, HC_DEL, HC_ADD_DEL };
enum { HC_ENOMEM, HC_E2BIG, HC_ENOENT, HC_EEXIST, HC_EBUSY, HC_OTHER, HC_NR_ERR };

/* Per thread, cumulative; user space takes differences. */
struct hc_stats {
	__u64 attempts;		/* element operations tried */
	__u64 done;		/* element operations that succeeded */
	__u64 loops;		/* bench htab-mem's op_cnt: +1 per 64-op loop */
	__u64 loop_errors;	/* bpf_loop() itself failed: nothing ran */
	__u64 errors[HC_NR_ERR];
	__s64 last_other;	/* the last errno counted as other */
	__s64 last_loop_error;
};

/* trigger=tracepoint: what a registered thread's getpgid() runs. */
struct hc_thread {
	__u32 op;
	__u32 tid;		/* index into stats */
	__u32 from;
	__u32 step;
};

#endif
