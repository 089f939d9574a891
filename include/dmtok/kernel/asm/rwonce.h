/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/asm-generic/rwonce.h (Linux 6.12): READ_ONCE() and WRITE_ONCE(),
 * relaxed atomic accesses here (a plain volatile access in the kernel,
 * which C11 calls a data race), each a scheduling point of dmtok-explore.
 */
#ifndef DMTOK_SHIM_ASM_RWONCE_H
#define DMTOK_SHIM_ASM_RWONCE_H

#include "../../sched_point.h"

#define READ_ONCE(x)	({ DMTOK_SCHED_POINT(); __atomic_load_n(&(x), __ATOMIC_RELAXED); })
#define WRITE_ONCE(x, v) ({ DMTOK_SCHED_POINT(); __atomic_store_n(&(x), (v), __ATOMIC_RELAXED); })

#endif /* DMTOK_SHIM_ASM_RWONCE_H */
