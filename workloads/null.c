// SPDX-License-Identifier: GPL-2.0
/* null: the same harness around an empty in-kernel loop. */
#include <errno.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "workload.h"
#include "bpfutil.h"
#include "null.skel.h"

static const struct param_spec null_params[] = {
	{ .name = "loops", .type = PARAM_INT, .def = "65536", .min = 1, .max = 1 << 23,
	  .help = "iterations of bpf_loop per test run" },
	{ 0 },
};

static int null_setup(struct workload_ctx *ctx)
{
	struct null_bpf *skel = null_bpf__open_and_load();

	if (!skel) {
		int err = -errno;

		bpfutil_load_error(err, "load null_loop", ctx->reason, REASON_LEN);
		return bpfutil_load_status(err);
	}
	ctx->priv = skel;
	return 0;
}

static long null_batch(struct workload_ctx *ctx, int tid)
{
	struct null_bpf *skel = ctx->priv;
	uint64_t args[1] = { (uint64_t)point_int(ctx->pt, "loops") };
	uint32_t ret;
	int err = bpf_run_raw_tp(bpf_program__fd(skel->progs.null_loop), args, 1, &ret);

	if (!err && (int32_t)ret < 0)
		err = (int32_t)ret;
	return err ? err : (long)ret;
}

static void null_teardown(struct workload_ctx *ctx)
{
	null_bpf__destroy(ctx->priv);
}

const struct workload workload_null = {
	.name = "null",
	.desc = "empty bpf_loop in a raw_tp test run: the harness's ceiling",
	.params = null_params,
	.setup = null_setup,
	.run_batch = null_batch,
	.teardown = null_teardown,
};
