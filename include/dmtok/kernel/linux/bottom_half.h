/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/bottom_half.h (Linux 6.12): softirqs off and on again,
 * per thread; what the atomic-sleep check and lockdep's inconsistent
 * lock state read.
 */
#ifndef DMTOK_SHIM_LINUX_BOTTOM_HALF_H
#define DMTOK_SHIM_LINUX_BOTTOM_HALF_H

/** dmtok_local_bh_disable() - local_bh_disable(): softirqs off (nests) */
void dmtok_local_bh_disable(void);
/** dmtok_local_bh_enable() - local_bh_enable() */
void dmtok_local_bh_enable(void);

static inline void local_bh_disable(void) { dmtok_local_bh_disable(); }
static inline void local_bh_enable(void) { dmtok_local_bh_enable(); }

#endif /* DMTOK_SHIM_LINUX_BOTTOM_HALF_H */
