/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The XArray API of include/linux/xarray.h (Linux 6.12), the calls token
 * schemes make, with the kernel's signatures, over dmtok's model of
 * lib/xarray.c (src/compat/xarray.c): 64-slot nodes (fewer with the
 * scheme's model_xa_chunk_shift knob), free-slot marks, lowest free index
 * first, XA_FLAGS_ALLOC1 keeping index 0 out of allocation,
 * XA_ZERO_ENTRY reservations read back as NULL, empty nodes freed and the
 * tree shrunk. As in the kernel, the caller holds xa_lock around __xa_*.
 * A scheme that sets model_xa_kernel gets, behind the same calls, the
 * kernel's own lib/xarray.c (when dmtok was built with a kernel source).
 */
#ifndef DMTOK_SHIM_LINUX_XARRAY_H
#define DMTOK_SHIM_LINUX_XARRAY_H

#include <limits.h>
#include <stdint.h>

#include "types.h"
#include "gfp_types.h"
#include "spinlock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* xa_mk_internal(257): a reserved slot, read back as NULL */
#define XA_ZERO_ENTRY		((void *)(uintptr_t)((257ul << 2) | 2))
#define XA_FLAGS_LOCK_BH	((gfp_t)2u)	/* xa_lock_type(): __xas_nomem() drops it _bh */
#define XA_FLAGS_TRACK_FREE	((gfp_t)4u)
#define XA_FLAGS_ZERO_BUSY	((gfp_t)8u)
#define XA_FLAGS_ALLOC		XA_FLAGS_TRACK_FREE
#define XA_FLAGS_ALLOC1		(XA_FLAGS_TRACK_FREE | XA_FLAGS_ZERO_BUSY)
#define XA_PRESENT		((unsigned int)8)

struct xa_limit {
	u32 max;
	u32 min;
};
#define XA_LIMIT(_min, _max)	(struct xa_limit) { .min = (_min), .max = (_max) }
#define xa_limit_32b		XA_LIMIT(0, UINT_MAX)
#define xa_limit_31b		XA_LIMIT(0, INT_MAX)

struct xa_node {
	u8 shift;		/* bits of index below this node */
	u8 offset;		/* slot in parent */
	u8 count;		/* non-NULL slots */
	struct xa_node *parent;
	u64 free_mark;		/* XA_FREE_MARK: slot (or subtree) has room */
	void *slots[];
};

struct xarray {
	spinlock_t xa_lock;
	gfp_t xa_flags;
	struct xa_node *xa_head;
	u8 chunk_shift;		/* XA_CHUNK_SHIFT: 6, or less by the model knob */
	void *kx;		/* the real lib/xarray.c backend, or NULL */
	bool zero0;		/* slot 0 holds ALLOC1's own zero entry (not counted) */
	struct xa_node *xa_alloc;	/* xas->xa_alloc: nodes __xas_nomem() got, for one op */
	/* model counters, read by dmtok_xa_stats() */
	u64 nr_entries;		/* non-NULL entries, reservations included */
	u64 node_allocs, node_frees, nodes;
};

/* The exported model functions behind the kernel names below. */
void dmtok_xa_init_flags(struct xarray *xa, gfp_t flags);
int dmtok_xa_alloc(struct xarray *xa, u32 *id, void *entry,
		   struct xa_limit limit, gfp_t gfp);
void *dmtok_xa_erase(struct xarray *xa, unsigned long index);
void *dmtok_xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		       void *entry, gfp_t gfp);
void *dmtok_xa_load(struct xarray *xa, unsigned long index);
void *dmtok_xa_find(struct xarray *xa, unsigned long *index,
		    unsigned long max, unsigned int filter);
void dmtok_xa_destroy(struct xarray *xa);
static inline void xa_init_flags(struct xarray *xa, gfp_t flags)
{
	dmtok_xa_init_flags(xa, flags);
}

/* __xa_alloc(): 0, -EBUSY (no free index in @limit), -ENOMEM, -EINVAL */
static inline int __xa_alloc(struct xarray *xa, u32 *id, void *entry,
			     struct xa_limit limit, gfp_t gfp)
{
	return dmtok_xa_alloc(xa, id, entry, limit, gfp);
}

/* __xa_erase(): the old entry; a reservation reads back as NULL */
static inline void *__xa_erase(struct xarray *xa, unsigned long index)
{
	return dmtok_xa_erase(xa, index);
}

/* __xa_cmpxchg(): stores @entry if the slot holds @old; the old entry */
static inline void *__xa_cmpxchg(struct xarray *xa, unsigned long index,
				 void *old, void *entry, gfp_t gfp)
{
	return dmtok_xa_cmpxchg(xa, index, old, entry, gfp);
}

static inline void *xa_load(struct xarray *xa, unsigned long index)
{
	return dmtok_xa_load(xa, index);
}

static inline void *xa_find(struct xarray *xa, unsigned long *index,
			    unsigned long max, unsigned int filter)
{
	return dmtok_xa_find(xa, index, max, filter);
}

static inline void *xa_find_after(struct xarray *xa, unsigned long *index,
				  unsigned long max, unsigned int filter)
{
	if (*index == ULONG_MAX)
		return NULL;
	(*index)++;
	return dmtok_xa_find(xa, index, max, filter);
}

static inline void xa_destroy(struct xarray *xa)
{
	dmtok_xa_destroy(xa);
}

static inline bool xa_empty(const struct xarray *xa)
{
	return !xa->xa_head;
}

#define xa_lock(xa)		spin_lock(&(xa)->xa_lock)
#define xa_unlock(xa)		spin_unlock(&(xa)->xa_lock)
#define xa_lock_bh(xa)		spin_lock_bh(&(xa)->xa_lock)
#define xa_unlock_bh(xa)	spin_unlock_bh(&(xa)->xa_lock)

static inline void *xa_erase(struct xarray *xa, unsigned long index)
{
	void *entry;

	xa_lock(xa);
	entry = __xa_erase(xa, index);
	xa_unlock(xa);
	return entry;
}

#define xa_for_each_range(xa, index, entry, start, last)		\
	for (index = start,						\
	     entry = xa_find(xa, &index, last, XA_PRESENT);		\
	     entry;							\
	     entry = xa_find_after(xa, &index, last, XA_PRESENT))
#define xa_for_each(xa, index, entry)					\
	xa_for_each_range(xa, index, entry, 0, ULONG_MAX)

#ifdef __cplusplus
}
#endif
#endif /* DMTOK_SHIM_LINUX_XARRAY_H */
