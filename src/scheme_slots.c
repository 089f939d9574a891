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
#include "scheme.h"

#define LEAF_BITS	8
#define MID_BITS	8
#define TOP_BITS	8
#define LEAF_SIZE	(1u << LEAF_BITS)
#define MID_SIZE	(1u << MID_BITS)
#define TOP_SIZE	(1u << TOP_BITS)
#define SLOTS_MAX	(1u << (LEAF_BITS + MID_BITS + TOP_BITS))

/*
 * A slot word is a niov pointer (held by the user), 0 (reserved by an
 * in-flight recvmsg), or (next << 1 | 1): free, with the next free slot
 * of its list. Keeping the link in the slot word means a release dirties
 * one cache line per token, not two.
 */
static inline void *SLOT_FREE(u32 next)
{
	return (void *)(((uintptr_t)next << 1) | 1);
}

static inline u32 SLOT_NEXT(void *w)
{
	return (u32)((uintptr_t)w >> 1);
}

/* Functions, not macros: the word is read once (a macro read it twice). */
static inline struct dmtok_niov *SLOT_NIOV(void *w)
{
	return ((uintptr_t)w & 1) ? NULL : w;
}

struct slots_leaf {
	atomic_ptr_t slot[LEAF_SIZE];
};

struct slots_mid {
	atomic_ptr_t leaf[MID_SIZE];
};

struct slots_sock {
	atomic_ptr_t top[TOP_SIZE];	/* struct slots_mid * */
	_Atomic u32 free_head;		/* shared free stack; 0 = empty */
	_Atomic u32 hw;			/* highest token ever issued */
	u32 local;			/* recvmsg's private free list (socket lock) */
	u32 nr_mids, nr_leaves;		/* socket lock */
};

static int slots_init(void **priv, long param)
{
	struct slots_sock *s = kzalloc(sizeof(*s), GFP_KERNEL);

	(void)param;
	if (!s)
		return -ENOMEM;
	*priv = s;
	return 0;
}

static struct slots_leaf *leaf_of(struct slots_sock *s, u32 t)
{
	struct slots_mid *mid = ptr_load_acquire(&s->top[t >> (LEAF_BITS + MID_BITS)]);

	if (!mid)
		return NULL;
	return ptr_load_acquire(&mid->leaf[(t >> LEAF_BITS) & (MID_SIZE - 1)]);
}

/* Socket lock held: make sure token @t has a leaf. */
static int ensure_leaf(struct slots_sock *s, u32 t)
{
	atomic_ptr_t *mp = &s->top[t >> (LEAF_BITS + MID_BITS)];
	struct slots_mid *mid = ptr_load_relaxed(mp);
	struct slots_leaf *leaf;

	if (!mid) {
		mid = kzalloc(sizeof(*mid), GFP_KERNEL);
		if (!mid)
			return -ENOMEM;
		s->nr_mids++;
		ptr_store_release(mp, mid);
	}
	if (ptr_load_relaxed(&mid->leaf[(t >> LEAF_BITS) & (MID_SIZE - 1)]))
		return 0;
	leaf = kzalloc(sizeof(*leaf), GFP_KERNEL);
	if (!leaf)
		return -ENOMEM;	/* an empty mid stays; freed at close */
	s->nr_leaves++;
	ptr_store_release(&mid->leaf[(t >> LEAF_BITS) & (MID_SIZE - 1)], leaf);
	return 0;
}

static atomic_ptr_t *slot_of(struct slots_sock *s, u32 t)
{
	return &leaf_of(s, t)->slot[t & (LEAF_SIZE - 1)];
}

/*
 * Pushes the chain first..last (linked through their slot words) with
 * one CAS; the release orders the links before the new head.
 */
static void push_chain(struct slots_sock *s, u32 first, u32 last)
{
	u32 head = atomic_load_explicit(&s->free_head, memory_order_relaxed);

	do {
		ptr_store_relaxed(slot_of(s, last), SLOT_FREE(head));
	} while (!atomic_compare_exchange_weak_explicit(&s->free_head, &head, first,
							memory_order_release,
							memory_order_relaxed));
}

/*
 * Single consumer (recvmsg, socket lock): pop from the private list; when
 * it is empty, take the whole shared stack with one exchange. Producers
 * only ever push, so there is no ABA. The popped slot is left at 0
 * (reserved) so no dontneed can mistake it for a held niov.
 */
static u32 pop_free(struct slots_sock *s)
{
	u32 t = s->local;

	if (!t)
		t = atomic_exchange_explicit(&s->free_head, 0, memory_order_acquire);
	if (t) {
		s->local = SLOT_NEXT(ptr_load_relaxed(slot_of(s, t)));
		ptr_store_relaxed(slot_of(s, t), NULL);
	}
	return t;
}

static int slots_rx_reserve(void *priv, struct dmtok_rx_batch *b,
			    struct dmtok_niov *niov, unsigned int max_frags,
			    u32 *token)
{
	struct slots_sock *s = priv;
	u32 t = pop_free(s);

	(void)niov;
	(void)max_frags;
	if (!t) {
		u32 hw = atomic_load_explicit(&s->hw, memory_order_relaxed);
		int err;

		t = hw + 1;
		if (t >= SLOTS_MAX)
			return -ENOSPC;
		err = ensure_leaf(s, t);
		if (err)
			return err;
		/* publishes the leaf to dontneed's range check */
		atomic_store_explicit(&s->hw, t, memory_order_release);
	}
	b->tokens[b->idx] = t;
	b->max = (u8)(b->idx + 1);
	*token = t;
	return 0;
}

static void slots_rx_taken(void *priv, struct dmtok_rx_batch *b,
			   struct dmtok_niov *niov, u32 token)
{
	struct slots_sock *s = priv;

	/* pp_ref_count was taken before: publish only a held reference */
	ptr_store_release(slot_of(s, token), niov);
	b->idx++;
}

/* Reserved but not handed out (the cmsg did not fit): give it back. */
static void slots_rx_commit(void *priv, struct dmtok_rx_batch *b)
{
	struct slots_sock *s = priv;

	for (unsigned int i = b->idx; i < b->max; i++) {	/* back on the private list */
		ptr_store_relaxed(slot_of(s, b->tokens[i]), SLOT_FREE(s->local));
		s->local = b->tokens[i];
	}
	b->max = 0;
	b->idx = 0;
}

static int slots_dontneed(void *priv, const struct dmabuf_token *tokens,
			  unsigned int num_tokens)
{
	struct slots_sock *s = priv;
	u32 hw = atomic_load_explicit(&s->hw, memory_order_acquire);
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
			struct dmtok_niov *niov;
			atomic_ptr_t *slot;

			if (++num_frags > MAX_DONTNEED_FRAGS)
				goto out;
			slot = slot_of(s, t);
			niov = SLOT_NIOV(ptr_load_acquire(slot));
			/* only the caller whose CAS takes the pointer owns the ref */
			if (!niov || !ptr_cmpxchg(slot, niov, SLOT_FREE(first)))
				continue;	/* not held: free, reserved, or raced */
			WARN_ON_ONCE(!napi_pp_put_page(niov));
			/* the slot now links to the chain; published below with one CAS */
			if (!first)
				last = t;
			first = t;
			ret++;
		}
	}
out:
	if (first)
		push_chain(s, first, last);
	return ret;
}

/* Calls @cb for every slot holding a niov, 1..high-water. */
static int slots_for_each_ref(void *priv, dmtok_ref_cb cb, void *arg)
{
	struct slots_sock *s = priv;
	u32 hw = atomic_load(&s->hw), t;
	int err;

	for (t = 1; t <= hw; t++) {
		struct dmtok_niov *niov = SLOT_NIOV(ptr_load_acquire(slot_of(s, t)));

		if (niov && (err = cb(arg, t, niov)))
			return err;
	}
	return 0;
}

static int put_ref(void *arg, u32 token, struct dmtok_niov *niov)
{
	(void)arg;
	(void)token;
	WARN_ON_ONCE(!napi_pp_put_page(niov));
	return 0;
}

static int count_ref(void *arg, u32 token, struct dmtok_niov *niov)
{
	(void)token;
	(void)niov;
	(*(u64 *)arg)++;
	return 0;
}

/* tcp_release_user_frags(): O(high-water), then free the table. */
static void slots_release_all(void *priv)
{
	struct slots_sock *s = priv;
	u32 t, m;

	slots_for_each_ref(s, put_ref, NULL);
	for (t = 0; t < TOP_SIZE; t++) {
		struct slots_mid *mid = ptr_load_relaxed(&s->top[t]);

		if (!mid)
			continue;
		for (m = 0; m < MID_SIZE; m++)
			kfree(ptr_load_relaxed(&mid->leaf[m]));
		kfree(mid);
	}
	kfree(s);
}

static void slots_stats(void *priv, struct dmtok_scheme_stats *st)
{
	struct slots_sock *s = priv;

	st->mem_bytes = sizeof(*s) + (u64)s->nr_mids * sizeof(struct slots_mid) +
			(u64)s->nr_leaves * sizeof(struct slots_leaf);
	slots_for_each_ref(s, count_ref, &st->tokens_out);
}

const struct dmtok_scheme_ops dmtok_scheme_slots = {
	.name = "slots",
	.init = slots_init,
	.rx_reserve = slots_rx_reserve,
	.rx_taken = slots_rx_taken,
	.rx_commit = slots_rx_commit,
	.dontneed = slots_dontneed,
	.release_all = slots_release_all,
	.stats = slots_stats,
	.for_each_ref = slots_for_each_ref,
};

/* Memory for tokens 1..n in use (dense), used by dmtok-plan. */
u64 dmtok__slots_mem(u64 n);
u64 dmtok__slots_mem(u64 n)
{
	u64 leaves = n ? (n + 1 + LEAF_SIZE - 1) / LEAF_SIZE : 0;
	u64 mids = n ? (n + 1 + LEAF_SIZE * MID_SIZE - 1) / (LEAF_SIZE * MID_SIZE) : 0;

	return sizeof(struct slots_sock) + mids * sizeof(struct slots_mid) +
	       leaves * sizeof(struct slots_leaf);
}
