// SPDX-License-Identifier: GPL-2.0
/* Strict patterns for names and point ids; clean UTF-8 for free text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "validate.h"

static bool name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '.' || c == '_' || c == '+' || c == '-');
}

/* Length of the name at s (up to a char not in the pattern), 0 if none. */
static size_t name_span(const char *s)
{
	size_t n = 0;

	while (s[n] && name_char(s[n], n == 0))
		n++;
	return n;
}

bool valid_name(const char *s)
{
	size_t n = s ? name_span(s) : 0;

	return n && n <= NAME_MAX_LEN && !s[n];
}

bool valid_point_id(const char *s, const char *workload, long long threads)
{
	size_t wl = workload ? strlen(workload) : 0;
	const char *p, *t;
	char *end;
	long long n;

	if (!s || !valid_name(workload) || strncmp(s, workload, wl) || s[wl] != '/')
		return false;
	p = s + wl + 1;
	t = strrchr(p, '/');
	if (!t || t[1] != 't' || t[2] < '1' || t[2] > '9')
		return false;
	n = strtoll(t + 2, &end, 10);
	if (*end || n != threads)
		return false;
	while (p < t) {			/* k=v[,k=v]... */
		size_t k = name_span(p), v;

		if (!k || k > NAME_MAX_LEN || p[k] != '=')
			return false;
		p += k + 1;
		v = name_span(p);
		if (!v || v > NAME_MAX_LEN)
			return false;
		p += v;
		if (p < t && *p++ != ',')
			return false;
		if (p == t && p[-1] == ',')
			return false;
	}
	return p == t;
}

/* Length of the UTF-8 sequence at s and its code point; 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;		/* overlong, out of range, surrogate */
	*cp = c;
	return n;
}

static bool control(uint32_t c, bool multiline)
{
	if (c == '\t' || (multiline && c == '\n'))
		return false;
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0);
}

bool valid_text(const char *s, size_t max, bool multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;

	if (!s || strlen(s) > max)
		return false;
	while (*p) {
		size_t n = utf8_seq(p, &c);

		if (!n || control(c, multiline))
			return false;
		p += n;
	}
	return true;
}

char *text_sanitize(const char *s, size_t max, bool multiline)
{
	static const char repl[] = "\xef\xbf\xbd";	/* U+FFFD */
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *out = malloc(max + 1);
	size_t o = 0;
	uint32_t c;

	if (!out)
		return NULL;
	while (*p) {
		size_t n = utf8_seq(p, &c);
		bool bad = !n || control(c, multiline);
		size_t w = bad ? 3 : n;

		if (o + w > max)
			break;
		memcpy(out + o, bad ? repl : (const char *)p, w);
		o += w;
		p += n ? n : 1;
	}
	out[o] = '\0';
	return out;
}
