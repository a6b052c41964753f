# lockless-pool kernel variant (kernels/patches/lockless-pool,
# tests/kernels/lockless-pool).
#
#   make test-lockless-pool [LOCKLESS_POOL_PARAMS="POOL_BATCH=4 ..."]
#       boots build/kernels/lockless-pool/bzImage (build it first:
#       make kernels VARIANTS=lockless-pool) under qemu TCG with small
#       bpf_pool.* boot parameters and runs pool_check in it: counters,
#       parameters, prefill, pool + reserve exhaustion (-ENOMEM), refill,
#       give-back after a grace period, churn, perf_event allocation.
#       Console: build/kernels/lockless-pool/pool-check.console.
# Not part of `make test`: it needs a built kernel (KERNEL_TESTS lists it).

LOCKLESS_POOL_PARAMS ?=

KERNEL_TESTS += test-lockless-pool
.PHONY: test-lockless-pool

test-lockless-pool:
	env BUILD=$(BUILD) $(LOCKLESS_POOL_PARAMS) tests/kernels/lockless-pool/vm-check.sh lockless-pool
