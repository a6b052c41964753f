// SPDX-License-Identifier: GPL-2.0
/* Filling a point's result; record.c renders it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "result.h"

void result_init(struct result *r, const struct point *pt, const struct run_opts *ro)
{
	time_t now = time(NULL);
	struct tm tm;

	memset(r, 0, sizeof(*r));
	r->pt = pt;
	r->ro = ro;
	r->status = "failed";
	r->mem.source = "none";
	r->mem.kernel_end = -1;
	r->mem.idle = -1;
	r->mem.mean = -1;
	r->pressure.mode = "none";
	gmtime_r(&now, &tm);
	strftime(r->started_at, sizeof(r->started_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void result_set_status(struct result *r, const char *status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	r->reason[0] = '\0';
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

int result_counts_add(struct result_counts *c, const char *name, long long value,
		      bool replace)
{
	for (int i = 0; i < c->nr; i++) {
		if (strcmp(c->c[i].name, name))
			continue;
		c->c[i].value = replace ? value : c->c[i].value + value;
		return 0;
	}
	if (c->nr == RESULT_MAX_COUNTS || strlen(name) >= RESULT_NAME_LEN)
		return -ENOSPC;
	snprintf(c->c[c->nr].name, RESULT_NAME_LEN, "%s", name);
	c->c[c->nr++].value = value;
	return 0;
}

long long result_counter(const struct result_counts *c, const char *name)
{
	for (int i = 0; i < c->nr; i++)
		if (!strcmp(c->c[i].name, name))
			return c->c[i].value;
	return 0;
}

int result_add_failure(struct result *r, const char *name, long long value)
{
	return result_counts_add(&r->failures, name, value, false);
}

int result_add_counter(struct result *r, const char *name, long long value)
{
	return result_counts_add(&r->counters, name, value, false);
}

int result_set_counter(struct result *r, const char *name, long long value)
{
	return result_counts_add(&r->counters, name, value, true);
}
