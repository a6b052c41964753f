/* SPDX-License-Identifier: GPL-2.0 */
/*
 * allocbench results merge [--force] OUT RUN...: run directories (the
 * shards of one sweep, or any runs of one suite on one kind of machine)
 * joined into a new run directory OUT, made atomically.
 */
#ifndef ALLOCBENCH_MERGE_H
#define ALLOCBENCH_MERGE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * 0 when OUT was made; -EINVAL (a user mistake or a refused mix, why in
 * err) or another -errno (why in err); nothing is left behind on error.
 */
int merge_runs(const char *out, char **runs, int nr_runs, bool force,
	       char *err, size_t len);
/* `results merge ...`: argv[0] is "merge". Exit 0, 1 (I/O) or 2. */
int cmd_merge(int argc, char **argv);

#endif
