// SPDX-License-Identifier: GPL-2.0
/*
 * qp_trie_lookup: lookups of variable-length keys inside the kernel, in a
 * BPF_MAP_TYPE_QP_TRIE where the kernel has one (its number is read from
 * the kernel's BTF) or in a hash map over the same keys as the reference.
 * The keys are shuffled with the seed, and key i holds the value i: a
 * lookup that returns another key's value is counted as wrong_value.
 * Optional writer threads delete and reinsert the odd-numbered keys, each
 * on a CPU of its own (writer_cpu=own) unless asked to share; a miss on
 * an even-numbered key is a false negative. Ops are the lookups with a
 * right answer; a false negative or a wrong value fails the point.
 *
 * qp_trie_update: the update path (and its lock) on the same maps: each
 * thread overwrites its own stripe of the keys (mode=overwrite), or, as
 * the 2022 series' benchmark does, updates its chunk of keys and then
 * deletes it (mode=update_delete). Ops are the updates and deletes that
 * succeeded.
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
static const char *const writer_cpus[] = { "own", "shared", NULL };
static const char *const update_modes[] = { "overwrite", "update_delete", NULL };
static const char *const selfchecks[] = { "none", "wrong_value", NULL };

/* The keys and the map, the same for lookups and updates. */
#define KEY_PARAMS							\
	{ .name = "dataset", .type = PARAM_ENUM, .def = "random", .values = datasets, \
	  .sweep = true, .help = "random binary keys or /proc/kallsyms names" },	\
	{ .name = "map", .type = PARAM_ENUM, .def = "qp_trie", .values = maps,	\
	  .sweep = true, .help = "BPF_MAP_TYPE_QP_TRIE or the hash-map reference" }, \
	{ .name = "entries", .type = PARAM_INT, .def = "16384", .min = 2,	\
	  .max = 1 << 22, .help = "keys of the random dataset" },		\
	{ .name = "seed", .type = PARAM_INT, .def = "1", .min = 0,		\
	  .max = 1LL << 40, .help = "seed of the random keys and of the key order" }

static const struct param_spec qp_params[] = {
	KEY_PARAMS,
	{ .name = "writers", .type = PARAM_INT, .def = "0", .min = 0, .max = 64,
	  .help = "threads deleting and reinserting the odd keys" },
	{ .name = "lookups", .type = PARAM_INT, .def = "4096", .min = 1, .max = 1 << 20,
	  .help = "lookups per test run" },
	{ .name = "writer_cpu", .type = PARAM_ENUM, .def = "own", .values = writer_cpus,
	  .help = "writers on CPUs no reader uses, or shared with readers" },
	{ .name = "selfcheck", .type = PARAM_ENUM, .def = "none", .values = selfchecks,
	  .help = "wrong_value: give key 0 key 1's value, to show the value check fails" },
	{ 0 },
};

struct qp {
	struct dataset ds;
	struct qp_trie_bpf *skel;
	pthread_t writers[64];
	int nr_writers;
	atomic_bool stop;
	struct workload_ctx *ctx;
	struct qp_counters base[QP_MAX_TID];	/* at the end of the warm-up */
};

static const struct param_spec qp_update_params[] = {
	KEY_PARAMS,
	{ .name = "updates", .type = PARAM_INT, .def = "1024", .min = 1, .max = 1 << 20,
	  .help = "mode=overwrite: updates per test run" },
	{ .name = "mode", .type = PARAM_ENUM, .def = "overwrite", .values = update_modes,
	  .help = "overwrite a stripe, or update a chunk then delete it (keys / threads)" },
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
		err = dataset_kallsyms(&q->ds, "/proc/kallsyms",
				       (uint64_t)point_int(ctx->pt, "seed"));
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

/* The key array (index -> key), or the map under test (key -> index). */
static int fill(int fd, const struct dataset *ds, bool index_keys)
{
	for (uint32_t i = 0; i < ds->nr; i++) {
		const void *k = dataset_key(ds, i);
		uint64_t value = i;

		if (index_keys ? bpf_map_update_elem(fd, &i, k, BPF_ANY) :
				 bpf_map_update_elem(fd, k, &value, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

/*
 * Writers start with the readers and run on the CPUs after theirs: with
 * writer_cpu=own, a point that has fewer CPUs than readers + writers is
 * unsupported here rather than measured with a writer preempting a reader.
 */
static int check_writer_cpus(struct workload_ctx *ctx)
{
	int cpus[MAX_THREADS], n = sys_allowed_cpus(cpus, MAX_THREADS);
	int need = ctx->pt->threads + (int)point_int(ctx->pt, "writers");

	if (!point_int(ctx->pt, "writers") || strcmp(point_str(ctx->pt, "writer_cpu"), "own") ||
	    need <= n)
		return 0;
	snprintf(ctx->reason, REASON_LEN, "%d readers + %lld writers need %d CPUs of their "
		 "own, this machine lets us use %d (writer_cpu=shared to share)",
		 ctx->pt->threads, point_int(ctx->pt, "writers"), need, n);
	return -EOPNOTSUPP;
}

static int qp_setup(struct workload_ctx *ctx)
{
	struct qp *q = ctx->priv;
	enum bpf_map_type type;
	int err = trie_type(ctx, &type);

	if (!err && point_param(ctx->pt, "writers"))
		err = check_writer_cpus(ctx);
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
	if (!err && !strcmp(point_str(ctx->pt, "selfcheck"), "wrong_value")) {
		uint64_t wrong = 1;	/* key 0 now answers with key 1's value */

		if (bpf_map_update_elem(bpf_map__fd(q->skel->maps.trie), dataset_key(&q->ds, 0),
					&wrong, BPF_EXIST))
			err = -errno;
	}
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

static void qp_measure_start(struct workload_ctx *ctx)
{
	struct qp *q = ctx->priv;

	memcpy(q->base, q->skel->bss->counters, sizeof(q->base));
}

static void qp_report(struct workload_ctx *ctx, struct result *res)
{
	struct qp *q = ctx->priv;
	int slots = ctx->pt->threads + q->nr_writers;

	for (int t = 0; t < slots && t < QP_MAX_TID; t++) {
		const struct qp_counters *c = &q->skel->bss->counters[t], *b = &q->base[t];

		result_add_counter(res, "lookups", (long long)(c->lookups - b->lookups));
		result_add_counter(res, "hits", (long long)(c->hits - b->hits));
		result_add_counter(res, "drops", (long long)(c->drops - b->drops));
		result_add_counter(res, "false_negatives",
				   (long long)(c->false_negatives - b->false_negatives));
		result_add_counter(res, "wrong_value", (long long)(c->wrong_value - b->wrong_value));
		result_add_counter(res, "writer_ops", (long long)(c->writer_ops - b->writer_ops));
		result_add_counter(res, "updates", (long long)(c->updates - b->updates));
		result_add_counter(res, "deletes", (long long)(c->deletes - b->deletes));
		if (t < ctx->pt->threads)	/* the readers' or updaters' own attempts */
			result_add_counter(res, "attempts", (long long)(c->attempts - b->attempts +
					   c->lookups - b->lookups));
		if (c->false_negatives - b->false_negatives)
			result_add_failure(res, "false_negative",
					   (long long)(c->false_negatives - b->false_negatives));
		if (c->wrong_value - b->wrong_value)
			result_add_failure(res, "wrong_value",
					   (long long)(c->wrong_value - b->wrong_value));
		if (c->update_errors - b->update_errors)
			result_add_failure(res, "update", (long long)(c->update_errors -
								   b->update_errors));
		if (c->delete_errors - b->delete_errors)
			result_add_failure(res, "delete", (long long)(c->delete_errors -
								   b->delete_errors));
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
	.measure_start = qp_measure_start,
	.report = qp_report,
	.teardown = qp_teardown,
	.max_failure_rate = 1e-12,	/* any false negative or wrong value */
};

static long qp_update_batch(struct workload_ctx *ctx, int tid)
{
	struct qp *q = ctx->priv;
	int threads = ctx->pt->threads;
	bool chunks = !strcmp(point_str(ctx->pt, "mode"), "update_delete");
	uint64_t chunk = q->ds.nr / (uint64_t)threads;
	uint64_t args[6] = {
		(uint64_t)tid, q->ds.nr,
		chunks ? chunk : (uint64_t)point_int(ctx->pt, "updates"),
		chunks ? (uint64_t)tid * chunk : (uint64_t)tid,
		chunks ? 1 : (uint64_t)threads,
		chunks ? QP_UPDATE_DELETE : QP_OVERWRITE,
	};
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
	.measure_start = qp_measure_start,
	.report = qp_report,
	.teardown = qp_teardown,
	.max_failure_rate = 0.001,
};
