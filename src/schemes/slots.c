// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The "slots" scheme, dmtok's own: a token names a slot in a per-socket
 * table, and the slot holds the niov pointer. Neither the binding nor the
 * page index is encoded in the token, so any number of bindings per
 * socket and any dmabuf size fit in 32 bits; the table grows with the
 * number of references outstanding at once (its high-water mark), not
 * with the dmabuf; close scans the high-water mark, not npages; tokens are
 * unique per frag, as upstream.
 *
 * Layout: token t in [1, SLOTS_MAX): top[t >> 16] -> mid[(t >> 8) & 255]
 * -> leaf slot[t & 255]; a slot word holds the niov or a free-list link.
 * Leaves and mids are allocated on first use under the socket lock and
 * never freed before close, so a reader that saw a token <= high-water
 * (acquire) finds its leaf.
 *
 * Lock-free protocol (why two dontneeds cannot free the same frag):
 *  - recvmsg (socket lock, so one at a time) pops a free slot from its
 *    private list, refilled by taking the whole shared MPSC stack
 *    (free_head, linked through the slot words) with one exchange; it takes the
 *    page-pool reference, then publishes the niov with a release store.
 *  - dontneed (no lock, concurrent with recvmsg and other dontneeds) reads
 *    the slot and, if it holds a niov, CASes it to a free link: exactly
 *    one caller's CAS takes the pointer and owns the reference; everyone
 *    else sees a free link or a failed CAS and skips the token. The owner
 *    puts the page; the slots a call freed are pushed back as one chain
 *    (linked through the slot words) with a single release CAS.
 *  - The shared stack is only ever pushed to, and emptied whole by its
 *    single consumer with an exchange: no pop-CAS, so no ABA.
 * A token released and reused by a later frag refers to the new frag,
 * exactly as an XArray index that was freed and allocated again.
 *
 * Dontneed is all-or-nothing on malformed input: if any token of the
 * request was never issued (0, or above the high-water mark) it returns
 * -EINVAL before releasing anything; tokens issued but not held (already
 * returned) are skipped, as upstream.
 */
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/skbuff_ref.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <net/netmem.h>

#include <dmtok/scheme.h>

#include "devmem.h"

#define LEAF_BITS	8
#define MID_BITS	8
#define TOP_BITS	8
#define LEAF_SIZE	BIT(LEAF_BITS)
#define MID_SIZE	BIT(MID_BITS)
#define TOP_SIZE	BIT(TOP_BITS)
#define SLOTS_MAX	(1u << (LEAF_BITS + MID_BITS + TOP_BITS))

/*
 * A slot word is a niov pointer (held by the user), 0 (reserved by an
 * in-flight recvmsg), or (next << 1 | 1): free, with the next free slot
 * of its list. Keeping the link in the slot word means a release dirties
 * one cache line per token, not two. Encoders as xa_mk_value() and
 * xa_to_value(): functions, so the word is read once.
 */
static inline unsigned long slot_mk_free(u32 next)
{
	return ((unsigned long)next << 1) | 1;
}

static inline u32 slot_to_next(unsigned long w)
{
	return (u32)(w >> 1);
}

static inline struct net_iov *slot_to_niov(unsigned long w)
{
	return (w & 1) ? NULL : (struct net_iov *)w;
}

struct slots_leaf {
	unsigned long slot[LEAF_SIZE];
};

struct slots_mid {
	struct slots_leaf *leaf[MID_SIZE];
};

struct slots_sock {
	struct slots_mid *top[TOP_SIZE];
	u32 free_head;			/* shared free stack; 0 = empty */
	u32 hw;				/* highest token ever issued */
	u32 local;			/* recvmsg's private free list (socket lock) */
	u32 nr_mids, nr_leaves;		/* written under the socket lock, read by stats */
};

static struct slots_leaf *leaf_of(struct slots_sock *s, u32 t)
{
	/* pairs with the releases in ensure_leaf(): a mid, a leaf, zeroed */
	struct slots_mid *mid = smp_load_acquire(&s->top[t >> (LEAF_BITS + MID_BITS)]);

	if (!mid)
		return NULL;
	/* as above */
	return smp_load_acquire(&mid->leaf[(t >> LEAF_BITS) & (MID_SIZE - 1)]);
}

/* Socket lock held: make sure token @t has a leaf. */
static int ensure_leaf(struct slots_sock *s, u32 t)
{
	struct slots_mid **mp = &s->top[t >> (LEAF_BITS + MID_BITS)];
	struct slots_mid *mid = *mp;
	struct slots_leaf *leaf;

	if (!mid) {
		mid = kzalloc(sizeof(*mid), GFP_KERNEL);
		if (!mid)
			return -ENOMEM;
		WRITE_ONCE(s->nr_mids, s->nr_mids + 1);
		/* the zeroed mid before it is seen: leaf_of()'s acquire */
		smp_store_release(mp, mid);
	}
	if (mid->leaf[(t >> LEAF_BITS) & (MID_SIZE - 1)])
		return 0;
	leaf = kzalloc(sizeof(*leaf), GFP_KERNEL);
	if (!leaf)
		return -ENOMEM;	/* an empty mid stays; freed at close */
	WRITE_ONCE(s->nr_leaves, s->nr_leaves + 1);
	/* the zeroed leaf before it is seen: leaf_of()'s acquire */
	smp_store_release(&mid->leaf[(t >> LEAF_BITS) & (MID_SIZE - 1)], leaf);
	return 0;
}

static unsigned long *slot_of(struct slots_sock *s, u32 t)
{
	return &leaf_of(s, t)->slot[t & (LEAF_SIZE - 1)];
}

/*
 * free_stack_push_mpsc(): any number of dontneed callers push a chain
 * first..last (linked through their slot words) with one CAS; the
 * release orders the links before the new head, as Concurrency Kit's
 * ck_stack_push_upmc() (safe against a concurrent pop).
 */
static void free_stack_push_mpsc(struct slots_sock *s, u32 first, u32 last)
{
	u32 head = READ_ONCE(s->free_head);

	do {
		WRITE_ONCE(*slot_of(s, last), slot_mk_free(head));
	} while (!try_cmpxchg_release(&s->free_head, &head, first));
}

/*
 * free_stack_pop_sc(): the single consumer (recvmsg, socket lock) pops
 * from its private list; when that is empty it takes the whole shared
 * stack with one exchange, as ck_stack_batch_pop_upmc() (safe against
 * concurrent pushes; CK's _npsc variants assume none). Producers only ever
 * push, so there is no ABA. The popped slot is left at 0 (reserved) so
 * no dontneed can mistake it for a held niov.
 */
static u32 free_stack_pop_sc(struct slots_sock *s)
{
	u32 t = s->local;

	if (!t)
		t = xchg(&s->free_head, 0);
	if (t) {
		s->local = slot_to_next(READ_ONCE(*slot_of(s, t)));
		WRITE_ONCE(*slot_of(s, t), 0);
	}
	return t;
}

static int slots_rx_reserve(void *priv, struct dmtok_rx_batch *b,
			    struct net_iov *niov, unsigned int max_frags,
			    u32 *token)
{
	struct slots_sock *s = priv;
	u32 t = free_stack_pop_sc(s);

	if (!t) {
		int err;

		t = s->hw + 1;	/* only recvmsg writes hw */
		if (t >= SLOTS_MAX)
			return -ENOSPC;
		err = ensure_leaf(s, t);
		if (err)
			return err;
		/* publishes the leaf to dontneed's range check */
		smp_store_release(&s->hw, t);
	}
	b->tokens[b->idx] = t;
	b->max = (u8)(b->idx + 1);
	*token = t;
	return 0;
}

static void slots_rx_taken(void *priv, struct dmtok_rx_batch *b,
			   struct net_iov *niov, u32 token)
{
	struct slots_sock *s = priv;

	/* pp_ref_count was taken before: publish only a held reference */
	smp_store_release(slot_of(s, token), (unsigned long)niov);
	b->idx++;
}

/* Reserved but not handed out (the cmsg did not fit): give it back. */
static void slots_rx_commit(void *priv, struct dmtok_rx_batch *b)
{
	struct slots_sock *s = priv;

	for (unsigned int i = b->idx; i < b->max; i++) {	/* back on the private list */
		WRITE_ONCE(*slot_of(s, b->tokens[i]), slot_mk_free(s->local));
		s->local = b->tokens[i];
	}
	b->max = 0;
	b->idx = 0;
}

static int slots_dontneed(void *priv, const struct dmabuf_token *tokens,
			  unsigned int num_tokens)
{
	struct slots_sock *s = priv;
	/* pairs with the release in slots_rx_reserve(): leaves up to hw */
	u32 hw = smp_load_acquire(&s->hw);
	unsigned int i, j;
	int ret = 0, num_frags = 0;
	u32 first = 0, last = 0;

	/* Validation pass: reject never-issued tokens before touching any. */
	for (i = 0; i < num_tokens; i++)
		for (j = 0; j < tokens[i].token_count; j++) {
			u32 t = tokens[i].token_start + j;

			if (++num_frags > MAX_DONTNEED_FRAGS)
				goto validated;
			if (!t || t > hw)
				return -EINVAL;
		}
validated:
	num_frags = 0;
	for (i = 0; i < num_tokens; i++) {
		for (j = 0; j < tokens[i].token_count; j++) {
			u32 t = tokens[i].token_start + j;
			unsigned long *slot, w;
			struct net_iov *niov;

			if (++num_frags > MAX_DONTNEED_FRAGS)
				goto out;
			slot = slot_of(s, t);
			/* pairs with the release in slots_rx_taken() */
			w = smp_load_acquire(slot);
			niov = slot_to_niov(w);
			/* only the caller whose CAS takes the pointer owns the ref */
			if (!niov || cmpxchg(slot, w, slot_mk_free(first)) != w)
				continue;	/* not held: free, reserved, or raced */
			WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(niov)));
			/* the slot now links to the chain; published below with one CAS */
			if (!first)
				last = t;
			first = t;
			ret++;
		}
	}
out:
	if (first)
		free_stack_push_mpsc(s, first, last);
	return ret;
}

/* Calls @cb for every slot holding a niov, 1..high-water. */
static int slots_walk_refs(void *priv, dmtok_ref_cb cb, void *arg)
{
	struct slots_sock *s = priv;
	/* pairs with the release in slots_rx_reserve(): leaves up to hw */
	u32 hw = smp_load_acquire(&s->hw), t;
	int err;

	for (t = 1; t <= hw; t++) {
		/* pairs with the release in slots_rx_taken() */
		struct net_iov *niov = slot_to_niov(smp_load_acquire(slot_of(s, t)));

		if (!niov)
			continue;
		err = cb(arg, t, niov);
		if (err)
			return err;
	}
	return 0;
}

static int put_ref(void *arg, u32 token, struct net_iov *niov)
{
	WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(niov)));
	return 0;
}

static int count_ref(void *arg, u32 token, struct net_iov *niov)
{
	(*(unsigned long long *)arg)++;
	return 0;
}

/* tcp_release_user_frags(): O(high-water), then free the table. */
static void slots_release_all(void *priv)
{
	struct slots_sock *s = priv;
	u32 t, m;

	slots_walk_refs(s, put_ref, NULL);
	for (t = 0; t < TOP_SIZE; t++) {
		struct slots_mid *mid = s->top[t];

		if (!mid)
			continue;
		for (m = 0; m < MID_SIZE; m++)
			kfree(mid->leaf[m]);
		kfree(mid);
	}
}

static void slots_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct slots_sock *s = priv;

	st->mem_bytes = sizeof(*s) +
			(u64)READ_ONCE(s->nr_mids) * sizeof(struct slots_mid) +
			(u64)READ_ONCE(s->nr_leaves) * sizeof(struct slots_leaf);
	slots_walk_refs(s, count_ref, &st->tokens_out);
	st->counters[0].name = "high_water";
	/* pairs with the release in slots_rx_reserve() */
	st->counters[0].value = smp_load_acquire(&s->hw);
	st->ncounters = 1;
}

/* Memory for tokens 1..n in use (dense): what the table grows to. */
static u64 slots_mem(u64 n)
{
	u64 leaves = n ? (n + 1 + LEAF_SIZE - 1) / LEAF_SIZE : 0;
	u64 mids = n ? (n + 1 + LEAF_SIZE * MID_SIZE - 1) / (LEAF_SIZE * MID_SIZE) : 0;

	return sizeof(struct slots_sock) + mids * sizeof(struct slots_mid) +
	       leaves * sizeof(struct slots_leaf);
}

static int slots_plan(struct dmtok_scheme_plan *p)
{
	if (p->outstanding >= SLOTS_MAX)
		return -EINVAL;
	p->mem_per_socket = slots_mem(p->outstanding);
	p->mem_per_binding = 0;
	p->close_scan = p->outstanding;	/* the high-water mark */
	p->token_bits = LEAF_BITS + MID_BITS + TOP_BITS;
	p->token_bits_needed = fls64(p->outstanding);	/* largest token */
	return 0;
}

const struct dmtok_scheme_ops dmtok_scheme_slots = {
	.version	= DMTOK_SCHEME_VERSION,
	.name		= "slots",
	.description	= "per-socket slot table of niov pointers; lock-free dontneed",
	.flags		= DMTOK_SCHEME_MULTI_BINDING | DMTOK_SCHEME_UNIQUE_TOKENS |
			  DMTOK_SCHEME_ALL_OR_NOTHING,
	.max_outstanding = SLOTS_MAX - 1,
	.priv_size	= sizeof(struct slots_sock),
	.rx_reserve	= slots_rx_reserve,
	.rx_taken	= slots_rx_taken,
	.rx_commit	= slots_rx_commit,
	.dontneed	= slots_dontneed,
	.release_all	= slots_release_all,
	.stats		= slots_stats,
	.for_each_ref	= slots_walk_refs,
	.plan		= slots_plan,
};
