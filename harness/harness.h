/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_HARNESS_H
#define ALLOCBENCH_HARNESS_H

#include <signal.h>
#include "result.h"
#include "workload.h"

/*
 * Runs the point of res (result_init()), filling res in place: status and
 * reason, samples (allocated here; the caller frees res->samples), memory,
 * counters, pressure and whatever the workload reports. Returns 0, or
 * -EIO when the point failed.
 */
int harness_run(struct result *res);

/*
 * SIGINT, SIGTERM and SIGHUP end the point in progress: it stops sampling,
 * tears down (the memory cgroup, the pressure load and its fio file go)
 * and its result says "stopped by SIG...". The caller exits 128 + signal.
 */
extern volatile sig_atomic_t harness_stop_signal;
void harness_catch_signals(void);

#endif
