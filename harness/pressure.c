// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure for a point. The hog is a child process (first in line
 * for the OOM killer) that maps and touches anonymous memory until
 * MemAvailable falls to the floor asked for, then keeps re-touching it and
 * gives some back whenever the floor is crossed, so that the kernel stays
 * in reclaim while the allocations run. fio, where it exists, writes
 * through the page cache into a directory on a real file system.
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

const char *const pressure_modes[] = { "none", "anon", "anon+fio", NULL };

#define CHUNK		(32L << 20)
#define RAMP_S		30
#define MAX_CHUNKS	65536

static const char *const vm_counters[] = { NULL };

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

static void hog_main(long long floor_kb)
{
	static char *chunks[MAX_CHUNKS];
	int n = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sys_write_file("/proc/self/oom_score_adj", "1000");
	for (;;) {
		long long avail = meminfo_kb("MemAvailable");

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
	const char *dir = fio_dir(p);
	pid_t pid;

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
	if (!strcmp(mode, "none"))
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
		if (meminfo_kb("MemAvailable") <= (free_mb << 10) + 2 * (CHUNK >> 10))
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
		"pgmajfault", "workingset_refault_file", NULL,
	};

	out->present = true;
	out->mode = p->mode;
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
