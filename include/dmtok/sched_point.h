/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * dmtok-explore's scheduling point (include/dmtok/explore.h), the hook
 * every primitive of the kernel shims (include/dmtok/kernel/) calls:
 * READ_ONCE(), the barriers, the atomics. Nothing in the kernel matches
 * it; it is how the explorer's deterministic scheduler gets to switch
 * threads between two accesses.
 *
 * Built with DMTOK_SCHED_POINTS (meson -Dsched_points, on by default in
 * sanitizer builds, and in the Cflags of their pkg-config files), every
 * primitive is a point where the scheduler may switch threads; otherwise
 * only the out-of-line ones are (locks, allocations, napi_pp_put_page()),
 * and these cost nothing -- the check is a load and a branch per
 * primitive, which a benchmark must not pay.
 */
#ifndef DMTOK_SCHED_POINT_H
#define DMTOK_SCHED_POINT_H

#ifdef __cplusplus
extern "C" {
#endif

/* Set while dmtok_explore() runs. */
extern int dmtok_sched_active;
/** dmtok_sched_point() - a scheduling point of dmtok_explore() */
void dmtok_sched_point(void);

#ifdef DMTOK_SCHED_POINTS
#define DMTOK_SCHED_POINT()						\
	((void)(__builtin_expect(__atomic_load_n(&dmtok_sched_active,	\
						 __ATOMIC_RELAXED), 0) ?	\
		dmtok_sched_point() : (void)0))
#else
#define DMTOK_SCHED_POINT()	((void)0)
#endif

#ifdef __cplusplus
}
#endif

#endif /* DMTOK_SCHED_POINT_H */
