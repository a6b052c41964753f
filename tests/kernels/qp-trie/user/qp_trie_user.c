// SPDX-License-Identifier: GPL-2.0
/*
 * The qp-trie map's code (kernel/bpf/qp_trie.c from the patch series) run
 * in user space against a model, no kernel needed.
 *
 *   qp-trie-user order [SEED]
 *       random update (ANY/NOEXIST/EXIST), delete and lookup against a
 *       sorted-array model, with get_next_key order and successors of
 *       absent keys checked along the way, for several key shapes.
 *   qp-trie-user race SECONDS SKIP DELAY_NS
 *       one reader thread looks up keys nobody deletes while a writer
 *       deletes and reinserts other keys of the same subtrees; prints the
 *       false negatives. SKIP=1 turns the sequence check off, DELAY_NS
 *       widens the race window (race_delay_ns).
 *
 * Exit 0 when every check passed, 1 otherwise, 2 on bad usage.
 */
#include <pthread.h>
#include <unistd.h>
#include "qp_trie.c"

#define NR_MODEL	3000
#define NR_STABLE	128
#define NR_PAIRS	256

struct key {
	u32 len;
	u8 data[QP_MAX_KEY_LEN];
};

static u64 rng = 88172645463325252ULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	int c = memcmp(a->data, b->data, min(a->len, b->len));

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static struct bpf_map *new_map(u32 max_entries)
{
	union bpf_attr attr = {
		.key_size = 4 + QP_MAX_KEY_LEN, .value_size = 8,
		.max_entries = max_entries, .map_flags = BPF_F_NO_PREALLOC,
	};

	if (qp_trie_alloc_check(&attr))
		return NULL;
	return qp_trie_alloc(&attr);
}

/* Distinct keys; a quarter are prefixes or extensions of earlier ones. */
static void make_keys(struct key *ks, int n, int max_len, int alpha,
		      int first_bytes)
{
	int i, j;

	for (i = 0; i < n; i++) {
		struct key *k = &ks[i], *o;

		memset(k, 0, sizeof(*k));
		k->len = 1 + rnd() % max_len;
		for (j = 0; j < (int)k->len; j++)
			k->data[j] = rnd() % alpha;
		if (first_bytes)
			k->data[0] %= first_bytes;
		if (i && rnd() % 4 == 0) {
			o = &ks[rnd() % i];
			*k = *o;
			if (rnd() % 2 && o->len > 1) {
				k->len = 1 + rnd() % (o->len - 1);
				memset(k->data + k->len, 0,
				       QP_MAX_KEY_LEN - k->len);
			} else if ((int)o->len < max_len) {
				k->data[k->len++] = rnd() % alpha;
			}
		}
		for (j = 0; j < i; j++) {
			if (!key_cmp(k, &ks[j])) {
				i--;	/* try again */
				break;
			}
		}
	}
}

static int check_order(struct bpf_map *m, struct key *ks, const bool *in,
		       int max_len, int alpha)
{
	static struct key sorted[NR_MODEL];
	struct key cur, next, probe;
	void *prev = NULL;
	int i, n = 0, c = 0, a, err;

	for (i = 0; i < NR_MODEL; i++) {
		if (in[i])
			sorted[n++] = ks[i];
	}
	qsort(sorted, n, sizeof(sorted[0]), key_cmp);
	while (!qp_trie_get_next_key(m, prev, &next)) {
		if (c >= n || key_cmp(&next, &sorted[c])) {
			printf("FAIL: get_next_key #%d of %d out of order\n", c, n);
			return 1;
		}
		cur = next;
		prev = &cur;
		c++;
	}
	if (c != n) {
		printf("FAIL: get_next_key saw %d of %d keys\n", c, n);
		return 1;
	}
	for (i = 0; i < 1000; i++) {
		probe = ks[rnd() % NR_MODEL];
		if (rnd() % 2 && (int)probe.len < max_len)
			probe.data[probe.len++] = rnd() % alpha;
		else
			probe.data[probe.len - 1] ^= 1 + rnd() % 255;
		for (a = 0; a < n && key_cmp(&sorted[a], &probe) <= 0; a++)
			;
		err = qp_trie_get_next_key(m, &probe, &next);
		if (a == n ? err != -ENOENT : (err || key_cmp(&next, &sorted[a]))) {
			printf("FAIL: successor of a probe (err %d)\n", err);
			return 1;
		}
	}
	return 0;
}

/* Operations that fail a branch allocation (fail_branch_alloc): one in 8. */
static long enomem_ops, enomem_seen;

static int one_op(struct bpf_map *m, struct key *ks, bool *in, u64 *vals)
{
	int i = rnd() % NR_MODEL, op = rnd() % 4, fl = rnd() % 3, err, want;
	bool fail = rnd() % 8 == 0;
	u64 v = rnd(), *p;

	/* A failed branch allocation must fail the operation with -ENOMEM
	 * and leave the map as it was; the model does not change then.
	 */
	qp_fail_branch_alloc = fail;
	enomem_ops += fail;
	if (op < 2) {
		err = qp_trie_update_elem(m, &ks[i], &v, fl);
		qp_fail_branch_alloc = 0;
		if (fail && err == -ENOMEM) {
			enomem_seen++;
			return 0;
		}
		want = fl == BPF_NOEXIST && in[i] ? -EEXIST :
		       fl == BPF_EXIST && !in[i] ? -ENOENT : 0;
		if (err != want) {
			printf("FAIL: update flags %d: %d, want %d\n", fl, err, want);
			return 1;
		}
		if (!err) {
			in[i] = true;
			vals[i] = v;
		}
	} else if (op == 2) {
		err = qp_trie_delete_elem(m, &ks[i]);
		qp_fail_branch_alloc = 0;
		if (fail && err == -ENOMEM && in[i]) {
			enomem_seen++;
			return 0;
		}
		if (err != (in[i] ? 0 : -ENOENT)) {
			printf("FAIL: delete: %d\n", err);
			return 1;
		}
		in[i] = false;
	} else {
		qp_fail_branch_alloc = 0;
		p = qp_trie_lookup_elem(m, &ks[i]);
		if (!!p != in[i] || (p && *p != vals[i])) {
			printf("FAIL: lookup disagrees with the model\n");
			return 1;
		}
	}
	return 0;
}

static int run_order(void)
{
	static const int shapes[][2] = {	/* max length, alphabet */
		{ 255, 256 }, { 12, 2 }, { 6, 5 }, { 40, 16 }, { 255, 4 },
	};
	static struct key ks[NR_MODEL];
	static bool in[NR_MODEL];
	static u64 vals[NR_MODEL];
	int s, it, bad = 0;

	for (s = 0; s < (int)(sizeof(shapes) / sizeof(shapes[0])); s++) {
		int max_len = shapes[s][0], alpha = shapes[s][1];
		struct bpf_map *m = new_map(NR_MODEL);

		if (!m)
			return 1;
		memset(in, 0, sizeof(in));
		make_keys(ks, NR_MODEL, max_len, alpha, 0);
		for (it = 0; it < 100000 && !bad; it++) {
			bad = one_op(m, ks, in, vals);
			if (!bad && it % 20000 == 19999)
				bad = check_order(m, ks, in, max_len, alpha);
		}
		qp_trie_free(m);
		printf("%s: model check, keys up to %d bytes over %d values "
		       "(%ld operations with a failed branch allocation, "
		       "%ld -ENOMEM)\n", bad ? "FAIL" : "ok", max_len, alpha,
		       enomem_ops, enomem_seen);
		enomem_ops = enomem_seen = 0;
		if (bad)
			return 1;
	}
	return 0;
}

/* ---- race ---- */

static struct key rk[NR_STABLE + 2 * NR_PAIRS];
static struct bpf_map *rmap;
static volatile int stop;
static unsigned long long lookups, misses, writer_ops, writer_errors;

static void *reader(void *arg)
{
	unsigned long i;

	for (i = 0; !stop; i++) {
		if (!qp_trie_lookup_elem(rmap, &rk[i % NR_STABLE]))
			misses++;
		lookups++;
	}
	return NULL;
}

static void *writer(void *arg)
{
	unsigned long i;
	u64 v = 1;

	for (i = 0; !stop; i++) {
		struct key *a = &rk[NR_STABLE + 2 * (i % NR_PAIRS)];

		writer_errors += !!qp_trie_delete_elem(rmap, a);
		writer_errors += !!qp_trie_update_elem(rmap, a + 1, &v, BPF_NOEXIST);
		writer_errors += !!qp_trie_delete_elem(rmap, a + 1);
		writer_errors += !!qp_trie_update_elem(rmap, a, &v, BPF_NOEXIST);
		writer_ops += 4;
	}
	return NULL;
}

static int run_race(int seconds, int skip, int delay)
{
	pthread_t r, w;
	u64 v = 0;
	int i;

	qp_skip_seq_check = skip;
	qp_race_delay_ns = delay;
	rmap = new_map(NR_STABLE + 2 * NR_PAIRS);
	if (!rmap)
		return 1;
	make_keys(rk, NR_STABLE + 2 * NR_PAIRS, 32, 256, 8);
	for (i = 0; i < NR_STABLE + 2 * NR_PAIRS; i++) {
		if (i < NR_STABLE || !((i - NR_STABLE) & 1))
			qp_trie_update_elem(rmap, &rk[i], &v, BPF_NOEXIST);
	}
	pthread_create(&r, NULL, reader, NULL);
	pthread_create(&w, NULL, writer, NULL);
	sleep(seconds);
	stop = 1;
	pthread_join(r, NULL);
	pthread_join(w, NULL);
	qp_trie_free(rmap);
	printf("race skip_seq_check=%d race_delay_ns=%d: lookups %llu "
	       "false_negatives %llu writer_ops %llu writer_errors %llu "
	       "restarts %llu fallbacks %llu\n", skip, delay, lookups, misses,
	       writer_ops, writer_errors, (unsigned long long)qp_restarts,
	       (unsigned long long)qp_fallbacks);
	return writer_errors || (!skip && misses);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "order")) {
		if (argc > 2)
			rng = strtoull(argv[2], NULL, 0) | 1;
		return run_order();
	}
	if (argc == 5 && !strcmp(argv[1], "race") && atoi(argv[2]) > 0)
		return run_race(atoi(argv[2]), !!atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: qp-trie-user order [SEED] | "
		"race SECONDS SKIP DELAY_NS\n");
	return 2;
}
