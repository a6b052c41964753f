/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface a workload implements: one const struct of callbacks,
 * listed in one table (registry.c), as tools/testing/selftests/bpf/bench.c
 * declares a bench. A workload file includes this header and the harness's
 * small public helpers (result.h, bpfutil.h, sysinfo.h, stats.h, hist.h);
 * the harness (harness/) includes no workload.
 */
#ifndef ALLOCBENCH_WORKLOAD_H
#define ALLOCBENCH_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "result.h"

struct memstat;

#define MAX_THREADS	1024
#define MAX_PARAMS	16
#define REASON_LEN	RESULT_REASON_LEN

enum param_type {
	PARAM_INT,
	PARAM_ENUM,
};

struct param_spec {
	const char *name;
	enum param_type type;
	const char *def;		/* default, as text */
	const char *const *values;	/* PARAM_ENUM: NULL-terminated */
	long long min, max;		/* PARAM_INT: inclusive range */
	bool sweep;			/* varied by the default plan */
	const char *help;
};

struct param_val {
	const struct param_spec *spec;
	const char *str;		/* PARAM_ENUM value */
	long long num;			/* PARAM_INT value */
};

struct workload;

/* One measurement point, as parsed from the command line. */
struct point {
	const struct workload *wl;
	struct param_val params[MAX_PARAMS];
	int nr_params;
	int threads;
	int duration;
	int warmup;
};

/* What a run hands to a workload's callbacks. */
struct workload_ctx {
	const struct point *pt;
	int cpus[MAX_THREADS];		/* CPU each thread is pinned to */
	void *priv;			/* the workload's state */
	struct memstat *mem;		/* the harness's; see workload_mem_rebase() */
	char reason[REASON_LEN];	/* why setup said unsupported/failed */
};

struct workload {
	const char *name;
	const char *desc;
	const struct param_spec *params;	/* terminated by .name == NULL */
	/* optional: cross-parameter checks; message into err */
	int (*validate)(const struct point *pt, char *err, size_t len);
	/* optional: user-space preparation (datasets), before memory is watched */
	int (*prepare)(struct workload_ctx *ctx);
	/* load programs, make maps; -EOPNOTSUPP means unsupported */
	int (*setup)(struct workload_ctx *ctx);
	/* one batch on thread tid (already pinned); returns ops done or -errno */
	long (*run_batch)(struct workload_ctx *ctx, int tid);
	/* optional: total ops so far into *ops, when the kernel counts them; -errno */
	int (*read_ops)(struct workload_ctx *ctx, uint64_t *ops);
	/* optional: the warm-up is over; counts reported later start here */
	void (*measure_start)(struct workload_ctx *ctx);
	/*
	 * optional: add failures, counters, latency, context to the result.
	 * A workload that reports counters.attempts and declares
	 * max_failure_rate has its point failed when, without pressure, its
	 * failures exceed that fraction of its attempts.
	 */
	void (*report)(struct workload_ctx *ctx, struct result *res);
	void (*teardown)(struct workload_ctx *ctx);
	double max_failure_rate;	/* 0: no bound */
};

extern const struct workload *const workloads[];
extern const char *const pressure_modes[];

/* Workloads that declare these get background memory pressure (pressure.c). */
#define PRESSURE_PARAMS							\
	{ .name = "pressure", .type = PARAM_ENUM, .def = "none",		\
	  .values = pressure_modes,						\
	  .help = "background load: anonymous hog, plus fio through the page cache" }, \
	{ .name = "pressure_floor_mb", .type = PARAM_INT, .def = "64", .min = 0,	\
	  .max = 1 << 20, .help = "MemAvailable the hog leaves (MiB)" }

const struct workload *workload_find(const char *name);
/* Memory charged so far is not the workload's (user-space helpers, key arrays). */
void workload_mem_rebase(struct workload_ctx *ctx);
const struct param_val *point_param(const struct point *pt, const char *name);
long long point_int(const struct point *pt, const char *name);
const char *point_str(const struct point *pt, const char *name);

#endif
