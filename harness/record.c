// SPDX-License-Identifier: GPL-2.0
/*
 * The result record, schema 1 (docs/interfaces.md): a point's struct result
 * rendered with jansson, printed, and checked before the store takes it.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "profile.h"
#include "record.h"
#include "stats.h"
#include "sysinfo.h"
#include "validate.h"
#include "workload.h"

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

/* Free text as a JSON string that the store will take: clean UTF-8, capped. */
static json_t *json_text(const char *s, bool multiline)
{
	char *clean = text_sanitize(s, TEXT_MAX_LEN, multiline);
	json_t *j = json_string(clean ? clean : "");

	free(clean);
	return j;
}

static json_t *ctx_json(const struct run_opts *ro)
{
	json_t *o = json_object();

	for (int i = 0; i < ro->nr_ctx; i++) {
		const char *eq = strchr(ro->ctx[i], '=');
		char key[128];

		snprintf(key, sizeof(key), "%.*s", (int)(eq - ro->ctx[i]), ro->ctx[i]);
		json_object_set_new(o, key, json_text(eq + 1, false));
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
	if (m->mean >= 0)
		json_object_set_new(o, "mean", json_integer(m->mean));
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
		json_object_set_new(o, "fio_note", json_text(p->fio_note, false));
	return o;
}

static json_t *ms_list(const double *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, v[i] < 0 ? json_null() : json_real(v[i]));
	return a;
}

static json_t *gp_json(const struct result_gp *g)
{
	json_t *o = json_object(), *rcu = json_object(), *trace = json_object();

	json_object_set_new(rcu, "before", ms_list(g->rcu_ms[0], g->nr_rcu[0]));
	json_object_set_new(rcu, "after", ms_list(g->rcu_ms[1], g->nr_rcu[1]));
	json_object_set_new(o, "rcu_ms", rcu);
	if (g->rcu_how)
		json_object_set_new(o, "rcu_how", json_string(g->rcu_how));
	if (g->trace_why[0]) {
		json_decref(trace);
		json_object_set_new(o, "rcu_tasks_trace_note", json_text(g->trace_why, false));
		return o;
	}
	json_object_set_new(trace, "before", ms_list(g->trace_ms[0], g->nr_trace[0]));
	json_object_set_new(trace, "after", ms_list(g->trace_ms[1], g->nr_trace[1]));
	json_object_set_new(o, "rcu_tasks_trace_ms", trace);
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
	json_object_set_new(o, "kernel_release", json_text(rel, false));
	json_object_set_new(o, "accel", json_string(ro->accel ? ro->accel : "none"));
	json_object_set_new(o, "cpus", json_integer(sys_online_cpus()));
	json_object_set_new(o, "host_cpu", json_text(model, false));
	json_object_set_new(o, "suite_sha", json_string(SUITE_SHA));
	json_object_set_new(o, "workload", json_string(pt->wl->name));
	json_object_set_new(o, "params", params_json(pt));
	json_object_set_new(o, "threads", json_integer(pt->threads));
	json_object_set_new(o, "duration_s", json_integer(pt->duration));
	json_object_set_new(o, "warmup_s", json_integer(pt->warmup));
	json_object_set_new(o, "status", json_string(r->status));
	if (strcmp(r->status, "ok"))
		json_object_set_new(o, "reason", json_text(r->reason, true));
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
	if (r->trigger)
		json_object_set_new(o, "trigger", json_string(r->trigger));
	if (r->pressure.present)
		json_object_set_new(o, "pressure", pressure_json(&r->pressure));
	if (r->gp.measured)
		json_object_set_new(o, "grace_periods", gp_json(&r->gp));
	if (r->profile.requested)
		json_object_set_new(o, "profile", profile_json(&r->profile));
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

static int bad(char *err, size_t len, const char *field, const char *why)
{
	snprintf(err, len, "field '%s' %s", field, why);
	return -EINVAL;
}

static bool one_of(const char *v, const char *const *ok)
{
	for (int i = 0; ok[i]; i++)
		if (!strcmp(v, ok[i]))
			return true;
	return false;
}

static bool is_int_in(json_t *v, long long lo, long long hi)
{
	return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

/*
 * Every key anywhere in the record is a name and every string is clean
 * text: a guest or a shared results directory cannot smuggle control
 * characters or markup-breaking bytes past the store.
 */
static int check_tree(json_t *v, const char *field, int depth, char *err, size_t len)
{
	const char *key;
	json_t *x;
	size_t i;

	if (depth > 4)
		return bad(err, len, field, "is nested too deeply");
	if (json_is_string(v) && !valid_text(json_string_value(v), TEXT_MAX_LEN, true))
		return bad(err, len, field, "holds a string that is too long or has control characters");
	if (json_is_real(v) && !isfinite(json_real_value(v)))
		return bad(err, len, field, "holds a number that is not finite");
	if (json_is_object(v)) {
		json_object_foreach(v, key, x) {
			if (!valid_name(key))
				return bad(err, len, field, "has a key that is not a name");
			if (check_tree(x, field, depth + 1, err, len))
				return -EINVAL;
		}
	}
	json_array_foreach(v, i, x)
		if (check_tree(x, field, depth + 1, err, len))
			return -EINVAL;
	return 0;
}

/* An object of name -> integer (failures, counters). */
static int check_counts(json_t *o, const char *field, char *err, size_t len)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
		if (!json_is_integer(v))
			return bad(err, len, field, "holds a value that is not an integer");
	return 0;
}

static int check_params(json_t *o, char *err, size_t len)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
		if (!json_is_integer(v) && !(json_is_string(v) && valid_name(json_string_value(v))))
			return bad(err, len, "params", "holds a value that is not an integer or a name");
	return 0;
}

static int check_numbers(json_t *v, const char *field, char *err, size_t len)
{
	json_t *x;
	size_t i;

	json_array_foreach(v, i, x)
		if (!json_is_number(x))
			return bad(err, len, field, "holds something that is not a number");
	return 0;
}

/* The strings that become file names, plot data and shell words. */
static int check_names(json_t *rec, char *err, size_t len)
{
	static const char *const names[] = { "run_id", "variant", "workload", NULL };
	static const char *const targets[] = { "host", "vm", NULL };
	static const char *const accels[] = { "none", "kvm", "tcg", NULL };
	static const char *const statuses[] = { "ok", "unsupported", "failed", NULL };
	const char *status = json_string_value(json_object_get(rec, "status"));
	json_t *threads = json_object_get(rec, "threads");

	for (int i = 0; names[i]; i++)
		if (!valid_name(json_string_value(json_object_get(rec, names[i]))))
			return bad(err, len, names[i], "is not a name ([A-Za-z0-9][A-Za-z0-9._+-]*, < 64)");
	if (!one_of(json_string_value(json_object_get(rec, "target")), targets))
		return bad(err, len, "target", "is not host or vm");
	if (!one_of(json_string_value(json_object_get(rec, "accel")), accels))
		return bad(err, len, "accel", "is not none, kvm or tcg");
	if (!one_of(status, statuses)) {
		snprintf(err, len, "status '%s' is not ok, unsupported or failed", status);
		return -EINVAL;
	}
	if (!is_int_in(threads, 1, MAX_THREADS))
		return bad(err, len, "threads", "is not 1..1024");
	if (!valid_point_id(json_string_value(json_object_get(rec, "point")),
			    json_string_value(json_object_get(rec, "workload")),
			    json_integer_value(threads)))
		return bad(err, len, "point", "is not workload/k=v,.../tN of this record");
	if (strcmp(status, "ok") && !json_is_string(json_object_get(rec, "reason"))) {
		snprintf(err, len, "status %s without a reason", status);
		return -EINVAL;
	}
	return 0;
}

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
	static const struct field opt[] = {
		{ "counters", JSON_OBJECT }, { "context", JSON_OBJECT },
		{ "reason", JSON_STRING }, { "latency_ns", JSON_OBJECT },
		{ "pressure", JSON_OBJECT }, { "profile", JSON_OBJECT },
	};

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
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
		json_t *v = json_object_get(rec, opt[i].name);

		if (v && json_typeof(v) != opt[i].type)
			return bad(err, len, opt[i].name, "is of the wrong type");
	}
	if (json_integer_value(json_object_get(rec, "schema")) != RECORD_SCHEMA) {
		snprintf(err, len, "schema is not %d", RECORD_SCHEMA);
		return -EINVAL;
	}
	if (check_tree(rec, "record", 0, err, len) || check_names(rec, err, len) ||
	    check_params(json_object_get(rec, "params"), err, len) ||
	    check_numbers(json_object_get(rec, "samples"), "samples", err, len) ||
	    check_counts(json_object_get(rec, "failures"), "failures", err, len) ||
	    check_counts(json_object_get(rec, "latency_ns"), "latency_ns", err, len))
		return -EINVAL;
	if (json_object_get(rec, "counters"))
		return check_counts(json_object_get(rec, "counters"), "counters", err, len);
	return 0;
}
