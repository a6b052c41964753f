// SPDX-License-Identifier: GPL-2.0
/*
 * htab_prealloc_rules: what the running kernel lets programs do with a
 * non-preallocated (BPF_F_NO_PREALLOC) hash map, and whether the map's
 * element alloc/free path works.
 *
 *   htab_prealloc_rules --expect refuse|allow [--churn N]
 *
 * --expect refuse: the kmalloc-rcu variant. perf_event programs must be
 *   refused non-preallocated hash maps (also as the inner map of a
 *   hash-of-maps), and the verifier log of a raw_tracepoint program that
 *   uses one carries the "unsafe" note.
 * --expect allow: a stock 6.1 kernel (bpf_mem_alloc), which loads both.
 *
 * In both cases raw_tracepoint programs using non-preallocated hash and
 * per-CPU hash maps must load and work through BPF_PROG_TEST_RUN: insert,
 * delete, churn (allocate + free) N times, a full map, a fresh per-CPU
 * element whose other CPUs' copies read as zero.
 *
 * Prints one "ok - ..." / "not ok - ..." line per check and a final
 * "RESULT pass" or "RESULT fail N". Exit 0 pass, 1 fail, 2 bad usage.
 * Static, no libbpf: raw bpf(2) and hand-assembled programs, so that it
 * runs in a busybox initramfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "../rawbpf.h"

#define MAX_ENTRIES 64
#define LOG_SIZE (1 << 20)
#define VALUE 42

#define NOTE_PERF "perf_event programs can only use preallocated hash map"
#define NOTE_TRACE "run-time allocated hash maps are unsafe"

static int failures;
static char vlog[LOG_SIZE];

static void check(int cond, const char *what, const char *detail)
{
	if (cond) {
		printf("ok - %s\n", what);
		return;
	}
	printf("not ok - %s: %s\n", what, detail);
	failures++;
}

static void build_update(struct prog *p, int map_fd, __s32 key)
{
	p->len = 0;
	emit_update(p, map_fd, key, VALUE);
	emit_exit(p);
}

static void build_delete(struct prog *p, int map_fd, __s32 key)
{
	p->len = 0;
	emit_delete(p, map_fd, key);
	emit_exit(p);
}

/* update then delete: one allocation and one free per run; returns
 * the update's error if it failed, else the delete's return value
 */
static void build_churn(struct prog *p, int map_fd, __s32 key)
{
	int jump;

	p->len = 0;
	emit_update(p, map_fd, key, VALUE);
	jump = p->len;
	emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, 0);
	emit_delete(p, map_fd, key);
	p->insn[jump].off = p->len - jump - 1;
	emit_exit(p);
}

/* bpf_map_lookup_elem(map, &0); return 0 */
static void build_lookup(struct prog *p, int map_fd)
{
	p->len = 0;
	emit_key(p, map_fd, 0);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	emit_exit(p);
}

/* ---- syscall wrappers: fd or -errno ---- */

static int map_create(__u32 type, __u32 value_size, __u32 flags, int inner_fd)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = sizeof(__u32);
	a.value_size = value_size;
	a.max_entries = MAX_ENTRIES;
	a.map_flags = flags;
	a.inner_map_fd = inner_fd > 0 ? inner_fd : 0;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	return fd < 0 ? -errno : fd;
}

static int map_op(int cmd, int fd, __u32 key, void *value, __u64 flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)value;
	a.flags = flags;
	return sys_bpf(cmd, &a) ? -errno : 0;
}

/* ---- checks ---- */

/* Loads a raw_tp program; its fd, or -1 after a failed check. */
static int load_raw_tp(const struct prog *p, const char *what)
{
	char detail[96];
	int fd = prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, p, vlog, sizeof(vlog), 2);

	snprintf(detail, sizeof(detail), "load failed: %s", strerror(-fd));
	check(fd >= 0, what, detail);
	if (fd < 0)
		fprintf(stderr, "%s\n", vlog);
	return fd < 0 ? -1 : fd;
}

static void run_expect(int prog_fd, const char *what)
{
	char detail[96];
	__u32 retval = 0;
	int err = prog_run(prog_fd, &retval);

	snprintf(detail, sizeof(detail), "test run: %s, retval %d",
		 err ? strerror(-err) : "ok", (int)retval);
	check(!err && retval == 0, what, detail);
}

static void check_insert_delete(int map_fd, int refuse)
{
	struct prog p;
	__u64 v = 0;
	int fd, has_note;

	build_update(&p, map_fd, 7);
	fd = load_raw_tp(&p, "raw_tp with noprealloc hash map loads");
	if (fd < 0)
		return;
	has_note = strstr(vlog, NOTE_TRACE) != NULL;
	check(has_note == refuse, "verifier log note for raw_tp",
	      has_note ? "note present" : "note absent");
	run_expect(fd, "raw_tp inserts into noprealloc hash map");
	close(fd);
	check(!map_op(BPF_MAP_LOOKUP_ELEM, map_fd, 7, &v, 0) && v == VALUE,
	      "inserted element reads back", "lookup failed or wrong value");

	build_delete(&p, map_fd, 7);
	fd = load_raw_tp(&p, "raw_tp delete program loads");
	if (fd < 0)
		return;
	run_expect(fd, "raw_tp deletes from noprealloc hash map");
	close(fd);
	check(map_op(BPF_MAP_LOOKUP_ELEM, map_fd, 7, &v, 0) == -ENOENT,
	      "deleted element is gone", "lookup still finds it");
}

/* Runs the churn program @churn times. An update may fail with ENOMEM:
 * GFP_NOWAIT allocations do not wait for reclaim, and freed elements come
 * back only after a grace period (the per-CPU allocator only refills its
 * atomic reserve from a worker). That is counted and retried after 1 ms;
 * any other error, or MAX_NOMEM_STREAK ENOMEMs in a row, fails.
 */
#define MAX_NOMEM_STREAK 2000

static void check_churn(int map_fd, long churn, const char *what)
{
	long i, nomem = 0, streak = 0;
	char detail[128];
	struct prog p;
	__u32 retval = 0;
	int fd, err = 0;

	build_churn(&p, map_fd, 3);
	fd = load_raw_tp(&p, "raw_tp churn program loads");
	if (fd < 0)
		return;
	for (i = 0; i < churn && !err; i++) {
		err = prog_run(fd, &retval);
		if (err || !retval) {
			streak = 0;
			continue;
		}
		if ((__s32)retval != -ENOMEM || ++streak > MAX_NOMEM_STREAK) {
			err = -EIO;
			break;
		}
		nomem++;
		i--;
		usleep(1000);
	}
	close(fd);
	if (err)
		snprintf(detail, sizeof(detail), "run %ld: %s %s", i,
			 err == -EIO ? "program returned" : "test run failed:",
			 strerror(err == -EIO ? -(__s32)retval : -err));
	check(!err, what, detail);
	printf("# %s: %ld runs, %ld ENOMEM retried\n", what, i, nomem);
}

/* Fills the map from user space: the next new key is E2BIG, replacing an
 * existing key still works (kmalloc path with a full map).
 */
static void check_full(int map_fd)
{
	__u64 v = 1;
	__u32 k;
	int err = 0;

	for (k = 100; k < 100 + MAX_ENTRIES && !err; k++)
		err = map_op(BPF_MAP_UPDATE_ELEM, map_fd, k, &v, BPF_ANY);
	check(!err, "fill noprealloc hash map to max_entries", strerror(-err));
	err = map_op(BPF_MAP_UPDATE_ELEM, map_fd, 999, &v, BPF_ANY);
	check(err == -E2BIG, "insert into full map is E2BIG", strerror(-err));
	v = 2;
	err = map_op(BPF_MAP_UPDATE_ELEM, map_fd, 100, &v, BPF_ANY);
	check(!err, "replace in full map succeeds", strerror(-err));
}

/* A per-CPU element written by a program holds VALUE on the CPU that ran
 * it and zero on every other CPU, although the key held garbage before.
 */
static void check_percpu_fresh(int map_fd, int ncpus)
{
	__u64 *vals = calloc(ncpus, sizeof(*vals));
	struct prog p;
	int i, fd, hits = 0, zeros = 0;

	if (!vals) {
		check(0, "per-CPU values", "out of memory");
		return;
	}
	for (i = 0; i < ncpus; i++)
		vals[i] = 0xdeadbeefULL;
	map_op(BPF_MAP_UPDATE_ELEM, map_fd, 9, vals, BPF_ANY);
	map_op(BPF_MAP_DELETE_ELEM, map_fd, 9, NULL, 0);

	build_update(&p, map_fd, 9);
	fd = load_raw_tp(&p, "raw_tp with noprealloc per-CPU hash loads");
	if (fd >= 0) {
		run_expect(fd, "raw_tp inserts into noprealloc per-CPU hash");
		close(fd);
	}
	memset(vals, 0xff, ncpus * sizeof(*vals));
	if (!map_op(BPF_MAP_LOOKUP_ELEM, map_fd, 9, vals, 0))
		for (i = 0; i < ncpus; i++) {
			hits += vals[i] == VALUE;
			zeros += vals[i] == 0;
		}
	check(hits == 1 && zeros == ncpus - 1,
	      "fresh per-CPU element: one CPU has the value, others zero",
	      "unexpected per-CPU contents");
	free(vals);
}

/* A perf_event program that uses map_fd: refused or loaded as expected. */
static void check_perf_event(int map_fd, int refuse, const char *what)
{
	char detail[160];
	struct prog p;
	int fd, has_note;

	build_lookup(&p, map_fd);
	fd = prog_load(BPF_PROG_TYPE_PERF_EVENT, &p, vlog, sizeof(vlog), 2);
	has_note = strstr(vlog, NOTE_PERF) != NULL;
	snprintf(detail, sizeof(detail), "load %s%s (expected %s)",
		 fd >= 0 ? "succeeded" : strerror(-fd),
		 has_note ? " with the prealloc note" : "",
		 refuse ? "EINVAL with the note" : "success");
	if (fd >= 0)
		close(fd);
	if (refuse)
		check(fd == -EINVAL && has_note, what, detail);
	else
		check(fd >= 0, what, detail);
}

static int usage(const char *msg)
{
	fprintf(stderr, "htab_prealloc_rules: %s (usage: --expect refuse|allow [--churn N])\n",
		msg);
	return 2;
}

static int parse_args(int argc, char **argv, int *refuse, long *churn)
{
	int i;

	*refuse = -1;
	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			return usage("missing value");
		if (!strcmp(argv[i], "--expect") && !strcmp(argv[i + 1], "refuse"))
			*refuse = 1;
		else if (!strcmp(argv[i], "--expect") && !strcmp(argv[i + 1], "allow"))
			*refuse = 0;
		else if (!strcmp(argv[i], "--churn"))
			*churn = strtol(argv[i + 1], NULL, 10);
		else
			return usage("bad argument");
		i++;
	}
	if (*refuse < 0)
		return usage("--expect is required");
	if (*churn < 1)
		return usage("--churn wants a positive number");
	return 0;
}

int main(int argc, char **argv)
{
	int np, pnp, pa, inner, outer, ncpus, refuse;
	long churn = 20000;

	if (parse_args(argc, argv, &refuse, &churn))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpus = possible_cpus();
	np = map_create(BPF_MAP_TYPE_HASH, 8, BPF_F_NO_PREALLOC, 0);
	pnp = map_create(BPF_MAP_TYPE_PERCPU_HASH, 8, BPF_F_NO_PREALLOC, 0);
	pa = map_create(BPF_MAP_TYPE_HASH, 8, 0, 0);
	inner = map_create(BPF_MAP_TYPE_HASH, 8, BPF_F_NO_PREALLOC, 0);
	outer = map_create(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 0, inner);
	if (ncpus < 0 || np < 0 || pnp < 0 || pa < 0 || inner < 0 || outer < 0) {
		printf("not ok - setup: cpus %d, map fds %d %d %d %d %d\n",
		       ncpus, np, pnp, pa, inner, outer);
		printf("RESULT fail setup\n");
		return 1;
	}

	check_insert_delete(np, refuse);
	check_churn(np, churn, "raw_tp churn on noprealloc hash map");
	check_churn(pnp, churn, "raw_tp churn on noprealloc per-CPU hash map");
	check_full(np);
	check_percpu_fresh(pnp, ncpus);
	check_perf_event(pa, 0, "perf_event with preallocated hash map loads");
	check_perf_event(np, refuse, "perf_event with noprealloc hash map");
	check_perf_event(pnp, refuse, "perf_event with noprealloc per-CPU hash map");
	check_perf_event(outer, refuse, "perf_event with hash-of-maps, noprealloc inner");

	close(outer);
	close(inner);
	close(pa);
	close(pnp);
	close(np);
	if (failures) {
		printf("RESULT fail %d\n", failures);
		return 1;
	}
	printf("RESULT pass\n");
	return 0;
}
