// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dmtok-plan's arithmetic, the review's example first: 8 NICs x 32 queues
 * = 256 bindings take 8 bits, leaving 24 bits = 64 GiB of 4 KiB pages,
 * less than one 80 GiB GPU.
 */
#include "harness.h"

#include "dmtok/plan.h"

static void test_review_example(void **state)
{
	struct dmtok_plan_in in = { .nics = 8, .queues_per_nic = 32,
				    .dmabuf_size = 80ull << 30, .page_size = 4096,
				    .sockets = 1, .outstanding = 128,
				    .socket_bindings = 2 };
	struct dmtok_plan_enc_out e[DMTOK_ENC_COUNT];
	struct dmtok_plan_mem_out m[4];
	(void)state;

	assert_int_equal(dmtok_plan(&in, e), 0);
	assert_int_equal(e[DMTOK_ENC_GLOBAL_ID_PAGE].prefix_bits, 8);
	assert_int_equal(e[DMTOK_ENC_GLOBAL_ID_PAGE].index_bits, 24);
	assert_false(e[DMTOK_ENC_GLOBAL_ID_PAGE].fits);	/* 2^24 pages = 64 GiB */
	assert_int_equal(e[DMTOK_ENC_GLOBAL_ID_PAGE].headroom_bits, -1);
	assert_true(e[DMTOK_ENC_SLOT_PAGE].fits);
	assert_true(e[DMTOK_ENC_PAGE_ONLY].fits);
	assert_false(e[DMTOK_ENC_PAGE_ONLY].multi_binding);
	assert_true(e[DMTOK_ENC_SLOTS].fits);
	assert_true(e[DMTOK_ENC_SLOTS].multi_binding);
	/* 64 GiB exactly fits the global encoding; one page more does not */
	in.dmabuf_size = 64ull << 30;
	assert_int_equal(dmtok_plan(&in, e), 0);
	assert_true(e[DMTOK_ENC_GLOBAL_ID_PAGE].fits);
	assert_int_equal(e[DMTOK_ENC_GLOBAL_ID_PAGE].headroom_bits, 0);
	in.dmabuf_size += 4096;
	assert_int_equal(dmtok_plan(&in, e), 0);
	assert_false(e[DMTOK_ENC_GLOBAL_ID_PAGE].fits);
	/* niov-array memory: 4 bytes per page per socket; 80 GiB: 80 MiB */
	in.dmabuf_size = 80ull << 30;
	in.sockets = 10;
	assert_int_equal(dmtok_plan(&in, e), 0);
	/* memory comes from each scheme's own plan op */
	assert_int_equal(dmtok_plan_scheme(&in, "xarray", &m[0]), 0);
	assert_int_equal(dmtok_plan_scheme(&in, "niov-array", &m[1]), 0);
	assert_int_equal(dmtok_plan_scheme(&in, "niov-uref", &m[2]), 0);
	assert_int_equal(dmtok_plan_scheme(&in, "slots", &m[3]), 0);
	assert_true(m[1].per_socket >= 80ull << 20);	/* urefs[npages] + the socket's struct */
	assert_true(m[1].per_socket < (80ull << 20) + 4096);
	assert_int_equal(m[1].total, m[1].per_socket * 10);
	assert_int_equal(m[1].close_scan, 20971520);
	/* niov-uref's counters live in the niovs: per binding, 256 of them */
	assert_int_equal(m[2].per_binding, 80ull << 20);
	assert_int_equal(m[2].total, m[2].per_socket * 10 + (80ull << 20) * 256);
	assert_true(m[3].per_socket <= 64 * 1024);
	assert_true(m[0].per_socket < m[3].per_socket);	/* xarray is leaner */
	assert_int_equal(m[3].token_bits, 24);
	assert_int_equal(dmtok_plan_scheme(&in, "nope", &m[0]), -ENOENT);
	assert_int_equal(dmtok_plan_scheme(NULL, "slots", &m[0]), -EINVAL);
	in.outstanding = 1u << 24;	/* more than slots' 24 bits */
	assert_int_equal(dmtok_plan_scheme(&in, "slots", &m[3]), -EINVAL);
}

static void test_bits_and_bad_input(void **state)
{
	struct dmtok_plan_in in = { 0 };
	struct dmtok_plan_enc_out e[DMTOK_ENC_COUNT];
	(void)state;

	assert_int_equal(dmtok_plan_bits(0), 0);
	assert_int_equal(dmtok_plan_bits(1), 0);
	assert_int_equal(dmtok_plan_bits(2), 1);
	assert_int_equal(dmtok_plan_bits(256), 8);
	assert_int_equal(dmtok_plan_bits(257), 9);
	assert_int_equal(dmtok_plan_bits(1ull << 40), 40);
	assert_int_equal(dmtok_plan(&in, e), -EINVAL);
	in = (struct dmtok_plan_in){ 1, 1, 4096, 3000, 1, 1, 1 };
	assert_int_equal(dmtok_plan(&in, e), -EINVAL);	/* page not 2^n */
	in.page_size = 4096;
	in.dmabuf_size = 5000;
	assert_int_equal(dmtok_plan(&in, e), -EINVAL);
	assert_int_equal(dmtok_plan(NULL, e), -EINVAL);
	/* each zero field on its own is refused */
	for (int f = 0; f < 6; f++) {
		struct dmtok_plan_in z = { 1, 1, 4096, 4096, 1, 1, 1 };
		struct dmtok_plan_mem_out m;

		assert_int_equal(dmtok_plan(&z, e), 0);
		switch (f) {
		case 0: z.nics = 0; break;
		case 1: z.queues_per_nic = 0; break;
		case 2: z.dmabuf_size = 0; break;
		case 3: z.page_size = 0; break;
		case 4: z.sockets = 0; break;
		default: z.socket_bindings = 0; break;
		}
		assert_int_equal(dmtok_plan(&z, e), -EINVAL);
		assert_int_equal(dmtok_plan_scheme(&z, "slots", &m), -EINVAL);
	}
	assert_int_equal(dmtok_plan(&in, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_review_example),
		cmocka_unit_test(test_bits_and_bad_input),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
