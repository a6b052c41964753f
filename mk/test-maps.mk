# The hash-map part of the kernel's own test_maps in every variant's guest
# (tests/kernels/test-maps).
#
#   make test-maps [TEST_MAPS_VARIANTS="bpf-ma kmalloc-rcu"] [TEST_MAPS_MEM=1024]
#                  [TEST_MAPS_TESTS="test_hashmap test_map_stress"]
#       builds tools/testing/selftests/bpf/test_maps.c of the variant's base
#       tree with that tree's libbpf (a driver replaces its main() and runs
#       only the hash-map tests, each in its own process, prealloc and
#       BPF_F_NO_PREALLOC passes), boots each built variant under qemu TCG
#       (-smp 2, TEST_MAPS_MEM MiB) and runs it there, timing rcu_barrier()
#       with kprobes and sampling /proc/meminfo. Variants not built are
#       skipped with the reason. Results: build/test-maps/VARIANT.json and
#       summary.json, consoles build/test-maps/VARIANT.console.
#       Default variants: every declared 6.1 variant but test-only ones.
# Not part of `make test`: it needs built kernels (KERNEL_TESTS lists it).

TEST_MAPS_VARIANTS ?=
TEST_MAPS_MEM      ?= 1024
TEST_MAPS_TESTS    ?=

KERNEL_TESTS += test-maps
.PHONY: test-maps

test-maps:
	env BUILD=$(BUILD) MEM=$(TEST_MAPS_MEM) TESTS="$(TEST_MAPS_TESTS)" \
		tests/kernels/test-maps/test-maps.sh $(TEST_MAPS_VARIANTS)
