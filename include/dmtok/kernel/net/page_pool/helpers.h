/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* include/net/page_pool/helpers.h (Linux 6.12): one more reference */
#ifndef DMTOK_SHIM_NET_PAGE_POOL_HELPERS_H
#define DMTOK_SHIM_NET_PAGE_POOL_HELPERS_H

#include "../../linux/atomic.h"
#include "../netmem.h"

/*
 * page_pool_ref_netmem() (include/net/page_pool/helpers.h, 6.12): one more
 * pp_ref_count, as tcp_xa_pool_inc_pp_ref_count() takes the user's.
 */
static inline void page_pool_ref_netmem(netmem_ref netmem)
{
	atomic_long_inc(&netmem_to_net_iov(netmem)->pp_ref_count);
}

#endif /* DMTOK_SHIM_NET_PAGE_POOL_HELPERS_H */
