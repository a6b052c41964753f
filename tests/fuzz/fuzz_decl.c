// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the variant declaration parser of runners/lib-kbuild.sh
 * (read_variant + resolve_inputs), run by bash on each input written as
 * kernels/variants/x of a private toy tree. Invariants: the parser exits
 * 0, 1 (a missing input) or 2 (a bad declaration, one line on stderr);
 * everything it accepts lies under the toy kernels/; nothing in a
 * declaration is ever executed (a canary file must not appear).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CANARY	"/tmp/allocbench-fuzz-decl-canary"

extern char **environ;
static char top[PATH_MAX], kernels[PATH_MAX + 16], lib[PATH_MAX];

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", kernels, rel);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void remove_tree(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);	/* mkdtemp's name: no quote */
	if (system(cmd))
		fprintf(stderr, "fuzz_decl: could not remove %s\n", top);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char tmpl[] = "/tmp/allocbench-fuzz-decl.XXXXXX", d[PATH_MAX * 2];
	const char *const dirs[] = { "", "/variants", "/configs", "/patches", "/patches/p" };

	if (!realpath("runners/lib-kbuild.sh", lib) || !mkdtemp(tmpl))
		abort();
	snprintf(top, sizeof(top), "%s", tmpl);
	atexit(remove_tree);
	snprintf(kernels, sizeof(kernels), "%s/kernels", top);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(d, sizeof(d), "%s%s", kernels, dirs[i]);
		mkdir(d, 0755);
	}
	put("configs/base.config", "CONFIG_BPF=y\n");
	put("configs/base-6.12.config", "CONFIG_SLUB_TINY=n\n");
	put("configs/a.config", "CONFIG_X=y\n");
	put("patches/p/0001-x.patch", "Subject: x\n--- a/x\n+++ b/x\n");
	snprintf(d, sizeof(d), "%s/secret.config", top);	/* outside kernels/ */
	put("../secret.config", "CONFIG_SECRET=y\n");
	return 0;
}

/* Runs the parser; its stdout (accepted paths) and stderr into out/err. */
static int parse(char *out, size_t olen, char *err, size_t elen)
{
	char *argv[] = {
		"bash", "-c",
		"set -euo pipefail; KERNELS=$1; V=x; . \"$2\"; read_variant x; resolve_inputs; "
		"printf '%s\\n' \"${CONFIG_FILES[@]}\" \"${PATCHES[@]}\"",
		"fuzz", kernels, lib, NULL,
	};
	int po[2], pe[2], st = 0;
	posix_spawn_file_actions_t fa;
	ssize_t n;
	size_t o = 0, e = 0;
	pid_t pid;

	if (pipe(po) || pipe(pe))
		abort();
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawn_file_actions_addclose(&fa, po[0]);
	posix_spawn_file_actions_addclose(&fa, pe[0]);
	if (posix_spawnp(&pid, "bash", &fa, NULL, argv, environ))
		abort();
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	while ((n = read(po[0], out + o, olen - 1 - o)) > 0)
		o += (size_t)n;
	while ((n = read(pe[0], err + e, elen - 1 - e)) > 0)
		e += (size_t)n;
	out[o] = err[e] = '\0';
	close(po[0]);
	close(pe[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[1 << 16], err[1 << 16];
	char path[PATH_MAX * 2];
	int fd, rc;

	if (size > 4096)
		return 0;
	snprintf(path, sizeof(path), "%s/variants/x", kernels);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	rc = parse(out, sizeof(out), err, sizeof(err));
	if (!access(CANARY, F_OK)) {
		fprintf(stderr, "a declaration ran a command\n");
		abort();
	}
	if (rc != 0 && rc != 1 && rc != 2) {
		fprintf(stderr, "exit %d: %s\n", rc, err);
		abort();
	}
	if (rc == 2 && (!*err || strchr(err, '\n') != err + strlen(err) - 1)) {
		fprintf(stderr, "a bad declaration must say one line, said: %s\n", err);
		abort();
	}
	if (rc == 0) {
		for (char *save = NULL, *l = strtok_r(out, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save)) {
			char real[PATH_MAX];

			if (!realpath(l, real) || strncmp(real, kernels, strlen(kernels)) ||
			    real[strlen(kernels)] != '/') {
				fprintf(stderr, "accepted %s outside %s\n", l, kernels);
				abort();
			}
		}
	}
	return 0;
}
