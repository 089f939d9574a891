// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Scheme libraries that declare properties they do not honour, for
 * tests/check-liars.sh: niov-array's ops under other names, one claiming
 * several bindings per socket, one claiming a token per frag, one
 * claiming all-or-nothing dontneed. dmtok-conform must fail each, on the
 * case that checks the false claim.
 */
#include <dmtok/kernel.h>

static struct dmtok_scheme_ops multi, unique, strict;

__attribute__((constructor)) static void make_liars(void)
{
	const struct dmtok_scheme_ops *na = dmtok_scheme_find("niov-array");

	multi = *na;
	multi.name = "liar-multi-binding";
	multi.flags |= DMTOK_SCHEME_MULTI_BINDING;
	unique = *na;
	unique.name = "liar-unique-tokens";
	unique.flags |= DMTOK_SCHEME_UNIQUE_TOKENS;
	strict = *na;
	strict.name = "liar-all-or-nothing";
	strict.flags |= DMTOK_SCHEME_ALL_OR_NOTHING;
}

DMTOK_SCHEME_EXPORT(&multi, &unique, &strict);
