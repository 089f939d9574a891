// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The out-of-line half of the kernel vocabulary (<dmtok/kernel.h>): the
 * injectable allocator behind kmalloc()/kvmalloc() (default malloc+zero,
 * and the test allocator that fails the Nth call), spin_lock()'s
 * contended path, and the WARN hit counter. This is the one place the
 * model calls into libc for memory and locks.
 */
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

/*
 * kvmalloc_node_noprof() (mm/util.c, 6.12) refuses sizes above INT_MAX
 * (with a WARN, which here would be user-reachable: just refuse).
 */
void *dmtok_kmalloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	if (size > INT_MAX)
		return NULL;
	return cur_alloc.zalloc(cur_alloc.ctx, size);
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
void dmtok_spin_lock_slow(spinlock_t *l)
{
	for (unsigned int spins = 0;; spins++) {
		if (!__atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
		    !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			return;
		if (spins >= 64)
			sched_yield();
	}
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
