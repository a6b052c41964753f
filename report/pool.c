// SPDX-License-Identifier: GPL-2.0
/*
 * Several runs of one side of a comparison, pooled: each point's samples
 * become the means of the runs that have it, so that the t-test sees the
 * variation between runs (background load, frequency, placement) that the
 * per-second samples of one run do not show. Memory peak and idle are
 * the means over the runs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abreport.h"

static char *join_names(struct run *runs, size_t n, bool ids)
{
	char *out = xstrdup("");
	size_t i;

	for (i = 0; i < n; i++) {
		char *s = xasprintf("%s%s%s", out, i ? "+" : "",
				    ids ? runs[i].id : runs[i].dir);

		free(out);
		out = s;
	}
	return out;
}

static struct point *pool_find(struct run *out, const struct point *p)
{
	size_t i;

	for (i = 0; i < out->npts; i++)
		if (point_same(&out->pts[i], p, true))
			return &out->pts[i];
	return NULL;
}

static void pool_add(struct run *out, const struct point *p, size_t nruns)
{
	struct point *q = pool_find(out, p);

	if (!q) {
		q = &out->pts[out->npts++];
		*q = *p;
		q->pkey = xstrdup(p->pkey);
		q->plabel = xstrdup(p->plabel);
		q->samples = xcalloc(nruns, sizeof(double));
		q->nsamples = 0;
	} else if (strcmp(p->status, "ok") && !strcmp(q->status, "ok")) {
		/* not ok until a run has it ok (pool_status) */
		q->status = p->status;
		q->reason = p->reason;
		q->rec = p->rec;
	}
	if (!strcmp(p->status, "ok") && !isnan(p->mean))
		q->samples[q->nsamples++] = p->mean;
}

/*
 * A point ok in some runs only is ok, with the samples of those runs and
 * the reason "not ok in K of N runs (...)": compare calls that a
 * regression on the new side and leaves those runs out on the base side.
 * A point ok in no run keeps the status pool_add() gave it.
 */
static void pool_status(struct run *runs, size_t n, struct run *out,
			struct point *q)
{
	const struct point *ok = NULL, *bad = NULL;
	size_t i, nbad = 0;
	json_t *s;

	for (i = 0; i < n; i++) {
		const struct point *p = run_find(&runs[i], q, true);

		if (p && !strcmp(p->status, "ok")) {
			ok = ok ? ok : p;
			continue;
		}
		nbad++;
		bad = bad ? bad : p;
	}
	if (!ok || !nbad)
		return;
	q->status = "ok";
	q->rec = ok->rec;
	s = json_sprintf("not ok in %zu of %zu runs (%s%s%s)", nbad, n,
			 bad ? bad->status : "missing",
			 bad && *bad->reason ? ": " : "", bad ? bad->reason : "");
	json_array_append_new(out->records, s);
	q->reason = json_string_value(s);
}

/* Memory peak and idle: the mean over the runs that measured them. */
static void pool_memory(struct run *runs, size_t n, struct point *q)
{
	double peak = 0, idle = 0;
	size_t i;

	q->mem_peak_s = xcalloc(n, sizeof(double));
	q->mem_idle_s = xcalloc(n, sizeof(double));
	q->nmem_peak = q->nmem_idle = 0;
	for (i = 0; i < n; i++) {
		const struct point *p = run_find(&runs[i], q, true);

		if (!p || strcmp(p->status, "ok"))
			continue;
		if (p->mem_peak >= 0) {
			peak += p->mem_peak;
			q->mem_peak_s[q->nmem_peak++] = p->mem_peak;
		}
		if (p->mem_idle >= 0) {
			idle += p->mem_idle;
			q->mem_idle_s[q->nmem_idle++] = p->mem_idle;
		}
	}
	q->mem_peak = q->nmem_peak ? peak / q->nmem_peak : -1;
	q->mem_idle = q->nmem_idle ? idle / q->nmem_idle : -1;
}

/*
 * out borrows the records of runs (keep them until out is freed) and
 * owns its points. The schema is -1 unless every run has the same one.
 */
int runs_pool(struct run *runs, size_t n, struct run *out)
{
	size_t i, j, total = 0;

	memset(out, 0, sizeof(*out));
	out->dir = join_names(runs, n, false);
	out->id = join_names(runs, n, true);
	out->meta = json_incref(runs[0].meta);
	out->records = json_array();
	out->schema = runs[0].schema;
	out->pooled = n;
	for (i = 0; i < n; i++) {
		total += runs[i].npts;
		if (runs[i].schema != out->schema)
			out->schema = -1;
	}
	out->pts = xcalloc(total, sizeof(*out->pts));
	for (i = 0; i < n; i++)
		for (j = 0; j < runs[i].npts; j++)
			pool_add(out, &runs[i].pts[j], n);
	for (i = 0; i < out->npts; i++) {
		struct point *q = &out->pts[i];

		if (q->nsamples)
			stats_mean_sd(q->samples, q->nsamples, &q->mean,
				      &q->stddev);
		pool_status(runs, n, out, q);
		pool_memory(runs, n, q);
	}
	return 0;
}
