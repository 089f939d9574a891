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
#include <linux/poison.h>
#include <linux/skbuff_ref.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/page_pool/helpers.h>
#include <net/page_pool/types.h>

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
	struct page_pool *pool;
};

/* dmtok_kunit_schemes[] holds, for each scheme, where its ops pointer is */
typedef const struct dmtok_scheme_ops *const *scheme_ref;

static const struct dmtok_scheme_ops *scheme_param(struct kunit *test)
{
	return **(const scheme_ref *)test->param_value;
}

static int fixture_init(struct kunit *test)
{
	struct page_pool_params pp = { .order = 0, .pool_size = SC_NPAGES, .nid = NUMA_NO_NODE };
	struct fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	if (!f)
		return -ENOMEM;
	f->sc.ops = scheme_param(test);
	f->pb = kzalloc(sizeof(*f->pb), GFP_KERNEL);
	f->niovs = kcalloc(SC_NPAGES, sizeof(*f->niovs), GFP_KERNEL);
	if (!f->pb || !f->niovs)
		return -ENOMEM;
	f->pb->vec = kcalloc(SC_NPAGES, sizeof(*f->pb->vec), GFP_KERNEL);
	f->pb->urefs = kcalloc(SC_NPAGES, sizeof(*f->pb->urefs), GFP_KERNEL);
	if (!f->pb->vec || !f->pb->urefs)
		return -ENOMEM;
	f->pool = page_pool_create(&pp);
	if (IS_ERR(f->pool))
		return PTR_ERR(f->pool);
	f->dmabuf.size = (size_t)SC_NPAGES << PAGE_SHIFT;
	f->pb->b.dmabuf = &f->dmabuf;
	f->pb->b.id = 1;
	refcount_set(&f->pb->b.ref, 1);		/* the net's table: held by the test */
	atomic_set(&f->pb->users, 1);		/* the bound queue (v10) */
	f->pb->autorelease = !(f->sc.ops->bind_flags & DMTOK_BIND_NO_AUTORELEASE);
	f->owner.niovs = f->niovs;
	f->owner.num_niovs = SC_NPAGES;
	f->owner.binding = &f->pb->b;
	for (i = 0; i < SC_NPAGES; i++) {
		struct net_iov *niov = &f->niovs[i];

		niov->owner = &f->owner;
		niov->pp_magic = PP_SIGNATURE;
		niov->pp = f->pool;
		atomic_long_set(&niov->pp_ref_count, 1);	/* the pool's base reference */
		f->pb->vec[i] = niov;
		f->sc.niovs[i] = niov;
	}
	KUNIT_ASSERT_EQ(test, sc_init(&f->sc), 0);
	test->priv = f;
	return 0;
}

static void fixture_exit(struct kunit *test)
{
	struct fixture *f = test->priv;

	if (!f)
		return;
	if (f->sc.priv)
		sc_release_all(&f->sc);
	/* the binding's last user goes: the series' reclaim of parked urefs */
	net_devmem_dmabuf_binding_user_put(&f->pb->b);
	if (f->sc.niovs[SC_NPAGES - 1]) {	/* the fixture was made */
		long c;
		int i = sc_first_not_home(&f->sc, &c);

		KUNIT_EXPECT_LT_MSG(test, i, 0,
				    "niov %d: pp_ref_count %ld, not 1: a reference was leaked or dropped twice",
				    i, c);
	}
	if (!IS_ERR_OR_NULL(f->pool))
		page_pool_destroy(f->pool);
	if (f->pb) {
		kfree(f->pb->vec);
		kfree(f->pb->urefs);
	}
	kfree(f->pb);
	kfree(f->niovs);
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
