/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_STORE_H
#define ALLOCBENCH_STORE_H

#include <stdio.h>
#include <jansson.h>

int store_write_atomic(const char *path, const char *data, size_t len);
int store_append(const char *rundir, FILE *in, int *rejected);
int store_has(const char *rundir, const char *point, const char *variant);
int store_meta(const char *rundir, int argc, char **argv, char *err, size_t len);
int store_last_records(const char *rundir, json_t **out);

#endif
