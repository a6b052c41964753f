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
#   make kernels-current [VARIANTS="bpf-ma kmalloc-rcu"] [DRY_RUN=1]
#   make build/kernels/<variant>/bzImage
#       builds, with runners/build-kernel, each variant whose bzImage is
#       missing or older than one of its inputs (below); a current one is
#       left alone. make run and make reproduce do this for the variants
#       they boot. DRY_RUN=1: build-kernel's dry run of those, nothing
#       built. Default: every kernels/variants/* file, as make kernels.
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
.PHONY: kernels kernels-current test-kernels test-612 kernels-timing test-kbuild

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

# A variant's kernel as a file target. Its inputs are the files
# runners/build-kernel reads for it, as runners/lib-kbuild.sh resolves them
# (read_variant, resolve_inputs): the declaration, its patch directory (a
# patch added or removed changes its time) and patch files, base.config,
# the base's own fragment, the variant's fragments; the unpacked base's
# stamp (build/src/<base>/.allocbench-source, once fetched: a new source is
# a new kernel); runners/build-kernel and runners/lib-kbuild.sh. A bzImage
# missing or older than any of them is remade by build-kernel, which is
# incremental (one tree per base, only what changed is recompiled) and
# takes its own locks; once it compiles it removes the old bzImage and
# writes the new one only when the build succeeded, so a failed build is
# retried next time.
# A declaration whose inputs do not resolve (a missing patch directory or
# fragment, a malformed file) gets the phony prerequisite
# kernel-inputs-unresolved: build-kernel runs and says what is wrong.
# Only names build-kernel accepts get a rule; they reach the shell as
# they are.
KERNEL_DECLARED := $(shell ls kernels/variants 2>/dev/null | grep -E '^[A-Za-z0-9][A-Za-z0-9._+-]*$$')
KERNEL_IMAGES   := $(foreach v,$(KERNEL_DECLARED),$(BUILD)/kernels/$(v)/bzImage)
kernel_inputs = kernels/variants/$(1) runners/build-kernel runners/lib-kbuild.sh \
	$(shell V='$(1)' KERNELS=kernels B='$(BUILD)' bash -c '( \
		. runners/lib-kbuild.sh && read_variant "$$V" && resolve_inputs && \
		for f in $${V_PATCHDIRS[@]/#/$$KERNELS/patches/} "$${PATCHES[@]}" \
			"$${CONFIG_FILES[@]}"; do \
			[[ "$$f" =~ ^[A-Za-z0-9._+/-]+$$ ]] || exit 1; echo "$$f"; \
		done && s=$$B/src/$$V_BASE/.allocbench-source && \
		if [ -f "$$s" ]; then echo "$$s"; fi ) || echo kernel-inputs-unresolved' 2>/dev/null)

.PHONY: kernel-inputs-unresolved
kernel-inputs-unresolved: ;

.SECONDEXPANSION:
$(KERNEL_IMAGES): $(BUILD)/kernels/%/bzImage: $$(call kernel_inputs,$$*)
	@echo "[$*] build$(if $(filter-out 0,$(DRY_RUN)), (DRY_RUN: printed, not run)):" \
		"$(if $(filter kernel-inputs-unresolved,$^),its inputs do not resolve (build-kernel says why),$(if $(wildcard $@),$@ is older than $(filter-out kernel-inputs-unresolved,$?),no $@))"
	BUILD=$(BUILD) DRY_RUN=$(DRY_RUN) SUITE_SHA=$(SUITE_SHA) runners/build-kernel $*

# The kernels of VARIANTS (default: every declared one) that are missing or
# stale. A name with no declaration is refused before anything is built.
KERNELS_UNKNOWN := $(filter-out $(KERNEL_DECLARED),$(KERNEL_VARIANTS))
ifneq ($(filter kernels-current,$(MAKECMDGOALS)),)
ifneq ($(KERNELS_UNKNOWN),)
$(error make kernels-current: no declaration kernels/variants/<name> for: $(KERNELS_UNKNOWN))
endif
endif
kernels-current: $(foreach v,$(filter $(KERNEL_DECLARED),$(KERNEL_VARIANTS)),$(BUILD)/kernels/$(v)/bzImage)
	@:

# Fast checks of the build pipeline (no kernel is compiled): shellcheck,
# declarations, dry runs, clean failures; then make's side of it
# (test-make-kernels.sh: which kernels make run and make reproduce build,
# on fake kernels). $$(ABREPORT): report.mk, read later, defines it.
test-kbuild: $$(ABREPORT)
	BUILD=$(BUILD) tests/kernels/test-kbuild.sh
	ABREPORT_BIN=$(ABREPORT) tests/kernels/test-make-kernels.sh

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
