/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ABREPORT_SUMMARY_H
#define ABREPORT_SUMMARY_H

#include "abreport.h"
#include "doc.h"

int summary_base(const struct run *run, const char *want, const char **base);
void summary_write(struct doc *d, const struct run *run, const char *base);

#endif
