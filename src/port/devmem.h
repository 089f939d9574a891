/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * net/core/devmem.h for scheme files built by kbuild: the kbuild twin of
 * include/dmtok/kernel/devmem.h. A scheme file includes the kernel's own
 * headers (<linux/atomic.h>, <net/netmem.h>, ...) and "devmem.h", which
 * in net/core/ is the real one and here this glue, copied beside the
 * scheme file by dmtok-port-check and the KUnit run: net/core/devmem.h is
 * not shipped with the kernel headers, so its few pieces the schemes use
 * are declared here as 6.12 has them (struct dmabuf_genpool_chunk_owner,
 * struct net_devmem_dmabuf_binding, net_iov_binding(),
 * net_iov_virtual_addr(), net_iov_binding_id(), the binding get/put),
 * with the limits of sock_devmem_dontneed() (static in net/core/sock.c).
 *
 * The seams (what 6.12 lacks and the token series adds: the binding's
 * vec[], the niov's uref, the autorelease attribute) live in a wrapper
 * around the binding, struct dmtok_port_binding, reached through the same
 * accessors the userspace header defines. A port into net/core replaces
 * them with the series' fields; the scheme files do not change.
 */
#ifndef DMTOK_PORT_DEVMEM_H
#define DMTOK_PORT_DEVMEM_H

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/container_of.h>
#include <linux/dma-buf.h>
#include <linux/refcount.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/netmem.h>

#include <dmtok/scheme.h>

static_assert(DMTOK_MAX_SKB_FRAGS == MAX_SKB_FRAGS);

/* net/core/sock.c (static there) */
#define MAX_DONTNEED_TOKENS	DMTOK_MAX_DONTNEED_TOKENS
#define MAX_DONTNEED_FRAGS	DMTOK_MAX_DONTNEED_FRAGS

/*
 * ---- net/core/devmem.h, Linux 6.12, as declared there; from 6.14 the
 * niov's owner is a struct net_iov_area (<net/netmem.h>, which then also
 * has net_iov_owner() and net_iov_idx()) embedded in the chunk owner, as
 * 6.14 to 7.0 declare it. The only #if a port needs: the scheme files
 * reach both layouts through the accessors below, unchanged. ----
 */
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
struct dmabuf_genpool_chunk_owner {
	struct net_iov_area area;
	struct net_devmem_dmabuf_binding *binding;
	dma_addr_t base_dma_addr;
};

/* net_devmem_iov_to_chunk_owner() (net/core/devmem.h, 6.14 to 7.0) */
static inline struct dmabuf_genpool_chunk_owner *dmtok_port_chunk_owner(const struct net_iov *niov)
{
	return container_of(net_iov_owner(niov), struct dmabuf_genpool_chunk_owner, area);
}
#else
struct dmabuf_genpool_chunk_owner {
	unsigned long base_virtual;
	dma_addr_t base_dma_addr;
	struct net_iov *niovs;
	size_t num_niovs;
	struct net_devmem_dmabuf_binding *binding;
};

static inline struct dmabuf_genpool_chunk_owner *net_iov_owner(const struct net_iov *niov)
{
	return niov->owner;
}

static inline unsigned int net_iov_idx(const struct net_iov *niov)
{
	return niov - net_iov_owner(niov)->niovs;
}

static inline struct dmabuf_genpool_chunk_owner *dmtok_port_chunk_owner(const struct net_iov *niov)
{
	return net_iov_owner(niov);
}
#endif

struct net_devmem_dmabuf_binding {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attachment;
	struct sg_table *sgt;
	struct net_device *dev;
	struct gen_pool *chunk_pool;
	refcount_t ref;
	struct list_head list;
	struct xarray bound_rxqs;
	u32 id;
};

/*
 * The binding's free: net/core/devmem.c's __net_devmem_dmabuf_binding_free()
 * in the kernel, which a kernel with NET_DEVMEM=y already defines for its
 * own bindings; the glue's is its own (src/port/port.c).
 */
void dmtok_port_binding_free(struct net_devmem_dmabuf_binding *binding);

static inline struct net_devmem_dmabuf_binding *net_iov_binding(const struct net_iov *niov)
{
	return dmtok_port_chunk_owner(niov)->binding;
}

/* base_virtual: the 6.12 chunk owner's, or from 6.14 its net_iov_area's */
static inline unsigned long net_iov_virtual_addr(const struct net_iov *niov)
{
	return net_iov_owner(niov)->base_virtual +
	       ((unsigned long)net_iov_idx(niov) << PAGE_SHIFT);
}

static inline u32 net_iov_binding_id(const struct net_iov *niov)
{
	return net_iov_binding(niov)->id;
}

/* As 6.18 has it (a tryget); 6.12's returns nothing. */
static inline bool net_devmem_dmabuf_binding_get(struct net_devmem_dmabuf_binding *binding)
{
	return refcount_inc_not_zero(&binding->ref);
}

static inline void net_devmem_dmabuf_binding_put(struct net_devmem_dmabuf_binding *binding)
{
	if (!refcount_dec_and_test(&binding->ref))
		return;
	dmtok_port_binding_free(binding);
}

/* ---- the seams: what the series adds, kept beside the 6.12 binding ---- */

struct dmtok_port_binding {
	struct net_devmem_dmabuf_binding b;
	struct net_iov **vec;		/* the series' binding->vec[] */
	atomic_t *urefs;		/* the series' niov->uref, by page */
	atomic_t users;			/* the series' binding->users (v10) */
	bool autorelease;
	bool unbound;
};

static inline struct dmtok_port_binding *
dmtok_port_binding(const struct net_devmem_dmabuf_binding *b)
{
	return container_of(b, struct dmtok_port_binding, b);
}

static inline u32 net_iov_page_index(const struct net_iov *niov)
{
	return net_iov_virtual_addr(niov) >> PAGE_SHIFT;
}

static inline u32 net_devmem_binding_npages(const struct net_devmem_dmabuf_binding *b)
{
	return b->dmabuf->size >> PAGE_SHIFT;
}

static inline struct net_iov *
net_devmem_binding_niov(const struct net_devmem_dmabuf_binding *b, u32 idx)
{
	return dmtok_port_binding(b)->vec[idx];
}

static inline atomic_t *net_iov_uref(struct net_iov *niov)
{
	return &dmtok_port_binding(net_iov_binding(niov))->urefs[net_iov_page_index(niov)];
}

static inline bool net_devmem_binding_autorelease(const struct net_devmem_dmabuf_binding *b)
{
	return dmtok_port_binding(b)->autorelease;
}

static inline bool net_devmem_binding_unbound(const struct net_devmem_dmabuf_binding *b)
{
	return smp_load_acquire(&dmtok_port_binding(b)->unbound);
}

/* the series' net/core/devmem.c (v10) */
void net_devmem_dmabuf_binding_put_urefs(struct net_devmem_dmabuf_binding *binding);

static inline bool
net_devmem_dmabuf_binding_user_get(struct net_devmem_dmabuf_binding *binding)
{
	return atomic_inc_not_zero(&dmtok_port_binding(binding)->users);
}

static inline void
net_devmem_dmabuf_binding_user_put(struct net_devmem_dmabuf_binding *binding)
{
	if (atomic_dec_and_test(&dmtok_port_binding(binding)->users))
		net_devmem_dmabuf_binding_put_urefs(binding);
}

#endif /* DMTOK_PORT_DEVMEM_H */
