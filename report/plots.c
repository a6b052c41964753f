// SPDX-License-Identifier: GPL-2.0
/*
 * Plots: the generator writes one gnuplot data file per group (one block
 * per series, blocks separated by two blank lines, the series name as the
 * block's column header) and runs the scripts kept in report/ (*.gp), each of
 * which writes SVG and PNG. Workloads, variants and parameters, the only
 * record strings in file names, titles and series names, are names
 * (valid.c): a record with anything else never gets here.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "plots.h"

extern char **environ;

#define MIB	(1024.0 * 1024.0)

/* Parameters drawn as separate lines rather than separate plots. */
static const char *const series_params[][2] = {
	{ "htab_churn", "map" },
	{ "qp_trie_lookup", "map" },
	{ "qp_trie_update", "map" },
	{ "nmi_alloc", "map" },
};

static bool is_series_param(const char *workload, const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(series_params) / sizeof(series_params[0]); i++)
		if (!strcmp(series_params[i][0], workload) &&
		    !strcmp(series_params[i][1], key))
			return true;
	return false;
}

static json_t *group_params(const struct point *p)
{
	json_t *g = json_deep_copy(p->params);
	const char *k;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(g, tmp, k, v)
		if (is_series_param(p->workload, k))
			json_object_del(g, k);
	return g;
}

static char *group_key(const char *workload, json_t *gp)
{
	char *pk = json_dumps(gp, JSON_SORT_KEYS | JSON_COMPACT);
	char *key = xasprintf("%s %s", workload, pk ? pk : "{}");

	free(pk);
	return key;
}

int group_of(const struct groups *gs, const struct point *p)
{
	json_t *gp = group_params(p);
	char *key = group_key(p->workload, gp);
	size_t i;
	int ret = -1;

	for (i = 0; i < gs->n && ret < 0; i++)
		if (!strcmp(gs->g[i].key, key))
			ret = (int)i;
	free(key);
	json_decref(gp);
	return ret;
}

/*
 * workload and the group parameters that vary in the run, k=v in the
 * record's order (the workload's declaration order, as in point ids).
 */
static char *group_title(const struct run *run, const char *workload,
			 json_t *gp)
{
	char *title = xstrdup(workload), *t;
	const char *k;
	json_t *v;

	json_object_foreach(gp, k, v) {
		if (!param_varies(run, workload, k))
			continue;
		if (json_is_string(v))
			t = xasprintf("%s %s=%s", title, k, json_string_value(v));
		else
			t = xasprintf("%s %s=%lld", title, k,
				      (long long)json_integer_value(v));
		free(title);
		title = t;
	}
	return title;
}

int groups_build(const struct run *run, struct groups *gs)
{
	size_t i;

	gs->g = xcalloc(run->npts, sizeof(*gs->g));
	gs->n = 0;
	for (i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];
		struct group *g;

		if (group_of(gs, p) >= 0)
			continue;
		g = &gs->g[gs->n];
		g->workload = p->workload;
		g->params = group_params(p);
		g->key = group_key(p->workload, g->params);
		g->title = group_title(run, p->workload, g->params);
		g->stem = xasprintf("plots/%s-%zu", p->workload, gs->n);
		gs->n++;
	}
	return 0;
}

void groups_free(struct groups *gs)
{
	size_t i;

	for (i = 0; i < gs->n; i++) {
		free(gs->g[i].key);
		free(gs->g[i].title);
		free(gs->g[i].stem);
		json_decref(gs->g[i].params);
	}
	free(gs->g);
	memset(gs, 0, sizeof(*gs));
}

static char *series_name(const struct point *p)
{
	char *name = xstrdup(p->variant);
	const char *k;
	json_t *v;

	json_object_foreach(p->params, k, v) {
		char *n;

		if (!is_series_param(p->workload, k) || !json_is_string(v))
			continue;
		n = xasprintf("%s %s=%s", name, k, json_string_value(v));
		free(name);
		name = n;
	}
	return name;
}

/* A point that ran and has a measurement at a thread count. */
static bool plottable(const struct point *p)
{
	return !strcmp(p->status, "ok") && p->threads > 0 && !isnan(p->mean);
}

static double failures_per_s(const struct point *p)
{
	json_t *f = json_object_get(p->rec, "failures");
	double dur = json_num(p->rec, "duration_s", 0), sum = 0;
	const char *k;
	json_t *v;

	json_object_foreach(f, k, v)
		if (json_is_number(v))
			sum += json_number_value(v);
	return dur > 0 ? sum / dur : sum;
}

static void write_row(FILE *f, const struct point *p, double scale)
{
	json_t *lat = json_object_get(p->rec, "latency_ns");

	fprintf(f, "%d %.6g %.6g %.6g %.6g %.6g %.6g %.6g %.6g\n",
		p->threads, p->mean / scale,
		isnan(p->stddev) ? 0 : p->stddev / scale,
		p->mem_end >= 0 ? p->mem_end / MIB : NAN,
		p->mem_peak >= 0 ? p->mem_peak / MIB : NAN,
		failures_per_s(p), json_num(lat, "p50", NAN),
		json_num(lat, "p99", NAN), json_num(lat, "max", NAN));
}

static int cmp_threads(const void *a, const void *b)
{
	const struct point *pa = *(const struct point *const *)a;
	const struct point *pb = *(const struct point *const *)b;

	return pa->threads - pb->threads;
}

/* Points of series name in group gi, sorted by threads; returns count. */
static size_t series_points(const struct run *run, const struct groups *gs,
			    size_t gi, const char *name,
			    const struct point **out)
{
	size_t i, n = 0;

	for (i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];
		char *s;

		if (!plottable(p) || group_of(gs, p) != (int)gi)
			continue;
		s = series_name(p);
		if (!strcmp(s, name))
			out[n++] = p;
		free(s);
	}
	qsort(out, n, sizeof(*out), cmp_threads);
	return n;
}

static double group_scale(const struct run *run, const struct groups *gs,
			  size_t gi, const char **unit)
{
	double max = 0;
	size_t i;

	for (i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];

		if (!strcmp(p->status, "ok") && group_of(gs, p) == (int)gi &&
		    p->mean > max)
			max = p->mean;
	}
	*unit = max >= 1e6 ? "M ops/s" : max >= 1e3 ? "k ops/s" : "ops/s";
	return max >= 1e6 ? 1e6 : max >= 1e3 ? 1e3 : 1;
}

/* Writes the data file; returns the number of series (0: nothing ok). */
static int write_data(const struct run *run, const struct groups *gs,
		      size_t gi, const char *path, double scale)
{
	const struct point **pts = xcalloc(run->npts, sizeof(*pts));
	json_t *done = json_object();
	FILE *f = fopen(path, "w");
	size_t i, j, n;
	int nser = 0;

	if (!f) {
		nser = -errno;
		goto out;
	}
	for (i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];
		char *name;

		if (!plottable(p) || group_of(gs, p) != (int)gi)
			continue;
		name = series_name(p);
		if (!json_object_get(done, name)) {
			json_object_set_new(done, name, json_true());
			n = series_points(run, gs, gi, name, pts);
			fprintf(f, "%s\"%s\"\n", nser++ ? "\n\n" : "", name);
			fputs("# threads mean stddev mem_end_mib mem_peak_mib failures_per_s p50_ns p99_ns max_ns\n", f);
			for (j = 0; j < n; j++)
				write_row(f, pts[j], scale);
		}
		free(name);
	}
	if (fclose(f))
		nser = -errno;
out:
	json_decref(done);
	free(pts);
	return nser;
}

/*
 * Runs report/<script> in the report directory dir with gnuplot -c: the
 * values reach the script as the string variables ARG1..ARG6, data that
 * gnuplot never parses as commands, and the file names are ours, relative
 * to dir (so none starts with '<' or '|', which gnuplot would run).
 */
static int gnuplot(const char *dir, const char *script, const char *data,
		   const char *out, const char *title, const char *ylab, int nser)
{
	char *root = realpath(abreport_root(), NULL);
	char *spath, n[16];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, err;

	if (!root) {
		fprintf(stderr, "abreport: %s: %s\n", abreport_root(), strerror(errno));
		return -ENOENT;
	}
	spath = xasprintf("%s/%s", root, script);
	snprintf(n, sizeof(n), "%d", nser);
	char *const argv[] = {
		"gnuplot", "-c", spath, (char *)data, (char *)out,
		(char *)title, (char *)ylab, n, root, NULL
	};
	posix_spawn_file_actions_init(&fa);
	err = posix_spawn_file_actions_addchdir_np(&fa, dir);
	if (!err)
		err = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	if (!err && waitpid(pid, &st, 0) == pid &&
	    (!WIFEXITED(st) || WEXITSTATUS(st)))
		err = EIO;
	if (err)
		fprintf(stderr, "abreport: gnuplot %s for %s/%s failed\n", spath,
			dir, out);
	posix_spawn_file_actions_destroy(&fa);
	free(spath);
	free(root);
	return -err;
}

struct plot_kind {
	const char *script;
	const char *suffix;
	const char *what;
	bool nmi_only;
};

static const struct plot_kind kinds[] = {
	{ "throughput.gp", "ops", "throughput vs threads (mean ± stddev)", false },
	{ "memory.gp", "mem", "memory vs threads (end solid, peak dashed)", false },
	{ "failures.gp", "fail", "allocation failures per second", true },
	{ "latency.gp", "lat", "allocation latency p50 / p99 / max", true },
};

int plots_write(const struct run *run, const struct groups *gs,
		const char *outdir, struct doc *d, size_t gi)
{
	const struct group *g = &gs->g[gi];
	const char *unit;
	double scale = group_scale(run, gs, gi, &unit);
	char *data = xasprintf("%s.dat", g->stem);
	char *path = xasprintf("%s/%s", outdir, data);
	int nser = write_data(run, gs, gi, path, scale), err = 0;
	size_t k;

	for (k = 0; nser > 0 && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		char *stem, *alt;

		if (kinds[k].nmi_only && strcmp(g->workload, "nmi_alloc"))
			continue;
		stem = xasprintf("%s-%s", g->stem, kinds[k].suffix);
		alt = xasprintf("%s: %s", g->title, kinds[k].what);
		if (gnuplot(outdir, kinds[k].script, data, stem, g->title, unit,
			    nser))
			err = -EIO;
		else
			doc_img(d, stem, alt);
		free(stem);
		free(alt);
	}
	free(data);
	free(path);
	return nser < 0 ? nser : err;
}
