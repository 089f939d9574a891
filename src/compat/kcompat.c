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

/* ---- each thread's kernel context (what preempt_count() tells) ---- */

#define HELD_MAX	16

struct kctx {
	int bh;			/* local_bh_disable() depth */
	int softirq;		/* running as softirq (the model's NAPI) */
	int nheld;
	const spinlock_t *held[HELD_MAX];	/* spinlocks held, in order */
};
static _Thread_local struct kctx kctx;

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
	return kctx.nheld || kctx.bh || kctx.softirq;
}

/*
 * The WARN of __might_sleep() (kernel/sched/core.c, 6.12: "BUG: sleeping
 * function called from invalid context"), counted at the allocation's
 * call site with the context that made it invalid.
 */
static void might_sleep_at(const char *file, int line)
{
	char what[160];

	snprintf(what, sizeof(what), "might_sleep: GFP_KERNEL allocation in atomic context "
		 "(%d spinlock(s) held, BH %s%s)", kctx.nheld,
		 kctx.bh ? "disabled" : "enabled", kctx.softirq ? ", in softirq" : "");
	dmtok_warn_at(file, line, what);
}

/*
 * kvmalloc_node_noprof() (mm/util.c, 6.12) refuses sizes above INT_MAX
 * (with a WARN, which here would be user-reachable: just refuse). Memory
 * without __GFP_ZERO is filled with POISON_FREE (include/linux/poison.h),
 * what slub_debug=P leaves in a freed object that is handed out again.
 */
void *dmtok_kmalloc_at(size_t size, gfp_t gfp, const char *file, int line)
{
	void *p;

	DMTOK_SCHED_POINT();
	if (gfpflags_allow_blocking(gfp) && in_atomic_ctx())
		might_sleep_at(file ? file : "?", line);
	if (size > INT_MAX)
		return NULL;
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

/* ---- locks ---- */

/* spin_lock()'s contended path: spin on a plain load, yield the CPU. */
static void spin_lock_slow(spinlock_t *l)
{
	for (unsigned int spins = 0;; spins++) {
		if (!__atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
		    !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			return;
		if (spins >= 64)
			sched_yield();
	}
}

void dmtok_spin_lock(spinlock_t *l)
{
	if (unlikely(dmtok__sched_on())) {
		if (!dmtok__sched_spin_lock(l))
			spin_lock_slow(l);
	} else if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		spin_lock_slow(l);
	}
	if (kctx.nheld < HELD_MAX)
		kctx.held[kctx.nheld] = l;
	kctx.nheld++;
}

void dmtok_spin_unlock(spinlock_t *l)
{
	int n = kctx.nheld < HELD_MAX ? kctx.nheld : HELD_MAX;

	if (unlikely(dmtok__sched_on()))
		dmtok__sched_spin_unlock(l);
	/* unlocking a lock this thread does not hold: the kernel's spinlock
	 * debugging (spin_bug(), "wrong owner") */
	for (int i = n - 1; i >= 0; i--)
		if (kctx.held[i] == l) {
			memmove(&kctx.held[i], &kctx.held[i + 1], (size_t)(n - 1 - i) * sizeof(l));
			kctx.nheld--;
			goto release;
		}
	if (kctx.nheld > HELD_MAX)
		kctx.nheld--;	/* past what is tracked: trust it */
	else
		dmtok_warn_at(__FILE__, __LINE__, "spin_unlock of a lock this thread does not hold");
release:
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
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
static char dyn_expr[DYN_SITES][160];
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
