// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Per-niov urefs with manual release, where the upstream series went after
 * the niov-array review (sock_devmem_dontneed_manual_release() and the
 * binding's autorelease attribute): token = page index; the user
 * reference counter lives in the niov itself (niov->uref), shared by every
 * socket on the binding; the socket keeps only its binding pointer, so
 * there is no per-socket array and close scans nothing; references a
 * socket still holds at close linger in the niovs until unbind (the model's
 * unbind drops them). It takes frags only from bindings made with
 * DMTOK_BIND_NO_AUTORELEASE (recvmsg fails with -EINVAL otherwise),
 * because only those bindings reclaim lingering references, and none
 * from a binding already unbound (-ENODEV): its reclaim has run. A
 * recvmsg racing with unbind can still slip one past it; see README.
 *
 * Dontneed validates the whole request first and fails with -EINVAL
 * without touching a single uref if any token is out of range (what the
 * reviewer asked for instead of the posted "break"). Because the counter
 * is per niov, a socket on the same binding can release a frag another
 * socket holds: tests/test_schemes.c shows it, the README says so.
 */
#include <dmtok/kernel.h>

#include "builtin.h"

struct nu_sock {
	struct net_devmem_dmabuf_binding *binding;	/* set once; published */
};

static int nu_init(void **priv)
{
	struct nu_sock *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return -ENOMEM;
	*priv = s;
	return 0;
}

static int nu_rx_reserve(void *priv, struct dmtok_rx_batch *b,
			 struct net_iov *niov, unsigned int max_frags,
			 u32 *token)
{
	struct net_devmem_dmabuf_binding *binding = net_iov_binding(niov);
	struct nu_sock *s = priv;
	struct net_devmem_dmabuf_binding *cur = s->binding;	/* socket lock held */

	/* Manual release is the binding's attribute, as in the series. */
	if (net_devmem_binding_autorelease(binding))
		return -EINVAL;
	/*
	 * Unbind has already dropped the references parked in the niovs; one
	 * taken now would never be dropped and the binding never freed
	 * (found by fuzz_ops, pinned by test_niov_uref_recv_after_unbind).
	 * The frag stays queued and goes with the socket.
	 */
	if (net_devmem_binding_unbound(binding))
		return -ENODEV;
	if (!cur) {
		net_devmem_dmabuf_binding_get(binding);
		smp_store_release(&s->binding, binding);
		cur = binding;
	}
	if (cur != binding)
		return -EFAULT;
	*token = net_iov_page_index(niov);
	return 0;
}

static void nu_rx_taken(void *priv, struct dmtok_rx_batch *b,
			struct net_iov *niov, u32 token)
{
	atomic_inc(net_iov_uref(niov));
}

static void nu_rx_commit(void *priv, struct dmtok_rx_batch *b)
{
}

/* sock_devmem_dontneed_manual_release(), with an input-verification pass */
static int nu_dontneed(void *priv, const struct dmabuf_token *tokens,
		       unsigned int num_tokens)
{
	struct nu_sock *s = priv;
	struct net_devmem_dmabuf_binding *binding = smp_load_acquire(&s->binding);
	unsigned int i, j;
	int ret = 0, num_frags = 0;
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
	num_frags = 0;
	for (i = 0; i < num_tokens; i++) {
		for (j = 0; j < tokens[i].token_count; j++) {
			struct net_iov *niov;

			if (++num_frags > MAX_DONTNEED_FRAGS)
				return ret;
			niov = net_devmem_binding_niov(binding, tokens[i].token_start + j);
			if (atomic_dec_if_positive(net_iov_uref(niov)) < 0)
				continue;
			WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(niov)));
			ret++;
		}
	}
	return ret;
}

static void nu_release_all(void *priv)
{
	struct nu_sock *s = priv;

	/* Lingering references stay in the niovs until unbind. */
	if (s->binding)
		net_devmem_dmabuf_binding_put(s->binding);
	kfree(s);
}

static void nu_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct nu_sock *s = priv;

	st->mem_bytes = sizeof(*s);
	st->bindings_seen = smp_load_acquire(&s->binding) ? 1 : 0;
	/* tokens_out: the per-niov counters are shared, not per socket */
}

/* DMTOK_SCHEME_SHARED_UREFS: the checker counts the niovs' urefs. */
static int nu_for_each_ref(void *priv, dmtok_ref_cb cb, void *arg)
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

const struct dmtok_scheme_ops dmtok_scheme_niov_uref = {
	.version	= DMTOK_SCHEME_VERSION,
	.name		= "niov-uref",
	.description	= "per-niov urefs, manual release (autorelease off)",
	.flags		= DMTOK_SCHEME_ALL_OR_NOTHING | DMTOK_SCHEME_LINGER_UNTIL_UNBIND |
			  DMTOK_SCHEME_SHARED_UREFS,
	.bind_flags	= DMTOK_BIND_NO_AUTORELEASE,
	.init		= nu_init,
	.rx_reserve	= nu_rx_reserve,
	.rx_taken	= nu_rx_taken,
	.rx_commit	= nu_rx_commit,
	.dontneed	= nu_dontneed,
	.release_all	= nu_release_all,
	.stats		= nu_stats,
	.for_each_ref	= nu_for_each_ref,
	.plan		= nu_plan,
};
