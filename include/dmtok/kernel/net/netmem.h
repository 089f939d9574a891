/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/net/netmem.h (Linux 6.12): struct net_iov, one page-sized unit
 * of a bound dmabuf, and netmem_ref, the tagged pointer a frag holds.
 */
#ifndef DMTOK_SHIM_NET_NETMEM_H
#define DMTOK_SHIM_NET_NETMEM_H

#include "../linux/types.h"
#include "../linux/atomic.h"

struct net_devmem_dmabuf_binding;
struct dmtok_page_pool;

/*
 * struct net_iov: one page-sized unit of a bound dmabuf.
 *  - pp_ref_count: the NIC, recvmsg and dontneed/close of any socket,
 *    concurrently; atomic. napi_pp_put_page() drops it; as in the kernel
 *    (page_pool_unref_netmem(), 6.12) the last reference is never
 *    dropped: the put that finds 1 recycles the niov, which sits at 1 in
 *    its pool's ring (0 only in the binding's free pool).
 *  - uref: the series' per-niov user references (manual release);
 *    reached through net_iov_uref(). Atomic. As in the series (v10),
 *    a niov whose uref is above 0 holds exactly one pp_ref_count for
 *    all of them: the scheme takes it on the 0->1 transition and drops
 *    it on 1->0; net_devmem_dmabuf_binding_put_urefs() drops what is
 *    left when the binding's last user goes.
 *  - owner, index: written once at bind, read-only after.
 */
struct net_iov {
	struct net_devmem_dmabuf_binding *owner;
	struct dmtok_page_pool *pp;		/* pool it was allocated from */
	atomic_long_t pp_ref_count;
	atomic_t uref;
	u32 index;				/* page index in the dmabuf */
	bool in_ring;				/* model: recycled, in its pool's ring */
};

typedef unsigned long __bitwise netmem_ref;
#define NET_IOV		0x01UL

static inline bool netmem_is_net_iov(const netmem_ref netmem)
{
	return (__force unsigned long)netmem & NET_IOV;
}

static inline struct net_iov *netmem_to_net_iov(netmem_ref netmem)
{
	return (struct net_iov *)((__force unsigned long)netmem & ~NET_IOV);
}

static inline netmem_ref net_iov_to_netmem(struct net_iov *niov)
{
	return (__force netmem_ref)((unsigned long)niov | NET_IOV);
}

#endif /* DMTOK_SHIM_NET_NETMEM_H */
