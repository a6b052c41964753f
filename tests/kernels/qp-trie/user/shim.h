/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel to compile kernel/bpf/qp_trie.c in user space:
 * barriers map to GCC builtins (full fences), per-CPU data to thread-local
 * or plain variables, spinlocks to a test-and-set lock, and bpf_mem_alloc
 * to an allocator with bpf_mem_alloc's property that matters here: a freed
 * node is handed out again at once (LIFO per size class) and its memory
 * never goes back to the system, so lockless readers can look at reused
 * nodes but never at unmapped memory.
 */
#ifndef QP_USER_SHIM_H
#define QP_USER_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#define uint unsigned int
#define U32_MAX UINT32_MAX

#define __rcu
#define __percpu
#define __init
#define ____cacheline_aligned_in_smp __attribute__((aligned(64)))
#define unlikely(x) (x)
#define likely(x) (x)
#define in_nmi() 0
#define bpf_capable() 1
#define WARN_ON_ONCE(c) ({ bool __c = (c); \
	(void)(__c && fprintf(stderr, "WARNING: %s:%d\n", __FILE__, __LINE__)); \
	__c; })
#define BIT(n) (1u << (n))
#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define smp_wmb() __sync_synchronize()
#define smp_rmb() __sync_synchronize()
#define smp_load_acquire(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v) ((p) = (v))
#define rcu_dereference_raw(p) READ_ONCE(p)
#define rcu_access_pointer(p) READ_ONCE(p)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define round_up(x, y) ((((x) + (y) - 1) / (y)) * (y))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define hweight32(x) __builtin_popcount(x)
#define struct_size(p, m, n) (sizeof(*(p)) + sizeof((p)->m[0]) * (n))
#define cpu_relax() do { } while (0)
#define IS_ENABLED(x) 0
#define ERR_PTR(e) ((void *)(long)(e))

static inline void ndelay(unsigned int ns)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec <
	       (long)ns);
}

typedef struct { int l; } raw_spinlock_t;
#define raw_spin_lock_init(lk) ((lk)->l = 0)
#define raw_spin_lock_irqsave(lk, f) do { (void)(f); \
	while (__atomic_exchange_n(&(lk)->l, 1, __ATOMIC_ACQUIRE)) ; } while (0)
#define raw_spin_unlock_irqrestore(lk, f) \
	__atomic_store_n(&(lk)->l, 0, __ATOMIC_RELEASE)
#define preempt_disable() do { } while (0)
#define preempt_enable() do { } while (0)
#define migrate_disable() do { } while (0)
#define migrate_enable() do { } while (0)
#define cond_resched() do { } while (0)
static __thread int qp_user_busy;	/* each thread is one "CPU" */
#define __this_cpu_inc_return(x) (++qp_user_busy)
#define __this_cpu_dec(x) (--qp_user_busy)
#define this_cpu_inc(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)
#define DEFINE_PER_CPU(t, n) t n
#define MODULE_PARAM_PREFIX ""
#define module_param_named(a, b, c, d)
#define MODULE_PARM_DESC(a, b)
#define BTF_ID_LIST_SINGLE(a, b, c) static u32 a[1];

typedef struct { int counter; } atomic_t;
static inline int atomic_inc_return(atomic_t *a)
{
	return __atomic_add_fetch(&a->counter, 1, __ATOMIC_SEQ_CST);
}
static inline void atomic_dec(atomic_t *a)
{
	__atomic_sub_fetch(&a->counter, 1, __ATOMIC_SEQ_CST);
}
static inline void atomic_set(atomic_t *a, int v) { a->counter = v; }

struct llist_node { void *next; };

/* Immediate reuse, type-stable memory (one writer thread at a time). */
struct bpf_mem_alloc { long live; char *free[16]; };

static inline int qp_user_class(size_t sz)
{
	int c = 0;

	while (((size_t)16 << c) < sz)
		c++;
	return c;
}

static inline void *bpf_mem_alloc(struct bpf_mem_alloc *ma, size_t sz)
{
	int c = qp_user_class(sz);
	char *p = ma->free[c];

	ma->live++;
	if (p) {
		ma->free[c] = *(char **)(p + 8);
		return p + 16;
	}
	p = malloc(16 + ((size_t)16 << c));
	if (!p)
		return NULL;
	memset(p, 0x5a, 16 + ((size_t)16 << c));
	*(long *)p = c;
	return p + 16;
}

static inline void bpf_mem_free(struct bpf_mem_alloc *ma, void *q)
{
	char *p = (char *)q - 16;
	int c = *(long *)p;

	ma->live--;
	*(char **)(p + 8) = ma->free[c];
	ma->free[c] = p;
}

static inline int bpf_mem_alloc_init(struct bpf_mem_alloc *ma, int s, bool pc)
{
	memset(ma, 0, sizeof(*ma));
	return 0;
}

static inline void bpf_mem_alloc_destroy(struct bpf_mem_alloc *ma)
{
	int c;

	if (ma->live)
		printf("FAIL: %ld nodes not freed by map_free\n", ma->live);
	for (c = 0; c < 16; c++) {
		while (ma->free[c]) {
			char *p = ma->free[c];

			ma->free[c] = *(char **)(p + 8);
			free(p);
		}
	}
}

#define BPF_ANY 0
#define BPF_NOEXIST 1
#define BPF_EXIST 2
#define BPF_F_NO_PREALLOC 1
#define BPF_F_NUMA_NODE 4
#define BPF_F_ACCESS_MASK 0
struct bpf_map { u32 key_size, value_size, max_entries, map_flags; };
union bpf_attr {
	struct { u32 map_type, key_size, value_size, max_entries, map_flags; };
};
struct btf;
struct btf_type;
static inline bool bpf_map_flags_access_ok(u32 f) { return true; }
static inline void *bpf_map_area_alloc(size_t s, int n)
{
	void *p = NULL;

	return posix_memalign(&p, 64, s) ? NULL : memset(p, 0, s);
}
static inline void bpf_map_area_free(void *p) { free(p); }
static inline int bpf_map_attr_numa_node(union bpf_attr *a) { return 0; }
static inline void bpf_map_init_from_attr(struct bpf_map *m, union bpf_attr *a)
{
	m->key_size = a->key_size;
	m->value_size = a->value_size;
	m->max_entries = a->max_entries;
	m->map_flags = a->map_flags;
}
static inline void *__alloc_percpu_gfp(size_t s, size_t a, int g)
{
	return calloc(1, s);
}
static inline void free_percpu(void *p) { free(p); }
#define GFP_USER 0
#define __GFP_NOWARN 0

/* The ops table and the debugfs files compile to nothing useful. */
struct bpf_map_ops {
	void *map_meta_equal, *map_alloc_check, *map_alloc, *map_free,
	     *map_lookup_elem, *map_lookup_elem_sys_only, *map_update_elem,
	     *map_delete_elem, *map_get_next_key, *map_check_btf, *map_btf_id;
};
#define bpf_map_meta_equal NULL
struct dentry;
struct file_operations { int unused; };
#define DEFINE_DEBUGFS_ATTRIBUTE(fops, get, set, fmt) \
	static const struct file_operations fops = { (get) != NULL }
#define debugfs_create_dir(name, parent) ((struct dentry *)NULL)
#define debugfs_create_bool(name, mode, dir, v) ((void)(dir), (void)(v))
#define debugfs_create_u32(name, mode, dir, v) ((void)(dir), (void)(v))
#define debugfs_create_file(name, mode, dir, data, fops) ((void)(dir), (void)(data))
#define late_initcall(fn) \
	static int (*qp_user_initcall)(void) __attribute__((unused)) = fn
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#define per_cpu_ptr(p, cpu) (p)

#endif
