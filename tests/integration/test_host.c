// SPDX-License-Identifier: GPL-2.0
/*
 * Integration: the real workloads on the running kernel, as root, a few
 * seconds each at 1 and 2 threads; the records are checked field by field.
 * Also the exit statuses of user mistakes and the runner's run directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

static const char *bin;

/* Runs cmd; returns its exit status, stdout in *out (caller frees). */
static int sh(const char *cmd, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	FILE *p = popen(cmd, "r");
	char chunk[4096];
	size_t n;
	int st;

	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		fwrite(chunk, 1, n, mem);
	st = pclose(p);
	fclose(mem);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static json_t *run_point(const char *args, int threads, int *rc)
{
	char cmd[1024], *out;
	json_error_t jerr;
	json_t *rec;

	snprintf(cmd, sizeof(cmd), "%s run %s --threads %d --duration 2 --warmup 1 2>/dev/null",
		 bin, args, threads);
	*rc = sh(cmd, &out);
	rec = json_loads(out, 0, &jerr);
	if (!rec)
		fail_msg("%s: stdout is not one JSON record: %s (%s)", cmd, jerr.text, out);
	free(out);
	return rec;
}

static double num(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	if (b)
		v = json_object_get(v, b);
	if (!json_is_number(v))
		fail_msg("field %s%s%s is not a number", a, b ? "." : "", b ? b : "");
	return json_number_value(v);
}

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_string(v))
		fail_msg("field %s is not a string", k);
	return json_string_value(v);
}

static void check_ok(const char *args, int threads)
{
	int rc;
	json_t *r = run_point(args, threads, &rc);

	if (strcmp(str(r, "status"), "ok"))
		fail_msg("%s at %d thread(s): status %s: %s", args, threads, str(r, "status"),
			 json_string_value(json_object_get(r, "reason")));
	assert_int_equal(rc, 0);
	assert_int_equal(num(r, "schema", NULL), 1);
	assert_int_equal(num(r, "threads", NULL), threads);
	assert_string_equal(str(r, "target"), "host");
	assert_string_equal(str(r, "accel"), "none");
	assert_true(num(r, "cpus", NULL) >= 1);
	assert_true(strlen(str(r, "kernel_release")) > 0);
	assert_int_equal(json_array_size(json_object_get(r, "samples")), 2);
	if (!(num(r, "ops_per_sec", "mean") > 0))
		fail_msg("%s: throughput %f is not > 0", args, num(r, "ops_per_sec", "mean"));
	assert_true(num(r, "ops_per_sec", "stddev") >= 0);
	num(r, "mem_bytes", "peak");
	num(r, "mem_bytes", "end");
	assert_non_null(json_string_value(json_object_get(json_object_get(r, "mem_bytes"),
							   "source")));
	assert_true(json_is_object(json_object_get(r, "failures")));
	assert_true(json_is_object(json_object_get(r, "params")));
	printf("    %-70s t%d %14.0f ops/s\n", args, threads, num(r, "ops_per_sec", "mean"));
	json_decref(r);
}

static void null_loop(void **s)
{
	check_ok("null", 1);
	check_ok("null", 2);
}

static void htab_churn_cases(void **s)
{
	static const char *const cases[] = { "overwrite", "batch_add_batch_del",
					     "add_del_on_diff_cpu" };
	char args[256];

	for (int c = 0; c < 3; c++) {
		for (int t = c == 2 ? 2 : 1; t <= 2; t++) {
			snprintf(args, sizeof(args), "htab_churn --param case=%s", cases[c]);
			check_ok(args, t);
			snprintf(args, sizeof(args), "htab_churn --param case=%s "
				 "--param method=htab-mem", cases[c]);
			check_ok(args, t);
		}
	}
	check_ok("htab_churn --param map=prealloc", 1);
}

static long long counter(json_t *r, const char *name)
{
	return json_integer_value(json_object_get(json_object_get(r, "counters"), name));
}

static long long failures(json_t *r, const char *name)
{
	return json_integer_value(json_object_get(json_object_get(r, "failures"), name));
}

/* How the kernel's bench htab-mem measures, checked in what the kernel did. */
static void htab_mem_method(void **s)
{
	char cmd[256];
	int rc;
	json_t *r;

	/* add_del_on_diff_cpu pairs an adder with a deleter: odd counts are refused */
	snprintf(cmd, sizeof(cmd), "%s run htab_churn --threads 1 --param "
		 "case=add_del_on_diff_cpu --param method=htab-mem >/dev/null 2>&1", bin);
	assert_int_equal(sh(cmd, NULL), 2);

	/* each thread always on the same 64 keys: 64 x threads elements, from empty */
	r = run_point("htab_churn --param method=htab-mem --param case=overwrite", 2, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(counter(r, "entries"), 2 * 64);
	assert_true(counter(r, "loops") > 0);
	/*
	 * one loop is 64 element ops, all of them done (a loop in flight on
	 * each thread when the window opens or closes may be counted on one
	 * side only)
	 */
	assert_true(llabs(counter(r, "attempts") - 64 * counter(r, "loops")) <= 2 * 2 * 64);
	assert_int_equal(counter(r, "done"), counter(r, "attempts"));
	json_decref(r);

	/* the suite's method sweeps every key of the prefilled map */
	r = run_point("htab_churn --param case=overwrite", 1, &rc);
	assert_int_equal(counter(r, "entries"), 8192);
	assert_string_equal(str(r, "trigger"), "test_run");
	json_decref(r);

	/* the suite's method has one trigger */
	snprintf(cmd, sizeof(cmd), "%s run htab_churn --param trigger=tracepoint "
		 ">/dev/null 2>&1", bin);
	assert_int_equal(sh(cmd, NULL), 2);
}

#define GETPGID_TP "events/syscalls/sys_enter_getpgid"

/*
 * The kernel bench's trigger: a getpgid() tracepoint runs the 64-op loop.
 * The record names the trigger that ran, and the kernel's counts show
 * that it ran it: loops of 64 ops on each thread's 64 keys.
 */
static void htab_mem_getpgid_trigger(void **s)
{
	static const char *const cases[] = { "overwrite", "batch_add_batch_del",
					     "add_del_on_diff_cpu" };
	char args[256];
	int rc;
	json_t *r;

	if (access("/sys/kernel/tracing/" GETPGID_TP, F_OK) &&
	    access("/sys/kernel/debug/tracing/" GETPGID_TP, F_OK)) {
		if (sh("mount -t tracefs nodev /sys/kernel/tracing 2>&1", NULL) ||
		    access("/sys/kernel/tracing/" GETPGID_TP, F_OK)) {
			printf("    SKIP: no syscalls/sys_enter_getpgid tracepoint "
			       "(tracefs, CONFIG_FTRACE_SYSCALLS)\n");
			skip();
		}
		printf("    mounted tracefs on /sys/kernel/tracing\n");
	}
	for (int c = 0; c < 3; c++) {
		snprintf(args, sizeof(args), "htab_churn --param method=htab-mem "
			 "--param trigger=tracepoint --param case=%s", cases[c]);
		r = run_point(args, 2, &rc);
		if (rc)
			fail_msg("%s: exit %d: %s", args, rc,
				 json_string_value(json_object_get(r, "reason")));
		assert_string_equal(str(r, "trigger"), "tracepoint:syscalls:sys_enter_getpgid");
		assert_true(counter(r, "loops") > 0);
		assert_int_equal(counter(r, "done"), counter(r, "attempts"));
		/* a loop in flight per thread may fall on one side of the window */
		assert_true(llabs(counter(r, "attempts") - 64 * counter(r, "loops")) <= 2 * 2 * 64);
		if (c == 0)
			assert_int_equal(counter(r, "entries"), 2 * 64);
		printf("    %-70s t2 %14.0f ops/s\n", args, num(r, "ops_per_sec", "mean"));
		json_decref(r);
	}
	r = run_point("htab_churn --param method=htab-mem --param trigger=test_run", 1, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(str(r, "trigger"), "test_run");
	json_decref(r);
}

/* Ops are what the kernel did: a bpf_loop that refused to run is a failure. */
static void refused_loop_is_a_failure_not_ops(void **s)
{
	int rc;
	json_t *r = run_point("htab_churn --param case=overwrite --param batch=4096 "
			      "--param batches=4096", 1, &rc);

	assert_int_equal(rc, 1);
	assert_string_equal(str(r, "status"), "failed");
	assert_true(failures(r, "bpf_loop") > 0);
	assert_int_equal(counter(r, "bpf_loop_errno"), 7);	/* E2BIG */
	assert_int_equal(counter(r, "done"), 0);
	assert_true(num(r, "ops_per_sec", "mean") == 0.0);
	json_decref(r);
}

static void htab_memory_is_charged(void **s)
{
	int rc;
	json_t *r = run_point("htab_churn --param max_entries=65536", 1, &rc);
	const char *src = json_string_value(json_object_get(json_object_get(r, "mem_bytes"),
							    "source"));

	if (strncmp(src, "cgroup", 6)) {
		json_decref(r);
		skip();	/* system-wide slab totals are too noisy to assert on */
	}
	/* 65536 elements of at least 48 bytes each */
	if (!(num(r, "mem_bytes", "peak") > 65536.0 * 48))
		fail_msg("peak memory %.0f too small for a full map (source %s)",
			 num(r, "mem_bytes", "peak"), src);
	json_decref(r);
}

static void qp_trie_reference_and_unsupported(void **s)
{
	char cmd[512], *out;
	int rc;
	json_t *r, *c;

	check_ok("qp_trie_lookup --param map=htab", 1);
	check_ok("qp_trie_lookup --param map=htab", 2);
	check_ok("qp_trie_lookup --param map=htab --param dataset=kallsyms --param writers=1", 1);
	r = run_point("qp_trie_lookup --param map=htab --param writers=1", 1, &rc);
	c = json_object_get(r, "counters");
	assert_true(json_integer_value(json_object_get(c, "lookups")) > 0);
	assert_true(json_integer_value(json_object_get(c, "writer_ops")) > 0);
	assert_int_equal(json_integer_value(json_object_get(c, "false_negatives")), 0);
	json_decref(r);
	check_ok("qp_trie_update --param map=htab", 1);
	check_ok("qp_trie_update --param map=htab", 2);
	check_ok("qp_trie_update --param map=htab --param mode=update_delete", 2);

	/* every lookup checks the key's value: a wrong one fails the point */
	r = run_point("qp_trie_lookup --param map=htab --param selfcheck=wrong_value", 1, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(str(r, "status"), "failed");
	assert_true(json_integer_value(json_object_get(json_object_get(r, "failures"),
						       "wrong_value")) > 0);
	json_decref(r);

	/* update then delete a chunk: both happen, nothing fails */
	r = run_point("qp_trie_update --param map=htab --param mode=update_delete", 1, &rc);
	c = json_object_get(r, "counters");
	assert_int_equal(rc, 0);
	assert_true(json_integer_value(json_object_get(c, "updates")) > 0);
	assert_true(json_integer_value(json_object_get(c, "deletes")) > 0);
	json_decref(r);

	/* on a kernel without the map type: unsupported, with the reason */
	snprintf(cmd, sizeof(cmd), "%s run qp_trie_lookup --param map=qp_trie --duration 1 "
		 "2>/dev/null", bin);
	rc = sh(cmd, &out);
	r = json_loads(out, 0, NULL);
	free(out);
	assert_non_null(r);
	if (!strcmp(str(r, "status"), "ok")) {
		json_decref(r);
		skip();	/* this kernel has a qp-trie */
	}
	assert_int_equal(rc, 0);
	assert_string_equal(str(r, "status"), "unsupported");
	assert_non_null(strstr(str(r, "reason"), "BPF_MAP_TYPE_QP_TRIE"));
	json_decref(r);
}

static void nmi_alloc_on_perf_samples(void **s)
{
	int rc;
	json_t *r;

	check_ok("nmi_alloc", 1);
	check_ok("nmi_alloc", 2);
	r = run_point("nmi_alloc --param event=cpu-clock --param freq=2000", 1, &rc);
	/* observed by the program, run by run: every one in hard irq */
	assert_string_equal(str(r, "exec_context"), "hardirq");
	assert_true(counter(r, "program_runs") > 0);
	assert_int_equal(counter(r, "runs_hardirq"), counter(r, "program_runs"));
	assert_int_equal(counter(r, "runs_nmi"), 0);
	assert_int_equal(counter(r, "runs_task"), 0);
	assert_int_equal(counter(r, "attempts"), counter(r, "program_runs"));
	assert_string_equal(str(r, "perf_event"), "cpu-clock");
	assert_true(num(r, "latency_ns", "p50") > 0);
	assert_true(num(r, "latency_ns", "p99") >= num(r, "latency_ns", "p50"));
	assert_true(num(r, "latency_ns", "max") >= num(r, "latency_ns", "p99") / 2);
	/* about freq samples a second on one CPU */
	assert_true(num(r, "ops_per_sec", "mean") > 200);
	json_decref(r);
}

/* hold and burst: a task on another CPU deletes what the interrupts kept */
static void nmi_alloc_hold_and_burst(void **s)
{
	int rc;
	json_t *r;

	r = run_point("nmi_alloc --param event=cpu-clock --param freq=1000 "
		      "--param pattern=hold --param hold=64", 1, &rc);
	assert_string_equal(str(r, "status"), "ok");
	assert_true(counter(r, "allocs") > 0);
	assert_true(counter(r, "deleted_by_task") > 0);
	assert_true(counter(r, "deleter_cpu") >= 0);
	assert_int_equal(counter(r, "runs_on_deleter_cpu"), 0);
	json_decref(r);
	r = run_point("nmi_alloc --param event=cpu-clock --param freq=1000 "
		      "--param pattern=burst --param burst=16", 1, &rc);
	assert_string_equal(str(r, "status"), "ok");
	/* 16 attempts per program run */
	assert_int_equal(counter(r, "attempts"), 16 * counter(r, "program_runs"));
	assert_true(counter(r, "deleted_by_task") > 0);
	json_decref(r);
}

/* pressure=memcg: the run's cgroup gets usage + headroom as its limit */
static void memcg_pressure_limits_the_cgroup(void **s)
{
	int rc;
	json_t *r;

	r = run_point("nmi_alloc --param event=cpu-clock --param freq=1000 "
		      "--param pattern=hold --param hold=4096 --param pressure=memcg "
		      "--param pressure_headroom_kb=512", 1, &rc);
	assert_string_equal(str(r, "status"), "ok");
	if (!counter(r, "memcg_applied")) {
		json_decref(r);
		skip();	/* no memory cgroup of our own here */
	}
	assert_int_equal(counter(r, "memcg_limit_kb"),
			 counter(r, "memcg_base_kb") + 512);
	json_decref(r);
}

static long long mem_available_mb(void)
{
	char *out;
	long long kb;

	sh("sed -n 's/^MemAvailable: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo", &out);
	kb = atoll(out);
	free(out);
	return kb / 1024;
}

static void pressure_is_applied_and_reported(void **s)
{
	long long floor = mem_available_mb() - 384;	/* a hog of about 384 MiB */
	char args[256], *out;
	json_t *r, *p;
	int rc;

	assert_true(floor > 0);
	snprintf(args, sizeof(args), "htab_churn --param pressure=anon "
		 "--param pressure_floor_mb=%lld", floor);
	r = run_point(args, 1, &rc);
	assert_int_equal(rc, 0);
	p = json_object_get(r, "pressure");
	assert_non_null(p);
	assert_string_equal(str(p, "mode"), "anon");
	/* the hog got MemAvailable down to (about) the floor */
	if (!(num(p, "min_available_kb", NULL) < (floor + 128) * 1024.0))
		fail_msg("MemAvailable stayed at %.0f kB, floor %lld MiB",
			 num(p, "min_available_kb", NULL), floor);
	assert_true(json_is_object(json_object_get(p, "vmstat")));
	assert_true(num(r, "mem_bytes", "idle") >= 0);
	json_decref(r);
	/* and is gone afterwards */
	sh("pgrep -f 'allocbench run htab_churn --param [p]ressure' | wc -l", &out);
	assert_int_equal(atoi(out), 0);
	free(out);
}

static void user_mistakes_exit_2(void **s)
{
	static const char *const bad[] = {
		"run nosuch", "run null --threads 0", "run null --threads 100000",
		"run null --duration 0", "run null --param loops=x", "run null --param nope=1",
		"run htab_churn --param case=nope", "plan --workloads nosuch",
		"plan --threads 0", "plan --param case=bogus", "plan --param loops=1,x",
		"frobnicate",
	};
	char cmd[512], *out;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s %s 2>&1 >/dev/null | wc -l | grep -qx 1 && "
			 "%s %s 2>/dev/null", bin, bad[i], bin, bad[i]);
		/* exit 2, nothing on stdout, one line on stderr */
		if (sh(cmd, &out) != 2 || *out)
			fail_msg("'%s' did not exit 2 with one line on stderr only", bad[i]);
		free(out);
	}
}

static void not_root_is_a_failed_record(void **s)
{
	char cmd[512], *out;
	json_t *r;

	snprintf(cmd, sizeof(cmd), "setpriv --reuid=65534 --regid=65534 --clear-groups "
		 "%s run null --duration 1 2>/dev/null", bin);
	assert_int_equal(sh(cmd, &out), 1);
	r = json_loads(out, 0, NULL);
	free(out);
	assert_non_null(r);
	assert_string_equal(str(r, "status"), "failed");
	assert_non_null(strstr(str(r, "reason"), "root"));
	json_decref(r);
}

static void runner_writes_and_resumes_a_run(void **s)
{
	char cmd[512], *out, path[600], *nl;
	json_t *meta;
	int n;

	assert_int_equal(sh("THREADS=1,2 WORKLOADS=null DURATION=1 WARMUP=0 runners/matrix "
			    "2>/dev/null | tail -1", &out), 0);
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	assert_non_null(strstr(out, "results/"));
	snprintf(path, sizeof(path), "%s/meta.json", out);
	meta = json_load_file(path, 0, NULL);
	assert_non_null(meta);
	assert_int_equal(json_integer_value(json_object_get(meta, "schema")), 1);
	json_decref(meta);
	snprintf(cmd, sizeof(cmd), "wc -l < %s/results.jsonl", out);
	sh(cmd, &nl);
	n = atoi(nl);
	free(nl);
	assert_int_equal(n, 2);
	/* resuming the finished run redoes nothing */
	snprintf(cmd, sizeof(cmd), "RESUME=%s THREADS=1,2 WORKLOADS=null DURATION=1 WARMUP=0 "
		 "runners/matrix >/dev/null 2>&1 && wc -l < %s/results.jsonl", out + 8, out);
	assert_int_equal(sh(cmd, &nl), 0);
	assert_int_equal(atoi(nl), 2);
	free(nl);
	/* a resume with other settings would mix them into the run: refused */
	snprintf(cmd, sizeof(cmd), "RESUME=%s THREADS=1,2 WORKLOADS=null DURATION=2 WARMUP=0 "
		 "runners/matrix >/dev/null 2>&1", out + 8);
	assert_int_equal(sh(cmd, NULL), 2);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", out);
	sh(cmd, NULL);
	free(out);
	assert_int_equal(sh("TARGET=moon runners/matrix >/dev/null 2>&1", NULL), 2);
	assert_int_equal(sh("THREADS=0 runners/matrix >/dev/null 2>&1", NULL), 2);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_mistakes_exit_2),
		cmocka_unit_test(not_root_is_a_failed_record),
		cmocka_unit_test(null_loop),
		cmocka_unit_test(htab_churn_cases),
		cmocka_unit_test(htab_mem_method),
		cmocka_unit_test(htab_mem_getpgid_trigger),
		cmocka_unit_test(refused_loop_is_a_failure_not_ops),
		cmocka_unit_test(htab_memory_is_charged),
		cmocka_unit_test(qp_trie_reference_and_unsupported),
		cmocka_unit_test(nmi_alloc_on_perf_samples),
		cmocka_unit_test(nmi_alloc_hold_and_burst),
		cmocka_unit_test(memcg_pressure_limits_the_cgroup),
		cmocka_unit_test(pressure_is_applied_and_reported),
		cmocka_unit_test(runner_writes_and_resumes_a_run),
	};

	bin = argc > 1 ? argv[1] : "build/allocbench";
	if (geteuid() != 0) {
		printf("test-host: skipped: the workloads load BPF programs and need root\n");
		return 0;
	}
	return cmocka_run_group_tests_name("host", tests, NULL, NULL);
}
