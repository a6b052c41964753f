# Profiles (allocbench run --profile; make run PROFILE=1) and what the
# report needs to draw them.
#
#   make deps             also installs the report's flame-graph renderer,
#                         d3-flame-graph and d3 at the versions of
#                         report/flame/package-lock.json, into BUILD/npm
#                         (npm ci; the report copies the scripts it uses
#                         into each report, so a report works offline)
#   make test-profile     tests/integration/test_profile.sh: a profiled
#                         htab_churn point on the running kernel has its
#                         hash-map update function among the top symbols,
#                         an unprofiled one has no profile (root; perf)
#   make test-profile-vm  tests/kernels/test-profile.sh: one profiled point
#                         in a bpf-ma guest (TCG), perf from the initramfs

FLAME_NPM := $(BUILD)/npm
export ABREPORT_NODE_MODULES ?= $(abspath $(FLAME_NPM)/node_modules)

.PHONY: deps-flame test-profile test-profile-vm
TESTS += test-profile
deps: deps-flame

deps-flame: $(FLAME_NPM)/node_modules/d3-flame-graph/package.json

$(FLAME_NPM)/node_modules/d3-flame-graph/package.json: report/flame/package.json report/flame/package-lock.json
	@command -v npm > /dev/null || { echo "make deps: no npm for the report's flame graphs" \
		"(Debian: apt-get install npm; nodejs from elsewhere brings its own)" >&2; exit 2; }
	@mkdir -p $(FLAME_NPM)
	cp report/flame/package.json report/flame/package-lock.json $(FLAME_NPM)/
	cd $(FLAME_NPM) && npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

test-profile: $(BUILD)/allocbench
	BUILD=$(BUILD) tests/integration/test_profile.sh

test-profile-vm: $(BUILD)/allocbench
	BUILD=$(BUILD) tests/kernels/test-profile.sh
