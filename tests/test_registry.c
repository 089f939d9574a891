// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The scheme registry (src/model/registry.c): registration errnos, the
 * interface-version check, sockets pinning their scheme, loading scheme
 * libraries (the template, and libraries that are wrong in each way the
 * loader must refuse), and the built-ins listed through the same calls.
 * Library paths come from meson: argv[1] the template, argv[2] one built
 * against another interface version, argv[3] one exporting nothing,
 * argv[4] one of a later export layout.
 */
#include <limits.h>

#include "harness.h"

#include "dmtok/kernel.h"

#include <dlfcn.h>

static const char *lib_good, *lib_badver, *lib_nosym, *lib_future;

static int nop_init(void **priv) { *priv = NULL; return 0; }
static int nop_reserve(void *p, struct dmtok_rx_batch *b, struct net_iov *n,
		       unsigned int m, u32 *t) { (void)p; (void)b; (void)n; (void)m; *t = 1; return -ENOSPC; }
static void nop_taken(void *p, struct dmtok_rx_batch *b, struct net_iov *n, u32 t)
{ (void)p; (void)b; (void)n; (void)t; }
static void nop_commit(void *p, struct dmtok_rx_batch *b) { (void)p; (void)b; }
static int nop_dontneed(void *p, const struct dmabuf_token *t, unsigned int n)
{ (void)p; (void)t; (void)n; return 0; }
static void nop_release(void *p) { (void)p; }
static void nop_stats(void *p, struct dmtok_scheme_stats *s) { (void)p; (void)s; }
static int nop_each(void *p, dmtok_ref_cb cb, void *a) { (void)p; (void)cb; (void)a; return 0; }

#define NOP_OPS(n)							\
	.version = DMTOK_SCHEME_VERSION, .name = (n), .init = nop_init,	\
	.rx_reserve = nop_reserve, .rx_taken = nop_taken,		\
	.rx_commit = nop_commit, .dontneed = nop_dontneed,		\
	.release_all = nop_release, .stats = nop_stats,			\
	.for_each_ref = nop_each

static void test_register_errnos(void **state)
{
	static const struct dmtok_scheme_ops good = { NOP_OPS("nop") };
	static const struct dmtok_scheme_ops empty = { NOP_OPS("") };
	static const struct dmtok_scheme_ops upper = { NOP_OPS("Nop") };
	static const struct dmtok_scheme_ops longname = {
		NOP_OPS("a-name-that-is-longer-than-31-bytes") };
	struct dmtok_scheme_ops oldver = { NOP_OPS("nop-old") };
	static const struct dmtok_scheme_ops flags = { NOP_OPS("nop-flags"), .flags = 1u << 20 };
	static const struct dmtok_scheme_ops shift = { NOP_OPS("nop-shift"),
						       .model_xa_chunk_shift = 7 };
	struct dmtok_scheme_ops noop = { NOP_OPS("nop-missing") };
	unsigned int before = dmtok_scheme_count();
	(void)state;

	assert_int_equal(dmtok_scheme_register(NULL), -EINVAL);
	assert_int_equal(dmtok_scheme_register(&empty), -EINVAL);
	assert_int_equal(dmtok_scheme_register(&upper), -EINVAL);
	assert_int_equal(dmtok_scheme_register(&longname), -EINVAL);
	oldver.version = DMTOK_SCHEME_VERSION - 1;
	assert_int_equal(dmtok_scheme_register(&oldver), -EPROTO);
	assert_int_equal(dmtok_scheme_register(&flags), -EINVAL);
	assert_int_equal(dmtok_scheme_register(&shift), -EINVAL);
	/* each mandatory op missing in turn; init is, unless priv_size */
	for (int op = 0; op < 5; op++) {
		struct dmtok_scheme_ops m = { NOP_OPS("nop-missing") };

		switch (op) {
		case 0: m.init = NULL; break;
		case 1: m.rx_reserve = NULL; break;
		case 2: m.dontneed = NULL; break;
		case 3: m.release_all = NULL; break;
		default: m.for_each_ref = NULL; break;
		}
		assert_int_equal(dmtok_scheme_register(&m), -EINVAL);
	}
	/* the optional ones, each missing in turn, and init with priv_size */
	for (int op = 0; op < 4; op++) {
		struct dmtok_scheme_ops m = { NOP_OPS("nop-optional") };

		switch (op) {
		case 0: m.rx_taken = NULL; break;
		case 1: m.rx_commit = NULL; break;
		case 2: m.stats = NULL; break;
		default: m.init = NULL; m.priv_size = 64; break;
		}
		assert_int_equal(dmtok_scheme_register(&m), 0);
		assert_int_equal(dmtok_scheme_unregister("nop-optional"), 0);
	}
	{
		struct dmtok_scheme_ops m = { NOP_OPS("nop-huge") };

		m.priv_size = (unsigned long)INT_MAX + 1;
		assert_int_equal(dmtok_scheme_register(&m), -EINVAL);
	}
	noop.name = NULL;
	assert_int_equal(dmtok_scheme_register(&noop), -EINVAL);
	noop.name = "nop-bind-flags";
	noop.bind_flags = 0x80;
	assert_int_equal(dmtok_scheme_register(&noop), -EINVAL);
	assert_int_equal(dmtok_scheme_count(), before);

	assert_int_equal(dmtok_scheme_register(&good), 0);
	assert_int_equal(dmtok_scheme_register(&good), -EEXIST);
	assert_ptr_equal(dmtok_scheme_find("nop"), &good);
	assert_ptr_equal(dmtok_scheme_at(before), &good);	/* registration order */
	assert_null(dmtok_scheme_at(before + 1));
	assert_int_equal(dmtok_scheme_unregister("nop"), 0);
	assert_int_equal(dmtok_scheme_unregister("nop"), -ENOENT);
	assert_int_equal(dmtok_scheme_unregister(NULL), -EINVAL);
	assert_null(dmtok_scheme_find("nop"));
	assert_null(dmtok_scheme_find(NULL));
	/* built-ins are there, and an unknown name is ENOENT on a socket too */
	assert_non_null(dmtok_scheme_find("xarray"));
	assert_non_null(dmtok_scheme_find("slots"));
}

static void test_socket_pins_scheme(void **state)
{
	static const struct dmtok_scheme_ops good = { NOP_OPS("nop-pinned") };
	struct dmtok_net *net;
	int fd;
	(void)state;

	assert_int_equal(dmtok_net_create(&net), 0);
	assert_int_equal(dmtok_socket(net, SOCK_STREAM, "no-such-scheme"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(dmtok_scheme_register(&good), 0);
	fd = dmtok_socket(net, SOCK_STREAM, "nop-pinned");
	assert_true(fd >= 0);
	assert_int_equal(dmtok_scheme_unregister("nop-pinned"), -EBUSY);
	assert_int_equal(dmtok_close(net, fd), 0);
	assert_int_equal(dmtok_scheme_unregister("nop-pinned"), 0);
	assert_int_equal(dmtok_net_destroy(net), 0);
}

static void test_load_libraries(void **state)
{
	struct dmtok_scheme_info info;
	char err[512];
	(void)state;

	assert_int_equal(dmtok_scheme_load(NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(dmtok_scheme_load("/nonexistent/libx.so", err, sizeof(err)), -ENOENT);
	assert_int_equal(dmtok_scheme_load(lib_nosym, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "dmtok_scheme_library"));
	assert_int_equal(dmtok_scheme_load(lib_badver, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "interface"));
	assert_null(dmtok_scheme_find("ptrtable"));
	/* a later layout: the version is read first, nothing past it (a SEGV once) */
	assert_int_equal(dmtok_scheme_load(lib_future, err, sizeof(err)), -EPROTO);
	/* "" would dlopen the program itself */
	assert_int_equal(dmtok_scheme_load("", err, sizeof(err)), -EINVAL);
	/*
	 * A refused library is closed again (it stayed mapped once). Only
	 * glibc unloads on dlclose(): musl never does, by design.
	 */
#ifdef __GLIBC__
	assert_null(dlopen(lib_badver, RTLD_NOW | RTLD_NOLOAD));
	assert_null(dlopen(lib_future, RTLD_NOW | RTLD_NOLOAD));
	assert_null(dlopen(lib_nosym, RTLD_NOW | RTLD_NOLOAD));
#endif

	assert_int_equal(dmtok_scheme_load(lib_good, err, sizeof(err)), 1);
	assert_int_equal(dmtok_scheme_info("ptrtable", &info), 0);
	assert_int_equal(info.flags, DMTOK_SCHEME_MULTI_BINDING | DMTOK_SCHEME_UNIQUE_TOKENS);
	assert_int_equal(info.max_outstanding, 4096);
	assert_true(info.has_plan);
	/* the same library again: its name is taken, nothing changes */
	assert_int_equal(dmtok_scheme_load(lib_good, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "already registered"));
	assert_int_equal(dmtok_scheme_info(NULL, &info), -EINVAL);
	assert_int_equal(dmtok_scheme_info("nope", &info), -ENOENT);
}

/*
 * What the registry hands out survives an unregister that frees the ops:
 * the info's name is a copy (it pointed into the freed ops once), and a
 * list made afterwards does not name it.
 */
static void test_info_outlives_unregister(void **state)
{
	struct dmtok_scheme_ops *o = malloc(sizeof(*o));
	struct dmtok_scheme_info info;
	char list[1024];
	(void)state;

	assert_non_null(o);
	*o = (struct dmtok_scheme_ops){ NOP_OPS("short-lived") };
	assert_int_equal(dmtok_scheme_register(o), 0);
	assert_int_equal(dmtok_scheme_info("short-lived", &info), 0);
	assert_non_null(strstr(dmtok_scheme_list(list, sizeof(list)), "short-lived"));
	assert_int_equal(dmtok_scheme_unregister("short-lived"), 0);
	memset(o, 0x5a, sizeof(*o));
	free(o);
	assert_string_equal(info.name, "short-lived");
	assert_null(strstr(dmtok_scheme_list(list, sizeof(list)), "short-lived"));
	assert_null(dmtok_scheme_find("short-lived"));
}

/* A loaded scheme is a socket's scheme like any other. */
static void test_loaded_scheme_roundtrip(void **state)
{
	struct env *e = env_setup("ptrtable", 4 << 20, NULL, 0);
	(void)state;

	assert_int_equal(dmtok_nic_rx(e->net, e->flow, 64 * 4096), 64 * 4096);
	assert_int_equal(client_drain(e, e->sock, e->flow), -1);
	assert_int_equal(e->cl.nfrags, 64);
	check_ok(e);
	assert_int_equal(client_return_all(e, e->sock), 64);
	check_ok(e);
	env_free(e);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_errnos),
		cmocka_unit_test(test_socket_pins_scheme),
		cmocka_unit_test(test_load_libraries),
		cmocka_unit_test(test_loaded_scheme_roundtrip),
		cmocka_unit_test(test_info_outlives_unregister),
	};

	if (argc < 5) {
		fprintf(stderr, "usage: test_registry TEMPLATE.so BADVERSION.so NOSYMBOL.so FUTURE.so\n");
		return 2;
	}
	lib_good = argv[1];
	lib_badver = argv[2];
	lib_nosym = argv[3];
	lib_future = argv[4];
	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
