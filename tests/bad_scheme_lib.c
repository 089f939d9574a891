// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Scheme libraries the loader must refuse, for tests/test_registry.c:
 * built with -DBAD_VERSION, one that claims another interface version;
 * with -DFUTURE_LAYOUT, one of a later layout whose schemes field is not
 * a pointer at all (the loader must read the version first); without
 * either, one that exports no dmtok_scheme_library at all.
 */
#include <dmtok/scheme.h>

#ifdef BAD_VERSION
static int never(void **priv) { (void)priv; return -1; }
static const struct dmtok_scheme_ops old = { .version = DMTOK_SCHEME_VERSION + 1,
					     .name = "from-the-future", .init = never };
__attribute__((visibility("default")))
const struct dmtok_scheme_library dmtok_scheme_library = {
	DMTOK_SCHEME_VERSION + 1, (const struct dmtok_scheme_ops *const []){ &old, 0 },
};
#elif defined(FUTURE_LAYOUT)
__attribute__((visibility("default")))
const struct dmtok_scheme_library dmtok_scheme_library = {
	DMTOK_SCHEME_VERSION + 7, (const struct dmtok_scheme_ops *const *)16,
};
#else
__attribute__((visibility("default"))) int not_a_scheme_library;
int not_a_scheme_library = 1;
#endif
