// SPDX-License-Identifier: GPL-2.0
/*
 * report: RUNDIR/report/index.html and report.md: the summary (variants
 * against a base, summary.c) first, then the context block, reviewer
 * tables and plots, and every point that did not run.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "plots.h"
#include "profile.h"
#include "summary.h"

/* Order of points in the tables: variant (first seen), params, threads. */
static const struct run *sort_run;

static size_t variant_rank(const char *v)
{
	size_t i;

	for (i = 0; i < sort_run->npts; i++)
		if (!strcmp(sort_run->pts[i].variant, v))
			return i;
	return i;
}

static int cmp_points(const void *a, const void *b)
{
	const struct point *pa = *(const struct point *const *)a;
	const struct point *pb = *(const struct point *const *)b;
	size_t ra = variant_rank(pa->variant), rb = variant_rank(pb->variant);
	int c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	c = strcmp(pa->plabel, pb->plabel);
	return c ? c : pa->threads - pb->threads;
}

static void table_workload(struct doc *d, const struct run *run,
			   const char *w)
{
	const struct point **pts = xcalloc(run->npts, sizeof(*pts));
	const char *last = NULL;
	char line[1024];
	size_t i, n = 0;

	for (i = 0; i < run->npts; i++)
		if (!strcmp(run->pts[i].workload, w))
			pts[n++] = &run->pts[i];
	sort_run = run;
	qsort(pts, n, sizeof(*pts), cmp_points);
	doc_pre_begin(d, "table");
	for (i = 0; i < n; i++) {
		if (!last || strcmp(last, pts[i]->variant)) {
			if (last)
				doc_pre_line(d, "");
			snprintf(line, sizeof(line), "[%s]", pts[i]->variant);
			doc_pre_line(d, line);
			last = pts[i]->variant;
		}
		fmt_reviewer(line, sizeof(line), run, pts[i]);
		doc_pre_line(d, line);
	}
	doc_pre_end(d);
	free(pts);
}

static int section_workload(struct doc *d, const struct run *run,
			    const struct groups *gs, const char *w,
			    const char *outdir)
{
	size_t gi;
	int err = 0;

	doc_h(d, 2, w);
	context_params(d, run, w);
	doc_h(d, 3, "Results");
	table_workload(d, run, w);
	doc_h(d, 3, "Plots");
	for (gi = 0; gi < gs->n; gi++) {
		if (strcmp(gs->g[gi].workload, w))
			continue;
		if (plots_write(run, gs, outdir, d, gi))
			err = -EIO;
	}
	profile_section(d, run, w, outdir);
	return err;
}

static void section_not_ok(struct doc *d, const struct run *run)
{
	char line[1024];
	size_t i, n = 0;

	doc_h(d, 2, "Unsupported and failed points");
	for (i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];

		if (!strcmp(p->status, "ok"))
			continue;
		if (!n++)
			doc_pre_begin(d, "bad");
		snprintf(line, sizeof(line), "%s %s: %s: %s", p->variant,
			 json_str(p->rec, "point", "?"), p->status,
			 *p->reason ? p->reason : "no reason given");
		doc_pre_line(d, line);
	}
	if (n)
		doc_pre_end(d);
	else
		doc_p(d, "None: every point ran.");
}

/* Lines of results.jsonl that were not taken, and why. */
static void section_skipped(struct doc *d, const struct run *run)
{
	json_t *why;
	size_t i;

	if (!run->bad_lines)
		return;
	doc_h(d, 2, "Skipped lines of results.jsonl");
	doc_p(d, "Not JSON, too long, or not a valid record: not in this report.");
	doc_pre_begin(d, "bad");
	json_array_foreach(run->skips, i, why) {
		if (i == 50) {
			doc_pre_line(d, "...");
			break;
		}
		doc_pre_line(d, json_string_value(why));
	}
	doc_pre_end(d);
}

static bool first_of_workload(const struct run *run, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(run->pts[j].workload, run->pts[i].workload))
			return false;
	return true;
}

/*
 * The page: what the figures are good for (TCG, overcommit), the summary
 * (one table a workload, the variants against the base), the run's and
 * kernels' details folded, then per workload its reviewer lines and
 * plots, and the points that did not run.
 */
static int report_write(const struct run *run, const char *outdir,
			const char *base)
{
	char *md = xasprintf("%s/report.md", outdir);
	char *html = xasprintf("%s/index.html", outdir);
	char *plots = xasprintf("%s/plots", outdir);
	char *tpl = xasprintf("%s/template.html", abreport_root());
	char *title = xasprintf("allocbench report: %s", run->id);
	struct groups gs = { 0 };
	struct doc d;
	size_t i;
	int err = mkdir_p(plots);

	if (!err)
		err = doc_open(&d, md, title);
	if (err) {
		fprintf(stderr, "abreport: %s: %s\n", outdir, strerror(-err));
		goto out;
	}
	context_notes(&d, run);
	summary_write(&d, run, base);
	context_write(&d, run);
	err = groups_build(run, &gs);
	for (i = 0; i < run->npts && !err; i++)
		if (first_of_workload(run, i))
			err = section_workload(&d, run, &gs, run->pts[i].workload,
					       outdir);
	section_not_ok(&d, run);
	section_skipped(&d, run);
	if (doc_close(&d, tpl, html) && !err)
		err = -EIO;
	groups_free(&gs);
out:
	free(md);
	free(html);
	free(plots);
	free(tpl);
	free(title);
	return err;
}

/* The newest run directory under results/ (run ids sort by time). */
static char *newest_run(const char *root)
{
	DIR *dir = opendir(root);
	struct dirent *e;
	char *best = NULL;

	if (!dir)
		return NULL;
	while ((e = readdir(dir))) {
		char *p;

		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s/results.jsonl", root, e->d_name);
		if (!access(p, R_OK) && (!best || strcmp(e->d_name, best) > 0)) {
			free(best);
			best = xstrdup(e->d_name);
		}
		free(p);
	}
	closedir(dir);
	if (best) {
		char *full = xasprintf("%s/%s", root, best);

		free(best);
		best = full;
	}
	return best;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "base", required_argument, NULL, 'b' },
		{ 0 }
	};
	static const char usage[] =
		"usage: abreport report [--out DIR] [--base VARIANT] [RUNDIR]";
	const char *out = NULL, *want = NULL, *base;
	char *dir, *outdir;
	struct run run;
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'b')
			want = optarg;
		else
			die_usage("%s", usage);
	}
	if (argc - optind > 1)
		die_usage("%s", usage);
	dir = optind < argc ? xstrdup(argv[optind]) : newest_run("results");
	if (!dir)
		die_usage("report: no run directory under results/ (give RUN=results/<id>)");
	if (run_load(dir, &run))
		die_usage("report: %s: no results.jsonl there", dir);
	if (summary_base(&run, want, &base))
		die_usage("report: %s: no variant %s in the run", dir, want);
	outdir = out ? xstrdup(out) : xasprintf("%s/report", run.dir);
	err = report_write(&run, outdir, base);
	if (!err)
		printf("%s/index.html\n%s/report.md\n", outdir, outdir);
	run_free(&run);
	free(outdir);
	free(dir);
	return err ? 1 : 0;
}
