/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * One source of scheme conformance cases, two worlds -- as lib/test_xarray.c
 * serves both the kernel and tools/testing/radix-tree. Each case drives a
 * scheme's ops the way tcp_recvmsg_dmabuf() (tcp_xa_pool_refill(), the cmsg,
 * the user's pp_ref_count, tcp_xa_pool_commit()), sock_devmem_dontneed()
 * and tcp_release_user_frags() drive sk_user_frags (net/ipv4/tcp.c,
 * net/core/sock.c, 6.12), on niovs the world provides, each holding its
 * page pool's base reference.
 *
 * Included by tests/kunit/dmtok_kunit.c (KUnit, in a User-Mode Linux kernel:
 * the kernel's net_iov, page pool, atomics and lib/xarray.c) and by
 * tests/test_scheme_cases.c (cmocka, on dmtok's model: niovs from a model
 * page pool). The includer defines, before including it:
 *   SC_TEST           the case's argument type (struct kunit *, void **)
 *   SC_FIXTURE(t)     the struct sc_fixture of test @t
 *   SC_EXPECT(t, c)   a failed expectation if !c (the case goes on)
 *   SC_ASSERT(t, c)   the same, and the case ends
 *   SC_SKIP(t, why)   the case does not apply to this scheme: skip it
 * and, after it, the fixture: ops, priv from sc_init(), SC_NPAGES niovs
 * each with pp_ref_count 1 (the pool's), and a last check that every
 * niov is back at 1 after ops->release_all() (and, for a scheme that
 * lingers until unbind, after the binding's last user went). What the
 * cases do not reach -- the socket face: recvmsg's cmsgs, optlen rules,
 * the receive queue -- stays in tests/dmtok-conform.c (userspace only).
 */
#ifndef DMTOK_SCHEME_CASES_H
#define DMTOK_SCHEME_CASES_H

#define SC_NPAGES	64
#define SC_MAX_TOKENS	1200

struct sc_fixture {
	const struct dmtok_scheme_ops *ops;
	void *priv;
	struct net_iov *niovs[SC_NPAGES];
	u32 tokens[SC_MAX_TOKENS];
	unsigned int ntokens;
	spinlock_t slock;	/* the socket's bh lock, for sc_release_all() */
};

/*
 * Close: tcp_v4_destroy_sock() runs tcp_release_user_frags() with BH
 * disabled and the socket's bh lock held, from __tcp_close() or in the
 * softirq that takes the orphan to TCP_CLOSE (net/ipv4/tcp.c, 6.12); so
 * the scheme's release_all runs in atomic context, in both worlds, where
 * a sleeping allocation is the atomic-sleep check's report. Both
 * fixtures end with it.
 */
static void sc_release_all(struct sc_fixture *f)
{
	spin_lock_init(&f->slock);
	spin_lock_bh(&f->slock);
	f->ops->release_all(f->priv);
	if (f->ops->priv_size)
		kfree(f->priv);
	spin_unlock_bh(&f->slock);
	f->priv = NULL;
}

/*
 * tcp_init_sock()'s hook: @priv_size zeroed bytes if the scheme asks for
 * them, then its init, if it has one.
 */
static inline int sc_init(struct sc_fixture *f)
{
	int err;

	f->priv = NULL;
	if (f->ops->priv_size) {
		f->priv = kzalloc(f->ops->priv_size, GFP_KERNEL);
		if (!f->priv)
			return -ENOMEM;
	}
	if (!f->ops->init)
		return 0;
	err = f->ops->init(&f->priv);
	if (err && f->ops->priv_size) {
		kfree(f->priv);
		f->priv = NULL;
	}
	return err;
}

/* rx_commit, if the scheme has one */
static void sc_commit(struct sc_fixture *f, struct dmtok_rx_batch *b)
{
	if (f->ops->rx_commit)
		f->ops->rx_commit(f->priv, b);
}

/*
 * tcp_recvmsg_dmabuf() for @n frags, frag k on niov (@first + k * @step) %
 * SC_NPAGES, MAX_SKB_FRAGS to an skb: one reservation per frag, the user's
 * pp_ref_count (page_pool_ref_netmem(), tcp_xa_pool_inc_pp_ref_count() in
 * 6.12; a DMTOK_SCHEME_SHARED_UREFS scheme takes its own), the commit at
 * the end of each skb. False if the scheme refused a frag.
 */
static bool sc_hand_out(SC_TEST t, unsigned int first, unsigned int n, unsigned int step)
{
	struct sc_fixture *f = SC_FIXTURE(t);
	struct dmtok_rx_batch batch = { 0 };
	unsigned int k;

	for (k = 0; k < n && f->ntokens < SC_MAX_TOKENS; k++) {
		struct net_iov *niov = f->niovs[(first + k * step) % SC_NPAGES];
		u32 token;

		if (k && !(k % DMTOK_MAX_SKB_FRAGS)) {
			sc_commit(f, &batch);
			memset(&batch, 0, sizeof(batch));
		}
		if (f->ops->rx_reserve(f->priv, &batch, niov,
				       DMTOK_MAX_SKB_FRAGS - k % DMTOK_MAX_SKB_FRAGS, &token)) {
			sc_commit(f, &batch);
			return false;
		}
		if (!(f->ops->flags & DMTOK_SCHEME_SHARED_UREFS))
			page_pool_ref_netmem(net_iov_to_netmem(niov));
		if (f->ops->rx_taken)
			f->ops->rx_taken(f->priv, &batch, niov, token);
		f->tokens[f->ntokens++] = token;
	}
	sc_commit(f, &batch);
	return k == n;
}

/*
 * Every niov back at pp_ref_count 1 (its pool's)? The first that is not,
 * with its count in *@count, or -1. The cases and both worlds' fixtures
 * end with it.
 */
static int sc_first_not_home(const struct sc_fixture *f, long *count)
{
	int i;

	for (i = 0; i < SC_NPAGES; i++) {
		*count = atomic_long_read(&f->niovs[i]->pp_ref_count);
		if (*count != 1)
			return i;
	}
	return -1;
}

static int sc_dontneed(struct sc_fixture *f, u32 start, u32 count)
{
	struct dmabuf_token tok = { start, count };

	return f->ops->dontneed(f->priv, &tok, 1);
}

/* Frags issued, then each token returned once: every reference home. */
static void sc_case_roundtrip(SC_TEST t)
{
	struct sc_fixture *f = SC_FIXTURE(t);
	unsigned int i;
	int got = 0;
	long left;

	SC_ASSERT(t, sc_hand_out(t, 0, 40, 1));
	for (i = 0; i < 40; i++)
		SC_EXPECT(t, atomic_long_read(&f->niovs[i]->pp_ref_count) >= 2);
	for (i = 0; i < f->ntokens; i++)
		got += sc_dontneed(f, f->tokens[i], 1);
	SC_EXPECT(t, got == 40);
	SC_EXPECT(t, sc_first_not_home(f, &left) < 0);
}

/* A token returned twice, a never-issued one, a range wrapping u32. */
static void sc_case_bad_returns(SC_TEST t)
{
	struct sc_fixture *f = SC_FIXTURE(t);
	bool strict = f->ops->flags & DMTOK_SCHEME_ALL_OR_NOTHING;
	int r;

	SC_ASSERT(t, sc_hand_out(t, 0, 8, 1));
	SC_EXPECT(t, sc_dontneed(f, f->tokens[0], 1) == 1);
	r = sc_dontneed(f, f->tokens[0], 1);
	SC_EXPECT(t, r == 0 || (strict && r == -EINVAL));
	r = sc_dontneed(f, 0x7ffffff0, 1);
	SC_EXPECT(t, r == 0 || r == -EINVAL);
	r = sc_dontneed(f, 0xffffffff, 6);
	SC_EXPECT(t, r >= 0 || r == -EINVAL);
	r = sc_dontneed(f, 0x80000000, 0xffffffff);	/* bounded by MAX_DONTNEED_FRAGS */
	SC_EXPECT(t, r >= 0 || r == -EINVAL);
	/* what is left goes at close (the fixture checks every count) */
}

/* Frags sharing a niov: one reference each. */
static void sc_case_shared_niov(SC_TEST t)
{
	struct sc_fixture *f = SC_FIXTURE(t);
	unsigned int i;
	int got = 0;

	SC_ASSERT(t, sc_hand_out(t, 5, 4, 0));	/* four frags of niov 5 */
	for (i = 0; i < f->ntokens; i++) {
		int r = sc_dontneed(f, f->tokens[i], 1);

		if (r > 0)
			got += r;
	}
	SC_EXPECT(t, got == 4);
	SC_EXPECT(t, atomic_long_read(&f->niovs[5]->pp_ref_count) == 1);
}

/* Close with frags out: tcp_release_user_frags() (the fixture's exit). */
static void sc_case_close_outstanding(SC_TEST t)
{
	SC_ASSERT(t, sc_hand_out(t, 0, 50, 1));
}

/*
 * sock_devmem_dontneed() stops after MAX_DONTNEED_FRAGS (1024) tokens
 * inspected, whatever the ranges say and whether or not each was held:
 * with 1100 unique tokens out, one request naming them all releases 1024,
 * the same request again releases nothing (its first 1024 are no longer
 * held), and naming each token once more releases the other 76.
 */
static void sc_case_frag_cap(SC_TEST t)
{
	struct sc_fixture *f = SC_FIXTURE(t);
	struct dmabuf_token runs[DMTOK_MAX_DONTNEED_TOKENS];
	unsigned int i, j, n = 0;
	int r1, r2;
	long left;

	if (!(f->ops->flags & DMTOK_SCHEME_UNIQUE_TOKENS))
		SC_SKIP(t, "tokens name pages: a frag count is not a token count");
	if (f->ops->max_outstanding && f->ops->max_outstanding < 1100)
		SC_SKIP(t, "the scheme holds fewer than 1100 references");
	SC_ASSERT(t, sc_hand_out(t, 0, 1100, 1));
	/* the tokens as runs of consecutive ids, in the order issued */
	for (i = 0; i < f->ntokens; i++) {
		for (j = 0; j < n; j++)
			if (f->tokens[i] == runs[j].token_start + runs[j].token_count)
				break;
		if (j < n) {
			runs[j].token_count++;
			continue;
		}
		if (n == DMTOK_MAX_DONTNEED_TOKENS)
			SC_SKIP(t, "tokens too scattered for 128 ranges");
		runs[n].token_start = f->tokens[i];
		runs[n++].token_count = 1;
	}
	r1 = f->ops->dontneed(f->priv, runs, n);
	SC_EXPECT(t, r1 == DMTOK_MAX_DONTNEED_FRAGS);
	r2 = f->ops->dontneed(f->priv, runs, n);
	SC_EXPECT(t, r2 == 0 || ((f->ops->flags & DMTOK_SCHEME_ALL_OR_NOTHING) && r2 == -EINVAL));
	for (r2 = 0, i = 0; i < f->ntokens; i++) {
		int r = sc_dontneed(f, f->tokens[i], 1);

		if (r > 0)
			r2 += r;
	}
	SC_EXPECT(t, r2 == 1100 - DMTOK_MAX_DONTNEED_FRAGS);
	SC_EXPECT(t, sc_first_not_home(f, &left) < 0);
}

/*
 * The declared property: a request naming a held token and a never-issued
 * one releases nothing and is -EINVAL under DMTOK_SCHEME_ALL_OR_NOTHING;
 * without it the held token is released and the other skipped.
 */
static void sc_case_all_or_nothing(SC_TEST t)
{
	struct sc_fixture *f = SC_FIXTURE(t);
	bool strict = f->ops->flags & DMTOK_SCHEME_ALL_OR_NOTHING;
	struct dmabuf_token req[2];
	long before;
	int r;

	SC_ASSERT(t, sc_hand_out(t, 3, 1, 1));
	before = atomic_long_read(&f->niovs[3]->pp_ref_count);
	req[0] = (struct dmabuf_token){ f->tokens[0], 1 };
	req[1] = (struct dmabuf_token){ 0x7ffffff0, 1 };
	r = f->ops->dontneed(f->priv, req, 2);
	if (strict) {
		SC_EXPECT(t, r == -EINVAL);
		SC_EXPECT(t, atomic_long_read(&f->niovs[3]->pp_ref_count) == before);
	} else {
		SC_EXPECT(t, r == 1);
		SC_EXPECT(t, atomic_long_read(&f->niovs[3]->pp_ref_count) == 1);
	}
}

#endif /* DMTOK_SCHEME_CASES_H */
