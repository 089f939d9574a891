// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Dontneed scaling on one socket: receive @n tokens, then return them
 * with @threads threads at once (disjoint shares, c->batch per call).
 * Returns released tokens per second of wall-clock time, or -1.
 *
 * The wall clock starts before the threads are released (read, then the
 * barrier): with two workers and the main thread on two CPUs the main
 * thread is often scheduled last, and a start read after the barrier
 * once produced windows shorter than the work. Each thread also measures
 * its own CPU time; a window shorter than the longest of those is
 * impossible, and the figure is refused (no number is better than a
 * wrong one).
 */
#include "bench.h"

struct ret_arg {
	const struct dmtok_scheme_ops *ops;
	void *priv;
	const struct dmabuf_token *toks;
	size_t n;
	unsigned int batch;
	struct start_line *go;
	long released;
	double cpu_ns;		/* this thread's CPU time for its share */
};

static void *returner(void *p)
{
	struct ret_arg *a = p;
	double t0;

	start_line_wait(a->go);	/* no spinning: callgrind-friendly */
	t0 = thread_ns();
	for (size_t i = 0; i < a->n; i += a->batch) {
		size_t k = a->n - i < a->batch ? a->n - i : a->batch;
		int r = a->ops->dontneed(a->priv, a->toks + i, (unsigned int)k);

		if (r > 0)
			a->released += r;
	}
	a->cpu_ns = thread_ns() - t0;
	return NULL;
}

int window_invalid;	/* a concurrent figure was refused */

double dontneed_scaling(const struct cfg *c, const struct dmtok_scheme_ops *ops,
			struct net_devmem_dmabuf_binding *b, size_t n, unsigned int threads)
{
	struct dmabuf_token *toks = calloc(n, sizeof(*toks));
	struct ret_arg a[2];
	pthread_t th[2];
	struct start_line go;
	double t0, dt;
	long released = 0;
	void *priv;
	size_t got = 0;

	double max_cpu = 0;
	int err = 0;

	if (!toks || dmtok_scheme_init(ops, &priv)) {
		free(toks);
		return -1;
	}
	while (got < n && !err) {
		struct dmtok_rx_batch batch = { 0 };

		for (unsigned int k = 0; k < BATCH_FRAGS && got < n; k++) {
			struct net_iov *niov = b->vec[got % b->npages];
			u32 tok;

			err = hand_out(ops, priv, &batch, niov, BATCH_FRAGS - k, &tok);
			if (err)
				break;
			toks[got++] = (struct dmabuf_token){ tok, 1 };
		}
		ops->rx_commit(priv, &batch);
	}
	if (err) {	/* the scheme refused a frag: no figure */
		dmtok_scheme_release(ops, priv);
		free(toks);
		return -1;
	}
	start_line_init(&go, threads + 1);
	for (unsigned int i = 0; i < threads; i++) {
		a[i] = (struct ret_arg){ ops, priv, toks + i * (n / threads),
					 i + 1 == threads ? n - i * (n / threads) : n / threads,
					 c->batch, &go, 0, 0 };
		pthread_create(&th[i], NULL, returner, &a[i]);
	}
	t0 = mono_ns();			/* before the release, never after */
	start_line_wait(&go);
	for (unsigned int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		released += a[i].released;
		max_cpu = a[i].cpu_ns > max_cpu ? a[i].cpu_ns : max_cpu;
	}
	dt = mono_ns() - t0;
	start_line_destroy(&go);
	dmtok_scheme_release(ops, priv);
	free(toks);
	if (dt < max_cpu) {
		fprintf(stderr, "dmtok-bench: %s: %u-thread window %.0f ns is shorter than a "
			"thread's own CPU time %.0f ns: figure refused\n", ops->name, threads,
			dt, max_cpu);
		window_invalid = 1;
		return -1;
	}
	return released == (long)n ? (double)n / dt * 1e3 : -1;	/* Mtok/s */
}
