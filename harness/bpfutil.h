/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_BPFUTIL_H
#define ALLOCBENCH_BPFUTIL_H

#include <stddef.h>
#include <stdint.h>

#define RAW_TP_ARGS	12	/* MAX_BPF_FUNC_ARGS: the ctx a raw_tp test run gets */

void bpfutil_init(void);
void bpfutil_log_reset(void);
void bpfutil_load_error(int err, const char *what, char *reason, size_t len);
int bpfutil_load_status(int err);
int bpf_run_raw_tp(int prog_fd, const uint64_t *args, int nargs, uint32_t *retval);
int btf_enum_value(const char *type, const char *name, long long *out);

#endif
