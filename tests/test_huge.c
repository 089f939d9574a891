// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The 80 GiB cases (suite "huge", kept out of the valgrind run): an 80 GiB
 * dmabuf created, bound, used and unbound on a 24 GiB machine without its
 * memory being touched, and the slots scheme's memory with 128 tokens
 * outstanding on it -- the review's H100 example. On a 32-bit host (size_t
 * narrower than 80 GiB) the backed dmabuf is refused cleanly (-ENOMEM,
 * never a truncated mapping) and the cases run on an unbacked one: sizes,
 * offsets and tokens are 64-bit there too.
 */
#include "harness.h"

#include "dmtok/plan.h"

#include <unistd.h>

#define MB (1ull << 20)
#define GB (1ull << 30)


static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Backed where the address space can map it; see the top comment. */
static struct env *setup_80gib(void)
{
	struct dmtok_netdev_opts o = { .nqueues = 1 };
	unsigned int q = 0;
	struct env *e;

	if ((uint64_t)SIZE_MAX >= 80 * GB)
		return env_setup("slots", 80 * GB, NULL, 0);
	e = env_new();
	e->ifindex = dmtok_netdev_create(e->net, &o);
	assert_int_equal(dmtok_dmabuf_create(e->net, 80 * GB, 4096, DMTOK_DMABUF_BACKED),
			 -ENOMEM);
	e->dmabuf = dmtok_dmabuf_create(e->net, 80 * GB, 4096, 0);
	assert_true(e->dmabuf >= 0);
	e->binding = dmtok_bind_rx(e->net, e->ifindex, e->dmabuf, &q, 1, 0);
	assert_true(e->binding > 0);
	e->bind_dmabuf[e->binding] = e->dmabuf;
	e->sock = dmtok_socket(e->net, SOCK_STREAM, "slots");
	e->flow = dmtok_flow_create(e->net, e->ifindex, 0, e->sock);
	assert_true(e->flow >= 0);
	return e;
}

/* An 80 GiB dmabuf on a 24 GiB machine: created, bound, used, unbound. */
static void test_80gib_dmabuf(void **state)
{
	struct env *e;
	long before, after;
	(void)state;

	before = rss_kib();
	e = setup_80gib();
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 1 * MB), 1 * MB);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(e->cl.nfrags, 256);
	assert_int_equal(e->cl.bad_payload, 0);
	for (size_t i = 0; i < e->cl.nfrags; i++)	/* never truncated */
		assert_true(e->cl.frags[i].offset < 80 * GB);
	after = rss_kib();
	/*
	 * The dmabuf's memory is untouched but for 1 MiB of payload; what RSS
	 * grows by is the niov metadata (32 B/page + vec + free list, about
	 * 0.9 GiB for 20M pages). Nowhere near 80 GiB.
	 */
	if (before >= 0 && after >= 0)
		assert_true(after - before < 3l * 1024 * 1024);
	assert_int_equal(client_return_all(e, e->sock), 256);
	assert_int_equal(dmtok_unbind(e->net, (uint32_t)e->binding), 0);
	env_free(e);
}

/* The review's numbers: 128 tokens out on an 80 GiB binding. */
static void test_slots_memory_by_outstanding(void **state)
{
	struct env *e;
	struct dmtok_sock_stats st;
	(void)state;

	e = setup_80gib();
	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 128 * 4096), 128 * 4096);
	client_drain(e, e->sock, e->flow);
	assert_int_equal(dmtok_sock_stats(e->net, e->sock, &st), 0);
	assert_int_equal(st.tokens_out, 128);
	assert_true(st.mem_bytes <= 64 * 1024);	/* issue #4's budget */
	/* and it equals what dmtok-plan predicts for 128 outstanding */
	{
		struct dmtok_plan_in in = { .nics = 1, .queues_per_nic = 1,
					    .dmabuf_size = 80ull << 30, .page_size = 4096,
					    .sockets = 1, .outstanding = 128,
					    .socket_bindings = 1 };
		struct dmtok_plan_mem_out m;

		assert_int_equal(dmtok_plan_scheme(&in, "slots", &m), 0);
		assert_int_equal(st.mem_bytes, m.per_socket);
	}
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_80gib_dmabuf),
		cmocka_unit_test(test_slots_memory_by_outstanding),
	};

	return cmocka_run_group_tests_name("huge", tests, NULL, NULL);
}
