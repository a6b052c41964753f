# build/allocbench: the harness (harness/), the workloads (workloads/) and
# their BPF programs (workloads/progs/), linked statically so that the same
# binary runs in every initramfs. A new workloads/NAME.c or
# workloads/progs/NAME.bpf.c is picked up without an edit here.

HARNESS_SRCS := $(filter-out harness/main.c,$(wildcard harness/*.c))
WL_SRCS      := $(wildcard workloads/*.c)
WL_PROGS     := $(patsubst workloads/progs/%.bpf.c,%,$(wildcard workloads/progs/*.bpf.c))
HARNESS_PROGS := $(patsubst harness/progs/%.bpf.c,%,$(wildcard harness/progs/*.bpf.c))
HARNESS_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(HARNESS_SRCS))
WL_OBJS      := $(patsubst %.c,$(BUILD)/obj/%.o,$(WL_SRCS))
# what a test or the microbench links: everything but main()
LIB_OBJS     := $(HARNESS_OBJS) $(WL_OBJS)
WL_SKELS     := $(addprefix $(BUILD)/skel/,$(addsuffix .skel.h,$(WL_PROGS) $(HARNESS_PROGS)))
BPF_CFLAGS   := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Iworkloads/progs -Iharness \
                -I/usr/include/$(shell uname -m)-linux-gnu -Wall -Wno-unused-function

$(BUILD)/obj/%.bpf.o: workloads/progs/%.bpf.c $(wildcard workloads/progs/*.h) harness/hist.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.bpf.o: harness/progs/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/skel/%.skel.h: $(BUILD)/obj/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/harness/%.o: harness/%.c $(WL_SKELS) $(wildcard harness/*.h) workloads/workload.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/workloads/%.o: workloads/%.c $(WL_SKELS) $(wildcard harness/*.h workloads/*.h workloads/progs/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/allocbench: $(BUILD)/obj/harness/main.o $(LIB_OBJS)
	$(CC) $(LDSTATIC) -o $@ $^ $(LDLIBS)

# build/microbench: Google Benchmark (C++) over a C shim of the harness:
# test-run cost against the in-kernel loop count, summary and record cost.
$(BUILD)/obj/harness/microbench/shim.o: harness/microbench/shim.c $(wildcard harness/*.h) workloads/workload.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/microbench: harness/microbench/main.cc $(BUILD)/obj/harness/microbench/shim.o $(LIB_OBJS)
	$(CXX) -O2 -Iharness -o $@ $^ -lbenchmark -lpthread \
		-lbpf -lelf -lz -ljansson -lgsl -lgslcblas -lm

.PHONY: microbench
microbench: $(BUILD)/microbench
	$(BUILD)/microbench --benchmark_out=$(BUILD)/microbench.json \
		--benchmark_out_format=json
