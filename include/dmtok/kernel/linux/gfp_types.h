/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/gfp_types.h (Linux 6.12): the GFP flags token schemes
 * pass, in dmtok's own numbering; what matters is the kernel's meaning --
 * __GFP_DIRECT_RECLAIM may sleep, __GFP_ZERO zeroes.
 */
#ifndef DMTOK_SHIM_LINUX_GFP_TYPES_H
#define DMTOK_SHIM_LINUX_GFP_TYPES_H

#include "types.h"

#define __GFP_HIGH		0x20u
#define __GFP_ZERO		0x100u
#define __GFP_DIRECT_RECLAIM	0x400u	/* may sleep */
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_NOWARN		0x2000u
#define GFP_KERNEL		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT		__GFP_KSWAPD_RECLAIM

#endif /* DMTOK_SHIM_LINUX_GFP_TYPES_H */
