// SPDX-License-Identifier: GPL-2.0
/*
 * What abreport takes from a record, meta.json or a data file. Records are
 * data, never code. Names (workloads, variants, parameter keys and values)
 * and point ids become file names, plot titles and shell words: a record
 * whose names do not match the strict pattern is skipped. Free text
 * (reasons, kernel releases, CPU models) is only shown: control characters
 * are replaced when it is loaded, and every output escapes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abreport.h"

/* Keys are names, values integers or names. */
static const char *params_why(json_t *params)
{
	const char *k;
	json_t *v;

	if (!json_is_object(params))
		return "params is not an object";
	json_object_foreach(params, k, v) {
		if (!valid_name(k))
			return "a parameter key is not a name";
		if (!json_is_integer(v) &&
		    !(json_is_string(v) && valid_name(json_string_value(v))))
			return "a parameter value is not an integer or a name";
	}
	return NULL;
}

/* Keys are names, values numbers (failures, counters). */
static const char *counts_why(json_t *obj, const char *why)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v)
		if (!valid_name(k) || !json_is_number(v))
			return why;
	return NULL;
}

static const char *samples_why(json_t *samples)
{
	size_t i;
	json_t *v;

	json_array_foreach(samples, i, v)
		if (!json_is_number(v))
			return "a sample is not a number";
	return NULL;
}

/* Fields that may be absent but have this type when present. */
static const struct {
	const char *key;
	json_type type;
} typed[] = {
	{ "schema", JSON_INTEGER }, { "cpus", JSON_INTEGER },
	{ "params", JSON_OBJECT }, { "samples", JSON_ARRAY },
	{ "ops_per_sec", JSON_OBJECT }, { "mem_bytes", JSON_OBJECT },
	{ "failures", JSON_OBJECT }, { "counters", JSON_OBJECT },
	{ "latency_ns", JSON_OBJECT }, { "context", JSON_OBJECT },
	{ "pressure", JSON_OBJECT }, { "reason", JSON_STRING },
	{ "accel", JSON_STRING }, { "target", JSON_STRING },
	{ "run_id", JSON_STRING }, { "kernel_release", JSON_STRING },
	{ "host_cpu", JSON_STRING }, { "suite_sha", JSON_STRING },
	{ "started_at", JSON_STRING }, { "exec_context", JSON_STRING },
	{ "perf_event", JSON_STRING }, { "trigger", JSON_STRING },
};

static const char *names_why(json_t *rec)
{
	const char *status = json_str(rec, "status", "");
	json_t *threads = json_object_get(rec, "threads");
	json_int_t n = json_integer_value(threads);

	if (!valid_name(json_str(rec, "workload", NULL)))
		return "workload is not a name";
	if (!valid_name(json_str(rec, "variant", NULL)))
		return "variant is not a name";
	if (strcmp(status, "ok") && strcmp(status, "unsupported") &&
	    strcmp(status, "failed"))
		return "status is not ok, unsupported or failed";
	if (!json_is_integer(threads) || n < 1 || n > AB_MAX_THREADS)
		return "threads is not an integer from 1 to 1024";
	if (!valid_point_id(json_str(rec, "point", NULL),
			 json_str(rec, "workload", ""), n))
		return "point is not workload/k=v,.../tN of this record";
	return NULL;
}

/* NULL when rec is a record abreport takes, else why it is not. */
const char *record_why(json_t *rec)
{
	const char *why = names_why(rec);
	size_t i;

	for (i = 0; !why && i < sizeof(typed) / sizeof(typed[0]); i++) {
		json_t *v = json_object_get(rec, typed[i].key);

		if (v && json_typeof(v) != typed[i].type)
			why = "a field has the wrong type";
	}
	if (!why && json_object_get(rec, "params"))
		why = params_why(json_object_get(rec, "params"));
	if (!why)
		why = samples_why(json_object_get(rec, "samples"));
	if (!why)
		why = counts_why(json_object_get(rec, "failures"),
				 "failures is not name -> number");
	if (!why)
		why = counts_why(json_object_get(rec, "counters"),
				 "counters is not name -> number");
	return why;
}

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

/* Length of the C0, DEL or C1 (U+0080..U+009F) control at s, else 0. */
static size_t control_len(const unsigned char *s, const unsigned char *end)
{
	if (*s < 0x20 || *s == 0x7f)
		return 1;
	if (*s == 0xc2 && s + 1 < end && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;
	return 0;
}

/* A copy of s with whitespace controls as spaces, others as U+FFFD. */
static char *clean_copy(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char *out = xcalloc(3 * len + 1, 1), *o = out;

	while (p < end) {
		size_t n = control_len(p, end);

		if (!n) {
			*o++ = (char)*p++;
		} else if (*p == '\t' || *p == '\n' || *p == '\r') {
			*o++ = ' ';
			p++;
		} else {
			memcpy(o, replacement, 3);
			o += 3;
			p += n;
		}
	}
	return out;
}

static bool has_control(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	for (; p < end; p++)
		if (control_len(p, end))
			return true;
	return false;
}

static void clean_keys(json_t *obj)
{
	const char *k;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(obj, tmp, k, v) {
		char *c;

		if (!has_control(k, strlen(k)))
			continue;
		c = clean_copy(k, strlen(k));
		json_object_set(obj, c, v);
		json_object_del(obj, k);
		free(c);
	}
}

/*
 * Replaces control characters in every string and key under v, so that
 * nothing loaded can move a terminal's cursor or split a table row.
 * Strings that jansson parsed are valid UTF-8 without NUL.
 */
void json_clean(json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_string(v) &&
	    has_control(json_string_value(v), json_string_length(v))) {
		char *c = clean_copy(json_string_value(v), json_string_length(v));

		json_string_set(v, c);
		free(c);
	}
	if (json_is_object(v)) {
		clean_keys(v);
		json_object_foreach(v, k, x)
			json_clean(x);
	}
	json_array_foreach(v, i, x)
		json_clean(x);
}

/* In place: every byte outside printable ASCII becomes '?'. */
void ascii_clean(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
}
