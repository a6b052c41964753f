/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ABREPORT_PLOTS_H
#define ABREPORT_PLOTS_H

#include "abreport.h"
#include "doc.h"

/* A plot group: one workload with every parameter but the series ones. */
struct group {
	const char *workload;
	char *key;		/* workload + group params, sorted JSON */
	char *title;		/* workload k=v,k=v */
	char *stem;		/* plots/<workload>-<n> */
	json_t *params;		/* the group params */
};

struct groups {
	struct group *g;
	size_t n;
};

int groups_build(const struct run *run, struct groups *gs);
void groups_free(struct groups *gs);
int group_of(const struct groups *gs, const struct point *p);
int plots_write(const struct run *run, const struct groups *gs,
		const char *outdir, struct doc *d, size_t gi);
const char *variant_colour(const char *variant);
bool workload_has_memory(const char *workload);

#endif
