// SPDX-License-Identifier: GPL-2.0
/*
 * Text of one point in the format kernel reviewers already read:
 *   htab_churn overwrite noprealloc (4 thread) 12.345 ± 0.067M/s (mem ...)
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abreport.h"

#define MIB	(1024.0 * 1024.0)

void fmt_rate(char *buf, size_t len, double mean, double sd)
{
	double scale = 1;
	const char *unit = "";

	if (isnan(mean)) {
		snprintf(buf, len, "n/a");
		return;
	}
	if (fabs(mean) >= 1e6) {
		scale = 1e6;
		unit = "M";
	} else if (fabs(mean) >= 1e3) {
		scale = 1e3;
		unit = "k";
	}
	snprintf(buf, len, "%.3f ± %.3f%s/s", mean / scale,
		 isnan(sd) ? 0 : sd / scale, unit);
}

static void fmt_count(char *buf, size_t len, double v)
{
	if (fabs(v) >= 1e9)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else if (fabs(v) >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (fabs(v) >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

/* More than one distinct value of key among the run's workload points? */
bool param_varies(const struct run *run, const char *workload,
		  const char *key)
{
	json_t *first = NULL;
	size_t i;

	for (i = 0; i < run->npts; i++) {
		json_t *v;

		if (strcmp(run->pts[i].workload, workload))
			continue;
		v = json_object_get(run->pts[i].params, key);
		if (!v)
			continue;
		if (!first)
			first = v;
		else if (!json_equal(first, v))
			return true;
	}
	return false;
}

static void cat(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s", s);
}

/*
 * workload, then the params that vary in the run, in the record's order
 * (the workload's declaration order, as in the point id): strings bare,
 * numbers as k=v. Fixed params are stated once per workload in the report.
 */
void fmt_label(char *buf, size_t len, const struct run *run,
	       const struct point *p)
{
	const char *k;
	json_t *v;
	char t[96];

	snprintf(buf, len, "%s", p->workload);
	json_object_foreach(p->params, k, v) {
		if (!param_varies(run, p->workload, k))
			continue;
		cat(buf, len, " ");
		if (json_is_string(v)) {
			cat(buf, len, json_string_value(v));
		} else {
			snprintf(t, sizeof(t), "%s=%lld", k,
				 (long long)json_integer_value(v));
			cat(buf, len, t);
		}
	}
}

static void add_mem(char *buf, size_t len, const struct point *p)
{
	const double v[] = { p->mem_end, p->mem_peak, p->mem_idle };
	static const char *const name[] = { "mem", "peak", "idle" };
	char t[96];
	size_t i;
	int n = 0;

	for (i = 0; i < 3; i++) {
		if (v[i] < 0)
			continue;
		snprintf(t, sizeof(t), "%s%s %.2f MiB", n++ ? ", " : "",
			 name[i], v[i] / MIB);
		cat(buf, len, t);
	}
}

/* Mean of the samples a grace-period kind has (nulls are lost samples). */
static double gp_mean(json_t *kind)
{
	const char *const when[] = { "before", "after" };
	double sum = 0;
	json_t *v;
	size_t i;
	int n = 0;

	for (int w = 0; w < 2; w++)
		json_array_foreach(json_object_get(kind, when[w]), i, v)
			if (json_is_number(v)) {
				sum += json_number_value(v);
				n++;
			}
	return n ? sum / n : NAN;
}

/*
 * Grace-period latency where the point ran, beside its memory: an
 * RCU-deferred design's memory depends on it.
 */
static void add_gp(char *buf, size_t len, const struct point *p)
{
	json_t *gp = json_object_get(p->rec, "grace_periods");
	double rcu = gp_mean(json_object_get(gp, "rcu_ms"));
	double tt = gp_mean(json_object_get(gp, "rcu_tasks_trace_ms"));
	char t[96];

	if (!isnan(rcu)) {
		snprintf(t, sizeof(t), ", gp rcu %.1f ms", rcu);
		cat(buf, len, t);
	}
	if (!isnan(tt)) {
		snprintf(t, sizeof(t), ", tasks-trace %.1f ms", tt);
		cat(buf, len, t);
	}
}

static void add_counters(char *buf, size_t len, const struct point *p)
{
	static const char *const names[][2] = {
		{ "hits", "hits" }, { "misses", "misses" }, { "drops", "drops" },
		{ "false_negatives", "false negatives" }, { "wrong_value", "wrong values" },
	};
	json_t *c = json_object_get(p->rec, "counters");
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *v = json_object_get(c, names[i][0]);
		char n[32], t[96];

		if (!json_is_number(v))
			continue;
		fmt_count(n, sizeof(n), json_number_value(v));
		snprintf(t, sizeof(t), "%s %s, ", names[i][1], n);
		cat(buf, len, t);
	}
}

static void add_failures(char *buf, size_t len, const struct point *p)
{
	json_t *f = json_object_get(p->rec, "failures");
	json_t *lat = json_object_get(p->rec, "latency_ns");
	const char *k, *ctx = json_str(p->rec, "exec_context", NULL);
	const char *ev = json_str(p->rec, "perf_event", NULL);
	json_t *v;
	char t[160];
	int n = 0;

	if (ctx) {
		cat(buf, len, ctx);
		cat(buf, len, ev ? ", " : "; ");
	}
	if (ev) {
		cat(buf, len, ev);
		cat(buf, len, "; ");
	}
	cat(buf, len, "failures");
	json_object_foreach(f, k, v) {
		snprintf(t, sizeof(t), "%s %s %.0f", n++ ? "," : "", k,
			 json_number_value(v));
		cat(buf, len, t);
	}
	if (!n)
		cat(buf, len, " 0");
	cat(buf, len, "; ");
	if (json_is_object(lat) && json_object_size(lat)) {
		snprintf(t, sizeof(t),
			 "latency p50 %.0f p99 %.0f max %.0f ns; ",
			 json_num(lat, "p50", NAN), json_num(lat, "p99", NAN),
			 json_num(lat, "max", NAN));
		cat(buf, len, t);
	}
}

void fmt_reviewer(char *buf, size_t len, const struct run *run,
		  const struct point *p)
{
	char label[256], rate[64], t[512];

	fmt_label(label, sizeof(label), run, p);
	if (strcmp(p->status, "ok")) {
		snprintf(buf, len, "%s (%d thread) %s: %s", label, p->threads,
			 p->status, *p->reason ? p->reason : "no reason given");
		return;
	}
	fmt_rate(rate, sizeof(rate), p->mean, p->stddev);
	snprintf(t, sizeof(t), "%s (%d thread) %s (", label, p->threads, rate);
	snprintf(buf, len, "%s", t);
	if (!strcmp(p->workload, "qp_trie_lookup"))
		add_counters(buf, len, p);
	else if (!strcmp(p->workload, "nmi_alloc"))
		add_failures(buf, len, p);
	else if (json_object_size(json_object_get(p->rec, "failures")))
		add_failures(buf, len, p);
	add_mem(buf, len, p);
	add_gp(buf, len, p);
	if (buf[strlen(buf) - 1] == ' ')
		buf[strlen(buf) - 2] = '\0';
	if (buf[strlen(buf) - 1] == '(')
		buf[strlen(buf) - 2] = '\0';
	else
		cat(buf, len, ")");
}
