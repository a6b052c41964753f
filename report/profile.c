// SPDX-License-Identifier: GPL-2.0
/*
 * The report's profiles (allocbench run --profile): per point, the top
 * symbols of every variant side by side (self share, --no-children), and
 * one flame graph per variant of the folded stacks, drawn by d3-flame-graph
 * (npm; make deps installs it under BUILD/npm). The renderer's scripts are
 * copied into the report (report/vendor/) and each graph's data is a
 * script of its own (report/flame/N.js), so the page works offline from
 * file://.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abreport.h"
#include "doc.h"
#include "profile.h"

#define TOP_ROWS	12	/* symbols a table shows: the union of each variant's top */
#define MAX_VARIANTS	16

static void html_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[65536];
	size_t n;
	int err = 0;

	if (!in)
		return -errno;
	out = fopen(to, "wb");
	if (!out) {
		fclose(in);
		return -errno;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			err = -EIO;
	fclose(in);
	if (fclose(out))
		err = -EIO;
	return err;
}

/* The d3 and d3-flame-graph scripts, into OUTDIR/vendor; false when missing. */
static bool vendor_copy(const char *outdir)
{
	static const char *const files[][2] = {
		{ "d3/dist/d3.min.js", "d3.min.js" },
		{ "d3-flame-graph/dist/d3-flamegraph.umd.min.js", "d3-flamegraph.min.js" },
		{ "d3-flame-graph/dist/d3-flamegraph.css", "d3-flamegraph.css" },
	};
	const char *nm = getenv("ABREPORT_NODE_MODULES");
	char *vdir = xasprintf("%s/vendor", outdir), *mods;
	bool ok = !mkdir_p(vdir);

	mods = nm && *nm ? xstrdup(nm) : xasprintf("%s/../build/npm/node_modules",
						    abreport_root());
	for (size_t i = 0; ok && i < sizeof(files) / sizeof(files[0]); i++) {
		char *from = xasprintf("%s/%s", mods, files[i][0]);
		char *to = xasprintf("%s/%s", vdir, files[i][1]);

		ok = !copy_file(from, to);
		free(from);
		free(to);
	}
	if (ok) {
		char *from = xasprintf("%s/flame/render.js", abreport_root());
		char *to = xasprintf("%s/render.js", vdir);

		ok = !copy_file(from, to);
		free(from);
		free(to);
	}
	free(mods);
	free(vdir);
	return ok;
}

/* folded stacks ("a;b;c N") as d3-flame-graph's tree {name, value, children} */
static json_t *child_of(json_t *node, const char *name, size_t len)
{
	json_t *kids = json_object_get(node, "children"), *k;
	size_t i;

	json_array_foreach(kids, i, k) {
		const char *n = json_string_value(json_object_get(k, "name"));

		if (strlen(n) == len && !strncmp(n, name, len))
			return k;
	}
	k = json_object();
	json_object_set_new(k, "name", json_stringn(name, len));
	json_object_set_new(k, "value", json_integer(0));
	json_object_set_new(k, "children", json_array());
	json_array_append_new(kids, k);
	return k;
}

static void add_value(json_t *node, long long n)
{
	json_object_set_new(node, "value",
			    json_integer(json_integer_value(json_object_get(node, "value")) + n));
}

static json_t *fold_tree(const char *path, long long *total)
{
	FILE *f = fopen(path, "r");
	json_t *root;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	*total = 0;
	if (!f)
		return NULL;
	root = json_object();
	json_object_set_new(root, "name", json_string("all"));
	json_object_set_new(root, "value", json_integer(0));
	json_object_set_new(root, "children", json_array());
	while ((len = getline(&line, &cap, f)) > 0) {
		char *sp, *s, *end;
		long long n;
		json_t *node = root;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		sp = strrchr(line, ' ');
		if (!sp || (n = strtoll(sp + 1, &end, 10)) <= 0 || *end)
			continue;
		*sp = '\0';
		if (!json_is_string(json_string(line)))	/* not UTF-8: skip */
			continue;
		add_value(root, n);
		for (s = line; *s;) {
			size_t l = strcspn(s, ";");

			node = child_of(node, s, l);
			add_value(node, n);
			s += l;
			if (*s == ';')
				s++;
		}
		*total += n;
	}
	free(line);
	fclose(f);
	return root;
}

/* A flame graph of one variant's profile of a point: its <div> and data script. */
static void flame(struct doc *d, const struct run *run, const struct point *p,
		  json_t *prof, const char *outdir, int *seq, bool vendor)
{
	const char *dir = json_str(prof, "dir", "");
	char *folded = xasprintf("%s/profiles/%s/stacks.folded", run->dir, dir);
	char *fdir = xasprintf("%s/flame", outdir);
	long long total = 0;
	json_t *tree = fold_tree(folded, &total);
	int n = ++*seq;

	fprintf(d->html, "<figure><figcaption>%s: ", "flame graph");
	html_esc(d->html, p->variant);
	fprintf(d->html, ", %lld samples (<a href=\"../profiles/", total);
	html_esc(d->html, dir);
	fputs("/stacks.folded\">folded stacks</a>, <a href=\"../profiles/", d->html);
	html_esc(d->html, dir);
	fputs("/perf.data\">perf.data</a>)</figcaption>\n", d->html);
	fprintf(d->md, "- %s: flame graph in index.html; folded stacks: profiles/%s/stacks.folded\n",
		p->variant, dir);
	if (!tree || !total) {
		fputs("<p>No folded stacks in the run directory.</p></figure>\n", d->html);
	} else if (!vendor) {
		fputs("<p>No flame graph: d3-flame-graph is not installed (make deps).</p></figure>\n",
		      d->html);
	} else if (!mkdir_p(fdir)) {
		char *js = xasprintf("%s/%d.js", fdir, n);
		FILE *f = fopen(js, "w");

		if (f) {
			fprintf(f, "window.abFlames = window.abFlames || {};\nabFlames[\"f%d\"] = ", n);
			json_dumpf(tree, f, JSON_COMPACT);
			fputs(";\n", f);
			fclose(f);
			fprintf(d->html, "<div class=\"flame\" id=\"f%d\"></div>\n"
				"<script src=\"flame/%d.js\"></script>\n"
				"<script>abRenderFlame(\"f%d\");</script></figure>\n", n, n, n);
		}
		free(js);
	}
	json_decref(tree);
	free(folded);
	free(fdir);
}

static double share_of(json_t *prof, const char *sym)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(prof, "top"), i, s)
		if (!strcmp(json_str(s, "symbol", ""), sym))
			return json_real_value(json_object_get(s, "self_pct"));
	return -1;
}

/* The union of the variants' top symbols, in the order of the largest share. */
static size_t union_top(json_t **profs, size_t nv, const char **syms, size_t max)
{
	size_t n = 0;

	for (size_t rank = 0; rank < RESULT_TOP_SCAN && n < max; rank++) {
		for (size_t v = 0; v < nv && n < max; v++) {
			json_t *s = json_array_get(json_object_get(profs[v], "top"), rank);
			const char *name = s ? json_str(s, "symbol", NULL) : NULL;
			size_t j;

			if (!name)
				continue;
			for (j = 0; j < n; j++)
				if (!strcmp(syms[j], name))
					break;
			if (j == n)
				syms[n++] = name;
		}
	}
	return n;
}

/* One point (params and threads) across variants. */
static void point_profiles(struct doc *d, const struct run *run, const struct point **pts,
			   size_t nv, const char *outdir, int *seq, bool vendor)
{
	json_t *profs[MAX_VARIANTS];
	const char *syms[TOP_ROWS * 2];
	struct doc_cell cells[MAX_VARIANTS + 1];
	char title[512], buf[MAX_VARIANTS][64], lab[MAX_VARIANTS][160];
	size_t ns;

	for (size_t v = 0; v < nv; v++)
		profs[v] = json_object_get(pts[v]->rec, "profile");
	snprintf(title, sizeof(title), "%s, %d thread%s", json_str(pts[0]->rec, "point", "?"),
		 pts[0]->threads, pts[0]->threads == 1 ? "" : "s");
	doc_h(d, 4, title);
	doc_grid_begin(d, "summary");
	memset(cells, 0, sizeof(cells));
	cells[0] = (struct doc_cell){ .text = "symbol (self %)", .head = true };
	for (size_t v = 0; v < nv; v++) {
		snprintf(lab[v], sizeof(lab[v]), "%s: %lld samples, %s", pts[v]->variant,
			 (long long)json_integer_value(json_object_get(profs[v], "samples")),
			 json_str(profs[v], "event", "?"));
		cells[v + 1] = (struct doc_cell){ .text = lab[v], .head = true };
	}
	doc_grid_row(d, cells, nv + 1, true);
	doc_grid_head_end(d, nv + 1);
	ns = union_top(profs, nv, syms, TOP_ROWS);
	for (size_t i = 0; i < ns; i++) {
		cells[0] = (struct doc_cell){ .text = syms[i] };
		for (size_t v = 0; v < nv; v++) {
			double pct = share_of(profs[v], syms[i]);

			if (pct < 0)
				snprintf(buf[v], sizeof(buf[v]), "-");
			else
				snprintf(buf[v], sizeof(buf[v]), "%.2f %%", pct);
			cells[v + 1] = (struct doc_cell){ .text = buf[v], .cls = "num" };
		}
		doc_grid_row(d, cells, nv + 1, true);
	}
	doc_grid_end(d);
	for (size_t v = 0; v < nv; v++) {
		const char *why = json_str(profs[v], "reason", NULL);

		if (why) {
			snprintf(title, sizeof(title), "%s: no profile: %s", pts[v]->variant, why);
			doc_p(d, title);
		}
	}
	doc_div_begin(d, "flames");
	for (size_t v = 0; v < nv; v++)
		flame(d, run, pts[v], profs[v], outdir, seq, vendor);
	doc_div_end(d);
}

void profile_section(struct doc *d, const struct run *run, const char *w, const char *outdir)
{
	static int seq;
	bool *done = xcalloc(run->npts + 1, sizeof(*done)), vendor = false, any = false;

	for (size_t i = 0; i < run->npts; i++) {
		const struct point *pts[MAX_VARIANTS];
		size_t nv = 0;

		if (done[i] || strcmp(run->pts[i].workload, w) ||
		    !json_is_object(json_object_get(run->pts[i].rec, "profile")))
			continue;
		for (size_t j = i; j < run->npts && nv < MAX_VARIANTS; j++) {
			const struct point *q = &run->pts[j];

			if (done[j] || strcmp(q->workload, w) || q->threads != run->pts[i].threads ||
			    strcmp(q->pkey, run->pts[i].pkey) ||
			    !json_is_object(json_object_get(q->rec, "profile")))
				continue;
			done[j] = true;
			pts[nv++] = q;
		}
		if (!any) {
			doc_h(d, 3, "Profiles");
			doc_p(d, "perf record -a -g over each point's measured seconds; the "
			      "share of the samples each symbol has itself (perf report "
			      "--no-children --sort sym), the union of every variant's top "
			      "symbols; '-' is a symbol outside that variant's top 20.");
			vendor = vendor_copy(outdir);
			if (vendor)
				fputs("<link rel=\"stylesheet\" href=\"vendor/d3-flamegraph.css\">\n"
				      "<script src=\"vendor/d3.min.js\"></script>\n"
				      "<script src=\"vendor/d3-flamegraph.min.js\"></script>\n"
				      "<script src=\"vendor/render.js\"></script>\n", d->html);
			any = true;
		}
		point_profiles(d, run, pts, nv, outdir, &seq, vendor);
	}
	free(done);
}

/* ---- make reproduce: published profiles beside ours --------------------- */

/* A symbol as perf names it, or with a compiler suffix (.isra.0, .constprop.0). */
static bool sym_match(const char *have, const char *want)
{
	size_t n = strlen(want);
	const char *dot = strchr(want, '.');

	if (dot)	/* the published name has its suffix: match up to it */
		n = (size_t)(dot - want);
	return !strncmp(have, want, n) && (!have[n] || have[n] == '.');
}

/*
 * Our share of sym at a profiled point: from its top.txt (every symbol
 * above 0.01 %), else the record's top 20; < 0 when not known.
 */
static double our_share(const struct run *run, json_t *prof, const char *sym)
{
	char *path = xasprintf("%s/profiles/%s/top.txt", run->dir, json_str(prof, "dir", ""));
	FILE *f = fopen(path, "r");
	char line[1024];
	double sum = -1;

	free(path);
	if (f) {
		sum = 0;
		while (fgets(line, sizeof(line), f)) {
			char kind, *s = strchr(line, ']');
			double pct;

			if (sscanf(line, " %lf%% [%c]", &pct, &kind) != 2 || !s)
				continue;
			s += 1 + strspn(s + 1, " ");
			s[strcspn(s, " \n")] = '\0';
			if (sym_match(s, sym))
				sum += pct;
		}
		fclose(f);
		return sum;
	}
	{
		json_t *e;
		size_t i;

		json_array_foreach(json_object_get(prof, "top"), i, e) {
			if (sym_match(json_str(e, "symbol", ""), sym))
				sum = (sum < 0 ? 0 : sum) + json_real_value(json_object_get(e, "self_pct"));
		}
	}
	return sum;
}

/* The profiled point of variant v for workload w with the most threads. */
static const struct point *profiled(const struct run *run, const char *v, const char *w)
{
	const struct point *best = NULL;

	for (size_t i = 0; i < run->npts; i++) {
		const struct point *p = &run->pts[i];

		if (strcmp(p->variant, v) || strcmp(p->workload, w) || strcmp(p->status, "ok") ||
		    !json_is_object(json_object_get(p->rec, "profile")))
			continue;
		if (!best || p->threads > best->threads)
			best = p;
	}
	return best;
}

static void print_pct(double v)
{
	if (v < 0)
		printf(" %9s", "n/a");
	else
		printf(" %8.2f%%", v);
}

/* The sum of syms' shares in a column: published (pub) or ours (prof). */
static double share_sum(const struct run *run, json_t *col, json_t *prof, json_t *syms,
			bool published)
{
	double sum = 0;
	json_t *s;
	size_t i;

	json_array_foreach(syms, i, s) {
		double v = published ?
			json_number_value(json_object_get(json_object_get(col, "published"),
							  json_string_value(s))) :
			prof ? our_share(run, prof, json_string_value(s)) : -1;

		if (!published && v < 0)
			return -1;
		sum += v;
	}
	return sum;
}

void profile_reproduce(const struct run *run, json_t *pub)
{
	json_t *pr = json_object_get(pub, "profiles"), *cols, *col, *sh;
	json_t *src, *profs[MAX_VARIANTS] = { 0 };
	const char *w = json_str(pr, "workload", "?");
	const char *syms[64];
	size_t nc, ns = 0, i, j;

	if (!json_is_object(pr))
		return;
	cols = json_object_get(pr, "columns");
	nc = json_array_size(cols);
	if (nc > MAX_VARIANTS)
		nc = MAX_VARIANTS;
	src = json_object_get(json_object_get(pub, "sources"), json_str(pr, "source", ""));
	printf("\nprofiles: perf report --no-children, self share of the samples; published "
	       "at %d threads [%s], ours at the variant's profiled point with the most threads\n",
	       (int)json_integer_value(json_object_get(pr, "published_threads")),
	       json_str(src, "message_id", "?"));
	printf("%-32s", "symbol");
	for (i = 0; i < nc; i++) {
		const struct point *p;

		col = json_array_get(cols, i);
		p = profiled(run, json_str(col, "variant", ""), w);
		profs[i] = p ? json_object_get(p->rec, "profile") : NULL;
		printf(" %9.9s %9.9s", json_str(col, "id", "?"), "ours");
	}
	putchar('\n');
	for (i = 0; i < nc; i++) {
		const struct point *p = profiled(run, json_str(json_array_get(cols, i), "variant", ""), w);

		printf("  %s = %s on %s: ", json_str(json_array_get(cols, i), "id", "?"),
		       json_str(json_array_get(cols, i), "label", "?"),
		       json_str(json_array_get(cols, i), "variant", "?"));
		if (p)
			printf("%d threads, %lld samples (%s), %s\n", p->threads,
			       (long long)json_integer_value(json_object_get(profs[i], "samples")),
			       json_str(profs[i], "event", "?"), json_str(p->rec, "kernel_release", "?"));
		else
			printf("no profiled point in the run\n");
	}
	/* the published symbols, in the order they first appear */
	json_array_foreach(cols, i, col) {
		const char *k;
		json_t *v;

		json_object_foreach(json_object_get(col, "published"), k, v) {
			for (j = 0; j < ns && strcmp(syms[j], k); j++)
				;
			if (j == ns && ns < 64)
				syms[ns++] = k;
		}
	}
	for (j = 0; j < ns; j++) {
		printf("%-32.32s", syms[j]);
		for (i = 0; i < nc; i++) {
			json_t *v = json_object_get(json_object_get(json_array_get(cols, i),
								    "published"), syms[j]);

			if (v)
				print_pct(json_number_value(v));
			else
				printf(" %9s", "-");
			print_pct(profs[i] ? our_share(run, profs[i], syms[j]) : -1);
		}
		putchar('\n');
	}
	printf("(published '-': not in that list; ours 0.00%%: below 0.01%% or inlined into its caller in this build)\n");
	if (json_str(pr, "note", NULL))
		printf("note: %s\n", json_str(pr, "note", ""));
	printf("\nshares that carry across machines\n");
	printf("%-44s", "share");
	for (i = 0; i < nc; i++)
		printf(" %9.9s %9.9s", json_str(json_array_get(cols, i), "id", "?"), "ours");
	if (nc == 2)
		printf(" %9s %9s", "pub 2/1", "ours 2/1");
	putchar('\n');
	json_array_foreach(json_object_get(pr, "shares"), j, sh) {
		json_t *syms_j = json_object_get(sh, "symbols"), *of = json_object_get(sh, "of");
		double p[MAX_VARIANTS], o[MAX_VARIANTS];

		printf("%-44.44s", json_str(sh, "label", "?"));
		for (i = 0; i < nc; i++) {
			col = json_array_get(cols, i);
			p[i] = share_sum(run, col, profs[i], syms_j, true);
			o[i] = share_sum(run, col, profs[i], syms_j, false);
			if (of) {
				double pd = share_sum(run, col, profs[i], of, true);
				double od = share_sum(run, col, profs[i], of, false);

				p[i] = pd > 0 ? 100 * p[i] / pd : -1;
				o[i] = o[i] >= 0 && od > 0 ? 100 * o[i] / od : -1;
			}
			print_pct(p[i]);
			print_pct(o[i]);
		}
		if (nc == 2) {
			if (p[0] > 0)
				printf(" %9.2f", p[1] / p[0]);
			else
				printf(" %9s", "n/a");
			if (o[0] > 0 && o[1] >= 0)
				printf(" %9.2f", o[1] / o[0]);
			else
				printf(" %9s", "n/a");
		}
		putchar('\n');
	}
}
