/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_CLI_H
#define ALLOCBENCH_CLI_H

#include "workload.h"

#define MAX_CTX		32
#define ERR_LEN		256

/* Where a record comes from: what the runner tells the binary. */
struct run_opts {
	const char *run_id;
	const char *target;
	const char *variant;
	const char *accel;
	const char *reason;		/* `fail` only */
	const char *ctx[MAX_CTX];	/* K=V */
	int nr_ctx;
	bool profile;			/* --profile: perf over the measured window */
	const char *profile_dir;	/* --profile-dir: the profiles' root */
};

int parse_int(const char *s, long long min, long long max, long long *out);
int parse_threads_list(const char *s, int *out, int max_out, int max_threads,
		       int *nr, char *err, size_t len);
int point_set_param(struct point *pt, const char *kv, char *err, size_t len);
int point_fill_defaults(struct point *pt);
int point_id(const struct point *pt, char *buf, size_t len);
/*
 * The syntax of a point; point_validate() adds the workload's own checks.
 * 0, -errno with err set, or POINT_HELP: -h or --help was given, nothing
 * else was parsed.
 */
#define POINT_HELP	1
int point_parse(int argc, char **argv, struct point *pt, struct run_opts *ro,
		int max_threads, char *err, size_t len);
int point_validate(const struct point *pt, char *err, size_t len);

#endif
