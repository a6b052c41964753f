/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_RECORD_H
#define ALLOCBENCH_RECORD_H

#include <stdio.h>
#include <jansson.h>
#include "bench.h"
#include "cli.h"

#define RECORD_SCHEMA	1

json_t *record_new(const struct point *pt, const struct run_opts *ro);
void record_set_status(json_t *rec, const char *status, const char *reason);
void record_set_samples(json_t *rec, const double *samples, size_t n);
void record_set_mem(json_t *rec, long long peak, long long end, long long kernel,
		    const char *source);
void record_add_counter(json_t *rec, const char *group, const char *name,
			long long value);
int record_print(json_t *rec, FILE *f);
int record_validate(json_t *rec, char *err, size_t len);

#endif
