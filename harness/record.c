// SPDX-License-Identifier: GPL-2.0
/*
 * The result record, schema 1 (docs/interfaces.md): a point's struct result
 * rendered with jansson, printed, and checked before the store takes it.
 */
#include <errno.h>
#include <string.h>
#include "cli.h"
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

static json_t *counts_json(const struct result_counts *c)
{
	json_t *o = json_object();

	for (int i = 0; i < c->nr; i++)
		json_object_set_new(o, c->c[i].name, json_integer(c->c[i].value));
	return o;
}

static json_t *ops_json(const struct result *r)
{
	json_t *o = json_object();
	struct summary s;

	stats_summary(r->samples, r->nr_samples, &s);
	json_object_set_new(o, "mean", json_real(s.mean));
	json_object_set_new(o, "stddev", json_real(s.stddev));
	return o;
}

static json_t *mem_json(const struct result_mem *m)
{
	json_t *o = json_object();

	json_object_set_new(o, "peak", json_integer(m->peak));
	json_object_set_new(o, "end", json_integer(m->end));
	if (m->kernel_end >= 0)
		json_object_set_new(o, "kernel_end", json_integer(m->kernel_end));
	json_object_set_new(o, "source", json_string(m->source));
	if (m->idle >= 0)
		json_object_set_new(o, "idle", json_integer(m->idle));
	return o;
}

static json_t *pressure_json(const struct result_pressure *p)
{
	json_t *o = json_object(), *vm;

	json_object_set_new(o, "mode", json_string(p->mode));
	if (!p->applied)
		return o;
	vm = json_object();
	for (int i = 0; i < p->nr_vmstat; i++)
		json_object_set_new(vm, p->vmstat[i].name, json_integer(p->vmstat[i].value));
	json_object_set_new(o, "floor_mb", json_integer(p->floor_mb));
	json_object_set_new(o, "ramp_ms", json_integer(p->ramp_ms));
	json_object_set_new(o, "min_free_kb", json_integer(p->min_free_kb));
	json_object_set_new(o, "min_available_kb", json_integer(p->min_available_kb));
	json_object_set_new(o, "vmstat", vm);
	json_object_set_new(o, "fio", json_boolean(p->fio));
	if (p->fio_note)
		json_object_set_new(o, "fio_note", json_string(p->fio_note));
	return o;
}

json_t *result_to_json(const struct result *r)
{
	const struct point *pt = r->pt;
	const struct run_opts *ro = r->ro;
	char rel[256], model[256], id[1024];
	json_t *o = json_object(), *samples = json_array();

	sys_kernel_release(rel, sizeof(rel));
	sys_cpu_model(model, sizeof(model));
	point_id(pt, id, sizeof(id));
	for (size_t i = 0; i < r->nr_samples; i++)
		json_array_append_new(samples, json_real(r->samples[i]));

	json_object_set_new(o, "schema", json_integer(RECORD_SCHEMA));
	json_object_set_new(o, "run_id", json_string(ro->run_id ? ro->run_id : "adhoc"));
	json_object_set_new(o, "point", json_string(id));
	json_object_set_new(o, "target", json_string(ro->target ? ro->target : "host"));
	json_object_set_new(o, "variant", json_string(ro->variant ? ro->variant : "host"));
	json_object_set_new(o, "kernel_release", json_string(rel));
	json_object_set_new(o, "accel", json_string(ro->accel ? ro->accel : "none"));
	json_object_set_new(o, "cpus", json_integer(sys_online_cpus()));
	json_object_set_new(o, "host_cpu", json_string(model));
	json_object_set_new(o, "suite_sha", json_string(SUITE_SHA));
	json_object_set_new(o, "workload", json_string(pt->wl->name));
	json_object_set_new(o, "params", params_json(pt));
	json_object_set_new(o, "threads", json_integer(pt->threads));
	json_object_set_new(o, "duration_s", json_integer(pt->duration));
	json_object_set_new(o, "warmup_s", json_integer(pt->warmup));
	json_object_set_new(o, "status", json_string(r->status));
	if (strcmp(r->status, "ok"))
		json_object_set_new(o, "reason", json_string(r->reason));
	json_object_set_new(o, "samples", samples);
	json_object_set_new(o, "ops_per_sec", ops_json(r));
	json_object_set_new(o, "mem_bytes", mem_json(&r->mem));
	json_object_set_new(o, "failures", counts_json(&r->failures));
	json_object_set_new(o, "counters", counts_json(&r->counters));
	if (r->latency.valid) {
		json_t *lat = json_object();

		json_object_set_new(lat, "p50", json_integer((json_int_t)r->latency.p50));
		json_object_set_new(lat, "p99", json_integer((json_int_t)r->latency.p99));
		json_object_set_new(lat, "max", json_integer((json_int_t)r->latency.max));
		json_object_set_new(o, "latency_ns", lat);
	}
	if (r->perf_event)
		json_object_set_new(o, "perf_event", json_string(r->perf_event));
	if (r->exec_context)
		json_object_set_new(o, "exec_context", json_string(r->exec_context));
	if (r->pressure.present)
		json_object_set_new(o, "pressure", pressure_json(&r->pressure));
	json_object_set_new(o, "context", ctx_json(ro));
	json_object_set_new(o, "started_at", json_string(r->started_at));
	return o;
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
