// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The XArray model behind the xarray scheme, alone (as lib/test_xarray.c
 * tests the XArray), through the kernel-named API of <dmtok/kernel.h>:
 * lowest-free allocation from 1 with XA_FLAGS_ALLOC1, xa_limit_31b and a
 * small limit, heights with 64- and 8-slot nodes, node churn back to
 * zero, shrink, reservations read back as NULL, __xa_cmpxchg finding a
 * lost reservation, and -ENOMEM leaving the tree intact.
 */
#include "harness.h"

#include "dmtok/kernel.h"
#include "compat/compat.h"

static void alloc_n(struct xarray *xa, u32 n, struct xa_limit lim)
{
	for (u32 i = 1; i <= n; i++) {
		u32 id = 0;

		assert_int_equal(__xa_alloc(xa, &id, (void *)(uintptr_t)(i * 8), lim,
					    GFP_KERNEL), 0);
		assert_int_equal(id, i);
	}
}

static unsigned int height(const struct xarray *xa)
{
	struct dmtok_xa_stats st;

	dmtok_xa_stats(xa, &st);
	return st.height;
}

/* an XArray with 1 << shift slots per node (the schemes' model knob) */
static void init_shift(struct xarray *xa, unsigned int shift)
{
	dmtok__xa_init_shift(shift);
	xa_init_flags(xa, XA_FLAGS_ALLOC1);
	dmtok__xa_init_shift(0);
}

static void run_shift(u8 shift)
{
	struct dmtok_test_allocator ta;
	struct xarray xa;
	unsigned long idx;
	void *e;
	u32 id, n = 0;

	dmtok_test_allocator_install(&ta);
	init_shift(&xa, shift);
	assert_int_equal(height(&xa), 0);
	alloc_n(&xa, 1000, xa_limit_31b);
	assert_int_equal(height(&xa), shift == 6 ? 2 : 4);
	assert_ptr_equal(xa_load(&xa, 500), (void *)(uintptr_t)4000);
	assert_null(xa_load(&xa, 0));
	assert_null(xa_load(&xa, 1001));
	/* free a few, the lowest comes back first */
	assert_ptr_equal(__xa_erase(&xa, 700), (void *)(uintptr_t)5600);
	assert_ptr_equal(__xa_erase(&xa, 3), (void *)(uintptr_t)24);
	assert_null(__xa_erase(&xa, 3));
	assert_int_equal(__xa_alloc(&xa, &id, XA_ZERO_ENTRY, xa_limit_31b, GFP_KERNEL), 0);
	assert_int_equal(id, 3);
	assert_null(xa_load(&xa, 3));	/* a reservation reads as NULL */
	assert_ptr_equal(__xa_cmpxchg(&xa, 3, XA_ZERO_ENTRY, (void *)(uintptr_t)8,
				      GFP_KERNEL), NULL);
	assert_ptr_equal(xa_load(&xa, 3), (void *)(uintptr_t)8);
	/*
	 * A reservation erased before its commit: __xa_cmpxchg finds the slot
	 * empty, stores nothing and returns NULL, exactly what it returns when
	 * it stores (the upstream leak's mechanism).
	 */
	assert_int_equal(__xa_alloc(&xa, &id, XA_ZERO_ENTRY, xa_limit_31b, GFP_KERNEL), 0);
	assert_int_equal(id, 700);
	assert_null(__xa_erase(&xa, 700));
	assert_ptr_equal(__xa_cmpxchg(&xa, 700, XA_ZERO_ENTRY, (void *)(uintptr_t)8,
				      GFP_KERNEL), NULL);
	assert_null(xa_load(&xa, 700));
	/*
	 * XA_FLAGS_ALLOC1 keeps index 0 busy with a zero entry, nothing more:
	 * erasing index 0 frees it and the next allocation hands out 0, as
	 * the kernel's lib/xarray.c does (the differential fuzzer found it).
	 */
	assert_null(__xa_erase(&xa, 0));
	assert_int_equal(__xa_alloc(&xa, &id, XA_ZERO_ENTRY, xa_limit_31b, GFP_KERNEL), 0);
	assert_int_equal(id, 0);
	assert_null(__xa_erase(&xa, 0));
	xa_for_each(&xa, idx, e)
		n++;
	assert_int_equal(n, 999);
	/* erase all: every node freed, height back to 0 */
	for (idx = 1; idx <= 1000; idx++)
		__xa_erase(&xa, idx);
	assert_int_equal(height(&xa), 0);
	assert_int_equal(xa.nodes, 0);
	assert_int_equal(xa.node_allocs, xa.node_frees);
	/* the limit */
	alloc_n(&xa, 10, XA_LIMIT(0, 10));
	assert_int_equal(__xa_alloc(&xa, &id, XA_ZERO_ENTRY, XA_LIMIT(0, 10), GFP_KERNEL), -EBUSY);
	/* shrink: only a high index left, then it goes too */
	for (idx = 1; idx <= 10; idx++)
		__xa_erase(&xa, idx);
	xa_destroy(&xa);
	assert_int_equal(dmtok_test_allocator_live(&ta), 0);
	dmtok_set_allocator(NULL);
}

static void test_xa_64(void **state) { (void)state; run_shift(6); }
static void test_xa_8(void **state) { (void)state; run_shift(3); }

static void test_xa_enomem(void **state)
{
	(void)state;
	for (long nth = 1; nth < 200; nth++) {
		struct dmtok_test_allocator ta;
		struct xarray xa;
		u32 id, got = 0;
		int err = 0;

		dmtok_test_allocator_install(&ta);
		init_shift(&xa, 3);
		dmtok_test_allocator_fail_nth(&ta, nth);
		for (u32 i = 0; i < 100 && !err; i++) {
			err = __xa_alloc(&xa, &id, (void *)(uintptr_t)8, xa_limit_31b, GFP_KERNEL);
			if (!err)
				assert_int_equal(id, ++got);
		}
		if (err) {
			assert_int_equal(err, -ENOMEM);
			/* the tree is intact: the next alloc succeeds in order */
			assert_int_equal(__xa_alloc(&xa, &id, (void *)(uintptr_t)8, xa_limit_31b, GFP_KERNEL), 0);
			assert_int_equal(id, got + 1);
		}
		xa_destroy(&xa);
		assert_int_equal(dmtok_test_allocator_live(&ta), 0);
		dmtok_set_allocator(NULL);
		if (!err)
			break;
	}
}

/*
 * The extremes of the accepted node size: with 2-slot nodes (chunk shift
 * 1) 131,100 ids need 18 levels, more than the model's 16 spare nodes of
 * old (a stack overflow under ASan); and any unsigned long index, as the
 * kernel's XArray takes, at both node sizes (__xa_cmpxchg at ULONG_MAX
 * shifted by 66 and then grew the tree for ever).
 */
static void test_extreme_shapes(void **state)
{
	struct dmtok_test_allocator ta;
	struct xarray xa;
	(void)state;

	dmtok_test_allocator_install(&ta);
	init_shift(&xa, 1);
	alloc_n(&xa, 131100, xa_limit_31b);
	assert_int_equal(height(&xa), 18);
	assert_ptr_equal(xa_load(&xa, 131100), (void *)(uintptr_t)(131100 * 8));
	xa_destroy(&xa);
	for (unsigned int shift = 1; shift <= 6; shift += 5) {
		unsigned long idx = 0;

		init_shift(&xa, shift);
		assert_null(__xa_cmpxchg(&xa, ULONG_MAX, NULL, (void *)8, GFP_KERNEL));
		assert_ptr_equal(xa_load(&xa, ULONG_MAX), (void *)8);
		assert_null(xa_load(&xa, ULONG_MAX - 1));
		assert_ptr_equal(xa_find(&xa, &idx, ULONG_MAX, XA_PRESENT), (void *)8);
		assert_true(idx == ULONG_MAX);
		assert_ptr_equal(__xa_erase(&xa, ULONG_MAX), (void *)8);
		assert_null(xa_load(&xa, ULONG_MAX));
		xa_destroy(&xa);
	}
	assert_int_equal(dmtok_test_allocator_live(&ta), 0);
	dmtok_test_allocator_install(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extreme_shapes),
		cmocka_unit_test(test_xa_64),
		cmocka_unit_test(test_xa_8),
		cmocka_unit_test(test_xa_enomem),
	};

	return cmocka_run_group_tests_name("xarray", tests, NULL, NULL);
}
