// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dmtok-bench: what each token scheme costs, measured the same way for
 * all. Each RX worker owns a socket and loops like tcp_recvmsg_dmabuf()
 * plus a real client: 17-frag skbs (reserve a token, take the
 * pp_ref_count, record it, commit), tokens handed back with
 * SO_DEVMEM_DONTNEED in batches of 128 one-token entries (as ncdevmem
 * does). Costs are per-thread CPU time per frag -- the quantity the
 * review's rx-worker CPU% measures -- split into the recvmsg side and the
 * dontneed side. Runs interleave the schemes; every figure is a median
 * with its min-max over the runs, and ratios (against the xarray scheme
 * and against a floor measured in the same run: a scheme that only does
 * the two unavoidable atomics, pp_ref_count up, and down with
 * dec_if_positive) are medians of per-run ratios. Then memory per socket,
 * close time, 1-vs-2-thread dontneed on one socket, and the review's
 * CPU-saving prediction next to the 4.9 points kperf measured.
 *
 * Every niov in use carries one base reference for the whole run (the
 * skb's), so a put never recycles a page: only token work is timed.
 * Timing: the worker's whole loop and each dontneed call in thread CPU
 * time (the cost of a clock-read pair, calibrated at start, subtracted);
 * the recvmsg side is the difference, so the "recv" column includes the
 * loop's own bookkeeping, which the floor shows. Close and the 1-vs-2
 * thread test use the monotonic clock (wall time).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libutil.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "dmtok.h"
#include "dmtok/kernel.h"

/*
 * Instruction counts (-C): callgrind's client requests, no-ops when not
 * under valgrind. Without valgrind's header the mode is refused.
 */
#ifdef DMTOK_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#define HAVE_COUNT	1
#else
#define HAVE_COUNT	0
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(s)	((void)(s))
#endif

#define BATCH_FRAGS	17	/* MAX_SKB_FRAGS */
#define MAX_WORKERS	64

#ifdef CLOCK_THREAD_CPUTIME_ID
#define THREAD_CLOCK		CLOCK_THREAD_CPUTIME_ID
#define THREAD_CLOCK_NAME	"thread CPU time"
#else
#define THREAD_CLOCK		CLOCK_PROCESS_CPUTIME_ID
#define THREAD_CLOCK_NAME	"process CPU time (no thread CPU clock here: use -w 1)"
#endif

/*
 * A start line for threads: pthread_barrier_t is optional in POSIX (macOS
 * has none), so a mutex and a condition variable, released once.
 */
struct start_line {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int waiting, parties;
	int go;
};

static void start_line_init(struct start_line *l, unsigned int parties)
{
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->waiting = 0;
	l->parties = parties;
	l->go = 0;
}

/* Every party waits here; the last to arrive releases them all. */
static void start_line_wait(struct start_line *l)
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

static void start_line_destroy(struct start_line *l)
{
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
}

struct cfg {
	unsigned int workers;
	uint64_t dmabuf_size;
	uint64_t frags;		/* per worker per run */
	unsigned int runs;
	unsigned int batch;	/* tokens per dontneed */
	unsigned int outstanding;	/* tokens held before returning */
	int random_pages;
	uint64_t seed;
	const char *only;	/* one scheme (plus the baselines), or NULL: all */
	FILE *csv;
	int quiet;
	int fixed;		/* callgrind mode: one run, no warm-up */
	size_t scale_tokens;	/* tokens in the dontneed-scaling test */
	int workers_default;	/* -w not given */
	int count;		/* -C: 1 counts the recv side, 2 the dontneed side */
	enum dmtok_kernel kernel;	/* --kernel: the end-to-end nets' profile */
	const char *kernel_name;
};

enum { COUNT_RECV = 1, COUNT_DONTNEED };

/* ---- the floor: two atomics per frag, nothing else ---- */
static struct net_devmem_dmabuf_binding *floor_binding;

static int floor_init(void **p)
{
	*p = NULL;
	return 0;
}

static int floor_reserve(void *p, struct dmtok_rx_batch *b, struct net_iov *n,
			 unsigned int m, u32 *t)
{
	(void)p;
	(void)b;
	(void)m;
	*t = net_iov_page_index(n);
	return 0;
}

static void floor_taken(void *p, struct dmtok_rx_batch *b, struct net_iov *n, u32 t)
{
	(void)p;
	(void)b;
	(void)n;
	(void)t;
}

static void floor_commit(void *p, struct dmtok_rx_batch *b)
{
	(void)p;
	(void)b;
}

static int floor_dontneed(void *p, const struct dmabuf_token *t, unsigned int n)
{
	int ret = 0;

	(void)p;
	for (unsigned int i = 0; i < n; i++)
		for (u32 j = 0; j < t[i].token_count; j++)
			ret += atomic_long_dec_if_positive(&net_devmem_binding_niov(
				floor_binding, t[i].token_start + j)->pp_ref_count) >= 0;
	return ret;
}

static void floor_release(void *p)
{
	(void)p;
}

static void floor_stats(void *p, struct dmtok_scheme_stats *s)
{
	(void)p;
	(void)s;
}

static int floor_each(void *p, dmtok_ref_cb cb, void *a)
{
	(void)p;
	(void)cb;
	(void)a;
	return 0;
}

/*
 * The ops the direct runs call, with the optional ones a scheme left out
 * filled with the floor's no-ops: the hot loops call them unconditionally,
 * so a scheme with every op costs what it did before they were optional.
 */
static const struct dmtok_scheme_ops *with_stubs(const struct dmtok_scheme_ops *ops,
						 struct dmtok_scheme_ops *o)
{
	*o = *ops;
	if (!o->rx_taken)
		o->rx_taken = floor_taken;
	if (!o->rx_commit)
		o->rx_commit = floor_commit;
	if (!o->stats)
		o->stats = floor_stats;
	return o;
}

/* Not registered: the bench's own baseline, never a socket's scheme. */
static const struct dmtok_scheme_ops floor_ops = {
	.version = DMTOK_SCHEME_VERSION, .name = "floor",
	.init = floor_init, .rx_reserve = floor_reserve, .rx_taken = floor_taken,
	.rx_commit = floor_commit, .dontneed = floor_dontneed,
	.release_all = floor_release, .stats = floor_stats, .for_each_ref = floor_each,
};

#define MAX_SCHEMES	66

static uint64_t xs(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/*
 * What tcp_recvmsg_dmabuf() does per frag handed out: reserve a token,
 * take the user's pp_ref_count, record it. 0 or the scheme's -errno.
 */
static inline int hand_out(const struct dmtok_scheme_ops *ops, void *priv,
			   struct dmtok_rx_batch *batch, struct net_iov *niov,
			   unsigned int left, u32 *tok)
{
	int err = ops->rx_reserve(priv, batch, niov, left, tok);

	if (err)
		return err;
	atomic_long_inc(&niov->pp_ref_count);
	ops->rx_taken(priv, batch, niov, *tok);
	return 0;
}

static double thread_ns(void)
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

static double mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Thread CPU time is read with a syscall; the cost of two back-to-back
 * reads (median of many) is subtracted from every bracketed interval.
 */
static double clock_pair_ns;

static void calibrate_clock(void)
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

struct worker {
	pthread_t th;
	const struct cfg *c;
	const struct dmtok_scheme_ops *ops;
	struct net_devmem_dmabuf_binding *b;
	unsigned int id;
	uint64_t seed;
	const uint32_t *seq;	/* pages in this order (an e2e run's), or NULL */
	double rx_ns, dn_ns;	/* CPU ns spent in each side */
	uint64_t dn_calls;
	uint64_t frags, released;
	uint64_t mem;
	uint64_t claims, claimed;	/* a "claims" counter, and the tokens released by then */
	int err;
};

/* A scheme's "claims" counter (locked instructions its dontneeds spent), or 0. */
static uint64_t stat_claims(const struct dmtok_scheme_stats *st)
{
	for (unsigned int i = 0; i < st->ncounters && i < DMTOK_SCHEME_MAX_COUNTERS; i++)
		if (st->counters[i].name && !strcmp(st->counters[i].name, "claims"))
			return st->counters[i].value;
	return 0;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	const struct cfg *c = w->c;
	const struct dmtok_scheme_ops *ops = w->ops;
	struct net_devmem_dmabuf_binding *b = w->b;
	struct dmabuf_token *toks;
	struct dmtok_scheme_stats st = { 0 };
	uint64_t span = b->npages / c->workers, base = span * w->id, next = 0;
	uint64_t s = w->seed | 1;
	unsigned int held = 0;
	void *priv;

	toks = calloc(c->outstanding + BATCH_FRAGS, sizeof(*toks));
	if (!toks || dmtok_scheme_init(ops, &priv)) {
		w->err = ENOMEM;
		free(toks);
		return NULL;
	}
	double start = thread_ns();

	while (w->frags < c->frags) {
		struct dmtok_rx_batch batch = { 0 };

		if (c->count == COUNT_RECV)
			CALLGRIND_TOGGLE_COLLECT;
		for (unsigned int k = 0; k < BATCH_FRAGS; k++) {
			uint64_t page = w->seq ? w->seq[w->frags + k] :
					c->random_pages ? xs(&s) % b->npages : base + (next++ % span);
			struct net_iov *niov = b->vec[page];
			u32 tok;

			if (hand_out(ops, priv, &batch, niov, BATCH_FRAGS - k, &tok)) {
				w->err = EIO;
				break;
			}
			toks[held++] = (struct dmabuf_token){ tok, 1 };
		}
		ops->rx_commit(priv, &batch);
		if (c->count == COUNT_RECV)
			CALLGRIND_TOGGLE_COLLECT;
		w->frags += BATCH_FRAGS;
		if (w->err)
			break;
		/* the client returns the oldest tokens, c->batch per call */
		while (held >= c->outstanding) {
			double t1 = thread_ns();
			int r;

			if (c->count == COUNT_DONTNEED)
				CALLGRIND_TOGGLE_COLLECT;
			r = ops->dontneed(priv, toks, c->batch);
			if (c->count == COUNT_DONTNEED)
				CALLGRIND_TOGGLE_COLLECT;
			w->dn_ns += thread_ns() - t1 - clock_pair_ns;
			w->dn_calls++;
			if (r < 0) {
				w->err = -r;
				break;
			}
			w->released += (unsigned int)r;
			held -= c->batch;
			memmove(toks, toks + c->batch, held * sizeof(*toks));
		}
		if (w->err)
			break;
	}
	/*
	 * recv side = total - dontneed - the clock reads themselves (about one
	 * calibrated pair per dontneed call outside the brackets as inside).
	 */
	w->rx_ns = thread_ns() - start - w->dn_ns - 2 * clock_pair_ns * (double)w->dn_calls;
	ops->stats(priv, &st);
	w->mem = st.mem_bytes;
	w->claims = stat_claims(&st);
	w->claimed = w->released;
	/* give the rest back so the next run starts clean */
	for (unsigned int i = 0; i < held; i += c->batch) {
		unsigned int n = held - i < c->batch ? held - i : c->batch;

		int r = ops->dontneed(priv, toks + i, n);

		if (r > 0)
			w->released += (unsigned int)r;
	}
	dmtok_scheme_release(ops, priv);
	free(toks);
	return NULL;
}

/* One scheme's figures, one entry per run (runs interleave the schemes). */
struct result {
	const struct dmtok_scheme_ops *ops;
	const char *name;
	double rx[64], dn[64], rt[64];	/* CPU ns per frag */
	double close_us[64];		/* c->outstanding held */
	double scale1[64], scale2[64];	/* dontneed Mtok/s, 1 and 2 threads, one socket */
	double e2e[64];			/* through the socket face, CPU ns per frag */
	double e2e_direct[64];		/* the same frags' pages by direct ops */
	double per_claim[64];		/* tokens released per "claims" count; 0: none */
	uint64_t mem;			/* per socket, bytes */
	int err;
};

/* median, min and max of @n values (copied: the runs keep their order) */
struct spread {
	double med, lo, hi;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct spread spread_of(const double *v, unsigned int n)
{
	double t[64];

	memcpy(t, v, n * sizeof(*t));
	qsort(t, n, sizeof(*t), cmp_double);
	return (struct spread){ n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2,
				t[0], t[n - 1] };
}

/* (max - min) / median: above SPREAD_WARN a row is noise, not a result */
#define SPREAD_WARN	0.15
static double rel_spread(struct spread s)
{
	return s.med > 0 ? (s.hi - s.lo) / s.med : 0;
}

/* Close cost: a socket holding c->outstanding random pages, timed release_all. */
static double close_once(const struct dmtok_scheme_ops *ops, struct net_devmem_dmabuf_binding *b,
			 unsigned int outstanding, uint64_t *s)
{
	struct dmtok_rx_batch batch = { 0 };
	void *priv;
	double t0;

	if (dmtok_scheme_init(ops, &priv))
		return -1;
	for (unsigned int k = 0; k < outstanding; k++) {
		struct net_iov *niov = b->vec[xs(s) % b->npages];
		u32 tok;

		if (batch.idx == BATCH_FRAGS)
			ops->rx_commit(priv, &batch);
		if (hand_out(ops, priv, &batch, niov, BATCH_FRAGS, &tok))
			break;
	}
	ops->rx_commit(priv, &batch);
	t0 = mono_ns();
	dmtok_scheme_release(ops, priv);
	return (mono_ns() - t0) / 1e3;
}

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

static int window_invalid;	/* a concurrent figure was refused */

static double dontneed_scaling(const struct cfg *c, const struct dmtok_scheme_ops *ops,
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

/*
 * End to end: the same work through the socket face, as a client sees it
 * -- dmtok_recvmsg() with real cmsgs, dmtok_setsockopt(SO_DEVMEM_DONTNEED)
 * 128 tokens at a time -- one socket per worker, every call through the
 * fd table (a lock-free lookup, as the kernel's fdget()). A separate net
 * with a real NIC path feeds the sockets; only the socket calls are timed
 * (thread CPU time), the NIC's work is not.
 */
struct e2e_worker {
	pthread_t th;
	const struct cfg *c;
	struct dmtok_net *net;
	int fd, flow;
	double ns;
	uint64_t frags;
	uint32_t *pages;	/* each frag's dmabuf page, in the order received */
	int err;
};

/* Returns the oldest @k of the @held tokens with one SO_DEVMEM_DONTNEED. */
static int e2e_return(struct e2e_worker *w, struct dmabuf_token *toks,
		      unsigned int *held, unsigned int k)
{
	if (dmtok_setsockopt(w->net, w->fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, toks,
			     k * sizeof(*toks)) != (int)k)
		return EIO;
	memmove(toks, toks + k, (*held - k) * sizeof(*toks));
	*held -= k;
	return 0;
}

static void *e2e_run(void *arg)
{
	union { char c[CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * (BATCH_FRAGS + 1)]; struct cmsghdr a; } ctl;
	struct e2e_worker *w = arg;
	struct dmabuf_token *toks = calloc(w->c->outstanding + BATCH_FRAGS, sizeof(*toks));
	static __thread char buf[BATCH_FRAGS * 4096];
	unsigned int held = 0;

	if (!toks) {
		w->err = ENOMEM;
		return NULL;
	}
	while (w->frags < w->c->frags && !w->err) {
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.c, .msg_controllen = sizeof(ctl) };
		struct cmsghdr *cm;
		double t0;
		ssize_t r;

		if (dmtok_nic_rx(w->net, w->flow, BATCH_FRAGS * 4096) != BATCH_FRAGS * 4096) {
			w->err = ENOBUFS;
			break;
		}
		t0 = thread_ns();
		r = dmtok_recvmsg(w->net, w->fd, &msg, MSG_SOCK_DEVMEM);
		if (r != BATCH_FRAGS * 4096) {
			w->err = r < 0 ? errno : EIO;
			break;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			struct dmabuf_cmsg dc;

			if (cm->cmsg_type != SCM_DEVMEM_DMABUF)
				continue;
			memcpy(&dc, CMSG_DATA(cm), sizeof(dc));
			toks[held++] = (struct dmabuf_token){ dc.frag_token, 1 };
			w->pages[w->frags++] = (uint32_t)(dc.frag_offset / 4096);
		}
		while (held >= w->c->outstanding && !w->err)
			w->err = e2e_return(w, toks, &held, min(held, w->c->batch));
		w->ns += thread_ns() - t0 - clock_pair_ns;
	}
	while (held && !w->err)
		w->err = e2e_return(w, toks, &held, min(held, w->c->batch));
	free(toks);
	return NULL;
}

/* What the workers of one run did, summed. */
struct totals {
	double rx_ns, dn_ns;	/* CPU ns on each side */
	uint64_t frags, mem;
	uint64_t claims, claimed;
	int err;		/* a worker's error, or EIO: a token did not come back */
};

/*
 * The workers of one run, one per socket, started together and joined:
 * with @seq, worker i takes the pages seq[i] received (an e2e replay),
 * else the configured order from the run's seed. -1 if a thread could not
 * be started (the ones that were are joined).
 */
static int run_workers(const struct cfg *c, const struct dmtok_scheme_ops *ops,
		       struct net_devmem_dmabuf_binding *b, unsigned int run,
		       const struct e2e_worker *seq, struct totals *t)
{
	struct worker w[MAX_WORKERS];
	unsigned int n;

	*t = (struct totals){ 0 };
	for (n = 0; n < c->workers; n++) {
		w[n] = (struct worker){ .c = c, .ops = ops, .b = b, .id = n,
					.seed = c->seed + n * 7919 + run,
					.seq = seq ? seq[n].pages : NULL };
		if (pthread_create(&w[n].th, NULL, worker_run, &w[n]))
			break;
	}
	for (unsigned int i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].err)
			t->err = w[i].err;
		t->rx_ns += w[i].rx_ns;
		t->dn_ns += w[i].dn_ns;
		t->frags += w[i].frags;
		t->mem = w[i].mem;
		t->claims += w[i].claims;
		t->claimed += w[i].claimed;
		if (w[i].released != w[i].frags && !t->err)
			t->err = EIO;	/* a token that did not come back */
	}
	return n == c->workers ? 0 : -1;
}

/*
 * Direct ops over @b's niovs in the pages @w received, the same batches
 * and returns: what the socket face's run cost without the socket face.
 * CPU ns per frag, or -1. The pages carry the skb's base reference (1)
 * meanwhile, as in the main runs.
 */
static double e2e_direct(const struct cfg *c, const struct dmtok_scheme_ops *ops,
			 struct net_devmem_dmabuf_binding *b, const struct e2e_worker *e)
{
	struct totals t;
	int err;

	for (uint32_t p = 0; p < b->npages; p++)
		atomic_long_set(&b->vec[p]->pp_ref_count, 1);
	err = run_workers(c, ops, b, 0, e, &t);
	for (uint32_t p = 0; p < b->npages; p++)
		atomic_long_set(&b->vec[p]->pp_ref_count, 0);
	return err || t.err || !t.frags ? -1 : (t.rx_ns + t.dn_ns) / (double)t.frags;
}

/*
 * One end-to-end run of one scheme: the configured workload (dmabuf size,
 * workers, batch, held) through dmtok_recvmsg()/dmtok_setsockopt(), then
 * the same frags' pages again through the scheme's ops directly, on the
 * same binding: the difference of the two is the socket face's cost, the
 * work and the cache footprint being the same. CPU ns per frag in *@sock
 * and *@direct; -1 if the run failed. Sequential pages only: the NIC
 * takes pages in the page pool's order, so -R cannot go through it.
 */
static void e2e_once(const struct cfg *c, const struct dmtok_scheme_ops *ops,
		     double *sock, double *direct)
{
	struct dmtok_netdev_opts o = { .nqueues = c->workers, .mss = 4096, .pool_ring_size = 256 };
	struct net_devmem_dmabuf_binding *b = NULL;
	unsigned int q[MAX_WORKERS];
	struct e2e_worker w[MAX_WORKERS];
	struct dmtok_scheme_info info;
	struct dmtok_net *net;
	double ns = 0, frags = 0;
	int ifi, d, id = -1, err = 0;
	bool users;

	*sock = *direct = -1;
	if (dmtok_scheme_info(ops->name, &info) || dmtok_net_create(&net))
		return;
	if (dmtok_net_set_kernel(net, c->kernel)) {
		dmtok_net_destroy(net);
		return;
	}
	for (unsigned int i = 0; i < c->workers; i++)
		q[i] = i;
	ifi = dmtok_netdev_create(net, &o);
	d = dmtok_dmabuf_create(net, c->dmabuf_size, 4096, 0);
	if (ifi < 0 || d < 0 || (id = dmtok_bind_rx(net, ifi, d, q, c->workers, info.bind_flags)) < 0) {
		dmtok_net_destroy(net);
		return;
	}
	b = dmtok_binding_lookup(net, (uint32_t)id);	/* kept past the unbind */
	for (unsigned int i = 0; i < c->workers; i++) {
		w[i] = (struct e2e_worker){ .c = c, .net = net };
		w[i].pages = calloc(c->frags + BATCH_FRAGS, sizeof(*w[i].pages));
		w[i].fd = dmtok_socket(net, SOCK_STREAM, ops->name);
		w[i].flow = dmtok_flow_create(net, ifi, i, w[i].fd);
		if (!w[i].pages || w[i].fd < 0 || w[i].flow < 0)
			err = 1;
	}
	for (unsigned int i = 0; i < c->workers && !err; i++)
		pthread_create(&w[i].th, NULL, e2e_run, &w[i]);
	for (unsigned int i = 0; i < c->workers && !err; i++) {
		pthread_join(w[i].th, NULL);
		err |= w[i].err;
		ns += w[i].ns;
		frags += (double)w[i].frags;
	}
	for (unsigned int i = 0; i < c->workers; i++)
		dmtok_close(net, w[i].fd);
	/*
	 * Every niov home and out of the page pools: the direct replay's turn.
	 * A user of the binding (v10) is kept across the unbind, as a socket
	 * would be, so a manual-release scheme can still take its frags.
	 */
	users = net_devmem_dmabuf_binding_user_get(b);
	dmtok_unbind(net, (uint32_t)id);
	if (!err && frags) {
		*sock = ns / frags;
		*direct = e2e_direct(c, ops, b, w);
	}
	if (users)
		net_devmem_dmabuf_binding_user_put(b);
	dmtok_binding_put(b);
	for (unsigned int i = 0; i < c->workers; i++)
		free(w[i].pages);
	if (dmtok_net_destroy(net))
		*sock = *direct = -1;
}

/* One run of one scheme: all workers, then close, then the scaling test. */
static int run_once(const struct cfg *c, struct result *r,
		    struct net_devmem_dmabuf_binding *b, unsigned int run, size_t scale_n)
{
	const struct dmtok_scheme_ops *ops = r->ops;
	uint64_t s = c->seed + run, frags;
	struct totals t;

	if (run_workers(c, ops, b, run, NULL, &t))
		return -1;
	if (t.err)
		r->err = t.err;
	r->mem = t.mem;
	frags = t.frags;
	if (c->count) {	/* one callgrind dump per scheme: "SIDE SCHEME FRAGS" */
		char label[128];

		snprintf(label, sizeof(label), "%s %s %llu", c->count == COUNT_RECV ? "recv" :
			 "dontneed", r->name, (unsigned long long)frags);
		CALLGRIND_DUMP_STATS_AT(label);
	}
	if (!frags)
		frags = 1;
	r->rx[run] = t.rx_ns / (double)frags;
	r->dn[run] = t.dn_ns / (double)frags;
	r->rt[run] = r->rx[run] + r->dn[run];
	r->per_claim[run] = t.claims ? (double)t.claimed / (double)t.claims : 0;
	r->close_us[run] = close_once(ops, b, c->outstanding, &s);
	/* wall-clock scaling means nothing under callgrind: skipped in -1 */
	r->scale1[run] = c->fixed ? 0 : dontneed_scaling(c, ops, b, scale_n, 1);
	r->scale2[run] = c->fixed ? 0 : dontneed_scaling(c, ops, b, scale_n, 2);
	/* the floor is no socket scheme: it has no end-to-end figure */
	r->e2e[run] = r->e2e_direct[run] = 0;
	if (!c->fixed && !c->random_pages && ops != &floor_ops)
		e2e_once(c, ops, &r->e2e[run], &r->e2e_direct[run]);
	return 0;
}

/*
 * Rounds @from..@to-1: each round runs every scheme once, so a ratio is
 * taken between figures measured close in time, per round, and
 * summarised as the median of the per-round ratios.
 */
static int run_rounds(const struct cfg *c, struct result *res, unsigned int nlist,
		      struct net_devmem_dmabuf_binding *b, unsigned int from, unsigned int to)
{
	for (unsigned int run = from; run < to; run++) {
		for (unsigned int i = 0; i < nlist; i++) {
			size_t n = c->scale_tokens;

			if (res[i].ops->max_outstanding && n > res[i].ops->max_outstanding)
				n = res[i].ops->max_outstanding;
			if (run_once(c, &res[i], b, run, n))
				return -1;
		}
		if (!c->quiet && isatty(2))
			fprintf(stderr, "\r  run %u/%u", run + 1, to);
	}
	if (!c->quiet && isatty(2))
		fprintf(stderr, "\r%40s\r", "");
	return 0;
}

/* Does any row's round trip, or its ratio to the floor, spread too much? */
static bool any_noisy(const struct cfg *c, const struct result *res, unsigned int nlist)
{
	for (unsigned int i = 0; i < nlist; i++) {
		double vf[64];

		if (res[i].err)
			continue;
		for (unsigned int run = 0; run < c->runs; run++)
			vf[run] = res[i].rt[run] / res[0].rt[run];
		if (rel_spread(spread_of(res[i].rt, c->runs)) > SPREAD_WARN ||
		    (i && rel_spread(spread_of(vf, c->runs)) > SPREAD_WARN))
			return true;
	}
	return false;
}

static void print_machine(const struct cfg *c)
{
	char model[256] = "unknown", line[512];
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "r");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char size[16];

	humanize_number(size, 7, (int64_t)c->dmabuf_size, "B", HN_AUTOSCALE,
			HN_NOSPACE | HN_DECIMAL | HN_IEC_PREFIXES);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');

			if (p) {
				snprintf(model, sizeof(model), "%s", p + 2);
				model[strcspn(model, "\n")] = 0;
			}
			break;
		}
	if (f)
		fclose(f);
	uname(&u);
	printf("machine: %s, %ld online CPUs, %s %s %s\n", model, cpus, u.sysname,
	       u.release, u.machine);
	printf("workload: %u RX workers (one socket each) on %ld CPUs%s, %s dmabuf, "
	       "4 KiB frags, %s pages, dontneed %u tokens per call, %u held, "
	       "%llu frags/worker/run, %u runs (median), seed %llu\n",
	       c->workers, cpus,
	       (long)c->workers > cpus ? " (oversubscribed: CPU time per thread is "
					 "measured, so the figures stay per-frag costs)" :
	       c->workers_default && c->workers < 4 ? " (no more than the CPUs; the review's "
						      "4 workers: -w 4)" : "",
	       size, c->random_pages ? "random" : "sequential",
	       c->batch, c->outstanding, (unsigned long long)c->frags, c->runs,
	       (unsigned long long)c->seed);
	printf("kernel: a production config -- the vocabulary's lockdep is off "
	       "(dmtok_set_kernel_debug(0)); slab poisoning and the atomic-sleep check stay; "
	       "end-to-end nets under the %s profile\n", c->kernel_name);
}

/* strtonum() with the allowed range in the message */
static long long num_arg(int opt, const char *arg, long long lo, long long hi,
			 const char **err)
{
	static char msg[96];
	const char *e = NULL;
	long long v = strtonum(arg, lo, hi, &e);

	if (e) {
		snprintf(msg, sizeof(msg), "%s (allowed %lld..%lld)", e, lo, hi);
		*err = msg;
	}
	(void)opt;
	return v;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: dmtok-bench [options]\n"
"  -w N     RX workers, one socket each (default: 4, or fewer to use no more\n"
"           workers than CPUs; -w 4 is the review's shape on any machine)\n"
"  -s SIZE  dmabuf size, K/M/G suffixes (default 2G)\n"
"  -n N     frags per worker per run (default 1000000)\n"
"  -r N     runs; median [min-max] reported (default 9, at most 64)\n"
"  -b N     tokens per SO_DEVMEM_DONTNEED call (default 128, at most 128)\n"
"  -o N     tokens held before returning (default 128; multiple of -b)\n"
"  -t N     tokens one socket returns in the 1-vs-2-thread test (default 524288,\n"
"           at most the dmabuf's pages: the threads' shares never share a niov)\n"
"  -R       random pages instead of sequential\n"
"  -S SEED  PRNG seed (default 1)\n"
"  -x, --scheme NAME      only this registered scheme (plus the floor and\n"
"           xarray baselines); default: every registered scheme\n"
"  -L, --scheme-lib PATH  load the schemes of a scheme library first\n"
"  -c FILE  append results as CSV to FILE\n"
"  -1       callgrind mode: one run, fixed work, no wall-clock tests\n"
"  -C SIDE  count instructions of one side (recv or dontneed) under callgrind\n"
"           --collect-atstart=no: one dump per scheme (bench/instructions.sh)\n"
"  -k, --kernel VER       the kernel profile of the end-to-end runs' nets\n"
"           (6.12, 6.18, 7.0 or v10, the default): bind rules and errnos\n"
"           follow it; a scheme the profile cannot bind (manual release\n"
"           before v10) has no end-to-end figure; the direct-op figures do\n"
"           not depend on it\n"
"  -q       no progress output\n"
"  -h, --help\n");
}

int main(int argc, char **argv)
{
	struct cfg c = { .workers = 0, .dmabuf_size = 2ull << 30, .frags = 1000000,
			 .runs = 9, .batch = 128, .outstanding = 128, .seed = 1,
			 .scale_tokens = 1u << 19, .kernel = DMTOK_KERNEL_V10, .kernel_name = "v10" };
	static const struct option longopts[] = {
		{ "scheme", required_argument, NULL, 'x' },
		{ "scheme-lib", required_argument, NULL, 'L' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct result res[MAX_SCHEMES];
	static struct dmtok_scheme_ops filled[MAX_SCHEMES];
	const struct dmtok_scheme_ops *list[MAX_SCHEMES], *ops;
	struct dmtok_net *net = NULL;
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	struct net_devmem_dmabuf_binding *b;
	const char *csv = NULL, *err = NULL;
	unsigned int q = 0, i, nlist = 0;
	struct result *xa_res = NULL, *na_res = NULL;
	int warned = 0, done = 0;
	char lerr[512], names[1024];
	int opt, ifi, d, id;

	/* a production kernel's costs: no lockdep (tests keep it on) */
	dmtok_set_kernel_debug(0);

	while ((opt = getopt_long(argc, argv, "w:s:n:r:b:o:t:RS:x:L:c:C:k:1qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'w': c.workers = (unsigned int)num_arg(opt, optarg, 1, MAX_WORKERS, &err); break;
		case 's': if (expand_number(optarg, &c.dmabuf_size)) err = "not a size (K/M/G/T suffixes)"; break;
		case 'n': c.frags = (uint64_t)num_arg(opt, optarg, BATCH_FRAGS, 1ll << 40, &err); break;
		case 'r': c.runs = (unsigned int)num_arg(opt, optarg, 1, 64, &err); break;
		case 'b': c.batch = (unsigned int)num_arg(opt, optarg, 1, 128, &err); break;
		case 'o': c.outstanding = (unsigned int)num_arg(opt, optarg, 1, 1 << 20, &err); break;
		case 't': c.scale_tokens = (size_t)num_arg(opt, optarg, 256, 1 << 24, &err); break;
		case 'R': c.random_pages = 1; break;
		case 'S': c.seed = (uint64_t)num_arg(opt, optarg, 1, 1ll << 62, &err); break;
		case 'x': c.only = optarg; break;
		case 'L':
			if (dmtok_scheme_load(optarg, lerr, sizeof(lerr)) < 0) {
				fprintf(stderr, "dmtok-bench: --scheme-lib: %s\n", lerr);
				return 2;
			}
			break;
		case 'c': csv = optarg; break;
		case '1': c.fixed = 1; c.runs = 1; break;
		case 'C':
			if (!HAVE_COUNT)
				err = "built without valgrind's <valgrind/callgrind.h>";
			else if (!strcmp(optarg, "recv"))
				c.count = COUNT_RECV;
			else if (!strcmp(optarg, "dontneed"))
				c.count = COUNT_DONTNEED;
			else
				err = "not a side: recv or dontneed";
			c.fixed = 1;
			c.runs = 1;
			break;
		case 'q': c.quiet = 1; break;
		case 'k':
			if (dmtok_kernel_parse(optarg, &c.kernel))
				err = "not a kernel profile (6.12, 6.18, 7.0 or v10)";
			c.kernel_name = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (err) {
			fprintf(stderr, "dmtok-bench: -%c %s: %s\n", opt, optarg, err);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "dmtok-bench: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!c.workers) {	/* a default that does not fight itself for CPUs */
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		c.workers = cpus > 0 && cpus < 4 ? (unsigned int)cpus : 4;
		c.workers_default = 1;
	}
	if (c.only && !dmtok_scheme_find(c.only)) {
		fprintf(stderr, "dmtok-bench: unknown scheme '%s' (known: %s)\n", c.only,
			dmtok_scheme_list(names, sizeof(names)));
		return 2;
	}
	if (c.outstanding % c.batch) {
		fprintf(stderr, "dmtok-bench: -o %u is not a multiple of -b %u\n",
			c.outstanding, c.batch);
		return 2;
	}
	if (c.dmabuf_size % 4096 || c.dmabuf_size / 4096 < c.workers) {
		fprintf(stderr, "dmtok-bench: -s must be a multiple of 4 KiB with at least "
			"one page per worker (%u)\n", c.workers);
		return 2;
	}
	/* the floor, upstream xarray, then the scheme(s) asked for */
	list[nlist++] = &floor_ops;
	list[nlist++] = dmtok_scheme_find("xarray");
	for (i = 0; (ops = dmtok_scheme_at(i)) && nlist < MAX_SCHEMES; i++)
		if (strcmp(ops->name, "xarray") && (!c.only || !strcmp(c.only, ops->name)))
			list[nlist++] = ops;
	if (csv && !(c.csv = fopen(csv, "a"))) {
		perror(csv);
		return 1;
	}

	if (dmtok_net_create(&net) ||
	    (ifi = dmtok_netdev_create(net, &o)) < 0 ||
	    (d = dmtok_dmabuf_create(net, c.dmabuf_size, 4096, 0)) < 0 ||
	    (id = dmtok_bind_rx(net, ifi, d, &q, 1, DMTOK_BIND_NO_AUTORELEASE)) < 0) {
		fprintf(stderr, "dmtok-bench: cannot set up a %llu-byte binding\n",
			(unsigned long long)c.dmabuf_size);
		if (net)
			dmtok_net_destroy(net);
		if (c.csv)
			fclose(c.csv);
		return 1;
	}
	b = dmtok_binding_lookup(net, (uint32_t)id);
	floor_binding = b;
	if (c.scale_tokens > b->npages)	/* one niov per token: no false sharing */
		c.scale_tokens = b->npages;
	for (uint32_t p = 0; p < b->npages; p++)	/* the skb's base reference */
		atomic_long_set(&b->vec[p]->pp_ref_count, 1);

	calibrate_clock();
	print_machine(&c);
	printf("clock: %s, %.0f ns per read pair (subtracted)\n", THREAD_CLOCK_NAME, clock_pair_ns);
	if (c.csv && ftell(c.csv) == 0)
		fprintf(c.csv, "scheme,workers,dmabuf_bytes,random,batch,outstanding,seed,"
			"rx_ns,dontneed_ns,roundtrip_ns,roundtrip_min,roundtrip_max,"
			"x_floor,x_floor_min,x_floor_max,mem_bytes,close_us\n");
	for (i = 0; i < nlist; i++) {
		res[i].ops = with_stubs(list[i], &filled[i]);
		res[i].name = list[i]->name;
		if (!strcmp(list[i]->name, "xarray"))
			xa_res = &res[i];
		if (!strcmp(list[i]->name, "niov-array"))
			na_res = &res[i];
	}
	/*
	 * Runs interleave the schemes (run 1 of each, then run 2 of each...),
	 * so a ratio is taken between figures measured close in time, per
	 * run, and summarised as the median of the per-run ratios.
	 */
	if (run_rounds(&c, res, nlist, b, 0, c.runs))
		goto out;
	/*
	 * A noisy row is not printed as it is: the rounds run again (as many
	 * more, up to 64 in all) and every row is summarised over all of them.
	 */
	if (!c.fixed && c.runs > 1 && any_noisy(&c, res, nlist) && c.runs < 64) {
		unsigned int more = c.runs < 64 - c.runs ? c.runs : 64 - c.runs;

		if (run_rounds(&c, res, nlist, b, c.runs, c.runs + more))
			goto out;
		printf("(%u more runs: a row spread more than %.0f%% over the first %u)\n",
		       more, SPREAD_WARN * 100, c.runs);
		c.runs += more;
	}
	printf("\nper frag, CPU ns: median [min-max] of %u runs; cost ratios are medians of the\n"
	       "per-run ratios (x floor: times the two-atomic floor's cost; x xarray: times\n"
	       "upstream's cost, so 0.25 means four times faster)\n", c.runs);
	printf("%-24s %20s %18s %18s %8s %9s %10s %9s\n", "scheme", "round trip",
	       "x floor", "x xarray", "recv", "dontneed", "mem/sock", "close us");
	for (i = 0; i < nlist; i++) {
		struct result *r = &res[i];
		double vf[64], vx[64];
		struct spread rt, rf, rxa, rx, dn, cl;
		char mem[16];
		int noisy;

		if (r->err) {
			printf("%-24s failed: %s\n", r->name, strerror(r->err));
			continue;
		}
		for (unsigned int run = 0; run < c.runs; run++) {
			vf[run] = r->rt[run] / res[0].rt[run];
			vx[run] = r->rt[run] / xa_res->rt[run];
		}
		rt = spread_of(r->rt, c.runs);
		rf = spread_of(vf, c.runs);
		rxa = spread_of(vx, c.runs);
		rx = spread_of(r->rx, c.runs);
		dn = spread_of(r->dn, c.runs);
		cl = spread_of(r->close_us, c.runs);
		humanize_number(mem, 7, (int64_t)r->mem, "B", HN_AUTOSCALE,
				HN_NOSPACE | HN_DECIMAL | HN_IEC_PREFIXES);
		noisy = c.runs > 1 && (rel_spread(rt) > SPREAD_WARN ||
				       (i && rel_spread(rf) > SPREAD_WARN));
		printf("%-24s %6.1f [%5.1f-%5.1f] %5.2f [%4.2f-%4.2f] %5.2f [%4.2f-%4.2f] %8.1f %9.1f %10s %9.1f%s\n",
		       r->name, rt.med, rt.lo, rt.hi, rf.med, rf.lo, rf.hi,
		       rxa.med, rxa.lo, rxa.hi, rx.med, dn.med, mem, cl.med,
		       noisy ? "  (noisy)" : "");
		if (noisy)
			warned++;
		if (c.csv)
			fprintf(c.csv, "%s,%u,%llu,%d,%u,%u,%llu,%.2f,%.2f,%.2f,%.2f,%.2f,%.3f,%.3f,%.3f,%llu,%.2f\n",
				r->name, c.workers, (unsigned long long)c.dmabuf_size,
				c.random_pages, c.batch, c.outstanding,
				(unsigned long long)c.seed, rx.med, dn.med, rt.med, rt.lo, rt.hi,
				rf.med, rf.lo, rf.hi, (unsigned long long)r->mem, cl.med);
	}
	if (warned)
		printf("WARNING: %d row(s) spread more than %.0f%% between runs (min-max over the "
		       "median): this machine was noisy; rerun before reading them as results\n",
		       warned, SPREAD_WARN * 100);
	if (!c.fixed) {
		printf("\ndontneed on one socket: tokens returned by 1 and by 2 threads at once\n"
		       "(wall clock from before the threads are released; Mtok/s, median [min-max];\n"
		       "x2/x1: median of the per-run ratios)\n");
		for (i = 1; i < nlist; i++) {
			struct result *r = &res[i];
			double ratio[64];
			struct spread a, b2, qr;
			int bad = 0;

			if (r->err)
				continue;
			for (unsigned int run = 0; run < c.runs; run++) {
				bad |= r->scale1[run] <= 0 || r->scale2[run] <= 0;
				ratio[run] = r->scale1[run] > 0 ? r->scale2[run] / r->scale1[run] : 0;
			}
			if (bad) {
				printf("  %-24s no figure (a window was refused or the scheme could not "
				       "hold the tokens)\n", r->name);
				continue;
			}
			a = spread_of(r->scale1, c.runs);
			b2 = spread_of(r->scale2, c.runs);
			qr = spread_of(ratio, c.runs);
			printf("  %-24s 1 thread %6.1f [%5.1f-%5.1f]  2 threads %6.1f [%5.1f-%5.1f]"
			       "  x%.2f [%.2f-%.2f]\n", r->name, a.med, a.lo, a.hi,
			       b2.med, b2.lo, b2.hi, qr.med, qr.lo, qr.hi);
		}
	}
	for (i = 1; i < nlist; i++) {
		struct spread pc = spread_of(res[i].per_claim, c.runs);

		if (res[i].err || pc.med <= 0)
			continue;
		printf("\ntokens returned per claim (%s: one locked instruction each), "
		       "median [min-max]: %.1f [%.1f-%.1f]\n", res[i].name, pc.med, pc.lo, pc.hi);
	}
	if (!c.fixed && c.random_pages) {
		printf("\nend to end through the socket face: not measured with -R -- the NIC takes\n"
		       "pages in the page pool's order, so random pages cannot go through it\n");
	} else if (!c.fixed) {
		printf("\nend to end through the socket face (dmtok_recvmsg with cmsgs, dmtok_setsockopt,\n"
		       "the fd table), CPU ns per frag, median [min-max]; socket face: minus the same\n"
		       "frags' pages by direct ops on the same binding in the same run (same work, same\n"
		       "cache footprint), median of the per-run differences\n");
		for (i = 1; i < nlist; i++) {
			struct result *r = &res[i];
			double over[64];
			struct spread e, dr, ov;
			int bad = 0;

			if (r->err)
				continue;
			for (unsigned int run = 0; run < c.runs; run++) {
				bad |= r->e2e[run] <= 0 || r->e2e_direct[run] <= 0;
				over[run] = r->e2e[run] - r->e2e_direct[run];
			}
			if (bad && c.kernel != DMTOK_KERNEL_V10 &&
			    (r->ops->bind_flags & DMTOK_BIND_NO_AUTORELEASE)) {
				printf("  %-24s no figure (the %s profile cannot bind it: manual "
				       "release is the series' v10)\n", r->name, c.kernel_name);
				continue;
			}
			if (bad) {
				printf("  %-24s no figure (a run through the socket face failed)\n", r->name);
				continue;
			}
			e = spread_of(r->e2e, c.runs);
			dr = spread_of(r->e2e_direct, c.runs);
			ov = spread_of(over, c.runs);
			printf("  %-24s %7.1f [%6.1f-%6.1f]  direct %6.1f  socket face %+6.1f [%+.1f..%+.1f]\n",
			       r->name, e.med, e.lo, e.hi, dr.med, ov.med, ov.lo, ov.hi);
		}
	}
	if (na_res && !na_res->err && !c.fixed) {
		/* the review: 45 GB/s of 4 KiB frags = 11 M tokens/s over 4 workers */
		double per_worker = 45e9 / 4096 / 4;
		double xa_rt = spread_of(xa_res->rt, c.runs).med;
		double na_rt = spread_of(na_res->rt, c.runs).med;
		double pts = per_worker * (xa_rt - na_rt) * 1e-9 * 100;

		printf("\nreview check: predicted rx-worker CPU saving of niov-array over xarray\n"
		       "  = (45e9 B/s / 4096 B / 4 workers) x (%.1f - %.1f) ns x 100%%\n", xa_rt, na_rt);
		if (pts >= 0)
			printf("  = %.2f percentage points   (kperf in the review: 83.6%% -> 78.7%%, "
			       "4.9 points)\n", pts);
		else
			printf("  = no saving: niov-array costs more than xarray in this workload\n");
	}
	done = 1;
out:
	if (c.csv)
		fclose(c.csv);
	for (uint32_t p = 0; p < b->npages; p++)
		atomic_long_set(&b->vec[p]->pp_ref_count, 0);
	dmtok_binding_put(b);
	dmtok_net_destroy(net);
	if (!done)
		fprintf(stderr, "dmtok-bench: a run could not be made\n");
	return !done || window_invalid ? 1 : 0;
}
