// SPDX-License-Identifier: GPL-2.0
/*
 * check-records: check the records a VM run left in RUN_DIR/results.jsonl
 * against the plan it ran.
 *
 *   check-records RUN_DIR PLAN --variant NAME [--unsupported SUBSTR]...
 *                 [--failed-first SUBSTR [--all-failed]]
 *
 * The last record of a point counts (as `allocbench results append` keeps
 * it). Every plan point must have one: schema 1, the run's run_id, target
 * "vm", the variant, accel kvm or tcg, a kernel_release, mem_bytes with
 * peak/end/source. By default each status must be ok (with samples and
 * ops_per_sec.mean > 0) or unsupported (with a reason); points whose id
 * contains an --unsupported SUBSTR must be unsupported. With
 * --failed-first the first point must be failed with a reason that
 * contains SUBSTR, and with --all-failed every other point must be failed
 * with a reason too (the negative tests).
 * Prints one line per problem; exit 0 if none, 1 otherwise, 2 on misuse.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#define MAX_SUBSTR 16

struct opts {
	const char *run_dir;
	const char *plan;
	const char *variant;
	const char *failed_first;
	int all_failed;
	const char *unsupported[MAX_SUBSTR];
	int nr_unsupported;
};

static int problems;

static void problem(const char *point, const char *fmt, const char *arg)
{
	printf("check-records: %s: ", point);
	printf(fmt, arg);
	putchar('\n');
	problems++;
}

static int usage(const char *msg)
{
	fprintf(stderr, "check-records: %s (usage: check-records RUN_DIR PLAN "
		"--variant NAME [--unsupported SUBSTR]... [--failed-first SUBSTR "
		"[--all-failed]])\n",
		msg);
	return -EINVAL;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	int i, pos = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--all-failed")) {
			o->all_failed = 1;
		} else if (!strncmp(a, "--", 2)) {
			if (i + 1 >= argc)
				return usage("option without a value");
			if (!strcmp(a, "--variant"))
				o->variant = argv[++i];
			else if (!strcmp(a, "--failed-first"))
				o->failed_first = argv[++i];
			else if (!strcmp(a, "--unsupported") &&
				 o->nr_unsupported < MAX_SUBSTR)
				o->unsupported[o->nr_unsupported++] = argv[++i];
			else
				return usage("unknown option");
		} else if (pos == 0) {
			o->run_dir = a;
			pos++;
		} else if (pos == 1) {
			o->plan = a;
			pos++;
		} else {
			return usage("too many arguments");
		}
	}
	if (!o->run_dir || !o->plan || !o->variant)
		return usage("RUN_DIR, PLAN and --variant are required");
	return 0;
}

/* Load RUN_DIR/results.jsonl into an object: point -> last record. */
static int load_records(const char *run_dir, json_t *by_point)
{
	char path[4096], line[1 << 16];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/results.jsonl", run_dir);
	f = fopen(path, "r");
	if (!f) {
		problem(path, "%s", strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		json_error_t err;
		json_t *rec = json_loads(line, 0, &err);
		const char *point;

		n++;
		point = rec ? json_string_value(json_object_get(rec, "point")) : NULL;
		if (!point)
			problem(path, "line is not a record with a point: %s", err.text);
		else
			json_object_set(by_point, point, rec);
		json_decref(rec);
	}
	fclose(f);
	return n;
}

static const char *str_field(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

static int contains_any(const char *s, const char *const *subs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strstr(s, subs[i]))
			return 1;
	return 0;
}

static void check_context(const char *id, json_t *rec, const struct opts *o,
			  const char *run_id)
{
	const char *s;
	json_t *mem;

	if (json_integer_value(json_object_get(rec, "schema")) != 1)
		problem(id, "%s", "schema is not 1");
	s = str_field(rec, "run_id");
	if (!s || strcmp(s, run_id))
		problem(id, "run_id is not %s", run_id);
	s = str_field(rec, "target");
	if (!s || strcmp(s, "vm"))
		problem(id, "%s", "target is not \"vm\"");
	s = str_field(rec, "variant");
	if (!s || strcmp(s, o->variant))
		problem(id, "variant is not %s", o->variant);
	s = str_field(rec, "accel");
	if (!s || (strcmp(s, "kvm") && strcmp(s, "tcg")))
		problem(id, "%s", "accel is neither kvm nor tcg");
	s = str_field(rec, "kernel_release");
	if (!s || !*s)
		problem(id, "%s", "no kernel_release");
	mem = json_object_get(rec, "mem_bytes");
	if (!json_is_number(json_object_get(mem, "peak")) ||
	    !json_is_number(json_object_get(mem, "end")) ||
	    !json_is_string(json_object_get(mem, "source")))
		problem(id, "%s", "mem_bytes lacks peak/end/source");
}

static void check_status(const char *id, json_t *rec, const struct opts *o,
			 int first)
{
	const char *status = str_field(rec, "status");
	const char *reason = str_field(rec, "reason");
	json_t *ops = json_object_get(rec, "ops_per_sec");

	if (!status) {
		problem(id, "%s", "no status");
		return;
	}
	if (o->failed_first && (first || o->all_failed)) {
		if (strcmp(status, "failed") || !reason || !*reason)
			problem(id, "status %s, want failed with a reason", status);
		else if (first && !strstr(reason, o->failed_first))
			problem(id, "reason does not name the crash: %s", reason);
		return;
	}
	if (contains_any(id, o->unsupported, o->nr_unsupported)) {
		if (strcmp(status, "unsupported"))
			problem(id, "status %s, want unsupported", status);
	} else if (strcmp(status, "ok") && strcmp(status, "unsupported")) {
		problem(id, "not ok/unsupported: %s", reason ? reason : status);
		return;
	}
	if (!strcmp(status, "unsupported") && (!reason || !*reason))
		problem(id, "%s", "unsupported without a reason");
	if (!strcmp(status, "ok") &&
	    (json_array_size(json_object_get(rec, "samples")) == 0 ||
	     json_number_value(json_object_get(ops, "mean")) <= 0))
		problem(id, "%s", "ok but no samples or ops_per_sec.mean <= 0");
}

/* Walk the plan; every point must have a good record. */
static int check_plan(const struct opts *o, json_t *by_point, const char *run_id)
{
	char line[4096];
	int n = 0;
	FILE *f = fopen(o->plan, "r");

	if (!f) {
		problem(o->plan, "%s", strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		json_t *rec;

		if (!tab || line[0] == '#')
			continue;
		*tab = '\0';
		rec = json_object_get(by_point, line);
		if (!rec) {
			problem(line, "%s", "no record");
		} else {
			check_context(line, rec, o, run_id);
			check_status(line, rec, o, n == 0);
		}
		n++;
	}
	fclose(f);
	if (n == 0)
		problem(o->plan, "%s", "plan has no points");
	return n;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	json_t *by_point;
	char *dir_copy;
	int nrec, npoints;

	if (parse_args(argc, argv, &o))
		return 2;
	by_point = json_object();
	dir_copy = strdup(o.run_dir);
	nrec = load_records(o.run_dir, by_point);
	npoints = check_plan(&o, by_point, basename(dir_copy));
	printf("check-records: %s: %d records, %d plan points, %d problems\n",
	       o.run_dir, nrec < 0 ? 0 : nrec, npoints < 0 ? 0 : npoints,
	       problems);
	free(dir_copy);
	json_decref(by_point);
	return problems ? 1 : 0;
}
