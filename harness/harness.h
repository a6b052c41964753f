/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_HARNESS_H
#define ALLOCBENCH_HARNESS_H

#include "result.h"
#include "workload.h"

/*
 * Runs the point of res (result_init()), filling res in place: status and
 * reason, samples (allocated here; the caller frees res->samples), memory,
 * counters, pressure and whatever the workload reports. Returns 0, or
 * -EIO when the point failed.
 */
int harness_run(struct result *res);

#endif
