// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Per-niov urefs with manual release: the autorelease-off path of Bobby
 * Eshleman's token series as posted in v10 (January 2026,
 * "net: devmem: implement autorelease token management":
 * tcp_recvmsg_dmabuf()'s autorelease=off branch,
 * tcp_xa_pool_inc_pp_ref_count(), sock_devmem_dontneed_manual_release(),
 * tcp_v4_destroy_sock()). Two schemes share this file:
 *
 *  niov-uref-v10  the series' dontneed as posted: a token past the end of
 *                 the dmabuf ends its token range ("break"), the others
 *                 go on; MAX_DONTNEED_FRAGS counts frags inspected.
 *  niov-uref      the same, with the input-verification pass the review
 *                 asked for: any out-of-range token fails the whole
 *                 request with -EINVAL before a single uref changes;
 *                 and recvmsg takes the pp_ref_count before the uref
 *                 (v10 takes the uref first: see nu_rx_taken_v10()).
 *
 * Both as v10 has it: token = page index in the dmabuf; the user
 * references live in the niov (niov->uref), shared by every socket on the
 * binding, so a socket can release a frag another socket holds; all of a
 * niov's urefs hold one pp_ref_count, taken on the 0->1 transition and
 * dropped on 1->0; the socket keeps one binding (a frag of another:
 * -EFAULT) and is one of the binding's users, so urefs it leaves behind
 * at close are dropped when the binding's last user -- a bound queue or a
 * socket -- goes (net_devmem_dmabuf_binding_user_put()), and a socket
 * cannot join a binding nobody uses any more (-ENODEV). One change from
 * the posting: v10 releases with atomic_dec_and_test(), which a user can
 * push below zero by returning a token twice (the next recvmsg of that
 * niov then takes no pp_ref_count and the page is recycled under the
 * user); here the decrement stops at zero (dec-non-zero, as the review
 * asked) and only tokens actually released are counted.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/skbuff_ref.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <net/netmem.h>

#include <dmtok/scheme.h>

#include "devmem.h"

struct nu_sock {
	/* sk->sk_devmem_info.binding: set once under the socket lock */
	struct net_devmem_dmabuf_binding *binding;
};

/* tcp_recvmsg_dmabuf(), autorelease off (v10) */
static int nu_rx_reserve(void *priv, struct dmtok_rx_batch *b,
			 struct net_iov *niov, unsigned int max_frags,
			 u32 *token)
{
	struct net_devmem_dmabuf_binding *binding = net_iov_binding(niov);
	struct nu_sock *s = priv;

	/*
	 * The system-wide mode makes every binding manual when this path
	 * runs; a dmtok socket picks its scheme, so refuse an autorelease
	 * binding rather than park references nobody would reclaim.
	 */
	if (net_devmem_binding_autorelease(binding))
		return -EINVAL;
	if (!s->binding) {
		if (!net_devmem_dmabuf_binding_user_get(binding))
			return -ENODEV;
		if (!net_devmem_dmabuf_binding_get(binding)) {
			net_devmem_dmabuf_binding_user_put(binding);
			return -ENODEV;
		}
		/* dontneed reads it without the socket lock: its acquire */
		smp_store_release(&s->binding, binding);
	}
	if (s->binding != binding)
		return -EFAULT;
	*token = net_iov_page_index(niov);
	return 0;
}

/*
 * tcp_recvmsg_dmabuf(), autorelease off, as v10 posts it: many urefs,
 * one ref, the uref first. Between the two a dontneed naming the token
 * (its page index: any thread of the socket can name it) brings the uref
 * back to 0 and puts a pp_ref_count nobody took -- the skb's: the niov is
 * recycled while the skb still holds it (dmtok-explore, docs/findings.md).
 */
static void nu_rx_taken_v10(void *priv, struct dmtok_rx_batch *b,
			    struct net_iov *niov, u32 token)
{
	if (atomic_inc_return(net_iov_uref(niov)) == 1)
		atomic_long_inc(&niov->pp_ref_count);
}

/*
 * The same with the pp_ref_count taken first: a dontneed that gets in
 * between finds the uref still 0 and changes nothing, or drops the
 * reference taken here. If the niov had urefs already, they hold the one
 * reference for all: drop the extra (the skb holds one more, so this is
 * never the last).
 */
static void nu_rx_taken(void *priv, struct dmtok_rx_batch *b,
			struct net_iov *niov, u32 token)
{
	atomic_long_inc(&niov->pp_ref_count);
	if (atomic_inc_return(net_iov_uref(niov)) != 1)
		atomic_long_dec(&niov->pp_ref_count);
}

static void nu_rx_commit(void *priv, struct dmtok_rx_batch *b)
{
}

/*
 * Drops one uref; the last one's pp_ref_count goes back to the pool.
 * Returns false if the uref was already 0 (not held: nothing changes).
 */
static bool nu_put_uref(struct net_iov *niov)
{
	int left = atomic_dec_if_positive(net_iov_uref(niov));

	if (left < 0)
		return false;
	if (!left)
		WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(niov)));
	return true;
}

/* sock_devmem_dontneed_manual_release() as posted in v10 */
static int nu_dontneed_v10(void *priv, const struct dmabuf_token *tokens,
			   unsigned int num_tokens)
{
	struct nu_sock *s = priv;
	/* pairs with the release in nu_rx_reserve() */
	struct net_devmem_dmabuf_binding *binding = smp_load_acquire(&s->binding);
	unsigned int i, j, token;
	int num_frags = 0;
	int ret = 0;

	if (!binding)
		return -EINVAL;

	for (i = 0; i < num_tokens; i++) {
		for (j = 0; j < tokens[i].token_count; j++) {
			token = tokens[i].token_start + j;
			if (token >= net_devmem_binding_npages(binding))
				break;

			if (++num_frags > MAX_DONTNEED_FRAGS)
				return ret;

			if (nu_put_uref(net_devmem_binding_niov(binding, token)))
				ret++;
		}
	}
	return ret;
}

/*
 * The same, after a pass that refuses the request if any token it would
 * inspect is out of range. Past that pass the v10 loop releases exactly
 * what a verified loop would: every inspected token is in range, and the
 * 1024-frag cap stops both at the same frag.
 */
static int nu_dontneed_verified(void *priv, const struct dmabuf_token *tokens,
				unsigned int num_tokens)
{
	struct nu_sock *s = priv;
	/* pairs with the release in nu_rx_reserve() */
	struct net_devmem_dmabuf_binding *binding = smp_load_acquire(&s->binding);
	unsigned int i, j;
	int num_frags = 0;
	u32 npages;

	if (!binding)
		return -EINVAL;
	npages = net_devmem_binding_npages(binding);
	for (i = 0; i < num_tokens; i++)
		for (j = 0; j < tokens[i].token_count; j++) {
			if (++num_frags > MAX_DONTNEED_FRAGS)
				goto validated;
			if (tokens[i].token_start + j >= npages)
				return -EINVAL;
		}
validated:
	return nu_dontneed_v10(priv, tokens, num_tokens);
}

/* tcp_v4_destroy_sock(), autorelease off: the socket's user goes (v10) */
static void nu_release_all(void *priv)
{
	struct nu_sock *s = priv;

	if (s->binding) {
		net_devmem_dmabuf_binding_user_put(s->binding);
		net_devmem_dmabuf_binding_put(s->binding);
	}
}

static void nu_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct nu_sock *s = priv;

	st->mem_bytes = sizeof(*s);
	/* pairs with the release in nu_rx_reserve() */
	st->bindings_seen = smp_load_acquire(&s->binding) ? 1 : 0;
	/* tokens_out: the per-niov counters are shared, not per socket */
}

/* DMTOK_SCHEME_SHARED_UREFS: the checker counts the niovs' urefs. */
static int nu_walk_refs(void *priv, dmtok_ref_cb cb, void *arg)
{
	return 0;
}

static int nu_plan(struct dmtok_scheme_plan *p)
{
	p->mem_per_socket = sizeof(struct nu_sock);
	p->mem_per_binding = p->npages * sizeof(atomic_t);	/* niov->uref */
	p->close_scan = 0;
	p->token_bits = 32;
	p->token_bits_needed = fls64(p->npages - 1);
	return 0;
}

/* What the two schemes share: all but the dontneed, the take, a property. */
#define NU_SCHEME(_name, _desc, _flags, _taken, _dontneed)		\
	.version	= DMTOK_SCHEME_VERSION,				\
	.name		= _name,					\
	.description	= _desc,					\
	.flags		= DMTOK_SCHEME_LINGER_UNTIL_UNBIND |		\
			  DMTOK_SCHEME_SHARED_UREFS | (_flags),		\
	.bind_flags	= DMTOK_BIND_NO_AUTORELEASE,			\
	.priv_size	= sizeof(struct nu_sock),					\
	.rx_reserve	= nu_rx_reserve,				\
	.rx_taken	= _taken,					\
	.rx_commit	= nu_rx_commit,					\
	.dontneed	= _dontneed,					\
	.release_all	= nu_release_all,				\
	.stats		= nu_stats,					\
	.for_each_ref	= nu_walk_refs,				\
	.plan		= nu_plan

const struct dmtok_scheme_ops dmtok_scheme_niov_uref_v10 = {
	NU_SCHEME("niov-uref-v10", "per-niov urefs, autorelease off, as the series' v10",
		  0, nu_rx_taken_v10, nu_dontneed_v10),
};

const struct dmtok_scheme_ops dmtok_scheme_niov_uref = {
	NU_SCHEME("niov-uref", "v10's per-niov urefs with the review's verification pass",
		  DMTOK_SCHEME_ALL_OR_NOTHING, nu_rx_taken, nu_dontneed_verified),
};
