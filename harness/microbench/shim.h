/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C side of the harness micro-benchmarks: what Google Benchmark (C++)
 * times, as plain C functions of the harness's own pieces.
 */
#ifndef ALLOCBENCH_MB_SHIM_H
#define ALLOCBENCH_MB_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

int mb_bpf_setup(unsigned int loops);
long mb_test_run(void);
void mb_bpf_teardown(void);
double mb_summary(unsigned int samples);
int mb_record(void);

#ifdef __cplusplus
}
#endif

#endif
