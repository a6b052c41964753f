/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result of one point: what the harness measured (samples, memory,
 * pressure, the kernel's counters) and what the workload's callbacks add
 * (failures by errno, counters, latency, the context it observed). It is
 * filled in place and rendered to the schema-1 record by one function,
 * result_to_json() in record.c.
 */
#ifndef ALLOCBENCH_RESULT_H
#define ALLOCBENCH_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESULT_NAME_LEN		64
#define RESULT_MAX_COUNTS	64
#define RESULT_MAX_VMSTAT	16
#define RESULT_REASON_LEN	1024

struct point;
struct run_opts;

struct result_count {
	char name[RESULT_NAME_LEN];
	long long value;
};

struct result_counts {
	struct result_count c[RESULT_MAX_COUNTS];
	int nr;
};

struct result_mem {
	const char *source;	/* "cgroup2", "cgroup1", "meminfo-slab", "none" */
	long long peak, end;
	long long kernel_end;	/* < 0: not known (cgroup2 only) */
	long long idle;		/* < 0: not measured */
	long long mean;		/* of the measured seconds' samples; < 0: none */
};

struct result_latency {
	bool valid;
	uint64_t p50, p99, max;	/* ns */
};

/* What a point asked of the pressure load and what it achieved. */
struct result_pressure {
	bool present;		/* the point has a pressure parameter */
	bool applied;		/* a hog ran */
	const char *mode;
	long long floor_mb, ramp_ms, min_free_kb, min_available_kb;
	struct result_count vmstat[RESULT_MAX_VMSTAT];
	int nr_vmstat;
	bool fio;
	const char *fio_note;
};

#define GP_SAMPLES	2

/* Grace-period latency before [0] and after [1] the point; < 0: not had. */
struct result_gp {
	bool measured;
	const char *rcu_how;	/* how the RCU figure was taken */
	double rcu_ms[2][GP_SAMPLES];
	int nr_rcu[2];
	double trace_ms[2][GP_SAMPLES];
	int nr_trace[2];
	char trace_why[200];	/* why there is no RCU Tasks Trace figure */
};

#define RESULT_PROFILE_TOP	20
#define RESULT_PROFILE_DIR_LEN	512

struct result_profile_sym {
	char name[160];
	char kind;			/* 'k' kernel, '.' user (perf report's [k] / [.]) */
	double self_pct;		/* --no-children share of the samples */
};

/* --profile (harness/profile.h): requested false means no "profile" key. */
struct result_profile {
	bool requested;
	const char *event;		/* "cycles" or "cpu-clock" */
	long long samples;
	double window_s;		/* how long perf was enabled */
	double enable_lag_s;		/* the window's start to perf's enable ack */
	int nr_top;
	struct result_profile_sym top[RESULT_PROFILE_TOP];
	char dir[RESULT_PROFILE_DIR_LEN];	/* VARIANT/POINT_ID under the profile root */
	char reason[256];		/* why there is no profile; empty when there is */
};

struct result {
	const struct point *pt;
	const struct run_opts *ro;
	char started_at[32];
	const char *status;		/* "ok", "unsupported", "failed" */
	char reason[RESULT_REASON_LEN];	/* empty when ok */
	double *samples;		/* ops/s, one per measured second */
	size_t nr_samples;
	struct result_mem mem;
	struct result_counts failures;	/* by errno name */
	struct result_counts counters;
	struct result_latency latency;
	const char *exec_context;	/* observed by the program, or NULL */
	const char *perf_event;
	const char *trigger;		/* the system call that ran the program */
	struct result_pressure pressure;
	struct result_gp gp;
	struct result_profile profile;
};

/* Starts as failed with no samples; the caller owns samples' storage. */
void result_init(struct result *r, const struct point *pt, const struct run_opts *ro);
/* reason may be NULL (ok) or a printf format. */
void result_set_status(struct result *r, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Counts add up under one name; -ENOSPC when the table is full. */
int result_add_failure(struct result *r, const char *name, long long value);
int result_add_counter(struct result *r, const char *name, long long value);
/* Sets a counter to a value (gauges, an errno seen). */
int result_set_counter(struct result *r, const char *name, long long value);
int result_counts_add(struct result_counts *c, const char *name, long long value,
		      bool replace);
long long result_counter(const struct result_counts *c, const char *name);

#endif
