/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_HARNESS_H
#define ALLOCBENCH_HARNESS_H

#include <jansson.h>
#include "bench.h"
#include "cli.h"

/* Runs one point; returns its record (status set), never NULL. */
json_t *harness_run(const struct point *pt, const struct run_opts *ro);

#endif
