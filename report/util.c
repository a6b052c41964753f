// SPDX-License-Identifier: GPL-2.0
/* Small helpers: allocation that cannot fail silently, usage errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "abreport.h"

void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("abreport: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void die_oom(void)
{
	fputs("abreport: out of memory\n", stderr);
	exit(2);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die_oom();
	return s;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		die_oom();
	return d;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die_oom();
	return p;
}

int mkdir_p(const char *path)
{
	char *tmp = xstrdup(path);
	char *p;
	int err = 0;

	for (p = tmp + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST) {
			err = -errno;
			break;
		}
		*p = c;
		if (!c)
			break;
	}
	free(tmp);
	return err;
}

/* Where the gnuplot scripts and the HTML template live. */
const char *abreport_root(void)
{
	const char *d = getenv("ABREPORT_DATADIR");

	return d && *d ? d : "report";
}
