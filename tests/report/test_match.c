// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: point matching, the "cannot be compared" rules, the
 * regression verdict and the reviewer-format lines, on small runs
 * written to a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "abreport.h"

static char tmpl[] = "/tmp/abreport-test.XXXXXX";
static int nruns;

/* A record line; params is a JSON object text, samples a JSON array. */
static char *rec(const char *variant, const char *params, int threads,
		 const char *samples, const char *status, const char *accel)
{
	return xasprintf("{\"schema\":1,\"variant\":\"%s\",\"workload\":\"htab_churn\","
			 "\"params\":%s,\"threads\":%d,\"samples\":%s,\"status\":\"%s\","
			 "\"reason\":\"%s\",\"accel\":\"%s\",\"mem_bytes\":{\"end\":3366000,\"peak\":4194304}}",
			 variant, params, threads, samples, status,
			 strcmp(status, "ok") ? "VM timeout" : "", accel);
}

/* The line with its canonical point id added where it has none. */
static char *with_point(char *line)
{
	json_t *o = json_loads(line, 0, NULL);
	char *key, *label, *out;

	if (!json_is_object(o) || json_object_get(o, "point")) {
		json_decref(o);
		return line;
	}
	assert_int_equal(params_key(json_object_get(o, "params") ?: json_object(),
				    &key, &label), 0);
	json_object_set_new(o, "point", json_sprintf("%s/%s/t%lld",
		json_str(o, "workload", "?"), label,
		(long long)json_integer_value(json_object_get(o, "threads"))));
	out = json_dumps(o, JSON_COMPACT);
	free(key);
	free(label);
	free(line);
	json_decref(o);
	return out;
}

/* Writes the lines (freed) as a run directory and loads it. */
static void mkrun(struct run *r, char **lines, size_t n)
{
	char *dir = xasprintf("%s/run%d", tmpl, nruns++);
	char *path = xasprintf("%s/results.jsonl", dir);
	FILE *f;
	size_t i;

	assert_int_equal(mkdir_p(dir), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < n; i++) {
		lines[i] = with_point(lines[i]);
		fprintf(f, "%s\n", lines[i]);
		free(lines[i]);
	}
	fclose(f);
	assert_int_equal(run_load(dir, r), 0);
	free(path);
	free(dir);
}

#define P_OVER "{\"case\":\"overwrite\",\"map\":\"noprealloc\",\"value_size\":8}"
#define P_OVER_REORDERED "{\"value_size\":8,\"map\":\"noprealloc\",\"case\":\"overwrite\"}"
#define P_BATCH "{\"case\":\"batch_add_batch_del\",\"map\":\"noprealloc\",\"value_size\":8}"
#define P_OVER64 "{\"case\":\"overwrite\",\"map\":\"noprealloc\",\"value_size\":64}"
#define S100 "[100,101,99,100.5,99.5]"
#define S101 "[101,102,100,101.5,100.5]"
#define S90 "[90,91,89,90.5,89.5]"
#define S97 "[97,97.01,96.99,97.005,96.995]"
#define S100T "[100,100.01,99.99,100.005,99.995]"
#define SWIDE "[60,140,70,130,50]"
/* 40% slower, p < 0.001, but a stddev of 16% of the mean: noisy. */
#define S60N "[50,70,60,51,69]"

static double max_sd = 10;

static int verdict(struct run *b, struct run *n, bool force, double thr)
{
	struct compare_opts o = { .threshold = thr, .alpha = 0.01, .max_sd = max_sd,
				  .force = force };
	FILE *out = fopen("/dev/null", "w");
	int ret = compare_runs(b, n, &o, out);

	fclose(out);
	return ret;
}

static int pair(const char *pb, const char *sb, const char *pn,
		const char *sn, const char *status, const char *accel,
		bool force)
{
	char *lb[] = { rec("bpf-ma", pb, 2, sb, "ok", "kvm") };
	char *ln[] = { rec("bpf-ma", pn, 2, sn, status, accel) };
	struct run b, n;
	int ret;

	mkrun(&b, lb, 1);
	mkrun(&n, ln, 1);
	ret = verdict(&b, &n, force, 5);
	run_free(&b);
	run_free(&n);
	return ret;
}

static void test_params_key(void **state)
{
	json_t *p = json_loads("{\"b\":1,\"a\":\"x\",\"c\":2.5}", 0, NULL);
	char *key, *label;

	assert_int_equal(params_key(p, &key, &label), 0);
	assert_string_equal(key, "{\"a\":\"x\",\"b\":1,\"c\":2.5}");
	assert_string_equal(label, "a=x,b=1,c=2.5");
	free(key);
	free(label);
	json_decref(p);
}

static void test_verdicts(void **state)
{
	/* 10% slower, tight samples: regression. */
	assert_int_equal(pair(P_OVER, S100, P_OVER, S90, "ok", "kvm", false), 1);
	/* Params in another key order are the same point. */
	assert_int_equal(pair(P_OVER, S100, P_OVER_REORDERED, S90, "ok", "kvm", false), 1);
	/* 1% faster: noise. */
	assert_int_equal(pair(P_OVER, S100, P_OVER, S101, "ok", "kvm", false), 0);
	/* 3% slower and very significant, but under the threshold. */
	assert_int_equal(pair(P_OVER, S100T, P_OVER, S97, "ok", "kvm", false), 0);
	/* 10% slower on average but not significant: no regression. */
	assert_int_equal(pair(P_OVER, S100, P_OVER, SWIDE, "ok", "kvm", false), 0);
	/* Much slower and significant, but too noisy to judge... */
	assert_int_equal(pair(P_OVER, S100, P_OVER, S60N, "ok", "kvm", false), 0);
	/* ...which the noise guard alone decides. */
	max_sd = 100;
	assert_int_equal(pair(P_OVER, S100, P_OVER, S60N, "ok", "kvm", false), 1);
	max_sd = 10;
	/* A point that ran in the base and fails now. */
	assert_int_equal(pair(P_OVER, S100, P_OVER, "[]", "failed", "kvm", false), 1);
}

static void test_too_few_samples(void **state)
{
	/* 90% slower with one sample a side: cannot be judged, not a pass. */
	assert_int_equal(pair(P_OVER, "[100]", P_OVER, "[10]", "ok", "kvm", false), 2);
	assert_int_equal(pair(P_OVER, S100, P_OVER, "[10]", "ok", "kvm", false), 2);
	assert_int_equal(pair(P_OVER, "[]", P_OVER, S100, "ok", "kvm", false), 2);
	/* Two samples a side are enough for the t-test. */
	assert_int_equal(pair(P_OVER, "[100,100.5]", P_OVER, "[90,90.5]", "ok", "kvm", false), 1);
}

static void test_regression_wins(void **state)
{
	/* One point cannot be judged, another failed: a regression. */
	char *lb[] = { rec("bpf-ma", P_OVER, 1, "[100]", "ok", "kvm"),
		       rec("bpf-ma", P_BATCH, 1, S100, "ok", "kvm") };
	char *ln[] = { rec("bpf-ma", P_OVER, 1, "[100]", "ok", "kvm"),
		       rec("bpf-ma", P_BATCH, 1, "[]", "failed", "kvm") };
	struct run b, n;

	mkrun(&b, lb, 2);
	mkrun(&n, ln, 2);
	assert_int_equal(verdict(&b, &n, false, 5), 1);
	run_free(&b);
	run_free(&n);
}

static void test_not_comparable(void **state)
{
	/* Different workload parameters. */
	assert_int_equal(pair(P_OVER, S100, P_OVER64, S100, "ok", "kvm", false), 2);
	/* kvm vs tcg, unless forced. */
	assert_int_equal(pair(P_OVER, S100, P_OVER, S90, "ok", "tcg", false), 2);
	/* forced, one TCG run a side: -10 % is inconclusive, not a regression */
	assert_int_equal(pair(P_OVER, S100, P_OVER, S90, "ok", "tcg", true), 0);
	assert_int_equal(pair(P_OVER, S100, P_OVER, S90, "ok", "kvm", true), 1);
}

static void test_overlap_is_comparable(void **state)
{
	/*
	 * The new run swept fewer cases: comparable, but the case it lacks
	 * is lost, a regression. The other way round, the new case is listed.
	 */
	char *lb[] = { rec("bpf-ma", P_OVER, 1, S100, "ok", "kvm"),
		       rec("bpf-ma", P_BATCH, 1, S100, "ok", "kvm") };
	char *ln[] = { rec("bpf-ma", P_OVER, 1, S101, "ok", "kvm") };
	char why[256] = "";
	struct run b, n;

	mkrun(&b, lb, 2);
	mkrun(&n, ln, 1);
	assert_int_equal(params_mismatch(&b, &n, why, sizeof(why)), 0);
	assert_int_equal(verdict(&b, &n, false, 5), 1);
	assert_int_equal(verdict(&n, &b, false, 5), 0);
	run_free(&b);
	run_free(&n);
}

static void test_schema(void **state)
{
	char *lb[] = { rec("bpf-ma", P_OVER, 1, S100, "ok", "kvm") };
	char *ln[] = { xasprintf("{\"schema\":2,\"variant\":\"bpf-ma\",\"workload\":\"htab_churn\",\"params\":%s,\"threads\":1,\"samples\":%s,\"status\":\"ok\",\"accel\":\"kvm\"}",
				 P_OVER, S100) };
	struct run b, n;

	mkrun(&b, lb, 1);
	mkrun(&n, ln, 1);
	assert_int_equal(n.schema, 2);
	assert_int_equal(verdict(&b, &n, true, 5), 2);
	run_free(&b);
	run_free(&n);
}

static void test_reviewer_line(void **state)
{
	char *l[] = {
		rec("bpf-ma", P_OVER, 4, "[12300000,12400000,12350000]", "ok", "kvm"),
		rec("bpf-ma", P_BATCH, 4, "[]", "failed", "kvm"),
	};
	char buf[512];
	struct run r;

	mkrun(&r, l, 2);
	fmt_reviewer(buf, sizeof(buf), &r, &r.pts[0]);
	assert_string_equal(buf, "htab_churn overwrite (4 thread) 12.350 ± 0.050M/s (mem 3.21 MiB, peak 4.00 MiB)");
	fmt_reviewer(buf, sizeof(buf), &r, &r.pts[1]);
	assert_string_equal(buf, "htab_churn batch_add_batch_del (4 thread) failed: VM timeout");
	run_free(&r);
}

static void test_qp_nmi_lines(void **state)
{
	char *l[] = {
		xstrdup("{\"schema\":1,\"variant\":\"qp-trie\",\"workload\":\"qp_trie_lookup\",\"params\":{\"dataset\":\"random\",\"map\":\"qp_trie\"},\"threads\":16,\"samples\":[162000000,163230000],\"status\":\"ok\",\"counters\":{\"hits\":1620000000,\"misses\":0,\"false_negatives\":2}}"),
		xstrdup("{\"schema\":1,\"variant\":\"bpf-ma\",\"workload\":\"nmi_alloc\",\"params\":{\"event\":\"cycles\"},\"threads\":1,\"samples\":[4000,4000],\"status\":\"ok\",\"exec_context\":\"nmi\",\"perf_event\":\"cycles\",\"mem_bytes\":{\"idle\":1048576},\"failures\":{\"ENOMEM\":3},\"latency_ns\":{\"p50\":180,\"p99\":900,\"max\":12000}}"),
		xstrdup("{\"schema\":1,\"variant\":\"x\",\"workload\":\"null\",\"threads\":1,\"status\":\"ok\"}"),
	};
	char buf[512];
	struct run r;

	mkrun(&r, l, 3);
	fmt_reviewer(buf, sizeof(buf), &r, &r.pts[0]);
	assert_string_equal(buf, "qp_trie_lookup (16 thread) 162.615 ± 0.870M/s (hits 1.62G, misses 0, false negatives 2)");
	fmt_reviewer(buf, sizeof(buf), &r, &r.pts[1]);
	assert_string_equal(buf, "nmi_alloc (1 thread) 4.000 ± 0.000k/s (nmi, cycles; failures ENOMEM 3; latency p50 180 p99 900 max 12000 ns; idle 1.00 MiB)");
	/* No params, no samples, no summary: no crash, n/a. */
	fmt_reviewer(buf, sizeof(buf), &r, &r.pts[2]);
	assert_string_equal(buf, "null (1 thread) n/a");
	run_free(&r);
}

static void test_last_record_wins(void **state)
{
	char *l[] = {
		rec("bpf-ma", P_OVER, 2, S90, "failed", "kvm"),
		rec("bpf-ma", P_BATCH, 2, S90, "ok", "kvm"),
		rec("bpf-ma", P_OVER_REORDERED, 2, S100, "ok", "kvm"),
		rec("kmalloc-rcu", P_OVER, 2, S90, "ok", "kvm"),
	};
	struct run r;

	mkrun(&r, l, 4);
	assert_int_equal(r.npts, 3);
	assert_int_equal(r.superseded, 1);
	assert_string_equal(r.pts[1].status, "ok");
	assert_float_equal(r.pts[1].mean, 100, 1e-9);
	assert_string_equal(r.pts[1].variant, "bpf-ma");
	run_free(&r);
}

/* Pooled sides: each point's samples are the means of the runs. */
static int pooled(const char *const *sb, size_t nb, const char *const *sn,
		  size_t nn)
{
	struct run rb[4], rn[4], pb, pn;
	size_t i;
	int ret;
	struct compare_opts o = { .threshold = 5, .alpha = 0.01, .max_sd = 10 };
	FILE *out = fopen("/dev/null", "w");

	for (i = 0; i < nb; i++) {
		char *l[] = { rec("bpf-ma", P_OVER, 2, sb[i], "ok", "kvm") };

		mkrun(&rb[i], l, 1);
	}
	for (i = 0; i < nn; i++) {
		char *l[] = { rec("bpf-ma", P_OVER, 2, sn[i], "ok", "kvm") };

		mkrun(&rn[i], l, 1);
	}
	runs_pool(rb, nb, &pb);
	runs_pool(rn, nn, &pn);
	assert_int_equal(pb.pooled, nb);
	assert_int_equal(pb.npts, 1);
	assert_int_equal(pb.pts[0].nsamples, nb);
	ret = compare_runs(&pb, &pn, &o, out);
	fclose(out);
	run_free(&pb);
	run_free(&pn);
	for (i = 0; i < nb; i++)
		run_free(&rb[i]);
	for (i = 0; i < nn; i++)
		run_free(&rn[i]);
	return ret;
}

static void test_pooled_runs(void **state)
{
	const char *const base[] = { S100, S101 };
	const char *const slow[] = { S90, "[91,92,90,91.5,90.5]" };
	const char *const shifted[] = { S90, "[108,109,107,108.5,107.5]" };

	/* Both runs 10% slower: a regression between runs. */
	assert_int_equal(pooled(base, 2, slow, 2), 1);
	/* One new run slower, one faster: the runs disagree, no verdict. */
	assert_int_equal(pooled(base, 2, shifted, 2), 0);
	/* One run against two: no spread on one side, cannot compare. */
	assert_int_equal(pooled(base, 2, slow, 1), 2);
	/* The same single runs are a regression without pooling. */
	assert_int_equal(pair(P_OVER, S100, P_OVER, S90, "ok", "kvm", false), 1);
}

/* Pooled memory is the mean over the runs; min_n 3 refuses 2 runs a side. */
static void test_pooled_memory_min_n(void **state)
{
	static const char *const peak[] = { "1992294", "2202010", "2097152" };
	struct run r[3], p, q[3], pq;
	struct compare_opts o = { .threshold = 5, .alpha = 0.01, .max_sd = 10,
				  .min_n = 3, .mem_threshold = 20,
				  .mem_floor = 256 * 1024 };
	FILE *out = fopen("/dev/null", "w");
	size_t i;

	for (i = 0; i < 3; i++) {
		char *l[] = { xasprintf("{\"schema\":1,\"variant\":\"bpf-ma\",\"workload\":\"htab_churn\","
					"\"params\":%s,\"threads\":2,\"samples\":%s,\"status\":\"ok\","
					"\"accel\":\"kvm\",\"mem_bytes\":{\"peak\":%s,\"idle\":%s}}",
					P_OVER, S100, peak[i], peak[i]) };
		char *m[] = { rec("bpf-ma", P_OVER, 2, S100, "ok", "kvm") };

		mkrun(&r[i], l, 1);
		mkrun(&q[i], m, 1);	/* peak 4 MiB, no idle */
	}
	runs_pool(r, 3, &p);
	assert_float_equal(p.pts[0].mem_peak, 2097152, 1e-6);
	assert_float_equal(p.pts[0].mem_idle, 2097152, 1e-6);
	assert_int_equal(p.pts[0].nmem_peak, 3);
	runs_pool(q, 3, &pq);
	/* 2 MiB -> 4 MiB peak: +100 %, more than 256 KiB, p < 0.01: a regression */
	assert_int_equal(compare_runs(&p, &pq, &o, out), 1);
	run_free(&p);
	/* 1, 3, 2 MiB: the runs' spread explains it (p = 0.07): inconclusive */
	{
		char *l[] = { xasprintf("{\"schema\":1,\"variant\":\"bpf-ma\",\"workload\":\"htab_churn\","
					"\"params\":%s,\"threads\":2,\"samples\":%s,\"status\":\"ok\","
					"\"accel\":\"kvm\",\"mem_bytes\":{\"peak\":1048576}}", P_OVER, S100) };
		char *m[] = { xasprintf("{\"schema\":1,\"variant\":\"bpf-ma\",\"workload\":\"htab_churn\","
					"\"params\":%s,\"threads\":2,\"samples\":%s,\"status\":\"ok\","
					"\"accel\":\"kvm\",\"mem_bytes\":{\"peak\":3145728}}", P_OVER, S100) };

		run_free(&r[0]);
		run_free(&r[1]);
		mkrun(&r[0], l, 1);
		mkrun(&r[1], m, 1);
	}
	runs_pool(r, 3, &p);
	assert_int_equal(compare_runs(&p, &pq, &o, out), 0);
	run_free(&pq);
	run_free(&p);
	/* two runs a side: the same ops/s cannot be judged with min_n 3 */
	runs_pool(r, 2, &p);
	runs_pool(r + 1, 2, &pq);
	o.mem_threshold = 0;
	assert_int_equal(compare_runs(&p, &pq, &o, out), 2);
	o.min_n = 2;
	assert_int_equal(compare_runs(&p, &pq, &o, out), 0);
	run_free(&pq);
	run_free(&p);
	for (i = 0; i < 3; i++) {
		run_free(&r[i]);
		run_free(&q[i]);
	}
	fclose(out);
}

/* A point failed in one of three runs: left out on the base side (n=2),
 * a regression on the new side. */
static void test_pooled_partial_failure(void **state)
{
	const char *st[] = { "ok", "failed", "ok" };
	struct run r[3], g[3], pr, pg;
	struct compare_opts o = { .threshold = 5, .alpha = 0.01, .max_sd = 10, .min_n = 2 };
	FILE *out = fopen("/dev/null", "w");
	size_t i;

	for (i = 0; i < 3; i++) {
		char *l[] = { rec("bpf-ma", P_OVER, 2, S100, st[i], "kvm") };
		char *m[] = { rec("bpf-ma", P_OVER, 2, S101, "ok", "kvm") };

		mkrun(&r[i], l, 1);
		mkrun(&g[i], m, 1);
	}
	runs_pool(r, 3, &pr);
	runs_pool(g, 3, &pg);
	assert_string_equal(pr.pts[0].status, "ok");
	assert_int_equal(pr.pts[0].nsamples, 2);
	assert_true(!strncmp(pr.pts[0].reason, "not ok in 1 of 3 runs (failed: VM timeout)", 40));
	assert_int_equal(compare_runs(&pr, &pg, &o, out), 0);
	assert_int_equal(compare_runs(&pg, &pr, &o, out), 1);
	run_free(&pr);
	run_free(&pg);
	for (i = 0; i < 3; i++) {
		run_free(&r[i]);
		run_free(&g[i]);
	}
	fclose(out);
}

static int setup(void **state)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpl);
	int ret = system(cmd);

	free(cmd);
	return ret;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_key),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_too_few_samples),
		cmocka_unit_test(test_regression_wins),
		cmocka_unit_test(test_not_comparable),
		cmocka_unit_test(test_overlap_is_comparable),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_reviewer_line),
		cmocka_unit_test(test_qp_nmi_lines),
		cmocka_unit_test(test_last_record_wins),
		cmocka_unit_test(test_pooled_runs),
		cmocka_unit_test(test_pooled_memory_min_n),
		cmocka_unit_test(test_pooled_partial_failure),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
