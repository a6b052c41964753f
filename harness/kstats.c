// SPDX-License-Identifier: GPL-2.0
/*
 * Counters the kernel exports as "name value" lines (/proc/vmstat, the
 * lockless pool's debugfs stats): their change over a point goes into the
 * result. A file that does not exist adds nothing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "kstats.h"

int kstats_read(const char *path, char names[][48], long long *vals, int max)
{
	char line[256];
	int n = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f))
		if (sscanf(line, "%47s %lld", names[n], &vals[n]) == 2)
			n++;
	fclose(f);
	return n;
}

void kstats_begin(struct kstats *k, const char *path, const char *prefix,
		  const char *const *gauges)
{
	k->path = path;
	k->prefix = prefix;
	k->gauges = gauges;
	k->nr = kstats_read(path, k->names, k->before, KSTATS_MAX);
}

static bool is_gauge(const struct kstats *k, const char *name)
{
	for (int i = 0; k->gauges && k->gauges[i]; i++)
		if (!strcmp(k->gauges[i], name))
			return true;
	return false;
}

/* Gauges are reported as they are now, other counters as their change. */
void kstats_end(struct kstats *k, struct result_counts *out)
{
	char names[KSTATS_MAX][48];
	long long now[KSTATS_MAX];
	int n;

	if (k->nr <= 0)
		return;
	n = kstats_read(k->path, names, now, KSTATS_MAX);
	for (int i = 0; i < n; i++) {
		char key[128];

		for (int j = 0; j < k->nr; j++) {
			if (strcmp(names[i], k->names[j]))
				continue;
			/* the prefix groups names; one that carries it already keeps its name */
			snprintf(key, sizeof(key), "%.32s%.47s",
				 strncmp(names[i], k->prefix, strlen(k->prefix)) ? k->prefix : "",
				 names[i]);
			result_counts_add(out, key, is_gauge(k, names[i]) ?
					  now[i] : now[i] - k->before[j], true);
		}
	}
}
