/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The systematic interleaving explorer (dmtok-explore): two to four
 * threads over the model run one at a time under a deterministic
 * scheduler, and every primitive of the kernel shims (include/dmtok/kernel/) -- READ_ONCE(),
 * WRITE_ONCE(), smp_load_acquire(), smp_store_release(), smp_mb(),
 * cmpxchg(), xchg(), the atomic_t and atomic_long_t ops, spin_lock() and
 * spin_unlock(), kmalloc(), napi_pp_put_page() -- and the model's own
 * locks are scheduling points. Every interleaving with at most @bound
 * preemptions (a switch away from a thread that could have gone on) is
 * run, each from a fresh setup, in the spirit of CHESS (Musuvathi et al.,
 * "Finding and Reproducing Heisenbugs in Concurrent Programs", OSDI 2008)
 * and Rust's loom. The kernel has no such tool for C threads (KCSAN
 * samples; lockdep checks orders, not interleavings), so it is dmtok's.
 *
 * A schedule is written as runs of thread numbers, "0*12,1*3,0*40": at
 * each scheduling point, the thread that goes on. It replays exactly.
 * The hand-offs between threads are relaxed atomics and futex waits, so
 * under ThreadSanitizer they create no happens-before edge: a data race
 * on an explored schedule is reported as in free-running threads.
 */
#ifndef DMTOK_EXPLORE_H
#define DMTOK_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DMTOK_EXPLORE_MAX_THREADS	4

/**
 * struct dmtok_explore_ops - one scenario
 * @nthreads: threads, 1 to DMTOK_EXPLORE_MAX_THREADS
 * @setup: builds the scenario's state, unscheduled, before the threads
 *         start; 0, or a negative errno that ends the exploration
 * @thread: the body of thread @t (0 .. @nthreads - 1)
 * @finish: after the threads: checks what the scenario checks and tears
 *          everything down; 0, or nonzero with a description in @msg
 *          (that interleaving failed)
 * @nowait_fails: while the threads run, every allocation that may not
 *          sleep (no __GFP_DIRECT_RECLAIM: GFP_NOWAIT, GFP_ATOMIC) fails,
 *          as under memory pressure: each XArray node then comes through
 *          __xas_nomem()'s lock drop, and those windows are explored too
 */
struct dmtok_explore_ops {
	unsigned int nthreads;
	bool nowait_fails;
	int (*setup)(void *ctx);
	void (*thread)(void *ctx, unsigned int t);
	int (*finish)(void *ctx, char *msg, size_t len);
};

/**
 * struct dmtok_explore_opts - how far to go
 * @bound: preemptions per interleaving (CHESS's preemption bound)
 * @max_execs: stop after this many interleavings (0: no limit)
 * @replay: run this one schedule and nothing else (NULL: explore)
 * @log: if not NULL, each interleaving's schedule is written there, one
 *       line each and flushed, before it runs: after a crash, the last
 *       line replays the interleaving that crashed (what follows the
 *       logged prefix is the deterministic default: no more preemptions)
 */
struct dmtok_explore_opts {
	unsigned int bound;
	unsigned long max_execs;
	const char *replay;
	FILE *log;
};

/**
 * struct dmtok_explore_result - what was explored
 * @execs: interleavings run
 * @max_points: scheduling points of the longest one
 * @complete: every interleaving within the bound was run
 * @every_primitive: libdmtok was built with DMTOK_SCHED_POINTS: every
 *          primitive of the kernel shims in it is a scheduling point (a
 *          scheme library's own inline ones are if it was built so too);
 *          false: only locks, allocations and page-pool puts
 * @failed: an interleaving failed: @schedule replays it, @msg says why
 * @schedule: the failing schedule
 * @msg: what @finish said, or the scheduler's own finding (a deadlock,
 *       a schedule that does not replay, an interleaving too long)
 */
struct dmtok_explore_result {
	unsigned long execs;
	unsigned long max_points;
	bool complete;
	bool every_primitive;
	bool failed;
	char schedule[4096];
	char msg[1024];
};

/**
 * dmtok_explore() - run every interleaving of @ops within @o's bound
 * @ops: the scenario
 * @ctx: passed to its callbacks
 * @o: bound, limit, replay
 * @r: filled in
 *
 * Stops at the first failing interleaving. One exploration at a time per
 * process.
 *
 * Return: 0 (look at @r->failed), -EINVAL for bad arguments or a
 * malformed @o->replay, -EBUSY if an exploration is already running, or
 * the error of @ops->setup or of starting a thread.
 */
int dmtok_explore(const struct dmtok_explore_ops *ops, void *ctx,
		  const struct dmtok_explore_opts *o, struct dmtok_explore_result *r);

#ifdef __cplusplus
}
#endif

#endif /* DMTOK_EXPLORE_H */
