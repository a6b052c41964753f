// SPDX-License-Identifier: GPL-2.0
/*
 * One BPF_PROG_TEST_RUN of the null workload with `loops` empty bpf_loop
 * iterations: timed against loops, it splits the cost of a batch into the
 * syscall (fixed) and the in-kernel loop (per op), which is what the
 * workloads' batch sizes are chosen from. Also the user-space work of a
 * point: the summary of its samples and the JSON record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "workload.h"
#include "bpfutil.h"
#include "cli.h"
#include "record.h"
#include "stats.h"
#include "microbench/shim.h"

static struct point pt;
static struct run_opts ro;
static struct workload_ctx ctx;

/* The null workload through the interface every workload implements. */
int mb_bpf_setup(unsigned int loops)
{
	char arg[64], err[ERR_LEN];
	char *argv[] = { "null", "--threads", "1", "--param", arg, NULL };

	snprintf(arg, sizeof(arg), "loops=%u", loops);
	if (point_parse(5, argv, &pt, &ro, 1, err, sizeof(err)))
		return -EINVAL;
	bpfutil_init();
	memset(&ctx, 0, sizeof(ctx));
	ctx.pt = &pt;
	return pt.wl->setup(&ctx);
}

long mb_test_run(void)
{
	return pt.wl->run_batch(&ctx, 0);
}

void mb_bpf_teardown(void)
{
	if (pt.wl->teardown)
		pt.wl->teardown(&ctx);
}

double mb_summary(unsigned int n)
{
	double x[256];
	struct summary s;

	for (unsigned int i = 0; i < n && i < 256; i++)
		x[i] = 1e6 + (double)(i * 7919 % 1000);
	stats_summary(x, n < 256 ? n : 256, &s);
	return s.stddev;
}

int mb_record(void)
{
	char *argv[] = { "htab_churn", "--threads", "1", NULL };
	struct run_opts opts = { 0 };
	double samples[5] = { 1, 2, 3, 4, 5 };
	struct point p;
	struct result res;
	char err[ERR_LEN];
	FILE *null;
	json_t *rec;
	int ret;

	if (point_parse(3, argv, &p, &opts, 1, err, sizeof(err)))
		return -EINVAL;
	result_init(&res, &p, &opts);
	res.samples = samples;
	res.nr_samples = 5;
	result_set_status(&res, "ok", NULL);
	rec = result_to_json(&res);
	null = fopen("/dev/null", "w");
	ret = record_print(rec, null);
	fclose(null);
	json_decref(rec);
	return ret;
}
