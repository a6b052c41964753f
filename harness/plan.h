/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_PLAN_H
#define ALLOCBENCH_PLAN_H

#include <stdio.h>

int plan_default_threads(int *out, int max, int cpus);
int plan_print(FILE *f, const char *workloads, const int *threads, int nr_threads,
	       char **params, int nr_params, char *err, size_t len);

#endif
