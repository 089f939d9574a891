// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The upstream token scheme: a per-socket XArray (sk->sk_user_frags,
 * XA_FLAGS_ALLOC1, xa_limit_31b) mapping token -> niov. recvmsg reserves
 * tokens up to 17 at a time with XA_ZERO_ENTRY placeholders and commits
 * the ones handed out by cmpxchg, erasing the rest (struct tcp_xa_pool,
 * tcp_xa_pool_refill(), tcp_xa_pool_commit_locked() in net/ipv4/tcp.c);
 * dontneed erases under xa_lock_bh (sock_devmem_dontneed() before the
 * autorelease split); close puts every remaining entry
 * (tcp_release_user_frags()). Tokens are unique per frag.
 *
 * Concurrency: every tree access is under xs->frags.xa_lock; the put of a
 * niov happens outside it in batches of 16, as in the kernel.
 */
#include "scheme.h"
#include "xarray.h"

struct xa_sock {
	struct xarray frags;	/* sk->sk_user_frags */
	u64 locks;		/* xa_lock taken (counter) */
};

static int xa_scheme_init(void **priv, long chunk_shift)
{
	struct xa_sock *xs = kzalloc(sizeof(*xs), GFP_KERNEL);

	if (!xs)
		return -ENOMEM;
	xa_init_flags(&xs->frags, (u8)chunk_shift);	/* tcp_init_sock() */
	*priv = xs;
	return 0;
}

static void xa_lock_bh(struct xa_sock *xs)
{
	spin_lock_bh(&xs->frags.xa_lock);
	xs->locks++;
}

static void xa_unlock_bh(struct xa_sock *xs)
{
	spin_unlock_bh(&xs->frags.xa_lock);
}

#ifdef DMTOK_MUTANT_XA_NOLOCK	/* seeded bug: dontneed without xa_lock */
#define dn_lock(xs)	((void)(xs))
#define dn_unlock(xs)	((void)(xs))
#else
#define dn_lock(xs)	xa_lock_bh(xs)
#define dn_unlock(xs)	xa_unlock_bh(xs)
#endif

/* tcp_xa_pool_commit_locked() */
static void pool_commit_locked(struct xa_sock *xs, struct dmtok_rx_batch *p)
{
	int i;

	/* Commit part that has been copied to user space. */
	for (i = 0; i < p->idx; i++)
		__xa_cmpxchg(&xs->frags, p->tokens[i], XA_ZERO_ENTRY, p->niovs[i]);
	/* Rollback what has been pre-allocated and is no longer needed. */
	for (; i < p->max; i++)
		__xa_erase(&xs->frags, p->tokens[i]);
	p->max = 0;
	p->idx = 0;
}

/* tcp_xa_pool_commit() */
static void xa_rx_commit(void *priv, struct dmtok_rx_batch *p)
{
	struct xa_sock *xs = priv;

	if (!p->max)
		return;
	xa_lock_bh(xs);
	pool_commit_locked(xs, p);
	xa_unlock_bh(xs);
}

/* tcp_xa_pool_refill() */
static int xa_pool_refill(struct xa_sock *xs, struct dmtok_rx_batch *p,
			  unsigned int max_frags)
{
	int err = 0;
	unsigned int k;

	if (p->idx < p->max)
		return 0;
	xa_lock_bh(xs);
	pool_commit_locked(xs, p);
	for (k = 0; k < max_frags; k++) {
		err = __xa_alloc(&xs->frags, &p->tokens[k], XA_ZERO_ENTRY,
				 0x7fffffff /* xa_limit_31b */);
		if (err)
			break;
	}
	xa_unlock_bh(xs);
	p->max = (u8)k;
	p->idx = 0;
	return k ? 0 : err;
}

static int xa_rx_reserve(void *priv, struct dmtok_rx_batch *p,
			 struct dmtok_niov *niov, unsigned int max_frags,
			 u32 *token)
{
	int err = xa_pool_refill(priv, p, max_frags);

	(void)niov;
	if (err)
		return err;
	/* Will perform the exchange later */
	*token = p->tokens[p->idx];
	return 0;
}

static void xa_rx_taken(void *priv, struct dmtok_rx_batch *p,
			struct dmtok_niov *niov, u32 token)
{
	(void)priv;
	(void)token;
	p->niovs[p->idx++] = niov;
}

/* sock_devmem_dontneed(), the xarray loop */
static int xa_dontneed(void *priv, const struct dmabuf_token *tokens,
		       unsigned int num_tokens)
{
	struct xa_sock *xs = priv;
	struct dmtok_niov *netmems[16];
	unsigned int i, j, k, netmem_num = 0;
	int ret = 0, num_frags = 0;

	dn_lock(xs);
	for (i = 0; i < num_tokens; i++) {
		for (j = 0; j < tokens[i].token_count; j++) {
			struct dmtok_niov *netmem;

			if (++num_frags > MAX_DONTNEED_FRAGS)
				goto frag_limit_reached;
			netmem = __xa_erase(&xs->frags,
					    (u32)(tokens[i].token_start + j));
			if (!netmem)
				continue;
			netmems[netmem_num++] = netmem;
			if (netmem_num == ARRAY_SIZE(netmems)) {
				dn_unlock(xs);
				for (k = 0; k < netmem_num; k++)
					WARN_ON_ONCE(!napi_pp_put_page(netmems[k]));
				netmem_num = 0;
				dn_lock(xs);
			}
			ret++;
		}
	}
frag_limit_reached:
	dn_unlock(xs);
	for (k = 0; k < netmem_num; k++)
		WARN_ON_ONCE(!napi_pp_put_page(netmems[k]));
	return ret;
}

/* tcp_release_user_frags() + xa_destroy() */
static void xa_release_all(void *priv)
{
	struct xa_sock *xs = priv;
	unsigned long index;
	void *netmem;

	xa_for_each(&xs->frags, index, netmem)
		WARN_ON_ONCE(!napi_pp_put_page(netmem));
	xa_destroy(&xs->frags);
	kfree(xs);
}

static void xa_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct xa_sock *xs = priv;

	xa_lock_bh(xs);
	st->mem_bytes = sizeof(*xs) + xs->frags.nodes *
			(sizeof(struct xa_node) + (sizeof(void *) << xs->frags.chunk_shift));
	st->tokens_out = xs->frags.nr_entries;
	st->xa_node_allocs = xs->frags.node_allocs;
	st->xa_node_frees = xs->frags.node_frees;
	st->xa_locks = xs->locks;
	st->xa_height = xa_height(&xs->frags);
	xa_unlock_bh(xs);
}

static int xa_for_each_ref(void *priv, dmtok_ref_cb cb, void *arg)
{
	struct xa_sock *xs = priv;
	unsigned long index;
	void *netmem;
	int err;

	xa_for_each(&xs->frags, index, netmem) {
		err = cb(arg, (u32)index, netmem);
		if (err)
			return err;
	}
	return 0;
}

#define XA_SCHEME_OPS							\
	.init = xa_scheme_init,						\
	.rx_reserve = xa_rx_reserve,					\
	.rx_taken = xa_rx_taken,					\
	.rx_commit = xa_rx_commit,					\
	.dontneed = xa_dontneed,					\
	.release_all = xa_release_all,					\
	.stats = xa_stats,						\
	.for_each_ref = xa_for_each_ref

const struct dmtok_scheme_ops dmtok_scheme_xarray = {
	.name = "xarray", XA_SCHEME_OPS, .param = 6,
};

/* 8-slot nodes (XA_CHUNK_SHIFT 3): a few tokens reach deep trees. */
const struct dmtok_scheme_ops dmtok_scheme_xarray_small = {
	.name = "xarray-small", XA_SCHEME_OPS, .param = 3,
};

/*
 * Memory of an XArray holding tokens 1..n densely (what recvmsg produces
 * when tokens return in order): nodes at each level, used by dmtok-plan.
 */
u64 dmtok__xa_mem(u64 n, unsigned int chunk_shift);
u64 dmtok__xa_mem(u64 n, unsigned int chunk_shift)
{
	u64 node = sizeof(struct xa_node) + (sizeof(void *) << chunk_shift);
	u64 nodes = 0, span = n + 1;	/* indices 0..n */

	if (!n)
		return sizeof(struct xa_sock);
	do {
		span = (span + (1u << chunk_shift) - 1) >> chunk_shift;
		nodes += span;
	} while (span > 1);
	return sizeof(struct xa_sock) + nodes * node;
}
