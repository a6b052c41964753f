// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure for a point. The hog is a child process (first in line
 * for the OOM killer) that maps and touches anonymous memory until
 * MemAvailable falls to the floor asked for, then keeps re-touching it and
 * gives some back whenever the floor is crossed, so that the kernel stays
 * in reclaim while the allocations run. fio, where it exists, writes
 * through the page cache into a directory on a real file system, or onto
 * the scratch block device ALLOCBENCH_SCRATCH_DEV names (the VM guest's).
 * pressure=memcg starts no hog: once the workload is set up, its own
 * memory cgroup is limited to what it uses plus a headroom, so that the
 * kernel's accounted allocations for it (__GFP_ACCOUNT) fail at the limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include "harness.h"
#include "pressure.h"
#include "sysinfo.h"

const char *const pressure_modes[] = { "none", "anon", "anon+fio", "memcg", NULL };

#define CHUNK		(32L << 20)
#define RAMP_S		30
#define MAX_CHUNKS	65536

static const char *const vm_counters[] = { NULL };

static void memcg_disarm(struct pressure *p);

static long long meminfo_kb(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoll(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/*
 * What the hog holds at the floor: MemAvailable, plus, where there is swap
 * (the VM guest's disk), the free swap above half of it, so that the hog
 * pushes half the swap into use and anonymous memory is reclaimed
 * (swapped out), not only MemAvailable lowered.
 */
static long long hog_avail_kb(void)
{
	long long a = meminfo_kb("MemAvailable");
	long long st = meminfo_kb("SwapTotal"), sf = meminfo_kb("SwapFree");

	if (st > 0 && sf > st / 2)
		a += sf - st / 2;
	return a;
}

static void hog_main(long long floor_kb)
{
	static char *chunks[MAX_CHUNKS];
	int n = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sys_write_file("/proc/self/oom_score_adj", "1000");
	for (;;) {
		long long avail = hog_avail_kb();

		if (avail > floor_kb + CHUNK / 1024 && n < MAX_CHUNKS) {
			char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

			if (p != MAP_FAILED) {
				chunks[n++] = p;
				continue;
			}
		} else if (avail < floor_kb / 2 && n > 0) {
			munmap(chunks[--n], CHUNK);
			continue;
		}
		for (int i = 0; i < n; i++)	/* stay resident */
			chunks[i][(i * 4096L) % CHUNK]++;
		usleep(20000);
	}
}

/*
 * fio onto a scratch block device (buffered writes go through the block
 * device's page cache); where there is no fio (the VM guest), busybox dd
 * writes the device over and over instead, also buffered.
 */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char dir[4096], file[4400];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
		snprintf(file, sizeof(file), "%s/%s", *dir ? dir : ".", prog);
		if (!access(file, X_OK))
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static pid_t start_fio_dev(struct pressure *p, const char *dev)
{
	bool fio = in_path("fio");
	pid_t pid = fork();

	if (pid == 0) {
		char f[300], of[300];
		int null = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 1);
		dup2(null, 2);
		snprintf(f, sizeof(f), "--filename=%s", dev);
		execlp("fio", "fio", "--name=allocbench-pressure", f, "--rw=write",
		       "--bs=1M", "--size=512M", "--ioengine=psync", "--time_based",
		       "--runtime=86400", "--overwrite=1", (char *)NULL);
		snprintf(of, sizeof(of), "of=%s", dev);
		for (;;) {
			pid_t dd = fork();

			if (dd == 0) {
				execlp("dd", "dd", "if=/dev/zero", of, "bs=1M", "count=512",
				       (char *)NULL);
				_exit(127);
			}
			if (dd < 0 || waitpid(dd, NULL, 0) < 0)
				_exit(127);
		}
	}
	if (pid < 0)
		p->fio_note = "fork failed: fio not started";
	else
		p->fio_note = fio ? "fio on the scratch device" :
			"no fio: dd writes the scratch device over and over";
	return pid > 0 ? pid : 0;
}

/* A directory on a disk-backed file system for fio, or NULL. */
static const char *fio_dir(struct pressure *p)
{
	static const char *const candidates[] = { "/var/tmp", "/tmp", NULL };
	struct statfs sf;

	for (int i = 0; candidates[i]; i++) {
		if (statfs(candidates[i], &sf) || sf.f_type == TMPFS_MAGIC ||
		    sf.f_type == RAMFS_MAGIC)
			continue;
		snprintf(p->fio_dir, sizeof(p->fio_dir), "%s/allocbench-fio-%d",
			 candidates[i], (int)getpid());
		if (!mkdir(p->fio_dir, 0700))
			return p->fio_dir;
	}
	return NULL;
}

static pid_t start_fio(struct pressure *p)
{
	const char *dev = getenv("ALLOCBENCH_SCRATCH_DEV");
	const char *dir = dev && *dev ? NULL : fio_dir(p);
	pid_t pid;

	if (dev && *dev)
		return start_fio_dev(p, dev);
	if (!dir) {
		p->fio_note = "no disk-backed directory: fio not started";
		return 0;
	}
	pid = fork();
	if (pid == 0) {
		char d[300];
		int null = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 1);
		dup2(null, 2);
		snprintf(d, sizeof(d), "--directory=%s", dir);
		execlp("fio", "fio", "--name=allocbench-pressure", d, "--rw=write",
		       "--bs=1M", "--size=512M", "--ioengine=psync", "--time_based",
		       "--runtime=86400", "--overwrite=1", "--thread", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		p->fio_note = "fork failed: fio not started";
	return pid > 0 ? pid : 0;
}

int pressure_start(struct pressure *p, const char *mode, long long free_mb)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->free_mb = free_mb;
	p->min_free_kb = p->min_avail_kb = -1;
	if (!strcmp(mode, "none") || !strcmp(mode, "memcg"))
		return 0;
	kstats_begin(&p->vm, "/proc/vmstat", "", vm_counters);
	p->hog = fork();
	if (p->hog < 0)
		return -errno;
	if (p->hog == 0) {
		signal(SIGINT, SIG_DFL);	/* not the parent's stop handler */
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		hog_main(free_mb * 1024);
		_exit(0);
	}
	if (strstr(mode, "fio"))
		p->fio = start_fio(p);
	/* measure under pressure, not while it builds up */
	for (int i = 0; i < RAMP_S * 10 && !harness_stop_signal; i++, p->ramp_ms += 100) {
		if (hog_avail_kb() <= (free_mb << 10) + 2 * (CHUNK >> 10))
			break;
		usleep(100000);
	}
	pressure_sample(p);
	return 0;
}

void pressure_sample(struct pressure *p)
{
	long long f, a;

	if (!p->hog)
		return;
	f = meminfo_kb("MemFree");
	a = meminfo_kb("MemAvailable");
	if (p->min_free_kb < 0 || f < p->min_free_kb)
		p->min_free_kb = f;
	if (p->min_avail_kb < 0 || a < p->min_avail_kb)
		p->min_avail_kb = a;
}

static void reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* What the pressure asked for and what it achieved, into the result. */
void pressure_stop(struct pressure *p, struct result_pressure *out)
{
	static const char *const keep[] = {
		"pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct",
		"allocstall_normal", "allocstall_movable", "compact_stall", "oom_kill",
		"pgmajfault", "workingset_refault_file", "pswpout", "pswpin", NULL,
	};

	out->present = true;
	out->mode = p->mode;
	memcg_disarm(p);
	if (p->hog) {
		struct result_counts all = { .nr = 0 };

		kstats_end(&p->vm, &all);
		out->nr_vmstat = 0;
		for (int i = 0; keep[i] && out->nr_vmstat < RESULT_MAX_VMSTAT; i++) {
			for (int j = 0; j < all.nr; j++) {
				if (strcmp(all.c[j].name, keep[i]))
					continue;
				out->vmstat[out->nr_vmstat++] = all.c[j];
				break;
			}
		}
		out->applied = true;
		out->floor_mb = p->free_mb;
		out->ramp_ms = p->ramp_ms;
		out->min_free_kb = p->min_free_kb;
		out->min_available_kb = p->min_avail_kb;
		out->fio = p->fio > 0;
		out->fio_note = p->fio_note;
	}
	reap(p->hog);
	reap(p->fio);
	p->hog = p->fio = 0;
	if (p->fio_dir[0]) {
		char file[320];

		/* fio names its file after the job: name.0.0 */
		snprintf(file, sizeof(file), "%s/allocbench-pressure.0.0", p->fio_dir);
		unlink(file);
		rmdir(p->fio_dir);
		p->fio_dir[0] = '\0';
	}
	p->stopped = true;
}

static long long read_kv(const char *path, const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ' ')
			v = strtoll(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static long long read_num(const char *path)
{
	char buf[64];
	long long v = -1;
	FILE *f = fopen(path, "re");

	if (f && fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* How often the limit was hit so far: v2 memory.events "max", v1 memory.failcnt. */
static long long memcg_hits(const struct pressure *p)
{
	char path[PATH_MAX + 32];

	if (p->memcg_v2) {
		snprintf(path, sizeof(path), "%s/memory.events", p->memcg_dir);
		return read_kv(path, "max");
	}
	snprintf(path, sizeof(path), "%s/memory.failcnt", p->memcg_dir);
	return read_num(path);
}

int pressure_memcg_arm(struct pressure *p, const struct memstat *m, long long headroom_kb)
{
	char path[PATH_MAX + 32], val[32];
	long long cur;
	int err;

	if (!p->mode || strcmp(p->mode, "memcg"))
		return 0;
	p->memcg_headroom_kb = headroom_kb;
	if (m->src != MEM_CGROUP2 && m->src != MEM_CGROUP1) {
		p->memcg_note = "no memory cgroup of our own: memory.max not set";
		return 0;
	}
	p->memcg_v2 = m->src == MEM_CGROUP2;
	snprintf(p->memcg_dir, sizeof(p->memcg_dir), "%s", m->dir);
	snprintf(path, sizeof(path), "%s/%s", m->dir,
		 p->memcg_v2 ? "memory.current" : "memory.usage_in_bytes");
	cur = read_num(path);
	if (cur < 0)
		return -EIO;
	p->memcg_base_kb = cur / 1024;
	p->memcg_limit_kb = p->memcg_base_kb + headroom_kb;
	snprintf(p->memcg_limit, sizeof(p->memcg_limit), "%s/%s", m->dir,
		 p->memcg_v2 ? "memory.max" : "memory.limit_in_bytes");
	p->memcg_max_events = memcg_hits(p);
	/*
	 * Nothing in the cgroup may be chosen by its OOM killer: then the
	 * charges that may block (allocbench's own) are forced past the
	 * limit when reclaim fails, while the atomic ones fail (GFP_NOWAIT
	 * never invokes the OOM killer) - the point is the allocator's.
	 */
	if (sys_read_file("/proc/self/oom_score_adj", p->memcg_oom_adj,
			  sizeof(p->memcg_oom_adj)) < 0)
		p->memcg_oom_adj[0] = '\0';
	sys_write_file("/proc/self/oom_score_adj", "-1000");
	snprintf(val, sizeof(val), "%lld", p->memcg_limit_kb * 1024);
	err = sys_write_file(p->memcg_limit, val);
	if (err) {
		p->memcg_limit[0] = '\0';
		p->memcg_note = "writing the memory cgroup's limit failed";
		return err;
	}
	return 0;
}

/* Lift the limit: what runs after the measurement must not hit it. */
static void memcg_disarm(struct pressure *p)
{
	if (!p->memcg_limit[0])
		return;
	p->memcg_max_events_end = memcg_hits(p);
	sys_write_file(p->memcg_limit, p->memcg_v2 ? "max" : "-1");
	p->memcg_limit[0] = '\0';
	sys_write_file("/proc/self/oom_score_adj", p->memcg_oom_adj[0] ? p->memcg_oom_adj : "0");
}

void pressure_memcg_counters(const struct pressure *p, struct result_counts *c)
{
	if (!p->mode || strcmp(p->mode, "memcg"))
		return;
	result_counts_add(c, "memcg_applied", p->memcg_limit_kb > 0, true);
	if (!p->memcg_limit_kb)
		return;
	result_counts_add(c, "memcg_base_kb", p->memcg_base_kb, true);
	result_counts_add(c, "memcg_headroom_kb", p->memcg_headroom_kb, true);
	result_counts_add(c, "memcg_limit_kb", p->memcg_limit_kb, true);
	if (p->memcg_max_events >= 0 && p->memcg_max_events_end >= p->memcg_max_events)
		result_counts_add(c, p->memcg_v2 ? "memcg_max_events" : "memcg_failcnt",
				  p->memcg_max_events_end - p->memcg_max_events, true);
}
