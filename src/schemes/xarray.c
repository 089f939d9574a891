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
 *
 * The upstream code leaks a frag's reference when a dontneed names a token
 * that recvmsg has reserved but not committed yet (the README's finding):
 * __xa_erase() removes the reservation and returns NULL, so dontneed puts
 * nothing, and the commit's __xa_cmpxchg() then finds the slot empty,
 * stores nothing and returns NULL as on success. Two candidate fixes are
 * ordinary schemes here, each a one-function change:
 *  - "xarray-fix-skip": dontneed erases only what xa_load() sees (a
 *    reservation reads as NULL), so it never consumes a reservation;
 *  - "xarray-fix-commit": the commit checks that its entry landed and,
 *    if the reservation was erased, inserts it again (or, if that cannot
 *    allocate, drops the frag's reference so nothing leaks).
 */
#include <linux/array_size.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/skbuff_ref.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/xarray.h>
#include <net/netmem.h>

#include <dmtok/scheme.h>

#include "devmem.h"

struct xa_sock {
	struct xarray frags;	/* sk->sk_user_frags */
	unsigned long locks;	/* xa_lock taken (a model counter) */
};

static int xa_init_with(void **priv, gfp_t flags)
{
	struct xa_sock *xs = kzalloc(sizeof(*xs), GFP_KERNEL);

	if (!xs)
		return -ENOMEM;
	xa_init_flags(&xs->frags, flags);
	*priv = xs;
	return 0;
}

/*
 * tcp_init_sock() and, for a socket accept() returns,
 * tcp_create_openreq_child() (6.12): XA_FLAGS_ALLOC1 alone
 */
static int xa_scheme_init(void **priv)
{
	return xa_init_with(priv, XA_FLAGS_ALLOC1);
}

/*
 * The fixes also tell the XArray it is locked with xa_lock_bh(): upstream
 * takes sk_user_frags with xa_lock_bh() but creates it without
 * XA_FLAGS_LOCK_BH, so when __xa_alloc(GFP_KERNEL) in
 * tcp_xa_pool_refill() runs out of memory, __xas_nomem() drops the lock
 * with a plain spin_unlock() and allocates with BH still disabled -- a
 * sleeping allocation in atomic context. With the flag it drops the lock
 * with spin_unlock_bh() first.
 */
static int xa_fix_init(void **priv)
{
	return xa_init_with(priv, XA_FLAGS_ALLOC1 | XA_FLAGS_LOCK_BH);
}

static void sock_xa_lock_bh(struct xa_sock *xs)
	__acquires(&xs->frags.xa_lock)
{
	xa_lock_bh(&xs->frags);
	xs->locks++;
}

static void sock_xa_unlock_bh(struct xa_sock *xs)
	__releases(&xs->frags.xa_lock)
{
	xa_unlock_bh(&xs->frags);
}

/* tcp_xa_pool_commit_locked() */
static void pool_commit_locked(struct xa_sock *xs, struct dmtok_rx_batch *p)
{
	int i;

	/* Commit part that has been copied to user space. */
	for (i = 0; i < p->idx; i++)
		__xa_cmpxchg(&xs->frags, p->tokens[i], XA_ZERO_ENTRY,
			     (__force void *)net_iov_to_netmem(p->niovs[i]),
			     GFP_KERNEL);
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
	sock_xa_lock_bh(xs);
	pool_commit_locked(xs, p);
	sock_xa_unlock_bh(xs);
}

/*
 * xarray-fix-commit: tcp_xa_pool_commit_locked() that notices a lost
 * reservation. __xa_cmpxchg() returns NULL whether it stored or found the
 * slot empty, so look: if the entry is not there, the reservation was
 * erased by a racing dontneed; insert it again (the token the user got
 * stays valid). Only if that cannot allocate is the frag's reference
 * dropped here, after the lock (the user's token then names nothing, as
 * a token it returned itself would).
 */
static void pool_commit_recheck_locked(struct xa_sock *xs, struct dmtok_rx_batch *p,
				       netmem_ref *lost, unsigned int *nlost)
{
	int i;

	for (i = 0; i < p->idx; i++) {
		void *entry = (__force void *)net_iov_to_netmem(p->niovs[i]);

		__xa_cmpxchg(&xs->frags, p->tokens[i], XA_ZERO_ENTRY, entry, GFP_KERNEL);
		if (xa_load(&xs->frags, p->tokens[i]) == entry)
			continue;
		__xa_cmpxchg(&xs->frags, p->tokens[i], NULL, entry, GFP_KERNEL);
		if (xa_load(&xs->frags, p->tokens[i]) != entry)
			lost[(*nlost)++] = net_iov_to_netmem(p->niovs[i]);
	}
	for (; i < p->max; i++)
		__xa_erase(&xs->frags, p->tokens[i]);
	p->max = 0;
	p->idx = 0;
}

static void put_lost(netmem_ref *lost, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		WARN_ON_ONCE(!napi_pp_put_page(lost[k]));
}

static void xa_fix_rx_commit(void *priv, struct dmtok_rx_batch *p)
{
	netmem_ref lost[DMTOK_MAX_SKB_FRAGS];
	struct xa_sock *xs = priv;
	unsigned int nlost = 0;

	if (!p->max)
		return;
	sock_xa_lock_bh(xs);
	pool_commit_recheck_locked(xs, p, lost, &nlost);
	sock_xa_unlock_bh(xs);
	put_lost(lost, nlost);
}

/* tcp_xa_pool_refill() with the rechecking commit */
static int xa_fix_rx_reserve(void *priv, struct dmtok_rx_batch *p,
			     struct net_iov *niov, unsigned int max_frags,
			     u32 *token)
{
	netmem_ref lost[DMTOK_MAX_SKB_FRAGS];
	struct xa_sock *xs = priv;
	unsigned int k, nlost = 0;
	int err = 0;

	if (p->idx < p->max) {
		*token = p->tokens[p->idx];
		return 0;
	}
	sock_xa_lock_bh(xs);
	pool_commit_recheck_locked(xs, p, lost, &nlost);
	for (k = 0; k < max_frags; k++) {
		err = __xa_alloc(&xs->frags, &p->tokens[k], XA_ZERO_ENTRY,
				 xa_limit_31b, GFP_KERNEL);
		if (err)
			break;
	}
	sock_xa_unlock_bh(xs);
	put_lost(lost, nlost);
	p->max = (u8)k;
	p->idx = 0;
	if (!k)
		return err;
	*token = p->tokens[0];
	return 0;
}

/* tcp_xa_pool_refill() */
static int xa_pool_refill(struct xa_sock *xs, struct dmtok_rx_batch *p,
			  unsigned int max_frags)
{
	unsigned int k;
	int err = 0;

	if (p->idx < p->max)
		return 0;
	sock_xa_lock_bh(xs);
	pool_commit_locked(xs, p);
	for (k = 0; k < max_frags; k++) {
		err = __xa_alloc(&xs->frags, &p->tokens[k], XA_ZERO_ENTRY,
				 xa_limit_31b, GFP_KERNEL);
		if (err)
			break;
	}
	sock_xa_unlock_bh(xs);
	p->max = (u8)k;
	p->idx = 0;
	return k ? 0 : err;
}

static int xa_rx_reserve(void *priv, struct dmtok_rx_batch *p,
			 struct net_iov *niov, unsigned int max_frags,
			 u32 *token)
{
	int err = xa_pool_refill(priv, p, max_frags);

	if (err)
		return err;
	/* Will perform the exchange later */
	*token = p->tokens[p->idx];
	return 0;
}

static void xa_rx_taken(void *priv, struct dmtok_rx_batch *p,
			struct net_iov *niov, u32 token)
{
	p->niovs[p->idx++] = niov;
}

/*
 * sock_devmem_dontneed(), the xarray loop (net/core/sock.c, 6.12). With
 * @skip_reserved it is candidate fix (a), xarray-fix-skip: erase only a
 * committed entry. Under the same xa_lock, xa_load() reads a reservation
 * (XA_ZERO_ENTRY) as NULL, so a token recvmsg has reserved but not
 * committed is skipped like any token the user does not hold.
 */
static int dontneed_loop(struct xa_sock *xs, const struct dmabuf_token *tokens,
			 unsigned int num_tokens, bool skip_reserved)
{
	unsigned int i, j, k, netmem_num = 0;
	int ret = 0, num_frags = 0;
	netmem_ref netmems[16];

	sock_xa_lock_bh(xs);
	for (i = 0; i < num_tokens; i++) {
		for (j = 0; j < tokens[i].token_count; j++) {
			unsigned long index = tokens[i].token_start + j;
			netmem_ref netmem;

			if (++num_frags > MAX_DONTNEED_FRAGS)
				goto frag_limit_reached;
			if (skip_reserved && !xa_load(&xs->frags, index))
				continue;	/* absent, or reserved by recvmsg */
			netmem = (__force netmem_ref)__xa_erase(&xs->frags, index);
			if (!netmem || WARN_ON_ONCE(!netmem_is_net_iov(netmem)))
				continue;
			netmems[netmem_num++] = netmem;
			if (netmem_num == ARRAY_SIZE(netmems)) {
				sock_xa_unlock_bh(xs);
				for (k = 0; k < netmem_num; k++)
					WARN_ON_ONCE(!napi_pp_put_page(netmems[k]));
				netmem_num = 0;
				sock_xa_lock_bh(xs);
			}
			ret++;
		}
	}
frag_limit_reached:
	sock_xa_unlock_bh(xs);
	for (k = 0; k < netmem_num; k++)
		WARN_ON_ONCE(!napi_pp_put_page(netmems[k]));
	return ret;
}

static int xa_dontneed(void *priv, const struct dmabuf_token *tokens,
		       unsigned int num_tokens)
{
	return dontneed_loop(priv, tokens, num_tokens, false);
}

static int xa_skip_dontneed(void *priv, const struct dmabuf_token *tokens,
			    unsigned int num_tokens)
{
	return dontneed_loop(priv, tokens, num_tokens, true);
}

/* tcp_release_user_frags() + xa_destroy() (net/ipv4/tcp.c, 6.12) */
static void xa_release_all(void *priv)
{
	struct xa_sock *xs = priv;
	unsigned long index;
	void *netmem;

	xa_for_each(&xs->frags, index, netmem)
		WARN_ON_ONCE(!napi_pp_put_page((__force netmem_ref)netmem));
	xa_destroy(&xs->frags);
	kfree(xs);
}

static void xa_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct xa_sock *xs = priv;
	struct dmtok_xa_stats xst;

	sock_xa_lock_bh(xs);
	dmtok_xa_stats(&xs->frags, &xst);
	st->mem_bytes = sizeof(*xs) + xst.nodes * xst.node_bytes;
	st->tokens_out = xst.entries;
	st->counters[0].name = "xa_node_allocs";
	st->counters[0].value = xst.node_allocs;
	st->counters[1].name = "xa_node_frees";
	st->counters[1].value = xst.node_frees;
	st->counters[2].name = "xa_height";
	st->counters[2].value = xst.height;
	st->counters[3].name = "xa_locks";
	st->counters[3].value = xs->locks;
	st->ncounters = 4;
	sock_xa_unlock_bh(xs);
}

static int xa_walk_refs(void *priv, dmtok_ref_cb cb, void *arg)
{
	struct xa_sock *xs = priv;
	unsigned long index;
	void *netmem;
	int err;

	xa_for_each(&xs->frags, index, netmem) {
		err = cb(arg, (u32)index, netmem_to_net_iov((__force netmem_ref)netmem));
		if (err)
			return err;
	}
	return 0;
}

/*
 * Memory of an XArray holding tokens 1..n densely (what recvmsg produces
 * when tokens return in order), with nodes of 1 << shift slots.
 */
static u64 xa_mem(u64 n, unsigned int shift)
{
	u64 node = sizeof(struct xa_node) + (sizeof(void *) << shift);
	u64 nodes = 0, span = n + 1;	/* indices 0..n */

	if (!n)
		return sizeof(struct xa_sock);
	do {
		span = (span + (1u << shift) - 1) >> shift;
		nodes += span;
	} while (span > 1);
	return sizeof(struct xa_sock) + nodes * node;
}

static int xa_plan(struct dmtok_scheme_plan *p)
{
	p->mem_per_socket = xa_mem(p->outstanding, 6);
	p->mem_per_binding = 0;
	p->close_scan = p->outstanding;
	p->token_bits = 31;	/* xa_limit_31b */
	p->token_bits_needed = fls64(p->outstanding);	/* largest token */
	return 0;
}

static int xa_small_plan(struct dmtok_scheme_plan *p)
{
	int err = xa_plan(p);

	p->mem_per_socket = xa_mem(p->outstanding, 3);
	return err;
}

/*
 * The ops tables. Every variant shares init, taken, release, stats and
 * the checker walk; they differ in the reserve/commit pair, the dontneed,
 * and the model knobs (node size, the kernel's own XArray).
 */
#define XA_SCHEME(_name, _desc, _init, _reserve, _commit, _dontneed, _plan) \
	.version	= DMTOK_SCHEME_VERSION,				\
	.name		= _name,					\
	.description	= _desc,					\
	.flags		= DMTOK_SCHEME_MULTI_BINDING | DMTOK_SCHEME_UNIQUE_TOKENS, \
	.init		= _init,					\
	.rx_reserve	= _reserve,					\
	.rx_taken	= xa_rx_taken,					\
	.rx_commit	= _commit,					\
	.dontneed	= _dontneed,					\
	.release_all	= xa_release_all,				\
	.stats		= xa_stats,					\
	.for_each_ref	= xa_walk_refs,				\
	.plan		= _plan

const struct dmtok_scheme_ops dmtok_scheme_xarray = {
	XA_SCHEME("xarray", "upstream: per-socket XArray, 17-token reservations",
		  xa_scheme_init, xa_rx_reserve, xa_rx_commit, xa_dontneed, xa_plan),
};

/* 8-slot nodes (XA_CHUNK_SHIFT 3): a few tokens reach deep trees. */
const struct dmtok_scheme_ops dmtok_scheme_xarray_small = {
	XA_SCHEME("xarray-small", "upstream on 8-slot XArray nodes (a model knob)",
		  xa_scheme_init, xa_rx_reserve, xa_rx_commit, xa_dontneed, xa_small_plan),
	.model_xa_chunk_shift = 3,
};

/* Candidate fix (a): dontneed never consumes a reservation. */
const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_skip = {
	XA_SCHEME("xarray-fix-skip", "upstream + fix: dontneed skips reserved tokens",
		  xa_fix_init, xa_rx_reserve, xa_rx_commit, xa_skip_dontneed, xa_plan),
};

/* Candidate fix (b): the commit notices a lost reservation. */
const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_commit = {
	XA_SCHEME("xarray-fix-commit", "upstream + fix: commit re-inserts an erased reservation",
		  xa_fix_init, xa_fix_rx_reserve, xa_fix_rx_commit, xa_dontneed, xa_plan),
};

/*
 * The same three on the kernel's own lib/xarray.c (built in userspace from
 * a kernel source, when dmtok was configured with one): identical scheme
 * code, only the XArray behind the calls differs.
 */
const struct dmtok_scheme_ops dmtok_scheme_xarray_kernel = {
	XA_SCHEME("xarray-kernel", "upstream on the kernel's own lib/xarray.c",
		  xa_scheme_init, xa_rx_reserve, xa_rx_commit, xa_dontneed, xa_plan),
	.model_xa_kernel = 1,
};

const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_skip_kernel = {
	XA_SCHEME("xarray-fix-skip-kernel", "fix (a) on the kernel's own lib/xarray.c",
		  xa_fix_init, xa_rx_reserve, xa_rx_commit, xa_skip_dontneed, xa_plan),
	.model_xa_kernel = 1,
};

const struct dmtok_scheme_ops dmtok_scheme_xarray_fix_commit_kernel = {
	XA_SCHEME("xarray-fix-commit-kernel", "fix (b) on the kernel's own lib/xarray.c",
		  xa_fix_init, xa_fix_rx_reserve, xa_fix_rx_commit, xa_dontneed, xa_plan),
	.model_xa_kernel = 1,
};
