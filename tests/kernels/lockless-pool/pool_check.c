// SPDX-License-Identifier: GPL-2.0
/*
 * pool_check: the lockless-pool variant's claims, in its guest.
 *
 *   pool_check [--elems N]
 *
 * The variant is 6.1's bpf_mem_alloc with the refill moved to a worker on
 * the unbound workqueue, a per-CPU rescue reserve and prefill bounded by
 * max_entries (kernels/patches/lockless-pool). Checks:
 *
 *  stats     /sys/kernel/debug/bpf_mem_alloc/stats has the counters.
 *  syscall   N elements inserted from bpf(2) into a noprealloc hash map and
 *            N/4 into a noprealloc per-CPU hash map, as fast as the loop
 *            goes: not one fails (the test_maps case the old pool failed);
 *            counters: failed does not move.
 *  worker    the same, 64 elements at a time with a 20 ms pause: the
 *            worker runs and refills (worker_runs and refilled move).
 *  prefill   40 maps of max_entries 8192 add about 4 (prefill) + 8
 *            (reserve) objects per CPU each to the 96-byte kmalloc caches
 *            (the element's unit), at least 3/4 of that as /proc/slabinfo
 *            counts; 40 maps of max_entries 1 (1 object per CPU at most,
 *            plus what map creation itself takes from those caches) add
 *            less than a third of that. Stock 6.1 prefills 4 per CPU for
 *            both sizes.
 *
 * "ok - ..." / "not ok - ..." per check, "# ..." for figures, then
 * "RESULT pass" or "RESULT fail N". Exit 0 pass, 1 fail, 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../rawbpf.h"

#define STATS "/sys/kernel/debug/bpf_mem_alloc/stats"
#define NSTATS 6
#define NMAPS 40

static const char *stat_name[NSTATS] = {
	"worker_runs", "refilled", "reserve_refilled", "reserve_used",
	"direct", "failed",
};
enum { WORKER_RUNS, REFILLED, RESERVE_REFILLED, RESERVE_USED, DIRECT, FAILED };

static int failures;

static void check(int cond, const char *what, const char *detail)
{
	if (cond) {
		printf("ok - %s\n", what);
		return;
	}
	printf("not ok - %s: %s\n", what, detail);
	failures++;
}

/* 0, or -1 when the file or a counter is missing */
static int read_stats(long *s)
{
	char name[64];
	long val;
	int i, seen = 0;
	FILE *f = fopen(STATS, "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &val) == 2)
		for (i = 0; i < NSTATS; i++)
			if (!strcmp(name, stat_name[i])) {
				s[i] = val;
				seen |= 1 << i;
			}
	fclose(f);
	return seen == (1 << NSTATS) - 1 ? 0 : -1;
}

static void print_delta(const char *what, const long *a, const long *b)
{
	int i;

	printf("# %s:", what);
	for (i = 0; i < NSTATS; i++)
		printf(" %s %+ld", stat_name[i], b[i] - a[i]);
	printf("\n");
}

static int map_create(__u32 type, __u32 max, __u32 flags)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = sizeof(__u32);
	a.value_size = 8;
	a.max_entries = max;
	a.map_flags = flags;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	return fd < 0 ? -errno : fd;
}

static int update(int fd, __u32 key, void *value)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)value;
	a.flags = BPF_NOEXIST;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a) ? -errno : 0;
}

/* inserts n keys; the number that failed, the first error in *err */
static long fill(int fd, long n, long chunk, void *value, int *err)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	long i, bad = 0;
	int e;

	*err = 0;
	for (i = 0; i < n; i++) {
		e = update(fd, (__u32)i, value);
		if (e) {
			bad++;
			if (!*err)
				*err = e;
		}
		if (chunk && (i + 1) % chunk == 0)
			nanosleep(&pause, NULL);
	}
	return bad;
}

static void check_syscall(long n, int ncpus)
{
	long a[NSTATS], b[NSTATS], bad, badp;
	__u64 *vals = calloc(ncpus, sizeof(__u64));
	int fd, pfd, err = 0, perr = 0;
	char detail[160];

	fd = map_create(BPF_MAP_TYPE_HASH, n, BPF_F_NO_PREALLOC);
	pfd = map_create(BPF_MAP_TYPE_PERCPU_HASH, n, BPF_F_NO_PREALLOC);
	if (fd < 0 || pfd < 0 || !vals || read_stats(a)) {
		check(0, "syscall: setup", "map create or stats failed");
		return;
	}
	bad = fill(fd, n, 0, vals, &err);
	badp = fill(pfd, n / 4, 0, vals, &perr);
	read_stats(b);
	print_delta("syscall fill", a, b);
	snprintf(detail, sizeof(detail), "%ld of %ld failed (first: %s)", bad, n,
		 err ? strerror(-err) : "none");
	check(!bad, "syscall: fill a noprealloc hash map from bpf(2), no failure", detail);
	snprintf(detail, sizeof(detail), "%ld of %ld failed (first: %s)", badp, n / 4,
		 perr ? strerror(-perr) : "none");
	check(!badp, "syscall: fill a noprealloc per-CPU hash map from bpf(2), no failure",
	      detail);
	snprintf(detail, sizeof(detail), "failed %+ld", b[FAILED] - a[FAILED]);
	check(b[FAILED] == a[FAILED], "syscall: the pool's failed counter does not move",
	      detail);
	close(fd);
	close(pfd);
	free(vals);
}

static void check_worker(long n)
{
	long a[NSTATS], b[NSTATS], bad;
	__u64 v = 1;
	int fd, err;
	char detail[160];

	fd = map_create(BPF_MAP_TYPE_HASH, n, BPF_F_NO_PREALLOC);
	if (fd < 0 || read_stats(a)) {
		check(0, "worker: setup", "map create or stats failed");
		return;
	}
	bad = fill(fd, n / 4, 64, &v, &err);
	read_stats(b);
	print_delta("paced fill", a, b);
	snprintf(detail, sizeof(detail), "worker_runs %+ld, refilled %+ld, %ld inserts failed",
		 b[WORKER_RUNS] - a[WORKER_RUNS], b[REFILLED] - a[REFILLED], bad);
	check(!bad && b[WORKER_RUNS] > a[WORKER_RUNS] && b[REFILLED] > a[REFILLED],
	      "worker: the unbound worker refills a paced fill", detail);
	close(fd);
}

static long slab96(void)
{
	char line[512], name[64];
	long active, total = -1;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld", name, &active) != 2)
			continue;
		if (strcmp(name, "kmalloc-96") && strcmp(name, "kmalloc-cg-96"))
			continue;
		total = (total < 0 ? 0 : total) + active;
	}
	fclose(f);
	return total;
}

/* waits (up to 10 s) until the 96-byte caches stop moving: maps closed
 * before are freed from a work item after a grace period
 */
static void settle(void)
{
	struct timespec t = { 0, 300 * 1000 * 1000 };
	long a = slab96(), b;
	int i;

	for (i = 0; i < 33; i++) {
		nanosleep(&t, NULL);
		b = slab96();
		if (labs(b - a) < 8)
			return;
		a = b;
	}
}

/* objects the 96-byte caches gained for NMAPS maps of max entries */
static long maps_cost(__u32 max)
{
	int fds[NMAPS], i;
	long s0, d;

	settle();
	s0 = slab96();

	for (i = 0; i < NMAPS; i++)
		fds[i] = map_create(BPF_MAP_TYPE_HASH, max, BPF_F_NO_PREALLOC);
	d = slab96() - s0;
	for (i = 0; i < NMAPS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return s0 < 0 ? -1 : d;
}

static void check_prefill(int ncpus)
{
	long small = maps_cost(1), big = maps_cost(8192);
	char detail[160];

	printf("# prefill: %d maps on %d CPUs: max_entries 1 %+ld objects, max_entries 8192 %+ld objects\n",
	       NMAPS, ncpus, small, big);
	snprintf(detail, sizeof(detail), "%+ld objects for %d maps of 1 entry, %+ld for %d of 8192",
		 small, NMAPS, big, NMAPS);
	check(small >= 0 && 3 * small < big,
	      "prefill: maps of max_entries 1 cost less than a third of large ones", detail);
	snprintf(detail, sizeof(detail), "%+ld objects for %d maps of 8192 entries (at least %d wanted)",
		 big, NMAPS, NMAPS * ncpus * 12 * 3 / 4);
	check(big >= NMAPS * ncpus * 12 * 3 / 4,
	      "prefill: a large map gets prefill 4 + reserve 8 per CPU", detail);
}

int main(int argc, char **argv)
{
	long s[NSTATS], n = 20000;
	int ncpus;

	if (argc == 3 && !strcmp(argv[1], "--elems"))
		n = strtol(argv[2], NULL, 10);
	else if (argc != 1)
		n = 0;
	if (n < 1000) {
		fprintf(stderr, "pool_check: usage: [--elems N>=1000]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpus = possible_cpus();
	check(!read_stats(s), "stats: " STATS " has every counter", "missing");
	if (failures) {
		printf("RESULT fail %d\n", failures);
		return 1;
	}
	check_prefill(ncpus);
	check_syscall(n, ncpus);
	check_worker(n);
	if (failures) {
		printf("RESULT fail %d\n", failures);
		return 1;
	}
	printf("RESULT pass\n");
	return 0;
}
