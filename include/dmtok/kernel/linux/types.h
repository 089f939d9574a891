/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/types.h (Linux 6.12): the fixed-size integer types and
 * gfp_t, over the userspace API header of the same name when the system
 * has one (the kernel's includes uapi/linux/types.h too).
 *
 * Every header under include/dmtok/kernel/ is named after the kernel
 * header it stands in for, so a scheme file includes in userspace exactly
 * what it would include in net/core/: dmtok's build and pkg-config's
 * Cflags put this directory on the include path, kbuild the real headers.
 * The shims include each other by relative path, so <dmtok/kernel.h>
 * works without it. Each shim holds only what token schemes use, with
 * the kernel's signatures and memory ordering (Documentation/atomic_t.txt).
 */
/*
 * Outside the guard: this file may be reached first by a relative path
 * (the shims include each other so), then its #include_next finds it
 * again on the include path, and that copy finds the system's.
 */
#ifdef __has_include_next
#if __has_include_next(<linux/types.h>)
#include_next <linux/types.h>
#endif
#endif

#ifndef DMTOK_SHIM_LINUX_TYPES_H
#define DMTOK_SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler_types.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed int s32;
typedef signed long long s64;
typedef unsigned int __bitwise gfp_t;

#endif /* DMTOK_SHIM_LINUX_TYPES_H */
