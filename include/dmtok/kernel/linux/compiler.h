/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/compiler.h (Linux 6.12): branch hints, and READ_ONCE()
 * and WRITE_ONCE() through <asm/rwonce.h>, as the kernel's.
 */
#ifndef DMTOK_SHIM_LINUX_COMPILER_H
#define DMTOK_SHIM_LINUX_COMPILER_H

#include "compiler_types.h"

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#include "../asm/rwonce.h"

#endif /* DMTOK_SHIM_LINUX_COMPILER_H */
