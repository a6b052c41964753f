/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ALLOCBENCH_RECORD_H
#define ALLOCBENCH_RECORD_H

#include <stdio.h>
#include <jansson.h>
#include "result.h"

#define RECORD_SCHEMA	1

/* The one place a result becomes a schema-1 record (docs/interfaces.md). */
json_t *result_to_json(const struct result *r);
int record_print(json_t *rec, FILE *f);
int record_validate(json_t *rec, char *err, size_t len);

#endif
