/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/minmax.h (Linux 6.12): min(), max(), min_t(), each
 * argument evaluated exactly once, as the kernel's (without its type check).
 */
#ifndef DMTOK_SHIM_LINUX_MINMAX_H
#define DMTOK_SHIM_LINUX_MINMAX_H

#define min(a, b) ({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); __a < __b ? __a : __b; })
#define max(a, b) ({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); __a > __b ? __a : __b; })
#define min_t(type, a, b)	min((type)(a), (type)(b))

#endif /* DMTOK_SHIM_LINUX_MINMAX_H */
