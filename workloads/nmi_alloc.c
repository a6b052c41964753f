// SPDX-License-Identifier: GPL-2.0
/*
 * nmi_alloc: a BPF program allocates hash-map elements (updates with fresh
 * keys) where an interrupt arrives, and counts every attempt by the context
 * it observes in preempt_count (NMI, hard irq, soft irq, task):
 *   event=cycles     hardware cycles samples (NMIs where a PMU exists)
 *   event=cpu-clock  software samples from a hrtimer (hard irq)
 *   event=nmi        the nmi:nmi_handler tracepoint: every NMI the CPU
 *                    takes; under runners/vm-run the VM runner injects them
 *                    through QEMU's QMP at nmi_rate a second. QEMU delivers
 *                    inject-nmi through each local APIC's LINT1, which Linux
 *                    leaves unmasked as NMI on the boot CPU only: injected
 *                    NMIs arrive on CPU 0 (nmis_taken counts what arrived)
 *   event=auto       nmi when nmi_rate > 0, else cycles, else cpu-clock
 * pattern=same frees each element in the same interrupt; hold keeps up to
 * `hold` and burst allocates `burst` at once; in both a task on another CPU
 * (thread 0, moved there) deletes them, so that frees land on another CPU's
 * list and the allocating CPU's cache drains. Everything reported is the
 * measured window only; exec_context is what the program observed.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
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
static const char *const events[] = { "auto", "cycles", "cpu-clock", "nmi", NULL };
static const char *const patterns[] = { "same", "hold", "burst", NULL };
static const char *const outcome_names[NMI_OUTCOMES] = {
	"ok", "ENOMEM", "EBUSY", "E2BIG", "other",
};
static const char *const ctx_names[NMI_CTXS] = {
	"nmi", "hardirq", "softirq", "task", "unknown",
};

static const struct param_spec nmi_params[] = {
	{ .name = "map", .type = PARAM_ENUM, .def = "noprealloc", .values = maps,
	  .sweep = true, .help = "BPF_F_NO_PREALLOC (allocator under test) or preallocated" },
	{ .name = "event", .type = PARAM_ENUM, .def = "auto", .values = events,
	  .help = "where the program runs: cycles (NMI with a PMU), cpu-clock (hrtimer), "
		  "nmi (nmi:nmi_handler, NMIs the VM runner injects), auto" },
	{ .name = "freq", .type = PARAM_INT, .def = "10000", .min = 1, .max = 100000,
	  .help = "perf samples per second per CPU" },
	{ .name = "nmi_rate", .type = PARAM_INT, .def = "0", .min = 0, .max = 100000,
	  .help = "NMIs a second the VM runner injects (QMP inject-nmi, every vCPU); 0: none" },
	{ .name = "pattern", .type = PARAM_ENUM, .def = "same", .values = patterns,
	  .help = "same: free in the interrupt; hold: keep up to `hold`, a task on another "
		  "CPU deletes; burst: `burst` at once, a task deletes later" },
	{ .name = "hold", .type = PARAM_INT, .def = "256", .min = 1, .max = 1 << 24,
	  .help = "pattern=hold: elements kept at most" },
	{ .name = "burst", .type = PARAM_INT, .def = "64", .min = 1, .max = NMI_MAX_BURST,
	  .help = "pattern=burst: elements allocated per interrupt" },
	{ .name = "value_size", .type = PARAM_INT, .def = "8", .min = 1, .max = 4096,
	  .help = "value bytes" },
	{ .name = "max_entries", .type = PARAM_INT, .def = "65536", .min = 1,
	  .max = 1 << 24, .help = "map size" },
	PRESSURE_PARAMS,
	{ .name = "pressure_headroom_kb", .type = PARAM_INT, .def = "256", .min = 0,
	  .max = 1 << 30, .help = "pressure=memcg: memory.max is the usage after setup plus this" },
	{ 0 },
};

struct nmi {
	struct nmi_alloc_bpf *skel;
	struct bpf_link *links[MAX_THREADS];
	struct bpf_link *timer_links[2];
	int nr;
	const char *event;		/* "cycles", "cpu-clock", "nmi" */
	const char *ctx_source;		/* "preempt_count" or "stack" */
	int ncpus;
	int pattern;
	int deleter_cpu;		/* -1: none */
	int reads_left;			/* read_ops calls until the window closes */
	int htab_fd, stats_fd;
	__u64 *next_del;		/* per CPU: the next key sequence to delete */
	long long deleted, nmi_before, nmi_after;
	struct timespec t_start, t_end;
	struct nmi_stats *buf;		/* one per possible CPU */
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
static int open_events(struct workload_ctx *ctx, struct nmi *n, const char *ev)
{
	int freq = (int)point_int(ctx->pt, "freq");
	bool hardware = strcmp(ev, "cpu-clock") != 0;

	for (int i = 0; i < ctx->pt->threads; i++) {
		int fd, cpu = ctx->cpus[i];
		bool dup = false;

		for (int j = 0; j < i; j++)
			dup |= ctx->cpus[j] == cpu;
		if (dup)
			continue;
		fd = open_event(cpu, hardware, freq);
		if (fd < 0 && hardware && !strcmp(ev, "auto") && i == 0) {
			hardware = false;
			fd = open_event(cpu, false, freq);
		}
		if (fd < 0) {
			snprintf(ctx->reason, REASON_LEN, "perf_event_open(%s, cpu %d): %s",
				 hardware ? "cycles" : "cpu-clock", cpu, strerror(-fd));
			return fd == -ENOENT || fd == -EOPNOTSUPP ? -EOPNOTSUPP : fd;
		}
		n->links[n->nr] = bpf_program__attach_perf_event(
			strcmp(n->ctx_source, "timer") ? n->skel->progs.nmi_alloc_perf :
			n->skel->progs.nmi_alloc_perf_timer, fd);
		if (!n->links[n->nr]) {
			int err = -errno;

			close(fd);
			snprintf(ctx->reason, REASON_LEN, "attach perf_event on cpu %d: %s",
				 cpu, strerror(-err));
			return err;
		}
		n->nr++;
	}
	n->event = hardware ? "cycles" : "cpu-clock";
	return 0;
}

/* The nmi:nmi_handler tracepoint: x86's nmi_handle() fires it on every NMI. */
static int attach_nmi(struct workload_ctx *ctx, struct nmi *n)
{
	n->links[0] = bpf_program__attach_raw_tracepoint(n->skel->progs.nmi_alloc_nmi,
							  "nmi_handler");
	if (!n->links[0]) {
		int err = -errno;

		snprintf(ctx->reason, REASON_LEN, "attach raw tracepoint nmi_handler: %s%s",
			 strerror(-err), err == -ENOENT ? " (not an x86 kernel?)" : "");
		return err == -ENOENT ? -EOPNOTSUPP : err;
	}
	n->nr = 1;
	n->event = "nmi";
	return 0;
}

/* NMIs this kernel took so far, all CPUs (/proc/interrupts' NMI row); -1: none. */
static long long nmis_taken(void)
{
	char line[8192];
	long long sum = -1;
	FILE *f = fopen("/proc/interrupts", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		while (*p == ' ')
			p++;
		if (strncmp(p, "NMI:", 4))
			continue;
		sum = 0;
		for (p += 4;; p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
	}
	fclose(f);
	return sum;
}

/* The deleting task's CPU: an online CPU that runs no other thread, else the last one. */
static int pick_deleter(struct workload_ctx *ctx)
{
	cpu_set_t set;
	int last = -1;

	if (sched_getaffinity(0, sizeof(set), &set))
		return ctx->cpus[0];
	for (int c = 0; c < CPU_SETSIZE; c++) {
		bool used = false;

		if (!CPU_ISSET(c, &set))
			continue;
		for (int i = 0; i < ctx->pt->threads; i++)
			used |= ctx->cpus[i] == c;
		if (!used)
			return c;
		last = c;
	}
	return last;
}

/*
 * Open and load the object. The programs that read __preempt_count fail to
 * load where the kernel cannot resolve per-CPU symbols (-ENOENT); with
 * from_timer the perf_event program that observes x86's local timer
 * interrupt (its entry and exit tracepoints) loads instead.
 */
static int load(struct nmi *n, const struct point *pt, bool from_timer)
{
	bool prealloc = !strcmp(point_str(pt, "map"), "prealloc");

	n->skel = nmi_alloc_bpf__open();
	if (!n->skel)
		return -errno ? -errno : -ENOMEM;
	n->ctx_source = from_timer ? "timer" : "preempt_count";
	bpf_program__set_autoload(n->skel->progs.nmi_alloc_perf, !from_timer);
	bpf_program__set_autoload(n->skel->progs.nmi_alloc_nmi, !from_timer);
	bpf_program__set_autoload(n->skel->progs.nmi_alloc_perf_timer, from_timer);
	bpf_program__set_autoload(n->skel->progs.nmi_alloc_timer_entry, from_timer);
	bpf_program__set_autoload(n->skel->progs.nmi_alloc_timer_exit, from_timer);
	n->skel->rodata->pattern = (__u32)n->pattern;
	n->skel->rodata->hold = (__u32)point_int(pt, "hold");
	n->skel->rodata->burst = (__u32)point_int(pt, "burst");
	n->skel->rodata->deleter_cpu = n->deleter_cpu;
	bpf_map__set_value_size(n->skel->maps.htab, (__u32)point_int(pt, "value_size"));
	bpf_map__set_max_entries(n->skel->maps.htab, (__u32)point_int(pt, "max_entries"));
	bpf_map__set_map_flags(n->skel->maps.htab, prealloc ? 0 : BPF_F_NO_PREALLOC);
	return nmi_alloc_bpf__load(n->skel);
}

static int nmi_validate(const struct point *pt, char *err, size_t len)
{
	if (!strcmp(point_str(pt, "event"), "nmi") && point_int(pt, "nmi_rate") <= 0) {
		snprintf(err, len, "event=nmi needs nmi_rate > 0 (the VM runner injects the NMIs)");
		return -EINVAL;
	}
	if (strcmp(point_str(pt, "pattern"), "hold") == 0 &&
	    point_int(pt, "hold") > point_int(pt, "max_entries")) {
		snprintf(err, len, "hold=%lld is above max_entries=%lld",
			 point_int(pt, "hold"), point_int(pt, "max_entries"));
		return -EINVAL;
	}
	return 0;
}

static int nmi_setup(struct workload_ctx *ctx)
{
	const struct point *pt = ctx->pt;
	struct nmi *n = calloc(1, sizeof(*n));
	const char *ev = point_str(pt, "event");
	const char *pat = point_str(pt, "pattern");
	int err;

	if (!n)
		return -ENOMEM;
	ctx->priv = n;
	n->ncpus = libbpf_num_possible_cpus();
	n->buf = calloc((size_t)n->ncpus, sizeof(*n->buf));
	n->next_del = calloc((size_t)n->ncpus, sizeof(*n->next_del));
	if (!n->buf || !n->next_del)
		return -ENOMEM;
	n->pattern = !strcmp(pat, "hold") ? NMI_PATTERN_HOLD :
		     !strcmp(pat, "burst") ? NMI_PATTERN_BURST : NMI_PATTERN_SAME;
	n->deleter_cpu = n->pattern == NMI_PATTERN_SAME ? -1 : pick_deleter(ctx);
	n->reads_left = -1;
	err = load(n, pt, false);
	if (err == -ENOENT && strcmp(ev, "nmi") &&
	    !(strcmp(ev, "auto") == 0 && point_int(pt, "nmi_rate") > 0)) {
		/* no per-CPU symbols in kallsyms: observe the timer interrupt instead */
		nmi_alloc_bpf__destroy(n->skel);
		err = load(n, pt, true);
	}
	if (err) {
		bpfutil_load_error(err, "load nmi_alloc", ctx->reason, REASON_LEN);
		return bpfutil_load_status(err);
	}
	n->htab_fd = bpf_map__fd(n->skel->maps.htab);
	n->stats_fd = bpf_map__fd(n->skel->maps.stats);
	if (!strcmp(ev, "nmi") || (!strcmp(ev, "auto") && point_int(pt, "nmi_rate") > 0))
		return attach_nmi(ctx, n);
	if (!strcmp(n->ctx_source, "timer")) {
		n->timer_links[0] = bpf_program__attach_raw_tracepoint(
			n->skel->progs.nmi_alloc_timer_entry, "local_timer_entry");
		n->timer_links[1] = bpf_program__attach_raw_tracepoint(
			n->skel->progs.nmi_alloc_timer_exit, "local_timer_exit");
		if (!n->timer_links[0] || !n->timer_links[1]) {
			err = -errno;
			snprintf(ctx->reason, REASON_LEN, "no __preempt_count symbol and no "
				 "irq_vectors:local_timer_entry/exit to observe the context: %s",
				 strerror(-err));
			return -EOPNOTSUPP;
		}
	}
	return open_events(ctx, n, ev);
}

static long spin_10ms(void)
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

/*
 * The deleting task: delete, in order, every key an interrupt has finished
 * inserting (each CPU's `done` sequence), on its own CPU; then sleep 1 ms.
 */
static long delete_batch(struct nmi *n)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(n->stats_fd, &zero, n->buf))
		return -errno;
	for (int c = 0; c < n->ncpus; c++) {
		for (; n->next_del[c] < n->buf[c].done; n->next_del[c]++) {
			__u64 key = ((__u64)c << 48) | n->next_del[c];

			if (!bpf_map_delete_elem(n->htab_fd, &key)) {
				__atomic_fetch_sub(&n->skel->bss->held, 1, __ATOMIC_RELAXED);
				/* the measured window's only, as the program's counts */
				if (__atomic_load_n(&n->skel->bss->window, __ATOMIC_RELAXED) &&
				    __atomic_load_n(&n->skel->data->counting, __ATOMIC_RELAXED))
					n->deleted++;
			}
		}
	}
	usleep(1000);
	return 0;
}

/* Thread 0 deletes (hold, burst) on its CPU; the others keep their CPUs busy. */
static long nmi_batch(struct workload_ctx *ctx, int tid)
{
	struct nmi *n = ctx->priv;

	if (tid == 0 && n->deleter_cpu >= 0) {
		static __thread int pinned;

		if (!pinned) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(n->deleter_cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				return -errno;
			pinned = 1;
		}
		return delete_batch(n);
	}
	return spin_10ms();
}

/* Sum slot SLOT over the CPUs; max_ns as the largest. */
static int read_stats(struct nmi *n, __u32 slot, struct nmi_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(n->stats_fd, &slot, n->buf))
		return -errno;
	for (int c = 0; c < n->ncpus; c++) {
		const struct nmi_stats *s = &n->buf[c];

		sum->total_ok += s->total_ok;
		sum->events += s->events;
		sum->attempts += s->attempts;
		sum->full += s->full;
		sum->skipped_cpu += s->skipped_cpu;
		for (int k = 0; k < NMI_CTXS; k++)
			sum->ctx[k] += s->ctx[k];
		for (int o = 0; o < NMI_OUTCOMES; o++) {
			sum->outcome[o] += s->outcome[o];
			if (s->max_ns[o] > sum->max_ns[o])
				sum->max_ns[o] = s->max_ns[o];
			for (int b = 0; b < HIST_BUCKETS; b++)
				sum->hist[o][b] += s->hist[o][b];
		}
	}
	return 0;
}

static void nmi_measure_start(struct workload_ctx *ctx)
{
	struct nmi *n = ctx->priv;

	n->nmi_before = nmis_taken();
	clock_gettime(CLOCK_MONOTONIC, &n->t_start);
	n->reads_left = ctx->pt->duration;
	__atomic_store_n(&n->skel->bss->window, 1, __ATOMIC_RELEASE);
}

/* The op count; the read that ends the measured window closes it first. */
static int nmi_read_ops(struct workload_ctx *ctx, uint64_t *ops)
{
	struct nmi *n = ctx->priv;
	struct nmi_stats sum;
	int err;

	if (n->reads_left > 0 && --n->reads_left == 0) {
		__atomic_store_n(&n->skel->data->counting, 0, __ATOMIC_RELEASE);
		n->nmi_after = nmis_taken();
		clock_gettime(CLOCK_MONOTONIC, &n->t_end);
	}
	err = read_stats(n, 0, &sum);
	*ops = sum.total_ok;
	return err;
}

static void add_latency(struct result *res, const char *what, const struct nmi_stats *s, int o)
{
	char name[RESULT_NAME_LEN];
	const uint64_t *h = (const uint64_t *)s->hist[o];

	snprintf(name, sizeof(name), "latency_%s_p50_ns", what);
	result_add_counter(res, name, (long long)stats_hist_percentile(h, HIST_BUCKETS, 50));
	snprintf(name, sizeof(name), "latency_%s_p99_ns", what);
	result_add_counter(res, name, (long long)stats_hist_percentile(h, HIST_BUCKETS, 99));
	snprintf(name, sizeof(name), "latency_%s_max_ns", what);
	result_add_counter(res, name, (long long)s->max_ns[o]);
}

static void nmi_report(struct workload_ctx *ctx, struct result *res)
{
	struct nmi *n = ctx->priv;
	struct nmi_stats sum;
	const char *seen = NULL;
	int kinds = 0;
	char name[RESULT_NAME_LEN];

	if (read_stats(n, 1, &sum))
		return;
	for (int o = 1; o < NMI_OUTCOMES; o++) {
		if (!sum.outcome[o])
			continue;
		result_add_failure(res, outcome_names[o], (long long)sum.outcome[o]);
		add_latency(res, outcome_names[o], &sum, o);
	}
	result_add_counter(res, "attempts", (long long)sum.attempts);
	result_add_counter(res, "allocs", (long long)sum.outcome[NMI_OK]);
	result_add_counter(res, "program_runs", (long long)sum.events);
	for (int k = 0; k < NMI_CTXS; k++) {
		snprintf(name, sizeof(name), "runs_%s", ctx_names[k]);
		result_add_counter(res, name, (long long)sum.ctx[k]);
		if (sum.ctx[k]) {
			seen = ctx_names[k];
			kinds++;
		}
	}
	if (n->pattern != NMI_PATTERN_SAME) {
		result_add_counter(res, "deleter_cpu", n->deleter_cpu);
		result_add_counter(res, "runs_on_deleter_cpu", (long long)sum.skipped_cpu);
		result_add_counter(res, "deleted_by_task", n->deleted);
		result_add_counter(res, "held_at_end", (long long)n->skel->bss->held);
	}
	if (n->pattern == NMI_PATTERN_HOLD)
		result_add_counter(res, "hold_full", (long long)sum.full);
	if (n->nmi_before >= 0 && n->nmi_after >= n->nmi_before) {
		double secs = (double)(n->t_end.tv_sec - n->t_start.tv_sec) +
			      (double)(n->t_end.tv_nsec - n->t_start.tv_nsec) / 1e9;

		result_add_counter(res, "nmis_taken", n->nmi_after - n->nmi_before);
		if (secs > 0)
			result_add_counter(res, "nmis_per_s",
					   (long long)((double)(n->nmi_after - n->nmi_before) / secs + 0.5));
	}
	if (sum.outcome[NMI_OK]) {
		res->latency.valid = true;
		res->latency.p50 = stats_hist_percentile((const uint64_t *)sum.hist[NMI_OK],
							 HIST_BUCKETS, 50);
		res->latency.p99 = stats_hist_percentile((const uint64_t *)sum.hist[NMI_OK],
							 HIST_BUCKETS, 99);
		res->latency.max = sum.max_ns[NMI_OK];
	}
	res->perf_event = n->event;
	result_add_counter(res, "context_from_timer_irq", !strcmp(n->ctx_source, "timer"));
	res->exec_context = kinds > 1 ? "mixed" : seen;
	if (!sum.events && !strcmp(n->event, "nmi"))
		result_set_status(res, "failed", "no NMI reached nmi:nmi_handler in the measured "
				  "window (the VM runner injects them at nmi_rate; nothing injects "
				  "them elsewhere)");
}

static void nmi_teardown(struct workload_ctx *ctx)
{
	struct nmi *n = ctx->priv;

	if (!n)
		return;
	for (int i = 0; i < n->nr; i++)
		bpf_link__destroy(n->links[i]);	/* closes the event too */
	for (int i = 0; i < 2; i++)
		bpf_link__destroy(n->timer_links[i]);
	nmi_alloc_bpf__destroy(n->skel);
	free(n->next_del);
	free(n->buf);
	free(n);
}

const struct workload workload_nmi_alloc = {
	.name = "nmi_alloc",
	.desc = "allocate hash-map elements where an interrupt arrives (perf sample, or "
		"injected NMI in a VM), counted by the context the program observes",
	.params = nmi_params,
	.validate = nmi_validate,
	.setup = nmi_setup,
	.run_batch = nmi_batch,
	.read_ops = nmi_read_ops,
	.measure_start = nmi_measure_start,
	.report = nmi_report,
	.teardown = nmi_teardown,
};
