/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ABREPORT_DOC_H
#define ABREPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct doc {
	const char *title;	/* borrowed */
	FILE *md;
	FILE *html;		/* memstream: the page body */
	char *body;
	size_t body_len;
};

int doc_open(struct doc *d, const char *md_path, const char *title);
void doc_h(struct doc *d, int level, const char *text);
void doc_p(struct doc *d, const char *text);
void doc_pre_begin(struct doc *d, const char *cls);
void doc_pre_line(struct doc *d, const char *text);
void doc_pre_end(struct doc *d);
void doc_table_begin(struct doc *d, const char *k, const char *v);
void doc_row(struct doc *d, const char *k, const char *v);
void doc_table_end(struct doc *d);
void doc_img(struct doc *d, const char *stem, const char *alt);
void doc_banner(struct doc *d, const char *cls, const char *text);
void doc_details_begin(struct doc *d, const char *summary);
void doc_details_end(struct doc *d);
void doc_div_begin(struct doc *d, const char *cls);
void doc_div_end(struct doc *d);

/* A cell of a grid: a table of any width, one line of HTML a row. */
struct doc_cell {
	const char *text;
	const char *md;		/* the Markdown cell's text; NULL: text */
	const char *cls;	/* HTML class; NULL: none */
	const char *title;	/* HTML tooltip; NULL: none */
	const char *colour;	/* "#rrggbb", ours: a bar above the cell */
	int span;		/* columns it takes; 0 is 1 */
	bool head;		/* <th> */
};

void doc_grid_begin(struct doc *d, const char *cls);
void doc_grid_row(struct doc *d, const struct doc_cell *cells, size_t n,
		  bool in_md);
void doc_grid_head_end(struct doc *d, size_t ncols);
void doc_grid_end(struct doc *d);
int doc_close(struct doc *d, const char *tpl_path, const char *html_path);

#endif
