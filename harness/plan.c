// SPDX-License-Identifier: GPL-2.0
/*
 * The sweep: for each workload, every combination of the values of its
 * sweep parameters and of the values given with --param K=V1,V2 (one value
 * fixes the parameter), at each thread count.
 * One point a line, "POINT_ID<TAB>ARGS", for the runners.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "workload.h"
#include "cli.h"
#include "plan.h"

/* 1, 2, 4, ... below cpus, then cpus itself. */
int plan_default_threads(int *out, int max, int cpus)
{
	int n = 0;

	for (int t = 1; t < cpus && n < max - 1; t *= 2)
		out[n++] = t;
	out[n++] = cpus;
	return n;
}

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p; ) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, name, n))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static bool fixed(char **params, int nr, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < nr; i++)
		if (!strncmp(params[i], name, n) && params[i][n] == '=')
			return true;
	return false;
}

#define MAX_VALUES	32

/* One dimension of the sweep: a parameter and the values it takes. */
struct dim {
	char name[64];
	const char *values[MAX_VALUES];
	int nr;
};

struct sweep {
	struct dim dims[MAX_PARAMS];
	int idx[MAX_PARAMS];
	int nr;
	char *strings;		/* the split --param values, freed at the end */
};

static bool sweep_next(struct sweep *s)
{
	for (int i = s->nr - 1; i >= 0; i--) {
		if (++s->idx[i] < s->dims[i].nr)
			return true;
		s->idx[i] = 0;
	}
	return false;
}

static void emit(FILE *f, const struct point *pt, const char *args)
{
	char id[1024];

	point_id(pt, id, sizeof(id));
	fprintf(f, "%s\t%s\n", id, args);
}

static const struct param_spec *takes(const struct workload *wl, const char *kv)
{
	const char *eq = strchr(kv, '=');

	for (const struct param_spec *p = wl->params; eq && p && p->name; p++)
		if (strlen(p->name) == (size_t)(eq - kv) && !strncmp(p->name, kv, (size_t)(eq - kv)))
			return p;
	return NULL;
}

/*
 * The dimensions: every --param this workload takes (K=V1,V2 sweeps the
 * listed values), then its sweep parameters that no --param fixes.
 */
static int sweep_init(struct sweep *s, const struct workload *wl, char **params,
		      int nr_params, char *err, size_t len)
{
	size_t total = 0, off = 0;

	for (int i = 0; i < nr_params; i++)
		total += strlen(params[i]) + 1;
	s->strings = malloc(total + 1);
	if (!s->strings)
		return -ENOMEM;
	for (int i = 0; i < nr_params; i++) {
		const struct param_spec *p = takes(wl, params[i]);
		struct dim *d = &s->dims[s->nr];
		char *save = NULL, *v;

		if (!p)
			continue;
		if (s->nr == MAX_PARAMS)
			goto too_many;
		snprintf(d->name, sizeof(d->name), "%s", p->name);
		strcpy(s->strings + off, strchr(params[i], '=') + 1);
		for (v = strtok_r(s->strings + off, ",", &save); v && d->nr < MAX_VALUES;
		     v = strtok_r(NULL, ",", &save))
			d->values[d->nr++] = v;
		off += strlen(params[i]) + 1;
		if (!d->nr) {
			snprintf(err, len, "parameter '%s' has no value", params[i]);
			return -EINVAL;
		}
		s->nr++;
	}
	for (const struct param_spec *p = wl->params; p && p->name; p++) {
		struct dim *d = &s->dims[s->nr];

		if (!p->sweep || p->type != PARAM_ENUM || fixed(params, nr_params, p->name))
			continue;
		if (s->nr == MAX_PARAMS)
			goto too_many;
		snprintf(d->name, sizeof(d->name), "%s", p->name);
		while (p->values[d->nr] && d->nr < MAX_VALUES) {
			d->values[d->nr] = p->values[d->nr];
			d->nr++;
		}
		s->nr++;
	}
	return 0;
too_many:
	snprintf(err, len, "plan: %s: too many parameters (at most %d)", wl->name, MAX_PARAMS);
	return -E2BIG;
}

/* All points of one workload at one thread count. */
static int plan_workload(FILE *f, const struct workload *wl, int threads,
			 char **params, int nr_params, char *err, size_t len)
{
	struct sweep s = { .nr = 0 };
	int ret = sweep_init(&s, wl, params, nr_params, err, len);

	if (ret)
		goto out;
	do {
		char args[2048], perr[ERR_LEN];
		struct point pt = { .wl = wl, .threads = threads };
		int n = snprintf(args, sizeof(args), "%s --threads %d", wl->name, threads);

		for (int i = 0; i < s.nr; i++) {
			char kv[256];
			size_t kvl = (size_t)snprintf(kv, sizeof(kv), "%s=%s", s.dims[i].name,
						      s.dims[i].values[s.idx[i]]);

			if (kvl >= sizeof(kv) || (size_t)n + kvl + 9 >= sizeof(args)) {
				snprintf(err, len, "plan: %s: parameters too long", wl->name);
				ret = -E2BIG;
				goto out;
			}
			if (point_set_param(&pt, kv, err, len)) {
				ret = -EINVAL;
				goto out;
			}
			n += snprintf(args + n, sizeof(args) - (size_t)n, " --param %s", kv);
		}
		point_fill_defaults(&pt);
		if (wl->validate && wl->validate(&pt, perr, sizeof(perr))) {
			fprintf(stderr, "plan: skipping %s --threads %d: %s\n", wl->name,
				threads, perr);
			continue;
		}
		emit(f, &pt, args);
	} while (sweep_next(&s));
out:
	free(s.strings);
	return ret;
}

int plan_print(FILE *f, const char *workloads_csv, const int *threads, int nr_threads,
	       char **params, int nr_params, char *err, size_t len)
{
	const char *sel = workloads_csv && *workloads_csv ? workloads_csv : NULL;

	for (const char *p = sel; p && *p; ) {
		const char *end = strchr(p, ',');
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
		if (!workload_find(name)) {
			snprintf(err, len, "unknown workload '%s' (see `allocbench list`)", name);
			return -ENOENT;
		}
		p = end ? end + 1 : NULL;
	}
	for (int i = 0; i < nr_params; i++) {
		const char *eq = strchr(params[i], '=');
		bool taken = false;

		for (int w = 0; eq && workloads[w]; w++) {
			if (sel && !in_list(sel, workloads[w]->name))
				continue;
			for (const struct param_spec *p = workloads[w]->params; p && p->name; p++)
				taken |= strlen(p->name) == (size_t)(eq - params[i]) &&
					 !strncmp(p->name, params[i], (size_t)(eq - params[i]));
		}
		if (!taken) {
			snprintf(err, len, "no selected workload takes parameter '%s'", params[i]);
			return -EINVAL;
		}
	}
	for (int w = 0; workloads[w]; w++) {
		if (sel && !in_list(sel, workloads[w]->name))
			continue;
		for (int t = 0; t < nr_threads; t++)
			if (plan_workload(f, workloads[w], threads[t], params, nr_params, err, len))
				return -EINVAL;
	}
	return 0;
}
