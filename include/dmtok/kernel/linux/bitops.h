/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/bitops.h (Linux 6.12) and what it pulls in: BITS_PER_LONG
 * (asm-generic/bitsperlong.h), __ffs() (asm-generic/bitops/__ffs.h),
 * fls64() (asm-generic/bitops/fls64.h), hweight_long().
 */
#ifndef DMTOK_SHIM_LINUX_BITOPS_H
#define DMTOK_SHIM_LINUX_BITOPS_H

#include "types.h"
#include "bits.h"

#define BITS_PER_LONG	(__SIZEOF_LONG__ * 8)

/* first set bit, 0-based; @word != 0 */
static inline unsigned long __ffs(unsigned long word)
{
	return (unsigned long)__builtin_ctzl(word);
}

/* set bits in @w */
static inline unsigned long hweight_long(unsigned long w)
{
	return (unsigned long)__builtin_popcountl(w);
}

/* last set bit, 1-based; 0 for 0 */
static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

#endif /* DMTOK_SHIM_LINUX_BITOPS_H */
