// SPDX-License-Identifier: GPL-2.0
/*
 * reproduce: a published table (reproduce/<case>.json) next to our run,
 * converted to the published unit, with the ratios that carry across
 * machines (speed-up from one thread, one strategy over another).
 * --matrix prints the sweep that reproduces it, as shell assignments.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abreport.h"

#define MIB	(1024.0 * 1024.0)

struct conv {
	double divide;
	bool per_thread;
	double scale;
};

struct ours {
	const struct point *p;	/* NULL: not in the run */
	const char *why;	/* why there is no value */
	int threads;		/* the threads we ran (capped) */
	double ops;		/* converted to the published unit */
	int matches;		/* ok points that fit the row */
};

static int run_cpus(const struct run *run)
{
	int cpus = (int)json_num(run->meta, "cpus", 0);
	size_t i;

	for (i = 0; i < run->npts; i++)
		if (run->pts[i].cpus > cpus)
			cpus = run->pts[i].cpus;
	return cpus;
}

static void conv_load(json_t *pub, struct conv *c)
{
	json_t *u = json_object_get(pub, "unit");

	c->divide = json_num(u, "divide", 1);
	c->per_thread = json_is_true(json_object_get(u, "per_thread"));
	c->scale = json_num(u, "scale", 1);
	if (c->divide <= 0)
		c->divide = 1;
}

static int cap(int threads, int cpus)
{
	return cpus > 0 && threads > cpus ? cpus : threads;
}

/* Our point for one published (row, threads), converted. */
static void ours_find(const struct run *run, json_t *row, int threads,
		      const struct conv *c, struct ours *o)
{
	const char *w = json_str(row, "workload", NULL);
	const char *v = json_str(row, "variant", NULL);
	json_t *want = json_object_get(row, "params");
	size_t i;

	memset(o, 0, sizeof(*o));
	o->threads = cap(threads, run_cpus(run));
	o->ops = NAN;
	o->why = w ? "not in the run" : json_str(row, "note", "not measured by the suite");
	if (!w || !v)
		return;
	for (i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];

		if (strcmp(p->workload, w) || strcmp(p->variant, v) ||
		    p->threads != o->threads || !params_subset(want, p->params))
			continue;
		if (strcmp(p->status, "ok")) {
			o->why = *p->reason ? p->reason : p->status;
			continue;
		}
		if (!o->matches++) {
			o->p = p;
			o->ops = p->mean / c->divide /
				 (c->per_thread ? p->threads : 1) * c->scale;
		}
	}
}

static void print_cell(double v, const char *fmt)
{
	if (isnan(v))
		printf("%9s", "-");
	else
		printf(fmt, v);
}

static double mem_mib(const struct point *p, bool peak)
{
	double b = !p ? -1 : peak ? p->mem_peak : p->mem_end;

	return b < 0 ? NAN : b / MIB;
}

static void print_entry(const struct run *run, json_t *row, json_t *e,
			const struct conv *c)
{
	int t = (int)json_num(e, "threads", 0);
	double pub = json_num(e, "ops", NAN);
	struct ours o;

	ours_find(run, row, t, c, &o);
	printf("%-40.40s %3d", json_str(row, "label", "?"), t);
	print_cell(pub, "%9.3f");
	print_cell(o.ops, "%9.3f");
	print_cell(o.ops / pub, "%8.2fx");
	print_cell(json_num(e, "mem_mib", NAN), "%9.2f");
	print_cell(mem_mib(o.p, false), "%9.2f");
	print_cell(json_num(e, "peak_mib", NAN), "%9.2f");
	print_cell(mem_mib(o.p, true), "%9.2f");
	if (!o.p)
		printf("  ours: %s", o.why);
	if (o.matches > 1)
		printf("  (%d points fit the row: the first is shown)", o.matches);
	if (o.threads != t)
		printf("  (ours at %d threads: capped at the CPUs)", o.threads);
	putchar('\n');
}

static json_t *row_by_id(json_t *pub, const char *id)
{
	json_t *rows = json_object_get(pub, "rows"), *r;
	size_t i;

	json_array_foreach(rows, i, r)
		if (!strcmp(json_str(r, "id", ""), id))
			return r;
	return NULL;
}

/* Published and our value of a row at published thread count t. */
static void values_at(const struct run *run, json_t *row, int t,
		      const char *field, const struct conv *c,
		      double *pub, double *ours)
{
	json_t *e;
	size_t i;
	struct ours o;

	*pub = NAN;
	*ours = NAN;
	json_array_foreach(json_object_get(row, "published"), i, e)
		if ((int)json_num(e, "threads", 0) == t)
			*pub = json_num(e, field, NAN);
	ours_find(run, row, t, c, &o);
	if (!strcmp(field, "ops"))
		*ours = o.ops;
	else if (!strcmp(field, "mem_mib"))
		*ours = mem_mib(o.p, false);
	else if (!strcmp(field, "peak_mib"))
		*ours = mem_mib(o.p, true);
}

static void print_ratio_line(const char *label, int t, int ours_t,
			     double pub, double ours)
{
	printf("%-52.52s %3d", label, t);
	print_cell(pub, "%8.2fx");
	print_cell(ours, "%8.2fx");
	if (ours_t != t)
		printf("  (ours at %d threads)", ours_t);
	putchar('\n');
}

static void ratio_rows(const struct run *run, json_t *pub, json_t *r,
		       const struct conv *c)
{
	json_t *num = row_by_id(pub, json_str(r, "num", ""));
	json_t *den = row_by_id(pub, json_str(r, "den", ""));
	const char *field = json_str(r, "field", "ops");
	int cpus = run_cpus(run);
	json_t *e;
	size_t i;

	if (!num || !den) {
		printf("%s: rows %s / %s not in the data file\n",
		       json_str(r, "label", "?"), json_str(r, "num", "?"),
		       json_str(r, "den", "?"));
		return;
	}
	json_array_foreach(json_object_get(num, "published"), i, e) {
		int t = (int)json_num(e, "threads", 0);
		double pn, on, pd, od;

		values_at(run, num, t, field, c, &pn, &on);
		values_at(run, den, t, field, c, &pd, &od);
		print_ratio_line(json_str(r, "label", "?"), t, cap(t, cpus),
				 pn / pd, on / od);
	}
}

static void ratio_speedup(const struct run *run, json_t *pub, json_t *r,
			  const struct conv *c)
{
	json_t *row = row_by_id(pub, json_str(r, "row", ""));
	json_t *list = json_object_get(row, "published"), *e;
	int cpus = run_cpus(run), t0;
	double p0, o0;
	size_t i;

	if (!row || !json_array_size(list)) {
		printf("%s: row %s not in the data file\n",
		       json_str(r, "label", "?"), json_str(r, "row", "?"));
		return;
	}
	t0 = (int)json_num(json_array_get(list, 0), "threads", 1);
	values_at(run, row, t0, "ops", c, &p0, &o0);
	json_array_foreach(list, i, e) {
		int t = (int)json_num(e, "threads", 0);
		double p, o;

		if (!i)
			continue;
		values_at(run, row, t, "ops", c, &p, &o);
		print_ratio_line(json_str(r, "label", "?"), t, cap(t, cpus),
				 p / p0, o / o0);
	}
}

static void print_ratios(const struct run *run, json_t *pub,
			 const struct conv *c)
{
	json_t *r;
	size_t i;

	printf("\nratios (these carry across machines)\n");
	printf("%-52s %3s %9s %9s\n", "ratio", "thr", "published", "ours");
	json_array_foreach(json_object_get(pub, "ratios"), i, r) {
		if (!strcmp(json_str(r, "kind", "rows"), "speedup"))
			ratio_speedup(run, pub, r, c);
		else
			ratio_rows(run, pub, r, c);
	}
}

static void print_header(const struct run *run, json_t *pub)
{
	json_t *u = json_object_get(pub, "unit");
	const char *rel = run->npts ?
		json_str(run->pts[0].rec, "kernel_release", "?") : "?";

	printf("%s: %s\n", json_str(pub, "case", "?"), json_str(pub, "title", ""));
	printf("source:    %s\n", json_str(pub, "source", "?"));
	printf("published: %s; %s\n", json_str(pub, "published_setup", "?"),
	       json_str(u, "published", "?"));
	printf("ours:      %s (target %s, accel %s, %d CPUs, first kernel %s); %s\n",
	       run->dir, json_str(run->meta, "target", run->npts ?
				  json_str(run->pts[0].rec, "target", "?") : "?"),
	       run_accel(run), run_cpus(run), rel, json_str(u, "convert", "?"));
	printf("\n%-40s %3s %9s %9s %9s %9s %9s %9s %9s\n", "row", "thr",
	       "published", "ours", "ours/pub", "mem pub", "mem ours",
	       "peak pub", "peak ours");
}

static int print_table(const struct run *run, json_t *pub)
{
	struct conv c;
	json_t *row, *e;
	size_t i, j;

	conv_load(pub, &c);
	print_header(run, pub);
	json_array_foreach(json_object_get(pub, "rows"), i, row)
		json_array_foreach(json_object_get(row, "published"), j, e)
			print_entry(run, row, e, &c);
	print_ratios(run, pub, &c);
	return 0;
}

static char *join(json_t *arr, const char *sep, int cpus, bool threads)
{
	char *out = xstrdup("");
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		char *s, *n;

		if (threads) {
			char *t = xasprintf(",%d,", cap((int)json_number_value(v), cpus));
			char *have = xasprintf(",%s,", out);
			bool dup = strstr(have, t) != NULL;

			free(t);
			free(have);
			if (dup)
				continue;
			s = xasprintf("%d", cap((int)json_number_value(v), cpus));
		} else {
			s = xstrdup(json_string_value(v));
		}
		n = xasprintf("%s%s%s", out, *out ? sep : "", s);
		free(out);
		free(s);
		out = n;
	}
	return out;
}

/* A parameter value: a number, a string, or {"per_cpu": N, "min": M}. */
static char *param_value(json_t *v, int cpus)
{
	if (json_is_object(v)) {
		long long pc = (long long)json_num(v, "per_cpu", 0);
		long long min = (long long)json_num(v, "min", 0);

		return xasprintf("%lld", pc * cpus > min ? pc * cpus : min);
	}
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static int print_matrix(json_t *pub, int cpus)
{
	json_t *m = json_object_get(pub, "matrix"), *v;
	char *variants, *workloads, *threads, *params = xstrdup("");
	const char *k;

	if (!json_is_object(m))
		die_usage("reproduce: %s has no \"matrix\"", json_str(pub, "case", "?"));
	variants = join(json_object_get(m, "variants"), " ", cpus, false);
	workloads = join(json_object_get(m, "workloads"), ",", cpus, false);
	threads = join(json_object_get(m, "threads"), ",", cpus, true);
	json_object_foreach(json_object_get(m, "params"), k, v) {
		char *val = param_value(v, cpus);
		char *n = xasprintf("%s%s%s=%s", params, *params ? " " : "", k, val);

		free(val);
		free(params);
		params = n;
	}
	if (strchr(variants, '\'') || strchr(workloads, '\'') || strchr(params, '\''))
		die_usage("reproduce: quotes in the matrix of %s", json_str(pub, "case", "?"));
	printf("TARGET='%s'\nVARIANTS='%s'\nWORKLOADS='%s'\nTHREADS='%s'\nPARAMS='%s'\n",
	       json_str(m, "target", "vm"), variants, workloads, threads, params);
	free(variants);
	free(workloads);
	free(threads);
	free(params);
	return 0;
}

static json_t *load_published(const char *path)
{
	json_error_t err;
	json_t *pub = json_load_file(path, 0, &err);

	if (!pub)
		die_usage("reproduce: %s:%d: %s", path, err.line, err.text);
	if (!json_is_array(json_object_get(pub, "rows")))
		die_usage("reproduce: %s: no \"rows\" array", path);
	return pub;
}

int cmd_reproduce(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "published", required_argument, NULL, 'p' },
		{ "run", required_argument, NULL, 'r' },
		{ "matrix", no_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ 0 }
	};
	const char *path = NULL, *dir = NULL;
	bool matrix = false;
	int c, cpus = 0, ret;
	struct run run;
	json_t *pub;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': path = optarg; break;
		case 'r': dir = optarg; break;
		case 'm': matrix = true; break;
		case 'c': cpus = atoi(optarg); break;
		default: path = NULL; optind = argc + 1; break;
		}
	}
	if (!path || optind != argc || matrix == !!dir || (matrix && cpus <= 0))
		die_usage("usage: abreport reproduce --published FILE (--run RUNDIR | --matrix --cpus N)");
	pub = load_published(path);
	if (matrix) {
		ret = print_matrix(pub, cpus);
		json_decref(pub);
		return ret;
	}
	if (run_load(dir, &run))
		die_usage("reproduce: %s: no results.jsonl there", dir);
	ret = print_table(&run, pub);
	run_free(&run);
	json_decref(pub);
	return ret;
}
