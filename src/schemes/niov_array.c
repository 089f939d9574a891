// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The niov-array scheme, "net: devmem: use niov array for token
 * management" as posted to netdev (and its review): token = page index
 * of the niov in its dmabuf; a per-socket array urefs[npages] of atomics
 * counts the user's references per page; dontneed = bounds check,
 * atomic_dec_if_positive(), page-pool put, no lock; close scans every
 * page. One binding per socket: a frag from a second binding fails the
 * recvmsg with the patch's -EFAULT.
 *
 * The patch's slips are fixed, each pinned by a test: urefs sized
 * npages * sizeof(atomic_t) (the patch allocated npages bytes); dontneed
 * before any devmem recvmsg returns -EINVAL instead of dereferencing a
 * NULL binding (the syzbot report); no WARN on any user input; vec[] is
 * read, never rewritten, on recvmsg; the binding pointer is published
 * with release/acquire because dontneed reads it without the socket lock.
 * Kept as posted: an out-of-range token ends its token_count run
 * ("break"), the other entries are still processed; the socket holds a
 * binding reference (needed: close reads binding->vec after every niov
 * may have gone home).
 */
#include <linux/array_size.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/skbuff_ref.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <net/netmem.h>

#include <dmtok/scheme.h>

#include "devmem.h"

struct na_sock {
	struct net_devmem_dmabuf_binding *binding;	/* set once; published */
	atomic_t *urefs;	/* sk_user_frags.urefs[npages] */
	u32 npages;
};

static int na_rx_reserve(void *priv, struct dmtok_rx_batch *b,
			 struct net_iov *niov, unsigned int max_frags,
			 u32 *token)
{
	struct net_devmem_dmabuf_binding *binding = net_iov_binding(niov);
	struct na_sock *s = priv;
	struct net_devmem_dmabuf_binding *cur = s->binding;	/* socket lock held */

	if (!cur) {
		u32 npages = net_devmem_binding_npages(binding);

		/* a tryget (6.18+): a binding on its way out gives no frags */
		if (!net_devmem_dmabuf_binding_get(binding))
			return -ENODEV;
		s->urefs = kvcalloc(npages, sizeof(*s->urefs), GFP_KERNEL);
		if (!s->urefs) {
			net_devmem_dmabuf_binding_put(binding);
			return -ENOMEM;
		}
		s->npages = npages;
		/* dontneed reads it without the socket lock */
		smp_store_release(&s->binding, binding);
		cur = binding;
	}
	if (cur != binding)
		return -EFAULT;	/* binding changed for devmem socket (no WARN) */
	*token = net_iov_page_index(niov);
	return 0;
}

static void na_rx_taken(void *priv, struct dmtok_rx_batch *b,
			struct net_iov *niov, u32 token)
{
	struct na_sock *s = priv;

	atomic_inc(&s->urefs[token]);
}

static void na_rx_commit(void *priv, struct dmtok_rx_batch *b)
{
}

static int na_dontneed(void *priv, const struct dmabuf_token *tokens,
		       unsigned int num_tokens)
{
	struct na_sock *s = priv;
	/* pairs with the release in na_rx_reserve(): npages, urefs */
	struct net_devmem_dmabuf_binding *binding = smp_load_acquire(&s->binding);
	unsigned int i, j, k, netmem_num = 0;
	int ret = 0, num_frags = 0;
	netmem_ref netmems[16];

	if (!binding)
		return -EINVAL;	/* never received devmem data */
	for (i = 0; i < num_tokens; i++) {
		for (j = 0; j < tokens[i].token_count; j++) {
			u32 token = tokens[i].token_start + j;

			/* as posted (binding->dmabuf->size / PAGE_SIZE), minus the WARN */
			if (token >= net_devmem_binding_npages(binding))
				break;
			if (++num_frags > MAX_DONTNEED_FRAGS)
				goto frag_limit_reached;
			if (atomic_dec_if_positive(&s->urefs[token]) < 0)
				continue;
			netmems[netmem_num++] =
				net_iov_to_netmem(net_devmem_binding_niov(binding, token));
			if (netmem_num == ARRAY_SIZE(netmems)) {
				for (k = 0; k < netmem_num; k++)
					WARN_ON_ONCE(!napi_pp_put_page(netmems[k]));
				netmem_num = 0;
			}
			ret++;
		}
	}
frag_limit_reached:
	for (k = 0; k < netmem_num; k++)
		WARN_ON_ONCE(!napi_pp_put_page(netmems[k]));
	return ret;
}

/* tcp_release_user_frags() as posted: scan every page of the dmabuf. */
static void na_release_all(void *priv)
{
	struct na_sock *s = priv;
	struct net_devmem_dmabuf_binding *binding = s->binding;
	u32 token;

	if (binding) {
		for (token = 0; token < s->npages; token++)
			while (atomic_dec_return(&s->urefs[token]) >= 0) {
				struct net_iov *niov;

				niov = net_devmem_binding_niov(binding, token);
				WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(niov)));
			}
		net_devmem_dmabuf_binding_put(binding);
	}
	kvfree(s->urefs);
}

static void na_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct na_sock *s = priv;
	/* pairs with the release in na_rx_reserve(): npages, urefs */
	struct net_devmem_dmabuf_binding *binding = smp_load_acquire(&s->binding);
	u32 t;

	st->mem_bytes = sizeof(*s);
	if (!binding)
		return;
	/* npages and urefs are published by the binding's release store */
	st->mem_bytes += (u64)s->npages * sizeof(*s->urefs);
	st->bindings_seen = 1;
	for (t = 0; t < s->npages; t++)
		st->tokens_out += (u64)max(atomic_read(&s->urefs[t]), 0);
}

static int na_walk_refs(void *priv, dmtok_ref_cb cb, void *arg)
{
	struct na_sock *s = priv;
	/* pairs with the release in na_rx_reserve(): npages, urefs */
	struct net_devmem_dmabuf_binding *binding = smp_load_acquire(&s->binding);
	u32 t;
	int n, err;

	for (t = 0; binding && t < s->npages; t++)
		for (n = atomic_read(&s->urefs[t]); n > 0; n--) {
			err = cb(arg, t, net_devmem_binding_niov(binding, t));
			if (err)
				return err;
		}
	return 0;
}

static int na_plan(struct dmtok_scheme_plan *p)
{
	p->mem_per_socket = sizeof(struct na_sock) + p->npages * sizeof(atomic_t);
	p->mem_per_binding = 0;
	p->close_scan = p->npages;
	p->token_bits = 32;
	p->token_bits_needed = fls64(p->npages - 1);
	return 0;
}

const struct dmtok_scheme_ops dmtok_scheme_niov_array = {
	.version	= DMTOK_SCHEME_VERSION,
	.name		= "niov-array",
	.description	= "the posted patch: token = page index, per-socket urefs[npages]",
	.flags		= 0,
	.priv_size	= sizeof(struct na_sock),
	.rx_reserve	= na_rx_reserve,
	.rx_taken	= na_rx_taken,
	.rx_commit	= na_rx_commit,
	.dontneed	= na_dontneed,
	.release_all	= na_release_all,
	.stats		= na_stats,
	.for_each_ref	= na_walk_refs,
	.plan		= na_plan,
};
