// SPDX-License-Identifier: GPL-2.0
/*
 * htab_churn: update/delete churn on a hash map, inside the kernel, after
 * the kernel's own htab-mem benchmark. Cases:
 *   overwrite            each thread overwrites its own keys
 *   batch_add_batch_del  each thread adds a batch of keys, then deletes it
 *   add_del_on_diff_cpu  thread 2p adds a batch, thread 2p+1 (another CPU)
 *                        deletes it, in turn: allocation and free on
 *                        different CPUs (an even number of threads)
 * Two methods:
 *   suite     the regression method: 16 batches of 64 ops per test run
 *             (the syscall is about 2 % of a run), a cursor that sweeps
 *             the whole key range, overwrite on a prefilled map, a
 *             spinning hand-over of whole test runs;
 *   htab-mem  bench htab-mem as the kernel has it (selftests/bpf
 *             benchs/bench_htab_mem.c): one 64-op loop per trigger, each
 *             thread always on the same 64 keys (from = thread, step =
 *             threads), overwrite from an empty map, max_entries =
 *             max(8192, 64 x CPUs), and add_del_on_diff_cpu handing over
 *             every loop through a sleeping (futex) two-party barrier.
 *             Its trigger (trigger=) is the kernel bench's own, a
 *             getpgid() whose sys_enter tracepoint runs the loop (needs
 *             tracefs and CONFIG_FTRACE_SYSCALLS; auto falls back without
 *             them), or a BPF_PROG_TEST_RUN: one system call per 64 ops
 *             either way, but a test run costs about 0.8 us more (make
 *             bench-htab-mem), which overwrite, the cheapest loop, shows.
 *             The record's "trigger" says which one ran.
 *             Keys follow the thread, the kernel's bench the CPU: the
 *             same only while thread i runs on CPU i (the harness pins so).
 * Ops are the element operations that succeeded; attempts, failures by
 * errno and bench htab-mem's loop count are counted in the kernel, over
 * the measured seconds only.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
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
#include "progs/htab_churn.h"
#include "htab_churn.skel.h"

static const char *const cases[] = {
	"overwrite", "batch_add_batch_del", "add_del_on_diff_cpu", NULL,
};
static const char *const maps[] = { "noprealloc", "prealloc", NULL };
static const char *const methods[] = { "suite", "htab-mem", NULL };
static const char *const triggers[] = { "auto", "tracepoint", "test_run", NULL };

static const struct param_spec churn_params[] = {
	{ .name = "case", .type = PARAM_ENUM, .def = "overwrite", .values = cases,
	  .sweep = true, .help = "churn pattern" },
	{ .name = "map", .type = PARAM_ENUM, .def = "noprealloc", .values = maps,
	  .sweep = true, .help = "BPF_F_NO_PREALLOC (allocator under test) or preallocated" },
	{ .name = "value_size", .type = PARAM_INT, .def = "8", .min = 1, .max = 4096,
	  .help = "value bytes" },
	{ .name = "max_entries", .type = PARAM_INT, .def = "8192", .min = 64,
	  .max = 1 << 24, .help = "map size (htab-mem: at least 64 x CPUs)" },
	{ .name = "batch", .type = PARAM_INT, .def = "64", .min = 1, .max = 4096,
	  .help = "suite: element ops per batch (htab-mem: always 64)" },
	{ .name = "batches", .type = PARAM_INT, .def = "16", .min = 1, .max = 4096,
	  .help = "suite: batches per test run (htab-mem: 1)" },
	{ .name = "method", .type = PARAM_ENUM, .def = "suite", .values = methods,
	  .help = "suite (regression) or htab-mem (the kernel's bench, for reproductions)" },
	{ .name = "trigger", .type = PARAM_ENUM, .def = "auto", .values = triggers,
	  .help = "htab-mem: tracepoint (getpgid(), as the kernel's bench), test_run, or auto "
		  "(tracepoint where tracefs has it); the record's trigger says which ran" },
	PRESSURE_PARAMS,
	{ 0 },
};

/* The two-party hand-over of add_del_on_diff_cpu. */
struct pair {
	_Alignas(64) atomic_int turn;	/* 0: adder's turn, 1: deleter's */
};

struct churn {
	struct htab_churn_bpf *skel;
	int prog_fd;
	int op;
	bool htab_mem;
	bool getpgid;			/* trigger=tracepoint: getpgid() runs the loop */
	pid_t kid[HC_MAX_TID];		/* getpgid: each thread's kernel id, once registered */
	unsigned int max_entries;
	struct pair *pairs;
	struct hc_stats base[HC_MAX_TID];	/* at the end of the warm-up */
};

static bool is_htab_mem(const struct point *pt)
{
	return !strcmp(point_str(pt, "method"), "htab-mem");
}

static bool diff_cpu(const struct point *pt)
{
	return !strcmp(point_str(pt, "case"), "add_del_on_diff_cpu");
}

static int churn_validate(const struct point *pt, char *err, size_t len)
{
	long long need = point_int(pt, "batch") * pt->threads;

	if (diff_cpu(pt) && pt->threads % 2) {
		snprintf(err, len, "htab_churn: add_del_on_diff_cpu needs an even number of "
			 "threads (adder and deleter pairs), not %d", pt->threads);
		return -EINVAL;
	}
	if (is_htab_mem(pt))
		return 0;	/* 64 keys a thread; max_entries grows to fit */
	if (strcmp(point_str(pt, "trigger"), "auto")) {
		snprintf(err, len, "htab_churn: trigger=%s is for method=htab-mem (suite runs test runs)",
			 point_str(pt, "trigger"));
		return -EINVAL;
	}
	if (diff_cpu(pt))
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
		return HC_OVERWRITE;
	if (!strcmp(c, "batch_add_batch_del"))
		return HC_ADD_DEL;
	return HC_ADD;	/* add_del_on_diff_cpu: adders add, deleters delete */
}

static int prefill(struct churn *c, const struct point *pt)
{
	int fd = bpf_map__fd(c->skel->maps.htab);
	char *value = calloc(1, (size_t)point_int(pt, "value_size"));
	int err = 0;

	if (!value)
		return -ENOMEM;
	for (__u32 k = 0; k < c->max_entries && !err; k++)
		if (bpf_map_update_elem(fd, &k, value, BPF_ANY))
			err = -errno;
	free(value);
	return err;
}

/*
 * The kernel bench's trigger: the syscalls:sys_enter_getpgid tracepoint,
 * which needs tracefs (libbpf finds the tracepoint's id there) and a
 * kernel with CONFIG_FTRACE_SYSCALLS. trigger=auto falls back to test runs
 * without it; trigger=tracepoint fails the point.
 */
static bool have_getpgid_tracepoint(void)
{
	return !access("/sys/kernel/tracing/events/syscalls/sys_enter_getpgid", F_OK) ||
	       !access("/sys/kernel/debug/tracing/events/syscalls/sys_enter_getpgid", F_OK);
}

static int choose_trigger(struct churn *c, const struct point *pt, char *reason, size_t len)
{
	const char *t = point_str(pt, "trigger");

	if (!c->htab_mem || !strcmp(t, "test_run"))
		return 0;
	c->getpgid = have_getpgid_tracepoint();
	if (!c->getpgid && !strcmp(t, "tracepoint")) {
		snprintf(reason, len, "trigger=tracepoint: no syscalls/sys_enter_getpgid in tracefs "
			 "(mount -t tracefs nodev /sys/kernel/tracing; CONFIG_FTRACE_SYSCALLS)");
		return -ENOENT;
	}
	return 0;
}

static int attach_getpgid(struct churn *c, char *reason, size_t len)
{
	struct bpf_link *link = bpf_program__attach(c->skel->progs.htab_mem_getpgid);

	if (!link) {
		snprintf(reason, len, "attach htab_mem_getpgid to syscalls/sys_enter_getpgid: %s",
			 strerror(errno));
		return -errno;
	}
	c->skel->links.htab_mem_getpgid = link;	/* destroyed with the skeleton */
	return 0;
}

static int churn_setup(struct workload_ctx *ctx)
{
	const struct point *pt = ctx->pt;
	struct churn *c = calloc(1, sizeof(*c));
	bool prealloc = !strcmp(point_str(pt, "map"), "prealloc");
	long long cpus = libbpf_num_possible_cpus();
	int err;

	if (!c)
		return -ENOMEM;
	ctx->priv = c;
	c->op = op_of(point_str(pt, "case"));
	c->htab_mem = is_htab_mem(pt);
	c->max_entries = (unsigned int)point_int(pt, "max_entries");
	if (c->htab_mem && 64 * cpus > c->max_entries)
		c->max_entries = (unsigned int)(64 * cpus);	/* MAX(8192, 64 * nr_cpus) */
	c->pairs = aligned_alloc(64, sizeof(struct pair) * MAX_THREADS);
	c->skel = htab_churn_bpf__open();
	if (!c->skel || !c->pairs)
		return -ENOMEM;
	memset(c->pairs, 0, sizeof(struct pair) * MAX_THREADS);
	err = choose_trigger(c, pt, ctx->reason, REASON_LEN);
	if (err)
		return err;
	bpf_program__set_autoload(c->skel->progs.htab_mem_getpgid, c->getpgid);
	bpf_map__set_max_entries(c->skel->maps.threads, (__u32)pt->threads);
	c->skel->rodata->tgid = (__u32)getpid();
	bpf_map__set_value_size(c->skel->maps.htab, (__u32)point_int(pt, "value_size"));
	bpf_map__set_max_entries(c->skel->maps.htab, c->max_entries);
	bpf_map__set_map_flags(c->skel->maps.htab, prealloc ? 0 : BPF_F_NO_PREALLOC);
	err = htab_churn_bpf__load(c->skel);
	if (err) {
		bpfutil_load_error(err, "load htab_churn", ctx->reason, REASON_LEN);
		return bpfutil_load_status(err);
	}
	c->prog_fd = bpf_program__fd(c->htab_mem ? c->skel->progs.htab_mem :
				     c->skel->progs.churn);
	if (c->getpgid) {
		err = attach_getpgid(c, ctx->reason, REASON_LEN);
		if (err)
			return err;
	}
	if (c->op == HC_OVERWRITE && !c->htab_mem)
		return prefill(c, pt);
	return 0;
}

static long trigger(struct churn *c, const uint64_t *args, int nargs)
{
	uint32_t ret;
	int err = bpf_run_raw_tp(c->prog_fd, args, nargs, &ret);

	return err ? err : (long)ret;
}

static long run_suite(struct workload_ctx *ctx, int op, int tid, int first, int step)
{
	const struct point *pt = ctx->pt;
	uint64_t args[7] = {
		(uint64_t)op, (uint64_t)tid, (uint64_t)first, (uint64_t)step,
		((struct churn *)ctx->priv)->max_entries, (uint64_t)point_int(pt, "batch"),
		(uint64_t)point_int(pt, "batches"),
	};

	return trigger(ctx->priv, args, 7);
}

/* getpgid: tell the program, once per thread, what this thread's loop is. */
static int register_thread(struct churn *c, int op, int tid, int from, int step)
{
	struct hc_thread t = {
		.op = (__u32)op, .tid = (__u32)tid, .from = (__u32)from, .step = (__u32)step,
	};
	__u32 kid = (__u32)syscall(SYS_gettid);

	if (bpf_map_update_elem(bpf_map__fd(c->skel->maps.threads), &kid, &t, BPF_ANY))
		return -errno;
	c->kid[tid] = (pid_t)kid;
	return 0;
}

static long run_htab_mem(struct churn *c, int op, int tid, int from, int step)
{
	uint64_t args[4] = { (uint64_t)op, (uint64_t)tid, (uint64_t)from, (uint64_t)step };
	volatile __u64 *done = &c->skel->bss->stats[tid].done;
	__u64 before;
	int err;

	if (!c->getpgid)
		return trigger(c, args, 4);
	if (!c->kid[tid]) {
		err = register_thread(c, op, tid, from, step);
		if (err)
			return err;
	}
	before = *done;
	syscall(SYS_getpgid, 0);	/* the program runs at its entry */
	return (long)(*done - before);
}

/* suite: wait for our turn, spinning then yielding; 0 ops if it never comes */
static bool spin_turn(struct pair *p, int want)
{
	for (int spin = 0; atomic_load_explicit(&p->turn, memory_order_acquire) != want; spin++) {
		if (spin > 1000000)
			return false;
		if (spin > 100)
			sched_yield();
	}
	return true;
}

/* htab-mem: sleep on the futex until it is our turn, as a barrier would */
static bool sleep_turn(struct pair *p, int want)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };
	int now;

	while ((now = atomic_load_explicit(&p->turn, memory_order_acquire)) != want) {
		/* a timeout lets the harness stop a pair whose partner has gone */
		if (syscall(SYS_futex, &p->turn, FUTEX_WAIT_PRIVATE, now, &ts, NULL, 0) &&
		    errno == ETIMEDOUT)
			return false;
	}
	return true;
}

static void give_turn(struct pair *p, int to, bool wake)
{
	atomic_store_explicit(&p->turn, to, memory_order_release);
	if (wake)
		syscall(SYS_futex, &p->turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Pair p: thread 2p adds, thread 2p+1 deletes the same keys, in turn. */
static long diff_cpu_batch(struct workload_ctx *ctx, int tid)
{
	struct churn *c = ctx->priv;
	int npairs = ctx->pt->threads / 2, p = tid / 2;
	struct pair *pair = &c->pairs[p];
	bool deleter = tid & 1;
	long n;

	if (!(c->htab_mem ? sleep_turn(pair, deleter) : spin_turn(pair, deleter)))
		return 0;
	if (c->htab_mem)
		n = run_htab_mem(c, deleter ? HC_DEL : HC_ADD, tid, p, npairs);
	else
		n = run_suite(ctx, deleter ? HC_DEL : HC_ADD, tid, p, npairs);
	give_turn(pair, !deleter, c->htab_mem);
	return n;
}

static long churn_batch(struct workload_ctx *ctx, int tid)
{
	struct churn *c = ctx->priv;

	if (c->op == HC_ADD)
		return diff_cpu_batch(ctx, tid);
	if (c->htab_mem)
		return run_htab_mem(c, c->op, tid, tid, ctx->pt->threads);
	return run_suite(ctx, c->op, tid, tid, ctx->pt->threads);
}

static void churn_measure_start(struct workload_ctx *ctx)
{
	struct churn *c = ctx->priv;

	memcpy(c->base, c->skel->bss->stats, sizeof(c->base));
}

/* Elements in the map now: which keys the threads really used. */
static long long count_entries(int fd)
{
	__u32 key, next;
	long long n = 0;
	int err = bpf_map_get_next_key(fd, NULL, &next);

	while (!err) {
		n++;
		key = next;
		err = bpf_map_get_next_key(fd, &key, &next);
	}
	return n;
}

static void churn_report(struct workload_ctx *ctx, struct result *res)
{
	static const char *const names[HC_NR_ERR] = {
		"ENOMEM", "E2BIG", "ENOENT", "EEXIST", "EBUSY", "other",
	};
	struct churn *c = ctx->priv;

	for (int t = 0; t < ctx->pt->threads && t < HC_MAX_TID; t++) {
		const struct hc_stats *now = &c->skel->bss->stats[t], *b = &c->base[t];

		result_add_counter(res, "attempts", (long long)(now->attempts - b->attempts));
		result_add_counter(res, "done", (long long)(now->done - b->done));
		if (c->htab_mem)
			result_add_counter(res, "loops", (long long)(now->loops - b->loops));
		for (int e = 0; e < HC_NR_ERR; e++)
			if (now->errors[e] - b->errors[e])
				result_add_failure(res, names[e],
						   (long long)(now->errors[e] - b->errors[e]));
		if (now->loop_errors - b->loop_errors) {
			result_add_failure(res, "bpf_loop",
					   (long long)(now->loop_errors - b->loop_errors));
			result_set_counter(res, "bpf_loop_errno", -now->last_loop_error);
		}
		if (now->last_other)	/* what "other" was */
			result_set_counter(res, "other_errno", -now->last_other);
	}
	res->trigger = c->getpgid ? "tracepoint:syscalls:sys_enter_getpgid" : "test_run";
	result_set_counter(res, "max_entries", c->max_entries);
	result_set_counter(res, "entries", count_entries(bpf_map__fd(c->skel->maps.htab)));
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
	.measure_start = churn_measure_start,
	.report = churn_report,
	.teardown = churn_teardown,
	.max_failure_rate = 0.001,
};
