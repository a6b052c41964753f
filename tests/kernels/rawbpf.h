/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf(2) without libbpf for the in-guest kernel tests: a small assembler
 * for hand-written programs, program load and test run. Static functions
 * in a header: each test is one static binary built from one .c file.
 */
#ifndef ALLOCBENCH_RAWBPF_H
#define ALLOCBENCH_RAWBPF_H

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RAWBPF_MAX_INSNS	4096

struct prog {
	struct bpf_insn insn[RAWBPF_MAX_INSNS];
	int len;
};

static inline int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static inline void emit(struct prog *p, __u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	struct bpf_insn *i = &p->insn[p->len++];

	memset(i, 0, sizeof(*i));
	i->code = code;
	i->dst_reg = dst;
	i->src_reg = src;
	i->off = off;
	i->imm = imm;
}

static inline void emit_ld_map(struct prog *p, __u8 dst, int map_fd)
{
	emit(p, BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, map_fd);
	emit(p, 0, 0, 0, 0, 0);
}

/* r1 = map, r2 = &key (a u32 at fp-4) */
static inline void emit_key(struct prog *p, int map_fd, __s32 key)
{
	emit(p, BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, key);
	emit_ld_map(p, BPF_REG_1, map_fd);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4);
}

/* r0 = bpf_map_update_elem(map, &key, &value (8 bytes at fp-16), BPF_ANY) */
static inline void emit_update(struct prog *p, int map_fd, __s32 key, __s32 value)
{
	emit(p, BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, -16, value);
	emit_key(p, map_fd, key);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_10, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, -16);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, BPF_ANY);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_update_elem);
}

/* r0 = bpf_map_delete_elem(map, &key) */
static inline void emit_delete(struct prog *p, int map_fd, __s32 key)
{
	emit_key(p, map_fd, key);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_delete_elem);
}

static inline void emit_exit(struct prog *p)
{
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* Loads p; the verifier's log in log (log[0] = 0 first). fd or -errno. */
static inline int prog_load(__u32 type, const struct prog *p, char *log, __u32 size, __u32 level)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	log[0] = '\0';
	a.prog_type = type;
	a.insns = (uintptr_t)p->insn;
	a.insn_cnt = (__u32)p->len;
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = size;
	a.log_level = level;
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	return fd < 0 ? -errno : fd;
}

/* Runs a raw_tracepoint program once; its return value in *retval. */
static inline int prog_run(int prog_fd, __u32 *retval)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.test.prog_fd = prog_fd;
	if (sys_bpf(BPF_PROG_TEST_RUN, &a))
		return -errno;
	*retval = a.test.retval;
	return 0;
}

/* CPUs the kernel may ever have, from /sys/devices/system/cpu/possible. */
static inline int possible_cpus(void)
{
	int lo, hi, n = 0;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%d", &lo) == 1) {
		hi = lo;
		if (fscanf(f, "-%d", &hi) < 0)
			hi = lo;
		n += hi - lo + 1;
		if (fgetc(f) != ',')
			break;
	}
	fclose(f);
	return n;
}

#endif
