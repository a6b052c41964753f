// SPDX-License-Identifier: GPL-2.0
/*
 * One BPF_PROG_TEST_RUN of the null program with `loops` empty bpf_loop
 * iterations: timed against loops, it splits the cost of a batch into the
 * syscall (fixed) and the in-kernel loop (per op), which is what the
 * workloads' batch sizes are chosen from. Also the user-space work of a
 * point: the summary of its samples and the JSON record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "bpfutil.h"
#include "cli.h"
#include "record.h"
#include "stats.h"
#include "null.skel.h"
#include "microbench/shim.h"

static struct null_bpf *skel;

int mb_bpf_setup(void)
{
	bpfutil_init();
	skel = null_bpf__open_and_load();
	return skel ? 0 : -errno;
}

long mb_test_run(unsigned int loops)
{
	uint64_t args[1] = { loops };
	uint32_t ret;
	int err = bpf_run_raw_tp(bpf_program__fd(skel->progs.null_loop), args, 1, &ret);

	return err ? err : (long)ret;
}

void mb_bpf_teardown(void)
{
	null_bpf__destroy(skel);
	skel = NULL;
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
	struct run_opts ro = { 0 };
	double samples[5] = { 1, 2, 3, 4, 5 };
	struct point pt;
	char err[ERR_LEN];
	FILE *null;
	json_t *rec;
	int ret;

	if (point_parse(3, argv, &pt, &ro, 1, err, sizeof(err)))
		return -EINVAL;
	rec = record_new(&pt, &ro);
	record_set_samples(rec, samples, 5);
	null = fopen("/dev/null", "w");
	ret = record_print(rec, null);
	fclose(null);
	json_decref(rec);
	return ret;
}
