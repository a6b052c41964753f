// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line parsing of one measurement point. Every error is a user
 * mistake: the caller prints err on one line and exits 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "validate.h"

int parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* "1,2,4" or "1-4" or a mix; each 1..max_threads. */
int parse_threads_list(const char *s, int *out, int max_out, int max_threads,
		       int *nr, char *err, size_t len)
{
	char *dup = strdup(s), *save = NULL, *tok;
	int n = 0, ret = 0;

	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long long lo, hi;
		char *dash = strchr(tok, '-');

		if (dash)
			*dash = '\0';
		if (parse_int(tok, 1, max_threads, &lo) ||
		    parse_int(dash ? dash + 1 : tok, 1, max_threads, &hi) || hi < lo) {
			snprintf(err, len, "bad thread count '%s%s%s' (1..%d)", tok,
				 dash ? "-" : "", dash ? dash + 1 : "", max_threads);
			ret = -EINVAL;
			goto out;
		}
		for (long long t = lo; t <= hi; t++) {
			if (n == max_out) {
				snprintf(err, len, "too many thread counts in '%s'", s);
				ret = -E2BIG;
				goto out;
			}
			out[n++] = (int)t;
		}
	}
	if (!n) {
		snprintf(err, len, "empty thread list");
		ret = -EINVAL;
	}
out:
	*nr = n;
	free(dup);
	return ret;
}

static const struct param_spec *spec_find(const struct workload *wl, const char *name,
					  size_t nlen)
{
	for (const struct param_spec *s = wl->params; s && s->name; s++)
		if (strlen(s->name) == nlen && !strncmp(s->name, name, nlen))
			return s;
	return NULL;
}

static int param_value(const struct param_spec *s, const char *v, struct param_val *out,
		       char *err, size_t len)
{
	out->spec = s;
	if (s->type == PARAM_INT) {
		if (parse_int(v, s->min, s->max, &out->num)) {
			snprintf(err, len, "parameter %s: '%s' is not an integer in %lld..%lld",
				 s->name, v, s->min, s->max);
			return -EINVAL;
		}
		out->str = NULL;
		return 0;
	}
	for (int i = 0; s->values[i]; i++) {
		if (!strcmp(s->values[i], v)) {
			out->str = s->values[i];
			return 0;
		}
	}
	/* one line that names every allowed value */
	{
		size_t off = (size_t)snprintf(err, len, "parameter %s: '%s' is not one of ",
					      s->name, v);

		for (int i = 0; s->values[i] && off < len; i++)
			off += (size_t)snprintf(err + off, len - off, "%s%s",
						i ? (s->values[i + 1] ? ", " : " or ") : "",
						s->values[i]);
	}
	return -EINVAL;
}

int point_set_param(struct point *pt, const char *kv, char *err, size_t len)
{
	const char *eq = strchr(kv, '=');
	const struct param_spec *s;
	struct param_val val;
	int i;

	if (!eq || eq == kv) {
		snprintf(err, len, "parameter '%s' is not KEY=VALUE", kv);
		return -EINVAL;
	}
	s = spec_find(pt->wl, kv, (size_t)(eq - kv));
	if (!s) {
		snprintf(err, len, "workload %s takes no parameter '%.*s'", pt->wl->name,
			 (int)(eq - kv), kv);
		return -EINVAL;
	}
	if (param_value(s, eq + 1, &val, err, len))
		return -EINVAL;
	for (i = 0; i < pt->nr_params; i++)
		if (pt->params[i].spec == s)
			break;
	if (i == MAX_PARAMS)
		return -E2BIG;
	pt->params[i] = val;
	if (i == pt->nr_params)
		pt->nr_params++;
	return 0;
}

/* Fill in defaults, in the order the workload declares its parameters. */
int point_fill_defaults(struct point *pt)
{
	struct param_val sorted[MAX_PARAMS];
	char err[ERR_LEN];
	int n = 0;

	for (const struct param_spec *s = pt->wl->params; s && s->name; s++) {
		const struct param_val *v = point_param(pt, s->name);

		if (n == MAX_PARAMS)
			return -E2BIG;
		if (v)
			sorted[n] = *v;
		else if (param_value(s, s->def, &sorted[n], err, sizeof(err)))
			return -EINVAL;	/* a bad default is a bug in the table */
		n++;
	}
	memcpy(pt->params, sorted, sizeof(sorted[0]) * n);
	pt->nr_params = n;
	return 0;
}

/* workload/k=v,k=v/tN: parameters in declaration order, defaults filled in. */
int point_id(const struct point *pt, char *buf, size_t len)
{
	size_t off;
	int n;

	n = snprintf(buf, len, "%s/", pt->wl->name);
	for (int i = 0; i < pt->nr_params && n >= 0 && (size_t)n < len; i++) {
		const struct param_val *v = &pt->params[i];

		off = (size_t)n;
		if (v->spec->type == PARAM_INT)
			n += snprintf(buf + off, len - off, "%s%s=%lld", i ? "," : "",
				      v->spec->name, v->num);
		else
			n += snprintf(buf + off, len - off, "%s%s=%s", i ? "," : "",
				      v->spec->name, v->str);
	}
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	off = (size_t)n;
	n += snprintf(buf + off, len - off, "/t%d", pt->threads);
	return (size_t)n < len ? 0 : -ENAMETOOLONG;
}

enum {
	OPT_THREADS = 't', OPT_DURATION = 'd', OPT_WARMUP = 'w', OPT_PARAM = 'p',
	OPT_HELP = 'h',
	OPT_RUN_ID = 256, OPT_TARGET, OPT_VARIANT, OPT_ACCEL, OPT_CTX, OPT_REASON,
	OPT_PROFILE, OPT_PROFILE_DIR,
};
#define RUN_SHORTOPTS	"t:d:w:p:h"

static const struct option run_longopts[] = {
	{ "threads",	required_argument, NULL, OPT_THREADS },
	{ "duration",	required_argument, NULL, OPT_DURATION },
	{ "warmup",	required_argument, NULL, OPT_WARMUP },
	{ "param",	required_argument, NULL, OPT_PARAM },
	{ "run-id",	required_argument, NULL, OPT_RUN_ID },
	{ "target",	required_argument, NULL, OPT_TARGET },
	{ "variant",	required_argument, NULL, OPT_VARIANT },
	{ "accel",	required_argument, NULL, OPT_ACCEL },
	{ "ctx",	required_argument, NULL, OPT_CTX },
	{ "reason",	required_argument, NULL, OPT_REASON },
	{ "profile",	no_argument,	   NULL, OPT_PROFILE },
	{ "profile-dir", required_argument, NULL, OPT_PROFILE_DIR },
	{ "help",	no_argument,	   NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int one_of(const char *v, const char *const *ok)
{
	for (int i = 0; ok[i]; i++)
		if (!strcmp(v, ok[i]))
			return 0;
	return -EINVAL;
}

/* --ctx K=V: K a name, V one line of text */
static bool ctx_key_ok(const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[NAME_MAX_LEN + 1];

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key))
		return false;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
	return valid_name(key);
}

static int run_opt(int c, const char *arg, struct point *pt, struct run_opts *ro,
		   int max_threads, char *err, size_t len)
{
	static const char *const targets[] = { "host", "vm", NULL };
	static const char *const accels[] = { "none", "kvm", "tcg", NULL };
	long long v;

	switch (c) {
	case OPT_THREADS:
		if (parse_int(arg, 1, max_threads, &v)) {
			snprintf(err, len, "--threads '%s': need 1..%d", arg, max_threads);
			return -EINVAL;
		}
		pt->threads = (int)v;
		return 0;
	case OPT_DURATION:
	case OPT_WARMUP:
		if (parse_int(arg, c == OPT_WARMUP ? 0 : 1, 86400, &v)) {
			snprintf(err, len, "--%s '%s': need %s seconds",
				 c == OPT_WARMUP ? "warmup" : "duration", arg,
				 c == OPT_WARMUP ? "0 or more" : "1 or more");
			return -EINVAL;
		}
		*(c == OPT_WARMUP ? &pt->warmup : &pt->duration) = (int)v;
		return 0;
	case OPT_PARAM:
		return point_set_param(pt, arg, err, len);
	case OPT_RUN_ID:
	case OPT_VARIANT:
		if (!valid_name(arg)) {
			snprintf(err, len, "--%s '%.64s': need a name ([A-Za-z0-9][A-Za-z0-9._+-]*)",
				 c == OPT_RUN_ID ? "run-id" : "variant", arg);
			return -EINVAL;
		}
		*(c == OPT_RUN_ID ? &ro->run_id : &ro->variant) = arg;
		return 0;
	case OPT_TARGET:
		ro->target = arg;
		if (!one_of(arg, targets))
			return 0;
		snprintf(err, len, "--target '%s': need host or vm", arg);
		return -EINVAL;
	case OPT_ACCEL:
		ro->accel = arg;
		if (!one_of(arg, accels))
			return 0;
		snprintf(err, len, "--accel '%s': need none, kvm or tcg", arg);
		return -EINVAL;
	case OPT_CTX:
		if (!ctx_key_ok(arg) || ro->nr_ctx == MAX_CTX) {
			snprintf(err, len, "--ctx '%s': need KEY=VALUE (at most %d)", arg, MAX_CTX);
			return -EINVAL;
		}
		ro->ctx[ro->nr_ctx++] = arg;
		return 0;
	case OPT_REASON:
		ro->reason = arg;
		return 0;
	case OPT_PROFILE:
		ro->profile = true;
		return 0;
	case OPT_PROFILE_DIR:
		if (!*arg || strlen(arg) > 256) {
			snprintf(err, len, "--profile-dir: need a directory (at most 256 bytes)");
			return -EINVAL;
		}
		ro->profile_dir = arg;
		return 0;
	}
	snprintf(err, len, "unknown option");
	return -EINVAL;
}

/*
 * -h or --help as an option, wherever it is (the value of an option that
 * takes one, e.g. --reason --help, is not an option). argv[0] is the
 * workload, or the option itself when no workload is given.
 */
static bool wants_help(int argc, char **argv)
{
	int c;

	if (argc >= 1 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")))
		return true;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, RUN_SHORTOPTS, run_longopts, NULL)) != -1)
		if (c == OPT_HELP)
			return true;
	return false;
}

/*
 * argv[0] is the workload name. Options may come in any order after it.
 * Returns POINT_HELP when -h or --help is among them, before any check.
 */
int point_parse(int argc, char **argv, struct point *pt, struct run_opts *ro,
		int max_threads, char *err, size_t len)
{
	int c;

	memset(pt, 0, sizeof(*pt));
	pt->threads = 1;
	pt->duration = 5;
	pt->warmup = 1;
	if (wants_help(argc, argv))
		return POINT_HELP;
	if (argc < 1 || argv[0][0] == '-') {
		snprintf(err, len, "no workload given (see `allocbench list`)");
		return -EINVAL;
	}
	pt->wl = workload_find(argv[0]);
	if (!pt->wl) {
		snprintf(err, len, "unknown workload '%s' (see `allocbench list`)", argv[0]);
		return -ENOENT;
	}
	optind = 0;	/* 0, not 1: glibc forgets a half-read option cluster of an earlier argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, RUN_SHORTOPTS, run_longopts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			snprintf(err, len, "bad or incomplete option '%s' (see --help)",
				 argv[optind - 1]);
			return -EINVAL;
		}
		if (run_opt(c, optarg, pt, ro, max_threads, err, len))
			return -EINVAL;
	}
	if (optind < argc) {
		snprintf(err, len, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (point_fill_defaults(pt)) {
		snprintf(err, len, "internal: bad default in workload %s", pt->wl->name);
		return -EINVAL;
	}
	return 0;
}

/* The workload's own cross-parameter checks, for a point that will run. */
int point_validate(const struct point *pt, char *err, size_t len)
{
	return pt->wl->validate ? pt->wl->validate(pt, err, len) : 0;
}

const struct workload *workload_find(const char *name)
{
	for (int i = 0; workloads[i]; i++)
		if (!strcmp(workloads[i]->name, name))
			return workloads[i];
	return NULL;
}

const struct param_val *point_param(const struct point *pt, const char *name)
{
	for (int i = 0; i < pt->nr_params; i++)
		if (!strcmp(pt->params[i].spec->name, name))
			return &pt->params[i];
	return NULL;
}

long long point_int(const struct point *pt, const char *name)
{
	const struct param_val *v = point_param(pt, name);

	return v ? v->num : 0;
}

const char *point_str(const struct point *pt, const char *name)
{
	const struct param_val *v = point_param(pt, name);

	return v ? v->str : "";
}
