// SPDX-License-Identifier: GPL-2.0
/*
 * qp-trie selftest, run inside a guest booted with a qp-trie kernel.
 *
 *   qp-trie-selftest [--stress-seconds S] [--race-delay-ns D]
 *                    [--expect-skip-fn] [--seed N]
 *
 * 1. Map creation checks.
 * 2. Syscall operations: update (BPF_ANY/NOEXIST/EXIST), lookup, delete,
 *    bad key lengths, max_entries, get_next_key order against a sorted
 *    copy of the keys, successor of absent keys.
 * 3. The same operations from a BPF program (BPF_PROG_TEST_RUN).
 * 4. Reuse-race stress: a reader on CPU 0 looks up keys nobody deletes
 *    while a writer on CPU 1 deletes and reinserts other keys of the same
 *    subtrees. Every miss of a stable key is a false negative. Four
 *    phases of S seconds (default 5): with the sequence check, without
 *    and with race_delay_ns=D (default 1000: the lookup waits D ns after
 *    fetching a node pointer, which widens the window the check guards),
 *    then the same two with skip_seq_check=1. With the check the count
 *    must be 0; without it the count is reported, and must be non-zero
 *    with --expect-skip-fn.
 *
 * Prints "ok"/"FAIL" lines and a final "qp-trie-selftest: PASS|FAIL";
 * exit 0 on pass, 1 on failure, 2 on bad usage.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "qp_trie_selftest.h"
#include "qp_trie_selftest.skel.h"

#define KNOB		"/sys/kernel/debug/bpf_qp_trie/skip_seq_check"
#define RESTARTS	"/sys/kernel/debug/bpf_qp_trie/restarts"
#define FALLBACKS	"/sys/kernel/debug/bpf_qp_trie/fallbacks"
#define DELAY		"/sys/kernel/debug/bpf_qp_trie/race_delay_ns"
#define FAIL_ALLOC	"/sys/kernel/debug/bpf_qp_trie/fail_branch_alloc"
#define UNPRIV		"/proc/sys/kernel/unprivileged_bpf_disabled"
#define QP_KEY_SIZE	(4 + QP_MAX_DATA)	/* sizeof(struct qp_key) is padded */
#define NR_FUNC_KEYS	4096
#define NR_STABLE	128
#define NR_PAIRS	256
#define NR_WPAIRS	256	/* short keys, some of a branch's size */
#define PAIRS_END	(NR_FUNC_KEYS + NR_STABLE + 2 * NR_PAIRS)
#define NR_KEYS		(PAIRS_END + 2 * NR_WPAIRS)

static int failures;
static int qp_map_type = -1;
static struct qp_key keys[NR_KEYS];

#define CHECK(cond, ...) check_report(!!(cond), __VA_ARGS__)

static void check_report(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check_report(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	failures++;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Bytewise order, a prefix before its extensions. */
static int key_cmp(const void *pa, const void *pb)
{
	const struct qp_key *a = pa, *b = pb;
	uint32_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->data, b->data, n);

	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

/* ---- the map type, from the running kernel's BTF ---- */

static int find_map_type(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	int id, i, val = -ENOENT;

	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, "bpf_map_type", BTF_KIND_ENUM);
	if (id < 0) {
		btf__free(btf);
		return id;
	}
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++, e++) {
		if (!strcmp(btf__name_by_offset(btf, e->name_off),
			    "BPF_MAP_TYPE_QP_TRIE")) {
			val = e->val;
			break;
		}
	}
	btf__free(btf);
	return val;
}

/* ---- keys ---- */

static void make_random_key(struct qp_key *k, uint32_t max_len, int first_bytes)
{
	uint32_t i;

	memset(k, 0, sizeof(*k));
	k->len = 1 + rnd() % max_len;
	for (i = 0; i < k->len; i++)
		k->data[i] = rnd();
	if (first_bytes)
		k->data[0] %= first_bytes;
}

static void set_key_len(struct qp_key *k, const char *s, uint32_t len)
{
	memset(k, 0, sizeof(*k));
	k->len = len;
	memcpy(k->data, s, len);
}

static void set_key(struct qp_key *k, const char *s)
{
	set_key_len(k, s, strlen(s));
}

/* Fill keys[from, from + n) with distinct keys (and not in keys[0, from)). */
static void make_keys(int from, int n, uint32_t max_len, int first_bytes)
{
	/* prefixes, a 0 byte after a prefix, the extreme first bytes */
	static const struct { const char *s; uint32_t len; } fixed[] = {
		{ "a", 1 }, { "ab", 2 }, { "abc", 3 }, { "abd", 3 }, { "b", 1 },
		{ "ba", 2 }, { "\x01", 1 }, { "\x01\x00", 2 }, { "\x00", 1 },
		{ "\xff", 1 }, { "\xff\xff", 2 },
	};
	int i = from, j, nfixed = sizeof(fixed) / sizeof(fixed[0]);
	bool dup;

	while (i < from + n) {
		if (from == 0 && i < nfixed)
			set_key_len(&keys[i], fixed[i].s, fixed[i].len);
		else
			make_random_key(&keys[i], max_len, first_bytes);
		dup = false;
		for (j = 0; j < i && !dup; j++)
			dup = !key_cmp(&keys[i], &keys[j]);
		if (!dup)
			i++;
	}
}

static int create_trie(uint32_t key_size, uint32_t max_entries, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpf_map_create(qp_map_type, "qp_trie", key_size, sizeof(uint64_t),
			      max_entries, &o);
}

/* ---- 1. creation ---- */

static void test_create(void)
{
	int fd;

	fd = create_trie(QP_KEY_SIZE, 16, 0);
	CHECK(fd < 0 && errno == EINVAL, "create without BPF_F_NO_PREALLOC: %d", fd);
	fd = create_trie(4, 16, BPF_F_NO_PREALLOC);
	CHECK(fd < 0 && errno == EINVAL, "create with key_size 4: %d", fd);
	fd = create_trie(4 + 256, 16, BPF_F_NO_PREALLOC);
	CHECK(fd < 0 && errno == EINVAL, "create with key_size 260: %d", fd);
	fd = create_trie(QP_KEY_SIZE, 0, BPF_F_NO_PREALLOC);
	CHECK(fd < 0 && errno == EINVAL, "create with max_entries 0: %d", fd);
	fd = create_trie(5, 16, BPF_F_NO_PREALLOC);
	CHECK(fd >= 0, "create with key_size 5: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	printf("ok: map creation checks\n");
}

/* ---- 2. syscall operations ---- */

static int lookup_val(int fd, const struct qp_key *k, uint64_t *v)
{
	return bpf_map_lookup_elem(fd, k, v) ? -errno : 0;
}

static int update_val(int fd, const struct qp_key *k, uint64_t v, uint64_t fl)
{
	return bpf_map_update_elem(fd, k, &v, fl) ? -errno : 0;
}

static int delete_key(int fd, const struct qp_key *k)
{
	return bpf_map_delete_elem(fd, k) ? -errno : 0;
}

static void test_bad_len(int fd)
{
	struct qp_key k = { .len = 0 };
	uint64_t v = 0;

	CHECK(lookup_val(fd, &k, &v) == -EINVAL, "lookup len 0 not EINVAL");
	CHECK(update_val(fd, &k, 1, BPF_ANY) == -EINVAL, "update len 0 not EINVAL");
	CHECK(delete_key(fd, &k) == -EINVAL, "delete len 0 not EINVAL");
	k.len = QP_MAX_DATA + 1;
	CHECK(lookup_val(fd, &k, &v) == -EINVAL, "lookup len 256 not EINVAL");
	CHECK(update_val(fd, &k, 1, BPF_ANY) == -EINVAL, "update len 256 not EINVAL");
	CHECK(update_val(fd, &keys[0], 1, 4 /* BPF_F_LOCK */) == -EINVAL,
	      "update with BPF_F_LOCK not EINVAL");
}

/* Walk the map with get_next_key and compare with sorted[0, n). */
static void check_order(int fd, const struct qp_key *sorted, int n,
			const char *what)
{
	struct qp_key cur, next;
	int i = 0, err;
	void *prev = NULL;

	for (;;) {
		memset(&next, 0xa5, sizeof(next));
		err = bpf_map_get_next_key(fd, prev, &next) ? -errno : 0;
		if (err)
			break;
		if (i >= n || key_cmp(&next, &sorted[i])) {
			CHECK(0, "%s: get_next_key #%d out of order", what, i);
			return;
		}
		cur = next;
		prev = &cur;
		i++;
	}
	CHECK(err == -ENOENT, "%s: get_next_key ended with %d", what, err);
	CHECK(i == n, "%s: get_next_key saw %d of %d keys", what, i, n);
}

/* The successor of a key not in the map is the first greater key. */
static void check_successors(int fd, const struct qp_key *sorted, int n)
{
	struct qp_key probe, next;
	int i, tries, j, err;

	for (tries = 0; tries < 2000; tries++) {
		make_random_key(&probe, QP_MAX_DATA, 0);
		if (tries % 2) {	/* near an existing key */
			probe = sorted[rnd() % n];
			if (probe.len < QP_MAX_DATA && rnd() % 2)
				probe.data[probe.len++] = rnd();
			else
				probe.data[probe.len - 1] ^= 1 + rnd() % 255;
		}
		for (j = 0; j < n && key_cmp(&sorted[j], &probe) <= 0; j++)
			;
		err = bpf_map_get_next_key(fd, &probe, &next) ? -errno : 0;
		if (j == n) {
			CHECK(err == -ENOENT, "successor of a last key: %d", err);
			continue;
		}
		i = err ? -1 : key_cmp(&next, &sorted[j]);
		if (err || i) {
			CHECK(0, "successor of probe #%d: err %d cmp %d", tries,
			      err, i);
			return;
		}
	}
}

static void test_syscall_ops(void)
{
	static struct qp_key sorted[NR_FUNC_KEYS];
	int fd, i, n = NR_FUNC_KEYS, bad = 0;
	uint64_t v;

	fd = create_trie(QP_KEY_SIZE, NR_FUNC_KEYS, BPF_F_NO_PREALLOC);
	if (fd < 0) {
		CHECK(0, "create trie: %s", strerror(errno));
		return;
	}
	test_bad_len(fd);
	CHECK(bpf_map_get_next_key(fd, NULL, &sorted[0]) && errno == ENOENT,
	      "get_next_key on an empty map");
	for (i = 0; i < n; i++)
		bad += update_val(fd, &keys[i], i, BPF_NOEXIST) != 0;
	CHECK(!bad, "%d NOEXIST inserts failed", bad);
	for (i = 0, bad = 0; i < n; i++)
		bad += lookup_val(fd, &keys[i], &v) || v != (uint64_t)i;
	CHECK(!bad, "%d lookups of inserted keys wrong", bad);
	CHECK(update_val(fd, &keys[0], 7, BPF_NOEXIST) == -EEXIST,
	      "NOEXIST on a present key");
	CHECK(update_val(fd, &keys[1], 7, BPF_EXIST) == 0 &&
	      !lookup_val(fd, &keys[1], &v) && v == 7, "EXIST on a present key");
	CHECK(update_val(fd, &keys[2], 8, BPF_ANY) == 0 &&
	      !lookup_val(fd, &keys[2], &v) && v == 8, "ANY on a present key");
	CHECK(update_val(fd, &keys[NR_FUNC_KEYS], 1, BPF_ANY) == -ENOSPC,
	      "insert past max_entries not ENOSPC");
	CHECK(update_val(fd, &keys[1], 1, BPF_ANY) == 0 &&
	      update_val(fd, &keys[2], 2, BPF_EXIST) == 0,
	      "replace in a full map");
	memcpy(sorted, keys, sizeof(sorted));
	qsort(sorted, n, sizeof(sorted[0]), key_cmp);
	check_order(fd, sorted, n, "full map");
	check_successors(fd, sorted, n);
	printf("ok: syscall update/lookup/get_next_key on %d keys\n", n);

	/* delete the odd keys, absent-key ops, then order again */
	for (i = 1, bad = 0; i < n; i += 2)
		bad += delete_key(fd, &keys[i]) != 0;
	CHECK(!bad, "%d deletes failed", bad);
	for (i = 0, bad = 0; i < n; i++)
		bad += (lookup_val(fd, &keys[i], &v) == 0) != !(i & 1);
	CHECK(!bad, "%d lookups wrong after deleting odd keys", bad);
	CHECK(delete_key(fd, &keys[1]) == -ENOENT, "delete of an absent key");
	CHECK(update_val(fd, &keys[1], 1, BPF_EXIST) == -ENOENT,
	      "EXIST on an absent key");
	CHECK(update_val(fd, &keys[1], 1, BPF_ANY) == 0, "ANY on an absent key");
	CHECK(update_val(fd, &keys[3], 3, BPF_NOEXIST) == 0,
	      "NOEXIST on an absent key");
	for (i = 0, n = 0; i < NR_FUNC_KEYS; i++) {
		if (!(i & 1) || i == 1 || i == 3)
			sorted[n++] = keys[i];
	}
	qsort(sorted, n, sizeof(sorted[0]), key_cmp);
	check_order(fd, sorted, n, "after deletes");
	check_successors(fd, sorted, n);
	for (i = 0, bad = 0; i < n; i++)
		bad += delete_key(fd, &sorted[i]) != 0;
	CHECK(!bad, "%d deletes of the rest failed", bad);
	CHECK(bpf_map_get_next_key(fd, NULL, &sorted[0]) && errno == ENOENT,
	      "get_next_key on an emptied map");
	close(fd);
	printf("ok: syscall delete and order after deletes\n");
}

/* ---- 3. operations from a BPF program ---- */

static int prog_op(struct qp_trie_selftest_bpf *skel, int op, int idx,
		   uint64_t flags, uint64_t value, long *ret)
{
	uint64_t args[4] = { op, idx, flags, value };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args,
		    .ctx_size_in = sizeof(args));
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.do_op), &o);

	if (err || o.retval)
		return err ? -errno : -EINVAL;
	*ret = skel->bss->op_ret;
	return 0;
}

static void test_prog_ops(struct qp_trie_selftest_bpf *skel)
{
	int kfd = bpf_map__fd(skel->maps.keys);
	int tfd = bpf_map__fd(skel->maps.trie);
	struct qp_key bad = { .len = 0 };
	uint32_t idx = NR_KEYS;	/* scratch slot after the keys */
	int i, n = 256, err = 0;
	long r;

	for (i = 0; i < n && !err; i++)
		err = prog_op(skel, QP_OP_UPDATE, i, BPF_NOEXIST, 100 + i, &r) ?: r;
	CHECK(!err, "prog NOEXIST insert: %d", err);
	for (i = 0, err = 0; i < n && !err; i++) {
		err = prog_op(skel, QP_OP_LOOKUP, i, 0, 0, &r) ?: r;
		err = err ?: skel->bss->op_value != (uint64_t)(100 + i);
	}
	CHECK(!err, "prog lookup of inserted keys: %d", err);
	for (i = 0, err = 0; i < n && !err; i++) {
		uint64_t v;

		err = lookup_val(tfd, &keys[i], &v) ?: v != (uint64_t)(100 + i);
	}
	CHECK(!err, "syscall lookup of keys inserted by the program");
	err = prog_op(skel, QP_OP_UPDATE, 0, BPF_NOEXIST, 1, &r);
	CHECK(!err && r == -EEXIST, "prog NOEXIST on a present key: %d %ld",
	      err, r);
	err = prog_op(skel, QP_OP_UPDATE, n, BPF_EXIST, 1, &r);
	CHECK(!err && r == -ENOENT, "prog EXIST on an absent key: %d %ld",
	      err, r);
	err = prog_op(skel, QP_OP_UPDATE, 0, BPF_EXIST, 5, &r) ?: r;
	err = err ?: prog_op(skel, QP_OP_LOOKUP, 0, 0, 0, &r) ?: r;
	CHECK(!err && skel->bss->op_value == 5, "prog EXIST on a present key");
	err = prog_op(skel, QP_OP_DELETE, 0, 0, 0, &r) ?: r;
	CHECK(!err, "prog delete: %d", err);
	err = prog_op(skel, QP_OP_LOOKUP, 0, 0, 0, &r);
	CHECK(!err && r == -ENOENT, "prog lookup after delete: %d %ld", err, r);
	err = prog_op(skel, QP_OP_DELETE, 0, 0, 0, &r);
	CHECK(!err && r == -ENOENT, "prog delete of an absent key: %d %ld",
	      err, r);
	/* bad length: a miss for a lookup, -EINVAL for update/delete */
	CHECK(!bpf_map_update_elem(kfd, &idx, &bad, 0), "set scratch key");
	err = prog_op(skel, QP_OP_LOOKUP, idx, 0, 0, &r);
	CHECK(!err && r == -ENOENT, "prog lookup with len 0: %d %ld", err, r);
	err = prog_op(skel, QP_OP_UPDATE, idx, BPF_ANY, 1, &r);
	CHECK(!err && r == -EINVAL, "prog update with len 0: %d %ld", err, r);
	err = prog_op(skel, QP_OP_DELETE, idx, 0, 0, &r);
	CHECK(!err && r == -EINVAL, "prog delete with len 0: %d %ld", err, r);
	for (i = 1, err = 0; i < n && !err; i++)
		err = prog_op(skel, QP_OP_DELETE, i, 0, 0, &r) ?: r;
	CHECK(!err, "prog delete of every key: %d", err);
	CHECK(bpf_map_get_next_key(tfd, NULL, &bad) && errno == ENOENT,
	      "map empty after the program deleted every key");
	printf("ok: update/lookup/delete from a BPF program\n");
}

/* ---- 4. reuse-race stress ---- */

struct stress_arg {
	struct qp_trie_selftest_bpf *skel;
	int cpu;
	volatile bool *stop;
	int err;
};

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static int run_prog(int fd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t args[4] = { a0, a1, a2, a3 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args,
		    .ctx_size_in = sizeof(args));

	return bpf_prog_test_run_opts(fd, &o) ? -errno : 0;
}

static void *reader(void *p)
{
	struct stress_arg *a = p;
	int fd = bpf_program__fd(a->skel->progs.lookup_stable);

	pin(a->cpu);
	while (!*a->stop && !a->err)
		a->err = run_prog(fd, 0, NR_FUNC_KEYS, NR_STABLE, 20000);
	return NULL;
}

static void *writer(void *p)
{
	struct stress_arg *a = p;
	int fd = bpf_program__fd(a->skel->progs.churn);

	pin(a->cpu);
	while (!*a->stop && !a->err)
		a->err = run_prog(fd, 1, NR_FUNC_KEYS + NR_STABLE, NR_PAIRS,
				  5000);
	return NULL;
}

static int write_knob(const char *path, int v)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	err = fprintf(f, "%d\n", v) < 0 ? -EIO : 0;
	return fclose(f) ? -errno : err;
}

static long long read_num(const char *path)
{
	FILE *f = fopen(path, "r");
	long long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

struct stress_result {
	unsigned long long lookups, misses, writer_ops, writer_errors;
	long long restarts, fallbacks;
};

static int stress_phase(struct qp_trie_selftest_bpf *skel, int seconds,
			struct stress_result *r)
{
	volatile bool stop = false;
	struct stress_arg ra = { skel, 0, &stop, 0 }, wa = { skel, 1, &stop, 0 };
	long long r0 = read_num(RESTARTS), f0 = read_num(FALLBACKS);
	pthread_t rt, wt;

	memset(skel->bss->stress, 0, sizeof(skel->bss->stress));
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		wa.cpu = 0;
	pthread_create(&wt, NULL, writer, &wa);
	pthread_create(&rt, NULL, reader, &ra);
	sleep(seconds);
	stop = true;
	pthread_join(rt, NULL);
	pthread_join(wt, NULL);
	r->lookups = skel->bss->stress[0].lookups;
	r->misses = skel->bss->stress[0].misses;
	r->writer_ops = skel->bss->stress[1].writer_ops;
	r->writer_errors = skel->bss->stress[1].writer_errors;
	r->restarts = read_num(RESTARTS) - r0;
	r->fallbacks = read_num(FALLBACKS) - f0;
	return ra.err ?: wa.err;
}

static void print_result(const char *what, const struct stress_result *r)
{
	printf("stress %s: lookups %llu false_negatives %llu writer_ops %llu "
	       "writer_errors %llu restarts %lld fallbacks %lld\n", what,
	       r->lookups, r->misses, r->writer_ops, r->writer_errors,
	       r->restarts, r->fallbacks);
}

/* After the churn every stable and every first-of-pair key is present. */
static void check_after_stress(int tfd)
{
	int i, bad = 0, first = NR_FUNC_KEYS + NR_STABLE;
	uint64_t v;

	for (i = NR_FUNC_KEYS; i < first; i++)
		bad += lookup_val(tfd, &keys[i], &v) != 0;
	for (i = first; i < PAIRS_END; i++)
		bad += (lookup_val(tfd, &keys[i], &v) == 0) != !((i - first) & 1);
	CHECK(!bad, "%d keys in the wrong state after the stress", bad);
}

struct phase {
	bool skip;
	bool delay;
};

static const struct phase phases[] = {
	{ false, false }, { false, true }, { true, false }, { true, true },
};

static int set_knobs(bool skip, int delay_ns)
{
	return write_knob(KNOB, skip) ?: write_knob(DELAY, delay_ns);
}

/*
 * Each phase runs @seconds: with the check the false negatives must be 0,
 * also with the race window widened; without it they are reported (and
 * required with --expect-skip-fn).
 */
static void test_stress(struct qp_trie_selftest_bpf *skel, int seconds,
			int delay_ns, bool expect_skip_fn)
{
	int tfd = bpf_map__fd(skel->maps.trie);
	int i, bad = 0, err, first = NR_FUNC_KEYS + NR_STABLE;
	unsigned long long skip_fn = 0;
	struct stress_result r;
	char what[96];

	for (i = NR_FUNC_KEYS; i < PAIRS_END; i++) {
		if (i >= first && ((i - first) & 1))
			continue;	/* second key of a pair starts absent */
		bad += update_val(tfd, &keys[i], i, BPF_NOEXIST) != 0;
	}
	CHECK(!bad, "stress: %d inserts failed", bad);

	if (access(KNOB, W_OK)) {
		printf("note: %s missing (no CONFIG_BPF_QP_TRIE_DEBUG): only "
		       "the phase with the check and no delay runs\n", KNOB);
		CHECK(!expect_skip_fn, "--expect-skip-fn needs the debug knobs");
		err = stress_phase(skel, seconds, &r);
		CHECK(!err, "stress seq_check=on race_delay_ns=0: %d", err);
		print_result("seq_check=on race_delay_ns=0", &r);
		CHECK(r.lookups > 0 && r.writer_ops > 0, "stress made no progress");
		CHECK(r.writer_errors == 0, "writer errors: %llu", r.writer_errors);
		CHECK(r.misses == 0, "false negatives: %llu", r.misses);
		check_after_stress(tfd);
		return;
	}
	for (i = 0; i < (int)(sizeof(phases) / sizeof(phases[0])); i++) {
		const struct phase *ph = &phases[i];

		err = set_knobs(ph->skip, ph->delay ? delay_ns : 0);
		if (err) {
			CHECK(0, "cannot set %s / %s: %d", KNOB, DELAY, err);
			break;
		}
		err = stress_phase(skel, seconds, &r);
		snprintf(what, sizeof(what), "seq_check=%s race_delay_ns=%d",
			 ph->skip ? "off" : "on", ph->delay ? delay_ns : 0);
		CHECK(!err, "stress %s: %d", what, err);
		print_result(what, &r);
		CHECK(r.lookups > 0 && r.writer_ops > 0, "stress made no progress");
		CHECK(r.writer_errors == 0, "writer errors: %llu", r.writer_errors);
		if (ph->skip)
			skip_fn += r.misses;
		else
			CHECK(r.misses == 0, "false negatives with the sequence "
			      "check: %llu", r.misses);
		check_after_stress(tfd);
	}
	set_knobs(false, 0);
	printf("stress: false negatives without the sequence check: %llu\n",
	       skip_fn);
	if (expect_skip_fn)
		CHECK(skip_fn > 0, "expected false negatives without the "
		      "sequence check, saw none");
}

/* ---- memory per dataset (slab delta, as the 2022 bench read it) ---- */

static long long slab_kib(void)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %lld kB", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

#define CG_ROOT	"/sys/fs/cgroup"
#define CG_SELF	CG_ROOT "/qp-trie-selftest"

/* Bytes of slab charged to our memory cgroup, -1 without one. */
static long long memcg_slab(void)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen(CG_SELF "/memory.stat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "slab %lld", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

/* Move this process into its own memory cgroup; 0 on success. */
static int join_memcg(void)
{
	char pid[32];
	FILE *f;

	if (mkdir(CG_SELF, 0755) && errno != EEXIST)
		return -errno;
	f = fopen(CG_ROOT "/cgroup.subtree_control", "w");
	if (f) {
		fputs("+memory", f);
		fclose(f);
	}
	snprintf(pid, sizeof(pid), "%d", getpid());
	f = fopen(CG_SELF "/cgroup.procs", "w");
	if (!f)
		return -errno;
	fputs(pid, f);
	return fclose(f) ? -errno : 0;
}

/* Distinct symbol names of /proc/kallsyms into @ks; returns the count. */
static int kallsyms_keys(struct qp_key *ks, int max, uint32_t *max_len)
{
	char line[512], name[512];
	FILE *f = fopen("/proc/kallsyms", "r");
	int n = 0, i, u = 0;

	*max_len = 0;
	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %511s", name) != 1 ||
		    strlen(name) > QP_MAX_DATA)
			continue;
		set_key(&ks[n], name);
		if (ks[n].len > *max_len)
			*max_len = ks[n].len;
		n++;
	}
	fclose(f);
	qsort(ks, n, sizeof(ks[0]), key_cmp);
	for (i = 0; i < n; i++) {
		if (!u || key_cmp(&ks[u - 1], &ks[i]))
			ks[u++] = ks[i];
	}
	return u;
}

/* Slab growth from inserting @n keys into a map of @type, in KiB; the
 * growth of the slab charged to our memcg goes to @cg_kib (-1 without).
 */
static long long map_mem_kib(int type, const struct qp_key *ks, int n,
			     uint32_t key_size, long long *cg_kib)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	long long before, after, cg_before = memcg_slab();
	uint64_t v = 0;
	int fd, i;

	before = slab_kib();
	fd = bpf_map_create(type, "qp_mem", key_size, sizeof(v), n, &o);
	if (fd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (bpf_map_update_elem(fd, &ks[i], &v, BPF_NOEXIST)) {
			close(fd);
			return -errno;
		}
	}
	after = slab_kib();
	*cg_kib = cg_before < 0 ? -1 : (memcg_slab() - cg_before) / 1024;
	close(fd);
	/* the map is freed from a worker after RCU: let that finish before
	 * the next measurement starts
	 */
	sleep(3);
	return after - before;
}

static void report_mem(const char *name, const struct qp_key *ks, int n,
		       uint32_t max_len)
{
	uint32_t ksz = 4 + max_len;
	long long qp_cg, ht_cg;
	long long qp = map_mem_kib(qp_map_type, ks, n, ksz, &qp_cg);
	long long ht = map_mem_kib(BPF_MAP_TYPE_HASH, ks, n, ksz, &ht_cg);

	CHECK(qp >= 0, "memory %s: qp-trie insert failed: %lld", name, qp);
	printf("memory %s: keys %d key_size %u qp-trie %.2f MiB htab %.2f MiB "
	       "(slab delta); memcg slab qp-trie %.2f MiB htab %.2f MiB\n",
	       name, n, ksz, qp / 1024.0, ht / 1024.0, qp_cg / 1024.0,
	       ht_cg / 1024.0);
	/* the nodes must be charged to the map's (the creator's) memcg */
	if (qp_cg >= 0)
		CHECK(qp_cg * 2 > qp, "memory %s: only %lld of %lld KiB charged "
		      "to the memcg", name, qp_cg, qp);
}

static void test_memory(void)
{
	static struct qp_key ks[200000];
	uint32_t max_len;
	uint64_t saved = rng_state;
	int i, n, err;

	err = join_memcg();
	if (err)
		printf("note: no memory cgroup (%d): memcg slab not measured\n",
		       err);

	/* the random dataset: 16384 keys, lengths 1..255, fixed seed */
	rng_state = 0x2022;
	for (i = 0; i < 16384; i++)
		make_random_key(&ks[i], QP_MAX_DATA, 0);
	rng_state = saved;
	qsort(ks, 16384, sizeof(ks[0]), key_cmp);
	for (i = 1, n = 1; i < 16384; i++) {
		if (key_cmp(&ks[n - 1], &ks[i]))
			ks[n++] = ks[i];
	}
	report_mem("random", ks, n, QP_MAX_DATA);
	n = kallsyms_keys(ks, 200000, &max_len);
	if (n > 0)
		report_mem("kallsyms", ks, n, max_len);
	else
		printf("note: no /proc/kallsyms names (%d)\n", n);
}

/* ---- 5. stress tests for the defects a review found ---- */

struct job {
	int fd;		/* program */
	uint64_t a[4];	/* its args */
	int cpu;
	volatile bool *stop;
	int err;
};

static void *job_loop(void *p)
{
	struct job *j = p;

	pin(j->cpu);
	while (!*j->stop && !j->err)
		j->err = run_prog(j->fd, j->a[0], j->a[1], j->a[2], j->a[3]);
	return NULL;
}

/* Run up to three program loops on their CPUs for @seconds. */
static int run_jobs(struct job *jobs, int n, int seconds)
{
	volatile bool stop = false;
	pthread_t t[3];
	int i, err = 0;

	for (i = 0; i < n; i++) {
		jobs[i].stop = &stop;
		jobs[i].err = 0;
		if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
			jobs[i].cpu = 0;
		pthread_create(&t[i], NULL, job_loop, &jobs[i]);
	}
	sleep(seconds);
	stop = true;
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		err = err ?: jobs[i].err;
	}
	return err;
}

/* bpf_capable(): a task without CAP_BPF and CAP_SYS_ADMIN gets -EPERM. */
static void test_capable(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int st = -1, fd;
	pid_t pid;

	write_knob(UNPRIV, 0);	/* 2 (the default) may go to 0, 1 may not */
	pid = fork();
	if (pid == 0) {
		memset(d, 0, sizeof(d));
		if (syscall(SYS_capset, &h, d))
			_exit(10);
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1, NULL);
		if (fd < 0)
			_exit(11);
		fd = create_trie(QP_KEY_SIZE, 16, BPF_F_NO_PREALLOC);
		_exit(fd < 0 && errno == EPERM ? 0 : 12);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (WIFEXITED(st) && (WEXITSTATUS(st) == 10 || WEXITSTATUS(st) == 11)) {
		printf("note: skip bpf_capable check: %s\n",
		       WEXITSTATUS(st) == 10 ? "capset failed" :
		       "unprivileged bpf() is disabled for good");
		return;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		printf("ok: creation needs CAP_BPF or CAP_SYS_ADMIN\n");
	else
		CHECK(0, "qp-trie created without CAP_BPF (status %d)", st);
}

/* Delete under a 3-twig branch needs a branch copy: -ENOMEM, map intact. */
static void test_delete_enomem(void)
{
	struct qp_key k[3], next;
	int fd, i, n = 0, err, f0 = failures;
	uint64_t v;

	if (access(FAIL_ALLOC, W_OK)) {
		printf("note: skip delete -ENOMEM: %s missing "
		       "(no CONFIG_BPF_QP_TRIE_DEBUG)\n", FAIL_ALLOC);
		return;
	}
	fd = create_trie(QP_KEY_SIZE, 16, BPF_F_NO_PREALLOC);
	if (fd < 0) {
		CHECK(0, "create: %s", strerror(errno));
		return;
	}
	set_key(&k[0], "q1");
	set_key(&k[1], "q2");
	set_key(&k[2], "q3");
	for (i = 0; i < 3; i++)
		CHECK(!update_val(fd, &k[i], i, BPF_NOEXIST), "insert q%d", i + 1);
	err = write_knob(FAIL_ALLOC, 1);
	CHECK(!err, "set %s: %d", FAIL_ALLOC, err);
	err = delete_key(fd, &k[1]);
	write_knob(FAIL_ALLOC, 0);
	CHECK(err == -ENOMEM, "delete without memory for the copy: %d, "
	      "want -ENOMEM", err);
	for (i = 0; i < 3; i++)
		CHECK(!lookup_val(fd, &k[i], &v) && v == (uint64_t)i,
		      "q%d lost by the failed delete", i + 1);
	CHECK(!delete_key(fd, &k[1]), "delete q2 once memory is back");
	CHECK(lookup_val(fd, &k[1], &v) == -ENOENT, "q2 still there");
	CHECK(!lookup_val(fd, &k[0], &v) && !lookup_val(fd, &k[2], &v),
	      "q1 or q3 lost by the delete");
	while (!bpf_map_get_next_key(fd, n ? &next : NULL, &next))
		n++;
	CHECK(n == 2, "get_next_key saw %d keys, want 2", n);
	close(fd);
	if (failures == f0)
		printf("ok: delete -ENOMEM leaves the map unchanged\n");
}

/*
 * A program writes through the values it looks up (every word, several
 * times) while another CPU deletes and reinserts keys of the same subtrees:
 * with nodes reused across types the writes land in branches and later
 * walks follow the poison. Afterwards every key must be where it belongs
 * and get_next_key must see exactly the expected keys.
 */
static void test_write_values(struct qp_trie_selftest_bpf *skel, int seconds)
{
	int vfd = bpf_map__fd(skel->maps.vtrie);
	int i, bad = 0, n = 0, first = PAIRS_END, f0 = failures;
	struct qp_stress *s = skel->bss->stress;
	struct qp_val val;
	struct qp_key cur, next;
	struct job jobs[2] = {
		{ bpf_program__fd(skel->progs.write_values),
		  { QP_SLOT_READER, first, 2 * NR_WPAIRS, 20000 }, 0 },
		{ bpf_program__fd(skel->progs.vchurn),
		  { QP_SLOT_WRITER, first, NR_WPAIRS, 5000 }, 1 },
	};
	int err;

	for (i = NR_FUNC_KEYS; i < NR_KEYS; i++) {
		if ((i >= NR_FUNC_KEYS + NR_STABLE && i < first) ||
		    (i >= first && ((i - first) & 1)))
			continue;	/* the long pairs, the second of a pair */
		memset(&val, 0, sizeof(val));
		val.w[0] = i;
		bad += bpf_map_update_elem(vfd, &keys[i], &val, BPF_NOEXIST) != 0;
	}
	CHECK(!bad, "write-through: %d inserts failed", bad);
	/* first on one CPU, each pair once: deterministic reuse */
	for (i = 0; i < NR_WPAIRS; i++)
		run_prog(bpf_program__fd(skel->progs.reuse_write),
			 first + 2 * i, first + 2 * i + 1, 0, 0);
	printf("stress write-through on one CPU: runs %llu errors %llu\n",
	       (unsigned long long)skel->bss->reuse_runs,
	       (unsigned long long)skel->bss->reuse_errors);
	CHECK(skel->bss->reuse_runs == NR_WPAIRS && !skel->bss->reuse_errors,
	      "write-through on one CPU: %llu errors",
	      (unsigned long long)skel->bss->reuse_errors);
	memset(s, 0, sizeof(skel->bss->stress));
	err = run_jobs(jobs, 2, seconds);
	CHECK(!err, "write-through stress: %d", err);
	printf("stress write-through: values_written %llu churn_ops %llu "
	       "churn_errors %llu\n", (unsigned long long)s[0].lookups,
	       (unsigned long long)s[1].writer_ops,
	       (unsigned long long)s[1].writer_errors);
	CHECK(s[0].lookups > 0 && s[1].writer_ops > 0,
	      "write-through stress made no progress");
	CHECK(s[1].writer_errors == 0, "churn errors: %llu",
	      (unsigned long long)s[1].writer_errors);
	bad = 0;
	for (i = NR_FUNC_KEYS; i < NR_KEYS; i++) {
		bool want = i < NR_FUNC_KEYS + NR_STABLE ||
			    (i >= first && !((i - first) & 1));
		bool got = !bpf_map_lookup_elem(vfd, &keys[i], &val);

		bad += want != got;
	}
	CHECK(!bad, "write-through: %d keys in the wrong state", bad);
	bad = 0;
	while (!bpf_map_get_next_key(vfd, n ? &cur : NULL, &next)) {
		bad += next.len < 1 || next.len > QP_MAX_DATA ||
		       bpf_map_lookup_elem(vfd, &next, &val);
		cur = next;
		if (++n > NR_KEYS)
			break;
	}
	CHECK(n == NR_STABLE + NR_WPAIRS && !bad,
	      "write-through: get_next_key saw %d keys (%d bad), want %d",
	      n, bad, NR_STABLE + NR_WPAIRS);
	if (failures == f0)
		printf("ok: writes through looked-up values leave every key "
		       "intact\n");
}

/*
 * The key of an update lives in an array value that a program on another
 * CPU rewrites all the time (len 1..7 or QP_MUT_LONG > max_len 16). A key
 * read twice can pass the length check and then be used with the long
 * length: out-of-bounds reads, and leaves get_next_key overflows with.
 */
static void test_mutated_key(struct qp_trie_selftest_bpf *skel, int seconds)
{
	int mfd = bpf_map__fd(skel->maps.mtrie), n = 0, bad = 0, err;
	int f0 = failures;
	struct qp_stress *s = skel->bss->stress;
	struct {
		uint32_t len;
		uint8_t data[QP_MUT_MAX];
		uint8_t canary[64];
	} cur, next;
	struct job jobs[2] = {
		{ bpf_program__fd(skel->progs.mutate_update),
		  { QP_SLOT_WRITER, 0, 0, 5000 }, 0 },
		{ bpf_program__fd(skel->progs.mutate_key),
		  { QP_SLOT_MUTATOR, 0, 0, 100000 }, 1 },
	};

	memset(s, 0, sizeof(skel->bss->stress));
	err = run_jobs(jobs, 2, seconds);
	CHECK(!err, "mutated-key stress: %d", err);
	printf("stress mutated-key: updates_ok %llu updates_refused %llu "
	       "mutations %llu\n", (unsigned long long)s[QP_SLOT_WRITER].writer_ops,
	       (unsigned long long)s[QP_SLOT_WRITER].writer_errors,
	       (unsigned long long)s[QP_SLOT_MUTATOR].writer_ops);
	CHECK(s[QP_SLOT_WRITER].writer_ops > 0 &&
	      s[QP_SLOT_MUTATOR].writer_ops > 0, "mutated-key made no progress");
	memset(&next, 0x5a, sizeof(next));
	while (!bpf_map_get_next_key(mfd, n ? &cur : NULL, &next)) {
		bad += next.len < 1 || next.len > QP_MUT_MAX ||
		       next.canary[0] != 0x5a;
		cur = next;
		if (++n > 4096)
			break;
	}
	CHECK(!bad, "mutated-key: %d of %d keys with a length over %d",
	      bad, n, QP_MUT_MAX);
	if (failures == f0)
		printf("ok: a key changed during updates never makes a leaf "
		       "longer than max_len (%d keys)\n", n);
}

/*
 * Lookups from NMI (nmi:nmi_handler, NMIs injected by the host through
 * QMP) of keys nobody deletes, while both CPUs churn other keys of the
 * same subtrees: an NMI that lands in a writer must still find every key.
 */
static void test_nmi_lookup(struct qp_trie_selftest_bpf *skel, int seconds,
			    int delay_ns, bool nmi)
{
	struct qp_stress *s = skel->bss->stress;
	int first = NR_FUNC_KEYS + NR_STABLE, err;
	struct bpf_link *link;
	struct job jobs[2] = {
		{ bpf_program__fd(skel->progs.churn),
		  { QP_SLOT_WRITER, first, NR_PAIRS / 2, 5000 }, 0 },
		{ bpf_program__fd(skel->progs.churn),
		  { QP_SLOT_WRITER2, first + NR_PAIRS, NR_PAIRS / 2, 5000 }, 1 },
	};
	bool delay = !access(DELAY, W_OK);

	if (!nmi) {
		printf("note: skip NMI lookups: no NMIs injected "
		       "(run-vm --nmi-rate)\n");
		return;
	}
	link = bpf_program__attach(skel->progs.nmi_lookup);
	if (!link) {
		CHECK(0, "attach to nmi:nmi_handler: %s", strerror(errno));
		return;
	}
	memset(s, 0, sizeof(skel->bss->stress));
	skel->bss->nmi_first = NR_FUNC_KEYS;
	skel->bss->nmi_nr = NR_STABLE;
	if (delay)
		write_knob(DELAY, delay_ns);
	skel->bss->nmi_on = 1;
	err = run_jobs(jobs, 2, seconds);
	skel->bss->nmi_on = 0;
	if (delay)
		write_knob(DELAY, 0);
	bpf_link__destroy(link);
	CHECK(!err, "NMI stress: %d", err);
	printf("stress nmi race_delay_ns=%d: nmi_lookups %llu "
	       "false_negatives %llu writer_ops %llu writer_errors %llu\n",
	       delay ? delay_ns : 0,
	       (unsigned long long)s[QP_SLOT_NMI].lookups,
	       (unsigned long long)s[QP_SLOT_NMI].misses,
	       (unsigned long long)(s[QP_SLOT_WRITER].writer_ops +
				    s[QP_SLOT_WRITER2].writer_ops),
	       (unsigned long long)(s[QP_SLOT_WRITER].writer_errors +
				    s[QP_SLOT_WRITER2].writer_errors));
	CHECK(s[QP_SLOT_NMI].lookups > 0, "no lookup ran in NMI");
	CHECK(s[QP_SLOT_NMI].misses == 0, "false negatives in NMI: %llu",
	      (unsigned long long)s[QP_SLOT_NMI].misses);
	CHECK(s[QP_SLOT_WRITER].writer_errors + s[QP_SLOT_WRITER2].writer_errors
	      == 0, "writer errors during the NMI stress");
	check_after_stress(bpf_map__fd(skel->maps.trie));
}

/* ---- main ---- */

static bool nmi_expected;

static int load_skel(struct qp_trie_selftest_bpf **out)
{
	struct qp_trie_selftest_bpf *skel = qp_trie_selftest_bpf__open();
	int err;

	if (!skel)
		return -errno;
	bpf_map__set_max_entries(skel->maps.keys, NR_KEYS + 1);
	bpf_map__set_type(skel->maps.trie, qp_map_type);
	bpf_map__set_key_size(skel->maps.trie, QP_KEY_SIZE);
	bpf_map__set_max_entries(skel->maps.trie, NR_KEYS);
	bpf_map__set_type(skel->maps.vtrie, qp_map_type);
	bpf_map__set_key_size(skel->maps.vtrie, QP_KEY_SIZE);
	bpf_map__set_max_entries(skel->maps.vtrie, NR_KEYS);
	bpf_map__set_type(skel->maps.mtrie, qp_map_type);
	bpf_program__set_autoload(skel->progs.nmi_lookup, nmi_expected);
	err = qp_trie_selftest_bpf__load(skel);
	if (err) {
		qp_trie_selftest_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

static int fill_keys_map(struct qp_trie_selftest_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.keys);
	uint32_t i;

	for (i = 0; i < NR_KEYS; i++) {
		if (bpf_map_update_elem(fd, &i, &keys[i], 0))
			return -errno;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: qp-trie-selftest [--stress-seconds S] "
		"[--race-delay-ns D] [--expect-skip-fn] [--nmi] [--seed N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct qp_trie_selftest_bpf *skel = NULL;
	bool expect_skip_fn = false;
	int seconds = 5, delay_ns = 1000, i, err;

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--stress-seconds") && i + 1 < argc)
			seconds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			rng_state = strtoull(argv[++i], NULL, 0) | 1;
		else if (!strcmp(argv[i], "--race-delay-ns") && i + 1 < argc)
			delay_ns = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--expect-skip-fn"))
			expect_skip_fn = true;
		else if (!strcmp(argv[i], "--nmi"))
			nmi_expected = true;
		else
			usage();
	}
	if (seconds < 1 || delay_ns < 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	qp_map_type = find_map_type();
	if (qp_map_type < 0) {
		printf("FAIL: BPF_MAP_TYPE_QP_TRIE not in the kernel's BTF (%d)\n",
		       qp_map_type);
		printf("qp-trie-selftest: FAIL\n");
		return 1;
	}
	printf("BPF_MAP_TYPE_QP_TRIE = %d\n", qp_map_type);
	/* functional keys: lengths 1..255 over all first bytes; stress keys:
	 * lengths 1..32 over 8 first bytes, so that stable and churned keys
	 * share subtrees and the churn rebuilds the stable keys' paths
	 */
	make_keys(0, NR_FUNC_KEYS, QP_MAX_DATA, 0);
	make_keys(NR_FUNC_KEYS, PAIRS_END - NR_FUNC_KEYS, 32, 8);
	/* write-through pairs: 1..8 bytes; with 40-byte values a leaf of a
	 * 1..4-byte key and a branch of 2..5 twigs are the same size class
	 * (64), a leaf of a 5..8-byte key is not, so freed leaves of short
	 * keys go to the branches the inserts of longer keys build
	 */
	make_keys(PAIRS_END, 2 * NR_WPAIRS, 8, 8);

	test_create();
	test_capable();
	test_syscall_ops();
	test_delete_enomem();
	test_memory();
	err = load_skel(&skel);
	if (err) {
		CHECK(0, "load BPF program: %d", err);
	} else {
		err = fill_keys_map(skel);
		CHECK(!err, "fill keys map: %d", err);
		if (!err)
			test_prog_ops(skel);
		if (!err) {
			test_stress(skel, seconds, delay_ns, expect_skip_fn);
			test_nmi_lookup(skel, seconds, delay_ns, nmi_expected);
			test_write_values(skel, seconds);
			test_mutated_key(skel, seconds);
		}
		qp_trie_selftest_bpf__destroy(skel);
	}
	printf("qp-trie-selftest: %s (%d failures)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
