// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The table of token schemes a socket can be created with. Adding a
 * scheme: write src/scheme_<name>.c against scheme.h, add it here and to
 * meson.build; the conformance suite and the fuzzers pick it up by name.
 */
#include <string.h>

#include "scheme.h"
#include "dmtok/socket.h"

static const struct dmtok_scheme_ops *const schemes[] = {
	&dmtok_scheme_xarray,
	&dmtok_scheme_xarray_small,
	&dmtok_scheme_niov_array,
	&dmtok_scheme_niov_uref,
	&dmtok_scheme_slots,
};

static const char *const names[] = {
	"xarray", "xarray-small", "niov-array", "niov-uref", "slots", NULL,
};

_Static_assert(ARRAY_SIZE(names) == ARRAY_SIZE(schemes) + 1, "names");

const struct dmtok_scheme_ops *dmtok_scheme_find(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(schemes); i++)
		if (!strcmp(schemes[i]->name, name))
			return schemes[i];
	return NULL;
}

const char *const *dmtok_scheme_names(void)
{
	return names;
}
