# lockless-pool kernel variant (kernels/patches/lockless-pool,
# tests/kernels/lockless-pool): 6.1's bpf_mem_alloc with the refill moved
# to an unbound worker plus a rescue reserve.
#
#   make test-lockless-pool [LOCKLESS_POOL_PARAMS="ELEMS=20000"]
#       boots build/kernels/lockless-pool/bzImage (build it first:
#       make kernels VARIANTS=lockless-pool) under qemu TCG and runs
#       pool_check (refill counters, bpf(2) fills with no failure, the
#       worker's refill, prefill bounded by max_entries) and htab_v60
#       --expect ma (the front end is bpf_mem_alloc's) in it.
#       Console: build/kernels/lockless-pool/pool-check.console.
# Not part of `make test`: it needs a built kernel (KERNEL_TESTS lists it).

LOCKLESS_POOL_PARAMS ?=

KERNEL_TESTS += test-lockless-pool
.PHONY: test-lockless-pool

test-lockless-pool:
	env BUILD=$(BUILD) $(LOCKLESS_POOL_PARAMS) tests/kernels/lockless-pool/vm-check.sh lockless-pool
