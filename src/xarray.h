/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A radix tree with the XArray's allocation behaviour (lib/xarray.c),
 * enough of it for the upstream token scheme: 64-slot nodes (or 8 with
 * chunk_shift 3, the radix-tree test harness's XA_CHUNK_SHIFT knob),
 * per-node free-slot marks, lowest free index first with index 0 never
 * handed out (XA_FLAGS_ALLOC1), XA_ZERO_ENTRY reservations, nodes freed
 * when empty and the tree shrunk (xas_shrink()). The caller holds
 * xa->xa_lock around the __xa_* calls, as the kernel's callers do.
 */
#ifndef DMTOK_XARRAY_H
#define DMTOK_XARRAY_H

#include "kcompat.h"

/* xa_mk_internal(257): a reserved slot, read back as NULL */
#define XA_ZERO_ENTRY	((void *)(uintptr_t)1030)

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
	struct xa_node *head;
	u8 chunk_shift;		/* XA_CHUNK_SHIFT: 6, or 3 for tests */
	u64 nr_entries;		/* non-NULL entries, reservations included */
	u64 node_allocs, node_frees, nodes;
};

void xa_init_flags(struct xarray *xa, u8 chunk_shift);
/* __xa_alloc(xa, id, entry, XA_LIMIT(1, max), GFP_KERNEL): 0, -EBUSY, -ENOMEM */
int __xa_alloc(struct xarray *xa, u32 *id, void *entry, u32 max);
/* __xa_erase(): the old entry, a reservation read back as NULL */
void *__xa_erase(struct xarray *xa, unsigned long index);
/* __xa_cmpxchg() for a present slot: stores @entry if it holds @old */
void *__xa_cmpxchg(struct xarray *xa, unsigned long index, void *old, void *entry);
void *xa_load(struct xarray *xa, unsigned long index);
/* xa_find(): first real entry at index >= *index, or NULL */
void *xa_find(struct xarray *xa, unsigned long *index);
void xa_destroy(struct xarray *xa);
unsigned int xa_height(const struct xarray *xa);

#define xa_for_each(xa, index, entry)					\
	for ((index) = 0, (entry) = xa_find((xa), &(index)); (entry);	\
	     (index)++, (entry) = xa_find((xa), &(index)))

#endif /* DMTOK_XARRAY_H */
