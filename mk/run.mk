# make run: a sweep through runners/matrix (its header lists every setting).
#
#   make run
#       the comparison: every variant declared on base linux-source-6.1
#       (kernels/variants/*: base=linux-source-6.1; the 6.12 one is not
#       part of it), each kernel built if missing or stale, one VM boot per
#       variant running htab_churn, qp_trie_lookup and nmi_alloc at 1 and
#       2 threads for COMPARE_DURATION s after COMPARE_WARMUP s, then the
#       report (make report) of that run; prints where the report is.
#       Settings given on the command line replace those defaults
#       (VARIANTS, WORKLOADS, THREADS, DURATION, WARMUP; an empty value is
#       the default); PARAMS, RESUME, SHARD, SMP, MEM, RESULTS_DIR,
#       VM_BOOT_TIMEOUT, VM_POINT_TIMEOUT go to runners/matrix as given.
#       With SHARD, no report: make merge the shards, then make report.
#   make run TARGET=host      the running kernel, as before (no kernels)
#   make run TARGET=vm [VARIANTS="bpf-ma kmalloc-rcu"]
#       the VARIANTS given (default: the declared variants whose kernel is
#       built, else Debian's cloud kernel `distro`: runners/matrix), each
#       declared one built first if missing or stale (mk/kernels.mk); no
#       report.
#   PROFILE=1   perf samples each point's measured window, on the host and
#               in the guests (runners/matrix; mk/profile.mk): records get
#               "profile", the files go to results/<id>/profiles/
#   DRY_RUN=1   the kernel builds and the sweep printed (build-kernel's and
#               matrix's dry runs), nothing built or run. While a kernel is
#               not built yet matrix cannot plan its boot: then the
#               matrix command is printed instead.
#
# The sweep is checked (allocbench plan) before any kernel is built, so
# a typo in WORKLOADS or PARAMS does not wait for a kernel build. A kernel
# that does not build stops the run before anything boots (the others are
# still built: make -k). SIGINT, SIGTERM and SIGHUP reach the build or
# runners/matrix, which stops as its header says; make run exits with its
# status.

COMPARE_BASE      ?= linux-source-6.1
COMPARE_WORKLOADS ?= htab_churn,qp_trie_lookup,nmi_alloc
COMPARE_THREADS   ?= 1,2
COMPARE_DURATION  ?= 3
COMPARE_WARMUP    ?= 1
# The declarations on COMPARE_BASE, read as build-kernel reads them
# (comments and blanks stripped), in name order; not those marked test_only=1.
COMPARE_VARIANTS  ?= $(sort $(filter $(KERNEL_DECLARED),$(shell cd kernels/variants 2>/dev/null && \
	awk -v want='$(COMPARE_BASE)' '{ sub(/\#.*/, ""); gsub(/^[ \t]+|[ \t]+$$/, "") } \
	/^test_only[ \t]*=[ \t]*1$$/ { test[FILENAME] = 1 } \
	/^base[ \t]*=/ { v = $$0; sub(/^base[ \t]*=[ \t]*/, "", v); if (v == want) on[FILENAME] = 1 } \
	END { for (f in on) if (!(f in test)) print f }' \
	$(KERNEL_DECLARED))))

# A setting given on the command line or in the environment (not a
# makefile's default).
run_given = $(filter-out undefined default file,$(origin $(1)))
RUN_COMPARE := $(if $(strip $(TARGET)),,1)
SUBMAKE      = $(MAKE) --no-print-directory

# What runners/matrix gets, through the environment (never as shell text).
run: export AB_TARGET    = $(if $(RUN_COMPARE),vm,$(TARGET))
run: export AB_VARIANTS  = $(if $(RUN_COMPARE),$(or $(strip $(VARIANTS)),$(COMPARE_VARIANTS)),$(VARIANTS))
run: export AB_WORKLOADS = $(if $(RUN_COMPARE),$(or $(WORKLOADS),$(COMPARE_WORKLOADS)),$(WORKLOADS))
run: export AB_THREADS   = $(if $(RUN_COMPARE),$(or $(THREADS),$(COMPARE_THREADS)),$(THREADS))
run: export AB_DURATION  = $(if $(RUN_COMPARE),$(if $(and $(call run_given,DURATION),$(DURATION)),$(DURATION),$(COMPARE_DURATION)),$(DURATION))
run: export AB_WARMUP    = $(if $(RUN_COMPARE),$(if $(and $(call run_given,WARMUP),$(WARMUP)),$(WARMUP),$(COMPARE_WARMUP)),$(WARMUP))
run: export AB_PARAMS    = $(PARAMS)
run: export AB_DRY       = $(filter-out 0,$(DRY_RUN))
run: export PROFILE     := $(filter-out 0,$(PROFILE))
run: export AB_REPORT    = $(if $(RUN_COMPARE),$(if $(SHARD),,1))
run: export AB_DECLARED  = $(KERNEL_DECLARED)
# the declared variants the run boots: those named, else (TARGET=vm) the
# declared ones already built, as runners/matrix picks them
run: export AB_KERNELS   = $(if $(filter vm,$(AB_TARGET)),$(filter $(KERNEL_DECLARED),$(or \
	$(AB_VARIANTS),$(foreach v,$(KERNEL_DECLARED),$(if $(wildcard $(BUILD)/kernels/$(v)/bzImage),$(v))))))

# run_fwd CMD...: CMD in a process group of its own, waited for; a SIGINT,
# SIGTERM or SIGHUP of this shell (make forwards SIGTERM to the recipe's
# shell only) goes to CMD, which stops as it does on its own; CMD's status.
RUN_FWD_SH = run_fwd() { \
	local pid rc=0; \
	set -m; "$$@" & pid=$$!; set +m; \
	trap "kill -INT $$pid 2>/dev/null || :" INT; \
	trap "kill -TERM $$pid 2>/dev/null || :" TERM; \
	trap "kill -HUP $$pid 2>/dev/null || :" HUP; \
	while :; do \
		rc=0; wait "$$pid" || rc=$$?; \
		if ((rc > 128)) && kill -0 "$$pid" 2>/dev/null; then continue; fi; \
		break; \
	done; \
	trap - INT TERM HUP; \
	return "$$rc"; \
	}

# plan_check WORKLOADS THREADS PARAMS: the sweep as runners/matrix will
# plan it; a sweep allocbench refuses is its message and exit 2.
RUN_PLAN_CHECK_SH = plan_check() { \
	local -a args=() kvs; local kv err; \
	[[ -z "$$1" ]] || args+=(--workloads "$$1"); \
	[[ -z "$$2" ]] || args+=(--threads "$$2"); \
	read -ra kvs <<<"$$3"; \
	for kv in "$${kvs[@]}"; do args+=(--param "$$kv"); done; \
	err=$$(mktemp); \
	if ! "$${ALLOCBENCH:-$(BUILD)/allocbench}" plan "$${args[@]}" >/dev/null 2>"$$err"; then \
		grep -v '^plan: skipping ' "$$err" >&2; rm -f "$$err"; exit 2; \
	fi; \
	rm -f "$$err"; \
	}

run: all $(if $(RUN_COMPARE),$(ABREPORT))
	@set -euo pipefail; $(RUN_FWD_SH); $(RUN_PLAN_CHECK_SH); \
	plan_check "$$AB_WORKLOADS" "$$AB_THREADS" "$$AB_PARAMS"; \
	if [[ -n "$$AB_REPORT" ]]; then \
		echo "make run: comparing $$AB_VARIANTS: WORKLOADS=$$AB_WORKLOADS THREADS=$$AB_THREADS" \
			"DURATION=$$AB_DURATION WARMUP=$$AB_WARMUP$${AB_PARAMS:+ PARAMS=\"$$AB_PARAMS\"}; make run TARGET=host measures the running kernel instead" >&2; \
	fi; \
	if [[ "$$AB_TARGET" == vm ]]; then \
		read -ra vs <<<"$$AB_VARIANTS"; \
		for v in "$${vs[@]}"; do \
			[[ " $$AB_DECLARED distro " == *" $$v "* ]] || \
				{ echo "make run: unknown variant '$$v' (see kernels/variants/)" >&2; exit 2; }; \
		done; \
	fi; \
	if [[ -n "$$AB_KERNELS" ]]; then \
		rc=0; run_fwd $(SUBMAKE) -k kernels-current VARIANTS="$$AB_KERNELS" || rc=$$?; \
		if ((rc != 0)); then \
			((rc <= 128)) || exit "$$rc"; \
			ok=; for v in $$AB_KERNELS; do \
				! $(SUBMAKE) -q "$(BUILD)/kernels/$$v/bzImage" DRY_RUN= 2>/dev/null || ok+=" $$v"; \
			done; \
			echo "make run: a kernel did not build (above); nothing was run.$${ok:+ Current:$$ok (VARIANTS=\"$${ok# }\" runs those)}" >&2; \
			exit 2; \
		fi; \
	fi; \
	missing=; \
	for v in $$AB_KERNELS; do [[ -f "$(BUILD)/kernels/$$v/bzImage" ]] || missing+=" $$v"; done; \
	if [[ -n "$$AB_DRY" && -n "$$missing" ]]; then \
		echo "make run: DRY_RUN: no kernel yet for$$missing; after the builds above:"; \
		printf '  %q' env TARGET="$$AB_TARGET" VARIANTS="$$AB_VARIANTS" WORKLOADS="$$AB_WORKLOADS" \
			THREADS="$$AB_THREADS" PARAMS="$$AB_PARAMS" DURATION="$$AB_DURATION" \
			WARMUP="$$AB_WARMUP" BUILD="$(BUILD)" runners/matrix; echo; \
		[[ -z "$$AB_REPORT" ]] || echo "  make report RUN=<the run directory matrix prints>"; \
		exit 0; \
	fi; \
	export TARGET="$$AB_TARGET" VARIANTS="$$AB_VARIANTS" WORKLOADS="$$AB_WORKLOADS" \
		THREADS="$$AB_THREADS" PARAMS="$$AB_PARAMS" DURATION="$$AB_DURATION" \
		WARMUP="$$AB_WARMUP" BUILD="$(BUILD)"; \
	if [[ -z "$$AB_REPORT" ]]; then exec runners/matrix; fi; \
	out=$$(mktemp); rc=0; \
	run_fwd runners/matrix >"$$out" || rc=$$?; \
	sed '$$d' "$$out"; dir=$$(tail -n 1 "$$out"); rm -f "$$out"; \
	if [[ -n "$$AB_DRY" ]]; then \
		echo "  make report RUN=$$dir"; echo "$$dir"; exit "$$rc"; \
	fi; \
	if ((rc != 0 && rc != 1)) || [[ ! -f "$$dir/meta.json" ]]; then \
		[[ -z "$$dir" ]] || echo "$$dir"; exit "$$rc"; \
	fi; \
	$(SUBMAKE) report RUN="$$dir" >&2 || { echo "$$dir"; exit 2; }; \
	echo "make run: report: $$dir/report/index.html (and report.md beside it)$$( ((rc == 0)) || echo "; some points failed: the report says which")" >&2; \
	echo "$$dir"; \
	exit "$$rc"
