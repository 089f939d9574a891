// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The platform assumptions, at run time (src/compat/platform.c checks
 * them at build time): the UAPI structs as bytes on the wire are what the
 * kernel writes on this endianness, cmsgs built by the model parse with
 * the system's CMSG macros, the payload pattern does not depend on
 * endianness, and the atomics the schemes use are lock free here.
 */
#include "harness.h"

#include <stdatomic.h>

static void test_uapi_bytes(void **state)
{
	struct dmabuf_token t = { 0x01020304u, 0x0a0b0c0du };
	unsigned char b[8];
	union { uint32_t u; unsigned char c[4]; } probe = { 1 };
	int little = probe.c[0] == 1;
	(void)state;

	memcpy(b, &t, sizeof(b));
	/* native-endian __u32 fields, as the kernel's copy_from_sockptr() reads them */
	assert_int_equal(b[0], little ? 0x04 : 0x01);
	assert_int_equal(b[4], little ? 0x0d : 0x0a);
	print_message("# %s-endian, %zu-bit long\n", little ? "little" : "big",
		      sizeof(long) * 8);
}

static void test_cmsg_roundtrip(void **state)
{
	struct env *e = env_setup("slots", 1 << 20, NULL, 0);
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 3 * 4096), 3 * 4096);
	assert_int_equal(client_drain(e, e->sock, e->flow), -1);
	assert_int_equal(e->cl.nfrags, 3);
	assert_int_equal(e->cl.bad_payload, 0);	/* read through frag_offset */
	for (size_t i = 0; i < e->cl.nfrags; i++) {
		assert_int_equal(e->cl.frags[i].size, 4096);
		assert_int_equal(e->cl.frags[i].dmabuf_id, e->binding);
	}
	assert_int_equal(client_return_all(e, e->sock), 3);
	env_free(e);
}

static void test_pattern_endian_free(void **state)
{
	(void)state;
	/* a byte function of (flow, offset): these exact bytes everywhere */
	assert_int_equal(dmtok_flow_pattern(3, 0), 122);
	assert_int_equal(dmtok_flow_pattern(3, 300), 75);
	assert_int_equal(dmtok_flow_pattern(7, 250), 244);
	assert_int_equal(dmtok_flow_pattern(0, 1000), 252);
}

static void test_lock_free(void **state)
{
	_Atomic unsigned long w = 0;
	_Atomic unsigned int u = 0;
	(void)state;

	assert_true(atomic_is_lock_free(&w));
	assert_true(atomic_is_lock_free(&u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uapi_bytes),
		cmocka_unit_test(test_cmsg_roundtrip),
		cmocka_unit_test(test_pattern_endian_free),
		cmocka_unit_test(test_lock_free),
	};

	return cmocka_run_group_tests_name("portability", tests, NULL, NULL);
}
