// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the command line of one point (`allocbench run/fail`), the
 * input split into arguments at newlines. Invariants: no crash; a point
 * that parses has a point id the store accepts, of its workload and
 * thread count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "validate.h"

#define MAX_ARGS	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *argv[MAX_ARGS + 1], err[ERR_LEN], id[4096];
	struct run_opts ro = { 0 };
	struct point pt;
	int argc = 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (char *save = NULL, *t = strtok_r(s, "\n", &save); t && argc < MAX_ARGS;
	     t = strtok_r(NULL, "\n", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	if (argc && !point_parse(argc, argv, &pt, &ro, MAX_THREADS, err, sizeof(err))) {
		point_validate(&pt, err, sizeof(err));
		if (!point_id(&pt, id, sizeof(id)) &&
		    !valid_point_id(id, pt.wl->name, pt.threads))
			abort();
		if (ro.variant && !valid_name(ro.variant))
			abort();
	}
	free(s);
	return 0;
}
