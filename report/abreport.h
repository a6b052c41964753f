/* SPDX-License-Identifier: GPL-2.0 */
/*
 * abreport: reports, comparisons and published-table printing for
 * allocbench run directories (docs/interfaces.md, schema 1).
 */
#ifndef ABREPORT_H
#define ABREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "validate.h"	/* names and point ids: the same rules as the store */

#define AB_SCHEMA	1
#define AB_MAX_THREADS	1024
#define AB_MAX_LINE	(1 << 20)	/* bytes of a results.jsonl line */
#define AB_MAX_JSON	(16 << 20)	/* bytes of meta.json, a data file */

/* One measurement point: one record of results.jsonl. */
struct point {
	json_t *rec;		/* borrowed from run->records */
	const char *variant;
	const char *workload;
	const char *status;	/* "ok", "unsupported", "failed" */
	const char *reason;	/* "" when absent */
	const char *accel;
	json_t *params;		/* {} when absent */
	char *pkey;		/* params as sorted compact JSON */
	char *plabel;		/* params as k=v,k=v (sorted) */
	int threads;
	int cpus;		/* 0 when absent */
	double *samples;
	size_t nsamples;
	double mean;		/* from samples; else ops_per_sec.mean */
	double stddev;		/* sample stddev (n - 1) */
	double mem_peak;	/* bytes; < 0 when absent */
	double mem_end;		/* bytes; < 0 when absent */
	double mem_idle;	/* bytes; < 0 when absent */
	double *mem_peak_s;	/* pooled: each run's, nmem of them (else NULL) */
	double *mem_idle_s;
	size_t nmem_peak, nmem_idle;
};

struct run {
	char *dir;
	char *id;		/* basename of dir */
	json_t *meta;		/* {} when meta.json is missing */
	json_t *records;	/* array of the records that parsed */
	struct point *pts;
	size_t npts;
	int schema;		/* the schema all records share; -1 if mixed */
	size_t bad_lines;	/* lines skipped: not JSON, too long, not valid */
	json_t *skips;		/* why, one string a skipped line (or NULL) */
	size_t superseded;	/* earlier records of a point (last one wins) */
	size_t pooled;		/* > 0: samples are the means of so many runs */
};

/* run.c */
int run_load(const char *dir, struct run *run);
void run_free(struct run *run);
const char *run_accel(const struct run *run);
const char *json_str(json_t *obj, const char *key, const char *def);
double json_num(json_t *obj, const char *key, double def);
int params_key(json_t *params, char **key, char **label);
json_t *json_load_capped(const char *path, json_error_t *err);

/* valid.c */
const char *record_why(json_t *rec);
void json_clean(json_t *v);
void ascii_clean(char *s);

/* stats.c */
struct welch {
	double t;
	double df;
	double p;		/* two-sided; NAN when it cannot be computed */
};
void stats_mean_sd(const double *x, size_t n, double *mean, double *sd);
int stats_welch(const double *a, size_t na, const double *b, size_t nb,
		struct welch *w);

/* match.c */
bool point_same(const struct point *a, const struct point *b,
		bool with_variant);
struct point *run_find(const struct run *run, const struct point *like,
		       bool with_variant);
bool run_has_workload(const struct run *run, const char *w);
int params_mismatch(const struct run *a, const struct run *b,
		    char *why, size_t len);
bool params_subset(json_t *want, json_t *have);
double point_failure_rate(const struct point *p);

/* fmt.c */
void fmt_rate(char *buf, size_t len, double mean, double sd);
void fmt_label(char *buf, size_t len, const struct run *run,
	       const struct point *p);
void fmt_reviewer(char *buf, size_t len, const struct run *run,
		  const struct point *p);
bool param_varies(const struct run *run, const char *workload,
		  const char *key);

/* compare.c */
#define AB_MAX_WL_THRESHOLDS 32
struct compare_opts {
	double threshold;	/* percent */
	double alpha;		/* significance level */
	double max_sd;		/* percent: noisier points cannot be judged */
	bool force;
	const char *base_variant;	/* within-run mode when set */
	size_t min_n;		/* samples (runs when pooled) a side to judge */
	double mem_threshold;	/* percent: memory peak or idle this much higher */
	double mem_floor;	/* bytes: ... and by at least this much */
	size_t nwl;		/* per-workload thresholds (--threshold W=PCT) */
	const char *wl_name[AB_MAX_WL_THRESHOLDS];
	double wl_thr[AB_MAX_WL_THRESHOLDS];
	const char *variants_dir;	/* declarations: unsupported= by design */
	json_t *verdicts;	/* when set: one object a point is appended */
};
int cmd_compare(int argc, char **argv);
int compare_runs(const struct run *base, const struct run *new,
		 const struct compare_opts *o, FILE *out);
int compare_variants(const struct run *run, const struct compare_opts *o,
		     FILE *out);

/* pool.c */
#define AB_MAX_RUNS	16
int runs_pool(struct run *runs, size_t n, struct run *out);

/* report.c, doc.c, plots.c, context.c */
int cmd_report(int argc, char **argv);

/* reproduce.c */
int cmd_reproduce(int argc, char **argv);

/* util.c */
void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xstrdup(const char *s);
void *xcalloc(size_t n, size_t size);
int mkdir_p(const char *path);
const char *abreport_root(void);

#endif /* ABREPORT_H */
