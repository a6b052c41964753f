// SPDX-License-Identifier: GPL-2.0
/* The result record, schema 1 (docs/interfaces.md), built with jansson. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "record.h"
#include "stats.h"
#include "sysinfo.h"

#ifndef SUITE_SHA
#define SUITE_SHA "unknown"
#endif

static json_t *params_json(const struct point *pt)
{
	json_t *o = json_object();

	for (int i = 0; i < pt->nr_params; i++) {
		const struct param_val *v = &pt->params[i];

		json_object_set_new(o, v->spec->name, v->spec->type == PARAM_INT ?
				    json_integer(v->num) : json_string(v->str));
	}
	return o;
}

static json_t *ctx_json(const struct run_opts *ro)
{
	json_t *o = json_object();

	for (int i = 0; i < ro->nr_ctx; i++) {
		const char *eq = strchr(ro->ctx[i], '=');
		char key[128];

		snprintf(key, sizeof(key), "%.*s", (int)(eq - ro->ctx[i]), ro->ctx[i]);
		json_object_set_new(o, key, json_string(eq + 1));
	}
	return o;
}

json_t *record_new(const struct point *pt, const struct run_opts *ro)
{
	char rel[256], model[256], id[1024], when[32];
	time_t now = time(NULL);
	json_t *r = json_object();

	sys_kernel_release(rel, sizeof(rel));
	sys_cpu_model(model, sizeof(model));
	point_id(pt, id, sizeof(id));
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

	json_object_set_new(r, "schema", json_integer(RECORD_SCHEMA));
	json_object_set_new(r, "run_id", json_string(ro->run_id ? ro->run_id : "adhoc"));
	json_object_set_new(r, "point", json_string(id));
	json_object_set_new(r, "target", json_string(ro->target ? ro->target : "host"));
	json_object_set_new(r, "variant", json_string(ro->variant ? ro->variant : "host"));
	json_object_set_new(r, "kernel_release", json_string(rel));
	json_object_set_new(r, "accel", json_string(ro->accel ? ro->accel : "none"));
	json_object_set_new(r, "cpus", json_integer(sys_online_cpus()));
	json_object_set_new(r, "host_cpu", json_string(model));
	json_object_set_new(r, "suite_sha", json_string(SUITE_SHA));
	json_object_set_new(r, "workload", json_string(pt->wl->name));
	json_object_set_new(r, "params", params_json(pt));
	json_object_set_new(r, "threads", json_integer(pt->threads));
	json_object_set_new(r, "duration_s", json_integer(pt->duration));
	json_object_set_new(r, "warmup_s", json_integer(pt->warmup));
	json_object_set_new(r, "status", json_string("failed"));
	json_object_set_new(r, "samples", json_array());
	record_set_samples(r, NULL, 0);
	record_set_mem(r, 0, 0, -1, "none");
	json_object_set_new(r, "failures", json_object());
	json_object_set_new(r, "counters", json_object());
	json_object_set_new(r, "context", ctx_json(ro));
	json_object_set_new(r, "started_at", json_string(when));
	return r;
}

void record_set_status(json_t *rec, const char *status, const char *reason)
{
	json_object_set_new(rec, "status", json_string(status));
	if (reason)
		json_object_set_new(rec, "reason", json_string(reason));
	else
		json_object_del(rec, "reason");
}

void record_set_samples(json_t *rec, const double *samples, size_t n)
{
	json_t *arr = json_array(), *ops = json_object();
	struct summary s;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_real(samples[i]));
	stats_summary(samples, n, &s);
	json_object_set_new(ops, "mean", json_real(s.mean));
	json_object_set_new(ops, "stddev", json_real(s.stddev));
	json_object_set_new(rec, "samples", arr);
	json_object_set_new(rec, "ops_per_sec", ops);
}

void record_set_mem(json_t *rec, long long peak, long long end, long long kernel,
		    const char *source)
{
	json_t *m = json_object();

	json_object_set_new(m, "peak", json_integer(peak));
	json_object_set_new(m, "end", json_integer(end));
	if (kernel >= 0)
		json_object_set_new(m, "kernel_end", json_integer(kernel));
	json_object_set_new(m, "source", json_string(source));
	json_object_set_new(rec, "mem_bytes", m);
}

/* group is "failures" or "counters"; counters add up. */
void record_add_counter(json_t *rec, const char *group, const char *name,
			long long value)
{
	json_t *g = json_object_get(rec, group), *old;

	if (!g) {
		g = json_object();
		json_object_set_new(rec, group, g);
	}
	old = json_object_get(g, name);
	if (old)
		value += json_integer_value(old);
	json_object_set_new(g, name, json_integer(value));
}

int record_print(json_t *rec, FILE *f)
{
	if (json_dumpf(rec, f, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)))
		return -1;
	fputc('\n', f);
	return fflush(f) ? -1 : 0;
}

struct field {
	const char *name;
	json_type type;
};

/* What every schema-1 record must hold for the store to take it. */
int record_validate(json_t *rec, char *err, size_t len)
{
	static const struct field req[] = {
		{ "schema", JSON_INTEGER }, { "run_id", JSON_STRING },
		{ "point", JSON_STRING }, { "target", JSON_STRING },
		{ "variant", JSON_STRING }, { "kernel_release", JSON_STRING },
		{ "accel", JSON_STRING }, { "cpus", JSON_INTEGER },
		{ "workload", JSON_STRING }, { "params", JSON_OBJECT },
		{ "threads", JSON_INTEGER }, { "status", JSON_STRING },
		{ "samples", JSON_ARRAY }, { "ops_per_sec", JSON_OBJECT },
		{ "mem_bytes", JSON_OBJECT }, { "failures", JSON_OBJECT },
	};
	const char *status;

	if (!json_is_object(rec)) {
		snprintf(err, len, "not a JSON object");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		json_t *v = json_object_get(rec, req[i].name);

		if (!v || json_typeof(v) != req[i].type) {
			snprintf(err, len, "field '%s' missing or of the wrong type", req[i].name);
			return -EINVAL;
		}
	}
	if (json_integer_value(json_object_get(rec, "schema")) != RECORD_SCHEMA) {
		snprintf(err, len, "schema is not %d", RECORD_SCHEMA);
		return -EINVAL;
	}
	status = json_string_value(json_object_get(rec, "status"));
	if (strcmp(status, "ok") && strcmp(status, "unsupported") && strcmp(status, "failed")) {
		snprintf(err, len, "status '%s' is not ok, unsupported or failed", status);
		return -EINVAL;
	}
	if (strcmp(status, "ok") && !json_is_string(json_object_get(rec, "reason"))) {
		snprintf(err, len, "status %s without a reason", status);
		return -EINVAL;
	}
	return 0;
}
