// SPDX-License-Identifier: GPL-2.0
/* libbpf glue: captured logs, raw_tp test runs, kernel BTF look-ups. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpfutil.h"

#define LOG_SIZE	(64 * 1024)

static char log_buf[LOG_SIZE];
static size_t log_len;

/* Keep libbpf's messages (the verifier log among them) for the record. */
static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	if (getenv("ALLOCBENCH_VERBOSE")) {
		va_list cp;

		va_copy(cp, ap);
		vfprintf(stderr, fmt, cp);
		va_end(cp);
	}
	if (log_len >= LOG_SIZE - 1)
		return 0;
	n = vsnprintf(log_buf + log_len, LOG_SIZE - log_len, fmt, ap);
	if (n > 0)
		log_len += (size_t)n < LOG_SIZE - log_len ? (size_t)n : LOG_SIZE - log_len - 1;
	return n;
}

void bpfutil_init(void)
{
	libbpf_set_print(capture);
}

void bpfutil_log_reset(void)
{
	log_len = 0;
	log_buf[0] = '\0';
}

static int is_noise(const char *line)
{
	static const char *const noise[] = {
		"processed ", "verification time", "stack depth", "-- END",
		"-- BEGIN", "libbpf:", "arg#", "func#", "Func#", "R1 type=",
		"Validating", "reg type unsupported", NULL,
	};

	if (!*line)
		return 1;
	for (int i = 0; noise[i]; i++)
		if (strstr(line, noise[i]))
			return 1;
	return 0;
}

/*
 * The verifier's own words: the last meaningful line of the load log that
 * libbpf printed, else libbpf's last message, else strerror.
 */
void bpfutil_load_error(int err, const char *what, char *reason, size_t len)
{
	char *begin = strstr(log_buf, "-- BEGIN PROG LOAD LOG --");
	char *end = begin ? strstr(begin, "-- END PROG LOAD LOG --") : NULL;
	char *line, *save = NULL, *pick = NULL, *last = NULL;

	if (begin && end) {
		*end = '\0';
		for (line = strtok_r(begin, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (!is_noise(line))
				pick = line;
	}
	if (!pick) {
		for (line = strtok_r(log_buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (*line)
				last = line;
		pick = last;
	}
	snprintf(reason, len, "%s: %s (%s)", what, pick ? pick : "load failed",
		 strerror(err < 0 ? -err : err));
}

/*
 * A refusal by the verifier (or a map type the kernel lacks) makes a point
 * unsupported; no permission or no BPF at all makes it failed.
 */
int bpfutil_load_status(int err)
{
	if (err == -EINVAL || err == -EACCES || err == -EOPNOTSUPP || err == -E2BIG)
		return -EOPNOTSUPP;
	return err ? err : -EIO;
}

int bpf_run_raw_tp(int prog_fd, const uint64_t *args, int nargs, uint32_t *retval)
{
	uint64_t ctx[RAW_TP_ARGS] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx, .ctx_size_in = sizeof(ctx));
	int err;

	memcpy(ctx, args, sizeof(ctx[0]) * (size_t)(nargs < RAW_TP_ARGS ? nargs : RAW_TP_ARGS));
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return -errno;
	*retval = opts.retval;
	return 0;
}

/* Value of enumerator name in the running kernel's enum type. */
int btf_enum_value(const char *type, const char *name, long long *out)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int id, err = -ENOENT;

	if (!btf)
		return -errno ? -errno : -ENOENT;
	id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);
	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e = btf_enum(t);

		for (int i = 0; i < btf_vlen(t); i++, e++) {
			if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
				*out = e->val;
				err = 0;
				break;
			}
		}
	}
	btf__free(btf);
	return err;
}
