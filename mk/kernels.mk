# Kernel variants (kernels/README.md).
#
#   make kernels [VARIANTS="bpf-ma kmalloc-rcu"] [DRY_RUN=1] [JOBS=n]
#       builds build/kernels/<variant>/{bzImage,config,build.json}; a variant
#       that fails is reported and the next one is still built; the target
#       fails at the end if any did. Default: every kernels/variants/* file.
#   make test-kernels
#       builds bpf-ma and kmalloc-rcu, boots each and checks the records.
#   make test-612
#       the 6.12 base, outside CI: builds bpf-ma-6.12 unless its build is
#       current, boots it (smoke test, then null and htab_churn through
#       the VM runner) and checks the records: 23 min cold on 2 shared
#       cores, about 20 s once built (kernels/README.md).
#   make kernels-timing [TIMING_VARIANT=bpf-ma] [TIMING_TOUCH=kernel/bpf/hashtab.c]
#       hyperfine: rebuild of a variant after touching one file,
#       exported to build/kernels/timing-rebuild.json.

comma := ,
KERNEL_VARIANTS := $(or $(strip $(subst $(comma), ,$(VARIANTS))),$(notdir $(wildcard kernels/variants/*)))
TIMING_VARIANT  ?= bpf-ma
TIMING_TOUCH    ?= kernel/bpf/hashtab.c
TIMING_RUNS     ?= 3
TEST_KERNEL_VARIANTS := bpf-ma kmalloc-rcu

TESTS += test-kbuild
.PHONY: kernels test-kernels test-612 kernels-timing test-kbuild

# The names reach the shell through the environment, split on blanks with
# no glob expansion, and never as shell text; build-kernel checks each.
kernels: export KBUILD_VARIANTS = $(KERNEL_VARIANTS)
kernels:
	@rc=0; failed=; set -f; \
	for v in $$KBUILD_VARIANTS; do \
		BUILD=$(BUILD) DRY_RUN=$(DRY_RUN) SUITE_SHA=$(SUITE_SHA) \
		runners/build-kernel "$$v" || { rc=1; failed="$$failed $$v"; }; \
	done; \
	if [ $$rc -ne 0 ]; then echo "make kernels: failed:$$failed" >&2; fi; \
	exit $$rc

# Fast checks of the build pipeline (no kernel is compiled): shellcheck,
# declarations, dry runs, clean failures.
test-kbuild:
	BUILD=$(BUILD) tests/kernels/test-kbuild.sh

# Builds bpf-ma and kmalloc-rcu from whatever cache build/ holds, boots
# each under qemu with a short htab_churn and nmi_alloc, checks the records.
test-kernels: all
	BUILD=$(BUILD) SUITE_SHA=$(SUITE_SHA) tests/kernels/test-kernels.sh $(TEST_KERNEL_VARIANTS)

# Not in TESTS nor in CI: a cold 6.12 kernel is a long build (README).
test-612: all
	BUILD=$(BUILD) SUITE_SHA=$(SUITE_SHA) tests/kernels/test-612.sh

kernels-timing:
	BUILD=$(BUILD) SUITE_SHA=$(SUITE_SHA) runners/build-kernel $(TIMING_VARIANT)
	@tree=$$(BUILD=$(BUILD) runners/build-kernel --tree $(TIMING_VARIANT)); \
	test -f "$$tree/$(TIMING_TOUCH)" || { echo "make kernels-timing: no $$tree/$(TIMING_TOUCH)" >&2; exit 2; }; \
	hyperfine --runs $(TIMING_RUNS) --style basic \
		--prepare "touch $$tree/$(TIMING_TOUCH)" \
		--command-name "rebuild $(TIMING_VARIANT) after touching $(TIMING_TOUCH)" \
		--export-json $(BUILD)/kernels/timing-rebuild.json \
		"BUILD=$(BUILD) SUITE_SHA=$(SUITE_SHA) runners/build-kernel $(TIMING_VARIANT)"
	@echo "make kernels-timing: $(BUILD)/kernels/timing-rebuild.json"
