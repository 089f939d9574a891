// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The "slots-runs" scheme, dmtok's own: the slot table of "slots" (a
 * token names a slot holding the niov; neither binding nor page index in
 * the token), with a bitmap of held slots beside each leaf, so a
 * dontneed claims a run of up to BITS_PER_LONG consecutive tokens with
 * one locked instruction instead of one cmpxchg per token.
 *
 * Layout: token t in [1, RUNS_MAX): top[t >> 16] -> mid[(t >> 8) & 255]
 * -> leaf (slot[t & 255], held bit t & 255). Leaves and mids are made on
 * first use under the socket lock and freed only at close, so a reader
 * that saw a token <= high-water (acquire) finds its leaf.
 *
 * Protocol (why two dontneeds cannot free the same frag):
 *  - recvmsg (socket lock: one at a time) pops a free slot from its
 *    private list, refilled by taking the whole shared free stack with
 *    one exchange, and writes the niov into it after the model took the
 *    page-pool reference. It sets the held bits of the frags it handed out
 *    when it ends the skb (rx_commit): one fetch_or_release per word, so
 *    recvmsg adds one locked instruction per skb (a run of up to 17
 *    consecutive tokens), not per frag. A token is not held -- a dontneed
 *    of it changes nothing -- until recvmsg has ended its skb, which a
 *    user that read the cmsg after recvmsg returned never sees.
 *  - dontneed (no lock, concurrent with recvmsg and other dontneeds)
 *    clears the bits of a run with one fetch_andnot_acquire per word: the
 *    bits that come back set are exactly the tokens this caller owns (an
 *    atomic read-modify-write hands each set bit to one caller). For each
 *    it reads the niov (ordered by the acquire after recvmsg's release),
 *    puts the page, and links the slot into a chain in token order; the
 *    chain goes back on the shared stack with one release cmpxchg.
 *  - Freed runs come back in token order, and recvmsg pops in that order,
 *    so the tokens it hands out stay in runs after the free list churns.
 *  - The shared stack is only pushed to, and emptied whole by its single
 *    consumer: no pop-cmpxchg, no ABA.
 *
 * Dontneed is all-or-nothing on malformed input: a token never issued (0,
 * or above the high-water mark) among the first MAX_DONTNEED_FRAGS
 * inspected fails the request with -EINVAL before anything is released;
 * tokens issued but not held are skipped, as upstream.
 */
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

#define LEAF_BITS	8
#define MID_BITS	8
#define TOP_BITS	8
#define LEAF_SIZE	BIT(LEAF_BITS)
#define MID_SIZE	BIT(MID_BITS)
#define TOP_SIZE	BIT(TOP_BITS)
#define RUNS_MAX	(1u << (LEAF_BITS + MID_BITS + TOP_BITS))
#define LEAF_WORDS	(LEAF_SIZE / BITS_PER_LONG)

/*
 * A slot word is a niov pointer (handed out), 0 (reserved by recvmsg), or
 * (next << 1 | 1): free, linking to the next free slot of its list.
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

struct runs_leaf {
	atomic_long_t held[LEAF_WORDS];		/* bit per slot: the user holds it */
	unsigned long slot[LEAF_SIZE];
};

struct runs_mid {
	struct runs_leaf *leaf[MID_SIZE];
};

struct runs_sock {
	struct runs_mid *top[TOP_SIZE];
	u32 free_head;			/* shared free stack; 0 = empty */
	u32 hw;				/* highest token ever issued */
	u32 local;			/* recvmsg's private free list (socket lock) */
	u32 nr_mids, nr_leaves;		/* written under the socket lock, read by stats */
	atomic_long_t claims;		/* dontneed's fetch_andnot calls */
};

static struct runs_leaf *leaf_of(struct runs_sock *s, u32 t)
{
	/* pairs with the releases in ensure_leaf(): a mid, a leaf, zeroed */
	struct runs_mid *mid = smp_load_acquire(&s->top[t >> (LEAF_BITS + MID_BITS)]);

	if (!mid)
		return NULL;
	/* as above */
	return smp_load_acquire(&mid->leaf[(t >> LEAF_BITS) & (MID_SIZE - 1)]);
}

/* Socket lock held: make sure token @t has a leaf. */
static int ensure_leaf(struct runs_sock *s, u32 t)
{
	struct runs_mid **mp = &s->top[t >> (LEAF_BITS + MID_BITS)];
	struct runs_mid *mid = *mp;
	struct runs_leaf *leaf;

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

static unsigned long *slot_of(struct runs_sock *s, u32 t)
{
	return &leaf_of(s, t)->slot[t & (LEAF_SIZE - 1)];
}

static atomic_long_t *held_of(struct runs_leaf *leaf, u32 t)
{
	return &leaf->held[(t & (LEAF_SIZE - 1)) / BITS_PER_LONG];
}

static atomic_long_t *held_word(struct runs_sock *s, u32 t)
{
	return held_of(leaf_of(s, t), t);
}

/* Any number of dontneeds push a chain first..last with one release cmpxchg. */
static void free_stack_push(struct runs_sock *s, u32 first, u32 last)
{
	u32 head = READ_ONCE(s->free_head);

	do {
		WRITE_ONCE(*slot_of(s, last), slot_mk_free(head));
	} while (!try_cmpxchg_release(&s->free_head, &head, first));
}

/* The single consumer (socket lock): the private list, else the whole stack. */
static u32 free_stack_pop(struct runs_sock *s)
{
	u32 t = s->local;

	if (!t)
		t = xchg(&s->free_head, 0);
	if (t) {
		unsigned long *slot = slot_of(s, t);

		s->local = slot_to_next(READ_ONCE(*slot));
		WRITE_ONCE(*slot, 0);
	}
	return t;
}

static int runs_rx_reserve(void *priv, struct dmtok_rx_batch *b,
			   struct net_iov *niov, unsigned int max_frags,
			   u32 *token)
{
	struct runs_sock *s = priv;
	u32 t = free_stack_pop(s);

	if (!t) {
		int err;

		t = s->hw + 1;	/* only recvmsg writes hw */
		if (t >= RUNS_MAX)
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

static void runs_rx_taken(void *priv, struct dmtok_rx_batch *b,
			  struct net_iov *niov, u32 token)
{
	struct runs_sock *s = priv;

	/* no dontneed reads it before rx_commit's release sets the bit */
	WRITE_ONCE(*slot_of(s, token), (unsigned long)niov);
	b->idx++;
}

/*
 * The skb is done: the frags handed out become held, one fetch_or_release
 * per word of consecutive tokens; the reservations whose cmsg did not fit
 * go back on the private list.
 */
static void runs_rx_commit(void *priv, struct dmtok_rx_batch *b)
{
	struct runs_sock *s = priv;
	struct runs_leaf *leaf = NULL;
	u32 base = 0;
	unsigned long mask = 0;
	unsigned int i;

	for (i = 0; i < b->idx; i++) {
		u32 t = b->tokens[i];

		if (t - t % BITS_PER_LONG != base || !leaf) {
			/* the niovs before the bits: dontneed's acquire */
			if (mask)
				atomic_long_fetch_or_release((long)mask, held_of(leaf, base));
			mask = 0;
			base = t - t % BITS_PER_LONG;
			leaf = leaf_of(s, t);
		}
		mask |= 1UL << (t % BITS_PER_LONG);
	}
	if (mask)
		atomic_long_fetch_or_release((long)mask, held_of(leaf, base));
	for (i = b->idx; i < b->max; i++) {
		WRITE_ONCE(*slot_of(s, b->tokens[i]), slot_mk_free(s->local));
		s->local = b->tokens[i];
	}
	b->max = 0;
	b->idx = 0;
}

/* @run bits from bit @bit of a word (@run >= 1, @bit + @run <= BITS_PER_LONG) */
static inline unsigned long run_mask(u32 bit, u32 run)
{
	return (run == BITS_PER_LONG ? ~0UL : (1UL << run) - 1) << bit;
}

/* The first MAX_DONTNEED_FRAGS tokens of the request, each issued? */
static bool runs_valid(const struct dmabuf_token *tokens, unsigned int num_tokens, u32 hw)
{
	unsigned int i, left = MAX_DONTNEED_FRAGS;

	for (i = 0; i < num_tokens && left; i++) {
		u32 start = tokens[i].token_start;
		u32 n = min(tokens[i].token_count, left);

		if (!n)
			continue;
		if (!start || start > hw || n - 1 > hw - start)
			return false;
		left -= n;
	}
	return true;
}

/* A word of held bits a dontneed is about to claim, and the chain it frees. */
struct runs_claim {
	struct runs_sock *s;
	u32 base;			/* first token of the word */
	unsigned long mask;		/* the tokens named in it so far */
	u32 hi;				/* the highest bit of @mask */
	u32 first;			/* the chain of freed slots, in token order */
	u32 last;
	unsigned long *last_slot;	/* its end's slot word */
	int released;
	long claims;
};

/* One fetch_andnot for the word: its set bits come back to this caller alone. */
static void runs_claim_word(struct runs_claim *c)
{
	struct runs_leaf *leaf;
	unsigned long got;

	if (!c->mask)
		return;
	leaf = leaf_of(c->s, c->base);
	got = atomic_long_fetch_andnot_acquire((long)c->mask, held_of(leaf, c->base));
	got &= c->mask;
	c->mask = 0;
	c->claims++;
	while (got) {
		u32 t = c->base + (u32)__ffs(got);
		unsigned long *slot = &leaf->slot[t & (LEAF_SIZE - 1)];

		got &= got - 1;
		WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(slot_to_niov(READ_ONCE(*slot)))));
		/* the chain in token order: recvmsg reissues runs */
		if (c->first)
			WRITE_ONCE(*c->last_slot, slot_mk_free(t));
		else
			c->first = t;
		c->last = t;
		c->last_slot = slot;
		c->released++;
	}
}

/*
 * The tokens named, gathered word by word while they ascend: entries of
 * one token each (what ncdevmem sends) that follow each other up one word
 * are claimed together, as a range is. A token below the last gathered
 * starts a new claim, so the pages go back to the pool in the order the
 * user named them, as upstream's loop puts them (the pool reissues pages
 * in that order).
 */
static int runs_dontneed(void *priv, const struct dmabuf_token *tokens,
			 unsigned int num_tokens)
{
	struct runs_sock *s = priv;
	/* pairs with the release in runs_rx_reserve(): leaves up to hw */
	u32 hw = smp_load_acquire(&s->hw);
	struct runs_claim c = { .s = s };
	unsigned int i, left = MAX_DONTNEED_FRAGS;

	if (!runs_valid(tokens, num_tokens, hw))
		return -EINVAL;
	for (i = 0; i < num_tokens && left; i++) {
		u32 t = tokens[i].token_start;
		u32 n = min(tokens[i].token_count, left);

		left -= n;
		while (n) {
			u32 bit = t % BITS_PER_LONG;
			u32 run = n == 1 ? 1 : min_t(u32, n, BITS_PER_LONG - bit);

			/* a new word, or a token below the last: claim what is gathered */
			if (t - bit != c.base || (c.mask && bit <= c.hi)) {
				runs_claim_word(&c);
				c.base = t - bit;
			}
			c.mask |= run == 1 ? 1UL << bit : run_mask(bit, run);
			c.hi = bit + run - 1;
			t += run;
			n -= run;
		}
	}
	runs_claim_word(&c);
	if (c.first)
		free_stack_push(s, c.first, c.last);
	if (c.claims)
		atomic_long_add(c.claims, &s->claims);
	return c.released;
}

/* Calls @cb for every held token, 1..high-water. */
static int runs_walk_refs(void *priv, dmtok_ref_cb cb, void *arg)
{
	struct runs_sock *s = priv;
	/* pairs with the release in runs_rx_reserve(): leaves up to hw */
	u32 hw = smp_load_acquire(&s->hw), base;
	int err;

	for (base = 0; hw && base <= hw; base += BITS_PER_LONG) {
		/* pairs with rx_commit's release: the niovs of the bits */
		unsigned long bits = atomic_long_read_acquire(held_word(s, base));

		while (bits) {
			u32 t = base + (u32)__ffs(bits);
			struct net_iov *niov = slot_to_niov(READ_ONCE(*slot_of(s, t)));

			bits &= bits - 1;
			err = cb(arg, t, niov);
			if (err)
				return err;
		}
	}
	return 0;
}

static int put_ref(void *arg, u32 token, struct net_iov *niov)
{
	WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(niov)));
	return 0;
}

/* tcp_release_user_frags(): O(high-water), then free the table. */
static void runs_release_all(void *priv)
{
	struct runs_sock *s = priv;
	u32 t, m;

	runs_walk_refs(s, put_ref, NULL);
	for (t = 0; t < TOP_SIZE; t++) {
		struct runs_mid *mid = s->top[t];

		if (!mid)
			continue;
		for (m = 0; m < MID_SIZE; m++)
			kfree(mid->leaf[m]);
		kfree(mid);
	}
}

static void runs_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct runs_sock *s = priv;
	/* pairs with the release in runs_rx_reserve() */
	u32 hw = smp_load_acquire(&s->hw), base;

	st->mem_bytes = sizeof(*s) +
			(u64)READ_ONCE(s->nr_mids) * sizeof(struct runs_mid) +
			(u64)READ_ONCE(s->nr_leaves) * sizeof(struct runs_leaf);
	for (base = 0; hw && base <= hw; base += BITS_PER_LONG)
		st->tokens_out += hweight_long(atomic_long_read(held_word(s, base)));
	st->counters[0].name = "high_water";
	st->counters[0].value = hw;
	st->counters[1].name = "claims";
	st->counters[1].value = atomic_long_read(&s->claims);
	st->ncounters = 2;
}

/* Memory for tokens 1..n in use (dense): what the table grows to. */
static u64 runs_mem(u64 n)
{
	u64 leaves = n ? (n + 1 + LEAF_SIZE - 1) / LEAF_SIZE : 0;
	u64 mids = n ? (n + 1 + LEAF_SIZE * MID_SIZE - 1) / (LEAF_SIZE * MID_SIZE) : 0;

	return sizeof(struct runs_sock) + mids * sizeof(struct runs_mid) +
	       leaves * sizeof(struct runs_leaf);
}

static int runs_plan(struct dmtok_scheme_plan *p)
{
	if (p->outstanding >= RUNS_MAX)
		return -EINVAL;
	p->mem_per_socket = runs_mem(p->outstanding);
	p->mem_per_binding = 0;
	p->close_scan = p->outstanding;	/* the high-water mark */
	p->token_bits = LEAF_BITS + MID_BITS + TOP_BITS;
	p->token_bits_needed = fls64(p->outstanding);	/* largest token */
	return 0;
}

const struct dmtok_scheme_ops dmtok_scheme_slots_runs = {
	.version	= DMTOK_SCHEME_VERSION,
	.name		= "slots-runs",
	.description	= "slots with a held bitmap: dontneed claims a run of tokens per atomic",
	.flags		= DMTOK_SCHEME_MULTI_BINDING | DMTOK_SCHEME_UNIQUE_TOKENS |
			  DMTOK_SCHEME_ALL_OR_NOTHING,
	.max_outstanding = RUNS_MAX - 1,
	.priv_size	= sizeof(struct runs_sock),
	.rx_reserve	= runs_rx_reserve,
	.rx_taken	= runs_rx_taken,
	.rx_commit	= runs_rx_commit,
	.dontneed	= runs_dontneed,
	.release_all	= runs_release_all,
	.stats		= runs_stats,
	.for_each_ref	= runs_walk_refs,
	.plan		= runs_plan,
};
