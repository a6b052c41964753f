/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a string from a record, a guest or the command line may be. Names
 * (workloads, variants, parameters, run ids, counters) and point ids go into
 * file names, plots and shell words, so they match a strict pattern; free
 * text (reasons, kernel releases, CPU models) is valid UTF-8 without control
 * characters, and is escaped wherever it goes.
 */
#ifndef ALLOCBENCH_VALIDATE_H
#define ALLOCBENCH_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#define NAME_MAX_LEN	64	/* characters: ^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$ */
#define TEXT_MAX_LEN	4096

bool valid_name(const char *s);
/* workload/k=v,k=v/tN of this workload and thread count */
bool valid_point_id(const char *s, const char *workload, long long threads);
/* UTF-8, at most max bytes, no control characters but \t (and \n if multiline) */
bool valid_text(const char *s, size_t max, bool multiline);
/*
 * A copy of s that valid_text() accepts: invalid UTF-8 and control
 * characters become U+FFFD, and it is cut at max bytes on a character
 * boundary. NULL only when out of memory.
 */
char *text_sanitize(const char *s, size_t max, bool multiline);

#endif
