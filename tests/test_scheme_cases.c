// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The userspace world of tests/scheme_cases.h: the same cases the KUnit
 * suite (tests/kunit/dmtok_kunit.c) runs in a User-Mode Linux kernel, here
 * on dmtok's model. The fixture mirrors the kernel one: a binding of
 * SC_NPAGES pages, SC_NPAGES niovs taken from its queue's page pool
 * (page_pool_alloc_netmems(): pp_ref_count 1, held by the test as a driver
 * holds a page it filled), the scheme's state from its init; at the end
 * release_all (tcp_release_user_frags()), the binding unbound (for a
 * scheme that lingers: its last user, which reclaims parked urefs), every
 * niov back at pp_ref_count 1, then home to its pool, and the net torn
 * down with nothing leaked and no WARN.
 *
 * usage: test_scheme_cases [--scheme-lib PATH] [SCHEME...]
 *        (default: every registered scheme)
 */
#include "harness.h"

#include "model/model.h"

#define SC_TEST			void **
#define SC_FIXTURE(t)		((struct sc_fixture *)*(t))	/* first in struct sc_world */
#define SC_EXPECT(t, c)		assert_true(c)
#define SC_ASSERT(t, c)		assert_true(c)
#define SC_SKIP(t, why)		skip()

#include "scheme_cases.h"

struct sc_world {
	struct sc_fixture f;	/* first: SC_FIXTURE() casts */
	struct env *e;
};

static const char *sc_scheme;

static int sc_setup(void **state)
{
	const struct dmtok_scheme_ops *ops = dmtok_scheme_find(sc_scheme);
	struct sc_world *w = calloc(1, sizeof(*w));
	struct dmtok_page_pool *pool;

	assert_non_null(ops);
	assert_non_null(w);
	w->e = env_setup(sc_scheme, SC_NPAGES * 4096, NULL, ops->bind_flags);
	w->f.ops = ops;
	pool = dmtok_netdev_find(w->e->net, w->e->ifindex)->rxq[0].pool;
	for (unsigned int i = 0; i < SC_NPAGES; i++) {
		w->f.niovs[i] = dmtok_pp_alloc(pool);
		assert_non_null(w->f.niovs[i]);
	}
	assert_int_equal(dmtok_scheme_init(ops, &w->f.priv), 0);
	*state = w;
	return 0;
}

static int sc_teardown(void **state)
{
	struct sc_world *w = *state;
	long c;
	int i;

	sc_release_all(&w->f);
	/* the binding's last user goes: the series' reclaim of parked urefs */
	assert_int_equal(dmtok_unbind(w->e->net, (uint32_t)w->e->binding), 0);
	i = sc_first_not_home(&w->f, &c);
	if (i >= 0)
		fail_msg("niov %d: pp_ref_count %ld after close, not 1: a reference was "
			 "leaked or dropped twice", i, c);
	for (i = 0; i < SC_NPAGES; i++)
		assert_true(napi_pp_put_page(net_iov_to_netmem(w->f.niovs[i])));
	assert_int_equal(dmtok_close(w->e->net, w->e->sock), 0);
	env_free(w->e);
	free(w);
	return 0;
}

static int run_scheme(const char *name)
{
	const struct CMUnitTest cases[] = {
		cmocka_unit_test_setup_teardown(sc_case_roundtrip, sc_setup, sc_teardown),
		cmocka_unit_test_setup_teardown(sc_case_bad_returns, sc_setup, sc_teardown),
		cmocka_unit_test_setup_teardown(sc_case_shared_niov, sc_setup, sc_teardown),
		cmocka_unit_test_setup_teardown(sc_case_close_outstanding, sc_setup, sc_teardown),
		cmocka_unit_test_setup_teardown(sc_case_frag_cap, sc_setup, sc_teardown),
		cmocka_unit_test_setup_teardown(sc_case_all_or_nothing, sc_setup, sc_teardown),
	};

	sc_scheme = name;
	printf("# scheme %s\n", name);
	fflush(stdout);
	return _cmocka_run_group_tests(name, cases, sizeof(cases) / sizeof(cases[0]),
				       NULL, NULL);
}

int main(int argc, char **argv)
{
	char list[2048], *save = NULL;
	int failed = 0, first = 1;

	if (argc > 2 && !strcmp(argv[1], "--scheme-lib")) {	/* an out-of-tree scheme file */
		if (dmtok_scheme_load(argv[2], list, sizeof(list)) < 0) {
			fprintf(stderr, "test_scheme_cases: --scheme-lib: %s\n", list);
			return 2;
		}
		first = 3;
	}
	if (argc > first) {
		for (int i = first; i < argc; i++) {
			if (!dmtok_scheme_find(argv[i])) {
				fprintf(stderr, "test_scheme_cases: unknown scheme '%s' (known: %s)\n",
					argv[i], dmtok_scheme_list(list, sizeof(list)));
				return 2;
			}
			failed += run_scheme(argv[i]);
		}
		return failed ? 1 : 0;
	}
	if (!dmtok_scheme_list(list, sizeof(list)))
		return 2;
	for (char *s = strtok_r(list, ", ", &save); s; s = strtok_r(NULL, ", ", &save))
		failed += run_scheme(s);
	return failed ? 1 : 0;
}
