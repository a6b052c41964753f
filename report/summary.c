// SPDX-License-Identifier: GPL-2.0
/*
 * The first screen of a report: what ran, how long each point measured,
 * and per workload one table, one row a point (params and threads) and
 * one column group a variant. The base variant's group has its ops/s
 * (mean ± stddev), memory, samples and failures; every other variant's has
 * its ops/s and memory as ratios to the base's, Welch's t-test on the two
 * sides' per-second samples (stats.c, the test compare uses) with n a
 * side, and its failures. A point that did not run shows its status and
 * reason in place of figures. A run of one variant (a host run) has the
 * base group only.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plots.h"
#include "summary.h"

#define MIB		(1024.0 * 1024.0)
#define SUMMARY_ALPHA	0.05	/* marked significant below this p */
#define BASE_COLS	4	/* ops/s, mem, n, failures */
#define OTHER_COLS	4	/* ops/s ×, mem ×, p (n a side), failures */

/* The run's variants, first seen first; returns how many. */
static size_t run_variants(const struct run *run, const char **out)
{
	size_t i, j, n = 0;

	for (i = 0; i < run->npts; i++) {
		for (j = 0; j < n; j++)
			if (!strcmp(out[j], run->pts[i].variant))
				break;
		if (j == n)
			out[n++] = run->pts[i].variant;
	}
	return n;
}

/*
 * The variant the others are compared with: want when given (-ENOENT when
 * the run has no such variant), else bpf-ma when the run has it, else the
 * run's first variant. NULL for a run without records.
 */
int summary_base(const struct run *run, const char *want, const char **base)
{
	const char **vs = xcalloc(run->npts + 1, sizeof(*vs));
	size_t i, n = run_variants(run, vs);
	int err = want ? -ENOENT : 0;

	*base = n ? vs[0] : NULL;
	for (i = 0; i < n; i++) {
		if (want && !strcmp(vs[i], want)) {
			*base = vs[i];
			err = 0;
		} else if (!want && !strcmp(vs[i], "bpf-ma")) {
			*base = vs[i];
		}
	}
	free(vs);
	return err;
}

static const struct point *find_point(const struct run *run,
				      const char *variant, const char *w,
				      const char *pkey, int threads)
{
	size_t i;

	for (i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];

		if (p->threads == threads && !strcmp(p->variant, variant) &&
		    !strcmp(p->workload, w) && !strcmp(p->pkey, pkey))
			return p;
	}
	return NULL;
}

static bool is_ok(const struct point *p)
{
	return p && !strcmp(p->status, "ok") && !isnan(p->mean);
}

static bool has_mem_mean(const struct point *p)
{
	return json_is_number(json_object_get(json_object_get(p->rec, "mem_bytes"),
					      "mean"));
}

/*
 * The memory a point is judged by: mem_bytes.mean (the measured seconds'
 * mean) when mean is set, which the callers do when both sides of a
 * ratio have it, else the peak. < 0 when absent.
 */
static double mem_of(const struct point *p, bool mean)
{
	return mean ? json_num(json_object_get(p->rec, "mem_bytes"), "mean", -1) :
		p->mem_peak;
}

/* All failures, and counters.attempts (0 when the record has none). */
static void failures_of(const struct point *p, double *count,
			double *attempts)
{
	json_t *f = json_object_get(p->rec, "failures"), *v;
	const char *k;

	*count = 0;
	json_object_foreach(f, k, v)
		*count += json_is_number(v) ? json_number_value(v) : 0;
	*attempts = json_num(json_object_get(p->rec, "counters"), "attempts", 0);
}

static void fmt_failures(char *buf, size_t len, const struct point *p)
{
	double n, attempts;

	failures_of(p, &n, &attempts);
	if (!n)
		snprintf(buf, len, "0");
	else if (attempts > 0)
		snprintf(buf, len, "%.3g%% (%.0f)", 100 * n / attempts, n);
	else
		snprintf(buf, len, "%.0f", n);
}

static void fmt_ratio(char *buf, size_t len, double num, double den)
{
	double r = num / den;

	if (!(den > 0) || num < 0 || isnan(r))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, r < 0.1 ? "%.3f×" : "%.2f×", r);
}

/* A row's cells, added one by one; the texts are their own copies. */
struct cells {
	struct doc_cell *c;
	char **text;
	char **md;
	size_t n;
	size_t cap;
};

static void *xrealloc(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n, size);
	if (!p) {
		fprintf(stderr, "abreport: out of memory\n");
		exit(2);
	}
	return p;
}

/* The next cell of the row. */
static struct doc_cell *cell(struct cells *cs, const char *text)
{
	size_t i = cs->n++;

	if (i == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 16;
		cs->c = xrealloc(cs->c, cs->cap, sizeof(*cs->c));
		cs->text = xrealloc(cs->text, cs->cap, sizeof(*cs->text));
		cs->md = xrealloc(cs->md, cs->cap, sizeof(*cs->md));
	}
	memset(&cs->c[i], 0, sizeof(cs->c[i]));
	cs->md[i] = NULL;
	cs->text[i] = xstrdup(text);
	cs->c[i].text = cs->text[i];
	return &cs->c[i];
}

static void cells_free(struct cells *cs)
{
	free(cs->c);
	free(cs->text);
	free(cs->md);
	memset(cs, 0, sizeof(*cs));
}

/* The last cell's Markdown text, when it differs from the HTML's. */
static void cell_md(struct cells *cs, const char *md)
{
	size_t i = cs->n - 1;

	free(cs->md[i]);
	cs->md[i] = xstrdup(md);
	cs->c[i].md = cs->md[i];
}

static void cells_flush(struct doc *d, struct cells *cs, bool in_md)
{
	size_t i;

	doc_grid_row(d, cs->c, cs->n, in_md);
	for (i = 0; i < cs->n; i++) {
		free(cs->text[i]);
		free(cs->md[i]);
		cs->text[i] = NULL;
		cs->md[i] = NULL;
	}
	cs->n = 0;
}

/* "failed: why" for a point that did not run, across a group. */
static void not_run(struct cells *cs, const struct point *p, int span)
{
	char *t = p ? xasprintf("%s: %s", p->status,
				*p->reason ? p->reason : "no reason given") :
		xstrdup("not run");
	struct doc_cell *c = cell(cs, t);

	c->span = span;
	c->cls = p ? "status" : "none";
	free(t);
}

/* The base's figures, or those of a variant that has no base to match. */
static void absolute(struct cells *cs, const struct point *p, const char *w)
{
	char t[128];

	fmt_rate(t, sizeof(t), p->mean, p->stddev);
	cell(cs, t)->cls = "num";
	if (!workload_has_memory(w))
		snprintf(t, sizeof(t), "—");
	else if (mem_of(p, has_mem_mean(p)) < 0)
		snprintf(t, sizeof(t), "n/a");
	else
		snprintf(t, sizeof(t), "%.2f MiB", mem_of(p, has_mem_mean(p)) / MIB);
	cell(cs, t)->cls = "num";
}

static void base_group(struct cells *cs, const struct point *b, const char *w)
{
	char t[64];

	if (!is_ok(b)) {
		not_run(cs, b, BASE_COLS);
		return;
	}
	absolute(cs, b, w);
	snprintf(t, sizeof(t), "%zu", b->nsamples);
	cell(cs, t)->cls = "num";
	fmt_failures(t, sizeof(t), b);
	cell(cs, t)->cls = "num";
}

/* Welch's p, "*" below SUMMARY_ALPHA, and n base/variant. */
static void p_cell(struct cells *cs, const struct point *b,
		   const struct point *v, bool *sig)
{
	struct welch w;
	char t[64], n[32];

	*sig = false;
	snprintf(n, sizeof(n), "(n %zu/%zu)", b->nsamples, v->nsamples);
	if (stats_welch(b->samples, b->nsamples, v->samples, v->nsamples, &w) ||
	    isnan(w.p)) {
		snprintf(t, sizeof(t), "n/a %s", n);
		cell(cs, t)->cls = "num";
		return;
	}
	*sig = w.p < SUMMARY_ALPHA;
	if (w.p < 0.001)
		snprintf(t, sizeof(t), "<0.001%s %s", *sig ? " *" : "", n);
	else
		snprintf(t, sizeof(t), "%.3f%s %s", w.p, *sig ? " *" : "", n);
	cell(cs, t)->cls = *sig ? "num sig" : "num";
}

static void other_group(struct cells *cs, const struct point *b,
			const struct point *v, const char *w)
{
	struct doc_cell *ops;
	bool mean, sig;
	char t[64];

	if (!is_ok(v)) {
		not_run(cs, v, OTHER_COLS);
		return;
	}
	if (!is_ok(b)) {
		/* nothing to divide by: its own figures, said so */
		absolute(cs, v, w);
		cs->c[cs->n - 2].title = "the base did not run this point: this variant's own ops/s";
		snprintf(t, sizeof(t), "— (n %zu)", v->nsamples);
		cell(cs, t)->cls = "num";
		fmt_failures(t, sizeof(t), v);
		cell(cs, t)->cls = "num";
		return;
	}
	fmt_ratio(t, sizeof(t), v->mean, b->mean);
	ops = cell(cs, t);
	ops->cls = "num";
	mean = has_mem_mean(b) && has_mem_mean(v);
	if (workload_has_memory(w))
		fmt_ratio(t, sizeof(t), mem_of(v, mean), mem_of(b, mean));
	else
		snprintf(t, sizeof(t), "—");
	cell(cs, t)->cls = "num";
	p_cell(cs, b, v, &sig);
	if (sig)
		ops->cls = v->mean < b->mean ? "num worse" : "num better";
	fmt_failures(t, sizeof(t), v);
	cell(cs, t)->cls = "num";
}

/* A row of the table: a point of the workload, all variants. */
struct row {
	const struct point *p;	/* one of the row's points (label, id) */
	size_t rank;		/* of its params, first seen first */
};

static int cmp_rows(const void *a, const void *b)
{
	const struct row *ra = a, *rb = b;

	if (ra->rank != rb->rank)
		return ra->rank < rb->rank ? -1 : 1;
	return ra->p->threads - rb->p->threads;
}

static size_t workload_rows(const struct run *run, const char *w,
			    const char *base, struct row *rows)
{
	size_t i, j, n = 0, nkeys = 0;
	const char **keys = xcalloc(run->npts, sizeof(*keys));

	for (i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];

		if (strcmp(p->workload, w))
			continue;
		for (j = 0; j < nkeys && strcmp(keys[j], p->pkey); j++)
			;
		if (j == nkeys)
			keys[nkeys++] = p->pkey;
		for (j = 0; j < n; j++)
			if (rows[j].p->threads == p->threads &&
			    !strcmp(rows[j].p->pkey, p->pkey))
				break;
		if (j == n)
			rows[n++] = (struct row){ .p = p };
		/* the base's record names the row where it has one */
		if (!strcmp(p->variant, base))
			rows[j].p = p;
		for (rows[j].rank = 0; strcmp(keys[rows[j].rank], p->pkey);
		     rows[j].rank++)
			;
	}
	qsort(rows, n, sizeof(*rows), cmp_rows);
	free(keys);
	return n;
}

static bool run_has_variant_workload(const struct run *run, const char *v,
				     const char *w)
{
	size_t i;

	for (i = 0; i < run->npts; i++)
		if (!strcmp(run->pts[i].variant, v) &&
		    !strcmp(run->pts[i].workload, w))
			return true;
	return false;
}

static bool is_base(const char *v, const char *base)
{
	return base && !strcmp(v, base);
}

/*
 * Two header rows: the variants' column groups, each with its colour
 * (the one its lines have in the plots), then the columns. Markdown
 * has no groups: its header is the second row, each column named with
 * its variant.
 */
static void head_rows(struct doc *d, const char **vs, size_t nv,
		      const char *base, const char *cmp)
{
	static const char *const base_h[BASE_COLS] = {
		"ops/s", "mem", "n", "failures"
	};
	static const char *const other_h[OTHER_COLS] = {
		"ops/s ×", "mem ×", "p", "failures"
	};
	static const char *const alone_h[OTHER_COLS] = {
		"ops/s", "mem", "p", "failures"
	};
	struct cells cs = { 0 };
	struct doc_cell *c;
	size_t i, k, ncols = 2;
	char *t;

	c = cell(&cs, "");
	c->head = true;
	c->span = 2;
	for (i = 0; i < nv; i++) {
		if (is_base(vs[i], base))
			t = nv > 1 ? xasprintf("%s (base)", vs[i]) : xstrdup(vs[i]);
		else
			t = cmp ? xasprintf("%s / %s", vs[i], cmp) : xstrdup(vs[i]);
		c = cell(&cs, t);
		c->head = true;
		c->span = is_base(vs[i], base) ? BASE_COLS : OTHER_COLS;
		c->colour = variant_colour(vs[i]);
		ncols += c->span;
		free(t);
	}
	cells_flush(d, &cs, false);
	cell(&cs, "point")->head = true;
	cell(&cs, "threads")->head = true;
	for (i = 0; i < nv; i++) {
		bool b = is_base(vs[i], base);

		for (k = 0; k < (b ? BASE_COLS : OTHER_COLS); k++) {
			const char *h = b ? base_h[k] : cmp ? other_h[k] :
				alone_h[k];

			cell(&cs, h)->head = true;
			t = xasprintf("%s %s", vs[i], h);
			cell_md(&cs, t);
			free(t);
		}
	}
	cells_flush(d, &cs, true);
	cells_free(&cs);
	doc_grid_head_end(d, ncols);
}

static void workload_table(struct doc *d, const struct run *run,
			   const char *w, const char *base)
{
	const char **vs = xcalloc(run->npts + 1, sizeof(*vs));
	const char **all = xcalloc(run->npts + 1, sizeof(*all));
	struct row *rows = xcalloc(run->npts + 1, sizeof(*rows));
	size_t i, j, nv = 0, nall = run_variants(run, all);
	size_t nrows = workload_rows(run, w, base ? base : "", rows);
	const char *b = NULL;
	struct cells cs = { 0 };
	char t[512];
	bool base_ok = false;

	/* the base first, then the others that ran the workload */
	for (i = 0; i < nall; i++)
		if (run_has_variant_workload(run, all[i], w) &&
		    is_base(all[i], base))
			vs[nv++] = b = all[i];
	for (i = 0; i < nall; i++)
		if (run_has_variant_workload(run, all[i], w) &&
		    !is_base(all[i], base))
			vs[nv++] = all[i];
	for (i = 0; i < nrows && b; i++)
		base_ok |= is_ok(find_point(run, b, w, rows[i].p->pkey,
					    rows[i].p->threads));
	if (nv > 1 && !base_ok) {
		snprintf(t, sizeof(t), b ?
			 "%s ran no point of %s: the other variants' figures are their own, not ratios (--base or BASE_VARIANT= picks another base)." :
			 "%s did not run %s: the other variants' figures are their own, not ratios (--base or BASE_VARIANT= picks another base).",
			 base, w);
		doc_p(d, t);
	}
	doc_div_begin(d, "wide");
	doc_grid_begin(d, "summary");
	head_rows(d, vs, nv, b, base_ok ? b : NULL);
	for (i = 0; i < nrows; i++) {
		const struct point *r = rows[i].p, *bp = NULL;
		struct doc_cell *c;

		fmt_label(t, sizeof(t), run, r);
		/* under the workload's heading: its varied params */
		c = cell(&cs, strncmp(t, w, strlen(w)) || t[strlen(w)] != ' ' ?
			 t : t + strlen(w) + 1);
		c->head = true;
		c->title = json_str(r->rec, "point", "?");
		snprintf(t, sizeof(t), "%d", r->threads);
		cell(&cs, t)->cls = "num";
		if (b)
			bp = find_point(run, b, w, r->pkey, r->threads);
		for (j = 0; j < nv; j++) {
			const struct point *vp = find_point(run, vs[j], w, r->pkey,
							    r->threads);

			if (vs[j] == b)
				base_group(&cs, bp, w);
			else
				other_group(&cs, bp, vp, w);
		}
		cells_flush(d, &cs, true);
	}
	doc_grid_end(d);
	doc_div_end(d);
	cells_free(&cs);
	free(rows);
	free(all);
	free(vs);
}

/* The distinct values of an integer field of the records, "a, b". */
static char *distinct_ints(const struct run *run, const char *key)
{
	char *out = xstrdup(""), *t;
	size_t i, j;

	for (i = 0; i < run->npts; i++) {
		json_t *v = json_object_get(run->pts[i].rec, key);

		if (!json_is_integer(v))
			continue;
		for (j = 0; j < i; j++)
			if (json_equal(v, json_object_get(run->pts[j].rec, key)))
				break;
		if (j < i)
			continue;
		t = xasprintf("%s%s%lld", out, *out ? ", " : "",
			      (long long)json_integer_value(v));
		free(out);
		out = t;
	}
	if (!*out && json_is_integer(json_object_get(run->meta, key))) {
		free(out);
		out = xasprintf("%lld", (long long)json_integer_value(
					json_object_get(run->meta, key)));
	}
	return out;
}

/* What ran, and how long a point measured. */
static void run_lines(struct doc *d, const struct run *run, const char **vs,
		      size_t nv, const char *base)
{
	size_t i, ok = 0, uns = 0, fail = 0, nmin = 0, nmax = 0;
	char *names = xstrdup(""), *dur, *warm, *t, samples[64];

	for (i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];

		if (!strcmp(p->status, "ok"))
			ok++;
		else if (!strcmp(p->status, "unsupported"))
			uns++;
		else
			fail++;
		if (!is_ok(p))
			continue;
		if (!nmin || p->nsamples < nmin)
			nmin = p->nsamples;
		if (p->nsamples > nmax)
			nmax = p->nsamples;
	}
	for (i = 0; i < nv; i++) {
		t = xasprintf("%s%s%s%s", names, i ? ", " : "", vs[i],
			      nv > 1 && is_base(vs[i], base) ? " (base)" : "");
		free(names);
		names = t;
	}
	t = xasprintf("Run %s: %s, accel %s, started %s; %zu variant%s: %s; %zu points: %zu ok, %zu unsupported, %zu failed.",
		      run->id, json_str(run->meta, "target", run->npts ?
					json_str(run->pts[0].rec, "target", "?") : "?"),
		      *run_accel(run) ? run_accel(run) : "unknown",
		      json_str(run->meta, "started_at", "at an unknown time"),
		      nv, nv == 1 ? "" : "s", names, run->npts, ok, uns, fail);
	doc_p(d, t);
	free(t);
	dur = distinct_ints(run, "duration_s");
	warm = distinct_ints(run, "warmup_s");
	if (nmin == nmax)
		snprintf(samples, sizeof(samples), "%zu", nmin);
	else
		snprintf(samples, sizeof(samples), "%zu to %zu", nmin, nmax);
	t = xasprintf("Each point: warm-up %s s, measured %s s, %s samples of ops/s (one a measured second).",
		      *warm ? warm : "?", *dur ? dur : "?", samples);
	doc_p(d, t);
	free(t);
	free(dur);
	free(warm);
	free(names);
}

static void legend(struct doc *d, size_t nv, const char *base)
{
	char *t;

	if (nv > 1)
		t = xasprintf("Each variant over %s, the base (BASE_VARIANT= or --base picks another): ops/s × higher is better, mem × (mem_bytes.mean, else peak) lower is better. p: Welch's t-test on the per-second samples, * below %g (the ratio then red when worse, green when better), n base/variant. failures: all failures / counters.attempts (count). A point that did not run shows its status and reason.",
			      base, SUMMARY_ALPHA);
	else
		t = xasprintf("ops/s: mean ± stddev of the per-second samples; mem: mem_bytes.mean, else peak; failures: all failures / counters.attempts (count). A point that did not run shows its status and reason.");
	doc_p(d, t);
	free(t);
}

void summary_write(struct doc *d, const struct run *run, const char *base)
{
	const char **vs = xcalloc(run->npts + 1, sizeof(*vs));
	size_t i, j, nv = run_variants(run, vs);

	doc_h(d, 2, "Summary");
	run_lines(d, run, vs, nv, base);
	if (!run->npts) {
		doc_p(d, "No records.");
		free(vs);
		return;
	}
	legend(d, nv, base);
	for (i = 0; i < run->npts; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(run->pts[j].workload, run->pts[i].workload))
				break;
		if (j < i)
			continue;
		doc_h(d, 3, run->pts[i].workload);
		workload_table(d, run, run->pts[i].workload, base);
	}
	free(vs);
}
