# make test-fuzz: libFuzzer (Debian's clang) on what parses input: the
# record validator and text cleaner (fuzz_record), the command line of a
# point (fuzz_point), the sweep planner with its --param values
# (fuzz_plan), and the kernel variant declarations, parsed by
# runners/lib-kbuild.sh in bash (fuzz_decl: one bash a input, so it runs
# far fewer inputs a second). Each runs FUZZ_SECONDS from the committed corpus
# (tests/fuzz/corpus/<target>); new inputs go to build/fuzz/corpus, crashes
# to build/fuzz/crash-*. Built with ASan and UBSan.
TESTS        += test-fuzz
FUZZ_TARGETS := record point plan decl
FUZZ_SECONDS ?= 20
FUZZ_CC      := clang
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined -D_GNU_SOURCE -Wno-unused-parameter \
                -I$(BUILD)/skel -Iharness -Iworkloads -DSUITE_SHA='"fuzz"'
FUZZ_SRCS    := $(HARNESS_SRCS) $(WL_SRCS)
FUZZ_BINS    := $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))

.PHONY: test-fuzz fuzz-build

$(BUILD)/fuzz/fuzz_decl: tests/fuzz/fuzz_decl.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $<

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRCS) $(WL_SKELS) $(wildcard harness/*.h workloads/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS) $(LDLIBS) -pthread

fuzz-build: $(FUZZ_BINS)

test-fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus/$$t; \
		echo "== fuzz_$$t: $(FUZZ_SECONDS) s from tests/fuzz/corpus/$$t"; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -close_fd_mask=2 \
			-artifact_prefix=$(BUILD)/fuzz/crash-$$t- -print_final_stats=1 \
			$(BUILD)/fuzz/corpus/$$t tests/fuzz/corpus/$$t 2>&1 | \
			grep -E '^(stat::number_of_executed_units|stat::new_units_added|==|SUMMARY)' ; \
		test $${PIPESTATUS[0]} -eq 0 || { echo "fuzz_$$t: failed, see $(BUILD)/fuzz/crash-$$t-*" >&2; exit 1; }; \
	done
