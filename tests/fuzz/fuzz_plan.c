// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: `allocbench plan` with --param values from the input (one a
 * line; the first line is the thread list, the second the workloads).
 * Invariants: no crash; every planned point id is one the store accepts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "plan.h"
#include "validate.h"

#define MAX_LINES	32

static void check_ids(char *out)
{
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(l, '\t'), *slash, *t, wl[NAME_MAX_LEN + 1];

		if (!tab)
			abort();
		*tab = '\0';
		slash = strchr(l, '/');
		t = strrchr(l, '/');
		if (!slash || t == slash || slash - l > NAME_MAX_LEN)
			abort();
		snprintf(wl, sizeof(wl), "%.*s", (int)(slash - l), l);
		if (!valid_point_id(l, wl, atoll(t + 2)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *lines[MAX_LINES], err[ERR_LEN], *out = NULL;
	int threads[256], nr_threads = 0, n = 0;
	size_t len = 0;
	FILE *f;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (char *save = NULL, *t = strtok_r(s, "\n", &save); t && n < MAX_LINES;
	     t = strtok_r(NULL, "\n", &save))
		lines[n++] = t;
	if (n < 2 || parse_threads_list(lines[0], threads, 4, MAX_THREADS, &nr_threads,
					err, sizeof(err)))
		goto out;
	f = open_memstream(&out, &len);
	if (!f)
		goto out;
	if (!plan_print(f, lines[1], threads, nr_threads, lines + 2, n - 2, err, sizeof(err))) {
		fclose(f);
		check_ids(out);
	} else {
		fclose(f);
	}
	free(out);
out:
	free(s);
	return 0;
}
