// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmtok's scheme files in a real kernel, under KUnit: the same files the
 * userspace model runs, compiled unchanged against Linux 6.12 with the
 * kbuild glue (src/port), driven through their ops the way
 * tcp_recvmsg_dmabuf(), sock_devmem_dontneed() and tcp_release_user_frags()
 * drive sk_user_frags (net/ipv4/tcp.c, net/core/sock.c, 6.12). The niovs
 * are the kernel's own struct net_iov, carrying PP_SIGNATURE and a real
 * page_pool_create() pool; the user's references are taken with
 * page_pool_ref_netmem() and dropped by the schemes through the real
 * napi_pp_put_page() -> page_pool_unref_netmem(); atomics, spinlocks and
 * lib/xarray.c are the kernel's. The test holds each niov's base reference,
 * as the page pool does for a page in use, so a scheme's puts never reach
 * the pool's release path (there is no dmabuf memory provider here: no
 * device can bind one under UML).
 *
 * Run under a debug kernel (tests/kunit/dmtok.kunitconfig: lockdep,
 * DEBUG_ATOMIC_SLEEP, KASAN, SLUB debugging); tests/kunit/run.sh fails the
 * run on any splat in the kernel log as well as on a failed expectation.
 * Built by tests/kunit/run.sh into a kernel tree from Debian's
 * linux-source-6.12; the scheme table comes from dmtok_kunit_schemes.h,
 * which it generates.
 */
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/poison.h>
#include <linux/slab.h>
#include <net/page_pool/helpers.h>
#include <net/page_pool/types.h>

#include <dmtok/kernel.h>

#include "dmtok_kunit_schemes.h"

#define NPAGES	64

struct fixture {
	struct dmtok_port_binding *pb;
	struct dmabuf_genpool_chunk_owner owner;
	struct dma_buf dmabuf;
	struct net_iov *niovs;
	struct page_pool *pool;
	const struct dmtok_scheme_ops *ops;
	void *priv;
	u32 tokens[NPAGES * 2];
	unsigned int ntokens;
};

/* dmtok_kunit_schemes[] holds, for each scheme, where its ops pointer is */
typedef const struct dmtok_scheme_ops *const *scheme_ref;

static const struct dmtok_scheme_ops *scheme_param(struct kunit *test)
{
	return **(const scheme_ref *)test->param_value;
}

static int fixture_init(struct kunit *test)
{
	struct page_pool_params pp = { .order = 0, .pool_size = NPAGES, .nid = NUMA_NO_NODE };
	struct fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	if (!f)
		return -ENOMEM;
	f->ops = scheme_param(test);
	f->pb = kzalloc(sizeof(*f->pb), GFP_KERNEL);
	f->niovs = kcalloc(NPAGES, sizeof(*f->niovs), GFP_KERNEL);
	if (!f->pb || !f->niovs)
		return -ENOMEM;
	f->pb->vec = kcalloc(NPAGES, sizeof(*f->pb->vec), GFP_KERNEL);
	f->pb->urefs = kcalloc(NPAGES, sizeof(*f->pb->urefs), GFP_KERNEL);
	if (!f->pb->vec || !f->pb->urefs)
		return -ENOMEM;
	f->pool = page_pool_create(&pp);
	if (IS_ERR(f->pool))
		return PTR_ERR(f->pool);
	f->dmabuf.size = (size_t)NPAGES << PAGE_SHIFT;
	f->pb->b.dmabuf = &f->dmabuf;
	f->pb->b.id = 1;
	refcount_set(&f->pb->b.ref, 1);		/* the net's table: held by the test */
	atomic_set(&f->pb->users, 1);		/* the bound queue (v10) */
	f->pb->autorelease = !(f->ops->bind_flags & DMTOK_BIND_NO_AUTORELEASE);
	f->owner.niovs = f->niovs;
	f->owner.num_niovs = NPAGES;
	f->owner.binding = &f->pb->b;
	for (i = 0; i < NPAGES; i++) {
		struct net_iov *niov = &f->niovs[i];

		niov->owner = &f->owner;
		niov->pp_magic = PP_SIGNATURE;
		niov->pp = f->pool;
		atomic_long_set(&niov->pp_ref_count, 1);	/* the pool's base reference */
		f->pb->vec[i] = niov;
	}
	KUNIT_ASSERT_EQ(test, f->ops->init(&f->priv), 0);
	test->priv = f;
	return 0;
}

static void fixture_exit(struct kunit *test)
{
	struct fixture *f = test->priv;
	unsigned int i;

	if (!f)
		return;
	if (f->priv)
		f->ops->release_all(f->priv);
	/* the binding's last user goes: the series' reclaim of parked urefs */
	net_devmem_dmabuf_binding_user_put(&f->pb->b);
	for (i = 0; i < NPAGES && f->niovs; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&f->niovs[i].pp_ref_count), 1,
				    "niov %u: a reference was leaked or dropped twice", i);
	if (!IS_ERR_OR_NULL(f->pool))
		page_pool_destroy(f->pool);
	if (f->pb) {
		kfree(f->pb->vec);
		kfree(f->pb->urefs);
	}
	kfree(f->pb);
	kfree(f->niovs);
}

/* tcp_recvmsg_dmabuf() for @n frags, one per niov from @first (a skb each 17) */
static void hand_out(struct kunit *test, unsigned int first, unsigned int n, unsigned int step)
{
	struct fixture *f = test->priv;
	struct dmtok_rx_batch batch = { 0 };
	unsigned int k;

	for (k = 0; k < n; k++) {
		struct net_iov *niov = &f->niovs[(first + k * step) % NPAGES];
		u32 token;

		if (k && !(k % MAX_SKB_FRAGS)) {
			f->ops->rx_commit(f->priv, &batch);
			memset(&batch, 0, sizeof(batch));
		}
		KUNIT_ASSERT_EQ(test, f->ops->rx_reserve(f->priv, &batch, niov,
							 MAX_SKB_FRAGS - k % MAX_SKB_FRAGS,
							 &token), 0);
		if (!(f->ops->flags & DMTOK_SCHEME_SHARED_UREFS))
			page_pool_ref_netmem(net_iov_to_netmem(niov));	/* the user's */
		f->ops->rx_taken(f->priv, &batch, niov, token);
		f->tokens[f->ntokens++] = token;
	}
	f->ops->rx_commit(f->priv, &batch);
}

static int dontneed(struct fixture *f, u32 start, u32 count)
{
	struct dmabuf_token t = { start, count };

	return f->ops->dontneed(f->priv, &t, 1);
}

static void test_roundtrip(struct kunit *test)
{
	struct fixture *f = test->priv;
	unsigned int i;
	int got = 0;

	hand_out(test, 0, 40, 1);
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_GE(test, atomic_long_read(&f->niovs[i].pp_ref_count), 2);
	for (i = 0; i < f->ntokens; i++)
		got += dontneed(f, f->tokens[i], 1);
	KUNIT_EXPECT_EQ(test, got, 40);
	for (i = 0; i < NPAGES; i++)
		KUNIT_EXPECT_EQ(test, atomic_long_read(&f->niovs[i].pp_ref_count), 1);
}

/* a token returned twice, a never-issued one, a range wrapping u32 */
static void test_bad_returns(struct kunit *test)
{
	struct fixture *f = test->priv;
	bool strict = f->ops->flags & DMTOK_SCHEME_ALL_OR_NOTHING;
	int r;

	hand_out(test, 0, 8, 1);
	KUNIT_EXPECT_EQ(test, dontneed(f, f->tokens[0], 1), 1);
	r = dontneed(f, f->tokens[0], 1);
	KUNIT_EXPECT_TRUE(test, r == 0 || (strict && r == -EINVAL));
	r = dontneed(f, 0x7ffffff0, 1);
	KUNIT_EXPECT_TRUE(test, r == 0 || r == -EINVAL);
	r = dontneed(f, 0xffffffff, 6);
	KUNIT_EXPECT_TRUE(test, r >= 0 || r == -EINVAL);
	r = dontneed(f, 0x80000000, 0xffffffff);	/* bounded by MAX_DONTNEED_FRAGS */
	KUNIT_EXPECT_TRUE(test, r >= 0 || r == -EINVAL);
	/* what is left goes at close (fixture_exit checks every count) */
}

/* frags sharing a niov: one reference each */
static void test_shared_niov(struct kunit *test)
{
	struct fixture *f = test->priv;
	unsigned int i;
	int got = 0;

	hand_out(test, 5, 4, 0);	/* four frags of niov 5 */
	for (i = 0; i < f->ntokens; i++) {
		int r = dontneed(f, f->tokens[i], 1);

		if (r > 0)
			got += r;
	}
	KUNIT_EXPECT_EQ(test, got, 4);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->niovs[5].pp_ref_count), 1);
}

/* close with frags out: tcp_release_user_frags() */
static void test_close_outstanding(struct kunit *test)
{
	hand_out(test, 0, 50, 1);
}

static void scheme_desc(const scheme_ref *ref, char *desc)
{
	strscpy(desc, (**ref)->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(scheme, dmtok_kunit_schemes, scheme_desc);

static struct kunit_case dmtok_scheme_cases[] = {
	KUNIT_CASE_PARAM(test_roundtrip, scheme_gen_params),
	KUNIT_CASE_PARAM(test_bad_returns, scheme_gen_params),
	KUNIT_CASE_PARAM(test_shared_niov, scheme_gen_params),
	KUNIT_CASE_PARAM(test_close_outstanding, scheme_gen_params),
	{}
};

static struct kunit_suite dmtok_scheme_suite = {
	.name = "dmtok-schemes",
	.init = fixture_init,
	.exit = fixture_exit,
	.test_cases = dmtok_scheme_cases,
};
kunit_test_suite(dmtok_scheme_suite);

MODULE_DESCRIPTION("dmtok token scheme files under KUnit");
MODULE_LICENSE("GPL");
