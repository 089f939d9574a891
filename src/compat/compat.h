/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The compat layer's private header: the kernel vocabulary of
 * <dmtok/kernel.h> plus the few hidden hooks the model calls into it
 * with. Included by the compat layer and the model, never by schemes.
 */
#ifndef DMTOK_COMPAT_H
#define DMTOK_COMPAT_H

#include "dmtok/kernel.h"

/* Hidden from the shared library's symbol table (see src/dmtok.map). */
#define DMTOK_INTERNAL	__attribute__((visibility("hidden")))

/*
 * Node size (1 << shift slots, 0 = the kernel's 64) of the XArrays that
 * xa_init_flags() creates on this thread from now on: the model sets it
 * around a scheme's init (struct dmtok_scheme_ops.model_xa_chunk_shift).
 */
DMTOK_INTERNAL void dmtok__xa_init_shift(unsigned int chunk_shift);
/*
 * Likewise: the XArrays xa_init_flags() creates on this thread from now on
 * are the real lib/xarray.c (struct dmtok_scheme_ops.model_xa_kernel).
 */
DMTOK_INTERNAL void dmtok__xa_init_kernel(int kernel);
/* Waits for the kernel backend's RCU-deferred node frees. */
DMTOK_INTERNAL void dmtok__xa_kernel_quiesce(void);
/* Was dmtok built with the real lib/xarray.c backend? */
DMTOK_INTERNAL bool dmtok__xa_kernel_available(void);

/* The model's NAPI runs as softirq: allocations there must not sleep. */
DMTOK_INTERNAL void dmtok__softirq_enter(void);
DMTOK_INTERNAL void dmtok__softirq_exit(void);

/*
 * dmtok_explore()'s scheduler (sched.c). While it runs, the model's own
 * locks, spinlocks and waiting loops go through it: a lock another
 * thread holds blocks the caller until it is free, a waiting loop yields
 * to every other thread. Outside an exploration: pthread_mutex_lock(),
 * spinning, sched_yield().
 */
#include <pthread.h>
/* Is this thread one dmtok_explore() runs? (Out of line: only asked while one runs.) */
DMTOK_INTERNAL bool dmtok__sched_thread(void);
DMTOK_INTERNAL bool dmtok__sched_spin_lock(spinlock_t *l);
DMTOK_INTERNAL void dmtok__sched_spin_unlock(spinlock_t *l);
DMTOK_INTERNAL void dmtok__sched_mutex_lock(pthread_mutex_t *m);
DMTOK_INTERNAL void dmtok__sched_mutex_unlock(pthread_mutex_t *m);
DMTOK_INTERNAL void dmtok__sched_yield(void);

static inline bool dmtok__sched_on(void)
{
	return unlikely(__atomic_load_n(&dmtok_sched_active, __ATOMIC_RELAXED)) &&
	       dmtok__sched_thread();
}

/*
 * The model's own locks: lockdep's order checks (kcompat.c) with a class
 * per lock expression, and dmtok_explore()'s scheduling. The class is
 * looked up once per call site.
 */
DMTOK_INTERNAL void dmtok__mutex_lock_cls(pthread_mutex_t *m, unsigned int *cls, const char *name);
DMTOK_INTERNAL void dmtok__mutex_unlock(pthread_mutex_t *m);
#define dmtok__mutex_lock(m) ({						\
	static unsigned int __dmtok_cls;				\
	dmtok__mutex_lock_cls((m), &__dmtok_cls, #m);			\
})

/* struct dmtok_explore_ops.nowait_fails, while the threads run */
DMTOK_INTERNAL extern int dmtok__sched_nowait_fails;
/* An allocator other than the default is installed (dmtok_set_allocator()) */
DMTOK_INTERNAL bool dmtok__alloc_custom(void);
/* might_sleep() for an allocation made outside kmalloc (the kernel XArray backend's) */
DMTOK_INTERNAL void dmtok__might_sleep(const char *file, int line);
/* might_sleep() before @sleeper, a kernel call that would sleep there */
DMTOK_INTERNAL void dmtok__might_sleep_in(const char *file, int line, const char *sleeper);

static inline unsigned int ilog2_u64(u64 v) { return 63u - (unsigned int)__builtin_clzll(v); }

#endif /* DMTOK_COMPAT_H */
