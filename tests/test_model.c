// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Foundation tests: the kernel-compat layer (atomics, allocator, WARN
 * counter), dmabufs, netdevs, bindings (ids, vec[], free pool, refcount,
 * unbind with niovs out), page pools, and allocation failure injected at
 * every allocation point of create/bind/rx/unbind. White-box where it
 * must be: it includes the model's private header to reach page pools.
 */
#include <limits.h>
#include <pthread.h>

#include "harness.h"

#include "model/model.h"

#define MB (1ull << 20)
#define GB (1ull << 30)

static void test_atomics(void **state)
{
	atomic_t a = ATOMIC_INIT(1);
	atomic_long_t l = ATOMIC_INIT(0);
	(void)state;

	assert_int_equal(atomic_dec_if_positive(&a), 0);
	assert_int_equal(atomic_dec_if_positive(&a), -1);	/* refused */
	assert_int_equal(atomic_read(&a), 0);
	assert_int_equal(atomic_inc_return(&a), 1);
	assert_int_equal(atomic_cmpxchg(&a, 1, 5), 1);
	assert_int_equal(atomic_cmpxchg(&a, 1, 7), 5);
	assert_true(atomic_dec_and_test(&(atomic_t)ATOMIC_INIT(1)));
	assert_false(atomic_inc_not_zero(&(atomic_t)ATOMIC_INIT(0)));
	/* the widest value a long holds here: 2^40 on LP64, 2^30 on ILP32 */
	atomic_long_add((long)(sizeof(long) >= 8 ? 1ULL << 40 : 1ULL << 30), &l);
	assert_true(atomic_long_read(&l) == (long)(sizeof(long) >= 8 ? 1ULL << 40 : 1ULL << 30));
	assert_int_equal(atomic_xchg(&a, 9), 5);
	/* min/max evaluate each argument once, like the kernel's (a
	 * double-evaluating max() once released tokens twice) */
	{
		int i = 0, j = 5;

		assert_int_equal(max(i++, -1), 0);
		assert_int_equal(i, 1);
		assert_int_equal(min(j--, 10), 5);
		assert_int_equal(j, 4);
	}
}

static void test_allocator_and_warn(void **state)
{
	struct dmtok_test_allocator ta;
	void *p, *q;
	(void)state;

	dmtok_test_allocator_install(&ta);
	p = kzalloc(10, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(dmtok_test_allocator_live(&ta), 1);
	dmtok_test_allocator_fail_nth(&ta, 2);
	q = kzalloc(10, GFP_KERNEL);
	assert_non_null(q);
	assert_null(kzalloc(10, GFP_KERNEL));	/* the 2nd from arming */
	assert_int_equal(dmtok_test_allocator_failed(&ta), 1);
	assert_null(kvcalloc(SIZE_MAX / 2, 4, GFP_KERNEL));	/* overflow */
	kfree(p);
	kfree(q);
	assert_int_equal(dmtok_test_allocator_live(&ta), 0);
	dmtok_set_allocator(NULL);

	dmtok_warn_reset();
	assert_false(WARN_ON(0));
	assert_true(WARN_ON_ONCE(1 + 1 == 2));
	assert_true(WARN_ON_ONCE(1));
	assert_int_equal(dmtok_warn_count(), 2);	/* every hit counts */
	dmtok_warn_reset();
	assert_int_equal(dmtok_warn_count(), 0);
}

/* Reliability defect: arming with huge counts overflowed a signed add. */
static void test_allocator_arming_limits(void **state)
{
	struct dmtok_test_allocator ta;
	void *p;
	(void)state;

	dmtok_test_allocator_install(&ta);
	dmtok_test_allocator_fail_nth(&ta, LONG_MAX);	/* never reached: disarmed */
	p = kzalloc(8, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);
	dmtok_test_allocator_fail_from(&ta, LONG_MAX);
	p = kzalloc(8, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);
	assert_int_equal(dmtok_test_allocator_failed(&ta), 0);
	/* kvmalloc()'s limit: more than INT_MAX bytes is refused up front */
	assert_null(kvmalloc((size_t)INT_MAX + 1, GFP_KERNEL));
	assert_int_equal(dmtok_test_allocator_live(&ta), 0);
	dmtok_test_allocator_install(NULL);	/* back to the default, no crash */
	p = kzalloc(8, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);
}

/*
 * Reliability defect: a bind of the largest dmabuf the API accepts
 * (2^31 pages) asked for every array before checking any. Now the first
 * refusal stops it: -ENOMEM, nothing left allocated.
 */
static void test_bind_too_large(void **state)
{
	struct env *e = env_new();
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	unsigned int q = 0;
	long calls;
	int d;
	(void)state;

	e->ifindex = dmtok_netdev_create(e->net, &o);
	d = dmtok_dmabuf_create(e->net, (uint64_t)DMTOK_MAX_NPAGES * 4096, 4096, 0);
	assert_true(d >= 0);
	calls = dmtok_test_allocator_calls(&e->ta);
	assert_int_equal(dmtok_bind_rx(e->net, e->ifindex, d, &q, 1, 0), -ENOMEM);
	/* the binding struct, then the niov array refused before the allocator */
	assert_true(dmtok_test_allocator_calls(&e->ta) - calls <= 2);
	/*
	 * with the kernel's WARN (__kvmalloc_node_noprof(), 6.12: no
	 * __GFP_NOWARN) -- on a 64-bit kernel; on a 32-bit one the size
	 * overflows first and kvmalloc_array() returns NULL without a WARN
	 */
	assert_int_equal(dmtok_warn_count(), sizeof(size_t) > 4);
	dmtok_warn_reset();
	assert_int_equal(dmtok_close(e->net, d), 0);
	env_free(e);
}

/* Reliability defect: a flow followed its socket's fd number. */
static void test_flow_follows_socket(void **state)
{
	struct env *e = env_setup("slots", 1 << 20, NULL, 0);
	int a = e->sock, b, c;
	(void)state;

	assert_int_equal(dmtok_close(e->net, a), 0);
	b = dmtok_socket(e->net, SOCK_DGRAM, "slots");
	assert_int_equal(b, a);		/* the number is reused */
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), -ENOTCONN);
	assert_int_equal(dmtok_close(e->net, b), 0);
	c = dmtok_socket(e->net, SOCK_STREAM, "slots");
	assert_int_equal(c, a);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), -ENOTCONN);
	/* a new flow for the new socket delivers */
	e->flow = dmtok_flow_create(e->net, e->ifindex, 0, c);
	assert_true(e->flow >= 0);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), 4096);
	e->sock = c;
	check_ok(e);
	env_free(e);
}

/*
 * Reliability defect: the receive queue was unbounded (mss 1, one call of
 * 1 GiB queued skbs until memory ran out). The socket's receive buffer now
 * stops it, charged by truesize as in the kernel.
 */
static void test_rcvbuf_bounds_queue(void **state)
{
	struct dmtok_netdev_opts o = { .nqueues = 2, .mss = 1 };
	struct env *e = env_setup("slots", 1 << 20, &o, 0);
	int dev2 = dmtok_netdev_create(e->net, &o);	/* no binding: host memory */
	struct dmtok_sock_stats st;
	ssize_t n;
	(void)state;

	assert_int_equal(dmtok_flow_steer(e->net, e->flow, dev2, 0), 0);
	n = dmtok_nic_rx(e->net, e->flow, 1 << 30);
	assert_true(n > 0 && n < (6 << 20) / 576 + 1);	/* ~10.9K one-byte skbs */
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 1), -ENOBUFS);	/* full */
	assert_int_equal(dmtok_sock_stats(e->net, e->sock, &st), 0);
	env_free(e);
}

/* Reliability defect: NULL arguments crashed dmtok_net_counts(). */
static void test_counts_args(void **state)
{
	struct dmtok_net_counts c;
	struct env *e = env_new();
	(void)state;

	assert_int_equal(dmtok_net_counts(NULL, &c), -EINVAL);
	assert_int_equal(dmtok_net_counts(e->net, NULL), -EINVAL);
	assert_int_equal(dmtok_net_counts(e->net, &c), 0);
	assert_int_equal(dmtok_sock_stats(NULL, 0, NULL), -EINVAL);
	assert_int_equal(dmtok_sock_stats_counter(NULL, "x"), -1);
	env_free(e);
}

/*
 * Lock-free socket lookup against close: a thread looks sockets up by fd
 * (stats, dontneed) while the main thread closes and reopens them. Under
 * ASan a socket freed while a lookup still held its pointer is a
 * use-after-free; every call must see a live socket or EBADF.
 */
struct lookup_arg {
	struct dmtok_net *net;
	int stop, bad;
	long calls;
};

static void *lookup_thread(void *p)
{
	struct lookup_arg *a = p;
	struct dmabuf_token t = { 1, 1 };

	while (!__atomic_load_n(&a->stop, __ATOMIC_ACQUIRE)) {
		for (int fd = 0; fd < 8; fd++) {
			struct dmtok_sock_stats st;
			int r = dmtok_sock_stats(a->net, fd, &st);

			if (r && r != -EBADF)
				a->bad++;
			r = dmtok_setsockopt(a->net, fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, &t, sizeof(t));
			if (r < 0 && errno != EBADF && errno != EINVAL)
				a->bad++;
			__atomic_fetch_add(&a->calls, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void test_lookup_races_close(void **state)
{
	struct env *e = env_new();
	struct lookup_arg a = { .net = e->net };
	pthread_t th;
	(void)state;

	pthread_create(&th, NULL, lookup_thread, &a);
	/* at least 2000 close/reopen cycles, overlapping 2000 lookups */
	for (int i = 0; i < 2000 || __atomic_load_n(&a.calls, __ATOMIC_RELAXED) < 2000; i++) {
		int fd = dmtok_socket(e->net, SOCK_STREAM, i % 2 ? "slots" : "xarray");

		assert_true(fd >= 0);
		assert_int_equal(dmtok_close(e->net, fd), 0);
	}
	__atomic_store_n(&a.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	assert_int_equal(a.bad, 0);
	env_free(e);
}

static void test_dmabuf_args(void **state)
{
	struct env *e = env_new();
	const uint8_t *base;
	uint64_t size;
	int fd;
	(void)state;

	assert_int_equal(dmtok_dmabuf_create(NULL, 4096, 0, 0), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create(e->net, 0, 0, 0), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create(e->net, 4097, 0, 0), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create(e->net, 65536, 8192, 0), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create(e->net, 65536, 3000, 0), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create(e->net, 4096, 0, 0x80), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create(e->net, (1ull << 31) * 4096 + 4096, 0, 0),
			 -EINVAL);	/* more than DMTOK_MAX_NPAGES */
	assert_int_equal(dmtok_dmabuf_create(e->net, 16384 * 3, 16384, 0), 0);
	fd = dmtok_dmabuf_create(e->net, 65536 * 2, 65536, DMTOK_DMABUF_BACKED);
	assert_int_equal(fd, 1);	/* lowest free fd */
	assert_int_equal(dmtok_dmabuf_map(e->net, fd, &base, &size), 0);
	assert_int_equal(size, 131072);
	assert_int_equal(base[131071], 0);
	assert_int_equal(dmtok_dmabuf_map(e->net, 0, &base, NULL), -ENODATA);
	assert_int_equal(dmtok_dmabuf_map(e->net, 7, &base, NULL), -EBADF);
	assert_int_equal(dmtok_dmabuf_map(e->net, fd, NULL, NULL), -EINVAL);
	assert_int_equal(dmtok_close(e->net, 0), 0);
	assert_int_equal(dmtok_close(e->net, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(dmtok_dmabuf_create(e->net, 4096, 0, 0), 0);	/* fd reused */
	env_free(e);
}

static void test_netdev_args(void **state)
{
	struct env *e = env_new();
	struct dmtok_netdev_opts o = { 0 };
	(void)state;

	assert_int_equal(dmtok_netdev_create(e->net, NULL), -EINVAL);
	assert_int_equal(dmtok_netdev_create(NULL, &o), -EINVAL);
	assert_int_equal(dmtok_netdev_create(e->net, &o), -EINVAL);	/* 0 queues */
	o.nqueues = DMTOK_MAX_QUEUES + 1;
	assert_int_equal(dmtok_netdev_create(e->net, &o), -EINVAL);
	o.nqueues = 1;
	o.rx_buf_size = 100;
	assert_int_equal(dmtok_netdev_create(e->net, &o), -EINVAL);
	o.rx_buf_size = 0;
	o.mss = 100;
	o.linear_bytes = 101;
	assert_int_equal(dmtok_netdev_create(e->net, &o), -EINVAL);
	o.linear_bytes = 0;
	o.mss = 70000;
	assert_int_equal(dmtok_netdev_create(e->net, &o), -EINVAL);
	o.mss = 0;
	assert_int_equal(dmtok_netdev_create(e->net, &o), 1);
	assert_int_equal(dmtok_netdev_create(e->net, &o), 2);
	/* flows */
	assert_int_equal(dmtok_flow_create(e->net, 1, 0, 5), -EBADF);
	e->sock = dmtok_socket(e->net, SOCK_STREAM, NULL);
	assert_int_equal(dmtok_flow_create(e->net, 9, 0, e->sock), -ENODEV);
	assert_int_equal(dmtok_flow_create(e->net, 1, 1, e->sock), -EINVAL);
	assert_int_equal(dmtok_flow_create(e->net, 1, 0, e->sock), 0);
	assert_int_equal(dmtok_flow_steer(e->net, 0, 9, 0), -ENODEV);
	assert_int_equal(dmtok_flow_steer(e->net, 0, 2, 3), -EINVAL);
	assert_int_equal(dmtok_flow_steer(e->net, 5, 2, 0), -EINVAL);
	assert_int_equal(dmtok_nic_rx(e->net, 5, 10), -EINVAL);
	assert_int_equal(dmtok_nic_rx(e->net, 0, 0), 0);
	assert_int_equal(dmtok_nic_rx(e->net, 0, (1u << 30) + 1), -EINVAL);
	/* sockets */
	assert_int_equal(dmtok_socket(e->net, SOCK_STREAM, "nope"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(dmtok_socket(e->net, 99, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dmtok_socket(NULL, SOCK_STREAM, NULL), -1);
	env_free(e);
}

static void test_bind_args_and_ids(void **state)
{
	struct dmtok_netdev_opts o = { .nqueues = 4 };
	struct env *e = env_new();
	unsigned int q[3] = { 0, 1, 1 };
	int ifi, d, b1, b2, b3, sock;
	uint32_t id;
	(void)state;

	/* the 6.12 profile: its order, errnos and id use */
	assert_int_equal(dmtok_net_set_kernel(e->net, DMTOK_KERNEL_6_12), 0);
	ifi = dmtok_netdev_create(e->net, &o);
	d = dmtok_dmabuf_create(e->net, MB, 0, 0);
	assert_int_equal(dmtok_bind_rx(e->net, ifi, d, NULL, 1, 0), -EINVAL);
	assert_int_equal(dmtok_bind_rx(e->net, ifi, d, q, 0, 0), -EINVAL);
	assert_int_equal(dmtok_bind_rx(e->net, ifi, d, q, 1, 0x10), -EINVAL);
	assert_int_equal(dmtok_bind_rx(e->net, 77, d, q, 1, 0), -ENODEV);
	/* the kernel's order and errnos (netdev_nl_bind_rx_doit(), 6.12) */
	assert_int_equal(dmtok_bind_rx(e->net, ifi, 9, q, 1, 0), -EBADF);	/* dma_buf_get() */
	sock = dmtok_socket(e->net, SOCK_STREAM, "slots");
	assert_int_equal(dmtok_bind_rx(e->net, ifi, sock, q, 1, 0), -EINVAL);	/* not a dmabuf */
	assert_int_equal(dmtok_bind_rx(e->net, 77, 9, q, 1, 0), -ENODEV);	/* netdev first */
	assert_int_equal(dmtok_bind_rx(e->net, ifi, d, q, 3, 0), -EEXIST);	/* dup: bound by itself */
	q[2] = 4;
	assert_int_equal(dmtok_bind_rx(e->net, ifi, d, q, 3, 0), -ERANGE);
	b1 = dmtok_bind_rx(e->net, ifi, d, q, 2, 0);
	assert_int_equal(b1, 3);	/* the two failed queue binds used ids 1 and 2 */
	assert_int_equal(dmtok_bind_rx(e->net, ifi, d, &q[1], 1, 0), -EEXIST);	/* id 4 gone */
	q[2] = 2;
	b2 = dmtok_bind_rx(e->net, ifi, d, &q[2], 1, 0);
	assert_int_equal(b2, 5);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)b2), 0);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)b2), -ENOENT);	/* double unbind */
	assert_int_equal(dmtok_unbind(e->net, 0), -ENOENT);
	assert_int_equal(dmtok_unbind(NULL, 1), -EINVAL);
	b3 = dmtok_bind_rx(e->net, ifi, d, &q[2], 1, 0);
	assert_int_equal(b3, 6);	/* cyclic: 5 is not reused at once */
	/* the dmabuf fd can be closed while bound: the binding holds it */
	assert_int_equal(dmtok_close(e->net, d), 0);
	/* the cursor wraps past UINT32_MAX to 1, skipping ids in use */
	dmtok_net_set_binding_id_cursor(e->net, UINT32_MAX);
	d = dmtok_dmabuf_create(e->net, MB, 0, 0);
	q[0] = 3;
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, &q[0], 1, 0, &id), 0);
	assert_int_equal(id, UINT32_MAX);
	assert_int_equal(dmtok_unbind(e->net, UINT32_MAX), 0);
	/* ids are u32: above INT_MAX only dmtok_bind_rx_id() can carry them */
	dmtok_net_set_binding_id_cursor(e->net, 0x80000000u);
	assert_int_equal(dmtok_bind_rx(e->net, ifi, d, &q[0], 1, 0), -EOVERFLOW);
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, &q[0], 1, 0, &id), 0);
	assert_int_equal(id, 0x80000001u);	/* the refused bind used 0x80000000 */
	assert_int_equal(dmtok_unbind(e->net, id), 0);
	dmtok_net_set_binding_id_cursor(e->net, 0xfffffff4u);	/* would read as -ENOMEM */
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, &q[0], 1, 0, &id), 0);
	assert_int_equal(id, 0xfffffff4u);
	assert_int_equal(dmtok_unbind(e->net, id), 0);
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, &q[0], 1, 0, NULL), -EINVAL);
	dmtok_net_set_binding_id_cursor(e->net, 0);	/* where the cursor was after UINT32_MAX */
	assert_int_equal(dmtok_bind_rx(e->net, ifi, d, &q[0], 1, 0), 1);	/* 3 and 6 in use */
	check_ok(e);
	env_free(e);
}

/*
 * What the profiles change in a bind, each as its kernel does it:
 * 6.12 (netdev_nl_bind_rx_doit(), net_devmem_bind_dmabuf()): a queue out
 * of range is -ERANGE and uses up the id taken before it, a queue named
 * twice is -EEXIST, there is no autorelease attribute; 6.18/7.0:
 * netdev_nl_read_rxq_bitmap() refuses the queue with -EINVAL before the
 * dmabuf is even looked up (no id used), merges a queue named twice; v10:
 * 6.18 plus the autorelease mode. A profile is set before the first bind.
 */
static void test_kernel_profiles(void **state)
{
	static const enum dmtok_kernel ks[] = { DMTOK_KERNEL_6_12, DMTOK_KERNEL_6_18, DMTOK_KERNEL_V10 };
	struct dmtok_netdev_opts o = { .nqueues = 4 };
	enum dmtok_kernel k;
	(void)state;

	assert_int_equal(dmtok_kernel_parse("6.12", &k), 0);
	assert_int_equal(k, DMTOK_KERNEL_6_12);
	assert_int_equal(dmtok_kernel_parse("7.0", &k), 0);
	assert_int_equal(k, DMTOK_KERNEL_6_18);
	assert_int_equal(dmtok_kernel_parse("v10", &k), 0);
	assert_int_equal(k, DMTOK_KERNEL_V10);
	assert_int_equal(dmtok_kernel_parse("6.13", &k), -EINVAL);
	assert_int_equal(dmtok_kernel_parse(NULL, &k), -EINVAL);
	for (unsigned int i = 0; i < ARRAY_SIZE(ks); i++) {
		struct env *e = env_new();
		unsigned int bad[2] = { 0, 9 }, dup[2] = { 1, 1 };
		int ifi, d, b;

		assert_int_equal(dmtok_net_set_kernel(e->net, ks[i]), 0);
		assert_int_equal(dmtok_net_set_kernel(e->net, (enum dmtok_kernel)7), -EINVAL);
		ifi = dmtok_netdev_create(e->net, &o);
		d = dmtok_dmabuf_create(e->net, MB, 0, 0);
		/* a queue past the device's, with a dmabuf fd that is not open */
		assert_int_equal(dmtok_bind_rx(e->net, ifi, 77, bad, 2, 0),
				 ks[i] == DMTOK_KERNEL_6_12 ? -EBADF : -EINVAL);
		assert_int_equal(dmtok_bind_rx(e->net, ifi, d, bad, 2, 0),
				 ks[i] == DMTOK_KERNEL_6_12 ? -ERANGE : -EINVAL);
		/* 6.12 used id 1 up on the -ERANGE */
		b = dmtok_bind_rx(e->net, ifi, d, dup, 2, 0);
		if (ks[i] == DMTOK_KERNEL_6_12) {
			assert_int_equal(b, -EEXIST);		/* named twice: id 2 gone */
			assert_int_equal(dmtok_bind_rx(e->net, ifi, d, dup, 1, 0), 3);
		} else {
			assert_int_equal(b, 1);			/* merged; no id used before */
		}
		assert_int_equal(dmtok_bind_rx(e->net, ifi, d, &bad[0], 1, DMTOK_BIND_NO_AUTORELEASE),
				 ks[i] == DMTOK_KERNEL_V10 ? -EBUSY : -EINVAL);
		assert_int_equal(dmtok_net_set_kernel(e->net, DMTOK_KERNEL_V10), -EBUSY);
		check_ok(e);
		env_free(e);
	}
}

static void test_binding_vec_and_pool(void **state)
{
	struct env *e = env_setup("xarray", 64 * 4096, NULL, 0);
	struct net_devmem_dmabuf_binding *b;
	struct dmtok_page_pool *pool;
	struct net_iov *n[64], *extra;
	(void)state;

	b = dmtok_binding_find(e->net, (uint32_t)e->binding);
	assert_non_null(b);
	assert_int_equal(b->npages, 64);
	for (unsigned int i = 0; i < 64; i++) {
		assert_ptr_equal(b->vec[i], &b->niovs[i]);	/* built at bind */
		assert_int_equal(net_iov_virtual_addr(b->vec[i]), i * 4096ull);
	}
	pool = e->net->devs.tqh_first->rxq[0].pool;
	for (int i = 0; i < 64; i++) {
		n[i] = dmtok_pp_alloc(pool);
		assert_non_null(n[i]);
		assert_int_equal(atomic_long_read(&n[i]->pp_ref_count), 1);
		assert_int_equal(n[i]->index, i);	/* lowest index first */
	}
	assert_null(dmtok_pp_alloc(pool));	/* dry */
	/* 64 references nobody accounts for: the checker must say so */
	assert_int_equal(dmtok_check(e->net, e->msg, sizeof(e->msg)), -EUCLEAN);
	assert_non_null(strstr(e->msg, "pp_ref_count 1, references found 0"));
	for (int i = 0; i < 64; i++)
		assert_true(napi_pp_put_page(net_iov_to_netmem(n[i])));
	assert_int_equal(pool->ring_count, 64);	/* recycled into the ring */
	/*
	 * page_pool_unref_netmem() (6.12) never drops the last reference: a
	 * recycled niov sits at 1 in the ring (mp_dmabuf_devmem_release_page()
	 * WARNs unless it is 1 when it goes back to the binding).
	 */
	assert_int_equal(atomic_long_read(&n[0]->pp_ref_count), 1);
	check_ok(e);
	/* a put with no reference is a model bug: counted WARN, no crash */
	assert_false(napi_pp_put_page(net_iov_to_netmem(n[0])));
	assert_int_equal(dmtok_warn_count(), 1);
	assert_int_equal(atomic_long_read(&n[0]->pp_ref_count), 1);
	assert_int_equal(pool->ring_count, 64);	/* not recycled twice */
	dmtok_warn_reset();
	/* the ring is used before the binding's free list */
	extra = dmtok_pp_alloc(pool);
	assert_ptr_equal(extra, n[63]);
	assert_true(napi_pp_put_page(net_iov_to_netmem(extra)));
	env_free(e);
}

/*
 * dmtok_nic_hold_pages(): the NIC posts every page its queue's pool can
 * get, each with the one reference a buffer holds; the checker counts
 * them as the NIC's; a scheme's put of a user reference never recycles
 * one meanwhile; the release (or the unbind) gives them back.
 */
static void test_nic_hold_pages(void **state)
{
	struct dmtok_netdev_opts o2 = { .nqueues = 2 }, o1 = { .nqueues = 1 };
	struct env *e = env_setup("slots", 64 * 4096, &o2, 0);
	struct net_devmem_dmabuf_binding *b;
	int bare, held;
	(void)state;

	assert_int_equal(dmtok_nic_hold_pages(NULL, e->ifindex, 0), -EINVAL);
	assert_int_equal(dmtok_nic_hold_pages(e->net, 999, 0), -ENODEV);
	assert_int_equal(dmtok_nic_hold_pages(e->net, e->ifindex, 2), -EINVAL);
	assert_int_equal(dmtok_nic_release_pages(e->net, 999, 0), -ENODEV);
	bare = dmtok_netdev_create(e->net, &o1);	/* a queue with no binding */
	assert_true(bare > 0);
	assert_int_equal(dmtok_nic_hold_pages(e->net, bare, 0), -EINVAL);
	/* the allocation of the array can fail: nothing held then */
	dmtok_test_allocator_fail_nth(&e->ta, 1);
	assert_int_equal(dmtok_nic_hold_pages(e->net, e->ifindex, 0), -ENOMEM);
	check_ok(e);

	b = dmtok_binding_find(e->net, (uint32_t)e->binding);
	held = dmtok_nic_hold_pages(e->net, e->ifindex, 0);
	assert_int_equal(held, 64);	/* queue 0's pool took the binding dry */
	assert_int_equal(dmtok_nic_hold_pages(e->net, e->ifindex, 0), -EBUSY);
	assert_int_equal(dmtok_nic_hold_pages(e->net, e->ifindex, 1), 0);
	for (unsigned int i = 0; i < 64; i++)
		assert_int_equal(atomic_long_read(&b->vec[i]->pp_ref_count), 1);
	check_ok(e);	/* the NIC's references, accounted */
	/* a user's reference taken and put back leaves the page held */
	page_pool_ref_netmem(net_iov_to_netmem(b->vec[5]));
	assert_true(napi_pp_put_page(net_iov_to_netmem(b->vec[5])));
	assert_int_equal(atomic_long_read(&b->vec[5]->pp_ref_count), 1);
	assert_false(b->vec[5]->in_ring);
	assert_int_equal(dmtok_nic_release_pages(e->net, e->ifindex, 0), 64);
	assert_int_equal(dmtok_nic_release_pages(e->net, e->ifindex, 0), 0);
	check_ok(e);
	/* held again, then the unbind gives them back: nothing leaks */
	assert_int_equal(dmtok_nic_hold_pages(e->net, e->ifindex, 0), 64);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	assert_int_equal(dmtok_nic_hold_pages(e->net, e->ifindex, 0), -EINVAL);
	check_ok(e);
	assert_int_equal(dmtok_warn_count(), 0);
	env_free(e);
}

static void test_unbind_keeps_binding_alive(void **state)
{
	struct env *e = env_setup("xarray", 64 * 4096, NULL, 0);
	struct dmtok_net_counts c;
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 10 * 4096), 10 * 4096);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.bindings, 1);
	assert_int_equal(c.niovs_out, 10);
	check_ok(e);
	/* the NIC has no pool now: receive falls back to host memory */
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 100), 100);
	assert_int_equal(dmtok_close(e->net, e->sock), 0);	/* purges the queue */
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.bindings, 0);
	assert_int_equal(c.page_pools, 0);
	env_free(e);
}

/* Deferred release on, a netdev, a 1 MiB binding of queue 0, a socket of
 * @scheme holding 8 frags. */
static void deferred_setup(struct env *e, const struct dmtok_netdev_opts *o,
			   const char *scheme)
{
	unsigned int q = 0;

	assert_int_equal(dmtok_net_set_deferred_release(e->net, 1), 0);
	e->ifindex = dmtok_netdev_create(e->net, o);
	e->dmabuf = dmtok_dmabuf_create(e->net, 1 * MB, 0, DMTOK_DMABUF_BACKED);
	e->binding = dmtok_bind_rx(e->net, e->ifindex, e->dmabuf, &q, 1, 0);
	assert_true(e->binding > 0);
	e->bind_dmabuf[e->binding] = e->dmabuf;
	e->sock = dmtok_socket(e->net, SOCK_STREAM, scheme);
	e->flow = dmtok_flow_create(e->net, e->ifindex, 0, e->sock);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 8 * 4096), 8 * 4096);
	client_drain(e, e->sock, e->flow);
}

/*
 * page_pool_destroy() with niovs out (net/core/page_pool.c, 6.12): puts to
 * the dying pool recycle into its ring, and the pool -- with it the
 * unbound binding, and with that the series' autorelease mode -- lives
 * until the delayed release runs (page_pool_release_retry()). With
 * deferred release on, dmtok waits for dmtok_net_run_deferred(); by
 * default the retry runs at once.
 */
static void test_deferred_pool_release(void **state)
{
	struct env *e = env_new();
	struct dmtok_netdev_opts o = { .nqueues = 2 };
	struct dmtok_net_counts c;
	struct net_devmem_dmabuf_binding *b;
	unsigned int q = 0;
	(void)state;

	assert_int_equal(dmtok_net_set_deferred_release(NULL, 1), -EINVAL);
	assert_int_equal(dmtok_net_set_deferred_release(e->net, 2), -EINVAL);
	assert_int_equal(dmtok_net_run_deferred(NULL), -EINVAL);
	deferred_setup(e, &o, "xarray");
	b = dmtok_binding_lookup(e->net, (uint32_t)e->binding);
	dmtok_binding_put(b);		/* alive: the env still holds its frags */
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	assert_int_equal(client_return_all(e, e->sock), 8);
	check_ok(e);
	/* every niov is back, in the dying pool's ring, at 1 */
	for (unsigned int i = 0; i < 8; i++) {
		struct net_iov *niov = b->vec[e->cl.frags[i].offset / 4096];

		assert_true(niov->in_ring);
		assert_int_equal(atomic_long_read(&niov->pp_ref_count), 1);
	}
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.page_pools, 1);
	assert_int_equal(c.bindings, 1);
	/* the binding is alive, so the system-wide mode is still pinned */
	q = 1;
	assert_int_equal(dmtok_bind_rx(e->net, e->ifindex, e->dmabuf, &q, 1,
				       DMTOK_BIND_NO_AUTORELEASE), -EBUSY);
	/* the delayed work runs */
	assert_int_equal(dmtok_net_run_deferred(e->net), 1);
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.page_pools, 0);
	assert_int_equal(c.bindings, 0);
	assert_int_equal(c.niovs_out, 0);
	assert_int_equal(dmtok_net_run_deferred(e->net), 0);
	assert_true(dmtok_bind_rx(e->net, e->ifindex, e->dmabuf, &q, 1,
				  DMTOK_BIND_NO_AUTORELEASE) > 0);
	/* back to the default: a dying pool goes with its last niov */
	assert_int_equal(dmtok_net_set_deferred_release(e->net, 0), 0);
	env_free(e);
}

/*
 * Deferred release switched off while pools it held are dying: they are
 * released (the ring now, the rest as the niovs come home), so they keep
 * neither the binding nor the series' autorelease mode. Before the fix
 * they stayed until a dmtok_net_run_deferred() that nobody would call:
 * the bind below got -EBUSY.
 */
static void test_deferred_off_releases_held_pools(void **state)
{
	struct env *e = env_new();
	struct dmtok_netdev_opts o = { .nqueues = 2 };
	struct dmtok_net_counts c;
	unsigned int q = 0;
	(void)state;

	deferred_setup(e, &o, "slots");
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	assert_int_equal(client_return(e, e->sock, 0, 4), 4);	/* half into the ring */
	assert_int_equal(dmtok_net_set_deferred_release(e->net, 0), 0);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.page_pools, 1);	/* 4 niovs still out */
	assert_int_equal(client_return_all(e, e->sock), 4);
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.page_pools, 0);
	assert_int_equal(c.bindings, 0);
	assert_int_equal(c.niovs_out, 0);
	q = 1;
	assert_true(dmtok_bind_rx(e->net, e->ifindex, e->dmabuf, &q, 1,
				  DMTOK_BIND_NO_AUTORELEASE) > 0);
	env_free(e);
}

/*
 * The page pool's reuse order (net/core/page_pool.c, 6.12): a put recycles
 * into the tail of the ptr_ring (FIFO, page_pool_recycle_in_ring()); an
 * allocation pops the alloc cache, and an empty cache is refilled with up
 * to 64 niovs from the ring's head, the last of them handed out first
 * (page_pool_refill_alloc_cache(), __page_pool_get_cached()). So pages
 * returned 0..99 come back as 63..0, then 99..64 -- not the most recent
 * first, as a stack would give them.
 */
static void test_pool_reuse_order(void **state)
{
	struct env *e = env_setup("slots", 128 * 4096, NULL, 0);
	struct net_devmem_dmabuf_binding *b = dmtok_binding_lookup(e->net, (uint32_t)e->binding);
	struct dmtok_page_pool *pool;
	struct net_iov *n[100];
	(void)state;

	assert_int_equal(dmtok_binding_pp_create(e->net, b, 1024, &pool), 0);
	for (int i = 0; i < 100; i++) {
		n[i] = dmtok_pp_alloc(pool);
		assert_non_null(n[i]);
		assert_int_equal(n[i]->index, i);	/* a fresh gen_pool: lowest first */
	}
	for (int i = 0; i < 100; i++)
		assert_true(dmtok_pp_put_niov(n[i]));	/* last reference: into the ring */
	for (int i = 63; i >= 0; i--)
		assert_int_equal(dmtok_pp_alloc(pool)->index, i);
	for (int i = 99; i >= 64; i--)
		assert_int_equal(dmtok_pp_alloc(pool)->index, i);
	for (int i = 0; i < 100; i++)
		assert_true(dmtok_pp_put_niov(n[i]));
	pthread_mutex_lock(&e->net->lock);
	dmtok_pp_destroy(pool);
	pthread_mutex_unlock(&e->net->lock);
	/*
	 * What a full ring gives back goes to the binding's gen_pool, which
	 * hands out its lowest free page first (gen_pool_first_fit(),
	 * lib/genalloc.c), not the one freed last: with a one-slot ring, 7
	 * is recycled, 3 then 5 go home, and they come back as 7, 3, 5 (a
	 * stack would give 7, 5, 3).
	 */
	assert_int_equal(dmtok_binding_pp_create(e->net, b, 1, &pool), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal((n[i] = dmtok_pp_alloc(pool))->index, i);
	assert_true(dmtok_pp_put_niov(n[7]));	/* into the ring */
	assert_true(dmtok_pp_put_niov(n[3]));	/* ring full: to the binding */
	assert_true(dmtok_pp_put_niov(n[5]));
	assert_int_equal((n[7] = dmtok_pp_alloc(pool))->index, 7);
	assert_int_equal((n[3] = dmtok_pp_alloc(pool))->index, 3);
	assert_int_equal((n[5] = dmtok_pp_alloc(pool))->index, 5);
	assert_int_equal(dmtok_pp_alloc(pool)->index, 10);
	n[10] = b->vec[10];
	for (int i = 0; i <= 10; i++)
		assert_true(dmtok_pp_put_niov(n[i]));
	pthread_mutex_lock(&e->net->lock);
	dmtok_pp_destroy(pool);
	pthread_mutex_unlock(&e->net->lock);
	dmtok_binding_put(b);
	check_ok(e);
	env_free(e);
}

/*
 * Device unregistration under the series' manual release (v10): the
 * queue's user is one of the binding's users, dev_dmabuf_uninstall()
 * (net/core/devmem.c, unchanged by v10) takes the queue out of
 * bound_rxqs without dropping it, and net_devmem_unbind_dmabuf() drops a
 * user only for the queues still there. So after the socket closes, the
 * device goes and the binding is unbound, one user is left and the urefs
 * the user parked are never reclaimed: the binding, its pools and its
 * dmabuf stay for good. The checker names it; the proposed fix
 * (DMTOK_NETDEV_DESTROY_DROP_USERS: the uninstall drops the user) brings
 * everything home.
 */
static void v10_destroy_case(unsigned int flags)
{
	struct env *e = env_setup("niov-uref-v10", 1 * MB, NULL, DMTOK_BIND_NO_AUTORELEASE);
	struct dmtok_net_counts c;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 8 * 4096), 8 * 4096);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.nfrags, 8);
	assert_int_equal(dmtok_close(e->net, e->sock), 0);	/* tokens still held */
	e->sock = -1;
	assert_int_equal(dmtok_netdev_destroy(e->net, e->ifindex, 0x80), -EINVAL);
	assert_int_equal(dmtok_netdev_destroy(e->net, e->ifindex, flags), 0);
	assert_int_equal(dmtok_netdev_destroy(e->net, e->ifindex, flags), -ENODEV);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), -ENODEV);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	dmtok_net_counts(e->net, &c);
	if (flags & DMTOK_NETDEV_DESTROY_DROP_USERS) {
		check_ok(e);
		assert_int_equal(c.bindings, 0);
		assert_int_equal(c.niovs_out, 0);
	} else {
		struct net_devmem_dmabuf_binding *b = e->net->bindings;

		assert_int_equal(dmtok_check(e->net, e->msg, sizeof(e->msg)), -EUCLEAN);
		assert_non_null(strstr(e->msg, "parked urefs can never be reclaimed"));
		assert_int_equal(c.bindings, 1);
		assert_int_equal(c.niovs_out, 8);	/* pinned: nothing will drop them */
		/* what the fix would have done, by hand, so the test ends clean */
		dmtok_binding_get(b);
		net_devmem_dmabuf_binding_user_put(b);
		dmtok_binding_put(b);
		check_ok(e);
	}
	env_free(e);
}

/*
 * dmtok_check_held(): what a client holds, against the model. Held cmsgs
 * as recvmsg gave them pass; a token claimed for a frag it does not name,
 * or held twice under a unique-token scheme, is named; bad arguments are
 * errors, not findings.
 */
static void test_check_held(void **state)
{
	struct env *e = env_setup("slots", 64 * 4096, NULL, 0);
	struct dmabuf_cmsg held[4];
	char msg[256];
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 3 * 4096), 3 * 4096);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.nfrags, 3);
	for (int i = 0; i < 3; i++)
		held[i] = (struct dmabuf_cmsg){ .frag_offset = e->cl.frags[i].offset,
						.frag_size = e->cl.frags[i].size,
						.frag_token = e->cl.frags[i].token,
						.dmabuf_id = e->cl.frags[i].dmabuf_id };
	assert_int_equal(dmtok_check_held(e->net, e->sock, held, 3, msg, sizeof(msg)), 0);
	assert_int_equal(dmtok_check_held(e->net, e->sock, held, 0, msg, sizeof(msg)), 0);
	/* one token for two frags the user holds: aliased */
	held[3] = held[0];
	held[3].frag_offset = held[1].frag_offset;
	assert_int_equal(dmtok_check_held(e->net, e->sock, held, 4, msg, sizeof(msg)), -EUCLEAN);
	assert_non_null(strstr(msg, "aliased"));
	/* the same frag twice under one token: slots promises one frag a token */
	held[3] = held[0];
	assert_int_equal(dmtok_check_held(e->net, e->sock, held, 4, msg, sizeof(msg)), -EUCLEAN);
	assert_non_null(strstr(msg, "handed out twice"));
	/* a token the scheme does not record for that frag */
	held[3] = held[0];
	held[3].frag_token = held[0].frag_token + 100;
	assert_int_equal(dmtok_check_held(e->net, e->sock, &held[3], 1, msg, sizeof(msg)), -EUCLEAN);
	assert_non_null(strstr(msg, "records no reference"));
	/* a frag of no live binding */
	held[3] = held[0];
	held[3].dmabuf_id = 999;
	assert_int_equal(dmtok_check_held(e->net, e->sock, &held[3], 1, msg, sizeof(msg)), -EUCLEAN);
	assert_non_null(strstr(msg, "no live binding"));
	assert_int_equal(dmtok_check_held(NULL, e->sock, held, 1, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(dmtok_check_held(e->net, e->sock, NULL, 1, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(dmtok_check_held(e->net, 4000, held, 1, msg, sizeof(msg)), -EBADF);
	assert_int_equal(dmtok_check_held(e->net, e->dmabuf, held, 1, msg, sizeof(msg)), -ENOTSOCK);
	client_return_all(e, e->sock);
	check_ok(e);
	env_free(e);
}

static void test_v10_netdev_destroy_pins_urefs(void **state)
{
	(void)state;
	v10_destroy_case(0);
	v10_destroy_case(DMTOK_NETDEV_DESTROY_DROP_USERS);
}

static void test_pool_runs_dry(void **state)
{
	struct env *e = env_setup("xarray", 8 * 4096, NULL, 0);
	(void)state;

	/* 8 pages: the 9th packet finds no buffer */
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 12 * 4096), 8 * 4096);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), -ENOBUFS);
	check_ok(e);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.bad_payload, 0);
	assert_int_equal(client_return_all(e, e->sock), 8);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), 4096);	/* recycled */
	check_ok(e);
	env_free(e);
}

/* Fail each allocation of a whole lifecycle in turn. */
static void test_alloc_failure_lifecycle(void **state)
{
	struct dmtok_netdev_opts o = { .nqueues = 3, .rx_buf_size = 2048, .mss = 3000,
				       .linear_bytes = 10 };
	(void)state;

	for (long nth = 1;; nth++) {
		struct dmtok_test_allocator ta;
		struct dmtok_net *net = NULL;
		unsigned int q[2] = { 0, 2 };
		int ifi, d, b, s, f, r;
		long failed;

		dmtok_warn_reset();
		dmtok_test_allocator_install(&ta);
		dmtok_test_allocator_fail_nth(&ta, nth);
		r = dmtok_net_create(&net);
		if (r == 0) {
			ifi = dmtok_netdev_create(net, &o);
			d = dmtok_dmabuf_create(net, 32 * 4096, 0, DMTOK_DMABUF_BACKED);
			b = ifi > 0 && d >= 0 ? dmtok_bind_rx(net, ifi, d, q, 2, 0) : -1;
			s = dmtok_socket(net, SOCK_STREAM, "xarray");
			f = s >= 0 && ifi > 0 ? dmtok_flow_create(net, ifi, 0, s) : -1;
			assert_true(ifi > 0 || ifi == -ENOMEM);
			assert_true(d >= 0 || d == -ENOMEM);
			assert_true(b > 0 || b == -ENOMEM || b == -1);
			assert_true(s >= 0 || errno == ENOMEM);
			assert_true(f >= 0 || f == -ENOMEM || f == -1);
			if (f >= 0) {
				ssize_t n = dmtok_nic_rx(net, f, 20000);

				assert_true(n >= 0 || n == -ENOMEM || n == -ENOBUFS);
			}
			assert_int_equal(dmtok_check(net, NULL, 0), 0);
			if (b > 0)
				assert_true(dmtok_unbind(net, (uint32_t)b) == 0);
			assert_int_equal(dmtok_check(net, NULL, 0), 0);
			assert_int_equal(dmtok_net_destroy(net), 0);
		} else {
			assert_int_equal(r, -ENOMEM);
		}
		failed = dmtok_test_allocator_failed(&ta);
		assert_int_equal(dmtok_test_allocator_live(&ta), 0);
		assert_int_equal(dmtok_warn_count(), 0);
		dmtok_set_allocator(NULL);
		if (!failed)
			break;
		assert_true(nth < 500);
	}
}

/*
 * Where release_all runs: a scheme whose release_all sleeps, or takes a
 * lock its dontneed takes with softirqs on, is caught at close, in the
 * context the kernel closes in (__tcp_close() and tcp_v4_destroy_sock(),
 * net/ipv4/tcp.c and tcp_ipv4.c, 6.12).
 */
static const struct dmtok_scheme_ops *ctx_base;
static spinlock_t ctx_lock;
static int ctx_mode;		/* 0: release_all allocates, 1: takes ctx_lock */

static int ctx_dontneed(void *priv, const struct dmabuf_token *t, unsigned int n)
{
	if (ctx_mode == 1) {
		spin_lock(&ctx_lock);	/* process context, softirqs on */
		spin_unlock(&ctx_lock);
	}
	return ctx_base->dontneed(priv, t, n);
}

static void ctx_release_all(void *priv)
{
	if (ctx_mode == 0) {
		kfree(kmalloc(16, GFP_KERNEL));
	} else {
		spin_lock(&ctx_lock);
		spin_unlock(&ctx_lock);
	}
	ctx_base->release_all(priv);
}

/* The WARN report, to look for what fired. */
static void warn_text(char *buf, size_t len)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	assert_non_null(f);
	dmtok_warn_report(f);
	fclose(f);
	snprintf(buf, len, "%s", p ? p : "");
	free(p);
}

/* A socket of "ctx" on @e's flow that received one MiB; drained if @drain. */
static int ctx_socket(struct env *e, bool drain)
{
	int fd = dmtok_socket(e->net, SOCK_STREAM, "ctx");

	assert_true(fd >= 0);
	e->flow = dmtok_flow_create(e->net, e->ifindex, 0, fd);
	assert_true(e->flow >= 0);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 1 * MB), (ssize_t)(1 * MB));
	if (drain) {
		client_drain(e, fd, e->flow);
		assert_int_equal(client_return(e, fd, 0, 1), 1);	/* one dontneed */
	}
	return fd;
}

/* A "ctx" socket of @mode closed (drained or not): exactly one WARN, saying @what. */
static void ctx_close_warns(struct env *e, int mode, bool drain, const char *what)
{
	char w[1024];
	int fd;

	ctx_mode = mode;
	fd = ctx_socket(e, drain);
	assert_int_equal(dmtok_warn_count(), 0);
	assert_int_equal(dmtok_close(e->net, fd), 0);
	warn_text(w, sizeof(w));
	assert_int_equal(dmtok_warn_count(), 1);
	if (!strstr(w, what))
		fail_msg("expected a WARN saying '%s', got: %s", what, w);
	dmtok_warn_reset();
	e->cl.nfrags = 0;
}

/* A socket whose peer is silent receives 1 MiB, is drained and closed: an orphan. */
static void silent_close(struct env *e)
{
	int fd = dmtok_socket(e->net, SOCK_STREAM, "xarray-fix-commit");

	e->flow = dmtok_flow_create(e->net, e->ifindex, 0, fd);
	assert_int_equal(dmtok_sock_set_peer(e->net, fd, DMTOK_PEER_SILENT), 0);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 1 * MB), (ssize_t)(1 * MB));
	client_drain(e, fd, e->flow);
	assert_int_equal(dmtok_close(e->net, fd), 0);
	e->cl.nfrags = 0;	/* what the client held went with the fd */
}

static void test_close_contexts(void **state)
{
	struct dmtok_scheme_ops o;
	struct dmtok_net_counts c0, c;
	struct env *e;
	int fd, fd2;
	(void)state;

	ctx_base = dmtok_scheme_find("xarray-fix-commit");
	assert_non_null(ctx_base);
	o = *ctx_base;
	o.name = "ctx";
	o.dontneed = ctx_dontneed;
	o.release_all = ctx_release_all;
	assert_int_equal(dmtok_scheme_register(&o), 0);
	spin_lock_init(&ctx_lock);
	e = env_setup("xarray-fix-commit", 8 * MB, NULL, 0);
	assert_int_equal(dmtok_close(e->net, e->sock), 0);

	/* a peer that acks: destroyed in the softirq of the ACK */
	ctx_close_warns(e, 0, true,
			"GFP_KERNEL allocation in atomic context (1 spinlock(s) held, BH enabled, in softirq)");
	/* data left unread: reset and destroyed inside close, BH disabled */
	ctx_close_warns(e, 0, false, "(1 spinlock(s) held, BH disabled)");
	/* lockdep: taken with softirqs on by dontneed, in softirq by release_all */
	ctx_close_warns(e, 1, true, "inconsistent lock state");

	/*
	 * A silent peer: the socket outlives close() with its tokens (the
	 * user cannot return them: the fd is gone) until its timers fire.
	 */
	assert_int_equal(dmtok_net_counts(e->net, &c0), 0);
	silent_close(e);
	assert_int_equal(dmtok_net_counts(e->net, &c), 0);
	assert_int_equal(c.sockets, c0.sockets + 1);
	assert_int_equal(c.niovs_out, c0.niovs_out + 256);
	check_ok(e);			/* its references still count */
	assert_int_equal(dmtok_net_expire_orphans(e->net), 1);
	assert_int_equal(dmtok_net_expire_orphans(e->net), 0);
	assert_int_equal(dmtok_net_counts(e->net, &c), 0);
	assert_int_equal(c.sockets, c0.sockets);
	assert_int_equal(c.niovs_out, c0.niovs_out);
	check_ok(e);
	/* an orphan left at teardown is destroyed there (no leak) */
	silent_close(e);

	/* the setter's errors */
	fd2 = dmtok_socket(e->net, SOCK_DGRAM, "xarray-fix-commit");
	errno = 0;
	assert_int_equal(dmtok_sock_set_peer(e->net, fd2, DMTOK_PEER_SILENT), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dmtok_sock_set_peer(e->net, 4000, DMTOK_PEER_ACKS), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(dmtok_sock_set_peer(e->net, e->dmabuf, DMTOK_PEER_ACKS), -1);
	assert_int_equal(errno, ENOTSOCK);
	assert_int_equal(dmtok_sock_set_peer(NULL, fd2, DMTOK_PEER_ACKS), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dmtok_net_expire_orphans(NULL), -EINVAL);
	fd = dmtok_socket(e->net, SOCK_STREAM, "xarray-fix-commit");
	assert_int_equal(dmtok_sock_set_peer(e->net, fd, 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dmtok_close(e->net, fd), 0);
	assert_int_equal(dmtok_close(e->net, fd2), 0);
	e->sock = -1;
	env_free(e);
	assert_int_equal(dmtok_scheme_unregister("ctx"), 0);
}

/* One recvmsg of up to @n bytes into @ctl (@clen bytes), MSG_SOCK_DEVMEM. */
static ssize_t inq_recv(struct env *e, int fd, void *ctl, size_t clen, size_t n,
			int flags, struct msghdr *msg)
{
	static char buf[1 << 16];
	static struct iovec iov;

	iov.iov_base = buf;
	iov.iov_len = n;
	memset(msg, 0, sizeof(*msg));
	msg->msg_iov = &iov;
	msg->msg_iovlen = 1;
	msg->msg_control = ctl;
	msg->msg_controllen = clen;
	msg->msg_flags = -1;
	return dmtok_recvmsg(e->net, fd, msg, MSG_SOCK_DEVMEM | flags);
}

/* The TCP_INQ cmsg of @msg: its value, or -1 if absent; *@len its cmsg_len. */
static int inq_of(struct msghdr *msg, size_t *len)
{
	struct cmsghdr *cm;
	int v = -1;

	*len = 0;
	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm))
		if (cm->cmsg_level == SOL_TCP && cm->cmsg_type == TCP_CM_INQ) {
			*len = cm->cmsg_len;
			if (cm->cmsg_len >= CMSG_LEN(sizeof(int)))
				memcpy(&v, CMSG_DATA(cm), sizeof(v));
		}
	return v;
}

/*
 * TCP_INQ (do_tcp_setsockopt(), tcp_recvmsg(), tcp_inq_hint(), 6.12):
 * the bytes left to read as a SOL_TCP cmsg after the devmem cmsgs, put
 * with put_cmsg() (net/core/scm.c), which -- unlike the devmem cmsgs'
 * put_cmsg_notrunc() -- cuts or leaves out a cmsg that does not fit and
 * says so with MSG_CTRUNC.
 */
static void test_tcp_inq(void **state)
{
	struct env *e = env_setup("xarray", 1 * MB, NULL, 0);
	const size_t dm = CMSG_SPACE(sizeof(struct dmabuf_cmsg));
	union { char b[4096]; struct cmsghdr align; } ctl;
	int one = 1, zero = 0, two = 2, d;
	struct msghdr msg;
	size_t len;
	(void)state;

	/* the setsockopt rules */
	errno = 0;
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_TCP, TCP_INQ, &one, 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_TCP, TCP_INQ, NULL, 4), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_TCP, TCP_INQ, &two, 4), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_TCP, 1 /* TCP_NODELAY */, &one, 4), -1);
	assert_int_equal(errno, ENOPROTOOPT);
	d = dmtok_socket(e->net, SOCK_DGRAM, "xarray");
	assert_int_equal(dmtok_setsockopt(e->net, d, SOL_TCP, TCP_INQ, &one, 4), -1);
	assert_int_equal(errno, ENOPROTOOPT);
	assert_int_equal(dmtok_close(e->net, d), 0);

	/* off: no INQ cmsg, no MSG_CTRUNC */
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4 * 4096), 4 * 4096);
	assert_int_equal(inq_recv(e, e->sock, ctl.b, sizeof(ctl), 4096, 0, &msg), 4096);
	assert_int_equal(inq_of(&msg, &len), -1);
	assert_int_equal(msg.msg_flags, 0);
	assert_int_equal(msg.msg_controllen, dm);
	e->cl.nfrags = 0;

	/* on: after the devmem cmsg, the bytes left (a peek reads none) */
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_TCP, TCP_INQ, &one, 4), 0);
	assert_int_equal(inq_recv(e, e->sock, ctl.b, sizeof(ctl), 4096, MSG_PEEK, &msg), 4096);
	assert_int_equal(inq_of(&msg, &len), 3 * 4096);
	assert_int_equal(inq_recv(e, e->sock, ctl.b, sizeof(ctl), 4096, 0, &msg), 4096);
	assert_int_equal(inq_of(&msg, &len), 2 * 4096);
	assert_int_equal(len, CMSG_LEN(sizeof(int)));
	assert_int_equal(msg.msg_flags, 0);
	assert_int_equal(msg.msg_controllen, dm + CMSG_SPACE(sizeof(int)));

	/* room for a header but not the int: cut at the room, MSG_CTRUNC */
	assert_int_equal(inq_recv(e, e->sock, ctl.b, dm + sizeof(struct cmsghdr) + 2, 4096, 0, &msg),
			 4096);
	assert_int_equal(inq_of(&msg, &len), -1);
	assert_int_equal(len, sizeof(struct cmsghdr) + 2);
	assert_int_equal(msg.msg_flags, MSG_CTRUNC);
	assert_int_equal(msg.msg_controllen, dm + sizeof(struct cmsghdr) + 2);

	/* no room for a header: left out, MSG_CTRUNC; the devmem cmsg whole */
	assert_int_equal(inq_recv(e, e->sock, ctl.b, dm, 4096, 0, &msg), 4096);
	assert_int_equal(inq_of(&msg, &len), -1);
	assert_int_equal(len, 0);
	assert_int_equal(msg.msg_flags, MSG_CTRUNC);
	assert_int_equal(msg.msg_controllen, dm);

	/* an error (nothing queued): no cmsg, msg_flags untouched */
	assert_int_equal(inq_recv(e, e->sock, ctl.b, sizeof(ctl), 4096, 0, &msg), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(msg.msg_flags, -1);

	/* off again */
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_TCP, TCP_INQ, &zero, 4), 0);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), 4096);
	assert_int_equal(inq_recv(e, e->sock, ctl.b, sizeof(ctl), 4096, 0, &msg), 4096);
	assert_int_equal(inq_of(&msg, &len), -1);
	assert_int_equal(msg.msg_flags, 0);
	env_free(e);
}

/*
 * 6.12 frees a binding at its last put, and that free sleeps
 * (__net_devmem_dmabuf_binding_free(): dma_buf_unmap_attachment_unlocked(),
 * dma_buf_detach()); 6.18 and 7.0 free it from a work item. niov-array
 * holds a binding reference per socket and drops it in release_all, which
 * close runs in softirq: after an unbind whose pools are gone, that put
 * is the last, and under 6.12 it sleeps in atomic context.
 */
static void test_binding_free_context(void **state)
{
	static const enum dmtok_kernel ks[] = { DMTOK_KERNEL_6_12, DMTOK_KERNEL_6_18 };
	(void)state;

	for (unsigned int k = 0; k < ARRAY_SIZE(ks); k++) {
		struct env *e = env_new();
		struct dmtok_netdev_opts o = { .nqueues = 1 };
		unsigned int q = 0;
		char w[1024];

		assert_int_equal(dmtok_net_set_kernel(e->net, ks[k]), 0);
		assert_int_equal(dmtok_net_set_deferred_release(e->net, 1), 0);
		e->ifindex = dmtok_netdev_create(e->net, &o);
		e->dmabuf = dmtok_dmabuf_create(e->net, 1 * MB, 4096, DMTOK_DMABUF_BACKED);
		e->binding = dmtok_bind_rx(e->net, e->ifindex, e->dmabuf, &q, 1, 0);
		assert_true(e->binding > 0);
		e->bind_dmabuf[e->binding] = e->dmabuf;
		e->sock = dmtok_socket(e->net, SOCK_STREAM, "niov-array");
		e->flow = dmtok_flow_create(e->net, e->ifindex, 0, e->sock);
		assert_int_equal(dmtok_nic_rx(e->net, e->flow, 8 * 4096), 8 * 4096);
		client_drain(e, e->sock, e->flow);
		assert_int_equal(client_return_all(e, e->sock), 8);
		assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
		assert_true(dmtok_net_run_deferred(e->net) >= 0);	/* any pool work */
		assert_int_equal(dmtok_warn_count(), 0);
		assert_int_equal(dmtok_close(e->net, e->sock), 0);	/* the last put */
		if (ks[k] == DMTOK_KERNEL_6_12) {
			warn_text(w, sizeof(w));
			assert_int_equal(dmtok_warn_count(), 1);
			assert_non_null(strstr(w, "__net_devmem_dmabuf_binding_free()"));
			if (!strstr(w, "in softirq"))
				fail_msg("%s", w);
			dmtok_warn_reset();
		}
		assert_int_equal(dmtok_warn_count(), 0);
		e->sock = -1;
		env_free(e);
	}
}

/*
 * A dmabuf of several DMA segments (net_devmem_bind_dmabuf(), 6.12: one
 * gen_pool chunk a segment; gen_pool_alloc() searches the newest chunk
 * first, first fit within it): 4 segments of 8 pages hand out 24..31,
 * then 16..23, 8..15, 0..7; a page that comes home to an older chunk
 * waits until the newer ones are empty.
 */
static void test_dmabuf_segments(void **state)
{
	struct env *e = env_new();
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	struct net_devmem_dmabuf_binding *b;
	struct dmtok_page_pool *pool;
	struct net_iov *n[32];
	unsigned int q = 0;
	int d, id;
	(void)state;

	e->ifindex = dmtok_netdev_create(e->net, &o);
	assert_int_equal(dmtok_dmabuf_create_sg(e->net, 32 * 4096, 4096, 0, 0), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create_sg(e->net, 32 * 4096, 4096, 0, 33), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create_sg(NULL, 32 * 4096, 4096, 0, 4), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create_sg(e->net, 8192 * 4096ull, 4096, 0,
						DMTOK_MAX_SEGS + 1), -EINVAL);
	d = dmtok_dmabuf_create_sg(e->net, 32 * 4096, 4096, 0, 4);
	assert_true(d >= 0);
	id = dmtok_bind_rx(e->net, e->ifindex, d, &q, 1, 0);
	assert_true(id > 0);
	b = dmtok_binding_lookup(e->net, (uint32_t)id);
	assert_int_equal(dmtok_binding_pp_create(e->net, b, 1, &pool), 0);
	for (int i = 0; i < 32; i++) {
		n[i] = dmtok_pp_alloc(pool);
		assert_non_null(n[i]);
		assert_int_equal(n[i]->index, (3 - i / 8) * 8 + i % 8);
	}
	assert_null(dmtok_pp_alloc(pool));
	assert_true(dmtok_pp_put_niov(n[31]));	/* page 7: into the ring */
	assert_true(dmtok_pp_put_niov(n[0]));	/* page 24, to the newest chunk */
	assert_true(dmtok_pp_put_niov(n[28]));	/* page 4, to the oldest */
	assert_int_equal((n[31] = dmtok_pp_alloc(pool))->index, 7);
	assert_int_equal((n[0] = dmtok_pp_alloc(pool))->index, 24);
	assert_int_equal((n[28] = dmtok_pp_alloc(pool))->index, 4);
	for (int i = 0; i < 32; i++)
		assert_true(dmtok_pp_put_niov(n[i]));
	pthread_mutex_lock(&e->net->lock);
	dmtok_pp_destroy(pool);
	pthread_mutex_unlock(&e->net->lock);
	dmtok_binding_put(b);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)id), 0);
	assert_int_equal(dmtok_close(e->net, d), 0);
	env_free(e);
}

/*
 * Faulting user memory (put_cmsg(): user_write_access_begin() or
 * unsafe_put_user() fails, -EFAULT, net/core/scm.c, 6.12): a control
 * buffer in a page no process maps stops tcp_recvmsg_dmabuf() at the
 * first cmsg, the frag stays queued and its token is never committed;
 * the next recvmsg with a good buffer gets it. The same for the iovec
 * array and setsockopt()'s optval.
 */
static void test_faulting_user_memory(void **state)
{
	struct env *e = env_setup("xarray-fix-commit", 1 * MB, NULL, 0);
	static void *const bad[] = { (void *)1, (void *)4000, (void *)(UINTPTR_MAX - 100) };
	union { char b[4096]; struct cmsghdr align; } ctl;
	struct dmabuf_token t = { 1, 1 };
	struct msghdr msg;
	int one = 1;
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 2 * 4096), 2 * 4096);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		assert_int_equal(inq_recv(e, e->sock, bad[i], 4096, 8192, 0, &msg), -1);
		assert_int_equal(errno, EFAULT);
		assert_int_equal(msg.msg_flags, -1);	/* nothing written back */
		check_ok(e);
	}
	/* nothing was handed out: the next good call gets both frags, tokens 1 and 2 */
	assert_int_equal(inq_recv(e, e->sock, ctl.b, sizeof(ctl), 8192, 0, &msg), 8192);
	assert_int_equal(msg.msg_controllen, 2 * CMSG_SPACE(sizeof(struct dmabuf_cmsg)));
	check_ok(e);
	/* the iovec array, optval */
	msg.msg_iov = (struct iovec *)8;
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					  (void *)8, sizeof(t)), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_TCP, TCP_INQ,
					  (void *)(UINTPTR_MAX - 2), sizeof(one)), -1);
	assert_int_equal(errno, EFAULT);
	t.token_count = 2;
	assert_int_equal(dmtok_setsockopt(e->net, e->sock, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					  &t, sizeof(t)), 2);
	check_ok(e);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomics),
		cmocka_unit_test(test_allocator_and_warn),
		cmocka_unit_test(test_allocator_arming_limits),
		cmocka_unit_test(test_bind_too_large),
		cmocka_unit_test(test_flow_follows_socket),
		cmocka_unit_test(test_rcvbuf_bounds_queue),
		cmocka_unit_test(test_counts_args),
		cmocka_unit_test(test_lookup_races_close),
		cmocka_unit_test(test_dmabuf_args),
		cmocka_unit_test(test_netdev_args),
		cmocka_unit_test(test_bind_args_and_ids),
		cmocka_unit_test(test_binding_vec_and_pool),
		cmocka_unit_test(test_nic_hold_pages),
		cmocka_unit_test(test_unbind_keeps_binding_alive),
		cmocka_unit_test(test_deferred_pool_release),
		cmocka_unit_test(test_deferred_off_releases_held_pools),
		cmocka_unit_test(test_pool_reuse_order),
		cmocka_unit_test(test_dmabuf_segments),
		cmocka_unit_test(test_kernel_profiles),
		cmocka_unit_test(test_v10_netdev_destroy_pins_urefs),
		cmocka_unit_test(test_check_held),
		cmocka_unit_test(test_pool_runs_dry),
		cmocka_unit_test(test_alloc_failure_lifecycle),
		cmocka_unit_test(test_close_contexts),
		cmocka_unit_test(test_tcp_inq),
		cmocka_unit_test(test_faulting_user_memory),
		cmocka_unit_test(test_binding_free_context),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
