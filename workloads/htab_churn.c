// SPDX-License-Identifier: GPL-2.0
/*
 * htab_churn: update/delete churn on a hash map, after the kernel's own
 * htab-mem benchmark. Cases:
 *   overwrite            each thread overwrites its own keys of a full map
 *   batch_add_batch_del  each thread adds a batch of keys, then deletes it
 *   add_del_on_diff_cpu  thread 2p adds a batch, thread 2p+1 (another CPU)
 *                        deletes it, in turn: allocation and free on
 *                        different CPUs (an unpaired last thread does both)
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "workload.h"
#include "bpfutil.h"
#include "result.h"
#include "htab_churn.skel.h"

enum { OP_OVERWRITE, OP_ADD, OP_DEL, OP_ADD_DEL };

static const char *const cases[] = {
	"overwrite", "batch_add_batch_del", "add_del_on_diff_cpu", NULL,
};
static const char *const maps[] = { "noprealloc", "prealloc", NULL };

static const struct param_spec churn_params[] = {
	{ .name = "case", .type = PARAM_ENUM, .def = "overwrite", .values = cases,
	  .sweep = true, .help = "churn pattern" },
	{ .name = "map", .type = PARAM_ENUM, .def = "noprealloc", .values = maps,
	  .sweep = true, .help = "BPF_F_NO_PREALLOC (allocator under test) or preallocated" },
	{ .name = "value_size", .type = PARAM_INT, .def = "8", .min = 1, .max = 4096,
	  .help = "value bytes" },
	{ .name = "max_entries", .type = PARAM_INT, .def = "8192", .min = 64,
	  .max = 1 << 24, .help = "map size (and key range)" },
	{ .name = "batch", .type = PARAM_INT, .def = "64", .min = 1, .max = 4096,
	  .help = "element ops per batch (the published 'op' is a batch of 64)" },
	{ .name = "batches", .type = PARAM_INT, .def = "16", .min = 1, .max = 4096,
	  .help = "batches per test run" },
	PRESSURE_PARAMS,
	{ 0 },
};

struct pair {
	_Alignas(64) atomic_int turn;	/* 0: adder's turn, 1: deleter's */
};

struct churn {
	struct htab_churn_bpf *skel;
	int prog_fd;
	int op;
	struct pair *pairs;
};

static int churn_validate(const struct point *pt, char *err, size_t len)
{
	long long need = point_int(pt, "batch") * pt->threads;

	if (!strcmp(point_str(pt, "case"), "add_del_on_diff_cpu"))
		need *= point_int(pt, "batches");	/* a whole test run is in flight */

	if (need > point_int(pt, "max_entries")) {
		snprintf(err, len, "htab_churn: max_entries %lld < batch x threads (%lld)",
			 point_int(pt, "max_entries"), need);
		return -EINVAL;
	}
	return 0;
}

static int op_of(const char *c)
{
	if (!strcmp(c, "overwrite"))
		return OP_OVERWRITE;
	if (!strcmp(c, "batch_add_batch_del"))
		return OP_ADD_DEL;
	return OP_ADD;	/* add_del_on_diff_cpu: adders add, deleters delete */
}

static int prefill(struct churn *c, const struct point *pt)
{
	int fd = bpf_map__fd(c->skel->maps.htab);
	char *value = calloc(1, (size_t)point_int(pt, "value_size"));
	int err = 0;

	if (!value)
		return -ENOMEM;
	for (__u32 k = 0; k < point_int(pt, "max_entries") && !err; k++)
		if (bpf_map_update_elem(fd, &k, value, BPF_ANY))
			err = -errno;
	free(value);
	return err;
}

static int churn_setup(struct workload_ctx *ctx)
{
	const struct point *pt = ctx->pt;
	struct churn *c = calloc(1, sizeof(*c));
	bool prealloc = !strcmp(point_str(pt, "map"), "prealloc");
	int err;

	if (!c)
		return -ENOMEM;
	ctx->priv = c;
	c->op = op_of(point_str(pt, "case"));
	c->pairs = aligned_alloc(64, sizeof(struct pair) * MAX_THREADS);
	c->skel = htab_churn_bpf__open();
	if (!c->skel || !c->pairs)
		return -ENOMEM;
	memset(c->pairs, 0, sizeof(struct pair) * MAX_THREADS);
	bpf_map__set_value_size(c->skel->maps.htab, (__u32)point_int(pt, "value_size"));
	bpf_map__set_max_entries(c->skel->maps.htab, (__u32)point_int(pt, "max_entries"));
	bpf_map__set_map_flags(c->skel->maps.htab, prealloc ? 0 : BPF_F_NO_PREALLOC);
	err = htab_churn_bpf__load(c->skel);
	if (err) {
		bpfutil_load_error(err, "load htab_churn", ctx->reason, REASON_LEN);
		return bpfutil_load_status(err);
	}
	c->prog_fd = bpf_program__fd(c->skel->progs.churn);
	if (c->op == OP_OVERWRITE)
		return prefill(c, pt);
	return 0;
}

static long run(struct workload_ctx *ctx, int op, int tid, int first, int step)
{
	struct churn *c = ctx->priv;
	const struct point *pt = ctx->pt;
	uint64_t args[7] = {
		(uint64_t)op, (uint64_t)tid, (uint64_t)first, (uint64_t)step,
		(uint64_t)point_int(pt, "max_entries"), (uint64_t)point_int(pt, "batch"),
		(uint64_t)point_int(pt, "batches"),
	};
	uint32_t ret;
	int err = bpf_run_raw_tp(c->prog_fd, args, 7, &ret);

	return err ? err : (long)ret;
}

/* Wait for our turn; gives up (0 ops) when the run stops meanwhile. */
static bool wait_turn(struct pair *p, int want)
{
	for (int spin = 0; atomic_load_explicit(&p->turn, memory_order_acquire) != want; spin++) {
		if (spin > 1000000)
			return false;
		if (spin > 100)
			sched_yield();
	}
	return true;
}

static long diff_cpu_batch(struct workload_ctx *ctx, int tid)
{
	struct churn *c = ctx->priv;
	int threads = ctx->pt->threads, npairs = threads / 2, p = tid / 2;
	struct pair *pair = &c->pairs[p];
	bool deleter = tid & 1;
	long n;

	if (p >= npairs)	/* unpaired last thread: add and delete itself */
		return run(ctx, OP_ADD_DEL, tid, npairs, npairs + 1);
	if (!wait_turn(pair, deleter))
		return 0;
	/* one batch per turn keeps adder and deleter on the same keys */
	n = run(ctx, deleter ? OP_DEL : OP_ADD, tid, p, npairs + (threads & 1));
	atomic_store_explicit(&pair->turn, !deleter, memory_order_release);
	return n;
}

static long churn_batch(struct workload_ctx *ctx, int tid)
{
	struct churn *c = ctx->priv;

	if (c->op == OP_ADD)
		return diff_cpu_batch(ctx, tid);
	return run(ctx, c->op, tid, tid, ctx->pt->threads);
}

static void churn_report(struct workload_ctx *ctx, struct result *res)
{
	static const char *const names[] = {
		"ENOMEM", "E2BIG", "ENOENT", "EEXIST", "EBUSY", "other",
	};
	struct churn *c = ctx->priv;

	for (int t = 0; t < ctx->pt->threads; t++) {
		for (int e = 0; e < 6; e++)
			if (c->skel->bss->errors[t][e])
				result_add_failure(res, names[e],
						   (long long)c->skel->bss->errors[t][e]);
		if (c->skel->bss->last_other[t])	/* what "other" was */
			result_set_counter(res, "other_errno",
					   -(long long)c->skel->bss->last_other[t]);
	}
}

static void churn_teardown(struct workload_ctx *ctx)
{
	struct churn *c = ctx->priv;

	if (!c)
		return;
	htab_churn_bpf__destroy(c->skel);
	free(c->pairs);
	free(c);
}

const struct workload workload_htab_churn = {
	.name = "htab_churn",
	.desc = "hash-map update/delete churn inside the kernel (htab-mem cases)",
	.params = churn_params,
	.validate = churn_validate,
	.setup = churn_setup,
	.run_batch = churn_batch,
	.report = churn_report,
	.teardown = churn_teardown,
};
