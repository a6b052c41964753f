/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear latency histogram shared by BPF programs and user space:
 * four sub-buckets per power of two (about 25 % resolution), exact below 4.
 */
#ifndef ALLOCBENCH_HIST_H
#define ALLOCBENCH_HIST_H

#define HIST_BUCKETS	256

static inline unsigned int hist_ilog2(unsigned long long v)
{
	unsigned int r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

static inline unsigned int hist_bucket(unsigned long long v)
{
	unsigned int l;

	if (v < 4)
		return (unsigned int)v;
	l = hist_ilog2(v);
	return 4 * (l - 1) + (unsigned int)((v >> (l - 2)) & 3);
}

/* Smallest value that lands in bucket b. */
static inline unsigned long long hist_lower(unsigned int b)
{
	if (b < 4)
		return b;
	return (4ULL + (b & 3)) << (b / 4 - 1);
}

#endif
