/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * <dmtok/kernel.h> in kbuild: the twin of include/dmtok/kernel.h for
 * scheme files written against interface version 2, which included it
 * instead of the kernel's own headers. It includes the real headers such
 * a file used and the glue's devmem.h, so an old file still builds in
 * dmtok-port-check and the KUnit run unchanged. A new file includes the
 * kernel headers itself, as examples/scheme-template/ptrtable.c does; a
 * file ported into net/core/ must, since this header exists only here.
 */
#ifndef DMTOK_PORT_KERNEL_H
#define DMTOK_PORT_KERNEL_H

#include <linux/array_size.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/container_of.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/skbuff.h>
#include <linux/skbuff_ref.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/xarray.h>
#include <net/netmem.h>
#include <net/page_pool/helpers.h>

#include <dmtok/scheme.h>

#include "../../devmem.h"

#endif /* DMTOK_PORT_KERNEL_H */
