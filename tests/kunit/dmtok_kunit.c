// SPDX-License-Identifier: GPL-2.0-only
/*
 * dmtok's scheme files in a real kernel, under KUnit: the same files the
 * userspace model runs, compiled unchanged against Linux 6.12 with the
 * kbuild glue (src/port), driven through their ops the way
 * tcp_recvmsg_dmabuf(), sock_devmem_dontneed() and tcp_release_user_frags()
 * drive sk_user_frags (net/ipv4/tcp.c, net/core/sock.c, 6.12).
 *
 * The fixture is the kernel's own receive side around a binding: a netdev
 * from alloc_netdev(), its RX queue given a memory provider as
 * net_devmem_bind_dmabuf_to_queue() gives it (rxq->mp_params) -- the
 * kernel's dmabuf provider itself, mp_dmabuf_devmem_*() of
 * net/core/devmem.c, over the fixture's binding: a real gen_pool chunk
 * with its chunk owner and niovs, no dma-buf attachment (no device can
 * bind one under UML; the glue declares the binding and the chunk owner
 * with 6.12's layout, src/port/devmem.h, so the provider reads them as
 * its own) -- and a real page_pool_create() pool with
 * PP_FLAG_ALLOW_UNREADABLE_NETMEM that takes its pages from it. The
 * driver posts every page (page_pool_alloc_netmems()), each holding the
 * one reference its buffer and then its skb frag holds; the user's
 * references are taken with page_pool_ref_netmem() and dropped by the
 * schemes through the real napi_pp_put_page() -> page_pool_unref_netmem();
 * atomics, spinlocks and lib/xarray.c are the kernel's. At the end the
 * skbs go (napi_pp_put_page() of each base reference recycles the page
 * into the pool's ring), the queue is unbound and the pool destroyed: its
 * release hands every page back to the binding's gen_pool through the
 * provider's release_netmem, which WARNs unless the page is at exactly
 * one reference, and the test checks that every page came home.
 *
 * The cases are tests/scheme_cases.h, the same source tests/test_scheme_cases.c
 * runs on dmtok's model in userspace; this file is the kernel world's
 * fixture around them.
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
#include <linux/etherdevice.h>
#include <linux/genalloc.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff_ref.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/netdev_rx_queue.h>
#include <net/page_pool/helpers.h>
#include <net/page_pool/memory_provider.h>
#include <net/page_pool/types.h>

#include "../core/mp_dmabuf_devmem.h"

#include <dmtok/scheme.h>

#include "devmem.h"

#include "dmtok_kunit_schemes.h"

#define SC_TEST			struct kunit *
#define SC_FIXTURE(t)		((struct sc_fixture *)(t)->priv)	/* first in struct fixture */
#define SC_EXPECT(t, c)		KUNIT_EXPECT_TRUE(t, c)
#define SC_ASSERT(t, c)		KUNIT_ASSERT_TRUE(t, c)
#define SC_SKIP(t, why)		kunit_skip(t, why)
#include "scheme_cases.h"

struct fixture {
	struct sc_fixture sc;	/* first: SC_FIXTURE() casts */
	struct dmtok_port_binding *pb;
	struct dmabuf_genpool_chunk_owner owner;
	struct dma_buf dmabuf;
	struct net_iov *niovs;
	struct net_device *dev;
	struct page_pool *pool;
	unsigned int posted;	/* pages the driver took from the pool */
};

/*
 * The kernel's dmabuf memory provider (net/core/devmem.c, 6.12.118: its
 * dmabuf_devmem_ops, which is static there), in rodata as page_pool_init()
 * requires.
 */
static const struct memory_provider_ops dmtok_kunit_mp_ops = {
	.init		= mp_dmabuf_devmem_init,
	.destroy	= mp_dmabuf_devmem_destroy,
	.alloc_netmems	= mp_dmabuf_devmem_alloc_netmems,
	.release_netmem	= mp_dmabuf_devmem_release_page,
};

/* the chunk's DMA address: gen_pool_alloc() returns 0 for "none" */
#define FIXTURE_DMA_BASE	(1UL << 20)
#define FIXTURE_BYTES		((size_t)SC_NPAGES << PAGE_SHIFT)

/* dmtok_kunit_schemes[] holds, for each scheme, where its ops pointer is */
typedef const struct dmtok_scheme_ops *const *scheme_ref;

static const struct dmtok_scheme_ops *scheme_param(struct kunit *test)
{
	return **(const scheme_ref *)test->param_value;
}

/*
 * The binding, as net_devmem_bind_dmabuf() builds it (6.12): one gen_pool
 * chunk for the whole dmabuf, its owner, a niov per page pointing at it.
 * The series' fields (vec[], urefs, users, autorelease) in the glue's
 * wrapper.
 */
static int fixture_binding(struct fixture *f)
{
	struct net_devmem_dmabuf_binding *b;
	unsigned int i;

	f->pb = kzalloc(sizeof(*f->pb), GFP_KERNEL);
	f->niovs = kcalloc(SC_NPAGES, sizeof(*f->niovs), GFP_KERNEL);
	if (!f->pb || !f->niovs)
		return -ENOMEM;
	f->pb->vec = kcalloc(SC_NPAGES, sizeof(*f->pb->vec), GFP_KERNEL);
	f->pb->urefs = kcalloc(SC_NPAGES, sizeof(*f->pb->urefs), GFP_KERNEL);
	if (!f->pb->vec || !f->pb->urefs)
		return -ENOMEM;
	b = &f->pb->b;
	b->chunk_pool = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!b->chunk_pool)
		return -ENOMEM;
	f->dmabuf.size = FIXTURE_BYTES;
	b->dmabuf = &f->dmabuf;
	b->dev = f->dev;
	b->id = 1;
	refcount_set(&b->ref, 1);		/* the netlink socket's: held by the test */
	atomic_set(&f->pb->users, 1);		/* the bound queue (v10) */
	f->pb->autorelease = !(f->sc.ops->bind_flags & DMTOK_BIND_NO_AUTORELEASE);
	f->owner.base_virtual = 0;
	f->owner.base_dma_addr = FIXTURE_DMA_BASE;
	f->owner.niovs = f->niovs;
	f->owner.num_niovs = SC_NPAGES;
	f->owner.binding = b;
	for (i = 0; i < SC_NPAGES; i++)
		f->niovs[i].owner = &f->owner;
	return gen_pool_add_owner(b->chunk_pool, FIXTURE_DMA_BASE, FIXTURE_DMA_BASE,
				  FIXTURE_BYTES, NUMA_NO_NODE, &f->owner);
}

static int fixture_init(struct kunit *test)
{
	struct page_pool_params pp = {
		.flags = PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV | PP_FLAG_ALLOW_UNREADABLE_NETMEM,
		.order = 0, .pool_size = SC_NPAGES, .nid = NUMA_NO_NODE,
		.dma_dir = DMA_FROM_DEVICE, .max_len = PAGE_SIZE, .queue_idx = 0,
	};
	struct fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct netdev_rx_queue *rxq;
	int err;

	if (!f)
		return -ENOMEM;
	test->priv = f;
	f->sc.ops = scheme_param(test);
	f->dev = alloc_netdev(0, "dmtok%d", NET_NAME_UNKNOWN, ether_setup);
	if (!f->dev)
		return -ENOMEM;
	err = fixture_binding(f);
	if (err)
		return err;
	/* net_devmem_bind_dmabuf_to_queue(): the queue's memory provider */
	rxq = __netif_get_rx_queue(f->dev, 0);
	rxq->mp_params.mp_priv = &f->pb->b;
	rxq->mp_params.mp_ops = &dmtok_kunit_mp_ops;
	/* the driver's pool for the queue, made under rtnl as a queue restart makes it */
	pp.netdev = f->dev;
	rtnl_lock();
	f->pool = page_pool_create(&pp);
	rtnl_unlock();
	if (IS_ERR(f->pool))
		return PTR_ERR(f->pool);
	/* the driver posts every page: from the binding, through the pool */
	for (; f->posted < SC_NPAGES; f->posted++) {
		netmem_ref netmem;
		struct net_iov *niov;

		local_bh_disable();	/* NAPI context: the pool's lockless cache */
		netmem = page_pool_alloc_netmems(f->pool, GFP_ATOMIC);
		local_bh_enable();
		KUNIT_ASSERT_TRUE(test, netmem && netmem_is_net_iov(netmem));
		niov = netmem_to_net_iov(netmem);
		KUNIT_ASSERT_EQ(test, atomic_long_read(&niov->pp_ref_count), 1);
		f->pb->vec[net_iov_idx(niov)] = niov;
		f->sc.niovs[f->posted] = niov;
	}
	KUNIT_ASSERT_EQ(test, gen_pool_avail(f->pb->b.chunk_pool), 0);
	KUNIT_ASSERT_EQ(test, sc_init(&f->sc), 0);
	return 0;
}

/*
 * The skbs go, the queue is unbound (net_devmem_unbind_dmabuf()) and the
 * driver destroys its pool: page_pool_destroy() -> page_pool_release()
 * scrubs the ring and returns each page through the provider's
 * release_netmem to the binding's gen_pool. True if every page came home.
 */
static bool fixture_unbind(struct kunit *test, struct fixture *f)
{
	struct netdev_rx_queue *rxq = __netif_get_rx_queue(f->dev, 0);
	unsigned int i;

	for (i = 0; i < f->posted; i++)
		KUNIT_EXPECT_TRUE(test, napi_pp_put_page(net_iov_to_netmem(f->sc.niovs[i])));
	rxq->mp_params.mp_priv = NULL;
	rxq->mp_params.mp_ops = NULL;
	page_pool_destroy(f->pool);
	f->pool = NULL;
	KUNIT_EXPECT_EQ_MSG(test, gen_pool_avail(f->pb->b.chunk_pool), FIXTURE_BYTES,
			    "the pool's release did not give every page back to the binding");
	/* the pool's reference (mp_dmabuf_devmem_init()) went with it */
	KUNIT_EXPECT_EQ(test, refcount_read(&f->pb->b.ref), 1);
	return gen_pool_avail(f->pb->b.chunk_pool) == FIXTURE_BYTES;
}

static void fixture_exit(struct kunit *test)
{
	struct fixture *f = test->priv;
	long c;
	int i;

	if (!f)
		return;
	if (f->sc.priv)
		sc_release_all(&f->sc);
	if (f->pb)	/* the binding's last user goes: the series' reclaim of parked urefs */
		net_devmem_dmabuf_binding_user_put(&f->pb->b);
	if (f->posted == SC_NPAGES) {	/* the fixture was made */
		i = sc_first_not_home(&f->sc, &c);
		KUNIT_EXPECT_LT_MSG(test, i, 0,
				    "niov %d: pp_ref_count %ld, not 1: a reference was leaked or dropped twice",
				    i, c);
		if (i >= 0 || !fixture_unbind(test, f)) {
			/* pages still out: pool, binding and device stay, on purpose */
			kunit_info(test, "fixture left allocated: pages did not come home");
			return;
		}
	} else if (f->posted) {
		return;	/* a failed init with pages out: left allocated as well */
	}
	if (!IS_ERR_OR_NULL(f->pool))
		page_pool_destroy(f->pool);
	if (f->pb) {
		if (f->pb->b.chunk_pool)
			gen_pool_destroy(f->pb->b.chunk_pool);
		kfree(f->pb->vec);
		kfree(f->pb->urefs);
	}
	kfree(f->pb);
	kfree(f->niovs);
	if (f->dev)
		free_netdev(f->dev);
}

static void scheme_desc(const scheme_ref *ref, char *desc)
{
	strscpy(desc, (**ref)->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(scheme, dmtok_kunit_schemes, scheme_desc);

static struct kunit_case dmtok_scheme_cases[] = {
	KUNIT_CASE_PARAM(sc_case_roundtrip, scheme_gen_params),
	KUNIT_CASE_PARAM(sc_case_bad_returns, scheme_gen_params),
	KUNIT_CASE_PARAM(sc_case_shared_niov, scheme_gen_params),
	KUNIT_CASE_PARAM(sc_case_close_outstanding, scheme_gen_params),
	KUNIT_CASE_PARAM(sc_case_frag_cap, scheme_gen_params),
	KUNIT_CASE_PARAM(sc_case_all_or_nothing, scheme_gen_params),
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
