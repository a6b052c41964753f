/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ABREPORT_DOC_H
#define ABREPORT_DOC_H

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
int doc_close(struct doc *d, const char *tpl_path, const char *html_path);

#endif
