/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/compiler_types.h (Linux 6.12): sparse's annotations, which
 * mean nothing to a compiler, and the attributes the kernel names. The
 * kernel build includes this header in every file (-include); here
 * <linux/types.h> does.
 */
#ifndef DMTOK_SHIM_LINUX_COMPILER_TYPES_H
#define DMTOK_SHIM_LINUX_COMPILER_TYPES_H

#define __force
#ifndef __bitwise
#define __bitwise
#endif
#define __rcu
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define __must_check	__attribute__((warn_unused_result))
#define __always_unused	__attribute__((unused))
#define __maybe_unused	__attribute__((unused))

#endif /* DMTOK_SHIM_LINUX_COMPILER_TYPES_H */
