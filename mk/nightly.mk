# Nightly regression runs (docs/nightly.md).
#
#   make nightly [NIGHTLY_CONF=nightly/matrix.conf]
#       one night: base package check, stale kernels rebuilt, the declared
#       matrix run `runs` times, compared with the accepted baseline,
#       recorded in results/history.sqlite, the night's report and the
#       trend page (results/nights/trend/index.html). runners/nightly
#       exits 0 (no regression), 1 (regression) or 2 (the night could
#       not run or be judged); make turns 1 into its own 2, so cron and
#       systemd (contrib/) call runners/nightly itself.
#   make baseline RUN="results/<a> results/<b> ..." WHY="..." [WHO=name]
#       those runs (or a night directory: its runs) become the baseline.
#   make history-rebuild
#       results/history.sqlite anew from results/nights/*/ and the run
#       directories they name (the source of truth), then the trend page.
#   make test-nightly
#       history, trend and baseline on the fixture runs (no VM, seconds).
#   make nightly-e2e
#       a real regression caught: the test kernel htab-delay (busy work in
#       alloc_htab_elem) against a bpf-ma baseline exits 1 naming the
#       htab_churn noprealloc points; a night of bpf-ma exits 0. Boots
#       VMs: see docs/nightly.md for its measured time.
#   make nightly-sensitivity [SENS_LEVELS="0 L1 L2 L3"] [SENS_NIGHTS=10]
#       detection power and false alarms (docs/nightly.md).

NIGHTLY_CONF    ?= nightly/matrix.conf
NIGHTLY_RESULTS ?= $(or $(RESULTS_DIR),results)
WHO             ?=
WHY             ?=

TESTS += test-nightly
.PHONY: nightly baseline history-rebuild test-nightly nightly-e2e nightly-sensitivity

nightly: $(ABREPORT) $(BUILD)/allocbench
	RESULTS_DIR=$(NIGHTLY_RESULTS) BUILD=$(BUILD) ABREPORT=$(ABREPORT) runners/nightly --conf $(NIGHTLY_CONF)

# WHO, WHY and RUN reach the shell through the environment, never as text.
baseline: export AB_WHO = $(WHO)
baseline: export AB_WHY = $(WHY)
baseline: export AB_RUN = $(RUN)
baseline: $(ABREPORT)
	@test -n "$$AB_RUN" || { echo "make baseline: RUN=\"results/<a> results/<b>\" (or a night directory) WHY=\"...\"" >&2; exit 2; }
	@set -f; RESULTS_DIR=$(NIGHTLY_RESULTS) BUILD=$(BUILD) ABREPORT=$(ABREPORT) runners/nightly baseline \
		--why "$$AB_WHY" $${AB_WHO:+--who "$$AB_WHO"} $$AB_RUN

history-rebuild: $(ABREPORT)
	$(ABREPORT) history rebuild --db $(NIGHTLY_RESULTS)/history.sqlite $(NIGHTLY_RESULTS)
	$(ABREPORT) trend --db $(NIGHTLY_RESULTS)/history.sqlite --out $(NIGHTLY_RESULTS)/nights/trend

test-nightly: $(ABREPORT)
	ABREPORT=$(ABREPORT) tests/nightly/test-history.sh

nightly-e2e: $(ABREPORT) $(BUILD)/allocbench
	BUILD=$(BUILD) ABREPORT=$(ABREPORT) tests/nightly/e2e.sh

nightly-sensitivity: $(ABREPORT) $(BUILD)/allocbench
	BUILD=$(BUILD) ABREPORT=$(ABREPORT) SENS_LEVELS="$(SENS_LEVELS)" SENS_NIGHTS=$(SENS_NIGHTS) \
		tests/nightly/sensitivity.sh
