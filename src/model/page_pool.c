// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Page pools over a devmem binding, mirroring net/core/page_pool.c with
 * the dmabuf memory provider (mp_dmabuf_devmem_*), in the kernel's order
 * (6.12): alloc hands out a niov with pp_ref_count 1 from the alloc cache
 * (a LIFO stack of up to 128, page_pool_alloc_netmems() ->
 * __page_pool_get_cached()); an empty cache is refilled with up to 64
 * niovs from the head of the recycle ring (page_pool_refill_alloc_cache():
 * the last one taken goes out first), and an empty ring falls back to the
 * binding's free pool (mp_dmabuf_devmem_alloc_netmems()). The put that
 * drops the last reference (napi_pp_put_page(), never allow_direct)
 * recycles into the tail of the ring, a FIFO ptr_ring
 * (page_pool_recycle_in_ring()), or gives the niov back to the binding
 * when the ring is full. So a returned page is reissued after the ring
 * ahead of it, not at once. page_pool_destroy() runs
 * page_pool_release() once -- the ring scrubbed back to the binding, the
 * pool freed if nothing is in flight -- and otherwise the kernel retries
 * from delayed work every second (page_pool_release_retry(), 6.12): puts
 * to the dying pool still go to its ring meanwhile. dmtok runs that retry
 * at once, in the put, by default (the niov goes straight back to the
 * binding and the last one frees the pool: the same end state, sooner);
 * with dmtok_net_set_deferred_release() the retry waits for
 * dmtok_net_run_deferred(), in the kernel's order. A destroyed pool holds
 * its binding, which is how an unbound binding stays alive while users
 * still hold its niovs.
 *
 * Concurrency: alloc runs in the queue's NAPI context; puts come from any
 * context (NAPI, recvmsg, dontneed, close, unbind). pool->lock protects
 * the ring, inflight and dying; it is taken with spin_lock_bh() from any
 * context, as the kernel's ring is from process context
 * (page_pool_recycle_in_ring(): ptr_ring_produce_bh() unless
 * in_softirq(); page_pool_empty_ring(): ptr_ring_consume_bh()): NAPI can
 * take it, so a process-context holder with softirqs on could deadlock
 * against it (lockdep's inconsistent lock state, which the vocabulary
 * reports).
 */
#include <errno.h>

#include "model.h"

/*
 * page_pool_create() with a memory provider (page_pool_init(), 6.12: the
 * queue's mp_ops, then mp_ops->init()).
 */
int dmtok_pp_create(struct dmtok_net *net, const struct dmtok_memory_provider_ops *mp_ops,
		    void *mp_priv, u32 ring_size, struct dmtok_page_pool **out)
{
	struct dmtok_page_pool *pool;
	int err;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return -ENOMEM;
	pool->ring = kvcalloc(ring_size, sizeof(*pool->ring), GFP_KERNEL);
	if (!pool->ring) {
		kfree(pool);
		return -ENOMEM;
	}
	pool->ring_size = ring_size;
	pool->mp_ops = mp_ops;
	pool->mp_priv = mp_priv;
	pool->net = net;
	spin_lock_init(&pool->lock);
	err = mp_ops->init(pool);
	if (err) {
		kvfree(pool->ring);
		kfree(pool);
		return err;
	}
	dmtok__mutex_lock(&net->objs_lock);
	TAILQ_INSERT_TAIL(&net->pools, pool, all);
	dmtok__mutex_unlock(&net->objs_lock);
	*out = pool;
	return 0;
}

static void pp_free(struct dmtok_page_pool *pool)
{
	struct dmtok_net *net = pool->net;

	dmtok__mutex_lock(&net->objs_lock);
	TAILQ_REMOVE(&net->pools, pool, all);
	dmtok__mutex_unlock(&net->objs_lock);
	pool->mp_ops->destroy(pool);		/* page_pool_uninit() */
	kvfree(pool->ring);
	kfree(pool);
}

/* __ptr_ring_consume(): the ring's head. Under pool->lock; the ring is not empty. */
static struct net_iov *ring_pop(struct dmtok_page_pool *pool)
{
	struct net_iov *niov = pool->ring[pool->ring_head];

	pool->ring_head = (pool->ring_head + 1) % pool->ring_size;
	pool->ring_count--;
	return niov;
}

/* page_pool_alloc_netmems(): the cache, a refill from the ring, the binding */
struct net_iov *dmtok_pp_alloc(struct dmtok_page_pool *pool)
{
	struct net_iov *niov = NULL;

	spin_lock_bh(&pool->lock);
	if (!pool->cache_count)		/* page_pool_refill_alloc_cache() */
		while (pool->cache_count < DMTOK_PP_ALLOC_CACHE_REFILL && pool->ring_count)
			pool->cache[pool->cache_count++] = ring_pop(pool);
	if (pool->cache_count) {
		niov = pool->cache[--pool->cache_count];
		__atomic_store_n(&niov->in_ring, false, __ATOMIC_RELAXED);
	} else {
		niov = pool->mp_ops->alloc_netmems(pool);
		if (niov)
			pool->inflight++;
	}
	spin_unlock_bh(&pool->lock);
	if (niov) {
		__atomic_store_n(&niov->pp, pool, __ATOMIC_RELAXED);
		/* page_pool_fragment_netmem(netmem, 1); ordered by pool->lock */
		atomic_long_set(&niov->pp_ref_count, 1);
	}
	return niov;
}

/*
 * page_pool_return_page() -> mp_ops->release_netmem() (6.12): the niov
 * leaves the pool for its provider (the binding's free pool); its
 * pp_ref_count must be 1. Under pool->lock.
 */
static void pp_release_page(struct dmtok_page_pool *pool, struct net_iov *niov)
{
	WARN_ON_ONCE(atomic_long_read(&niov->pp_ref_count) != 1);
	atomic_long_set(&niov->pp_ref_count, 0);
	__atomic_store_n(&niov->pp, NULL, __ATOMIC_RELAXED);
	pool->mp_ops->release_netmem(pool, niov);
	pool->inflight--;
}

/*
 * page_pool_put_unrefed_netmem() for a niov whose last reference went.
 * A niov back with its binding has no pool (its count is 0, unless a
 * stray increment made it 1 again): the kernel's napi_pp_put_page()
 * finds its pp_magic cleared (is_pp_netmem(), 6.12) and returns false,
 * and its callers WARN. False then, and a WARN here too.
 */
static bool pp_return(struct net_iov *niov)
{
	struct dmtok_page_pool *pool = __atomic_load_n(&niov->pp, __ATOMIC_RELAXED);
	bool free_pool = false;

	if (WARN_ON_ONCE(!pool))
		return false;

	spin_lock_bh(&pool->lock);
	/* deferred release: a dying pool's ring fills until the retry runs */
	if ((!pool->dying || pool->deferred) && pool->ring_count < pool->ring_size) {
		__atomic_store_n(&niov->in_ring, true, __ATOMIC_RELAXED);	/* pp_ref_count stays 1 */
		pool->ring[(pool->ring_head + pool->ring_count++) % pool->ring_size] = niov;
	} else {
		pp_release_page(pool, niov);
		/* the retry at once; a deferred one is the flush's to run */
		free_pool = pool->dying && !pool->deferred && !pool->inflight;
	}
	spin_unlock_bh(&pool->lock);
	if (free_pool)
		pp_free(pool);
	return true;
}

/*
 * napi_pp_put_page() -> page_pool_unref_netmem(netmem, 1) (6.12): if the
 * count is 1 this is the last reference, and it is not dropped -- the
 * niov is recycled with pp_ref_count 1; otherwise subtract, and the
 * holder that brings it to 0 (racing puts) sets it back to 1 and
 * recycles. A put on a niov that is not in use (in its pool's ring, or
 * at 0) is a model bug, never user input: a counted WARN, refused. The
 * kernel tells only half of it (a niov back with its binding has its
 * pp_magic cleared: napi_pp_put_page() returns false and its callers
 * WARN); the model tells both, and says so.
 */
bool dmtok_pp_put_niov(struct net_iov *niov)
{
	/*
	 * The kernel reads with atomic_long_read(), a plain load that x86
	 * orders as an acquire. Here it is an acquire on every target: the
	 * holder that reads 1 recycles the niov and may free its binding,
	 * which must come after the other holders' earlier decrements
	 * (release) -- a relaxed read gives no such order (TSan saw it).
	 */
	long c = __atomic_load_n(&niov->pp_ref_count.counter, __ATOMIC_ACQUIRE);

	if (WARN_ON_ONCE(c <= 0 || __atomic_load_n(&niov->in_ring, __ATOMIC_RELAXED)))
		return false;
	if (c == 1)
		return pp_return(niov);
	c = atomic_long_sub_return(1, &niov->pp_ref_count);
	if (WARN_ON_ONCE(c < 0))
		return false;
	if (c == 0) {
		atomic_long_set(&niov->pp_ref_count, 1);
		return pp_return(niov);
	}
	return true;
}

bool dmtok_napi_pp_put_page(netmem_ref netmem)
{
	if (WARN_ON_ONCE(!netmem_is_net_iov(netmem) || !netmem_to_net_iov(netmem)))
		return false;
	return dmtok_pp_put_niov(netmem_to_net_iov(netmem));
}

void dmtok_pp_put_array(struct net_iov **v, u32 n)
{
	for (u32 i = 0; i < n; i++)
		dmtok_pp_put_niov(v[i]);
	kvfree(v);
}

/*
 * page_pool_empty_alloc_cache_once() and page_pool_empty_ring(): every
 * niov the pool holds goes back to the binding. Under pool->lock.
 */
static void pp_scrub(struct dmtok_page_pool *pool)
{
	while (dmtok_pp_held(pool)) {
		struct net_iov *niov = pool->ring_count ? ring_pop(pool) :
				       pool->cache[--pool->cache_count];

		__atomic_store_n(&niov->in_ring, false, __ATOMIC_RELAXED);
		pp_release_page(pool, niov);	/* at 1 in the pool */
	}
}

/*
 * page_pool_destroy(): one page_pool_release() now; the pool is freed
 * then or, if niovs are still out, by the retry (see the top comment).
 * Called under net->lock, as every caller that can set deferred is.
 * Marking the pool dying and scrubbing it are one critical section: once
 * the lock is dropped with niovs out, the put that returns the last one
 * may free the pool (pp_return()), so nothing here may touch it again.
 * (With two sections, a put between them freed the pool and the scrub
 * took a freed lock: found by dmtok-explore, scenario "unbind".)
 */
void dmtok_pp_destroy(struct dmtok_page_pool *pool)
{
	bool idle;

	spin_lock_bh(&pool->lock);
	pool->deferred = pool->net->defer_pool_release;
	pool->dying = true;
	pp_scrub(pool);
	idle = !pool->inflight;
	spin_unlock_bh(&pool->lock);
	if (idle)	/* nothing is out: no put can race the free */
		pp_free(pool);
}

/*
 * page_pool_release_retry() for every dying pool of @net that waits for
 * it: what the kernel's delayed work does each DEFER_TIME. Under net->lock
 * (one flush at a time). Holds objs_lock across each pool's release, so a
 * put that empties the pool meanwhile waits in pp_free() until the walk
 * has left it. With @undefer, the pools stop waiting: from then on the put
 * that empties one frees it, as for any other pool. Returns how many were
 * freed now.
 */
static int pp_flush(struct dmtok_net *net, bool undefer)
{
	struct dmtok_page_pool *pool;
	int freed = 0;
	bool idle;

again:
	dmtok__mutex_lock(&net->objs_lock);
	TAILQ_FOREACH(pool, &net->pools, all) {
		if (!pool->dying || !pool->deferred)
			continue;
		spin_lock_bh(&pool->lock);
		if (undefer)
			pool->deferred = false;
		pp_scrub(pool);
		idle = !pool->inflight;
		spin_unlock_bh(&pool->lock);
		if (idle) {	/* nothing is out: no put can race the free */
			dmtok__mutex_unlock(&net->objs_lock);
			pp_free(pool);
			freed++;
			goto again;
		}
	}
	dmtok__mutex_unlock(&net->objs_lock);
	return freed;
}

int dmtok__pp_run_deferred(struct dmtok_net *net)
{
	return pp_flush(net, false);
}

/*
 * Deferred release switched off: the pools destroyed while it was on are
 * released as the kernel's retry would release them, and none of them
 * keeps its binding (and with it the series' autorelease mode) alive.
 */
int dmtok__pp_undefer(struct dmtok_net *net)
{
	return pp_flush(net, true);
}
