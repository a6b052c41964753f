# Reports, regression verdicts and published tables (report/, reproduce/).
#
#   make report [RUN=results/<id>] [BASE_VARIANT=kmalloc-rcu]
#                default: the newest run; the summary's base is bpf-ma
#                when the run has it, else its first variant
#   make compare BASE=results/<a> NEW=results/<b> [THRESHOLD=5] [FORCE=1]
#                [MAX_STDDEV=10]      (BASE and NEW may name several runs:
#                                      "results/a1 results/a2")
#   make compare RUN=results/<id> BASE_VARIANT=bpf-ma [THRESHOLD=5]
#                (RUN may name several runs: pooled, as BASE and NEW)
#                [MIN_N=3] runs (pooled) or samples a side to judge ops/s;
#                [MEM_THRESHOLD=20] % up of memory peak/idle that regresses
#                (0: memory not judged); docs/nightly.md has the rule
#   make reproduce CASE=htab-mem-2023|qp-trie-2022|map-perf-2022 [CPUS=n] [DRY_RUN=1]
#                (warm-up and duration are the source's when its data file
#                 states them, else WARMUP and DURATION; the case's kernels
#                 are built first when missing or stale, as for make run;
#                 DRY_RUN=1 prints the builds and the sweep, runs nothing)
#
# build/abreport compare exits exactly 0 (no regression), 1 (regression)
# or 2 (usage, or runs that cannot be compared); make turns any non-zero
# status of a recipe into its own status 2, so a nightly job that needs
# the distinction calls build/abreport compare directly.

ABREPORT      := $(BUILD)/abreport
ABREPORT_SRC  := $(filter-out report/main.c,$(wildcard report/*.c))
# the store's own rules for names and point ids
ABREPORT_OBJ  := $(patsubst report/%.c,$(BUILD)/obj/report/%.o,$(ABREPORT_SRC)) \
                 $(BUILD)/obj/report/validate.o
ABREPORT_LIBS := -ljansson -lgsl -lgslcblas -lsqlite3 -lm
ABREPORT_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
                   -Wno-missing-field-initializers -D_GNU_SOURCE -Ireport -Iharness

RUN           ?=
BASE          ?=
NEW           ?=
THRESHOLD     ?= 5
MAX_STDDEV    ?= 10
MIN_N         ?= 3
MEM_THRESHOLD ?= 20
FORCE         ?=
BASE_VARIANT  ?=
CASE          ?=
CPUS          ?= $(shell nproc)

TESTS += test-report
.PHONY: report compare reproduce report-fixtures

$(BUILD)/obj/report/%.o: report/%.c $(wildcard report/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ABREPORT_CFLAGS) -c -o $@ $<

$(BUILD)/obj/report/validate.o: harness/validate.c harness/validate.h
	@mkdir -p $(dir $@)
	$(CC) $(ABREPORT_CFLAGS) -c -o $@ $<

$(ABREPORT): $(ABREPORT_OBJ) $(BUILD)/obj/report/main.o
	$(CC) -o $@ $^ $(ABREPORT_LIBS)

report: $(ABREPORT)
	$(ABREPORT) report $(if $(BASE_VARIANT),--base $(BASE_VARIANT)) $(RUN)

compare: $(ABREPORT)
ifneq ($(BASE_VARIANT),)
	@test -n "$(RUN)" || { echo "make compare: BASE_VARIANT needs RUN=results/<id>" >&2; exit 2; }
	$(ABREPORT) compare $(foreach d,$(RUN),--run $(d)) --base-variant $(BASE_VARIANT) --threshold $(THRESHOLD) --max-stddev $(MAX_STDDEV) --min-n $(MIN_N) --mem-threshold $(MEM_THRESHOLD)
else
	@test -n "$(BASE)" -a -n "$(NEW)" || { echo "make compare: give BASE=results/<a> NEW=results/<b> (or RUN=... BASE_VARIANT=...)" >&2; exit 2; }
	$(ABREPORT) compare $(foreach d,$(BASE),--base $(d)) $(foreach d,$(NEW),--new $(d)) --threshold $(THRESHOLD) --max-stddev $(MAX_STDDEV) --min-n $(MIN_N) --mem-threshold $(MEM_THRESHOLD) $(if $(FORCE),--force)
endif

# Runs the published case's sweep on the VM runner, then prints the
# published table next to ours. runners/matrix prints the run directory
# as its last line. The sweep comes from the data file through abreport,
# which checks every value and prints KEY=VALUE lines; they are read into
# named variables (and checked again), never evaluated. The declared
# variants among them are built first if missing or stale (make
# kernels-current, mk/kernels.mk); run_fwd (mk/run.mk) passes a stop
# signal on to the build or to matrix.
reproduce: $(ABREPORT) $(BUILD)/allocbench
	@test -n "$(CASE)" -a -f "reproduce/$(CASE).json" || { echo "make reproduce: CASE must name reproduce/<case>.json: $(notdir $(basename $(wildcard reproduce/*.json)))" >&2; exit 2; }
	@set -euo pipefail; $(RUN_FWD_SH); $(RUN_PLAN_CHECK_SH); \
	matrix=$$($(ABREPORT) reproduce --published reproduce/$(CASE).json --matrix --cpus $(CPUS)); \
	target= variants= workloads= threads= params= warmup=$(WARMUP) duration=$(DURATION) profile=; \
	bad() { echo "make reproduce: abreport --matrix printed $$1" >&2; exit 2; }; \
	while IFS='=' read -r k v; do \
		[[ "$$v" =~ ^[A-Za-z0-9._+,=\ -]*$$ ]] || bad "a bad value for $$k"; \
		case $$k in \
		TARGET) [[ "$$v" =~ ^(host|vm)$$ ]] || bad "a bad target"; target=$$v ;; \
		VARIANTS) variants=$$v ;; \
		WORKLOADS) workloads=$$v ;; \
		THREADS) [[ "$$v" =~ ^[0-9,]+$$ ]] || bad "bad threads"; threads=$$v ;; \
		PARAMS) params=$$v ;; \
		WARMUP) [[ "$$v" =~ ^[0-9]+$$ ]] || bad "a bad warm-up"; warmup=$$v ;; \
		DURATION) [[ "$$v" =~ ^[1-9][0-9]*$$ ]] || bad "a bad duration"; duration=$$v ;; \
		PROFILE) [[ "$$v" == 1 ]] || bad "a bad profile"; profile=1 ;; \
		*) bad "an unknown key" ;; \
		esac; \
	done <<<"$$matrix"; \
	[[ -n "$$target" && -n "$$variants" && -n "$$workloads" && -n "$$threads" ]] || bad "too little"; \
	echo "reproduce $(CASE): TARGET=$$target VARIANTS='$$variants' WORKLOADS=$$workloads THREADS=$$threads PARAMS='$$params' WARMUP=$$warmup DURATION=$$duration"; \
	plan_check "$$workloads" "$$threads" "$$params"; \
	dry='$(filter-out 0,$(DRY_RUN))'; kernels=; missing=; \
	if [[ "$$target" == vm ]]; then \
		for v in $$variants; do [[ " $(KERNEL_DECLARED) " != *" $$v "* ]] || kernels+=" $$v"; done; \
	fi; \
	if [[ -n "$$kernels" ]]; then \
		rc=0; run_fwd $(SUBMAKE) -k kernels-current VARIANTS="$${kernels# }" || rc=$$?; \
		if ((rc != 0)); then \
			((rc > 128)) || echo "make reproduce: a kernel did not build (above); nothing was run" >&2; \
			exit "$$rc"; \
		fi; \
		for v in $$kernels; do [[ -f "$(BUILD)/kernels/$$v/bzImage" ]] || missing+=" $$v"; done; \
	fi; \
	if [[ -n "$$dry" && -n "$$missing" ]]; then \
		echo "make reproduce: DRY_RUN: no kernel yet for$$missing; after the builds above:"; \
		printf '  %q' env TARGET="$$target" VARIANTS="$$variants" WORKLOADS="$$workloads" \
			THREADS="$$threads" PARAMS="$$params" SMP=$(CPUS) DURATION="$$duration" \
			WARMUP="$$warmup" BUILD=$(BUILD) $${profile:+PROFILE=1} runners/matrix; echo; \
		echo "  $(ABREPORT) reproduce --published reproduce/$(CASE).json --run <the run directory matrix prints>"; \
		exit 0; \
	fi; \
	log=$$(mktemp); rc=0; \
	TARGET="$$target" VARIANTS="$$variants" WORKLOADS="$$workloads" \
	THREADS="$$threads" PARAMS="$$params" SMP=$(CPUS) DURATION="$$duration" \
	WARMUP="$$warmup" RESUME=$(RESUME) BUILD=$(BUILD) PROFILE="$$profile" run_fwd runners/matrix >"$$log" || rc=$$?; \
	cat "$$log"; run=$$(tail -n 1 "$$log"); rm -f "$$log"; \
	if [[ -n "$$dry" ]]; then \
		echo "  $(ABREPORT) reproduce --published reproduce/$(CASE).json --run $$run"; exit "$$rc"; \
	fi; \
	if ((rc > 1)); then exit "$$rc"; fi; \
	$(ABREPORT) reproduce --published reproduce/$(CASE).json --run "$$run"; \
	exit "$$rc"

# Tests: cmocka unit tests of the statistics, matching and formatting,
# then the end-to-end script (compare exit codes on the fixtures, point
# ids against build/allocbench results has, the report's summary, banner,
# plots and colours, the report in headless Chromium, the published-table
# printer).
REPORT_TESTS := $(patsubst tests/report/%.c,$(BUILD)/tests/report/%,$(wildcard tests/report/test_*.c))

$(BUILD)/tests/report/%: tests/report/%.c $(ABREPORT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ABREPORT_CFLAGS) -o $@ $^ -lcmocka $(ABREPORT_LIBS)

test-report: $(ABREPORT) $(REPORT_TESTS) $(BUILD)/allocbench
	@set -e; for t in $(REPORT_TESTS); do echo "== $$t"; $$t; done
	tests/report/e2e.sh $(ABREPORT) $(BUILD)/allocbench

# Regenerates the committed fixture runs (deterministic).
$(BUILD)/tests/report/gen-fixtures: tests/fixtures/gen-fixtures.c
	@mkdir -p $(dir $@)
	$(CC) $(ABREPORT_CFLAGS) -o $@ $< -ljansson -lm

report-fixtures: $(BUILD)/tests/report/gen-fixtures
	$(BUILD)/tests/report/gen-fixtures tests/fixtures
