/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/slab.h (Linux 6.12): kmalloc(), kvmalloc() and friends,
 * all through dmtok's one injectable allocator (<dmtok/alloc.h>), so an
 * allocation can fail anywhere a test says; what a debug kernel does with
 * them (poisoned memory, the atomic-sleep WARN) is done here too.
 */
#ifndef DMTOK_SHIM_LINUX_SLAB_H
#define DMTOK_SHIM_LINUX_SLAB_H

#include <limits.h>
#include <stdint.h>

#include "types.h"
#include "gfp.h"

/**
 * dmtok_kmalloc_at() - the allocator behind kmalloc() and friends
 * @size: bytes
 * @gfp: GFP flags: __GFP_ZERO zeroes; without it the memory is filled
 *       with POISON_FREE (0x6b), as a slab debug kernel hands out a
 *       freed object (slub_debug=P), so a scheme that relies on kmalloc()
 *       zeroing reads garbage; a flag that may sleep (GFP_KERNEL) in
 *       atomic context -- a spinlock held, BH disabled, softirq -- is a
 *       WARN at the call site, as CONFIG_DEBUG_ATOMIC_SLEEP's might_sleep()
 * @file: the call site, for the WARN
 * @line: the call site's line
 *
 * Return: the memory, or NULL when the injected allocator fails or @size
 * exceeds INT_MAX (kvmalloc()'s limit).
 */
void *dmtok_kmalloc_at(size_t size, gfp_t gfp, const char *file, int line);
/** dmtok_kmalloc() - dmtok_kmalloc_at() without a call site */
void *dmtok_kmalloc(size_t size, gfp_t gfp);
/** dmtok_kfree() - the free behind kfree() and kvfree(); NULL is a no-op */
void dmtok_kfree(const void *p);

/*
 * kmalloc_array()'s overflow check, then the allocation: an overflowing
 * size is NULL without a WARN (check_mul_overflow() in
 * kvmalloc_array_node_noprof(), 6.12)
 */
static inline void *kmalloc_array_site(size_t n, size_t size, gfp_t gfp,
					   const char *file, int line)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return dmtok_kmalloc_at(n * size, gfp, file, line);
}

/* Macros, so a sleeping allocation in atomic context names its call site. */
#define kmalloc(s, g)		dmtok_kmalloc_at((s), (g), __FILE__, __LINE__)
#define kzalloc(s, g)		dmtok_kmalloc_at((s), (g) | __GFP_ZERO, __FILE__, __LINE__)
#define kvmalloc(s, g)		kmalloc((s), (g))
#define kvzalloc(s, g)		kzalloc((s), (g))
#define kmalloc_array(n, s, g)	kmalloc_array_site((n), (s), (g), __FILE__, __LINE__)
#define kvmalloc_array(n, s, g)	kmalloc_array((n), (s), (g))
#define kcalloc(n, s, g)	kmalloc_array((n), (s), (g) | __GFP_ZERO)
#define kvcalloc(n, s, g)	kcalloc((n), (s), (g))
static inline void kfree(const void *p) { dmtok_kfree(p); }
static inline void kvfree(const void *p) { dmtok_kfree(p); }

#endif /* DMTOK_SHIM_LINUX_SLAB_H */
