/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * include/linux/atomic.h (Linux 6.12): xchg(), cmpxchg() and the
 * try_cmpxchg() family, atomic_t and atomic_long_t, over GNU atomics with
 * the kernel's orders (Documentation/atomic_t.txt): RMW ops that return
 * nothing are relaxed; value-returning RMW ops, cmpxchg and xchg are fully
 * ordered; _acquire/_release variants are exactly that. Each is a
 * scheduling point of dmtok-explore.
 */
#ifndef DMTOK_SHIM_LINUX_ATOMIC_H
#define DMTOK_SHIM_LINUX_ATOMIC_H

#include "types.h"
#include "compiler.h"
#include "../asm/barrier.h"

/* fully ordered; return the old value */
#define xchg(p, v)	({ DMTOK_SCHED_POINT(); __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST); })
#define cmpxchg(p, o, n) ({						\
	__typeof__(*(p)) __old = (o);					\
	DMTOK_SCHED_POINT();						\
	__atomic_compare_exchange_n((p), &__old, (n), false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);	\
	__old;								\
})
/* *@po is updated to the value found on failure */
#define try_cmpxchg(p, po, n) ({					\
	DMTOK_SCHED_POINT();						\
	__atomic_compare_exchange_n((p), (po), (n), false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);	\
})
#define try_cmpxchg_release(p, po, n) ({				\
	DMTOK_SCHED_POINT();						\
	__atomic_compare_exchange_n((p), (po), (n), false,		\
				    __ATOMIC_RELEASE, __ATOMIC_RELAXED);	\
})

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
#define ATOMIC_INIT(i)		{ (i) }
#define ATOMIC_LONG_INIT(i)	{ (i) }

#define DMTOK_ATOMIC_OPS(pfx, T, CT)					\
static inline CT pfx##_read(const T *v)					\
{ DMTOK_SCHED_POINT(); return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); }		\
static inline CT pfx##_read_acquire(const T *v)				\
{ DMTOK_SCHED_POINT(); return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE); }		\
static inline void pfx##_set(T *v, CT i)				\
{ DMTOK_SCHED_POINT(); __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); }			\
static inline void pfx##_set_release(T *v, CT i)			\
{ DMTOK_SCHED_POINT(); __atomic_store_n(&v->counter, i, __ATOMIC_RELEASE); }			\
static inline void pfx##_add(CT i, T *v)				\
{ DMTOK_SCHED_POINT(); __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); }		\
static inline void pfx##_sub(CT i, T *v)				\
{ DMTOK_SCHED_POINT(); __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED); }		\
static inline void pfx##_inc(T *v) { pfx##_add(1, v); }		\
static inline void pfx##_dec(T *v) { pfx##_sub(1, v); }		\
static inline CT pfx##_add_return(CT i, T *v)				\
{ DMTOK_SCHED_POINT(); return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline CT pfx##_sub_return(CT i, T *v)				\
{ DMTOK_SCHED_POINT(); return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST); }	\
static inline CT pfx##_inc_return(T *v) { return pfx##_add_return(1, v); } \
static inline CT pfx##_dec_return(T *v) { return pfx##_sub_return(1, v); } \
static inline bool pfx##_dec_and_test(T *v) { return pfx##_dec_return(v) == 0; } \
static inline CT pfx##_cmpxchg(T *v, CT old, CT new_)			\
{ return cmpxchg(&v->counter, old, new_); }				\
static inline bool pfx##_try_cmpxchg(T *v, CT *old, CT new_)		\
{ return try_cmpxchg(&v->counter, old, new_); }				\
static inline CT pfx##_xchg(T *v, CT new_)				\
{ return xchg(&v->counter, new_); }					\
/* Decrements unless that would go below zero; returns old - 1 either way. */ \
static inline CT pfx##_dec_if_positive(T *v)				\
{									\
	CT c = pfx##_read(v);						\
	do {								\
		if (unlikely(c <= 0))					\
			return c - 1;					\
	} while (!pfx##_try_cmpxchg(v, &c, c - 1));			\
	return c - 1;							\
}									\
/* bitwise: the old value, with the order the suffix names */	\
static inline CT pfx##_fetch_or_release(CT i, T *v)			\
{ DMTOK_SCHED_POINT(); return __atomic_fetch_or(&v->counter, i, __ATOMIC_RELEASE); } \
static inline CT pfx##_fetch_andnot_acquire(CT i, T *v)			\
{ DMTOK_SCHED_POINT(); return __atomic_fetch_and(&v->counter, ~i, __ATOMIC_ACQUIRE); } \
static inline CT pfx##_fetch_andnot(CT i, T *v)				\
{ DMTOK_SCHED_POINT(); return __atomic_fetch_and(&v->counter, ~i, __ATOMIC_SEQ_CST); } \
static inline bool pfx##_inc_not_zero(T *v)				\
{									\
	CT c = pfx##_read(v);						\
	do {								\
		if (c == 0)						\
			return false;					\
	} while (!pfx##_try_cmpxchg(v, &c, c + 1));			\
	return true;							\
}									\
static inline bool pfx##_add_unless(T *v, CT a, CT u)			\
{									\
	CT c = pfx##_read(v);						\
	do {								\
		if (c == u)						\
			return false;					\
	} while (!pfx##_try_cmpxchg(v, &c, c + a));			\
	return true;							\
}

DMTOK_ATOMIC_OPS(atomic, atomic_t, int)
DMTOK_ATOMIC_OPS(atomic_long, atomic_long_t, long)
#undef DMTOK_ATOMIC_OPS

#endif /* DMTOK_SHIM_LINUX_ATOMIC_H */
