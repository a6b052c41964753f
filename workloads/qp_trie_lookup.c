// SPDX-License-Identifier: GPL-2.0
/*
 * qp_trie_lookup: lookups of variable-length keys inside the kernel, in a
 * BPF_MAP_TYPE_QP_TRIE where the kernel has one (its number is read from
 * the kernel's BTF) or in a hash map over the same keys as the reference.
 * Optional writer threads delete and reinsert the odd-numbered keys; a
 * miss on an even-numbered key is a false negative.
 *
 * qp_trie_update: the update path (and its lock) on the same maps: each
 * thread overwrites its own stripe of the keys.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "workload.h"
#include "bpfutil.h"
#include "dataset.h"
#include "result.h"
#include "sysinfo.h"
#include "qp_trie.skel.h"

static const char *const datasets[] = { "random", "kallsyms", NULL };
static const char *const maps[] = { "qp_trie", "htab", NULL };

/* The keys and the map, the same for lookups and updates. */
#define KEY_PARAMS							\
	{ .name = "dataset", .type = PARAM_ENUM, .def = "random", .values = datasets, \
	  .sweep = true, .help = "random binary keys or /proc/kallsyms names" },	\
	{ .name = "map", .type = PARAM_ENUM, .def = "qp_trie", .values = maps,	\
	  .sweep = true, .help = "BPF_MAP_TYPE_QP_TRIE or the hash-map reference" }, \
	{ .name = "entries", .type = PARAM_INT, .def = "16384", .min = 2,	\
	  .max = 1 << 22, .help = "keys of the random dataset" },		\
	{ .name = "seed", .type = PARAM_INT, .def = "1", .min = 0,		\
	  .max = 1LL << 40, .help = "seed of the random dataset" }

static const struct param_spec qp_params[] = {
	KEY_PARAMS,
	{ .name = "writers", .type = PARAM_INT, .def = "0", .min = 0, .max = 64,
	  .help = "threads deleting and reinserting the odd keys" },
	{ .name = "lookups", .type = PARAM_INT, .def = "4096", .min = 1, .max = 1 << 20,
	  .help = "lookups per test run" },
	{ 0 },
};

struct qp {
	struct dataset ds;
	struct qp_trie_bpf *skel;
	pthread_t writers[64];
	int nr_writers;
	atomic_bool stop;
	struct workload_ctx *ctx;
};

static const struct param_spec qp_update_params[] = {
	KEY_PARAMS,
	{ .name = "updates", .type = PARAM_INT, .def = "1024", .min = 1, .max = 1 << 20,
	  .help = "updates per test run" },
	{ 0 },
};

static int qp_prepare(struct workload_ctx *ctx)
{
	struct qp *q = calloc(1, sizeof(*q));
	int err;

	if (!q)
		return -ENOMEM;
	ctx->priv = q;
	q->ctx = ctx;
	if (!strcmp(point_str(ctx->pt, "dataset"), "random"))
		err = dataset_random(&q->ds, (size_t)point_int(ctx->pt, "entries"),
				     (uint64_t)point_int(ctx->pt, "seed"));
	else
		err = dataset_kallsyms(&q->ds, "/proc/kallsyms");
	if (err)
		snprintf(ctx->reason, REASON_LEN, "dataset %s: %s",
			 point_str(ctx->pt, "dataset"), strerror(-err));
	return err;
}

static int trie_type(struct workload_ctx *ctx, enum bpf_map_type *type)
{
	char rel[128];
	long long v;

	if (!strcmp(point_str(ctx->pt, "map"), "htab")) {
		*type = BPF_MAP_TYPE_HASH;
		return 0;
	}
	if (btf_enum_value("bpf_map_type", "BPF_MAP_TYPE_QP_TRIE", &v)) {
		sys_kernel_release(rel, sizeof(rel));
		snprintf(ctx->reason, REASON_LEN,
			 "kernel %s has no BPF_MAP_TYPE_QP_TRIE (not in its BTF)", rel);
		return -EOPNOTSUPP;
	}
	*type = (enum bpf_map_type)v;
	return 0;
}

static int fill(int fd, const struct dataset *ds, bool index_keys)
{
	uint64_t one = 1;

	for (uint32_t i = 0; i < ds->nr; i++) {
		const void *k = dataset_key(ds, i);

		if (index_keys ? bpf_map_update_elem(fd, &i, k, BPF_ANY) :
				 bpf_map_update_elem(fd, k, &one, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

static int qp_setup(struct workload_ctx *ctx)
{
	struct qp *q = ctx->priv;
	enum bpf_map_type type;
	int err = trie_type(ctx, &type);

	if (err)
		return err;
	q->skel = qp_trie_bpf__open();
	if (!q->skel)
		return -ENOMEM;
	bpf_map__set_value_size(q->skel->maps.keys, (__u32)q->ds.key_size);
	bpf_map__set_max_entries(q->skel->maps.keys, (__u32)q->ds.nr);
	bpf_map__set_type(q->skel->maps.trie, type);
	bpf_map__set_key_size(q->skel->maps.trie, (__u32)q->ds.key_size);
	bpf_map__set_max_entries(q->skel->maps.trie, (__u32)q->ds.nr);
	err = qp_trie_bpf__load(q->skel);
	if (err) {
		bpfutil_load_error(err, "load qp_trie_lookup", ctx->reason, REASON_LEN);
		return bpfutil_load_status(err);
	}
	err = fill(bpf_map__fd(q->skel->maps.keys), &q->ds, true);
	if (err)
		return err;
	workload_mem_rebase(ctx);	/* the key array is not the map's memory */
	err = fill(bpf_map__fd(q->skel->maps.trie), &q->ds, false);
	if (err)
		snprintf(ctx->reason, REASON_LEN, "insert %zu keys: %s", q->ds.nr,
			 strerror(-err));
	return err;
}

struct writer_arg {
	struct qp *q;
	int k;
};

static void *writer_main(void *p)
{
	struct writer_arg *wa = p;
	struct qp *q = wa->q;
	int nw = q->nr_writers, slot = q->ctx->pt->threads + wa->k;
	uint64_t args[6] = { (uint64_t)slot, q->ds.nr, 256, 2 * (uint64_t)wa->k + 1,
			     2 * (uint64_t)nw, QP_REINSERT };
	uint32_t ret;

	while (!atomic_load_explicit(&q->stop, memory_order_relaxed))
		if (bpf_run_raw_tp(bpf_program__fd(q->skel->progs.write), args, 6, &ret))
			break;
	free(wa);
	return NULL;
}

/* Writers start with the readers and run on the CPUs after theirs. */
static int start_writers(struct qp *q)
{
	int want = (int)point_int(q->ctx->pt, "writers");
	int cpus[MAX_THREADS], n = sys_allowed_cpus(cpus, MAX_THREADS);

	for (int k = 0; k < want; k++) {
		struct writer_arg *wa = malloc(sizeof(*wa));
		pthread_attr_t attr;
		cpu_set_t set;

		if (!wa)
			return -ENOMEM;
		wa->q = q;
		wa->k = k;
		CPU_ZERO(&set);
		CPU_SET(cpus[(q->ctx->pt->threads + k) % (n > 0 ? n : 1)], &set);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (pthread_create(&q->writers[k], &attr, writer_main, wa)) {
			free(wa);
			pthread_attr_destroy(&attr);
			return -EAGAIN;
		}
		pthread_attr_destroy(&attr);
		q->nr_writers = k + 1;
	}
	return 0;
}

static long qp_batch(struct workload_ctx *ctx, int tid)
{
	struct qp *q = ctx->priv;
	uint64_t args[4] = { (uint64_t)tid, q->ds.nr, (uint64_t)point_int(ctx->pt, "lookups"),
			     (uint64_t)point_int(ctx->pt, "writers") };
	uint32_t ret;
	int err;

	/* the first reader starts the writers, once the map is full */
	if (tid == 0 && q->nr_writers == 0 && point_int(ctx->pt, "writers")) {
		err = start_writers(q);
		if (err)
			return err;
	}
	err = bpf_run_raw_tp(bpf_program__fd(q->skel->progs.lookup), args, 4, &ret);
	return err ? err : (long)ret;
}

static void qp_report(struct workload_ctx *ctx, struct result *res)
{
	struct qp *q = ctx->priv;
	int slots = ctx->pt->threads + q->nr_writers;

	for (int t = 0; t < slots && t < QP_MAX_TID; t++) {
		const struct qp_counters *c = &q->skel->bss->counters[t];

		result_add_counter(res, "lookups", (long long)c->lookups);
		result_add_counter(res, "hits", (long long)c->hits);
		result_add_counter(res, "drops", (long long)c->drops);
		result_add_counter(res, "false_negatives",
				   (long long)c->false_negatives);
		result_add_counter(res, "writer_ops", (long long)c->writer_ops);
		result_add_counter(res, "updates", (long long)c->updates);
		if (c->update_errors)
			result_add_failure(res, "update", (long long)c->update_errors);
	}
	result_add_counter(res, "keys", (long long)q->ds.nr);
	result_add_counter(res, "key_size", (long long)q->ds.key_size);
}

static void qp_teardown(struct workload_ctx *ctx)
{
	struct qp *q = ctx->priv;

	if (!q)
		return;
	atomic_store(&q->stop, true);
	for (int k = 0; k < q->nr_writers; k++)
		pthread_join(q->writers[k], NULL);
	qp_trie_bpf__destroy(q->skel);
	dataset_free(&q->ds);
	free(q);
}

const struct workload workload_qp_trie_lookup = {
	.name = "qp_trie_lookup",
	.desc = "variable-length key lookups in a qp-trie (hash map as reference)",
	.params = qp_params,
	.prepare = qp_prepare,
	.setup = qp_setup,
	.run_batch = qp_batch,
	.report = qp_report,
	.teardown = qp_teardown,
};

static long qp_update_batch(struct workload_ctx *ctx, int tid)
{
	struct qp *q = ctx->priv;
	uint64_t args[6] = { (uint64_t)tid, q->ds.nr, (uint64_t)point_int(ctx->pt, "updates"),
			     (uint64_t)tid, (uint64_t)ctx->pt->threads, QP_OVERWRITE };
	uint32_t ret;
	int err = bpf_run_raw_tp(bpf_program__fd(q->skel->progs.write), args, 6, &ret);

	return err ? err : (long)ret;
}

const struct workload workload_qp_trie_update = {
	.name = "qp_trie_update",
	.desc = "overwrites of existing variable-length keys (the update path and its lock)",
	.params = qp_update_params,
	.prepare = qp_prepare,
	.setup = qp_setup,
	.run_batch = qp_update_batch,
	.report = qp_report,
	.teardown = qp_teardown,
};
