/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The narrow interface between dmtok's XArray API (src/compat/xarray.c)
 * and the real lib/xarray.c backend (kxarray.c): plain C types only, so
 * neither side sees the other's headers. Hidden from the shared library.
 */
#ifndef DMTOK_KXARRAY_H
#define DMTOK_KXARRAY_H

#define DMTOK_KX_HIDDEN	__attribute__((visibility("hidden")))

/* @lock_bh: XA_FLAGS_LOCK_BH (xa_lock_type() then drops it _bh) */
DMTOK_KX_HIDDEN void *dmtok__kx_new(int alloc1, int lock_bh);
DMTOK_KX_HIDDEN void dmtok__kx_free(void *xa);
/*
 * The scheme's xa_lock on dmtok's side, if the caller holds it:
 * __xas_nomem() drops and retakes it with the harness's (linux/spinlock.h
 * here). @bh: the kernel's lock type was XA_LOCK_BH. @unlock decides
 * whether it was held (and records it in @dropped for @lock).
 */
struct dmtok_kx_outer {
	void (*unlock)(struct dmtok_kx_outer *o, int bh);
	void (*lock)(struct dmtok_kx_outer *o, int bh);
	void *arg;
	int dropped;
};
/*
 * @nowait_fails: every GFP_NOWAIT node allocation fails (memory pressure:
 * dmtok-explore's *-nomem scenarios), so nodes come from __xas_nomem();
 * else they succeed, as they mostly do in the kernel.
 */
DMTOK_KX_HIDDEN int dmtok__kx_alloc(void *xa, unsigned int *id, void *entry,
				    unsigned int min, unsigned int max,
				    struct dmtok_kx_outer *outer, int nowait_fails);
/*
 * Erase and cmpxchg add to *@delta how the count of occupied slots
 * changed (a reservation counts, __xa_erase() reads it back as NULL;
 * index 0 counts only for a real entry: ALLOC1's own zero entry there
 * cannot be told from a reservation).
 */
DMTOK_KX_HIDDEN void *dmtok__kx_erase(void *xa, unsigned long index, long *delta);
DMTOK_KX_HIDDEN void *dmtok__kx_cmpxchg(void *xa, unsigned long index, long *delta, void *old,
					void *entry, struct dmtok_kx_outer *outer,
					int nowait_fails);
DMTOK_KX_HIDDEN void *dmtok__kx_load(void *xa, unsigned long index);
DMTOK_KX_HIDDEN void *dmtok__kx_find(void *xa, unsigned long *index, unsigned long max);
DMTOK_KX_HIDDEN unsigned int dmtok__kx_height(void *xa);
DMTOK_KX_HIDDEN long dmtok__kx_nodes_allocated(void);
DMTOK_KX_HIDDEN unsigned int dmtok__kx_node_bytes(void);
DMTOK_KX_HIDDEN void dmtok__kx_quiesce(void);

#endif /* DMTOK_KXARRAY_H */
