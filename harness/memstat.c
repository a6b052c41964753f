// SPDX-License-Identifier: GPL-2.0
/*
 * Memory of a point. BPF map memory is charged to the memcg of the task
 * that created the map, so the run moves itself into a memory cgroup of its
 * own before setup: cgroup v2 where it has the memory controller, else a v1
 * memory cgroup, else system-wide slab totals (noisy; the record says so).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "memstat.h"
#include "sysinfo.h"

#define CG2_ROOT	"/sys/fs/cgroup"
#define CG1_MEM_ROOT	"/sys/fs/cgroup/memory"

static long long read_ll(const char *dir, const char *file)
{
	char path[PATH_MAX + 64], buf[64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (sys_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Sum of "key value" lines of a stat file (memory.stat, /proc/meminfo). */
static long long read_keys(const char *path, const char *const *keys, long long scale)
{
	char line[256];
	long long sum = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		for (int i = 0; keys[i]; i++) {
			size_t n = strlen(keys[i]);

			if (!strncmp(line, keys[i], n) && (line[n] == ' ' || line[n] == ':'))
				sum += strtoll(line + n + 1, NULL, 10) * scale;
		}
	}
	fclose(f);
	return sum;
}

static long long current_bytes(const struct memstat *m)
{
	static const char *const slab[] = { "Slab", "Percpu", NULL };

	switch (m->src) {
	case MEM_CGROUP2:
		return read_ll(m->dir, "memory.current");
	case MEM_CGROUP1:
		return read_ll(m->dir, "memory.usage_in_bytes");
	case MEM_MEMINFO_SLAB:
		return read_keys("/proc/meminfo", slab, 1024);
	default:
		return 0;
	}
}

static int enter(struct memstat *m, const char *root, const char *procs)
{
	char path[PATH_MAX + 32], pid[32];
	int err;

	snprintf(m->dir, sizeof(m->dir), "%s/allocbench-%d", root, (int)getpid());
	if (mkdir(m->dir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", m->dir, procs);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	err = sys_write_file(path, pid);
	if (err) {
		rmdir(m->dir);
		return err;
	}
	snprintf(m->home, sizeof(m->home), "%s/%s", root, procs);
	return 0;
}

static int try_cgroup2(struct memstat *m)
{
	struct statfs sf;
	char buf[512];

	if (statfs(CG2_ROOT, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOENT;
	if (sys_read_file(CG2_ROOT "/cgroup.controllers", buf, sizeof(buf)) < 0 ||
	    !strstr(buf, "memory"))
		return -ENOENT;
	/* The root may have internal processes; enabling is idempotent. */
	sys_write_file(CG2_ROOT "/cgroup.subtree_control", "+memory");
	return enter(m, CG2_ROOT, "cgroup.procs");
}

static int try_cgroup1(struct memstat *m)
{
	struct statfs sf;

	if (statfs(CG1_MEM_ROOT, &sf) || sf.f_type != CGROUP_SUPER_MAGIC)
		return -ENOENT;
	return enter(m, CG1_MEM_ROOT, "cgroup.procs");
}

int memstat_start(struct memstat *m)
{
	memset(m, 0, sizeof(*m));
	if (!try_cgroup2(m))
		m->src = MEM_CGROUP2;
	else if (!try_cgroup1(m))
		m->src = MEM_CGROUP1;
	else
		m->src = MEM_MEMINFO_SLAB;
	memstat_rebase(m);
	return 0;
}

/* What is already charged now is not the workload's to report. */
void memstat_rebase(struct memstat *m)
{
	m->base = current_bytes(m);
	m->peak = m->base;
	m->last = m->base;
}

/* Takes a sample; returns the bytes charged beyond the base. */
long long memstat_sample(struct memstat *m)
{
	m->last = current_bytes(m);
	if (m->last > m->peak)
		m->peak = m->last;
	return m->last - m->base;
}

void memstat_finish(struct memstat *m, long long *peak, long long *end,
		    long long *kernel)
{
	static const char *const kmem[] = { "slab", "percpu", NULL };
	char path[PATH_MAX + 32];
	long long hw = -1;

	memstat_sample(m);
	if (m->src == MEM_CGROUP2)
		hw = read_ll(m->dir, "memory.peak");
	else if (m->src == MEM_CGROUP1)
		hw = read_ll(m->dir, "memory.max_usage_in_bytes");
	if (hw > m->peak)
		m->peak = hw;
	*peak = m->peak - m->base;
	*end = m->last - m->base;
	*kernel = -1;
	if (m->src == MEM_CGROUP2) {
		snprintf(path, sizeof(path), "%s/memory.stat", m->dir);
		*kernel = read_keys(path, kmem, 1);
	}
}

/* Bytes charged now beyond the base. */
long long memstat_now(struct memstat *m)
{
	return current_bytes(m) - m->base;
}

void memstat_stop(struct memstat *m)
{
	char pid[32];

	if (m->src != MEM_CGROUP2 && m->src != MEM_CGROUP1)
		return;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	sys_write_file(m->home, pid);
	/* Fails while charges remain; the kernel reaps it once they go. */
	rmdir(m->dir);
}

const char *memstat_source_name(const struct memstat *m)
{
	static const char *const names[] = {
		[MEM_NONE] = "none", [MEM_CGROUP2] = "cgroup2",
		[MEM_CGROUP1] = "cgroup1", [MEM_MEMINFO_SLAB] = "meminfo-slab",
	};

	return names[m->src];
}
