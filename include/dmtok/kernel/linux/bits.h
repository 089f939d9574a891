/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* include/linux/bits.h (Linux 6.12; BIT() from include/vdso/bits.h) */
#ifndef DMTOK_SHIM_LINUX_BITS_H
#define DMTOK_SHIM_LINUX_BITS_H

#define BIT(nr)		(1UL << (nr))

#endif /* DMTOK_SHIM_LINUX_BITS_H */
