// SPDX-License-Identifier: GPL-2.0
/*
 * qmp-nmi: inject NMIs into a QEMU guest through its QMP socket at a given
 * rate (QMP `inject-nmi`: every vCPU on x86), until TERM/INT; then print
 * one JSON line: what was asked and what was achieved.
 *
 * usage: qmp-nmi SOCKET RATE [WAIT_S]
 *   SOCKET  qemu's -qmp unix:SOCKET,server=on,wait=off
 *   RATE    injections a second (1..100000); each waits for QMP's answer,
 *           so the achieved rate is what QEMU took, at most RATE
 *   WAIT_S  how long to retry connecting (default 10)
 * Output: {"asked_per_s":R,"injected":N,"errors":E,"seconds":S,"per_s":N/S}
 * Exit 0 after a stop signal, 1 when QMP could not be reached or refused
 * capabilities, 2 for a usage error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	stop = sig;
}

/* One line of QMP's answer into buf (NUL-terminated, cut at len); -1: EOF/error. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR) {
			if (stop)
				return -1;
			continue;
		}
		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* Send CMD; read lines until the answer (events are skipped); 0: "return". */
static int command(int fd, const char *cmd)
{
	char line[4096];
	size_t len = strlen(cmd);

	if (send(fd, cmd, len, MSG_NOSIGNAL) != (ssize_t)len) {
		if (!stop)
			fprintf(stderr, "qmp-nmi: send: %s\n", strerror(errno));
		return -1;
	}
	for (;;) {
		if (read_line(fd, line, sizeof(line))) {
			if (!stop)
				fprintf(stderr, "qmp-nmi: QMP closed the connection\n");
			return -1;
		}
		if (strstr(line, "\"return\""))
			return 0;
		if (strstr(line, "\"error\""))
			return 1;
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int connect_qmp(const char *path, double wait_s)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	double t0 = now();

	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	strcpy(a.sun_path, path);
	while (!stop) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		close(fd);
		if (now() - t0 > wait_s)
			return -1;
		usleep(100000);
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	long long injected = 0, errors = 0;
	char line[4096], *end;
	double rate, wait_s = 10, t0, t;
	int fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: qmp-nmi SOCKET RATE [WAIT_S]\n");
		return 2;
	}
	rate = strtod(argv[2], &end);
	if (*end || !(rate >= 1 && rate <= 100000)) {
		fprintf(stderr, "qmp-nmi: RATE '%s': want 1..100000 a second\n", argv[2]);
		return 2;
	}
	if (argc == 4)
		wait_s = strtod(argv[3], NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = connect_qmp(argv[1], wait_s);
	if (fd < 0) {
		fprintf(stderr, "qmp-nmi: cannot connect to %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* the greeting, then capabilities negotiation */
	if (read_line(fd, line, sizeof(line)) ||
	    command(fd, "{\"execute\": \"qmp_capabilities\"}\n")) {
		fprintf(stderr, "qmp-nmi: %s: no QMP greeting or capabilities refused\n", argv[1]);
		return 1;
	}
	t0 = now();
	for (long long i = 1; !stop; i++) {
		double next = t0 + (double)i / rate;
		int rc = command(fd, "{\"execute\": \"inject-nmi\"}\n");

		if (rc < 0)
			break;		/* qemu went away */
		if (rc)
			errors++;
		else
			injected++;
		t = now();
		if (next > t) {
			struct timespec d = {
				.tv_sec = (time_t)(next - t),
				.tv_nsec = (long)((next - t - (double)(time_t)(next - t)) * 1e9),
			};

			nanosleep(&d, NULL);
		}
	}
	t = now() - t0;
	printf("{\"asked_per_s\":%g,\"injected\":%lld,\"errors\":%lld,\"seconds\":%.3f,"
	       "\"per_s\":%.1f}\n", rate, injected, errors, t, t > 0 ? (double)injected / t : 0.0);
	close(fd);
	return 0;
}
