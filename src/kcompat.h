/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The kernel-compat layer: kernel names (u32, atomic_t, atomic_inc,
 * kzalloc, spin_lock_bh, WARN_ON_ONCE, ...) over C11 atomics, the
 * injectable allocator and pthread mutexes. Scheme code includes only this
 * header (and devmem.h, which includes only this header), so porting a
 * scheme to net/core/ is the mechanical rename listed in the README:
 * this file is what changes, nothing else.
 *
 * Memory ordering follows Documentation/atomic_t.txt: non-value-returning
 * RMW ops (atomic_inc, atomic_dec) are relaxed; value-returning ones
 * (atomic_dec_return, atomic_dec_if_positive, atomic_cmpxchg, xchg) are
 * fully ordered (seq_cst here); _acquire/_release variants are exactly
 * that. Nothing relies on x86's strong ordering.
 */
#ifndef DMTOK_KCOMPAT_H
#define DMTOK_KCOMPAT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* Like the kernel's: each argument evaluated exactly once. */
#define min(a, b) ({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); __a < __b ? __a : __b; })
#define max(a, b) ({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); __a > __b ? __a : __b; })
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* errno values scheme code returns (same numbers as the kernel's). */
#ifndef EPERM
#define EPERM 1
#endif
#ifndef ENOENT
#define ENOENT 2
#endif
#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef EBADF
#define EBADF 9
#endif
#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef ENODEV
#define ENODEV 19
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ENOSPC
#define ENOSPC 28
#endif
#ifndef ERANGE
#define ERANGE 34
#endif
#ifndef EOVERFLOW
#define EOVERFLOW 75
#endif

/* ---- atomics (include/linux/atomic.h) ---- */

typedef struct { _Atomic int counter; } atomic_t;
typedef struct { _Atomic long counter; } atomic_long_t;

#define ATOMIC_INIT(i)	{ (i) }

#define DMTOK_ATOMIC_OPS(pfx, T, CT)					\
static inline CT pfx##_read(const T *v)					\
{ return atomic_load_explicit((_Atomic CT *)&v->counter, memory_order_relaxed); } \
static inline CT pfx##_read_acquire(const T *v)				\
{ return atomic_load_explicit((_Atomic CT *)&v->counter, memory_order_acquire); } \
static inline void pfx##_set(T *v, CT i)				\
{ atomic_store_explicit(&v->counter, i, memory_order_relaxed); }	\
static inline void pfx##_set_release(T *v, CT i)			\
{ atomic_store_explicit(&v->counter, i, memory_order_release); }	\
static inline void pfx##_add(CT i, T *v)				\
{ atomic_fetch_add_explicit(&v->counter, i, memory_order_relaxed); }	\
static inline void pfx##_sub(CT i, T *v)				\
{ atomic_fetch_sub_explicit(&v->counter, i, memory_order_relaxed); }	\
static inline void pfx##_inc(T *v) { pfx##_add(1, v); }		\
static inline void pfx##_dec(T *v) { pfx##_sub(1, v); }		\
static inline CT pfx##_add_return(CT i, T *v)				\
{ return atomic_fetch_add(&v->counter, i) + i; }			\
static inline CT pfx##_sub_return(CT i, T *v)				\
{ return atomic_fetch_sub(&v->counter, i) - i; }			\
static inline CT pfx##_inc_return(T *v) { return pfx##_add_return(1, v); } \
static inline CT pfx##_dec_return(T *v) { return pfx##_sub_return(1, v); } \
static inline bool pfx##_dec_and_test(T *v) { return pfx##_dec_return(v) == 0; } \
static inline CT pfx##_cmpxchg(T *v, CT old, CT new_)			\
{ atomic_compare_exchange_strong(&v->counter, &old, new_); return old; } \
static inline CT pfx##_xchg(T *v, CT new_)				\
{ return atomic_exchange(&v->counter, new_); }				\
/* Decrements unless that would go below zero; returns old - 1 either way. */ \
static inline CT pfx##_dec_if_positive(T *v)				\
{									\
	CT c = pfx##_read(v);						\
	do {								\
		if (unlikely(c <= 0))					\
			return c - 1;					\
	} while (!atomic_compare_exchange_weak(&v->counter, &c, c - 1)); \
	return c - 1;							\
}									\
static inline bool pfx##_inc_not_zero(T *v)				\
{									\
	CT c = pfx##_read(v);						\
	do {								\
		if (c == 0)						\
			return false;					\
	} while (!atomic_compare_exchange_weak(&v->counter, &c, c + 1)); \
	return true;							\
}

DMTOK_ATOMIC_OPS(atomic, atomic_t, int)
DMTOK_ATOMIC_OPS(atomic_long, atomic_long_t, long)

/*
 * Atomic pointer-sized slots (the kernel uses plain pointers with
 * READ_ONCE/WRITE_ONCE/xchg/cmpxchg/smp_store_release on them).
 */
typedef _Atomic(uintptr_t) atomic_ptr_t;
#define ptr_load_acquire(p)	((void *)atomic_load_explicit((p), memory_order_acquire))
#define ptr_load_relaxed(p)	((void *)atomic_load_explicit((p), memory_order_relaxed))
#define ptr_store_release(p, v)	atomic_store_explicit((p), (uintptr_t)(v), memory_order_release)
#define ptr_store_relaxed(p, v)	atomic_store_explicit((p), (uintptr_t)(v), memory_order_relaxed)
#define ptr_xchg(p, v)		((void *)atomic_exchange((p), (uintptr_t)(v)))
static inline bool ptr_cmpxchg(atomic_ptr_t *p, void *old, void *new_)
{
	uintptr_t o = (uintptr_t)old;

	return atomic_compare_exchange_strong(p, &o, (uintptr_t)new_);
}

/* ---- allocation (include/linux/slab.h); all through the injected allocator ---- */

typedef unsigned int gfp_t;
#define GFP_KERNEL	0u
#define GFP_ATOMIC	1u
#define __GFP_ZERO	0u	/* dmtok always zeroes */

void *dmtok__zalloc(size_t size);
void dmtok__free(void *ptr);

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	return dmtok__zalloc(size);
}
#define kmalloc kzalloc
#define kvzalloc kzalloc
static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	(void)gfp;
	if (size && n > SIZE_MAX / size)
		return NULL;	/* kvmalloc_array()'s overflow check */
	return dmtok__zalloc(n * size);
}
#define kvmalloc_array kvcalloc
#define kcalloc kvcalloc
static inline void kfree(const void *p) { dmtok__free((void *)p); }
#define kvfree kfree

/* ---- locks (include/linux/spinlock.h) ---- */

/* A sleeping-capable lock standing in for spinlock_t (pthread mutex inside). */
typedef struct { _Alignas(8) unsigned char opaque[64]; } spinlock_t;
void dmtok__spin_lock_init(spinlock_t *l);
void dmtok__spin_lock(spinlock_t *l);
void dmtok__spin_unlock(spinlock_t *l);
void dmtok__spin_lock_destroy(spinlock_t *l);
#define spin_lock_init(l)	dmtok__spin_lock_init(l)
#define spin_lock(l)		dmtok__spin_lock(l)
#define spin_unlock(l)		dmtok__spin_unlock(l)
#define spin_lock_bh(l)		dmtok__spin_lock(l)
#define spin_unlock_bh(l)	dmtok__spin_unlock(l)
#define spin_lock_destroy(l)	dmtok__spin_lock_destroy(l)	/* no kernel twin */

/* ---- WARN (include/asm-generic/bug.h), counted, never fatal ---- */

struct dmtok_warn_site {
	const char *file;
	const char *expr;
	int line;
	_Atomic unsigned long hits;
	struct dmtok_warn_site *_Atomic next;
	_Atomic int listed;
};
void dmtok__warn_hit(struct dmtok_warn_site *site);

#define WARN_ON(cond) ({						\
	static struct dmtok_warn_site __dmtok_ws = {			\
		.file = __FILE__, .expr = #cond, .line = __LINE__ };	\
	bool __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn))					\
		dmtok__warn_hit(&__dmtok_ws);				\
	__ret_warn;							\
})
/* Every hit is counted; "once" only matters for log noise in the kernel. */
#define WARN_ON_ONCE(cond)	WARN_ON(cond)

/* ---- bitops ---- */
static inline unsigned int __ffs64(u64 w) { return (unsigned int)__builtin_ctzll(w); }
static inline unsigned int ilog2_u64(u64 v) { return 63u - (unsigned int)__builtin_clzll(v); }

#endif /* DMTOK_KCOMPAT_H */
