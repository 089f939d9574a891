/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * All of the kernel vocabulary at once: every shim header of
 * include/dmtok/kernel/ (each named after the kernel header it stands in
 * for, <linux/atomic.h>, <linux/slab.h>, <net/netmem.h>, "devmem.h", ...)
 * and the scheme interface.
 *
 * Scheme files do not include it: they include the kernel's header names,
 * as the same file does in net/core/, so they build unchanged in kbuild.
 * This header is for what sits around the schemes and needs all of it --
 * the model's own files, the benchmarks and tests that drive a scheme's
 * ops by hand -- and for scheme files written against interface version 2,
 * which included it (in kbuild, src/port/include/dmtok/kernel.h is its
 * twin).
 */
#ifndef DMTOK_KERNEL_H
#define DMTOK_KERNEL_H

#include "kernel/linux/types.h"
#include "kernel/linux/compiler.h"
#include "kernel/linux/errno.h"
#include "kernel/linux/array_size.h"
#include "kernel/linux/bitops.h"
#include "kernel/linux/container_of.h"
#include "kernel/linux/minmax.h"
#include "kernel/linux/atomic.h"
#include "kernel/linux/gfp.h"
#include "kernel/linux/slab.h"
#include "kernel/linux/spinlock.h"
#include "kernel/linux/bug.h"
#include "kernel/linux/skbuff.h"
#include "kernel/linux/skbuff_ref.h"
#include "kernel/linux/uio.h"
#include "kernel/linux/xarray.h"
#include "kernel/net/netmem.h"
#include "kernel/net/page_pool/helpers.h"
#include "kernel/devmem.h"

#include "scheme.h"
#include "uapi.h"

#endif /* DMTOK_KERNEL_H */
