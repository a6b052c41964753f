// SPDX-License-Identifier: GPL-2.0
/*
 * compare: %change of the mean and Welch's t-test per matched point, in
 * the layout of the kernel test robot. Higher ops/s is better. A point
 * regresses when it is worse by more than the threshold and the test is
 * significant, when it was ok in the base and is not in the new run, or
 * when the new run lacks it. A point whose stddev exceeds max_sd percent
 * of its mean on either side is too noisy to judge: per-second samples of
 * one run are not independent of what else the machine does, so the
 * t-test alone would take a change of background load for a change of the
 * kernel. A point with fewer than two samples (or runs, when pooled) on a
 * side cannot be tested at all, and a verdict with such points is not a
 * pass. Each regression is also named on stderr.
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
	size_t improved;
	size_t noisy;
	size_t only_base;
	size_t only_new;
	double worst;		/* most negative significant %change */
	char worst_point[512];
};

/* One line on stderr a regression, whatever else is printed. */
static void __attribute__((format(printf, 3, 4)))
regression(const struct tally *t, const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "abreport: compare: regression: %s%s%s: ",
		t->side ? t->side : "", t->side ? "/" : "", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

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

static void print_header(FILE *out, const char *a, const char *b)
{
	fprintf(out, "%16s %27s\n", a, b);
	fputs("---------------- ---------------------------\n", out);
	fputs("         %stddev     %change         %stddev\n", out);
	fputs("             \\          |                \\\n", out);
}

static void status_change(const struct point *b, const struct point *n,
			  const char *name, struct tally *t, FILE *out)
{
	bool was_ok = !strcmp(b->status, "ok");

	if (!strcmp(b->status, n->status)) {
		fprintf(out, "  %-28s %s  (%s)\n", n->status, "on both sides",
			name);
		return;
	}
	if (was_ok) {
		t->regressed++;
		fprintf(out, "  %-28s %s (%s)  %s  REGRESSION\n",
			"ok ->", n->status, *n->reason ? n->reason : "no reason",
			name);
		regression(t, name, "ok -> %s (%s)", n->status,
			   *n->reason ? n->reason : "no reason");
	} else {
		fprintf(out, "  %-28s %s  %s\n", b->status, "-> ok", name);
	}
}

/* failures (all errnos) / counters.attempts; NAN when the point has no attempts */
static double failure_rate(const struct point *p)
{
	json_t *f = json_object_get(p->rec, "failures"), *v;
	double attempts = json_num(json_object_get(p->rec, "counters"), "attempts", 0), n = 0;
	const char *k;

	if (attempts <= 0)
		return NAN;
	json_object_foreach(f, k, v)
		n += json_is_number(v) ? json_number_value(v) : 0;
	return n / attempts;
}

/*
 * A variant that fails more often can look faster: a failure rate that
 * rose by more than 0.1 percentage point is a regression, whatever ops/s
 * did.
 */
static bool failure_rate_rose(const struct point *b, const struct point *n, const char *name,
			      struct tally *t, FILE *out)
{
	double rb = failure_rate(b), rn = failure_rate(n);

	if (isnan(rn) || rn - (isnan(rb) ? 0 : rb) <= 0.001)
		return false;
	t->regressed++;
	fprintf(out, "  %-28s %.3g%% -> %.3g%%  %s  REGRESSION\n", "failure rate",
		isnan(rb) ? 0 : 100 * rb, 100 * rn, name);
	regression(t, name, "failure rate %.3g%% -> %.3g%%", isnan(rb) ? 0 : 100 * rb, 100 * rn);
	return true;
}

static void compare_point(const struct point *b, const struct point *n,
			  const struct compare_opts *o, bool with_variant,
			  struct tally *t, FILE *out)
{
	char name[512], p[16];
	struct welch w;
	double chg;
	const char *flag = "";

	point_name(name, sizeof(name), n, with_variant);
	t->compared++;
	if (strcmp(b->status, "ok") || strcmp(n->status, "ok")) {
		status_change(b, n, name, t, out);
		return;
	}
	if (failure_rate_rose(b, n, name, t, out))
		return;
	if (b->nsamples < 2 || n->nsamples < 2) {
		t->unjudged++;
		fprintf(out, "%12.0f        %+9.1f%% %12.0f         %s  n too small to judge: base n=%zu, new n=%zu\n",
			b->mean, 100 * (n->mean - b->mean) / fabs(b->mean),
			n->mean, name, b->nsamples, n->nsamples);
		return;
	}
	if (b->mean <= 0) {
		fprintf(out, "  %-28s %s\n", "base ops/s 0: cannot be worse", name);
		return;
	}
	stats_welch(b->samples, b->nsamples, n->samples, n->nsamples, &w);
	chg = 100 * (n->mean - b->mean) / fabs(b->mean);
	if (pct_sd(b) > o->max_sd || pct_sd(n) > o->max_sd) {
		t->noisy++;
		flag = "  noisy";
	} else if (!isnan(w.p) && w.p < o->alpha && fabs(chg) > o->threshold) {
		if (chg < 0) {
			t->regressed++;
			flag = "  REGRESSION";
			regression(t, name, "%+.1f%% (p=%.4f)", chg, w.p);
			if (chg < t->worst) {
				t->worst = chg;
				snprintf(t->worst_point, sizeof(t->worst_point),
					 "%s", name);
			}
		} else {
			t->improved++;
			flag = "  improved";
		}
	}
	if (isnan(w.p))
		snprintf(p, sizeof(p), "n/a");
	else
		snprintf(p, sizeof(p), "%.4f", w.p);
	fprintf(out, "%12.0f ± %2.0f%% %+9.1f%% %12.0f ± %2.0f%%  %s  (p=%s)%s\n",
		b->mean, pct_sd(b), chg, n->mean, pct_sd(n), name, p, flag);
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
		      bool with_variant, struct tally *t, FILE *out)
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

static void verdict_regression(const struct tally *t,
			       const struct compare_opts *o, FILE *out)
{
	fputs("verdict: REGRESSION: ", out);
	if (t->regressed)
		fprintf(out, "%zu of %zu matched points regressed (worse by more than %g%% with p < %g, or no longer ok)",
			t->regressed, t->compared, o->threshold, o->alpha);
	if (t->missing)
		fprintf(out, "%s%zu points of base missing in new",
			t->regressed ? "; " : "", t->missing);
	if (*t->worst_point)
		fprintf(out, "; worst %+.1f%% %s", t->worst, t->worst_point);
	if (t->unjudged)
		fprintf(out, "; %zu not judged (n too small)", t->unjudged);
	if (t->noisy)
		fprintf(out, "; %zu too noisy to judge (stddev > %g%%)",
			t->noisy, o->max_sd);
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
		fprintf(out, "verdict: cannot compare: %zu of %zu matched points could not be judged (n too small for Welch's t-test: 2 samples a side, or 2 runs a side when pooled); none of the others regressed\n",
			t->unjudged, t->compared);
		fprintf(stderr, "abreport: compare: cannot compare: %zu points with too few samples to judge\n",
			t->unjudged);
		return 2;
	}
	fprintf(out, "verdict: no regression: %zu matched points, none worse by more than %g%% with p < %g; %zu improved, %zu too noisy to judge (stddev > %g%%), %zu only in base, %zu only in new\n",
		t->compared, o->threshold, o->alpha, t->improved,
		t->noisy, o->max_sd,
		t->only_base, t->only_new);
	return 0;
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
	struct tally t = { 0 };
	size_t i;
	int err = comparable(b, n, o);

	if (err)
		return err;
	fprintf(out, "base: %s (suite %s, accel %s)\nnew:  %s (suite %s, accel %s)\n",
		b->dir, meta_or(b, "suite_sha"), run_accel(b),
		n->dir, meta_or(n, "suite_sha"), run_accel(n));
	if (b->pooled || n->pooled)
		fprintf(out, "runs pooled: each point's samples are the means of the runs (base %zu, new %zu)\n",
			b->pooled, n->pooled);
	fprintf(out, "higher ops/s is better; threshold %g%%, Welch's t-test p < %g; points with stddev > %g%% of the mean are too noisy to judge\n\n",
		o->threshold, o->alpha, o->max_sd);
	print_header(out, b->id, n->id);
	for (i = 0; i < b->npts; i++) {
		const struct point *np = run_find(n, &b->pts[i], true);

		if (np)
			compare_point(&b->pts[i], np, o, true, &t, out);
	}
	list_lost(b, n, true, &t, out);
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
	struct tally t = { .side = variant };
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
	list_lost(base, &v, false, &t, out);
	list_only(base, &v, base->id, false, true, &t.only_base, out);
	list_only(&v, base, variant, false, false, &t.only_new, out);
	all->compared += t.compared;
	all->regressed += t.regressed;
	all->missing += t.missing;
	all->unjudged += t.unjudged;
	all->improved += t.improved;
	all->noisy += t.noisy;
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
	fprintf(out, "run: %s; base variant %s; higher ops/s is better; threshold %g%%, Welch's t-test p < %g; stddev > %g%%: too noisy to judge\n",
		run->dir, o->base_variant, o->threshold, o->alpha, o->max_sd);
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
	die_usage("usage: abreport compare --base DIR --new DIR [--threshold PCT] [--alpha P] [--max-stddev PCT] [--force] (--base and --new may repeat) | --run DIR --base-variant NAME [--threshold PCT] [--max-stddev PCT]");
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
	size_t i;

	for (i = 0; i < s->n; i++)
		load_or_die(s->dirs[i], &s->runs[i]);
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

static int compare_sides(struct side *a, struct side *b,
			 const struct compare_opts *o)
{
	bool pool = a->n > 1 || b->n > 1;
	struct run *ra = side_load(a, pool), *rb = side_load(b, pool);
	int ret;

	if (pool && (a->n < 2 || b->n < 2))
		fprintf(stderr, "abreport: compare: with several runs on one side, give at least two on each (a side of one run has no spread)\n");
	ret = compare_runs(ra, rb, o, stdout);
	side_free(a, pool);
	side_free(b, pool);
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
		{ "max-stddev", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ 0 }
	};
	struct compare_opts o = { .threshold = 5, .alpha = 0.01, .max_sd = 10 };
	static struct side base, new;
	const char *one = NULL;
	struct run a;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': side_add(&base, optarg); break;
		case 'n': side_add(&new, optarg); break;
		case 'r': one = optarg; break;
		case 'v': o.base_variant = optarg; break;
		case 't': o.threshold = parse_num(optarg, "threshold"); break;
		case 'a': o.alpha = parse_num(optarg, "alpha"); break;
		case 's': o.max_sd = parse_num(optarg, "max-stddev"); break;
		case 'f': o.force = true; break;
		default: usage_compare();
		}
	}
	if (optind != argc)
		usage_compare();
	if (one && o.base_variant && !base.n && !new.n) {
		load_or_die(one, &a);
		ret = compare_variants(&a, &o, stdout);
		run_free(&a);
		return ret;
	}
	if (one || o.base_variant || !base.n || !new.n)
		usage_compare();
	return compare_sides(&base, &new, &o);
}
