// SPDX-License-Identifier: GPL-2.0
/*
 * map_perf: samples/bpf/map_perf_test's HASH_KMALLOC test (flag 4), the
 * one the bpf_mem_alloc series profiled with `./map_perf_test 4 72 10240
 * 100000`. Every thread (pinned, one per CPU, as the sample's forked
 * tasks) makes getpgid() system calls; each runs the program (kprobe on
 * the system call, or the sys_enter tracepoint where the kernel has no
 * kprobes: trigger=) which does 10 x (update, lookup, delete) of the
 * element keyed by the thread's id in a BPF_F_NO_PREALLOC hash map of
 * max_entries.
 *
 * The sample times rounds of `loops` system calls and prints, per CPU,
 * "N:hash_kmalloc E events per sec". So does this workload, on stderr, for
 * each thread at the end: E is the mean of the thread's rounds that ended
 * in the measured seconds, or, when none did (loops too large for the
 * window, as under TCG), the thread's system calls over its measured
 * seconds (counters.events_from_rounds says which). The record's ops/s are
 * element operations, 30 per system call; the program counts what did not
 * go as planned (failed update or delete, a lookup that missed) as
 * failures, and more of them than 0.1 % of the attempts fail the point.
 * counters hold the events/s per thread (sum, mean, min, max) and the
 * events.
 */
#include <errno.h>
#include <stdatomic.h>
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
#include "progs/map_perf.h"
#include "map_perf.skel.h"

#define CHUNK	100	/* system calls per batch: short under TCG too (a second's sample) */

static const char *const triggers[] = { "auto", "kprobe", "tracepoint", NULL };

static const struct param_spec mp_params[] = {
	{ .name = "max_entries", .type = PARAM_INT, .def = "10240", .min = 1,
	  .max = 1 << 24, .help = "hash map size (map_perf_test's third argument)" },
	{ .name = "loops", .type = PARAM_INT, .def = "100000", .min = 1,
	  .max = 1000000000, .help = "system calls a round, timed as map_perf_test's max_cnt" },
	{ .name = "trigger", .type = PARAM_ENUM, .def = "auto", .values = triggers,
	  .help = "kprobe on getpgid (the sample's), the sys_enter_getpgid tracepoint, or "
		  "auto (kprobe where it attaches, else the tracepoint)" },
	{ 0 },
};

struct mp_thread {
	_Alignas(64) unsigned long long events;	/* system calls so far */
	unsigned long long base;		/* at the measured window's start */
	double t_base, t_last;
	unsigned long long at_last;
	unsigned long long in_round;
	double round_t0;
	double round_sum;			/* events/s of the measured rounds */
	long rounds;
};

struct mp {
	struct map_perf_bpf *skel;
	const char *trigger;
	long long loops;
	atomic_bool measuring;
	struct mp_stats base;
	struct mp_thread *t;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int mp_validate(const struct point *pt, char *err, size_t len)
{
	if (pt->threads > MP_MAX_THREADS) {
		snprintf(err, len, "map_perf: at most %d threads (map_perf_test's largest run), not %d",
			 MP_MAX_THREADS, pt->threads);
		return -EINVAL;
	}
	return 0;
}

static bool have_tracepoint(void)
{
	return !access("/sys/kernel/tracing/events/syscalls/sys_enter_getpgid", F_OK) ||
	       !access("/sys/kernel/debug/tracing/events/syscalls/sys_enter_getpgid", F_OK);
}

/* Loads and attaches the program for trigger; 0 or -errno with reason. */
static int load_attach(struct mp *m, const struct point *pt, bool kprobe, char *reason,
		       size_t len)
{
	struct bpf_program *prog;
	struct bpf_link *link;
	int err;

	m->skel = map_perf_bpf__open();
	if (!m->skel)
		return -ENOMEM;
	prog = kprobe ? m->skel->progs.stress_hmap_alloc_kprobe : m->skel->progs.stress_hmap_alloc_tp;
	bpf_program__set_autoload(prog, true);
	bpf_map__set_max_entries(m->skel->maps.hash_map_alloc, (__u32)point_int(pt, "max_entries"));
	m->skel->rodata->tgid = (__u32)getpid();
	err = map_perf_bpf__load(m->skel);
	if (err) {
		bpfutil_load_error(err, "load map_perf", reason, len);
		return bpfutil_load_status(err);
	}
	link = bpf_program__attach(prog);
	if (!link) {
		err = -errno;
		snprintf(reason, len, "attach to %s: %s", kprobe ? "the getpgid system call (kprobe)" :
			 "syscalls/sys_enter_getpgid", strerror(-err));
		return err;
	}
	if (kprobe)
		m->skel->links.stress_hmap_alloc_kprobe = link;
	else
		m->skel->links.stress_hmap_alloc_tp = link;
	m->trigger = kprobe ? "kprobe:getpgid" : "tracepoint:syscalls:sys_enter_getpgid";
	return 0;
}

static int mp_setup(struct workload_ctx *ctx)
{
	const struct point *pt = ctx->pt;
	const char *t = point_str(pt, "trigger");
	struct mp *m = calloc(1, sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	ctx->priv = m;
	m->loops = point_int(pt, "loops");
	m->t = aligned_alloc(64, sizeof(*m->t) * MP_MAX_THREADS);
	if (!m->t)
		return -ENOMEM;
	memset(m->t, 0, sizeof(*m->t) * MP_MAX_THREADS);
	if (strcmp(t, "tracepoint")) {
		err = load_attach(m, pt, true, ctx->reason, REASON_LEN);
		if (!err || !strcmp(t, "kprobe"))
			return err;
		/* auto: no kprobes here; the tracepoint, saying why */
		map_perf_bpf__destroy(m->skel);
		m->skel = NULL;
	}
	if (!have_tracepoint()) {
		snprintf(ctx->reason, REASON_LEN, "no kprobe on getpgid and no "
			 "syscalls/sys_enter_getpgid tracepoint (CONFIG_KPROBES, CONFIG_FTRACE_SYSCALLS)");
		return -EOPNOTSUPP;
	}
	ctx->reason[0] = '\0';
	return load_attach(m, pt, false, ctx->reason, REASON_LEN);
}

static long mp_batch(struct workload_ctx *ctx, int tid)
{
	struct mp *m = ctx->priv;
	struct mp_thread *t = &m->t[tid];
	bool measuring = atomic_load_explicit(&m->measuring, memory_order_relaxed);

	if (!t->round_t0)
		t->round_t0 = now_s();
	for (int i = 0; i < CHUNK; i++) {
		syscall(SYS_getpgid, 0);
		if (++t->in_round == (unsigned long long)m->loops) {
			double now = now_s();

			/* a round counts when it ran inside the measured seconds */
			if (measuring && t->t_base && t->round_t0 >= t->t_base) {
				t->round_sum += (double)m->loops / (now - t->round_t0);
				t->rounds++;
			}
			t->in_round = 0;
			t->round_t0 = now;
		}
	}
	t->events += CHUNK;
	if (measuring) {
		if (!t->t_base) {	/* the first batch of the window */
			t->t_base = t->t_last;
			t->base = t->at_last;
		}
	}
	t->t_last = now_s();
	t->at_last = t->events;
	return CHUNK * MP_LOOP * 3;
}

static void mp_measure_start(struct workload_ctx *ctx)
{
	struct mp *m = ctx->priv;

	m->base = m->skel->bss->stats;
	atomic_store(&m->measuring, true);
}

/* A thread's events/s: its measured rounds' mean, or its window's rate. */
static double thread_rate(const struct mp_thread *t, bool from_rounds)
{
	if (from_rounds)
		return t->round_sum / (double)t->rounds;
	return t->t_base && t->t_last > t->t_base ?
		(double)(t->at_last - t->base) / (t->t_last - t->t_base) : 0;
}

static void mp_report(struct workload_ctx *ctx, struct result *res)
{
	struct mp *m = ctx->priv;
	const struct mp_stats *s = &m->skel->bss->stats;
	double sum = 0, min = 0, max = 0;
	long long events = 0, upd = (long long)(s->update_fail - m->base.update_fail);
	long long miss = (long long)(s->lookup_miss - m->base.lookup_miss);
	long long del = (long long)(s->delete_fail - m->base.delete_fail);
	bool from_rounds = true;

	/* rounds when every thread finished one in the window, else windows */
	for (int i = 0; i < ctx->pt->threads; i++)
		from_rounds &= m->t[i].rounds > 0;
	for (int i = 0; i < ctx->pt->threads; i++) {
		const struct mp_thread *t = &m->t[i];
		double rate = thread_rate(t, from_rounds);

		events += t->t_base ? (long long)(t->at_last - t->base) : 0;
		/* as map_perf_test prints it, the thread for its CPU */
		fprintf(stderr, "%d:hash_kmalloc %lld events per sec\n", ctx->cpus[i],
			(long long)rate);
		sum += rate;
		min = i && min < rate ? min : rate;
		max = max > rate ? max : rate;
	}
	result_set_counter(res, "events", events);
	result_set_counter(res, "events_per_sec_sum", (long long)sum);
	result_set_counter(res, "events_per_sec_mean", (long long)(sum / ctx->pt->threads));
	result_set_counter(res, "events_per_sec_min", (long long)min);
	result_set_counter(res, "events_per_sec_max", (long long)max);
	result_set_counter(res, "events_from_rounds", from_rounds);
	result_set_counter(res, "attempts", events * MP_LOOP * 2 + (events * MP_LOOP - miss));
	if (upd)
		result_add_failure(res, "update", upd);
	if (miss)
		result_add_failure(res, "lookup_miss", miss);
	if (del)
		result_add_failure(res, "delete", del);
	if (upd)
		result_set_counter(res, "update_errno", -s->last_update_err);
	result_set_counter(res, "max_entries", point_int(ctx->pt, "max_entries"));
	res->trigger = m->trigger;
}

static void mp_teardown(struct workload_ctx *ctx)
{
	struct mp *m = ctx->priv;

	if (!m)
		return;
	map_perf_bpf__destroy(m->skel);
	free(m->t);
	free(m);
}

const struct workload workload_map_perf = {
	.name = "map_perf",
	.desc = "samples/bpf/map_perf_test HASH_KMALLOC: 10 x (update, lookup, delete) per getpgid()",
	.params = mp_params,
	.validate = mp_validate,
	.setup = mp_setup,
	.run_batch = mp_batch,
	.measure_start = mp_measure_start,
	.report = mp_report,
	.teardown = mp_teardown,
	.max_failure_rate = 0.001,
};
