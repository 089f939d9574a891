/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/asm-generic/barrier.h (Linux 6.12): the acquire load, the
 * release store and the full barrier, in C11's orders -- nothing relies
 * on x86's strong ordering. Each is a scheduling point of dmtok-explore.
 */
#ifndef DMTOK_SHIM_ASM_BARRIER_H
#define DMTOK_SHIM_ASM_BARRIER_H

#include "../../sched_point.h"

#define smp_load_acquire(p) ({ DMTOK_SCHED_POINT(); __atomic_load_n((p), __ATOMIC_ACQUIRE); })
#define smp_store_release(p, v)						\
	({ DMTOK_SCHED_POINT(); __atomic_store_n((p), (v), __ATOMIC_RELEASE); })
#define smp_mb()	({ DMTOK_SCHED_POINT(); __atomic_thread_fence(__ATOMIC_SEQ_CST); })

#endif /* DMTOK_SHIM_ASM_BARRIER_H */
