// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dmtok-bench's common pieces: the start line (pthread_barrier_t is
 * optional in POSIX), the thread CPU and monotonic clocks with the cost of
 * a read pair calibrated, and the median/min/max of a figure over runs.
 */
#include "bench.h"

void start_line_init(struct start_line *l, unsigned int parties)
{
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->waiting = 0;
	l->parties = parties;
	l->go = 0;
}

/* Every party waits here; the last to arrive releases them all. */
void start_line_wait(struct start_line *l)
{
	pthread_mutex_lock(&l->lock);
	if (++l->waiting == l->parties) {
		l->go = 1;
		pthread_cond_broadcast(&l->cond);
	}
	while (!l->go)
		pthread_cond_wait(&l->cond, &l->lock);
	pthread_mutex_unlock(&l->lock);
}

void start_line_destroy(struct start_line *l)
{
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
}

double thread_ns(void)
{
	struct timespec ts;

	/*
	 * Per-thread CPU time where POSIX's optional thread CPU-time clock
	 * exists (Linux, the BSDs, macOS); elsewhere the process CPU clock,
	 * which is only per-frag-exact with one worker (-w 1): stated at start.
	 */
	clock_gettime(THREAD_CLOCK, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

double mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Thread CPU time is read with a syscall; the cost of two back-to-back
 * reads (median of many) is subtracted from every bracketed interval.
 */
double clock_pair_ns;

void calibrate_clock(void)
{
	double v[101];

	for (int i = 0; i < 101; i++) {
		double a = thread_ns();

		v[i] = thread_ns() - a;
	}
	for (int i = 1; i < 101; i++)	/* insertion sort, tiny */
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	clock_pair_ns = v[50];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct spread spread_of(const double *v, unsigned int n)
{
	double t[64];

	memcpy(t, v, n * sizeof(*t));
	qsort(t, n, sizeof(*t), cmp_double);
	return (struct spread){ n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2,
				t[0], t[n - 1] };
}

/* (max - min) / median */
double rel_spread(struct spread s)
{
	return s.med > 0 ? (s.hi - s.lo) / s.med : 0;
}
