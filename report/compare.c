// SPDX-License-Identifier: GPL-2.0
/*
 * compare: %change of the mean and Welch's t-test per matched point, in
 * the layout of the kernel test robot. Higher ops/s is better. Each line
 * shows n per side: the samples of one run, or the runs when several are
 * pooled (each run's mean one sample).
 *
 * The rule (docs/nightly.md says why):
 *  - a point is judged on ops/s only with at least min_n samples a side
 *    (default 3: with 2 a side Welch's test has one to two degrees of
 *    freedom and misses even a -50 % change); fewer: "n too small", and a
 *    verdict with such points is not a pass (exit 2);
 *  - it regresses when it is worse by more than its workload's threshold
 *    and p < alpha; worse by more than the threshold with p >= alpha is
 *    "inconclusive", named in the verdict and on stderr, not a pass
 *    in silence (exit 0 only says no regression was shown);
 *  - a point whose stddev exceeds max_sd percent of its mean on either
 *    side is too noisy to judge, when its samples are the per-second
 *    samples of one run (they are not independent); pooled runs are
 *    independent and Welch's test weighs their spread itself; a noisy
 *    point worse than the threshold is inconclusive, not a pass;
 *  - a workload whose ops/s is set by a sampling rate (records with
 *    perf_event: nmi_alloc counts allocations per perf sample) is not
 *    judged on ops/s; its failure rate and memory are;
 *  - a failure rate that rose by more than 0.1 percentage point is a
 *    regression whatever ops/s did, and ops/s is never called improved
 *    when the failure rate rose at all;
 *  - memory: the peak or the idle footprint higher by more than
 *    mem_threshold percent and by more than mem_floor bytes regresses;
 *    with min_n pooled runs a side, only when Welch's test on the runs'
 *    values gives p < alpha too (else inconclusive);
 *  - a point that was ok and is not regresses, unless the new side's
 *    variant declares it unsupported by design (kernels/variants/<v>,
 *    unsupported=WORKLOAD[:k=v,...] ...): then it is expected;
 *  - a point the new side lacks regresses.
 * Under TCG the figures are functional and relative: a warning says so,
 * and with one run a side (per-second samples: the spread between runs,
 * 10-20 % under TCG, is not in them) a point worse than the threshold is
 * inconclusive, not a regression: pool runs to judge ops/s under TCG.
 * Each regression is also named on stderr, with its %change and p.
 * Exit 0: no regression, 1: regression, 2: usage or not comparable.
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "abreport.h"

struct tally {
	const char *side;	/* variant of a within-run comparison */
	size_t compared;
	size_t regressed;	/* matched points worse, or no longer ok */
	size_t missing;		/* points of base the new side lacks */
	size_t unjudged;	/* too few samples for the t-test */
	size_t inconclusive;	/* worse than the threshold, p >= alpha */
	size_t improved;
	size_t noisy;
	size_t expected;	/* unsupported by design */
	size_t not_ops;		/* ops/s not judged: a sampling rate */
	size_t only_base;
	size_t only_new;
	bool pooled;		/* samples are run means: max_sd does not apply */
	bool tcg_single;	/* one run a side under TCG: ops/s not called */
	double worst;		/* most negative significant %change */
	char worst_point[512];
};

/* One line on stderr a regression, whatever else is printed. */
static void __attribute__((format(printf, 4, 5)))
say(const char *what, const struct tally *t, const char *name,
    const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "abreport: compare: %s: %s%s%s: ", what,
		t->side ? t->side : "", t->side ? "/" : "", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
#define regression(t, name, ...) say("regression", t, name, __VA_ARGS__)

/* The record's point id (run.c), after the variant between two runs. */
static void point_name(char *buf, size_t len, const struct point *p,
		       bool with_variant)
{
	const char *id = json_str(p->rec, "point", "?");

	if (with_variant)
		snprintf(buf, len, "%s/%s", p->variant, id);
	else
		snprintf(buf, len, "%s", id);
}

static double pct_sd(const struct point *p)
{
	if (isnan(p->stddev) || !p->mean)
		return 0;
	return 100 * p->stddev / fabs(p->mean);
}

static double threshold_of(const struct compare_opts *o, const char *w)
{
	size_t i;

	for (i = 0; i < o->nwl; i++)
		if (!strcmp(o->wl_name[i], w))
			return o->wl_thr[i];
	return o->threshold;
}

static size_t min_n(const struct compare_opts *o)
{
	return o->min_n < 2 ? 2 : o->min_n;
}

/* One verdict object for --json (and the nightly history). */
static json_t *verdict_obj(const struct compare_opts *o, const struct point *b,
			   const struct point *n, const char *name,
			   const struct tally *t)
{
	const struct point *p = n ? n : b;
	json_t *v;

	if (!o->verdicts)
		return NULL;
	v = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}",
		      "name", name, "point", json_str(p->rec, "point", "?"),
		      "variant", t->side ? t->side : p->variant,
		      "workload", p->workload, "threads", p->threads,
		      "params", p->plabel, "verdict", "ok");
	if (b) {
		json_object_set_new(v, "base_status", json_string(b->status));
		json_object_set_new(v, "base_n", json_integer((json_int_t)b->nsamples));
		if (!isnan(b->mean))
			json_object_set_new(v, "base_mean", json_real(b->mean));
		if (!isnan(b->stddev))
			json_object_set_new(v, "base_sd", json_real(b->stddev));
		if (b->mem_peak >= 0)
			json_object_set_new(v, "base_mem_peak", json_real(b->mem_peak));
		if (b->mem_idle >= 0)
			json_object_set_new(v, "base_mem_idle", json_real(b->mem_idle));
	}
	if (n) {
		json_object_set_new(v, "new_status", json_string(n->status));
		json_object_set_new(v, "new_n", json_integer((json_int_t)n->nsamples));
		if (!isnan(n->mean))
			json_object_set_new(v, "new_mean", json_real(n->mean));
		if (!isnan(n->stddev))
			json_object_set_new(v, "new_sd", json_real(n->stddev));
		if (n->mem_peak >= 0)
			json_object_set_new(v, "new_mem_peak", json_real(n->mem_peak));
		if (n->mem_idle >= 0)
			json_object_set_new(v, "new_mem_idle", json_real(n->mem_idle));
	}
	json_array_append_new(o->verdicts, v);
	return v;
}

static void set_verdict(json_t *v, const char *verdict, const char *why)
{
	const char *was;

	if (!v)
		return;
	was = json_str(v, "verdict", "ok");
	/* a regression is never overwritten by a lesser verdict */
	if (!strcmp(was, "regression") && strcmp(verdict, "regression"))
		return;
	json_object_set_new(v, "verdict", json_string(verdict));
	if (why) {
		json_t *w = json_object_get(v, "why");

		if (!w) {
			w = json_array();
			json_object_set_new(v, "why", w);
		}
		json_array_append_new(w, json_string(why));
	}
}

static void print_header(FILE *out, const char *a, const char *b)
{
	fprintf(out, "%16s %27s\n", a, b);
	fputs("---------------- ---------------------------\n", out);
	fputs("         %stddev     %change         %stddev     n base/new\n", out);
	fputs("             \\          |                \\\n", out);
}

/*
 * Is the point unsupported by design on its variant? The declaration
 * kernels/variants/<variant> may carry
 *   unsupported=WORKLOAD[:KEY=VALUE[,KEY=VALUE...]] ...
 * (params in the point's label form, every one given must match).
 */
static bool by_design(const struct compare_opts *o, const struct point *p)
{
	const char *dir = o->variants_dir ? o->variants_dir : "kernels/variants";
	char *path, line[4096];
	bool hit = false;
	FILE *f;

	if (!valid_name(p->variant))
		return false;
	path = xasprintf("%s/%s", dir, p->variant);
	f = fopen(path, "r");
	free(path);
	if (!f)
		return false;
	while (!hit && fgets(line, sizeof(line), f)) {
		char *save = NULL, *w, *c = strchr(line, '#');

		if (c)
			*c = '\0';
		if (strncmp(line, "unsupported=", 12))
			continue;
		for (w = strtok_r(line + 12, " \t\r\n", &save); w && !hit;
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			char *kv = strchr(w, ':'), *s2 = NULL, *one;

			if (kv)
				*kv++ = '\0';
			if (strcmp(w, p->workload))
				continue;
			hit = true;
			for (one = kv ? strtok_r(kv, ",", &s2) : NULL; one && hit;
			     one = strtok_r(NULL, ",", &s2)) {
				char *lab = xasprintf(",%s,", p->plabel),
				     *want = xasprintf(",%s,", one);

				hit = strstr(lab, want) != NULL;
				free(lab);
				free(want);
			}
		}
	}
	fclose(f);
	return hit;
}

static void status_change(const struct point *b, const struct point *n,
			  const char *name, const struct compare_opts *o,
			  struct tally *t, json_t *v, FILE *out)
{
	bool was_ok = !strcmp(b->status, "ok");

	if (!strcmp(n->status, "unsupported") && by_design(o, n)) {
		t->expected++;
		fprintf(out, "  %-28s %s (%s)  %s\n", "unsupported by design",
			*n->reason ? n->reason : "no reason", n->variant, name);
		set_verdict(v, "expected", "unsupported by design (declared)");
		return;
	}
	if (!strcmp(b->status, n->status)) {
		fprintf(out, "  %-28s %s  (%s)\n", n->status, "on both sides",
			name);
		set_verdict(v, "same_status", NULL);
		return;
	}
	if (was_ok) {
		t->regressed++;
		fprintf(out, "  %-28s %s (%s)  %s  REGRESSION\n",
			"ok ->", n->status, *n->reason ? n->reason : "no reason",
			name);
		regression(t, name, "ok -> %s (%s)", n->status,
			   *n->reason ? n->reason : "no reason");
		set_verdict(v, "regression", "no longer ok");
	} else {
		fprintf(out, "  %-28s %s  %s\n", b->status, "-> ok", name);
		set_verdict(v, "fixed", NULL);
	}
}

/*
 * A variant that fails more often can look faster: a failure rate that
 * rose by more than 0.1 percentage point is a regression, whatever ops/s
 * did. 1: regressed, 0: not, -1: rose a little (ops/s may not improve).
 */
static int failure_rate_rose(const struct point *b, const struct point *n, const char *name,
			     struct tally *t, json_t *v, FILE *out)
{
	double rb = point_failure_rate(b), rn = point_failure_rate(n), r0 = isnan(rb) ? 0 : rb;

	if (v && !isnan(rn))
		json_object_set_new(v, "new_failure_rate", json_real(rn));
	if (v && !isnan(rb))
		json_object_set_new(v, "base_failure_rate", json_real(rb));
	if (isnan(rn) || rn <= r0)
		return 0;
	if (rn - r0 <= 0.001)
		return -1;
	t->regressed++;
	fprintf(out, "  %-28s %.3g%% -> %.3g%%  %s  REGRESSION\n", "failure rate",
		100 * r0, 100 * rn, name);
	regression(t, name, "failure rate %.3g%% -> %.3g%%", 100 * r0, 100 * rn);
	set_verdict(v, "regression", "failure rate rose");
	return 1;
}

/* Memory peak or idle higher by more than the threshold and the floor. */
static void memory_rose(const struct point *b, const struct point *n,
			const char *name, const struct compare_opts *o,
			struct tally *t, json_t *v, FILE *out)
{
	const struct {
		const char *what;
		double b, n;
		const double *bs, *ns;
		size_t nb, nn;
	} m[] = {
		{ "memory peak", b->mem_peak, n->mem_peak, b->mem_peak_s,
		  n->mem_peak_s, b->nmem_peak, n->nmem_peak },
		{ "memory idle", b->mem_idle, n->mem_idle, b->mem_idle_s,
		  n->mem_idle_s, b->nmem_idle, n->nmem_idle },
	};
	size_t i;

	if (o->mem_threshold <= 0)
		return;
	for (i = 0; i < 2; i++) {
		struct welch w = { .p = NAN };
		char p[80] = "";
		double chg;

		if (m[i].b <= 0 || m[i].n < 0)
			continue;
		chg = 100 * (m[i].n - m[i].b) / m[i].b;
		if (chg <= o->mem_threshold || m[i].n - m[i].b <= o->mem_floor)
			continue;
		/* pooled runs: as ops/s, the runs' spread must not explain it */
		if (m[i].nb >= min_n(o) && m[i].nn >= min_n(o)) {
			stats_welch(m[i].bs, m[i].nb, m[i].ns, m[i].nn, &w);
			snprintf(p, sizeof(p), ", p=%.4f, n=%zu/%zu", w.p, m[i].nb, m[i].nn);
			if (!(w.p < o->alpha)) {
				t->inconclusive++;
				fprintf(out, "  %-28s %.2f MiB -> %.2f MiB (%+.1f%%%s)  %s  INCONCLUSIVE (not significant)\n",
					m[i].what, m[i].b / 1048576, m[i].n / 1048576, chg, p, name);
				say("inconclusive", t, name, "%s %+.1f%% (%.2f -> %.2f MiB%s): not significant",
				    m[i].what, chg, m[i].b / 1048576, m[i].n / 1048576, p);
				set_verdict(v, "inconclusive", m[i].what);
				continue;
			}
		}
		t->regressed++;
		fprintf(out, "  %-28s %.2f MiB -> %.2f MiB (%+.1f%%%s)  %s  REGRESSION\n",
			m[i].what, m[i].b / 1048576, m[i].n / 1048576, chg, p, name);
		regression(t, name, "%s %+.1f%% (%.2f -> %.2f MiB%s)", m[i].what,
			   chg, m[i].b / 1048576, m[i].n / 1048576, p);
		set_verdict(v, "regression", m[i].what);
	}
}

/* ops/s of a workload whose rate is set by perf sampling (nmi_alloc) */
static bool rate_is_sampling(const struct point *p)
{
	return json_object_get(p->rec, "perf_event") != NULL;
}

static void compare_point(const struct point *b, const struct point *n,
			  const struct compare_opts *o, bool with_variant,
			  struct tally *t, FILE *out)
{
	char name[512], p[16];
	struct welch w;
	double chg, thr = threshold_of(o, n->workload);
	const char *flag = "";
	json_t *v;
	int fr;

	point_name(name, sizeof(name), n, with_variant);
	v = verdict_obj(o, b, n, name, t);
	t->compared++;
	if (strcmp(b->status, "ok") || strcmp(n->status, "ok")) {
		status_change(b, n, name, o, t, v, out);
		return;
	}
	if (!strncmp(n->reason, "not ok in ", 10)) {
		/* pooled: the point failed in some of the new runs */
		t->regressed++;
		fprintf(out, "  %-28s %s  %s  REGRESSION\n", "ok ->", n->reason, name);
		regression(t, name, "ok -> %s", n->reason);
		set_verdict(v, "regression", "not ok in some runs");
		return;
	}
	if (!strncmp(b->reason, "not ok in ", 10))
		fprintf(out, "  %-28s %s: those runs left out (n=%zu)  %s\n", "base",
			b->reason, b->nsamples, name);
	fr = failure_rate_rose(b, n, name, t, v, out);
	memory_rose(b, n, name, o, t, v, out);
	if (fr > 0)
		return;
	if (rate_is_sampling(n)) {
		t->not_ops++;
		fprintf(out, "%12.0f        %+9.1f%% %12.0f         %s  ops/s not judged: the perf sampling rate sets it\n",
			b->mean, 100 * (n->mean - b->mean) / fabs(b->mean), n->mean, name);
		set_verdict(v, "ops_not_judged", "ops/s is the sampling rate");
		return;
	}
	if (b->nsamples < min_n(o) || n->nsamples < min_n(o)) {
		t->unjudged++;
		fprintf(out, "%12.0f        %+9.1f%% %12.0f         %s  n=%zu/%zu: too small to judge (%zu a side)\n",
			b->mean, 100 * (n->mean - b->mean) / fabs(b->mean),
			n->mean, name, b->nsamples, n->nsamples, min_n(o));
		set_verdict(v, "unjudged", "n too small");
		return;
	}
	if (b->mean <= 0) {
		fprintf(out, "  %-28s %s\n", "base ops/s 0: cannot be worse", name);
		return;
	}
	stats_welch(b->samples, b->nsamples, n->samples, n->nsamples, &w);
	chg = 100 * (n->mean - b->mean) / fabs(b->mean);
	if (v) {
		json_object_set_new(v, "change_pct", json_real(chg));
		if (!isnan(w.p))
			json_object_set_new(v, "p", json_real(w.p));
		json_object_set_new(v, "threshold", json_real(thr));
	}
	if (!t->pooled && (pct_sd(b) > o->max_sd || pct_sd(n) > o->max_sd)) {
		if (chg < -thr) {
			/* too noisy to call, too much worse to pass in silence */
			t->inconclusive++;
			flag = "  noisy, INCONCLUSIVE (worse: pool more runs)";
			say("inconclusive", t, name, "%+.1f%% (noisy: stddev %.0f%%/%.0f%%, n=%zu/%zu)",
			    chg, pct_sd(b), pct_sd(n), b->nsamples, n->nsamples);
			set_verdict(v, "inconclusive", "noisy");
		} else {
			t->noisy++;
			flag = "  noisy";
			set_verdict(v, "noisy", NULL);
		}
	} else if (t->tcg_single && chg < -thr) {
		/* one TCG run's seconds: the spread between runs is unseen */
		t->inconclusive++;
		flag = "  INCONCLUSIVE (one run a side under TCG: pool runs)";
		say("inconclusive", t, name, "%+.1f%% (p=%.4f, n=%zu/%zu samples of one TCG run a side)",
		    chg, isnan(w.p) ? 1 : w.p, b->nsamples, n->nsamples);
		set_verdict(v, "inconclusive", "one TCG run a side");
	} else if (!isnan(w.p) && w.p < o->alpha && fabs(chg) > thr) {
		if (chg < 0) {
			t->regressed++;
			flag = "  REGRESSION";
			regression(t, name, "%+.1f%% (p=%.4f, n=%zu/%zu)", chg, w.p,
				   b->nsamples, n->nsamples);
			set_verdict(v, "regression", "ops/s");
			if (chg < t->worst) {
				t->worst = chg;
				snprintf(t->worst_point, sizeof(t->worst_point),
					 "%s", name);
			}
		} else if (fr) {
			flag = "  faster, but its failure rate rose: not improved";
		} else {
			t->improved++;
			flag = "  improved";
			set_verdict(v, "improved", NULL);
		}
	} else if (chg < -thr) {
		t->inconclusive++;
		flag = "  INCONCLUSIVE (worse, not significant: more runs)";
		say("inconclusive", t, name, "%+.1f%% (p=%.4f, n=%zu/%zu): worse than %g%% but not significant",
		    chg, isnan(w.p) ? 1 : w.p, b->nsamples, n->nsamples, thr);
		set_verdict(v, "inconclusive", NULL);
	}
	if (isnan(w.p))
		snprintf(p, sizeof(p), "n/a");
	else
		snprintf(p, sizeof(p), "%.4f", w.p);
	fprintf(out, "%12.0f ± %2.0f%% %+9.1f%% %12.0f ± %2.0f%%  n=%zu/%zu  %s  (p=%s)%s\n",
		b->mean, pct_sd(b), chg, n->mean, pct_sd(n), b->nsamples,
		n->nsamples, name, p, flag);
}

/*
 * A point of the base that the new side lacks is lost, a regression:
 * always between two runs (with_variant), and within a run when the other
 * variant ran the point's workload (variants that never ran a workload
 * only list its points).
 */
static bool is_lost(const struct point *p, const struct run *new,
		    bool with_variant)
{
	return with_variant || run_has_workload(new, p->workload);
}

static void list_lost(const struct run *base, const struct run *new,
		      bool with_variant, const struct compare_opts *o,
		      struct tally *t, FILE *out)
{
	size_t i;

	for (i = 0; i < base->npts; i++) {
		const struct point *p = &base->pts[i];
		char name[512];

		if (run_find(new, p, with_variant) || !is_lost(p, new, with_variant))
			continue;
		if (!t->missing++)
			fprintf(out, "\npoints of base missing in new (each a regression):\n");
		point_name(name, sizeof(name), p, with_variant);
		fprintf(out, "  %s (%s in base)  REGRESSION\n", name, p->status);
		regression(t, name, "missing in new");
		set_verdict(verdict_obj(o, p, NULL, name, t), "regression", "missing in new");
	}
}

/* Points of from that other lacks, but for those list_lost() took. */
static void list_only(const struct run *from, const struct run *other,
		      const char *side, bool with_variant, bool from_base,
		      size_t *count, FILE *out)
{
	size_t i;

	for (i = 0; i < from->npts; i++) {
		const struct point *p = &from->pts[i];
		char name[512];

		if (run_find(other, p, with_variant) ||
		    (from_base && is_lost(p, other, with_variant)))
			continue;
		if (!(*count)++)
			fprintf(out, "\npoints only in %s:\n", side);
		point_name(name, sizeof(name), p, with_variant);
		fprintf(out, "  %s (%s%s%s)\n", name, p->status,
			*p->reason ? ": " : "", p->reason);
	}
}

/* What else the verdict line says, after its first clause. */
static void verdict_notes(const struct tally *t, const struct compare_opts *o,
			  FILE *out)
{
	if (t->inconclusive)
		fprintf(out, "; %zu inconclusive (worse than the threshold, p >= %g: more runs needed)",
			t->inconclusive, o->alpha);
	if (t->unjudged)
		fprintf(out, "; %zu not judged (n < %zu a side)", t->unjudged, min_n(o));
	if (t->noisy)
		fprintf(out, "; %zu too noisy to judge (stddev > %g%%)",
			t->noisy, o->max_sd);
	if (t->not_ops)
		fprintf(out, "; %zu ops/s not judged (sampling rate)", t->not_ops);
	if (t->expected)
		fprintf(out, "; %zu unsupported by design", t->expected);
}

static void verdict_regression(const struct tally *t,
			       const struct compare_opts *o, FILE *out)
{
	fputs("verdict: REGRESSION: ", out);
	if (t->regressed)
		fprintf(out, "%zu of %zu matched points regressed (worse by more than the threshold with p < %g, failure rate or memory up, or no longer ok)",
			t->regressed, t->compared, o->alpha);
	if (t->missing)
		fprintf(out, "%s%zu points of base missing in new",
			t->regressed ? "; " : "", t->missing);
	if (*t->worst_point)
		fprintf(out, "; worst %+.1f%% %s", t->worst, t->worst_point);
	verdict_notes(t, o, out);
	fputc('\n', out);
}

static int verdict(const struct tally *t, const struct compare_opts *o,
		   FILE *out)
{
	if (t->regressed || t->missing) {
		verdict_regression(t, o, out);
		return 1;
	}
	if (t->unjudged) {
		fprintf(out, "verdict: cannot compare: %zu of %zu matched points could not be judged (n too small for Welch's t-test: %zu samples a side, or %zu runs a side when pooled); none of the others regressed",
			t->unjudged, t->compared, min_n(o), min_n(o));
		verdict_notes(t, o, out);
		fputc('\n', out);
		fprintf(stderr, "abreport: compare: cannot compare: %zu points with too few samples to judge\n",
			t->unjudged);
		return 2;
	}
	fprintf(out, "verdict: no regression: %zu matched points, none worse by more than the threshold with p < %g; %zu improved, %zu only in base, %zu only in new",
		t->compared, o->alpha, t->improved, t->only_base, t->only_new);
	verdict_notes(t, o, out);
	fputc('\n', out);
	return 0;
}

/* TCG: functional and relative figures; said once, on both streams. */
static void tcg_warning(const struct run *b, const struct run *n, FILE *out)
{
	if (strcmp(run_accel(b), "tcg") && strcmp(run_accel(n), "tcg"))
		return;
	fputs("warning: TCG (emulated CPU): figures are functional and relative; a small change between runs is within what TCG's timing varies by: prefer pooled runs (--base/--new repeated) and read %change, not absolute ops/s\n",
	      out);
	fputs("abreport: compare: warning: TCG run: figures are functional and relative\n", stderr);
}

static void print_thresholds(const struct compare_opts *o, FILE *out)
{
	size_t i;

	fprintf(out, "higher ops/s is better; threshold %g%%", o->threshold);
	for (i = 0; i < o->nwl; i++)
		fprintf(out, "%s%s %g%%", i ? ", " : " (", o->wl_name[i], o->wl_thr[i]);
	fprintf(out, "%s, Welch's t-test p < %g with n >= %zu a side; points with stddev > %g%% of the mean are too noisy to judge",
		o->nwl ? ")" : "", o->alpha, min_n(o), o->max_sd);
	if (o->mem_threshold > 0)
		fprintf(out, "; memory peak/idle up by > %g%% and > %.0f KiB regresses",
			o->mem_threshold, o->mem_floor / 1024);
	fputc('\n', out);
}

static const char *meta_or(const struct run *r, const char *key)
{
	const char *v = json_str(r->meta, key, NULL);

	if (v)
		return v;
	if (r->npts)
		return json_str(r->pts[0].rec, key, "?");
	return "?";
}

static int comparable(const struct run *b, const struct run *n,
		      const struct compare_opts *o)
{
	char why[256];

	if (b->schema != AB_SCHEMA || n->schema != AB_SCHEMA) {
		fprintf(stderr, "abreport: compare: different schema (base %d, new %d, this tool reads %d)\n",
			b->schema, n->schema, AB_SCHEMA);
		return 2;
	}
	if (!b->npts || !n->npts) {
		fprintf(stderr, "abreport: compare: %s has no records\n",
			b->npts ? n->dir : b->dir);
		return 2;
	}
	if (strcmp(run_accel(b), run_accel(n)) && !o->force) {
		fprintf(stderr, "abreport: compare: accel %s vs %s: timings do not compare (--force to compare anyway)\n",
			run_accel(b), run_accel(n));
		return 2;
	}
	if (params_mismatch(b, n, why, sizeof(why))) {
		fprintf(stderr, "abreport: compare: %s\n", why);
		return 2;
	}
	return 0;
}

int compare_runs(const struct run *b, const struct run *n,
		 const struct compare_opts *o, FILE *out)
{
	struct tally t = { .pooled = b->pooled > 1 && n->pooled > 1 };
	size_t i;
	int err = comparable(b, n, o);

	t.tcg_single = !t.pooled && (!strcmp(run_accel(b), "tcg") || !strcmp(run_accel(n), "tcg"));

	if (err)
		return err;
	fprintf(out, "base: %s (suite %s, accel %s)\nnew:  %s (suite %s, accel %s)\n",
		b->dir, meta_or(b, "suite_sha"), run_accel(b),
		n->dir, meta_or(n, "suite_sha"), run_accel(n));
	if (b->pooled || n->pooled)
		fprintf(out, "runs pooled: each point's samples are the means of the runs (base %zu, new %zu)\n",
			b->pooled, n->pooled);
	tcg_warning(b, n, out);
	print_thresholds(o, out);
	fputc('\n', out);
	print_header(out, b->id, n->id);
	for (i = 0; i < b->npts; i++) {
		const struct point *np = run_find(n, &b->pts[i], true);

		if (np)
			compare_point(&b->pts[i], np, o, true, &t, out);
	}
	list_lost(b, n, true, o, &t, out);
	list_only(b, n, "base", true, true, &t.only_base, out);
	list_only(n, b, "new", true, false, &t.only_new, out);
	fputc('\n', out);
	return verdict(&t, o, out);
}

/* Points of one variant of run, as a run of their own (borrowed). */
static void variant_view(const struct run *run, const char *variant,
			 struct run *view)
{
	size_t i;

	memset(view, 0, sizeof(*view));
	view->dir = run->dir;
	view->id = (char *)variant;
	view->meta = run->meta;
	view->schema = run->schema;
	view->pts = xcalloc(run->npts, sizeof(*view->pts));
	for (i = 0; i < run->npts; i++)
		if (!strcmp(run->pts[i].variant, variant))
			view->pts[view->npts++] = run->pts[i];
}

static int compare_one_variant(const struct run *base, const struct run *run,
			       const char *variant,
			       const struct compare_opts *o,
			       struct tally *all, FILE *out)
{
	struct tally t = { .side = variant, .pooled = run->pooled > 1,
			   .tcg_single = run->pooled < 2 && !strcmp(run_accel(run), "tcg") };
	struct run v;
	size_t i;

	variant_view(run, variant, &v);
	fprintf(out, "\n%s -> %s\n", base->id, variant);
	print_header(out, base->id, variant);
	for (i = 0; i < base->npts; i++) {
		const struct point *np = run_find(&v, &base->pts[i], false);

		if (np)
			compare_point(&base->pts[i], np, o, false, &t, out);
	}
	list_lost(base, &v, false, o, &t, out);
	list_only(base, &v, base->id, false, true, &t.only_base, out);
	list_only(&v, base, variant, false, false, &t.only_new, out);
	all->compared += t.compared;
	all->regressed += t.regressed;
	all->missing += t.missing;
	all->unjudged += t.unjudged;
	all->improved += t.improved;
	all->noisy += t.noisy;
	all->inconclusive += t.inconclusive;
	all->expected += t.expected;
	all->not_ops += t.not_ops;
	all->only_base += t.only_base;
	all->only_new += t.only_new;
	if (t.worst < all->worst) {
		all->worst = t.worst;
		snprintf(all->worst_point, sizeof(all->worst_point), "%.60s: %.400s",
			 variant, t.worst_point);
	}
	free(v.pts);
	return 0;
}

static bool seen_before(const struct run *run, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(run->pts[j].variant, run->pts[i].variant))
			return true;
	return false;
}

int compare_variants(const struct run *run, const struct compare_opts *o,
		     FILE *out)
{
	struct tally all = { 0 };
	struct run base;
	size_t i;

	if (run->schema != AB_SCHEMA) {
		fprintf(stderr, "abreport: compare: %s has schema %d, this tool reads %d\n",
			run->dir, run->schema, AB_SCHEMA);
		return 2;
	}
	variant_view(run, o->base_variant, &base);
	if (!base.npts) {
		fprintf(stderr, "abreport: compare: variant %s not in %s\n",
			o->base_variant, run->dir);
		free(base.pts);
		return 2;
	}
	fprintf(out, "run: %s; base variant %s\n", run->dir, o->base_variant);
	if (run->pooled)
		fprintf(out, "runs pooled: each point's samples are the means of %zu runs\n",
			run->pooled);
	tcg_warning(run, run, out);
	print_thresholds(o, out);
	for (i = 0; i < run->npts; i++) {
		const char *v = run->pts[i].variant;

		if (strcmp(v, o->base_variant) && !seen_before(run, i))
			compare_one_variant(&base, run, v, o, &all, out);
	}
	free(base.pts);
	fputc('\n', out);
	return verdict(&all, o, out);
}

static void usage_compare(void)
{
	die_usage("usage: abreport compare --base DIR --new DIR [--threshold [WORKLOAD=]PCT] [--alpha P] [--min-n N] [--max-stddev PCT] [--mem-threshold PCT] [--mem-floor KIB] [--as NEWVARIANT=BASEVARIANT] [--json FILE] [--force] (--base and --new may repeat) | --run DIR [--run DIR...] --base-variant NAME [options]");
}

static double parse_num(const char *s, const char *what)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0 || isnan(v))
		die_usage("compare: %s must be a non-negative number, not '%s'",
			  what, s);
	return v;
}

/* --threshold PCT or --threshold WORKLOAD=PCT */
static void parse_threshold(struct compare_opts *o, char *arg)
{
	char *eq = strchr(arg, '=');

	if (!eq) {
		o->threshold = parse_num(arg, "threshold");
		return;
	}
	*eq = '\0';
	if (!valid_name(arg))
		die_usage("compare: --threshold %s=...: not a workload name", arg);
	if (o->nwl == AB_MAX_WL_THRESHOLDS)
		die_usage("compare: at most %d per-workload thresholds", AB_MAX_WL_THRESHOLDS);
	o->wl_name[o->nwl] = arg;
	o->wl_thr[o->nwl++] = parse_num(eq + 1, "threshold");
}

static int load_or_die(const char *dir, struct run *r)
{
	if (!dir || !*dir)
		usage_compare();
	if (run_load(dir, r))
		die_usage("compare: %s: no results.jsonl there", dir);
	return 0;
}

struct side {
	const char *dirs[AB_MAX_RUNS];
	size_t n;
	struct run runs[AB_MAX_RUNS];
	struct run pool;
	const char *as_from, *as_to;	/* variant renamed on this side */
};

static void side_add(struct side *s, const char *dir)
{
	if (s->n == AB_MAX_RUNS)
		die_usage("compare: at most %d runs a side", AB_MAX_RUNS);
	s->dirs[s->n++] = dir;
}

/* Loads a side; pools it when either side has several runs. */
static struct run *side_load(struct side *s, bool pool)
{
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		load_or_die(s->dirs[i], &s->runs[i]);
		for (j = 0; s->as_from && j < s->runs[i].npts; j++)
			if (!strcmp(s->runs[i].pts[j].variant, s->as_from))
				s->runs[i].pts[j].variant = s->as_to;
	}
	if (!pool)
		return &s->runs[0];
	runs_pool(s->runs, s->n, &s->pool);
	return &s->pool;
}

static void side_free(struct side *s, bool pool)
{
	size_t i;

	if (pool)
		run_free(&s->pool);
	for (i = 0; i < s->n; i++)
		run_free(&s->runs[i]);
}

static int write_verdicts(const char *path, const struct compare_opts *o, int ret)
{
	json_t *doc;

	if (!path)
		return ret;
	doc = json_pack("{s:i, s:i, s:O, s:f, s:f, s:I, s:f, s:f}",
			"schema", AB_SCHEMA, "exit", ret, "points", o->verdicts,
			"threshold", o->threshold, "alpha", o->alpha,
			"min_n", (json_int_t)min_n(o), "mem_threshold", o->mem_threshold,
			"max_stddev", o->max_sd);
	if (!doc || json_dump_file(doc, path, JSON_INDENT(1) | JSON_SORT_KEYS)) {
		fprintf(stderr, "abreport: compare: cannot write %s\n", path);
		json_decref(doc);
		return 2;
	}
	json_decref(doc);
	return ret;
}

static int compare_sides(struct side *a, struct side *b,
			 const struct compare_opts *o)
{
	bool pool = a->n > 1 || b->n > 1;
	struct run *ra = side_load(a, pool), *rb = side_load(b, pool);
	int ret;

	if (pool && (a->n < min_n(o) || b->n < min_n(o)))
		fprintf(stderr, "abreport: compare: pooled runs: %zu base, %zu new; %zu a side are needed to judge ops/s\n",
			a->n, b->n, min_n(o));
	ret = compare_runs(ra, rb, o, stdout);
	side_free(a, pool);
	side_free(b, pool);
	return ret;
}

/* --run A [--run B ...] --base-variant V: the runs pooled, then per variant */
static int compare_matrix(struct side *runs, const struct compare_opts *o)
{
	bool pool = runs->n > 1;
	struct run *r = side_load(runs, pool);
	int ret;

	if (pool && runs->n < min_n(o))
		fprintf(stderr, "abreport: compare: %zu runs pooled; %zu are needed to judge ops/s\n",
			runs->n, min_n(o));
	ret = compare_variants(r, o, stdout);
	side_free(runs, pool);
	return ret;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "base", required_argument, NULL, 'b' },
		{ "new", required_argument, NULL, 'n' },
		{ "run", required_argument, NULL, 'r' },
		{ "base-variant", required_argument, NULL, 'v' },
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "min-n", required_argument, NULL, 'm' },
		{ "max-stddev", required_argument, NULL, 's' },
		{ "mem-threshold", required_argument, NULL, 'M' },
		{ "mem-floor", required_argument, NULL, 'F' },
		{ "as", required_argument, NULL, 'A' },
		{ "json", required_argument, NULL, 'j' },
		{ "variants-dir", required_argument, NULL, 'D' },
		{ "force", no_argument, NULL, 'f' },
		{ 0 }
	};
	struct compare_opts o = { .threshold = 5, .alpha = 0.01, .max_sd = 10,
				  .min_n = 3, .mem_threshold = 20,
				  .mem_floor = 256 * 1024 };
	static struct side base, new, runs;
	const char *json = NULL;
	char *eq;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': side_add(&base, optarg); break;
		case 'n': side_add(&new, optarg); break;
		case 'r': side_add(&runs, optarg); break;
		case 'v': o.base_variant = optarg; break;
		case 't': parse_threshold(&o, optarg); break;
		case 'a': o.alpha = parse_num(optarg, "alpha"); break;
		case 'm': o.min_n = (size_t)parse_num(optarg, "min-n"); break;
		case 's': o.max_sd = parse_num(optarg, "max-stddev"); break;
		case 'M': o.mem_threshold = parse_num(optarg, "mem-threshold"); break;
		case 'F': o.mem_floor = 1024 * parse_num(optarg, "mem-floor"); break;
		case 'A':
			eq = strchr(optarg, '=');
			if (!eq)
				die_usage("compare: --as wants NEWVARIANT=BASEVARIANT, not '%s'", optarg);
			*eq = '\0';
			if (!valid_name(optarg) || !valid_name(eq + 1))
				die_usage("compare: --as: not variant names");
			new.as_from = optarg;
			new.as_to = eq + 1;
			break;
		case 'j': json = optarg; break;
		case 'D': o.variants_dir = optarg; break;
		case 'f': o.force = true; break;
		default: usage_compare();
		}
	}
	if (optind != argc)
		usage_compare();
	if (json)
		o.verdicts = json_array();
	if (runs.n && o.base_variant && !base.n && !new.n) {
		ret = compare_matrix(&runs, &o);
	} else {
		if (runs.n || o.base_variant || !base.n || !new.n)
			usage_compare();
		ret = compare_sides(&base, &new, &o);
	}
	ret = write_verdicts(json, &o, ret);
	json_decref(o.verdicts);
	return ret;
}
