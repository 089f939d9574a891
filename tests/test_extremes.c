// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Every accepted parameter is safe at the ends of its accepted range, or
 * refused: each registration knob of struct dmtok_scheme_ops walked over
 * its range (a scheme registered with it must then carry traffic and
 * come home clean), and each public call's numeric arguments at 0, 1,
 * the largest accepted value, one past it and the type's maximum. No
 * crash, no hang, no leak (the test allocator counts), no WARN; an
 * argument is either taken and works, or refused with an errno.
 */
#include <limits.h>

#include "harness.h"

#include "dmtok/kernel.h"
#include "dmtok/plan.h"

#define MB (1ull << 20)

/* A socket of @scheme receives and returns @frags frags, all checked. */
static void carry_traffic(const char *scheme, unsigned int frags)
{
	struct env *e = env_setup(scheme, 8 * MB, NULL, 0);

	for (unsigned int done = 0; done < frags; done += 256) {
		assert_int_equal(dmtok_nic_rx(e->net, e->flow, 256 * 4096), 256 * 4096);
		client_drain(e, e->sock, e->flow);
		check_ok(e);
		assert_int_equal(client_return_all(e, e->sock), 256);
	}
	check_ok(e);
	env_free(e);
}

/* model_xa_chunk_shift 0..6 accepted and working, 7 and 255 refused */
static void test_registration_knobs(void **state)
{
	static const char *const bases[] = { "xarray-fix-commit", "slots", "niov-array" };
	struct dmtok_scheme_ops opt = *dmtok_scheme_find("slots");
	(void)state;

	/* an optional op left out is skipped: slots (priv_size, no init) without stats */
	opt.name = "knob";
	opt.stats = NULL;
	assert_null(opt.init);
	assert_int_equal(dmtok_scheme_register(&opt), 0);
	carry_traffic("knob", 512);
	assert_int_equal(dmtok_scheme_unregister("knob"), 0);

	for (unsigned int b = 0; b < ARRAY_SIZE(bases); b++) {
		const struct dmtok_scheme_ops *base = dmtok_scheme_find(bases[b]);
		struct dmtok_scheme_ops o;

		assert_non_null(base);
		for (unsigned int shift = 0; shift <= 8; shift++) {
			o = *base;
			o.name = "knob";
			o.model_xa_chunk_shift = (u8)(shift == 8 ? 255 : shift);
			if (shift > 6) {
				assert_int_equal(dmtok_scheme_register(&o), -EINVAL);
				continue;
			}
			assert_int_equal(dmtok_scheme_register(&o), 0);
			/* shift 1: 2-slot nodes, 13 levels for 4096 tokens out */
			carry_traffic("knob", shift == 1 ? 4096 : 512);
			assert_int_equal(dmtok_scheme_unregister("knob"), 0);
		}
		o = *base;
		o.name = "knob";
		o.flags = ~0u;
		assert_int_equal(dmtok_scheme_register(&o), -EINVAL);
		o = *base;
		o.name = "knob";
		o.bind_flags = ~0u;
		assert_int_equal(dmtok_scheme_register(&o), -EINVAL);
		o = *base;
		o.name = "knob-with-a-name-longer-than-31-b";
		assert_int_equal(dmtok_scheme_register(&o), -EINVAL);
		o = *base;
		o.name = "knob";
		o.version = UINT_MAX;
		assert_int_equal(dmtok_scheme_register(&o), -EPROTO);
		/* dmtok_scheme_init() refuses what registration would */
		{
			void *priv;

			assert_int_equal(dmtok_scheme_init(&o, &priv), -EPROTO);
			o = *base;
			o.init = NULL;
			o.priv_size = 0;
			assert_int_equal(dmtok_scheme_init(&o, &priv), -EINVAL);
		}
	}
}

static void test_net_object_ranges(void **state)
{
	struct env *e = env_new();
	struct dmtok_netdev_opts o = { .nqueues = 0 };
	unsigned int q[DMTOK_MAX_QUEUES + 1];
	uint32_t id;
	int d, ifi;
	(void)state;

	/* netdevs: 1..DMTOK_MAX_QUEUES queues */
	assert_int_equal(dmtok_netdev_create(e->net, &o), -EINVAL);
	o.nqueues = DMTOK_MAX_QUEUES + 1;
	assert_int_equal(dmtok_netdev_create(e->net, &o), -EINVAL);
	o.nqueues = UINT_MAX;
	assert_int_equal(dmtok_netdev_create(e->net, &o), -EINVAL);
	o = (struct dmtok_netdev_opts){ .nqueues = DMTOK_MAX_QUEUES, .rx_buf_size = UINT_MAX };
	ifi = dmtok_netdev_create(e->net, &o);
	assert_true(ifi == -EINVAL || ifi > 0);
	o = (struct dmtok_netdev_opts){ .nqueues = DMTOK_MAX_QUEUES, .mss = UINT_MAX };
	ifi = dmtok_netdev_create(e->net, &o);
	assert_true(ifi == -EINVAL || ifi > 0);
	o = (struct dmtok_netdev_opts){ .nqueues = DMTOK_MAX_QUEUES, .pool_ring_size = UINT_MAX };
	ifi = dmtok_netdev_create(e->net, &o);
	assert_true(ifi == -EINVAL || ifi == -ENOMEM || ifi > 0);
	o = (struct dmtok_netdev_opts){ .nqueues = DMTOK_MAX_QUEUES };
	ifi = dmtok_netdev_create(e->net, &o);
	assert_true(ifi > 0);

	/* dmabufs: 1 page .. DMTOK_MAX_NPAGES pages, unbacked */
	assert_int_equal(dmtok_dmabuf_create(e->net, 0, 0, 0), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create(e->net, UINT64_MAX, 0, 0), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create(e->net, 4096, UINT32_MAX, 0), -EINVAL);
	assert_int_equal(dmtok_dmabuf_create(e->net, (uint64_t)(DMTOK_MAX_NPAGES + 1ull) * 4096, 0, 0),
			 -EINVAL);
	d = dmtok_dmabuf_create(e->net, (uint64_t)DMTOK_MAX_NPAGES * 65536, 65536, 0);
	assert_true(d >= 0);
	/*
	 * the largest dmabuf's niov arrays are past kvmalloc()'s INT_MAX:
	 * refused, with the kernel's WARN (__kvmalloc_node_noprof(), 6.12)
	 * on 64 bits; on 32 the size overflows first: NULL, no WARN
	 */
	q[0] = 0;
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, q, 1, 0, &id), -ENOMEM);
	assert_int_equal(dmtok_warn_count(), sizeof(size_t) > 4);
	dmtok_warn_reset();
	assert_int_equal(dmtok_close(e->net, d), 0);

	/* binds: 1..DMTOK_MAX_QUEUES queues, each < nqueues */
	d = dmtok_dmabuf_create(e->net, 1 * MB, 0, 0);
	for (unsigned int i = 0; i <= DMTOK_MAX_QUEUES; i++)
		q[i] = i;
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, q, 0, 0, &id), -EINVAL);
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, q, DMTOK_MAX_QUEUES + 1, 0, &id), -EINVAL);
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, q, UINT_MAX, 0, &id), -EINVAL);
	q[0] = UINT_MAX;	/* netdev_nl_read_rxq_bitmap() (6.18, v10): -EINVAL */
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, q, 1, 0, &id), -EINVAL);
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, q, 1, ~0u, &id), -EINVAL);
	assert_int_equal(dmtok_bind_rx_id(e->net, INT_MAX, d, q, 1, 0, &id), -ENODEV);
	assert_int_equal(dmtok_bind_rx_id(e->net, INT_MIN, d, q, 1, 0, &id), -ENODEV);
	q[0] = 0;
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, INT_MAX, q, 1, 0, &id), -EBADF);
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, -1, q, 1, 0, &id), -EBADF);
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, q, DMTOK_MAX_QUEUES, 0, &id), 0);
	assert_int_equal(dmtok_unbind(e->net, id), 0);
	/* binding ids: the cursor at both ends of u32 */
	assert_int_equal(dmtok_net_set_binding_id_cursor(NULL, 1), -EINVAL);
	assert_int_equal(dmtok_net_set_binding_id_cursor(e->net, UINT32_MAX), 0);
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, q, 1, 0, &id), 0);
	assert_true(id == UINT32_MAX);
	assert_int_equal(dmtok_unbind(e->net, id), 0);
	assert_int_equal(dmtok_net_set_binding_id_cursor(e->net, 0), 0);
	assert_int_equal(dmtok_bind_rx_id(e->net, ifi, d, q, 1, 0, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(dmtok_unbind(e->net, id), 0);
	assert_int_equal(dmtok_close(e->net, d), 0);

	/* flows and the NIC */
	e->sock = dmtok_socket(e->net, SOCK_STREAM, "slots");
	assert_int_equal(dmtok_flow_create(e->net, ifi, UINT_MAX, e->sock), -EINVAL);
	assert_int_equal(dmtok_flow_create(e->net, ifi, 0, INT_MAX), -EBADF);
	assert_int_equal(dmtok_nic_rx(e->net, INT_MAX, 4096), -EINVAL);	/* unknown flow */
	e->flow = dmtok_flow_create(e->net, ifi, 0, e->sock);
	assert_true(e->flow >= 0);
	assert_true(dmtok_nic_rx(e->net, e->flow, 0) <= 0);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, SIZE_MAX), -EINVAL);	/* above 1 GiB */
	assert_int_equal(dmtok_close(e->net, e->sock), 0);
	e->sock = -1;
	env_free(e);
}

/* the socket face at the ends of its numbers */
static void test_socket_ranges(void **state)
{
	struct env *e = env_setup("slots", 1 * MB, NULL, 0);
	struct dmabuf_token t = { UINT32_MAX, UINT32_MAX };
	char ctl[CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * 4];
	struct iovec iov = { NULL, SIZE_MAX };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4 * 4096), 4 * 4096);
	assert_true(dmtok_setsockopt(e->net, e->sock, SOL_SOCKET, SO_DEVMEM_DONTNEED,
				     &t, sizeof(t)) <= 0);
	t = (struct dmabuf_token){ 0, UINT32_MAX };
	assert_true(dmtok_setsockopt(e->net, e->sock, SOL_SOCKET, SO_DEVMEM_DONTNEED,
				     &t, sizeof(t)) <= 0);
	assert_true(dmtok_setsockopt(e->net, e->sock, SOL_SOCKET, SO_DEVMEM_DONTNEED,
				     &t, UINT_MAX) < 0);
	assert_int_equal(dmtok_setsockopt(e->net, INT_MAX, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					  &t, sizeof(t)), -1);
	assert_int_equal(dmtok_setsockopt(e->net, -1, SOL_SOCKET, SO_DEVMEM_DONTNEED,
					  &t, sizeof(t)), -1);
	/* recvmsg: a huge iov length reads what is there; huge iovlen refused */
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM), 4 * 4096);
	msg.msg_iovlen = SIZE_MAX;
	assert_int_equal(dmtok_recvmsg(e->net, e->sock, &msg, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(dmtok_recvmsg(e->net, INT_MAX, &msg, MSG_SOCK_DEVMEM), -1);
	/* the tokens of the read above were not recorded by the env: close returns them */
	check_ok(e);
	env_free(e);
}

static void test_plan_ranges(void **state)
{
	struct dmtok_plan_in in = { 1, 1, 4096, 4096, 1, UINT64_MAX, 1 };
	struct dmtok_plan_enc_out enc[DMTOK_ENC_COUNT];
	struct dmtok_plan_mem_out m;
	(void)state;

	/* u64 outstanding: nothing fits 2^64 references (it wrapped to 0 once) */
	assert_int_equal(dmtok_plan(&in, enc), 0);
	for (int i = DMTOK_ENC_XARRAY; i < DMTOK_ENC_COUNT; i++)
		assert_false(enc[i].fits);
	assert_int_equal(enc[DMTOK_ENC_XARRAY].headroom_bits, 31 - 64);
	assert_int_equal(dmtok_plan_scheme(&in, "slots", &m), -EINVAL);
	/* 2^63 sockets: the total saturates, it does not wrap to 0 */
	in.outstanding = 100;
	in.sockets = 1ull << 63;
	assert_int_equal(dmtok_plan_scheme(&in, "slots", &m), 0);
	assert_true(m.total == UINT64_MAX);
	in.sockets = UINT64_MAX;
	in.nics = UINT32_MAX;
	in.queues_per_nic = UINT32_MAX;
	in.socket_bindings = UINT32_MAX;
	in.dmabuf_size = UINT64_MAX & ~4095ull;
	assert_int_equal(dmtok_plan(&in, enc), 0);
	assert_false(enc[DMTOK_ENC_GLOBAL_ID_PAGE].fits);
	for (unsigned int i = 0; i < dmtok_scheme_count(); i++) {
		const struct dmtok_scheme_ops *ops = dmtok_scheme_at(i);
		int r = dmtok_plan_scheme(&in, ops->name, &m);

		assert_true(r == 0 || r == -EINVAL || r == -EOPNOTSUPP);
	}
}

static void test_allocator_null(void **state)
{
	(void)state;
	dmtok_test_allocator_fail_nth(NULL, 1);
	dmtok_test_allocator_fail_from(NULL, 1);
	assert_int_equal(dmtok_test_allocator_live(NULL), -1);
	assert_int_equal(dmtok_test_allocator_calls(NULL), -1);
	assert_int_equal(dmtok_test_allocator_failed(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registration_knobs),
		cmocka_unit_test(test_net_object_ranges),
		cmocka_unit_test(test_socket_ranges),
		cmocka_unit_test(test_plan_ranges),
		cmocka_unit_test(test_allocator_null),
	};

	return cmocka_run_group_tests_name("extremes", tests, NULL, NULL);
}
