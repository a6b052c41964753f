// SPDX-License-Identifier: GPL-2.0
/*
 * The run store: results/<run-id>/results.jsonl and meta.json, each
 * rewritten atomically (temporary file, fsync, rename, fsync of the
 * directory) by one writer at a time (flock on RUNDIR/.lock). Records are only
 * ever added: when a point is recorded twice (a resumed run, a VM point that
 * produced a record and then a WARNING), the last record of a point is the
 * one that counts, and the earlier ones stay in the file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "record.h"
#include "store.h"

/* Makes a rename in dir durable. */
static int fsync_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, err = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int tmp_open(const char *path, char *tmp, size_t len)
{
	int fd;

	if ((size_t)snprintf(tmp, len, "%s.tmp.%d", path, (int)getpid()) >= len)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : fd;
}

/* fsync, close and rename tmp over path, then fsync the directory. */
static int tmp_commit(int fd, const char *tmp, const char *path, int err)
{
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	return fsync_dir(path);
}

int store_write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd = tmp_open(path, tmp, sizeof(tmp));

	if (fd < 0)
		return fd;
	return tmp_commit(fd, tmp, path, write_all(fd, data, len));
}

/*
 * Temporaries of writers that were killed between open and rename: with
 * the lock held no other writer is alive, so they can only be leftovers.
 */
static void remove_stale_tmp(const char *rundir)
{
	DIR *d = opendir(rundir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "results.jsonl.tmp.", 18) &&
		    strncmp(e->d_name, "meta.json.tmp.", 14))
			continue;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/*
 * One writer at a time per run directory: an exclusive flock on
 * RUNDIR/.lock, held across read, modify and rename. Returns the fd.
 */
static int store_lock(const char *rundir)
{
	char path[PATH_MAX];
	int fd;

	if (mkdir(rundir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/.lock", rundir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			int err = -errno;

			close(fd);
			return err;
		}
	}
	remove_stale_tmp(rundir);
	return fd;
}

static void store_unlock(int fd)
{
	close(fd);	/* drops the flock */
}

/*
 * The whole file, NUL-terminated. A file that does not exist is empty
 * (*buf NULL, 0); any other failure is an error and nothing is returned.
 */
static int slurp(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *b = NULL;
	size_t cap = 0, n = 0, r;
	int err = 0;

	*buf = NULL;
	*len = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	do {
		if (n + 4096 > cap) {
			char *tmp = realloc(b, cap = cap * 2 + 8192);

			if (!tmp) {
				err = -ENOMEM;
				break;
			}
			b = tmp;
		}
		r = fread(b + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	if (err) {
		free(b);
		return err;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static void results_path(const char *rundir, char *path, size_t len)
{
	snprintf(path, len, "%s/results.jsonl", rundir);
}

/*
 * Streams the existing records into fd, in small chunks so that a large
 * file does not need a large allocation. A file that does not exist is
 * empty; a half line at its end (it cannot come from us) is closed.
 */
static int copy_records(const char *path, int fd)
{
	char buf[65536], last = '\n';
	int in = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (in < 0)
		return errno == ENOENT ? 0 : -errno;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		last = buf[n - 1];
		err = write_all(fd, buf, (size_t)n);
		if (err)
			break;
	}
	close(in);
	if (!err && last != '\n')
		err = write_all(fd, "\n", 1);
	return err;
}

/* One line of input: 1 added, 0 skipped (empty or rejected), or -errno. */
static int append_line(int fd, char *line, size_t lineno, int *rejected)
{
	size_t len = strcspn(line, "\r\n");
	json_error_t jerr;
	char why[256];
	json_t *rec;
	char *dump;
	int err;

	line[len] = '\0';
	if (!len)
		return 0;
	rec = json_loads(line, 0, &jerr);
	if (!rec || record_validate(rec, why, sizeof(why))) {
		fprintf(stderr, "results: line %zu rejected: %s\n", lineno,
			rec ? why : jerr.text);
		(*rejected)++;
		json_decref(rec);
		return 0;
	}
	dump = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(rec);
	if (!dump)
		return -ENOMEM;
	err = write_all(fd, dump, strlen(dump));
	if (!err)
		err = write_all(fd, "\n", 1);
	free(dump);
	return err ? err : 1;
}

/*
 * Validates each line of in and adds the good ones to results.jsonl: under
 * the run's lock, the old records and the new ones go to a temporary file
 * that replaces the old one. Any failure (read, write, full disk, memory)
 * leaves results.jsonl as it was and returns -errno.
 */
int store_append(const char *rundir, FILE *in, int *rejected)
{
	char path[PATH_MAX], tmp[PATH_MAX], *line = NULL;
	size_t cap = 0, lineno = 0;
	int lock, fd, err;
	ssize_t n;

	*rejected = 0;
	lock = store_lock(rundir);
	if (lock < 0)
		return lock;
	results_path(rundir, path, sizeof(path));
	fd = tmp_open(path, tmp, sizeof(tmp));
	if (fd < 0) {
		store_unlock(lock);
		return fd;
	}
	err = copy_records(path, fd);
	errno = 0;
	while (!err && (n = getline(&line, &cap, in)) > 0) {
		int r = append_line(fd, line, ++lineno, rejected);

		err = r < 0 ? r : 0;
	}
	if (!err && ferror(in))
		err = -EIO;
	else if (!err && errno == ENOMEM)
		err = -ENOMEM;
	free(line);
	err = tmp_commit(fd, tmp, path, err);
	store_unlock(lock);
	return err;
}

/* An object "variant<TAB>point" -> the last record of that point. */
int store_last_records(const char *rundir, json_t **out)
{
	char path[PATH_MAX], *buf, *save = NULL, *line;
	size_t len;
	json_t *last;
	int err;

	*out = NULL;
	results_path(rundir, path, sizeof(path));
	err = slurp(path, &buf, &len);
	if (err)
		return err;
	last = json_object();
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
 * when one is named; 1: it has not; -errno: the records cannot be read.
 * Point ids do not name the variant.
 */
int store_has(const char *rundir, const char *point, const char *variant)
{
	json_t *last, *rec;
	const char *key;
	int ret = 1, err = store_last_records(rundir, &last);

	if (err)
		return err;
	json_object_foreach(last, key, rec) {
		const char *tab = strchr(key, '\t');
		const char *status = json_string_value(json_object_get(rec, "status"));

		if (!tab || !status || strcmp(tab + 1, point) ||
		    (variant && (strlen(variant) != (size_t)(tab - key) ||
				 strncmp(key, variant, (size_t)(tab - key)))))
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

/* The run's meta.json, or an empty object when there is none yet. */
static int meta_load(const char *path, json_t **meta, char *err, size_t len)
{
	json_error_t jerr;

	*meta = json_load_file(path, 0, &jerr);
	if (*meta && json_is_object(*meta))
		return 0;
	if (!*meta && access(path, F_OK) && errno == ENOENT) {
		*meta = json_object();
		return 0;
	}
	snprintf(err, len, "%s: %s", path, *meta ? "not a JSON object" : jerr.text);
	json_decref(*meta);
	*meta = NULL;
	return -EINVAL;
}

static int meta_set(json_t *meta, char *kv, char *err, size_t len)
{
	char *eq = strchr(kv, '=');
	bool raw;
	json_t *v;

	if (!eq || eq == kv) {
		snprintf(err, len, "meta '%s' is not KEY=VALUE or KEY=@file", kv);
		return -EINVAL;
	}
	raw = eq > kv + 1 && eq[-1] == ':';
	*eq = '\0';
	if (raw)
		eq[-1] = '\0';
	v = meta_value(eq + 1, raw, err, len);
	if (!v)
		return -EINVAL;
	json_object_set_new(meta, kv, v);
	return 0;
}

/*
 * K=V sets a string, K:=JSON a JSON value, K=@file.json one read from a
 * file. Under the run's lock; a meta.json that cannot be read is an error
 * and is left as it is.
 */
int store_meta(const char *rundir, int argc, char **argv, char *err, size_t len)
{
	char path[PATH_MAX], *dump = NULL;
	json_t *meta = NULL;
	int lock, ret;

	lock = store_lock(rundir);
	if (lock < 0) {
		snprintf(err, len, "lock %s: %s", rundir, strerror(-lock));
		return lock;
	}
	snprintf(path, sizeof(path), "%s/meta.json", rundir);
	ret = meta_load(path, &meta, err, len);
	for (int i = 0; !ret && i < argc; i++)
		ret = meta_set(meta, argv[i], err, len);
	if (!ret) {
		dump = json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		ret = dump ? store_write_atomic(path, dump, strlen(dump)) : -ENOMEM;
		if (ret)
			snprintf(err, len, "write %s: %s", path, strerror(-ret));
	}
	free(dump);
	json_decref(meta);
	store_unlock(lock);
	return ret;
}
