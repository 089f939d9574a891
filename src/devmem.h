/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What token-scheme code may see of the device-memory model: the net_iov
 * (struct dmtok_niov), the RX binding (struct dmtok_binding, the kernel's
 * struct net_devmem_dmabuf_binding) and the page-pool put. Mirrors
 * net/core/devmem.h and include/net/netmem.h. Includes only kcompat.h.
 *
 * Concurrency (who touches what at the same time):
 *  - niov->pp_ref_count: NIC (NAPI), recvmsg and dontneed/close of any
 *    socket, concurrently. Atomic; the put that reaches zero owns the niov
 *    and returns it to its pool (napi_pp_put_page()).
 *  - niov->uref: recvmsg (increment) and dontneed of any socket on the
 *    binding (dec_if_positive), concurrently; unbind drains it after
 *    the queues are gone. Atomic.
 *  - niov->owner, niov->index, binding->vec[], binding->npages: written
 *    once at bind, read-only after; safe to read without locks while a
 *    reference on the niov or the binding is held.
 *  - binding->ref: atomic; sockets, page pools and the net's table hold it.
 *  - binding free list: binding->lock.
 */
#ifndef DMTOK_DEVMEM_H
#define DMTOK_DEVMEM_H

#include "kcompat.h"

#define MAX_SKB_FRAGS	17	/* include/linux/skbuff.h default */

struct dmtok_binding;
struct dmtok_page_pool;
struct dmtok_dmabuf;
struct dmtok_net;

/* struct net_iov: one page-sized unit of a bound dmabuf. */
struct dmtok_niov {
	struct dmtok_binding *owner;		/* net_devmem_iov_binding() */
	struct dmtok_page_pool *_Atomic pp;	/* pool it was allocated from */
	atomic_long_t pp_ref_count;		/* niov->desc.pp_ref_count */
	atomic_t uref;				/* manual-release user refs */
	u32 index;				/* page index in the dmabuf */
};

/* struct net_devmem_dmabuf_binding */
struct dmtok_binding {
	u32 id;				/* global, cyclic, never 0 */
	atomic_t ref;			/* net_devmem_dmabuf_binding_get/put */
	u32 npages;
	u32 page_shift;
	u64 size;
	bool autorelease;		/* false: DMTOK_BIND_NO_AUTORELEASE */
	_Atomic bool unbound;		/* set once at unbind (net lock); read anywhere */
	struct dmtok_niov **vec;	/* vec[npages], filled once at bind */
	struct dmtok_niov *niovs;	/* the niovs vec[] points to */
	/* free niovs (the kernel's chunk_pool gen_pool) */
	spinlock_t lock;
	u32 *free_stack;
	u32 nfree;
	struct dmtok_dmabuf *dmabuf;
	struct dmtok_net *net;
	struct dmtok_binding *next_all;	/* net's list of live bindings */
};

/* net_iov_virtual_addr(): the niov's offset in the dmabuf. */
static inline u64 net_iov_virtual_addr(const struct dmtok_niov *niov)
{
	return (u64)niov->index << niov->owner->page_shift;
}

static inline u32 net_devmem_iov_binding_id(const struct dmtok_niov *niov)
{
	return niov->owner->id;
}

void dmtok_binding_get(struct dmtok_binding *b);
void dmtok_binding_put(struct dmtok_binding *b);
#define net_devmem_dmabuf_binding_get	dmtok_binding_get
#define net_devmem_dmabuf_binding_put	dmtok_binding_put

/*
 * napi_pp_put_page(): drops one pp_ref_count; the put that reaches zero
 * returns the niov to its page pool. Returns false (and counts a WARN
 * inside) if the count was already zero: a model bug, never user input.
 */
bool dmtok_pp_put_niov(struct dmtok_niov *niov);
#define napi_pp_put_page(niov)	dmtok_pp_put_niov(niov)

#endif /* DMTOK_DEVMEM_H */
