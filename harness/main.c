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
#include <sys/stat.h>
#include <unistd.h>
#include "bpfutil.h"
#include "cli.h"
#include "harness.h"
#include "merge.h"
#include "plan.h"
#include "record.h"
#include "stats.h"
#include "store.h"
#include "sysinfo.h"

#ifndef SUITE_SHA
#define SUITE_SHA "unknown"
#endif
/* "-dirty" when the tree had uncommitted changes at build time (Makefile) */
#ifndef SUITE_DIRTY
#define SUITE_DIRTY ""
#endif

/* `allocbench CMD --help`: each command's usage, on stdout. */
static const struct {
	const char *cmd, *text;
} usages[] = {
	{ "list",
	  "usage: allocbench list [--json]\n"
	  "  The workloads and their parameters (type, default, allowed values);\n"
	  "  \"(swept)\" marks those the default plan varies.\n" },
	{ "plan",
	  "usage: allocbench plan [--workloads W[,W...]] [--threads LIST] [--param K=V]...\n"
	  "  The sweep, one point a line: POINT_ID <TAB> ARGS (what `run` takes).\n"
	  "  LIST: 1,2,4 or 1-4 (default 1, 2, 4, ... up to the online CPUs);\n"
	  "  K=V fixes a parameter, K=V1,V2 sweeps those values.\n" },
	{ "run",
	  "usage: allocbench run WORKLOAD [--threads N] [--duration S] [--warmup S]\n"
	  "                      [--param K=V]... [--run-id ID] [--target host|vm]\n"
	  "                      [--variant NAME] [--accel none|kvm|tcg] [--ctx K=V]...\n"
	  "                      [--profile [--profile-dir DIR]]\n"
	  "  Runs one point (as root): one JSON record on stdout, a summary line on\n"
	  "  stderr. Defaults: 1 thread, 5 s after 1 s of warm-up. Exit 0 ok or\n"
	  "  unsupported, 1 failed, 2 a usage error (one line on stderr, no record).\n"
	  "  `allocbench list` gives the workloads and their parameters.\n"
	  "  --profile: perf record -a -g over the measured seconds; the record gets\n"
	  "  \"profile\" (top symbols, self share), files go to DIR/VARIANT/POINT_ID/\n"
	  "  (DIR default: profiles).\n" },
	{ "fail",
	  "usage: allocbench fail WORKLOAD --reason TEXT [run's options]\n"
	  "  Prints the record of a point that could not run (status failed); any\n"
	  "  thread count up to 1024, the workload's own checks skipped. Exit 1.\n" },
	{ "results",
	  "usage: allocbench results append RUNDIR          (records on stdin)\n"
	  "       allocbench results has RUNDIR POINT_ID [VARIANT]\n"
	  "       allocbench results meta RUNDIR K=V|K:=JSON|K=@FILE...\n"
	  "       allocbench results merge [--force] OUT RUNDIR...\n"
	  "  The run store (docs/interfaces.md); `results SUBCOMMAND --help` for one.\n" },
	{ "results append",
	  "usage: allocbench results append RUNDIR          (records on stdin)\n"
	  "  Adds the valid schema-1 records to RUNDIR/results.jsonl (atomic\n"
	  "  rewrite under RUNDIR/.lock). RUNDIR must exist. Exit 1 when a line is\n"
	  "  rejected or the store fails, 2 for a usage error or a missing RUNDIR.\n" },
	{ "results has",
	  "usage: allocbench results has RUNDIR POINT_ID [VARIANT]\n"
	  "  Exit 0 when RUNDIR has a finished (ok or unsupported) record of\n"
	  "  POINT_ID (of VARIANT, when given), 1 when not, 2 when it cannot tell.\n" },
	{ "results meta",
	  "usage: allocbench results meta RUNDIR K=V|K:=JSON|K=@FILE...\n"
	  "  Merges keys into RUNDIR/meta.json atomically: K=V a string, K:=JSON a\n"
	  "  JSON value, K=@FILE a JSON value read from FILE.\n" },
	{ "results merge",
	  "usage: allocbench results merge [--force] OUT RUNDIR...\n"
	  "  A new run directory OUT from the runs (shards); refuses runs that do\n"
	  "  not belong together (exit 2) unless --force.\n" },
};

static int help(const char *cmd)
{
	for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
		if (!strcmp(usages[i].cmd, cmd))
			fputs(usages[i].text, stdout);
	return 0;
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "allocbench: %s\n", msg);
	return 2;
}

static int unknown_option(const char *cmd, const char *opt)
{
	fprintf(stderr, "allocbench: %s: unknown option '%s' (see allocbench %s --help)\n",
		cmd, opt, cmd);
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
	bool as_json = false;
	json_t *all;

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i]))
			return help("list");
		if (strcmp(argv[i], "--json"))
			return unknown_option("list", argv[i]);
		as_json = true;
	}
	all = json_array();

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
		if (is_help(argv[i]))
			return help("plan");
		if (strcmp(argv[i], "--workloads") && strcmp(argv[i], "--threads") &&
		    strcmp(argv[i], "--param"))
			return unknown_option("plan", argv[i]);
		if (i + 1 >= argc)
			return usage_error("plan: option without a value");
		if (!strcmp(argv[i], "--workloads"))
			wls = argv[++i];
		else if (!strcmp(argv[i], "--threads"))
			tlist = argv[++i];
		else if (nr_params < MAX_PARAMS)
			params[nr_params++] = argv[++i];
		else
			return usage_error("plan: too many --param");
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

/* bytes as MiB, for a person */
static double mib(long long bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/*
 * One line for a person on stderr once the point is over, like the
 * kernel's bench "Summary:" line; the record on stdout is the result.
 */
static void print_summary(const struct result *r)
{
	const struct point *pt = r->pt;
	char mem[128], why[160];
	long long failures = 0;
	const char *unit = "";
	double scale = 1;
	struct summary s;
	size_t n;

	stats_summary(r->samples, r->nr_samples, &s);
	if (s.mean >= 1e9) {
		scale = 1e9;
		unit = "G ";
	} else if (s.mean >= 1e6) {
		scale = 1e6;
		unit = "M ";
	} else if (s.mean >= 1e3) {
		scale = 1e3;
		unit = "k ";
	}
	for (int i = 0; i < r->failures.nr; i++)
		failures += r->failures.c[i].value;
	if (!strcmp(r->mem.source, "none"))
		snprintf(mem, sizeof(mem), "memory not measured");
	else if (r->mem.mean >= 0)
		snprintf(mem, sizeof(mem), "memory mean %.2f MiB, peak %.2f MiB",
			 mib(r->mem.mean), mib(r->mem.peak));
	else
		snprintf(mem, sizeof(mem), "memory peak %.2f MiB", mib(r->mem.peak));
	/* the reason's first line, cut on a character boundary */
	n = strcspn(r->reason, "\n\r\t");
	if (n >= sizeof(why)) {
		n = sizeof(why) - 1;
		while (n && ((unsigned char)r->reason[n] & 0xc0) == 0x80)
			n--;
	}
	snprintf(why, sizeof(why), "%.*s", (int)n, r->reason);
	fprintf(stderr, "allocbench: summary: %s, %d thread%s, %s: %.3f \u00b1 %.3f %sops/s, "
		"%s, failures %lld%s%s%s\n",
		pt->wl->name, pt->threads, pt->threads == 1 ? "" : "s", r->status,
		s.mean / scale, s.stddev / scale, unit, mem, failures,
		*why ? " (" : "", why, *why ? ")" : "");
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
	ret = point_parse(argc - 1, argv + 1, &pt, &ro,
			  fail ? MAX_THREADS : run_max_threads(), err, sizeof(err));
	if (ret == POINT_HELP)
		return help(fail ? "fail" : "run");
	if (ret)
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
		print_summary(&res);
		return emit(&res);
	}
	fprintf(stderr, "allocbench: %s, %d thread(s), %d s + %d s warm-up\n",
		pt.wl->name, pt.threads, pt.duration, pt.warmup);
	harness_catch_signals();
	harness_run(&res);
	print_summary(&res);
	ret = emit(&res);
	return harness_stop_signal ? 128 + harness_stop_signal : ret;
}

/*
 * The arguments of results SUB (no options but -h, --help): -1 when help
 * was asked and printed, 2 for a usage error (said), 0 for min..max of
 * them.
 */
static int results_args(const char *sub, int argc, char **argv, int min, int max,
			const char *want)
{
	char cmd[32], msg[ERR_LEN];

	snprintf(cmd, sizeof(cmd), "results %s", sub);
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			help(cmd);
			return -1;
		}
	}
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-')
			return unknown_option(cmd, argv[i]);
	if (argc - 1 < min || argc - 1 > max) {
		snprintf(msg, sizeof(msg), "%s: want %s (see allocbench %s --help)", cmd, want,
			 cmd);
		return usage_error(msg);
	}
	return 0;
}

static int cmd_results(int argc, char **argv)
{
	char err[ERR_LEN];
	int rejected = 0, ret;
	struct stat st;

	if (argc < 2)
		return usage_error("results: want append, has, meta or merge "
				   "(see allocbench results --help)");
	if (is_help(argv[1]))
		return help("results");
	if (!strcmp(argv[1], "merge")) {
		for (int i = 2; i < argc; i++)
			if (is_help(argv[i]))
				return help("results merge");
		return cmd_merge(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "append")) {
		ret = results_args("append", argc - 1, argv + 1, 1, 1, "RUNDIR");
		if (ret)
			return ret < 0 ? 0 : ret;
		/* a run directory is made by its runner: a typo must not make one */
		if (stat(argv[2], &st) || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "allocbench: results append %s: no such run directory\n",
				argv[2]);
			return 2;
		}
		ret = store_append(argv[2], stdin, &rejected);
		if (ret)
			fprintf(stderr, "allocbench: results append %s: %s\n", argv[2],
				strerror(-ret));
		return ret || rejected ? 1 : 0;
	}
	if (!strcmp(argv[1], "has")) {
		ret = results_args("has", argc - 1, argv + 1, 2, 3, "RUNDIR POINT_ID [VARIANT]");
		if (ret)
			return ret < 0 ? 0 : ret;
		ret = store_has(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
		if (ret < 0)
			fprintf(stderr, "allocbench: results has %s: %s\n", argv[2],
				strerror(-ret));
		return ret < 0 ? 2 : ret;
	}
	if (!strcmp(argv[1], "meta")) {
		ret = results_args("meta", argc - 1, argv + 1, 1, argc, "RUNDIR K=V...");
		if (ret)
			return ret < 0 ? 0 : ret;
		if (store_meta(argv[2], argc - 3, argv + 3, err, sizeof(err)))
			return usage_error(err);
		return 0;
	}
	fprintf(stderr, "allocbench: results: unknown subcommand '%s' (append, has, meta, merge)\n",
		argv[1]);
	return 2;
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
		"                          | merge [--force] OUT RUNDIR...\n"
		"       allocbench --help | --version\n"
		"`allocbench COMMAND --help` describes one command.\n");
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
	if (is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("allocbench %s%s\n", SUITE_SHA, SUITE_DIRTY);
		return 0;
	}
	fprintf(stderr, "allocbench: unknown %s '%s' (see allocbench --help)\n",
		argv[1][0] == '-' ? "option" : "command", argv[1]);
	return 2;
}
