/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ABREPORT_PROFILE_H
#define ABREPORT_PROFILE_H

#include "abreport.h"
#include "doc.h"

/* The top entries a record's profile holds (harness RESULT_PROFILE_TOP). */
#define RESULT_TOP_SCAN	20

/*
 * Workload w's profiled points: per point the variants' top symbols side
 * by side and their flame graphs (nothing when no point was profiled).
 */
void profile_section(struct doc *d, const struct run *run, const char *w, const char *outdir);

/*
 * make reproduce: a data file's "profiles" (published perf shares per
 * variant, and sums of symbols' shares) beside the run's own; nothing
 * when the data file has none.
 */
void profile_reproduce(const struct run *run, json_t *pub);

#endif
