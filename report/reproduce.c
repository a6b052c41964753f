// SPDX-License-Identifier: GPL-2.0
/*
 * reproduce: a published table (reproduce/<case>.json) next to our run,
 * converted to the published unit, with the ratios that carry across
 * machines (speed-up from one thread, one strategy over another).
 * --matrix prints the sweep that reproduces it, one KEY=VALUE a line.
 *
 * Every row names the message its numbers come from: "source" is an
 * object (list, subject, date, author, and message_id or url) or the
 * name of one in the file's "sources". A data file with a row that has
 * no such source is refused, in both modes.
 */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abreport.h"
#include "profile.h"

#define MIB	(1024.0 * 1024.0)

struct conv {
	double divide;
	bool per_thread;
	double scale;
	const char *count;	/* NULL: from ops/s; else counters.<count> / duration_s */
	bool mem_mean;		/* mem_mib is the mean of the per-second samples */
};

struct ours {
	const struct point *p;	/* NULL: not in the run */
	const char *why;	/* why there is no value */
	int threads;		/* the threads we ran (capped) */
	double ops;		/* converted to the published unit */
	int matches;		/* ok points that fit the row */
};

static int run_cpus(const struct run *run)
{
	int cpus = (int)json_num(run->meta, "cpus", 0);
	size_t i;

	for (i = 0; i < run->npts; i++)
		if (run->pts[i].cpus > cpus)
			cpus = run->pts[i].cpus;
	return cpus;
}

static void conv_load(json_t *pub, struct conv *c)
{
	json_t *u = json_object_get(pub, "unit");

	c->divide = json_num(u, "divide", 1);
	c->per_thread = json_is_true(json_object_get(u, "per_thread"));
	c->scale = json_num(u, "scale", 1);
	c->count = json_str(u, "count", NULL);
	c->mem_mean = !strcmp(json_str(u, "memory", "end"), "mean");
	if (c->divide <= 0)
		c->divide = 1;
}

/* The published unit from one of our points. */
static double convert(const struct point *p, const struct conv *c)
{
	double per = c->per_thread ? p->threads : 1, secs;

	if (!c->count)
		return p->mean / c->divide / per * c->scale;
	secs = json_num(p->rec, "duration_s", 0);
	if (secs <= 0 || !json_is_integer(json_object_get(json_object_get(p->rec, "counters"),
							  c->count)))
		return NAN;
	return json_num(json_object_get(p->rec, "counters"), c->count, 0) / secs / per *
	       c->scale;
}

static int cap(int threads, int cpus)
{
	return cpus > 0 && threads > cpus ? cpus : threads;
}

/* Our point for one published (row, threads), converted. */
static void ours_find(const struct run *run, json_t *row, int threads,
		      const struct conv *c, struct ours *o)
{
	const char *w = json_str(row, "workload", NULL);
	const char *v = json_str(row, "variant", NULL);
	json_t *want = json_object_get(row, "params");
	size_t i;

	memset(o, 0, sizeof(*o));
	o->threads = cap(threads, run_cpus(run));
	o->ops = NAN;
	o->why = w ? "not in the run" : json_str(row, "note", "not measured by the suite");
	if (!w || !v)
		return;
	for (i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];

		if (strcmp(p->workload, w) || strcmp(p->variant, v) ||
		    p->threads != o->threads || !params_subset(want, p->params))
			continue;
		if (strcmp(p->status, "ok")) {
			o->why = *p->reason ? p->reason : p->status;
			continue;
		}
		if (!o->matches++) {
			o->p = p;
			o->ops = convert(p, c);
		}
	}
}

static void print_cell(double v, const char *fmt)
{
	if (isnan(v))
		printf("%9s", "-");
	else
		printf(fmt, v);
}

/* Peak, or the published average's counterpart: the end value, or our mean. */
static double mem_mib(const struct point *p, bool peak, const struct conv *c)
{
	double b = !p ? -1 : peak ? p->mem_peak :
		   c->mem_mean ? json_num(json_object_get(p->rec, "mem_bytes"), "mean", -1) :
		   p->mem_end;

	return b < 0 ? NAN : b / MIB;
}

/* The source a row resolves to: its own object, or the entry of "sources" it names. */
static json_t *row_source(json_t *pub, json_t *row)
{
	json_t *s = json_object_get(row, "source");

	if (json_is_string(s))
		s = json_object_get(json_object_get(pub, "sources"), json_string_value(s));
	return json_is_object(s) ? s : NULL;
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return true;
	return false;
}

/* YYYY-MM-DD at the start (a time and zone may follow). */
static bool is_date(const char *s)
{
	int i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return false;
	return !s[10] || s[10] == 'T' || s[10] == ' ';
}

/*
 * Why a row has no exact source, or NULL: the message its numbers appear
 * in must be named by list, subject, date, author, and a message id
 * (without the angle brackets) or an archive URL, or both.
 */
static const char *source_why(json_t *pub, json_t *row)
{
	static const char *const need[] = { "list", "subject", "date", "author" };
	static char why[160];
	json_t *ref = json_object_get(row, "source"), *s = row_source(pub, row);
	json_t *mid, *url;
	size_t i;

	if (!ref)
		return "no \"source\"";
	if (json_is_string(ref) && !s) {
		snprintf(why, sizeof(why), "source \"%.64s\" is not in \"sources\"",
			 json_string_value(ref));
		return why;
	}
	if (!s)
		return "\"source\" is neither an object nor the name of one in \"sources\"";
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		const char *v = json_string_value(json_object_get(s, need[i]));

		if (!v || !*v) {
			snprintf(why, sizeof(why), "source without \"%s\"", need[i]);
			return why;
		}
	}
	if (!is_date(json_string_value(json_object_get(s, "date"))))
		return "source date is not YYYY-MM-DD (a time may follow)";
	mid = json_object_get(s, "message_id");
	url = json_object_get(s, "url");
	if (!mid && !url)
		return "source without \"message_id\" or \"url\"";
	if (mid && (!json_is_string(mid) || !strchr(json_string_value(mid), '@') ||
		    has_space(json_string_value(mid)) ||
		    strpbrk(json_string_value(mid), "<>")))
		return "source message_id is not local@domain (no brackets, no spaces)";
	if (url && (!json_is_string(url) || has_space(json_string_value(url)) ||
		    (strncmp(json_string_value(url), "https://", 8) &&
		     strncmp(json_string_value(url), "http://", 7))))
		return "source url is not an http(s) address";
	return NULL;
}

static void print_entry(const struct run *run, json_t *row, json_t *e,
			const struct conv *c, int src)
{
	int t = (int)json_num(e, "threads", 0);
	double pub = json_num(e, "ops", NAN);
	struct ours o;

	ours_find(run, row, t, c, &o);
	printf("%-40.40s %3d", json_str(row, "label", "?"), t);
	print_cell(pub, "%9.3f");
	print_cell(o.ops, "%9.3f");
	print_cell(o.ops / pub, "%8.2fx");
	print_cell(json_num(e, "mem_mib", NAN), "%9.2f");
	print_cell(mem_mib(o.p, false, c), "%9.2f");
	print_cell(json_num(e, "peak_mib", NAN), "%9.2f");
	print_cell(mem_mib(o.p, true, c), "%9.2f");
	printf("  [%d]", src);
	if (!o.p)
		printf("  ours: %s", o.why);
	if (o.matches > 1)
		printf("  (%d points fit the row: the first is shown)", o.matches);
	if (o.threads != t)
		printf("  (ours at %d threads: capped at the CPUs)", o.threads);
	putchar('\n');
}

static json_t *row_by_id(json_t *pub, const char *id)
{
	json_t *rows = json_object_get(pub, "rows"), *r;
	size_t i;

	json_array_foreach(rows, i, r)
		if (!strcmp(json_str(r, "id", ""), id))
			return r;
	return NULL;
}

/* Published and our value of a row at published thread count t. */
static void values_at(const struct run *run, json_t *row, int t,
		      const char *field, const struct conv *c,
		      double *pub, double *ours)
{
	json_t *e;
	size_t i;
	struct ours o;

	*pub = NAN;
	*ours = NAN;
	json_array_foreach(json_object_get(row, "published"), i, e)
		if ((int)json_num(e, "threads", 0) == t)
			*pub = json_num(e, field, NAN);
	ours_find(run, row, t, c, &o);
	if (!strcmp(field, "ops"))
		*ours = o.ops;
	else if (!strcmp(field, "mem_mib"))
		*ours = mem_mib(o.p, false, c);
	else if (!strcmp(field, "peak_mib"))
		*ours = mem_mib(o.p, true, c);
}

static void print_ratio_line(const char *label, int t, int ours_t,
			     double pub, double ours)
{
	printf("%-52.52s %3d", label, t);
	print_cell(pub, "%8.2fx");
	print_cell(ours, "%8.2fx");
	if (ours_t != t)
		printf("  (ours at %d threads)", ours_t);
	putchar('\n');
}

static void ratio_rows(const struct run *run, json_t *pub, json_t *r,
		       const struct conv *c)
{
	json_t *num = row_by_id(pub, json_str(r, "num", ""));
	json_t *den = row_by_id(pub, json_str(r, "den", ""));
	const char *field = json_str(r, "field", "ops");
	int cpus = run_cpus(run);
	json_t *e;
	size_t i;

	if (!num || !den) {
		printf("%s: rows %s / %s not in the data file\n",
		       json_str(r, "label", "?"), json_str(r, "num", "?"),
		       json_str(r, "den", "?"));
		return;
	}
	json_array_foreach(json_object_get(num, "published"), i, e) {
		int t = (int)json_num(e, "threads", 0);
		double pn, on, pd, od;

		values_at(run, num, t, field, c, &pn, &on);
		values_at(run, den, t, field, c, &pd, &od);
		print_ratio_line(json_str(r, "label", "?"), t, cap(t, cpus),
				 pn / pd, on / od);
	}
}

static void ratio_speedup(const struct run *run, json_t *pub, json_t *r,
			  const struct conv *c)
{
	json_t *row = row_by_id(pub, json_str(r, "row", ""));
	json_t *list = json_object_get(row, "published"), *e;
	int cpus = run_cpus(run), t0;
	double p0, o0;
	size_t i;

	if (!row || !json_array_size(list)) {
		printf("%s: row %s not in the data file\n",
		       json_str(r, "label", "?"), json_str(r, "row", "?"));
		return;
	}
	t0 = (int)json_num(json_array_get(list, 0), "threads", 1);
	values_at(run, row, t0, "ops", c, &p0, &o0);
	json_array_foreach(list, i, e) {
		int t = (int)json_num(e, "threads", 0);
		double p, o;

		if (!i)
			continue;
		values_at(run, row, t, "ops", c, &p, &o);
		print_ratio_line(json_str(r, "label", "?"), t, cap(t, cpus),
				 p / p0, o / o0);
	}
}

static void print_ratios(const struct run *run, json_t *pub,
			 const struct conv *c)
{
	json_t *r;
	size_t i;

	printf("\nratios (these carry across machines)\n");
	printf("%-52s %3s %9s %9s\n", "ratio", "thr", "published", "ours");
	json_array_foreach(json_object_get(pub, "ratios"), i, r) {
		if (!strcmp(json_str(r, "kind", "rows"), "speedup"))
			ratio_speedup(run, pub, r, c);
		else
			ratio_rows(run, pub, r, c);
	}
}

static void print_header(const struct run *run, json_t *pub)
{
	json_t *u = json_object_get(pub, "unit");
	const char *rel = run->npts ?
		json_str(run->pts[0].rec, "kernel_release", "?") : "?";
	json_t *m = json_object_get(pub, "method");

	printf("%s: %s\n", json_str(pub, "case", "?"), json_str(pub, "title", ""));
	printf("published: %s; %s\n", json_str(pub, "published_setup", "?"),
	       json_str(u, "published", "?"));
	if (json_str(m, "command", NULL)) {
		printf("method:    %s", json_str(m, "command", "?"));
		if (json_is_number(json_object_get(m, "warmup_s")) &&
		    json_is_number(json_object_get(m, "duration_s")))
			printf(" (warm-up %g s, %g s measured)", json_num(m, "warmup_s", 0),
			       json_num(m, "duration_s", 0));
		putchar('\n');
	}
	printf("ours:      %s (target %s, accel %s, %d CPUs, first kernel %s); %s\n",
	       run->dir, json_str(run->meta, "target", run->npts ?
				  json_str(run->pts[0].rec, "target", "?") : "?"),
	       run_accel(run), run_cpus(run), rel, json_str(u, "convert", "?"));
	printf("\n%-40s %3s %9s %9s %9s %9s %9s %9s %9s  %s\n", "row", "thr",
	       "published", "ours", "ours/pub", "mem pub", "mem ours",
	       "peak pub", "peak ours", "src");
}

/* One line for a source: author, day, list, subject, and where to read it. */
static void print_source(int n, json_t *s)
{
	const char *author = json_str(s, "author", "?");
	const char *lt = strstr(author, " <");
	const char *url = json_str(s, "url", NULL);

	printf("[%d] %.*s, %.10s, %s: %s", n,
	       lt ? (int)(lt - author) : (int)strlen(author), author,
	       json_str(s, "date", "?"), json_str(s, "list", "?"),
	       json_str(s, "subject", "?"));
	if (url)
		printf(" %s\n", url);
	else
		printf(" <%s>\n", json_str(s, "message_id", "?"));
}

static int print_table(const struct run *run, json_t *pub)
{
	json_t *rows = json_object_get(pub, "rows"), *row, *e;
	size_t i, j, nsrc = 0;
	json_t **srcs = xcalloc(json_array_size(rows) + 1, sizeof(*srcs));
	int *tag = xcalloc(json_array_size(rows) + 1, sizeof(*tag));
	struct conv c;

	/* The distinct sources, numbered in the order the rows first use them. */
	json_array_foreach(rows, i, row) {
		json_t *s = row_source(pub, row);

		for (j = 0; j < nsrc && !json_equal(srcs[j], s); j++)
			;
		if (j == nsrc)
			srcs[nsrc++] = s;
		tag[i] = (int)j + 1;
	}
	conv_load(pub, &c);
	print_header(run, pub);
	json_array_foreach(rows, i, row)
		json_array_foreach(json_object_get(row, "published"), j, e)
			print_entry(run, row, e, &c, tag[i]);
	printf("\nsources (src)\n");
	for (j = 0; j < nsrc; j++)
		print_source((int)j + 1, srcs[j]);
	print_ratios(run, pub, &c);
	profile_reproduce(run, pub);
	free(srcs);
	free(tag);
	return 0;
}

/* A name from a list, or NULL. */
static char *name_item(json_t *v, int cpus)
{
	return valid_name(json_string_value(v)) ? xstrdup(json_string_value(v)) : NULL;
}

/* A thread count from a list, capped at cpus, or NULL. */
static char *threads_item(json_t *v, int cpus)
{
	json_int_t x = json_integer_value(v);

	if (!json_is_integer(v) || x < 1 || x > AB_MAX_THREADS)
		return NULL;
	return xasprintf("%d", cap((int)x, cpus));
}

/* Is s one of the sep-separated items of list? */
static bool listed(const char *list, const char *s, const char *sep)
{
	char *l = xasprintf("%s%s%s", sep, list, sep);
	char *x = xasprintf("%s%s%s", sep, s, sep);
	bool found = strstr(l, x) != NULL;

	free(l);
	free(x);
	return found;
}

/* The items of a non-empty array, each once, joined by sep; NULL if one is bad. */
static char *join_list(json_t *arr, const char *sep,
		       char *(*item)(json_t *v, int cpus), int cpus)
{
	char *out;
	json_t *v;
	size_t i;

	if (!json_is_array(arr) || !json_array_size(arr))
		return NULL;
	out = xstrdup("");
	json_array_foreach(arr, i, v) {
		char *s = item(v, cpus), *n;

		if (!s) {
			free(out);
			return NULL;
		}
		if (!listed(out, s, sep)) {
			n = xasprintf("%s%s%s", out, *out ? sep : "", s);
			free(out);
			out = n;
		}
		free(s);
	}
	return out;
}

/*
 * A parameter value: an integer, a name, or {"per_cpu": N, "min": M}
 * (non-negative integers); NULL if it is none of these.
 */
static char *param_value(json_t *v, int cpus)
{
	json_t *pc = json_object_get(v, "per_cpu"), *min = json_object_get(v, "min");

	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_string(v))
		return valid_name(json_string_value(v)) ?
			xstrdup(json_string_value(v)) : NULL;
	if (!json_is_object(v) || !json_is_integer(pc) || !json_is_integer(min) ||
	    json_integer_value(pc) < 0 || json_integer_value(pc) > 1 << 24 ||
	    json_integer_value(min) < 0)
		return NULL;
	if (json_integer_value(pc) * cpus > json_integer_value(min))
		return xasprintf("%lld", (long long)json_integer_value(pc) * cpus);
	return xasprintf("%lld", (long long)json_integer_value(min));
}

/* "k=v k=v" of the matrix's fixed parameters; NULL if one is bad. */
static char *join_params(json_t *params, int cpus)
{
	char *out = xstrdup("");
	const char *k;
	json_t *v;

	if (params && !json_is_object(params)) {
		free(out);
		return NULL;
	}
	json_object_foreach(params, k, v) {
		char *val = valid_name(k) ? param_value(v, cpus) : NULL, *n;

		if (!val) {
			free(out);
			return NULL;
		}
		n = xasprintf("%s%s%s=%s", out, *out ? " " : "", k, val);
		free(val);
		free(out);
		out = n;
	}
	return out;
}

/* method.<key>: seconds the source measured with, at least min; -1 if not stated. */
static void method_seconds(const char *path, json_t *pub, const char *key, long long min,
			   long long *out)
{
	json_t *v = json_object_get(json_object_get(pub, "method"), key);

	*out = -1;
	if (!v)
		return;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > 86400)
		die_usage("reproduce: %s: method %s is not a number of seconds", path, key);
	*out = json_integer_value(v);
}

/*
 * The sweep, one KEY=VALUE a line for make reproduce to read (never to
 * evaluate): TARGET host or vm, VARIANTS names, WORKLOADS names, THREADS
 * counts, PARAMS k=v of names and integers, and WARMUP and DURATION
 * (seconds) when the source's method states them. Anything else in the
 * data file is a usage error, and nothing is printed.
 */
static int print_matrix(const char *path, json_t *pub, int cpus)
{
	static const char *const what[] = { "variants", "workloads", "threads", "params" };
	json_t *m = json_object_get(pub, "matrix"), *t = json_object_get(m, "target");
	const char *target = t ? json_string_value(t) : "vm";
	long long warmup, duration;
	char *v[4];
	size_t i;

	if (!json_is_object(m))
		die_usage("reproduce: %s has no \"matrix\"", path);
	if (!target || (strcmp(target, "host") && strcmp(target, "vm")))
		die_usage("reproduce: %s: matrix target is not host or vm", path);
	v[0] = join_list(json_object_get(m, "variants"), " ", name_item, cpus);
	v[1] = join_list(json_object_get(m, "workloads"), ",", name_item, cpus);
	v[2] = join_list(json_object_get(m, "threads"), ",", threads_item, cpus);
	v[3] = join_params(json_object_get(m, "params"), cpus);
	for (i = 0; i < 4; i++)
		if (!v[i])
			die_usage("reproduce: %s: matrix %s: not a list of names, thread counts (1-%d) or k=v of names and integers",
				  path, what[i], AB_MAX_THREADS);
	method_seconds(path, pub, "warmup_s", 0, &warmup);
	method_seconds(path, pub, "duration_s", 1, &duration);
	printf("TARGET=%s\nVARIANTS=%s\nWORKLOADS=%s\nTHREADS=%s\nPARAMS=%s\n",
	       target, v[0], v[1], v[2], v[3]);
	if (warmup >= 0)
		printf("WARMUP=%lld\n", warmup);
	if (duration >= 0)
		printf("DURATION=%lld\n", duration);
	if (json_is_true(json_object_get(m, "profile")))
		printf("PROFILE=1\n");
	for (i = 0; i < 4; i++)
		free(v[i]);
	return 0;
}

static json_t *load_published(const char *path)
{
	json_error_t err;
	json_t *pub = json_load_capped(path, &err), *row;
	size_t i;

	if (!pub) {
		ascii_clean(err.text);
		die_usage("reproduce: %s:%d: %s", path, err.line, err.text);
	}
	if (!json_is_array(json_object_get(pub, "rows")))
		die_usage("reproduce: %s: no \"rows\" array", path);
	json_clean(pub);
	json_array_foreach(json_object_get(pub, "rows"), i, row) {
		const char *why = source_why(pub, row);
		const char *id = json_str(row, "id", NULL);

		if (why) {
			if (id)
				die_usage("reproduce: %s: row %.64s: %s", path, id, why);
			die_usage("reproduce: %s: row #%zu: %s", path, i + 1, why);
		}
	}
	return pub;
}

/* --cpus: 1..4096. */
static int parse_cpus(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	return end != s && !*end && n >= 1 && n <= 4096 ? (int)n : 0;
}

int cmd_reproduce(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "published", required_argument, NULL, 'p' },
		{ "run", required_argument, NULL, 'r' },
		{ "matrix", no_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ 0 }
	};
	const char *path = NULL, *dir = NULL;
	bool matrix = false;
	int c, cpus = 0, ret;
	struct run run;
	json_t *pub;

	/*
	 * A bad option ends the parse here: getopt_long must not be called
	 * again with optind moved past argc (it never returns -1 then).
	 */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': path = optarg; break;
		case 'r': dir = optarg; break;
		case 'm': matrix = true; break;
		case 'c': cpus = parse_cpus(optarg); break;
		default:
			die_usage("reproduce: bad or incomplete option '%s' (see abreport reproduce --help)",
				  argv[optind - 1]);
		}
	}
	if (!path || optind != argc || matrix == !!dir || (matrix && cpus <= 0))
		die_usage("usage: abreport reproduce --published FILE (--run RUNDIR | --matrix --cpus N)");
	pub = load_published(path);
	if (matrix) {
		ret = print_matrix(path, pub, cpus);
		json_decref(pub);
		return ret;
	}
	if (run_load(dir, &run))
		die_usage("reproduce: %s: no results.jsonl there", dir);
	ret = print_table(&run, pub);
	run_free(&run);
	json_decref(pub);
	return ret;
}
