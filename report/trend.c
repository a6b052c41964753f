// SPDX-License-Identifier: GPL-2.0
/*
 * trend: the nightly history as one HTML page (docs/nightly.md).
 *
 *   abreport trend --db FILE --out DIR [--last N]
 *
 * DIR/index.html: the nights (status, why, the base package version and
 * the suite sha, each marked on the night it changed), then for every
 * point judged on some night, ops/s and the memory peak across nights:
 * the night's pooled mean (± sd), the baseline's band (mean ± 2 sd of the
 * baseline runs) and the threshold below it; a regression is a red
 * point, an inconclusive one amber. Plain inline SVG: no script, no
 * network. DIR/trend.tsv has the same series as text.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "abreport.h"
#include "history.h"

#define W	560
#define H	150
#define PAD	40

struct sample {
	char night[64];
	double mean, sd, bmean, bsd, thr, peak, bpeak;
	char verdict[32];
	char why[128];
};

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

static double col_num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static void nights_table(sqlite3 *db, FILE *f)
{
	sqlite3_stmt *st;
	char prev_ver[128] = "", prev_sha[64] = "";
	bool first = true;

	fputs("<h2>Nights</h2>\n<table>\n<tr><th>night</th><th>status</th><th>exit</th><th>why</th>"
	      "<th>base</th><th>suite</th><th>baseline</th><th>wall</th><th>regressions</th></tr>\n", f);
	sqlite3_prepare_v2(db,
		"SELECT n.night_id, n.status, n.exit, n.reason, n.base_package,"
		" n.base_version, n.base_candidate, n.base_newer, n.suite_sha,"
		" n.baseline_id, n.wall_s,"
		" (SELECT count(*) FROM verdicts v WHERE v.night_id = n.night_id"
		"  AND v.verdict = 'regression')"
		" FROM nights n ORDER BY n.started_at, n.night_id", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *ver = col_text(st, 5), *sha = col_text(st, 8);
		bool ver_changed = !first && strcmp(ver, prev_ver);
		bool sha_changed = !first && strncmp(sha, prev_sha, 12);

		fprintf(f, "<tr class=\"%s\"><td>", col_text(st, 1));
		esc(f, col_text(st, 0));
		fputs("</td><td>", f);
		esc(f, col_text(st, 1));
		fprintf(f, "</td><td>%d</td><td>", sqlite3_column_int(st, 2));
		esc(f, col_text(st, 3));
		fprintf(f, "</td><td%s>", ver_changed ? " class=changed" : "");
		esc(f, col_text(st, 4));
		fputc(' ', f);
		esc(f, ver);
		if (sqlite3_column_int(st, 7)) {
			fputs(" (newer in the archive: ", f);
			esc(f, col_text(st, 6));
			fputc(')', f);
		}
		if (ver_changed)
			fputs(" &#9650; changed", f);
		fprintf(f, "</td><td%s>%.12s%s</td><td>", sha_changed ? " class=changed" : "",
			sha, sha_changed ? " &#9650; changed" : "");
		esc(f, col_text(st, 9));
		fprintf(f, "</td><td>%.0f s</td><td>%d</td></tr>\n", col_num(st, 10),
			sqlite3_column_int(st, 11));
		snprintf(prev_ver, sizeof(prev_ver), "%s", ver);
		snprintf(prev_sha, sizeof(prev_sha), "%s", sha);
		first = false;
	}
	sqlite3_finalize(st);
	fputs("</table>\n", f);
}

static double ymap(double v, double lo, double hi)
{
	return H - 20 - (v - lo) / (hi - lo) * (H - 40);
}

/* One series as an SVG plot: band, threshold, means, marks. */
static void plot(FILE *f, const struct sample *s, size_t n, bool memory)
{
	double lo = INFINITY, hi = -INFINITY, step = n > 1 ? (double)(W - 2 * PAD) / (n - 1) : 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double m = memory ? s[i].peak : s[i].mean, b = memory ? s[i].bpeak : s[i].bmean;
		double sd = memory ? 0 : (isnan(s[i].sd) ? 0 : s[i].sd);
		double bsd = memory ? 0 : (isnan(s[i].bsd) ? 0 : 2 * s[i].bsd);

		if (!isnan(m)) {
			lo = fmin(lo, m - sd);
			hi = fmax(hi, m + sd);
		}
		if (!isnan(b)) {
			lo = fmin(lo, fmin(b - bsd, memory ? b : b * (1 - s[i].thr / 100)));
			hi = fmax(hi, b + bsd);
		}
	}
	if (!isfinite(lo) || !isfinite(hi)) {
		fputs("<p>no data</p>\n", f);
		return;
	}
	if (hi - lo < 1e-9 * fabs(hi) + 1e-9) {
		hi += fabs(hi) * 0.05 + 1;
		lo -= fabs(lo) * 0.05 + 1;
	}
	fprintf(f, "<svg width=\"%d\" height=\"%d\" role=\"img\"><text x=\"2\" y=\"12\" class=ax>%s max %.4g, min %.4g</text>\n",
		W, H, memory ? "memory peak, MiB:" : "ops/s:",
		memory ? hi / 1048576 : hi, memory ? lo / 1048576 : lo);
	for (i = 0; i < n; i++) {
		double x = PAD + i * step, half = n > 1 ? step / 2 : 20;
		double b = memory ? s[i].bpeak : s[i].bmean;

		if (isnan(b))
			continue;
		if (!memory && !isnan(s[i].bsd)) {
			double y1 = ymap(b + 2 * s[i].bsd, lo, hi), y2 = ymap(b - 2 * s[i].bsd, lo, hi);

			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=band />\n",
				x - half, y1, 2 * half, fmax(y2 - y1, 1));
			fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=thr />\n",
				x - half, x + half, ymap(b * (1 - s[i].thr / 100), lo, hi),
				ymap(b * (1 - s[i].thr / 100), lo, hi));
		}
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=base />\n",
			x - half, x + half, ymap(b, lo, hi), ymap(b, lo, hi));
	}
	fputs("<polyline class=line points=\"", f);
	for (i = 0; i < n; i++) {
		double m = memory ? s[i].peak : s[i].mean;

		if (!isnan(m))
			fprintf(f, "%.1f,%.1f ", PAD + i * step, ymap(m, lo, hi));
	}
	fputs("\" />\n", f);
	for (i = 0; i < n; i++) {
		double m = memory ? s[i].peak : s[i].mean;
		const char *cls = "pt";

		if (isnan(m))
			continue;
		/* red where this plot's measure regressed */
		if (!strcmp(s[i].verdict, "regression") &&
		    (memory ? strstr(s[i].why, "memory") != NULL :
			      strncmp(s[i].why, "memory", 6) != 0))
			cls = "reg";
		else if (!strcmp(s[i].verdict, "inconclusive"))
			cls = "inc";
		if (!memory && !isnan(s[i].sd))
			fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=err />\n",
				PAD + i * step, PAD + i * step, ymap(m + s[i].sd, lo, hi),
				ymap(m - s[i].sd, lo, hi));
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" class=%s><title>", PAD + i * step,
			ymap(m, lo, hi), strcmp(cls, "pt") ? 5 : 3, cls);
		esc(f, s[i].night);
		fprintf(f, ": %.4g %s</title></circle>\n", memory ? m / 1048576 : m, s[i].verdict);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=ax>", PAD - 10, H - 4);
	esc(f, s[0].night);
	fputs("</text>", f);
	if (n > 1) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=ax text-anchor=end>", W - PAD + 10, H - 4);
		esc(f, s[n - 1].night);
		fputs("</text>", f);
	}
	fputs("</svg>\n", f);
}

static void points(sqlite3 *db, FILE *f, FILE *tsv, int last)
{
	sqlite3_stmt *pts, *st;
	struct sample *s = xcalloc((size_t)last, sizeof(*s));

	fputs("<h2>Points</h2>\n<p>Line: the night's pooled mean (bar: ± sd); grey band: the baseline's mean ± 2 sd; "
	      "dashed: the threshold below the baseline mean; red: a regression; amber: inconclusive (worse, not significant).</p>\n", f);
	fputs("variant\tpoint\tnight\tverdict\tnew_mean\tnew_sd\tbase_mean\tbase_sd\tchange_pct\tp\tnew_mem_peak\tbase_mem_peak\n", tsv);
	sqlite3_prepare_v2(db, "SELECT DISTINCT variant, point FROM verdicts ORDER BY variant, point",
			   -1, &pts, NULL);
	sqlite3_prepare_v2(db,
		"SELECT * FROM (SELECT v.night_id, v.verdict, v.new_mean, v.new_sd, v.base_mean,"
		" v.base_sd, v.threshold, v.new_mem_peak, v.base_mem_peak, v.change_pct, v.p, v.why, n.started_at"
		" FROM verdicts v JOIN nights n USING (night_id)"
		" WHERE v.variant = ?1 AND v.point = ?2 ORDER BY n.started_at DESC, n.night_id DESC LIMIT ?3)"
		" ORDER BY started_at, night_id", -1, &st, NULL);
	while (sqlite3_step(pts) == SQLITE_ROW) {
		const char *var = col_text(pts, 0), *pt = col_text(pts, 1);
		size_t n = 0;
		bool regressed = false;

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, var, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, pt, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 3, last);
		while (sqlite3_step(st) == SQLITE_ROW && n < (size_t)last) {
			struct sample *x = &s[n++];

			snprintf(x->night, sizeof(x->night), "%s", col_text(st, 0));
			snprintf(x->verdict, sizeof(x->verdict), "%s", col_text(st, 1));
			x->mean = col_num(st, 2);
			x->sd = col_num(st, 3);
			x->bmean = col_num(st, 4);
			x->bsd = col_num(st, 5);
			x->thr = isnan(col_num(st, 6)) ? 0 : col_num(st, 6);
			x->peak = col_num(st, 7);
			x->bpeak = col_num(st, 8);
			snprintf(x->why, sizeof(x->why), "%s", col_text(st, 11));
			regressed |= !strcmp(x->verdict, "regression");
			fprintf(tsv, "%s\t%s\t%s\t%s\t%.6g\t%.6g\t%.6g\t%.6g\t%.3g\t%.3g\t%.0f\t%.0f\n",
				var, pt, x->night, x->verdict, x->mean, x->sd, x->bmean, x->bsd,
				col_num(st, 9), col_num(st, 10), x->peak, x->bpeak);
		}
		fprintf(f, "<section%s><h3>", regressed ? " class=regressed" : "");
		esc(f, var);
		fputs(" / ", f);
		esc(f, pt);
		fprintf(f, "%s</h3>\n", regressed ? " &mdash; REGRESSION on a night shown" : "");
		plot(f, s, n, false);
		plot(f, s, n, true);
		fputs("</section>\n", f);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(pts);
	free(s);
}

static const char css[] =
	"body{font:14px sans-serif;margin:1em 2em}table{border-collapse:collapse}"
	"td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px}"
	"tr.regression td:nth-child(2){background:#fdd}tr.failed td:nth-child(2){background:#fcc;font-weight:bold}"
	"td.changed{background:#ffe9a8}section{display:inline-block;vertical-align:top;margin:0 1em 1em 0;"
	"max-width:580px}h3{font-size:12px;word-break:break-all}section.regressed h3{color:#b00}"
	".band{fill:#ddd}.thr{stroke:#999;stroke-dasharray:4 3}.base{stroke:#666}"
	".line{fill:none;stroke:#36c;stroke-width:1.5}.pt{fill:#36c}.reg{fill:#d00}.inc{fill:#e90}"
	".err{stroke:#36c}.ax{font-size:11px;fill:#444}";

int cmd_trend(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "last", required_argument, NULL, 'l' },
		{ 0 }
	};
	const char *dbpath = NULL, *out = NULL;
	char *html, *tsvp, *tmp;
	int c, last = 60;
	sqlite3 *db;
	FILE *f, *tsv;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbpath = optarg; break;
		case 'o': out = optarg; break;
		case 'l':
			last = atoi(optarg);
			if (last < 1 || last > 10000)
				die_usage("trend: --last wants 1..10000 nights");
			break;
		default: die_usage("usage: abreport trend --db FILE --out DIR [--last N]");
		}
	}
	if (!dbpath || !out || optind != argc)
		die_usage("usage: abreport trend --db FILE --out DIR [--last N]");
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "abreport: trend: %s: %s\n", dbpath, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 2;
	}
	if (mkdir_p(out)) {
		fprintf(stderr, "abreport: trend: cannot create %s\n", out);
		sqlite3_close(db);
		return 2;
	}
	html = xasprintf("%s/index.html", out);
	tsvp = xasprintf("%s/trend.tsv", out);
	tmp = xasprintf("%s.tmp", html);
	f = fopen(tmp, "w");
	tsv = fopen(tsvp, "w");
	if (!f || !tsv) {
		fprintf(stderr, "abreport: trend: cannot write under %s\n", out);
		return 2;
	}
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>allocbench nightly trend</title>"
		"<style>%s</style></head><body>\n<h1>allocbench nightly trend</h1>\n"
		"<p>From the history database; the run directories under results/ are the source of truth "
		"(make history-rebuild). The last %d nights per point.</p>\n", css, last);
	nights_table(db, f);
	points(db, f, tsv, last);
	fputs("</body></html>\n", f);
	fclose(tsv);
	if (fclose(f) || rename(tmp, html)) {
		fprintf(stderr, "abreport: trend: cannot write %s\n", html);
		return 2;
	}
	printf("trend: %s\n", html);
	sqlite3_close(db);
	free(html);
	free(tsvp);
	free(tmp);
	return 0;
}
