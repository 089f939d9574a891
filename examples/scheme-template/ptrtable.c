// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * "ptrtable": a complete, small token scheme written outside dmtok, the
 * template for your own. A socket keeps a table of niov pointers; a token
 * is a table index + 1 (0 is never a token); a free list threads the
 * unused entries. One spinlock per socket guards the table, taken by
 * recvmsg's ops and by dontneed (which runs without the socket lock), the
 * way the upstream scheme takes xa_lock_bh. It plugs into the socket path
 * the kernel has in tcp_recvmsg_dmabuf(), sock_devmem_dontneed() and
 * tcp_release_user_frags() (net/ipv4/tcp.c, net/core/sock.c).
 *
 * The file includes what it would include in net/core/ -- kernel headers
 * and "devmem.h" -- plus <dmtok/scheme.h>: the same file builds against
 * dmtok (meson.build here; dmtok's shims of those headers come with
 * pkg-config's Cflags) and in kbuild against real kernel headers
 * (dmtok-port-check). No #if, no libc.
 */
#include <linux/array_size.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/skbuff_ref.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <net/netmem.h>

#include <dmtok/scheme.h>

#include "devmem.h"

#define PT_SIZE		4096	/* most tokens one socket can hold */

struct pt_sock {
	spinlock_t lock;		/* table, free_head, nr_out */
	u32 free_head;			/* first free index + 1; 0: full */
	u32 nr_out;			/* tokens the user holds */
	struct net_iov *table[PT_SIZE];	/* held niov, or NULL */
	u32 next_free[PT_SIZE];		/* free list links (index + 1) */
};

/* init: socket creation (tcp_init_sock()). All entries start free. */
static int pt_init(void **priv)
{
	struct pt_sock *s = kvzalloc(sizeof(*s), GFP_KERNEL);
	u32 i;

	if (!s)
		return -ENOMEM;
	spin_lock_init(&s->lock);
	for (i = 0; i < PT_SIZE; i++)
		s->next_free[i] = i + 2 <= PT_SIZE ? i + 2 : 0;
	s->free_head = 1;
	*priv = s;
	return 0;
}

/*
 * rx_reserve: under the socket lock, before the cmsg goes out. Take a free
 * entry now, so nothing can fail after the user's reference is taken. A
 * full table refuses the frag with -ENOSPC; it stays queued.
 */
static int pt_rx_reserve(void *priv, struct dmtok_rx_batch *b,
			 struct net_iov *niov, unsigned int max_frags,
			 u32 *token)
{
	struct pt_sock *s = priv;
	u32 t;

	spin_lock_bh(&s->lock);
	t = s->free_head;
	if (t)
		s->free_head = s->next_free[t - 1];
	spin_unlock_bh(&s->lock);
	if (!t)
		return -ENOSPC;
	b->tokens[b->idx] = t;
	b->max = b->idx + 1;
	*token = t;
	return 0;
}

/*
 * rx_taken: the cmsg went out and the model took one pp_ref_count for the
 * user. Publish the niov: from now on a dontneed of this token releases it.
 */
static void pt_rx_taken(void *priv, struct dmtok_rx_batch *b,
			struct net_iov *niov, u32 token)
{
	struct pt_sock *s = priv;

	spin_lock_bh(&s->lock);
	s->table[token - 1] = niov;
	s->nr_out++;
	spin_unlock_bh(&s->lock);
	b->idx++;
}

/* rx_commit: give back a reservation whose cmsg did not fit. */
static void pt_rx_commit(void *priv, struct dmtok_rx_batch *b)
{
	struct pt_sock *s = priv;
	unsigned int i;

	spin_lock_bh(&s->lock);
	for (i = b->idx; i < b->max; i++) {
		s->next_free[b->tokens[i] - 1] = s->free_head;
		s->free_head = b->tokens[i];
	}
	spin_unlock_bh(&s->lock);
	b->max = 0;
	b->idx = 0;
}

/*
 * dontneed: SO_DEVMEM_DONTNEED, no socket lock. Tokens not held (never
 * issued, out of range, already returned) are skipped, as upstream; the
 * 1024-frag cap counts frags inspected. Puts happen outside the lock.
 */
static int pt_dontneed(void *priv, const struct dmabuf_token *tokens,
		       unsigned int num_tokens)
{
	struct pt_sock *s = priv;
	unsigned int i, j, k, n = 0;
	int ret = 0, num_frags = 0;
	struct net_iov *put[16];

	spin_lock_bh(&s->lock);
	for (i = 0; i < num_tokens; i++) {
		for (j = 0; j < tokens[i].token_count; j++) {
			u32 t = tokens[i].token_start + j;

			if (++num_frags > MAX_DONTNEED_FRAGS)
				goto out;
			if (!t || t > PT_SIZE || !s->table[t - 1])
				continue;
			put[n++] = s->table[t - 1];
			s->table[t - 1] = NULL;
			s->next_free[t - 1] = s->free_head;
			s->free_head = t;
			s->nr_out--;
			ret++;
			if (n == ARRAY_SIZE(put)) {
				spin_unlock_bh(&s->lock);
				for (k = 0; k < n; k++)
					WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(put[k])));
				n = 0;
				spin_lock_bh(&s->lock);
			}
		}
	}
out:
	spin_unlock_bh(&s->lock);
	for (k = 0; k < n; k++)
		WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(put[k])));
	return ret;
}

/* release_all: close (tcp_release_user_frags()): drop what is held. */
static void pt_release_all(void *priv)
{
	struct pt_sock *s = priv;
	u32 i;

	for (i = 0; i < PT_SIZE; i++)
		if (s->table[i])
			WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(s->table[i])));
	kvfree(s);
}

/* stats: any time, so under the lock. */
static void pt_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct pt_sock *s = priv;

	spin_lock_bh(&s->lock);
	st->mem_bytes = sizeof(*s);
	st->tokens_out = s->nr_out;
	spin_unlock_bh(&s->lock);
}

/* for_each_ref: the checker's view of what the user holds. */
static int pt_walk_refs(void *priv, dmtok_ref_cb cb, void *arg)
{
	struct pt_sock *s = priv;
	int err = 0;
	u32 i;

	spin_lock_bh(&s->lock);
	for (i = 0; i < PT_SIZE && !err; i++)
		if (s->table[i])
			err = cb(arg, i + 1, s->table[i]);
	spin_unlock_bh(&s->lock);
	return err;
}

/* plan (optional): what dmtok-plan prints for this scheme. */
static int pt_plan(struct dmtok_scheme_plan *p)
{
	if (p->outstanding > PT_SIZE)
		return -EINVAL;
	p->mem_per_socket = sizeof(struct pt_sock);
	p->mem_per_binding = 0;
	p->close_scan = PT_SIZE;
	p->token_bits = fls64(PT_SIZE);		/* tokens 1..PT_SIZE */
	p->token_bits_needed = fls64(p->outstanding);	/* largest token */
	return 0;
}

static const struct dmtok_scheme_ops ptrtable_scheme = {
	.version	= DMTOK_SCHEME_VERSION,
	.name		= "ptrtable",
	.description	= "template: per-socket table of niov pointers, one spinlock",
	.flags		= DMTOK_SCHEME_MULTI_BINDING | DMTOK_SCHEME_UNIQUE_TOKENS,
	.max_outstanding = PT_SIZE,
	.init		= pt_init,
	.rx_reserve	= pt_rx_reserve,
	.rx_taken	= pt_rx_taken,
	.rx_commit	= pt_rx_commit,
	.dontneed	= pt_dontneed,
	.release_all	= pt_release_all,
	.stats		= pt_stats,
	.for_each_ref	= pt_walk_refs,
	.plan		= pt_plan,
};

DMTOK_SCHEME_EXPORT(&ptrtable_scheme);
