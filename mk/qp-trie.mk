# qp-trie map selftest (kernels/patches/qp-trie, tests/kernels/qp-trie).
#
#   make build/qp-trie-selftest
#       the in-guest selftest, a static binary with its BPF program.
#   make test-qp-trie [QP_TRIE_VARIANTS="qp-trie qp-trie-subtree-lock"]
#                     [QP_TRIE_STRESS=5] [QP_TRIE_ARGS="--race-delay-ns 1000"]
#                     [QP_TRIE_ACCEL=tcg|kvm]
#       boots each variant's build/kernels/<variant>/bzImage (build them
#       first: make kernels VARIANTS="qp-trie qp-trie-subtree-lock") with
#       the selftest as its only job; console logs in build/tests/qp-trie/.
#       On qp-trie the selftest must also see false negatives once the
#       sequence check is off (--expect-skip-fn); the subtree-lock variant
#       takes the lock in lookup, so it must see none in any phase.
# Not part of `make test`: it needs built kernels (KERNEL_TESTS lists it).
#   make test-qp-trie-user   (part of `make test`)
#       kernel/bpf/qp_trie.c, taken from the patch series, compiled in user
#       space (tests/kernels/qp-trie/user): a model check of every
#       operation and of get_next_key order (ASan/UBSan), then the reuse
#       race on two threads with the sequence check (0 false negatives
#       required) and without it (reported).

QP_TRIE_VARIANTS ?= qp-trie qp-trie-subtree-lock
QP_TRIE_STRESS   ?= 5
QP_TRIE_ARGS     ?=
QP_TRIE_ACCEL    ?= tcg
QP_TRIE_DIR      := tests/kernels/qp-trie
QP_TRIE_OBJ      := $(BUILD)/tests/qp-trie
QP_TRIE_BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) \
	-I$(QP_TRIE_DIR) -I/usr/include/$(shell uname -m)-linux-gnu -Wall

KERNEL_TESTS += test-qp-trie
TESTS += test-qp-trie-user
.PHONY: test-qp-trie test-qp-trie-user

$(QP_TRIE_OBJ)/qp_trie_selftest.bpf.o: $(QP_TRIE_DIR)/qp_trie_selftest.bpf.c \
		$(QP_TRIE_DIR)/qp_trie_selftest.h
	@mkdir -p $(@D)
	$(CLANG) $(QP_TRIE_BPF_CFLAGS) -c $< -o $@

$(QP_TRIE_OBJ)/qp_trie_selftest.skel.h: $(QP_TRIE_OBJ)/qp_trie_selftest.bpf.o
	$(BPFTOOL) gen skeleton $< name qp_trie_selftest_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/qp-trie-selftest: $(QP_TRIE_DIR)/qp_trie_selftest.c \
		$(QP_TRIE_DIR)/qp_trie_selftest.h $(QP_TRIE_OBJ)/qp_trie_selftest.skel.h
	$(CC) $(CFLAGS) -I$(QP_TRIE_DIR) -I$(QP_TRIE_OBJ) $(LDSTATIC) -o $@ $< $(LDLIBS)

test-qp-trie: $(BUILD)/qp-trie-selftest
	@rc=0; for v in $(QP_TRIE_VARIANTS); do \
		$(QP_TRIE_DIR)/run-vm --variant $$v \
			--kernel $(BUILD)/kernels/$$v/bzImage \
			--selftest $(BUILD)/qp-trie-selftest \
			--out $(QP_TRIE_OBJ) --accel $(QP_TRIE_ACCEL) \
			-- --stress-seconds $(QP_TRIE_STRESS) $(QP_TRIE_ARGS) \
			$$([ $$v = qp-trie ] && echo --expect-skip-fn) || rc=1; \
	done; exit $$rc

QP_TRIE_USER     := $(QP_TRIE_OBJ)/user
QP_TRIE_PATCHES  := $(sort $(wildcard kernels/patches/qp-trie/*.patch))
QP_TRIE_USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wno-unused-function -pthread \
	-DCONFIG_BPF_QP_TRIE_DEBUG \
	-I$(QP_TRIE_DIR)/user -I$(QP_TRIE_USER)/kernel/bpf \
	-include $(QP_TRIE_DIR)/user/shim.h

$(QP_TRIE_USER)/kernel/bpf/qp_trie.c: $(QP_TRIE_PATCHES)
	@rm -rf $(QP_TRIE_USER)/kernel && mkdir -p $(QP_TRIE_USER)
	cd $(QP_TRIE_USER) && GIT_CEILING_DIRECTORIES=$(CURDIR)/$(QP_TRIE_OBJ) \
		git apply --include=kernel/bpf/qp_trie.c \
		$(addprefix $(CURDIR)/,$(QP_TRIE_PATCHES))

$(QP_TRIE_USER)/qp-trie-user: $(QP_TRIE_DIR)/user/qp_trie_user.c \
		$(QP_TRIE_DIR)/user/shim.h $(QP_TRIE_USER)/kernel/bpf/qp_trie.c
	$(CC) $(QP_TRIE_USER_CFLAGS) -o $@ $<

$(QP_TRIE_USER)/qp-trie-user-san: $(QP_TRIE_DIR)/user/qp_trie_user.c \
		$(QP_TRIE_DIR)/user/shim.h $(QP_TRIE_USER)/kernel/bpf/qp_trie.c
	$(CC) $(QP_TRIE_USER_CFLAGS) -fsanitize=address,undefined \
		-fno-sanitize-recover=all -o $@ $<

test-qp-trie-user: $(QP_TRIE_USER)/qp-trie-user $(QP_TRIE_USER)/qp-trie-user-san
	$(QP_TRIE_USER)/qp-trie-user-san order
	$(QP_TRIE_USER)/qp-trie-user race 2 0 0
	$(QP_TRIE_USER)/qp-trie-user race 2 0 1000
	$(QP_TRIE_USER)/qp-trie-user race 2 1 1000
