# build/allocbench: the harness, the workloads and their BPF programs,
# linked statically so that the same binary runs in every initramfs.

WL_SRCS   := main.c cli.c registry.c harness.c stats.c record.c memstat.c \
             sysinfo.c store.c plan.c bpfutil.c dataset.c kstats.c pressure.c \
             wl_null.c wl_htab_churn.c wl_qp_trie_lookup.c wl_nmi_alloc.c
WL_PROGS  := null htab_churn qp_trie nmi_alloc
WL_OBJS   := $(addprefix $(BUILD)/obj/,$(WL_SRCS:.c=.o))
WL_SKELS  := $(addprefix $(BUILD)/skel/,$(addsuffix .skel.h,$(WL_PROGS)))
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Iworkloads/progs \
              -I/usr/include/$(shell uname -m)-linux-gnu -Wall -Wno-unused-function

$(BUILD)/obj/%.bpf.o: workloads/progs/%.bpf.c $(wildcard workloads/progs/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/skel/%.skel.h: $(BUILD)/obj/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: workloads/%.c $(WL_SKELS) $(wildcard workloads/*.h workloads/progs/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/allocbench: $(WL_OBJS)
	$(CC) $(LDSTATIC) -o $@ $^ $(LDLIBS)

# build/microbench: Google Benchmark (C++) over a C shim of the harness:
# test-run cost against the in-kernel loop count, summary and record cost.
MB_OBJS := $(BUILD)/obj/microbench/shim.o $(filter-out $(BUILD)/obj/main.o,$(WL_OBJS))

$(BUILD)/obj/microbench/shim.o: workloads/microbench/shim.c $(WL_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/microbench: workloads/microbench/main.cc $(MB_OBJS)
	$(CXX) -O2 -Iworkloads -o $@ $^ -lbenchmark -lpthread \
		-lbpf -lelf -lz -ljansson -lgsl -lgslcblas -lm

.PHONY: microbench
microbench: $(BUILD)/microbench
	$(BUILD)/microbench --benchmark_out=$(BUILD)/microbench.json \
		--benchmark_out_format=json
