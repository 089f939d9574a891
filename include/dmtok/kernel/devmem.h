/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * net/core/devmem.h (Linux 6.12): struct net_devmem_dmabuf_binding and its
 * accessors, found by a scheme's #include "devmem.h" as in net/core/ (a
 * port's file sits beside the real one; the KUnit and kbuild checks put
 * the glue's, src/port/devmem.h, beside the scheme file). The fields after
 * "model" are the model's own, not part of what a scheme may touch.
 *
 * The seams: what a scheme needs that 6.12 does not have (the token series
 * adds it) or names differently, as accessors each glue defines in its own
 * way: net_iov_page_index(), net_iov_uref(), net_devmem_binding_npages(),
 * net_devmem_binding_niov(), net_devmem_binding_autorelease(),
 * net_devmem_binding_unbound(), and the series' (v10)
 * net_devmem_dmabuf_binding_user_get/put(). With them, the limits of
 * sock_devmem_dontneed() (static in net/core/sock.c, where a port's
 * dontneed lives).
 */
#ifndef DMTOK_SHIM_DEVMEM_H
#define DMTOK_SHIM_DEVMEM_H

#include "linux/types.h"
#include "linux/atomic.h"
#include "linux/spinlock.h"
#include "net/netmem.h"

#include "../scheme.h"

#define MAX_DONTNEED_TOKENS	DMTOK_MAX_DONTNEED_TOKENS
#define MAX_DONTNEED_FRAGS	DMTOK_MAX_DONTNEED_FRAGS

struct dmtok_dmabuf;
struct dmtok_net;

/*
 * struct net_devmem_dmabuf_binding: a dmabuf bound to RX queues. A scheme
 * reads it only through the accessors below; the fields after "model" are
 * the model's own (the kernel's chunk_pool, list, dmabuf) and are not part
 * of what a scheme may touch.
 *  - id, npages, page_shift, autorelease, vec: written once at bind.
 *  - unbound: set once at unbind (under the net's lock), read anywhere
 *    with an acquire load.
 *  - ref: atomic; sockets, page pools and the net's table hold it.
 *  - users: atomic (the series' binding->users, v10): one per bound RX
 *    queue and one per manual-release socket that took frags of it;
 *    when it reaches 0 the urefs parked in its niovs are dropped and no
 *    socket can join any more.
 */
struct net_devmem_dmabuf_binding {
	u32 id;				/* global, cyclic, never 0 */
	atomic_t ref;			/* net_devmem_dmabuf_binding_get/put */
	atomic_t users;			/* ..._binding_user_get/put */
	u32 npages;
	u32 page_shift;
	bool autorelease;		/* false: DMTOK_BIND_NO_AUTORELEASE */
	bool unbound;
	struct net_iov **vec;		/* vec[npages], filled once at bind */
	/* model */
	u64 size;
	struct net_iov *niovs;		/* the niovs vec[] points to */
	spinlock_t lock;		/* used, seg_*, nfree (the chunk_pool) */
	unsigned long *used;		/* bitmap: a page handed to a pool */
	u32 nsegs, seg_pages;		/* gen_pool chunks: the dmabuf's segments */
	u32 *seg_hint;			/* per chunk: every page below it is in use */
	u32 *seg_free;			/* per chunk: free pages */
	u32 nfree;
	struct dmtok_dmabuf *dmabuf;
	struct dmtok_net *net;
	struct net_devmem_dmabuf_binding *next_all;	/* net's list */
};

static inline struct net_devmem_dmabuf_binding *net_iov_binding(const struct net_iov *niov)
{
	return niov->owner;
}

/* net_iov_virtual_addr(): the niov's offset in the dmabuf. */
static inline unsigned long net_iov_virtual_addr(const struct net_iov *niov)
{
	return (unsigned long)niov->index << niov->owner->page_shift;
}

static inline u32 net_iov_binding_id(const struct net_iov *niov)
{
	return niov->owner->id;
}

/* Seam: the niov's page index in its dmabuf (6.12: addr >> PAGE_SHIFT). */
static inline u32 net_iov_page_index(const struct net_iov *niov)
{
	return niov->index;
}

/* Seam: the series' niov->uref (6.12's net_iov has none). */
static inline atomic_t *net_iov_uref(struct net_iov *niov)
{
	return &niov->uref;
}

/* Seam: pages of the binding's dmabuf (6.12: dmabuf->size >> PAGE_SHIFT). */
static inline u32 net_devmem_binding_npages(const struct net_devmem_dmabuf_binding *b)
{
	return b->npages;
}

/* Seam: the series' binding->vec[idx] (6.12's RX binding has no vec). */
static inline struct net_iov *
net_devmem_binding_niov(const struct net_devmem_dmabuf_binding *b, u32 idx)
{
	return b->vec[idx];
}

/* Seam: the series' autorelease attribute. */
static inline bool net_devmem_binding_autorelease(const struct net_devmem_dmabuf_binding *b)
{
	return b->autorelease;
}

/*
 * Seam: the binding was unbound (its queues are closed). Its parked urefs
 * are reclaimed only when its last user goes, which may be later: use
 * net_devmem_dmabuf_binding_user_get() to know whether a socket may join.
 */
static inline bool net_devmem_binding_unbound(const struct net_devmem_dmabuf_binding *b)
{
	return __atomic_load_n(&b->unbound, __ATOMIC_ACQUIRE);
}

/**
 * dmtok_binding_lookup() - the live binding with id @id, with a reference
 * @net: the model
 * @id: a binding id from dmtok_bind_rx()
 *
 * For tools that drive a scheme's ops directly (dmtok-bench) and need the
 * niovs a NIC would hand out. Drop the reference with dmtok_binding_put().
 * Return: the binding, or NULL (no such live binding, or NULL @net).
 */
struct net_devmem_dmabuf_binding *dmtok_binding_lookup(struct dmtok_net *net, u32 id);

/** dmtok_binding_get() - the model's net_devmem_dmabuf_binding_get() */
void dmtok_binding_get(struct net_devmem_dmabuf_binding *b);
/** dmtok_binding_put() - the model's net_devmem_dmabuf_binding_put() */
void dmtok_binding_put(struct net_devmem_dmabuf_binding *b);

/*
 * net_devmem_dmabuf_binding_get() as 6.18 has it (percpu_ref_tryget()):
 * false once the binding is on its way out. Holders of a reference or of
 * a user (below) may call it.
 */
static inline bool net_devmem_dmabuf_binding_get(struct net_devmem_dmabuf_binding *b)
{
	return atomic_inc_not_zero(&b->ref);
}

static inline void net_devmem_dmabuf_binding_put(struct net_devmem_dmabuf_binding *b)
{
	dmtok_binding_put(b);
}

/**
 * dmtok_binding_put_urefs() - the series' net_devmem_dmabuf_binding_put_urefs()
 * @b: a binding whose last user went
 *
 * For each niov, xchg(uref, 0): one napi_pp_put_page() for a niov whose
 * uref was above 0 (many urefs map to one pp_ref_count). v10 devmem.c.
 */
void dmtok_binding_put_urefs(struct net_devmem_dmabuf_binding *b);

/* net_devmem_dmabuf_binding_user_get() (v10): joins unless no user is left. */
static inline bool net_devmem_dmabuf_binding_user_get(struct net_devmem_dmabuf_binding *b)
{
	return atomic_inc_not_zero(&b->users);
}

/* net_devmem_dmabuf_binding_user_put() (v10): the last user drops the urefs. */
static inline void net_devmem_dmabuf_binding_user_put(struct net_devmem_dmabuf_binding *b)
{
	if (atomic_dec_and_test(&b->users))
		dmtok_binding_put_urefs(b);
}

#endif /* DMTOK_SHIM_DEVMEM_H */
