/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * dmtok-bench's shared pieces: the configuration, the start line threads
 * wait at, the clocks, the spread of a figure over runs, the PRNG, the
 * floor scheme, and the one step every experiment repeats per frag
 * (hand_out(): what tcp_recvmsg_dmabuf() does for a frag). The
 * experiments each have a file: cost.c (the direct-ops cost per frag, and
 * close), scaling.c (dontneed by one and by two threads on one socket),
 * e2e.c (through the socket face); report.c prints; dmtok-bench.c reads
 * the options and runs the rounds.
 */
#ifndef DMTOK_BENCH_H
#define DMTOK_BENCH_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#define MAX_SCHEMES	66

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
void start_line_init(struct start_line *l, unsigned int parties);
void start_line_wait(struct start_line *l);
void start_line_destroy(struct start_line *l);

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

/* the clocks (common.c): thread CPU time, monotonic, and a read pair's cost */
double thread_ns(void);
double mono_ns(void);
extern double clock_pair_ns;
void calibrate_clock(void);

/* median, min and max of @n values (copied: the runs keep their order) */
struct spread {
	double med, lo, hi;
};
struct spread spread_of(const double *v, unsigned int n);
/* (max - min) / median: above SPREAD_WARN a row is noise, not a result */
#define SPREAD_WARN	0.15
double rel_spread(struct spread s);

/* xorshift64*: the workload's page order, from the seed */
static inline uint64_t xs(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/*
 * What tcp_recvmsg_dmabuf() does per frag handed out: reserve a token,
 * take the user's pp_ref_count (one per frag, or the scheme's one per
 * niov for shared urefs, as the model's recvmsg), record it. 0 or the
 * scheme's -errno.
 */
static inline int hand_out(const struct dmtok_scheme_ops *ops, void *priv,
			   struct dmtok_rx_batch *batch, struct net_iov *niov,
			   unsigned int left, u32 *tok)
{
	int err = ops->rx_reserve(priv, batch, niov, left, tok);

	if (err)
		return err;
	if (!(ops->flags & DMTOK_SCHEME_SHARED_UREFS))
		page_pool_ref_netmem(net_iov_to_netmem(niov));
	ops->rx_taken(priv, batch, niov, *tok);
	return 0;
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

/* the floor (floor.c): two atomics per frag, nothing else */
extern const struct dmtok_scheme_ops floor_ops;
extern struct net_devmem_dmabuf_binding *floor_binding;
const struct dmtok_scheme_ops *with_stubs(const struct dmtok_scheme_ops *ops,
					  struct dmtok_scheme_ops *o);

/* An end-to-end run's worker (e2e.c); its pages replay in run_workers(). */
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

/* What the workers of one run did, summed. */
struct totals {
	double rx_ns, dn_ns;	/* CPU ns on each side */
	uint64_t frags, mem;
	uint64_t claims, claimed;
	int err;		/* a worker's error, or EIO: a token did not come back */
};

/* cost.c */
int run_workers(const struct cfg *c, const struct dmtok_scheme_ops *ops,
		struct net_devmem_dmabuf_binding *b, unsigned int run,
		const struct e2e_worker *seq, struct totals *t);
double close_once(const struct dmtok_scheme_ops *ops, struct net_devmem_dmabuf_binding *b,
		  unsigned int outstanding, uint64_t *s);
/* scaling.c */
double dontneed_scaling(const struct cfg *c, const struct dmtok_scheme_ops *ops,
			struct net_devmem_dmabuf_binding *b, size_t n, unsigned int threads);
extern int window_invalid;	/* a concurrent figure was refused */
/* e2e.c */
void e2e_once(const struct cfg *c, const struct dmtok_scheme_ops *ops,
	      double *sock, double *direct);
/* report.c */
void print_machine(const struct cfg *c);
int print_costs(const struct cfg *c, const struct result *res, unsigned int nlist);
void print_scaling(const struct cfg *c, const struct result *res, unsigned int nlist);
void print_claims(const struct cfg *c, const struct result *res, unsigned int nlist);
void print_e2e(const struct cfg *c, const struct result *res, unsigned int nlist);
void print_review(const struct cfg *c, const struct result *res, unsigned int nlist);

#endif /* DMTOK_BENCH_H */
