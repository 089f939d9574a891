// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The niov-array scheme, "net: devmem: use niov array for token
 * management" as posted (the review in shared/seed): token = page index
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
#include "scheme.h"

struct na_sock {
	atomic_ptr_t binding;	/* sk_user_frags.binding; set once */
	atomic_t *urefs;	/* sk_user_frags.urefs[npages] */
	u32 npages;
};

static int na_init(void **priv, long param)
{
	struct na_sock *s = kzalloc(sizeof(*s), GFP_KERNEL);

	(void)param;
	if (!s)
		return -ENOMEM;
	*priv = s;
	return 0;
}

static int na_rx_reserve(void *priv, struct dmtok_rx_batch *b,
			 struct dmtok_niov *niov, unsigned int max_frags,
			 u32 *token)
{
	struct dmtok_binding *binding = niov->owner, *cur;
	struct na_sock *s = priv;

	(void)b;
	(void)max_frags;
	cur = ptr_load_relaxed(&s->binding);	/* socket lock held */
	if (!cur) {
#ifdef DMTOK_MUTANT_UREF_SIZEOF	/* seeded bug: the patch's kzalloc(npages) */
		s->urefs = kvcalloc(binding->npages, 1, GFP_KERNEL);
#else
		s->urefs = kvcalloc(binding->npages, sizeof(*s->urefs), GFP_KERNEL);
#endif
		if (!s->urefs)
			return -ENOMEM;
		s->npages = binding->npages;
		net_devmem_dmabuf_binding_get(binding);
#ifdef DMTOK_MUTANT_RELAXED_PUBLISH	/* seeded bug: no release ordering */
		ptr_store_relaxed(&s->binding, binding);
#else
		ptr_store_release(&s->binding, binding);
#endif
		cur = binding;
	}
	if (cur != binding)
		return -EFAULT;	/* binding changed for devmem socket (no WARN) */
	*token = (u32)(net_iov_virtual_addr(niov) >> binding->page_shift);
	return 0;
}

static void na_rx_taken(void *priv, struct dmtok_rx_batch *b,
			struct dmtok_niov *niov, u32 token)
{
	struct na_sock *s = priv;

	(void)b;
	(void)niov;
#ifdef DMTOK_MUTANT_NONATOMIC_UREF	/* seeded bug: a plain, racy increment */
	(*(int *)&s->urefs[token].counter)++;
#else
	atomic_inc(&s->urefs[token]);
#endif
}

static void na_rx_commit(void *priv, struct dmtok_rx_batch *b)
{
	(void)priv;
	(void)b;
}

static int na_dontneed(void *priv, const struct dmabuf_token *tokens,
		       unsigned int num_tokens)
{
	struct na_sock *s = priv;
#ifdef DMTOK_MUTANT_RELAXED_PUBLISH
	struct dmtok_binding *binding = ptr_load_relaxed(&s->binding);
#else
	struct dmtok_binding *binding = ptr_load_acquire(&s->binding);
#endif
	struct dmtok_niov *netmems[16];
	unsigned int i, j, k, netmem_num = 0;
	int ret = 0, num_frags = 0;

#ifndef DMTOK_MUTANT_NULL_BINDING	/* seeded bug: the syzbot NULL deref */
	if (!binding)
		return -EINVAL;	/* never received devmem data */
#endif
	for (i = 0; i < num_tokens; i++) {
		for (j = 0; j < tokens[i].token_count; j++) {
			u32 token = tokens[i].token_start + j;

#if defined(DMTOK_MUTANT_WARN_USER)	/* seeded bug: the posted WARN_ONCE */
			if (WARN_ON_ONCE(token >= binding->npages))
				break;
#elif !defined(DMTOK_MUTANT_NO_BOUNDS_CHECK)
			/* as posted (binding->dmabuf->size / PAGE_SIZE), minus the WARN */
			if (token >= binding->npages)
				break;
#endif
			if (++num_frags > MAX_DONTNEED_FRAGS)
				goto frag_limit_reached;
#ifdef DMTOK_MUTANT_NO_POSITIVE_CHECK	/* seeded bug: double release */
			if (atomic_dec_return(&s->urefs[token]) < -1)
				continue;
#else
			if (atomic_dec_if_positive(&s->urefs[token]) < 0)
				continue;
#endif
			netmems[netmem_num++] = binding->vec[token];
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
	struct dmtok_binding *binding = ptr_load_relaxed(&s->binding);
	u32 token;

	if (binding) {
#ifdef DMTOK_MUTANT_CLOSE_SKIP_LAST	/* seeded bug: an off-by-one close */
		for (token = 0; token + 1 < s->npages; token++)
#else
		for (token = 0; token < s->npages; token++)
#endif
			while (atomic_dec_return(&s->urefs[token]) >= 0)
				WARN_ON_ONCE(!napi_pp_put_page(binding->vec[token]));
		net_devmem_dmabuf_binding_put(binding);
	}
	kvfree(s->urefs);
	kfree(s);
}

static void na_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct na_sock *s = priv;
	u32 t;

	st->mem_bytes = sizeof(*s) + (u64)s->npages * sizeof(*s->urefs);
	st->bindings_seen = ptr_load_acquire(&s->binding) ? 1 : 0;
	for (t = 0; st->bindings_seen && t < s->npages; t++)
		st->tokens_out += (u64)max(atomic_read(&s->urefs[t]), 0);
}

static int na_for_each_ref(void *priv, dmtok_ref_cb cb, void *arg)
{
	struct na_sock *s = priv;
	struct dmtok_binding *binding = ptr_load_acquire(&s->binding);
	u32 t;
	int n, err;

	for (t = 0; binding && t < s->npages; t++)
		for (n = atomic_read(&s->urefs[t]); n > 0; n--) {
			err = cb(arg, t, binding->vec[t]);
			if (err)
				return err;
		}
	return 0;
}

const struct dmtok_scheme_ops dmtok_scheme_niov_array = {
	.name = "niov-array",
	.init = na_init,
	.rx_reserve = na_rx_reserve,
	.rx_taken = na_rx_taken,
	.rx_commit = na_rx_commit,
	.dontneed = na_dontneed,
	.release_all = na_release_all,
	.stats = na_stats,
	.for_each_ref = na_for_each_ref,
};
