/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The kernel vocabulary for scheme files, in userspace: the names a token
 * scheme uses in net/core/ and net/ipv4/tcp.c (u32, atomic_long_t,
 * READ_ONCE, smp_store_release, cmpxchg, kvmalloc, spinlock_t,
 * WARN_ON_ONCE, struct net_iov, netmem_ref, napi_pp_put_page(), the
 * binding accessors of net/core/devmem.h, the XArray), implemented over
 * C11/GNU atomics and dmtok's model. Only scheme files include it: a
 * program that uses the socket face includes <dmtok.h> and never sees u32.
 *
 * The kbuild glue (src/port/include/dmtok/kernel.h in the source tree)
 * supplies the same names from real Linux 6.12 headers, so one scheme file
 * builds in both worlds unchanged. Names read from Linux 6.12:
 * include/linux/atomic.h, include/asm-generic/rwonce.h,
 * include/asm-generic/barrier.h, include/linux/slab.h,
 * include/net/netmem.h, net/core/devmem.h, include/linux/xarray.h.
 *
 * Memory ordering is the kernel's (Documentation/atomic_t.txt): RMW ops
 * that return nothing are relaxed; value-returning RMW ops, cmpxchg and
 * xchg are fully ordered; _acquire/_release variants are exactly that.
 * Nothing relies on x86's strong ordering.
 *
 * The seams: a few things a scheme needs that 6.12 does not have (the
 * series adds them) or names differently are accessors here, defined by
 * each glue in its own way: net_iov_page_index(), net_iov_uref(),
 * net_devmem_binding_npages(), net_devmem_binding_niov(),
 * net_devmem_binding_autorelease(), net_devmem_binding_unbound(), and
 * the series' (v10) net_devmem_dmabuf_binding_user_get/put().
 *
 * Every function this header calls out of line is an exported, documented
 * dmtok_k*() / dmtok_xa_*() symbol of libdmtok.
 */
#ifndef DMTOK_KERNEL_H
#define DMTOK_KERNEL_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scheme.h"
#include "uapi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- include/linux/types.h, include/linux/compiler*.h ---- */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed int s32;
typedef signed long long s64;
typedef unsigned int gfp_t;

#define __force
#define __bitwise
#define __rcu
/* sparse's lock-context annotations (include/linux/compiler_types.h) */
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define __must_check	__attribute__((warn_unused_result))
#define __always_unused	__attribute__((unused))
#define __maybe_unused	__attribute__((unused))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(nr)		(1UL << (nr))	/* include/vdso/bits.h */
/* Like the kernel's: each argument evaluated exactly once. */
#define min(a, b) ({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); __a < __b ? __a : __b; })
#define max(a, b) ({ __typeof__(a) __a = (a); __typeof__(b) __b = (b); __a > __b ? __a : __b; })
#define min_t(type, a, b)	min((type)(a), (type)(b))
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define BITS_PER_LONG	(__SIZEOF_LONG__ * 8)	/* include/asm-generic/bitsperlong.h */

/* include/asm-generic/bitops/__ffs.h: first set bit, 0-based; @word != 0 */
static inline unsigned long __ffs(unsigned long word)
{
	return (unsigned long)__builtin_ctzl(word);
}

/* include/linux/bitops.h: set bits in @w */
static inline unsigned long hweight_long(unsigned long w)
{
	return (unsigned long)__builtin_popcountl(w);
}

/* include/asm-generic/bitops/fls64.h: last set bit, 1-based; 0 for 0 */
static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

/* ---- dmtok-explore's scheduling points (include/dmtok/explore.h) ---- */

/*
 * Set while dmtok_explore() runs. Built with DMTOK_SCHED_POINTS (meson
 * -Dsched_points, on by default in sanitizer builds, and in the Cflags of
 * their pkg-config files), every primitive below is a point where its
 * deterministic scheduler may switch threads; otherwise only the
 * out-of-line ones are (locks, allocations, napi_pp_put_page()), and
 * these cost nothing -- the check is a load and a branch per primitive,
 * which a benchmark must not pay.
 */
extern int dmtok_sched_active;
/** dmtok_sched_point() - a scheduling point of dmtok_explore() */
void dmtok_sched_point(void);
#ifdef DMTOK_SCHED_POINTS
#define DMTOK_SCHED_POINT()						\
	((void)(unlikely(__atomic_load_n(&dmtok_sched_active, __ATOMIC_RELAXED)) ? \
		dmtok_sched_point() : (void)0))
#else
#define DMTOK_SCHED_POINT()	((void)0)
#endif

/* ---- include/asm-generic/rwonce.h, include/asm-generic/barrier.h ---- */

#define READ_ONCE(x)	({ DMTOK_SCHED_POINT(); __atomic_load_n(&(x), __ATOMIC_RELAXED); })
#define WRITE_ONCE(x, v) ({ DMTOK_SCHED_POINT(); __atomic_store_n(&(x), (v), __ATOMIC_RELAXED); })
#define smp_load_acquire(p) ({ DMTOK_SCHED_POINT(); __atomic_load_n((p), __ATOMIC_ACQUIRE); })
#define smp_store_release(p, v)						\
	({ DMTOK_SCHED_POINT(); __atomic_store_n((p), (v), __ATOMIC_RELEASE); })
#define smp_mb()	({ DMTOK_SCHED_POINT(); __atomic_thread_fence(__ATOMIC_SEQ_CST); })
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

/* ---- include/linux/atomic.h ---- */

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

/* ---- include/linux/gfp_types.h (bits of dmtok's own numbering) ---- */

#define __GFP_HIGH		0x20u
#define __GFP_ZERO		0x100u
#define __GFP_DIRECT_RECLAIM	0x400u	/* may sleep */
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_NOWARN		0x2000u
#define GFP_KERNEL		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT		__GFP_KSWAPD_RECLAIM

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return !!(gfp & __GFP_DIRECT_RECLAIM);
}

/* ---- include/linux/slab.h: all through dmtok's injectable allocator ---- */

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

/* ---- include/linux/spinlock.h, include/linux/bottom_half.h ---- */

/*
 * A test-and-test-and-set lock that yields the CPU while it waits (a
 * userspace thread holding it can be preempted, which a kernel spinlock
 * holder cannot). Needs no destroy, as in the kernel. Bit 0 of the word
 * is the lock; the bits above name its lock class, set by
 * spin_lock_init() -- one class per spin_lock_init() call site, as
 * lockdep keys a class by the static key that macro makes. The lock
 * calls are out of line: each thread keeps its context as a debug kernel
 * does -- the locks it holds, whether BH is disabled, whether it runs in
 * softirq (the model's NIC) -- for the atomic-sleep check above and for
 * lockdep's checks: an order of two classes taken both ways (a possible
 * circular locking dependency), a class taken in softirq and with
 * softirqs on in process context (inconsistent lock state), and a lock
 * never initialised (DEBUG_SPINLOCK's bad magic). Each is a WARN.
 */
typedef struct { int locked; } spinlock_t;

/** dmtok_spin_lock_init() - spin_lock_init(): @l unlocked, of the class of @site */
void dmtok_spin_lock_init(spinlock_t *l, const char *site);
/** dmtok_spin_lock() - spin_lock(): take @l, count it as held */
void dmtok_spin_lock(spinlock_t *l);
/** dmtok_spin_unlock() - spin_unlock(): release @l */
void dmtok_spin_unlock(spinlock_t *l);
/** dmtok_local_bh_disable() - local_bh_disable(): softirqs off (nests) */
void dmtok_local_bh_disable(void);
/** dmtok_local_bh_enable() - local_bh_enable() */
void dmtok_local_bh_enable(void);
/** dmtok_spin_is_held() - does this thread hold @l? (lockdep_is_held()) */
bool dmtok_spin_is_held(const spinlock_t *l);

#define DMTOK_STR_(x)		#x
#define DMTOK_STR(x)		DMTOK_STR_(x)
/* a macro, as the kernel's: the call site is the lock class */
#define spin_lock_init(l)	dmtok_spin_lock_init((l), __FILE__ ":" DMTOK_STR(__LINE__))
static inline void spin_lock(spinlock_t *l) { dmtok_spin_lock(l); }
static inline void spin_unlock(spinlock_t *l) { dmtok_spin_unlock(l); }
static inline void local_bh_disable(void) { dmtok_local_bh_disable(); }
static inline void local_bh_enable(void) { dmtok_local_bh_enable(); }
static inline void spin_lock_bh(spinlock_t *l)
{
	dmtok_local_bh_disable();
	dmtok_spin_lock(l);
}
static inline void spin_unlock_bh(spinlock_t *l)
{
	dmtok_spin_unlock(l);
	dmtok_local_bh_enable();
}

/* ---- include/asm-generic/bug.h: counted, never fatal ---- */

/**
 * struct dmtok_warn_site - one WARN_ON() site, registered on its first hit
 * @file: the source file of the site
 * @expr: the condition, or what a run-time site reports
 * @line: the line of the site
 * @hits: how often it fired since the last dmtok_warn_reset()
 * @next: the list of sites hit so far
 * @listed: on that list already
 */
struct dmtok_warn_site {
	const char *file;
	const char *expr;
	int line;
	unsigned long hits;
	struct dmtok_warn_site *next;
	int listed;
};
/** dmtok_warn_hit() - count a hit of @site; dmtok_warn_count() reports */
void dmtok_warn_hit(struct dmtok_warn_site *site);
/** dmtok_warn_at() - count a hit of a site made at run time: @what at @file:@line */
void dmtok_warn_at(const char *file, int line, const char *what);

#define WARN_ON(cond) ({						\
	static struct dmtok_warn_site __dmtok_ws = {			\
		.file = __FILE__, .expr = #cond, .line = __LINE__ };	\
	bool __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn))					\
		dmtok_warn_hit(&__dmtok_ws);				\
	__ret_warn;							\
})
/* Every hit is counted; "once" only matters for log noise in the kernel. */
#define WARN_ON_ONCE(cond)	WARN_ON(cond)

/* ---- include/linux/skbuff.h, net/core/sock.c ---- */

#define MAX_SKB_FRAGS		DMTOK_MAX_SKB_FRAGS
#define MAX_DONTNEED_TOKENS	DMTOK_MAX_DONTNEED_TOKENS
#define MAX_DONTNEED_FRAGS	DMTOK_MAX_DONTNEED_FRAGS

/* ---- include/net/netmem.h, net/core/devmem.h: the model's objects ---- */

struct net_devmem_dmabuf_binding;
struct dmtok_page_pool;

/*
 * struct net_iov: one page-sized unit of a bound dmabuf.
 *  - pp_ref_count: the NIC, recvmsg and dontneed/close of any socket,
 *    concurrently; atomic. napi_pp_put_page() drops it; as in the kernel
 *    (page_pool_unref_netmem(), 6.12) the last reference is never
 *    dropped: the put that finds 1 recycles the niov, which sits at 1 in
 *    its pool's ring (0 only in the binding's free pool).
 *  - uref: the series' per-niov user references (manual release);
 *    reached through net_iov_uref(). Atomic. As in the series (v10),
 *    a niov whose uref is above 0 holds exactly one pp_ref_count for
 *    all of them: the scheme takes it on the 0->1 transition and drops
 *    it on 1->0; net_devmem_dmabuf_binding_put_urefs() drops what is
 *    left when the binding's last user goes.
 *  - owner, index: written once at bind, read-only after.
 */
struct net_iov {
	struct net_devmem_dmabuf_binding *owner;
	struct dmtok_page_pool *pp;		/* pool it was allocated from */
	atomic_long_t pp_ref_count;
	atomic_t uref;
	u32 index;				/* page index in the dmabuf */
	bool in_ring;				/* model: recycled, in its pool's ring */
};

struct dmtok_dmabuf;
struct dmtok_net;

/*
 * struct net_devmem_dmabuf_binding: a dmabuf bound to RX queues. A scheme
 * reads it only through the accessors below; the fields after "model" are
 * the model's own (the kernel's chunk_pool, list, dmabuf) and are not part
 * of what a scheme may touch.
 *  - id, npages, page_shift, autorelease, vec: written once at bind.
 *  - unbound: set once at unbind (under the net's lock), read anywhere
 *    with an acquire load.
 *  - ref: atomic; sockets, page pools and the net's table hold it.
 *  - users: atomic (the series' binding->users, v10): one per bound RX
 *    queue and one per manual-release socket that took frags of it;
 *    when it reaches 0 the urefs parked in its niovs are dropped and no
 *    socket can join any more.
 */
struct net_devmem_dmabuf_binding {
	u32 id;				/* global, cyclic, never 0 */
	atomic_t ref;			/* net_devmem_dmabuf_binding_get/put */
	atomic_t users;			/* ..._binding_user_get/put */
	u32 npages;
	u32 page_shift;
	bool autorelease;		/* false: DMTOK_BIND_NO_AUTORELEASE */
	bool unbound;
	struct net_iov **vec;		/* vec[npages], filled once at bind */
	/* model */
	u64 size;
	struct net_iov *niovs;		/* the niovs vec[] points to */
	spinlock_t lock;		/* used, seg_*, nfree (the chunk_pool) */
	unsigned long *used;		/* bitmap: a page handed to a pool */
	u32 nsegs, seg_pages;		/* gen_pool chunks: the dmabuf's segments */
	u32 *seg_hint;			/* per chunk: every page below it is in use */
	u32 *seg_free;			/* per chunk: free pages */
	u32 nfree;
	struct dmtok_dmabuf *dmabuf;
	struct dmtok_net *net;
	struct net_devmem_dmabuf_binding *next_all;	/* net's list */
};

typedef unsigned long __bitwise netmem_ref;
#define NET_IOV		0x01UL

static inline bool netmem_is_net_iov(const netmem_ref netmem)
{
	return (__force unsigned long)netmem & NET_IOV;
}

static inline struct net_iov *netmem_to_net_iov(netmem_ref netmem)
{
	return (struct net_iov *)((__force unsigned long)netmem & ~NET_IOV);
}

static inline netmem_ref net_iov_to_netmem(struct net_iov *niov)
{
	return (__force netmem_ref)((unsigned long)niov | NET_IOV);
}

static inline struct net_devmem_dmabuf_binding *net_iov_binding(const struct net_iov *niov)
{
	return niov->owner;
}

/* net_iov_virtual_addr(): the niov's offset in the dmabuf. */
static inline unsigned long net_iov_virtual_addr(const struct net_iov *niov)
{
	return (unsigned long)niov->index << niov->owner->page_shift;
}

static inline u32 net_iov_binding_id(const struct net_iov *niov)
{
	return niov->owner->id;
}

/* Seam: the niov's page index in its dmabuf (6.12: addr >> PAGE_SHIFT). */
static inline u32 net_iov_page_index(const struct net_iov *niov)
{
	return niov->index;
}

/* Seam: the series' niov->uref (6.12's net_iov has none). */
static inline atomic_t *net_iov_uref(struct net_iov *niov)
{
	return &niov->uref;
}

/* Seam: pages of the binding's dmabuf (6.12: dmabuf->size >> PAGE_SHIFT). */
static inline u32 net_devmem_binding_npages(const struct net_devmem_dmabuf_binding *b)
{
	return b->npages;
}

/* Seam: the series' binding->vec[idx] (6.12's RX binding has no vec). */
static inline struct net_iov *
net_devmem_binding_niov(const struct net_devmem_dmabuf_binding *b, u32 idx)
{
	return b->vec[idx];
}

/* Seam: the series' autorelease attribute. */
static inline bool net_devmem_binding_autorelease(const struct net_devmem_dmabuf_binding *b)
{
	return b->autorelease;
}

/*
 * Seam: the binding was unbound (its queues are closed). Its parked urefs
 * are reclaimed only when its last user goes, which may be later: use
 * net_devmem_dmabuf_binding_user_get() to know whether a socket may join.
 */
static inline bool net_devmem_binding_unbound(const struct net_devmem_dmabuf_binding *b)
{
	return __atomic_load_n(&b->unbound, __ATOMIC_ACQUIRE);
}

struct dmtok_net;
/**
 * dmtok_binding_lookup() - the live binding with id @id, with a reference
 * @net: the model
 * @id: a binding id from dmtok_bind_rx()
 *
 * For tools that drive a scheme's ops directly (dmtok-bench) and need the
 * niovs a NIC would hand out. Drop the reference with dmtok_binding_put().
 * Return: the binding, or NULL (no such live binding, or NULL @net).
 */
struct net_devmem_dmabuf_binding *dmtok_binding_lookup(struct dmtok_net *net, u32 id);

/** dmtok_binding_get() - the model's net_devmem_dmabuf_binding_get() */
void dmtok_binding_get(struct net_devmem_dmabuf_binding *b);
/** dmtok_binding_put() - the model's net_devmem_dmabuf_binding_put() */
void dmtok_binding_put(struct net_devmem_dmabuf_binding *b);

/*
 * net_devmem_dmabuf_binding_get() as 6.18 has it (percpu_ref_tryget()):
 * false once the binding is on its way out. Holders of a reference or of
 * a user (below) may call it.
 */
static inline bool net_devmem_dmabuf_binding_get(struct net_devmem_dmabuf_binding *b)
{
	return atomic_inc_not_zero(&b->ref);
}

static inline void net_devmem_dmabuf_binding_put(struct net_devmem_dmabuf_binding *b)
{
	dmtok_binding_put(b);
}

/**
 * dmtok_binding_put_urefs() - the series' net_devmem_dmabuf_binding_put_urefs()
 * @b: a binding whose last user went
 *
 * For each niov, xchg(uref, 0): one napi_pp_put_page() for a niov whose
 * uref was above 0 (many urefs map to one pp_ref_count). v10 devmem.c.
 */
void dmtok_binding_put_urefs(struct net_devmem_dmabuf_binding *b);

/* net_devmem_dmabuf_binding_user_get() (v10): joins unless no user is left. */
static inline bool net_devmem_dmabuf_binding_user_get(struct net_devmem_dmabuf_binding *b)
{
	return atomic_inc_not_zero(&b->users);
}

/* net_devmem_dmabuf_binding_user_put() (v10): the last user drops the urefs. */
static inline void net_devmem_dmabuf_binding_user_put(struct net_devmem_dmabuf_binding *b)
{
	if (atomic_dec_and_test(&b->users))
		dmtok_binding_put_urefs(b);
}

/**
 * dmtok_napi_pp_put_page() - the model's napi_pp_put_page()
 * @netmem: a net_iov's netmem
 *
 * Drops one pp_ref_count; the put that leaves only the pool's reference
 * recycles the niov into its page pool.
 *
 * Return: false if @netmem is not a net_iov or its count was already at
 * the pool's (a model bug: the caller WARNs), true otherwise.
 */
bool dmtok_napi_pp_put_page(netmem_ref netmem);

static inline bool napi_pp_put_page(netmem_ref netmem)
{
	return dmtok_napi_pp_put_page(netmem);
}

/*
 * page_pool_ref_netmem() (include/net/page_pool/helpers.h, 6.12): one more
 * pp_ref_count, as tcp_xa_pool_inc_pp_ref_count() takes the user's.
 */
static inline void page_pool_ref_netmem(netmem_ref netmem)
{
	atomic_long_inc(&netmem_to_net_iov(netmem)->pp_ref_count);
}

/*
 * DMTOK_SCHEME_EXPORT(&a_ops, &b_ops, ...): the one object a scheme
 * library exports for dmtok_scheme_load(). The kbuild glue defines it as
 * nothing, so a scheme file may end with it and still port unchanged.
 */
#define DMTOK_SCHEME_EXPORT(...)					\
	__attribute__((visibility("default")))				\
	const struct dmtok_scheme_library dmtok_scheme_library = {	\
		DMTOK_SCHEME_VERSION,					\
		(const struct dmtok_scheme_ops *const []){ __VA_ARGS__, NULL } \
	}

#ifdef __cplusplus
}
#endif

#include "kernel/xarray.h"

#endif /* DMTOK_KERNEL_H */
