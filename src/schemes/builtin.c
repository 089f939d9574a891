// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The schemes built into libdmtok, in the order tools list them. The
 * registry (src/model/registry.c) registers each through
 * dmtok_scheme_register(), the call an out-of-tree scheme uses too; the
 * *-kernel ones are refused there (so not listed) when dmtok was built
 * without a kernel source for their XArray.
 */
#include <stddef.h>

#include "../model/model.h"
#include "dmtok/scheme.h"

const struct dmtok_scheme_ops *const dmtok__builtin_schemes[] = {
	&dmtok_scheme_xarray,
	&dmtok_scheme_xarray_small,
	&dmtok_scheme_xarray_fix_skip,
	&dmtok_scheme_xarray_fix_commit,
	&dmtok_scheme_xarray_kernel,
	&dmtok_scheme_xarray_fix_skip_kernel,
	&dmtok_scheme_xarray_fix_commit_kernel,
	&dmtok_scheme_niov_array,
	&dmtok_scheme_niov_uref,
	&dmtok_scheme_niov_uref_v10,
	&dmtok_scheme_slots,
	&dmtok_scheme_slots_runs,
	NULL,
};
