// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Per-niov urefs with manual release, where the upstream series went after
 * the niov-array review (sock_devmem_dontneed_manual_release() and the
 * binding's autorelease attribute): token = page index; the user
 * reference counter lives in the niov itself (niov->uref), shared by every
 * socket on the binding; the socket keeps only its binding pointer, so
 * there is no per-socket array and close scans nothing; references a
 * socket still holds at close linger in the niovs until unbind (see
 * dmtok__unbind_locked()). It takes frags only from bindings made with
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
#include "scheme.h"

struct nu_sock {
	atomic_ptr_t binding;	/* sk_devmem_info.binding; set once */
};

static int nu_init(void **priv, long param)
{
	struct nu_sock *s = kzalloc(sizeof(*s), GFP_KERNEL);

	(void)param;
	if (!s)
		return -ENOMEM;
	*priv = s;
	return 0;
}

static int nu_rx_reserve(void *priv, struct dmtok_rx_batch *b,
			 struct dmtok_niov *niov, unsigned int max_frags,
			 u32 *token)
{
	struct dmtok_binding *binding = niov->owner, *cur;
	struct nu_sock *s = priv;

	(void)b;
	(void)max_frags;
	/* Manual release is the binding's attribute, as in the series. */
	if (binding->autorelease)
		return -EINVAL;
	/*
	 * Unbind has already dropped the references parked in the niovs; one
	 * taken now would never be dropped and the binding never freed
	 * (found by fuzz_ops, pinned by test_niov_uref_recv_after_unbind).
	 * The frag stays queued and goes with the socket.
	 */
	if (atomic_load(&binding->unbound))
		return -ENODEV;
	cur = ptr_load_relaxed(&s->binding);
	if (!cur) {
		net_devmem_dmabuf_binding_get(binding);
		ptr_store_release(&s->binding, binding);
		cur = binding;
	}
	if (cur != binding)
		return -EFAULT;
	*token = (u32)(net_iov_virtual_addr(niov) >> binding->page_shift);
	return 0;
}

static void nu_rx_taken(void *priv, struct dmtok_rx_batch *b,
			struct dmtok_niov *niov, u32 token)
{
	(void)priv;
	(void)b;
	(void)token;
	atomic_inc(&niov->uref);
}

static void nu_rx_commit(void *priv, struct dmtok_rx_batch *b)
{
	(void)priv;
	(void)b;
}

/* sock_devmem_dontneed_manual_release(), with an input-verification pass */
static int nu_dontneed(void *priv, const struct dmabuf_token *tokens,
		       unsigned int num_tokens)
{
	struct nu_sock *s = priv;
	struct dmtok_binding *binding = ptr_load_acquire(&s->binding);
	unsigned int i, j;
	int ret = 0, num_frags = 0;

	if (!binding)
		return -EINVAL;
	for (i = 0; i < num_tokens; i++)
		for (j = 0; j < tokens[i].token_count; j++) {
			if (++num_frags > MAX_DONTNEED_FRAGS)
				goto validated;
			if ((u32)(tokens[i].token_start + j) >= binding->npages)
				return -EINVAL;
		}
validated:
	num_frags = 0;
	for (i = 0; i < num_tokens; i++) {
		for (j = 0; j < tokens[i].token_count; j++) {
			struct dmtok_niov *niov;

			if (++num_frags > MAX_DONTNEED_FRAGS)
				return ret;
			niov = binding->vec[(u32)(tokens[i].token_start + j)];
			if (atomic_dec_if_positive(&niov->uref) < 0)
				continue;
			WARN_ON_ONCE(!napi_pp_put_page(niov));
			ret++;
		}
	}
	return ret;
}

static void nu_release_all(void *priv)
{
	struct nu_sock *s = priv;
	struct dmtok_binding *binding = ptr_load_relaxed(&s->binding);

	/* Lingering references stay in the niovs until unbind. */
	if (binding)
		net_devmem_dmabuf_binding_put(binding);
	kfree(s);
}

static void nu_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct nu_sock *s = priv;

	st->mem_bytes = sizeof(*s);
	st->bindings_seen = ptr_load_acquire(&s->binding) ? 1 : 0;
	/* tokens_out: per-niov counters are shared, not per socket */
}

static int nu_for_each_ref(void *priv, dmtok_ref_cb cb, void *arg)
{
	(void)priv;
	(void)cb;
	(void)arg;
	return 0;	/* the checker counts niov->uref per binding */
}

const struct dmtok_scheme_ops dmtok_scheme_niov_uref = {
	.name = "niov-uref",
	.init = nu_init,
	.rx_reserve = nu_rx_reserve,
	.rx_taken = nu_rx_taken,
	.rx_commit = nu_rx_commit,
	.dontneed = nu_dontneed,
	.release_all = nu_release_all,
	.stats = nu_stats,
	.for_each_ref = nu_for_each_ref,
};
