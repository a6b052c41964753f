# allocbench: kernel allocator strategies on matched workloads.
# See README.md for the commands, docs/interfaces.md for the contracts.

SHELL       := /bin/bash
BUILD       := build
CC          := gcc
CLANG       := clang
BPFTOOL     := bpftool
ARCH        := x86
SUITE_SHA   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
# "-dirty" when the tree has uncommitted changes (tracked or untracked
# files) at build time. Only --version prints it (SUITE_DIRTY, beside
# SUITE_SHA); records carry SUITE_SHA alone, the commit.
SUITE_DIRTY := $(if $(filter unknown,$(SUITE_SHA)),,$(shell git status --porcelain 2>/dev/null | grep -q . && echo -dirty))

CFLAGS      := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
               -Wno-missing-field-initializers -D_GNU_SOURCE \
               -I$(BUILD)/skel -Iharness -Iworkloads -DSUITE_SHA='"$(SUITE_SHA)"'
LDSTATIC    := -static -pthread
LDLIBS      := -lbpf -lelf -lz -lzstd -ljansson -lgsl -lgslcblas -lm

# Parameters of `make run` (mk/run.mk): no TARGET is the comparison of
# the variants in VMs, TARGET=host the running kernel, TARGET=vm the
# VARIANTS given (or built)
TARGET      ?=
WORKLOADS   ?=
THREADS     ?=
DURATION    ?= 5
WARMUP      ?= 1
VARIANTS    ?=
RESUME      ?=
DRY_RUN     ?=

# Fragments add their own targets and append to these.
TESTS       := test-unit test-host
.PHONY: all deps test run clean $(TESTS)
.SECONDARY:

all: $(BUILD)/allocbench

include harness/harness.mk
-include $(sort $(wildcard mk/*.mk))
-include tests/tests.mk

# What prints the version is rebuilt when it changes: the stamps are
# rewritten only when their content differs. record.o puts SUITE_SHA in
# every record; main.o of allocbench and abreport print --version.
$(BUILD)/suite-sha $(BUILD)/suite-version: suite-version-check
	@mkdir -p $(@D)
	@v='$(SUITE_SHA)$(if $(filter %-version,$@),$(SUITE_DIRTY))'; \
	[ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@
$(BUILD)/obj/harness/record.o: $(BUILD)/suite-sha
$(BUILD)/obj/harness/main.o: $(BUILD)/suite-version
$(BUILD)/obj/harness/main.o: CFLAGS += -DSUITE_DIRTY='"$(SUITE_DIRTY)"'
$(BUILD)/obj/report/main.o: $(BUILD)/suite-version
$(BUILD)/obj/report/main.o: ABREPORT_CFLAGS += -DSUITE_SHA='"$(SUITE_SHA)"' \
	-DSUITE_DIRTY='"$(SUITE_DIRTY)"'
.PHONY: suite-version-check
suite-version-check:

deps:
	runners/install-deps mk/debian-packages.txt

test: $(TESTS)
	@echo "make test: all test groups passed ($(TESTS))"

clean:
	rm -rf $(BUILD)/allocbench $(BUILD)/obj $(BUILD)/skel $(BUILD)/tests
