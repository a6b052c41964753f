// SPDX-License-Identifier: GPL-2.0
/* The context block of a report: where and on what the run happened. */
#include <stdlib.h>
#include <string.h>

#include "context.h"

/* Distinct values of a record field (string or number), joined by ", ". */
static char *distinct(const struct run *run, const char *variant,
		      json_t *(*get)(json_t *rec, const char *key),
		      const char *key)
{
	json_t *seen = json_object();
	char *out = xstrdup("");
	size_t i;

	for (i = 0; i < run->npts; i++) {
		json_t *v = get(run->pts[i].rec, key);
		char *s, *n;

		if (!v || (variant && strcmp(run->pts[i].variant, variant)))
			continue;
		s = json_is_string(v) ? xstrdup(json_string_value(v)) :
			json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (s && !json_object_get(seen, s)) {
			json_object_set_new(seen, s, json_true());
			n = xasprintf("%s%s%s", out, *out ? ", " : "", s);
			free(out);
			out = n;
		}
		free(s);
	}
	json_decref(seen);
	return out;
}

static json_t *get_top(json_t *rec, const char *key)
{
	return json_object_get(rec, key);
}

static json_t *get_ctx(json_t *rec, const char *key)
{
	return json_object_get(json_object_get(rec, "context"), key);
}

/* meta.json's value if it has one, else the records' distinct values. */
static void row_meta(struct doc *d, const struct run *run, const char *label,
		     const char *key)
{
	json_t *v = json_object_get(run->meta, key);
	char *s;

	if (json_is_string(v)) {
		doc_row(d, label, json_string_value(v));
		return;
	}
	s = distinct(run, NULL, get_top, key);
	doc_row(d, label, *s ? s : "unknown");
	free(s);
}

static void row_records(struct doc *d, const struct run *run, const char *label,
			json_t *(*get)(json_t *, const char *), const char *key)
{
	char *s = distinct(run, NULL, get, key);

	if (*s)
		doc_row(d, label, s);
	free(s);
}

/* A long hex string (a sha256) cut to 12 digits; others as they are. */
static char *short_hash(const char *s)
{
	size_t n = strlen(s);

	if (n > 16 && strspn(s, "0123456789abcdef") == n)
		return xasprintf("%.12s", s);
	return xstrdup(s);
}

/* An array as "N: a, b, c" (objects by their "file" where they have one). */
static char *list_text(json_t *arr)
{
	char *out = xasprintf("%zu", json_array_size(arr));
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		const char *file = json_str(v, "file", NULL);
		char *s = json_is_string(v) ? xstrdup(json_string_value(v)) :
			file ? xstrdup(file) :
			json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		char *n = xasprintf("%s%s%s", out, i ? ", " : ": ", s ? s : "");

		free(s);
		free(out);
		out = n;
	}
	return out;
}

/* Every scalar (and list of scalars) of obj as k=v, space separated. */
static char *scalars(json_t *obj)
{
	char *out = xstrdup("");
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		char *s, *n;

		if (json_is_object(v))
			continue;
		if (json_is_array(v))
			s = list_text(v);
		else if (json_is_string(v))
			s = short_hash(json_string_value(v));
		else
			s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		n = xasprintf("%s%s%s=%s", out, *out ? " " : "", k, s ? s : "");
		free(out);
		free(s);
		out = n;
	}
	return out;
}

/* meta.json: "variants": {name: build.json}, or "variant.<name>". */
static json_t *variant_build(const struct run *run, const char *variant)
{
	json_t *build = json_object_get(json_object_get(run->meta, "variants"),
					variant);
	char *key;

	if (build)
		return build;
	key = xasprintf("variant.%s", variant);
	build = json_object_get(run->meta, key);
	free(key);
	return build;
}

static void row_variant(struct doc *d, const struct run *run,
			const char *variant)
{
	char *rel = distinct(run, variant, get_top, "kernel_release");
	char *b = scalars(variant_build(run, variant));
	char *label = xasprintf("kernel %s", variant);
	char *text = xasprintf("%s%s%s", *rel ? rel : "release unknown",
			       *b ? "; " : "", b);

	doc_row(d, label, text);
	free(rel);
	free(b);
	free(label);
	free(text);
}

static void row_counts(struct doc *d, const struct run *run)
{
	size_t i, ok = 0, uns = 0, fail = 0;
	char s[256], skipped[96] = "";

	for (i = 0; i < run->npts; i++) {
		const char *st = run->pts[i].status;

		if (!strcmp(st, "ok"))
			ok++;
		else if (!strcmp(st, "unsupported"))
			uns++;
		else
			fail++;
	}
	if (run->bad_lines)
		snprintf(skipped, sizeof(skipped),
			 "; %zu lines of results.jsonl skipped (see the end)",
			 run->bad_lines);
	snprintf(s, sizeof(s), "%zu (ok %zu, unsupported %zu, failed %zu)%s%s",
		 run->npts, ok, uns, fail,
		 run->superseded ? "; earlier records of re-run points ignored" : "",
		 skipped);
	doc_row(d, "points", s);
}

/*
 * vm-run puts overcommit=RATIO (e.g. 36x) in the context of every record of
 * a guest with more vCPUs than the host has CPUs: its vCPUs took turns on
 * the host's, lock holders were preempted, so its figures say what works,
 * not how fast. Says so above the context table.
 */
static void overcommit_note(struct doc *d, const struct run *run)
{
	char *r = distinct(run, NULL, get_ctx, "overcommit");
	char *text;

	if (*r) {
		text = xasprintf("Functional only: the guest's vCPUs overcommitted "
				 "the host's CPUs (overcommit %s), so throughput, "
				 "latency and memory figures show what ran, not how "
				 "fast; do not compare them.", r);
		doc_p(d, text);
		free(text);
	}
	free(r);
}

/* TCG anywhere: meta.json's accel (or its overcommit's), or a record's. */
static bool run_tcg(const struct run *run)
{
	size_t i;

	if (!strcmp(json_str(run->meta, "accel", ""), "tcg") ||
	    !strcmp(json_str(json_object_get(run->meta, "overcommit"), "accel", ""),
		    "tcg"))
		return true;
	for (i = 0; i < run->npts; i++)
		if (!strcmp(run->pts[i].accel, "tcg"))
			return true;
	return false;
}

/*
 * Above everything: what the figures can be used for. Under TCG qemu
 * translates every guest instruction, so ops/s are many times below the
 * hardware's and not in proportion to it; what holds is which variant
 * ran, failed or used more memory, and ratios between variants measured
 * alike.
 */
void context_notes(struct doc *d, const struct run *run)
{
	if (run_tcg(run))
		doc_banner(d, "tcg", "TCG: functional and relative figures; not absolute performance");
	overcommit_note(d, run);
}

/* Folded in the HTML: the run's details and every kernel's build. */
void context_write(struct doc *d, const struct run *run)
{
	size_t i, j;

	doc_h(d, 2, "Context");
	doc_details_begin(d, "Run, host and kernel builds");
	doc_table_begin(d, "what", "value");
	doc_row(d, "run", run->id);
	row_meta(d, run, "target", "target");
	row_meta(d, run, "date (UTC)", "started_at");
	row_meta(d, run, "suite version", "suite_sha");
	doc_row(d, "accel", *run_accel(run) ? run_accel(run) : "unknown");
	row_records(d, run, "CPUs seen by the workloads", get_top, "cpus");
	row_records(d, run, "vCPUs", get_ctx, "vcpus");
	row_records(d, run, "vCPUs per host CPU (overcommit)", get_ctx, "overcommit");
	row_records(d, run, "guest memory (MB)", get_ctx, "mem_mb");
	row_meta(d, run, "host CPU", "host_cpu");
	for (i = 0; i < run->npts; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(run->pts[j].variant, run->pts[i].variant))
				break;
		if (j == i)
			row_variant(d, run, run->pts[i].variant);
	}
	row_counts(d, run);
	doc_table_end(d);
	doc_details_end(d);
}

/* Per workload: the parameters that stay fixed and those that vary. */
void context_params(struct doc *d, const struct run *run, const char *w)
{
	json_t *keys = json_object();
	char *fixed = xstrdup(""), *vary = xstrdup(""), *n, *text;
	const char *k;
	json_t *v;
	size_t i;

	for (i = 0; i < run->npts; i++)
		if (!strcmp(run->pts[i].workload, w))
			json_object_update_missing(keys, run->pts[i].params);
	json_object_foreach(keys, k, v) {
		char *vals = json_is_string(v) ? xstrdup(json_string_value(v)) :
			json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		if (param_varies(run, w, k)) {
			n = xasprintf("%s%s%s", vary, *vary ? ", " : "", k);
			free(vary);
			vary = n;
		} else {
			n = xasprintf("%s%s%s=%s", fixed, *fixed ? " " : "", k,
				      vals ? vals : "");
			free(fixed);
			fixed = n;
		}
		free(vals);
	}
	text = xasprintf("Parameters: %s%s; varied: %s.", *fixed ? "fixed " : "",
			 *fixed ? fixed : "none fixed", *vary ? vary : "none");
	doc_p(d, text);
	free(text);
	free(fixed);
	free(vary);
	json_decref(keys);
}
