// SPDX-License-Identifier: GPL-2.0
/*
 * nmi_alloc: on every perf sample (an NMI for hardware cycles, a hard irq
 * for the software cpu-clock) allocate a hash-map element with a fresh key
 * and free it again; time the allocation.
 */
#include "kerrno.h"
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <bpf/bpf_helpers.h>
#include "nmi_alloc.h"

char _license[] SEC("license") = "GPL";

#define MAX_VALUE	4096


struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct nmi_stats));
	__uint(max_entries, 1);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, sizeof(__u64));
	__uint(value_size, 8);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} htab SEC(".maps");

unsigned char zeroed_value[MAX_VALUE];
const volatile __u32 hold = 0;	/* keep the element (no free) when set */

SEC("perf_event")
int nmi_alloc(struct bpf_perf_event_data *ctx)
{
	__u32 zero = 0;
	struct nmi_stats *s = bpf_map_lookup_elem(&stats, &zero);
	__u64 key, t0, dt;
	int err;

	if (!s)
		return 0;
	key = ((__u64)bpf_get_smp_processor_id() << 48) | s->seq++;
	t0 = bpf_ktime_get_ns();
	err = (int)bpf_map_update_elem(&htab, &key, zeroed_value, BPF_NOEXIST);
	dt = bpf_ktime_get_ns() - t0;
	switch (err) {
	case 0:
		s->ok++;
		s->hist[hist_bucket(dt) & (HIST_BUCKETS - 1)]++;
		if (dt > s->max_ns)
			s->max_ns = dt;
		if (!hold)
			bpf_map_delete_elem(&htab, &key);
		break;
	case -ENOMEM: s->enomem++; break;
	case -EBUSY: s->ebusy++; break;
	case -E2BIG: s->e2big++; break;
	default: s->other++; break;
	}
	return 0;
}
