// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The module the port check links the scheme objects into, so that
 * modpost checks every symbol they use against the kernel's exports. It
 * is built, never loaded: two functions here stand in for the binding
 * free and the series' uref reclaim, which net/core/devmem.c provides
 * inside the kernel (not exported to modules); the third is the stats
 * hook of <dmtok/scheme.h>, read from the real XArray. The KUnit build
 * links it into the kernel beside the scheme files: the names are the
 * glue's own, so a kernel with NET_DEVMEM=y keeps its own.
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/skbuff_ref.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include <dmtok/scheme.h>

#include "devmem.h"

void dmtok_port_binding_free(struct net_devmem_dmabuf_binding *binding)
{
	kfree(dmtok_port_binding(binding));
}

/* The series' (v10) reclaim of urefs left when a binding's last user goes. */
void net_devmem_dmabuf_binding_put_urefs(struct net_devmem_dmabuf_binding *binding)
{
	u32 i, npages = net_devmem_binding_npages(binding);

	for (i = 0; i < npages; i++) {
		struct net_iov *niov = net_devmem_binding_niov(binding, i);

		if (atomic_xchg(net_iov_uref(niov), 0) > 0)
			WARN_ON_ONCE(!napi_pp_put_page(net_iov_to_netmem(niov)));
	}
}

/*
 * What the model reports of an XArray, read from the kernel's own: the
 * occupied slots, reservations (XA_ZERO_ENTRY) included as in the model,
 * XA_FLAGS_ALLOC1's own entry at index 0 not. The caller holds xa_lock.
 * The kernel keeps no per-array node counts: those read 0.
 */
void dmtok_xa_stats(const struct xarray *xa, struct dmtok_xa_stats *st)
{
	XA_STATE(xas, (struct xarray *)xa, 0);
	void *entry;

	*st = (struct dmtok_xa_stats){ 0 };
	xas_for_each(&xas, entry, ULONG_MAX)
		if (xas.xa_index || !xa_is_zero(entry))
			st->entries++;
}

MODULE_DESCRIPTION("dmtok token schemes, compiled against the kernel (never loaded)");
MODULE_LICENSE("Dual BSD/GPL");
