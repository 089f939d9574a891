/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The radix-tree test harness's spinlock (tools/include/linux/spinlock.h:
 * a pthread mutex), found first on the include path of the kernel XArray
 * backend only, with one change: while the backend runs an __xa_*() call
 * for dmtok (kxarray.c), the kernel's xa_lock of that XArray stands for
 * two locks -- the scheme's xa_lock on dmtok's side, which the scheme took
 * (xa_lock_bh() in tcp_xa_pool_refill()), and the harness mutex taken
 * inside it. So when __xas_nomem() (lib/xarray.c, 6.12) drops xa_lock
 * with xas_unlock_type() to allocate with GFP_KERNEL and retakes it with
 * xas_lock_type(), both are dropped and retaken, with the lock type the
 * array was made with: the kernel has only the one lock, and other
 * threads may run in that window. Every other lock is the harness's.
 */
#ifndef DMTOK_KX_SPINLOCK_H
#define DMTOK_KX_SPINLOCK_H

#include_next <linux/spinlock.h>

/* lock types as lib/xarray.c names them (XA_LOCK_IRQ, XA_LOCK_BH) */
#define DMTOK_KX_LOCK_PLAIN	0
#define DMTOK_KX_LOCK_IRQ	1
#define DMTOK_KX_LOCK_BH	2

__attribute__((visibility("hidden"))) void dmtok__kx_spin_lock(pthread_mutex_t *m, int type);
__attribute__((visibility("hidden"))) void dmtok__kx_spin_unlock(pthread_mutex_t *m, int type);

#undef spin_lock
#undef spin_unlock
#undef spin_lock_bh
#undef spin_unlock_bh
#undef spin_lock_irq
#undef spin_unlock_irq
#undef spin_lock_irqsave
#undef spin_unlock_irqrestore
#define spin_lock(x)			dmtok__kx_spin_lock(x, DMTOK_KX_LOCK_PLAIN)
#define spin_unlock(x)			dmtok__kx_spin_unlock(x, DMTOK_KX_LOCK_PLAIN)
#define spin_lock_bh(x)			dmtok__kx_spin_lock(x, DMTOK_KX_LOCK_BH)
#define spin_unlock_bh(x)		dmtok__kx_spin_unlock(x, DMTOK_KX_LOCK_BH)
#define spin_lock_irq(x)		dmtok__kx_spin_lock(x, DMTOK_KX_LOCK_IRQ)
#define spin_unlock_irq(x)		dmtok__kx_spin_unlock(x, DMTOK_KX_LOCK_IRQ)
#define spin_lock_irqsave(x, f)		((void)(f), dmtok__kx_spin_lock(x, DMTOK_KX_LOCK_IRQ))
#define spin_unlock_irqrestore(x, f)	((void)(f), dmtok__kx_spin_unlock(x, DMTOK_KX_LOCK_IRQ))

#endif /* DMTOK_KX_SPINLOCK_H */
