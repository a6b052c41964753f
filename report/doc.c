// SPDX-License-Identifier: GPL-2.0
/* One document written twice: Markdown and the body of the HTML page. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

static void html_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

int doc_open(struct doc *d, const char *md_path)
{
	memset(d, 0, sizeof(*d));
	d->md = fopen(md_path, "w");
	if (!d->md)
		return -errno;
	d->html = open_memstream(&d->body, &d->body_len);
	if (!d->html) {
		fclose(d->md);
		return -errno;
	}
	return 0;
}

void doc_h(struct doc *d, int level, const char *text)
{
	fprintf(d->md, "\n%.*s %s\n\n", level, "######", text);
	fprintf(d->html, "<h%d>", level);
	html_esc(d->html, text);
	fprintf(d->html, "</h%d>\n", level);
}

void doc_p(struct doc *d, const char *text)
{
	fprintf(d->md, "%s\n\n", text);
	fputs("<p>", d->html);
	html_esc(d->html, text);
	fputs("</p>\n", d->html);
}

void doc_pre_begin(struct doc *d, const char *cls)
{
	fputs("```\n", d->md);
	fprintf(d->html, "<pre class=\"%s\">", cls);
}

void doc_pre_line(struct doc *d, const char *text)
{
	fprintf(d->md, "%s\n", text);
	html_esc(d->html, text);
	fputc('\n', d->html);
}

void doc_pre_end(struct doc *d)
{
	fputs("```\n\n", d->md);
	fputs("</pre>\n", d->html);
}

void doc_table_begin(struct doc *d, const char *k, const char *v)
{
	fprintf(d->md, "| %s | %s |\n|---|---|\n", k, v);
	fputs("<table><tr><th>", d->html);
	html_esc(d->html, k);
	fputs("</th><th>", d->html);
	html_esc(d->html, v);
	fputs("</th></tr>\n", d->html);
}

void doc_row(struct doc *d, const char *k, const char *v)
{
	const char *s;

	fprintf(d->md, "| %s | ", k);
	for (s = v; *s; s++)
		fputs(*s == '|' ? "\\|" : (char[2]){ *s, 0 }, d->md);
	fputs(" |\n", d->md);
	fputs("<tr><td>", d->html);
	html_esc(d->html, k);
	fputs("</td><td>", d->html);
	html_esc(d->html, v);
	fputs("</td></tr>\n", d->html);
}

void doc_table_end(struct doc *d)
{
	fputc('\n', d->md);
	fputs("</table>\n", d->html);
}

/* A plot: stem is relative to the report directory, without extension. */
void doc_img(struct doc *d, const char *stem, const char *alt)
{
	fprintf(d->md, "![%s](%s.svg) ([PNG](%s.png))\n\n", alt, stem, stem);
	fprintf(d->html, "<figure><a href=\"%s.png\"><img src=\"%s.svg\" alt=\"",
		stem, stem);
	html_esc(d->html, alt);
	fputs("\"></a><figcaption>", d->html);
	html_esc(d->html, alt);
	fputs("</figcaption></figure>\n", d->html);
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
int doc_close(struct doc *d, const char *tpl_path, const char *html_path,
	      const char *title)
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
		if (emit_template(out, tpl, title, d->body))
			err = -EIO;
		if (fclose(out))
			err = -errno;
	}
	free(tpl);
	free(d->body);
	return err;
}
