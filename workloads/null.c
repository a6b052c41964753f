// SPDX-License-Identifier: GPL-2.0
/*
 * null: the same harness around an empty in-kernel loop.
 *   shape=loops       `loops` empty iterations per test run (65536): the
 *                     cost of bpf_loop dispatch, the in-kernel ceiling;
 *   shape=htab_churn  as many per test run as htab_churn's default does
 *                     element ops (batch x batches, 1024): what the harness
 *                     costs around a real run's ops, so that null /
 *                     htab_churn is the harness's true headroom.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "workload.h"
#include "bpfutil.h"
#include "null.skel.h"

static const char *const shapes[] = { "loops", "htab_churn", NULL };

static const struct param_spec null_params[] = {
	{ .name = "loops", .type = PARAM_INT, .def = "65536", .min = 1, .max = 1 << 23,
	  .help = "shape=loops: iterations of bpf_loop per test run" },
	{ .name = "shape", .type = PARAM_ENUM, .def = "loops", .values = shapes,
	  .help = "loops, or the test-run shape of htab_churn's default" },
	{ 0 },
};

struct null_state {
	struct null_bpf *skel;
	uint64_t per_run;
};

/* htab_churn's default element ops per test run: batch x batches. */
static long long churn_default_ops(void)
{
	const struct workload *wl = workload_find("htab_churn");
	long long ops = 1;

	for (const struct param_spec *p = wl ? wl->params : NULL; p && p->name; p++)
		if (!strcmp(p->name, "batch") || !strcmp(p->name, "batches"))
			ops *= strtoll(p->def, NULL, 10);
	return ops;
}

static int null_setup(struct workload_ctx *ctx)
{
	struct null_state *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	ctx->priv = n;
	n->per_run = !strcmp(point_str(ctx->pt, "shape"), "htab_churn") ?
		     (uint64_t)churn_default_ops() : (uint64_t)point_int(ctx->pt, "loops");
	n->skel = null_bpf__open_and_load();
	if (!n->skel) {
		int err = -errno;

		bpfutil_load_error(err, "load null_loop", ctx->reason, REASON_LEN);
		return bpfutil_load_status(err);
	}
	return 0;
}

static long null_batch(struct workload_ctx *ctx, int tid)
{
	struct null_state *n = ctx->priv;
	uint64_t args[1] = { n->per_run };
	uint32_t ret;
	int err = bpf_run_raw_tp(bpf_program__fd(n->skel->progs.null_loop), args, 1, &ret);

	if (!err && (int32_t)ret < 0)
		err = (int32_t)ret;
	return err ? err : (long)ret;
}

static void null_teardown(struct workload_ctx *ctx)
{
	struct null_state *n = ctx->priv;

	if (!n)
		return;
	null_bpf__destroy(n->skel);
	free(n);
}

const struct workload workload_null = {
	.name = "null",
	.desc = "empty bpf_loop in a raw_tp test run: the harness's ceiling",
	.params = null_params,
	.setup = null_setup,
	.run_batch = null_batch,
	.teardown = null_teardown,
};
