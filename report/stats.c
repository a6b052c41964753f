// SPDX-License-Identifier: GPL-2.0
/* Sample statistics and Welch's unequal-variance t-test. */
#include <errno.h>
#include <math.h>
#include <gsl/gsl_cdf.h>

#include "abreport.h"

/* Mean and sample standard deviation (n - 1); sd is 0 for one sample. */
void stats_mean_sd(const double *x, size_t n, double *mean, double *sd)
{
	double m = 0, ss = 0;
	size_t i;

	if (!n) {
		*mean = NAN;
		*sd = NAN;
		return;
	}
	for (i = 0; i < n; i++)
		m += x[i];
	m /= n;
	for (i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	*mean = m;
	*sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
}

/*
 * Welch's t-test, two-sided. Needs two samples on each side. When both
 * variances are zero the test degenerates: equal means give p = 1,
 * different means p = 0 (the difference is exact, not noise).
 */
int stats_welch(const double *a, size_t na, const double *b, size_t nb,
		struct welch *w)
{
	double ma, sa, mb, sb, va, vb, se2;

	w->t = NAN;
	w->df = NAN;
	w->p = NAN;
	if (na < 2 || nb < 2)
		return -EINVAL;
	stats_mean_sd(a, na, &ma, &sa);
	stats_mean_sd(b, nb, &mb, &sb);
	va = sa * sa / na;
	vb = sb * sb / nb;
	se2 = va + vb;
	if (se2 == 0) {
		w->t = ma == mb ? 0 : copysign(INFINITY, mb - ma);
		w->df = (double)(na + nb - 2);
		w->p = ma == mb ? 1 : 0;
		return 0;
	}
	w->t = (mb - ma) / sqrt(se2);
	w->df = se2 * se2 / (va * va / (na - 1) + vb * vb / (nb - 1));
	w->p = 2 * gsl_cdf_tdist_Q(fabs(w->t), w->df);
	if (w->p > 1)
		w->p = 1;
	return 0;
}
