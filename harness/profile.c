// SPDX-License-Identifier: GPL-2.0
/*
 * --profile: perf record over the measured window of one point, then the
 * top symbols (perf report --no-children) and folded stacks (perf script).
 * See profile.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "profile.h"

extern char **environ;

/* Sampling frequency: the same on every machine, low enough for TCG. */
#define PROFILE_FREQ	"999"
#define ACK_TIMEOUT_MS	30000

static const char *perf_bin(void)
{
	const char *p = getenv("ALLOCBENCH_PERF");

	return p && *p ? p : "perf";
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* mkdir -p */
static int mkdirs(const char *path)
{
	char buf[1024];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* A hardware cycles counter opens: the machine has a PMU. */
static const char *pick_event(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_HARDWARE, .size = sizeof(a),
		.config = PERF_COUNT_HW_CPU_CYCLES, .disabled = 1,
		.sample_freq = 999, .freq = 1,
	};
	long fd = syscall(SYS_perf_event_open, &a, -1, 0, -1, 0);

	if (fd < 0)
		return "cpu-clock";
	close((int)fd);
	return "cycles";
}

/* Runs argv with stdout to out (NULL: keep) and stderr to log; its pid. */
static pid_t spawn(char *const argv[], const char *out, const char *log)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out)
		posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return err ? -err : pid;
}

static int wait_rc(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* One control command; waits for perf's "ack". */
static int ctl_cmd(struct profile *p, const char *cmd)
{
	struct pollfd pfd = { .fd = p->ack_fd, .events = POLLIN };
	char buf[16];
	size_t n = strlen(cmd);

	if (write(p->ctl_fd, cmd, n) != (ssize_t)n)
		return -EIO;
	/* in slices, so that a perf that died is seen at once */
	for (int waited = 0; waited < ACK_TIMEOUT_MS; waited += 100) {
		int st;

		if (poll(&pfd, 1, 100) > 0)
			return read(p->ack_fd, buf, sizeof(buf)) > 0 ? 0 : -EIO;
		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			p->pid = 0;
			return -ESRCH;
		}
	}
	return -ETIMEDOUT;
}

static void fail(struct profile *p, const char *fmt, const char *arg)
{
	if (!p->out->reason[0])
		snprintf(p->out->reason, sizeof(p->out->reason), fmt, arg);
}

/* the point id as a path: its '/' are directories */
static int point_path(const struct point *pt, char *buf, size_t len)
{
	return point_id(pt, buf, len);
}

int profile_start(struct profile *p, struct result *res, const char *root,
		  const char *variant)
{
	struct result_profile *rp = &res->profile;
	char id[RESULT_PROFILE_DIR_LEN - 80], log[sizeof(p->dir) + 16], data[sizeof(p->dir) + 16];
	char *argv[32];
	int argc = 0, err;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	p->out = rp;
	p->ctl_fd = p->ack_fd = -1;
	rp->requested = true;
	rp->event = pick_event();
	if (point_path(res->pt, id, sizeof(id))) {
		fail(p, "%s", "point id too long for a profile directory");
		return -ENAMETOOLONG;
	}
	snprintf(rp->dir, sizeof(rp->dir), "%s/%s", variant ? variant : "host", id);
	snprintf(p->dir, sizeof(p->dir), "%s/%s", root && *root ? root : "profiles", rp->dir);
	err = mkdirs(p->dir);
	if (err) {
		fail(p, "cannot make the profile directory: %s", strerror(-err));
		return err;
	}
	/* perf's --control splits on ',', which point ids hold: FIFOs elsewhere */
	snprintf(p->fifos, sizeof(p->fifos), "%s/allocbench-perf.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(p->fifos)) {
		fail(p, "mkdtemp: %s", strerror(errno));
		return -errno;
	}
	snprintf(p->ctl, sizeof(p->ctl), "%s/ctl", p->fifos);
	snprintf(p->ack, sizeof(p->ack), "%s/ack", p->fifos);
	snprintf(log, sizeof(log), "%s/perf.log", p->dir);
	snprintf(data, sizeof(data), "%s/perf.data", p->dir);
	unlink(p->ctl);
	unlink(p->ack);
	unlink(log);
	if (mkfifo(p->ctl, 0600) || mkfifo(p->ack, 0600)) {
		fail(p, "mkfifo: %s", strerror(errno));
		return -errno;
	}
	argv[argc++] = (char *)perf_bin();
	argv[argc++] = "record";
	argv[argc++] = "-a";
	argv[argc++] = "-g";
	argv[argc++] = "-e";
	argv[argc++] = (char *)rp->event;
	argv[argc++] = "-F";
	argv[argc++] = PROFILE_FREQ;
	argv[argc++] = "-D";
	argv[argc++] = "-1";		/* start disabled */
	argv[argc++] = "-N";		/* no build-id cache */
	argv[argc++] = "--no-buildid";
	argv[argc++] = "-o";
	argv[argc++] = data;
	argv[argc++] = "--control";
	{
		static char ctl[sizeof(p->ctl) * 2 + 16];

		snprintf(ctl, sizeof(ctl), "fifo:%s,%s", p->ctl, p->ack);
		argv[argc++] = ctl;
	}
	argv[argc] = NULL;
	pid = spawn(argv, NULL, log);
	if (pid < 0) {
		fail(p, "cannot run perf: %s (install linux-perf)", strerror((int)-pid));
		return (int)pid;
	}
	p->pid = pid;
	/* its reader thread competes with the workers: let it answer at once */
	setpriority(PRIO_PROCESS, (id_t)pid, -10);
	/* O_RDWR: never blocks, whether or not perf has opened its ends yet */
	p->ctl_fd = open(p->ctl, O_RDWR | O_CLOEXEC);
	p->ack_fd = open(p->ack, O_RDWR | O_CLOEXEC);
	if (p->ctl_fd < 0 || p->ack_fd < 0 || ctl_cmd(p, "ping\n")) {
		fail(p, "%s", "perf record did not start (see perf.log)");
		if (p->pid) {
			kill(p->pid, SIGKILL);
			wait_rc(p->pid);
		}
		p->pid = 0;
		unlink(p->ctl);
		unlink(p->ack);
		rmdir(p->fifos);
		return -EIO;
	}
	return 0;
}

void profile_enable(struct profile *p)
{
	double t0 = now_s();

	if (!p || !p->pid || p->enabled)
		return;
	if (ctl_cmd(p, "enable\n")) {
		fail(p, "%s", "perf did not acknowledge enable");
		return;
	}
	p->enabled = true;
	p->t_enable = now_s();
	p->out->enable_lag_s = p->t_enable - t0;
}

void profile_disable(struct profile *p)
{
	if (!p || !p->pid || !p->enabled)
		return;
	p->window_s = now_s() - p->t_enable;
	if (ctl_cmd(p, "disable\n"))
		fail(p, "%s", "perf did not acknowledge disable");
	p->enabled = false;
}

static void stop_record(struct profile *p)
{
	int rc;

	if (!p->pid)
		return;
	kill(p->pid, SIGINT);
	rc = wait_rc(p->pid);
	p->pid = 0;
	if (p->ctl_fd >= 0)
		close(p->ctl_fd);
	if (p->ack_fd >= 0)
		close(p->ack_fd);
	unlink(p->ctl);
	unlink(p->ack);
	rmdir(p->fifos);
	if (rc && rc != 128 + SIGINT)
		fail(p, "%s", "perf record failed (see perf.log)");
}

/* Runs perf SUB ... -i perf.data with stdout to out; its exit status. */
static int perf_to(struct profile *p, const char *out, char *const *args)
{
	char data[sizeof(p->dir) + 16], log[sizeof(p->dir) + 16];
	char *argv[32];
	int argc = 0;
	pid_t pid;

	snprintf(data, sizeof(data), "%s/perf.data", p->dir);
	snprintf(log, sizeof(log), "%s/perf.log", p->dir);
	argv[argc++] = (char *)perf_bin();
	for (; *args && argc < 28; args++)
		argv[argc++] = *args;
	argv[argc++] = "-i";
	argv[argc++] = data;
	argv[argc] = NULL;
	pid = spawn(argv, out, log);
	return pid < 0 ? (int)pid : wait_rc(pid);
}

/* perf report -q lines: "    40.99%  [k] symbol" */
static void parse_top(struct profile *p, const char *path)
{
	struct result_profile *rp = p->out;
	FILE *f = fopen(path, "r");
	char line[1024];

	if (!f)
		return;
	while (rp->nr_top < RESULT_PROFILE_TOP && fgets(line, sizeof(line), f)) {
		struct result_profile_sym *s = &rp->top[rp->nr_top];
		char kind, *sym, *nl;
		double pct;

		if (sscanf(line, " %lf%% [%c]", &pct, &kind) != 2)
			continue;
		sym = strchr(line, ']');
		if (!sym)
			continue;
		sym += 1 + strspn(sym + 1, " ");
		nl = sym + strlen(sym);
		while (nl > sym && (nl[-1] == '\n' || nl[-1] == ' '))
			*--nl = '\0';
		if (!*sym)
			continue;
		snprintf(s->name, sizeof(s->name), "%s", sym);
		s->kind = kind == 'k' ? 'k' : '.';
		s->self_pct = pct;
		rp->nr_top++;
	}
	fclose(f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct stacks {
	char **v;
	size_t n, cap;
};

static int stacks_add(struct stacks *s, const char *comm, char **frames, int nf)
{
	size_t len = strlen(comm) + 1;
	char *line, *w;

	for (int i = 0; i < nf; i++)
		len += strlen(frames[i]) + 1;
	line = malloc(len + 1);
	if (!line)
		return -ENOMEM;
	w = line + sprintf(line, "%s", comm);
	for (int i = nf - 1; i >= 0; i--)	/* perf prints the leaf first */
		w += sprintf(w, ";%s", frames[i]);
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			free(line);
			return -ENOMEM;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = line;
	return 0;
}

/* folded-stack frame text: no ';' and no newline */
static char *frame_dup(const char *sym)
{
	char *d = strdup(*sym ? sym : "[unknown]");

	for (char *c = d; c && *c; c++)
		if (*c == ';' || *c == '\n')
			*c = ':';
	return d;
}

/*
 * perf script -F comm,ip,sym: a sample is "comm" on a line, then one line
 * per frame "\tIP SYM" (leaf first), then a blank line.
 */
static long long fold(const char *script, const char *out)
{
	FILE *in = fopen(script, "r"), *f;
	struct stacks st = { 0 };
	char line[2048], comm[256] = "", *frames[256];
	int nf = 0;
	long long samples = 0;
	bool in_sample = false;

	if (!in)
		return -errno;
	while (fgets(line, sizeof(line), in)) {
		size_t n = strlen(line);

		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = '\0';
		if (!n) {
			if (in_sample) {
				stacks_add(&st, comm, frames, nf);
				samples++;
			}
			for (int i = 0; i < nf; i++)
				free(frames[i]);
			nf = 0;
			in_sample = false;
			continue;
		}
		if (line[0] != '\t' && line[0] != ' ') {
			snprintf(comm, sizeof(comm), "%s", line);
			for (char *c = comm; *c; c++)
				if (*c == ';')
					*c = ':';
			in_sample = true;
			continue;
		}
		if (in_sample && nf < 256) {
			char *p = line + strspn(line, " \t");

			p += strcspn(p, " ");	/* the address */
			p += strspn(p, " ");
			frames[nf++] = frame_dup(p);
		}
	}
	if (in_sample) {
		stacks_add(&st, comm, frames, nf);
		samples++;
	}
	for (int i = 0; i < nf; i++)
		free(frames[i]);
	fclose(in);
	qsort(st.v, st.n, sizeof(*st.v), cmp_str);
	f = fopen(out, "w");
	for (size_t i = 0; f && i < st.n;) {
		size_t j = i;

		while (j < st.n && !strcmp(st.v[j], st.v[i]))
			j++;
		fprintf(f, "%s %zu\n", st.v[i], j - i);
		i = j;
	}
	if (f)
		fclose(f);
	for (size_t i = 0; i < st.n; i++)
		free(st.v[i]);
	free(st.v);
	return f ? samples : -EIO;
}

void profile_finish(struct profile *p)
{
	static char *report_args[] = {
		"report", "--no-children", "--stdio", "-q", "--sort", "sym", "-g", "none",
		"--percent-limit", "0.01", "--kallsyms", "/proc/kallsyms", NULL,
	};
	static char *script_args[] = {
		"script", "-F", "comm,ip,sym", "--kallsyms", "/proc/kallsyms", NULL,
	};
	char top[sizeof(p->dir) + 16], script[sizeof(p->dir) + 16], folded[sizeof(p->dir) + 16];
	long long n;

	if (!p || !p->out)
		return;
	profile_disable(p);
	stop_record(p);
	p->out->window_s = p->window_s;
	if (p->out->reason[0])
		return;
	snprintf(top, sizeof(top), "%s/top.txt", p->dir);
	snprintf(script, sizeof(script), "%s/.script", p->dir);
	snprintf(folded, sizeof(folded), "%s/stacks.folded", p->dir);
	if (perf_to(p, top, report_args)) {
		fail(p, "%s", "perf report failed (see perf.log)");
		return;
	}
	parse_top(p, top);
	if (perf_to(p, script, script_args)) {
		fail(p, "%s", "perf script failed (see perf.log)");
		unlink(script);
		return;
	}
	n = fold(script, folded);
	unlink(script);
	if (n < 0) {
		fail(p, "folding the stacks: %s", strerror((int)-n));
		return;
	}
	p->out->samples = n;
	if (!n)
		fail(p, "%s", "perf recorded no sample in the measured window");
}

json_t *profile_json(const struct result_profile *rp)
{
	json_t *o = json_object(), *top = json_array();

	json_object_set_new(o, "event", json_string(rp->event ? rp->event : "none"));
	json_object_set_new(o, "samples", json_integer(rp->samples));
	json_object_set_new(o, "window_s", json_real(rp->window_s));
	json_object_set_new(o, "enable_lag_s", json_real(rp->enable_lag_s));
	json_object_set_new(o, "freq_hz", json_integer(atoi(PROFILE_FREQ)));
	json_object_set_new(o, "sort", json_string("sym, self (--no-children)"));
	for (int i = 0; i < rp->nr_top; i++) {
		json_t *s = json_object();
		char kind[2] = { rp->top[i].kind, 0 };

		json_object_set_new(s, "symbol", json_string(rp->top[i].name));
		json_object_set_new(s, "kind", json_string(kind));
		json_object_set_new(s, "self_pct", json_real(rp->top[i].self_pct));
		json_array_append_new(top, s);
	}
	json_object_set_new(o, "top", top);
	json_object_set_new(o, "dir", json_string(rp->dir));
	if (rp->reason[0])
		json_object_set_new(o, "reason", json_string(rp->reason));
	return o;
}
