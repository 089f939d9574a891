/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/spinlock.h (Linux 6.12): spinlock_t and its _bh forms,
 * with the checks of a debug kernel (lockdep, DEBUG_SPINLOCK,
 * DEBUG_ATOMIC_SLEEP) done out of line by libdmtok.
 */
#ifndef DMTOK_SHIM_LINUX_SPINLOCK_H
#define DMTOK_SHIM_LINUX_SPINLOCK_H

#include "types.h"
#include "bottom_half.h"

/*
 * A test-and-test-and-set lock that yields the CPU while it waits (a
 * userspace thread holding it can be preempted, which a kernel spinlock
 * holder cannot). Needs no destroy, as in the kernel. Bit 0 of the word
 * is the lock; the bits above name its lock class, set by
 * spin_lock_init() -- one class per spin_lock_init() call site, as
 * lockdep keys a class by the static key that macro makes. The lock
 * calls are out of line: each thread keeps its context as a debug kernel
 * does -- the locks it holds, whether BH is disabled, whether it runs in
 * softirq (the model's NIC) -- for the atomic-sleep check (<linux/slab.h>) and for
 * lockdep's checks: an order of two classes taken both ways (a possible
 * circular locking dependency), a class taken in softirq and with
 * softirqs on in process context (inconsistent lock state), and a lock
 * never initialised (DEBUG_SPINLOCK's bad magic). Each is a WARN.
 */
typedef struct { int locked; } spinlock_t;

/** dmtok_spin_lock_init() - spin_lock_init(): @l unlocked, of the class of @site */
void dmtok_spin_lock_init(spinlock_t *l, const char *site);
/** dmtok_spin_lock() - spin_lock(): take @l, count it as held */
void dmtok_spin_lock(spinlock_t *l);
/** dmtok_spin_unlock() - spin_unlock(): release @l */
void dmtok_spin_unlock(spinlock_t *l);
/** dmtok_spin_is_held() - does this thread hold @l? (lockdep_is_held()) */
bool dmtok_spin_is_held(const spinlock_t *l);

#define DMTOK_STR_(x)		#x
#define DMTOK_STR(x)		DMTOK_STR_(x)
/* a macro, as the kernel's: the call site is the lock class */
#define spin_lock_init(l)	dmtok_spin_lock_init((l), __FILE__ ":" DMTOK_STR(__LINE__))
static inline void spin_lock(spinlock_t *l) { dmtok_spin_lock(l); }
static inline void spin_unlock(spinlock_t *l) { dmtok_spin_unlock(l); }
static inline void spin_lock_bh(spinlock_t *l)
{
	dmtok_local_bh_disable();
	dmtok_spin_lock(l);
}
static inline void spin_unlock_bh(spinlock_t *l)
{
	dmtok_spin_unlock(l);
	dmtok_local_bh_enable();
}

#endif /* DMTOK_SHIM_LINUX_SPINLOCK_H */
