# make test-72: a small sweep in a 72-vCPU guest and the checks 72 threads
# need (tests/vm/test-72): every point recorded, one thread per CPU,
# per-thread keys and adder/deleter pairs that never collide, qp_trie
# writers that keep up, and, where 72 vCPUs overcommit this machine's CPUs,
# records, meta.json and the report that say the figures are functional
# only. Not part of `make test`: it boots a kernel with 72 vCPUs.
#   make test-72 [TEST72_VARIANT=bpf-ma]   (default bpf-ma when built, else distro)
# Measured on the 2-CPU build machine (TCG, 36 vCPUs per CPU, with a
# kernel build, a host benchmark and other tests running): 695 s and 931 s
# (12 and 16 min) in two runs, each 3 boots of 72 vCPUs (12-35 s to the
# first point); about 10 min of it is htab_churn noprealloc at 72 threads,
# which locks up (soft lockups past 120 s) until the host stops the guest
# at twice its 282 s timeout + 10 s, and a boot for the point after it.
# The cheap check of the same failure path, with a fake qemu, is
# tests/faults/t_vm72_overcommit.sh in make test-faults.

TEST72_VARIANT ?=

.PHONY: test-72

test-72: $(BUILD)/allocbench $(BUILD)/abreport
	BUILD=$(BUILD) tests/vm/test-72 $(TEST72_VARIANT)
