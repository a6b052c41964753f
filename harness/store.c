// SPDX-License-Identifier: GPL-2.0
/*
 * The run store: results/<run-id>/results.jsonl and meta.json, each
 * rewritten atomically (temporary file, fsync, rename). Records are only
 * ever added: when a point is recorded twice (a resumed run, a VM point that
 * produced a record and then a WARNING), the last record of a point is the
 * one that counts, and the earlier ones stay in the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "record.h"
#include "store.h"

int store_write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len && !err) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			err = -errno;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (n + 4096 > cap) {
			char *tmp = realloc(buf, cap = cap * 2 + 8192);

			if (!tmp) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = tmp;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void results_path(const char *rundir, char *path, size_t len)
{
	snprintf(path, len, "%s/results.jsonl", rundir);
}

/* Validates each line of in; adds the good ones to results.jsonl. */
int store_append(const char *rundir, FILE *in, int *rejected)
{
	char path[PATH_MAX], *line = NULL;
	size_t len, cap = 0, lineno = 0;
	char *old, *out;
	size_t olen, outlen;
	ssize_t n;
	int err;

	if (mkdir(rundir, 0755) && errno != EEXIST)
		return -errno;
	results_path(rundir, path, sizeof(path));
	old = slurp(path, &olen);
	out = old ? old : strdup("");
	outlen = olen;
	*rejected = 0;
	while (out && (n = getline(&line, &cap, in)) > 0) {
		json_error_t jerr;
		char why[256];
		json_t *rec;
		char *dump;

		lineno++;
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (!len)
			continue;
		rec = json_loads(line, 0, &jerr);
		if (!rec || record_validate(rec, why, sizeof(why))) {
			fprintf(stderr, "results: line %zu rejected: %s\n", lineno,
				rec ? why : jerr.text);
			(*rejected)++;
			json_decref(rec);
			continue;
		}
		dump = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		json_decref(rec);
		if (!dump)
			break;
		len = strlen(dump);
		out = realloc(out, outlen + len + 2);
		if (out) {
			memcpy(out + outlen, dump, len);
			outlen += len;
			out[outlen++] = '\n';
		}
		free(dump);
	}
	free(line);
	if (!out)
		return -ENOMEM;
	err = store_write_atomic(path, out, outlen);
	free(out);
	return err;
}

/* An object "variant<TAB>point" -> the last record of that point. */
int store_last_records(const char *rundir, json_t **out)
{
	char path[PATH_MAX], *buf, *save = NULL, *line;
	size_t len;
	json_t *last = json_object();

	results_path(rundir, path, sizeof(path));
	buf = slurp(path, &len);
	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *rec = json_loads(line, 0, NULL);
		const char *pt = json_string_value(json_object_get(rec, "point"));
		const char *var = json_string_value(json_object_get(rec, "variant"));
		char *key;

		if (pt && var && asprintf(&key, "%s\t%s", var, pt) > 0) {
			json_object_set(last, key, rec);
			free(key);
		}
		json_decref(rec);
	}
	free(buf);
	*out = last;
	return 0;
}

/*
 * 0: the point has a finished (ok or unsupported) record, of this variant
 * when one is named; 1: it has not. Point ids do not name the variant.
 */
int store_has(const char *rundir, const char *point, const char *variant)
{
	json_t *last, *rec;
	const char *key;
	int ret = 1;

	store_last_records(rundir, &last);
	json_object_foreach(last, key, rec) {
		const char *tab = strchr(key, '\t');
		const char *status = json_string_value(json_object_get(rec, "status"));

		if (strcmp(tab + 1, point) ||
		    (variant && strncmp(key, variant, (size_t)(tab - key))) ||
		    (variant && strlen(variant) != (size_t)(tab - key)))
			continue;
		if (!strcmp(status, "ok") || !strcmp(status, "unsupported"))
			ret = 0;
	}
	json_decref(last);
	return ret;
}

static json_t *meta_value(const char *v, bool raw, char *err, size_t len)
{
	json_error_t jerr;
	json_t *j;

	if (raw) {
		j = json_loads(v, JSON_DECODE_ANY, &jerr);
		if (!j)
			snprintf(err, len, "'%s' is not JSON: %s", v, jerr.text);
		return j;
	}
	if (*v != '@')
		return json_string(v);
	j = json_load_file(v + 1, JSON_DECODE_ANY, &jerr);
	if (!j)
		snprintf(err, len, "%s: %s", v + 1, jerr.text);
	return j;
}

/* K=V sets a string, K:=JSON a JSON value, K=@file.json one read from a file. */
int store_meta(const char *rundir, int argc, char **argv, char *err, size_t len)
{
	char path[PATH_MAX], *dump;
	json_t *meta;
	int ret;

	snprintf(path, sizeof(path), "%s/meta.json", rundir);
	meta = json_load_file(path, 0, NULL);
	if (!meta)
		meta = json_object();
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		bool raw;
		json_t *v;

		if (!eq || eq == argv[i]) {
			snprintf(err, len, "meta '%s' is not KEY=VALUE or KEY=@file", argv[i]);
			json_decref(meta);
			return -EINVAL;
		}
		raw = eq > argv[i] + 1 && eq[-1] == ':';
		*eq = '\0';
		if (raw)
			eq[-1] = '\0';
		v = meta_value(eq + 1, raw, err, len);
		if (!v) {
			json_decref(meta);
			return -EINVAL;
		}
		json_object_set_new(meta, argv[i], v);
	}
	dump = json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(meta);
	if (!dump)
		return -ENOMEM;
	if (mkdir(rundir, 0755) && errno != EEXIST)
		ret = -errno;
	else
		ret = store_write_atomic(path, dump, strlen(dump));
	free(dump);
	if (ret)
		snprintf(err, len, "write %s: %s", path, strerror(-ret));
	return ret;
}
