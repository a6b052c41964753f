// SPDX-License-Identifier: GPL-2.0
/*
 * pool_check: checks the lockless-pool kernel variant from inside a guest.
 *
 *   pool_check --low N --batch N --high N --reserve N [--churn N]
 *
 * The kernel must have been booted with bpf_pool.low/batch/high/reserve
 * set to the same values (or the defaults given the same way), and with
 * debugfs mounted at /sys/kernel/debug.  Checks, one "ok - " or
 * "not ok - " line each, then "RESULT pass" or "RESULT fail N":
 *
 *  - the stats file has every counter, the params file and
 *    /sys/module/bpf_pool/parameters/ show the boot parameters;
 *  - creating a non-preallocated hash map prefills batch objects per
 *    possible CPU into the pools and reserve objects into the reserves;
 *  - a raw_tracepoint program that inserts batch + reserve + 3 keys in
 *    one run (no worker can run in between on a non-preemptible kernel)
 *    gets batch elements from the pool, reserve from the reserve, and
 *    -ENOMEM for the last 3, counted as failures;
 *  - the worker then refills pool and reserve (refills, refill_objs);
 *  - deleting those elements lifts the pool above high, and the worker
 *    gives the surplus back after a grace period (giveback_objs), down
 *    to batch;
 *  - churn (update + delete) N times is served from the pool with no
 *    failure; a per-CPU hash map churns too;
 *  - a perf_event program using a non-preallocated hash map loads, and,
 *    attached to a cpu-clock event, allocates from interrupt context.
 *
 * Static, no libbpf: raw bpf(2) and hand-assembled programs.
 * Exit 0 pass, 1 fail, 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "../rawbpf.h"

#define STATS "/sys/kernel/debug/bpf_lockless_pool/stats"
#define PARAMS "/sys/kernel/debug/bpf_lockless_pool/params"
#define MODPARAMS "/sys/module/bpf_pool/parameters/"
#define MAX_ENTRIES 1024
#define LOG_SIZE (1 << 20)
#define ENOMEM_SHIFT 16

enum { ST_HITS, ST_RES_USES, ST_REFILLS, ST_REFILL_OBJS, ST_GIVEBACK,
       ST_FAIL, ST_BUSY, ST_POOL_OBJS, ST_RES_OBJS, ST_N };

static const char *const st_names[ST_N] = {
	"pool_hits", "reserve_uses", "refills", "refill_objs",
	"giveback_objs", "failures", "pool_busy", "pool_objs", "reserve_objs",
};

struct stats {
	long long v[ST_N];
};

static int failures;
static char vlog[LOG_SIZE];
static struct prog prog;

static void check(int cond, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(int cond, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s", cond ? "ok" : "not ok", what);
	if (!cond) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		failures++;
	}
	printf("\n");
	fflush(stdout);
}

static int read_stats(struct stats *s)
{
	char name[64];
	long long val;
	int i, seen = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(STATS, "r");
	if (!f)
		return -errno;
	while (fscanf(f, "%63s %lld", name, &val) == 2) {
		for (i = 0; i < ST_N; i++) {
			if (!strcmp(name, st_names[i])) {
				s->v[i] = val;
				seen |= 1 << i;
			}
		}
	}
	fclose(f);
	return seen == (1 << ST_N) - 1 ? 0 : -ENOENT;
}

static long long delta(const struct stats *a, const struct stats *b, int i)
{
	return b->v[i] - a->v[i];
}

static void print_delta(const char *what, const struct stats *a,
			const struct stats *b)
{
	int i;

	printf("# %s:", what);
	for (i = 0; i < ST_N; i++)
		printf(" %s=%+lld", st_names[i], delta(a, b, i));
	printf("\n");
}

static long read_param(const char *path, const char *name)
{
	char key[64];
	long val;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!name) {
		if (fscanf(f, "%ld", &val) != 1)
			val = -1;
		fclose(f);
		return val;
	}
	val = -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strcmp(key, name))
			break;
	if (strcmp(key, name))
		val = -1;
	fclose(f);
	return val;
}

/* ---- bpf(2) ---- */

static int map_create(__u32 type, __u32 value_size)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = sizeof(__u32);
	a.value_size = value_size;
	a.max_entries = MAX_ENTRIES;
	a.map_flags = BPF_F_NO_PREALLOC;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	return fd < 0 ? -errno : fd;
}

static int map_delete(int fd, __u32 key)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uintptr_t)&key;
	return sys_bpf(BPF_MAP_DELETE_ELEM, &a) ? -errno : 0;
}

/*
 * Insert keys 0..n-1.  Returns successes + (updates that returned
 * -ENOMEM << ENOMEM_SHIFT).
 */
static void build_burst(int map_fd, int n)
{
	int k;

	prog.len = 0;
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_6, 0, 0, 0);
	for (k = 0; k < n; k++) {
		emit_update(&prog, map_fd, k, k + 1);
		/* if r0 == 0: r6 += 1 */
		emit(&prog, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 1, 0);
		emit(&prog, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_6, 0, 0, 1);
		/* if r0 == -ENOMEM: r6 += 1 << ENOMEM_SHIFT */
		emit(&prog, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 1, -ENOMEM);
		emit(&prog, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_6, 0, 0,
		     1 << ENOMEM_SHIFT);
	}
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_6, 0, 0);
	emit_exit(&prog);
}

/* update + delete of one key; returns 0 when both succeeded */
static void build_churn(int map_fd, __s32 key)
{
	prog.len = 0;
	emit_update(&prog, map_fd, key, key + 1);
	emit(&prog, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_0, 0, 0);
	emit_delete(&prog, map_fd, key);
	emit(&prog, BPF_ALU64 | BPF_OR | BPF_X, BPF_REG_0, BPF_REG_6, 0, 0);
	emit_exit(&prog);
}

/* ---- the checks ---- */

static int pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static void check_files(long low, long batch, long high, long reserve)
{
	const char *names[] = { "low", "batch", "high", "reserve" };
	long want[] = { low, batch, high, reserve };
	char path[128];
	struct stats s;
	int i, err;

	err = read_stats(&s);
	check(!err, "stats file has every counter", "%s: %s", STATS,
	      strerror(-err));
	for (i = 0; i < 4; i++) {
		long got = read_param(PARAMS, names[i]);

		check(got == want[i], "debugfs params", "%s is %ld, want %ld",
		      names[i], got, want[i]);
		snprintf(path, sizeof(path), MODPARAMS "%s", names[i]);
		got = read_param(path, NULL);
		check(got == want[i], "module parameter",
		      "%s is %ld, want %ld", path, got, want[i]);
	}
}

static int check_prefill(long batch, long reserve)
{
	struct stats a, b;
	int fd, ncpu = possible_cpus();

	read_stats(&a);
	fd = map_create(BPF_MAP_TYPE_HASH, 8);
	read_stats(&b);
	check(fd >= 0, "create non-preallocated hash map", "%s",
	      strerror(-fd));
	if (fd < 0)
		return fd;
	print_delta("map create", &a, &b);
	check(delta(&a, &b, ST_POOL_OBJS) == batch * ncpu,
	      "prefill: batch objects per possible CPU in the pools",
	      "pool_objs %+lld, want %ld (%d CPUs)",
	      delta(&a, &b, ST_POOL_OBJS), batch * ncpu, ncpu);
	check(delta(&a, &b, ST_RES_OBJS) == reserve * ncpu,
	      "prefill: reserve objects per possible CPU in the reserves",
	      "reserve_objs %+lld, want %ld", delta(&a, &b, ST_RES_OBJS),
	      reserve * ncpu);
	return fd;
}

static void check_burst(int map_fd, long batch, long high, long reserve)
{
	int n = batch + reserve + 3, ok, enomem, fd, err, k;
	struct stats a, b, c, d;
	__u32 ret = 0;

	build_burst(map_fd, n);
	fd = prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, &prog, vlog, sizeof(vlog), 1);
	check(fd >= 0, "load the burst program", "%s\n%s", strerror(-fd),
	      vlog);
	if (fd < 0)
		return;
	read_stats(&a);
	err = prog_run(fd, &ret);
	read_stats(&b);
	close(fd);
	check(!err, "run the burst program", "%s", strerror(-err));
	ok = ret & ((1 << ENOMEM_SHIFT) - 1);
	enomem = ret >> ENOMEM_SHIFT;
	printf("# burst of %d inserts: %d ok, %d -ENOMEM\n", n, ok, enomem);
	print_delta("burst", &a, &b);
	check(ok == batch + reserve && enomem == 3,
	      "burst: pool + reserve served, then -ENOMEM",
	      "%d ok, %d -ENOMEM, want %ld and 3", ok, enomem,
	      batch + reserve);
	check(delta(&a, &b, ST_HITS) == batch &&
	      delta(&a, &b, ST_RES_USES) == reserve &&
	      delta(&a, &b, ST_FAIL) == 3,
	      "burst: counters pool_hits, reserve_uses, failures",
	      "%+lld %+lld %+lld", delta(&a, &b, ST_HITS),
	      delta(&a, &b, ST_RES_USES), delta(&a, &b, ST_FAIL));

	/* the worker may already have run before b was read */
	sleep(1);
	read_stats(&c);
	print_delta("after the worker", &b, &c);
	check(delta(&a, &c, ST_REFILLS) >= 1 &&
	      delta(&a, &c, ST_REFILL_OBJS) >= batch + reserve,
	      "worker refilled pool and reserve",
	      "refills %+lld refill_objs %+lld",
	      delta(&a, &c, ST_REFILLS), delta(&a, &c, ST_REFILL_OBJS));
	check(delta(&a, &c, ST_POOL_OBJS) == 0 &&
	      delta(&a, &c, ST_RES_OBJS) == 0,
	      "pool and reserve back at their levels",
	      "pool_objs %+lld reserve_objs %+lld",
	      delta(&a, &c, ST_POOL_OBJS), delta(&a, &c, ST_RES_OBJS));

	/*
	 * The frees go to CPU 0's pool (its reserve is full again) and lift
	 * it above high.  The worker may run between two deletes, so what is
	 * checked is that every freed object is either still in the pool or
	 * was given back, with the pool left between batch and high.
	 */
	for (k = 0; k < ok; k++)
		map_delete(map_fd, k);
	if (batch + ok <= high) {
		printf("# batch + %d <= high: no give-back expected\n", ok);
		return;
	}
	for (k = 0; k < 50; k++) {	/* grace periods: up to 5 s */
		usleep(100000);
		read_stats(&d);
		if (delta(&c, &d, ST_GIVEBACK) + delta(&a, &d, ST_POOL_OBJS) ==
		    ok)
			break;
	}
	print_delta("after deleting them", &c, &d);
	check(delta(&c, &d, ST_GIVEBACK) >= 1 &&
	      delta(&c, &d, ST_GIVEBACK) + delta(&a, &d, ST_POOL_OBJS) == ok &&
	      delta(&a, &d, ST_POOL_OBJS) <= high - batch,
	      "surplus above high given back after a grace period",
	      "giveback_objs %+lld, pool_objs %+lld, %d freed",
	      delta(&c, &d, ST_GIVEBACK), delta(&a, &d, ST_POOL_OBJS), ok);
}

static void check_churn(int map_fd, const char *what, long runs)
{
	struct stats a, b;
	__u32 ret = 0;
	int fd, err = 0, bad = 0;
	long i;

	build_churn(map_fd, 7);
	fd = prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, &prog, vlog, sizeof(vlog), 1);
	check(fd >= 0, "load the churn program", "%s\n%s", strerror(-fd),
	      vlog);
	if (fd < 0)
		return;
	read_stats(&a);
	for (i = 0; i < runs && !err; i++) {
		err = prog_run(fd, &ret);
		bad += ret != 0;
	}
	read_stats(&b);
	close(fd);
	print_delta(what, &a, &b);
	check(!err && !bad && delta(&a, &b, ST_HITS) >= runs &&
	      delta(&a, &b, ST_FAIL) == 0, what,
	      "err %d, %d failed runs, pool_hits %+lld, failures %+lld",
	      err, bad, delta(&a, &b, ST_HITS), delta(&a, &b, ST_FAIL));
}

static void check_perf_event(int map_fd)
{
	struct perf_event_attr pa;
	struct timespec t0, t;
	struct stats a, b;
	int fd, pfd;

	build_churn(map_fd, 9);
	fd = prog_load(BPF_PROG_TYPE_PERF_EVENT, &prog, vlog, sizeof(vlog), 1);
	check(fd >= 0, "perf_event program with a non-preallocated map loads",
	      "%s\n%s", strerror(-fd), vlog);
	if (fd < 0)
		return;
	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.type = PERF_TYPE_SOFTWARE;
	pa.config = PERF_COUNT_SW_CPU_CLOCK;
	pa.sample_period = 100000;	/* ns: 10 kHz */
	pfd = syscall(__NR_perf_event_open, &pa, 0, -1, -1, 0);
	check(pfd >= 0, "open a cpu-clock perf event", "%s", strerror(errno));
	if (pfd < 0) {
		close(fd);
		return;
	}
	check(!ioctl(pfd, PERF_EVENT_IOC_SET_BPF, fd), "attach the program",
	      "%s", strerror(errno));
	read_stats(&a);
	ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while (t.tv_sec - t0.tv_sec < 2);
	ioctl(pfd, PERF_EVENT_IOC_DISABLE, 0);
	read_stats(&b);
	close(pfd);
	close(fd);
	print_delta("perf_event churn, 2 s", &a, &b);
	check(delta(&a, &b, ST_HITS) > 0 && delta(&a, &b, ST_FAIL) == 0,
	      "allocations from the perf_event program",
	      "pool_hits %+lld failures %+lld", delta(&a, &b, ST_HITS),
	      delta(&a, &b, ST_FAIL));
}

static void usage(const char *msg)
{
	fprintf(stderr, "pool_check: %s (usage: pool_check --low N --batch N "
		"--high N --reserve N [--churn N])\n", msg);
	exit(2);
}

int main(int argc, char **argv)
{
	long p[4] = { -1, -1, -1, -1 }, churn = 10000;
	const char *opts[] = { "--low", "--batch", "--high", "--reserve" };
	int i, j, fd, pfd;
	char *end;

	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage("an option without a value");
		for (j = 0; j < 4 && strcmp(argv[i], opts[j]); j++)
			;
		if (j == 4 && strcmp(argv[i], "--churn"))
			usage("unknown option");
		errno = 0;
		if (j == 4)
			churn = strtol(argv[i + 1], &end, 10);
		else
			p[j] = strtol(argv[i + 1], &end, 10);
		if (errno || *end || end == argv[i + 1])
			usage("not a number");
	}
	for (j = 0; j < 4; j++)
		if (p[j] < 0)
			usage("--low, --batch, --high and --reserve are required");
	if (pin_cpu0())
		usage("cannot pin to CPU 0");

	check_files(p[0], p[1], p[2], p[3]);
	fd = check_prefill(p[1], p[3]);
	if (fd >= 0) {
		check_burst(fd, p[1], p[2], p[3]);
		check_churn(fd, "churn on a hash map", churn);
		check_perf_event(fd);
		close(fd);
	}
	pfd = map_create(BPF_MAP_TYPE_PERCPU_HASH, 8);
	check(pfd >= 0, "create non-preallocated per-CPU hash map", "%s",
	      strerror(-pfd));
	if (pfd >= 0) {
		check_churn(pfd, "churn on a per-CPU hash map", churn);
		close(pfd);
	}
	if (failures)
		printf("RESULT fail %d\n", failures);
	else
		printf("RESULT pass\n");
	return failures ? 1 : 0;
}
