// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * RX bindings, mirroring net_devmem_bind_dmabuf(),
 * net_devmem_unbind_dmabuf() and the binding refcount in
 * net/core/devmem.c: a global id allocated cyclically and never 0, the
 * niovs and vec[npages] built once at bind time, a free-niov pool (the
 * kernel's gen_pool chunk_pool), and a refcount held by the net's table,
 * every page pool and any scheme that needs the binding after its niovs
 * went home. Every allocation happens before any state changes, so a
 * failed bind leaves nothing behind.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "model.h"

void dmtok_binding_get(struct net_devmem_dmabuf_binding *b)
{
	atomic_inc(&b->ref);
}

/*
 * net_devmem_dmabuf_binding_put_urefs() (the series, v10, devmem.c): the
 * binding's last user went; every niov with urefs left holds one
 * pp_ref_count for all of them (tcp_xa_pool_inc_pp_ref_count()).
 */
void dmtok_binding_put_urefs(struct net_devmem_dmabuf_binding *b)
{
	u32 p;

	for (p = 0; p < b->npages; p++)
		if (atomic_xchg(&b->vec[p]->uref, 0) > 0)
			WARN_ON_ONCE(!dmtok_napi_pp_put_page(net_iov_to_netmem(b->vec[p])));
}

/* The binding's own memory; its niovs must all be home. */
static void binding_free_mem(struct net_devmem_dmabuf_binding *b)
{
	kvfree(b->used);
	kfree(b->seg_hint);
	kfree(b->seg_free);
	kvfree(b->vec);
	kvfree(b->niovs);
	kfree(b);
}

static void binding_free(struct net_devmem_dmabuf_binding *b)
{
	struct dmtok_net *net = b->net;
	struct net_devmem_dmabuf_binding **pp;

	dmtok__mutex_lock(&net->objs_lock);
	for (pp = &net->bindings; *pp; pp = &(*pp)->next_all)
		if (*pp == b) {
			*pp = b->next_all;
			break;
		}
	dmtok__mutex_unlock(&net->objs_lock);
	/* Every niov is home: pools are gone, their puts are done. */
	WARN_ON_ONCE(b->nfree != b->npages);
	dmtok_dmabuf_put(b->dmabuf);
	
	binding_free_mem(b);
}

/* The live binding of id @id (unbound ones are not found), or NULL. */
struct net_devmem_dmabuf_binding *dmtok_binding_find(struct dmtok_net *net, u32 id)
{
	struct net_devmem_dmabuf_binding *b;

	dmtok__mutex_lock(&net->objs_lock);
	for (b = net->bindings; b; b = b->next_all)
		if (b->id == id && !b->unbound)
			break;
	dmtok__mutex_unlock(&net->objs_lock);
	return b;
}

/* net_devmem_dmabuf_binding_put(), as the model's own objects drop theirs */
void dmtok__binding_put(struct net_devmem_dmabuf_binding *b)
{
	if (atomic_dec_and_test(&b->ref))
		binding_free(b);
}

/*
 * net_devmem_dmabuf_binding_put() as a scheme calls it. 6.12 frees the
 * binding at its last put, in the caller's context
 * (__net_devmem_dmabuf_binding_free(), net/core/devmem.c), and that free
 * sleeps: dma_buf_unmap_attachment_unlocked() takes the reservation
 * ww_mutex, dma_buf_detach() a mutex. So under the 6.12 profile a
 * scheme's last put in atomic context -- in release_all, where a close
 * runs it -- is the atomic-sleep report. 6.18 and later free from a work
 * item (net_devmem_dmabuf_binding_release() -> schedule_work(), 7.0.0).
 * Checked with the page pools' deferred release on, the kernel's order:
 * by default the model runs the pools' delayed release inside a put, so
 * their references go sooner than the kernel's and a scheme's put would
 * look last where in the kernel a pool's work item frees the binding.
 */
void dmtok_binding_put(struct net_devmem_dmabuf_binding *b)
{
	struct dmtok_net *net = b->net;

	if (net->kernel == DMTOK_KERNEL_6_12 &&
	    __atomic_load_n(&net->defer_pool_release, __ATOMIC_RELAXED) &&
	    atomic_read(&b->ref) == 1)
		dmtok__might_sleep_in(__FILE__, __LINE__,
				      "__net_devmem_dmabuf_binding_free() at the binding's last put "
				      "(6.12: dma_buf_unmap_attachment_unlocked())");
	dmtok__binding_put(b);
}

/* The gen_pool chunk of page @i: the dmabuf segment it lies in. */
static u32 seg_of(const struct net_devmem_dmabuf_binding *b, u32 i)
{
	u32 k = i / b->seg_pages;

	return k < b->nsegs ? k : b->nsegs - 1;	/* the last takes the rest */
}

/*
 * net_devmem_alloc_dmabuf() -> gen_pool_alloc_owner() (lib/genalloc.c,
 * 6.12): the chunks newest first -- one a DMA segment, added in order, so
 * the last segment's is searched first (gen_pool_add_owner()'s
 * list_add_rcu()) -- and in a chunk first fit, the lowest free page,
 * whatever order pages came back in (gen_pool_first_fit()). The kernel's
 * gen_pool is lock-free (cmpxchg on its bitmap); the model's takes
 * b->lock with BH off, since NAPI allocates from it and process context
 * (a page pool's release) frees into it. A chunk's hint keeps the scan
 * short: every page of the chunk below it is in use.
 */
static struct net_iov *binding_alloc_niov(struct net_devmem_dmabuf_binding *b)
{
	struct net_iov *niov = NULL;
	unsigned long bits;
	u32 k, w, i;

	spin_lock_bh(&b->lock);
	for (k = b->nsegs; k-- > 0 && b->nfree;) {
		if (!b->seg_free[k])
			continue;
		/* a free page of the chunk lies at its hint or above */
		w = b->seg_hint[k] / DMTOK_MAP_BITS;
		bits = ~b->used[w] & (~0UL << (b->seg_hint[k] % DMTOK_MAP_BITS));
		while (!bits)
			bits = ~b->used[++w];
		i = w * DMTOK_MAP_BITS + (u32)__builtin_ctzl(bits);
		b->used[w] |= 1UL << (i % DMTOK_MAP_BITS);
		b->seg_free[k]--;
		b->nfree--;
		b->seg_hint[k] = i + 1;
		niov = b->vec[i];
		break;
	}
	spin_unlock_bh(&b->lock);
	return niov;
}

/* net_devmem_free_dmabuf() -> gen_pool_free(): a page freed twice is a WARN */
static void binding_free_niov(struct net_devmem_dmabuf_binding *b, struct net_iov *niov)
{
	u32 i = niov->index, k = seg_of(b, i);

	spin_lock_bh(&b->lock);
	if (!WARN_ON_ONCE(!dmtok_binding_page_used(b, i))) {
		b->used[i / DMTOK_MAP_BITS] &= ~(1UL << (i % DMTOK_MAP_BITS));
		b->seg_free[k]++;
		b->nfree++;
		if (i < b->seg_hint[k])
			b->seg_hint[k] = i;
	}
	spin_unlock_bh(&b->lock);
}

/* mp_dmabuf_devmem_*() (net/core/devmem.c, 6.12): the binding as its pools' provider */
static int mp_dmabuf_devmem_init(struct dmtok_page_pool *pool)
{
	dmtok_binding_get(pool->mp_priv);
	return 0;
}

static void mp_dmabuf_devmem_destroy(struct dmtok_page_pool *pool)
{
	dmtok__binding_put(pool->mp_priv);
}

static struct net_iov *mp_dmabuf_devmem_alloc_netmems(struct dmtok_page_pool *pool)
{
	return binding_alloc_niov(pool->mp_priv);
}

/* false: the provider keeps the niov (the page pool must not put_page() it) */
static bool mp_dmabuf_devmem_release_page(struct dmtok_page_pool *pool, struct net_iov *niov)
{
	binding_free_niov(pool->mp_priv, niov);
	return false;
}

static const struct dmtok_memory_provider_ops dmabuf_devmem_ops = {
	.alloc_netmems	= mp_dmabuf_devmem_alloc_netmems,
	.release_netmem	= mp_dmabuf_devmem_release_page,
	.init		= mp_dmabuf_devmem_init,
	.destroy	= mp_dmabuf_devmem_destroy,
};

/* page_pool_create() for a queue bound to @b: @b is its memory provider */
int dmtok_binding_pp_create(struct dmtok_net *net, struct net_devmem_dmabuf_binding *b,
			    u32 ring_size, struct dmtok_page_pool **out)
{
	return dmtok_pp_create(net, &dmabuf_devmem_ops, b, ring_size, out);
}

/* *@late: the allocation that failed came after the binding's own (6.12 had the id then) */
static struct net_devmem_dmabuf_binding *binding_alloc(struct dmtok_dmabuf *d, bool *late)
{
	struct net_devmem_dmabuf_binding *b;
	u32 i, npages = (u32)(d->size >> d->page_shift);

	*late = false;
	/*
	 * Each allocation is checked as it is made, so a refused one stops
	 * the bind; kvmalloc()'s INT_MAX limit (dmtok_kmalloc) refuses what
	 * the kernel would (an 8 TiB dmabuf's niovs: -ENOMEM, not an OOM kill).
	 */
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return NULL;
	b->niovs = kvcalloc(npages, sizeof(*b->niovs), GFP_KERNEL);
	if (b->niovs)
		b->vec = kvcalloc(npages, sizeof(*b->vec), GFP_KERNEL);
	if (b->vec)
		b->used = kvcalloc((npages + DMTOK_MAP_BITS - 1) / DMTOK_MAP_BITS, sizeof(*b->used),
				   GFP_KERNEL);
	if (b->used)	/* gen_pool_create() and a chunk per DMA segment */
		b->seg_hint = kcalloc(d->nsegs, sizeof(*b->seg_hint), GFP_KERNEL);
	if (b->seg_hint)
		b->seg_free = kcalloc(d->nsegs, sizeof(*b->seg_free), GFP_KERNEL);
	if (!b->seg_free) {
		binding_free_mem(b);
		*late = true;
		return NULL;
	}
	b->npages = npages;
	b->page_shift = d->page_shift;
	b->size = d->size;
	for (i = 0; i < npages; i++) {
		struct net_iov *niov = &b->niovs[i];

		niov->owner = b;
		niov->index = i;
		b->vec[i] = niov;	/* filled once, never rewritten */
	}
	b->nsegs = d->nsegs;
	b->seg_pages = npages / d->nsegs;
	for (i = 0; i < b->nsegs; i++) {
		b->seg_hint[i] = i * b->seg_pages;
		b->seg_free[i] = i + 1 < b->nsegs ? b->seg_pages : npages - i * b->seg_pages;
	}
	b->nfree = npages;
	spin_lock_init(&b->lock);
	atomic_set(&b->ref, 1);	/* the net's table */
	return b;
}

/*
 * xa_alloc_cyclic(&net_devmem_dmabuf_bindings, ..., xa_limit_32b, ...).
 * Walks net->bindings, which binding_free() unlinks from under objs_lock
 * alone (from put paths that never take net->lock): the caller holds
 * objs_lock.
 */
static u32 binding_id_alloc(struct dmtok_net *net)
{
	for (;;) {
		u32 id = net->next_binding_id++;
		struct net_devmem_dmabuf_binding *b;

		if (!net->next_binding_id)
			net->next_binding_id = 1;
		if (!id)
			continue;
		for (b = net->bindings; b; b = b->next_all)
			if (b->id == id)
				break;
		if (!b)
			return id;
	}
}

/* A bind that fails after the kernel took its id: the id is gone. */
static void binding_id_use_up(struct dmtok_net *net)
{
	dmtok__mutex_lock(&net->objs_lock);
	(void)binding_id_alloc(net);
	dmtok__mutex_unlock(&net->objs_lock);
}

/*
 * The series' system-wide autorelease mode (v10,
 * __net_devmem_dmabuf_binding_set_mode()): while any RX binding is alive
 * -- bound, or unbound with references still out, since v10 erases the id
 * only when the binding is freed -- a bind asking for the other mode is
 * refused with -EBUSY. The mode is free again once the last one is freed.
 */
static bool mode_conflicts(struct dmtok_net *net, bool autorelease)
{
	struct net_devmem_dmabuf_binding *b;
	bool busy = false;

	dmtok__mutex_lock(&net->objs_lock);
	for (b = net->bindings; b; b = b->next_all)
		if (b->autorelease != autorelease) {
			busy = true;
			break;
		}
	dmtok__mutex_unlock(&net->objs_lock);
	return busy;
}

/*
 * The queues of a bind request, as the profile reads them: 6.18 and 7.0's
 * netdev_nl_read_rxq_bitmap() refuses a queue past the device's (-EINVAL)
 * and merges one named twice, in the bitmap's order (for_each_set_bit());
 * 6.12 takes the list as given and checks each queue as it binds it.
 * Fills @q; returns how many, or -EINVAL.
 */
static int read_rxqs(enum dmtok_kernel k, const struct dmtok_netdev *dev,
		     const unsigned int *queues, unsigned int nqueues, unsigned int *q)
{
	unsigned int i, j, nq = 0;

	if (k == DMTOK_KERNEL_6_12) {
		memcpy(q, queues, nqueues * sizeof(*q));
		return (int)nqueues;
	}
	for (i = 0; i < nqueues; i++) {
		if (queues[i] >= dev->opts.nqueues)
			return -EINVAL;
		for (j = 0; j < nq && q[j] != queues[i]; j++)
			;
		if (j == nq)
			q[nq++] = queues[i];
	}
	for (i = 1; i < nq; i++)	/* the bitmap's order */
		for (j = i; j > 0 && q[j - 1] > q[j]; j--) {
			unsigned int t = q[j];

			q[j] = q[j - 1];
			q[j - 1] = t;
		}
	return (int)nq;
}

/*
 * net_devmem_bind_dmabuf_to_queue() for each queue in turn, up to the
 * page pool the queue restart makes: -ERANGE out of range (6.12 only:
 * 6.18 refused it before), -EEXIST already bound -- a queue named twice
 * finds itself bound -- and the pool's -ENOMEM. *@npools counts the pools
 * made, on error too.
 */
static int bind_queues(struct dmtok_net *net, struct net_devmem_dmabuf_binding *b,
		       const struct dmtok_netdev *dev, const unsigned int *q,
		       unsigned int nq, struct dmtok_page_pool **pools, unsigned int *npools)
{
	unsigned int i, j;
	int err;

	for (i = 0; i < nq; i++) {
		if (q[i] >= dev->opts.nqueues)
			return -ERANGE;
		for (j = 0; j < i; j++)
			if (q[j] == q[i])
				return -EEXIST;
		if (dev->rxq[q[i]].binding)
			return -EEXIST;
		err = dmtok_binding_pp_create(net, b, dev->opts.pool_ring_size, &pools[i]);
		if (err)
			return err;
		(*npools)++;
	}
	return 0;
}

/*
 * The bind takes effect, nothing here can fail: the id, the net's list,
 * each bound queue a user of the binding (v10) and given its provider and
 * pool. Returns the id.
 */
static u32 bind_commit(struct dmtok_net *net, struct net_devmem_dmabuf_binding *b,
		       struct dmtok_netdev *dev, const unsigned int *q, unsigned int nq,
		       struct dmtok_page_pool **pools)
{
	unsigned int i;

	dmtok__mutex_lock(&net->objs_lock);
	b->id = binding_id_alloc(net);
	b->next_all = net->bindings;
	net->bindings = b;
	dmtok__mutex_unlock(&net->objs_lock);
	atomic_set(&b->users, (int)nq);
	for (i = 0; i < nq; i++) {
		struct dmtok_rxq *rxq = &dev->rxq[q[i]];

		dmtok__mutex_lock(&rxq->lock);
		rxq->binding = b;
		rxq->pool = pools[i];
		dmtok__mutex_unlock(&rxq->lock);
	}
	return b->id;
}

/*
 * The kernel's order, by profile (dmtok_net_set_kernel()).
 * 6.12 (netdev_nl_bind_rx_doit(), net_devmem_bind_dmabuf()): the netdev;
 * dma_buf_get() (-EBADF: no such fd, -EINVAL: not a dmabuf); the binding
 * (-ENOMEM); the id (xa_alloc_cyclic()), before the niov arrays, so their
 * -ENOMEM uses it up; then each queue in turn (bind_queues()); an error
 * after the id unbinds: the id is used up. 6.18 and 7.0: the queue list
 * is read first (read_rxqs()); the id is taken after all of the binding's
 * allocations, before the queues. v10 (the default): 6.18 and the
 * system-wide autorelease mode (-EBUSY, after the binding's allocation,
 * no id taken). Before v10 there is no autorelease attribute: asking for
 * manual release is an unknown attribute (-EINVAL).
 */
static int bind_rx(struct dmtok_net *net, int ifindex, int dmabuf_fd,
		   const unsigned int *queues, unsigned int nqueues,
		   unsigned int flags, u32 *id)
{
	struct dmtok_page_pool *pools[DMTOK_MAX_QUEUES];
	unsigned int q[DMTOK_MAX_QUEUES], npools = 0;
	struct net_devmem_dmabuf_binding *b = NULL;
	bool autorelease = !(flags & DMTOK_BIND_NO_AUTORELEASE), late;
	struct dmtok_dmabuf *d = NULL;
	struct dmtok_netdev *dev;
	enum dmtok_kernel k;
	int err, nq;

	if (!net || !queues || !nqueues || nqueues > DMTOK_MAX_QUEUES ||
	    (flags & ~DMTOK_BIND_NO_AUTORELEASE))
		return -EINVAL;
	dmtok__mutex_lock(&net->lock);
	k = net->kernel;
	net->bound_once = true;
	if ((flags & DMTOK_BIND_NO_AUTORELEASE) && k != DMTOK_KERNEL_V10) {
		err = -EINVAL;
		goto out_unlock;
	}
	dev = dmtok_netdev_find(net, ifindex);
	err = dev ? read_rxqs(k, dev, queues, nqueues, q) : -ENODEV;
	if (err < 0)
		goto out_unlock;
	nq = err;
	d = dmtok_dmabuf_get_fd(net, dmabuf_fd);
	if (!d) {
		err = dmtok_fd_is_open(net, dmabuf_fd) ? -EINVAL : -EBADF;
		goto out_unlock;
	}
	b = binding_alloc(d, &late);
	if (!b) {
		if (late && k == DMTOK_KERNEL_6_12)
			goto out_id;	/* the id was taken before the niov arrays */
		err = -ENOMEM;
		goto out_unlock;
	}
	b->net = net;
	b->dmabuf = d;
	b->autorelease = autorelease;
	if (k == DMTOK_KERNEL_V10 && mode_conflicts(net, autorelease)) {
		err = -EBUSY;	/* "System already configured with autorelease=%d" */
		goto out_free;
	}
	err = bind_queues(net, b, dev, q, (unsigned int)nq, pools, &npools);
	if (err)
		goto out_queue;
	d = NULL;	/* the binding owns the dmabuf reference now */
	*id = bind_commit(net, b, dev, q, (unsigned int)nq, pools);
	goto out_unlock;
out_queue:
	binding_id_use_up(net);
	while (npools--)
		dmtok_pp_destroy(pools[npools]);
out_free:
	/* the pools dropped their refs; nothing else saw b */
	binding_free_mem(b);
	goto out_unlock;
out_id:
	binding_id_use_up(net);	/* 6.12: taken, then the niov arrays failed */
	err = -ENOMEM;
out_unlock:
	dmtok__mutex_unlock(&net->lock);
	if (d)
		dmtok_dmabuf_put(d);
	return err;
}

int dmtok_bind_rx_id(struct dmtok_net *net, int ifindex, int dmabuf_fd,
		     const unsigned int *queues, unsigned int nqueues,
		     unsigned int flags, uint32_t *id)
{
	if (!id)
		return -EINVAL;
	return bind_rx(net, ifindex, dmabuf_fd, queues, nqueues, flags, id);
}

int dmtok_bind_rx(struct dmtok_net *net, int ifindex, int dmabuf_fd,
		  const unsigned int *queues, unsigned int nqueues,
		  unsigned int flags)
{
	u32 id;
	int err = bind_rx(net, ifindex, dmabuf_fd, queues, nqueues, flags, &id);

	if (err)
		return err;
	if (id > INT_MAX) {	/* would read as an errno: undo, say so */
		dmtok_unbind(net, id);
		return -EOVERFLOW;
	}
	return (int)id;
}

/*
 * A queue leaves its binding -- in net_devmem_unbind_dmabuf() and in
 * dev_dmabuf_uninstall() alike: the queue forgets it, the driver's buffer
 * page is put and the queue's page pool destroyed. Only if the queue is
 * bound to @b (NULL: to any binding). Returns the binding it left, or
 * NULL. Under net->lock.
 */
struct net_devmem_dmabuf_binding *dmtok__rxq_unbind(struct dmtok_rxq *q,
		const struct net_devmem_dmabuf_binding *b)
{
	struct net_devmem_dmabuf_binding *was;
	struct dmtok_page_pool *pool;
	struct net_iov *cur, **held;
	u32 nheld;

	dmtok__mutex_lock(&q->lock);
	was = q->binding;
	if (!was || (b && was != b)) {
		dmtok__mutex_unlock(&q->lock);
		return NULL;
	}
	cur = q->cur;
	pool = q->pool;
	held = dmtok_rxq_take_held(q, &nheld);
	q->cur = NULL;
	q->binding = NULL;
	q->pool = NULL;
	dmtok__mutex_unlock(&q->lock);
	if (cur)	/* the driver's reference on its buffer page */
		dmtok_pp_put_niov(cur);
	dmtok_pp_put_array(held, nheld);	/* dmtok_nic_hold_pages()'s */
	dmtok_pp_destroy(pool);
	return was;
}

/* net_devmem_unbind_dmabuf(); called with net->lock held. */
int dmtok__unbind_locked(struct dmtok_net *net, struct net_devmem_dmabuf_binding *b)
{
	struct dmtok_netdev *dev;
	unsigned int i;

	__atomic_store_n(&b->unbound, true, __ATOMIC_RELEASE);
	TAILQ_FOREACH(dev, &net->devs, link) {
		for (i = 0; i < dev->opts.nqueues; i++)
			/* __net_mp_close_rxq(), then the queue's user goes (v10) */
			if (dmtok__rxq_unbind(&dev->rxq[i], b))
				net_devmem_dmabuf_binding_user_put(b);
	}
	dmtok__binding_put(b);	/* the table's reference */
	return 0;
}

int dmtok_unbind(struct dmtok_net *net, uint32_t id)
{
	struct net_devmem_dmabuf_binding *b;
	int err = -ENOENT;

	if (!net)
		return -EINVAL;
	dmtok__mutex_lock(&net->lock);
	b = dmtok_binding_find(net, id);
	if (b && !b->unbound) {
		dmtok_binding_get(b);
		err = dmtok__unbind_locked(net, b);
		dmtok__binding_put(b);
	}
	dmtok__mutex_unlock(&net->lock);
	return err;
}

int dmtok_net_set_binding_id_cursor(struct dmtok_net *net, uint32_t next)
{
	if (!net)
		return -EINVAL;
	dmtok__mutex_lock(&net->lock);
	dmtok__mutex_lock(&net->objs_lock);
	net->next_binding_id = next;	/* binding_id_alloc() skips 0 */
	dmtok__mutex_unlock(&net->objs_lock);
	dmtok__mutex_unlock(&net->lock);
	return 0;
}

int dmtok_net_set_kernel(struct dmtok_net *net, enum dmtok_kernel k)
{
	int err = 0;

	if (!net || (k != DMTOK_KERNEL_V10 && k != DMTOK_KERNEL_6_12 && k != DMTOK_KERNEL_6_18))
		return -EINVAL;
	dmtok__mutex_lock(&net->lock);
	if (net->bound_once)
		err = -EBUSY;	/* a profile is chosen before the first bind */
	else
		net->kernel = k;
	dmtok__mutex_unlock(&net->lock);
	return err;
}

int dmtok_kernel_parse(const char *s, enum dmtok_kernel *k)
{
	if (!s || !k)
		return -EINVAL;
	if (!strcmp(s, "6.12"))
		*k = DMTOK_KERNEL_6_12;
	else if (!strcmp(s, "6.18") || !strcmp(s, "7.0"))
		*k = DMTOK_KERNEL_6_18;
	else if (!strcmp(s, "v10"))
		*k = DMTOK_KERNEL_V10;
	else
		return -EINVAL;
	return 0;
}
