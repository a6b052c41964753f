// SPDX-License-Identifier: GPL-2.0
// Google Benchmark registrations for the C shim (shim.c): the cost of one
// BPF_PROG_TEST_RUN against the in-kernel loop count, and the user-space
// work of a point. Needs root for the BPF part.
#include <benchmark/benchmark.h>
#include <cstdio>
#include "microbench/shim.h"

static void BM_test_run(benchmark::State &state)
{
	unsigned int loops = static_cast<unsigned int>(state.range(0));

	if (mb_bpf_setup(loops)) {
		state.SkipWithError("cannot load the null program (root? BPF?)");
		return;
	}
	for (auto _ : state)
		benchmark::DoNotOptimize(mb_test_run());
	state.SetItemsProcessed(state.iterations() * loops);
	mb_bpf_teardown();
}
BENCHMARK(BM_test_run)->RangeMultiplier(16)->Range(1, 1 << 16);

static void BM_summary(benchmark::State &state)
{
	for (auto _ : state)
		benchmark::DoNotOptimize(mb_summary(static_cast<unsigned int>(state.range(0))));
}
BENCHMARK(BM_summary)->Arg(5)->Arg(60);

static void BM_record(benchmark::State &state)
{
	for (auto _ : state)
		benchmark::DoNotOptimize(mb_record());
}
BENCHMARK(BM_record);

BENCHMARK_MAIN();
