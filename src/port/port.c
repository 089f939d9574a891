// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The module the port check links the scheme objects into, so that
 * modpost checks every symbol they use against the kernel's exports. It
 * is built, never loaded: the one function here stands in for the
 * binding free that net/core/devmem.c provides inside the kernel (not
 * exported to modules).
 */
#include <linux/module.h>

#include <dmtok/kernel.h>

void __net_devmem_dmabuf_binding_free(struct net_devmem_dmabuf_binding *binding)
{
	kfree(dmtok_port_binding(binding));
}

MODULE_DESCRIPTION("dmtok token schemes, compiled against the kernel (never loaded)");
MODULE_LICENSE("Dual BSD/GPL");
