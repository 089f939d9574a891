// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The floor: a scheme that does only what no scheme can avoid per frag --
 * the user's pp_ref_count up when the frag goes out (the model's), down
 * with napi_pp_put_page() when its token comes back, as every scheme
 * gives it back -- measured in the same run as the others, so "x floor"
 * says what a scheme's own bookkeeping costs. It keeps no state: it
 * trusts its tokens, which no real scheme may.
 * Its token is the page index in the bench's one binding. Not registered:
 * the bench's baseline, never a socket's scheme.
 */
#include "bench.h"

struct net_devmem_dmabuf_binding *floor_binding;

static int floor_init(void **p)
{
	*p = NULL;
	return 0;
}

static int floor_reserve(void *p, struct dmtok_rx_batch *b, struct net_iov *n,
			 unsigned int m, u32 *t)
{
	(void)p;
	(void)b;
	(void)m;
	*t = net_iov_page_index(n);
	return 0;
}

static void floor_taken(void *p, struct dmtok_rx_batch *b, struct net_iov *n, u32 t)
{
	(void)p;
	(void)b;
	(void)n;
	(void)t;
}

static void floor_commit(void *p, struct dmtok_rx_batch *b)
{
	(void)p;
	(void)b;
}

static int floor_dontneed(void *p, const struct dmabuf_token *t, unsigned int n)
{
	int ret = 0;

	(void)p;
	for (unsigned int i = 0; i < n; i++)
		for (u32 j = 0; j < t[i].token_count; j++)
			ret += napi_pp_put_page(net_iov_to_netmem(net_devmem_binding_niov(
				floor_binding, t[i].token_start + j)));
	return ret;
}

static void floor_release(void *p)
{
	(void)p;
}

static void floor_stats(void *p, struct dmtok_scheme_stats *s)
{
	(void)p;
	(void)s;
}

static int floor_each(void *p, dmtok_ref_cb cb, void *a)
{
	(void)p;
	(void)cb;
	(void)a;
	return 0;
}

/*
 * The ops the direct runs call, with the optional ones a scheme left out
 * filled with the floor's no-ops: the hot loops call them unconditionally,
 * so a scheme with every op costs what it did before they were optional.
 */
const struct dmtok_scheme_ops *with_stubs(const struct dmtok_scheme_ops *ops,
					  struct dmtok_scheme_ops *o)
{
	if (ops->rx_taken && ops->rx_commit && ops->stats)
		return ops;	/* nothing left out: the ops themselves */
	*o = *ops;
	if (!o->rx_taken)
		o->rx_taken = floor_taken;
	if (!o->rx_commit)
		o->rx_commit = floor_commit;
	if (!o->stats)
		o->stats = floor_stats;
	return o;
}

/* Not registered: the bench's own baseline, never a socket's scheme. */
const struct dmtok_scheme_ops floor_ops = {
	.version = DMTOK_SCHEME_VERSION, .name = "floor",
	.init = floor_init, .rx_reserve = floor_reserve, .rx_taken = floor_taken,
	.rx_commit = floor_commit, .dontneed = floor_dontneed,
	.release_all = floor_release, .stats = floor_stats, .for_each_ref = floor_each,
};
