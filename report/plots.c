// SPDX-License-Identifier: GPL-2.0
/*
 * Plots: the generator writes one gnuplot data file per group (one block
 * per series, blocks separated by two blank lines, the series name as the
 * block's column header) and runs the scripts kept in report/ (*.gp), each of
 * which writes SVG and PNG. Workloads, variants and parameters, the only
 * record strings in file names, titles and series names, are names
 * (valid.c): a record with anything else never gets here. A variant has
 * one colour in every plot (and in the summary's column heads), a value
 * of a series parameter (map) one marker.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
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

/*
 * Workloads whose memory figure is not theirs: null's program allocates
 * nothing, so what its memory cgroup (or, on the host, the machine's slab
 * total) shows is the background: 0 to 0.25 MiB in one VM run, 256 KiB
 * then -148 KiB in one host run here. Deciding by the data (plot memory
 * only where it moved) would plot exactly that noise, so it is decided
 * by the workload: no memory plot, no memory column in the summary.
 */
static const char *const no_memory_figure[] = { "null" };

bool workload_has_memory(const char *workload)
{
	size_t i;

	for (i = 0; i < sizeof(no_memory_figure) / sizeof(no_memory_figure[0]); i++)
		if (!strcmp(no_memory_figure[i], workload))
			return false;
	return true;
}

/*
 * One colour a variant in every plot and table, whatever else the run
 * has: the kernel variants of kernels/variants/ have theirs (Okabe-Ito,
 * told apart with most colour-vision deficiencies); any other name gets
 * one of the rest by a hash of the name, the same in every report.
 */
static const char *const known_colours[][2] = {
	{ "bpf-ma", "#0072b2" },		/* blue */
	{ "kmalloc-rcu", "#d55e00" },		/* vermillion */
	{ "lockless-pool", "#009e73" },		/* bluish green */
	{ "qp-trie", "#cc79a7" },		/* reddish purple */
	{ "qp-trie-subtree-lock", "#e69f00" },	/* orange */
	{ "bpf-ma-6.12", "#56b4e9" },		/* sky blue */
	{ "host", "#000000" },
	{ "distro", "#7f7f7f" },
};

static const char *const other_colours[] = {
	"#9400d3", "#8c564b", "#a6a600", "#17becf", "#e31a1c", "#6a3d9a",
	"#b15928", "#2f4f4f",
};

const char *variant_colour(const char *variant)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	const char *c;
	size_t i;

	for (i = 0; i < sizeof(known_colours) / sizeof(known_colours[0]); i++)
		if (!strcmp(known_colours[i][0], variant))
			return known_colours[i][1];
	for (c = variant; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	return other_colours[h % (sizeof(other_colours) / sizeof(other_colours[0]))];
}

/* gnuplot point types: filled circle, square, triangle, diamond, ... */
static const int markers[] = { 7, 5, 9, 13, 11, 15 };

/*
 * The marker of a series: by the rank of its series parameter's value
 * among the values the run's points of the workload have, first seen
 * first (noprealloc before prealloc in a default sweep).
 */
static int series_marker(const struct run *run, const struct point *p)
{
	json_t *seen = json_array(), *v, *s;
	const char *k;
	size_t i, j, rank = 0;

	json_object_foreach(p->params, k, v) {
		if (!is_series_param(p->workload, k))
			continue;
		for (i = 0; i < run->npts; i++) {
			json_t *o = json_object_get(run->pts[i].params, k);

			if (strcmp(run->pts[i].workload, p->workload) || !o)
				continue;
			json_array_foreach(seen, j, s)
				if (json_equal(s, o))
					break;
			if (j == json_array_size(seen))
				json_array_append(seen, o);
		}
		json_array_foreach(seen, j, s)
			if (json_equal(s, v))
				rank = j;
		break;
	}
	json_decref(seen);
	return markers[rank % (sizeof(markers) / sizeof(markers[0]))];
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

/* "a" + " " + "b", freeing a. */
static char *append_word(char *a, const char *b)
{
	char *s = xasprintf("%s%s%s", a, *a ? " " : "", b);

	free(a);
	return s;
}

/*
 * Writes the data file; returns the number of series (0: nothing ok).
 * The series' colours and markers, one word a series, go to *cols and
 * *marks for the scripts.
 */
static int write_data(const struct run *run, const struct groups *gs,
		      size_t gi, const char *path, double scale,
		      char **cols, char **marks)
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
			char mark[16];

			json_object_set_new(done, name, json_true());
			snprintf(mark, sizeof(mark), "%d", series_marker(run, p));
			*cols = append_word(*cols, variant_colour(p->variant));
			*marks = append_word(*marks, mark);
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

/* What a plot script is given besides its data file and output. */
struct plot_args {
	const char *title;
	const char *ylab;
	int nser;
	const char *cols;	/* "#rrggbb" a series, space separated */
	const char *marks;	/* gnuplot point type a series */
};

/*
 * Runs report/<script> in the report directory dir with gnuplot -c: the
 * values reach the script as the string variables ARG1..ARG8, data that
 * gnuplot never parses as commands, and the file names are ours, relative
 * to dir (so none starts with '<' or '|', which gnuplot would run).
 */
static int gnuplot(const char *dir, const char *script, const char *data,
		   const char *out, const struct plot_args *a)
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
	snprintf(n, sizeof(n), "%d", a->nser);
	char *const argv[] = {
		"gnuplot", "-c", spath, (char *)data, (char *)out,
		(char *)a->title, (char *)a->ylab, n, root, (char *)a->cols,
		(char *)a->marks, NULL
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
	bool memory;
};

static const struct plot_kind kinds[] = {
	{ "throughput.gp", "ops", "throughput vs threads (mean ± stddev)", false, false },
	{ "memory.gp", "mem", "memory vs threads (end solid, peak dashed)", false, true },
	{ "failures.gp", "fail", "allocation failures per second", true, false },
	{ "latency.gp", "lat", "allocation latency p50 / p99 / max", true, false },
};

int plots_write(const struct run *run, const struct groups *gs,
		const char *outdir, struct doc *d, size_t gi)
{
	const struct group *g = &gs->g[gi];
	struct plot_args a = { .title = g->title };
	double scale = group_scale(run, gs, gi, &a.ylab);
	char *data = xasprintf("%s.dat", g->stem);
	char *path = xasprintf("%s/%s", outdir, data);
	char *cols = xstrdup(""), *marks = xstrdup("");
	int nser = write_data(run, gs, gi, path, scale, &cols, &marks), err = 0;
	size_t k;

	a.nser = nser;
	a.cols = cols;
	a.marks = marks;
	if (nser > 0)
		doc_div_begin(d, "plots");
	for (k = 0; nser > 0 && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		char *stem, *alt;

		if (kinds[k].nmi_only && strcmp(g->workload, "nmi_alloc"))
			continue;
		if (kinds[k].memory && !workload_has_memory(g->workload))
			continue;
		stem = xasprintf("%s-%s", g->stem, kinds[k].suffix);
		alt = xasprintf("%s: %s", g->title, kinds[k].what);
		if (gnuplot(outdir, kinds[k].script, data, stem, &a))
			err = -EIO;
		else
			doc_img(d, stem, alt);
		free(stem);
		free(alt);
	}
	if (nser > 0)
		doc_div_end(d);
	free(cols);
	free(marks);
	free(data);
	free(path);
	return nser < 0 ? nser : err;
}
