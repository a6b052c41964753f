// SPDX-License-Identifier: GPL-2.0
/* Loading a run directory: meta.json and results.jsonl (schema 1). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abreport.h"

const char *json_str(json_t *obj, const char *key, const char *def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : def;
}

double json_num(json_t *obj, const char *key, double def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : def;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *value_text(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Canonical forms of a params object: sorted JSON and "k=v,k=v". */
int params_key(json_t *params, char **key, char **label)
{
	size_t n = json_object_size(params), i = 0, len = 1;
	const char **keys = xcalloc(n, sizeof(*keys));
	const char *k;
	json_t *v;
	char *out;

	*key = json_dumps(params, JSON_SORT_KEYS | JSON_COMPACT);
	if (!*key)
		return -ENOMEM;
	json_object_foreach(params, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++) {
		char *t = value_text(json_object_get(params, keys[i]));

		len += strlen(keys[i]) + strlen(t ? t : "") + 2;
		free(t);
	}
	out = xcalloc(1, len);
	for (i = 0; i < n; i++) {
		char *t = value_text(json_object_get(params, keys[i]));

		if (i)
			strcat(out, ",");
		strcat(out, keys[i]);
		strcat(out, "=");
		strcat(out, t ? t : "");
		free(t);
	}
	free(keys);
	*label = out;
	return 0;
}

static void point_samples(struct point *p)
{
	json_t *s = json_object_get(p->rec, "samples");
	json_t *ops = json_object_get(p->rec, "ops_per_sec");
	size_t i, n = json_is_array(s) ? json_array_size(s) : 0;

	p->samples = xcalloc(n, sizeof(double));
	for (i = 0; i < n; i++) {
		json_t *v = json_array_get(s, i);

		if (json_is_number(v))
			p->samples[p->nsamples++] = json_number_value(v);
	}
	if (p->nsamples) {
		stats_mean_sd(p->samples, p->nsamples, &p->mean, &p->stddev);
		return;
	}
	p->mean = json_num(ops, "mean", NAN);
	p->stddev = json_num(ops, "stddev", NAN);
}

static int point_init(struct point *p, json_t *rec)
{
	json_t *mem = json_object_get(rec, "mem_bytes");
	int err;

	p->rec = rec;
	p->variant = json_str(rec, "variant", "?");
	p->workload = json_str(rec, "workload", "?");
	p->status = json_str(rec, "status", "failed");
	p->reason = json_str(rec, "reason", "");
	p->accel = json_str(rec, "accel", "");
	p->params = json_object_get(rec, "params");
	if (!json_is_object(p->params)) {
		p->params = json_object();
		json_object_set_new(rec, "params", p->params);
	}
	p->threads = (int)json_num(rec, "threads", 0);
	p->cpus = (int)json_num(rec, "cpus", 0);
	p->mem_peak = json_num(mem, "peak", -1);
	p->mem_end = json_num(mem, "end", -1);
	p->mem_idle = json_num(mem, "idle", -1);
	point_samples(p);
	/*
	 * The record's "point" is the point's id as the harness wrote it
	 * (params in the workload's declaration order), the one `allocbench
	 * results has` and RESUME match byte for byte: every output names a
	 * point by it. A record without one (valid.c takes none today) gets
	 * workload/k=v,... (sorted)/tN.
	 */
	err = params_key(p->params, &p->pkey, &p->plabel);
	if (!err && !json_is_string(json_object_get(rec, "point")))
		json_object_set_new(rec, "point", json_sprintf("%s/%s/t%d",
				    p->workload, p->plabel, p->threads));
	return err;
}

/* A JSON file of at most AB_MAX_JSON bytes; NULL with err set if not. */
json_t *json_load_capped(const char *path, json_error_t *err)
{
	struct stat st;

	memset(err, 0, sizeof(*err));
	if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size > AB_MAX_JSON) {
		snprintf(err->text, sizeof(err->text), "%s",
			 access(path, F_OK) ? "no such file" :
			 "not a regular file of at most 16 MiB");
		return NULL;
	}
	return json_load_file(path, 0, err);
}

static int load_meta(struct run *run)
{
	char *path = xasprintf("%s/meta.json", run->dir);
	json_error_t err;

	run->meta = json_load_capped(path, &err);
	if (!run->meta && access(path, F_OK) == 0) {
		ascii_clean(err.text);
		fprintf(stderr, "abreport: %s:%d: %s (ignored)\n", path,
			err.line, err.text);
	}
	if (!json_is_object(run->meta)) {
		json_decref(run->meta);
		run->meta = json_object();
	}
	json_clean(run->meta);
	free(path);
	return 0;
}

static void add_record(struct run *run, json_t *rec)
{
	int schema = (int)json_num(rec, "schema", -1);

	if (!run->npts && !run->schema)
		run->schema = schema;
	else if (run->schema != schema)
		run->schema = -1;
	json_array_append_new(run->records, rec);
	run->npts++;
}

/*
 * The next line of f into buf (at most size bytes kept, the rest read and
 * dropped): 1 and its length in *len, 0 at the end of the file.
 */
static int next_line(FILE *f, char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (n < size)
			buf[n] = (char)c;
		n++;
	}
	*len = n;
	return c != EOF || n;
}

/* Only spaces, tabs and carriage returns (a line longer than kept is not). */
static bool blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < AB_MAX_LINE; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return n <= AB_MAX_LINE;
}

/* A skipped line: one warning on stderr, one note for the report. */
static void skip_line(struct run *run, const char *path, size_t lineno,
		      const char *why)
{
	fprintf(stderr, "abreport: %s:%zu: skipped: %s\n", path, lineno, why);
	if (!run->skips)
		run->skips = json_array();
	json_array_append_new(run->skips,
			      json_sprintf("line %zu: %s", lineno, why));
	run->bad_lines++;
}

/* A record from one line, or NULL and why in why (len bytes). */
static json_t *parse_line(const char *buf, size_t n, char *why, size_t len)
{
	json_error_t err;
	json_t *rec;
	const char *bad;

	if (n > AB_MAX_LINE) {
		snprintf(why, len, "longer than %d bytes", AB_MAX_LINE);
		return NULL;
	}
	rec = json_loadb(buf, n, 0, &err);
	if (!rec) {
		ascii_clean(err.text);
		snprintf(why, len, "not JSON: %s", err.text);
		return NULL;
	}
	bad = json_is_object(rec) ? record_why(rec) : "not a JSON object";
	if (bad) {
		snprintf(why, len, "%s", bad);
		json_decref(rec);
		return NULL;
	}
	json_clean(rec);
	return rec;
}

static int load_records(struct run *run, FILE *f, const char *path)
{
	char *buf = xcalloc(AB_MAX_LINE, 1), why[256];
	size_t n, lineno = 0;

	while (next_line(f, buf, AB_MAX_LINE, &n)) {
		json_t *rec;

		lineno++;
		if (blank(buf, n))
			continue;
		rec = parse_line(buf, n, why, sizeof(why));
		if (rec)
			add_record(run, rec);
		else
			skip_line(run, path, lineno, why);
	}
	free(buf);
	return 0;
}

static void point_release(struct point *p)
{
	free(p->samples);
	free(p->pkey);
	free(p->plabel);
	free(p->mem_peak_s);
	free(p->mem_idle_s);
}

/*
 * A point with several records (a resumed run, a VM point that printed
 * its record and then a WARNING) is its last record; the others stay in
 * the file and are only counted.
 */
static void drop_superseded(struct run *run)
{
	size_t i, j, n = 0;

	for (i = 0; i < run->npts; i++) {
		for (j = i + 1; j < run->npts; j++)
			if (point_same(&run->pts[i], &run->pts[j], true))
				break;
		if (j < run->npts) {
			point_release(&run->pts[i]);
			run->superseded++;
			continue;
		}
		run->pts[n++] = run->pts[i];
	}
	run->npts = n;
}

int run_load(const char *dir, struct run *run)
{
	char *path;
	const char *slash;
	FILE *f;
	size_t i;
	int err;

	memset(run, 0, sizeof(*run));
	run->dir = xstrdup(dir);
	while (strlen(run->dir) > 1 && run->dir[strlen(run->dir) - 1] == '/')
		run->dir[strlen(run->dir) - 1] = '\0';
	slash = strrchr(run->dir, '/');
	run->id = xstrdup(slash ? slash + 1 : run->dir);
	run->records = json_array();
	path = xasprintf("%s/results.jsonl", run->dir);
	f = fopen(path, "r");
	if (!f) {
		err = -errno;
		free(path);
		return err;
	}
	load_meta(run);
	if (valid_name(json_str(run->meta, "run_id", NULL))) {
		free(run->id);
		run->id = xstrdup(json_str(run->meta, "run_id", NULL));
	}
	load_records(run, f, path);
	fclose(f);
	free(path);
	if (!run->npts)
		run->schema = json_is_integer(json_object_get(run->meta, "schema")) ?
			(int)json_integer_value(json_object_get(run->meta, "schema")) : AB_SCHEMA;
	run->pts = xcalloc(run->npts, sizeof(*run->pts));
	for (i = 0; i < run->npts; i++) {
		err = point_init(&run->pts[i], json_array_get(run->records, i));
		if (err)
			return err;
	}
	drop_superseded(run);
	return 0;
}

void run_free(struct run *run)
{
	size_t i;

	for (i = 0; i < run->npts; i++)
		point_release(&run->pts[i]);
	free(run->pts);
	json_decref(run->records);
	json_decref(run->meta);
	json_decref(run->skips);
	free(run->dir);
	free(run->id);
	memset(run, 0, sizeof(*run));
}

/* The run's accelerator: meta.json first, else the first record's. */
const char *run_accel(const struct run *run)
{
	const char *a = json_str(run->meta, "accel", NULL);

	if (a)
		return a;
	return run->npts ? run->pts[0].accel : "";
}
