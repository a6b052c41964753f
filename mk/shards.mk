# Sweeps on several machines: `make run SHARD=i/N` runs one part of the plan
# (runners/matrix says how it is split), `make merge` joins the parts' run
# directories into one that make report and make compare read as any run.
# contrib/ runs the shards with GNU parallel or a Slurm job array.
#
#   make merge OUT=results/<name> RUNS="results/<a> results/<b> ..." [FORCE=1]
#       OUT must not exist; it is made atomically (complete, or not at all).
#       Refused (exit 2) unless FORCE=1: runs of another suite version,
#       kernel build (same variant, other hashes or release), accelerator
#       or host CPU model; a run that did not finish; shards of one sweep
#       that are not all given, or not of the same sweep. FORCE=1 merges
#       and meta.json's "mixed" says what was let through.
#   make test-shards-unit   the split and merge's refusals (about 15 s)
#   make test-shards        those, then two shards under GNU parallel and a
#                           two-task Slurm job array with the merge as a
#                           dependent job, on this machine (root; packages
#                           parallel slurm-wlm munge; about 40 s, so it is
#                           part of make test; a missing package is a SKIP)

OUT           ?=
RUNS          ?=

TESTS += test-shards
.PHONY: merge test-shards test-shards-unit

merge: $(BUILD)/allocbench
	@test -n "$(OUT)" -a -n "$(RUNS)" || { echo "make merge: give OUT=results/<name> RUNS=\"results/<a> results/<b>\" [FORCE=1]" >&2; exit 2; }
	$(BUILD)/allocbench results merge $(if $(FORCE),--force) $(OUT) $(RUNS)

test-shards-unit: $(BUILD)/allocbench $(ABREPORT)
	BUILD=$(BUILD) tests/shards/run unit

test-shards: $(BUILD)/allocbench $(ABREPORT)
	BUILD=$(BUILD) tests/shards/run all
