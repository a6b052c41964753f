/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --profile: perf samples the measured window of one point, system-wide
 * with call graphs (perf record -a -g; cycles where the CPU has a PMU,
 * cpu-clock where it has none). perf starts disabled before the point's
 * setup and is enabled and disabled through its control FIFO at the
 * measured window's edges, so the warm-up, setup and teardown are not in
 * it. After the point, perf report (--no-children) gives the top symbols
 * with their self share, perf script the folded stacks; both read the
 * running kernel's own /proc/kallsyms, so a guest names its own kernel.
 *
 * Files: ROOT/VARIANT/POINT_ID/ (the point id's '/' are directories):
 *   perf.data, top.txt (perf report), stacks.folded ("a;b;c N" lines,
 *   outermost frame first), perf.log (perf's own messages).
 */
#ifndef ALLOCBENCH_PROFILE_H
#define ALLOCBENCH_PROFILE_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>
#include "result.h"

struct profile {
	struct result_profile *out;	/* the record's profile */
	char dir[RESULT_PROFILE_DIR_LEN + 256];	/* absolute or relative to cwd */
	char fifos[256];		/* a temporary directory for the FIFOs */
	char ctl[300], ack[300];
	pid_t pid;			/* perf record, 0 when not running */
	int ctl_fd, ack_fd;
	bool enabled;
	double window_s;		/* enable to disable */
	double t_enable;
};

/*
 * Starts perf record, disabled, for the point of res (res->profile.dir is
 * set from root, variant and point). On an error res->profile.reason says
 * why and the point runs unprofiled. Returns 0 or -errno.
 */
int profile_start(struct profile *p, struct result *res, const char *root,
		  const char *variant);
/* The measured window begins / ends; no-ops when perf is not running. */
void profile_enable(struct profile *p);
void profile_disable(struct profile *p);
/* Stops perf record and fills res->profile from its data. */
void profile_finish(struct profile *p);
/* The record's "profile" object. */
json_t *profile_json(const struct result_profile *rp);

#endif
