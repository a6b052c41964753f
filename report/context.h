/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ABREPORT_CONTEXT_H
#define ABREPORT_CONTEXT_H

#include "abreport.h"
#include "doc.h"

void context_notes(struct doc *d, const struct run *run);
void context_write(struct doc *d, const struct run *run);
void context_params(struct doc *d, const struct run *run, const char *w);

#endif
