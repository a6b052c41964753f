// SPDX-License-Identifier: GPL-2.0
/*
 * One document written twice: Markdown and the body of the HTML page.
 * Every text is escaped for where it lands: HTML text and attribute values
 * (& < > " '), Markdown text and table cells (| \ & < >, line breaks as
 * spaces) and Markdown code blocks (a line cannot close the fence).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

/* What c becomes in HTML (md false) or in Markdown text (md true). */
static const char *esc_of(char c, bool md)
{
	switch (c) {
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '&': return "&amp;";
	case '"': return md ? NULL : "&quot;";
	case '\'': return md ? NULL : "&#39;";
	case '|': return md ? "\\|" : NULL;
	case '\\': return md ? "\\\\" : NULL;
	case '\n': case '\r': return md ? " " : NULL;
	}
	return NULL;
}

static void esc(FILE *f, const char *s, bool md)
{
	for (; *s; s++) {
		const char *e = esc_of(*s, md);

		if (e)
			fputs(e, f);
		else
			fputc(*s, f);
	}
}

/* HTML text and attribute values. */
static void html_esc(FILE *f, const char *s)
{
	esc(f, s, false);
}

/* Markdown text or a table cell: one line, no markup, no cell break. */
static void md_esc(FILE *f, const char *s)
{
	esc(f, s, true);
}

/* A line of a fenced code block: literal, but it must not be a fence. */
static void md_code_line(FILE *f, const char *s)
{
	size_t ind = strspn(s, " ");

	if (ind < 4 && (!strncmp(s + ind, "```", 3) || !strncmp(s + ind, "~~~", 3)))
		fputs("    ", f);
	for (; *s; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	fputc('\n', f);
}

int doc_open(struct doc *d, const char *md_path, const char *title)
{
	memset(d, 0, sizeof(*d));
	d->title = title;
	d->md = fopen(md_path, "w");
	if (!d->md)
		return -errno;
	d->html = open_memstream(&d->body, &d->body_len);
	if (!d->html) {
		fclose(d->md);
		return -errno;
	}
	fputs("# ", d->md);
	md_esc(d->md, title);
	fputc('\n', d->md);
	return 0;
}

void doc_h(struct doc *d, int level, const char *text)
{
	fprintf(d->md, "\n%.*s ", level, "######");
	md_esc(d->md, text);
	fputs("\n\n", d->md);
	fprintf(d->html, "<h%d>", level);
	html_esc(d->html, text);
	fprintf(d->html, "</h%d>\n", level);
}

void doc_p(struct doc *d, const char *text)
{
	md_esc(d->md, text);
	fputs("\n\n", d->md);
	fputs("<p>", d->html);
	html_esc(d->html, text);
	fputs("</p>\n", d->html);
}

void doc_pre_begin(struct doc *d, const char *cls)
{
	fputs("```\n", d->md);
	fputs("<pre class=\"", d->html);
	html_esc(d->html, cls);
	fputs("\">", d->html);
}

void doc_pre_line(struct doc *d, const char *text)
{
	md_code_line(d->md, text);
	html_esc(d->html, text);
	fputc('\n', d->html);
}

void doc_pre_end(struct doc *d)
{
	fputs("```\n\n", d->md);
	fputs("</pre>\n", d->html);
}

/* A table row of two cells, cell being "td" or "th". */
static void row(struct doc *d, const char *cell, const char *k, const char *v)
{
	fputs("| ", d->md);
	md_esc(d->md, k);
	fputs(" | ", d->md);
	md_esc(d->md, v);
	fputs(" |\n", d->md);
	fprintf(d->html, "<tr><%s>", cell);
	html_esc(d->html, k);
	fprintf(d->html, "</%s><%s>", cell, cell);
	html_esc(d->html, v);
	fprintf(d->html, "</%s></tr>\n", cell);
}

void doc_table_begin(struct doc *d, const char *k, const char *v)
{
	fputs("<table>", d->html);
	row(d, "th", k, v);
	fputs("|---|---|\n", d->md);
}

void doc_row(struct doc *d, const char *k, const char *v)
{
	row(d, "td", k, v);
}

void doc_table_end(struct doc *d)
{
	fputc('\n', d->md);
	fputs("</table>\n", d->html);
}

/* A plot: stem is relative to the report directory, without extension. */
void doc_img(struct doc *d, const char *stem, const char *alt)
{
	fputs("![", d->md);
	md_esc(d->md, alt);
	fprintf(d->md, "](%s.svg) ([PNG](%s.png))\n\n", stem, stem);
	fputs("<figure><a href=\"", d->html);
	html_esc(d->html, stem);
	fputs(".png\"><img src=\"", d->html);
	html_esc(d->html, stem);
	fputs(".svg\" alt=\"", d->html);
	html_esc(d->html, alt);
	fputs("\"></a><figcaption>", d->html);
	html_esc(d->html, alt);
	fputs("</figcaption></figure>\n", d->html);
}

/* A line that must be seen first: HTML <p class>, a Markdown quote. */
void doc_banner(struct doc *d, const char *cls, const char *text)
{
	fputs("> **", d->md);
	md_esc(d->md, text);
	fputs("**\n\n", d->md);
	fputs("<p class=\"banner ", d->html);
	html_esc(d->html, cls);
	fputs("\">", d->html);
	html_esc(d->html, text);
	fputs("</p>\n", d->html);
}

/* Folded in the HTML (a click opens it); Markdown has it all. */
void doc_details_begin(struct doc *d, const char *summary)
{
	md_esc(d->md, summary);
	fputs(":\n\n", d->md);
	fputs("<details><summary>", d->html);
	html_esc(d->html, summary);
	fputs("</summary>\n", d->html);
}

void doc_details_end(struct doc *d)
{
	fputs("</details>\n", d->html);
}

/* A box for the HTML layout (the plots side by side); nothing in Markdown. */
void doc_div_begin(struct doc *d, const char *cls)
{
	fputs("<div class=\"", d->html);
	html_esc(d->html, cls);
	fputs("\">\n", d->html);
}

void doc_div_end(struct doc *d)
{
	fputs("</div>\n", d->html);
}

void doc_grid_begin(struct doc *d, const char *cls)
{
	fputs("<table class=\"", d->html);
	html_esc(d->html, cls);
	fputs("\">\n", d->html);
}

static void grid_cell_html(struct doc *d, const struct doc_cell *c)
{
	const char *tag = c->head ? "th" : "td";

	fprintf(d->html, "<%s", tag);
	if (c->span > 1)
		fprintf(d->html, " colspan=\"%d\"", c->span);
	if (c->cls) {
		fputs(" class=\"", d->html);
		html_esc(d->html, c->cls);
		fputc('"', d->html);
	}
	if (c->title) {
		fputs(" title=\"", d->html);
		html_esc(d->html, c->title);
		fputc('"', d->html);
	}
	if (c->colour) {
		fputs(" style=\"border-top: 4px solid ", d->html);
		html_esc(d->html, c->colour);
		fputc('"', d->html);
	}
	fputc('>', d->html);
	html_esc(d->html, c->text ? c->text : "");
	fprintf(d->html, "</%s>", tag);
}

/*
 * One row, one line of HTML. Markdown has no spanning cells: a cell of
 * span n is its text and n - 1 empty cells; a row only the HTML needs
 * (a header over column groups) is left out of it with in_md false.
 */
void doc_grid_row(struct doc *d, const struct doc_cell *cells, size_t n,
		  bool in_md)
{
	size_t i;
	int s;

	fputs("<tr>", d->html);
	for (i = 0; i < n; i++)
		grid_cell_html(d, &cells[i]);
	fputs("</tr>\n", d->html);
	if (!in_md)
		return;
	fputc('|', d->md);
	for (i = 0; i < n; i++) {
		fputc(' ', d->md);
		md_esc(d->md, cells[i].md ? cells[i].md :
			      cells[i].text ? cells[i].text : "");
		fputs(" |", d->md);
		for (s = 1; s < cells[i].span; s++)
			fputs(" |", d->md);
	}
	fputc('\n', d->md);
}

/* After the header rows: Markdown's separator line. */
void doc_grid_head_end(struct doc *d, size_t ncols)
{
	size_t i;

	fputc('|', d->md);
	for (i = 0; i < ncols; i++)
		fputs("---|", d->md);
	fputc('\n', d->md);
}

void doc_grid_end(struct doc *d)
{
	fputc('\n', d->md);
	fputs("</table>\n", d->html);
}

static int emit_template(FILE *out, const char *tpl, const char *title,
			 const char *body)
{
	const char *p = tpl, *at;

	while ((at = strchr(p, '@'))) {
		fwrite(p, 1, at - p, out);
		if (!strncmp(at, "@TITLE@", 7)) {
			html_esc(out, title);
			p = at + 7;
		} else if (!strncmp(at, "@BODY@", 6)) {
			fputs(body, out);
			p = at + 6;
		} else {
			fputc('@', out);
			p = at + 1;
		}
	}
	fputs(p, out);
	return ferror(out) ? -EIO : 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	int c;
	FILE *m;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while (m && (c = fgetc(f)) != EOF)
		fputc(c, m);
	if (m)
		fclose(m);
	fclose(f);
	return buf;
}

/* Closes both outputs; the HTML body goes into template at @BODY@. */
int doc_close(struct doc *d, const char *tpl_path, const char *html_path)
{
	char *tpl;
	FILE *out;
	int err;

	fclose(d->html);
	err = fclose(d->md) ? -errno : 0;
	tpl = slurp(tpl_path);
	if (!tpl) {
		fprintf(stderr, "abreport: %s: cannot read the HTML template\n",
			tpl_path);
		free(d->body);
		return -ENOENT;
	}
	out = fopen(html_path, "w");
	if (!out) {
		err = -errno;
	} else {
		if (emit_template(out, tpl, d->title, d->body))
			err = -EIO;
		if (fclose(out))
			err = -errno;
	}
	free(tpl);
	free(d->body);
	return err;
}
