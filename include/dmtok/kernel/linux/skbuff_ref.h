/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/skbuff_ref.h (Linux 6.12): napi_pp_put_page(), the put a
 * scheme gives back a frag's reference with.
 */
#ifndef DMTOK_SHIM_LINUX_SKBUFF_REF_H
#define DMTOK_SHIM_LINUX_SKBUFF_REF_H

#include "types.h"
#include "../net/netmem.h"

/**
 * dmtok_napi_pp_put_page() - the model's napi_pp_put_page()
 * @netmem: a net_iov's netmem
 *
 * Drops one pp_ref_count; the put that leaves only the pool's reference
 * recycles the niov into its page pool.
 *
 * Return: false if @netmem is not a net_iov or its count was already at
 * the pool's (a model bug: the caller WARNs), true otherwise.
 */
bool dmtok_napi_pp_put_page(netmem_ref netmem);

static inline bool napi_pp_put_page(netmem_ref netmem)
{
	return dmtok_napi_pp_put_page(netmem);
}

#endif /* DMTOK_SHIM_LINUX_SKBUFF_REF_H */
