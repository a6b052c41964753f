// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the store's record validator, and the text cleaner the
 * harness writes guest text through. Invariants: no crash or leak; a
 * record the validator takes has the names it promises; whatever
 * text_sanitize() returns, valid_text() takes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *clean, err[256];
	json_t *rec;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	clean = text_sanitize(s, 512, size & 1);
	if (clean && !valid_text(clean, 512, size & 1))
		abort();
	free(clean);

	rec = json_loads(s, 0, NULL);
	if (rec && !record_validate(rec, err, sizeof(err))) {
		if (!valid_name(json_string_value(json_object_get(rec, "workload"))) ||
		    !valid_name(json_string_value(json_object_get(rec, "variant"))) ||
		    !valid_point_id(json_string_value(json_object_get(rec, "point")),
				    json_string_value(json_object_get(rec, "workload")),
				    json_integer_value(json_object_get(rec, "threads"))))
			abort();
	}
	json_decref(rec);
	free(s);
	return 0;
}
