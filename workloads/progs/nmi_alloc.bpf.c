// SPDX-License-Identifier: GPL-2.0
/*
 * nmi_alloc: allocate hash-map elements (update with fresh keys) where an
 * interrupt arrives, time each attempt and count it by the context the
 * program observes in preempt_count:
 *   nmi_alloc_perf  a perf_event sample: hardware cycles arrive as NMIs
 *                   where a PMU exists, the software cpu-clock from a
 *                   hrtimer (hard irq)
 *   nmi_alloc_nmi   the nmi:nmi_handler tracepoint, which x86's NMI entry
 *                   (nmi_handle()) fires for each handler it calls on every
 *                   NMI, injected ones included (the VM runner injects them
 *                   through QEMU's QMP inject-nmi)
 * Patterns: same (free in the same interrupt), hold (keep up to `hold`;
 * a task on another CPU deletes them), burst (`burst` at once; a task
 * deletes them later).
 * Both programs are always loaded: a kernel whose verifier refuses a
 * non-preallocated hash map to perf_event programs (kmalloc-rcu) refuses
 * the point, NMI path included.
 */
#include "kerrno.h"
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>
#include "nmi_alloc.h"

char _license[] SEC("license") = "GPL";

#define MAX_VALUE	4096

/* include/linux/preempt.h (6.1 to 6.18): 8 preempt, 8 softirq, 4 hardirq, 4 NMI bits */
#define SOFTIRQ_MASK	0x0000ff00U
#define HARDIRQ_MASK	0x000f0000U
#define NMI_MASK	0x00f00000U

/*
 * x86's per-CPU preempt count (asm/preempt.h): __preempt_count up to 6.1
 * and again from 6.15, pcpu_hot.preempt_count in between.
 */
extern int __preempt_count __ksym __weak;

struct pcpu_hot {
	int preempt_count;
} __attribute__((preserve_access_index));

extern struct pcpu_hot pcpu_hot __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct nmi_stats));
	__uint(max_entries, 2);	/* 0: the warm-up and total_ok, 1: the window */
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, sizeof(__u64));
	__uint(value_size, 8);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} htab SEC(".maps");

unsigned char zeroed_value[MAX_VALUE];
const volatile __u32 pattern = NMI_PATTERN_SAME;
const volatile __u32 hold = 0;		/* pattern=hold: elements kept at most */
const volatile __u32 burst = 1;		/* pattern=burst: elements per interrupt */
const volatile __s32 deleter_cpu = -1;	/* the deleting task's CPU: no allocation there */
__u32 window;				/* user space: 1 once the warm-up is over */
__u32 counting = 1;			/* user space: 0 once the window is over */
__u64 held;				/* elements inserted and not yet deleted */

/*
 * Where the kernel exports no per-CPU symbols (no KALLSYMS_ALL: the verifier
 * cannot resolve __preempt_count), the context is observed from x86's
 * local APIC timer interrupt: its entry and exit tracepoints keep a per-CPU
 * depth; a run inside it is in hard irq (the cpu-clock hrtimer fires
 * there), a run outside it is counted as unknown.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__s64));
	__uint(max_entries, 1);
} timer_depth SEC(".maps");

static __always_inline int timer_ctx(void)
{
	__u32 zero = 0;
	__s64 *d = bpf_map_lookup_elem(&timer_depth, &zero);

	return d && *d > 0 ? NMI_CTX_HARDIRQ : NMI_CTX_UNKNOWN;
}

static __always_inline int timer_step(__s64 by)
{
	__u32 zero = 0;
	__s64 *d = bpf_map_lookup_elem(&timer_depth, &zero);

	if (d)
		*d += by;
	return 0;
}

SEC("raw_tp/local_timer_entry")
int nmi_alloc_timer_entry(void *ctx)
{
	return timer_step(1);
}

SEC("raw_tp/local_timer_exit")
int nmi_alloc_timer_exit(void *ctx)
{
	return timer_step(-1);
}

/* from_timer is a constant: that program has no __preempt_count in it */
static __always_inline int observed_ctx(int from_timer)
{
	int *pc;
	__u32 c;

	if (from_timer)
		return timer_ctx();
	if (&__preempt_count) {
		pc = bpf_this_cpu_ptr(&__preempt_count);
		c = (__u32)*pc;
	} else if (&pcpu_hot) {
		c = (__u32)((struct pcpu_hot *)bpf_this_cpu_ptr(&pcpu_hot))->preempt_count;
	} else {
		return NMI_CTX_UNKNOWN;
	}

	if (c & NMI_MASK)
		return NMI_CTX_NMI;
	if (c & HARDIRQ_MASK)
		return NMI_CTX_HARDIRQ;
	if (c & SOFTIRQ_MASK)
		return NMI_CTX_SOFTIRQ;
	return NMI_CTX_TASK;
}

static __always_inline int outcome_of(int err)
{
	switch (err) {
	case 0: return NMI_OK;
	case -ENOMEM: return NMI_ENOMEM;
	case -EBUSY: return NMI_EBUSY;
	case -E2BIG: return NMI_E2BIG;
	default: return NMI_OTHER;
	}
}

/* One attempt: update with a fresh key; 1 when the element stays. */
static __always_inline int attempt(struct nmi_stats *s0, struct nmi_stats *s, __u32 cpu)
{
	__u64 key = ((__u64)cpu << 48) | s0->seq++, t0, dt;
	int err, o;

	t0 = bpf_ktime_get_ns();
	err = (int)bpf_map_update_elem(&htab, &key, zeroed_value, BPF_NOEXIST);
	dt = bpf_ktime_get_ns() - t0;
	s0->done = s0->seq;
	o = outcome_of(err) & 7;
	if (o >= NMI_OUTCOMES)
		o = NMI_OTHER;
	s->attempts++;
	s->outcome[o]++;
	s->hist[o][hist_bucket(dt) & (HIST_BUCKETS - 1)]++;
	if (dt > s->max_ns[o])
		s->max_ns[o] = dt;
	if (err)
		return 0;
	s0->total_ok++;
	if (pattern == NMI_PATTERN_SAME) {
		bpf_map_delete_elem(&htab, &key);
		return 0;
	}
	__sync_fetch_and_add(&held, 1);
	return 1;
}

struct burst_ctx {
	__u32 cpu, slot;
};

/* bpf_loop's body: one attempt of a burst (verified once, not per step) */
static int burst_one(__u32 i, void *data)
{
	struct burst_ctx *b = data;
	__u32 zero = 0, slot = b->slot;
	struct nmi_stats *s0 = bpf_map_lookup_elem(&stats, &zero);
	struct nmi_stats *s = bpf_map_lookup_elem(&stats, &slot);

	if (!s0 || !s)
		return 1;
	attempt(s0, s, b->cpu);
	return 0;
}

static __always_inline int on_interrupt(int from_timer)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();
	int count = counting && window;
	__u32 slot = count ? 1 : 0;
	struct nmi_stats *s0 = bpf_map_lookup_elem(&stats, &zero);
	struct nmi_stats *s = bpf_map_lookup_elem(&stats, &slot);
	int c;

	if (!s0 || !s)
		return 0;
	if (!counting)
		return 0;
	c = observed_ctx(from_timer);
	if (c < 0 || c >= NMI_CTXS)
		c = NMI_CTX_UNKNOWN;
	s->events++;
	s->ctx[c]++;
	if ((__s32)cpu == deleter_cpu) {
		s->skipped_cpu++;
		return 0;
	}
	switch (pattern) {
	case NMI_PATTERN_HOLD:
		if (held >= hold) {
			s->full++;
			return 0;
		}
		attempt(s0, s, cpu);
		break;
	case NMI_PATTERN_BURST: {
		struct burst_ctx b = { .cpu = cpu, .slot = slot };

		bpf_loop(burst < NMI_MAX_BURST ? burst : NMI_MAX_BURST, burst_one, &b, 0);
		break;
	}
	default:
		attempt(s0, s, cpu);
		break;
	}
	return 0;
}

SEC("perf_event")
int nmi_alloc_perf(struct bpf_perf_event_data *ctx)
{
	return on_interrupt(0);
}

SEC("perf_event")
int nmi_alloc_perf_timer(struct bpf_perf_event_data *ctx)
{
	return on_interrupt(1);
}

SEC("raw_tp/nmi_handler")
int nmi_alloc_nmi(void *ctx)
{
	return on_interrupt(0);
}
