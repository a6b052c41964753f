// SPDX-License-Identifier: GPL-2.0
/*
 * history: the nightly history in SQLite (docs/nightly.md).
 *
 *   abreport history add --db FILE NIGHTDIR...
 *   abreport history rebuild --db FILE [RESULTS_DIR]
 *
 * A night directory (runners/nightly) holds night.json (what ran, the
 * base packages, the baseline, the status and why) and verdicts.json
 * (abreport compare --json). Its runs' results.jsonl and meta.json are
 * read again for the points and the kernels' build hashes: the run
 * directories stay the source of truth and `rebuild` makes the database
 * anew from RESULTS_DIR/nights/ * /night.json and RESULTS_DIR/baselines/.
 * Adding a night twice replaces it.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "abreport.h"
#include "history.h"

static const char schema_sql[] =
	"PRAGMA foreign_keys = ON;"
	"CREATE TABLE IF NOT EXISTS nights ("
	" night_id TEXT PRIMARY KEY, started_at TEXT, ended_at TEXT,"
	" wall_s REAL, status TEXT, exit INTEGER, reason TEXT,"
	" suite_sha TEXT, conf TEXT, conf_sha256 TEXT, baseline_id TEXT,"
	" base_package TEXT, base_version TEXT, base_candidate TEXT,"
	" base_newer INTEGER, vm_append TEXT, accel TEXT);"
	"CREATE TABLE IF NOT EXISTS runs ("
	" run_id TEXT, night_id TEXT REFERENCES nights ON DELETE CASCADE,"
	" dir TEXT, started_at TEXT, suite_sha TEXT, accel TEXT,"
	" PRIMARY KEY (night_id, run_id));"
	"CREATE TABLE IF NOT EXISTS builds ("
	" night_id TEXT REFERENCES nights ON DELETE CASCADE, variant TEXT,"
	" kernel_release TEXT, bzimage_sha256 TEXT, config_sha256 TEXT,"
	" base_version TEXT, built_at TEXT, PRIMARY KEY (night_id, variant));"
	"CREATE TABLE IF NOT EXISTS points ("
	" night_id TEXT REFERENCES nights ON DELETE CASCADE, run_id TEXT,"
	" variant TEXT, point TEXT, workload TEXT, threads INTEGER,"
	" params TEXT, status TEXT, reason TEXT, n INTEGER, mean REAL,"
	" sd REAL, mem_peak REAL, mem_idle REAL, failure_rate REAL);"
	"CREATE TABLE IF NOT EXISTS verdicts ("
	" night_id TEXT REFERENCES nights ON DELETE CASCADE, variant TEXT,"
	" point TEXT, workload TEXT, threads INTEGER, params TEXT,"
	" verdict TEXT, why TEXT, change_pct REAL, p REAL, threshold REAL,"
	" base_n INTEGER, new_n INTEGER, base_mean REAL, base_sd REAL,"
	" new_mean REAL, new_sd REAL, base_mem_peak REAL, new_mem_peak REAL,"
	" base_mem_idle REAL, new_mem_idle REAL, base_failure_rate REAL,"
	" new_failure_rate REAL);"
	"CREATE TABLE IF NOT EXISTS baselines ("
	" baseline_id TEXT PRIMARY KEY, accepted_at TEXT, who TEXT, why TEXT,"
	" runs TEXT);"
	"CREATE INDEX IF NOT EXISTS verdicts_point ON verdicts (point);"
	"CREATE INDEX IF NOT EXISTS points_point ON points (point);";

static int exec_sql(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	fprintf(stderr, "abreport: history: %s\n", err ? err : "sqlite error");
	sqlite3_free(err);
	return -EIO;
}

int history_open(const char *path, sqlite3 **db)
{
	if (sqlite3_open(path, db) != SQLITE_OK) {
		fprintf(stderr, "abreport: history: %s: %s\n", path,
			sqlite3_errmsg(*db));
		sqlite3_close(*db);
		*db = NULL;
		return -EIO;
	}
	sqlite3_busy_timeout(*db, 10000);
	return exec_sql(*db, schema_sql);
}

/* Binds each value of vals (strings, numbers, null) and steps once. */
static int insert(sqlite3 *db, const char *sql, json_t *vals)
{
	sqlite3_stmt *st;
	size_t i;
	json_t *v;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "abreport: history: %s\n", sqlite3_errmsg(db));
		json_decref(vals);
		return -EIO;
	}
	json_array_foreach(vals, i, v) {
		int k = (int)i + 1;

		if (json_is_string(v))
			sqlite3_bind_text(st, k, json_string_value(v), -1, SQLITE_TRANSIENT);
		else if (json_is_integer(v))
			sqlite3_bind_int64(st, k, json_integer_value(v));
		else if (json_is_real(v) && isfinite(json_real_value(v)))
			sqlite3_bind_double(st, k, json_real_value(v));
		else if (json_is_boolean(v))
			sqlite3_bind_int(st, k, json_is_true(v));
		else
			sqlite3_bind_null(st, k);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	json_decref(vals);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "abreport: history: %s\n", sqlite3_errmsg(db));
		return -EIO;
	}
	return 0;
}

/* A number, or null when absent or negative (a missing measure). */
static json_t *num_or_null(double v)
{
	return isnan(v) || v < 0 ? json_null() : json_real(v);
}

static json_t *field(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return v ? json_incref(v) : json_null();
}

static int add_run(sqlite3 *db, const char *night, const char *dir, json_t *builds_done)
{
	struct run r;
	const char *k;
	json_t *v;
	size_t i;
	int err = 0;

	if (run_load(dir, &r)) {
		fprintf(stderr, "abreport: history: %s: no results.jsonl (recorded as a run without points)\n", dir);
		return insert(db, "INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?)",
			      json_pack("[s,s,s,n,n,n]", strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir,
					night, dir));
	}
	err = insert(db, "INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?)",
		     json_pack("[s,s,s,o,o,s]", r.id, night, dir,
			       field(r.meta, "started_at"), field(r.meta, "suite_sha"),
			       run_accel(&r)));
	json_object_foreach(r.meta, k, v) {
		if (err || strncmp(k, "variant.", 8) || json_object_get(builds_done, k + 8))
			continue;
		json_object_set_new(builds_done, k + 8, json_true());
		err = insert(db, "INSERT OR REPLACE INTO builds VALUES (?,?,?,?,?,?,?)",
			     json_pack("[s,s,o,o,o,o,o]", night, k + 8,
				       field(v, "kernel_release"), field(v, "bzimage_sha256"),
				       field(v, "config_sha256"),
				       field(json_object_get(v, "base"), "version"),
				       field(v, "built_at")));
	}
	for (i = 0; i < r.npts && !err; i++) {
		struct point *p = &r.pts[i];

		err = insert(db, "INSERT INTO points VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			     json_pack("[s,s,s,s,s,i,s,s,s,I,o,o,o,o,o]", night, r.id,
				       p->variant, json_str(p->rec, "point", "?"),
				       p->workload, p->threads, p->plabel, p->status,
				       p->reason, (json_int_t)p->nsamples,
				       num_or_null(p->mean), num_or_null(p->stddev),
				       num_or_null(p->mem_peak), num_or_null(p->mem_idle),
				       num_or_null(point_failure_rate(p))));
	}
	run_free(&r);
	return err;
}

static json_t *why_text(json_t *why)
{
	char buf[512] = "";
	json_t *w;
	size_t i;

	json_array_foreach(why, i, w) {
		size_t len = strlen(buf);

		snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "; " : "",
			 json_string_value(w) ? json_string_value(w) : "");
	}
	return *buf ? json_string(buf) : json_null();
}

static int add_verdicts(sqlite3 *db, const char *night, const char *ndir)
{
	char *path = xasprintf("%s/verdicts.json", ndir);
	json_error_t jerr;
	json_t *doc = json_load_capped(path, &jerr), *v;
	size_t i;
	int err = 0;

	free(path);
	if (!doc)
		return 0;	/* a night that never compared has none */
	json_array_foreach(json_object_get(doc, "points"), i, v) {
		err = insert(db, "INSERT INTO verdicts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			     json_pack("[s,o,o,o,o,o,o,o,o,o,o,o,o,o,o,o,o,o,o,o,o,o,o]", night,
				       field(v, "variant"), field(v, "point"),
				       field(v, "workload"), field(v, "threads"),
				       field(v, "params"), field(v, "verdict"),
				       why_text(json_object_get(v, "why")),
				       field(v, "change_pct"), field(v, "p"),
				       field(v, "threshold"), field(v, "base_n"),
				       field(v, "new_n"), field(v, "base_mean"),
				       field(v, "base_sd"), field(v, "new_mean"),
				       field(v, "new_sd"), field(v, "base_mem_peak"),
				       field(v, "new_mem_peak"), field(v, "base_mem_idle"),
				       field(v, "new_mem_idle"), field(v, "base_failure_rate"),
				       field(v, "new_failure_rate")));
		if (err)
			break;
	}
	json_decref(doc);
	return err;
}

/* NIGHTDIR/../../<run> when the recorded dir does not resolve from here */
static char *run_path(const char *ndir, const char *dir)
{
	char *alt;

	if (!access(dir, F_OK))
		return xstrdup(dir);
	alt = xasprintf("%s/../../%s", ndir, strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir);
	return alt;
}

int history_add_night(sqlite3 *db, const char *ndir)
{
	char *path = xasprintf("%s/night.json", ndir);
	json_error_t jerr;
	json_t *n = json_load_capped(path, &jerr), *base, *runs, *r;
	json_t *builds_done = json_object();
	const char *id;
	size_t i;
	int err;

	if (!n) {
		fprintf(stderr, "abreport: history: %s: %s\n", path, jerr.text);
		free(path);
		json_decref(builds_done);
		return -ENOENT;
	}
	free(path);
	id = json_str(n, "night_id", NULL);
	if (!id || !valid_name(id)) {
		fprintf(stderr, "abreport: history: %s/night.json: no valid night_id\n", ndir);
		json_decref(n);
		json_decref(builds_done);
		return -EINVAL;
	}
	base = json_array_get(json_object_get(n, "base"), 0);
	err = exec_sql(db, "BEGIN");
	if (!err) {
		sqlite3_stmt *st;

		sqlite3_prepare_v2(db, "DELETE FROM nights WHERE night_id = ?", -1, &st, NULL);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_finalize(st);
		err = insert(db, "INSERT INTO nights VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			     json_pack("[s,o,o,o,o,o,o,o,o,o,o,o,o,o,o,o,o]", id,
				       field(n, "started_at"), field(n, "ended_at"),
				       field(n, "wall_s"), field(n, "status"),
				       field(n, "exit"), field(n, "reason"),
				       field(n, "suite_sha"), field(n, "conf"),
				       field(n, "conf_sha256"),
				       field(json_object_get(n, "baseline"), "id"),
				       field(base, "package"), field(base, "version"),
				       field(base, "candidate"), field(base, "newer"),
				       field(n, "vm_append"), field(n, "accel")));
	}
	runs = json_object_get(n, "runs");
	json_array_foreach(runs, i, r) {
		char *dir;

		if (err || !json_is_string(r))
			continue;
		dir = run_path(ndir, json_string_value(r));
		err = add_run(db, id, dir, builds_done);
		free(dir);
	}
	if (!err)
		err = add_verdicts(db, id, ndir);
	if (!err)
		err = exec_sql(db, "COMMIT");
	else
		exec_sql(db, "ROLLBACK");
	json_decref(n);
	json_decref(builds_done);
	return err;
}

int history_add_baseline(sqlite3 *db, const char *file)
{
	json_error_t jerr;
	json_t *b = json_load_capped(file, &jerr);
	char *runs;
	int err;

	if (!b) {
		fprintf(stderr, "abreport: history: %s: %s\n", file, jerr.text);
		return -ENOENT;
	}
	runs = json_dumps(json_object_get(b, "runs"), JSON_COMPACT | JSON_ENCODE_ANY);
	err = insert(db, "INSERT OR REPLACE INTO baselines VALUES (?,?,?,?,?)",
		     json_pack("[o,o,o,o,s]", field(b, "id"), field(b, "accepted_at"),
			       field(b, "who"), field(b, "why"), runs ? runs : "[]"));
	free(runs);
	json_decref(b);
	return err;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every entry of dir (no dot files), sorted; count in *n. */
static char **list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_name);
	return names;
}

static int rebuild(const char *dbpath, const char *results)
{
	char *tmp = xasprintf("%s.rebuild", dbpath), *dir;
	char **names;
	size_t n, i, nights = 0;
	sqlite3 *db;
	int err;

	unlink(tmp);
	err = history_open(tmp, &db);
	dir = xasprintf("%s/baselines", results);
	names = list_dir(dir, &n);
	for (i = 0; i < n; i++) {
		char *f = xasprintf("%s/%s", dir, names[i]);

		if (!err && strstr(names[i], ".json"))
			err = history_add_baseline(db, f);
		free(f);
		free(names[i]);
	}
	free(names);
	free(dir);
	dir = xasprintf("%s/nights", results);
	names = list_dir(dir, &n);
	for (i = 0; i < n; i++) {
		char *nd = xasprintf("%s/%s", dir, names[i]), *nj = xasprintf("%s/night.json", nd);

		if (!err && !access(nj, F_OK)) {
			err = history_add_night(db, nd);
			nights++;
		}
		free(nd);
		free(nj);
		free(names[i]);
	}
	free(names);
	free(dir);
	sqlite3_close(db);
	if (!err && rename(tmp, dbpath))
		err = -errno;
	if (err)
		unlink(tmp);
	else
		printf("history: %s rebuilt from %zu nights under %s/nights\n",
		       dbpath, nights, results);
	free(tmp);
	return err;
}

static void usage_history(void)
{
	die_usage("usage: abreport history add --db FILE NIGHTDIR... | history baseline --db FILE BASELINE.json | history rebuild --db FILE [RESULTS_DIR]");
}

int cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ 0 }
	};
	const char *dbpath = NULL, *sub;
	sqlite3 *db;
	int c, err = 0;

	if (argc < 2)
		usage_history();
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			dbpath = optarg;
		else
			usage_history();
	}
	if (!dbpath)
		usage_history();
	if (!strcmp(sub, "rebuild")) {
		if (argc - optind > 1)
			usage_history();
		return rebuild(dbpath, optind < argc ? argv[optind] : "results") ? 2 : 0;
	}
	if ((strcmp(sub, "add") && strcmp(sub, "baseline")) || optind >= argc)
		usage_history();
	if (history_open(dbpath, &db))
		return 2;
	for (; optind < argc && !err; optind++)
		err = !strcmp(sub, "add") ? history_add_night(db, argv[optind]) :
		      history_add_baseline(db, argv[optind]);
	sqlite3_close(db);
	return err ? 2 : 0;
}
