// SPDX-License-Identifier: GPL-2.0
/*
 * results merge: run directories joined into a new one. The records of the
 * runs, in the order the runs are given and each run's in file order, are
 * added through the store (results append: every line validated); so the
 * last record of a point, the one that counts, is the one of the last run
 * that has it. The new directory is built under a hidden temporary name
 * beside OUT and renamed to OUT only when complete, never over an existing
 * OUT: a reader sees no OUT or the whole of it. SIGINT, SIGTERM and SIGHUP
 * wait until OUT is made or the temporary is removed; a merge killed
 * otherwise leaves its temporary, which the next merge of that OUT removes
 * (the temporary's .merge.lock is held, flock, while its merge lives).
 *
 * Runs that would not compare are refused unless forced: another suite
 * version, another kernel under the same variant name, another accelerator
 * or host CPU model, a run that did not finish (still running, or
 * stopped), and shards of one sweep that are not all there or not of the
 * same sweep. When forced, meta.json's "mixed" says what was let through.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "merge.h"
#include "record.h"
#include "store.h"
#include "validate.h"

#define MERGE_MAX_RUNS	4096

struct run_in {
	const char *dir;	/* as given */
	const char *id;		/* meta.json's run_id, else the directory's name */
	json_t *meta;		/* meta.json */
	json_t *recs;		/* its records, in file order */
};

struct merge {
	struct run_in *in;
	int nr;
	bool force;
	/* quantity -> {value: the first run that has it}, in the order seen */
	json_t *seen;
	json_t *mixed;		/* what --force let through */
	char *err;
	size_t len;
};

static int refuse(struct merge *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(struct merge *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, m->len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* meta.json and text from other machines, fit for one line on stderr. */
static char *one_line(const char *s)
{
	char *t = text_sanitize(s ? s : "", 160, false);

	return t ? t : strdup("?");
}

static void mixed_add(struct merge *m, const char *what, json_t *vals)
{
	json_object_set_new(m->mixed, what, vals);
}

/* One more value of a quantity that all runs must agree on. */
static void see(struct merge *m, const char *what, const char *val,
		const struct run_in *r)
{
	json_t *vals;

	if (!val)
		return;
	vals = json_object_get(m->seen, what);
	if (!vals) {
		vals = json_object();
		json_object_set_new(m->seen, what, vals);
	}
	if (!json_object_get(vals, val))
		json_object_set_new(vals, val, json_string_nocheck(r->dir));
}

/* Every quantity seen with two values: refused, or with --force recorded. */
static int check_seen(struct merge *m)
{
	const char *what, *v, *first = NULL;
	json_t *vals, *dir, *firstdir = NULL;

	json_object_foreach(m->seen, what, vals) {
		json_t *list;
		char *a, *b;

		if (json_object_size(vals) < 2)
			continue;
		if (m->force) {
			list = json_array();
			json_object_foreach(vals, v, dir)
				json_array_append_new(list, json_string(v));
			mixed_add(m, what, list);
			continue;
		}
		first = NULL;
		json_object_foreach(vals, v, dir) {
			if (!first) {
				first = v;
				firstdir = dir;
				continue;
			}
			a = one_line(first);
			b = one_line(v);
			refuse(m, "%s differs: '%s' (%s) vs '%s' (%s): the runs do not compare; --force (make merge FORCE=1) merges them anyway",
			       what, a, json_string_value(firstdir), b, json_string_value(dir));
			free(a);
			free(b);
			return -EINVAL;
		}
	}
	return 0;
}

/* The host CPU of a record: the VM runner's context, else the host's own. */
static const char *rec_host_cpu(json_t *rec)
{
	const char *c = json_string_value(json_object_get(json_object_get(rec, "context"),
							  "host_cpu"));
	const char *target = json_string_value(json_object_get(rec, "target"));

	if (c)
		return c;
	return target && !strcmp(target, "host") ?
		json_string_value(json_object_get(rec, "host_cpu")) : NULL;
}

/*
 * What must be the same in every run. The records that count are the ok
 * ones: a failed point's record may come from the runner on the host (its
 * release, accel "none"), and it has no timing to compare.
 */
static void see_run(struct merge *m, const struct run_in *r)
{
	static const char *const ctx_hashes[] = { "kernel_sha256", "config_sha256", NULL };
	static const char *const build_hashes[] = { "config_sha256", "bzimage_sha256", NULL };
	const char *key, *v;
	json_t *val, *rec;
	char what[160];
	size_t i;

	see(m, "suite_sha", json_string_value(json_object_get(r->meta, "suite_sha")), r);
	see(m, "host_cpu", json_string_value(json_object_get(r->meta, "host_cpu")), r);
	see(m, "accel", json_string_value(json_object_get(r->meta, "accel")), r);
	json_object_foreach(r->meta, key, val) {
		if (strncmp(key, "variant.", 8) || !json_is_object(val))
			continue;
		for (int h = 0; build_hashes[h]; h++) {
			snprintf(what, sizeof(what), "%s %s", key, build_hashes[h]);
			see(m, what, json_string_value(json_object_get(val, build_hashes[h])), r);
		}
	}
	json_array_foreach(r->recs, i, rec) {
		const char *var = json_string_value(json_object_get(rec, "variant"));
		json_t *ctx = json_object_get(rec, "context");

		if (strcmp(json_string_value(json_object_get(rec, "status")), "ok"))
			continue;
		see(m, "record suite_sha", json_string_value(json_object_get(rec, "suite_sha")), r);
		see(m, "accel", json_string_value(json_object_get(rec, "accel")), r);
		see(m, "record host CPU", rec_host_cpu(rec), r);
		snprintf(what, sizeof(what), "variant %s kernel_release", var);
		see(m, what, json_string_value(json_object_get(rec, "kernel_release")), r);
		for (int h = 0; ctx_hashes[h]; h++) {
			v = json_string_value(json_object_get(ctx, ctx_hashes[h]));
			snprintf(what, sizeof(what), "variant %s %s", var, ctx_hashes[h]);
			see(m, what, v, r);
		}
	}
}

/* A finished run has finished_at and was not stopped. */
static int check_finished(struct merge *m)
{
	json_t *list = json_array();

	for (int i = 0; i < m->nr; i++) {
		json_t *meta = m->in[i].meta;
		json_t *stopped = json_object_get(meta, "stopped");

		if (json_object_get(meta, "finished_at") && (!stopped || json_is_null(stopped)))
			continue;
		if (!m->force) {
			json_decref(list);
			return refuse(m, "%s did not finish (it is running, or was stopped: RESUME it); --force (make merge FORCE=1) merges it as it is",
				      m->in[i].dir);
		}
		json_array_append_new(list, json_string(m->in[i].id));
	}
	if (json_array_size(list))
		mixed_add(m, "unfinished", list);
	else
		json_decref(list);
	return 0;
}

/* settings without the shard: what the shards of one sweep share */
static json_t *sweep_settings(json_t *meta)
{
	json_t *s = json_object_get(meta, "settings");

	if (!json_is_object(s))
		return NULL;
	s = json_deep_copy(s);
	json_object_del(s, "shard");
	return s;
}

static bool shard_of(json_t *meta, long long *index, long long *count)
{
	json_t *sh = json_object_get(meta, "shard");

	*index = json_integer_value(json_object_get(sh, "index"));
	*count = json_integer_value(json_object_get(sh, "count"));
	return json_is_object(sh) && *count >= 1 && *count <= 1000000 &&
	       *index >= 1 && *index <= *count;
}

/*
 * When every run is a shard (runners/matrix SHARD=i/N): they must be of
 * one sweep (the same settings, the same N), and every shard must be
 * there, else the merged run silently lacks points.
 */
static int check_shards(struct merge *m)
{
	long long idx, n, n0 = 0;
	json_t *s0 = NULL, *missing;
	char *have;
	int ret = 0;

	for (int i = 0; i < m->nr; i++)
		if (!shard_of(m->in[i].meta, &idx, &n))
			return 0;
	for (int i = 0; i < m->nr && !ret; i++) {
		json_t *s = sweep_settings(m->in[i].meta);

		shard_of(m->in[i].meta, &idx, &n);
		if (!i) {
			n0 = n;
			s0 = s;
			continue;
		}
		if (n != n0 || !s || !s0 || !json_equal(s, s0)) {
			if (!m->force)
				ret = refuse(m, "%s and %s are not shards of one sweep (another shard count or other settings: TARGET, VARIANTS, WORKLOADS, THREADS, PARAMS, DURATION, WARMUP, the plan); --force (make merge FORCE=1) merges them anyway",
					     m->in[0].dir, m->in[i].dir);
			else
				json_object_set_new(m->mixed, "sweeps", json_true());
		}
		json_decref(s);
	}
	json_decref(s0);
	if (ret || json_object_get(m->mixed, "sweeps"))
		return ret;
	have = calloc((size_t)n0 + 1, 1);
	if (!have)
		return -ENOMEM;
	for (int i = 0; i < m->nr; i++) {
		shard_of(m->in[i].meta, &idx, &n);
		have[idx] = 1;
	}
	missing = json_array();
	for (long long i = 1; i <= n0; i++) {
		if (have[i])
			continue;
		if (!m->force) {
			ret = refuse(m, "shard %lld/%lld of the sweep is missing; --force (make merge FORCE=1) merges without it",
				     i, n0);
			break;
		}
		json_array_append_new(missing, json_sprintf("%lld/%lld", i, n0));
	}
	free(have);
	if (!ret && json_array_size(missing))
		mixed_add(m, "shards_missing", missing);
	else
		json_decref(missing);
	return ret;
}

/* The records of dir/results.jsonl, each a valid schema-1 record. */
static int load_records(struct merge *m, struct run_in *r)
{
	char path[PATH_MAX], why[256], *line = NULL;
	size_t cap = 0, lineno = 0;
	json_error_t jerr;
	ssize_t n;
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/results.jsonl", r->dir);
	r->recs = json_array();
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)	/* a run (a shard) with no point */
			return 0;
		ret = -errno;
		snprintf(m->err, m->len, "%s: %s", path, strerror(errno));
		return ret;
	}
	errno = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		size_t len = strcspn(line, "\r\n");
		json_t *rec;

		lineno++;
		line[len] = '\0';
		if (!len)
			continue;
		rec = json_loads(line, 0, &jerr);
		if (!rec || record_validate(rec, why, sizeof(why))) {
			snprintf(m->err, m->len, "%s: line %zu is not a valid record: %s",
				 path, lineno, rec ? why : jerr.text);
			json_decref(rec);
			ret = -EBADMSG;
			break;
		}
		json_array_append_new(r->recs, rec);
	}
	if (!ret && (ferror(f) || errno == ENOMEM)) {
		ret = errno ? -errno : -EIO;
		snprintf(m->err, m->len, "%s: %s", path, strerror(-ret));
	}
	free(line);
	fclose(f);
	return ret;
}

static int load_run(struct merge *m, struct run_in *r)
{
	char path[PATH_MAX];
	json_error_t jerr;
	struct stat st;
	const char *slash, *id;

	if (stat(r->dir, &st) || !S_ISDIR(st.st_mode))
		return refuse(m, "%s: no such run directory", r->dir);
	snprintf(path, sizeof(path), "%s/meta.json", r->dir);
	if (access(path, F_OK))
		return refuse(m, "%s: no meta.json: not a run directory", r->dir);
	r->meta = json_load_file(path, 0, &jerr);
	if (!json_is_object(r->meta)) {
		char *why = one_line(r->meta ? "not a JSON object" : jerr.text);

		refuse(m, "%s: %s", path, why);
		free(why);
		return -EINVAL;
	}
	id = json_string_value(json_object_get(r->meta, "run_id"));
	slash = strrchr(r->dir, '/');
	r->id = valid_name(id) ? id : slash ? slash + 1 : r->dir;
	return load_records(m, r);
}

/* The latest (or earliest) of an ISO 8601 UTC key over the runs. */
static json_t *extreme_time(struct merge *m, const char *key, bool latest)
{
	const char *best = NULL;

	for (int i = 0; i < m->nr; i++) {
		const char *t = json_string_value(json_object_get(m->in[i].meta, key));

		if (t && (!best || (strcmp(t, best) > 0) == latest))
			best = t;
	}
	return best ? json_string(best) : NULL;
}

/* The same kernel: equal build hashes (the rest is when and how it was built). */
static bool same_build(json_t *a, json_t *b)
{
	return json_is_object(a) && json_is_object(b) &&
	       json_equal(json_object_get(a, "config_sha256"), json_object_get(b, "config_sha256")) &&
	       json_equal(json_object_get(a, "bzimage_sha256"), json_object_get(b, "bzimage_sha256"));
}

/*
 * A key of meta.json that every run having it agrees on is kept (a
 * variant's build by its hashes, settings without the shard); one they
 * differ on is left out: each run's value is under "shards".
 */
static void merge_key(struct merge *m, json_t *out, const char *key)
{
	json_t *v = NULL;
	bool build = !strncmp(key, "variant.", 8);
	bool settings = !strcmp(key, "settings");

	for (int i = 0; i < m->nr; i++) {
		json_t *x = json_object_get(m->in[i].meta, key);

		if (!x)
			continue;
		x = settings ? sweep_settings(m->in[i].meta) : json_incref(x);
		if (!x)
			goto differ;
		if (!v) {
			v = x;
			continue;
		}
		if (build ? same_build(v, x) : json_equal(v, x)) {
			json_decref(x);
			continue;
		}
		json_decref(x);
		goto differ;
	}
	if (settings)
		json_object_set_new(v, "shard", json_null());
	json_object_set_new(out, key, v);
	return;
differ:
	json_decref(v);
}

/* Every key, in the order first seen, merged; then what the merge knows. */
static json_t *merged_meta(struct merge *m, const char *id, json_t *summary)
{
	static const char *const own[] = {
		"run_id", "schema", "started_at", "resumed_at", "stopped",
		"finished_at", "summary", "shard", "shards", "mixed", "merged_at",
		NULL,
	};
	json_t *out = json_object(), *shards = json_array(), *done = json_object();
	json_t *accel, *t;
	const char *key;
	json_t *val;
	char now[32];
	time_t tt = time(NULL);

	json_object_set_new(out, "run_id", json_string(id));
	json_object_set_new(out, "schema", json_integer(RECORD_SCHEMA));
	for (int i = 0; i < m->nr; i++) {
		json_object_foreach(m->in[i].meta, key, val) {
			bool skip = json_object_get(done, key) != NULL;

			for (int k = 0; own[k] && !skip; k++)
				skip = !strcmp(key, own[k]);
			if (!skip)
				merge_key(m, out, key);
			json_object_set_new(done, key, json_true());
		}
		json_array_append(shards, m->in[i].meta);
	}
	json_decref(done);
	/*
	 * The records' accelerator, for the report and compare; "mixed" when
	 * forced, so that compare refuses it against any one accelerator.
	 */
	accel = json_object_get(m->seen, "accel");
	if (json_object_size(accel) > 1)
		json_object_set_new(out, "accel", json_string("mixed"));
	else if (!json_object_get(out, "accel") && json_object_size(accel) == 1)
		json_object_set_new(out, "accel", json_string(json_object_iter_key(json_object_iter(accel))));
	t = extreme_time(m, "started_at", false);
	if (t)
		json_object_set_new(out, "started_at", t);
	t = extreme_time(m, "finished_at", true);
	if (t)
		json_object_set_new(out, "finished_at", t);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
	json_object_set_new(out, "merged_at", json_string(now));
	json_object_set_new(out, "summary", summary);
	if (json_object_size(m->mixed))
		json_object_set(out, "mixed", m->mixed);
	json_object_set_new(out, "shards", shards);
	return out;
}

/* {points, failed, without_record} of the merged records (the last counts). */
static json_t *summarize(struct merge *m, size_t *nr_recs)
{
	json_t *last = json_object(), *rec;
	long long failed = 0, lost = 0;
	const char *key;
	size_t i;

	*nr_recs = 0;
	for (int r = 0; r < m->nr; r++) {
		json_t *sum = json_object_get(m->in[r].meta, "summary");

		lost += json_integer_value(json_object_get(sum, "without_record"));
		json_array_foreach(m->in[r].recs, i, rec) {
			char *k = NULL;

			if (asprintf(&k, "%s\t%s",
				     json_string_value(json_object_get(rec, "variant")),
				     json_string_value(json_object_get(rec, "point"))) < 0)
				continue;
			json_object_set(last, k, rec);
			free(k);
			(*nr_recs)++;
		}
	}
	json_object_foreach(last, key, rec)
		failed += !strcmp(json_string_value(json_object_get(rec, "status")), "failed");
	rec = json_pack("{s:I, s:I, s:I}", "points", (json_int_t)json_object_size(last),
			"failed", (json_int_t)failed, "without_record", (json_int_t)lost);
	json_decref(last);
	return rec;
}

/* The records of every run, in order, as lines for the store. */
static int records_file(struct merge *m, FILE **out, char **bufp)
{
	char *buf = NULL;
	size_t len = 0, i;
	json_t *rec;
	FILE *f = open_memstream(&buf, &len);
	int ret = 0;

	*out = NULL;
	if (!f)
		return -errno;
	for (int r = 0; r < m->nr && !ret; r++)
		json_array_foreach(m->in[r].recs, i, rec)
			if (json_dumpf(rec, f, JSON_COMPACT | JSON_REAL_PRECISION(17)) ||
			    fputc('\n', f) == EOF) {
				ret = -ENOMEM;
				break;
			}
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (!ret) {
		/* fmemopen wants a buffer of at least one byte */
		*out = len ? fmemopen(buf, len, "r") : fopen("/dev/null", "re");
		if (!*out)
			ret = -errno;
	}
	if (ret)
		free(buf);
	else
		*bufp = buf;	/* freed by the caller after fclose(*out) */
	return ret;
}

/* Removes the files of a temporary directory, then the directory. */
static void remove_tmp(const char *tmp)
{
	DIR *d = opendir(tmp);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(tmp);
}

/*
 * The temporaries of merges of OUT (.NAME.merge.XXXXXX) that were killed:
 * their .merge.lock is not held any more. One without a lock file is left
 * alone (a merge that has just made it).
 */
static void remove_stale(const char *parent, const char *name)
{
	char prefix[NAME_MAX_LEN + 16], path[PATH_MAX + 16];
	DIR *d = opendir(parent);
	struct dirent *e;

	if (!d)
		return;
	snprintf(prefix, sizeof(prefix), ".%s.merge.", name);
	while ((e = readdir(d))) {
		int fd, n;

		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
		if (n < 0 || n >= PATH_MAX)
			continue;
		strcat(path, "/.merge.lock");
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		path[n] = '\0';
		if (!flock(fd, LOCK_EX | LOCK_NB))
			remove_tmp(path);
		close(fd);
	}
	closedir(d);
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * tmp becomes out, never over an existing out (rename(2) would replace an
 * empty directory). Where the filesystem has no RENAME_NOREPLACE, an empty
 * out made with mkdir holds the name, then tmp replaces it.
 */
static int publish(const char *tmp, const char *out)
{
	if (!renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return errno == ENOTEMPTY ? -EEXIST : -errno;
	if (mkdir(out, 0755))
		return -errno;
	if (rename(tmp, out)) {
		int err = -errno;

		rmdir(out);
		return err;
	}
	return 0;
}

/* A new temporary directory beside OUT, its .merge.lock held: the fd. */
static int make_tmp(struct merge *m, const char *out, const char *parent,
		    const char *name, char *tmp, size_t len)
{
	char path[PATH_MAX + 16];
	int fd, ret;

	errno = 0;
	if ((size_t)snprintf(tmp, len, "%s/.%s.merge.XXXXXX", parent, name) >= len ||
	    !mkdtemp(tmp)) {
		ret = errno ? -errno : -ENAMETOOLONG;
		snprintf(m->err, m->len, "cannot make a directory beside %s: %s", out, strerror(-ret));
		return ret;
	}
	snprintf(path, sizeof(path), "%s/.merge.lock", tmp);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) || chmod(tmp, 0755)) {
		ret = -errno;
		snprintf(m->err, m->len, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		remove_tmp(tmp);
		return ret;
	}
	return fd;
}

/* Writes the merged run into a new temporary directory, then makes it out. */
static int write_tmp(struct merge *m, const char *out, const char *parent,
		     const char *name, json_t *meta)
{
	char tmp[PATH_MAX], path[PATH_MAX], *dump = NULL, *buf = NULL;
	FILE *recs = NULL;
	int rejected = 0, ret, lock;

	remove_stale(parent, name);
	lock = make_tmp(m, out, parent, name, tmp, sizeof(tmp));
	if (lock < 0)
		return lock;
	ret = records_file(m, &recs, &buf);
	if (!ret) {
		ret = store_append(tmp, recs, &rejected);
		fclose(recs);
		free(buf);
		if (!ret && rejected)
			ret = -EBADMSG;	/* cannot be: every record was validated */
	}
	if (!ret) {
		dump = json_dumps(meta, JSON_INDENT(2));
		if ((size_t)snprintf(path, sizeof(path), "%s/meta.json", tmp) >= sizeof(path))
			ret = -ENAMETOOLONG;
		else
			ret = dump ? store_write_atomic(path, dump, strlen(dump)) : -ENOMEM;
		free(dump);
	}
	if (ret) {
		snprintf(m->err, m->len, "write %s: %s", tmp, strerror(-ret));
		goto fail;
	}
	ret = publish(tmp, out);
	if (ret) {
		if (ret == -EEXIST)
			ret = refuse(m, "%s exists: merge into a new directory", out);
		else
			snprintf(m->err, m->len, "rename %s to %s: %s", tmp, out, strerror(-ret));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/.merge.lock", out);
	unlink(path);
	close(lock);
	ret = fsync_path(parent);
	if (ret)
		snprintf(m->err, m->len, "fsync %s: %s", parent, strerror(-ret));
	return ret;
fail:
	remove_tmp(tmp);
	close(lock);
	return ret;
}

/*
 * write_tmp with the stop signals held back: they take effect when OUT is
 * made or the temporary is gone, never in between.
 */
static int write_out(struct merge *m, const char *out, const char *parent,
		     const char *name, json_t *meta)
{
	sigset_t stop, old;
	int ret;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	ret = write_tmp(m, out, parent, name, meta);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/* OUT: a new directory whose name is a run id, in a directory that exists. */
static int check_out(struct merge *m, char *out, char *parent, size_t plen,
		     const char **name)
{
	struct stat st;
	char *slash;

	while (strlen(out) > 1 && out[strlen(out) - 1] == '/')
		out[strlen(out) - 1] = '\0';
	slash = strrchr(out, '/');
	*name = slash ? slash + 1 : out;
	if (!valid_name(*name))
		return refuse(m, "OUT '%s': its name is the run id: letters, digits, . _ + - (at most 64)",
			      *name);
	if (slash)
		snprintf(parent, plen, "%.*s", (int)(slash - out) ? (int)(slash - out) : 1, out);
	else
		snprintf(parent, plen, ".");
	if (!lstat(out, &st))
		return refuse(m, "%s exists: merge into a new directory", out);
	if (errno != ENOENT)
		return refuse(m, "%s: %s", out, strerror(errno));
	if (stat(parent, &st) || !S_ISDIR(st.st_mode))
		return refuse(m, "%s: no such directory for OUT", parent);
	return 0;
}

int merge_runs(const char *out_arg, char **runs, int nr_runs, bool force,
	       char *err, size_t len)
{
	struct merge m = { .nr = nr_runs, .force = force, .err = err, .len = len };
	char out[PATH_MAX], parent[PATH_MAX], **real;
	json_t *meta = NULL, *summary;
	const char *name;
	size_t nr_recs;
	int ret;

	if (nr_runs < 1 || nr_runs > MERGE_MAX_RUNS)
		return refuse(&m, "give 1 to %d run directories", MERGE_MAX_RUNS);
	if ((size_t)snprintf(out, sizeof(out), "%s", out_arg) >= sizeof(out))
		return refuse(&m, "OUT: path too long");
	ret = check_out(&m, out, parent, sizeof(parent), &name);
	if (ret)
		return ret;
	m.in = calloc((size_t)nr_runs, sizeof(*m.in));
	real = calloc((size_t)nr_runs, sizeof(*real));
	m.seen = json_object();
	m.mixed = json_object();
	if (!m.in || !real || !m.seen || !m.mixed) {
		ret = -ENOMEM;
		snprintf(err, len, "out of memory");
		goto out;
	}
	for (int i = 0; i < nr_runs && !ret; i++) {
		m.in[i].dir = runs[i];
		ret = load_run(&m, &m.in[i]);
		if (ret)
			break;
		real[i] = realpath(runs[i], NULL);
		for (int j = 0; j < i && real[i]; j++)
			if (real[j] && !strcmp(real[i], real[j]))
				ret = refuse(&m, "%s is given twice", runs[i]);
	}
	if (ret)
		goto out;
	for (int i = 0; i < nr_runs; i++)
		see_run(&m, &m.in[i]);
	ret = check_finished(&m);
	if (!ret)
		ret = check_seen(&m);
	if (!ret)
		ret = check_shards(&m);
	if (ret)
		goto out;
	summary = summarize(&m, &nr_recs);
	meta = merged_meta(&m, name, summary);
	ret = write_out(&m, out, parent, name, meta);
	if (!ret)
		fprintf(stderr, "allocbench: merge: %s: %zu record(s) of %d run(s), %lld point(s), %lld failed%s\n",
			out, nr_recs, nr_runs,
			(long long)json_integer_value(json_object_get(summary, "points")),
			(long long)json_integer_value(json_object_get(summary, "failed")),
			json_object_size(m.mixed) ? "; forced: see \"mixed\" in meta.json" : "");
out:
	for (int i = 0; m.in && i < nr_runs; i++) {
		json_decref(m.in[i].meta);
		json_decref(m.in[i].recs);
		free(real[i]);
	}
	free(real);
	free(m.in);
	json_decref(meta);
	json_decref(m.seen);
	json_decref(m.mixed);
	return ret;
}

int cmd_merge(int argc, char **argv)
{
	char err[512] = "";
	bool force = false;
	int i = 1, ret;

	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (strcmp(argv[i], "--force")) {
			fprintf(stderr, "allocbench: results merge: unknown option '%s' (--force)\n",
				argv[i]);
			return 2;
		}
		force = true;
	}
	if (argc - i < 2) {
		fprintf(stderr, "allocbench: usage: results merge [--force] OUT RUNDIR...\n");
		return 2;
	}
	ret = merge_runs(argv[i], argv + i + 1, argc - i - 1, force, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "allocbench: results merge: %s\n", err);
		return ret == -EINVAL ? 2 : 1;
	}
	printf("%s\n", argv[i]);
	return 0;
}
