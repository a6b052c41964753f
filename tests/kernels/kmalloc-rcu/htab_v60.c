// SPDX-License-Identifier: GPL-2.0
/*
 * htab_v60: is the running kernel's non-preallocated hash map v6.0's
 * (kmalloc + call_rcu, v6.0's verifier rules) or 6.1's (bpf_mem_alloc)?
 *
 *   htab_v60 --expect v60|ma [--elems N]
 *
 * Three checks, each of which fails on the other kind of kernel:
 *
 *  sleepable  A sleepable program (BPF_PROG_TYPE_SYSCALL, BPF_F_SLEEPABLE)
 *             that uses a non-preallocated hash map is refused with
 *             "Sleepable programs can only use preallocated maps" (v60);
 *             it loads on 6.1 (ma). With a preallocated map it loads on
 *             both.
 *  slab       N elements inserted from bpf(2) into a map whose element is
 *             64 bytes (key 4, value 8) come from the kmalloc-64 caches
 *             (kmalloc-cg-64 and kmalloc-64 in /proc/slabinfo grow by
 *             about N) on v60; bpf_mem_alloc adds its 8-byte llist header
 *             to each unit, so on ma they come from the 96-byte caches.
 *  reuse      One raw_tp program run (one RCU read-side section: no grace
 *             period can end inside it) deletes an element and inserts
 *             another, 16 times, and records the value addresses. On v60
 *             no new element has the address of one deleted in the run;
 *             on ma the per-CPU free list hands the deleted one back.
 *
 * "ok - ..." / "not ok - ..." per check, "# ..." for the figures, then
 * "RESULT pass" or "RESULT fail N". Exit 0 pass, 1 fail, 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../rawbpf.h"

#define LOG_SIZE (1 << 20)
#define PAIRS 16
#define NOTE_SLEEP "Sleepable programs can only use preallocated maps"

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

static int map_create(__u32 type, __u32 value_size, __u32 max, __u32 flags)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = sizeof(__u32);
	a.value_size = value_size;
	a.max_entries = max;
	a.map_flags = flags;
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

/* ---- sleepable ---- */

static int load_sleepable(int map_fd)
{
	struct prog p = { .len = 0 };
	union bpf_attr a;
	int fd;

	emit_key(&p, map_fd, 0);
	emit(&p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	emit_exit(&p);
	memset(&a, 0, sizeof(a));
	vlog[0] = '\0';
	a.prog_type = BPF_PROG_TYPE_SYSCALL;
	a.prog_flags = BPF_F_SLEEPABLE;
	a.insns = (uintptr_t)p.insn;
	a.insn_cnt = (__u32)p.len;
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)vlog;
	a.log_size = sizeof(vlog);
	a.log_level = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -errno : 0;
}

static void check_sleepable(int v60)
{
	int np = map_create(BPF_MAP_TYPE_HASH, 8, 64, BPF_F_NO_PREALLOC);
	int pa = map_create(BPF_MAP_TYPE_HASH, 8, 64, 0);
	char detail[200];
	int err, note;

	if (np < 0 || pa < 0) {
		check(0, "sleepable: maps", "map create failed");
		return;
	}
	err = load_sleepable(pa);
	snprintf(detail, sizeof(detail), "load: %s", err ? strerror(-err) : "ok");
	check(!err, "sleepable program with a preallocated hash map loads", detail);
	err = load_sleepable(np);
	note = strstr(vlog, NOTE_SLEEP) != NULL;
	snprintf(detail, sizeof(detail), "load: %s%s (expected %s)",
		 err ? strerror(-err) : "ok", note ? ", with the note" : "",
		 v60 ? "EINVAL with the note" : "success");
	if (v60)
		check(err == -EINVAL && note,
		      "sleepable program with a noprealloc hash map is refused", detail);
	else
		check(!err, "sleepable program with a noprealloc hash map loads", detail);
	close(np);
	close(pa);
}

/* ---- slab ---- */

/* active objects of kmalloc-SIZE plus kmalloc-cg-SIZE, or -1 */
static long slab_active(int size)
{
	char line[512], name[64], a[32], b[32];
	long active, total = -1;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	snprintf(a, sizeof(a), "kmalloc-%d", size);
	snprintf(b, sizeof(b), "kmalloc-cg-%d", size);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld", name, &active) != 2)
			continue;
		if (strcmp(name, a) && strcmp(name, b))
			continue;
		total = (total < 0 ? 0 : total) + active;
	}
	fclose(f);
	return total;
}

static void check_slab(int v60, long n)
{
	int fd = map_create(BPF_MAP_TYPE_HASH, 8, (__u32)(2 * n), BPF_F_NO_PREALLOC);
	long a64, a96, d64, d96, i;
	char detail[200];
	__u64 v = 7;
	int err = 0;

	if (fd < 0) {
		check(0, "slab: map", strerror(-fd));
		return;
	}
	a64 = slab_active(64);
	a96 = slab_active(96);
	if (a64 < 0 || a96 < 0) {
		check(0, "slab: /proc/slabinfo has kmalloc-64 and kmalloc-96",
		      "missing");
		close(fd);
		return;
	}
	for (i = 0; i < n && !err; i++)
		err = map_op(BPF_MAP_UPDATE_ELEM, fd, (__u32)i, &v, BPF_NOEXIST);
	check(!err, "slab: insert the elements from bpf(2)",
	      err ? strerror(-err) : "");
	d64 = slab_active(64) - a64;
	d96 = slab_active(96) - a96;
	printf("# slab: %ld elements of 64 bytes: kmalloc(-cg)-64 %+ld, kmalloc(-cg)-96 %+ld objects\n",
	       n, d64, d96);
	snprintf(detail, sizeof(detail), "64-byte caches %+ld, 96-byte caches %+ld for %ld elements",
		 d64, d96, n);
	if (v60)
		check(d64 >= n * 3 / 4 && d96 < n / 4,
		      "slab: elements come from kmalloc-64 (kmalloc, element size)", detail);
	else
		check(d96 >= n * 3 / 4 && d64 < n / 4,
		      "slab: elements come from kmalloc-96 (bpf_mem_alloc unit)", detail);
	close(fd);
}

/* ---- reuse ---- */

static int fail_jumps[8 * PAIRS];
static int nfail;

/* if r0 == 0 goto fail (patched later) */
static void emit_null_to_fail(struct prog *p)
{
	fail_jumps[nfail++] = p->len;
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 0);
}

/* r6 = lookup(map, key) or fail; addrs[slot] = r6 */
static void emit_record(struct prog *p, int map_fd, __s32 key, int addr_fd, __s32 slot)
{
	emit_key(p, map_fd, key);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	emit_null_to_fail(p);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_0, 0, 0);
	emit_key(p, addr_fd, slot);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	emit_null_to_fail(p);
	emit(p, BPF_STX | BPF_MEM | BPF_DW, BPF_REG_0, BPF_REG_6, 0, 0);
}

static void check_reuse(int v60)
{
	int np = map_create(BPF_MAP_TYPE_HASH, 8, 4 * PAIRS, BPF_F_NO_PREALLOC);
	int addrs = map_create(BPF_MAP_TYPE_ARRAY, 8, 2 * PAIRS, 0);
	__u64 old[PAIRS] = { 0 }, new[PAIRS] = { 0 }, v = 1;
	int i, j, fd, reused = 0, err = 0;
	char detail[200];
	struct prog p;
	__u32 retval = 0;

	if (np < 0 || addrs < 0) {
		check(0, "reuse: maps", "map create failed");
		return;
	}
	for (i = 0; i < PAIRS && !err; i++)
		err = map_op(BPF_MAP_UPDATE_ELEM, np, 1000 + i, &v, BPF_NOEXIST);
	p.len = 0;
	nfail = 0;
	for (i = 0; i < PAIRS; i++) {
		emit_record(&p, np, 1000 + i, addrs, 2 * i);
		emit_delete(&p, np, 1000 + i);
		emit_update(&p, np, 2000 + i, 2);
		emit_record(&p, np, 2000 + i, addrs, 2 * i + 1);
	}
	emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	emit_exit(&p);
	for (i = 0; i < nfail; i++)
		p.insn[fail_jumps[i]].off = (__s16)(p.len - fail_jumps[i] - 1);
	emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
	emit_exit(&p);

	fd = prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, &p, vlog, sizeof(vlog), 1);
	if (fd < 0) {
		fprintf(stderr, "%s\n", vlog);
		check(0, "reuse: program loads", strerror(-fd));
		return;
	}
	err = err ? err : prog_run(fd, &retval);
	close(fd);
	snprintf(detail, sizeof(detail), "setup or run: %s, retval %u",
		 err ? strerror(-err) : "ok", retval);
	check(!err && !retval, "reuse: delete + insert 16 times in one program run", detail);
	for (i = 0; i < PAIRS; i++) {
		map_op(BPF_MAP_LOOKUP_ELEM, addrs, 2 * i, &old[i], 0);
		map_op(BPF_MAP_LOOKUP_ELEM, addrs, 2 * i + 1, &new[i], 0);
	}
	for (i = 0; i < PAIRS; i++)
		for (j = 0; j < PAIRS; j++)
			reused += new[i] && new[i] == old[j];
	printf("# reuse: %d of %d new elements had the address of an element deleted in the same run\n",
	       reused, PAIRS);
	snprintf(detail, sizeof(detail), "%d of %d reused", reused, PAIRS);
	if (v60)
		check(!reused, "reuse: no deleted element comes back before a grace period",
		      detail);
	else
		check(reused > 0, "reuse: bpf_mem_alloc hands deleted elements back at once",
		      detail);
	close(addrs);
	close(np);
}

int main(int argc, char **argv)
{
	long n = 4000;
	int v60 = -1, i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--expect") && !strcmp(argv[i + 1], "v60"))
			v60 = 1;
		else if (!strcmp(argv[i], "--expect") && !strcmp(argv[i + 1], "ma"))
			v60 = 0;
		else if (!strcmp(argv[i], "--elems"))
			n = strtol(argv[i + 1], NULL, 10);
		else
			v60 = -2;
	}
	if (v60 < 0 || i != argc || n < 100) {
		fprintf(stderr, "htab_v60: usage: --expect v60|ma [--elems N>=100]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	check_sleepable(v60);
	check_slab(v60, n);
	check_reuse(v60);
	if (failures) {
		printf("RESULT fail %d\n", failures);
		return 1;
	}
	printf("RESULT pass\n");
	return 0;
}
