// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement protocol, the same for every workload (after the kernel's
 * selftests/bpf/bench.c): one pinned thread per CPU runs batches, the main
 * thread takes one sample a second, warm-up samples are dropped, the record
 * keeps every sample and their mean and stddev, with memory and failures.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "gp.h"
#include "harness.h"
#include "kstats.h"
#include "memstat.h"
#include "pressure.h"
#include "profile.h"
#include "sysinfo.h"

struct worker {
	_Alignas(64) atomic_ullong ops;
	long err;
	int tid;
	pthread_t thread;
	struct run *run;
};

struct run {
	struct workload_ctx ctx;
	struct worker *workers;
	atomic_bool go;
	atomic_bool stop;
	struct profile *prof;	/* NULL: not profiled */
	struct kstats *alloc_stats; /* the allocator's own counters, if any */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->ctx.cpus[w->tid], &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		w->err = -EINVAL;
		return NULL;
	}
	while (!atomic_load_explicit(&r->go, memory_order_acquire))
		sched_yield();
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		long n = r->ctx.pt->wl->run_batch(&r->ctx, w->tid);

		if (n < 0) {
			w->err = n;
			break;
		}
		atomic_fetch_add_explicit(&w->ops, (unsigned long long)n, memory_order_relaxed);
	}
	return NULL;
}

volatile sig_atomic_t harness_stop_signal;

static void on_stop_signal(int sig)
{
	harness_stop_signal = sig;
}

/* The first SIGINT, SIGTERM or SIGHUP ends the point; a second one kills. */
void harness_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESETHAND };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Only the main thread takes the stop signals: it is the one that sleeps. */
static void block_stop_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static int total_ops(struct run *r, uint64_t *ops)
{
	uint64_t sum = 0;

	if (r->ctx.pt->wl->read_ops)
		return r->ctx.pt->wl->read_ops(&r->ctx, ops);
	for (int i = 0; i < r->ctx.pt->threads; i++)
		sum += atomic_load_explicit(&r->workers[i].ops, memory_order_relaxed);
	*ops = sum;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* -EINTR when a stop signal came first. */
static int sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t };

	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (!harness_stop_signal &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	return harness_stop_signal ? -EINTR : 0;
}

/* Pin thread i to the i-th CPU we may use, wrapping when oversubscribed. */
static int assign_cpus(struct workload_ctx *ctx)
{
	int allowed[MAX_THREADS];
	int n = sys_allowed_cpus(allowed, MAX_THREADS);

	if (n <= 0)
		return n < 0 ? n : -ENODEV;
	for (int i = 0; i < ctx->pt->threads; i++)
		ctx->cpus[i] = allowed[i % n];
	return 0;
}

static int start_workers(struct run *r, char *reason, size_t len)
{
	for (int i = 0; i < r->ctx.pt->threads; i++) {
		struct worker *w = &r->workers[i];
		int err;

		w->tid = i;
		w->run = r;
		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			snprintf(reason, len, "pthread_create: %s", strerror(err));
			atomic_store(&r->stop, true);
			atomic_store(&r->go, true);
			for (int j = 0; j < i; j++)
				pthread_join(r->workers[j].thread, NULL);
			return -err;
		}
	}
	return 0;
}

/*
 * The lockless-pool variant's counters (refills by its worker, rescue
 * reserve uses, direct allocations, failures): read at the edges of the
 * measured window, like the workload's own counts. Absent elsewhere.
 */
#define ALLOC_STATS	"/sys/kernel/debug/bpf_mem_alloc/stats"
static const char *const alloc_gauges[] = { "reserve_size", NULL };

/* The warm-up is over: counts the workload reports start here. */
static void measure_start(struct run *r)
{
	if (r->ctx.pt->wl->measure_start)
		r->ctx.pt->wl->measure_start(&r->ctx);
	kstats_begin(r->alloc_stats, ALLOC_STATS, "pool_", alloc_gauges);
	profile_enable(r->prof);
}

static bool any_worker_dead(const struct run *r)
{
	for (int i = 0; i < r->ctx.pt->threads; i++)
		if (r->workers[i].err)
			return true;
	return false;
}

/*
 * Returns the number of measured samples. A worker error, a count that
 * cannot be read (or goes backwards) or a stop signal ends it early; the
 * last two say why in reason.
 */
static int sample_loop(struct run *r, struct memstat *mem, struct pressure *pr,
		       struct result *res, char *reason, size_t len)
{
	const struct point *pt = r->ctx.pt;
	int total = pt->warmup + pt->duration, n = 0;
	double t0, prev_t, mem_sum = 0;
	uint64_t prev = 0, ops = 0;
	int err = total_ops(r, &prev);

	if (!pt->warmup)
		measure_start(r);
	t0 = prev_t = now_s();
	atomic_store_explicit(&r->go, true, memory_order_release);
	for (int s = 1; s <= total && !err; s++) {
		long long mem_now;
		double t;

		if (sleep_until(t0 + s))
			break;
		err = total_ops(r, &ops);
		if (!err && ops < prev)
			err = -ERANGE;
		if (err)
			break;
		t = now_s();
		mem_now = memstat_sample(mem);
		pressure_sample(pr);
		if (s > pt->warmup) {
			res->samples[n++] = (double)(ops - prev) / (t - prev_t);
			mem_sum += (double)mem_now;
		} else if (s == pt->warmup) {
			measure_start(r);
		}
		prev = ops;
		prev_t = t;
		if (any_worker_dead(r))
			break;
	}
	profile_disable(r->prof);	/* the measured window ends here */
	kstats_end(r->alloc_stats, &res->counters);
	res->nr_samples = (size_t)n;
	if (n)
		res->mem.mean = (long long)(mem_sum / n);
	atomic_store(&r->stop, true);
	for (int i = 0; i < pt->threads; i++)
		pthread_join(r->workers[i].thread, NULL);
	if (err)
		snprintf(reason, len, "reading the op count: %s", strerror(-err));
	else if (harness_stop_signal)
		snprintf(reason, len, "stopped by SIG%s", sigabbrev_np(harness_stop_signal));
	return n;
}

static int worker_error(struct run *r, char *reason, size_t len)
{
	for (int i = 0; i < r->ctx.pt->threads; i++) {
		if (r->workers[i].err) {
			snprintf(reason, len, "thread %d on cpu %d: %s", i, r->ctx.cpus[i],
				 strerror((int)-r->workers[i].err));
			return (int)r->workers[i].err;
		}
	}
	return 0;
}


void workload_mem_rebase(struct workload_ctx *ctx)
{
	memstat_rebase(ctx->mem);
}

/*
 * Peak and end while the maps are alive, then what is still held after a
 * second of idleness: a deferred-free backlog shows up there, not in ops/s.
 */
static void finish_mem(struct result *res, struct memstat *mem)
{
	memstat_finish(mem, &res->mem.peak, &res->mem.end, &res->mem.kernel_end);
	res->mem.source = memstat_source_name(mem);
	sleep(1);
	res->mem.idle = memstat_now(mem);
}

/*
 * The sanity check of a point's counts: without background pressure, a
 * workload's failures (by errno) over its attempts may not pass the bound
 * it declares; a variant that fails fast must not look fast.
 */
static bool too_many_failures(const struct result *res, char *reason, size_t len)
{
	double bound = res->pt->wl->max_failure_rate;
	long long attempts = result_counter(&res->counters, "attempts"), failed = 0;
	const struct param_val *pmode = point_param(res->pt, "pressure");

	if (bound <= 0 || (pmode && strcmp(pmode->str, "none")))
		return false;
	for (int i = 0; i < res->failures.nr; i++)
		failed += res->failures.c[i].value;
	if (!failed || (double)failed <= bound * (double)attempts)
		return false;
	if (attempts <= 0) {
		snprintf(reason, len, "%lld failures and no element operation attempted", failed);
		return true;
	}
	snprintf(reason, len, "failure rate %.3g %% (%lld of %lld attempts) above the "
		 "workload's bound of %.3g %% without pressure", 100.0 * (double)failed /
		 (double)attempts, failed, attempts, 100.0 * bound);
	return true;
}

/* setup or prepare said no: unsupported (-EOPNOTSUPP) or failed */
static void setup_failed(struct result *res, struct workload_ctx *ctx, const char *phase, int err)
{
	if (!ctx->reason[0])
		snprintf(ctx->reason, REASON_LEN, "%s: %s", phase, strerror(-err));
	result_set_status(res, err == -EOPNOTSUPP ? "unsupported" : "failed", "%s",
			  ctx->reason);
}

int harness_run(struct result *res)
{
	const struct point *pt = res->pt;
	const struct workload *wl = pt->wl;
	const struct param_val *pmode = point_param(pt, "pressure");
	struct pressure pr = { .mode = "none" };
	struct profile prof = { 0 };
	char stopped[128] = "";
	struct kstats alloc_stats = { .nr = 0 };
	struct memstat mem;
	sigset_t sigs;
	struct run *r;
	int err, n;

	r = calloc(1, sizeof(*r));
	res->samples = calloc((size_t)pt->warmup + pt->duration + 1, sizeof(*res->samples));
	if (r)
		r->workers = aligned_alloc(64, sizeof(struct worker) * MAX_THREADS);
	if (!r || !res->samples || !r->workers) {
		result_set_status(res, "failed", "out of memory");
		goto out_free;
	}
	memset(r->workers, 0, sizeof(struct worker) * MAX_THREADS);
	r->ctx.pt = pt;
	r->ctx.mem = &mem;
	r->alloc_stats = &alloc_stats;
	err = assign_cpus(&r->ctx);
	if (!err && wl->prepare)
		err = wl->prepare(&r->ctx);
	if (err) {
		setup_failed(res, &r->ctx, "prepare", err);
		goto out_free;
	}
	/* the hog forks before we enter our cgroup: its memory is not ours */
	if (pmode && pressure_start(&pr, pmode->str, point_int(pt, "pressure_floor_mb"))) {
		result_set_status(res, "failed", "could not start the pressure load");
		goto out_free;
	}
	gp_measure(res, GP_BEFORE);
	memstat_start(&mem);
	err = wl->setup(&r->ctx);
	if (err) {
		setup_failed(res, &r->ctx, "setup", err);
		goto out_teardown;
	}
	if (harness_stop_signal) {
		result_set_status(res, "failed", "stopped by SIG%s", sigabbrev_np(harness_stop_signal));
		goto out_teardown;
	}
	/* pressure=memcg: the run's cgroup limited to its usage after setup + headroom */
	err = pressure_memcg_arm(&pr, &mem, point_param(pt, "pressure_headroom_kb") ?
				 point_int(pt, "pressure_headroom_kb") : 256);
	if (err) {
		result_set_status(res, "failed", "pressure=memcg: cannot limit the run's memory "
				  "cgroup: %s", strerror(-err));
		goto out_teardown;
	}
	/* perf starts disabled; the measured window enables it */
	if (res->ro->profile &&
	    !profile_start(&prof, res, res->ro->profile_dir, res->ro->variant))
		r->prof = &prof;
	block_stop_signals(&sigs);
	err = start_workers(r, r->ctx.reason, REASON_LEN);
	pthread_sigmask(SIG_SETMASK, &sigs, NULL);
	if (err) {
		result_set_status(res, "failed", "%s", r->ctx.reason);
		goto out_teardown;
	}
	n = sample_loop(r, &mem, &pr, res, stopped, sizeof(stopped));
	if (pmode) {
		pressure_stop(&pr, &res->pressure);
		pressure_memcg_counters(&pr, &res->counters);
	}
	finish_mem(res, &mem);
	if (wl->report)
		wl->report(&r->ctx, res);
	if (res->reason[0]) {
		/* the workload's report failed the point: its reason stands */
	} else if (worker_error(r, r->ctx.reason, REASON_LEN))
		result_set_status(res, "failed", "%s", r->ctx.reason);
	else if (stopped[0])
		result_set_status(res, "failed", "%s", stopped);
	else if (n < pt->duration)
		result_set_status(res, "failed", "fewer samples than asked");
	else if (too_many_failures(res, r->ctx.reason, REASON_LEN))
		result_set_status(res, "failed", "%s", r->ctx.reason);
	else
		result_set_status(res, "ok", NULL);
out_teardown:
	if (wl->teardown)
		wl->teardown(&r->ctx);
	memstat_stop(&mem);
	if (!harness_stop_signal)
		gp_measure(res, GP_AFTER);
	if (pmode && !pr.stopped)
		pressure_stop(&pr, &res->pressure);
	if (r->prof)
		profile_finish(r->prof);	/* after the point: perf report, script */
out_free:
	if (r)
		free(r->workers);
	free(r);
	return strcmp(res->status, "failed") ? 0 : -EIO;
}
