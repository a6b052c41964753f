// SPDX-License-Identifier: GPL-2.0
/*
 * The table of workloads, in the order `allocbench list` shows them.
 * Adding one is one file (workloads/NAME.c, defining workload_NAME) and
 * one line here.
 */
#include "workload.h"

#define WORKLOAD_TABLE(W)	\
	W(null)			\
	W(htab_churn)		\
	W(qp_trie_lookup)	\
	W(qp_trie_update)	\
	W(nmi_alloc)		\
	W(map_perf)		\
	/* one line per workload, above this one */

#define WORKLOAD_DECLARE(name)	extern const struct workload workload_##name;
#define WORKLOAD_ENTRY(name)	&workload_##name,

WORKLOAD_TABLE(WORKLOAD_DECLARE)

const struct workload *const workloads[] = {
	WORKLOAD_TABLE(WORKLOAD_ENTRY)
	NULL,
};
