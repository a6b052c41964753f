# allocbench: kernel allocator strategies on matched workloads.
# See README.md for the commands, docs/interfaces.md for the contracts.

SHELL       := /bin/bash
BUILD       := build
CC          := gcc
CLANG       := clang
BPFTOOL     := bpftool
ARCH        := x86
SUITE_SHA   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

CFLAGS      := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
               -Wno-missing-field-initializers -D_GNU_SOURCE \
               -I$(BUILD)/skel -Iharness -Iworkloads -DSUITE_SHA='"$(SUITE_SHA)"'
LDSTATIC    := -static -pthread
LDLIBS      := -lbpf -lelf -lz -lzstd -ljansson -lgsl -lgslcblas -lm

# Parameters of `make run`
TARGET      ?= host
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

deps:
	runners/install-deps mk/debian-packages.txt

test: $(TESTS)
	@echo "make test: all test groups passed ($(TESTS))"

run: all
	TARGET=$(TARGET) WORKLOADS=$(WORKLOADS) THREADS=$(THREADS) \
	DURATION=$(DURATION) WARMUP=$(WARMUP) VARIANTS="$(VARIANTS)" \
	RESUME=$(RESUME) DRY_RUN=$(DRY_RUN) runners/matrix

clean:
	rm -rf $(BUILD)/allocbench $(BUILD)/obj $(BUILD)/skel $(BUILD)/tests
