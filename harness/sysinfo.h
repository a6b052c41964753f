/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_SYSINFO_H
#define ALLOCBENCH_SYSINFO_H

#include <stddef.h>

int sys_online_cpus(void);
int sys_possible_cpus(void);
int sys_allowed_cpus(int *cpus, int max);
int sys_kernel_release(char *buf, size_t len);
int sys_cpu_model(char *buf, size_t len);
int sys_read_file(const char *path, char *buf, size_t len);
int sys_write_file(const char *path, const char *text);

#endif
