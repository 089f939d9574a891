// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * What differs between schemes by design, and what the review asked,
 * each as a test: the niov-array patch's slips fixed and pinned; the
 * per-niov uref schemes' open questions answered (cross-socket release,
 * leaks at close reclaimed when the binding's last user goes, underflow,
 * all-or-nothing vs "break" on a bad token, one pp_ref_count per niov,
 * the system-wide autorelease mode); the slots scheme's claims (many bindings,
 * memory by outstanding references, unique tokens); the xarray scheme's
 * tree behaviour and a race the upstream pool leaves open.
 */
#include "harness.h"

#include "model/model.h"

#define MB (1ull << 20)
#define GB (1ull << 30)
#define ONE_CMSG CMSG_SPACE(sizeof(struct dmabuf_cmsg))

static struct net_devmem_dmabuf_binding *binding_of(struct env *e, int id)
{
	struct net_devmem_dmabuf_binding *b = dmtok_binding_lookup(e->net, (uint32_t)id);

	dmtok_binding_put(b);	/* the env's binding stays alive with it */
	return b;
}

/* ---- niov-array ---- */

static void test_niov_array_slips_fixed(void **state)
{
	struct env *e = env_setup("niov-array", 4 * 4096, NULL, 0);
	struct dmabuf_token t[3] = { { 0, 1 }, { 1000, 1 }, { 3, 1 } };
	struct dmtok_sock_stats st;
	(void)state;

	/* syzbot: dontneed before any devmem recvmsg must not dereference NULL */
	assert_int_equal(dontneed(e, e->sock, t, 1), -EINVAL);
	/* every page of the dmabuf, so urefs[npages - 1] is written: ASan
	 * catches an array sized npages bytes instead of npages atomics */
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4 * 4096), 4 * 4096);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.nfrags, 4);
	assert_int_equal(dmtok_sock_stats(e->net, e->sock, &st), 0);
	assert_true(st.mem_bytes >= 4 * sizeof(atomic_t));
	assert_int_equal(st.tokens_out, 4);
	for (int i = 0; i < 4; i++)	/* token = page index */
		assert_int_equal(e->cl.frags[i].token, e->cl.frags[i].offset / 4096);
	/* as posted: an out-of-range token ends its run ("break"), no WARN,
	 * and the entries after it are still processed */
	assert_int_equal(dontneed(e, e->sock, t, 3), 2);
	assert_int_equal(dmtok_warn_count(), 0);
	check_ok(e);	/* includes: vec[] never rewritten */
	env_free(e);
}

static void test_niov_array_memory_is_npages(void **state)
{
	struct env *e = env_setup("niov-array", 512 * MB, NULL, 0);
	struct dmtok_sock_stats st;
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), 4096);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(dmtok_sock_stats(e->net, e->sock, &st), 0);
	/* one frag outstanding, 128 K atomics allocated: 4 bytes per page */
	assert_true(st.mem_bytes >= (512 * MB / 4096) * 4);
	env_free(e);
}

/* ---- niov-uref (manual release) ---- */

static void test_niov_uref_cross_socket_release(void **state)
{
	struct env *e = env_setup("niov-uref", 4 * MB, NULL, DMTOK_BIND_NO_AUTORELEASE);
	int sb = dmtok_socket(e->net, SOCK_STREAM, "niov-uref");
	int fb = dmtok_flow_create(e->net, e->ifindex, 0, sb);
	struct dmabuf_token ta;
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), 4096);
	assert_int_equal(dmtok_nic_rx(e->net, fb, 4096), 4096);
	client_drain(e, e->sock, e->flow);	/* A holds one frag */
	client_drain(e, sb, fb);		/* B holds one frag too */
	assert_int_equal(e->cl.nfrags, 2);
	ta = (struct dmabuf_token){ e->cl.frags[0].token, 1 };
	/*
	 * The design allows it: the uref lives in the niov, so socket B can
	 * release the frag socket A holds. dmtok shows it; the README says so.
	 */
	assert_int_equal(dontneed(e, sb, &ta, 1), 1);
	check_ok(e);
	/* A's own release now finds nothing: no underflow, no double put */
	assert_int_equal(dontneed(e, e->sock, &ta, 1), 0);
	assert_int_equal(dontneed(e, e->sock, &ta, 1), 0);
	check_ok(e);
	env_free(e);
}

static void test_niov_uref_all_or_nothing(void **state)
{
	struct env *e = env_setup("niov-uref", 16 * 4096, NULL, DMTOK_BIND_NO_AUTORELEASE);
	struct dmabuf_token bad[3];
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4 * 4096), 4 * 4096);
	client_drain(e, e->sock, e->flow);
	bad[0] = (struct dmabuf_token){ e->cl.frags[0].token, 1 };
	bad[1] = (struct dmabuf_token){ 16, 1 };	/* out of range */
	bad[2] = (struct dmabuf_token){ e->cl.frags[1].token, 1 };
	/* the reviewer's ask: EINVAL without modifying any uref */
	assert_int_equal(dontneed(e, e->sock, bad, 3), -EINVAL);
	check_ok(e);
	assert_int_equal(client_return_all(e, e->sock), 4);	/* all still held */
	env_free(e);
}

static void test_niov_uref_needs_manual_binding(void **state)
{
	struct env *e = env_setup("niov-uref", 4 * MB, NULL, 0);
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), 4096);
	assert_int_equal(client_recv(e, e->sock, e->flow, 256, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, EINVAL);
	check_ok(e);
	env_free(e);
}

/*
 * The series (v10): all of a niov's urefs hold one pp_ref_count, taken on
 * 0->1 and dropped on 1->0; a token returned once too often leaves the
 * uref at 0 (v10 as posted, atomic_dec_and_test(), would make it -1; see
 * tests/mutants/niov-uref-v10-dec-and-test.sed). Both uref schemes.
 */
static void uref_one_pp_ref_per_niov(const char *scheme)
{
	struct dmtok_netdev_opts o = { .nqueues = 1, .rx_buf_size = 1024 };
	struct env *e = env_setup(scheme, 4 * MB, &o, DMTOK_BIND_NO_AUTORELEASE);
	struct net_devmem_dmabuf_binding *b = binding_of(e, e->binding);
	struct dmabuf_token t;
	struct net_iov *niov;
	long pp;
	(void)b;

	/* no frag taken yet, so no binding: the series' -EINVAL */
	t = (struct dmabuf_token){ 0, 1 };
	assert_int_equal(dontneed(e, e->sock, &t, 1), -EINVAL);

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), 4096);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.nfrags, 4);	/* four 1 KiB frags of one page */
	for (int i = 0; i < 4; i++)
		assert_int_equal(e->cl.frags[i].token, e->cl.frags[0].token);
	niov = b->vec[e->cl.frags[0].token];
	assert_int_equal(atomic_read(&niov->uref), 4);
	pp = atomic_long_read(&niov->pp_ref_count);
	/* the user's one reference; as 6.12 never drops the last one, the
	 * put that finds it alone recycles the niov */
	assert_int_equal(pp, 1);
	check_ok(e);
	t = (struct dmabuf_token){ e->cl.frags[0].token, 1 };
	for (int i = 3; i > 0; i--) {
		assert_int_equal(dontneed(e, e->sock, &t, 1), 1);
		assert_int_equal(atomic_read(&niov->uref), i);
		assert_int_equal(atomic_long_read(&niov->pp_ref_count), pp);
		check_ok(e);
	}
	assert_int_equal(dontneed(e, e->sock, &t, 1), 1);	/* 1 -> 0: the put */
	assert_int_equal(atomic_read(&niov->uref), 0);
	assert_true(niov->in_ring);	/* recycled, at 1 in its pool's ring */
	assert_int_equal(atomic_long_read(&niov->pp_ref_count), 1);
	/* once too often: nothing released, no underflow */
	assert_int_equal(dontneed(e, e->sock, &t, 1), 0);
	assert_int_equal(atomic_read(&niov->uref), 0);
	check_ok(e);
	assert_int_equal(dmtok_warn_count(), 0);
	env_free(e);
}

static void test_niov_uref_one_pp_ref_per_niov(void **state)
{
	(void)state;
	uref_one_pp_ref_per_niov("niov-uref");
	uref_one_pp_ref_per_niov("niov-uref-v10");
}

/* v10 as posted: a token past the end ends its range; the rest goes on. */
static void test_niov_uref_v10_break(void **state)
{
	struct env *e = env_setup("niov-uref-v10", 16 * 4096, NULL, DMTOK_BIND_NO_AUTORELEASE);
	struct dmabuf_token t[3];
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4 * 4096), 4 * 4096);
	client_drain(e, e->sock, e->flow);
	t[0] = (struct dmabuf_token){ e->cl.frags[0].token, 1 };
	t[1] = (struct dmabuf_token){ 16, 1 };	/* out of range */
	t[2] = (struct dmabuf_token){ e->cl.frags[1].token, 1 };
	/* niov-uref says -EINVAL and changes nothing (test above) */
	assert_int_equal(dontneed(e, e->sock, t, 3), 2);
	check_ok(e);
	/* a range that runs past the end stops there */
	t[0] = (struct dmabuf_token){ e->cl.frags[2].token, 100 };
	assert_int_equal(dontneed(e, e->sock, t, 1), 2);	/* frags 2 and 3 */
	check_ok(e);
	env_free(e);
}

/*
 * The autorelease mode is system-wide (v10,
 * __net_devmem_dmabuf_binding_set_mode()): while any RX binding is alive
 * -- an unbound one with references out included -- a bind asking for the
 * other mode is -EBUSY, and it takes no id. When the last one is freed
 * the next bind sets the mode again.
 */
static void test_autorelease_mode_is_system_wide(void **state)
{
	struct dmtok_netdev_opts o = { .nqueues = 4 };
	struct env *e = env_setup("xarray", 4 * MB, NULL, 0);
	int if2 = dmtok_netdev_create(e->net, &o);	/* a second NIC */
	unsigned int q = 1;
	struct dmtok_net_counts c;
	int d2 = dmtok_dmabuf_create(e->net, 4 * MB, 0, 0);
	int b2, b3;
	(void)state;

	assert_int_equal(dmtok_bind_rx(e->net, if2, d2, &q, 1,
				       DMTOK_BIND_NO_AUTORELEASE), -EBUSY);
	/*
	 * A queue past the device's is refused before anything else under
	 * v10 (netdev_nl_read_rxq_bitmap(), 6.18 on): -EINVAL, not the mode
	 */
	q = 99;
	assert_int_equal(dmtok_bind_rx(e->net, if2, d2, &q, 1,
				       DMTOK_BIND_NO_AUTORELEASE), -EINVAL);
	q = 1;
	b2 = dmtok_bind_rx(e->net, if2, d2, &q, 1, 0);	/* same mode */
	assert_int_equal(b2, e->binding + 1);	/* -EBUSY used no id */
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)b2), 0);

	/* the user holds frags of the first binding across its unbind */
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 8 * 4096), 8 * 4096);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.bindings, 1);	/* unbound, still alive */
	assert_int_equal(dmtok_bind_rx(e->net, if2, d2, &q, 1,
				       DMTOK_BIND_NO_AUTORELEASE), -EBUSY);
	assert_int_equal(client_return_all(e, e->sock), 8);
	assert_int_equal(dmtok_close(e->net, e->sock), 0);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.bindings, 0);
	/* no RX binding left: the mode is free again, and then pinned */
	b3 = dmtok_bind_rx(e->net, if2, d2, &q, 1, DMTOK_BIND_NO_AUTORELEASE);
	assert_true(b3 > b2);
	q = 2;
	assert_int_equal(dmtok_bind_rx(e->net, if2, e->dmabuf, &q, 1, 0), -EBUSY);
	e->sock = -1;
	env_free(e);
}

/*
 * v10's binding->users: each bound queue and each socket that took frags
 * is a user; urefs left behind are dropped when the last user goes, and a
 * socket cannot join once none is left. This closes the race where a
 * recvmsg after unbind parked a uref that nothing would drop: a socket
 * that is still a user keeps reading after unbind, a new one joins while
 * any user is left, and the last one's close frees everything.
 */
static void test_niov_uref_users_close_the_unbind_race(void **state)
{
	struct env *e = env_setup("niov-uref-v10", 4 * MB, NULL, DMTOK_BIND_NO_AUTORELEASE);
	int sb = dmtok_socket(e->net, SOCK_STREAM, "niov-uref-v10");
	int sc = dmtok_socket(e->net, SOCK_STREAM, "niov-uref-v10");
	int fb = dmtok_flow_create(e->net, e->ifindex, 0, sb);
	int fc = dmtok_flow_create(e->net, e->ifindex, 0, sc);
	struct dmtok_net_counts c;
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 2 * 4096), 2 * 4096);
	assert_int_equal(dmtok_nic_rx(e->net, fb, 2 * 4096), 2 * 4096);
	assert_int_equal(dmtok_nic_rx(e->net, fc, 2 * 4096), 2 * 4096);
	assert_int_equal(client_recv(e, e->sock, e->flow, ONE_CMSG, MSG_SOCK_DEVMEM), 4096);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	/* A is a user: its urefs stay, it keeps reading */
	assert_int_equal(client_recv(e, e->sock, e->flow, ONE_CMSG, MSG_SOCK_DEVMEM), 4096);
	/* B joins while A is still a user */
	assert_int_equal(client_recv(e, sb, fb, ONE_CMSG, MSG_SOCK_DEVMEM), 4096);
	check_ok(e);
	assert_int_equal(dmtok_close(e->net, e->sock), 0);	/* A leaves 2 urefs */
	check_ok(e);
	dmtok_net_counts(e->net, &c);
	assert_true(c.niovs_out >= 3);		/* A's 2 and B's 1 are still out */
	assert_int_equal(dmtok_close(e->net, sb), 0);	/* the last user */
	check_ok(e);
	/* C never joined and nobody uses the binding: its recvmsg is refused */
	assert_int_equal(client_recv(e, sc, fc, ONE_CMSG, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, ENODEV);
	assert_int_equal(dmtok_close(e->net, sc), 0);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.niovs_out, 0);
	assert_int_equal(c.bindings, 0);
	e->sock = -1;
	env_free(e);
}

/*
 * Regression from fuzz_ops (minimized input: rx, unbind, recvmsg): frags
 * queued before unbind and read after it took user references that the
 * unbind reclaim had already run past, so they leaked and the binding
 * was never freed. Now the recvmsg is refused and the frags go with the
 * socket.
 */
static void test_niov_uref_recv_after_unbind(void **state)
{
	struct env *e = env_setup("niov-uref", 4 * MB, NULL, DMTOK_BIND_NO_AUTORELEASE);
	struct dmtok_net_counts c;
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 5633 * 4), 5633 * 4);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	assert_int_equal(client_recv(e, e->sock, e->flow, 168, MSG_SOCK_DEVMEM), -1);
	assert_int_equal(errno, ENODEV);
	check_ok(e);
	assert_int_equal(dmtok_close(e->net, e->sock), 0);
	dmtok_net_counts(e->net, &c);
	assert_int_equal(c.bindings, 0);	/* freed: nothing lingers */
	assert_int_equal(c.niovs_out, 0);
	env_free(e);
}

/*
 * dmtok_scheme_init() runs a scheme's init with the model's knobs, as a
 * socket does: xarray-small's XArray gets 8-slot nodes, so the 17 ids one
 * refill reserves need two levels; its ops->init called bare would get
 * the default 64-slot node (dmtok-bench once measured that by mistake).
 */
static unsigned long long height_after_refill(const struct dmtok_scheme_ops *ops,
					      void *priv, struct net_iov *niov)
{
	struct dmtok_rx_batch batch = { 0 };
	struct dmtok_scheme_stats st = { 0 };
	unsigned long long h = 0;
	u32 tok;

	assert_int_equal(ops->rx_reserve(priv, &batch, niov, 17, &tok), 0);
	ops->stats(priv, &st);
	for (unsigned int i = 0; i < st.ncounters; i++)
		if (!strcmp(st.counters[i].name, "xa_height"))
			h = st.counters[i].value;
	ops->rx_commit(priv, &batch);	/* nothing handed out: all rolled back */
	ops->release_all(priv);
	return h;
}

static void test_scheme_init_applies_model_knobs(void **state)
{
	struct env *e = env_setup("xarray", 1 * MB, NULL, 0);
	const struct dmtok_scheme_ops *ops = dmtok_scheme_find("xarray-small");
	struct net_iov *niov = binding_of(e, e->binding)->vec[0];
	void *priv = NULL;
	(void)state;

	assert_int_equal(dmtok_scheme_init(NULL, &priv), -EINVAL);
	assert_int_equal(dmtok_scheme_init(ops, NULL), -EINVAL);
	assert_int_equal(dmtok_scheme_init(ops, &priv), 0);
	assert_int_equal(height_after_refill(ops, priv, niov), 2);
	assert_int_equal(ops->init(&priv), 0);	/* bare: the default node */
	assert_int_equal(height_after_refill(ops, priv, niov), 1);
	env_free(e);
}

/* ---- slots (ours) ---- */

static void test_slots_many_bindings(void **state)
{
	struct dmtok_netdev_opts o = { .nqueues = 8 };
	struct env *e = env_new();
	int b[8], d[8];
	(void)state;

	e->ifindex = dmtok_netdev_create(e->net, &o);
	for (unsigned int q = 0; q < 8; q++) {
		d[q] = dmtok_dmabuf_create(e->net, 2 * MB, 0, DMTOK_DMABUF_BACKED);
		b[q] = dmtok_bind_rx(e->net, e->ifindex, d[q], &q, 1, 0);
		assert_true(b[q] > 0 && b[q] < 64);
		e->bind_dmabuf[b[q]] = d[q];
	}
	e->dmabuf = d[0];
	e->binding = b[0];
	e->sock = dmtok_socket(e->net, SOCK_STREAM, "slots");
	e->flow = dmtok_flow_create(e->net, e->ifindex, 0, e->sock);
	/* the flow visits all eight bindings, twice */
	for (unsigned int i = 0; i < 16; i++) {
		assert_int_equal(dmtok_flow_steer(e->net, e->flow, e->ifindex, i % 8), 0);
		assert_int_equal(dmtok_nic_rx(e->net, e->flow, 3 * 4096), 3 * 4096);
	}
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.nfrags, 48);
	assert_int_equal(e->cl.bad_payload, 0);
	for (size_t i = 0; i < 48; i++) {
		assert_int_equal(e->cl.frags[i].dmabuf_id, b[(i / 3) % 8]);
		for (size_t j = 0; j < i; j++)	/* unique even across bindings */
			assert_true(e->cl.frags[i].token != e->cl.frags[j].token);
	}
	check_ok(e);
	assert_int_equal(client_return_all(e, e->sock), 48);
	env_free(e);
}

static void test_slots_rejects_unissued_all_or_nothing(void **state)
{
	struct env *e = env_setup("slots", 4 * MB, NULL, 0);
	struct dmabuf_token t[3];
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4 * 4096), 4 * 4096);
	client_drain(e, e->sock, e->flow);
	t[0] = (struct dmabuf_token){ e->cl.frags[0].token, 1 };
	t[1] = (struct dmabuf_token){ 5000, 1 };	/* never issued */
	t[2] = (struct dmabuf_token){ e->cl.frags[1].token, 1 };
	assert_int_equal(dontneed(e, e->sock, t, 3), -EINVAL);
	t[1] = (struct dmabuf_token){ 0, 1 };		/* 0 is never a token */
	assert_int_equal(dontneed(e, e->sock, t, 3), -EINVAL);
	check_ok(e);
	assert_int_equal(client_return_all(e, e->sock), 4);
	/* issued but already returned: skipped, as upstream */
	t[1] = t[0];
	assert_int_equal(dontneed(e, e->sock, t, 2), 0);
	env_free(e);
}

static void test_slots_reuse_lifo(void **state)
{
	struct env *e = env_setup("slots", 4 * MB, NULL, 0);
	struct dmabuf_token t;
	uint32_t tok;
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 3 * 4096), 3 * 4096);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.frags[0].token, 1);
	assert_int_equal(e->cl.frags[2].token, 3);
	tok = e->cl.frags[1].token;
	t = (struct dmabuf_token){ tok, 1 };
	assert_int_equal(dontneed(e, e->sock, &t, 1), 1);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), 4096);
	e->cl.nfrags = 0;
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.frags[0].token, tok);	/* the freed slot, reused */
	check_ok(e);
	env_free(e);
}

/* ---- xarray ---- */

static void test_xarray_tokens_and_tree(void **state)
{
	struct env *e = env_setup("xarray-small", 16 * MB, NULL, 0);
	struct dmtok_sock_stats st;
	struct dmabuf_token t;
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 600 * 4096), 600 * 4096);
	client_drain(e, e->sock, e->flow);
	for (size_t i = 0; i < 600; i++)	/* lowest free first, from 1 */
		assert_int_equal(e->cl.frags[i].token, i + 1);
	assert_int_equal(dmtok_sock_stats(e->net, e->sock, &st), 0);
	assert_int_equal(dmtok_sock_stats_counter(&st, "xa_height"), 4);	/* 8-slot nodes: 8^3 = 512 < 601 */
	assert_int_equal(st.tokens_out, 600);
	assert_true(dmtok_sock_stats_counter(&st, "xa_locks") >= 600 / 17);	/* one lock per 17-token batch */
	t = (struct dmabuf_token){ 5, 1 };
	assert_int_equal(dontneed(e, e->sock, &t, 1), 1);
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 4096), 4096);
	e->cl.nfrags = 0;
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.frags[0].token, 5);	/* lowest free again */
	check_ok(e);
	env_free(e);
}

/*
 * The upstream pool reserves tokens before the frags go out. A dontneed
 * that names a reserved token (a client guessing, or double-returning a
 * token the kernel just reissued) erases the reservation; the commit's
 * cmpxchg then fails and the frag's page-pool reference has no token:
 * it leaks until... never (close does not see it). dmtok shows it
 * deterministically by driving the scheme ops in the kernel's order.
 */
static void test_xarray_reservation_race(void **state)
{
	struct env *e = env_setup("xarray", 4 * MB, NULL, 0);
	const struct dmtok_scheme_ops *ops = dmtok_scheme_find("xarray");
	struct net_devmem_dmabuf_binding *b = binding_of(e, e->binding);
	struct dmtok_rx_batch batch = { 0 };
	struct net_iov *niov = b->vec[0];
	struct dmabuf_token t = { 0, 1 };
	void *priv;
	uint32_t tok;
	(void)state;

	assert_int_equal(ops->init(&priv), 0);
	atomic_long_set(&niov->pp_ref_count, 1);	/* pretend an skb holds it */
	assert_int_equal(ops->rx_reserve(priv, &batch, niov, 1, &tok), 0);
	t.token_start = tok;
	/* the concurrent dontneed, between reserve and commit */
	assert_int_equal(ops->dontneed(priv, &t, 1), 0);
	atomic_long_inc(&niov->pp_ref_count);		/* the user's reference */
	ops->rx_taken(priv, &batch, niov, tok);
	ops->rx_commit(priv, &batch);
	/* the user holds token tok, but the xarray does not know it */
	assert_int_equal(ops->dontneed(priv, &t, 1), 0);
	ops->release_all(priv);
	assert_int_equal(atomic_long_read(&niov->pp_ref_count), 2);	/* leaked */
	atomic_long_set(&niov->pp_ref_count, 0);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_niov_array_slips_fixed),
		cmocka_unit_test(test_niov_array_memory_is_npages),
		cmocka_unit_test(test_niov_uref_cross_socket_release),
		cmocka_unit_test(test_niov_uref_all_or_nothing),
		cmocka_unit_test(test_niov_uref_needs_manual_binding),
		cmocka_unit_test(test_niov_uref_recv_after_unbind),
		cmocka_unit_test(test_niov_uref_one_pp_ref_per_niov),
		cmocka_unit_test(test_niov_uref_v10_break),
		cmocka_unit_test(test_autorelease_mode_is_system_wide),
		cmocka_unit_test(test_niov_uref_users_close_the_unbind_race),
		cmocka_unit_test(test_scheme_init_applies_model_knobs),
		cmocka_unit_test(test_slots_many_bindings),
		cmocka_unit_test(test_slots_rejects_unissued_all_or_nothing),
		cmocka_unit_test(test_slots_reuse_lifo),
		cmocka_unit_test(test_xarray_tokens_and_tree),
		cmocka_unit_test(test_xarray_reservation_race),
	};

	return cmocka_run_group_tests_name("schemes", tests, NULL, NULL);
}
