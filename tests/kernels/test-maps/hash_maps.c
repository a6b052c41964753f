// SPDX-License-Identifier: GPL-2.0
/*
 * hash_maps: the hash-map part of the kernel's own
 * tools/testing/selftests/bpf/test_maps, from the base tree's source
 * (this file #includes test_maps.c and replaces only its main()).
 *
 *   hash_maps [TEST...]
 *
 * Runs, as test_maps does, a preallocated pass (map_flags 0) and then a
 * BPF_F_NO_PREALLOC pass of: test_hashmap, test_hashmap_percpu,
 * test_hashmap_walk, test_hashmap_zero_seed, test_map_large,
 * test_map_parallel, test_map_stress (its four hash-map run_parallel
 * calls; test_maps also stresses array maps there, which no variant
 * changes), test_map_rdonly and test_map_wronly_hash; or only the TESTs
 * named. Each test runs in a child process of its own, since test_maps'
 * checks are assert() and exit(): a failure ends that test only.
 *
 * Prints "ok - PASS TEST (S s)" or "not ok - PASS TEST (S s): how it
 * ended", then "RESULT pass N" or "RESULT fail N of M". Exit 0 when all
 * passed, 1 otherwise, 2 on a bad test name.
 */
#define main test_maps_main
#include "test_maps.c"
#undef main

#include <sys/time.h>

/* testing_helpers.c is not linked (it pulls in test_progs); only the
 * sockmap test, which is not run here, loads programs through this.
 */
int bpf_prog_test_load(const char *file, enum bpf_prog_type type,
		       struct bpf_object **pobj, int *prog_fd)
{
	(void)file;
	(void)type;
	(void)pobj;
	(void)prog_fd;
	return -EOPNOTSUPP;
}

static void test_map_stress_hash(void)
{
	run_parallel(100, test_hashmap_walk, NULL);
	run_parallel(100, test_hashmap, NULL);
	run_parallel(100, test_hashmap_percpu, NULL);
	run_parallel(100, test_hashmap_sizes, NULL);
}

static void t_hashmap(void) { test_hashmap(0, NULL); }
static void t_hashmap_percpu(void) { test_hashmap_percpu(0, NULL); }
static void t_hashmap_walk(void) { test_hashmap_walk(0, NULL); }

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "test_hashmap", t_hashmap },
	{ "test_hashmap_percpu", t_hashmap_percpu },
	{ "test_hashmap_walk", t_hashmap_walk },
	{ "test_hashmap_zero_seed", test_hashmap_zero_seed },
	{ "test_map_large", test_map_large },
	{ "test_map_parallel", test_map_parallel },
	{ "test_map_stress", test_map_stress_hash },
	{ "test_map_rdonly", test_map_rdonly },
	{ "test_map_wronly_hash", test_map_wronly_hash },
};

#define NTESTS (sizeof(tests) / sizeof(tests[0]))

static double now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

/* 1 when the test passed */
static int run_one(const char *pass, unsigned int i)
{
	double t0 = now();
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		tests[i].fn();
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		printf("not ok - %s %s: fork/wait: %s\n", pass, tests[i].name,
		       strerror(errno));
		return 0;
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status)) {
		printf("ok - %s %s (%.1f s)\n", pass, tests[i].name, now() - t0);
		return 1;
	}
	if (WIFSIGNALED(status))
		printf("not ok - %s %s (%.1f s): killed by signal %d\n", pass,
		       tests[i].name, now() - t0, WTERMSIG(status));
	else
		printf("not ok - %s %s (%.1f s): exit status %d\n", pass,
		       tests[i].name, now() - t0, WEXITSTATUS(status));
	return 0;
}

int main(int argc, char **argv)
{
	static const char *pass_name[2] = { "prealloc", "noprealloc" };
	int want[NTESTS], pass, passed = 0, ran = 0, a;
	unsigned int i;

	for (i = 0; i < NTESTS; i++)
		want[i] = argc < 2;
	for (a = 1; a < argc; a++) {
		for (i = 0; i < NTESTS; i++)
			if (!strcmp(argv[a], tests[i].name))
				break;
		if (i == NTESTS) {
			fprintf(stderr, "hash_maps: no test %s\n", argv[a]);
			return 2;
		}
		want[i] = 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	srand(time(NULL));
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	for (pass = 0; pass < 2; pass++) {
		map_opts.map_flags = pass ? BPF_F_NO_PREALLOC : 0;
		for (i = 0; i < NTESTS; i++) {
			if (!want[i])
				continue;
			ran++;
			passed += run_one(pass_name[pass], i);
		}
	}
	if (passed == ran) {
		printf("RESULT pass %d\n", ran);
		return 0;
	}
	printf("RESULT fail %d of %d\n", ran - passed, ran);
	return 1;
}
