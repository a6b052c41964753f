// SPDX-License-Identifier: GPL-2.0
/*
 * Matching points between runs: a point is (variant, workload, params,
 * threads). Two runs cannot be compared when a workload they share was
 * run with parameters that never coincide (e.g. value_size 8 vs 64).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abreport.h"

bool point_same(const struct point *a, const struct point *b,
		bool with_variant)
{
	if (with_variant && strcmp(a->variant, b->variant))
		return false;
	return a->threads == b->threads &&
	       !strcmp(a->workload, b->workload) &&
	       !strcmp(a->pkey, b->pkey);
}

struct point *run_find(const struct run *run, const struct point *like,
		       bool with_variant)
{
	size_t i;

	for (i = 0; i < run->npts; i++)
		if (point_same(&run->pts[i], like, with_variant))
			return &run->pts[i];
	return NULL;
}

bool run_has_workload(const struct run *run, const char *w)
{
	size_t i;

	for (i = 0; i < run->npts; i++)
		if (!strcmp(run->pts[i].workload, w))
			return true;
	return false;
}

/* Does any point of workload w in run carry key k (with value v if set)? */
static bool run_has_param(const struct run *run, const char *w,
			  const char *k, json_t *v)
{
	size_t i;

	for (i = 0; i < run->npts; i++) {
		json_t *have;

		if (strcmp(run->pts[i].workload, w))
			continue;
		have = json_object_get(run->pts[i].params, k);
		if (have && (!v || json_equal(have, v)))
			return true;
	}
	return false;
}

/* Do the values run a has for (w, k) and those run b has overlap? */
static bool values_overlap(const struct run *a, const struct run *b,
			   const char *w, const char *k)
{
	size_t i;

	for (i = 0; i < a->npts; i++) {
		json_t *v;

		if (strcmp(a->pts[i].workload, w))
			continue;
		v = json_object_get(a->pts[i].params, k);
		if (v && run_has_param(b, w, k, v))
			return true;
	}
	return false;
}

static void first_value(const struct run *run, const char *w, const char *k,
			char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "absent");
	for (i = 0; i < run->npts; i++) {
		json_t *v = json_object_get(run->pts[i].params, k);
		char *s;

		if (strcmp(run->pts[i].workload, w) || !v)
			continue;
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		snprintf(buf, len, "%s", s ? s : "?");
		free(s);
		return;
	}
}

static int check_key(const struct run *a, const struct run *b,
		     const char *w, const char *k, bool a_is_base,
		     char *why, size_t len)
{
	char va[64], vb[64];

	if (values_overlap(a, b, w, k))
		return 0;
	first_value(a, w, k, va, sizeof(va));
	first_value(b, w, k, vb, sizeof(vb));
	snprintf(why, len, "%s: parameter %s differs (base %s, new %s)", w, k,
		 a_is_base ? va : vb, a_is_base ? vb : va);
	return 1;
}

/* Has (w, k) been checked already? Remembers it if not. */
static bool seen(json_t *done, const char *w, const char *k)
{
	char *id = xasprintf("%s\n%s", w, k);
	bool was = json_object_get(done, id) != NULL;

	json_object_set_new(done, id, json_true());
	free(id);
	return was;
}

/* 1 and a reason in why when a and b ran a shared workload differently. */
static int one_way(const struct run *a, const struct run *b, bool a_is_base,
		   char *why, size_t len)
{
	json_t *done = json_object();
	size_t i;
	int ret = 0;

	for (i = 0; i < a->npts && !ret; i++) {
		const struct point *p = &a->pts[i];
		const char *k;
		json_t *v;

		if (!run_has_workload(b, p->workload))
			continue;
		json_object_foreach(p->params, k, v) {
			if (seen(done, p->workload, k))
				continue;
			ret = check_key(a, b, p->workload, k, a_is_base,
					why, len);
			if (ret)
				break;
		}
	}
	json_decref(done);
	return ret;
}

int params_mismatch(const struct run *a, const struct run *b,
		    char *why, size_t len)
{
	if (one_way(a, b, true, why, len))
		return 1;
	return one_way(b, a, false, why, len);
}

/* Every key of want is in have with an equal value. */
bool params_subset(json_t *want, json_t *have)
{
	const char *k;
	json_t *v;

	json_object_foreach(want, k, v)
		if (!json_equal(v, json_object_get(have, k)))
			return false;
	return true;
}

/* failures (all errnos) / counters.attempts; NAN without attempts */
double point_failure_rate(const struct point *p)
{
	json_t *f = json_object_get(p->rec, "failures"), *v;
	double attempts = json_num(json_object_get(p->rec, "counters"), "attempts", 0), n = 0;
	const char *k;

	if (attempts <= 0)
		return NAN;
	json_object_foreach(f, k, v)
		n += json_is_number(v) ? json_number_value(v) : 0;
	return n / attempts;
}
