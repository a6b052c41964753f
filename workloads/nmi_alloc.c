// SPDX-License-Identifier: GPL-2.0
/*
 * nmi_alloc: a perf_event program on each selected CPU allocates (update
 * with a fresh key into a hash map) and frees on every sample. Hardware
 * cycles arrive as NMIs where a PMU exists; the software cpu-clock fires
 * from a hrtimer (hard irq). The record says which it got.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "workload.h"
#include "bpfutil.h"
#include "result.h"
#include "stats.h"
#include "progs/nmi_alloc.h"
#include "nmi_alloc.skel.h"

static const char *const maps[] = { "noprealloc", "prealloc", NULL };
static const char *const events[] = { "auto", "cycles", "cpu-clock", NULL };

static const struct param_spec nmi_params[] = {
	{ .name = "map", .type = PARAM_ENUM, .def = "noprealloc", .values = maps,
	  .sweep = true, .help = "BPF_F_NO_PREALLOC (allocator under test) or preallocated" },
	{ .name = "event", .type = PARAM_ENUM, .def = "auto", .values = events,
	  .help = "perf event: hardware cycles (NMI), cpu-clock (hrtimer), auto" },
	{ .name = "freq", .type = PARAM_INT, .def = "10000", .min = 1, .max = 100000,
	  .help = "samples per second per CPU" },
	{ .name = "value_size", .type = PARAM_INT, .def = "8", .min = 1, .max = 4096,
	  .help = "value bytes" },
	{ .name = "max_entries", .type = PARAM_INT, .def = "65536", .min = 1,
	  .max = 1 << 24, .help = "map size" },
	PRESSURE_PARAMS,
	{ 0 },
};

struct nmi {
	struct nmi_alloc_bpf *skel;
	struct bpf_link *links[MAX_THREADS];
	int nr;
	bool hardware;
	int ncpus;
	struct nmi_stats *buf;	/* one per possible CPU */
};

static int open_event(int cpu, bool hardware, int freq)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = hardware ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE,
		.config = hardware ? PERF_COUNT_HW_CPU_CYCLES : PERF_COUNT_SW_CPU_CLOCK,
		.freq = 1,
		.sample_freq = (__u64)freq,
	};
	long fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : (int)fd;
}

/* Hardware cycles unless asked otherwise or there is no PMU. */
static int open_events(struct workload_ctx *ctx, struct nmi *n)
{
	const char *ev = point_str(ctx->pt, "event");
	int freq = (int)point_int(ctx->pt, "freq");

	n->hardware = strcmp(ev, "cpu-clock") != 0;
	for (int i = 0; i < ctx->pt->threads; i++) {
		int fd, cpu = ctx->cpus[i];
		bool dup = false;

		for (int j = 0; j < i; j++)
			dup |= ctx->cpus[j] == cpu;
		if (dup)
			continue;
		fd = open_event(cpu, n->hardware, freq);
		if (fd < 0 && n->hardware && !strcmp(ev, "auto") && i == 0) {
			n->hardware = false;
			fd = open_event(cpu, false, freq);
		}
		if (fd < 0) {
			snprintf(ctx->reason, REASON_LEN, "perf_event_open(%s, cpu %d): %s",
				 n->hardware ? "cycles" : "cpu-clock", cpu, strerror(-fd));
			return fd == -ENOENT || fd == -EOPNOTSUPP ? -EOPNOTSUPP : fd;
		}
		n->links[n->nr] = bpf_program__attach_perf_event(n->skel->progs.nmi_alloc, fd);
		if (!n->links[n->nr]) {
			int err = -errno;

			close(fd);
			snprintf(ctx->reason, REASON_LEN, "attach perf_event on cpu %d: %s",
				 cpu, strerror(-err));
			return err;
		}
		n->nr++;
	}
	return 0;
}

static int nmi_setup(struct workload_ctx *ctx)
{
	const struct point *pt = ctx->pt;
	struct nmi *n = calloc(1, sizeof(*n));
	bool prealloc = !strcmp(point_str(pt, "map"), "prealloc");
	int err;

	if (!n)
		return -ENOMEM;
	ctx->priv = n;
	n->ncpus = libbpf_num_possible_cpus();
	n->buf = calloc((size_t)n->ncpus, sizeof(*n->buf));
	n->skel = nmi_alloc_bpf__open();
	if (!n->skel || !n->buf)
		return -ENOMEM;
	bpf_map__set_value_size(n->skel->maps.htab, (__u32)point_int(pt, "value_size"));
	bpf_map__set_max_entries(n->skel->maps.htab, (__u32)point_int(pt, "max_entries"));
	bpf_map__set_map_flags(n->skel->maps.htab, prealloc ? 0 : BPF_F_NO_PREALLOC);
	err = nmi_alloc_bpf__load(n->skel);
	if (err) {
		bpfutil_load_error(err, "load nmi_alloc", ctx->reason, REASON_LEN);
		return bpfutil_load_status(err);
	}
	return open_events(ctx, n);
}

/* The CPUs must be busy for cpu-clock samples to mean load; spin 10 ms. */
static long nmi_batch(struct workload_ctx *ctx, int tid)
{
	struct timespec t0, t;
	volatile unsigned long spin = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 1000; i++)
			spin++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 10000000L);
	return 0;
}

static int read_stats(struct nmi *n, struct nmi_stats *sum)
{
	__u32 zero = 0;

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(bpf_map__fd(n->skel->maps.stats), &zero, n->buf))
		return -errno;
	for (int c = 0; c < n->ncpus; c++) {
		const struct nmi_stats *s = &n->buf[c];

		sum->ok += s->ok;
		sum->enomem += s->enomem;
		sum->ebusy += s->ebusy;
		sum->e2big += s->e2big;
		sum->other += s->other;
		if (s->max_ns > sum->max_ns)
			sum->max_ns = s->max_ns;
		for (int b = 0; b < HIST_BUCKETS; b++)
			sum->hist[b] += s->hist[b];
	}
	return 0;
}

static int nmi_read_ops(struct workload_ctx *ctx, uint64_t *ops)
{
	struct nmi_stats sum;
	int err = read_stats(ctx->priv, &sum);

	*ops = sum.ok;
	return err;
}

static void nmi_report(struct workload_ctx *ctx, struct result *res)
{
	struct nmi *n = ctx->priv;
	struct nmi_stats sum;

	if (read_stats(n, &sum))
		return;
	if (sum.enomem)
		result_add_failure(res, "ENOMEM", (long long)sum.enomem);
	if (sum.ebusy)
		result_add_failure(res, "EBUSY", (long long)sum.ebusy);
	if (sum.e2big)
		result_add_failure(res, "E2BIG", (long long)sum.e2big);
	if (sum.other)
		result_add_failure(res, "other", (long long)sum.other);
	result_add_counter(res, "allocs", (long long)sum.ok);
	res->latency.valid = true;
	res->latency.p50 = stats_hist_percentile((const uint64_t *)sum.hist, HIST_BUCKETS, 50);
	res->latency.p99 = stats_hist_percentile((const uint64_t *)sum.hist, HIST_BUCKETS, 99);
	res->latency.max = sum.max_ns;
	res->perf_event = n->hardware ? "cycles" : "cpu-clock";
	res->exec_context = n->hardware ? "nmi" : "hardirq";
}

static void nmi_teardown(struct workload_ctx *ctx)
{
	struct nmi *n = ctx->priv;

	if (!n)
		return;
	for (int i = 0; i < n->nr; i++)
		bpf_link__destroy(n->links[i]);	/* closes the event too */
	nmi_alloc_bpf__destroy(n->skel);
	free(n->buf);
	free(n);
}

const struct workload workload_nmi_alloc = {
	.name = "nmi_alloc",
	.desc = "allocate and free a hash-map element on every perf sample (NMI where a PMU exists)",
	.params = nmi_params,
	.setup = nmi_setup,
	.run_batch = nmi_batch,
	.read_ops = nmi_read_ops,
	.report = nmi_report,
	.teardown = nmi_teardown,
};
