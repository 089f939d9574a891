/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* include/linux/gfp.h (Linux 6.12): may an allocation with @gfp sleep? */
#ifndef DMTOK_SHIM_LINUX_GFP_H
#define DMTOK_SHIM_LINUX_GFP_H

#include "types.h"
#include "gfp_types.h"

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return !!(gfp & __GFP_DIRECT_RECLAIM);
}

#endif /* DMTOK_SHIM_LINUX_GFP_H */
