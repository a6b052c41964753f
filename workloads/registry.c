// SPDX-License-Identifier: GPL-2.0
/* The table of workloads: adding one is one line here and one file. */
#include <string.h>
#include "bench.h"

extern const struct workload wl_null;
extern const struct workload wl_htab_churn;
extern const struct workload wl_qp_trie_lookup;
extern const struct workload wl_qp_trie_update;
extern const struct workload wl_nmi_alloc;

const struct workload *const workloads[] = {
	&wl_null,
	&wl_htab_churn,
	&wl_qp_trie_lookup,
	&wl_qp_trie_update,
	&wl_nmi_alloc,
	NULL,
};

const char *const pressure_modes[] = { "none", "anon", "anon+fio", NULL };

const struct workload *workload_find(const char *name)
{
	for (int i = 0; workloads[i]; i++)
		if (!strcmp(workloads[i]->name, name))
			return workloads[i];
	return NULL;
}

const struct param_val *point_param(const struct point *pt, const char *name)
{
	for (int i = 0; i < pt->nr_params; i++)
		if (!strcmp(pt->params[i].spec->name, name))
			return &pt->params[i];
	return NULL;
}

long long point_int(const struct point *pt, const char *name)
{
	const struct param_val *v = point_param(pt, name);

	return v ? v->num : 0;
}

const char *point_str(const struct point *pt, const char *name)
{
	const struct param_val *v = point_param(pt, name);

	return v ? v->str : "";
}
