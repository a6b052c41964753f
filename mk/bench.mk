# The kernel's own bench htab-mem beside htab_churn method=htab-mem
# (bench/README.md).
#
#   make bench-htab-mem [BENCH_ARGS="--rounds 3 --max-load 1.5 ..."]
#   make bench-htab-mem-build      only build the kernel's bench
#
# bench/htab-mem-upstream builds build/bench/selftests/bench from Debian's
# linux-source-6.12, runs both in turn (root) and writes
# build/bench/htab-mem-<time>.json; it is not part of `make test`.

BENCH_ARGS ?=
.PHONY: bench-htab-mem bench-htab-mem-build

bench-htab-mem: $(BUILD)/allocbench
	BUILD=$(BUILD) ALLOCBENCH=$(BUILD)/allocbench bench/htab-mem-upstream $(BENCH_ARGS)

bench-htab-mem-build:
	BUILD=$(BUILD) bench/htab-mem-upstream --build-only
