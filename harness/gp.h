/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How long grace periods take where the point runs: an RCU-deferred
 * design's memory depends on it, so every record carries a few samples
 * from before and after the point (a slow-grace-period artefact can then
 * be told from an allocator property).
 */
#ifndef ALLOCBENCH_GP_H
#define ALLOCBENCH_GP_H

#include "result.h"

enum { GP_BEFORE, GP_AFTER };

/* Takes GP_SAMPLES of each kind into res->gp[when]. */
void gp_measure(struct result *res, int when);

#endif
