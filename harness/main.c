// SPDX-License-Identifier: GPL-2.0
/*
 * allocbench: matched kernel-allocator workloads, one measurement point per
 * call, one JSON record on stdout. Exit: 0 ok/unsupported, 1 failed,
 * 2 a user mistake (one line on stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bpfutil.h"
#include "cli.h"
#include "harness.h"
#include "merge.h"
#include "plan.h"
#include "record.h"
#include "store.h"
#include "sysinfo.h"

static int usage_error(const char *msg)
{
	fprintf(stderr, "allocbench: %s\n", msg);
	return 2;
}

static void print_param(const struct param_spec *p, json_t *arr)
{
	json_t *o = json_object(), *vals = json_array();

	if (p->type == PARAM_ENUM)
		for (int i = 0; p->values[i]; i++)
			json_array_append_new(vals, json_string(p->values[i]));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "type", json_string(p->type == PARAM_INT ? "int" : "enum"));
	json_object_set_new(o, "default", json_string(p->def));
	if (p->type == PARAM_ENUM)
		json_object_set_new(o, "values", vals);
	else {
		json_decref(vals);
		json_object_set_new(o, "min", json_integer(p->min));
		json_object_set_new(o, "max", json_integer(p->max));
	}
	json_object_set_new(o, "sweep", json_boolean(p->sweep));
	json_object_set_new(o, "help", json_string(p->help ? p->help : ""));
	json_array_append_new(arr, o);
}

static int cmd_list(int argc, char **argv)
{
	bool as_json = argc > 1 && !strcmp(argv[1], "--json");
	json_t *all = json_array();

	for (int w = 0; workloads[w]; w++) {
		const struct workload *wl = workloads[w];
		json_t *o = json_object(), *params = json_array();

		for (const struct param_spec *p = wl->params; p && p->name; p++)
			print_param(p, params);
		json_object_set_new(o, "name", json_string(wl->name));
		json_object_set_new(o, "description", json_string(wl->desc));
		json_object_set_new(o, "params", params);
		json_array_append_new(all, o);
		if (as_json)
			continue;
		printf("%-16s %s\n", wl->name, wl->desc);
		for (const struct param_spec *p = wl->params; p && p->name; p++) {
			printf("    %-12s default %-10s ", p->name, p->def);
			if (p->type == PARAM_ENUM) {
				for (int i = 0; p->values[i]; i++)
					printf("%s%s", i ? "|" : "", p->values[i]);
			} else {
				printf("%lld..%lld", p->min, p->max);
			}
			printf("%s  %s\n", p->sweep ? "  (swept)" : "", p->help ? p->help : "");
		}
	}
	if (as_json)
		record_print(all, stdout);
	json_decref(all);
	return 0;
}

static int cmd_plan(int argc, char **argv)
{
	const char *wls = NULL, *tlist = NULL;
	char *params[MAX_PARAMS], err[ERR_LEN];
	int threads[256], nr_threads, nr_params = 0, ret;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			return usage_error("plan: option without a value");
		if (!strcmp(argv[i], "--workloads"))
			wls = argv[++i];
		else if (!strcmp(argv[i], "--threads"))
			tlist = argv[++i];
		else if (!strcmp(argv[i], "--param") && nr_params < MAX_PARAMS)
			params[nr_params++] = argv[++i];
		else
			return usage_error("plan: unknown option (--workloads, --threads, --param)");
	}
	if (tlist && *tlist) {
		/* a plan may be for a guest with more CPUs; run checks the limit */
		if (parse_threads_list(tlist, threads, 256, MAX_THREADS, &nr_threads,
				       err, sizeof(err)))
			return usage_error(err);
	} else {
		nr_threads = plan_default_threads(threads, 256, sys_online_cpus());
	}
	/* nothing on stdout unless the whole plan is good */
	mem = open_memstream(&buf, &len);
	if (!mem)
		return 1;
	ret = plan_print(mem, wls, threads, nr_threads, params, nr_params, err, sizeof(err));
	fclose(mem);
	if (!ret)
		fwrite(buf, 1, len, stdout);
	free(buf);
	return ret ? usage_error(err) : 0;
}

/* The one record of a point on stdout: exit 1 when it failed. */
static int emit(const struct result *res)
{
	json_t *rec = result_to_json(res);
	int ret = strcmp(res->status, "failed") ? 0 : 1;

	if (!rec || record_print(rec, stdout))
		ret = 1;
	json_decref(rec);
	free(res->samples);
	return ret;
}

static int run_max_threads(void)
{
	int n = sys_possible_cpus();

	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : n;
}

/* run and fail take the same point description. */
static int cmd_point(int argc, char **argv, bool fail)
{
	struct run_opts ro = { 0 };
	struct result res;
	struct point pt;
	char err[ERR_LEN];
	int ret;

	/*
	 * A failure is recorded whatever the point's thread count (it may be
	 * for a guest with more CPUs, or the very reason it failed) and
	 * whatever the workload would say of its parameters; a point that
	 * runs is bounded by this machine's CPUs and checked in full.
	 */
	if (point_parse(argc - 1, argv + 1, &pt, &ro, fail ? MAX_THREADS : run_max_threads(),
			err, sizeof(err)))
		return usage_error(err);
	result_init(&res, &pt, &ro);
	if (fail) {
		if (!ro.reason)
			return usage_error("fail: --reason is required");
		result_set_status(&res, "failed", "%s", ro.reason);
		return emit(&res);
	}
	if (ro.reason)
		return usage_error("run: --reason belongs to `fail`");
	if (point_validate(&pt, err, sizeof(err)))
		return usage_error(err);
	if (geteuid() != 0) {
		result_set_status(&res, "failed", "not root: the workloads load BPF programs");
		return emit(&res);
	}
	fprintf(stderr, "allocbench: %s, %d thread(s), %d s + %d s warm-up\n",
		pt.wl->name, pt.threads, pt.duration, pt.warmup);
	harness_catch_signals();
	harness_run(&res);
	ret = emit(&res);
	return harness_stop_signal ? 128 + harness_stop_signal : ret;
}

static int cmd_results(int argc, char **argv)
{
	char err[ERR_LEN];
	int rejected = 0, ret;

	if (argc >= 2 && !strcmp(argv[1], "merge"))
		return cmd_merge(argc - 1, argv + 1);
	if (argc >= 3 && !strcmp(argv[1], "append")) {
		ret = store_append(argv[2], stdin, &rejected);
		if (ret)
			fprintf(stderr, "allocbench: results append %s: %s\n", argv[2],
				strerror(-ret));
		return ret || rejected ? 1 : 0;
	}
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "has")) {
		ret = store_has(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
		if (ret < 0)
			fprintf(stderr, "allocbench: results has %s: %s\n", argv[2],
				strerror(-ret));
		return ret < 0 ? 2 : ret;
	}
	if (argc >= 3 && !strcmp(argv[1], "meta")) {
		if (store_meta(argv[2], argc - 3, argv + 3, err, sizeof(err)))
			return usage_error(err);
		return 0;
	}
	return usage_error("results append RUNDIR | has RUNDIR POINT [VARIANT] | meta RUNDIR K=V... "
			   "| merge [--force] OUT RUNDIR...");
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: allocbench list [--json]\n"
		"       allocbench plan [--workloads W,..] [--threads LIST] [--param K=V]...\n"
		"       allocbench run WORKLOAD [--threads N] [--duration S] [--warmup S]\n"
		"                      [--param K=V]... [--run-id ID] [--target host|vm]\n"
		"                      [--variant NAME] [--accel none|kvm|tcg] [--ctx K=V]...\n"
		"       allocbench fail WORKLOAD --reason TEXT [run's options]\n"
		"       allocbench results append RUNDIR | has RUNDIR POINT [VARIANT]\n"
		"                          | meta RUNDIR K=V|K:=JSON|K=@FILE...\n"
		"                          | merge [--force] OUT RUNDIR...\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	bpfutil_init();
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "plan"))
		return cmd_plan(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_point(argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "fail"))
		return cmd_point(argc - 1, argv + 1, true);
	if (!strcmp(argv[1], "results"))
		return cmd_results(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "allocbench: unknown command '%s'\n", argv[1]);
	return 2;
}
