// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The out-of-line half of the kernel vocabulary (<dmtok/kernel.h>): the
 * injectable allocator behind kmalloc()/kvmalloc() (default malloc+zero,
 * and the test allocator that fails the Nth call) with a debug kernel's
 * slab poisoning and atomic-sleep check, the spinlocks and each thread's
 * context (locks held, BH disabled, softirq), and the WARN hit counter.
 * This is the one place the model calls into libc for memory and locks.
 */
#include <pthread.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmtok/alloc.h"
#include "compat.h"

/*
 * Zeroed like kzalloc()/kvzalloc(): the memory is written, so it is
 * committed at allocation as in the kernel, not faulted in lazily later
 * (calloc() of a large size hands back untouched pages, which would move
 * the cost of an array scheme's allocation into its first uses).
 */
static void *zero_alloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p)
		memset(p, 0, size);
	return p;
}

static void *default_zalloc(void *ctx, size_t size)
{
	(void)ctx;
	return zero_alloc(size);
}

static void default_free(void *ctx, void *ptr, size_t size)
{
	(void)ctx;
	(void)size;
	free(ptr);
}

static struct dmtok_allocator cur_alloc = {
	.zalloc = default_zalloc, .free = default_free, .ctx = NULL,
};

void dmtok_set_allocator(const struct dmtok_allocator *a)
{
	if (a && a->zalloc && a->free)
		cur_alloc = *a;
	else
		cur_alloc = (struct dmtok_allocator){ default_zalloc, default_free, NULL };
}

/* Is an allocator other than the default installed (a test's, injecting failures)? */
bool dmtok__alloc_custom(void)
{
	return cur_alloc.zalloc != default_zalloc;
}

/* ---- each thread's kernel context (what preempt_count() tells) ---- */

#define HELD_MAX	16

struct kctx {
	int bh;			/* local_bh_disable() depth */
	int softirq;		/* running as softirq (the model's NAPI) */
	int nspin;		/* spinlocks held: atomic context */
	int nheld;		/* locks held: spinlocks and the model's mutexes */
	const void *held[HELD_MAX];	/* in the order taken */
	unsigned int held_cls[HELD_MAX];	/* their lock classes */
};
static _Thread_local struct kctx kctx __attribute__((tls_model("initial-exec")));

void dmtok__softirq_enter(void)
{
	kctx.softirq++;
}

void dmtok__softirq_exit(void)
{
	kctx.softirq--;
}

/* in_atomic() with CONFIG_PREEMPT_COUNT: may this thread sleep now? */
static bool in_atomic_ctx(void)
{
	return kctx.nspin || kctx.bh || kctx.softirq;
}

/*
 * The WARN of __might_sleep() (kernel/sched/core.c, 6.12: "BUG: sleeping
 * function called from invalid context"), counted at the allocation's
 * call site with the context that made it invalid.
 */
static void might_sleep_at(const char *file, int line, const char *sleeper)
{
	char what[256];

	snprintf(what, sizeof(what), "might_sleep: %s in atomic context "
		 "(%d spinlock(s) held, BH %s%s)", sleeper, kctx.nspin,
		 kctx.bh ? "disabled" : "enabled", kctx.softirq ? ", in softirq" : "");
	dmtok_warn_at(file, line, what);
}

/* might_sleep() (include/linux/kernel.h) at @file:@line, for an allocation not made here */
void dmtok__might_sleep(const char *file, int line)
{
	dmtok__might_sleep_in(file, line, "GFP_KERNEL allocation");
}

/* might_sleep() at @file:@line, before @sleeper (what would sleep) */
void dmtok__might_sleep_in(const char *file, int line, const char *sleeper)
{
	DMTOK_SCHED_POINT();
	if (in_atomic_ctx())
		might_sleep_at(file, line, sleeper);
}

/*
 * __kvmalloc_node_noprof() (mm/util.c, 6.12) refuses sizes above INT_MAX
 * with WARN_ON_ONCE(!(flags & __GFP_NOWARN)): a WARN here too, at the
 * call site (kmalloc() of that size WARNs in the page allocator). A bind
 * of a dmabuf that large reaches it: CAP_NET_ADMIN only. Memory
 * without __GFP_ZERO is filled with POISON_FREE (include/linux/poison.h),
 * what slub_debug=P leaves in a freed object that is handed out again.
 */
void *dmtok_kmalloc_at(size_t size, gfp_t gfp, const char *file, int line)
{
	void *p;

	DMTOK_SCHED_POINT();
	if (gfpflags_allow_blocking(gfp) && in_atomic_ctx())
		might_sleep_at(file ? file : "?", line, "GFP_KERNEL allocation");
	if (size > INT_MAX) {
		if (!(gfp & __GFP_NOWARN))
			dmtok_warn_at(file ? file : "?", line,
				      "kvmalloc: size above INT_MAX (__kvmalloc_node_noprof())");
		return NULL;
	}
	/* dmtok-explore's memory pressure: what may not sleep fails */
	if (unlikely(__atomic_load_n(&dmtok__sched_nowait_fails, __ATOMIC_RELAXED)) &&
	    !gfpflags_allow_blocking(gfp) && dmtok__sched_on())
		return NULL;
	p = cur_alloc.zalloc(cur_alloc.ctx, size);
	if (p && !(gfp & __GFP_ZERO))
		memset(p, 0x6b, size);
	return p;
}

void *dmtok_kmalloc(size_t size, gfp_t gfp)
{
	return dmtok_kmalloc_at(size, gfp, NULL, 0);
}

void dmtok_kfree(const void *ptr)
{
	if (ptr)
		cur_alloc.free(cur_alloc.ctx, (void *)ptr, 0);
}

/* ---- test allocator ---- */

struct test_alloc_state {
	_Atomic long live, calls, failed, fail_nth, fail_from;
};
_Static_assert(sizeof(struct test_alloc_state) <= sizeof(((struct dmtok_test_allocator *)0)->opaque),
	       "opaque too small");

static struct test_alloc_state *tas(const struct dmtok_test_allocator *t)
{
	return (struct test_alloc_state *)(void *)t->opaque;
}

static void *test_zalloc(void *ctx, size_t size)
{
	struct test_alloc_state *s = tas(ctx);
	long n = atomic_fetch_add(&s->calls, 1) + 1;
	long nth = atomic_load(&s->fail_nth), from = atomic_load(&s->fail_from);
	void *p;

	if ((nth && n == nth) || (from && n >= from)) {
		atomic_fetch_add(&s->failed, 1);
		return NULL;
	}
	p = zero_alloc(size);
	if (p)
		atomic_fetch_add(&s->live, 1);
	return p;
}

static void test_free(void *ctx, void *ptr, size_t size)
{
	(void)size;
	atomic_fetch_sub(&tas(ctx)->live, 1);
	free(ptr);
}

void dmtok_test_allocator_install(struct dmtok_test_allocator *t)
{
	if (!t) {	/* nothing to install: back to the default */
		dmtok_set_allocator(NULL);
		return;
	}
	memset(t, 0, sizeof(*t));
	t->base.zalloc = test_zalloc;
	t->base.free = test_free;
	t->base.ctx = t;
	dmtok_set_allocator(&t->base);
}

/* The call number @nth calls from now, or 0 (never) if out of range. */
static long arm_at(struct test_alloc_state *s, long nth)
{
	long calls = atomic_load(&s->calls);

	if (nth <= 0 || nth > LONG_MAX - calls)
		return 0;
	return calls + nth;
}

void dmtok_test_allocator_fail_nth(struct dmtok_test_allocator *t, long nth)
{
	struct test_alloc_state *s;

	if (!t)
		return;
	s = tas(t);
	atomic_store(&s->fail_from, 0);
	atomic_store(&s->fail_nth, arm_at(s, nth));
}

void dmtok_test_allocator_fail_from(struct dmtok_test_allocator *t, long nth)
{
	struct test_alloc_state *s;

	if (!t)
		return;
	s = tas(t);
	atomic_store(&s->fail_nth, 0);
	atomic_store(&s->fail_from, arm_at(s, nth));
}

long dmtok_test_allocator_live(const struct dmtok_test_allocator *t)
{
	return t ? atomic_load(&tas(t)->live) : -1;
}

long dmtok_test_allocator_calls(const struct dmtok_test_allocator *t)
{
	return t ? atomic_load(&tas(t)->calls) : -1;
}

long dmtok_test_allocator_failed(const struct dmtok_test_allocator *t)
{
	return t ? atomic_load(&tas(t)->failed) : -1;
}

/* ---- lockdep, in small (kernel/locking/lockdep.c) ---- */

/*
 * Lock classes: a spinlock's is its spin_lock_init() call site, kept in
 * the bits above the lock bit; a model mutex's is its lock expression at
 * the call site (dmtok__mutex_lock()). The order graph has an edge A -> B
 * once B was taken with A held; a new edge B -> A when A is reachable
 * from B closes a cycle: lockdep's "possible circular locking
 * dependency", reported on the first new edge that closes it. A
 * spinlock class taken in softirq and, elsewhere, in process context
 * with softirqs enabled is lockdep's "inconsistent lock state"
 * ({IN-SOFTIRQ-W} vs {SOFTIRQ-ON-W}): the softirq can interrupt the
 * holder on its CPU and spin forever. Classes and edges are never
 * forgotten, as in the kernel; two locks of one class nested are not
 * checked (the kernel wants spin_lock_nested() there; nothing here does
 * that). No existing engine does this for userspace C with the kernel's
 * vocabulary (TSan's lock-order check sees only pthread mutexes, by
 * address), hence this.
 */
#define MAXCLASS	256
#define CLS_IN_SOFTIRQ	1u
#define CLS_SOFTIRQ_ON	2u

static char cls_name[MAXCLASS][96];	/* [0]: none */
static unsigned int ncls = 1;		/* cls_lock */
static unsigned char cls_usage[MAXCLASS];	/* atomic */
static unsigned char order[MAXCLASS][MAXCLASS / 8];	/* atomic bits: A -> B */
static pthread_mutex_t cls_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int kernel_debug = DMTOK_DEBUG_LOCKDEP;

unsigned int dmtok_set_kernel_debug(unsigned int flags)
{
	return __atomic_exchange_n(&kernel_debug, flags & DMTOK_DEBUG_LOCKDEP, __ATOMIC_RELAXED);
}

/* The class named @name, made on first use; the last one takes the overflow. */
static unsigned int class_of(const char *name)
{
	unsigned int c;

	pthread_mutex_lock(&cls_lock);
	for (c = 1; c < ncls; c++)
		if (!strcmp(cls_name[c], name))
			goto out;
	if (ncls < MAXCLASS)
		ncls++;
	c = ncls - 1;
	snprintf(cls_name[c], sizeof(cls_name[c]), "%s", c == MAXCLASS - 1 ? "(more classes)" : name);
out:
	pthread_mutex_unlock(&cls_lock);
	return c;
}

static bool edge(unsigned int a, unsigned int b)
{
	return __atomic_load_n(&order[a][b / 8], __ATOMIC_RELAXED) & (1u << (b % 8));
}

/* Is @to reachable from @from? cls_lock held. */
static bool reaches(unsigned int from, unsigned int to, unsigned char *seen)
{
	if (from == to)
		return true;
	seen[from] = 1;
	for (unsigned int c = 1; c < ncls; c++)
		if (!seen[c] && edge(from, c) && reaches(c, to, seen))
			return true;
	return false;
}

/* B taken with A held: a new edge, unless it closes a cycle. */
static void order_edge(unsigned int a, unsigned int b)
{
	unsigned char seen[MAXCLASS] = { 0 };
	char what[320];
	bool cycle;

	pthread_mutex_lock(&cls_lock);
	cycle = reaches(b, a, seen);
	if (!cycle)
		__atomic_fetch_or(&order[a][b / 8], (unsigned char)(1u << (b % 8)), __ATOMIC_RELAXED);
	pthread_mutex_unlock(&cls_lock);
	if (cycle) {
		snprintf(what, sizeof(what), "lockdep: possible circular locking dependency: "
			 "%s taken with %s held, the other order seen before", cls_name[b], cls_name[a]);
		dmtok_warn_at(__FILE__, __LINE__, what);
	}
}

static void usage_mark(unsigned int c)
{
	unsigned int bit = kctx.softirq ? CLS_IN_SOFTIRQ : !kctx.bh ? CLS_SOFTIRQ_ON : 0;
	unsigned int old;
	char what[200];

	if (!bit || (__atomic_load_n(&cls_usage[c], __ATOMIC_RELAXED) & bit))
		return;
	old = __atomic_fetch_or(&cls_usage[c], (unsigned char)bit, __ATOMIC_RELAXED);
	if ((old | bit) == (CLS_IN_SOFTIRQ | CLS_SOFTIRQ_ON) && old != (CLS_IN_SOFTIRQ | CLS_SOFTIRQ_ON)) {
		snprintf(what, sizeof(what), "lockdep: inconsistent lock state: %s taken in softirq "
			 "and with softirqs on in process context (spin_lock_bh() there)", cls_name[c]);
		dmtok_warn_at(__FILE__, __LINE__, what);
	}
}

/* Lock @l of class @c is taken: check it against the ones held, push it. */
static void lock_acquired(const void *l, unsigned int c, bool spin)
{
	int n = kctx.nheld < HELD_MAX ? kctx.nheld : HELD_MAX;

	if (c && (__atomic_load_n(&kernel_debug, __ATOMIC_RELAXED) & DMTOK_DEBUG_LOCKDEP)) {
		if (spin)
			usage_mark(c);
		for (int i = 0; i < n; i++) {
			unsigned int a = kctx.held_cls[i];

			if (a && a != c && !edge(a, c))
				order_edge(a, c);
		}
	}
	if (kctx.nheld < HELD_MAX) {
		kctx.held[kctx.nheld] = l;
		kctx.held_cls[kctx.nheld] = c;
	}
	kctx.nheld++;
	kctx.nspin += spin;
}

/* Lock @l is released: false if this thread does not hold it. */
static bool lock_released(const void *l, bool spin)
{
	int n = kctx.nheld < HELD_MAX ? kctx.nheld : HELD_MAX;

	for (int i = n - 1; i >= 0; i--)
		if (kctx.held[i] == l) {
			for (int j = i; j < n - 1; j++) {	/* LIFO, mostly: nothing moves */
				kctx.held[j] = kctx.held[j + 1];
				kctx.held_cls[j] = kctx.held_cls[j + 1];
			}
			kctx.nheld--;
			kctx.nspin -= spin;
			return true;
		}
	if (kctx.nheld > HELD_MAX) {	/* past what is tracked: trust it */
		kctx.nheld--;
		kctx.nspin -= spin;
		return true;
	}
	return false;
}

void dmtok__mutex_lock_cls(pthread_mutex_t *m, unsigned int *cls, const char *name)
{
	unsigned int c = __atomic_load_n(cls, __ATOMIC_RELAXED);

	if (!c) {
		c = class_of(name);
		__atomic_store_n(cls, c, __ATOMIC_RELAXED);
	}
	if (dmtok__sched_on())
		dmtok__sched_mutex_lock(m);
	else
		pthread_mutex_lock(m);
	lock_acquired(m, c, false);
}

void dmtok__mutex_unlock(pthread_mutex_t *m)
{
	if (!lock_released(m, false))
		dmtok_warn_at(__FILE__, __LINE__, "mutex_unlock of a lock this thread does not hold");
	if (dmtok__sched_on())
		dmtok__sched_mutex_unlock(m);
	else
		pthread_mutex_unlock(m);
}

/* ---- spinlocks ---- */

void dmtok_spin_lock_init(spinlock_t *l, const char *site)
{
	__atomic_store_n(&l->locked, (int)(class_of(site ? site : "?") << 1), __ATOMIC_RELAXED);
}

/* spin_lock()'s contended path: spin on a plain load, yield the CPU. */
static void spin_lock_slow(spinlock_t *l)
{
	for (unsigned int spins = 0;; spins++) {
		if (!(__atomic_load_n(&l->locked, __ATOMIC_RELAXED) & 1) &&
		    !(__atomic_fetch_or(&l->locked, 1, __ATOMIC_ACQUIRE) & 1))
			return;
		if (spins >= 64)
			sched_yield();
	}
}

void dmtok_spin_lock(spinlock_t *l)
{
	unsigned int c;

	if (unlikely(dmtok__sched_on())) {
		if (!dmtok__sched_spin_lock(l))
			spin_lock_slow(l);
	} else if (__atomic_fetch_or(&l->locked, 1, __ATOMIC_ACQUIRE) & 1) {
		spin_lock_slow(l);
	}
	c = (unsigned int)__atomic_load_n(&l->locked, __ATOMIC_RELAXED) >> 1;
	/* DEBUG_SPINLOCK's spin_bug(lock, "bad magic"): never initialised */
	if (unlikely(!c) && (__atomic_load_n(&kernel_debug, __ATOMIC_RELAXED) & DMTOK_DEBUG_LOCKDEP))
		dmtok_warn_at(__FILE__, __LINE__, "spin_lock of a lock never spin_lock_init()ed");
	lock_acquired(l, c, true);
}

void dmtok_spin_unlock(spinlock_t *l)
{
	if (unlikely(dmtok__sched_on()))
		dmtok__sched_spin_unlock(l);
	/* unlocking a lock this thread does not hold: the kernel's spinlock
	 * debugging (spin_bug(), "wrong owner") */
	if (!lock_released(l, true))
		dmtok_warn_at(__FILE__, __LINE__, "spin_unlock of a lock this thread does not hold");
	__atomic_fetch_and(&l->locked, ~1, __ATOMIC_RELEASE);
}

bool dmtok_spin_is_held(const spinlock_t *l)
{
	int n = kctx.nheld < HELD_MAX ? kctx.nheld : HELD_MAX;

	for (int i = 0; i < n; i++)
		if (kctx.held[i] == l)
			return true;
	return false;
}

void dmtok_local_bh_disable(void)
{
	kctx.bh++;
}

void dmtok_local_bh_enable(void)
{
	if (WARN_ON_ONCE(kctx.bh <= 0))	/* unbalanced, as the kernel warns */
		return;
	kctx.bh--;
}

/* ---- WARN counter ---- */

static _Atomic unsigned long warn_total;
static struct dmtok_warn_site *warn_sites;	/* pushed with a CAS, never popped */

void dmtok_warn_hit(struct dmtok_warn_site *site)
{
	__atomic_fetch_add(&site->hits, 1, __ATOMIC_RELAXED);
	atomic_fetch_add(&warn_total, 1);
	if (!__atomic_exchange_n(&site->listed, 1, __ATOMIC_SEQ_CST)) {
		struct dmtok_warn_site *head = __atomic_load_n(&warn_sites, __ATOMIC_ACQUIRE);

		do {
			__atomic_store_n(&site->next, head, __ATOMIC_RELAXED);
		} while (!__atomic_compare_exchange_n(&warn_sites, &head, site, true,
						      __ATOMIC_RELEASE, __ATOMIC_ACQUIRE));
	}
}

/*
 * WARN sites made at run time (the atomic-sleep check names its caller's
 * file and line): a fixed pool, no allocation -- the registry of sites
 * outlives any allocator a test installs. A site past the pool counts on
 * the last one.
 */
#define DYN_SITES	64
static struct dmtok_warn_site dyn_sites[DYN_SITES];
static char dyn_expr[DYN_SITES][256];
static unsigned int ndyn;
static pthread_mutex_t dyn_lock = PTHREAD_MUTEX_INITIALIZER;

void dmtok_warn_at(const char *file, int line, const char *what)
{
	struct dmtok_warn_site *site = NULL;

	pthread_mutex_lock(&dyn_lock);
	for (unsigned int i = 0; i < ndyn && !site; i++)
		if (dyn_sites[i].line == line && !strcmp(dyn_sites[i].file, file) &&
		    !strcmp(dyn_expr[i], what))
			site = &dyn_sites[i];
	if (!site) {
		unsigned int i = ndyn < DYN_SITES ? ndyn++ : DYN_SITES - 1;

		snprintf(dyn_expr[i], sizeof(dyn_expr[i]), "%s", what);
		dyn_sites[i].file = file;
		dyn_sites[i].line = line;
		dyn_sites[i].expr = dyn_expr[i];
		site = &dyn_sites[i];
	}
	pthread_mutex_unlock(&dyn_lock);
	dmtok_warn_hit(site);
}

unsigned long dmtok_warn_count(void)
{
	return atomic_load(&warn_total);
}

void dmtok_warn_reset(void)
{
	struct dmtok_warn_site *s;

	atomic_store(&warn_total, 0);
	for (s = __atomic_load_n(&warn_sites, __ATOMIC_ACQUIRE); s; s = s->next)
		__atomic_store_n(&s->hits, 0, __ATOMIC_RELAXED);
}

void dmtok_warn_report(FILE *f)
{
	struct dmtok_warn_site *s;

	if (!f)
		return;
	for (s = __atomic_load_n(&warn_sites, __ATOMIC_ACQUIRE); s; s = s->next)
		if (__atomic_load_n(&s->hits, __ATOMIC_RELAXED))
			fprintf(f, "WARN %s:%d (%s): %lu hit(s)\n", s->file,
				s->line, s->expr, __atomic_load_n(&s->hits, __ATOMIC_RELAXED));
}
