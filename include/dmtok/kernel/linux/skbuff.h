/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* include/linux/skbuff.h (Linux 6.12): the frags an skb holds */
#ifndef DMTOK_SHIM_LINUX_SKBUFF_H
#define DMTOK_SHIM_LINUX_SKBUFF_H

#include "../../scheme.h"

#define MAX_SKB_FRAGS		DMTOK_MAX_SKB_FRAGS

#endif /* DMTOK_SHIM_LINUX_SKBUFF_H */
